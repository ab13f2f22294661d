/* Exposure analysis: how the policies expose each workload to pods that
 * the manifests may not hold, as netpol-analyzer's `list --exposure`.
 *
 * Every rule peer with pod/namespace selectors stands for a representative
 * peer (npc_rep_peer), except peers selecting every pod of every namespace,
 * which stand for the entire cluster. A representative peer written with
 * matchLabels only, naming both namespace and pod labels, is dropped when a
 * real workload matches it (the connection list shows that workload).
 *
 * A rule peer matches a representative peer when its selectors require
 * the same as the representative's (an empty rule selector matches any);
 * it matches the entire cluster when both its selectors are empty (or the
 * rule has no peers). Each workload's tier chain (ev_eval_dir) is walked
 * with these virtual peers: representative peers are subject to no policy.
 * Cost: workload classes x representative peers chain walks. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/ctx.h"

#define ENTIRE_CLUSTER UINT32_MAX

typedef NPC_VEC(uint32_t) u32vec;

/* Each distinct set of selector requirements gets an id (0: the empty
 * selector), so matching a rule peer against a virtual peer compares ids. */
typedef struct peer_ids {
    uint32_t ns, pod;
    uint8_t kind; /* PK_* */
} peer_ids;

enum { PK_OTHER, PK_ANY, PK_ENTIRE, PK_PODS };

typedef struct expo_state {
    ev_keymap keys; /* canonical requirements -> id */
    uint32_t nkeys;
    uint32_t *peer_off; /* ev rule -> its first peer_ids */
    NPC_VEC(peer_ids) peers;
    NPC_VEC(peer_ids) reps; /* the ids of each representative peer */
    u32vec *cand;           /* per profile * 2 + dir: candidates() */
    uint8_t *cand_done;     /* per profile * 2 + dir */
    uint8_t *mark;          /* per representative peer, 0 between uses */
} expo_state;

/* ------------------------------------------------ canonical selectors */

static int cmp_expr(const void *a, const void *b)
{
    const npc_sel_expr *x = *(const npc_sel_expr *const *)a, *y = *(const npc_sel_expr *const *)b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->op != y->op)
        return x->op < y->op ? -1 : 1;
    if (x->nvalues != y->nvalues)
        return x->nvalues < y->nvalues ? -1 : 1;
    for (uint32_t i = 0; i < x->nvalues; i++)
        if (x->values[i] != y->values[i])
            return x->values[i] < y->values[i] ? -1 : 1;
    return 0;
}

/* The id of sel's requirements, in a fixed order (a matchLabels entry and
 * an In with its one value are the same requirement). */
static uint32_t selector_id(expo_state *st, const npc_selector *sel)
{
    if (npc_selector_is_empty(sel))
        return 0;
    u32vec k = {0};
    npc_vec_push(&k, 0);
    const npc_sel_expr **v = npc_xmalloc((sel->nexprs + 1) * sizeof *v);
    for (uint32_t i = 0; i < sel->nexprs; i++)
        v[i] = &sel->exprs[i];
    if (sel->nexprs > 1)
        qsort(v, sel->nexprs, sizeof *v, cmp_expr);
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        if (i && cmp_expr(&v[i - 1], &v[i]) == 0)
            continue; /* a repeated requirement adds nothing */
        npc_vec_push(&k, v[i]->key);
        npc_vec_push(&k, (uint32_t)v[i]->op);
        npc_vec_push(&k, v[i]->nvalues);
        for (uint32_t j = 0; j < v[i]->nvalues; j++)
            npc_vec_push(&k, v[i]->values[j]);
    }
    free(v);
    k.items[0] = (uint32_t)k.len - 1;
    void **slot = ev_km_get(&st->keys, k.items, 1);
    npc_vec_free(&k);
    if (!*slot)
        *slot = (void *)(uintptr_t)++st->nkeys;
    return (uint32_t)(uintptr_t)*slot;
}

/* The effective namespace selector of a pods peer of pol: a NetworkPolicy
 * peer without one means the policy's namespace (built in e/val/tmp). */
static const npc_selector *peer_ns_sel(const npc_policy *pol, const npc_peer *p, npc_sym name_key,
                                       npc_sel_expr *e, npc_sym *val, npc_selector *tmp)
{
    if (p->ns_mode != NPC_NS_SAME)
        return &p->ns_sel;
    memset(e, 0, sizeof *e);
    memset(tmp, 0, sizeof *tmp);
    e->op = NPC_SEL_IN;
    e->key = name_key;
    *val = pol->ns;
    e->values = val;
    e->nvalues = 1;
    e->from_match_labels = 1;
    tmp->exprs = e;
    tmp->nexprs = 1;
    return tmp;
}

