/* The entity table (spec/entities.c): an engine without native forms gets
 * every built-in entity as its parts; an engine that names an entity
 * natively gets one entity peer with the entity's default ports; a spec
 * that redeclares a built-in entity gets its own parts on every engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec/compiled.h"
#include "util/ctx.h"

static const char spec_text[] =
    "apiVersion: netpolc.io/v1alpha1\n"
    "kind: TrafficSpec\n"
    "metadata: {name: t}\n"
    "spec:\n"
    "  namespace: t\n"
    "  components:\n"
    "    web: {labels: {app: web}}\n"
    "%s"
    "  flows:\n"
    "    - {from: web, to: [kube-apiserver, dns]}\n"
    "    - {from: web, to: world, ports: [8443]}\n";

static npc_spec *load(npc_ctx *ctx, const char *extra)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/netpolc-entities-%ld.yaml", (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, spec_text, extra);
    fclose(f);
    npc_spec *s = npc_spec_load(ctx, path);
    unlink(path);
    assert_non_null(s);
    return s;
}

/* The egress rules of web's policy: peer kind and entity name per rule. */
static void egress(npc_compiled *c, npc_peer_kind *kinds, const char **names, uint16_t *ports,
                   size_t *n)
{
    const npc_policy *p = &c->ir->policies.items[0];
    *n = 0;
    for (uint32_t i = 0; i < p->nrules; i++) {
        const npc_rule *r = &p->rules[i];
        if (r->dir != NPC_DIR_EGRESS)
            continue;
        for (uint32_t j = 0; j < r->npeers; j++) {
            kinds[*n] = r->peers[j].kind;
            names[*n] = r->peers[j].entity ? npc_sym_str(c->spec->ctx->strings, r->peers[j].entity) : "";
            ports[*n] = r->nports ? r->ports[0].lo : 0;
            (*n)++;
        }
    }
}

static void table(void **state)
{
    (void)state;
    assert_null(npc_entity_native("kubernetes", "kube-apiserver"));
    assert_null(npc_entity_native("clusterNetworkPolicy", "world"));
    assert_null(npc_entity_native(NULL, "world"));
    assert_string_equal(npc_entity_native("cilium", "kube-apiserver"), "kube-apiserver");
    assert_null(npc_entity_native("cilium", "dns")); /* no native form: its pods */
}

static void forms(void **state)
{
    (void)state;
    npc_ctx *ctx = npc_ctx_new();
    npc_spec *s = load(ctx, "");
    npc_peer_kind k[8];
    const char *nm[8];
    uint16_t port[8];
    size_t n;

    /* parts: the API server and world are every address (one rule, their
     * ports merged), dns its pods */
    npc_compiled *c = npc_compile(s, "kubernetes");
    assert_non_null(c);
    egress(c, k, nm, port, &n);
    size_t ips = 0, pods = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_not_equal(k[i], NPC_PEER_ENTITY);
        ips += k[i] == NPC_PEER_IPS;
        pods += k[i] == NPC_PEER_PODS && !strcmp(nm[i], "dns");
    }
    assert_int_equal(ips, 1);
    assert_int_equal(pods, 1);
    npc_compiled_free(c);

    /* native: kube-apiserver (443) and world (8443) as entity peers */
    c = npc_compile(s, "cilium");
    assert_non_null(c);
    egress(c, k, nm, port, &n);
    int api = 0, world = 0, dns = 0;
    for (size_t i = 0; i < n; i++) {
        if (k[i] == NPC_PEER_ENTITY && !strcmp(nm[i], "kube-apiserver") && port[i] == 443)
            api++;
        if (k[i] == NPC_PEER_ENTITY && !strcmp(nm[i], "world") && port[i] == 8443)
            world++;
        if (k[i] == NPC_PEER_PODS && !strcmp(nm[i], "dns") && port[i] == 53)
            dns++;
    }
    assert_int_equal(api, 1);
    assert_int_equal(world, 1);
    assert_int_equal(dns, 1);
    npc_compiled_free(c);
    npc_spec_free(s);

    /* a redeclared built-in entity is its declared parts on every engine */
    s = load(ctx, "  entities:\n    kube-apiserver: [{peer: {cidr: 10.0.0.1/32}, ports: [6443]}]\n");
    c = npc_compile(s, "cilium");
    assert_non_null(c);
    egress(c, k, nm, port, &n);
    int cidr = 0;
    for (size_t i = 0; i < n; i++) {
        assert_false(k[i] == NPC_PEER_ENTITY && !strcmp(nm[i], "kube-apiserver"));
        cidr += k[i] == NPC_PEER_IPS && port[i] == 6443;
    }
    assert_int_equal(cidr, 1);
    npc_compiled_free(c);
    npc_spec_free(s);
    npc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
