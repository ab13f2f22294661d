/* Cilium policies (cilium.io/v2 CiliumNetworkPolicy and
 * CiliumClusterwideNetworkPolicy) into the IR, and CiliumCIDRGroup objects
 * (cilium.io/v2alpha1, v2) for the CIDR rules that name them.
 *
 * Every Cilium rule goes in the "namespace" layer with the Kubernetes
 * NetworkPolicies: additive, a matching deny rule wins over every allow of
 * either dialect, and a policy with rules in a direction makes the
 * endpoints it selects default-deny in that direction (unless
 * enableDefaultDeny says false). The semantic decisions and the Cilium
 * sources they follow are listed in docs/analysis.md ("Cilium"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/ir.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"

#define K_POD_NS "io.kubernetes.pod.namespace"
#define K_NS_LABELS "io.cilium.k8s.namespace.labels."

typedef struct cl_lower {
    npc_cluster *c;
    npc_sym ns; /* the policy's namespace; 0 for a clusterwide policy */
    int clusterwide;
    int ok;
} cl_lower;

static const char *kname(const npc_node *k)
{
    return k && k->kind == NPC_NODE_SCALAR ? k->u.scalar.s : "?";
}

/* An error at node n; the object is not loaded. */
#define bad(l, code, n, ...)                                                                       \
    do {                                                                                           \
        npc_error((l)->c->ctx, code, npc_node_loc(n), __VA_ARGS__);                                \
        (l)->ok = 0;                                                                               \
    } while (0)

static int is_map(cl_lower *l, const npc_node *n, const char *what)
{
    if (n && n->kind == NPC_NODE_MAP)
        return 1;
    bad(l, NPC203, n, "%s must be a mapping, not %s", what, npc_node_type_a(n));
    return 0;
}

/* A list field: absent or null is empty. */
static size_t seq_len(cl_lower *l, const npc_node *n, const char *what)
{
    if (npc_node_is_null(n))
        return 0;
    if (n->kind != NPC_NODE_SEQ) {
        bad(l, NPC203, n, "%s must be a sequence, not %s", what, npc_node_type_a(n));
        return 0;
    }
    return n->u.seq.len;
}

static int known_field(const npc_node *k, const char *const *known)
{
    for (size_t j = 0; known[j]; j++)
        if (npc_node_scalar_eq(k, known[j]))
            return 1;
    return 0;
}

/* Fields Cilium has that netpolc does not model: warned about (NPC231)
 * once per occurrence; everything else unknown is an error (NPC209). */
static void check_fields(cl_lower *l, const npc_node *n, const char *const *known,
                         const char *const *unmodelled, const char *what, const char *effect)
{
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key;
        if (known_field(k, known))
            continue;
        if (unmodelled && known_field(k, unmodelled)) {
            npc_warning(l->c->ctx, NPC231, npc_node_loc(k), "'%s' in %s is not modelled; %s",
                        kname(k), what, effect);
            continue;
        }
        npc_unknown_field(l->c->ctx, k, known, unmodelled, what);
        l->ok = 0;
    }
}

/* ------------------------------------------------------------ selectors */

static int key_is(npc_cluster *c, npc_sym k, const char *s)
{
    return strcmp(npc_sym_str(c->ctx->strings, k), s) == 0;
}

static int key_has_prefix(npc_cluster *c, npc_sym k, const char *p)
{
    return strncmp(npc_sym_str(c->ctx->strings, k), p, strlen(p)) == 0;
}

/* The entity a pure "reserved:" selector stands for ({matchLabels:
 * {reserved:host: ""}}, or In/Exists terms on reserved keys only), or 0.
 * A reserved term next to other terms selects no pod, and a NotIn or
 * DoesNotExist term on a reserved key holds for every pod: both work as
 * ordinary terms on pod labels. */
static unsigned reserved_entities(npc_cluster *c, const npc_selector *sel)
{
    unsigned ents = 0;
    if (!sel->nexprs)
        return 0;
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        const npc_sel_expr *e = &sel->exprs[i];
        if (!key_has_prefix(c, e->key, "reserved:") ||
            (e->op != NPC_SEL_IN && e->op != NPC_SEL_EXISTS))
            return 0;
        unsigned bit = npc_entity_parse(npc_sym_str(c->ctx->strings, e->key) + 9);
        if (!bit)
            return 0;
        if (ents && ents != bit)
            return 0; /* two reserved identities at once: none */
        ents = bit;
    }
    return ents;
}

/* fromEndpoints/toEndpoints selector -> a pod peer, with Cilium's
 * namespace injection: in a namespaced policy a selector that names no
 * namespace key (io.kubernetes.pod.namespace, io.cilium.k8s.namespace.
 * labels.*) selects in the policy's namespace only; in a clusterwide
 * policy it selects in every namespace. */
