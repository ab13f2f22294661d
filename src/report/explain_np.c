/* netpol-analyzer's `list --explain` report, in its words and order.
 *
 * Every ordered pair of peers is explained (workload -> workload, workload
 * <-> external range; focus options apply). A pair's port ranges that the
 * same steps decided form one group, written as
 *     <TAB>Allowed TCP:[1-79,81-65535], UDP, SCTP due to ...
 * with the steps of each direction below it. A pair whose every port only
 * the system default allowed, in both directions, is listed by name in a
 * last section. */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/ctx.h"

static const char dashes[] = "--------------------------------------------------------------------"
                             "--------------------------------------------------------------------"
                             "------------------------";
static const char specific_header[] = "Specific connections and their reasons";
static const char default_header[] = "All Connections due to the system default (Allow all)";
static const char default_rule[] = "the system default (Allow all)";

typedef NPC_VEC(char *) str_vec;

static const char *sym(const npc_cluster *c, npc_sym s)
{
    return npc_sym_str(c->ctx->strings, s);
}

static const char *dir_title(npc_dir d)
{
    return d == NPC_DIR_INGRESS ? "Ingress" : "Egress";
}

static void policy_name(const npc_cluster *c, const npc_policy *pol, npc_buf *b)
{
    npc_buf_printf(b, "%s '", npc_policy_kind_name(pol->kind));
    if (pol->ns)
        npc_buf_printf(b, "%s/", sym(c, pol->ns));
    npc_buf_printf(b, "%s'", sym(c, pol->name));
}

/* "#2" for a NetworkPolicy rule (1-based among its direction's rules), the
 * rule's name where the dialect names rules. */
static void rule_name(const npc_cluster *c, const npc_policy *pol, const npc_rule *r, npc_buf *b)
{
    if (pol->kind != NPC_KIND_NETWORKPOLICY && r->name)
        npc_buf_puts(b, sym(c, r->name));
    else
        npc_buf_printf(b, "#%u", (unsigned)r->index + 1);
}

static void step_text(const npc_cluster *c, const npc_expl_step *s, npc_dir d, const char *subj,
                      const char *peer, npc_buf *b)
{
    static const char *const verbs[] = {"allows", "denies", "passes"};
    if (s->kind == NPC_EXPL_DEFAULT) {
        npc_buf_puts(b, default_rule);
        return;
    }
    if (s->kind == NPC_EXPL_LOCALHOST) {
        npc_buf_puts(b, "Cilium's allow-localhost (the pod's own node)");
        return;
    }
    const npc_policy *pol = &c->policies.items[s->policy];
    /* NO_RULES and NO_PEER steps name no rule (a policy may have none) */
    const npc_rule *r = s->rule < pol->nrules ? &pol->rules[s->rule] : NULL;
    policy_name(c, pol, b);
    switch (s->kind) {
    case NPC_EXPL_RULE:
        npc_buf_printf(b, " %s connections by %s rule ", verbs[r->action], dir_title(d));
        rule_name(c, pol, r, b);
        break;
    case NPC_EXPL_NO_RULES:
    case NPC_EXPL_NO_PEER:
        npc_buf_printf(b, " selects %s, but %s is not allowed by any %s rule%s", subj, peer,
                       dir_title(d), s->kind == NPC_EXPL_NO_RULES ? " (no rules defined)" : "");
        break;
    case NPC_EXPL_PORTS:
    case NPC_EXPL_NAMED_PORTS:
        npc_buf_printf(b, " selects %s, and %s rule ", subj, dir_title(d));
        rule_name(c, pol, r, b);
        npc_buf_printf(b, " selects %s, but %s", peer,
                       s->kind == NPC_EXPL_PORTS
                           ? "the protocols and ports do not match"
                           : "named ports of the rule have no match in the configuration of the "
                             "destination peer");
        break;
    case NPC_EXPL_DEFAULT:
    case NPC_EXPL_LOCALHOST:
        break;
    }
}

static int only_default(const npc_expl_dir *d)
{
    return d->nsteps == 1 && d->steps[0].kind == NPC_EXPL_DEFAULT;
}

/* NetworkPolicy steps are listed by policy name, then rule. */
static int np_before(const npc_cluster *c, const npc_expl_step *a, const npc_expl_step *b)
{
    const npc_policy *pa = &c->policies.items[a->policy], *pb = &c->policies.items[b->policy];
    int k = strcmp(sym(c, pa->ns), sym(c, pb->ns));
    if (!k)
        k = strcmp(sym(c, pa->name), sym(c, pb->name));
    if (!k)
        k = a->rule < b->rule ? -1 : a->rule > b->rule;
    return k < 0;
}

