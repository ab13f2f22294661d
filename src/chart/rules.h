/* The rule builder shared by the chart back ends (rules.c).
 *
 * For one spec policy it writes the template statements that collect the
 * policy's rules into one list per direction, each rule under the template
 * test of its condition (the flow's `when`, the policy hand-over chain),
 * as the compiler collects them (src/spec/compile.c): flows expanded into
 * peer groups (entity parts apart), named ports resolved, option peers and
 * ports looked up in .Values. How a peer, a port and a rule are written is
 * the engine's: a dialect (npc_chart_dialect) of hooks, one per back end. */
#ifndef NPC_CHART_RULES_H
#define NPC_CHART_RULES_H
#include "chart/chart.h"
#include "model/ir.h"

#define NPC_NS_LABEL "kubernetes.io/metadata.name"

typedef struct npc_chart_dialect npc_chart_dialect;

/* The builder's state for one policy. */
typedef struct npc_crules {
    npc_chart_gen *g;
    npc_spec *s;
    npc_arena *a;
    const npc_chart_dialect *dl;
    const char *pns;     /* the policy's namespace */
    const char *list[2]; /* the rule list variables of the policy, by npc_dir */
    int maybe[2];        /* some rule may be added */
} npc_crules;

/* A peer list under construction: static peers as expressions, option
 * peers as statements run before the rule is added. */
typedef struct npc_cpeers {
    npc_buf items;    /* " E1 E2" */
    npc_buf pre;      /* statements */
    int any;          /* statically "*" (an engine that writes "*" as no peers) */
    int dynamic;      /* an option peer may add peers */
    int nstatic;      /* static peers in items */
    int ip;           /* a peer named ports never match (an IP range, "*") */
    const char *fail; /* a peer the engine cannot express: the rule fails when it holds */
} npc_cpeers;

struct npc_chart_dialect {
    const char *engine; /* its passthrough rules are this engine's */
    /* A static peer (any, any-ip, a component, all components, pods whose
     * namespaces are known, a CIDR) of a rule in direction dir: expressions
     * appended with npc_cpeers_add, or kp->any / kp->fail set. */
    void (*peer)(npc_crules *k, int dir, const npc_speer *p, npc_cpeers *kp);
    /* A pods peer whose namespace selector is the template expression
     * ns_sel (namespaces from an option), as an expression into out. */
    void (*pods_ns_expr)(npc_crules *k, int dir, const npc_speer *p, const char *ns_sel,
                         npc_buf *out);
    /* Statements appending the peers of the value v of a peers option (in
     * NetworkPolicyPeer form, as the chart's values hold them) to list. */
    void (*option_peers)(npc_crules *k, int dir, const char *v, const char *list, npc_buf *pre);
    /* "*" as a list expression of peers, or NULL: written as no peers. */
    const char *(*any)(npc_crules *k, int dir);
    /* A port: lo 0 every port of proto; name a named port. */
    npc_ev *(*port)(npc_crules *k, int proto, uint16_t lo, uint16_t hi, const char *name);
    /* A port whose number is the template expression num (an int). */
    void (*port_expr)(npc_crules *k, int proto, const char *num, npc_buf *out);
    /* The statement(s) appending one rule of flow f (NULL: passthrough) to
     * the list variable: peers and ports list expressions, any and all
     * "true", "false" or a variable ("*" peers, every port). */
    void (*append)(npc_crules *k, int dir, const npc_flow *f, const char *list, const char *peers,
                   const char *any, const char *ports, const char *all, npc_buf *out);
};

void npc_cpeers_add(npc_cpeers *kp, const npc_ev *v);

/* The rules of spec policy q for dialect dl: statements into out that
 * declare k->list[] and fill them; has[d] the condition under which
 * direction d is in the policy's types (a rule or an isolation), exists
 * the condition under which the compiler makes the policy at all (for any
 * engine: a rule, a passthrough, an isolation). */
typedef struct npc_cpolicy {
    const char *has[2];
    const char *any; /* has[0] || has[1] */
    const char *exists;
} npc_cpolicy;
void npc_crules_policy(npc_crules *k, int q, npc_buf *out, npc_cpolicy *pol);

/* One object of a back end's output with its sort key (namespace, then
 * name: the order `render` writes). */
typedef struct npc_cobj {
    const char *ns, *name;
    npc_buf text;
} npc_cobj;
/* Sorts the objects, appends their text to out and frees it. */
void npc_chart_write_objects(npc_cobj *objs, size_t n, npc_buf *out);

/* The namespaces of the default-deny (its own, else the components'),
 * unique whatever the release namespace; returns their number. */
size_t npc_chart_deny_namespaces(npc_crules *k, const char ***out);

/* Statements declaring *list_var, the namespaces the default-deny renders
 * in for the values (unique once known), and *name_var its name; 0 (and
 * nothing written) when the spec has no default-deny. */
int npc_chart_deny_list(npc_crules *k, const char **list_var, const char **name_var, npc_buf *out);

/* A spec selector as {matchLabels, matchExpressions} (sorted as spec.h). */
npc_ev *npc_chart_sel_ev(npc_arena *a, const npc_ssel *sel);
/* Namespaces by name: sorted, unique; one name as matchLabels, more as
 * matchExpressions In (as the compiler's ns_by_names). */
npc_ev *npc_chart_ns_names_ev(npc_arena *a, const char *const *names, size_t n);
/* The namespace names of component peers seen from a policy in pns:
 * NULL when every one is pns (same namespace), else their selector. */
npc_ev *npc_chart_comp_ns(npc_crules *k, const npc_speer *p);
/* When that selector is given but the namespaces may all be pns once the
 * values are known: the template test that they are, else NULL. */
const char *npc_chart_same_ns_test(npc_crules *k, const npc_speer *p);

#endif
