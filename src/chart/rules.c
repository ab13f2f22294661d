/* The rule builder shared by the chart back ends: the rules of a spec
 * policy collected into template lists, as the compiler collects them
 * (src/spec/compile.c: side groups, entity parts, named ports, option
 * peers and ports), written through the engine's dialect (rules.h). */
#include <stdlib.h>
#include <string.h>

#include "chart/rules.h"

static void put(npc_buf *b, const char *s)
{
    npc_buf_puts(b, s);
}

static int cobj_cmp(const void *x, const void *y)
{
    const npc_cobj *a = x, *b = y;
    int c = strcmp(a->ns, b->ns);
    return c ? c : strcmp(a->name, b->name);
}

void npc_chart_write_objects(npc_cobj *objs, size_t n, npc_buf *out)
{
    if (n > 1)
        qsort(objs, n, sizeof *objs, cobj_cmp);
    for (size_t i = 0; i < n; i++) {
        put(out, npc_buf_cstr(&objs[i].text));
        npc_buf_free(&objs[i].text);
    }
}

npc_ev *npc_chart_sel_ev(npc_arena *a, const npc_ssel *sel)
{
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist"};
    npc_ev *m = npc_ev_map(a);
    if (sel->nlabels) {
        npc_ev *ml = npc_ev_map(a);
        for (size_t i = 0; i < sel->nlabels; i++)
            npc_ev_put(a, ml, sel->labels[i].key, npc_ev_str(a, sel->labels[i].value));
        npc_ev_put(a, m, "matchLabels", ml);
    }
    npc_ev *me = npc_ev_seq(a);
    for (size_t i = 0; i < sel->nexprs; i++) {
        const npc_sexpr *e = &sel->exprs[i];
        npc_ev *x = npc_ev_map(a), *vals = npc_ev_seq(a);
        npc_ev_put(a, x, "key", npc_ev_str(a, e->key));
        npc_ev_put(a, x, "operator", npc_ev_str(a, ops[e->op]));
        for (size_t j = 0; j < e->nvalues; j++)
            npc_ev_push(a, vals, npc_ev_str(a, e->values[j]));
        if (vals->n)
            npc_ev_put(a, x, "values", vals);
        npc_ev_push(a, me, x);
    }
    if (me->n)
        npc_ev_put(a, m, "matchExpressions", me);
    return m;
}

