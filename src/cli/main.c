/* netpolc: the command line over libnetpolc. Parses the verb and hands the
 * arguments to its file; maps results to the exit codes in netpolc.h. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} verbs[] = {
    {"render", npc_cli_render, "compile a traffic spec into policies for one engine"},
    {"docs", npc_cli_docs, "write the required-traffic table of a traffic spec"},
    {"connlist", npc_cli_connlist, "list the allowed connections between workloads of manifests"},
    {"eval", npc_cli_eval, "tell whether one flow is allowed by manifests"},
    {"explain", npc_cli_explain, "tell which policies and rules decide a flow"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: netpolc VERB [OPTIONS] ARGS...\n\nverbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out, "\nRun 'netpolc VERB --help' for the options of a verb.\n"
                 "Exit status: 0 success, 1 findings (verify fails, eval denies), 2 bad input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return NPC_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return NPC_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("netpolc %s\n", NETPOLC_VERSION);
        return NPC_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(argv[1], verbs[i].name))
            return verbs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "netpolc: unknown verb '%s'\n", argv[1]);
    usage(stderr);
    return NPC_EXIT_USAGE;
}
