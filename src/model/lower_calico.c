/* Calico projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy, their
 * Staged kinds and Tier into the IR. Each tier is a first-match layer that
 * isolates (an endpoint selected by a policy of the tier but decided by no
 * rule is denied at the tier's end); policies sit in it by `order`; Pass
 * leaves the tier; Log rules are skipped. docs/analysis.md cites the Calico
 * sources behind each rule written here. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/calico_selector.h"
#include "model/ir.h"
#include "model/lower_admin_common.h"
#include "model/portset.h"
#include "util/ctx.h"
#include "util/diag.h"

#define DEFAULT_TIER_ORDER 1e6 /* Calico's DefaultTierOrder */
#define KNP_ORDER 1000.0       /* the order Calico gives a Kubernetes NetworkPolicy */
#define HALF_PI 1.57079632679489661923

typedef NPC_VEC(npc_iprange) range_vec;

typedef struct cl {
    npc_cluster *c;
    npc_sym ns; /* the policy's namespace; 0 for a GlobalNetworkPolicy */
    int ok;
    /* the network-set peers of the rule being lowered: their refs (peer
     * not set yet) and their positions among the rule's peers */
    NPC_VEC(npc_netset_ref) pending;
    NPC_VEC(uint32_t) pending_at;
} cl;

static npc_sym sym(cl *l, const char *s)
{
    return npc_intern_cstr(l->c->ctx->strings, s);
}

static int bad(cl *l, npc_code code, const npc_node *n, const char *fmt, ...) NPC_PRINTF(4, 5);
static int bad(cl *l, npc_code code, const npc_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    npc_diag_add(l->c->ctx, NPC_SEV_ERROR, code, npc_node_loc(n), fmt, ap);
    va_end(ap);
    l->ok = 0;
    return 0;
}

static void not_evaluated(cl *l, const npc_node *n, const char *what)
{
    npc_warning(l->c->ctx, NPC215, npc_node_loc(n),
                "%s is not evaluated: the rule is taken as if it were absent, which may allow "
                "or deny more than the cluster does",
                what);
}

/* A list field: null is empty, anything but a sequence is an error. */
static int seq_len(cl *l, const npc_node *n, const char *what, size_t *len)
{
    *len = 0;
    if (npc_node_is_null(n))
        return 1;
    if (n->kind != NPC_NODE_SEQ)
        return bad(l, NPC203, n, "%s must be a sequence, not %s", what, npc_node_type_a(n));
    *len = n->u.seq.len;
    return 1;
}

static int is_map(cl *l, const npc_node *n, const char *what)
{
    if (n && n->kind == NPC_NODE_MAP)
        return 1;
    return bad(l, NPC203, n, "%s must be a mapping, not %s", what, npc_node_type_a(n));
}

/* A number field (integer or float): 1 with *out set, 0 when absent; -1
 * after reporting. */
static int number(cl *l, const npc_node *n, const char *what, double *out)
{
    if (npc_node_is_null(n))
        return 0;
    char *end = NULL;
    if (n->kind == NPC_NODE_SCALAR && n->style == NPC_STYLE_PLAIN)
        *out = strtod(n->u.scalar.s, &end);
    if (!end || end == n->u.scalar.s || *end || !isfinite(*out)) {
        bad(l, NPC203, n, "%s must be a number, not %s", what, npc_node_type_a(n));
        return -1;
    }
    return 1;
}

/* ---------------------------------------------------------------- tiers */

/* Layer orders sit strictly between admin (100) and baseline (300): a
 * monotone map of the tier order, with "no order" last. */
static double layer_order(double tier_order)
{
    if (isinf(tier_order))
        return 299.0;
    return 200.0 + 98.0 * atan(tier_order / 1000.0) / HALF_PI;
}

static uint32_t tier_layer(npc_cluster *c, const char *tier, size_t n)
{
    char name[300];
    snprintf(name, sizeof name, "calico:%.*s", (int)(n < 250 ? n : 250), tier);
    npc_sym s = npc_intern_cstr(c->ctx->strings, name);
    for (size_t i = 0; i < c->layers.len; i++)
        if (c->layers.items[i].name == s)
            return (uint32_t)i;
    int dflt = n == 7 && memcmp(tier, "default", 7) == 0;
    return npc_cluster_layer(c, name, layer_order(dflt ? DEFAULT_TIER_ORDER : HUGE_VAL),
                             NPC_MODE_FIRST_MATCH, 1);
}

static void enter_calico(npc_cluster *c)
{
    if (c->calico)
        return;
    c->calico = 1;
    npc_calico_adopt_knps(c);
}

void npc_calico_adopt_knps(npc_cluster *c)
{
    uint32_t dflt = tier_layer(c, "default", 7);
    for (size_t i = 0; i < c->policies.len; i++) {
        npc_policy *p = &c->policies.items[i];
        if (p->kind == NPC_KIND_NETWORKPOLICY && p->layer == NPC_LAYER_NAMESPACE) {
            p->layer = dflt;
            p->order = KNP_ORDER;
        }
    }
}

