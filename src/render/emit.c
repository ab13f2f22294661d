/* The shared YAML/JSON emitter. */
#include "render/emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h" /* NPC_APUSH */
#include "util/buf.h"

static npc_ev *ev_new(npc_arena *a, npc_ev_kind k)
{
    npc_ev *v = npc_arena_alloc(a, sizeof *v);
    v->kind = k;
    return v;
}

npc_ev *npc_ev_map(npc_arena *a)
{
    return ev_new(a, NPC_EV_MAP);
}

npc_ev *npc_ev_seq(npc_arena *a)
{
    return ev_new(a, NPC_EV_SEQ);
}

npc_ev *npc_ev_str(npc_arena *a, const char *s)
{
    npc_ev *v = ev_new(a, NPC_EV_STR);
    v->s = s;
    return v;
}

npc_ev *npc_ev_int(npc_arena *a, long long i)
{
    npc_ev *v = ev_new(a, NPC_EV_INT);
    v->i = i;
    return v;
}

npc_ev *npc_ev_bool(npc_arena *a, int b)
{
    npc_ev *v = ev_new(a, NPC_EV_BOOL);
    v->i = b != 0;
    return v;
}

void npc_ev_put(npc_arena *a, npc_ev *map, const char *key, npc_ev *value)
{
    size_t n = map->n, cap = map->cap;
    NPC_APUSH(a, map->keys, n, cap, key);
    NPC_APUSH(a, map->items, map->n, map->cap, value);
}

void npc_ev_push(npc_arena *a, npc_ev *seq, npc_ev *value)
{
    NPC_APUSH(a, seq->items, seq->n, seq->cap, value);
}

npc_ev *npc_ev_get(const npc_ev *map, const char *key)
{
    for (size_t i = 0; map && map->kind == NPC_EV_MAP && i < map->n; i++)
        if (!strcmp(map->keys[i], key))
            return map->items[i];
    return NULL;
}

static int cmp_idx_key(const void *x, const void *y, const char *const *keys)
{
    return strcmp(keys[*(const size_t *)x], keys[*(const size_t *)y]);
}

npc_ev *npc_ev_from_node(npc_arena *a, const npc_node *n)
{
    int b;
    long long i;
    if (!n || npc_node_is_null(n))
        return ev_new(a, NPC_EV_NULL);
    switch (n->kind) {
    case NPC_NODE_SCALAR:
        if (npc_node_get_bool(n, &b))
            return npc_ev_bool(a, b);
        if (npc_node_get_int(n, &i))
            return npc_ev_int(a, i);
        return npc_ev_str(a, npc_arena_strndup(a, n->u.scalar.s, n->u.scalar.len));
    case NPC_NODE_SEQ: {
        npc_ev *v = npc_ev_seq(a);
        for (size_t k = 0; k < n->u.seq.len; k++)
            npc_ev_push(a, v, npc_ev_from_node(a, n->u.seq.items[k]));
        return v;
    }
    case NPC_NODE_MAP: {
        npc_ev *v = npc_ev_map(a);
        size_t m = n->u.map.len;
        const char **keys = npc_arena_alloc(a, (m + 1) * sizeof *keys);
        size_t *idx = npc_arena_alloc(a, (m + 1) * sizeof *idx);
        for (size_t k = 0; k < m; k++) {
            const npc_node *key = n->u.map.items[k].key;
            keys[k] = key && key->kind == NPC_NODE_SCALAR ? key->u.scalar.s : "";
            idx[k] = k;
        }
        /* insertion sort: passthrough objects are small */
        for (size_t k = 1; k < m; k++)
            for (size_t j = k; j > 0 && cmp_idx_key(&idx[j - 1], &idx[j], keys) > 0; j--) {
                size_t t = idx[j];
                idx[j] = idx[j - 1];
                idx[j - 1] = t;
            }
        for (size_t k = 0; k < m; k++)
            npc_ev_put(a, v, keys[idx[k]], npc_ev_from_node(a, n->u.map.items[idx[k]].value));
        return v;
    }
    }
    return ev_new(a, NPC_EV_NULL);
}

/* ------------------------------------------------------------- scalars */

static void json_string(const char *s, npc_buf *out)
{
    npc_buf_put_quoted(out, s, 0);
}

static void indent(npc_buf *out, int n)
{
    for (int i = 0; i < n; i++)
        npc_buf_putc(out, ' ');
}

static int ci_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (x != *b)
            return 0;
    }
    return *a == *b;
}

/* Plain scalars that a YAML 1.1 or 1.2 reader would not read back as this
 * very string get double quotes. */
static int needs_quotes(const char *s)
{
    /* "=" and "<<" are YAML 1.1's value and merge keys: readers reject them plain */
    static const char *const words[] = {"true",  "false", "yes",  "no", "on",   "off",
                                        "y",     "n",     "null", "~",  ".inf", "-.inf",
                                        "+.inf", ".nan",  "=",    "<<", NULL};
    size_t n = strlen(s);
    if (n == 0)
        return 1;
    for (const char *const *w = words; *w; w++)
        if (ci_eq(s, *w))
            return 1;
    if (strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]))
        return 1;
    if (s[n - 1] == ' ' || s[n - 1] == ':' || s[n - 1] == '\t')
        return 1;
    if (strstr(s, ": ") || strstr(s, " #"))
        return 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 1;
    /* numbers in any base or notation: digits, dots, signs, exponents, '_', ':' */
    const char *p = s;
    if (*p == '+' || *p == '.')
        p++;
    if (*p >= '0' && *p <= '9' && strspn(s, "0123456789abcdefABCDEFxXoO._+-:") == n)
        return 1;
    return 0;
}

