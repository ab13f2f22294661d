/* netpolc render SPEC [--engine E] [--set k=v]... [--values FILE]... [--output yaml|json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/spec_args.h"

static void render_help(void)
{
    const char *const *engines = npc_render_engines();
    printf("usage: netpolc render SPEC [--engine ENGINE] [--set KEY=VALUE]... [--values FILE]...\n"
           "                      [--output yaml|json]\n\n"
           "Compiles the traffic spec SPEC into network policies for one engine.\n\n"
           "  --engine ENGINE   policy dialect (default: the spec's engine, else kubernetes);\n"
           "                    supported:");
    for (size_t i = 0; engines[i]; i++)
        printf(" %s", engines[i]);
    printf("\n"
           "  --set KEY=VALUE   set an option (dotted name; lists as a,b or [..]); repeatable\n"
           "  -f, --values FILE set options from a YAML mapping; repeatable, applied before --set\n"
           "  -o, --output FMT  yaml (a --- stream, default) or json (a v1 List)\n\n"
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
    const char *engine = NULL, *output = "yaml";
    int r = npc_cli_spec_args(argc, argv, "render", &sa);
    if (r < 0) {
        render_help();
        npc_cli_spec_args_free(&sa);
        return NPC_EXIT_OK;
    }
    if (r > 0)
        return npc_cli_spec_args_free(&sa), NPC_EXIT_USAGE;
    for (size_t i = 0; i < sa.nrest; i += 2) {
        const char *k = sa.rest[i], *v = sa.rest[i + 1];
        if (!strcmp(k, "--engine"))
            engine = v;
        else if (!strcmp(k, "--output") || !strcmp(k, "-o"))
            output = v;
        else {
            npc_cli_spec_args_free(&sa);
            return npc_cli_usage_error("render", "unknown option '%s'", k);
        }
    }
    npc_format fmt;
    if (!strcmp(output, "yaml"))
        fmt = NPC_FORMAT_YAML;
    else if (!strcmp(output, "json"))
        fmt = NPC_FORMAT_JSON;
    else {
        npc_cli_spec_args_free(&sa);
        return npc_cli_usage_error("render", "--output must be yaml or json, not '%s'", output);
    }
    struct render_args ra = {engine, fmt};
    return npc_cli_spec_run(&sa, produce_render, &ra);
}