static int is_entire_cluster(const npc_peer *p)
{
    return p->kind == NPC_PEER_PODS && p->ns_mode != NPC_NS_SAME &&
           npc_selector_is_empty(&p->ns_sel) && npc_selector_is_empty(&p->pod_sel);
}

/* ---------------------------------------------------- virtual matching */

static int virt_match(const npc_eval *ev, const ev_rule *r, uint32_t id)
{
    const expo_state *st = ev->virt_arg;
    size_t ri = (size_t)(r - ev->rules);
    const peer_ids *pp = &st->peers.items[st->peer_off[ri]];
    for (uint32_t i = 0; i < r->r->npeers; i++) {
        switch (pp[i].kind) {
        case PK_ANY:
            return 1;
        case PK_ENTIRE:
            return 1; /* both selectors empty: every virtual peer */
        case PK_PODS:
            if (id != ENTIRE_CLUSTER && (pp[i].ns == 0 || pp[i].ns == st->reps.items[id].ns) &&
                (pp[i].pod == 0 || pp[i].pod == st->reps.items[id].pod))
                return 1;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* ------------------------------------------------ representative peers */

static int only_match_labels(const npc_selector *s)
{
    for (uint32_t i = 0; i < s->nexprs; i++)
        if (!s->exprs[i].from_match_labels)
            return 0;
    return 1;
}

/* A real workload stands for the peer: it is dropped. */
static int rep_matched_by_workload(const npc_cluster *c, const npc_rep_peer *rp)
{
    if (npc_selector_is_empty(&rp->ns_sel) || npc_selector_is_empty(&rp->pod_sel) ||
        !only_match_labels(&rp->ns_sel) || !only_match_labels(&rp->pod_sel))
        return 0;
    for (size_t w = 0; w < c->workloads.len; w++) {
        const npc_workload *wl = &c->workloads.items[w];
        if (npc_selector_matches(&rp->pod_sel, &wl->labels) &&
            npc_selector_matches(&rp->ns_sel, &c->namespaces.items[wl->ns].labels))
            return 1;
    }
    return 0;
}

/* The ids of every rule peer, and the representative peers in the order
 * of their first rule (which also names them). */
static void collect_reps(npc_eval *ev, expo_state *st, npc_exposure *out)
{
    const npc_cluster *c = ev->c;
    npc_sym name_key = npc_intern(c->ctx->strings, "kubernetes.io/metadata.name",
                                  strlen("kubernetes.io/metadata.name"));
    ev_keymap seen = {0}; /* (ns id, pod id) -> 1 */
    st->peer_off = npc_xcalloc((size_t)ev->nrules + 1, sizeof *st->peer_off);
    for (uint32_t ri = 0; ri < ev->nrules; ri++) {
        const ev_rule *er = &ev->rules[ri];
        const npc_policy *pol = &c->policies.items[er->policy];
        st->peer_off[ri] = (uint32_t)st->peers.len;
        for (uint32_t q = 0; q < er->r->npeers; q++) {
            const npc_peer *p = &er->r->peers[q];
            peer_ids ids = {0, 0, PK_OTHER};
            if (p->kind == NPC_PEER_ANY)
                ids.kind = PK_ANY;
            if (p->kind == NPC_PEER_PODS)
                ids.kind = is_entire_cluster(p) ? PK_ENTIRE : PK_PODS;
            npc_vec_push(&st->peers, ids);
            if (ids.kind != PK_PODS)
                continue;
            npc_sel_expr e;
            npc_sym val;
            npc_selector tmp;
            const npc_selector *ns = peer_ns_sel(pol, p, name_key, &e, &val, &tmp);
            ids.ns = selector_id(st, ns);
            ids.pod = selector_id(st, &p->pod_sel);
            st->peers.items[st->peers.len - 1] = ids;
            uint32_t key[3] = {2, ids.ns, ids.pod};
            void **slot = ev_km_get(&seen, key, 1);
            if (*slot)
                continue; /* the same requirements: one peer */
            *slot = (void *)1;
            npc_rep_peer rp;
            memset(&rp, 0, sizeof rp);
            rp.pod_sel = p->pod_sel;
            rp.ns_sel = *ns;
            if (ns == &tmp) { /* keep the lowered namespace selector */
                npc_sel_expr *ce = npc_arena_alloc(ev->arena, sizeof *ce);
                npc_sym *cv = npc_arena_alloc(ev->arena, sizeof *cv);
                *ce = e;
                *cv = val;
                ce->values = cv;
                rp.ns_sel.exprs = ce;
            }
            if (rep_matched_by_workload(c, &rp))
                continue;
            npc_vec_push(&out->reps, rp);
            npc_vec_push(&st->reps, ids);
        }
    }
    ev_km_free(&seen, NULL);
}

/* ---------------------------------------------------------- analysis */

typedef struct conn {
    npc_portset ports;
    NPC_VEC(npc_sym) named[NPC_PROTO_COUNT + 1]; /* as npc_exposure_item */
} conn;

static void conn_free(conn *x)
{
    npc_portset_free(&x->ports);
    for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++)
        npc_vec_free(&x->named[p]);
}

static int conn_empty(const conn *x)
{
    for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++)
        if (x->named[p].len)
            return 0;
    return npc_portset_is_empty(&x->ports);
}

static int conn_equal(const conn *a, const conn *b)
{
    for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++) {
        if (a->named[p].len != b->named[p].len)
            return 0;
        for (size_t i = 0; i < a->named[p].len; i++)
            if (a->named[p].items[i] != b->named[p].items[i])
                return 0;
    }
    return npc_portset_equal(&a->ports, &b->ports);
}

