#!/usr/bin/python3
"""Conformance with np-guard/netpol-analyzer's test corpus.

Reads ../shared/corpora/netpol-analyzer:
  expected_outputs_manifest.json  connlist (and cli-list) entries: runs
      `netpolc connlist --format F [focus options] tests/<dir>` and compares
      with the expected file ignoring only \\n and \\r, as upstream's tests do;
      explain entries the same with `--explain [--explain-only allow|deny]`;
  fatal_error_cases.json          folders that must be rejected: exit status 2,
      nothing on stdout, and an error whose code means what upstream's message
      says (we do not need the same words);
  eval_cases_cli.json             single flows through `netpolc eval`;
  parsed_resources_tests/index.yaml  ANP/BANP cases upstream builds in Go:
      the connlist of each folder, and each pair's expected allowed set read
      from that connlist ("No Connections" when the pair is not listed).

Entries whose features netpolc does not analyse are counted as out of scope,
by feature, with the reason; a case is never left out because netpolc gets it
wrong. Prints "connlist: A agree / B run / C out of scope" and the reasons;
likewise "explain: ..."; exits 1 on any disagreement in scope.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

import yaml

# Kinds that change what netpol-analyzer reports in ways netpolc does not
# model, with the reason printed in the summary.
MULTI_NETWORK_KINDS = {
    "UserDefinedNetwork", "ClusterUserDefinedNetwork", "NetworkAttachmentDefinition",
    "MultiNetworkPolicy",
}
OUT_OF_SCOPE_KINDS = [
    ({"VirtualMachine", "VirtualMachineInstance"},
     "KubeVirt VirtualMachines as workloads"),
    ({"Route", "Ingress"},
     "Ingress/Route analysis ({ingress-controller} peer)"),
]

# Manifest entries of netpol-analyzer's other reports.
OTHER_KINDS = {
    "diff": "netpol-analyzer's diff command; netpolc has no diff verb yet",
    "cli-diff": "netpol-analyzer's diff command",
}

# fatal_error_cases.json: what upstream's message means, as the diagnostic
# codes netpolc reports for it (src/util/codes.def).
FATAL_MEANINGS = [
    (r"NotSupportedPodResources", {"NPC219"}, "pods of one owner with different labels"),
    (r"endPort", {"NPC207", "NPC211"}, "endPort with a named port"),
    (r"PriorityValueErr", {"NPC213"}, "ANP priority out of range"),
    (r"OneFieldSet|exactly one field must be set", {"NPC214"}, "exactly one field must be set"),
    (r"unrecognized action", {"NPC212"}, "unknown rule action"),
    (r"only one baseline admin network policy", {"NPC217", "NPC211"}, "a second BANP"),
    (r"to field must be defined", {"NPC202", "NPC211", "NPC214"}, "rule without peers"),
    (r"must be an integer|cannot unmarshal|invalid port", {"NPC203", "NPC207"}, "bad port"),
    (r"CIDR", {"NPC206"}, "bad CIDR"),
]


def kinds_in(folder):
    """Every kind in the folder's manifests (List items included)."""
    kinds = set()

    def walk(doc):
        if isinstance(doc, dict):
            k = doc.get("kind")
            if isinstance(k, str):
                kinds.add(k)
            items = doc.get("items")
            if isinstance(items, list):
                for it in items:
                    walk(it)

    for root, _, files in os.walk(folder):
        for name in files:
            if not name.endswith((".yaml", ".yml", ".json")):
                continue
            try:
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    for doc in yaml.safe_load_all(f):
                        walk(doc)
            except Exception:  # a broken file is part of some cases; kinds before it count
                pass
    return kinds


class Corpus:
    def __init__(self, root):
        self.root = root
        self._kinds = {}

    def folder(self, test_dir):
        return os.path.join(self.root, "tests", test_dir)

    def kinds(self, test_dir):
        if test_dir not in self._kinds:
            self._kinds[test_dir] = kinds_in(self.folder(test_dir))
        return self._kinds[test_dir]


