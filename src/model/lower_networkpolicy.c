/* Kubernetes NetworkPolicy (networking.k8s.io/v1) into the IR: the
 * namespace tier, additive, isolating the pods it selects in the directions
 * of its effective policyTypes. */
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/ir.h"
#include "model/names.h"
#include "util/ctx.h"
#include "util/diag.h"

typedef struct np_lower {
    npc_cluster *c;
    npc_sym ns;
    int ok;
} np_lower;

static int is_map(np_lower *l, const npc_node *n, const char *what)
{
    if (n && n->kind == NPC_NODE_MAP)
        return 1;
    npc_error(l->c->ctx, NPC203, npc_node_loc(n), "%s must be a mapping, not %s", what,
              npc_node_type_a(n));
    l->ok = 0;
    return 0;
}

/* A list field: NULL/null is empty; anything else but a sequence is an error. */
static int get_seq(np_lower *l, const npc_node *n, const char *what, size_t *len)
{
    *len = 0;
    if (npc_node_is_null(n))
        return 1;
    if (n->kind != NPC_NODE_SEQ) {
        npc_error(l->c->ctx, NPC203, npc_node_loc(n), "%s must be a sequence, not %s", what,
                  npc_node_type_a(n));
        l->ok = 0;
        return 0;
    }
    *len = n->u.seq.len;
    return 1;
}

/* Reports fields of map n not in `known` (a NULL-terminated list). */
static void check_fields(np_lower *l, const npc_node *n, const char *const *known,
                         const char *where)
{
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key;
        int found = 0;
        for (size_t j = 0; known[j] && !found; j++)
            found = npc_node_scalar_eq(k, known[j]);
        if (!found) {
            npc_unknown_field(l->c->ctx, k, known, NULL, where);
            l->ok = 0;
        }
    }
}

/* ------------------------------------------------------------- ipBlock */

static int parse_cidr_node(np_lower *l, const npc_node *parent, const npc_node *n, const char *what,
                           npc_iprange *r, int *v6)
{
    if (!npc_node_is_string(n)) {
        npc_error(l->c->ctx, n ? NPC203 : NPC202, npc_node_loc(n ? n : parent),
                  n ? "%s must be a string, not %s" : "ipBlock needs %s%s", what,
                  n ? npc_node_type_a(n) : "");
        l->ok = 0;
        return 0;
    }
    int prefix, canonical;
    if (!npc_cidr_parse(n->u.scalar.s, r, &prefix, v6, &canonical)) {
        npc_error(l->c->ctx, NPC206, npc_node_loc(n), "invalid CIDR address '%s' in %s",
                  n->u.scalar.s, what);
        l->ok = 0;
        return 0;
    }
    return 1;
}

static void lower_ipblock(np_lower *l, const npc_node *ib, npc_peer *p)
{
    static const char *const known[] = {"cidr", "except", NULL};
    if (!is_map(l, ib, "ipBlock"))
        return;
    check_fields(l, ib, known, "an ipBlock");
    npc_iprange whole;
    int v6;
    if (!parse_cidr_node(l, ib, npc_map_get(ib, "cidr"), "'cidr'", &whole, &v6))
        return;
    const npc_node *ex = npc_map_get(ib, "except");
    size_t nex;
    if (!get_seq(l, ex, "'except'", &nex))
        return;
    npc_iprange *exr = npc_xmalloc((nex + 1) * sizeof *exr);
    uint32_t m = 0;
    for (size_t i = 0; i < nex; i++) {
        const npc_node *e = ex->u.seq.items[i];
        npc_iprange r;
        int ev6;
        if (!parse_cidr_node(l, ex, e, "'except'", &r, &ev6))
            continue;
        /* the API server requires each except to lie strictly inside cidr */
        if (ev6 != v6 || npc_ip_cmp(r.first, whole.first) < 0 ||
            npc_ip_cmp(r.last, whole.last) > 0 ||
            (npc_ip_cmp(r.first, whole.first) == 0 && npc_ip_cmp(r.last, whole.last) == 0)) {
            npc_error(l->c->ctx, NPC206, npc_node_loc(e),
                      "except '%s' must be a strict subset of cidr '%s'", e->u.scalar.s,
                      npc_map_get(ib, "cidr")->u.scalar.s);
            l->ok = 0;
            continue;
        }
        exr[m++] = r;
    }
    p->kind = NPC_PEER_IPS;
    p->ranges = npc_arena_alloc(l->c->arena, ((size_t)m + 2) * sizeof *p->ranges);
    p->nranges = npc_cidr_minus(whole, v6, exr, m, p->ranges);
    free(exr);
}

/* --------------------------------------------------------------- peers */

