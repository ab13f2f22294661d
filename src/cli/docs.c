#include "cli/cli.h"

int npc_cli_docs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return npc_cli_usage_error("docs", "not built yet");
}
