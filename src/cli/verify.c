/* netpolc verify SPEC [spec options] [--engine E] [--policies PATH...] [--cluster PATH...]
 *                     [--all-combinations] [--strict] [--format text|json|md] [-o FILE] [-v]
 *                     [--dump-topology FILE] [--dump-probes FILE]
 * Over the public interface only; the spec options are every spec verb's
 * (spec_args.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec_args.h"

void npc_cli_verify_help(FILE *out)
{
    const char *const *engines = npc_render_engines();
    fprintf(out, "usage: netpolc verify SPEC [--engine ENGINE] [--set KEY=VALUE]... [--values FILE]...\n"
           "                      [--policies PATH...] [--cluster PATH...] [--all-combinations]\n"
           "                      [--strict]\n"
           "                      [--format text|json|md] [-o FILE] [-v] [--dump-topology FILE]\n"
           "                      [--dump-probes FILE]\n\n"
           "Proves that policies allow every flow the traffic spec SPEC declares (no missing\n"
           "flow) and nothing else (no excess flow): renders the spec, loads the rendering back\n"
           "through the manifest loaders and evaluates it on a synthesised topology.\n\n"
           "  --engine ENGINE   policy dialect (default: the spec's engine); supported:");
    for (size_t i = 0; engines[i]; i++)
        fprintf(out, " %s", engines[i]);
    fprintf(out, "\n");
    npc_cli_spec_args_help(out);
    fprintf(out, "  --policies PATH...  verify these manifests (files or folders) instead of the\n"
           "                      rendering: hand-written policies, helm template output\n"
           "  --cluster PATH...   the pods and namespaces of a snapshot instead of the\n"
           "                      synthesised topology\n"
           "  --all-combinations  every combination of the bool options and string choices\n"
           "                      not given with --set (at most %d), one line each; each\n"
           "                      --values FILE is one more\n"
           "  --strict            unenforceable flows (the engine cannot deny them) fail too\n"
           "  --format FMT        text (default), json or md (a pull-request comment)\n"
           "  -o FILE             write the report to FILE (whole or not at all)\n"
           "  -v, --verbose       also print notes\n"
           "  --dump-topology FILE  write the synthesised topology (Namespaces, Pods) to FILE\n"
           "  --dump-probes FILE    write every probe and its verdict to FILE (tab-separated)\n\n"
           "Exit status: 0 verified (unenforceable flows reported), 1 missing or excess flows\n"
           "(or, with --strict, unenforceable ones), 2 bad spec, policies or usage.\n",
           NPC_VERIFY_MAX_COMBINATIONS);
}

/* What only verify takes; the rest goes to the spec verbs' parser. */
typedef struct vargs {
    const char *dump, *probes;
    const char **policies, **cluster;
    char **pass; /* argv for npc_cli_spec_args */
    size_t npolicies, ncluster, npass;
    int all, strict;
} vargs;

/* Returns 0 on success, else an exit code (usage errors printed). */
static int take_verify_args(int argc, char **argv, vargs *a)
{
    size_t n = (size_t)argc + 1;
    a->policies = calloc(n, sizeof *a->policies);
    a->cluster = calloc(n, sizeof *a->cluster);
    a->pass = calloc(n, sizeof *a->pass);
    if (!a->policies || !a->cluster || !a->pass)
        return npc_cli_usage_error("verify", "out of memory");
    a->pass[a->npass++] = argv[0];
    const char ***list = NULL; /* --policies / --cluster collect the positionals after them */
    size_t *nlist = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (list && (arg[0] != '-' || !arg[1])) {
            (*list)[(*nlist)++] = arg;
            continue;
        }
        if (list && !*nlist)
            break;
        list = NULL;
        if (!strcmp(arg, "--policies") || !strcmp(arg, "--cluster")) {
            int pol = !strcmp(arg, "--policies");
            list = pol ? &a->policies : &a->cluster;
            nlist = pol ? &a->npolicies : &a->ncluster;
        } else if (!strcmp(arg, "--all-combinations")) {
            a->all = 1;
        } else if (!strcmp(arg, "--strict")) {
            a->strict = 1;
        } else if (npc_cli_option(argc, argv, &i, "--dump-topology", NULL, &val) ||
                   npc_cli_option(argc, argv, &i, "--dump-probes", NULL, &val)) {
            if (!val)
                return npc_cli_usage_error("verify", "option '%s' needs a value", arg);
            if (!strncmp(arg, "--dump-topology", 15))
                a->dump = val;
            else
                a->probes = val;
        } else {
            a->pass[a->npass++] = argv[i];
        }
    }
    if (list && !*nlist)
        return npc_cli_usage_error("verify", "at least one PATH must follow %s",
                                   list == &a->policies ? "--policies" : "--cluster");
    return 0;
}

