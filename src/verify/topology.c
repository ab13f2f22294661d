/* The synthesised topology: Namespace and Pod manifests that exercise every
 * peer of the declared flows, written as YAML text and loaded through the
 * manifest loaders like any cluster snapshot.
 *
 *   1. a pod per component: its labels (and spec.selector's), namespace and
 *      named ports;
 *   2. for every label-selected peer, a representative pod in a namespace
 *      that satisfies its namespace selector (for "same", the namespace of
 *      each component on the other side); named ports of the flow's ports
 *      become container ports of the representative;
 *   3. outsiders that must be denied: an unlabelled pod in each component
 *      namespace and beside each label-selected peer; each component's and each peer's labels in
 * another namespace; for a selector of several requirements, a pod (or namespace) that breaks
 * exactly one of them. Pods and namespaces equal in name, or pods equal in namespace and labels,
 * are made once. Every pod gets an address in 10.244.0.0/16. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/emit.h"
#include "util/buf.h"
#include "verify/verify_int.h"

#define NS_LABEL "kubernetes.io/metadata.name"
#define OTHER_NS "verify-elsewhere"

typedef struct tport {
    const char *name;
    int proto;
    uint16_t port;
} tport;

typedef struct tpod {
    const char *ns, *name, *role;
    vf_kvs labels;
    tport *ports;
    size_t nports, pcap;
} tpod;

typedef struct tns {
    const char *name;
    vf_kvs labels;
} tns;

typedef struct topo {
    const vf_model *m;
    npc_arena *a;
    NPC_VEC(tns) ns;
    NPC_VEC(tpod) pods;
    unsigned next_port; /* numbers for the named ports of representatives */
} topo;

static tns *ns_get(topo *t, const char *name)
{
    for (size_t i = 0; i < t->ns.len; i++)
        if (!strcmp(t->ns.items[i].name, name))
            return &t->ns.items[i];
    tns n;
    memset(&n, 0, sizeof n);
    n.name = name;
    vf_kvs_set(t->a, &n.labels, NS_LABEL, name);
    npc_vec_push(&t->ns, n);
    return &t->ns.items[t->ns.len - 1];
}

/* A namespace whose labels satisfy sel (breaking requirement `violate`,
 * or none with -1): named after the selector's kubernetes.io/metadata.name
 * when it pins one, else verify-ns-N. */
static const char *ns_for(topo *t, const npc_ssel *sel, int violate)
{
    vf_kvs want = {0};
    vf_kvs_synth(t->a, &want, sel, violate);
    const char *name = NULL;
    for (size_t i = 0; i < want.len; i++)
        if (!strcmp(want.items[i].key, NS_LABEL))
            name = want.items[i].value;
    if (!name) {
        /* an existing synthesised namespace with exactly these labels */
        for (size_t i = 0; i < t->ns.len; i++) {
            const tns *n = &t->ns.items[i];
            if (strncmp(n->name, "verify-ns-", 10) || n->labels.len != want.len + 1)
                continue;
            size_t same = 0;
            for (size_t k = 0; k < want.len; k++)
                for (size_t j = 0; j < n->labels.len; j++)
                    same += !strcmp(n->labels.items[j].key, want.items[k].key) &&
                            !strcmp(n->labels.items[j].value, want.items[k].value);
            if (same == want.len)
                return n->name;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "verify-ns-%zu", t->ns.len + 1);
        name = npc_arena_strdup(t->a, buf);
    }
    tns *n = ns_get(t, name);
    for (size_t i = 0; i < want.len; i++)
        vf_kvs_set(t->a, &n->labels, want.items[i].key, want.items[i].value);
    return name;
}

static int same_labels(const vf_kvs *a, const vf_kvs *b)
{
    if (a->len != b->len)
        return 0;
    for (size_t i = 0; i < a->len; i++) {
        int found = 0;
        for (size_t j = 0; j < b->len && !found; j++)
            found = !strcmp(a->items[i].key, b->items[j].key) &&
                    !strcmp(a->items[i].value, b->items[j].value);
        if (!found)
            return 0;
    }
    return 1;
}

/* The pod in ns with these labels, made when new (named prefix-N). */
static tpod *pod_add(topo *t, const char *ns, const char *prefix, const vf_kvs *labels,
                     const char *role)
{
    for (size_t i = 0; i < t->pods.len; i++)
        if (!strcmp(t->pods.items[i].ns, ns) && same_labels(&t->pods.items[i].labels, labels))
            return &t->pods.items[i];
    ns_get(t, ns);
    tpod p;
    memset(&p, 0, sizeof p);
    p.ns = ns;
    char buf[96];
    snprintf(buf, sizeof buf, "%s-%zu", prefix, t->pods.len + 1);
    p.name = npc_arena_strdup(t->a, buf);
    p.role = role;
    p.labels = *labels;
    npc_vec_push(&t->pods, p);
    return &t->pods.items[t->pods.len - 1];
}

