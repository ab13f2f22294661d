/* Workloads: Pods and the controllers whose pod template stands for their
 * pods, lowered into npc_workload records.
 *
 * Naming follows netpol-analyzer, so connection lists compare exactly: a Pod
 * whose controlling owner reference (controller: true, kind not Node) names
 * an owner becomes that owner ("ns/name[Kind]", e.g. a ReplicaSet; the
 * Deployment above it is not looked up); a Pod without one is itself a
 * workload of kind Pod. Objects that name the same (namespace, name, kind)
 * merge into one workload: the first one's labels count, container ports
 * are united, replicas add up; the same object declared twice counts once.
 * Only spec.containers carry ports (initContainers do not serve traffic).
 * Pods of one owner whose labels differ are remembered and checked against
 * the policies once everything is loaded (npc_workloads_check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/calico_selector.h"
#include "model/ir.h"
#include "model/names.h"
#include "util/ctx.h"
#include "util/diag.h"

/* Two pods of one owner whose label sets differ. */
typedef struct wl_gap {
    uint32_t workload;
    npc_labels other; /* labels of the later pod */
    const char *first_pod, *other_pod;
    npc_loc loc;
    int reported; /* NPC219 given for it already */
    struct wl_gap *next;
} wl_gap;

/* (namespace, name, kind) -> workload index: open addressing, arena-owned
 * (a grown table's old slots stay in the arena until the cluster is freed). */
typedef struct wl_index {
    uint32_t *slots; /* workload index + 1; 0 = empty */
    size_t cap, len;
    const char **first_pod; /* per workload: name of the pod that defined its labels */
    size_t first_cap;
    wl_gap *gaps, **gaps_tail;
    size_t ngaps;
    /* npc_workloads_check: what it last saw, and whether it ever failed */
    size_t checked_gaps, checked_policies;
    int check_failed;
    int reported_empty; /* NPC227 was reported (no workload at all) */
    /* objects seen, by (namespace, kind, name): a second one is skipped */
    struct wl_obj *objs;
    size_t objs_cap, objs_len;
} wl_index;

typedef struct wl_obj {
    npc_sym ns, kind, name; /* name 0: empty slot */
    npc_loc loc;
} wl_obj;

static uint64_t wl_hash(uint32_t ns, npc_sym name, npc_sym kind)
{
    uint64_t h = ns * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)name * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)kind * 0x165667B19E3779F9ull;
    return h ^ (h >> 29);
}

static wl_index *index_of(npc_cluster *c)
{
    if (!c->wl_index) {
        wl_index *ix = npc_arena_alloc(c->arena, sizeof *ix);
        ix->gaps_tail = &ix->gaps;
        c->wl_index = ix;
    }
    return c->wl_index;
}

static size_t find_slot(const npc_cluster *c, const wl_index *ix, uint32_t ns, npc_sym name,
                        npc_sym kind)
{
    size_t mask = ix->cap - 1, i = (size_t)wl_hash(ns, name, kind) & mask;
    while (ix->slots[i]) {
        const npc_workload *w = &c->workloads.items[ix->slots[i] - 1];
        if (w->ns == ns && w->name == name && w->kind == kind)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(npc_cluster *c, wl_index *ix)
{
    size_t oldcap = ix->cap;
    uint32_t *old = ix->slots;
    ix->cap = oldcap ? oldcap * 2 : 256;
    ix->slots = npc_arena_alloc(c->arena, ix->cap * sizeof *ix->slots);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i]) {
            const npc_workload *w = &c->workloads.items[old[i] - 1];
            ix->slots[find_slot(c, ix, w->ns, w->name, w->kind)] = old[i];
        }
}