int npc_lower_calico_tier(npc_cluster *c, const npc_node *obj)
{
    cl l = {c, 0, 1, {0}, {0}};
    enter_calico(c);
    const npc_node *md = npc_map_get(obj, "metadata"), *spec = npc_map_get(obj, "spec");
    const npc_node *name = md && md->kind == NPC_NODE_MAP ? npc_map_get(md, "name") : NULL;
    if (!npc_node_is_string(name))
        return bad(&l, NPC202, name ? name : obj, "a Tier needs metadata.name%s%s", "", "");
    double order = HUGE_VAL;
    if (!npc_node_is_null(spec)) {
        static const char *const known[] = {"order", "defaultAction", NULL};
        if (!is_map(&l, spec, "spec") || !npc_admin_check_keys(c, spec, known, "a Tier spec"))
            return 0;
        const npc_node *da = npc_map_get(spec, "defaultAction");
        if (da && !npc_node_scalar_eq(da, "Deny"))
            not_evaluated(&l, da, "a Tier defaultAction other than Deny");
        if (number(&l, npc_map_get(spec, "order"), "a Tier's order", &order) < 0)
            return 0;
    } else if (npc_node_scalar_eq(name, "default")) {
        order = DEFAULT_TIER_ORDER;
    }
    uint32_t li = tier_layer(c, name->u.scalar.s, name->u.scalar.len);
    c->layers.items[li].order = layer_order(order);
    return 1;
}

/* ----------------------------------------------------------- addresses */

static int cmp_range(const void *a, const void *b)
{
    const npc_iprange *x = a, *y = b;
    int k = npc_ip_cmp(x->first, y->first);
    return k ? k : npc_ip_cmp(x->last, y->last);
}

/* Sorts v and merges overlapping or adjacent ranges. */
static void normalize(range_vec *v)
{
    if (v->len < 2)
        return;
    qsort(v->items, v->len, sizeof *v->items, cmp_range);
    size_t w = 0;
    for (size_t i = 1; i < v->len; i++) {
        npc_iprange *last = &v->items[w];
        npc_ip top = {~0ull, ~0ull};
        int touches = npc_ip_cmp(last->last, top) == 0 ||
                      npc_ip_cmp(v->items[i].first, npc_ip_next(last->last)) <= 0;
        if (touches) {
            if (npc_ip_cmp(v->items[i].last, last->last) > 0)
                last->last = v->items[i].last;
        } else {
            v->items[++w] = v->items[i];
        }
    }
    v->len = w + 1;
}

/* out = a - b (both normalised). */
static void subtract(const range_vec *a, const range_vec *b, range_vec *out)
{
    out->len = 0;
    for (size_t i = 0; i < a->len; i++) {
        npc_iprange cur = a->items[i];
        int alive = 1;
        for (size_t j = 0; j < b->len && alive; j++) {
            const npc_iprange *x = &b->items[j];
            if (npc_ip_cmp(x->last, cur.first) < 0 || npc_ip_cmp(x->first, cur.last) > 0)
                continue;
            if (npc_ip_cmp(x->first, cur.first) > 0) {
                npc_iprange left = {cur.first, npc_ip_prev(x->first)};
                npc_vec_push(out, left);
            }
            if (npc_ip_cmp(x->last, cur.last) >= 0)
                alive = 0;
            else
                cur.first = npc_ip_next(x->last);
        }
        if (alive)
            npc_vec_push(out, cur);
    }
}

static void all_addresses(range_vec *v)
{
    npc_iprange all = {{0, 0}, {~0ull, ~0ull}};
    v->len = 0;
    npc_vec_push(v, all);
}

/* `nets`/`notNets`: CIDRs or single addresses, into v (normalised). */
static void parse_nets(cl *l, const npc_node *n, const char *what, range_vec *v)
{
    size_t len;
    v->len = 0;
    if (!seq_len(l, n, what, &len))
        return;
    for (size_t i = 0; i < len; i++) {
        const npc_node *e = n->u.seq.items[i];
        npc_iprange r, parts[2];
        int prefix, v6, canonical;
        npc_ip ip;
        if (!npc_node_is_string(e)) {
            bad(l, NPC206, e, "an entry of %s must be a CIDR string, not %s", what,
                npc_node_type_a(e));
            continue;
        }
        if (npc_cidr_parse(e->u.scalar.s, &r, &prefix, &v6, &canonical)) {
            uint32_t k = npc_cidr_minus(r, v6, NULL, 0, parts);
            for (uint32_t j = 0; j < k; j++)
                npc_vec_push(v, parts[j]);
        } else if (npc_ip_parse(e->u.scalar.s, &ip)) {
            r.first = r.last = ip;
            npc_vec_push(v, r);
        } else {
            bad(l, NPC206, e, "invalid CIDR '%s' in %s", e->u.scalar.s, what);
        }
    }
    normalize(v);
}

/* The addresses of one family: IPv4, or everything else (IPv6). */
static void family(range_vec *v, int v6)
{
    range_vec all = {0};
    v->len = 0;
    if (!v6) {
        npc_vec_push(v, npc_iprange_all_v4());
        return;
    }
    all_addresses(&all);
    range_vec v4 = {0};
    npc_vec_push(&v4, npc_iprange_all_v4());
    subtract(&all, &v4, v);
    npc_vec_free(&all);
    npc_vec_free(&v4);
}

/* ---------------------------------------------------------- selectors */

/* A selector field, or NULL when absent/empty. */
static npc_csel *selector(cl *l, const npc_node *n, const char *field)
{
    if (npc_node_is_null(n))
        return NULL;
    npc_csel *x = npc_csel_parse_node(l->c, n, field);
    if (!x)
        l->ok = 0;
    return x;
}

/* A namespaceSelector, read against namespace labels: projectcalico.org/name
 * is the namespace's name (the kubernetes.io/metadata.name label every
 * namespace has), and global() selects no namespace. */
