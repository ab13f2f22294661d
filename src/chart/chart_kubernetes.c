/* Chart templates for the kubernetes engine: networking.k8s.io/v1
 * NetworkPolicy objects built the way the compiler and the kubernetes
 * renderer build them (src/spec/compile.c, src/render/render_kubernetes.c).
 *
 * Each policy's rules are collected into a list per direction with
 * `append`, each under the template test of its condition (the flow's
 * `when`, the policy hand-over chain, the spec's `when`), then written with
 * toYaml. A policy is written only when some rule or deny-all holds, and
 * policyTypes lists exactly those directions. Rules come out in spec
 * order, unmerged: the same policies as `render`, which sorts and merges. */
#include <stdlib.h>
#include <string.h>

#include "chart/chart.h"
#include "model/ir.h"

#define ENGINE "kubernetes"
#define NS_LABEL "kubernetes.io/metadata.name"

typedef struct kgen {
    npc_chart_gen *g;
    npc_spec *s;
    npc_arena *a;
    const char *pns;     /* the policy's namespace */
    const char *list[2]; /* the rule list variables of the policy */
    int maybe[2];        /* some rule may be added */
} kgen;

/* One object of the output with its sort key (namespace, then name). */
typedef struct kobj {
    const char *ns, *name;
    npc_buf text;
} kobj;

static void put(npc_buf *b, const char *s)
{
    npc_buf_puts(b, s);
}

/* A spec selector as {matchLabels, matchExpressions}: labels sorted by
 * key, expressions by key and operator, values sorted (spec.h). */
static npc_ev *sel_ev(npc_arena *a, const npc_ssel *sel)
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

/* ------------------------------------------------------------- peers */

static npc_ev *ns_names_ev(kgen *k, const char *const *names, size_t n)
{
    /* sorted, unique; one name as matchLabels, more as matchExpressions In */
    const char **v = npc_arena_alloc(k->a, (n + 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < m && strcmp(v[j], names[i]) < 0)
            j++;
        if (j < m && !strcmp(v[j], names[i]))
            continue;
        memmove(&v[j + 1], &v[j], (m - j) * sizeof *v);
        v[j] = names[i];
        m++;
    }
    npc_ev *sel = npc_ev_map(k->a);
    if (m == 1) {
        npc_ev *ml = npc_ev_map(k->a);
        npc_ev_put(k->a, ml, NS_LABEL, npc_ev_str(k->a, v[0]));
        npc_ev_put(k->a, sel, "matchLabels", ml);
        return sel;
    }
    npc_ev *e = npc_ev_map(k->a), *vals = npc_ev_seq(k->a), *me = npc_ev_seq(k->a);
    npc_ev_put(k->a, e, "key", npc_ev_str(k->a, NS_LABEL));
    npc_ev_put(k->a, e, "operator", npc_ev_str(k->a, "In"));
    for (size_t i = 0; i < m; i++)
        npc_ev_push(k->a, vals, npc_ev_str(k->a, v[i]));
    npc_ev_put(k->a, e, "values", vals);
    npc_ev_push(k->a, me, e);
    npc_ev_put(k->a, sel, "matchExpressions", me);
    return sel;
}

/* A peer list under construction: static peers as expressions, option
 * peers as statements run before the rule is added. */
typedef struct kpeers {
    npc_buf items; /* " E1 E2" */
    npc_buf pre;   /* statements */
    int any;       /* statically "*" */
    int dyn_any;   /* an option peer may make it "*" */
    int dynamic;   /* an option peer may add peers */
    int nstatic;
    int ip; /* has an ipBlock or any peer (named ports cannot match) */
    const char *fqdn_fail;
} kpeers;

static void add_static(kpeers *kp, const npc_ev *v)
{
    npc_buf_putc(&kp->items, ' ');
    npc_tpl_ev(v, &kp->items);
    kp->nstatic++;
}

