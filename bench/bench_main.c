/* netpolc-bench: times each phase of the connection-list pipeline on a
 * cluster snapshot and prints one JSON line.
 *
 *   netpolc-bench [--queries N] [--seed S] [--no-connlist] PATH...
 *
 * Phases: load (npc_cluster_load_paths + npc_workloads_check), build
 * (npc_eval_build), connlist summary (npc_connlist_compute and a count),
 * connlist to /dev/null (the same plus the txt report written there), and
 * N single-flow evaluations on the built model (median and 90th percentile
 * latency). Peak RSS comes from getrusage. With stderr on a terminal each
 * phase shows its progress there. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "eval/eval.h"
#include "model/load.h"
#include "netpolc.h"
#include "report/report.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Processor time of every thread of the process so far. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Progress on stderr, only when it is a terminal: one line, rewritten. */
typedef struct progress {
    int tty;
    double start, last;
} progress;

static void progress_start(progress *p, const char *phase)
{
    p->start = p->last = now();
    if (p->tty)
        fprintf(stderr, "\r%s ...\033[K", phase);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
progress_step(progress *p, const char *fmt, ...)
{
    if (!p->tty)
        return;
    double t = now();
    if (t - p->last < 0.1)
        return;
    p->last = t;
    va_list ap;
    va_start(ap, fmt);
    fputc('\r', stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (%.1fs)\033[K", t - p->start);
    va_end(ap);
}

static double progress_done(progress *p, const char *phase)
{
    double t = now() - p->start;
    if (p->tty)
        fprintf(stderr, "\r%s: %.3fs\033[K\n", phase, t);
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* xorshift64*: a fixed, portable sequence for the query mix */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: netpolc-bench [--queries N] [--seed S] [--no-connlist] PATH...\n");
    return 2;
}

int main(int argc, char **argv)
{
    long queries = 10000;
    uint64_t seed = 1;
    int do_connlist = 1;
    char **paths = calloc((size_t)argc, sizeof *paths);
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc)
            queries = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--no-connlist") == 0)
            do_connlist = 0;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage();
        else
            paths[npaths++] = argv[i];
    }
    if (!npaths || queries < 0)
        return usage();
    if (!seed)
        seed = 1;

    progress pg = {isatty(2), 0, 0};
    npc_ctx *ctx = npc_ctx_new();
    npc_cluster *c = npc_cluster_new(ctx);
    int failed = 0;

    /* 1. load: path by path, so progress can name the file */
    progress_start(&pg, "load");
    double cpu0 = cpu_now();
    for (int i = 0; i < npaths && !failed; i++) {
        progress_step(&pg, "load %d/%d %s", i + 1, npaths, paths[i]);
        if (npc_cluster_load_paths(c, &paths[i], 1) != NPC_OK)
            failed = 1;
    }
    if (!failed && (npc_error_count(ctx) || !npc_workloads_check(c)))
        failed = 1;
    double t_load = progress_done(&pg, "load");
    double t_load_cpu = cpu_now() - cpu0; /* all threads: the work, whatever the load */

    /* 2. evaluator build */
    double t_build = 0;
    if (!failed) {
        progress_start(&pg, "build");
        failed = npc_eval_build(c) != NPC_OK;
        t_build = progress_done(&pg, "build");
    }

    /* 3. connection list: summary only, then written to /dev/null */
    double t_summary = 0, t_devnull = 0;
    size_t nconns = 0, nrows = 0, out_bytes = 0;
    uint64_t work = 0; /* evaluation work of build and one connection list */
    if (!failed && do_connlist) {
        npc_connlist l;
        memset(&l, 0, sizeof l);
        progress_start(&pg, "connlist (summary)");
        failed = npc_connlist_compute(c, &l) != NPC_OK;
        nconns = l.items.len;
        work = npc_eval_work(c);
        t_summary = progress_done(&pg, "connlist (summary)");
        npc_connlist_free(&l);
    }
    if (!failed && do_connlist) {
        npc_connlist l;
        memset(&l, 0, sizeof l);
        progress_start(&pg, "connlist > /dev/null");
        failed = npc_connlist_compute(c, &l) != NPC_OK;
        if (!failed) {
            npc_report_opts opts;
            memset(&opts, 0, sizeof opts);
            npc_report r;
            progress_step(&pg, "connlist: naming and sorting %zu connections", l.items.len);
            npc_report_build(c, &l, &opts, &r);
            nrows = r.rows.len;
            npc_buf out = NPC_BUF_INIT;
            progress_step(&pg, "connlist: formatting %zu rows", nrows);
            npc_report_txt(&r, &out);
            out_bytes = out.len;
            FILE *f = fopen("/dev/null", "wb");
            if (!f || fwrite(out.data ? out.data : "", 1, out.len, f) != out.len)
                failed = 1;
            if (f)
                fclose(f);
            npc_buf_free(&out);
            npc_report_free(&r);
        }
        npc_connlist_free(&l);
        t_devnull = progress_done(&pg, "connlist > /dev/null");
    }

    /* 4. single flows: workload pairs, half of them inside one namespace
     * (where policies allow most), a port of the destination's containers
     * (or a random one), TCP unless the port says otherwise */
    double eval_med = 0, eval_p90 = 0, eval_total = 0;
    long allowed = 0;
    size_t nwl = c->workloads.len;
    if (!failed && queries > 0 && nwl > 0) {
        double *lat = malloc((size_t)queries * sizeof *lat);
        /* workloads grouped by namespace: by_ns[first[ns] .. first[ns+1]) */
        size_t nns_all = c->namespaces.len;
        uint32_t *first = calloc(nns_all + 1, sizeof *first), *by_ns = malloc(nwl * sizeof *by_ns);
        for (size_t i = 0; i < nwl; i++)
            first[c->workloads.items[i].ns + 1]++;
        for (size_t i = 0; i < nns_all; i++)
            first[i + 1] += first[i];
        uint32_t *fill = malloc((nns_all + 1) * sizeof *fill);
        memcpy(fill, first, (nns_all + 1) * sizeof *fill);
        for (size_t i = 0; i < nwl; i++)
            by_ns[fill[c->workloads.items[i].ns]++] = (uint32_t)i;
        free(fill);
        progress_start(&pg, "eval");
        for (long q = 0; q < queries; q++) {
            uint32_t s = (uint32_t)(next_rand(&seed) % nwl), d = (uint32_t)(next_rand(&seed) % nwl);
            if (q % 2) {
                uint32_t ns = c->workloads.items[s].ns, k = first[ns + 1] - first[ns];
                d = by_ns[first[ns] + next_rand(&seed) % k];
            }
            const npc_workload *w = &c->workloads.items[d];
            npc_proto proto = NPC_PROTO_TCP;
            uint16_t port = (uint16_t)(1 + next_rand(&seed) % 65535);
            if (w->nports && next_rand(&seed) % 4) {
                const npc_container_port *cp = &w->ports[next_rand(&seed) % w->nports];
                port = (uint16_t)cp->port;
                proto = cp->proto;
            }
            npc_flow_end src = {NPC_EP_WORKLOAD, s, {0, 0}};
            npc_flow_end dst = {NPC_EP_WORKLOAD, d, {0, 0}};
            double t0 = now();
            allowed += npc_flow_eval(c, &src, &dst, proto, port, NULL, NULL);
            lat[q] = now() - t0;
            eval_total += lat[q];
            if ((q & 1023) == 0)
                progress_step(&pg, "eval %ld/%ld", q, queries);
        }
        progress_done(&pg, "eval");
        free(first);
        free(by_ns);
        qsort(lat, (size_t)queries, sizeof *lat, cmp_double);
        eval_med = lat[queries / 2];
        eval_p90 = lat[(queries * 9) / 10];
        free(lat);
    }

    if (failed) {
        npc_buf d = NPC_BUF_INIT;
        npc_diags_format(ctx, NPC_SEV_NOTE, isatty(2), &d);
        fputs(d.data ? d.data : "", stderr);
        npc_buf_free(&d);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t npol = c->policies.len, nns = c->namespaces.len;
    uint64_t pods = 0;
    for (size_t i = 0; i < nwl; i++)
        pods += c->workloads.items[i].replicas ? c->workloads.items[i].replicas : 1;
    printf("{\"ok\":%s,\"namespaces\":%zu,\"workloads\":%zu,\"pods\":%llu,\"policies\":%zu,"
           "\"load_s\":%.6f,\"load_cpu_s\":%.6f,\"build_s\":%.6f,\"connlist_summary_s\":%.6f,"
           "\"connlist_devnull_s\":%.6f,\"connections\":%zu,\"work\":%llu,\"rows\":%zu,"
           "\"output_bytes\":%zu,"
           "\"queries\":%ld,\"allowed\":%ld,\"eval_median_us\":%.3f,\"eval_p90_us\":%.3f,"
           "\"eval_total_s\":%.6f,\"peak_rss_mib\":%.1f}\n",
           failed ? "false" : "true", nns, nwl, (unsigned long long)pods, npol, t_load, t_load_cpu,
           t_build, t_summary, t_devnull, nconns, (unsigned long long)work, nrows, out_bytes,
           failed ? 0 : queries, allowed, eval_med * 1e6, eval_p90 * 1e6, eval_total,
           (double)ru.ru_maxrss / 1024.0);
    npc_cluster_free(c);
    npc_ctx_free(ctx);
    free(paths);
    return failed ? 1 : 0;
}
