/* Unknown fields of manifest objects (model/fields.h). */
#include "model/fields.h"

#include "util/buf.h"
#include "util/diag.h"
#include "util/suggest.h"

#define LIST_SHORT 3 /* lists this long are spelt out when nothing is near */

static void unknown_field(npc_ctx *ctx, npc_severity sev, const npc_node *k,
                          const char *const *known, const char *const *also, const char *where,
                          const char *effect)
{
    const char *word = k && k->kind == NPC_NODE_SCALAR ? k->u.scalar.s : "?";
    npc_suggest sg;
    npc_suggest_init(&sg, word);
    size_t n = 0;
    for (; known[n]; n++)
        npc_suggest_add(&sg, known[n]);
    for (size_t i = 0; also && also[i]; i++)
        npc_suggest_add(&sg, also[i]);
    npc_buf hint = NPC_BUF_INIT;
    const char *near = npc_suggest_best(&sg);
    if (near) {
        npc_buf_printf(&hint, " (did you mean '%s'?)", near);
    } else if (n && n <= LIST_SHORT && !also) {
        npc_buf_puts(&hint, " (expected ");
        for (size_t i = 0; i < n; i++)
            npc_buf_printf(&hint, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", known[i]);
        npc_buf_putc(&hint, ')');
    }
    npc_diag_add_fmt(ctx, sev, NPC209, npc_node_loc(k), "unknown field '%s' in %s%s%s", word,
                     where, npc_buf_cstr(&hint), effect);
    npc_buf_free(&hint);
}

void npc_unknown_field(npc_ctx *ctx, const npc_node *k, const char *const *known,
                       const char *const *also, const char *where)
{
    unknown_field(ctx, NPC_SEV_ERROR, k, known, also, where, "");
}

/* ObjectMeta as the API server has it (and as older servers wrote it:
 * selfLink, clusterName). */
static const char *const object_meta[] = {
    "name",          "generateName",    "namespace",         "selfLink",
    "uid",           "resourceVersion", "generation",        "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
    "ownerReferences", "finalizers",    "managedFields",     "clusterName",
    NULL};

void npc_check_metadata_fields(npc_ctx *ctx, const npc_node *md)
{
    if (!md || md->kind != NPC_NODE_MAP)
        return;
    for (size_t i = 0; i < md->u.map.len; i++) {
        const npc_node *k = md->u.map.items[i].key;
        size_t j = 0;
        while (object_meta[j] && !npc_node_scalar_eq(k, object_meta[j]))
            j++;
        if (!object_meta[j])
            unknown_field(ctx, NPC_SEV_WARNING, k, object_meta, NULL, "metadata",
                          "; ignored, as the API server ignores it");
    }
}
