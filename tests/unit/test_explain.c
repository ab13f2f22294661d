/* Pair explanations (src/eval/explain.c) and the explain report
 * (src/report/explain_np.c): steps per direction and tier, port ranges,
 * isolation reasons, and the report's grouping and filters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eval/eval.h"
#include "model/load.h"
#include "netpolc.h"
#include "report/report.h"
#include "text/tree.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
} fixture;

/* Namespaces x (team=x) and y (team=y); pods x/a (named port http 80),
 * x/b, y/c, in that workload order. */
static const char base[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {team: x}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y, labels: {team: y}}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n"
    "spec:\n  containers:\n  - name: c\n    ports:\n    - {name: http, containerPort: 80}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n"
    "spec: {containers: [{name: c}]}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: y, labels: {app: c}}\n"
    "spec: {containers: [{name: c}]}\n";

static void load(fixture *f, const char *policies)
{
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    assert_int_equal(npc_cluster_load_text(f->c, "base.yaml", base, strlen(base)),
                     NPC_OK);
    assert_int_equal(
        npc_cluster_load_text(f->c, "pol.yaml", policies, strlen(policies)), NPC_OK);
    assert_int_equal(npc_error_count(f->ctx), 0);
    assert_int_equal(npc_eval_build(f->c), NPC_OK);
}

static void done(fixture *f)
{
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

static npc_endpoint wl(uint32_t w)
{
    npc_endpoint e = {NPC_EP_WORKLOAD, w, {{0, 0}, {0, 0}}};
    return e;
}

/* The range of proto holding port. */
static const npc_expl_range *range_at(const npc_expl_pair *p, npc_proto proto, uint16_t port)
{
    for (size_t i = 0; i < p->ranges.len; i++) {
        const npc_expl_range *r = &p->ranges.items[i];
        if (r->proto == proto && r->lo <= port && port <= r->hi)
            return r;
    }
    fail_msg("no range holds port %u", (unsigned)port);
    return NULL;
}

static const char *policy_of(const fixture *f, const npc_expl_step *s)
{
    return npc_sym_str(f->ctx->strings, f->c->policies.items[s->policy].name);
}

static const char tiers[] =
    "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
    "metadata: {name: pass-y}\n"
    "spec:\n  priority: 3\n  subject: {namespaces: {matchLabels: {team: x}}}\n"
    "  ingress:\n  - name: pass-8080\n    action: Pass\n"
    "    from: [{namespaces: {matchLabels: {team: y}}}]\n"
    "    ports: [{portNumber: {protocol: TCP, port: 8080}}]\n"
    "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
    "metadata: {name: default}\n"
    "spec:\n  subject: {namespaces: {matchLabels: {team: x}}}\n"
    "  ingress:\n  - name: deny-all\n    action: Deny\n    from: [{namespaces: {}}]\n";

static void test_pass_then_baseline(void **state)
{
    (void)state;
    fixture f;
    load(&f, tiers);
    npc_endpoint s = wl(2), d = wl(0); /* y/c -> x/a */
    npc_expl_pair ep;
    assert_int_equal(npc_explain_pair(f.c, &s, &d, &ep), NPC_OK);
    /* TCP 1-8079, 8080, 8081-65535 are separate: the pass covers 8080 only;
     * 1-8079 and 8081-65535 merge into nothing as they are not adjacent */
    const npc_expl_range *r = range_at(&ep, NPC_PROTO_TCP, 8080);
    assert_int_equal(r->lo, 8080);
    assert_int_equal(r->hi, 8080);
    const npc_expl_dir *in = &r->dir[NPC_DIR_INGRESS];
    assert_false(in->allowed);
    assert_int_equal(in->nsteps, 2);
    assert_int_equal(in->steps[0].kind, NPC_EXPL_RULE);
    assert_string_equal(policy_of(&f, &in->steps[0]), "pass-y");
    assert_string_equal(policy_of(&f, &in->steps[1]), "default");
    /* the egress side of a workload no policy selects: the default */
    assert_true(r->dir[NPC_DIR_EGRESS].allowed);
    assert_int_equal(r->dir[NPC_DIR_EGRESS].nsteps, 1);
    assert_int_equal(r->dir[NPC_DIR_EGRESS].steps[0].kind, NPC_EXPL_DEFAULT);
    r = range_at(&ep, NPC_PROTO_UDP, 53);
    assert_int_equal(r->lo, 1);
    assert_int_equal(r->hi, 65535);
    assert_int_equal(r->dir[NPC_DIR_INGRESS].nsteps, 1);
    npc_expl_pair_free(&ep);
    done(&f);
}

static void test_external_subject_and_ranges(void **state)
{
    (void)state;
    fixture f;
    load(&f, tiers);
    uint32_t n;
    const npc_iprange *in = npc_explain_ranges(f.c, NPC_DIR_INGRESS, &n);
    assert_int_equal(n, 1); /* no CIDR: the whole IPv4 space */
    npc_endpoint s = {NPC_EP_EXTERNAL, 0, in[0]}, d = wl(1);
    npc_expl_pair ep;
    assert_int_equal(npc_explain_pair(f.c, &s, &d, &ep), NPC_OK);
    assert_int_equal(ep.ranges.len, 3); /* one per protocol */
    for (size_t i = 0; i < ep.ranges.len; i++) {
        const npc_expl_range *r = &ep.ranges.items[i];
        assert_int_equal(r->dir[NPC_DIR_EGRESS].steps[0].kind, NPC_EXPL_DEFAULT);
        /* the baseline's namespaces peer selects no address */
        assert_true(r->dir[NPC_DIR_INGRESS].allowed);
        assert_int_equal(r->dir[NPC_DIR_INGRESS].steps[0].kind, NPC_EXPL_DEFAULT);
    }
    npc_expl_pair_free(&ep);
    done(&f);
}

static const char netpols[] =
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p1, namespace: x}\n"
    "spec:\n  podSelector: {matchLabels: {app: a}}\n"
    "  ingress:\n  - from: [{podSelector: {matchLabels: {app: b}}}]\n    ports: [{port: http}]\n"
    "  - from: [{podSelector: {}}]\n    ports: [{port: 80}, {port: 90}]\n"
    "  egress:\n  - to: [{podSelector: {}}]\n    ports: [{port: nosuch}]\n"
    "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p0, namespace: "
    "x}\n"
    "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n";

