#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void npc_buf_free(npc_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void npc_buf_reset(npc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void npc_buf_reserve(npc_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = npc_xrealloc(b->data, cap);
    b->cap = cap;
}

void npc_buf_append(npc_buf *b, const char *s, size_t n)
{
    npc_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void npc_buf_puts(npc_buf *b, const char *s)
{
    npc_buf_append(b, s, strlen(s));
}

void npc_buf_putc(npc_buf *b, char c)
{
    npc_buf_append(b, &c, 1);
}

void npc_buf_vprintf(npc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    npc_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void npc_buf_printf(npc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    npc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void npc_buf_put_quoted(npc_buf *b, const char *s, int go_style)
{
    npc_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            npc_buf_puts(b, "\\\"");
            break;
        case '\\':
            npc_buf_puts(b, "\\\\");
            break;
        case '\n':
            npc_buf_puts(b, "\\n");
            break;
        case '\t':
            npc_buf_puts(b, "\\t");
            break;
        case '\r':
            npc_buf_puts(b, "\\r");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                npc_buf_printf(b, go_style ? "\\x%02x" : "\\u%04x", *p);
            else
                npc_buf_putc(b, (char)*p);
        }
    }
    npc_buf_putc(b, '"');
}

const char *npc_buf_cstr(const npc_buf *b)
{
    return b->data ? b->data : "";
}

char *npc_buf_take(npc_buf *b)
{
    char *s = b->data ? b->data : npc_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

npc_slice npc_slice_of(const char *s)
{
    npc_slice sl = {s, strlen(s)};
    return sl;
}

int npc_slice_eq(npc_slice a, const char *s)
{
    size_t n = strlen(s);
    return a.n == n && memcmp(a.p, s, n) == 0;
}

void npc_buf_md_cell(npc_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            npc_buf_puts(b, "\\|");
        else if (*p == '\n')
            npc_buf_putc(b, ' ');
        else
            npc_buf_putc(b, *p);
    }
}
