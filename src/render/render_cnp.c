/* SIG-Network ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2).
 *
 * A ClusterNetworkPolicy is cluster-scoped and first-match, and its tiers
 * do not isolate: what no rule matches goes on to the next tier (Admin,
 * then NetworkPolicies, then Baseline) and is allowed at the end. The
 * allowlists of the spec therefore become, per compiled policy:
 *   - "<name>": the Accept rules, at the spec's priority (precedence.priority,
 *     default 100) in its tier (precedence.tier, default Baseline, so a
 *     developer's NetworkPolicy still wins, as the controller chart seed
 *     says);
 *   - "<name>-isolation": one Deny rule per direction the policy isolates,
 *     at the next priority, so every allowlist selecting a pod is consulted
 *     before any isolation denies it (NetworkPolicy's additive union);
 * and the spec's default-deny becomes a Deny per namespace at the
 * defaultDeny order (capped at the API's maximum priority, 1000), below the
 * allowlists.
 *
 * What the API cannot express is an error naming the flow: IP ranges as
 * ingress sources (ingress peers are namespaces and pods only; every
 * address, any-ip, is every namespace, as external sources are never
 * denied), an FQDN
 * without a fallback peer (domainNames exist only in the experimental
 * Admin tier), a named port towards networks. Ingress isolation can deny
 * pods only: external sources are never denied by a ClusterNetworkPolicy.
 * Limits of the API (25 rules per direction, 25 peers per rule, 25
 * protocols, 25 networks per peer) are met by splitting: peers and ports
 * into several rules, rules into several objects of the same priority
 * (Accept rules, whose order does not matter).
 *
 * Field order: apiVersion, kind, metadata{name, labels}, spec{tier,
 * priority, subject, ingress, egress}; rules {name, action, from|to,
 * protocols}. */
#include <stdio.h>
#include <string.h>

#include "model/ir.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"

#define ENGINE "clusterNetworkPolicy"
#define API_MAX 25 /* rules per direction, peers per rule, protocols, networks */
#define MAX_PRIORITY 1000
#define DEFAULT_PRIORITY 100

typedef struct cnp_state {
    npc_ctx *ctx;
    const npc_compiled *c;
    npc_arena *a;
    int ok;
} cnp_state;

static const char *str(const cnp_state *st, npc_sym s)
{
    return npc_render_str(st->c, s);
}

static npc_ev *ns_name_selector(npc_arena *a, const char *ns)
{
    npc_ev *ml = npc_ev_map(a);
    npc_ev_put(a, ml, "kubernetes.io/metadata.name", npc_ev_str(a, ns));
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "matchLabels", ml);
    return m;
}

static npc_ev *pods_peer(npc_arena *a, npc_ev *ns_sel, npc_ev *pod_sel)
{
    npc_ev *p = npc_ev_map(a);
    npc_ev_put(a, p, "namespaceSelector", ns_sel);
    npc_ev_put(a, p, "podSelector", pod_sel);
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "pods", p);
    return m;
}

static npc_ev *all_namespaces(npc_arena *a)
{
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "namespaces", npc_ev_map(a));
    return m;
}

/* networks peers of at most API_MAX CIDRs each */
typedef struct cidr_sink {
    npc_arena *a;
    npc_ev *list;
    npc_ev *cur;
} cidr_sink;

static void add_cidr(void *user, const char *cidr)
{
    cidr_sink *k = user;
    if (!k->cur || k->cur->n == API_MAX) {
        k->cur = npc_ev_seq(k->a);
        npc_ev *m = npc_ev_map(k->a);
        npc_ev_put(k->a, m, "networks", k->cur);
        npc_ev_push(k->a, k->list, m);
    }
    npc_ev_push(k->a, k->cur, npc_ev_str(k->a, npc_arena_strdup(k->a, cidr)));
}

