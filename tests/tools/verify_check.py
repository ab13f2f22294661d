#!/usr/bin/python3
"""Tests of `netpolc verify`.

usage:
  verify_check.py --bin NETPOLC --root REPO case tests/golden/spec/EXAMPLE/COMBO.args [--engine E]
  verify_check.py --bin NETPOLC --root REPO all EXAMPLE [--engine E]
  verify_check.py --bin NETPOLC --root REPO mutants tests/golden/spec/EXAMPLE/COMBO.args
  verify_check.py --bin NETPOLC --root REPO reference tests/golden/spec/EXAMPLE/COMBO.args

case:      `verify SPEC ARGS` against tests/golden/verify/EXAMPLE/COMBO.txt (exit status 0
           when it says "result: clean" (with or without unenforceable flows), else 1; the
           JSON report agrees; with unenforceable flows, --strict exits 1); then the round
           trip of the golden rendering COMBO.yaml: it loads back with no diagnostic
           (`verify -v --policies`, notes shown), and `verify --policies COMBO.yaml` finds exactly what
           verifying the rendering finds.
           With --engine E, the same for engine E (rendering COMBO.E.yaml, report
           COMBO.E.txt).
all:       `verify --all-combinations` of examples/EXAMPLE.yaml against
           tests/golden/verify/EXAMPLE/all-combinations.txt (.E.txt with --engine).
mutants:   every mutant of the golden rendering (one rule removed, one port dropped,
           one peer widened) verified with --policies, each probe's verdict checked
           against the reference evaluator (reference_eval.py, no code shared with
           netpolc): every probe verify reports must be one whose verdict the
           mutation changed, in that sense (allowed -> denied: missing; denied ->
           allowed: excess); a mutant that changes some probe must be reported,
           unless it only denies flows that no declared peer names (a broad peer -
           "*", any-ip, the whole cluster - obliges nothing: counted "unobliged");
           one that changes none (an equivalent mutant) must verify clean. Prints
           the counts.
command:   `verify ARGS` of an .args file against the .txt beside it (report and exit
           status): the --cluster goldens of tests/golden/verify/cluster/.
closed:    the unenforceable flows of the ClusterNetworkPolicy rendering (exit 0, --strict
           exit 1), closed by the kubernetes rendering beside it (--policies both: clean).
reference: verify's verdict of every probe (--dump-probes) on the synthesised
           topology (--dump-topology) and the rendering, compared one by one with
           the reference evaluator's.

With NETPOLC_REGEN=1 the expected files are (re)written instead.
"""
import copy
import json
import os
import re
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference_eval as ref  # noqa: E402
from spec_golden import expect, read_args, run  # noqa: E402


def case_files(root, args_file, engine=None):
    """spec, arguments, golden rendering and expected report of a case; with
    an engine, its rendering COMBO.ENGINE.yaml and report COMBO.ENGINE.txt,
    and --engine in the arguments."""
    args_file = os.path.relpath(os.path.join(root, args_file), root)
    base = args_file[: -len(".args")]
    example = os.path.basename(os.path.dirname(args_file))
    spec = os.path.join("examples", example + ".yaml")
    local = os.path.join(os.path.dirname(args_file), "spec.yaml")
    if os.path.exists(os.path.join(root, local)):
        spec = local
    suffix = "." + engine if engine else ""
    golden = os.path.join("tests", "golden", "verify", example, os.path.basename(base) + suffix + ".txt")
    args = read_args(os.path.join(root, args_file)) + (["--engine", engine] if engine else [])
    return spec, args, base + suffix + ".yaml", golden


def has_errors(err):
    """stderr holds more than warnings and notes (a spec may warn)."""
    return any(ln and not ln.startswith(" ") and not re.search(r": (warning|note)\[NPC\d+\]: ", ln)
               for ln in err.splitlines())


def findings(report):
    """{(kind, src, dst, conn)} of a JSON report."""
    out = set()
    for kind in ("missing", "excess", "unenforceable"):
        for f in report[kind]:
            out.add((kind, f["src"], f["dst"], f["conn"]))
    return out


