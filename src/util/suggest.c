/* Damerau-Levenshtein distance (optimal string alignment: one swap of
 * neighbours counts 1) over two short words, two rows plus the one before. */
#include "util/suggest.h"

#include "netpolc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_WORD 64 /* longer words get no suggestion */

static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t rows[3][MAX_WORD + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d)
                d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

void npc_suggest_init(npc_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_dist = 0;
}

void npc_suggest_add(npc_suggest *s, const char *c)
{
    size_t n = strlen(s->word);
    if (!c || n == 0 || n > MAX_WORD || strlen(c) > MAX_WORD || strcmp(c, s->word) == 0)
        return;
    size_t limit = n / 3 > 1 ? n / 3 : 1;
    size_t d = distance(s->word, c);
    if (d <= limit && (!s->best || d < s->best_dist)) {
        s->best = c;
        s->best_dist = d;
    }
}

const char *npc_suggest_best(const npc_suggest *s)
{
    return s->best;
}

const char *npc_suggest_word(const char *word, const char *const *candidates)
{
    npc_suggest s;
    npc_suggest_init(&s, word);
    for (size_t i = 0; candidates && candidates[i]; i++)
        npc_suggest_add(&s, candidates[i]);
    return npc_suggest_best(&s);
}
