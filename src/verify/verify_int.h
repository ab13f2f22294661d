/* verify: internal interface between its passes.
 *
 *   model.c     what the spec declares, read from the compiler's expanded
 *               flows (npc_unit) and the spec's policies, default-deny and
 *               passthrough: which directions of which pods the spec
 *               restricts, and which flows it declares;
 *   topology.c  the synthesised topology as Namespace and Pod manifests;
 *   probe.c     the endpoints and ports to probe, the evaluation of every
 *               probe on the loaded policies, and the findings;
 *   report.c    the findings as text, JSON or Markdown;
 *   verify.c    the entry points (one run, every combination).
 *
 * Nothing here reads the policies the compiler built: the policies under
 * test are always text loaded through the manifest loaders. */
#ifndef NPC_VERIFY_INT_H
#define NPC_VERIFY_INT_H
#include "eval/eval.h"
#include "model/portset.h"
#include "spec/compiled.h"
#include "spec/spec.h"

/* ------------------------------------------------------------ model.c */

/* A label set in spec strings (topology building, before anything is
 * loaded): keys unique, in insertion order. */
typedef struct vf_kvs {
    npc_kv *items;
    size_t len, cap;
} vf_kvs;

/* Sets k=v unless k is already set; returns 1 when set. */
int vf_kvs_set(npc_arena *a, vf_kvs *l, const char *k, const char *v);
/* Labels that satisfy sel; with violate >= 0, requirement number `violate`
 * (matchLabels first, then expressions) is broken instead. */
void vf_kvs_synth(npc_arena *a, vf_kvs *l, const npc_ssel *sel, int violate);
size_t vf_ssel_count(const npc_ssel *sel); /* number of requirements */

/* What the spec says, for one option combination. */
typedef struct vf_model {
    npc_spec *s;
    npc_ctx *ctx;
    const char *engine;
    const char *ingress_limit; /* what the engine cannot deny at ingress, or NULL */
    npc_compiled *comp;        /* only its units are read */
    const npc_unit *units;
    size_t nunits;
    int enabled;       /* spec.when */
    uint8_t (*pol)[2]; /* per spec policy: rendered with rules or isolation in a direction */
    int deny_dirs[2];  /* the default-deny, when active */
    const char **deny_ns;
    size_t ndeny_ns;
    int has_passthrough; /* passthrough rules of the engine are active */
    npc_loc pt_loc;      /* the first of them */
} vf_model;

/* Compiles the spec with its current options and derives the model.
 * Returns 0 after reporting diagnostics. */
int vf_model_init(vf_model *m, npc_spec *s, const char *engine);
void vf_model_free(vf_model *m);

/* An endpoint as the model sees it: a pod (labels and its namespace's
 * labels, read from the loaded cluster) or an address. */
typedef struct vf_view {
    int external;
    const npc_cluster *c;
    const npc_workload *wl; /* pods */
    const char *ns;         /* pods: namespace name */
    npc_ip ip;              /* external, or the pod's first address */
    int has_ip;
} vf_view;

/* Whether a unit has a peer that is the engine's kube-apiserver entity:
 * the topology then gives the API server the address VF_APISERVER_IP. */
int vf_model_apiserver(const vf_model *m);
#define VF_APISERVER_IP "192.0.2.1"

/* Whether peer p (a unit's peer, resolved) matches endpoint e; a PODS
 * peer in the "same" namespace is relative to namespace same_ns. */
int vf_peer_matches(const vf_model *m, const npc_speer *p, const vf_view *e, const char *same_ns);
/* A component-kind peer (COMPONENT, ALL_COMPONENTS): the side of a flow
 * that carries a rule. */
int vf_peer_is_component(const npc_speer *p);
/* Whether the spec restricts direction dir of pod e (a policy that carries
 * rules or isolation in dir selects it, or the default-deny covers it). */
int vf_governed(const vf_model *m, const vf_view *e, npc_dir dir);
/* The policy that carries side `side` of flow f after `when`/`otherwise`
 * (docs/spec.md), or -1 when that policy is off; *named (may be NULL)
 * receives the policy named before following `otherwise` (-1: none). */
int vf_carrier(npc_spec *s, const npc_flow *f, const npc_speer *side, int *named);
/* Whether unit u's ports hold (proto, port) towards destination dst. */
int vf_unit_port(const vf_model *m, const npc_unit *u, npc_proto proto, uint16_t port,
                 const vf_view *dst);
/* The same for every port at once: adds the ports of u towards dst to out. */
void vf_unit_portset(const vf_model *m, const npc_unit *u, const vf_view *dst, npc_portset *out);

/* --------------------------------------------------------- topology.c */

/* The synthesised topology of the model, as Namespace and Pod manifests
 * (YAML stream), with a role comment per pod. Appends to out. */
void vf_topology_yaml(const vf_model *m, npc_buf *out);

/* ------------------------------------------------------------ probe.c */

/* Unenforceable: an excess the engine cannot close - allowed by no rule at
 * the ingress of a pod the spec restricts, from a source the engine's
 * ingress rules cannot select (m->ingress_limit). */
typedef enum vf_kind { VF_MISSING, VF_EXCESS, VF_UNENFORCEABLE } vf_kind;

/* One finding: a pair, the probed connections that share what decided. */
typedef struct vf_finding {
    vf_kind kind;
    char *src, *dst;    /* endpoint names */
    char *what;         /* the rule or isolation that decided, per direction */
    char *flow;         /* the spec flow: "file:line:col" or NULL */
    char *purpose;      /* its purpose, or NULL */
    int by_passthrough; /* missing: declared by the passthrough rules at `flow` */
    npc_portset conns;  /* the probed connections */
} vf_finding;

typedef struct vf_result {
    NPC_VEC(vf_finding) findings; /* sorted: missing first, then by src, dst */
    NPC_VEC(char *) notes;        /* what the spec itself leaves open */
    size_t endpoints, probes, policies;
    size_t missing, excess, unenforceable;
    const char *ingress_limit; /* the engine's, for the unenforceable findings */
    int strict;                /* unenforceable findings fail the run */
} vf_result;

/* Whether r fails verification: missing or excess flows, or unenforceable
 * ones when strict. */
int vf_result_fails(const vf_result *r);

/* Evaluates every probe of the model on cluster c (topology and policies
 * loaded; the evaluator built). pt_with / pt_without (both or neither):
 * the spec's rendering with and without its passthrough rules, over the
 * same topology, to tell which allowed flows the passthrough declares.
 * probes (may be NULL) receives every probe and its verdict (netpolc.h). */
void vf_probe(const vf_model *m, npc_cluster *c, npc_cluster *pt_with, npc_cluster *pt_without,
              npc_buf *probes, vf_result *r);
void vf_result_free(vf_result *r);

/* ----------------------------------------------------------- report.c */

typedef struct vf_run_info {
    const char *spec_file;
    const char *engine;
    const char *policies;    /* "rendering" or the --policies paths */
    const char *combination; /* NULL: a single run */
} vf_run_info;

void vf_report(const vf_run_info *info, const vf_result *r, npc_verify_format fmt, npc_buf *out);
/* One line (text, md) or one object (json) per combination. */
void vf_report_combo_begin(npc_verify_format fmt, npc_buf *out);
void vf_report_combo(const vf_run_info *info, const vf_result *r, npc_verify_format fmt, int first,
                     npc_buf *out);
/* nfailed: combinations that fail; nopen: combinations with unenforceable
 * flows. */
void vf_report_combo_end(npc_verify_format fmt, size_t ncombos, size_t nfailed, size_t nopen,
                         npc_buf *out);

#endif
