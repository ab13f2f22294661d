/* The evaluator on small clusters: NetworkPolicy isolation per direction,
 * policyTypes defaults, selector combinations, named ports, endPort,
 * ipBlock with except against external and pod addresses, the admin and
 * baseline tiers (built as IR directly), connection lists and explanations. */
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
#include "text/tree.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
} fixture;

/* Namespaces x and y (label ns), pods a (app=a, port http 80/TCP,
 * dns 53/UDP, IP 10.0.0.1) and b (app=b, IP 10.0.0.2) in each, plus text. */
static const char base[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {ns: x}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y, labels: {ns: y}}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n"
    "spec:\n  containers:\n  - name: c\n    ports:\n"
    "    - {name: http, containerPort: 80}\n"
    "    - {name: dns, containerPort: 53, protocol: UDP}\n"
    "status: {podIP: 10.0.0.1}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n"
    "spec: {containers: [{name: c}]}\nstatus: {podIP: 10.0.0.2}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: y, labels: {app: a}}\n"
    "spec:\n  containers:\n  - name: c\n    ports:\n"
    "    - {name: http, containerPort: 8080}\n"
    "status: {podIP: 10.0.1.1}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: b}}\n"
    "spec: {containers: [{name: c}]}\nstatus: {podIP: 10.0.1.2}\n";

static void load(fixture *f, const char *policies)
{
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    assert_int_equal(npc_cluster_load_text(f->c, "base.yaml", base, strlen(base)), NPC_OK);
    if (policies)
        assert_int_equal(npc_cluster_load_text(f->c, "pol.yaml", policies, strlen(policies)),
                         NPC_OK);
    if (npc_error_count(f->ctx)) {
        npc_buf b = NPC_BUF_INIT;
        npc_diags_format(f->ctx, NPC_SEV_NOTE, 0, &b);
        fprintf(stderr, "%s", b.data);
        npc_buf_free(&b);
    }
    assert_int_equal(npc_error_count(f->ctx), 0);
    assert_int_equal(npc_eval_build(f->c), NPC_OK);
}

static void done(fixture *f)
{
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

static int flow(fixture *f, const char *from, const char *to, const char *proto, unsigned port)
{
    int allowed = -1;
    assert_int_equal(npc_cluster_eval(f->c, from, to, proto, port, &allowed, NULL, NULL), NPC_OK);
    return allowed;
}

static void test_no_policies_allow_all(void **state)
{
    (void)state;
    fixture f;
    load(&f, NULL);
    assert_true(flow(&f, "x/a", "y/b", "TCP", 1));
    assert_true(flow(&f, "y/b", "x/a", "SCTP", 65535));
    assert_true(flow(&f, "x/a", "8.8.8.8", "UDP", 53));
    assert_true(flow(&f, "2001:db8::1", "x/a", "TCP", 80));
    done(&f);
}

static void test_default_deny_ingress(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: deny, namespace: x}\nspec: {podSelector: {}}\n");
    assert_false(flow(&f, "y/a", "x/a", "TCP", 80));
    assert_false(flow(&f, "x/b", "x/a", "TCP", 80));
    assert_false(flow(&f, "8.8.8.8", "x/b", "TCP", 80));
    /* egress is not isolated: no egress section, no policyTypes */
    assert_true(flow(&f, "x/a", "y/a", "TCP", 80));
    assert_true(flow(&f, "x/a", "8.8.8.8", "TCP", 80));
    done(&f);
}

static void test_egress_section_implies_egress(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: eg, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n"
             "  egress:\n  - to: [{podSelector: {matchLabels: {app: b}}}]\n");
    /* isolated for ingress (always) and egress (egress section) */
    assert_false(flow(&f, "x/b", "x/a", "TCP", 80));
    assert_true(flow(&f, "x/a", "x/b", "TCP", 80));
    assert_false(flow(&f, "x/a", "y/b", "TCP", 80)); /* podSelector alone: same namespace */
    assert_false(flow(&f, "x/a", "1.1.1.1", "TCP", 80));
    done(&f);
}

static void test_policy_types_egress_only(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: eg, namespace: x}\n"
             "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n"
             "  ingress: [{}]\n");
    assert_true(flow(&f, "y/a", "x/a", "TCP", 80)); /* not isolated for ingress */
    assert_false(flow(&f, "x/a", "y/a", "TCP", 80));
    done(&f);
}

