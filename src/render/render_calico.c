/* Calico projectcalico.org/v3 NetworkPolicy.
 *
 * Calico runs a tier's policies by `order` (first matching rule wins) and
 * denies at the end of the tier what no rule decided for an endpoint that
 * some policy of the tier selects (docs/analysis.md). Every compiled
 * policy is an allowlist, so each becomes one NetworkPolicy in the default
 * tier at the spec's precedence.order (1000 unless set) with Allow rules
 * only, and the default-deny one policy per namespace selecting all() with
 * no rules at defaultDeny.order (2000 unless set): every allowlist comes
 * first, and the end-of-tier deny takes what none of them allows.
 *
 * Selectors are written in Calico's selector language: `key == 'v'`,
 * `key in {'a', 'b'}`, `!=`, `not in`, `has(key)`, `!has(key)`, joined by
 * ` && `, all() for the empty selector; a peer in the policy's own
 * namespace is a `selector` alone, namespaces by name are
 * `projectcalico.org/name == 'x'` (or `in {...}`), by labels a
 * `namespaceSelector` over the namespace labels. Addresses are `nets`
 * with the exceptions as `notNets`; every address is 0.0.0.0/0 and ::/0.
 * A Calico rule has one protocol: an IR rule becomes one rule per peer and
 * protocol, its ports numbers, "lo:hi" ranges and port names; a rule
 * without ports has no protocol. `types` lists exactly the directions the
 * policy carries (rules, or an explicit isolation). Passthrough rules of
 * the `calico` engine are appended verbatim.
 *
 * What Calico cannot express is an error naming the flow: an FQDN without
 * a fallback peer (open-source Calico has no domain rules), a named port
 * towards addresses (NPC304), a label that no selector string can hold.
 *
 * Field order: apiVersion, kind, metadata{name, namespace, labels},
 * spec{order, selector, types, ingress, egress}; rules {action, protocol,
 * source, destination}; entity rules {selector, namespaceSelector, nets,
 * notNets, ports}. */
#include <string.h>

#include "model/calico_selector.h"
#include "model/ir.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"

#define ENGINE "calico"
#define DEFAULT_ORDER 1000
#define DEFAULT_DENY_ORDER 2000

typedef struct calico_state {
    npc_ctx *ctx;
    const npc_compiled *c;
    npc_arena *a;
    int ok;
} calico_state;

static const char *str(const calico_state *st, npc_sym s)
{
    return npc_render_str(st->c, s);
}

/* Appends one quoted value; reports a value no selector can hold. */
static int put_value(calico_state *st, npc_buf *b, npc_sym v, npc_loc where)
{
    const char *s = str(st, v);
    if (npc_csel_put_string(b, s, strlen(s)))
        return 1;
    npc_error(st->ctx, NPC303, where,
              "the label value '%s' holds both quote characters: no Calico selector can name it",
              s);
    st->ok = 0;
    return 0;
}

static int put_key(calico_state *st, npc_buf *b, npc_sym k, npc_loc where)
{
    const char *s = str(st, k);
    if (npc_csel_key_ok(s, strlen(s))) {
        npc_buf_puts(b, s);
        return 1;
    }
    npc_error(st->ctx, NPC303, where, "the label key '%s' cannot be written in a Calico selector",
              s);
    st->ok = 0;
    return 0;
}

/* `k == 'v'` for one value, `k in {'a', 'b'}` for several (negated: `!=`,
 * `not in`). */
static void put_values(calico_state *st, npc_buf *b, npc_sym key, const npc_sym *v, uint32_t n,
                       int negated, npc_loc where)
{
    put_key(st, b, key, where);
    if (n == 1) {
        npc_buf_puts(b, negated ? " != " : " == ");
        put_value(st, b, v[0], where);
        return;
    }
    npc_buf_puts(b, negated ? " not in {" : " in {");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            npc_buf_puts(b, ", ");
        put_value(st, b, v[i], where);
    }
    npc_buf_puts(b, "}");
}

