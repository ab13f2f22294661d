/* netpolc verify SPEC [--engine E] [--set K=V]... [--values FILE]...
 *                     [--policies PATH...] [--cluster PATH...] [--all-combinations]
 *                     [--format text|json|md] [-o FILE] [--dump-topology FILE]
 *                     [--dump-probes FILE]
 * Over the public interface only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void verify_help(void)
{
    const char *const *engines = npc_render_engines();
    printf("usage: netpolc verify SPEC [--engine ENGINE] [--set KEY=VALUE]... [--values FILE]...\n"
           "                      [--policies PATH...] [--cluster PATH...] [--all-combinations]\n"
           "                      [--format text|json|md] [-o FILE] [--dump-topology FILE]\n\n"
           "Proves that policies allow every flow the traffic spec SPEC declares (no missing\n"
           "flow) and nothing else (no excess flow): renders the spec, loads the rendering back\n"
           "through the manifest loaders and evaluates it on a synthesised topology.\n\n"
           "  --engine ENGINE     policy dialect (default: the spec's engine); supported:");
    for (size_t i = 0; engines[i]; i++)
        printf(" %s", engines[i]);
    printf("\n"
           "  --set KEY=VALUE     set an option; repeatable\n"
           "  -f, --values FILE   set options from a YAML mapping; repeatable, applied before\n"
           "                      --set (with --all-combinations: one more combination each)\n"
           "  --policies PATH...  verify these manifests (files or folders) instead of the\n"
           "                      rendering: hand-written policies, helm template output\n"
           "  --cluster PATH...   the pods and namespaces of a snapshot instead of the\n"
           "                      synthesised topology\n"
           "  --all-combinations  every combination of the bool options not given with --set\n"
           "                      (at most %d), one line each\n"
           "  --format FMT        text (default), json or md (a pull-request comment)\n"
           "  -o, --output FILE   write the report to FILE (whole or not at all)\n"
           "  -v, --verbose       also print notes\n"
           "  --dump-topology FILE  write the synthesised topology (Namespaces, Pods) to FILE\n"
           "  --dump-probes FILE    write every probe and its verdict to FILE (tab-separated)\n\n"
           "Exit status: 0 verified, 1 missing or excess flows, 2 bad spec, policies or usage.\n",
           NPC_VERIFY_MAX_COMBINATIONS);
}

typedef struct vargs {
    const char *spec, *engine, *format, *output, *dump, *probes;
    int verbose;
    const char **sets, **values, **policies, **cluster;
    size_t nsets, nvalues, npolicies, ncluster;
    int all;
} vargs;

/* The options that take a value: name, alias, where the value goes. */
#define VOPTS(a)                                                                                   \
    {                                                                                              \
        {"--engine", NULL, &(a)->engine}, {"--format", NULL, &(a)->format},                        \
            {"--output", "-o", &(a)->output}, {"--dump-topology", NULL, &(a)->dump},               \
        {                                                                                          \
            "--dump-probes", NULL, &(a)->probes                                                    \
        }                                                                                          \
    }

/* Returns -1 for --help, 0 on success, else an exit code. */
static int parse(int argc, char **argv, vargs *a)
{
    size_t n = (size_t)argc + 1;
    a->sets = calloc(n, sizeof *a->sets);
    a->values = calloc(n, sizeof *a->values);
    a->policies = calloc(n, sizeof *a->policies);
    a->cluster = calloc(n, sizeof *a->cluster);
    if (!a->sets || !a->values || !a->policies || !a->cluster)
        return npc_cli_usage_error("verify", "out of memory");
    const struct {
        const char *name, *alias;
        const char **value;
    } opts[] = VOPTS(a);
    const char ***list = NULL; /* --policies / --cluster collect the positionals after them */
    size_t *nlist = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (npc_cli_is_help(arg))
            return -1;
        if (arg[0] != '-' || !arg[1]) {
            if (list)
                (*list)[(*nlist)++] = arg;
            else if (!a->spec)
                a->spec = arg;
            else
                return npc_cli_usage_error("verify", "more than one SPEC given ('%s' and '%s')",
                                           a->spec, arg);
            continue;
        }
        list = NULL;
        if (!strcmp(arg, "--policies") || !strcmp(arg, "--cluster")) {
            int pol = !strcmp(arg, "--policies");
            list = pol ? &a->policies : &a->cluster;
            nlist = pol ? &a->npolicies : &a->ncluster;
            continue;
        }
        if (!strcmp(arg, "--all-combinations")) {
            a->all = 1;
            continue;
        }
        if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
            a->verbose = 1;
            continue;
        }
        int known = 0;
        if (npc_cli_option(argc, argv, &i, "--set", NULL, &val)) {
            known = 1;
            if (val)
                a->sets[a->nsets++] = val;
        } else if (npc_cli_option(argc, argv, &i, "--values", "-f", &val)) {
            known = 1;
            if (val)
                a->values[a->nvalues++] = val;
        }
        for (size_t k = 0; !known && k < sizeof opts / sizeof opts[0]; k++)
            if (npc_cli_option(argc, argv, &i, opts[k].name, opts[k].alias, &val)) {
                known = 1;
                *opts[k].value = val;
            }
        if (!known)
            return npc_cli_usage_error("verify", "unknown option '%s'", arg);
        if (!val)
            return npc_cli_usage_error("verify", "option '%s' needs a value", arg);
    }
    if (!a->spec)
        return npc_cli_usage_error("verify", "no SPEC given");
    if (list && !*nlist)
        return npc_cli_usage_error("verify", "at least one PATH must follow %s",
                                   list == &a->policies ? "--policies" : "--cluster");
    return 0;
}