def case(binary, root, args_file, engine=None):
    failures = []
    spec, args, rendering, golden = case_files(root, args_file, engine)
    rc, out, err = run(binary, root, ["verify", spec] + args)
    if rc not in (0, 1) or has_errors(err):
        return [f"verify exited {rc}: {err}"]
    os.makedirs(os.path.dirname(os.path.join(root, golden)), exist_ok=True)
    expect(os.path.join(root, golden), out, failures)
    # "result: clean" or "result: clean, N unenforceable" (exit 0 unless --strict)
    want_rc = 0 if re.search(r"^result: clean(, \d+ unenforceable)?$", out.rstrip().split("\n")[-1]) else 1
    if rc != want_rc:
        failures.append(f"exit status {rc}, expected {want_rc}")
    rc, js, err = run(binary, root, ["verify", spec, "--format", "json"] + args)
    report = json.loads(js)
    if (report["result"] == "clean") != (want_rc == 0):
        failures.append("JSON and text reports disagree")
    # unenforceable flows fail only with --strict
    if report["counts"]["unenforceable"] and want_rc == 0:
        rc, js3, err = run(binary, root, ["verify", spec, "--strict", "--format", "json"] + args)
        if rc != 1 or json.loads(js3)["result"] != "findings":
            failures.append(f"--strict: exit {rc}, expected 1 for unenforceable flows")
    # round trip of the golden rendering: loaded with notes shown (-v), no
    # diagnostic at all
    rc, js2, err = run(binary, root, ["verify", spec, "-v", "--format", "json", "--policies",
                                      rendering] + args)
    if rc not in (0, 1) or rendering in err:  # the spec's own notes (values files) aside
        failures.append(f"the golden rendering does not load back cleanly: exit {rc}: {err}")
    elif findings(json.loads(js2)) != findings(report):
        failures.append("verify --policies of the golden rendering finds otherwise than verify")
    return failures


def all_combinations(binary, root, example, engine=None):
    failures = []
    spec = os.path.join("examples", example + ".yaml")
    local = os.path.join("tests", "golden", "spec", example, "spec.yaml")
    if os.path.exists(os.path.join(root, local)):
        spec = local
    extra = ["--engine", engine] if engine else []
    rc, out, err = run(binary, root, ["verify", spec, "--all-combinations"] + extra)
    if rc not in (0, 1) or has_errors(err):
        return [f"verify --all-combinations exited {rc}: {err}"]
    golden = os.path.join(root, "tests", "golden", "verify", example,
                          "all-combinations%s.txt" % ("." + engine if engine else ""))
    os.makedirs(os.path.dirname(golden), exist_ok=True)
    expect(golden, out, failures)
    return failures


# ------------------------------------------------------------ reference

def parse_conn(conn):
    """{(proto, port)} ranges of a connection string, as a predicate."""
    ranges = []
    proto = None
    for part in conn.split(","):
        if " " in part:
            proto, part = part.split(" ", 1)
        lo, _, hi = part.partition("-")
        ranges.append((proto, int(lo), int(hi or lo)))
    return lambda p, n: any(p == q and lo <= n <= hi for q, lo, hi in ranges)


class Reference:
    """The reference evaluator over a topology and policies (files)."""

    def __init__(self, paths):
        m = ref.Model()
        tmp = tempfile.mkdtemp(prefix="npc-ref-")
        for i, p in enumerate(paths):
            os.symlink(os.path.abspath(p), os.path.join(tmp, "%02d.yaml" % i))
        m.load(tmp)
        self.ev = ref.Evaluator(m)
        self.by_name = dict(("%s/%s" % (w.ns, w.name), w) for w in m.wl)

    def side(self, subject, direction, peer, dst):
        if isinstance(peer, ref.Workload):
            return self.ev.side(subject, direction, peer_w=peer, dst=dst)
        version, addr = peer
        anp, isolated, npr, banp = self.ev.sel[(subject.idx, direction)]

        def hit(r):
            return any(p.kind == "all" or (p.kind == "ip" and any(b.contains(version, addr) for b in p.blocks))
                       for p in r.peers)
        s = ref.Side()
        s.admin = [(r.action, r.port_ranges(dst)) for r in anp if hit(r)]
        s.isolated = isolated
        s.np = [r.port_ranges(dst) for r in npr if hit(r)]
        s.base = [(r.action, r.port_ranges(dst)) for r in banp if hit(r)]
        return s

    def endpoint(self, name):
        if name in self.by_name:
            return self.by_name[name]
        import ipaddress
        a = ipaddress.ip_address(name)
        return (a.version, int(a))

    def allowed(self, src, dst, proto, port):
        s, d = self.endpoint(src), self.endpoint(dst)
        sides = []
        if isinstance(s, ref.Workload):
            sides.append(self.side(s, "egress", d, d if isinstance(d, ref.Workload) else None))
        if isinstance(d, ref.Workload):
            sides.append(self.side(d, "ingress", s, d))
        return all(ref.decide(x, proto, port) for x in sides)


def read_probes(path):
    out = []
    with open(path) as f:
        for line in f:
            src, dst, proto, port, ok = line.rstrip("\n").split("\t")
            out.append((src, dst, proto, int(port), ok == "1"))
    return out


