/* Single flows: naming endpoints, and the decision chain of one flow with
 * what decided at each tier. Cost: the rules of the policies selecting the
 * two endpoints (their profiles), no selector resolution. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/buf.h"
#include "util/ctx.h"

/* ---------------------------------------------------------- endpoints */

static const char *sym(const npc_cluster *c, npc_sym s)
{
    return npc_sym_str(c->ctx->strings, s);
}

/* A pod name of workload w: "<name>-<suffix>" with a non-empty suffix of
 * [a-z0-9-] (a generated hash, or a StatefulSet ordinal). */
static int pod_of(const char *wname, const char *pod)
{
    size_t n = strlen(wname);
    if (strncmp(wname, pod, n) != 0 || pod[n] != '-' || !pod[n + 1])
        return 0;
    for (const char *p = pod + n + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}

int npc_flow_end_parse(npc_cluster *c, const char *text, npc_flow_end *out, npc_buf *err)
{
    memset(out, 0, sizeof *out);
    if (npc_ip_parse(text, &out->ip)) {
        out->kind = NPC_EP_EXTERNAL;
        return 1;
    }
    const char *slash = strchr(text, '/');
    if (!slash || slash == text || !slash[1]) {
        npc_buf_printf(err, "'%s' is neither NAMESPACE/NAME nor an IP address", text);
        return 0;
    }
    npc_sym ns = npc_intern_lookup(c->ctx->strings, text, (size_t)(slash - text));
    uint32_t nsi;
    if (!ns || !npc_cluster_find_namespace(c, ns, &nsi)) {
        npc_buf_printf(err, "no namespace '%.*s' in the manifests", (int)(slash - text), text);
        return 0;
    }
    const char *name = slash + 1;
    /* 1: the workload's own name; 2: a pod of it; 3: a prefix of it (a
     * Deployment given as its ReplicaSet's pods). Best rank wins; within the
     * rank, the longest workload name; a tie is ambiguous. */
    int best_rank = 0;
    size_t best_len = 0;
    uint32_t best = 0, ties = 0;
    for (size_t w = 0; w < c->workloads.len; w++) {
        const npc_workload *wl = &c->workloads.items[w];
        if (wl->ns != nsi)
            continue;
        const char *wn = sym(c, wl->name);
        int rank = 0;
        if (strcmp(wn, name) == 0)
            rank = 3;
        else if (pod_of(wn, name))
            rank = 2;
        else if (pod_of(name, wn))
            rank = 1;
        if (!rank)
            continue;
        size_t len = strlen(wn);
        if (rank > best_rank || (rank == best_rank && rank == 2 && len > best_len)) {
            best_rank = rank;
            best_len = len;
            best = (uint32_t)w;
            ties = 0;
        } else if (rank == best_rank && (rank != 2 || len == best_len)) {
            ties++;
        }
    }
    if (!best_rank) {
        npc_buf_printf(err, "no workload or pod '%s' in namespace '%s'", name, sym(c, ns));
        return 0;
    }
    if (ties) {
        npc_buf_printf(err, "'%s' is ambiguous: %u workloads in namespace '%s' match it", name,
                       ties + 1, sym(c, ns));
        return 0;
    }
    out->kind = NPC_EP_WORKLOAD;
    out->workload = best;
    return 1;
}

void npc_flow_end_format(const npc_cluster *c, const npc_flow_end *e, npc_buf *out)
{
    if (e->kind == NPC_EP_EXTERNAL) {
        char ip[64];
        npc_ip_format(e->ip, ip);
        npc_buf_puts(out, ip);
        return;
    }
    const npc_workload *wl = &c->workloads.items[e->workload];
    npc_buf_printf(out, "%s/%s[%s]", sym(c, c->namespaces.items[wl->ns].name), sym(c, wl->name),
                   sym(c, wl->kind));
}

/* ------------------------------------------------------------- chains */

static const char *const action_names[] = {"Allow", "Deny", "Pass"};
static const char *const dir_names[] = {"ingress", "egress"};

static void format_loc(npc_buf *b, npc_loc l)
{
    if (l.file)
        npc_buf_printf(b, "%s:%u:%u", l.file, l.line, l.col);
    else
        npc_buf_puts(b, "?");
}

static void format_policy(const npc_cluster *c, const npc_policy *pol, npc_buf *b)
{
    npc_buf_printf(b, "%s ", npc_policy_kind_name(pol->kind));
    if (pol->ns)
        npc_buf_printf(b, "%s/", sym(c, pol->ns));
    npc_buf_puts(b, sym(c, pol->name));
    if (pol->kind == NPC_KIND_ANP || pol->kind == NPC_KIND_CNP)
        npc_buf_printf(b, " (priority %d)", (int)pol->priority);
}

static void format_rule(const npc_cluster *c, const npc_policy *pol, const npc_rule *r, npc_buf *b)
{
    format_policy(c, pol, b);
    npc_buf_printf(b, " %s rule %u", dir_names[r->dir], (unsigned)r->index);
    if (r->name)
        npc_buf_printf(b, " \"%s\"", sym(c, r->name));
    npc_buf_puts(b, " at ");
    format_loc(b, r->loc);
}

/* The policies of tier [from, to) of a profile that isolate for dir. */
static void format_isolating(const npc_eval *ev, const ev_profile *pr, uint32_t from, uint32_t to,
                             npc_dir dir, npc_buf *b)
{
    uint32_t shown = 0, total = 0;
    for (uint32_t k = from; k < to; k++)
        if (ev->c->policies.items[pr->policies[k]].affects[dir])
            total++;
    for (uint32_t k = from; k < to && shown < 3; k++) {
        const npc_policy *pol = &ev->c->policies.items[pr->policies[k]];
        if (!pol->affects[dir])
            continue;
        if (shown)
            npc_buf_puts(b, shown + 1 == total ? " and " : ", ");
        format_policy(ev->c, pol, b);
        shown++;
    }
    if (total > shown)
        npc_buf_printf(b, " and %u more", total - shown);
}

static int rule_has_port(const npc_eval *ev, const ev_rule *r, ev_ep dst, npc_proto proto,
                         uint16_t port)
{
    if (npc_portset_contains(&r->numeric, proto, port))
        return 1;
    if (!r->has_named || dst.is_atom)
        return 0;
    npc_portset ps = NPC_PORTSET_INIT;
    ev_rule_ports(ev, r, dst, &ps);
    int in = npc_portset_contains(&ps, proto, port);
    npc_portset_free(&ps);
    return in;
}

/* One direction's chain for one port. Appends "  tier: ..." lines to chain
 * and the deciding step to why. Returns 1 when allowed. */
static int chain_dir(const npc_eval *ev, uint32_t subj, npc_dir dir, ev_ep peer, npc_proto proto,
                     uint16_t port, npc_buf *chain, npc_buf *why)
{
    const npc_cluster *c = ev->c;
    const ev_profile *pr = &ev->profiles[ev->class_profile[(size_t)subj * 2 + dir]];
    ev_ep dst = dir == NPC_DIR_INGRESS ? (ev_ep){0, subj} : peer;
    npc_buf line = NPC_BUF_INIT;
    int result = -1;
    for (int t = 0; t < NPC_TIER_COUNT && result < 0; t++) {
        const npc_tier_desc *td = &npc_tiers[t];
        uint32_t from = pr->tier_start[t], to = pr->tier_start[t + 1];
        npc_buf_reset(&line);
        if (from == to) {
            npc_buf_printf(chain, "  %s tier: no policy selects it for %s%s\n", td->name,
                           dir_names[dir], td->isolates ? " (not isolated)" : "");
            continue;
        }
        int selected = 0, passed = 0, nallow = 0;
        const ev_rule *deny = NULL;
        for (uint32_t k = from; k < to && result < 0 && !passed && !deny; k++) {
            uint32_t pi = pr->policies[k];
            const npc_policy *pol = &c->policies.items[pi];
            selected |= pol->affects[dir];
            for (uint32_t i = 0; i < pol->nrules; i++) {
                const ev_rule *r = &ev->rules[ev->rule_base[pi] + i];
                if (r->r->dir != dir || !ev_peer_matches(ev, r, peer) ||
                    !rule_has_port(ev, r, dst, proto, port))
                    continue;
                if (td->mode == NPC_MODE_FIRST_MATCH || r->r->action == NPC_ACT_DENY) {
                    npc_buf_reset(&line);
                    format_rule(c, pol, r->r, &line);
                    npc_buf_printf(chain, "  %s tier: %s: %s%s\n", td->name, line.data,
                                   action_names[r->r->action],
                                   r->r->action == NPC_ACT_PASS ? " (to the next tier)" : "");
                    if (r->r->action == NPC_ACT_PASS) {
                        passed = 1;
                    } else {
                        result = r->r->action == NPC_ACT_ALLOW;
                        if (r->r->action == NPC_ACT_DENY)
                            deny = r;
                    }
                    break;
                }
                if (r->r->action == NPC_ACT_ALLOW) {
                    if (!nallow++) {
                        npc_buf_reset(&line);
                        format_rule(c, pol, r->r, &line);
                    } else {
                        npc_buf_puts(&line, "; ");
                        format_rule(c, pol, r->r, &line);
                    }
                }
                break; /* one matching rule per policy is enough to say why */
            }
        }
        if (result >= 0) {
            /* why: the last chain line without its indentation */
            const char *end = chain->data + chain->len - 1, *start = end;
            while (start > chain->data && start[-1] != '\n')
                start--;
            npc_buf_reset(why);
            npc_buf_append(why, start + 2, (size_t)(end - start - 2));
            break;
        }
        if (passed)
            continue;
        if (td->mode == NPC_MODE_ADDITIVE && nallow) {
            /* additive: every policy was scanned only up to its first match;
             * the tier allows */
            npc_buf_printf(chain, "  %s tier: %s: Allow\n", td->name, line.data);
            npc_buf_reset(why);
            npc_buf_printf(why, "%s tier: %s: Allow", td->name, line.data);
            result = 1;
            break;
        }
        if (td->isolates && selected) {
            npc_buf_reset(&line);
            format_isolating(ev, pr, from, to, dir, &line);
            npc_buf_printf(chain, "  %s tier: isolated for %s by %s; no rule allows: Deny\n",
                           td->name, dir_names[dir], line.data);
            npc_buf_reset(why);
            npc_buf_printf(why, "%s tier: isolated for %s by %s; no rule allows", td->name,
                           dir_names[dir], line.data);
            result = 0;
            break;
        }
        if (td->isolates)
            npc_buf_printf(chain, "  %s tier: not isolated for %s (no policy of the tier selects "
                                  "it for %s)\n",
                           td->name, dir_names[dir], dir_names[dir]);
        else
            npc_buf_printf(chain, "  %s tier: %u polic%s select%s it for %s; no rule matches\n",
                           td->name, to - from, to - from == 1 ? "y" : "ies",
                           to - from == 1 ? "s" : "", dir_names[dir]);
    }
    if (result < 0) {
        npc_buf_puts(chain, "  default: Allow (no tier decided)\n");
        npc_buf_reset(why);
        npc_buf_puts(why, "no tier decided: allowed by default");
        result = 1;
    }
    npc_buf_free(&line);
    return result;
}

static ev_ep ep_of(const npc_eval *ev, const npc_flow_end *e)
{
    if (e->kind == NPC_EP_EXTERNAL)
        return (ev_ep){1, ev_atom_of(ev, e->ip)};
    return (ev_ep){0, ev->wl_class[e->workload]};
}

int npc_flow_eval(npc_cluster *c, const npc_flow_end *src, const npc_flow_end *dst,
                  npc_proto proto, uint16_t port, npc_buf *reason, npc_buf *chain)
{
    if (npc_eval_build(c) != NPC_OK)
        return 0;
    const npc_eval *ev = c->eval;
    ev_ep s = ep_of(ev, src), d = ep_of(ev, dst);
    npc_buf text = NPC_BUF_INIT, why_eg = NPC_BUF_INIT, why_in = NPC_BUF_INIT;
    npc_buf sname = NPC_BUF_INIT, dname = NPC_BUF_INIT;
    npc_flow_end_format(c, src, &sname);
    npc_flow_end_format(c, dst, &dname);
    npc_buf_printf(&text, "flow %s => %s on %s %u\n", sname.data, dname.data,
                   npc_proto_name(proto), (unsigned)port);
    int eg = 1, in = 1;
    npc_buf_printf(&text, "egress from %s:\n", sname.data);
    if (s.is_atom)
        npc_buf_puts(&text, "  external endpoint: not subject to policies: Allow\n");
    else
        eg = chain_dir(ev, s.id, NPC_DIR_EGRESS, d, proto, port, &text, &why_eg);
    npc_buf_printf(&text, "ingress to %s:\n", dname.data);
    if (d.is_atom)
        npc_buf_puts(&text, "  external endpoint: not subject to policies: Allow\n");
    else
        in = chain_dir(ev, d.id, NPC_DIR_INGRESS, s, proto, port, &text, &why_in);
    int allowed = eg && in;
    npc_buf_printf(&text, "result: %s\n", allowed ? "allowed" : "denied");
    if (reason) {
        if (allowed)
            npc_buf_printf(reason, "allowed (egress: %s; ingress: %s)",
                           s.is_atom ? "external source" : why_eg.data,
                           d.is_atom ? "external destination" : why_in.data);
        else if (!eg)
            npc_buf_printf(reason, "denied by egress from %s: %s", sname.data, why_eg.data);
        else
            npc_buf_printf(reason, "denied by ingress to %s: %s", dname.data, why_in.data);
    }
    if (chain)
        npc_buf_append(chain, text.data, text.len);
    npc_buf_free(&text);
    npc_buf_free(&why_eg);
    npc_buf_free(&why_in);
    npc_buf_free(&sname);
    npc_buf_free(&dname);
    return allowed;
}
