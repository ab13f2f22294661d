/* Typed options: declarations with defaults, values from --values files
 * (nested mappings name dotted options, as in Helm) and --set a.b=v. */
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "spec/spec.h"
#include "util/suggest.h"
#include "util/buf.h"
#include "util/ctx.h"

static const char *const type_names[NPC_OPT_TYPE_COUNT] = {
    "bool", "int", "string", "strings", "peers", "endpoints", "raw"};

int npc_spec_find_option(const npc_spec *s, const char *name)
{
    for (size_t i = 0; i < s->noptions; i++)
        if (!strcmp(s->options[i].name, name))
            return (int)i;
    return -1;
}

const char *npc_spec_option_hint(npc_spec *s, const char *name)
{
    npc_suggest sg;
    npc_suggest_init(&sg, name);
    for (size_t i = 0; i < s->noptions; i++)
        npc_suggest_add(&sg, s->options[i].name);
    const char *near = npc_suggest_best(&sg);
    if (!near)
        return "";
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, " (did you mean '%s'?)", near);
    const char *r = npc_arena_strdup(s->arena, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return r;
}

static int option_name_ok(const char *n)
{
    size_t seg = 0;
    for (const char *p = n;; p++) {
        if (*p == '.' || *p == '\0') {
            if (seg == 0)
                return 0;
            if (*p == '\0')
                return 1;
            seg = 0;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
        seg++;
    }
}

static const char *value_what(const npc_option *o)
{
    switch (o->type) {
    case NPC_OPT_BOOL:
        return "a boolean (true or false)";
    case NPC_OPT_INT:
        return "an integer";
    case NPC_OPT_STRING:
        return "a string";
    case NPC_OPT_STRINGS:
        return "a list of strings";
    case NPC_OPT_PEERS:
        return "a list of peers";
    case NPC_OPT_ENDPOINTS:
        return "a list of endpoints (https://host, host:PORT, ...)";
    case NPC_OPT_RAW:
    case NPC_OPT_TYPE_COUNT:
        break;
    }
    return "a value";
}

int npc_spec_check_value(npc_spec *s, const npc_option *o, const npc_node *v)
{
    int b;
    long long i;
    if (o->type == NPC_OPT_RAW)
        return 1;
    int ok = 1;
    switch (o->type) {
    case NPC_OPT_BOOL:
        ok = npc_node_get_bool(v, &b);
        break;
    case NPC_OPT_INT:
        ok = npc_node_get_int(v, &i);
        break;
    case NPC_OPT_STRING:
        ok = npc_node_is_null(v) ||
             (v->kind == NPC_NODE_SCALAR && strlen(v->u.scalar.s) == v->u.scalar.len);
        break;
    case NPC_OPT_STRINGS:
    case NPC_OPT_PEERS:
    case NPC_OPT_ENDPOINTS:
        ok = npc_node_is_null(v) || v->kind == NPC_NODE_SEQ;
        break;
    case NPC_OPT_RAW:
    case NPC_OPT_TYPE_COUNT:
        break;
    }
    if (!ok) {
        npc_error(s->ctx, NPC112, npc_node_loc(v), "option '%s' must be %s, not %s", o->name,
                  value_what(o), npc_node_type_a(v));
        return 0;
    }
    if (o->nchoices && !npc_node_is_null(v)) {
        for (size_t k = 0; k < o->nchoices; k++)
            if (!strcmp(o->choices[k]->u.scalar.s, v->u.scalar.s))
                return 1;
        npc_suggest sg;
        npc_suggest_init(&sg, v->u.scalar.s);
        npc_buf list = NPC_BUF_INIT;
        for (size_t k = 0; k < o->nchoices; k++) {
            npc_suggest_add(&sg, o->choices[k]->u.scalar.s);
            npc_buf_printf(&list, "%s%s", k ? ", " : "", o->choices[k]->u.scalar.s);
        }
        const char *near = npc_suggest_best(&sg);
        npc_error(s->ctx, NPC112, npc_node_loc(v), "option '%s' must be one of %s, not '%s'%s%s%s",
                  o->name, npc_buf_cstr(&list), v->u.scalar.s, near ? " (did you mean '" : "",
                  near ? near : "", near ? "'?)" : "");
        npc_buf_free(&list);
        return 0;
    }
    if (npc_node_is_null(v) || v->kind != NPC_NODE_SEQ)
        return 1;
    for (size_t k = 0; k < v->u.seq.len; k++) {
        const npc_node *it = v->u.seq.items[k];
        if (o->type == NPC_OPT_PEERS) {
            npc_speer p;
            ok = npc_spec_parse_peer(s, it, &p) && ok;
            continue;
        }
        if (!npc_node_is_scalar(it) || strlen(it->u.scalar.s) != it->u.scalar.len) {
            npc_error(s->ctx, NPC112, npc_node_loc(it),
                      "an item of option '%s' must be a string, not %s", o->name,
                      npc_node_type_a(it));
            ok = 0;
            continue;
        }
        const char *why = NULL;
        if (o->type == NPC_OPT_ENDPOINTS && !npc_endpoint_port(it->u.scalar.s, &why)) {
            npc_error(s->ctx, NPC113, npc_node_loc(it), "invalid endpoint '%s': %s", it->u.scalar.s,
                      why);
            ok = 0;
        }
    }
    return ok;
}

/* An option's name may not be another's, nor a group of another ("a" and
 * "a.b"): a values file could not tell them apart. */
static int option_clashes(npc_spec *s, const npc_option *o)
{
    int clash = 0;
    size_t nl = strlen(o->name);
    for (size_t j = 0; j < s->noptions; j++) {
        const char *other = s->options[j].name;
        size_t ol = strlen(other);
        size_t m = nl < ol ? nl : ol;
        int same = !strcmp(other, o->name);
        if (same || (strncmp(other, o->name, m) == 0 && (other[m] == '.' || o->name[m] == '.'))) {
            npc_diag *dg = npc_error(s->ctx, NPC109, o->loc,
                                     same ? "option '%s' is declared twice"
                                          : "option '%s' overlaps option '%s'",
                                     o->name, other);
            npc_diag_also(dg, s->options[j].loc);
            clash = 1;
        }
    }
    return clash;
}

/* choices: a non-empty list of distinct strings, for a string option. */
static int parse_choices(npc_spec *s, npc_option *o, const npc_node *ch)
{
    if (o->type != NPC_OPT_STRING) {
        npc_error(s->ctx, NPC117, npc_node_loc(ch),
                  "option '%s': 'choices' is for string options only", o->name);
        return 0;
    }
    if (!npc_spec_want_seq(s, ch, "choices (a list of strings)"))
        return 0;
    if (!ch->u.seq.len) {
        npc_error(s->ctx, NPC117, npc_node_loc(ch), "option '%s': 'choices' is empty", o->name);
        return 0;
    }
    int ok = 1;
    for (size_t k = 0; k < ch->u.seq.len; k++) {
        const npc_node *it = ch->u.seq.items[k];
        const char *c = npc_spec_string(s, it, "a choice");
        if (!c) {
            ok = 0;
            continue;
        }
        for (size_t j = 0; j < o->nchoices; j++)
            if (!strcmp(o->choices[j]->u.scalar.s, c)) {
                npc_error(s->ctx, NPC109, npc_node_loc(it), "option '%s': choice '%s' is listed twice",
                          o->name, c);
                ok = 0;
            }
        NPC_APUSH(s->arena, o->choices, o->nchoices, o->chcap, it);
    }
    return ok;
}

int npc_spec_parse_options(npc_spec *s, const npc_node *n)
{
    static const char *const keys[] = {"type", "default", "description", "choices", NULL};
    if (!n)
        return 1;
    if (!npc_spec_want_map(s, n, "spec.options"))
        return 0;
    int ok = 1;
    for (size_t i = 0; i < n->u.map.len; i++) {
        const npc_node *k = n->u.map.items[i].key, *v = n->u.map.items[i].value;
        const char *name = npc_spec_string(s, k, "an option name");
        if (!name) {
            ok = 0;
            continue;
        }
        if (!option_name_ok(name)) {
            npc_error(
                s->ctx, NPC117, npc_node_loc(k),
                "invalid option name '%s' (dot-separated words of letters, digits, '_' and '-')",
                name);
            ok = 0;
            continue;
        }
        npc_option o;
        memset(&o, 0, sizeof o);
        o.name = name;
        o.loc = npc_node_loc(k);
        if (!npc_spec_want_map(s, v, "an option") ||
            !npc_spec_check_keys(s, v, "an option", keys)) {
            ok = 0;
            continue;
        }
        const npc_node *t = npc_map_get(v, "type");
        if (!t) {
            npc_error(s->ctx, NPC117, o.loc, "option '%s' needs a 'type'", name);
            ok = 0;
            continue;
        }
        int found = 0;
        for (int j = 0; j < NPC_OPT_TYPE_COUNT; j++)
            if (npc_node_scalar_eq(t, type_names[j])) {
                o.type = (npc_opt_type)j;
                found = 1;
            }
        if (!found) {
            npc_error(s->ctx, NPC117, npc_node_loc(t),
                      "unknown option type (bool, int, string, strings, peers, endpoints or raw)");
            ok = 0;
            continue;
        }
        const npc_node *d = npc_map_get(v, "description");
        if (d)
            o.description = npc_spec_string(s, d, "description");
        if (option_clashes(s, &o)) {
            ok = 0;
            continue;
        }
        const npc_node *ch = npc_map_get(v, "choices");
        if (ch && !parse_choices(s, &o, ch)) {
            o.nchoices = 0; /* still declared: no "unknown option" later */
            ok = 0;
        }
        o.def = o.value = npc_map_get(v, "default");
        if (o.nchoices && !o.def) {
            npc_error(s->ctx, NPC117, o.loc, "option '%s' has choices and needs a 'default' of them",
                      name);
            o.nchoices = 0;
            ok = 0;
        }
        if (o.def && !npc_spec_check_value(s, &o, o.def)) {
            o.def = o.value = NULL; /* still declared: no "unknown option" later */
            ok = 0;
        }
        NPC_APUSH(s->arena, s->options, s->noptions, s->ocap, o);
    }
    return ok;
}

/* -------------------------------------------------------------- getters */

int npc_opt_bool(const npc_spec *s, int opt)
{
    int b = 0;
    if (opt >= 0 && npc_node_get_bool(s->options[opt].value, &b))
        return b;
    return 0;
}

long long npc_opt_int(const npc_spec *s, int opt)
{
    long long v = 0;
    if (opt >= 0 && npc_node_get_int(s->options[opt].value, &v))
        return v;
    return 0;
}

const char *npc_opt_string(const npc_spec *s, int opt)
{
    const npc_node *v = opt >= 0 ? s->options[opt].value : NULL;
    if (!v || npc_node_is_null(v) || v->kind != NPC_NODE_SCALAR)
        return "";
    return v->u.scalar.s;
}

const npc_node *npc_opt_list(const npc_spec *s, int opt)
{
    const npc_node *v = opt >= 0 ? s->options[opt].value : NULL;
    if (!v || v->kind != NPC_NODE_SEQ || v->u.seq.len == 0)
        return NULL;
    return v;
}

const char *npc_opt_text(npc_spec *s, int opt)
{
    switch (s->options[opt].type) {
    case NPC_OPT_BOOL:
        return npc_opt_bool(s, opt) ? "true" : "false";
    case NPC_OPT_INT: {
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%lld", npc_opt_int(s, opt));
        const char *r = npc_arena_strdup(s->arena, npc_buf_cstr(&b));
        npc_buf_free(&b);
        return r;
    }
    case NPC_OPT_STRING:
    case NPC_OPT_STRINGS:
    case NPC_OPT_PEERS:
    case NPC_OPT_ENDPOINTS:
    case NPC_OPT_RAW:
    case NPC_OPT_TYPE_COUNT:
        break;
    }
    return npc_opt_string(s, opt);
}

/* ------------------------------------------------------------ --values */

static int has_option_under(const npc_spec *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < s->noptions; i++)
        if (!strncmp(s->options[i].name, prefix, n) && s->options[i].name[n] == '.')
            return 1;
    return 0;
}

