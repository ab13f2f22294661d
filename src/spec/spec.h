/* The traffic spec as loaded: components, entities, options, policies,
 * flows, passthrough and the default-deny layer, each with its position.
 * Option values and conditions are resolved later, by the compiler
 * (compile.c), so one loaded spec can be rendered with many option sets.
 *
 * Memory: everything lives in the spec's arena; the node trees it points
 * into (the spec file, --values files, --set values) are owned by the spec
 * and freed with it. */
#ifndef NPC_SPEC_SPEC_H
#define NPC_SPEC_SPEC_H
#include <stddef.h>
#include <stdint.h>

#include "netpolc.h"
#include "text/tree.h"
#include "util/alloc.h"
#include "util/diag.h"

/* Appends x to an arena-backed array (arr, n, cap); growth copies. */
#define NPC_APUSH(arena, arr, n, cap, x)                                                           \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t nc_ = (cap) ? (cap)*2 : 4;                                                      \
            void *np_ = npc_arena_alloc((arena), nc_ * sizeof *(arr));                             \
            if (n)                                                                                 \
                memcpy(np_, (arr), (n) * sizeof *(arr));                                           \
            (arr) = np_;                                                                           \
            (cap) = nc_;                                                                           \
        }                                                                                          \
        (arr)[(n)++] = (x);                                                                        \
    } while (0)

/* ------------------------------------------------------------ selectors */

typedef struct npc_kv {
    const char *key, *value;
} npc_kv;

typedef enum npc_sop { NPC_SOP_IN, NPC_SOP_NOTIN, NPC_SOP_EXISTS, NPC_SOP_NOTEXISTS } npc_sop;

typedef struct npc_sexpr {
    const char *key;
    npc_sop op;
    const char **values; /* sorted, unique */
    size_t nvalues, cap;
} npc_sexpr;

/* A label selector: matchLabels sorted by key, then matchExpressions sorted
 * by key and operator. Empty: matches everything. */
typedef struct npc_ssel {
    npc_kv *labels;
    size_t nlabels, lcap;
    npc_sexpr *exprs;
    size_t nexprs, ecap;
} npc_ssel;

/* ----------------------------------------------------------- conditions */

typedef enum npc_cond_op {
    NPC_C_OPT, /* a boolean option */
    NPC_C_NOT,
    NPC_C_AND,
    NPC_C_OR,
    NPC_C_EQ, /* option == literal (string, int or bool option) */
    NPC_C_NE
} npc_cond_op;

typedef struct npc_cond {
    npc_cond_op op;
    int opt;         /* option index (OPT, EQ, NE) */
    const char *lit; /* EQ, NE */
    struct npc_cond *a, *b;
    unsigned depth; /* of the tree below: bounded, so evaluation cannot run out of stack */
} npc_cond;

/* --------------------------------------------------------------- options */

typedef enum npc_opt_type {
    NPC_OPT_BOOL,
    NPC_OPT_INT,
    NPC_OPT_STRING,
    NPC_OPT_STRINGS,   /* list of strings */
    NPC_OPT_PEERS,     /* list of peers (spec or NetworkPolicyPeer form) */
    NPC_OPT_ENDPOINTS, /* list of backend endpoints: https://host, host:4317, ... */
    NPC_OPT_RAW,       /* any YAML, passed through verbatim */
    NPC_OPT_TYPE_COUNT
} npc_opt_type;

typedef struct npc_option {
    const char *name; /* dotted path, e.g. "networkPolicy.metrics.from" */
    npc_opt_type type;
    const npc_node *def;   /* default value (may be NULL: the type's zero) */
    const npc_node *value; /* current value: default, --values or --set */
    const char *description;
    /* string options: the values it may take (choices:, string scalars),
     * in the spec's order; verify --all-combinations enumerates them */
    const npc_node **choices;
    size_t nchoices, chcap;
    npc_loc loc;
} npc_option;

/* ----------------------------------------------------------------- ports */

typedef enum npc_sport_kind {
    NPC_SPORT_NUM,      /* lo..hi/proto */
    NPC_SPORT_NAMED,    /* a named port (resolved against a component's ports) */
    NPC_SPORT_ALL,      /* every port of proto (proto < 0: of every protocol) */
    NPC_SPORT_OPTION,   /* the port number held by an int option */
    NPC_SPORT_ENDPOINTS /* the ports of an endpoints option */
} npc_sport_kind;