static void lower_peer(np_lower *l, const npc_node *n, npc_peer *p)
{
    static const char *const known[] = {"podSelector", "namespaceSelector", "ipBlock", NULL};
    memset(p, 0, sizeof *p);
    p->loc = npc_node_loc(n);
    p->kind = NPC_PEER_PODS;
    if (!is_map(l, n, "a peer"))
        return;
    check_fields(l, n, known, "a peer");
    const npc_node *ps = npc_map_get(n, "podSelector"), *nss = npc_map_get(n, "namespaceSelector");
    const npc_node *ib = npc_map_get(n, "ipBlock");
    if (ib && (ps || nss)) {
        npc_error(
            l->c->ctx, NPC214, npc_node_loc(n),
            "a peer may have ipBlock or selectors (podSelector, namespaceSelector), not both");
        l->ok = 0;
        return;
    }
    if (ib) {
        lower_ipblock(l, ib, p);
        return;
    }
    if (!ps && !nss) {
        npc_error(l->c->ctx, NPC214, npc_node_loc(n),
                  "a peer needs podSelector, namespaceSelector or ipBlock");
        l->ok = 0;
        return;
    }
    if (!npc_parse_selector(l->c, ps, &p->pod_sel))
        l->ok = 0;
    if (nss) {
        p->ns_mode = NPC_NS_SELECTOR;
        if (!npc_parse_selector(l->c, nss, &p->ns_sel))
            l->ok = 0;
    } else {
        p->ns_mode = NPC_NS_SAME;
    }
}

/* --------------------------------------------------------------- ports */

/* IANA_SVC_NAME: 1-15 of [a-z0-9-], a letter somewhere, no leading,
 * trailing or doubled '-'. */
static int valid_port_name(const char *s, size_t n)
{
    if (n == 0 || n > 15 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    int letter = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'a' && ch <= 'z')
            letter = 1;
        else if (!(ch >= '0' && ch <= '9') && !(ch == '-' && s[i + 1] != '-'))
            return 0;
    }
    return letter;
}

static void lower_port(np_lower *l, const npc_node *n, npc_port_match *pm)
{
    static const char *const known[] = {"port", "endPort", "protocol", NULL};
    npc_ctx *ctx = l->c->ctx;
    memset(pm, 0, sizeof *pm);
    pm->loc = npc_node_loc(n);
    pm->proto_mask = 1u << NPC_PROTO_TCP;
    pm->lo = 1;
    pm->hi = 65535;
    if (!is_map(l, n, "a port"))
        return;
    check_fields(l, n, known, "a port");
    const npc_node *proto = npc_map_get(n, "protocol"), *port = npc_map_get(n, "port");
    const npc_node *end = npc_map_get(n, "endPort");
    if (!npc_node_is_null(proto)) {
        npc_proto p;
        if (!npc_node_is_string(proto) || !npc_proto_parse(proto->u.scalar.s, &p)) {
            npc_error(ctx, NPC208, npc_node_loc(proto),
                      "invalid protocol '%s' (expected TCP, UDP or SCTP)",
                      proto->kind == NPC_NODE_SCALAR ? proto->u.scalar.s
                                                     : npc_node_type_name(proto));
            l->ok = 0;
        } else {
            pm->proto_mask = (uint8_t)(1u << p);
        }
    }
    long long v;
    if (npc_node_is_null(port)) {
        if (!npc_node_is_null(end)) {
            npc_error(ctx, NPC207, npc_node_loc(end), "endPort needs a numeric port");
            l->ok = 0;
        }
        return;
    }
    if (npc_node_get_int(port, &v)) {
        if (v < 1 || v > 65535) {
            npc_error(ctx, NPC207, npc_node_loc(port), "port %lld is out of range 1-65535", v);
            l->ok = 0;
            return;
        }
        pm->lo = pm->hi = (uint16_t)v;
    } else if (npc_node_is_string(port)) {
        const char *s = port->u.scalar.s;
        if (!valid_port_name(s, port->u.scalar.len)) {
            npc_error(ctx, NPC207, npc_node_loc(port),
                      "invalid port '%s' (a number 1-65535 or a port name: up to 15 lowercase "
                      "letters, digits and '-', with a letter)",
                      s);
            l->ok = 0;
            return;
        }
        pm->name = npc_intern(ctx->strings, s, port->u.scalar.len);
        if (!npc_node_is_null(end)) {
            npc_error(ctx, NPC207, npc_node_loc(end),
                      "endPort field cannot be defined if the port field is defined as a named "
                      "(string) port");
            l->ok = 0;
        }
        return;
    } else {
        npc_error(ctx, NPC207, npc_node_loc(port), "port must be a number or a name, not %s",
                  npc_node_type_a(port));
        l->ok = 0;
        return;
    }
    if (!npc_node_is_null(end)) {
        long long e;
        if (!npc_node_get_int(end, &e)) {
            npc_error(ctx, NPC207, npc_node_loc(end), "endPort must be a number, not %s",
                      npc_node_type_a(end));
            l->ok = 0;
        } else if (e < v || e > 65535) {
            npc_error(ctx, NPC207, npc_node_loc(end),
                      "endPort %lld must be between port %lld and 65535", e, v);
            l->ok = 0;
        } else {
            pm->hi = (uint16_t)e;
        }
    }
}

