/* txt: netpol-analyzer's default `list` output, one "src => dst : conn"
 * line per pair; with a focus connection, a header and "src => dst". */
#include "report/report.h"

void npc_report_txt(const npc_report *r, npc_buf *out)
{
    if (r->focus_conn)
        npc_buf_printf(out, "Permitted connections on %s:\n", r->focus_conn);
    for (size_t i = 0; i < r->rows.len; i++) {
        const npc_report_row *row = &r->rows.items[i];
        npc_buf_puts(out, r->peers.items[row->src].id);
        npc_buf_puts(out, " => ");
        npc_buf_puts(out, r->peers.items[row->dst].id);
        if (!r->focus_conn) {
            npc_buf_puts(out, " : ");
            npc_buf_puts(out, row->conn);
        }
        npc_buf_putc(out, '\n');
    }
}
