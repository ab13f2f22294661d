/* Cilium cilium.io/v2 CiliumNetworkPolicy.
 *
 * One CiliumNetworkPolicy per compiled policy, in its namespace; Cilium
 * scopes the endpointSelector and every endpoint selector that names no
 * namespace to that namespace. Decisions, with the Cilium sources they
 * follow (docs/analysis.md, "Rendering Cilium policies"):
 *   - a direction with rules makes the selected endpoints default-deny in
 *     that direction (enableDefaultDeny's default), so an isolated
 *     direction without rules is one empty rule ({}), which selects no
 *     peer, and the spec's default-deny is endpointSelector {} with such
 *     rules;
 *   - Cilium rejects a rule that combines two kinds of L3 peers
 *     (pkg/policy/api/rule_validation.go), so one IR rule becomes one Cilium
 *     rule per kind (endpoints, entities, CIDR sets, FQDNs), each with the
 *     rule's toPorts; a rule for every peer is fromEntities/toEntities
 *     [all];
 *   - peers: pods as endpoint selectors with the namespace as
 *     k8s:io.kubernetes.pod.namespace and namespace labels as
 *     k8s:io.cilium.k8s.namespace.labels.<key> (every namespace: the
 *     namespace key Exists); IP ranges as toCIDRSet (cidr, except), which
 *     Cilium matches against addresses outside the cluster only; the spec's
 *     entities Cilium names natively (spec/entities.c) as toEntities; FQDNs
 *     as toFQDNs (matchName, or matchPattern for a name with '*');
 *   - ports as strings, endPort for ranges, protocol ANY for every protocol,
 *     port "0" for every port of one protocol, at most 40 per toPorts entry;
 *   - Cilium learns the addresses of FQDN peers from the DNS answers its
 *     proxy sees, so the port-53 rules towards DNS peers of a policy whose
 *     pods have FQDN peers carry rules.dns [{matchPattern: "*"}]; FQDN
 *     peers of the spec without such a rule are an error (NPC306), those of
 *     the passthrough a warning;
 *   - the spec's `cilium` passthrough rules are appended verbatim.
 *
 * Field order: apiVersion, kind, metadata{name, namespace, labels},
 * spec{endpointSelector, ingress, ingressDeny, egress, egressDeny}; rules
 * {fromEndpoints|fromEntities|fromCIDRSet|to..., toFQDNs, toPorts}; port
 * rules {ports, rules}; ports {port, endPort, protocol}. */
#include <stdio.h>
#include <string.h>

#include "model/ir.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"

#define ENGINE "cilium"
#define MAX_PORTS 40 /* per toPorts entry (pkg/policy/api/rule_validation.go) */
#define K_POD_NS "k8s:io.kubernetes.pod.namespace"
#define K_NS_LABELS "k8s:io.cilium.k8s.namespace.labels."

typedef struct cil_state {
    npc_ctx *ctx;
    const npc_compiled *c;
    npc_arena *a;
    int ok;
    int fqdn_ok; /* the policy being rendered: its pods have a DNS rule */
} cil_state;

static const char *str(const cil_state *st, npc_sym s)
{
    return npc_render_str(st->c, s);
}

static npc_sym intern(cil_state *st, const char *s)
{
    return npc_intern_cstr(st->ctx->strings, s);
}

/* ------------------------------------------------------------ selectors */

static npc_sel_expr label_expr(cil_state *st, const char *key, npc_sym value)
{
    npc_sel_expr e;
    memset(&e, 0, sizeof e);
    e.op = NPC_SEL_IN;
    e.key = intern(st, key);
    e.values = npc_arena_alloc(st->a, sizeof *e.values);
    e.values[0] = value;
    e.nvalues = 1;
    e.from_match_labels = 1;
    return e;
}

/* A pod peer as a Cilium endpoint selector: the namespace terms first,
 * then the pod labels. */
