/* Labels and label selectors of the traffic spec: Kubernetes syntax, kept
 * sorted so that equal selectors have equal text (npc_ssel_key). */
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "spec/spec.h"
#include "util/buf.h"

/* The syntax itself is the model's (model/labels.c), so manifests and specs
 * accept the same labels. */
int npc_spec_label_value_ok(const char *v)
{
    return npc_label_value_valid(v, strlen(v));
}

int npc_spec_label_key_ok(const char *k)
{
    return npc_label_key_valid(k, strlen(k));
}

void npc_ssel_add_label(npc_arena *a, npc_ssel *sel, const char *k, const char *v)
{
    size_t i = 0;
    while (i < sel->nlabels && strcmp(sel->labels[i].key, k) < 0)
        i++;
    if (i < sel->nlabels && strcmp(sel->labels[i].key, k) == 0) {
        sel->labels[i].value = v;
        return;
    }
    npc_kv kv = {k, v};
    NPC_APUSH(a, sel->labels, sel->nlabels, sel->lcap, kv);
    memmove(&sel->labels[i + 1], &sel->labels[i], (sel->nlabels - 1 - i) * sizeof kv);
    sel->labels[i] = kv;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_expr(const void *a, const void *b)
{
    const npc_sexpr *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->op != y->op)
        return (int)x->op - (int)y->op;
    for (size_t i = 0; i < x->nvalues && i < y->nvalues; i++)
        if ((c = strcmp(x->values[i], y->values[i])))
            return c;
    return x->nvalues < y->nvalues ? -1 : x->nvalues > y->nvalues;
}

static const char *const sop_names[] = {"In", "NotIn", "Exists", "DoesNotExist"};

static const char *label_key(npc_spec *s, const npc_node *k, const char *what)
{
    const char *ks = npc_spec_string(s, k, what);
    if (ks && !npc_spec_label_key_ok(ks)) {
        npc_error(s->ctx, NPC114, npc_node_loc(k), "invalid label key '%s'", ks);
        return NULL;
    }
    return ks;
}

/* A label value: any scalar but null (numbers read as their text); key
 * names it in the message when it is a map's value. */
static const char *label_value(npc_spec *s, const npc_node *v, const char *key)
{
    if (!v || v->kind != NPC_NODE_SCALAR || npc_node_is_null(v)) {
        if (key)
            npc_error(s->ctx, NPC103, npc_node_loc(v),
                      "label value of '%s' must be a string, not %s", key, npc_node_type_a(v));
        else
            npc_error(s->ctx, NPC103, npc_node_loc(v), "a value must be a string");
        return NULL;
    }
    const char *vs = npc_spec_dup(s, v);
    if (strlen(vs) != v->u.scalar.len) {
        npc_error(s->ctx, NPC114, npc_node_loc(v), "invalid label value: it holds a NUL character");
        return NULL;
    }
    if (!npc_spec_label_value_ok(vs)) {
        npc_error(s->ctx, NPC114, npc_node_loc(v), "invalid label value '%s'", vs);
        return NULL;
    }
    return vs;
}

int npc_spec_parse_label_map(npc_spec *s, const npc_node *n, npc_ssel *out)
{
    int ok = 1;
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        const char *ks = label_key(s, k, "a label key");
        const char *vs = ks ? label_value(s, v, ks) : NULL;
        if (!vs) {
            ok = 0;
            continue;
        }
        npc_ssel_add_label(s->arena, out, ks, vs);
    }
    return ok;
}

