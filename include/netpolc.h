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
#define NPC_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
NPC_API void npc_buf_free(npc_buf *b);
/* Appends the string s (aborts with a message when out of memory). */
NPC_API void npc_buf_puts(npc_buf *b, const char *s);

/* "Did you mean": of the NULL-terminated candidates, the one nearest word
 * by edit distance (a swap of neighbours counts one), if within a typo's
 * reach (a third of word's length, at least 1); else NULL. The diagnostics
 * use it for fields, keys, options and names; a caller may for its own
 * vocabulary (the command line's options). */
NPC_API const char *npc_suggest_word(const char *word, const char *const *candidates);

/* The context: owns sources, diagnostics, interned strings and every object
 * loaded through it. Not thread-safe; use one per thread. */
typedef struct npc_ctx npc_ctx;
NPC_API npc_ctx *npc_ctx_new(void);
NPC_API void npc_ctx_free(npc_ctx *ctx);

/* Limits applied to every YAML/JSON document read through the context.
 * Exceeding one is an error diagnostic (NPC003..NPC005), never a crash. */
typedef struct npc_limits {
    size_t max_file_bytes;  /* default 256 MiB per file */
    unsigned max_depth;     /* default 128 nesting levels */
    size_t max_alias_nodes; /* default 1,000,000 nodes reachable through aliases */
    unsigned max_errors;    /* default 20 error diagnostics, then stop */
} npc_limits;
/* Progress of long operations (reading big files, building the evaluator,
 * computing connection lists): called with a phase name ("read", "load",
 * "connlist"), units done and the total (0 when unknown). Called often; the
 * callee throttles. The library itself never prints. fn == NULL: none. */
typedef void (*npc_progress_fn)(void *user, const char *phase, size_t done, size_t total);
NPC_API void npc_ctx_set_progress(npc_ctx *ctx, npc_progress_fn fn, void *user);

/* Strict mode: policy-like kinds the analyser does not evaluate (Calico,
 * Cilium, unknown apiVersions; NPC226) are errors instead of warnings, so
 * loading fails rather than answering for a cluster whose policies were
 * partly ignored. Off by default. */
NPC_API void npc_ctx_set_strict(npc_ctx *ctx, int strict);

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
/* Formats every diagnostic collected so far that is at least as severe as
 * `least`, in order: NPC_SEV_NOTE formats all of them, NPC_SEV_WARNING
 * errors and warnings (the command line shows notes only with -v). */
NPC_API void npc_diags_format(const npc_ctx *ctx, npc_severity least, int color, npc_buf *out);
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
/* The same, with ns (may be NULL) as the namespace of whatever the spec
 * puts in none when it has no spec.namespace, as `helm template -n NS`
 * sets the release namespace; a spec.namespace that differs wins, with a
 * warning. */
NPC_API npc_spec *npc_spec_load_ns(npc_ctx *ctx, const char *path, const char *ns);
NPC_API void npc_spec_free(npc_spec *spec);

/* Sets options from Helm's --set text: "a.b=value", several separated by
 * commas ("a=1,b=2"); the value is converted to the option's type. Lists
 * are "{x,y}", "x,y" or a YAML flow sequence "[...]"; "a[0].cidr=V" sets
 * one field of a list item (peers and raw options). Returns NPC_ERR_INPUT
 * with a diagnostic (no position) for an unknown option or a value of the
 * wrong type. */
/* Sets the platform profile, what the built-in entities `dns` and
 * `kube-apiserver` mean (docs/spec.md, "Platform profiles"): "gardener",
 * "kubeadm", "gke", "eks", or NULL for the defaults; overrides spec.profile.
 * Entities the spec redeclares keep its definition. NPC_ERR_INPUT (NPC124)
 * for an unknown name. */
NPC_API npc_status npc_spec_set_profile(npc_spec *spec, const char *profile);
NPC_API npc_status npc_spec_set(npc_spec *spec, const char *assignment);
/* How the value of a --set assignment is read. */
typedef enum npc_set_kind {
    NPC_SET_VALUE,  /* --set: typed from the text */
    NPC_SET_STRING, /* --set-string: always text (lists and YAML not parsed) */
    NPC_SET_FILE    /* --set-file: the value is the named file's contents
                       (parsed as YAML for list and raw options) */
} npc_set_kind;
NPC_API npc_status npc_spec_set_as(npc_spec *spec, const char *assignment, npc_set_kind kind);
/* How npc_spec_values_file() reads files: prefix (NULL: none) is the
 * dotted key the options sit under in a chart's whole values.yaml
 * ("networkPolicy"); keys outside the options are ignored with one note per
 * file listing them (a warning when they sit inside a group of options,
 * where they are likely typos), or with strict != 0 are errors. */
