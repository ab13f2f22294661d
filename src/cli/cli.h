/* Shared by the verb files of the command line. */
#ifndef NPC_CLI_H
#define NPC_CLI_H
#include "netpolc.h"

int npc_cli_render(int argc, char **argv);
int npc_cli_docs(int argc, char **argv);
int npc_cli_connlist(int argc, char **argv);
int npc_cli_eval(int argc, char **argv);
int npc_cli_explain(int argc, char **argv);
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

/* Prints the context's diagnostics to stderr (colored on a terminal). */
void npc_cli_print_diags(const npc_ctx *ctx);
/* Writes out to stdout in one go; returns NPC_EXIT_USAGE on a write error. */
int npc_cli_write_stdout(const npc_buf *out);
/* Reports a usage error for verb to stderr and returns NPC_EXIT_USAGE. */
int npc_cli_usage_error(const char *verb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
