/* What the spec declares, independently of any rendering.
 *
 * Declared flows are the compiler's expanded flows (npc_unit: options,
 * conditions and entities applied, in spec syntax). Which directions the
 * spec restricts follows the spec's own rules (docs/spec.md): a flow side
 * that is a component gives a rule to the policy that carries it (the
 * flow's `policy`, else the component's own; a policy whose `when` is
 * false hands over to its `otherwise`); `deny` isolates a policy's
 * subject; the default-deny isolates every pod of its namespaces;
 * passthrough rules of the engine count as rules. */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/ctx.h"
#include "verify/verify_int.h"

/* ------------------------------------------------------------ labels */

int vf_kvs_set(npc_arena *a, vf_kvs *l, const char *k, const char *v)
{
    for (size_t i = 0; i < l->len; i++)
        if (!strcmp(l->items[i].key, k))
            return 0;
    npc_kv kv = {k, v};
    NPC_APUSH(a, l->items, l->len, l->cap, kv);
    return 1;
}

size_t vf_ssel_count(const npc_ssel *sel)
{
    return sel->nlabels + sel->nexprs;
}

void vf_kvs_synth(npc_arena *a, vf_kvs *l, const npc_ssel *sel, int violate)
{
    int k = 0;
    for (size_t i = 0; i < sel->nlabels; i++, k++)
        if (k != violate)
            vf_kvs_set(a, l, sel->labels[i].key, sel->labels[i].value);
    for (size_t i = 0; i < sel->nexprs; i++, k++) {
        const npc_sexpr *e = &sel->exprs[i];
        int sat = k != violate;
        switch (e->op) {
        case NPC_SOP_IN:
            if (sat && e->nvalues)
                vf_kvs_set(a, l, e->key, e->values[0]);
            break;
        case NPC_SOP_NOTIN:
            if (!sat && e->nvalues)
                vf_kvs_set(a, l, e->key, e->values[0]);
            break;
        case NPC_SOP_EXISTS:
            if (sat)
                vf_kvs_set(a, l, e->key, "verify");
            break;
        case NPC_SOP_NOTEXISTS:
            if (!sat)
                vf_kvs_set(a, l, e->key, "verify");
            break;
        }
    }
}

/* Value of label key in ls, or NULL. */
static const char *label_get(const npc_cluster *c, const npc_labels *ls, const char *key)
{
    npc_sym k = npc_intern_lookup(c->ctx->strings, key, strlen(key));
    if (!k)
        return NULL;
    npc_sym v = npc_labels_get(ls, k);
    return v ? npc_sym_str(c->ctx->strings, v) : NULL;
}

static int ssel_matches(const npc_cluster *c, const npc_ssel *sel, const npc_labels *ls)
{
    for (size_t i = 0; i < sel->nlabels; i++) {
        const char *v = label_get(c, ls, sel->labels[i].key);
        if (!v || strcmp(v, sel->labels[i].value))
            return 0;
    }
    for (size_t i = 0; i < sel->nexprs; i++) {
        const npc_sexpr *e = &sel->exprs[i];
        const char *v = label_get(c, ls, e->key);
        int in = 0;
        for (size_t j = 0; v && j < e->nvalues && !in; j++)
            in = !strcmp(e->values[j], v);
        switch (e->op) {
        case NPC_SOP_IN:
            if (!in)
                return 0;
            break;
        case NPC_SOP_NOTIN:
            if (in)
                return 0;
            break;
        case NPC_SOP_EXISTS:
            if (!v)
                return 0;
            break;
        case NPC_SOP_NOTEXISTS:
            if (v)
                return 0;
            break;
        }
    }
    return 1;
}

static const npc_labels *ns_labels(const vf_view *e)
{
    return &e->c->namespaces.items[e->wl->ns].labels;
}

/* ------------------------------------------------------------- peers */

int vf_peer_is_component(const npc_speer *p)
{
    return p->kind == NPC_SP_COMPONENT || p->kind == NPC_SP_ALL_COMPONENTS;
}

static int in_components_ns(const npc_spec *s, const char *ns)
{
    for (size_t i = 0; i < s->ncomponents; i++)
        if (!strcmp(s->components[i].ns, ns))
            return 1;
    return 0;
}

