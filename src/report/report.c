/* Connection-list reports: peer naming, focus filtering and sorting shared
 * by every output format, and the table of writers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/ctx.h"
#include "util/diag.h"
#include "util/suggest.h"

static const struct {
    const char *name;
    npc_report_writer write;
} writers[NPC_REPORT_FORMAT_COUNT] = {
    [NPC_REPORT_TXT] = {"txt", npc_report_txt}, [NPC_REPORT_JSON] = {"json", npc_report_json},
    [NPC_REPORT_CSV] = {"csv", npc_report_csv}, [NPC_REPORT_MD] = {"md", npc_report_md},
    [NPC_REPORT_DOT] = {"dot", npc_report_dot},
};

int npc_report_format_parse(const char *s, npc_report_format *out)
{
    for (int i = 0; i < NPC_REPORT_FORMAT_COUNT; i++)
        if (strcmp(s, writers[i].name) == 0) {
            *out = (npc_report_format)i;
            return 1;
        }
    return 0;
}

const char *npc_report_format_name(npc_report_format f)
{
    return (unsigned)f < NPC_REPORT_FORMAT_COUNT ? writers[f].name : "?";
}

npc_report_writer npc_report_writer_of(npc_report_format f)
{
    return (unsigned)f < NPC_REPORT_FORMAT_COUNT ? writers[f].write : NULL;
}

int npc_report_parse_focus_conn(const char *s, npc_proto *proto, uint16_t *port)
{
    const char *dash = strchr(s, '-');
    if (!dash || dash == s || dash - s > 8)
        return 0;
    char up[9];
    size_t n = (size_t)(dash - s);
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    up[n] = 0;
    npc_proto p;
    if (!npc_proto_parse(up, &p))
        return 0;
    char *end;
    const char *num = dash + 1;
    if (!isdigit((unsigned char)*num))
        return 0;
    unsigned long v = strtoul(num, &end, 10);
    if (*end || v < 1 || v > 65535)
        return 0;
    *proto = p;
    *port = (uint16_t)v;
    return 1;
}

/* ------------------------------------------------------------- naming */

static char *workload_id(const npc_cluster *c, const npc_workload *w, char **label)
{
    const npc_interner *s = c->ctx->strings;
    npc_buf b = NPC_BUF_INIT, l = NPC_BUF_INIT;
    npc_buf_printf(&l, "%s[%s]", npc_sym_str(s, w->name), npc_sym_str(s, w->kind));
    npc_buf_printf(&b, "%s/%s", npc_sym_str(s, c->namespaces.items[w->ns].name), l.data);
    *label = npc_buf_take(&l);
    return npc_buf_take(&b);
}

static char *range_id(npc_iprange r)
{
    char a[64], z[64];
    npc_buf b = NPC_BUF_INIT;
    npc_ip_format(r.first, a);
    npc_ip_format(r.last, z);
    npc_buf_printf(&b, "%s-%s[External]", a, z);
    return npc_buf_take(&b);
}

/* ------------------------------------------------------------- focus */

typedef NPC_VEC(char *) str_vec;

static void split_list(const char *s, str_vec *out)
{
    while (s && *s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        /* tolerate spaces around names ("a, b") */
        while (n && isspace((unsigned char)*s))
            s++, n--;
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (n)
            npc_vec_push(out, npc_xstrndup(s, n));
        s = comma ? comma + 1 : NULL;
    }
}

static void free_list(str_vec *v)
{
    for (size_t i = 0; i < v->len; i++)
        free(v->items[i]);
    npc_vec_free(v);
}

/* A workload matches a name as netpol-analyzer's focus options do: its
 * name alone, or "namespace/name". */
