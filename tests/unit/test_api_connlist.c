/* The public API as any caller sees it (this file includes only netpolc.h
 * and is built without src/ on its include path): connection-list options
 * (checks, focus, explanation, exposure), the label-gap check of every
 * analysis entry point, writing output files, and the diagnostics filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netpolc.h"

#include "api_fixture.h"

static char *read_back(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    return text;
}

/* x/a may reach y/b on TCP 443 only (y is isolated for ingress); the
 * ReplicaSet's pods in gap.yaml differ in `tier`, which gap-policy.yaml
 * selects on. */
static int setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/netpolc-api-cl-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    write_file("cluster.yaml",
               "apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {team: a}}\n---\n"
               "apiVersion: v1\nkind: Namespace\nmetadata: {name: y}\n---\n"
               "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n"
               "---\n"
               "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: b}}\n"
               "---\n"
               "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
               "metadata: {name: only-team-a, namespace: y}\n"
               "spec:\n  podSelector: {}\n"
               "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}], "
               "ports: [{port: 443}]}]\n");
    write_file("gap.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: w-1, namespace: x, "
                           "labels: {app: w, tier: blue}, ownerReferences: [{apiVersion: apps/v1, "
                           "kind: ReplicaSet, name: w-5d, controller: true}]}\n---\n"
                           "apiVersion: v1\nkind: Pod\nmetadata: {name: w-2, namespace: x, "
                           "labels: {app: w, tier: green}, ownerReferences: [{apiVersion: apps/v1, "
                           "kind: ReplicaSet, name: w-5d, controller: true}]}\n");
    write_file("gap-policy.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                                  "metadata: {name: blue-only, namespace: y}\n"
                                  "spec:\n  podSelector: {}\n"
                                  "  ingress: [{from: [{namespaceSelector: {}, podSelector: "
                                  "{matchLabels: {tier: blue}}}]}]\n");
    return 0;
}

static npc_cluster *load(npc_ctx *ctx, const char *rel)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    const char *paths[] = {p};
    npc_cluster *c = npc_cluster_new(ctx);
    assert_int_equal(npc_cluster_load(c, paths, 1), NPC_OK);
    return c;
}

static void test_opts_check(void **state)
{
    (void)state;
    static const struct {
        npc_connlist_opts o;
        const char *code;
    } bad[] = {
        {{"xml", NULL, NULL, NPC_FOCUS_BOTH, NULL, 0, NPC_EXPLAIN_BOTH, 0}, "NPC222"},
        {{NULL, NULL, NULL, NPC_FOCUS_BOTH, "tcp", 0, NPC_EXPLAIN_BOTH, 0}, "NPC222"},
        {{NULL, NULL, NULL, NPC_FOCUS_BOTH, "icmp-80", 0, NPC_EXPLAIN_BOTH, 0}, "NPC222"},
        {{NULL, "a", NULL, (npc_focus_dir)7, NULL, 0, NPC_EXPLAIN_BOTH, 0}, "NPC222"},
        {{NULL, NULL, NULL, NPC_FOCUS_BOTH, NULL, 1, (npc_explain_only)9, 0}, "NPC222"},
        {{"json", NULL, NULL, NPC_FOCUS_BOTH, NULL, 1, NPC_EXPLAIN_BOTH, 0}, "NPC224"},
        {{NULL, NULL, NULL, NPC_FOCUS_BOTH, NULL, 0, NPC_EXPLAIN_DENY, 0}, "NPC224"},
        {{NULL, NULL, NULL, NPC_FOCUS_EGRESS, NULL, 0, NPC_EXPLAIN_BOTH, 0}, "NPC224"},
        {{NULL, "", "x/a", NPC_FOCUS_BOTH, NULL, 0, NPC_EXPLAIN_BOTH, 0}, "NPC224"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        npc_ctx *ctx = npc_ctx_new();
        assert_int_equal(npc_connlist_opts_check(ctx, &bad[i].o), NPC_ERR_INPUT);
        assert_int_equal(npc_diag_count(ctx), 1);
        assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, bad[i].code), 1);
        npc_ctx_free(ctx);
        /* the same refusal from the entry point itself, writing nothing */
        ctx = npc_ctx_new();
        npc_cluster *c = load(ctx, "cluster.yaml");
        npc_buf out = NPC_BUF_INIT;
        assert_int_equal(npc_cluster_connlist(c, &bad[i].o, &out), NPC_ERR_INPUT);
        assert_int_equal(out.len, 0);
        assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, bad[i].code), 1);
        npc_cluster_free(c);
        npc_ctx_free(ctx);
    }
    npc_ctx *ctx = npc_ctx_new();
    npc_connlist_opts good = {"dot", "x/a", "b", NPC_FOCUS_INGRESS, "UDP-53", 0, 0, 1};
    assert_int_equal(npc_connlist_opts_check(ctx, &good), NPC_OK);
    assert_int_equal(npc_diag_count(ctx), 0);
    npc_ctx_free(ctx);
}

