/* Renderers: one file per dialect, each exporting one entry point with the
 * same signature; render.c picks one from a table by engine name. A
 * renderer turns the compiled policies (IR, plus their annex) into
 * document values (emit.h); the shared emitter writes them as YAML or
 * JSON. */
#ifndef NPC_RENDER_RENDER_H
#define NPC_RENDER_RENDER_H
#include "render/emit.h"
#include "spec/compiled.h"

typedef struct npc_docs {
    npc_ev **items;
    size_t n, cap;
} npc_docs_list;

/* Appends one document per object to docs (values in arena a). Returns 1
 * on success, 0 after reporting diagnostics (NPC3xx). */
typedef int (*npc_render_fn)(npc_ctx *ctx, const npc_compiled *c, npc_arena *a,
                             npc_docs_list *docs);

int npc_render_kubernetes(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs);
int npc_render_cnp(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs);
int npc_render_cilium(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs);

/* The canonical keys of the values put in one list, to put each value
 * once: fallback peers may repeat a peer of their rule, passthrough rules
 * a compiled one. */
typedef struct seen_keys {
    const char **keys;
    size_t n, cap;
} seen_keys;
/* Returns 1 and remembers v when no equal value was seen before. */
int npc_render_seen_add(npc_arena *a, seen_keys *seen, const npc_ev *v);
int npc_render_calico(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs);

/* Shared by renderers: an IR selector as {matchLabels, matchExpressions}
 * (matchLabels in the selector's order, expression values by text). */
npc_ev *npc_render_selector(npc_arena *a, const npc_ctx *ctx, const npc_selector *sel);
/* metadata {name, namespace, labels} with the spec's labels (ns NULL: a
 * cluster-scoped object). */
npc_ev *npc_render_meta(npc_arena *a, const npc_compiled *c, const char *name, const char *ns);
/* The same for a compiled policy: its rendered name and namespace. */
npc_ev *npc_render_metadata(npc_arena *a, const npc_compiled *c, const npc_annex *p);
/* Warns once per spec (NPC122) that FQDN peer p, which the engine has no
 * rules for, is rendered as its fallback peers. */
void npc_render_fqdn_fallback(npc_ctx *ctx, const npc_compiled *c, const npc_peer *p,
                              const char *engine);
/* What engine's policies cannot deny at ingress, as a sentence; NULL when
 * they can deny every source (or the engine is unknown). */
const char *npc_render_ingress_limit(const char *engine);
/* The spec flow a compiled rule came from (its first), for diagnostics;
 * the rule's own position when it has none. */
npc_loc npc_render_rule_where(const npc_annex *ax, uint32_t ri, const npc_rule *r);
/* Whether the rule has a peer other than pods (named ports resolve on
 * destination pods only). */
int npc_render_has_nonpod_peer(const npc_rule *r);
/* Appends the policy's passthrough rules of engine to rules[d] (each once:
 * seen[d] holds the compiled rules' keys); returns the directions the
 * policy carries, rules or an isolation (bit 0 ingress, bit 1 egress). */
int npc_render_passthrough(npc_arena *a, const npc_annex *ax, const char *engine, npc_ev *rules[2],
                           seen_keys seen[2]);
/* The directions of npc_render_passthrough as ["Ingress", "Egress"]. */
npc_ev *npc_render_types(npc_arena *a, int dirs);
/* The text of a symbol of the compiled spec's context. */
const char *npc_render_str(const npc_compiled *c, npc_sym s);

#endif
