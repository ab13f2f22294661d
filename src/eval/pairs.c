/* Workload pairs of a connection list, output-sensitively.
 *
 * For a source class a, let F_a(b) be the ports its egress chain allows
 * towards class b, and G_b(a) those the ingress chain of b allows from a;
 * the pair is listed when F_a(b) & G_b(a) is not empty. Enumerating every
 * pair, or every source an ingress rule names, costs classes² on clusters
 * whose rules name wide selectors. Instead, each side is bounded by a union
 * of rectangles (subjects x peers x ports), and only the pairs inside an
 * egress rectangle and an ingress rectangle with a port in common are
 * evaluated exactly (ev_eval_dir).
 *
 * The bound. A chain decides every port on its own, and a peer enters it
 * only through the rules it matches. Let v be a virtual peer that matches
 * exactly the rules with a peer that takes every class (an `any` peer, or a
 * selection of all classes) and no named port, and D_a the ports the chain
 * of a allows towards v. A real class b matches those rules too (with the
 * same numeric ports), and maybe more: rules whose peer selects b, and
 * named ports resolved at b. A port none of those extra rules names for b
 * with an Allow or Pass action meets, beyond v's rules, only Deny rules,
 * and an added Deny never turns a denied port into an allowed one. So
 *   F_a(b) <= D_a | ports of the Allow/Pass rules of a whose peer selects b
 *                   (named ports counted as every port of their protocols),
 * and the same holds for ingress. The rectangles are: per distinct D, the
 * classes having it x every class x D; per distinct (peer selection, port
 * bound) of the Allow/Pass rules, the subjects of those rules x the peer's
 * classes x the bound. Subjects are grouped, so a rule repeated in every
 * namespace (DNS to every namespace) is one rectangle.
 *
 * With Cilium, an entity peer may match a host-network pod (its node's
 * traffic) and a pod's own node reaches it whatever the rules say
 * (allow-localhost): both are bounded by rectangles over every
 * host-network class.
 *
 * The join, per destination b: the egress rectangles whose peers hold b
 * (an inverted index, plus those over every class) against the ingress
 * rectangles whose subjects hold b; per pair with a common port, the
 * sources in both (the smaller side enumerated, membership tested in the
 * other). */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/ctx.h"

typedef struct pr_rect {
    const ev_set *peer; /* NULL: every class */
    ev_set subj;        /* owned */
    npc_portset ports;  /* owned */
} pr_rect;

typedef NPC_VEC(pr_rect) pr_rectvec;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Takes ids (malloc'd, any order, duplicates allowed): sorted, unique, and
 * a bitset beside them when dense (as ev_set_new, but owned here). */
static void set_init(ev_set *s, uint32_t *ids, uint32_t n, uint32_t universe)
{
    uint32_t sorted = 1;
    for (uint32_t i = 1; i < n && sorted; i++)
        sorted = ids[i - 1] <= ids[i];
    if (!sorted)
        qsort(ids, n, sizeof(uint32_t), cmp_u32);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (m == 0 || ids[m - 1] != ids[i])
            ids[m++] = ids[i];
    s->ids = ids;
    s->n = m;
    ev_set_index(s, universe);
}

static int portset_meets(const npc_portset *a, const npc_portset *b)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        uint32_t i = 0, j = 0;
        while (i < a->n[p] && j < b->n[p]) {
            if (a->r[p][i].hi < b->r[p][j].lo)
                i++;
            else if (b->r[p][j].hi < a->r[p][i].lo)
                j++;
            else
                return 1;
        }
    }
    return 0;
}

/* Key words of a port set (for grouping), appended to k. */
static void key_ports(ev_u32vec *k, const npc_portset *s)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        npc_vec_push(k, s->n[p]);
        for (uint32_t i = 0; i < s->n[p]; i++)
            npc_vec_push(k, (uint32_t)s->r[p][i].lo << 16 | s->r[p][i].hi);
    }
}

static int peer_universal(const npc_eval *ev, const ev_peer *q)
{
    return q->any || (q->classes && q->classes->n == ev->nclasses);
}

/* The virtual peer v of the bound: it matches the rules with a universal
 * peer and no named port. */
static int match_universal(const npc_eval *ev, const ev_rule *r, uint32_t id)
{
    (void)id;
    if (r->has_named)
        return 0;
    for (uint32_t i = 0; i < r->npeers; i++)
        if (peer_universal(ev, &r->peers[i]))
            return 1;
    return 0;
}

