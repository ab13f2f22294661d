/* The intermediate representation every policy dialect lowers into, and the
 * cluster model it is evaluated against.
 *
 * Policies sit in precedence layers (npc_layer: admin, namespace, baseline,
 * or a dialect's own); each layer has a mode that says how its rules
 * combine and what happens at its end. A rule
 * has a direction, an action, peers and ports. The evaluator knows only this
 * file; loaders (src/model/load_*.c) build it from Kubernetes objects and the
 * compiler's output is checked by loading it back.
 *
 * Memory: everything hangs off npc_cluster and its arena; strings and label
 * keys/values are interned symbols of the context (npc_sym).
 */
#ifndef NPC_MODEL_IR_H
#define NPC_MODEL_IR_H
#include <stdint.h>

#include "model/ipnet.h"
#include "netpolc.h"
#include "text/tree.h"
#include "util/alloc.h"
#include "util/intern.h"
#include "util/vec.h"

/* ------------------------------------------------------------- labels */

typedef struct npc_label {
    npc_sym key, value;
} npc_label;

/* A label set, sorted by key (keys unique). */
typedef struct npc_labels {
    npc_label *items;
    uint32_t len;
} npc_labels;

/* Value of key in ls, or 0 when absent. */
npc_sym npc_labels_get(const npc_labels *ls, npc_sym key);

typedef enum npc_sel_op { NPC_SEL_IN, NPC_SEL_NOTIN, NPC_SEL_EXISTS, NPC_SEL_NOTEXISTS } npc_sel_op;

typedef struct npc_sel_expr {
    npc_sel_op op;
    npc_sym key;
    npc_sym *values; /* sorted, unique (IN / NOTIN) */
    uint32_t nvalues;
    uint8_t from_match_labels; /* written as matchLabels (reports show "k=v") */
    /* The values as the policy lists them, order and repeats kept (reports
     * print these); NULL when they are `values` (built, not read). */
    npc_sym *written;
    uint32_t nwritten;
} npc_sel_expr;

struct npc_csel; /* model/calico_selector.h */

/* A label selector (matchLabels lowered to single-value IN expressions).
 * No expressions: matches everything. Calico's selector language adds a
 * residual expression tree for what the terms cannot state (||, substring
 * operators): a label set matches when it matches every term and the
 * tree. The evaluator narrows with the terms and checks the tree on what
 * they leave. */
typedef struct npc_selector {
    npc_sel_expr *exprs;
    uint32_t nexprs;
    const struct npc_csel *tree;         /* NULL: none */
    npc_sym tree_key;                    /* the tree's canonical text, interned */
    const struct npc_interner *tree_str; /* the interner of the tree's symbols */
} npc_selector;

int npc_selector_matches(const npc_selector *sel, const npc_labels *ls);
int npc_selector_is_empty(const npc_selector *sel); /* matches everything */

/* ------------------------------------------------------------- ports */

typedef enum npc_proto { NPC_PROTO_TCP, NPC_PROTO_UDP, NPC_PROTO_SCTP, NPC_PROTO_COUNT } npc_proto;
#define NPC_PROTO_ALL_MASK 7u
const char *npc_proto_name(npc_proto p);            /* "TCP", "UDP", "SCTP" */
int npc_proto_parse(const char *s, npc_proto *out); /* case-sensitive like the API */

/* One port condition of a rule: protocols in proto_mask, and either the
 * numbers lo..hi (1..65535 for "all ports") or a named container port,
 * resolved against the destination pod (ingress: the subject; egress: the
 * peer). A named port never matches an IP peer. */
typedef struct npc_port_match {
    uint8_t proto_mask; /* 1 << npc_proto */
    uint16_t lo, hi;
    npc_sym name; /* nonzero for a named port */
    npc_loc loc;
} npc_port_match;

/* --------------------------------------------------------------- peers */

typedef enum npc_ns_mode {
    NPC_NS_SAME,     /* the policy's own namespace (NetworkPolicy podSelector peer) */
    NPC_NS_SELECTOR, /* namespaces matching ns_sel (empty selector: all) */
    /* namespaces by name (ns_names); ns_sel holds the equivalent selector
     * on kubernetes.io/metadata.name, which is what the evaluator reads;
     * renderers write the names in their dialect's form */
    NPC_NS_NAMES,
} npc_ns_mode;

