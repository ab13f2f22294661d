/* Nodes, the API server's addresses and DNS answers: what Cilium's
 * reserved entities (host, remote-node, kube-apiserver, world) and FQDN
 * peers are resolved against.
 *
 * A Node's addresses are its status.addresses of type InternalIP and
 * ExternalIP: the addresses Cilium gives the host / remote-node identity.
 * The API server's addresses are those of the Endpoints of
 * default/kubernetes, which is how Cilium finds the kube-apiserver entity
 * (docs/analysis.md). */
#include <ctype.h>
#include <string.h>

#include "model/ir.h"
#include "util/ctx.h"
#include "util/diag.h"

static const char *str_of(const npc_node *n)
{
    return npc_node_is_string(n) ? n->u.scalar.s : NULL;
}

/* The address of n, a string holding an IP; reports NPC206 otherwise. */
static int read_ip(npc_cluster *c, const npc_node *n, npc_ip *out)
{
    const char *s = str_of(n);
    if (s && npc_ip_parse(s, out))
        return 1;
    npc_error(c->ctx, NPC206, npc_node_loc(n), "invalid IP address '%s'",
              n && n->kind == NPC_NODE_SCALAR ? n->u.scalar.s : npc_node_type_name(n));
    return 0;
}

/* The InternalIP and ExternalIP entries of parent's `addresses` list (the
 * address under ip_key) into nd->ips. */
static int read_addresses(npc_cluster *c, const npc_node *parent, const char *ip_key,
                          npc_node_obj *nd)
{
    const npc_node *addrs = parent ? npc_map_get(parent, "addresses") : NULL;
    if (!addrs || addrs->kind != NPC_NODE_SEQ)
        return 1;
    nd->ips = npc_arena_alloc(c->arena, (addrs->u.seq.len + 1) * sizeof *nd->ips);
    for (size_t i = 0; i < addrs->u.seq.len; i++) {
        const npc_node *a = addrs->u.seq.items[i];
        if (!a || a->kind != NPC_NODE_MAP)
            continue;
        const npc_node *type = npc_map_get(a, "type");
        if (!npc_node_scalar_eq(type, "InternalIP") && !npc_node_scalar_eq(type, "ExternalIP"))
            continue;
        if (!read_ip(c, npc_map_get(a, ip_key), &nd->ips[nd->nips]))
            return 0;
        nd->nips++;
    }
    return 1;
}

int npc_load_node(npc_cluster *c, const npc_node *obj)
{
    const npc_node *md = npc_map_get(obj, "metadata");
    const npc_node *name = md && md->kind == NPC_NODE_MAP ? npc_map_get(md, "name") : NULL;
    if (!str_of(name) || !*str_of(name)) {
        npc_error(c->ctx, NPC202, npc_node_loc(md ? md : obj), "a Node needs metadata.name");
        return 0;
    }
    npc_node_obj nd;
    memset(&nd, 0, sizeof nd);
    nd.loc = npc_node_loc(obj);
    nd.name = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    nd.declared = 1;
    if (!npc_parse_labels(c, npc_map_get(md, "labels"), &nd.labels))
        return 0;
    const npc_node *status = npc_map_get(obj, "status");
    if (!read_addresses(c, status && status->kind == NPC_NODE_MAP ? status : NULL, "address", &nd))
        return 0;
    for (size_t i = 0; i < c->nodes.len; i++)
        if (c->nodes.items[i].name == nd.name) {
            if (!c->nodes.items[i].declared) {
                /* first seen as a CiliumNode: the Node completes it */
                if (!nd.nips) {
                    nd.ips = c->nodes.items[i].ips;
                    nd.nips = c->nodes.items[i].nips;
                }
                c->nodes.items[i] = nd;
                return 1;
            }
            npc_diag *d = npc_warning(c->ctx, NPC217, nd.loc,
                                      "node '%s' is declared twice; the last one counts",
                                      npc_sym_str(c->ctx->strings, nd.name));
            npc_diag_also(d, c->nodes.items[i].loc);
            c->nodes.items[i] = nd;
            return 1;
        }
    npc_vec_push(&c->nodes, nd);
    return 1;
}

/* cilium.io/v2 CiliumNode: the node runs Cilium, so the cluster's pods
 * are matched by their Cilium identities (c->identity_labels); its
 * spec.addresses are the node's, when no Node object gives them. */
