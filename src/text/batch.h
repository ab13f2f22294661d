/* Reading many files on every core with the results of reading them one
 * after the other: worker threads read and parse files into node trees,
 * each in a private context; the caller takes the files in input order, and
 * each file's diagnostics and documents reach the caller's context and
 * callback in the order a sequential read gives them. Lowering (interning,
 * the cluster) stays on the caller's thread. */
#ifndef NPC_TEXT_BATCH_H
#define NPC_TEXT_BATCH_H
#include <stddef.h>

#include "text/tree.h"

typedef struct npc_batch npc_batch;

/* Starts reading paths[0..n) (kept by the caller until npc_batch_free).
 * Threads: NETPOLC_THREADS when set (1 reads sequentially, in
 * npc_batch_deliver), else the online processors, at most 8. */
npc_batch *npc_batch_start(npc_ctx *ctx, char *const *paths, size_t n);
/* File i, i = 0, 1, 2... in order: waits until it is parsed, then replays
 * into ctx exactly what npc_yaml_read_file(ctx, paths[i], fn, user) does:
 * the same diagnostics and callbacks in the same order, stopping where fn
 * asks, and the same status. */
npc_status npc_batch_deliver(npc_batch *b, size_t i, npc_tree_fn fn, void *user);
/* Stops the workers (files not delivered are dropped) and frees b. */
void npc_batch_free(npc_batch *b);

#endif
