/* Shared lowering of the cluster-scoped admin policy dialects (see
 * lower_admin_common.h). The checks follow the CRD schemas: required
 * fields, one-of objects (minProperties = maxProperties = 1), list bounds,
 * enums and CEL rules become diagnostics with the offending node's position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fields.h"
#include "model/lower_admin_common.h"
#include "model/names.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"

static const char *key_str(const npc_node *k)
{
    return k && k->kind == NPC_NODE_SCALAR ? k->u.scalar.s : "?";
}

int npc_admin_check_keys(npc_cluster *c, const npc_node *map, const char *const *allowed,
                         const char *where)
{
    int ok = 1;
    for (size_t i = 0; i < map->u.map.len; i++) {
        const npc_node *k = map->u.map.items[i].key;
        size_t j = 0;
        while (allowed[j] && !npc_node_scalar_eq(k, allowed[j]))
            j++;
        if (!allowed[j]) {
            npc_unknown_field(c->ctx, k, allowed, NULL, where);
            ok = 0;
        }
    }
    return ok;
}

const npc_pair *npc_admin_one_of(npc_cluster *c, const npc_node *n, const char *const *allowed,
                                 const char *where)
{
    if (!n || n->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be a mapping, not a %s", where,
                  npc_node_type_name(n));
        return NULL;
    }
    if (!npc_admin_check_keys(c, n, allowed, where))
        return NULL;
    const npc_pair *set = NULL;
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_pair *pr = &n->u.map.items[i];
        if (npc_node_is_null(pr->value))
            continue;
        if (set) {
            npc_diag *dg = npc_error(c->ctx, NPC214, npc_node_loc(pr->key),
                                     "exactly one field must be set in %s, but '%s' and '%s' "
                                     "both are",
                                     where, key_str(set->key), key_str(pr->key));
            npc_diag_also(dg, npc_node_loc(set->key));
            return NULL;
        }
        set = pr;
    }
    if (!set) {
        npc_buf names = NPC_BUF_INIT;
        for (size_t j = 0; allowed[j]; j++)
            npc_buf_printf(&names, "%s%s", j ? (allowed[j + 1] ? ", " : " or ") : "", allowed[j]);
        npc_error(c->ctx, NPC214, npc_node_loc(n), "%s must set exactly one of %s", where,
                  npc_buf_cstr(&names));
        npc_buf_free(&names);
    }
    return set;
}

int npc_admin_string(npc_cluster *c, const npc_node *n, const char *what, const char **s)
{
    if (!npc_node_is_string(n)) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be a string, not a %s", what,
                  npc_node_type_name(n));
        return 0;
    }
    *s = n->u.scalar.s;
    return 1;
}

/* A required sequence field with CRD bounds [1, max]; NULL after reporting
 * (also when absent, empty or null: the API rejects those). */
static const npc_node *get_list(npc_cluster *c, const npc_node *parent, const char *key,
                                uint32_t max, const char *where)
{
    const npc_pair *pr = npc_map_get_pair(parent, key);
    if (!pr || npc_node_is_null(pr->value)) {
        npc_error(c->ctx, NPC202, pr ? npc_node_loc(pr->key) : npc_node_loc(parent),
                  "%s: '%s' must be defined and contain at least one item", where, key);
        return NULL;
    }
    const npc_node *v = pr->value;
    if (v->kind != NPC_NODE_SEQ) {
        npc_error(c->ctx, NPC203, npc_node_loc(v), "%s: '%s' must be a sequence, not a %s", where,
                  key, npc_node_type_name(v));
        return NULL;
    }
    if (v->u.seq.len == 0) {
        npc_error(c->ctx, NPC202, npc_node_loc(v),
                  "%s: '%s' must be defined and contain at least one item", where, key);
        return NULL;
    }
    if (v->u.seq.len > max) {
        npc_error(c->ctx, NPC211, npc_node_loc(v), "%s: '%s' has %zu items, at most %u allowed",
                  where, key, v->u.seq.len, max);
        return NULL;
    }
    return v;
}

