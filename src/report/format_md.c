/* md: a Markdown table "| src | dst | conn |" ("conn" left out with a focus
 * connection). */
#include "report/report.h"

void npc_report_md(const npc_report *r, npc_buf *out)
{
    if (r->focus_conn)
        npc_buf_puts(out, "| src | dst |\n|-----|-----|\n");
    else
        npc_buf_puts(out, "| src | dst | conn |\n|-----|-----|------|\n");
    for (size_t i = 0; i < r->rows.len; i++) {
        const npc_report_row *row = &r->rows.items[i];
        npc_buf_printf(out, "| %s | %s |", r->peers.items[row->src].id,
                       r->peers.items[row->dst].id);
        if (!r->focus_conn)
            npc_buf_printf(out, " %s |", row->conn);
        npc_buf_putc(out, '\n');
    }
}
