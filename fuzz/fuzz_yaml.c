/* Fuzz target: the YAML/JSON front end. Reads the input as a stream, walks
 * every node of every document through the accessors, checks the tree's
 * invariants, and formats the diagnostics (the caret printer included). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "netpolc.h"
#include "text/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const npc_node *n, unsigned depth)
{
    int b;
    long long i;
    CHECK(n != NULL);
    CHECK(n->file != NULL && n->line >= 1 && n->col >= 1);
    CHECK(depth <= 1000);
    npc_loc l = npc_node_loc(n);
    CHECK(l.line == n->line && l.col == n->col);
    CHECK(npc_node_type_name(n) != NULL);
    int is_null = npc_node_is_null(n);
    int is_bool = npc_node_get_bool(n, &b);
    int is_int = npc_node_get_int(n, &i);
    int is_string = npc_node_is_string(n);
    CHECK(!(is_null && (is_bool || is_int || is_string)));
    CHECK(!(is_bool && is_int));
    CHECK(!is_string || npc_node_is_scalar(n));
    size_t count = 1;
    switch (n->kind) {
    case NPC_NODE_SCALAR:
        CHECK(n->u.scalar.s != NULL && n->u.scalar.s[n->u.scalar.len] == '\0');
        CHECK(!npc_node_scalar_eq(n, "") || n->u.scalar.len == 0);
        CHECK(npc_map_get(n, "a") == NULL);
        break;
    case NPC_NODE_SEQ:
        for (size_t k = 0; k < n->u.seq.len; k++)
            count += walk(n->u.seq.items[k], depth + 1);
        break;
    case NPC_NODE_MAP:
        for (size_t k = 0; k < n->u.map.len; k++) {
            const npc_pair *p = &n->u.map.items[k];
            count += walk(p->key, depth + 1) + walk(p->value, depth + 1);
            /* keys are unique: a lookup finds this very pair */
            if (p->key->kind == NPC_NODE_SCALAR &&
                strlen(p->key->u.scalar.s) == p->key->u.scalar.len) {
                CHECK(npc_map_get_pair(n, p->key->u.scalar.s) == p);
                CHECK(npc_map_get(n, p->key->u.scalar.s) == p->value);
            }
        }
        break;
    }
    return count;
}

typedef struct walk_state {
    unsigned docs, next_index;
    size_t nodes;
} walk_state;

static int on_doc(npc_ctx *ctx, npc_tree *t, void *user)
{
    walk_state *w = user;
    (void)ctx;
    /* documents dropped for errors keep their number: indexes only grow */
    CHECK(t->index >= w->next_index);
    w->next_index = t->index + 1;
    w->docs++;
    if (t->root)
        w->nodes += walk(t->root, 0);
    npc_tree_free(t);
    return 0;
}

/* Lines as libyaml counts them: LF, CR LF, lone CR, NEL, LS and PS break. */
static uint32_t count_lines(const uint8_t *p, size_t n)
{
    uint32_t lines = 1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n')))
            lines++;
        else if (p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0x85)
            lines++;
        else if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 &&
                 (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))
            lines++;
    }
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    /* aliases make a DAG; walking it unfolded must stay cheap per input */
    lim.max_alias_nodes = 20000;
    npc_ctx_set_limits(ctx, &lim);
    walk_state w = {0, 0, 0};
    npc_status st = npc_yaml_read_buffer(ctx, "fuzz.yaml", (const char *)data, size, on_doc, &w);
    CHECK(st == NPC_OK || st == NPC_ERR_INPUT);
    CHECK((st == NPC_OK) == (npc_error_count(ctx) == 0));
    CHECK(w.nodes <= w.docs * lim.max_alias_nodes + 4 * size + 4 * w.docs);
    /* every position names a line of the input (so the printer can show it) */
    uint32_t lines = count_lines(data, size);
    for (size_t k = 0; k < npc_diag_count(ctx); k++) {
        const npc_diag *d = npc_diag_get(ctx, k);
        for (unsigned j = 0; j < d->nloc; j++)
            CHECK(!d->loc[j].file || d->loc[j].line <= lines);
    }
    npc_buf out = NPC_BUF_INIT;
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &out);
    npc_diags_format(ctx, NPC_SEV_NOTE, 1, &out);
    npc_buf_free(&out);
    npc_ctx_free(ctx);
    return 0;
}
