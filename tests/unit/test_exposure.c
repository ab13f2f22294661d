/* Exposure analysis on small clusters: unprotected workloads, representative
 * peers from rule selectors (naming, merging of equivalent requirements,
 * dropping those a real workload matches), the entire cluster, admin-tier
 * denials that make a representative differ ("No Connections"), named
 * ports towards unknown peers, and the report's text and focus. */
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
#include "report/exposure.h"
#include "report/report.h"
#include "text/tree.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
    npc_exposure x;
} fixture;

/* Namespaces x (ns=x) and y (ns=y); pods x/a (app=a, port http 80/TCP),
 * x/b (app=b) and y/b (app=b). */
static const char base[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {ns: x}}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y, labels: {ns: y}}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n"
    "spec:\n  containers:\n  - name: c\n    ports:\n    - {name: http, containerPort: 80}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: b}}\n"
    "spec: {containers: [{name: c}]}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: b}}\n"
    "spec: {containers: [{name: c}]}\n";

static void load(fixture *f, const char *policies)
{
    memset(f, 0, sizeof *f);
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    assert_int_equal(npc_cluster_load_text(f->c, "base.yaml", base, strlen(base)),
                     NPC_OK);
    if (policies)
        assert_int_equal(
            npc_cluster_load_text(f->c, "pol.yaml", policies, strlen(policies)),
            NPC_OK);
    assert_int_equal(npc_error_count(f->ctx), 0);
    assert_int_equal(npc_exposure_compute(f->c, &f->x), NPC_OK);
}

