/* Chart templates for the kubernetes engine: networking.k8s.io/v1
 * NetworkPolicy objects built the way the compiler and the kubernetes
 * renderer build them (src/spec/compile.c, src/render/render_kubernetes.c).
 *
 * The rules come from the shared builder (rules.c) in NetworkPolicy form:
 * peers and ports as Kubernetes writes them, "*" as an absent from/to,
 * every port as absent ports. A policy is written only when some rule or
 * deny-all holds, and policyTypes lists exactly those directions. Rules
 * come out in spec order, unmerged: the same policies as `render`, which
 * sorts and merges. */
#include <string.h>

#include "chart/rules.h"

#define ENGINE "kubernetes"

typedef npc_crules kgen;

static void put(npc_buf *b, const char *s)
{
    npc_buf_puts(b, s);
}

/* ------------------------------------------------------------ dialect */

static npc_ev *ipblock_ev(npc_arena *a, const char *cidr, const char *const *except,
                          size_t nexcept)
{
    npc_ev *b = npc_ev_map(a);
    npc_ev_put(a, b, "cidr", npc_ev_str(a, cidr));
    if (nexcept) {
        const char **ex = npc_arena_alloc(a, nexcept * sizeof *ex);
        memcpy(ex, except, nexcept * sizeof *ex);
        for (size_t i = 1; i < nexcept; i++) /* sorted as the compiler sorts them */
            for (size_t j = i; j > 0 && strcmp(ex[j - 1], ex[j]) > 0; j--) {
                const char *t = ex[j];
                ex[j] = ex[j - 1];
                ex[j - 1] = t;
            }
        npc_ev *l = npc_ev_seq(a);
        for (size_t i = 0; i < nexcept; i++)
            npc_ev_push(a, l, npc_ev_str(a, ex[i]));
        npc_ev_put(a, b, "except", l);
    }
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "ipBlock", b);
    return m;
}

/* Pods by labels and namespaces (not from an option) as a NetworkPolicyPeer. */
static npc_ev *pods_ev(npc_arena *a, const npc_speer *p)
{
    npc_ev *m = npc_ev_map(a);
    int has_ns = p->ns_kind != NPC_SNS_SAME;
    switch (p->ns_kind) {
    case NPC_SNS_SAME:
    case NPC_SNS_OPTION:
        break;
    case NPC_SNS_ANY:
        npc_ev_put(a, m, "namespaceSelector", npc_ev_map(a));
        break;
    case NPC_SNS_NAMES:
        npc_ev_put(a, m, "namespaceSelector", npc_chart_ns_names_ev(a, p->ns_names, p->nns));
        break;
    case NPC_SNS_SELECTOR:
        npc_ev_put(a, m, "namespaceSelector", npc_chart_sel_ev(a, &p->ns_sel));
        break;
    }
    if (p->has_pods || !has_ns)
        npc_ev_put(a, m, "podSelector", npc_chart_sel_ev(a, &p->pods));
    return m;
}

static void k_peer(kgen *k, int d, const npc_speer *p, npc_cpeers *kp)
{
    (void)d;
    npc_spec *s = k->s;
    switch (p->kind) {
    case NPC_SP_ANY:
        kp->any = 1;
        kp->ip = 1;
        return;
    case NPC_SP_ANY_IP:
        npc_cpeers_add(kp, ipblock_ev(k->a, "0.0.0.0/0", NULL, 0));
        npc_cpeers_add(kp, ipblock_ev(k->a, "::/0", NULL, 0));
        kp->ip = 1;
        return;
    case NPC_SP_COMPONENT:
    case NPC_SP_ALL_COMPONENTS: {
        npc_ev *m = npc_ev_map(k->a), *ns = npc_chart_comp_ns(k, p);
        npc_ev *pods = npc_chart_sel_ev(k->a, p->kind == NPC_SP_COMPONENT
                                                  ? &s->components[p->index].labels
                                                  : &s->selector);
        const char *same = ns ? npc_chart_same_ns_test(k, p) : NULL;
        if (ns)
            npc_ev_put(k->a, m, "namespaceSelector", ns);
        npc_ev_put(k->a, m, "podSelector", pods);
        if (same) { /* the policy's own namespace once the values are known: no selector */
            npc_ev *own = npc_ev_map(k->a);
            npc_ev_put(k->a, own, "podSelector", pods);
            npc_buf_printf(&kp->items, " (ternary ");
            npc_tpl_ev(own, &kp->items);
            npc_buf_putc(&kp->items, ' ');
            npc_tpl_ev(m, &kp->items);
            npc_buf_printf(&kp->items, " %s)", same);
            kp->nstatic++;
        } else
            npc_cpeers_add(kp, m);
        return;
    }
    case NPC_SP_PODS:
        npc_cpeers_add(kp, pods_ev(k->a, p));
        return;
    case NPC_SP_CIDR:
        npc_cpeers_add(kp, ipblock_ev(k->a, p->cidr, p->except, p->nexcept));
        kp->ip = 1;
        return;
    case NPC_SP_FQDN:
    case NPC_SP_ENTITY:
    case NPC_SP_OPTION:
        return; /* the builder's */
    }
}