/* What a values file left unused: keys outside the options. */
typedef struct ignored_keys {
    npc_buf list; /* "a, b.c" */
    size_t n;
    int in_group; /* one of them sits in a group of options, or is near an
                     option's name: likely a typo */
} ignored_keys;

static npc_node *new_scalar(npc_spec *s, const char *text, size_t len, npc_scalar_style style);

/* YAML 1.1 booleans, as Helm's YAML library reads plain scalars. */
static int yaml11_bool(const npc_node *v, int *out)
{
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", NULL};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL};
    if (!v || v->kind != NPC_NODE_SCALAR || v->style != NPC_STYLE_PLAIN || v->tag)
        return 0;
    for (int i = 0; yes[i]; i++)
        if (!strcmp(v->u.scalar.s, yes[i]))
            return *out = 1, 1;
    for (int i = 0; no[i]; i++)
        if (!strcmp(v->u.scalar.s, no[i]))
            return *out = 0, 1;
    return 0;
}

static int apply_values(npc_spec *s, const npc_node *map, const char *prefix, ignored_keys *ig)
{
    int ok = 1;
    for (size_t i = 0; i < map->u.map.len; i++) {
        const npc_node *k = map->u.map.items[i].key, *v = map->u.map.items[i].value;
        if (!npc_node_is_scalar(k)) {
            npc_error(s->ctx, NPC112, npc_node_loc(k), "an option name must be a string");
            ok = 0;
            continue;
        }
        npc_buf path = NPC_BUF_INIT;
        npc_buf_printf(&path, "%s%s%s", prefix, *prefix ? "." : "", k->u.scalar.s);
        int idx = npc_spec_find_option(s, npc_buf_cstr(&path));
        int b;
        if (idx >= 0 && s->options[idx].type == NPC_OPT_BOOL && yaml11_bool(v, &b)) {
            npc_node *nv = new_scalar(s, b ? "true" : "false", b ? 4 : 5, NPC_STYLE_PLAIN);
            nv->file = v->file;
            nv->line = v->line;
            nv->col = v->col;
            v = nv;
        }
        if (idx >= 0) {
            if (npc_spec_check_value(s, &s->options[idx], v))
                s->options[idx].value = v;
            else
                ok = 0;
        } else if (v && v->kind == NPC_NODE_MAP && has_option_under(s, npc_buf_cstr(&path))) {
            ok = apply_values(s, v, npc_buf_cstr(&path), ig) && ok;
        } else if (npc_node_is_null(v) && has_option_under(s, npc_buf_cstr(&path))) {
            /* an empty group, as Helm values files often have */
        } else if (s->strict_values) {
            npc_error(s->ctx, NPC106, npc_node_loc(k), "unknown option '%s'%s", npc_buf_cstr(&path),
                      npc_spec_option_hint(s, npc_buf_cstr(&path)));
            ok = 0;
        } else {
            const char *hint = npc_spec_option_hint(s, npc_buf_cstr(&path));
            npc_buf_printf(&ig->list, "%s%s%s", ig->n++ ? ", " : "", npc_buf_cstr(&path), hint);
            ig->in_group |= *prefix != '\0' || *hint;
        }
        npc_buf_free(&path);
    }
    return ok;
}

