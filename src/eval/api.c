/* The public entry points of cluster analysis (netpolc.h), over the model
 * loaders and the evaluator: loading and one flow. The connection list is
 * src/report/api.c. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "model/load.h"
#include "util/buf.h"
#include "util/diag.h"

npc_status npc_cluster_load(npc_cluster *c, const char *const *paths, size_t npaths)
{
    /* npc_cluster_load_paths does not modify the strings; one call for
     * every path, so that its summaries (kinds not evaluated, objects
     * declared twice) cover the whole input */
    char **copy = npc_xcalloc(npaths + 1, sizeof *copy);
    for (size_t i = 0; i < npaths; i++)
        copy[i] = npc_xstrdup(paths[i]);
    npc_status st = npc_cluster_load_paths(c, copy, (int)npaths);
    for (size_t i = 0; i < npaths; i++)
        free(copy[i]);
    free(copy);
    if (st == NPC_OK && npc_error_count(c->ctx) == 0 && !npc_workloads_check(c))
        st = NPC_ERR_INPUT;
    else if (st == NPC_ERR_INPUT && c->workloads.len && !npc_error_limit_reached(c->ctx))
        /* the owners the loaded policies tell apart (NPC219) are reported
         * with the load errors, not only once those are fixed: fixing a
         * policy can only add selected labels */
        (void)npc_workloads_check(c);
    return st;
}

npc_status npc_cluster_eval(npc_cluster *c, const char *from, const char *to, const char *protocol,
                            unsigned port, int *allowed, npc_buf *reason, npc_buf *explain)
{
    npc_loc none = {NULL, 0, 0};
    *allowed = 0;
    char up[8] = {0};
    size_t n = strlen(protocol);
    for (size_t i = 0; i < n && i < sizeof up - 1; i++)
        up[i] = (char)(protocol[i] >= 'a' && protocol[i] <= 'z' ? protocol[i] - 32 : protocol[i]);
    npc_proto proto;
    if (n >= sizeof up || !npc_proto_parse(up, &proto)) {
        npc_error(c->ctx, NPC208, none, "invalid protocol '%s' (expected TCP, UDP or SCTP)",
                  protocol);
        return NPC_ERR_INPUT;
    }
    if (port < 1 || port > 65535) {
        npc_error(c->ctx, NPC207, none, "port %u is out of range 1-65535", port);
        return NPC_ERR_INPUT;
    }
    if (!npc_workloads_check(c))
        return NPC_ERR_INPUT;
    npc_status st = npc_eval_build(c);
    if (st != NPC_OK)
        return st;
    npc_flow_end src, dst;
    npc_buf err = NPC_BUF_INIT;
    if (!npc_flow_end_parse(c, from, &src, &err) || !npc_flow_end_parse(c, to, &dst, &err)) {
        npc_error(c->ctx, NPC221, none, "%s", err.data);
        npc_buf_free(&err);
        return NPC_ERR_INPUT;
    }
    npc_buf_free(&err);
    *allowed = npc_flow_eval(c, &src, &dst, proto, (uint16_t)port, reason, explain);
    return NPC_OK;
}
