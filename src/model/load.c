/* Reading manifests: files, folders, multi-document streams, List kinds;
 * dispatch by apiVersion and kind.
 *
 * Files named on the command line must parse. Files found by scanning a
 * folder are treated as kubectl's builder and netpol-analyzer treat them: a
 * file that is not YAML (a template, an old output) gives a warning and the
 * documents read before the syntax error are kept; a document that is not a
 * Kubernetes object (no kind) is skipped with a warning. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/fields.h"
#include "model/load.h"
#include "model/names.h"
#include "text/batch.h"
#include "util/ctx.h"
#include "util/diag.h"
#include "util/suggest.h"

#define MAX_DIR_DEPTH 64 /* guards against symlink loops */
#define MAX_LIST_DEPTH 8

/* Objects of one policy-like kind that are not evaluated (NPC226). */
typedef struct skipped_kind {
    char *kind, *api;
    size_t count;
    npc_loc first;
} skipped_kind;
typedef NPC_VEC(skipped_kind) skipped_kinds;

typedef struct load_state {
    npc_cluster *c;
    int lenient; /* the file came from a folder scan */
    int ok;
    skipped_kinds *skipped;
} load_state;

/* Kinds that carry network policy (Calico's GlobalNetworkPolicy,
 * CiliumNetworkPolicy of another apiVersion...): ignoring
 * one may make the answer allow more than the cluster does. */
static int policy_like(const char *kind)
{
    return strstr(kind, "NetworkPolic") != NULL;
}

static void count_skipped(load_state *st, const char *kind, const char *api, npc_loc loc)
{
    if (!st->skipped || !policy_like(kind))
        return;
    for (size_t i = 0; i < st->skipped->len; i++) {
        skipped_kind *k = &st->skipped->items[i];
        if (strcmp(k->kind, kind) == 0 && strcmp(k->api, api) == 0) {
            k->count++;
            return;
        }
    }
    skipped_kind k = {npc_xstrdup(kind), npc_xstrdup(api), 1, loc};
    npc_vec_push(st->skipped, k);
}

/* One warning per kind (an error in strict mode), at its first object. */
static void report_skipped(npc_ctx *ctx, skipped_kinds *sk)
{
    for (size_t i = 0; i < sk->len; i++) {
        skipped_kind *k = &sk->items[i];
        npc_diag_add_fmt(ctx, ctx->strict ? NPC_SEV_ERROR : NPC_SEV_WARNING, NPC226, k->first,
                         "%zu object%s of kind %s%s%s%s %s not evaluated: the answer may allow "
                         "more than the cluster does",
                         k->count, k->count == 1 ? "" : "s", k->kind, *k->api ? " (" : "", k->api,
                         *k->api ? ")" : "", k->count == 1 ? "was" : "were");
        free(k->kind);
        free(k->api);
    }
    npc_vec_free(sk);
}

typedef NPC_VEC(char *) path_vec;

static int has_manifest_ext(const char *name)
{
    static const char *const exts[] = {".yaml", ".yml", ".json"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcmp(name + n - e, exts[i]) == 0)
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] == '/';
    char *p = npc_xmalloc(a + b + 2);
    memcpy(p, dir, a);
    if (!slash)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

/* Files and folders already taken, by device and inode: a folder reached
 * twice through symlinks ("diamonds") is scanned once, a file reached twice
 * is read once. Open addressing; 0/0 marks an empty slot. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;
typedef struct seen_set {
    file_id *slots;
    size_t cap, len;
} seen_set;

static size_t seen_slot(const seen_set *s, file_id id)
{
    uint64_t h =
        ((uint64_t)id.dev * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)id.ino * 0xC2B2AE3D27D4EB4Full);
    size_t i = (size_t)(h ^ (h >> 31)) & (s->cap - 1);
    while ((s->slots[i].dev || s->slots[i].ino) &&
           !(s->slots[i].dev == id.dev && s->slots[i].ino == id.ino))
        i = (i + 1) & (s->cap - 1);
    return i;
}

/* Adds id; returns 0 when it was there already. */
static int seen_add(seen_set *s, const struct stat *st)
{
    file_id id = {st->st_dev, st->st_ino};
    if (!id.dev && !id.ino)
        return 1; /* no identity: never merged */
    if (2 * (s->len + 1) > s->cap) {
        seen_set g = {npc_xcalloc(s->cap ? 2 * s->cap : 64, sizeof(file_id)),
                      s->cap ? 2 * s->cap : 64, 0};
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i].dev || s->slots[i].ino)
                g.slots[seen_slot(&g, s->slots[i])] = s->slots[i], g.len++;
        free(s->slots);
        *s = g;
    }
    size_t i = seen_slot(s, id);
    if (s->slots[i].dev == id.dev && s->slots[i].ino == id.ino)
        return 0;
    s->slots[i] = id;
    s->len++;
    return 1;
}

