#include "cli/cli.h"

int npc_cli_connlist(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return npc_cli_usage_error("connlist", "not built yet");
}
