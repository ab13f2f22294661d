/* Probing: every endpoint pair that the spec or a component touches, on
 * every port where a decision can change, evaluated on the loaded policies
 * and compared with what the spec declares.
 *
 * Passes:
 *   1. endpoints - every loaded pod, and external addresses: the first and
 *      last address of every CIDR and except of the declared flows and of
 *      the loaded policies' IP peers, the addresses just outside them, and
 *      one IPv4 and one IPv6 address outside everything (TEST-NET-3,
 *      2001:db8::/32). Addresses of pods are not external.
 *   2. ports - the bounds of every declared port range and of every port
 *      condition of the loaded policies, their neighbours, 1 and 65535, in
 *      TCP, UDP and SCTP, plus the destination's container ports. Policies
 *      and declarations are constant between these bounds, so the probes
 *      cover every port interval.
 *   3. pairs - for each ordered pair (not both external) whose source's
 *      egress or destination's ingress the spec restricts, or that a
 *      component side of a flow matches: the declared flows matching the
 *      pair (port aside), then every port probe.
 *   4. verdicts - a probe is missing when a declared flow covers it and the
 *      policies deny it; excess when the policies allow it and a direction
 *      the spec restricts does not declare it. Findings of one pair that
 *      share what decided are grouped with their connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/ctx.h"
#include "verify/verify_int.h"

/* How the peers of one side of a unit match an endpoint (pair_units'
 * questions, answered once per endpoint): a component peer matches; a
 * peer matches (a peer naming the endpoint matches) whatever namespace
 * the other end is in (0), or when the other end is a pod of the
 * endpoint's namespace (S: the peers relative to the policy's namespace). */
enum { UR_COMP = 1, UR_ANY0 = 2, UR_NM0 = 4, UR_ANYS = 8, UR_NMS = 16 };
typedef struct urel {
    uint32_t unit;
    uint8_t bits;
} urel;

typedef struct ep {
    vf_view v;
    npc_flow_end fe;
    char *name;
    uint8_t gov[2];   /* the spec restricts this direction */
    uint8_t compside; /* a component side of some flow matches it */
    /* the units whose from (0) or to (1) side some peer matches, ascending */
    NPC_VEC(urel) rel[2];
} ep;

typedef struct pport {
    npc_proto proto;
    uint16_t port;
} pport;

typedef struct probe_state {
    const vf_model *m;
    npc_cluster *c, *ptw, *ptn;
    NPC_VEC(ep) eps;
    NPC_VEC(pport) ports;
    uint8_t *port_mark;             /* NPC_PROTO_COUNT * 65536 */
    NPC_VEC(uint32_t) eg, in, decl; /* units of the current pair */
    NPC_VEC(vf_finding) pair;       /* findings of the current pair */
    npc_verdict ve, vi, pe, pi;
    npc_flow_scratch *fsc;
    npc_portset set[4]; /* probe_pair's sets */
    npc_buf *dump;      /* every probe, when asked for */
    vf_result *r;
} probe_state;

/* ---------------------------------------------------------- endpoints */

static void add_external(probe_state *ps, npc_ip ip)
{
    for (size_t i = 0; i < ps->eps.len; i++)
        if (ps->eps.items[i].v.has_ip && npc_ip_cmp(ps->eps.items[i].v.ip, ip) == 0)
            return;
    for (size_t w = 0; w < ps->c->workloads.len; w++) {
        const npc_workload *wl = &ps->c->workloads.items[w];
        for (uint32_t k = 0; k < wl->nips; k++)
            if (npc_ip_cmp(wl->ips[k], ip) == 0)
                return; /* a pod's address is that pod */
    }
    ep e;
    memset(&e, 0, sizeof e);
    e.v.external = 1;
    e.v.c = ps->c;
    e.v.ip = ip;
    e.v.has_ip = 1;
    e.fe.kind = NPC_EP_EXTERNAL;
    e.fe.ip = ip;
    char buf[64];
    npc_ip_format(ip, buf);
    e.name = npc_xstrdup(buf);
    npc_vec_push(&ps->eps, e);
}

