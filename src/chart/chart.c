/* `netpolc chart`: the engine table of the chart back ends, values.yaml,
 * values.schema.json and the parameter table. */
#include <string.h>

#include "chart/chart.h"
#include "util/diag.h"

static const struct chart_engine {
    const char *name;
    npc_chart_engine_fn gen;
    npc_chart_pre_fn pre;
} chart_engines[] = {
    {"kubernetes", npc_chart_kubernetes, NULL},
    {"clusterNetworkPolicy", npc_chart_cnp, npc_chart_cnp_pre},
};

static const struct chart_engine *find_engine(const char *name)
{
    for (size_t i = 0; i < sizeof chart_engines / sizeof chart_engines[0]; i++)
        if (!strcmp(chart_engines[i].name, name))
            return &chart_engines[i];
    return NULL;
}

/* ------------------------------------------------------------ options */

/* What an option is used for, so the schema can say more than its type. */
typedef struct opt_use {
    int port;   /* an int option giving a port */
    int ns;     /* a string(s) option naming namespaces of peers */
    int nsname; /* a string option naming a namespace of the spec's (empty: the release's) */
    int engine; /* the engine option */
    int rules;  /* a raw option holding passthrough rules */
} opt_use;

static void ports_use(const npc_sport *ps, size_t n, opt_use *use)
{
    for (size_t i = 0; i < n; i++)
        if (ps[i].kind == NPC_SPORT_OPTION && ps[i].opt >= 0)
            use[ps[i].opt].port = 1;
}

static void peers_use(const npc_speer *ps, size_t n, opt_use *use)
{
    for (size_t i = 0; i < n; i++) {
        if (ps[i].kind == NPC_SP_PODS && ps[i].ns_kind == NPC_SNS_OPTION)
            use[ps[i].ns_opt].ns = 1;
        peers_use(ps[i].fallback, ps[i].nfallback, use);
    }
}

static opt_use *option_uses(npc_chart_gen *g)
{
    npc_spec *s = g->s;
    opt_use *use = npc_arena_alloc(g->a, (s->noptions + 1) * sizeof *use);
    memset(use, 0, (s->noptions + 1) * sizeof *use);
    for (size_t i = 0; i < s->nflows; i++) {
        ports_use(s->flows[i].ports, s->flows[i].nports, use);
        peers_use(s->flows[i].from, s->flows[i].nfrom, use);
        peers_use(s->flows[i].to, s->flows[i].nto, use);
    }
    for (size_t i = 0; i < s->nentities; i++)
        for (size_t j = 0; j < s->entities[i].nparts; j++) {
            const npc_entity_part *p = &s->entities[i].parts[j];
            ports_use(p->ports, p->nports, use);
            peers_use(p->peers, p->npeers, use);
        }
    for (size_t i = 0; i < s->npassthrough; i++)
        for (int d = 0; d < 2; d++) {
            const npc_node *r = s->passthrough[i].rules[d];
            if (r && r->kind == NPC_NODE_MAP) {
                int o = npc_spec_find_option(s, npc_map_get(r, "option")->u.scalar.s);
                if (o >= 0)
                    use[o].rules = 1;
            }
        }
    if (s->engine_opt >= 0)
        use[s->engine_opt].engine = 1;
    if (s->ns_opt >= 0)
        use[s->ns_opt].nsname = 1;
    for (size_t i = 0; i < s->ncomponents; i++)
        if (s->components[i].ns_opt >= 0)
            use[s->components[i].ns_opt].nsname = 1;
    return use;
}

/* The value of a peers option in NetworkPolicyPeer form (the chart's
 * values hold peers as Kubernetes writes them); NULL when a peer has no
 * such form (a component in another namespace is named by its namespace). */
static npc_ev *peers_value(npc_chart_gen *g, int opt, npc_loc *bad)
{
    npc_spec *s = g->s;
    npc_arena *a = g->a;
    npc_ev *list = npc_ev_seq(a);
    const npc_node *l = npc_opt_list(s, opt);
    for (size_t i = 0; l && i < l->u.seq.len; i++) {
        npc_speer p;
        size_t before = npc_diag_count(s->ctx);
        int ok = npc_spec_parse_peer(s, l->u.seq.items[i], &p);
        (void)before;
        if (!ok)
            return NULL;
        npc_ev *v = npc_chart_peer_ev(g, &p);
        if (!v) {
            *bad = p.loc;
            return NULL;
        }
        for (size_t j = 0; j < v->n; j++)
            npc_ev_push(a, list, v->items[j]);
    }
    return list;
}

