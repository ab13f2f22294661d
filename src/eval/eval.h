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

/* The conns of computed items are read-only: items with equal sets share
 * their port arrays, owned by `pool` (one per distinct set; such items have
 * cap 0). npc_connlist_free frees the pool and any item set with its own
 * capacity (a list built by hand). */
typedef struct npc_connlist {
    NPC_VEC(npc_conn) items;
    NPC_VEC(npc_portset) pool;
} npc_connlist;

/* Builds the evaluator state for c (classes, selections, ranges). Idempotent.
 * Returns NPC_OK or NPC_ERR_INPUT after reporting diagnostics. */
npc_status npc_eval_build(npc_cluster *c);
/* Units of evaluation work done so far on c (selector tests, rules looked
 * at, candidate pairs, external ranges decided; 0 before npc_eval_build):
 * a machine-independent measure of how the analysis grows with the input. */
uint64_t npc_eval_work(const npc_cluster *c);
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
 * generated suffix) or an IP address (the pod's workload when a pod has
 * that address in status.podIP(s), else an external endpoint). Returns 1,
 * or 0 after writing why into err. */
int npc_flow_end_parse(npc_cluster *c, const char *text, npc_flow_end *out, npc_buf *err);
/* "ns/name[Kind]" or the address. */
void npc_flow_end_format(const npc_cluster *c, const npc_flow_end *e, npc_buf *out);

/* Evaluates one flow (after npc_eval_build). Returns 1 when allowed.
 * reason (may be NULL) receives one line saying what decided; chain (may
 * be NULL) the decision chain of both directions through every tier. */
int npc_flow_eval(npc_cluster *c, const npc_flow_end *src, const npc_flow_end *dst, npc_proto proto,
                  uint16_t port, npc_buf *reason, npc_buf *chain);

#define NPC_NO_LAYER UINT32_MAX

/* What decided one direction of one flow (verdict.c). */
typedef enum npc_why_kind {
    NPC_WHY_RULE,     /* rule `rule` of `policy` allowed, denied or passed (action) */
    NPC_WHY_ISOLATED, /* `policy` isolates the subject in an isolating layer; no rule allows */
    NPC_WHY_DEFAULT,  /* no layer decided: allowed */
    NPC_WHY_EXTERNAL, /* the subject is external: no policy applies */
    NPC_WHY_LOCALHOST /* Cilium: the peer is the subject's own node (allow-localhost) */
} npc_why_kind;

typedef struct npc_why {
    npc_why_kind kind;
    uint32_t layer;    /* RULE, ISOLATED: index into c->layers; NPC_NO_LAYER otherwise */
    npc_action action; /* RULE */
    uint32_t policy;   /* RULE, ISOLATED: index into c->policies */
    uint32_t rule;     /* RULE: index into the policy's rules */
} npc_why;

/* The steps in layer order: passes, then what decided (one rule; the
 * allowing rules of an additive layer; one ISOLATED step per isolating
 * policy; DEFAULT; EXTERNAL). */
typedef struct npc_verdict {
    int allowed;
    NPC_VEC(npc_why) steps;
} npc_verdict;

/* Fills the verdicts of src's egress and dst's ingress for one flow
 * (zero-initialised or reused; free with npc_verdict_free). Returns 1 when
 * the flow is allowed. */
int npc_flow_verdicts(npc_cluster *c, const npc_flow_end *src, const npc_flow_end *dst,
                      npc_proto proto, uint16_t port, npc_verdict *egress, npc_verdict *ingress);
void npc_verdict_free(npc_verdict *v);

/* Every port of one flow at once: the ports src's egress allows towards
 * dst and dst's ingress allows from src, as npc_flow_verdicts decides them
 * one port at a time (the same decision functions; an external subject
 * allows everything). sc: scratch reused between calls (NULL at first,
 * freed with npc_flow_scratch_free). */
typedef struct npc_flow_scratch npc_flow_scratch;
void npc_flow_allowed(npc_cluster *c, npc_flow_scratch **sc, const npc_flow_end *src,
                      const npc_flow_end *dst, npc_portset *egress, npc_portset *ingress);
void npc_flow_scratch_free(npc_flow_scratch *sc);
/* "  <layer> tier: ..." lines of a workload subject's chain, every layer
 * of the cluster in order up to the one that decided. */
void npc_verdict_format_chain(const npc_cluster *c, uint32_t subj_workload, npc_dir dir,
                              const npc_verdict *v, npc_buf *out);
/* What decided, on one line. */
void npc_verdict_format_reason(const npc_cluster *c, npc_dir dir, const npc_verdict *v,
                               npc_buf *out);
/* "NetworkPolicy ns/name", "AdminNetworkPolicy name (priority 10)"; a rule
 * adds " ingress rule 0 \"name\" at file:line:col". */
void npc_policy_format(const npc_cluster *c, const npc_policy *pol, npc_buf *out);
void npc_rule_format(const npc_cluster *c, const npc_policy *pol, const npc_rule *r, npc_buf *out);