npc_ev *npc_chart_ns_names_ev(npc_arena *a, const char *const *names, size_t n)
{
    const char **v = npc_arena_alloc(a, (n + 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) { /* insertion: sorted, unique */
        size_t j = 0;
        while (j < m && strcmp(v[j], names[i]) < 0)
            j++;
        if (j < m && !strcmp(v[j], names[i]))
            continue;
        memmove(&v[j + 1], &v[j], (m - j) * sizeof *v);
        v[j] = names[i];
        m++;
    }
    npc_ev *sel = npc_ev_map(a);
    int dynamic = 0;
    for (size_t i = 0; i < m; i++)
        dynamic |= v[i][0] == NPC_TPL_EXPR;
    if (m > 1 && dynamic) {
        /* names known at install time: unique then, one as matchLabels */
        npc_buf l = NPC_BUF_INIT, b = NPC_BUF_INIT;
        npc_buf_puts(&l, "(uniq (sortAlpha (list");
        for (size_t i = 0; i < m; i++) {
            npc_buf_putc(&l, ' ');
            npc_tpl_ev(npc_ev_str(a, v[i]), &l);
        }
        npc_buf_puts(&l, ")))");
        const char *ls = npc_buf_cstr(&l);
        npc_buf_printf(&b,
                       "%c(ternary (dict \"matchLabels\" (dict \"" NPC_NS_LABEL "\" (first %s))) "
                       "(dict \"matchExpressions\" (list (dict \"key\" \"" NPC_NS_LABEL
                       "\" \"operator\" \"In\" \"values\" %s))) (eq (len %s) 1))",
                       NPC_TPL_EXPR, ls, ls, ls);
        npc_ev *e = npc_ev_str(a, npc_arena_strdup(a, npc_buf_cstr(&b)));
        npc_buf_free(&l);
        npc_buf_free(&b);
        return e;
    }
    if (m == 1) {
        npc_ev *ml = npc_ev_map(a);
        npc_ev_put(a, ml, NPC_NS_LABEL, npc_ev_str(a, v[0]));
        npc_ev_put(a, sel, "matchLabels", ml);
        return sel;
    }
    npc_ev *e = npc_ev_map(a), *vals = npc_ev_seq(a), *me = npc_ev_seq(a);
    npc_ev_put(a, e, "key", npc_ev_str(a, NPC_NS_LABEL));
    npc_ev_put(a, e, "operator", npc_ev_str(a, "In"));
    for (size_t i = 0; i < m; i++)
        npc_ev_push(a, vals, npc_ev_str(a, v[i]));
    npc_ev_put(a, e, "values", vals);
    npc_ev_push(a, me, e);
    npc_ev_put(a, sel, "matchExpressions", me);
    return sel;
}

const char *npc_chart_same_ns_test(npc_crules *k, const npc_speer *p)
{
    npc_spec *s = k->s;
    size_t n = p->kind == NPC_SP_COMPONENT ? 1 : s->ncomponents;
    npc_buf b = NPC_BUF_INIT;
    int dynamic = 0;
    npc_buf_puts(&b, "(and");
    for (size_t i = 0; i < n; i++) {
        const char *ns = s->components[p->kind == NPC_SP_COMPONENT ? (size_t)p->index : i].ns;
        if (npc_tpl_same_ns(k->g, ns, k->pns))
            continue;
        if (!npc_tpl_is_release_ns(k->g, ns) && !npc_tpl_is_release_ns(k->g, k->pns)) {
            npc_buf_free(&b);
            return NULL; /* statically another namespace */
        }
        dynamic = 1;
        npc_buf_puts(&b, " (eq ");
        npc_tpl_ns_text(k->g, ns, 1, &b);
        npc_buf_putc(&b, ' ');
        npc_tpl_ns_text(k->g, k->pns, 1, &b);
        npc_buf_putc(&b, ')');
    }
    npc_buf_puts(&b, " true)");
    const char *r = dynamic ? npc_arena_strdup(k->a, npc_buf_cstr(&b)) : NULL;
    npc_buf_free(&b);
    return r;
}

npc_ev *npc_chart_comp_ns(npc_crules *k, const npc_speer *p)
{
    npc_spec *s = k->s;
    if (p->kind == NPC_SP_COMPONENT) {
        const npc_component *c = &s->components[p->index];
        if (npc_tpl_same_ns(k->g, c->ns, k->pns))
            return NULL;
        const char *n = npc_tpl_ns_value(k->g, c->ns);
        return npc_chart_ns_names_ev(k->a, &n, 1);
    }
    const char **names = npc_arena_alloc(k->a, (s->ncomponents + 1) * sizeof *names);
    int other = 0;
    for (size_t i = 0; i < s->ncomponents; i++) {
        other |= !npc_tpl_same_ns(k->g, s->components[i].ns, k->pns);
        names[i] = npc_tpl_ns_value(k->g, s->components[i].ns);
    }
    return other ? npc_chart_ns_names_ev(k->a, names, s->ncomponents) : NULL;
}

/* The namespaces of the default-deny, unique. */
size_t npc_chart_deny_namespaces(npc_crules *k, const char ***out)
{
    npc_spec *s = k->s;
    const npc_default_deny *d = &s->deny;
    const char **ns = NULL, **u = NULL;
    size_t nn = 0, ncap = 0, nu = 0, ucap = 0;
    if (d->nns)
        for (size_t i = 0; i < d->nns; i++)
            NPC_APUSH(k->a, ns, nn, ncap, d->namespaces[i]);
    else
        for (size_t i = 0; i < s->ncomponents; i++)
            NPC_APUSH(k->a, ns, nn, ncap, s->components[i].ns);
    for (size_t i = 0; i < nn; i++) {
        int dup = 0;
        for (size_t j = 0; j < nu; j++)
            dup |= npc_tpl_same_ns(k->g, ns[i], u[j]);
        if (!dup)
            NPC_APUSH(k->a, u, nu, ucap, ns[i]);
    }
    *out = u;
    return nu;
}

int npc_chart_deny_list(npc_crules *k, const char **list_var, const char **name_var, npc_buf *out)
{
    const npc_default_deny *d = &k->s->deny;
    if (!d->present || (!d->dirs[0] && !d->dirs[1]))
        return 0;
    const char **ns;
    size_t nn = npc_chart_deny_namespaces(k, &ns);
    const char *c = npc_tpl_cond_str(k->g, d->when);
    *list_var = npc_tpl_var(k->g, "denyNs");
    *name_var = npc_tpl_var(k->g, "denyName");
    const char *x = npc_tpl_var(k->g, "ns");
    npc_buf_printf(out, "{{- /* the default deny's namespaces */}}\n{{- %s := list }}\n",
                   *list_var);
    npc_buf_printf(out, "{{- if %s }}\n{{- range %s := list", c, x);
    for (size_t i = 0; i < nn; i++) {
        npc_buf_putc(out, ' ');
        npc_tpl_ns_text(k->g, ns[i], 1, out);
    }
    npc_buf_printf(out,
                   " }}\n{{- if not (has %s %s) }}{{- %s = append %s %s }}{{- end }}\n"
                   "{{- end }}\n{{- end }}\n{{- %s := ",
                   x, *list_var, *list_var, *list_var, x, *name_var);
    npc_tpl_name_expr(k->g, d->name, out);
    put(out, " }}\n");
    return 1;
}

void npc_cpeers_add(npc_cpeers *kp, const npc_ev *v)
{
    npc_buf_putc(&kp->items, ' ');
    npc_tpl_ev(v, &kp->items);
    kp->nstatic++;
}

/* ------------------------------------------------------------- peers */

/* The peers of a peers option, converted by the dialect. */
static void option_peers(npc_crules *k, int d, const npc_speer *p, npc_cpeers *kp,
                         const char *list_var, const char *any_var)
{
    npc_buf v = NPC_BUF_INIT, add = NPC_BUF_INIT;
    npc_tpl_value(k->g, p->index, &v);
    k->dl->option_peers(k, d, npc_buf_cstr(&v), list_var, &add);
    if (p->empty_any) {
        const char *any = k->dl->any(k, d);
        npc_buf_printf(&kp->pre, "{{- if %s }}\n%s{{- else }}\n", npc_buf_cstr(&v),
                       npc_buf_cstr(&add));
        if (any)
            npc_buf_printf(&kp->pre, "{{- %s = concat %s %s }}\n", list_var, list_var, any);
        else
            npc_buf_printf(&kp->pre, "{{- %s = true }}\n", any_var);
        put(&kp->pre, "{{- end }}\n");
    } else {
        put(&kp->pre, npc_buf_cstr(&add));
    }
    kp->dynamic = 1;
    kp->ip = 1; /* an option may hold ipBlocks */
    npc_buf_free(&v);
    npc_buf_free(&add);
}

/* Pods in namespaces named by a string or strings option: a selector
 * built at render time, one name as matchLabels, more as In. */
static void option_ns_pods(npc_crules *k, int d, const npc_speer *p, npc_cpeers *kp,
                           const char *list_var)
{
    const char *nv = npc_tpl_var(k->g, "ns");
    npc_buf v = NPC_BUF_INIT;
    npc_tpl_value(k->g, p->ns_opt, &v);
    const char *opt = k->s->options[p->ns_opt].name;
    if (k->s->options[p->ns_opt].type == NPC_OPT_STRING)
        npc_buf_printf(&kp->pre,
                       "{{- %s := list (required \"option '%s' must name one or "
                       "more namespaces\" %s) }}\n",
                       nv, opt, npc_buf_cstr(&v));
    else
        npc_buf_printf(&kp->pre,
                       "{{- %s := uniq (sortAlpha (required \"option '%s' must name one or "
                       "more namespaces\" %s)) }}\n",
                       nv, opt, npc_buf_cstr(&v));
    npc_buf_printf(&kp->pre,
                   "{{- if not %s }}{{- fail \"option '%s' must name one or more "
                   "namespaces\" }}{{- end }}\n",
                   nv, opt);
    const char *sv = npc_tpl_var(k->g, "nsSel");
    npc_buf_printf(&kp->pre,
                   "{{- %s := dict \"matchLabels\" (dict \"" NPC_NS_LABEL "\" (first %s)) }}\n"
                   "{{- if gt (len %s) 1 }}{{- %s = dict \"matchExpressions\" (list (dict "
                   "\"key\" \"" NPC_NS_LABEL "\" \"operator\" \"In\" \"values\" %s)) }}{{- end }}\n",
                   sv, nv, nv, sv, nv);
    npc_buf e = NPC_BUF_INIT;
    k->dl->pods_ns_expr(k, d, p, sv, &e);
    npc_buf_printf(&kp->pre, "{{- %s = append %s %s }}\n", list_var, list_var, npc_buf_cstr(&e));
    kp->dynamic = 1;
    npc_buf_free(&e);
    npc_buf_free(&v);
}

static void lower_peer(npc_crules *k, int d, const npc_speer *p, npc_cpeers *kp,
                       const char *list_var)
{
    switch (p->kind) {
    case NPC_SP_PODS:
        if (p->ns_kind == NPC_SNS_OPTION) {
            option_ns_pods(k, d, p, kp, list_var);
            return;
        }
        k->dl->peer(k, d, p, kp);
        return;
    case NPC_SP_ANY:
    case NPC_SP_ANY_IP:
    case NPC_SP_COMPONENT:
    case NPC_SP_ALL_COMPONENTS:
    case NPC_SP_CIDR:
        k->dl->peer(k, d, p, kp);
        return;
    case NPC_SP_FQDN:
        if (!p->nfallback) {
            npc_buf m = NPC_BUF_INIT;
            npc_buf_printf(&m,
                           "the %s engine cannot select the FQDN '%s'; give a fallback "
                           "peer (e.g. fallback: any-ip or a cidr)",
                           k->dl->engine, p->fqdn);
            kp->fail = npc_arena_strdup(k->a, npc_buf_cstr(&m));
            npc_buf_free(&m);
            return;
        }
        if (npc_spec_warn_once(k->s, NPC122, p->loc))
            npc_warning(k->s->ctx, NPC122, p->loc,
                        "FQDN '%s' is rendered as its fallback peers on the %s engine, which has "
                        "no FQDN rules: the policy allows all of them, not only %s",
                        p->fqdn, k->dl->engine, p->fqdn);
        for (size_t i = 0; i < p->nfallback; i++)
            lower_peer(k, d, &p->fallback[i], kp, list_var);
        return;
    case NPC_SP_ENTITY:
    case NPC_SP_OPTION:
        return; /* expanded by the caller */
    }
}

/* ------------------------------------------------------------- ports */

typedef struct kgroup {
    const npc_speer *peers;
    size_t npeers;
    const npc_entity_part *part; /* NULL: the flow's plain peers */
} kgroup;

typedef struct kports {
    npc_buf items; /* unconditional static ports */
    npc_buf pre;   /* conditional and option ports */
    int all;       /* every port, unconditionally */
    int dynamic;
    int named; /* an unresolved named port */
} kports;

/* dest: the destination peers (a named port becomes a number when every
 * one is a component declaring it with one number, as the compiler does). */
static void lower_ports(npc_crules *k, const npc_sport *ps, size_t n, int given,
                        const kgroup *dest, kports *kq, const char *qv, const char *wv)
{
    const npc_chart_dialect *dl = k->dl;
    if (!given) {
        kq->all = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const npc_sport *p = &ps[i];
        const char *c = npc_tpl_cond_str(k->g, p->when);
        int cond = strcmp(c, "true") != 0;
        npc_buf e = NPC_BUF_INIT;
        int all = 0;
        switch (p->kind) {
        case NPC_SPORT_NUM:
            npc_tpl_ev(dl->port(k, p->proto, p->lo, p->hi, NULL), &e);
            break;
        case NPC_SPORT_NAMED: {
            int proto = 0;
            uint16_t num = 0;
            if (npc_spec_named_port(k->s, dest->peers, dest->npeers, p->name, &proto, &num, NULL))
                npc_tpl_ev(dl->port(k, proto, num, num, NULL), &e);
            else {
                npc_tpl_ev(dl->port(k, p->proto, 0, 0, p->name), &e);
                kq->named = 1;
            }
            break;
        }
        case NPC_SPORT_ALL:
            if (p->proto < 0)
                all = 1;
            else
                npc_tpl_ev(dl->port(k, p->proto, 0, 0, NULL), &e);
            break;
        case NPC_SPORT_OPTION: {
            npc_buf v = NPC_BUF_INIT;
            npc_buf_puts(&v, "(int ");
            npc_tpl_value(k->g, p->opt, &v);
            npc_buf_putc(&v, ')');
            dl->port_expr(k, p->proto, npc_buf_cstr(&v), &e);
            npc_buf_free(&v);
            break;
        }
        case NPC_SPORT_ENDPOINTS: {
            /* the port of each endpoint, parsed as npc_endpoint_port does:
             * an explicit :PORT after the host, else 443 (https, grpcs) or 80 (http) */
            npc_buf v = NPC_BUF_INIT, num = NPC_BUF_INIT;
            npc_tpl_value(k->g, p->opt, &v);
            const char *hv = npc_tpl_var(k->g, "host"), *pv = npc_tpl_var(k->g, "port");
            npc_buf_printf(&num, "(atoi %s)", pv);
            dl->port_expr(k, NPC_PROTO_TCP, npc_buf_cstr(&num), &e);
            if (cond)
                npc_buf_printf(&kq->pre, "{{- if %s }}\n", c);
            npc_buf_printf(&kq->pre,
                           "{{- range (default list %s) }}\n"
                           "{{- %s := regexReplaceAll \"[/?#].*$\" (regexReplaceAll \"^[a-z]+://\" "
                           ". \"\") \"\" }}\n"
                           "{{- %s := trimPrefix \":\" (regexFind \":[0-9]+$\" %s) }}\n"
                           "{{- if not %s }}{{- %s = ternary \"80\" \"443\" (hasPrefix "
                           "\"http://\" .) }}{{- end }}\n"
                           "{{- %s = append %s %s }}\n"
                           "{{- end }}\n",
                           npc_buf_cstr(&v), hv, pv, hv, pv, pv, qv, qv, npc_buf_cstr(&e));
            if (cond)
                put(&kq->pre, "{{- end }}\n");
            kq->dynamic = 1;
            npc_buf_free(&v);
            npc_buf_free(&num);
            npc_buf_free(&e);
            continue;
        }
        }
        if (all) {
            if (cond) {
                npc_buf_printf(&kq->pre, "{{- if %s }}{{- %s = true }}{{- end }}\n", c, wv);
                kq->dynamic = 1;
            } else
                kq->all = 1;
        } else if (cond || p->kind == NPC_SPORT_OPTION) {
            if (cond)
                npc_buf_printf(&kq->pre, "{{- if %s }}{{- %s = append %s %s }}{{- end }}\n", c, qv,
                               qv, npc_buf_cstr(&e));
            else
                npc_buf_printf(&kq->pre, "{{- %s = append %s %s }}\n", qv, qv, npc_buf_cstr(&e));
            kq->dynamic = 1;
        } else {
            npc_buf_putc(&kq->items, ' ');
            npc_buf_puts(&kq->items, npc_buf_cstr(&e));
        }
        npc_buf_free(&e);
    }
}

/* ------------------------------------------------------------- rules */

/* One rule of flow f into direction d of the current policy: peers of
 * group pg, ports of (ps, n, given), under condition cond. */
static void emit_rule(npc_crules *k, npc_buf *out, int d, const npc_flow *f, const char *cond,
                      const kgroup *pg, const npc_sport *ps, size_t n, int given,
                      const kgroup *dest)
{
    const char *pv = npc_tpl_var(k->g, "peers"), *av = npc_tpl_var(k->g, "any");
    const char *qv = npc_tpl_var(k->g, "ports"), *wv = npc_tpl_var(k->g, "all");
    npc_cpeers kp;
    memset(&kp, 0, sizeof kp);
    for (size_t i = 0; i < pg->npeers; i++) {
        const npc_speer *p = &pg->peers[i];
        if (p->kind == NPC_SP_OPTION)
            option_peers(k, d, p, &kp, pv, av);
        else
            lower_peer(k, d, p, &kp, pv);
    }
    kports kq;
    memset(&kq, 0, sizeof kq);
    lower_ports(k, ps, n, given, dest, &kq, qv, wv);
    k->maybe[d] = 1;
    int conditional = strcmp(cond, "true") != 0;
    if (conditional)
        npc_buf_printf(out, "{{- if %s }}\n", cond);
    if (kp.fail) {
        put(out, "{{- fail ");
        npc_tpl_str(kp.fail, out);
        put(out, " }}\n");
    }
    if (kq.named && d == NPC_DIR_EGRESS && kp.ip) {
        npc_buf_printf(out,
                       "{{- fail \"%s: a named port never matches an IP peer in an egress "
                       "rule; give its number\" }}\n",
                       k->dl->engine);
    }
    if (!kp.dynamic && !kq.dynamic) {
        /* everything known now: one append */
        if (kp.nstatic || kp.any) {
            npc_buf peers = NPC_BUF_INIT, ports = NPC_BUF_INIT;
            npc_buf_printf(&peers, "(list%s)", npc_buf_cstr(&kp.items));
            npc_buf_printf(&ports, "(list%s)", npc_buf_cstr(&kq.items));
            k->dl->append(k, d, f, k->list[d], npc_buf_cstr(&peers), kp.any ? "true" : "false",
                          npc_buf_cstr(&ports), kq.all ? "true" : "false", out);
            npc_buf_free(&peers);
            npc_buf_free(&ports);
        }
    } else {
        npc_buf_printf(out, "{{- %s := list%s }}\n", pv, npc_buf_cstr(&kp.items));
        npc_buf_printf(out, "{{- %s := %s }}\n", av, kp.any ? "true" : "false");
        npc_buf_printf(out, "{{- %s := list%s }}\n", qv, npc_buf_cstr(&kq.items));
        npc_buf_printf(out, "{{- %s := %s }}\n", wv, kq.all ? "true" : "false");
        put(out, npc_buf_cstr(&kp.pre));
        put(out, npc_buf_cstr(&kq.pre));
        npc_buf_printf(out, "{{- if and (or %s %s) (or %s %s) }}\n", av, pv, wv, qv);
        k->dl->append(k, d, f, k->list[d], pv, av, qv, wv, out);
        put(out, "{{- end }}\n");
    }
    if (conditional)
        put(out, "{{- end }}\n");
    npc_buf_free(&kp.items);
    npc_buf_free(&kp.pre);
    npc_buf_free(&kq.items);
    npc_buf_free(&kq.pre);
}

typedef struct kgroups {
    kgroup *items;
    size_t n, cap;
    npc_speer *plain;
    size_t nplain, pcap;
} kgroups;

/* The groups of one side, as the compiler's side_groups makes them: the
 * plain peers (options included) in one, each entity part in its own. */
static void side_groups(npc_crules *k, const npc_speer *ps, size_t n, kgroups *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        if (ps[i].kind == NPC_SP_ENTITY) {
            const npc_entity *e = &k->s->entities[ps[i].index];
            for (size_t j = 0; j < e->nparts; j++) {
                kgroup g = {e->parts[j].peers, e->parts[j].npeers, &e->parts[j]};
                NPC_APUSH(k->a, out->items, out->n, out->cap, g);
            }
        } else
            NPC_APUSH(k->a, out->plain, out->nplain, out->pcap, ps[i]);
    }
    if (out->nplain) {
        kgroup g = {out->plain, out->nplain, NULL};
        NPC_APUSH(k->a, out->items, out->n, out->cap, g);
    }
}

