/* Lowering of AdminNetworkPolicy, BaselineAdminNetworkPolicy and
 * ClusterNetworkPolicy: IR fields of small snippets, and the errors with
 * their codes and positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/ir.h"
#include "netpolc.h"
#include "text/tree.h"
#include "util/buf.h"
#include "util/ctx.h"

typedef struct fixture {
    npc_ctx *ctx;
    npc_cluster *c;
    int failed; /* lowerings that returned 0 */
} fixture;

/* Lowers each document by its kind, as the loader does. */
static int lower_doc(npc_ctx *ctx, npc_tree *t, void *user)
{
    fixture *f = user;
    (void)ctx;
    const npc_node *kind = npc_map_get(t->root, "kind");
    int ok = 1;
    if (npc_node_scalar_eq(kind, "AdminNetworkPolicy"))
        ok = npc_lower_anp(f->c, t->root, 0);
    else if (npc_node_scalar_eq(kind, "BaselineAdminNetworkPolicy"))
        ok = npc_lower_anp(f->c, t->root, 1);
    else if (npc_node_scalar_eq(kind, "ClusterNetworkPolicy"))
        ok = npc_lower_cnp(f->c, t->root);
    if (!ok)
        f->failed++;
    npc_tree_free(t);
    return 0;
}

static void lower(fixture *f, const char *text)
{
    f->ctx = npc_ctx_new();
    f->c = npc_cluster_new(f->ctx);
    f->failed = 0;
    assert_int_equal(npc_yaml_read_buffer(f->ctx, "p.yaml", text, strlen(text), lower_doc, f),
                     NPC_OK);
}

static void done(fixture *f)
{
    npc_cluster_free(f->c);
    npc_ctx_free(f->ctx);
}

static const char *sym(const fixture *f, npc_sym s)
{
    return s ? npc_sym_str(f->ctx->strings, s) : "";
}

/* The first diagnostic with code, or NULL. */
static const npc_diag *find_diag(const fixture *f, const char *code)
{
    for (size_t i = 0; i < npc_diag_count(f->ctx); i++)
        if (strcmp(npc_diag_get(f->ctx, i)->code, code) == 0)
            return npc_diag_get(f->ctx, i);
    return NULL;
}

/* Asserts a diagnostic with code at line:col. */
static void expect_diag(const fixture *f, const char *code, npc_severity sev, uint32_t line,
                        uint32_t col)
{
    const npc_diag *d = find_diag(f, code);
    if (!d) {
        npc_buf b = NPC_BUF_INIT;
        npc_diags_format(f->ctx, NPC_SEV_NOTE, 0, &b);
        print_error("no %s among:\n%s", code, b.data ? b.data : "(none)\n");
        npc_buf_free(&b);
        fail();
    }
    assert_int_equal(d->severity, sev);
    assert_int_equal(d->loc[0].line, line);
    assert_int_equal(d->loc[0].col, col);
}

static const char anp_text[] = "apiVersion: policy.networking.k8s.io/v1alpha1\n" /* 1 */
                               "kind: AdminNetworkPolicy\n"
                               "metadata:\n"
                               "  name: a\n"
                               "spec:\n" /* 5 */
                               "  priority: 10\n"
                               "  subject:\n"
                               "    pods:\n"
                               "      namespaceSelector: {matchLabels: {team: x}}\n"
                               "      podSelector: {matchLabels: {app: web}}\n" /* 10 */
                               "  ingress:\n"
                               "  - name: allow-ns\n"
                               "    action: Allow\n"
                               "    from:\n"
                               "    - namespaces: {}\n" /* 15 */
                               "  - name: deny-pods\n"
                               "    action: Deny\n"
                               "    from:\n"
                               "    - pods:\n"
                               "        namespaceSelector: {}\n" /* 20 */
                               "        podSelector: {matchLabels: {role: db}}\n"
                               "    ports:\n"
                               "    - portNumber: {port: 53, protocol: UDP}\n"
                               "    - portRange: {start: 1000, end: 2000, protocol: SCTP}\n"
                               "    - namedPort: web\n" /* 25 */
                               "    - portNumber: {port: 80}\n"
                               "  egress:\n"
                               "  - action: Pass\n"
                               "    to:\n"
                               "    - networks: [10.1.0.0/16, 10.0.0.0/8, 192.168.1.0/24, "
                               "192.168.0.0/24]\n" /* 30 */
                               "    - nodes: {matchLabels: {role: control}}\n";