/* Records an object; returns the first one's slot when it was seen before. */
static const wl_obj *seen_before(npc_cluster *c, wl_index *ix, npc_sym ns, npc_sym kind,
                                 npc_sym name, npc_loc loc)
{
    if ((ix->objs_len + 1) * 2 > ix->objs_cap) {
        size_t oldcap = ix->objs_cap;
        wl_obj *old = ix->objs;
        ix->objs_cap = oldcap ? oldcap * 2 : 256;
        ix->objs = npc_arena_alloc(c->arena, ix->objs_cap * sizeof *ix->objs);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].name) {
                size_t j =
                    (size_t)wl_hash(old[i].ns, old[i].name, old[i].kind) & (ix->objs_cap - 1);
                while (ix->objs[j].name)
                    j = (j + 1) & (ix->objs_cap - 1);
                ix->objs[j] = old[i];
            }
    }
    size_t mask = ix->objs_cap - 1, i = (size_t)wl_hash(ns, name, kind) & mask;
    while (ix->objs[i].name) {
        const wl_obj *o = &ix->objs[i];
        if (o->ns == ns && o->kind == kind && o->name == name)
            return o;
        i = (i + 1) & mask;
    }
    ix->objs[i].ns = ns;
    ix->objs[i].kind = kind;
    ix->objs[i].name = name;
    ix->objs[i].loc = loc;
    ix->objs_len++;
    return NULL;
}

static void set_first_pod(npc_cluster *c, wl_index *ix, uint32_t w, const char *pod)
{
    if (w >= ix->first_cap) {
        size_t cap = ix->first_cap ? ix->first_cap * 2 : 256;
        while (cap <= w)
            cap *= 2;
        const char **n = npc_arena_alloc(c->arena, cap * sizeof *n);
        if (ix->first_cap)
            memcpy(n, ix->first_pod, ix->first_cap * sizeof *n);
        ix->first_pod = n;
        ix->first_cap = cap;
    }
    ix->first_pod[w] = pod;
}

static int labels_equal(const npc_labels *a, const npc_labels *b)
{
    if (a->len != b->len)
        return 0;
    for (uint32_t i = 0; i < a->len; i++)
        if (a->items[i].key != b->items[i].key || a->items[i].value != b->items[i].value)
            return 0;
    return 1;
}

/* ------------------------------------------------------------ reading */

static const char *str_of(const npc_node *n)
{
    return n && n->kind == NPC_NODE_SCALAR && !npc_node_is_null(n) ? n->u.scalar.s : NULL;
}

/* A mapping field that may be absent or null; 0 after reporting a wrong type. */
static int opt_map(npc_cluster *c, const npc_node *parent, const char *key, const npc_node **out)
{
    const npc_node *n = npc_map_get(parent, key);
    *out = NULL;
    if (npc_node_is_null(n))
        return 1;
    if (n->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be a mapping, not a %s", key,
                  npc_node_type_name(n));
        return 0;
    }
    *out = n;
    return 1;
}

static int opt_seq(npc_cluster *c, const npc_node *parent, const char *key, const npc_node **out)
{
    const npc_node *n = npc_map_get(parent, key);
    *out = NULL;
    if (npc_node_is_null(n))
        return 1;
    if (n->kind != NPC_NODE_SEQ) {
        npc_error(c->ctx, NPC203, npc_node_loc(n), "%s must be a sequence, not a %s", key,
                  npc_node_type_name(n));
        return 0;
    }
    *out = n;
    return 1;
}

typedef NPC_VEC(npc_container_port) port_vec;
typedef NPC_VEC(npc_ip) ip_vec;

static void add_port(port_vec *v, npc_container_port p)
{
    for (size_t i = 0; i < v->len; i++)
        if (v->items[i].name == p.name && v->items[i].port == p.port &&
            v->items[i].proto == p.proto)
            return;
    npc_vec_push(v, p);
}

