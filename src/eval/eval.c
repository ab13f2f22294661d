/* Evaluation: connection lists over the chains of decide.c.
 *
 * A connection src -> dst is allowed on the ports that both the egress
 * chain of src (peer dst) and the ingress chain of dst (peer src) allow; an
 * external endpoint is subject to no policy. Candidate pairs are pruned
 * first: a subject that an isolating layer selects can only be reached by
 * the peers of its allow and pass rules. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/ctx.h"

/* Entities for a peer that is node `node` (index + 1, 0: not a node) and
 * an API server address or not, seen from subject class subj. */
static int entity_of(const npc_eval *ev, unsigned entities, uint32_t subj, uint32_t node, int api)
{
    uint32_t own = ev->classes[subj].node;
    if (entities & NPC_ENT_ALL)
        return 1;
    if ((entities & NPC_ENT_WORLD) && !node)
        return 1;
    if ((entities & NPC_ENT_KUBE_APISERVER) && api)
        return 1;
    if (!node)
        return 0;
    /* a node's address: cluster, host (the subject's own node) or
     * remote-node (any other) */
    if (entities & NPC_ENT_CLUSTER)
        return 1;
    if ((entities & NPC_ENT_HOST) && own && node == own)
        return 1;
    return (entities & NPC_ENT_REMOTE_NODE) && node != own;
}

int ev_entity_atom(const npc_eval *ev, unsigned entities, uint32_t subj, uint32_t a)
{
    return entity_of(ev, entities, subj, ev->atom_node[a], ev->atom_api[a]);
}

int ev_peer_matches(const npc_eval *ev, const ev_rule *r, uint32_t subj, ev_ep p)
{
    if (p.is_atom == EV_EP_VIRTUAL)
        return ev->virt_match && ev->virt_match(ev, r, p.id);
    for (uint32_t i = 0; i < r->npeers; i++) {
        const ev_peer *q = &r->peers[i];
        if (q->any)
            return 1;
        if (p.is_atom && q->entities) {
            if (ev_entity_atom(ev, q->entities, subj, p.id))
                return 1;
        } else if (p.is_atom) {
            if (q->ext_only && ev->atom_node[p.id])
                continue;
            uint32_t lo = 0, hi = q->natoms;
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (q->atom_hi[mid] < p.id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < q->natoms && q->atom_lo[lo] <= p.id)
                return 1;
        } else if (q->classes && ev_set_has(q->classes, p.id)) {
            return 1;
        } else if (q->entities && ev->classes[p.id].host_network) {
            /* a host-network pod's traffic is its node's */
            const ev_class *cl = &ev->classes[p.id];
            int api = 0;
            for (uint32_t k = 0; k < cl->natoms && !api; k++)
                api = ev->atom_api[cl->atoms[k]];
            if (entity_of(ev, q->entities, subj, cl->node, api))
                return 1;
        }
    }
    return 0;
}

void ev_rule_ports(const npc_eval *ev, const ev_rule *r, ev_ep dst, npc_portset *out)
{
    npc_portset_copy(out, &r->numeric);
    if (!r->has_named || dst.is_atom)
        return;
    const ev_class *cl = &ev->classes[dst.id];
    for (uint32_t k = 0; k < r->r->nports; k++) {
        const npc_port_match *pm = &r->r->ports[k];
        if (!pm->name)
            continue;
        for (uint32_t i = 0; i < cl->nports; i++)
            if (cl->ports[i].name == pm->name && (pm->proto_mask & (1u << cl->ports[i].proto)))
                npc_portset_add(out, cl->ports[i].proto, cl->ports[i].port, cl->ports[i].port);
    }
}

void ev_eval_dir(const npc_eval *ev, ev_scratch *scratch, uint32_t subj, npc_dir dir, ev_ep p,
                 npc_portset *out)
{
    ev_chain(ev, scratch, subj, dir, p, NULL, out, NULL);
}

