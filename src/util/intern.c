#include "util/intern.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

struct entry {
    const char *s;
    uint32_t len;
};

struct npc_interner {
    npc_arena *arena;
    struct entry *strs; /* id -> string; strs[0] unused */
    size_t nstrs, capstrs;
    uint32_t *table; /* open addressing, holds ids, 0 = empty */
    size_t tcap;
};

uint64_t npc_hash_bytes(const void *p, size_t n)
{
    /* FNV-1a, 64 bit */
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

npc_interner *npc_interner_new(void)
{
    npc_interner *in = npc_xcalloc(1, sizeof *in);
    in->arena = npc_arena_new();
    in->capstrs = 256;
    in->strs = npc_xcalloc(in->capstrs, sizeof *in->strs);
    in->nstrs = 1;
    in->strs[0].s = "";
    in->tcap = 512;
    in->table = npc_xcalloc(in->tcap, sizeof *in->table);
    return in;
}

void npc_interner_free(npc_interner *in)
{
    if (!in)
        return;
    npc_arena_free(in->arena);
    free(in->strs);
    free(in->table);
    free(in);
}

static size_t probe(const npc_interner *in, const char *s, size_t n, int *found)
{
    size_t mask = in->tcap - 1;
    size_t i = (size_t)npc_hash_bytes(s, n) & mask;
    for (;;) {
        uint32_t id = in->table[i];
        if (id == 0) {
            *found = 0;
            return i;
        }
        if (in->strs[id].len == n && memcmp(in->strs[id].s, s, n) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static void rehash(npc_interner *in)
{
    size_t ncap = in->tcap * 2;
    uint32_t *nt = npc_xcalloc(ncap, sizeof *nt);
    for (size_t id = 1; id < in->nstrs; id++) {
        size_t i = (size_t)npc_hash_bytes(in->strs[id].s, in->strs[id].len) & (ncap - 1);
        while (nt[i])
            i = (i + 1) & (ncap - 1);
        nt[i] = (uint32_t)id;
    }
    free(in->table);
    in->table = nt;
    in->tcap = ncap;
}

npc_sym npc_intern(npc_interner *in, const char *s, size_t n)
{
    int found;
    size_t slot = probe(in, s, n, &found);
    if (found)
        return in->table[slot];
    if (in->nstrs == in->capstrs) {
        in->capstrs *= 2;
        in->strs = npc_xrealloc(in->strs, in->capstrs * sizeof *in->strs);
    }
    npc_sym id = (npc_sym)in->nstrs++;
    in->strs[id].s = npc_arena_strndup(in->arena, s, n);
    in->strs[id].len = (uint32_t)n;
    in->table[slot] = id;
    if (in->nstrs * 2 > in->tcap)
        rehash(in);
    return id;
}

npc_sym npc_intern_cstr(npc_interner *in, const char *s)
{
    return npc_intern(in, s, strlen(s));
}

npc_sym npc_intern_lookup(const npc_interner *in, const char *s, size_t n)
{
    int found;
    size_t slot = probe(in, s, n, &found);
    return found ? in->table[slot] : 0;
}

const char *npc_sym_str(const npc_interner *in, npc_sym id)
{
    return id < in->nstrs ? in->strs[id].s : "";
}

size_t npc_sym_len(const npc_interner *in, npc_sym id)
{
    return id < in->nstrs ? in->strs[id].len : 0;
}

size_t npc_interner_count(const npc_interner *in)
{
    return in->nstrs - 1;
}