/* Ports of spec.containers[*].ports[*] of a pod spec. */
static int read_ports(npc_cluster *c, const npc_node *spec, port_vec *out)
{
    const npc_node *containers;
    if (!spec)
        return 1;
    if (!opt_seq(c, spec, "containers", &containers))
        return 0;
    if (!containers)
        return 1;
    int ok = 1;
    for (size_t i = 0; i < containers->u.seq.len; i++) {
        const npc_node *ct = containers->u.seq.items[i], *ports;
        if (npc_node_is_null(ct))
            continue;
        if (ct->kind != NPC_NODE_MAP) {
            npc_error(c->ctx, NPC203, npc_node_loc(ct), "a container must be a mapping, not a %s",
                      npc_node_type_name(ct));
            ok = 0;
            continue;
        }
        if (!opt_seq(c, ct, "ports", &ports)) {
            ok = 0;
            continue;
        }
        for (size_t j = 0; ports && j < ports->u.seq.len; j++) {
            const npc_node *p = ports->u.seq.items[j];
            if (!p || p->kind != NPC_NODE_MAP) {
                npc_error(c->ctx, NPC203, npc_node_loc(p ? p : ports),
                          "a container port must be a mapping, not a %s", npc_node_type_name(p));
                ok = 0;
                continue;
            }
            npc_container_port cp;
            memset(&cp, 0, sizeof cp);
            const npc_node *num = npc_map_get(p, "containerPort");
            long long v;
            if (!num) {
                /* Kubernetes' decoder drops unknown keys (a misspelt
                 * "containerport"); the port is then 0 and matches nothing */
                npc_warning(c->ctx, NPC202, npc_node_loc(p),
                            "container port without containerPort; ignored");
                continue;
            }
            if (!npc_node_get_int(num, &v) || v < 1 || v > 65535) {
                npc_error(c->ctx, NPC207, npc_node_loc(num),
                          "containerPort must be a number in 1..65535");
                ok = 0;
                continue;
            }
            cp.port = (uint16_t)v;
            cp.proto = NPC_PROTO_TCP;
            const npc_node *proto = npc_map_get(p, "protocol");
            const char *ps = str_of(proto);
            if (ps && !npc_proto_parse(ps, &cp.proto)) {
                npc_error(c->ctx, NPC208, npc_node_loc(proto),
                          "protocol must be TCP, UDP or SCTP, not '%s'", ps);
                ok = 0;
                continue;
            }
            const npc_node *name = npc_map_get(p, "name");
            const char *ns = str_of(name);
            if (ns && *ns)
                cp.name = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
            add_port(out, cp);
        }
    }
    return ok;
}

static void add_ip(npc_cluster *c, ip_vec *ips, const npc_node *n)
{
    const char *s = str_of(n);
    npc_ip ip;
    if (!s)
        return;
    if (!npc_ip_parse(s, &ip)) {
        npc_warning(c->ctx, NPC206, npc_node_loc(n), "pod IP '%s' is not an IP address; ignored",
                    s);
        return;
    }
    for (size_t i = 0; i < ips->len; i++)
        if (npc_ip_cmp(ips->items[i], ip) == 0)
            return;
    npc_vec_push(ips, ip);
}

/* What one object contributes, before merging. */
typedef struct wl_input {
    npc_sym name, kind, ns;
    const char *pod_name; /* for messages about label gaps */
    npc_labels labels;
    port_vec ports;
    ip_vec ips;
    uint32_t replicas;
    int host_network;
    npc_sym node, service_account;
    npc_loc loc;
} wl_input;

static npc_sym intern_node(npc_cluster *c, const npc_node *n)
{
    return npc_intern(c->ctx->strings, n->u.scalar.s, n->u.scalar.len);
}

/* The pod's controlling owner, as netpol-analyzer takes it: the first owner
 * reference with controller: true, unless its kind is Node (static pods). */
