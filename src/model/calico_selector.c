/* Calico's selector language: tokenizer, recursive-descent parser, matcher,
 * printer and the split into conjunctive form (see calico_selector.h). */
#include "model/calico_selector.h"

#include <stdlib.h>
#include <string.h>

#include "text/tree.h"
#include "util/ctx.h"
#include "util/diag.h"
#include "util/vec.h"

/* ------------------------------------------------------------ tokenizer */

typedef enum tok_kind {
    TK_LABEL,
    TK_STRING,
    TK_LBRACE,
    TK_RBRACE,
    TK_COMMA,
    TK_EQ,
    TK_NE,
    TK_IN,
    TK_NOT,
    TK_NOTIN,
    TK_CONTAINS,
    TK_STARTS,
    TK_ENDS,
    TK_ALL,
    TK_HAS,
    TK_LPAREN,
    TK_RPAREN,
    TK_AND,
    TK_OR,
    TK_GLOBAL,
    TK_EOF
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t off;    /* byte offset of the token */
    size_t vs, vn; /* value: label name or string contents */
} tok;

typedef NPC_VEC(tok) tokvec;

static int ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '/' || ch == '-';
}

/* Length of the identifier at s[i..n). Calico's tokenizer finds none when
 * the identifier runs to the end of the input; a label there could not be
 * followed by its operator anyway. */
