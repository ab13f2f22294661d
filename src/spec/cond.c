/* `when` conditions over options:
 *   cond    := or
 *   or      := and ("||" and)*
 *   and     := unary ("&&" unary)*
 *   unary   := "!" unary | "(" or ")" | OPTION [("==" | "!=") VALUE]
 * A bare OPTION must be a bool option; == and != compare the text of a
 * bool, int or string option with VALUE (a word or a quoted string; an
 * int's in canonical form). Trees nest at most ctx->limits.max_depth
 * levels, as YAML does, since parsing and evaluation recurse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "spec/spec.h"
#include "util/buf.h"
#include "util/ctx.h"

typedef struct cparser {
    npc_spec *spec;
    const npc_node *node;
    const char *text, *p;
    int failed;
    unsigned nest; /* open '(' and '!' being parsed */
} cparser;

static npc_loc at(cparser *c, const char *where)
{
    npc_loc l = npc_node_loc(c->node);
    /* Columns are exact for one-line scalars, which conditions are. */
    if (l.line && !memchr(c->text, '\n', strlen(c->text)))
        l.col += (uint32_t)(where - c->text) + (c->node->style == NPC_STYLE_QUOTED ? 1 : 0);
    return l;
}

static void fail(cparser *c, const char *where, const char *msg)
{
    /* the caret shows where; a long text is cut in the message */
    int cut = strlen(c->text) > 80;
    if (!c->failed)
        npc_error(c->spec->ctx, NPC110, at(c, where), "invalid condition '%.*s%s': %s",
                  cut ? 77 : 80, c->text, cut ? "..." : "", msg);
    c->failed = 1;
}

static void skip_ws(cparser *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
}

static int word_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '.' || ch == '/';
}

static npc_cond *new_cond(cparser *c, npc_cond_op op)
{
    npc_cond *n = npc_arena_alloc(c->spec->arena, sizeof *n);
    n->op = op;
    n->opt = -1;
    n->depth = 1;
    return n;
}

/* Ties children to n; NULL when the tree gets deeper than the nesting
 * limit (parsing and evaluation recurse). */
static npc_cond *join(cparser *c, npc_cond *n, npc_cond *a, npc_cond *b, const char *where)
{
    if (!a || (n->op != NPC_C_NOT && !b))
        return NULL;
    n->a = a;
    n->b = b;
    n->depth = 1 + (b && b->depth > a->depth ? b->depth : a->depth);
    if (n->depth > c->spec->ctx->limits.max_depth) {
        fail(c, where, "nested too deeply");
        return NULL;
    }
    return n;
}

static npc_cond *parse_or(cparser *c);

static const char *parse_value(cparser *c)
{
    skip_ws(c);
    const char *start = c->p;
    if (*c->p == '"' || *c->p == '\'') {
        char q = *c->p++;
        const char *end = strchr(c->p, q);
        if (!end) {
            fail(c, start, "unterminated string");
            return NULL;
        }
        const char *v = npc_arena_strndup(c->spec->arena, c->p, (size_t)(end - c->p));
        c->p = end + 1;
        return v;
    }
    while (word_char(*c->p))
        c->p++;
    if (c->p == start) {
        fail(c, start, "expected a value after the comparison");
        return NULL;
    }
    return npc_arena_strndup(c->spec->arena, start, (size_t)(c->p - start));
}

static npc_cond *parse_unary(cparser *c);

/* OPTION == VALUE or OPTION != VALUE, at "==" or "!="; name: the option's. */
static npc_cond *parse_compare(cparser *c, int opt, const char *name)
{
    npc_opt_type t = c->spec->options[opt].type;
    npc_cond *n = new_cond(c, c->p[0] == '=' ? NPC_C_EQ : NPC_C_NE);
    c->p += 2;
    n->opt = opt;
    skip_ws(c);
    const char *vstart = c->p;
    n->lit = parse_value(c);
    if (!n->lit)
        return NULL;
    if (t != NPC_OPT_BOOL && t != NPC_OPT_INT && t != NPC_OPT_STRING) {
        fail(c, name, "only bool, int and string options can be compared");
        return NULL;
    }
    if (t == NPC_OPT_BOOL && strcmp(n->lit, "true") && strcmp(n->lit, "false")) {
        fail(c, vstart, "a bool option compares with true or false");
        return NULL;
    }
    if (t == NPC_OPT_INT) {
        /* compared as text with the value's canonical text: 007 is 7 */
        char *end;
        errno = 0;
        long long v = strtoll(n->lit, &end, 10);
        if (*end || !*n->lit || errno == ERANGE) {
            fail(c, vstart, "an int option compares with an integer");
            return NULL;
        }
        char canon[24];
        snprintf(canon, sizeof canon, "%lld", v);
        n->lit = npc_arena_strdup(c->spec->arena, canon);
    }
    return n;
}

/* '!' and '(' recurse: bounded by the nesting limit. */
static npc_cond *parse_primary(cparser *c)
{
    skip_ws(c);
    if (c->nest >= c->spec->ctx->limits.max_depth) {
        fail(c, c->p, "nested too deeply");
        return NULL;
    }
    c->nest++;
    npc_cond *n = parse_unary(c);
    c->nest--;
    return n;
}

