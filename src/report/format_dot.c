/* dot: a Graphviz digraph as netpol-analyzer draws it. Workloads are grouped
 * in one "cluster_<ns>[namespace]" subgraph per namespace, external ranges
 * stand alone, edges carry the connection set; every group of lines is
 * sorted as strings so the graph is byte-identical from run to run. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

typedef struct grouped {
    char *key;  /* "<ns>[namespace]" */
    char *line; /* the node line, without the group's indentation */
} grouped;

static int cmp_grouped(const void *a, const void *b)
{
    const grouped *x = a, *y = b;
    int k = strcmp(x->key, y->key);
    return k ? k : strcmp(x->line, y->line);
}

static char *node_line(const npc_report_peer *p)
{
    const char *color = p->ns ? "blue" : "red2";
    npc_buf b = NPC_BUF_INIT;
    npc_buf_putc(&b, '\t');
    npc_report_go_quote(&b, p->id);
    npc_buf_puts(&b, " [label=");
    npc_report_go_quote(&b, p->label);
    npc_buf_printf(&b, " color=\"%s\" fontcolor=\"%s\"]", color, color);
    return npc_buf_take(&b);
}

void npc_report_dot(const npc_report *r, npc_buf *out)
{
    size_t np = r->peers.len;
    char *seen = calloc(np ? np : 1, 1);
    NPC_VEC(grouped) ns_lines = {0};
    NPC_VEC(char *) ext_lines = {0};
    NPC_VEC(char *) edges = {0};

    for (size_t i = 0; i < r->rows.len + r->nodes.len; i++) {
        uint32_t ends[2];
        size_t nends;
        if (i < r->rows.len) {
            const npc_report_row *row = &r->rows.items[i];
            npc_buf b = NPC_BUF_INIT;
            const char *src = r->peers.items[row->src].id, *dst = r->peers.items[row->dst].id;
            npc_buf_putc(&b, '\t');
            npc_report_go_quote(&b, src);
            npc_buf_puts(&b, " -> ");
            npc_report_go_quote(&b, dst);
            npc_buf_puts(&b, " [label=");
            npc_report_go_quote(&b, r->focus_conn ? r->focus_conn : row->conn);
            /* netpol-analyzer's layout hint: lighter edges run "forward" */
            npc_buf_printf(&b, " color=\"gold2\" fontcolor=\"darkgreen\" weight=%s]",
                           strcmp(src, dst) <= 0 ? "0.5" : "1");
            npc_vec_push(&edges, npc_buf_take(&b));
            ends[0] = row->src;
            ends[1] = row->dst;
            nends = 2;
        } else {
            ends[0] = r->nodes.items[i - r->rows.len];
            nends = 1;
        }
        for (size_t e = 0; e < nends; e++) {
            const npc_report_peer *p = &r->peers.items[ends[e]];
            if (seen[ends[e]])
                continue;
            seen[ends[e]] = 1;
            if (p->ns) {
                grouped g;
                npc_buf k = NPC_BUF_INIT;
                npc_buf_printf(&k, "%s[namespace]", p->ns);
                g.key = npc_buf_take(&k);
                g.line = node_line(p);
                npc_vec_push(&ns_lines, g);
            } else {
                npc_vec_push(&ext_lines, node_line(p));
            }
        }
    }
    if (ns_lines.len > 1)
        qsort(ns_lines.items, ns_lines.len, sizeof(grouped), cmp_grouped);
    npc_report_sort_strings(ext_lines.items, ext_lines.len);
    npc_report_sort_strings(edges.items, edges.len);

    npc_buf_puts(out, "digraph {\n");
    for (size_t i = 0; i < ns_lines.len; i++) {
        const char *key = ns_lines.items[i].key;
        if (i == 0 || strcmp(key, ns_lines.items[i - 1].key) != 0) {
            /* dot does not take '-' in subgraph names */
            npc_buf_puts(out, "\tsubgraph \"cluster_");
            for (const char *p = key; *p; p++)
                npc_buf_putc(out, *p == '-' ? '_' : *p);
            npc_buf_puts(out, "\" {\n\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n");
        }
        npc_buf_printf(out, "\t%s\n", ns_lines.items[i].line);
        if (i + 1 == ns_lines.len || strcmp(key, ns_lines.items[i + 1].key) != 0)
            npc_buf_printf(out, "\t\tlabel=\"%s\"\n\t}\n", key);
    }
    for (size_t i = 0; i < ext_lines.len; i++)
        npc_buf_printf(out, "%s\n", ext_lines.items[i]);
    for (size_t i = 0; i < edges.len; i++)
        npc_buf_printf(out, "%s\n", edges.items[i]);
    npc_buf_puts(out, "}\n");

    for (size_t i = 0; i < ns_lines.len; i++) {
        free(ns_lines.items[i].key);
        free(ns_lines.items[i].line);
    }
    for (size_t i = 0; i < ext_lines.len; i++)
        free(ext_lines.items[i]);
    for (size_t i = 0; i < edges.len; i++)
        free(edges.items[i]);
    npc_vec_free(&ns_lines);
    npc_vec_free(&ext_lines);
    npc_vec_free(&edges);
    free(seen);
}