static void pod_port(topo *t, tpod *p, const char *name, int proto, uint16_t port)
{
    for (size_t i = 0; i < p->nports; i++)
        if (p->ports[i].name && name && !strcmp(p->ports[i].name, name) &&
            p->ports[i].proto == proto)
            return;
    tport tp = {name, proto, port};
    NPC_APUSH(t->a, p->ports, p->nports, p->pcap, tp);
}

static const char *flow_role(topo *t, const char *what, const npc_unit *u)
{
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "%s of the flow at %s:%u:%u", what,
                   u->flow->loc.file ? u->flow->loc.file : "", u->flow->loc.line, u->flow->loc.col);
    const char *r = npc_arena_strdup(t->a, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return r;
}

/* Component namespaces on side `other` of a unit: where a "same" peer is. */
static void other_namespaces(topo *t, const npc_speer *other, size_t n, const char ***out,
                             size_t *nout, size_t *cap)
{
    const npc_spec *s = t->m->s;
    for (size_t i = 0; i < n; i++) {
        const npc_speer *p = &other[i];
        if (p->kind == NPC_SP_COMPONENT)
            NPC_APUSH(t->a, *out, *nout, *cap, s->components[p->index].ns);
        else if (p->kind == NPC_SP_ALL_COMPONENTS)
            for (size_t k = 0; k < s->ncomponents; k++)
                NPC_APUSH(t->a, *out, *nout, *cap, s->components[k].ns);
    }
}

/* Representatives and outsiders of one PODS peer of unit u, on the side
 * that `to` says (named ports apply to destinations). */
static void peer_pods(topo *t, const npc_unit *u, const npc_speer *p, const npc_speer *other,
                      size_t nother, int to)
{
    const char **nss = NULL;
    size_t nn = 0, cap = 0;
    switch (p->ns_kind) {
    case NPC_SNS_SAME:
        other_namespaces(t, other, nother, &nss, &nn, &cap);
        break;
    case NPC_SNS_ANY:
        NPC_APUSH(t->a, nss, nn, cap, "verify-any");
        break;
    case NPC_SNS_NAMES:
    case NPC_SNS_OPTION:
        for (size_t i = 0; i < p->nns; i++)
            NPC_APUSH(t->a, nss, nn, cap, p->ns_names[i]);
        break;
    case NPC_SNS_SELECTOR: {
        const char *ns = ns_for(t, &p->ns_sel, -1);
        NPC_APUSH(t->a, nss, nn, cap, ns);
        break;
    }
    }
    vf_kvs labels = {0};
    if (p->has_pods)
        vf_kvs_synth(t->a, &labels, &p->pods, -1);
    const char *role = flow_role(t, p->entity ? p->entity : "peer", u);
    for (size_t i = 0; i < nn; i++) {
        tpod *pod = pod_add(t, nss[i], "peer", &labels, role);
        if (!to)
            continue;
        for (size_t k = 0; k < u->nports; k++)
            if (u->ports[k].name)
                pod_port(t, pod, u->ports[k].name, u->ports[k].proto < 0 ? 0 : u->ports[k].proto,
                         (uint16_t)(30000 + t->next_port++ % 30000));
    }
    /* outsiders: an unlabelled pod beside the peer, the labels elsewhere,
     * and each requirement broken */
    vf_kvs none = {0};
    for (size_t i = 0; p->has_pods && vf_ssel_count(&p->pods) && i < nn; i++)
        pod_add(t, nss[i], "unlabelled", &none, flow_role(t, "an unlabelled pod beside a peer", u));
    if (p->ns_kind != NPC_SNS_ANY)
        pod_add(t, OTHER_NS, "outsider", &labels,
                flow_role(t, "outside the namespaces of a peer", u));
    size_t nreq = p->has_pods ? vf_ssel_count(&p->pods) : 0;
    for (size_t r = 0; nreq > 1 && r < nreq; r++) {
        vf_kvs broken = {0};
        vf_kvs_synth(t->a, &broken, &p->pods, (int)r);
        for (size_t i = 0; i < nn; i++)
            pod_add(t, nss[i], "outsider", &broken, flow_role(t, "one label short of a peer", u));
    }
    if (p->ns_kind == NPC_SNS_SELECTOR && vf_ssel_count(&p->ns_sel) > 1)
        for (size_t r = 0; r < vf_ssel_count(&p->ns_sel); r++)
            pod_add(t, ns_for(t, &p->ns_sel, (int)r), "outsider", &labels,
                    flow_role(t, "in a namespace one label short of a peer", u));
}