/* Rules whose peers may end up allowed: Allow, and Pass (a later layer or
 * the default may allow what it passes). */
static int may_allow(const ev_rule *r)
{
    return r->r->action != NPC_ACT_DENY;
}

/* conns as stored in the list: one pooled copy per distinct set (most
 * pairs share "All Connections" or a few sets), found through `map`; runs
 * of pairs with the set of the previous one skip the lookup. */
typedef struct pool_index {
    ev_keymap map;
    ev_u32vec key;
    size_t last; /* pool index + 1 of the previous set */
} pool_index;

static npc_portset pooled(npc_connlist *out, pool_index *index, const npc_portset *conns)
{
    if (!index->last || !npc_portset_equal(&out->pool.items[index->last - 1], conns)) {
        ev_u32vec *k = &index->key;
        k->len = 0;
        npc_vec_push(k, 0);
        for (int p = 0; p < NPC_PROTO_COUNT; p++) {
            npc_vec_push(k, conns->n[p]);
            for (uint32_t i = 0; i < conns->n[p]; i++)
                npc_vec_push(k, (uint32_t)conns->r[p][i].lo << 16 | conns->r[p][i].hi);
        }
        k->items[0] = (uint32_t)k->len - 1;
        void **slot = ev_km_get(&index->map, k->items, 1);
        if (!*slot) {
            npc_portset p = NPC_PORTSET_INIT;
            npc_portset_copy(&p, conns);
            npc_vec_push(&out->pool, p);
            *slot = (void *)(uintptr_t)out->pool.len;
        }
        index->last = (uintptr_t)*slot;
    }
    npc_portset shared = out->pool.items[index->last - 1];
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        shared.cap[p] = 0; /* borrowed: npc_connlist_free leaves it to the pool */
    return shared;
}

static void emit_class_pairs(const npc_eval *ev, pool_index *index, uint32_t a, uint32_t b,
                             const npc_portset *conns, npc_connlist *out)
{
    npc_portset shared = pooled(out, index, conns);
    for (uint32_t i = ev->cls_wl_start[a]; i < ev->cls_wl_start[a + 1]; i++)
        for (uint32_t j = ev->cls_wl_start[b]; j < ev->cls_wl_start[b + 1]; j++) {
            uint32_t wa = ev->cls_wl[i], wb = ev->cls_wl[j];
            if (wa == wb)
                continue;
            npc_conn cn;
            memset(&cn, 0, sizeof cn);
            cn.src.kind = NPC_EP_WORKLOAD;
            cn.src.workload = wa;
            cn.dst.kind = NPC_EP_WORKLOAD;
            cn.dst.workload = wb;
            cn.conns = shared;
            npc_vec_push(&out->items, cn);
        }
}

static void emit_external(const npc_eval *ev, pool_index *index, uint32_t cls, npc_iprange range,
                          int to_external, const npc_portset *conns, npc_connlist *out)
{
    npc_portset shared = pooled(out, index, conns);
    for (uint32_t i = ev->cls_wl_start[cls]; i < ev->cls_wl_start[cls + 1]; i++) {
        npc_conn cn;
        memset(&cn, 0, sizeof cn);
        npc_endpoint w = {NPC_EP_WORKLOAD, ev->cls_wl[i], {{0, 0}, {0, 0}}};
        npc_endpoint x = {NPC_EP_EXTERNAL, 0, range};
        cn.src = to_external ? w : x;
        cn.dst = to_external ? x : w;
        cn.conns = shared;
        npc_vec_push(&out->items, cn);
    }
}

typedef struct pair_ctx {
    const npc_eval *ev;
    pool_index *index;
    npc_connlist *out;
} pair_ctx;

static void emit_pair(void *arg, uint32_t a, uint32_t b, const npc_portset *conns)
{
    pair_ctx *pc = arg;
    emit_class_pairs(pc->ev, pc->index, a, b, conns, pc->out);
}