static npc_ev *endpoint_ev(cil_state *st, const npc_peer *p)
{
    const npc_selector *ps = &p->pod_sel;
    uint32_t cap = ps->nexprs + p->ns_sel.nexprs + 1;
    npc_selector sel;
    memset(&sel, 0, sizeof sel);
    sel.exprs = npc_arena_alloc(st->a, cap * sizeof *sel.exprs);
    switch (p->ns_mode) {
    case NPC_NS_SAME: /* Cilium scopes it to the policy's namespace */
        break;
    case NPC_NS_NAMES:
        if (p->nns == 1) {
            sel.exprs[sel.nexprs++] = label_expr(st, K_POD_NS, p->ns_names[0]);
        } else {
            npc_sel_expr e;
            memset(&e, 0, sizeof e);
            e.op = NPC_SEL_IN;
            e.key = intern(st, K_POD_NS);
            e.values = p->ns_names;
            e.nvalues = p->nns;
            sel.exprs[sel.nexprs++] = e;
        }
        break;
    case NPC_NS_SELECTOR:
        if (!p->ns_sel.nexprs) { /* every namespace: a namespace key stops the scoping */
            npc_sel_expr e;
            memset(&e, 0, sizeof e);
            e.op = NPC_SEL_EXISTS;
            e.key = intern(st, K_POD_NS);
            sel.exprs[sel.nexprs++] = e;
        }
        for (uint32_t i = 0; i < p->ns_sel.nexprs; i++) {
            npc_sel_expr e = p->ns_sel.exprs[i];
            npc_buf k = NPC_BUF_INIT;
            if (e.op == NPC_SEL_IN && !strcmp(str(st, e.key), "kubernetes.io/metadata.name"))
                npc_buf_puts(&k, K_POD_NS); /* the namespace's name, as Cilium labels it */
            else
                npc_buf_printf(&k, "%s%s", K_NS_LABELS, str(st, e.key));
            e.key = intern(st, npc_buf_cstr(&k));
            npc_buf_free(&k);
            sel.exprs[sel.nexprs++] = e;
        }
        break;
    }
    for (uint32_t i = 0; i < ps->nexprs; i++)
        sel.exprs[sel.nexprs++] = ps->exprs[i];
    return npc_render_selector(st->a, st->ctx, &sel);
}

/* --------------------------------------------------------------- peers */

/* The L3 peers of one rule, by the kind Cilium keeps apart. */
enum { G_ENDPOINTS, G_ENTITIES, G_CIDRSET, G_FQDNS, G_COUNT };

typedef struct peer_groups {
    npc_ev *list[G_COUNT];
    unsigned entities; /* npc_entity bits */
} peer_groups;

static void cidr_ev(cil_state *st, const char *cidr, const npc_peer *p, npc_ev *list)
{
    npc_arena *a = st->a;
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "cidr", npc_ev_str(a, cidr));
    if (p && p->nexcept) {
        npc_ev *ex = npc_ev_seq(a);
        for (uint32_t i = 0; i < p->nexcept; i++)
            npc_ev_push(a, ex, npc_ev_str(a, str(st, p->except[i])));
        npc_ev_put(a, m, "except", ex);
    }
    npc_ev_push(a, list, m);
}

static int has_wildcard(const char *s)
{
    return strchr(s, '*') != NULL;
}

/* Adds one IR peer to its group; 0 after reporting what Cilium cannot
 * express. */
static int add_peer(cil_state *st, const npc_peer *p, npc_dir dir, npc_loc where, peer_groups *g)
{
    npc_arena *a = st->a;
    switch (p->kind) {
    case NPC_PEER_ANY:
        g->entities |= NPC_ENT_ALL;
        return 1;
    case NPC_PEER_PODS:
        npc_ev_push(a, g->list[G_ENDPOINTS], endpoint_ev(st, p));
        return 1;
    case NPC_PEER_IPS:
        if (p->cidr) {
            cidr_ev(st, str(st, p->cidr), p, g->list[G_CIDRSET]);
        } else {
            cidr_ev(st, "0.0.0.0/0", NULL, g->list[G_CIDRSET]);
            cidr_ev(st, "::/0", NULL, g->list[G_CIDRSET]);
        }
        return 1;
    case NPC_PEER_ENTITY:
        g->entities |= p->entities;
        return 1;
    case NPC_PEER_FQDN: {
        if (dir == NPC_DIR_EGRESS && st->fqdn_ok) {
            const char *name = str(st, p->fqdn);
            npc_ev *m = npc_ev_map(a);
            npc_ev_put(a, m, p->fqdn_pattern || has_wildcard(name) ? "matchPattern" : "matchName",
                       npc_ev_str(a, name));
            npc_ev_push(a, g->list[G_FQDNS], m);
            return 1;
        }
        if (dir == NPC_DIR_EGRESS && !p->nfallback) {
            npc_error(st->ctx, NPC306, p->loc,
                      "Cilium learns the addresses of the FQDN '%s' from the DNS answers its "
                      "proxy sees: declare a flow from these pods to the cluster DNS on port "
                      "53 (e.g. to: dns), or give a fallback peer",
                      str(st, p->fqdn));
            return 0;
        }
        if (dir == NPC_DIR_EGRESS) {
            if (npc_spec_warn_once(st->c->spec, NPC306, p->loc))
                npc_warning(st->ctx, NPC306, p->loc,
                            "no DNS flow lets Cilium learn the addresses of the FQDN '%s': "
                            "rendered as its fallback peers; declare a flow from these pods to "
                            "the cluster DNS on port 53 (e.g. to: dns) to render toFQDNs",
                            str(st, p->fqdn));
        } else if (!p->nfallback) {
            npc_error(st->ctx, NPC303, where,
                      "Cilium selects FQDNs in egress rules only (toFQDNs); give the ingress "
                      "peer '%s' a fallback peer (e.g. fallback: any-ip or a cidr)",
                      str(st, p->fqdn));
            return 0;
        }
        for (uint32_t i = 0; i < p->nfallback; i++)
            if (!add_peer(st, &p->fallback[i], dir, where, g))
                return 0;
        return 1;
    }
    case NPC_PEER_NODES:
        break;
    }
    npc_error(st->ctx, NPC303, where, "this peer cannot be expressed in a CiliumNetworkPolicy");
    return 0;
}