static void k_pods_ns_expr(kgen *k, int d, const npc_speer *p, const char *ns_sel, npc_buf *out)
{
    (void)d;
    npc_buf_printf(out, "(dict \"namespaceSelector\" %s", ns_sel);
    if (p->has_pods) {
        put(out, " \"podSelector\" ");
        npc_tpl_ev(npc_chart_sel_ev(k->a, &p->pods), out);
    }
    npc_buf_putc(out, ')');
}

/* Option peers are in NetworkPolicyPeer form already: in verbatim. */
static void k_option_peers(kgen *k, int d, const char *v, const char *list, npc_buf *pre)
{
    (void)k;
    (void)d;
    npc_buf_printf(pre, "{{- %s = concat %s (default list %s) }}\n", list, list, v);
}

static const char *k_any(kgen *k, int d)
{
    (void)k;
    (void)d;
    return NULL;
}

static npc_ev *k_port(kgen *k, int proto, uint16_t lo, uint16_t hi, const char *name)
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

static void k_port_expr(kgen *k, int proto, const char *num, npc_buf *out)
{
    (void)k;
    npc_buf_printf(out, "(dict \"protocol\" \"%s\" \"port\" %s)",
                   npc_proto_name((npc_proto)proto), num);
}

static void k_append(kgen *k, int d, const npc_flow *f, const char *list, const char *peers,
                     const char *any, const char *ports, const char *all, npc_buf *out)
{
    (void)f;
    const char *key = d == NPC_DIR_INGRESS ? "from" : "to";
    if ((!strcmp(any, "true") || !strcmp(any, "false")) &&
        (!strcmp(all, "true") || !strcmp(all, "false"))) {
        npc_buf_printf(out, "{{- %s = append %s (dict", list, list);
        if (!strcmp(any, "false"))
            npc_buf_printf(out, " \"%s\" %s", key, peers);
        if (!strcmp(all, "false"))
            npc_buf_printf(out, " \"ports\" %s", ports);
        put(out, ") }}\n");
        return;
    }
    const char *rv = npc_tpl_var(k->g, "rule");
    npc_buf_printf(out,
                   "{{- %s := dict }}\n"
                   "{{- if not %s }}{{- $_ := set %s \"%s\" %s }}{{- end }}\n"
                   "{{- if not %s }}{{- $_ := set %s \"ports\" %s }}{{- end }}\n"
                   "{{- %s = append %s %s }}\n",
                   rv, any, rv, key, peers, all, rv, ports, list, list, rv);
}

static const npc_chart_dialect kubernetes_dialect = {
    ENGINE, k_peer, k_pods_ns_expr, k_option_peers, k_any, k_port, k_port_expr, k_append,
};

/* ----------------------------------------------------------- objects */

static void metadata(kgen *k, npc_buf *out, const char *name, const char *ns)
{
    put(out, "metadata:\n  name: ");
    npc_tpl_name(k->g, name, out);
    put(out, "\n  namespace: ");
    npc_tpl_ns_text(k->g, ns, 0, out);
    put(out, "\n");
    npc_tpl_labels(k->g, out);
}