static int parse_expr(npc_spec *s, const npc_node *e, npc_sexpr *out)
{
    static const char *const keys[] = {"key", "operator", "values", NULL};
    if (!npc_spec_want_map(s, e, "a matchExpressions item") ||
        !npc_spec_check_keys(s, e, "a matchExpressions item", keys))
        return 0;
    const npc_node *k = npc_map_get(e, "key"), *op = npc_map_get(e, "operator"),
                   *vals = npc_map_get(e, "values");
    if (!k || !op) {
        npc_error(s->ctx, NPC104, npc_node_loc(e),
                  "a matchExpressions item needs 'key' and 'operator'");
        return 0;
    }
    const char *ks = label_key(s, k, "'key'");
    if (!ks)
        return 0;
    memset(out, 0, sizeof *out);
    out->key = ks;
    int found = 0;
    for (int i = 0; i < 4; i++)
        if (npc_node_scalar_eq(op, sop_names[i])) {
            out->op = (npc_sop)i;
            found = 1;
        }
    if (!found) {
        npc_error(s->ctx, NPC114, npc_node_loc(op),
                  "operator must be In, NotIn, Exists or DoesNotExist");
        return 0;
    }
    int want_values = out->op == NPC_SOP_IN || out->op == NPC_SOP_NOTIN;
    if (want_values) {
        if (!vals || vals->kind != NPC_NODE_SEQ || vals->u.seq.len == 0) {
            npc_error(s->ctx, NPC114, npc_node_loc(vals ? vals : e),
                      "operator %s needs a non-empty list of values", sop_names[out->op]);
            return 0;
        }
        for (size_t i = 0; i < vals->u.seq.len; i++) {
            const char *vs = label_value(s, vals->u.seq.items[i], NULL);
            if (!vs)
                return 0;
            NPC_APUSH(s->arena, out->values, out->nvalues, out->cap, vs);
        }
        if (out->nvalues > 1)
            qsort(out->values, out->nvalues, sizeof *out->values, cmp_str);
        size_t w = 0;
        for (size_t i = 0; i < out->nvalues; i++)
            if (w == 0 || strcmp(out->values[w - 1], out->values[i]))
                out->values[w++] = out->values[i];
        out->nvalues = w;
    } else if (vals && !(vals->kind == NPC_NODE_SEQ && vals->u.seq.len == 0)) {
        npc_error(s->ctx, NPC114, npc_node_loc(vals), "operator %s takes no values",
                  sop_names[out->op]);
        return 0;
    }
    return 1;
}

int npc_spec_parse_selector(npc_spec *s, const npc_node *n, npc_ssel *out, int allow_plain)
{
    memset(out, 0, sizeof *out);
    if (npc_node_is_null(n))
        return 1;
    if (!npc_spec_want_map(s, n, "a label selector"))
        return 0;
    const npc_node *ml = npc_map_get(n, "matchLabels"), *me = npc_map_get(n, "matchExpressions");
    if (!(ml || me) && allow_plain)
        return npc_spec_parse_label_map(s, n, out);
    static const char *const keys[] = {"matchLabels", "matchExpressions", NULL};
    int ok = npc_spec_check_keys(s, n, "a label selector", keys);
    if (ml && !npc_node_is_null(ml))
        ok =
            (npc_spec_want_map(s, ml, "matchLabels") && npc_spec_parse_label_map(s, ml, out)) && ok;
    if (me && !npc_node_is_null(me)) {
        if (!npc_spec_want_seq(s, me, "matchExpressions"))
            return 0;
        for (size_t i = 0; i < me->u.seq.len; i++) {
            npc_sexpr e;
            if (parse_expr(s, me->u.seq.items[i], &e))
                NPC_APUSH(s->arena, out->exprs, out->nexprs, out->ecap, e);
            else
                ok = 0;
        }
        if (out->nexprs > 1)
            qsort(out->exprs, out->nexprs, sizeof *out->exprs, cmp_expr);
    }
    return ok;
}

void npc_ssel_key(const npc_ssel *sel, npc_buf *out)
{
    for (size_t i = 0; i < sel->nlabels; i++)
        npc_buf_printf(out, "%s%s=%s", i ? "," : "", sel->labels[i].key, sel->labels[i].value);
    for (size_t i = 0; i < sel->nexprs; i++) {
        const npc_sexpr *e = &sel->exprs[i];
        npc_buf_printf(out, "%s%s %s", (i || sel->nlabels) ? "," : "", e->key, sop_names[e->op]);
        for (size_t j = 0; j < e->nvalues; j++)
            npc_buf_printf(out, "%s%s", j ? "|" : " ", e->values[j]);
    }
}
