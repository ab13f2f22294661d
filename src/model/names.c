/* Object names as the API server validates them (apimachinery's
 * IsDNS1123Subdomain and IsDNS1123Label).
 *
 * A name with a character that cannot occur in any Kubernetes name (NUL,
 * '/', space, control and other punctuation, non-ASCII) is an error: it
 * would truncate the name or let it forge or blur report rows. A name of
 * name characters that breaks RFC 1123 otherwise (upper case, '_', a
 * leading '-', too long) is a warning: the API server would refuse it, but
 * netpol-analyzer reads it, and so do its corpora. */
#include "model/names.h"

#include <string.h>

#include "util/diag.h"

int npc_node_has_nul(const npc_node *n)
{
    return n && n->kind == NPC_NODE_SCALAR && strlen(n->u.scalar.s) != n->u.scalar.len;
}

static int lower_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static int name_char(char ch)
{
    return lower_alnum(ch) || (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '.' || ch == '_';
}

/* One RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?. */
static int dns_label(const char *s, size_t n)
{
    if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!lower_alnum(s[i]) && s[i] != '-')
            return 0;
    return 1;
}

/* RFC 1123 labels joined by '.' (no limit per label, as apimachinery). */
static int dns_subdomain(const char *s, size_t n)
{
    for (size_t start = 0, i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!dns_label(s + start, i - start))
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

int npc_check_object_name(npc_cluster *c, const npc_node *n, npc_name_rule rule, const char *what)
{
    const char *s = n->u.scalar.s;
    size_t len = n->u.scalar.len;
    if (npc_node_has_nul(n)) {
        npc_error(c->ctx, NPC225, npc_node_loc(n),
                  "invalid %s '%s...': it contains a NUL character", what, s);
        return 0;
    }
    if (len == 0) {
        npc_error(c->ctx, NPC225, npc_node_loc(n), "invalid %s: it is empty", what);
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!name_char(s[i])) {
            npc_error(c->ctx, NPC225, npc_node_loc(n),
                      "invalid %s '%s': names consist of lower case alphanumeric characters, "
                      "'-' and '.'%s",
                      what, s, s[i] == '/' ? "; '/' would make the name ambiguous" : "");
            return 0;
        }
    }
    const char *why = NULL;
    if (rule == NPC_NAME_LABEL && len > 63)
        why = "it is longer than 63 characters";
    else if (len > 253)
        why = "it is longer than 253 characters";
    else if (rule == NPC_NAME_LABEL && !dns_label(s, len))
        why = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
              "'-', and must start and end with an alphanumeric character";
    else if (rule == NPC_NAME_SUBDOMAIN && !dns_subdomain(s, len))
        why = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
              "characters, '-' or '.', and must start and end with an alphanumeric character";
    if (why)
        npc_warning(c->ctx, NPC225, npc_node_loc(n),
                    "%s '%s' would be refused by the API server: %s", what, s, why);
    return 1;
}