static void test_anp_fields(void **state)
{
    (void)state;
    fixture f;
    lower(&f, anp_text);
    assert_int_equal(f.failed, 0);
    assert_int_equal(npc_error_count(f.ctx), 0);
    expect_diag(&f, "NPC215", NPC_SEV_WARNING, 31, 7); /* nodes: not evaluated */
    assert_int_equal(f.c->policies.len, 1);
    const npc_policy *p = &f.c->policies.items[0];
    assert_int_equal(p->kind, NPC_KIND_ANP);
    assert_int_equal(p->layer, NPC_LAYER_ADMIN);
    assert_true(p->order == 10);
    assert_string_equal(sym(&f, p->name), "a");
    assert_int_equal(p->ns, 0);
    assert_int_equal(p->subj_ns_mode, NPC_NS_SELECTOR);
    assert_true(p->skip_host_network); /* not in subjects nor pod peers */
    assert_int_equal(p->subj_ns_sel.nexprs, 1);
    assert_string_equal(sym(&f, p->subj_ns_sel.exprs[0].key), "team");
    assert_int_equal(p->subj_pod_sel.nexprs, 1);
    assert_string_equal(sym(&f, p->subj_pod_sel.exprs[0].key), "app");
    assert_int_equal(p->nrules, 3);
    assert_true(p->affects[NPC_DIR_INGRESS] && p->affects[NPC_DIR_EGRESS]);

    const npc_rule *r0 = &p->rules[0], *r1 = &p->rules[1], *r2 = &p->rules[2];
    assert_int_equal(r0->dir, NPC_DIR_INGRESS);
    assert_int_equal(r0->index, 0);
    assert_int_equal(r0->action, NPC_ACT_ALLOW);
    assert_string_equal(sym(&f, r0->name), "allow-ns");
    assert_int_equal(r0->loc.line, 12);
    assert_int_equal(r0->npeers, 1);
    assert_int_equal(r0->peers[0].kind, NPC_PEER_PODS);
    assert_int_equal(r0->peers[0].ns_mode, NPC_NS_SELECTOR);
    assert_true(npc_selector_is_empty(&r0->peers[0].ns_sel));
    assert_true(npc_selector_is_empty(&r0->peers[0].pod_sel));
    assert_int_equal(r0->nports, 0);

    assert_int_equal(r1->dir, NPC_DIR_INGRESS);
    assert_int_equal(r1->index, 1);
    assert_int_equal(r1->action, NPC_ACT_DENY);
    assert_int_equal(r1->peers[0].pod_sel.nexprs, 1);
    assert_int_equal(r1->nports, 4);
    assert_int_equal(r1->ports[0].proto_mask, 1u << NPC_PROTO_UDP);
    assert_int_equal(r1->ports[0].lo, 53);
    assert_int_equal(r1->ports[0].hi, 53);
    assert_int_equal(r1->ports[0].loc.line, 23);
    assert_int_equal(r1->ports[1].proto_mask, 1u << NPC_PROTO_SCTP);
    assert_int_equal(r1->ports[1].lo, 1000);
    assert_int_equal(r1->ports[1].hi, 2000);
    assert_string_equal(sym(&f, r1->ports[2].name), "web");
    assert_int_equal(r1->ports[2].proto_mask, NPC_PROTO_ALL_MASK);
    assert_int_equal(r1->ports[3].proto_mask, 1u << NPC_PROTO_TCP); /* default protocol */
    assert_int_equal(r1->ports[3].lo, 80);

    assert_int_equal(r2->dir, NPC_DIR_EGRESS);
    assert_int_equal(r2->index, 0);
    assert_int_equal(r2->action, NPC_ACT_PASS);
    assert_int_equal(r2->name, 0);
    assert_int_equal(r2->npeers, 2);
    const npc_peer *nets = &r2->peers[0];
    assert_int_equal(nets->kind, NPC_PEER_IPS);
    assert_int_equal(nets->nranges, 2); /* 10.1/16 inside 10/8; the two /24s adjacent */
    npc_iprange want;
    int prefix, v6, canon;
    assert_true(npc_cidr_parse("10.0.0.0/8", &want, &prefix, &v6, &canon));
    assert_int_equal(npc_ip_cmp(nets->ranges[0].first, want.first), 0);
    assert_int_equal(npc_ip_cmp(nets->ranges[0].last, want.last), 0);
    assert_true(npc_cidr_parse("192.168.0.0/23", &want, &prefix, &v6, &canon));
    assert_int_equal(npc_ip_cmp(nets->ranges[1].first, want.first), 0);
    assert_int_equal(npc_ip_cmp(nets->ranges[1].last, want.last), 0);
    assert_int_equal(r2->peers[1].kind, NPC_PEER_NODES);
    done(&f);
}