static void add_range_edges(probe_state *ps, npc_iprange r)
{
    add_external(ps, r.first);
    add_external(ps, r.last);
    npc_ip before = npc_ip_prev(r.first), after = npc_ip_next(r.last);
    int v4 = npc_ip_is_v4(r.first);
    if (npc_ip_cmp(before, r.first) < 0 && npc_ip_is_v4(before) == v4)
        add_external(ps, before);
    if (npc_ip_cmp(after, r.last) > 0 && npc_ip_is_v4(after) == v4)
        add_external(ps, after);
}

static void add_cidr_text(probe_state *ps, const char *cidr)
{
    npc_iprange r;
    int prefix, v6, canon;
    if (npc_cidr_parse(cidr, &r, &prefix, &v6, &canon))
        add_range_edges(ps, r);
}

static void speer_addresses(probe_state *ps, const npc_speer *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].kind == NPC_SP_CIDR) {
            add_cidr_text(ps, p[i].cidr);
            for (size_t k = 0; k < p[i].nexcept; k++)
                add_cidr_text(ps, p[i].except[k]);
        } else if (p[i].kind == NPC_SP_FQDN) {
            speer_addresses(ps, p[i].fallback, p[i].nfallback);
        }
    }
}

/* -------------------------------------------------------------- ports */

/* Probes (every protocol: the others must be denied too) of one port. */
static void mark_port(probe_state *ps, long port)
{
    if (port < 1 || port > 65535)
        return;
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        uint8_t *mk = &ps->port_mark[(size_t)p * 65536 + (size_t)port];
        if (*mk)
            continue;
        *mk = 1;
        pport pp = {(npc_proto)p, (uint16_t)port};
        npc_vec_push(&ps->ports, pp);
    }
}

static void mark_bounds(probe_state *ps, long lo, long hi)
{
    mark_port(ps, lo - 1);
    mark_port(ps, lo);
    mark_port(ps, hi);
    mark_port(ps, hi + 1);
}

/* The policies' own boundaries: address ranges of IP peers (probed at
 * their edges) and port ranges (probed at their bounds), of every loaded
 * policy set. */
static void harvest(probe_state *ps)
{
    const npc_cluster *loaded[] = {ps->c, ps->ptw, ps->ptn};
    for (size_t l = 0; l < 3; l++)
        for (size_t p = 0; loaded[l] && p < loaded[l]->policies.len; p++) {
            const npc_policy *pol = &loaded[l]->policies.items[p];
            for (uint32_t r = 0; r < pol->nrules; r++) {
                const npc_rule *rule = &pol->rules[r];
                for (uint32_t k = 0; k < rule->npeers; k++)
                    for (uint32_t j = 0;
                         rule->peers[k].kind == NPC_PEER_IPS && j < rule->peers[k].nranges; j++)
                        add_range_edges(ps, rule->peers[k].ranges[j]);
                for (uint32_t k = 0; k < rule->nports; k++)
                    if (!rule->ports[k].name)
                        mark_bounds(ps, rule->ports[k].lo, rule->ports[k].hi);
            }
        }
}

static int names_endpoint(const npc_speer *p, const vf_view *e);

/* The urel bits of the peers ps[0..n) for endpoint e (0: none matches). */
static uint8_t side_bits(const vf_model *m, const npc_speer *ps, size_t n, const vf_view *e)
{
    uint8_t bits = 0;
    for (size_t k = 0; k < n; k++) {
        const npc_speer *p = &ps[k];
        int m0 = vf_peer_matches(m, p, e, NULL);
        int ms = m0 || (!e->external && vf_peer_matches(m, p, e, e->ns));
        if (!ms)
            continue;
        int nm = names_endpoint(p, e);
        if (m0 && vf_peer_is_component(p) && !e->external)
            bits |= UR_COMP;
        if (m0)
            bits |= UR_ANY0 | (nm ? UR_NM0 : 0);
        bits |= UR_ANYS | (nm ? UR_NMS : 0);
    }
    return bits;
}

