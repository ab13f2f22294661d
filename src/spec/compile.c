/* The compiler: a loaded spec with its options -> npc_compiled.
 *
 * Passes, each with the invariant it leaves:
 *   1. expand  - every flow whose condition holds becomes units whose peers
 *                are plain (entities split into their parts, or kept whole
 *                where the engine names them natively: spec/entities.c;
 *                option peers
 *                parsed) and whose ports are numbers, ranges or names.
 *   2. assign  - every component side of a unit adds one rule to the policy
 *                that carries it (the flow's `policy`, else the component's
 *                own; a policy whose `when` is false hands over to its
 *                `otherwise`); passthrough rules join their policy.
 *   3. canon   - in each policy and direction, rules with equal peers merge
 *                their ports (rules with equal ports stay apart, as declared);
 *                peers, ports and rules are sorted and unique.
 *   4. name    - the naming pattern gives each policy its name; names are
 *                valid DNS-1123 subdomains and unique per namespace; the
 *                policies are sorted by namespace, then name.
 *   5. emit    - each policy becomes an IR policy (model/ir.h) in the
 *                namespace layer, with its render annex (name, passthrough,
 *                provenance of every rule).
 * Passes 2-4 work on builders private to this file (bpolicy, brule,
 * bpeer: the IR peer with its sort key); nothing outside sees them. */
#include <stdlib.h>
#include <string.h>

#include "spec/compiled.h"
#include "util/buf.h"
#include "util/ctx.h"

/* An IR peer and its canonical text: equal keys, equal peers. */
typedef struct bpeer {
    npc_peer p;
    const char *key;
} bpeer;

typedef struct brule {
    int any_peer; /* no peer restriction */
    bpeer *peers;
    size_t npeers, pcap;
    int all_ports;
    npc_cport *ports;
    size_t nports, portcap;
    const npc_flow **flows; /* provenance */
    size_t nflows, fcap;
    const char *key;
    size_t seq; /* creation order: ties in sorting keep it */
} brule;

typedef struct bpolicy {
    const char *name; /* rendered name once pass 4 ran */
    const char *ns;
    npc_ssel subject; /* empty: every pod of the namespace */
    brule *rules[2];  /* indexed by npc_dir */
    size_t nrules[2], rcap[2];
    int isolate[2];
    npc_craw *raw[2];
    size_t nraw[2], rawcap[2];
    int default_deny;
    npc_loc loc;
} bpolicy;

typedef struct cstate {
    npc_spec *s;
    npc_compiled *out;
    const char *engine; /* NULL: engine-neutral (every entity as its parts) */
    npc_arena *a;
    bpolicy **slot; /* spec policy index -> policy (made on first use) */
    bpolicy *pols;  /* passes 3-4: every policy */
    size_t npols, polcap;
    size_t npols_emitted, annex_cap; /* pass 5: out->annex */
    int failed;
    int names_failed;   /* an object name is invalid (NPC302): emitting goes on */
    size_t name_errors; /* the errors reported for names */
} cstate;

/* ---------------------------------------------------------------- ports */

int npc_cport_cmp(const npc_cport *a, const npc_cport *b)
{
    int an = a->name != NULL, bn = b->name != NULL;
    if (an != bn)
        return an - bn;
    if (an) {
        int c = strcmp(a->name, b->name);
        if (c)
            return c;
    }
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    return a->proto - b->proto;
}

/* By file name, line and column: a tie-break that never depends on where
 * things are in memory. */
static int loc_cmp(npc_loc a, npc_loc b)
{
    int c = strcmp(a.file ? a.file : "", b.file ? b.file : "");
    if (c)
        return c;
    if (a.line != b.line)
        return a.line < b.line ? -1 : 1;
    return (a.col > b.col) - (a.col < b.col);
}

/* Also orders by application protocol and position, so sorting is total
 * and the port kept of equal ones (its position shows in diagnostics) is
 * always the same. */
static int cport_qcmp(const void *x, const void *y)
{
    const npc_cport *a = x, *b = y;
    int c = npc_cport_cmp(a, b);
    if (!c)
        c = strcmp(a->app ? a->app : "", b->app ? b->app : "");
    return c ? c : loc_cmp(a->loc, b->loc);
}

static void add_cport(cstate *st, npc_unit *u, int proto, uint16_t lo, uint16_t hi,
                      const char *name, const char *app, npc_loc loc)
{
    npc_cport p = {proto, lo, hi, name, app, loc};
    NPC_APUSH(st->a, u->ports, u->nports, u->pcap, p);
}

/* Resolves a flow's or entity part's ports into u; returns 0 when a list
 * that was given resolves to nothing (the unit then allows nothing). */
static int resolve_ports(cstate *st, const npc_sport *ps, size_t n, int given, npc_unit *u)
{
    npc_spec *s = st->s;
    if (!given) {
        u->all_ports = 1;
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const npc_sport *p = &ps[i];
        if (!npc_cond_eval(s, p->when))
            continue;
        switch (p->kind) {
        case NPC_SPORT_NUM:
            add_cport(st, u, p->proto, p->lo, p->hi, NULL, p->app, p->loc);
            break;
        case NPC_SPORT_NAMED:
            add_cport(st, u, p->proto, 0, 0, p->name, p->app, p->loc);
            break;
        case NPC_SPORT_ALL:
            if (p->proto < 0)
                u->all_ports = 1;
            else
                add_cport(st, u, p->proto, 0, 0, NULL, p->app, p->loc);
            break;
        case NPC_SPORT_OPTION: {
            long long v = npc_opt_int(s, p->opt);
            if (v < 1 || v > 65535) {
                npc_error(s->ctx, NPC112, p->loc, "option '%s' is %lld, not a port (1-65535)",
                          s->options[p->opt].name, v);
                st->failed = 1;
                break;
            }
            add_cport(st, u, p->proto, (uint16_t)v, (uint16_t)v, NULL, p->app, p->loc);
            break;
        }
        case NPC_SPORT_ENDPOINTS: {
            const npc_node *l = npc_opt_list(s, p->opt);
            for (size_t j = 0; l && j < l->u.seq.len; j++) {
                const char *why;
                int port = npc_endpoint_port(l->u.seq.items[j]->u.scalar.s, &why);
                if (port)
                    add_cport(st, u, NPC_PROTO_TCP, (uint16_t)port, (uint16_t)port, NULL, p->app,
                              p->loc);
            }
            break;
        }
        }
    }
    if (u->all_ports) {
        u->nports = 0;
        return 1;
    }
    return u->nports > 0;
}

