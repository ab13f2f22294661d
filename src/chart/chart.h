/* The Helm chart generator: a traffic spec -> chart templates that Helm's
 * own engine (Go text/template with the sprig functions) renders, for any
 * values, into what `render` writes for the same options.
 *
 * The generator reads the spec's conditional structure (options, `when`
 * conditions, policies with `otherwise`, flows, entities, passthrough),
 * never the policies compiled for one set of values: every condition
 * becomes a template test on .Values, every option a .Values lookup.
 * One back end per engine, each with the same signature, picked from the
 * table in chart.c; shared here are the pieces every back end needs. */
#ifndef NPC_CHART_CHART_H
#define NPC_CHART_CHART_H
#include "netpolc.h"
#include "render/emit.h"
#include "spec/spec.h"
#include "util/buf.h"

typedef struct npc_chart_gen {
    npc_spec *s;
    const npc_chart_opts *opts;
    npc_arena *a;
    int failed;
    unsigned var; /* counter for unique template variable names */
} npc_chart_gen;

/* A back end: appends the template text of every object of its engine
 * (without the engine switch, which chart.c wraps around it) to out.
 * Returns 0 after reporting diagnostics. */
typedef int (*npc_chart_engine_fn)(npc_chart_gen *g, npc_buf *out);
/* Statements before the spec's `when` (checks render makes whatever is
 * rendered), or NULL. */
typedef void (*npc_chart_pre_fn)(npc_chart_gen *g, npc_buf *out);
int npc_chart_kubernetes(npc_chart_gen *g, npc_buf *out);
int npc_chart_cnp(npc_chart_gen *g, npc_buf *out);
void npc_chart_cnp_pre(npc_chart_gen *g, npc_buf *out);
/* A peer of a peers option's value in NetworkPolicyPeer form (the form
 * the chart's values hold), as a list (any-ip is two ipBlocks); NULL when
 * it has none ("*", all-components, FQDNs, namespaces from an option). */
npc_ev *npc_chart_peer_ev(npc_chart_gen *g, const npc_speer *p);

/* ---- template expressions (tpl.c) ---- */
/* A string value that npc_tpl_ev writes as the template expression after
 * this first byte, not as a string literal. */
#define NPC_TPL_EXPR '\x01'
/* The release namespace: what the spec puts in no namespace (loaded with
 * s->release_ns), as an expression value and as template text. */
#define NPC_TPL_RELEASE_NS "\x01$.Release.Namespace"
/* Whether namespace ns is known only at install time: the release
 * namespace, or one an option names (bound by npc_tpl_bind_ns to an
 * expression value). */
int npc_tpl_is_release_ns(const npc_chart_gen *g, const char *ns);
/* Whether two namespaces are the same whatever the values. */
int npc_tpl_same_ns(const npc_chart_gen *g, const char *a, const char *b);
/* ns as a value for selectors (an install-time namespace as an expression). */
const char *npc_tpl_ns_value(const npc_chart_gen *g, const char *ns);
/* ns as template text for a YAML value ("{{ $.Release.Namespace }}") or,
 * with expr, as an expression (a string literal when static). */
void npc_tpl_ns_text(const npc_chart_gen *g, const char *ns, int expr, npc_buf *out);
/* Binds the namespaces options name (spec.namespace, components') to
 * their .Values lookup, the release namespace when empty. */
void npc_tpl_bind_ns(npc_chart_gen *g);
/* The .Values lookup of option opt: "$.Values.a.b", or "(index $.Values
 * "a" "b-c")" when a key is not a template identifier. */
void npc_tpl_value(npc_chart_gen *g, int opt, npc_buf *out);
/* A condition as a template expression (NULL: "true"). */
void npc_tpl_cond(npc_chart_gen *g, const npc_cond *c, npc_buf *out);
/* "(and A B)" / "(or A B)" / "(not A)" of expressions, folding "true" and "false". */
const char *npc_tpl_and(npc_chart_gen *g, const char *x, const char *y);
const char *npc_tpl_or(npc_chart_gen *g, const char *x, const char *y);
const char *npc_tpl_not(npc_chart_gen *g, const char *x);
const char *npc_tpl_cond_str(npc_chart_gen *g, const npc_cond *c);
/* A Go string literal. */
void npc_tpl_str(const char *s, npc_buf *out);
/* A static value as a dict/list expression: (dict "k" (list 1 "x")). */
void npc_tpl_ev(const npc_ev *v, npc_buf *out);
/* A static value as block YAML, every line indented by ind spaces, after
 * "key:" (a map or non-empty list goes on the next lines). */
void npc_tpl_yaml_under(npc_arena *a, const char *key, npc_ev *v, int ind, npc_buf *out);
/* The condition under which the rules given to spec policy `from` land in
 * policy `to` (its `when` chain of `otherwise` hand-overs); "false" when
 * they never do. */
const char *npc_tpl_lands(npc_chart_gen *g, int from, int to);
/* A name through the naming pattern (--naming, else spec.naming) as
 * template text: {name} and {OPTION} replaced, {{ ... }} kept. */
void npc_tpl_name(npc_chart_gen *g, const char *name, npc_buf *out);
/* The same as a template expression: (print "prefix-" ($.Values.x) "name"). */
void npc_tpl_name_expr(npc_chart_gen *g, const char *name, npc_buf *out);
/* The objects' metadata.labels (indented 2): the --labels-include helper,
 * else spec.labels; nothing when there are none. */
void npc_tpl_labels(npc_chart_gen *g, npc_buf *out);
/* A fresh variable name "$pN". */
const char *npc_tpl_var(npc_chart_gen *g, const char *stem);

#endif
