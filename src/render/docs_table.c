/* The required-traffic table (`netpolc docs`): one row per component side
 * of a flow and port, in the shape of the Kyma Istio module's table, plus
 * whether the peer can be selected by label. Markdown or CSV. */
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "spec/compiled.h"
#include "util/buf.h"

typedef struct row {
    int comp; /* component index; ncomponents for "all components" */
    const char *component, *ns;
    int port_rank; /* 0 "*", 1 number, 2 name */
    uint16_t lo, hi;
    const char *port, *proto, *dir;
    const char **peers; /* descriptions, sorted */
    size_t npeers, pcap;
    int sel_yes, sel_no;
    const char *purpose;
    size_t seq;        /* creation order: joined purposes keep it */
    const char *place; /* component, namespace, port, protocol, direction */
    const char *pj;    /* the peers, joined */
} row;

typedef NPC_VEC(row) row_vec;

static void sel_text(const npc_ssel *sel, npc_buf *b)
{
    static const char *const ops[] = {"in", "notin", "exists", "not"};
    for (size_t i = 0; i < sel->nlabels; i++)
        npc_buf_printf(b, "%s%s: %s", i ? ", " : "", sel->labels[i].key, sel->labels[i].value);
    for (size_t i = 0; i < sel->nexprs; i++) {
        const npc_sexpr *e = &sel->exprs[i];
        const char *sep = (i || sel->nlabels) ? ", " : "";
        if (e->op == NPC_SOP_EXISTS)
            npc_buf_printf(b, "%shas label %s", sep, e->key);
        else if (e->op == NPC_SOP_NOTEXISTS)
            npc_buf_printf(b, "%sno label %s", sep, e->key);
        else {
            npc_buf_printf(b, "%s%s %s (", sep, e->key, ops[e->op]);
            for (size_t j = 0; j < e->nvalues; j++)
                npc_buf_printf(b, "%s%s", j ? ", " : "", e->values[j]);
            npc_buf_putc(b, ')');
        }
    }
}

static int only_exists(const npc_ssel *sel)
{
    if (sel->nlabels || !sel->nexprs)
        return 0;
    for (size_t i = 0; i < sel->nexprs; i++)
        if (sel->exprs[i].op != NPC_SOP_EXISTS)
            return 0;
    return 1;
}

static void pods_text(const npc_ssel *sel, npc_buf *b)
{
    if (!sel->nlabels && !sel->nexprs)
        npc_buf_puts(b, "all pods");
    else if (only_exists(sel))
        sel_text(sel, b);
    else {
        npc_buf_puts(b, "podSelector ");
        sel_text(sel, b);
    }
}

static void ns_names_text(const char *const *names, size_t n, npc_buf *b)
{
    npc_buf_printf(b, " (namespace%s ", n > 1 ? "s" : "");
    for (size_t i = 0; i < n; i++)
        npc_buf_printf(b, "%s%s", i ? ", " : "", names[i]);
    npc_buf_putc(b, ')');
}

/* Describes a peer seen from a component in namespace ns; *selectable says
 * whether a label selector can pick it. */
