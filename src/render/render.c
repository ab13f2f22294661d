/* The engine table and the render entry point. */
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"

/* Each engine, and what its policies cannot deny at ingress (NULL:
 * nothing), for verify's unenforceable flows (docs/verify.md). */
static const struct engine {
    const char *name;
    npc_render_fn render;
    const char *ingress_limit;
} engines[] = {
    {"kubernetes", npc_render_kubernetes, NULL},
    /* network-policy-api v1alpha2: ClusterNetworkPolicyIngressPeer has
     * exactly one of namespaces, pods (standard and experimental) */
    {"cilium", npc_render_cilium, NULL},
    {"clusterNetworkPolicy", npc_render_cnp,
     "ClusterNetworkPolicy ingress peers are namespaces and pods only "
     "(policy.networking.k8s.io/v1alpha2), so no ClusterNetworkPolicy matches a source "
     "outside the cluster; a NetworkPolicy that isolates the pod for ingress closes it"},
    {"calico", npc_render_calico, NULL},
};

static const char *const engine_names[] = {"kubernetes", "cilium", "clusterNetworkPolicy", "calico",
                                           NULL};

const char *const *npc_render_engines(void)
{
    return engine_names;
}

const char *npc_render_ingress_limit(const char *engine)
{
    for (size_t i = 0; engine && i < sizeof engines / sizeof engines[0]; i++)
        if (!strcmp(engines[i].name, engine))
            return engines[i].ingress_limit;
    return NULL;
}

int npc_render_passthrough(npc_arena *a, const npc_annex *ax, const char *engine, npc_ev *rules[2],
                           seen_keys seen[2])
{
    int dirs = 0;
    for (int d = 0; d < 2; d++) {
        for (size_t j = 0; j < ax->nraw[d]; j++) {
            if (strcmp(ax->raw[d][j].engine, engine))
                continue;
            npc_ev *r = npc_ev_from_node(a, ax->raw[d][j].rule);
            if (npc_render_seen_add(a, &seen[d], r))
                npc_ev_push(a, rules[d], r);
        }
        if (rules[d]->n > 0 || ax->isolate[d])
            dirs |= 1 << d;
    }
    return dirs;
}

npc_ev *npc_render_types(npc_arena *a, int dirs)
{
    npc_ev *t = npc_ev_seq(a);
    if (dirs & 1)
        npc_ev_push(a, t, npc_ev_str(a, "Ingress"));
    if (dirs & 2)
        npc_ev_push(a, t, npc_ev_str(a, "Egress"));
    return t;
}

const char *npc_render_str(const npc_compiled *c, npc_sym s)
{
    return npc_sym_str(c->spec->ctx->strings, s);
}

int npc_render_seen_add(npc_arena *a, seen_keys *seen, const npc_ev *v)
{
    npc_buf k = NPC_BUF_INIT;
    npc_ev_key(v, &k);
    int fresh = 1;
    for (size_t i = 0; i < seen->n && fresh; i++)
        fresh = strcmp(seen->keys[i], npc_buf_cstr(&k)) != 0;
    if (fresh) {
        const char *key = npc_arena_strdup(a, npc_buf_cstr(&k));
        NPC_APUSH(a, seen->keys, seen->n, seen->cap, key);
    }
    npc_buf_free(&k);
    return fresh;
}

npc_loc npc_render_rule_where(const npc_annex *ax, uint32_t ri, const npc_rule *r)
{
    if (ax->rules && ax->rules[ri].nflows)
        return ax->rules[ri].flows[0]->loc;
    return r->loc;
}

int npc_render_has_nonpod_peer(const npc_rule *r)
{
    for (uint32_t i = 0; i < r->npeers; i++)
        if (r->peers[i].kind != NPC_PEER_PODS)
            return 1;
    return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

npc_ev *npc_render_selector(npc_arena *a, const npc_ctx *ctx, const npc_selector *sel)
{
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist"};
    const npc_interner *in = ctx->strings;
    npc_ev *m = npc_ev_map(a), *ml = NULL, *me = NULL;
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        const npc_sel_expr *e = &sel->exprs[i];
        if (!e->from_match_labels)
            continue;
        if (!ml)
            ml = npc_ev_map(a);
        npc_ev_put(a, ml, npc_sym_str(in, e->key), npc_ev_str(a, npc_sym_str(in, e->values[0])));
    }
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        const npc_sel_expr *e = &sel->exprs[i];
        if (e->from_match_labels)
            continue;
        if (!me)
            me = npc_ev_seq(a);
        npc_ev *x = npc_ev_map(a);
        npc_ev_put(a, x, "key", npc_ev_str(a, npc_sym_str(in, e->key)));
        npc_ev_put(a, x, "operator", npc_ev_str(a, ops[e->op]));
        if (e->nvalues) {
            const char **v = npc_arena_alloc(a, e->nvalues * sizeof *v);
            for (uint32_t j = 0; j < e->nvalues; j++)
                v[j] = npc_sym_str(in, e->values[j]);
            qsort(v, e->nvalues, sizeof *v, cmp_cstr);
            npc_ev *vals = npc_ev_seq(a);
            for (uint32_t j = 0; j < e->nvalues; j++)
                npc_ev_push(a, vals, npc_ev_str(a, v[j]));
            npc_ev_put(a, x, "values", vals);
        }
        npc_ev_push(a, me, x);
    }
    if (ml)
        npc_ev_put(a, m, "matchLabels", ml);
    if (me)
        npc_ev_put(a, m, "matchExpressions", me);
    return m;
}