static const char banp_text[] = "apiVersion: policy.networking.k8s.io/v1alpha1\n"
                                "kind: BaselineAdminNetworkPolicy\n"
                                "metadata: {name: default}\n"
                                "spec:\n"
                                "  subject: {namespaces: {}}\n" /* 5 */
                                "  egress:\n"
                                "  - {name: e0, action: Deny, to: [{namespaces: {}}]}\n"
                                "  - {name: e1, action: Allow, to: [{pods: {namespaceSelector: "
                                "{}, podSelector: {}}}]}\n"
                                "  ingress:\n"
                                "  - {name: i0, action: Allow, from: [{namespaces: {}}]}\n";

static void test_banp_fields(void **state)
{
    (void)state;
    fixture f;
    lower(&f, banp_text);
    assert_int_equal(f.failed, 0);
    assert_int_equal(npc_diag_count(f.ctx), 0);
    const npc_policy *p = &f.c->policies.items[0];
    assert_int_equal(p->kind, NPC_KIND_BANP);
    assert_int_equal(p->layer, NPC_LAYER_BASELINE);
    assert_int_equal(p->nrules, 3);
    /* ingress rules first, then egress, whatever the order in the text */
    assert_string_equal(sym(&f, p->rules[0].name), "i0");
    assert_int_equal(p->rules[0].dir, NPC_DIR_INGRESS);
    assert_string_equal(sym(&f, p->rules[1].name), "e0");
    assert_int_equal(p->rules[1].index, 0);
    assert_int_equal(p->rules[1].action, NPC_ACT_DENY);
    assert_string_equal(sym(&f, p->rules[2].name), "e1");
    assert_int_equal(p->rules[2].index, 1);
    assert_int_equal(p->rules[2].dir, NPC_DIR_EGRESS);
    done(&f);
}

static void test_banp_errors(void **state)
{
    (void)state;
    fixture f;
    /* Pass is not a baseline action; the name must be "default"; one BANP only */
    lower(&f, "kind: BaselineAdminNetworkPolicy\n"
              "metadata: {name: other}\n"
              "spec:\n"
              "  subject: {namespaces: {}}\n"
              "  ingress:\n"
              "  - action: Pass\n"
              "    from: [{namespaces: {}}]\n"
              "---\n"
              "kind: BaselineAdminNetworkPolicy\n"
              "metadata: {name: default}\n"
              "spec: {subject: {namespaces: {}}}\n"
              "---\n"
              "kind: BaselineAdminNetworkPolicy\n"
              "metadata: {name: default}\n"
              "spec: {subject: {namespaces: {}}}\n");
    assert_int_equal(f.failed, 2);
    expect_diag(&f, "NPC212", NPC_SEV_ERROR, 6, 13);
    const npc_diag *d = find_diag(&f, "NPC211");
    assert_non_null(d);
    assert_int_equal(d->loc[0].line, 1);
    assert_non_null(strstr(d->message, "metadata.name=default"));
    /* the duplicate points at the first */
    const npc_diag *dup = NULL;
    for (size_t i = 0; i < npc_diag_count(f.ctx); i++)
        if (npc_diag_get(f.ctx, i)->loc[0].line == 13)
            dup = npc_diag_get(f.ctx, i);
    assert_non_null(dup);
    assert_string_equal(dup->code, "NPC211");
    assert_int_equal(dup->nloc, 2);
    assert_int_equal(dup->loc[1].line, 9);
    assert_int_equal(f.c->policies.len, 1);
    done(&f);
}

