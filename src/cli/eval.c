/* netpolc eval: is one flow allowed by the policies of manifests? Shares
 * its arguments with explain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char eval_usage[] =
    "usage: netpolc eval PATH... --from NS/NAME|IP --to NS/NAME|IP --port N [--protocol P]\n"
    "                   [-o FILE] [-v]\n"
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
    "  --dns NAME=IP       a DNS answer: FQDN peers (Cilium toFQDNs) that match\n"
    "                      NAME select IP (repeatable)\n"
    "  --format txt        the output format (txt, the only one)\n"
    "  -o FILE             write the answer to FILE instead of stdout (whole or\n"
    "                      not at all)\n"
    "  -v, --verbose       also print notes (skipped kinds)\n"
    "  --strict            policy kinds that are not evaluated are errors\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 allowed, 1 denied, 2 bad input or usage.\n";

static const char explain_usage[] =
    "usage: netpolc explain PATH... --from NS/NAME|IP --to NS/NAME|IP --port N [--protocol P]\n"
    "                      [-o FILE] [-v]\n"
    "\n"
    "Prints the decision chain of one flow: for the egress of the source and the\n"
    "ingress of the destination, each tier in order (admin, namespace,\n"
    "baseline) with the policy and rule that allowed, denied or passed it\n"
    "(file:line:col), or the default that applied. Options as for eval.\n"
    "\n"
    "Exit status: 0 allowed, 1 denied, 2 bad input or usage.\n";

void npc_cli_eval_help(FILE *out)
{
    fputs(eval_usage, out);
}

void npc_cli_explain_help(FILE *out)
{
    fputs(explain_usage, out);
}

int npc_cli_flow(int argc, char **argv, const char *verb, int explain)
{
    const char *from = NULL, *to = NULL, *port_s = NULL, *proto_s = "TCP", *format = "txt";
    const char *output = NULL;
    int verbose = 0, only_paths = 0, strict = 0;
    size_t npaths = 0, ndns = 0;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    const char **dns = calloc((size_t)argc + 1, sizeof *dns);
    if (!paths || !dns) {
        free(paths);
        free(dns);
        return npc_cli_usage_error(verb, "out of memory");
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL, **dest = NULL;
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            paths[npaths++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            only_paths = 1;
        } else if (npc_cli_is_help(a)) {
            (explain ? npc_cli_explain_help : npc_cli_eval_help)(stdout);
            free(paths);
            free(dns);
            return NPC_EXIT_OK;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (!strcmp(a, "--strict")) {
            strict = 1;
        } else if (npc_cli_option(argc, argv, &i, "--from", NULL, &v)) {
            dest = &from;
        } else if (npc_cli_option(argc, argv, &i, "--to", NULL, &v)) {
            dest = &to;
        } else if (npc_cli_option(argc, argv, &i, "--port", NULL, &v)) {
            dest = &port_s;
        } else if (npc_cli_option(argc, argv, &i, "--protocol", NULL, &v)) {
            dest = &proto_s;
        } else if (npc_cli_option(argc, argv, &i, "--format", NULL, &v)) {
            dest = &format;
        } else if (npc_cli_option(argc, argv, &i, "--output", "-o", &v)) {
            dest = &output;
        } else if (npc_cli_option(argc, argv, &i, "--dns", NULL, &v)) {
            dest = &dns[ndns++];
        } else {
            free(paths);
            free(dns);
            return npc_cli_unknown_option(verb, "eval", a); /* explain's are eval's */
        }
        if (dest && !v) {
            free(paths);
            free(dns);
            return npc_cli_usage_error(verb, "option '%s' needs a value", a);
        }
        if (dest)
            *dest = v;
    }
    int rc = NPC_EXIT_USAGE;
    char *end = NULL;
    long port = port_s ? strtol(port_s, &end, 10) : 0;
    if (!npaths || !from || !to || !port_s)
        rc = npc_cli_usage_error(verb, "needs PATH..., --from, --to and --port");
    else if (!*port_s || *end || port < 1 || port > 65535)
        rc = npc_cli_usage_error(verb, "--port must be a number 1-65535, not '%s'", port_s);
    else if (strcmp(format, "txt") != 0)
        rc = npc_cli_usage_error(verb, "--format must be txt, not '%s'", format);
    else
        rc = NPC_EXIT_OK;
    if (rc != NPC_EXIT_OK) {
        free(paths);
        free(dns);
        return rc;
    }

    npc_ctx *ctx = npc_ctx_new();
    npc_ctx_set_strict(ctx, strict);
    npc_cli_progress progress;
    npc_cli_progress_start(ctx, &progress);
    npc_cluster *c = npc_cluster_new(ctx);
    npc_buf out = NPC_BUF_INIT;
    int allowed = 0;
    rc = NPC_EXIT_USAGE;
    for (size_t i = 0; i < ndns; i++) {
        const char *eq = strchr(dns[i], '=');
        char name[256];
        size_t n = eq ? (size_t)(eq - dns[i]) : 0;
        if (n && n < sizeof name)
            memcpy(name, dns[i], n);
        name[n < sizeof name ? n : 0] = 0;
        if (!eq || !*name || npc_cluster_add_dns(c, name, eq + 1) != NPC_OK) {
            npc_cli_usage_error(verb, "--dns needs NAME=IP, not '%s'", dns[i]);
            goto done;
        }
    }
    if (npc_cluster_load(c, paths, npaths) == NPC_OK &&
        npc_cluster_eval(c, from, to, proto_s, (unsigned)port, &allowed, explain ? NULL : &out,
                         explain ? &out : NULL) == NPC_OK) {
        if (!explain)
            npc_buf_puts(&out, "\n");
        rc = npc_cli_emit(ctx, output, &out);
        if (rc == NPC_EXIT_OK)
            rc = allowed ? NPC_EXIT_OK : NPC_EXIT_FINDINGS;
    }
done:
    npc_cli_progress_end(&progress);
    npc_cli_print_diags(ctx, verbose);
    npc_buf_free(&out);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
    free(paths);
    free(dns);
    return rc;
}

int npc_cli_eval(int argc, char **argv)
{
    return npc_cli_flow(argc, argv, "eval", 0);
}
