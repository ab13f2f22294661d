/* verify's reports: text (default), JSON, and Markdown for a pull-request
 * comment; one run, or one line (object) per option combination. */
#include <string.h>

#include "util/buf.h"
#include "verify/verify_int.h"

static const char *const kind_names[] = {"missing", "excess", "unenforceable"};
#define NKINDS 3

static void conns_text(const vf_finding *f, npc_buf *out)
{
    npc_portset_format(&f->conns, out);
}

/* The fields of a finding, for JSON keys and Markdown cells (the last two,
 * flow and purpose, share one cell). conn holds the connection text. */
#define NFIELDS 6
static const char *const field_names[NFIELDS] = {"src", "dst", "conn", "why", "flow", "purpose"};

static void finding_values(const vf_finding *f, npc_buf *conn, const char *v[NFIELDS])
{
    conns_text(f, conn);
    v[0] = f->src;
    v[1] = f->dst;
    v[2] = npc_buf_cstr(conn);
    v[3] = f->what;
    v[4] = f->flow;
    v[5] = f->by_passthrough ? "passthrough rules" : f->purpose;
}

/* "clean", "clean, N unenforceable", or the counts (unenforceable ones
 * only when there are some). */
static void summary_text(const vf_result *r, npc_buf *out)
{
    if (!vf_result_fails(r))
        npc_buf_puts(out, "clean");
    else
        npc_buf_printf(out, "%zu missing, %zu excess", r->missing, r->excess);
    if (r->unenforceable)
        npc_buf_printf(out, ", %zu unenforceable", r->unenforceable);
}

/* ---------------------------------------------------------------- text */

static void text_findings(const vf_result *r, const char *indent, npc_buf *out)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        const vf_finding *f = &r->findings.items[i];
        npc_buf_printf(out, "%s%s %s -> %s ", indent, kind_names[f->kind], f->src, f->dst);
        conns_text(f, out);
        npc_buf_printf(out, "\n%s  %s\n", indent, f->what);
        if (f->by_passthrough)
            npc_buf_printf(out, "%s  declared by the passthrough rules at %s\n", indent, f->flow);
        else if (f->flow)
            npc_buf_printf(out, "%s  %s the flow at %s%s%s%s\n", indent,
                           f->kind == VF_MISSING ? "declared by" : "the allowing rule comes from",
                           f->flow, f->purpose ? " (" : "", f->purpose ? f->purpose : "",
                           f->purpose ? ")" : "");
        else if (f->kind == VF_EXCESS)
            npc_buf_printf(out, "%s  no flow of the spec allows it\n", indent);
        else
            npc_buf_printf(out, "%s  no flow of the spec allows it, and the engine cannot deny it\n",
                           indent);
    }
    if (r->unenforceable)
        npc_buf_printf(out, "%sunenforceable: %s\n", indent, r->ingress_limit);
    for (size_t i = 0; i < r->notes.len; i++)
        npc_buf_printf(out, "%snote: %s\n", indent, r->notes.items[i]);
}

/* ---------------------------------------------------------------- json */

static void jstr(npc_buf *out, const char *s)
{
    if (s)
        npc_buf_put_quoted(out, s, 0);
    else
        npc_buf_puts(out, "null");
}

static void json_run(const vf_run_info *info, const vf_result *r, const char *ind, npc_buf *out)
{
    npc_buf_printf(out, "%s{\n%s  \"spec\": ", ind, ind);
    jstr(out, info->spec_file);
    npc_buf_printf(out, ",\n%s  \"engine\": ", ind);
    jstr(out, info->engine);
    npc_buf_printf(out, ",\n%s  \"policies\": ", ind);
    jstr(out, info->policies);
    npc_buf_printf(out, ",\n%s  \"combination\": ", ind);
    jstr(out, info->combination);
    npc_buf_printf(out,
                   ",\n%s  \"result\": \"%s\",\n%s  \"counts\": {\"policies\": %zu, "
                   "\"endpoints\": %zu, \"probes\": %zu, \"missing\": %zu, \"excess\": %zu, "
                   "\"unenforceable\": %zu}",
                   ind, vf_result_fails(r) ? "findings" : "clean", ind, r->policies, r->endpoints,
                   r->probes, r->missing, r->excess, r->unenforceable);
    npc_buf_printf(out, ",\n%s  \"engine_limit\": ", ind);
    jstr(out, r->ingress_limit);
    for (int k = 0; k < NKINDS; k++) {
        npc_buf_printf(out, ",\n%s  \"%s\": [", ind, kind_names[k]);
        int first = 1;
        for (size_t i = 0; i < r->findings.len; i++) {
            const vf_finding *f = &r->findings.items[i];
            if ((int)f->kind != k)
                continue;
            npc_buf_printf(out, "%s\n%s    {", first ? "" : ",", ind);
            first = 0;
            npc_buf conn = NPC_BUF_INIT;
            const char *v[NFIELDS];
            finding_values(f, &conn, v);
            for (int j = 0; j < NFIELDS; j++) {
                npc_buf_printf(out, "%s\"%s\": ", j ? ", " : "", field_names[j]);
                jstr(out, v[j]);
            }
            npc_buf_free(&conn);
            npc_buf_putc(out, '}');
        }
        npc_buf_printf(out, "%s]", first ? "" : "\n  ");
    }
    npc_buf_printf(out, ",\n%s  \"notes\": [", ind);
    for (size_t i = 0; i < r->notes.len; i++) {
        npc_buf_puts(out, i ? ", " : "");
        jstr(out, r->notes.items[i]);
    }
    npc_buf_printf(out, "]\n%s}", ind);
}

