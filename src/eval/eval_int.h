/* Evaluator internals, shared by the files of src/eval/.
 *
 * Pass 1 (build.c) groups workloads into classes: workloads with the same
 * namespace, labels, named container ports and external atoms of their IPs
 * are indistinguishable to every policy. Pass 2 splits the address space
 * into atoms: the disjoint ranges whose boundaries are those of the IP
 * peers of all policies. Pass 3 (select.c) resolves each distinct selector
 * once through label posting lists into a sorted set of classes. Pass 4
 * gives each class, per direction, the ordered list of policies that select
 * it ("profile", shared between classes with the same list). Evaluation
 * (decide.c) walks a profile's layers for one peer, one decision function
 * per layer. */
#ifndef NPC_EVAL_INT_H
#define NPC_EVAL_INT_H
#include "eval/eval.h"

typedef NPC_VEC(uint32_t) ev_u32vec;

/* A sorted set of ids, with a bitset kept beside it when dense. */
typedef struct ev_set {
    uint32_t *ids;
    uint32_t n;
    uint64_t *bits; /* NULL unless dense */
} ev_set;

int ev_set_has(const ev_set *s, uint32_t id);

typedef struct ev_class {
    uint32_t ns;
    const npc_labels *labels;
    const npc_container_port *ports;
    uint32_t nports;
    uint32_t *atoms; /* sorted atoms holding the workloads' IPs */
    uint32_t natoms;
    uint32_t first_wl; /* a representative workload */
    uint32_t node;     /* index + 1 into c->nodes of the pods' node; 0 unknown */
    uint8_t host_network;
} ev_class;

/* A peer of a rule, resolved: classes it selects and atom intervals. */
typedef struct ev_peer {
    uint8_t any;                 /* NPC_PEER_ANY */
    uint8_t ext_only;            /* the atoms match only when they are no node's address */
    uint16_t entities;           /* NPC_PEER_ENTITY: matched on atoms by ev_entity_atom */
    const ev_set *classes;       /* NULL: none */
    uint32_t *atom_lo, *atom_hi; /* inclusive atom index intervals */
    uint32_t natoms;
} ev_peer;

/* A rule, resolved. */
typedef struct ev_rule {
    const npc_rule *r;
    uint32_t policy;
    ev_peer *peers;
    uint32_t npeers;
    npc_portset numeric; /* ports without names */
    uint8_t has_named;
} ev_rule;

/* The policies of one layer in a profile: policies[from..to). */
typedef struct ev_seg {
    uint32_t layer; /* index into c->layers */
    uint32_t from, to;
    uint8_t selects[2]; /* per direction: one of the policies affects it */
} ev_seg;

/* Per direction: the policies selecting a class in evaluation order, cut
 * into one segment per layer that has some (in layer order). */
typedef struct ev_profile {
    uint32_t *policies;
    uint32_t n;
    ev_seg *segs;
    uint32_t nsegs;
} ev_profile;

/* An endpoint for evaluation: a class or an atom (or, for exposure
 * analysis, a virtual peer: is_atom == EV_EP_VIRTUAL; no named ports). */
typedef struct ev_ep {
    int is_atom;
    uint32_t id;
} ev_ep;
#define EV_EP_VIRTUAL 2

