#!/usr/bin/env python3
"""Turns bench/run.sh's JSON lines into a Markdown table of medians, with
the machine named (CPU model, cores, RAM, kernel, compiler) and its load.
Rows of bench/gen.py profiles run at several sizes also get a table of growth
exponents: k in time = c * pods^k, fitted by least squares on log-log over
the profile's sizes (1 is linear, 2 quadratic); the same for the evaluator's
work count (npc_eval_work), which does not depend on the machine's load."""

import json
import math
import os
import platform
import statistics
import subprocess
import sys


def machine():
    model, cores = platform.processor() or "unknown CPU", os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    ram = "?"
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            ram = "%.0f GiB" % (kib / 1048576)
    except (OSError, ValueError, IndexError):
        pass
    cc = "?"
    try:
        cc = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    return "%s, %d cores, %s RAM, Linux %s, %s" % (model, cores, ram, platform.release(), cc)


def med(rows, get):
    vals = [get(r) for r in rows]
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec):
    if v is None:
        return "n/a"
    if spec == ".3f" and v < 0.1:
        spec = ".4f"  # small sizes: keep a significant digit or two
    return format(v, spec)


def exponent(points):
    """Least-squares slope of log y over log x; None with fewer than two
    usable points."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx


def growth(rows, sizes):
    by_prof = {}
    for s in sizes:
        rs = [r for r in rows if r["size"] == s]
        prof = rs[0]["meta"].get("profile")
        if prof:
            by_prof.setdefault(prof, []).append(rs)
    if not by_prof:
        return
    analysis = lambda r: r["bench"]["build_s"] + r["bench"]["connlist_devnull_s"]
    print()
    print("| profile | pods | connections | analysis s (build + connlist) | peak RSS MiB | "
          "exponent: connections | exponent: analysis | exponent: work | exponent: RSS |")
    print("|---|---|---|---|---|---:|---:|---:|---:|")
    for prof, groups in by_prof.items():
        pods = [g[0]["meta"]["pods"] for g in groups]
        conns = [g[0]["bench"]["connections"] for g in groups]
        times = [med(g, analysis) for g in groups]
        rss = [med(g, lambda r: r["bench"]["peak_rss_mib"]) for g in groups]
        work = [g[0]["bench"].get("work") for g in groups]  # a count: the same every run
        def k(ys):
            e = exponent(list(zip(pods, ys)))
            return "n/a" if e is None else "%.2f" % e
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            prof, " / ".join(str(p) for p in pods), " / ".join(str(c) for c in conns),
            " / ".join(fmt(t, ".3f") for t in times), " / ".join(fmt(m, ".0f") for m in rss),
            k(conns), k(times), k(work), k(rss)))


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    sizes = []
    for r in rows:
        if r["size"] not in sizes:
            sizes.append(r["size"])
    print("| size | pods | workloads | policies | namespaces | MiB | load s | load CPU s | build s | connlist s "
          "(/dev/null) | connlist summary s | connections | eval µs (median) | eval µs (p90) | "
          "peak RSS MiB | CLI connlist s | CLI RSS MiB | runs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in sizes:
        rs = [r for r in rows if r["size"] == s]
        m, b0 = rs[0]["meta"], rs[0]["bench"]
        print("| %s%s | %d | %d | %d | %d | %.1f | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %d |" % (
            s + (" (pods)" if m["mode"] == "pods" else ""), " (json)" if m.get("format") == "json" else "",
            m["pods"], b0["workloads"], m["policies"],
            m["namespaces"], m["bytes"] / 1048576,
            fmt(med(rs, lambda r: r["bench"]["load_s"]), ".3f"),
            fmt(med(rs, lambda r: r["bench"].get("load_cpu_s")), ".3f"),
            fmt(med(rs, lambda r: r["bench"]["build_s"]), ".3f"),
            fmt(med(rs, lambda r: r["bench"]["connlist_devnull_s"]), ".3f"),
            fmt(med(rs, lambda r: r["bench"]["connlist_summary_s"]), ".3f"),
            b0["connections"],
            fmt(med(rs, lambda r: r["bench"]["eval_median_us"]), ".1f"),
            fmt(med(rs, lambda r: r["bench"]["eval_p90_us"]), ".1f"),
            fmt(med(rs, lambda r: r["bench"]["peak_rss_mib"]), ".0f"),
            fmt(med(rs, lambda r: r["cli_s"]), ".2f"),
            fmt(med(rs, lambda r: r["cli_rss_kib"] / 1024 if r["cli_rss_kib"] else None), ".0f"),
            len(rs)))
    print()
    print("Machine: %s." % machine())
    growth(rows, sizes)
    print()
    print("Times are medians of the runs; eval is one flow on the built model, "
          "%d workload pairs per run (half within a namespace)." % rows[0]["bench"]["queries"])
    try:
        with open("/proc/loadavg") as f:
            print("Load average at the end: %s." % " ".join(f.read().split()[:3]))
    except OSError:
        pass


if __name__ == "__main__":
    main()
