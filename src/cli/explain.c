/* netpolc explain: the decision chain of one flow through every tier. */
#include "cli.h"

int npc_cli_explain(int argc, char **argv)
{
    return npc_cli_flow(argc, argv, "explain", 1);
}