static void peer_text(const npc_spec *s, const npc_speer *p, const char *ns, const char *engine,
                      npc_buf *b, int *selectable)
{
    *selectable = 1;
    switch (p->kind) {
    case NPC_SP_ANY:
        npc_buf_puts(b, "*");
        *selectable = 0;
        return;
    case NPC_SP_ANY_IP:
        npc_buf_puts(b, "any IP (0.0.0.0/0, ::/0)");
        *selectable = 0;
        return;
    case NPC_SP_COMPONENT: {
        const npc_component *c = &s->components[p->index];
        npc_buf_printf(b, "%s (", c->name);
        pods_text(&c->labels, b);
        if (strcmp(c->ns, ns))
            npc_buf_printf(b, ", namespace %s", c->ns);
        npc_buf_putc(b, ')');
        return;
    }
    case NPC_SP_ALL_COMPONENTS:
        npc_buf_puts(b, "all components (");
        pods_text(&s->selector, b);
        npc_buf_putc(b, ')');
        return;
    case NPC_SP_PODS:
        pods_text(&p->pods, b);
        switch (p->ns_kind) {
        case NPC_SNS_SAME:
            break;
        case NPC_SNS_ANY:
            npc_buf_puts(b, " (any namespace)");
            break;
        case NPC_SNS_NAMES:
        case NPC_SNS_OPTION:
            ns_names_text(p->ns_names, p->nns, b);
            break;
        case NPC_SNS_SELECTOR:
            if (p->ns_sel.nlabels == 1 && !p->ns_sel.nexprs &&
                !strcmp(p->ns_sel.labels[0].key, "kubernetes.io/metadata.name")) {
                ns_names_text(&p->ns_sel.labels[0].value, 1, b);
                break;
            }
            if (p->ns_sel.nexprs == 1 && !p->ns_sel.nlabels &&
                p->ns_sel.exprs[0].op == NPC_SOP_IN &&
                !strcmp(p->ns_sel.exprs[0].key, "kubernetes.io/metadata.name")) {
                ns_names_text(p->ns_sel.exprs[0].values, p->ns_sel.exprs[0].nvalues, b);
                break;
            }
            npc_buf_puts(b, " (namespaces with ");
            sel_text(&p->ns_sel, b);
            npc_buf_putc(b, ')');
            break;
        }
        return;
    case NPC_SP_CIDR:
        npc_buf_printf(b, "ipBlock %s", p->cidr);
        for (size_t i = 0; i < p->nexcept; i++)
            npc_buf_printf(b, "%s%s", i ? ", " : " except ", p->except[i]);
        *selectable = 0;
        return;
    case NPC_SP_FQDN:
        /* nothing silent: no engine rendered here has FQDN rules */
        npc_buf_printf(b, "FQDN %s", p->fqdn);
        if (!p->nfallback)
            npc_buf_printf(b, " (no fallback: %s cannot render it)", engine);
        else
            npc_buf_puts(b, ", rendered as ");
        for (size_t i = 0; i < p->nfallback; i++) {
            const npc_speer *f = &p->fallback[i];
            int sel;
            npc_buf_puts(b, i == 0 ? "" : i + 1 == p->nfallback ? " or " : ", ");
            if (f->kind == NPC_SP_ANY_IP)
                npc_buf_puts(b, "any IP");
            else
                peer_text(s, f, ns, engine, b, &sel);
        }
        if (p->nfallback)
            npc_buf_printf(b, " on %s", engine);
        *selectable = 0;
        return;
    case NPC_SP_ENTITY:
    case NPC_SP_OPTION:
        break;
    }
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_peers(npc_arena *a, row *r, const char *const *descs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int dup = 0;
        for (size_t j = 0; j < r->npeers; j++)
            dup |= !strcmp(r->peers[j], descs[i]);
        if (!dup)
            NPC_APUSH(a, r->peers, r->npeers, r->pcap, descs[i]);
    }
    if (r->npeers > 1)
        qsort(r->peers, r->npeers, sizeof *r->peers, cmp_cstr);
}

