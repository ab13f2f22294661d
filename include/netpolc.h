/* netpolc.h - the public interface of libnetpolc, a network policy compiler
 * and verifier for Kubernetes.
 *
 * Ownership, once for the whole library:
 *   - Every object the library hands out belongs to the npc_ctx it came from
 *     (or to the object named in its comment) and lives until that owner is
 *     freed. Callers never free library objects one by one, except those
 *     returned by a *_new() function, which have a matching *_free().
 *   - `const char *` parameters are borrowed for the duration of the call.
 *   - Text produced for the caller (rendered YAML, tables, reports) is written
 *     into an npc_buf the caller owns and frees with npc_buf_free().
 *
 * The library never prints and never exits. Problems in the input become
 * diagnostics (npc_diag) collected in the context; a function that fails
 * returns NPC_ERR_INPUT and leaves its output buffer untouched, so a caller
 * never sees partial output.
 */
#ifndef NETPOLC_H
#define NETPOLC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NETPOLC_BUILDING) && defined(__GNUC__)
#define NPC_API __attribute__((visibility("default")))
#else
#define NPC_API
#endif

#define NETPOLC_VERSION "0.1.0"

/* ---------------------------------------------------------------- basics */

/* Results of library calls. */
typedef enum npc_status {
    NPC_OK = 0,        /* success */
    NPC_ERR_INPUT = 2, /* bad input: diagnostics say why */
    NPC_ERR_IO = 3     /* a file could not be read (also reported as a diagnostic) */
} npc_status;

/* Exit codes of the netpolc command (documented in the README). */
enum npc_exit {
    NPC_EXIT_OK = 0,       /* success; verify holds; eval: allowed */
    NPC_EXIT_FINDINGS = 1, /* verify found missing/excess flows; eval: denied */
    NPC_EXIT_USAGE = 2     /* bad input or usage */
};

/* An owned, growable, NUL-terminated text buffer. Zero-initialise it
 * (npc_buf b = NPC_BUF_INIT;) and release it with npc_buf_free(). */
typedef struct npc_buf {
    char *data;
    size_t len, cap;
} npc_buf;
#define NPC_BUF_INIT {NULL, 0, 0}
NPC_API void npc_buf_free(npc_buf *b);

/* The context: owns sources, diagnostics, interned strings and every object
 * loaded through it. Not thread-safe; use one per thread. */
typedef struct npc_ctx npc_ctx;
NPC_API npc_ctx *npc_ctx_new(void);
NPC_API void npc_ctx_free(npc_ctx *ctx);

/* Limits applied to every YAML/JSON document read through the context.
 * Exceeding one is an error diagnostic (NPC003..NPC005), never a crash. */
typedef struct npc_limits {
    size_t max_file_bytes;   /* default 256 MiB per file */
    unsigned max_depth;      /* default 128 nesting levels */
    size_t max_alias_nodes;  /* default 1,000,000 nodes reachable through aliases */
    unsigned max_errors;     /* default 20 error diagnostics, then stop */
} npc_limits;
NPC_API npc_limits npc_ctx_limits(const npc_ctx *ctx);
NPC_API void npc_ctx_set_limits(npc_ctx *ctx, const npc_limits *limits);

/* ----------------------------------------------------------- diagnostics */

typedef enum npc_severity { NPC_SEV_ERROR, NPC_SEV_WARNING, NPC_SEV_NOTE } npc_severity;

/* A position in an input file; line and col are 1-based, 0 when unknown. */
typedef struct npc_loc {
    const char *file; /* NULL when the diagnostic has no position */
    uint32_t line, col;
} npc_loc;

/* A diagnostic record. `code` is stable across releases ("NPC101"); the
 * codes are listed in docs/diagnostics.md. loc[0] is the primary position. */
typedef struct npc_diag {
    npc_severity severity;
    const char *code;
    const char *message;
    npc_loc loc[3];
    unsigned nloc;
} npc_diag;

NPC_API size_t npc_diag_count(const npc_ctx *ctx);
NPC_API const npc_diag *npc_diag_get(const npc_ctx *ctx, size_t i);
NPC_API size_t npc_error_count(const npc_ctx *ctx);
/* Formats one diagnostic as
 *   file:line:col: error[NPC101]: message
 *     source line
 *     ^
 * appending to out. With color != 0, ANSI colors are used. */
NPC_API void npc_diag_format(const npc_ctx *ctx, const npc_diag *d, int color, npc_buf *out);
/* Formats every diagnostic collected so far, in order. */
NPC_API void npc_diags_format(const npc_ctx *ctx, int color, npc_buf *out);
/* Forgets the diagnostics collected so far. */
NPC_API void npc_diags_clear(npc_ctx *ctx);

/* ----------------------------------------------- traffic spec and render */
/* (declared below by the spec section) */

/* ------------------------------------------------------ cluster analysis */
/* (declared below by the analysis section) */

#ifdef __cplusplus
}
#endif
#endif /* NETPOLC_H */