/* A value written on one line: a scalar or an empty collection. JSON
 * quotes every string; YAML only those a reader would take for something
 * else. */
static void flat_value(const npc_ev *v, int yaml, npc_buf *out)
{
    switch (v->kind) {
    case NPC_EV_NULL:
        npc_buf_puts(out, "null");
        return;
    case NPC_EV_BOOL:
        npc_buf_puts(out, v->i ? "true" : "false");
        return;
    case NPC_EV_INT:
        npc_buf_printf(out, "%lld", v->i);
        return;
    case NPC_EV_STR:
        if (!yaml || needs_quotes(v->s))
            json_string(v->s, out); /* JSON escapes are valid YAML double-quoted escapes */
        else
            npc_buf_puts(out, v->s);
        return;
    case NPC_EV_SEQ:
        npc_buf_puts(out, "[]");
        return;
    case NPC_EV_MAP:
        npc_buf_puts(out, "{}");
        return;
    }
}

/* ------------------------------------------------------------------ JSON */

static void json_value(const npc_ev *v, int ind, int pretty, npc_buf *out)
{
    if ((v->kind != NPC_EV_SEQ && v->kind != NPC_EV_MAP) || v->n == 0) {
        flat_value(v, 0, out);
        return;
    }
    int map = v->kind == NPC_EV_MAP;
    npc_buf_putc(out, map ? '{' : '[');
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            npc_buf_putc(out, ',');
        if (pretty) {
            npc_buf_putc(out, '\n');
            indent(out, ind + 2);
        }
        if (map) {
            json_string(v->keys[i], out);
            npc_buf_puts(out, pretty ? ": " : ":");
        }
        json_value(v->items[i], ind + 2, pretty, out);
    }
    if (pretty) {
        npc_buf_putc(out, '\n');
        indent(out, ind);
    }
    npc_buf_putc(out, map ? '}' : ']');
}

void npc_emit_json(const npc_ev *v, npc_buf *out)
{
    json_value(v, 0, 1, out);
    npc_buf_putc(out, '\n');
}

void npc_ev_key(const npc_ev *v, npc_buf *out)
{
    json_value(v, 0, 0, out);
}

/* ------------------------------------------------------------------ YAML */

static int is_block(const npc_ev *v)
{
    return (v->kind == NPC_EV_MAP || v->kind == NPC_EV_SEQ) && v->n > 0;
}

static void yaml_block(const npc_ev *v, int ind, int inline_first, npc_buf *out);

static void yaml_key(const char *k, npc_buf *out)
{
    if (needs_quotes(k))
        json_string(k, out);
    else
        npc_buf_puts(out, k);
}

/* A block collection at indentation ind. With inline_first, the first line
 * continues a "- " already written. */
static void yaml_block(const npc_ev *v, int ind, int inline_first, npc_buf *out)
{
    for (size_t i = 0; i < v->n; i++) {
        if (!(i == 0 && inline_first))
            indent(out, ind);
        const npc_ev *item = v->items[i];
        if (v->kind == NPC_EV_MAP) {
            yaml_key(v->keys[i], out);
            npc_buf_putc(out, ':');
            if (is_block(item)) {
                npc_buf_putc(out, '\n');
                yaml_block(item, ind + 2, 0, out);
            } else {
                npc_buf_putc(out, ' ');
                flat_value(item, 1, out);
                npc_buf_putc(out, '\n');
            }
        } else {
            npc_buf_puts(out, "- ");
            if (is_block(item)) {
                yaml_block(item, ind + 2, 1, out);
            } else {
                flat_value(item, 1, out);
                npc_buf_putc(out, '\n');
            }
        }
    }
}

void npc_emit_yaml(const npc_ev *doc, npc_buf *out)
{
    if (is_block(doc)) {
        yaml_block(doc, 0, 0, out);
    } else {
        flat_value(doc, 1, out);
        npc_buf_putc(out, '\n');
    }
}

void npc_emit_stream(npc_arena *a, npc_ev *const *docs, size_t n, npc_format fmt, npc_buf *out)
{
    if (fmt == NPC_FORMAT_JSON) {
        npc_ev *list = npc_ev_map(a);
        npc_ev_put(a, list, "apiVersion", npc_ev_str(a, "v1"));
        npc_ev_put(a, list, "kind", npc_ev_str(a, "List"));
        npc_ev *items = npc_ev_seq(a);
        for (size_t i = 0; i < n; i++)
            npc_ev_push(a, items, docs[i]);
        npc_ev_put(a, list, "items", items);
        npc_emit_json(list, out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        npc_buf_puts(out, "---\n");
        npc_emit_yaml(docs[i], out);
    }
}
