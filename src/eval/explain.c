/* Pair explanations (connlist --explain): for every port of every
 * protocol, how the egress chain of the source and the ingress chain of the
 * destination decided, as npc_expl_step records, merged into maximal port
 * ranges on which both directions decide alike. The steps come from the
 * single-port walk (walk.c), for one representative port of each range
 * between rule boundaries. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"

typedef NPC_VEC(npc_expl_step) step_vec;

static void step(step_vec *v, npc_expl_kind kind, uint32_t policy, uint32_t rule)
{
    npc_expl_step s;
    s.kind = kind;
    s.policy = policy;
    s.rule = rule;
    npc_vec_push(v, s);
}

/* One direction's decision for one port, from the walk's steps; returns
 * allowed. Of a policy's rules that allow the port, the first names it:
 * netpol-analyzer unions one policy's rules in order keeping the implying
 * rules a port already has (GetXgressAllowedConns, netpol.go, with
 * NeverCollectRules in augmented_intervalset.go), and collects them only
 * across policies. */
static int explain_dir(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep peer,
                       npc_proto proto, uint16_t port, ev_stepvec *walk, step_vec *v)
{
    int allowed = ev_walk_port(ev, subj, dir, peer, proto, port, walk);
    v->len = 0;
    for (size_t i = 0; i < walk->len; i++)
        if (!walk->items[i].more)
            step(v, walk->items[i].kind, walk->items[i].policy, walk->items[i].rule);
    return allowed;
}

/* npc_expl_pair.isolation_silent for direction dir at subject class subj
 * and peer: the admin tier (the layers before the first isolating one)
 * allows the peer some ports, and the NetworkPolicy tier (that isolating
 * layer, additive) allows it none outside what the admin tier denies. */
static int isolation_silent(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep peer)
{
    const npc_cluster *c = ev->c;
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)subj * 2 + dir]];
    ev_scratch sc;
    memset(&sc, 0, sizeof sc);
    npc_portset rest = NPC_PORTSET_INIT, allowed = NPC_PORTSET_INIT, denied = NPC_PORTSET_INIT;
    npc_portset allow = NPC_PORTSET_INIT, deny = NPC_PORTSET_INIT, pass = NPC_PORTSET_INIT;
    npc_portset_set_all(&rest);
    int unexplained = 0;
    for (uint32_t g = 0; g < pr->nsegs; g++) {
        const ev_seg *seg = &pr->segs[g];
        const npc_layer *layer = &c->layers.items[seg->layer];
        if (layer->isolates) {
            if (layer->mode != NPC_MODE_FIRST_MATCH && seg->selects[dir] &&
                !npc_portset_is_empty(&allowed) && !npc_portset_is_empty(&rest)) {
                /* every port but the admin tier's denials */
                npc_portset all = NPC_PORTSET_INIT;
                npc_portset_set_all(&all);
                npc_portset_subtract(&all, &denied);
                ev_layer_decide(ev, &sc, subj, dir, peer, pr, seg, NULL, &all, &allow, &deny,
                                &pass, NULL);
                unexplained = npc_portset_is_empty(&allow);
                npc_portset_free(&all);
            }
            break;
        }
        ev_layer_decide(ev, &sc, subj, dir, peer, pr, seg, NULL, &rest, &allow, &deny, &pass, NULL);
        npc_portset_add_set(&allowed, &allow);
        npc_portset_add_set(&denied, &deny);
        npc_portset_subtract(&rest, &allow);
        npc_portset_subtract(&rest, &deny);
    }
    npc_portset_free(&rest);
    npc_portset_free(&allowed);
    npc_portset_free(&denied);
    npc_portset_free(&allow);
    npc_portset_free(&deny);
    npc_portset_free(&pass);
    ev_scratch_free(&sc);
    return unexplained;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

typedef NPC_VEC(uint32_t) bound_vec;

/* Port boundaries of subj's rules in dir for proto (named ports resolved
 * at dst): the decision is constant between two of them. */
static void add_bounds(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep dst, npc_proto proto,
                       bound_vec *b)
{
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)subj * 2 + dir]];
    for (uint32_t k = 0; k < pr->n; k++) {
        uint32_t pi = pr->policies[k];
        const npc_policy *pol = &ev->c->policies.items[pi];
        for (uint32_t i = 0; i < pol->nrules; i++) {
            const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
            if (r->r->dir != dir)
                continue;
            for (uint32_t j = 0; j < r->numeric.n[proto]; j++) {
                npc_vec_push(b, r->numeric.r[proto][j].lo);
                npc_vec_push(b, (uint32_t)r->numeric.r[proto][j].hi + 1);
            }
            if (!r->has_named || dst.is_atom)
                continue;
            const ev_class *cl = &ev->classes[dst.id];
            for (uint32_t q = 0; q < r->r->nports; q++)
                for (uint32_t x = 0; r->r->ports[q].name && x < cl->nports; x++)
                    if (cl->ports[x].name == r->r->ports[q].name && cl->ports[x].proto == proto) {
                        npc_vec_push(b, cl->ports[x].port);
                        npc_vec_push(b, (uint32_t)cl->ports[x].port + 1);
                    }
        }
    }
}