/* The virtual peer of external_ranges: an address no rule names, matched
 * only by rules with an `any` peer. */
static int match_any_peer(const npc_eval *ev, const ev_rule *r, uint32_t id)
{
    (void)ev;
    (void)id;
    for (uint32_t i = 0; i < r->npeers; i++)
        if (r->peers[i].any)
            return 1;
    return 0;
}

int ev_profile_has_named(const npc_eval *ev, const ev_profile *pr, npc_dir dir)
{
    for (uint32_t k = 0; k < pr->n; k++) {
        uint32_t pi = pr->policies[k];
        for (uint32_t i = 0; i < ev->c->policies.items[pi].nrules; i++) {
            const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
            if (r->r->dir == dir && r->has_named)
                return 1;
        }
    }
    return 0;
}

typedef struct ext_result {
    uint32_t range;
    npc_portset conns;
} ext_result;

typedef NPC_VEC(ext_result) ext_vec;

static void ext_vec_free(ext_vec *v)
{
    for (size_t i = 0; i < v->len; i++)
        npc_portset_free(&v->items[i].conns);
    npc_vec_free(v);
}

/* A rule's peer interval over the output ranges: enters at `at` (delta
 * 1) or leaves there (delta -1); touch: it counts for the ranges that
 * are evaluated rather than given the unnamed address's answer. */
typedef struct ext_event {
    uint32_t at;
    int32_t delta;
    uint32_t touch;
    uint64_t key; /* ev_rulelist key */
} ext_event;

static int cmp_event(const void *a, const void *b)
{
    const ext_event *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The rules of a range being swept: key, how many of its intervals hold
 * the range, how many of those touch. Sorted by key. */
typedef struct ext_active {
    uint64_t key;
    uint32_t n, touch;
} ext_active;

typedef NPC_VEC(ext_active) ext_activevec;

static void active_apply(ext_activevec *v, const ext_event *e, uint32_t *touched)
{
    size_t lo = 0, hi = v->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v->items[mid].key < e->key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == v->len || v->items[lo].key != e->key) {
        ext_active x = {e->key, 0, 0};
        npc_vec_push(v, x);
        memmove(&v->items[lo + 1], &v->items[lo], (v->len - 1 - lo) * sizeof x);
        v->items[lo] = x;
    }
    ext_active *x = &v->items[lo];
    x->n += (uint32_t)e->delta;
    x->touch += e->delta > 0 ? e->touch : (uint32_t) - (int32_t)e->touch;
    *touched += e->delta > 0 ? e->touch : (uint32_t) - (int32_t)e->touch;
    if (!x->n) {
        memmove(x, x + 1, (v->len - 1 - lo) * sizeof *x);
        v->len--;
    }
}

/* The output ranges of direction dir for class a (profile pr), swept in
 * address order: each range is decided among the rules that may match
 * it (those with an `any` or entity peer, and those whose peer intervals
 * hold the range), so the cost is the ranges times the rules that name
 * them rather than times every rule of the profile. open: the unnamed
 * address's answer d is not empty, so a range no rule names gets d, and
 * every named range is evaluated; otherwise only the ranges that Allow
 * or Pass rules name may be allowed (an added Deny never allows). */
