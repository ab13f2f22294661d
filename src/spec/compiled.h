/* The compiled spec: what every renderer and the docs table consume.
 *
 * The compiler resolves options and conditions, expands entities and
 * option peers into flow units, assigns each side of a unit to a policy
 * (a flow between two components gives the egress rule on the source's
 * policy and the ingress rule on the destination's), merges rules and sorts
 * everything, and emits the policies as IR, so a renderer only maps the
 * engine-neutral IR to its dialect's objects. */
#ifndef NPC_SPEC_COMPILED_H
#define NPC_SPEC_COMPILED_H
#include "model/ir.h"
#include "spec/spec.h"

/* A port of an expanded flow, in the spec's terms: proto < 0 with lo == 0
 * means every port of every protocol (never stored: a unit then has
 * all_ports); lo == 0 and no name means every port of proto. */
typedef struct npc_cport {
    int proto;
    uint16_t lo, hi;
    const char *name;
    const char *app; /* docs only */
    npc_loc loc;
} npc_cport;

/* One verbatim rule of one engine (the spec's passthrough). */
typedef struct npc_craw {
    const char *engine;
    const npc_node *rule;
} npc_craw;

/* What only renderers need of a compiled policy, beside its IR
 * (npc_compiled.ir->policies.items[i] and npc_compiled.annex[i]). */
typedef struct npc_rule_src {
    const npc_flow **flows; /* the spec flows the rule came from (merged rules: several) */
    size_t nflows;
} npc_rule_src;

typedef struct npc_annex {
    const char *name; /* rendered name (naming pattern applied) */
    const char *ns;
    int isolate[2];   /* deny-all in that direction, even without rules */
    npc_craw *raw[2]; /* passthrough rules per direction, every engine's */
    size_t nraw[2];
    npc_rule_src *rules; /* provenance, parallel to the IR policy's rules */
    int default_deny;    /* the spec's defaultDeny layer (lower precedence) */
    npc_loc loc;
} npc_annex;

/* One flow after expansion: peers resolved (no OPTION peers left; ENTITY
 * peers only for entities the engine names natively), ports resolved. Docs rows come from these. */
typedef struct npc_unit {
    const npc_flow *flow;
    npc_speer *from, *to;
    size_t nfrom, fcap, nto, tcap;
    int all_ports;
    npc_cport *ports;
    size_t nports, pcap;
} npc_unit;

/* The compiled spec. The policies are IR (model/ir.h), the same structures
 * the manifest loaders produce: ir->policies, sorted by namespace then name,
 * all in the namespace layer (allowlists; the default-deny policies carry
 * annex.default_deny); a renderer maps each to its dialect, reading the
 * annex for names, passthrough and provenance. */
typedef struct npc_compiled {
    npc_spec *spec;
    npc_arena *arena;
    int enabled;      /* spec.when */
    int bad_names;    /* npc_compile_keep_bad_names: a name is invalid (NPC302) */
    npc_cluster *ir;  /* the policies (no namespaces or workloads) */
    npc_annex *annex; /* parallel to ir->policies */
    npc_unit *units;
    size_t nunits, ucap;
    unsigned char *policy_on; /* per spec policy: it selects pods in some direction */
} npc_compiled;

/* Compiles spec with its current options for engine (NULL: engine-neutral,
 * every entity as its parts; otherwise the built-in entities the engine
 * names natively stay entity peers, spec/entities.c). Returns NULL after
 * reporting errors. Free with npc_compiled_free(). */
npc_compiled *npc_compile(npc_spec *spec, const char *engine);
/* As npc_compile, but when the only errors are invalid object names
 * (NPC302) returns the policies anyway with bad_names set, so that a
 * renderer's own checks report in the same run; its output must not be
 * written. */
npc_compiled *npc_compile_keep_bad_names(npc_spec *spec, const char *engine);
void npc_compiled_free(npc_compiled *c);
/* Nothing silent: warns once per component (NPC123) when the options leave
 * a component that flows name without any policy selecting it (its flows
 * all off), so its pods are not isolated. For docs and verify. */
void npc_compiled_warn_unisolated(npc_compiled *c);

/* Text of a port set entry for sorting and docs: numbers compare as numbers. */
int npc_cport_cmp(const npc_cport *a, const npc_cport *b);

#endif
