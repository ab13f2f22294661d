/* Workload loading (naming and merging as netpol-analyzer does) and the
 * connlist report formats over a hand-made connection list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eval/eval.h"
#include "model/ir.h"
#include "report/report.h"
#include "text/tree.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
    int failed;
} fixture;

static int load_doc(npc_ctx *ctx, npc_tree *t, void *user)
{
    fixture *f = user;
    (void)ctx;
    const npc_node *kind = npc_map_get(t->root, "kind");
    if (kind && kind->kind == NPC_NODE_SCALAR &&
        !npc_load_workload(f->c, t->root, kind->u.scalar.s))
        f->failed++;
    npc_tree_free(t);
    return 0;
}

static void load(fixture *f, const char *yaml)
{
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    f->failed = 0;
    assert_int_equal(npc_yaml_read_buffer(f->ctx, "test.yaml", yaml, strlen(yaml), load_doc, f),
                     NPC_OK);
}

static void unload(fixture *f)
{
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

static const char *str(fixture *f, npc_sym s)
{
    return npc_sym_str(f->ctx->strings, s);
}

static const npc_workload *find(fixture *f, const char *ns, const char *name, const char *kind)
{
    for (size_t i = 0; i < f->c->workloads.len; i++) {
        const npc_workload *w = &f->c->workloads.items[i];
        if (!strcmp(str(f, f->c->namespaces.items[w->ns].name), ns) &&
            !strcmp(str(f, w->name), name) && !strcmp(str(f, w->kind), kind))
            return w;
    }
    return NULL;
}

static const char pods_yaml[] =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ad-77d5-t8mx4\n  namespace: shop\n"
    "  labels: {app: ad}\n  ownerReferences:\n  - {kind: ReplicaSet, name: ad-77d5, controller: "
    "true}\n"
    "spec:\n  containers:\n  - ports:\n    - {containerPort: 9555, name: grpc}\n"
    "  initContainers:\n  - ports: [{containerPort: 1111}]\n"
    "status:\n  podIP: 10.0.0.1\n  podIPs: [{ip: 10.0.0.1}]\n"
    "---\n"
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ad-77d5-zzzzz\n  namespace: shop\n"
    "  labels: {app: ad}\n  ownerReferences:\n  - {kind: ReplicaSet, name: ad-77d5, controller: "
    "true}\n"
    "spec:\n  containers:\n  - ports:\n    - {containerPort: 53, protocol: UDP}\n"
    "status:\n  podIP: 10.0.0.2\n"
    "---\n"
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: lonely\n  labels: {app: lonely}\n"
    "  ownerReferences:\n  - {kind: ReplicaSet, name: not-controller}\n"
    "spec: {containers: [{}]}\n"
    "---\n"
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd-node1\n  namespace: kube-system\n"
    "  ownerReferences:\n  - {kind: Node, name: node1, controller: true}\n"
    "---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
    "spec:\n  replicas: 3\n  template:\n    metadata:\n      labels: {app: web, tier: front}\n"
    "    spec:\n      hostNetwork: true\n      containers:\n      - ports: [{containerPort: 8080, "
    "name: http}]\n"
    "---\n" /* the same pod again: counted once */
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ad-77d5-zzzzz\n  namespace: shop\n"
    "  labels: {app: ad}\n  ownerReferences:\n  - {kind: ReplicaSet, name: ad-77d5, controller: "
    "true}\n"
    "---\n"
    "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: gen-\n  namespace: shop\n"
    "---\n"
    "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\n"
    "spec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {job: "
    "nightly}\n"
    "        spec:\n          containers: [{ports: [{containerPort: 7000, protocol: SCTP}]}]\n";

