/* Typed options: declarations with defaults, values from --values files
 * (nested mappings name dotted options, as in Helm) and --set a.b=v. */
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "spec/spec.h"
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

int npc_spec_parse_options(npc_spec *s, const npc_node *n)
{
    static const char *const keys[] = {"type", "default", "description", NULL};
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
        o.def = o.value = npc_map_get(v, "default");
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

static int apply_values(npc_spec *s, const npc_node *map, const char *prefix)
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
        if (idx >= 0) {
            if (npc_spec_check_value(s, &s->options[idx], v))
                s->options[idx].value = v;
            else
                ok = 0;
        } else if (v && v->kind == NPC_NODE_MAP && has_option_under(s, npc_buf_cstr(&path))) {
            ok = apply_values(s, v, npc_buf_cstr(&path)) && ok;
        } else if (npc_node_is_null(v) && has_option_under(s, npc_buf_cstr(&path))) {
            /* an empty group, as Helm values files often have */
        } else {
            npc_error(s->ctx, NPC106, npc_node_loc(k), "unknown option '%s'", npc_buf_cstr(&path));
            ok = 0;
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

static int on_values_doc(npc_ctx *ctx, npc_tree *t, void *user)
{
    values_state *vs = user;
    npc_spec_add_tree(vs->spec, t);
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
    vs->ok = apply_values(vs->spec, t->root, "") && vs->ok;
    return 0;
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

npc_status npc_spec_set(npc_spec *s, const char *assignment)
{
    npc_loc none = {0};
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        npc_error(s->ctx, NPC112, none, "--set '%s': expected KEY=VALUE", assignment);
        return NPC_ERR_INPUT;
    }
    char *key = npc_arena_strndup(s->arena, assignment, (size_t)(eq - assignment));
    const char *val = eq + 1;
    int idx = npc_spec_find_option(s, key);
    if (idx < 0) {
        npc_error(s->ctx, NPC106, none, "--set %s: unknown option '%s'", assignment, key);
        return NPC_ERR_INPUT;
    }
    npc_option *o = &s->options[idx];
    npc_node *v = NULL;
    int b;
    long long iv;
    npc_node probe;
    memset(&probe, 0, sizeof probe);
    probe.kind = NPC_NODE_SCALAR;
    probe.u.scalar.s = val;
    probe.u.scalar.len = strlen(val);
    if ((o->type == NPC_OPT_BOOL && !npc_node_get_bool(&probe, &b)) ||
        (o->type == NPC_OPT_INT && !npc_node_get_int(&probe, &iv))) {
        npc_error(s->ctx, NPC112, none, "--set %s: option '%s' must be %s", assignment, key,
                  value_what(o));
        return NPC_ERR_INPUT;
    }
    int yaml = 0;
    switch (o->type) {
    case NPC_OPT_BOOL:
    case NPC_OPT_INT:
        v = new_scalar(s, val, strlen(val), NPC_STYLE_PLAIN);
        break;
    case NPC_OPT_STRING:
        v = new_scalar(s, val, strlen(val), NPC_STYLE_QUOTED);
        break;
    case NPC_OPT_STRINGS:
    case NPC_OPT_ENDPOINTS:
        if (val[0] != '[') {
            v = comma_list(s, val);
            break;
        }
        yaml = 1; /* a YAML flow sequence */
        break;
    case NPC_OPT_PEERS:
    case NPC_OPT_RAW:
    case NPC_OPT_TYPE_COUNT:
        yaml = 1;
        break;
    }
    if (yaml) {
        npc_tree *t = NULL;
        npc_buf name = NPC_BUF_INIT;
        npc_buf_printf(&name, "--set %s", key);
        npc_status st =
            npc_yaml_read_buffer(s->ctx, npc_buf_cstr(&name), val, strlen(val), keep_tree, &t);
        npc_buf_free(&name);
        if (t)
            npc_spec_add_tree(s, t);
        if (st != NPC_OK)
            return NPC_ERR_INPUT;
        v = t ? t->root : NULL;
    }
    if (!npc_spec_check_value(s, o, v))
        return NPC_ERR_INPUT;
    o->value = v;
    return NPC_OK;
}