static const char *proto_text(npc_arena *a, unsigned mask, const char *app)
{
    /* UDP before TCP, as the Istio module's table writes "UDP/TCP" */
    static const int order[] = {NPC_PROTO_UDP, NPC_PROTO_TCP, NPC_PROTO_SCTP};
    npc_buf b = NPC_BUF_INIT;
    if (mask == 0)
        npc_buf_puts(&b, "*");
    for (int i = 0; i < 3; i++)
        if (mask & (1u << order[i]))
            npc_buf_printf(&b, "%s%s", b.len ? "/" : "", npc_proto_name((npc_proto)order[i]));
    if (app)
        npc_buf_printf(&b, "/%s", app);
    const char *r = npc_arena_strdup(a, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return r;
}

/* The same port but for the protocol. */
static int same_port(const npc_cport *a, const npc_cport *b)
{
    return a->lo == b->lo && a->hi == b->hi &&
           !strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* The port column of r and its sort rank: "*", then numbers, then names. */
static void set_port(npc_arena *a, row *r, const npc_cport *p)
{
    npc_buf b = NPC_BUF_INIT;
    if (p->name) {
        r->port_rank = 2;
        npc_buf_puts(&b, p->name);
    } else if (p->lo == 0) {
        r->port_rank = 0;
        npc_buf_puts(&b, "*");
    } else {
        r->port_rank = 1;
        npc_buf_printf(&b, "%u", p->lo);
        if (p->hi != p->lo)
            npc_buf_printf(&b, "-%u", p->hi);
    }
    r->lo = p->lo;
    r->hi = p->hi;
    r->port = npc_arena_strdup(a, npc_buf_cstr(&b));
    npc_buf_free(&b);
}

static void side_rows(npc_arena *a, const npc_spec *s, const char *engine, const npc_unit *u,
                      const npc_speer *self,
                      const npc_speer *others, size_t nothers, const char *dir, const char *purpose,
                      row_vec *rows)
{
    row base;
    memset(&base, 0, sizeof base);
    if (self->kind == NPC_SP_COMPONENT) {
        base.comp = self->index;
        base.component = s->components[self->index].name;
        base.ns = s->components[self->index].ns;
    } else {
        /* the namespace of the all-components policy that carries the side */
        base.comp = -1;
        base.component = "all components";
        base.ns = s->ns ? s->ns : "";
        for (size_t i = 0; i < u->flow->npolicies; i++)
            if (s->policies[u->flow->policies[i]].subject == NPC_SUBJ_ALL)
                base.ns = s->policies[u->flow->policies[i]].ns;
    }
    base.dir = dir;
    base.purpose = purpose ? purpose : "";
    const char **descs = npc_arena_alloc(a, (nothers + 1) * sizeof *descs);
    for (size_t i = 0; i < nothers; i++) {
        npc_buf b = NPC_BUF_INIT;
        int sel;
        peer_text(s, &others[i], base.ns, engine, &b, &sel);
        descs[i] = npc_arena_strdup(a, npc_buf_cstr(&b));
        npc_buf_free(&b);
        if (sel)
            base.sel_yes = 1;
        else
            base.sel_no = 1;
    }
    if (u->all_ports) {
        row r = base;
        r.port = "*";
        r.proto = "*";
        add_peers(a, &r, descs, nothers);
        npc_vec_push(rows, r);
        return;
    }
    /* one row per port (number, range or name), protocols joined */
    for (size_t i = 0; i < u->nports; i++) {
        const npc_cport *p = &u->ports[i];
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = !same_port(&u->ports[j], p);
        if (!first)
            continue;
        unsigned mask = 0;
        const char *app = NULL;
        for (size_t j = i; j < u->nports; j++)
            if (same_port(&u->ports[j], p)) {
                mask |= 1u << u->ports[j].proto;
                if (u->ports[j].app)
                    app = u->ports[j].app;
            }
        row r = base;
        set_port(a, &r, p);
        r.proto = proto_text(a, mask, app);
        add_peers(a, &r, descs, nothers);
        npc_vec_push(rows, r);
    }
}

static const char *peers_join(npc_arena *a, const row *r)
{
    npc_buf b = NPC_BUF_INIT;
    for (size_t i = 0; i < r->npeers; i++)
        npc_buf_printf(&b, "%s\n", r->peers[i]);
    const char *k = npc_arena_strdup(a, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return k;
}

static int by_seq(const row *x, const row *y)
{
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_place_purpose(const void *p, const void *q)
{
    const row *x = p, *y = q;
    int c = strcmp(x->place, y->place);
    if (!c)
        c = strcmp(x->purpose, y->purpose);
    return c ? c : by_seq(x, y);
}

static int by_place_peers(const void *p, const void *q)
{
    const row *x = p, *y = q;
    int c = strcmp(x->place, y->place);
    if (!c)
        c = strcmp(x->pj, y->pj);
    return c ? c : by_seq(x, y);
}

static int row_cmp(const void *p, const void *q)
{
    const row *x = p, *y = q;
    if (x->comp != y->comp)
        return x->comp < y->comp ? -1 : 1;
    int c = strcmp(x->ns, y->ns);
    if (c)
        return c;
    if (x->port_rank != y->port_rank)
        return x->port_rank - y->port_rank;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    if ((c = strcmp(x->port, y->port)))
        return c;
    if ((c = strcmp(x->dir, y->dir)))
        return c;
    if ((c = strcmp(x->proto, y->proto)))
        return c;
    if (x->npeers && y->npeers && (c = strcmp(x->peers[0], y->peers[0])))
        return c;
    if ((c = strcmp(x->purpose, y->purpose)))
        return c;
    /* total, so that qsort's order of equal rows never shows */
    if ((c = strcmp(x->pj, y->pj)))
        return c;
    return by_seq(x, y);
}

static void md_cell(const char *t, npc_buf *out)
{
    npc_buf_puts(out, " ");
    npc_buf_md_cell(out, t);
    npc_buf_puts(out, " |");
}

static void csv_cell(const char *t, int last, npc_buf *out)
{
    if (strpbrk(t, ",\"\n\r")) {
        npc_buf_putc(out, '"');
        for (const char *p = t; *p; p++) {
            if (*p == '"')
                npc_buf_putc(out, '"');
            npc_buf_putc(out, *p);
        }
        npc_buf_putc(out, '"');
    } else {
        npc_buf_puts(out, t);
    }
    npc_buf_puts(out, last ? "\n" : ",");
}

/* One row per component side of each unit and port. */
static void collect_rows(npc_arena *a, const npc_spec *spec, const char *engine,
                         const npc_compiled *c, row_vec *rows)
{
    for (size_t i = 0; i < c->nunits; i++) {
        const npc_unit *u = &c->units[i];
        for (size_t j = 0; j < u->nfrom; j++)
            if (u->from[j].kind == NPC_SP_COMPONENT || u->from[j].kind == NPC_SP_ALL_COMPONENTS)
                side_rows(a, spec, engine, u, &u->from[j], u->to, u->nto, "Egress", u->flow->purpose_from,
                          rows);
        for (size_t j = 0; j < u->nto; j++)
            if (u->to[j].kind == NPC_SP_COMPONENT || u->to[j].kind == NPC_SP_ALL_COMPONENTS)
                side_rows(a, spec, engine, u, &u->to[j], u->from, u->nfrom, "Ingress", u->flow->purpose_to,
                          rows);
    }
    for (size_t i = 0; i < rows->len; i++) {
        row *r = &rows->items[i];
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%d|%s|%s|%s|%s", r->comp, r->ns, r->port, r->proto, r->dir);
        r->place = npc_arena_strdup(a, npc_buf_cstr(&b));
        npc_buf_free(&b);
        r->seq = i;
    }
}

/* Same place and purpose: one row with every peer ("any of"). Sorting
 * makes the rows to merge adjacent. */
static void merge_same_purpose(npc_arena *a, row_vec *rows)
{
    if (rows->len > 1)
        qsort(rows->items, rows->len, sizeof *rows->items, by_place_purpose);
    size_t w = 0;
    for (size_t i = 0; i < rows->len; i++) {
        row *y = &rows->items[i];
        if (w) {
            row *x = &rows->items[w - 1];
            if (!strcmp(x->place, y->place) && !strcmp(x->purpose, y->purpose)) {
                add_peers(a, x, y->peers, y->npeers);
                x->sel_yes |= y->sel_yes;
                x->sel_no |= y->sel_no;
                continue;
            }
        }
        rows->items[w++] = *y;
    }
    rows->len = w;
}

/* Same place and peers: one row with the purposes joined. */
static void merge_same_peers(npc_arena *a, row_vec *rows)
{
    for (size_t i = 0; i < rows->len; i++)
        rows->items[i].pj = peers_join(a, &rows->items[i]);
    if (rows->len > 1)
        qsort(rows->items, rows->len, sizeof *rows->items, by_place_peers);
    size_t w = 0;
    for (size_t i = 0; i < rows->len; i++) {
        row *y = &rows->items[i];
        if (w) {
            row *x = &rows->items[w - 1];
            if (!strcmp(x->place, y->place) && !strcmp(x->pj, y->pj)) {
                if (strcmp(x->purpose, y->purpose) && *y->purpose) {
                    npc_buf b = NPC_BUF_INIT;
                    npc_buf_printf(&b, "%s%s%s", x->purpose, *x->purpose ? " / " : "", y->purpose);
                    x->purpose = npc_arena_strdup(a, npc_buf_cstr(&b));
                    npc_buf_free(&b);
                }
                continue;
            }
        }
        rows->items[w++] = *y;
    }
    rows->len = w;
}

static void write_row(const char *const cells[8], npc_docs_format format, npc_buf *out)
{
    if (format == NPC_DOCS_MD) {
        npc_buf_puts(out, "|");
        for (int k = 0; k < 8; k++)
            md_cell(cells[k], out);
        npc_buf_putc(out, '\n');
    } else {
        for (int k = 0; k < 8; k++)
            csv_cell(cells[k], k == 7, out);
    }
}

static void write_table(const row_vec *rows, npc_docs_format format, npc_buf *out)
{
    static const char *const head[] = {"Component", "Namespace",          "Port",
                                       "Protocol",  "Direction",          "Source/Destination",
                                       "Purpose",   "Selectable by label"};
    write_row(head, format, out);
    if (format == NPC_DOCS_MD) {
        npc_buf_puts(out, "|");
        for (int i = 0; i < 8; i++)
            npc_buf_puts(out, "---|");
        npc_buf_putc(out, '\n');
    }
    for (size_t i = 0; i < rows->len; i++) {
        const row *r = &rows->items[i];
        npc_buf peers = NPC_BUF_INIT;
        int ingress = !strcmp(r->dir, "Ingress");
        if (r->npeers == 1)
            npc_buf_printf(&peers, "%s: %s", ingress ? "source" : "destination", r->peers[0]);
        else {
            npc_buf_printf(&peers, "%s (any of):", ingress ? "source" : "destination");
            for (size_t j = 0; j < r->npeers; j++)
                npc_buf_printf(&peers, " - %s", r->peers[j]);
        }
        const char *sel = r->sel_yes && r->sel_no ? "Partly" : r->sel_yes ? "Yes" : "No";
        const char *cells[] = {r->component,         r->ns,      r->port, r->proto, r->dir,
                               npc_buf_cstr(&peers), r->purpose, sel};
        write_row(cells, format, out);
        npc_buf_free(&peers);
    }
}

npc_status npc_docs(npc_spec *spec, npc_docs_format format, npc_buf *out)
{
    /* the table lists every flow whatever spec.when says: "nothing
     * rendered" (NPC120) is for render and chart, not for it */
    npc_spec_warn_once(spec, NPC120, spec->when_loc);
    npc_compiled *c = npc_compile(spec, NULL);
    if (!c)
        return NPC_ERR_INPUT;
    npc_compiled_warn_unisolated(c);
    row_vec rows = {0};
    collect_rows(c->arena, spec, npc_spec_engine(spec), c, &rows);
    merge_same_purpose(c->arena, &rows);
    merge_same_peers(c->arena, &rows);
    if (rows.len > 1)
        qsort(rows.items, rows.len, sizeof *rows.items, row_cmp);
    /* written whole or not at all */
    npc_buf tmp = NPC_BUF_INIT;
    write_table(&rows, format, &tmp);
    npc_buf_append(out, tmp.data, tmp.len);
    npc_buf_free(&tmp);
    npc_vec_free(&rows);
    npc_compiled_free(c);
    return NPC_OK;
}
