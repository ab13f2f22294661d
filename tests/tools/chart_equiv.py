#!/usr/bin/python3
"""Helm equivalence of `netpolc chart`: the generated chart, rendered with
Go's text/template and the sprig functions (tests/tools/helmtpl, Helm's
engine), gives the policies `netpolc render` gives for the same values.

usage:
  chart_equiv.py --bin NETPOLC --root REPO --work DIR [--random N] [--seed S]
                 [--engines E,...] EXAMPLE...

EXAMPLE is a folder name of tests/golden/spec (controller-chart, kyma-telemetry,
...); its spec is examples/EXAMPLE.yaml or the folder's spec.yaml. For each
option combination of the folder (*.args) and N generated random value sets:
  1. render:  netpolc render SPEC ARGS                       -> A
     helm:    helmtpl -f VALUES... CHART (the same values)    -> B
  2. canonical form of A and B (rules with equal peers merged, everything
     sorted, keys sorted) must be equal, byte for byte;
  3. semantically: `netpolc connlist` of A and of B, each with the same
     generated workloads (a pod per selector the policies use, in each
     namespace they name), must be equal;
  4. the merged values validate against values.schema.json, and each option
     given a value of a wrong type is rejected;
  5. every object Helm renders validates against the API's schema
     (schema_check.py: Kubernetes, network-policy-api).
Every combination runs for each engine of --engines (default kubernetes and
clusterNetworkPolicy): a spec with an engine option gets that option set
(its chart switches engines), one without gets `chart --engine` and
`render --engine`. When render refuses a combination (an error: e.g. an IP
source in a ClusterNetworkPolicy ingress rule), Helm must refuse it too.
Helm's --set is emulated by writing the --set assignments of an .args file
into one more values file, typed by the option's declared type.
Prints one line per combination and a summary; exit 1 on any difference.
"""
import copy
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import schema_check  # noqa: E402

CNP = "clusterNetworkPolicy"


def run(cmd, cwd=None, env=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=120, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def build_helmtpl(work):
    out = os.path.join(work, "helmtpl")
    if os.path.exists(out):
        return out
    env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off", GOFLAGS="",
               GOCACHE=os.path.join(work, "gocache"))
    rc, _, err = run(["go", "build", "-o", out, "."], cwd=os.path.join(HERE, "helmtpl"), env=env)
    if rc != 0:
        sys.exit(f"building helmtpl failed: {err}")
    return out


def read_args(path):
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return shlex.split(" ".join(lines))


# ------------------------------------------------------------ values

def spec_options(spec_path):
    with open(spec_path) as f:
        spec = yaml.safe_load(f)["spec"]
    return spec, spec.get("options") or {}


def typed(opt_type, text):
    if opt_type == "bool":
        return text.lower() == "true"
    if opt_type == "int":
        return int(text)
    if opt_type == "string":
        return text
    if opt_type in ("strings", "endpoints") and not text.startswith("["):
        return [x for x in text.split(",")] if text else []
    return yaml.safe_load(text)


def put(values, dotted, v):
    parts = dotted.split(".")
    m = values
    for p in parts[:-1]:
        m = m.setdefault(p, {})
    m[parts[-1]] = v


def split_sets(text):
    """Helm's --set text as netpolc reads it: assignments at commas that
    start KEY=, outside braces and brackets."""
    out, cur, depth, i = [], "", 0, 0
    while i < len(text):
        c = text[i]
        if c in "{[":
            depth += 1
        elif c in "}]" and depth:
            depth -= 1
        if c == "," and depth == 0 and re.match(r"[^,{\[ :/=]+=", text[i + 1:]) and not cur.endswith("\\"):
            out.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    out.append(cur)
    return [x.replace("\\,", ",") for x in out]


def option_of(key, options):
    best = None
    for name in options:
        if key == name or key.startswith(name + ".") or key.startswith(name + "["):
            if best is None or len(name) > len(best):
                best = name
    return best