static int is_comp(const npc_speer *p)
{
    return p->kind == NPC_SP_COMPONENT || p->kind == NPC_SP_ALL_COMPONENTS;
}

/* The rules flow f gives policy q. */
static void flow_rules(npc_crules *k, npc_buf *out, const npc_flow *f, int q)
{
    npc_spec *s = k->s;
    kgroups gf, gt;
    side_groups(k, f->from, f->nfrom, &gf);
    side_groups(k, f->to, f->nto, &gt);
    const char *fc = npc_tpl_cond_str(k->g, f->when);
    for (size_t i = 0; i < gf.n; i++)
        for (size_t j = 0; j < gt.n; j++) {
            const npc_entity_part *part = gt.items[j].part ? gt.items[j].part : gf.items[i].part;
            const npc_sport *ps = f->ports;
            size_t np = f->nports;
            int given = f->has_ports;
            if (!f->has_ports && part) {
                ps = part->ports;
                np = part->nports;
                given = part->has_ports;
            }
            const kgroup *dest = &gt.items[j];
            for (int d = 0; d < 2; d++) {
                const kgroup *self = d == NPC_DIR_EGRESS ? &gf.items[i] : &gt.items[j];
                const kgroup *other = d == NPC_DIR_EGRESS ? &gt.items[j] : &gf.items[i];
                for (size_t x = 0; x < self->npeers; x++) {
                    if (!is_comp(&self->peers[x]))
                        continue;
                    int p = npc_spec_side_policy(s, f, &self->peers[x]);
                    if (p < 0)
                        continue;
                    const char *lands = npc_tpl_lands(k->g, p, q);
                    if (!strcmp(lands, "false"))
                        continue;
                    emit_rule(k, out, d, f, npc_tpl_and(k->g, fc, lands), other, ps, np, given,
                              dest);
                }
            }
        }
}