static int read_owner(npc_cluster *c, const npc_node *md, npc_sym *name, npc_sym *kind)
{
    const npc_node *refs;
    if (!opt_seq(c, md, "ownerReferences", &refs))
        return 0;
    for (size_t i = 0; refs && i < refs->u.seq.len; i++) {
        const npc_node *r = refs->u.seq.items[i];
        int ctl = 0;
        if (!r || r->kind != NPC_NODE_MAP)
            continue;
        if (!npc_node_get_bool(npc_map_get(r, "controller"), &ctl) || !ctl)
            continue;
        const npc_node *k = npc_map_get(r, "kind"), *n = npc_map_get(r, "name");
        if (npc_node_scalar_eq(k, "Node"))
            return 1;
        /* netpol-analyzer's reading of incomplete references: no name, no
         * owner; no kind, the owner is named as a Pod */
        if (!str_of(n) || !*str_of(n)) {
            npc_warning(c->ctx, NPC202, npc_node_loc(r),
                        "controlling owner reference without a name; the pod stands alone");
            return 1;
        }
        *name = intern_node(c, n);
        if (str_of(k) && *str_of(k)) {
            *kind = intern_node(c, k);
        } else {
            npc_warning(c->ctx, NPC202, npc_node_loc(r),
                        "controlling owner reference without a kind; its pods are listed as "
                        "kind Pod");
            *kind = npc_intern_cstr(c->ctx->strings, "Pod");
        }
        return 1;
    }
    return 1;
}

static void merge(npc_cluster *c, wl_input *in)
{
    wl_index *ix = index_of(c);
    uint32_t ns = npc_cluster_namespace(c, in->ns);
    if ((ix->len + 1) * 2 > ix->cap)
        grow(c, ix);
    size_t slot = find_slot(c, ix, ns, in->name, in->kind);
    npc_workload *w;
    if (ix->slots[slot]) {
        uint32_t wi = ix->slots[slot] - 1;
        w = &c->workloads.items[wi];
        if (!labels_equal(&w->labels, &in->labels)) {
            wl_gap *g = npc_arena_alloc(c->arena, sizeof *g);
            g->workload = wi;
            g->other = in->labels;
            g->first_pod = ix->first_pod[wi];
            g->other_pod = in->pod_name;
            g->loc = in->loc;
            *ix->gaps_tail = g;
            ix->gaps_tail = &g->next;
            ix->ngaps++;
        }
        w->replicas += in->replicas;
        w->host_network |= (uint8_t)in->host_network;
        if (w->node != in->node)
            w->node = 0; /* pods of one owner on several nodes */
    } else {
        npc_workload nw;
        memset(&nw, 0, sizeof nw);
        nw.name = in->name;
        nw.kind = in->kind;
        nw.ns = ns;
        nw.labels = in->labels;
        nw.replicas = in->replicas;
        nw.host_network = (uint8_t)in->host_network;
        nw.node = in->node;
        nw.service_account = in->service_account;
        nw.loc = in->loc;
        npc_vec_push(&c->workloads, nw);
        uint32_t wi = (uint32_t)(c->workloads.len - 1);
        ix->slots[slot] = wi + 1;
        ix->len++;
        set_first_pod(c, ix, wi, in->pod_name);
        w = &c->workloads.items[wi];
    }
    /* unite ports and IPs (arena copies: workloads are few next to pods) */
    port_vec ports = {0};
    for (uint32_t i = 0; i < w->nports; i++)
        npc_vec_push(&ports, w->ports[i]);
    for (size_t i = 0; i < in->ports.len; i++)
        add_port(&ports, in->ports.items[i]);
    if (ports.len != w->nports) {
        w->ports = npc_arena_alloc(c->arena, ports.len * sizeof *w->ports);
        memcpy(w->ports, ports.items, ports.len * sizeof *w->ports);
        w->nports = (uint32_t)ports.len;
    }
    npc_vec_free(&ports);
    if (in->ips.len) {
        npc_ip *ips = npc_arena_alloc(c->arena, (w->nips + in->ips.len) * sizeof *ips);
        uint32_t n = w->nips;
        if (n)
            memcpy(ips, w->ips, n * sizeof *ips);
        for (size_t i = 0; i < in->ips.len; i++) {
            uint32_t j = 0;
            while (j < n && npc_ip_cmp(ips[j], in->ips.items[i]) != 0)
                j++;
            if (j == n)
                ips[n++] = in->ips.items[i];
        }
        w->ips = ips;
        w->nips = n;
    }
}

static const char *const workload_kinds[] = {
    "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController",
    "Job", "CronJob",
};