static void endpoints(probe_state *ps)
{
    npc_cluster *c = ps->c;
    const vf_model *m = ps->m;
    for (size_t w = 0; w < c->workloads.len; w++) {
        const npc_workload *wl = &c->workloads.items[w];
        ep e;
        memset(&e, 0, sizeof e);
        e.v.c = c;
        e.v.wl = wl;
        e.v.ns = npc_sym_str(c->ctx->strings, c->namespaces.items[wl->ns].name);
        if (wl->nips) {
            e.v.ip = wl->ips[0];
            e.v.has_ip = 1;
        }
        e.fe.kind = NPC_EP_WORKLOAD;
        e.fe.workload = (uint32_t)w;
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%s/%s", e.v.ns, npc_sym_str(c->ctx->strings, wl->name));
        e.name = npc_buf_take(&b);
        npc_vec_push(&ps->eps, e);
    }
    npc_ip ip;
    npc_ip_parse("203.0.113.10", &ip);
    add_external(ps, ip);
    npc_ip_parse("2001:db8::10", &ip);
    add_external(ps, ip);
    for (size_t i = 0; i < c->apiserver_ips.len; i++)
        add_external(ps, c->apiserver_ips.items[i]);
    for (size_t i = 0; i < m->nunits; i++) {
        speer_addresses(ps, m->units[i].from, m->units[i].nfrom);
        speer_addresses(ps, m->units[i].to, m->units[i].nto);
    }
    harvest(ps);
    for (size_t i = 0; i < ps->eps.len; i++) {
        ep *e = &ps->eps.items[i];
        e->v.c = c;
        if (e->v.external)
            continue;
        e->gov[NPC_DIR_INGRESS] = (uint8_t)vf_governed(m, &e->v, NPC_DIR_INGRESS);
        e->gov[NPC_DIR_EGRESS] = (uint8_t)vf_governed(m, &e->v, NPC_DIR_EGRESS);
    }
    for (size_t i = 0; i < ps->eps.len; i++) {
        ep *e = &ps->eps.items[i];
        for (size_t u = 0; u < m->nunits; u++) {
            const npc_unit *un = &m->units[u];
            for (int side = 0; side < 2; side++) {
                uint8_t bits =
                    side_bits(m, side ? un->to : un->from, side ? un->nto : un->nfrom, &e->v);
                if (!bits)
                    continue;
                urel r = {(uint32_t)u, bits};
                npc_vec_push(&e->rel[side], r);
                e->compside |= (bits & UR_COMP) != 0;
            }
        }
    }
}

static void ports(probe_state *ps)
{
    const vf_model *m = ps->m;
    mark_port(ps, 1);
    mark_port(ps, 65535);
    for (size_t i = 0; i < m->nunits; i++)
        for (size_t k = 0; k < m->units[i].nports; k++) {
            const npc_cport *p = &m->units[i].ports[k];
            if (!p->name && p->lo)
                mark_bounds(ps, p->lo, p->hi);
        }
    const npc_cluster *c = ps->c;
    for (size_t w = 0; w < c->workloads.len; w++) {
        const npc_workload *wl = &c->workloads.items[w];
        for (uint32_t k = 0; k < wl->nports; k++)
            mark_bounds(ps, wl->ports[k].port, wl->ports[k].port);
    }
}

/* ------------------------------------------------------------ verdicts */

static int allowed_by_rule(const npc_verdict *v)
{
    if (!v->allowed)
        return 0;
    for (size_t i = 0; i < v->steps.len; i++)
        if (v->steps.items[i].kind == NPC_WHY_RULE && v->steps.items[i].action == NPC_ACT_ALLOW)
            return 1;
    return 0;
}