/* Builder of rectangles grouped by (peer, ports). */
typedef struct pr_builder {
    ev_keymap map;           /* key -> rect index + 1 */
    pr_rectvec rects;        /* subj.ids unused while building */
    NPC_VEC(ev_u32vec) subj; /* per rect, subject ids while building */
} pr_builder;

static uint32_t builder_rect(pr_builder *b, ev_u32vec *key, const ev_set *peer,
                             const npc_portset *ports)
{
    key->items[0] = (uint32_t)key->len - 1;
    void **slot = ev_km_get(&b->map, key->items, 1);
    if (!*slot) {
        pr_rect r;
        memset(&r, 0, sizeof r);
        r.peer = peer;
        npc_portset_copy(&r.ports, ports);
        npc_vec_push(&b->rects, r);
        ev_u32vec none = {0};
        npc_vec_push(&b->subj, none);
        *slot = (void *)(uintptr_t)b->rects.len;
    }
    return (uint32_t)((uintptr_t)*slot - 1);
}

/* The rectangle of (peer, ports), peer NULL for every class. */
static uint32_t rect_of(pr_builder *b, ev_u32vec *key, const ev_set *peer, const npc_portset *ports)
{
    uintptr_t pv = (uintptr_t)peer;
    key->len = 0;
    npc_vec_push(key, 0);
    npc_vec_push(key, 1);
    npc_vec_push(key, (uint32_t)(pv & 0xffffffffu));
    npc_vec_push(key, (uint32_t)((uint64_t)pv >> 32));
    key_ports(key, ports);
    return builder_rect(b, key, peer, ports);
}

static void builder_finish(pr_builder *b, uint32_t universe)
{
    for (size_t i = 0; i < b->rects.len; i++) {
        ev_u32vec *v = &b->subj.items[i];
        uint32_t *ids = npc_xmalloc((v->len + 1) * sizeof(uint32_t));
        if (v->len)
            memcpy(ids, v->items, v->len * sizeof(uint32_t));
        set_init(&b->rects.items[i].subj, ids, (uint32_t)v->len, universe);
        npc_vec_free(v);
    }
    npc_vec_free(&b->subj);
    ev_km_free(&b->map, NULL);
}

static void rects_free(pr_rectvec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        free(v->items[i].subj.ids);
        free(v->items[i].subj.bits);
        npc_portset_free(&v->items[i].ports);
    }
    npc_vec_free(v);
}

/* The port bound of a rule: its numeric ports, and every port of the
 * protocols of its named ports. */
static void rule_bound(const ev_rule *r, npc_portset *out)
{
    npc_portset_copy(out, &r->numeric);
    if (!r->has_named)
        return;
    for (uint32_t k = 0; k < r->r->nports; k++) {
        const npc_port_match *pm = &r->r->ports[k];
        if (!pm->name)
            continue;
        for (int p = 0; p < NPC_PROTO_COUNT; p++)
            if (pm->proto_mask & (1u << p))
                npc_portset_add(out, (npc_proto)p, 1, 65535);
    }
}

/* The rectangles of direction dir (see the top of the file). Subjects are
 * the classes whose profile for dir holds the rule's policy. */