NPC_API void npc_spec_values_config(npc_spec *spec, const char *prefix, int strict);
/* Sets options from a YAML mapping file (like helm --values): nested
 * mappings name dotted options; YAML 1.1 booleans (yes/no/on/off/y/n) are
 * booleans, as Helm reads them. Wrong types are reported with their
 * position. Apply every file before npc_spec_set(). */
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

/* ------------------------------------------------------------ Helm chart */
/* A Helm chart fragment implementing the spec with Helm's own template
 * engine: templates/networkpolicy-ENGINE.yaml per engine (switched by the
 * spec's engine option when it has one, else the one engine), values.yaml
 * (the options' defaults, descriptions as comments), values.schema.json
 * (JSON Schema draft 7 typing every option) and parameters.md (a Markdown
 * parameter table). `helm template` of the fragment gives, for any values,
 * the objects npc_render() gives for the same options. */
typedef struct npc_chart_opts {
    const char *values_prefix;  /* NULL or "": options at the top of .Values;
                                   "a.b": under .Values.a.b */
    const char *naming;         /* NULL: spec.naming; else a pattern that may hold
                                   template text, e.g. "{{ .Release.Name }}-{name}" */
    const char *labels_include; /* NULL: spec.labels; else the name of a chart helper
                                   (define) whose output is the labels mapping */
    const char *engine;         /* NULL: the spec's engine (every engine, switched by its
                                   engine option); else this engine's templates only, as
                                   `render --engine` overrides the spec's */
} npc_chart_opts;

/* Receives one file of the fragment: path relative to the chart folder
 * ("templates/networkpolicy-kubernetes.yaml") and its text. Returns 0 on
 * success; nonzero stops and makes npc_chart() return NPC_ERR_IO. */
typedef int (*npc_chart_file_fn)(void *user, const char *path, const char *text, size_t len);

/* Generates the fragment (opts may be NULL) and hands each file to write,
 * only once every file was generated without error. Returns NPC_OK,
 * NPC_ERR_INPUT after reporting diagnostics (nothing handed over), or
 * NPC_ERR_IO when write failed. */
NPC_API npc_status npc_chart(npc_spec *spec, const npc_chart_opts *opts, npc_chart_file_fn write,
                             void *user);

/* ---------------------------------------------------------------- verify */
/* Proves that policies implement a spec: every declared flow is allowed
 * (no "missing" flow) and nothing else is (no "excess" flow), by loading
 * the policies as text through the manifest loaders and evaluating them on
 * a topology of probe pods and addresses (docs/verify.md). */

typedef enum npc_verify_format {
    NPC_VERIFY_TEXT, /* lines for a terminal (default) */
    NPC_VERIFY_JSON, /* one object (a run) or {"combinations": [...]} */
    NPC_VERIFY_MD    /* Markdown, for a pull-request comment */
} npc_verify_format;

typedef struct npc_verify_options {
    const char *engine; /* NULL: the spec's engine (npc_spec_engine) */
    /* Policies to verify instead of the spec's rendering: files or folders
     * as npc_cluster_load reads them (hand-written, `helm template` output).
     * npolicies == 0: the rendering of `engine`. */
    const char *const *policies;
    size_t npolicies;
    /* A cluster snapshot whose pods and namespaces (and policies, which
     * then count too) replace the synthesised topology. ncluster == 0:
     * the synthesised topology. */
    const char *const *cluster;
    size_t ncluster;
    npc_verify_format format;
    /* Non-NULL: receives the synthesised topology as YAML manifests
     * (Namespaces and Pods), as loaded; the first combination's with
     * npc_verify_all. */
    npc_buf *topology;
    /* Non-NULL: receives every probe, one line each: source, destination
     * ("ns/name" or an address), protocol, port and 1 (allowed) or 0,
     * tab-separated; the first combination's with npc_verify_all. */
    npc_buf *probes;
    /* Nonzero: unenforceable flows (allowed, undeclared, and beyond what
     * the engine's policies can deny: ClusterNetworkPolicy ingress from
     * outside the cluster) fail the run like excess ones; 0: they are
     * reported and the run may still be clean (docs/verify.md). */
    int strict;
} npc_verify_options;

typedef struct npc_verify_result {
    size_t missing, excess; /* findings (each: a pair, what decided, its connections) */
    size_t unenforceable;   /* findings the engine cannot close (fail only with strict) */
    size_t probes;          /* single flows evaluated */
    size_t combinations;    /* combinations verified (1 for npc_verify) */
    size_t failed;          /* combinations that fail (findings; with strict, unenforceable) */
} npc_verify_result;

/* Verifies the spec with its current options. Writes the report to out
 * (only when the run completed) and the counts to res (may be NULL).
 * Returns NPC_OK whether or not there are findings (res says), or
 * NPC_ERR_INPUT / NPC_ERR_IO after reporting diagnostics: a spec that does
 * not compile, policies or a snapshot that do not load, a rendering that
 * does not load back (NPC401). */
