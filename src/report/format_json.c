/* json: an array of {"src", "dst", "conn"} objects, indented by two spaces
 * as Go's json.MarshalIndent writes it ("conn" left out with a focus
 * connection). */
#include "report/report.h"

void npc_report_json(const npc_report *r, npc_buf *out)
{
    if (!r->rows.len) {
        npc_buf_puts(out, "[]\n");
        return;
    }
    npc_buf_puts(out, "[\n");
    for (size_t i = 0; i < r->rows.len; i++) {
        const npc_report_row *row = &r->rows.items[i];
        npc_buf_puts(out, "  {\n    \"src\": ");
        npc_report_json_string(out, r->peers.items[row->src].id);
        npc_buf_puts(out, ",\n    \"dst\": ");
        npc_report_json_string(out, r->peers.items[row->dst].id);
        if (!r->focus_conn) {
            npc_buf_puts(out, ",\n    \"conn\": ");
            npc_report_json_string(out, row->conn);
        }
        npc_buf_puts(out, i + 1 < r->rows.len ? "\n  },\n" : "\n  }\n");
    }
    npc_buf_puts(out, "]\n");
}
