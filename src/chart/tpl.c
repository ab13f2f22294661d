/* Template expressions shared by the chart back ends. */
#include <string.h>

#include "chart/chart.h"

static int ident_ok(const char *p, size_t n)
{
    if (n == 0 || (p[0] >= '0' && p[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

void npc_tpl_str(const char *s, npc_buf *out)
{
    npc_buf_put_quoted(out, s, 1);
}

/* The dotted path: prefix segments, then the option's. */
void npc_tpl_value(npc_chart_gen *g, int opt, npc_buf *out)
{
    const char *pre = g->opts && g->opts->values_prefix ? g->opts->values_prefix : "";
    npc_buf path = NPC_BUF_INIT;
    npc_buf_printf(&path, "%s%s%s", pre, *pre ? "." : "", g->s->options[opt].name);
    const char *p = npc_buf_cstr(&path);
    int plain = 1;
    for (const char *q = p; *q;) {
        size_t n = strcspn(q, ".");
        plain &= ident_ok(q, n);
        q += n + (q[n] == '.');
    }
    if (plain) {
        npc_buf_printf(out, "$.Values.%s", p);
    } else {
        npc_buf_puts(out, "(index $.Values");
        for (const char *q = p; *q;) {
            size_t n = strcspn(q, ".");
            char *seg = npc_arena_strndup(g->a, q, n);
            npc_buf_putc(out, ' ');
            npc_tpl_str(seg, out);
            q += n + (q[n] == '.');
        }
        npc_buf_putc(out, ')');
    }
    npc_buf_free(&path);
}

static const char *keep(npc_chart_gen *g, npc_buf *b)
{
    const char *r = npc_arena_strdup(g->a, npc_buf_cstr(b));
    npc_buf_free(b);
    return r;
}

const char *npc_tpl_and(npc_chart_gen *g, const char *x, const char *y)
{
    if (!strcmp(x, "false") || !strcmp(y, "false"))
        return "false";
    if (!strcmp(x, "true"))
        return y;
    if (!strcmp(y, "true"))
        return x;
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "(and %s %s)", x, y);
    return keep(g, &b);
}

const char *npc_tpl_or(npc_chart_gen *g, const char *x, const char *y)
{
    if (!strcmp(x, "true") || !strcmp(y, "true"))
        return "true";
    if (!strcmp(x, "false"))
        return y;
    if (!strcmp(y, "false"))
        return x;
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "(or %s %s)", x, y);
    return keep(g, &b);
}

const char *npc_tpl_not(npc_chart_gen *g, const char *x)
{
    if (!strcmp(x, "true"))
        return "false";
    if (!strcmp(x, "false"))
        return "true";
    size_t n = strlen(x);
    if (n > 6 && !strncmp(x, "(not ", 5) && x[n - 1] == ')') {
        /* (not (not y)) is y when "(not ...)" is one group */
        int depth = 0, whole = 1;
        for (size_t i = 0; i < n - 1 && whole; i++) {
            depth += (x[i] == '(') - (x[i] == ')');
            whole = depth > 0;
        }
        if (whole)
            return npc_arena_strndup(g->a, x + 5, n - 6);
    }
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "(not %s)", x);
    return keep(g, &b);
}

/* An option's value as the text conditions compare (npc_opt_text). */
static void opt_text(npc_chart_gen *g, int opt, npc_buf *out)
{
    npc_buf v = NPC_BUF_INIT;
    npc_tpl_value(g, opt, &v);
    switch (g->s->options[opt].type) {
    case NPC_OPT_INT:
        npc_buf_printf(out, "(toString (int %s))", npc_buf_cstr(&v));
        break;
    case NPC_OPT_BOOL:
        npc_buf_printf(out, "(ternary \"true\" \"false\" (eq (toString %s) \"true\"))",
                       npc_buf_cstr(&v));
        break;
    default:
        npc_buf_printf(out, "(toString (default \"\" %s))", npc_buf_cstr(&v));
        break;
    }
    npc_buf_free(&v);
}

const char *npc_tpl_cond_str(npc_chart_gen *g, const npc_cond *c)
{
    if (!c)
        return "true";
    npc_buf b = NPC_BUF_INIT;
    switch (c->op) {
    case NPC_C_OPT:
        /* a bool option: true only for a true boolean, as npc_opt_bool */
        npc_buf_puts(&b, "(eq (toString ");
        npc_tpl_value(g, c->opt, &b);
        npc_buf_puts(&b, ") \"true\")");
        return keep(g, &b);
    case NPC_C_NOT:
        npc_buf_free(&b);
        return npc_tpl_not(g, npc_tpl_cond_str(g, c->a));
    case NPC_C_AND:
        npc_buf_free(&b);
        return npc_tpl_and(g, npc_tpl_cond_str(g, c->a), npc_tpl_cond_str(g, c->b));
    case NPC_C_OR:
        npc_buf_free(&b);
        return npc_tpl_or(g, npc_tpl_cond_str(g, c->a), npc_tpl_cond_str(g, c->b));
    case NPC_C_EQ:
    case NPC_C_NE:
        npc_buf_printf(&b, "(%s ", c->op == NPC_C_EQ ? "eq" : "ne");
        opt_text(g, c->opt, &b);
        npc_buf_putc(&b, ' ');
        npc_tpl_str(c->lit, &b);
        npc_buf_putc(&b, ')');
        return keep(g, &b);
    }
    npc_buf_free(&b);
    return "false";
}

void npc_tpl_cond(npc_chart_gen *g, const npc_cond *c, npc_buf *out)
{
    npc_buf_puts(out, npc_tpl_cond_str(g, c));
}

void npc_tpl_ev(const npc_ev *v, npc_buf *out)
{
    switch (v->kind) {
    case NPC_EV_NULL:
        npc_buf_puts(out, "nil");
        return;
    case NPC_EV_BOOL:
        npc_buf_puts(out, v->i ? "true" : "false");
        return;
    case NPC_EV_INT:
        npc_buf_printf(out, "%lld", v->i);
        return;
    case NPC_EV_STR:
        if (v->s[0] == NPC_TPL_EXPR)
            npc_buf_puts(out, v->s + 1);
        else
            npc_tpl_str(v->s, out);
        return;
    case NPC_EV_SEQ:
        npc_buf_puts(out, "(list");
        for (size_t i = 0; i < v->n; i++) {
            npc_buf_putc(out, ' ');
            npc_tpl_ev(v->items[i], out);
        }
        npc_buf_putc(out, ')');
        return;
    case NPC_EV_MAP:
        npc_buf_puts(out, "(dict");
        for (size_t i = 0; i < v->n; i++) {
            npc_buf_putc(out, ' ');
            npc_tpl_str(v->keys[i], out);
            npc_buf_putc(out, ' ');
            npc_tpl_ev(v->items[i], out);
        }
        npc_buf_putc(out, ')');
        return;
    }
}

void npc_tpl_yaml_under(npc_arena *a, const char *key, npc_ev *v, int ind, npc_buf *out)
{
    npc_ev *wrap = npc_ev_map(a);
    npc_ev_put(a, wrap, key, v);
    npc_buf y = NPC_BUF_INIT;
    npc_emit_yaml(wrap, &y);
    const char *p = npc_buf_cstr(&y);
    while (*p) {
        size_t n = strcspn(p, "\n");
        npc_buf_printf(out, "%*s%.*s\n", ind, "", (int)n, p);
        p += n + (p[n] == '\n');
    }
    npc_buf_free(&y);
}

const char *npc_tpl_lands(npc_chart_gen *g, int from, int to)
{
    npc_spec *s = g->s;
    const char *guard = "true";
    for (size_t hops = 0; from >= 0 && hops <= s->npolicies; hops++) {
        const char *w = npc_tpl_cond_str(g, s->policies[from].when);
        if (from == to)
            return npc_tpl_and(g, guard, w);
        guard = npc_tpl_and(g, guard, npc_tpl_not(g, w));
        if (!strcmp(guard, "false"))
            return "false";
        from = s->policies[from].otherwise;
    }
    return "false";
}

void npc_tpl_name(npc_chart_gen *g, const char *name, npc_buf *out)
{
    npc_spec *s = g->s;
    const char *pat = g->opts && g->opts->naming ? g->opts->naming : s->naming;
    if (!pat)
        pat = "{name}";
    for (const char *p = pat; *p; p++) {
        if (p[0] == '{' && p[1] == '{') { /* template text, kept as is */
            const char *end = strstr(p, "}}");
            size_t n = end ? (size_t)(end - p) + 2 : strlen(p);
            npc_buf_append(out, p, n);
            p += n - 1;
            continue;
        }
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            npc_buf_putc(out, *p);
            continue;
        }
        char *key = npc_arena_strndup(g->a, p + 1, (size_t)(end - p - 1));
        int o = npc_spec_find_option(s, key);
        if (!strcmp(key, "name")) {
            npc_buf_puts(out, name);
        } else if (o >= 0 && s->options[o].type == NPC_OPT_INT) {
            npc_buf_puts(out, "{{ int ");
            npc_tpl_value(g, o, out);
            npc_buf_puts(out, " }}");
        } else if (o >= 0 && s->options[o].type == NPC_OPT_STRING) {
            npc_buf_puts(out, "{{ ");
            npc_tpl_value(g, o, out);
            npc_buf_puts(out, " }}");
        } else {
            npc_error(s->ctx, NPC116, s->naming_loc,
                      "naming pattern '%s': '{%s}' is neither {name} nor a string or int option",
                      pat, key);
            g->failed = 1;
        }
        p = end;
    }
}

