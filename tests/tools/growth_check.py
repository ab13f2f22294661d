#!/usr/bin/env python3
"""Growth check: the analysis of every bench/gen.py profile grows linearly
with its input and output.

For each profile, a snapshot at N pods and one at FACTOR * N pods are
generated and run through netpolc-bench, which reports the evaluator's units
of work (selector tests, rules looked at, candidate pairs, external ranges
decided: npc_eval_work) for the build and one connection list. The size of a
case is its pods plus its connections (the input and the output); the check
fails when work grows faster than size by more than SLACK, that is, when the
fitted exponent of work over size passes 1 + log(SLACK) / log(growth). Work
counts do not depend on the machine or its load, so the check is exact where
a timing would be noise.

    growth_check.py OUT --gen bench/gen.py --bench build/bench/netpolc-bench
                    [--pods N] [--factor F] [--profile NAME]...
"""

import argparse
import json
import math
import os
import subprocess
import sys

SLACK = 1.3  # allowed excess of work growth over size growth (linear: 1.0)
# Pods at the smaller size: 2,000; in-selectors from 4,000, where its In
# lists have their full length of 50 namespaces and the candidates of a
# selector come from those namespaces (below, from every frontend); no-policies
# lists every pair, so it starts smaller.
PODS = {"no-policies": 250, "in-selectors": 4000}


def run(gen, bench, out, profile, pods):
    d = os.path.join(out, "%s-%d" % (profile, pods))
    subprocess.run([sys.executable, gen, "--profile", profile, "--pods", str(pods), "--out", d],
                   check=True, stderr=subprocess.DEVNULL)
    p = subprocess.run([bench, "--queries", "0", d], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("netpolc-bench failed on %s: %s%s" % (d, p.stdout, p.stderr))
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--gen", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--pods", type=int, help="pods at the smaller size (default 2000, see PODS)")
    ap.add_argument("--factor", type=int, default=4)
    ap.add_argument("--profile", action="append")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.gen)))
    import gen  # noqa: E402  (the profiles' names)
    profiles = args.profile or sorted(gen.PROFILES)
    os.makedirs(args.out, exist_ok=True)
    bad = []
    for prof in profiles:
        pods = args.pods or PODS.get(prof, 2000)
        a = run(args.gen, args.bench, args.out, prof, pods)
        b = run(args.gen, args.bench, args.out, prof, pods * args.factor)
        size_a, size_b = a["pods"] + a["connections"], b["pods"] + b["connections"]
        grow, work = size_b / size_a, b["work"] / max(1, a["work"])
        k = math.log(max(work, 1e-9)) / math.log(grow)
        ok = work <= grow * SLACK
        print("%-18s size %9d -> %9d (x%.1f)  work %10d -> %10d (x%.1f)  exponent %.2f  %s" %
              (prof, size_a, size_b, grow, a["work"], b["work"], work, k, "ok" if ok else "TOO FAST"))
        if not ok:
            bad.append(prof)
    if bad:
        print("growth_check: work grows faster than input + output in: %s" % ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