static const char cnp_text[] = "apiVersion: policy.networking.k8s.io/v1alpha2\n"
                               "kind: ClusterNetworkPolicy\n"
                               "metadata: {name: c}\n"
                               "spec:\n"
                               "  tier: Baseline\n" /* 5 */
                               "  priority: 7\n"
                               "  subject:\n"
                               "    pods: {podSelector: {matchLabels: {app: a}}}\n"
                               "  ingress:\n"
                               "  - name: in\n" /* 10 */
                               "    action: Accept\n"
                               "    from: [{pods: {podSelector: {}}}]\n"
                               "    protocols:\n"
                               "    - tcp: {destinationPort: {number: 8080}}\n"
                               "    - udp: {destinationPort: {range: {start: 10, end: 20}}}\n"
                               "    - sctp: {destinationPort: {number: 9003}}\n"
                               "    - destinationNamedPort: dns\n"
                               "  egress:\n"
                               "  - action: Pass\n"
                               "    to: [{domainNames: [example.com]}, {networks: "
                               "[\"2001:db8::/32\"]}]\n" /* 20 */
                               "---\n"
                               "apiVersion: policy.networking.k8s.io/v1alpha2\n"
                               "kind: ClusterNetworkPolicy\n"
                               "metadata: {name: d}\n"
                               "spec: {tier: Admin, priority: 0, subject: {namespaces: {}},\n"
                               "       egress: [{action: Deny, to: [{namespaces: {}}]}]}\n";

static void test_cnp_fields(void **state)
{
    (void)state;
    fixture f;
    lower(&f, cnp_text);
    assert_int_equal(f.failed, 0);
    assert_int_equal(npc_error_count(f.ctx), 0);
    expect_diag(&f, "NPC215", NPC_SEV_WARNING, 20, 11); /* domainNames */
    assert_int_equal(f.c->policies.len, 2);
    const npc_policy *p = &f.c->policies.items[0];
    assert_int_equal(p->kind, NPC_KIND_CNP);
    assert_int_equal(p->layer, NPC_LAYER_BASELINE);
    assert_true(p->order == 7);
    assert_true(npc_selector_is_empty(&p->subj_ns_sel)); /* absent: all namespaces */
    assert_int_equal(p->subj_pod_sel.nexprs, 1);
    assert_int_equal(p->nrules, 2);
    const npc_rule *in = &p->rules[0];
    assert_int_equal(in->action, NPC_ACT_ALLOW);
    assert_string_equal(sym(&f, in->name), "in");
    assert_int_equal(in->nports, 4);
    assert_int_equal(in->ports[0].proto_mask, 1u << NPC_PROTO_TCP);
    assert_int_equal(in->ports[0].lo, 8080);
    assert_int_equal(in->ports[0].hi, 8080);
    assert_int_equal(in->ports[1].proto_mask, 1u << NPC_PROTO_UDP);
    assert_int_equal(in->ports[1].lo, 10);
    assert_int_equal(in->ports[1].hi, 20);
    assert_int_equal(in->ports[2].proto_mask, 1u << NPC_PROTO_SCTP);
    assert_string_equal(sym(&f, in->ports[3].name), "dns");
    const npc_rule *eg = &p->rules[1];
    assert_int_equal(eg->action, NPC_ACT_PASS);
    assert_int_equal(eg->npeers, 2);
    assert_int_equal(eg->peers[0].kind, NPC_PEER_IPS);
    assert_int_equal(eg->peers[0].nranges, 0); /* domain names match nothing here */
    assert_int_equal(eg->peers[1].nranges, 1);
    assert_false(npc_ip_is_v4(eg->peers[1].ranges[0].first));
    assert_false(npc_ip_is_v4(eg->peers[1].ranges[0].last));
    const npc_policy *q = &f.c->policies.items[1];
    assert_int_equal(q->layer, NPC_LAYER_ADMIN);
    assert_true(q->order == 0);
    assert_int_equal(q->rules[0].action, NPC_ACT_DENY);
    assert_false(q->affects[NPC_DIR_INGRESS]);
    done(&f);
}

