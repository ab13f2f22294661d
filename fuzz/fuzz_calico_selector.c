/* Fuzz target: the Calico selector parser. A selector that parses must
 * print in canonical form, parse back to the same canonical form, and split
 * into conjunctive terms plus a residual tree that together match exactly
 * the label sets the selector matches. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/calico_selector.h"
#include "util/ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void collect(const npc_csel *x, npc_label *ls, uint32_t *n, uint32_t cap)
{
    if (x->key && *n < cap) {
        ls[*n].key = x->key;
        ls[*n].value = x->nvalues ? x->values[0] : x->key;
        (*n)++;
    }
    for (uint32_t i = 0; i < x->nkids; i++)
        collect(x->kids[i], ls, n, cap);
}

static int cmp_label(const void *a, const void *b)
{
    const npc_label *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Label sets built from the selector's own keys and values: every subset
 * of its first few leaves (keys kept unique, first value wins). */
static void check_split(const npc_csel *x, npc_arena *a, const npc_interner *in)
{
    npc_label all[8], pick[8];
    uint32_t n = 0;
    collect(x, all, &n, 8);
    npc_selector conj;
    const npc_csel *rest;
    npc_csel_split(a, x, &conj, &rest);
    for (uint32_t m = 0; m < (1u << n); m++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (!(m >> i & 1))
                continue;
            int dup = 0;
            for (uint32_t j = 0; j < k; j++)
                dup |= pick[j].key == all[i].key;
            if (!dup)
                pick[k++] = all[i];
        }
        qsort(pick, k, sizeof *pick, cmp_label);
        npc_labels ls = {pick, k};
        int want = npc_csel_matches(x, in, &ls);
        int got = npc_selector_matches(&conj, &ls) && (!rest || npc_csel_matches(rest, in, &ls));
        if (want != got)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npc_ctx *ctx = npc_ctx_new();
    npc_arena *a = npc_arena_new();
    npc_csel_error err;
    npc_csel *x = npc_csel_parse(a, ctx->strings, (const char *)data, size, &err);
    if (x) {
        npc_buf b1 = NPC_BUF_INIT, b2 = NPC_BUF_INIT;
        npc_csel_format(x, ctx->strings, &b1);
        npc_csel *y = npc_csel_parse(a, ctx->strings, b1.data, b1.len, &err);
        if (!y)
            abort();
        npc_csel_format(y, ctx->strings, &b2);
        if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
            abort();
        npc_buf_free(&b1);
        npc_buf_free(&b2);
        check_split(x, a, ctx->strings);
    } else if (err.offset > size || !err.msg) {
        abort();
    }
    npc_arena_free(a);
    npc_ctx_free(ctx);
    return 0;
}