static int is_np(const npc_cluster *c, const npc_expl_step *s)
{
    return s->kind != NPC_EXPL_DEFAULT && s->kind != NPC_EXPL_LOCALHOST &&
           c->policies.items[s->policy].kind == NPC_KIND_NETWORKPOLICY;
}

/* One direction's lines of a group. */
static void dir_text(const npc_cluster *c, const npc_expl_dir *x, npc_dir d, const char *subj,
                     const char *peer, npc_buf *b)
{
    const char *res = x->allowed ? "Allowed" : "Denied";
    if (only_default(x)) {
        npc_buf_printf(b, "\t\t%s (%s) due to %s\n", dir_title(d), res, default_rule);
        return;
    }
    npc_buf_printf(b, "\t\t%s (%s)\n", dir_title(d), res);
    npc_expl_step *steps = npc_xmalloc((x->nsteps + 1) * sizeof *steps);
    memcpy(steps, x->steps, x->nsteps * sizeof *steps);
    uint32_t nnp = 0;
    for (uint32_t i = 0; i < x->nsteps; i++) {
        nnp += (uint32_t)is_np(c, &steps[i]);
        /* insertion sort within runs of NetworkPolicy steps */
        for (uint32_t j = i; j > 0 && is_np(c, &steps[j]) && is_np(c, &steps[j - 1]) &&
                             np_before(c, &steps[j], &steps[j - 1]);
             j--) {
            npc_expl_step t = steps[j];
            steps[j] = steps[j - 1];
            steps[j - 1] = t;
        }
    }
    int listed = 0;
    for (uint32_t i = 0; i < x->nsteps; i++) {
        if (nnp > 1 && is_np(c, &steps[i])) {
            if (!listed++)
                npc_buf_puts(b, "\t\t\tNetworkPolicy list:\n");
            npc_buf_puts(b, "\t\t\t\t- ");
        } else {
            npc_buf_puts(b, "\t\t\t");
        }
        step_text(c, &steps[i], d, subj, peer, b);
        npc_buf_putc(b, '\n');
    }
    if (listed)
        npc_buf_putc(b, '\n');
    free(steps);
}

/* ------------------------------------------------------------- groups */

typedef struct group {
    int allowed;
    char *why; /* the text after the connections */
    npc_portset ports;
} group;

typedef NPC_VEC(group) group_vec;

/* Whether a denied direction's steps name no Deny rule: the isolating
 * tier denied it (the ports an admin rule passed to it included). */
static int denied_by_isolation(const npc_cluster *c, const npc_expl_dir *x)
{
    if (x->allowed)
        return 0;
    for (uint32_t i = 0; i < x->nsteps; i++) {
        const npc_expl_step *st = &x->steps[i];
        if (st->kind == NPC_EXPL_RULE &&
            c->policies.items[st->policy].rules[st->rule].action == NPC_ACT_DENY)
            return 0;
    }
    return 1;
}

/* The reasons of a range. A direction whose isolation denials upstream
 * leaves without a reason (npc_expl_pair.isolation_silent) writes no line
 * for them: netpol-analyzer merges the NetworkPolicy tier's answer into the
 * admin tier's allowed set by a union that returns early when that answer
 * is empty (CollectAllowedConnsFromNetpols in
 * pkg/netpol/eval/internal/k8s/policy_connections.go, ConnectionSet.Union
 * in pkg/netpol/internal/common/connectionset.go), so no implying rule
 * reaches those ports and only the other direction is reported. */
static void why_text(const npc_cluster *c, const npc_expl_pair *ep, const npc_expl_range *r,
                     const char *src, const char *dst, npc_buf *b)
{
    const npc_expl_dir *eg = &r->dir[NPC_DIR_EGRESS], *in = &r->dir[NPC_DIR_INGRESS];
    if (only_default(eg) && only_default(in)) {
        npc_buf_printf(b, " due to %s\n", default_rule);
        return;
    }
    npc_buf_puts(b, " due to the following policies and rules:\n");
    if (!(ep->isolation_silent[NPC_DIR_EGRESS] && denied_by_isolation(c, eg)))
        dir_text(c, eg, NPC_DIR_EGRESS, src, dst, b);
    if (!(ep->isolation_silent[NPC_DIR_INGRESS] && denied_by_isolation(c, in)))
        dir_text(c, in, NPC_DIR_INGRESS, dst, src, b);
}

