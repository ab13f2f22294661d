#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw_progress(void *user, const char *phase, size_t done, size_t total)
{
    npc_cli_progress *p = user;
    double t = now();
    if (t - p->start < 0.5 || t - p->last < 0.1)
        return;
    p->last = t;
    p->shown = 1;
    if (total)
        fprintf(stderr, "\r\033[Knetpolc: %s %zu%%", phase, done * 100 / total);
    else
        fprintf(stderr, "\r\033[Knetpolc: %s %zu", phase, done);
    fflush(stderr);
}

void npc_cli_progress_start(npc_ctx *ctx, npc_cli_progress *p)
{
    p->on = isatty(2) && !getenv("NETPOLC_NO_PROGRESS");
    p->shown = 0;
    p->start = p->last = now();
    if (p->on)
        npc_ctx_set_progress(ctx, draw_progress, p);
}

void npc_cli_progress_end(npc_cli_progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = 0;
}

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