static int any_unit_port(probe_state *ps, const uint32_t *units, size_t n, npc_proto proto,
                         uint16_t port, const ep *dst, uint32_t *which)
{
    for (size_t i = 0; i < n; i++)
        if (vf_unit_port(ps->m, &ps->m->units[units[i]], proto, port, &dst->v)) {
            if (which)
                *which = units[i];
            return 1;
        }
    return 0;
}

/* Whether the spec's passthrough rules declare direction dir of the probe:
 * the rendering with them allows it by a rule, the one without does not. */
static int passthrough_declares(probe_state *ps, const ep *a, const ep *b, npc_proto proto,
                                uint16_t port, npc_dir dir)
{
    if (!ps->ptw)
        return 0;
    npc_flow_verdicts(ps->ptw, &a->fe, &b->fe, proto, port, &ps->pe, &ps->pi);
    int with = allowed_by_rule(dir == NPC_DIR_EGRESS ? &ps->pe : &ps->pi);
    if (!with)
        return 0;
    npc_flow_verdicts(ps->ptn, &a->fe, &b->fe, proto, port, &ps->pe, &ps->pi);
    return !allowed_by_rule(dir == NPC_DIR_EGRESS ? &ps->pe : &ps->pi);
}

/* Whether the passthrough rules declare flow a -> b: one direction by
 * them, the other by them, a declared flow or no restriction. */
static int passthrough_flow(probe_state *ps, const ep *a, const ep *b, npc_proto proto,
                            uint16_t port)
{
    if (!ps->ptw)
        return 0;
    int pe = passthrough_declares(ps, a, b, proto, port, NPC_DIR_EGRESS);
    int pi = passthrough_declares(ps, a, b, proto, port, NPC_DIR_INGRESS);
    if (!pe && !pi)
        return 0;
    int ue = !a->gov[NPC_DIR_EGRESS] ||
             any_unit_port(ps, ps->eg.items, ps->eg.len, proto, port, b, NULL);
    int ui = !b->gov[NPC_DIR_INGRESS] ||
             any_unit_port(ps, ps->in.items, ps->in.len, proto, port, b, NULL);
    return (pe || ue) && (pi || ui);
}

/* The spec flow a rule allowing direction dir of a -> b most likely came
 * from: a flow of the subject's side whose peer matches (its ports were
 * widened), else one whose ports hold the probe (its peer was widened),
 * else any flow of that side; SIZE_MAX when none. */
static size_t excess_origin(probe_state *ps, const ep *a, const ep *b, npc_proto proto,
                            uint16_t port, npc_dir dir)
{
    const vf_model *m = ps->m;
    const ep *subj = dir == NPC_DIR_EGRESS ? a : b, *peer = dir == NPC_DIR_EGRESS ? b : a;
    size_t by_port = SIZE_MAX, any = SIZE_MAX;
    for (size_t i = 0; i < m->nunits; i++) {
        const npc_unit *u = &m->units[i];
        const npc_speer *side = dir == NPC_DIR_EGRESS ? u->from : u->to;
        const npc_speer *other = dir == NPC_DIR_EGRESS ? u->to : u->from;
        size_t nside = dir == NPC_DIR_EGRESS ? u->nfrom : u->nto;
        size_t nother = dir == NPC_DIR_EGRESS ? u->nto : u->nfrom;
        int mine = 0;
        for (size_t k = 0; k < nside && !mine; k++)
            mine = vf_peer_is_component(&side[k]) && vf_peer_matches(m, &side[k], &subj->v, NULL);
        if (!mine)
            continue;
        int peer_ok = 0;
        for (size_t k = 0; k < nother && !peer_ok; k++)
            peer_ok = vf_peer_matches(m, &other[k], &peer->v, subj->v.ns);
        if (peer_ok)
            return i;
        if (by_port == SIZE_MAX && vf_unit_port(m, u, proto, port, &b->v))
            by_port = i;
        if (any == SIZE_MAX)
            any = i;
    }
    return by_port != SIZE_MAX ? by_port : any;
}