static void add_name(conn *x, int p, npc_sym name)
{
    for (size_t i = 0; i < x->named[p].len; i++)
        if (x->named[p].items[i] == name)
            return;
    npc_vec_push(&x->named[p], name);
}

/* The connections class `cls` may have in direction dir with virtual peer
 * id. A named port towards a peer of unknown ports stays a name (the
 * allow rules of the class's policies that match the peer), under its
 * protocol, or under none when it is the container port's own
 * (netpol-analyzer's ruleConnections, adminnetpol.go: protocol ""). */
static void eval_virtual(const npc_eval *ev, ev_scratch *sc, uint32_t cls, npc_dir dir, uint32_t id,
                         conn *out)
{
    ev_ep peer = {EV_EP_VIRTUAL, id};
    ev_eval_dir(ev, sc, cls, dir, peer, &out->ports);
    for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++)
        out->named[p].len = 0;
    if (dir != NPC_DIR_EGRESS)
        return;
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)cls * 2 + dir]];
    for (uint32_t k = 0; k < pr->n; k++) {
        uint32_t pi = pr->policies[k];
        const npc_policy *pol = &ev->c->policies.items[pi];
        for (uint32_t i = 0; i < pol->nrules; i++) {
            const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
            if (r->r->dir != dir || !r->has_named || r->r->action != NPC_ACT_ALLOW ||
                !ev_peer_matches(ev, r, cls, peer))
                continue;
            for (uint32_t j = 0; j < r->r->nports; j++) {
                const npc_port_match *pm = &r->r->ports[j];
                if (!pm->name)
                    continue;
                if (pm->proto_mask == NPC_PROTO_ALL_MASK) {
                    add_name(out, NPC_EXPO_OWN_PROTO, pm->name);
                    continue;
                }
                for (int pr2 = 0; pr2 < NPC_PROTO_COUNT; pr2++)
                    if (pm->proto_mask & (1u << pr2))
                        add_name(out, pr2, pm->name);
            }
        }
    }
}

/* The representative peers some rule of the class's profile names by its
 * selectors (cached per profile). Any other peer is matched by exactly the
 * rules that match the entire cluster, so its connections are the entire
 * cluster's and it is not shown. */
static const u32vec *candidates(const npc_eval *ev, expo_state *st, uint32_t cls, npc_dir dir)
{
    uint32_t pid = ev->class_profile[(size_t)cls * 2 + dir];
    size_t slot = (size_t)pid * 2 + dir; /* profiles are shared by both directions */
    u32vec *v = &st->cand[slot];
    if (st->cand_done[slot])
        return v;
    st->cand_done[slot] = 1;
    const ev_profile *pr = &ev->profiles[pid];
    uint32_t nreps = (uint32_t)st->reps.len;
    for (uint32_t k = 0; k < pr->n; k++) {
        uint32_t pi = pr->policies[k];
        const npc_policy *pol = &ev->c->policies.items[pi];
        for (uint32_t i = 0; i < pol->nrules; i++) {
            uint32_t ri = ev->rule_base[pi] + i;
            if (ev->rules[ri].r->dir != dir)
                continue;
            const peer_ids *pp = &st->peers.items[st->peer_off[ri]];
            for (uint32_t q = 0; q < ev->rules[ri].r->npeers; q++) {
                if (pp[q].kind != PK_PODS)
                    continue;
                for (uint32_t r = 0; r < nreps; r++)
                    if ((pp[q].ns == 0 || pp[q].ns == st->reps.items[r].ns) &&
                        (pp[q].pod == 0 || pp[q].pod == st->reps.items[r].pod))
                        st->mark[r] = 1;
            }
        }
    }
    for (uint32_t r = 0; r < nreps; r++)
        if (st->mark[r]) {
            st->mark[r] = 0;
            npc_vec_push(v, r);
        }
    return v;
}