/* Collects manifest files under dir, recursively, each folder in sorted
 * order (so the result is the same on every machine). Only regular files
 * are read: a FIFO or device named *.yaml would block or never end. */
static void scan_dir(npc_cluster *c, const char *dir, path_vec *out, int depth, seen_set *seen)
{
    npc_loc where = {NULL, 0, 0};
    if (depth > MAX_DIR_DEPTH) {
        npc_warning(c->ctx, NPC002, where, "%s: folders nested too deeply; not scanned", dir);
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        npc_error(c->ctx, NPC002, where, "cannot open folder %s", dir);
        return;
    }
    path_vec names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", hidden files as kubectl skips them */
        npc_vec_push(&names, npc_xstrdup(e->d_name));
    }
    closedir(d);
    if (names.len)
        qsort(names.items, names.len, sizeof(char *), cmp_str);
    for (size_t i = 0; i < names.len; i++) {
        char *p = join_path(dir, names.items[i]);
        struct stat st;
        int known = stat(p, &st) == 0;
        if (known && S_ISDIR(st.st_mode)) {
            if (!seen_add(seen, &st))
                npc_warning(c->ctx, NPC002, where,
                            "%s: a folder scanned already (a link to it); not scanned again", p);
            else
                scan_dir(c, p, out, depth + 1, seen);
            free(p);
        } else if (has_manifest_ext(names.items[i])) {
            if (known && !S_ISREG(st.st_mode)) {
                npc_warning(c->ctx, NPC002, where, "%s: not a regular file; skipped", p);
                free(p);
            } else if (known && !seen_add(seen, &st)) {
                npc_warning(c->ctx, NPC002, where,
                            "%s: a file read already (a link to it); not read again", p);
                free(p);
            } else {
                npc_vec_push(out, p);
            }
        } else {
            free(p);
        }
        free(names.items[i]);
    }
    npc_vec_free(&names);
}

static const char *scalar_str(const npc_node *n)
{
    return n && n->kind == NPC_NODE_SCALAR && !npc_node_is_null(n) ? n->u.scalar.s : NULL;
}

static int load_namespace(npc_cluster *c, const npc_node *obj)
{
    const npc_node *md = npc_map_get(obj, "metadata");
    if (!md || md->kind != NPC_NODE_MAP) {
        npc_error(c->ctx, md ? NPC203 : NPC202, npc_node_loc(md ? md : obj),
                  md ? "metadata must be a mapping, not %s" : "a Namespace needs metadata%s",
                  md ? npc_node_type_a(md) : "");
        return 0;
    }
    const npc_node *name = npc_map_get(md, "name");
    const char *s = scalar_str(name);
    if (!s || !npc_node_is_string(name)) {
        npc_error(c->ctx, name ? NPC203 : NPC202, npc_node_loc(name ? name : md),
                  name ? "metadata.name must be a string, not %s"
                       : "a Namespace needs metadata.name%s",
                  name ? npc_node_type_a(name) : "");
        return 0;
    }
    if (!npc_check_object_name(c, name, NPC_NAME_LABEL, "namespace name"))
        return 0;
    npc_labels labels;
    if (!npc_parse_labels(c, npc_map_get(md, "labels"), &labels))
        return 0;
    npc_sym sym = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    uint32_t idx = npc_cluster_namespace(c, sym);
    npc_namespace *ns = &c->namespaces.items[idx];
    if (ns->declared) {
        /* the API server keeps one Namespace of a name (netpol-analyzer
         * refuses a second one too) */
        npc_diag *d = npc_error(c->ctx, NPC217, npc_node_loc(obj),
                                "Namespace '%s' is declared twice (first declared at the related "
                                "position); only one object of a kind can have a given name",
                                s);
        npc_diag_also(d, ns->loc);
        return 0;
    }
    /* The API server always sets kubernetes.io/metadata.name to the name. */
    npc_sym mkey = npc_intern_cstr(c->ctx->strings, "kubernetes.io/metadata.name");
    npc_label *items = npc_arena_alloc(c->arena, (labels.len + 1) * sizeof(npc_label));
    uint32_t n = 0;
    int placed = 0;
    for (uint32_t i = 0; i < labels.len; i++) {
        if (!placed && labels.items[i].key >= mkey) {
            items[n++] = (npc_label){mkey, sym};
            placed = 1;
        }
        if (labels.items[i].key != mkey)
            items[n++] = labels.items[i];
    }
    if (!placed)
        items[n++] = (npc_label){mkey, sym};
    ns->labels.items = items;
    ns->labels.len = n;
    ns->loc = npc_node_loc(obj);
    ns->declared = 1;
    return 1;
}