int npc_load_workload(npc_cluster *c, const npc_node *obj, const char *kind)
{
    int known = 0;
    for (size_t i = 0; i < sizeof workload_kinds / sizeof workload_kinds[0]; i++)
        known |= strcmp(kind, workload_kinds[i]) == 0;
    if (!known) {
        npc_note(c->ctx, NPC210, npc_node_loc(obj), "kind %s is not analysed; skipped", kind);
        return 1;
    }
    const npc_node *md, *spec;
    if (!opt_map(c, obj, "metadata", &md) || !opt_map(c, obj, "spec", &spec))
        return 0;
    const npc_node *name = md ? npc_map_get(md, "name") : NULL;
    int generated = 0;
    if (npc_node_is_null(name) && md && str_of(npc_map_get(md, "generateName"))) {
        name = npc_map_get(md, "generateName"); /* the prefix kubectl create would extend */
        generated = 1;
    }
    if (!str_of(name) || !npc_node_is_string(name)) {
        if (name && !npc_node_is_null(name))
            npc_error(c->ctx, NPC203, npc_node_loc(name),
                      "metadata.name must be a string, not a %s", npc_node_type_name(name));
        else
            npc_error(c->ctx, NPC202, npc_node_loc(md ? md : obj), "a %s needs metadata.name",
                      kind);
        return 0;
    }
    char what[64];
    snprintf(what, sizeof what, "%s name", kind);
    const npc_node *nsn = npc_map_get(md, "namespace");
    if ((!generated && !npc_check_object_name(c, name, NPC_NAME_SUBDOMAIN, what)) ||
        (generated && npc_node_has_nul(name) &&
         !npc_check_object_name(c, name, NPC_NAME_SUBDOMAIN, what)) ||
        (str_of(nsn) && *str_of(nsn) &&
         !npc_check_object_name(c, nsn, NPC_NAME_LABEL, "namespace")))
        return 0;
    wl_input in;
    memset(&in, 0, sizeof in);
    in.loc = npc_node_loc(obj);
    in.name = intern_node(c, name);
    in.kind = npc_intern_cstr(c->ctx->strings, kind);
    in.pod_name = npc_sym_str(c->ctx->strings, in.name);
    if (str_of(nsn) && *str_of(nsn))
        in.ns = intern_node(c, nsn);
    else
        in.ns = npc_intern_cstr(c->ctx->strings, "default");

    /* The same object twice (two copies of a manifest): one pod, one
     * controller; counting it twice would double replicas. */
    const wl_obj *dup = seen_before(c, index_of(c), in.ns, in.kind, in.name, in.loc);
    if (dup) {
        npc_diag *d =
            npc_warning(c->ctx, NPC217, in.loc, "%s %s/%s is declared twice; the first one counts",
                        kind, npc_sym_str(c->ctx->strings, in.ns), in.pod_name);
        npc_diag_also(d, dup->loc);
        return 1;
    }
    int ok = 1;
    const npc_node *pod_md = md, *pod_spec = spec;
    if (strcmp(kind, "Pod") == 0) {
        if (strncmp(in.pod_name, "virt-launcher-", 14) == 0) {
            /* the wrapper of a VirtualMachine: not a peer of its own */
            npc_note(c->ctx, NPC210, in.loc, "pod %s wraps a virtual machine; skipped",
                     in.pod_name);
            return 1;
        }
        in.replicas = 1;
        if (!read_owner(c, md, &in.name, &in.kind))
            return 0;
        const npc_node *status, *ips;
        if (!opt_map(c, obj, "status", &status))
            return 0;
        if (status) {
            add_ip(c, &in.ips, npc_map_get(status, "podIP"));
            if (!opt_seq(c, status, "podIPs", &ips))
                ok = 0;
            for (size_t i = 0; ips && i < ips->u.seq.len; i++)
                add_ip(c, &in.ips, npc_map_get(ips->u.seq.items[i], "ip"));
        }
    } else {
        /* the pod template stands for the controller's pods */
        const npc_node *tmpl = NULL, *owner_spec = spec;
        long long replicas = 1;
        const char *count_field = "replicas";
        if (strcmp(kind, "CronJob") == 0) {
            const npc_node *jt = NULL;
            if (spec && !opt_map(c, spec, "jobTemplate", &jt))
                return 0;
            owner_spec = NULL;
            if (jt && !opt_map(c, jt, "spec", &owner_spec))
                return 0;
        }
        if (strcmp(kind, "Job") == 0)
            count_field = "parallelism";
        if (owner_spec && !opt_map(c, owner_spec, "template", &tmpl))
            return 0;
        if (spec && strcmp(kind, "DaemonSet") != 0 && strcmp(kind, "CronJob") != 0) {
            const npc_node *r = npc_map_get(spec, count_field);
            if (!npc_node_is_null(r) && (!npc_node_get_int(r, &replicas) || replicas < 0)) {
                npc_error(c->ctx, NPC203, npc_node_loc(r), "%s must be a non-negative integer",
                          count_field);
                return 0;
            }
        }
        in.replicas = (uint32_t)(replicas > 1000000 ? 1000000 : replicas);
        pod_md = pod_spec = NULL;
        if (tmpl &&
            (!opt_map(c, tmpl, "metadata", &pod_md) || !opt_map(c, tmpl, "spec", &pod_spec)))
            return 0;
    }
    if (!npc_parse_labels(c, pod_md ? npc_map_get(pod_md, "labels") : NULL, &in.labels))
        ok = 0;
    if (!read_ports(c, pod_spec, &in.ports))
        ok = 0;
    if (pod_spec) {
        int hn = 0;
        if (npc_node_get_bool(npc_map_get(pod_spec, "hostNetwork"), &hn))
            in.host_network = hn;
        const npc_node *sa = npc_map_get(pod_spec, "serviceAccountName");
        if (!npc_node_is_string(sa))
            sa = npc_map_get(pod_spec, "serviceAccount"); /* the deprecated alias */
        if (npc_node_is_string(sa) && *str_of(sa))
            in.service_account = intern_node(c, sa);
        const npc_node *node = npc_map_get(pod_spec, "nodeName");
        if (npc_node_is_string(node) && *str_of(node))
            in.node = intern_node(c, node);
    }
    if (ok)
        merge(c, &in);
    npc_vec_free(&in.ports);
    npc_vec_free(&in.ips);
    return ok;
}