static void endpoint_peer(cl_lower *l, const npc_node *n, npc_peer *p)
{
    npc_cluster *c = l->c;
    memset(p, 0, sizeof *p);
    p->loc = npc_node_loc(n);
    p->kind = NPC_PEER_PODS;
    if (npc_node_is_null(n) || n->kind != NPC_NODE_MAP) {
        bad(l, NPC204, n, "an endpoint selector must be a mapping, not %s", npc_node_type_a(n));
        return;
    }
    if (!npc_parse_selector_sourced(c, n, &p->pod_sel)) {
        l->ok = 0;
        return;
    }
    unsigned ent = reserved_entities(c, &p->pod_sel);
    if (ent) {
        memset(&p->pod_sel, 0, sizeof p->pod_sel);
        p->kind = NPC_PEER_ENTITY;
        p->entities = (uint16_t)ent;
        return;
    }
    int names_ns = 0, reserved = 0;
    for (uint32_t i = 0; i < p->pod_sel.nexprs; i++) {
        npc_sym k = p->pod_sel.exprs[i].key;
        names_ns |= key_is(c, k, K_POD_NS) || key_has_prefix(c, k, K_NS_LABELS);
        reserved |= key_has_prefix(c, k, "reserved:");
    }
    if (l->clusterwide || names_ns || reserved) {
        p->ns_mode = NPC_NS_SELECTOR; /* every namespace; the terms decide */
    } else {
        p->ns_mode = NPC_NS_SAME;
    }
}

/* ------------------------------------------------------------ entities */

static void entity_peers(cl_lower *l, const npc_node *list, npc_peer *p)
{
    memset(p, 0, sizeof *p);
    p->kind = NPC_PEER_ENTITY;
    p->loc = npc_node_loc(list);
    for (size_t i = 0; i < list->u.seq.len; i++) {
        const npc_node *e = list->u.seq.items[i];
        unsigned bit = npc_node_is_string(e) ? npc_entity_parse(e->u.scalar.s) : 0;
        if (!bit) {
            bad(l, NPC232, e,
                "unknown entity '%s' (expected world, cluster, host, remote-node, "
                "kube-apiserver, ingress, init, health, unmanaged or all)",
                e && e->kind == NPC_NODE_SCALAR ? e->u.scalar.s : npc_node_type_name(e));
            continue;
        }
        p->entities |= (uint16_t)bit;
    }
}

/* ---------------------------------------------------------------- CIDRs */

static npc_sym intern_node(npc_cluster *c, const npc_node *n)
{
    return npc_intern(c->ctx->strings, n->u.scalar.s, n->u.scalar.len);
}

/* A CIDR, or a bare address (a /32 or /128). */
static int parse_cidr(cl_lower *l, const npc_node *n, const char *what, npc_iprange *r, int *v6)
{
    int prefix, canonical;
    npc_ip ip;
    if (!npc_node_is_string(n)) {
        bad(l, NPC206, n, "%s must be a CIDR string, not %s", what, npc_node_type_a(n));
        return 0;
    }
    if (npc_cidr_parse(n->u.scalar.s, r, &prefix, v6, &canonical))
        return 1;
    if (!strchr(n->u.scalar.s, '/') && npc_ip_parse(n->u.scalar.s, &ip)) {
        r->first = r->last = ip;
        *v6 = !npc_ip_is_v4(ip);
        return 1;
    }
    bad(l, NPC206, n, "invalid CIDR '%s' in %s", n->u.scalar.s, what);
    return 0;
}

typedef NPC_VEC(npc_iprange) range_vec;

static int cmp_range(const void *a, const void *b)
{
    const npc_iprange *x = a, *y = b;
    return npc_ip_cmp(x->first, y->first);
}

/* Sorted, merged union of v (in place). */
static void normalize(range_vec *v)
{
    if (v->len < 2)
        return;
    qsort(v->items, v->len, sizeof *v->items, cmp_range);
    size_t m = 0;
    for (size_t i = 0; i < v->len; i++) {
        npc_iprange x = v->items[i];
        if (m) {
            npc_iprange *last = &v->items[m - 1];
            npc_ip after = npc_ip_next(last->last);
            if (npc_ip_cmp(x.first, last->last) <= 0 ||
                (npc_ip_cmp(after, x.first) == 0 && npc_ip_cmp(after, (npc_ip){0, 0}) != 0)) {
                if (npc_ip_cmp(x.last, last->last) > 0)
                    last->last = x.last;
                continue;
            }
        }
        v->items[m++] = x;
    }
    v->len = m;
}

