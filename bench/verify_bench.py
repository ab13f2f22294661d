#!/usr/bin/python3
"""verify's benchmark: every example in every combination and engine, and a
generated spec (bench/gen_spec.py), each run RUNS times; prints a Markdown
table of the processor time (user + system, the work done whatever else the
machine runs) and the wall time, medians.

    verify_bench.py NETPOLC ROOT [--runs 3] [--components 200] [--flows 2000]
"""
import argparse
import glob
import os
import re
import resource
import statistics
import subprocess
import sys
import time


def run(cmd):
    """(cpu seconds, wall seconds, stdout) of one run of cmd."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        sys.exit("verify_bench: %s exited %d" % (" ".join(cmd), p.returncode))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("netpolc")
    ap.add_argument("root")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--components", type=int, default=200)
    ap.add_argument("--flows", type=int, default=2000)
    a = ap.parse_args()
    out = os.path.join(a.root, "bench", "out")
    os.makedirs(out, exist_ok=True)
    gen = os.path.join(out, "spec-%d-%d.yaml" % (a.components, a.flows))
    with open(gen, "w") as f:
        subprocess.run([sys.executable, os.path.join(a.root, "bench", "gen_spec.py"),
                        "--components", str(a.components), "--flows", str(a.flows)],
                       stdout=f, check=True)
    cases = []
    for ex in sorted(glob.glob(os.path.join(a.root, "examples", "*.yaml"))):
        for engine in ("kubernetes", "clusterNetworkPolicy"):
            cases.append((os.path.relpath(ex, a.root), engine, ["--all-combinations"]))
    cases.append((os.path.relpath(gen, a.root), "kubernetes", []))
    cases.append((os.path.relpath(gen, a.root), "clusterNetworkPolicy", []))
    print("| spec | engine | combinations | endpoints | probes | CPU s (median) | wall s (median) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for spec, engine, extra in cases:
        cpus, walls = [], []
        text = ""
        for _ in range(a.runs):
            cpu, wall, text = run([a.netpolc, "verify", os.path.join(a.root, spec),
                                   "--engine", engine] + extra)
            cpus.append(cpu)
            walls.append(wall)
        probes = sum(int(n) for n in re.findall(r"(\d+) probes", text))
        eps = re.search(r"(\d+) endpoints", text)
        combos = re.search(r"result: (\d+) combinations", text)
        print("| `%s` | %s | %s | %s | %s | %.2f | %.2f |" % (
            spec, engine, combos.group(1) if combos else 1, eps.group(1) if eps else "-",
            "{:,}".format(probes), statistics.median(cpus), statistics.median(walls)))


if __name__ == "__main__":
    main()