typedef struct values_state {
    npc_spec *spec;
    int ok;
    unsigned docs;
    npc_tree *last;
} values_state;

/* The mapping under the dotted key of --values-prefix, or NULL. */
static const npc_node *under_prefix(const npc_node *root, const char *prefix)
{
    const npc_node *m = root;
    char seg[256];
    for (const char *p = prefix; *p && m;) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        m = npc_map_get(m, seg);
        if (m && m->kind != NPC_NODE_MAP)
            return NULL;
        p += n + (p[n] == '.');
    }
    return m;
}

static int on_values_doc(npc_ctx *ctx, npc_tree *t, void *user)
{
    values_state *vs = user;
    npc_spec *s = vs->spec;
    npc_spec_add_tree(s, t);
    vs->last = t;
    if (!t->root || npc_node_is_null(t->root))
        return 0;
    if (++vs->docs > 1) {
        npc_error(ctx, NPC112, npc_node_loc(t->root), "a values file holds one document");
        vs->ok = 0;
        return 1;
    }
    if (t->root->kind != NPC_NODE_MAP) {
        npc_error(ctx, NPC112, npc_node_loc(t->root), "a values file must be a mapping, not %s",
                  npc_node_type_a(t->root));
        vs->ok = 0;
        return 1;
    }
    ignored_keys ig = {NPC_BUF_INIT, 0, 0};
    const npc_node *m = t->root;
    const char *pre = s->values_prefix ? s->values_prefix : "";
    if (*pre) {
        /* the chart's other values sit beside the prefix key */
        size_t pl = strcspn(pre, ".");
        for (size_t i = 0; i < m->u.map.len; i++) {
            const npc_node *k = m->u.map.items[i].key;
            if (npc_node_is_scalar(k) &&
                !(strlen(k->u.scalar.s) == pl && !strncmp(k->u.scalar.s, pre, pl)))
                npc_buf_printf(&ig.list, "%s%s", ig.n++ ? ", " : "", k->u.scalar.s);
        }
        m = under_prefix(t->root, pre);
    }
    if (m)
        vs->ok = apply_values(s, m, "", &ig) && vs->ok;
    if (ig.n) {
        /* inside a group of options an unknown key is likely a typo: a warning */
        npc_diag *(*report)(npc_ctx *, npc_code, npc_loc, const char *, ...) =
            ig.in_group ? npc_warning : npc_note;
        report(ctx, NPC106, npc_node_loc(t->root),
               "ignored %zu key%s that %s no option of the spec: %s (--strict-values makes "
               "them errors)",
               ig.n, ig.n == 1 ? "" : "s", ig.n == 1 ? "names" : "name", npc_buf_cstr(&ig.list));
    }
    npc_buf_free(&ig.list);
    return 0;
}

