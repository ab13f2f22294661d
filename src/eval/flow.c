/* Single flows: naming endpoints, and the decision chain of one flow with
 * what decided at each tier. Cost: the rules of the policies selecting the
 * two endpoints (their profiles), no selector resolution. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/suggest.h"

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
        /* a known pod address is that pod: its policies apply */
        for (size_t w = 0; w < c->workloads.len; w++) {
            const npc_workload *wl = &c->workloads.items[w];
            for (uint32_t i = 0; i < wl->nips; i++)
                if (npc_ip_cmp(wl->ips[i], out->ip) == 0) {
                    out->kind = NPC_EP_WORKLOAD;
                    out->workload = (uint32_t)w;
                    return 1;
                }
        }
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
        char *want = npc_xstrndup(text, (size_t)(slash - text));
        npc_suggest sg;
        npc_suggest_init(&sg, want);
        for (size_t i = 0; i < c->namespaces.len; i++)
            npc_suggest_add(&sg, sym(c, c->namespaces.items[i].name));
        const char *near = npc_suggest_best(&sg);
        npc_buf_printf(err, "no namespace '%s' in the manifests%s%s%s", want,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        free(want);
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
        npc_suggest sg;
        npc_suggest_init(&sg, name);
        for (size_t w = 0; w < c->workloads.len; w++)
            if (c->workloads.items[w].ns == nsi)
                npc_suggest_add(&sg, sym(c, c->workloads.items[w].name));
        const char *near = npc_suggest_best(&sg);
        npc_buf_printf(err, "no workload or pod '%s' in namespace '%s'%s%s%s", name, sym(c, ns),
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
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

/* ------------------------------------------------------------- flows */

int npc_flow_eval(npc_cluster *c, const npc_flow_end *src, const npc_flow_end *dst, npc_proto proto,
                  uint16_t port, npc_buf *reason, npc_buf *chain)
{
    npc_verdict eg = {0, {0}}, in = {0, {0}};
    if (!npc_flow_verdicts(c, src, dst, proto, port, &eg, &in) && eg.steps.len == 0) {
        npc_verdict_free(&eg);
        npc_verdict_free(&in);
        return 0; /* the evaluator could not be built */
    }
    int allowed = eg.allowed && in.allowed;
    npc_buf sname = NPC_BUF_INIT, dname = NPC_BUF_INIT;
    npc_flow_end_format(c, src, &sname);
    npc_flow_end_format(c, dst, &dname);
    if (chain) {
        npc_buf_printf(chain, "flow %s => %s on %s %u\n", sname.data, dname.data,
                       npc_proto_name(proto), (unsigned)port);
        npc_buf_printf(chain, "egress from %s:\n", sname.data);
        npc_verdict_format_chain(c, src->workload, NPC_DIR_EGRESS, &eg, chain);
        npc_buf_printf(chain, "ingress to %s:\n", dname.data);
        npc_verdict_format_chain(c, dst->workload, NPC_DIR_INGRESS, &in, chain);
        npc_buf_printf(chain, "result: %s\n", allowed ? "allowed" : "denied");
    }
    if (reason) {
        if (allowed) {
            npc_buf_puts(reason, "allowed (egress: ");
            npc_verdict_format_reason(c, NPC_DIR_EGRESS, &eg, reason);
            npc_buf_puts(reason, "; ingress: ");
            npc_verdict_format_reason(c, NPC_DIR_INGRESS, &in, reason);
            npc_buf_puts(reason, ")");
        } else if (!eg.allowed) {
            npc_buf_printf(reason, "denied by egress from %s: ", sname.data);
            npc_verdict_format_reason(c, NPC_DIR_EGRESS, &eg, reason);
        } else {
            npc_buf_printf(reason, "denied by ingress to %s: ", dname.data);
            npc_verdict_format_reason(c, NPC_DIR_INGRESS, &in, reason);
        }
    }
    npc_buf_free(&sname);
    npc_buf_free(&dname);
    npc_verdict_free(&eg);
    npc_verdict_free(&in);
    return allowed;
}