/* ------------------------------------------------------------ markdown */

/* Table cell text: pipes escaped, no line breaks. */
static void md_cell(npc_buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            npc_buf_puts(out, "\\|");
        else if (*s == '\n')
            npc_buf_putc(out, ' ');
        else
            npc_buf_putc(out, *s);
    }
}

static void md_findings(const vf_result *r, npc_buf *out)
{
    if (!r->findings.len)
        return;
    npc_buf_puts(out,
                 "\n| finding | source | destination | connections | what decided | spec flow |\n"
                 "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->findings.len; i++) {
        const vf_finding *f = &r->findings.items[i];
        npc_buf conn = NPC_BUF_INIT;
        const char *v[NFIELDS];
        finding_values(f, &conn, v);
        npc_buf_printf(out, "| %s |", kind_names[f->kind]);
        for (int j = 0; j < NFIELDS - 2; j++) { /* names as code, then text */
            npc_buf_puts(out, j < 2 ? " `" : " ");
            md_cell(out, v[j]);
            npc_buf_puts(out, j < 2 ? "` |" : " |");
        }
        npc_buf_putc(out, ' ');
        if (f->flow) {
            md_cell(out, v[4]);
            if (v[5]) {
                npc_buf_puts(out, " (");
                md_cell(out, v[5]);
                npc_buf_puts(out, ")");
            }
        }
        npc_buf_free(&conn);
        npc_buf_puts(out, " |\n");
    }
    if (r->unenforceable) {
        npc_buf_puts(out, "\nunenforceable: no flow of the spec allows them, and the engine cannot "
                          "deny them. ");
        md_cell(out, r->ingress_limit);
        npc_buf_putc(out, '\n');
    }
    for (size_t i = 0; i < r->notes.len; i++) {
        npc_buf_puts(out, i ? "" : "\n");
        npc_buf_puts(out, "- note: ");
        md_cell(out, r->notes.items[i]);
        npc_buf_putc(out, '\n');
    }
}

/* ---------------------------------------------------------- entry points */

void vf_report(const vf_run_info *info, const vf_result *r, npc_verify_format fmt, npc_buf *out)
{
    switch (fmt) {
    case NPC_VERIFY_TEXT:
        npc_buf_printf(out, "verify %s, engine %s, %s: %zu policies, %zu endpoints, %zu probes\n",
                       info->spec_file, info->engine, info->policies, r->policies, r->endpoints,
                       r->probes);
        text_findings(r, "", out);
        npc_buf_puts(out, "result: ");
        summary_text(r, out);
        npc_buf_putc(out, '\n');
        return;
    case NPC_VERIFY_JSON:
        json_run(info, r, "", out);
        npc_buf_putc(out, '\n');
        return;
    case NPC_VERIFY_MD:
        npc_buf_printf(out, "### netpolc verify: `%s` (engine %s, %s)\n\n**", info->spec_file,
                       info->engine, info->policies);
        summary_text(r, out);
        npc_buf_printf(out, "**: %zu policies, %zu endpoints, %zu probes\n", r->policies,
                       r->endpoints, r->probes);
        md_findings(r, out);
        return;
    }
}

void vf_report_combo_begin(npc_verify_format fmt, npc_buf *out)
{
    if (fmt == NPC_VERIFY_JSON)
        npc_buf_puts(out, "{\n\"combinations\": [\n");
    else if (fmt == NPC_VERIFY_MD)
        npc_buf_puts(out, "| combination | result | probes |\n|---|---|---|\n");
}

void vf_report_combo(const vf_run_info *info, const vf_result *r, npc_verify_format fmt, int first,
                     npc_buf *out)
{
    switch (fmt) {
    case NPC_VERIFY_TEXT:
        npc_buf_printf(out, "%s: ", info->combination);
        summary_text(r, out);
        npc_buf_printf(out, " (%zu policies, %zu probes)\n", r->policies, r->probes);
        text_findings(r, "  ", out);
        return;
    case NPC_VERIFY_JSON:
        npc_buf_puts(out, first ? "" : ",\n");
        json_run(info, r, "  ", out);
        return;
    case NPC_VERIFY_MD:
        npc_buf_puts(out, "| `");
        md_cell(out, info->combination);
        npc_buf_puts(out, "` | ");
        summary_text(r, out);
        npc_buf_printf(out, " | %zu |\n", r->probes);
        return;
    }
}

void vf_report_combo_end(npc_verify_format fmt, size_t ncombos, size_t nfailed, size_t nopen,
                         npc_buf *out)
{
    npc_buf open = NPC_BUF_INIT;
    if (nopen)
        npc_buf_printf(&open, ", %zu with unenforceable flows", nopen);
    switch (fmt) {
    case NPC_VERIFY_TEXT:
        npc_buf_printf(out, "result: %zu combination%s, %zu with findings%s\n", ncombos,
                       ncombos == 1 ? "" : "s", nfailed, npc_buf_cstr(&open));
        break;
    case NPC_VERIFY_JSON:
        npc_buf_printf(out, "\n],\n\"result\": \"%s\",\n\"unenforceable_combinations\": %zu\n}\n",
                       nfailed ? "findings" : "clean", nopen);
        break;
    case NPC_VERIFY_MD:
        npc_buf_printf(out, "\n**%zu combination%s, %zu with findings%s**\n", ncombos,
                       ncombos == 1 ? "" : "s", nfailed, npc_buf_cstr(&open));
        break;
    }
    npc_buf_free(&open);
}
