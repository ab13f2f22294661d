/* Shared by the fuzz targets that load manifests: load the file at path,
 * and when it loads cleanly build the evaluator, compute the connection
 * list and evaluate flows between the first max_wl workloads (on port
 * base_port + i, protocol by position) and between each of them and the
 * addresses addrs; then format the diagnostics. */
#ifndef NPC_FUZZ_LOAD_EVAL_H
#define NPC_FUZZ_LOAD_EVAL_H
#include <string.h>

#include "eval/eval.h"
#include "model/load.h"
#include "netpolc.h"

static void npc_fuzz_load_eval(char *path, size_t max_wl, uint16_t base_port,
                               const char *const *addrs, size_t naddrs)
{
    npc_ctx *ctx = npc_ctx_new();
    npc_limits lim = npc_ctx_limits(ctx);
    lim.max_alias_nodes = 20000;
    npc_ctx_set_limits(ctx, &lim);
    npc_cluster *c = npc_cluster_new(ctx);
    npc_status st = npc_cluster_load_paths(c, &path, 1);
    if (st == NPC_OK && npc_error_count(ctx) == 0 && npc_workloads_check(c) &&
        npc_eval_build(c) == NPC_OK) {
        npc_connlist l;
        memset(&l, 0, sizeof l);
        npc_connlist_compute(c, &l);
        npc_connlist_free(&l);
        size_t n = c->workloads.len < max_wl ? c->workloads.len : max_wl;
        npc_buf reason = NPC_BUF_INIT, chain = NPC_BUF_INIT;
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                npc_flow_end src = {NPC_EP_WORKLOAD, (uint32_t)i, {0, 0}};
                npc_flow_end dst = {NPC_EP_WORKLOAD, (uint32_t)j, {0, 0}};
                npc_flow_eval(c, &src, &dst, (npc_proto)((i + j) % NPC_PROTO_COUNT),
                              (uint16_t)(base_port + i), &reason, &chain);
                npc_buf_free(&reason);
                npc_buf_free(&chain);
            }
            for (size_t k = 0; k < naddrs; k++) {
                npc_flow_end ext = {NPC_EP_EXTERNAL, 0, {0, 0}};
                npc_ip_parse(addrs[k], &ext.ip);
                npc_flow_end wl = {NPC_EP_WORKLOAD, (uint32_t)i, {0, 0}};
                npc_flow_eval(c, &wl, &ext, NPC_PROTO_TCP, 443, &reason, &chain);
                npc_flow_eval(c, &ext, &wl, NPC_PROTO_UDP, 53, NULL, NULL);
                npc_buf_free(&reason);
                npc_buf_free(&chain);
            }
        }
    }
    npc_buf out = NPC_BUF_INIT;
    npc_diags_format(ctx, NPC_SEV_NOTE, 0, &out);
    npc_buf_free(&out);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
}

#endif
