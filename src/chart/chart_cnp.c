/* Chart templates for the clusterNetworkPolicy engine: SIG-Network
 * ClusterNetworkPolicy objects (policy.networking.k8s.io/v1alpha2) built
 * the way src/render/render_cnp.c builds them from the compiled policies:
 *   - "<name>": the Accept rules at the spec's priority in its tier, 25
 *     rules per direction and object ("<name>-2", ...), 25 peers and 25
 *     protocols per rule;
 *   - "<name>-isolation": a Deny per direction the policy has, at the next
 *     priority;
 *   - the default-deny: a Deny per namespace at defaultDeny.order, capped
 *     at the API's maximum priority;
 *   - a name taken by policies of several namespaces becomes
 *     "<namespace>.<name>" (counted among the policies the compiler makes,
 *     for any engine, for the values given).
 * The rules come from the shared builder (rules.c) in this engine's peer
 * and protocol forms: "*" and any-ip as every namespace (plus every
 * address in egress), IP ranges as networks (egress only: ingress peers
 * are namespaces and pods), a CIDR's except as the ranges left. Option
 * peers hold NetworkPolicyPeer values (the chart's values schema) and are
 * converted at render time; an ipBlock with except among them fails, as
 * Helm's functions cannot subtract ranges. */
#include <string.h>

#include "chart/rules.h"
#include "model/ipnet.h"

#define ENGINE "clusterNetworkPolicy"
#define API_MAX 25 /* rules per direction, peers per rule, protocols, networks */
#define MAX_PRIORITY 1000
#define DEFAULT_PRIORITY 100
#define PRIO_VAR "$cnpPriority"
#define DENY_VAR "$cnpDenyPriority"
#define NAMES_VAR "$cnpNames"

typedef npc_crules kgen;

static void put(npc_buf *b, const char *s)
{
    npc_buf_puts(b, s);
}

/* ------------------------------------------------------------ dialect */

static npc_ev *all_namespaces(npc_arena *a)
{
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "namespaces", npc_ev_map(a));
    return m;
}

static npc_ev *networks(npc_arena *a, npc_ev *cidrs)
{
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "networks", cidrs);
    return m;
}

static npc_ev *every_address(npc_arena *a)
{
    npc_ev *l = npc_ev_seq(a);
    npc_ev_push(a, l, npc_ev_str(a, "0.0.0.0/0"));
    npc_ev_push(a, l, npc_ev_str(a, "::/0"));
    return networks(a, l);
}

/* The namespace of the policy as a selector (the release namespace as an
 * expression). */
static npc_ev *own_ns(kgen *k, const char *ns)
{
    const char *n = npc_tpl_ns_value(k->g, ns);
    return npc_chart_ns_names_ev(k->a, &n, 1);
}

/* pods {namespaceSelector, podSelector}, or namespaces when the pods are
 * every pod of selected namespaces (as the renderer writes them). */
static npc_ev *pods_or_namespaces(kgen *k, npc_ev *ns, const npc_ssel *pods)
{
    npc_ev *m = npc_ev_map(k->a);
    if (ns && (!pods || (!pods->nlabels && !pods->nexprs))) {
        npc_ev_put(k->a, m, "namespaces", ns);
        return m;
    }
    npc_ev *p = npc_ev_map(k->a);
    npc_ev_put(k->a, p, "namespaceSelector", ns ? ns : own_ns(k, k->pns));
    npc_ev_put(k->a, p, "podSelector", pods ? npc_chart_sel_ev(k->a, pods) : npc_ev_map(k->a));
    npc_ev_put(k->a, m, "pods", p);
    return m;
}

typedef struct cidr_sink {
    npc_arena *a;
    npc_cpeers *kp;
    npc_ev *cur;
} cidr_sink;

static void flush_cidrs(cidr_sink *k)
{
    if (k->cur && k->cur->n)
        npc_cpeers_add(k->kp, networks(k->a, k->cur));
    k->cur = NULL;
}

static void add_cidr(void *user, const char *cidr)
{
    cidr_sink *k = user;
    if (k->cur && k->cur->n == API_MAX)
        flush_cidrs(k);
    if (!k->cur)
        k->cur = npc_ev_seq(k->a);
    npc_ev_push(k->a, k->cur, npc_ev_str(k->a, npc_arena_strdup(k->a, cidr)));
}

