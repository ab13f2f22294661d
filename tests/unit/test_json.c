/* The JSON fast path: it reads exactly what libyaml reads (same trees and
 * positions), declines everything else so libyaml reports it with the usual
 * codes, and every input limit holds on both paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netpolc.h"
#include "text/tree.h"
#include "util/buf.h"

typedef struct one_doc {
    npc_tree *t;
    size_t n;
} one_doc;

static int keep_first(npc_ctx *ctx, npc_tree *t, void *user)
{
    one_doc *d = user;
    (void)ctx;
    if (d->n++ == 0)
        d->t = t;
    else
        npc_tree_free(t);
    return 0;
}

/* The tree libyaml alone reads from text (asserting one clean document);
 * its positions name a file that ctx owns, so ctx must outlive it. */
static npc_tree *libyaml_tree(npc_ctx *ctx, const char *text, size_t len)
{
    one_doc d = {NULL, 0};
    assert_int_equal(npc_libyaml_read_buffer(ctx, "t.json", text, len, keep_first, &d), NPC_OK);
    assert_int_equal(npc_diag_count(ctx), 0);
    assert_int_equal(d.n, 1);
    return d.t;
}

static void assert_fast_equals_libyaml(const char *text, size_t len)
{
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    npc_tree *fast = npc_json_read(&lim, "t.json", text, len);
    if (!fast)
        fail_msg("fast path declined: %.60s", text);
    npc_tree *slow = libyaml_tree(ctx, text, len);
    if (!npc_node_same(fast->root, slow->root))
        fail_msg("trees differ: %.60s", text);
    npc_tree_free(fast);
    npc_tree_free(slow);
    npc_ctx_free(ctx);
}

static void test_reads_what_libyaml_reads(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "{}",
        "[]",
        "{\"a\":1}",
        "  \n{\"a\": [1, -2, 3.5, -0.25e-3, 1E+9, 0, true, false, null, \"\"]}\n\n",
        "[{\"k\": {\"x\": {}}}, [[]], [{}], \"s\"]",
        "{\"esc\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac\\u0000end\"}",
        "{\"utf8\": \"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\", \"\xc3\xa9\": {\"n\": 1}}",
        "\xEF\xBB\xBF{\"bom\": 1}",
        "{\r\n  \"crlf\": [\r\n    1,\r\n    \"x\"\r\n  ]\r\n}\r\n",
        "{\r\"cr\": 1}",
        "{\n\t\"tab\":\t1\n}",
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"kind\": \"Namespace\", "
        "\"metadata\": {\"name\": \"a\", \"labels\": {\"x\": \"1\"}}}]}",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        assert_fast_equals_libyaml(inputs[i], strlen(inputs[i]));
    /* a NUL escape and the bytes after it are kept */
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    const char *text = "{\"a\": \"x\\u0000y\"}";
    npc_tree *t = npc_json_read(&lim, "t.json", text, strlen(text));
    assert_non_null(t);
    const npc_node *a = npc_map_get(t->root, "a");
    assert_int_equal(a->u.scalar.len, 3);
    assert_memory_equal(a->u.scalar.s, "x\0y", 3);
    npc_tree_free(t);
    npc_ctx_free(ctx);
}

static void test_positions(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    /* columns count characters, not bytes; CR LF is one line break */
    const char *text = "{\"\xc3\xa9\xc3\xa9\": \"v\",\r\n  \"b\": [true,\n   {\"c\": null}]}";
    npc_tree *t = npc_json_read(&lim, "t.json", text, strlen(text));
    assert_non_null(t);
    const npc_node *root = t->root;
    assert_int_equal(root->line, 1);
    assert_int_equal(root->col, 1);
    assert_int_equal(root->u.map.items[0].key->col, 2);
    assert_int_equal(root->u.map.items[0].value->col, 8);
    const npc_pair *b = &root->u.map.items[1];
    assert_int_equal(b->key->line, 2);
    assert_int_equal(b->key->col, 3);
    assert_int_equal(b->value->kind, NPC_NODE_SEQ);
    assert_int_equal(b->value->col, 8);
    assert_int_equal(b->value->u.seq.items[0]->col, 9);
    const npc_node *c = b->value->u.seq.items[1];
    assert_int_equal(c->line, 3);
    assert_int_equal(c->col, 4);
    assert_int_equal(npc_map_get(c, "c")->col, 10);
    assert_true(npc_node_is_null(npc_map_get(c, "c")));
    assert_int_equal(npc_map_get(c, "c")->style, NPC_STYLE_PLAIN);
    assert_int_equal(root->u.map.items[0].value->style, NPC_STYLE_QUOTED);
    npc_tree_free(t);
    npc_ctx_free(ctx);
}

typedef struct diag_list {
    char text[4096];
} diag_list;

/* Every diagnostic of a reading, formatted (code, position, message). */
static void read_diags(const char *text, size_t len, int fast, const npc_limits *lim,
                       diag_list *out, npc_status *st, size_t *ndocs)
{
    npc_ctx *ctx = npc_ctx_new();
    if (lim)
        npc_ctx_set_limits(ctx, lim);
    one_doc d = {NULL, 0};
    *st = fast ? npc_yaml_read_buffer(ctx, "t.json", text, len, keep_first, &d)
               : npc_libyaml_read_buffer(ctx, "t.json", text, len, keep_first, &d);
    npc_buf b = NPC_BUF_INIT;
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &b);
    snprintf(out->text, sizeof out->text, "%s", npc_buf_cstr(&b));
    npc_buf_free(&b);
    *ndocs = d.n;
    npc_tree_free(d.t);
    npc_ctx_free(ctx);
}