static void push_item(const npc_eval *ev, npc_exposure *out, uint32_t cls, npc_dir dir, int32_t rep,
                      const conn *x)
{
    for (uint32_t i = ev->cls_wl_start[cls]; i < ev->cls_wl_start[cls + 1]; i++) {
        npc_exposure_item it;
        memset(&it, 0, sizeof it);
        it.workload = ev->cls_wl[i];
        it.dir = dir;
        it.rep = rep;
        npc_portset_copy(&it.conns, &x->ports);
        for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++)
            for (size_t j = 0; j < x->named[p].len; j++)
                npc_vec_push(&it.named[p], x->named[p].items[j]);
        npc_vec_push(&out->items, it);
        out->exposed[it.workload] = 1;
    }
}

static int cmp_item(const void *a, const void *b)
{
    const npc_exposure_item *x = a, *y = b;
    if (x->workload != y->workload)
        return x->workload < y->workload ? -1 : 1;
    if (x->dir != y->dir)
        return x->dir < y->dir ? -1 : 1;
    return x->rep < y->rep ? -1 : x->rep > y->rep;
}

npc_status npc_exposure_compute(npc_cluster *c, npc_exposure *out)
{
    memset(out, 0, sizeof *out);
    npc_status s = npc_eval_build(c);
    if (s != NPC_OK)
        return s;
    npc_eval *ev = c->eval;
    expo_state st;
    memset(&st, 0, sizeof st);
    collect_reps(ev, &st, out);
    st.cand = npc_xcalloc((size_t)ev->nprofiles * 2 + 1, sizeof *st.cand);
    st.cand_done = npc_xcalloc((size_t)ev->nprofiles * 2 + 1, 1);
    st.mark = npc_xcalloc(st.reps.len + 1, 1);
    ev->virt_match = virt_match;
    ev->virt_arg = &st;

    size_t nw = c->workloads.len;
    out->protected_dir = npc_xcalloc(nw * 2 + 1, 1);
    out->exposed = npc_xcalloc(nw + 1, 1);
    ev_scratch sc;
    memset(&sc, 0, sizeof sc);
    conn all, ec, rc;
    memset(&all, 0, sizeof all);
    memset(&ec, 0, sizeof ec);
    memset(&rc, 0, sizeof rc);
    npc_portset_set_all(&all.ports);
    for (uint32_t cls = 0; cls < ev->nclasses; cls++) {
        for (int d = 0; d < 2; d++) {
            npc_dir dir = (npc_dir)d;
            const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)cls * 2 + dir]];
            if (pr->n == 0) { /* not protected: exposed to everything */
                for (uint32_t i = ev->cls_wl_start[cls]; i < ev->cls_wl_start[cls + 1]; i++)
                    out->exposed[ev->cls_wl[i]] = 1;
                push_item(ev, out, cls, dir, -1, &all);
                continue;
            }
            for (uint32_t i = ev->cls_wl_start[cls]; i < ev->cls_wl_start[cls + 1]; i++)
                out->protected_dir[(size_t)ev->cls_wl[i] * 2 + dir] = 1;
            eval_virtual(ev, &sc, cls, dir, ENTIRE_CLUSTER, &ec);
            int has_ec = !conn_empty(&ec);
            if (has_ec)
                push_item(ev, out, cls, dir, -1, &ec);
            const u32vec *cand = candidates(ev, &st, cls, dir);
            for (size_t k = 0; k < cand->len; k++) {
                uint32_t r = cand->items[k];
                eval_virtual(ev, &sc, cls, dir, r, &rc);
                /* shown when it differs from the entire cluster's (an
                 * earlier rule may deny this peer: "No Connections") */
                if (has_ec ? !conn_equal(&rc, &ec) : !conn_empty(&rc))
                    push_item(ev, out, cls, dir, (int32_t)r, &rc);
            }
        }
    }
    if (out->items.len > 1)
        qsort(out->items.items, out->items.len, sizeof *out->items.items, cmp_item);
    ev->virt_match = NULL;
    ev->virt_arg = NULL;
    conn_free(&all);
    conn_free(&ec);
    conn_free(&rc);
    ev_scratch_free(&sc);
    for (size_t i = 0; i < (size_t)ev->nprofiles * 2; i++)
        npc_vec_free(&st.cand[i]);
    free(st.cand);
    free(st.cand_done);
    free(st.mark);
    ev_km_free(&st.keys, NULL);
    free(st.peer_off);
    npc_vec_free(&st.peers);
    npc_vec_free(&st.reps);
    return NPC_OK;
}

void npc_exposure_free(npc_exposure *x)
{
    for (size_t i = 0; i < x->items.len; i++) {
        npc_portset_free(&x->items.items[i].conns);
        for (int p = 0; p <= NPC_EXPO_OWN_PROTO; p++)
            npc_vec_free(&x->items.items[i].named[p]);
    }
    npc_vec_free(&x->items);
    npc_vec_free(&x->reps);
    free(x->protected_dir);
    free(x->exposed);
    memset(x, 0, sizeof *x);
}