static void ns_selector(cl *l, const npc_csel *x, npc_selector *out)
{
    npc_csel *y = npc_csel_rewrite(l->c->arena, x, sym(l, "projectcalico.org/name"),
                                   sym(l, "kubernetes.io/metadata.name"), 0);
    npc_csel_to_selector(l->c->arena, l->c->ctx->strings, y, out);
}

/* `serviceAccounts`: `names` as the projectcalico.org/serviceaccount label
 * Calico gives each workload endpoint (the evaluator adds it); `selector`
 * reads the ServiceAccounts' own labels, which manifests do not carry, and
 * is reported. NULL when nothing restricts. */
static npc_csel *service_accounts(cl *l, const npc_node *n)
{
    static const char *const known[] = {"names", "selector", NULL};
    if (!is_map(l, n, "serviceAccounts") || !npc_admin_check_keys(l->c, n, known, "serviceAccounts")) {
        l->ok = 0;
        return NULL;
    }
    const npc_node *names = npc_map_get(n, "names"), *sel = npc_map_get(n, "selector");
    if (!npc_node_is_null(sel))
        not_evaluated(l, sel, "serviceAccounts.selector");
    size_t len;
    if (!seq_len(l, names, "serviceAccounts.names", &len) || !len)
        return NULL;
    npc_buf text = NPC_BUF_INIT;
    npc_buf_puts(&text, "projectcalico.org/serviceaccount in {");
    for (size_t i = 0; i < len; i++) {
        const npc_node *e = names->u.seq.items[i];
        if (i)
            npc_buf_puts(&text, ", ");
        if (!npc_node_is_string(e) || !npc_csel_put_string(&text, e->u.scalar.s, e->u.scalar.len)) {
            bad(l, NPC203, e, "a service account name must be a string without both quote "
                              "characters, not %s%s", npc_node_type_a(e), "");
            npc_buf_free(&text);
            return NULL;
        }
    }
    npc_buf_puts(&text, "}");
    npc_csel_error err;
    npc_csel *x = npc_csel_parse(l->c->arena, l->c->ctx->strings, text.data, text.len, &err);
    npc_buf_free(&text);
    return x;
}

/* ------------------------------------------------------------- peers */

static npc_peer *new_peer(cl *l, npc_peer_kind kind, const npc_node *at)
{
    (void)l;
    npc_peer *p = npc_arena_alloc(l->c->arena, sizeof *p);
    p->kind = kind;
    p->ns_mode = NPC_NS_SELECTOR;
    p->loc = npc_node_loc(at);
    return p;
}

typedef NPC_VEC(npc_peer) peer_vec;

static void add_ips(cl *l, peer_vec *out, const range_vec *v, const npc_node *at)
{
    if (!v->len)
        return;
    npc_peer *p = new_peer(l, NPC_PEER_IPS, at);
    p->ranges = npc_arena_alloc(l->c->arena, v->len * sizeof *p->ranges);
    if (v->len)
        memcpy(p->ranges, v->items, v->len * sizeof *p->ranges);
    p->nranges = (uint32_t)v->len;
    npc_vec_push(out, *p);
}

/* The peer side of a rule (source of an ingress rule, destination of an
 * egress rule) as IR peers, following Calico's entity-rule semantics: the
 * selectors name endpoints (scoped to the policy's namespace in a
 * NetworkPolicy as soon as any selector field is used, or to the
 * namespaceSelector's namespaces), nets and notNets name addresses, and
 * every field given must match. Pod addresses are unknown in manifests: a
 * pod is taken to lie outside every CIDR. *any is set when the peer side
 * matches everything. */
static void lower_entity(cl *l, const npc_node *ent, peer_vec *out, int *any)
{
    *any = 0;
    const npc_node *sel_n = npc_map_get(ent, "selector"), *not_n = npc_map_get(ent, "notSelector"),
                   *nss_n = npc_map_get(ent, "namespaceSelector"),
                   *sa_n = npc_map_get(ent, "serviceAccounts"),
                   *svc_n = npc_map_get(ent, "services");
    npc_csel *sel = selector(l, sel_n, "selector");
    npc_csel *notsel = selector(l, not_n, "notSelector");
    npc_csel *nss = selector(l, nss_n, "namespaceSelector");
    if (!npc_node_is_null(sa_n))
        sel = npc_csel_and(l->c->arena, sel, service_accounts(l, sa_n));
    if (!npc_node_is_null(svc_n))
        not_evaluated(l, svc_n, "services");
    range_vec nets = {0}, notnets = {0}, tmp = {0};
    const npc_node *nets_n = npc_map_get(ent, "nets"), *notnets_n = npc_map_get(ent, "notNets");
    int has_nets = !npc_node_is_null(nets_n), has_notnets = !npc_node_is_null(notnets_n);
    parse_nets(l, nets_n, "nets", &nets);
    parse_nets(l, notnets_n, "notNets", &notnets);
    int scoped = sel || nss || (l->ns && notsel);
    npc_csel *pods = sel;
    if (notsel)
        pods = npc_csel_and(l->c->arena, pods, npc_csel_not(l->c->arena, notsel));
    if (scoped) {
        /* the addresses of the network sets the selectors match (resolved
         * once every object is loaded), within nets and outside notNets */
        npc_netset_ref ref;
        memset(&ref, 0, sizeof ref);
        ref.sel = pods;
        ref.nss = nss;
        ref.ns = l->ns;
        if (has_nets || has_notnets) {
            if (!has_nets)
                all_addresses(&nets);
            subtract(&nets, &notnets, &tmp);
            ref.within = npc_arena_alloc(l->c->arena, (tmp.len + 1) * sizeof *ref.within);
            if (tmp.len)
                memcpy(ref.within, tmp.items, tmp.len * sizeof *ref.within);
            ref.nwithin = (uint32_t)tmp.len;
        }
        ref.global_sets = nss ? (uint8_t)npc_csel_uses_global(nss) : l->ns == 0;
        if (!has_nets && !has_notnets)
            ref.nwithin = UINT32_MAX; /* no address restriction */
        npc_peer *np = new_peer(l, NPC_PEER_IPS, ent);
        npc_vec_push(&l->pending, ref);
        npc_vec_push(&l->pending_at, (uint32_t)out->len);
        npc_vec_push(out, *np);
        /* endpoints: pod addresses are not known, so nets never match them */
        if (!has_nets) {
            npc_peer *p = new_peer(l, NPC_PEER_PODS, ent);
            if (nss)
                ns_selector(l, nss, &p->ns_sel);
            else if (l->ns)
                p->ns_mode = NPC_NS_SAME;
            if (pods)
                npc_csel_to_selector(l->c->arena, l->c->ctx->strings, pods, &p->pod_sel);
            npc_vec_push(out, *p);
        }
    } else if (!has_nets && !has_notnets && !notsel) {
        *any = 1;
    } else {
        if (!has_nets)
            all_addresses(&nets);
        subtract(&nets, &notnets, &tmp);
        add_ips(l, out, &tmp, ent);
        if (!has_nets) {
            npc_peer *p = new_peer(l, NPC_PEER_PODS, ent);
            if (pods)
                npc_csel_to_selector(l->c->arena, l->c->ctx->strings, pods, &p->pod_sel);
            npc_vec_push(out, *p);
        }
    }
    npc_vec_free(&nets);
    npc_vec_free(&notnets);
    npc_vec_free(&tmp);
}