const npc_node *npc_admin_begin(npc_cluster *c, const npc_node *obj, const npc_admin_dialect *d,
                                npc_policy *p, int *ok)
{
    memset(p, 0, sizeof *p);
    *ok = 0;
    p->kind = d->kind;
    p->loc = npc_node_loc(obj);
    p->subj_ns_mode = NPC_NS_SELECTOR;
    /* "host-networked pods are not included in subject selection" nor in
     * namespaces/pods peers (the CRDs) */
    p->skip_host_network = 1;
    const char *kind = npc_policy_kind_name(d->kind);
    char what[64];
    snprintf(what, sizeof what, "%s name", kind);
    if (!obj || obj->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC201, npc_node_loc(obj), "the %s must be a mapping, not a %s", kind,
                  npc_node_type_name(obj));
        return NULL;
    }
    *ok = 1;
    const npc_node *md = npc_map_get(obj, "metadata");
    const npc_node *name = md && md->kind == NPC_NODE_MAP ? npc_map_get(md, "name") : NULL;
    const char *s = NULL;
    if (!name) {
        npc_error(c->ctx, NPC202, npc_node_loc(md ? md : obj), "the %s has no metadata.name", kind);
        *ok = 0;
    } else if (!npc_admin_string(c, name, "metadata.name", &s)) {
        *ok = 0;
    } else if (!npc_check_object_name(c, name, NPC_NAME_SUBDOMAIN, what)) {
        *ok = 0;
    } else {
        p->name = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    }
    const npc_pair *sp = npc_map_get_pair(obj, "spec");
    if (!sp) {
        npc_error(c->ctx, NPC202, npc_node_loc(obj), "the %s has no spec", kind);
        return NULL;
    }
    if (!sp->value || sp->value->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(sp->value), "spec must be a mapping, not a %s",
                  npc_node_type_name(sp->value));
        return NULL;
    }
    return sp->value;
}

int npc_admin_priority(npc_cluster *c, const npc_node *spec, npc_policy *p)
{
    const npc_pair *pr = npc_map_get_pair(spec, "priority");
    long long v;
    if (!pr) {
        npc_error(c->ctx, NPC202, npc_node_loc(spec), "spec.priority is required");
        return 0;
    }
    if (!npc_node_get_int(pr->value, &v)) {
        npc_error(c->ctx, NPC203, npc_node_loc(pr->value),
                  "spec.priority must be an integer, not a %s", npc_node_type_name(pr->value));
        return 0;
    }
    if (v < 0 || v > 1000) {
        npc_error(c->ctx, NPC213, npc_node_loc(pr->value),
                  "%s '%s': priority %lld is out of range (0..1000)", npc_policy_kind_name(p->kind),
                  p->name ? npc_sym_str(c->ctx->strings, p->name) : "", v);
        return 0;
    }
    p->order = (double)v;
    return 1;
}

/* ------------------------------------------------------------ selectors */

static const char *const pods_keys[] = {"namespaceSelector", "podSelector", NULL};

/* A `pods: {namespaceSelector, podSelector}` object. */
static int parse_pods(npc_cluster *c, const npc_node *n, const npc_admin_dialect *d,
                      npc_selector *ns_sel, npc_selector *pod_sel, const char *where)
{
    if (n->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s 'pods' must be a mapping, not a %s", where,
                  npc_node_type_name(n));
        return 0;
    }
    int ok = npc_admin_check_keys(c, n, pods_keys, "a 'pods' selector");
    const npc_node *nss = npc_map_get(n, "namespaceSelector");
    const npc_node *ps = npc_map_get(n, "podSelector");
    /* The CRD requires podSelector (and, in v1alpha1, namespaceSelector);
     * Go clients read an absent one as the empty selector, and so do we,
     * with a warning. v1alpha2 documents an absent namespaceSelector as
     * selecting all namespaces. */
    if (!ps || (d->pods_ns_required && !nss))
        npc_warning(c->ctx, NPC202, npc_node_loc(n),
                    "%s 'pods' lacks %s, which the API requires; taken as empty (selects all)",
                    where, !ps ? "podSelector" : "namespaceSelector");
    if (!npc_parse_selector(c, nss, ns_sel))
        ok = 0;
    /* Pod selectors of these CRDs are not validated by the API server;
     * Cilium, which enforces ClusterNetworkPolicy, matches them against
     * identity labels, where keys may carry a source ("reserved:host"). */
    if (!npc_parse_selector_sourced(c, ps, pod_sel))
        ok = 0;
    return ok;
}