static void done(fixture *f)
{
    npc_exposure_free(&f->x);
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

static uint32_t wl(fixture *f, const char *ns, const char *name)
{
    for (size_t w = 0; w < f->c->workloads.len; w++) {
        const npc_workload *x = &f->c->workloads.items[w];
        if (strcmp(npc_sym_str(f->ctx->strings, x->name), name) == 0 &&
            strcmp(npc_sym_str(f->ctx->strings, f->c->namespaces.items[x->ns].name), ns) == 0)
            return (uint32_t)w;
    }
    fail_msg("no workload %s/%s", ns, name);
    return 0;
}

/* The connections of workload w's exposure item for rep in dir, as text;
 * NULL when there is none. The caller frees it. */
static char *item(fixture *f, uint32_t w, npc_dir dir, int32_t rep)
{
    for (size_t i = 0; i < f->x.items.len; i++) {
        const npc_exposure_item *it = &f->x.items.items[i];
        if (it->workload == w && it->dir == dir && it->rep == rep) {
            npc_buf b = NPC_BUF_INIT;
            npc_portset_format(&it->conns, &b);
            return npc_buf_take(&b);
        }
    }
    return NULL;
}

static void assert_item(fixture *f, uint32_t w, npc_dir dir, int32_t rep, const char *want)
{
    char *got = item(f, w, dir, rep);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static char *rep_text(fixture *f, size_t i)
{
    npc_expo_rep_name n;
    npc_expo_rep_name_of(f->c, &f->x.reps.items[i], &n);
    free(n.ns);
    free(n.pod);
    return n.text;
}

static void assert_rep(fixture *f, size_t i, const char *want)
{
    char *t = rep_text(f, i);
    assert_string_equal(t, want);
    free(t);
}

static void test_no_policies(void **state)
{
    (void)state;
    fixture f;
    load(&f, NULL);
    uint32_t a = wl(&f, "x", "a");
    assert_int_equal(f.x.reps.len, 0);
    assert_false(f.x.protected_dir[a * 2 + NPC_DIR_INGRESS]);
    assert_false(f.x.protected_dir[a * 2 + NPC_DIR_EGRESS]);
    assert_true(f.x.exposed[a]);
    assert_item(&f, a, NPC_DIR_INGRESS, -1, "All Connections");
    assert_item(&f, a, NPC_DIR_EGRESS, -1, "All Connections");
    done(&f);
}

static void test_namespace_selector_rep(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n  ingress:\n"
             "  - from: [{namespaceSelector: {matchLabels: {env: prod, tier: web}}}]\n"
             "    ports: [{port: 8050}]\n"
             "  - from: [{namespaceSelector: {}}]\n    ports: [{port: 9000}]\n");
    uint32_t a = wl(&f, "x", "a"), b = wl(&f, "x", "b");
    assert_int_equal(f.x.reps.len, 1);
    assert_rep(&f, 0, "[namespace with {env=prod,tier=web}]/[all pods]");
    assert_true(f.x.protected_dir[a * 2 + NPC_DIR_INGRESS]);
    /* the entire cluster on 9000; the representative on both ports */
    assert_item(&f, a, NPC_DIR_INGRESS, -1, "TCP 9000");
    assert_item(&f, a, NPC_DIR_INGRESS, 0, "TCP 8050,9000");
    assert_item(&f, a, NPC_DIR_EGRESS, -1, "All Connections");
    assert_item(&f, b, NPC_DIR_INGRESS, 0, NULL);
    done(&f);
}

static void test_rep_dropped_when_a_workload_matches(void **state)
{
    (void)state;
    fixture f;
    /* y/b matches the first peer (matchLabels only): no representative;
     * the match expression and the empty pod selector are kept */
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n  ingress:\n"
             "  - from:\n    - namespaceSelector: {matchLabels: {ns: y}}\n"
             "      podSelector: {matchLabels: {app: b}}\n"
             "    - namespaceSelector: {matchLabels: {ns: y}}\n"
             "      podSelector: {matchExpressions: [{key: app, operator: In, values: [b]}]}\n"
             "    - namespaceSelector: {matchLabels: {ns: y}}\n"
             "      podSelector: {matchExpressions: [{key: app, operator: NotIn, "
             "values: [z, c]}]}\n"
             "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}\n");
    assert_int_equal(f.x.reps.len, 2);
    assert_rep(&f, 0,
               "[namespace with {ns=y}]/[pod with {{Key:app,Operator:NotIn,Values:[z c],}}]");
    assert_rep(&f, 1, "y/[all pods]");
    uint32_t a = wl(&f, "x", "a");
    assert_item(&f, a, NPC_DIR_INGRESS, 0, "All Connections");
    assert_item(&f, a, NPC_DIR_INGRESS, 1, "All Connections");
    assert_item(&f, a, NPC_DIR_INGRESS, -1, NULL);
    done(&f);
}

static void test_values_as_written(void **state)
{
    (void)state;
    fixture f;
    /* values print in the policy's order, repeats kept; the same values in
     * another order are the same peer, named by the first rule */
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n  ingress:\n"
             "  - from:\n    - podSelector: {matchExpressions: [{key: tier, operator: In, "
             "values: [web, api, web]}, {key: app, operator: NotIn, values: [z, c]}]}\n"
             "    ports: [{port: 80}]\n"
             "  - from:\n    - podSelector: {matchExpressions: [{key: app, operator: NotIn, "
             "values: [c, z]}, {key: tier, operator: In, values: [api, web]}]}\n"
             "    ports: [{port: 81}]\n");
    assert_int_equal(f.x.reps.len, 1);
    assert_rep(&f, 0,
               "x/[pod with {{Key:app,Operator:NotIn,Values:[z c],},"
               "{Key:tier,Operator:In,Values:[web api web],}}]");
    assert_item(&f, wl(&f, "x", "a"), NPC_DIR_INGRESS, 0, "TCP 80-81");
    done(&f);
}

