/* Calico projectcalico.org/v3 policies evaluated with Calico's semantics:
 * order and first match inside a tier, the end-of-tier deny, Pass, Log,
 * tiers by order (Tier objects before or after their policies), Kubernetes
 * NetworkPolicies in the default tier at order 1000, selector expressions,
 * nets/notNets, ports/notPorts, types defaults, ICMP and staged kinds. */
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
#include "util/ctx.h"

/* Namespaces x (team: red) and y; pods a (app=api) and b (app=backend-db)
 * in each, with no known addresses. */
static const char topology[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {team: red}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: api}}\n"
    "spec: {containers: [{name: c, ports: [{name: web, containerPort: 8080}]}]}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: backend-db}}\n"
    "spec: {containers: [{name: c}]}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: y, labels: {app: api}}\n"
    "spec: {containers: [{name: c}]}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: backend-db}}\n"
    "spec: {containers: [{name: c}]}\n";

typedef struct world {
    npc_ctx *ctx;
    npc_cluster *c;
} world;

/* Loads the topology and the policies; expect_errors: the policies must
 * fail to load (then nothing is built). */
static world make(const char *policies, int expect_errors)
{
    world w = {npc_ctx_new(), NULL};
    w.c = npc_cluster_new(w.ctx);
    assert_int_equal(npc_cluster_load_text(w.c, "topo.yaml", topology, strlen(topology)), NPC_OK);
    npc_status s = npc_cluster_load_text(w.c, "pol.yaml", policies, strlen(policies));
    if (expect_errors) {
        assert_int_equal(s, NPC_ERR_INPUT);
        return w;
    }
    if (s != NPC_OK) {
        npc_buf b = NPC_BUF_INIT;
        npc_diags_format(w.ctx, NPC_SEV_NOTE, 0, &b);
        fail_msg("policies did not load:\n%s", b.data);
    }
    assert_int_equal(npc_eval_build(w.c), NPC_OK);
    return w;
}

static void destroy(world *w)
{
    npc_cluster_free(w->c);
    npc_ctx_free(w->ctx);
}

static int allowed(world *w, const char *from, const char *to, const char *proto, unsigned port)
{
    int ok = -1;
    assert_int_equal(npc_cluster_eval(w->c, from, to, proto, port, &ok, NULL, NULL), NPC_OK);
    return ok;
}

/* Whether a diagnostic with code `code` was reported (line: 0 for any). */
static int reported(const world *w, const char *code, uint32_t line, uint32_t col)
{
    for (size_t i = 0; i < npc_diag_count(w->ctx); i++) {
        const npc_diag *d = npc_diag_get(w->ctx, i);
        if (strcmp(d->code, code) == 0 &&
            (!line || (d->loc[0].line == line && d->loc[0].col == col)))
            return 1;
    }
    return 0;
}

#define NP(name, ns)                                                                               \
    "---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n"                                 \
    "metadata: {name: " name ", namespace: " ns "}\n"
#define GNP(name)                                                                                  \
    "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"                           \
    "metadata: {name: " name "}\n"

static void test_order_and_first_match(void **state)
{
    (void)state;
    world w = make(
        NP("deny-backend",
           "x") "spec:\n  order: 10\n  selector: app == 'api'\n"
                "  ingress: [{action: Deny, source: {selector: app == 'backend-db'}}]\n" NP(
                    "allow-backend-80", "x") "spec:\n  order: 5\n  selector: app == 'api'\n"
                                             "  ingress:\n  - action: Allow\n    protocol: TCP\n"
                                             "    source: {selector: app == 'backend-db'}\n    "
                                             "destination: {ports: [80]}\n",
        0);
    assert_true(allowed(&w, "x/b", "x/a", "TCP", 80));  /* order 5 first */
    assert_false(allowed(&w, "x/b", "x/a", "TCP", 81)); /* then the Deny */
    assert_false(allowed(&w, "y/b", "x/a", "TCP", 80)); /* selectors stay in x: end-of-tier deny */
    assert_true(allowed(&w, "x/a", "x/b", "TCP", 80));  /* b is selected by nothing */
    destroy(&w);
}