static npc_ev *zero_value(npc_arena *a, npc_opt_type t)
{
    switch (t) {
    case NPC_OPT_BOOL:
        return npc_ev_bool(a, 0);
    case NPC_OPT_INT:
        return npc_ev_int(a, 0);
    case NPC_OPT_STRING:
        return npc_ev_str(a, "");
    case NPC_OPT_STRINGS:
    case NPC_OPT_PEERS:
    case NPC_OPT_ENDPOINTS:
    case NPC_OPT_RAW:
    case NPC_OPT_TYPE_COUNT:
        break;
    }
    return npc_ev_seq(a);
}

static npc_ev *option_value(npc_chart_gen *g, int opt)
{
    const npc_option *o = &g->s->options[opt];
    if (o->type == NPC_OPT_PEERS) {
        npc_loc bad = {0};
        npc_ev *v = peers_value(g, opt, &bad);
        if (!v) {
            npc_error(g->s->ctx, NPC305, bad.file ? bad : o->loc,
                      "option '%s': a peer of its value has no NetworkPolicyPeer form for the "
                      "chart's values (use podSelector, namespaceSelector, ipBlock, pods, "
                      "namespaces or cidr peers)",
                      o->name);
            g->failed = 1;
            return npc_ev_seq(g->a);
        }
        return v;
    }
    if (!o->value || npc_node_is_null(o->value))
        return zero_value(g->a, o->type);
    if (o->type == NPC_OPT_STRING)
        return npc_ev_str(g->a, npc_opt_string(g->s, opt));
    return npc_ev_from_node(g->a, o->value);
}

/* ------------------------------------------------------- option tree */

/* Options arranged by their dotted names, in declaration order of first
 * appearance, under the values prefix. */
typedef struct otree {
    const char *key;
    int opt; /* leaf: option index; group: -1 */
    struct otree *kids;
    size_t nkids, cap;
} otree;

static otree *otree_child(npc_arena *a, otree *t, const char *key)
{
    for (size_t i = 0; i < t->nkids; i++)
        if (!strcmp(t->kids[i].key, key))
            return &t->kids[i];
    otree c = {key, -1, NULL, 0, 0};
    NPC_APUSH(a, t->kids, t->nkids, t->cap, c);
    return &t->kids[t->nkids - 1];
}

static void otree_add(npc_arena *a, otree *root, const char *path, int opt)
{
    otree *t = root;
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ".");
        t = otree_child(a, t, npc_arena_strndup(a, p, n));
        p += n + (p[n] == '.');
    }
    t->opt = opt;
}

static otree *option_tree(npc_chart_gen *g)
{
    otree *root = npc_arena_alloc(g->a, sizeof *root);
    memset(root, 0, sizeof *root);
    root->opt = -1;
    const char *pre = g->opts && g->opts->values_prefix ? g->opts->values_prefix : "";
    for (size_t i = 0; i < g->s->noptions; i++) {
        npc_buf path = NPC_BUF_INIT;
        npc_buf_printf(&path, "%s%s%s", pre, *pre ? "." : "", g->s->options[i].name);
        otree_add(g->a, root, npc_arena_strdup(g->a, npc_buf_cstr(&path)), (int)i);
        npc_buf_free(&path);
    }
    return root;
}

static const char *const type_names[NPC_OPT_TYPE_COUNT] = {
    "bool", "int", "string", "strings", "peers", "endpoints", "raw"};