/* v minus r. */
static void subtract(range_vec *v, npc_iprange r)
{
    range_vec out = {0};
    for (size_t i = 0; i < v->len; i++) {
        npc_iprange x = v->items[i];
        if (npc_ip_cmp(r.last, x.first) < 0 || npc_ip_cmp(r.first, x.last) > 0) {
            npc_vec_push(&out, x);
            continue;
        }
        if (npc_ip_cmp(r.first, x.first) > 0) {
            npc_iprange a = {x.first, npc_ip_prev(r.first)};
            npc_vec_push(&out, a);
        }
        if (npc_ip_cmp(r.last, x.last) < 0) {
            npc_iprange b = {npc_ip_next(r.last), x.last};
            npc_vec_push(&out, b);
        }
    }
    npc_vec_free(v);
    *v = out;
}

static void ips_peer(cl_lower *l, range_vec *v, npc_peer *p, npc_loc loc)
{
    memset(p, 0, sizeof *p);
    p->kind = NPC_PEER_IPS;
    p->external_only = 1;
    p->loc = loc;
    normalize(v);
    p->ranges = npc_arena_alloc(l->c->arena, (v->len + 1) * sizeof *p->ranges);
    if (v->len)
        memcpy(p->ranges, v->items, v->len * sizeof *p->ranges);
    p->nranges = (uint32_t)v->len;
}

/* The externalCIDRs of the CiliumCIDRGroups chosen by name or selector. */
static void group_ranges(cl_lower *l, const npc_node *ref, const npc_node *gsel, range_vec *v)
{
    npc_cluster *c = l->c;
    npc_selector sel;
    npc_sym name = 0;
    memset(&sel, 0, sizeof sel);
    if (ref) {
        if (!npc_node_is_string(ref)) {
            bad(l, NPC203, ref, "cidrGroupRef must be a string, not %s", npc_node_type_a(ref));
            return;
        }
        name = intern_node(c, ref);
    } else if (!npc_parse_selector(c, gsel, &sel)) {
        l->ok = 0;
        return;
    }
    int found = 0;
    for (size_t i = 0; i < c->cidr_groups.len; i++) {
        const npc_cidr_group *g = &c->cidr_groups.items[i];
        if (ref ? g->name != name : !npc_selector_matches(&sel, &g->labels))
            continue;
        found = 1;
        for (uint32_t j = 0; j < g->nranges; j++)
            npc_vec_push(v, g->ranges[j]);
    }
    if (!found && ref)
        npc_warning(c->ctx, NPC233, npc_node_loc(ref),
                    "no CiliumCIDRGroup '%s' is loaded before this policy; the rule selects no "
                    "address",
                    ref->u.scalar.s);
}

static void cidrset_peer(cl_lower *l, const npc_node *n, npc_peer *p)
{
    static const char *const known[] = {"cidr", "except", "cidrGroupRef", "cidrGroupSelector",
                                        NULL};
    memset(p, 0, sizeof *p);
    if (!is_map(l, n, "a CIDR rule"))
        return;
    check_fields(l, n, known, NULL, "a CIDR rule", "");
    const npc_node *cidr = npc_map_get(n, "cidr"), *ref = npc_map_get(n, "cidrGroupRef");
    const npc_node *gsel = npc_map_get(n, "cidrGroupSelector");
    int nset = !npc_node_is_null(cidr) + !npc_node_is_null(ref) + !npc_node_is_null(gsel);
    if (nset != 1) {
        bad(l, NPC214, n,
            "a CIDR rule needs exactly one of cidr, cidrGroupRef and "
            "cidrGroupSelector");
        return;
    }
    range_vec v = {0};
    int v6 = 0;
    if (!npc_node_is_null(cidr)) {
        npc_iprange r;
        if (!parse_cidr(l, cidr, "'cidr'", &r, &v6))
            return;
        npc_vec_push(&v, r);
    } else {
        group_ranges(l, npc_node_is_null(ref) ? NULL : ref, gsel, &v);
    }
    const npc_node *ex = npc_map_get(n, "except");
    size_t nex = seq_len(l, ex, "'except'");
    npc_sym *except = nex ? npc_arena_alloc(l->c->arena, nex * sizeof *except) : NULL;
    uint32_t m = 0;
    for (size_t i = 0; i < nex; i++) {
        npc_iprange r;
        int ev6;
        if (!parse_cidr(l, ex->u.seq.items[i], "'except'", &r, &ev6))
            continue;
        subtract(&v, r);
        except[m++] = intern_node(l->c, ex->u.seq.items[i]);
    }
    ips_peer(l, &v, p, npc_node_loc(n));
    if (!npc_node_is_null(cidr))
        p->cidr = intern_node(l->c, cidr);
    p->except = except;
    p->nexcept = m;
    npc_vec_free(&v);
}

/* --------------------------------------------------------------- FQDNs */