/* ------------------------------------------------------------ 1. expand */

typedef struct group {
    const npc_speer *peers;
    size_t npeers;
    const npc_entity_part *part; /* NULL: the flow's plain peers */
    const char *entity;
} group;

typedef NPC_VEC(group) group_vec;
typedef NPC_VEC(npc_speer) speer_vec;

/* Plain peers of one side (options expanded) into *plain; entity parts
 * become groups of their own. */
static void side_groups(cstate *st, const npc_speer *ps, size_t n, speer_vec *plain,
                        group_vec *groups)
{
    npc_spec *s = st->s;
    for (size_t i = 0; i < n; i++) {
        const npc_speer *p = &ps[i];
        if (p->kind == NPC_SP_ENTITY) {
            const npc_entity *e = &s->entities[p->index];
            if (e->builtin && e->nparts == 1 && npc_entity_native(st->engine, e->name)) {
                /* one entity peer, with the entity's default ports */
                group g = {p, 1, &e->parts[0], e->name};
                npc_vec_push(groups, g);
                continue;
            }
            for (size_t j = 0; j < e->nparts; j++) {
                group g = {e->parts[j].peers, e->parts[j].npeers, &e->parts[j], e->name};
                npc_vec_push(groups, g);
            }
        } else if (p->kind == NPC_SP_OPTION) {
            const npc_node *l = npc_opt_list(s, p->index);
            if (!l && p->empty_any) {
                npc_speer any;
                memset(&any, 0, sizeof any);
                any.kind = NPC_SP_ANY;
                any.loc = p->loc;
                npc_vec_push(plain, any);
            }
            for (size_t j = 0; l && j < l->u.seq.len; j++) {
                npc_speer q;
                if (!npc_spec_parse_peer(s, l->u.seq.items[j], &q)) {
                    st->failed = 1;
                    continue;
                }
                if (q.kind == NPC_SP_ENTITY || q.kind == NPC_SP_OPTION) {
                    npc_error(s->ctx, NPC103, q.loc, "a peer in option '%s' must not be an entity",
                              s->options[p->index].name);
                    st->failed = 1;
                    continue;
                }
                npc_vec_push(plain, q);
            }
        } else {
            npc_vec_push(plain, *p);
        }
    }
    if (plain->len) {
        group g = {plain->items, plain->len, NULL, NULL};
        npc_vec_push(groups, g);
    }
}

static void copy_group(cstate *st, const group *g, npc_speer **arr, size_t *n, size_t *cap)
{
    for (size_t i = 0; i < g->npeers; i++) {
        npc_speer p = g->peers[i];
        if (p.kind == NPC_SP_OPTION) {
            /* an option peer inside an entity part (e.g. the API server's CIDRs) */
            speer_vec tmp = {0};
            group_vec none = {0};
            side_groups(st, &p, 1, &tmp, &none);
            group inner = {tmp.items, tmp.len, NULL, g->entity};
            copy_group(st, &inner, arr, n, cap); /* no option peers left: no deeper recursion */
            npc_vec_free(&tmp);
            npc_vec_free(&none);
            continue;
        }
        if (g->entity)
            p.entity = g->entity;
        if (p.kind == NPC_SP_PODS && p.ns_kind == NPC_SNS_OPTION) {
            /* namespaces named by a string or strings option */
            int opt = p.ns_opt;
            p.ns_kind = NPC_SNS_NAMES;
            p.ns_names = NULL;
            p.nns = p.nscap = 0;
            if (st->s->options[opt].type == NPC_OPT_STRING) {
                const char *v = npc_opt_string(st->s, opt);
                if (*v)
                    NPC_APUSH(st->a, p.ns_names, p.nns, p.nscap, v);
            } else {
                const npc_node *l = npc_opt_list(st->s, opt);
                for (size_t j = 0; l && j < l->u.seq.len; j++)
                    NPC_APUSH(st->a, p.ns_names, p.nns, p.nscap, l->u.seq.items[j]->u.scalar.s);
            }
            int bad = p.nns == 0;
            for (size_t j = 0; j < p.nns; j++)
                bad |= !npc_spec_dns_label_ok(p.ns_names[j]);
            if (bad) {
                npc_error(st->s->ctx, NPC112, p.loc, "option '%s' must name one or more namespaces",
                          st->s->options[opt].name);
                st->failed = 1;
                continue;
            }
        }
        NPC_APUSH(st->a, *arr, *n, *cap, p);
    }
}

static int is_comp(const npc_speer *p)
{
    return p->kind == NPC_SP_COMPONENT || p->kind == NPC_SP_ALL_COMPONENTS;
}

/* A named port becomes a number when the destination is one component
 * that declares it. */
/* A named port becomes a number when every destination is a component
 * that declares it with that number; a destination component that does
 * not declare it is a warning (the port would match only pods naming it). */
static void resolve_named(cstate *st, npc_unit *u)
{
    for (size_t i = 0; i < u->nports; i++) {
        npc_cport *p = &u->ports[i];
        if (!p->name)
            continue;
        int proto = 0, undeclared = 0;
        uint16_t port = 0;
        if (npc_spec_named_port(st->s, u->to, u->nto, p->name, &proto, &port, &undeclared)) {
            p->lo = p->hi = port;
            p->proto = proto;
            p->name = NULL;
        } else if (undeclared && npc_spec_warn_once(st->s, NPC121, p->loc)) {
            npc_warning(st->s->ctx, NPC121, p->loc,
                        "named port '%s' is not declared by every destination component (under "
                        "ports:); it matches only pods that name a container port so",
                        p->name);
        }
    }
}