static int same_steps(const npc_expl_dir *d, int allowed, const step_vec *v)
{
    return d->allowed == allowed && d->nsteps == v->len &&
           (v->len == 0 || memcmp(d->steps, v->items, v->len * sizeof(npc_expl_step)) == 0);
}

static void set_dir(npc_expl_dir *d, int allowed, const step_vec *v)
{
    d->allowed = (uint8_t)allowed;
    d->nsteps = (uint32_t)v->len;
    d->steps = npc_xmalloc((v->len + 1) * sizeof(npc_expl_step));
    if (v->len)
        memcpy(d->steps, v->items, v->len * sizeof(npc_expl_step));
}

npc_status npc_explain_pair(npc_cluster *c, const npc_endpoint *src, const npc_endpoint *dst,
                            npc_expl_pair *out)
{
    memset(out, 0, sizeof *out);
    npc_status st = npc_eval_build(c);
    if (st != NPC_OK)
        return st;
    const npc_eval *ev = c->eval;
    ev_ep s = ev_ep_of(ev, src->kind, src->workload, src->range.first);
    ev_ep d = ev_ep_of(ev, dst->kind, dst->workload, dst->range.first);
    if (!s.is_atom)
        out->isolation_silent[NPC_DIR_EGRESS] =
            (uint8_t)isolation_silent(ev, s.id, NPC_DIR_EGRESS, d);
    if (!d.is_atom)
        out->isolation_silent[NPC_DIR_INGRESS] =
            (uint8_t)isolation_silent(ev, d.id, NPC_DIR_INGRESS, s);
    step_vec v[2] = {{0}, {0}};
    ev_stepvec walk = {0};
    bound_vec b = {0};
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        b.len = 0;
        npc_vec_push(&b, 1);
        npc_vec_push(&b, 65536);
        if (!s.is_atom)
            add_bounds(ev, s.id, NPC_DIR_EGRESS, d, (npc_proto)p, &b);
        if (!d.is_atom)
            add_bounds(ev, d.id, NPC_DIR_INGRESS, d, (npc_proto)p, &b);
        qsort(b.items, b.len, sizeof(uint32_t), cmp_u32);
        for (size_t i = 0; i + 1 < b.len; i++) {
            if (b.items[i] == b.items[i + 1] || b.items[i] > 65535)
                continue;
            uint16_t lo = (uint16_t)b.items[i], hi = (uint16_t)(b.items[i + 1] - 1);
            int allowed[2];
            for (int dir = 0; dir < 2; dir++) {
                /* egress at the source, ingress at the destination */
                ev_ep subj = dir == NPC_DIR_EGRESS ? s : d, peer = dir == NPC_DIR_EGRESS ? d : s;
                if (subj.is_atom) {
                    v[dir].len = 0;
                    step(&v[dir], NPC_EXPL_DEFAULT, 0, 0);
                    allowed[dir] = 1;
                } else {
                    allowed[dir] = explain_dir(ev, subj.id, (npc_dir)dir, peer, (npc_proto)p, lo,
                                               &walk, &v[dir]);
                }
            }
            npc_expl_range *last = out->ranges.len ? &out->ranges.items[out->ranges.len - 1] : NULL;
            if (last && last->proto == (npc_proto)p && (uint32_t)last->hi + 1 == lo &&
                same_steps(&last->dir[0], allowed[0], &v[0]) &&
                same_steps(&last->dir[1], allowed[1], &v[1])) {
                last->hi = hi;
                continue;
            }
            npc_expl_range r;
            memset(&r, 0, sizeof r);
            r.proto = (npc_proto)p;
            r.lo = lo;
            r.hi = hi;
            set_dir(&r.dir[0], allowed[0], &v[0]);
            set_dir(&r.dir[1], allowed[1], &v[1]);
            npc_vec_push(&out->ranges, r);
        }
    }
    npc_vec_free(&b);
    npc_vec_free(&walk);
    npc_vec_free(&v[0]);
    npc_vec_free(&v[1]);
    return NPC_OK;
}

void npc_expl_pair_free(npc_expl_pair *p)
{
    for (size_t i = 0; i < p->ranges.len; i++) {
        free(p->ranges.items[i].dir[0].steps);
        free(p->ranges.items[i].dir[1].steps);
    }
    npc_vec_free(&p->ranges);
}

const npc_iprange *npc_explain_ranges(npc_cluster *c, npc_dir dir, uint32_t *n)
{
    *n = 0;
    if (npc_eval_build(c) != NPC_OK)
        return NULL;
    const npc_eval *ev = c->eval;
    *n = ev->nout_ranges[dir];
    return ev->out_ranges[dir];
}
