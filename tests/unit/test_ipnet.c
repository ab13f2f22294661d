/* Address ranges: CIDR minus excepts, and ranges back into CIDR blocks
 * (the ClusterNetworkPolicy renderer writes excepts that way). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/ipnet.h"

static void collect(void *user, const char *cidr)
{
    char *out = user;
    if (*out)
        strcat(out, " ");
    strcat(out, cidr);
}

static void cidrs_of(const char *cidr, const char *const *except, uint32_t nexcept, char *out)
{
    npc_iprange whole, ex[8], r[10];
    int prefix, v6, canonical;
    assert_true(npc_cidr_parse(cidr, &whole, &prefix, &v6, &canonical));
    for (uint32_t i = 0; i < nexcept; i++) {
        int ev6;
        assert_true(npc_cidr_parse(except[i], &ex[i], &prefix, &ev6, &canonical));
    }
    uint32_t n = npc_cidr_minus(whole, v6, ex, nexcept, r);
    out[0] = 0;
    for (uint32_t i = 0; i < n; i++)
        npc_iprange_cidrs(r[i], collect, out);
}

static void test_cidr_minus_except(void **state)
{
    (void)state;
    char out[1024];
    static const char *const half[] = {"198.51.100.128/25"};
    cidrs_of("198.51.100.0/24", half, 1, out);
    assert_string_equal(out, "198.51.100.0/25");
    static const char *const mid[] = {"10.1.0.0/16"};
    cidrs_of("10.0.0.0/14", mid, 1, out);
    assert_string_equal(out, "10.0.0.0/16 10.2.0.0/15");
    static const char *const two[] = {"10.0.0.0/26", "10.0.0.192/26"};
    cidrs_of("10.0.0.0/24", two, 2, out);
    assert_string_equal(out, "10.0.0.64/26 10.0.0.128/26");
    cidrs_of("0.0.0.0/0", NULL, 0, out);
    assert_string_equal(out, "0.0.0.0/0");
    static const char *const v6[] = {"2001:db8::/33"};
    cidrs_of("2001:db8::/32", v6, 1, out);
    assert_string_equal(out, "2001:db8:8000::/33");
}

/* An IPv6 CIDR covering the IPv4 block leaves it out: its blocks are IPv6. */
static void test_v6_blocks_skip_v4(void **state)
{
    (void)state;
    char out[4096];
    cidrs_of("::/96", NULL, 0, out);
    assert_string_equal(out, "::/96");
    cidrs_of("::ffff:0:0/95", NULL, 0, out);
    assert_string_equal(out, "::fffe:0:0/96");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr_minus_except),
        cmocka_unit_test(test_v6_blocks_skip_v4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
