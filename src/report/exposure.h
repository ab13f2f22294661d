/* Exposure-analysis reports: netpol-analyzer's `list --exposure` section
 * after the connection list, in every output format.
 *
 * Lines name a workload, a peer and a connection set; the peer is
 * "entire-cluster", an external range (the workload's connections with
 * external ranges from the connection list), or a representative peer
 * "<namespace>/<pods>": "[namespace with {k=v}]", "[all namespaces]" or a
 * namespace name, then "[pod with {k=v}]" or "[all pods]" (match
 * expressions as "{Key:k,Operator:In,Values:[a b],}"). */
#ifndef NPC_REPORT_EXPOSURE_H
#define NPC_REPORT_EXPOSURE_H
#include "eval/eval.h"
#include "report/report.h"

/* A representative peer's names: ns/pod parts without brackets (dot), and
 * the peer as text lines show it. */
typedef struct npc_expo_rep_name {
    char *ns, *pod, *text;
    int ns_is_name; /* ns is a namespace's name */
} npc_expo_rep_name;

typedef struct npc_expo_line {
    char *wl;   /* the workload's id */
    char *peer; /* as above */
    char *conn;
    int32_t rep; /* -2: external range, -1: entire cluster, else a representative peer */
} npc_expo_line;

typedef struct npc_expo_report {
    NPC_VEC(npc_expo_line) lines[2]; /* [npc_dir], sorted by (workload, peer) */
    NPC_VEC(char *) unprotected;     /* "<wl> is not protected on Egress", sorted */
    NPC_VEC(npc_expo_rep_name) reps; /* indexed like npc_exposure.reps */
    /* "UDP 52" with a focus connection (lines then name no connection
     * set), else NULL */
    char *focus_conn;
} npc_expo_report;

/* Names the selectors of a representative peer. */
void npc_expo_rep_name_of(const npc_cluster *c, const npc_rep_peer *rp, npc_expo_rep_name *out);
/* Builds the exposure lines of x for the workloads the focus options of o
 * keep, with the external-range rows of r (the connection list report). */
void npc_expo_report_build(npc_cluster *c, const npc_exposure *x, const npc_report *r,
                           const npc_report_opts *o, npc_expo_report *out);
void npc_expo_report_free(npc_expo_report *e);
/* Writes the connection list r followed by the exposure section e. */
void npc_expo_write(npc_report_format f, const npc_report *r, const npc_expo_report *e,
                    npc_buf *out);
/* The txt exposure section alone (after an explanation report). */
void npc_expo_write_txt_section(const npc_expo_report *e, npc_buf *out);
void npc_expo_write_dot(const npc_report *r, const npc_expo_report *e, npc_buf *out);

#endif
