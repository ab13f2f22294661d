/* Parallel reading with sequential results (batch.h).
 *
 * Each file is read by one worker into a private context (its diagnostics,
 * its own registration of the path) and a list of documents, each marked
 * with how many diagnostics came before it and whether an error had been
 * reported by then. Trees carry the caller's registration of the file name
 * (made before the workers start), so nothing is rewritten on delivery.
 * Delivery replays the diagnostics through the caller's context, so its
 * error limit, the "stopping after N errors" note and the counts behave as
 * if the caller had read the file itself. At most `window` files are parsed
 * ahead of delivery, which bounds memory. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/batch.h"
#include "util/ctx.h"
#include "util/diag.h"
#include "util/vec.h"

enum { MAX_THREADS = 8 };

typedef struct parsed_doc {
    npc_tree *tree;
    size_t diags_before; /* diagnostics of the file reported before it */
    int failed_before;   /* an error had been reported before it */
} parsed_doc;

typedef struct parsed_file {
    const char *path, *name; /* name: the caller's registration */
    npc_ctx *priv;
    NPC_VEC(parsed_doc) docs;
    npc_status status;
    int done;
} parsed_file;

struct npc_batch {
    npc_ctx *ctx;
    parsed_file *files;
    size_t n;
    unsigned nthreads;
    pthread_t threads[MAX_THREADS];
    pthread_mutex_t mu;
    pthread_cond_t parsed, taken; /* a file was parsed; a file was delivered */
    size_t next;                  /* next file for a worker */
    size_t delivered;             /* files delivered (or skipped) so far */
    size_t window;
    int stop;
};

static unsigned thread_count(size_t nfiles)
{
    const char *env = getenv("NETPOLC_THREADS");
    long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    if ((size_t)n > nfiles)
        n = (long)nfiles;
    return (unsigned)n;
}

static int collect(npc_ctx *priv, npc_tree *t, void *user)
{
    parsed_file *f = user;
    parsed_doc d = {t, npc_diag_count(priv), npc_error_count(priv) > 0};
    npc_vec_push(&f->docs, d);
    return 0;
}

static void parse_one(npc_batch *b, parsed_file *f)
{
    f->priv = npc_ctx_new();
    npc_ctx_set_limits(f->priv, &b->ctx->limits);
    f->status = npc_yaml_read_file_as(f->priv, f->path, f->name, collect, f);
}

static void *worker(void *arg)
{
    npc_batch *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->stop && b->next < b->n && b->next >= b->delivered + b->window)
            pthread_cond_wait(&b->taken, &b->mu);
        if (b->stop || b->next >= b->n)
            break;
        parsed_file *f = &b->files[b->next++];
        pthread_mutex_unlock(&b->mu);
        parse_one(b, f);
        pthread_mutex_lock(&b->mu);
        f->done = 1;
        pthread_cond_broadcast(&b->parsed);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

npc_batch *npc_batch_start(npc_ctx *ctx, char *const *paths, size_t n)
{
    npc_batch *b = npc_xcalloc(1, sizeof *b);
    b->ctx = ctx;
    b->n = n;
    b->files = npc_xcalloc(n ? n : 1, sizeof *b->files);
    for (size_t i = 0; i < n; i++)
        b->files[i].path = paths[i];
    unsigned want = thread_count(n);
    if (want < 2)
        return b; /* sequential: npc_batch_deliver reads each file itself */
    for (size_t i = 0; i < n; i++)
        b->files[i].name = npc_source_add(ctx, paths[i], NULL, 0);
    b->window = 2 * (size_t)want;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->parsed, NULL);
    pthread_cond_init(&b->taken, NULL);
    for (unsigned i = 0; i < want; i++) {
        if (pthread_create(&b->threads[i], NULL, worker, b) != 0)
            break; /* fewer workers; zero means the caller's thread reads */
        b->nthreads++;
    }
    return b;
}

/* A code's enum from its name (diagnostics store the name). */
static npc_code code_of(const char *name)
{
    for (int c = 0; c < NPC_CODE_COUNT; c++)
        if (strcmp(npc_code_name((npc_code)c), name) == 0)
            return (npc_code)c;
    return NPC001;
}

static npc_loc caller_loc(npc_ctx *ctx, npc_loc l)
{
    if (l.file)
        l.file = npc_source_add(ctx, l.file, NULL, 0);
    return l;
}

