/* The cluster model's lifetime, and the IR's tables. */
#include <stdlib.h>
#include <string.h>

#include "model/ir.h"
#include "util/ctx.h"

static const char *const kind_names[NPC_KIND_COUNT] = {
    [NPC_KIND_NETWORKPOLICY] = "NetworkPolicy",
    [NPC_KIND_ANP] = "AdminNetworkPolicy",
    [NPC_KIND_BANP] = "BaselineAdminNetworkPolicy",
    [NPC_KIND_CNP] = "ClusterNetworkPolicy",
    [NPC_KIND_CILIUM] = "CiliumNetworkPolicy",
    [NPC_KIND_CILIUM_CW] = "CiliumClusterwideNetworkPolicy",
    [NPC_KIND_CALICO_NP] = "NetworkPolicy",
    [NPC_KIND_CALICO_GNP] = "GlobalNetworkPolicy",
};

const char *npc_policy_kind_name(npc_policy_kind k)
{
    return (unsigned)k < NPC_KIND_COUNT ? kind_names[k] : "?";
}

static const char *const proto_names[NPC_PROTO_COUNT] = {"TCP", "UDP", "SCTP"};

const char *npc_proto_name(npc_proto p)
{
    return (unsigned)p < NPC_PROTO_COUNT ? proto_names[p] : "?";
}

int npc_proto_parse(const char *s, npc_proto *out)
{
    for (int i = 0; i < NPC_PROTO_COUNT; i++)
        if (strcmp(s, proto_names[i]) == 0) {
            *out = (npc_proto)i;
            return 1;
        }
    return 0;
}

/* Namespace name -> index: open addressing over symbols (0 = empty slot). */
typedef struct ns_index {
    npc_sym *keys;
    uint32_t *vals;
    size_t cap, len;
} ns_index;

static size_t ns_slot(const ns_index *h, npc_sym key)
{
    size_t mask = h->cap - 1, i = ((size_t)key * 2654435761u) & mask;
    while (h->keys[i] && h->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static void ns_index_grow(ns_index *h)
{
    ns_index old = *h;
    h->cap = old.cap ? old.cap * 2 : 64;
    h->keys = npc_xcalloc(h->cap, sizeof *h->keys);
    h->vals = npc_xcalloc(h->cap, sizeof *h->vals);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i]) {
            size_t j = ns_slot(h, old.keys[i]);
            h->keys[j] = old.keys[i];
            h->vals[j] = old.vals[i];
        }
    free(old.keys);
    free(old.vals);
}

void npc_cluster_set_staged(npc_cluster *c, int enforced)
{
    c->staged_enforced = enforced != 0;
}

npc_cluster *npc_cluster_new(npc_ctx *ctx)
{
    npc_cluster *c = npc_xcalloc(1, sizeof *c);
    c->ctx = ctx;
    c->arena = npc_arena_new();
    c->ns_index = npc_xcalloc(1, sizeof(ns_index));
    /* the Kubernetes layers, at the indices of NPC_LAYER_* */
    (void)npc_cluster_layer(c, "admin", 100, NPC_MODE_FIRST_MATCH, 0);
    (void)npc_cluster_layer(c, "namespace", 200, NPC_MODE_ADDITIVE, 1);
    (void)npc_cluster_layer(c, "baseline", 300, NPC_MODE_FIRST_MATCH, 0);
    return c;
}

uint32_t npc_cluster_layer(npc_cluster *c, const char *name, double order, npc_layer_mode mode,
                           int isolates)
{
    npc_sym s = npc_intern_cstr(c->ctx->strings, name);
    for (size_t i = 0; i < c->layers.len; i++)
        if (c->layers.items[i].name == s)
            return (uint32_t)i;
    npc_layer l;
    memset(&l, 0, sizeof l);
    l.name = s;
    l.order = order;
    l.mode = mode;
    l.isolates = (uint8_t)(isolates != 0);
    npc_vec_push(&c->layers, l);
    return (uint32_t)(c->layers.len - 1);
}

void npc_cluster_free(npc_cluster *c)
{
    if (!c)
        return;
    if (c->eval && c->eval_free)
        c->eval_free(c->eval);
    ns_index *h = c->ns_index;
    if (h) {
        free(h->keys);
        free(h->vals);
        free(h);
    }
    npc_vec_free(&c->namespaces);
    npc_vec_free(&c->workloads);
    npc_vec_free(&c->policies);
    npc_vec_free(&c->layers);
    npc_vec_free(&c->nodes);
    npc_vec_free(&c->apiserver_ips);
    npc_vec_free(&c->dns);
    npc_vec_free(&c->cidr_groups);
    npc_vec_free(&c->netsets);
    npc_vec_free(&c->netset_refs);
    npc_arena_free(c->arena);
    free(c);
}

uint32_t npc_cluster_namespace(npc_cluster *c, npc_sym ns)
{
    ns_index *h = c->ns_index;
    if ((h->len + 1) * 2 > h->cap)
        ns_index_grow(h);
    size_t slot = ns_slot(h, ns);
    if (h->keys[slot])
        return h->vals[slot];
    npc_namespace n;
    memset(&n, 0, sizeof n);
    n.name = ns;
    npc_label *l = npc_arena_alloc(c->arena, sizeof *l);
    l->key = npc_intern_cstr(c->ctx->strings, "kubernetes.io/metadata.name");
    l->value = ns;
    n.labels.items = l;
    n.labels.len = 1;
    npc_vec_push(&c->namespaces, n);
    h->keys[slot] = ns;
    h->vals[slot] = (uint32_t)(c->namespaces.len - 1);
    h->len++;
    return (uint32_t)(c->namespaces.len - 1);
}

int npc_cluster_find_namespace(const npc_cluster *c, npc_sym ns, uint32_t *out)
{
    const ns_index *h = c->ns_index;
    if (!h->cap || !ns)
        return 0;
    size_t slot = ns_slot(h, ns);
    if (!h->keys[slot])
        return 0;
    *out = h->vals[slot];
    return 1;
}