/* An IR selector as a Calico selector string (all() when empty). */
static npc_ev *selector_ev(calico_state *st, const npc_selector *sel, npc_loc where)
{
    npc_buf b = NPC_BUF_INIT;
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        const npc_sel_expr *e = &sel->exprs[i];
        if (i)
            npc_buf_puts(&b, " && ");
        switch (e->op) {
        case NPC_SEL_IN:
        case NPC_SEL_NOTIN:
            put_values(st, &b, e->key, e->values, e->nvalues, e->op == NPC_SEL_NOTIN, where);
            break;
        case NPC_SEL_EXISTS:
        case NPC_SEL_NOTEXISTS:
            npc_buf_puts(&b, e->op == NPC_SEL_EXISTS ? "has(" : "!has(");
            put_key(st, &b, e->key, where);
            npc_buf_puts(&b, ")");
            break;
        }
    }
    if (sel->tree) { /* a Calico expression the terms could not state */
        if (b.len)
            npc_buf_puts(&b, " && ");
        npc_csel_format(sel->tree, st->ctx->strings, &b);
    }
    if (!b.len)
        npc_buf_puts(&b, "all()");
    npc_ev *v = npc_ev_str(st->a, npc_arena_strdup(st->a, npc_buf_cstr(&b)));
    npc_buf_free(&b);
    return v;
}

/* The namespaces of a pods peer as a namespaceSelector, or NULL for the
 * policy's own namespace. */
static npc_ev *namespaces_ev(calico_state *st, const npc_peer *p, npc_loc where)
{
    if (p->ns_mode == NPC_NS_SAME)
        return NULL;
    if (p->ns_mode == NPC_NS_NAMES) {
        npc_buf b = NPC_BUF_INIT;
        put_values(st, &b, npc_intern_cstr(st->ctx->strings, "projectcalico.org/name"),
                   p->ns_names, p->nns, 0, where);
        npc_ev *v = npc_ev_str(st->a, npc_arena_strdup(st->a, npc_buf_cstr(&b)));
        npc_buf_free(&b);
        return v;
    }
    return selector_ev(st, &p->ns_sel, where);
}

static npc_ev *nets_ev(calico_state *st, const char *const *cidrs, size_t n)
{
    npc_ev *s = npc_ev_seq(st->a);
    for (size_t i = 0; i < n; i++)
        npc_ev_push(st->a, s, npc_ev_str(st->a, cidrs[i]));
    return s;
}

/* The entity rules (without ports) one IR peer stands for, appended to
 * list; NULL entries stand for "anything" (no entity rule). */
static void peer_evs(calico_state *st, const npc_peer *p, npc_loc where, npc_ev *list)
{
    npc_arena *a = st->a;
    switch (p->kind) {
    case NPC_PEER_ANY:
        npc_ev_push(a, list, npc_ev_map(a));
        return;
    case NPC_PEER_PODS: {
        npc_ev *m = npc_ev_map(a);
        npc_ev *ns = namespaces_ev(st, p, where);
        if (!ns || !npc_selector_is_empty(&p->pod_sel))
            npc_ev_put(a, m, "selector", selector_ev(st, &p->pod_sel, where));
        if (ns)
            npc_ev_put(a, m, "namespaceSelector", ns);
        npc_ev_push(a, list, m);
        return;
    }
    case NPC_PEER_IPS: {
        npc_ev *m = npc_ev_map(a);
        static const char *const every[] = {"0.0.0.0/0", "::/0"};
        if (!p->cidr) {
            npc_ev_put(a, m, "nets", nets_ev(st, every, 2));
        } else {
            const char *cidr = str(st, p->cidr);
            npc_ev_put(a, m, "nets", nets_ev(st, &cidr, 1));
            if (p->nexcept) {
                npc_ev *ex = npc_ev_seq(a);
                for (uint32_t i = 0; i < p->nexcept; i++)
                    npc_ev_push(a, ex, npc_ev_str(a, str(st, p->except[i])));
                npc_ev_put(a, m, "notNets", ex);
            }
        }
        npc_ev_push(a, list, m);
        return;
    }
    case NPC_PEER_FQDN:
        if (!p->nfallback) {
            npc_error(st->ctx, NPC303, p->loc,
                      "Calico cannot select the FQDN '%s' (domain rules are Calico Enterprise "
                      "only); give a fallback peer (e.g. fallback: any-ip or a cidr)",
                      str(st, p->fqdn));
            st->ok = 0;
            return;
        }
        npc_render_fqdn_fallback(st->ctx, st->c, p, ENGINE);
        for (uint32_t i = 0; i < p->nfallback; i++)
            peer_evs(st, &p->fallback[i], where, list);
        return;
    case NPC_PEER_NODES:
    case NPC_PEER_ENTITY: /* only engines with native entities (spec/entities.c) */
        break;
    }
    npc_error(st->ctx, NPC303, where, "the calico engine cannot express this peer%s", "");
    st->ok = 0;
}

