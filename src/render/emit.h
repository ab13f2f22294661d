/* One emitter for every renderer: a small value tree (maps keep the order
 * their keys were put in, so each renderer states its canonical field
 * order once) written as YAML or JSON with one set of quoting and escaping
 * rules. */
#ifndef NPC_RENDER_EMIT_H
#define NPC_RENDER_EMIT_H
#include <stddef.h>

#include "netpolc.h"
#include "text/tree.h"
#include "util/alloc.h"

typedef enum npc_ev_kind {
    NPC_EV_NULL,
    NPC_EV_BOOL,
    NPC_EV_INT,
    NPC_EV_STR,
    NPC_EV_SEQ,
    NPC_EV_MAP
} npc_ev_kind;

typedef struct npc_ev npc_ev;
struct npc_ev {
    npc_ev_kind kind;
    long long i;       /* BOOL, INT */
    const char *s;     /* STR */
    const char **keys; /* MAP */
    npc_ev **items;    /* SEQ items, MAP values */
    size_t n, cap;
};

npc_ev *npc_ev_map(npc_arena *a);
npc_ev *npc_ev_seq(npc_arena *a);
npc_ev *npc_ev_str(npc_arena *a, const char *s);
npc_ev *npc_ev_int(npc_arena *a, long long i);
npc_ev *npc_ev_bool(npc_arena *a, int b);
void npc_ev_put(npc_arena *a, npc_ev *map, const char *key, npc_ev *value);
void npc_ev_push(npc_arena *a, npc_ev *seq, npc_ev *value);
npc_ev *npc_ev_get(const npc_ev *map, const char *key);
/* A node tree as a value; mapping keys sorted (canonical passthrough). */
npc_ev *npc_ev_from_node(npc_arena *a, const npc_node *n);
/* Compact one-line JSON, used as a canonical key for equality. */
void npc_ev_key(const npc_ev *v, npc_buf *out);

/* A YAML document (block style, two-space indentation, sequences indented
 * under their key), without the leading "---". */
void npc_emit_yaml(const npc_ev *doc, npc_buf *out);
/* Pretty JSON with two-space indentation and a final newline. */
void npc_emit_json(const npc_ev *v, npc_buf *out);
/* The documents as a YAML stream ("---" before each) or a JSON v1 List. */
void npc_emit_stream(npc_arena *a, npc_ev *const *docs, size_t n, npc_format fmt, npc_buf *out);

#endif
