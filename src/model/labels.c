/* Label sets and selectors: parsing from manifests and matching. */
#include <stdlib.h>
#include <string.h>

#include "model/calico_selector.h"
#include "model/fields.h"
#include "model/ir.h"
#include "model/names.h"
#include "util/ctx.h"
#include "util/diag.h"

npc_sym npc_labels_get(const npc_labels *ls, npc_sym key)
{
    uint32_t lo = 0, hi = ls->len;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (ls->items[mid].key == key)
            return ls->items[mid].value;
        if (ls->items[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int contains(const npc_sym *v, uint32_t n, npc_sym x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v[mid] == x)
            return 1;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int npc_selector_matches(const npc_selector *sel, const npc_labels *ls)
{
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        const npc_sel_expr *e = &sel->exprs[i];
        npc_sym v = npc_labels_get(ls, e->key);
        switch (e->op) {
        case NPC_SEL_IN:
            if (!v || !contains(e->values, e->nvalues, v))
                return 0;
            break;
        case NPC_SEL_NOTIN:
            if (v && contains(e->values, e->nvalues, v))
                return 0;
            break;
        case NPC_SEL_EXISTS:
            if (!v)
                return 0;
            break;
        case NPC_SEL_NOTEXISTS:
            if (v)
                return 0;
            break;
        }
    }
    return !sel->tree || npc_csel_matches(sel->tree, sel->tree_str, ls);
}

int npc_selector_is_empty(const npc_selector *sel)
{
    return sel->nexprs == 0 && !sel->tree;
}

static int cmp_sym(const void *a, const void *b)
{
    npc_sym x = *(const npc_sym *)a, y = *(const npc_sym *)b;
    return x < y ? -1 : x > y;
}

static int cmp_label(const void *a, const void *b)
{
    const npc_label *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Label values: at most 63 characters of [A-Za-z0-9_.-], alphanumeric at
 * both ends; keys: an optional DNS prefix and '/', then a name like a value
 * but not empty. Checked loosely: what Kubernetes would reject is rejected. */
static int valid_name_part(const char *s, size_t n, int allow_empty)
{
    if (n == 0)
        return allow_empty;
    if (n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-' && ch != '_' && ch != '.')
            return 0;
        if ((i == 0 || i == n - 1) && !alnum)
            return 0;
    }
    return 1;
}

static int valid_key(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    if (!slash)
        return valid_name_part(s, n, 0);
    size_t plen = (size_t)(slash - s);
    if (plen == 0 || plen > 253)
        return 0;
    for (size_t i = 0; i < plen; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
            return 0;
    }
    return valid_name_part(slash + 1, n - plen - 1, 0);
}

int npc_label_key_valid(const char *s, size_t n)
{
    return valid_key(s, n);
}

int npc_label_value_valid(const char *s, size_t n)
{
    return valid_name_part(s, n, 1);
}

const char *npc_node_type_a(const npc_node *n)
{
    static const struct {
        const char *name, *with_article;
    } names[] = {{"mapping", "a mapping"},  {"sequence", "a sequence"}, {"string", "a string"},
                 {"integer", "an integer"}, {"number", "a number"},     {"boolean", "a boolean"},
                 {"null", "null"}};
    const char *t = npc_node_type_name(n);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, t) == 0)
            return names[i].with_article;
    return t;
}

static int scalar_string(npc_cluster *c, const npc_node *n, const char *what)
{
    if (!n || n->kind != NPC_NODE_SCALAR) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be a string, not %s", what,
                  npc_node_type_a(n));
        return 0;
    }
    return 1;
}

/* A plain scalar the YAML reader types as a number or boolean (`1`, `true`)
 * where Kubernetes wants a string: kubectl and the API server refuse it
 * ("cannot unmarshal number into ... of type string"). */
static int typed_string(npc_cluster *c, const npc_node *n, const char *what)
{
    if (npc_node_is_string(n))
        return 1;
    npc_error(c->ctx, NPC205, npc_node_loc(n), "a %s must be a string, not %s: quote it (\"%s\")",
              what, npc_node_type_a(n), n->u.scalar.s);
    return 0;
}

/* Cilium selector keys may carry a source ("k8s:app", "any:app",
 * "reserved:host"): k8s and any are the sources a pod's labels have, so
 * the key is the bare label key; other sources are kept in the key, which
 * no pod label has. *rest is the part the Kubernetes syntax applies to. */
static npc_sym sourced_key(npc_cluster *c, const char *s, size_t n, int sourced, const char **rest,
                           size_t *nrest)
{
    *rest = s;
    *nrest = n;
    const char *colon = sourced ? memchr(s, ':', n) : NULL;
    if (!colon)
        return npc_intern(c->ctx->strings, s, n);
    size_t sl = (size_t)(colon - s);
    *rest = colon + 1;
    *nrest = n - sl - 1;
    if ((sl == 3 && memcmp(s, "k8s", 3) == 0) || (sl == 3 && memcmp(s, "any", 3) == 0))
        return npc_intern(c->ctx->strings, *rest, *nrest);
    return npc_intern(c->ctx->strings, s, n);
}