void npc_spec_values_config(npc_spec *s, const char *prefix, int strict)
{
    s->values_prefix = prefix && *prefix ? npc_arena_strdup(s->arena, prefix) : NULL;
    s->strict_values = strict;
}

npc_status npc_spec_values_file(npc_spec *s, const char *path)
{
    values_state vs = {s, 1, 0, NULL};
    npc_status st = npc_yaml_read_file(s->ctx, path, on_values_doc, &vs);
    if (st != NPC_OK)
        return st;
    return vs.ok ? NPC_OK : NPC_ERR_INPUT;
}

/* --------------------------------------------------------------- --set */

static npc_node *new_scalar(npc_spec *s, const char *text, size_t len, npc_scalar_style style)
{
    npc_node *n = npc_arena_alloc(s->arena, sizeof *n);
    n->kind = NPC_NODE_SCALAR;
    n->style = style;
    n->u.scalar.s = npc_arena_strndup(s->arena, text, len);
    n->u.scalar.len = len;
    return n;
}

/* "a,b,c" as a sequence of strings; "" is the empty list. */
static npc_node *comma_list(npc_spec *s, const char *val)
{
    npc_node *v = npc_arena_alloc(s->arena, sizeof *v);
    v->kind = NPC_NODE_SEQ;
    size_t cnt = *val ? 1 : 0;
    for (const char *p = val; *p; p++)
        cnt += *p == ',';
    v->u.seq.items = npc_arena_alloc(s->arena, (cnt + 1) * sizeof *v->u.seq.items);
    for (const char *p = val; *val && p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        v->u.seq.items[v->u.seq.len++] = new_scalar(s, p, len, NPC_STYLE_QUOTED);
        p = c ? c + 1 : NULL;
    }
    return v;
}