def verify_dump(binary, root, spec, args, tmp, policies=None):
    topo = os.path.join(tmp, "topology.yaml")
    probes = os.path.join(tmp, "probes.tsv")
    extra = ["--policies", policies] if policies else []
    rc, js, err = run(binary, root, ["verify", spec, "--format", "json", "--dump-topology", topo,
                                     "--dump-probes", probes] + extra + args)
    if rc not in (0, 1):
        raise RuntimeError(f"verify exited {rc}: {err}")
    return json.loads(js), topo, read_probes(probes)


def reference(binary, root, args_file):
    spec, args, rendering, _ = case_files(root, args_file)
    tmp = tempfile.mkdtemp(prefix="npc-vref-")
    _, topo, probes = verify_dump(binary, root, spec, args, tmp)
    r = Reference([topo, os.path.join(root, rendering)])
    diffs = [p for p in probes if r.allowed(*p[:4]) != p[4]]
    print(f"{len(probes)} probes, {len(diffs)} differences from the reference evaluator")
    return [f"probe {p[0]} -> {p[1]} {p[2]} {p[3]}: netpolc says {'allowed' if p[4] else 'denied'}"
            for p in diffs[:20]]


# -------------------------------------------------------------- mutants

def mutants(docs):
    """(description, mutated docs, (mutated object, direction)) for every
    single mutation of the rules."""
    for i, d in enumerate(docs):
        if d.get("kind") != "NetworkPolicy":
            continue
        name = "%s/%s" % (d["metadata"].get("namespace"), d["metadata"]["name"])
        for direction, key in (("ingress", "from"), ("egress", "to")):
            rules = d["spec"].get(direction) or []
            for j, rule in enumerate(rules):
                where = f"{name} {direction} rule {j}"
                m = copy.deepcopy(docs)
                del m[i]["spec"][direction][j]
                if not m[i]["spec"][direction]:
                    del m[i]["spec"][direction]
                yield f"remove {where}", m, (d, direction)
                ports = rule.get("ports") or []
                for k in range(len(ports) if len(ports) > 1 else 0):
                    m = copy.deepcopy(docs)
                    del m[i]["spec"][direction][j]["ports"][k]
                    yield f"drop port {k} of {where}", m, (d, direction)
                for k, peer in enumerate(rule.get(key) or []):
                    for how, wide in widenings(peer):
                        m = copy.deepcopy(docs)
                        m[i]["spec"][direction][j][key][k] = wide
                        yield f"widen peer {k} of {where}: {how}", m, (d, direction)


def widenings(peer):
    if "ipBlock" in peer:
        b = peer["ipBlock"]
        if b.get("except"):
            yield "no except", {"ipBlock": {"cidr": b["cidr"]}}
        if ":" not in b["cidr"] and b["cidr"] != "0.0.0.0/0":
            yield "cidr 0.0.0.0/0", {"ipBlock": {"cidr": "0.0.0.0/0"}}
        return
    if peer.get("podSelector"):
        w = dict(peer)
        w["podSelector"] = {}
        yield "every pod", w
    if peer.get("namespaceSelector"):
        w = dict(peer)
        w["namespaceSelector"] = {}
        yield "every namespace", w
    elif "namespaceSelector" not in peer:
        w = dict(peer)
        w["namespaceSelector"] = {}
        yield "every namespace", w


def probe_findings(report, probes):
    """{(src, dst, proto, port): kind} of the probes a report's findings hold."""
    by_pair = {}
    for src, dst, proto, port, _ in probes:
        by_pair.setdefault((src, dst), []).append((proto, port))
    out = {}
    for kind in ("missing", "excess"):
        for f in report[kind]:
            inside = parse_conn(f["conn"])
            for proto, port in by_pair.get((f["src"], f["dst"]), []):
                if inside(proto, port):
                    out[(f["src"], f["dst"], proto, port)] = kind
    return out


