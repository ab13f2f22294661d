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

/* Random sets against a bitmap of one protocol's 65535 ports. */
static uint32_t rnd(uint32_t *st)
{
    *st = *st * 1103515245u + 12345u;
    return *st >> 8;
}

static void random_set(uint32_t *st, npc_portset *s, uint8_t *bits)
{
    npc_portset_clear(s);
    memset(bits, 0, 65536);
    uint32_t n = rnd(st) % 12;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t lo = 1 + rnd(st) % 65535, len = rnd(st) % (i % 3 ? 50 : 5000);
        uint32_t hi = lo + len > 65535 ? 65535 : lo + len;
        npc_portset_add(s, NPC_PROTO_UDP, (uint16_t)lo, (uint16_t)hi);
        for (uint32_t p = lo; p <= hi; p++)
            bits[p] = 1;
    }
}

static void check_bits(const npc_portset *s, const uint8_t *bits)
{
    for (uint32_t p = 1; p <= 65535; p++)
        assert_int_equal(npc_portset_contains(s, NPC_PROTO_UDP, (uint16_t)p), bits[p]);
    for (uint32_t i = 1; i < s->n[NPC_PROTO_UDP]; i++) /* disjoint, not adjacent */
        assert_true((uint32_t)s->r[NPC_PROTO_UDP][i - 1].hi + 1 < s->r[NPC_PROTO_UDP][i].lo);
}

static void test_random_against_bitmap(void **state)
{
    (void)state;
    uint32_t st = 7;
    uint8_t *a = malloc(65536), *b = malloc(65536), *r = malloc(65536);
    npc_portset x = NPC_PORTSET_INIT, y = NPC_PORTSET_INIT, z = NPC_PORTSET_INIT;
    for (int round = 0; round < 300; round++) {
        random_set(&st, &x, a);
        random_set(&st, &y, b);
        npc_portset_copy(&z, &x);
        npc_portset_subtract(&z, &y);
        for (uint32_t p = 0; p < 65536; p++)
            r[p] = a[p] && !b[p];
        check_bits(&z, r);
        npc_portset_copy(&z, &x);
        npc_portset_intersect(&z, &y);
        for (uint32_t p = 0; p < 65536; p++)
            r[p] = a[p] && b[p];
        check_bits(&z, r);
        npc_portset_copy(&z, &x);
        npc_portset_add_set(&z, &y);
        for (uint32_t p = 0; p < 65536; p++)
            r[p] = a[p] || b[p];
        check_bits(&z, r);
    }
    npc_portset_free(&x);
    npc_portset_free(&y);
    npc_portset_free(&z);
    free(a);
    free(b);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges), cmocka_unit_test(test_all_and_subtract),
        cmocka_unit_test(test_intersect),  cmocka_unit_test(test_equal_copy_union),
        cmocka_unit_test(test_edges),      cmocka_unit_test(test_random_against_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
