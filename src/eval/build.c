/* Building the evaluator: classes, atoms, resolved rules, profiles (see the
 * passes in eval_int.h). Cost: linear in workloads, labels and rules, plus
 * the sizes of the selections (each distinct selector resolved once). */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/buf.h"
#include "util/ctx.h"

typedef NPC_VEC(uint32_t) u32vec;

/* ------------------------------------------------------------- atoms */

static int cmp_ip(const void *a, const void *b)
{
    return npc_ip_cmp(*(const npc_ip *)a, *(const npc_ip *)b);
}

/* Sorted, unique boundaries -> the ranges they start, up to `top`. */
static npc_iprange *ranges_of(npc_ip *b, size_t n, npc_ip top, uint32_t *nout)
{
    qsort(b, n, sizeof(npc_ip), cmp_ip);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || npc_ip_cmp(b[m - 1], b[i]) != 0)
            b[m++] = b[i];
    npc_iprange *r = npc_xmalloc((m + 1) * sizeof(npc_iprange));
    for (size_t i = 0; i < m; i++) {
        r[i].first = b[i];
        r[i].last = i + 1 < m ? npc_ip_prev(b[i + 1]) : top;
    }
    *nout = (uint32_t)m;
    return r;
}

static void build_atoms(npc_eval *ev)
{
    npc_cluster *c = ev->c;
    NPC_VEC(npc_ip) b = {0};
    NPC_VEC(npc_ip) d[2] = {{0}, {0}};
    npc_ip zero = {0, 0}, top = {UINT64_MAX, UINT64_MAX};
    npc_iprange v4 = npc_iprange_all_v4();
    npc_vec_push(&b, zero);
    npc_vec_push(&b, v4.first);
    npc_vec_push(&b, npc_ip_next(v4.last));
    for (int k = 0; k < 2; k++)
        npc_vec_push(&d[k], v4.first);
    for (size_t p = 0; p < c->policies.len; p++) {
        const npc_policy *pol = &c->policies.items[p];
        for (uint32_t r = 0; r < pol->nrules; r++)
            for (uint32_t q = 0; q < pol->rules[r].npeers; q++) {
                const npc_peer *peer = &pol->rules[r].peers[q];
                int dir = pol->rules[r].dir == NPC_DIR_EGRESS;
                if (peer->kind != NPC_PEER_IPS)
                    continue;
                for (uint32_t i = 0; i < peer->nranges; i++) {
                    npc_iprange x = peer->ranges[i];
                    npc_vec_push(&b, x.first);
                    if (npc_ip_cmp(x.last, top) != 0)
                        npc_vec_push(&b, npc_ip_next(x.last));
                    if (!npc_ip_is_v4(x.first) || !npc_ip_is_v4(x.last))
                        continue;
                    npc_vec_push(&d[dir], x.first);
                    if (npc_ip_cmp(x.last, v4.last) != 0)
                        npc_vec_push(&d[dir], npc_ip_next(x.last));
                }
            }
    }
    /* each address of a node, of the API server and of a DNS answer is an
     * atom of its own (Cilium entities and FQDN peers select them) */
    NPC_VEC(npc_ip) single = {0};
    for (size_t i = 0; i < c->nodes.len; i++)
        for (uint32_t j = 0; j < c->nodes.items[i].nips; j++)
            npc_vec_push(&single, c->nodes.items[i].ips[j]);
    for (size_t i = 0; i < c->apiserver_ips.len; i++)
        npc_vec_push(&single, c->apiserver_ips.items[i]);
    for (size_t i = 0; i < c->dns.len; i++)
        npc_vec_push(&single, c->dns.items[i].ip);
    for (size_t i = 0; i < single.len; i++) {
        npc_ip ip = single.items[i];
        npc_vec_push(&b, ip);
        if (npc_ip_cmp(ip, top) != 0)
            npc_vec_push(&b, npc_ip_next(ip));
        /* with Cilium, entities and CIDR rules tell these addresses from
         * their neighbours: the connection list shows them on their own */
        if (!c->identity_labels || !npc_ip_is_v4(ip))
            continue;
        for (int k = 0; k < 2; k++) {
            npc_vec_push(&d[k], ip);
            if (npc_ip_cmp(ip, v4.last) != 0)
                npc_vec_push(&d[k], npc_ip_next(ip));
        }
    }
    npc_vec_free(&single);
    ev->atoms = ranges_of(b.items, b.len, top, &ev->natoms);
    ev->atom_node = npc_xcalloc((size_t)ev->natoms + 1, sizeof(uint32_t));
    ev->atom_api = npc_xcalloc((size_t)ev->natoms + 1, 1);
    for (size_t i = 0; i < c->nodes.len; i++)
        for (uint32_t j = 0; j < c->nodes.items[i].nips; j++)
            ev->atom_node[ev_atom_of(ev, c->nodes.items[i].ips[j])] = (uint32_t)i + 1;
    for (size_t i = 0; i < c->apiserver_ips.len; i++)
        ev->atom_api[ev_atom_of(ev, c->apiserver_ips.items[i])] = 1;
    for (int k = 0; k < 2; k++) {
        ev->out_ranges[k] = ranges_of(d[k].items, d[k].len, v4.last, &ev->nout_ranges[k]);
        npc_vec_free(&d[k]);
    }
    npc_vec_free(&b);
}