typedef enum npc_peer_kind {
    NPC_PEER_ANY,    /* every endpoint, in-cluster or external (NP rule without from/to) */
    NPC_PEER_PODS,   /* pods chosen by namespace and pod selectors */
    NPC_PEER_IPS,    /* IP ranges: ipBlock minus except, ANP/CNP networks */
    NPC_PEER_NODES,  /* ANP/CNP node selector (evaluated as matching no pod) */
    NPC_PEER_FQDN,   /* a DNS name: the addresses the cluster's DNS answers give it */
    NPC_PEER_ENTITY, /* Cilium reserved identities (npc_peer.entities) */
} npc_peer_kind;

/* Cilium's reserved entities, as seen from the enforcing endpoint (see
 * docs/analysis.md): host is the subject's own node, remote-node every
 * other node, kube-apiserver the API server's backends, world every
 * address that is neither a pod nor a node, cluster every pod and node,
 * all everything. init, health, ingress and unmanaged stand for
 * endpoints the cluster model has none of. */
typedef enum npc_entity_bit {
    NPC_ENT_WORLD = 1u << 0,
    NPC_ENT_CLUSTER = 1u << 1,
    NPC_ENT_HOST = 1u << 2,
    NPC_ENT_REMOTE_NODE = 1u << 3,
    NPC_ENT_KUBE_APISERVER = 1u << 4,
    NPC_ENT_ALL = 1u << 5,
    NPC_ENT_INIT = 1u << 6,
    NPC_ENT_HEALTH = 1u << 7,
    NPC_ENT_UNMANAGED = 1u << 8,
    NPC_ENT_INGRESS = 1u << 9,
} npc_entity_bit;
/* The entity named s ("world", "kube-apiserver", ...; world-ipv4 and
 * world-ipv6 are world): its bit, or 0. npc_entity_name: the name of one
 * bit. */
unsigned npc_entity_parse(const char *s);
const char *npc_entity_name(unsigned bit);

typedef struct npc_peer npc_peer;
struct npc_peer {
    npc_peer_kind kind;
    npc_ns_mode ns_mode;
    npc_selector ns_sel;
    npc_selector pod_sel;
    npc_sym *ns_names; /* NPC_NS_NAMES: sorted by text, unique */
    uint32_t nns;
    npc_iprange *ranges; /* IPS: disjoint, sorted */
    uint32_t nranges;
    /* IPS as written, for renderers: cidr minus except (cidr 0: every
     * address, IPv4 and IPv6) */
    npc_sym cidr;
    npc_sym *except; /* sorted by text */
    uint32_t nexcept;
    /* FQDN: the name, and the peers that stand for it on an engine that
     * cannot select names */
    npc_sym fqdn;
    npc_peer *fallback;
    uint32_t nfallback;
    /* the traffic spec's entity this peer is a part of (dns,
     * kube-apiserver, any-ip, ...), 0 otherwise: an engine with native
     * entities renders the entity instead of its parts */
    npc_sym entity;
    /* ENTITY: the entities (npc_entity bits) */
    uint16_t entities;
    /* IPS: the ranges select external addresses only, never pods or
     * nodes (Cilium CIDR rules), unlike a Kubernetes ipBlock */
    uint8_t external_only;
    /* FQDN: fqdn is a pattern ('*' wildcards: Cilium matchPattern) */
    uint8_t fqdn_pattern;
    npc_loc loc;
};

/* --------------------------------------------------------------- rules */

typedef enum npc_dir { NPC_DIR_INGRESS, NPC_DIR_EGRESS } npc_dir;
typedef enum npc_action { NPC_ACT_ALLOW, NPC_ACT_DENY, NPC_ACT_PASS } npc_action;

typedef struct npc_rule {
    npc_dir dir;
    npc_action action;
    npc_peer *peers; /* the rule matches a peer matching any of these */
    uint32_t npeers;
    npc_port_match *ports; /* nports == 0: every port of every protocol */
    uint32_t nports;
    npc_sym name;   /* rule name where the dialect has one */
    uint32_t index; /* position among the policy's rules of this direction */
    npc_loc loc;
} npc_rule;

/* ------------------------------------------------------------- layers */

/* Precedence layers, as data. Each dialect registers the layers its
 * policies sit in (npc_cluster_layer); a direction of a flow walks the
 * layers in ascending order, carrying the ports not decided yet, and what
 * no layer decided is allowed (Kubernetes: not isolated; Calico: the
 * profile allows). */
typedef enum npc_layer_mode {
    /* policies by (order, name), rules in order; the first rule that
     * matches a port decides it: Allow, Deny, or Pass (leave this layer
     * for the next) */
    NPC_MODE_FIRST_MATCH,
    /* order does not matter: a matching Deny wins over any Allow, an
     * Allow over a Pass */
    NPC_MODE_ADDITIVE
} npc_layer_mode;

