/* dot with exposure: the connection-list graph (format_dot.c's layout)
 * plus representative peers, each in a red "cluster_<namespace>" subgraph
 * after the real namespaces, an "entire-cluster" diamond, and dashed edges
 * for the exposure lines (external ranges are edges of the list already). */
#include <stdlib.h>
#include <string.h>

#include "report/exposure.h"

typedef struct grouped {
    char *key;
    char *line;
} grouped;

static int cmp_grouped(const void *a, const void *b)
{
    const grouped *x = a, *y = b;
    int k = strcmp(x->key, y->key);
    return k ? k : strcmp(x->line, y->line);
}

typedef NPC_VEC(grouped) grouped_vec;
typedef NPC_VEC(char *) str_vec;

static char *node_line(const char *id, const char *label, const char *color, const char *extra)
{
    npc_buf b = NPC_BUF_INIT;
    npc_buf_putc(&b, '\t');
    npc_report_go_quote(&b, id);
    npc_buf_puts(&b, " [label=");
    npc_report_go_quote(&b, label);
    npc_buf_printf(&b, " color=\"%s\" fontcolor=\"%s\"%s]", color, color, extra);
    return npc_buf_take(&b);
}

static void add_grouped(grouped_vec *v, const char *ns, char *line)
{
    grouped g;
    npc_buf k = NPC_BUF_INIT;
    npc_buf_printf(&k, "%s[namespace]", ns);
    g.key = npc_buf_take(&k);
    g.line = line;
    npc_vec_push(v, g);
}

static void write_groups(npc_buf *out, grouped_vec *v, const char *color)
{
    if (v->len > 1)
        qsort(v->items, v->len, sizeof(grouped), cmp_grouped);
    for (size_t i = 0; i < v->len; i++) {
        const char *key = v->items[i].key;
        if (i == 0 || strcmp(key, v->items[i - 1].key) != 0) {
            npc_buf_puts(out, "\tsubgraph \"cluster_");
            for (const char *p = key; *p; p++)
                npc_buf_putc(out, *p == '-' ? '_' : *p);
            npc_buf_printf(out, "\" {\n\t\tcolor=\"%s\"\n\t\tfontcolor=\"%s\"\n", color, color);
        }
        npc_buf_printf(out, "\t%s\n", v->items[i].line);
        if (i + 1 == v->len || strcmp(key, v->items[i + 1].key) != 0)
            npc_buf_printf(out, "\t\tlabel=\"%s\"\n\t}\n", key);
    }
}

static void free_groups(grouped_vec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->items[i].key);
        free(v->items[i].line);
    }
    npc_vec_free(v);
}

static char *edge(const char *src, const char *dst, const char *label, const char *color,
                  const char *weight, const char *extra)
{
    npc_buf b = NPC_BUF_INIT;
    npc_buf_putc(&b, '\t');
    npc_report_go_quote(&b, src);
    npc_buf_puts(&b, " -> ");
    npc_report_go_quote(&b, dst);
    npc_buf_puts(&b, " [label=");
    npc_report_go_quote(&b, label);
    npc_buf_printf(&b, " color=\"%s\" fontcolor=\"darkgreen\" weight=%s%s]", color, weight, extra);
    return npc_buf_take(&b);
}

void npc_expo_write_dot(const npc_report *r, const npc_expo_report *e, npc_buf *out)
{
    size_t np = r->peers.len, nr = e->reps.len;
    char *seen = npc_xcalloc(np + 1, 1), *rep_seen = npc_xcalloc(nr + 1, 1);
    grouped_vec real = {0}, reps = {0};
    str_vec ext = {0}, edges = {0};
    int entire = 0;

    for (size_t i = 0; i < r->rows.len + r->nodes.len; i++) {
        uint32_t ends[2];
        size_t nends = 1;
        if (i < r->rows.len) {
            const npc_report_row *row = &r->rows.items[i];
            const char *src = r->peers.items[row->src].id, *dst = r->peers.items[row->dst].id;
            npc_vec_push(&edges, edge(src, dst, r->focus_conn ? r->focus_conn : row->conn, "gold2",
                                      strcmp(src, dst) <= 0 ? "0.5" : "1", ""));
            ends[0] = row->src;
            ends[1] = row->dst;
            nends = 2;
        } else {
            ends[0] = r->nodes.items[i - r->rows.len];
        }
        for (size_t k = 0; k < nends; k++) {
            const npc_report_peer *p = &r->peers.items[ends[k]];
            if (seen[ends[k]])
                continue;
            seen[ends[k]] = 1;
            if (p->ns)
                add_grouped(&real, p->ns, node_line(p->id, p->label, "blue", ""));
            else
                npc_vec_push(&ext, node_line(p->id, p->label, "red2", ""));
        }
    }
    for (int d = 0; d < 2; d++)
        for (size_t i = 0; i < e->lines[d].len; i++) {
            const npc_expo_line *l = &e->lines[d].items[i];
            if (l->rep == -2)
                continue; /* an edge of the list */
            char *peer;
            if (l->rep == -1) {
                peer = npc_xstrdup("entire-cluster");
                entire = 1;
            } else {
                const npc_expo_rep_name *n = &e->reps.items[l->rep];
                npc_buf b = NPC_BUF_INIT;
                npc_buf_printf(&b, "%s_in_%s", n->pod, n->ns);
                peer = npc_buf_take(&b);
                if (!rep_seen[l->rep]) {
                    rep_seen[l->rep] = 1;
                    add_grouped(&reps, n->ns, node_line(peer, n->pod, "red2", ""));
                }
            }
            if (d == NPC_DIR_EGRESS)
                npc_vec_push(&edges,
                             edge(l->wl, peer, l->conn, "darkorange4", "0.5", " style=dashed"));
            else
                npc_vec_push(&edges,
                             edge(peer, l->wl, l->conn, "darkorange2", "1", " style=dashed"));
            free(peer);
        }
    if (entire)
        npc_vec_push(&ext, node_line("entire-cluster", "entire-cluster", "red2", " shape=diamond"));
    npc_report_sort_strings(ext.items, ext.len);
    npc_report_sort_strings(edges.items, edges.len);

    npc_buf_puts(out, "digraph {\n");
    write_groups(out, &real, "black");
    write_groups(out, &reps, "red2");
    for (size_t i = 0; i < ext.len; i++)
        npc_buf_printf(out, "%s\n", ext.items[i]);
    for (size_t i = 0; i < edges.len; i++)
        npc_buf_printf(out, "%s\n", edges.items[i]);
    npc_buf_puts(out, "}\n");

    free_groups(&real);
    free_groups(&reps);
    for (size_t i = 0; i < ext.len; i++)
        free(ext.items[i]);
    for (size_t i = 0; i < edges.len; i++)
        free(edges.items[i]);
    npc_vec_free(&ext);
    npc_vec_free(&edges);
    free(seen);
    free(rep_seen);
}