static char *loc_text(npc_loc l)
{
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "%s:%u:%u", l.file ? l.file : "", l.line, l.col);
    return npc_buf_take(&b);
}

static void pair_finding(probe_state *ps, vf_kind kind, const ep *a, const ep *b, npc_buf *what,
                         size_t unit, npc_proto proto, uint16_t port)
{
    const char *w = npc_buf_cstr(what);
    for (size_t i = 0; i < ps->pair.len; i++) {
        vf_finding *f = &ps->pair.items[i];
        if (f->kind == kind && !strcmp(f->what, w)) {
            npc_portset_add(&f->conns, proto, port, port);
            return;
        }
    }
    vf_finding f;
    memset(&f, 0, sizeof f);
    f.kind = kind;
    f.src = npc_xstrdup(a->name);
    f.dst = npc_xstrdup(b->name);
    f.what = npc_xstrdup(w);
    if (unit == SIZE_MAX && kind == VF_MISSING && ps->m->pt_loc.file) {
        f.flow = loc_text(ps->m->pt_loc);
        f.by_passthrough = 1;
    } else if (unit != SIZE_MAX) {
        const npc_flow *fw = ps->m->units[unit].flow;
        f.flow = loc_text(fw->loc);
        const char *pur = fw->purpose_from ? fw->purpose_from : fw->purpose_to;
        if (pur)
            f.purpose = npc_xstrdup(pur);
    }
    npc_portset_add(&f.conns, proto, port, port);
    npc_vec_push(&ps->pair, f);
}

static void dir_text(probe_state *ps, npc_buf *b, npc_dir dir, const ep *subj, const npc_verdict *v)
{
    if (b->len)
        npc_buf_puts(b, "; ");
    npc_buf_printf(b, "%s of %s: ", dir == NPC_DIR_EGRESS ? "egress" : "ingress", subj->name);
    npc_verdict_format_reason(ps->c, dir, v, b);
}

static void probe_one(probe_state *ps, const ep *a, const ep *b, npc_proto proto, uint16_t port)
{
    npc_flow_verdicts(ps->c, &a->fe, &b->fe, proto, port, &ps->ve, &ps->vi);
    ps->r->probes++;
    int actual = ps->ve.allowed && ps->vi.allowed;
    if (ps->dump)
        npc_buf_printf(ps->dump, "%s\t%s\t%s\t%u\t%d\n", a->name, b->name, npc_proto_name(proto),
                       (unsigned)port, actual);
    uint32_t which = 0;
    if (!actual) {
        size_t unit = SIZE_MAX;
        if (any_unit_port(ps, ps->decl.items, ps->decl.len, proto, port, b, &which))
            unit = which;
        else if (!passthrough_flow(ps, a, b, proto, port))
            return;
        npc_buf what = NPC_BUF_INIT;
        if (!ps->ve.allowed)
            dir_text(ps, &what, NPC_DIR_EGRESS, a, &ps->ve);
        if (!ps->vi.allowed)
            dir_text(ps, &what, NPC_DIR_INGRESS, b, &ps->vi);
        pair_finding(ps, VF_MISSING, a, b, &what, unit, proto, port);
        npc_buf_free(&what);
        return;
    }
    int exp_e = !a->gov[NPC_DIR_EGRESS] ||
                any_unit_port(ps, ps->eg.items, ps->eg.len, proto, port, b, NULL);
    int exp_i = !b->gov[NPC_DIR_INGRESS] ||
                any_unit_port(ps, ps->in.items, ps->in.len, proto, port, b, NULL);
    if (exp_e && exp_i)
        return;
    if (!exp_e)
        exp_e = passthrough_declares(ps, a, b, proto, port, NPC_DIR_EGRESS);
    if (!exp_i)
        exp_i = passthrough_declares(ps, a, b, proto, port, NPC_DIR_INGRESS);
    if (exp_e && exp_i)
        return;
    npc_buf what = NPC_BUF_INIT;
    size_t origin = SIZE_MAX;
    /* allowed by default at the ingress of a restricted pod, from where the
     * engine's ingress rules cannot reach: no rendering could deny it */
    vf_kind kind = a->v.external && exp_e && ps->m->ingress_limit && !allowed_by_rule(&ps->vi)
                       ? VF_UNENFORCEABLE
                       : VF_EXCESS;
    /* the spec flow behind an allowing rule; an unisolated direction has none */
    if (!exp_e) {
        dir_text(ps, &what, NPC_DIR_EGRESS, a, &ps->ve);
        if (allowed_by_rule(&ps->ve))
            origin = excess_origin(ps, a, b, proto, port, NPC_DIR_EGRESS);
    }
    if (!exp_i) {
        dir_text(ps, &what, NPC_DIR_INGRESS, b, &ps->vi);
        if (origin == SIZE_MAX && allowed_by_rule(&ps->vi))
            origin = excess_origin(ps, a, b, proto, port, NPC_DIR_INGRESS);
    }
    pair_finding(ps, kind, a, b, &what, origin, proto, port);
    npc_buf_free(&what);
}

