/* netpolc render SPEC [--engine E] [--set k=v]... [--values FILE]... [--format yaml|json] [-o FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec_args.h"

void npc_cli_render_help(FILE *out)
{
    const char *const *engines = npc_render_engines();
    fprintf(out, "usage: netpolc render SPEC [--engine ENGINE] [--set KEY=VALUE]... [--values FILE]...\n"
           "                      [--format yaml|json] [-o FILE] [-v]\n\n"
           "Compiles the traffic spec SPEC into network policies for one engine.\n\n"
           "  --engine ENGINE   policy dialect (default: the spec's engine, else kubernetes);\n"
           "                    supported:");
    for (size_t i = 0; engines[i]; i++)
        fprintf(out, " %s", engines[i]);
    fprintf(out, "\n");
    npc_cli_spec_args_help(out);
    fprintf(out,
        "  --format FMT      yaml (a --- stream, default) or json (a v1 List);\n"
        "                    --output FMT is the same\n"
        "  -o FILE           write the policies to FILE instead of stdout (whole or not at all)\n"
        "  -v, --verbose     also print notes\n\n"
        "Exit status: 0 rendered, 2 bad spec, option or usage (nothing is written).\n");
}

struct render_args {
    const char *engine;
    npc_format fmt;
};

static npc_status produce_render(npc_spec *spec, const void *user, npc_buf *out)
{
    const struct render_args *ra = user;
    return npc_render(spec, ra->engine, ra->fmt, out);
}

int npc_cli_render(int argc, char **argv)
{
    npc_spec_args sa;
    const char *engine = NULL, *format = "yaml";
    int r = npc_cli_spec_args(argc, argv, "render", &sa);
    if (r != 0) {
        if (r < 0)
            npc_cli_render_help(stdout);
        npc_cli_spec_args_free(&sa);
        return r < 0 ? NPC_EXIT_OK : NPC_EXIT_USAGE;
    }
    int rc = NPC_EXIT_OK;
    /* -o used to be the format here: never write a file named "json" for it */
    if (sa.output_file && (!strcmp(sa.output_file, "yaml") || !strcmp(sa.output_file, "json")))
        rc = npc_cli_usage_error("render",
                                 "-o names the output FILE; for the %s format use --format %s "
                                 "(for a file of that name, -o ./%s)",
                                 sa.output_file, sa.output_file, sa.output_file);
    for (size_t i = 0; i < sa.nrest && rc == NPC_EXIT_OK; i += 2) {
        const char *k = sa.rest[i], *v = sa.rest[i + 1];
        if (!strcmp(k, "--engine"))
            engine = v;
        else if (!strcmp(k, "--format") || !strcmp(k, "--output"))
            format = v;
        else
            rc = npc_cli_unknown_option("render", "render", k);
    }
    npc_format fmt = NPC_FORMAT_YAML;
    if (rc == NPC_EXIT_OK && !strcmp(format, "json"))
        fmt = NPC_FORMAT_JSON;
    else if (rc == NPC_EXIT_OK && strcmp(format, "yaml") != 0)
        rc = npc_cli_usage_error("render", "--format must be yaml or json, not '%s'", format);
    if (rc != NPC_EXIT_OK) {
        npc_cli_spec_args_free(&sa);
        return rc;
    }
    struct render_args ra = {engine, fmt};
    return npc_cli_spec_run(&sa, produce_render, &ra);
}