/* ------------------------------------------------------- label gaps */

/* The value a label set gives key, or "" when absent (as netpol-analyzer
 * compares them). */
static npc_sym value_or_empty(npc_cluster *c, const npc_labels *ls, npc_sym key)
{
    npc_sym v = npc_labels_get(ls, key);
    return v ? v : npc_intern_cstr(c->ctx->strings, "");
}

static int has_value(const npc_sel_expr *e, npc_sym v, npc_sym empty)
{
    if (v == empty)
        return 1; /* netpol-analyzer tests values with a substring search */
    for (uint32_t i = 0; i < e->nvalues; i++)
        if (e->values[i] == v)
            return 1;
    return 0;
}

static npc_sym tree_gap_key(const npc_csel *x, const npc_labels *a, const npc_labels *b)
{
    if (x->key && npc_labels_get(a, x->key) != npc_labels_get(b, x->key))
        return x->key;
    for (uint32_t i = 0; i < x->nkids; i++) {
        npc_sym k = tree_gap_key(x->kids[i], a, b);
        if (k)
            return k;
    }
    return 0;
}

/* A key of the gap that sel reads in a way that may tell the two pods
 * apart; 0 when none. Exists/DoesNotExist never do; a value list that
 * holds both values does not either. */
static npc_sym selector_reads_gap(npc_cluster *c, const npc_selector *sel, const npc_labels *a,
                                  const npc_labels *b)
{
    npc_sym empty = npc_intern_cstr(c->ctx->strings, "");
    for (uint32_t i = 0; i < sel->nexprs; i++) {
        const npc_sel_expr *e = &sel->exprs[i];
        if (e->op == NPC_SEL_EXISTS || e->op == NPC_SEL_NOTEXISTS)
            continue;
        npc_sym va = value_or_empty(c, a, e->key), vb = value_or_empty(c, b, e->key);
        if (va == vb)
            continue;
        if (e->nvalues == 1 && e->op == NPC_SEL_IN) {
            /* matchLabels (or its one-value equivalent) */
            if (e->values[0] == va || e->values[0] == vb)
                return e->key;
            continue;
        }
        int ha = has_value(e, va, empty), hb = has_value(e, vb, empty);
        if (ha != hb)
            return e->key;
    }
    /* a Calico expression tree: any of its keys on which the pods differ */
    if (sel->tree && npc_csel_matches(sel->tree, sel->tree_str, a) !=
                         npc_csel_matches(sel->tree, sel->tree_str, b))
        return tree_gap_key(sel->tree, a, b);
    return 0;
}