static void expand_flow(cstate *st, const npc_flow *f)
{
    speer_vec pf = {0}, pt = {0};
    group_vec gf = {0}, gt = {0};
    side_groups(st, f->from, f->nfrom, &pf, &gf);
    side_groups(st, f->to, f->nto, &pt, &gt);
    int any_comp = 0;
    for (size_t i = 0; i < gf.len; i++)
        for (size_t k = 0; k < gf.items[i].npeers; k++)
            any_comp |= is_comp(&gf.items[i].peers[k]);
    for (size_t i = 0; i < gt.len; i++)
        for (size_t k = 0; k < gt.items[i].npeers; k++)
            any_comp |= is_comp(&gt.items[i].peers[k]);
    for (size_t i = 0; i < gf.len; i++)
        for (size_t j = 0; j < gt.len; j++) {
            npc_unit u;
            memset(&u, 0, sizeof u);
            u.flow = f;
            const npc_entity_part *part = gt.items[j].part ? gt.items[j].part : gf.items[i].part;
            int ok;
            if (f->has_ports || !part)
                ok = resolve_ports(st, f->ports, f->nports, f->has_ports, &u);
            else
                ok = resolve_ports(st, part->ports, part->nports, part->has_ports, &u);
            if (!ok)
                continue;
            copy_group(st, &gf.items[i], &u.from, &u.nfrom, &u.fcap);
            copy_group(st, &gt.items[j], &u.to, &u.nto, &u.tcap);
            if (!u.nfrom || !u.nto)
                continue;
            resolve_named(st, &u);
            if (u.nports > 1)
                qsort(u.ports, u.nports, sizeof *u.ports, cport_qcmp);
            NPC_APUSH(st->a, st->out->units, st->out->nunits, st->out->ucap, u);
        }
    if (gf.len && gt.len && !any_comp) {
        npc_error(st->s->ctx, NPC111, f->loc,
                  "flow has no component on either side once its options are applied");
        st->failed = 1;
    }
    npc_vec_free(&pf);
    npc_vec_free(&pt);
    npc_vec_free(&gf);
    npc_vec_free(&gt);
}

/* ------------------------------------------------------------ 2. assign */

static int follow_policy(cstate *st, int p)
{
    npc_spec *s = st->s;
    for (size_t hops = 0; p >= 0 && hops <= s->npolicies; hops++) {
        if (npc_cond_eval(s, s->policies[p].when))
            return p;
        p = s->policies[p].otherwise;
    }
    return -1;
}

static bpolicy *policy_slot(cstate *st, int p)
{
    if (!st->slot[p]) {
        bpolicy *cp = npc_arena_alloc(st->a, sizeof *cp);
        const npc_spolicy *sp = &st->s->policies[p];
        cp->name = sp->name;
        cp->ns = sp->ns;
        cp->loc = sp->loc;
        if (sp->subject == NPC_SUBJ_ALL)
            cp->subject = st->s->selector;
        else
            cp->subject = st->s->components[sp->subject].labels;
        st->slot[p] = cp;
    }
    return st->slot[p];
}

static npc_sym sym(cstate *st, const char *text)
{
    return npc_intern_cstr(st->s->ctx->strings, text);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_sym(const void *a, const void *b)
{
    npc_sym x = *(const npc_sym *)a, y = *(const npc_sym *)b;
    return x < y ? -1 : x > y;
}

/* A spec selector in IR form: matchLabels first (by key), then the
 * expressions in the spec's order; values sorted by symbol, as the
 * evaluator searches them (renderers sort them by text). */
static npc_selector ir_selector(cstate *st, const npc_ssel *ss)
{
    npc_selector sel = {0};
    size_t n = ss->nlabels + ss->nexprs;
    if (!n)
        return sel;
    sel.exprs = npc_arena_alloc(st->a, n * sizeof *sel.exprs);
    memset(sel.exprs, 0, n * sizeof *sel.exprs);
    for (size_t i = 0; i < ss->nlabels; i++) {
        npc_sel_expr *e = &sel.exprs[sel.nexprs++];
        e->op = NPC_SEL_IN;
        e->key = sym(st, ss->labels[i].key);
        e->values = npc_arena_alloc(st->a, sizeof *e->values);
        e->values[0] = sym(st, ss->labels[i].value);
        e->nvalues = 1;
        e->from_match_labels = 1;
    }
    static const npc_sel_op ops[] = {NPC_SEL_IN, NPC_SEL_NOTIN, NPC_SEL_EXISTS, NPC_SEL_NOTEXISTS};
    for (size_t i = 0; i < ss->nexprs; i++) {
        const npc_sexpr *x = &ss->exprs[i];
        npc_sel_expr *e = &sel.exprs[sel.nexprs++];
        e->op = ops[x->op];
        e->key = sym(st, x->key);
        if (x->nvalues) {
            e->values = npc_arena_alloc(st->a, x->nvalues * sizeof *e->values);
            for (size_t j = 0; j < x->nvalues; j++)
                e->values[j] = sym(st, x->values[j]);
            qsort(e->values, x->nvalues, sizeof *e->values, cmp_sym);
            e->nvalues = (uint32_t)x->nvalues;
        }
    }
    return sel;
}

/* Namespaces by name: sorted, unique names, and the equivalent selector
 * on kubernetes.io/metadata.name for the evaluator. */
static void ns_by_names(cstate *st, npc_peer *p, const char *const *names, size_t n)
{
    const char **v = npc_arena_alloc(st->a, (n + 1) * sizeof *v);
    memcpy(v, names, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_cstr);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || strcmp(v[m - 1], v[i]))
            v[m++] = v[i];
    p->ns_mode = NPC_NS_NAMES;
    p->ns_names = npc_arena_alloc(st->a, m * sizeof *p->ns_names);
    p->nns = (uint32_t)m;
    npc_sel_expr *e = npc_arena_alloc(st->a, sizeof *e);
    memset(e, 0, sizeof *e);
    e->op = NPC_SEL_IN;
    e->key = sym(st, "kubernetes.io/metadata.name");
    e->values = npc_arena_alloc(st->a, m * sizeof *e->values);
    for (size_t i = 0; i < m; i++)
        p->ns_names[i] = e->values[i] = sym(st, v[i]);
    qsort(e->values, m, sizeof *e->values, cmp_sym);
    e->nvalues = (uint32_t)m;
    e->from_match_labels = m == 1;
    p->ns_sel.exprs = e;
    p->ns_sel.nexprs = 1;
}

/* The canonical text of an IR selector: "k=v" for matchLabels, then "k In
 * a|b"; values by text. */