static void fqdn_peer(cl_lower *l, const npc_node *n, npc_peer *p)
{
    static const char *const known[] = {"matchName", "matchPattern", NULL};
    memset(p, 0, sizeof *p);
    p->kind = NPC_PEER_FQDN;
    p->loc = npc_node_loc(n);
    if (!is_map(l, n, "an FQDN selector"))
        return;
    check_fields(l, n, known, NULL, "an FQDN selector", "");
    const npc_node *name = npc_map_get(n, "matchName"), *pat = npc_map_get(n, "matchPattern");
    const npc_node *v = npc_node_is_null(name) ? pat : name;
    if (npc_node_is_null(name) == npc_node_is_null(pat)) {
        bad(l, NPC214, n, "an FQDN selector needs exactly one of matchName and matchPattern");
        return;
    }
    if (!npc_node_is_string(v) || v->u.scalar.len == 0 || v->u.scalar.len > 255) {
        bad(l, NPC203, v, "%s must be a DNS name, not %s",
            npc_node_is_null(name) ? "matchPattern" : "matchName", npc_node_type_a(v));
        return;
    }
    char buf[256];
    memcpy(buf, v->u.scalar.s, v->u.scalar.len + 1);
    npc_fqdn_normalize(buf);
    p->fqdn = npc_intern_cstr(l->c->ctx->strings, buf);
    p->fqdn_pattern = npc_node_is_null(name);
}

/* --------------------------------------------------------------- ports */

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* One PortProtocol: port as a string ("80", "0" = every port, or a port
 * name), optional endPort, protocol TCP/UDP/SCTP/ANY (absent: ANY). */
