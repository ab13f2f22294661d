/* Connection-list reports: the evaluator's npc_connlist turned into named,
 * sorted, focused rows, and one writer per output format (txt, json, csv,
 * md, dot), all with the same signature, as cmark's renderers.
 *
 * The formats are netpol-analyzer's `list` output, byte for byte, so its
 * users can switch and results compare exactly:
 *   src => dst : conn        peers "ns/name[Kind]" or "a.b.c.d-e.f.g.h[External]",
 *                            conn as npc_portset_format writes it.
 * Rows are sorted by source then destination (byte order); self pairs and
 * pairs of two external ranges never appear. */
#ifndef NPC_REPORT_REPORT_H
#define NPC_REPORT_REPORT_H
#include "eval/eval.h"
#include "model/ir.h"
#include "util/buf.h"

typedef enum npc_report_format {
    NPC_REPORT_TXT,
    NPC_REPORT_JSON,
    NPC_REPORT_CSV,
    NPC_REPORT_MD,
    NPC_REPORT_DOT,
    NPC_REPORT_FORMAT_COUNT
} npc_report_format;

/* A connection end as reports name it. */
typedef struct npc_report_peer {
    char *id;          /* "ns/name[Kind]" or "first-last[External]" */
    char *label;       /* dot node label: "name[Kind]", or the id for a range */
    const char *ns;    /* namespace name; NULL for an external range */
    npc_iprange range; /* an external range's addresses */
} npc_report_peer;

typedef struct npc_report_row {
    uint32_t src, dst; /* indices into npc_report.peers */
    const char *conn;  /* "All Connections", "TCP 80,UDP 53", ...: one of npc_report.conns */
} npc_report_row;

/* What to keep (netpol-analyzer's focus options). */
typedef struct npc_report_opts {
    /* Comma-separated workloads, each "name" or "ns/name": keep pairs with
     * one of them at one end. NULL or "": every pair. */
    const char *focus_workloads;
    /* Comma-separated workloads: with focus_workloads, the other end must
     * be one of these. */
    const char *focus_peers;
    /* Both directions, ingress only (the focus workload is the
     * destination) or egress only (it is the source). */
    npc_focus_dir focus_dir;
    /* Keep pairs whose allowed set holds conn_port/conn_proto, and print
     * them without their connection sets. */
    int has_focus_conn;
    npc_proto conn_proto;
    uint16_t conn_port;
} npc_report_opts;

typedef struct npc_report {
    NPC_VEC(npc_report_peer) peers;
    NPC_VEC(npc_report_row) rows; /* sorted by (src id, dst id) */
    NPC_VEC(char *) conns;        /* the rows' connection strings, owned (shared by rows) */
    NPC_VEC(uint32_t) nodes;      /* dot: workloads drawn even without edges */
    char *focus_conn;             /* "UDP 52" with has_focus_conn, else NULL */
} npc_report;

/* Parses "txt", "json", "csv", "md", "dot"; returns 1 on success. */
int npc_report_format_parse(const char *s, npc_report_format *out);
const char *npc_report_format_name(npc_report_format f);
/* Parses netpol-analyzer's focus-conn "<proto>-<port>" ("udp-52",
 * case-insensitive protocol); returns 1 on success. */
int npc_report_parse_focus_conn(const char *s, npc_proto *proto, uint16_t *port);

/* Names, filters and sorts the connections of l (workloads of c).
 * A focus workload that names no workload gets a warning (NPC220) and an
 * empty report, as netpol-analyzer does. */
void npc_report_build(npc_cluster *c, const npc_connlist *l, const npc_report_opts *o,
                      npc_report *r);
void npc_report_free(npc_report *r);

/* The focus options of o as a predicate over pairs, for reports that
 * enumerate pairs themselves. Warns (NPC220) about focus names that name
 * no workload; *empty is set when none does (the report is empty). */
typedef struct npc_report_focus npc_report_focus;
npc_report_focus *npc_report_focus_new(npc_cluster *c, const npc_report_opts *o, int *empty);
int npc_report_focus_keeps(const npc_report_focus *f, const npc_conn *k);
void npc_report_focus_free(npc_report_focus *f);
/* A peer's id as rows name it ("ns/name[Kind]", "first-last[External]");
 * the caller frees it. */
char *npc_report_endpoint_id(const npc_cluster *c, const npc_endpoint *e);

/* netpol-analyzer's `list --explain` txt report (explain_np.c): per
 * ordered pair of peers (focus options applied), the allowed and denied
 * port ranges and the policies and rules that decided them in each
 * direction; pairs allowed entirely by the system default are listed by
 * name at the end; `only` (netpolc.h) keeps the allowed or the denied
 * ports. */
npc_status npc_report_explain(npc_cluster *c, const npc_report_opts *o, npc_explain_only only,
                              npc_buf *out);

/* One writer per format; each appends the whole report to out. */
typedef void (*npc_report_writer)(const npc_report *r, npc_buf *out);
void npc_report_txt(const npc_report *r, npc_buf *out);
void npc_report_json(const npc_report *r, npc_buf *out);
void npc_report_csv(const npc_report *r, npc_buf *out);
void npc_report_md(const npc_report *r, npc_buf *out);
void npc_report_dot(const npc_report *r, npc_buf *out);
/* The writer of format f. */
npc_report_writer npc_report_writer_of(npc_report_format f);

/* Shared by the writers: Go-compatible quoting (JSON strings as
 * encoding/json writes them, dot identifiers as %q). */
void npc_report_json_string(npc_buf *out, const char *s);
void npc_report_go_quote(npc_buf *out, const char *s);
/* One CSV field, quoted as Go's encoding/csv does. */
void npc_report_csv_field(npc_buf *out, const char *s);
/* Sorts an array of owned strings in byte order. */
void npc_report_sort_strings(char **v, size_t n);

#endif