static void selector_key(cstate *st, const npc_selector *sel, npc_buf *b)
{
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist"};
    const npc_interner *in = st->s->ctx->strings;
    int first = 1;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < sel->nexprs; i++) {
            const npc_sel_expr *e = &sel->exprs[i];
            if (e->from_match_labels != (pass == 0))
                continue;
            npc_buf_puts(b, first ? "" : ",");
            first = 0;
            if (pass == 0) {
                npc_buf_printf(b, "%s=%s", npc_sym_str(in, e->key), npc_sym_str(in, e->values[0]));
                continue;
            }
            npc_buf_printf(b, "%s %s", npc_sym_str(in, e->key), ops[e->op]);
            const char **v = malloc((e->nvalues + 1) * sizeof *v);
            for (uint32_t j = 0; j < e->nvalues; j++)
                v[j] = npc_sym_str(in, e->values[j]);
            qsort(v, e->nvalues, sizeof *v, cmp_cstr);
            for (uint32_t j = 0; j < e->nvalues; j++)
                npc_buf_printf(b, "%s%s", j ? "|" : " ", v[j]);
            free(v);
        }
}

static void peer_key(cstate *st, bpeer *bp)
{
    const npc_peer *p = &bp->p;
    const npc_interner *in = st->s->ctx->strings;
    npc_buf b = NPC_BUF_INIT;
    switch (p->kind) {
    case NPC_PEER_PODS:
        npc_buf_printf(&b, "P|%d|", p->ns_mode != NPC_NS_SAME);
        selector_key(st, &p->ns_sel, &b);
        npc_buf_printf(&b, "|%d|", !npc_selector_is_empty(&p->pod_sel));
        selector_key(st, &p->pod_sel, &b);
        break;
    case NPC_PEER_IPS:
        npc_buf_printf(&b, "I|%s", p->cidr ? npc_sym_str(in, p->cidr) : "0.0.0.0/0|::/0");
        for (uint32_t i = 0; i < p->nexcept; i++)
            npc_buf_printf(&b, "|%s", npc_sym_str(in, p->except[i]));
        break;
    case NPC_PEER_FQDN:
        npc_buf_printf(&b, "F|%s", npc_sym_str(in, p->fqdn));
        for (uint32_t i = 0; i < p->nfallback; i++) {
            bpeer fb = {p->fallback[i], NULL};
            peer_key(st, &fb);
            npc_buf_printf(&b, "|%s", fb.key);
        }
        break;
    case NPC_PEER_ENTITY:
        npc_buf_printf(&b, "E|%s", npc_sym_str(in, p->entity));
        break;
    case NPC_PEER_ANY:
    case NPC_PEER_NODES:
        break;
    }
    bp->key = npc_arena_strdup(st->a, npc_buf_cstr(&b));
    npc_buf_free(&b);
}

/* An IPS peer: cidr minus except (text already checked by the spec
 * loader); cidr NULL: every address. */
static void ips_peer(cstate *st, npc_peer *p, const char *cidr, const char *const *except,
                     size_t nexcept)
{
    p->kind = NPC_PEER_IPS;
    if (!cidr) {
        p->ranges = npc_arena_alloc(st->a, sizeof *p->ranges);
        p->ranges[0].first = (npc_ip){0, 0};
        p->ranges[0].last = (npc_ip){UINT64_MAX, UINT64_MAX};
        p->nranges = 1;
        return;
    }
    npc_iprange whole, *ex = npc_arena_alloc(st->a, (nexcept + 1) * sizeof *ex);
    int prefix, v6, canonical;
    (void)npc_cidr_parse(cidr, &whole, &prefix, &v6, &canonical);
    p->cidr = sym(st, cidr);
    if (nexcept) {
        const char **sorted = npc_arena_alloc(st->a, nexcept * sizeof *sorted);
        memcpy(sorted, except, nexcept * sizeof *sorted);
        qsort(sorted, nexcept, sizeof *sorted, cmp_cstr);
        p->except = npc_arena_alloc(st->a, nexcept * sizeof *p->except);
        for (size_t i = 0; i < nexcept; i++) {
            int ev6;
            p->except[i] = sym(st, sorted[i]);
            (void)npc_cidr_parse(sorted[i], &ex[i], &prefix, &ev6, &canonical);
        }
        p->nexcept = (uint32_t)nexcept;
    }
    p->ranges = npc_arena_alloc(st->a, (nexcept + 2) * sizeof *p->ranges);
    p->nranges = npc_cidr_minus(whole, v6, ex, (uint32_t)nexcept, p->ranges);
}

/* A built-in entity the engine names natively (spec/entities.c): one
 * entity peer; entities holds its Cilium identity where it is one. */
static void native_peer(cstate *st, npc_peer *p, const char *entity)
{
    p->kind = NPC_PEER_ENTITY;
    p->entity = sym(st, entity);
    p->entities = (uint16_t)npc_entity_parse(npc_entity_native(st->engine, entity));
}

typedef NPC_VEC(bpeer) bpeer_vec;

/* Lowers one resolved spec peer, seen from a policy in namespace pns, onto
 * out; a peer of "*" sets *any instead. */