static void build_rects(npc_eval *ev, ev_scratch *sc, npc_dir dir, const ev_set *hostnet,
                        pr_rectvec *out)
{
    const npc_cluster *c = ev->c;
    uint32_t nc = ev->nclasses;
    size_t np = c->policies.len;
    pr_builder b;
    memset(&b, 0, sizeof b);
    ev_u32vec key = {0};
    npc_portset d = NPC_PORTSET_INIT;

    /* defaults: the ports towards (from) the virtual peer, once per profile
     * (per class when the profile's ingress rules name ports, resolved at
     * the subject); rect[profile] + 1, 0 for none yet */
    uint32_t *prof_rect = npc_xcalloc((size_t)ev->nprofiles + 1, sizeof(uint32_t));
    uint8_t *prof_done = npc_xcalloc((size_t)ev->nprofiles + 1, 1);
    for (uint32_t a = 0; a < nc; a++) {
        uint32_t pid = ev->class_profile[(size_t)a * 2 + dir];
        int shared = dir == NPC_DIR_EGRESS || !ev_profile_has_named(ev, &ev->profiles[pid], dir);
        if (!shared || !prof_done[pid]) {
            ev_eval_dir(ev, sc, a, dir, (ev_ep){EV_EP_VIRTUAL, 0}, &d);
            uint32_t ri = 0;
            if (!npc_portset_is_empty(&d)) {
                key.len = 0;
                npc_vec_push(&key, 0);
                npc_vec_push(&key, 0); /* peer: every class */
                key_ports(&key, &d);
                ri = builder_rect(&b, &key, NULL, &d) + 1;
            }
            if (shared) {
                prof_done[pid] = 1;
                prof_rect[pid] = ri;
            }
            if (ri)
                npc_vec_push(&b.subj.items[ri - 1], a);
        } else if (prof_rect[pid]) {
            npc_vec_push(&b.subj.items[prof_rect[pid] - 1], a);
        }
    }
    free(prof_rect);
    free(prof_done);

    /* the rectangles of each policy's Allow/Pass rules whose peers do not
     * all stand for v (CSR: pol_start, pol_rect) */
    uint32_t *pol_start = npc_xcalloc(np + 2, sizeof(uint32_t));
    ev_u32vec pol_rect = {0};
    for (size_t p = 0; p < np; p++) {
        pol_start[p] = (uint32_t)pol_rect.len;
        const npc_policy *pol = &c->policies.items[p];
        for (uint32_t i = 0; i < pol->nrules; i++) {
            const ev_rule *r = &ev->rules[ev->rule_base[p] + i];
            if (r->r->dir != dir || r->r->action == NPC_ACT_DENY)
                continue;
            rule_bound(r, &d);
            if (npc_portset_is_empty(&d))
                continue;
            for (uint32_t q = 0; q < r->npeers; q++) {
                const ev_peer *pe = &r->peers[q];
                int uni = peer_universal(ev, pe);
                if (uni && !r->has_named)
                    continue; /* in D */
                /* an entity peer (Cilium) matches host-network pods,
                 * depending on the subject's node: bounded by all of them */
                for (int side = 0; side < 2; side++) {
                    const ev_set *peer = side ? hostnet : uni ? NULL : pe->classes;
                    if (side && (uni || !pe->entities))
                        continue;
                    if (!(uni && !side) && (!peer || peer->n == 0))
                        continue; /* selects no class */
                    npc_vec_push(&pol_rect, rect_of(&b, &key, peer, &d));
                }
            }
        }
    }
    pol_start[np] = (uint32_t)pol_rect.len;
    if (dir == NPC_DIR_INGRESS && c->identity_labels && hostnet->n) {
        /* Cilium's allow-localhost: a pod's own node reaches it on any port
         * (a host-network pod stands for its node) */
        npc_portset_set_all(&d);
        uint32_t ri = rect_of(&b, &key, hostnet, &d);
        for (uint32_t a = 0; a < nc; a++)
            npc_vec_push(&b.subj.items[ri], a);
    }
    /* subjects: every class joins the rectangles of its profile's policies,
     * in class order (so the lists come out sorted) */
    for (uint32_t a = 0; a < nc; a++) {
        const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)a * 2 + dir]];
        for (uint32_t k = 0; k < pr->n; k++) {
            uint32_t p = pr->policies[k];
            for (uint32_t j = pol_start[p]; j < pol_start[p + 1]; j++) {
                ev_u32vec *sv = &b.subj.items[pol_rect.items[j]];
                if (!sv->len || sv->items[sv->len - 1] != a)
                    npc_vec_push(sv, a);
            }
        }
    }
    free(pol_start);
    npc_vec_free(&pol_rect);
    npc_vec_free(&key);
    npc_portset_free(&d);
    builder_finish(&b, nc);
    *out = b.rects;
}

/* CSR: class -> rectangles whose `peer` (by_peer) or subjects hold it;
 * rectangles over every class (peer NULL, by_peer) go to *all. */