/* Which loader takes a kind. `group` is the apiVersion prefix a policy kind
 * needs (NULL: any apiVersion, as for workloads, whose group moved over the
 * years: extensions/v1beta1, apps/v1beta2, apps/v1). */
typedef enum handler {
    H_NAMESPACE,
    H_WORKLOAD,
    H_NETWORKPOLICY,
    H_ANP,
    H_BANP,
    H_CNP,
    H_NODE,
    H_ENDPOINTS,
    H_CILIUM,
    H_CILIUM_CW,
    H_CIDR_GROUP,
    H_CILIUM_NODE,
    H_CALICO_NP,
    H_CALICO_GNP,
    H_CALICO_STAGED_NP,
    H_CALICO_STAGED_GNP,
    H_CALICO_STAGED_KNP,
    H_CALICO_TIER,
    H_CALICO_NETSET,
    H_CALICO_GNETSET
} handler;

static const struct kind_desc {
    const char *kind;
    const char *const api[3]; /* accepted apiVersions; {NULL}: any */
    handler h;
} kinds[] = {
    {"Namespace", {"v1", NULL, NULL}, H_NAMESPACE},
    {"Pod", {NULL, NULL, NULL}, H_WORKLOAD},
    {"Deployment", {NULL, NULL, NULL}, H_WORKLOAD},
    {"ReplicaSet", {NULL, NULL, NULL}, H_WORKLOAD},
    {"StatefulSet", {NULL, NULL, NULL}, H_WORKLOAD},
    {"DaemonSet", {NULL, NULL, NULL}, H_WORKLOAD},
    {"ReplicationController", {NULL, NULL, NULL}, H_WORKLOAD},
    {"Job", {NULL, NULL, NULL}, H_WORKLOAD},
    {"CronJob", {NULL, NULL, NULL}, H_WORKLOAD},
    {"NetworkPolicy", {"networking.k8s.io/v1", "extensions/v1beta1", NULL}, H_NETWORKPOLICY},
    {"AdminNetworkPolicy", {"policy.networking.k8s.io/v1alpha1", NULL, NULL}, H_ANP},
    {"BaselineAdminNetworkPolicy", {"policy.networking.k8s.io/v1alpha1", NULL, NULL}, H_BANP},
    {"ClusterNetworkPolicy", {"policy.networking.k8s.io/v1alpha2", NULL, NULL}, H_CNP},
    {"Node", {"v1", NULL, NULL}, H_NODE},
    {"Endpoints", {"v1", NULL, NULL}, H_ENDPOINTS},
    {"CiliumNetworkPolicy", {"cilium.io/v2", NULL, NULL}, H_CILIUM},
    {"CiliumClusterwideNetworkPolicy", {"cilium.io/v2", NULL, NULL}, H_CILIUM_CW},
    {"CiliumCIDRGroup", {"cilium.io/v2alpha1", "cilium.io/v2", NULL}, H_CIDR_GROUP},
    {"CiliumNode", {"cilium.io/v2", NULL, NULL}, H_CILIUM_NODE},
    {"NetworkPolicy", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_NP},
    {"GlobalNetworkPolicy", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_GNP},
    {"StagedNetworkPolicy", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_STAGED_NP},
    {"StagedGlobalNetworkPolicy", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_STAGED_GNP},
    {"StagedKubernetesNetworkPolicy", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_STAGED_KNP},
    {"Tier", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_TIER},
    {"NetworkSet", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_NETSET},
    {"GlobalNetworkSet", {"projectcalico.org/v3", NULL, NULL}, H_CALICO_GNETSET},
};

