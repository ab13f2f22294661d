/* The single-port walk: how the layers of one direction decide one port
 * for one peer, as ev_step records: the chain of decide.c for that port
 * alone, with its trace (what decided and, when an isolating layer denies,
 * why each of its policies did not allow). Consumers: verdict.c (eval and
 * explain verbs) and explain.c (connlist --explain). */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"

ev_ep ev_ep_of(const npc_eval *ev, npc_ep_kind kind, uint32_t workload, npc_ip ip)
{
    if (kind == NPC_EP_EXTERNAL)
        return (ev_ep){1, ev_atom_of(ev, ip)};
    return (ev_ep){0, ev->wl_class[workload]};
}

int ev_walk_port(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep peer, npc_proto proto,
                 uint16_t port, ev_stepvec *v)
{
    ev_scratch sc;
    memset(&sc, 0, sizeof sc);
    npc_portset out = NPC_PORTSET_INIT;
    ev_trace t = {v, proto, port};
    v->len = 0;
    ev_chain(ev, &sc, subj, dir, peer, NULL, &out, &t);
    int allowed = npc_portset_contains(&out, proto, port);
    npc_portset_free(&out);
    ev_scratch_free(&sc);
    return allowed;
}
