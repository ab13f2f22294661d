/* netpolc connlist: every allowed connection between the workloads of
 * manifests and the external address ranges their policies name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "eval/eval.h"
#include "model/load.h"
#include "report/exposure.h"
#include "report/report.h"
#include "util/diag.h"

static const char usage_text[] =
    "usage: netpolc connlist [OPTIONS] PATH...\n"
    "\n"
    "Lists every allowed connection between the workloads of the manifests in\n"
    "PATH (files or folders of YAML/JSON, '-' for stdin) and the external\n"
    "address ranges their policies name, one 'src => dst : connections' line\n"
    "per pair, as netpol-analyzer's 'list' writes it.\n"
    "\n"
    "options:\n"
    "  --format FMT               txt (default), json, csv, md or dot\n"
    "  -o, --output FILE          write the report to FILE instead of stdout\n"
    "  --focus-workload W[,W...]  only connections of these workloads (name or ns/name)\n"
    "  --focus-workload-peer P[,P...]\n"
    "                             with --focus-workload: only those with these peers\n"
    "  --focus-direction DIR      with --focus-workload: ingress or egress only\n"
    "  --focus-conn PROTO-PORT    only pairs allowed on this connection (e.g. tcp-80)\n"
    "  --exposure                 also list how policies expose each workload to pods\n"
    "                             the manifests may not hold (entire cluster, pods\n"
    "                             matching a rule's selectors)\n"
    "  --explain                  explain every pair: the allowed and denied ports and\n"
    "                             the policies and rules that decided them (txt only)\n"
    "  --explain-only WHAT        with --explain: only the allowed or denied ports\n"
    "                             (allow or deny)\n"
    "  -v, --verbose              also print notes (skipped kinds, ...)\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Exit status: 0 success, 2 bad input or usage (nothing is written then).\n";

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past the value. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char *alias,
                     const char **out, int *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && !(alias && strcmp(a, alias) == 0))
        return 0;
    if (*i + 1 >= argc) {
        *missing = 1;
        return 1;
    }
    *out = argv[++*i];
    return 1;
}

/* Errors and warnings always; notes (kinds skipped, ...) on request. */
static void print_diags(const npc_ctx *ctx, int verbose)
{
    npc_buf b = NPC_BUF_INIT;
    int color = isatty(2);
    for (size_t i = 0; i < npc_diag_count(ctx); i++) {
        const npc_diag *d = npc_diag_get(ctx, i);
        if (verbose || d->severity != NPC_SEV_NOTE)
            npc_diag_format(ctx, d, color, &b);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, stderr);
    npc_buf_free(&b);
}

static int write_file(const char *path, const npc_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return NPC_EXIT_USAGE;
    }
    int bad = b->len && fwrite(b->data, 1, b->len, f) != b->len;
    bad |= fclose(f) != 0;
    if (bad) {
        perror(path);
        return NPC_EXIT_USAGE;
    }
    return NPC_EXIT_OK;
}

/* The exposure section after an explanation: its external-range lines
 * come from the connection list. Returns 0 on failure. */
/* Whether an unknown focus workload was reported (NPC220): the report is
 * empty, and there is nothing to expose either. */
static int focus_unknown(const npc_ctx *ctx)
{
    for (size_t i = 0; i < npc_diag_count(ctx); i++)
        if (strcmp(npc_diag_get(ctx, i)->code, "NPC220") == 0)
            return 1;
    return 0;
}

static int write_exposure_after_explain(npc_cluster *c, const npc_report_opts *opts, npc_buf *out)
{
    if (focus_unknown(c->ctx))
        return 1; /* reported by the explanation already */
    npc_connlist l;
    memset(&l, 0, sizeof l);
    if (npc_connlist_compute(c, &l) != NPC_OK) {
        npc_connlist_free(&l);
        return 0;
    }
    npc_report r;
    npc_exposure x;
    npc_expo_report e;
    npc_report_build(c, &l, opts, &r);
    npc_exposure_compute(c, &x);
    npc_expo_report_build(c, &x, &r, opts, &e);
    npc_buf_putc(out, '\n');
    npc_expo_write_txt_section(&e, out);
    npc_expo_report_free(&e);
    npc_exposure_free(&x);
    npc_report_free(&r);
    npc_connlist_free(&l);
    return 1;
}

