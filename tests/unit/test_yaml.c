/* The YAML/JSON front end: documents, positions, scalar typing, limits and
 * hostile input, and the diagnostics printer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netpolc.h"
#include "text/tree.h"
#include "util/buf.h"

enum { MAX_DOCS = 16 };

typedef struct docs {
    npc_tree *t[MAX_DOCS];
    size_t n;
    size_t stop_after; /* 0: never */
} docs;

static int collect(npc_ctx *ctx, npc_tree *t, void *user)
{
    docs *d = user;
    (void)ctx;
    if (d->n < MAX_DOCS)
        d->t[d->n++] = t;
    else
        npc_tree_free(t);
    return d->stop_after && d->n >= d->stop_after;
}

static void docs_free(docs *d)
{
    for (size_t i = 0; i < d->n; i++)
        npc_tree_free(d->t[i]);
    d->n = 0;
}

static npc_status read_str(npc_ctx *ctx, docs *d, const char *text)
{
    return npc_yaml_read_buffer(ctx, "test.yaml", text, strlen(text), collect, d);
}

/* Number of diagnostics carrying code. */
static size_t count_code(const npc_ctx *ctx, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < npc_diag_count(ctx); i++)
        if (strcmp(npc_diag_get(ctx, i)->code, code) == 0)
            n++;
    return n;
}

static const npc_diag *first_diag(const npc_ctx *ctx, const char *code)
{
    for (size_t i = 0; i < npc_diag_count(ctx); i++)
        if (strcmp(npc_diag_get(ctx, i)->code, code) == 0)
            return npc_diag_get(ctx, i);
    return NULL;
}

static void assert_str_node(const npc_node *n, const char *s)
{
    assert_non_null(n);
    assert_int_equal(n->kind, NPC_NODE_SCALAR);
    assert_int_equal(n->u.scalar.len, strlen(s));
    assert_memory_equal(n->u.scalar.s, s, strlen(s));
    assert_int_equal(n->u.scalar.s[n->u.scalar.len], '\0');
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * times + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * times, tail, tl + 1);
    return s;
}

/* ------------------------------------------------------------ documents */