static const char *const subject_keys[] = {"namespaces", "pods", NULL};

int npc_admin_subject(npc_cluster *c, const npc_node *spec, const npc_admin_dialect *d,
                      npc_policy *p)
{
    const npc_pair *sp = npc_map_get_pair(spec, "subject");
    if (!sp) {
        npc_error(c->ctx, NPC202, npc_node_loc(spec), "spec.subject is required");
        return 0;
    }
    const npc_pair *f = npc_admin_one_of(c, sp->value, subject_keys, "the subject");
    if (!f)
        return 0;
    p->subj_ns_mode = NPC_NS_SELECTOR;
    if (npc_node_scalar_eq(f->key, "namespaces"))
        return npc_parse_selector(c, f->value, &p->subj_ns_sel);
    return parse_pods(c, f->value, d, &p->subj_ns_sel, &p->subj_pod_sel, "the subject");
}

/* ---------------------------------------------------------------- peers */

static int cmp_range(const void *a, const void *b)
{
    const npc_iprange *x = a, *y = b;
    int r = npc_ip_cmp(x->first, y->first);
    return r ? r : npc_ip_cmp(x->last, y->last);
}

/* Appends range a minus the IPv4-mapped block to r: an IPv6 CIDR (even ::/0)
 * matches no IPv4 address, which lives in that block of the one space. */
static uint32_t add_v6_range(npc_iprange *r, uint32_t m, npc_iprange a)
{
    npc_iprange v4;
    if (!npc_iprange_v4_overlap(a, &v4)) {
        r[m++] = a;
        return m;
    }
    if (npc_ip_cmp(a.first, v4.first) < 0)
        r[m++] = (npc_iprange){a.first, npc_ip_prev(v4.first)};
    if (npc_ip_cmp(a.last, v4.last) > 0)
        r[m++] = (npc_iprange){npc_ip_next(v4.last), a.last};
    return m;
}

/* `networks: [CIDR...]`: an IPS peer with the union as disjoint sorted ranges. */
static int parse_networks(npc_cluster *c, const npc_node *n, npc_peer *out)
{
    if (n->kind != NPC_NODE_SEQ || n->u.seq.len == 0 || n->u.seq.len > 25) {
        npc_error(c->ctx, n->kind != NPC_NODE_SEQ ? NPC203 : NPC211, npc_node_loc(n),
                  "'networks' must be a sequence of 1 to 25 CIDRs");
        return 0;
    }
    int ok = 1;
    npc_iprange *r = npc_arena_alloc(c->arena, 2 * n->u.seq.len * sizeof *r);
    uint32_t m = 0;
    for (size_t i = 0; i < n->u.seq.len; i++) {
        const npc_node *x = n->u.seq.items[i];
        const char *s;
        int prefix, v6, canonical;
        if (!npc_admin_string(c, x, "a network", &s)) {
            ok = 0;
            continue;
        }
        npc_iprange one;
        if (x->u.scalar.len > 43 || !npc_cidr_parse(s, &one, &prefix, &v6, &canonical)) {
            npc_error(c->ctx, NPC206, npc_node_loc(x), "invalid CIDR '%s' in networks", s);
            ok = 0;
            continue;
        }
        if (v6)
            m = add_v6_range(r, m, one);
        else
            r[m++] = one;
    }
    qsort(r, m, sizeof *r, cmp_range);
    uint32_t k = 0;
    for (uint32_t i = 0; i < m; i++) {
        /* merge overlapping or adjacent ranges */
        if (k > 0 && (npc_ip_cmp(r[i].first, r[k - 1].last) <= 0 ||
                      (npc_ip_cmp(npc_ip_next(r[k - 1].last), r[i].first) == 0 &&
                       npc_ip_cmp(r[k - 1].last, npc_ip_next(r[k - 1].last)) < 0))) {
            if (npc_ip_cmp(r[i].last, r[k - 1].last) > 0)
                r[k - 1].last = r[i].last;
        } else {
            r[k++] = r[i];
        }
    }
    out->kind = NPC_PEER_IPS;
    out->ranges = r;
    out->nranges = k;
    return ok;
}

