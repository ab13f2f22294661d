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

/* One part of a built-in entity: a pod peer (pod label, namespace label;
 * NULL key: every pod / every namespace), every IP address, or a CIDR,
 * with default ports (none: every port). A row with a profile is that
 * platform's form of the entity (all its rows replace the default rows);
 * the sources of each are in docs/spec.md ("Platform profiles"). */
#define NS_LABEL "kubernetes.io/metadata.name"
static const struct builtin {
    const char *profile; /* NULL: every platform without a row of its own */
    const char *name;
    npc_speer_kind kind; /* NPC_SP_PODS, NPC_SP_ANY_IP or NPC_SP_CIDR */
    const char *pod_key, *pod_value;
    const char *ns_key, *ns_value;
    const char *cidr;
    builtin_port ports[2];
    size_t nports;
} builtins[] = {
    /* the cluster DNS pods */
    {NULL, "dns", NPC_SP_PODS, "k8s-app", "kube-dns", NS_LABEL, "kube-system", NULL,
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}}, 2},
    /* the API server has no label to select on: any address on 443 */
    {NULL, "kube-apiserver", NPC_SP_ANY_IP, NULL, NULL, NULL, NULL, NULL, {{NPC_PROTO_TCP, 443}},
     1},
    {NULL, "world", NPC_SP_ANY_IP, NULL, NULL, NULL, NULL, NULL, {{0, 0}}, 0},
    /* every pod of every namespace */
    {NULL, "cluster", NPC_SP_PODS, NULL, NULL, NULL, NULL, NULL, {{0, 0}}, 0},
    /* Gardener: CoreDNS listens on 8053, node-local-dns on 53, and pods
     * with dnsPolicy Default ask the node's resolvers on 53 */
    {"gardener", "dns", NPC_SP_PODS, "k8s-app", "kube-dns", NS_LABEL, "kube-system", NULL,
     {{NPC_PROTO_UDP, 8053}, {NPC_PROTO_TCP, 8053}}, 2},
    {"gardener", "dns", NPC_SP_PODS, "k8s-app", "node-local-dns", NS_LABEL, "kube-system", NULL,
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}}, 2},
    {"gardener", "dns", NPC_SP_ANY_IP, NULL, NULL, NULL, NULL, NULL,
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}}, 2},
    /* kubeadm: the API server binds 6443 (--apiserver-bind-port) */
    {"kubeadm", "kube-apiserver", NPC_SP_ANY_IP, NULL, NULL, NULL, NULL, NULL,
     {{NPC_PROTO_TCP, 6443}}, 1},
    /* GKE: kube-dns pods, and NodeLocal DNSCache (on by default in
     * Autopilot and in Standard from 1.33.1) on its link-local address */
    {"gke", "dns", NPC_SP_PODS, "k8s-app", "kube-dns", NS_LABEL, "kube-system", NULL,
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}}, 2},
    {"gke", "dns", NPC_SP_CIDR, NULL, NULL, NULL, NULL, "169.254.20.10/32",
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}}, 2},
    /* EKS: CoreDNS pods labelled k8s-app: kube-dns in kube-system, the API
     * server's endpoints on 443: the defaults, named for the record */
    {"eks", "dns", NPC_SP_PODS, "k8s-app", "kube-dns", NS_LABEL, "kube-system", NULL,
     {{NPC_PROTO_UDP, 53}, {NPC_PROTO_TCP, 53}}, 2},
};

static const char *const profile_names[] = {"gardener", "kubeadm", "gke", "eks"};

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

static npc_entity_part builtin_part(npc_spec *s, const struct builtin *b)
{
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
    } else if (b->kind == NPC_SP_CIDR) {
        p.cidr = b->cidr;
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
    return part;
}

/* The parts of built-in entity name on a platform (NULL: the defaults). */
static void builtin_parts(npc_spec *s, npc_entity *e, const char *profile)
{
    int own = 0;
    for (size_t i = 0; profile && i < sizeof builtins / sizeof builtins[0]; i++)
        own |= builtins[i].profile && !strcmp(builtins[i].profile, profile) &&
               !strcmp(builtins[i].name, e->name);
    e->parts = NULL;
    e->nparts = e->cap = 0;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        const struct builtin *b = &builtins[i];
        if (strcmp(b->name, e->name) || (own ? !b->profile || strcmp(b->profile, profile)
                                             : b->profile != NULL))
            continue;
        npc_entity_part part = builtin_part(s, b);
        NPC_APUSH(s->arena, e->parts, e->nparts, e->cap, part);
    }
}

int npc_spec_profile_ok(const char *profile)
{
    for (size_t i = 0; i < sizeof profile_names / sizeof profile_names[0]; i++)
        if (!strcmp(profile_names[i], profile))
            return 1;
    return 0;
}

void npc_spec_use_profile(npc_spec *s, const char *profile)
{
    s->profile = profile;
    for (size_t i = 0; i < s->nentities; i++)
        if (s->entities[i].builtin)
            builtin_parts(s, &s->entities[i], profile);
}

void npc_spec_add_builtin_entities(npc_spec *s)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        if (builtins[i].profile)
            continue;
        npc_entity e;
        memset(&e, 0, sizeof e);
        e.name = builtins[i].name;
        e.builtin = 1;
        builtin_parts(s, &e, s->profile);
        NPC_APUSH(s->arena, s->entities, s->nentities, s->ecap, e);
    }
}