/* Whether the entity rule e names addresses (nets): named ports never
 * match there. */
static int names_nets(const npc_ev *e)
{
    for (size_t i = 0; e && i < e->n; i++)
        if (!strcmp(e->keys[i], "nets"))
            return 1;
    return 0;
}

/* The ports of protocol proto among the rule's, into *out (NULL: every
 * port of it); 0 when none is of that protocol. */
static int ports_of(calico_state *st, const npc_rule *r, int proto, npc_ev **out)
{
    npc_arena *a = st->a;
    npc_ev *s = npc_ev_seq(a);
    int any = 0, all = 0;
    for (uint32_t i = 0; i < r->nports; i++) {
        const npc_port_match *pm = &r->ports[i];
        if (!(pm->proto_mask & (1u << proto)))
            continue;
        any = 1;
        if (pm->name) {
            npc_ev_push(a, s, npc_ev_str(a, str(st, pm->name)));
        } else if (pm->lo <= 1 && pm->hi == 65535) {
            all = 1;
        } else if (pm->lo == pm->hi) {
            npc_ev_push(a, s, npc_ev_int(a, pm->lo));
        } else {
            npc_buf b = NPC_BUF_INIT;
            npc_buf_printf(&b, "%u:%u", (unsigned)pm->lo, (unsigned)pm->hi);
            npc_ev_push(a, s, npc_ev_str(a, npc_arena_strdup(a, npc_buf_cstr(&b))));
            npc_buf_free(&b);
        }
    }
    *out = all ? NULL : s;
    return any;
}

/* The rule's first named port, or NULL. */
static const npc_port_match *named_port(const npc_rule *r)
{
    for (uint32_t i = 0; i < r->nports; i++)
        if (r->ports[i].name)
            return &r->ports[i];
    return NULL;
}

/* One Calico rule: Allow, the protocol (NULL: any), the peer's entity
 * rule on the far side and the ports on the destination. */
static npc_ev *calico_rule(calico_state *st, npc_dir dir, const char *proto, npc_ev *peer,
                           npc_ev *ports)
{
    npc_arena *a = st->a;
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "action", npc_ev_str(a, "Allow"));
    if (proto)
        npc_ev_put(a, m, "protocol", npc_ev_str(a, proto));
    npc_ev *dst = dir == NPC_DIR_EGRESS ? peer : npc_ev_map(a);
    if (dir == NPC_DIR_INGRESS && peer->n)
        npc_ev_put(a, m, "source", peer);
    if (ports && ports->n) {
        npc_ev *d = npc_ev_map(a); /* a copy: one peer may serve several protocols */
        for (size_t i = 0; i < dst->n; i++)
            npc_ev_put(a, d, dst->keys[i], dst->items[i]);
        npc_ev_put(a, d, "ports", ports);
        dst = d;
    }
    if (dst->n)
        npc_ev_put(a, m, "destination", dst);
    return m;
}