static const char *const ingress_peer_keys[] = {"namespaces", "pods", NULL};
static const char *const egress_peer_keys[] = {"namespaces", "pods",        "networks",
                                               "nodes",      "domainNames", NULL};

/* One peer of `from`/`to`. *no_named_ports is set for peers that have no
 * named ports (networks, nodes, domainNames). */
static int parse_peer(npc_cluster *c, const npc_node *n, npc_dir dir, const npc_admin_dialect *d,
                      npc_peer *out, int *no_named_ports)
{
    memset(out, 0, sizeof *out);
    out->loc = npc_node_loc(n);
    out->ns_mode = NPC_NS_SELECTOR;
    const npc_pair *f =
        npc_admin_one_of(c, n, dir == NPC_DIR_INGRESS ? ingress_peer_keys : egress_peer_keys,
                         dir == NPC_DIR_INGRESS ? "an ingress peer" : "an egress peer");
    if (!f)
        return 0;
    const npc_node *v = f->value;
    if (npc_node_scalar_eq(f->key, "namespaces")) {
        out->kind = NPC_PEER_PODS;
        return npc_parse_selector(c, v, &out->ns_sel);
    }
    if (npc_node_scalar_eq(f->key, "pods")) {
        out->kind = NPC_PEER_PODS;
        return parse_pods(c, v, d, &out->ns_sel, &out->pod_sel, "a peer's");
    }
    *no_named_ports = 1;
    if (npc_node_scalar_eq(f->key, "networks"))
        return parse_networks(c, v, out);
    if (npc_node_scalar_eq(f->key, "nodes")) {
        npc_selector nodes;
        if (!npc_parse_selector(c, v, &nodes))
            return 0;
        /* Nodes are reached through host-network endpoints, which the
         * cluster model leaves out: the peer matches no workload. */
        out->kind = NPC_PEER_NODES;
        npc_warning(c->ctx, NPC215, npc_node_loc(f->key),
                    "'nodes' peers are not evaluated (host-network endpoints are out of scope); "
                    "the rule matches no workload through this peer");
        return 1;
    }
    /* domainNames: FQDNs resolve at run time; nothing here to match them. */
    if (v->kind != NPC_NODE_SEQ || v->u.seq.len == 0 || v->u.seq.len > 25) {
        npc_error(c->ctx, v->kind != NPC_NODE_SEQ ? NPC203 : NPC211, npc_node_loc(v),
                  "'domainNames' must be a sequence of 1 to 25 names");
        return 0;
    }
    for (size_t i = 0; i < v->u.seq.len; i++) {
        const char *s;
        if (!npc_admin_string(c, v->u.seq.items[i], "a domain name", &s))
            return 0;
    }
    out->kind = NPC_PEER_IPS; /* no ranges: matches nothing */
    npc_warning(
        c->ctx, NPC215, npc_node_loc(f->key),
        "'domainNames' peers are not evaluated; the rule matches nothing through this peer");
    return 1;
}

/* ---------------------------------------------------------------- rules */