NPC_API npc_status npc_verify(npc_spec *spec, const npc_verify_options *opts, npc_buf *out,
                              npc_verify_result *res);

/* The bound of npc_verify_all. */
#define NPC_VERIFY_MAX_COMBINATIONS 1024
/* Verifies every combination of the spec's bool options that still have
 * their default (options given with npc_spec_set or npc_spec_values_file
 * stay fixed), then one more combination per values file (applied over the
 * defaults; options set with npc_spec_set still win). One line (text, md)
 * or object (json) per combination. More than NPC_VERIFY_MAX_COMBINATIONS:
 * NPC403 and nothing is verified. The spec's options are as before on
 * return. */
NPC_API npc_status npc_verify_all(npc_spec *spec, const npc_verify_options *opts,
                                  const char *const *values, size_t nvalues, npc_buf *out,
                                  npc_verify_result *res);

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
/* With enforced != 0, Calico's staged policies (StagedNetworkPolicy,
 * StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) loaded from
 * then on are evaluated as if they were enforced, to show what they would
 * change; by default they are reported and not enforced, as in Calico. */
NPC_API void npc_cluster_set_staged(npc_cluster *c, int enforced);

/* Loads manifests. Each path is a file or a folder (scanned recursively in
 * sorted order for .yaml, .yml and .json files), or "-" for stdin; streams
 * may hold several documents and List kinds. Unanalysed kinds are skipped
 * with a note (NPC210); files of a folder that are not YAML are skipped with
 * a warning. Once everything read loaded cleanly, the workloads are checked:
 * pods of one owner (a Deployment's, ...) whose labels differ on a key that
 * some policy selects on cannot be analysed as one workload, and each such
 * owner is an error (NPC219) naming both pods and the policy. Returns
 * NPC_OK, or NPC_ERR_INPUT / NPC_ERR_IO with diagnostics (file:line:col) in
 * the context. Loading more paths into the same cluster later is allowed;
 * the check then covers everything loaded so far. */
NPC_API npc_status npc_cluster_load(npc_cluster *c, const char *const *paths, size_t npaths);

/* Records a DNS answer: the name (a DNS name; a trailing dot and case do
 * not matter) resolves to ip (an IPv4 or IPv6 address). FQDN peers (Cilium
 * toFQDNs matchName/matchPattern) select the addresses of the names they
 * match, as Cilium learns them from the DNS answers its proxy sees.
 * Returns NPC_OK, or NPC_ERR_INPUT when ip is not an address or name is
 * empty (nothing recorded, no diagnostic: the caller names the argument). */
NPC_API npc_status npc_cluster_add_dns(npc_cluster *c, const char *name, const char *ip);

/* Which connections of the focus workloads a connection list keeps. */
typedef enum npc_focus_dir {
    NPC_FOCUS_BOTH = 0,    /* into and out of them */
    NPC_FOCUS_INGRESS = 1, /* into them: the focus workload is the destination */
    NPC_FOCUS_EGRESS = 2   /* out of them: it is the source */
} npc_focus_dir;

/* Which port ranges an explanation report lists. */
typedef enum npc_explain_only {
    NPC_EXPLAIN_BOTH = 0, /* the allowed and the denied ones */
    NPC_EXPLAIN_ALLOW = 1,
    NPC_EXPLAIN_DENY = 2
} npc_explain_only;

/* What npc_cluster_connlist() writes. Zero-initialised (or
 * NPC_CONNLIST_OPTS_INIT), it is the plain list in txt. Each field is the
 * option of `netpolc connlist` named in its comment, and diagnostics about
 * the options name them that way. The strings are borrowed for the call.
 *   format           --format: "txt" (NULL means txt), "json", "csv", "md"
 *                    or "dot"
 *   focus_workloads  --focus-workload: comma-separated workloads, each
 *                    "name" or "namespace/name": only pairs with one of them
 *                    at one end. NULL or "": every pair. A name that names
 *                    no workload is a warning (NPC220) and the report is
 *                    empty, as netpol-analyzer does.
 *   focus_peers      --focus-workload-peer: with focus_workloads, the other
 *                    end must be one of these (same syntax).
 *   focus_dir        --focus-direction: with focus_workloads, only
 *                    connections into (ingress) or out of (egress) them.
 *   focus_conn       --focus-conn: "PROTOCOL-PORT" such as "tcp-8080": only
 *                    pairs allowed on this connection, printed without their
 *                    connection sets. NULL: no such filter.
 *   explain          --explain: netpol-analyzer's explanation report instead
 *                    of the list: per pair, the allowed and denied ports and
 *                    the policies and rules that decided them (txt only).
 *   explain_only     --explain-only: with explain, only the allowed or only
 *                    the denied ports.
 *   exposure         --exposure: add the exposure analysis: which workloads
 *                    the policies open to the entire cluster or to pods the
 *                    manifests may not hold (after the list, in its format,
 *                    or after the explanation); with focus_conn, only the
 *                    exposure on that connection, without connection sets. */
