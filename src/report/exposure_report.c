/* Exposure-analysis reports (see exposure.h): naming representative
 * peers, choosing and sorting the lines, and the txt, json, csv and md
 * writers (dot: exposure_dot.c). */
#include <stdlib.h>
#include <string.h>

#include "report/exposure.h"
#include "util/ctx.h"

static const char *sym(const npc_cluster *c, npc_sym s)
{
    return npc_sym_str(c->ctx->strings, s);
}

/* ------------------------------------------------------------ naming */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *const op_names[] = {"In", "NotIn", "Exists", "DoesNotExist"};

/* matchLabels as "k=v,..." by key, then match expressions as Go prints
 * them (LabelSelectorRequirement.String: values in the policy's order),
 * sorted (netpol-analyzer's convertRequirementsToString,
 * conns_formatter.go). */
static void selector_text(const npc_cluster *c, const npc_selector *s, npc_buf *out)
{
    size_t n = s->nexprs;
    char **labels = npc_xcalloc(n + 1, sizeof *labels), **exprs = npc_xcalloc(n + 1, sizeof *exprs);
    size_t nl = 0, ne = 0;
    for (size_t i = 0; i < n; i++) {
        const npc_sel_expr *e = &s->exprs[i];
        npc_buf b = NPC_BUF_INIT;
        if (e->from_match_labels && e->op == NPC_SEL_IN && e->nvalues == 1) {
            npc_buf_printf(&b, "%s=%s", sym(c, e->key), sym(c, e->values[0]));
            labels[nl++] = npc_buf_take(&b);
            continue;
        }
        const npc_sym *vals = e->written ? e->written : e->values;
        uint32_t nv = e->written ? e->nwritten : e->nvalues;
        npc_buf_printf(&b, "{Key:%s,Operator:%s,Values:[", sym(c, e->key), op_names[e->op]);
        for (uint32_t j = 0; j < nv; j++)
            npc_buf_printf(&b, "%s%s", j ? " " : "", sym(c, vals[j]));
        npc_buf_puts(&b, "],}");
        exprs[ne++] = npc_buf_take(&b);
    }
    npc_report_sort_strings(labels, nl);
    npc_report_sort_strings(exprs, ne);
    for (size_t i = 0; i < nl; i++)
        npc_buf_printf(out, "%s%s", i ? "," : "", labels[i]);
    for (size_t i = 0; i < ne; i++)
        npc_buf_printf(out, "%s%s", (i || nl) ? "," : "", exprs[i]);
    for (size_t i = 0; i < nl; i++)
        free(labels[i]);
    for (size_t i = 0; i < ne; i++)
        free(exprs[i]);
    free(labels);
    free(exprs);
}

void npc_expo_rep_name_of(const npc_cluster *c, const npc_rep_peer *rp, npc_expo_rep_name *out)
{
    npc_buf ns = NPC_BUF_INIT, pod = NPC_BUF_INIT, text = NPC_BUF_INIT;
    const npc_selector *s = &rp->ns_sel;
    out->ns_is_name = s->nexprs == 1 && s->exprs[0].from_match_labels &&
                      s->exprs[0].op == NPC_SEL_IN && s->exprs[0].nvalues == 1 &&
                      strcmp(sym(c, s->exprs[0].key), "kubernetes.io/metadata.name") == 0;
    if (out->ns_is_name) {
        npc_buf_puts(&ns, sym(c, s->exprs[0].values[0]));
    } else if (s->nexprs == 0) {
        npc_buf_puts(&ns, "all namespaces");
    } else {
        npc_buf_puts(&ns, "namespace with {");
        selector_text(c, s, &ns);
        npc_buf_putc(&ns, '}');
    }
    if (rp->pod_sel.nexprs == 0) {
        npc_buf_puts(&pod, "all pods");
    } else {
        npc_buf_puts(&pod, "pod with {");
        selector_text(c, &rp->pod_sel, &pod);
        npc_buf_putc(&pod, '}');
    }
    npc_buf_printf(&text, out->ns_is_name ? "%s/[%s]" : "[%s]/[%s]", ns.data, pod.data);
    out->ns = npc_buf_take(&ns);
    out->pod = npc_buf_take(&pod);
    out->text = npc_buf_take(&text);
}

/* Appends the named ports of slot p sorted, each after a comma but the
 * first when *any is 0; sets *any. */