static int keep_tree(npc_ctx *ctx, npc_tree *t, void *user)
{
    (void)ctx;
    npc_tree **out = user;
    if (*out) {
        npc_tree_free(t);
        return 1;
    }
    *out = t;
    return 0;
}

/* A --set value in Helm's typing, for a field inside a list option's
 * value: a number, true/false, null, else text (always text for
 * --set-string). */
static npc_node *helm_scalar(npc_spec *s, const char *val, npc_set_kind kind)
{
    return new_scalar(s, val, strlen(val),
                      kind == NPC_SET_STRING ? NPC_STYLE_QUOTED : NPC_STYLE_PLAIN);
}

static npc_node *new_coll(npc_spec *s, npc_node_kind k)
{
    npc_node *n = npc_arena_alloc(s->arena, sizeof *n);
    n->kind = k;
    return n;
}

/* A copy of n with the value at path ("[0].cidr", ".a.b") set to v; the
 * copy shares every node off the path. NULL for a bad path. */
static npc_node *set_path(npc_spec *s, const npc_node *n, const char *path, npc_node *v)
{
    if (!*path)
        return v;
    if (*path == '[') {
        char *end;
        long idx = strtol(path + 1, &end, 10);
        if (end == path + 1 || *end != ']' || idx < 0 || idx > 10000)
            return NULL;
        size_t old = n && n->kind == NPC_NODE_SEQ ? n->u.seq.len : 0;
        size_t len = (size_t)idx + 1 > old ? (size_t)idx + 1 : old;
        npc_node *c = new_coll(s, NPC_NODE_SEQ);
        c->u.seq.items = npc_arena_alloc(s->arena, len * sizeof *c->u.seq.items);
        for (size_t i = 0; i < len; i++)
            c->u.seq.items[i] =
                i < old ? n->u.seq.items[i] : new_scalar(s, "null", 4, NPC_STYLE_PLAIN);
        c->u.seq.len = len;
        npc_node *it = set_path(s, (size_t)idx < old ? n->u.seq.items[idx] : NULL, end + 1, v);
        if (!it)
            return NULL;
        c->u.seq.items[idx] = it;
        return c;
    }
    if (*path != '.')
        return NULL;
    path++;
    size_t kl = strcspn(path, ".[");
    if (kl == 0)
        return NULL;
    char *key = npc_arena_strndup(s->arena, path, kl);
    size_t old = n && n->kind == NPC_NODE_MAP ? n->u.map.len : 0;
    npc_node *c = new_coll(s, NPC_NODE_MAP);
    c->u.map.items = npc_arena_alloc(s->arena, (old + 1) * sizeof *c->u.map.items);
    size_t at = old;
    for (size_t i = 0; i < old; i++) {
        c->u.map.items[i] = n->u.map.items[i];
        if (npc_node_scalar_eq(n->u.map.items[i].key, key))
            at = i;
    }
    c->u.map.len = old + (at == old);
    if (at == old)
        c->u.map.items[at].key = new_scalar(s, key, kl, NPC_STYLE_QUOTED);
    npc_node *it = set_path(s, at < old ? n->u.map.items[at].value : NULL, path + kl, v);
    if (!it)
        return NULL;
    c->u.map.items[at].value = it;
    return c;
}

