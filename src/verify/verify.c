/* The entry points of verify (netpolc.h): one run, and every option
 * combination.
 *
 * One run: compile the spec for its declared flows (model.c); render it with
 * npc_render (or take --policies); write the synthesised topology
 * (topology.c) or take --cluster; load topology and policies as text
 * through the manifest loaders into a fresh cluster; build the evaluator;
 * probe (probe.c); report (report.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/load.h"
#include "util/buf.h"
#include "util/ctx.h"
#include "util/diag.h"
#include "verify/verify_int.h"

static const npc_loc no_loc = {NULL, 0, 0};

/* A rendering of the spec as the engine writes it; with_passthrough 0
 * renders it as if the spec had no passthrough rules. */
static npc_status render_text(npc_spec *s, const char *engine, int with_passthrough, npc_buf *out)
{
    size_t npt = s->npassthrough;
    if (!with_passthrough)
        s->npassthrough = 0;
    npc_status st = npc_render(s, engine, NPC_FORMAT_YAML, out);
    s->npassthrough = npt;
    return st;
}

/* A fresh cluster with the topology (text, or the --cluster paths) and
 * then the policies (text named `name`, or paths). NULL after errors. */
static npc_cluster *load(npc_ctx *ctx, const npc_verify_options *o, const npc_buf *topo,
                         const char *name, const npc_buf *policies)
{
    npc_cluster *c = npc_cluster_new(ctx);
    size_t errs = npc_error_count(ctx);
    npc_status st;
    if (o->ncluster)
        st = npc_cluster_load(c, o->cluster, o->ncluster);
    else
        st = npc_cluster_load_text(c, "verify-topology.yaml", topo->data ? topo->data : "",
                                   topo->len);
    if (st == NPC_OK) {
        if (policies) {
            st =
                npc_cluster_load_text(c, name, policies->data ? policies->data : "", policies->len);
            if (st != NPC_OK)
                npc_error(ctx, NPC401, no_loc,
                          "the %s does not load back through the manifest loaders", name);
        } else {
            st = npc_cluster_load(c, o->policies, o->npolicies);
        }
    }
    if (st == NPC_OK && npc_error_count(ctx) == errs && npc_workloads_check(c) &&
        npc_eval_build(c) == NPC_OK && npc_error_count(ctx) == errs)
        return c;
    npc_cluster_free(c);
    return NULL;
}

static char *source_name(const char *what, const char *engine, unsigned seq)
{
    npc_buf b = NPC_BUF_INIT;
    if (seq)
        npc_buf_printf(&b, "%s-%s-%u.yaml", what, engine, seq);
    else
        npc_buf_printf(&b, "%s-%s.yaml", what, engine);
    return npc_buf_take(&b);
}

/* One run; seq > 0 numbers the combination (unique source names). */
static npc_status run(npc_spec *s, const npc_verify_options *o, unsigned seq, vf_result *r,
                      const char **engine_out)
{
    npc_ctx *ctx = s->ctx;
    const char *engine = o->engine ? o->engine : npc_spec_engine(s);
    *engine_out = engine;
    vf_model m;
    if (!vf_model_init(&m, s, engine)) {
        vf_model_free(&m);
        return NPC_ERR_INPUT;
    }
    npc_status st = NPC_OK;
    npc_buf rendered = NPC_BUF_INIT, bare = NPC_BUF_INIT, topo = NPC_BUF_INIT;
    npc_cluster *c = NULL, *ptw = NULL, *ptn = NULL;
    char *rname = source_name("rendered", engine, seq);
    char *bname = source_name("rendered-without-passthrough", engine, seq);
    int need_rendering = !o->npolicies || m.has_passthrough;
    if (need_rendering)
        st = render_text(s, engine, 1, &rendered);
    if (st == NPC_OK && m.has_passthrough)
        st = render_text(s, engine, 0, &bare);
    if (st == NPC_OK && !o->ncluster) {
        vf_topology_yaml(&m, &topo);
        if (o->topology && !seq)
            npc_buf_append(o->topology, topo.data ? topo.data : "", topo.len);
    }
    if (st == NPC_OK) {
        c = load(ctx, o, &topo, rname, o->npolicies ? NULL : &rendered);
        if (c && m.has_passthrough) {
            ptw = o->npolicies ? load(ctx, o, &topo, rname, &rendered) : NULL;
            ptn = load(ctx, o, &topo, bname, &bare);
            if ((o->npolicies && !ptw) || !ptn)
                st = NPC_ERR_INPUT;
        }
        if (!c)
            st = NPC_ERR_INPUT;
    }
    r->strict = o->strict;
    if (st == NPC_OK)
        vf_probe(&m, c, ptw ? ptw : c, ptn, seq ? NULL : o->probes, r);
    npc_cluster_free(ptn);
    npc_cluster_free(ptw);
    npc_cluster_free(c);
    free(rname);
    free(bname);
    npc_buf_free(&rendered);
    npc_buf_free(&bare);
    npc_buf_free(&topo);
    vf_model_free(&m);
    return st;
}

