/* The public entry points of cluster analysis (netpolc.h), over the model
 * loaders and the evaluator. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "model/load.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/diag.h"

npc_status npc_cluster_load(npc_cluster *c, const char *const *paths, size_t npaths)
{
    /* npc_cluster_load_paths does not modify the strings */
    npc_status st = NPC_OK;
    for (size_t i = 0; i < npaths; i++) {
        char *p = npc_xstrdup(paths[i]);
        npc_status s = npc_cluster_load_paths(c, &p, 1);
        free(p);
        if (s != NPC_OK && st == NPC_OK)
            st = s;
    }
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

npc_status npc_cluster_connlist(npc_cluster *c, const char *format, npc_buf *out)
{
    npc_report_format f;
    if (!npc_report_format_parse(format, &f)) {
        npc_loc none = {NULL, 0, 0};
        npc_error(c->ctx, NPC222, none,
                  "unknown connection list format '%s' (expected txt, json, csv, md or dot)",
                  format);
        return NPC_ERR_INPUT;
    }
    npc_connlist l;
    npc_status st = npc_connlist_compute(c, &l);
    if (st != NPC_OK)
        return st;
    npc_report_opts opts;
    memset(&opts, 0, sizeof opts);
    npc_report r;
    memset(&r, 0, sizeof r);
    npc_report_build(c, &l, &opts, &r);
    npc_report_writer_of(f)(&r, out);
    npc_report_free(&r);
    npc_connlist_free(&l);
    return NPC_OK;
}
