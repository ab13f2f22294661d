#include "model/portset.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

void npc_portset_free(npc_portset *s)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        free(s->r[p]);
        s->r[p] = NULL;
        s->n[p] = s->cap[p] = 0;
    }
}

void npc_portset_clear(npc_portset *s)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        s->n[p] = 0;
}

static void reserve(npc_portset *s, int p, uint32_t need)
{
    if (need <= s->cap[p])
        return;
    uint32_t c = s->cap[p] ? s->cap[p] * 2 : 4;
    while (c < need)
        c *= 2;
    s->r[p] = npc_xrealloc(s->r[p], c * sizeof(npc_prange));
    s->cap[p] = c;
}

void npc_portset_set_all(npc_portset *s)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        reserve(s, p, 1);
        s->r[p][0].lo = 1;
        s->r[p][0].hi = 65535;
        s->n[p] = 1;
    }
}

void npc_portset_copy(npc_portset *dst, const npc_portset *src)
{
    if (dst == src)
        return;
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        reserve(dst, p, src->n[p]);
        if (src->n[p])
            memcpy(dst->r[p], src->r[p], src->n[p] * sizeof(npc_prange));
        dst->n[p] = src->n[p];
    }
}

void npc_portset_add(npc_portset *s, npc_proto p, uint16_t lo, uint16_t hi)
{
    if (lo < 1)
        lo = 1;
    if (hi < lo)
        return;
    /* find the first interval that ends at or after lo-1 (touching merges) */
    uint32_t n = s->n[p], i = 0;
    npc_prange *r = s->r[p];
    while (i < n && (uint32_t)r[i].hi + 1 < lo)
        i++;
    uint32_t j = i; /* intervals i..j-1 overlap or touch [lo,hi] */
    while (j < n && r[j].lo <= (uint32_t)hi + 1) {
        if (r[j].lo < lo)
            lo = r[j].lo;
        if (r[j].hi > hi)
            hi = r[j].hi;
        j++;
    }
    if (j == i) { /* insert */
        reserve(s, p, n + 1);
        r = s->r[p];
        memmove(r + i + 1, r + i, (n - i) * sizeof *r);
        r[i].lo = lo;
        r[i].hi = hi;
        s->n[p] = n + 1;
        return;
    }
    r[i].lo = lo;
    r[i].hi = hi;
    memmove(r + i + 1, r + j, (n - j) * sizeof *r);
    s->n[p] = n - (j - i - 1);
}

void npc_portset_add_set(npc_portset *s, const npc_portset *t)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        for (uint32_t i = 0; i < t->n[p]; i++)
            npc_portset_add(s, (npc_proto)p, t->r[p][i].lo, t->r[p][i].hi);
}

void npc_portset_intersect(npc_portset *s, const npc_portset *t)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        npc_prange tmp[64], *out = tmp;
        uint32_t cap = 64, k = 0, i = 0, j = 0;
        npc_prange *a = s->r[p], *b = t->r[p];
        while (i < s->n[p] && j < t->n[p]) {
            uint16_t lo = a[i].lo > b[j].lo ? a[i].lo : b[j].lo;
            uint16_t hi = a[i].hi < b[j].hi ? a[i].hi : b[j].hi;
            if (lo <= hi) {
                if (k == cap) {
                    npc_prange *bigger = npc_xmalloc(2 * cap * sizeof *bigger);
                    memcpy(bigger, out, k * sizeof *out);
                    if (out != tmp)
                        free(out);
                    out = bigger;
                    cap *= 2;
                }
                out[k].lo = lo;
                out[k].hi = hi;
                k++;
            }
            if (a[i].hi < b[j].hi)
                i++;
            else
                j++;
        }
        reserve(s, p, k);
        if (k)
            memcpy(s->r[p], out, k * sizeof *out);
        s->n[p] = k;
        if (out != tmp)
            free(out);
    }
}

void npc_portset_subtract(npc_portset *s, const npc_portset *t)
{
    /* one merge pass per protocol, in place: each interval of s loses the
     * parts covered by t (the output never has more intervals than
     * s->n + t->n, so it is built in a scratch array first) */
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        if (!s->n[p] || !t->n[p])
            continue;
        npc_prange tmp[64], *out = tmp;
        uint32_t need = s->n[p] + t->n[p], k = 0, j = 0;
        if (need > 64)
            out = npc_xmalloc(need * sizeof *out);
        const npc_prange *b = t->r[p];
        for (uint32_t i = 0; i < s->n[p]; i++) {
            uint32_t lo = s->r[p][i].lo, hi = s->r[p][i].hi;
            while (j < t->n[p] && b[j].hi < lo)
                j++;
            uint32_t jj = j;
            while (lo <= hi && jj < t->n[p] && b[jj].lo <= hi) {
                if (b[jj].lo > lo) {
                    out[k].lo = (uint16_t)lo;
                    out[k].hi = (uint16_t)(b[jj].lo - 1);
                    k++;
                }
                lo = (uint32_t)b[jj].hi + 1;
                if (b[jj].hi > hi)
                    break;
                jj++;
            }
            if (lo <= hi) {
                out[k].lo = (uint16_t)lo;
                out[k].hi = (uint16_t)hi;
                k++;
            }
        }
        reserve(s, p, k);
        if (k)
            memcpy(s->r[p], out, k * sizeof *out);
        s->n[p] = k;
        if (out != tmp)
            free(out);
    }
}

int npc_portset_is_empty(const npc_portset *s)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        if (s->n[p])
            return 0;
    return 1;
}

int npc_portset_is_all(const npc_portset *s)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++)
        if (s->n[p] != 1 || s->r[p][0].lo != 1 || s->r[p][0].hi != 65535)
            return 0;
    return 1;
}

int npc_portset_equal(const npc_portset *a, const npc_portset *b)
{
    for (int p = 0; p < NPC_PROTO_COUNT; p++) {
        if (a->n[p] != b->n[p])
            return 0;
        if (a->n[p] && memcmp(a->r[p], b->r[p], a->n[p] * sizeof(npc_prange)) != 0)
            return 0;
    }
    return 1;
}

int npc_portset_contains(const npc_portset *s, npc_proto p, uint16_t port)
{
    uint32_t lo = 0, hi = s->n[p];
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->r[p][mid].hi < port)
            lo = mid + 1;
        else if (s->r[p][mid].lo > port)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

void npc_portset_format(const npc_portset *s, npc_buf *out)
{
    static const npc_proto order[] = {NPC_PROTO_SCTP, NPC_PROTO_TCP, NPC_PROTO_UDP};
    if (npc_portset_is_all(s)) {
        npc_buf_puts(out, "All Connections");
        return;
    }
    if (npc_portset_is_empty(s)) {
        npc_buf_puts(out, "No Connections");
        return;
    }
    int first = 1;
    for (int k = 0; k < NPC_PROTO_COUNT; k++) {
        npc_proto p = order[k];
        if (!s->n[p])
            continue;
        if (!first)
            npc_buf_putc(out, ',');
        first = 0;
        npc_buf_printf(out, "%s ", npc_proto_name(p));
        for (uint32_t i = 0; i < s->n[p]; i++) {
            if (i)
                npc_buf_putc(out, ',');
            if (s->r[p][i].lo == s->r[p][i].hi)
                npc_buf_printf(out, "%u", s->r[p][i].lo);
            else
                npc_buf_printf(out, "%u-%u", s->r[p][i].lo, s->r[p][i].hi);
        }
    }
}
