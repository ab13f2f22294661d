#!/usr/bin/python3
"""Replays the kubernetes-sigs/network-policy-api conformance probes against
`netpolc eval`.

For one API generation folder (../shared/corpora/network-policy-api-conformance/
v1alpha1-anp-banp or v1alpha2-clusternetworkpolicy) and every test of its
expected_results.yaml:

  1. builds the topology: base/manifests.yaml with the host-network port
     template filled in (34345.., as the suite does), each StatefulSet
     expanded into standalone Pods <name>-<i> with a synthetic, deterministic
     status.podIP (the CIDR tests insert rules naming single pod IPs, so pods
     of one StatefulSet must stay distinct);
  2. applies the test's manifests;
  3. replays the subtests in order: `mutation_go` events are interpreted
     (see GoInterp for the statement shapes understood) and change the
     state for every later probe of the test; for each probe the current
     state is written to a folder and `netpolc eval DIR --from NS/POD --to
     NS/POD --port N --protocol P` is run (exit 0 allowed, 1 denied), and
     the verdict is also looked up in `netpolc connlist --format json` of
     the same state (one call per state): both must agree.

Probes towards host-network pods (the `nodes` peer tests) are out of scope
for the cluster model and are counted as skipped with the reason. Prints
"<generation>: N/M probes agree (K skipped)" and exits 1 on any mismatch,
listing each one.
"""
import argparse
import copy
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HOST_NETWORK_PORT0 = 34345  # the suite's default s.HostNetworkPorts[0]
HOST_NETWORK_PORTS = 8


# --------------------------------------------------------------- topology

def load_docs(path, text=None):
    if text is None:
        with open(path, encoding="utf-8") as f:
            text = fill_host_ports(f.read())
    return [d for d in yaml.safe_load_all(text) if d]


def fill_host_ports(text):
    return re.sub(r"\{\{\s*index\s+\.HostNetworkPorts\s+(\d+)\s*\}\}",
                  lambda m: str(HOST_NETWORK_PORT0 + int(m.group(1))), text)


def expand_statefulsets(docs):
    """StatefulSets become Pods <name>-<i> with synthetic IPs: pod network
    10.244.<namespace index>.<n> for ordinary pods, node addresses
    172.18.0.<n> for host-network pods."""
    out, ns_index, node_n = [], {}, [1]
    for d in docs:
        if d.get("kind") == "Namespace":
            ns_index.setdefault(d["metadata"]["name"], len(ns_index) + 1)
    for d in docs:
        if d.get("kind") != "StatefulSet":
            out.append(d)
            continue
        md, spec = d["metadata"], d["spec"]
        ns = md.get("namespace", "default")
        tmpl = spec["template"]
        host = bool(tmpl.get("spec", {}).get("hostNetwork"))
        for i in range(int(spec.get("replicas", 1))):
            if host:
                node_n[0] += 1
                ip = "172.18.0.%d" % node_n[0]
            else:
                ip = "10.244.%d.%d" % (ns_index.setdefault(ns, len(ns_index) + 1), 10 + i)
            out.append({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "%s-%d" % (md["name"], i), "namespace": ns,
                             "labels": dict(tmpl.get("metadata", {}).get("labels", {}))},
                "spec": copy.deepcopy(tmpl.get("spec", {})),
                "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                           "hostIP": ip if host else "172.18.0.1"},
            })
    return out


def obj_key(o):
    md = o.get("metadata", {})
    return (o.get("kind"), md.get("namespace", ""), md.get("name"))


# ----------------------------------------------------- Go statement interp

TOKEN = re.compile(r"""[ \t\r]*(?:
    (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>\d+)
  | (?P<op>:=|\.\.\.|[{}\[\]()\.,:&+=;\n])
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
)""", re.X)


def tokenize(src):
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    src = re.sub(r"//[^\n]*", "", src)
    toks, pos = [], 0
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m or m.end() == pos:
            if src[pos:].strip() == "":
                break
            raise SyntaxError("cannot tokenize Go at: %r" % src[pos:pos + 40])
        pos = m.end()
        for k in ("str", "num", "op", "id"):
            if m.group(k) is not None:
                toks.append((k, m.group(k)))
                break
    toks.append(("eof", ""))
    return toks


class Placeholder:
    """`&pkg.Kind{}` before a client Get fills it."""
    def __init__(self, kind):
        self.kind = kind


