/* The node tree: what every loader reads. YAML and JSON text become
 * mappings, sequences and scalars, each keeping its file, line and column.
 * A tree owns its memory (one arena); aliases share nodes, so a tree is a
 * DAG whose unfolded size the loader bounds (npc_limits.max_alias_nodes). */
#ifndef NPC_TEXT_TREE_H
#define NPC_TEXT_TREE_H
#include <stddef.h>
#include <stdint.h>

#include "netpolc.h"
#include "util/alloc.h"

typedef enum npc_node_kind { NPC_NODE_SCALAR, NPC_NODE_SEQ, NPC_NODE_MAP } npc_node_kind;

typedef enum npc_scalar_style {
    NPC_STYLE_PLAIN,  /* may be a number, boolean or null */
    NPC_STYLE_QUOTED, /* always a string */
    NPC_STYLE_BLOCK   /* literal or folded: always a string */
} npc_scalar_style;

typedef struct npc_node npc_node;
typedef struct npc_pair {
    npc_node *key, *value;
} npc_pair;

struct npc_node {
    npc_node_kind kind;
    npc_scalar_style style;
    const char *file; /* owned by the context (npc_source) */
    uint32_t line, col;
    const char *tag; /* explicit tag such as "!!str", or NULL */
    union {
        struct {
            const char *s; /* NUL-terminated; may hold NULs before len */
            size_t len;
        } scalar;
        struct {
            npc_node **items;
            size_t len;
        } seq;
        struct {
            npc_pair *items;
            size_t len;
        } map;
    } u;
};

/* One document of a stream. */
typedef struct npc_tree {
    npc_arena *arena;
    npc_node *root; /* NULL for an empty document */
    const char *file;
    unsigned index; /* 0-based position of the document in its stream */
} npc_tree;

void npc_tree_free(npc_tree *t);

/* Called for each document in order. The callee owns t (npc_tree_free it, or
 * keep it). Return 0 to go on, nonzero to stop reading the stream. */
typedef int (*npc_tree_fn)(npc_ctx *ctx, npc_tree *t, void *user);

/* Reads a YAML or JSON stream. Syntax errors and limit violations are
 * reported as diagnostics; documents before the error have been delivered.
 * Returns NPC_OK, NPC_ERR_INPUT or NPC_ERR_IO. Path "-" reads stdin. */
npc_status npc_yaml_read_file(npc_ctx *ctx, const char *path, npc_tree_fn fn, void *user);
npc_status npc_yaml_read_buffer(npc_ctx *ctx, const char *name, const char *text, size_t len,
                                npc_tree_fn fn, void *user);
/* The JSON fast path (json.c): the tree of text when it is one JSON value
 * that the YAML path reads into the same tree (nodes, scalars, styles,
 * positions). NULL otherwise, having reported nothing: the caller then reads
 * the text through libyaml, which reports any problem. Thread-safe. */
npc_tree *npc_json_read(const npc_limits *lim, const char *file, const char *text, size_t len);
/* Reads a stream through libyaml only (no JSON fast path): for tests and
 * fuzzing, which compare the two paths. */
npc_status npc_libyaml_read_buffer(npc_ctx *ctx, const char *name, const char *text, size_t len,
                                   npc_tree_fn fn, void *user);
/* npc_yaml_read_file, with `file` (when not NULL) as the name that trees
 * and nodes carry instead of ctx's registration of path: for reading in a
 * private context off the caller's thread (src/text/batch.c). */
npc_status npc_yaml_read_file_as(npc_ctx *ctx, const char *path, const char *file, npc_tree_fn fn,
                                 void *user);
/* Reads the whole of path into memory (NUL-terminated), enforcing
 * max_file_bytes; reports NPC002/NPC005. Caller frees. */
char *npc_read_file(npc_ctx *ctx, const char *path, size_t *len);

/* ---- accessors: none of them report; callers decide what is an error ---- */
npc_loc npc_node_loc(const npc_node *n);
/* A human name of the node's type for messages: "mapping", "sequence",
 * "string", "integer", "boolean", "null". */
const char *npc_node_type_name(const npc_node *n);
int npc_node_is_null(const npc_node *n);                 /* NULL, or plain null/~/empty */
int npc_node_is_scalar(const npc_node *n);               /* scalar and not null */
int npc_node_is_string(const npc_node *n);               /* scalar that is not a number/bool/null */
int npc_node_get_bool(const npc_node *n, int *out);      /* 1 when a boolean */
int npc_node_get_int(const npc_node *n, long long *out); /* 1 when an integer */
int npc_node_scalar_eq(const npc_node *n, const char *s);
/* Deep equality of two trees: kinds, styles, tags, scalar bytes and
 * positions (for tests and fuzzing, which compare the two readers). */
int npc_node_same(const npc_node *a, const npc_node *b);
/* Value for key in a mapping, or NULL (also when n is not a mapping). */
npc_node *npc_map_get(const npc_node *map, const char *key);
npc_pair *npc_map_get_pair(const npc_node *map, const char *key);

#endif