/* ipVersion: the rule matches addresses of that family only (pods keep
 * matching: their addresses are not known). */
static void restrict_family(cl *l, peer_vec *peers, int *any, int v6, const npc_node *at)
{
    range_vec fam = {0}, other = {0}, have = {0}, tmp = {0};
    family(&fam, v6);
    family(&other, !v6);
    if (*any) {
        *any = 0;
        npc_peer *p = new_peer(l, NPC_PEER_PODS, at);
        npc_vec_push(peers, *p);
        add_ips(l, peers, &fam, at);
    } else {
        for (size_t i = 0; i < peers->len; i++) {
            npc_peer *p = &peers->items[i];
            if (p->kind != NPC_PEER_IPS)
                continue;
            have.len = 0;
            for (uint32_t k = 0; k < p->nranges; k++)
                npc_vec_push(&have, p->ranges[k]);
            subtract(&have, &other, &tmp);
            /* a range may split in two at most once per family boundary */
            p->ranges = npc_arena_alloc(l->c->arena, (tmp.len + 1) * sizeof *p->ranges);
            if (tmp.len)
                memcpy(p->ranges, tmp.items, tmp.len * sizeof *p->ranges);
            p->nranges = (uint32_t)tmp.len;
        }
    }
    npc_vec_free(&fam);
    npc_vec_free(&other);
    npc_vec_free(&have);
    npc_vec_free(&tmp);
}

/* -------------------------------------------------------------- ports */

/* A protocol name or number into a mask of the modelled protocols (0: a
 * protocol the IR does not model, such as ICMP). Returns 0 after
 * reporting an invalid value. */
static int protocol(cl *l, const npc_node *n, uint8_t *mask, int *icmp)
{
    static const struct {
        const char *name;
        int number;
        uint8_t mask;
    } table[] = {
        {"TCP", 6, 1u << NPC_PROTO_TCP},
        {"UDP", 17, 1u << NPC_PROTO_UDP},
        {"SCTP", 132, 1u << NPC_PROTO_SCTP},
        {"ICMP", 1, 0},
        {"ICMPv6", 58, 0},
        {"UDPLite", 136, 0},
    };
    long long num;
    int is_num = npc_node_get_int(n, &num);
    *icmp = 0;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (is_num ? num == table[i].number : npc_node_scalar_eq(n, table[i].name)) {
            *mask = table[i].mask;
            *icmp = table[i].number == 1 || table[i].number == 58;
            return 1;
        }
    if (is_num && num >= 1 && num <= 255) {
        *mask = 0;
        return 1;
    }
    return bad(l, NPC208, n,
               "invalid protocol '%s' (expected TCP, UDP, SCTP, ICMP, ICMPv6, "
               "UDPLite or a number 1-255)%s",
               n && n->kind == NPC_NODE_SCALAR ? n->u.scalar.s : "?", "");
}

/* One entry of ports/notPorts: a number, "lo:hi", or a port name. */
static int port_entry(cl *l, const npc_node *e, uint16_t *lo, uint16_t *hi, npc_sym *name)
{
    *name = 0;
    long long a, b;
    if (npc_node_get_int(e, &a)) {
        if (a < 0 || a > 65535)
            return bad(l, NPC207, e, "invalid port %s%s (expected 0-65535)", e->u.scalar.s, "");
        *lo = *hi = (uint16_t)a;
        return 1;
    }
    if (!npc_node_is_scalar(e))
        return bad(l, NPC207, e, "a port must be a number, a range or a name, not %s%s",
                   npc_node_type_a(e), "");
    const char *s = e->u.scalar.s, *colon = strchr(s, ':');
    char *end;
    if (colon) {
        a = strtoll(s, &end, 10);
        if (end != colon || colon == s)
            a = -1;
        b = strtoll(colon + 1, &end, 10);
        if (*end || end == colon + 1)
            b = -1;
        if (a < 0 || b < a || b > 65535)
            return bad(l, NPC207, e, "invalid port range '%s'%s (expected lo:hi within 0-65535)", s,
                       "");
        *lo = (uint16_t)a;
        *hi = (uint16_t)b;
        return 1;
    }
    a = strtoll(s, &end, 10);
    if (!*end && end != s) {
        if (a < 0 || a > 65535)
            return bad(l, NPC207, e, "invalid port %s%s (expected 0-65535)", s, "");
        *lo = *hi = (uint16_t)a;
        return 1;
    }
    if (!npc_csel_key_ok(s, e->u.scalar.len) || e->u.scalar.len > 63)
        return bad(l, NPC207, e, "invalid port name '%s'%s", s, "");
    *name = npc_intern(l->c->ctx->strings, s, e->u.scalar.len);
    return 1;
}