static int ns_selected(const npc_cluster *c, npc_ns_mode mode, const npc_selector *sel,
                       npc_sym policy_ns, uint32_t ns)
{
    switch (mode) {
    case NPC_NS_SAME:
        return policy_ns == 0 || policy_ns == c->namespaces.items[ns].name;
    case NPC_NS_SELECTOR:
    case NPC_NS_NAMES: /* ns_sel holds the names */
        return npc_selector_matches(sel, &c->namespaces.items[ns].labels);
    }
    return 0;
}

static npc_sym policy_reads_gap(npc_cluster *c, const npc_policy *p, uint32_t ns,
                                const npc_labels *a, const npc_labels *b)
{
    npc_sym key;
    if (ns_selected(c, p->subj_ns_mode, &p->subj_ns_sel, p->ns, ns) &&
        (key = selector_reads_gap(c, &p->subj_pod_sel, a, b)))
        return key;
    for (uint32_t r = 0; r < p->nrules; r++) {
        const npc_rule *rule = &p->rules[r];
        if (!p->affects[rule->dir])
            continue;
        for (uint32_t i = 0; i < rule->npeers; i++) {
            const npc_peer *peer = &rule->peers[i];
            if (peer->kind != NPC_PEER_PODS)
                continue;
            /* a NetworkPolicy peer without namespaceSelector is checked
             * whatever the namespace, as netpol-analyzer does */
            if (peer->ns_mode == NPC_NS_SELECTOR &&
                !npc_selector_matches(&peer->ns_sel, &c->namespaces.items[ns].labels))
                continue;
            if ((key = selector_reads_gap(c, &peer->pod_sel, a, b)))
                return key;
        }
    }
    return 0;
}

static int cmp_sym(const void *x, const void *y)
{
    npc_sym a = *(const npc_sym *)x, b = *(const npc_sym *)y;
    return a < b ? -1 : a > b;
}

typedef NPC_VEC(npc_sym) sym_vec;

static void add_tree_keys(const npc_csel *x, sym_vec *keys)
{
    if (x->key)
        npc_vec_push(keys, x->key);
    for (uint32_t i = 0; i < x->nkids; i++)
        add_tree_keys(x->kids[i], keys);
}

static void add_read_keys(const npc_selector *sel, sym_vec *keys)
{
    for (uint32_t i = 0; i < sel->nexprs; i++)
        if (sel->exprs[i].op == NPC_SEL_IN || sel->exprs[i].op == NPC_SEL_NOTIN)
            npc_vec_push(keys, sel->exprs[i].key);
    if (sel->tree)
        add_tree_keys(sel->tree, keys);
}

/* The label keys that some pod selector reads by value (In, NotIn): only
 * these can make selector_reads_gap() answer, so gaps on other keys (a
 * StatefulSet pod's pod-name, a pod-template-hash) need no policy scan. */
static void keys_read_by_values(const npc_cluster *c, sym_vec *keys)
{
    for (size_t i = 0; i < c->policies.len; i++) {
        const npc_policy *p = &c->policies.items[i];
        add_read_keys(&p->subj_pod_sel, keys);
        for (uint32_t r = 0; r < p->nrules; r++)
            for (uint32_t k = 0; k < p->rules[r].npeers; k++)
                if (p->rules[r].peers[k].kind == NPC_PEER_PODS)
                    add_read_keys(&p->rules[r].peers[k].pod_sel, keys);
    }
    if (keys->len)
        qsort(keys->items, keys->len, sizeof(npc_sym), cmp_sym);
}