/* A CIDR and its except as networks: the ranges left, as CIDRs. */
static void cidr_networks(kgen *k, const npc_speer *p, npc_cpeers *kp)
{
    cidr_sink sink = {k->a, kp, NULL};
    if (!p->nexcept) {
        add_cidr(&sink, p->cidr);
        flush_cidrs(&sink);
        return;
    }
    npc_iprange whole, *ex = npc_arena_alloc(k->a, (p->nexcept + 1) * sizeof *ex);
    npc_iprange *left = npc_arena_alloc(k->a, (p->nexcept + 2) * sizeof *left);
    int prefix, v6, ev6, canonical;
    (void)npc_cidr_parse(p->cidr, &whole, &prefix, &v6, &canonical);
    for (size_t i = 0; i < p->nexcept; i++)
        (void)npc_cidr_parse(p->except[i], &ex[i], &prefix, &ev6, &canonical);
    uint32_t n = npc_cidr_minus(whole, v6, ex, (uint32_t)p->nexcept, left);
    for (uint32_t i = 0; i < n; i++)
        npc_iprange_cidrs(left[i], add_cidr, &sink);
    flush_cidrs(&sink);
}

static void c_peer(kgen *k, int d, const npc_speer *p, npc_cpeers *kp)
{
    npc_spec *s = k->s;
    int eg = d == NPC_DIR_EGRESS;
    switch (p->kind) {
    case NPC_SP_ANY:
        npc_cpeers_add(kp, all_namespaces(k->a));
        if (eg)
            npc_cpeers_add(kp, every_address(k->a));
        kp->ip = 1;
        return;
    case NPC_SP_ANY_IP:
        /* every address as a source: every pod (external sources are
         * never denied by a ClusterNetworkPolicy) */
        npc_cpeers_add(kp, eg ? every_address(k->a) : all_namespaces(k->a));
        kp->ip = 1;
        return;
    case NPC_SP_COMPONENT:
        npc_cpeers_add(kp, pods_or_namespaces(k, npc_chart_comp_ns(k, p),
                                              &s->components[p->index].labels));
        return;
    case NPC_SP_ALL_COMPONENTS:
        npc_cpeers_add(kp, pods_or_namespaces(k, npc_chart_comp_ns(k, p), &s->selector));
        return;
    case NPC_SP_PODS: {
        npc_ev *ns = NULL;
        switch (p->ns_kind) {
        case NPC_SNS_SAME:
        case NPC_SNS_OPTION:
            break;
        case NPC_SNS_ANY:
            ns = npc_ev_map(k->a);
            break;
        case NPC_SNS_NAMES:
            ns = npc_chart_ns_names_ev(k->a, p->ns_names, p->nns);
            break;
        case NPC_SNS_SELECTOR:
            ns = npc_chart_sel_ev(k->a, &p->ns_sel);
            break;
        }
        npc_cpeers_add(kp, pods_or_namespaces(k, ns, p->has_pods ? &p->pods : NULL));
        return;
    }
    case NPC_SP_CIDR:
        kp->ip = 1;
        if (!eg) {
            npc_buf m = NPC_BUF_INIT;
            npc_buf_printf(&m,
                           "ClusterNetworkPolicy cannot select IP sources ('%s') in ingress rules: "
                           "its ingress peers are namespaces and pods",
                           p->cidr);
            kp->fail = npc_arena_strdup(k->a, npc_buf_cstr(&m));
            npc_buf_free(&m);
            return;
        }
        cidr_networks(k, p, kp);
        return;
    case NPC_SP_FQDN:
        kp->ip = 1; /* a named port never matches an FQDN peer, whatever its fallback */
        return;
    case NPC_SP_ENTITY:
    case NPC_SP_OPTION:
        return; /* the builder's */
    }
}

static void c_pods_ns_expr(kgen *k, int d, const npc_speer *p, const char *ns_sel, npc_buf *out)
{
    (void)d;
    if (!p->has_pods || (!p->pods.nlabels && !p->pods.nexprs)) {
        npc_buf_printf(out, "(dict \"namespaces\" %s)", ns_sel);
        return;
    }
    npc_buf_printf(out, "(dict \"pods\" (dict \"namespaceSelector\" %s \"podSelector\" ", ns_sel);
    npc_tpl_ev(npc_chart_sel_ev(k->a, &p->pods), out);
    put(out, "))");
}