/* --------------------------------------------------------------- ports */

static void port_ev(cil_state *st, const npc_port_match *pm, npc_ev *list)
{
    npc_arena *a = st->a;
    char num[8];
    const char *port = num;
    if (pm->name)
        port = str(st, pm->name);
    else if (pm->lo == 1 && pm->hi == 65535)
        port = "0"; /* every port */
    else
        snprintf(num, sizeof num, "%u", (unsigned)pm->lo);
    int ranged = !pm->name && pm->hi != pm->lo && !(pm->lo == 1 && pm->hi == 65535);
    if ((pm->proto_mask & NPC_PROTO_ALL_MASK) == NPC_PROTO_ALL_MASK) {
        npc_ev *m = npc_ev_map(a);
        npc_ev_put(a, m, "port", npc_ev_str(a, npc_arena_strdup(a, port)));
        if (ranged)
            npc_ev_put(a, m, "endPort", npc_ev_int(a, pm->hi));
        npc_ev_put(a, m, "protocol", npc_ev_str(a, "ANY"));
        npc_ev_push(a, list, m);
        return;
    }
    for (int i = 0; i < NPC_PROTO_COUNT; i++) {
        if (!(pm->proto_mask & (1u << i)))
            continue;
        npc_ev *m = npc_ev_map(a);
        npc_ev_put(a, m, "port", npc_ev_str(a, npc_arena_strdup(a, port)));
        if (ranged)
            npc_ev_put(a, m, "endPort", npc_ev_int(a, pm->hi));
        npc_ev_put(a, m, "protocol", npc_ev_str(a, npc_proto_name((npc_proto)i)));
        npc_ev_push(a, list, m);
    }
}

/* Port 53 over UDP, TCP or both: where Cilium's DNS proxy can see the
 * answers (DNS rules take one port, no range). */
static int is_dns_port(const npc_port_match *pm)
{
    unsigned dns = (1u << NPC_PROTO_UDP) | (1u << NPC_PROTO_TCP);
    return !pm->name && pm->lo == 53 && pm->hi == 53 && (pm->proto_mask & dns) &&
           (!(pm->proto_mask & ~dns) ||
            (pm->proto_mask & NPC_PROTO_ALL_MASK) == NPC_PROTO_ALL_MASK);
}

static npc_ev *dns_rules(npc_arena *a)
{
    npc_ev *pat = npc_ev_map(a);
    npc_ev_put(a, pat, "matchPattern", npc_ev_str(a, "*"));
    npc_ev *dns = npc_ev_seq(a);
    npc_ev_push(a, dns, pat);
    npc_ev *r = npc_ev_map(a);
    npc_ev_put(a, r, "dns", dns);
    return r;
}

/* toPorts of a rule: entries of at most MAX_PORTS ports; with dns set, the
 * port-53 ports in an entry of their own that carries the DNS rule. NULL
 * for every port. */