static void comment_lines(const char *text, int ind, npc_buf *out)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        npc_buf_printf(out, "%*s# %.*s\n", ind, "", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

static void values_yaml(npc_chart_gen *g, const otree *t, int ind, npc_buf *out)
{
    for (size_t i = 0; i < t->nkids; i++) {
        const otree *c = &t->kids[i];
        if (c->opt < 0) {
            npc_ev *k = npc_ev_str(g->a, c->key);
            npc_buf kt = NPC_BUF_INIT;
            npc_emit_yaml(k, &kt);
            kt.data[--kt.len] = '\0'; /* the newline */
            npc_buf_printf(out, "%*s%s:\n", ind, "", npc_buf_cstr(&kt));
            npc_buf_free(&kt);
            values_yaml(g, c, ind + 2, out);
            continue;
        }
        const npc_option *o = &g->s->options[c->opt];
        if (o->description)
            comment_lines(o->description, ind, out);
        npc_buf_printf(out, "%*s# (%s, netpolc option %s)\n", ind, "", type_names[o->type],
                       o->name);
        for (size_t k = 0; k < o->nchoices; k++) {
            if (!k)
                npc_buf_printf(out, "%*s# one of: ", ind, "");
            npc_buf_printf(out, "%s%s", k ? ", " : "", o->choices[k]->u.scalar.s);
        }
        if (o->nchoices)
            npc_buf_putc(out, '\n');
        npc_tpl_yaml_under(g->a, c->key, option_value(g, c->opt), ind, out);
    }
}

/* ------------------------------------------------------------- schema */

static npc_ev *jstr(npc_arena *a, const char *s)
{
    return npc_ev_str(a, s);
}

static npc_ev *type_schema(npc_arena *a, const char *type)
{
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "type", jstr(a, type));
    return m;
}

static npc_ev *array_of(npc_arena *a, npc_ev *items)
{
    npc_ev *m = type_schema(a, "array");
    npc_ev_put(a, m, "items", items);
    return m;
}

static npc_ev *ref(npc_arena *a, const char *def)
{
    npc_ev *m = npc_ev_map(a);
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "#/definitions/%s", def);
    npc_ev_put(a, m, "$ref", jstr(a, npc_arena_strdup(a, npc_buf_cstr(&b))));
    npc_buf_free(&b);
    return m;
}

/* LabelSelector and NetworkPolicyPeer, as the Kubernetes API defines them. */
static npc_ev *definitions(npc_arena *a)
{
    npc_ev *defs = npc_ev_map(a);
    npc_ev *sel = type_schema(a, "object"), *props = npc_ev_map(a);
    npc_ev *ml = type_schema(a, "object");
    npc_ev_put(a, ml, "additionalProperties", type_schema(a, "string"));
    npc_ev_put(a, props, "matchLabels", ml);
    npc_ev *expr = type_schema(a, "object"), *eprops = npc_ev_map(a);
    npc_ev_put(a, eprops, "key", type_schema(a, "string"));
    npc_ev *op = type_schema(a, "string"), *ops = npc_ev_seq(a);
    static const char *const opnames[] = {"In", "NotIn", "Exists", "DoesNotExist"};
    for (int i = 0; i < 4; i++)
        npc_ev_push(a, ops, jstr(a, opnames[i]));
    npc_ev_put(a, op, "enum", ops);
    npc_ev_put(a, eprops, "operator", op);
    npc_ev_put(a, eprops, "values", array_of(a, type_schema(a, "string")));
    npc_ev_put(a, expr, "properties", eprops);
    npc_ev *req = npc_ev_seq(a);
    npc_ev_push(a, req, jstr(a, "key"));
    npc_ev_push(a, req, jstr(a, "operator"));
    npc_ev_put(a, expr, "required", req);
    npc_ev_put(a, expr, "additionalProperties", npc_ev_bool(a, 0));
    npc_ev_put(a, props, "matchExpressions", array_of(a, expr));
    npc_ev_put(a, sel, "properties", props);
    npc_ev_put(a, sel, "additionalProperties", npc_ev_bool(a, 0));
    npc_ev_put(a, defs, "labelSelector", sel);

    npc_ev *peer = type_schema(a, "object"), *pprops = npc_ev_map(a);
    npc_ev *ipb = type_schema(a, "object"), *iprops = npc_ev_map(a);
    npc_ev_put(a, iprops, "cidr", type_schema(a, "string"));
    npc_ev_put(a, iprops, "except", array_of(a, type_schema(a, "string")));
    npc_ev_put(a, ipb, "properties", iprops);
    npc_ev *ireq = npc_ev_seq(a);
    npc_ev_push(a, ireq, jstr(a, "cidr"));
    npc_ev_put(a, ipb, "required", ireq);
    npc_ev_put(a, ipb, "additionalProperties", npc_ev_bool(a, 0));
    npc_ev_put(a, pprops, "ipBlock", ipb);
    npc_ev_put(a, pprops, "namespaceSelector", ref(a, "labelSelector"));
    npc_ev_put(a, pprops, "podSelector", ref(a, "labelSelector"));
    npc_ev_put(a, peer, "properties", pprops);
    npc_ev_put(a, peer, "additionalProperties", npc_ev_bool(a, 0));
    npc_ev_put(a, peer, "minProperties", npc_ev_int(a, 1));
    npc_ev_put(a, defs, "networkPolicyPeer", peer);
    return defs;
}