static void networks_peer(cnp_state *st, const npc_peer *p, cidr_sink *k)
{
    if (!p->cidr) { /* every address */
        add_cidr(k, "0.0.0.0/0");
        add_cidr(k, "::/0");
    } else if (!p->nexcept) {
        add_cidr(k, str(st, p->cidr));
    } else { /* networks have no except: the ranges left, as CIDRs */
        for (uint32_t i = 0; i < p->nranges; i++)
            npc_iprange_cidrs(p->ranges[i], add_cidr, k);
    }
}

/* The peers of one IR peer appended to list; 0 after reporting what the
 * API cannot express. */
static int peer_ev(cnp_state *st, const npc_policy *pol, const npc_peer *p, npc_dir dir,
                   npc_loc where, npc_ev *list)
{
    npc_arena *a = st->a;
    npc_ctx *ctx = st->ctx;
    switch (p->kind) {
    case NPC_PEER_ANY: {
        npc_ev_push(a, list, all_namespaces(a));
        if (dir == NPC_DIR_EGRESS) {
            cidr_sink k = {a, list, NULL};
            add_cidr(&k, "0.0.0.0/0");
            add_cidr(&k, "::/0");
        }
        return 1;
    }
    case NPC_PEER_PODS: {
        npc_ev *ns = p->ns_mode == NPC_NS_SAME ? ns_name_selector(a, str(st, pol->ns))
                                               : npc_render_selector(a, ctx, &p->ns_sel);
        if (p->ns_mode != NPC_NS_SAME && npc_selector_is_empty(&p->pod_sel)) {
            npc_ev *m = npc_ev_map(a);
            npc_ev_put(a, m, "namespaces", ns);
            npc_ev_push(a, list, m);
        } else {
            npc_ev_push(a, list, pods_peer(a, ns, npc_render_selector(a, ctx, &p->pod_sel)));
        }
        return 1;
    }
    case NPC_PEER_IPS:
        if (dir == NPC_DIR_INGRESS && !p->cidr) {
            /* every address: every pod; external sources are never denied
             * by a ClusterNetworkPolicy */
            npc_ev_push(a, list, all_namespaces(a));
            return 1;
        }
        if (dir == NPC_DIR_INGRESS) {
            npc_error(ctx, NPC303, where,
                      "ClusterNetworkPolicy cannot select IP sources ('%s') in ingress rules: its "
                      "ingress peers are namespaces and pods",
                      p->cidr ? str(st, p->cidr) : "any-ip");
            return 0;
        }
        {
            cidr_sink k = {a, list, NULL};
            networks_peer(st, p, &k);
        }
        return 1;
    case NPC_PEER_FQDN:
        if (!p->nfallback) {
            npc_error(ctx, NPC303, where,
                      "ClusterNetworkPolicy cannot select the FQDN '%s' (domainNames exist only in "
                      "the experimental Admin tier); give a fallback peer (e.g. fallback: any-ip "
                      "or a cidr)",
                      str(st, p->fqdn));
            return 0;
        }
        npc_render_fqdn_fallback(ctx, st->c, p, ENGINE);
        for (uint32_t i = 0; i < p->nfallback; i++)
            if (!peer_ev(st, pol, &p->fallback[i], dir, where, list))
                return 0;
        return 1;
    case NPC_PEER_NODES:
    case NPC_PEER_ENTITY: /* only engines with native entities (spec/entities.c) */
        break;
    }
    return 0;
}

static npc_ev *protocol_ev(cnp_state *st, const npc_port_match *pm)
{
    npc_arena *a = st->a;
    npc_ev *m = npc_ev_map(a);
    if (pm->name) {
        npc_ev_put(a, m, "destinationNamedPort", npc_ev_str(a, str(st, pm->name)));
        return m;
    }
    static const char *const keys[NPC_PROTO_COUNT] = {"tcp", "udp", "sctp"};
    int proto = 0;
    while (proto < NPC_PROTO_COUNT - 1 && !(pm->proto_mask & (1u << proto)))
        proto++;
    npc_ev *dp = npc_ev_map(a);
    if (pm->lo == pm->hi) {
        npc_ev_put(a, dp, "number", npc_ev_int(a, pm->lo));
    } else {
        npc_ev *r = npc_ev_map(a);
        npc_ev_put(a, r, "start", npc_ev_int(a, pm->lo));
        npc_ev_put(a, r, "end", npc_ev_int(a, pm->hi));
        npc_ev_put(a, dp, "range", r);
    }
    npc_ev *pp = npc_ev_map(a);
    npc_ev_put(a, pp, "destinationPort", dp);
    npc_ev_put(a, m, keys[proto], pp);
    return m;
}