static npc_ev *to_ports(cil_state *st, const npc_rule *r, int dns)
{
    npc_arena *a = st->a;
    if (!r->nports)
        return NULL;
    npc_ev *plain = npc_ev_seq(a), *dnsp = npc_ev_seq(a);
    for (uint32_t i = 0; i < r->nports; i++)
        port_ev(st, &r->ports[i], dns && is_dns_port(&r->ports[i]) ? dnsp : plain);
    npc_ev *tp = npc_ev_seq(a);
    for (size_t i = 0; i < plain->n; i += MAX_PORTS) {
        npc_ev *ps = npc_ev_seq(a);
        for (size_t k = i; k < plain->n && k < i + MAX_PORTS; k++)
            npc_ev_push(a, ps, plain->items[k]);
        npc_ev *e = npc_ev_map(a);
        npc_ev_put(a, e, "ports", ps);
        npc_ev_push(a, tp, e);
    }
    if (dnsp->n) {
        npc_ev *e = npc_ev_map(a);
        npc_ev_put(a, e, "ports", dnsp);
        npc_ev_put(a, e, "rules", dns_rules(a));
        npc_ev_push(a, tp, e);
    }
    return tp;
}

/* --------------------------------------------------------------- rules */

static const char *const l3_keys[2][G_COUNT] = {
    {"fromEndpoints", "fromEntities", "fromCIDRSet", NULL},
    {"toEndpoints", "toEntities", "toCIDRSet", "toFQDNs"},
};

/* The Cilium rules of one IR rule, appended to out; dns: the policy's
 * port-53 rules carry the DNS rule. */
static void rule_evs(cil_state *st, const npc_annex *ax, const npc_policy *pol, uint32_t ri,
                     int dns, npc_ev *out)
{
    npc_arena *a = st->a;
    const npc_rule *r = &pol->rules[ri];
    npc_loc where = npc_render_rule_where(ax, ri, r);
    peer_groups g;
    memset(&g, 0, sizeof g);
    for (int k = 0; k < G_COUNT; k++)
        g.list[k] = npc_ev_seq(a);
    for (uint32_t i = 0; i < r->npeers; i++)
        if (!add_peer(st, &r->peers[i], r->dir, where, &g))
            st->ok = 0;
    if (!r->npeers)
        g.entities |= NPC_ENT_ALL;
    for (uint32_t i = 0; i < r->nports; i++)
        if (r->ports[i].name && r->dir == NPC_DIR_EGRESS && npc_render_has_nonpod_peer(r)) {
            npc_error(
                st->ctx, NPC304, r->ports[i].loc,
                "named port '%s' is resolved on the destination endpoint and never matches an "
                "entity, CIDR or FQDN peer in Cilium; give its number",
                str(st, r->ports[i].name));
            st->ok = 0;
        }
    if (g.entities & NPC_ENT_ALL)
        g.entities = NPC_ENT_ALL; /* all covers every other entity */
    if (g.entities) {
        for (unsigned bit = 1; bit <= NPC_ENT_INGRESS; bit <<= 1)
            if (g.entities & bit)
                npc_ev_push(a, g.list[G_ENTITIES], npc_ev_str(a, npc_entity_name(bit)));
    }
    for (int k = 0; k < G_COUNT; k++) {
        if (!g.list[k]->n)
            continue;
        npc_ev *m = npc_ev_map(a);
        npc_ev_put(a, m, l3_keys[r->dir][k], g.list[k]);
        npc_ev *tp = to_ports(
            st, r, dns && k != G_FQDNS && r->dir == NPC_DIR_EGRESS && r->action == NPC_ACT_ALLOW);
        if (tp)
            npc_ev_put(a, m, "toPorts", tp);
        npc_ev_push(a, out, m);
    }
}

/* ------------------------------------------------------------ FQDN/DNS */

static int rule_has_fqdn(const npc_rule *r)
{
    for (uint32_t i = 0; i < r->npeers; i++)
        if (r->peers[i].kind == NPC_PEER_FQDN)
            return 1;
    return 0;
}

/* The first FQDN peer of the policy's rules (NULL: none), and whether a
 * passthrough egress rule of this engine names toFQDNs (*raw, its node). */