typedef struct npc_sport {
    npc_sport_kind kind;
    int proto; /* npc_proto, or -1 for every protocol (ALL only) */
    uint16_t lo, hi;
    const char *name; /* NAMED */
    const char *app;  /* application protocol, for the docs table only */
    int opt;          /* OPTION, ENDPOINTS */
    const npc_cond *when;
    npc_loc loc;
} npc_sport;

/* ----------------------------------------------------------------- peers */

typedef enum npc_speer_kind {
    NPC_SP_ANY,            /* "*": anything, no restriction */
    NPC_SP_ANY_IP,         /* any-ip: 0.0.0.0/0 and ::/0 */
    NPC_SP_ALL_COMPONENTS, /* the pods of every component (spec.selector) */
    NPC_SP_COMPONENT,
    NPC_SP_ENTITY, /* a named entity: dns, kube-apiserver, world, cluster, user-defined */
    NPC_SP_PODS,   /* pods and/or namespaces by labels or names */
    NPC_SP_CIDR,
    NPC_SP_FQDN,
    NPC_SP_OPTION /* the peers of a peers option */
} npc_speer_kind;

typedef enum npc_ns_kind {
    NPC_SNS_SAME,     /* the policy's namespace */
    NPC_SNS_ANY,      /* every namespace */
    NPC_SNS_NAMES,    /* namespaces by name */
    NPC_SNS_SELECTOR, /* namespaces by labels */
    NPC_SNS_OPTION    /* namespace names from a string/strings option */
} npc_ns_kind;

typedef struct npc_speer npc_speer;
struct npc_speer {
    npc_speer_kind kind;
    int index; /* COMPONENT, ENTITY, OPTION */
    /* PODS */
    int has_pods;
    npc_ssel pods;
    npc_ns_kind ns_kind;
    const char **ns_names;
    size_t nns, nscap;
    npc_ssel ns_sel;
    int ns_opt;
    /* CIDR */
    const char *cidr;
    const char **except;
    size_t nexcept, excap;
    /* FQDN */
    const char *fqdn;
    npc_speer *fallback;
    size_t nfallback, fbcap;
    /* OPTION: an empty list means "*" (the Helm chart's `from: []`) */
    int empty_any;
    const char *entity; /* set by the compiler on the parts of an entity */
    npc_loc loc;
};

/* --------------------------------------------------------------- entities */

typedef struct npc_entity_part {
    npc_speer *peers;
    size_t npeers, pcap;
    npc_sport *ports;
    size_t nports, portcap;
    int has_ports;
} npc_entity_part;

typedef struct npc_entity {
    const char *name;
    npc_entity_part *parts;
    size_t nparts, cap;
    int builtin; /* from the entity table (spec/entities.c), not redeclared */
    npc_loc loc;
} npc_entity;

/* ------------------------------------------------------------ components */

typedef struct npc_named_port {
    const char *name;
    npc_sport port;
} npc_named_port;

typedef struct npc_component {
    const char *name;
    const char *ns; /* bound to its option's value when ns_opt >= 0 (npc_spec_bind_ns) */
    int ns_opt;     /* {option: NAME} of a string option naming the namespace, or -1 */
    npc_ssel labels;
    npc_named_port *ports;
    size_t nports, cap;
    const char *description;
    npc_loc loc;
    int policy; /* index of its own policy (same name) */
} npc_component;

/* -------------------------------------------------------------- policies */

#define NPC_SUBJ_ALL (-1) /* every component (spec.selector) */

typedef struct npc_spolicy {
    const char *name;
    int subject; /* component index, or NPC_SUBJ_ALL */
    const char *ns;
    int ns_opt; /* the option naming ns (its component's or spec.namespace's), or -1 */
    const npc_cond *when;
    int otherwise;              /* policy that carries the rules when `when` is false, or -1 */
    const npc_cond *isolate[2]; /* indexed by npc_dir: deny-all in that direction */
    int isolate_always[2];
    int implicit;
    npc_loc loc;
} npc_spolicy;

/* ----------------------------------------------------------------- flows */

typedef struct npc_flow {
    npc_speer *from, *to;
    size_t nfrom, fcap, nto, tcap;
    npc_sport *ports;
    size_t nports, pcap;
    int has_ports;
    const char *purpose_from; /* purpose shown on the source side */
    const char *purpose_to;   /* purpose shown on the destination side */
    int *policies;
    size_t npolicies, polcap;
    const npc_cond *when;
    npc_loc loc;
} npc_flow;

typedef struct npc_passthrough {
    const char *engine;
    int policy;
    const npc_node *rules[2]; /* sequence of rules, or {option: NAME} */
    const npc_cond *when;
    npc_loc loc;
} npc_passthrough;