typedef struct npc_layer {
    npc_sym name; /* "admin", "namespace", "baseline", or a dialect's own */
    double order; /* ascending; ties by name */
    npc_layer_mode mode;
    /* At the end of the layer, the ports no rule decided are denied when
     * some policy of the layer selects the subject for that direction
     * (npc_policy.affects: NetworkPolicy isolation, Calico's end-of-tier
     * deny); 0: they go on to the next layer. */
    uint8_t isolates;
} npc_layer;

typedef enum npc_policy_kind {
    NPC_KIND_NETWORKPOLICY, /* networking.k8s.io/v1 NetworkPolicy */
    NPC_KIND_ANP,           /* policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy */
    NPC_KIND_BANP,          /* .../v1alpha1 BaselineAdminNetworkPolicy */
    NPC_KIND_CNP,           /* .../v1alpha2 ClusterNetworkPolicy */
    NPC_KIND_CILIUM,        /* cilium.io/v2 CiliumNetworkPolicy */
    NPC_KIND_CILIUM_CW,     /* cilium.io/v2 CiliumClusterwideNetworkPolicy */
    NPC_KIND_CALICO_NP,     /* projectcalico.org/v3 NetworkPolicy */
    NPC_KIND_CALICO_GNP,    /* projectcalico.org/v3 GlobalNetworkPolicy */
    NPC_KIND_COUNT
} npc_policy_kind;
const char *npc_policy_kind_name(npc_policy_kind k); /* "NetworkPolicy", ... */

typedef struct npc_policy {
    npc_policy_kind kind;
    uint32_t layer; /* index into npc_cluster.layers */
    /* Position in a first-match layer: ascending (ANP priority, Calico
     * order; HUGE_VAL when a dialect's policy has none); ties by name,
     * then load order. */
    double order;
    npc_sym name;
    npc_sym ns; /* namespace of a namespaced policy, else 0 */
    /* Subject: pods in namespaces chosen by subj_ns_mode/subj_ns_sel whose
     * labels match subj_pod_sel. NetworkPolicy: NPC_NS_SAME. */
    npc_ns_mode subj_ns_mode;
    npc_selector subj_ns_sel;
    npc_selector subj_pod_sel;
    /* Directions the policy applies to (NetworkPolicy policyTypes); a
     * selected pod is isolated in that direction by an isolating layer. */
    uint8_t affects[2]; /* indexed by npc_dir */
    /* Host-network pods are neither in the subject nor in the pod peers
     * (NPC_PEER_PODS) of this policy, as the admin dialects specify. */
    uint8_t skip_host_network;
    npc_rule *rules; /* ingress rules first, then egress, each in order */
    uint32_t nrules;
    npc_loc loc;
} npc_policy;

/* ------------------------------------------------------ cluster objects */

typedef struct npc_namespace {
    npc_sym name;
    npc_labels labels; /* includes kubernetes.io/metadata.name */
    npc_loc loc;
    uint8_t declared; /* 0 when only referenced by a namespaced object */
} npc_namespace;

typedef struct npc_container_port {
    npc_sym name; /* 0 when unnamed */
    uint16_t port;
    npc_proto proto;
} npc_container_port;

/* A workload: a Pod without owner, or the owner whose template stands for
 * its pods (Deployment, StatefulSet, ...). Pods of the same owner merge. */
typedef struct npc_workload {
    npc_sym name;
    npc_sym kind;      /* "Deployment", "Pod", ... as printed in connlist */
    uint32_t ns;       /* index into npc_cluster.namespaces */
    npc_labels labels; /* pod (template) labels */
    npc_container_port *ports;
    uint32_t nports;
    npc_ip *ips; /* known pod IPs (status.podIP/podIPs), if any */
    uint32_t nips;
    uint32_t replicas;
    uint8_t host_network;
    npc_sym node;            /* spec.nodeName, 0 when unknown or when its pods differ */
    npc_sym service_account; /* spec.serviceAccountName, 0 when unset */
    npc_loc loc;
} npc_workload;

/* A Node: its name, labels and addresses (status.addresses). */
typedef struct npc_node_obj {
    npc_sym name;
    npc_labels labels;
    npc_ip *ips;
    uint32_t nips;
    npc_loc loc;
    uint8_t declared; /* by a Node (0: only by a CiliumNode) */
} npc_node_obj;

