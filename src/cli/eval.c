#include "cli/cli.h"

int npc_cli_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return npc_cli_usage_error("eval", "not built yet");
}