static const npc_peer *policy_fqdn(const npc_policy *p, const npc_annex *ax, const npc_node **raw)
{
    *raw = NULL;
    for (size_t j = 0; j < ax->nraw[NPC_DIR_EGRESS] && !*raw; j++) {
        const npc_craw *cr = &ax->raw[NPC_DIR_EGRESS][j];
        if (!strcmp(cr->engine, ENGINE) && cr->rule && cr->rule->kind == NPC_NODE_MAP &&
            !npc_node_is_null(npc_map_get(cr->rule, "toFQDNs")))
            *raw = cr->rule;
    }
    for (uint32_t j = 0; j < p->nrules; j++) {
        const npc_rule *r = &p->rules[j];
        if (r->dir != NPC_DIR_EGRESS || !rule_has_fqdn(r))
            continue;
        for (uint32_t k = 0; k < r->npeers; k++)
            if (r->peers[k].kind == NPC_PEER_FQDN)
                return &r->peers[k];
    }
    return NULL;
}

static int expr_eq(const npc_sel_expr *x, const npc_sel_expr *y)
{
    if (x->op != y->op || x->key != y->key || x->nvalues != y->nvalues)
        return 0;
    for (uint32_t i = 0; i < x->nvalues; i++)
        if (x->values[i] != y->values[i])
            return 0;
    return 1;
}

/* Whether sel is the spec's selector of all components. */
static int is_all_components(const cil_state *st, const npc_selector *sel)
{
    const npc_spec *s = st->c->spec;
    if (!s->has_selector || sel->nexprs != s->selector.nlabels + s->selector.nexprs)
        return 0;
    for (size_t i = 0; i < s->selector.nlabels; i++) {
        int found = 0;
        for (uint32_t j = 0; j < sel->nexprs && !found; j++) {
            const npc_sel_expr *e = &sel->exprs[j];
            found = e->from_match_labels && !strcmp(str(st, e->key), s->selector.labels[i].key) &&
                    !strcmp(str(st, e->values[0]), s->selector.labels[i].value);
        }
        if (!found)
            return 0;
    }
    for (size_t i = 0; i < s->selector.nexprs; i++) {
        int found = 0;
        for (uint32_t j = 0; j < sel->nexprs && !found; j++) {
            const npc_sel_expr *e = &sel->exprs[j];
            found = !e->from_match_labels && (int)e->op == (int)s->selector.exprs[i].op &&
                    !strcmp(str(st, e->key), s->selector.exprs[i].key);
        }
        if (!found)
            return 0;
    }
    return 1;
}

/* Whether policy `outer` selects every pod policy `inner` selects: the
 * same namespace, and outer's terms a subset of inner's or outer's
 * subject all components (which every component is part of). */