static const char *policies_text(const npc_verify_options *o, npc_buf *b)
{
    if (!o->npolicies)
        return "its rendering";
    npc_buf_puts(b, "policies ");
    for (size_t i = 0; i < o->npolicies; i++)
        npc_buf_printf(b, "%s%s", i ? ", " : "", o->policies[i]);
    return npc_buf_cstr(b);
}

static int options_ok(npc_ctx *ctx, const npc_verify_options *o)
{
    if (o->format != NPC_VERIFY_TEXT && o->format != NPC_VERIFY_JSON &&
        o->format != NPC_VERIFY_MD) {
        npc_error(ctx, NPC402, no_loc, "unknown verify report format %d", (int)o->format);
        return 0;
    }
    return 1;
}

npc_status npc_verify(npc_spec *spec, const npc_verify_options *o, npc_buf *out,
                      npc_verify_result *res)
{
    if (res)
        memset(res, 0, sizeof *res);
    if (!options_ok(spec->ctx, o))
        return NPC_ERR_INPUT;
    vf_result r;
    memset(&r, 0, sizeof r);
    const char *engine;
    npc_status st = run(spec, o, 0, &r, &engine);
    if (st == NPC_OK) {
        npc_buf pol = NPC_BUF_INIT;
        vf_run_info info = {spec->file, engine, policies_text(o, &pol), NULL};
        vf_report(&info, &r, o->format, out);
        npc_buf_free(&pol);
        if (res) {
            res->missing = r.missing;
            res->excess = r.excess;
            res->unenforceable = r.unenforceable;
            res->probes = r.probes;
            res->combinations = 1;
            res->failed = (size_t)vf_result_fails(&r);
        }
    }
    vf_result_free(&r);
    return st;
}

/* ------------------------------------------------- every combination */

/* The options to enumerate: bool options and string options with
 * choices, not fixed by --set/--values (their value is still the
 * default); radix[j]: how many values option idx[j] takes. */
static size_t combo_options(const npc_spec *s, int *idx, size_t *radix)
{
    size_t n = 0;
    for (size_t i = 0; i < s->noptions; i++) {
        const npc_option *o = &s->options[i];
        if (o->value != o->def)
            continue;
        if (o->type == NPC_OPT_BOOL)
            radix[n] = 2;
        else if (o->type == NPC_OPT_STRING && o->nchoices)
            radix[n] = o->nchoices;
        else
            continue;
        idx[n++] = (int)i;
    }
    return n;
}

/* Value v of option opt (bool: false, true; else its v-th choice), added
 * to the combination's label. */
static npc_status set_value(npc_spec *s, int opt, size_t v, npc_buf *label)
{
    npc_option *o = &s->options[opt];
    npc_buf_printf(label, "%s%s=", label->len ? " " : "", o->name);
    if (o->type != NPC_OPT_BOOL) {
        o->value = o->choices[v];
        npc_buf_puts(label, o->choices[v]->u.scalar.s);
        return NPC_OK;
    }
    npc_buf b = NPC_BUF_INIT;
    npc_buf_printf(&b, "%s=%s", o->name, v ? "true" : "false");
    npc_buf_puts(label, v ? "true" : "false");
    npc_status st = npc_spec_set(s, npc_buf_cstr(&b));
    npc_buf_free(&b);
    return st;
}

