/* Label selectors: parsing (matchLabels, matchExpressions, errors with
 * codes) and matching against label sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/ir.h"
#include "netpolc.h"
#include "text/tree.h"
#include "util/buf.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
    npc_tree *tree;
} fixture;

static int keep(npc_ctx *ctx, npc_tree *t, void *user)
{
    (void)ctx;
    fixture *f = user;
    f->tree = t;
    return 1;
}

static const npc_node *parse(fixture *f, const char *text)
{
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    f->tree = NULL;
    assert_int_equal(npc_yaml_read_buffer(f->ctx, "s.yaml", text, strlen(text), keep, f), NPC_OK);
    assert_non_null(f->tree);
    return f->tree->root;
}

static void done(fixture *f)
{
    npc_tree_free(f->tree);
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

/* A label set from a YAML flow mapping such as "{app: web}". */
static npc_labels labels(fixture *f, const char *text)
{
    npc_tree *saved = f->tree;
    f->tree = NULL;
    assert_int_equal(npc_yaml_read_buffer(f->ctx, "l.yaml", text, strlen(text), keep, f), NPC_OK);
    npc_labels ls;
    assert_true(npc_parse_labels(f->c, f->tree->root, &ls));
    npc_tree_free(f->tree);
    f->tree = saved;
    return ls;
}

static int first_code_is(fixture *f, const char *code)
{
    return npc_diag_count(f->ctx) > 0 && strcmp(npc_diag_get(f->ctx, 0)->code, code) == 0;
}

static void test_match_labels(void **state)
{
    (void)state;
    fixture f;
    npc_selector s;
    const npc_node *n = parse(&f, "matchLabels: {app: web, tier: front}\n");
    assert_true(npc_parse_selector(f.c, n, &s));
    assert_int_equal(s.nexprs, 2);
    npc_labels a = labels(&f, "{app: web, tier: front, x: y}");
    npc_labels b = labels(&f, "{app: web}");
    assert_true(npc_selector_matches(&s, &a));
    assert_false(npc_selector_matches(&s, &b));
    done(&f);
}

static void test_empty_selector_matches_all(void **state)
{
    (void)state;
    fixture f;
    const npc_node *n = parse(&f, "{}\n");
    npc_selector s;
    assert_true(npc_parse_selector(f.c, n, &s));
    assert_true(npc_selector_is_empty(&s));
    npc_labels none = {NULL, 0};
    assert_true(npc_selector_matches(&s, &none));
    done(&f);
}

static void test_match_expressions(void **state)
{
    (void)state;
    fixture f;
    const npc_node *n = parse(&f, "matchExpressions:\n"
                                  "- {key: app, operator: In, values: [web, api]}\n"
                                  "- {key: env, operator: NotIn, values: [dev]}\n"
                                  "- {key: team, operator: Exists}\n"
                                  "- {key: legacy, operator: DoesNotExist}\n");
    npc_selector s;
    assert_true(npc_parse_selector(f.c, n, &s));
    assert_int_equal(s.nexprs, 4);
    npc_labels ok1 = labels(&f, "{app: api, team: t}");
    npc_labels ok2 = labels(&f, "{app: web, team: t, env: prod}");
    npc_labels bad1 = labels(&f, "{app: web, team: t, env: dev}");
    npc_labels bad2 = labels(&f, "{app: web}");
    npc_labels bad3 = labels(&f, "{app: web, team: t, legacy: yes}");
    npc_labels bad4 = labels(&f, "{app: db, team: t}");
    assert_true(npc_selector_matches(&s, &ok1));
    assert_true(npc_selector_matches(&s, &ok2));
    assert_false(npc_selector_matches(&s, &bad1));
    assert_false(npc_selector_matches(&s, &bad2));
    assert_false(npc_selector_matches(&s, &bad3));
    assert_false(npc_selector_matches(&s, &bad4));
    done(&f);
}

static void test_not_in_matches_absent_key(void **state)
{
    (void)state;
    fixture f;
    const npc_node *n =
        parse(&f, "matchExpressions: [{key: env, operator: NotIn, values: [dev]}]\n");
    npc_selector s;
    assert_true(npc_parse_selector(f.c, n, &s));
    npc_labels none = labels(&f, "{app: x}");
    assert_true(npc_selector_matches(&s, &none));
    done(&f);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *code;
    } cases[] = {
        {"matchExpressions: [{key: a, operator: Has}]\n", "NPC204"},
        {"matchExpressions: [{key: a, operator: In}]\n", "NPC204"},
        {"matchExpressions: [{key: a, operator: Exists, values: [x]}]\n", "NPC204"},
        {"matchExpressions: [{operator: Exists}]\n", "NPC202"},
        {"matchLabels: {'bad key!': x}\n", "NPC205"},
        {"matchLabels: {app: [x]}\n", "NPC203"},
        {"matchLabel: {app: x}\n", "NPC209"},
        {"[app]\n", "NPC204"},
        {"matchExpressions: {key: a}\n", "NPC204"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        const npc_node *n = parse(&f, cases[i].text);
        npc_selector s;
        assert_false(npc_parse_selector(f.c, n, &s));
        if (!first_code_is(&f, cases[i].code)) {
            fprintf(stderr, "case %zu: got %s, want %s\n", i,
                    npc_diag_count(f.ctx) ? npc_diag_get(f.ctx, 0)->code : "nothing",
                    cases[i].code);
            fail();
        }
        assert_int_not_equal(npc_diag_get(f.ctx, 0)->loc[0].line, 0);
        done(&f);
    }
}

static void test_huge_label_set(void **state)
{
    (void)state;
    /* 20,000 labels: parsed and matched without trouble */
    size_t n = 20000;
    npc_buf b = NPC_BUF_INIT;
    npc_buf_puts(&b, "{");
    for (size_t i = 0; i < n; i++)
        npc_buf_printf(&b, "%sk%zu: v%zu", i ? ", " : "", i, i);
    npc_buf_puts(&b, "}\n");
    fixture f;
    const npc_node *root = parse(&f, b.data);
    npc_labels ls;
    assert_true(npc_parse_labels(f.c, root, &ls));
    assert_int_equal(ls.len, n);
    npc_selector s;
    npc_tree *labels_tree = f.tree;
    f.tree = NULL;
    assert_int_equal(
        npc_yaml_read_buffer(f.ctx, "s2.yaml", "matchLabels: {k19999: v19999}\n", 30, keep, &f),
        NPC_OK);
    assert_true(npc_parse_selector(f.c, f.tree->root, &s));
    assert_true(npc_selector_matches(&s, &ls));
    npc_tree_free(labels_tree);
    npc_buf_free(&b);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_labels),
        cmocka_unit_test(test_empty_selector_matches_all),
        cmocka_unit_test(test_match_expressions),
        cmocka_unit_test(test_not_in_matches_absent_key),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_huge_label_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
