/* Typed growable arrays: NPC_VEC(int) v = {0}; npc_vec_push(&v, 3); */
#ifndef NPC_UTIL_VEC_H
#define NPC_UTIL_VEC_H
#include <stddef.h>

#include "util/alloc.h"

#define NPC_VEC(T)                                                                                 \
    struct {                                                                                       \
        T *items;                                                                                  \
        size_t len, cap;                                                                           \
    }

#define npc_vec_grow(v, need)                                                                      \
    do {                                                                                           \
        if ((need) > (v)->cap) {                                                                   \
            size_t c_ = (v)->cap ? (v)->cap * 2 : 8;                                               \
            while (c_ < (need))                                                                    \
                c_ *= 2;                                                                           \
            (v)->items = npc_xrealloc((v)->items, c_ * sizeof *(v)->items);                        \
            (v)->cap = c_;                                                                         \
        }                                                                                          \
    } while (0)

#define npc_vec_push(v, x)                                                                         \
    do {                                                                                           \
        npc_vec_grow((v), (v)->len + 1);                                                           \
        (v)->items[(v)->len++] = (x);                                                              \
    } while (0)

#define npc_vec_free(v)                                                                            \
    do {                                                                                           \
        free((v)->items);                                                                          \
        (v)->items = NULL;                                                                         \
        (v)->len = (v)->cap = 0;                                                                   \
    } while (0)

#endif