static int key_is_read(const sym_vec *keys, npc_sym k)
{
    return keys->len && bsearch(&k, keys->items, keys->len, sizeof(npc_sym), cmp_sym) != NULL;
}

/* Whether the two label sets differ on a key that some selector reads. */
static int gap_may_matter(const sym_vec *keys, const npc_labels *a, const npc_labels *b)
{
    uint32_t i = 0, j = 0;
    while (i < a->len || j < b->len) {
        if (j == b->len || (i < a->len && a->items[i].key < b->items[j].key)) {
            if (key_is_read(keys, a->items[i].key))
                return 1;
            i++;
        } else if (i == a->len || b->items[j].key < a->items[i].key) {
            if (key_is_read(keys, b->items[j].key))
                return 1;
            j++;
        } else {
            if (a->items[i].value != b->items[j].value && key_is_read(keys, a->items[i].key))
                return 1;
            i++;
            j++;
        }
    }
    return 0;
}

int npc_workloads_check(npc_cluster *c)
{
    if (!c->workloads.len) {
        /* as netpol-analyzer: "no relevant Kubernetes workload resources
         * found"; an empty answer would read as "nothing is allowed" */
        wl_index *none = index_of(c);
        if (!none->reported_empty) {
            npc_loc nowhere = {NULL, 0, 0};
            npc_error(c->ctx, NPC227, nowhere,
                      "nothing to analyse: the input holds no workload (Pod, Deployment, "
                      "ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job or "
                      "CronJob)");
            none->reported_empty = 1;
        }
        return 0;
    }
    wl_index *ix = c->wl_index;
    if (!ix || !c->policies.len)
        return 1;
    /* Every analysis entry point asks; answer again only when something
     * was loaded since, and never report one gap twice. */
    if (ix->checked_gaps == ix->ngaps && ix->checked_policies == c->policies.len)
        return !ix->check_failed;
    ix->checked_gaps = ix->ngaps;
    ix->checked_policies = c->policies.len;
    sym_vec keys = {0};
    keys_read_by_values(c, &keys);
    for (wl_gap *g = ix->gaps; g; g = g->next) {
        const npc_workload *w = &c->workloads.items[g->workload];
        if (g->reported || !gap_may_matter(&keys, &w->labels, &g->other))
            continue;
        for (size_t i = 0; i < c->policies.len; i++) {
            const npc_policy *p = &c->policies.items[i];
            npc_sym key = policy_reads_gap(c, p, w->ns, &w->labels, &g->other);
            if (!key)
                continue;
            const npc_interner *s = c->ctx->strings;
            const char *ns = npc_sym_str(s, c->namespaces.items[w->ns].name);
            npc_sym va = npc_labels_get(&w->labels, key), vb = npc_labels_get(&g->other, key);
            npc_diag *d = npc_error(
                c->ctx, NPC219, g->loc,
                "pods of the same owner %s/%s have different labels: pod %s/%s has %s=%s and "
                "pod %s/%s has %s%s%s, while %s %s%s%s selects on %s; they cannot be analysed "
                "as one workload",
                ns, npc_sym_str(s, w->name), ns, g->first_pod, npc_sym_str(s, key),
                va ? npc_sym_str(s, va) : "(absent)", ns, g->other_pod, npc_sym_str(s, key),
                vb ? "=" : " ", vb ? npc_sym_str(s, vb) : "(absent)", npc_policy_kind_name(p->kind),
                p->ns ? npc_sym_str(s, p->ns) : "", p->ns ? "/" : "", npc_sym_str(s, p->name),
                npc_sym_str(s, key));
            npc_diag_also(d, w->loc);
            npc_diag_also(d, p->loc);
            g->reported = 1;
            ix->check_failed = 1;
            break;
        }
    }
    npc_vec_free(&keys);
    return !ix->check_failed;
}
