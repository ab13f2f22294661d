#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

void npc_cli_print_diags(const npc_ctx *ctx)
{
    npc_buf b = NPC_BUF_INIT;
    npc_diags_format(ctx, isatty(2), &b);
    if (b.len)
        fwrite(b.data, 1, b.len, stderr);
    npc_buf_free(&b);
}

int npc_cli_write_stdout(const npc_buf *out)
{
    if (out->len && fwrite(out->data, 1, out->len, stdout) != out->len)
        return NPC_EXIT_USAGE;
    if (fflush(stdout) != 0)
        return NPC_EXIT_USAGE;
    return NPC_EXIT_OK;
}

int npc_cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "netpolc %s: ", verb);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'netpolc %s --help')\n", verb);
    return NPC_EXIT_USAGE;
}