static void test_no_order_sorts_last_ties_by_name(void **state)
{
    (void)state;
    world w =
        make(NP("a-allow",
                "x") "spec:\n  selector: all()\n"
                     "  ingress: [{action: Allow}]\n" NP(
                         "z-deny",
                         "x") "spec:\n  order: 1e9\n  selector: all()\n"
                              "  ingress: [{action: Deny, source: {selector: app == 'api'}}]\n" NP(
                                  "b-deny", "x") "spec:\n  selector: all()\n"
                                                 "  ingress: [{action: Deny}]\n",
             0);
    assert_false(allowed(&w, "x/a", "x/b", "TCP", 1)); /* z-deny has an order: first */
    assert_true(allowed(&w, "y/b", "x/b", "TCP", 1));  /* then a-allow before b-deny */
    destroy(&w);
}

static void test_tiers_and_pass(void **state)
{
    (void)state;
    /* the Tier objects come after the policies that name them */
    world w =
        make(GNP("security.pass-api") "spec:\n  tier: security\n  order: 1\n"
                                      "  selector: app == 'api'\n"
                                      "  ingress:\n  - action: Pass\n    source: "
                                      "{namespaceSelector: team == 'red'}\n"
                                      "  - action: Allow\n    source: {selector: app == "
                                      "'backend-db'}\n" GNP(
                                          "platform.deny-all") "spec:\n  tier: platform\n  "
                                                               "selector: all()\n"
                                                               "  types: [Ingress]\n  ingress:\n  "
                                                               "- action: Deny\n"
                                                               "    source: {namespaceSelector: "
                                                               "projectcalico.org/name == 'x'}\n"
                                                               "---\napiVersion: "
                                                               "projectcalico.org/v3\nkind: Tier\n"
                                                               "metadata: {name: security}\nspec: "
                                                               "{order: 100}\n"
                                                               "---\napiVersion: "
                                                               "projectcalico.org/v3\nkind: Tier\n"
                                                               "metadata: {name: platform}\nspec: "
                                                               "{order: 200}\n",
             0);
    /* x/b -> y/a: security passes (x is red), platform denies (from x) */
    assert_false(allowed(&w, "x/b", "y/a", "TCP", 80));
    /* y/b -> y/a: security allows before platform is reached */
    assert_true(allowed(&w, "y/b", "y/a", "TCP", 80));
    /* y/a -> y/b: only platform selects y/b; a source in y is decided by no
     * rule there: the end of the tier denies */
    assert_false(allowed(&w, "y/a", "y/b", "TCP", 80));
    /* x/a -> x/b: platform denies (from x) */
    assert_false(allowed(&w, "x/a", "x/b", "TCP", 80));
    destroy(&w);
}

static void test_pass_in_last_tier_goes_to_profile(void **state)
{
    (void)state;
    world w = make(NP("pass", "x") "spec:\n  selector: all()\n  ingress: [{action: Pass}]\n", 0);
    assert_true(allowed(&w, "y/a", "x/a", "UDP", 53));
    destroy(&w);
}

static void test_knp_in_default_tier(void **state)
{
    (void)state;
    const char *knp = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                      "metadata: {name: knp, namespace: x}\n"
                      "spec:\n  podSelector: {matchLabels: {app: api}}\n"
                      "  ingress: [{from: [{namespaceSelector: {}}]}]\n";
    char text[2048];
    /* a Calico policy at order 500 comes before the NetworkPolicy (1000) */
    snprintf(text, sizeof text, "%s%s", knp,
             NP("deny-y", "x") "spec:\n  order: 500\n  selector: app == 'api'\n"
                               "  ingress: [{action: Deny, source: {namespaceSelector: "
                               "projectcalico.org/name == 'y'}}]\n");
    world w = make(text, 0);
    assert_false(allowed(&w, "y/b", "x/a", "TCP", 80));
    assert_true(allowed(&w, "x/b", "x/a", "TCP", 80));
    destroy(&w);
    /* one at order 2000 comes after it: the NetworkPolicy's allow wins; the
     * NetworkPolicy loaded after the Calico policy sits in the tier too */
    snprintf(text, sizeof text, "%s%s",
             NP("deny-late", "x") "spec:\n  order: 2000\n  selector: app == 'api'\n"
                                  "  ingress: [{action: Deny}]\n",
             knp);
    w = make(text, 0);
    assert_true(allowed(&w, "y/b", "x/a", "TCP", 80));
    assert_false(allowed(&w, "8.8.8.8", "x/a", "TCP", 80));
    destroy(&w);
}

