#!/usr/bin/python3
"""The Cilium verdict corpus against `netpolc eval`.

For every case (cases/<name>/{topology,policies,expect}.yaml) writes the
cluster the topology describes as manifests netpolc loads (Namespaces; Pods
with their labels, node, service account, container ports and IP; the
host-network pods; a Node and a CiliumNode per Cilium node; the Endpoints of
default/kubernetes, which are the API server's backends), next to the case's
policies, and asks `netpolc eval` each probe. Hosts (`host:<node>`) are
their InternalIP; external names resolve as `externals[].names` say
(`--dns NAME=IP`).

Set aside, with the reason printed: probes of a protocol netpolc does not
model (ICMP), and cases whose verdicts depend on agent options netpolc does
not model (`ciliumConfig`: host firewall, policy-cidr-match-mode).

A pod-to-pod probe must also agree with `netpolc connlist --format json` of
the case (the pair's connections hold the port).

Prints one line per disagreeing probe and "N of M probes agree (K set
aside)"; exits 1 on any disagreement or when nothing was checked.

usage: cilium_corpus.py NETPOLC CORPUS_DIR [CASE_SUBSTRING...]
"""
import argparse
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

from k8s_e2e import conn_has  # netpol-analyzer's connection text, shared


def pod_manifest(p, host_network=False, ip=None):
    containers = [{"name": "main", "image": "registry.invalid/app"}]
    ports = []
    for cp in p.get("ports") or []:
        port = {"containerPort": cp["containerPort"], "protocol": cp.get("protocol", "TCP")}
        if cp.get("name"):
            port["name"] = cp["name"]
        ports.append(port)
    if ports:
        containers[0]["ports"] = ports
    spec = {"containers": containers}
    if p.get("serviceAccount"):
        spec["serviceAccountName"] = p["serviceAccount"]
    if p.get("node"):
        spec["nodeName"] = p["node"]
    if host_network:
        spec["hostNetwork"] = True
    obj = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": p["name"], "namespace": p["namespace"],
                        "labels": dict(p.get("labels") or {})},
           "spec": spec}
    if ip or p.get("ip"):
        obj["status"] = {"podIP": ip or p["ip"]}
    return obj