def scope_of(corpus, entry):
    """None when netpolc should reproduce the entry, else the reason why not."""
    opts = entry["options"]
    if not entry.get("expected_exists", True) or not entry.get("compared", True):
        return "no expected file (svg rendering is not compared upstream)"
    if not os.path.isdir(corpus.folder(entry["test_dir"])):
        return "input folder not in this corpus copy"
    if opts.get("output") == "svg":
        return "svg output (graphviz rendering)"
    kinds = corpus.kinds(entry["test_dir"])
    if opts.get("multiple-networks") and kinds & MULTI_NETWORK_KINDS:
        return "multiple networks (UDN/CUDN/NAD/MultiNetworkPolicy)"
    for group, reason in OUT_OF_SCOPE_KINDS:
        if kinds & group:
            return reason
    if kinds & MULTI_NETWORK_KINDS and not opts.get("multiple-networks"):
        # upstream ignores these resources when multiple-networks is off;
        # so does netpolc (kinds not analysed are skipped)
        pass
    return None


def connlist_args(entry):
    o = entry["options"]
    args = ["connlist", "--format", o.get("output", "txt")]
    if o.get("focusworkload"):
        args += ["--focus-workload", o["focusworkload"]]
    if o.get("focusworkload-peer"):
        args += ["--focus-workload-peer", o["focusworkload-peer"]]
    if o.get("focus-direction"):
        args += ["--focus-direction", o["focus-direction"]]
    if o.get("focus-conn"):
        args += ["--focus-conn", o["focus-conn"]]
    if o.get("exposure"):
        args += ["--exposure"]
    if o.get("explain"):
        args += ["--explain"]
    if o.get("explain-only"):
        args += ["--explain-only", o["explain-only"]]
    return args


def clean(s):
    return s.replace("\n", "").replace("\r", "")


def run(netpolc, args, timeout):
    try:
        p = subprocess.run([netpolc] + args, capture_output=True, text=True, timeout=timeout,
                           errors="replace")
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after %ss" % timeout


def first_error(err):
    for line in err.splitlines():
        if "error[" in line or "error:" in line:
            return line.strip()
    return (err.strip().splitlines() or [""])[0]


def first_difference(want, got):
    w, g = want.splitlines(), got.splitlines()
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else "<end>"
        b = g[i] if i < len(g) else "<end>"
        if a != b:
            return "line %d:\n      want: %s\n      got:  %s" % (i + 1, a, b)
    return "(differs only in line breaks)"


def check_connlist(corpus, netpolc, entry, timeout):
    rc, out, err = run(netpolc, connlist_args(entry) + [corpus.folder(entry["test_dir"])], timeout)
    with open(os.path.join(corpus.root, entry["expected_output"]), encoding="utf-8") as f:
        want = f.read()
    if rc != 0:
        return False, "exit status %d: %s" % (rc, first_error(err))
    if clean(want) != clean(out):
        return False, first_difference(want, out)
    if want.rstrip("\r\n") != out.rstrip("\n"):
        return True, "agrees up to line breaks"
    return True, ""


def check_fatal(corpus, netpolc, case, timeout):
    rc, out, err = run(netpolc, ["connlist", corpus.folder(case["test_dir"])], timeout)
    codes = set(re.findall(r"error\[(NPC\d+)\]", err))
    if rc != 2:
        return False, "exit status %d (want 2)" % rc
    if out:
        return False, "wrote to stdout although it failed"
    hint = case["resolved_hint"]
    for pattern, allowed, meaning in FATAL_MEANINGS:
        if re.search(pattern, hint):
            if codes & allowed:
                return True, ""
            return False, "want an error meaning '%s' (%s), got %s" % (
                meaning, "/".join(sorted(allowed)), ", ".join(sorted(codes)) or "no error code")
    return bool(codes), "" if codes else "no error diagnostic"


def eval_args(case, folder):
    proto = case.get("protocol", "tcp").lower()
    return ["eval", folder,
            "--from", "%s/%s" % (case["sourceNs"], case["sourcePod"]),
            "--to", "%s/%s" % (case["destNs"], case["destPod"]),
            "--port", str(case["port"]), "--protocol", proto]


