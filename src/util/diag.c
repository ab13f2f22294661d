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

npc_diag *npc_diag_add(npc_ctx *ctx, npc_severity sev, npc_code code, npc_loc loc, const char *fmt,
                       va_list ap)
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
    npc_diag *fn(npc_ctx *ctx, npc_code code, npc_loc loc, const char *fmt, ...)                   \
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

npc_diag *npc_diag_add_fmt(npc_ctx *ctx, npc_severity sev, npc_code code, npc_loc loc,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    npc_diag *d = npc_diag_add(ctx, sev, code, loc, fmt, ap);
    va_end(ap);
    return d;
}

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

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if ((p[0] & 0xE0) == 0xC0) {
        len = 2, c = p[0] & 0x1F, min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3, c = p[0] & 0x0F, min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4, c = p[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Code points that change what a terminal shows: C1 controls, and the
 * invisible and bidirectional formatting characters ("trojan source"). */
static int invisible_cp(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

/* Appends the character at p to out (if out is not NULL), control bytes,
 * invalid UTF-8 and invisible characters escaped (\x1b, \xff, \u202e), and
 * returns the bytes it took; *width receives the columns it shows as. */
static size_t put_char(const char *p, size_t n, int keep_tab, npc_buf *out, size_t *width)
{
    const unsigned char *u = (const unsigned char *)p;
    uint32_t cp = 0;
    size_t len = utf8_seq(u, n, &cp);
    char esc[16];
    if (len == 0 || (cp < 0x20 && !(cp == '\t' && keep_tab)) || cp == 0x7F) {
        snprintf(esc, sizeof esc, "\\x%02x", u[0]);
        len = 1;
    } else if (invisible_cp(cp)) {
        snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
    } else {
        if (out)
            npc_buf_append(out, p, len);
        *width = 1;
        return len;
    }
    if (out)
        npc_buf_puts(out, esc);
    *width = strlen(esc);
    return len;
}

/* Appends s with control characters and invalid UTF-8 escaped. */
static void put_escaped(npc_buf *out, const char *s)
{
    size_t n = strlen(s), w;
    for (size_t i = 0; i < n;)
        i += put_char(s + i, n - i, 0, out, &w);
}

/* Appends one source line (p, n bytes; `cut` when more of it was not read)
 * escaped, and a caret under character column col (1-based, as libyaml
 * counts). Long lines (minified JSON) show a window around the column. */
static void put_line(const char *p, size_t n, int cut, uint32_t col, npc_buf *out)
{
    size_t c = col ? col - 1 : 0, nchars = 0, w;
    for (size_t i = 0; i < n; nchars++)
        i += put_char(p + i, n - i, 1, NULL, &w);
    int window = cut || nchars > 200;
    size_t first = window && c > 80 ? c - 80 : 0, last = window ? first + 160 : nchars;
    npc_buf caret = NPC_BUF_INIT;
    npc_buf_puts(out, "    ");
    npc_buf_puts(&caret, "    ");
    size_t i = 0;
    for (size_t k = 0; i < n && k < last; k++) {
        int shown = k >= first;
        size_t len = put_char(p + i, n - i, 1, shown ? out : NULL, &w);
        if (shown && k < c) {
            for (size_t j = 0; j < w; j++)
                npc_buf_putc(&caret, p[i] == '\t' ? '\t' : ' ');
        }
        i += len;
    }
    npc_buf_putc(out, '\n');
    npc_buf_append(out, caret.data, caret.len);
    npc_buf_puts(out, "^\n");
    npc_buf_free(&caret);
}

/* How many bytes of a line put_line needs to show column col. */
static size_t line_budget(uint32_t col)
{
    return 4 * ((size_t)col + 200) + 16;
}

/* The source line `line` of an in-memory text. */
static void excerpt_text(const npc_source *src, npc_loc loc, npc_buf *out)
{
    const char *p = src->text, *end = src->text + src->len;
    uint32_t l = 1;
    if (src->lines && loc.line > 1) {
        size_t k = (loc.line - 1) / NPC_LINE_STEP;
        if (k < src->lines->n) {
            p += src->lines->starts[k];
            l = (uint32_t)(k * NPC_LINE_STEP + 1);
        }
    }
    for (; l < loc.line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return;
        p = nl + 1;
    }
    if (p >= end)
        return;
    if (p == src->text && end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a byte order mark, which libyaml does not count */
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((eol ? eol : end) - p);
    if (n && p[n - 1] == '\r')
        n--;
    put_line(p, n, 0, loc.col, out);
}

/* The source line `line` of a file, read from the nearest indexed line
 * start on (the whole file when it was not indexed); files that vanished
 * are skipped. */
static void excerpt_file(const npc_source *src, npc_loc loc, npc_buf *out)
{
    FILE *f = fopen(src->name, "rb");
    if (!f)
        return;
    uint32_t l = 1;
    long off = 0;
    if (src->lines && loc.line > 1) {
        size_t k = (loc.line - 1) / NPC_LINE_STEP;
        if (k < src->lines->n && src->lines->starts[k] <= (size_t)0x7FFFFFFF) {
            off = (long)src->lines->starts[k];
            l = (uint32_t)(k * NPC_LINE_STEP + 1);
        }
    }
    if (off && fseek(f, off, SEEK_SET) != 0) {
        fclose(f);
        return;
    }
    int ch = 0;
    while (l < loc.line && (ch = getc(f)) != EOF)
        if (ch == '\n')
            l++;
    npc_buf line = NPC_BUF_INIT;
    size_t budget = line_budget(loc.col);
    int cut = 0, any = 0;
    while ((ch = getc(f)) != EOF && ch != '\n') {
        any = 1;
        if (line.len >= budget) {
            cut = 1;
            break;
        }
        npc_buf_putc(&line, (char)ch);
    }
    fclose(f);
    if (l == loc.line && (any || ch == '\n')) {
        const char *p = line.len ? line.data : "";
        size_t n = line.len;
        if (loc.line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            p += 3, n -= 3;
        if (n && p[n - 1] == '\r' && !cut)
            n--;
        put_line(p, n, cut, loc.col, out);
    }
    npc_buf_free(&line);
}

/* The source line of loc and its caret, when the source can be read. */
static void format_excerpt(const npc_ctx *ctx, npc_loc loc, npc_buf *out)
{
    const npc_source *src = npc_source_find(ctx, loc.file);
    if (src && src->text)
        excerpt_text(src, loc, out);
    else if (src && strcmp(src->name, "-") != 0)
        excerpt_file(src, loc, out);
}

static void format_loc(npc_loc loc, npc_buf *out)
{
    put_escaped(out, loc.file); /* file names come from folder scans too */
    if (loc.line)
        npc_buf_printf(out, ":%u:%u: ", loc.line, loc.col);
    else
        npc_buf_puts(out, ": ");
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
    npc_buf_puts(out, ": ");
    put_escaped(out, d->message);
    npc_buf_putc(out, '\n');
    if (d->nloc && d->loc[0].file && d->loc[0].line)
        format_excerpt(ctx, d->loc[0], out);
    for (unsigned i = 1; i < d->nloc; i++) {
        if (!d->loc[i].file)
            continue;
        format_loc(d->loc[i], out);
        npc_buf_puts(out, "note: related position\n");
        if (d->loc[i].line)
            format_excerpt(ctx, d->loc[i], out);
    }
}

void npc_diags_format(const npc_ctx *ctx, npc_severity least, int color, npc_buf *out)
{
    for (size_t i = 0; i < ctx->diags.len; i++)
        if (ctx->diags.items[i].severity <= least) /* errors first in the enum */
            npc_diag_format(ctx, &ctx->diags.items[i], color, out);
}