static void side_pods(topo *t, const npc_unit *u, const npc_speer *ps, size_t n,
                      const npc_speer *other, size_t nother, int to)
{
    for (size_t i = 0; i < n; i++) {
        const npc_speer *p = &ps[i];
        if (p->kind == NPC_SP_PODS)
            peer_pods(t, u, p, other, nother, to);
        else if (p->kind == NPC_SP_FQDN)
            side_pods(t, u, p->fallback, p->nfallback, other, nother, to);
    }
}

static void build(topo *t)
{
    const npc_spec *s = t->m->s;
    /* 1. components */
    for (size_t i = 0; i < s->ncomponents; i++) {
        const npc_component *c = &s->components[i];
        vf_kvs labels = {0};
        vf_kvs_synth(t->a, &labels, &c->labels, -1);
        if (s->has_selector)
            vf_kvs_synth(t->a, &labels, &s->selector, -1);
        ns_get(t, c->ns);
        tpod p;
        memset(&p, 0, sizeof p);
        p.ns = c->ns;
        p.name = c->name;
        p.role = "component";
        p.labels = labels;
        for (size_t k = 0; k < c->nports; k++) {
            const npc_sport *sp = &c->ports[k].port;
            tport tp = {c->ports[k].name, sp->proto < 0 ? 0 : sp->proto, sp->lo};
            NPC_APUSH(t->a, p.ports, p.nports, p.pcap, tp);
        }
        npc_vec_push(&t->pods, p);
    }
    /* 2. representatives (and their outsiders) */
    for (size_t i = 0; i < t->m->nunits; i++) {
        const npc_unit *u = &t->m->units[i];
        side_pods(t, u, u->from, u->nfrom, u->to, u->nto, 0);
        side_pods(t, u, u->to, u->nto, u->from, u->nfrom, 1);
    }
    /* 3. outsiders of the components */
    vf_kvs none = {0};
    for (size_t i = 0; i < s->ncomponents; i++) {
        const npc_component *c = &s->components[i];
        pod_add(t, c->ns, "unlabelled", &none, "an unlabelled pod in a component namespace");
        vf_kvs labels = {0};
        vf_kvs_synth(t->a, &labels, &c->labels, -1);
        if (s->has_selector)
            vf_kvs_synth(t->a, &labels, &s->selector, -1);
        pod_add(t, OTHER_NS, "outsider", &labels, "a component's labels in another namespace");
        size_t nreq = vf_ssel_count(&c->labels);
        for (size_t r = 0; nreq > 1 && r < nreq; r++) {
            vf_kvs broken = {0};
            vf_kvs_synth(t->a, &broken, &c->labels, (int)r);
            if (s->has_selector)
                vf_kvs_synth(t->a, &broken, &s->selector, -1);
            pod_add(t, c->ns, "outsider", &broken, "one label short of a component");
        }
        if (s->has_selector && vf_ssel_count(&s->selector)) {
            /* the component's labels without spec.selector's */
            vf_kvs bare = {0};
            vf_kvs_synth(t->a, &bare, &c->labels, -1);
            pod_add(t, c->ns, "outsider", &bare, "a component's labels without spec.selector");
        }
    }
    if (s->has_selector && vf_ssel_count(&s->selector))
        for (size_t i = 0; i < s->ncomponents; i++) {
            vf_kvs sel = {0};
            vf_kvs_synth(t->a, &sel, &s->selector, -1);
            pod_add(t, s->components[i].ns, "outsider", &sel,
                    "spec.selector's labels on a pod of no component");
        }
}

static npc_ev *labels_ev(npc_arena *a, const vf_kvs *l)
{
    npc_ev *m = npc_ev_map(a);
    for (size_t i = 0; i < l->len; i++)
        npc_ev_put(a, m, l->items[i].key, npc_ev_str(a, l->items[i].value));
    return m;
}