static int ip_in_cidr(const char *cidr, npc_ip ip)
{
    npc_iprange r;
    int prefix, v6, canon;
    if (!npc_cidr_parse(cidr, &r, &prefix, &v6, &canon))
        return 0;
    if (v6 && npc_ip_is_v4(ip))
        return 0; /* an IPv6 CIDR matches no IPv4 address */
    return npc_ip_cmp(r.first, ip) <= 0 && npc_ip_cmp(ip, r.last) <= 0;
}

static int apiserver_peer(const vf_model *m, const npc_speer *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].kind == NPC_SP_ENTITY &&
            (npc_entity_parse(npc_entity_native(m->engine, p[i].entity)) & NPC_ENT_KUBE_APISERVER))
            return 1;
    return 0;
}

int vf_model_apiserver(const vf_model *m)
{
    for (size_t i = 0; i < m->nunits; i++)
        if (apiserver_peer(m, m->units[i].from, m->units[i].nfrom) ||
            apiserver_peer(m, m->units[i].to, m->units[i].nto))
            return 1;
    return 0;
}

int vf_peer_matches(const vf_model *m, const npc_speer *p, const vf_view *e, const char *same_ns)
{
    const npc_spec *s = m->s;
    switch (p->kind) {
    case NPC_SP_ANY:
        return 1;
    case NPC_SP_ANY_IP:
        return e->has_ip;
    case NPC_SP_COMPONENT: {
        const npc_component *comp = &s->components[p->index];
        return !e->external && !strcmp(e->ns, comp->ns) &&
               ssel_matches(e->c, &comp->labels, &e->wl->labels);
    }
    case NPC_SP_ALL_COMPONENTS:
        return !e->external && in_components_ns(s, e->ns) &&
               ssel_matches(e->c, &s->selector, &e->wl->labels);
    case NPC_SP_PODS: {
        if (e->external)
            return 0;
        if (p->has_pods && !ssel_matches(e->c, &p->pods, &e->wl->labels))
            return 0;
        switch (p->ns_kind) {
        case NPC_SNS_SAME:
            return same_ns && !strcmp(e->ns, same_ns);
        case NPC_SNS_ANY:
            return 1;
        case NPC_SNS_NAMES:
        case NPC_SNS_OPTION: /* resolved to names by the compiler */
            for (size_t i = 0; i < p->nns; i++)
                if (!strcmp(p->ns_names[i], e->ns))
                    return 1;
            return 0;
        case NPC_SNS_SELECTOR:
            return ssel_matches(e->c, &p->ns_sel, ns_labels(e));
        }
        return 0;
    }
    case NPC_SP_CIDR:
        if (!e->has_ip || !ip_in_cidr(p->cidr, e->ip))
            return 0;
        for (size_t i = 0; i < p->nexcept; i++)
            if (ip_in_cidr(p->except[i], e->ip))
                return 0;
        return 1;
    case NPC_SP_FQDN:
        /* the fallback peers stand for the name where an engine has no
         * FQDN rules */
        for (size_t i = 0; i < p->nfallback; i++)
            if (vf_peer_matches(m, &p->fallback[i], e, same_ns))
                return 1;
        return 0;
    case NPC_SP_ENTITY: {
        /* an entity the engine names natively (Cilium, entity.go): world
         * is every address outside the cluster, cluster every pod,
         * kube-apiserver the API server's addresses (the topology's
         * Endpoints of default/kubernetes) */
        unsigned bits = npc_entity_parse(npc_entity_native(m->engine, p->entity));
        if (bits & NPC_ENT_ALL)
            return 1;
        if (!e->external)
            return (bits & NPC_ENT_CLUSTER) != 0;
        if (bits & NPC_ENT_WORLD)
            return 1;
        for (size_t i = 0; (bits & NPC_ENT_KUBE_APISERVER) && i < e->c->apiserver_ips.len; i++)
            if (npc_ip_cmp(e->c->apiserver_ips.items[i], e->ip) == 0)
                return 1;
        return 0;
    }
    case NPC_SP_OPTION:
        return 0; /* expanded by the compiler */
    }
    return 0;
}