static size_t ident_len(const char *s, size_t i, size_t n)
{
    size_t j = i;
    while (j < n && ident_char(s[j]))
        j++;
    return j < n ? j - i : 0;
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

static int has_prefix(const char *s, size_t i, size_t n, const char *p)
{
    size_t l = strlen(p);
    return n - i >= l && memcmp(s + i, p, l) == 0;
}

static int fail(npc_csel_error *err, size_t off, const char *msg)
{
    err->offset = off;
    err->msg = msg;
    return 0;
}

static void push(tokvec *v, tok_kind k, size_t off, size_t vs, size_t vn)
{
    tok t = {k, off, vs, vn};
    npc_vec_push(v, t);
}

/* The operator after a label: contains, starts with, ends with, not in, in. */
static int label_operator(const char *s, size_t *ip, size_t n, tokvec *v, npc_csel_error *err)
{
    static const char *const expected =
        "expected an operator after the label (==, !=, in, not in, contains, starts with, "
        "ends with)";
    size_t i = *ip, at = i;
    if (has_prefix(s, i, n, "contains")) {
        push(v, TK_CONTAINS, at, 0, 0);
        *ip = i + 8;
        return 1;
    }
    const char *first = NULL, *second = NULL;
    tok_kind kind = TK_EOF;
    if (has_prefix(s, i, n, "starts"))
        first = "starts", second = "with", kind = TK_STARTS;
    else if (has_prefix(s, i, n, "ends"))
        first = "ends", second = "with", kind = TK_ENDS;
    else if (has_prefix(s, i, n, "not"))
        first = "not", second = "in", kind = TK_NOTIN;
    if (first) {
        i = skip_ws(s, i + strlen(first), n);
        if (!has_prefix(s, i, n, second))
            return fail(err, i,
                        kind == TK_NOTIN ? "expected 'in' after 'not'"
                                         : "expected 'with' after 'starts'/'ends'");
        push(v, kind, at, 0, 0);
        *ip = i + strlen(second);
        return 1;
    }
    if (has_prefix(s, i, n, "in")) {
        push(v, TK_IN, at, 0, 0);
        *ip = i + 2;
        return 1;
    }
    return fail(err, at, expected);
}

/* `name(` seen at *ip: has(label), all(), global(). */
static int call(const char *s, size_t *ip, size_t n, tok_kind k, size_t name_len, tokvec *v,
                npc_csel_error *err)
{
    size_t at = *ip, i = skip_ws(s, at + name_len + 1, n), vs = 0, vn = 0;
    if (k == TK_HAS) {
        vn = ident_len(s, i, n);
        if (!vn)
            return fail(err, i, "expected a label name in has(...)");
        vs = i;
        i = skip_ws(s, i + vn, n);
    }
    if (i >= n || s[i] != ')')
        return fail(err, i, "expected ')'");
    push(v, k, at, vs, vn);
    *ip = i + 1;
    return 1;
}

static int tokenize(const char *s, size_t n, tokvec *v, npc_csel_error *err)
{
    size_t i = 0;
    for (;;) {
        i = skip_ws(s, i, n);
        if (i >= n) {
            push(v, TK_EOF, n, 0, 0);
            return 1;
        }
        tok_kind last = v->len ? v->items[v->len - 1].kind : TK_EOF;
        size_t at = i;
        switch (s[i]) {
        case '(':
            push(v, TK_LPAREN, at, 0, 0), i++;
            break;
        case ')':
            push(v, TK_RPAREN, at, 0, 0), i++;
            break;
        case '{':
            push(v, TK_LBRACE, at, 0, 0), i++;
            break;
        case '}':
            push(v, TK_RBRACE, at, 0, 0), i++;
            break;
        case ',':
            push(v, TK_COMMA, at, 0, 0), i++;
            break;
        case '"':
        case '\'': {
            const char *end = memchr(s + i + 1, s[i], n - i - 1);
            if (!end)
                return fail(err, at, "unterminated string");
            push(v, TK_STRING, at, i + 1, (size_t)(end - (s + i + 1)));
            i = (size_t)(end - s) + 1;
            break;
        }
        case '=':
            if (i + 1 >= n || s[i + 1] != '=')
                return fail(err, at, "expected '=='");
            push(v, TK_EQ, at, 0, 0), i += 2;
            break;
        case '!':
            if (i + 1 < n && s[i + 1] == '=')
                push(v, TK_NE, at, 0, 0), i += 2;
            else
                push(v, TK_NOT, at, 0, 0), i++;
            break;
        case '&':
            if (i + 1 >= n || s[i + 1] != '&')
                return fail(err, at, "expected '&&'");
            push(v, TK_AND, at, 0, 0), i += 2;
            break;
        case '|':
            if (i + 1 >= n || s[i + 1] != '|')
                return fail(err, at, "expected '||'");
            push(v, TK_OR, at, 0, 0), i += 2;
            break;
        default:
            if (last == TK_LABEL) {
                if (!label_operator(s, &i, n, v, err))
                    return 0;
            } else if (has_prefix(s, i, n, "has(")) {
                if (!call(s, &i, n, TK_HAS, 3, v, err))
                    return 0;
            } else if (has_prefix(s, i, n, "all(")) {
                if (!call(s, &i, n, TK_ALL, 3, v, err))
                    return 0;
            } else if (has_prefix(s, i, n, "global(")) {
                if (!call(s, &i, n, TK_GLOBAL, 6, v, err))
                    return 0;
            } else {
                size_t l = ident_len(s, i, n);
                if (!l)
                    return fail(err, at,
                                ident_char(s[i]) ? "expected an operator after the label"
                                                 : "unexpected character");
                push(v, TK_LABEL, at, i, l);
                i += l;
            }
        }
    }
}

/* --------------------------------------------------------------- parser */

typedef struct parser {
    npc_arena *arena;
    npc_interner *in;
    const char *s;
    const tok *t; /* ends with TK_EOF */
    size_t pos;
    npc_csel_error *err;
} parser;

static npc_csel *node_new(parser *p, npc_csel_kind k)
{
    npc_csel *x = npc_arena_alloc(p->arena, sizeof *x);
    x->kind = k;
    return x;
}

static npc_sym tok_sym(parser *p, const tok *t)
{
    return npc_intern(p->in, p->s + t->vs, t->vn);
}

static int cmp_sym(const void *a, const void *b)
{
    npc_sym x = *(const npc_sym *)a, y = *(const npc_sym *)b;
    return x < y ? -1 : x > y;
}

static uint32_t sort_unique(npc_sym *v, uint32_t n)
{
    if (n < 2)
        return n;
    qsort(v, n, sizeof *v, cmp_sym);
    uint32_t m = 1;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

static npc_csel *parse_or(parser *p, int depth);

static npc_csel *perr(parser *p, const char *msg)
{
    fail(p->err, p->t[p->pos].off, msg);
    return NULL;
}

static npc_csel *parse_set(parser *p, npc_csel *x)
{
    if (p->t[p->pos].kind != TK_LBRACE)
        return perr(p, "expected '{' to start the set of values");
    p->pos++;
    NPC_VEC(npc_sym) vals = {0};
    while (p->t[p->pos].kind == TK_STRING) {
        npc_vec_push(&vals, tok_sym(p, &p->t[p->pos]));
        p->pos++;
        if (p->t[p->pos].kind != TK_COMMA)
            break;
        p->pos++;
    }
    if (p->t[p->pos].kind != TK_RBRACE) {
        npc_vec_free(&vals);
        return perr(p, "expected a quoted string or '}' in the set of values");
    }
    p->pos++;
    x->nvalues = sort_unique(vals.items, (uint32_t)vals.len);
    x->values = npc_arena_alloc(p->arena, (x->nvalues + 1) * sizeof *x->values);
    if (x->nvalues)
        memcpy(x->values, vals.items, x->nvalues * sizeof *x->values);
    npc_vec_free(&vals);
    return x;
}

/* One possibly negated operation: a comparison, has(), all(), global() or
 * a parenthesised expression. */
static npc_csel *parse_operation(parser *p, int depth)
{
    if (depth > NPC_CSEL_MAX_DEPTH)
        return perr(p, "selector nested too deeply");
    int negated = 0;
    while (p->t[p->pos].kind == TK_NOT) {
        negated = !negated;
        p->pos++;
    }
    const tok *t = &p->t[p->pos];
    npc_csel *x = NULL;
    switch (t->kind) {
    case TK_HAS:
        x = node_new(p, NPC_CSEL_HAS);
        x->key = tok_sym(p, t);
        p->pos++;
        break;
    case TK_ALL:
        x = node_new(p, NPC_CSEL_ALL);
        p->pos++;
        break;
    case TK_GLOBAL:
        x = node_new(p, NPC_CSEL_GLOBAL);
        p->pos++;
        break;
    case TK_LABEL: {
        npc_sym key = tok_sym(p, t);
        const tok *op = &p->t[p->pos + 1];
        npc_csel_kind k;
        switch (op->kind) {
        case TK_EQ:
            k = NPC_CSEL_EQ;
            break;
        case TK_NE:
            k = NPC_CSEL_NE;
            break;
        case TK_CONTAINS:
            k = NPC_CSEL_CONTAINS;
            break;
        case TK_STARTS:
            k = NPC_CSEL_STARTS;
            break;
        case TK_ENDS:
            k = NPC_CSEL_ENDS;
            break;
        case TK_IN:
            k = NPC_CSEL_IN;
            break;
        case TK_NOTIN:
            k = NPC_CSEL_NOTIN;
            break;
        default:
            p->pos++;
            return perr(p, "expected an operator after the label (==, !=, in, not in, contains, "
                           "starts with, ends with)");
        }
        x = node_new(p, k);
        x->key = key;
        p->pos += 2;
        if (k == NPC_CSEL_IN || k == NPC_CSEL_NOTIN) {
            if (!parse_set(p, x))
                return NULL;
        } else {
            if (p->t[p->pos].kind != TK_STRING)
                return perr(p, "expected a quoted string");
            x->values = npc_arena_alloc(p->arena, sizeof *x->values);
            x->values[0] = tok_sym(p, &p->t[p->pos]);
            x->nvalues = 1;
            p->pos++;
        }
        break;
    }
    case TK_LPAREN:
        p->pos++;
        x = parse_or(p, depth + 1);
        if (!x)
            return NULL;
        if (p->t[p->pos].kind != TK_RPAREN)
            return perr(p, "expected ')'");
        p->pos++;
        break;
    case TK_EOF:
        return perr(p, "unexpected end of the selector");
    default:
        return perr(p, "expected a label, has(), all(), global(), '!' or '('");
    }
    if (negated) {
        npc_csel *nx = node_new(p, NPC_CSEL_NOT);
        nx->kids = npc_arena_alloc(p->arena, sizeof *nx->kids);
        nx->kids[0] = x;
        nx->nkids = 1;
        x = nx;
    }
    return x;
}

/* Operands separated by `op`, at least one: `&&` binds tighter than `||`. */
static npc_csel *parse_list(parser *p, int depth, tok_kind op, npc_csel_kind kind)
{
    NPC_VEC(npc_csel *) kids = {0};
    for (;;) {
        npc_csel *x =
            op == TK_OR ? parse_list(p, depth, TK_AND, NPC_CSEL_AND) : parse_operation(p, depth);
        if (!x) {
            npc_vec_free(&kids);
            return NULL;
        }
        npc_vec_push(&kids, x);
        if (p->t[p->pos].kind != op)
            break;
        p->pos++;
    }
    npc_csel *out = kids.items[0];
    if (kids.len > 1) {
        out = node_new(p, kind);
        out->nkids = (uint32_t)kids.len;
        out->kids = npc_arena_alloc(p->arena, kids.len * sizeof *out->kids);
        memcpy(out->kids, kids.items, kids.len * sizeof *out->kids);
    }
    npc_vec_free(&kids);
    return out;
}

static npc_csel *parse_or(parser *p, int depth)
{
    return parse_list(p, depth, TK_OR, NPC_CSEL_OR);
}

npc_csel *npc_csel_parse(npc_arena *arena, npc_interner *in, const char *s, size_t n,
                         npc_csel_error *err)
{
    tokvec toks = {0};
    npc_csel *out = NULL;
    if (tokenize(s, n, &toks, err)) {
        parser p = {arena, in, s, toks.items, 0, err};
        if (toks.items[0].kind == TK_EOF) {
            out = node_new(&p, NPC_CSEL_ALL);
        } else {
            out = parse_or(&p, 0);
            if (out && toks.items[p.pos].kind != TK_EOF)
                out = perr(&p, toks.items[p.pos].kind == TK_RPAREN
                                   ? "unbalanced ')'"
                                   : "expected '&&', '||' or the end of the selector");
        }
    }
    npc_vec_free(&toks);
    return out;
}

/* ------------------------------------------------------------- matching */

static int as_expr(const npc_csel *x, npc_sel_expr *e);

static int substring_match(const npc_csel *x, const npc_interner *in, npc_sym v)
{
    const char *hay = npc_sym_str(in, v), *needle = npc_sym_str(in, x->values[0]);
    size_t hn = npc_sym_len(in, v), nn = npc_sym_len(in, x->values[0]);
    if (nn > hn)
        return 0;
    switch (x->kind) {
    case NPC_CSEL_STARTS:
        return memcmp(hay, needle, nn) == 0;
    case NPC_CSEL_ENDS:
        return memcmp(hay + hn - nn, needle, nn) == 0;
    default:
        for (size_t i = 0; i + nn <= hn; i++)
            if (memcmp(hay + i, needle, nn) == 0)
                return 1;
        return 0;
    }
}

int npc_csel_matches(const npc_csel *x, const npc_interner *in, const npc_labels *ls)
{
    /* the set-based leaves mean what the Kubernetes-style terms mean */
    npc_sel_expr e;
    if (as_expr(x, &e)) {
        npc_selector one = {&e, 1, NULL, 0, NULL};
        return npc_selector_matches(&one, ls);
    }
    npc_sym v = x->key ? npc_labels_get(ls, x->key) : 0;
    switch (x->kind) {
    case NPC_CSEL_ALL:
    case NPC_CSEL_GLOBAL:
        return 1;
    case NPC_CSEL_NONE:
        return 0;
    case NPC_CSEL_EQ:
    case NPC_CSEL_NE:
    case NPC_CSEL_IN:
    case NPC_CSEL_NOTIN:
    case NPC_CSEL_HAS:
        return 0; /* handled above */
    case NPC_CSEL_CONTAINS:
    case NPC_CSEL_STARTS:
    case NPC_CSEL_ENDS:
        return v && substring_match(x, in, v);
    case NPC_CSEL_NOT:
        return !npc_csel_matches(x->kids[0], in, ls);
    case NPC_CSEL_AND:
        for (uint32_t i = 0; i < x->nkids; i++)
            if (!npc_csel_matches(x->kids[i], in, ls))
                return 0;
        return 1;
    case NPC_CSEL_OR:
        for (uint32_t i = 0; i < x->nkids; i++)
            if (npc_csel_matches(x->kids[i], in, ls))
                return 1;
        return 0;
    }
    return 0;
}

int npc_csel_uses_global(const npc_csel *x)
{
    if (x->kind == NPC_CSEL_GLOBAL)
        return 1;
    for (uint32_t i = 0; i < x->nkids; i++)
        if (npc_csel_uses_global(x->kids[i]))
            return 1;
    return 0;
}

/* ------------------------------------------------------------- printing */

int npc_csel_put_string(npc_buf *out, const char *s, size_t n)
{
    int sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
    if (sq && dq)
        return 0;
    char q = sq ? '"' : '\'';
    npc_buf_putc(out, q);
    npc_buf_append(out, s, n);
    npc_buf_putc(out, q);
    return 1;
}

int npc_csel_key_ok(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ident_char(s[i]))
            return 0;
    return 1;
}

/* Calico's own canonical form quotes with '"' unless the value holds one. */
static void put_value(npc_buf *out, const npc_interner *in, npc_sym v)
{
    const char *s = npc_sym_str(in, v);
    size_t n = npc_sym_len(in, v);
    char q = memchr(s, '"', n) ? '\'' : '"';
    npc_buf_putc(out, q);
    npc_buf_append(out, s, n);
    npc_buf_putc(out, q);
}

void npc_csel_format(const npc_csel *x, const npc_interner *in, npc_buf *out)
{
    static const char *const ops[] = {
        [NPC_CSEL_EQ] = " == ",
        [NPC_CSEL_NE] = " != ",
        [NPC_CSEL_CONTAINS] = " contains ",
        [NPC_CSEL_STARTS] = " starts with ",
        [NPC_CSEL_ENDS] = " ends with ",
    };
    switch (x->kind) {
    case NPC_CSEL_ALL:
        npc_buf_puts(out, "all()");
        return;
    case NPC_CSEL_NONE:
        npc_buf_puts(out, "!all()");
        return;
    case NPC_CSEL_GLOBAL:
        npc_buf_puts(out, "global()");
        return;
    case NPC_CSEL_HAS:
        npc_buf_printf(out, "has(%s)", npc_sym_str(in, x->key));
        return;
    case NPC_CSEL_EQ:
    case NPC_CSEL_NE:
    case NPC_CSEL_CONTAINS:
    case NPC_CSEL_STARTS:
    case NPC_CSEL_ENDS:
        npc_buf_puts(out, npc_sym_str(in, x->key));
        npc_buf_puts(out, ops[x->kind]);
        put_value(out, in, x->values[0]);
        return;
    case NPC_CSEL_IN:
    case NPC_CSEL_NOTIN:
        npc_buf_puts(out, npc_sym_str(in, x->key));
        npc_buf_puts(out, x->kind == NPC_CSEL_IN ? " in {" : " not in {");
        for (uint32_t i = 0; i < x->nvalues; i++) {
            if (i)
                npc_buf_puts(out, ", ");
            put_value(out, in, x->values[i]);
        }
        npc_buf_putc(out, '}');
        return;
    case NPC_CSEL_NOT:
        /* "!!x" would read back as x: keep a nested negation in parentheses */
        npc_buf_puts(out, x->kids[0]->kind == NPC_CSEL_NOT ? "!(" : "!");
        npc_csel_format(x->kids[0], in, out);
        if (x->kids[0]->kind == NPC_CSEL_NOT)
            npc_buf_putc(out, ')');
        return;
    case NPC_CSEL_AND:
    case NPC_CSEL_OR:
        npc_buf_putc(out, '(');
        for (uint32_t i = 0; i < x->nkids; i++) {
            if (i)
                npc_buf_puts(out, x->kind == NPC_CSEL_AND ? " && " : " || ");
            npc_csel_format(x->kids[i], in, out);
        }
        npc_buf_putc(out, ')');
        return;
    }
}

/* ---------------------------------------------------------- normalising */

static npc_csel *copy_leaf(npc_arena *a, const npc_csel *x, npc_csel_kind k)
{
    npc_csel *y = npc_arena_alloc(a, sizeof *y);
    *y = *x;
    y->kind = k;
    return y;
}

static npc_csel *not_of(npc_arena *a, const npc_csel *x)
{
    npc_csel *y = npc_arena_alloc(a, sizeof *y);
    y->kind = NPC_CSEL_NOT;
    y->kids = npc_arena_alloc(a, sizeof *y->kids);
    y->kids[0] = copy_leaf(a, x, x->kind);
    y->nkids = 1;
    return y;
}

static npc_csel *nnf(npc_arena *a, const npc_csel *x, int neg)
{
    switch (x->kind) {
    case NPC_CSEL_ALL:
    case NPC_CSEL_GLOBAL:
        return copy_leaf(a, x, neg ? NPC_CSEL_NONE : x->kind);
    case NPC_CSEL_NONE:
        return copy_leaf(a, x, neg ? NPC_CSEL_ALL : NPC_CSEL_NONE);
    case NPC_CSEL_EQ:
        return copy_leaf(a, x, neg ? NPC_CSEL_NE : NPC_CSEL_EQ);
    case NPC_CSEL_NE:
        return copy_leaf(a, x, neg ? NPC_CSEL_EQ : NPC_CSEL_NE);
    case NPC_CSEL_IN:
        return copy_leaf(a, x, neg ? NPC_CSEL_NOTIN : NPC_CSEL_IN);
    case NPC_CSEL_NOTIN:
        return copy_leaf(a, x, neg ? NPC_CSEL_IN : NPC_CSEL_NOTIN);
    case NPC_CSEL_HAS:
    case NPC_CSEL_CONTAINS:
    case NPC_CSEL_STARTS:
    case NPC_CSEL_ENDS:
        return neg ? not_of(a, x) : copy_leaf(a, x, x->kind);
    case NPC_CSEL_NOT:
        return nnf(a, x->kids[0], !neg);
    case NPC_CSEL_AND:
    case NPC_CSEL_OR: {
        npc_csel_kind k = (x->kind == NPC_CSEL_AND) != !!neg ? NPC_CSEL_AND : NPC_CSEL_OR;
        NPC_VEC(npc_csel *) kids = {0};
        for (uint32_t i = 0; i < x->nkids; i++) {
            npc_csel *y = nnf(a, x->kids[i], neg);
            if (y->kind == k) { /* flatten */
                for (uint32_t j = 0; j < y->nkids; j++)
                    npc_vec_push(&kids, y->kids[j]);
            } else {
                npc_vec_push(&kids, y);
            }
        }
        npc_csel *out = npc_arena_alloc(a, sizeof *out);
        out->kind = k;
        out->nkids = (uint32_t)kids.len;
        out->kids = npc_arena_alloc(a, kids.len * sizeof *out->kids);
        memcpy(out->kids, kids.items, kids.len * sizeof *out->kids);
        npc_vec_free(&kids);
        return out;
    }
    }
    return copy_leaf(a, x, x->kind);
}

npc_csel *npc_csel_normalize(npc_arena *arena, const npc_csel *sel)
{
    return nnf(arena, sel, 0);
}

/* The Kubernetes-style term for a normalised leaf, if it has one. */
static int as_expr(const npc_csel *x, npc_sel_expr *e)
{
    memset(e, 0, sizeof *e);
    switch (x->kind) {
    case NPC_CSEL_EQ:
    case NPC_CSEL_IN:
        e->op = NPC_SEL_IN;
        break;
    case NPC_CSEL_NE:
    case NPC_CSEL_NOTIN:
        e->op = NPC_SEL_NOTIN;
        break;
    case NPC_CSEL_HAS:
        e->op = NPC_SEL_EXISTS;
        break;
    case NPC_CSEL_NOT:
        if (x->kids[0]->kind != NPC_CSEL_HAS)
            return 0;
        e->op = NPC_SEL_NOTEXISTS;
        e->key = x->kids[0]->key;
        return 1;
    default:
        return 0;
    }
    e->key = x->key;
    e->values = x->values;
    e->nvalues = x->nvalues;
    return 1;
}

void npc_csel_split(npc_arena *arena, const npc_csel *sel, npc_selector *out, const npc_csel **rest)
{
    npc_csel *x = npc_csel_normalize(arena, sel);
    npc_csel **kids = &x;
    uint32_t n = 1;
    if (x->kind == NPC_CSEL_AND) {
        kids = x->kids;
        n = x->nkids;
    }
    memset(out, 0, sizeof *out);
    out->exprs = npc_arena_alloc(arena, (n + 1) * sizeof *out->exprs);
    npc_csel **others = npc_arena_alloc(arena, (n + 1) * sizeof *others);
    uint32_t nothers = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (kids[i]->kind == NPC_CSEL_ALL || kids[i]->kind == NPC_CSEL_GLOBAL)
            continue;
        if (!as_expr(kids[i], &out->exprs[out->nexprs]))
            others[nothers++] = kids[i];
        else
            out->nexprs++;
    }
    *rest = NULL;
    if (nothers == 1) {
        *rest = others[0];
    } else if (nothers > 1) {
        npc_csel *r = npc_arena_alloc(arena, sizeof *r);
        r->kind = NPC_CSEL_AND;
        r->kids = others;
        r->nkids = nothers;
        *rest = r;
    }
}