typedef struct npc_eval {
    npc_cluster *c;
    /* classes */
    ev_class *classes;
    uint32_t nclasses;
    uint32_t *wl_class;              /* workload -> class */
    uint32_t *cls_wl_start, *cls_wl; /* class -> its workloads (CSR) */
    /* atoms: sorted disjoint ranges covering the whole 128-bit space */
    npc_iprange *atoms;
    uint32_t natoms;
    /* per direction, the IPv4 ranges induced by the CIDRs of that
     * direction's rules only: the external endpoints a connection list
     * shows (each a union of atoms, on which the direction's rules agree) */
    npc_iprange *out_ranges[2];
    uint32_t nout_ranges[2];
    /* per atom: index + 1 of the node whose address it is (0: none), and
     * whether it is an address of the API server (Cilium entities) */
    uint32_t *atom_node;
    uint8_t *atom_api;
    /* layers in evaluation order (indices into c->layers) */
    uint32_t *layer_order;
    uint32_t nlayers;
    /* policies in evaluation order, and their resolved rules */
    uint32_t *porder;
    uint32_t *rule_base; /* policy -> index of its first ev_rule */
    ev_rule *rules;
    uint32_t nrules;
    /* profiles; class_profile[class * 2 + dir] */
    ev_profile *profiles;
    uint32_t nprofiles;
    uint32_t *class_profile;
    uint8_t *mark; /* nclasses bytes, all 0 between uses */
    /* exposure.c: the peer ev_ep{EV_EP_VIRTUAL, id} (a representative of
     * pods not in the manifests) matches a rule when this says so */
    int (*virt_match)(const struct npc_eval *ev, const ev_rule *r, uint32_t id);
    void *virt_arg;
    /* units of work done (selector tests, rules looked at, candidate
     * pairs, ranges decided): a measure of growth that does not depend on
     * the machine (netpolc-bench reports it; tests/tools/growth_check.py) */
    uint64_t work;
    /* owned selections (freed with the evaluator) */
    NPC_VEC(ev_set *) sets;
    npc_arena *arena;
} npc_eval;

/* select.c */
/* A hash map from uint32 word strings (k[0] = number of words after it)
 * to pointers. Zero-initialise. */
typedef struct ev_keymap {
    uint32_t **keys;
    void **vals;
    size_t cap, len;
} ev_keymap;
/* The value slot for k (NULL when absent and !insert); keys are copied. */
void **ev_km_get(ev_keymap *m, const uint32_t *k, int insert);
void ev_km_free(ev_keymap *m, void (*free_val)(void *));

typedef struct ev_index ev_index;
ev_index *ev_index_new(npc_eval *ev);
void ev_index_free(ev_index *ix);
/* Classes selected by (namespace choice, pod selector); cached per distinct
 * selector pair. ns_same is the policy's namespace for NPC_NS_SAME. */
const ev_set *ev_select_pods(ev_index *ix, npc_ns_mode mode, npc_sym ns_same,
                             const npc_selector *ns_sel, const npc_selector *pod_sel);
/* Classes holding an address in one of the atoms [lo[i], hi[i]]. */
const ev_set *ev_select_atoms(ev_index *ix, const uint32_t *lo, const uint32_t *hi, uint32_t n);
ev_set *ev_set_new(npc_eval *ev, uint32_t *ids, uint32_t n, uint32_t universe);
/* Sets s->bits when s (ids sorted, unique) is dense in 0..universe-1. */
void ev_set_index(ev_set *s, uint32_t universe);

/* decide.c: the one decision function of a layer, and the chain of
 * layers of one direction. connlist (ev_eval_dir), eval, explain
 * (ev_walk_port) and verify all decide through them. */
typedef struct ev_scratch {
    npc_portset undecided, passed, rports, tmp, deny, allow, isolated;
    uint64_t work; /* added to npc_eval.work by its user */
} ev_scratch;

/* Rules of a profile that may match one peer, in evaluation order: keys
 * (k << 32 | index into ev->rules), k the policy's position in the
 * profile, ascending. A chain given such a list decides as with every
 * rule of the profile, provided no rule left out matches the peer. */
typedef struct ev_rulelist {
    const uint64_t *keys;
    uint32_t n;
} ev_rulelist;
void ev_scratch_free(ev_scratch *s);

/* One step of a decision, rich enough for the verdicts (verdict.c) and
 * the pair explanations (explain.c). kind NPC_EXPL_RULE: rule `rule` of
 * `policy` matched with `action`; NO_RULES, NO_PEER, PORTS, NAMED_PORTS:
 * isolating policy `policy` of layer `layer` did not allow (action Deny);
 * DEFAULT: no layer decided (layer UINT32_MAX). */