static void ext_sweep(npc_eval *ev, ev_scratch *sc, uint32_t a, npc_dir dir, const ev_profile *pr,
                      int open, const npc_portset *d, ext_vec *res)
{
    const npc_cluster *c = ev->c;
    uint32_t n = ev->nout_ranges[dir];
    const npc_iprange *out = ev->out_ranges[dir];
    NPC_VEC(uint64_t) always = {0}, cand = {0};
    NPC_VEC(ext_event) evs = {0};
    int all = c->identity_labels; /* Cilium: entities, allow-localhost */
    for (uint32_t k = 0; k < pr->n && n; k++) {
        uint32_t pi = pr->policies[k];
        const npc_policy *pol = &c->policies.items[pi];
        for (uint32_t i = 0; i < pol->nrules; i++) {
            const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
            if (r->r->dir != dir)
                continue;
            uint64_t key = (uint64_t)k << 32 | (ev->rule_base[pi] + i);
            uint32_t touch = open || may_allow(r);
            int wide = 0;
            for (uint32_t q = 0; q < r->npeers; q++) {
                wide |= r->peers[q].any || r->peers[q].entities;
                all |= touch && r->peers[q].entities;
            }
            if (wide)
                npc_vec_push(&always, key); /* its intervals still touch */
            for (uint32_t q = 0; q < r->npeers; q++) {
                const ev_peer *pe = &r->peers[q];
                for (uint32_t j = 0; j < pe->natoms; j++) {
                    /* output ranges overlapping atoms lo..hi */
                    npc_ip first = ev->atoms[pe->atom_lo[j]].first;
                    npc_ip last = ev->atoms[pe->atom_hi[j]].last;
                    uint32_t l = 0, h = n;
                    while (l < h) {
                        uint32_t mid = (l + h) / 2;
                        if (npc_ip_cmp(out[mid].last, first) < 0)
                            l = mid + 1;
                        else
                            h = mid;
                    }
                    uint32_t e = l;
                    while (e < n && npc_ip_cmp(out[e].first, last) <= 0)
                        e++;
                    if (e == l)
                        continue;
                    ext_event in = {l, 1, touch, key}, gone = {e, -1, touch, key};
                    npc_vec_push(&evs, in);
                    npc_vec_push(&evs, gone);
                }
            }
        }
    }
    if (evs.len > 1)
        qsort(evs.items, evs.len, sizeof *evs.items, cmp_event);
    ext_activevec active = {0};
    uint32_t touched = 0;
    npc_portset r = NPC_PORTSET_INIT;
    size_t x = 0;
    for (uint32_t pos = 0; pos < n;) {
        while (x < evs.len && evs.items[x].at == pos)
            active_apply(&active, &evs.items[x++], &touched);
        uint32_t next = x < evs.len ? evs.items[x].at : n;
        int eval = all || touched;
        if (!eval && !open) {
            pos = next;
            continue;
        }
        if (eval) {
            /* the candidates: always and active, in evaluation order */
            cand.len = 0;
            for (size_t i = 0; i < always.len; i++)
                npc_vec_push(&cand, always.items[i]);
            for (size_t i = 0; i < active.len; i++)
                npc_vec_push(&cand, active.items[i].key);
            if (always.len && active.len) {
                qsort(cand.items, cand.len, sizeof(uint64_t), cmp_u64);
                size_t m = 0;
                for (size_t i = 0; i < cand.len; i++)
                    if (m == 0 || cand.items[m - 1] != cand.items[i])
                        cand.items[m++] = cand.items[i];
                cand.len = m;
            }
        }
        ev_rulelist only = {cand.items, (uint32_t)cand.len};
        for (; pos < next; pos++) {
            const npc_portset *conns = d;
            if (eval) {
                sc->work++;
                ev_chain(ev, sc, a, dir, (ev_ep){1, ev_atom_of(ev, out[pos].first)}, &only, &r,
                         NULL);
                conns = &r;
            }
            if (npc_portset_is_empty(conns))
                continue;
            ext_result er;
            memset(&er, 0, sizeof er);
            er.range = pos;
            npc_portset_copy(&er.conns, conns);
            npc_vec_push(res, er);
        }
    }
    npc_portset_free(&r);
    npc_vec_free(&active);
    npc_vec_free(&evs);
    npc_vec_free(&always);
    npc_vec_free(&cand);
}

/* Class a with the external ranges of direction dir. The answer depends
 * only on a's profile (an address matches no named port; an ingress named
 * port and Cilium's node-relative entities aside), so it is computed once
 * per profile. */