static int covers(const cil_state *st, const npc_policy *outer, const npc_policy *inner)
{
    if (outer->ns != inner->ns)
        return 0;
    if (is_all_components(st, &outer->subj_pod_sel))
        return 1;
    for (uint32_t i = 0; i < outer->subj_pod_sel.nexprs; i++) {
        int found = 0;
        for (uint32_t j = 0; j < inner->subj_pod_sel.nexprs && !found; j++)
            found = expr_eq(&outer->subj_pod_sel.exprs[i], &inner->subj_pod_sel.exprs[j]);
        if (!found)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------- objects */

static npc_ev *empty_rules(npc_arena *a)
{
    npc_ev *l = npc_ev_seq(a);
    npc_ev_push(a, l, npc_ev_map(a)); /* {} selects no peer */
    return l;
}

static void add_object(cil_state *st, npc_docs_list *docs, const npc_annex *ax, npc_ev *esel,
                       npc_ev *const lists[4])
{
    static const char *const keys[4] = {"ingress", "ingressDeny", "egress", "egressDeny"};
    npc_arena *a = st->a;
    npc_ev *obj = npc_ev_map(a);
    npc_ev_put(a, obj, "apiVersion", npc_ev_str(a, "cilium.io/v2"));
    npc_ev_put(a, obj, "kind", npc_ev_str(a, "CiliumNetworkPolicy"));
    npc_ev_put(a, obj, "metadata", npc_render_metadata(a, st->c, ax));
    npc_ev *spec = npc_ev_map(a);
    npc_ev_put(a, spec, "endpointSelector", esel);
    for (int k = 0; k < 4; k++)
        if (lists[k] && lists[k]->n)
            npc_ev_put(a, spec, keys[k], lists[k]);
    npc_ev_put(a, obj, "spec", spec);
    NPC_APUSH(a, docs->items, docs->n, docs->cap, obj);
}

/* Whether the policy has an egress allow rule on a DNS port towards a
 * peer that is no FQDN: a rule that can carry the DNS rule. */
static int can_carry_dns(const npc_policy *p)
{
    for (uint32_t j = 0; j < p->nrules; j++) {
        const npc_rule *r = &p->rules[j];
        if (r->dir != NPC_DIR_EGRESS || r->action != NPC_ACT_ALLOW)
            continue;
        int port = 0, peer = !r->npeers;
        for (uint32_t k = 0; k < r->nports && !port; k++)
            port = is_dns_port(&r->ports[k]);
        for (uint32_t k = 0; k < r->npeers && !peer; k++)
            peer = r->peers[k].kind != NPC_PEER_FQDN;
        if (port && peer)
            return 1;
    }
    return 0;
}

int npc_render_cilium(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs)
{
    cil_state st = {ctx, c, a, 1, 0};
    const npc_cluster *ir = c->ir;
    size_t n = ir->policies.len;
    /* 1. per policy with FQDN peers (or toFQDNs passthrough): whether a
     * policy selecting its pods has a rule to carry the DNS rule
     * (fqdn_ok), and which policies then carry it (dns) */
    int *dns = npc_arena_alloc(a, (n + 1) * sizeof *dns);
    int *fqdn_ok = npc_arena_alloc(a, (n + 1) * sizeof *fqdn_ok);
    memset(dns, 0, (n + 1) * sizeof *dns);
    memset(fqdn_ok, 0, (n + 1) * sizeof *fqdn_ok);
    for (size_t i = 0; i < n; i++) {
        const npc_node *raw;
        if (c->annex[i].default_deny ||
            (!policy_fqdn(&ir->policies.items[i], &c->annex[i], &raw) && !raw))
            continue;
        for (size_t j = 0; j < n; j++)
            if (!c->annex[j].default_deny && can_carry_dns(&ir->policies.items[j]) &&
                covers(&st, &ir->policies.items[j], &ir->policies.items[i]))
                dns[j] = fqdn_ok[i] = 1;
        if (raw && !fqdn_ok[i] && npc_spec_warn_once(c->spec, NPC306, npc_node_loc(raw)))
            npc_warning(ctx, NPC306, npc_node_loc(raw),
                        "this toFQDNs rule has no DNS flow to learn the addresses from: the "
                        "policy makes egress default-deny and blocks DNS; declare a flow to the "
                        "cluster DNS on port 53 (e.g. to: dns)");
    }
    /* 2. the objects */
    for (size_t i = 0; i < n; i++) {
        const npc_policy *p = &ir->policies.items[i];
        const npc_annex *ax = &c->annex[i];
        npc_ev *lists[4] = {npc_ev_seq(a), npc_ev_seq(a), npc_ev_seq(a), npc_ev_seq(a)};
        if (ax->default_deny) {
            for (int d = 0; d < 2; d++)
                if (ax->isolate[d])
                    lists[2 * d] = empty_rules(a);
            add_object(&st, docs, ax, npc_ev_map(a), lists);
            continue;
        }
        seen_keys seen[4] = {{NULL, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0}};
        st.fqdn_ok = fqdn_ok[i];
        for (uint32_t j = 0; j < p->nrules; j++) {
            const npc_rule *r = &p->rules[j];
            int k = 2 * (int)r->dir + (r->action == NPC_ACT_DENY);
            npc_ev *tmp = npc_ev_seq(a);
            rule_evs(&st, ax, p, j, dns[i], tmp);
            for (size_t m = 0; m < tmp->n; m++)
                if (npc_render_seen_add(a, &seen[k], tmp->items[m]))
                    npc_ev_push(a, lists[k], tmp->items[m]);
        }
        for (int d = 0; d < 2; d++)
            for (size_t j = 0; j < ax->nraw[d]; j++) {
                if (strcmp(ax->raw[d][j].engine, ENGINE))
                    continue;
                npc_ev *r = npc_ev_from_node(a, ax->raw[d][j].rule);
                if (npc_render_seen_add(a, &seen[2 * d], r))
                    npc_ev_push(a, lists[2 * d], r);
            }
        int any = 0;
        for (int d = 0; d < 2; d++) {
            if (ax->isolate[d] && !lists[2 * d]->n && !lists[2 * d + 1]->n)
                lists[2 * d] = empty_rules(a);
            any |= lists[2 * d]->n || lists[2 * d + 1]->n;
        }
        if (!any)
            continue; /* nothing for this engine */
        add_object(&st, docs, ax, npc_render_selector(a, ctx, &p->subj_pod_sel), lists);
    }
    return st.ok;
}