typedef NPC_VEC(npc_port_match) port_vec;

/* The rule's destination ports for protocols `mask` into out; returns 0
 * when the rule can match no port of a modelled protocol. */
static int lower_ports(cl *l, const npc_node *ports_n, const npc_node *notports_n, uint8_t mask,
                       int has_protocol, port_vec *out)
{
    size_t np, nn;
    if (!seq_len(l, ports_n, "ports", &np) || !seq_len(l, notports_n, "notPorts", &nn))
        return 0;
    if ((np || nn) && !has_protocol) {
        bad(l, NPC207, np ? ports_n : notports_n,
            "%s needs the rule's protocol (TCP, UDP or SCTP)%s", np ? "ports" : "notPorts", "");
        return 0;
    }
    if (!np && !nn) {
        if (mask != NPC_PROTO_ALL_MASK) {
            npc_port_match pm = {mask, 1, 65535, 0, npc_node_loc(ports_n)};
            npc_vec_push(out, pm);
        }
        return 1;
    }
    npc_portset num = NPC_PORTSET_INIT, not = NPC_PORTSET_INIT;
    int named = 0;
    for (size_t i = 0; i < np; i++) {
        uint16_t lo, hi;
        npc_sym name;
        const npc_node *e = ports_n->u.seq.items[i];
        if (!port_entry(l, e, &lo, &hi, &name))
            continue;
        if (name) {
            npc_port_match pm = {mask, 0, 0, name, npc_node_loc(e)};
            npc_vec_push(out, pm);
            named = 1;
            continue;
        }
        for (int p = 0; p < NPC_PROTO_COUNT; p++)
            if (mask >> p & 1)
                npc_portset_add(&num, (npc_proto)p, lo ? lo : 1, hi);
    }
    if (!np)
        for (int p = 0; p < NPC_PROTO_COUNT; p++)
            if (mask >> p & 1)
                npc_portset_add(&num, (npc_proto)p, 1, 65535);
    for (size_t i = 0; i < nn; i++) {
        uint16_t lo, hi;
        npc_sym name;
        const npc_node *e = notports_n->u.seq.items[i];
        if (!port_entry(l, e, &lo, &hi, &name))
            continue;
        if (name) {
            not_evaluated(l, e, "a named port in notPorts");
            continue;
        }
        for (int p = 0; p < NPC_PROTO_COUNT; p++)
            npc_portset_add(&not, (npc_proto)p, lo ? lo : 1, hi);
    }
    if (named && nn)
        not_evaluated(l, notports_n, "notPorts together with named ports");
    npc_portset_subtract(&num, &not );
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        for (uint32_t i = 0; i < num.n[p]; i++) {
            npc_port_match pm = {(uint8_t)(1u << p), num.r[p][i].lo, num.r[p][i].hi, 0,
                                 npc_node_loc(np ? ports_n : notports_n)};
            npc_vec_push(out, pm);
        }
    npc_portset_free(&num);
    npc_portset_free(&not );
    return out->len > 0;
}

/* -------------------------------------------------------------- rules */

typedef NPC_VEC(npc_rule) rule_vec;

static const char *const rule_keys[] = {"action",  "protocol",  "notProtocol", "icmp",
                                        "notICMP", "ipVersion", "source",      "destination",
                                        "http",    "metadata",  NULL};
static const char *const entity_keys[] = {
    "nets",  "notNets",  "selector",        "notSelector", "namespaceSelector",
    "ports", "notPorts", "serviceAccounts", "services",    NULL};