static void free_args(vargs *a)
{
    free(a->policies);
    free(a->cluster);
    free(a->pass);
}

int npc_cli_verify(int argc, char **argv)
{
    vargs a;
    memset(&a, 0, sizeof a);
    npc_spec_args sa;
    memset(&sa, 0, sizeof sa);
    for (int i = 1; i < argc; i++)
        if (npc_cli_is_help(argv[i])) {
            npc_cli_verify_help(stdout);
            return NPC_EXIT_OK;
        }
    int r = take_verify_args(argc, argv, &a);
    if (!r && npc_cli_spec_args((int)a.npass, a.pass, "verify", &sa) != 0)
        r = NPC_EXIT_USAGE;
    npc_verify_options o;
    memset(&o, 0, sizeof o);
    o.policies = a.policies;
    o.npolicies = a.npolicies;
    o.cluster = a.cluster;
    o.ncluster = a.ncluster;
    o.strict = a.strict;
    const char *fmt = "text";
    for (size_t i = 0; !r && i < sa.nrest; i += 2) {
        if (!strcmp(sa.rest[i], "--engine"))
            o.engine = sa.rest[i + 1];
        else if (!strcmp(sa.rest[i], "--format"))
            fmt = sa.rest[i + 1];
        else
            r = npc_cli_unknown_option("verify", "verify", sa.rest[i]);
    }
    if (!r && !strcmp(fmt, "json"))
        o.format = NPC_VERIFY_JSON;
    else if (!r && !strcmp(fmt, "md"))
        o.format = NPC_VERIFY_MD;
    else if (!r && strcmp(fmt, "text"))
        r = npc_cli_usage_error("verify", "--format must be text, json or md, not '%s'", fmt);
    if (r) {
        npc_cli_spec_args_free(&sa);
        free_args(&a);
        return r;
    }
    npc_buf topo = NPC_BUF_INIT, out = NPC_BUF_INIT, probes = NPC_BUF_INIT;
    if (a.dump)
        o.topology = &topo;
    if (a.probes)
        o.probes = &probes;
    npc_ctx *ctx = npc_ctx_new();
    int rc = NPC_EXIT_USAGE;
    /* with --all-combinations the --values files are combinations of their own */
    npc_spec_args opened = sa;
    if (a.all)
        opened.nvalues = 0;
    npc_spec *spec = npc_cli_spec_open(ctx, &opened);
    npc_verify_result res;
    memset(&res, 0, sizeof res);
    npc_status st = NPC_ERR_INPUT;
    if (spec)
        st = a.all ? npc_verify_all(spec, &o, sa.values, sa.nvalues, &out, &res)
                   : npc_verify(spec, &o, &out, &res);
    if (st == NPC_OK && npc_error_count(ctx) == 0) {
        /* each file whole or not at all; the report last, on stdout or -o */
        rc = NPC_EXIT_OK;
        if (a.dump && npc_write_file(ctx, a.dump, &topo) != NPC_OK)
            rc = NPC_EXIT_USAGE;
        if (rc == NPC_EXIT_OK && a.probes && npc_write_file(ctx, a.probes, &probes) != NPC_OK)
            rc = NPC_EXIT_USAGE;
        if (rc == NPC_EXIT_OK)
            rc = npc_cli_emit(ctx, sa.output_file, &out);
        if (rc == NPC_EXIT_OK && res.failed)
            rc = NPC_EXIT_FINDINGS;
    }
    npc_cli_print_diags(ctx, sa.verbose);
    npc_buf_free(&out);
    npc_buf_free(&topo);
    npc_buf_free(&probes);
    npc_spec_free(spec);
    npc_ctx_free(ctx);
    npc_cli_spec_args_free(&sa);
    free_args(&a);
    return rc;
}
