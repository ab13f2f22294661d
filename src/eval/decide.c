/* Decisions: how one precedence layer decides the ports of one peer for
 * one subject, and the chain of layers of one direction. This is the only
 * place the semantics of npc_layer are written down in code: connection
 * lists (ev_eval_dir), single flows and explanations (ev_walk_port) and
 * verify all decide through ev_chain, so they cannot disagree.
 *
 * A layer (npc_layer) decides, of the ports still undecided:
 *   first match: the policies in order, each one's rules in order; a rule
 *     that matches the peer decides the undecided ports it names (Allow,
 *     Deny, or Pass: leave this layer, go on with the next);
 *   additive: every matching rule counts; Deny wins over Allow, Allow over
 *     Pass;
 *   at its end, when the layer isolates and one of its policies selects
 *     the subject for the direction, what no rule decided is denied.
 * The chain walks the layers in order; what none decides is allowed.
 * With Cilium (c->identity_labels), a pod's own node reaches it on every
 * port no deny rule denies, whatever the layers say (allow-localhost). */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"

void ev_scratch_free(ev_scratch *s)
{
    npc_portset_free(&s->undecided);
    npc_portset_free(&s->passed);
    npc_portset_free(&s->rports);
    npc_portset_free(&s->tmp);
    npc_portset_free(&s->deny);
    npc_portset_free(&s->allow);
    npc_portset_free(&s->isolated);
}

static void push(ev_stepvec *v, npc_expl_kind kind, uint32_t layer, npc_action action,
                 uint32_t policy, uint32_t rule, int more)
{
    ev_step s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.layer = layer;
    s.action = action;
    s.more = (uint8_t)more;
    s.policy = policy;
    s.rule = rule;
    npc_vec_push(v, s);
}

/* Whether r's named ports name a port of dst (numeric ports aside): for
 * the explanation of an isolating policy that did not allow. */
static int named_unresolved(const npc_eval *ev, const ev_rule *r, ev_ep dst)
{
    if (!r->has_named || !npc_portset_is_empty(&r->numeric))
        return 0;
    for (uint32_t k = 0; k < r->r->nports && !dst.is_atom; k++) {
        const npc_port_match *pm = &r->r->ports[k];
        if (!pm->name)
            continue;
        const ev_class *cl = &ev->classes[dst.id];
        for (uint32_t i = 0; i < cl->nports; i++)
            if (cl->ports[i].name == pm->name && (pm->proto_mask & (1u << cl->ports[i].proto)))
                return 0;
    }
    return 1;
}

/* Why isolating policy pi did not allow: no rule of the direction, no rule
 * for the peer, or a rule for the peer but not for these ports. */
static void why_not(const npc_eval *ev, uint32_t layer, uint32_t pi, npc_dir dir, uint32_t subj,
                    ev_ep peer, ev_ep dst, ev_stepvec *v)
{
    const npc_policy *pol = &ev->c->policies.items[pi];
    int has_dir = 0;
    for (uint32_t i = 0; i < pol->nrules; i++) {
        const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
        if (r->r->dir != dir)
            continue;
        has_dir = 1;
        if (!ev_peer_matches(ev, r, subj, peer))
            continue;
        push(v, named_unresolved(ev, r, dst) ? NPC_EXPL_NAMED_PORTS : NPC_EXPL_PORTS, layer,
             NPC_ACT_DENY, pi, i, 0);
        return;
    }
    push(v, has_dir ? NPC_EXPL_NO_PEER : NPC_EXPL_NO_RULES, layer, NPC_ACT_DENY, pi, 0, 0);
}

/* Keeps, of the additive layer's steps recorded from `base` on, those
 * that decided the traced port: the first deny, else every allow, else
 * the first pass. */
static void additive_trace(ev_stepvec *v, size_t base, int denied, int allowed, int passed)
{
    size_t w = base;
    for (size_t i = base; i < v->len; i++) {
        npc_action a = v->items[i].action;
        int keep = denied    ? a == NPC_ACT_DENY
                   : allowed ? a == NPC_ACT_ALLOW
                             : passed && a == NPC_ACT_PASS;
        if (!keep)
            continue;
        v->items[w++] = v->items[i];
        if (a != NPC_ACT_ALLOW)
            break;
    }
    v->len = w;
}