static void test_multi_document_stream(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    const char *text = "apiVersion: v1\nkind: Namespace\n---\nkind: Pod\n...\n---\n- a\n- b\n";
    assert_int_equal(read_str(ctx, &d, text), NPC_OK);
    assert_int_equal(npc_diag_count(ctx), 0);
    assert_int_equal(d.n, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(d.t[i]->index, i);
        assert_string_equal(d.t[i]->file, "test.yaml");
    }
    assert_int_equal(d.t[0]->root->kind, NPC_NODE_MAP);
    assert_str_node(npc_map_get(d.t[0]->root, "kind"), "Namespace");
    assert_str_node(npc_map_get(d.t[1]->root, "kind"), "Pod");
    assert_int_equal(d.t[1]->root->line, 4);
    assert_int_equal(d.t[2]->root->kind, NPC_NODE_SEQ);
    assert_int_equal(d.t[2]->root->u.seq.len, 2);
    assert_str_node(d.t[2]->root->u.seq.items[1], "b");
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void test_callback_stops_stream(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    d.stop_after = 1;
    assert_int_equal(read_str(ctx, &d, "a: 1\n---\nb: 2\n---\n[unclosed\n"), NPC_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(npc_error_count(ctx), 0);
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void test_empty_documents(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    /* nothing, and comments only: a stream without documents */
    assert_int_equal(read_str(ctx, &d, ""), NPC_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(read_str(ctx, &d, "# only a comment\n\n"), NPC_OK);
    assert_int_equal(d.n, 0);
    /* `---` only: one document whose root is null */
    assert_int_equal(read_str(ctx, &d, "---\n"), NPC_OK);
    assert_int_equal(d.n, 1);
    assert_true(npc_node_is_null(d.t[0]->root));
    assert_string_equal(npc_node_type_name(d.t[0]->root), "null");
    docs_free(&d);
    /* empty documents between separators are still documents, in order */
    assert_int_equal(read_str(ctx, &d, "---\n---\na: 1\n---\n...\n"), NPC_OK);
    assert_int_equal(d.n, 3);
    assert_true(npc_node_is_null(d.t[0]->root));
    assert_int_equal(d.t[1]->root->kind, NPC_NODE_MAP);
    assert_int_equal(d.t[1]->index, 1);
    assert_true(npc_node_is_null(d.t[2]->root));
    assert_int_equal(npc_diag_count(ctx), 0);
    docs_free(&d);
    npc_ctx_free(ctx);
}

/* ------------------------------------------------------------------ JSON */

static void test_json_escapes(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    const char *text = "{\n  \"path\": \"a\\/b\",\n  \"name\": \"caf\\u00e9\",\n"
                       "  \"tab\": \"x\\ty\",\n  \"quote\": \"say \\\"hi\\\"\",\n"
                       "  \"nul\": \"a\\u0000b\"\n}\n";
    assert_int_equal(read_str(ctx, &d, text), NPC_OK);
    assert_int_equal(d.n, 1);
    const npc_node *root = d.t[0]->root;
    assert_str_node(npc_map_get(root, "path"), "a/b");
    assert_str_node(npc_map_get(root, "name"), "caf\xc3\xa9");
    assert_str_node(npc_map_get(root, "tab"), "x\ty");
    assert_str_node(npc_map_get(root, "quote"), "say \"hi\"");
    /* an escaped NUL stays inside the scalar: len counts it */
    const npc_node *nul = npc_map_get(root, "nul");
    assert_non_null(nul);
    assert_int_equal(nul->u.scalar.len, 3);
    assert_memory_equal(nul->u.scalar.s, "a\0b", 3);
    assert_true(npc_node_is_string(nul));
    assert_int_equal(npc_map_get(root, "path")->style, NPC_STYLE_QUOTED);
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void test_json_minified(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    const char *text = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\","
                       "\"metadata\":{\"name\":\"p\",\"labels\":{\"app\":\"web\"}},"
                       "\"spec\":{\"replicas\":3,\"paused\":false,\"x\":null,\"f\":1.5}}]}";
    assert_int_equal(read_str(ctx, &d, text), NPC_OK);
    assert_int_equal(npc_diag_count(ctx), 0);
    assert_int_equal(d.n, 1);
    const npc_node *items = npc_map_get(d.t[0]->root, "items");
    assert_non_null(items);
    assert_int_equal(items->kind, NPC_NODE_SEQ);
    const npc_node *pod = items->u.seq.items[0];
    assert_str_node(npc_map_get(npc_map_get(npc_map_get(pod, "metadata"), "labels"), "app"), "web");
    const npc_node *spec = npc_map_get(pod, "spec");
    long long i = 0;
    int b = 1;
    assert_true(npc_node_get_int(npc_map_get(spec, "replicas"), &i));
    assert_int_equal(i, 3);
    assert_true(npc_node_get_bool(npc_map_get(spec, "paused"), &b));
    assert_int_equal(b, 0);
    assert_true(npc_node_is_null(npc_map_get(spec, "x")));
    assert_string_equal(npc_node_type_name(npc_map_get(spec, "f")), "number");
    /* positions on one long line: columns count from the line start */
    const npc_node *kind = npc_map_get(d.t[0]->root, "kind");
    assert_int_equal(kind->line, 1);
    assert_int_equal(kind->col, (uint32_t)(strstr(text, "\"List\"") - text) + 1);
    docs_free(&d);
    npc_ctx_free(ctx);
}

/* ------------------------------------------------------------- positions */

static void test_positions(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    const char *text = "apiVersion: v1\n"
                       "kind: Pod\n"
                       "metadata:\n"
                       "  name: web\n"
                       "  labels:\n"
                       "    app: \"web\"\n"
                       "spec:\n"
                       "  ports:\n"
                       "  - 80\n"
                       "  -   443\n";
    assert_int_equal(read_str(ctx, &d, text), NPC_OK);
    const npc_node *root = d.t[0]->root;
    assert_int_equal(root->line, 1);
    assert_int_equal(root->col, 1);
    npc_pair *p = npc_map_get_pair(npc_map_get(root, "metadata"), "name");
    assert_non_null(p);
    assert_int_equal(p->key->line, 4);
    assert_int_equal(p->key->col, 3);
    assert_int_equal(p->value->line, 4);
    assert_int_equal(p->value->col, 9);
    const npc_node *app = npc_map_get(npc_map_get(npc_map_get(root, "metadata"), "labels"), "app");
    assert_int_equal(app->line, 6);
    assert_int_equal(app->col, 10); /* the opening quote */
    const npc_node *ports = npc_map_get(npc_map_get(root, "spec"), "ports");
    assert_int_equal(ports->kind, NPC_NODE_SEQ);
    assert_int_equal(ports->line, 9);
    assert_int_equal(ports->u.seq.items[1]->line, 10);
    assert_int_equal(ports->u.seq.items[1]->col, 7);
    npc_loc l = npc_node_loc(ports->u.seq.items[1]);
    assert_string_equal(l.file, "test.yaml");
    assert_int_equal(l.line, 10);
    assert_int_equal(l.col, 7);
    l = npc_node_loc(NULL);
    assert_null(l.file);
    assert_int_equal(l.line, 0);
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    assert_int_equal(read_str(ctx, &d,
                              "\xEF\xBB\xBF"
                              "a: 1\nb: two\n"),
                     NPC_OK);
    assert_int_equal(d.n, 1);
    npc_pair *a = npc_map_get_pair(d.t[0]->root, "a");
    assert_non_null(a); /* the BOM is not part of the first key */
    assert_int_equal(a->key->line, 1);
    assert_int_equal(a->key->col, 1);
    assert_str_node(npc_map_get(d.t[0]->root, "b"), "two");
    docs_free(&d);

    assert_int_equal(read_str(ctx, &d, "a: 1\r\nb: x\r\nc: |\r\n  l1\r\n  l2\r\n"), NPC_OK);
    assert_int_equal(d.n, 1);
    npc_pair *b = npc_map_get_pair(d.t[0]->root, "b");
    assert_non_null(b);
    assert_str_node(b->value, "x"); /* no trailing \r */
    assert_int_equal(b->key->line, 2);
    assert_int_equal(b->value->col, 4);
    const npc_node *c = npc_map_get(d.t[0]->root, "c");
    assert_str_node(c, "l1\nl2\n"); /* line breaks normalised */
    assert_int_equal(c->style, NPC_STYLE_BLOCK);
    assert_int_equal(npc_diag_count(ctx), 0);
    docs_free(&d);
    npc_ctx_free(ctx);
}

/* -------------------------------------------------------- typed scalars */

static void test_typed_scalars(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    const char *text = "qt: \"true\"\n"
                       "pt: true\n"
                       "pT: True\n"
                       "pf: FALSE\n"
                       "yes: yes\n"
                       "n1: null\n"
                       "n2: ~\n"
                       "n3:\n"
                       "n4: NULL\n"
                       "qn: 'null'\n"
                       "tn: !!null x\n"
                       "i1: 42\n"
                       "i2: -7\n"
                       "i3: +5\n"
                       "qi: \"42\"\n"
                       "big: 99999999999999999999\n"
                       "fl: 1.5e3\n"
                       "ts: !!str true\n"
                       "ver: 1.2.3\n"
                       "blk: |\n  true\n";
    assert_int_equal(read_str(ctx, &d, text), NPC_OK);
    const npc_node *r = d.t[0]->root;
    int b = -1;
    long long i = 0;

    assert_false(npc_node_get_bool(npc_map_get(r, "qt"), &b));
    assert_true(npc_node_is_string(npc_map_get(r, "qt")));
    assert_string_equal(npc_node_type_name(npc_map_get(r, "qt")), "string");

    assert_true(npc_node_get_bool(npc_map_get(r, "pt"), &b));
    assert_int_equal(b, 1);
    assert_false(npc_node_is_string(npc_map_get(r, "pt")));
    assert_string_equal(npc_node_type_name(npc_map_get(r, "pt")), "boolean");
    assert_true(npc_node_get_bool(npc_map_get(r, "pT"), &b));
    assert_int_equal(b, 1);
    assert_true(npc_node_get_bool(npc_map_get(r, "pf"), &b));
    assert_int_equal(b, 0);
    /* YAML 1.1 yes/no are strings in the core schema Kubernetes uses */
    assert_false(npc_node_get_bool(npc_map_get(r, "yes"), &b));
    assert_true(npc_node_is_string(npc_map_get(r, "yes")));

    const char *nulls[] = {"n1", "n2", "n3", "n4", "tn"};
    for (size_t k = 0; k < sizeof nulls / sizeof *nulls; k++) {
        assert_non_null(npc_map_get_pair(r, nulls[k]));
        assert_true(npc_node_is_null(npc_map_get(r, nulls[k])));
        assert_false(npc_node_is_scalar(npc_map_get(r, nulls[k])));
        assert_string_equal(npc_node_type_name(npc_map_get(r, nulls[k])), "null");
    }
    assert_true(npc_node_is_null(npc_map_get(r, "absent")));
    assert_false(npc_node_is_null(npc_map_get(r, "qn")));
    assert_true(npc_node_is_string(npc_map_get(r, "qn")));

    assert_true(npc_node_get_int(npc_map_get(r, "i1"), &i));
    assert_int_equal(i, 42);
    assert_true(npc_node_get_int(npc_map_get(r, "i2"), &i));
    assert_int_equal(i, -7);
    assert_true(npc_node_get_int(npc_map_get(r, "i3"), &i));
    assert_int_equal(i, 5);
    assert_string_equal(npc_node_type_name(npc_map_get(r, "i1")), "integer");
    assert_false(npc_node_get_int(npc_map_get(r, "qi"), &i));
    assert_true(npc_node_is_string(npc_map_get(r, "qi")));
    assert_false(npc_node_get_int(npc_map_get(r, "big"), &i)); /* out of range */
    assert_false(npc_node_get_int(npc_map_get(r, "fl"), &i));
    assert_string_equal(npc_node_type_name(npc_map_get(r, "fl")), "number");
    assert_false(npc_node_get_bool(npc_map_get(r, "ts"), &b));
    assert_true(npc_node_is_string(npc_map_get(r, "ts")));
    assert_string_equal(npc_map_get(r, "ts")->tag, "tag:yaml.org,2002:str");
    assert_true(npc_node_is_string(npc_map_get(r, "ver")));
    assert_false(npc_node_get_bool(npc_map_get(r, "blk"), &b));
    assert_true(npc_node_is_string(npc_map_get(r, "blk")));

    assert_true(npc_node_scalar_eq(npc_map_get(r, "qt"), "true"));
    assert_false(npc_node_scalar_eq(npc_map_get(r, "qt"), "tru"));
    assert_false(npc_node_scalar_eq(r, "true"));
    assert_string_equal(npc_node_type_name(r), "mapping");
    assert_null(npc_map_get(npc_map_get(r, "qt"), "x")); /* not a mapping */
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void test_aliases_share_nodes(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    assert_int_equal(read_str(ctx, &d, "base: &b {app: web}\ncopy: *b\nlist: [*b, *b]\n"), NPC_OK);
    const npc_node *r = d.t[0]->root;
    assert_ptr_equal(npc_map_get(r, "base"), npc_map_get(r, "copy"));
    assert_ptr_equal(npc_map_get(r, "list")->u.seq.items[1], npc_map_get(r, "base"));
    docs_free(&d);
    /* anchors do not cross documents */
    assert_int_equal(read_str(ctx, &d, "a: &x 1\n---\nb: *x\n"), NPC_ERR_INPUT);
    assert_int_equal(d.n, 1);
    assert_int_equal(count_code(ctx, "NPC006"), 1);
    docs_free(&d);
    npc_ctx_free(ctx);
}

/* ------------------------------------------------------- bad input */

static void test_duplicate_keys(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    assert_int_equal(read_str(ctx, &d, "ok: 1\n---\nmetadata:\n  name: a\n  name: b\n---\nc: 3\n"),
                     NPC_ERR_INPUT);
    /* the broken document is dropped; the others are delivered */
    assert_int_equal(d.n, 2);
    assert_non_null(npc_map_get(d.t[1]->root, "c"));
    const npc_diag *dg = first_diag(ctx, "NPC008");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 5);
    assert_int_equal(dg->loc[0].col, 3);
    assert_non_null(strstr(dg->message, "'name'"));
    /* the first occurrence is the related position */
    int found = 0;
    for (unsigned k = 1; k < dg->nloc; k++)
        if (dg->loc[k].file && dg->loc[k].line == 4 && dg->loc[k].col == 3)
            found = 1;
    assert_true(found);
    docs_free(&d);
    npc_ctx_free(ctx);

    /* JSON, and a mapping bigger than the quadratic check's cut-off */
    ctx = npc_ctx_new();
    assert_int_equal(read_str(ctx, &d, "{\"a\": 1, \"b\": 2, \"a\": 3}"), NPC_ERR_INPUT);
    assert_int_equal(count_code(ctx, "NPC008"), 1);
    assert_int_equal(d.n, 0);
    npc_diags_clear(ctx);
    npc_buf big = NPC_BUF_INIT;
    for (int k = 0; k < 200; k++)
        npc_buf_printf(&big, "k%03d: %d\n", k, k);
    npc_buf_printf(&big, "k150: again\nk007: again\n");
    assert_int_equal(read_str(ctx, &d, npc_buf_cstr(&big)), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    assert_int_equal(count_code(ctx, "NPC008"), 2);
    /* reported in source order, each pointing back at the first */
    dg = first_diag(ctx, "NPC008");
    assert_int_equal(dg->loc[0].line, 201);
    assert_non_null(strstr(dg->message, "'k150'"));
    assert_int_equal(dg->loc[dg->nloc - 1].line, 151);
    npc_buf_free(&big);
    /* distinct keys that share a prefix or differ in length are fine */
    npc_diags_clear(ctx);
    npc_buf ok = NPC_BUF_INIT;
    for (int k = 0; k < 100; k++)
        npc_buf_printf(&ok, "k%d: 1\nk%d0: 2\n", k, k + 1000);
    assert_int_equal(read_str(ctx, &d, npc_buf_cstr(&ok)), NPC_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.t[0]->root->u.map.len, 200);
    npc_buf_free(&ok);
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void test_billion_laughs(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    const char *text =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    assert_int_equal(read_str(ctx, &d, text), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    const npc_diag *dg = first_diag(ctx, "NPC004");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 7); /* 9^6 > 1,000,000 at the g line */
    docs_free(&d);

    /* a lower limit trips earlier */
    npc_diags_clear(ctx);
    npc_limits lim = npc_ctx_limits(ctx);
    lim.max_alias_nodes = 100;
    npc_ctx_set_limits(ctx, &lim);
    assert_int_equal(read_str(ctx, &d, text), NPC_ERR_INPUT);
    dg = first_diag(ctx, "NPC004");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 3);
    docs_free(&d);
    npc_ctx_free(ctx);
}

static void check_deep(const char *unit, size_t levels, const char *tail)
{
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    char *text = repeat(unit, levels, tail);
    assert_int_equal(read_str(ctx, &d, text), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    const npc_diag *dg = first_diag(ctx, "NPC003");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 1);
    assert_int_equal(count_code(ctx, "NPC003"), 1);
    free(text);
    npc_ctx_free(ctx);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    check_deep("[", 10000, "");
    check_deep("{", 10000, "");
    check_deep("{\"a\":", 10000, "1");
    char *closed = repeat("[", 10000, "");
    char *close = repeat("]", 10000, "");
    size_t n = strlen(closed);
    closed = realloc(closed, 2 * n + 1);
    memcpy(closed + n, close, n + 1);
    free(close);
    check_deep(closed, 1, "");
    free(closed);

    /* nesting within the limit is fine; the limit is configurable */
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    char *ok = repeat("[", 100, "");
    char *okc = repeat("]", 100, "");
    npc_buf b = NPC_BUF_INIT;
    npc_buf_puts(&b, ok);
    npc_buf_puts(&b, okc);
    assert_int_equal(read_str(ctx, &d, npc_buf_cstr(&b)), NPC_OK);
    assert_int_equal(d.n, 1);
    docs_free(&d);
    npc_limits lim = npc_ctx_limits(ctx);
    lim.max_depth = 10;
    npc_ctx_set_limits(ctx, &lim);
    assert_int_equal(read_str(ctx, &d, npc_buf_cstr(&b)), NPC_ERR_INPUT);
    assert_int_equal(count_code(ctx, "NPC003"), 1);
    assert_int_equal(d.n, 0);
    npc_buf_free(&b);
    free(ok);
    free(okc);
    npc_ctx_free(ctx);
}

static void test_file_size_limit(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    npc_limits lim = npc_ctx_limits(ctx);
    assert_int_equal(lim.max_file_bytes, (size_t)256 << 20);
    lim.max_file_bytes = 64;
    npc_ctx_set_limits(ctx, &lim);
    char *text = repeat("- value\n", 10, "");
    assert_int_equal(read_str(ctx, &d, text), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    assert_int_equal(count_code(ctx, "NPC005"), 1);

    /* the same through a file */
    char path[] = "/tmp/npc_test_yaml_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    npc_diags_clear(ctx);
    assert_int_not_equal(npc_yaml_read_file(ctx, path, collect, &d), NPC_OK);
    assert_int_equal(d.n, 0);
    const npc_diag *dg = first_diag(ctx, "NPC005");
    assert_non_null(dg);
    assert_string_equal(dg->loc[0].file, path);

    /* raising the limit lets it through */
    lim.max_file_bytes = 4096;
    npc_ctx_set_limits(ctx, &lim);
    npc_diags_clear(ctx);
    assert_int_equal(npc_yaml_read_file(ctx, path, collect, &d), NPC_OK);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.t[0]->root->file, path);
    unlink(path);
    free(text);
    docs_free(&d);

    /* a missing file */
    npc_diags_clear(ctx);
    assert_int_equal(npc_yaml_read_file(ctx, "/nonexistent/netpolc.yaml", collect, &d), NPC_ERR_IO);
    assert_int_equal(count_code(ctx, "NPC002"), 1);
    npc_ctx_free(ctx);
}

static void test_truncated_input(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint32_t line, col;
    } cases[] = {
        {"{\"a\": [1, 2", 1, 12},
        {"a: \"unterminated\nb: 1\n", 2, 5},
        {"a:\n  - [x, y\n", 2, 10},
        {"{\"a\": 1,\n \"b\": {\n", 2, 8},
        /* marks count characters: a multi-byte one before the end */
        {"{\"a\": \"caf\xc3\xa9\", \"b\": [1", 1, 22},
        {"\xef\xbb\xbfk: [1", 1, 6},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        npc_ctx *ctx = npc_ctx_new();
        docs d = {0};
        assert_int_equal(read_str(ctx, &d, cases[k].text), NPC_ERR_INPUT);
        assert_int_equal(d.n, 0);
        const npc_diag *dg = first_diag(ctx, "NPC001");
        assert_non_null(dg);
        /* the end of input is shown on the last line, not past it */
        assert_int_equal(dg->loc[0].line, cases[k].line);
        assert_int_equal(dg->loc[0].col, cases[k].col);
        /* so is the related position (where the collection opened) */
        for (unsigned j = 1; j < dg->nloc; j++)
            assert_true(dg->loc[j].line <= cases[k].line);
        npc_ctx_free(ctx);
    }
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    assert_int_equal(read_str(ctx, &d, "a: b\nc: d\xff\xfe\n"), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    const npc_diag *dg = first_diag(ctx, "NPC009");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 2);
    assert_int_equal(dg->loc[0].col, 5);
    assert_int_equal(count_code(ctx, "NPC001"), 0);
    npc_diags_clear(ctx);
    /* a truncated multi-byte sequence; columns count characters */
    assert_int_equal(read_str(ctx, &d, "k: \xc3\xa9\xc3"), NPC_ERR_INPUT);
    dg = first_diag(ctx, "NPC009");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 1);
    assert_int_equal(dg->loc[0].col, 5);
    npc_ctx_free(ctx);
}

static void test_unknown_alias(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    assert_int_equal(read_str(ctx, &d, "a: 1\nb: *nope\n"), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    const npc_diag *dg = first_diag(ctx, "NPC006");
    assert_non_null(dg);
    assert_int_equal(dg->loc[0].line, 2);
    assert_int_equal(dg->loc[0].col, 4);
    assert_non_null(strstr(dg->message, "*nope"));
    npc_diags_clear(ctx);
    /* an anchor is not visible inside its own collection (no cycles) */
    assert_int_equal(read_str(ctx, &d, "a: &s [1, *s]\n"), NPC_ERR_INPUT);
    assert_int_equal(count_code(ctx, "NPC006"), 1);
    npc_ctx_free(ctx);
}

static void test_error_limit(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    lim.max_errors = 3;
    npc_ctx_set_limits(ctx, &lim);
    docs d = {0};
    npc_buf b = NPC_BUF_INIT;
    for (int k = 0; k < 10; k++)
        npc_buf_printf(&b, "---\nx: %d\nx: %d\n", k, k);
    assert_int_equal(read_str(ctx, &d, npc_buf_cstr(&b)), NPC_ERR_INPUT);
    assert_int_equal(d.n, 0);
    assert_int_equal(npc_error_count(ctx), 3);
    assert_int_equal(count_code(ctx, "NPC008"), 3);
    assert_int_equal(count_code(ctx, "NPC007"), 1);
    npc_buf_free(&b);
    npc_ctx_free(ctx);
}

/* -------------------------------------------------------------- printer */

static void test_diagnostic_printer(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    docs d = {0};
    assert_int_equal(read_str(ctx, &d, "kind: Pod\nmetadata: {name: x\nspec: {}\n"), NPC_ERR_INPUT);
    assert_int_equal(npc_diag_count(ctx), 1);
    const npc_diag *dg = npc_diag_get(ctx, 0);
    npc_buf out = NPC_BUF_INIT;
    npc_diag_format(ctx, dg, 0, &out);
    char expect[512];
    snprintf(expect, sizeof expect,
             "test.yaml:%u:%u: error[NPC001]: %s\n"
             "    spec: {}\n"
             "    %*s^\n",
             dg->loc[0].line, dg->loc[0].col, dg->message, (int)dg->loc[0].col - 1, "");
    assert_int_equal(dg->loc[0].line, 3);
    assert_int_equal(dg->loc[0].col, 5);
    assert_non_null(strstr(dg->message, "while parsing a flow mapping"));
    /* the context mark (where the mapping opened) is the related position */
    assert_int_equal(dg->loc[dg->nloc - 1].line, 2);
    assert_int_equal(dg->loc[dg->nloc - 1].col, 11);
    assert_true(strncmp(npc_buf_cstr(&out), expect, strlen(expect)) == 0);
    assert_non_null(strstr(npc_buf_cstr(&out), "test.yaml:2:11: note: related position\n"));
    npc_buf_free(&out);

    /* colour wraps the severity only; npc_diags_format prints all */
    npc_diags_format(ctx, NPC_SEV_NOTE, 1, &out);
    assert_non_null(strstr(npc_buf_cstr(&out), "\033[1;31merror[NPC001]\033[0m: "));
    npc_buf_free(&out);

    /* errors at the end of input show the last line, caret after it */
    npc_diags_clear(ctx);
    assert_int_equal(read_str(ctx, &d, "a:\n  - [x, y\n"), NPC_ERR_INPUT);
    npc_diag_format(ctx, npc_diag_get(ctx, 0), 0, &out);
    assert_non_null(strstr(npc_buf_cstr(&out), "test.yaml:2:10: error[NPC001]: "));
    assert_non_null(strstr(npc_buf_cstr(&out), "\n      - [x, y\n             ^\n"));
    npc_buf_free(&out);

    /* a diagnostic about a file shows the line read back from the file */
    char path[] = "/tmp/npc_test_yaml_XXXXXX";
    int fd = mkstemp(path);
    const char *text = "a: 1\nb: *missing\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    npc_diags_clear(ctx);
    assert_int_equal(npc_yaml_read_file(ctx, path, collect, &d), NPC_ERR_INPUT);
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &out);
    char want[256];
    snprintf(want, sizeof want,
             "%s:2:4: error[NPC006]: unknown alias '*missing'\n    b: *missing\n       ^\n", path);
    assert_string_equal(npc_buf_cstr(&out), want);
    npc_buf_free(&out);
    unlink(path);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_document_stream), cmocka_unit_test(test_callback_stops_stream),
        cmocka_unit_test(test_empty_documents),       cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_minified),         cmocka_unit_test(test_positions),
        cmocka_unit_test(test_bom_and_crlf),          cmocka_unit_test(test_typed_scalars),
        cmocka_unit_test(test_aliases_share_nodes),   cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_billion_laughs),        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_file_size_limit),       cmocka_unit_test(test_truncated_input),
        cmocka_unit_test(test_invalid_utf8),          cmocka_unit_test(test_unknown_alias),
        cmocka_unit_test(test_error_limit),           cmocka_unit_test(test_diagnostic_printer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