/* "10.0.0.1/32,2001:db8::/64,web": a peers option from --set as a list of
 * bare CIDRs (each becomes {cidr: ...}) and peer names. */
static npc_node *peer_list(npc_spec *s, const char *val)
{
    npc_node *v = comma_list(s, val);
    for (size_t i = 0; i < v->u.seq.len; i++) {
        npc_node *it = v->u.seq.items[i];
        if (!strchr(it->u.scalar.s, '/'))
            continue; /* a name; CIDRs, valid or not, are checked as CIDRs */
        npc_node *m = new_coll(s, NPC_NODE_MAP);
        m->u.map.items = npc_arena_alloc(s->arena, sizeof *m->u.map.items);
        m->u.map.items[0].key = new_scalar(s, "cidr", 4, NPC_STYLE_QUOTED);
        m->u.map.items[0].value = it;
        m->u.map.len = 1;
        v->u.seq.items[i] = m;
    }
    return v;
}

/* "{a,b}": Helm's list of strings. */
static npc_node *brace_list(npc_spec *s, const char *val)
{
    size_t n = strlen(val);
    char *inner = npc_arena_strndup(s->arena, val + 1, n - 2);
    return comma_list(s, inner);
}

/* The longest declared option that key starts with, followed by nothing,
 * "." or "[". */