/* A CiliumCIDRGroup: CIDR rules name it (cidrGroupRef) or select it by
 * its labels (cidrGroupSelector). */
typedef struct npc_cidr_group {
    npc_sym name;
    npc_labels labels;
    npc_iprange *ranges;
    uint32_t nranges;
} npc_cidr_group;

/* A DNS answer: name (lowercase, without the trailing dot) resolves to ip.
 * FQDN peers select the addresses of the names they match. */
typedef struct npc_dns_answer {
    npc_sym name;
    npc_ip ip;
} npc_dns_answer;

/* A Calico NetworkSet (ns set) or GlobalNetworkSet (ns 0): labelled
 * addresses that Calico rule selectors match beside endpoints. */
typedef struct npc_netset {
    npc_sym name;
    npc_sym ns;
    npc_labels labels;
    npc_iprange *ranges;
    uint32_t nranges;
} npc_netset;

/* A Calico rule peer that takes the addresses of the network sets its
 * selectors match (lower_calico.c fills it once every object is loaded):
 * sel over the set's labels (NULL: all), nss over its namespace's labels
 * (NULL: the policy's namespace, every namespace for a global policy);
 * global_sets: GlobalNetworkSets count too; within: the rule's nets
 * minus notNets the addresses must also lie in. */
typedef struct npc_netset_ref {
    npc_peer *peer;
    const struct npc_csel *sel, *nss;
    npc_sym ns; /* the policy's namespace, 0 for a GlobalNetworkPolicy */
    uint8_t global_sets;
    npc_iprange *within;
    uint32_t nwithin;
} npc_netset_ref;

typedef struct npc_cluster {
    npc_ctx *ctx;
    npc_arena *arena;
    NPC_VEC(npc_namespace) namespaces;
    NPC_VEC(npc_workload) workloads;
    NPC_VEC(npc_policy) policies;
    NPC_VEC(npc_layer) layers; /* registration order; evaluation sorts them */
    NPC_VEC(npc_node_obj) nodes;
    NPC_VEC(npc_ip) apiserver_ips; /* backends of default/kubernetes (Endpoints) */
    NPC_VEC(npc_dns_answer) dns;
    NPC_VEC(npc_cidr_group) cidr_groups;
    /* Pods are matched by Cilium identity labels (set when a Cilium policy
     * is loaded; Cilium enforces NetworkPolicies the same way): their
     * labels plus io.kubernetes.pod.namespace, the namespace labels as
     * io.cilium.k8s.namespace.labels.<key>,
     * io.cilium.k8s.policy.serviceaccount and io.cilium.k8s.policy.cluster
     * (cluster_name, "default" unless set). */
    uint8_t identity_labels;
    npc_sym cluster_name;
    void *eval;                    /* evaluator state (src/eval), built on demand */
    void (*eval_free)(void *eval); /* set by the evaluator with eval */
    void *ns_index;                /* namespace name -> index hash (cluster.c) */
    void *wl_index; /* workload lookup and pod label gaps (load_workloads.c); arena-owned */
    /* Calico (lower_calico.c): set once a projectcalico.org object is
     * loaded; from then on Kubernetes NetworkPolicies sit in Calico's
     * default tier, as Calico runs them */
    uint8_t calico;
    uint8_t staged_enforced; /* npc_cluster_set_staged: staged policies count */
    NPC_VEC(npc_netset) netsets;         /* Calico NetworkSets and GlobalNetworkSets */
    NPC_VEC(npc_netset_ref) netset_refs; /* rule peers they resolve */
} npc_cluster;

npc_cluster *npc_cluster_new(npc_ctx *ctx);
void npc_cluster_free(npc_cluster *c);
/* Index of the layer named name, registered with these properties on
 * first use (a later call must give the same ones). The Kubernetes
 * layers are registered by npc_cluster_new, so every cluster shows them:
 * admin (order 100, first match: AdminNetworkPolicy, ClusterNetworkPolicy
 * tier Admin), namespace (200, additive, isolating: NetworkPolicy) and
 * baseline (300, first match: BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy tier Baseline). */
uint32_t npc_cluster_layer(npc_cluster *c, const char *name, double order, npc_layer_mode mode,
                           int isolates);
#define NPC_LAYER_ADMIN 0u
#define NPC_LAYER_NAMESPACE 1u
#define NPC_LAYER_BASELINE 2u
/* Index of the namespace named ns, creating an undeclared one if needed. */
uint32_t npc_cluster_namespace(npc_cluster *c, npc_sym ns);
/* Index of an existing namespace named ns: returns 1 and sets *out, or 0. */
int npc_cluster_find_namespace(const npc_cluster *c, npc_sym ns, uint32_t *out);

