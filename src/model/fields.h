/* Fields of manifest objects: an unknown one is reported with the known
 * field it is nearest to (a typo: `podSelectr`, `ingres`). */
#ifndef NPC_MODEL_FIELDS_H
#define NPC_MODEL_FIELDS_H
#include "text/tree.h"
#include "util/ctx.h"

/* Reports the key k of a mapping in `where` ("a NetworkPolicy spec") as an
 * unknown field (NPC209): "did you mean" the nearest of known (and of also,
 * a second NULL-terminated list, may be NULL), or, when there is none and
 * known is short, the fields expected. */
void npc_unknown_field(npc_ctx *ctx, const npc_node *k, const char *const *known,
                       const char *const *also, const char *where);

/* Warns (NPC209) about each key of the mapping md that ObjectMeta does not
 * have: the API server drops it, so a misspelt `namespace` silently puts an
 * object in another namespace. */
void npc_check_metadata_fields(npc_ctx *ctx, const npc_node *md);

#endif
