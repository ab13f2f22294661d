/* netpolc docs SPEC [--format md|csv] [--set k=v]... [--values FILE]... [-o FILE] */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spec_args.h"

void npc_cli_docs_help(FILE *out)
{
    fprintf(out, "usage: netpolc docs SPEC [--format md|csv] [--set KEY=VALUE]... [--values FILE]...\n"
           "                    [-o FILE] [-v]\n\n"
           "Writes the required-traffic table of the traffic spec SPEC: component, namespace,\n"
           "port, protocol, direction, source/destination, purpose, selectable by label.\n\n"
           "  --format FMT      md (Markdown, default) or csv\n");
    npc_cli_spec_args_help(out);
    fprintf(out, "  -o FILE           write the table to FILE instead of stdout (whole or not at all)\n"
           "  -v, --verbose     also print notes\n\n"
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
    if (r != 0) {
        if (r < 0)
            npc_cli_docs_help(stdout);
        npc_cli_spec_args_free(&sa);
        return r < 0 ? NPC_EXIT_OK : NPC_EXIT_USAGE;
    }
    int rc = NPC_EXIT_OK;
    for (size_t i = 0; i < sa.nrest && rc == NPC_EXIT_OK; i += 2) {
        if (!strcmp(sa.rest[i], "--format"))
            format = sa.rest[i + 1];
        else
            rc = npc_cli_unknown_option("docs", "docs", sa.rest[i]);
    }
    npc_docs_format fmt = NPC_DOCS_MD;
    if (rc == NPC_EXIT_OK && !strcmp(format, "csv"))
        fmt = NPC_DOCS_CSV;
    else if (rc == NPC_EXIT_OK && strcmp(format, "md") != 0)
        rc = npc_cli_usage_error("docs", "--format must be md or csv, not '%s'", format);
    if (rc != NPC_EXIT_OK) {
        npc_cli_spec_args_free(&sa);
        return rc;
    }
    return npc_cli_spec_run(&sa, produce_docs, &fmt);
}