class GoInterp:
    """A tiny interpreter for the mutation statements of the conformance
    tests. Shapes understood (everything else raises):
      x := &pkg.Kind{}                      ; err = s.Client.Get(ctx, client.ObjectKey{Name:, Namespace:}, x)
      x := kubernetes.GetClusterNetworkPolicy(t, s.Client, "name", ...) / GetNamespace(...)
      m := x.DeepCopy()                     ; r := m.Spec.Egress[N] (also m.DeepCopy().Spec...)
      m.Spec.Egress[A] = m.Spec.Egress[B]   ; m.Spec.Ingress[0].Action = pkg.XRuleActionPass
      m.Spec.Priority = 40                  ; r.Ports = &[]pkg.T{ {NamedPort: &v} } / r.Protocols = ...
      v := "web"                            ; var mask string ; if net.IsIPv4String(ip) { .. } else { .. }
      rules := []pkg.Rule{ {Name:, Action:, To: []pkg.Peer{ {Networks: []pkg.CIDR{ pkg.CIDR(pod.Status.PodIP + mask) }} }} }
      m.Spec.Egress = append(rules, m.Spec.Egress...)
      m.SetLabels(map[string]string{"k": "v"})
      s.Client.Patch(ctx, m, ...) / kubernetes.PatchClusterNetworkPolicy(t, s.Client, old, m, ...) /
      kubernetes.PatchNamespace(t, s.Client, old, m, ...) / s.Client.Delete(ctx, x)
    Go field names map to JSON keys by lower-casing the first letter."""

    PACKAGES = {"v1alpha1", "v1alpha2", "api", "networkingv1", "client", "kubernetes", "s",
                "net", "ctx", "t"}

    def __init__(self, state, pods):
        self.state = state  # dict obj_key -> object
        self.vars = {}
        self.pods = pods    # Go variable name -> pod object (serverPodRavenclaw ...)

    # -- parsing helpers
    def run(self, src):
        self.toks, self.i = tokenize(src), 0
        while self.peek()[0] != "eof":
            if self.accept("\n") or self.accept(";"):
                continue
            self.statement()

    def peek(self, k=0):
        return self.toks[self.i + k]

    def accept(self, v):
        if self.peek()[1] == v and self.peek()[0] in ("op", "id"):
            self.i += 1
            return True
        return False

    def expect(self, v):
        if not self.accept(v):
            raise SyntaxError("expected %r, got %r" % (v, self.peek()))

    def ident(self):
        k, v = self.peek()
        if k != "id":
            raise SyntaxError("expected identifier, got %r" % (self.peek(),))
        self.i += 1
        return v

    def skip_newlines(self):
        while self.accept("\n"):
            pass

    # -- statements
    def statement(self):
        if self.accept("var"):
            name = self.ident()
            self.ident()  # type
            self.vars[name] = ""
            return
        if self.accept("if"):
            cond = self.expr(no_composite=True)
            then = self.block()
            other = None
            if self.accept("else"):
                other = self.block()
            for src in (then if cond else other) or []:
                self.run_tokens(src)
            return
        start = self.i
        lhs = self.postfix_chain(no_composite=True, lvalue=True)
        if self.accept(":=") or self.accept("="):
            value = self.expr()
            self.assign(lhs, value)
        else:
            self.i = start
            self.expr()  # a call for its effect

    def block(self):
        """Token slices of the statements of a { ... } block."""
        self.expect("{")
        stmts, cur, depth = [], [], 0
        while True:
            k, v = self.peek()
            if k == "eof":
                raise SyntaxError("unterminated block")
            self.i += 1
            if k == "op" and v == "{":
                depth += 1
            elif k == "op" and v == "}":
                if depth == 0:
                    break
                depth -= 1
            if depth == 0 and k == "op" and v in (";", "\n"):
                if cur:
                    stmts.append(cur)
                cur = []
                continue
            cur.append((k, v))
        if cur:
            stmts.append(cur)
        return stmts

    def run_tokens(self, toks):
        saved = (self.toks, self.i)
        self.toks, self.i = toks + [("eof", "")], 0
        while self.peek()[0] != "eof":
            self.statement()
        self.toks, self.i = saved

    # -- expressions: values are Python data; lvalues are (container, key) paths
    def expr(self, no_composite=False):
        v = self.unary(no_composite)
        while self.accept("+"):
            v = v + self.unary(no_composite)
        return v

    def unary(self, no_composite):
        if self.accept("&"):
            return self.unary(no_composite)
        k, v = self.peek()
        if k == "str":
            self.i += 1
            return v[1:-1].encode().decode("unicode_escape")
        if k == "num":
            self.i += 1
            return int(v)
        if k == "op" and v == "[":
            return self.composite()
        if k == "id" and v == "map" and self.peek(1)[1] == "[":
            return self.composite()
        return self.postfix_chain(no_composite)

    def type_name(self):
        """Skips a type ([]pkg.T, map[K]V, pkg.T); returns its last name and
        whether it is a slice or map."""
        shape = "struct"
        if self.accept("["):
            self.expect("]")
            shape = "slice"
        elif self.peek()[1] == "map":
            self.i += 1
            self.expect("[")
            self.ident()
            self.expect("]")
            shape = "map"
        name = self.ident()
        while self.accept("."):
            name = self.ident()
        return name, shape

    def composite(self, name=None, shape="struct"):
        if name is None:
            name, shape = self.type_name()
        self.expect("{")
        self.skip_newlines()
        if shape == "slice":
            items = []
            while not self.accept("}"):
                if self.peek()[1] == "{":
                    items.append(self.composite("elem", "struct"))
                else:
                    items.append(self.expr())
                self.accept(",")
                self.skip_newlines()
            return items
        obj = {}
        if name != "elem" and shape == "struct" and self.peek()[1] == "}" and name[0].isupper():
            self.i += 1
            return Placeholder(name)
        while not self.accept("}"):
            if shape == "map":
                key = self.expr()
            else:
                key = self.ident()
                key = key[0].lower() + key[1:]
            self.expect(":")
            obj[key] = self.expr()
            self.accept(",")
            self.skip_newlines()
        return obj

    def postfix_chain(self, no_composite=False, lvalue=False):
        """name(.Field | [expr] | (args))*; returns a value, or with lvalue
        the list of steps for assign()."""
        name = self.ident()
        steps = [("name", name)]
        while True:
            if self.accept("."):
                steps.append(("field", self.ident()))
            elif self.peek()[1] == "[" and self.peek()[0] == "op":
                self.i += 1
                idx = self.expr()
                self.expect("]")
                steps.append(("index", idx))
            elif self.peek()[1] == "(" and self.peek()[0] == "op" and not lvalue:
                self.i += 1
                args, spread = [], False
                self.skip_newlines()
                while not self.accept(")"):
                    args.append(self.arg_expr())
                    if self.accept("..."):
                        spread = True
                    self.accept(",")
                    self.skip_newlines()
                steps.append(("call", (args, spread)))
            elif (self.peek()[1] == "{" and not no_composite and not lvalue and
                  all(s[0] in ("name", "field") for s in steps) and steps[0][1] in self.PACKAGES):
                return self.composite(steps[-1][1], "struct")
            else:
                break
        if lvalue:
            return steps
        return self.evaluate(steps)

    def arg_expr(self):
        """Arguments: a bare variable stays a name (client calls fill it)."""
        k, v = self.peek()
        nk = self.peek(1)[1]
        if k == "id" and v in self.vars and nk in (",", ")"):
            self.i += 1
            return ("var", v)
        return self.expr()

    # -- evaluation
    def evaluate(self, steps):
        kind, name = steps[0]
        if name in self.vars:
            cur = self.vars[name]
        elif name in self.pods:
            cur = self.pods[name]
        elif name == "append":
            cur = "append"
        elif name in self.PACKAGES:
            cur = ("pkg", name)
        else:
            raise NameError("unknown Go name %r" % name)
        for k, v in steps[1:]:
            cur = self.step(cur, k, v)
        return cur

    def step(self, cur, k, v):
        if isinstance(cur, tuple) and cur and cur[0] == "pkg":
            if k == "field":
                return ("pkg", cur[1] + "." + v)
            if k == "call":
                return self.call(cur[1], v[0])
        if cur == "append" and k == "call":
            args = [self.value(a) for a in v[0]]
            return copy.deepcopy(args[0]) + copy.deepcopy(args[1])
        if k == "field":
            if v == "DeepCopy":
                return ("method", cur, v)
            if v == "SetLabels":
                return ("method", cur, v)
            key = v[0].lower() + v[1:]
            return cur.get(key) if isinstance(cur, dict) else None
        if k == "index":
            return cur[v]
        if k == "call" and isinstance(cur, tuple) and cur[0] == "method":
            obj, meth = cur[1], cur[2]
            if meth == "DeepCopy":
                return copy.deepcopy(obj)
            if meth == "SetLabels":
                obj.setdefault("metadata", {})["labels"] = dict(self.value(v[0][0]))
                return None
        raise TypeError("cannot apply %s %r" % (k, v))

    def value(self, a):
        if isinstance(a, tuple) and a and a[0] == "var":
            return self.vars[a[1]]
        if isinstance(a, tuple) and a and a[0] == "pkg":
            return self.constant(a[1])
        return a

    @staticmethod
    def constant(qname):
        m = re.search(r"RuleAction(\w+)$", qname)
        if m:
            return m.group(1)
        raise NameError("unknown Go constant %r" % qname)

    def lookup(self, kind, name, ns=""):
        key = (kind, ns, name)
        if key not in self.state:
            raise KeyError("no %s %s/%s in the test state" % key)
        return copy.deepcopy(self.state[key])

    def store(self, obj):
        self.state[obj_key(obj)] = copy.deepcopy(obj)

    def call(self, fn, args):
        if fn == "s.Client.Get":
            key, target = self.value(args[1]), args[2]
            ph = self.vars[target[1]]
            kind = ph.kind if isinstance(ph, Placeholder) else ph["kind"]
            self.vars[target[1]] = self.lookup(kind, key["name"], key.get("namespace", ""))
            return None
        if fn == "s.Client.Patch":
            self.store(self.value(args[1]))
            return None
        if fn == "s.Client.Delete":
            obj = self.value(args[1])
            del self.state[obj_key(obj)]
            return None
        if fn == "kubernetes.GetClusterNetworkPolicy":
            return self.lookup("ClusterNetworkPolicy", self.value(args[2]))
        if fn == "kubernetes.GetNamespace":
            return self.lookup("Namespace", self.value(args[2]))
        if fn in ("kubernetes.PatchClusterNetworkPolicy", "kubernetes.PatchNamespace"):
            self.store(self.value(args[3]))
            return None
        if fn == "net.IsIPv4String":
            return ipaddress.ip_address(self.value(args[0])).version == 4
        if fn == "client.MergeFrom":
            return None
        if re.fullmatch(r"\w+\.CIDR", fn):
            return self.value(args[0])
        raise NameError("unknown Go function %r" % fn)

    def assign(self, steps, value):
        value = copy.deepcopy(self.value(value))
        if len(steps) == 1:
            self.vars[steps[0][1]] = value
            return
        cur = self.evaluate(steps[:-1])
        k, v = steps[-1]
        if k == "field":
            cur[v[0].lower() + v[1:]] = value
        elif k == "index":
            cur[v] = value
        else:
            raise TypeError("cannot assign to %r" % (steps,))