def set_path(node, path, v):
    if not path:
        return v
    m = re.match(r"\[(\d+)\]", path)
    if m:
        i = int(m.group(1))
        node = list(node) if isinstance(node, list) else []
        while len(node) <= i:
            node.append(None)
        node[i] = set_path(node[i], path[m.end():], v)
        return node
    m = re.match(r"\.([^.\[]+)", path)
    node = dict(node) if isinstance(node, dict) else {}
    node[m.group(1)] = set_path(node.get(m.group(1)), path[m.end():], v)
    return node


def helm_scalar(text, string):
    if string:
        return text
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return {"true": True, "false": False, "null": None}.get(text, text)


def apply_set(sets, text, options, kind, root, current):
    for one in split_sets(text):
        k, v = one.split("=", 1)
        name = option_of(k, options)
        t = options[name]["type"]
        if kind == "file":
            with open(os.path.join(root, v)) as f:
                v = f.read()
            val = v if t == "string" else yaml.safe_load(v)
        elif k != name:
            val = set_path(current(name), k[len(name):], helm_scalar(v, kind == "string"))
        elif kind == "string":
            val = typed(t, v) if t in ("bool", "int") else (v if t == "string" else v.split(","))
        elif t in ("strings", "endpoints", "peers", "raw") and v.startswith("{") and v.endswith("}") and ":" not in v:
            val = [x for x in v[1:-1].split(",")] if v[1:-1] else []
        else:
            val = typed(t, v)
        put(sets, name, val)


def args_values(args, options, root, defaults):
    """--values files, the --set assignments as values, --values-prefix and
    --namespace of an .args line."""
    files, sets, prefix, ns = [], {}, "", None
    def current(name):
        v = get_path(sets, name)
        return v if v is not None else get_path(defaults, name)
    i = 0
    while i < len(args):
        a = args[i]
        opt, val = (a.split("=", 1) + [None])[:2] if a.startswith("--") and "=" in a else (a, None)
        if opt in ("--set", "--set-string", "--set-file", "--values", "-f", "--values-prefix",
                   "--namespace", "-n", "--profile") and val is None:
            val = args[i + 1]
            i += 1
        if opt == "--set":
            apply_set(sets, val, options, "value", root, current)
        elif opt == "--set-string":
            apply_set(sets, val, options, "string", root, current)
        elif opt == "--set-file":
            apply_set(sets, val, options, "file", root, current)
        elif opt in ("--values", "-f"):
            files.append(val)
        elif opt == "--values-prefix":
            prefix = val
        elif opt in ("--namespace", "-n"):
            ns = val
        elif opt == "--profile":
            ns = (ns, val)  # the platform profile rides with the namespace
        elif opt == "--strict-values":
            pass
        else:
            raise SystemExit(f"unhandled argument {a}")
        i += 1
    return files, sets, prefix, ns


def merge(dst, src):
    for k, v in src.items():
        if v is None:
            dst.pop(k, None)
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = v
    return dst


NS_POOL = ["kube-system", "monitoring", "observability", "team-a"]
EP_POOL = ["https://logs.example.com", "otlp.example.com:4317", "grpc://traces.example.com:4318",
           "http://plain.example.com/path", "https://[2001:db8::10]:8443", "grpcs://g.example.com"]
LABELS = [{"app": "prometheus"}, {"app": "grafana-agent"}, {"team": "a", "tier": "web"}]


def random_peer(rng, ip=1.0):
    """ip: the chance that an ipBlock is among the kinds drawn."""
    k = rng.randrange(4 if rng.random() < ip else 3)
    if k == 0:
        return {"podSelector": {"matchLabels": rng.choice(LABELS)}}
    if k == 1:
        return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(NS_POOL)}}}
    if k == 2:
        return {"namespaceSelector": {}, "podSelector": {"matchLabels": rng.choice(LABELS)}}
    return {"ipBlock": {"cidr": rng.choice(["10.0.0.1/32", "198.51.100.0/24", "2001:db8::/64"])}}