static int parse_labels(npc_cluster *c, const npc_node *n, npc_labels *out, int sourced)
{
    memset(out, 0, sizeof *out);
    if (npc_node_is_null(n))
        return 1;
    if (n->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "labels must be a mapping, not %s",
                  npc_node_type_a(n));
        return 0;
    }
    int ok = 1;
    out->items = npc_arena_alloc(c->arena, n->u.map.len * sizeof(npc_label));
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        if (!scalar_string(c, k, "a label key")) {
            ok = 0;
            continue;
        }
        const char *rest;
        size_t nrest;
        npc_sym key = sourced_key(c, k->u.scalar.s, k->u.scalar.len, sourced, &rest, &nrest);
        if (!valid_key(rest, nrest)) {
            npc_error(c->ctx, NPC205, npc_node_loc(k), "invalid label key '%s'%s", k->u.scalar.s,
                      npc_node_has_nul(k) ? "...: it contains a NUL character" : "");
            ok = 0;
            continue;
        }
        if (npc_node_is_null(v) && v && v->kind == NPC_NODE_SCALAR) {
            /* "key:" is the empty string in Kubernetes' YAML reading */
        } else if (!scalar_string(c, v, "a label value") || !typed_string(c, v, "label value")) {
            ok = 0;
            continue;
        } else if (!valid_name_part(v->u.scalar.s, v->u.scalar.len, 1)) {
            npc_error(c->ctx, NPC205, npc_node_loc(v), "invalid label value '%s'%s", v->u.scalar.s,
                      npc_node_has_nul(v) ? "...: it contains a NUL character" : "");
            ok = 0;
            continue;
        }
        npc_label l;
        l.key = key;
        l.value = npc_node_is_null(v) ? npc_intern(c->ctx->strings, "", 0)
                                      : npc_intern(c->ctx->strings, v->u.scalar.s, v->u.scalar.len);
        out->items[out->len++] = l;
    }
    qsort(out->items, out->len, sizeof(npc_label), cmp_label);
    if (sourced) { /* "k8s:app" and "app" are one key: the last one counts */
        uint32_t m = 0;
        for (uint32_t i = 0; i < out->len; i++) {
            if (m && out->items[m - 1].key == out->items[i].key)
                m--;
            out->items[m++] = out->items[i];
        }
        out->len = m;
    }
    return ok;
}

int npc_parse_labels(npc_cluster *c, const npc_node *n, npc_labels *out)
{
    return parse_labels(c, n, out, 0);
}

/* The values of a match expression: sorted and unique in the result, as
 * written (order and repeats kept) in *written. */
static npc_sym *intern_values(npc_cluster *c, const npc_node *vals, uint32_t *n, npc_sym **written,
                              uint32_t *nwritten, int *ok)
{
    *n = 0;
    *written = NULL;
    *nwritten = 0;
    if (npc_node_is_null(vals))
        return NULL;
    if (vals->kind != NPC_NODE_SEQ) {
        npc_error(c->ctx, NPC204, npc_node_loc(vals), "'values' must be a sequence, not %s",
                  npc_node_type_a(vals));
        *ok = 0;
        return NULL;
    }
    npc_sym *v = npc_arena_alloc(c->arena, vals->u.seq.len * sizeof(npc_sym));
    for (size_t i = 0; i < vals->u.seq.len; i++) {
        const npc_node *x = vals->u.seq.items[i];
        if (!scalar_string(c, x, "a selector value") || !typed_string(c, x, "selector value")) {
            *ok = 0;
            continue;
        }
        if (!valid_name_part(x->u.scalar.s, x->u.scalar.len, 1) || npc_node_has_nul(x)) {
            npc_error(c->ctx, NPC205, npc_node_loc(x), "invalid label value '%s' in 'values'",
                      x->u.scalar.s);
            *ok = 0;
            continue;
        }
        v[(*n)++] = npc_intern(c->ctx->strings, x->u.scalar.s, x->u.scalar.len);
    }
    if (*n) {
        *written = npc_arena_alloc(c->arena, *n * sizeof(npc_sym));
        memcpy(*written, v, *n * sizeof(npc_sym));
        *nwritten = *n;
    }
    qsort(v, *n, sizeof(npc_sym), cmp_sym);
    uint32_t m = 0;
    for (uint32_t i = 0; i < *n; i++)
        if (m == 0 || v[m - 1] != v[i])
            v[m++] = v[i];
    *n = m;
    return v;
}

static const struct {
    const char *name;
    npc_sel_op op;
    int wants_values; /* 1 required non-empty, -1 must be empty */
} sel_ops[] = {
    {"In", NPC_SEL_IN, 1},
    {"NotIn", NPC_SEL_NOTIN, 1},
    {"Exists", NPC_SEL_EXISTS, -1},
    {"DoesNotExist", NPC_SEL_NOTEXISTS, -1},
};