/* A number written as a literal or as {option: NAME} of an int option. */
typedef struct npc_snum {
    int given;
    int opt; /* option index, or -1: the literal */
    long long lit;
    npc_loc loc;
} npc_snum;

typedef struct npc_default_deny {
    int present;
    npc_snum order; /* Calico order / ClusterNetworkPolicy priority */
    const char *name;
    const char **namespaces;
    size_t nns, cap;
    int dirs[2];
    const npc_cond *when;
    npc_loc loc;
} npc_default_deny;

/* ------------------------------------------------------------------ spec */

struct npc_spec {
    npc_ctx *ctx;
    npc_arena *arena;
    const char *values_prefix; /* --values-prefix: options under this key of a values file */
    npc_loc *warned;           /* warnings given once per spec, whatever the compilations */
    int *warned_codes;
    size_t nwarned, warncap, wccap;
    int strict_values; /* --strict-values: keys outside the options are errors */
    npc_tree **trees;  /* owned: spec file, values files, --set values */
    size_t ntrees, tcap;
    const char *file;
    const char *name;
    const char *ns;         /* default namespace */
    int ns_opt;             /* spec.namespace: {option: NAME}, or -1 */
    const char *release_ns; /* --namespace: the default when spec.namespace is absent */
    const char *naming;     /* e.g. "kyma-project.io--telemetry-{name}" */
    npc_loc naming_loc;
    const char *profile; /* platform profile of the built-in entities (spec.profile, --profile) */
    const char *engine;  /* default engine, or NULL */
    npc_loc engine_loc; /* spec.engine, for an engine no renderer knows */
    int engine_opt;     /* option holding the default engine, or -1 */
    int has_selector;
    npc_ssel selector; /* all components */
    npc_kv *labels;
    size_t nlabels, lcap;
    const npc_cond *when;
    npc_loc when_loc; /* spec.when */
    npc_option *options;
    size_t noptions, ocap;
    npc_entity *entities;
    size_t nentities, ecap;
    npc_component *components;
    size_t ncomponents, ccap;
    npc_spolicy *policies;
    size_t npolicies, pcap;
    npc_flow *flows;
    size_t nflows, flcap;
    npc_passthrough *passthrough;
    size_t npassthrough, ptcap;
    npc_default_deny deny;
    /* spec.precedence: where the allowlists sit on engines with a
     * precedence knob */
    const char *prec_tier;  /* ClusterNetworkPolicy tier: "Baseline" (NULL) or "Admin" */
    npc_snum prec_priority; /* ClusterNetworkPolicy priority */
    npc_snum prec_order;    /* Calico order */
};

/* ------------------------------------------------------- shared helpers */
/* All report diagnostics with the node's position and return 1 on success. */

/* Keys a mapping may have; reports each other key (NPC102). */
int npc_spec_check_keys(npc_spec *s, const npc_node *map, const char *what,
                        const char *const *allowed);
int npc_spec_want_map(npc_spec *s, const npc_node *n, const char *what);
int npc_spec_want_seq(npc_spec *s, const npc_node *n, const char *what);
const char *npc_spec_string(npc_spec *s, const npc_node *n, const char *what); /* NULL on error */
const char *npc_spec_dup(npc_spec *s, const npc_node *scalar);
/* A DNS-1123 label: the names of components, policies and namespaces. */
int npc_spec_dns_label_ok(const char *name);
/* Index by name, or -1. */
int npc_spec_find_component(const npc_spec *s, const char *name);
int npc_spec_find_entity(const npc_spec *s, const char *name);
/* The entity table (spec/entities.c): adds the built-in entities (dns,
 * kube-apiserver, world, cluster) with their engine-neutral parts. */
void npc_spec_add_builtin_entities(npc_spec *s);
/* Platform profiles (entities.c): whether profile names one (gardener,
 * kubeadm, gke, eks), and the built-in entities not redeclared by the
 * spec set to that platform's form (NULL: the defaults). */
int npc_spec_profile_ok(const char *profile);
void npc_spec_use_profile(npc_spec *s, const char *profile);
/* The name engine gives the built-in entity (or "any-ip") natively, or
 * NULL when the engine renders its parts (engine NULL: always NULL). */
const char *npc_entity_native(const char *engine, const char *entity);
/* The policy that carries the rules of a component side of flow f: the
 * first of the flow's `policy` list that selects it, else the component's
 * own; -1 for all-components without such a policy. */