/* Calls fn with each port range cport p means towards dst, per protocol:
 * a named port is the destination pod's container ports of that name
 * (never an address's); port 0 every port of the protocol. */
typedef void (*vf_range_fn)(void *arg, npc_proto proto, uint16_t lo, uint16_t hi);
static void cport_ranges(const npc_cport *p, const vf_view *dst, vf_range_fn fn, void *arg)
{
    npc_sym nm = 0;
    if (p->name && !dst->external)
        nm = npc_intern_lookup(dst->c->ctx->strings, p->name, strlen(p->name));
    for (int pr = 0; pr < NPC_PROTO_COUNT; pr++) {
        if (p->proto >= 0 && p->proto != pr)
            continue;
        if (p->name) {
            for (uint32_t k = 0; nm && k < dst->wl->nports; k++)
                if (dst->wl->ports[k].name == nm && (int)dst->wl->ports[k].proto == pr)
                    fn(arg, (npc_proto)pr, dst->wl->ports[k].port, dst->wl->ports[k].port);
        } else if (p->lo == 0) {
            fn(arg, (npc_proto)pr, 1, 65535);
        } else {
            fn(arg, (npc_proto)pr, p->lo, p->hi);
        }
    }
}

static void add_range(void *arg, npc_proto proto, uint16_t lo, uint16_t hi)
{
    npc_portset_add(arg, proto, lo, hi);
}

void vf_unit_portset(const vf_model *m, const npc_unit *u, const vf_view *dst, npc_portset *out)
{
    (void)m;
    if (u->all_ports) {
        npc_portset_set_all(out);
        return;
    }
    for (size_t i = 0; i < u->nports; i++)
        cport_ranges(&u->ports[i], dst, add_range, out);
}

typedef struct port_probe {
    npc_proto proto;
    uint16_t port;
    int hit;
} port_probe;

static void hit_range(void *arg, npc_proto proto, uint16_t lo, uint16_t hi)
{
    port_probe *q = arg;
    q->hit |= q->proto == proto && lo <= q->port && q->port <= hi;
}

int vf_unit_port(const vf_model *m, const npc_unit *u, npc_proto proto, uint16_t port,
                 const vf_view *dst)
{
    (void)m;
    if (u->all_ports)
        return 1;
    port_probe q = {proto, port, 0};
    for (size_t i = 0; i < u->nports && !q.hit; i++)
        cport_ranges(&u->ports[i], dst, hit_range, &q);
    return q.hit;
}

/* ------------------------------------------------------- governance */

/* The policy named for side `side` of flow f (its `policy`, else the
 * component's own), or -1. */
static int side_policy(const npc_spec *s, const npc_flow *f, const npc_speer *side)
{
    int p = -1;
    for (size_t i = 0; i < f->npolicies && p < 0; i++)
        if (npc_spec_policy_selects(s, f->policies[i], side))
            p = f->policies[i];
    if (p < 0 && side->kind == NPC_SP_COMPONENT)
        p = s->components[side->index].policy;
    return p;
}

static int follow(npc_spec *s, int p)
{
    for (size_t hops = 0; p >= 0 && hops <= s->npolicies; hops++) {
        if (npc_cond_eval(s, s->policies[p].when))
            return p;
        p = s->policies[p].otherwise;
    }
    return -1;
}

int vf_carrier(npc_spec *s, const npc_flow *f, const npc_speer *side, int *named)
{
    int p = side_policy(s, f, side);
    if (named)
        *named = p;
    return follow(s, p);
}

static int policy_subject_matches(const vf_model *m, int p, const vf_view *e)
{
    const npc_spec *s = m->s;
    const npc_spolicy *sp = &s->policies[p];
    if (e->external || strcmp(e->ns, sp->ns))
        return 0;
    const npc_ssel *sel =
        sp->subject == NPC_SUBJ_ALL ? &s->selector : &s->components[sp->subject].labels;
    return ssel_matches(e->c, sel, &e->wl->labels);
}

