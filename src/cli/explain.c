#include "cli/cli.h"

int npc_cli_explain(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return npc_cli_usage_error("explain", "not built yet");
}