void vf_topology_yaml(const vf_model *m, npc_buf *out)
{
    topo t;
    memset(&t, 0, sizeof t);
    t.m = m;
    t.a = npc_arena_new();
    build(&t);
    NPC_VEC(npc_ev *) docs = {0};
    for (size_t i = 0; i < t.ns.len; i++) {
        npc_ev *o = npc_ev_map(t.a), *md = npc_ev_map(t.a);
        npc_ev_put(t.a, o, "apiVersion", npc_ev_str(t.a, "v1"));
        npc_ev_put(t.a, o, "kind", npc_ev_str(t.a, "Namespace"));
        npc_ev_put(t.a, md, "name", npc_ev_str(t.a, t.ns.items[i].name));
        npc_ev_put(t.a, md, "labels", labels_ev(t.a, &t.ns.items[i].labels));
        npc_ev_put(t.a, o, "metadata", md);
        npc_vec_push(&docs, o);
    }
    for (size_t i = 0; i < t.pods.len; i++) {
        const tpod *p = &t.pods.items[i];
        npc_ev *o = npc_ev_map(t.a), *md = npc_ev_map(t.a), *sp = npc_ev_map(t.a);
        npc_ev_put(t.a, o, "apiVersion", npc_ev_str(t.a, "v1"));
        npc_ev_put(t.a, o, "kind", npc_ev_str(t.a, "Pod"));
        npc_ev_put(t.a, md, "name", npc_ev_str(t.a, p->name));
        npc_ev_put(t.a, md, "namespace", npc_ev_str(t.a, p->ns));
        if (p->labels.len)
            npc_ev_put(t.a, md, "labels", labels_ev(t.a, &p->labels));
        npc_ev *ann = npc_ev_map(t.a);
        npc_ev_put(t.a, ann, "netpolc.io/verify-role", npc_ev_str(t.a, p->role));
        npc_ev_put(t.a, md, "annotations", ann);
        npc_ev_put(t.a, o, "metadata", md);
        npc_ev *ct = npc_ev_map(t.a), *cts = npc_ev_seq(t.a);
        npc_ev_put(t.a, ct, "name", npc_ev_str(t.a, "main"));
        npc_ev_put(t.a, ct, "image", npc_ev_str(t.a, "registry.invalid/probe"));
        if (p->nports) {
            npc_ev *ports = npc_ev_seq(t.a);
            for (size_t k = 0; k < p->nports; k++) {
                npc_ev *pm = npc_ev_map(t.a);
                if (p->ports[k].name)
                    npc_ev_put(t.a, pm, "name", npc_ev_str(t.a, p->ports[k].name));
                npc_ev_put(t.a, pm, "containerPort", npc_ev_int(t.a, p->ports[k].port));
                npc_ev_put(t.a, pm, "protocol",
                           npc_ev_str(t.a, npc_proto_name((npc_proto)p->ports[k].proto)));
                npc_ev_push(t.a, ports, pm);
            }
            npc_ev_put(t.a, ct, "ports", ports);
        }
        npc_ev_push(t.a, cts, ct);
        npc_ev_put(t.a, sp, "containers", cts);
        npc_ev_put(t.a, o, "spec", sp);
        char ip[32];
        snprintf(ip, sizeof ip, "10.244.%zu.%zu", (i + 1) / 250, (i + 1) % 250 + 1);
        npc_ev *st = npc_ev_map(t.a), *ips = npc_ev_seq(t.a), *one = npc_ev_map(t.a);
        npc_ev_put(t.a, st, "podIP", npc_ev_str(t.a, npc_arena_strdup(t.a, ip)));
        npc_ev_put(t.a, one, "ip", npc_ev_str(t.a, npc_arena_strdup(t.a, ip)));
        npc_ev_push(t.a, ips, one);
        npc_ev_put(t.a, st, "podIPs", ips);
        npc_ev_put(t.a, o, "status", st);
        npc_vec_push(&docs, o);
    }
    if (vf_model_apiserver(m)) {
        /* the API server's address, for the engine's kube-apiserver entity */
        npc_ev *o = npc_ev_map(t.a), *md = npc_ev_map(t.a);
        npc_ev_put(t.a, o, "apiVersion", npc_ev_str(t.a, "v1"));
        npc_ev_put(t.a, o, "kind", npc_ev_str(t.a, "Endpoints"));
        npc_ev_put(t.a, md, "name", npc_ev_str(t.a, "kubernetes"));
        npc_ev_put(t.a, md, "namespace", npc_ev_str(t.a, "default"));
        npc_ev_put(t.a, o, "metadata", md);
        npc_ev *addr = npc_ev_map(t.a), *addrs = npc_ev_seq(t.a), *sub = npc_ev_map(t.a);
        npc_ev *subs = npc_ev_seq(t.a);
        npc_ev_put(t.a, addr, "ip", npc_ev_str(t.a, VF_APISERVER_IP));
        npc_ev_push(t.a, addrs, addr);
        npc_ev_put(t.a, sub, "addresses", addrs);
        npc_ev_push(t.a, subs, sub);
        npc_ev_put(t.a, o, "subsets", subs);
        npc_vec_push(&docs, o);
    }
    npc_emit_stream(t.a, docs.items, docs.len, NPC_FORMAT_YAML, out);
    npc_vec_free(&docs);
    npc_vec_free(&t.ns);
    npc_vec_free(&t.pods);
    npc_arena_free(t.a);
}