/* The ports of units (indices) towards dst; every port when `all`. */
static void units_portset(probe_state *ps, const uint32_t *units, size_t n, const ep *dst, int all,
                          npc_portset *out)
{
    npc_portset_clear(out);
    if (all) {
        npc_portset_set_all(out);
        return;
    }
    for (size_t i = 0; i < n; i++)
        vf_unit_portset(ps->m, &ps->m->units[units[i]], &dst->v, out);
}

/* Every probe of pair a -> b. The policies' answer for every port at once
 * (npc_flow_allowed) and the declared ports as sets tell which probes can
 * give a finding: a denied port some flow declares (missing) and an
 * allowed port a restricted direction does not declare (excess). Only
 * those are probed one by one (probe_one); the others are counted (and
 * dumped) with the set's answer. The passthrough comparison probes every
 * port. */
static void probe_pair(probe_state *ps, const ep *a, const ep *b)
{
    if (ps->ptw) {
        for (size_t k = 0; k < ps->ports.len; k++)
            probe_one(ps, a, b, ps->ports.items[k].proto, ps->ports.items[k].port);
        return;
    }
    npc_portset *al = &ps->set[0], *in = &ps->set[1], *s = &ps->set[2], *t = &ps->set[3];
    npc_flow_allowed(ps->c, &ps->fsc, &a->fe, &b->fe, al, in);
    npc_portset_intersect(al, in); /* allowed */
    units_portset(ps, ps->decl.items, ps->decl.len, b, 0, s);
    npc_portset_subtract(s, al); /* declared, denied */
    units_portset(ps, ps->eg.items, ps->eg.len, b, !a->gov[NPC_DIR_EGRESS], t);
    units_portset(ps, ps->in.items, ps->in.len, b, !b->gov[NPC_DIR_INGRESS], in);
    npc_portset_intersect(t, in); /* expected in both directions */
    npc_portset_copy(in, al);
    npc_portset_subtract(in, t); /* allowed, not expected */
    npc_portset_add_set(s, in);
    for (size_t k = 0; k < ps->ports.len; k++) {
        npc_proto proto = ps->ports.items[k].proto;
        uint16_t port = ps->ports.items[k].port;
        if (npc_portset_contains(s, proto, port)) {
            probe_one(ps, a, b, proto, port);
            continue;
        }
        ps->r->probes++;
        if (ps->dump)
            npc_buf_printf(ps->dump, "%s\t%s\t%s\t%u\t%d\n", a->name, b->name,
                           npc_proto_name(proto), (unsigned)port,
                           npc_portset_contains(al, proto, port));
    }
}