/* The rule's name: the purposes of its flows, at most 100 bytes. */
static npc_ev *rule_name(cnp_state *st, const npc_annex *ax, uint32_t ri, npc_dir dir)
{
    if (!ax->rules || !ax->rules[ri].nflows)
        return NULL;
    npc_buf b = NPC_BUF_INIT;
    const npc_rule_src *src = &ax->rules[ri];
    for (size_t i = 0; i < src->nflows; i++) {
        const npc_flow *f = src->flows[i];
        const char *p = dir == NPC_DIR_INGRESS ? f->purpose_to : f->purpose_from;
        if (!p || !*p || (b.data && strstr(b.data, p)))
            continue;
        npc_buf_printf(&b, "%s%s", b.len ? "; " : "", p);
    }
    npc_ev *v = NULL;
    if (b.len) {
        size_t n = b.len;
        if (n > 100) { /* cut at a character boundary */
            n = 97;
            while (n && ((unsigned char)b.data[n] & 0xC0) == 0x80)
                n--;
            b.len = n;
            b.data[n] = 0;
            npc_buf_puts(&b, "...");
        }
        v = npc_ev_str(st->a, npc_arena_strdup(st->a, b.data));
    }
    npc_buf_free(&b);
    return v;
}

/* The API rules of one IR rule (several when peers or ports exceed the
 * API's limits), appended to out. */
static void rule_evs(cnp_state *st, const npc_policy *pol, const npc_annex *ax, uint32_t ri,
                     npc_ev *out)
{
    npc_arena *a = st->a;
    const npc_rule *r = &pol->rules[ri];
    npc_loc where = npc_render_rule_where(ax, ri, r);
    npc_ev *peers = npc_ev_seq(a);
    for (uint32_t i = 0; i < r->npeers; i++)
        if (!peer_ev(st, pol, &r->peers[i], r->dir, where, peers))
            st->ok = 0;
    npc_ev *protos = npc_ev_seq(a);
    for (uint32_t i = 0; i < r->nports; i++) {
        const npc_port_match *pm = &r->ports[i];
        if (pm->name && r->dir == NPC_DIR_EGRESS && npc_render_has_nonpod_peer(r)) {
            npc_error(st->ctx, NPC304, pm->loc,
                      "named port '%s' never matches a networks peer in a ClusterNetworkPolicy "
                      "egress rule; give its number",
                      str(st, pm->name));
            st->ok = 0;
        }
        npc_ev_push(a, protos, protocol_ev(st, pm));
    }
    npc_ev *name = rule_name(st, ax, ri, r->dir);
    size_t np = peers->n, nq = protos->n ? protos->n : 1;
    for (size_t pi = 0; pi < np; pi += API_MAX)
        for (size_t qi = 0; qi < nq; qi += API_MAX) {
            npc_ev *m = npc_ev_map(a);
            if (name)
                npc_ev_put(a, m, "name", name);
            npc_ev_put(a, m, "action", npc_ev_str(a, "Accept"));
            npc_ev *ps = npc_ev_seq(a);
            for (size_t k = pi; k < np && k < pi + API_MAX; k++)
                npc_ev_push(a, ps, peers->items[k]);
            npc_ev_put(a, m, r->dir == NPC_DIR_INGRESS ? "from" : "to", ps);
            if (protos->n) {
                npc_ev *qs = npc_ev_seq(a);
                for (size_t k = qi; k < protos->n && k < qi + API_MAX; k++)
                    npc_ev_push(a, qs, protos->items[k]);
                npc_ev_put(a, m, "protocols", qs);
            }
            npc_ev_push(a, out, m);
        }
}