static int parse_rule(npc_cluster *c, const npc_node *n, npc_dir dir, uint32_t index,
                      const npc_admin_dialect *d, npc_rule *out)
{
    const char *where = dir == NPC_DIR_INGRESS ? "an ingress rule" : "an egress rule";
    memset(out, 0, sizeof *out);
    out->dir = dir;
    out->index = index;
    out->loc = npc_node_loc(n);
    if (n->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be a mapping, not a %s", where,
                  npc_node_type_name(n));
        return 0;
    }
    int ok = npc_admin_check_keys(c, n, d->rule_keys[dir], where);

    const npc_node *name = npc_map_get(n, "name");
    const char *s;
    if (name && !npc_node_is_null(name)) {
        if (!npc_admin_string(c, name, "a rule name", &s))
            ok = 0;
        else if (name->u.scalar.len > 100) {
            npc_error(c->ctx, NPC211, npc_node_loc(name),
                      "a rule name may have at most 100 characters (it has %zu)",
                      name->u.scalar.len);
            ok = 0;
        } else {
            out->name = npc_intern(c->ctx->strings, s, name->u.scalar.len);
        }
    }

    const npc_node *act = npc_map_get(n, "action");
    if (!act || npc_node_is_null(act)) {
        npc_error(c->ctx, NPC202, npc_node_loc(n), "%s needs an 'action'", where);
        ok = 0;
    } else if (!npc_admin_string(c, act, "an action", &s)) {
        ok = 0;
    } else {
        int a = 0;
        while (a < 3 && !(d->action_names[a] && strcmp(d->action_names[a], s) == 0))
            a++;
        if (a == 3) {
            npc_buf names = NPC_BUF_INIT;
            for (int j = 0, first = 1; j < 3; j++)
                if (d->action_names[j]) {
                    npc_buf_printf(&names, "%s%s", first ? "" : ", ", d->action_names[j]);
                    first = 0;
                }
            npc_error(c->ctx, NPC212, npc_node_loc(act),
                      "unrecognized action '%s'; %s rules take %s", s,
                      npc_policy_kind_name(d->kind), npc_buf_cstr(&names));
            npc_buf_free(&names);
            ok = 0;
        } else {
            out->action = (npc_action)a;
        }
    }

    const npc_node *peers =
        get_list(c, n, dir == NPC_DIR_INGRESS ? "from" : "to", d->max_peers, where);
    int no_named_ports = 0;
    if (!peers) {
        ok = 0;
    } else {
        out->peers = npc_arena_alloc(c->arena, peers->u.seq.len * sizeof(npc_peer));
        for (size_t i = 0; i < peers->u.seq.len; i++) {
            if (parse_peer(c, peers->u.seq.items[i], dir, d, &out->peers[out->npeers],
                           &no_named_ports))
                out->npeers++;
            else
                ok = 0;
        }
    }

    const npc_pair *pp = npc_map_get_pair(n, d->ports_key);
    if (pp && !npc_node_is_null(pp->value)) {
        const npc_node *ports = get_list(c, n, d->ports_key, d->max_ports, where);
        if (!ports) {
            ok = 0;
        } else {
            out->ports = npc_arena_alloc(c->arena, ports->u.seq.len * sizeof(npc_port_match));
            for (size_t i = 0; i < ports->u.seq.len; i++) {
                npc_port_match *pm = &out->ports[out->nports];
                if (!d->parse_port(c, ports->u.seq.items[i], pm)) {
                    ok = 0;
                    continue;
                }
                pm->loc = npc_node_loc(ports->u.seq.items[i]);
                if (pm->name && no_named_ports) {
                    npc_error(c->ctx, NPC211, pm->loc,
                              "networks/nodes/domainNames peers cannot be combined with named "
                              "ports: they have no named ports");
                    ok = 0;
                    continue;
                }
                out->nports++;
            }
        }
    } else if (pp) {
        npc_error(c->ctx, NPC202, npc_node_loc(pp->key),
                  "%s: '%s' must contain at least one item when present", where, d->ports_key);
        ok = 0;
    }
    return ok;
}

