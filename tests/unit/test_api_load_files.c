/* Loading folders through the public API (netpolc.h only): files that are
 * not regular (a FIFO named *.yaml must not block), folders and files
 * reached twice through symlinks (a "diamond" chain is scanned once per
 * folder, not once per path), an empty folder (nothing to analyse), and
 * the strict mode for policy kinds that are not evaluated. */
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

static void path_of(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", root, rel);
}

static void make_dir(const char *rel)
{
    char path[256];
    path_of(path, sizeof path, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static void make_link(const char *target, const char *rel)
{
    char path[256];
    path_of(path, sizeof path, rel);
    assert_int_equal(symlink(target, path), 0);
}

static const char pod_a[] = "apiVersion: v1\nkind: Pod\n"
                            "metadata: {name: a, namespace: x, labels: {app: a}}\n";
static const char pod_b[] = "apiVersion: v1\nkind: Pod\n"
                            "metadata: {name: b, namespace: x, labels: {app: b}}\n";

#define CHAIN 24 /* 2^24 paths through the diamonds: only linear work ends */

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/netpolc-files-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    make_dir("fifo");
    write_file("fifo/pods.yaml", pod_a);
    write_file("fifo/more.yaml", pod_b);
    char p[256];
    path_of(p, sizeof p, "fifo/pipe.yaml");
    if (mkfifo(p, 0600) != 0)
        return -1;
    /* diamonds: d<i>/left and d<i>/right both lead to d<i+1> */
    make_dir("chain");
    for (int i = 0; i <= CHAIN; i++) {
        char rel[64], target[64];
        snprintf(rel, sizeof rel, "chain/d%d", i);
        make_dir(rel);
        if (i == CHAIN) {
            snprintf(rel, sizeof rel, "chain/d%d/pods.yaml", i);
            write_file(rel, pod_a);
            snprintf(rel, sizeof rel, "chain/d%d/pods-b.yaml", i);
            write_file(rel, pod_b);
            continue;
        }
        snprintf(target, sizeof target, "../d%d", i + 1);
        snprintf(rel, sizeof rel, "chain/d%d/left", i);
        make_link(target, rel);
        snprintf(rel, sizeof rel, "chain/d%d/right", i);
        make_link(target, rel);
    }
    /* the same file under two names */
    make_dir("twice");
    write_file("twice/pods.yaml", pod_a);
    make_link("pods.yaml", "twice/same-pods.yaml");
    make_dir("empty");
    make_dir("vendor");
    write_file("vendor/objects.yaml",
               "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n---\n"
               "apiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\n"
               "metadata: {name: deny}\nspec: {priority: 1}\n");
    return 0;
}

static size_t count_lines(const npc_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

/* Loads folder rel and returns its connection list's line count. */
static size_t load_and_list(npc_ctx *ctx, const char *rel, npc_status want_load)
{
    char p[256];
    path_of(p, sizeof p, rel);
    npc_cluster *c = npc_cluster_new(ctx);
    const char *paths[] = {p};
    assert_int_equal(npc_cluster_load(c, paths, 1), want_load);
    npc_buf out = NPC_BUF_INIT;
    size_t lines = 0;
    if (want_load == NPC_OK) {
        assert_int_equal(npc_cluster_connlist(c, NULL, &out), NPC_OK);
        lines = count_lines(&out);
    }
    npc_buf_free(&out);
    npc_cluster_free(c);
    return lines;
}

static void test_fifo_is_skipped(void **state)
{
    (void)state;
    alarm(30); /* a FIFO opened for reading would block here forever */
    npc_ctx *ctx = npc_ctx_new();
    /* a <-> b, each with the whole address space: 2 + 4 lines */
    assert_int_equal(load_and_list(ctx, "fifo", NPC_OK), 6);
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC002"), 1);
    assert_int_equal(npc_error_count(ctx), 0);
    npc_ctx_free(ctx);
    alarm(0);
}

static void test_symlink_diamonds_scanned_once(void **state)
{
    (void)state;
    alarm(30);
    npc_ctx *ctx = npc_ctx_new();
    assert_int_equal(load_and_list(ctx, "chain/d0", NPC_OK), 6);
    /* every folder after the first is reached a second time, once */
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC002"), CHAIN);
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC217"), 0);
    npc_ctx_free(ctx);
    alarm(0);
}

static void test_same_file_read_once(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    /* one pod: nothing but its connections with the outside */
    assert_int_equal(load_and_list(ctx, "twice", NPC_OK), 2);
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC002"), 1);
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC217"), 0);
    npc_ctx_free(ctx);
}

static void test_empty_folder_has_nothing_to_analyse(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    char p[256];
    path_of(p, sizeof p, "empty");
    npc_cluster *c = npc_cluster_new(ctx);
    const char *paths[] = {p};
    assert_int_equal(npc_cluster_load(c, paths, 1), NPC_ERR_INPUT);
    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_cluster_connlist(c, NULL, &out), NPC_ERR_INPUT);
    assert_int_equal(out.len, 0);
    /* reported once, however many entry points ask */
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC227"), 1);
    npc_buf_free(&out);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

static void test_strict_refuses_unevaluated_kinds(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    assert_int_equal(load_and_list(ctx, "vendor", NPC_OK), 2);
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC226"), 1);
    npc_ctx_free(ctx);

    ctx = npc_ctx_new();
    npc_ctx_set_strict(ctx, 1);
    load_and_list(ctx, "vendor", NPC_ERR_INPUT);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC226"), 1);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_is_skipped),
        cmocka_unit_test(test_symlink_diamonds_scanned_once),
        cmocka_unit_test(test_same_file_read_once),
        cmocka_unit_test(test_empty_folder_has_nothing_to_analyse),
        cmocka_unit_test(test_strict_refuses_unevaluated_kinds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