static void lower_peer(cstate *st, const npc_speer *sp, const char *pns, bpeer_vec *out, int *any)
{
    npc_spec *s = st->s;
    bpeer bp;
    memset(&bp, 0, sizeof bp);
    npc_peer *p = &bp.p;
    p->entity = sp->entity ? sym(st, sp->entity) : 0;
    p->loc = sp->loc;
    switch (sp->kind) {
    case NPC_SP_ANY:
        *any = 1;
        return;
    case NPC_SP_ANY_IP:
        if (!p->entity && npc_entity_native(st->engine, "any-ip")) {
            native_peer(st, p, "any-ip");
            break;
        }
        ips_peer(st, p, NULL, NULL, 0);
        if (!p->entity)
            p->entity = sym(st, "any-ip");
        break;
    case NPC_SP_COMPONENT: {
        const npc_component *c = &s->components[sp->index];
        p->kind = NPC_PEER_PODS;
        p->pod_sel = ir_selector(st, &c->labels);
        if (strcmp(c->ns, pns))
            ns_by_names(st, p, &c->ns, 1);
        break;
    }
    case NPC_SP_ALL_COMPONENTS: {
        p->kind = NPC_PEER_PODS;
        p->pod_sel = ir_selector(st, &s->selector);
        const char **names = npc_arena_alloc(st->a, (s->ncomponents + 1) * sizeof *names);
        size_t nn = 0;
        int other = 0;
        for (size_t i = 0; i < s->ncomponents; i++) {
            names[nn++] = s->components[i].ns;
            other |= strcmp(s->components[i].ns, pns) != 0;
        }
        if (other)
            ns_by_names(st, p, names, nn);
        break;
    }
    case NPC_SP_PODS:
        p->kind = NPC_PEER_PODS;
        if (sp->has_pods)
            p->pod_sel = ir_selector(st, &sp->pods);
        switch (sp->ns_kind) {
        case NPC_SNS_SAME:
            break;
        case NPC_SNS_ANY:
            p->ns_mode = NPC_NS_SELECTOR;
            break;
        case NPC_SNS_NAMES:
        case NPC_SNS_OPTION:
            ns_by_names(st, p, sp->ns_names, sp->nns);
            break;
        case NPC_SNS_SELECTOR:
            p->ns_mode = NPC_NS_SELECTOR;
            p->ns_sel = ir_selector(st, &sp->ns_sel);
            break;
        }
        break;
    case NPC_SP_CIDR:
        ips_peer(st, p, sp->cidr, sp->except, sp->nexcept);
        break;
    case NPC_SP_FQDN: {
        p->kind = NPC_PEER_FQDN;
        p->fqdn = sym(st, sp->fqdn);
        bpeer_vec fb = {0};
        int fany = 0;
        for (size_t i = 0; i < sp->nfallback; i++)
            lower_peer(st, &sp->fallback[i], pns, &fb, &fany);
        if (fany) { /* "*" as a fallback: nothing left to restrict */
            npc_vec_free(&fb);
            *any = 1;
            return;
        }
        p->fallback = npc_arena_alloc(st->a, (fb.len + 1) * sizeof *p->fallback);
        for (size_t i = 0; i < fb.len; i++)
            p->fallback[i] = fb.items[i].p;
        p->nfallback = (uint32_t)fb.len;
        npc_vec_free(&fb);
        break;
    }
    case NPC_SP_ENTITY: /* kept whole: the engine names it natively */
        native_peer(st, p, sp->entity);
        break;
    case NPC_SP_OPTION:
        return; /* expanded before */
    }
    peer_key(st, &bp);
    npc_vec_push(out, bp);
}

static void add_rule(cstate *st, bpolicy *cp, npc_dir dir, const npc_unit *u,
                     const npc_speer *peers, size_t npeers)
{
    brule r;
    memset(&r, 0, sizeof r);
    bpeer_vec pv = {0};
    for (size_t i = 0; i < npeers; i++)
        lower_peer(st, &peers[i], cp->ns, &pv, &r.any_peer);
    if (!r.any_peer && pv.len) {
        r.peers = npc_arena_alloc(st->a, pv.len * sizeof *r.peers);
        memcpy(r.peers, pv.items, pv.len * sizeof *r.peers);
        r.npeers = r.pcap = pv.len;
    }
    npc_vec_free(&pv);
    r.all_ports = u->all_ports;
    for (size_t i = 0; i < u->nports && !r.all_ports; i++)
        NPC_APUSH(st->a, r.ports, r.nports, r.portcap, u->ports[i]);
    NPC_APUSH(st->a, r.flows, r.nflows, r.fcap, u->flow);
    r.seq = cp->nrules[dir];
    NPC_APUSH(st->a, cp->rules[dir], cp->nrules[dir], cp->rcap[dir], r);
}

static int side_policy(cstate *st, const npc_flow *f, const npc_speer *side)
{
    npc_spec *s = st->s;
    for (size_t i = 0; i < f->npolicies; i++)
        if (npc_spec_policy_selects(s, f->policies[i], side))
            return f->policies[i];
    if (side->kind == NPC_SP_COMPONENT)
        return s->components[side->index].policy;
    return -1;
}

static void assign_unit(cstate *st, const npc_unit *u)
{
    for (size_t i = 0; i < u->nfrom; i++) {
        if (!is_comp(&u->from[i]))
            continue;
        int p = follow_policy(st, side_policy(st, u->flow, &u->from[i]));
        if (p >= 0)
            add_rule(st, policy_slot(st, p), NPC_DIR_EGRESS, u, u->to, u->nto);
    }
    for (size_t i = 0; i < u->nto; i++) {
        if (!is_comp(&u->to[i]))
            continue;
        int p = follow_policy(st, side_policy(st, u->flow, &u->to[i]));
        if (p >= 0)
            add_rule(st, policy_slot(st, p), NPC_DIR_INGRESS, u, u->from, u->nfrom);
    }
}

static void assign_passthrough(cstate *st, const npc_passthrough *pt)
{
    npc_spec *s = st->s;
    if (!npc_cond_eval(s, pt->when))
        return;
    int p = follow_policy(st, pt->policy);
    if (p < 0)
        return;
    bpolicy *cp = policy_slot(st, p);
    for (int d = 0; d < 2; d++) {
        const npc_node *r = pt->rules[d];
        if (r && r->kind == NPC_NODE_MAP)
            r = npc_opt_list(s, npc_spec_find_option(s, npc_map_get(r, "option")->u.scalar.s));
        if (!r || r->kind != NPC_NODE_SEQ)
            continue;
        for (size_t i = 0; i < r->u.seq.len; i++) {
            const npc_node *rule = r->u.seq.items[i];
            if (!rule || rule->kind != NPC_NODE_MAP) {
                npc_error(s->ctx, NPC103, npc_node_loc(rule ? rule : r),
                          "a passthrough rule must be a mapping, not %s", npc_node_type_a(rule));
                st->failed = 1;
                continue;
            }
            npc_craw raw = {pt->engine, rule};
            NPC_APUSH(st->a, cp->raw[d], cp->nraw[d], cp->rawcap[d], raw);
        }
    }
}

/* ------------------------------------------------------------- 3. canon */

static int bpeer_qcmp(const void *x, const void *y)
{
    const bpeer *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : loc_cmp(a->p.loc, b->p.loc);
}