static void lower_port(cl_lower *l, const npc_node *n, npc_port_match *pm)
{
    static const char *const known[] = {"port", "endPort", "protocol", NULL};
    npc_ctx *ctx = l->c->ctx;
    memset(pm, 0, sizeof *pm);
    pm->loc = npc_node_loc(n);
    pm->proto_mask = NPC_PROTO_ALL_MASK;
    pm->lo = 1;
    pm->hi = 65535;
    if (!is_map(l, n, "a port"))
        return;
    check_fields(l, n, known, NULL, "a port", "");
    const npc_node *port = npc_map_get(n, "port"), *end = npc_map_get(n, "endPort");
    const npc_node *proto = npc_map_get(n, "protocol");
    if (!npc_node_is_null(proto)) {
        npc_proto pr;
        if (npc_node_scalar_eq(proto, "ANY") && npc_node_is_string(proto)) {
            pm->proto_mask = NPC_PROTO_ALL_MASK;
        } else if (npc_node_is_string(proto) && npc_proto_parse(proto->u.scalar.s, &pr)) {
            pm->proto_mask = (uint8_t)(1u << pr);
        } else {
            bad(l, NPC208, proto, "invalid protocol '%s' (expected TCP, UDP, SCTP or ANY)",
                kname(proto));
        }
    }
    if (npc_node_is_null(port)) {
        bad(l, NPC202, n, "a port needs 'port'");
        return;
    }
    if (!npc_node_is_string(port)) {
        bad(l, NPC207, port, "port must be a string in Cilium policies (\"%s\"), not %s",
            kname(port), npc_node_type_a(port));
        return;
    }
    const char *s = port->u.scalar.s;
    long v = 0;
    if (all_digits(s)) {
        v = port->u.scalar.len <= 5 ? strtol(s, NULL, 10) : 99999;
        if (v > 65535) {
            bad(l, NPC207, port, "port %s is out of range 0-65535", s);
            return;
        }
        if (v > 0)
            pm->lo = pm->hi = (uint16_t)v;
    } else {
        /* a named port (IANA_SVC_NAME), resolved on the destination pod */
        size_t len = port->u.scalar.len;
        int letter = 0, okname = len <= 15;
        for (size_t i = 0; i < len && okname; i++) {
            char ch = s[i];
            letter |= (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            okname = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '-';
        }
        if (!okname || !letter) {
            bad(l, NPC207, port, "invalid port '%s' (a number 0-65535 or a port name)", s);
            return;
        }
        pm->name = npc_intern(ctx->strings, s, len);
    }
    if (!npc_node_is_null(end)) {
        long long e;
        if (!npc_node_get_int(end, &e)) {
            bad(l, NPC207, end, "endPort must be a number, not %s", npc_node_type_a(end));
        } else if (pm->name || v == 0) {
            if (e != 0)
                bad(l, NPC207, end, "endPort needs a numeric port other than 0");
        } else if (e != 0 && (e < v || e > 65535)) {
            bad(l, NPC207, end, "endPort %lld must be between port %s and 65535", e, s);
        } else if (e != 0) {
            pm->hi = (uint16_t)e;
        }
    }
}

/* Whether L7 rules are only DNS rules that allow every name ({dns:
 * [{matchPattern: "*"}]}, the rule that lets Cilium's DNS proxy learn
 * the answers for toFQDNs): they filter nothing, so no note is due. */
static int dns_allows_all(const npc_node *rules)
{
    if (rules->kind != NPC_NODE_MAP || rules->u.map.len != 1)
        return 0;
    const npc_node *dns = npc_map_get(rules, "dns");
    if (!dns || dns->kind != NPC_NODE_SEQ || !dns->u.seq.len)
        return 0;
    for (size_t i = 0; i < dns->u.seq.len; i++) {
        const npc_node *e = dns->u.seq.items[i];
        const npc_node *pat = e && e->kind == NPC_NODE_MAP && e->u.map.len == 1
                                  ? npc_map_get(e, "matchPattern")
                                  : NULL;
        if (!pat || !npc_node_scalar_eq(pat, "*"))
            return 0;
    }
    return 1;
}

/* toPorts: the union of the ports of its entries. L7 rules (rules.http,
 * dns, kafka, l7proto) are noted: the port counts as allowed at L3/L4. */
static void lower_to_ports(cl_lower *l, const npc_node *tp, int deny, npc_rule *r)
{
    static const char *const known[] = {"ports", "rules", NULL};
    static const char *const unmodelled[] = {"terminatingTLS", "originatingTLS", "serverNames",
                                             "listener", NULL};
    size_t n = seq_len(l, tp, "'toPorts'"), total = 0;
    for (size_t i = 0; i < n; i++) {
        const npc_node *e = tp->u.seq.items[i];
        if (e && e->kind == NPC_NODE_MAP)
            total += seq_len(l, npc_map_get(e, "ports"), "'ports'");
    }
    r->ports = npc_arena_alloc(l->c->arena, (total + 1) * sizeof *r->ports);
    for (size_t i = 0; i < n; i++) {
        const npc_node *e = tp->u.seq.items[i];
        if (!is_map(l, e, "a toPorts entry"))
            continue;
        check_fields(l, e, known, unmodelled, "a toPorts entry", "the ports count as allowed");
        const npc_node *ports = npc_map_get(e, "ports"), *rules = npc_map_get(e, "rules");
        size_t np = seq_len(l, ports, "'ports'");
        if (np == 0) {
            bad(l, NPC202, e, "a toPorts entry needs a non-empty 'ports' list");
            continue;
        }
        for (size_t j = 0; j < np; j++)
            lower_port(l, ports->u.seq.items[j], &r->ports[r->nports++]);
        if (!npc_node_is_null(rules)) {
            if (deny)
                bad(l, NPC211, rules, "deny rules cannot have L7 rules");
            else if (!dns_allows_all(rules))
                npc_note(l->c->ctx, NPC234, npc_node_loc(rules),
                         "L7 rules are not modelled: the ports count as allowed at L3/L4");
        }
    }
}

/* --------------------------------------------------------------- rules */

typedef NPC_VEC(npc_peer) peer_vec;

static void lower_rule(cl_lower *l, const npc_node *n, npc_dir dir, int deny, uint32_t index,
                       npc_rule *r)
{
    static const char *const ing_known[] = {
        "fromEndpoints", "fromEntities", "fromCIDR", "fromCIDRSet", "toPorts", "icmps", NULL};
    static const char *const eg_known[] = {"toEndpoints", "toEntities", "toCIDR", "toCIDRSet",
                                           "toFQDNs",     "toPorts",    "icmps",  NULL};
    static const char *const ing_unmodelled[] = {"fromRequires", "fromGroups", "fromNodes",
                                                 "authentication", NULL};
    static const char *const eg_unmodelled[] = {"toRequires", "toServices",     "toGroups",
                                                "toNodes",    "authentication", NULL};
    npc_cluster *c = l->c;
    int in = dir == NPC_DIR_INGRESS;
    memset(r, 0, sizeof *r);
    r->dir = dir;
    r->action = deny ? NPC_ACT_DENY : NPC_ACT_ALLOW;
    r->index = index;
    r->loc = npc_node_loc(n);
    const char *what = in ? (deny ? "an ingressDeny rule" : "an ingress rule")
                          : (deny ? "an egressDeny rule" : "an egress rule");
    if (!is_map(l, n, what))
        return;
    check_fields(l, n, in ? ing_known : eg_known, in ? ing_unmodelled : eg_unmodelled, what,
                 "the rule is analysed without it");
    /* peers of toServices/toGroups/toNodes/fromGroups/fromNodes are not
     * modelled: they select nothing here, which the warning above says */
    static const char *const hidden_peers[] = {"toServices", "toGroups",  "toNodes",
                                               "fromGroups", "fromNodes", NULL};
    int l3 = 0;
    for (size_t i = 0; i < n->u.map.len; i++)
        l3 |= known_field(n->u.map.items[i].key, hidden_peers) &&
              !npc_node_is_null(n->u.map.items[i].value);
    /* Cilium rejects a rule with two kinds of L3 peers
     * (pkg/policy/api/rule_validation.go, "Combining %s and %s is not
     * supported yet"), so the policy would not be applied */
    static const char *const l3_members[2][9] = {
        {"fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities", "fromNodes", "fromGroups",
         NULL},
        {"toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toGroups",
         "toNodes", NULL},
    };
    const npc_node *first = NULL;
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        if (!known_field(k, l3_members[dir]) || v->kind != NPC_NODE_SEQ || !v->u.seq.len)
            continue;
        if (first) {
            bad(l, NPC211, k,
                "Cilium rejects a rule that combines '%s' and '%s' (one kind of peer per rule); "
                "write two rules",
                kname(first), kname(k));
            break;
        }
        first = k;
    }
    peer_vec peers = {0};
    npc_peer p;
    const npc_node *eps = npc_map_get(n, in ? "fromEndpoints" : "toEndpoints");
    size_t k = seq_len(l, eps, in ? "'fromEndpoints'" : "'toEndpoints'");
    for (size_t i = 0; i < k; i++) {
        endpoint_peer(l, eps->u.seq.items[i], &p);
        npc_vec_push(&peers, p);
    }
    l3 |= k > 0;
    const npc_node *ents = npc_map_get(n, in ? "fromEntities" : "toEntities");
    if (seq_len(l, ents, in ? "'fromEntities'" : "'toEntities'")) {
        entity_peers(l, ents, &p);
        npc_vec_push(&peers, p);
        l3 = 1;
    }
    const npc_node *cidrs = npc_map_get(n, in ? "fromCIDR" : "toCIDR");
    k = seq_len(l, cidrs, in ? "'fromCIDR'" : "'toCIDR'");
    for (size_t i = 0; i < k; i++) {
        const npc_node *e = cidrs->u.seq.items[i];
        npc_iprange rr;
        int v6;
        if (!parse_cidr(l, e, in ? "fromCIDR" : "toCIDR", &rr, &v6))
            continue;
        range_vec v = {0};
        npc_vec_push(&v, rr);
        ips_peer(l, &v, &p, npc_node_loc(e));
        p.cidr = intern_node(c, e);
        npc_vec_free(&v);
        npc_vec_push(&peers, p);
    }
    l3 |= k > 0;
    const npc_node *sets = npc_map_get(n, in ? "fromCIDRSet" : "toCIDRSet");
    k = seq_len(l, sets, in ? "'fromCIDRSet'" : "'toCIDRSet'");
    for (size_t i = 0; i < k; i++) {
        cidrset_peer(l, sets->u.seq.items[i], &p);
        npc_vec_push(&peers, p);
    }
    l3 |= k > 0;
    if (!in) {
        const npc_node *fq = npc_map_get(n, "toFQDNs");
        k = seq_len(l, fq, "'toFQDNs'");
        if (k && deny)
            bad(l, NPC211, fq, "toFQDNs is not allowed in egressDeny rules");
        for (size_t i = 0; i < k && !deny; i++) {
            fqdn_peer(l, fq->u.seq.items[i], &p);
            npc_vec_push(&peers, p);
        }
        l3 |= k > 0;
    }
    const npc_node *tp = npc_map_get(n, "toPorts"), *icmps = npc_map_get(n, "icmps");
    int l4 = seq_len(l, tp, "'toPorts'") > 0;
    if (l4)
        lower_to_ports(l, tp, deny, r);
    if (seq_len(l, icmps, "'icmps'")) {
        /* ICMP is not in the IR: the rule allows no TCP/UDP/SCTP port for
         * what icmps adds (a rule with L4 restrictions allows only them) */
        npc_warning(c->ctx, NPC231, npc_node_loc(icmps),
                    "ICMP rules are not modelled; the rule allows no TCP, UDP or SCTP port "
                    "for them");
        if (!l4) {
            r->ports = npc_arena_alloc(c->arena, sizeof *r->ports);
            memset(r->ports, 0, sizeof *r->ports); /* proto_mask 0: no port */
            r->ports[0].loc = npc_node_loc(icmps);
            r->nports = 1;
        }
        l4 = 1;
    }
    if (!l3 && l4) { /* only L4: every peer */
        memset(&p, 0, sizeof p);
        p.kind = NPC_PEER_ANY;
        p.loc = r->loc;
        npc_vec_push(&peers, p);
    }
    /* an empty rule {} selects no peer */
    r->peers = npc_arena_alloc(c->arena, (peers.len + 1) * sizeof *r->peers);
    if (peers.len)
        memcpy(r->peers, peers.items, peers.len * sizeof *r->peers);
    r->npeers = (uint32_t)peers.len;
    npc_vec_free(&peers);
}

