/* String interning: equal strings get equal ids, so labels, names and keys
 * compare as integers. Id 0 is never handed out ("no string"). */
#ifndef NPC_UTIL_INTERN_H
#define NPC_UTIL_INTERN_H
#include <stddef.h>
#include <stdint.h>

typedef uint32_t npc_sym;
typedef struct npc_interner npc_interner;

npc_interner *npc_interner_new(void);
void npc_interner_free(npc_interner *in);
npc_sym npc_intern(npc_interner *in, const char *s, size_t n);
npc_sym npc_intern_cstr(npc_interner *in, const char *s);
/* Returns 0 when s was never interned. */
npc_sym npc_intern_lookup(const npc_interner *in, const char *s, size_t n);
const char *npc_sym_str(const npc_interner *in, npc_sym id);
size_t npc_sym_len(const npc_interner *in, npc_sym id);
size_t npc_interner_count(const npc_interner *in);

uint64_t npc_hash_bytes(const void *p, size_t n);

#endif