static void test_namespace_and_pod_selectors(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: in, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n"
             "  ingress:\n  - from:\n"
             "    - namespaceSelector: {matchLabels: {ns: y}}\n"
             "      podSelector: {matchExpressions: [{key: app, operator: In, values: [b]}]}\n");
    assert_true(flow(&f, "y/b", "x/a", "TCP", 80));
    assert_false(flow(&f, "y/a", "x/a", "TCP", 80));
    assert_false(flow(&f, "x/b", "x/a", "TCP", 80));
    done(&f);
}

static void test_named_ports_and_protocols(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: np, namespace: x}\n"
             "spec:\n  podSelector: {}\n"
             "  ingress:\n  - ports: [{port: http}, {port: dns, protocol: UDP},"
             " {port: 1000, endPort: 1010, protocol: SCTP}]\n");
    assert_true(flow(&f, "y/b", "x/a", "TCP", 80));
    assert_false(flow(&f, "y/b", "x/a", "TCP", 81));
    assert_true(flow(&f, "y/b", "x/a", "UDP", 53));
    assert_false(flow(&f, "y/b", "x/a", "TCP", 53)); /* dns is a UDP port */
    assert_false(flow(&f, "y/b", "x/b", "TCP", 80)); /* x/b has no port named http */
    assert_true(flow(&f, "y/b", "x/b", "SCTP", 1005));
    assert_false(flow(&f, "y/b", "x/b", "SCTP", 1011));
    done(&f);
}

static void test_egress_named_port_resolves_at_destination(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: np, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: b}}\n  policyTypes: [Egress]\n"
             "  egress:\n  - ports: [{port: http}]\n");
    assert_true(flow(&f, "x/b", "y/a", "TCP", 8080));
    assert_false(flow(&f, "x/b", "y/a", "TCP", 80));
    assert_true(flow(&f, "x/b", "x/a", "TCP", 80));
    assert_false(flow(&f, "x/b", "9.9.9.9", "TCP", 80)); /* never an IP */
    done(&f);
}

static void test_ipblock_except_and_pod_ips(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: ip, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Egress]\n"
             "  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.2/32]}}]\n"
             "  - to: [{ipBlock: {cidr: '2001:db8::/32'}}]\n");
    assert_true(flow(&f, "x/a", "10.0.200.1", "TCP", 80));
    assert_false(flow(&f, "x/a", "10.1.0.1", "TCP", 80));
    assert_true(flow(&f, "x/a", "y/a", "TCP", 80));       /* pod IP 10.0.1.1 inside */
    assert_false(flow(&f, "x/a", "y/b", "TCP", 80));      /* pod IP 10.0.1.2 excepted */
    assert_false(flow(&f, "x/a", "10.0.1.2", "TCP", 80)); /* that address is y/b */
    assert_true(flow(&f, "x/a", "2001:db8::5", "UDP", 5));
    assert_false(flow(&f, "x/a", "2001:db9::5", "UDP", 5));
    done(&f);
}

static void test_multiple_policies_additive(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p1, namespace: x}\n"
             "spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}\n"
             "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p2, namespace: x}\n"
             "spec: {podSelector: {matchLabels: {app: a}}, ingress: [{ports: [{port: 81}]}]}\n");
    assert_true(flow(&f, "y/a", "x/a", "TCP", 80));
    assert_true(flow(&f, "y/a", "x/a", "TCP", 81));
    assert_false(flow(&f, "y/a", "x/b", "TCP", 81));
    done(&f);
}

/* Admin and baseline tiers, built as IR: admin (priority 1) passes TCP 80
 * from y to x/a and denies everything else from y; baseline denies all
 * ingress to x. */
static npc_rule *add_policy(fixture *f, uint32_t layer, int prio, const char *name, uint32_t nrules)
{
    npc_policy p;
    memset(&p, 0, sizeof p);
    p.kind = layer == NPC_LAYER_ADMIN      ? NPC_KIND_ANP
             : layer == NPC_LAYER_BASELINE ? NPC_KIND_BANP
                                           : NPC_KIND_NETWORKPOLICY;
    p.layer = layer;
    p.order = prio;
    p.name = npc_intern_cstr(f->ctx->strings, name);
    p.subj_ns_mode = NPC_NS_SELECTOR;
    p.affects[NPC_DIR_INGRESS] = 1;
    p.rules = npc_arena_alloc(f->c->arena, nrules * sizeof(npc_rule));
    memset(p.rules, 0, nrules * sizeof(npc_rule));
    p.nrules = nrules;
    npc_vec_push(&f->c->policies, p);
    return p.rules;
}

