/* Connection sets: for each protocol, a sorted list of disjoint, non-adjacent
 * port intervals within 1..65535. The value type of every evaluation. */
#ifndef NPC_MODEL_PORTSET_H
#define NPC_MODEL_PORTSET_H
#include <stdint.h>

#include "model/ir.h"
#include "util/buf.h"

typedef struct npc_prange {
    uint16_t lo, hi;
} npc_prange;

typedef struct npc_portset {
    npc_prange *r[NPC_PROTO_COUNT]; /* heap-owned */
    uint32_t n[NPC_PROTO_COUNT], cap[NPC_PROTO_COUNT];
} npc_portset;

#define NPC_PORTSET_INIT {{0}, {0}, {0}}

void npc_portset_free(npc_portset *s);
void npc_portset_clear(npc_portset *s);
void npc_portset_set_all(npc_portset *s);
void npc_portset_copy(npc_portset *dst, const npc_portset *src);
void npc_portset_add(npc_portset *s, npc_proto p, uint16_t lo, uint16_t hi);
void npc_portset_add_set(npc_portset *s, const npc_portset *t);       /* s |= t */
void npc_portset_intersect(npc_portset *s, const npc_portset *t);     /* s &= t */
void npc_portset_subtract(npc_portset *s, const npc_portset *t);      /* s -= t */
int npc_portset_is_empty(const npc_portset *s);
int npc_portset_is_all(const npc_portset *s);
int npc_portset_equal(const npc_portset *a, const npc_portset *b);
int npc_portset_contains(const npc_portset *s, npc_proto p, uint16_t port);
/* np-guard's text: "All Connections", "No Connections", or comma-joined
 * "<PROTO> <ranges>" groups in the order SCTP, TCP, UDP, e.g.
 * "TCP 80,8080-8090,UDP 53". */
void npc_portset_format(const npc_portset *s, npc_buf *out);

#endif
