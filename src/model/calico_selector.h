/* Calico's selector language (projectcalico.org/v3 `selector`,
 * `namespaceSelector`, `serviceAccountSelector`): parsing into an
 * expression tree, matching label sets, printing, and splitting a tree into
 * the conjunctive form (npc_selector) that the evaluator's label posting
 * lists resolve, plus a residual tree for what that form cannot say.
 *
 * The grammar and the meaning of each operator follow Calico's own parser
 * (libcalico-go/lib/selector/{tokenizer,parser}); docs/analysis.md cites
 * the files. Trees live in the arena they were parsed into; values and keys
 * are symbols of the interner given to the parser. */
#ifndef NPC_MODEL_CALICO_SELECTOR_H
#define NPC_MODEL_CALICO_SELECTOR_H
#include <stddef.h>
#include <stdint.h>

#include "model/ir.h"
#include "netpolc.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/intern.h"

typedef enum npc_csel_kind {
    NPC_CSEL_ALL,      /* all(), or an empty selector */
    NPC_CSEL_NONE,     /* matches nothing (a negated all() after normalising) */
    NPC_CSEL_GLOBAL,   /* global(): true on labels; its namespace meaning is the loader's */
    NPC_CSEL_EQ,       /* key == 'v': the label is present with value v */
    NPC_CSEL_NE,       /* key != 'v': absent, or another value */
    NPC_CSEL_IN,       /* key in {...}: present with one of the values */
    NPC_CSEL_NOTIN,    /* key not in {...}: absent, or none of the values */
    NPC_CSEL_HAS,      /* has(key) */
    NPC_CSEL_CONTAINS, /* key contains 'v': present and v is a substring */
    NPC_CSEL_STARTS,   /* key starts with 'v' */
    NPC_CSEL_ENDS,     /* key ends with 'v' */
    NPC_CSEL_NOT,      /* !x (one kid) */
    NPC_CSEL_AND,      /* two or more kids */
    NPC_CSEL_OR        /* two or more kids */
} npc_csel_kind;

typedef struct npc_csel npc_csel;
struct npc_csel {
    npc_csel_kind kind;
    npc_sym key;     /* label key of the leaf kinds EQ..ENDS */
    npc_sym *values; /* EQ, NE, CONTAINS, STARTS, ENDS: one; IN, NOTIN: sorted, unique */
    uint32_t nvalues;
    npc_csel **kids; /* NOT, AND, OR */
    uint32_t nkids;
};

/* Deepest nesting of parentheses and operators the parser accepts. */
#define NPC_CSEL_MAX_DEPTH 64

/* Why a selector did not parse: `offset` is the byte offset of the bad
 * token in the selector text (its length at the end of the input); `msg`
 * a static English sentence. */
typedef struct npc_csel_error {
    size_t offset;
    const char *msg;
} npc_csel_error;

/* Parses s[0..n) (no NUL needed). Returns the tree (allocated in arena;
 * an empty or blank selector is all()), or NULL with *err filled. Accepts
 * exactly what Calico accepts: whitespace is space and tab only; strings
 * are in '...' or "..." without escapes. */
npc_csel *npc_csel_parse(npc_arena *arena, npc_interner *in, const char *s, size_t n,
                         npc_csel_error *err);

/* Whether labels ls match sel (GLOBAL matches, as in Calico's evaluator). */
int npc_csel_matches(const npc_csel *sel, const npc_interner *in, const npc_labels *ls);

/* Whether global() occurs anywhere in sel. */
int npc_csel_uses_global(const npc_csel *sel);

/* Appends sel in Calico's canonical form: `a == "x"`, `has(a)`, `a in {"x", "y"}`,
 * `(a && b)`, `!x`; values double-quoted unless they contain '"'. */
void npc_csel_format(const npc_csel *sel, const npc_interner *in, npc_buf *out);

/* Appends s quoted for a selector (single quotes unless s holds one, then
 * double). Returns 0, appending nothing, when s holds both quote
 * characters: Calico's strings have no escapes, so no selector can say it. */
int npc_csel_put_string(npc_buf *out, const char *s, size_t n);

/* Whether s is a label key the selector language can name unquoted (its
 * identifier characters: letters, digits, '_', '.', '/', '-'). */
int npc_csel_key_ok(const char *s, size_t n);

/* The negation normal form of sel (negations pushed to the leaves, nested
 * AND/OR flattened), allocated in arena. */
npc_csel *npc_csel_normalize(npc_arena *arena, const npc_csel *sel);

/* Splits sel (any tree; normalised here) into out->exprs, the terms of its
 * top-level conjunction that a Kubernetes-style selector can express
 * (== as In, != and not in as NotIn, in, has, !has), and *rest, the
 * conjunction of the others (NULL when there are none), so that
 * sel == out && rest. Allocates in arena. */
void npc_csel_split(npc_arena *arena, const npc_csel *sel, npc_selector *out,
                    const npc_csel **rest);

/* The selector for sel in the IR: the split's terms, and the rest as
 * out->tree with its canonical text interned as out->tree_key. */
void npc_csel_to_selector(npc_arena *arena, npc_interner *in, const npc_csel *sel,
                          npc_selector *out);

/* Building trees (in arena): a && b (either may be NULL: the other one),
 * !a, and a copy of a with label key `from` read as `to` (0: none) and
 * global() replaced by all() (global_value 1) or by nothing (0). */
npc_csel *npc_csel_and(npc_arena *arena, npc_csel *a, npc_csel *b);
npc_csel *npc_csel_not(npc_arena *arena, npc_csel *a);
npc_csel *npc_csel_rewrite(npc_arena *arena, const npc_csel *a, npc_sym from, npc_sym to,
                           int global_value);

/* The source position of byte `offset` of the selector held by scalar n:
 * the column inside a single-line plain or quoted scalar, else n's own
 * position. */
npc_loc npc_csel_loc(const npc_node *n, size_t offset);

/* Parses the selector held by node n (a string; null or absent: all()),
 * interning into c's context. On a bad selector reports NPC223 at the bad
 * token, naming `field`, and returns NULL. */
npc_csel *npc_csel_parse_node(npc_cluster *c, const npc_node *n, const char *field);

#endif