static void put_names(npc_buf *b, const npc_cluster *c, const npc_exposure_item *it, int p,
                      int *any)
{
    size_t nn = it->named[p].len;
    const char **names = npc_xcalloc(nn + 1, sizeof *names);
    for (size_t i = 0; i < nn; i++)
        names[i] = sym(c, it->named[p].items[i]);
    if (nn > 1)
        qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        npc_buf_printf(b, "%s%s", *any ? "," : "", names[i]);
        *any = 1;
    }
    free(names);
}

/* The connection set, with named ports kept as names after the numbers of
 * their protocol ("TCP http,local-dns"); names whose protocol is the
 * container port's own come first under an empty protocol name
 * (" local-port": Go's ConnectionSet.String sorts "<protocol> <ports>"
 * strings, and the empty protocol sorts first). */
static char *conn_text(const npc_cluster *c, const npc_exposure_item *it)
{
    npc_buf b = NPC_BUF_INIT;
    int named = 0;
    for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++)
        named |= it->named[p].len > 0;
    if (!named) {
        npc_portset_format(&it->conns, &b);
        return npc_buf_take(&b);
    }
    /* protocols in name order, as npc_portset_format */
    static const npc_proto order[] = {NPC_PROTO_SCTP, NPC_PROTO_TCP, NPC_PROTO_UDP};
    int first = 1;
    if (it->named[NPC_EXPO_OWN_PROTO].len) {
        int any = 0;
        npc_buf_putc(&b, ' ');
        put_names(&b, c, it, NPC_EXPO_OWN_PROTO, &any);
        first = 0;
    }
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        npc_proto p = order[k];
        npc_portset one = NPC_PORTSET_INIT;
        for (uint32_t i = 0; i < it->conns.n[p]; i++)
            npc_portset_add(&one, p, it->conns.r[p][i].lo, it->conns.r[p][i].hi);
        size_t nn = it->named[p].len;
        if (npc_portset_is_empty(&one) && !nn) {
            npc_portset_free(&one);
            continue;
        }
        npc_buf_puts(&b, first ? "" : ",");
        first = 0;
        int any = 0;
        if (!npc_portset_is_empty(&one)) {
            npc_buf f = NPC_BUF_INIT;
            npc_portset_format(&one, &f);
            npc_buf_puts(&b, f.data);
            npc_buf_free(&f);
            any = 1;
        } else {
            npc_buf_printf(&b, "%s ", npc_proto_name(p));
        }
        put_names(&b, c, it, p, &any);
        npc_portset_free(&one);
    }
    return npc_buf_take(&b);
}

/* -------------------------------------------------------------- build */

/* With a focus connection (netpol-analyzer's addPeerXgressEntireClusterExp
 * and connectionEqualsEntireClusterConn, exposure_map.go), a protected
 * workload's line stays when its connections hold the focus connection:
 * the entire cluster's always, a representative peer's only when the
 * entire cluster's do not (else the peer adds nothing). Lines of peers
 * the policies deny ("No Connections") hold nothing and go. */
static int focus_line(const npc_exposure_item *it, const npc_report_opts *o, int ec_holds)
{
    if (!npc_portset_contains(&it->conns, o->conn_proto, o->conn_port))
        return 0;
    return it->rep == -1 || !ec_holds;
}

static int cmp_line(const void *a, const void *b)
{
    const npc_expo_line *x = a, *y = b;
    int k = strcmp(x->wl, y->wl);
    return k ? k : strcmp(x->peer, y->peer);
}

static void push_line(npc_expo_report *e, npc_dir d, const char *wl, const char *peer, char *conn,
                      int32_t rep)
{
    npc_expo_line l;
    l.wl = npc_xstrdup(wl);
    l.peer = npc_xstrdup(peer);
    l.conn = conn;
    l.rep = rep;
    npc_vec_push(&e->lines[d], l);
}

