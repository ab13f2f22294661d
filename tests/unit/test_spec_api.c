/* The traffic spec through the public API (netpolc.h only): option
 * conversion, render and docs never writing partial output, and
 * byte-identical output for identical inputs. The endpoint parser and the
 * emitter's quoting are tested in test_spec_units.c. */
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

/* The text of a buffer the library filled ("" while empty). */
static const char *text_of(const npc_buf *b)
{
    return b->data ? b->data : "";
}

/* Appends s as a caller may before handing the buffer to the library
 * (npc_buf_free releases it with free()). */
static void append(npc_buf *b, const char *s)
{
    size_t n = strlen(s);
    char *p = realloc(b->data, b->len + n + 1);
    assert_non_null(p);
    memcpy(p + b->len, s, n + 1);
    b->data = p;
    b->len += n;
    b->cap = b->len + 1;
}

static const char spec_text[] =
    "apiVersion: netpolc.io/v1alpha1\n"
    "kind: TrafficSpec\n"
    "metadata: {name: t}\n"
    "spec:\n"
    "  namespace: demo\n"
    "  naming: \"{prefix}-{name}\"\n"
    "  options:\n"
    "    prefix: {type: string, default: demo}\n"
    "    on: {type: bool, default: false}\n"
    "    port: {type: int, default: 8080}\n"
    "    backends: {type: endpoints, default: []}\n"
    "    from: {type: peers, default: []}\n"
    "  components:\n"
    "    api: {labels: {app: api}}\n"
    "    web: {labels: {app: web}, namespace: front}\n"
    "  flows:\n"
    "    - {from: web, to: api, ports: [{option: port}], purpose: calls}\n"
    "    - {from: api, to: any-ip, ports: [{endpoints: backends}], when: on}\n"
    "    - {from: {option: from, empty: any}, to: api, ports: [9090]}\n";

static char spec_path[64];

static int setup(void **state)
{
    (void)state;
    strcpy(spec_path, "/tmp/npc-spec-XXXXXX");
    int fd = mkstemp(spec_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, spec_text, sizeof spec_text - 1), (ssize_t)(sizeof spec_text - 1));
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(spec_path);
    return 0;
}

static void set_and_render(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_spec *s = npc_spec_load(ctx, spec_path);
    assert_non_null(s);
    assert_int_equal(npc_spec_set(s, "on=true"), NPC_OK);
    assert_int_equal(npc_spec_set(s, "backends=https://a.example.com,b.example.com:4317"), NPC_OK);
    assert_int_equal(npc_spec_set(s, "port=8443"), NPC_OK);
    npc_buf one = NPC_BUF_INIT, two = NPC_BUF_INIT, json = NPC_BUF_INIT;
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_YAML, &one), NPC_OK);
    assert_int_equal(npc_render(s, "kubernetes", NPC_FORMAT_YAML, &two), NPC_OK);
    assert_string_equal(text_of(&one), text_of(&two));
    assert_non_null(strstr(text_of(&one), "name: demo-api\n"));
    assert_non_null(strstr(text_of(&one), "port: 8443\n"));
    assert_non_null(strstr(text_of(&one), "port: 4317\n"));
    /* web lives in another namespace: the api's ingress names it */
    assert_non_null(strstr(text_of(&one), "kubernetes.io/metadata.name: front\n"));
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_JSON, &json), NPC_OK);
    assert_true(
        strncmp(text_of(&json), "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",", 40) == 0);
    assert_int_equal(npc_error_count(ctx), 0);

    /* bad values: errors with codes, nothing rendered, buffer untouched */
    assert_int_equal(npc_spec_set(s, "nope=1"), NPC_ERR_INPUT);
    assert_string_equal(npc_diag_get(ctx, npc_diag_count(ctx) - 1)->code, "NPC106");
    assert_int_equal(npc_spec_set(s, "on=maybe"), NPC_ERR_INPUT);
    assert_string_equal(npc_diag_get(ctx, npc_diag_count(ctx) - 1)->code, "NPC112");
    assert_int_equal(npc_spec_set(s, "backends=nohost"), NPC_ERR_INPUT);
    assert_string_equal(npc_diag_get(ctx, npc_diag_count(ctx) - 1)->code, "NPC113");
    npc_diags_clear(ctx);
    assert_int_equal(npc_spec_set(s, "prefix=Bad_Prefix"), NPC_OK);
    npc_buf out = NPC_BUF_INIT;
    append(&out, "keep");
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_YAML, &out), NPC_ERR_INPUT);
    assert_string_equal(text_of(&out), "keep");
    assert_string_equal(npc_diag_get(ctx, 0)->code, "NPC302");
    npc_diags_clear(ctx);
    assert_int_equal(npc_render(s, "cilium-enterprise", NPC_FORMAT_YAML, &out), NPC_ERR_INPUT);
    assert_string_equal(npc_diag_get(ctx, 0)->code, "NPC301");
    assert_string_equal(text_of(&out), "keep");

    /* a peers option given as a YAML flow list */
    npc_diags_clear(ctx);
    assert_int_equal(npc_spec_set(s, "prefix=ok"), NPC_OK);
    assert_int_equal(npc_spec_set(s, "from=[{namespaceSelector: {matchLabels: {team: x}}}]"),
                     NPC_OK);
    npc_buf d = NPC_BUF_INIT;
    assert_int_equal(npc_docs(s, NPC_DOCS_CSV, &d), NPC_OK);
    assert_non_null(
        strstr(text_of(&d),
               "api,demo,9090,TCP,Ingress,source: all pods (namespaces with team: x),,Yes\n"));
    npc_buf_free(&d);
    npc_buf_free(&out);
    npc_buf_free(&one);
    npc_buf_free(&two);
    npc_buf_free(&json);
    npc_spec_free(s);
    npc_ctx_free(ctx);
}

