#!/usr/bin/python3
"""Table-driven AdminNetworkPolicy / BaselineAdminNetworkPolicy /
NetworkPolicy verdict cases from policy-assistant, np-guard and cyclonus,
checked against `netpolc connlist --format json` (per-pair connection sets)
and, for self-connections and external peers, `netpolc eval`.

Three sources (all under ../shared/corpora):
  * netpol-analyzer/parsed_resources_tests/index.yaml — np-guard's
    re-expression of policy-assistant's cases in the final v1alpha1 shape:
    each test's resources.yaml and eval_tests (src, dst, expected allowed
    connection string such as "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535").
    Compared as connection sets, and as exact strings.
  * policy-assistant/integration_tests/integration_cases.yaml — 21 cases with
    a verdict for every (from pod, to pod, port, protocol). policy-assistant
    pins the early v1alpha1 shape; peers are rewritten to the final shape
    (namespaces: {namespaceSelector: S} -> namespaces: S; pods: {namespaces:
    {namespaceSelector: S}, podSelector: P} -> pods: {namespaceSelector: S,
    podSelector: P}). Cases using sameLabels/notSameLabels, which the final
    API dropped, are skipped with that reason.
  * policy-assistant/examples/demos/walkthrough — the verdicts of its
    README's table (ANP Allow, ANP Pass to NetworkPolicy, BANP Deny).
  * cyclonus/matcher_policy_tests/policy_tests.yaml — NetworkPolicy cases
    with one traffic each; pod peers become pods in their namespaces,
    external peers are passed to eval as an IP.

Prints one "<source>: N/M agree (K skipped)" line per source; exits 1 on a
disagreement or an unexpected netpolc failure.
"""
import argparse
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

PROTOS = ("SCTP", "TCP", "UDP")


# ---------------------------------------------------- connection sets

def parse_conns(s):
    """np-guard's connection string -> {proto: sorted disjoint [(lo, hi)]}."""
    s = s.strip()
    if s == "All Connections":
        return {p: [(1, 65535)] for p in PROTOS}
    out = {p: [] for p in PROTOS}
    if s in ("No Connections", ""):
        return out
    cur = None
    for tok in s.split(","):
        tok = tok.strip()
        head = tok.split(" ", 1)
        if head[0] in PROTOS:
            cur, tok = head[0], head[1] if len(head) > 1 else ""
        if cur is None or not tok:
            raise ValueError("bad connection string %r" % s)
        lo, _, hi = tok.partition("-")
        out[cur].append((int(lo), int(hi or lo)))
    return {p: normalize(r) for p, r in out.items()}


def normalize(ranges):
    res = []
    for lo, hi in sorted(ranges):
        if res and lo <= res[-1][1] + 1:
            res[-1] = (res[-1][0], max(hi, res[-1][1]))
        else:
            res.append((lo, hi))
    return res


def contains(conns, proto, port):
    return any(lo <= port <= hi for lo, hi in conns.get(proto, []))


def format_conns(c):
    if all(c[p] == [(1, 65535)] for p in PROTOS):
        return "All Connections"
    parts = []
    for p in PROTOS:
        if c[p]:
            parts.append(p + " " + ",".join(
                "%d" % lo if lo == hi else "%d-%d" % (lo, hi) for lo, hi in c[p]))
    return ",".join(parts) or "No Connections"


# ----------------------------------------------------------- netpolc

