/* Kubernetes networking.k8s.io/v1 NetworkPolicy.
 *
 * Field order: apiVersion, kind, metadata{name, namespace, labels},
 * spec{podSelector, policyTypes, ingress, egress}; rules {from|to, ports};
 * peers {ipBlock, namespaceSelector, podSelector}; ports {protocol, port,
 * endPort}. policyTypes lists exactly the directions the policy carries
 * (rules, or an explicit deny-all). */
#include <string.h>

#include "model/ir.h"
#include "render/render.h"
#include "util/buf.h"

#define ENGINE "kubernetes"

/* The canonical keys of the values put in one list, to put each value
 * once: fallback peers may repeat a peer of their rule, passthrough rules
 * a compiled one. */
typedef struct seen_keys {
    const char **keys;
    size_t n, cap;
} seen_keys;

/* Returns 1 and remembers v when no equal value was seen before. */
static int seen_add(npc_arena *a, seen_keys *seen, const npc_ev *v)
{
    npc_buf k = NPC_BUF_INIT;
    npc_ev_key(v, &k);
    int fresh = 1;
    for (size_t i = 0; i < seen->n && fresh; i++)
        fresh = strcmp(seen->keys[i], npc_buf_cstr(&k)) != 0;
    if (fresh) {
        const char *key = npc_arena_strdup(a, npc_buf_cstr(&k));
        NPC_APUSH(a, seen->keys, seen->n, seen->cap, key);
    }
    npc_buf_free(&k);
    return fresh;
}

static int peer_ev(npc_ctx *ctx, npc_arena *a, const npc_cpeer *p, npc_ev *list)
{
    switch (p->kind) {
    case NPC_CP_PODS: {
        npc_ev *m = npc_ev_map(a);
        if (p->has_ns)
            npc_ev_put(a, m, "namespaceSelector", npc_render_selector(a, &p->ns_sel));
        if (p->has_pods || !p->has_ns)
            npc_ev_put(a, m, "podSelector", npc_render_selector(a, &p->pods));
        npc_ev_push(a, list, m);
        return 1;
    }
    case NPC_CP_IPBLOCK: {
        npc_ev *b = npc_ev_map(a);
        npc_ev_put(a, b, "cidr", npc_ev_str(a, p->cidr));
        if (p->nexcept) {
            npc_ev *ex = npc_ev_seq(a);
            for (size_t i = 0; i < p->nexcept; i++)
                npc_ev_push(a, ex, npc_ev_str(a, p->except[i]));
            npc_ev_put(a, b, "except", ex);
        }
        npc_ev *m = npc_ev_map(a);
        npc_ev_put(a, m, "ipBlock", b);
        npc_ev_push(a, list, m);
        return 1;
    }
    case NPC_CP_FQDN:
        if (!p->nfallback) {
            npc_error(ctx, NPC303, p->loc,
                      "the kubernetes engine cannot select the FQDN '%s'; give a fallback peer "
                      "(e.g. fallback: any-ip or a cidr)",
                      p->fqdn);
            return 0;
        }
        for (size_t i = 0; i < p->nfallback; i++)
            if (!peer_ev(ctx, a, &p->fallback[i], list))
                return 0;
        return 1;
    }
    return 0;
}

static npc_ev *port_ev(npc_arena *a, const npc_cport *p)
{
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "protocol", npc_ev_str(a, npc_proto_name((npc_proto)p->proto)));
    if (p->name)
        npc_ev_put(a, m, "port", npc_ev_str(a, p->name));
    else if (p->lo) {
        npc_ev_put(a, m, "port", npc_ev_int(a, p->lo));
        if (p->hi != p->lo)
            npc_ev_put(a, m, "endPort", npc_ev_int(a, p->hi));
    }
    return m;
}

static int has_ip_peer(const npc_crule *r)
{
    for (size_t i = 0; i < r->npeers; i++)
        if (r->peers[i].kind != NPC_CP_PODS)
            return 1;
    return r->any_peer;
}