/* ------------------------------------------------- pair explanations */

/* One step of a direction's decision (explain.c). */
typedef enum npc_expl_kind {
    NPC_EXPL_RULE,     /* rule `rule` of `policy` matched: its action allowed, denied or passed */
    NPC_EXPL_NO_RULES, /* `policy` isolates the subject and has no rule of the direction */
    NPC_EXPL_NO_PEER,  /* `policy` isolates the subject; none of its rules selects the peer */
    NPC_EXPL_PORTS,    /* `policy` isolates; its rule `rule` selects the peer, not these ports */
    NPC_EXPL_NAMED_PORTS, /* as NPC_EXPL_PORTS, but the rule's named ports name no port of the
                           * destination */
    NPC_EXPL_DEFAULT,     /* no tier decided: allowed by default */
    NPC_EXPL_LOCALHOST    /* Cilium: the subject's own node (allow-localhost): allowed */
} npc_expl_kind;

typedef struct npc_expl_step {
    npc_expl_kind kind;
    uint32_t policy; /* index into c->policies (not for NPC_EXPL_DEFAULT) */
    uint32_t rule;   /* index into the policy's rules (RULE, PORTS, NAMED_PORTS) */
} npc_expl_step;

/* How one direction decided a port range: the steps in evaluation order
 * (passes first, then what decided). An external subject takes no policy:
 * one NPC_EXPL_DEFAULT step. */
typedef struct npc_expl_dir {
    uint8_t allowed;
    npc_expl_step *steps;
    uint32_t nsteps;
} npc_expl_dir;

/* A port range of one protocol on which both directions decide alike. */
typedef struct npc_expl_range {
    npc_proto proto;
    uint16_t lo, hi;
    npc_expl_dir dir[2]; /* [NPC_DIR_EGRESS]: src's egress; [NPC_DIR_INGRESS]: dst's ingress */
} npc_expl_range;

/* The whole port space of every protocol, as maximal ranges in protocol
 * then port order. */
typedef struct npc_expl_pair {
    NPC_VEC(npc_expl_range) ranges;
    /* Per direction: the admin tier allows the peer some ports and the
     * NetworkPolicy tier, isolating the subject, none outside the admin
     * tier's denials (netpol-analyzer then gives the isolation's denials no
     * reason: explain.c). */
    uint8_t isolation_silent[2];
} npc_expl_pair;

/* Explains every port of src -> dst (after npc_eval_build). An external
 * endpoint is a range on which the rules agree (as npc_connlist_compute
 * yields them). Returns NPC_OK. */
npc_status npc_explain_pair(npc_cluster *c, const npc_endpoint *src, const npc_endpoint *dst,
                            npc_expl_pair *out);
void npc_expl_pair_free(npc_expl_pair *p);
/* The external ranges of direction dir (NPC_DIR_EGRESS: destinations of
 * workloads; NPC_DIR_INGRESS: sources), as npc_connlist_compute names them. */
const npc_iprange *npc_explain_ranges(npc_cluster *c, npc_dir dir, uint32_t *n);

/* ------------------------------------------------- exposure analysis */

/* A representative peer: the pods, possibly not in the manifests, that one
 * rule peer's selectors stand for (netpol-analyzer's exposure analysis).
 * ns_sel is the namespace selector (a NetworkPolicy peer without one: the
 * policy's namespace as kubernetes.io/metadata.name); empty selectors mean
 * every namespace / every pod. Identical requirements make one peer. */
typedef struct npc_rep_peer {
    npc_selector ns_sel, pod_sel;
} npc_rep_peer;

/* One exposure line of a workload in one direction: to (egress) or from
 * (ingress) the entire cluster (rep < 0) or representative peer `rep`.
 * named[p] lists the named ports of protocol p a rule allows towards a
 * peer whose ports are unknown (egress); named[NPC_EXPO_OWN_PROTO], those
 * whose protocol is the container port's own (an ANP namedPort), unknown
 * for such a peer. */
#define NPC_EXPO_OWN_PROTO NPC_PROTO_COUNT
typedef struct npc_exposure_item {
    uint32_t workload;
    npc_dir dir;
    int32_t rep;
    npc_portset conns;
    NPC_VEC(npc_sym) named[NPC_PROTO_COUNT + 1];
} npc_exposure_item;

typedef struct npc_exposure {
    NPC_VEC(npc_rep_peer) reps;
    NPC_VEC(npc_exposure_item) items; /* by workload, then direction */
    /* per workload * 2 + dir: 1 when some policy selects it for dir */
    uint8_t *protected_dir;
    /* per workload: 1 when it has exposure data (an item, or unprotected) */
    uint8_t *exposed;
} npc_exposure;

/* Exposure analysis (after npc_eval_build): for every workload and
 * direction, whether policies protect it, the connections the policies
 * allow with the entire cluster, and those with each representative peer
 * that differ from them. Returns NPC_OK. */
npc_status npc_exposure_compute(npc_cluster *c, npc_exposure *out);
void npc_exposure_free(npc_exposure *x);

#endif