/* Loads spec text through a temporary file; NULL after diagnostics. */
static npc_spec *load_text(npc_ctx *ctx, const char *text)
{
    char path[] = "/tmp/npc-spec-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    npc_spec *s = npc_spec_load(ctx, path);
    unlink(path);
    return s;
}

#define HEAD                                                                                       \
    "apiVersion: netpolc.io/v1alpha1\nkind: TrafficSpec\nmetadata: {name: t}\nspec:\n"             \
    "  namespace: demo\n"                                                                          \
    "  components:\n"                                                                              \
    "    api: {labels: {app: api}}\n"

/* An int option compares by value, not by spelling; a literal out of range
 * is an error, not a condition that is never true. */
static void int_conditions(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_spec *s =
        load_text(ctx, HEAD "  options:\n"
                            "    replicas: {type: int, default: 7}\n"
                            "  flows:\n"
                            "    - {from: '*', to: api, ports: [81], when: replicas == 007}\n"
                            "    - {from: '*', to: api, ports: [82], when: replicas != 7}\n");
    assert_non_null(s);
    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_YAML, &out), NPC_OK);
    assert_non_null(strstr(text_of(&out), "port: 81\n"));
    assert_null(strstr(text_of(&out), "port: 82\n"));
    npc_buf_free(&out);
    npc_spec_free(s);

    s = load_text(ctx, HEAD "  options:\n"
                            "    replicas: {type: int, default: 7}\n"
                            "  flows:\n"
                            "    - {from: '*', to: api, when: replicas == 99999999999999999999}\n");
    assert_null(s);
    assert_string_equal(npc_diag_get(ctx, 0)->code, "NPC110");
    npc_ctx_free(ctx);
}

/* Namespace names, from the spec or from an option, are DNS labels. */
static void namespace_names(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_spec *s = load_text(ctx, HEAD "  flows:\n"
                                      "    - {from: {namespaces: ''}, to: api}\n");
    assert_null(s);
    assert_string_equal(npc_diag_get(ctx, 0)->code, "NPC114");
    npc_diags_clear(ctx);
    s = load_text(ctx, HEAD "  options:\n"
                            "    ns: {type: strings, default: [ok]}\n"
                            "  flows:\n"
                            "    - {from: {namespaces: {option: ns}}, to: api}\n");
    assert_non_null(s);
    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_YAML, &out), NPC_OK);
    assert_int_equal(npc_spec_set(s, "ns=ok,Not_A_Namespace"), NPC_OK);
    append(&out, "|");
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_YAML, &out), NPC_ERR_INPUT);
    assert_string_equal(npc_diag_get(ctx, 0)->code, "NPC112");
    assert_int_equal(npc_spec_set(s, "ns=ok,"), NPC_OK);
    assert_int_equal(npc_render(s, NULL, NPC_FORMAT_YAML, &out), NPC_ERR_INPUT);
    /* the first render's output and nothing after it */
    assert_true(out.len > 0 && text_of(&out)[out.len - 1] == '|');
    npc_buf_free(&out);
    npc_spec_free(s);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_and_render),
        cmocka_unit_test(int_conditions),
        cmocka_unit_test(namespace_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