/* kubernetes.io/metadata.name = ns */
static npc_selector ns_is(fixture *f, const char *ns)
{
    npc_sel_expr *e = npc_arena_alloc(f->c->arena, sizeof *e);
    memset(e, 0, sizeof *e);
    e->op = NPC_SEL_IN;
    e->key = npc_intern_cstr(f->ctx->strings, "kubernetes.io/metadata.name");
    e->values = npc_arena_alloc(f->c->arena, sizeof(npc_sym));
    e->values[0] = npc_intern_cstr(f->ctx->strings, ns);
    e->nvalues = 1;
    npc_selector sel = {e, 1, NULL, 0, NULL};
    return sel;
}

static void ns_peer(fixture *f, npc_rule *r, const char *ns)
{
    r->peers = npc_arena_alloc(f->c->arena, sizeof(npc_peer));
    memset(r->peers, 0, sizeof(npc_peer));
    r->npeers = 1;
    r->peers[0].kind = NPC_PEER_PODS;
    r->peers[0].ns_mode = NPC_NS_SELECTOR;
    r->peers[0].ns_sel = ns_is(f, ns);
}

/* An ingress rule passing TCP 80 from the pods of namespace ns. */
static void pass_tcp80_from(fixture *f, npc_rule *r, const char *ns)
{
    r->dir = NPC_DIR_INGRESS;
    r->action = NPC_ACT_PASS;
    ns_peer(f, r, ns);
    r->ports = npc_arena_alloc(f->c->arena, sizeof(npc_port_match));
    memset(r->ports, 0, sizeof(npc_port_match));
    r->nports = 1;
    r->ports[0].proto_mask = 1u << NPC_PROTO_TCP;
    r->ports[0].lo = r->ports[0].hi = 80;
}

static void test_admin_and_baseline_tiers(void **state)
{
    (void)state;
    fixture f;
    f.ctx = npc_ctx_new();
    f.c = npc_cluster_new(f.ctx);
    assert_int_equal(npc_cluster_load_text(f.c, "base.yaml", base, strlen(base)), NPC_OK);
    npc_rule *r = add_policy(&f, NPC_LAYER_ADMIN, 1, "pass-80", 2);
    pass_tcp80_from(&f, &r[0], "y");
    r[1].dir = NPC_DIR_INGRESS;
    r[1].action = NPC_ACT_DENY;
    r[1].index = 1;
    ns_peer(&f, &r[1], "y");
    r = add_policy(&f, NPC_LAYER_ADMIN, 0, "allow-x", 1); /* higher precedence */
    r[0].dir = NPC_DIR_INGRESS;
    r[0].action = NPC_ACT_ALLOW;
    ns_peer(&f, &r[0], "x");
    r = add_policy(&f, NPC_LAYER_BASELINE, 0, "default", 1);
    r[0].dir = NPC_DIR_INGRESS;
    r[0].action = NPC_ACT_DENY;
    ns_peer(&f, &r[0], "y");
    assert_int_equal(npc_eval_build(f.c), NPC_OK);

    assert_false(flow(&f, "y/a", "x/a", "TCP", 81)); /* admin deny */
    assert_false(flow(&f, "y/a", "x/a", "TCP", 80)); /* passed, baseline denies */
    assert_true(flow(&f, "x/b", "x/a", "TCP", 80));  /* admin allow (priority 0) */
    assert_true(flow(&f, "9.9.9.9", "x/a", "TCP", 80));

    npc_buf why = NPC_BUF_INIT, chain = NPC_BUF_INIT;
    int allowed = 1;
    assert_int_equal(npc_cluster_eval(f.c, "y/a", "x/a", "tcp", 80, &allowed, &why, &chain),
                     NPC_OK);
    assert_false(allowed);
    assert_non_null(strstr(chain.data, "admin tier: AdminNetworkPolicy pass-80 (priority 1) "
                                       "ingress rule 0 at ?: Pass (to the next tier)"));
    assert_non_null(
        strstr(chain.data, "namespace tier: no policy selects it for ingress (not isolated)"));
    assert_non_null(strstr(chain.data, "baseline tier: BaselineAdminNetworkPolicy default"));
    assert_non_null(strstr(why.data, "denied by ingress to x/a[Pod]: baseline tier:"));
    npc_buf_free(&why);
    npc_buf_free(&chain);
    done(&f);
}