static void canon_peers(brule *r)
{
    if (r->npeers > 1)
        qsort(r->peers, r->npeers, sizeof *r->peers, bpeer_qcmp);
    size_t w = 0;
    for (size_t i = 0; i < r->npeers; i++)
        if (w == 0 || strcmp(r->peers[w - 1].key, r->peers[i].key))
            r->peers[w++] = r->peers[i];
    r->npeers = w;
}

static void canon_ports(brule *r)
{
    if (r->all_ports) {
        r->nports = 0;
        return;
    }
    if (r->nports > 1)
        qsort(r->ports, r->nports, sizeof *r->ports, cport_qcmp);
    /* every port of a protocol covers its numbered and named ports */
    int whole[NPC_PROTO_COUNT] = {0};
    for (size_t i = 0; i < r->nports; i++)
        if (r->ports[i].lo == 0 && !r->ports[i].name && r->ports[i].proto >= 0)
            whole[r->ports[i].proto] = 1;
    size_t w = 0;
    for (size_t i = 0; i < r->nports; i++) {
        npc_cport *p = &r->ports[i];
        if ((p->lo != 0 || p->name) && whole[p->proto])
            continue;
        if (w && npc_cport_cmp(&r->ports[w - 1], p) == 0)
            continue;
        r->ports[w++] = *p;
    }
    r->nports = w;
}

static const char *ports_key(cstate *st, const brule *r)
{
    npc_buf b = NPC_BUF_INIT;
    if (r->all_ports)
        npc_buf_puts(&b, "*");
    for (size_t i = 0; i < r->nports; i++)
        npc_buf_printf(&b, "%s%d:%05u-%05u:%s", i ? "," : "", r->ports[i].proto, r->ports[i].lo,
                       r->ports[i].hi, r->ports[i].name ? r->ports[i].name : "");
    const char *k = npc_arena_strdup(st->a, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return k;
}

static const char *peers_key(cstate *st, const brule *r)
{
    npc_buf b = NPC_BUF_INIT;
    if (r->any_peer)
        npc_buf_puts(&b, "*");
    for (size_t i = 0; i < r->npeers; i++)
        npc_buf_printf(&b, "%s%s", i ? "," : "", r->peers[i].key);
    const char *k = npc_arena_strdup(st->a, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return k;
}

static int brule_qcmp(const void *x, const void *y)
{
    const brule *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static void canon_rules(cstate *st, bpolicy *cp, int d)
{
    brule *rs = cp->rules[d];
    size_t n = cp->nrules[d];
    for (size_t i = 0; i < n; i++) {
        canon_peers(&rs[i]);
        canon_ports(&rs[i]);
        rs[i].key = peers_key(st, &rs[i]);
    }
    /* Equal peers: one rule with the union of the ports. Sorting by the
     * peers' key makes equal peers adjacent (n log n, not n^2). */
    if (n > 1)
        qsort(rs, n, sizeof *rs, brule_qcmp);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && !strcmp(rs[w - 1].key, rs[i].key)) {
            brule *into = &rs[w - 1];
            if (rs[i].all_ports)
                into->all_ports = 1;
            for (size_t k = 0; k < rs[i].nports; k++)
                NPC_APUSH(st->a, into->ports, into->nports, into->portcap, rs[i].ports[k]);
            for (size_t k = 0; k < rs[i].nflows; k++)
                NPC_APUSH(st->a, into->flows, into->nflows, into->fcap, rs[i].flows[k]);
            canon_ports(into);
            continue;
        }
        rs[w++] = rs[i];
    }
    n = w;
    for (size_t i = 0; i < n; i++) {
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%s#%s", rs[i].key, ports_key(st, &rs[i]));
        rs[i].key = npc_arena_strdup(st->a, npc_buf_cstr(&b));
        npc_buf_free(&b);
    }
    if (n > 1)
        qsort(rs, n, sizeof *rs, brule_qcmp);
    cp->nrules[d] = n;
}

/* -------------------------------------------------------------- 4. name */

static int subdomain_ok(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '.')
            return 0;
        if ((i == 0 || i == n - 1) && !alnum)
            return 0;
        if (c == '.' && (p[i + 1] == '.' || p[i + 1] == '-' || p[i - 1] == '-'))
            return 0;
    }
    return 1;
}

static const char *apply_naming(cstate *st, const char *name, npc_loc where)
{
    npc_spec *s = st->s;
    const char *pat = s->naming ? s->naming : "{name}";
    npc_buf b = NPC_BUF_INIT;
    for (const char *p = pat; *p; p++) {
        if (*p != '{') {
            npc_buf_putc(&b, *p);
            continue;
        }
        /* the placeholders were checked when the spec was loaded
         * (NPC116): each is {name} or a string or int option */
        const char *end = strchr(p, '}');
        if (!end) {
            st->failed = 1;
            break;
        }
        char *key = npc_arena_strndup(st->a, p + 1, (size_t)(end - p - 1));
        int o = strcmp(key, "name") == 0 ? -1 : npc_spec_find_option(s, key);
        if (o >= 0)
            npc_buf_puts(&b, npc_opt_text(s, o));
        else if (!strcmp(key, "name"))
            npc_buf_puts(&b, name);
        else
            st->failed = 1;
        p = end;
    }
    const char *r = npc_arena_strdup(st->a, npc_buf_cstr(&b));
    npc_buf_free(&b);
    if (!st->failed && !st->names_failed && !subdomain_ok(r)) {
        size_t before = npc_error_count(s->ctx);
        npc_diag *d = npc_error(s->ctx, NPC302, s->naming_loc.file ? s->naming_loc : where,
                                "policy name '%s' is not a valid DNS-1123 subdomain (lower-case "
                                "letters, digits, '-' and '.', at most 253)",
                                r);
        if (s->naming_loc.file)
            npc_diag_also(d, where);
        st->names_failed = 1;
        st->name_errors += npc_error_count(s->ctx) - before;
    }
    return r;
}

static int bpolicy_qcmp(const void *x, const void *y)
{
    const bpolicy *a = x, *b = y;
    int c = strcmp(a->ns, b->ns);
    if (!c)
        c = strcmp(a->name, b->name);
    return c ? c : loc_cmp(a->loc, b->loc); /* equal names: an error, shown in order */
}

/* -------------------------------------------------------------- 5. emit */

