/* netpolc eval: is one flow allowed by the policies of manifests? Shares
 * its arguments with explain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "eval/eval.h"
#include "model/load.h"
#include "util/buf.h"
#include "util/ctx.h"

static const char eval_usage[] =
    "usage: netpolc eval PATH... --from NS/NAME|IP --to NS/NAME|IP --port N [--protocol P]\n"
    "\n"
    "Tells whether the policies in PATH (files or folders of YAML/JSON, '-' for\n"
    "stdin) allow one flow, and why in one line. NAME is a workload's name or\n"
    "the name of one of its pods; an IP address stands for an external endpoint.\n"
    "\n"
    "options:\n"
    "  --from NS/NAME|IP   the source\n"
    "  --to NS/NAME|IP     the destination\n"
    "  --port N            destination port, 1-65535\n"
    "  --protocol P        TCP (default), UDP or SCTP\n"
    "  -v, --verbose       also print notes (skipped kinds)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 allowed, 1 denied, 2 bad input or usage.\n";

static const char explain_usage[] =
    "usage: netpolc explain PATH... --from NS/NAME|IP --to NS/NAME|IP --port N [--protocol P]\n"
    "\n"
    "Prints the decision chain of one flow: for the egress of the source and the\n"
    "ingress of the destination, each tier in order (admin, namespace,\n"
    "baseline) with the policy and rule that allowed, denied or passed it\n"
    "(file:line:col), or the default that applied. Options as for eval.\n"
    "\n"
    "Exit status: 0 allowed, 1 denied, 2 bad input or usage.\n";

/* Prints errors and warnings (notes too when verbose). */
static void print_diags(const npc_ctx *ctx, int verbose)
{
    npc_buf b = NPC_BUF_INIT;
    for (size_t i = 0; i < npc_diag_count(ctx); i++) {
        const npc_diag *d = npc_diag_get(ctx, i);
        if (d->severity == NPC_SEV_NOTE && !verbose)
            continue;
        npc_diag_format(ctx, d, 0, &b);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, stderr);
    npc_buf_free(&b);
}

static int take_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return 1;
    }
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc) {
        *out = NULL;
        return 1;
    }
    *out = argv[++*i];
    return 1;
}

int npc_cli_flow(int argc, char **argv, const char *verb, int explain)
{
    const char *from = NULL, *to = NULL, *port_s = NULL, *proto_s = "TCP";
    int verbose = 0, only_paths = 0, npaths = 0;
    char **paths = npc_xcalloc((size_t)argc + 1, sizeof *paths);
    int rc = NPC_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            paths[npaths++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            only_paths = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(explain ? explain_usage : eval_usage, stdout);
            free(paths);
            return NPC_EXIT_OK;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (take_value(argc, argv, &i, "--from", &v)) {
            if (!(from = v))
                goto missing;
        } else if (take_value(argc, argv, &i, "--to", &v)) {
            if (!(to = v))
                goto missing;
        } else if (take_value(argc, argv, &i, "--port", &v)) {
            if (!(port_s = v))
                goto missing;
        } else if (take_value(argc, argv, &i, "--protocol", &v)) {
            if (!(proto_s = v))
                goto missing;
        } else {
            rc = npc_cli_usage_error(verb, "unknown option '%s'", a);
            goto out;
        }
        continue;
    missing:
        rc = npc_cli_usage_error(verb, "option '%s' needs a value", a);
        goto out;
    }
    if (!npaths || !from || !to || !port_s) {
        rc = npc_cli_usage_error(verb, "needs PATH..., --from, --to and --port");
        goto out;
    }
    char *end = NULL;
    long port = strtol(port_s, &end, 10);
    if (!*port_s || *end || port < 1 || port > 65535) {
        rc = npc_cli_usage_error(verb, "--port must be a number 1-65535, not '%s'", port_s);
        goto out;
    }
    char proto_up[8] = {0};
    for (size_t k = 0; k < sizeof proto_up - 1 && proto_s[k]; k++)
        proto_up[k] = (char)(proto_s[k] >= 'a' && proto_s[k] <= 'z' ? proto_s[k] - 32 : proto_s[k]);
    npc_proto proto;
    if (strlen(proto_s) >= sizeof proto_up || !npc_proto_parse(proto_up, &proto)) {
        rc = npc_cli_usage_error(verb, "--protocol must be TCP, UDP or SCTP, not '%s'", proto_s);
        goto out;
    }

    npc_ctx *ctx = npc_ctx_new();
    npc_cli_progress progress;
    npc_cli_progress_start(ctx, &progress);
    npc_cluster *c = npc_cluster_new(ctx);
    npc_status st = npc_cluster_load_paths(c, paths, npaths);
    npc_cli_progress_end(&progress);
    print_diags(ctx, verbose);
    if (st != NPC_OK || npc_error_count(ctx)) {
        rc = NPC_EXIT_USAGE;
    } else if (npc_eval_build(c) != NPC_OK) {
        print_diags(ctx, verbose);
        rc = NPC_EXIT_USAGE;
    } else {
        npc_flow_end src, dst;
        npc_buf err = NPC_BUF_INIT, outb = NPC_BUF_INIT;
        if (!npc_flow_end_parse(c, from, &src, &err) || !npc_flow_end_parse(c, to, &dst, &err)) {
            fprintf(stderr, "netpolc %s: %s\n", verb, err.data);
            rc = NPC_EXIT_USAGE;
        } else {
            int allowed;
            if (explain) {
                allowed = npc_flow_eval(c, &src, &dst, proto, (uint16_t)port, NULL, &outb);
            } else {
                allowed = npc_flow_eval(c, &src, &dst, proto, (uint16_t)port, &outb, NULL);
                npc_buf_putc(&outb, '\n');
            }
            rc = npc_cli_write_stdout(&outb);
            if (rc == NPC_EXIT_OK)
                rc = allowed ? NPC_EXIT_OK : NPC_EXIT_FINDINGS;
        }
        npc_buf_free(&err);
        npc_buf_free(&outb);
    }
    npc_cluster_free(c);
    npc_ctx_free(ctx);
out:
    free(paths);
    return rc;
}

int npc_cli_eval(int argc, char **argv)
{
    return npc_cli_flow(argc, argv, "eval", 0);
}
