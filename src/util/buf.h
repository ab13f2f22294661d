/* Strings: npc_buf is an owned growable buffer, always NUL-terminated;
 * npc_slice borrows bytes it does not own. */
#ifndef NPC_UTIL_BUF_H
#define NPC_UTIL_BUF_H
#include <stdarg.h>
#include <stddef.h>

#include "netpolc.h" /* npc_buf */

typedef struct npc_slice {
    const char *p;
    size_t n;
} npc_slice;

void npc_buf_free(npc_buf *b);
void npc_buf_reset(npc_buf *b);
void npc_buf_reserve(npc_buf *b, size_t extra);
void npc_buf_append(npc_buf *b, const char *s, size_t n);
void npc_buf_puts(npc_buf *b, const char *s);
void npc_buf_putc(npc_buf *b, char c);
/* s as the text of a Markdown table cell: '|' escaped, line breaks as spaces. */
void npc_buf_md_cell(npc_buf *b, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void npc_buf_printf(npc_buf *b, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
void npc_buf_vprintf(npc_buf *b, const char *fmt, va_list ap);
/* Appends s double-quoted, escaping '"', '\\', \n, \t, \r; other control
 * bytes as \u00XX (JSON) or, with go_style, \xXX (Go's %q). */
void npc_buf_put_quoted(npc_buf *b, const char *s, int go_style);
const char *npc_buf_cstr(const npc_buf *b);
char *npc_buf_take(npc_buf *b); /* caller frees; b is left empty */

npc_slice npc_slice_of(const char *s);
int npc_slice_eq(npc_slice a, const char *s);

#endif