int vf_governed(const vf_model *m, const vf_view *e, npc_dir dir)
{
    if (!m->enabled || e->external)
        return 0;
    if (m->deny_dirs[dir])
        for (size_t i = 0; i < m->ndeny_ns; i++)
            if (!strcmp(m->deny_ns[i], e->ns))
                return 1;
    for (size_t p = 0; p < m->s->npolicies; p++)
        if (m->pol[p][dir] && policy_subject_matches(m, (int)p, e))
            return 1;
    return 0;
}

static int nonempty_rules(npc_spec *s, const npc_node *r)
{
    if (r && r->kind == NPC_NODE_MAP) {
        const npc_node *o = npc_map_get(r, "option");
        r = o && o->kind == NPC_NODE_SCALAR
                ? npc_opt_list(s, npc_spec_find_option(s, o->u.scalar.s))
                : NULL;
    }
    return r && r->kind == NPC_NODE_SEQ && r->u.seq.len > 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int vf_model_init(vf_model *m, npc_spec *s, const char *engine)
{
    memset(m, 0, sizeof *m);
    m->s = s;
    m->ctx = s->ctx;
    m->engine = engine;
    m->ingress_limit = npc_render_ingress_limit(engine);
    /* the engine's own entities (Cilium's kube-apiserver, world, cluster:
     * spec/entities.c) stay entity peers, matched as the engine does */
    m->comp = npc_compile(s, engine);
    if (m->comp)
        npc_compiled_warn_unisolated(m->comp);
    if (!m->comp)
        return 0;
    m->units = m->comp->units;
    m->nunits = m->comp->nunits;
    m->enabled = npc_cond_eval(s, s->when);
    npc_arena *a = m->comp->arena;
    m->pol = npc_arena_alloc(a, (s->npolicies + 1) * sizeof *m->pol);
    for (size_t i = 0; i < m->nunits; i++) {
        const npc_unit *u = &m->units[i];
        for (size_t k = 0; k < u->nfrom; k++)
            if (vf_peer_is_component(&u->from[k])) {
                int p = vf_carrier(s, u->flow, &u->from[k], NULL);
                if (p >= 0)
                    m->pol[p][NPC_DIR_EGRESS] = 1;
            }
        for (size_t k = 0; k < u->nto; k++)
            if (vf_peer_is_component(&u->to[k])) {
                int p = vf_carrier(s, u->flow, &u->to[k], NULL);
                if (p >= 0)
                    m->pol[p][NPC_DIR_INGRESS] = 1;
            }
    }
    for (size_t p = 0; p < s->npolicies; p++) {
        const npc_spolicy *sp = &s->policies[p];
        for (int d = 0; d < 2; d++)
            if (sp->isolate_always[d] || (sp->isolate[d] && npc_cond_eval(s, sp->isolate[d]))) {
                int q = follow(s, (int)p);
                if (q >= 0)
                    m->pol[q][d] = 1;
            }
    }
    for (size_t i = 0; i < s->npassthrough; i++) {
        const npc_passthrough *pt = &s->passthrough[i];
        if (strcmp(pt->engine, engine) || !npc_cond_eval(s, pt->when))
            continue;
        int q = follow(s, pt->policy);
        for (int d = 0; q >= 0 && d < 2; d++)
            if (nonempty_rules(s, pt->rules[d])) {
                m->pol[q][d] = 1;
                if (!m->has_passthrough)
                    m->pt_loc = pt->loc;
                m->has_passthrough = 1;
            }
    }
    const npc_default_deny *dd = &s->deny;
    if (dd->present && npc_cond_eval(s, dd->when)) {
        m->deny_dirs[0] = dd->dirs[0];
        m->deny_dirs[1] = dd->dirs[1];
        size_t n = dd->nns ? dd->nns : s->ncomponents;
        m->deny_ns = npc_arena_alloc(a, (n + 1) * sizeof *m->deny_ns);
        for (size_t i = 0; i < n; i++)
            m->deny_ns[i] = dd->nns ? dd->namespaces[i] : s->components[i].ns;
        qsort(m->deny_ns, n, sizeof *m->deny_ns, cmp_cstr);
        m->ndeny_ns = n;
    }
    return 1;
}

void vf_model_free(vf_model *m)
{
    npc_compiled_free(m->comp);
    memset(m, 0, sizeof *m);
}