def random_cnp_rule(rng, direction):
    peers = [rng.choice([{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": rng.choice(NS_POOL)}}},
                         {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": rng.choice(LABELS)}}}])]
    if direction == "egress" and rng.random() < 0.5:
        peers.append({"networks": [rng.choice(["10.0.0.1/32", "198.51.100.0/24", "2001:db8::/64"])]})
    r = {"name": "extra", "action": rng.choice(["Accept", "Accept", "Deny"]),
         "from" if direction == "ingress" else "to": peers}
    if rng.random() < 0.8:
        r["protocols"] = [{rng.choice(["tcp", "udp"]): {"destinationPort": {"number": rng.randint(1, 65535)}}}]
    return r


def random_rule(rng, direction):
    r = {}
    if rng.random() < 0.8:
        r["from" if direction == "ingress" else "to"] = [random_peer(rng) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.8:
        r["ports"] = [{"protocol": rng.choice(["TCP", "UDP"]), "port": rng.randint(1, 65535)}]
    return r


def literals(spec):
    """option -> literals it is compared with in conditions."""
    text = json.dumps(spec)
    lits = {}
    for m in re.finditer(r"([A-Za-z0-9_.-]+)\s*(?:==|!=)\s*([A-Za-z0-9_.-]+)", text):
        lits.setdefault(m.group(1), set()).add(m.group(2))
    return lits


def passthrough_raw(spec):
    """raw options used as kubernetes passthrough rules -> direction."""
    out = {}
    for pt in spec.get("passthrough") or []:
        for d in ("ingress", "egress"):
            r = pt.get(d)
            if isinstance(r, dict) and "option" in r:
                out[r["option"]] = (d, pt.get("engine"))
    return out


def ns_options(spec):
    text = json.dumps(spec)
    return set(re.findall(r'"namespaces": \{"option": "([^"]+)"\}', text))


def ns_name_options(spec):
    """string options naming the spec's namespaces (empty: the release's)."""
    text = json.dumps(spec)
    return set(re.findall(r'"namespace": \{"option": "([^"]+)"\}', text))


def engine_option(spec):
    e = spec.get("engine")
    return e["option"] if isinstance(e, dict) else None


def random_values(rng, spec, options, engine="kubernetes"):
    """Values of every option's type; for the clusterNetworkPolicy engine
    peers options hold fewer ipBlocks (IP sources are refused in its
    ingress rules: both renderings must refuse them, and the rest of the
    combinations should compare policies)."""
    lits, raw, nso, eng = literals(spec), passthrough_raw(spec), ns_options(spec), engine_option(spec)
    nsn = ns_name_options(spec)
    vals = {}
    for name, o in options.items():
        t = o["type"]
        if name == eng:
            v = engine
        elif t == "bool":
            v = rng.random() < 0.5
        elif t == "int":
            choices = [int(x) for x in lits.get(name, []) if re.fullmatch(r"-?\d+", x)]
            choices += [o.get("default", 1) or 1, rng.randint(1, 65535)]
            v = rng.choice(choices)
        elif t == "string" and o.get("choices"):
            v = rng.choice(o["choices"])
        elif t == "string":
            if name in nsn:
                v = rng.choice(NS_POOL + [""])
            elif name in nso:
                v = rng.choice(NS_POOL)
            else:
                choices = sorted(lits.get(name, [])) + [o.get("default") or "demo", "demo"]
                v = rng.choice(choices)
        elif t == "strings":
            v = rng.sample(NS_POOL, rng.randint(1, 3)) if name in nso else rng.sample(NS_POOL, rng.randint(0, 2))
        elif t == "endpoints":
            v = rng.sample(EP_POOL, rng.randint(0, 3))
        elif t == "peers":
            v = [random_peer(rng, 0.25 if engine == CNP else 1.0) for _ in range(rng.randint(0, 2))]
        elif t == "raw":
            d, e = raw.get(name, ("ingress", None))
            gen = random_cnp_rule if e == CNP else random_rule
            v = [gen(rng, d) for _ in range(rng.randint(0, 2))]
        else:
            continue
        if rng.random() < 0.7 or t == "bool":
            put(vals, name, v)
    return vals


def wrong_value(t):
    return {"bool": "maybe", "int": "eighty", "string": 5, "strings": "a,b", "endpoints": "https://x",
            "peers": [{"pods": {"app": "x"}}], "raw": None}.get(t)


def get_path(d, dotted):
    for p in dotted.split("."):
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


# ------------------------------------------------------- canonical form

def key(v):
    return json.dumps(v, sort_keys=True)


def canon_selector(sel):
    sel = copy.deepcopy(sel or {})
    if not sel.get("matchLabels"):
        sel.pop("matchLabels", None)
    exprs = sel.get("matchExpressions")
    if exprs:
        for e in exprs:
            if e.get("values"):
                e["values"] = sorted(set(e["values"]))
            else:
                e.pop("values", None)
        sel["matchExpressions"] = sorted(exprs, key=key)
    else:
        sel.pop("matchExpressions", None)
    return sel


def canon_peer(p):
    p = copy.deepcopy(p)
    for k in ("podSelector", "namespaceSelector"):
        if k in p:
            p[k] = canon_selector(p[k])
    if "ipBlock" in p and p["ipBlock"].get("except"):
        p["ipBlock"]["except"] = sorted(set(p["ipBlock"]["except"]))
    elif "ipBlock" in p:
        p["ipBlock"].pop("except", None)
    return p


def canon_ports(ports):
    if ports is None:
        return None
    out = []
    for p in ports:
        q = {"protocol": p.get("protocol", "TCP")}
        if "port" in p:
            q["port"] = p["port"]
        if "endPort" in p and p.get("endPort") != p.get("port"):
            q["endPort"] = p["endPort"]
        out.append(q)
    whole = {p["protocol"] for p in out if "port" not in p}
    out = [p for p in out if "port" not in p or p["protocol"] not in whole]
    return sorted({key(p): p for p in out}.values(), key=key)


def canon_rules(rules, peer_key):
    merged = {}
    for r in rules or []:
        peers = r.get(peer_key)
        pk = "*" if not peers else key(sorted({key(canon_peer(p)) for p in peers}))
        ports = canon_ports(r.get("ports")) if r.get("ports") else None
        if pk not in merged:
            merged[pk] = (peers, ports)
            continue
        old = merged[pk][1]
        merged[pk] = (merged[pk][0], None if old is None or ports is None else canon_ports(old + ports))
    out = []
    for pk, (peers, ports) in merged.items():
        r = {}
        if pk != "*":
            r[peer_key] = sorted({key(canon_peer(p)): canon_peer(p) for p in peers}.values(), key=key)
        if ports is not None:
            r["ports"] = ports
        out.append(r)
    return sorted(out, key=key)


def cnp_atoms(rules, peer_key):
    """Accept rules as a set of (peer, protocol) atoms (networks one CIDR
    each), without what a whole protocol or every port covers (as the
    compiler's port merging), and the purposes naming them; other rules
    (Deny, Pass) kept in order, whole."""
    atoms, ordered, names = set(), [], set()
    for r in rules or []:
        if r.get("action") != "Accept":
            ordered.append(r)
            continue
        for part in (r.get("name") or "").split("; "):
            if part and not part.endswith("..."):
                names.add(part)
        peers = []
        for p in r.get(peer_key) or []:
            if "networks" in p:
                peers += [key({"networks": [c]}) for c in p["networks"]]
            elif "pods" in p:
                peers.append(key({"pods": {"namespaceSelector": canon_selector(p["pods"].get("namespaceSelector")),
                                           "podSelector": canon_selector(p["pods"].get("podSelector"))}}))
            elif "namespaces" in p:
                peers.append(key({"namespaces": canon_selector(p["namespaces"])}))
            else:
                peers.append(key(p))
        protos = [key(q) for q in r["protocols"]] if r.get("protocols") else [None]
        for pk in peers:
            for q in protos:
                atoms.add((pk, q))
    whole = {(pk, q) for pk, q in atoms if q and '"range": {"end": 65535, "start": 1}' in q}
    def covered(pk, q):
        if q is None:
            return False
        if (pk, None) in atoms:
            return True
        proto = next(iter(json.loads(q)))
        if (pk, q) in whole:
            return False
        if proto == "destinationNamedPort":
            return any(w[0] == pk and '"tcp"' in w[1] for w in whole)
        return any(w[0] == pk and w[1].startswith('{"' + proto + '"') for w in whole)
    kept = sorted([pk, q] for pk, q in atoms if not covered(pk, q))
    return kept, ordered, sorted(names)


def canonical_cnp(docs, with_purposes=False):
    """ClusterNetworkPolicies of one policy split over several objects
    (name, name-2, ...: 25 rules per direction) as one."""
    names = {d["metadata"]["name"] for d in docs}
    groups = {}
    for d in docs:
        name = d["metadata"]["name"]
        m = re.fullmatch(r"(.*)-(\d+)", name)
        base = m.group(1) if m and int(m.group(2)) >= 2 and m.group(1) in names else name
        s = d["spec"]
        g = groups.setdefault(base, {"kind": d["kind"], "apiVersion": d["apiVersion"],
                                     "metadata": {"name": base, "labels": d["metadata"].get("labels")},
                                     "tier": s.get("tier"), "priority": s.get("priority"),
                                     "subject": s.get("subject"), "ingress": [], "egress": []})
        for k in ("tier", "priority", "subject"):
            if g[k] != s.get(k):
                g.setdefault("conflicts", []).append({k: s.get(k)})
        g["ingress"] += s.get("ingress") or []
        g["egress"] += s.get("egress") or []
    out = []
    for base, g in groups.items():
        for k, pk in (("ingress", "from"), ("egress", "to")):
            atoms, ordered, names = cnp_atoms(g[k], pk)
            g[k] = {"accept": atoms, "other": ordered}
            if with_purposes:
                g[k + "Purposes"] = names
        out.append(g)
    return out


def canonical(text, purposes=False):
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    cnps = [d for d in docs if d.get("kind") == "ClusterNetworkPolicy"]
    docs = [d for d in docs if d.get("kind") != "ClusterNetworkPolicy"] + canonical_cnp(cnps, purposes)
    out = []
    for d in docs:
        d = copy.deepcopy(d)
        if d.get("kind") == "NetworkPolicy":
            s = d["spec"]
            s["podSelector"] = canon_selector(s.get("podSelector"))
            s["policyTypes"] = [t for t in ("Ingress", "Egress") if t in (s.get("policyTypes") or [])]
            for k, pk in (("ingress", "from"), ("egress", "to")):
                if s.get(k):
                    s[k] = canon_rules(s[k], pk)
                else:
                    s.pop(k, None)
        out.append(d)
    out.sort(key=lambda d: (d.get("metadata", {}).get("namespace", ""), d.get("metadata", {}).get("name", ""), d.get("kind", "")))
    return yaml.safe_dump_all(out, sort_keys=True, default_flow_style=False)


def rule_purposes(text):
    """The flow purposes naming the Accept rules of ClusterNetworkPolicies,
    per object and direction, taken out of the canonical form (render
    names a merged rule by its flows' purposes, cut at 100 bytes; Helm's
    rules are unmerged, one purpose each): render's must be Helm's."""
    out = {}
    for d in yaml.safe_load_all(canonical(text, True)):
        for k in ("ingressPurposes", "egressPurposes"):
            if d and k in d:
                out[(d["metadata"]["name"], k)] = set(d[k])
    return out


# ----------------------------------------------------------- workloads

def workloads(texts):
    """A namespace per name the policies use and a pod per pod selector,
    in every namespace, so connlist has something to connect."""
    namespaces, podlabels, nslabels = set(), [], []
    def sel_labels(sel):
        lab = dict((sel or {}).get("matchLabels") or {})
        for e in (sel or {}).get("matchExpressions") or []:
            if e["operator"] == "In":
                lab[e["key"]] = e["values"][0]
            elif e["operator"] == "Exists":
                lab[e["key"]] = "x"
        return lab
    def cnp_peer(p):
        if "pods" in p:
            podlabels.append(sel_labels(p["pods"].get("podSelector")))
            p = {"namespaces": p["pods"].get("namespaceSelector")}
        if "namespaces" in p:
            nl = sel_labels(p["namespaces"])
            if "kubernetes.io/metadata.name" in nl:
                namespaces.add(nl["kubernetes.io/metadata.name"])
            elif nl:
                nslabels.append(nl)
    for t in texts:
        for d in yaml.safe_load_all(t):
            if d and d.get("kind") == "ClusterNetworkPolicy":
                cnp_peer(d["spec"]["subject"])
                for k, pk in (("ingress", "from"), ("egress", "to")):
                    for r in d["spec"].get(k) or []:
                        for p in r.get(pk) or []:
                            cnp_peer(p)
                continue
            if not d or d.get("kind") != "NetworkPolicy":
                continue
            namespaces.add(d["metadata"]["namespace"])
            podlabels.append(sel_labels(d["spec"].get("podSelector")))
            for k, pk in (("ingress", "from"), ("egress", "to")):
                for r in d["spec"].get(k) or []:
                    for p in r.get(pk) or []:
                        if "podSelector" in p:
                            podlabels.append(sel_labels(p["podSelector"]))
                        if "namespaceSelector" in p:
                            nl = sel_labels(p["namespaceSelector"])
                            if "kubernetes.io/metadata.name" in nl:
                                namespaces.add(nl["kubernetes.io/metadata.name"])
                            else:
                                nslabels.append(nl)
    namespaces.add("other")
    objs = []
    for i, ns in enumerate(sorted(namespaces)):
        lab = {"kubernetes.io/metadata.name": ns}
        for nl in nslabels:
            if i % 2 == 0:
                lab.update(nl)
        objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": lab}})
    uniq = sorted({key(l): l for l in podlabels}.values(), key=key)
    for ns in sorted(namespaces):
        for j, lab in enumerate(uniq + [{"app": "stranger"}]):
            objs.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": f"pod{j}", "namespace": ns, "labels": lab},
                         "spec": {"containers": [{"name": "c", "image": "x", "ports": [
                             {"name": "http", "containerPort": 8080}, {"name": "grpc", "containerPort": 9000},
                             {"name": "metrics", "containerPort": 9090}]}]},
                         "status": {"podIP": f"10.{i % 200}.{j // 200}.{j % 200 + 1}" for i in [len(objs)]}})
    return yaml.safe_dump_all(objs, sort_keys=True)


def connlist(binary, work, name, policies, wl):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "policies.yaml"), "w") as f:
        f.write(policies)
    with open(os.path.join(d, "workloads.yaml"), "w") as f:
        f.write(wl)
    rc, out, err = run([binary, "connlist", d])
    if rc != 0:
        return f"connlist failed: {err}"
    return out


# ----------------------------------------------------------------- main

def make_chart(binary, work, ex, spec_path, prefix, engine=None, profile=()):
    """engine: `chart --engine` (a spec without an engine option)."""
    chart = os.path.join(work, "chart-" + ex + ("-" + prefix if prefix else "") + ("-" + engine if engine else ""))
    shutil.rmtree(chart, ignore_errors=True)
    rc, _, err = run([binary, "chart", spec_path, "-o", chart] + (["--values-prefix", prefix] if prefix else [])
                     + (["--engine", engine] if engine else []) + list(profile))
    return chart, (err if rc != 0 else None)


SCHEMAS = None


def helm_schema_problems(text):
    global SCHEMAS
    if SCHEMAS is None:
        SCHEMAS = schema_check.Schemas(schema_check.DEFAULT_SCHEMAS)
    problems = []
    for i, obj in enumerate(d for d in yaml.safe_load_all(text) if d is not None):
        for e in schema_check.check_object(obj, SCHEMAS):
            problems.append(f"helm object {i} ({obj.get('kind')} {obj.get('metadata', {}).get('name')}): {e}")
    return problems


def check_combo(ctx, label, files, sets, prefix="", ns=None, engine=None, refusals=None):
    """engine: None, or an engine given as `render --engine` (the chart was
    made with `chart --engine`); ns: a namespace, or (namespace, profile)
    for a --profile combination (chart and render take the profile)."""
    binary, root, work, helm, chart, spec_path, options = ctx
    profile = []
    if isinstance(ns, tuple):
        ns, p = ns
        profile = ["--profile", p]
    if prefix or profile:
        chart, err = make_chart(binary, work, os.path.basename(chart) + "-".join([""] + profile[1:]),
                                spec_path, prefix, engine, profile)
        if err:
            return [f"chart --values-prefix/--profile failed: {err}"]
        nested = {}
        if sets:
            put(nested, prefix, sets)
        sets = nested
    set_file = os.path.join(work, "set-values.yaml")
    with open(set_file, "w") as f:
        yaml.safe_dump(sets, f)
    vfiles = [os.path.join(root, x) for x in files] + [set_file]
    nsargs = ["-n", ns] if ns else []
    rc, a, err = run([binary, "render", spec_path] + nsargs + profile + (["--values-prefix", prefix] if prefix else [])
                     + (["--engine", engine] if engine else []) + sum((["--values", f] for f in vfiles), []))
    rcb, b, errb = run([helm] + nsargs + sum((["-f", f] for f in vfiles), []) + [chart])
    if rc != 0 and rcb != 0 and "error[" in err:
        if refusals is not None:
            refusals.append(label)
        return []  # both refuse
    if rc != 0:
        return [f"render failed: {err}" + (f"\n  (helm rendered:\n{b})" if rcb == 0 else "")]
    if rcb != 0:
        return [f"helm rendering failed: {errb}"]
    problems = helm_schema_problems(b)
    pa, pb = rule_purposes(a), rule_purposes(b)
    for k, v in pa.items():
        if not v <= pb.get(k, set()):
            problems.append(f"rule names of {k[0]} {k[1][:-8]}: {sorted(v - pb.get(k, set()))} not in Helm's")
    ca, cb = canonical(a), canonical(b)
    if ca != cb:
        import difflib
        problems.append("canonical forms differ:\n" + "".join(
            difflib.unified_diff(ca.splitlines(True), cb.splitlines(True), "render", "helm", n=3)))
    wl = workloads([a, b])
    la, lb = connlist(binary, work, "a", a, wl), connlist(binary, work, "b", b, wl)
    if la != lb:
        import difflib
        diff = list(difflib.unified_diff(la.splitlines(True), lb.splitlines(True), "render", "helm", n=0))
        problems.append("connlist differs:\n" + "".join(diff[:40]))
    # the schema accepts the merged values
    with open(os.path.join(chart, "values.yaml")) as f:
        merged = yaml.safe_load(f) or {}  # as Helm reads an empty values.yaml
    for vf in vfiles:
        with open(vf) as f:
            merge(merged, yaml.safe_load(f) or {})
    with open(os.path.join(chart, "values.schema.json")) as f:
        schema = json.load(f)
    errs = list(jsonschema.Draft7Validator(schema).iter_errors(merged))
    if errs:
        problems.append("values.schema.json rejects the values: " + "; ".join(e.message for e in errs[:3]))
    return problems


def schema_rejects(chart, options, prefix):
    with open(os.path.join(chart, "values.yaml")) as f:
        base = yaml.safe_load(f) or {}
    with open(os.path.join(chart, "values.schema.json")) as f:
        v = jsonschema.Draft7Validator(json.load(f))
    problems = []
    if list(v.iter_errors(base)):
        problems.append("values.schema.json rejects values.yaml")
    for name, o in options.items():
        bad = wrong_value(o["type"])
        if bad is None:
            continue
        vals = copy.deepcopy(base)
        put(vals, (prefix + "." if prefix else "") + name, bad)
        if not list(v.iter_errors(vals)):
            problems.append(f"values.schema.json accepts {bad!r} for {o['type']} option {name}")
        if o.get("choices"):
            put(vals, (prefix + "." if prefix else "") + name, "not-a-choice")
            if not list(v.iter_errors(vals)):
                problems.append(f"values.schema.json accepts a value outside the choices of {name}")
    return problems


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--random", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engines", default="kubernetes," + CNP)
    ap.add_argument("examples", nargs="+")
    a = ap.parse_args(argv[1:])
    os.makedirs(a.work, exist_ok=True)
    helm = build_helmtpl(a.work)
    total = failed = 0
    refusals = []
    for ex in a.examples:
        for engine in a.engines.split(","):
            t, f = check_example(a, helm, ex, engine, refusals)
            total += t
            failed += f
    print(f"{total} combinations compared ({len(refusals)} refused by both), {failed} failed")
    return 1 if failed else 0


def check_example(a, helm, ex, engine, refusals):
    total = failed = 0
    gold = os.path.join(a.root, "tests/golden/spec", ex)
    spec_path = os.path.join(gold, "spec.yaml")
    if not os.path.exists(spec_path):
        spec_path = os.path.join(a.root, "examples", ex + ".yaml")
    spec, options = spec_options(spec_path)
    eng_opt = engine_option(spec)
    own = (spec.get("engine") if isinstance(spec.get("engine"), str) else None) or "kubernetes"
    # a spec with an engine option switches in its chart; else chart/render --engine
    flag = None if eng_opt or engine == own else engine
    tag = ex if engine == "kubernetes" else f"{ex}[{engine}]"
    chart, err = make_chart(a.bin, a.work, ex, spec_path, "", flag)
    if err:
        print(f"FAIL {tag}: chart failed: {err}")
        return 0, 1
    for p in schema_rejects(chart, options, ""):
        print(f"FAIL {tag} schema: {p}")
        failed += 1
    ctx = (a.bin, a.root, a.work, helm, chart, spec_path, options)
    with open(os.path.join(chart, "values.yaml")) as f:
        defaults = yaml.safe_load(f)
    combos = []
    for fn in sorted(os.listdir(gold)):
        if fn.endswith(".args"):
            combos.append((fn[:-5],) + args_values(read_args(os.path.join(gold, fn)), options, a.root, defaults))
    rng = random.Random(f"{a.seed}/{ex}" + ("" if engine == "kubernetes" else "/" + engine))
    for i in range(a.random):
        combos.append((f"random{i}", [], random_values(rng, spec, options, engine), "",
                       rng.choice(["default", "team-a"])))
    for label, files, sets, prefix, ns in combos:
        if eng_opt and engine != "kubernetes":
            # the engine option's value picks the engine, in both renderings
            sets = copy.deepcopy(sets)
            put(sets, eng_opt, engine)
        total += 1
        problems = check_combo(ctx, f"{tag}/{label}", files, sets, prefix, ns, flag, refusals)
        if problems:
            failed += 1
            print(f"FAIL {tag}/{label}: values {json.dumps(sets, sort_keys=True)}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
        else:
            print(f"ok   {tag}/{label}" + (" (both refuse)" if refusals and refusals[-1] == f"{tag}/{label}" else ""))
    return total, failed


if __name__ == "__main__":
    sys.exit(main(sys.argv))
