#include "util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "netpolc: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *npc_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *npc_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *npc_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *npc_xstrndup(const char *s, size_t n)
{
    char *d = npc_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *npc_xstrdup(const char *s)
{
    return npc_xstrndup(s, strlen(s));
}

/* Blocks are chained; big requests get a block of their own. */
struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct npc_arena {
    struct block *head;
    size_t bytes;
    int malloc_mode;
    void **objs; /* malloc mode: every object, freed at the end */
    size_t nobjs, capobjs;
};

enum { BLOCK_SIZE = 64 * 1024 };

npc_arena *npc_arena_new(void)
{
    npc_arena *a = npc_xcalloc(1, sizeof *a);
    const char *mode = getenv("NETPOLC_ARENA");
    a->malloc_mode = mode && strcmp(mode, "malloc") == 0;
    return a;
}

void npc_arena_free(npc_arena *a)
{
    if (!a)
        return;
    for (struct block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    for (size_t i = 0; i < a->nobjs; i++)
        free(a->objs[i]);
    free(a->objs);
    free(a);
}

/* n bytes at the given alignment (a power of two, at most 16), not zeroed. */
static void *arena_take(npc_arena *a, size_t n, size_t align)
{
    if (a->malloc_mode) {
        a->bytes += n;
        if (a->nobjs == a->capobjs) {
            a->capobjs = a->capobjs ? 2 * a->capobjs : 64;
            a->objs = npc_xrealloc(a->objs, a->capobjs * sizeof *a->objs);
        }
        return a->objs[a->nobjs++] = npc_xmalloc(n);
    }
    struct block *b = a->head;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at > b->cap || b->cap - at < n) {
        size_t cap = n > BLOCK_SIZE / 4 ? n : BLOCK_SIZE;
        struct block *nb = npc_xmalloc(sizeof *nb + cap);
        nb->used = 0;
        nb->cap = cap;
        if (b && cap == n) { /* oversized: keep the current block in front */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
        at = 0;
    }
    void *p = (char *)b->data + at;
    b->used = at + n;
    a->bytes += n;
    return p;
}

void *npc_arena_alloc(npc_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    void *p = arena_take(a, n, 16);
    memset(p, 0, n);
    return p;
}

void *npc_arena_alloc_bytes(npc_arena *a, size_t n)
{
    return arena_take(a, n ? n : 1, 1);
}

char *npc_arena_strndup(npc_arena *a, const char *s, size_t n)
{
    char *d = npc_arena_alloc_bytes(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *npc_arena_strdup(npc_arena *a, const char *s)
{
    return npc_arena_strndup(a, s, strlen(s));
}

size_t npc_arena_bytes(const npc_arena *a)
{
    return a->bytes;
}