static void lower_rule(cl *l, const npc_node *r, npc_dir dir, uint32_t index, rule_vec *out)
{
    if (!is_map(l, r, "a rule") || !npc_admin_check_keys(l->c, r, rule_keys, "a Calico rule")) {
        l->ok = 0;
        return;
    }
    static const char *const actions[] = {"Allow", "Deny", "Pass", "Log"};
    const npc_node *act = npc_map_get(r, "action");
    int a = -1;
    for (int i = 0; i < 4; i++)
        if (npc_node_scalar_eq(act, actions[i]))
            a = i;
    if (a < 0) {
        bad(l, act ? NPC212 : NPC202, act ? act : r,
            "a Calico rule needs an action: Allow, Deny, Pass or Log%s%s", "", "");
        return;
    }
    const npc_node *src = npc_map_get(r, "source"), *dst = npc_map_get(r, "destination");
    const npc_node *peer_side = dir == NPC_DIR_INGRESS ? src : dst;
    const npc_node *self_side = dir == NPC_DIR_INGRESS ? dst : src;
    if ((src && (!is_map(l, src, "source") ||
                 !npc_admin_check_keys(l->c, src, entity_keys, "a rule's source"))) ||
        (dst && (!is_map(l, dst, "destination") ||
                 !npc_admin_check_keys(l->c, dst, entity_keys, "a rule's destination")))) {
        l->ok = 0;
        return;
    }
    uint8_t mask = NPC_PROTO_ALL_MASK, notmask = 0;
    int icmp = 0, noticmp = 0;
    const npc_node *proto = npc_map_get(r, "protocol"), *notproto = npc_map_get(r, "notProtocol");
    if (proto && !protocol(l, proto, &mask, &icmp))
        return;
    if (notproto && !protocol(l, notproto, &notmask, &noticmp))
        return;
    mask &= (uint8_t)~notmask;
    const npc_node *ipv = npc_map_get(r, "ipVersion");
    if (npc_map_get(r, "http"))
        not_evaluated(l, npc_map_get(r, "http"), "an http match");
    /* the subject's own side and source ports have no place in the IR */
    if (self_side) {
        static const char *const self_fields[] = {
            "nets", "notNets", "selector", "notSelector", "namespaceSelector", "serviceAccounts",
            NULL};
        for (size_t i = 0; self_fields[i]; i++) {
            const npc_node *f = npc_map_get(self_side, self_fields[i]);
            if (!npc_node_is_null(f))
                not_evaluated(l, f,
                              dir == NPC_DIR_INGRESS
                                  ? "a destination endpoint condition in an ingress rule"
                                  : "a source endpoint condition in an egress rule");
        }
    }
    if (src && (!npc_node_is_null(npc_map_get(src, "ports")) ||
                !npc_node_is_null(npc_map_get(src, "notPorts"))))
        not_evaluated(
            l, npc_map_get(src, "ports") ? npc_map_get(src, "ports") : npc_map_get(src, "notPorts"),
            "a source port condition");
    if (a == 3) /* Log: logs and goes on to the next rule */
        return;
    if (!mask) {
        npc_warning(l->c->ctx, NPC215, npc_node_loc(proto ? proto : r),
                    "%s rule is not evaluated: only TCP, UDP and SCTP are modelled, so the "
                    "answer says nothing about %s",
                    icmp ? "an ICMP" : "this protocol's", icmp ? "ICMP" : "that protocol");
        return;
    }
    npc_rule rule;
    memset(&rule, 0, sizeof rule);
    rule.dir = dir;
    rule.action = a == 0 ? NPC_ACT_ALLOW : a == 1 ? NPC_ACT_DENY : NPC_ACT_PASS;
    rule.index = index;
    rule.loc = npc_node_loc(r);
    port_vec ports = {0};
    int matches =
        lower_ports(l, dst ? npc_map_get(dst, "ports") : NULL,
                    dst ? npc_map_get(dst, "notPorts") : NULL, mask, proto != NULL, &ports);
    peer_vec peers = {0};
    int any = 1;
    if (peer_side)
        lower_entity(l, peer_side, &peers, &any);
    long long ipversion = 0;
    if (ipv && (!npc_node_get_int(ipv, &ipversion) || (ipversion != 4 && ipversion != 6))) {
        bad(l, NPC203, ipv, "ipVersion must be 4 or 6%s%s", "", "");
        matches = 0;
    }
    if (ipversion)
        restrict_family(l, &peers, &any, ipversion == 6, ipv);
    if (matches && (any || peers.len)) {
        if (!any) {
            rule.npeers = (uint32_t)peers.len;
            rule.peers = npc_arena_alloc(l->c->arena, peers.len * sizeof *rule.peers);
            if (peers.len)
                memcpy(rule.peers, peers.items, peers.len * sizeof *rule.peers);
            for (size_t i = 0; i < l->pending.len; i++) {
                npc_netset_ref ref = l->pending.items[i];
                ref.peer = &rule.peers[l->pending_at.items[i]];
                npc_vec_push(&l->c->netset_refs, ref);
            }
        } else {
            rule.npeers = 1;
            rule.peers = new_peer(l, NPC_PEER_ANY, peer_side ? peer_side : r);
        }
        rule.nports = (uint32_t)ports.len;
        if (ports.len) {
            rule.ports = npc_arena_alloc(l->c->arena, ports.len * sizeof *rule.ports);
            memcpy(rule.ports, ports.items, ports.len * sizeof *rule.ports);
        }
        npc_vec_push(out, rule);
    }
    npc_vec_free(&ports);
    npc_vec_free(&peers);
    l->pending.len = l->pending_at.len = 0;
}

/* ------------------------------------------------------------ policies */