/* A StagedKubernetesNetworkPolicy: checked as a NetworkPolicy, not enforced. */
static int load_staged_knp(npc_cluster *c, const npc_node *obj)
{
    size_t n = c->policies.len;
    if (!npc_lower_networkpolicy(c, obj))
        return 0;
    if (c->policies.len > n && c->staged_enforced) {
        npc_note(c->ctx, NPC235, npc_node_loc(obj),
                 "StagedKubernetesNetworkPolicy '%s' is evaluated as if enforced (staged)",
                 npc_sym_str(c->ctx->strings, c->policies.items[n].name));
    } else if (c->policies.len > n) {
        c->policies.len = n;
        npc_note(c->ctx, NPC235, npc_node_loc(obj),
                 "StagedKubernetesNetworkPolicy '%s' is loaded but not enforced, as in Calico",
                 npc_sym_str(c->ctx->strings, c->policies.items[n].name));
    }
    return 1;
}

static int load_object_at(load_state *st, const npc_node *obj, int depth, const char *item_kind,
                          size_t item_kind_len, const char *item_api);

/* Whether the kinds[] entry kd takes objects of apiVersion api. */
static int kind_accepts(const struct kind_desc *kd, const char *api)
{
    if (kd->api[0] == NULL)
        return 1;
    for (int j = 0; j < 3 && kd->api[j]; j++)
        if (strcmp(kd->api[j], api) == 0)
            return 1;
    return 0;
}

/* A List, or a typed list (PodList, NamespaceList...) whose items may omit
 * kind and apiVersion: they are those of the list, minus "List". */
static int load_list(load_state *st, const npc_node *obj, const npc_node *items, int depth,
                     const char *kind, const char *api)
{
    npc_cluster *c = st->c;
    if (npc_node_is_null(items))
        return 1;
    if (items->kind != NPC_NODE_SEQ) {
        npc_error(c->ctx, NPC203, npc_node_loc(items),
                  "'items' of a List must be a sequence, not %s", npc_node_type_a(items));
        return 0;
    }
    if (depth >= MAX_LIST_DEPTH) {
        npc_error(c->ctx, NPC203, npc_node_loc(obj), "Lists nested too deeply");
        return 0;
    }
    int ok = 1;
    size_t klen = strlen(kind) - 4;
    for (size_t i = 0; i < items->u.seq.len && !npc_error_limit_reached(c->ctx); i++)
        if (!load_object_at(st, items->u.seq.items[i], depth + 1, klen ? kind : NULL, klen, api))
            ok = 0;
    return ok;
}