/* NetworkPolicyPeer values converted as the compiler reads them (a pods
 * peer without namespaceSelector is in the policy's namespace; a
 * namespaceSelector without pods is whole namespaces). */
static void c_option_peers(kgen *k, int d, const char *v, const char *list, npc_buf *pre)
{
    const char *pv = npc_tpl_var(k->g, "peer");
    npc_buf own = NPC_BUF_INIT;
    npc_tpl_ev(own_ns(k, k->pns), &own);
    npc_buf_printf(pre, "{{- range %s := (default list %s) }}\n{{- if hasKey %s \"ipBlock\" }}\n", pv,
                   v, pv);
    if (d == NPC_DIR_INGRESS)
        npc_buf_printf(pre,
                       "{{- fail (printf \"ClusterNetworkPolicy cannot select IP sources ('%%s') "
                       "in ingress rules: its ingress peers are namespaces and pods\" %s.ipBlock.cidr) "
                       "}}\n",
                       pv);
    else
        npc_buf_printf(pre,
                       "{{- if %s.ipBlock.except }}{{- fail (printf \"ipBlock %%s: the chart cannot "
                       "write an except as ClusterNetworkPolicy networks; give the ranges left as "
                       "CIDRs\" %s.ipBlock.cidr) }}{{- end }}\n"
                       "{{- %s = append %s (dict \"networks\" (list %s.ipBlock.cidr)) }}\n",
                       pv, pv, list, list, pv);
    npc_buf_printf(pre,
                   "{{- else if and (hasKey %s \"namespaceSelector\") (not %s.podSelector) }}\n"
                   "{{- %s = append %s (dict \"namespaces\" %s.namespaceSelector) }}\n"
                   "{{- else if hasKey %s \"namespaceSelector\" }}\n"
                   "{{- %s = append %s (dict \"pods\" (dict \"namespaceSelector\" "
                   "%s.namespaceSelector \"podSelector\" %s.podSelector)) }}\n"
                   "{{- else }}\n"
                   "{{- %s = append %s (dict \"pods\" (dict \"namespaceSelector\" %s "
                   "\"podSelector\" (default (dict) %s.podSelector))) }}\n"
                   "{{- end }}\n{{- end }}\n",
                   pv, pv, list, list, pv, pv, list, list, pv, pv, list, list, npc_buf_cstr(&own),
                   pv);
    npc_buf_free(&own);
}

static const char *c_any(kgen *k, int d)
{
    (void)k;
    return d == NPC_DIR_INGRESS ? "(list (dict \"namespaces\" (dict)))"
                                : "(list (dict \"namespaces\" (dict)) (dict \"networks\" (list "
                                  "\"0.0.0.0/0\" \"::/0\")))";
}

static const char *const proto_keys[NPC_PROTO_COUNT] = {"tcp", "udp", "sctp"};

static npc_ev *c_port(kgen *k, int proto, uint16_t lo, uint16_t hi, const char *name)
{
    npc_arena *a = k->a;
    npc_ev *m = npc_ev_map(a);
    if (name) {
        npc_ev_put(a, m, "destinationNamedPort", npc_ev_str(a, name));
        return m;
    }
    if (!lo) { /* every port of the protocol */
        lo = 1;
        hi = 65535;
    }
    npc_ev *dp = npc_ev_map(a);
    if (lo == hi) {
        npc_ev_put(a, dp, "number", npc_ev_int(a, lo));
    } else {
        npc_ev *r = npc_ev_map(a);
        npc_ev_put(a, r, "start", npc_ev_int(a, lo));
        npc_ev_put(a, r, "end", npc_ev_int(a, hi));
        npc_ev_put(a, dp, "range", r);
    }
    npc_ev *pp = npc_ev_map(a);
    npc_ev_put(a, pp, "destinationPort", dp);
    npc_ev_put(a, m, proto_keys[proto], pp);
    return m;
}

static void c_port_expr(kgen *k, int proto, const char *num, npc_buf *out)
{
    (void)k;
    npc_buf_printf(out, "(dict \"%s\" (dict \"destinationPort\" (dict \"number\" %s)))",
                   proto_keys[proto], num);
}

