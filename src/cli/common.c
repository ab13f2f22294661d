#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

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

void npc_cli_print_diags(const npc_ctx *ctx, int verbose)
{
    npc_buf b = NPC_BUF_INIT;
    npc_diags_format(ctx, verbose ? NPC_SEV_NOTE : NPC_SEV_WARNING,
                     isatty(2) && !getenv("NO_COLOR"), &b);
    if (b.len)
        fwrite(b.data, 1, b.len, stderr);
    npc_buf_free(&b);
}

int npc_cli_emit(npc_ctx *ctx, const char *file, const npc_buf *out)
{
    npc_status st = file ? npc_write_file(ctx, file, out)
                         : npc_write_stream(ctx, stdout, "standard output", out);
    return st == NPC_OK ? NPC_EXIT_OK : NPC_EXIT_USAGE;
}

int npc_cli_option(int argc, char **argv, int *i, const char *name, const char *alias,
                   const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && !(alias && strcmp(a, alias) == 0))
        return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

int npc_cli_is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

/* The options a help text lists: words that start with '-' after a space,
 * '[', ',' or a line start ("  -o, --output FILE", "[--engine ENGINE]"). */
static size_t help_options(char *text, const char **out, size_t max)
{
    size_t n = 0;
    for (char *p = text; *p && n < max; p++) {
        int start = p == text || p[-1] == ' ' || p[-1] == '[' || p[-1] == ',' || p[-1] == '\n';
        if (!start || p[0] != '-' || !isalpha((unsigned char)(p[1] == '-' ? p[2] : p[1])))
            continue;
        char *e = p + 1;
        while (*e == '-' || isalnum((unsigned char)*e))
            e++;
        char end = *e;
        *e = '\0';
        size_t i = 0;
        while (i < n && strcmp(out[i], p) != 0)
            i++;
        if (i == n)
            out[n++] = p;
        if (!end)
            break;
        p = e;
    }
    return n;
}

int npc_cli_unknown_option(const char *verb, const char *help_of, const char *opt)
{
    char *text = NULL;
    size_t len = 0;
    const char *near = NULL, *cands[129];
    char word[64];
    FILE *f = open_memstream(&text, &len);
    if (f) {
        npc_cli_verb_help(help_of, f);
        if (fclose(f) == 0 && text) {
            size_t n = help_options(text, cands, 128);
            cands[n] = NULL;
            size_t wl = strcspn(opt, "="); /* --fromm=x: the option, not its value */
            if (wl >= 4 && wl < sizeof word) { /* "-x" is near every short option */
                memcpy(word, opt, wl);
                word[wl] = '\0';
                near = npc_suggest_word(word, cands);
            }
        }
    }
    int rc = near ? npc_cli_usage_error(verb, "unknown option '%s' (did you mean '%s'?)", opt, near)
                  : npc_cli_usage_error(verb, "unknown option '%s'", opt);
    free(text);
    return rc;
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