static int load_object_at(load_state *st, const npc_node *obj, int depth, const char *item_kind,
                          size_t item_kind_len, const char *item_api)
{
    npc_cluster *c = st->c;
    if (!obj || obj->kind != NPC_NODE_MAP) {
        if (st->lenient) {
            npc_warning(c->ctx, NPC201, npc_node_loc(obj),
                        "not a Kubernetes object (%s, not a mapping); skipped",
                        npc_node_type_a(obj));
            return 1;
        }
        npc_error(c->ctx, NPC201, npc_node_loc(obj),
                  "a Kubernetes object must be a mapping, not %s", npc_node_type_a(obj));
        return 0;
    }
    const npc_node *kind = npc_map_get(obj, "kind");
    const npc_node *api = npc_map_get(obj, "apiVersion");
    const char *k = npc_node_is_string(kind) ? kind->u.scalar.s : NULL;
    char implied[128];
    if (!kind && item_kind && item_kind_len < sizeof implied) {
        memcpy(implied, item_kind, item_kind_len);
        implied[item_kind_len] = 0;
        k = implied;
    }
    if (!k) {
        if (st->lenient && !kind) {
            npc_warning(c->ctx, NPC202, npc_node_loc(obj),
                        "not a Kubernetes object (no 'kind'); skipped");
            return 1;
        }
        if (kind)
            npc_error(c->ctx, NPC203, npc_node_loc(kind), "'kind' must be a string, not %s",
                      npc_node_type_a(kind));
        else
            npc_error(c->ctx, NPC202, npc_node_loc(obj), "a Kubernetes object needs 'kind'");
        return 0;
    }
    const char *a = npc_node_is_string(api) ? api->u.scalar.s : !api && item_api ? item_api : "";
    if (api && !npc_node_is_string(api)) {
        npc_error(c->ctx, NPC203, npc_node_loc(api), "'apiVersion' must be a string, not %s",
                  npc_node_type_a(api));
        return 0;
    }
    if (npc_node_has_nul(kind) || npc_node_has_nul(api)) {
        npc_error(c->ctx, NPC203, npc_node_loc(npc_node_has_nul(kind) ? kind : api),
                  "'%s' contains a NUL character", npc_node_has_nul(kind) ? "kind" : "apiVersion");
        return 0;
    }
    size_t klen = strlen(k);
    const npc_node *items = npc_map_get(obj, "items");
    if (klen >= 4 && strcmp(k + klen - 4, "List") == 0 && (items || klen == 4))
        return load_list(st, obj, items, depth, k, a);

    /* the entry for kind and apiVersion; a kind known under other
     * apiVersions only is noted and skipped */
    const struct kind_desc *known = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].kind, k) != 0)
            continue;
        if (!kind_accepts(&kinds[i], a)) {
            if (!known)
                known = &kinds[i];
            continue;
        }
        npc_check_metadata_fields(c->ctx, npc_map_get(obj, "metadata"));
        switch (kinds[i].h) {
        case H_NAMESPACE:
            return load_namespace(c, obj);
        case H_WORKLOAD:
            return npc_load_workload(c, obj, k);
        case H_NETWORKPOLICY: {
            int ok = npc_lower_networkpolicy(c, obj);
            if (c->calico)
                npc_calico_adopt_knps(c);
            return ok;
        }
        case H_ANP:
            return npc_lower_anp(c, obj, 0);
        case H_BANP:
            return npc_lower_anp(c, obj, 1);
        case H_CNP:
            return npc_lower_cnp(c, obj);
        case H_NODE:
            return npc_load_node(c, obj);
        case H_ENDPOINTS:
            return npc_load_endpoints(c, obj);
        case H_CILIUM:
            return npc_lower_cilium(c, obj, 0);
        case H_CILIUM_CW:
            return npc_lower_cilium(c, obj, 1);
        case H_CIDR_GROUP:
            return npc_load_cidr_group(c, obj);
        case H_CILIUM_NODE:
            return npc_load_cilium_node(c, obj);
        case H_CALICO_NP:
        case H_CALICO_GNP:
        case H_CALICO_STAGED_NP:
        case H_CALICO_STAGED_GNP:
            return npc_lower_calico(
                c, obj, kinds[i].h == H_CALICO_GNP || kinds[i].h == H_CALICO_STAGED_GNP,
                kinds[i].h == H_CALICO_STAGED_NP || kinds[i].h == H_CALICO_STAGED_GNP);
        case H_CALICO_STAGED_KNP:
            return load_staged_knp(c, obj);
        case H_CALICO_TIER:
            return npc_lower_calico_tier(c, obj);
        case H_CALICO_NETSET:
        case H_CALICO_GNETSET:
            return npc_load_calico_netset(c, obj, kinds[i].h == H_CALICO_GNETSET);
        }
    }
    if (known) {
        npc_note(c->ctx, NPC210, npc_node_loc(api ? api : obj),
                 "%s with apiVersion '%s' is not analysed (expected %s); skipped", k, a,
                 known->api[0]);
        count_skipped(st, k, a, npc_node_loc(api ? api : obj));
        return 1;
    }
    /* a kind one typo away from a known one of the same apiVersion is a
     * warning: a misspelt NetworkPolicy would otherwise be dropped without
     * a word (a kind of another API, MultiNetworkPolicy, is no typo) */
    npc_suggest sg;
    npc_suggest_init(&sg, k);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (kind_accepts(&kinds[i], a))
            npc_suggest_add(&sg, kinds[i].kind);
    }
    const char *near = npc_suggest_best(&sg);
    if (near)
        npc_warning(c->ctx, NPC210, npc_node_loc(kind ? kind : obj),
                    "kind %s%s%s is not analysed (did you mean %s?); skipped", k, *a ? " of " : "",
                    a, near);
    else
        npc_note(c->ctx, NPC210, npc_node_loc(kind ? kind : obj),
                 "kind %s%s%s is not analysed; skipped", k, *a ? " of " : "", a);
    count_skipped(st, k, a, npc_node_loc(kind ? kind : obj));
    return 1;
}