void npc_tpl_name_expr(npc_chart_gen *g, const char *name, npc_buf *out)
{
    npc_buf text = NPC_BUF_INIT;
    npc_tpl_name(g, name, &text);
    npc_buf_puts(out, "(print");
    for (const char *p = npc_buf_cstr(&text); *p;) {
        const char *open = strstr(p, "{{");
        size_t n = open ? (size_t)(open - p) : strlen(p);
        if (n) {
            npc_buf_putc(out, ' ');
            npc_tpl_str(npc_arena_strndup(g->a, p, n), out);
        }
        if (!open)
            break;
        const char *close = strstr(open, "}}");
        const char *b = open + 2, *e = close ? close : open + strlen(open);
        while (b < e && (*b == '-' || *b == ' '))
            b++;
        while (e > b && (e[-1] == '-' || e[-1] == ' '))
            e--;
        npc_buf_printf(out, " (%.*s)", (int)(e - b), b);
        p = close ? close + 2 : e;
    }
    npc_buf_putc(out, ')');
    npc_buf_free(&text);
}

const char *npc_tpl_var(npc_chart_gen *g, const char *stem)
{
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "$%s%u", stem, g->var++);
    return keep(g, &b);
}

int npc_tpl_is_release_ns(const npc_chart_gen *g, const char *ns)
{
    return (g->s->release_ns && ns == g->s->release_ns) || ns[0] == NPC_TPL_EXPR;
}