/* Endpoints as npc_endpoint_port reads them: SCHEME://HOST[:PORT][PATH] or
 * HOST:PORT; https, grpcs and http give their default port. */
#define ENDPOINT_PATTERN                                                                           \
    "^((https|http|grpcs)://([^/?#:\\[\\]]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?|"                  \
    "((grpc|tcp)://)?([^/?#:\\[\\]]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5})([/?#].*)?$"
#define DNS_LABEL_PATTERN "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
#define NS_NAME_PATTERN "^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$" /* empty: the release namespace */

static npc_ev *option_schema(npc_chart_gen *g, int opt, const opt_use *use)
{
    npc_arena *a = g->a;
    const npc_option *o = &g->s->options[opt];
    npc_ev *m = npc_ev_map(a);
    switch (o->type) {
    case NPC_OPT_BOOL:
        npc_ev_put(a, m, "type", jstr(a, "boolean"));
        break;
    case NPC_OPT_INT:
        npc_ev_put(a, m, "type", jstr(a, "integer"));
        if (use->port) {
            npc_ev_put(a, m, "minimum", npc_ev_int(a, 1));
            npc_ev_put(a, m, "maximum", npc_ev_int(a, 65535));
        }
        break;
    case NPC_OPT_STRING:
        npc_ev_put(a, m, "type", jstr(a, "string"));
        if (use->engine) {
            npc_ev *en = npc_ev_seq(a);
            for (size_t i = 0; i < sizeof chart_engines / sizeof chart_engines[0]; i++)
                npc_ev_push(a, en, jstr(a, chart_engines[i].name));
            npc_ev_put(a, m, "enum", en);
        } else if (o->nchoices) {
            npc_ev *en = npc_ev_seq(a);
            for (size_t i = 0; i < o->nchoices; i++)
                npc_ev_push(a, en, jstr(a, o->choices[i]->u.scalar.s));
            npc_ev_put(a, m, "enum", en);
        } else if (use->ns)
            npc_ev_put(a, m, "pattern", jstr(a, DNS_LABEL_PATTERN));
        else if (use->nsname)
            npc_ev_put(a, m, "pattern", jstr(a, NS_NAME_PATTERN));
        break;
    case NPC_OPT_STRINGS: {
        npc_ev *it = type_schema(a, "string");
        if (use->ns)
            npc_ev_put(a, it, "pattern", jstr(a, DNS_LABEL_PATTERN));
        npc_ev_put(a, m, "type", jstr(a, "array"));
        npc_ev_put(a, m, "items", it);
        break;
    }
    case NPC_OPT_PEERS:
        npc_ev_put(a, m, "type", jstr(a, "array"));
        npc_ev_put(a, m, "items", ref(a, "networkPolicyPeer"));
        break;
    case NPC_OPT_ENDPOINTS: {
        npc_ev *it = type_schema(a, "string");
        npc_ev_put(a, it, "pattern", jstr(a, ENDPOINT_PATTERN));
        npc_ev_put(a, m, "type", jstr(a, "array"));
        npc_ev_put(a, m, "items", it);
        break;
    }
    case NPC_OPT_RAW:
        if (use->rules) {
            npc_ev_put(a, m, "type", jstr(a, "array"));
            npc_ev_put(a, m, "items", type_schema(a, "object"));
        }
        break;
    case NPC_OPT_TYPE_COUNT:
        break;
    }
    if (o->description)
        npc_ev_put(a, m, "description", jstr(a, o->description));
    return m;
}