int npc_cluster_load_object(npc_cluster *c, const npc_node *obj)
{
    load_state st = {c, 0, 1, NULL};
    return load_object_at(&st, obj, 0, NULL, 0, NULL);
}

static int on_document(npc_ctx *ctx, npc_tree *t, void *user)
{
    load_state *st = user;
    (void)ctx;
    if (t->root && !npc_node_is_null(t->root)) {
        if (!load_object_at(st, t->root, 0, NULL, 0, NULL))
            st->ok = 0;
    }
    npc_tree_free(t);
    return npc_error_limit_reached(st->c->ctx);
}

static int is_syntax_code(const char *code)
{
    static const npc_code codes[] = {NPC001, NPC003, NPC004, NPC006, NPC008, NPC009};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(code, npc_code_name(codes[i])) == 0)
            return 1;
    return 0;
}

/* A folder-scanned file that is not YAML is a warning: turn the syntax
 * errors its reading reported (from diagnostic `first` on) into warnings. */
static void soften_syntax_errors(npc_ctx *ctx, size_t first)
{
    for (size_t i = first; i < ctx->diags.len; i++) {
        npc_diag *d = &ctx->diags.items[i];
        if (d->severity == NPC_SEV_ERROR && is_syntax_code(d->code)) {
            d->severity = NPC_SEV_WARNING;
            if (ctx->nerrors)
                ctx->nerrors--;
        }
    }
}

/* Reads and loads one file; with a batch, file `index` of it, parsed
 * ahead on another thread (text/batch.h), with the same results. */
static npc_status load_file(npc_cluster *c, const char *path, int lenient, skipped_kinds *sk,
                            npc_batch *batch, size_t index)
{
    load_state st = {c, lenient, 1, sk};
    size_t first = c->ctx->diags.len;
    npc_status s = batch ? npc_batch_deliver(batch, index, on_document, &st)
                         : npc_yaml_read_file(c->ctx, path, on_document, &st);
    if (s == NPC_ERR_INPUT && lenient) {
        soften_syntax_errors(c->ctx, first);
        npc_loc where = {npc_source_add(c->ctx, path, NULL, 0), 0, 0};
        npc_note(c->ctx, NPC218, where,
                 "file is not valid YAML/JSON; objects after the error were skipped");
        s = NPC_OK;
    }
    if (s == NPC_OK && !st.ok)
        s = NPC_ERR_INPUT;
    return s;
}

/* Policy kind and name pairs declared twice among the policies loaded
 * from index `first` on: the API server keeps one object of a kind and
 * name per namespace (netpol-analyzer refuses a second one too). */
typedef struct policy_ref {
    npc_policy_kind kind;
    npc_sym ns, name;
    uint32_t index;
} policy_ref;