/* A Deny of everything a ClusterNetworkPolicy can select in direction d. */
static npc_ev *deny_all(npc_arena *a, npc_dir d, const char *name)
{
    npc_ev *m = npc_ev_map(a);
    npc_ev_put(a, m, "name", npc_ev_str(a, name));
    npc_ev_put(a, m, "action", npc_ev_str(a, "Deny"));
    npc_ev *peers = npc_ev_seq(a);
    npc_ev_push(a, peers, all_namespaces(a));
    if (d == NPC_DIR_EGRESS) {
        cidr_sink k = {a, peers, NULL};
        add_cidr(&k, "0.0.0.0/0");
        add_cidr(&k, "::/0");
    }
    npc_ev_put(a, m, d == NPC_DIR_INGRESS ? "from" : "to", peers);
    return m;
}

static void add_object(cnp_state *st, npc_docs_list *docs, const char *name, const char *tier,
                       long long priority, npc_ev *subject, npc_ev *ingress, npc_ev *egress)
{
    npc_arena *a = st->a;
    npc_ev *obj = npc_ev_map(a);
    npc_ev_put(a, obj, "apiVersion", npc_ev_str(a, "policy.networking.k8s.io/v1alpha2"));
    npc_ev_put(a, obj, "kind", npc_ev_str(a, "ClusterNetworkPolicy"));
    npc_ev_put(a, obj, "metadata", npc_render_meta(a, st->c, name, NULL));
    npc_ev *spec = npc_ev_map(a);
    npc_ev_put(a, spec, "tier", npc_ev_str(a, tier));
    npc_ev_put(a, spec, "priority", npc_ev_int(a, priority));
    npc_ev_put(a, spec, "subject", subject);
    if (ingress && ingress->n)
        npc_ev_put(a, spec, "ingress", ingress);
    if (egress && egress->n)
        npc_ev_put(a, spec, "egress", egress);
    npc_ev_put(a, obj, "spec", spec);
    NPC_APUSH(a, docs->items, docs->n, docs->cap, obj);
}

/* A cluster-wide name: the policy's own, or "<namespace>.<name>" when
 * another namespace has a policy of that name too. */
static const char *object_name(cnp_state *st, size_t i)
{
    const npc_compiled *c = st->c;
    for (size_t j = 0; j < c->ir->policies.len; j++)
        if (j != i && !strcmp(c->annex[j].name, c->annex[i].name)) {
            npc_buf b = NPC_BUF_INIT;
            npc_buf_printf(&b, "%s.%s", c->annex[i].ns, c->annex[i].name);
            const char *n = npc_arena_strdup(st->a, b.data);
            npc_buf_free(&b);
            return n;
        }
    return c->annex[i].name;
}

static const char *suffixed(cnp_state *st, const char *name, const char *suffix, size_t k)
{
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "%s%s", name, suffix);
    if (k)
        npc_buf_printf(&b, "-%zu", k + 1);
    const char *n = npc_arena_strdup(st->a, b.data);
    npc_buf_free(&b);
    return n;
}

/* The priorities: the allowlists', and the default-deny's below them.
 * Returns 0 after reporting an impossible setting. */
static int priorities(cnp_state *st, long long *allow, long long *deny)
{
    const npc_spec *s = st->c->spec;
    npc_ctx *ctx = st->ctx;
    *allow = npc_snum_value(s, &s->prec_priority, DEFAULT_PRIORITY);
    if (*allow < 0 || *allow >= MAX_PRIORITY) {
        npc_error(ctx, NPC112, s->prec_priority.loc,
                  "precedence.priority is %lld; a ClusterNetworkPolicy allowlist needs 0-%d (its "
                  "isolation sits one priority below)",
                  *allow, MAX_PRIORITY - 1);
        return 0;
    }
    *deny = npc_snum_value(s, &s->deny.order, 2000);
    if (*deny > MAX_PRIORITY) {
        *deny = MAX_PRIORITY; /* the chart's default order is 2000 */
    } else if (*deny <= *allow + 1) {
        npc_error(ctx, NPC112, s->deny.order.loc,
                  "defaultDeny.order %lld must be below the allowlists (priority %lld and their "
                  "isolation at %lld): give it a larger number",
                  *deny, *allow, *allow + 1);
        return 0;
    }
    return 1;
}