static int option_of_key(const npc_spec *s, const char *key, size_t *used)
{
    int best = -1;
    size_t bl = 0;
    for (size_t i = 0; i < s->noptions; i++) {
        size_t n = strlen(s->options[i].name);
        if (n > bl && !strncmp(key, s->options[i].name, n) &&
            (key[n] == '\0' || key[n] == '.' || key[n] == '['))
            best = (int)i, bl = n;
    }
    *used = bl;
    return best;
}

static npc_status set_one(npc_spec *s, const char *assignment, const char *key, const char *val,
                          npc_set_kind kind)
{
    npc_loc none = {0};
    size_t used;
    int idx = option_of_key(s, key, &used);
    if (idx < 0) {
        npc_error(s->ctx, NPC106, none, "--set %s: unknown option '%s'%s", assignment, key,
                  npc_spec_option_hint(s, key));
        return NPC_ERR_INPUT;
    }
    npc_option *o = &s->options[idx];
    const char *sub = key + used;
    if (kind == NPC_SET_FILE) {
        size_t len;
        char *text = npc_read_file(s->ctx, val, &len);
        if (!text)
            return NPC_ERR_INPUT;
        val = npc_arena_strndup(s->arena, text, len);
        free(text);
    }
    npc_node *v = NULL;
    if (*sub) {
        if (o->type != NPC_OPT_PEERS && o->type != NPC_OPT_RAW && o->type != NPC_OPT_STRINGS &&
            o->type != NPC_OPT_ENDPOINTS) {
            npc_error(s->ctx, NPC112, none, "--set %s: option '%s' is %s, not a list or mapping",
                      assignment, o->name, value_what(o));
            return NPC_ERR_INPUT;
        }
        v = set_path(s, o->value, sub, helm_scalar(s, val, kind));
        if (!v) {
            npc_error(s->ctx, NPC112, none, "--set %s: invalid path '%s' (.KEY and [INDEX] parts)",
                      assignment, sub);
            return NPC_ERR_INPUT;
        }
    } else {
        int b;
        long long iv;
        npc_node probe;
        memset(&probe, 0, sizeof probe);
        probe.kind = NPC_NODE_SCALAR;
        probe.u.scalar.s = val;
        probe.u.scalar.len = strlen(val);
        if ((o->type == NPC_OPT_BOOL && !npc_node_get_bool(&probe, &b)) ||
            (o->type == NPC_OPT_INT && !npc_node_get_int(&probe, &iv))) {
            npc_error(s->ctx, NPC112, none, "--set %s: option '%s' must be %s", assignment, o->name,
                      value_what(o));
            return NPC_ERR_INPUT;
        }
        size_t vl = strlen(val);
        int yaml = 0;
        switch (o->type) {
        case NPC_OPT_BOOL:
        case NPC_OPT_INT:
            v = new_scalar(s, val, vl, NPC_STYLE_PLAIN);
            break;
        case NPC_OPT_STRING:
            v = new_scalar(s, val, vl, NPC_STYLE_QUOTED);
            break;
        case NPC_OPT_STRINGS:
        case NPC_OPT_ENDPOINTS:
            if (kind != NPC_SET_STRING && vl >= 2 && val[0] == '{' && val[vl - 1] == '}')
                v = brace_list(s, val);
            else if (kind == NPC_SET_STRING || val[0] != '[')
                v = comma_list(s, val);
            else
                yaml = 1; /* a YAML flow sequence */
            break;
        case NPC_OPT_PEERS:
            if (kind == NPC_SET_VALUE && vl && val[0] != '[' && val[0] != '{' &&
                !strstr(val, ": ")) {
                v = peer_list(s, val); /* "10.0.0.1/32,web": CIDRs and names */
                break;
            }
            /* fall through */
        case NPC_OPT_RAW:
        case NPC_OPT_TYPE_COUNT:
            if (kind == NPC_SET_VALUE && vl >= 2 && val[0] == '{' && val[vl - 1] == '}' &&
                !strchr(val, ':'))
                v = brace_list(s, val);
            else
                yaml = 1;
            break;
        }
        if (yaml) {
            npc_tree *t = NULL;
            npc_buf name = NPC_BUF_INIT;
            npc_buf_printf(&name, "--set %s", o->name);
            npc_status st =
                npc_yaml_read_buffer(s->ctx, npc_buf_cstr(&name), val, vl, keep_tree, &t);
            npc_buf_free(&name);
            if (t)
                npc_spec_add_tree(s, t);
            if (st != NPC_OK)
                return NPC_ERR_INPUT;
            v = t ? t->root : NULL;
        }
    }
    if (!npc_spec_check_value(s, o, v))
        return NPC_ERR_INPUT;
    o->value = v;
    return NPC_OK;
}