/* One bad snippet per case: the code and position expected. */
typedef struct bad_case {
    const char *text;
    const char *code;
    uint32_t line, col;
} bad_case;

#define ANP_HEAD "kind: AdminNetworkPolicy\nmetadata: {name: x}\nspec:\n"
#define CNP_HEAD "kind: ClusterNetworkPolicy\nmetadata: {name: x}\nspec:\n"

static const bad_case bad_cases[] = {
    /* priority out of range (np-guard anp_bad_path_test_2) */
    {ANP_HEAD "  priority: 1001\n  subject: {namespaces: {}}\n", "NPC213", 4, 13},
    {ANP_HEAD "  priority: -1\n  subject: {namespaces: {}}\n", "NPC213", 4, 13},
    {ANP_HEAD "  priority: \"5\"\n  subject: {namespaces: {}}\n", "NPC203", 4, 13},
    {ANP_HEAD "  subject: {namespaces: {}}\n", "NPC202", 4, 3},
    /* subject: none or two fields (anp_bad_path_test_5) */
    {ANP_HEAD "  priority: 1\n  subject: {}\n", "NPC214", 5, 12},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}, pods: {namespaceSelector: {}, "
              "podSelector: {}}}\n",
     "NPC214", 5, 29},
    {ANP_HEAD "  priority: 1\n", "NPC202", 4, 3},
    /* unknown fields */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  tier: Admin\n", "NPC209", 6, 3},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - {action: Allow, from: [{namespaces: {}}], protocols: []}\n",
     "NPC209", 7, 47},
    /* bad action (anp_bad_path_test_9) */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - {action: Ok, from: [{namespaces: {}}]}\n",
     "NPC212", 7, 14},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - {name: r, from: [{namespaces: {}}]}\n",
     "NPC202", 7, 5},
    /* from/to missing or empty (banp_bad_path_test_5, anp_bad_path_test_14/15) */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - {action: Allow}\n",
     "NPC202", 7, 5},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - action: Allow\n    from:\n",
     "NPC202", 8, 5},
    /* a peer with two fields (anp_bad_path_test_7); networks in ingress */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to:\n    - namespaces: {}\n      networks: [1.2.3.4/32]\n",
     "NPC214", 10, 7},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - {action: Allow, from: [{networks: [1.2.3.4/32]}]}\n",
     "NPC209", 7, 29},
    /* a port with two fields (anp_bad_path_test_8) */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to: [{namespaces: {}}]\n    ports:\n"
              "    - portNumber: {port: 80}\n      namedPort: web\n",
     "NPC214", 11, 7},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to: [{namespaces: {}}]\n    ports:\n"
              "    - portNumber: {port: 0, protocol: TCP}\n",
     "NPC207", 10, 26},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to: [{namespaces: {}}]\n    ports:\n"
              "    - portNumber: {port: 80, protocol: ICMP}\n",
     "NPC208", 10, 40},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to: [{namespaces: {}}]\n    ports:\n"
              "    - portRange: {start: 90, end: 80}\n",
     "NPC207", 10, 18},
    /* invalid CIDR (anp_bad_path_test_19) */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to:\n    - networks:\n      - zc00::/8\n",
     "NPC206", 10, 9},
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to:\n    - networks: [10.0.0.1]\n",
     "NPC206", 9, 18},
    /* named ports cannot go with networks/nodes peers */
    {ANP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n  egress:\n"
              "  - action: Allow\n    to: [{nodes: {}}]\n    ports: [{namedPort: web}]\n",
     "NPC211", 9, 13},
    /* metadata.name; BANP has no priority */
    {"kind: AdminNetworkPolicy\nmetadata: {}\nspec: {priority: 1, subject: {namespaces: {}}}\n",
     "NPC202", 2, 11},
    {"kind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\n"
     "spec: {priority: 1, subject: {namespaces: {}}}\n",
     "NPC209", 3, 8},
    /* ClusterNetworkPolicy */
    {CNP_HEAD "  priority: 1\n  subject: {namespaces: {}}\n", "NPC202", 4, 3},
    {CNP_HEAD "  tier: Namespace\n  priority: 1\n  subject: {namespaces: {}}\n", "NPC211", 4, 9},
    {CNP_HEAD "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - {action: Allow, from: [{namespaces: {}}]}\n",
     "NPC212", 8, 14},
    {CNP_HEAD "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - action: Accept\n    from: [{namespaces: {}}]\n    protocols:\n"
              "    - tcp: {destinationPort: {range: {start: 80, end: 80}}}\n",
     "NPC207", 11, 38},
    {CNP_HEAD "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - action: Accept\n    from: [{namespaces: {}}]\n    protocols:\n"
              "    - tcp: {}\n",
     "NPC202", 11, 12},
    {CNP_HEAD "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - action: Accept\n    from: [{namespaces: {}}]\n    protocols:\n"
              "    - icmp: {}\n",
     "NPC209", 11, 7},
    {CNP_HEAD "  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n"
              "  - action: Accept\n    from: [{namespaces: {}}]\n    ports:\n"
              "    - portNumber: {port: 80}\n",
     "NPC209", 10, 5},
};