int npc_render_cnp(npc_ctx *ctx, const npc_compiled *c, npc_arena *a, npc_docs_list *docs)
{
    cnp_state st = {ctx, c, a, 1};
    const npc_cluster *ir = c->ir;
    const char *tier = c->spec->prec_tier ? c->spec->prec_tier : "Baseline";
    long long prio, deny_prio;
    if (!priorities(&st, &prio, &deny_prio))
        return 0;
    for (size_t i = 0; i < ir->policies.len; i++) {
        const npc_policy *p = &ir->policies.items[i];
        const npc_annex *ax = &c->annex[i];
        const char *name = object_name(&st, i);
        const char *ns = str(&st, p->ns);
        if (ax->default_deny) {
            npc_ev *subj = npc_ev_map(a);
            npc_ev_put(a, subj, "namespaces", ns_name_selector(a, ns));
            npc_ev *rules[2] = {npc_ev_seq(a), npc_ev_seq(a)};
            for (int d = 0; d < 2; d++)
                if (ax->isolate[d])
                    npc_ev_push(a, rules[d], deny_all(a, (npc_dir)d, "default-deny"));
            add_object(&st, docs, name, tier, deny_prio, subj, rules[0], rules[1]);
            continue;
        }
        npc_ev *rules[2] = {npc_ev_seq(a), npc_ev_seq(a)};
        for (uint32_t j = 0; j < p->nrules; j++)
            rule_evs(&st, p, ax, j, rules[p->rules[j].dir]);
        for (int d = 0; d < 2; d++)
            for (size_t j = 0; j < ax->nraw[d]; j++)
                if (!strcmp(ax->raw[d][j].engine, ENGINE))
                    npc_ev_push(a, rules[d], npc_ev_from_node(a, ax->raw[d][j].rule));
        int types[2] = {rules[0]->n > 0 || ax->isolate[0], rules[1]->n > 0 || ax->isolate[1]};
        if (!types[0] && !types[1])
            continue; /* nothing for this engine */
        npc_ev *subj = npc_ev_map(a);
        npc_ev *pods = npc_ev_map(a);
        npc_ev_put(a, pods, "namespaceSelector", ns_name_selector(a, ns));
        npc_ev_put(a, pods, "podSelector", npc_render_selector(a, ctx, &p->subj_pod_sel));
        npc_ev_put(a, subj, "pods", pods);
        /* the Accept rules, API_MAX per direction and object */
        size_t nobj = (rules[0]->n + API_MAX - 1) / API_MAX;
        size_t neg = (rules[1]->n + API_MAX - 1) / API_MAX;
        if (neg > nobj)
            nobj = neg;
        for (size_t k = 0; k < nobj; k++) {
            npc_ev *part[2];
            for (int d = 0; d < 2; d++) {
                part[d] = npc_ev_seq(a);
                for (size_t j = k * API_MAX; j < rules[d]->n && j < (k + 1) * API_MAX; j++)
                    npc_ev_push(a, part[d], rules[d]->items[j]);
            }
            add_object(&st, docs, suffixed(&st, name, "", k), tier, prio, subj, part[0], part[1]);
        }
        npc_ev *iso[2] = {npc_ev_seq(a), npc_ev_seq(a)};
        for (int d = 0; d < 2; d++)
            if (types[d])
                npc_ev_push(a, iso[d], deny_all(a, (npc_dir)d, "isolation"));
        add_object(&st, docs, suffixed(&st, name, "-isolation", 0), tier, prio + 1, subj, iso[0],
                   iso[1]);
    }
    return st.ok;
}
