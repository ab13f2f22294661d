/* The compiled spec: what every renderer and the docs table consume.
 *
 * The compiler resolves options and conditions, expands entities and
 * option peers into flow units, assigns each side of a unit to a policy
 * (a flow between two components gives the egress rule on the source's
 * policy and the ingress rule on the destination's), merges rules and sorts
 * everything, so a renderer only maps this engine-neutral model to its
 * dialect's objects. */
#ifndef NPC_SPEC_COMPILED_H
#define NPC_SPEC_COMPILED_H
#include "model/ir.h"
#include "spec/spec.h"

typedef enum npc_cpeer_kind {
    NPC_CP_PODS,    /* pods by namespace and pod selectors */
    NPC_CP_IPBLOCK, /* cidr minus except */
    NPC_CP_FQDN     /* a DNS name; fallback peers for engines without FQDN rules */
} npc_cpeer_kind;

typedef struct npc_cpeer npc_cpeer;
struct npc_cpeer {
    npc_cpeer_kind kind;
    int has_ns; /* PODS: 0 = the policy's own namespace */
    npc_ssel ns_sel;
    int has_pods; /* PODS: 0 = every pod of the namespaces */
    npc_ssel pods;
    const char *cidr;
    const char **except;
    size_t nexcept;
    const char *fqdn;
    npc_cpeer *fallback;
    size_t nfallback;
    const char *entity; /* the named entity this peer stands for, or NULL */
    const char *key;    /* canonical text: equal keys, equal peers */
    npc_loc loc;
};

/* A port condition: proto < 0 with lo == 0 means every port of every
 * protocol (never stored: a rule then has all_ports); lo == 0 and no name
 * means every port of proto. */
typedef struct npc_cport {
    int proto;
    uint16_t lo, hi;
    const char *name;
    const char *app; /* docs only */
    npc_loc loc;
} npc_cport;

typedef struct npc_crule {
    int any_peer; /* no peer restriction */
    npc_cpeer *peers;
    size_t npeers, pcap;
    int all_ports;
    npc_cport *ports;
    size_t nports, portcap;
    const char *key;
    size_t seq; /* creation order: ties in sorting keep it */
} npc_crule;

typedef struct npc_craw {
    const char *engine;
    const npc_node *rule; /* one verbatim rule of that engine */
} npc_craw;

typedef struct npc_cpolicy {
    const char *name; /* rendered name (naming pattern applied) */
    const char *ns;
    npc_ssel subject;    /* empty: every pod of the namespace */
    npc_crule *rules[2]; /* indexed by npc_dir */
    size_t nrules[2], rcap[2];
    int isolate[2]; /* deny-all in that direction, even without rules */
    npc_craw *raw[2];
    size_t nraw[2], rawcap[2];
    npc_loc loc;
} npc_cpolicy;

/* One flow after expansion: peers resolved (no ENTITY or OPTION peers
 * left), ports resolved. Docs rows come from these. */
typedef struct npc_unit {
    const npc_flow *flow;
    npc_speer *from, *to;
    size_t nfrom, fcap, nto, tcap;
    int all_ports;
    npc_cport *ports;
    size_t nports, pcap;
} npc_unit;

typedef struct npc_compiled {
    npc_spec *spec;
    npc_arena *arena;
    int enabled;           /* spec.when */
    npc_cpolicy *policies; /* sorted by namespace, then name */
    size_t npolicies, pcap;
    npc_unit *units;
    size_t nunits, ucap;
} npc_compiled;

/* Compiles spec with its current options. Returns NULL after reporting
 * errors. Free with npc_compiled_free(). */
npc_compiled *npc_compile(npc_spec *spec);
void npc_compiled_free(npc_compiled *c);

/* Text of a port set entry for sorting and docs: numbers compare as numbers. */
int npc_cport_cmp(const npc_cport *a, const npc_cport *b);

#endif