static npc_ev *ipblock_ev(kgen *k, const char *cidr, const char *const *except, size_t nexcept)
{
    npc_ev *b = npc_ev_map(k->a);
    npc_ev_put(k->a, b, "cidr", npc_ev_str(k->a, cidr));
    if (nexcept) {
        const char **ex = npc_arena_alloc(k->a, nexcept * sizeof *ex);
        memcpy(ex, except, nexcept * sizeof *ex);
        for (size_t i = 1; i < nexcept; i++) /* sorted as the compiler sorts them */
            for (size_t j = i; j > 0 && strcmp(ex[j - 1], ex[j]) > 0; j--) {
                const char *t = ex[j];
                ex[j] = ex[j - 1];
                ex[j - 1] = t;
            }
        npc_ev *l = npc_ev_seq(k->a);
        for (size_t i = 0; i < nexcept; i++)
            npc_ev_push(k->a, l, npc_ev_str(k->a, ex[i]));
        npc_ev_put(k->a, b, "except", l);
    }
    npc_ev *m = npc_ev_map(k->a);
    npc_ev_put(k->a, m, "ipBlock", b);
    return m;
}

static void lower_peer(kgen *k, const npc_speer *p, kpeers *kp, const char *list_var);

/* The peers of a peers option: in NetworkPolicyPeer form, as the chart's
 * values schema requires, so they go in verbatim. */
static void option_peers(kgen *k, const npc_speer *p, kpeers *kp, const char *list_var,
                         const char *any_var)
{
    npc_buf v = NPC_BUF_INIT;
    npc_tpl_value(k->g, p->index, &v);
    if (p->empty_any) {
        npc_buf_printf(&kp->pre,
                       "{{- if %s }}{{- %s = concat %s %s }}{{- else }}{{- %s = true }}"
                       "{{- end }}\n",
                       npc_buf_cstr(&v), list_var, list_var, npc_buf_cstr(&v), any_var);
        kp->dyn_any = 1;
    } else {
        npc_buf_printf(&kp->pre, "{{- %s = concat %s (default list %s) }}\n", list_var, list_var,
                       npc_buf_cstr(&v));
    }
    kp->dynamic = 1;
    kp->ip = 1; /* an option may hold ipBlocks */
    npc_buf_free(&v);
}

static void lower_pods(kgen *k, const npc_speer *p, kpeers *kp, const char *list_var)
{
    npc_ev *m = npc_ev_map(k->a);
    int has_ns = p->ns_kind != NPC_SNS_SAME;
    if (p->ns_kind == NPC_SNS_OPTION) {
        /* namespaces named by a string or strings option: a selector built
         * at render time, one name as matchLabels, more as In */
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
                       "{{- %s := dict \"matchLabels\" (dict \"" NS_LABEL "\" (first %s)) }}\n"
                       "{{- if gt (len %s) 1 }}{{- %s = dict \"matchExpressions\" (list (dict "
                       "\"key\" \"" NS_LABEL
                       "\" \"operator\" \"In\" \"values\" %s)) }}{{- end }}\n",
                       sv, nv, nv, sv, nv);
        npc_buf e = NPC_BUF_INIT;
        npc_buf_printf(&e, "(dict \"namespaceSelector\" %s", sv);
        if (p->has_pods) {
            npc_buf_puts(&e, " \"podSelector\" ");
            npc_tpl_ev(sel_ev(k->a, &p->pods), &e);
        }
        npc_buf_putc(&e, ')');
        npc_buf_printf(&kp->pre, "{{- %s = append %s %s }}\n", list_var, list_var,
                       npc_buf_cstr(&e));
        kp->dynamic = 1;
        npc_buf_free(&e);
        npc_buf_free(&v);
        return;
    }
    switch (p->ns_kind) {
    case NPC_SNS_SAME:
        break;
    case NPC_SNS_ANY:
        npc_ev_put(k->a, m, "namespaceSelector", npc_ev_map(k->a));
        break;
    case NPC_SNS_NAMES:
        npc_ev_put(k->a, m, "namespaceSelector", ns_names_ev(k, p->ns_names, p->nns));
        break;
    case NPC_SNS_SELECTOR:
        npc_ev_put(k->a, m, "namespaceSelector", sel_ev(k->a, &p->ns_sel));
        break;
    case NPC_SNS_OPTION:
        break;
    }
    if (p->has_pods || !has_ns)
        npc_ev_put(k->a, m, "podSelector", sel_ev(k->a, &p->pods));
    add_static(kp, m);
}

