#include "spec_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Options of the spec verbs that take a value; the only flags are -v,
 * --strict-values and --help. Verbs reject what they do not use from `rest`. */
static const char *const with_value[] = {"--set",
                                         "--values",
                                         "-f",
                                         "--engine",
                                         "--output",
                                         "-o",
                                         "--format",
                                         "--naming",
                                         "--values-prefix",
                                         "--labels-include",
                                         "--set-string",
                                         "--set-file",
                                         "--namespace",
                                         "-n",
                                         "--profile",
                                         NULL};

int npc_cli_spec_args(int argc, char **argv, const char *verb, npc_spec_args *out)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)argc + 1;
    out->sets = calloc(n, sizeof *out->sets);
    out->values = calloc(n, sizeof *out->values);
    out->set_strings = calloc(n, sizeof *out->set_strings);
    out->set_files = calloc(n, sizeof *out->set_files);
    out->rest = calloc(2 * n, sizeof *out->rest);
    if (!out->sets || !out->values || !out->rest || !out->set_strings || !out->set_files) {
        npc_cli_usage_error(verb, "out of memory");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (npc_cli_is_help(a))
            return -1;
        if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            out->verbose = 1;
            continue;
        }
        if (!strcmp(a, "--strict-values")) {
            out->strict_values = 1;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            const char *eq = strchr(a, '=');
            size_t klen = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
            const char *key = NULL, *val = NULL;
            for (const char *const *w = with_value; *w; w++)
                if (strlen(*w) == klen && !strncmp(*w, a, klen))
                    key = *w;
            if (!key) {
                npc_cli_unknown_option(verb, verb, a);
                return 1;
            }
            if (klen < strlen(a))
                val = a + klen + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else {
                npc_cli_usage_error(verb, "option '%s' needs a value", key);
                return 1;
            }
            if (!strcmp(key, "--set"))
                out->sets[out->nsets++] = val;
            else if (!strcmp(key, "--values") || !strcmp(key, "-f"))
                out->values[out->nvalues++] = val;
            else if (!strcmp(key, "-o"))
                out->output_file = val;
            else if (!strcmp(key, "--set-string"))
                out->set_strings[out->nset_strings++] = val;
            else if (!strcmp(key, "--set-file"))
                out->set_files[out->nset_files++] = val;
            else if (!strcmp(key, "--values-prefix"))
                out->values_prefix = val;
            else if (!strcmp(key, "--namespace") || !strcmp(key, "-n"))
                out->ns = val;
            else if (!strcmp(key, "--profile"))
                out->profile = val;
            else {
                out->rest[out->nrest++] = key;
                out->rest[out->nrest++] = val;
            }
            continue;
        }
        if (out->spec) {
            npc_cli_usage_error(verb, "more than one SPEC given ('%s' and '%s')", out->spec, a);
            return 1;
        }
        out->spec = a;
    }
    if (!out->spec) {
        npc_cli_usage_error(verb, "no SPEC given");
        return 1;
    }
    return 0;
}

void npc_cli_spec_args_help(FILE *out)
{
    fputs("  --set KEY=VALUE   set an option (dotted name; lists as {a,b}, a,b or [..];\n"
          "                    K1=V1,K2=V2 in one; list items as a[0].cidr=V); repeatable\n"
          "  -f, --values FILE set options from a YAML mapping; repeatable, applied before --set\n"
          "  --set-string K=V  set an option to the text V (no list or YAML parsing)\n"
          "  --set-file K=FILE set an option to the contents of FILE (YAML for lists)\n"
          "  --values-prefix KEY read the options under KEY of the --values files (a\n"
          "                    chart's whole values.yaml); other keys are ignored with a note\n"
          "  --strict-values   keys of --values files that name no option are errors\n"
          "  -n, --namespace NS the namespace of what the spec puts in none (as helm -n)\n"
          "  --profile NAME    the platform of the entities dns and kube-apiserver:\n"
          "                    gardener, kubeadm, gke or eks (default: spec.profile)\n",
          out);
}

void npc_cli_spec_args_free(npc_spec_args *a)
{
    free(a->sets);
    free(a->values);
    free(a->set_strings);
    free(a->set_files);
    free(a->rest);
    memset(a, 0, sizeof *a);
}

npc_spec *npc_cli_spec_open(npc_ctx *ctx, const npc_spec_args *a)
{
    npc_spec *spec = npc_spec_load_ns(ctx, a->spec, a->ns);
    if (!spec)
        return NULL;
    int ok = !a->profile || npc_spec_set_profile(spec, a->profile) == NPC_OK;
    npc_spec_values_config(spec, a->values_prefix, a->strict_values);
    for (size_t i = 0; i < a->nvalues; i++)
        ok = npc_spec_values_file(spec, a->values[i]) == NPC_OK && ok;
    /* in Helm's order: --set, --set-string, --set-file */
    for (size_t i = 0; i < a->nsets; i++)
        ok = npc_spec_set(spec, a->sets[i]) == NPC_OK && ok;
    for (size_t i = 0; i < a->nset_strings; i++)
        ok = npc_spec_set_as(spec, a->set_strings[i], NPC_SET_STRING) == NPC_OK && ok;
    for (size_t i = 0; i < a->nset_files; i++)
        ok = npc_spec_set_as(spec, a->set_files[i], NPC_SET_FILE) == NPC_OK && ok;
    if (!ok) {
        npc_spec_free(spec);
        return NULL;
    }
    return spec;
}

int npc_cli_spec_run(npc_spec_args *a, npc_cli_spec_fn produce, const void *user)
{
    npc_ctx *ctx = npc_ctx_new();
    npc_spec *spec = npc_cli_spec_open(ctx, a);
    npc_buf out = NPC_BUF_INIT;
    int rc = NPC_EXIT_USAGE;
    if (spec && produce(spec, user, &out) == NPC_OK)
        rc = npc_cli_emit(ctx, a->output_file, &out);
    npc_cli_print_diags(ctx, a->verbose);
    npc_buf_free(&out);
    npc_spec_free(spec);
    npc_ctx_free(ctx);
    npc_cli_spec_args_free(a);
    return rc;
}