/* "TCP:[1-79,81-65535], UDP, SCTP": protocols in np-guard's order, a whole
 * protocol by its name alone. */
static void conn_text(const npc_portset *s, npc_buf *b)
{
    static const npc_proto order[] = {NPC_PROTO_TCP, NPC_PROTO_UDP, NPC_PROTO_SCTP};
    int first = 1;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        npc_proto p = order[k];
        if (!s->n[p])
            continue;
        if (!first)
            npc_buf_puts(b, ", ");
        first = 0;
        npc_buf_puts(b, npc_proto_name(p));
        if (s->n[p] == 1 && s->r[p][0].lo == 1 && s->r[p][0].hi == 65535)
            continue;
        npc_buf_puts(b, ":[");
        for (uint32_t i = 0; i < s->n[p]; i++) {
            npc_prange r = s->r[p][i];
            if (i)
                npc_buf_putc(b, ',');
            if (r.lo == r.hi)
                npc_buf_printf(b, "%u", (unsigned)r.lo);
            else
                npc_buf_printf(b, "%u-%u", (unsigned)r.lo, (unsigned)r.hi);
        }
        npc_buf_putc(b, ']');
    }
}

static void add_to_group(group_vec *g, int allowed, npc_buf *why, npc_proto p, uint16_t lo,
                         uint16_t hi)
{
    for (size_t i = 0; i < g->len; i++)
        if (g->items[i].allowed == allowed && strcmp(g->items[i].why, why->data) == 0) {
            npc_portset_add(&g->items[i].ports, p, lo, hi);
            return;
        }
    group x;
    memset(&x, 0, sizeof x);
    x.allowed = allowed;
    x.why = npc_xstrdup(why->data);
    npc_portset_add(&x.ports, p, lo, hi);
    npc_vec_push(g, x);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* -------------------------------------------------------------- pairs */

typedef struct pair_out {
    char *src, *dst;
    char *text; /* the block without its separator line; NULL: default-only pair */
} pair_out;

typedef NPC_VEC(pair_out) pair_vec;

typedef struct explain_ctx {
    npc_cluster *c;
    const npc_report_opts *o;
    npc_explain_only only;
    npc_report_focus *focus;
    pair_vec pairs;
} explain_ctx;

static void explain_one(explain_ctx *x, const npc_endpoint *s, const npc_endpoint *d)
{
    npc_conn k;
    memset(&k, 0, sizeof k);
    k.src = *s;
    k.dst = *d;
    if (!npc_report_focus_keeps(x->focus, &k))
        return;
    npc_expl_pair ep;
    if (npc_explain_pair(x->c, s, d, &ep) != NPC_OK)
        return;
    char *src = npc_report_endpoint_id(x->c, s), *dst = npc_report_endpoint_id(x->c, d);
    group_vec groups = {0};
    npc_buf why = NPC_BUF_INIT;
    int all_default = 1;
    for (size_t i = 0; i < ep.ranges.len; i++) {
        const npc_expl_range *r = &ep.ranges.items[i];
        uint16_t lo = r->lo, hi = r->hi;
        if (x->o->has_focus_conn) {
            if (r->proto != x->o->conn_proto || x->o->conn_port < lo || x->o->conn_port > hi)
                continue;
            lo = hi = x->o->conn_port;
        }
        int allowed = r->dir[0].allowed && r->dir[1].allowed;
        all_default &= only_default(&r->dir[0]) && only_default(&r->dir[1]);
        npc_buf_reset(&why);
        why_text(x->c, &ep, r, src, dst, &why);
        add_to_group(&groups, allowed, &why, r->proto, lo, hi);
    }
    pair_out po = {src, dst, NULL};
    if (all_default) {
        if (x->only != NPC_EXPLAIN_DENY && groups.len)
            npc_vec_push(&x->pairs, po);
        else
            free(src), free(dst);
    } else {
        /* each group as its text; sorted within allowed and denied */
        str_vec lines[2] = {{0}, {0}};
        for (size_t i = 0; i < groups.len; i++) {
            const group *g = &groups.items[i];
            if ((g->allowed && x->only == NPC_EXPLAIN_DENY) ||
                (!g->allowed && x->only == NPC_EXPLAIN_ALLOW))
                continue;
            npc_buf b = NPC_BUF_INIT;
            npc_buf_printf(&b, "\t%s ", g->allowed ? "Allowed" : "Denied");
            conn_text(&g->ports, &b);
            npc_buf_puts(&b, g->why);
            npc_vec_push(&lines[g->allowed], npc_buf_take(&b));
        }
        if (lines[0].len || lines[1].len) {
            npc_buf b = NPC_BUF_INIT;
            npc_buf_printf(&b, "Connections between %s => %s:\n\n", src, dst);
            for (int a = 1; a >= 0; a--) {
                if (!lines[a].len)
                    continue;
                qsort(lines[a].items, lines[a].len, sizeof(char *), cmp_str);
                npc_buf_printf(&b, "%s connections:\n", a ? "Allowed" : "Denied");
                for (size_t i = 0; i < lines[a].len; i++) {
                    npc_buf_puts(&b, lines[a].items[i]);
                    npc_buf_putc(&b, '\n');
                }
            }
            po.text = npc_buf_take(&b);
            npc_vec_push(&x->pairs, po);
        } else {
            free(src);
            free(dst);
        }
        for (int a = 0; a < 2; a++) {
            for (size_t i = 0; i < lines[a].len; i++)
                free(lines[a].items[i]);
            npc_vec_free(&lines[a]);
        }
    }
    for (size_t i = 0; i < groups.len; i++) {
        free(groups.items[i].why);
        npc_portset_free(&groups.items[i].ports);
    }
    npc_vec_free(&groups);
    npc_buf_free(&why);
    npc_expl_pair_free(&ep);
}

static int cmp_pair(const void *a, const void *b)
{
    const pair_out *x = a, *y = b;
    int k = strcmp(x->src, y->src);
    return k ? k : strcmp(x->dst, y->dst);
}

static void header(const char *h, npc_buf *out)
{
    size_t n = strlen(h) + 4;
    npc_buf_putc(out, '\n');
    for (size_t i = 0; i < n; i++)
        npc_buf_putc(out, '#');
    npc_buf_printf(out, "\n# %s #\n", h);
    for (size_t i = 0; i < n; i++)
        npc_buf_putc(out, '#');
    npc_buf_putc(out, '\n');
}

npc_status npc_report_explain(npc_cluster *c, const npc_report_opts *o, npc_explain_only only,
                              npc_buf *out)
{
    static const npc_report_opts none;
    npc_status st = npc_eval_build(c);
    if (st != NPC_OK)
        return st;
    explain_ctx x;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.o = o ? o : &none;
    x.only = only;
    int empty = 0;
    x.focus = npc_report_focus_new(c, x.o, &empty);
    if (!empty) {
        uint32_t nin, neg;
        const npc_iprange *in = npc_explain_ranges(c, NPC_DIR_INGRESS, &nin);
        const npc_iprange *eg = npc_explain_ranges(c, NPC_DIR_EGRESS, &neg);
        for (size_t a = 0; a < c->workloads.len; a++) {
            npc_endpoint wa = {NPC_EP_WORKLOAD, (uint32_t)a, {{0, 0}, {0, 0}}};
            for (size_t b = 0; b < c->workloads.len; b++) {
                if (a == b)
                    continue;
                npc_endpoint wb = {NPC_EP_WORKLOAD, (uint32_t)b, {{0, 0}, {0, 0}}};
                explain_one(&x, &wa, &wb);
            }
            for (uint32_t i = 0; i < neg; i++) {
                npc_endpoint e = {NPC_EP_EXTERNAL, 0, eg[i]};
                explain_one(&x, &wa, &e);
            }
            for (uint32_t i = 0; i < nin; i++) {
                npc_endpoint e = {NPC_EP_EXTERNAL, 0, in[i]};
                explain_one(&x, &e, &wa);
            }
        }
    }
    if (x.pairs.len > 1)
        qsort(x.pairs.items, x.pairs.len, sizeof *x.pairs.items, cmp_pair);
    for (int section = 0; section < 2; section++) {
        int started = 0;
        for (size_t i = 0; i < x.pairs.len; i++) {
            const pair_out *p = &x.pairs.items[i];
            if ((p->text != NULL) != (section == 0))
                continue;
            if (!started++)
                header(section == 0 ? specific_header : default_header, out);
            if (section == 0)
                npc_buf_printf(out, "%s\n%s", dashes, p->text);
            else
                npc_buf_printf(out, "%s => %s\n", p->src, p->dst);
        }
    }
    for (size_t i = 0; i < x.pairs.len; i++) {
        free(x.pairs.items[i].src);
        free(x.pairs.items[i].dst);
        free(x.pairs.items[i].text);
    }
    npc_vec_free(&x.pairs);
    npc_report_focus_free(x.focus);
    return NPC_OK;
}
