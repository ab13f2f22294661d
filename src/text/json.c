/* The JSON fast path: JSON text -> node tree through jsmn's tokens, which
 * carry byte offsets, so every node keeps its file, line and column.
 *
 * Contract: npc_json_read() returns a tree only for text that the YAML path
 * (libyaml, yaml.c) reads into the same tree: the same nodes, scalars,
 * styles and positions. Anything else -- a syntax error, invalid UTF-8, a
 * duplicate key, deep nesting, an escape or a character libyaml treats
 * differently -- returns NULL without reporting, and the caller reads the
 * text through libyaml, which reports it with the usual codes (NPC001,
 * NPC003, NPC008, NPC009). So every limit and diagnostic is the YAML path's
 * by construction, and fuzz/fuzz_json.c checks the equality on random input.
 *
 * jsmn tokenizes without validating everything (it accepts trailing
 * commas, for one), so the builder checks the bytes between tokens, the
 * number and literal grammar, the escapes and the encoding itself. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "text/tree.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#endif
#include <jsmn.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/* libyaml drops a simple key longer than this (it then reads the mapping
 * differently), so such keys go the YAML way. */
enum { MAX_SIMPLE_KEY = 1000, MAX_FAST_DEPTH = 512 };

typedef struct jbuild {
    const char *text;
    size_t len;
    const jsmntok_t *tok;
    size_t ntok, next;
    unsigned max_depth;
    npc_arena *arena;
    const char *file;
    /* position cursor: byte offset and its line and column */
    size_t cur, line_start;
    uint32_t line, col;
    int plain; /* no CR, no multibyte character: see seek() */
} jbuild;

static int is_ws(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Skips whitespace from p to e, eight spaces at a time through indentation. */
static const char *skip_ws(const char *p, const char *e)
{
    for (;;) {
        while (e - p >= 8 && memcmp(p, "        ", 8) == 0)
            p += 8;
        if (p == e || !is_ws(*p))
            return p;
        p++;
    }
}

/* Bytes [from, to) must be whitespace with exactly one `sep` among it (none
 * when sep is 0); no line break when nobreak (a key and its colon). */
static int gap_ok(const jbuild *b, size_t from, size_t to, char sep, int nobreak)
{
    if (from > to)
        return 0; /* tokens out of order: not text jsmn should give */
    const char *p = b->text + from, *e = b->text + to;
    if (nobreak && (memchr(p, '\n', to - from) || memchr(p, '\r', to - from)))
        return 0;
    p = skip_ws(p, e);
    if (sep) {
        if (p == e || *p != sep)
            return 0;
        p = skip_ws(p + 1, e);
    }
    return p == e;
}

/* Moves the cursor to byte offset off, counting lines and columns as
 * libyaml's marks do: columns in characters, CR LF one break. Text without
 * CR and without multibyte characters (kubectl's output) takes the quick
 * way: lines by memchr, the column by subtraction. */
static void seek(jbuild *b, size_t off)
{
    const char *s = b->text;
    if (b->plain) {
        const char *p;
        size_t i = b->cur;
        while (i < off && (p = memchr(s + i, '\n', off - i)) != NULL) {
            b->line++;
            i = (size_t)(p - s) + 1;
            b->line_start = i;
        }
        b->col = (uint32_t)(off - b->line_start + 1);
        b->cur = off;
        return;
    }
    for (size_t i = b->cur; i < off; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            if (!(i > 0 && s[i - 1] == '\r')) {
                b->line++;
                b->col = 1;
            }
        } else if (c == '\r') {
            b->line++;
            b->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            b->col++;
        }
    }
    b->cur = off;
}

/* True when text has neither CR nor a byte above 0x7F. */
static int plain_text(const char *s, size_t n)
{
    if (memchr(s, '\r', n))
        return 0;
    uint64_t high = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        high |= v;
    }
    for (; i < n; i++)
        high |= (unsigned char)s[i];
    return (high & 0x8080808080808080ull) == 0;
}

static npc_node *new_node(jbuild *b, npc_node_kind kind, npc_scalar_style style, size_t off)
{
    seek(b, off);
    npc_node *n = npc_arena_alloc(b->arena, sizeof *n);
    n->kind = kind;
    n->style = style;
    n->file = b->file;
    n->line = b->line;
    n->col = b->col;
    return n;
}

/* A JSON number, true, false or null. */
static int literal_ok(const char *s, size_t n)
{
    if ((n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "null", 4))) ||
        (n == 5 && !memcmp(s, "false", 5)))
        return 1;
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    return i == n;
}