static void test_workload_naming_and_merging(void **state)
{
    (void)state;
    fixture f;
    load(&f, pods_yaml);
    assert_int_equal(f.failed, 0);
    assert_int_equal(f.c->workloads.len, 6);
    assert_non_null(find(&f, "shop", "gen-", "Pod"));
    size_t dups = 0;
    for (size_t i = 0; i < npc_diag_count(f.ctx); i++)
        dups += strcmp(npc_diag_get(f.ctx, i)->code, "NPC217") == 0;
    assert_int_equal(dups, 1);

    const npc_workload *ad = find(&f, "shop", "ad-77d5", "ReplicaSet");
    assert_non_null(ad);
    assert_int_equal(ad->replicas, 2);
    assert_int_equal(ad->nports, 2); /* united; initContainers do not count */
    assert_int_equal(ad->ports[0].port, 9555);
    assert_string_equal(str(&f, ad->ports[0].name), "grpc");
    assert_int_equal(ad->ports[0].proto, NPC_PROTO_TCP);
    assert_int_equal(ad->ports[1].port, 53);
    assert_int_equal(ad->ports[1].proto, NPC_PROTO_UDP);
    assert_int_equal(ad->nips, 2);

    /* no controlling owner: the pod itself, in "default" */
    assert_non_null(find(&f, "default", "lonely", "Pod"));
    /* a Node owner (static pod) does not name a workload */
    assert_non_null(find(&f, "kube-system", "etcd-node1", "Pod"));

    const npc_workload *web = find(&f, "shop", "web", "Deployment");
    assert_non_null(web);
    assert_int_equal(web->replicas, 3);
    assert_int_equal(web->host_network, 1);
    assert_int_equal(web->labels.len, 2);
    assert_int_equal(web->nports, 1);

    const npc_workload *cj = find(&f, "shop", "nightly", "CronJob");
    assert_non_null(cj);
    assert_int_equal(cj->nports, 1);
    assert_int_equal(cj->ports[0].proto, NPC_PROTO_SCTP);
    assert_int_equal(cj->labels.len, 1);
    unload(&f);
}

static void test_workload_errors(void **state)
{
    (void)state;
    fixture f;
    load(&f, "kind: Pod\nmetadata: {namespace: x}\n---\n"
             "kind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
             "      containers: [{ports: [{containerPort: 70000}]}]\n---\n"
             "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{ports: [{containerPort: 80, "
             "protocol: ICMP}]}]}\n");
    assert_int_equal(f.failed, 3);
    assert_int_equal(f.c->workloads.len, 0);
    const char *codes[] = {"NPC202", "NPC207", "NPC208"};
    uint32_t lines[] = {2, 9, 13};
    size_t ne = 0;
    for (size_t i = 0; i < npc_diag_count(f.ctx); i++) {
        const npc_diag *d = npc_diag_get(f.ctx, i);
        if (d->severity != NPC_SEV_ERROR)
            continue;
        assert_true(ne < 3);
        assert_string_equal(d->code, codes[ne]);
        assert_int_equal(d->loc[0].line, lines[ne]);
        ne++;
    }
    assert_int_equal(ne, 3);
    unload(&f);
}

/* ------------------------------------------------------------ reports */

static void add_conn(npc_connlist *l, int src, int dst, const char *ext, npc_proto p, uint16_t lo,
                     uint16_t hi, int all)
{
    npc_conn k;
    memset(&k, 0, sizeof k);
    if (src >= 0) {
        k.src.kind = NPC_EP_WORKLOAD;
        k.src.workload = (uint32_t)src;
    }
    if (dst >= 0) {
        k.dst.kind = NPC_EP_WORKLOAD;
        k.dst.workload = (uint32_t)dst;
    }
    if (ext) {
        npc_iprange r;
        int prefix, v6, canon;
        assert_true(npc_cidr_parse(ext, &r, &prefix, &v6, &canon));
        if (src < 0) {
            k.src.kind = NPC_EP_EXTERNAL;
            k.src.range = r;
        } else {
            k.dst.kind = NPC_EP_EXTERNAL;
            k.dst.range = r;
        }
    }
    if (all)
        npc_portset_set_all(&k.conns);
    else
        npc_portset_add(&k.conns, p, lo, hi);
    npc_vec_push(&l->items, k);
}

static const char apps_yaml[] =
    "kind: Deployment\nmetadata: {name: frontend, namespace: default}\n---\n"
    "kind: Deployment\nmetadata: {name: backend, namespace: default}\n---\n"
    "kind: StatefulSet\nmetadata: {name: db, namespace: data-ns}\n---\n"
    "kind: Pod\nmetadata: {name: idle, namespace: default}\n";

static void build_list(npc_connlist *l)
{
    memset(l, 0, sizeof *l);
    /* in no particular order, as the evaluator hands them out */
    add_conn(l, 0, 1, NULL, NPC_PROTO_TCP, 9090, 9090, 0);
    add_conn(l, 1, 2, NULL, NPC_PROTO_TCP, 5432, 5432, 0);
    add_conn(l, 0, -1, "0.0.0.0/0", NPC_PROTO_UDP, 53, 53, 0);
    add_conn(l, -1, 0, "0.0.0.0/0", NPC_PROTO_TCP, 8080, 8080, 0);
    add_conn(l, 0, 2, NULL, 0, 0, 0, 1);
    add_conn(l, 2, 2, NULL, 0, 0, 0, 1); /* self pair: never listed */
    npc_portset_add(&l->items.items[1].conns, NPC_PROTO_UDP, 10053, 10054);
}