static npc_cond *parse_unary(cparser *c)
{
    const char *start = c->p;
    if (*c->p == '!' && c->p[1] != '=') {
        c->p++;
        npc_cond *n = new_cond(c, NPC_C_NOT);
        return join(c, n, parse_primary(c), NULL, start);
    }
    if (*c->p == '(') {
        c->p++;
        npc_cond *n = parse_or(c);
        skip_ws(c);
        if (!n)
            return NULL;
        if (*c->p != ')') {
            fail(c, c->p, "expected ')'");
            return NULL;
        }
        c->p++;
        return n;
    }
    while (word_char(*c->p))
        c->p++;
    if (c->p == start) {
        fail(c, start, *start ? "expected an option name" : "unexpected end");
        return NULL;
    }
    char *name = npc_arena_strndup(c->spec->arena, start, (size_t)(c->p - start));
    int opt = npc_spec_find_option(c->spec, name);
    if (opt < 0) {
        if (!c->failed)
            npc_error(c->spec->ctx, NPC106, at(c, start),
                      "condition uses undeclared option '%s'%s; declare options under "
                      "spec.options",
                      name, npc_spec_option_hint(c->spec, name));
        c->failed = 1;
        return NULL;
    }
    npc_opt_type t = c->spec->options[opt].type;
    skip_ws(c);
    if ((c->p[0] == '=' || c->p[0] == '!') && c->p[1] == '=')
        return parse_compare(c, opt, start);
    if (t != NPC_OPT_BOOL) {
        fail(c, start, "a bare option name must be a bool option (compare others with == or !=)");
        return NULL;
    }
    npc_cond *n = new_cond(c, NPC_C_OPT);
    n->opt = opt;
    return n;
}

/* a op b op c ... as a left-deep tree; next parses one operand. */
static npc_cond *parse_chain(cparser *c, char op_char, npc_cond_op op, npc_cond *(*next)(cparser *))
{
    npc_cond *l = next(c);
    for (;;) {
        skip_ws(c);
        if (!l || c->p[0] != op_char || c->p[1] != op_char)
            return l;
        const char *where = c->p;
        c->p += 2;
        npc_cond *n = new_cond(c, op);
        l = join(c, n, l, next(c), where);
    }
}

static npc_cond *parse_and(cparser *c)
{
    return parse_chain(c, '&', NPC_C_AND, parse_primary);
}

static npc_cond *parse_or(cparser *c)
{
    return parse_chain(c, '|', NPC_C_OR, parse_and);
}

const npc_cond *npc_spec_parse_cond(npc_spec *s, const npc_node *n)
{
    if (!npc_node_is_string(n)) {
        npc_error(s->ctx, NPC110, npc_node_loc(n),
                  "a condition must be a string such as \"networkPoliciesEnabled\" or \"!a && b == "
                  "x\", not %s",
                  npc_node_type_a(n));
        return NULL;
    }
    cparser c = {s, n, n->u.scalar.s, n->u.scalar.s, 0, 0};
    npc_cond *r = parse_or(&c);
    skip_ws(&c);
    if (r && *c.p) {
        fail(&c, c.p, "unexpected text");
        return NULL;
    }
    return c.failed ? NULL : r;
}

int npc_cond_eval(npc_spec *s, const npc_cond *c)
{
    if (!c)
        return 1;
    switch (c->op) {
    case NPC_C_OPT:
        return npc_opt_bool(s, c->opt);
    case NPC_C_NOT:
        return !npc_cond_eval(s, c->a);
    case NPC_C_AND:
        return npc_cond_eval(s, c->a) && npc_cond_eval(s, c->b);
    case NPC_C_OR:
        return npc_cond_eval(s, c->a) || npc_cond_eval(s, c->b);
    case NPC_C_EQ:
        return strcmp(npc_opt_text(s, c->opt), c->lit) == 0;
    case NPC_C_NE:
        return strcmp(npc_opt_text(s, c->opt), c->lit) != 0;
    }
    return 0;
}

void npc_cond_text(const npc_spec *s, const npc_cond *c, npc_buf *out)
{
    if (!c) {
        npc_buf_puts(out, "true");
        return;
    }
    switch (c->op) {
    case NPC_C_OPT:
        npc_buf_puts(out, s->options[c->opt].name);
        return;
    case NPC_C_NOT:
        npc_buf_putc(out, '!');
        if (c->a->op == NPC_C_AND || c->a->op == NPC_C_OR || c->a->op == NPC_C_EQ ||
            c->a->op == NPC_C_NE) {
            npc_buf_putc(out, '(');
            npc_cond_text(s, c->a, out);
            npc_buf_putc(out, ')');
        } else
            npc_cond_text(s, c->a, out);
        return;
    case NPC_C_AND:
    case NPC_C_OR:
        for (int i = 0; i < 2; i++) {
            const npc_cond *x = i ? c->b : c->a;
            int paren = c->op == NPC_C_AND && x->op == NPC_C_OR;
            if (i)
                npc_buf_puts(out, c->op == NPC_C_AND ? " && " : " || ");
            if (paren)
                npc_buf_putc(out, '(');
            npc_cond_text(s, x, out);
            if (paren)
                npc_buf_putc(out, ')');
        }
        return;
    case NPC_C_EQ:
    case NPC_C_NE:
        npc_buf_printf(out, "%s %s %s", s->options[c->opt].name,
                       c->op == NPC_C_EQ ? "==" : "!=", c->lit);
        return;
    }
}
