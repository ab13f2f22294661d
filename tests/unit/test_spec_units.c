/* Units of the traffic spec and the emitter below the public API: the
 * endpoint parser (ports from URLs and host:port) and YAML/JSON quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "render/emit.h"
#include "spec/spec.h"
#include "util/buf.h"

static void endpoints(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(npc_endpoint_port("https://logs.example.com", &why), 443);
    assert_int_equal(npc_endpoint_port("http://logs.example.com/path?q=1", &why), 80);
    assert_int_equal(npc_endpoint_port("otlp.example.com:4317", &why), 4317);
    assert_int_equal(npc_endpoint_port("grpc://otlp.example.com:4317", &why), 4317);
    assert_int_equal(npc_endpoint_port("grpcs://otlp.example.com", &why), 443);
    assert_int_equal(npc_endpoint_port("https://[2001:db8::1]:8443", &why), 8443);
    assert_int_equal(npc_endpoint_port("[2001:db8::1]:4318", &why), 4318);
    assert_int_equal(npc_endpoint_port("otlp.example.com", &why), 0);
    assert_non_null(why);
    assert_int_equal(npc_endpoint_port("grpc://otlp.example.com", &why), 0);
    assert_int_equal(npc_endpoint_port("ftp://x:21", &why), 0);
    assert_int_equal(npc_endpoint_port("x:0", &why), 0);
    assert_int_equal(npc_endpoint_port("x:65536", &why), 0);
    assert_int_equal(npc_endpoint_port("2001:db8::1", &why), 0);
    assert_int_equal(npc_endpoint_port("https://", &why), 0);
}

static void quoting(void **state)
{
    (void)state;
    static const struct {
        const char *in, *yaml;
    } cases[] = {
        {"plain", "plain\n"},
        {"0.0.0.0/0", "0.0.0.0/0\n"},
        {"::/0", "\"::/0\"\n"},
        {"true", "\"true\"\n"},
        {"No", "\"No\"\n"},
        {"", "\"\"\n"},
        {"8080", "\"8080\"\n"},
        {"1.5", "\"1.5\"\n"},
        {"0x1F", "\"0x1F\"\n"},
        {"a: b", "\"a: b\"\n"},
        {"a #b", "\"a #b\"\n"},
        {"*", "\"*\"\n"},
        {"- x", "\"- x\"\n"},
        {"tab\there", "\"tab\\there\"\n"},
        {"kyma-project.io--telemetry-x", "kyma-project.io--telemetry-x\n"},
        /* YAML 1.1 readers (PyYAML) reject these two plain */
        {"=", "\"=\"\n"},
        {"<<", "\"<<\"\n"},
        {"a=b", "a=b\n"},
    };
    npc_arena *a = npc_arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        npc_buf b = NPC_BUF_INIT;
        npc_emit_yaml(npc_ev_str(a, cases[i].in), &b);
        assert_string_equal(npc_buf_cstr(&b), cases[i].yaml);
        npc_buf_free(&b);
    }
    /* nested collections, empty ones in flow style */
    npc_ev *m = npc_ev_map(a);
    npc_ev *seq = npc_ev_seq(a);
    npc_ev *item = npc_ev_map(a);
    npc_ev_put(a, item, "k", npc_ev_int(a, 1));
    npc_ev_put(a, item, "e", npc_ev_map(a));
    npc_ev_push(a, seq, item);
    npc_ev_put(a, m, "list", seq);
    npc_ev_put(a, m, "none", npc_ev_seq(a));
    npc_buf b = NPC_BUF_INIT;
    npc_emit_yaml(m, &b);
    assert_string_equal(npc_buf_cstr(&b), "list:\n  - k: 1\n    e: {}\nnone: []\n");
    npc_buf_reset(&b);
    npc_emit_json(m, &b);
    assert_string_equal(npc_buf_cstr(&b),
                        "{\n  \"list\": [\n    {\n      \"k\": 1,\n      \"e\": {}\n    }\n  ],\n"
                        "  \"none\": []\n}\n");
    npc_buf_free(&b);
    npc_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(endpoints),
        cmocka_unit_test(quoting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
