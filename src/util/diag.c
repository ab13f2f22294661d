#include "util/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/ctx.h"

static const char *const code_names[] = {
#define NPC_CODE(id, summary) #id,
#include "util/codes.def"
#undef NPC_CODE
};

static const char *const code_summaries[] = {
#define NPC_CODE(id, summary) summary,
#include "util/codes.def"
#undef NPC_CODE
};

const char *npc_code_name(npc_code c)
{
    return (unsigned)c < NPC_CODE_COUNT ? code_names[c] : "NPC000";
}

const char *npc_code_summary(npc_code c)
{
    return (unsigned)c < NPC_CODE_COUNT ? code_summaries[c] : "";
}

npc_diag *npc_diag_add(npc_ctx *ctx, npc_severity sev, npc_code code, npc_loc loc,
                       const char *fmt, va_list ap)
{
    if (sev == NPC_SEV_ERROR) {
        if (ctx->nerrors >= ctx->limits.max_errors) {
            if (!ctx->error_limit_noted) {
                ctx->error_limit_noted = 1;
                npc_loc none = {0};
                npc_diag d = {NPC_SEV_NOTE, npc_code_name(NPC007), NULL, {none}, 0};
                npc_buf m = NPC_BUF_INIT;
                npc_buf_printf(&m, "stopping after %u errors", ctx->limits.max_errors);
                d.message = npc_arena_strdup(ctx->arena, npc_buf_cstr(&m));
                npc_buf_free(&m);
                npc_vec_push(&ctx->diags, d);
            }
            return NULL;
        }
        ctx->nerrors++;
    }
    npc_buf m = NPC_BUF_INIT;
    npc_buf_vprintf(&m, fmt, ap);
    npc_diag d;
    memset(&d, 0, sizeof d);
    d.severity = sev;
    d.code = npc_code_name(code);
    d.message = npc_arena_strdup(ctx->arena, npc_buf_cstr(&m));
    npc_buf_free(&m);
    d.loc[0] = loc;
    d.nloc = loc.file ? 1 : 0;
    npc_vec_push(&ctx->diags, d);
    return &ctx->diags.items[ctx->diags.len - 1];
}

#define DEFINE_REPORTER(fn, sev)                                                                   \
    npc_diag *fn(npc_ctx *ctx, npc_code code, npc_loc loc, const char *fmt, ...)                  \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        npc_diag *d = npc_diag_add(ctx, sev, code, loc, fmt, ap);                                  \
        va_end(ap);                                                                                \
        return d;                                                                                  \
    }
DEFINE_REPORTER(npc_error, NPC_SEV_ERROR)
DEFINE_REPORTER(npc_warning, NPC_SEV_WARNING)
DEFINE_REPORTER(npc_note, NPC_SEV_NOTE)

void npc_diag_also(npc_diag *d, npc_loc loc)
{
    if (!d || !loc.file || d->nloc >= 3)
        return;
    if (d->nloc == 0) /* keep loc[0] the primary position */
        d->loc[d->nloc++] = (npc_loc){0};
    d->loc[d->nloc++] = loc;
}

int npc_error_limit_reached(const npc_ctx *ctx)
{
    return ctx->nerrors >= ctx->limits.max_errors;
}

size_t npc_diag_count(const npc_ctx *ctx)
{
    return ctx->diags.len;
}

const npc_diag *npc_diag_get(const npc_ctx *ctx, size_t i)
{
    return i < ctx->diags.len ? &ctx->diags.items[i] : NULL;
}

size_t npc_error_count(const npc_ctx *ctx)
{
    return ctx->nerrors;
}

void npc_diags_clear(npc_ctx *ctx)
{
    ctx->diags.len = 0;
    ctx->nerrors = 0;
    ctx->error_limit_noted = 0;
}

/* Appends the source line `line` of src and a caret under column col. */
static void format_excerpt(const npc_source *src, npc_loc loc, npc_buf *out)
{
    const char *p = src->text, *end = src->text + src->len;
    for (uint32_t l = 1; l < loc.line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return;
        p = nl + 1;
    }
    if (p >= end)
        return;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
        eol = end;
    size_t n = (size_t)(eol - p);
    if (n && p[n - 1] == '\r')
        n--;
    if (n > 200) /* long lines (minified JSON): show a window around the column */
    {
        size_t c = loc.col ? loc.col - 1 : 0;
        size_t start = c > 80 ? c - 80 : 0;
        if (start > n)
            start = n;
        size_t len = n - start > 160 ? 160 : n - start;
        npc_buf_puts(out, "    ");
        npc_buf_append(out, p + start, len);
        npc_buf_putc(out, '\n');
        npc_buf_puts(out, "    ");
        for (size_t i = start; i < c && i < start + len; i++)
            npc_buf_putc(out, p[i] == '\t' ? '\t' : ' ');
        npc_buf_puts(out, "^\n");
        return;
    }
    npc_buf_puts(out, "    ");
    npc_buf_append(out, p, n);
    npc_buf_putc(out, '\n');
    npc_buf_puts(out, "    ");
    for (size_t i = 0; loc.col && i + 1 < loc.col && i < n; i++)
        npc_buf_putc(out, p[i] == '\t' ? '\t' : ' ');
    npc_buf_puts(out, "^\n");
}

/* Re-reads a file for its source line; files that vanished are skipped. */
static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    npc_buf b = NPC_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        npc_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return npc_buf_take(&b);
}

static void format_loc(npc_loc loc, npc_buf *out)
{
    if (loc.line)
        npc_buf_printf(out, "%s:%u:%u: ", loc.file, loc.line, loc.col);
    else
        npc_buf_printf(out, "%s: ", loc.file);
}

void npc_diag_format(const npc_ctx *ctx, const npc_diag *d, int color, npc_buf *out)
{
    static const char *const sev_names[] = {"error", "warning", "note"};
    static const char *const sev_colors[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
    if (d->nloc && d->loc[0].file)
        format_loc(d->loc[0], out);
    else
        npc_buf_puts(out, "netpolc: ");
    if (color)
        npc_buf_puts(out, sev_colors[d->severity]);
    npc_buf_printf(out, "%s[%s]", sev_names[d->severity], d->code);
    if (color)
        npc_buf_puts(out, "\033[0m");
    npc_buf_printf(out, ": %s\n", d->message);
    if (d->nloc && d->loc[0].file && d->loc[0].line) {
        const npc_source *src = npc_source_find(ctx, d->loc[0].file);
        if (src && src->text) {
            format_excerpt(src, d->loc[0], out);
        } else if (src) {
            npc_source tmp = *src;
            char *text = read_whole(src->name, &tmp.len);
            if (text) {
                tmp.text = text;
                format_excerpt(&tmp, d->loc[0], out);
                free(text);
            }
        }
    }
    for (unsigned i = 1; i < d->nloc; i++) {
        if (!d->loc[i].file)
            continue;
        format_loc(d->loc[i], out);
        npc_buf_puts(out, "note: related position\n");
    }
}

void npc_diags_format(const npc_ctx *ctx, npc_severity least, int color, npc_buf *out)
{
    for (size_t i = 0; i < ctx->diags.len; i++)
        if (ctx->diags.items[i].severity <= least) /* errors first in the enum */
            npc_diag_format(ctx, &ctx->diags.items[i], color, out);
}