/* A unit's port as an IR port condition. */
static npc_port_match ir_port(cstate *st, const npc_cport *p)
{
    npc_port_match m;
    memset(&m, 0, sizeof m);
    m.proto_mask = (uint8_t)(1u << p->proto);
    m.loc = p->loc;
    if (p->name) {
        m.name = sym(st, p->name);
    } else if (p->lo) {
        m.lo = p->lo;
        m.hi = p->hi;
    } else { /* every port of the protocol */
        m.lo = 1;
        m.hi = 65535;
    }
    return m;
}

static void emit_policy(cstate *st, const bpolicy *bp)
{
    npc_cluster *ir = st->out->ir;
    npc_policy pol;
    memset(&pol, 0, sizeof pol);
    pol.kind = NPC_KIND_NETWORKPOLICY;
    pol.layer = NPC_LAYER_NAMESPACE;
    pol.name = sym(st, bp->name);
    pol.ns = sym(st, bp->ns);
    pol.subj_ns_mode = NPC_NS_SAME;
    pol.subj_pod_sel = ir_selector(st, &bp->subject);
    pol.loc = bp->loc;
    size_t nr = bp->nrules[0] + bp->nrules[1];
    pol.rules = npc_arena_alloc(ir->arena, (nr + 1) * sizeof *pol.rules);
    npc_annex ax;
    memset(&ax, 0, sizeof ax);
    ax.name = bp->name;
    ax.ns = bp->ns;
    ax.default_deny = bp->default_deny;
    ax.loc = bp->loc;
    ax.rules = npc_arena_alloc(st->a, (nr + 1) * sizeof *ax.rules);
    for (int d = 0; d < 2; d++) {
        ax.isolate[d] = bp->isolate[d];
        ax.raw[d] = bp->raw[d];
        ax.nraw[d] = bp->nraw[d];
        pol.affects[d] = (uint8_t)(bp->isolate[d] || bp->nrules[d] > 0);
        for (size_t i = 0; i < bp->nrules[d]; i++) {
            const brule *br = &bp->rules[d][i];
            npc_rule *r = &pol.rules[pol.nrules];
            memset(r, 0, sizeof *r);
            r->dir = (npc_dir)d;
            r->action = NPC_ACT_ALLOW;
            r->index = (uint32_t)i;
            r->loc = br->nflows ? br->flows[0]->loc : bp->loc;
            size_t np = br->any_peer ? 1 : br->npeers;
            r->peers = npc_arena_alloc(ir->arena, (np + 1) * sizeof *r->peers);
            if (br->any_peer) {
                memset(&r->peers[0], 0, sizeof r->peers[0]);
                r->peers[0].kind = NPC_PEER_ANY;
                r->peers[0].loc = r->loc;
            } else {
                for (size_t k = 0; k < br->npeers; k++)
                    r->peers[k] = br->peers[k].p;
            }
            r->npeers = (uint32_t)np;
            if (!br->all_ports) {
                r->ports = npc_arena_alloc(ir->arena, (br->nports + 1) * sizeof *r->ports);
                for (size_t k = 0; k < br->nports; k++)
                    r->ports[k] = ir_port(st, &br->ports[k]);
                r->nports = (uint32_t)br->nports;
            }
            ax.rules[pol.nrules].flows = br->flows;
            ax.rules[pol.nrules].nflows = br->nflows;
            pol.nrules++;
        }
    }
    npc_vec_push(&ir->policies, pol);
    NPC_APUSH(st->a, st->out->annex, st->npols_emitted, st->annex_cap, ax);
}

/* ----------------------------------------------------------- the driver */

static void add_default_deny(cstate *st)
{
    npc_spec *s = st->s;
    const npc_default_deny *d = &s->deny;
    if (!d->present || !npc_cond_eval(s, d->when))
        return;
    const char **ns = NULL;
    size_t n = 0, cap = 0;
    if (d->nns) {
        for (size_t i = 0; i < d->nns; i++)
            NPC_APUSH(st->a, ns, n, cap, d->namespaces[i]);
    } else {
        for (size_t i = 0; i < s->ncomponents; i++)
            NPC_APUSH(st->a, ns, n, cap, s->components[i].ns);
    }
    if (n > 1)
        qsort(ns, n, sizeof *ns, cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(ns[i], ns[i - 1]))
            continue;
        bpolicy cp;
        memset(&cp, 0, sizeof cp);
        cp.name = d->name;
        cp.ns = ns[i];
        cp.isolate[0] = d->dirs[0];
        cp.isolate[1] = d->dirs[1];
        cp.default_deny = 1;
        cp.loc = d->loc;
        NPC_APUSH(st->a, st->pols, st->npols, st->polcap, cp);
    }
}