void npc_expo_report_build(npc_cluster *c, const npc_exposure *x, const npc_report *r,
                           const npc_report_opts *o, npc_expo_report *out)
{
    memset(out, 0, sizeof *out);
    if (o && o->has_focus_conn)
        out->focus_conn = npc_xstrdup(r->focus_conn);
    for (size_t i = 0; i < x->reps.len; i++) {
        npc_expo_rep_name n;
        npc_expo_rep_name_of(c, &x->reps.items[i], &n);
        npc_vec_push(&out->reps, n);
    }
    /* the workloads the focus options keep are those the report draws
     * (r->nodes), so unknown focus names are not reported twice */
    size_t nw = c->workloads.len, nn = r->nodes.len;
    const char **kept = npc_xcalloc(nn + 1, sizeof *kept);
    for (size_t i = 0; i < nn; i++)
        kept[i] = r->peers.items[r->nodes.items[i]].id;
    if (nn > 1)
        qsort(kept, nn, sizeof *kept, cmp_str);
    uint8_t *keep = npc_xcalloc(nw * 2 + 1, 1); /* workload * 2 + dir */
    for (size_t w = 0; w < nw; w++) {
        npc_endpoint we = {NPC_EP_WORKLOAD, (uint32_t)w, {{0, 0}, {0, 0}}};
        char *id = npc_report_endpoint_id(c, &we);
        if (nn && bsearch(&id, kept, nn, sizeof *kept, cmp_str)) {
            keep[w * 2 + NPC_DIR_EGRESS] = !o || o->focus_dir != NPC_FOCUS_INGRESS;
            keep[w * 2 + NPC_DIR_INGRESS] = !o || o->focus_dir != NPC_FOCUS_EGRESS;
        }
        free(id);
    }
    free(kept);

    /* with a focus connection: whether each workload's connections with
     * the entire cluster (per direction) hold it */
    uint8_t *ec_focus = npc_xcalloc(nw * 2 + 1, 1);
    int focus = o && o->has_focus_conn;
    for (size_t i = 0; focus && i < x->items.len; i++) {
        const npc_exposure_item *it = &x->items.items[i];
        if (it->rep == -1 && npc_portset_contains(&it->conns, o->conn_proto, o->conn_port))
            ec_focus[it->workload * 2 + it->dir] = 1;
    }
    uint8_t *listed = npc_xcalloc(nw + 1, 1);
    char **ids = npc_xcalloc(nw + 1, sizeof *ids);
    for (size_t i = 0; i < x->items.len; i++) {
        const npc_exposure_item *it = &x->items.items[i];
        if (!keep[it->workload * 2 + it->dir])
            continue;
        int prot = x->protected_dir[(size_t)it->workload * 2 + it->dir];
        if (focus && prot && !focus_line(it, o, ec_focus[it->workload * 2 + it->dir]))
            continue;
        if (!ids[it->workload]) {
            npc_endpoint we = {NPC_EP_WORKLOAD, it->workload, {{0, 0}, {0, 0}}};
            ids[it->workload] = npc_report_endpoint_id(c, &we);
        }
        listed[it->workload] = 1;
        const char *peer = it->rep < 0 ? "entire-cluster" : out->reps.items[it->rep].text;
        /* a focused line holds the focus connection alone; an unprotected
         * workload's stays "All Connections" */
        char *conn = focus && prot ? npc_xstrdup(r->focus_conn) : conn_text(c, it);
        push_line(out, it->dir, ids[it->workload], peer, conn, it->rep);
        if (!prot) {
            npc_buf b = NPC_BUF_INIT;
            npc_buf_printf(&b, "%s is not protected on %s", ids[it->workload],
                           it->dir == NPC_DIR_EGRESS ? "Egress" : "Ingress");
            npc_vec_push(&out->unprotected, npc_buf_take(&b));
        }
    }
    /* the listed workloads' connections with external ranges */
    for (size_t i = 0; i < r->rows.len; i++) {
        const npc_report_row *row = &r->rows.items[i];
        const npc_report_peer *s = &r->peers.items[row->src], *d = &r->peers.items[row->dst];
        for (size_t w = 0; w < nw; w++) {
            if (!listed[w])
                continue;
            if (!s->ns && d->ns && strcmp(d->id, ids[w]) == 0)
                push_line(out, NPC_DIR_INGRESS, ids[w], s->id, npc_xstrdup(row->conn), -2);
            if (s->ns && !d->ns && strcmp(s->id, ids[w]) == 0)
                push_line(out, NPC_DIR_EGRESS, ids[w], d->id, npc_xstrdup(row->conn), -2);
        }
    }
    for (int d = 0; d < 2; d++)
        if (out->lines[d].len > 1)
            qsort(out->lines[d].items, out->lines[d].len, sizeof(npc_expo_line), cmp_line);
    npc_report_sort_strings(out->unprotected.items, out->unprotected.len);
    for (size_t w = 0; w < nw; w++)
        free(ids[w]);
    free(ids);
    free(listed);
    free(ec_focus);
    free(keep);
}

void npc_expo_report_free(npc_expo_report *e)
{
    for (int d = 0; d < 2; d++) {
        for (size_t i = 0; i < e->lines[d].len; i++) {
            free(e->lines[d].items[i].wl);
            free(e->lines[d].items[i].peer);
            free(e->lines[d].items[i].conn);
        }
        npc_vec_free(&e->lines[d]);
    }
    for (size_t i = 0; i < e->unprotected.len; i++)
        free(e->unprotected.items[i]);
    npc_vec_free(&e->unprotected);
    for (size_t i = 0; i < e->reps.len; i++) {
        free(e->reps.items[i].ns);
        free(e->reps.items[i].pod);
        free(e->reps.items[i].text);
    }
    npc_vec_free(&e->reps);
    free(e->focus_conn);
}