/* Whether peer p names endpoint e rather than covering it broadly: pods by
 * labels or namespaces (components, pod and namespace selectors, not the
 * whole cluster); any peer for an address. */
static int names_endpoint(const npc_speer *p, const vf_view *e)
{
    if (e->external)
        return 1;
    switch (p->kind) {
    case NPC_SP_FQDN:
        for (size_t i = 0; i < p->nfallback; i++)
            if (names_endpoint(&p->fallback[i], e))
                return 1;
        return 0;
    case NPC_SP_COMPONENT:
    case NPC_SP_ALL_COMPONENTS:
        return 1;
    case NPC_SP_PODS: {
        int any_pod = !p->has_pods || !vf_ssel_count(&p->pods);
        int any_ns = p->ns_kind == NPC_SNS_ANY ||
                     (p->ns_kind == NPC_SNS_SELECTOR && !vf_ssel_count(&p->ns_sel));
        return !(any_pod && any_ns);
    }
    default:
        return 0;
    }
}

/* The declared flows of pair a -> b, ports aside: in a's egress (eg), in
 * b's ingress (in), and as flows (decl): from the units both ends take
 * part in (their relations, merged). A flow declares the pair when one
 * side is a component that carries the rule and both peers name their
 * endpoint (broad peers - "*", any-ip, a CIDR - do not oblige the pods
 * they happen to cover). */
static void pair_units(probe_state *ps, const ep *a, const ep *b)
{
    ps->eg.len = ps->in.len = ps->decl.len = 0;
    int same = !a->v.external && !b->v.external && !strcmp(a->v.ns, b->v.ns);
    const urel *ra = a->rel[0].items, *rb = b->rel[1].items;
    size_t na = a->rel[0].len, nb = b->rel[1].len;
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        if (ra[i].unit != rb[j].unit) {
            if (ra[i].unit < rb[j].unit)
                i++;
            else
                j++;
            continue;
        }
        uint8_t fa = ra[i].bits, tb = rb[j].bits;
        uint32_t u = ra[i].unit;
        i++, j++;
        int any_f = (fa & UR_ANY0) || (same && (fa & UR_ANYS));
        int nm_f = (fa & UR_NM0) || (same && (fa & UR_NMS));
        int any_t = (tb & UR_ANY0) || (same && (tb & UR_ANYS));
        int nm_t = (tb & UR_NM0) || (same && (tb & UR_NMS));
        if ((fa & UR_COMP) && any_t)
            npc_vec_push(&ps->eg, u);
        if ((tb & UR_COMP) && any_f)
            npc_vec_push(&ps->in, u);
        if (((fa & UR_COMP) && nm_t) || (nm_f && (tb & UR_COMP)))
            npc_vec_push(&ps->decl, u);
    }
}

static int finding_cmp(const void *x, const void *y)
{
    const vf_finding *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->src, b->src);
    if (!c)
        c = strcmp(a->dst, b->dst);
    if (!c)
        c = strcmp(a->what, b->what);
    return c;
}

static void notes(probe_state *ps)
{
    /* a declared side whose policy is off: its rules are not rendered */
    const vf_model *m = ps->m;
    npc_spec *s = m->s;
    if (!m->enabled)
        return;
    for (size_t i = 0; i < m->nunits; i++) {
        const npc_unit *u = &m->units[i];
        for (int side = 0; side < 2; side++) {
            const npc_speer *ps_ = side ? u->to : u->from;
            size_t n = side ? u->nto : u->nfrom;
            for (size_t k = 0; k < n; k++) {
                if (ps_[k].kind != NPC_SP_COMPONENT)
                    continue;
                int p;
                if (vf_carrier(s, u->flow, &ps_[k], &p) >= 0 || p < 0)
                    continue;
                npc_buf b = NPC_BUF_INIT;
                npc_buf_printf(&b,
                               "the flow at %s:%u:%u gives component '%s' no %s rule: its policy "
                               "'%s' is off in this combination",
                               u->flow->loc.file ? u->flow->loc.file : "", u->flow->loc.line,
                               u->flow->loc.col, s->components[ps_[k].index].name,
                               side ? "ingress" : "egress", s->policies[p].name);
                int dup = 0;
                for (size_t j = 0; j < ps->r->notes.len && !dup; j++)
                    dup = !strcmp(ps->r->notes.items[j], npc_buf_cstr(&b));
                if (dup)
                    npc_buf_free(&b);
                else
                    npc_vec_push(&ps->r->notes, npc_buf_take(&b));
            }
        }
    }
}