/* The fast path declines, and the reader reports what libyaml reports. */
static void assert_declined(const char *text, size_t len, const npc_limits *lim, const char *code)
{
    npc_ctx *ctx = npc_ctx_new();
    npc_limits l = lim ? *lim : npc_ctx_limits(ctx);
    npc_tree *t = npc_json_read(&l, "t.json", text, len);
    if (t)
        fail_msg("fast path read it: %.60s", text);
    npc_ctx_free(ctx);
    diag_list a, b;
    npc_status sa, sb;
    size_t na, nb;
    read_diags(text, len, 1, lim, &a, &sa, &nb);
    read_diags(text, len, 0, lim, &b, &sb, &na);
    assert_int_equal(sa, sb);
    assert_int_equal(na, nb);
    assert_string_equal(a.text, b.text);
    if (code) {
        if (sa != NPC_ERR_INPUT)
            fail_msg("expected an error for %.60s", text);
        if (!strstr(a.text, code))
            fail_msg("expected %s for %.60s, got: %s", code, text, a.text);
    }
}

static void test_declines_and_libyaml_reports(void **state)
{
    (void)state;
    static const struct {
        const char *text, *code;
    } cases[] = {
        {"{\"a\": 1,}", NULL},                     /* trailing comma: YAML flow takes it */
        {"{\"a\": 1 \"b\": 2}", "NPC001"},         /* missing comma */
        {"[1, 2", "NPC001"},                       /* unclosed */
        {"{\"a\": 1}}", "NPC001"},                 /* stray bracket */
        {"{\"a\": 1, \"a\": 2}", "NPC008"},        /* duplicate key */
        {"{\"a\": \"x\xff\"}", "NPC009"},          /* invalid UTF-8 */
        {"{\"a\": \"\xc0\xaf\"}", "NPC009"},       /* overlong */
        {"{\"a\": \"\x01\"}", "NPC009"},           /* control character */
        {"\t{\"a\": 1}", "NPC001"},                /* tab before the value */
        {"{\"a\": \"\\ud83d\\ude00\"}", "NPC001"}, /* surrogate escapes */
        {"{\"a\": \"\\x41\"}", NULL},              /* a YAML-only escape */
        {"{\"a\": 01, \"b\": tru}", NULL},         /* not JSON literals: plain scalars */
        {"{\"a\": 1} # comment\n", NULL},          /* YAML, not JSON */
        {"{\"a\"\n: 1}", NULL},                    /* key and colon on two lines */
        {"{\"a\": \"line\nbreak\"}", NULL},        /* raw break: libyaml folds it */
        {"{\"a\": \"\xe2\x80\xa8\"}", NULL},       /* LS is a YAML line break */
        {"[1]\n[2]\n", "NPC001"},                  /* two values */
        {"{a: 1, b: [x, y]}", NULL},               /* YAML flow */
        {"[\"a\": 1]", NULL},                      /* YAML single-pair mapping */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_declined(cases[i].text, strlen(cases[i].text), NULL, cases[i].code);
    /* a NUL byte in the text */
    assert_declined("{\"a\": 1}\0", 9, NULL, "NPC009");
    /* a key longer than libyaml's simple keys */
    char key[1300];
    memset(key, 'k', sizeof key);
    memcpy(key, "{\"", 2);
    memcpy(key + sizeof key - 6, "\": 1}", 6);
    assert_declined(key, strlen(key), NULL, NULL);
}

static void test_limits_hold(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    npc_ctx_free(ctx);
    /* depth: nesting past max_depth is NPC003 on the JSON path too */
    char deep[256] = "";
    for (int i = 0; i < 30; i++)
        strcat(deep, "[");
    for (int i = 0; i < 30; i++)
        strcat(deep, "]");
    lim.max_depth = 10;
    assert_declined(deep, strlen(deep), &lim, "NPC003");
    lim.max_depth = 64;
    assert_fast_equals_libyaml(deep, strlen(deep));
    /* size: the file limit comes first */
    lim.max_file_bytes = 8;
    diag_list a;
    npc_status st;
    size_t n;
    read_diags("{\"a\": [1, 2, 3]}", 16, 1, &lim, &a, &st, &n);
    assert_int_equal(st, NPC_ERR_INPUT);
    assert_non_null(strstr(a.text, "NPC005"));
    assert_int_equal(n, 0);
    /* duplicate keys in a big mapping (sorted check) are still NPC008 */
    npc_buf b = NPC_BUF_INIT;
    npc_buf_append(&b, "{", 1);
    for (int i = 0; i < 200; i++)
        npc_buf_printf(&b, "\"k%d\": %d, ", i % 150 == 149 ? 3 : i, i);
    npc_buf_append(&b, "\"end\": 0}", 9);
    assert_declined(npc_buf_cstr(&b), b.len, NULL, "NPC008");
    npc_buf_free(&b);
}

static void test_big_list(void **state)
{
    (void)state;
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    for (int i = 0; i < 3000; i++)
        npc_buf_printf(&b,
                       "%s        {\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": "
                       "{\"name\": \"ns-%d\", \"labels\": {\"team\": \"t%d\", \"n\": \"%d\"}}}",
                       i ? ",\n" : "", i, i % 7, i);
    npc_buf_printf(&b, "\n    ],\n    \"kind\": \"List\"\n}\n");
    assert_fast_equals_libyaml(npc_buf_cstr(&b), b.len);
    npc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_what_libyaml_reads),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_declines_and_libyaml_reports),
        cmocka_unit_test(test_limits_hold),
        cmocka_unit_test(test_big_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