npc_status npc_verify_all(npc_spec *spec, const npc_verify_options *o, const char *const *values,
                          size_t nvalues, npc_buf *out, npc_verify_result *res)
{
    npc_ctx *ctx = spec->ctx;
    if (res)
        memset(res, 0, sizeof *res);
    if (!options_ok(ctx, o))
        return NPC_ERR_INPUT;
    int *idx = npc_xcalloc(spec->noptions + 1, sizeof *idx);
    size_t *radix = npc_xcalloc(spec->noptions + 1, sizeof *radix);
    size_t k = combo_options(spec, idx, radix);
    size_t product = 1, nbool = 0;
    int too_many = 0;
    for (size_t j = 0; j < k; j++) {
        nbool += spec->options[idx[j]].type == NPC_OPT_BOOL;
        if (product > NPC_VERIFY_MAX_COMBINATIONS)
            too_many = 1; /* stop multiplying: no overflow */
        else
            product *= radix[j];
    }
    too_many |= product > NPC_VERIFY_MAX_COMBINATIONS;
    size_t total = product + nvalues;
    if (too_many || total > NPC_VERIFY_MAX_COMBINATIONS) {
        npc_error(ctx, NPC403, no_loc,
                  "--all-combinations: more than %d combinations (bool options: %zu, string "
                  "options with choices: %zu, values files: %zu); fix some options with --set",
                  NPC_VERIFY_MAX_COMBINATIONS, nbool, k - nbool, nvalues);
        free(idx);
        free(radix);
        return NPC_ERR_INPUT;
    }
    /* the values to restore after each combination */
    const npc_node **saved = npc_xcalloc(spec->noptions + 1, sizeof *saved);
    for (size_t i = 0; i < spec->noptions; i++)
        saved[i] = spec->options[i].value;
    npc_buf body = NPC_BUF_INIT, pol = NPC_BUF_INIT;
    npc_status st = NPC_OK;
    size_t failed = 0, nopen = 0, ncombo = 0;
    vf_report_combo_begin(o->format, &body);
    for (size_t c = 0; c < total && st == NPC_OK; c++) {
        npc_buf label = NPC_BUF_INIT;
        if (c < total - nvalues) {
            /* the last option varies fastest */
            size_t rest = c, place = product;
            for (size_t j = 0; j < k && st == NPC_OK; j++) {
                place /= radix[j];
                st = set_value(spec, idx[j], rest / place, &label);
                rest %= place;
            }
            if (!k)
                npc_buf_puts(&label, "defaults");
        } else {
            const char *path = values[c - (total - nvalues)];
            for (size_t i = 0; i < spec->noptions; i++)
                spec->options[i].value = spec->options[i].def;
            st = npc_spec_values_file(spec, path);
            /* --set still wins over the file */
            for (size_t i = 0; i < spec->noptions; i++)
                if (saved[i] != spec->options[i].def)
                    spec->options[i].value = saved[i];
            npc_buf_printf(&label, "--values %s", path);
        }
        vf_result r;
        memset(&r, 0, sizeof r);
        const char *engine = NULL;
        if (st == NPC_OK)
            st = run(spec, o, (unsigned)c + 1, &r, &engine);
        if (st == NPC_OK) {
            npc_buf_reset(&pol);
            vf_run_info info = {spec->file, engine, policies_text(o, &pol), npc_buf_cstr(&label)};
            vf_report_combo(&info, &r, o->format, c == 0, &body);
            failed += (size_t)vf_result_fails(&r);
            nopen += r.unenforceable > 0;
            ncombo++;
            if (res) {
                res->missing += r.missing;
                res->excess += r.excess;
                res->unenforceable += r.unenforceable;
                res->probes += r.probes;
            }
        }
        vf_result_free(&r);
        npc_buf_free(&label);
        for (size_t i = 0; i < spec->noptions; i++)
            spec->options[i].value = saved[i];
    }
    vf_report_combo_end(o->format, ncombo, failed, nopen, &body);
    if (st == NPC_OK) {
        npc_buf_append(out, body.data ? body.data : "", body.len);
        if (res) {
            res->combinations = ncombo;
            res->failed = failed;
        }
    }
    npc_buf_free(&body);
    npc_buf_free(&pol);
    free(saved);
    free(idx);
    free(radix);
    return st;
}
