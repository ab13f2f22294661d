/* The context behind the opaque npc_ctx handle. */
#ifndef NPC_UTIL_CTX_H
#define NPC_UTIL_CTX_H
#include "netpolc.h"
#include "util/alloc.h"
#include "util/intern.h"
#include "util/vec.h"

/* Where every NPC_LINE_STEP-th line of a source starts (byte offsets), so
 * the printer finds a source line without rereading the file up to it. */
#define NPC_LINE_STEP 32
typedef struct npc_line_index {
    size_t *starts; /* starts[i]: offset of line i * NPC_LINE_STEP + 1 */
    size_t n;
} npc_line_index;

/* A source text kept for the diagnostics printer (the caret line). */
typedef struct npc_source {
    const char *name; /* owned by the context arena; npc_loc.file points here */
    const char *text; /* in-memory inputs only (owned by the context arena); files
                         are re-read by the printer, so big inputs are not kept */
    size_t len;
    npc_line_index *lines; /* NULL until indexed (npc_source_index) */
} npc_source;

struct npc_ctx {
    npc_arena *arena;      /* lives as long as the context */
    npc_interner *strings; /* names, labels, keys */
    npc_limits limits;
    NPC_VEC(npc_source) sources;
    NPC_VEC(npc_diag) diags;
    size_t nerrors;
    int error_limit_noted;
    npc_progress_fn progress;
    void *progress_user;
    int strict; /* unevaluated policy kinds are errors (npc_ctx_set_strict) */
};

/* Reports progress to the caller's callback, if any. */
void npc_progress(npc_ctx *ctx, const char *phase, size_t done, size_t total);

/* Registers a source and returns its stable name pointer (npc_loc.file).
 * With text == NULL the printer re-reads the file named `name` when it needs
 * a source line; otherwise text is copied. Registering a name twice returns
 * the first registration. */
const char *npc_source_add(npc_ctx *ctx, const char *name, const char *text, size_t len);
const npc_source *npc_source_find(const npc_ctx *ctx, const char *name);
/* Records where the lines of source `name` start, from its text as it was
 * read (once per file): the printer then reads only the lines it shows. */
void npc_source_index(npc_ctx *ctx, const char *name, const char *text, size_t len);

#endif