static npc_compiled *compile(npc_spec *s, const char *engine, int keep_bad_names)
{
    npc_compiled *out = npc_xcalloc(1, sizeof *out);
    out->spec = s;
    out->arena = npc_arena_new();
    out->ir = npc_cluster_new(s->ctx);
    cstate st;
    memset(&st, 0, sizeof st);
    st.s = s;
    st.out = out;
    st.engine = engine;
    st.a = out->arena;
    st.slot = npc_arena_alloc(st.a, (s->npolicies + 1) * sizeof *st.slot);
    memset(st.slot, 0, (s->npolicies + 1) * sizeof *st.slot);
    size_t before = npc_error_count(s->ctx);
    if (!npc_spec_bind_ns(s, 1)) { /* namespaces named by options */
        npc_compiled_free(out);
        return NULL;
    }
    out->enabled = npc_cond_eval(s, s->when);
    if (!out->enabled && npc_spec_warn_once(s, NPC120, s->when_loc)) {
        /* nothing silent: say why nothing is rendered */
        npc_buf why = NPC_BUF_INIT;
        npc_cond_text(s, s->when, &why);
        if (s->when->op == NPC_C_OPT)
            npc_warning(s->ctx, NPC120, s->when_loc, "nothing rendered: %s is false",
                        npc_buf_cstr(&why));
        else
            npc_warning(s->ctx, NPC120, s->when_loc, "nothing rendered: spec.when '%s' is false",
                        npc_buf_cstr(&why));
        npc_buf_free(&why);
    }

    for (size_t i = 0; i < s->nflows; i++) /* 1. expand */
        if (npc_cond_eval(s, s->flows[i].when))
            expand_flow(&st, &s->flows[i]);

    for (size_t i = 0; i < out->nunits; i++) /* 2. assign */
        assign_unit(&st, &out->units[i]);
    for (size_t i = 0; i < s->npassthrough; i++)
        assign_passthrough(&st, &s->passthrough[i]);
    for (size_t p = 0; p < s->npolicies; p++) {
        const npc_spolicy *sp = &s->policies[p];
        for (int d = 0; d < 2; d++)
            if (sp->isolate_always[d] || (sp->isolate[d] && npc_cond_eval(s, sp->isolate[d]))) {
                int q = follow_policy(&st, (int)p);
                if (q >= 0)
                    policy_slot(&st, q)->isolate[d] = 1;
            }
    }

    if (out->enabled) {
        for (size_t p = 0; p < s->npolicies; p++) { /* 3. canon */
            bpolicy *cp = st.slot[p];
            if (!cp)
                continue;
            canon_rules(&st, cp, NPC_DIR_INGRESS);
            canon_rules(&st, cp, NPC_DIR_EGRESS);
            NPC_APUSH(st.a, st.pols, st.npols, st.polcap, *cp);
        }
        out->policy_on = npc_arena_alloc(st.a, s->npolicies + 1);
        memset(out->policy_on, 0, s->npolicies + 1);
        for (size_t p = 0; p < s->npolicies; p++) {
            const bpolicy *cp = st.slot[p];
            out->policy_on[p] = cp && (cp->nrules[0] || cp->nrules[1] || cp->isolate[0] ||
                                       cp->isolate[1] || cp->nraw[0] || cp->nraw[1]);
        }
        add_default_deny(&st);
        /* 4. name; a bad pattern is reported once, not once per policy */
        for (size_t i = 0; i < st.npols && !st.failed; i++)
            st.pols[i].name = apply_naming(&st, st.pols[i].name, st.pols[i].loc);
        if (st.npols > 1)
            qsort(st.pols, st.npols, sizeof *st.pols, bpolicy_qcmp);
        for (size_t i = 1; i < st.npols && !st.failed && !st.names_failed; i++)
            if (!strcmp(st.pols[i].ns, st.pols[i - 1].ns) &&
                !strcmp(st.pols[i].name, st.pols[i - 1].name)) {
                size_t before_dup = npc_error_count(s->ctx);
                npc_diag *d = npc_error(s->ctx, NPC302, st.pols[i].loc,
                                        "two policies are named '%s' in namespace '%s'",
                                        st.pols[i].name, st.pols[i].ns);
                npc_diag_also(d, st.pols[i - 1].loc);
                st.names_failed = 1;
                st.name_errors += npc_error_count(s->ctx) - before_dup;
            }
        for (size_t i = 0; i < st.npols && !st.failed; i++) /* 5. emit */
            emit_policy(&st, &st.pols[i]);
    }
    /* invalid names (NPC302) leave the policies whole: a caller that
     * asked for them (render) runs its own checks on them too */
    if (st.failed || npc_error_count(s->ctx) - before > st.name_errors ||
        (st.names_failed && !keep_bad_names)) {
        npc_compiled_free(out);
        return NULL;
    }
    out->bad_names = st.names_failed;
    return out;
}

npc_compiled *npc_compile(npc_spec *s, const char *engine)
{
    return compile(s, engine, 0);
}

npc_compiled *npc_compile_keep_bad_names(npc_spec *s, const char *engine)
{
    return compile(s, engine, 1);
}

/* Whether flow f names component ci on a side (itself or all components). */
static int flow_names(const npc_flow *f, size_t ci)
{
    const npc_speer *sides[2] = {f->from, f->to};
    size_t n[2] = {f->nfrom, f->nto};
    for (int d = 0; d < 2; d++)
        for (size_t i = 0; i < n[d]; i++)
            if ((sides[d][i].kind == NPC_SP_COMPONENT && sides[d][i].index == (int)ci) ||
                sides[d][i].kind == NPC_SP_ALL_COMPONENTS)
                return 1;
    return 0;
}

void npc_compiled_warn_unisolated(npc_compiled *c)
{
    npc_spec *s = c->spec;
    if (!c->enabled || !c->policy_on)
        return;
    for (size_t ci = 0; ci < s->ncomponents; ci++) {
        const npc_component *comp = &s->components[ci];
        int declared = 0, isolated = 0, shown = 0;
        npc_buf off = NPC_BUF_INIT;
        for (size_t i = 0; i < s->nflows; i++) {
            const npc_flow *f = &s->flows[i];
            if (!flow_names(f, ci))
                continue;
            declared = 1;
            if (npc_cond_eval(s, f->when) || !f->when)
                continue;
            npc_buf t = NPC_BUF_INIT;
            npc_cond_text(s, f->when, &t);
            if (!off.data || !strstr(off.data, npc_buf_cstr(&t))) {
                if (shown++ < 3)
                    npc_buf_printf(&off, "%s%s", off.len ? ", " : "", npc_buf_cstr(&t));
                else if (shown == 4)
                    npc_buf_puts(&off, ", ...");
            }
            npc_buf_free(&t);
        }
        for (size_t p = 0; p < s->npolicies && declared && !isolated; p++) {
            const npc_spolicy *sp = &s->policies[p];
            isolated = c->policy_on[p] &&
                       (sp->subject == (int)ci ||
                        (sp->subject == NPC_SUBJ_ALL && !strcmp(sp->ns, comp->ns)));
        }
        for (size_t i = 0; i < c->ir->policies.len && declared && !isolated; i++)
            isolated = c->annex[i].default_deny && !strcmp(c->annex[i].ns, comp->ns);
        if (declared && !isolated && npc_spec_warn_once(s, NPC123, comp->loc))
            npc_warning(s->ctx, NPC123, comp->loc,
                        "with these options no policy selects component '%s'%s%s%s: its pods are "
                        "not isolated, every connection to and from them is allowed",
                        comp->name, off.len ? " (its flows are off: " : "", npc_buf_cstr(&off),
                        off.len ? ")" : "");
        npc_buf_free(&off);
    }
}

void npc_compiled_free(npc_compiled *c)
{
    if (!c)
        return;
    npc_cluster_free(c->ir);
    npc_arena_free(c->arena);
    free(c);
}
