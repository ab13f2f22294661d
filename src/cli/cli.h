/* Shared by the verb files of the command line. The command line sees the
 * library only through include/netpolc.h (a test checks every file here). */
#ifndef NPC_CLI_H
#define NPC_CLI_H
#include "netpolc.h"

#define NPC_CLI_VERB(name, summary)                                                                \
    int npc_cli_##name(int argc, char **argv);                                                     \
    void npc_cli_##name##_help(FILE *out);
#include "verbs.def"
#undef NPC_CLI_VERB

/* eval and explain share their arguments (src/cli/eval.c). */
int npc_cli_flow(int argc, char **argv, const char *verb, int explain);

/* Progress on stderr for long runs, only when stderr is a terminal (and
 * NETPOLC_NO_PROGRESS is unset); nothing shows for the first half second. */
typedef struct npc_cli_progress {
    int on, shown;
    double start, last;
} npc_cli_progress;
void npc_cli_progress_start(npc_ctx *ctx, npc_cli_progress *p);
/* Clears the progress line; call before printing diagnostics. */
void npc_cli_progress_end(npc_cli_progress *p);

/* Prints the context's errors and warnings to stderr, notes too when
 * verbose (colored on a terminal unless NO_COLOR is set). */
void npc_cli_print_diags(const npc_ctx *ctx, int verbose);
/* Writes out to file (-o FILE, atomically) or, when file is NULL, to
 * stdout. A failure is a diagnostic in ctx (NPC010). Returns an exit code. */
int npc_cli_emit(npc_ctx *ctx, const char *file, const npc_buf *out);
/* Writes the help of the verb named verb to out (nothing for an unknown
 * name): the text `netpolc help VERB` prints. */
void npc_cli_verb_help(const char *verb, FILE *out);
/* Reports the unknown option opt of verb as a usage error naming the
 * nearest option that the help of help_of (usually verb) lists; returns
 * NPC_EXIT_USAGE. */
int npc_cli_unknown_option(const char *verb, const char *help_of, const char *opt);
/* Reports a usage error for verb to stderr and returns NPC_EXIT_USAGE. */
int npc_cli_usage_error(const char *verb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Matches argv[*i] as the option `name` ("--name VALUE", "--name=VALUE")
 * or its `alias` ("-o VALUE"; may be NULL). On a match sets *value (NULL
 * when the value is missing), advances *i past it and returns 1. */
int npc_cli_option(int argc, char **argv, int *i, const char *name, const char *alias,
                   const char **value);
/* Whether a is -h or --help. */
int npc_cli_is_help(const char *a);

#endif