/* --------------------------------------------------------------- rules */

/* An egress rule with a named port and ipBlock peers: the API server
 * accepts it, but a named port is resolved on the destination pod's
 * containers, so it never matches an IP destination (netpol-analyzer
 * refuses the rule: "cannot convert named port for an IP destination").
 * netpolc evaluates it as the cluster does, and says so. */
static void warn_named_port_to_ips(np_lower *l, const npc_rule *r, const npc_node *ports)
{
    if (r->dir != NPC_DIR_EGRESS)
        return;
    const npc_peer *ips = NULL;
    for (uint32_t i = 0; i < r->npeers && !ips; i++)
        if (r->peers[i].kind == NPC_PEER_IPS)
            ips = &r->peers[i];
    for (uint32_t i = 0; ips && i < r->nports; i++) {
        if (!r->ports[i].name)
            continue;
        const npc_node *pn = npc_map_get(ports->u.seq.items[i], "port");
        npc_diag *d = npc_warning(
            l->c->ctx, NPC228, npc_node_loc(pn ? pn : ports->u.seq.items[i]),
            "named port '%s' never matches the ipBlock destinations of this egress rule (a "
            "named port is a port of the destination pod's containers); give the port number",
            npc_sym_str(l->c->ctx->strings, r->ports[i].name));
        npc_diag_also(d, ips->loc);
    }
}

static void lower_rule(np_lower *l, const npc_node *n, npc_dir dir, uint32_t index, npc_rule *r)
{
    const char *peers_key = dir == NPC_DIR_INGRESS ? "from" : "to";
    const char *const known[] = {peers_key, "ports", NULL};
    memset(r, 0, sizeof *r);
    r->dir = dir;
    r->action = NPC_ACT_ALLOW;
    r->index = index;
    r->loc = npc_node_loc(n);
    if (npc_node_is_null(n)) {
        r->peers = npc_arena_alloc(l->c->arena, sizeof *r->peers);
        r->peers[0].kind = NPC_PEER_ANY;
        r->peers[0].loc = r->loc;
        r->npeers = 1;
        return;
    }
    if (!is_map(l, n, dir == NPC_DIR_INGRESS ? "an ingress rule" : "an egress rule"))
        return;
    check_fields(l, n, known, dir == NPC_DIR_INGRESS ? "an ingress rule" : "an egress rule");
    const npc_node *peers = npc_map_get(n, peers_key), *ports = npc_map_get(n, "ports");
    size_t np, nports;
    if (get_seq(l, peers, dir == NPC_DIR_INGRESS ? "'from'" : "'to'", &np)) {
        if (np == 0) { /* no peers: every source/destination */
            r->peers = npc_arena_alloc(l->c->arena, sizeof *r->peers);
            r->peers[0].kind = NPC_PEER_ANY;
            r->peers[0].loc = r->loc;
            r->npeers = 1;
        } else {
            r->peers = npc_arena_alloc(l->c->arena, np * sizeof *r->peers);
            for (size_t i = 0; i < np; i++)
                lower_peer(l, peers->u.seq.items[i], &r->peers[r->npeers++]);
        }
    }
    if (get_seq(l, ports, "'ports'", &nports) && nports) {
        r->ports = npc_arena_alloc(l->c->arena, nports * sizeof *r->ports);
        for (size_t i = 0; i < nports; i++)
            lower_port(l, ports->u.seq.items[i], &r->ports[r->nports++]);
    }
    warn_named_port_to_ips(l, r, ports);
}

static int string_field(np_lower *l, const npc_node *parent, const char *key, int required,
                        const npc_node **out)
{
    const npc_node *n = npc_map_get(parent, key);
    *out = NULL;
    if (npc_node_is_null(n)) {
        if (required) {
            npc_error(l->c->ctx, NPC202, npc_node_loc(parent), "missing required field '%s'", key);
            l->ok = 0;
        }
        return !required;
    }
    if (!npc_node_is_string(n)) {
        npc_error(l->c->ctx, NPC203, npc_node_loc(n), "'%s' must be a string, not %s", key,
                  npc_node_type_a(n));
        l->ok = 0;
        return 0;
    }
    *out = n;
    return 1;
}

