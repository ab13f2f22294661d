/* Read-only accessors over the node tree, with YAML 1.2 core-schema typing
 * of plain scalars (what Kubernetes' YAML->JSON conversion accepts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text/tree.h"

npc_loc npc_node_loc(const npc_node *n)
{
    npc_loc l = {0};
    if (n) {
        l.file = n->file;
        l.line = n->line;
        l.col = n->col;
    }
    return l;
}

static int plain(const npc_node *n)
{
    return n && n->kind == NPC_NODE_SCALAR && n->style == NPC_STYLE_PLAIN && !n->tag;
}

int npc_node_is_null(const npc_node *n)
{
    if (!n)
        return 1;
    if (n->tag && strcmp(n->tag, "tag:yaml.org,2002:null") == 0)
        return 1;
    if (!plain(n))
        return 0;
    const char *s = n->u.scalar.s;
    return n->u.scalar.len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

int npc_node_get_bool(const npc_node *n, int *out)
{
    if (!plain(n))
        return 0;
    const char *s = n->u.scalar.s;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        *out = 1;
        return 1;
    }
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        *out = 0;
        return 1;
    }
    return 0;
}

int npc_node_get_int(const npc_node *n, long long *out)
{
    if (!plain(n) || n->u.scalar.len == 0 || n->u.scalar.len > 20)
        return 0;
    const char *s = n->u.scalar.s;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return 0;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return 0;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno)
        return 0;
    *out = v;
    return 1;
}

static int looks_float(const npc_node *n)
{
    if (!plain(n) || n->u.scalar.len == 0)
        return 0;
    char *end;
    strtod(n->u.scalar.s, &end);
    return *end == '\0' && strspn(n->u.scalar.s, "0123456789+-.eE") == n->u.scalar.len;
}

int npc_node_is_scalar(const npc_node *n)
{
    return n && n->kind == NPC_NODE_SCALAR && !npc_node_is_null(n);
}

int npc_node_is_string(const npc_node *n)
{
    int b;
    long long i;
    if (!npc_node_is_scalar(n))
        return 0;
    return !npc_node_get_bool(n, &b) && !npc_node_get_int(n, &i) && !looks_float(n);
}

const char *npc_node_type_name(const npc_node *n)
{
    int b;
    long long i;
    if (!n || npc_node_is_null(n))
        return "null";
    switch (n->kind) {
    case NPC_NODE_MAP:
        return "mapping";
    case NPC_NODE_SEQ:
        return "sequence";
    case NPC_NODE_SCALAR:
        if (npc_node_get_bool(n, &b))
            return "boolean";
        if (npc_node_get_int(n, &i))
            return "integer";
        if (looks_float(n))
            return "number";
        return "string";
    }
    return "value";
}

int npc_node_scalar_eq(const npc_node *n, const char *s)
{
    return n && n->kind == NPC_NODE_SCALAR && n->u.scalar.len == strlen(s) &&
           memcmp(n->u.scalar.s, s, n->u.scalar.len) == 0;
}

npc_pair *npc_map_get_pair(const npc_node *map, const char *key)
{
    if (!map || map->kind != NPC_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->u.map.len; i++)
        if (npc_node_scalar_eq(map->u.map.items[i].key, key))
            return &map->u.map.items[i];
    return NULL;
}

npc_node *npc_map_get(const npc_node *map, const char *key)
{
    npc_pair *p = npc_map_get_pair(map, key);
    return p ? p->value : NULL;
}

int npc_node_same(const npc_node *a, const npc_node *b)
{
    if (a == b)
        return 1;
    if (!a || !b || a->kind != b->kind || a->style != b->style || a->line != b->line ||
        a->col != b->col || !a->file != !b->file || (a->file && strcmp(a->file, b->file)) ||
        !a->tag != !b->tag || (a->tag && strcmp(a->tag, b->tag)))
        return 0;
    switch (a->kind) {
    case NPC_NODE_SCALAR:
        return a->u.scalar.len == b->u.scalar.len &&
               memcmp(a->u.scalar.s, b->u.scalar.s, a->u.scalar.len) == 0;
    case NPC_NODE_SEQ:
        if (a->u.seq.len != b->u.seq.len)
            return 0;
        for (size_t i = 0; i < a->u.seq.len; i++)
            if (!npc_node_same(a->u.seq.items[i], b->u.seq.items[i]))
                return 0;
        return 1;
    case NPC_NODE_MAP:
        if (a->u.map.len != b->u.map.len)
            return 0;
        for (size_t i = 0; i < a->u.map.len; i++)
            if (!npc_node_same(a->u.map.items[i].key, b->u.map.items[i].key) ||
                !npc_node_same(a->u.map.items[i].value, b->u.map.items[i].value))
                return 0;
        return 1;
    }
    return 0;
}
