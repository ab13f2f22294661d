/* netpolc connlist: every allowed connection between the workloads of
 * manifests and the external address ranges their policies name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
    "  -o, --output FILE          write the report to FILE instead of stdout (whole\n"
    "                             or not at all)\n"
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
    "  --strict                   policy kinds that are not evaluated (Calico,\n"
    "                             Cilium, ...) are errors, not warnings\n"
    "  --staged                   evaluate Calico's staged policies as if enforced\n"
    "                             (what they would change)\n"
    "  -h, --help                 show this help\n"
    "\n"
    "Exit status: 0 success, 2 bad input or usage (nothing is written then).\n";

void npc_cli_connlist_help(FILE *out)
{
    fputs(usage_text, out);
}

int npc_cli_connlist(int argc, char **argv)
{
    const char *output = NULL, *dir = NULL, *only = NULL;
    npc_connlist_opts opts = NPC_CONNLIST_OPTS_INIT;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t npaths = 0;
    int only_paths = 0, verbose = 0, strict = 0, staged = 0;
    if (!paths)
        return npc_cli_usage_error("connlist", "out of memory");

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL, **dest = NULL;
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            paths[npaths++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_paths = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(a, "--explain") == 0) {
            opts.explain = 1;
        } else if (strcmp(a, "--exposure") == 0) {
            opts.exposure = 1;
        } else if (strcmp(a, "--strict") == 0) {
            strict = 1;
        } else if (strcmp(a, "--staged") == 0) {
            staged = 1;
        } else if (npc_cli_is_help(a)) {
            npc_cli_connlist_help(stdout);
            free(paths);
            return NPC_EXIT_OK;
        } else if (npc_cli_option(argc, argv, &i, "--format", NULL, &v)) {
            dest = &opts.format;
        } else if (npc_cli_option(argc, argv, &i, "--output", "-o", &v)) {
            dest = &output;
        } else if (npc_cli_option(argc, argv, &i, "--focus-workload", "--focusworkload", &v)) {
            dest = &opts.focus_workloads;
        } else if (npc_cli_option(argc, argv, &i, "--focus-workload-peer", "--focusworkload-peer",
                                  &v)) {
            dest = &opts.focus_peers;
        } else if (npc_cli_option(argc, argv, &i, "--focus-direction", NULL, &v)) {
            dest = &dir;
        } else if (npc_cli_option(argc, argv, &i, "--focus-conn", NULL, &v)) {
            dest = &opts.focus_conn;
        } else if (npc_cli_option(argc, argv, &i, "--explain-only", NULL, &v)) {
            dest = &only;
        } else {
            free(paths);
            return npc_cli_unknown_option("connlist", "connlist", a);
        }
        if (dest && !v) {
            free(paths);
            return npc_cli_usage_error("connlist", "option %s needs a value", a);
        }
        if (dest)
            *dest = v;
    }
    int bad_usage = 0;
    if (dir && strcmp(dir, "ingress") == 0)
        opts.focus_dir = NPC_FOCUS_INGRESS;
    else if (dir && strcmp(dir, "egress") == 0)
        opts.focus_dir = NPC_FOCUS_EGRESS;
    else if (dir)
        bad_usage = npc_cli_usage_error("connlist", "--focus-direction must be ingress or egress");
    if (!bad_usage && only) {
        if (strcmp(only, "allow") == 0)
            opts.explain_only = NPC_EXPLAIN_ALLOW;
        else if (strcmp(only, "deny") == 0)
            opts.explain_only = NPC_EXPLAIN_DENY;
        else
            bad_usage = npc_cli_usage_error("connlist", "--explain-only must be allow or deny");
    }
    if (!bad_usage && npaths == 0)
        bad_usage = npc_cli_usage_error("connlist", "no PATH given");
    if (bad_usage) {
        free(paths);
        return bad_usage;
    }

    npc_ctx *ctx = npc_ctx_new();
    npc_ctx_set_strict(ctx, strict);
    npc_cluster *c = NULL;
    npc_buf out = NPC_BUF_INIT;
    int rc = NPC_EXIT_USAGE;
    if (npc_connlist_opts_check(ctx, &opts) == NPC_OK) { /* before a long load */
        npc_cli_progress progress;
        npc_cli_progress_start(ctx, &progress);
        c = npc_cluster_new(ctx);
        npc_cluster_set_staged(c, staged);
        if (npc_cluster_load(c, paths, npaths) == NPC_OK &&
            npc_cluster_connlist(c, &opts, &out) == NPC_OK)
            rc = npc_cli_emit(ctx, output, &out);
        npc_cli_progress_end(&progress);
    }
    npc_cli_print_diags(ctx, verbose);
    npc_buf_free(&out);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
    free(paths);
    return rc;
}