static npc_ev *schema_props(npc_chart_gen *g, const otree *t, const opt_use *use)
{
    npc_arena *a = g->a;
    npc_ev *props = npc_ev_map(a);
    for (size_t i = 0; i < t->nkids; i++) {
        const otree *c = &t->kids[i];
        if (c->opt >= 0) {
            npc_ev_put(a, props, c->key, option_schema(g, c->opt, &use[c->opt]));
            continue;
        }
        npc_ev *m = type_schema(a, "object");
        npc_ev_put(a, m, "properties", schema_props(g, c, use));
        npc_ev_put(a, props, c->key, m);
    }
    return props;
}

static void values_schema(npc_chart_gen *g, const otree *t, const opt_use *use, npc_buf *out)
{
    npc_arena *a = g->a;
    npc_ev *root = npc_ev_map(a);
    npc_ev_put(a, root, "$schema", jstr(a, "http://json-schema.org/draft-07/schema#"));
    npc_ev_put(a, root, "type", jstr(a, "object"));
    npc_ev_put(a, root, "properties", schema_props(g, t, use));
    npc_ev_put(a, root, "definitions", definitions(a));
    npc_emit_json(root, out);
}

/* ---------------------------------------------------- parameter table */

static void parameters_md(npc_chart_gen *g, npc_buf *out)
{
    npc_spec *s = g->s;
    const char *pre = g->opts && g->opts->values_prefix ? g->opts->values_prefix : "";
    npc_buf_puts(out, "| Parameter | Type | Default | Description |\n|---|---|---|---|\n");
    for (size_t i = 0; i < s->noptions; i++) {
        const npc_option *o = &s->options[i];
        npc_buf def = NPC_BUF_INIT;
        npc_ev_key(option_value(g, (int)i), &def);
        npc_buf_printf(out, "| `%s%s%s` | %s | `", pre, *pre ? "." : "", o->name,
                       type_names[o->type]);
        npc_buf_md_cell(out, npc_buf_cstr(&def));
        npc_buf_puts(out, "` | ");
        npc_buf_md_cell(out, o->description ? o->description : "");
        for (size_t k = 0; k < o->nchoices; k++) {
            const char *sep = k + 1 == o->nchoices ? " or `" : ", `";
            npc_buf_puts(out, k ? sep : o->description ? " (one of `" : "One of `");
            npc_buf_md_cell(out, o->choices[k]->u.scalar.s);
            npc_buf_putc(out, '`');
        }
        if (o->nchoices && o->description)
            npc_buf_putc(out, ')');
        npc_buf_puts(out, " |\n");
        npc_buf_free(&def);
    }
}

/* ------------------------------------------------------------ driver */

typedef struct chart_file {
    const char *path;
    npc_buf text;
} chart_file;

static void engine_file(npc_chart_gen *g, const struct chart_engine *e, const char *switch_expr,
                        npc_buf *out)
{
    npc_buf_printf(out,
                   "{{- /* %s network policies of %s, generated by netpolc %s; do not edit. */}}\n",
                   e->name, g->s->name ? g->s->name : "the traffic spec", NETPOLC_VERSION);
    if (switch_expr)
        npc_buf_printf(out, "{{- if eq %s \"%s\" }}\n", switch_expr, e->name);
    if (e->pre)
        e->pre(g, out);
    const char *when = npc_tpl_cond_str(g, g->s->when);
    int cond = strcmp(when, "true") != 0;
    if (cond)
        npc_buf_printf(out, "{{- if %s }}\n", when);
    e->gen(g, out);
    if (cond)
        npc_buf_puts(out, "{{- end }}\n");
    if (switch_expr)
        npc_buf_puts(out, "{{- end }}\n");
}