static void test_log_continues(void **state)
{
    (void)state;
    world w = make(NP("log", "x") "spec:\n  selector: all()\n"
                                  "  ingress: [{action: Log}, {action: Allow, protocol: UDP}]\n",
                   0);
    assert_true(allowed(&w, "y/a", "x/a", "UDP", 53));
    assert_false(allowed(&w, "y/a", "x/a", "TCP", 53));
    destroy(&w);
}

static void test_selector_expressions(void **state)
{
    (void)state;
    world w =
        make(GNP("expr") "spec:\n  selector: app starts with 'back' || app == 'nothing'\n"
                         "  namespaceSelector: has(team)\n  ingress:\n  - action: Allow\n"
                         "    source: {selector: \"!(app in {'backend-db'}) && app != 'x'\"}\n",
             0);
    assert_true(allowed(&w, "y/a", "x/b", "TCP", 1));  /* api from any namespace */
    assert_false(allowed(&w, "y/b", "x/b", "TCP", 1)); /* backend-db excluded */
    assert_false(allowed(&w, "8.8.8.8", "x/b", "TCP", 1));
    assert_true(allowed(&w, "x/a", "y/b", "TCP", 1)); /* y has no team: not selected */
    destroy(&w);
}

static void test_nets_and_not_nets(void **state)
{
    (void)state;
    world w =
        make(NP("egress", "x") "spec:\n  selector: app == 'api'\n"
                               "  egress:\n  - action: Allow\n    protocol: TCP\n"
                               "    destination:\n      nets: [10.0.0.0/8, 192.168.1.1]\n"
                               "      notNets: [10.1.0.0/16]\n      notPorts: [22, '6000:6010']\n",
             0);
    assert_true(allowed(&w, "x/a", "10.2.0.1", "TCP", 80));
    assert_true(allowed(&w, "x/a", "192.168.1.1", "TCP", 5999));
    assert_false(allowed(&w, "x/a", "192.168.1.2", "TCP", 80));
    assert_false(allowed(&w, "x/a", "10.1.2.3", "TCP", 80));
    assert_false(allowed(&w, "x/a", "10.2.0.1", "TCP", 22));
    assert_false(allowed(&w, "x/a", "10.2.0.1", "TCP", 6005));
    assert_false(allowed(&w, "x/a", "10.2.0.1", "UDP", 80));
    /* types default to Egress alone: ingress stays open */
    assert_true(allowed(&w, "8.8.8.8", "x/a", "TCP", 80));
    /* pods have no known address: nets never match them */
    assert_false(allowed(&w, "x/a", "x/b", "TCP", 80));
    destroy(&w);
}

static void test_named_ports_and_ranges(void **state)
{
    (void)state;
    world w = make(NP("ports", "x") "spec:\n  selector: app == 'api'\n"
                                    "  ingress:\n  - action: Allow\n    protocol: TCP\n"
                                    "    destination: {ports: [web, '9000:9002']}\n",
                   0);
    assert_true(allowed(&w, "y/b", "x/a", "TCP", 8080));
    assert_true(allowed(&w, "y/b", "x/a", "TCP", 9002));
    assert_false(allowed(&w, "y/b", "x/a", "TCP", 9003));
    destroy(&w);
}

static void test_icmp_rules_warn(void **state)
{
    (void)state;
    world w = make(
        NP("icmp", "x") "spec:\n  selector: all()\n"
                        "  ingress:\n  - action: Allow\n    protocol: ICMP\n    icmp: {type: 8}\n",
        0);
    assert_true(reported(&w, "NPC215", 0, 0));
    /* the ICMP rule allows no TCP: the pod is isolated for ingress */
    assert_false(allowed(&w, "y/a", "x/a", "TCP", 80));
    destroy(&w);
}