int npc_cli_connlist(int argc, char **argv)
{
    const char *format = "txt", *output = NULL, *dir = NULL, *conn = NULL, *only = NULL;
    npc_report_opts opts;
    memset(&opts, 0, sizeof opts);
    char **paths = npc_xcalloc((size_t)argc + 1, sizeof *paths);
    int npaths = 0, only_paths = 0, verbose = 0, explain = 0, exposure = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int missing = 0;
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            paths[npaths++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_paths = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(a, "--explain") == 0) {
            explain = 1;
        } else if (strcmp(a, "--exposure") == 0) {
            exposure = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            free(paths);
            return NPC_EXIT_OK;
        } else if (opt_value(argc, argv, &i, "--format", NULL, &format, &missing) ||
                   opt_value(argc, argv, &i, "--output", "-o", &output, &missing) ||
                   opt_value(argc, argv, &i, "--focus-workload", "--focusworkload",
                             &opts.focus_workloads, &missing) ||
                   opt_value(argc, argv, &i, "--focus-workload-peer", "--focusworkload-peer",
                             &opts.focus_peers, &missing) ||
                   opt_value(argc, argv, &i, "--focus-direction", NULL, &dir, &missing) ||
                   opt_value(argc, argv, &i, "--focus-conn", NULL, &conn, &missing) ||
                   opt_value(argc, argv, &i, "--explain-only", NULL, &only, &missing)) {
            if (missing) {
                free(paths);
                return npc_cli_usage_error("connlist", "option %s needs a value", a);
            }
        } else {
            free(paths);
            return npc_cli_usage_error("connlist", "unknown option '%s'", a);
        }
    }
    npc_report_format fmt;
    int bad_usage = 0;
    if (!npc_report_format_parse(format, &fmt))
        bad_usage = npc_cli_usage_error("connlist", "unknown format '%s' (txt, json, csv, md, dot)",
                                        format);
    else if (dir && strcmp(dir, "ingress") == 0)
        opts.focus_dir = 1;
    else if (dir && strcmp(dir, "egress") == 0)
        opts.focus_dir = 2;
    else if (dir)
        bad_usage = npc_cli_usage_error("connlist", "--focus-direction must be ingress or egress");
    if (!bad_usage && conn) {
        if (!npc_report_parse_focus_conn(conn, &opts.conn_proto, &opts.conn_port))
            bad_usage = npc_cli_usage_error(
                "connlist", "--focus-conn must be PROTOCOL-PORT such as tcp-80, not '%s'", conn);
        opts.has_focus_conn = 1;
    }
    if (!bad_usage && (dir || opts.focus_peers) && !(opts.focus_workloads && *opts.focus_workloads))
        bad_usage = npc_cli_usage_error(
            "connlist", "--focus-direction and --focus-workload-peer need --focus-workload");
    npc_explain_only explain_only = NPC_EXPLAIN_BOTH;
    if (!bad_usage && only) {
        if (strcmp(only, "allow") == 0)
            explain_only = NPC_EXPLAIN_ALLOW;
        else if (strcmp(only, "deny") == 0)
            explain_only = NPC_EXPLAIN_DENY;
        else
            bad_usage = npc_cli_usage_error("connlist", "--explain-only must be allow or deny");
        if (!bad_usage && !explain)
            bad_usage = npc_cli_usage_error("connlist", "--explain-only needs --explain");
    }
    if (!bad_usage && explain && fmt != NPC_REPORT_TXT)
        bad_usage = npc_cli_usage_error("connlist", "--explain writes txt only, not %s", format);
    if (!bad_usage && npaths == 0)
        bad_usage = npc_cli_usage_error("connlist", "no PATH given");
    if (bad_usage) {
        free(paths);
        return bad_usage;
    }

    npc_ctx *ctx = npc_ctx_new();
    npc_cli_progress progress;
    npc_cli_progress_start(ctx, &progress);
    npc_cluster *c = npc_cluster_new(ctx);
    npc_buf out = NPC_BUF_INIT;
    int rc = NPC_EXIT_USAGE;
    npc_status st = npc_cluster_load_paths(c, paths, npaths);
    int loaded = st == NPC_OK && npc_error_count(ctx) == 0 && npc_workloads_check(c) &&
                 npc_eval_build(c) == NPC_OK;
    if (loaded && explain) {
        if (npc_report_explain(c, &opts, explain_only, &out) == NPC_OK && npc_error_count(ctx) == 0)
            rc = NPC_EXIT_OK;
        if (rc == NPC_EXIT_OK && exposure && !write_exposure_after_explain(c, &opts, &out))
            rc = NPC_EXIT_USAGE;
    } else if (loaded) {
        npc_connlist l;
        memset(&l, 0, sizeof l);
        if (npc_connlist_compute(c, &l) == NPC_OK && npc_error_count(ctx) == 0) {
            npc_report r;
            npc_report_build(c, &l, &opts, &r);
            if (exposure && !focus_unknown(ctx)) {
                npc_exposure x;
                npc_expo_report e;
                npc_exposure_compute(c, &x);
                npc_expo_report_build(c, &x, &r, &opts, &e);
                npc_expo_write(fmt, &r, &e, &out);
                npc_expo_report_free(&e);
                npc_exposure_free(&x);
            } else {
                npc_report_writer_of(fmt)(&r, &out);
            }
            npc_report_free(&r);
            rc = NPC_EXIT_OK;
        }
        npc_connlist_free(&l);
    }
    npc_cli_progress_end(&progress);
    print_diags(ctx, verbose);
    if (rc == NPC_EXIT_OK)
        rc = output ? write_file(output, &out) : npc_cli_write_stdout(&out);
    npc_buf_free(&out);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
    free(paths);
    return rc;
}