/* Whether text[i] starts a new assignment: a comma outside braces and
 * brackets, not escaped, followed by KEY= (else it is netpolc's "x,y"
 * list form and belongs to the value). */
static int splits_at(const char *t, size_t i, int depth)
{
    if (t[i] != ',' || depth > 0 || (i > 0 && t[i - 1] == '\\'))
        return 0;
    const char *eq = strchr(t + i + 1, '=');
    if (!eq)
        return 0;
    for (const char *p = t + i + 1; p < eq; p++)
        if (*p == ',' || *p == '{' || *p == '[' || *p == ' ' || *p == ':' || *p == '/')
            return 0;
    return eq > t + i + 1;
}

npc_status npc_spec_set_as(npc_spec *s, const char *assignment, npc_set_kind kind)
{
    npc_loc none = {0};
    npc_status st = NPC_OK;
    const char *start = assignment;
    int depth = 0;
    for (size_t i = 0;; i++) {
        char c = assignment[i];
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && depth > 0)
            depth--;
        if (c != '\0' && !splits_at(assignment, i, depth))
            continue;
        /* one assignment: start .. i; "\," in it is a comma */
        npc_buf one = NPC_BUF_INIT;
        for (const char *p = start; p < assignment + i; p++) {
            if (p[0] == '\\' && p[1] == ',')
                p++;
            npc_buf_putc(&one, *p);
        }
        const char *text = npc_buf_cstr(&one);
        const char *eq = strchr(text, '=');
        if (!eq || eq == text) {
            npc_error(s->ctx, NPC112, none, "--set '%s': expected KEY=VALUE", assignment);
            st = NPC_ERR_INPUT;
        } else {
            char *key = npc_arena_strndup(s->arena, text, (size_t)(eq - text));
            char *val = npc_arena_strdup(s->arena, eq + 1);
            if (set_one(s, assignment, key, val, kind) != NPC_OK)
                st = NPC_ERR_INPUT;
        }
        npc_buf_free(&one);
        if (c == '\0')
            break;
        start = assignment + i + 1;
    }
    return st;
}

npc_status npc_spec_set(npc_spec *s, const char *assignment)
{
    return npc_spec_set_as(s, assignment, NPC_SET_VALUE);
}