int npc_lower_networkpolicy(npc_cluster *c, const npc_node *obj)
{
    static const char *const spec_known[] = {"podSelector", "ingress", "egress", "policyTypes",
                                             NULL};
    np_lower l = {c, 0, 1};
    npc_ctx *ctx = c->ctx;
    npc_policy pol;
    memset(&pol, 0, sizeof pol);
    pol.kind = NPC_KIND_NETWORKPOLICY;
    pol.layer = NPC_LAYER_NAMESPACE;
    pol.loc = npc_node_loc(obj);
    pol.subj_ns_mode = NPC_NS_SAME;

    const npc_node *md = npc_map_get(obj, "metadata");
    if (!md) {
        npc_error(ctx, NPC202, npc_node_loc(obj), "missing required field 'metadata'");
        return 0;
    }
    if (!is_map(&l, md, "metadata"))
        return 0;
    const npc_node *name, *ns;
    if (!string_field(&l, md, "name", 1, &name) || !string_field(&l, md, "namespace", 0, &ns))
        return 0;
    if (!npc_check_object_name(c, name, NPC_NAME_SUBDOMAIN, "NetworkPolicy name") ||
        (ns && !npc_check_object_name(c, ns, NPC_NAME_LABEL, "namespace")))
        return 0;
    pol.name = npc_intern(ctx->strings, name->u.scalar.s, name->u.scalar.len);
    pol.ns = ns ? npc_intern(ctx->strings, ns->u.scalar.s, ns->u.scalar.len)
                : npc_intern_cstr(ctx->strings, "default");
    (void)npc_cluster_namespace(c, pol.ns);

    const npc_node *spec = npc_map_get(obj, "spec");
    if (npc_node_is_null(spec)) {
        npc_error(ctx, NPC202, npc_node_loc(obj), "missing required field 'spec'");
        return 0;
    }
    if (!is_map(&l, spec, "spec"))
        return 0;
    check_fields(&l, spec, spec_known, "a NetworkPolicy spec");
    if (!npc_parse_selector(c, npc_map_get(spec, "podSelector"), &pol.subj_pod_sel))
        l.ok = 0;

    const npc_node *ing = npc_map_get(spec, "ingress"), *eg = npc_map_get(spec, "egress");
    const npc_node *types = npc_map_get(spec, "policyTypes");
    size_t ning = 0, neg = 0, ntypes = 0;
    int types_ok = get_seq(&l, types, "'policyTypes'", &ntypes);
    get_seq(&l, ing, "'ingress'", &ning);
    get_seq(&l, eg, "'egress'", &neg);
    if (types_ok && ntypes > 2) {
        npc_error(ctx, NPC211, npc_node_loc(types),
                  "may not specify more than two policyTypes (Ingress, Egress), not %zu", ntypes);
        l.ok = 0;
    } else if (types_ok && ntypes) {
        for (size_t i = 0; i < ntypes; i++) {
            const npc_node *t = types->u.seq.items[i];
            if (npc_node_scalar_eq(t, "Ingress") && npc_node_is_string(t))
                pol.affects[NPC_DIR_INGRESS] = 1;
            else if (npc_node_scalar_eq(t, "Egress") && npc_node_is_string(t))
                pol.affects[NPC_DIR_EGRESS] = 1;
            else {
                npc_error(ctx, NPC211, npc_node_loc(t),
                          "invalid policy type '%s' (expected Ingress or Egress)",
                          t->kind == NPC_NODE_SCALAR ? t->u.scalar.s : npc_node_type_name(t));
                l.ok = 0;
            }
        }
    } else {
        /* the API server's default: Ingress, plus Egress when there are
         * egress rules */
        pol.affects[NPC_DIR_INGRESS] = 1;
        pol.affects[NPC_DIR_EGRESS] = neg > 0;
    }
    /* Rules of a direction the policy does not affect are inert. */
    size_t n = (pol.affects[NPC_DIR_INGRESS] ? ning : 0) + (pol.affects[NPC_DIR_EGRESS] ? neg : 0);
    pol.rules = npc_arena_alloc(c->arena, (n ? n : 1) * sizeof *pol.rules);
    if (pol.affects[NPC_DIR_INGRESS])
        for (size_t i = 0; i < ning; i++)
            lower_rule(&l, ing->u.seq.items[i], NPC_DIR_INGRESS, (uint32_t)i,
                       &pol.rules[pol.nrules++]);
    if (pol.affects[NPC_DIR_EGRESS])
        for (size_t i = 0; i < neg; i++)
            lower_rule(&l, eg->u.seq.items[i], NPC_DIR_EGRESS, (uint32_t)i,
                       &pol.rules[pol.nrules++]);
    if (!l.ok)
        return 0;
    npc_vec_push(&c->policies, pol);
    return 1;
}
