#!/usr/bin/python3
"""Kubernetes e2e NetworkPolicy truth tables against `netpolc eval`.

Reads every case of the corpus (cases/*.yaml): for each step it writes the
cluster manifest of the case's ports/protocols (cluster/*.yaml, with the
step's label changes applied) and the step's active policies into a
temporary folder, then checks every non-loopback cell of each probe's truth
table (loopback is ignored, as the upstream test does) twice: with
`netpolc eval` for that flow, and against the step's
`netpolc connlist --format json` (the port in the pair's connections).

Prints one line per disagreeing cell and the count
"N of M truth tables agree"; exits 1 on any disagreement.

usage: k8s_e2e.py NETPOLC CORPUS_DIR [CASE_SUBSTRING...]
"""
import concurrent.futures
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml


def cluster_file(corpus, model):
    ports = "-".join(str(p) for p in model["ports"])
    protos = "-".join(p.lower() for p in model["protocols"])
    return os.path.join(corpus, "cluster", "cluster_ports-%s_%s.yaml" % (ports, protos))


def parse_table(text):
    lines = [l.split() for l in text.strip().splitlines()]
    cols = lines[0][1:]
    cells = {}
    for row in lines[1:]:
        src = row[0]
        for dst, v in zip(cols, row[1:]):
            cells[(src, dst)] = v == "."
    return cols, cells


def apply_labels(objs, ns_changes, pod_changes):
    for o in objs:
        md = o.get("metadata", {})
        if o.get("kind") == "Namespace" and md.get("name") in ns_changes:
            md["labels"] = dict(ns_changes[md["name"]])
        if o.get("kind") == "Pod":
            key = "%s/%s" % (md.get("namespace"), md.get("name"))
            if key in pod_changes:
                md["labels"] = dict(pod_changes[key])


def run_eval(netpolc, folder, src, dst, port, proto):
    p = subprocess.run(
        [netpolc, "eval", folder, "--from", src, "--to", dst, "--port", str(port),
         "--protocol", proto],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode not in (0, 1):
        return None, p.stderr.strip()
    return p.returncode == 0, p.stdout.strip()


def conn_has(conn, port, proto):
    """Whether netpol-analyzer's connection text ("All Connections",
    "SCTP 1-65535,TCP 80,8080-8090,UDP 53") holds port/proto."""
    if conn == "All Connections":
        return True
    current = None
    for part in conn.split(","):
        if " " in part:
            current, part = part.split(" ", 1)
        lo, _, hi = part.partition("-")
        if current == proto and int(lo) <= port <= int(hi or lo):
            return True
    return False


def run_connlist(netpolc, folder):
    p = subprocess.run([netpolc, "connlist", "--format", "json", folder],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    pairs = {}
    for row in json.loads(p.stdout):
        strip = lambda s: s.split("[")[0]
        pairs[(strip(row["src"]), strip(row["dst"]))] = row["conn"]
    return pairs, ""


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    netpolc, corpus = sys.argv[1], sys.argv[2]
    only = sys.argv[3:]
    cases = sorted(glob.glob(os.path.join(corpus, "cases", "*.yaml")))
    total = agree = 0
    failures = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    with tempfile.TemporaryDirectory(prefix="netpolc-k8s-e2e-") as tmp:
        for path in cases:
            name = os.path.basename(path)[:-5]
            if only and not any(s in name for s in only):
                continue
            with open(path) as f:
                case = yaml.safe_load(f)
            with open(cluster_file(corpus, case["model"])) as f:
                base = [d for d in yaml.safe_load_all(f) if d]
            ns_changes, pod_changes = {}, {}
            for si, step in enumerate(case["steps"]):
                ns_changes.update(step.get("namespace_label_changes") or {})
                pod_changes.update(step.get("pod_label_changes") or {})
                folder = os.path.join(tmp, "%s-step%d" % (name, si))
                os.makedirs(folder)
                objs = copy.deepcopy(base)
                apply_labels(objs, ns_changes, pod_changes)
                with open(os.path.join(folder, "cluster.yaml"), "w") as f:
                    yaml.safe_dump_all(objs, f, sort_keys=False)
                with open(os.path.join(folder, "policies.yaml"), "w") as f:
                    yaml.safe_dump_all(step.get("active_policies") or [], f, sort_keys=False)
                connlist, cl_err = run_connlist(netpolc, folder)
                for pi, probe in enumerate(step["probes"]):
                    total += 1
                    cols, cells = parse_table(probe["truth_table"])
                    jobs = {}
                    for (src, dst), want in sorted(cells.items()):
                        if src == dst:
                            continue  # loopback is ignored upstream (kubernetes#95879)
                        jobs[(src, dst)] = (want, pool.submit(
                            run_eval, netpolc, folder, src, dst, probe["port"], probe["protocol"]))
                    bad = []
                    for (src, dst), (want, fut) in sorted(jobs.items()):
                        got, out = fut.result()
                        if got is None:
                            bad.append("%s -> %s: netpolc failed: %s" % (src, dst, out))
                        elif got != want:
                            bad.append("%s -> %s: expected %s, eval says %s (%s)" % (
                                src, dst, "allowed" if want else "denied",
                                "allowed" if got else "denied", out))
                        if connlist is None:
                            bad.append("%s -> %s: netpolc connlist failed: %s" % (src, dst, cl_err))
                            continue
                        listed = conn_has(connlist.get((src, dst), "No Connections"),
                                          probe["port"], probe["protocol"])
                        if listed != want:
                            bad.append("%s -> %s: expected %s, connlist says %s (%s)" % (
                                src, dst, "allowed" if want else "denied",
                                "allowed" if listed else "denied",
                                connlist.get((src, dst), "no line")))
                    label = "%s step %d probe %d (%s/%s)" % (name, si + 1, pi + 1,
                                                             probe["port"], probe["protocol"])
                    if bad:
                        failures.append(label)
                        print("MISMATCH %s:" % label)
                        for b in bad:
                            print("  " + b)
                    else:
                        agree += 1
    pool.shutdown()
    print("%d of %d truth tables agree" % (agree, total))
    return 0 if agree == total and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