static void policy_object(kgen *k, int q, npc_cobj *obj)
{
    npc_spec *s = k->s;
    const npc_spolicy *sp = &s->policies[q];
    npc_buf rules = NPC_BUF_INIT;
    npc_cpolicy pol;
    npc_crules_policy(k, q, &rules, &pol);
    const char **has = pol.has, *any = pol.any;
    obj->ns = sp->ns;
    obj->name = sp->name;
    if (!strcmp(any, "false")) {
        npc_buf_free(&rules);
        return; /* never rendered for this engine */
    }
    npc_buf *out = &obj->text;
    npc_buf_printf(out, "{{- /* policy %s */}}\n", sp->name);
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
    npc_tpl_yaml_under(k->a, "podSelector", npc_chart_sel_ev(k->a, subj), 2, out);
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

static void deny_objects(kgen *k, npc_buf *out)
{
    const npc_default_deny *d = &k->s->deny;
    const char *list, *name;
    if (!npc_chart_deny_list(k, &list, &name, out))
        return;
    const char *x = npc_tpl_var(k->g, "ns");
    npc_buf_printf(out,
                   "{{- range %s := %s }}\n"
                   "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                   "metadata:\n  name: {{ %s }}\n  namespace: {{ quote %s }}\n",
                   x, list, name, x);
    npc_tpl_labels(k->g, out);
    put(out, "spec:\n  podSelector: {}\n  policyTypes:\n");
    if (d->dirs[0])
        put(out, "    - Ingress\n");
    if (d->dirs[1])
        put(out, "    - Egress\n");
    put(out, "{{- end }}\n");
}

int npc_chart_kubernetes(npc_chart_gen *g, npc_buf *out)
{
    kgen k = {g, g->s, g->a, &kubernetes_dialect, NULL, {NULL, NULL}, {0, 0}};
    npc_cobj *objs = NULL;
    size_t n = 0, cap = 0;
    for (size_t q = 0; q < g->s->npolicies; q++) {
        npc_cobj o = {NULL, NULL, NPC_BUF_INIT};
        policy_object(&k, (int)q, &o);
        if (o.text.len)
            NPC_APUSH(g->a, objs, n, cap, o);
    }
    npc_cobj o = {"", "", NPC_BUF_INIT}; /* before every policy: namespaces sort after "" */
    deny_objects(&k, &o.text);
    if (o.text.len)
        NPC_APUSH(g->a, objs, n, cap, o);
    npc_chart_write_objects(objs, n, out);
    return !g->failed;
}

npc_ev *npc_chart_peer_ev(npc_chart_gen *g, const npc_speer *p)
{
    npc_ev *list = npc_ev_seq(g->a);
    switch (p->kind) {
    case NPC_SP_ANY_IP:
        npc_ev_push(g->a, list, ipblock_ev(g->a, "0.0.0.0/0", NULL, 0));
        npc_ev_push(g->a, list, ipblock_ev(g->a, "::/0", NULL, 0));
        return list;
    case NPC_SP_CIDR:
        npc_ev_push(g->a, list, ipblock_ev(g->a, p->cidr, p->except, p->nexcept));
        return list;
    case NPC_SP_COMPONENT: {
        /* named by its namespace: the policy's namespace is not known here */
        const npc_component *c = &g->s->components[p->index];
        npc_ev *m = npc_ev_map(g->a);
        npc_ev_put(g->a, m, "namespaceSelector", npc_chart_ns_names_ev(g->a, &c->ns, 1));
        npc_ev_put(g->a, m, "podSelector", npc_chart_sel_ev(g->a, &c->labels));
        npc_ev_push(g->a, list, m);
        return list;
    }
    case NPC_SP_PODS:
        if (p->ns_kind == NPC_SNS_OPTION)
            return NULL;
        npc_ev_push(g->a, list, pods_ev(g->a, p));
        return list;
    case NPC_SP_ANY:
    case NPC_SP_ALL_COMPONENTS:
    case NPC_SP_ENTITY:
    case NPC_SP_FQDN:
    case NPC_SP_OPTION:
        break;
    }
    return NULL;
}