static char *render(fixture *f, const npc_connlist *l, const npc_report_opts *o,
                    npc_report_format fmt)
{
    npc_report r;
    npc_buf b = NPC_BUF_INIT;
    npc_report_build(f->c, l, o, &r);
    npc_report_writer_of(fmt)(&r, &b);
    npc_report_free(&r);
    return b.data ? npc_buf_take(&b) : npc_xstrdup("");
}

static void check(fixture *f, const npc_connlist *l, const npc_report_opts *o,
                  npc_report_format fmt, const char *want)
{
    char *got = render(f, l, o, fmt);
    assert_string_equal(got, want);
    free(got);
}

static void test_formats(void **state)
{
    (void)state;
    fixture f;
    npc_connlist l;
    load(&f, apps_yaml);
    assert_int_equal(f.failed, 0);
    build_list(&l);

    check(&f, &l, NULL, NPC_REPORT_TXT,
          "0.0.0.0-255.255.255.255[External] => default/frontend[Deployment] : TCP 8080\n"
          "default/backend[Deployment] => data-ns/db[StatefulSet] : TCP 5432,UDP 10053-10054\n"
          "default/frontend[Deployment] => 0.0.0.0-255.255.255.255[External] : UDP 53\n"
          "default/frontend[Deployment] => data-ns/db[StatefulSet] : All Connections\n"
          "default/frontend[Deployment] => default/backend[Deployment] : TCP 9090\n");
    check(&f, &l, NULL, NPC_REPORT_CSV,
          "src,dst,conn\n"
          "0.0.0.0-255.255.255.255[External],default/frontend[Deployment],TCP 8080\n"
          "default/backend[Deployment],data-ns/db[StatefulSet],\"TCP 5432,UDP 10053-10054\"\n"
          "default/frontend[Deployment],0.0.0.0-255.255.255.255[External],UDP 53\n"
          "default/frontend[Deployment],data-ns/db[StatefulSet],All Connections\n"
          "default/frontend[Deployment],default/backend[Deployment],TCP 9090\n");
    check(&f, &l, NULL, NPC_REPORT_MD,
          "| src | dst | conn |\n|-----|-----|------|\n"
          "| 0.0.0.0-255.255.255.255[External] | default/frontend[Deployment] | TCP 8080 |\n"
          "| default/backend[Deployment] | data-ns/db[StatefulSet] | TCP 5432,UDP 10053-10054 |\n"
          "| default/frontend[Deployment] | 0.0.0.0-255.255.255.255[External] | UDP 53 |\n"
          "| default/frontend[Deployment] | data-ns/db[StatefulSet] | All Connections |\n"
          "| default/frontend[Deployment] | default/backend[Deployment] | TCP 9090 |\n");

    npc_report_opts o;
    memset(&o, 0, sizeof o);
    o.focus_workloads = "default/backend";
    check(&f, &l, &o, NPC_REPORT_JSON,
          "[\n"
          "  {\n    \"src\": \"default/backend[Deployment]\",\n"
          "    \"dst\": \"data-ns/db[StatefulSet]\",\n"
          "    \"conn\": \"TCP 5432,UDP 10053-10054\"\n  },\n"
          "  {\n    \"src\": \"default/frontend[Deployment]\",\n"
          "    \"dst\": \"default/backend[Deployment]\",\n"
          "    \"conn\": \"TCP 9090\"\n  }\n"
          "]\n");
    o.focus_dir = 2; /* egress of backend only */
    check(&f, &l, &o, NPC_REPORT_TXT,
          "default/backend[Deployment] => data-ns/db[StatefulSet] : TCP 5432,UDP 10053-10054\n");
    o.focus_dir = 0;
    o.focus_workloads = "db,nothing";
    o.focus_peers = "frontend";
    check(&f, &l, &o, NPC_REPORT_TXT,
          "default/frontend[Deployment] => data-ns/db[StatefulSet] : All Connections\n");
    /* a focus name that matches nothing: a warning and an empty report */
    size_t warned = 0;
    for (size_t i = 0; i < npc_diag_count(f.ctx); i++)
        warned += strcmp(npc_diag_get(f.ctx, i)->code, "NPC220") == 0;
    assert_int_equal(warned, 1);
    o.focus_workloads = "missing";
    o.focus_peers = NULL;
    check(&f, &l, &o, NPC_REPORT_TXT, "");
    check(&f, &l, &o, NPC_REPORT_JSON, "[]\n");

    memset(&o, 0, sizeof o);
    assert_true(npc_report_parse_focus_conn("udp-53", &o.conn_proto, &o.conn_port));
    assert_false(npc_report_parse_focus_conn("icmp-1", &o.conn_proto, &o.conn_port));
    assert_false(npc_report_parse_focus_conn("tcp-0", &o.conn_proto, &o.conn_port));
    o.has_focus_conn = 1;
    check(&f, &l, &o, NPC_REPORT_TXT,
          "Permitted connections on UDP 53:\n"
          "default/frontend[Deployment] => 0.0.0.0-255.255.255.255[External]\n"
          "default/frontend[Deployment] => data-ns/db[StatefulSet]\n");
    check(&f, &l, &o, NPC_REPORT_CSV,
          "src,dst\n"
          "default/frontend[Deployment],0.0.0.0-255.255.255.255[External]\n"
          "default/frontend[Deployment],data-ns/db[StatefulSet]\n");

    npc_connlist_free(&l);
    unload(&f);
}