/* Decodes one UTF-8 character at s[0..n) that libyaml's reader accepts
 * (valid, shortest form, printable); returns its length, 0 when not. A
 * character that libyaml reads as a line break (NEL, LS, PS) also gives 0:
 * inside a quoted scalar it folds. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t w;
    unsigned v;
    if (c < 0x80)
        return 0; /* ASCII is handled by the caller */
    if ((c & 0xE0) == 0xC0) {
        w = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        w = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        w = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (w > n)
        return 0;
    for (size_t k = 1; k < w; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[k] & 0x3F);
    }
    if ((w == 2 && v < 0x80) || (w == 3 && v < 0x800) || (w == 4 && v < 0x10000))
        return 0; /* overlong */
    if (v == 0x85 || v == 0x2028 || v == 0x2029)
        return 0;
    if ((v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
        (v >= 0x10000 && v <= 0x10FFFF))
        return w;
    return 0;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* The content of a JSON string, raw bytes s[0..n), decoded into the arena.
 * NULL when libyaml would read it differently or reject it. */
static char *decode_string(jbuild *b, const char *s, size_t n, size_t *outlen)
{
    size_t i = 0;
    while (i < n) { /* the common case: printable ASCII, no escapes */
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '\\' || c >= 0x7F)
            break;
        i++;
    }
    char *d = npc_arena_alloc_bytes(b->arena, n + 1);
    memcpy(d, s, i);
    size_t o = i;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            d[o++] = (char)c;
            i++;
        } else if (c >= 0x80) {
            size_t w = utf8_char((const unsigned char *)s + i, n - i);
            if (!w)
                return NULL;
            memcpy(d + o, s + i, w);
            o += w;
            i += w;
        } else if (c == '\\' && i + 1 < n) {
            char e = s[i + 1];
            i += 2;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                d[o++] = e;
                break;
            case 'b':
                d[o++] = '\b';
                break;
            case 'f':
                d[o++] = '\f';
                break;
            case 'n':
                d[o++] = '\n';
                break;
            case 'r':
                d[o++] = '\r';
                break;
            case 't':
                d[o++] = '\t';
                break;
            case 'u': {
                unsigned v;
                if (i + 4 > n || !hex4(s + i, &v) || (v >= 0xD800 && v <= 0xDFFF))
                    return NULL; /* libyaml rejects surrogate escapes */
                i += 4;
                if (v < 0x80) {
                    d[o++] = (char)v;
                } else if (v < 0x800) {
                    d[o++] = (char)(0xC0 | (v >> 6));
                    d[o++] = (char)(0x80 | (v & 0x3F));
                } else {
                    d[o++] = (char)(0xE0 | (v >> 12));
                    d[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
                    d[o++] = (char)(0x80 | (v & 0x3F));
                }
                break;
            }
            default:
                return NULL;
            }
        } else {
            return NULL; /* raw control character, DEL, or a lone backslash */
        }
    }
    d[o] = '\0';
    *outlen = o;
    return d;
}

/* Where token t's text begins and ends, quotes included. */
static size_t tok_begin(const jsmntok_t *t)
{
    return (size_t)t->start - (t->type == JSMN_STRING);
}

static size_t tok_end(const jsmntok_t *t)
{
    return (size_t)t->end + (t->type == JSMN_STRING);
}

static int same_key(const npc_node *x, const npc_node *y)
{
    return x->u.scalar.len == y->u.scalar.len &&
           memcmp(x->u.scalar.s, y->u.scalar.s, x->u.scalar.len) == 0;
}