const char *npc_tpl_ns_value(const npc_chart_gen *g, const char *ns)
{
    return g->s->release_ns && ns == g->s->release_ns ? NPC_TPL_RELEASE_NS : ns;
}

int npc_tpl_same_ns(const npc_chart_gen *g, const char *a, const char *b)
{
    if (a == b)
        return 1;
    if (npc_tpl_is_release_ns(g, a) != npc_tpl_is_release_ns(g, b))
        return 0; /* unknown until install: written apart */
    return !strcmp(npc_tpl_ns_value(g, a), npc_tpl_ns_value(g, b));
}

void npc_tpl_ns_text(const npc_chart_gen *g, const char *ns, int expr, npc_buf *out)
{
    if (!npc_tpl_is_release_ns(g, ns)) {
        if (expr)
            npc_tpl_str(ns, out);
        else
            npc_buf_puts(out, ns);
        return;
    }
    const char *v = npc_tpl_ns_value(g, ns) + 1;
    if (expr)
        npc_buf_puts(out, v);
    else
        npc_buf_printf(out, "{{ %s }}", v);
}

/* "(default $.Release.Namespace VALUE)" of option opt, once per option. */
static const char *ns_expr(npc_chart_gen *g, const char **cache, int opt)
{
    if (!cache[opt]) {
        npc_buf b = NPC_BUF_INIT;
        npc_buf_printf(&b, "%c(default $.Release.Namespace ", NPC_TPL_EXPR);
        npc_tpl_value(g, opt, &b);
        npc_buf_putc(&b, ')');
        cache[opt] = keep(g, &b);
    }
    return cache[opt];
}

void npc_tpl_bind_ns(npc_chart_gen *g)
{
    npc_spec *s = g->s;
    const char **cache = npc_arena_alloc(g->a, (s->noptions + 1) * sizeof *cache);
    memset(cache, 0, (s->noptions + 1) * sizeof *cache);
    if (s->ns_opt >= 0)
        s->ns = ns_expr(g, cache, s->ns_opt);
    for (size_t i = 0; i < s->ncomponents; i++)
        if (s->components[i].ns_opt >= 0)
            s->components[i].ns = ns_expr(g, cache, s->components[i].ns_opt);
    for (size_t i = 0; i < s->npolicies; i++) {
        npc_spolicy *p = &s->policies[i];
        if (p->ns_opt >= 0)
            p->ns = p->subject >= 0 ? s->components[p->subject].ns : s->ns;
    }
}

void npc_tpl_labels(npc_chart_gen *g, npc_buf *out)
{
    npc_spec *s = g->s;
    const char *inc = g->opts ? g->opts->labels_include : NULL;
    if (inc) {
        npc_buf_puts(out, "  labels:\n    {{- include ");
        npc_tpl_str(inc, out);
        npc_buf_puts(out, " $ | nindent 4 }}\n");
    } else if (s->nlabels) {
        npc_ev *l = npc_ev_map(g->a);
        for (size_t i = 0; i < s->nlabels; i++)
            npc_ev_put(g->a, l, s->labels[i].key, npc_ev_str(g->a, s->labels[i].value));
        npc_tpl_yaml_under(g->a, "labels", l, 2, out);
    }
}