static void test_dot(void **state)
{
    (void)state;
    fixture f;
    npc_connlist l;
    load(&f, apps_yaml);
    build_list(&l);
    check(&f, &l, NULL, NPC_REPORT_DOT,
          "digraph {\n"
          "\tsubgraph \"cluster_data_ns[namespace]\" {\n"
          "\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n"
          "\t\t\"data-ns/db[StatefulSet]\" [label=\"db[StatefulSet]\" color=\"blue\" "
          "fontcolor=\"blue\"]\n"
          "\t\tlabel=\"data-ns[namespace]\"\n\t}\n"
          "\tsubgraph \"cluster_default[namespace]\" {\n"
          "\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n"
          "\t\t\"default/backend[Deployment]\" [label=\"backend[Deployment]\" color=\"blue\" "
          "fontcolor=\"blue\"]\n"
          "\t\t\"default/frontend[Deployment]\" [label=\"frontend[Deployment]\" color=\"blue\" "
          "fontcolor=\"blue\"]\n"
          "\t\t\"default/idle[Pod]\" [label=\"idle[Pod]\" color=\"blue\" fontcolor=\"blue\"]\n"
          "\t\tlabel=\"default[namespace]\"\n\t}\n"
          "\t\"0.0.0.0-255.255.255.255[External]\" [label=\"0.0.0.0-255.255.255.255[External]\" "
          "color=\"red2\" fontcolor=\"red2\"]\n"
          "\t\"0.0.0.0-255.255.255.255[External]\" -> \"default/frontend[Deployment]\" "
          "[label=\"TCP 8080\" color=\"gold2\" fontcolor=\"darkgreen\" weight=0.5]\n"
          "\t\"default/backend[Deployment]\" -> \"data-ns/db[StatefulSet]\" "
          "[label=\"TCP 5432,UDP 10053-10054\" color=\"gold2\" fontcolor=\"darkgreen\" "
          "weight=1]\n"
          "\t\"default/frontend[Deployment]\" -> \"0.0.0.0-255.255.255.255[External]\" "
          "[label=\"UDP 53\" color=\"gold2\" fontcolor=\"darkgreen\" weight=1]\n"
          "\t\"default/frontend[Deployment]\" -> \"data-ns/db[StatefulSet]\" "
          "[label=\"All Connections\" color=\"gold2\" fontcolor=\"darkgreen\" weight=1]\n"
          "\t\"default/frontend[Deployment]\" -> \"default/backend[Deployment]\" "
          "[label=\"TCP 9090\" color=\"gold2\" fontcolor=\"darkgreen\" weight=1]\n"
          "}\n");
    npc_connlist_free(&l);
    unload(&f);
}

static void test_quoting(void **state)
{
    (void)state;
    npc_buf b = NPC_BUF_INIT;
    npc_report_json_string(&b, "a<b>&\"\\\n\x01");
    assert_string_equal(b.data, "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001\"");
    npc_buf_reset(&b);
    npc_report_go_quote(&b, "x\"y\\\t");
    assert_string_equal(b.data, "\"x\\\"y\\\\\\t\"");
    npc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workload_naming_and_merging),
        cmocka_unit_test(test_workload_errors),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_dot),
        cmocka_unit_test(test_quoting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
