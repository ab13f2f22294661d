/* Lowering of CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: the
 * IR of small snippets (namespace injection, entities, CIDRs, ports,
 * default deny, deny rules) and Cilium's matchPattern. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/ir.h"
#include "model/load.h"
#include "netpolc.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
    npc_status st;
} fixture;

/* Loads text and one pod (an input without workloads is refused). */
static void load(fixture *f, const char *text)
{
    static const char pod[] = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: s}\n";
    size_t n = strlen(text);
    char *all = malloc(n + sizeof pod);
    assert_non_null(all);
    memcpy(all, text, n);
    memcpy(all + n, pod, sizeof pod);
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    f->st = npc_cluster_load_text(f->c, "p.yaml", all, n + sizeof pod - 1);
    free(all);
}

static void done(fixture *f)
{
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

static const char *sym(const fixture *f, npc_sym s)
{
    return npc_sym_str(f->ctx->strings, s);
}

static int has_code(const fixture *f, const char *code)
{
    for (size_t i = 0; i < npc_diag_count(f->ctx); i++)
        if (strcmp(npc_diag_get(f->ctx, i)->code, code) == 0)
            return 1;
    return 0;
}

static void test_namespace_injection(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: cilium.io/v2\n"
             "kind: CiliumNetworkPolicy\n"
             "metadata: {name: p, namespace: shop}\n"
             "spec:\n"
             "  endpointSelector: {matchLabels: {'k8s:app': api}}\n"
             "  ingress:\n"
             "  - fromEndpoints:\n"
             "    - {}\n"
             "    - matchLabels: {k8s:io.kubernetes.pod.namespace: other, app: web}\n"
             "    - matchLabels: {reserved:host: ''}\n");
    assert_int_equal(f.st, NPC_OK);
    assert_int_equal(f.c->policies.len, 1);
    const npc_policy *p = &f.c->policies.items[0];
    assert_int_equal(p->kind, NPC_KIND_CILIUM);
    assert_int_equal(p->layer, NPC_LAYER_NAMESPACE);
    assert_string_equal(sym(&f, p->subj_pod_sel.exprs[0].key), "app"); /* k8s: dropped */
    assert_true(p->affects[NPC_DIR_INGRESS]);
    assert_false(p->affects[NPC_DIR_EGRESS]);
    assert_int_equal(p->nrules, 1);
    const npc_rule *r = &p->rules[0];
    assert_int_equal(r->npeers, 3);
    assert_int_equal(r->peers[0].ns_mode, NPC_NS_SAME); /* {} is the policy's namespace */
    assert_int_equal(r->peers[1].ns_mode, NPC_NS_SELECTOR);
    assert_int_equal(r->peers[2].kind, NPC_PEER_ENTITY);
    assert_int_equal(r->peers[2].entities, NPC_ENT_HOST);
    assert_true(f.c->identity_labels);
    done(&f);
}

static void test_clusterwide_and_entities(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: cilium.io/v2\n"
             "kind: CiliumClusterwideNetworkPolicy\n"
             "metadata: {name: p}\n"
             "specs:\n"
             "- endpointSelector: {}\n"
             "  egress:\n"
             "  - toEndpoints: [{}]\n"
             "  - toEntities: [world, kube-apiserver]\n"
             "- endpointSelector: {}\n"
             "  enableDefaultDeny: {egress: false}\n"
             "  egressDeny:\n"
             "  - toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]\n");
    assert_int_equal(f.st, NPC_OK);
    assert_int_equal(f.c->policies.len, 2);
    const npc_policy *a = &f.c->policies.items[0], *b = &f.c->policies.items[1];
    assert_int_equal(a->subj_ns_mode, NPC_NS_SELECTOR);
    assert_int_equal(a->rules[0].peers[0].ns_mode, NPC_NS_SELECTOR); /* every namespace */
    assert_int_equal(a->rules[1].peers[0].entities, NPC_ENT_WORLD | NPC_ENT_KUBE_APISERVER);
    assert_true(a->affects[NPC_DIR_EGRESS]);
    assert_false(b->affects[NPC_DIR_EGRESS]); /* enableDefaultDeny: false */
    const npc_rule *d = &b->rules[0];
    assert_int_equal(d->action, NPC_ACT_DENY);
    assert_int_equal(d->peers[0].kind, NPC_PEER_IPS);
    assert_true(d->peers[0].external_only);
    assert_int_equal(d->peers[0].nranges, 2); /* 10/8 minus 10.1/16 */
    assert_string_equal(sym(&f, d->peers[0].except[0]), "10.1.0.0/16");
    done(&f);
}