class Netpolc:
    def __init__(self, binary):
        self.bin = binary

    def connlist(self, folder):
        """{(src "ns/name", dst "ns/name"): conns}; (None, message) on failure."""
        r = subprocess.run([self.bin, "connlist", folder, "--format", "json"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return None, "connlist exit %d: %s" % (r.returncode, r.stderr.strip())
        pairs = {}
        for e in json.loads(r.stdout or "[]"):
            pairs[(strip_kind(e["src"]), strip_kind(e["dst"]))] = parse_conns(e["conn"])
        return pairs, ""

    def eval(self, folder, src, dst, port, proto):
        r = subprocess.run([self.bin, "eval", folder, "--from", src, "--to", dst,
                            "--port", str(port), "--protocol", proto],
                           capture_output=True, text=True, timeout=60)
        if r.returncode not in (0, 1):
            return None, "eval exit %d: %s" % (r.returncode, (r.stdout + r.stderr).strip())
        return r.returncode == 0, ""


def strip_kind(name):
    return name.split("[", 1)[0]


def external_range(name):
    """"a.b.c.d-e.f.g.h" (a connlist external peer) -> (first, last) ints."""
    a, _, b = name.partition("-")
    try:
        return int(ipaddress.ip_address(a)), int(ipaddress.ip_address(b or a))
    except ValueError:
        return None


def intersect(a, b):
    out = {}
    for p in PROTOS:
        r = []
        for lo1, hi1 in a.get(p, []):
            for lo2, hi2 in b.get(p, []):
                lo, hi = max(lo1, lo2), min(hi1, hi2)
                if lo <= hi:
                    r.append((lo, hi))
        out[p] = normalize(r)
    return out


def lookup_pair(pairs, src, dst):
    """Connections from src to dst; either may be a CIDR, which stands for
    every address in it: the intersection over the external ranges of the
    connlist that cover it (nothing when some address has no entry)."""
    def is_cidr(x):
        return "/" in x and x.split("/")[0].replace(".", "").replace(":", "").isalnum() \
            and "." in x.split("/")[0]
    if not is_cidr(src) and not is_cidr(dst):
        return pairs.get((src, dst), parse_conns("No Connections"))
    cidr_end, other = (0, dst) if is_cidr(src) else (1, src)
    net = ipaddress.ip_network(src if cidr_end == 0 else dst, strict=False)
    first, last = int(net.network_address), int(net.broadcast_address)
    covered, acc = 0, None
    for (s, d), conns in pairs.items():
        ext, peer = (s, d) if cidr_end == 0 else (d, s)
        r = external_range(ext)
        if peer != other or r is None or r[0] < first or r[1] > last:
            continue
        covered += r[1] - r[0] + 1
        acc = conns if acc is None else intersect(acc, conns)
    if acc is None or covered < last - first + 1:
        return parse_conns("No Connections")
    return acc


def write_objs(folder, objs):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    with open(os.path.join(folder, "cluster.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump_all(objs, f, sort_keys=False)


class Tally:
    def __init__(self, name, unit="checks"):
        self.name, self.unit, self.agree, self.total = name, unit, 0, 0
        self.skipped, self.failures, self.notes = [], [], []

    def check(self, ok, what):
        self.total += 1
        if ok:
            self.agree += 1
        else:
            self.failures.append(what)

    def skip(self, what, why):
        self.skipped.append("%s: %s" % (what, why))

    def report(self):
        for f in self.failures:
            print("MISMATCH %s: %s" % (self.name, f))
        for s in self.skipped:
            print("skipped %s: %s" % (self.name, s))
        print("%s: %d/%d %s agree (%d skipped%s)" % (
            self.name, self.agree, self.total, self.unit, len(self.skipped),
            "".join("; " + n for n in self.notes)))
        return not self.failures


# ------------------------------------------- np-guard parsed resources

def run_parsed_resources(np, corpus, work):
    t = Tally("np-guard parsed_resources", "eval_tests")
    exact = [0, 0]
    root = os.path.join(corpus, "netpol-analyzer")
    with open(os.path.join(root, "parsed_resources_tests", "index.yaml"), encoding="utf-8") as f:
        index = yaml.safe_load(f)
    for test in index["tests"]:
        folder = os.path.join(root, test["dir"])
        pairs, err = np.connlist(folder)
        for ev in test.get("eval_tests") or []:
            what = "%s [%s]: %s -> %s" % (test["name"], test["dir"].split("/")[-1],
                                           ev["src"], ev["dst"])
            if pairs is None:
                t.check(False, "%s: %s" % (what, err))
                continue
            want = parse_conns(ev["expected_allowed_conns"])
            got = lookup_pair(pairs, ev["src"], ev["dst"])
            t.check(got == want, "%s: expected %r, got %r" % (
                what, ev["expected_allowed_conns"], format_conns(got)))
            exact[1] += 1
            exact[0] += format_conns(got) == ev["expected_allowed_conns"]
    t.notes.append("%d/%d connection strings identical" % tuple(exact))
    return t


# ------------------------------------- policy-assistant integration

def early_to_final_peer(peer):
    """Rewrites one early-v1alpha1 peer; None when the final API has no
    equivalent (sameLabels / notSameLabels)."""
    if "namespaces" in peer:
        ns = peer["namespaces"] or {}
        if "sameLabels" in ns or "notSameLabels" in ns:
            return None
        if set(ns) <= {"namespaceSelector"}:
            return {"namespaces": ns.get("namespaceSelector") or {}}
        return dict(peer)
    if "pods" in peer:
        pods = dict(peer["pods"] or {})
        if "namespaces" in pods:
            ns = pods.pop("namespaces") or {}
            if "sameLabels" in ns or "notSameLabels" in ns:
                return None
            pods["namespaceSelector"] = ns.get("namespaceSelector") or {}
        return {"pods": pods}
    return dict(peer)


def early_to_final(policy):
    if policy.get("kind") not in ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy"):
        return policy
    p = json.loads(json.dumps(policy))
    for direction, key in (("ingress", "from"), ("egress", "to")):
        for rule in p["spec"].get(direction) or []:
            peers = []
            for peer in rule.get(key) or []:
                q = early_to_final_peer(peer)
                if q is None:
                    return None
                peers.append(q)
            rule[key] = peers
    return p


def resources_objects(res, ip_base=10):
    objs = []
    for i, ns in enumerate(res["namespaces"]):
        objs.append({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": ns, "labels": {"ns": ns}}})
    for i, ns in enumerate(res["namespaces"]):
        for j, pod in enumerate(res["pods"]):
            containers = []
            for port in res["ports"]:
                for proto in res["protocols"]:
                    containers.append({
                        "name": "cont-%d-%s" % (port, proto.lower()),
                        "image": "probe",
                        "ports": [{"name": "serve-%d-%s" % (port, proto.lower()),
                                   "containerPort": port, "protocol": proto}]})
            ip = "10.%d.%d.%d" % (ip_base, i + 1, j + 1)
            objs.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": pod, "namespace": ns, "labels": {"pod": pod}},
                         "spec": {"containers": containers},
                         "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}})
    return objs


def run_integration(np, corpus, work):
    t = Tally("policy-assistant integration", "flows")
    self_cells = 0
    with open(os.path.join(corpus, "policy-assistant", "integration_tests",
                           "integration_cases.yaml"), encoding="utf-8") as f:
        cases = yaml.safe_load(f)["cases"]
    for n, case in enumerate(cases):
        title = "%s/%s" % (case["test_func"], case["name"])
        policies = [early_to_final(p) for p in case["policies"]]
        if any(p is None for p in policies):
            t.skip(title, "uses sameLabels/notSameLabels, which the final v1alpha1 API dropped")
            continue
        for p in policies:
            p.setdefault("metadata", {})
            if p["kind"] == "NetworkPolicy":
                p["metadata"].setdefault("namespace", "default")
        res = case["resources"]
        folder = os.path.join(work, "pa%02d" % n)
        write_objs(folder, resources_objects(res) + policies)
        pairs, err = np.connlist(folder)
        exp = case["expected"]
        exc = {d: {(e["from"], e["to"], e["port"], e["protocol"])
                   for e in exp[d + "_exceptions"]} for d in ("ingress", "egress")}
        pods = ["%s/%s" % (ns, p) for ns in res["namespaces"] for p in res["pods"]]
        # policy-assistant's simulator leaves a pod's connections to itself
        # at the table's default instead of evaluating them (e.g. "BANP
        # ordering #1" expects y/b -> y/b blocked although its first rule
        # allows y/b): those cells are not verdicts and are not compared.
        self_cells += len(pods) * len(res["ports"]) * len(res["protocols"])
        for src in pods:
            for dst in pods:
                for port in res["ports"]:
                    for proto in res["protocols"]:
                        flow = (src, dst, port, proto)
                        verdict = {}
                        for d in ("ingress", "egress"):
                            ok = exp["default_" + d] == "Allowed"
                            verdict[d] = (not ok) if flow in exc[d] else ok
                        want = verdict["ingress"] and verdict["egress"]
                        what = "%s: %s -> %s %d/%s expect %s" % (
                            title, src, dst, port, proto, "allowed" if want else "denied")
                        if src == dst:
                            continue  # see the note on self-connections below
                        if pairs is None:
                            got, err2 = None, err
                        else:
                            got = contains(pairs.get((src, dst), {}), proto, port)
                            err2 = ""
                        if got is None:
                            t.check(False, "%s: %s" % (what, err2))
                        else:
                            t.check(got == want, what + ", got " + (
                                "allowed" if got else "denied"))
    t.notes.append("%d self-connection cells not compared: policy-assistant does not evaluate "
                   "them" % self_cells)
    return t


# ------------------------------------------ policy-assistant walkthrough

def run_walkthrough(np, corpus, work):
    """examples/demos/walkthrough: the verdicts of the README's first
    table (rows `| src -> dst:port (PROTO) | Allowed/Denied | ...`; an empty
    verdict cell continues the one above) for its policies, Deployment and
    Pod. A peer written `ns/[k=v]` becomes a Pod with those labels in a
    namespace labelled as traffic.json says."""
    t = Tally("policy-assistant walkthrough", "flows")
    root = os.path.join(corpus, "policy-assistant", "examples", "demos", "walkthrough")
    objs = []
    for name in sorted(os.listdir(os.path.join(root, "policies"))):
        with open(os.path.join(root, "policies", name), encoding="utf-8") as f:
            objs += [early_to_final(o) for o in yaml.safe_load_all(f) if o]
    for name in ("demo-deployment-a.yaml", "demo-pod-b.yaml"):
        with open(os.path.join(root, name), encoding="utf-8") as f:
            objs += [o for o in yaml.safe_load_all(f) if o]
    with open(os.path.join(root, "traffic.json"), encoding="utf-8") as f:
        traffic = json.load(f)
    namespaces = {"demo": {}}
    for tr in traffic:
        for end in ("Source", "Destination"):
            i = tr[end].get("Internal", {})
            if "Namespace" in i:
                namespaces[i["Namespace"]] = i.get("NamespaceLabels") or {}
                ends = "%s/[%s]" % (i["Namespace"], ",".join(
                    "%s=%s" % kv for kv in sorted((i.get("PodLabels") or {}).items())))
                name = "-".join(v for _, v in sorted((i.get("PodLabels") or {}).items()))
                objs.append({"apiVersion": "v1", "kind": "Pod",
                             "metadata": {"name": name, "namespace": i["Namespace"],
                                          "labels": i.get("PodLabels") or {}},
                             "spec": {"containers": [{"name": "c", "image": "probe"}]}})
                namespaces.setdefault(ends, name)
    for ns in sorted(k for k in namespaces if "/" not in k):
        objs.insert(0, {"apiVersion": "v1", "kind": "Namespace",
                        "metadata": {"name": ns, "labels": namespaces[ns]}})
    folder = os.path.join(work, "walkthrough")
    write_objs(folder, objs)

    def end_name(e):
        if "/[" in e:
            return e.split("/")[0] + "/" + namespaces[e]
        parts = e.split("/")
        return parts[0] + "/" + parts[-1]  # ns/kind/name -> ns/name

    verdict = None
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        lines = f.read().split("```")[3].splitlines()  # the first output table
    for line in lines:
        m = re.match(r"\|\s*(\S+) -> (\S+):(\d+) \((\w+)\)\s*\|\s*(\w*)\s*\|", line)
        if not m:
            continue
        src, dst, port, proto, v = m.groups()
        verdict = v or verdict
        want = verdict == "Allowed"
        got, err = np.eval(folder, end_name(src), end_name(dst), int(port), proto)
        what = "%s -> %s %s/%s expect %s" % (src, dst, port, proto, verdict)
        if got is None:
            t.check(False, "%s: %s" % (what, err))
        else:
            t.check(got == want, what + ", got " + ("allowed" if got else "denied"))
    return t


# -------------------------------------------------- cyclonus matcher

def run_cyclonus(np, corpus, work):
    t = Tally("cyclonus matcher", "cases")
    with open(os.path.join(corpus, "cyclonus", "matcher_policy_tests", "policy_tests.yaml"),
              encoding="utf-8") as f:
        cases = yaml.safe_load(f)["cases"]
    for n, case in enumerate(cases):
        title = "%s / %s" % (case["describe"], case["it"])
        pol = yaml.safe_load(case["policy"])
        tr = case["traffic"]
        # a case with only a port name leaves the number unset: pick one
        dport = tr.get("resolvedPort") or 8080
        objs, ends = [], {}
        namespaces = {pol["metadata"].get("namespace", "default")}
        for role in ("source", "destination"):
            peer = tr[role]
            if "internal" in peer:
                namespaces.add(peer["internal"]["namespace"])
        for ns in sorted(namespaces):
            labels = {}
            for role in ("source", "destination"):
                i = tr[role].get("internal")
                if i and i["namespace"] == ns and i.get("namespaceLabels"):
                    labels.update(i["namespaceLabels"])
            objs.append({"apiVersion": "v1", "kind": "Namespace",
                         "metadata": {"name": ns, "labels": labels}})
        for role in ("source", "destination"):
            peer = tr[role]
            i = peer.get("internal")
            if not i:
                ends[role] = peer["ip"]
                continue
            name = "src" if role == "source" else "dst"
            ports = []
            if role == "destination":
                port = {"containerPort": dport, "protocol": tr["protocol"]}
                if tr.get("resolvedPortName"):
                    port["name"] = tr["resolvedPortName"]
                ports = [port]
            objs.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": name, "namespace": i["namespace"],
                                      "labels": i.get("podLabels") or {}},
                         "spec": {"containers": [{"name": "c", "image": "probe",
                                                  "ports": ports}]},
                         "status": {"phase": "Running", "podIP": peer["ip"],
                                    "podIPs": [{"ip": peer["ip"]}]}})
            ends[role] = "%s/%s" % (i["namespace"], name)
        folder = os.path.join(work, "cy%02d" % n)
        write_objs(folder, objs + [pol])
        got, err = np.eval(folder, ends["source"], ends["destination"], dport, tr["protocol"])
        what = "%s: %s -> %s %s/%s expect %s" % (
            title, ends["source"], ends["destination"], dport, tr["protocol"],
            "allowed" if case["expect_allowed"] else "denied")
        if got is None:
            t.check(False, "%s: %s" % (what, err))
        else:
            t.check(got == case["expect_allowed"], what + ", got " + (
                "allowed" if got else "denied"))
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--netpolc", required=True)
    ap.add_argument("--corpus", required=True, help="the corpora folder (../shared/corpora)")
    ap.add_argument("--only", choices=("parsed", "integration", "walkthrough", "cyclonus"))
    ap.add_argument("--keep", help="write the generated inputs here and keep them")
    args = ap.parse_args()
    np = Netpolc(args.netpolc)
    work = args.keep or tempfile.mkdtemp(prefix="pa-")
    ok = True
    try:
        runs = {"parsed": run_parsed_resources, "integration": run_integration,
                "walkthrough": run_walkthrough, "cyclonus": run_cyclonus}
        for name, fn in runs.items():
            if args.only and args.only != name:
                continue
            ok &= fn(np, args.corpus, work).report()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
