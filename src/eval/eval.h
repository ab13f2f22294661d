/* The evaluator's interface: connection lists and single flows over a
 * loaded npc_cluster. Implementation: src/eval/. Consumers: src/report/
 * (output formats) and src/cli/. */
#ifndef NPC_EVAL_EVAL_H
#define NPC_EVAL_EVAL_H
#include "model/ir.h"
#include "model/portset.h"

typedef enum npc_ep_kind { NPC_EP_WORKLOAD, NPC_EP_EXTERNAL } npc_ep_kind;

/* A connection end: a workload (index into c->workloads) or an external
 * address range (one of the disjoint ranges induced by the policies' CIDRs). */
typedef struct npc_endpoint {
    npc_ep_kind kind;
    uint32_t workload;
    npc_iprange range;
} npc_endpoint;

/* One allowed connection: src may open conns to dst. */
typedef struct npc_conn {
    npc_endpoint src, dst;
    npc_portset conns;
} npc_conn;

typedef struct npc_connlist {
    NPC_VEC(npc_conn) items;
} npc_connlist;

/* Builds the evaluator state for c (classes, selections, ranges). Idempotent.
 * Returns NPC_OK or NPC_ERR_INPUT after reporting diagnostics. */
npc_status npc_eval_build(npc_cluster *c);
/* Every ordered pair of distinct endpoints with a non-empty allowed set
 * (workload<->workload, workload<->external IPv4 range), in no particular
 * order; reports sort. The external ranges of workload -> external pairs
 * are those induced by the CIDRs of egress rules, those of external ->
 * workload pairs by the CIDRs of ingress rules (as netpol-analyzer shows
 * them). */
npc_status npc_connlist_compute(npc_cluster *c, npc_connlist *out);
void npc_connlist_free(npc_connlist *l);

/* ------------------------------------------------------- single flows */

/* An endpoint of one flow: a workload, or one external address. */
typedef struct npc_flow_end {
    npc_ep_kind kind;
    uint32_t workload;
    npc_ip ip;
} npc_flow_end;

/* Resolves "NS/NAME" (NAME: a workload's name, or a pod name of it: a bare
 * Pod, a StatefulSet pod name-<ordinal>, a pod named after its owner plus a
 * generated suffix) or an IP address. Returns 1, or 0 after writing why
 * into err. */
int npc_flow_end_parse(npc_cluster *c, const char *text, npc_flow_end *out, npc_buf *err);
/* "ns/name[Kind]" or the address. */
void npc_flow_end_format(const npc_cluster *c, const npc_flow_end *e, npc_buf *out);

/* Evaluates one flow (after npc_eval_build). Returns 1 when allowed.
 * reason (may be NULL) receives one line saying what decided; chain (may
 * be NULL) the decision chain of both directions through every tier. */
int npc_flow_eval(npc_cluster *c, const npc_flow_end *src, const npc_flow_end *dst,
                  npc_proto proto, uint16_t port, npc_buf *reason, npc_buf *chain);

#endif