/* ---------------------------------------------------------------- specs */

static const struct {
    const char *key;
    npc_dir dir;
    int deny;
} rule_lists[] = {
    {"ingress", NPC_DIR_INGRESS, 0},
    {"ingressDeny", NPC_DIR_INGRESS, 1},
    {"egress", NPC_DIR_EGRESS, 0},
    {"egressDeny", NPC_DIR_EGRESS, 1},
};

/* One rule set: the object's `spec`, or entry `index` of its `specs`
 * (index >= 0), which is named "<name>[<index>]" in reports. */
static void lower_spec(cl_lower *l, const npc_node *spec, npc_policy *base, long index)
{
    static const char *const known[] = {
        "endpointSelector", "ingress",     "ingressDeny",       "egress",       "egressDeny",
        "labels",           "description", "enableDefaultDeny", "nodeSelector", NULL};
    npc_cluster *c = l->c;
    if (!is_map(l, spec, "a Cilium policy spec"))
        return;
    check_fields(l, spec, known, NULL, "a Cilium policy spec", "");
    const npc_node *es = npc_map_get(spec, "endpointSelector");
    const npc_node *nsel = npc_map_get(spec, "nodeSelector");
    if (npc_node_is_null(es) == npc_node_is_null(nsel)) {
        bad(l, NPC214, spec,
            "a Cilium policy spec needs exactly one of endpointSelector and "
            "nodeSelector");
        return;
    }
    if (!npc_node_is_null(nsel)) {
        if (!l->clusterwide)
            bad(l, NPC211, nsel,
                "nodeSelector is only allowed in a CiliumClusterwideNetworkPolicy");
        else
            npc_warning(c->ctx, NPC231, npc_node_loc(nsel),
                        "host policies (nodeSelector) are not modelled; this spec is skipped");
        return;
    }
    npc_policy pol = *base;
    pol.loc = npc_node_loc(spec);
    if (index >= 0) {
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%s[%ld]", npc_sym_str(c->ctx->strings, base->name), index);
        pol.name = npc_intern(c->ctx->strings, b.data, b.len);
        npc_buf_free(&b);
    }
    if (!npc_parse_selector_sourced(c, es, &pol.subj_pod_sel)) {
        l->ok = 0;
        return;
    }
    int def_deny[2] = {1, 1};
    const npc_node *dd = npc_map_get(spec, "enableDefaultDeny");
    if (!npc_node_is_null(dd) && is_map(l, dd, "enableDefaultDeny")) {
        static const char *const dk[] = {"ingress", "egress", NULL};
        check_fields(l, dd, dk, NULL, "enableDefaultDeny", "");
        for (int d = 0; d < 2; d++) {
            const npc_node *v = npc_map_get(dd, dk[d]);
            int b;
            if (npc_node_is_null(v))
                continue;
            if (!npc_node_get_bool(v, &b))
                bad(l, NPC203, v, "enableDefaultDeny.%s must be a boolean, not %s", dk[d],
                    npc_node_type_a(v));
            else
                def_deny[d] = b;
        }
    }
    size_t total = 0;
    for (size_t i = 0; i < sizeof rule_lists / sizeof rule_lists[0]; i++)
        total += seq_len(l, npc_map_get(spec, rule_lists[i].key), "a rule list");
    pol.rules = npc_arena_alloc(c->arena, (total + 1) * sizeof *pol.rules);
    pol.nrules = 0;
    uint32_t per_dir[2] = {0, 0};
    for (size_t i = 0; i < sizeof rule_lists / sizeof rule_lists[0]; i++) {
        const npc_node *list = npc_map_get(spec, rule_lists[i].key);
        size_t n = npc_node_is_null(list) || list->kind != NPC_NODE_SEQ ? 0 : list->u.seq.len;
        npc_dir d = rule_lists[i].dir;
        /* a selected endpoint is default-deny in each direction the
         * policy has rules for (allow or deny) */
        if (n && def_deny[d])
            pol.affects[d] = 1;
        for (size_t j = 0; j < n; j++)
            lower_rule(l, list->u.seq.items[j], d, rule_lists[i].deny, per_dir[d]++,
                       &pol.rules[pol.nrules++]);
    }
    /* ingress rules first, then egress (npc_policy's order); the lists
     * above come ingress, ingressDeny, egress, egressDeny */
    npc_vec_push(&c->policies, pol);
}