/* The allowed ports of src -> dst in the connection list ("" if none). */
static void connlist_conns(fixture *f, const char *src, const char *dst, npc_buf *out)
{
    npc_connlist l;
    assert_int_equal(npc_connlist_compute(f->c, &l), NPC_OK);
    for (size_t i = 0; i < l.items.len; i++) {
        const npc_conn *cn = &l.items.items[i];
        if (cn->src.kind != NPC_EP_WORKLOAD || cn->dst.kind != NPC_EP_WORKLOAD)
            continue;
        npc_buf a = NPC_BUF_INIT, b = NPC_BUF_INIT;
        npc_flow_end ea = {NPC_EP_WORKLOAD, cn->src.workload, {0, 0}};
        npc_flow_end eb = {NPC_EP_WORKLOAD, cn->dst.workload, {0, 0}};
        npc_flow_end_format(f->c, &ea, &a);
        npc_flow_end_format(f->c, &eb, &b);
        if (!strcmp(a.data, src) && !strcmp(b.data, dst))
            npc_portset_format(&cn->conns, out);
        npc_buf_free(&a);
        npc_buf_free(&b);
    }
    if (!out->data)
        npc_buf_puts(out, "");
    npc_connlist_free(&l);
}

/* A Pass rule in an isolating layer, in both modes: the passed port goes
 * on to the next layer (here none: allowed), the rest is denied at the
 * layer's end. connlist, eval and explain decide through one function and
 * must agree (they once did not: connlist allowed what eval denied). */
static void test_pass_in_isolating_layer(void **state)
{
    (void)state;
    static const npc_layer_mode modes[] = {NPC_MODE_FIRST_MATCH, NPC_MODE_ADDITIVE};
    for (int m = 0; m < 2; m++) {
        fixture f;
        f.ctx = npc_ctx_new();
        f.c = npc_cluster_new(f.ctx);
        assert_int_equal(npc_cluster_load_text(f.c, "base.yaml", base, strlen(base)), NPC_OK);
        uint32_t layer = npc_cluster_layer(f.c, m ? "isolating-additive" : "isolating-first-match",
                                           150, modes[m], 1);
        assert_int_equal(npc_cluster_layer(f.c, m ? "isolating-additive" : "isolating-first-match",
                                           150, modes[m], 1),
                         layer);
        npc_rule *r = add_policy(&f, layer, 1, "pass-80", 1);
        pass_tcp80_from(&f, &r[0], "y");
        /* subject: the pods of namespace x */
        f.c->policies.items[f.c->policies.len - 1].subj_ns_sel = ns_is(&f, "x");
        assert_int_equal(npc_eval_build(f.c), NPC_OK);

        assert_true(flow(&f, "y/a", "x/a", "TCP", 80));  /* passed on: no layer decides */
        assert_false(flow(&f, "y/a", "x/a", "TCP", 81)); /* isolated at the layer's end */
        assert_false(flow(&f, "x/b", "x/a", "TCP", 80)); /* not passed: isolated */
        npc_buf conns = NPC_BUF_INIT;
        connlist_conns(&f, "y/a[Pod]", "x/a[Pod]", &conns);
        assert_string_equal(conns.data, "TCP 80");
        npc_buf_free(&conns);
        connlist_conns(&f, "x/b[Pod]", "x/a[Pod]", &conns);
        assert_string_equal(conns.data, "");
        npc_buf_free(&conns);

        npc_buf why = NPC_BUF_INIT, chain = NPC_BUF_INIT;
        int allowed = 0;
        assert_int_equal(npc_cluster_eval(f.c, "y/a", "x/a", "TCP", 80, &allowed, &why, &chain),
                         NPC_OK);
        assert_true(allowed);
        assert_non_null(strstr(chain.data, "pass-80"));
        assert_non_null(strstr(chain.data, "Pass (to the next tier)"));
        npc_buf_free(&why);
        npc_buf_free(&chain);
        done(&f);
    }
}

static void test_connlist_counts(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: deny, namespace: x}\nspec: {podSelector: {}}\n");
    npc_connlist l;
    assert_int_equal(npc_connlist_compute(f.c, &l), NPC_OK);
    size_t ww = 0, ext = 0;
    for (size_t i = 0; i < l.items.len; i++) {
        const npc_conn *cn = &l.items.items[i];
        if (cn->src.kind == NPC_EP_WORKLOAD && cn->dst.kind == NPC_EP_WORKLOAD)
            ww++;
        else
            ext++;
        if (cn->dst.kind == NPC_EP_WORKLOAD)
            assert_int_not_equal(
                f.c->namespaces.items[f.c->workloads.items[cn->dst.workload].ns].name,
                npc_intern_cstr(f.ctx->strings, "x"));
        assert_true(npc_portset_is_all(&cn->conns));
    }
    /* 4 workloads: sources all 4, destinations only y's two: 4*2 - 2 self */
    assert_int_equal(ww, 6);
    /* every workload to 0.0.0.0/0, and 0.0.0.0/0 to y's two */
    assert_int_equal(ext, 4 + 2);
    npc_connlist_free(&l);
    done(&f);
}