typedef struct ev_step {
    npc_expl_kind kind;
    uint32_t layer;
    npc_action action;
    uint8_t more; /* an allowing rule of an additive layer after another of its policy */
    uint32_t policy, rule;
} ev_step;
typedef NPC_VEC(ev_step) ev_stepvec;
#define EV_NO_LAYER NPC_NO_LAYER

/* What one layer decides for subject class subj in direction dir and peer
 * p, on the ports `undecided`: the disjoint subsets it allows, denies (by a
 * rule, or at its end when it isolates the subject) and passes to the next
 * layer (seg: one segment of profile pr). trace (may be NULL) receives the
 * steps that decided the trace's port; `undecided` is then that port
 * alone. */
typedef struct ev_trace {
    ev_stepvec *steps;
    npc_proto proto;
    uint16_t port;
} ev_trace;
void ev_layer_decide(const npc_eval *ev, ev_scratch *sc, uint32_t subj, npc_dir dir, ev_ep p,
                     const ev_profile *pr, const ev_seg *seg, const ev_rulelist *only,
                     const npc_portset *undecided, npc_portset *allow, npc_portset *deny,
                     npc_portset *pass, ev_trace *trace);
/* The ports allowed in direction dir for subject class subj and peer p
 * (ingress: p is the source; egress: p the destination), through every
 * layer in order; what no layer decides is allowed. With trace, only the
 * trace's port is decided and its steps recorded (out holds it or not).
 * only (NULL: every rule): the rules that may match p (no trace then). */
void ev_chain(const npc_eval *ev, ev_scratch *sc, uint32_t subj, npc_dir dir, ev_ep p,
              const ev_rulelist *only, npc_portset *out, ev_trace *trace);

/* eval.c */
/* scratch: reused between calls (zero-initialise; free with ev_scratch_free). */
void ev_eval_dir(const npc_eval *ev, ev_scratch *scratch, uint32_t subj, npc_dir dir, ev_ep p,
                 npc_portset *out);
/* Whether rule r selects peer p of subject class subj (host and
 * remote-node are relative to the subject's node). */
int ev_peer_matches(const npc_eval *ev, const ev_rule *r, uint32_t subj, ev_ep p);
/* Whether atom a is one of the entities (npc_entity bits) for subject
 * class subj. */
int ev_entity_atom(const npc_eval *ev, unsigned entities, uint32_t subj, uint32_t a);
/* The rule's ports for destination dst (named ports resolved there; an atom
 * destination matches no named port). */
void ev_rule_ports(const npc_eval *ev, const ev_rule *r, ev_ep dst, npc_portset *out);
uint32_t ev_atom_of(const npc_eval *ev, npc_ip ip);
/* Whether a rule of direction dir in the profile names ports by name. */
int ev_profile_has_named(const npc_eval *ev, const ev_profile *pr, npc_dir dir);

/* pairs.c */
/* Called once per ordered class pair (a, b) with a non-empty allowed set
 * (conns: src a's egress & dst b's ingress; read-only, valid during the
 * call). Pairs a == b are reported only when the class has two workloads. */
typedef void (*ev_pair_emit)(void *arg, uint32_t a, uint32_t b, const npc_portset *conns);
/* Every class pair with a connection, output-sensitively (see pairs.c);
 * uses ev->mark and, while it runs, ev->virt_match. */
void ev_pairs_compute(npc_eval *ev, ev_scratch *sc, ev_pair_emit emit, void *arg);

/* walk.c */
/* The class (workload) or atom (external address) of an endpoint. */
ev_ep ev_ep_of(const npc_eval *ev, npc_ep_kind kind, uint32_t workload, npc_ip ip);

/* Walks the layers of direction dir at class subj for peer and one port:
 * fills v (reset first) with the steps in evaluation order (passes, then
 * what decided: one rule; every allowing rule of an additive layer; one
 * step per policy of an isolating layer that denies; DEFAULT). Returns 1
 * when the port is allowed. */
int ev_walk_port(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep peer, npc_proto proto,
                 uint16_t port, ev_stepvec *v);

#endif