void vf_probe(const vf_model *m, npc_cluster *c, npc_cluster *pt_with, npc_cluster *pt_without,
              npc_buf *probes, vf_result *r)
{
    probe_state ps;
    memset(&ps, 0, sizeof ps);
    ps.m = m;
    ps.c = c;
    ps.ptw = pt_with && pt_without ? pt_with : NULL;
    ps.ptn = pt_with && pt_without ? pt_without : NULL;
    ps.r = r;
    ps.dump = probes;
    ps.port_mark = npc_xcalloc((size_t)NPC_PROTO_COUNT * 65536, 1);
    endpoints(&ps);
    ports(&ps);
    r->endpoints = ps.eps.len;
    r->ingress_limit = m->ingress_limit;
    r->policies = c->policies.len;
    for (size_t i = 0; i < ps.eps.len; i++) {
        const ep *a = &ps.eps.items[i];
        for (size_t j = 0; j < ps.eps.len; j++) {
            const ep *b = &ps.eps.items[j];
            if (i == j || (a->v.external && b->v.external))
                continue;
            if (!a->gov[NPC_DIR_EGRESS] && !b->gov[NPC_DIR_INGRESS] && !a->compside && !b->compside)
                continue;
            pair_units(&ps, a, b);
            probe_pair(&ps, a, b);
            for (size_t f = 0; f < ps.pair.len; f++) {
                if (ps.pair.items[f].kind == VF_MISSING)
                    r->missing++;
                else if (ps.pair.items[f].kind == VF_EXCESS)
                    r->excess++;
                else
                    r->unenforceable++;
                npc_vec_push(&r->findings, ps.pair.items[f]);
            }
            ps.pair.len = 0;
        }
    }
    if (r->findings.len > 1)
        qsort(r->findings.items, r->findings.len, sizeof *r->findings.items, finding_cmp);
    notes(&ps);
    for (size_t i = 0; i < ps.eps.len; i++) {
        free(ps.eps.items[i].name);
        npc_vec_free(&ps.eps.items[i].rel[0]);
        npc_vec_free(&ps.eps.items[i].rel[1]);
    }
    npc_vec_free(&ps.eps);
    npc_vec_free(&ps.ports);
    npc_vec_free(&ps.eg);
    npc_vec_free(&ps.in);
    npc_vec_free(&ps.decl);
    npc_vec_free(&ps.pair);
    npc_verdict_free(&ps.ve);
    npc_verdict_free(&ps.vi);
    npc_verdict_free(&ps.pe);
    npc_verdict_free(&ps.pi);
    npc_flow_scratch_free(ps.fsc);
    for (int i = 0; i < 4; i++)
        npc_portset_free(&ps.set[i]);
    free(ps.port_mark);
}

int vf_result_fails(const vf_result *r)
{
    return r->missing || r->excess || (r->strict && r->unenforceable);
}

void vf_result_free(vf_result *r)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        vf_finding *f = &r->findings.items[i];
        free(f->src);
        free(f->dst);
        free(f->what);
        free(f->flow);
        free(f->purpose);
        npc_portset_free(&f->conns);
    }
    npc_vec_free(&r->findings);
    for (size_t i = 0; i < r->notes.len; i++)
        free(r->notes.items[i]);
    npc_vec_free(&r->notes);
    memset(r, 0, sizeof *r);
}
