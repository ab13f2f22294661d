#include "cli/cli.h"

int npc_cli_render(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return npc_cli_usage_error("render", "not built yet");
}