def mutants_check(binary, root, args_file):
    spec, args, rendering, _ = case_files(root, args_file)
    with open(os.path.join(root, rendering)) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    tmp = tempfile.mkdtemp(prefix="npc-mut-")
    base_report, topo, base_probes = verify_dump(binary, root, spec, args, tmp)
    # findings of the rendering itself (a seed's gap) are not the mutation's
    base = probe_findings(base_report, base_probes)
    original = Reference([topo, os.path.join(root, rendering)])
    failures = []
    counts = {"mutants": 0, "killed": 0, "equivalent": 0, "unobliged": 0}
    for n, (what, m, (obj, direction)) in enumerate(mutants(docs)):
        counts["mutants"] += 1
        path = os.path.join(tmp, "mutant-%d.yaml" % n)
        with open(path, "w") as f:
            yaml.safe_dump_all(m, f, sort_keys=False)
        report, _, probes = verify_dump(binary, root, spec, args, tmp, policies=path)
        mutated = Reference([topo, path])
        # only flows whose subject the mutated policy selects can change
        pol = ref.NetworkPolicy(obj["metadata"].get("namespace"), obj["metadata"]["name"], obj["spec"])
        subjects = set(name for name, w in original.by_name.items()
                       if pol.selects(original.ev.m, w))
        end = 0 if direction == "egress" else 1
        changed = {}
        for src, dst, proto, port, ok in probes:
            if (src, dst)[end] not in subjects:
                continue
            before = original.allowed(src, dst, proto, port)
            if mutated.allowed(src, dst, proto, port) != ok:
                failures.append(f"{what}: probe {src} -> {dst} {proto} {port}: netpolc and the "
                                "reference evaluator disagree")
            if before != ok:
                changed[(src, dst, proto, port)] = "missing" if before else "excess"
        reported = dict((p, k) for p, k in probe_findings(report, probes).items()
                        if base.get(p) != k)
        for p, kind in reported.items():
            if changed.get(p) != kind:
                failures.append(f"{what}: verify reports {kind} {p}, but the mutation did not make it so")
        if not changed:
            counts["equivalent"] += 1
            if os.environ.get("VERIFY_SHOW_EQUIVALENT"):
                print("equivalent:", what)
            if reported:
                failures.append(f"{what}: an equivalent mutant, yet verify reports findings")
        elif reported:
            counts["killed"] += 1
        elif all(k == "missing" for k in changed.values()):
            # only denials of flows no peer names (broad peers oblige nothing)
            counts["unobliged"] += 1
            if os.environ.get("VERIFY_SHOW_EQUIVALENT"):
                print("unobliged:", what)
        else:
            failures.append(f"{what}: changes {len(changed)} probes (e.g. {sorted(changed)[0]}) "
                            "but verify reports nothing")
    print("mutants: %(mutants)d, killed: %(killed)d, equivalent: %(equivalent)d, "
          "unobliged: %(unobliged)d" % counts)
    return failures


def closed(binary, root, args_file):
    """With clusterNetworkPolicy, external ingress into restricted pods is
    unenforceable (reported, exit 0; --strict exit 1); the CNP rendering
    together with the kubernetes one (NetworkPolicies isolating those pods)
    closes it: clean, nothing unenforceable."""
    failures = []
    spec, args, rendering, _ = case_files(root, args_file)
    cnp = rendering[:-len(".yaml")] + ".clusterNetworkPolicy.yaml"
    base = ["verify", spec, "--engine", "clusterNetworkPolicy", "--format", "json"] + args
    rc, js, err = run(binary, root, base)
    report = json.loads(js) if rc in (0, 1) else None
    if rc != 0 or not report["unenforceable"] or report["excess"] or report["result"] != "clean":
        failures.append(f"the ClusterNetworkPolicy rendering alone: exit {rc}, expected 0 with "
                        f"unenforceable flows and no excess: {js}{err}")
    rc, js, err = run(binary, root, base + ["--strict"])
    if rc != 1:
        failures.append(f"--strict: exit {rc}, expected 1")
    rc, js, err = run(binary, root, base + ["--policies", cnp, rendering])
    report = json.loads(js) if rc in (0, 1) else None
    if rc != 0 or not report or report["counts"]["unenforceable"] or report["result"] != "clean":
        failures.append(f"with the NetworkPolicies beside: exit {rc}, expected clean: {js}{err}")
    return failures


def command(binary, root, args_file):
    """`netpolc verify ARGS` (ARGS from the .args file: spec, options,
    --cluster snapshot...) against the .txt beside it: the report, then
    "[exit N]"; stderr holds no error."""
    failures = []
    rc, out, err = run(binary, root, ["verify"] + read_args(os.path.join(root, args_file)))
    if rc not in (0, 1) or has_errors(err):
        return [f"verify exited {rc}: {err}"]
    expect(os.path.join(root, args_file[: -len(".args")] + ".txt"), out + f"[exit {rc}]\n", failures)
    return failures


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the netpolc binary")
    ap.add_argument("--root", default=os.getcwd(), help="the repository")
    ap.add_argument("mode", choices=("case", "all", "mutants", "reference", "closed", "command"))
    ap.add_argument("what", help="an .args file, or an example's name for 'all'")
    ap.add_argument("--engine", help="case, all: verify this engine's rendering (COMBO.ENGINE.yaml)")
    a = ap.parse_args(argv)
    if a.mode in ("case", "all"):
        failures = {"case": case, "all": all_combinations}[a.mode](a.bin, a.root, a.what, a.engine)
    else:
        failures = {"mutants": mutants_check, "reference": reference,
                    "closed": closed, "command": command}[a.mode](a.bin, a.root, a.what)
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
