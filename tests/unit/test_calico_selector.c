/* Calico selectors: what parses (and what Calico rejects, with the offset
 * of the bad token), matching against label sets, the canonical form, the
 * split into conjunctive terms plus a residual tree, and the positioned
 * diagnostic of a bad selector in a manifest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/calico_selector.h"
#include "netpolc.h"
#include "text/tree.h"
#include "util/ctx.h"
#include "util/diag.h"

typedef struct env {
    npc_ctx *ctx;
    npc_arena *arena;
} env;

static env env_new(void)
{
    env e = {npc_ctx_new(), npc_arena_new()};
    return e;
}

static void env_free(env *e)
{
    npc_arena_free(e->arena);
    npc_ctx_free(e->ctx);
}

static npc_csel *parse(env *e, const char *s, npc_csel_error *err)
{
    return npc_csel_parse(e->arena, e->ctx->strings, s, strlen(s), err);
}

static int cmp_label(const void *a, const void *b)
{
    const npc_label *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Labels from "k=v,k2=v2" (an empty value is written "k="). */
static npc_labels labels(env *e, const char *spec)
{
    npc_labels ls = {npc_arena_alloc(e->arena, 16 * sizeof(npc_label)), 0};
    const char *p = spec;
    while (*p) {
        const char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        assert_non_null(eq);
        npc_label *l = &ls.items[ls.len++];
        l->key = npc_intern(e->ctx->strings, p, (size_t)(eq - p));
        l->value = npc_intern(e->ctx->strings, eq + 1, (size_t)(end - eq - 1));
        p = *end ? end + 1 : end;
    }
    qsort(ls.items, ls.len, sizeof *ls.items, cmp_label);
    return ls;
}

typedef struct match_case {
    const char *sel, *labels;
    int want;
} match_case;

static void test_matching(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"", "app=web", 1},
        {"   ", "", 1},
        {"all()", "", 1},
        {"global()", "app=web", 1},
        {"app == 'web'", "app=web", 1},
        {"app == \"web\"", "app=web", 1},
        {"app == 'web'", "app=api", 0},
        {"app == 'web'", "", 0},
        {"app != 'web'", "", 1},
        {"app != 'web'", "app=api", 1},
        {"app != 'web'", "app=web", 0},
        {"app == ''", "app=", 1},
        {"app in {'a', 'b'}", "app=b", 1},
        {"app in {'a','b',}", "app=b", 1},
        {"app in {}", "app=b", 0},
        {"app in {'a'}", "", 0},
        {"app not in {'a', 'b'}", "", 1},
        {"app not in {'a', 'b'}", "app=c", 1},
        {"app not in {'a', 'b'}", "app=a", 0},
        {"app notin {'a'}", "app=a", 0},
        {"has(app)", "app=", 1},
        {"has( app )", "x=y", 0},
        {"!has(app)", "x=y", 1},
        {"!!has(app)", "app=x", 1},
        {"app contains 'eb'", "app=web", 1},
        {"app contains ''", "app=", 1},
        {"app contains 'x'", "", 0},
        {"app starts with 'we'", "app=web", 1},
        {"app starts with 'eb'", "app=web", 0},
        {"app ends with 'eb'", "app=web", 1},
        {"app ends with 'webby'", "app=web", 0},
        {"a == 'x' && b == 'y'", "a=x,b=y", 1},
        {"a == 'x' && b == 'y'", "a=x", 0},
        {"a == 'x' || b == 'y'", "b=y", 1},
        {"a == 'x' || b == 'y' && c == 'z'", "b=y", 0},
        {"(a == 'x' || b == 'y') && c == 'z'", "b=y,c=z", 1},
        {"!(a == 'x' || b == 'y')", "c=z", 1},
        {"!(a == 'x' || b == 'y')", "b=y", 0},
        {"!a == 'x'", "", 1},
        {"k8s.io/app-name_1 == 'v'", "k8s.io/app-name_1=v", 1},
        {"\tapp\t==\t'web'\t", "app=web", 1},
        {"app==\"it's\"", "app=it's", 1},
        {"has(a) && !has(b) && all()", "a=1", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        env e = env_new();
        npc_csel_error err = {0, NULL};
        npc_csel *x = parse(&e, cases[i].sel, &err);
        if (!x)
            fail_msg("'%s' did not parse: %s at %zu", cases[i].sel, err.msg, err.offset);
        npc_labels ls = labels(&e, cases[i].labels);
        if (npc_csel_matches(x, e.ctx->strings, &ls) != cases[i].want)
            fail_msg("'%s' on {%s}: expected %d", cases[i].sel, cases[i].labels, cases[i].want);
        env_free(&e);
    }
}

