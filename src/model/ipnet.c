#include "model/ipnet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int npc_ip_cmp(npc_ip a, npc_ip b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

int npc_ip_is_v4(npc_ip a)
{
    return a.hi == 0 && (a.lo >> 32) == 0xffffULL;
}

npc_ip npc_ip_next(npc_ip a)
{
    a.lo++;
    if (a.lo == 0)
        a.hi++;
    return a;
}

npc_ip npc_ip_prev(npc_ip a)
{
    if (a.lo == 0)
        a.hi--;
    a.lo--;
    return a;
}

static npc_ip from_bytes(const unsigned char b[16])
{
    npc_ip ip = {0, 0};
    for (int i = 0; i < 8; i++)
        ip.hi = (ip.hi << 8) | b[i];
    for (int i = 8; i < 16; i++)
        ip.lo = (ip.lo << 8) | b[i];
    return ip;
}

int npc_ip_parse(const char *s, npc_ip *out)
{
    unsigned char b[16];
    memset(b, 0, sizeof b);
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, b) != 1)
            return 0;
        *out = from_bytes(b);
        return 1;
    }
    /* inet_pton rejects leading zeros and short forms, as Go's parser does */
    if (inet_pton(AF_INET, s, b + 12) != 1)
        return 0;
    b[10] = b[11] = 0xff;
    *out = from_bytes(b);
    return 1;
}

int npc_cidr_parse(const char *s, npc_iprange *out, int *prefix, int *is_v6, int *canonical)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1] || strlen(s) > 64)
        return 0;
    char addr[65];
    memcpy(addr, s, (size_t)(slash - s));
    addr[slash - s] = '\0';
    for (const char *p = slash + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    if (strlen(slash + 1) > 3)
        return 0;
    int len = atoi(slash + 1);
    npc_ip ip;
    if (!npc_ip_parse(addr, &ip))
        return 0;
    int v6 = strchr(addr, ':') != NULL;
    int max = v6 ? 128 : 32;
    if (len > max || (slash[1] == '0' && slash[2]))
        return 0;
    int bits = v6 ? len : 96 + len; /* prefix length in the 128-bit space */
    npc_ip mask = {0, 0};           /* host bits */
    int host = 128 - bits;
    if (host >= 64) {
        mask.lo = ~0ULL;
        mask.hi = host == 128 ? ~0ULL : ((1ULL << (host - 64)) - 1);
    } else if (host > 0) {
        mask.lo = (1ULL << host) - 1;
    }
    npc_ip first = {ip.hi & ~mask.hi, ip.lo & ~mask.lo};
    npc_ip last = {first.hi | mask.hi, first.lo | mask.lo};
    if (out) {
        out->first = first;
        out->last = last;
    }
    if (prefix)
        *prefix = len;
    if (is_v6)
        *is_v6 = v6;
    if (canonical)
        *canonical = npc_ip_cmp(first, ip) == 0;
    return 1;
}

void npc_ip_format(npc_ip a, char *out)
{
    unsigned char b[16];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(a.hi >> (56 - 8 * i));
    for (int i = 0; i < 8; i++)
        b[8 + i] = (unsigned char)(a.lo >> (56 - 8 * i));
    if (npc_ip_is_v4(a))
        inet_ntop(AF_INET, b + 12, out, 46);
    else
        inet_ntop(AF_INET6, b, out, 46);
}

int npc_iprange_v4_overlap(npc_iprange r, npc_iprange *part)
{
    npc_iprange v4 = npc_iprange_all_v4();
    if (npc_ip_cmp(r.last, v4.first) < 0 || npc_ip_cmp(r.first, v4.last) > 0)
        return 0;
    part->first = npc_ip_cmp(r.first, v4.first) > 0 ? r.first : v4.first;
    part->last = npc_ip_cmp(r.last, v4.last) < 0 ? r.last : v4.last;
    return 1;
}

npc_iprange npc_iprange_all_v4(void)
{
    npc_iprange r = {{0, 0xffff00000000ULL}, {0, 0xffffffffffffULL}};
    return r;
}

static int range_cmp(const void *a, const void *b)
{
    const npc_iprange *x = a, *y = b;
    return npc_ip_cmp(x->first, y->first);
}

uint32_t npc_cidr_minus(npc_iprange whole, int is_v6, const npc_iprange *except, uint32_t nexcept,
                        npc_iprange *out)
{
    npc_iprange *ex = malloc(((size_t)nexcept + 1) * sizeof *ex);
    if (!ex)
        abort();
    if (nexcept)
        memcpy(ex, except, nexcept * sizeof *ex);
    uint32_t nex = nexcept;
    if (is_v6 && npc_iprange_v4_overlap(whole, &ex[nex])) /* IPv6 matches no IPv4 address */
        nex++;
    qsort(ex, nex, sizeof *ex, range_cmp);
    uint32_t n = 0;
    npc_ip cur = whole.first;
    int done = 0;
    for (uint32_t i = 0; i < nex && !done; i++) {
        if (npc_ip_cmp(ex[i].last, cur) < 0)
            continue;
        if (npc_ip_cmp(ex[i].first, cur) > 0) {
            out[n].first = cur;
            out[n].last = npc_ip_prev(ex[i].first);
            n++;
        }
        if (npc_ip_cmp(ex[i].last, whole.last) >= 0)
            done = 1;
        else
            cur = npc_ip_next(ex[i].last);
    }
    if (!done) {
        out[n].first = cur;
        out[n].last = whole.last;
        n++;
    }
    free(ex);
    return n;
}

/* a with its low k bits set (k 0..128). */
static npc_ip low_ones(npc_ip a, int k)
{
    if (k >= 64) {
        a.lo = UINT64_MAX;
        a.hi |= k >= 128 ? UINT64_MAX : ((1ULL << (k - 64)) - 1);
    } else if (k > 0) {
        a.lo |= (1ULL << k) - 1;
    }
    return a;
}

static int trailing_zeros(npc_ip a)
{
    if (a.lo)
        return __builtin_ctzll(a.lo);
    if (a.hi)
        return 64 + __builtin_ctzll(a.hi);
    return 128;
}

void npc_iprange_cidrs(npc_iprange r, void (*fn)(void *user, const char *cidr), void *user)
{
    npc_iprange v4 = npc_iprange_all_v4();
    npc_ip cur = r.first;
    for (;;) {
        int k = trailing_zeros(cur);
        while (k > 0 && npc_ip_cmp(low_ones(cur, k), r.last) > 0)
            k--;
        /* an IPv4 block is no wider than the IPv4 space */
        int in_v4 = npc_ip_cmp(cur, v4.first) >= 0 && npc_ip_cmp(cur, v4.last) <= 0;
        if (in_v4 && k > 32)
            k = 32;
        char text[64];
        npc_ip_format(cur, text);
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "/%d", in_v4 ? 32 - k : 128 - k);
        fn(user, text);
        npc_ip end = low_ones(cur, k);
        if (npc_ip_cmp(end, r.last) >= 0)
            return;
        cur = npc_ip_next(end);
    }
}
