/* Allocation: checked malloc wrappers and an arena per loaded document.
 * Out of memory is not a recoverable condition here: the wrappers print one
 * line and abort(), as libyaml users and nftables do. */
#ifndef NPC_UTIL_ALLOC_H
#define NPC_UTIL_ALLOC_H
#include <stddef.h>

void *npc_xmalloc(size_t n);
void *npc_xcalloc(size_t count, size_t size);
void *npc_xrealloc(void *p, size_t n);
char *npc_xstrndup(const char *s, size_t n);
char *npc_xstrdup(const char *s);

/* An arena hands out memory that lives until npc_arena_free(). With the
 * environment variable NETPOLC_ARENA=malloc set, each allocation is a
 * separate malloc() so sanitizers and valgrind see every object. */
typedef struct npc_arena npc_arena;
npc_arena *npc_arena_new(void);
void npc_arena_free(npc_arena *a);
void *npc_arena_alloc(npc_arena *a, size_t n);       /* zeroed, 16-aligned */
void *npc_arena_alloc_bytes(npc_arena *a, size_t n); /* not zeroed, unaligned: text */
char *npc_arena_strndup(npc_arena *a, const char *s, size_t n);
char *npc_arena_strdup(npc_arena *a, const char *s);
size_t npc_arena_bytes(const npc_arena *a); /* bytes handed out */

#endif