def cluster_objects(topo):
    objs = []
    for ns in topo.get("namespaces") or []:
        objs.append({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": ns["name"], "labels": dict(ns.get("labels") or {})}})
    for p in topo.get("pods") or []:
        objs.append(pod_manifest(p))
    apiserver = []
    for h in topo.get("hosts") or []:
        if not h.get("cilium", True):
            continue
        objs.append({"apiVersion": "v1", "kind": "Node",
                     "metadata": {"name": h["name"], "labels": dict(h.get("labels") or {})},
                     "status": {"addresses": [{"type": "InternalIP", "address": h["ip"]}]}})
        objs.append({"apiVersion": "cilium.io/v2", "kind": "CiliumNode",
                     "metadata": {"name": h["name"]},
                     "spec": {"addresses": [{"type": "InternalIP", "ip": h["ip"]}]}})
        for hp in h.get("hostNetworkPods") or []:
            q = dict(hp)
            q["node"] = h["name"]
            objs.append(pod_manifest(q, host_network=True, ip=h["ip"]))
        if h.get("kube_apiserver"):
            apiserver.append((h["ip"], h["kube_apiserver"].get("port", 6443)))
    if apiserver:
        objs.append({"apiVersion": "v1", "kind": "Endpoints",
                     "metadata": {"name": "kubernetes", "namespace": "default"},
                     "subsets": [{"addresses": [{"ip": ip} for ip, _ in apiserver],
                                  "ports": [{"name": "https", "port": apiserver[0][1],
                                             "protocol": "TCP"}]}]})
    return objs


def endpoint(topo, s):
    if s.startswith("host:"):
        for h in topo.get("hosts") or []:
            if h["name"] == s[5:]:
                return h["ip"]
        return None
    return s


def run_eval(netpolc, folder, dns, src, dst, port, proto):
    cmd = [netpolc, "eval", folder, "--from", src, "--to", dst, "--port", str(port),
           "--protocol", proto]
    for name, ip in dns:
        cmd += ["--dns", "%s=%s" % (name, ip)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode not in (0, 1):
        return None, (p.stderr.strip() or p.stdout.strip())
    return p.returncode == 0, p.stdout.strip()


def run_connlist(netpolc, folder):
    """The pod pairs of `netpolc connlist --format json`: {(src, dst): conn}."""
    p = subprocess.run([netpolc, "connlist", "--format", "json", folder],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    strip = lambda s: s.split("[")[0]
    return {(strip(r["src"]), strip(r["dst"])): r["conn"] for r in json.loads(p.stdout)}, ""


def set_aside_case(topo):
    cfg = (topo.get("cluster") or {}).get("ciliumConfig") or {}
    if cfg:
        return "depends on agent options netpolc does not model (%s)" % ", ".join(
            "%s=%s" % kv for kv in sorted(cfg.items()))
    return None


def set_aside_probe(probe):
    if probe.get("protocol") == "ICMP":
        return "ICMP is not modelled"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("netpolc")
    ap.add_argument("corpus")
    ap.add_argument("only", nargs="*", help="case name substrings")
    args = ap.parse_args()
    netpolc, corpus, only = args.netpolc, args.corpus, args.only
    total = agree = aside = via_connlist = 0
    reasons = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    with tempfile.TemporaryDirectory(prefix="netpolc-cilium-") as tmp:
        jobs = []
        for case_dir in sorted(glob.glob(os.path.join(corpus, "cases", "*"))):
            name = os.path.basename(case_dir)
            if only and not any(s in name for s in only):
                continue
            with open(os.path.join(case_dir, "topology.yaml")) as f:
                topo = yaml.safe_load(f)
            with open(os.path.join(case_dir, "expect.yaml")) as f:
                probes = yaml.safe_load(f) or []
            why = set_aside_case(topo)
            if why:
                aside += len(probes)
                reasons.setdefault(why, []).append("%s (%d probes)" % (name, len(probes)))
                continue
            folder = os.path.join(tmp, name)
            os.makedirs(folder)
            with open(os.path.join(folder, "cluster.yaml"), "w") as f:
                yaml.safe_dump_all(cluster_objects(topo), f, sort_keys=False)
            with open(os.path.join(case_dir, "policies.yaml")) as f:
                policies = [d for d in yaml.safe_load_all(f) if d]
            with open(os.path.join(folder, "policies.yaml"), "w") as f:
                yaml.safe_dump_all(policies, f, sort_keys=False)
            dns = [(n.rstrip("."), e["ip"]) for e in topo.get("externals") or []
                   for n in e.get("names") or []]
            connlist = pool.submit(run_connlist, netpolc, folder)
            for i, probe in enumerate(probes):
                why = set_aside_probe(probe)
                if why:
                    aside += 1
                    reasons.setdefault(why, []).append("%s#%d" % (name, i + 1))
                    continue
                src, dst = endpoint(topo, probe["from"]), endpoint(topo, probe["to"])
                label = "%s #%d %s -> %s %s/%s" % (name, i + 1, probe["from"], probe["to"],
                                                   probe.get("port"), probe["protocol"])
                pods = "/" in src and "/" in dst  # pod to pod: connlist must agree too
                jobs.append((label, probe["expect"] == "allow", pool.submit(
                    run_eval, netpolc, folder, dns, src, dst, probe["port"],
                    probe["protocol"]), connlist if pods else None,
                    (src, dst, probe["port"], probe["protocol"])))
        for label, want, fut, connlist, (src, dst, port, proto) in jobs:
            total += 1
            got, out = fut.result()
            bad = None
            if got is None:
                bad = "netpolc failed: %s" % out
            elif got != want:
                bad = "expected %s, eval says %s (%s)" % (
                    "allow" if want else "deny", "allow" if got else "deny", out)
            elif connlist is not None:
                via_connlist += 1
                pairs, err = connlist.result()
                listed = pairs is not None and conn_has(
                    pairs.get((src, dst), "No Connections"), port, proto)
                if pairs is None:
                    bad = "netpolc connlist failed: %s" % err
                elif listed != want:
                    bad = "expected %s, connlist says %s" % (
                        "allow" if want else "deny", pairs.get((src, dst), "no line"))
            if bad:
                print("MISMATCH %s: %s" % (label, bad))
            else:
                agree += 1
    pool.shutdown()
    for why, items in sorted(reasons.items()):
        print("set aside (%s): %d: %s" % (why, len(items), ", ".join(items[:12]) +
                                         (" ..." if len(items) > 12 else "")))
    print("%d of %d probes agree (%d set aside; %d pod-to-pod probes also checked against connlist)"
          % (agree, total, aside, via_connlist))
    return 0 if agree == total and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