/* The passthrough rules of the dialect's engine that land in policy q;
 * returns the condition under which passthrough pt makes policy q exist
 * (for any engine, as the compiler's assign_passthrough). */
static const char *passthrough_rules(npc_crules *k, npc_buf *out, const npc_passthrough *pt,
                                     int q)
{
    const char *c =
        npc_tpl_and(k->g, npc_tpl_cond_str(k->g, pt->when), npc_tpl_lands(k->g, pt->policy, q));
    if (!strcmp(c, "false") || strcmp(pt->engine, k->dl->engine))
        return c;
    int conditional = strcmp(c, "true") != 0;
    for (int d = 0; d < 2; d++) {
        const npc_node *r = pt->rules[d];
        if (!r)
            continue;
        npc_buf b = NPC_BUF_INIT;
        if (r->kind == NPC_NODE_MAP) {
            int o = npc_spec_find_option(k->s, npc_map_get(r, "option")->u.scalar.s);
            npc_buf v = NPC_BUF_INIT;
            npc_tpl_value(k->g, o, &v);
            npc_buf_printf(&b, "{{- if kindIs \"slice\" %s }}{{- %s = concat %s %s }}{{- end }}\n",
                           npc_buf_cstr(&v), k->list[d], k->list[d], npc_buf_cstr(&v));
            npc_buf_free(&v);
        } else if (r->kind == NPC_NODE_SEQ) {
            for (size_t i = 0; i < r->u.seq.len; i++) {
                npc_buf_printf(&b, "{{- %s = append %s ", k->list[d], k->list[d]);
                npc_tpl_ev(npc_ev_from_node(k->a, r->u.seq.items[i]), &b);
                put(&b, " }}\n");
            }
        }
        if (b.len) {
            k->maybe[d] = 1;
            if (conditional)
                npc_buf_printf(out, "{{- if %s }}\n", c);
            put(out, npc_buf_cstr(&b));
            if (conditional)
                put(out, "{{- end }}\n");
        }
        npc_buf_free(&b);
    }
    return c;
}