static int workload_matches(const npc_cluster *c, const npc_workload *w, const str_vec *names)
{
    const npc_interner *s = c->ctx->strings;
    const char *name = npc_sym_str(s, w->name);
    const char *ns = npc_sym_str(s, c->namespaces.items[w->ns].name);
    size_t nslen = strlen(ns);
    for (size_t i = 0; i < names->len; i++) {
        const char *f = names->items[i];
        if (strcmp(f, name) == 0)
            return 1;
        if (strncmp(f, ns, nslen) == 0 && f[nslen] == '/' && strcmp(f + nslen + 1, name) == 0)
            return 1;
    }
    return 0;
}

static int endpoint_matches(const npc_cluster *c, const npc_endpoint *e, const str_vec *names)
{
    return e->kind == NPC_EP_WORKLOAD &&
           workload_matches(c, &c->workloads.items[e->workload], names);
}

static int keep_pair(const npc_cluster *c, const npc_conn *k, const npc_report_opts *o,
                     const str_vec *focus, const str_vec *peers)
{
    if (!focus->len)
        return 1;
    int egress = o->focus_dir != NPC_FOCUS_INGRESS && endpoint_matches(c, &k->src, focus) &&
                 (!peers->len || endpoint_matches(c, &k->dst, peers));
    int ingress = o->focus_dir != NPC_FOCUS_EGRESS && endpoint_matches(c, &k->dst, focus) &&
                  (!peers->len || endpoint_matches(c, &k->src, peers));
    return egress || ingress;
}

/* The focus filter as a predicate, for reports that enumerate pairs
 * themselves (explain_np.c). */
struct npc_report_focus {
    const npc_cluster *c;
    npc_report_opts o;
    str_vec focus, peers;
};

static int warn_unknown_focus(npc_cluster *c, const str_vec *focus);

npc_report_focus *npc_report_focus_new(npc_cluster *c, const npc_report_opts *o, int *empty)
{
    npc_report_focus *f = npc_xcalloc(1, sizeof *f);
    f->c = c;
    if (o)
        f->o = *o;
    split_list(f->o.focus_workloads, &f->focus);
    if (f->focus.len)
        split_list(f->o.focus_peers, &f->peers);
    *empty = f->focus.len && !warn_unknown_focus(c, &f->focus);
    return f;
}

int npc_report_focus_keeps(const npc_report_focus *f, const npc_conn *k)
{
    return keep_pair(f->c, k, &f->o, &f->focus, &f->peers);
}

void npc_report_focus_free(npc_report_focus *f)
{
    if (!f)
        return;
    free_list(&f->focus);
    free_list(&f->peers);
    free(f);
}

char *npc_report_endpoint_id(const npc_cluster *c, const npc_endpoint *e)
{
    char *label = NULL, *id;
    switch (e->kind) {
    case NPC_EP_WORKLOAD:
        id = workload_id(c, &c->workloads.items[e->workload], &label);
        free(label);
        return id;
    case NPC_EP_EXTERNAL:
        return range_id(e->range);
    }
    return npc_xstrdup("?");
}

/* ------------------------------------------------------------- build */

typedef struct peer_map {
    uint32_t *wl; /* workload index -> peer index + 1 */
    /* external range -> peer index + 1: open addressing over (first, last),
     * since a large cluster's list has a row per workload and range */
    uint32_t *rtab;
    size_t rcap, rlen;
    /* connection set -> index into npc_report.conns + 1, by the arrays of
     * the connection list's pooled sets (npc_connlist), which rows with
     * equal sets share */
    struct conn_slot {
        const npc_portset *set;
        uint32_t text;
    } * ctab;
    size_t ccap, clen;
} peer_map;