/* The Calico rules of one IR rule appended to out (each once). */
static void rule_evs(calico_state *st, const npc_policy *pol, const npc_annex *ax, uint32_t ri,
                     npc_ev *out, seen_keys *seen)
{
    const npc_rule *r = &pol->rules[ri];
    npc_loc where = ax->rules && ax->rules[ri].nflows ? ax->rules[ri].flows[0]->loc : r->loc;
    npc_ev *peers = npc_ev_seq(st->a);
    for (uint32_t i = 0; i < r->npeers; i++)
        peer_evs(st, &r->peers[i], where, peers);
    for (size_t i = 0; i < peers->n; i++) {
        npc_ev *peer = peers->items[i];
        const npc_port_match *np = named_port(r);
        if (r->dir == NPC_DIR_EGRESS && np && names_nets(peer)) {
            npc_error(st->ctx, NPC304, np->loc,
                      "named port '%s' never matches addresses (nets) in a Calico egress rule; "
                      "give its number",
                      str(st, np->name));
            st->ok = 0;
            continue;
        }
        if (!r->nports) {
            npc_ev *v = calico_rule(st, r->dir, NULL, peer, NULL);
            if (npc_render_seen_add(st->a, seen, v))
                npc_ev_push(st->a, out, v);
            continue;
        }
        for (int p = 0; p < NPC_PROTO_COUNT; p++) {
            npc_ev *ports;
            if (!ports_of(st, r, p, &ports))
                continue;
            npc_ev *v = calico_rule(st, r->dir, npc_proto_name((npc_proto)p), peer, ports);
            if (npc_render_seen_add(st->a, seen, v))
                npc_ev_push(st->a, out, v);
        }
    }
}

/* The orders: the allowlists', and the default-deny's after them. Returns
 * 0 after reporting an impossible setting. */
static int orders(calico_state *st, long long *allow, long long *deny)
{
    const npc_spec *s = st->c->spec;
    *allow = npc_snum_value(s, &s->prec_order, DEFAULT_ORDER);
    *deny = npc_snum_value(s, &s->deny.order, DEFAULT_DENY_ORDER);
    if (*allow < 0) {
        npc_error(st->ctx, NPC112, s->prec_order.loc,
                  "precedence.order is %lld; a Calico order is not negative", *allow);
        return 0;
    }
    if (*deny <= *allow) {
        npc_error(st->ctx, NPC112, s->deny.order.loc,
                  "defaultDeny.order %lld must come after the allowlists (order %lld): give it a "
                  "larger number",
                  *deny, *allow);
        return 0;
    }
    return 1;
}

int npc_render_calico(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs)
{
    calico_state st = {ctx, c, a, 1};
    const npc_cluster *ir = c->ir;
    long long order, deny_order;
    if (!orders(&st, &order, &deny_order))
        return 0;
    for (size_t i = 0; i < ir->policies.len; i++) {
        const npc_policy *p = &ir->policies.items[i];
        const npc_annex *ax = &c->annex[i];
        npc_ev *rules[2] = {npc_ev_seq(a), npc_ev_seq(a)};
        seen_keys seen[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
        for (uint32_t j = 0; j < p->nrules; j++)
            rule_evs(&st, p, ax, j, rules[p->rules[j].dir], &seen[p->rules[j].dir]);
        int dirs = npc_render_passthrough(a, ax, ENGINE, rules, seen);
        if (!dirs)
            continue; /* nothing for this engine */
        npc_ev *obj = npc_ev_map(a);
        npc_ev_put(a, obj, "apiVersion", npc_ev_str(a, "projectcalico.org/v3"));
        npc_ev_put(a, obj, "kind", npc_ev_str(a, "NetworkPolicy"));
        npc_ev_put(a, obj, "metadata", npc_render_metadata(a, c, ax));
        npc_ev *spec = npc_ev_map(a);
        npc_ev_put(a, spec, "order", npc_ev_int(a, ax->default_deny ? deny_order : order));
        npc_ev_put(a, spec, "selector", selector_ev(&st, &p->subj_pod_sel, ax->loc));
        npc_ev_put(a, spec, "types", npc_render_types(a, dirs));
        if (rules[0]->n)
            npc_ev_put(a, spec, "ingress", rules[0]);
        if (rules[1]->n)
            npc_ev_put(a, spec, "egress", rules[1]);
        npc_ev_put(a, obj, "spec", spec);
        NPC_APUSH(a, docs->items, docs->n, docs->cap, obj);
    }
    return st.ok;
}