static void test_ports(void **state)
{
    (void)state;
    fixture f;
    load(&f, "apiVersion: cilium.io/v2\n"
             "kind: CiliumNetworkPolicy\n"
             "metadata: {name: p, namespace: shop}\n"
             "spec:\n"
             "  endpointSelector: {}\n"
             "  ingress:\n"
             "  - toPorts:\n"
             "    - ports: [{port: '80'}, {port: '8000', endPort: 8080, protocol: UDP},\n"
             "              {port: http, protocol: TCP}, {port: '0', protocol: SCTP}]\n"
             "  - {}\n");
    assert_int_equal(f.st, NPC_OK);
    const npc_rule *r = &f.c->policies.items[0].rules[0];
    assert_int_equal(r->npeers, 1);
    assert_int_equal(r->peers[0].kind, NPC_PEER_ANY); /* L4 only: every peer */
    assert_int_equal(r->nports, 4);
    assert_int_equal(r->ports[0].proto_mask, NPC_PROTO_ALL_MASK); /* no protocol: ANY */
    assert_int_equal(r->ports[0].lo, 80);
    assert_int_equal(r->ports[1].hi, 8080);
    assert_string_equal(sym(&f, r->ports[2].name), "http");
    assert_int_equal(r->ports[3].lo, 1);
    assert_int_equal(r->ports[3].hi, 65535);
    assert_int_equal(f.c->policies.items[0].rules[1].npeers, 0); /* {} selects no peer */
    done(&f);
}

/* L7 rules are noted as not modelled, except the DNS rule that allows
 * every name (the one toFQDNs needs): it filters nothing. */
static void test_l7_note(void **state)
{
    (void)state;
    static const char head[] = "apiVersion: cilium.io/v2\n"
                               "kind: CiliumNetworkPolicy\n"
                               "metadata: {name: p, namespace: shop}\n"
                               "spec:\n"
                               "  endpointSelector: {}\n"
                               "  egress:\n"
                               "  - toPorts:\n"
                               "    - ports: [{port: '53', protocol: UDP}]\n";
    static const struct {
        const char *rules;
        int noted;
    } cases[] = {
        {"      rules: {dns: [{matchPattern: '*'}]}\n", 0},
        {"      rules: {dns: [{matchPattern: '*.example.com'}]}\n", 1},
        {"      rules: {dns: [{matchName: example.com}]}\n", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", head, cases[i].rules);
        fixture f;
        load(&f, text);
        assert_int_equal(f.st, NPC_OK);
        assert_int_equal(has_code(&f, "NPC234"), cases[i].noted);
        done(&f);
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *rule, *code;
    } cases[] = {
        {"- fromEntities: [everything]", "NPC232"},
        {"- fromCIDR: [300.0.0.0/8]", "NPC206"},
        {"- toPorts: [{ports: [{port: 80}]}]", "NPC207"},
        {"- toPorts: [{rules: {http: [{}]}}]", "NPC202"},
        {"- fromEndpoints: [{}]\n    fromEntities: [world]", "NPC211"},
        {"- toPorts: [{ports: [{port: '80', protocol: ICMP}]}]", "NPC208"},
        {"- fromEndpoints: [{matchLabels: {'bad key': x}}]", "NPC205"},
        {"- fromCIDRSet: [{cidrGroupRef: nowhere}]", "NPC233"},
        {"- fromRequires: [{}]", "NPC231"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
                 "metadata: {name: p, namespace: s}\n"
                 "spec:\n  endpointSelector: {}\n  ingress:\n  %s\n",
                 cases[i].rule);
        fixture f;
        load(&f, text);
        assert_true(has_code(&f, cases[i].code));
        done(&f);
    }
}

static void test_match_pattern(void **state)
{
    (void)state;
    assert_true(npc_fqdn_pattern_matches("*", "a.b.c"));
    assert_true(npc_fqdn_pattern_matches("*.cilium.io", "docs.cilium.io"));
    assert_false(npc_fqdn_pattern_matches("*.cilium.io", "a.docs.cilium.io"));
    assert_false(npc_fqdn_pattern_matches("*.cilium.io", "cilium.io"));
    assert_true(npc_fqdn_pattern_matches("sub*.cilium.io", "sub.cilium.io"));
    assert_true(npc_fqdn_pattern_matches("a*b*c.io", "axxbyyc.io"));
    assert_false(npc_fqdn_pattern_matches("a*c.io", "a_c.io"));
    char name[] = "One.One.One.One.";
    npc_fqdn_normalize(name);
    assert_string_equal(name, "one.one.one.one");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_namespace_injection),
        cmocka_unit_test(test_clusterwide_and_entities),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_l7_note),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_match_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