uint32_t ev_atom_of(const npc_eval *ev, npc_ip ip)
{
    uint32_t lo = 0, hi = ev->natoms; /* last atom whose first <= ip */
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (npc_ip_cmp(ev->atoms[mid].first, ip) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ------------------------------------------------------------ classes */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_label(const void *a, const void *b)
{
    const npc_label *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_cport(const void *a, const void *b)
{
    const npc_container_port *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    return x->port < y->port ? -1 : x->port > y->port;
}

/* The labels a policy matches a workload by: its pod labels, plus with
 * Cilium (c->identity_labels) the identity Cilium derives for the pod:
 * io.kubernetes.pod.namespace, io.cilium.k8s.namespace.labels.<key> for
 * each namespace label, io.cilium.k8s.policy.serviceaccount and
 * io.cilium.k8s.policy.cluster, and with Calico (c->calico) the labels
 * Calico gives a workload endpoint, which win over the pod's own:
 * projectcalico.org/namespace, projectcalico.org/orchestrator and
 * projectcalico.org/serviceaccount (see docs/analysis.md). */
static const npc_labels *identity_of(npc_eval *ev, const npc_workload *wl)
{
    npc_cluster *c = ev->c;
    if (!c->identity_labels && !c->calico)
        return &wl->labels;
    npc_interner *in = c->ctx->strings;
    const npc_namespace *ns = &c->namespaces.items[wl->ns];
    npc_sym sa = wl->service_account ? wl->service_account : npc_intern_cstr(in, "default");
    uint32_t n = wl->labels.len + ns->labels.len + 6;
    npc_labels *ls = npc_arena_alloc(ev->arena, sizeof *ls);
    ls->items = npc_arena_alloc(ev->arena, n * sizeof(npc_label));
    ls->len = 0;
    uint32_t ncalico = 0; /* Calico's own labels come first and win over the pod's */
    if (c->calico) {
        ls->items[ls->len++] =
            (npc_label){npc_intern_cstr(in, "projectcalico.org/namespace"), ns->name};
        ls->items[ls->len++] = (npc_label){npc_intern_cstr(in, "projectcalico.org/orchestrator"),
                                           npc_intern_cstr(in, "k8s")};
        if (strlen(npc_sym_str(in, sa)) < 63) /* as Calico, for compatibility */
            ls->items[ls->len++] =
                (npc_label){npc_intern_cstr(in, "projectcalico.org/serviceaccount"), sa};
        ncalico = ls->len;
    }
    npc_buf key = NPC_BUF_INIT;
    if (c->identity_labels) {
        ls->items[ls->len++] =
            (npc_label){npc_intern_cstr(in, "io.kubernetes.pod.namespace"), ns->name};
        ls->items[ls->len++] =
            (npc_label){npc_intern_cstr(in, "io.cilium.k8s.policy.serviceaccount"), sa};
        ls->items[ls->len++] =
            (npc_label){npc_intern_cstr(in, "io.cilium.k8s.policy.cluster"),
                        c->cluster_name ? c->cluster_name : npc_intern_cstr(in, "default")};
        for (uint32_t i = 0; i < ns->labels.len; i++) {
            key.len = 0;
            npc_buf_printf(&key, "io.cilium.k8s.namespace.labels.%s",
                           npc_sym_str(in, ns->labels.items[i].key));
            ls->items[ls->len++] =
                (npc_label){npc_intern(in, key.data, key.len), ns->labels.items[i].value};
        }
    }
    npc_buf_free(&key);
    /* pod labels last: they win over a pseudo-label of the same key */
    for (uint32_t i = 0; i < wl->labels.len; i++) {
        uint32_t j = 0;
        while (j < ls->len && ls->items[j].key != wl->labels.items[i].key)
            j++;
        if (j < ncalico)
            continue;
        if (j < ls->len)
            ls->items[j] = wl->labels.items[i];
        else
            ls->items[ls->len++] = wl->labels.items[i];
    }
    qsort(ls->items, ls->len, sizeof(npc_label), cmp_label);
    return ls;
}

static uint32_t node_of(const npc_cluster *c, npc_sym name)
{
    for (size_t i = 0; name && i < c->nodes.len; i++)
        if (c->nodes.items[i].name == name)
            return (uint32_t)i + 1;
    return 0;
}

static void build_classes(npc_eval *ev)
{
    npc_cluster *c = ev->c;
    size_t nw = c->workloads.len;
    ev->wl_class = npc_xmalloc((nw + 1) * sizeof(uint32_t));
    ev->classes = npc_xmalloc((nw + 1) * sizeof(ev_class));
    ev_keymap map = {0};
    u32vec key = {0}, atoms = {0};
    NPC_VEC(npc_container_port) ports = {0};
    for (size_t w = 0; w < nw; w++) {
        const npc_workload *wl = &c->workloads.items[w];
        atoms.len = 0;
        for (uint32_t i = 0; i < wl->nips; i++)
            npc_vec_push(&atoms, ev_atom_of(ev, wl->ips[i]));
        if (atoms.len > 1)
            qsort(atoms.items, atoms.len, sizeof(uint32_t), cmp_u32);
        size_t na = 0;
        for (size_t i = 0; i < atoms.len; i++)
            if (na == 0 || atoms.items[na - 1] != atoms.items[i])
                atoms.items[na++] = atoms.items[i];
        atoms.len = na;
        /* only named ports tell classes apart */
        ports.len = 0;
        for (uint32_t i = 0; i < wl->nports; i++)
            if (wl->ports[i].name)
                npc_vec_push(&ports, wl->ports[i]);
        if (ports.len > 1)
            qsort(ports.items, ports.len, sizeof(npc_container_port), cmp_cport);

        const npc_labels *labels = identity_of(ev, wl);
        uint32_t node = node_of(c, wl->node);
        key.len = 0;
        npc_vec_push(&key, 0);
        npc_vec_push(&key, wl->ns);
        npc_vec_push(&key, labels->len);
        for (uint32_t i = 0; i < labels->len; i++) {
            npc_vec_push(&key, labels->items[i].key);
            npc_vec_push(&key, labels->items[i].value);
        }
        npc_vec_push(&key, node);
        npc_vec_push(&key, (uint32_t)ports.len);
        for (size_t i = 0; i < ports.len; i++) {
            npc_vec_push(&key, ports.items[i].name);
            npc_vec_push(&key, (uint32_t)ports.items[i].proto << 16 | ports.items[i].port);
        }
        npc_vec_push(&key, (uint32_t)atoms.len);
        for (size_t i = 0; i < atoms.len; i++)
            npc_vec_push(&key, atoms.items[i]);
        npc_vec_push(&key, wl->host_network);
        key.items[0] = (uint32_t)key.len - 1;
        void **slot = ev_km_get(&map, key.items, 1);
        if (*slot) {
            ev->wl_class[w] = (uint32_t)((uintptr_t)*slot - 1);
            continue;
        }
        uint32_t id = ev->nclasses++;
        *slot = (void *)(uintptr_t)(id + 1);
        ev->wl_class[w] = id;
        ev_class *cl = &ev->classes[id];
        cl->ns = wl->ns;
        cl->labels = labels;
        cl->node = node;
        cl->first_wl = (uint32_t)w;
        cl->host_network = wl->host_network;
        cl->nports = (uint32_t)ports.len;
        cl->ports = NULL;
        if (ports.len) {
            npc_container_port *p = npc_arena_alloc(ev->arena, ports.len * sizeof *p);
            memcpy(p, ports.items, ports.len * sizeof *p);
            cl->ports = p;
        }
        cl->natoms = (uint32_t)atoms.len;
        cl->atoms = NULL;
        if (atoms.len) {
            cl->atoms = npc_arena_alloc(ev->arena, atoms.len * sizeof(uint32_t));
            memcpy(cl->atoms, atoms.items, atoms.len * sizeof(uint32_t));
        }
    }
    ev_km_free(&map, NULL);
    npc_vec_free(&key);
    npc_vec_free(&atoms);
    npc_vec_free(&ports);
    /* class -> workloads, in workload order */
    ev->cls_wl_start = npc_xcalloc((size_t)ev->nclasses + 2, sizeof(uint32_t));
    ev->cls_wl = npc_xmalloc((nw + 1) * sizeof(uint32_t));
    for (size_t w = 0; w < nw; w++)
        ev->cls_wl_start[ev->wl_class[w] + 2]++;
    for (uint32_t i = 0; i < ev->nclasses; i++)
        ev->cls_wl_start[i + 2] += ev->cls_wl_start[i + 1];
    for (size_t w = 0; w < nw; w++)
        ev->cls_wl[ev->cls_wl_start[ev->wl_class[w] + 1]++] = (uint32_t)w;
}

/* -------------------------------------------------------------- rules */

/* s without its host-network classes, for policies that leave them out. */
static const ev_set *skip_host_network(npc_eval *ev, const npc_policy *pol, const ev_set *s)
{
    uint32_t m = 0;
    if (!pol->skip_host_network)
        return s;
    for (uint32_t i = 0; i < s->n; i++)
        m += !ev->classes[s->ids[i]].host_network;
    if (m == s->n)
        return s;
    uint32_t *ids = npc_xmalloc(((size_t)m + 1) * sizeof(uint32_t));
    m = 0;
    for (uint32_t i = 0; i < s->n; i++)
        if (!ev->classes[s->ids[i]].host_network)
            ids[m++] = s->ids[i];
    return ev_set_new(ev, ids, m, ev->nclasses);
}

static void resolve_peer(npc_eval *ev, ev_index *ix, const npc_policy *pol, const npc_peer *p,
                         ev_peer *out)
{
    memset(out, 0, sizeof *out);
    switch (p->kind) {
    case NPC_PEER_ANY:
        out->any = 1;
        break;
    case NPC_PEER_PODS:
        out->classes = skip_host_network(
            ev, pol, ev_select_pods(ix, p->ns_mode, pol->ns, &p->ns_sel, &p->pod_sel));
        break;
    case NPC_PEER_IPS: {
        out->atom_lo = npc_arena_alloc(ev->arena, (p->nranges + 1) * sizeof(uint32_t));
        out->atom_hi = npc_arena_alloc(ev->arena, (p->nranges + 1) * sizeof(uint32_t));
        for (uint32_t i = 0; i < p->nranges; i++) {
            out->atom_lo[i] = ev_atom_of(ev, p->ranges[i].first);
            out->atom_hi[i] = ev_atom_of(ev, p->ranges[i].last);
        }
        out->natoms = p->nranges;
        /* Kubernetes semantics: an ipBlock also matches pods by their IPs;
         * a Cilium CIDR selects only addresses outside the cluster */
        if (p->external_only)
            out->ext_only = 1;
        else
            out->classes = ev_select_atoms(ix, out->atom_lo, out->atom_hi, out->natoms);
        break;
    }
    case NPC_PEER_ENTITY:
        out->entities = p->entities;
        /* cluster and all hold every pod (Cilium-managed endpoint) */
        if (p->entities & (NPC_ENT_CLUSTER | NPC_ENT_ALL)) {
            npc_selector none = {0};
            out->classes =
                skip_host_network(ev, pol, ev_select_pods(ix, NPC_NS_SELECTOR, 0, &none, &none));
        }
        break;
    case NPC_PEER_FQDN: {
        /* the addresses of the DNS answers whose names match */
        const npc_interner *in = ev->c->ctx->strings;
        const char *want = npc_sym_str(in, p->fqdn);
        uint32_t n = 0;
        out->atom_lo = npc_arena_alloc(ev->arena, (ev->c->dns.len + 1) * sizeof(uint32_t));
        for (size_t i = 0; i < ev->c->dns.len; i++) {
            const npc_dns_answer *a = &ev->c->dns.items[i];
            const char *name = npc_sym_str(in, a->name);
            if (p->fqdn_pattern ? npc_fqdn_pattern_matches(want, name) : a->name == p->fqdn)
                out->atom_lo[n++] = ev_atom_of(ev, a->ip);
        }
        qsort(out->atom_lo, n, sizeof(uint32_t), cmp_u32);
        uint32_t m = 0;
        for (uint32_t i = 0; i < n; i++)
            if (!m || out->atom_lo[m - 1] != out->atom_lo[i])
                out->atom_lo[m++] = out->atom_lo[i];
        out->atom_hi = out->atom_lo;
        out->natoms = m;
        break;
    }
    case NPC_PEER_NODES:
        break;
    }
}

static void build_rules(npc_eval *ev, ev_index *ix)
{
    npc_cluster *c = ev->c;
    size_t np = c->policies.len;
    ev->rule_base = npc_xmalloc((np + 1) * sizeof(uint32_t));
    uint32_t n = 0;
    for (size_t p = 0; p < np; p++) {
        ev->rule_base[p] = n;
        n += c->policies.items[p].nrules;
    }
    ev->rule_base[np] = n;
    ev->nrules = n;
    ev->rules = npc_xcalloc(n + 1, sizeof(ev_rule));
    for (size_t p = 0; p < np; p++) {
        const npc_policy *pol = &c->policies.items[p];
        for (uint32_t i = 0; i < pol->nrules; i++) {
            const npc_rule *r = &pol->rules[i];
            ev_rule *er = &ev->rules[ev->rule_base[p] + i];
            er->r = r;
            er->policy = (uint32_t)p;
            er->npeers = r->npeers;
            er->peers = npc_arena_alloc(ev->arena, (r->npeers + 1) * sizeof(ev_peer));
            for (uint32_t q = 0; q < r->npeers; q++)
                resolve_peer(ev, ix, pol, &r->peers[q], &er->peers[q]);
            if (r->nports == 0)
                npc_portset_set_all(&er->numeric);
            for (uint32_t k = 0; k < r->nports; k++) {
                const npc_port_match *pm = &r->ports[k];
                if (pm->name) {
                    er->has_named = 1;
                    continue;
                }
                for (int pr = 0; pr < NPC_PROTO_COUNT; pr++)
                    if (pm->proto_mask & (1u << pr))
                        npc_portset_add(&er->numeric, (npc_proto)pr, pm->lo, pm->hi);
            }
        }
    }
}

/* ----------------------------------------------------------- profiles */

/* Evaluation order: the layer's rank, then the policy's order, name
 * (Calico's tie-break) and load order. */
typedef struct porder_key {
    uint32_t rank;
    double order;
    const char *name;
    const char *ns; /* Calico: ties compare "name/namespace" (NULL elsewhere) */
    uint32_t index;
} porder_key;

/* Calico's tie order of policies of one order: the text
 * "<name>/<namespace>" (felix/calc/policy_sorter.go, PolKVLess), so "a-b"
 * comes before "a" ('-' sorts before '/'). */
static int cmp_calico_name(const porder_key *x, const porder_key *y)
{
    const char *parts[2][3] = {{x->name, "/", x->ns}, {y->name, "/", y->ns}};
    int pi[2] = {0, 0};
    const char *c[2] = {parts[0][0], parts[1][0]};
    for (;;) {
        for (int k = 0; k < 2; k++)
            while (!*c[k] && pi[k] < 2)
                c[k] = parts[k][++pi[k]];
        unsigned char a = (unsigned char)*c[0], b = (unsigned char)*c[1];
        if (a != b)
            return a < b ? -1 : 1;
        if (!a)
            return 0;
        c[0]++;
        c[1]++;
    }
}

static int cmp_porder(const void *a, const void *b)
{
    const porder_key *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    int c = x->ns && y->ns ? cmp_calico_name(x, y) : strcmp(x->name, y->name);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct layer_key {
    double order;
    const char *name;
    uint32_t index;
} layer_key;

static int cmp_layer(const void *a, const void *b)
{
    const layer_key *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* ev->layer_order, and rank[layer] = position in it. */
static uint32_t *order_layers(npc_eval *ev)
{
    const npc_cluster *c = ev->c;
    uint32_t n = (uint32_t)c->layers.len;
    layer_key *k = npc_xmalloc(((size_t)n + 1) * sizeof *k);
    for (uint32_t i = 0; i < n; i++) {
        k[i].order = c->layers.items[i].order;
        k[i].name = npc_sym_str(c->ctx->strings, c->layers.items[i].name);
        k[i].index = i;
    }
    qsort(k, n, sizeof *k, cmp_layer);
    ev->layer_order = npc_xmalloc(((size_t)n + 1) * sizeof(uint32_t));
    uint32_t *rank = npc_xmalloc(((size_t)n + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        ev->layer_order[i] = k[i].index;
        rank[k[i].index] = i;
    }
    ev->nlayers = n;
    free(k);
    return rank;
}

static int policy_has_dir(const npc_policy *pol, npc_dir d)
{
    if (pol->affects[d])
        return 1;
    for (uint32_t i = 0; i < pol->nrules; i++)
        if (pol->rules[i].dir == d)
            return 1;
    return 0;
}

static void build_profiles(npc_eval *ev, ev_index *ix)
{
    npc_cluster *c = ev->c;
    size_t np = c->policies.len;
    uint32_t *rank = order_layers(ev);
    ev->porder = npc_xmalloc((np + 1) * sizeof(uint32_t));
    porder_key *keys = npc_xmalloc((np + 1) * sizeof *keys);
    for (size_t p = 0; p < np; p++) {
        const npc_policy *pol = &c->policies.items[p];
        keys[p].rank = rank[pol->layer];
        keys[p].order = pol->order;
        keys[p].name = npc_sym_str(c->ctx->strings, pol->name);
        keys[p].ns = pol->kind == NPC_KIND_CALICO_NP || pol->kind == NPC_KIND_CALICO_GNP
                         ? (pol->ns ? npc_sym_str(c->ctx->strings, pol->ns) : "")
                         : NULL;
        keys[p].index = (uint32_t)p;
    }
    qsort(keys, np, sizeof *keys, cmp_porder);
    for (size_t p = 0; p < np; p++)
        ev->porder[p] = keys[p].index;
    free(keys);
    free(rank);

    uint32_t nc = ev->nclasses;
    u32vec *lists = npc_xcalloc((size_t)nc * 2 + 1, sizeof(u32vec));
    for (size_t k = 0; k < np; k++) {
        uint32_t p = ev->porder[k];
        const npc_policy *pol = &c->policies.items[p];
        const ev_set *subj = skip_host_network(
            ev, pol,
            ev_select_pods(ix, pol->subj_ns_mode, pol->ns, &pol->subj_ns_sel, &pol->subj_pod_sel));
        for (int d = 0; d < 2; d++) {
            if (!policy_has_dir(pol, (npc_dir)d))
                continue;
            for (uint32_t i = 0; i < subj->n; i++)
                npc_vec_push(&lists[(size_t)subj->ids[i] * 2 + (size_t)d], p);
        }
    }
    ev->class_profile = npc_xmalloc(((size_t)nc * 2 + 1) * sizeof(uint32_t));
    ev_keymap map = {0};
    u32vec key = {0};
    NPC_VEC(ev_profile) profs = {0};
    for (size_t i = 0; i < (size_t)nc * 2; i++) {
        u32vec *l = &lists[i];
        key.len = 0;
        npc_vec_push(&key, (uint32_t)l->len);
        for (size_t j = 0; j < l->len; j++)
            npc_vec_push(&key, l->items[j]);
        void **slot = ev_km_get(&map, key.items, 1);
        if (!*slot) {
            ev_profile pr;
            memset(&pr, 0, sizeof pr);
            pr.n = (uint32_t)l->len;
            pr.policies = npc_arena_alloc(ev->arena, (l->len + 1) * sizeof(uint32_t));
            if (l->len)
                memcpy(pr.policies, l->items, l->len * sizeof(uint32_t));
            /* one segment per layer: the list is in evaluation order */
            pr.segs = npc_arena_alloc(ev->arena, (l->len + 1) * sizeof(ev_seg));
            for (uint32_t j = 0; j < pr.n; j++) {
                uint32_t layer = c->policies.items[pr.policies[j]].layer;
                if (pr.nsegs && pr.segs[pr.nsegs - 1].layer == layer) {
                    pr.segs[pr.nsegs - 1].to = j + 1;
                    continue;
                }
                memset(&pr.segs[pr.nsegs], 0, sizeof pr.segs[pr.nsegs]);
                pr.segs[pr.nsegs].layer = layer;
                pr.segs[pr.nsegs].from = j;
                pr.segs[pr.nsegs].to = j + 1;
                pr.nsegs++;
            }
            for (uint32_t s = 0; s < pr.nsegs; s++)
                for (uint32_t j = pr.segs[s].from; j < pr.segs[s].to; j++)
                    for (int d = 0; d < 2; d++)
                        pr.segs[s].selects[d] |= c->policies.items[pr.policies[j]].affects[d];
            npc_vec_push(&profs, pr);
            *slot = (void *)(uintptr_t)profs.len;
        }
        ev->class_profile[i] = (uint32_t)((uintptr_t)*slot - 1);
        npc_vec_free(l);
    }
    free(lists);
    ev_km_free(&map, NULL);
    npc_vec_free(&key);
    ev->profiles = profs.items;
    ev->nprofiles = (uint32_t)profs.len;
}

/* ------------------------------------------------------------ lifetime */

static void eval_free(void *p)
{
    npc_eval *ev = p;
    if (!ev)
        return;
    for (size_t i = 0; i < ev->sets.len; i++) {
        free(ev->sets.items[i]->ids);
        free(ev->sets.items[i]->bits);
        free(ev->sets.items[i]);
    }
    npc_vec_free(&ev->sets);
    for (uint32_t i = 0; i < ev->nrules; i++)
        npc_portset_free(&ev->rules[i].numeric);
    free(ev->rules);
    free(ev->rule_base);
    free(ev->porder);
    free(ev->layer_order);
    free(ev->profiles);
    free(ev->class_profile);
    free(ev->classes);
    free(ev->wl_class);
    free(ev->cls_wl_start);
    free(ev->cls_wl);
    free(ev->mark);
    free(ev->atoms);
    free(ev->atom_node);
    free(ev->atom_api);
    free(ev->out_ranges[0]);
    free(ev->out_ranges[1]);
    npc_arena_free(ev->arena);
    free(ev);
}

npc_status npc_eval_build(npc_cluster *c)
{
    if (c->eval)
        return NPC_OK;
    npc_eval *ev = npc_xcalloc(1, sizeof *ev);
    ev->c = c;
    ev->arena = npc_arena_new();
    build_atoms(ev);                 /* pass 2 first: classes need atoms */
    build_classes(ev);               /* pass 1 */
    ev_index *ix = ev_index_new(ev); /* pass 3: label posting lists */
    build_rules(ev, ix);             /* selections of every peer */
    build_profiles(ev, ix);          /* pass 4 */
    ev_index_free(ix);
    ev->mark = npc_xcalloc(ev->nclasses + 1, 1);
    c->eval = ev;
    c->eval_free = eval_free;
    return NPC_OK;
}
