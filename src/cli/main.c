/* netpolc: the command line over libnetpolc. Parses the verb and hands the
 * arguments to its file; maps results to the exit codes in netpolc.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
    const char *summary;
} verbs[] = {
#define NPC_CLI_VERB(name, summary) {#name, npc_cli_##name, npc_cli_##name##_help, summary},
#include "verbs.def"
#undef NPC_CLI_VERB
};
#define NVERBS (sizeof verbs / sizeof verbs[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: netpolc VERB [OPTIONS] ARGS...\n\nverbs:\n");
    for (size_t i = 0; i < NVERBS; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(out, "  %-10s %s\n", "help", "print this list, or the help of one verb (help VERB)");
    fprintf(out, "\nRun 'netpolc help VERB' or 'netpolc VERB --help' for the options of a verb.\n"
                 "Verbs write their output to stdout, or with -o FILE to FILE (chart: -o DIR),\n"
                 "whole or not at all; --format chooses the format where there are several;\n"
                 "-v also prints notes.\n"
                 "Exit status: 0 success, 1 findings (eval: denied), 2 bad input or usage.\n");
}

static const struct verb *find_verb(const char *name)
{
    for (size_t i = 0; i < NVERBS; i++)
        if (!strcmp(name, verbs[i].name))
            return &verbs[i];
    return NULL;
}

void npc_cli_verb_help(const char *verb, FILE *out)
{
    const struct verb *v = find_verb(verb);
    if (v)
        v->help(out);
}

void npc_cli_version_help(FILE *out)
{
    fprintf(out, "usage: netpolc version\n       netpolc --version\n\n"
                 "Prints the version of netpolc.\n");
}

int npc_cli_version(int argc, char **argv)
{
    if (argc > 1 && npc_cli_is_help(argv[1])) {
        npc_cli_version_help(stdout);
        return NPC_EXIT_OK;
    }
    if (argc > 1)
        return npc_cli_usage_error("version", "takes no arguments, not '%s'", argv[1]);
    printf("netpolc %s\n", NETPOLC_VERSION);
    return NPC_EXIT_OK;
}

/* Help and version text go to stdout through stdio: a write that failed
 * (a full disk) is said with its code, as the verbs' own output is. */
static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc != NPC_EXIT_USAGE) /* a verb that failed to write said so */
            fprintf(stderr, "netpolc: error[NPC010]: cannot write standard output: %s\n",
                    strerror(errno ? errno : EIO));
        return NPC_EXIT_USAGE;
    }
    return rc;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return NPC_EXIT_USAGE;
    }
    if (npc_cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
        if (argc == 2 || (argc == 3 && (!strcmp(argv[2], "help") || npc_cli_is_help(argv[2])))) {
            usage(stdout);
            return NPC_EXIT_OK;
        }
        const struct verb *v = find_verb(argv[2]);
        if (!v || argc > 3) {
            fprintf(stderr, "netpolc help: %s '%s'\n", v ? "unexpected argument" : "unknown verb",
                    argv[v ? 3 : 2]);
            usage(stderr);
            return NPC_EXIT_USAGE;
        }
        char help[] = "--help";
        char *sub[] = {argv[2], help, NULL};
        return v->run(2, sub);
    }
    if (!strcmp(argv[1], "--version"))
        return npc_cli_version(1, argv + 1);
    const struct verb *v = find_verb(argv[1]);
    if (v)
        return v->run(argc - 1, argv + 1);
    fprintf(stderr, "netpolc: unknown verb '%s'\n", argv[1]);
    usage(stderr);
    return NPC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    errno = 0;
    int rc = run(argc, argv);
    return finish(rc);
}