static void test_staged_not_enforced(void **state)
{
    (void)state;
    world w = make("apiVersion: projectcalico.org/v3\nkind: StagedGlobalNetworkPolicy\n"
                   "metadata: {name: deny-all}\nspec:\n  selector: all()\n"
                   "  ingress: [{action: Deny}]\n",
                   0);
    assert_true(reported(&w, "NPC235", 0, 0));
    assert_true(allowed(&w, "y/a", "x/a", "TCP", 80));
    destroy(&w);
}

static void test_bad_selector_position(void **state)
{
    (void)state;
    world w = make("apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n"
                   "metadata: {name: bad, namespace: x}\n"
                   "spec:\n  selector: app == 'api' && tier = 'x'\n",
                   1);
    /* line 5, "  selector: " is 12 columns, the '=' is byte 22 of the selector */
    assert_true(reported(&w, "NPC223", 5, 34));
    destroy(&w);
}

static void test_bad_fields(void **state)
{
    (void)state;
    world w = make(
        NP("bad",
           "x") "spec:\n  selector: all()\n  odrer: 3\n"
                "  ingress: [{action: Accept}, {action: Allow, protocol: TCP,"
                " destination: {ports: ['9:1']}}, {action: Allow, destination: {ports: [80]}}]\n",
        1);
    assert_true(reported(&w, "NPC209", 0, 0)); /* odrer */
    destroy(&w);
    w = make(
        NP("bad",
           "x") "spec:\n  selector: all()\n"
                "  ingress: [{action: Accept}, {action: Allow, protocol: TCP,"
                " destination: {ports: ['9:1']}}, {action: Allow, destination: {ports: [80]}}]\n",
        1);
    assert_true(reported(&w, "NPC212", 0, 0)); /* Accept */
    assert_true(reported(&w, "NPC207", 0, 0)); /* 9:1, and ports without protocol */
    destroy(&w);
}

static void test_service_accounts_and_calico_labels(void **state)
{
    (void)state;
    world w = make(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: x, labels: {app: client}}\n"
        "spec: {serviceAccountName: front, containers: [{name: c}]}\n" NP(
            "from-front", "x") "spec:\n  selector: app == 'api'\n"
                               "  ingress: [{action: Allow, source: {serviceAccounts: {names: "
                               "[front]}}}]\n" GNP("db-from-y")
            "spec:\n  selector: app == 'backend-db'\n"
            "  ingress: [{action: Allow, source: {selector: projectcalico.org/namespace == 'y' "
            "&& projectcalico.org/orchestrator == 'k8s'}}]\n",
        0);
    assert_true(allowed(&w, "x/c", "x/a", "TCP", 80));  /* service account front */
    assert_false(allowed(&w, "x/b", "x/a", "TCP", 80)); /* service account default */
    assert_true(allowed(&w, "y/a", "x/b", "TCP", 80));  /* the namespace label */
    assert_true(allowed(&w, "y/a", "y/b", "TCP", 80));
    assert_false(allowed(&w, "x/a", "x/b", "TCP", 80));
    destroy(&w);
}