int npc_lower_cilium(npc_cluster *c, const npc_node *obj, int clusterwide)
{
    cl_lower l = {c, 0, clusterwide, 1};
    npc_ctx *ctx = c->ctx;
    npc_policy pol;
    memset(&pol, 0, sizeof pol);
    pol.kind = clusterwide ? NPC_KIND_CILIUM_CW : NPC_KIND_CILIUM;
    pol.layer = NPC_LAYER_NAMESPACE;
    pol.loc = npc_node_loc(obj);
    pol.skip_host_network = 1; /* host-network pods are their node's traffic */
    const npc_node *md = npc_map_get(obj, "metadata");
    if (!md || !is_map(&l, md, "metadata")) {
        if (!md)
            npc_error(ctx, NPC202, npc_node_loc(obj), "missing required field 'metadata'");
        return 0;
    }
    const npc_node *name = npc_map_get(md, "name"), *ns = npc_map_get(md, "namespace");
    if (!npc_node_is_string(name) || !*name->u.scalar.s) {
        npc_error(ctx, NPC202, npc_node_loc(name ? name : md),
                  "a Cilium policy needs metadata.name");
        return 0;
    }
    pol.name = intern_node(c, name);
    if (clusterwide) {
        pol.subj_ns_mode = NPC_NS_SELECTOR; /* every namespace */
    } else {
        pol.subj_ns_mode = NPC_NS_SAME;
        pol.ns = npc_node_is_string(ns) && *ns->u.scalar.s
                     ? intern_node(c, ns)
                     : npc_intern_cstr(ctx->strings, "default");
        (void)npc_cluster_namespace(c, pol.ns);
        l.ns = pol.ns;
    }
    c->identity_labels = 1;
    const npc_node *spec = npc_map_get(obj, "spec"), *specs = npc_map_get(obj, "specs");
    if (npc_node_is_null(spec) && npc_node_is_null(specs)) {
        npc_error(ctx, NPC202, npc_node_loc(obj), "a Cilium policy needs 'spec' or 'specs'");
        return 0;
    }
    size_t before = c->policies.len;
    if (!npc_node_is_null(spec))
        lower_spec(&l, spec, &pol, -1);
    size_t n = seq_len(&l, specs, "'specs'");
    for (size_t i = 0; i < n; i++)
        lower_spec(&l, specs->u.seq.items[i], &pol, (long)i);
    if (!l.ok) {
        c->policies.len = before;
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------- CIDR groups */

int npc_load_cidr_group(npc_cluster *c, const npc_node *obj)
{
    cl_lower l = {c, 0, 1, 1};
    const npc_node *md = npc_map_get(obj, "metadata");
    const npc_node *name = md && md->kind == NPC_NODE_MAP ? npc_map_get(md, "name") : NULL;
    if (!npc_node_is_string(name) || !*name->u.scalar.s) {
        npc_error(c->ctx, NPC202, npc_node_loc(md ? md : obj),
                  "a CiliumCIDRGroup needs metadata.name");
        return 0;
    }
    npc_cidr_group g;
    memset(&g, 0, sizeof g);
    g.name = intern_node(c, name);
    if (!npc_parse_labels(c, npc_map_get(md, "labels"), &g.labels))
        return 0;
    const npc_node *spec = npc_map_get(obj, "spec");
    if (!is_map(&l, spec, "spec"))
        return 0;
    const npc_node *list = npc_map_get(spec, "externalCIDRs");
    size_t n = seq_len(&l, list, "'externalCIDRs'");
    g.ranges = npc_arena_alloc(c->arena, (n + 1) * sizeof *g.ranges);
    for (size_t i = 0; i < n; i++) {
        int v6;
        if (parse_cidr(&l, list->u.seq.items[i], "externalCIDRs", &g.ranges[g.nranges], &v6))
            g.nranges++;
    }
    if (!l.ok)
        return 0;
    npc_vec_push(&c->cidr_groups, g);
    return 1;
}

/* ------------------------------------------------------------ entities */

static const char *const entity_names[] = {"world",          "cluster", "host", "remote-node",
                                           "kube-apiserver", "all",     "init", "health",
                                           "unmanaged",      "ingress"};

unsigned npc_entity_parse(const char *s)
{
    if (strcmp(s, "world-ipv4") == 0 || strcmp(s, "world-ipv6") == 0)
        return NPC_ENT_WORLD;
    for (unsigned i = 0; i < sizeof entity_names / sizeof entity_names[0]; i++)
        if (strcmp(s, entity_names[i]) == 0)
            return 1u << i;
    return 0;
}

const char *npc_entity_name(unsigned bit)
{
    for (unsigned i = 0; i < sizeof entity_names / sizeof entity_names[0]; i++)
        if (bit == 1u << i)
            return entity_names[i];
    return "?";
}