static void index_rects(const pr_rectvec *v, uint32_t nc, int by_peer, uint32_t **start_out,
                        uint32_t **ids_out, ev_u32vec *all)
{
    uint32_t *start = npc_xcalloc((size_t)nc + 2, sizeof(uint32_t));
    for (size_t i = 0; i < v->len; i++) {
        const ev_set *s = by_peer ? v->items[i].peer : &v->items[i].subj;
        if (!s) {
            if (all)
                npc_vec_push(all, (uint32_t)i);
            continue;
        }
        for (uint32_t k = 0; k < s->n; k++)
            start[s->ids[k] + 2]++;
    }
    for (uint32_t b = 0; b < nc; b++)
        start[b + 2] += start[b + 1];
    uint32_t *ids = npc_xmalloc(((size_t)start[nc + 1] + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < v->len; i++) {
        const ev_set *s = by_peer ? v->items[i].peer : &v->items[i].subj;
        for (uint32_t k = 0; s && k < s->n; k++)
            ids[start[s->ids[k] + 1]++] = (uint32_t)i;
    }
    *start_out = start;
    *ids_out = ids;
}

void ev_pairs_compute(npc_eval *ev, ev_scratch *sc, ev_pair_emit emit, void *arg)
{
    uint32_t nc = ev->nclasses;
    int (*saved)(const npc_eval *, const ev_rule *, uint32_t) = ev->virt_match;
    ev->virt_match = match_universal;
    pr_rectvec eg = {0}, in = {0};
    /* the host-network classes (Cilium's entities and allow-localhost) */
    ev_set hostnet;
    uint32_t nh = 0;
    uint32_t *hids = npc_xmalloc(((size_t)nc + 1) * sizeof(uint32_t));
    for (uint32_t a = 0; a < nc; a++)
        if (ev->classes[a].host_network)
            hids[nh++] = a;
    set_init(&hostnet, hids, nh, nc);
    build_rects(ev, sc, NPC_DIR_EGRESS, &hostnet, &eg);
    build_rects(ev, sc, NPC_DIR_INGRESS, &hostnet, &in);
    ev->virt_match = saved;

    uint32_t *eg_start, *eg_ids, *in_start, *in_ids;
    ev_u32vec eg_all = {0};
    index_rects(&eg, nc, 1, &eg_start, &eg_ids, &eg_all);
    index_rects(&in, nc, 0, &in_start, &in_ids, NULL);

    uint8_t *mark = ev->mark;
    ev_u32vec cand = {0};
    npc_portset e = NPC_PORTSET_INIT, g = NPC_PORTSET_INIT;
    /* F_a(b) depends on a only through its egress profile (named ports
     * resolve at b): memo[profile] for the current b (memo_b[profile]) */
    npc_portset *memo = npc_xcalloc((size_t)ev->nprofiles + 1, sizeof *memo);
    uint32_t *memo_b = npc_xmalloc(((size_t)ev->nprofiles + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < ev->nprofiles; i++)
        memo_b[i] = UINT32_MAX;
    for (uint32_t b = 0; b < nc; b++) {
        if ((b & 0x3ff) == 0)
            npc_progress(ev->c->ctx, "connlist", b, nc);
        uint32_t ne = eg_start[b + 1] - eg_start[b];
        cand.len = 0;
        for (uint32_t x = 0; x < ne + eg_all.len; x++) {
            const pr_rect *er = &eg.items[x < ne ? eg_ids[eg_start[b] + x] : eg_all.items[x - ne]];
            for (uint32_t y = in_start[b]; y < in_start[b + 1]; y++) {
                const pr_rect *ir = &in.items[in_ids[y]];
                sc->work++;
                if (!portset_meets(&er->ports, &ir->ports))
                    continue;
                const ev_set *s = &er->subj, *t = ir->peer;
                if (t && t->n < s->n) {
                    s = t;
                    t = &er->subj;
                }
                sc->work += s->n;
                for (uint32_t k = 0; k < s->n; k++) {
                    uint32_t a = s->ids[k];
                    if (mark[a] || (t && !ev_set_has(t, a)))
                        continue;
                    mark[a] = 1;
                    npc_vec_push(&cand, a);
                }
            }
        }
        for (size_t k = 0; k < cand.len; k++) {
            uint32_t a = cand.items[k];
            mark[a] = 0;
            if (a == b && ev->cls_wl_start[a + 1] - ev->cls_wl_start[a] < 2)
                continue; /* only self pairs */
            uint32_t pa = ev->class_profile[(size_t)a * 2 + NPC_DIR_EGRESS];
            if (memo_b[pa] != b) {
                ev_eval_dir(ev, sc, a, NPC_DIR_EGRESS, (ev_ep){0, b}, &memo[pa]);
                memo_b[pa] = b;
            }
            if (npc_portset_is_empty(&memo[pa]))
                continue;
            npc_portset_copy(&e, &memo[pa]);
            ev_eval_dir(ev, sc, b, NPC_DIR_INGRESS, (ev_ep){0, a}, &g);
            npc_portset_intersect(&e, &g);
            if (!npc_portset_is_empty(&e))
                emit(arg, a, b, &e);
        }
    }
    for (uint32_t i = 0; i < ev->nprofiles; i++)
        npc_portset_free(&memo[i]);
    free(memo);
    free(memo_b);
    npc_vec_free(&cand);
    npc_portset_free(&e);
    npc_portset_free(&g);
    free(eg_start);
    free(eg_ids);
    free(in_start);
    free(in_ids);
    npc_vec_free(&eg_all);
    rects_free(&eg);
    rects_free(&in);
    free(hostnet.ids);
    free(hostnet.bits);
}
