/* netpolc chart SPEC -o DIR: a Helm chart fragment implementing the spec. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spec_args.h"

void npc_cli_chart_help(FILE *out)
{
    fprintf(out,
        "usage: netpolc chart SPEC -o DIR [--engine ENGINE] [--values-prefix KEY] [--naming PATTERN]\n"
        "                     [--labels-include HELPER] [--set KEY=VALUE]... [--values FILE]...\n\n"
        "Writes a Helm chart fragment implementing the traffic spec SPEC into the folder DIR:\n"
        "templates/networkpolicy-ENGINE.yaml (one per engine, switched by the spec's engine\n"
        "option), values.yaml, values.schema.json and parameters.md. `helm template` of the\n"
        "fragment gives, for any values, the policies `netpolc render` gives for them.\n\n"
        "  -o DIR                  the chart folder to write into (created if missing)\n"
        "  --engine ENGINE         only this engine's templates (templates/networkpolicy.yaml),\n"
        "                          as render --engine; with a chart back end: kubernetes,\n"
        "                          clusterNetworkPolicy\n"
        "  --values-prefix KEY     nest the values under KEY (dotted), e.g. networkPolicy;\n"
        "                          --values files are read under KEY too\n"
        "  --naming PATTERN        object names, with {name}, {OPTION} and template text,\n"
        "                          e.g. '{{ .Release.Name }}-{name}' (default: spec.naming)\n"
        "  --labels-include HELPER the chart helper (define) whose output is the labels\n"
        "                          (default: spec.labels)\n"
        "  --set KEY=VALUE         set an option: its value becomes the default in values.yaml\n"
        "  -f, --values FILE       set options from a YAML mapping (applied before --set);\n"
        "                          also --set-string, --set-file, --strict-values as for render\n"
        "  -v, --verbose           also print notes\n\n"
        "Exit status: 0 written, 2 bad spec, option or usage (nothing is written).\n");
}

typedef struct chart_out {
    npc_ctx *ctx;
    const char *dir;
} chart_out;

/* Each file whole or not at all (npc_write_file), its folders made first;
 * a failure is a diagnostic (NPC010) in the context. */
static int write_file(void *user, const char *path, const char *text, size_t len)
{
    const chart_out *co = user;
    npc_buf full = NPC_BUF_INIT, body = NPC_BUF_INIT;
    npc_buf_puts(&full, co->dir);
    npc_buf_puts(&full, "/");
    npc_buf_puts(&full, path);
    int rc = 0;
    const char *slash = strrchr(path, '/');
    if (slash) { /* the file's folder: full cut at its last '/' */
        char *cut = full.data + strlen(co->dir) + 1 + (size_t)(slash - path);
        *cut = '\0';
        rc = npc_make_dir(co->ctx, full.data) != NPC_OK;
        *cut = '/';
    }
    npc_buf_puts(&body, text); /* text is NUL-terminated and holds no NUL */
    if (!rc && (body.len != len || npc_write_file(co->ctx, full.data, &body) != NPC_OK))
        rc = 1;
    npc_buf_free(&body);
    npc_buf_free(&full);
    return rc;
}

int npc_cli_chart(int argc, char **argv)
{
    npc_spec_args sa;
    int r = npc_cli_spec_args(argc, argv, "chart", &sa);
    if (r != 0) {
        if (r < 0)
            npc_cli_chart_help(stdout);
        npc_cli_spec_args_free(&sa);
        return r < 0 ? NPC_EXIT_OK : NPC_EXIT_USAGE;
    }
    npc_chart_opts opts = {NULL, NULL, NULL, NULL};
    int rc = NPC_EXIT_OK;
    for (size_t i = 0; i < sa.nrest && rc == NPC_EXIT_OK; i += 2) {
        const char *k = sa.rest[i], *v = sa.rest[i + 1];
        if (!strcmp(k, "--naming"))
            opts.naming = v;
        else if (!strcmp(k, "--labels-include"))
            opts.labels_include = v;
        else if (!strcmp(k, "--engine"))
            opts.engine = v;
        else
            rc = npc_cli_unknown_option("chart", "chart", k);
    }
    opts.values_prefix = sa.values_prefix;
    if (rc == NPC_EXIT_OK && sa.ns)
        rc = npc_cli_usage_error("chart",
                                 "--namespace is for render (the chart uses the release's)");
    if (rc == NPC_EXIT_OK && !sa.output_file)
        rc = npc_cli_usage_error("chart", "no output folder given (-o DIR)");
    if (rc != NPC_EXIT_OK) {
        npc_cli_spec_args_free(&sa);
        return rc;
    }
    npc_ctx *ctx = npc_ctx_new();
    sa.ns = "default"; /* a placeholder the generator writes as .Release.Namespace */
    npc_spec *spec = npc_cli_spec_open(ctx, &sa);
    rc = NPC_EXIT_USAGE;
    if (spec && npc_make_dir(ctx, sa.output_file) == NPC_OK) {
        chart_out co = {ctx, sa.output_file};
        if (npc_chart(spec, &opts, write_file, &co) == NPC_OK)
            rc = NPC_EXIT_OK;
    }
    npc_cli_print_diags(ctx, sa.verbose);
    npc_spec_free(spec);
    npc_ctx_free(ctx);
    npc_cli_spec_args_free(&sa);
    return rc;
}