void npc_render_fqdn_fallback(npc_ctx *ctx, const npc_compiled *c, const npc_peer *p,
                              const char *engine)
{
    if (!npc_spec_warn_once(c->spec, NPC122, p->loc))
        return;
    npc_buf fb = NPC_BUF_INIT;
    for (uint32_t i = 0; i < p->nfallback; i++) {
        const npc_peer *f = &p->fallback[i];
        npc_buf_puts(&fb, i == 0 ? "" : i + 1 == p->nfallback ? " or " : ", ");
        switch (f->kind) {
        case NPC_PEER_IPS:
            if (!f->cidr)
                npc_buf_puts(&fb, "any IP");
            else
                npc_buf_printf(&fb, "%s%s", npc_render_str(c, f->cidr),
                               f->nexcept ? " (with exceptions)" : "");
            break;
        case NPC_PEER_PODS:
            npc_buf_puts(&fb, "pods");
            break;
        case NPC_PEER_ANY:
        case NPC_PEER_FQDN:
        case NPC_PEER_NODES:
        case NPC_PEER_ENTITY:
            npc_buf_puts(&fb, "its peers");
            break;
        }
    }
    npc_warning(ctx, NPC122, p->loc,
                "FQDN '%s' is rendered as %s on the %s engine, which has no FQDN rules: the "
                "policy allows all of that, not only %s",
                npc_render_str(c, p->fqdn), npc_buf_cstr(&fb), engine, npc_render_str(c, p->fqdn));
    npc_buf_free(&fb);
}

npc_ev *npc_render_meta(npc_arena *a, const npc_compiled *c, const char *name, const char *ns)
{
    npc_ev *md = npc_ev_map(a);
    npc_ev_put(a, md, "name", npc_ev_str(a, name));
    if (ns)
        npc_ev_put(a, md, "namespace", npc_ev_str(a, ns));
    const npc_spec *s = c->spec;
    if (s->nlabels) {
        npc_ev *l = npc_ev_map(a);
        for (size_t i = 0; i < s->nlabels; i++)
            npc_ev_put(a, l, s->labels[i].key, npc_ev_str(a, s->labels[i].value));
        npc_ev_put(a, md, "labels", l);
    }
    return md;
}

npc_ev *npc_render_metadata(npc_arena *a, const npc_compiled *c, const npc_annex *p)
{
    return npc_render_meta(a, c, p->name, p->ns);
}

/* The spec's engine and where it was given (no position: the default). */
static const char *spec_engine(npc_spec *spec, npc_loc *where)
{
    if (spec->engine_opt >= 0) {
        const char *v = npc_opt_string(spec, spec->engine_opt);
        if (*v) {
            *where = npc_node_loc(spec->options[spec->engine_opt].value);
            return v;
        }
    }
    *where = spec->engine_loc;
    return spec->engine ? spec->engine : "kubernetes";
}

const char *npc_spec_engine(npc_spec *spec)
{
    npc_loc where;
    return spec_engine(spec, &where);
}

npc_status npc_render(npc_spec *spec, const char *engine, npc_format format, npc_buf *out)
{
    npc_ctx *ctx = spec->ctx;
    npc_loc where = {0}; /* --engine has no position */
    if (!engine)
        engine = spec_engine(spec, &where);
    const struct engine *e = NULL;
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (!strcmp(engines[i].name, engine))
            e = &engines[i];
    if (!e) {
        npc_buf names = NPC_BUF_INIT;
        for (size_t i = 0; engine_names[i]; i++)
            npc_buf_printf(&names, "%s%s", i ? ", " : "", engine_names[i]);
        npc_error(ctx, NPC301, where, "unknown or not yet supported engine '%s' (supported: %s)",
                  engine, npc_buf_cstr(&names));
        npc_buf_free(&names);
        return NPC_ERR_INPUT;
    }
    npc_compiled *c = npc_compile_keep_bad_names(spec, e->name);
    if (!c) {
        /* the engine's own checks need the compiled policies: say that
         * they follow, so that a fixed spec's new errors are expected */
        npc_loc none = {NULL, 0, 0};
        npc_warning(ctx, NPC118, none,
                    "further checks (peers and named ports the %s engine cannot express) run "
                    "once these errors are fixed",
                    e->name);
        return NPC_ERR_INPUT;
    }
    npc_docs_list docs = {NULL, 0, 0};
    npc_status st = NPC_ERR_INPUT;
    /* with invalid names the engine's checks still run: no output */
    if (e->render(ctx, c, c->arena, &docs) && !c->bad_names) {
        npc_buf tmp = NPC_BUF_INIT;
        npc_emit_stream(c->arena, docs.items, docs.n, format, &tmp);
        if (tmp.len)
            npc_buf_append(out, tmp.data, tmp.len);
        npc_buf_free(&tmp);
        st = NPC_OK;
    }
    npc_compiled_free(c);
    return st;
}
