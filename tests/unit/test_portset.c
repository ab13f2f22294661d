/* Port interval sets: union merging touching intervals, intersection,
 * difference, equality, and netpol-analyzer's text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/portset.h"

static void expect_text(const npc_portset *s, const char *want)
{
    npc_buf b = NPC_BUF_INIT;
    npc_portset_format(s, &b);
    assert_string_equal(b.data ? b.data : "", want);
    npc_buf_free(&b);
}

static void test_add_merges(void **state)
{
    (void)state;
    npc_portset s = NPC_PORTSET_INIT;
    expect_text(&s, "No Connections");
    npc_portset_add(&s, NPC_PROTO_TCP, 80, 80);
    npc_portset_add(&s, NPC_PROTO_TCP, 8080, 8090);
    npc_portset_add(&s, NPC_PROTO_TCP, 81, 81); /* touches 80 */
    npc_portset_add(&s, NPC_PROTO_UDP, 53, 53);
    expect_text(&s, "TCP 80-81,8080-8090,UDP 53");
    npc_portset_add(&s, NPC_PROTO_TCP, 82, 8079); /* bridges both */
    expect_text(&s, "TCP 80-8090,UDP 53");
    assert_int_equal(s.n[NPC_PROTO_TCP], 1);
    npc_portset_free(&s);
}

static void test_all_and_subtract(void **state)
{
    (void)state;
    npc_portset s = NPC_PORTSET_INIT, t = NPC_PORTSET_INIT;
    npc_portset_set_all(&s);
    assert_true(npc_portset_is_all(&s));
    expect_text(&s, "All Connections");
    npc_portset_add(&t, NPC_PROTO_TCP, 80, 80);
    npc_portset_subtract(&s, &t);
    assert_false(npc_portset_is_all(&s));
    expect_text(&s, "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535");
    assert_false(npc_portset_contains(&s, NPC_PROTO_TCP, 80));
    assert_true(npc_portset_contains(&s, NPC_PROTO_TCP, 79));
    assert_true(npc_portset_contains(&s, NPC_PROTO_SCTP, 80));
    npc_portset_free(&s);
    npc_portset_free(&t);
}

static void test_intersect(void **state)
{
    (void)state;
    npc_portset a = NPC_PORTSET_INIT, b = NPC_PORTSET_INIT;
    npc_portset_add(&a, NPC_PROTO_TCP, 1, 100);
    npc_portset_add(&a, NPC_PROTO_TCP, 200, 300);
    npc_portset_add(&a, NPC_PROTO_UDP, 53, 53);
    npc_portset_add(&b, NPC_PROTO_TCP, 50, 250);
    npc_portset_add(&b, NPC_PROTO_SCTP, 1, 65535);
    npc_portset_intersect(&a, &b);
    expect_text(&a, "TCP 50-100,200-250");
    npc_portset_intersect(&a, &a);
    expect_text(&a, "TCP 50-100,200-250");
    npc_portset_free(&a);
    npc_portset_free(&b);
}

static void test_equal_copy_union(void **state)
{
    (void)state;
    npc_portset a = NPC_PORTSET_INIT, b = NPC_PORTSET_INIT, c = NPC_PORTSET_INIT;
    npc_portset_add(&a, NPC_PROTO_SCTP, 5, 10);
    npc_portset_copy(&b, &a);
    assert_true(npc_portset_equal(&a, &b));
    npc_portset_add(&c, NPC_PROTO_SCTP, 11, 20);
    npc_portset_add_set(&b, &c);
    assert_false(npc_portset_equal(&a, &b));
    expect_text(&b, "SCTP 5-20");
    npc_portset_clear(&b);
    assert_true(npc_portset_is_empty(&b));
    npc_portset_free(&a);
    npc_portset_free(&b);
    npc_portset_free(&c);
}

static void test_edges(void **state)
{
    (void)state;
    npc_portset s = NPC_PORTSET_INIT, t = NPC_PORTSET_INIT;
    npc_portset_add(&s, NPC_PROTO_TCP, 65535, 65535);
    npc_portset_add(&s, NPC_PROTO_TCP, 1, 1);
    expect_text(&s, "TCP 1,65535");
    npc_portset_add(&t, NPC_PROTO_TCP, 1, 65535);
    npc_portset_subtract(&t, &s);
    expect_text(&t, "TCP 2-65534");
    npc_portset_subtract(&t, &t);
    assert_true(npc_portset_is_empty(&t));
    npc_portset_free(&s);
    npc_portset_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges),
        cmocka_unit_test(test_all_and_subtract),
        cmocka_unit_test(test_intersect),
        cmocka_unit_test(test_equal_copy_union),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
