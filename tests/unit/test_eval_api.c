/* The public cluster-analysis API (netpolc.h): loading files and folders
 * (recursion, sorted order, extensions, hidden files, unparsable files in a
 * folder, List kinds), connection lists and single flows. */
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

static int setup(void **state)
{
    (void)state;
    strcpy(root, "/tmp/netpolc-api-XXXXXX");
    if (!mkdtemp(root))
        return -1;
    char p[128];
    snprintf(p, sizeof p, "%s/sub", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/deeper", root);
    mkdir(p, 0700);
    write_file("a-namespaces.json",
               "{\"apiVersion\": \"v1\", \"kind\": \"NamespaceList\", \"items\": ["
               "{\"metadata\": {\"name\": \"x\", \"labels\": {\"team\": \"a\"}}},"
               "{\"metadata\": {\"name\": \"y\"}}]}\n");
    write_file("sub/pods.yml", "apiVersion: v1\nkind: PodList\nitems:\n"
                               "- metadata: {name: a, namespace: x, labels: {app: a}}\n"
                               "- metadata: {name: b, namespace: y, labels: {app: b}}\n");
    write_file("sub/deeper/policy.yaml",
               "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
               "metadata: {name: only-team-a, namespace: y}\n"
               "spec:\n  podSelector: {}\n"
               "  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}], "
               "ports: [{port: 443}]}]\n"
               "---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: y}\n");
    write_file("sub/notes.txt", "not a manifest: ignored\n");
    snprintf(p, sizeof p, "%s/sub/deeper/loop", root);
    if (symlink(root, p) != 0) /* a link back up: scanned once, with a warning */
        return -1;
    write_file(".hidden.yaml", "this: [is not: valid\n");
    write_file("sub/template.yaml",
               "kind: Pod\nmetadata:\n  name: \"{{ printf \"%s\" .Name }}\"\n");
    return 0;
}

static void test_load_folder_connlist_eval(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = npc_cluster_new(ctx);
    const char *paths[] = {root};
    assert_int_equal(npc_cluster_load(c, paths, 1), NPC_OK);
    assert_int_equal(npc_error_count(ctx), 0);
    /* the template is not YAML: a warning; the Service: a note */
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC001"), 1);
    assert_int_equal(count_severity(ctx, NPC_SEV_NOTE, "NPC210"), 1);
    assert_int_equal(count_severity(ctx, NPC_SEV_WARNING, "NPC002"), 1);
    /* two workloads, and the policy restricting b's ingress from a: the
     * connection list below */

    npc_buf out = NPC_BUF_INIT;
    assert_int_equal(npc_cluster_connlist(c, NULL, &out), NPC_OK);
    assert_string_equal(out.data,
                        "0.0.0.0-255.255.255.255[External] => x/a[Pod] : All Connections\n"
                        "x/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
                        "x/a[Pod] => y/b[Pod] : TCP 443\n"
                        "y/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
                        "y/b[Pod] => x/a[Pod] : All Connections\n");
    npc_buf_free(&out);
    npc_connlist_opts xml = NPC_CONNLIST_OPTS_INIT;
    xml.format = "xml";
    assert_int_equal(npc_cluster_connlist(c, &xml, &out), NPC_ERR_INPUT);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC222"), 1);

    int allowed = -1;
    npc_buf why = NPC_BUF_INIT, chain = NPC_BUF_INIT;
    assert_int_equal(npc_cluster_eval(c, "x/a", "y/b", "TCP", 443, &allowed, &why, &chain), NPC_OK);
    assert_true(allowed);
    assert_int_equal(npc_cluster_eval(c, "x/a", "y/b", "udp", 443, &allowed, &why, NULL), NPC_OK);
    assert_false(allowed);
    assert_non_null(strstr(chain.data, "only-team-a ingress rule 0 at "));
    assert_non_null(strstr(chain.data, "deeper/policy.yaml:6:13: Allow"));
    npc_buf_free(&why);
    npc_buf_free(&chain);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

static void test_explicit_bad_file_is_an_error(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = npc_cluster_new(ctx);
    char p[128];
    snprintf(p, sizeof p, "%s/sub/template.yaml", root);
    const char *paths[] = {p};
    assert_int_equal(npc_cluster_load(c, paths, 1), NPC_ERR_INPUT);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC001"), 1);
    npc_cluster_free(c);
    npc_ctx_free(ctx);

    ctx = npc_ctx_new();
    c = npc_cluster_new(ctx);
    snprintf(p, sizeof p, "%s/missing.yaml", root);
    assert_int_not_equal(npc_cluster_load(c, paths, 1), NPC_OK);
    assert_int_equal(count_severity(ctx, NPC_SEV_ERROR, "NPC002"), 1);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_folder_connlist_eval),
        cmocka_unit_test(test_explicit_bad_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