static void test_networkpolicy_reasons(void **state)
{
    (void)state;
    fixture f;
    load(&f, netpols);
    npc_endpoint s = wl(1), d = wl(0); /* x/b -> x/a */
    npc_expl_pair ep;
    assert_int_equal(npc_explain_pair(f.c, &s, &d, &ep), NPC_OK);
    /* port 80: both rules of p1 allow; the first is the reason (one
     * policy's rules are unioned keeping a port's first reason) */
    const npc_expl_dir *in = &range_at(&ep, NPC_PROTO_TCP, 80)->dir[NPC_DIR_INGRESS];
    assert_true(in->allowed);
    assert_int_equal(in->nsteps, 1);
    assert_int_equal(in->steps[0].rule, 0);
    /* port 90: the second rule alone */
    in = &range_at(&ep, NPC_PROTO_TCP, 90)->dir[NPC_DIR_INGRESS];
    assert_true(in->allowed);
    assert_int_equal(in->nsteps, 1);
    assert_int_equal(in->steps[0].rule, 1);
    /* port 81: p1's rules select the peer, not the port (the first such
     * rule is the reason); p0 has no rules */
    in = &range_at(&ep, NPC_PROTO_TCP, 81)->dir[NPC_DIR_INGRESS];
    assert_false(in->allowed);
    int ports = 0, none = 0;
    for (uint32_t i = 0; i < in->nsteps; i++) {
        ports += in->steps[i].kind == NPC_EXPL_PORTS;
        none += in->steps[i].kind == NPC_EXPL_NO_RULES;
    }
    assert_int_equal(ports, 1);
    assert_int_equal(none, 1);
    /* egress of x/a to x/b: the named port names nothing at x/b */
    npc_expl_pair_free(&ep);
    assert_int_equal(npc_explain_pair(f.c, &d, &s, &ep), NPC_OK);
    const npc_expl_dir *eg = &range_at(&ep, NPC_PROTO_TCP, 80)->dir[NPC_DIR_EGRESS];
    assert_false(eg->allowed);
    assert_int_equal(eg->nsteps, 1);
    assert_int_equal(eg->steps[0].kind, NPC_EXPL_NAMED_PORTS);
    npc_expl_pair_free(&ep);
    done(&f);
}

static void test_report_groups_and_filters(void **state)
{
    (void)state;
    fixture f;
    load(&f, netpols);
    npc_buf b = NPC_BUF_INIT;
    assert_int_equal(npc_report_explain(f.c, NULL, NPC_EXPLAIN_BOTH, &b), NPC_OK);
    assert_non_null(strstr(b.data, "Connections between x/b[Pod] => x/a[Pod]:"));
    /* port 80: both rules of p1 allow it, the first is named; 90: only
     * the second */
    assert_non_null(strstr(b.data, "\tAllowed TCP:[80] due to the following policies and rules:\n"
                                   "\t\tEgress (Allowed) due to the system default (Allow all)\n"
                                   "\t\tIngress (Allowed)\n\t\t\tNetworkPolicy 'x/p1' allows "
                                   "connections by Ingress rule #1\n"));
    assert_non_null(strstr(b.data, "\tAllowed TCP:[90] due to the following policies and rules:\n"
                                   "\t\tEgress (Allowed) due to the system default (Allow all)\n"
                                   "\t\tIngress (Allowed)\n\t\t\tNetworkPolicy 'x/p1' allows "
                                   "connections by Ingress rule #2\n"));
    assert_non_null(strstr(b.data, "\t\t\tNetworkPolicy list:\n\t\t\t\t- NetworkPolicy 'x/p0' "
                                   "selects x/a[Pod], but x/b[Pod] is not allowed by any Ingress "
                                   "rule (no rules defined)\n"));
    assert_non_null(strstr(b.data, "# All Connections due to the system default (Allow all) #\n"
                                   "###"));
    assert_non_null(strstr(b.data, "y/c[Pod] => 0.0.0.0-255.255.255.255[External]\n"));
    npc_buf_reset(&b);
    assert_int_equal(npc_report_explain(f.c, NULL, NPC_EXPLAIN_DENY, &b), NPC_OK);
    assert_null(strstr(b.data, "Allowed connections:"));
    assert_non_null(strstr(b.data, "Denied connections:"));
    assert_null(strstr(b.data, "system default (Allow all) #"));
    npc_buf_reset(&b);
    npc_report_opts o;
    memset(&o, 0, sizeof o);
    o.focus_workloads = "c";
    o.has_focus_conn = 1;
    o.conn_proto = NPC_PROTO_UDP;
    o.conn_port = 53;
    assert_int_equal(npc_report_explain(f.c, &o, NPC_EXPLAIN_ALLOW, &b), NPC_OK);
    assert_null(strstr(b.data, "TCP"));
    assert_null(strstr(b.data, "x/a[Pod] => x/b"));
    npc_buf_free(&b);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass_then_baseline),
        cmocka_unit_test(test_external_subject_and_ranges),
        cmocka_unit_test(test_networkpolicy_reasons),
        cmocka_unit_test(test_report_groups_and_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