/* Re-reports the private diagnostics [from, to) through ctx. Where the
 * private context reached its error limit, ctx (having counted at least as
 * many errors) has reached its own: an error offered there adds ctx's
 * "stopping after N errors" note once and is dropped. */
static void replay(npc_ctx *ctx, const npc_ctx *priv, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const npc_diag *d = npc_diag_get(priv, i);
        npc_code code = code_of(d->code);
        npc_loc none = {0};
        if (code == NPC007) {
            if (npc_error_limit_reached(ctx))
                npc_error(ctx, NPC007, none, "%s", d->message);
            continue;
        }
        npc_loc first = caller_loc(ctx, d->nloc ? d->loc[0] : none);
        npc_diag *nd;
        switch (d->severity) {
        case NPC_SEV_ERROR:
            nd = npc_error(ctx, code, first, "%s", d->message);
            break;
        case NPC_SEV_WARNING:
            nd = npc_warning(ctx, code, first, "%s", d->message);
            break;
        default:
            nd = npc_note(ctx, code, first, "%s", d->message);
            break;
        }
        for (unsigned j = 1; j < d->nloc; j++)
            npc_diag_also(nd, caller_loc(ctx, d->loc[j]));
    }
}

/* The line index the private context built, for ctx's printer. */
static void adopt_line_index(npc_ctx *ctx, const parsed_file *f)
{
    const npc_source *ps = npc_source_find(f->priv, f->path);
    if (!ps || !ps->lines)
        return;
    for (size_t i = ctx->sources.len; i-- > 0;) {
        npc_source *s = &ctx->sources.items[i];
        if (s->name != f->name)
            continue;
        if (!s->lines) {
            npc_line_index *ix = npc_arena_alloc(ctx->arena, sizeof *ix);
            ix->n = ps->lines->n;
            ix->starts = npc_arena_alloc(ctx->arena, ix->n * sizeof(size_t));
            memcpy(ix->starts, ps->lines->starts, ix->n * sizeof(size_t));
            s->lines = ix;
        }
        return;
    }
}

static void drop(parsed_file *f)
{
    for (size_t k = 0; k < f->docs.len; k++)
        npc_tree_free(f->docs.items[k].tree);
    npc_vec_free(&f->docs);
    npc_ctx_free(f->priv);
    f->priv = NULL;
}

npc_status npc_batch_deliver(npc_batch *b, size_t i, npc_tree_fn fn, void *user)
{
    parsed_file *f = &b->files[i];
    if (b->nthreads == 0)
        return npc_yaml_read_file(b->ctx, f->path, fn, user);
    pthread_mutex_lock(&b->mu);
    while (!f->done)
        pthread_cond_wait(&b->parsed, &b->mu);
    pthread_mutex_unlock(&b->mu);

    npc_ctx *ctx = b->ctx;
    adopt_line_index(ctx, f);
    size_t shown = 0;
    npc_status st = f->status;
    size_t k = 0;
    for (; k < f->docs.len; k++) {
        parsed_doc *d = &f->docs.items[k];
        replay(ctx, f->priv, shown, d->diags_before);
        shown = d->diags_before;
        npc_tree *t = d->tree;
        d->tree = NULL;
        if (fn(ctx, t, user)) { /* the reader stops here, status as it was */
            st = d->failed_before ? NPC_ERR_INPUT : NPC_OK;
            break;
        }
    }
    if (k == f->docs.len)
        replay(ctx, f->priv, shown, npc_diag_count(f->priv));
    drop(f);

    pthread_mutex_lock(&b->mu);
    b->delivered = i + 1;
    pthread_cond_broadcast(&b->taken);
    pthread_mutex_unlock(&b->mu);
    return st;
}

void npc_batch_free(npc_batch *b)
{
    if (!b)
        return;
    if (b->nthreads) {
        pthread_mutex_lock(&b->mu);
        b->stop = 1;
        pthread_cond_broadcast(&b->taken);
        pthread_mutex_unlock(&b->mu);
        for (unsigned i = 0; i < b->nthreads; i++)
            pthread_join(b->threads[i], NULL);
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->parsed);
        pthread_cond_destroy(&b->taken);
    }
    for (size_t i = 0; i < b->n; i++)
        if (b->files[i].priv)
            drop(&b->files[i]);
    free(b->files);
    free(b);
}