/* ------------------------------------------------------------ writers */

static void write_txt(const npc_report *r, const npc_expo_report *e, npc_buf *out)
{
    npc_report_txt(r, out);
    if (r->rows.len || r->focus_conn)
        npc_buf_putc(out, '\n');
    npc_expo_write_txt_section(e, out);
}

/* "Exposure Analysis Result:", "... On UDP 52:" with a focus connection
 * (conns_formatter_txt.go, writeExposureOutput). */
static void exposure_header(const npc_expo_report *e, npc_buf *out, const char *prefix,
                            const char *suffix)
{
    npc_buf_printf(out, "%sExposure Analysis Result", prefix);
    if (e->focus_conn)
        npc_buf_printf(out, " On %s", e->focus_conn);
    npc_buf_printf(out, ":%s", suffix);
}

void npc_expo_write_txt_section(const npc_expo_report *e, npc_buf *out)
{
    exposure_header(e, out, "", "\n");
    size_t width = 0;
    for (int d = 0; d < 2; d++)
        for (size_t i = 0; i < e->lines[d].len; i++)
            if (strlen(e->lines[d].items[i].wl) > width)
                width = strlen(e->lines[d].items[i].wl);
    static const struct {
        npc_dir dir;
        const char *header, *arrow;
    } sections[] = {{NPC_DIR_EGRESS, "Egress Exposure:\n", "=>"},
                    {NPC_DIR_INGRESS, "Ingress Exposure:\n", "<="}};
    int first = 1;
    for (size_t k = 0; k < 2; k++) {
        const npc_expo_line *l = e->lines[sections[k].dir].items;
        size_t n = e->lines[sections[k].dir].len;
        if (!n)
            continue;
        if (!first)
            npc_buf_putc(out, '\n');
        first = 0;
        npc_buf_puts(out, sections[k].header);
        for (size_t i = 0; i < n; i++) {
            npc_buf_printf(out, "%-*s \t%s \t%s", (int)width, l[i].wl, sections[k].arrow,
                           l[i].peer);
            if (!e->focus_conn)
                npc_buf_printf(out, " : %s", l[i].conn);
            npc_buf_putc(out, '\n');
        }
    }
    /* a focused report leaves the unprotected workloads out */
    if (e->unprotected.len && !e->focus_conn) {
        npc_buf_puts(out, "\nWorkloads not protected by network policies:\n");
        for (size_t i = 0; i < e->unprotected.len; i++)
            npc_buf_printf(out, "%s\n", e->unprotected.items[i]);
    }
}

/* An empty list: "[]" for the connection list, null (Go's nil slice) for
 * an exposure list. */
static void json_rows(npc_buf *out, const char *indent, const char *const *src,
                      const char *const *dst, const char *const *conn, size_t n, int with_conn,
                      const char *empty)
{
    if (!n) {
        npc_buf_puts(out, empty);
        return;
    }
    npc_buf_puts(out, "[\n");
    for (size_t i = 0; i < n; i++) {
        npc_buf_printf(out, "%s  {\n%s    \"src\": ", indent, indent);
        npc_report_json_string(out, src[i]);
        npc_buf_printf(out, ",\n%s    \"dst\": ", indent);
        npc_report_json_string(out, dst[i]);
        if (with_conn) {
            npc_buf_printf(out, ",\n%s    \"conn\": ", indent);
            npc_report_json_string(out, conn[i]);
        }
        npc_buf_printf(out, "\n%s  }%s\n", indent, i + 1 < n ? "," : "");
    }
    npc_buf_printf(out, "%s]", indent);
}

static void json_lines(npc_buf *out, const npc_expo_report *e, npc_dir d)
{
    size_t n = e->lines[d].len;
    const char **s = npc_xcalloc(n + 1, sizeof *s), **t = npc_xcalloc(n + 1, sizeof *t),
               **k = npc_xcalloc(n + 1, sizeof *k);
    for (size_t i = 0; i < n; i++) {
        const npc_expo_line *l = &e->lines[d].items[i];
        s[i] = d == NPC_DIR_EGRESS ? l->wl : l->peer;
        t[i] = d == NPC_DIR_EGRESS ? l->peer : l->wl;
        k[i] = l->conn;
    }
    /* a focused list is copied without its connections into a made
     * (non-nil) slice: "[]" when empty (getListWithoutConnData) */
    json_rows(out, "    ", s, t, k, n, !e->focus_conn, e->focus_conn ? "[]" : "null");
    free(s);
    free(t);
    free(k);
}