static npc_ev *rule_ev(npc_ctx *ctx, npc_arena *a, const npc_crule *r, npc_dir dir, int *ok)
{
    npc_ev *m = npc_ev_map(a);
    if (!r->any_peer) {
        npc_ev *peers = npc_ev_seq(a);
        for (size_t i = 0; i < r->npeers; i++)
            if (!peer_ev(ctx, a, &r->peers[i], peers))
                *ok = 0;
        npc_ev *uniq = npc_ev_seq(a);
        seen_keys seen = {NULL, 0, 0};
        for (size_t i = 0; i < peers->n; i++)
            if (seen_add(a, &seen, peers->items[i]))
                npc_ev_push(a, uniq, peers->items[i]);
        npc_ev_put(a, m, dir == NPC_DIR_INGRESS ? "from" : "to", uniq);
    }
    if (!r->all_ports) {
        npc_ev *ports = npc_ev_seq(a);
        for (size_t i = 0; i < r->nports; i++) {
            const npc_cport *p = &r->ports[i];
            if (p->name && dir == NPC_DIR_EGRESS && has_ip_peer(r)) {
                npc_error(
                    ctx, NPC304, p->loc,
                    "named port '%s' never matches an IP peer in an egress rule; give its number",
                    p->name);
                *ok = 0;
            }
            npc_ev_push(a, ports, port_ev(a, p));
        }
        npc_ev_put(a, m, "ports", ports);
    }
    return m;
}

int npc_render_kubernetes(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs)
{
    int ok = 1;
    for (size_t i = 0; i < c->npolicies; i++) {
        const npc_cpolicy *p = &c->policies[i];
        npc_ev *rules[2] = {npc_ev_seq(a), npc_ev_seq(a)};
        for (int d = 0; d < 2; d++) {
            seen_keys seen = {NULL, 0, 0};
            for (size_t j = 0; j < p->nrules[d]; j++) {
                npc_ev *r = rule_ev(ctx, a, &p->rules[d][j], (npc_dir)d, &ok);
                seen_add(a, &seen, r);
                npc_ev_push(a, rules[d], r);
            }
            for (size_t j = 0; j < p->nraw[d]; j++) {
                if (strcmp(p->raw[d][j].engine, ENGINE))
                    continue;
                npc_ev *r = npc_ev_from_node(a, p->raw[d][j].rule);
                if (seen_add(a, &seen, r))
                    npc_ev_push(a, rules[d], r);
            }
        }
        int types[2] = {rules[0]->n > 0 || p->isolate[0], rules[1]->n > 0 || p->isolate[1]};
        if (!types[0] && !types[1])
            continue; /* nothing for this engine */
        npc_ev *obj = npc_ev_map(a);
        npc_ev_put(a, obj, "apiVersion", npc_ev_str(a, "networking.k8s.io/v1"));
        npc_ev_put(a, obj, "kind", npc_ev_str(a, "NetworkPolicy"));
        npc_ev_put(a, obj, "metadata", npc_render_metadata(a, c, p));
        npc_ev *spec = npc_ev_map(a);
        npc_ev_put(a, spec, "podSelector", npc_render_selector(a, &p->subject));
        npc_ev *pt = npc_ev_seq(a);
        if (types[0])
            npc_ev_push(a, pt, npc_ev_str(a, "Ingress"));
        if (types[1])
            npc_ev_push(a, pt, npc_ev_str(a, "Egress"));
        npc_ev_put(a, spec, "policyTypes", pt);
        if (rules[0]->n)
            npc_ev_put(a, spec, "ingress", rules[0]);
        if (rules[1]->n)
            npc_ev_put(a, spec, "egress", rules[1]);
        npc_ev_put(a, obj, "spec", spec);
        NPC_APUSH(a, docs->items, docs->n, docs->cap, obj);
    }
    return ok;
}
