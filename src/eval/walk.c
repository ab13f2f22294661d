/* The single-port walk: how the tiers of one direction decide one port for
 * one peer, as ev_step records. ev_eval_dir's walk, for one port, keeping
 * what decided and, when an isolating tier denies, why each of its policies
 * did not allow. Consumers: verdict.c (eval and explain verbs) and
 * explain.c (connlist --explain). */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"

ev_ep ev_ep_of(const npc_eval *ev, npc_ep_kind kind, uint32_t workload, npc_ip ip)
{
    if (kind == NPC_EP_EXTERNAL)
        return (ev_ep){1, ev_atom_of(ev, ip)};
    return (ev_ep){0, ev->wl_class[workload]};
}

/* Whether r's ports hold (proto, port) at destination dst. named_unresolved
 * (may be NULL) says whether the rule's ports are only names and none names
 * a port of dst. */
static int rule_has_port(const npc_eval *ev, const ev_rule *r, ev_ep dst, npc_proto proto,
                         uint16_t port, int *named_unresolved)
{
    if (named_unresolved)
        *named_unresolved = 0;
    if (npc_portset_contains(&r->numeric, proto, port))
        return 1;
    if (!r->has_named)
        return 0;
    int resolved = 0;
    for (uint32_t k = 0; k < r->r->nports && !dst.is_atom; k++) {
        const npc_port_match *pm = &r->r->ports[k];
        if (!pm->name)
            continue;
        const ev_class *cl = &ev->classes[dst.id];
        for (uint32_t i = 0; i < cl->nports; i++)
            if (cl->ports[i].name == pm->name && (pm->proto_mask & (1u << cl->ports[i].proto))) {
                resolved = 1;
                if (cl->ports[i].proto == proto && cl->ports[i].port == port)
                    return 1;
            }
    }
    if (named_unresolved)
        *named_unresolved = !resolved && npc_portset_is_empty(&r->numeric);
    return 0;
}

static void push(ev_stepvec *v, npc_expl_kind kind, int tier, npc_action action, uint32_t policy,
                 uint32_t rule, int more)
{
    ev_step s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.tier = (npc_tier)tier;
    s.action = action;
    s.more = (uint8_t)more;
    s.policy = policy;
    s.rule = rule;
    npc_vec_push(v, s);
}

/* Why isolating policy pi did not allow: no rule of the direction, no rule
 * for the peer, or a rule for the peer but not for these ports. */
static void why_not(const npc_eval *ev, int t, uint32_t pi, npc_dir dir, ev_ep peer, ev_ep dst,
                    npc_proto proto, uint16_t port, ev_stepvec *v)
{
    const npc_policy *pol = &ev->c->policies.items[pi];
    int has_dir = 0;
    for (uint32_t i = 0; i < pol->nrules; i++) {
        const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
        if (r->r->dir != dir)
            continue;
        has_dir = 1;
        if (!ev_peer_matches(ev, r, peer))
            continue;
        int named_unresolved;
        (void)rule_has_port(ev, r, dst, proto, port, &named_unresolved);
        push(v, named_unresolved ? NPC_EXPL_NAMED_PORTS : NPC_EXPL_PORTS, t, NPC_ACT_DENY, pi, i,
             0);
        return;
    }
    push(v, has_dir ? NPC_EXPL_NO_PEER : NPC_EXPL_NO_RULES, t, NPC_ACT_DENY, pi, 0, 0);
}

int ev_walk_port(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep peer, npc_proto proto,
                 uint16_t port, ev_stepvec *v)
{
    const npc_cluster *c = ev->c;
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)subj * 2 + dir]];
    ev_ep dst = dir == NPC_DIR_INGRESS ? (ev_ep){0, subj} : peer;
    v->len = 0;
    for (int t = 0; t < NPC_TIER_COUNT; t++) {
        const npc_tier_desc *td = &npc_tiers[t];
        uint32_t from = pr->tier_start[t], to = pr->tier_start[t + 1];
        size_t tier_first = v->len;
        int selected = 0, passed = 0, nallow = 0, decided = -1;
        for (uint32_t k = from; k < to && decided < 0 && !passed; k++) {
            uint32_t pi = pr->policies[k];
            const npc_policy *pol = &c->policies.items[pi];
            int pol_allows = 0;
            selected |= pol->affects[dir];
            for (uint32_t i = 0; i < pol->nrules; i++) {
                const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
                if (r->r->dir != dir || !ev_peer_matches(ev, r, peer) ||
                    !rule_has_port(ev, r, dst, proto, port, NULL))
                    continue;
                if (td->mode == NPC_MODE_ADDITIVE && r->r->action == NPC_ACT_ALLOW) {
                    /* every allowing rule is a reason (netpol-analyzer
                     * lists each rule of a policy that allows the port) */
                    push(v, NPC_EXPL_RULE, t, NPC_ACT_ALLOW, pi, i, pol_allows);
                    pol_allows = 1;
                    nallow++;
                    continue;
                }
                if (td->mode == NPC_MODE_ADDITIVE)
                    v->len = tier_first; /* a deny wins over the allows */
                push(v, NPC_EXPL_RULE, t, r->r->action, pi, i, 0);
                if (r->r->action == NPC_ACT_PASS && td->mode == NPC_MODE_FIRST_MATCH)
                    passed = 1;
                else if (r->r->action != NPC_ACT_PASS)
                    decided = r->r->action == NPC_ACT_ALLOW;
                break;
            }
        }
        if (decided >= 0)
            return decided;
        if (passed)
            continue;
        if (nallow)
            return 1;
        if (td->isolates && selected) {
            for (uint32_t k = from; k < to; k++)
                if (c->policies.items[pr->policies[k]].affects[dir])
                    why_not(ev, t, pr->policies[k], dir, peer, dst, proto, port, v);
            return 0;
        }
    }
    push(v, NPC_EXPL_DEFAULT, NPC_TIER_COUNT, NPC_ACT_ALLOW, 0, 0, 0);
    return 1;
}