static size_t range_slot(const npc_report *r, const peer_map *m, npc_iprange key)
{
    size_t mask = m->rcap - 1;
    size_t i = (size_t)npc_hash_bytes(&key, sizeof key) & mask;
    while (m->rtab[i]) {
        const npc_report_peer *p = &r->peers.items[m->rtab[i] - 1];
        if (npc_ip_cmp(p->range.first, key.first) == 0 && npc_ip_cmp(p->range.last, key.last) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static void range_grow(const npc_report *r, peer_map *m)
{
    size_t old = m->rcap;
    uint32_t *tab = m->rtab;
    m->rcap = old ? old * 2 : 64;
    m->rtab = npc_xcalloc(m->rcap, sizeof *m->rtab);
    for (size_t i = 0; i < old; i++)
        if (tab[i])
            m->rtab[range_slot(r, m, r->peers.items[tab[i] - 1].range)] = tab[i];
    free(tab);
}

static uint32_t peer_of(npc_cluster *c, npc_report *r, peer_map *m, const npc_endpoint *e)
{
    npc_report_peer p;
    memset(&p, 0, sizeof p);
    switch (e->kind) {
    case NPC_EP_WORKLOAD:
        if (m->wl[e->workload])
            return m->wl[e->workload] - 1;
        p.id = workload_id(c, &c->workloads.items[e->workload], &p.label);
        p.ns = npc_sym_str(c->ctx->strings,
                           c->namespaces.items[c->workloads.items[e->workload].ns].name);
        npc_vec_push(&r->peers, p);
        m->wl[e->workload] = (uint32_t)r->peers.len;
        return (uint32_t)r->peers.len - 1;
    case NPC_EP_EXTERNAL: {
        if (2 * (m->rlen + 1) > m->rcap)
            range_grow(r, m);
        size_t slot = range_slot(r, m, e->range);
        if (m->rtab[slot])
            return m->rtab[slot] - 1;
        p.id = range_id(e->range);
        p.label = npc_xstrdup(p.id);
        p.range = e->range;
        npc_vec_push(&r->peers, p);
        m->rtab[slot] = (uint32_t)r->peers.len;
        m->rlen++;
        return (uint32_t)r->peers.len - 1;
    }
    }
    return 0;
}

static int same_arrays(const npc_portset *a, const npc_portset *b)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        if (a->r[p] != b->r[p] || a->n[p] != b->n[p])
            return 0;
    return 1;
}

static size_t conn_slot_of(const peer_map *m, const npc_portset *s)
{
    size_t mask = m->ccap - 1;
    size_t i = (size_t)npc_hash_bytes(s->r, sizeof s->r) & mask;
    while (m->ctab[i].set && !same_arrays(m->ctab[i].set, s))
        i = (i + 1) & mask;
    return i;
}

/* The text of a connection set: formatted once per pooled set. */
static const char *conn_text(npc_report *r, peer_map *m, const npc_portset *s)
{
    int pooled = 1;
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        pooled &= s->cap[p] == 0;
    size_t slot = 0;
    if (pooled) {
        if (2 * (m->clen + 1) > m->ccap) {
            struct conn_slot *old = m->ctab;
            size_t n = m->ccap;
            m->ccap = n ? n * 2 : 64;
            m->ctab = npc_xcalloc(m->ccap, sizeof *m->ctab);
            for (size_t i = 0; i < n; i++)
                if (old[i].set)
                    m->ctab[conn_slot_of(m, old[i].set)] = old[i];
            free(old);
        }
        slot = conn_slot_of(m, s);
        if (m->ctab[slot].set)
            return r->conns.items[m->ctab[slot].text];
    }
    npc_buf b = NPC_BUF_INIT;
    npc_portset_format(s, &b);
    npc_vec_push(&r->conns, npc_buf_take(&b));
    if (pooled) {
        m->ctab[slot].set = s;
        m->ctab[slot].text = (uint32_t)r->conns.len - 1;
        m->clen++;
    }
    return r->conns.items[r->conns.len - 1];
}

typedef struct sort_key {
    uint32_t rs, rd;
    size_t row;
} sort_key;

static int cmp_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->rs != y->rs)
        return x->rs < y->rs ? -1 : 1;
    if (x->rd != y->rd)
        return x->rd < y->rd ? -1 : 1;
    return 0;
}