# -------------------------------------------------------------- the suite

SERVER_POD_VARS = {  # Go variables of the CIDR tests (the -0 server pods)
    "serverPodRavenclaw": ("network-policy-conformance-ravenclaw", "luna-lovegood-0"),
    "serverPodHufflepuff": ("network-policy-conformance-hufflepuff", "cedric-diggory-0"),
    "serverPodSlytherin": ("network-policy-conformance-slytherin", "draco-malfoy-0"),
    "serverPodGryffindor": ("network-policy-conformance-gryffindor", "harry-potter-0"),
}


def probe_port(p):
    port = p["port"]
    if isinstance(port, int):
        return port
    m = re.fullmatch(r"s\.HostNetworkPorts\[(\d+)\]", str(port))
    if not m:
        raise ValueError("unknown probe port %r" % port)
    return HOST_NETWORK_PORT0 + int(m.group(1))


def skip_reason(state, p):
    for end in ("from", "to"):
        ns, name = p[end].split("/", 1)
        pod = state.get(("Pod", ns, name))
        if pod and pod.get("spec", {}).get("hostNetwork"):
            return ("%s is a host-network pod (node peer): host-network endpoints are out of "
                    "scope of the cluster model" % end)
    return None


def write_state(state, folder):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    objs = [state[k] for k in sorted(state, key=lambda k: (str(k[0]), str(k[1]), str(k[2])))]
    with open(os.path.join(folder, "cluster.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump_all(objs, f, sort_keys=False, default_flow_style=False)


def run_eval(netpolc, folder, p):
    cmd = [netpolc, "eval", folder, "--from", p["from"], "--to", p["to"],
           "--port", str(probe_port(p)), "--protocol", p["protocol"]]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 1):
        return None, "exit %d: %s%s" % (r.returncode, r.stdout, r.stderr)
    return r.returncode == 0, r.stdout + r.stderr


def run_connlist(netpolc, folder):
    """{(src "ns/name", dst "ns/name"): [(proto, lo, hi)...]} from connlist's
    JSON, or None when it fails."""
    r = subprocess.run([netpolc, "connlist", folder, "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return None
    pairs = {}
    for e in json.loads(r.stdout or "[]"):
        ranges, proto = [], None
        conn = e["conn"]
        if conn == "All Connections":
            ranges = [(pr, 1, 65535) for pr in ("TCP", "UDP", "SCTP")]
        else:
            for tok in conn.split(","):
                head = tok.strip().split(" ", 1)
                if head[0] in ("TCP", "UDP", "SCTP"):
                    proto, tok = head[0], head[1]
                lo, _, hi = tok.strip().partition("-")
                ranges.append((proto, int(lo), int(hi or lo)))
        pairs[(e["src"].split("[")[0], e["dst"].split("[")[0])] = ranges
    return pairs


def connlist_allows(pairs, p):
    port = probe_port(p)
    return any(pr == p["protocol"] and lo <= port <= hi
               for pr, lo, hi in pairs.get((p["from"], p["to"]), []))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--netpolc", required=True)
    ap.add_argument("--corpus", required=True, help="a generation folder")
    ap.add_argument("--only", help="run only tests whose short_name contains this")
    ap.add_argument("--keep", help="write the states under this folder and keep them")
    ap.add_argument("--dry-run", action="store_true",
                    help="replay the mutations and write the states, but run no probe")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    gen = os.path.basename(os.path.normpath(args.corpus))
    with open(os.path.join(args.corpus, "expected_results.yaml"), encoding="utf-8") as f:
        expected = yaml.safe_load(f)
    with open(os.path.join(args.corpus, "base", "manifests.yaml"), encoding="utf-8") as f:
        base = expand_statefulsets(load_docs(None, fill_host_ports(f.read())))

    work = args.keep or tempfile.mkdtemp(prefix="npapi-")
    total = agree = cl_total = cl_agree = 0
    cl_diff = []
    skipped, mismatches, errors = {}, [], []
    try:
        for ti, test in enumerate(expected["tests"]):
            if args.only and args.only not in test["short_name"]:
                continue
            state = {obj_key(o): copy.deepcopy(o) for o in base}
            for m in test["manifests"]:
                for o in load_docs(os.path.join(args.corpus, m)):
                    state[obj_key(o)] = o
            pods = {var: state[("Pod", ns, name)] for var, (ns, name) in SERVER_POD_VARS.items()}
            interp = GoInterp(state, pods)
            folder, version, written = os.path.join(work, "t%02d" % ti), 0, -1
            for sub in test["subtests"]:
                for ev in sub["events"]:
                    if "mutation_go" in ev:
                        interp.run(ev["mutation_go"])
                        version += 1
                        continue
                    p = ev["probe"]
                    total += 1
                    why = skip_reason(state, p)
                    if why:
                        skipped.setdefault(why, []).append("%s: %s -> %s %s/%s" % (
                            test["short_name"], p["from"], p["to"], p["port"], p["protocol"]))
                        continue
                    if written != version:
                        write_state(state, folder)
                        written = version
                        pairs = None if args.dry_run else run_connlist(args.netpolc, folder)
                    if args.dry_run:
                        continue
                    got, out = run_eval(args.netpolc, folder, p)
                    what = "%s / %s: %s -> %s %s/%s expect %s" % (
                        test["short_name"], sub["name"], p["from"], p["to"], probe_port(p),
                        p["protocol"], "allowed" if p["expect_connect"] else "denied")
                    if got is None:
                        errors.append("%s: %s" % (what, out.strip()))
                    if got is not None:
                        # the connection list must say the same as eval
                        cl_total += 1
                        if pairs is not None and connlist_allows(pairs, p) == got:
                            cl_agree += 1
                        else:
                            cl_diff.append("%s: eval says %s, connlist %s" % (
                                what, "allowed" if got else "denied",
                                "failed" if pairs is None else
                                "allowed" if connlist_allows(pairs, p) else "denied"))
                    if got is None:
                        pass
                    elif got == p["expect_connect"]:
                        agree += 1
                        if args.verbose:
                            print("ok   " + what)
                    else:
                        mismatches.append("%s, got %s\n%s" % (
                            what, "allowed" if got else "denied", out.rstrip()))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    nskip = sum(len(v) for v in skipped.values())
    for mm in mismatches:
        print("MISMATCH " + mm)
    for e in errors:
        print("ERROR " + e)
    for d in cl_diff:
        print("CONNLIST " + d)
    for why, probes in sorted(skipped.items()):
        print("skipped %d: %s" % (len(probes), why))
        for pr in probes:
            print("  " + pr)
    print("%s: %d/%d probes agree (%d skipped, %d mismatched, %d errors); "
          "connlist agrees with eval on %d/%d" % (
              gen, agree, total - nskip, nskip, len(mismatches), len(errors), cl_agree,
              cl_total))
    return 1 if mismatches or errors or cl_diff else 0


if __name__ == "__main__":
    sys.exit(main())