/* What one layer decides while it looks at its rules. */
typedef struct layer_walk {
    const npc_eval *ev;
    ev_scratch *sc;
    uint32_t subj;
    npc_dir dir;
    ev_ep p, dst;
    int first_match;
    const npc_portset *undecided;
    npc_portset *rest, *allow, *deny, *pass;
    ev_trace *trace;
    uint32_t layer;
} layer_walk;

/* Rule i of policy pi (pol_allows: an earlier rule of the policy allowed,
 * for the trace). Returns 1 when the layer has nothing left to decide. */
static int walk_rule(layer_walk *w, uint32_t pi, uint32_t i, int *pol_allows)
{
    const npc_eval *ev = w->ev;
    ev_scratch *sc = w->sc;
    const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
    sc->work++;
    if (r->r->dir != w->dir || !ev_peer_matches(ev, r, w->subj, w->p))
        return 0;
    ev_rule_ports(ev, r, w->dst, &sc->rports);
    npc_portset_intersect(&sc->rports, w->first_match ? w->rest : w->undecided);
    if (npc_portset_is_empty(&sc->rports))
        return 0;
    if (w->first_match)
        npc_portset_subtract(w->rest, &sc->rports);
    npc_action a = r->r->action;
    npc_portset_add_set(a == NPC_ACT_ALLOW  ? w->allow
                        : a == NPC_ACT_DENY ? w->deny
                                            : w->pass,
                        &sc->rports);
    if (w->trace) {
        push(w->trace->steps, NPC_EXPL_RULE, w->layer, a, pi, i, a == NPC_ACT_ALLOW && *pol_allows);
        *pol_allows |= a == NPC_ACT_ALLOW;
    }
    return w->first_match && npc_portset_is_empty(w->rest);
}