void npc_crules_policy(npc_crules *k, int q, npc_buf *out, npc_cpolicy *pol)
{
    npc_spec *s = k->s;
    const npc_spolicy *sp = &s->policies[q];
    k->pns = sp->ns;
    k->list[0] = npc_tpl_var(k->g, "ingress");
    k->list[1] = npc_tpl_var(k->g, "egress");
    k->maybe[0] = k->maybe[1] = 0;
    npc_buf_printf(out, "{{- %s := list }}\n{{- %s := list }}\n", k->list[0], k->list[1]);
    for (size_t i = 0; i < s->nflows; i++)
        flow_rules(k, out, &s->flows[i], q);
    const char *pt_exists = "false";
    for (size_t i = 0; i < s->npassthrough; i++)
        pt_exists = npc_tpl_or(k->g, pt_exists, passthrough_rules(k, out, &s->passthrough[i], q));
    const char *iso[2] = {"false", "false"};
    for (size_t p = 0; p < s->npolicies; p++)
        for (int d = 0; d < 2; d++) {
            const npc_spolicy *o = &s->policies[p];
            if (!o->isolate_always[d] && !o->isolate[d])
                continue;
            const char *c = o->isolate_always[d] ? "true" : npc_tpl_cond_str(k->g, o->isolate[d]);
            iso[d] = npc_tpl_or(k->g, iso[d], npc_tpl_and(k->g, c, npc_tpl_lands(k->g, (int)p, q)));
        }
    for (int d = 0; d < 2; d++)
        pol->has[d] = npc_tpl_or(k->g, k->maybe[d] ? k->list[d] : "false", iso[d]);
    pol->any = npc_tpl_or(k->g, pol->has[0], pol->has[1]);
    pol->exists = npc_tpl_or(k->g, pol->any, pt_exists);
}