void npc_csel_to_selector(npc_arena *arena, npc_interner *in, const npc_csel *sel,
                          npc_selector *out)
{
    const npc_csel *rest;
    npc_csel_split(arena, sel, out, &rest);
    if (rest) {
        npc_buf b = NPC_BUF_INIT;
        npc_csel_format(rest, in, &b);
        out->tree = rest;
        out->tree_key = npc_intern(in, b.data, b.len);
        out->tree_str = in;
        npc_buf_free(&b);
    }
}

/* ------------------------------------------------------------- building */

npc_csel *npc_csel_and(npc_arena *arena, npc_csel *a, npc_csel *b)
{
    if (!a || !b)
        return a ? a : b;
    npc_csel *x = npc_arena_alloc(arena, sizeof *x);
    x->kind = NPC_CSEL_AND;
    x->kids = npc_arena_alloc(arena, 2 * sizeof *x->kids);
    x->kids[0] = a;
    x->kids[1] = b;
    x->nkids = 2;
    return x;
}

npc_csel *npc_csel_not(npc_arena *arena, npc_csel *a)
{
    npc_csel *x = npc_arena_alloc(arena, sizeof *x);
    x->kind = NPC_CSEL_NOT;
    x->kids = npc_arena_alloc(arena, sizeof *x->kids);
    x->kids[0] = a;
    x->nkids = 1;
    return x;
}

