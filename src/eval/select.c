/* Selector resolution through label posting lists, cached per distinct
 * selector, so each selector is resolved once whatever the number of rules
 * that use it, and a selector with a key=value term looks only at the
 * namespaces or classes carrying that label. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/ctx.h"

/* ------------------------------------------------------------ ev_set */

int ev_set_has(const ev_set *s, uint32_t id)
{
    if (!s)
        return 0;
    if (s->bits)
        return (s->bits[id >> 6] >> (id & 63)) & 1;
    uint32_t lo = 0, hi = s->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->ids[mid] == id)
            return 1;
        if (s->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Takes ownership of ids (sorted, unique, malloc'd). */
ev_set *ev_set_new(npc_eval *ev, uint32_t *ids, uint32_t n, uint32_t universe)
{
    ev_set *s = npc_xcalloc(1, sizeof *s);
    s->ids = ids;
    s->n = n;
    ev_set_index(s, universe);
    npc_vec_push(&ev->sets, s);
    return s;
}

void ev_set_index(ev_set *s, uint32_t universe)
{
    s->bits = NULL;
    if (s->n > 64 && (uint64_t)s->n * 32 > universe) {
        s->bits = npc_xcalloc((universe + 63) / 64, sizeof(uint64_t));
        for (uint32_t i = 0; i < s->n; i++)
            s->bits[s->ids[i] >> 6] |= 1ull << (s->ids[i] & 63);
    }
}

/* ------------------------------------------------ hash map: key -> slot */

static uint64_t key_hash(const uint32_t *k)
{
    return npc_hash_bytes(k, (k[0] + 1) * sizeof(uint32_t));
}

static size_t km_slot(const ev_keymap *m, const uint32_t *k)
{
    size_t mask = m->cap - 1, i = (size_t)key_hash(k) & mask;
    while (m->keys[i] && (m->keys[i][0] != k[0] || memcmp(m->keys[i], k, (k[0] + 1) * 4) != 0))
        i = (i + 1) & mask;
    return i;
}

static void km_grow(ev_keymap *m)
{
    ev_keymap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = npc_xcalloc(m->cap, sizeof *m->keys);
    m->vals = npc_xcalloc(m->cap, sizeof *m->vals);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) {
            size_t j = km_slot(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
        }
    free(old.keys);
    free(old.vals);
}

void **ev_km_get(ev_keymap *m, const uint32_t *k, int insert)
{
    if (insert && (m->len + 1) * 2 > m->cap)
        km_grow(m);
    if (!m->cap)
        return NULL;
    size_t i = km_slot(m, k);
    if (m->keys[i])
        return &m->vals[i];
    if (!insert)
        return NULL;
    m->keys[i] = npc_xmalloc((k[0] + 1) * sizeof(uint32_t));
    memcpy(m->keys[i], k, (k[0] + 1) * sizeof(uint32_t));
    m->len++;
    return &m->vals[i];
}

void ev_km_free(ev_keymap *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            free(m->keys[i]);
            if (free_val)
                free_val(m->vals[i]);
        }
    free(m->keys);
    free(m->vals);
}

/* --------------------------------------------------------- posting lists */

typedef NPC_VEC(uint32_t) u32vec;

static void free_u32vec(void *p)
{
    u32vec *v = p;
    npc_vec_free(v);
    free(v);
}

/* key=value -> ids, and key -> ids (value 0) for Exists; key -> its
 * distinct values (for NotIn); ids run over 0..universe-1. */
typedef struct posting {
    ev_keymap map;
    ev_keymap values;
    uint32_t universe;
    uint64_t work; /* ids scanned for complements (see npc_eval.work) */
} posting;

static void posting_add(posting *p, npc_sym key, npc_sym value, uint32_t id)
{
    uint32_t k[3] = {2, key, value};
    void **slot = ev_km_get(&p->map, k, 1);
    if (!*slot) {
        *slot = npc_xcalloc(1, sizeof(u32vec));
        if (value) {
            uint32_t kk[2] = {1, key};
            void **vs = ev_km_get(&p->values, kk, 1);
            if (!*vs)
                *vs = npc_xcalloc(1, sizeof(u32vec));
            npc_vec_push((u32vec *)*vs, value);
        }
    }
    u32vec *v = *slot;
    if (!v->len || v->items[v->len - 1] != id)
        npc_vec_push(v, id);
}

static const u32vec *posting_get(posting *p, npc_sym key, npc_sym value)
{
    uint32_t k[3] = {2, key, value};
    void **slot = ev_km_get(&p->map, k, 0);
    return slot ? *slot : NULL;
}

static void posting_free(posting *p)
{
    ev_km_free(&p->map, free_u32vec);
    ev_km_free(&p->values, free_u32vec);
}

static void posting_index(posting *p, const npc_labels *ls, uint32_t id)
{
    for (uint32_t i = 0; i < ls->len; i++) {
        posting_add(p, ls->items[i].key, ls->items[i].value, id);
        posting_add(p, ls->items[i].key, 0, id);
    }
}

/* ------------------------------------------------------------- the index */

struct ev_index {
    npc_eval *ev;
    posting ns_post, class_post;
    u32vec *ns_classes; /* namespace -> classes, ascending */
    uint32_t nns;
    ev_keymap ns_cache;  /* ns selector -> u32vec of namespaces */
    ev_keymap pod_cache; /* (mode, ns, ns_sel, pod_sel) -> ev_set */
    ev_keymap atom_cache;
    u32vec key; /* scratch */
    uint8_t *ns_mark;
    u32vec atom_pairs; /* (atom, class) pairs sorted by atom */
    int atom_pairs_built;
    uint8_t *class_mark;
};

static const npc_labels *ns_labels(const ev_index *ix, uint32_t id)
{
    return &ix->ev->c->namespaces.items[id].labels;
}

static const npc_labels *class_labels(const ev_index *ix, uint32_t id)
{
    return ix->ev->classes[id].labels;
}

ev_index *ev_index_new(npc_eval *ev)
{
    ev_index *ix = npc_xcalloc(1, sizeof *ix);
    ix->ev = ev;
    ix->nns = (uint32_t)ev->c->namespaces.len;
    ix->ns_classes = npc_xcalloc(ix->nns + 1, sizeof(u32vec));
    ix->ns_mark = npc_xcalloc(ix->nns + 1, 1);
    ix->ns_post.universe = ix->nns;
    ix->class_post.universe = ev->nclasses;
    for (uint32_t i = 0; i < ix->nns; i++)
        posting_index(&ix->ns_post, ns_labels(ix, i), i);
    for (uint32_t i = 0; i < ev->nclasses; i++) {
        posting_index(&ix->class_post, ev->classes[i].labels, i);
        npc_vec_push(&ix->ns_classes[ev->classes[i].ns], i);
    }
    return ix;
}

void ev_index_free(ev_index *ix)
{
    if (!ix)
        return;
    ix->ev->work += ix->ns_post.work + ix->class_post.work;
    posting_free(&ix->ns_post);
    posting_free(&ix->class_post);
    ev_km_free(&ix->ns_cache, free_u32vec);
    ev_km_free(&ix->pod_cache, NULL); /* sets are owned by ev->sets */
    ev_km_free(&ix->atom_cache, NULL);
    for (uint32_t i = 0; i <= ix->nns; i++)
        npc_vec_free(&ix->ns_classes[i]);
    free(ix->ns_classes);
    free(ix->ns_mark);
    free(ix->class_mark);
    npc_vec_free(&ix->atom_pairs);
    npc_vec_free(&ix->key);
    free(ix);
}

static void key_selector(u32vec *k, const npc_selector *s)
{
    npc_vec_push(k, s->nexprs);
    for (uint32_t i = 0; i < s->nexprs; i++) {
        const npc_sel_expr *e = &s->exprs[i];
        npc_vec_push(k, (uint32_t)e->op);
        npc_vec_push(k, e->key);
        npc_vec_push(k, e->nvalues);
        for (uint32_t j = 0; j < e->nvalues; j++)
            npc_vec_push(k, e->values[j]);
    }
    npc_vec_push(k, s->tree ? s->tree_key : 0);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static size_t posting_len(posting *p, npc_sym key, npc_sym value)
{
    const u32vec *v = posting_get(p, key, value);
    return v ? v->len : 0;
}

/* How many ids a term admits, from the posting lists alone; SIZE_MAX when
 * it cannot say. NotIn admits the ids without the key and those with a
 * value outside the list; DoesNotExist those without the key. */
static size_t term_count(posting *p, const npc_sel_expr *e)
{
    size_t with = posting_len(p, e->key, 0), cnt = 0;
    switch (e->op) {
    case NPC_SEL_IN:
        for (uint32_t j = 0; j < e->nvalues; j++)
            if (j == 0 || e->values[j] != e->values[j - 1])
                cnt += posting_len(p, e->key, e->values[j]);
        return cnt;
    case NPC_SEL_EXISTS:
        return with;
    case NPC_SEL_NOTIN:
        cnt = with;
        for (uint32_t j = 0; j < e->nvalues; j++)
            if (j == 0 || e->values[j] != e->values[j - 1])
                cnt -= posting_len(p, e->key, e->values[j]);
        return cnt + (p->universe - with);
    case NPC_SEL_NOTEXISTS:
        return p->universe - with;
    }
    return SIZE_MAX;
}

static void append_posting(posting *p, npc_sym key, npc_sym value, uint32_t *out, uint32_t *m)
{
    const u32vec *v = posting_get(p, key, value);
    if (v && v->len) {
        memcpy(out + *m, v->items, v->len * sizeof(uint32_t));
        *m += (uint32_t)v->len;
    }
}

/* Whether v is in e's values (sorted, as npc_selector_matches reads them). */
static int has_value(const npc_sel_expr *e, npc_sym v)
{
    uint32_t lo = 0, hi = e->nvalues;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (e->values[mid] == v)
            return 1;
        if (e->values[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The ids term e admits (cnt of them, see term_count), sorted, into out. */
static void term_ids(posting *p, const npc_sel_expr *e, size_t cnt, uint32_t *out)
{
    uint32_t m = 0;
    int lists = 0;
    if (cnt == 0)
        return;
    if (e->op == NPC_SEL_IN) {
        for (uint32_t j = 0; j < e->nvalues; j++)
            if (j == 0 || e->values[j] != e->values[j - 1]) {
                append_posting(p, e->key, e->values[j], out, &m);
                lists++;
            }
    } else if (e->op == NPC_SEL_EXISTS) {
        append_posting(p, e->key, 0, out, &m);
    } else {
        const u32vec *with = posting_get(p, e->key, 0);
        if (e->op == NPC_SEL_NOTIN && with) {
            /* the key's other values */
            uint32_t kk[2] = {1, e->key};
            void **vs = ev_km_get(&p->values, kk, 0);
            const u32vec *vals = vs ? *vs : NULL;
            for (size_t j = 0; vals && j < vals->len; j++)
                if (!has_value(e, vals->items[j])) {
                    append_posting(p, e->key, vals->items[j], out, &m);
                    lists++;
                }
        }
        if (m < cnt) {
            /* the ids without the key: the complement of a sorted list */
            size_t w = 0, wn = with ? with->len : 0;
            p->work += p->universe;
            for (uint32_t id = 0; id < p->universe; id++) {
                if (w < wn && with->items[w] == id) {
                    w++;
                    continue;
                }
                out[m++] = id;
            }
            lists++;
        }
    }
    if (lists > 1)
        qsort(out, m, sizeof(uint32_t), cmp_u32);
}

/* Candidate ids for sel from the posting lists: those of its term that
 * admits the fewest, or NULL when no term narrows (scan everything). A
 * term no id satisfies makes the answer empty at the cost of counting. */
static uint32_t *candidates(posting *p, const npc_selector *sel, uint32_t *n, int *found)
{
    *found = 0;
    size_t best = (size_t)-1;
    const npc_sel_expr *be = NULL;
    for (uint32_t i = 0; i < sel->nexprs && best; i++) {
        size_t cnt = term_count(p, &sel->exprs[i]);
        if (cnt < best && cnt < p->universe) {
            best = cnt;
            be = &sel->exprs[i];
        }
    }
    if (!be)
        return NULL;
    *found = 1;
    uint32_t *out = npc_xmalloc((best + 1) * sizeof(uint32_t));
    term_ids(p, be, best, out);
    *n = (uint32_t)best;
    return out;
}

static const u32vec *select_namespaces(ev_index *ix, const npc_selector *sel)
{
    u32vec k = {0};
    npc_vec_push(&k, 0); /* length, set below */
    key_selector(&k, sel);
    k.items[0] = (uint32_t)k.len - 1;
    void **slot = ev_km_get(&ix->ns_cache, k.items, 1);
    npc_vec_free(&k);
    if (*slot)
        return *slot;
    u32vec *out = npc_xcalloc(1, sizeof *out);
    uint32_t n = 0;
    int found;
    uint32_t *cand = candidates(&ix->ns_post, sel, &n, &found);
    uint32_t total = found ? n : ix->nns;
    for (uint32_t i = 0; i < total; i++) {
        uint32_t id = found ? cand[i] : i;
        ix->ev->work++;
        if (npc_selector_matches(sel, ns_labels(ix, id)))
            npc_vec_push(out, id);
    }
    free(cand);
    *slot = out;
    return out;
}

const ev_set *ev_select_pods(ev_index *ix, npc_ns_mode mode, npc_sym ns_same,
                             const npc_selector *ns_sel, const npc_selector *pod_sel)
{
    npc_eval *ev = ix->ev;
    u32vec *k = &ix->key;
    k->len = 0;
    npc_vec_push(k, 0);
    npc_vec_push(k, (uint32_t)mode);
    if (mode == NPC_NS_SAME)
        npc_vec_push(k, ns_same);
    else
        key_selector(k, ns_sel);
    key_selector(k, pod_sel);
    k->items[0] = (uint32_t)k->len - 1;
    void **slot = ev_km_get(&ix->pod_cache, k->items, 1);
    if (*slot)
        return *slot;

    /* the namespaces */
    uint32_t one;
    const uint32_t *nss;
    uint32_t nns;
    if (mode == NPC_NS_SAME) {
        if (!npc_cluster_find_namespace(ev->c, ns_same, &one)) {
            *slot = ev_set_new(ev, NULL, 0, ev->nclasses);
            return *slot;
        }
        nss = &one;
        nns = 1;
    } else {
        const u32vec *v = select_namespaces(ix, ns_sel);
        nss = v->items;
        nns = (uint32_t)v->len;
    }
    size_t in_ns = 0;
    for (uint32_t i = 0; i < nns; i++)
        in_ns += ix->ns_classes[nss[i]].len;

    uint32_t n = 0;
    int found;
    uint32_t *cand = candidates(&ix->class_post, pod_sel, &n, &found);
    uint32_t *out;
    uint32_t m = 0;
    ev->work += found && n < in_ns ? n : in_ns;
    if (found && n < in_ns) {
        /* few classes carry the label: filter them by namespace */
        for (uint32_t i = 0; i < nns; i++)
            ix->ns_mark[nss[i]] = 1;
        out = npc_xmalloc((n + 1) * sizeof(uint32_t));
        for (uint32_t i = 0; i < n; i++)
            if (ix->ns_mark[ev->classes[cand[i]].ns] &&
                npc_selector_matches(pod_sel, class_labels(ix, cand[i])))
                out[m++] = cand[i];
        for (uint32_t i = 0; i < nns; i++)
            ix->ns_mark[nss[i]] = 0;
    } else {
        out = npc_xmalloc((in_ns + 1) * sizeof(uint32_t));
        for (uint32_t i = 0; i < nns; i++) {
            const u32vec *v = &ix->ns_classes[nss[i]];
            for (size_t j = 0; j < v->len; j++)
                if (npc_selector_matches(pod_sel, class_labels(ix, v->items[j])))
                    out[m++] = v->items[j];
        }
        if (nns > 1)
            qsort(out, m, sizeof(uint32_t), cmp_u32);
    }
    free(cand);
    *slot = ev_set_new(ev, out, m, ev->nclasses);
    return *slot;
}

const ev_set *ev_select_atoms(ev_index *ix, const uint32_t *lo, const uint32_t *hi, uint32_t n)
{
    npc_eval *ev = ix->ev;
    u32vec *k = &ix->key;
    k->len = 0;
    npc_vec_push(k, 0);
    for (uint32_t i = 0; i < n; i++) {
        npc_vec_push(k, lo[i]);
        npc_vec_push(k, hi[i]);
    }
    k->items[0] = (uint32_t)k->len - 1;
    void **slot = ev_km_get(&ix->atom_cache, k->items, 1);
    if (*slot)
        return *slot;
    if (!ix->atom_pairs_built) {
        /* (atom, class) for every address of every class, by atom */
        for (uint32_t c = 0; c < ev->nclasses; c++)
            for (uint32_t j = 0; j < ev->classes[c].natoms; j++) {
                npc_vec_push(&ix->atom_pairs, ev->classes[c].atoms[j]);
                npc_vec_push(&ix->atom_pairs, c);
            }
        if (ix->atom_pairs.len)
            qsort(ix->atom_pairs.items, ix->atom_pairs.len / 2, 2 * sizeof(uint32_t), cmp_u32);
        ix->atom_pairs_built = 1;
        if (!ix->class_mark)
            ix->class_mark = npc_xcalloc(ev->nclasses + 1, 1);
    }
    u32vec out = {0};
    size_t np = ix->atom_pairs.len / 2;
    const uint32_t *pairs = ix->atom_pairs.items;
    for (uint32_t i = 0; i < n; i++) {
        size_t l = 0, h = np; /* first pair with atom >= lo[i] */
        while (l < h) {
            size_t mid = (l + h) / 2;
            if (pairs[2 * mid] < lo[i])
                l = mid + 1;
            else
                h = mid;
        }
        for (; l < np && pairs[2 * l] <= hi[i]; l++)
            if (!ix->class_mark[pairs[2 * l + 1]]) {
                ix->class_mark[pairs[2 * l + 1]] = 1;
                npc_vec_push(&out, pairs[2 * l + 1]);
            }
    }
    for (size_t i = 0; i < out.len; i++)
        ix->class_mark[out.items[i]] = 0;
    if (out.len > 1)
        qsort(out.items, out.len, sizeof(uint32_t), cmp_u32);
    *slot = ev_set_new(ev, out.items, (uint32_t)out.len, ev->nclasses);
    return *slot;
}