/* ------------------------------------------ shared lowering helpers */
/* Each reads a node, reports problems as diagnostics with the node's
 * position and returns 1 on success, 0 on error. */
int npc_parse_selector(npc_cluster *c, const npc_node *n, npc_selector *out);
int npc_parse_labels(npc_cluster *c, const npc_node *n, npc_labels *out);
/* A Cilium endpoint selector: keys may carry a source prefix; "k8s:" and
 * "any:" are dropped, other sources ("reserved:host") stay in the key. */
int npc_parse_selector_sourced(npc_cluster *c, const npc_node *n, npc_selector *out);
/* The node's type with its article for messages: "a mapping", "an integer". */
const char *npc_node_type_a(const npc_node *n);
/* Kubernetes label syntax, shared with the traffic spec: a key is an
 * optional DNS prefix and '/' then a name; a value is a name or empty. */
int npc_label_key_valid(const char *s, size_t n);
int npc_label_value_valid(const char *s, size_t n);

/* ----------------------------------------------- per-family lowering */
/* Each lowers one object (the whole mapping with apiVersion/kind/metadata)
 * into c->policies; returns 1 on success, 0 after reporting errors. */
int npc_lower_networkpolicy(npc_cluster *c, const npc_node *obj);
int npc_lower_anp(npc_cluster *c, const npc_node *obj, int baseline); /* v1alpha1 ANP/BANP */
int npc_lower_cnp(npc_cluster *c, const npc_node *obj);               /* v1alpha2 */
/* cilium.io/v2 CiliumNetworkPolicy (clusterwide 0) and
 * CiliumClusterwideNetworkPolicy (clusterwide 1): src/model/lower_cilium.c */
int npc_lower_cilium(npc_cluster *c, const npc_node *obj, int clusterwide);
/* v1 Node (name, labels, addresses) and v1 Endpoints of default/kubernetes
 * (the API server's addresses, Cilium's kube-apiserver entity). */
int npc_load_node(npc_cluster *c, const npc_node *obj);
int npc_load_endpoints(npc_cluster *c, const npc_node *obj);
/* cilium.io/v2 CiliumNode: marks the cluster as running Cilium. */
int npc_load_cilium_node(npc_cluster *c, const npc_node *obj);
/* cilium.io CiliumCIDRGroup: policies loaded after it can name it. */
int npc_load_cidr_group(npc_cluster *c, const npc_node *obj);
/* npc_cluster_add_dns (netpolc.h) records c->dns; FQDN names compare
 * lowercase without the trailing dot (npc_fqdn_normalize, in place). */
void npc_fqdn_normalize(char *s);
/* Whether a DNS name matches a Cilium matchPattern ('*' wildcards). */
int npc_fqdn_pattern_matches(const char *pattern, const char *name);
/* projectcalico.org/v3 (lower_calico.c): NetworkPolicy (global = 0) and
 * GlobalNetworkPolicy (global = 1); staged = 1 for their Staged kinds,
 * which are checked and reported but not enforced. */
int npc_lower_calico(npc_cluster *c, const npc_node *obj, int global, int staged);
int npc_lower_calico_tier(npc_cluster *c, const npc_node *obj);
/* projectcalico.org/v3 NetworkSet (global = 0) and GlobalNetworkSet. */
int npc_load_calico_netset(npc_cluster *c, const npc_node *obj, int global);
/* After a load: the addresses of the network sets each Calico rule
 * selector matches, into its rule peer (every set loaded so far). */
void npc_calico_resolve_netsets(npc_cluster *c);
/* Puts Kubernetes NetworkPolicies loaded so far into Calico's default tier
 * (order 1000, as Calico converts them); called for every Calico object
 * and for every NetworkPolicy once c->calico is set. */
void npc_calico_adopt_knps(npc_cluster *c);
/* Adds the workload an object stands for (Pod, Deployment, ReplicaSet,
 * StatefulSet, DaemonSet, ReplicationController, Job, CronJob; kind is the
 * object's kind) to c->workloads, merging pods of one owner. */
int npc_load_workload(npc_cluster *c, const npc_node *obj, const char *kind);
/* After every object is loaded: reports pods of one owner whose labels
 * differ on a key that some policy selector reads (the owner's pods could
 * then not be analysed as one workload), as netpol-analyzer refuses them.
 * Returns 1 when fine, 0 after reporting errors (NPC219). */
int npc_workloads_check(npc_cluster *c);

#endif