static void test_endpoint_names(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: y}\n"
             "spec:\n  template:\n    metadata: {labels: {app: db}}\n"
             "    spec: {containers: [{name: c}]}\n");
    npc_flow_end e;
    npc_buf err = NPC_BUF_INIT;
    assert_true(npc_flow_end_parse(f.c, "y/db-0", &e, &err));
    assert_int_equal(e.kind, NPC_EP_WORKLOAD);
    assert_true(npc_flow_end_parse(f.c, "y/db", &e, &err));
    assert_true(npc_flow_end_parse(f.c, "10.9.9.9", &e, &err));
    assert_int_equal(e.kind, NPC_EP_EXTERNAL);
    assert_false(npc_flow_end_parse(f.c, "y/nope", &e, &err));
    assert_non_null(strstr(err.data, "no workload or pod 'nope'"));
    npc_buf_reset(&err);
    assert_false(npc_flow_end_parse(f.c, "q/a", &e, &err));
    assert_non_null(strstr(err.data, "no namespace 'q'"));
    npc_buf_free(&err);
    int allowed;
    assert_int_equal(npc_cluster_eval(f.c, "x/a", "y/zz", "TCP", 80, &allowed, NULL, NULL),
                     NPC_ERR_INPUT);
    assert_int_equal(npc_cluster_eval(f.c, "x/a", "y/a", "ICMP", 80, &allowed, NULL, NULL),
                     NPC_ERR_INPUT);
    done(&f);
}

static void test_explain_pair_ranges(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: web, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n"
             "  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]\n"
             "    ports: [{port: 80}]\n");
    npc_endpoint src = {NPC_EP_WORKLOAD, 2, {{0, 0}, {0, 0}}}; /* y/a */
    npc_endpoint dst = {NPC_EP_WORKLOAD, 0, {{0, 0}, {0, 0}}}; /* x/a */
    assert_string_equal(npc_sym_str(f.ctx->strings, f.c->workloads.items[2].name), "a");
    npc_expl_pair ep;
    assert_int_equal(npc_explain_pair(f.c, &src, &dst, &ep), NPC_OK);
    /* TCP 1-79, 80, 81-65535; UDP all; SCTP all */
    assert_int_equal(ep.ranges.len, 5);
    const npc_expl_range *r = &ep.ranges.items[1];
    assert_int_equal(r->proto, NPC_PROTO_TCP);
    assert_int_equal(r->lo, 80);
    assert_int_equal(r->hi, 80);
    assert_true(r->dir[NPC_DIR_INGRESS].allowed);
    assert_int_equal(r->dir[NPC_DIR_INGRESS].steps[0].kind, NPC_EXPL_RULE);
    assert_int_equal(r->dir[NPC_DIR_EGRESS].steps[0].kind, NPC_EXPL_DEFAULT);
    r = &ep.ranges.items[0];
    assert_int_equal(r->lo, 1);
    assert_int_equal(r->hi, 79);
    assert_false(r->dir[NPC_DIR_INGRESS].allowed);
    assert_int_equal(r->dir[NPC_DIR_INGRESS].steps[0].kind, NPC_EXPL_PORTS);
    npc_expl_pair_free(&ep);
    /* from x/b: the rule does not select the peer */
    src.workload = 1;
    assert_int_equal(npc_explain_pair(f.c, &src, &dst, &ep), NPC_OK);
    assert_int_equal(ep.ranges.len, 3); /* one per protocol */
    assert_int_equal(ep.ranges.items[0].dir[NPC_DIR_INGRESS].steps[0].kind, NPC_EXPL_NO_PEER);
    npc_expl_pair_free(&ep);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_policies_allow_all),
        cmocka_unit_test(test_default_deny_ingress),
        cmocka_unit_test(test_egress_section_implies_egress),
        cmocka_unit_test(test_policy_types_egress_only),
        cmocka_unit_test(test_namespace_and_pod_selectors),
        cmocka_unit_test(test_named_ports_and_protocols),
        cmocka_unit_test(test_egress_named_port_resolves_at_destination),
        cmocka_unit_test(test_ipblock_except_and_pod_ips),
        cmocka_unit_test(test_multiple_policies_additive),
        cmocka_unit_test(test_admin_and_baseline_tiers),
        cmocka_unit_test(test_pass_in_isolating_layer),
        cmocka_unit_test(test_connlist_counts),
        cmocka_unit_test(test_endpoint_names),
        cmocka_unit_test(test_explain_pair_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
