/* csv: header "src,dst,conn" then one record per pair, quoted as Go's
 * encoding/csv does (fields holding a comma, a quote, a line break or
 * starting with a space; quotes doubled). */
#include <string.h>

#include "report/report.h"

void npc_report_csv_field(npc_buf *out, const char *s)
{
    int quote =
        strcmp(s, "\\.") == 0 || s[0] == ' ' || s[0] == '\t' || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        npc_buf_puts(out, s);
        return;
    }
    npc_buf_putc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            npc_buf_putc(out, '"');
        npc_buf_putc(out, *p);
    }
    npc_buf_putc(out, '"');
}

void npc_report_csv(const npc_report *r, npc_buf *out)
{
    npc_buf_puts(out, r->focus_conn ? "src,dst\n" : "src,dst,conn\n");
    for (size_t i = 0; i < r->rows.len; i++) {
        const npc_report_row *row = &r->rows.items[i];
        npc_report_csv_field(out, r->peers.items[row->src].id);
        npc_buf_putc(out, ',');
        npc_report_csv_field(out, r->peers.items[row->dst].id);
        if (!r->focus_conn) {
            npc_buf_putc(out, ',');
            npc_report_csv_field(out, row->conn);
        }
        npc_buf_putc(out, '\n');
    }
}