static const char full_list[] = "0.0.0.0-255.255.255.255[External] => x/a[Pod] : All Connections\n"
                                "x/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
                                "x/a[Pod] => y/b[Pod] : TCP 443\n"
                                "y/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
                                "y/b[Pod] => x/a[Pod] : All Connections\n";

static void expect_list(npc_cluster *c, const npc_connlist_opts *o, const char *want)
{
    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_cluster_connlist(c, o, &out), NPC_OK);
    assert_string_equal(out.data ? out.data : "", want);
    npc_buf_free(&out);
}

static void test_focus(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = load(ctx, "cluster.yaml");
    expect_list(c, NULL, full_list);
    npc_connlist_opts o = NPC_CONNLIST_OPTS_INIT;
    o.focus_workloads = "b";
    expect_list(c, &o,
                "x/a[Pod] => y/b[Pod] : TCP 443\n"
                "y/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
                "y/b[Pod] => x/a[Pod] : All Connections\n");
    o.focus_dir = NPC_FOCUS_INGRESS;
    expect_list(c, &o, "x/a[Pod] => y/b[Pod] : TCP 443\n");
    o.focus_dir = NPC_FOCUS_EGRESS;
    o.focus_peers = "x/a";
    expect_list(c, &o, "y/b[Pod] => x/a[Pod] : All Connections\n");
    npc_connlist_opts conn = NPC_CONNLIST_OPTS_INIT;
    conn.focus_conn = "tcp-443";
    conn.format = "csv";
    expect_list(c, &conn,
                "src,dst\n"
                "0.0.0.0-255.255.255.255[External],x/a[Pod]\n"
                "x/a[Pod],0.0.0.0-255.255.255.255[External]\n"
                "x/a[Pod],y/b[Pod]\n"
                "y/b[Pod],0.0.0.0-255.255.255.255[External]\n"
                "y/b[Pod],x/a[Pod]\n");
    assert_int_equal(npc_error_count(ctx), 0);
    /* a focus workload that names nothing: a warning and an empty report,
     * with or without the exposure section */
    npc_connlist_opts none = NPC_CONNLIST_OPTS_INIT;
    none.focus_workloads = "nosuch";
    none.exposure = 1;
    expect_list(c, &none, "");
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC220"), 1);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

static void test_explain_and_exposure(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = load(ctx, "cluster.yaml");
    npc_connlist_opts o = NPC_CONNLIST_OPTS_INIT;
    o.exposure = 1;
    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_cluster_connlist(c, &o, &out), NPC_OK);
    /* the list first, then the exposure section: y/b is open to team-a
     * namespaces on 443, x/a is protected by nothing */
    assert_memory_equal(out.data, full_list, sizeof full_list - 1);
    assert_non_null(strstr(out.data, "\nExposure Analysis Result:\n"));
    assert_non_null(strstr(out.data, "y/b[Pod] \t<= \t[namespace with {team=a}]/[all pods] : "
                                     "TCP 443\n"));
    assert_non_null(strstr(out.data, "x/a[Pod] is not protected on Ingress\n"));
    npc_buf_free(&out);

    o.explain = 1;
    o.explain_only = NPC_EXPLAIN_DENY;
    assert_int_equal(npc_cluster_connlist(c, &o, &out), NPC_OK);
    const char *explained = strstr(out.data, "Connections between x/a[Pod] => y/b[Pod]:");
    assert_non_null(explained);
    assert_non_null(strstr(explained, "Denied connections:"));
    const char *exposure = strstr(out.data, "\nExposure Analysis Result:\n");
    assert_non_null(exposure);
    assert_true(explained < exposure);
    assert_null(strstr(out.data, "Allowed connections:"));
    assert_int_equal(npc_error_count(ctx), 0);
    npc_buf_free(&out);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

/* Pods of one owner that a policy tells apart: every entry point refuses,
 * however the files were loaded, and says it once. */
static void test_label_gap_in_every_entry_point(void **state)
{
    (void)state;
    char a[128], b[128], p[128];
    snprintf(a, sizeof a, "%s/cluster.yaml", root);
    snprintf(b, sizeof b, "%s/gap.yaml", root);
    snprintf(p, sizeof p, "%s/gap-policy.yaml", root);
    const char *pods[] = {a, b}, *policy[] = {p};
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = npc_cluster_new(ctx);
    assert_int_equal(npc_cluster_load(c, pods, 2), NPC_OK); /* no policy reads tier yet */
    assert_int_equal(npc_cluster_load(c, policy, 1), NPC_ERR_INPUT);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC219"), 1);
    int allowed = -1;
    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_cluster_eval(c, "x/w-1", "y/b", "TCP", 80, &allowed, &out, NULL),
                     NPC_ERR_INPUT);
    assert_int_equal(npc_cluster_eval(c, "x/a", "y/b", "TCP", 443, &allowed, &out, NULL),
                     NPC_ERR_INPUT);
    assert_int_equal(npc_cluster_connlist(c, NULL, &out), NPC_ERR_INPUT);
    assert_int_equal(out.len, 0);
    assert_int_equal(allowed, 0);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC219"), 1);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

static void test_unknown_endpoint(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = load(ctx, "cluster.yaml");
    int allowed = -1;
    assert_int_equal(npc_cluster_eval(c, "x/a", "y/nope", "TCP", 443, &allowed, NULL, NULL),
                     NPC_ERR_INPUT);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC221"), 1);
    assert_int_equal(npc_cluster_eval(c, "x/a", "y/b", "TCP", 443, &allowed, NULL, NULL), NPC_OK);
    assert_int_equal(allowed, 1);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

static void test_write_file(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    char path[128], dir[128];
    snprintf(dir, sizeof dir, "%s/out", root);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/result.txt", dir);
    npc_buf b = NPC_BUF_INIT;
    npc_buf_puts(&b, "first\n");
    assert_int_equal(npc_write_file(ctx, path, &b), NPC_OK);
    assert_string_equal(read_back(path), "first\n");
    npc_buf_puts(&b, "second\n");
    assert_int_equal(npc_write_file(ctx, path, &b), NPC_OK);
    assert_string_equal(read_back(path), "first\nsecond\n");
    assert_int_equal(npc_diag_count(ctx), 0);
    /* a replaced file keeps its mode; a link keeps naming its file */
    assert_int_equal(chmod(path, 0640), 0);
    char link[160];
    snprintf(link, sizeof link, "%s/link.txt", dir);
    assert_int_equal(symlink("result.txt", link), 0);
    npc_buf_puts(&b, "third\n");
    assert_int_equal(npc_write_file(ctx, link, &b), NPC_OK);
    assert_string_equal(read_back(path), "first\nsecond\nthird\n");
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(npc_diag_count(ctx), 0);
    /* nothing but the result is left in the folder */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s' | tr '\\n' ' ')\" = 'link.txt result.txt '",
             dir);
    assert_int_equal(system(cmd), 0);

    char missing[160];
    snprintf(missing, sizeof missing, "%s/no-such-folder/x.txt", root);
    assert_int_equal(npc_write_file(ctx, missing, &b), NPC_ERR_IO);
    assert_int_equal(npc_write_file(ctx, dir, &b), NPC_ERR_IO); /* a folder */
    assert_int_equal(npc_write_file(ctx, "/dev/full", &b), NPC_ERR_IO);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC010"), 3);
    assert_int_equal(stat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    const npc_diag *d = npc_diag_get(ctx, 2);
    assert_string_equal(d->message, "cannot write /dev/full: No space left on device");

    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    assert_int_equal(npc_write_stream(ctx, full, "standard output", &b), NPC_ERR_IO);
    fclose(full);
    d = npc_diag_get(ctx, 3);
    assert_string_equal(d->message, "cannot write standard output: No space left on device");
    npc_buf_free(&b);
    npc_ctx_free(ctx);
}

static void test_diags_filter(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = npc_cluster_new(ctx);
    char p[128];
    snprintf(p, sizeof p, "%s/skipped.yaml", root);
    write_file("skipped.yaml",
               "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: y}\n---\n"
               "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: y}\n");
    const char *paths[] = {p};
    assert_int_equal(npc_cluster_load(c, paths, 1), NPC_OK);
    assert_int_equal(count_severity(ctx, NPC_SEV_NOTE, "NPC210"), 1);
    npc_buf all = NPC_BUF_INIT, some = NPC_BUF_INIT;
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &all);
    npc_diags_format(ctx, NPC_SEV_WARNING, 0, &some);
    assert_non_null(strstr(all.data, "note[NPC210]"));
    assert_int_equal(some.len, 0);
    npc_buf_free(&all);
    npc_buf_free(&some);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opts_check),
        cmocka_unit_test(test_focus),
        cmocka_unit_test(test_explain_and_exposure),
        cmocka_unit_test(test_label_gap_in_every_entry_point),
        cmocka_unit_test(test_unknown_endpoint),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_diags_filter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
