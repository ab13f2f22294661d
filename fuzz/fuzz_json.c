/* Fuzz target: the JSON fast path against libyaml. Whenever the fast path
 * reads an input, libyaml must read the same single document into the same
 * tree (nodes, scalars, styles, positions) without a diagnostic; whenever
 * the fast path declines, the full reader (which then uses libyaml) must
 * give what libyaml alone gives: the same documents and diagnostics. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "netpolc.h"
#include "text/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_DOCS = 64 };

typedef struct docs {
    npc_tree *t[MAX_DOCS];
    size_t n, dropped;
} docs;

static int collect(npc_ctx *ctx, npc_tree *t, void *user)
{
    docs *d = user;
    (void)ctx;
    if (d->n < MAX_DOCS) {
        d->t[d->n++] = t;
    } else {
        d->dropped++;
        npc_tree_free(t);
    }
    return 0;
}

static void docs_free(docs *d)
{
    for (size_t i = 0; i < d->n; i++)
        npc_tree_free(d->t[i]);
}

static int same_diags(const npc_ctx *a, const npc_ctx *b)
{
    if (npc_diag_count(a) != npc_diag_count(b))
        return 0;
    for (size_t i = 0; i < npc_diag_count(a); i++) {
        const npc_diag *x = npc_diag_get(a, i), *y = npc_diag_get(b, i);
        if (x->severity != y->severity || strcmp(x->code, y->code) ||
            strcmp(x->message, y->message) || x->nloc != y->nloc)
            return 0;
        for (unsigned j = 0; j < x->nloc; j++)
            if (x->loc[j].line != y->loc[j].line || x->loc[j].col != y->loc[j].col)
                return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    npc_ctx *ya = npc_ctx_new(), *full = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ya);
    lim.max_alias_nodes = 20000;
    lim.max_depth = 40; /* deep inputs cross the limit on both paths */
    npc_ctx_set_limits(ya, &lim);
    npc_ctx_set_limits(full, &lim);

    docs y = {{0}, 0, 0}, f = {{0}, 0, 0};
    npc_status sy = npc_libyaml_read_buffer(ya, "fuzz.json", text, size, collect, &y);
    npc_status sf = npc_yaml_read_buffer(full, "fuzz.json", text, size, collect, &f);
    CHECK(sy == sf);
    CHECK(same_diags(ya, full));
    CHECK(y.n == f.n && y.dropped == f.dropped);
    for (size_t i = 0; i < y.n; i++) {
        CHECK(y.t[i]->index == f.t[i]->index);
        CHECK(npc_node_same(y.t[i]->root, f.t[i]->root));
    }

    npc_tree *t = npc_json_read(&lim, "fuzz.json", text, size);
    if (t) {
        /* the fast path read it: libyaml agrees, with nothing to report */
        CHECK(sy == NPC_OK && npc_diag_count(ya) == 0);
        CHECK(y.n == 1 && npc_node_same(y.t[0]->root, t->root));
        npc_tree_free(t);
    }
    docs_free(&y);
    docs_free(&f);
    npc_ctx_free(ya);
    npc_ctx_free(full);
    return 0;
}
