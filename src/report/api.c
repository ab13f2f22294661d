/* The public connection-list entry points (netpolc.h): options checked
 * once, then the list, the explanation or the exposure report, the same
 * for every caller. */
#include <string.h>

#include "report/exposure.h"
#include "report/report.h"
#include "util/diag.h"

static const npc_loc no_loc = {NULL, 0, 0};

npc_status npc_connlist_opts_check(npc_ctx *ctx, const npc_connlist_opts *o)
{
    size_t errs = npc_error_count(ctx);
    npc_report_format fmt = NPC_REPORT_TXT;
    if (o->format && !npc_report_format_parse(o->format, &fmt))
        npc_error(ctx, NPC222, no_loc,
                  "unknown connection list format '%s' (expected txt, json, csv, md or dot)",
                  o->format);
    if (o->focus_dir != NPC_FOCUS_BOTH && o->focus_dir != NPC_FOCUS_INGRESS &&
        o->focus_dir != NPC_FOCUS_EGRESS)
        npc_error(ctx, NPC222, no_loc, "--focus-direction must be ingress or egress");
    if (o->explain_only != NPC_EXPLAIN_BOTH && o->explain_only != NPC_EXPLAIN_ALLOW &&
        o->explain_only != NPC_EXPLAIN_DENY)
        npc_error(ctx, NPC222, no_loc, "--explain-only must be allow or deny");
    npc_proto proto;
    uint16_t port;
    if (o->focus_conn && !npc_report_parse_focus_conn(o->focus_conn, &proto, &port))
        npc_error(ctx, NPC222, no_loc,
                  "--focus-conn must be PROTOCOL-PORT such as tcp-80, not '%s'", o->focus_conn);
    if ((o->focus_dir != NPC_FOCUS_BOTH || o->focus_peers) &&
        !(o->focus_workloads && *o->focus_workloads))
        npc_error(ctx, NPC224, no_loc,
                  "--focus-direction and --focus-workload-peer need --focus-workload");
    if (o->explain_only != NPC_EXPLAIN_BOTH && !o->explain)
        npc_error(ctx, NPC224, no_loc, "--explain-only needs --explain");
    if (o->explain && fmt != NPC_REPORT_TXT)
        npc_error(ctx, NPC224, no_loc, "--explain writes txt only, not %s", o->format);
    return npc_error_count(ctx) > errs ? NPC_ERR_INPUT : NPC_OK;
}

static npc_report_opts report_opts(const npc_connlist_opts *o)
{
    npc_report_opts r;
    memset(&r, 0, sizeof r);
    r.focus_workloads = o->focus_workloads;
    r.focus_peers = o->focus_peers;
    r.focus_dir = o->focus_dir;
    if (o->focus_conn) {
        r.has_focus_conn = 1;
        npc_report_parse_focus_conn(o->focus_conn, &r.conn_proto, &r.conn_port);
    }
    return r;
}

/* Whether a focus workload named no workload (NPC220) since diagnostic
 * `from`: the report is empty then, and there is nothing to expose. */
static int focus_unknown(const npc_ctx *ctx, size_t from)
{
    const char *code = npc_code_name(NPC220);
    for (size_t i = from; i < npc_diag_count(ctx); i++)
        if (strcmp(npc_diag_get(ctx, i)->code, code) == 0)
            return 1;
    return 0;
}

/* The list (and its exposure section) in format fmt. */
static npc_status write_list(npc_cluster *c, const npc_report_opts *ro, npc_report_format fmt,
                             int exposure, size_t diags_from, npc_buf *out)
{
    npc_connlist l;
    memset(&l, 0, sizeof l);
    npc_status st = npc_connlist_compute(c, &l);
    if (st == NPC_OK) {
        npc_report r;
        npc_report_build(c, &l, ro, &r);
        npc_connlist_free(&l); /* the report owns what it shows: one at a time in memory */
        if (exposure && !focus_unknown(c->ctx, diags_from)) {
            npc_exposure x;
            npc_expo_report e;
            npc_exposure_compute(c, &x);
            npc_expo_report_build(c, &x, &r, ro, &e);
            npc_expo_write(fmt, &r, &e, out);
            npc_expo_report_free(&e);
            npc_exposure_free(&x);
        } else {
            npc_report_writer_of(fmt)(&r, out);
        }
        npc_report_free(&r);
    }
    npc_connlist_free(&l);
    return st;
}

/* The exposure section after an explanation: its external-range lines
 * come from the connection list. */
static npc_status write_exposure_section(npc_cluster *c, const npc_report_opts *ro, npc_buf *out)
{
    npc_connlist l;
    memset(&l, 0, sizeof l);
    npc_status st = npc_connlist_compute(c, &l);
    if (st == NPC_OK) {
        npc_report r;
        npc_exposure x;
        npc_expo_report e;
        npc_report_build(c, &l, ro, &r);
        npc_exposure_compute(c, &x);
        npc_expo_report_build(c, &x, &r, ro, &e);
        npc_buf_putc(out, '\n');
        npc_expo_write_txt_section(&e, out);
        npc_expo_report_free(&e);
        npc_exposure_free(&x);
        npc_report_free(&r);
    }
    npc_connlist_free(&l);
    return st;
}

npc_status npc_cluster_connlist(npc_cluster *c, const npc_connlist_opts *opts, npc_buf *out)
{
    static const npc_connlist_opts defaults = NPC_CONNLIST_OPTS_INIT;
    const npc_connlist_opts *o = opts ? opts : &defaults;
    if (npc_connlist_opts_check(c->ctx, o) != NPC_OK || !npc_workloads_check(c))
        return NPC_ERR_INPUT;
    npc_status st = npc_eval_build(c);
    if (st != NPC_OK)
        return st;
    npc_report_format fmt = NPC_REPORT_TXT;
    if (o->format)
        npc_report_format_parse(o->format, &fmt);
    npc_report_opts ro = report_opts(o);
    size_t errs = npc_error_count(c->ctx), diags_from = npc_diag_count(c->ctx);
    npc_buf b = NPC_BUF_INIT;
    if (o->explain) {
        st = npc_report_explain(c, &ro, o->explain_only, &b);
        if (st == NPC_OK && o->exposure && npc_error_count(c->ctx) == errs &&
            !focus_unknown(c->ctx, diags_from))
            st = write_exposure_section(c, &ro, &b);
    } else {
        st = write_list(c, &ro, fmt, o->exposure, diags_from, &b);
    }
    if (st == NPC_OK && npc_error_count(c->ctx) > errs)
        st = NPC_ERR_INPUT;
    if (st == NPC_OK && out->len == 0) {
        npc_buf t = *out; /* nothing to keep: take the text rather than copy it */
        *out = b;
        b = t;
    } else if (st == NPC_OK) {
        npc_buf_append(out, b.data ? b.data : "", b.len);
    }
    npc_buf_free(&b);
    return st;
}