static void lower_peer(kgen *k, const npc_speer *p, kpeers *kp, const char *list_var)
{
    npc_spec *s = k->s;
    switch (p->kind) {
    case NPC_SP_ANY:
        kp->any = 1;
        kp->ip = 1;
        return;
    case NPC_SP_ANY_IP:
        add_static(kp, ipblock_ev(k, "0.0.0.0/0", NULL, 0));
        add_static(kp, ipblock_ev(k, "::/0", NULL, 0));
        kp->ip = 1;
        return;
    case NPC_SP_COMPONENT: {
        const npc_component *c = &s->components[p->index];
        npc_ev *m = npc_ev_map(k->a);
        if (!npc_tpl_same_ns(k->g, c->ns, k->pns)) {
            const char *n = npc_tpl_ns_value(k->g, c->ns);
            npc_ev_put(k->a, m, "namespaceSelector", ns_names_ev(k, &n, 1));
        }
        npc_ev_put(k->a, m, "podSelector", sel_ev(k->a, &c->labels));
        add_static(kp, m);
        return;
    }
    case NPC_SP_ALL_COMPONENTS: {
        npc_ev *m = npc_ev_map(k->a);
        const char **names = npc_arena_alloc(k->a, (s->ncomponents + 1) * sizeof *names);
        int other = 0;
        for (size_t i = 0; i < s->ncomponents; i++) {
            other |= !npc_tpl_same_ns(k->g, s->components[i].ns, k->pns);
            names[i] = npc_tpl_ns_value(k->g, s->components[i].ns);
        }
        if (other)
            npc_ev_put(k->a, m, "namespaceSelector", ns_names_ev(k, names, s->ncomponents));
        npc_ev_put(k->a, m, "podSelector", sel_ev(k->a, &s->selector));
        add_static(kp, m);
        return;
    }
    case NPC_SP_PODS:
        lower_pods(k, p, kp, list_var);
        return;
    case NPC_SP_CIDR:
        add_static(kp, ipblock_ev(k, p->cidr, p->except, p->nexcept));
        kp->ip = 1;
        return;
    case NPC_SP_FQDN:
        if (!p->nfallback) {
            npc_buf m = NPC_BUF_INIT;
            npc_buf_printf(&m,
                           "the kubernetes engine cannot select the FQDN '%s'; give a fallback "
                           "peer (e.g. fallback: any-ip or a cidr)",
                           p->fqdn);
            kp->fqdn_fail = npc_arena_strdup(k->a, npc_buf_cstr(&m));
            npc_buf_free(&m);
            return;
        }
        for (size_t i = 0; i < p->nfallback; i++)
            lower_peer(k, &p->fallback[i], kp, list_var);
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
    int given;
    int named; /* an unresolved named port */
} kports;

static npc_ev *port_ev(kgen *k, int proto, uint16_t lo, uint16_t hi, const char *name)
{
    npc_ev *m = npc_ev_map(k->a);
    npc_ev_put(k->a, m, "protocol", npc_ev_str(k->a, npc_proto_name((npc_proto)proto)));
    if (name)
        npc_ev_put(k->a, m, "port", npc_ev_str(k->a, name));
    else if (lo) {
        npc_ev_put(k->a, m, "port", npc_ev_int(k->a, lo));
        if (hi != lo)
            npc_ev_put(k->a, m, "endPort", npc_ev_int(k->a, hi));
    }
    return m;
}

/* dest: the destination peers (a named port becomes a number when every
 * one is a component declaring it with one number, as the compiler does). */
static void lower_ports(kgen *k, const npc_sport *ps, size_t n, int given, const kgroup *dest,
                        kports *kq, const char *qv, const char *wv)
{
    kq->given = given;
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
            npc_tpl_ev(port_ev(k, p->proto, p->lo, p->hi, NULL), &e);
            break;
        case NPC_SPORT_NAMED: {
            int proto = 0;
            uint16_t num = 0;
            if (npc_spec_named_port(k->s, dest->peers, dest->npeers, p->name, &proto, &num, NULL))
                npc_tpl_ev(port_ev(k, proto, num, num, NULL), &e);
            else {
                npc_tpl_ev(port_ev(k, p->proto, 0, 0, p->name), &e);
                kq->named = 1;
            }
            break;
        }
        case NPC_SPORT_ALL:
            if (p->proto < 0)
                all = 1;
            else
                npc_tpl_ev(port_ev(k, p->proto, 0, 0, NULL), &e);
            break;
        case NPC_SPORT_OPTION: {
            npc_buf v = NPC_BUF_INIT;
            npc_tpl_value(k->g, p->opt, &v);
            npc_buf_printf(&e, "(dict \"protocol\" \"%s\" \"port\" (int %s))",
                           npc_proto_name((npc_proto)p->proto), npc_buf_cstr(&v));
            npc_buf_free(&v);
            break;
        }
        case NPC_SPORT_ENDPOINTS: {
            /* the port of each endpoint, parsed as npc_endpoint_port does:
             * an explicit :PORT after the host, else 443 (https, grpcs) or 80 (http) */
            npc_buf v = NPC_BUF_INIT;
            npc_tpl_value(k->g, p->opt, &v);
            const char *hv = npc_tpl_var(k->g, "host"), *pv = npc_tpl_var(k->g, "port");
            if (cond)
                npc_buf_printf(&kq->pre, "{{- if %s }}\n", c);
            npc_buf_printf(&kq->pre,
                           "{{- range (default list %s) }}\n"
                           "{{- %s := regexReplaceAll \"[/?#].*$\" (regexReplaceAll \"^[a-z]+://\" "
                           ". \"\") \"\" }}\n"
                           "{{- %s := trimPrefix \":\" (regexFind \":[0-9]+$\" %s) }}\n"
                           "{{- if not %s }}{{- %s = ternary \"80\" \"443\" (hasPrefix "
                           "\"http://\" .) }}{{- end }}\n"
                           "{{- %s = append %s (dict \"protocol\" \"TCP\" \"port\" (atoi %s)) }}\n"
                           "{{- end }}\n",
                           npc_buf_cstr(&v), hv, pv, hv, pv, pv, qv, qv, pv);
            if (cond)
                put(&kq->pre, "{{- end }}\n");
            kq->dynamic = 1;
            npc_buf_free(&v);
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

/* One rule into direction d of the current policy: peers of group pg,
 * ports of (ps, n, given), under condition cond. */
static void emit_rule(kgen *k, npc_buf *out, int d, const char *cond, const kgroup *pg,
                      const npc_sport *ps, size_t n, int given, const kgroup *dest)
{
    const char *pv = npc_tpl_var(k->g, "peers"), *av = npc_tpl_var(k->g, "any");
    const char *qv = npc_tpl_var(k->g, "ports"), *wv = npc_tpl_var(k->g, "all");
    kpeers kp;
    memset(&kp, 0, sizeof kp);
    for (size_t i = 0; i < pg->npeers; i++) {
        const npc_speer *p = &pg->peers[i];
        if (p->kind == NPC_SP_OPTION)
            option_peers(k, p, &kp, pv, av);
        else
            lower_peer(k, p, &kp, pv);
    }
    kports kq;
    memset(&kq, 0, sizeof kq);
    lower_ports(k, ps, n, given, dest, &kq, qv, wv);
    k->maybe[d] = 1;
    int conditional = strcmp(cond, "true") != 0;
    if (conditional)
        npc_buf_printf(out, "{{- if %s }}\n", cond);
    if (kp.fqdn_fail) {
        put(out, "{{- fail ");
        npc_tpl_str(kp.fqdn_fail, out);
        put(out, " }}\n");
    }
    if (kq.named && d == NPC_DIR_EGRESS && kp.ip) {
        put(out, "{{- fail \"a named port never matches an IP peer in an egress rule; give its "
                 "number\" }}\n");
    }
    const char *key = d == NPC_DIR_INGRESS ? "from" : "to";
    if (!kp.dynamic && !kq.dynamic) {
        /* everything known now: one append */
        if (kp.nstatic || kp.any) {
            npc_buf_printf(out, "{{- %s = append %s (dict", k->list[d], k->list[d]);
            if (!kp.any)
                npc_buf_printf(out, " \"%s\" (list%s)", key, npc_buf_cstr(&kp.items));
            if (!kq.all)
                npc_buf_printf(out, " \"ports\" (list%s)", npc_buf_cstr(&kq.items));
            put(out, ") }}\n");
        }
    } else {
        npc_buf_printf(out, "{{- %s := list%s }}\n", pv, npc_buf_cstr(&kp.items));
        npc_buf_printf(out, "{{- %s := %s }}\n", av, kp.any ? "true" : "false");
        npc_buf_printf(out, "{{- %s := list%s }}\n", qv, npc_buf_cstr(&kq.items));
        npc_buf_printf(out, "{{- %s := %s }}\n", wv, kq.all ? "true" : "false");
        put(out, npc_buf_cstr(&kp.pre));
        put(out, npc_buf_cstr(&kq.pre));
        const char *rv = npc_tpl_var(k->g, "rule");
        npc_buf_printf(out,
                       "{{- if and (or %s %s) (or %s %s) }}\n"
                       "{{- %s := dict }}\n"
                       "{{- if not %s }}{{- $_ := set %s \"%s\" %s }}{{- end }}\n"
                       "{{- if not %s }}{{- $_ := set %s \"ports\" %s }}{{- end }}\n"
                       "{{- %s = append %s %s }}\n"
                       "{{- end }}\n",
                       av, pv, wv, qv, rv, av, rv, key, pv, wv, rv, qv, k->list[d], k->list[d], rv);
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
static void side_groups(kgen *k, const npc_speer *ps, size_t n, kgroups *out)
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
static void flow_rules(kgen *k, npc_buf *out, const npc_flow *f, int q)
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
                    emit_rule(k, out, d, npc_tpl_and(k->g, fc, lands), other, ps, np, given, dest);
                }
            }
        }
}

static void passthrough_rules(kgen *k, npc_buf *out, const npc_passthrough *pt, int q)
{
    if (strcmp(pt->engine, ENGINE))
        return;
    const char *c =
        npc_tpl_and(k->g, npc_tpl_cond_str(k->g, pt->when), npc_tpl_lands(k->g, pt->policy, q));
    if (!strcmp(c, "false"))
        return;
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
}

/* ----------------------------------------------------------- objects */

static void metadata(kgen *k, npc_buf *out, const char *name, const char *ns)
{
    npc_spec *s = k->s;
    put(out, "metadata:\n  name: ");
    npc_tpl_name(k->g, name, out);
    npc_buf_printf(out, "\n  namespace: %s\n",
                   npc_tpl_is_release_ns(k->g, ns) ? "{{ $.Release.Namespace }}" : ns);
    const char *inc = k->g->opts ? k->g->opts->labels_include : NULL;
    if (inc) {
        put(out, "  labels:\n    {{- include ");
        npc_tpl_str(inc, out);
        put(out, " $ | nindent 4 }}\n");
    } else if (s->nlabels) {
        npc_ev *l = npc_ev_map(k->a);
        for (size_t i = 0; i < s->nlabels; i++)
            npc_ev_put(k->a, l, s->labels[i].key, npc_ev_str(k->a, s->labels[i].value));
        npc_tpl_yaml_under(k->a, "labels", l, 2, out);
    }
}

static void policy_object(kgen *k, int q, kobj *obj)
{
    npc_spec *s = k->s;
    const npc_spolicy *sp = &s->policies[q];
    k->pns = sp->ns;
    k->list[0] = npc_tpl_var(k->g, "ingress");
    k->list[1] = npc_tpl_var(k->g, "egress");
    k->maybe[0] = k->maybe[1] = 0;
    npc_buf rules = NPC_BUF_INIT;
    for (size_t i = 0; i < s->nflows; i++)
        flow_rules(k, &rules, &s->flows[i], q);
    for (size_t i = 0; i < s->npassthrough; i++)
        passthrough_rules(k, &rules, &s->passthrough[i], q);
    const char *iso[2] = {"false", "false"};
    for (size_t p = 0; p < s->npolicies; p++)
        for (int d = 0; d < 2; d++) {
            const npc_spolicy *o = &s->policies[p];
            if (!o->isolate_always[d] && !o->isolate[d])
                continue;
            const char *c = o->isolate_always[d] ? "true" : npc_tpl_cond_str(k->g, o->isolate[d]);
            iso[d] = npc_tpl_or(k->g, iso[d], npc_tpl_and(k->g, c, npc_tpl_lands(k->g, (int)p, q)));
        }
    const char *has[2];
    for (int d = 0; d < 2; d++)
        has[d] = npc_tpl_or(k->g, k->maybe[d] ? k->list[d] : "false", iso[d]);
    const char *any = npc_tpl_or(k->g, has[0], has[1]);
    obj->ns = sp->ns;
    obj->name = sp->name;
    if (!strcmp(any, "false")) {
        npc_buf_free(&rules);
        return; /* never rendered for this engine */
    }
    npc_buf *out = &obj->text;
    npc_buf_printf(out, "{{- /* policy %s */}}\n", sp->name);
    npc_buf_printf(out, "{{- %s := list }}\n{{- %s := list }}\n", k->list[0], k->list[1]);
    put(out, npc_buf_cstr(&rules));
    npc_buf_free(&rules);
    int conditional = strcmp(any, "true") != 0;
    if (conditional)
        npc_buf_printf(out, "{{- if %s }}\n", any);
    put(out, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n");
    metadata(k, out, sp->name, sp->ns);
    put(out, "spec:\n");
    const npc_ssel *subj =
        sp->subject == NPC_SUBJ_ALL ? &s->selector : &s->components[sp->subject].labels;
    npc_tpl_yaml_under(k->a, "podSelector", sel_ev(k->a, subj), 2, out);
    put(out, "  policyTypes:\n");
    static const char *const types[2] = {"Ingress", "Egress"};
    for (int d = 0; d < 2; d++) {
        if (!strcmp(has[d], "false"))
            continue;
        if (strcmp(has[d], "true"))
            npc_buf_printf(out, "    {{- if %s }}\n    - %s\n    {{- end }}\n", has[d], types[d]);
        else
            npc_buf_printf(out, "    - %s\n", types[d]);
    }
    for (int d = 0; d < 2; d++)
        if (k->maybe[d])
            npc_buf_printf(
                out, "  {{- with %s }}\n  %s:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n",
                k->list[d], d == NPC_DIR_INGRESS ? "ingress" : "egress");
    if (conditional)
        put(out, "{{- end }}\n");
}

static void deny_objects(kgen *k, kobj **objs, size_t *n, size_t *cap)
{
    npc_spec *s = k->s;
    const npc_default_deny *d = &s->deny;
    if (!d->present || (!d->dirs[0] && !d->dirs[1]))
        return;
    const char **ns = NULL;
    size_t nn = 0, ncap = 0;
    if (d->nns)
        for (size_t i = 0; i < d->nns; i++)
            NPC_APUSH(k->a, ns, nn, ncap, d->namespaces[i]);
    else
        for (size_t i = 0; i < s->ncomponents; i++)
            NPC_APUSH(k->a, ns, nn, ncap, s->components[i].ns);
    const char *c = npc_tpl_cond_str(k->g, d->when);
    for (size_t i = 0; i < nn; i++) {
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= npc_tpl_same_ns(k->g, ns[i], ns[j]);
        if (dup)
            continue;
        kobj o = {ns[i], d->name, NPC_BUF_INIT};
        npc_buf *out = &o.text;
        npc_buf_printf(out, "{{- /* default deny in %s */}}\n", ns[i]);
        int conditional = strcmp(c, "true") != 0;
        if (conditional)
            npc_buf_printf(out, "{{- if %s }}\n", c);
        put(out, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n");
        metadata(k, out, d->name, ns[i]);
        put(out, "spec:\n  podSelector: {}\n  policyTypes:\n");
        if (d->dirs[0])
            put(out, "    - Ingress\n");
        if (d->dirs[1])
            put(out, "    - Egress\n");
        if (conditional)
            put(out, "{{- end }}\n");
        NPC_APUSH(k->a, *objs, *n, *cap, o);
    }
}

static int kobj_cmp(const void *x, const void *y)
{
    const kobj *a = x, *b = y;
    int c = strcmp(a->ns, b->ns);
    return c ? c : strcmp(a->name, b->name);
}

int npc_chart_kubernetes(npc_chart_gen *g, npc_buf *out)
{
    kgen k = {g, g->s, g->a, NULL, {NULL, NULL}, {0, 0}};
    kobj *objs = NULL;
    size_t n = 0, cap = 0;
    for (size_t q = 0; q < g->s->npolicies; q++) {
        kobj o = {NULL, NULL, NPC_BUF_INIT};
        policy_object(&k, (int)q, &o);
        if (o.text.len)
            NPC_APUSH(g->a, objs, n, cap, o);
    }
    deny_objects(&k, &objs, &n, &cap);
    if (n > 1)
        qsort(objs, n, sizeof *objs, kobj_cmp);
    for (size_t i = 0; i < n; i++) {
        put(out, npc_buf_cstr(&objs[i].text));
        npc_buf_free(&objs[i].text);
    }
    return !g->failed;
}

npc_ev *npc_chart_peer_ev(npc_chart_gen *g, const npc_speer *p)
{
    kgen k = {g, g->s, g->a, "", {NULL, NULL}, {0, 0}};
    npc_ev *list = npc_ev_seq(g->a);
    switch (p->kind) {
    case NPC_SP_ANY_IP:
        npc_ev_push(g->a, list, ipblock_ev(&k, "0.0.0.0/0", NULL, 0));
        npc_ev_push(g->a, list, ipblock_ev(&k, "::/0", NULL, 0));
        return list;
    case NPC_SP_CIDR:
        npc_ev_push(g->a, list, ipblock_ev(&k, p->cidr, p->except, p->nexcept));
        return list;
    case NPC_SP_COMPONENT: {
        /* named by its namespace: the policy's namespace is not known here */
        const npc_component *c = &g->s->components[p->index];
        npc_ev *m = npc_ev_map(g->a);
        npc_ev_put(g->a, m, "namespaceSelector", ns_names_ev(&k, &c->ns, 1));
        npc_ev_put(g->a, m, "podSelector", sel_ev(g->a, &c->labels));
        npc_ev_push(g->a, list, m);
        return list;
    }
    case NPC_SP_PODS: {
        if (p->ns_kind == NPC_SNS_OPTION)
            return NULL;
        npc_ev *m = npc_ev_map(g->a);
        int has_ns = p->ns_kind != NPC_SNS_SAME;
        if (p->ns_kind == NPC_SNS_ANY)
            npc_ev_put(g->a, m, "namespaceSelector", npc_ev_map(g->a));
        else if (p->ns_kind == NPC_SNS_NAMES)
            npc_ev_put(g->a, m, "namespaceSelector", ns_names_ev(&k, p->ns_names, p->nns));
        else if (p->ns_kind == NPC_SNS_SELECTOR)
            npc_ev_put(g->a, m, "namespaceSelector", sel_ev(g->a, &p->ns_sel));
        if (p->has_pods || !has_ns)
            npc_ev_put(g->a, m, "podSelector", sel_ev(g->a, &p->pods));
        npc_ev_push(g->a, list, m);
        return list;
    }
    case NPC_SP_ANY:
    case NPC_SP_ALL_COMPONENTS:
    case NPC_SP_ENTITY:
    case NPC_SP_FQDN:
    case NPC_SP_OPTION:
        break;
    }
    return NULL;
}
