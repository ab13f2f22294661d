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
/* Progress of long operations (reading big files, building the evaluator,
 * computing connection lists): called with a phase name ("read", "load",
 * "connlist"), units done and the total (0 when unknown). Called often; the
 * callee throttles. The library itself never prints. fn == NULL: none. */
typedef void (*npc_progress_fn)(void *user, const char *phase, size_t done, size_t total);
NPC_API void npc_ctx_set_progress(npc_ctx *ctx, npc_progress_fn fn, void *user);

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
/* A traffic spec (docs/spec.md): components, flows, options. Load it, set
 * options, then render it for an engine or write its traffic table. */
typedef struct npc_spec npc_spec;

/* Loads the spec in the YAML file at path ("-": stdin). Returns NULL after
 * reporting diagnostics (every error of the file, up to max_errors). The
 * spec belongs to the caller: release it with npc_spec_free(). */
NPC_API npc_spec *npc_spec_load(npc_ctx *ctx, const char *path);
NPC_API void npc_spec_free(npc_spec *spec);

/* Sets an option from "a.b=value" (like helm --set): the value is converted
 * to the option's type; lists are "x,y" or a YAML flow sequence "[...]".
 * Returns NPC_ERR_INPUT with a diagnostic (no position) for an unknown
 * option or a value of the wrong type. */
NPC_API npc_status npc_spec_set(npc_spec *spec, const char *assignment);
/* Sets options from a YAML mapping file (like helm --values): nested
 * mappings name dotted options. Unknown options and wrong types are
 * reported with their position. Apply every file before npc_spec_set(). */
NPC_API npc_status npc_spec_values_file(npc_spec *spec, const char *path);

typedef enum npc_format { NPC_FORMAT_YAML, NPC_FORMAT_JSON } npc_format;

/* The engine the spec names (spec.engine, possibly through an option), or
 * "kubernetes". Valid until the spec is freed or its options change. */
NPC_API const char *npc_spec_engine(npc_spec *spec);
/* The names of the engines render knows, in a NULL-terminated list. */
NPC_API const char *const *npc_render_engines(void);
/* Compiles the spec with its current options and renders the policies of
 * engine: YAML as a `---` stream, JSON as a v1 List. Output is sorted and
 * canonical: the same inputs give the same bytes. Appends to out only on
 * success; returns NPC_ERR_INPUT after reporting diagnostics. */
NPC_API npc_status npc_render(npc_spec *spec, const char *engine, npc_format format, npc_buf *out);

typedef enum npc_docs_format { NPC_DOCS_MD, NPC_DOCS_CSV } npc_docs_format;
/* Writes the required-traffic table of the spec with its current options:
 * component, namespace, port, protocol, direction, peer, purpose, and
 * whether the peer is selectable by label. Appends to out only on success. */
NPC_API npc_status npc_docs(npc_spec *spec, npc_docs_format format, npc_buf *out);

/* ------------------------------------------------------ cluster analysis */
/* Manifests as `kubectl get -o yaml|json` writes them (namespaces,
 * workloads, NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy) loaded into a cluster model, and the questions
 * asked of it: one flow (eval, explain) or every connection (connlist). */
typedef struct npc_cluster npc_cluster;

/* Creates an empty cluster model owned by the caller; ctx must outlive it.
 * Free it with npc_cluster_free(). */
NPC_API npc_cluster *npc_cluster_new(npc_ctx *ctx);
NPC_API void npc_cluster_free(npc_cluster *c);

/* Loads manifests. Each path is a file or a folder (scanned recursively in
 * sorted order for .yaml, .yml and .json files), or "-" for stdin; streams
 * may hold several documents and List kinds. Unanalysed kinds are skipped
 * with a note (NPC210); files of a folder that are not YAML are skipped with
 * a warning. Returns NPC_OK, or NPC_ERR_INPUT / NPC_ERR_IO with diagnostics
 * (file:line:col) in the context. */
NPC_API npc_status npc_cluster_load(npc_cluster *c, const char *const *paths, size_t npaths);

/* Writes the connection list of c: every ordered pair of workloads (and
 * of workloads and the external address ranges the policies induce) with
 * its allowed connections, sorted, in format "txt" (lines "src => dst :
 * conns", as netpol-analyzer writes them), "json", "csv", "md" or "dot".
 * Appends to out. Returns NPC_OK, or NPC_ERR_INPUT (unknown format: a
 * diagnostic). */
NPC_API npc_status npc_cluster_connlist(npc_cluster *c, const char *format, npc_buf *out);

/* Evaluates one flow: from and to are "NAMESPACE/NAME" (a workload's name
 * or one of its pods' names) or an IP address (an external endpoint);
 * protocol is "TCP", "UDP" or "SCTP" (any case); port 1..65535. Sets
 * *allowed to 1 or 0. reason (may be NULL) receives one line saying what
 * decided; explain (may be NULL) the decision chain: for the egress of the
 * source and the ingress of the destination, each tier in order with the
 * policy and rule (file:line:col) that allowed, denied or passed the flow,
 * or the default that applied. Returns NPC_OK, or NPC_ERR_INPUT with a
 * diagnostic (NPC221 unknown endpoint, bad protocol or port). */
NPC_API npc_status npc_cluster_eval(npc_cluster *c, const char *from, const char *to,
                                    const char *protocol, unsigned port, int *allowed,
                                    npc_buf *reason, npc_buf *explain);

#ifdef __cplusplus
}
#endif
#endif /* NETPOLC_H */