static void test_bad_cases(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        fixture f;
        lower(&f, bad_cases[i].text);
        const npc_diag *d = find_diag(&f, bad_cases[i].code);
        if (!d || d->loc[0].line != bad_cases[i].line || d->loc[0].col != bad_cases[i].col ||
            f.failed != 1 || f.c->policies.len != 0) {
            npc_buf b = NPC_BUF_INIT;
            npc_diags_format(f.ctx, NPC_SEV_NOTE, 0, &b);
            print_error("case %zu: want %s at %u:%u, failed=%d, got:\n%s", i, bad_cases[i].code,
                        bad_cases[i].line, bad_cases[i].col, f.failed,
                        b.data ? b.data : "(none)\n");
            npc_buf_free(&b);
            failures++;
        } else if (d->severity != NPC_SEV_ERROR) {
            print_error("case %zu: not an error\n", i);
            failures++;
        }
        done(&f);
    }
    assert_int_equal(failures, 0);
}

/* At most 25 rules a direction in a ClusterNetworkPolicy, 100 in an ANP. */
static void test_rule_limits(void **state)
{
    (void)state;
    for (int anp = 0; anp < 2; anp++) {
        for (int extra = 0; extra < 2; extra++) {
            int n = (anp ? 100 : 25) + extra;
            npc_buf b = NPC_BUF_INIT;
            npc_buf_printf(&b, "%s",
                           anp ? ANP_HEAD "  priority: 1\n"
                               : CNP_HEAD "  tier: Admin\n  priority: 1\n");
            npc_buf_printf(&b, "  subject: {namespaces: {}}\n  egress:\n");
            for (int i = 0; i < n; i++)
                npc_buf_printf(&b, "  - {action: Deny, to: [{namespaces: {}}]}\n");
            fixture f;
            lower(&f, b.data);
            npc_buf_free(&b);
            if (extra) {
                expect_diag(&f, "NPC211", NPC_SEV_ERROR, anp ? 7 : 8, 3);
                assert_int_equal(f.c->policies.len, 0);
            } else {
                assert_int_equal(npc_diag_count(f.ctx), 0);
                assert_int_equal(f.c->policies.items[0].nrules, (uint32_t)n);
                assert_int_equal(f.c->policies.items[0].rules[n - 1].index, (uint32_t)(n - 1));
            }
            done(&f);
        }
    }
}

