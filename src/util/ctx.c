#include "util/ctx.h"

#include <stdlib.h>
#include <string.h>

npc_ctx *npc_ctx_new(void)
{
    npc_ctx *ctx = npc_xcalloc(1, sizeof *ctx);
    ctx->arena = npc_arena_new();
    ctx->strings = npc_interner_new();
    ctx->limits.max_file_bytes = (size_t)256 << 20;
    ctx->limits.max_depth = 128;
    ctx->limits.max_alias_nodes = 1000000;
    ctx->limits.max_errors = 20;
    return ctx;
}

void npc_ctx_free(npc_ctx *ctx)
{
    if (!ctx)
        return;
    npc_vec_free(&ctx->sources);
    npc_vec_free(&ctx->diags);
    npc_interner_free(ctx->strings);
    npc_arena_free(ctx->arena);
    free(ctx);
}

void npc_ctx_set_progress(npc_ctx *ctx, npc_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

void npc_progress(npc_ctx *ctx, const char *phase, size_t done, size_t total)
{
    if (ctx->progress)
        ctx->progress(ctx->progress_user, phase, done, total);
}

void npc_ctx_set_strict(npc_ctx *ctx, int strict)
{
    ctx->strict = strict != 0;
}

npc_limits npc_ctx_limits(const npc_ctx *ctx)
{
    return ctx->limits;
}

void npc_ctx_set_limits(npc_ctx *ctx, const npc_limits *limits)
{
    ctx->limits = *limits;
    if (ctx->limits.max_errors == 0)
        ctx->limits.max_errors = 1;
}

const char *npc_source_add(npc_ctx *ctx, const char *name, const char *text, size_t len)
{
    const npc_source *old = npc_source_find(ctx, name);
    if (old && !text)
        return old->name;
    npc_source s;
    s.name = npc_arena_strdup(ctx->arena, name);
    s.text = text ? npc_arena_strndup(ctx->arena, text, len) : NULL;
    s.len = text ? len : 0;
    s.lines = NULL;
    npc_vec_push(&ctx->sources, s);
    if (text)
        npc_source_index(ctx, s.name, s.text, s.len);
    return s.name;
}

const npc_source *npc_source_find(const npc_ctx *ctx, const char *name)
{
    for (size_t i = ctx->sources.len; i-- > 0;)
        if (ctx->sources.items[i].name == name || strcmp(ctx->sources.items[i].name, name) == 0)
            return &ctx->sources.items[i];
    return NULL;
}

void npc_source_index(npc_ctx *ctx, const char *name, const char *text, size_t len)
{
    npc_source *src = NULL;
    for (size_t i = ctx->sources.len; i-- > 0 && !src;)
        if (ctx->sources.items[i].name == name || strcmp(ctx->sources.items[i].name, name) == 0)
            src = &ctx->sources.items[i];
    if (!src || src->lines)
        return;
    size_t lines = 1;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    npc_line_index *ix = npc_arena_alloc(ctx->arena, sizeof *ix);
    ix->n = (lines + NPC_LINE_STEP - 1) / NPC_LINE_STEP;
    ix->starts = npc_arena_alloc(ctx->arena, ix->n * sizeof(size_t));
    size_t line = 1, k = 0;
    ix->starts[k++] = 0;
    for (const char *p = text, *end = text + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        if (++line % NPC_LINE_STEP == 1 && k < ix->n)
            ix->starts[k++] = (size_t)(p - text) + 1;
    src->lines = ix;
}