/* The sequence spec.<key> (absent or null: no rules), or NULL after reporting. */
static int rule_list(npc_cluster *c, const npc_node *spec, const char *key,
                     const npc_admin_dialect *d, const npc_node **out)
{
    *out = NULL;
    const npc_node *v = npc_map_get(spec, key);
    if (npc_node_is_null(v))
        return 1;
    if (v->kind != NPC_NODE_SEQ) {
        npc_error(c->ctx, NPC203, npc_node_loc(v), "spec.%s must be a sequence, not a %s", key,
                  npc_node_type_name(v));
        return 0;
    }
    if (v->u.seq.len > d->max_rules) {
        npc_error(c->ctx, NPC211, npc_node_loc(v), "spec.%s has %zu rules, at most %u allowed", key,
                  v->u.seq.len, d->max_rules);
        return 0;
    }
    *out = v;
    return 1;
}

int npc_admin_rules(npc_cluster *c, const npc_node *spec, const npc_admin_dialect *d, npc_policy *p)
{
    const npc_node *lists[2];
    int ok = rule_list(c, spec, "ingress", d, &lists[NPC_DIR_INGRESS]);
    ok &= rule_list(c, spec, "egress", d, &lists[NPC_DIR_EGRESS]);
    size_t total = 0;
    for (int dir = 0; dir < 2; dir++)
        total += lists[dir] ? lists[dir]->u.seq.len : 0;
    p->rules = npc_arena_alloc(c->arena, (total ? total : 1) * sizeof(npc_rule));
    p->nrules = 0;
    for (int dir = 0; dir < 2; dir++) {
        const npc_node *l = lists[dir];
        if (!l)
            continue;
        for (size_t i = 0; i < l->u.seq.len; i++) {
            if (npc_error_limit_reached(c->ctx))
                return 0;
            if (parse_rule(c, l->u.seq.items[i], (npc_dir)dir, (uint32_t)i, d,
                           &p->rules[p->nrules]))
                p->nrules++;
            else
                ok = 0;
        }
        p->affects[dir] = l->u.seq.len > 0;
    }
    return ok;
}

int npc_admin_port_number(npc_cluster *c, const npc_node *n, const char *what, uint16_t *out)
{
    long long v;
    if (!n) {
        npc_error(c->ctx, NPC202, npc_node_loc(n), "%s is required", what);
        return 0;
    }
    if (!npc_node_get_int(n, &v)) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be an integer, not a %s", what,
                  npc_node_type_name(n));
        return 0;
    }
    if (v < 1 || v > 65535) {
        npc_error(c->ctx, NPC207, npc_node_loc(n), "%s %lld is out of range (1..65535)", what, v);
        return 0;
    }
    *out = (uint16_t)v;
    return 1;
}

/* The one action all rules of p have, or -1 (none, or several). */
static int sole_action(const npc_policy *p)
{
    int a = -1;
    for (uint32_t i = 0; i < p->nrules; i++) {
        if (a >= 0 && a != (int)p->rules[i].action)
            return -1;
        a = (int)p->rules[i].action;
    }
    return a;
}

void npc_admin_finish(npc_cluster *c, const npc_policy *p)
{
    int pa = sole_action(p);
    for (size_t i = 0; i < c->policies.len; i++) {
        const npc_policy *q = &c->policies.items[i];
        if (q->layer != p->layer || q->order != p->order || q->kind == NPC_KIND_NETWORKPOLICY ||
            p->kind == NPC_KIND_BANP || q->kind == NPC_KIND_BANP)
            continue;
        if (pa >= 0 && pa == sole_action(q))
            continue; /* rules of one action: their order cannot matter */
        npc_diag *dg = npc_warning(
            c->ctx, NPC216, p->loc,
            "%s '%s' has the same priority (%g) as %s '%s': which one applies first to traffic "
            "both match is undefined",
            npc_policy_kind_name(p->kind), npc_sym_str(c->ctx->strings, p->name), p->order,
            npc_policy_kind_name(q->kind), npc_sym_str(c->ctx->strings, q->name));
        npc_diag_also(dg, q->loc);
        break;
    }
    npc_vec_push(&c->policies, *p);
}