static void test_same_priority_warns(void **state)
{
    (void)state;
    fixture f;
    lower(&f, "kind: AdminNetworkPolicy\nmetadata: {name: a}\n"
              "spec: {priority: 5, subject: {namespaces: {}}}\n"
              "---\n"
              "kind: ClusterNetworkPolicy\nmetadata: {name: b}\n"
              "spec: {tier: Admin, priority: 5, subject: {namespaces: {}}}\n"
              "---\n"
              "kind: ClusterNetworkPolicy\nmetadata: {name: c}\n"
              "spec: {tier: Baseline, priority: 5, subject: {namespaces: {}}}\n");
    assert_int_equal(f.failed, 0);
    assert_int_equal(npc_error_count(f.ctx), 0);
    expect_diag(&f, "NPC216", NPC_SEV_WARNING, 5, 1);
    assert_int_equal(npc_diag_count(f.ctx), 1); /* the baseline one is another tier */
    assert_int_equal(f.c->policies.len, 3);
    done(&f);
}

/* An IPv6 CIDR matches no IPv4 address, even ::/0 or ::ffff:0:0/96. */
static void test_v6_networks_exclude_v4(void **state)
{
    (void)state;
    fixture f;
    lower(&f, "kind: AdminNetworkPolicy\nmetadata: {name: a}\n"
              "spec:\n"
              "  priority: 5\n"
              "  subject: {namespaces: {}}\n"
              "  egress:\n"
              "  - {action: Deny, to: [{networks: [\"::/0\"]}]}\n"
              "  - {action: Deny, to: [{networks: [\"::ffff:10.0.0.0/104\"]}]}\n"
              "  - {action: Deny, to: [{networks: [\"::/0\", 0.0.0.0/0]}]}\n");
    assert_int_equal(f.failed, 0);
    const npc_policy *p = &f.c->policies.items[0];
    npc_ip v4;
    assert_true(npc_ip_parse("10.1.2.3", &v4));
    const npc_peer *all6 = &p->rules[0].peers[0];
    assert_int_equal(all6->nranges, 2); /* below and above the IPv4-mapped block */
    for (uint32_t i = 0; i < all6->nranges; i++)
        assert_false(npc_ip_cmp(all6->ranges[i].first, v4) <= 0 &&
                     npc_ip_cmp(v4, all6->ranges[i].last) <= 0);
    assert_int_equal(p->rules[1].peers[0].nranges, 0);
    assert_int_equal(p->rules[2].peers[0].nranges, 1); /* both families: everything */
    done(&f);
}

/* Go clients read an absent required selector as empty; so do we, warning. */
static void test_missing_selector_warns(void **state)
{
    (void)state;
    fixture f;
    lower(&f, "kind: AdminNetworkPolicy\nmetadata: {name: a}\n"
              "spec:\n"
              "  priority: 5\n"
              "  subject: {pods: {podSelector: {matchLabels: {app: x}}}}\n"
              "  ingress:\n"
              "  - {action: Allow, from: [{pods: {namespaceSelector: {}}}]}\n");
    assert_int_equal(f.failed, 0);
    assert_int_equal(npc_error_count(f.ctx), 0);
    expect_diag(&f, "NPC202", NPC_SEV_WARNING, 5, 19);
    assert_int_equal(npc_diag_count(f.ctx), 2);
    const npc_policy *p = &f.c->policies.items[0];
    assert_true(npc_selector_is_empty(&p->subj_ns_sel));
    assert_int_equal(p->subj_pod_sel.nexprs, 1);
    assert_true(npc_selector_is_empty(&p->rules[0].peers[0].pod_sel));
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anp_fields),
        cmocka_unit_test(test_banp_fields),
        cmocka_unit_test(test_banp_errors),
        cmocka_unit_test(test_cnp_fields),
        cmocka_unit_test(test_bad_cases),
        cmocka_unit_test(test_same_priority_warns),
        cmocka_unit_test(test_missing_selector_warns),
        cmocka_unit_test(test_v6_networks_exclude_v4),
        cmocka_unit_test(test_rule_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
