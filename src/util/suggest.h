/* "Did you mean": the candidate nearest to a misspelt word. */
#ifndef NPC_UTIL_SUGGEST_H
#define NPC_UTIL_SUGGEST_H
#include <stddef.h>

/* Adds candidate c to the search for the word nearest `word`. */
typedef struct npc_suggest {
    const char *word;
    const char *best; /* NULL until a candidate is near enough */
    size_t best_dist;
} npc_suggest;

void npc_suggest_init(npc_suggest *s, const char *word);
void npc_suggest_add(npc_suggest *s, const char *candidate);
/* The nearest candidate within the edit distance a typo makes (at most a
 * third of the word's length, at least 1), or NULL. */
const char *npc_suggest_best(const npc_suggest *s);

#endif