int npc_spec_side_policy(const npc_spec *s, const npc_flow *f, const npc_speer *side);
/* Whether policy pol carries the rules of a flow side: its subject is the
 * side's component, or all-components for a side of all-components. */
int npc_spec_policy_selects(const npc_spec *s, int pol, const npc_speer *side);
/* Whether a warning with this code at this position is new for the spec
 * (and remembers it): a spec compiled for many option sets warns once. */
int npc_spec_warn_once(npc_spec *s, int code, npc_loc loc);
/* The spec owns t from now on (values files, --set values). */
void npc_spec_add_tree(npc_spec *s, npc_tree *t);

int npc_spec_label_key_ok(const char *k);
int npc_spec_label_value_ok(const char *v);
/* A label map; reports invalid keys and values (NPC114). */
int npc_spec_parse_label_map(npc_spec *s, const npc_node *n, npc_ssel *out);
/* A label map (matchLabels) or a selector {matchLabels, matchExpressions}. */
int npc_spec_parse_selector(npc_spec *s, const npc_node *n, npc_ssel *out, int allow_plain);
void npc_ssel_add_label(npc_arena *a, npc_ssel *sel, const char *k, const char *v);
/* Canonical one-line text of a selector ("a=b,c in (x,y)"), for keys. */
void npc_ssel_key(const npc_ssel *sel, npc_buf *out);

/* peers.c */
int npc_spec_parse_peer(npc_spec *s, const npc_node *n, npc_speer *out);
int npc_spec_parse_peers(npc_spec *s, const npc_node *n, npc_speer **arr, size_t *len, size_t *cap);
int npc_spec_parse_port(npc_spec *s, const npc_node *n, npc_sport *out);
int npc_spec_parse_ports(npc_spec *s, const npc_node *n, npc_sport **arr, size_t *len, size_t *cap);
/* Parses "https://host", "host:4317", "grpc://host:4317"; returns the port
 * or 0 with *why set. */
int npc_endpoint_port(const char *ep, const char **why);

/* options.c */
int npc_spec_find_option(const npc_spec *s, const char *name);
/* " (did you mean 'NAME'?)" for the declared option nearest an unknown
 * name (by edit distance), or "" when none is near; in the spec's arena. */
const char *npc_spec_option_hint(npc_spec *s, const char *name);
int npc_spec_parse_options(npc_spec *s, const npc_node *n);
/* Checks that v is a valid value of option o; reports at v. */
int npc_spec_check_value(npc_spec *s, const npc_option *o, const npc_node *v);
int npc_opt_bool(const npc_spec *s, int opt);
long long npc_opt_int(const npc_spec *s, int opt);
const char *npc_opt_string(const npc_spec *s, int opt); /* "" when unset */
/* The value node of a list option (NULL when empty or unset). */
const npc_node *npc_opt_list(const npc_spec *s, int opt);
/* Text of an option value for conditions (bool "true"/"false", int, string). */
const char *npc_opt_text(npc_spec *s, int opt);

/* Binds the namespaces given as {option: NAME} (spec.namespace, a
 * component's) to the options' current values: an empty value is the
 * release namespace (--namespace). With report, a value that names no
 * namespace is an error (NPC112) and 0 is returned; without, a placeholder
 * is bound. */
int npc_spec_bind_ns(npc_spec *s, int report);

/* Parses n (an integer or {option: NAME} of an int option) into out;
 * reports at n and returns 0 on error. */
int npc_spec_parse_snum(npc_spec *s, const npc_node *n, const char *what, npc_snum *out);
/* Its value with the current options, or def when not given. */
long long npc_snum_value(const npc_spec *s, const npc_snum *n, long long def);

/* cond.c */
/* Parses a condition from a scalar node; NULL after reporting an error. */
const npc_cond *npc_spec_parse_cond(npc_spec *s, const npc_node *n);
int npc_cond_eval(npc_spec *s, const npc_cond *c); /* NULL: true */
/* The condition as spec text ("a && !b", "mode == strict"). */
void npc_cond_text(const npc_spec *s, const npc_cond *c, npc_buf *out);

/* A named port towards destination peers: when every one is a component
 * declaring `name` with one number and protocol, sets *proto and *port
 * and returns 1. *undeclared (may be NULL) is set when every destination
 * is a component and one of them does not declare it. */
int npc_spec_named_port(const npc_spec *s, const npc_speer *to, size_t nto, const char *name,
                        int *proto, uint16_t *port, int *undeclared);

#endif