static int parse_selector(npc_cluster *c, const npc_node *n, npc_selector *out, int sourced)
{
    memset(out, 0, sizeof *out);
    if (npc_node_is_null(n))
        return 1;
    if (n->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC204, npc_node_loc(n), "a label selector must be a mapping, not %s",
                  npc_node_type_a(n));
        return 0;
    }
    int ok = 1;
    const npc_node *ml = NULL, *me = NULL;
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key;
        if (npc_node_scalar_eq(k, "matchLabels"))
            ml = n->u.map.items[i].value;
        else if (npc_node_scalar_eq(k, "matchExpressions"))
            me = n->u.map.items[i].value;
        else {
            static const char *const fields[] = {"matchLabels", "matchExpressions", NULL};
            npc_unknown_field(c->ctx, k, fields, NULL, "a label selector");
            ok = 0;
        }
    }
    npc_labels labels;
    if (!parse_labels(c, ml, &labels, sourced))
        ok = 0;
    size_t nme = 0;
    if (!npc_node_is_null(me)) {
        if (me->kind != NPC_NODE_SEQ) {
            npc_error(c->ctx, NPC204, npc_node_loc(me),
                      "matchExpressions must be a sequence, not %s", npc_node_type_a(me));
            return 0;
        }
        nme = me->u.seq.len;
    }
    out->exprs = npc_arena_alloc(c->arena, (labels.len + nme) * sizeof(npc_sel_expr));
    for (uint32_t i = 0; i < labels.len; i++) {
        npc_sel_expr *e = &out->exprs[out->nexprs++];
        e->op = NPC_SEL_IN;
        e->key = labels.items[i].key;
        e->values = npc_arena_alloc(c->arena, sizeof(npc_sym));
        e->values[0] = labels.items[i].value;
        e->nvalues = 1;
        e->from_match_labels = 1;
    }
    for (size_t i = 0; i < nme; i++) {
        const npc_node *x = me->u.seq.items[i];
        if (x->kind != NPC_NODE_MAP) {
            npc_error(c->ctx, NPC204, npc_node_loc(x), "a match expression must be a mapping");
            ok = 0;
            continue;
        }
        const npc_node *key = npc_map_get(x, "key"), *op = npc_map_get(x, "operator");
        const npc_node *vals = npc_map_get(x, "values");
        for (size_t j = 0; j < x->u.map.len; j++) {
            const npc_node *k = x->u.map.items[j].key;
            static const char *const fields[] = {"key", "operator", "values", NULL};
            if (!npc_node_scalar_eq(k, "key") && !npc_node_scalar_eq(k, "operator") &&
                !npc_node_scalar_eq(k, "values")) {
                npc_unknown_field(c->ctx, k, fields, NULL, "a match expression");
                ok = 0;
            }
        }
        if (!key || !op) {
            npc_error(c->ctx, NPC202, npc_node_loc(x),
                      "a match expression needs 'key' and 'operator'");
            ok = 0;
            continue;
        }
        if (!scalar_string(c, key, "'key'") || !scalar_string(c, op, "'operator'")) {
            ok = 0;
            continue;
        }
        const char *rest;
        size_t nrest;
        npc_sym ekey = sourced_key(c, key->u.scalar.s, key->u.scalar.len, sourced, &rest, &nrest);
        if (!valid_key(rest, nrest)) {
            npc_error(c->ctx, NPC205, npc_node_loc(key), "invalid label key '%s'", key->u.scalar.s);
            ok = 0;
            continue;
        }
        size_t o = 0;
        while (o < sizeof sel_ops / sizeof sel_ops[0] && !npc_node_scalar_eq(op, sel_ops[o].name))
            o++;
        if (o == sizeof sel_ops / sizeof sel_ops[0]) {
            npc_error(c->ctx, NPC204, npc_node_loc(op),
                      "unknown operator '%s' (expected In, NotIn, Exists or DoesNotExist)",
                      op->u.scalar.s);
            ok = 0;
            continue;
        }
        npc_sel_expr e;
        memset(&e, 0, sizeof e);
        e.op = sel_ops[o].op;
        e.key = ekey;
        e.values = intern_values(c, vals, &e.nvalues, &e.written, &e.nwritten, &ok);
        if (sel_ops[o].wants_values > 0 && e.nvalues == 0) {
            npc_error(c->ctx, NPC204, npc_node_loc(x),
                      "operator %s needs a non-empty 'values' list", sel_ops[o].name);
            ok = 0;
            continue;
        }
        if (sel_ops[o].wants_values < 0 && e.nvalues > 0) {
            npc_error(c->ctx, NPC204, npc_node_loc(vals), "operator %s takes no 'values'",
                      sel_ops[o].name);
            ok = 0;
            continue;
        }
        out->exprs[out->nexprs++] = e;
    }
    return ok;
}

int npc_parse_selector(npc_cluster *c, const npc_node *n, npc_selector *out)
{
    return parse_selector(c, n, out, 0);
}

int npc_parse_selector_sourced(npc_cluster *c, const npc_node *n, npc_selector *out)
{
    return parse_selector(c, n, out, 1);
}
