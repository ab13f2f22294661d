/* Loading cluster manifests (files and folders of YAML/JSON as kubectl
 * writes them) into an npc_cluster. Implementation: src/model/load.c. */
#ifndef NPC_MODEL_LOAD_H
#define NPC_MODEL_LOAD_H
#include "model/ir.h"

/* Reads every path (a file, or a folder scanned recursively in sorted order
 * for .yaml/.yml/.json files; "-" is stdin), flattens List kinds and hands
 * each object to its loader by apiVersion and kind. Unanalysed kinds are
 * skipped with a note (NPC210). Returns NPC_OK, or NPC_ERR_INPUT/NPC_ERR_IO
 * after reporting diagnostics. */
npc_status npc_cluster_load_paths(npc_cluster *c, char **paths, int npaths);

/* Loads a YAML/JSON stream held in memory (named `name` in diagnostics),
 * like one file of npc_cluster_load_paths. */
npc_status npc_cluster_load_text(npc_cluster *c, const char *name, const char *text, size_t len);

/* Loads one object (a mapping with apiVersion/kind). Returns 1 on success,
 * 0 after reporting errors. Exposed for tests and fuzzing. */
int npc_cluster_load_object(npc_cluster *c, const npc_node *obj);

#endif
