/* netpolc chart SPEC -o DIR: a Helm chart fragment implementing the spec.
 * Uses the public interface only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netpolc.h"

int npc_cli_chart(int argc, char **argv);

static const char chart_help[] =
    "usage: netpolc chart SPEC -o DIR [--values-prefix KEY] [--naming PATTERN]\n"
    "                     [--labels-include HELPER] [--set KEY=VALUE]... [--values FILE]...\n\n"
    "Writes a Helm chart fragment implementing the traffic spec SPEC into DIR:\n"
    "templates/networkpolicy-ENGINE.yaml (one per engine, switched by the spec's engine\n"
    "option), values.yaml, values.schema.json and parameters.md. `helm template` of the\n"
    "fragment gives, for any values, the policies `netpolc render` gives for them.\n\n"
    "  -o, --output DIR        the chart folder to write into (created if missing)\n"
    "  --values-prefix KEY     nest the values under KEY (dotted), e.g. networkPolicy\n"
    "  --naming PATTERN        object names, with {name}, {OPTION} and template text,\n"
    "                          e.g. '{{ .Release.Name }}-{name}' (default: spec.naming)\n"
    "  --labels-include HELPER the chart helper (define) whose output is the labels\n"
    "                          (default: spec.labels)\n"
    "  --set KEY=VALUE         set an option: its value becomes the default in values.yaml\n"
    "  -f, --values FILE       set options from a YAML mapping (applied before --set)\n\n"
    "Exit status: 0 written, 2 bad spec, option or usage (nothing is written).\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "netpolc chart: %s%s%s\nRun 'netpolc chart --help' for usage.\n", msg,
            arg ? " " : "", arg ? arg : "");
    return NPC_EXIT_USAGE;
}

static int make_dir(const char *path)
{
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

static int write_file(void *user, const char *path, const char *text, size_t len)
{
    const char *dir = *(const char **)user;
    size_t n = strlen(dir) + strlen(path) + 2;
    char *full = malloc(n);
    if (!full)
        return -1;
    snprintf(full, n, "%s/%s", dir, path);
    for (char *p = full + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        int r = make_dir(full);
        *p = '/';
        if (r)
            break;
    }
    FILE *f = fopen(full, "wb");
    int rc = !f || fwrite(text, 1, len, f) != len;
    if (f && fclose(f) != 0)
        rc = 1;
    if (rc)
        fprintf(stderr, "netpolc chart: cannot write %s: %s\n", full, strerror(errno));
    free(full);
    return rc;
}

int npc_cli_chart(int argc, char **argv)
{
    const char *spec_path = NULL, *dir = NULL;
    npc_chart_opts opts = {NULL, NULL, NULL};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    const char **values = calloc((size_t)argc + 1, sizeof *values);
    size_t nsets = 0, nvalues = 0;
    int rc = NPC_EXIT_USAGE;
    if (!sets || !values)
        goto done;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(chart_help, stdout);
            rc = NPC_EXIT_OK;
            goto done;
        }
        if (a[0] != '-' || !a[1]) {
            if (spec_path) {
                rc = usage_error("more than one SPEC given:", a);
                goto done;
            }
            spec_path = a;
            continue;
        }
        const char *val = NULL, *eq = strchr(a, '=');
        size_t klen = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
        if (eq && a[1] == '-')
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            rc = usage_error("this option needs a value:", a);
            goto done;
        }
#define IS(opt) (klen == strlen(opt) && !strncmp(a, opt, klen))
        if (IS("-o") || IS("--output"))
            dir = val;
        else if (IS("--values-prefix"))
            opts.values_prefix = val;
        else if (IS("--naming"))
            opts.naming = val;
        else if (IS("--labels-include"))
            opts.labels_include = val;
        else if (IS("--set"))
            sets[nsets++] = val;
        else if (IS("-f") || IS("--values"))
            values[nvalues++] = val;
        else {
            rc = usage_error("unknown option", a);
            goto done;
        }
#undef IS
    }
    if (!spec_path || !dir) {
        rc = usage_error(!spec_path ? "no SPEC given" : "no output folder given (-o DIR)", NULL);
        goto done;
    }
    npc_ctx *ctx = npc_ctx_new();
    npc_spec *spec = npc_spec_load(ctx, spec_path);
    int ok = spec != NULL;
    for (size_t i = 0; ok && i < nvalues; i++)
        ok = npc_spec_values_file(spec, values[i]) == NPC_OK && ok;
    for (size_t i = 0; spec && i < nsets; i++)
        ok = npc_spec_set(spec, sets[i]) == NPC_OK && ok;
    if (ok && make_dir(dir) != 0) {
        fprintf(stderr, "netpolc chart: cannot create %s: %s\n", dir, strerror(errno));
        ok = 0;
    }
    if (ok && npc_chart(spec, &opts, write_file, &dir) == NPC_OK)
        rc = NPC_EXIT_OK;
    npc_buf b = NPC_BUF_INIT;
    npc_diags_format(ctx, isatty(2), &b);
    if (b.len)
        fwrite(b.data, 1, b.len, stderr);
    npc_buf_free(&b);
    npc_spec_free(spec);
    npc_ctx_free(ctx);
done:
    free(sets);
    free(values);
    return rc;
}