static int cmp_peer_ptr(const void *a, const void *b)
{
    const npc_report_peer *x = *(const npc_report_peer *const *)a;
    const npc_report_peer *y = *(const npc_report_peer *const *)b;
    return strcmp(x->id, y->id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void npc_report_sort_strings(char **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_str);
}

/* Sorts rows by (source id, destination id): peers are ranked once, then
 * rows are sorted by rank pairs. */
static void sort_rows(npc_report *r)
{
    size_t np = r->peers.len, nr = r->rows.len;
    if (nr < 2)
        return;
    npc_report_peer **order = npc_xmalloc((np ? np : 1) * sizeof *order);
    uint32_t *rank = npc_xmalloc((np ? np : 1) * sizeof *rank);
    for (size_t i = 0; i < np; i++)
        order[i] = &r->peers.items[i];
    qsort(order, np, sizeof *order, cmp_peer_ptr);
    for (size_t i = 0; i < np; i++)
        rank[order[i] - r->peers.items] = (uint32_t)i;
    sort_key *keys = npc_xmalloc(nr * sizeof *keys);
    for (size_t i = 0; i < nr; i++) {
        keys[i].rs = rank[r->rows.items[i].src];
        keys[i].rd = rank[r->rows.items[i].dst];
        keys[i].row = i;
    }
    qsort(keys, nr, sizeof *keys, cmp_key);
    npc_report_row *rows = npc_xmalloc(nr * sizeof *rows);
    for (size_t i = 0; i < nr; i++)
        rows[i] = r->rows.items[keys[i].row];
    memcpy(r->rows.items, rows, nr * sizeof *rows);
    free(rows);
    free(keys);
    free(rank);
    free(order);
}

/* netpol-analyzer warns about a focus name that matches nothing; returns
 * whether some name matches. */
static int warn_unknown_focus(npc_cluster *c, const str_vec *focus)
{
    int any = 0;
    for (size_t i = 0; i < focus->len; i++) {
        str_vec one = {&focus->items[i], 1, 1};
        int found = 0;
        for (size_t w = 0; w < c->workloads.len && !found; w++)
            found = workload_matches(c, &c->workloads.items[w], &one);
        if (!found) {
            /* did you mean: the nearest name, or ns/name when one was given */
            const char *want = focus->items[i];
            int qualified = strchr(want, '/') != NULL;
            npc_buf names = NPC_BUF_INIT, hint = NPC_BUF_INIT;
            size_t *at = npc_xmalloc((c->workloads.len + 1) * sizeof *at);
            for (size_t w = 0; w < c->workloads.len; w++) {
                const npc_workload *wl = &c->workloads.items[w];
                at[w] = names.len;
                if (qualified)
                    npc_buf_printf(&names, "%s/",
                                   npc_sym_str(c->ctx->strings, c->namespaces.items[wl->ns].name));
                npc_buf_puts(&names, npc_sym_str(c->ctx->strings, wl->name));
                npc_buf_putc(&names, '\0');
            }
            npc_suggest sg;
            npc_suggest_init(&sg, want);
            for (size_t w = 0; w < c->workloads.len; w++)
                npc_suggest_add(&sg, names.data + at[w]);
            if (npc_suggest_best(&sg))
                npc_buf_printf(&hint, " (did you mean '%s'?)", npc_suggest_best(&sg));
            npc_loc none_loc = {NULL, 0, 0};
            npc_warning(c->ctx, NPC220, none_loc,
                        "workload %s does not exist in the input resources%s; "
                        "the connectivity report will be empty",
                        want, npc_buf_cstr(&hint));
            npc_buf_free(&hint);
            npc_buf_free(&names);
            free(at);
        }
        any |= found;
    }
    return any;
}

void npc_report_build(npc_cluster *c, const npc_connlist *l, const npc_report_opts *o,
                      npc_report *r)
{
    static const npc_report_opts none;
    str_vec focus = {0}, peers = {0};
    peer_map m;
    memset(r, 0, sizeof *r);
    memset(&m, 0, sizeof m);
    if (!o)
        o = &none;
    split_list(o->focus_workloads, &focus);
    if (focus.len)
        split_list(o->focus_peers, &peers);
    m.wl = npc_xcalloc(c->workloads.len + 1, sizeof *m.wl);

    if (focus.len && !warn_unknown_focus(c, &focus))
        goto done;
    if (o->has_focus_conn) {
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%s %u", npc_proto_name(o->conn_proto), (unsigned)o->conn_port);
        r->focus_conn = npc_buf_take(&b);
    }
    for (size_t i = 0; i < l->items.len; i++) {
        const npc_conn *k = &l->items.items[i];
        if (k->src.kind == NPC_EP_EXTERNAL && k->dst.kind == NPC_EP_EXTERNAL)
            continue;
        if (k->src.kind == NPC_EP_WORKLOAD && k->dst.kind == NPC_EP_WORKLOAD &&
            k->src.workload == k->dst.workload)
            continue;
        if (npc_portset_is_empty(&k->conns))
            continue;
        if (o->has_focus_conn && !npc_portset_contains(&k->conns, o->conn_proto, o->conn_port))
            continue;
        if (!keep_pair(c, k, o, &focus, &peers))
            continue;
        npc_report_row row;
        row.src = peer_of(c, r, &m, &k->src);
        row.dst = peer_of(c, r, &m, &k->dst);
        row.conn = conn_text(r, &m, &k->conns);
        npc_vec_push(&r->rows, row);
    }
    /* dot draws every workload (or the focus workloads) even without edges */
    for (size_t w = 0; w < c->workloads.len; w++) {
        if (focus.len && !workload_matches(c, &c->workloads.items[w], &focus))
            continue;
        npc_endpoint e;
        memset(&e, 0, sizeof e);
        e.kind = NPC_EP_WORKLOAD;
        e.workload = (uint32_t)w;
        npc_vec_push(&r->nodes, peer_of(c, r, &m, &e));
    }
    sort_rows(r);
done:
    free(m.wl);
    free(m.rtab);
    free(m.ctab);
    free_list(&focus);
    free_list(&peers);
}

void npc_report_free(npc_report *r)
{
    for (size_t i = 0; i < r->peers.len; i++) {
        free(r->peers.items[i].id);
        free(r->peers.items[i].label);
    }
    for (size_t i = 0; i < r->conns.len; i++)
        free(r->conns.items[i]);
    npc_vec_free(&r->conns);
    npc_vec_free(&r->peers);
    npc_vec_free(&r->rows);
    npc_vec_free(&r->nodes);
    free(r->focus_conn);
    r->focus_conn = NULL;
}

/* ------------------------------------------------------------ quoting */

/* JSON as Go's encoding/json writes it: HTML-sensitive characters and the
 * JavaScript line separators escaped too. */
void npc_report_json_string(npc_buf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    npc_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned ch = *p;
        switch (ch) {
        case '"':
            npc_buf_puts(out, "\\\"");
            continue;
        case '\\':
            npc_buf_puts(out, "\\\\");
            continue;
        case '\n':
            npc_buf_puts(out, "\\n");
            continue;
        case '\r':
            npc_buf_puts(out, "\\r");
            continue;
        case '\t':
            npc_buf_puts(out, "\\t");
            continue;
        default:
            break;
        }
        if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
            char e[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
            npc_buf_puts(out, e);
        } else if (ch == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            npc_buf_puts(out, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
            p += 2;
        } else {
            npc_buf_putc(out, (char)ch);
        }
    }
    npc_buf_putc(out, '"');
}

/* Go's %q for the printable ASCII names peers have; other bytes escaped. */
void npc_report_go_quote(npc_buf *out, const char *s)
{
    npc_buf_put_quoted(out, s, 1);
}
