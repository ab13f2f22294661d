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
#include "util/ctx.h"
#include "util/diag.h"

#define ENGINE "kubernetes"

static const char *str(const npc_compiled *c, npc_sym s)
{
    return npc_render_str(c, s);
}

static void ipblock_ev(npc_arena *a, const char *cidr, const npc_compiled *c, const npc_peer *p,
                       npc_ev *list)
{
    npc_ev *b = npc_ev_map(a);
    npc_ev_put(a, b, "cidr", npc_ev_str(a, cidr));
    if (p && p->nexcept) {
        npc_ev *ex = npc_ev_seq(a);
        for (uint32_t i = 0; i < p->nexcept; i++)
            npc_ev_push(a, ex, npc_ev_str(a, str(c, p->except[i])));
        npc_ev_put(a, b, "except", ex);
    }
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "ipBlock", b);
    npc_ev_push(a, list, m);
}

/* One IR peer as NetworkPolicyPeers: namespaces by name become
 * kubernetes.io/metadata.name (ns_sel holds it), every address the two
 * ipBlocks 0.0.0.0/0 and ::/0, an FQDN its fallback peers. */
static int peer_ev(const npc_compiled *c, npc_arena *a, const npc_peer *p, npc_ev *list)
{
    npc_ctx *ctx = c->spec->ctx;
    switch (p->kind) {
    case NPC_PEER_PODS: {
        npc_ev *m = npc_ev_map(a);
        int has_ns = p->ns_mode != NPC_NS_SAME;
        if (has_ns)
            npc_ev_put(a, m, "namespaceSelector", npc_render_selector(a, ctx, &p->ns_sel));
        if (!npc_selector_is_empty(&p->pod_sel) || !has_ns)
            npc_ev_put(a, m, "podSelector", npc_render_selector(a, ctx, &p->pod_sel));
        npc_ev_push(a, list, m);
        return 1;
    }
    case NPC_PEER_IPS:
        if (p->cidr) {
            ipblock_ev(a, str(c, p->cidr), c, p, list);
        } else {
            ipblock_ev(a, "0.0.0.0/0", c, NULL, list);
            ipblock_ev(a, "::/0", c, NULL, list);
        }
        return 1;
    case NPC_PEER_FQDN:
        if (!p->nfallback) {
            npc_error(ctx, NPC303, p->loc,
                      "the kubernetes engine cannot select the FQDN '%s'; give a fallback peer "
                      "(e.g. fallback: any-ip or a cidr)",
                      str(c, p->fqdn));
            return 0;
        }
        npc_render_fqdn_fallback(ctx, c, p, "kubernetes");
        for (uint32_t i = 0; i < p->nfallback; i++)
            if (!peer_ev(c, a, &p->fallback[i], list))
                return 0;
        return 1;
    case NPC_PEER_ANY:
    case NPC_PEER_NODES:
    case NPC_PEER_ENTITY: /* only engines with native entities (spec/entities.c) */
        break;
    }
    return 0;
}

static npc_ev *port_ev(const npc_compiled *c, npc_arena *a, const npc_port_match *p)
{
    npc_ev *m = npc_ev_map(a);
    npc_proto proto = NPC_PROTO_TCP;
    for (int i = 0; i < NPC_PROTO_COUNT; i++)
        if (p->proto_mask & (1u << i)) {
            proto = (npc_proto)i;
            break;
        }
    npc_ev_put(a, m, "protocol", npc_ev_str(a, npc_proto_name(proto)));
    if (p->name)
        npc_ev_put(a, m, "port", npc_ev_str(a, str(c, p->name)));
    else if (!(p->lo == 1 && p->hi == 65535)) {
        npc_ev_put(a, m, "port", npc_ev_int(a, p->lo));
        if (p->hi != p->lo)
            npc_ev_put(a, m, "endPort", npc_ev_int(a, p->hi));
    }
    return m;
}

static int any_peer(const npc_rule *r)
{
    return r->npeers == 1 && r->peers[0].kind == NPC_PEER_ANY;
}

static npc_ev *rule_ev(const npc_compiled *c, npc_arena *a, const npc_rule *r, int *ok)
{
    npc_ctx *ctx = c->spec->ctx;
    npc_ev *m = npc_ev_map(a);
    if (!any_peer(r)) {
        npc_ev *peers = npc_ev_seq(a);
        for (uint32_t i = 0; i < r->npeers; i++)
            if (!peer_ev(c, a, &r->peers[i], peers))
                *ok = 0;
        npc_ev *uniq = npc_ev_seq(a);
        seen_keys seen = {NULL, 0, 0};
        for (size_t i = 0; i < peers->n; i++)
            if (npc_render_seen_add(a, &seen, peers->items[i]))
                npc_ev_push(a, uniq, peers->items[i]);
        npc_ev_put(a, m, r->dir == NPC_DIR_INGRESS ? "from" : "to", uniq);
    }
    if (r->nports) {
        npc_ev *ports = npc_ev_seq(a);
        for (uint32_t i = 0; i < r->nports; i++) {
            const npc_port_match *p = &r->ports[i];
            if (p->name && r->dir == NPC_DIR_EGRESS && npc_render_has_nonpod_peer(r)) {
                npc_error(
                    ctx, NPC304, p->loc,
                    "named port '%s' never matches an IP peer in an egress rule; give its number",
                    str(c, p->name));
                *ok = 0;
            }
            npc_ev_push(a, ports, port_ev(c, a, p));
        }
        npc_ev_put(a, m, "ports", ports);
    }
    return m;
}

int npc_render_kubernetes(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs)
{
    int ok = 1;
    const npc_cluster *ir = c->ir;
    for (size_t i = 0; i < ir->policies.len; i++) {
        const npc_policy *p = &ir->policies.items[i];
        const npc_annex *ax = &c->annex[i];
        npc_ev *rules[2] = {npc_ev_seq(a), npc_ev_seq(a)};
        seen_keys seen[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
        for (uint32_t j = 0; j < p->nrules; j++) {
            npc_ev *r = rule_ev(c, a, &p->rules[j], &ok);
            npc_render_seen_add(a, &seen[p->rules[j].dir], r);
            npc_ev_push(a, rules[p->rules[j].dir], r);
        }
        int dirs = npc_render_passthrough(a, ax, ENGINE, rules, seen);
        if (!dirs)
            continue; /* nothing for this engine */
        npc_ev *obj = npc_ev_map(a);
        npc_ev_put(a, obj, "apiVersion", npc_ev_str(a, "networking.k8s.io/v1"));
        npc_ev_put(a, obj, "kind", npc_ev_str(a, "NetworkPolicy"));
        npc_ev_put(a, obj, "metadata", npc_render_metadata(a, c, ax));
        npc_ev *spec = npc_ev_map(a);
        npc_ev_put(a, spec, "podSelector", npc_render_selector(a, ctx, &p->subj_pod_sel));
        npc_ev_put(a, spec, "policyTypes", npc_render_types(a, dirs));
        if (rules[0]->n)
            npc_ev_put(a, spec, "ingress", rules[0]);
        if (rules[1]->n)
            npc_ev_put(a, spec, "egress", rules[1]);
        npc_ev_put(a, obj, "spec", spec);
        NPC_APUSH(a, docs->items, docs->n, docs->cap, obj);
    }
    return ok;
}
