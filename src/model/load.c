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

#include "model/load.h"
#include "util/ctx.h"
#include "util/diag.h"

#define MAX_DIR_DEPTH 64 /* guards against symlink loops */
#define MAX_LIST_DEPTH 8

typedef struct load_state {
    npc_cluster *c;
    int lenient; /* the file came from a folder scan */
    int ok;
} load_state;

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

/* Collects manifest files under dir, recursively, each folder in sorted
 * order (so the result is the same on every machine). */
typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;
typedef NPC_VEC(dir_id) dir_chain;

/* True when folder st is one of the folders being scanned (a symlink back
 * up the tree): it would be scanned forever. */
static int in_chain(const dir_chain *chain, const struct stat *st)
{
    for (size_t i = 0; i < chain->len; i++)
        if (chain->items[i].dev == st->st_dev && chain->items[i].ino == st->st_ino)
            return 1;
    return 0;
}

static void scan_dir(npc_cluster *c, const char *dir, path_vec *out, int depth, dir_chain *chain)
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
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (in_chain(chain, &st)) {
                npc_warning(c->ctx, NPC002, where,
                            "%s: a link back to a folder being scanned; "
                            "not scanned again",
                            p);
            } else {
                dir_id id = {st.st_dev, st.st_ino};
                npc_vec_push(chain, id);
                scan_dir(c, p, out, depth + 1, chain);
                chain->len--;
            }
            free(p);
        } else if (has_manifest_ext(names.items[i])) {
            npc_vec_push(out, p);
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

/* Kubernetes object names: DNS labels/subdomains. Checked loosely (what the
 * API server rejects outright: empty, too long, spaces, slashes). */
static int valid_object_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.' || ch == '_' || ch == ':'))
            return 0;
    }
    return 1;
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
    if (!valid_object_name(s)) {
        npc_error(c->ctx, NPC203, npc_node_loc(name), "invalid namespace name '%s'", s);
        return 0;
    }
    npc_labels labels;
    if (!npc_parse_labels(c, npc_map_get(md, "labels"), &labels))
        return 0;
    npc_sym sym = npc_intern(c->ctx->strings, name->u.scalar.s, name->u.scalar.len);
    uint32_t idx = npc_cluster_namespace(c, sym);
    npc_namespace *ns = &c->namespaces.items[idx];
    if (ns->declared) {
        npc_diag *d = npc_warning(c->ctx, NPC217, npc_node_loc(obj),
                                  "namespace '%s' is declared twice; the last one counts", s);
        npc_diag_also(d, ns->loc);
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
typedef enum handler { H_NAMESPACE, H_WORKLOAD, H_NETWORKPOLICY, H_ANP, H_BANP, H_CNP } handler;

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
};

static int load_object_at(load_state *st, const npc_node *obj, int depth, const char *item_kind,
                          size_t item_kind_len, const char *item_api);

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
    size_t klen = strlen(k);
    const npc_node *items = npc_map_get(obj, "items");
    if (klen >= 4 && strcmp(k + klen - 4, "List") == 0 && (items || klen == 4))
        return load_list(st, obj, items, depth, k, a);

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].kind, k) != 0)
            continue;
        int api_ok = kinds[i].api[0] == NULL;
        for (int j = 0; j < 3 && kinds[i].api[j]; j++)
            if (strcmp(kinds[i].api[j], a) == 0)
                api_ok = 1;
        if (!api_ok) {
            npc_note(c->ctx, NPC210, npc_node_loc(api ? api : obj),
                     "%s with apiVersion '%s' is not analysed (expected %s); skipped", k, a,
                     kinds[i].api[0]);
            return 1;
        }
        switch (kinds[i].h) {
        case H_NAMESPACE:
            return load_namespace(c, obj);
        case H_WORKLOAD:
            return npc_load_workload(c, obj, k);
        case H_NETWORKPOLICY:
            return npc_lower_networkpolicy(c, obj);
        case H_ANP:
            return npc_lower_anp(c, obj, 0);
        case H_BANP:
            return npc_lower_anp(c, obj, 1);
        case H_CNP:
            return npc_lower_cnp(c, obj);
        }
    }
    npc_note(c->ctx, NPC210, npc_node_loc(kind), "kind %s%s%s is not analysed; skipped", k,
             *a ? " of " : "", a);
    return 1;
}

int npc_cluster_load_object(npc_cluster *c, const npc_node *obj)
{
    load_state st = {c, 0, 1};
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

static npc_status load_file(npc_cluster *c, const char *path, int lenient)
{
    load_state st = {c, lenient, 1};
    size_t first = c->ctx->diags.len;
    npc_status s = npc_yaml_read_file(c->ctx, path, on_document, &st);
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

npc_status npc_cluster_load_text(npc_cluster *c, const char *name, const char *text, size_t len)
{
    load_state st = {c, 0, 1};
    npc_status s = npc_yaml_read_buffer(c->ctx, name, text, len, on_document, &st);
    return s == NPC_OK && !st.ok ? NPC_ERR_INPUT : s;
}

npc_status npc_cluster_load_paths(npc_cluster *c, char **paths, int npaths)
{
    npc_status result = NPC_OK;
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
            dir_chain chain = {0};
            dir_id top = {sb.st_dev, sb.st_ino};
            npc_vec_push(&chain, top);
            scan_dir(c, p, &files, 0, &chain);
            npc_vec_free(&chain);
            s = npc_error_count(c->ctx) > errs ? NPC_ERR_IO : NPC_OK;
            for (size_t j = 0; j < files.len; j++) {
                npc_progress(c->ctx, "load", j, files.len);
                if (!npc_error_limit_reached(c->ctx)) {
                    npc_status fs = load_file(c, files.items[j], 1);
                    if (fs != NPC_OK && s == NPC_OK)
                        s = fs;
                }
                free(files.items[j]);
            }
            npc_vec_free(&files);
        } else {
            s = load_file(c, p, 0);
        }
        if (s != NPC_OK && result == NPC_OK)
            result = s;
    }
    if (result == NPC_OK && npc_error_count(c->ctx))
        result = NPC_ERR_INPUT;
    return result;
}