static int cmp_policy_ref(const void *a, const void *b)
{
    const policy_ref *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->ns != y->ns)
        return x->ns < y->ns ? -1 : 1;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int check_policy_names(npc_cluster *c, size_t first)
{
    size_t n = c->policies.len;
    if (n == first)
        return 1;
    policy_ref *v = npc_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const npc_policy *p = &c->policies.items[i];
        v[i] = (policy_ref){p->kind, p->ns, p->name, (uint32_t)i};
    }
    qsort(v, n, sizeof *v, cmp_policy_ref);
    int ok = 1;
    for (size_t i = 1; i < n; i++) {
        if (cmp_policy_ref(&v[i - 1], &v[i]) == 0 || v[i].index < first ||
            v[i - 1].kind != v[i].kind || v[i - 1].ns != v[i].ns || v[i - 1].name != v[i].name)
            continue;
        const npc_policy *a = &c->policies.items[v[i - 1].index];
        const npc_policy *b = &c->policies.items[v[i].index];
        const npc_interner *s = c->ctx->strings;
        npc_diag *d = npc_error(
            c->ctx, NPC217, b->loc,
            "%s %s%s%s is declared twice (first declared at the related position); only one "
            "object of a kind can have a given name%s",
            npc_policy_kind_name(b->kind), b->ns ? npc_sym_str(s, b->ns) : "", b->ns ? "/" : "",
            npc_sym_str(s, b->name), b->ns ? " in a namespace" : "");
        npc_diag_also(d, a->loc);
        ok = 0;
    }
    free(v);
    return ok;
}

/* After a load: the summary of skipped policy kinds, duplicate policies. */
static npc_status finish_load(npc_cluster *c, npc_status s, skipped_kinds *sk, size_t first_policy)
{
    size_t errs = npc_error_count(c->ctx);
    npc_calico_resolve_netsets(c);
    report_skipped(c->ctx, sk);
    check_policy_names(c, first_policy);
    if (s == NPC_OK && npc_error_count(c->ctx) > errs)
        s = NPC_ERR_INPUT;
    return s;
}

npc_status npc_cluster_load_text(npc_cluster *c, const char *name, const char *text, size_t len)
{
    skipped_kinds sk = {0};
    size_t first_policy = c->policies.len;
    load_state st = {c, 0, 1, &sk};
    npc_status s = npc_yaml_read_buffer(c->ctx, name, text, len, on_document, &st);
    return finish_load(c, s == NPC_OK && !st.ok ? NPC_ERR_INPUT : s, &sk, first_policy);
}

npc_status npc_cluster_load_paths(npc_cluster *c, char **paths, int npaths)
{
    npc_status result = NPC_OK;
    skipped_kinds sk = {0};
    size_t first_policy = c->policies.len;
    if (c->eval && c->eval_free) { /* built for fewer objects: rebuild on demand */
        c->eval_free(c->eval);
        c->eval = NULL;
    }
    for (int i = 0; i < npaths && !npc_error_limit_reached(c->ctx); i++) {
        const char *p = paths[i];
        npc_status s;
        struct stat sb;
        if (strcmp(p, "-") != 0 && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            path_vec files = {0};
            size_t errs = npc_error_count(c->ctx);
            seen_set seen = {0};
            seen_add(&seen, &sb);
            scan_dir(c, p, &files, 0, &seen);
            free(seen.slots);
            s = npc_error_count(c->ctx) > errs ? NPC_ERR_IO : NPC_OK;
            npc_batch *batch = npc_batch_start(c->ctx, files.items, files.len);
            for (size_t j = 0; j < files.len; j++) {
                npc_progress(c->ctx, "load", j, files.len);
                if (!npc_error_limit_reached(c->ctx)) {
                    npc_status fs = load_file(c, files.items[j], 1, &sk, batch, j);
                    if (fs != NPC_OK && s == NPC_OK)
                        s = fs;
                }
            }
            npc_batch_free(batch);
            for (size_t j = 0; j < files.len; j++)
                free(files.items[j]);
            npc_vec_free(&files);
        } else {
            s = load_file(c, p, 0, &sk, NULL, 0);
        }
        if (s != NPC_OK && result == NPC_OK)
            result = s;
    }
    result = finish_load(c, result, &sk, first_policy);
    if (result == NPC_OK && npc_error_count(c->ctx))
        result = NPC_ERR_INPUT;
    return result;
}