static void write_json(const npc_report *r, const npc_expo_report *e, npc_buf *out)
{
    size_t n = r->rows.len;
    const char **s = npc_xcalloc(n + 1, sizeof *s), **t = npc_xcalloc(n + 1, sizeof *t),
               **k = npc_xcalloc(n + 1, sizeof *k);
    for (size_t i = 0; i < n; i++) {
        s[i] = r->peers.items[r->rows.items[i].src].id;
        t[i] = r->peers.items[r->rows.items[i].dst].id;
        k[i] = r->rows.items[i].conn;
    }
    /* a focused report has keys of its own (conns_formatter_json.go,
     * jsonFocusConnFields) */
    const char *focused = r->focus_conn ? "_conn_focus" : "";
    npc_buf_printf(out, "{\n  \"connlist%s_results\": ", focused);
    json_rows(out, "  ", s, t, k, n, !r->focus_conn, "[]");
    npc_buf_printf(out, ",\n  \"exposure%s_results\": {\n    \"egress_exposure\": ", focused);
    json_lines(out, e, NPC_DIR_EGRESS);
    npc_buf_puts(out, ",\n    \"ingress_exposure\": ");
    json_lines(out, e, NPC_DIR_INGRESS);
    npc_buf_puts(out, "\n  }\n}\n");
    free(s);
    free(t);
    free(k);
}

static void write_csv(const npc_report *r, const npc_expo_report *e, npc_buf *out)
{
    npc_report_csv(r, out);
    exposure_header(e, out, "", ",,\n");
    const char *cols = e->focus_conn ? "" : ",conn";
    for (int k = 0; k < 2; k++) {
        npc_dir d = k == 0 ? NPC_DIR_EGRESS : NPC_DIR_INGRESS;
        if (!e->lines[d].len)
            continue;
        npc_buf_printf(out,
                       d == NPC_DIR_EGRESS ? "Egress Exposure:,,\nsrc,dst%s\n"
                                           : "Ingress Exposure:,,\ndst,src%s\n",
                       cols);
        for (size_t i = 0; i < e->lines[d].len; i++) {
            const npc_expo_line *l = &e->lines[d].items[i];
            npc_report_csv_field(out, l->wl);
            npc_buf_putc(out, ',');
            npc_report_csv_field(out, l->peer);
            if (!e->focus_conn) {
                npc_buf_putc(out, ',');
                npc_report_csv_field(out, l->conn);
            }
            npc_buf_putc(out, '\n');
        }
    }
}

static void write_md(const npc_report *r, const npc_expo_report *e, npc_buf *out)
{
    npc_report_md(r, out);
    exposure_header(e, out, "## ", "\n");
    int first = 1;
    for (int k = 0; k < 2; k++) {
        npc_dir d = k == 0 ? NPC_DIR_EGRESS : NPC_DIR_INGRESS;
        if (!e->lines[d].len)
            continue;
        if (!first)
            npc_buf_putc(out, '\n');
        first = 0;
        npc_buf_printf(out, "### %s Exposure:\n| %s |%s\n|-----|-----|%s\n",
                       d == NPC_DIR_EGRESS ? "Egress" : "Ingress",
                       d == NPC_DIR_EGRESS ? "src | dst" : "dst | src",
                       e->focus_conn ? "" : " conn |", e->focus_conn ? "" : "------|");
        for (size_t i = 0; i < e->lines[d].len; i++) {
            const npc_expo_line *l = &e->lines[d].items[i];
            npc_buf_printf(out, "| %s | %s |", l->wl, l->peer);
            if (!e->focus_conn)
                npc_buf_printf(out, " %s |", l->conn);
            npc_buf_putc(out, '\n');
        }
    }
}

void npc_expo_write(npc_report_format f, const npc_report *r, const npc_expo_report *e,
                    npc_buf *out)
{
    switch (f) {
    case NPC_REPORT_TXT:
        write_txt(r, e, out);
        return;
    case NPC_REPORT_JSON:
        write_json(r, e, out);
        return;
    case NPC_REPORT_CSV:
        write_csv(r, e, out);
        return;
    case NPC_REPORT_MD:
        write_md(r, e, out);
        return;
    case NPC_REPORT_DOT:
        npc_expo_write_dot(r, e, out);
        return;
    case NPC_REPORT_FORMAT_COUNT:
        break;
    }
}