typedef struct error_case {
    const char *sel;
    size_t offset;
} error_case;

static void test_errors(void **state)
{
    (void)state;
    static const error_case cases[] = {
        {"app = 'web'", 4},
        {"app == web", 7},
        {"app == 'web", 7},
        {"app", 0}, /* a label running to the end */
        {"app ==", 6},
        {"app in 'a'", 7},
        {"app in {'a' 'b'}", 12},
        {"app in {'a', b}", 13},
        {"app not 'a'", 8},
        {"app starts 'a'", 11},
        {"app is 'a'", 4},
        {"has(app", 4},
        {"has()", 4},
        {"has (app)", 4},
        {"all(", 4},
        {"global( x)", 8},
        {"a == 'x' & b == 'y'", 9},
        {"a == 'x' | b == 'y'", 9},
        {"a == 'x' b == 'y'", 9},
        {"(a == 'x'", 9},
        {"a == 'x')", 8},
        {"a == 'x' &&", 11},
        {"&& a == 'x'", 0},
        {"a == 'x' && $", 12},
        {"a == 'x'\n", 8}, /* newlines are not whitespace to Calico */
        {"!", 1},
        {"()", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        env e = env_new();
        npc_csel_error err = {0, NULL};
        if (parse(&e, cases[i].sel, &err))
            fail_msg("'%s' parsed but Calico rejects it", cases[i].sel);
        assert_non_null(err.msg);
        if (err.offset != cases[i].offset)
            fail_msg("'%s': error '%s' at %zu, expected at %zu", cases[i].sel, err.msg, err.offset,
                     cases[i].offset);
        env_free(&e);
    }
}

static void test_depth_limit(void **state)
{
    (void)state;
    env e = env_new();
    char s[4 * NPC_CSEL_MAX_DEPTH + 64];
    size_t n = 0;
    for (int i = 0; i < NPC_CSEL_MAX_DEPTH + 2; i++)
        s[n++] = '(';
    memcpy(s + n, "has(a)", 6);
    n += 6;
    for (int i = 0; i < NPC_CSEL_MAX_DEPTH + 2; i++)
        s[n++] = ')';
    s[n] = 0;
    npc_csel_error err = {0, NULL};
    assert_null(parse(&e, s, &err));
    assert_string_equal(err.msg, "selector nested too deeply");
    /* many negations are a loop, not recursion */
    char neg[5000];
    memset(neg, '!', 4000);
    strcpy(neg + 4000, "has(a)");
    assert_non_null(parse(&e, neg, &err));
    env_free(&e);
}

static void test_format(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", "all()"},
        {"app=='web'", "app == \"web\""},
        {"app == 'say \"hi\"'", "app == 'say \"hi\"'"},
        {"a in {'y','x','y'}", "a in {\"x\", \"y\"}"},
        {"a == 'x' && (b != 'y' || !has(c))", "(a == \"x\" && (b != \"y\" || !has(c)))"},
        {"a starts with 'p' || a ends with 's' || a contains 'm'",
         "(a starts with \"p\" || a ends with \"s\" || a contains \"m\")"},
        {"global()", "global()"},
        {"!(!has(a))", "!(!has(a))"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        env e = env_new();
        npc_csel_error err;
        npc_csel *x = parse(&e, cases[i][0], &err);
        assert_non_null(x);
        npc_buf b = NPC_BUF_INIT;
        npc_csel_format(x, e.ctx->strings, &b);
        /* values sort by symbol; intern them in order for a stable result */
        if (i == 3) {
            npc_buf_free(&b);
            env_free(&e);
            e = env_new();
            npc_intern_cstr(e.ctx->strings, "x");
            npc_intern_cstr(e.ctx->strings, "y");
            x = parse(&e, cases[i][0], &err);
            npc_csel_format(x, e.ctx->strings, &b);
        }
        assert_string_equal(npc_buf_cstr(&b), cases[i][1]);
        /* the canonical form parses back to itself */
        npc_csel *y = parse(&e, npc_buf_cstr(&b), &err);
        assert_non_null(y);
        npc_buf b2 = NPC_BUF_INIT;
        npc_csel_format(y, e.ctx->strings, &b2);
        assert_string_equal(npc_buf_cstr(&b2), npc_buf_cstr(&b));
        npc_buf_free(&b);
        npc_buf_free(&b2);
        env_free(&e);
    }
}

static void test_put_string(void **state)
{
    (void)state;
    npc_buf b = NPC_BUF_INIT;
    assert_true(npc_csel_put_string(&b, "manager", 7));
    assert_string_equal(npc_buf_cstr(&b), "'manager'");
    npc_buf_reset(&b);
    assert_true(npc_csel_put_string(&b, "it's", 4));
    assert_string_equal(npc_buf_cstr(&b), "\"it's\"");
    npc_buf_reset(&b);
    assert_false(npc_csel_put_string(&b, "'\"", 2));
    assert_string_equal(npc_buf_cstr(&b), "");
    npc_buf_free(&b);
    assert_true(npc_csel_key_ok("app.kubernetes.io/name", 22));
    assert_false(npc_csel_key_ok("a b", 3));
    assert_false(npc_csel_key_ok("", 0));
}

/* split: out && rest must equal the selector on every label set over keys
 * a, b, c with values x, y, empty or absent. */
static void test_split_equivalence(void **state)
{
    (void)state;
    static const char *const sels[] = {
        "",
        "a == 'x'",
        "a == 'x' && b != 'y' && has(c)",
        "!has(a) && b in {'x', 'y'} && c not in {''}",
        "a == 'x' || b == 'y'",
        "a == 'x' && (b == 'y' || c == 'x')",
        "!(a == 'x' || b != 'y')",
        "!(a in {'x'} && has(b))",
        "a contains 'x' && b == 'y'",
        "!(a starts with 'x') && !all()",
        "!(!has(a) || !(b ends with ''))",
        "global() && a == 'x'",
        "(a == 'x' && b == 'y') || (a == 'y' && c == 'x') || !has(b)",
    };
    static const char *const vals[] = {NULL, "x", "y", ""};
    for (size_t i = 0; i < sizeof sels / sizeof *sels; i++) {
        env e = env_new();
        npc_csel_error err;
        npc_csel *x = parse(&e, sels[i], &err);
        assert_non_null(x);
        npc_selector conj;
        const npc_csel *rest;
        npc_csel_split(e.arena, x, &conj, &rest);
        for (int m = 0; m < 64; m++) {
            char spec[64] = "";
            static const char *const keys[] = {"a", "b", "c"};
            for (int k = 0; k < 3; k++) {
                const char *v = vals[(m >> (2 * k)) & 3];
                if (!v)
                    continue;
                if (*spec)
                    strcat(spec, ",");
                strcat(spec, keys[k]);
                strcat(spec, "=");
                strcat(spec, v);
            }
            npc_labels ls = labels(&e, spec);
            int want = npc_csel_matches(x, e.ctx->strings, &ls);
            int got = npc_selector_matches(&conj, &ls) &&
                      (!rest || npc_csel_matches(rest, e.ctx->strings, &ls));
            if (want != got)
                fail_msg("split of '%s' disagrees on {%s}", sels[i], spec);
        }
        env_free(&e);
    }
}

static void test_split_shape(void **state)
{
    (void)state;
    env e = env_new();
    npc_csel_error err;
    npc_selector conj;
    const npc_csel *rest;
    /* fully conjunctive: no residual tree */
    npc_csel_split(e.arena, parse(&e, "a == 'x' && b != 'y' && !has(c) && all()", &err), &conj,
                   &rest);
    assert_null(rest);
    assert_int_equal(conj.nexprs, 3);
    assert_int_equal(conj.exprs[0].op, NPC_SEL_IN);
    assert_int_equal(conj.exprs[1].op, NPC_SEL_NOTIN);
    assert_int_equal(conj.exprs[2].op, NPC_SEL_NOTEXISTS);
    /* De Morgan: !(a == 'x' || has(b)) is a != 'x' && !has(b) */
    npc_csel_split(e.arena, parse(&e, "!(a == 'x' || has(b))", &err), &conj, &rest);
    assert_null(rest);
    assert_int_equal(conj.nexprs, 2);
    /* the conjunctive part narrows, the rest is kept as a tree */
    npc_csel_split(e.arena, parse(&e, "app == 'web' && (b == 'x' || c == 'y')", &err), &conj,
                   &rest);
    assert_int_equal(conj.nexprs, 1);
    assert_non_null(rest);
    assert_int_equal(rest->kind, NPC_CSEL_OR);
    /* all() is the empty selector */
    npc_csel_split(e.arena, parse(&e, "all()", &err), &conj, &rest);
    assert_null(rest);
    assert_true(npc_selector_is_empty(&conj));
    npc_csel *g = parse(&e, "has(a) && global()", &err);
    assert_true(npc_csel_uses_global(g));
    assert_false(npc_csel_uses_global(parse(&e, "has(a)", &err)));
    env_free(&e);
}

typedef struct doc {
    npc_tree *tree;
} doc;

static int keep(npc_ctx *ctx, npc_tree *t, void *user)
{
    (void)ctx;
    ((doc *)user)->tree = t;
    return 1;
}

/* A bad selector in a manifest is reported at the bad token's column. */
static void test_node_diagnostic(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint32_t line, col;
    } cases[] = {
        {"selector: app == 'web' && tier = 'db'\n", 1, 32},
        {"selector: \"app == 'web' && tier = 'db'\"\n", 1, 33},
        {"{\"selector\": \"has(app) &&\"}\n", 1, 26},
        {"selector: >-\n  app ==\n  'web' &\n", 1, 11}, /* block scalar: its indicator */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        npc_ctx *ctx = npc_ctx_new();
        npc_cluster *c = npc_cluster_new(ctx);
        doc d = {NULL};
        const char *t = cases[i].text;
        assert_int_equal(npc_yaml_read_buffer(ctx, "p.yaml", t, strlen(t), keep, &d), NPC_OK);
        const npc_node *sel = npc_map_get(d.tree->root, "selector");
        assert_null(npc_csel_parse_node(c, sel, "selector"));
        assert_int_equal(npc_error_count(ctx), 1);
        const npc_diag *dg = npc_diag_get(ctx, 0);
        assert_string_equal(dg->code, "NPC223");
        if (dg->loc[0].line != cases[i].line || dg->loc[0].col != cases[i].col)
            fail_msg("case %zu: reported at %u:%u, expected %u:%u (%s)", i, dg->loc[0].line,
                     dg->loc[0].col, cases[i].line, cases[i].col, dg->message);
        npc_tree_free(d.tree);
        npc_cluster_free(c);
        npc_ctx_free(ctx);
    }
    /* null is all(); a number is not a selector */
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = npc_cluster_new(ctx);
    doc d = {NULL};
    const char *t = "{a: null, b: 5}";
    assert_int_equal(npc_yaml_read_buffer(ctx, "p.yaml", t, strlen(t), keep, &d), NPC_OK);
    npc_csel *all = npc_csel_parse_node(c, npc_map_get(d.tree->root, "a"), "selector");
    assert_non_null(all);
    assert_int_equal(all->kind, NPC_CSEL_ALL);
    assert_null(npc_csel_parse_node(c, npc_map_get(d.tree->root, "b"), "selector"));
    assert_string_equal(npc_diag_get(ctx, 0)->code, "NPC223");
    npc_tree_free(d.tree);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matching),    cmocka_unit_test(test_errors),
        cmocka_unit_test(test_depth_limit), cmocka_unit_test(test_format),
        cmocka_unit_test(test_put_string),  cmocka_unit_test(test_split_equivalence),
        cmocka_unit_test(test_split_shape), cmocka_unit_test(test_node_diagnostic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