def check_eval(corpus, netpolc, case, timeout):
    rc, out, err = run(netpolc, eval_args(case, corpus.folder(case["dir"])), timeout)
    want = 0 if case["evalResult"] else 1
    if rc != want:
        return False, "exit status %d (want %d: %s): %s" % (
            rc, want, "allowed" if want == 0 else "denied", first_error(err))
    return True, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netpolc", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--filter", help="only entries whose folder contains this text")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--verbose", "-v", action="store_true", help="list every disagreement")
    args = ap.parse_args()
    if not os.access(args.netpolc, os.X_OK):
        print("netpol_analyzer: %s is not an executable" % args.netpolc, file=sys.stderr)
        return 2
    corpus = Corpus(args.corpus)

    with open(os.path.join(args.corpus, "expected_outputs_manifest.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(args.corpus, "fatal_error_cases.json")) as f:
        fatal = json.load(f)
    with open(os.path.join(args.corpus, "eval_cases_cli.json")) as f:
        evals = json.load(f)
    if args.filter:
        manifest = [e for e in manifest if args.filter in e["test_dir"]]
        fatal = [c for c in fatal if args.filter in c["test_dir"]]
        evals = [c for c in evals if args.filter in c["dir"]]

    failures = []
    ok = True

    # ---- connlist (and the CLI's list tests, the same analysis)
    entries = [e for e in manifest if e["kind"] in ("connlist", "cli-list")]
    other = collections.Counter(e["kind"] for e in manifest
                                if e["kind"] not in ("connlist", "cli-list", "explain"))
    scope = collections.Counter()
    todo = []
    for e in entries:
        reason = scope_of(corpus, e)
        if reason:
            scope[reason] += 1
        else:
            todo.append(e)
    agree = exact = expo_agree = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda e: check_connlist(corpus, args.netpolc, e, args.timeout), todo))
    for e, (good, why) in zip(todo, results):
        if good:
            agree += 1
            exact += why == ""
            expo_agree += bool(e["options"].get("exposure"))
        else:
            failures.append("connlist %s -> %s\n    %s" % (
                " ".join(connlist_args(e)[1:] + [e["test_dir"]]), e["expected_output"], why))
    print("connlist: %d agree / %d run / %d out of scope" % (agree, len(todo), sum(scope.values())))
    print("    (%d of the %d agree byte for byte, up to the final newline)" % (exact, agree))
    print("    (exposure analysis: %d agree / %d run)" % (
        expo_agree, sum(1 for e in todo if e["options"].get("exposure"))))
    for reason, n in scope.most_common():
        print("    %4d  %s" % (n, reason))
    for kind, n in sorted(other.items()):
        print("    (%d %s entries not run: %s)" % (n, kind, OTHER_KINDS.get(kind, "other verb")))
    ok &= agree == len(todo)

    # ---- whole-cluster explanations (list --explain)
    expl = [e for e in manifest if e["kind"] == "explain"]
    expl_scope = collections.Counter()
    expl_todo = []
    for e in expl:
        reason = scope_of(corpus, e)
        if reason:
            expl_scope[reason] += 1
        else:
            expl_todo.append(e)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda e: check_connlist(corpus, args.netpolc, e, args.timeout),
                                expl_todo))
    expl_ok = expl_exact = expl_expo = 0
    for e, (good, why) in zip(expl_todo, results):
        if good:
            expl_ok += 1
            expl_exact += why == ""
            expl_expo += bool(e["options"].get("exposure"))
        else:
            failures.append("explain %s -> %s\n    %s" % (
                " ".join(connlist_args(e)[1:] + [e["test_dir"]]), e["expected_output"], why))
    print("explain: %d agree / %d run / %d out of scope" % (expl_ok, len(expl_todo),
                                                             sum(expl_scope.values())))
    print("    (%d of the %d agree byte for byte, up to the final newline)" % (expl_exact, expl_ok))
    print("    (exposure analysis: %d agree / %d run)" % (
        expl_expo, sum(1 for e in expl_todo if e["options"].get("exposure"))))
    for reason, n in expl_scope.most_common():
        print("    %4d  %s" % (n, reason))
    ok &= expl_ok == len(expl_todo)

    # ---- must-fail folders
    fatal_todo, fatal_scope = [], collections.Counter()
    for c in fatal:
        if c.get("multipleNetworksEnabled"):
            fatal_scope["multiple networks (UDN/CUDN/NAD)"] += 1
        elif not os.path.isdir(corpus.folder(c["test_dir"])):
            fatal_scope["input folder not in this corpus copy"] += 1
        else:
            fatal_todo.append(c)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda c: check_fatal(corpus, args.netpolc, c, args.timeout), fatal_todo))
    fatal_ok = 0
    for c, (good, why) in zip(fatal_todo, results):
        if good:
            fatal_ok += 1
        else:
            failures.append("must-fail %s (%s)\n    %s" % (c["test_dir"], c["resolved_hint"], why))
    print("must-fail: %d agree / %d run / %d out of scope" % (
        fatal_ok, len(fatal_todo), sum(fatal_scope.values())))
    for reason, n in fatal_scope.most_common():
        print("    %4d  %s" % (n, reason))
    ok &= fatal_ok == len(fatal_todo)

    # ---- single flows
    eval_todo, eval_scope = [], collections.Counter()
    for c in evals:
        kinds = corpus.kinds(c["dir"]) if os.path.isdir(corpus.folder(c["dir"])) else set()
        if kinds & MULTI_NETWORK_KINDS:
            eval_scope["multiple networks (UDN/CUDN/NAD)"] += 1
        elif not kinds:
            eval_scope["input folder not in this corpus copy"] += 1
        else:
            eval_todo.append(c)
    eval_ok = 0
    for c in eval_todo:
        good, why = check_eval(corpus, args.netpolc, c, args.timeout)
        if good:
            eval_ok += 1
        else:
            failures.append("eval %s %s/%s -> %s/%s %s/%s\n    %s" % (
                c["dir"], c["sourceNs"], c["sourcePod"], c["destNs"], c["destPod"],
                c["port"], c.get("protocol", "tcp"), why))
    print("eval: %d agree / %d run / %d out of scope" % (eval_ok, len(eval_todo),
                                                          sum(eval_scope.values())))
    for reason, n in eval_scope.most_common():
        print("    %4d  %s" % (n, reason))
    ok &= eval_ok == len(eval_todo)

    # ---- parsed-resources tests (ANP/BANP built in Go upstream)
    index = os.path.join(args.corpus, "parsed_resources_tests", "index.yaml")
    if os.path.exists(index):
        with open(index) as f:
            tests = yaml.safe_load(f)["tests"]
        if args.filter:
            tests = [t for t in tests if args.filter in t["dir"]]
        pr_ok = pr_run = pr_missing = pairs_ok = pairs_run = pairs_scope = 0
        for t in tests:
            entry = {"options": {"output": t.get("output_format", "txt")},
                     "test_dir": os.path.join("..", t["dir"]),
                     "expected_output": t["expected_connlist_output"]}
            if not os.path.exists(os.path.join(corpus.root, entry["expected_output"])):
                pr_missing += 1
            else:
                pr_run += 1
                good, why = check_connlist(corpus, args.netpolc, entry, args.timeout)
                if good:
                    pr_ok += 1
                else:
                    failures.append("parsed-resources connlist %s\n    %s" % (t["dir"], why))
            rc, out, _ = run(args.netpolc, ["connlist", corpus.folder(entry["test_dir"])],
                             args.timeout)
            pairs = {}
            for line in out.splitlines():
                m = re.match(r"(\S+)\[\w*\] => (\S+)\[\w*\] : (.*)$", line)
                if m:
                    pairs[(m.group(1), m.group(2))] = m.group(3)
            for e in t.get("eval_tests") or []:
                if not re.match(r"^[\w.-]+/[\w.-]+$", e["src"]) or \
                        not re.match(r"^[\w.-]+/[\w.-]+$", e["dst"]) or \
                        re.match(r"^[\d.]+/\d+$", e["src"]) or re.match(r"^[\d.]+/\d+$", e["dst"]):
                    pairs_scope += 1  # IP endpoints: not named by connlist
                    continue
                pairs_run += 1
                got = pairs.get((e["src"], e["dst"]), "No Connections")
                if rc == 0 and got == e["expected_allowed_conns"]:
                    pairs_ok += 1
                else:
                    failures.append("parsed-resources pair %s: %s -> %s\n    want %s, got %s" % (
                        t["dir"], e["src"], e["dst"], e["expected_allowed_conns"], got))
        print("parsed-resources connlist: %d agree / %d run / %d out of scope "
              "(expected file not in this corpus copy)" % (pr_ok, pr_run, pr_missing))
        print("parsed-resources pairs: %d agree / %d run / %d out of scope (IP endpoints)" % (
            pairs_ok, pairs_run, pairs_scope))
        ok &= pr_ok == pr_run and pairs_ok == pairs_run

    if failures:
        print("\n%d disagreement(s):" % len(failures))
        for f in failures if args.verbose else failures[:40]:
            print("  " + f)
        if not args.verbose and len(failures) > 40:
            print("  ... (%d more; run with -v)" % (len(failures) - 40))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