npc_csel *npc_csel_rewrite(npc_arena *arena, const npc_csel *a, npc_sym from, npc_sym to,
                           int global_value)
{
    npc_csel *x = npc_arena_alloc(arena, sizeof *x);
    *x = *a;
    if (x->kind == NPC_CSEL_GLOBAL)
        x->kind = global_value ? NPC_CSEL_ALL : NPC_CSEL_NONE;
    if (from && x->key == from)
        x->key = to;
    if (a->nkids) {
        x->kids = npc_arena_alloc(arena, a->nkids * sizeof *x->kids);
        for (uint32_t i = 0; i < a->nkids; i++)
            x->kids[i] = npc_csel_rewrite(arena, a->kids[i], from, to, global_value);
    }
    return x;
}

/* -------------------------------------------------------- diagnostics */

npc_loc npc_csel_loc(const npc_node *n, size_t offset)
{
    npc_loc l = npc_node_loc(n);
    if (n->kind != NPC_NODE_SCALAR || n->style == NPC_STYLE_BLOCK ||
        memchr(n->u.scalar.s, '\n', n->u.scalar.len))
        return l;
    l.col += (uint32_t)offset + (n->style == NPC_STYLE_QUOTED);
    return l;
}

npc_csel *npc_csel_parse_node(npc_cluster *c, const npc_node *n, const char *field)
{
    npc_csel_error err = {0, NULL};
    if (npc_node_is_null(n)) {
        npc_csel *all = npc_arena_alloc(c->arena, sizeof *all);
        all->kind = NPC_CSEL_ALL;
        return all;
    }
    if (!npc_node_is_string(n)) {
        npc_error(c->ctx, NPC223, npc_node_loc(n), "%s must be a selector string, not %s", field,
                  npc_node_type_a(n));
        return NULL;
    }
    const char *s = n->u.scalar.s;
    size_t len = n->u.scalar.len;
    npc_csel *x = npc_csel_parse(c->arena, c->ctx->strings, s, len, &err);
    if (!x) {
        size_t show = 0;
        while (err.offset + show < len && show < 24 && (unsigned char)s[err.offset + show] >= 0x20)
            show++;
        if (err.offset >= len)
            npc_error(c->ctx, NPC223, npc_csel_loc(n, err.offset),
                      "invalid %s: %s (at the end of the selector)", field, err.msg);
        else
            npc_error(c->ctx, NPC223, npc_csel_loc(n, err.offset),
                      "invalid %s: %s (at byte %zu: '%.*s')", field, err.msg, err.offset + 1,
                      (int)show, s + err.offset);
    }
    return x;
}