npc_status npc_chart(npc_spec *spec, const npc_chart_opts *opts, npc_chart_file_fn write,
                     void *user)
{
    npc_ctx *ctx = spec->ctx;
    npc_chart_opts none = {NULL, NULL, NULL, NULL};
    npc_chart_gen g = {spec, opts ? opts : &none, npc_arena_new(), 0, 0};
    size_t before = npc_error_count(ctx);
    npc_tpl_bind_ns(&g);
    chart_file files[8];
    size_t nfiles = 0;
    memset(files, 0, sizeof files);

    if (spec->engine_opt >= 0 && !g.opts->engine) {
        /* one file per engine, switched by the engine option */
        npc_buf sw = NPC_BUF_INIT;
        npc_buf_puts(&sw, "(default \"kubernetes\" ");
        npc_tpl_value(&g, spec->engine_opt, &sw);
        npc_buf_putc(&sw, ')');
        const char *swe = npc_arena_strdup(g.a, npc_buf_cstr(&sw));
        npc_buf_free(&sw);
        const char *const *names = npc_render_engines();
        npc_buf list = NPC_BUF_INIT, shown = NPC_BUF_INIT;
        for (size_t i = 0; names[i]; i++) {
            const struct chart_engine *e = find_engine(names[i]);
            if (!e) {
                npc_warning(ctx, NPC305, spec->engine_loc,
                            "the chart has no templates for engine '%s' yet", names[i]);
                continue;
            }
            npc_buf_printf(&list, " \"%s\"", e->name);
            npc_buf_printf(&shown, "%s%s", shown.len ? ", " : "", e->name);
            chart_file *f = &files[nfiles++];
            npc_buf p = NPC_BUF_INIT;
            npc_buf_printf(&p, "templates/networkpolicy-%s.yaml", e->name);
            f->path = npc_arena_strdup(g.a, npc_buf_cstr(&p));
            npc_buf_free(&p);
            engine_file(&g, e, swe, &f->text);
        }
        chart_file *chk = &files[nfiles++];
        chk->path = "templates/networkpolicy-engine.yaml";
        npc_buf_printf(&chk->text,
                       "{{- /* the engine option names an engine these templates render */}}\n"
                       "{{- if not (has %s (list%s)) }}\n"
                       "{{- fail (printf \"unknown or not yet supported engine '%%s' (supported: "
                       "%s)\" %s) }}\n"
                       "{{- end }}\n",
                       swe, npc_buf_cstr(&list), npc_buf_cstr(&shown), swe);
        npc_buf_free(&list);
        npc_buf_free(&shown);
    } else {
        const char *name = g.opts->engine ? g.opts->engine
                           : spec->engine  ? spec->engine
                                           : "kubernetes";
        const struct chart_engine *e = find_engine(name);
        if (!e) {
            npc_loc none_loc = {0}; /* --engine has no position */
            npc_error(ctx, NPC301, g.opts->engine ? none_loc : spec->engine_loc,
                      "the chart has no templates for engine '%s'", name);
            g.failed = 1;
        } else {
            chart_file *f = &files[nfiles++];
            f->path = "templates/networkpolicy.yaml";
            engine_file(&g, e, NULL, &f->text);
        }
    }
    otree *tree = option_tree(&g);
    opt_use *use = option_uses(&g);
    chart_file *v = &files[nfiles++];
    v->path = "values.yaml";
    npc_buf_printf(&v->text, "# Values of the network policies of %s (netpolc chart).\n",
                   spec->name ? spec->name : "the traffic spec");
    values_yaml(&g, tree, 0, &v->text);
    chart_file *sc = &files[nfiles++];
    sc->path = "values.schema.json";
    values_schema(&g, tree, use, &sc->text);
    chart_file *pm = &files[nfiles++];
    pm->path = "parameters.md";
    parameters_md(&g, &pm->text);

    npc_status st = NPC_OK;
    if (g.failed || npc_error_count(ctx) > before)
        st = NPC_ERR_INPUT;
    for (size_t i = 0; i < nfiles; i++) {
        if (st == NPC_OK &&
            write(user, files[i].path, npc_buf_cstr(&files[i].text), files[i].text.len) != 0)
            st = NPC_ERR_IO;
        npc_buf_free(&files[i].text);
    }
    npc_spec_bind_ns(spec, 0); /* the namespaces of the values again */
    npc_arena_free(g.a);
    return st;
}