int npc_lower_calico(npc_cluster *c, const npc_node *obj, int global, int staged)
{
    static const char *const spec_known[] = {"order",
                                             "tier",
                                             "selector",
                                             "types",
                                             "ingress",
                                             "egress",
                                             "doNotTrack",
                                             "preDNAT",
                                             "applyOnForward",
                                             "serviceAccountSelector",
                                             "namespaceSelector",
                                             "performanceHints",
                                             "stagedAction",
                                             NULL};
    cl l = {c, 0, 1, {0}, {0}};
    enter_calico(c);
    const char *kind = global ? "GlobalNetworkPolicy" : "NetworkPolicy";
    const npc_node *md = npc_map_get(obj, "metadata"), *spec = npc_map_get(obj, "spec");
    if (!md || md->kind != NPC_NODE_MAP)
        return bad(&l, md ? NPC203 : NPC202, md ? md : obj, "a Calico %s needs metadata%s", kind,
                   "");
    const npc_node *name = npc_map_get(md, "name"), *nsn = npc_map_get(md, "namespace");
    if (!npc_node_is_string(name))
        return bad(&l, name ? NPC203 : NPC202, name ? name : md,
                   "a Calico %s needs metadata.name%s", kind, "");
    npc_policy pol;
    memset(&pol, 0, sizeof pol);
    pol.kind = global ? NPC_KIND_CALICO_GNP : NPC_KIND_CALICO_NP;
    pol.name = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    pol.loc = npc_node_loc(obj);
    pol.skip_host_network = 1; /* host-networked pods have no workload endpoint */
    if (!global) {
        const char *ns = npc_node_is_string(nsn) ? nsn->u.scalar.s : "default";
        pol.ns = l.ns = npc_intern_cstr(c->ctx->strings, ns);
        (void)npc_cluster_namespace(c, pol.ns);
        pol.subj_ns_mode = NPC_NS_SAME;
    } else {
        pol.subj_ns_mode = NPC_NS_SELECTOR;
    }
    if (npc_node_is_null(spec))
        spec = NULL;
    else if (!is_map(&l, spec, "spec") ||
             !npc_admin_check_keys(c, spec, spec_known,
                                   global ? "a GlobalNetworkPolicy spec" : "a NetworkPolicy spec"))
        return 0;
    const npc_node *tier = spec ? npc_map_get(spec, "tier") : NULL;
    if (tier && !npc_node_is_null(tier) && !npc_node_is_string(tier))
        return bad(&l, NPC203, tier, "tier must be a string, not %s%s", npc_node_type_a(tier), "");
    pol.layer = npc_node_is_string(tier) ? tier_layer(c, tier->u.scalar.s, tier->u.scalar.len)
                                         : tier_layer(c, "default", 7);
    pol.order = HUGE_VAL;
    if (spec && number(&l, npc_map_get(spec, "order"), "order", &pol.order) < 0)
        return 0;
    npc_csel *sel = spec ? selector(&l, npc_map_get(spec, "selector"), "selector") : NULL;
    if (sel)
        npc_csel_to_selector(c->arena, c->ctx->strings, sel, &pol.subj_pod_sel);
    if (global && spec) {
        npc_csel *nss = selector(&l, npc_map_get(spec, "namespaceSelector"), "namespaceSelector");
        if (nss)
            ns_selector(&l, nss, &pol.subj_ns_sel);
    }
    if (spec) {
        static const char *const host_only[] = {"doNotTrack", "preDNAT", NULL};
        for (size_t i = 0; host_only[i]; i++) {
            int b = 0;
            const npc_node *f = npc_map_get(spec, host_only[i]);
            if (f && npc_node_get_bool(f, &b) && b) {
                npc_note(c->ctx, NPC210, npc_node_loc(f),
                         "%s policy '%s' applies to host endpoints only; skipped", host_only[i],
                         name->u.scalar.s);
                return l.ok;
            }
        }
        const npc_node *sas = npc_map_get(spec, "serviceAccountSelector");
        if (!npc_node_is_null(sas))
            not_evaluated(&l, sas, "serviceAccountSelector");
    }
    /* types: as given, else Ingress, plus Egress when there are egress
     * rules (only Egress when there are egress rules and no ingress ones) */
    const npc_node *in = spec ? npc_map_get(spec, "ingress") : NULL,
                   *eg = spec ? npc_map_get(spec, "egress") : NULL,
                   *types = spec ? npc_map_get(spec, "types") : NULL;
    size_t nin, neg, nty;
    if (!seq_len(&l, in, "ingress", &nin) || !seq_len(&l, eg, "egress", &neg) ||
        !seq_len(&l, types, "types", &nty))
        return 0;
    if (!npc_node_is_null(types)) {
        for (size_t i = 0; i < nty; i++) {
            const npc_node *t = types->u.seq.items[i];
            if (npc_node_scalar_eq(t, "Ingress"))
                pol.affects[NPC_DIR_INGRESS] = 1;
            else if (npc_node_scalar_eq(t, "Egress"))
                pol.affects[NPC_DIR_EGRESS] = 1;
            else
                bad(&l, NPC211, t, "invalid policy type '%s'%s (expected Ingress or Egress)",
                    t->kind == NPC_NODE_SCALAR ? t->u.scalar.s : "?", "");
        }
    } else {
        pol.affects[NPC_DIR_INGRESS] = nin > 0 || neg == 0;
        pol.affects[NPC_DIR_EGRESS] = neg > 0;
    }
    rule_vec rules = {0};
    for (size_t i = 0; i < nin && pol.affects[NPC_DIR_INGRESS]; i++)
        lower_rule(&l, in->u.seq.items[i], NPC_DIR_INGRESS, (uint32_t)i, &rules);
    for (size_t i = 0; i < neg && pol.affects[NPC_DIR_EGRESS]; i++)
        lower_rule(&l, eg->u.seq.items[i], NPC_DIR_EGRESS, (uint32_t)i, &rules);
    if (rules.len) {
        pol.rules = npc_arena_alloc(c->arena, rules.len * sizeof *pol.rules);
        memcpy(pol.rules, rules.items, rules.len * sizeof *pol.rules);
        pol.nrules = (uint32_t)rules.len;
    }
    npc_vec_free(&rules);
    npc_vec_free(&l.pending);
    npc_vec_free(&l.pending_at);
    if (!l.ok)
        return 0;
    if (staged) {
        const npc_node *act = spec ? npc_map_get(spec, "stagedAction") : NULL;
        if (!c->staged_enforced || npc_node_scalar_eq(act, "Delete")) {
            npc_note(c->ctx, NPC235, pol.loc,
                     c->staged_enforced ? "Staged%s '%s' stages a deletion: not evaluated"
                                        : "Staged%s '%s' is loaded but not enforced, as in Calico",
                     kind, name->u.scalar.s);
            return 1;
        }
        npc_note(c->ctx, NPC235, pol.loc, "Staged%s '%s' is evaluated as if enforced (staged)%s",
                 kind, name->u.scalar.s, "");
    }
    npc_vec_push(&c->policies, pol);
    return 1;
}

