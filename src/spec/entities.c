/* The built-in entities and their form on each engine: one table.
 *
 * A built-in entity has an engine-neutral definition, its parts (peers and
 * default ports in the spec's terms, as docs/spec.md lists them). An
 * engine that can name the entity itself declares its native form in
 * native_forms[]; every other engine renders the parts (Kubernetes
 * NetworkPolicy and ClusterNetworkPolicy: selectors and ipBlocks/networks).
 * The compiler asks this table, per engine, whether an entity peer stays
 * one entity peer (NPC_PEER_ENTITY, npc_peer.entity naming the spec
 * entity) or becomes its parts; a renderer of an engine with native forms
 * reads the native name with npc_entity_native(). A spec that declares an
 * entity of a built-in name under spec.entities replaces the definition
 * and loses the native form: its parts are what it declared. */
#include <string.h>

#include "model/ir.h"
#include "spec/spec.h"

typedef struct builtin_port {
    int proto;
    uint16_t port;
} builtin_port;

/* One built-in entity: a pod peer (pod label, namespace label; NULL key:
 * every pod / every namespace) or every IP address, with default ports
 * (none: every port). */
static const struct builtin {
    const char *name;
    npc_speer_kind kind; /* NPC_SP_PODS or NPC_SP_ANY_IP */
    const char *pod_key, *pod_value;
    const char *ns_key, *ns_value;
    builtin_port ports[2];
    size_t nports;
} builtins[] = {
    /* the cluster DNS pods */
    {"dns",
     NPC_SP_PODS,
     "k8s-app",
     "kube-dns",
     "kubernetes.io/metadata.name",
     "kube-system",
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}},
     2},
    /* the API server has no label to select on: any address on 443 */
    {"kube-apiserver", NPC_SP_ANY_IP, NULL, NULL, NULL, NULL, {{NPC_PROTO_TCP, 443}}, 1},
    {"world", NPC_SP_ANY_IP, NULL, NULL, NULL, NULL, {{0, 0}}, 0},
    /* every pod of every namespace */
    {"cluster", NPC_SP_PODS, NULL, NULL, NULL, NULL, {{0, 0}}, 0},
};

/* The engines that name entities themselves. "any-ip" is the peer keyword
 * (every address), which an engine may also have natively. */
static const struct native_form {
    const char *engine, *entity, *native;
} native_forms[] = {
    /* CiliumNetworkPolicy toEntities/fromEntities */
    {"cilium", "kube-apiserver", "kube-apiserver"},
    {"cilium", "world", "world"},
    {"cilium", "cluster", "cluster"},
};

const char *npc_entity_native(const char *engine, const char *entity)
{
    if (!engine || !entity)
        return NULL;
    for (size_t i = 0; i < sizeof native_forms / sizeof native_forms[0]; i++)
        if (!strcmp(native_forms[i].engine, engine) && !strcmp(native_forms[i].entity, entity))
            return native_forms[i].native;
    return NULL;
}

void npc_spec_add_builtin_entities(npc_spec *s)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        const struct builtin *b = &builtins[i];
        npc_speer p;
        memset(&p, 0, sizeof p);
        p.kind = b->kind;
        if (b->kind == NPC_SP_PODS) {
            if (b->pod_key) {
                p.has_pods = 1;
                npc_ssel_add_label(s->arena, &p.pods, b->pod_key, b->pod_value);
            }
            p.ns_kind = NPC_SNS_ANY;
            if (b->ns_key) {
                p.ns_kind = NPC_SNS_SELECTOR;
                npc_ssel_add_label(s->arena, &p.ns_sel, b->ns_key, b->ns_value);
            }
        }
        npc_entity_part part;
        memset(&part, 0, sizeof part);
        NPC_APUSH(s->arena, part.peers, part.npeers, part.pcap, p);
        for (size_t j = 0; j < b->nports; j++) {
            npc_sport sp;
            memset(&sp, 0, sizeof sp);
            sp.kind = NPC_SPORT_NUM;
            sp.proto = b->ports[j].proto;
            sp.lo = sp.hi = b->ports[j].port;
            sp.opt = -1;
            NPC_APUSH(s->arena, part.ports, part.nports, part.portcap, sp);
        }
        part.has_ports = b->nports > 0;
        npc_entity e;
        memset(&e, 0, sizeof e);
        e.name = b->name;
        e.builtin = 1;
        NPC_APUSH(s->arena, e.parts, e.nparts, e.cap, part);
        NPC_APUSH(s->arena, s->entities, s->nentities, s->ecap, e);
    }
}