static void test_network_sets(void **state)
{
    (void)state;
    /* the policy comes before the sets it names: they are resolved after
     * the load */
    world w = make(
        NP("egress", "x") "spec:\n  selector: app == 'api'\n"
                          "  egress:\n  - action: Allow\n    protocol: TCP\n"
                          "    destination: {selector: role == 'db', notNets: [10.1.9.0/24]}\n"
                          "  - action: Allow\n    destination: {selector: role == 'dns', "
                          "namespaceSelector: global()}\n"
                          "  - action: Allow\n    destination: {selector: role == 'web', "
                          "namespaceSelector: team == 'red'}\n"
        "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\n"
        "metadata: {name: db, namespace: x, labels: {role: db}}\nspec: {nets: [10.1.0.0/16]}\n"
        "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\n"
        "metadata: {name: db, namespace: y, labels: {role: db}}\nspec: {nets: [10.2.0.0/16]}\n"
        "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\n"
        "metadata: {name: web, namespace: x, labels: {role: web}}\nspec: {nets: [10.3.0.0/16]}\n"
        "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\n"
        "metadata: {name: dns, labels: {role: dns}}\nspec: {nets: [8.8.8.8]}\n"
        "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\n"
        "metadata: {name: db, labels: {role: db}}\nspec: {nets: [10.4.0.0/16]}\n",
        0);
    assert_true(allowed(&w, "x/a", "10.1.2.3", "TCP", 5432));  /* x's set */
    assert_false(allowed(&w, "x/a", "10.1.9.1", "TCP", 5432)); /* notNets */
    assert_false(allowed(&w, "x/a", "10.1.2.3", "UDP", 53));
    assert_false(allowed(&w, "x/a", "10.2.0.1", "TCP", 5432)); /* y's set: another namespace */
    assert_false(allowed(&w, "x/a", "10.4.0.1", "TCP", 5432)); /* global set: not without global() */
    assert_true(allowed(&w, "x/a", "8.8.8.8", "UDP", 53));     /* global() */
    assert_true(allowed(&w, "x/a", "10.3.0.1", "TCP", 1));     /* namespace team: red */
    assert_false(allowed(&w, "x/a", "x/b", "TCP", 5432));      /* no pod has role: db */
    destroy(&w);
}

static void test_staged_as_enforced(void **state)
{
    (void)state;
    static const char staged[] =
        "---\napiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\n"
        "metadata: {name: lock, namespace: x}\n"
        "spec:\n  selector: app == 'api'\n  ingress: [{action: Deny}]\n"
        "---\napiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\n"
        "metadata: {name: gone, namespace: y}\n"
        "spec:\n  stagedAction: Delete\n  selector: app == 'api'\n  ingress: [{action: Deny}]\n";
    world w = {npc_ctx_new(), NULL};
    w.c = npc_cluster_new(w.ctx);
    npc_cluster_set_staged(w.c, 1);
    assert_int_equal(npc_cluster_load_text(w.c, "topo.yaml", topology, strlen(topology)), NPC_OK);
    assert_int_equal(npc_cluster_load_text(w.c, "pol.yaml", staged, strlen(staged)), NPC_OK);
    assert_int_equal(npc_eval_build(w.c), NPC_OK);
    assert_false(allowed(&w, "x/b", "x/a", "TCP", 80)); /* as if enforced */
    assert_true(allowed(&w, "x/b", "y/a", "TCP", 80));  /* a staged deletion adds nothing */
    assert_true(reported(&w, "NPC235", 0, 0));
    destroy(&w);
}

static void test_ties_by_name_and_namespace_text(void **state)
{
    (void)state;
    /* Calico compares "<name>/<namespace>": "a-b/x" sorts before "a/x" */
    world w = make(NP("a", "x") "spec:\n  selector: app == 'api'\n  ingress: [{action: Deny}]\n" NP(
                       "a-b", "x") "spec:\n  selector: app == 'api'\n  ingress: [{action: Allow}]\n",
                   0);
    assert_true(allowed(&w, "x/b", "x/a", "TCP", 80));
    destroy(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_first_match),
        cmocka_unit_test(test_no_order_sorts_last_ties_by_name),
        cmocka_unit_test(test_tiers_and_pass),
        cmocka_unit_test(test_pass_in_last_tier_goes_to_profile),
        cmocka_unit_test(test_knp_in_default_tier),
        cmocka_unit_test(test_log_continues),
        cmocka_unit_test(test_selector_expressions),
        cmocka_unit_test(test_nets_and_not_nets),
        cmocka_unit_test(test_named_ports_and_ranges),
        cmocka_unit_test(test_icmp_rules_warn),
        cmocka_unit_test(test_staged_not_enforced),
        cmocka_unit_test(test_bad_selector_position),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_service_accounts_and_calico_labels),
        cmocka_unit_test(test_network_sets),
        cmocka_unit_test(test_staged_as_enforced),
        cmocka_unit_test(test_ties_by_name_and_namespace_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