/* --------------------------------------------------------- network sets */

int npc_load_calico_netset(npc_cluster *c, const npc_node *obj, int global)
{
    cl l = {c, 0, 1, {0}, {0}};
    enter_calico(c);
    const char *kind = global ? "GlobalNetworkSet" : "NetworkSet";
    const npc_node *md = npc_map_get(obj, "metadata"), *spec = npc_map_get(obj, "spec");
    const npc_node *name = md && md->kind == NPC_NODE_MAP ? npc_map_get(md, "name") : NULL;
    if (!npc_node_is_string(name))
        return bad(&l, name ? NPC203 : NPC202, name ? name : md ? md : obj,
                   "a %s needs metadata.name%s", kind, "");
    npc_netset set;
    memset(&set, 0, sizeof set);
    set.name = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    if (!global) {
        const npc_node *nsn = npc_map_get(md, "namespace");
        set.ns = sym(&l, npc_node_is_string(nsn) ? nsn->u.scalar.s : "default");
        (void)npc_cluster_namespace(c, set.ns);
    }
    if (!npc_parse_labels(c, npc_map_get(md, "labels"), &set.labels))
        return 0;
    range_vec nets = {0};
    if (!npc_node_is_null(spec)) {
        static const char *const known[] = {"nets", "allowedEgressDomains", NULL};
        if (!is_map(&l, spec, "spec") ||
            !npc_admin_check_keys(c, spec, known, global ? "a GlobalNetworkSet spec"
                                                         : "a NetworkSet spec"))
            return 0;
        const npc_node *dom = npc_map_get(spec, "allowedEgressDomains");
        if (!npc_node_is_null(dom))
            not_evaluated(&l, dom, "allowedEgressDomains");
        parse_nets(&l, npc_map_get(spec, "nets"), "nets", &nets);
    }
    if (l.ok) {
        set.ranges = npc_arena_alloc(c->arena, (nets.len + 1) * sizeof *set.ranges);
        if (nets.len)
            memcpy(set.ranges, nets.items, nets.len * sizeof *set.ranges);
        set.nranges = (uint32_t)nets.len;
        npc_vec_push(&c->netsets, set);
    }
    npc_vec_free(&nets);
    return l.ok;
}

/* Whether a network set is one a rule's selectors can name: a namespaced
 * set in the policy's namespace, or in the namespaces a namespaceSelector
 * matches (every namespace for a global policy); a GlobalNetworkSet from a
 * global policy, or through global() in a namespaceSelector. */
static int netset_in_scope(npc_cluster *c, const npc_netset_ref *r, const npc_csel *nss_ns,
                           const npc_netset *set)
{
    static const npc_labels none = {0};
    if (!set->ns)
        return r->global_sets;
    if (!r->nss)
        return !r->ns || r->ns == set->ns;
    uint32_t idx;
    const npc_labels *ls = npc_cluster_find_namespace(c, set->ns, &idx)
                               ? &c->namespaces.items[idx].labels
                               : &none;
    return npc_csel_matches(nss_ns, c->ctx->strings, ls);
}

void npc_calico_resolve_netsets(npc_cluster *c)
{
    range_vec got = {0}, within = {0}, outside = {0}, all = {0}, tmp = {0};
    all_addresses(&all);
    for (size_t i = 0; i < c->netset_refs.len; i++) {
        npc_netset_ref *r = &c->netset_refs.items[i];
        const npc_csel *nss_ns =
            r->nss ? npc_csel_rewrite(c->arena, r->nss,
                                      npc_intern_cstr(c->ctx->strings, "projectcalico.org/name"),
                                      npc_intern_cstr(c->ctx->strings, "kubernetes.io/metadata.name"),
                                      0)
                   : NULL;
        got.len = 0;
        for (size_t k = 0; k < c->netsets.len; k++) {
            const npc_netset *set = &c->netsets.items[k];
            if (!netset_in_scope(c, r, nss_ns, set) ||
                (r->sel && !npc_csel_matches(r->sel, c->ctx->strings, &set->labels)))
                continue;
            for (uint32_t j = 0; j < set->nranges; j++)
                npc_vec_push(&got, set->ranges[j]);
        }
        normalize(&got);
        if (r->nwithin != UINT32_MAX) { /* got ∩ within = got − (all − within) */
            within.len = 0;
            for (uint32_t j = 0; j < r->nwithin; j++)
                npc_vec_push(&within, r->within[j]);
            subtract(&all, &within, &outside);
            subtract(&got, &outside, &tmp);
            got.len = 0;
            for (size_t j = 0; j < tmp.len; j++)
                npc_vec_push(&got, tmp.items[j]);
        }
        r->peer->ranges = npc_arena_alloc(c->arena, (got.len + 1) * sizeof *r->peer->ranges);
        if (got.len)
            memcpy(r->peer->ranges, got.items, got.len * sizeof *r->peer->ranges);
        r->peer->nranges = (uint32_t)got.len;
    }
    npc_vec_free(&got);
    npc_vec_free(&within);
    npc_vec_free(&outside);
    npc_vec_free(&all);
    npc_vec_free(&tmp);
}