/* The rule's name: its flow's purpose, at most 100 bytes (cut at a
 * character boundary), as the renderer names rules. */
static void rule_name(const npc_flow *f, int d, npc_buf *out)
{
    const char *p = !f ? NULL : d == NPC_DIR_INGRESS ? f->purpose_to : f->purpose_from;
    if (!p || !*p)
        return;
    size_t n = strlen(p);
    npc_buf b = NPC_BUF_INIT;
    if (n > 100) {
        n = 97;
        while (n && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
        npc_buf_append(&b, p, n);
        npc_buf_puts(&b, "...");
    } else
        npc_buf_puts(&b, p);
    put(out, " \"name\" ");
    npc_tpl_str(npc_buf_cstr(&b), out);
    npc_buf_free(&b);
}

static void c_append(kgen *k, int d, const npc_flow *f, const char *list, const char *peers,
                     const char *any, const char *ports, const char *all, npc_buf *out)
{
    (void)any; /* "*" is written as peers (c_any) */
    const char *pc = npc_tpl_var(k->g, "pc"), *qc = npc_tpl_var(k->g, "qc");
    npc_buf head = NPC_BUF_INIT;
    npc_buf_puts(&head, "(dict");
    rule_name(f, d, &head);
    npc_buf_printf(&head, " \"action\" \"Accept\" \"%s\" %s", d == NPC_DIR_INGRESS ? "from" : "to",
                   pc);
    const char *h = npc_buf_cstr(&head);
    npc_buf_printf(out, "{{- range %s := chunk %d %s }}\n", pc, API_MAX, peers);
    if (!strcmp(all, "true")) {
        npc_buf_printf(out, "{{- %s = append %s %s) }}\n", list, list, h);
    } else {
        int dyn = strcmp(all, "false") != 0;
        if (dyn)
            npc_buf_printf(out, "{{- if %s }}\n{{- %s = append %s %s) }}\n{{- else }}\n", all,
                           list, list, h);
        npc_buf_printf(out,
                       "{{- range %s := chunk %d %s }}\n"
                       "{{- %s = append %s %s \"protocols\" %s) }}\n"
                       "{{- end }}\n",
                       qc, API_MAX, ports, list, list, h, qc);
        if (dyn)
            put(out, "{{- end }}\n");
    }
    put(out, "{{- end }}\n");
    npc_buf_free(&head);
}

static const npc_chart_dialect cnp_dialect = {
    ENGINE, c_peer, c_pods_ns_expr, c_option_peers, c_any, c_port, c_port_expr, c_append,
};

/* ----------------------------------------------------------- objects */

static void snum_expr(npc_chart_gen *g, const npc_snum *n, long long def, npc_buf *out)
{
    if (!n->given)
        npc_buf_printf(out, "%lld", def);
    else if (n->opt < 0)
        npc_buf_printf(out, "%lld", n->lit);
    else {
        npc_buf_puts(out, "(int ");
        npc_tpl_value(g, n->opt, out);
        npc_buf_putc(out, ')');
    }
}

/* The priorities, checked as the renderer checks them, whatever is
 * rendered. */
void npc_chart_cnp_pre(npc_chart_gen *g, npc_buf *out)
{
    npc_spec *s = g->s;
    put(out, "{{- " PRIO_VAR " := ");
    snum_expr(g, &s->prec_priority, DEFAULT_PRIORITY, out);
    put(out, " }}\n");
    npc_buf_printf(out,
                   "{{- if or (lt " PRIO_VAR " 0) (ge " PRIO_VAR " %d) }}{{- fail (printf "
                   "\"precedence.priority is %%d; a ClusterNetworkPolicy allowlist needs 0-%d (its "
                   "isolation sits one priority below)\" " PRIO_VAR ") }}{{- end }}\n",
                   MAX_PRIORITY, MAX_PRIORITY - 1);
    put(out, "{{- " DENY_VAR " := ");
    snum_expr(g, &s->deny.order, 2000, out);
    put(out, " }}\n");
    npc_buf_printf(out,
                   "{{- if gt " DENY_VAR " %d }}{{- " DENY_VAR " = %d }}\n"
                   "{{- else if le " DENY_VAR " (add " PRIO_VAR " 1) }}{{- fail (printf "
                   "\"defaultDeny.order %%d must be below the allowlists (priority %%d and their "
                   "isolation at %%d): give it a larger number\" " DENY_VAR " " PRIO_VAR
                   " (add " PRIO_VAR " 1)) }}{{- end }}\n",
                   MAX_PRIORITY, MAX_PRIORITY);
}

/* $var := the object's cluster-wide name: "<namespace>.<name>" when
 * another policy the compiler makes has that name too. */
static const char *object_name(kgen *k, const char *name, const char *ns, npc_buf *out)
{
    const char *nv = npc_tpl_var(k->g, "name");
    npc_buf_printf(out, "{{- %s := ", nv);
    npc_tpl_name_expr(k->g, name, out);
    npc_buf_printf(out,
                   " }}\n{{- if gt (sub (len " NAMES_VAR ") (len (without " NAMES_VAR
                   " %s))) 1 }}{{- %s = printf \"%%s.%%s\" ",
                   nv, nv);
    npc_tpl_ns_text(k->g, ns, 1, out);
    npc_buf_printf(out, " %s }}{{- end }}\n", nv);
    return nv;
}

static void object_head(kgen *k, const char *name_var, const char *suffix, npc_buf *out)
{
    npc_buf_printf(out,
                   "---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
                   "metadata:\n  name: {{ %s }}%s\n",
                   name_var, suffix);
    npc_tpl_labels(k->g, out);
    npc_buf_printf(out, "spec:\n  tier: %s\n", k->s->prec_tier ? k->s->prec_tier : "Baseline");
}

static const char *const deny_ingress = "  ingress:\n"
                                        "    - name: %s\n"
                                        "      action: Deny\n"
                                        "      from:\n"
                                        "        - namespaces: {}\n";
static const char *const deny_egress = "  egress:\n"
                                       "    - name: %s\n"
                                       "      action: Deny\n"
                                       "      to:\n"
                                       "        - namespaces: {}\n"
                                       "        - networks:\n"
                                       "            - 0.0.0.0/0\n"
                                       "            - \"::/0\"\n";

static void policy_objects(kgen *k, int q, const npc_cpolicy *pol, const char *lists[2], npc_cobj *obj)
{
    npc_spec *s = k->s;
    const npc_spolicy *sp = &s->policies[q];
    npc_buf *out = &obj->text;
    k->pns = sp->ns;
    npc_buf_printf(out, "{{- /* policy %s */}}\n{{- if %s }}\n", sp->name, pol->any);
    const char *nv = object_name(k, sp->name, sp->ns, out);
    const npc_ssel *subj =
        sp->subject == NPC_SUBJ_ALL ? &s->selector : &s->components[sp->subject].labels;
    npc_ev *pods = npc_ev_map(k->a), *sub = npc_ev_map(k->a);
    npc_ev_put(k->a, pods, "namespaceSelector", own_ns(k, sp->ns));
    npc_ev_put(k->a, pods, "podSelector", npc_chart_sel_ev(k->a, subj));
    npc_ev_put(k->a, sub, "pods", pods);
    npc_buf subject = NPC_BUF_INIT;
    put(&subject, "  subject:\n    {{- toYaml ");
    npc_tpl_ev(sub, &subject);
    put(&subject, " | nindent 4 }}\n");
    const char *cv[2] = {npc_tpl_var(k->g, "chunks"), npc_tpl_var(k->g, "chunks")};
    const char *iv = npc_tpl_var(k->g, "i");
    for (int d = 0; d < 2; d++)
        npc_buf_printf(out, "{{- %s := chunk %d %s }}\n", cv[d], API_MAX, lists[d]);
    npc_buf_printf(out, "{{- range %s := until (int (max (len %s) (len %s))) }}\n", iv, cv[0],
                   cv[1]);
    npc_buf suffix = NPC_BUF_INIT;
    npc_buf_printf(&suffix, "{{ if %s }}-{{ add %s 1 }}{{ end }}", iv, iv);
    object_head(k, nv, npc_buf_cstr(&suffix), out);
    put(out, "  priority: {{ " PRIO_VAR " }}\n");
    put(out, npc_buf_cstr(&subject));
    for (int d = 0; d < 2; d++)
        npc_buf_printf(out,
                       "  {{- if lt %s (len %s) }}\n  %s:\n    {{- toYaml (index %s %s) | nindent "
                       "4 }}\n  {{- end }}\n",
                       iv, cv[d], d == NPC_DIR_INGRESS ? "ingress" : "egress", cv[d], iv);
    put(out, "{{- end }}\n");
    object_head(k, nv, "-isolation", out);
    put(out, "  priority: {{ add " PRIO_VAR " 1 }}\n");
    put(out, npc_buf_cstr(&subject));
    for (int d = 0; d < 2; d++) {
        int cond = strcmp(pol->has[d], "true") != 0;
        if (!strcmp(pol->has[d], "false"))
            continue;
        if (cond)
            npc_buf_printf(out, "  {{- if %s }}\n", pol->has[d]);
        npc_buf_printf(out, d == NPC_DIR_INGRESS ? deny_ingress : deny_egress, "isolation");
        if (cond)
            put(out, "  {{- end }}\n");
    }
    put(out, "{{- end }}\n");
    npc_buf_free(&subject);
    npc_buf_free(&suffix);
}

static void deny_objects(kgen *k, const char *list, const char *name, npc_buf *out)
{
    const npc_default_deny *d = &k->s->deny;
    const char *x = npc_tpl_var(k->g, "ns"), *nv = npc_tpl_var(k->g, "name");
    npc_buf_printf(out,
                   "{{- range %s := %s }}\n{{- %s := %s }}\n"
                   "{{- if gt (sub (len " NAMES_VAR ") (len (without " NAMES_VAR
                   " %s))) 1 }}{{- %s = printf \"%%s.%%s\" %s %s }}{{- end }}\n",
                   x, list, nv, name, nv, nv, x, nv);
    object_head(k, nv, "", out);
    npc_buf_printf(out,
                   "  priority: {{ " DENY_VAR " }}\n  subject:\n    namespaces:\n"
                   "      matchLabels:\n        " NPC_NS_LABEL ": {{ quote %s }}\n",
                   x);
    for (int dir = 0; dir < 2; dir++)
        if (d->dirs[dir])
            npc_buf_printf(out, dir == NPC_DIR_INGRESS ? deny_ingress : deny_egress,
                           "default-deny");
    put(out, "{{- end }}\n");
}

int npc_chart_cnp(npc_chart_gen *g, npc_buf *out)
{
    npc_spec *s = g->s;
    kgen k = {g, s, g->a, &cnp_dialect, NULL, {NULL, NULL}, {0, 0}};
    npc_cobj *objs = NULL;
    size_t n = 0, cap = 0;
    npc_buf names = NPC_BUF_INIT;
    put(out, "{{- " NAMES_VAR " := list }}\n");
    /* the rules of every policy first: the names need every policy's */
    for (size_t q = 0; q < s->npolicies; q++) {
        npc_cpolicy pol;
        npc_crules_policy(&k, (int)q, out, &pol);
        if (strcmp(pol.exists, "false")) {
            npc_buf_printf(&names, "{{- if %s }}{{- " NAMES_VAR " = append " NAMES_VAR " ",
                           pol.exists);
            npc_tpl_name_expr(g, s->policies[q].name, &names);
            put(&names, " }}{{- end }}\n");
        }
        if (!strcmp(pol.any, "false"))
            continue;
        const char *lists[2] = {k.list[0], k.list[1]};
        npc_cobj o = {s->policies[q].ns, s->policies[q].name, NPC_BUF_INIT};
        policy_objects(&k, (int)q, &pol, lists, &o);
        NPC_APUSH(g->a, objs, n, cap, o);
    }
    const char *dlist, *dname;
    if (npc_chart_deny_list(&k, &dlist, &dname, out)) {
        npc_buf_printf(&names, "{{- range %s }}{{- " NAMES_VAR " = append " NAMES_VAR " %s }}{{- end }}\n",
                       dlist, dname);
        npc_cobj o = {"", "", NPC_BUF_INIT};
        deny_objects(&k, dlist, dname, &o.text);
        NPC_APUSH(g->a, objs, n, cap, o);
    }
    put(out, npc_buf_cstr(&names));
    npc_buf_free(&names);
    npc_chart_write_objects(objs, n, out);
    return !g->failed;
}