static void external_ranges(npc_eval *ev, ev_scratch *sc, pool_index *index, ext_vec *cache,
                            uint8_t *cached, uint32_t a, npc_dir dir, npc_connlist *out)
{
    uint32_t pid = ev->class_profile[(size_t)a * 2 + dir];
    const ev_profile *pr = &ev->profiles[pid];
    size_t slot = (size_t)pid * 2 + dir;
    ext_vec local = {0}, *res = &cache[slot];
    /* per class: ingress named ports resolve at the subject, and Cilium's
     * entities and allow-localhost depend on the subject's node */
    int per_class =
        (dir == NPC_DIR_INGRESS && ev_profile_has_named(ev, pr, dir)) || ev->c->identity_labels;
    if (per_class)
        res = &local;
    if (per_class || !cached[slot]) {
        /* a range no rule names is decided as the virtual peer (rules
         * with an `any` peer only) */
        npc_portset d = NPC_PORTSET_INIT;
        int (*saved)(const npc_eval *, const ev_rule *, uint32_t) = ev->virt_match;
        ev->virt_match = match_any_peer;
        ev_eval_dir(ev, sc, a, dir, (ev_ep){EV_EP_VIRTUAL, 0}, &d);
        ev->virt_match = saved;
        ext_sweep(ev, sc, a, dir, pr, !npc_portset_is_empty(&d), &d, res);
        npc_portset_free(&d);
        if (!per_class)
            cached[slot] = 1;
    }
    for (size_t i = 0; i < res->len; i++)
        emit_external(ev, index, a, ev->out_ranges[dir][res->items[i].range], dir == NPC_DIR_EGRESS,
                      &res->items[i].conns, out);
    ext_vec_free(&local);
}

npc_status npc_connlist_compute(npc_cluster *c, npc_connlist *out)
{
    memset(out, 0, sizeof *out);
    npc_status st = npc_eval_build(c);
    if (st != NPC_OK)
        return st;
    npc_eval *ev = c->eval;
    ev_scratch sc;
    memset(&sc, 0, sizeof sc);
    pool_index index = {0}; /* distinct connection sets -> out->pool */
    pair_ctx pc = {ev, &index, out};
    ev_pairs_compute(ev, &sc, emit_pair, &pc);
    /* workload <-> external IPv4 ranges */
    ext_vec *cache = npc_xcalloc((size_t)ev->nprofiles * 2 + 1, sizeof *cache);
    uint8_t *cached = npc_xcalloc((size_t)ev->nprofiles * 2 + 1, 1);
    for (uint32_t a = 0; a < ev->nclasses; a++) {
        external_ranges(ev, &sc, &index, cache, cached, a, NPC_DIR_EGRESS, out);
        external_ranges(ev, &sc, &index, cache, cached, a, NPC_DIR_INGRESS, out);
    }
    for (size_t i = 0; i < (size_t)ev->nprofiles * 2; i++)
        ext_vec_free(&cache[i]);
    free(cache);
    free(cached);
    ev->work += sc.work;
    ev_scratch_free(&sc);
    ev_km_free(&index.map, NULL);
    npc_vec_free(&index.key);
    return NPC_OK;
}

uint64_t npc_eval_work(const npc_cluster *c)
{
    const npc_eval *ev = c->eval;
    return ev ? ev->work : 0;
}

void npc_connlist_free(npc_connlist *l)
{
    for (size_t i = 0; i < l->items.len; i++) {
        npc_portset *cs = &l->items.items[i].conns;
        int owned = 0;
        for (int p = 0; p < NPC_PROTO_COUNT; p++)
            owned |= cs->cap[p] != 0;
        if (owned) /* built by a caller rather than pooled */
            npc_portset_free(cs);
    }
    for (size_t i = 0; i < l->pool.len; i++)
        npc_portset_free(&l->pool.items[i]);
    npc_vec_free(&l->pool);
    npc_vec_free(&l->items);
}