/* The first key of `only` whose position is k or later. */
static uint32_t list_from(const ev_rulelist *only, uint32_t k)
{
    uint32_t lo = 0, hi = only->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if ((uint32_t)(only->keys[mid] >> 32) < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void ev_layer_decide(const npc_eval *ev, ev_scratch *sc, uint32_t subj, npc_dir dir, ev_ep p,
                     const ev_profile *pr, const ev_seg *seg, const ev_rulelist *only,
                     const npc_portset *undecided, npc_portset *allow, npc_portset *deny,
                     npc_portset *pass, ev_trace *trace)
{
    const npc_cluster *c = ev->c;
    const npc_layer *layer = &c->layers.items[seg->layer];
    size_t base = trace ? trace->steps->len : 0;
    int first_match = layer->mode == NPC_MODE_FIRST_MATCH;
    layer_walk w = {.ev = ev,
                    .sc = sc,
                    .subj = subj,
                    .dir = dir,
                    .p = p,
                    .dst = dir == NPC_DIR_INGRESS ? (ev_ep){0, subj} : p,
                    .first_match = first_match,
                    .undecided = undecided,
                    .rest = &sc->tmp,
                    .allow = allow,
                    .deny = deny,
                    .pass = pass,
                    .trace = trace,
                    .layer = seg->layer};
    npc_portset_clear(allow);
    npc_portset_clear(deny);
    npc_portset_clear(pass);
    /* rest: what this layer has not decided yet */
    npc_portset *rest = &sc->tmp;
    npc_portset_copy(rest, undecided);
    if (only) {
        int none = 0;
        for (uint32_t x = list_from(only, seg->from);
             x < only->n && (uint32_t)(only->keys[x] >> 32) < seg->to &&
             !npc_portset_is_empty(rest);
             x++) {
            uint32_t k = (uint32_t)(only->keys[x] >> 32), pi = pr->policies[k];
            if (walk_rule(&w, pi, (uint32_t)only->keys[x] - ev->rule_base[pi], &none))
                break;
        }
    } else {
        int done = 0;
        for (uint32_t k = seg->from; k < seg->to && !done && !npc_portset_is_empty(rest); k++) {
            uint32_t pi = pr->policies[k];
            int pol_allows = 0;
            for (uint32_t i = 0; i < c->policies.items[pi].nrules && !done; i++)
                done = walk_rule(&w, pi, i, &pol_allows);
        }
    }
    if (!first_match) {
        int denied = !npc_portset_is_empty(deny);
        npc_portset_subtract(allow, deny);
        npc_portset_subtract(pass, deny);
        npc_portset_subtract(pass, allow);
        if (trace)
            additive_trace(trace->steps, base, denied, !npc_portset_is_empty(allow),
                           !npc_portset_is_empty(pass));
        npc_portset_copy(rest, undecided);
        npc_portset_subtract(rest, deny);
        npc_portset_subtract(rest, allow);
        npc_portset_subtract(rest, pass);
    }
    if (layer->isolates && seg->selects[dir] && !npc_portset_is_empty(rest)) {
        npc_portset_add_set(deny, rest);
        for (uint32_t k = seg->from; trace && k < seg->to; k++)
            if (c->policies.items[pr->policies[k]].affects[dir])
                why_not(ev, seg->layer, pr->policies[k], dir, subj, p, w.dst, trace->steps);
    }
}

/* Whether p is the node of subject class subj (its address, or a
 * host-network pod on it). */
static int own_node(const npc_eval *ev, uint32_t subj, ev_ep p)
{
    uint32_t node = ev->classes[subj].node;
    if (!node || p.is_atom == EV_EP_VIRTUAL)
        return 0;
    if (p.is_atom)
        return ev->atom_node[p.id] == node;
    return ev->classes[p.id].host_network && ev->classes[p.id].node == node;
}

/* Cilium's allow-localhost (the agent's default): the pod's own node may
 * always reach it, on every port no deny rule of a selecting policy
 * denies (deny entries win in the endpoint's policy map). */
static void localhost_ingress(const npc_eval *ev, ev_scratch *sc, uint32_t subj, ev_ep p,
                              npc_portset *out, ev_trace *trace)
{
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)subj * 2 + NPC_DIR_INGRESS]];
    ev_ep dst = {0, subj};
    npc_portset_clear(out);
    if (trace)
        npc_portset_add(out, trace->proto, trace->port, trace->port);
    else
        npc_portset_set_all(out);
    for (uint32_t k = 0; k < pr->n && !npc_portset_is_empty(out); k++) {
        uint32_t pi = pr->policies[k];
        const npc_policy *pol = &ev->c->policies.items[pi];
        for (uint32_t i = 0; i < pol->nrules && !npc_portset_is_empty(out); i++) {
            const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
            if (r->r->dir != NPC_DIR_INGRESS || r->r->action != NPC_ACT_DENY ||
                !ev_peer_matches(ev, r, subj, p))
                continue;
            ev_rule_ports(ev, r, dst, &sc->rports);
            npc_portset_intersect(&sc->rports, out);
            if (npc_portset_is_empty(&sc->rports))
                continue;
            npc_portset_subtract(out, &sc->rports);
            if (trace)
                push(trace->steps, NPC_EXPL_RULE, pol->layer, NPC_ACT_DENY, pi, i, 0);
        }
    }
    if (trace && !npc_portset_is_empty(out))
        push(trace->steps, NPC_EXPL_LOCALHOST, EV_NO_LAYER, NPC_ACT_ALLOW, 0, 0, 0);
}

void ev_chain(const npc_eval *ev, ev_scratch *sc, uint32_t subj, npc_dir dir, ev_ep p,
              const ev_rulelist *only, npc_portset *out, ev_trace *trace)
{
    if (dir == NPC_DIR_INGRESS && ev->c->identity_labels && own_node(ev, subj, p)) {
        localhost_ingress(ev, sc, subj, p, out, trace);
        return;
    }
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)subj * 2 + dir]];
    npc_portset *undecided = &sc->undecided;
    npc_portset_clear(out);
    npc_portset_clear(undecided);
    if (trace)
        npc_portset_add(undecided, trace->proto, trace->port, trace->port);
    else
        npc_portset_set_all(undecided);
    for (uint32_t s = 0; s < pr->nsegs && !npc_portset_is_empty(undecided); s++) {
        ev_layer_decide(ev, sc, subj, dir, p, pr, &pr->segs[s], only, undecided, &sc->allow,
                        &sc->deny, &sc->passed, trace);
        npc_portset_add_set(out, &sc->allow);
        npc_portset_subtract(undecided, &sc->allow);
        npc_portset_subtract(undecided, &sc->deny);
        /* passed ports stay undecided: the next layer decides them */
    }
    if (npc_portset_is_empty(undecided))
        return;
    npc_portset_add_set(out, undecided); /* no layer decided: allowed */
    if (trace)
        push(trace->steps, NPC_EXPL_DEFAULT, EV_NO_LAYER, NPC_ACT_ALLOW, 0, 0, 0);
}
