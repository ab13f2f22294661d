/* libyaml events -> node trees, one per document, with limits on size,
 * depth and alias expansion so hostile input cannot exhaust the machine. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "text/tree.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"
#include "util/vec.h"

typedef struct anchor {
    const char *name;
    npc_node *node;
    size_t weight; /* unfolded node count of node's subtree */
} anchor;

/* An open collection. Its children (seq items, or key,value,key,value...)
 * are builder.kids[base..]: one stack shared by every level, so building a
 * collection allocates nothing but its final array in the tree's arena. */
typedef struct frame {
    npc_node *node;
    size_t base;
    size_t weight;
    const char *anchor_name;
} frame;

typedef struct builder {
    npc_ctx *ctx;
    const char *file;
    npc_tree *tree;
    NPC_VEC(frame) stack;
    NPC_VEC(npc_node *) kids;
    NPC_VEC(anchor) anchors;
    size_t alias_nodes;
    int failed;
} builder;

static npc_loc mark_loc(const char *file, yaml_mark_t m)
{
    npc_loc l = {file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
    return l;
}

/* A leading UTF-8 byte order mark, which libyaml's marks do not count. */
static size_t bom_len(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* The position of byte offset off, counting columns in characters as
 * libyaml does. At the end of the input it is the end of the last line, so
 * "unexpected end" errors point at a line the printer can show. */
static npc_loc offset_loc(const char *file, const char *text, size_t len, size_t off)
{
    if (off > len)
        off = len;
    if (off == len)
        while (off > 0 && (text[off - 1] == '\n' || text[off - 1] == '\r'))
            off--;
    npc_loc l = {file, 1, 1};
    for (size_t i = bom_len(text, len); i < off; i++) {
        if (text[i] == '\n') {
            l.line++;
            l.col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            l.col++;
        }
    }
    return l;
}

/* Where a parse error mark points; marks at the end of the input (whose
 * index counts characters, not bytes) move back to the last line. */
static npc_loc error_loc(const char *file, const char *text, size_t len, yaml_mark_t m)
{
    size_t chars = 0;
    for (size_t i = bom_len(text, len); i < len; i++)
        chars += ((unsigned char)text[i] & 0xC0) != 0x80;
    return m.index >= chars ? offset_loc(file, text, len, len) : mark_loc(file, m);
}

/* Whether the indentation of the line of `at` up to its column holds a tab
 * (libyaml's "found character that cannot start any token" there). */
static int tab_indented(const char *text, size_t len, npc_loc at)
{
    size_t i = bom_len(text, len);
    for (uint32_t l = 1; l < at.line && i < len; i++)
        if (text[i] == '\n')
            l++;
    int tab = 0;
    for (uint32_t col = 1; i < len && col <= at.col; i++, col++) {
        if (text[i] == '\t')
            tab = 1;
        else if (text[i] != ' ')
            return 0;
    }
    return tab;
}

char *npc_read_file(npc_ctx *ctx, const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    npc_loc where = {npc_source_add(ctx, path, NULL, 0), 0, 0};
    if (!f) {
        npc_error(ctx, NPC002, where, "cannot open: %s", strerror(errno));
        return NULL;
    }
    npc_buf b = NPC_BUF_INIT;
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > ctx->limits.max_file_bytes) {
            npc_error(ctx, NPC005, where, "file is larger than the limit of %zu bytes",
                      ctx->limits.max_file_bytes);
            npc_buf_free(&b);
            if (f != stdin)
                fclose(f);
            return NULL;
        }
        npc_buf_append(&b, chunk, n);
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (err) {
        npc_error(ctx, NPC002, where, "read error");
        npc_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return npc_buf_take(&b);
}

static npc_node *new_node(builder *b, npc_node_kind kind, yaml_mark_t m, const char *tag)
{
    npc_node *n = npc_arena_alloc(b->tree->arena, sizeof *n);
    n->kind = kind;
    n->file = b->file;
    n->line = (uint32_t)m.line + 1;
    n->col = (uint32_t)m.column + 1;
    if (tag)
        n->tag = npc_arena_strdup(b->tree->arena, tag);
    return n;
}

static void remember_anchor(builder *b, const char *name, npc_node *node, size_t weight)
{
    if (!name)
        return;
    for (size_t i = 0; i < b->anchors.len; i++)
        if (strcmp(b->anchors.items[i].name, name) == 0) {
            b->anchors.items[i].node = node; /* a redefined anchor shadows */
            b->anchors.items[i].weight = weight;
            return;
        }
    anchor a = {npc_arena_strdup(b->tree->arena, name), node, weight};
    npc_vec_push(&b->anchors, a);
}

/* Attaches a finished node to the open collection (or makes it the root). */
static void attach(builder *b, npc_node *n, size_t weight)
{
    if (b->stack.len == 0) {
        b->tree->root = n;
        return;
    }
    npc_vec_push(&b->kids, n);
    b->stack.items[b->stack.len - 1].weight += weight;
}

static int open_collection(builder *b, npc_node *n, const char *anchor_name)
{
    if (b->stack.len >= b->ctx->limits.max_depth) {
        npc_error(b->ctx, NPC003, npc_node_loc(n), "nesting deeper than %u levels",
                  b->ctx->limits.max_depth);
        return -1;
    }
    frame f;
    memset(&f, 0, sizeof f);
    f.node = n;
    f.base = b->kids.len;
    f.weight = 1;
    f.anchor_name = anchor_name ? npc_arena_strdup(b->tree->arena, anchor_name) : NULL;
    npc_vec_push(&b->stack, f);
    return 0;
}

static int same_key(const npc_node *x, const npc_node *y)
{
    return x->kind == NPC_NODE_SCALAR && y->kind == NPC_NODE_SCALAR &&
           x->u.scalar.len == y->u.scalar.len &&
           memcmp(x->u.scalar.s, y->u.scalar.s, x->u.scalar.len) == 0;
}

static void report_duplicate(builder *b, const npc_node *dup, const npc_node *first)
{
    npc_diag *d = npc_error(b->ctx, NPC008, npc_node_loc(dup), "duplicate key '%s' in mapping",
                            dup->u.scalar.s);
    npc_diag_also(d, npc_node_loc(first));
    b->failed = 1;
}

/* Orders pairs by key bytes, then by position in the mapping. */
static int cmp_pair_keys(const void *pa, const void *pb)
{
    const npc_pair *x = *(const npc_pair *const *)pa, *y = *(const npc_pair *const *)pb;
    size_t lx = x->key->u.scalar.len, ly = y->key->u.scalar.len;
    int c = memcmp(x->key->u.scalar.s, y->key->u.scalar.s, lx < ly ? lx : ly);
    if (c)
        return c;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Duplicate keys of a big mapping (a ConfigMap, a long label set): sort
 * the scalar keys, then report each repeat in source order. */
static void check_duplicates_sorted(builder *b, npc_node *map)
{
    size_t np = map->u.map.len, nk = 0;
    npc_pair **keys = npc_xmalloc(np * sizeof *keys);
    const npc_node **first = npc_xcalloc(np, sizeof *first);
    for (size_t i = 0; i < np; i++)
        if (map->u.map.items[i].key->kind == NPC_NODE_SCALAR)
            keys[nk++] = &map->u.map.items[i];
    qsort(keys, nk, sizeof *keys, cmp_pair_keys);
    for (size_t i = 1, run = 0; i < nk; i++) {
        if (same_key(keys[run]->key, keys[i]->key))
            first[keys[i] - map->u.map.items] = keys[run]->key;
        else
            run = i;
    }
    for (size_t i = 0; i < np; i++)
        if (first[i])
            report_duplicate(b, map->u.map.items[i].key, first[i]);
    free(keys);
    free(first);
}

static int close_collection(builder *b)
{
    frame f = b->stack.items[--b->stack.len];
    npc_node *n = f.node;
    npc_arena *a = b->tree->arena;
    size_t nkids = b->kids.len - f.base;
    npc_node **kids = nkids ? b->kids.items + f.base : NULL; /* items may be NULL */
    b->kids.len = f.base;
    if (n->kind == NPC_NODE_SEQ) {
        n->u.seq.len = nkids;
        n->u.seq.items = npc_arena_alloc(a, nkids * sizeof(npc_node *));
        if (nkids)
            memcpy(n->u.seq.items, kids, nkids * sizeof(npc_node *));
    } else {
        size_t np = nkids / 2;
        n->u.map.len = np;
        n->u.map.items = npc_arena_alloc(a, np * sizeof(npc_pair));
        for (size_t i = 0; i < np; i++) {
            npc_node *k = kids[2 * i];
            n->u.map.items[i].key = k;
            n->u.map.items[i].value = kids[2 * i + 1];
            if (k->kind != NPC_NODE_SCALAR || np > 64)
                continue;
            /* duplicate keys: JSON and YAML both forbid them; small maps
             * dominate, so a quadratic check is cheapest for them */
            for (size_t j = 0; j < i; j++) {
                npc_node *o = n->u.map.items[j].key;
                if (same_key(o, k)) {
                    report_duplicate(b, k, o);
                    break;
                }
            }
        }
        if (np > 64)
            check_duplicates_sorted(b, n);
    }
    remember_anchor(b, f.anchor_name, n, f.weight);
    attach(b, n, f.weight);
    return 0;
}

static int on_alias(builder *b, yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (size_t i = b->anchors.len; i-- > 0;) {
        anchor *an = &b->anchors.items[i];
        if (strcmp(an->name, name) == 0) {
            b->alias_nodes += an->weight;
            if (b->alias_nodes > b->ctx->limits.max_alias_nodes) {
                npc_error(b->ctx, NPC004, mark_loc(b->file, ev->start_mark),
                          "aliases expand to more than %zu nodes", b->ctx->limits.max_alias_nodes);
                return -1;
            }
            attach(b, an->node, an->weight);
            return 0;
        }
    }
    npc_error(b->ctx, NPC006, mark_loc(b->file, ev->start_mark), "unknown alias '*%s'", name);
    return -1;
}

static void discard_stack(builder *b)
{
    b->stack.len = 0;
    b->kids.len = 0;
}

static npc_status parse_yaml(npc_ctx *ctx, const char *file, const char *text, size_t len,
                             npc_tree_fn fn, void *user)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "netpolc: out of memory (yaml parser)\n");
        abort();
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    builder b;
    memset(&b, 0, sizeof b);
    b.ctx = ctx;
    b.file = file;
    npc_status st = NPC_OK;
    unsigned doc_index = 0;
    int done = 0, stop = 0;
    unsigned long nevents = 0;
    while (!done) {
        yaml_event_t ev;
        if ((++nevents & 0xffff) == 0) /* big inputs: bytes read so far */
            npc_progress(ctx, "read", parser.mark.index, len);
        if (!yaml_parser_parse(&parser, &ev)) {
            const char *problem = parser.problem ? parser.problem : "syntax error";
            npc_diag *d;
            if (parser.error == YAML_READER_ERROR) {
                /* encoding errors carry a byte offset, not a mark */
                npc_error(ctx, NPC009, offset_loc(file, text, len, parser.problem_offset), "%s",
                          problem);
                st = NPC_ERR_INPUT;
                break;
            }
            npc_loc at = error_loc(file, text, len, parser.problem_mark);
            npc_loc ctx_at = error_loc(file, text, len, parser.context_mark);
            if (tab_indented(text, len, at))
                d = npc_error(ctx, NPC001, at,
                              "YAML does not allow tabs for indentation; use spaces");
            else if (parser.context)
                d = npc_error(ctx, NPC001, at, "%s %s", problem, parser.context);
            else
                d = npc_error(ctx, NPC001, at, "%s", problem);
            if (parser.context && (ctx_at.line != at.line || ctx_at.col != at.col))
                npc_diag_also(d, ctx_at);
            st = NPC_ERR_INPUT;
            break;
        }
        int rc = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            b.tree = npc_xcalloc(1, sizeof *b.tree);
            b.tree->arena = npc_arena_new();
            b.tree->file = file;
            b.tree->index = doc_index++;
            b.anchors.len = 0;
            b.alias_nodes = 0;
            break;
        case YAML_DOCUMENT_END_EVENT: {
            npc_tree *t = b.tree;
            b.tree = NULL;
            if (b.failed) {
                npc_tree_free(t);
                st = NPC_ERR_INPUT;
                b.failed = 0;
            } else if (fn(ctx, t, user)) {
                stop = 1;
            }
            break;
        }
        case YAML_ALIAS_EVENT:
            rc = on_alias(&b, &ev);
            break;
        case YAML_SCALAR_EVENT: {
            npc_node *n =
                new_node(&b, NPC_NODE_SCALAR, ev.start_mark, (const char *)ev.data.scalar.tag);
            n->u.scalar.len = ev.data.scalar.length;
            n->u.scalar.s = npc_arena_strndup(b.tree->arena, (const char *)ev.data.scalar.value,
                                              ev.data.scalar.length);
            switch (ev.data.scalar.style) {
            case YAML_PLAIN_SCALAR_STYLE:
            case YAML_ANY_SCALAR_STYLE:
                n->style = NPC_STYLE_PLAIN;
                break;
            case YAML_LITERAL_SCALAR_STYLE:
            case YAML_FOLDED_SCALAR_STYLE:
                n->style = NPC_STYLE_BLOCK;
                break;
            default:
                n->style = NPC_STYLE_QUOTED;
                break;
            }
            remember_anchor(&b, (const char *)ev.data.scalar.anchor, n, 1);
            attach(&b, n, 1);
            break;
        }
        case YAML_SEQUENCE_START_EVENT: {
            npc_node *n =
                new_node(&b, NPC_NODE_SEQ, ev.start_mark, (const char *)ev.data.sequence_start.tag);
            rc = open_collection(&b, n, (const char *)ev.data.sequence_start.anchor);
            break;
        }
        case YAML_MAPPING_START_EVENT: {
            npc_node *n =
                new_node(&b, NPC_NODE_MAP, ev.start_mark, (const char *)ev.data.mapping_start.tag);
            rc = open_collection(&b, n, (const char *)ev.data.mapping_start.anchor);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = close_collection(&b);
            break;
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
            break;
        }
        yaml_event_delete(&ev);
        if (rc) {
            st = NPC_ERR_INPUT;
            break;
        }
        if (stop)
            break;
    }
    discard_stack(&b);
    npc_vec_free(&b.stack);
    npc_vec_free(&b.kids);
    npc_vec_free(&b.anchors);
    if (b.tree)
        npc_tree_free(b.tree);
    yaml_parser_delete(&parser);
    return st;
}

/* JSON through the fast path when it reads the same; the rest, and every
 * error, through libyaml. */
static npc_status parse_stream(npc_ctx *ctx, const char *file, const char *text, size_t len,
                               npc_tree_fn fn, void *user)
{
    npc_tree *t = npc_json_read(&ctx->limits, file, text, len);
    if (!t)
        return parse_yaml(ctx, file, text, len, fn, user);
    fn(ctx, t, user);
    return NPC_OK;
}

static npc_status read_buffer(npc_ctx *ctx, const char *name, const char *text, size_t len,
                              npc_tree_fn fn, void *user, int json)
{
    const char *file = npc_source_add(ctx, name, text, len);
    if (len > ctx->limits.max_file_bytes) {
        npc_loc where = {file, 0, 0};
        npc_error(ctx, NPC005, where, "input is larger than the limit of %zu bytes",
                  ctx->limits.max_file_bytes);
        return NPC_ERR_INPUT;
    }
    return json ? parse_stream(ctx, file, text, len, fn, user)
                : parse_yaml(ctx, file, text, len, fn, user);
}

npc_status npc_libyaml_read_buffer(npc_ctx *ctx, const char *name, const char *text, size_t len,
                                   npc_tree_fn fn, void *user)
{
    return read_buffer(ctx, name, text, len, fn, user, 0);
}

npc_status npc_yaml_read_buffer(npc_ctx *ctx, const char *name, const char *text, size_t len,
                                npc_tree_fn fn, void *user)
{
    return read_buffer(ctx, name, text, len, fn, user, 1);
}

npc_status npc_yaml_read_file_as(npc_ctx *ctx, const char *path, const char *file, npc_tree_fn fn,
                                 void *user)
{
    size_t len = 0;
    char *text = npc_read_file(ctx, path, &len);
    if (!text)
        return NPC_ERR_IO;
    const char *own = npc_source_add(ctx, path, NULL, 0);
    npc_source_index(ctx, own, text, len);
    npc_status st = parse_stream(ctx, file ? file : own, text, len, fn, user);
    free(text);
    return st;
}

npc_status npc_yaml_read_file(npc_ctx *ctx, const char *path, npc_tree_fn fn, void *user)
{
    return npc_yaml_read_file_as(ctx, path, NULL, fn, user);
}

void npc_tree_free(npc_tree *t)
{
    if (!t)
        return;
    npc_arena_free(t->arena);
    free(t);
}
