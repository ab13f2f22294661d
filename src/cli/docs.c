/* netpolc docs SPEC [--format md|csv] [--set k=v]... [--values FILE]... */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/spec_args.h"

static void docs_help(void)
{
    printf("usage: netpolc docs SPEC [--format md|csv] [--set KEY=VALUE]... [--values FILE]...\n\n"
           "Writes the required-traffic table of the traffic spec SPEC: component, namespace,\n"
           "port, protocol, direction, source/destination, purpose, selectable by label.\n\n"
           "  --format FMT      md (Markdown, default) or csv\n"
           "  --set KEY=VALUE   set an option; repeatable\n"
           "  -f, --values FILE set options from a YAML mapping; repeatable\n\n"
           "Exit status: 0 written, 2 bad spec, option or usage (nothing is written).\n");
}

static npc_status produce_docs(npc_spec *spec, const void *user, npc_buf *out)
{
    return npc_docs(spec, *(const npc_docs_format *)user, out);
}

int npc_cli_docs(int argc, char **argv)
{
    npc_spec_args sa;
    const char *format = "md";
    int r = npc_cli_spec_args(argc, argv, "docs", &sa);
    if (r < 0) {
        docs_help();
        npc_cli_spec_args_free(&sa);
        return NPC_EXIT_OK;
    }
    if (r > 0)
        return npc_cli_spec_args_free(&sa), NPC_EXIT_USAGE;
    for (size_t i = 0; i < sa.nrest; i += 2) {
        if (!strcmp(sa.rest[i], "--format"))
            format = sa.rest[i + 1];
        else {
            npc_cli_spec_args_free(&sa);
            return npc_cli_usage_error("docs", "unknown option '%s'", sa.rest[i]);
        }
    }
    npc_docs_format fmt;
    if (!strcmp(format, "md"))
        fmt = NPC_DOCS_MD;
    else if (!strcmp(format, "csv"))
        fmt = NPC_DOCS_CSV;
    else {
        npc_cli_spec_args_free(&sa);
        return npc_cli_usage_error("docs", "--format must be md or csv, not '%s'", format);
    }
    return npc_cli_spec_run(&sa, produce_docs, &fmt);
}