static int cmp_keys(const void *pa, const void *pb)
{
    const npc_node *x = *(const npc_node *const *)pa, *y = *(const npc_node *const *)pb;
    size_t lx = x->u.scalar.len, ly = y->u.scalar.len;
    int c = memcmp(x->u.scalar.s, y->u.scalar.s, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* True when a mapping repeats a key (the YAML path reports those). */
static int has_duplicate_key(const npc_node *map)
{
    size_t n = map->u.map.len;
    const npc_pair *p = map->u.map.items;
    if (n <= 64) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (same_key(p[i].key, p[j].key))
                    return 1;
        return 0;
    }
    const npc_node **keys = npc_xmalloc(n * sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = p[i].key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    int dup = 0;
    for (size_t i = 1; i < n && !dup; i++)
        dup = same_key(keys[i - 1], keys[i]);
    free(keys);
    return dup;
}

static npc_node *build(jbuild *b, unsigned depth);

static npc_node *build_scalar(jbuild *b, const jsmntok_t *t)
{
    const char *s = b->text + t->start;
    size_t n = (size_t)(t->end - t->start);
    if (t->type == JSMN_PRIMITIVE) {
        if (!literal_ok(s, n))
            return NULL;
        npc_node *node = new_node(b, NPC_NODE_SCALAR, NPC_STYLE_PLAIN, (size_t)t->start);
        node->u.scalar.s = npc_arena_strndup(b->arena, s, n);
        node->u.scalar.len = n;
        return node;
    }
    size_t dlen = 0;
    char *d = decode_string(b, s, n, &dlen);
    if (!d)
        return NULL;
    npc_node *node = new_node(b, NPC_NODE_SCALAR, NPC_STYLE_QUOTED, tok_begin(t));
    node->u.scalar.s = d;
    node->u.scalar.len = dlen;
    return node;
}

static npc_node *build_collection(jbuild *b, const jsmntok_t *t, unsigned depth)
{
    int is_map = t->type == JSMN_OBJECT;
    if (depth + 1 >= b->max_depth || b->text[t->end - 1] != (is_map ? '}' : ']'))
        return NULL;
    npc_node *node =
        new_node(b, is_map ? NPC_NODE_MAP : NPC_NODE_SEQ, NPC_STYLE_PLAIN, (size_t)t->start);
    size_t n = (size_t)t->size, at = (size_t)t->start + 1;
    if (is_map) {
        node->u.map.items = npc_arena_alloc(b->arena, n * sizeof(npc_pair));
        node->u.map.len = n;
    } else {
        node->u.seq.items = npc_arena_alloc(b->arena, n * sizeof(npc_node *));
        node->u.seq.len = n;
    }
    for (size_t i = 0; i < n; i++) {
        if (b->next >= b->ntok)
            return NULL;
        const jsmntok_t *k = &b->tok[b->next];
        if (!gap_ok(b, at, tok_begin(k), i ? ',' : 0, 0))
            return NULL;
        if (!is_map) {
            if (!(node->u.seq.items[i] = build(b, depth + 1)))
                return NULL;
            at = tok_end(k);
            continue;
        }
        if (k->type != JSMN_STRING || k->end - k->start > MAX_SIMPLE_KEY)
            return NULL;
        if (!(node->u.map.items[i].key = build(b, depth + 1)) || b->next >= b->ntok)
            return NULL;
        const jsmntok_t *v = &b->tok[b->next];
        if (!gap_ok(b, tok_end(k), tok_begin(v), ':', 1))
            return NULL;
        if (!(node->u.map.items[i].value = build(b, depth + 1)))
            return NULL;
        at = tok_end(v);
    }
    if (!gap_ok(b, at, (size_t)t->end - 1, 0, 0))
        return NULL;
    if (is_map && has_duplicate_key(node))
        return NULL;
    return node;
}

/* Builds the value of token b->next and everything under it. */
static npc_node *build(jbuild *b, unsigned depth)
{
    const jsmntok_t *t = &b->tok[b->next++];
    if (t->start < 0 || t->end < t->start)
        return NULL;
    switch (t->type) {
    case JSMN_OBJECT:
    case JSMN_ARRAY:
        return build_collection(b, t, depth);
    case JSMN_STRING:
    case JSMN_PRIMITIVE:
        return build_scalar(b, t);
    case JSMN_UNDEFINED:
        break;
    }
    return NULL;
}

/* Whitespace outside the top-level value: libyaml takes tabs there for the
 * start of a token. */
static int outer_ws(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

npc_tree *npc_json_read(const npc_limits *lim, const char *file, const char *text, size_t len)
{
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t first = bom;
    while (first < len && (text[first] == ' ' || text[first] == '\n' || text[first] == '\r'))
        first++;
    if (first >= len || (text[first] != '{' && text[first] != '[') || len - bom > INT_MAX / 2)
        return NULL;
    const char *body = text + bom;
    size_t blen = len - bom;

    jsmn_parser p;
    jsmn_init(&p);
    size_t cap = blen / 16 + 16;
    jsmntok_t *tok = npc_xmalloc(cap * sizeof *tok);
    int r;
    while ((r = jsmn_parse(&p, body, blen, tok, (unsigned)cap)) == JSMN_ERROR_NOMEM) {
        cap *= 2;
        tok = npc_xrealloc(tok, cap * sizeof *tok);
    }
    if (r <= 0) {
        free(tok);
        return NULL;
    }
    jbuild b;
    memset(&b, 0, sizeof b);
    b.text = body;
    b.len = blen;
    b.tok = tok;
    b.ntok = (size_t)r;
    b.max_depth = lim->max_depth < MAX_FAST_DEPTH ? lim->max_depth : MAX_FAST_DEPTH;
    b.arena = npc_arena_new();
    b.file = file;
    b.line = 1;
    b.col = 1;
    b.plain = plain_text(body, blen);
    npc_node *root = build(&b, 0);
    int ok = root && b.next == b.ntok && outer_ws(body, 0, tok_begin(&tok[0])) &&
             outer_ws(body, tok_end(&tok[0]), blen);
    free(tok);
    if (!ok) {
        npc_arena_free(b.arena);
        return NULL;
    }
    npc_tree *t = npc_xcalloc(1, sizeof *t);
    t->arena = b.arena;
    t->root = root;
    t->file = file;
    t->index = 0;
    return t;
}