static void free_args(vargs *a)
{
    free(a->sets);
    free(a->values);
    free(a->policies);
    free(a->cluster);
}

int npc_cli_verify(int argc, char **argv)
{
    vargs a;
    memset(&a, 0, sizeof a);
    int r = parse(argc, argv, &a);
    if (r) {
        if (r < 0)
            verify_help();
        free_args(&a);
        return r < 0 ? NPC_EXIT_OK : r;
    }
    npc_verify_options o;
    memset(&o, 0, sizeof o);
    o.engine = a.engine;
    o.policies = a.policies;
    o.npolicies = a.npolicies;
    o.cluster = a.cluster;
    o.ncluster = a.ncluster;
    const char *fmt = a.format ? a.format : "text";
    if (!strcmp(fmt, "text"))
        o.format = NPC_VERIFY_TEXT;
    else if (!strcmp(fmt, "json"))
        o.format = NPC_VERIFY_JSON;
    else if (!strcmp(fmt, "md"))
        o.format = NPC_VERIFY_MD;
    else {
        free_args(&a);
        return npc_cli_usage_error("verify", "--format must be text, json or md, not '%s'", fmt);
    }
    npc_buf topo = NPC_BUF_INIT, out = NPC_BUF_INIT, probes = NPC_BUF_INIT;
    if (a.dump)
        o.topology = &topo;
    if (a.probes)
        o.probes = &probes;
    npc_ctx *ctx = npc_ctx_new();
    int rc = NPC_EXIT_USAGE;
    npc_spec *spec = npc_spec_load(ctx, a.spec);
    int ok = spec != NULL;
    for (size_t i = 0; ok && !a.all && i < a.nvalues; i++)
        ok = npc_spec_values_file(spec, a.values[i]) == NPC_OK && ok;
    for (size_t i = 0; ok && i < a.nsets; i++)
        ok = npc_spec_set(spec, a.sets[i]) == NPC_OK && ok;
    npc_verify_result res;
    memset(&res, 0, sizeof res);
    npc_status st = NPC_ERR_INPUT;
    if (ok)
        st = a.all ? npc_verify_all(spec, &o, a.values, a.nvalues, &out, &res)
                   : npc_verify(spec, &o, &out, &res);
    if (st == NPC_OK && npc_error_count(ctx) == 0) {
        /* each file whole or not at all; the report last, on stdout or -o */
        rc = NPC_EXIT_OK;
        if (a.dump && npc_write_file(ctx, a.dump, &topo) != NPC_OK)
            rc = NPC_EXIT_USAGE;
        if (rc == NPC_EXIT_OK && a.probes && npc_write_file(ctx, a.probes, &probes) != NPC_OK)
            rc = NPC_EXIT_USAGE;
        if (rc == NPC_EXIT_OK)
            rc = npc_cli_emit(ctx, a.output, &out);
        if (rc == NPC_EXIT_OK && res.failed)
            rc = NPC_EXIT_FINDINGS;
    }
    npc_cli_print_diags(ctx, a.verbose);
    npc_buf_free(&out);
    npc_buf_free(&topo);
    npc_buf_free(&probes);
    npc_spec_free(spec);
    npc_ctx_free(ctx);
    free_args(&a);
    return rc;
}