typedef struct npc_connlist_opts {
    const char *format;
    const char *focus_workloads;
    const char *focus_peers;
    npc_focus_dir focus_dir;
    const char *focus_conn;
    int explain;
    npc_explain_only explain_only;
    int exposure;
} npc_connlist_opts;
#define NPC_CONNLIST_OPTS_INIT                                                                     \
    {                                                                                              \
        NULL, NULL, NULL, NPC_FOCUS_BOTH, NULL, 0, NPC_EXPLAIN_BOTH, 0                             \
    }

/* Checks options without a cluster, so that a caller can refuse them before
 * loading anything: an unknown format or enum value, or a focus_conn that is
 * not PROTOCOL-PORT, is NPC222; options that contradict each other (explain
 * with a format other than txt, explain_only without explain, focus_dir or
 * focus_peers without focus_workloads) are NPC224. Returns NPC_OK, or
 * NPC_ERR_INPUT after reporting every problem in ctx. */
NPC_API npc_status npc_connlist_opts_check(npc_ctx *ctx, const npc_connlist_opts *opts);

/* Writes the connection list of c: every ordered pair of workloads (and
 * of workloads and the external address ranges the policies induce) with
 * its allowed connections, sorted, in the format of opts (NULL: defaults):
 * txt lines "src => dst : conns" as netpol-analyzer writes them, a JSON
 * array, CSV, a Markdown table or a Graphviz graph; focused, explained and
 * with exposure as opts say. Output is deterministic. Checks opts first
 * (npc_connlist_opts_check) and the workloads (NPC219, as
 * npc_cluster_load). Appends to out only on success; returns NPC_OK, or
 * NPC_ERR_INPUT after reporting diagnostics. */
NPC_API npc_status npc_cluster_connlist(npc_cluster *c, const npc_connlist_opts *opts,
                                        npc_buf *out);

/* Evaluates one flow: from and to are "NAMESPACE/NAME" (a workload's name
 * or one of its pods' names) or an IP address (an external endpoint);
 * protocol is "TCP", "UDP" or "SCTP" (any case); port 1..65535. Sets
 * *allowed to 1 or 0. reason (may be NULL) receives one line saying what
 * decided; explain (may be NULL) the decision chain: for the egress of the
 * source and the ingress of the destination, each tier in order with the
 * policy and rule (file:line:col) that allowed, denied or passed the flow,
 * or the default that applied. Returns NPC_OK, or NPC_ERR_INPUT with a
 * diagnostic: NPC221 unknown endpoint, NPC208 bad protocol, NPC207 bad
 * port, NPC219 an owner whose pods the policies tell apart (the same check
 * as npc_cluster_load and npc_cluster_connlist: no verdict is given for a
 * cluster that connlist refuses). */
NPC_API npc_status npc_cluster_eval(npc_cluster *c, const char *from, const char *to,
                                    const char *protocol, unsigned port, int *allowed,
                                    npc_buf *reason, npc_buf *explain);

/* ---------------------------------------------------------------- output */
/* Writing results where the caller chooses, with a coded diagnostic
 * (NPC010, naming the file and the system's reason) when it fails, so a
 * full disk is never a silent exit. */

/* Writes b to the file at path atomically: into a temporary file in the
 * same folder, flushed to disk, then renamed over path, so that path holds
 * either its old contents or all of b, never part of it. A replaced file
 * keeps its permissions; a symbolic link keeps naming its file, which is
 * the one replaced. A path that exists and is not a regular file (a device
 * such as /dev/stdout, a pipe) is written in place. "-" writes to stdout. Returns NPC_OK, or NPC_ERR_IO
 * after reporting NPC010 (no temporary file is left behind). */
NPC_API npc_status npc_write_file(npc_ctx *ctx, const char *path, const npc_buf *b);
/* Writes b to the open stream f and flushes it; name says what f is in the
 * diagnostic ("standard output"). Returns NPC_OK, or NPC_ERR_IO after
 * reporting NPC010. */
NPC_API npc_status npc_write_stream(npc_ctx *ctx, FILE *f, const char *name, const npc_buf *b);
/* Creates the folder at path and the folders above it that are missing;
 * a folder that exists already is fine. Returns NPC_OK, or NPC_ERR_IO
 * after reporting NPC010 (naming the folder that could not be made). */
NPC_API npc_status npc_make_dir(npc_ctx *ctx, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* NETPOLC_H */