static void test_pod_selector_only_and_equivalent_rules(void **state)
{
    (void)state;
    fixture f;
    /* podSelector only: the policy's namespace; In with one value is the
     * matchLabels entry written first */
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n"
             "  ingress:\n  - from: [{podSelector: {matchLabels: {role: mon}}}]\n"
             "    ports: [{port: 8050}]\n"
             "  egress:\n  - to: [{podSelector: {matchExpressions: "
             "[{key: role, operator: In, values: [mon]}]}}]\n");
    uint32_t a = wl(&f, "x", "a");
    assert_int_equal(f.x.reps.len, 1);
    assert_rep(&f, 0, "x/[pod with {role=mon}]");
    assert_item(&f, a, NPC_DIR_INGRESS, 0, "TCP 8050");
    assert_item(&f, a, NPC_DIR_EGRESS, 0, "All Connections");
    assert_item(&f, a, NPC_DIR_EGRESS, -1, NULL);
    done(&f);
}

static void test_admin_deny_before_allow_all(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
             "metadata: {name: anp}\n"
             "spec:\n  priority: 10\n"
             "  subject: {pods: {namespaceSelector: {matchLabels: {ns: x}},"
             " podSelector: {matchLabels: {app: a}}}}\n"
             "  egress:\n"
             "  - {name: deny, action: Deny, to: [{namespaces: {matchLabels: {house: s}}}]}\n"
             "  - {name: allow, action: Allow, to: [{namespaces: {}}]}\n");
    uint32_t a = wl(&f, "x", "a");
    assert_int_equal(f.x.reps.len, 1);
    assert_rep(&f, 0, "[namespace with {house=s}]/[all pods]");
    assert_true(f.x.protected_dir[a * 2 + NPC_DIR_EGRESS]);
    assert_false(f.x.protected_dir[a * 2 + NPC_DIR_INGRESS]);
    assert_item(&f, a, NPC_DIR_EGRESS, -1, "All Connections");
    assert_item(&f, a, NPC_DIR_EGRESS, 0, "No Connections");
    done(&f);
}

static void test_report_text_and_named_ports(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
             "metadata: {name: p, namespace: x}\n"
             "spec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Egress]\n"
             "  egress:\n  - to: [{namespaceSelector: {}}]\n"
             "    ports: [{port: http}, {port: dns, protocol: UDP}]\n");
    npc_connlist l;
    assert_int_equal(npc_connlist_compute(f.c, &l), NPC_OK);
    npc_report_opts o;
    memset(&o, 0, sizeof o);
    o.focus_workloads = "x/a";
    npc_report r;
    npc_report_build(f.c, &l, &o, &r);
    npc_expo_report e;
    npc_expo_report_build(f.c, &f.x, &r, &o, &e);
    npc_buf b = NPC_BUF_INIT;
    npc_expo_write(NPC_REPORT_TXT, &r, &e, &b);
    assert_non_null(strstr(b.data, "Exposure Analysis Result:\nEgress Exposure:\n"
                                   "x/a[Pod] \t=> \tentire-cluster : TCP http,UDP dns\n"));
    assert_non_null(strstr(b.data,
                           "x/a[Pod] \t<= \t0.0.0.0-255.255.255.255[External] : All "
                           "Connections\nx/a[Pod] \t<= \tentire-cluster : All Connections\n"));
    assert_non_null(strstr(b.data, "Workloads not protected by network policies:\n"
                                   "x/a[Pod] is not protected on Ingress\n"));
    assert_null(strstr(b.data, "x/b[Pod] is not"));
    npc_buf_free(&b);
    npc_expo_write(NPC_REPORT_JSON, &r, &e, &b);
    assert_non_null(strstr(b.data,
                           "\"egress_exposure\": [\n      {\n        \"src\": \"x/a[Pod]\",\n"
                           "        \"dst\": \"entire-cluster\","));
    npc_buf_free(&b);
    npc_expo_report_free(&e);
    npc_report_free(&r);
    npc_connlist_free(&l);
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_policies),
        cmocka_unit_test(test_namespace_selector_rep),
        cmocka_unit_test(test_rep_dropped_when_a_workload_matches),
        cmocka_unit_test(test_values_as_written),
        cmocka_unit_test(test_pod_selector_only_and_equivalent_rules),
        cmocka_unit_test(test_admin_deny_before_allow_all),
        cmocka_unit_test(test_report_text_and_named_ports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