int npc_load_cilium_node(npc_cluster *c, const npc_node *obj)
{
    const npc_node *md = npc_map_get(obj, "metadata");
    const npc_node *name = md && md->kind == NPC_NODE_MAP ? npc_map_get(md, "name") : NULL;
    if (!str_of(name) || !*str_of(name)) {
        npc_error(c->ctx, NPC202, npc_node_loc(md ? md : obj), "a CiliumNode needs metadata.name");
        return 0;
    }
    c->identity_labels = 1;
    npc_sym sym = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    for (size_t i = 0; i < c->nodes.len; i++)
        if (c->nodes.items[i].name == sym && c->nodes.items[i].nips)
            return 1;
    const npc_node *spec = npc_map_get(obj, "spec");
    npc_node_obj nd;
    memset(&nd, 0, sizeof nd);
    nd.name = sym;
    nd.loc = npc_node_loc(obj);
    if (!read_addresses(c, spec && spec->kind == NPC_NODE_MAP ? spec : NULL, "ip", &nd))
        return 0;
    for (size_t i = 0; i < c->nodes.len; i++)
        if (c->nodes.items[i].name == sym) { /* a Node without addresses */
            c->nodes.items[i].ips = nd.ips;
            c->nodes.items[i].nips = nd.nips;
            return 1;
        }
    npc_vec_push(&c->nodes, nd);
    return 1;
}

int npc_load_endpoints(npc_cluster *c, const npc_node *obj)
{
    const npc_node *md = npc_map_get(obj, "metadata");
    if (!md || md->kind != NPC_NODE_MAP)
        return 1;
    const char *name = str_of(npc_map_get(md, "name"));
    const char *ns = str_of(npc_map_get(md, "namespace"));
    if (!name || strcmp(name, "kubernetes") != 0 || (ns && *ns && strcmp(ns, "default") != 0))
        return 1; /* only the API server's backends take part in policy */
    const npc_node *subsets = npc_map_get(obj, "subsets");
    if (!subsets || subsets->kind != NPC_NODE_SEQ)
        return 1;
    for (size_t i = 0; i < subsets->u.seq.len; i++) {
        const npc_node *s = subsets->u.seq.items[i];
        const npc_node *addrs = s && s->kind == NPC_NODE_MAP ? npc_map_get(s, "addresses") : NULL;
        for (size_t j = 0; addrs && addrs->kind == NPC_NODE_SEQ && j < addrs->u.seq.len; j++) {
            const npc_node *a = addrs->u.seq.items[j];
            npc_ip ip;
            if (!a || a->kind != NPC_NODE_MAP)
                continue;
            if (!read_ip(c, npc_map_get(a, "ip"), &ip))
                return 0;
            npc_vec_push(&c->apiserver_ips, ip);
        }
    }
    return 1;
}

/* ----------------------------------------------------------- DNS names */

void npc_fqdn_normalize(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)tolower((unsigned char)s[i]);
    if (n && s[n - 1] == '.')
        s[n - 1] = 0;
}

static int dns_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-';
}

/* One DNS label against one pattern label ('*': any run of letters,
 * digits and '-'): the two-pointer glob match, linear in practice. A star
 * that cannot take a character leaves no earlier star able to. */
static int label_matches(const char *p, size_t np, const char *s, size_t ns)
{
    size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
    while (j < ns) {
        if (i < np && p[i] == '*') {
            star = i++;
            mark = j;
        } else if (i < np && p[i] == s[j]) {
            i++;
            j++;
        } else if (star != (size_t)-1 && dns_char(s[mark])) {
            i = star + 1;
            j = ++mark;
        } else {
            return 0;
        }
    }
    while (i < np && p[i] == '*')
        i++;
    return i == np;
}

/* Cilium's matchPattern (pkg/fqdn/matchpattern): '*' alone matches every
 * name; elsewhere '*' matches any run of [-a-zA-Z0-9] (never a '.'), so
 * the pattern and the name have the same number of labels. */
int npc_fqdn_pattern_matches(const char *pattern, const char *name)
{
    if (strcmp(pattern, "*") == 0)
        return 1;
    for (;;) {
        const char *pd = strchr(pattern, '.'), *nd = strchr(name, '.');
        size_t np = pd ? (size_t)(pd - pattern) : strlen(pattern);
        size_t nn = nd ? (size_t)(nd - name) : strlen(name);
        if (!label_matches(pattern, np, name, nn) || !pd != !nd)
            return 0;
        if (!pd)
            return 1;
        pattern = pd + 1;
        name = nd + 1;
    }
}

npc_status npc_cluster_add_dns(npc_cluster *c, const char *name, const char *ip)
{
    npc_dns_answer a;
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 253 || !ip || !npc_ip_parse(ip, &a.ip))
        return NPC_ERR_INPUT;
    char buf[256];
    memcpy(buf, name, n + 1);
    npc_fqdn_normalize(buf);
    if (!*buf)
        return NPC_ERR_INPUT;
    a.name = npc_intern_cstr(c->ctx->strings, buf);
    npc_vec_push(&c->dns, a);
    if (c->eval && c->eval_free) { /* built without the answer: rebuild on demand */
        c->eval_free(c->eval);
        c->eval = NULL;
    }
    return NPC_OK;
}
