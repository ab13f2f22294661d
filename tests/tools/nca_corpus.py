#!/usr/bin/python3
"""network-config-analyzer's Calico scheme files against `netpolc connlist`.

Reads every scheme file (tests/**/*-scheme.yaml) of the corpus whose policy
sets hold Calico (projectcalico.org/v3) objects, writes the topology it names
(NamespaceLists; PodLists, Calico WorkloadEndpointLists and workload
manifests, as Pods with their labels, service account and container ports)
and each policy set as manifests netpolc loads, and checks the queries netpolc
can answer:

* connectivityMap with a txt expectedOutput: NCA's firewall rules
  ("src_ns: [a,b] src_pods: [app=x] dst: 0.0.0.0/0 conn: {protocols:TCP}")
  are expanded to the pods and IPv4 addresses they name, and must equal
  `netpolc connlist --format json` pair for pair, on TCP, UDP and SCTP ports
  (the protocols netpolc models; NCA's other protocols are left out of both
  sides). NCA's IPv6 ranges are not compared (netpolc lists IPv4 ranges).
* the comparisons of policy sets, recomputed from netpolc's connection lists
  of each set as NCA defines them (nca/NetworkConfig/NetworkConfigQuery.py,
  NetworkConfigQueryRunner.py): equivalence and twoWayContainment (each set
  against those after it), containment, permits, forbids and interferes
  (each set against the first), pairwiseInterferes (every ordered pair);
  `expected` is the count NCA reports. permits, forbids and interferes use
  the connections a set allows explicitly: those it allows where a policy of
  the set selects the destination for ingress or the source for egress
  (nca/NetworkConfig/NetworkLayer.py, allowed_conns); which pods no policy
  selects is read from `netpolc connlist --explain` ("due to the system
  default"). A pod's connections to itself are not compared (connlist does
  not list them).

NCA applies Calico policies of equal order in the order it reads them,
Calico by name (felix/calc/policy_sorter.go, PolKVLess): the driver renames
each Calico policy with its position in the set, so that the two orders are
one.

Set aside, with the reason printed: NCA's analyses of policies and rules
(vacuity, redundancy, emptiness, sanity, disjointness, allCaptured,
semanticDiff), queries without an expected output or result, outputs in
formats other than txt (each repeats a txt output of the same query), policy
sets and topologies holding what netpolc does not evaluate (HostEndpoints,
Calico Profiles, Istio and Ingress objects; rules netpolc reports as not
evaluated, NPC215), comparisons of sets with ICMP or other protocols or with
IPv6 addresses (their count covers what connlist does not list), and NCA
output fields netpolc does not model (ICMP types).

Prints one line per disagreement, the set-aside queries by reason, and "N of
M queries agree (K set aside)"; exits 1 on any disagreement or when nothing
was checked.

usage: nca_corpus.py NETPOLC CORPUS_DIR [SCHEME_SUBSTRING...]
"""
import argparse
import concurrent.futures
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

PROTOS = ("TCP", "UDP", "SCTP")
ALL_PORTS = ((1, 65535),)
ALL_CONN = {p: ALL_PORTS for p in PROTOS}
V4_LAST = (1 << 32) - 1

POLICY_KINDS = {"NetworkPolicy", "GlobalNetworkPolicy", "Tier", "NetworkSet", "GlobalNetworkSet",
                "StagedNetworkPolicy",
                "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy"}
# kinds whose effect netpolc does not evaluate: the set's answers would differ
UNEVALUATED = {"Profile": "Calico Profiles", "HostEndpoint": "HostEndpoints",
               "AuthorizationPolicy": "Istio objects", "Sidecar": "Istio objects",
               "Gateway": "Istio objects", "VirtualService": "Istio objects",
               "ServiceEntry": "Istio objects", "Ingress": "Ingress objects",
               "Route": "Ingress objects"}


# ------------------------------------------------------------ loading

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_loaded = {}


def load_docs(path):
    """The objects of a YAML/JSON file, lists flattened (read once)."""
    if path not in _loaded:
        _loaded[path] = _load_docs(path)
    return _loaded[path]


def _load_docs(path):
    try:
        with open(path) as f:
            text = f.read()
        try:
            docs = [json.loads(text)]
        except ValueError:
            docs = [d for d in yaml.load_all(text, Loader=LOADER) if d]
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return []
    out = []
    for d in docs:
        if isinstance(d, list):
            out.extend(x for x in d if isinstance(x, dict))
        elif isinstance(d, dict) and isinstance(d.get("items"), list) and \
                str(d.get("kind", "")).endswith("List"):
            item_kind = str(d["kind"])[:-4] if d["kind"] != "List" else None
            for x in d["items"]:
                if isinstance(x, dict):
                    if item_kind and "kind" not in x:
                        x = dict(x, kind=item_kind)
                    out.append(x)
        elif isinstance(d, dict):
            out.append(d)
    return out


def files_of(base, entries):
    """The files a scheme entry names (a file or a folder, one or a list)."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        entries = [entries]
    out = []
    for e in entries:
        p = os.path.normpath(os.path.join(base, str(e)))
        if os.path.isdir(p):
            for root, _, names in sorted(os.walk(p)):
                out.extend(os.path.join(root, n) for n in sorted(names)
                           if n.endswith((".yaml", ".yml", ".json")))
        elif os.path.isfile(p):
            out.append(p)
        else:
            out.extend(g for g in sorted(glob.glob(p)) if os.path.isfile(g))
    return out


class Pod:
    def __init__(self, ns, name, owner, labels, ports, sa):
        self.ns, self.name, self.owner = ns, name, owner
        self.labels, self.ports, self.sa = labels, ports, sa

    def key(self):
        return "%s/%s" % (self.ns, self.name)


def topology(base, scheme):
    """Namespaces {name: labels}, pods [Pod], and the kinds netpolc does not
    evaluate found in it."""
    nsfiles = files_of(base, scheme.get("namespaceList")) + files_of(base, scheme.get("resourceList"))
    podfiles = files_of(base, scheme.get("podList")) + files_of(base, scheme.get("resourceList"))
    namespaces, pods, odd = {}, [], set()
    for f in nsfiles:
        for o in load_docs(f):
            if o.get("kind") == "Namespace":
                md = o.get("metadata") or {}
                namespaces[md.get("name")] = dict(md.get("labels") or {})
    seen = set()
    for f in podfiles:
        for o in load_docs(f):
            kind = o.get("kind")
            md = o.get("metadata") or {}
            spec = o.get("spec") or {}
            if kind == "HostEndpoint":
                odd.add("HostEndpoints")
                continue
            if kind == "WorkloadEndpoint":
                ns = md.get("namespace", "default")
                ports = [{"name": p.get("name"), "containerPort": p.get("port"),
                          "protocol": p.get("protocol", "TCP")} for p in spec.get("ports") or []]
                sa = (md.get("labels") or {}).get("projectcalico.org/serviceaccount")
                p = Pod(ns, spec.get("pod", md.get("name")), "", dict(md.get("labels") or {}),
                        ports, sa)
            elif kind == "Pod":
                ns = md.get("namespace", "default")
                owners = md.get("ownerReferences") or []
                ports = []
                for c in spec.get("containers") or []:
                    if isinstance(c.get("ports"), list):
                        ports.extend(c["ports"])
                p = Pod(ns, md.get("name"), owners[0].get("name", "") if owners else "",
                        dict(md.get("labels") or {}), ports, spec.get("serviceAccountName"))
            elif kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job",
                          "ReplicationController"):
                tmpl = spec.get("template") or {}
                tspec = tmpl.get("spec") or {}
                ports = []
                for c in tspec.get("containers") or []:
                    if isinstance(c.get("ports"), list):
                        ports.extend(c["ports"])
                ns = md.get("namespace", "default")
                p = Pod(ns, md.get("name") + "-pod", md.get("name"),
                        dict((tmpl.get("metadata") or {}).get("labels") or {}), ports,
                        tspec.get("serviceAccountName"))
            else:
                continue
            if p.key() in seen:
                continue
            seen.add(p.key())
            pods.append(p)
            namespaces.setdefault(p.ns, {})
    return namespaces, pods, odd


def cluster_objects(namespaces, pods):
    objs = []
    for name in sorted(namespaces):
        objs.append({"apiVersion": "v1", "kind": "Namespace",
                     "metadata": {"name": name, "labels": namespaces[name]}})
    for p in pods:
        c = {"name": "main", "image": "registry.invalid/app"}
        ports = []
        for cp in p.ports:
            if not isinstance(cp, dict) or not isinstance(cp.get("containerPort"), int):
                continue
            q = {"containerPort": cp["containerPort"], "protocol": cp.get("protocol", "TCP")}
            if cp.get("name"):
                q["name"] = cp["name"]
            ports.append(q)
        if ports:
            c["ports"] = ports
        spec = {"containers": [c]}
        if p.sa:
            spec["serviceAccountName"] = p.sa
        objs.append({"apiVersion": "v1", "kind": "Pod",
                     "metadata": {"name": p.name, "namespace": p.ns, "labels": p.labels},
                     "spec": spec})
    return objs


def policy_objects(base, cfg):
    """The policy objects of a networkConfig and the kinds netpolc does not
    evaluate among them. Calico policies are renamed with their position:
    NCA applies policies of equal order in the order it reads them, Calico by
    name (felix/calc/policy_sorter.go, PolKVLess), and the prefix makes the
    two orders one."""
    objs, odd, orig = [], set(), []
    for f in files_of(base, cfg.get("networkPolicyList")) + files_of(base, cfg.get("resourceList")):
        for o in load_docs(f):
            kind = o.get("kind")
            if kind in UNEVALUATED:
                odd.add(UNEVALUATED[kind])
            elif kind in POLICY_KINDS:
                orig.append(o)
                if str(o.get("apiVersion", "")).startswith("projectcalico.org/") and \
                        kind != "Tier" and isinstance(o.get("metadata"), dict):
                    md = dict(o["metadata"])
                    md["name"] = "p%04d-%s" % (len(objs), md.get("name"))
                    o = dict(o, metadata=md)
                objs.append(o)
    return objs, odd, orig


def write_list(path, objs):
    with open(path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": objs}, f, indent=1)


def is_calico(objs):
    return any(str(o.get("apiVersion", "")).startswith("projectcalico.org/") for o in objs)


def icmp_like(objs):
    """Whether a Calico rule names a protocol other than TCP, UDP and SCTP."""
    for o in objs:
        if not str(o.get("apiVersion", "")).startswith("projectcalico.org/"):
            continue
        spec = o.get("spec") or {}
        for r in (spec.get("ingress") or []) + (spec.get("egress") or []):
            if not isinstance(r, dict):
                continue
            for k in ("protocol", "notProtocol"):
                if k in r and str(r[k]).upper() not in PROTOS and str(r[k]) not in ("6", "17", "132"):
                    return True
            if "icmp" in r or "notICMP" in r:
                return True
    return False


# ------------------------------------------------------------ connections

def norm(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def conn_union(a, b):
    return {p: norm(a.get(p, ()) + b.get(p, ())) for p in PROTOS if a.get(p) or b.get(p)}


def conn_minus(a, b):
    out = {}
    for p, rs in a.items():
        cur = list(rs)
        for lo2, hi2 in b.get(p, ()):
            nxt = []
            for lo, hi in cur:
                if hi2 < lo or lo2 > hi:
                    nxt.append((lo, hi))
                    continue
                if lo < lo2:
                    nxt.append((lo, lo2 - 1))
                if hi > hi2:
                    nxt.append((hi2 + 1, hi))
            cur = nxt
        if cur:
            out[p] = tuple(cur)
    return out


def conn_and(a, b):
    return conn_minus(a, conn_minus(a, b))


def conn_text(c):
    if c == ALL_CONN:
        return "All"
    if not c:
        return "none"
    return ",".join("%s %s" % (p, ";".join("%d-%d" % r if r[0] != r[1] else str(r[0])
                                           for r in c[p])) for p in PROTOS if p in c)


def parse_netpolc_conn(s):
    """netpolc's connection text: "All Connections", "SCTP 1-65535,TCP 80,8080-8090"."""
    if s == "All Connections":
        return dict(ALL_CONN)
    out, cur = {}, None
    for part in s.split(","):
        if " " in part:
            cur, part = part.split(" ", 1)
        lo, _, hi = part.partition("-")
        if cur in PROTOS:
            out.setdefault(cur, []).append((int(lo), int(hi or lo)))
    return {p: norm(v) for p, v in out.items()}


def split_top(s, sep=","):
    """s split at sep outside parentheses and braces."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


class Unsupported(Exception):
    pass


class SetAside(Exception):
    pass


def parse_ports(s):
    out = []
    for part in s.split(","):
        part = part.strip()
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return norm(out)


def parse_nca_cube(s):
    """One '{protocols:TCP, UDP,dst_ports:80-81}' of NCA."""
    body = s.strip()[1:-1]
    fields, key = {}, None
    for part in split_top(body):
        m = re.match(r"\s*([a-z_]+):(.*)$", part)
        if m:
            key = m.group(1)
            fields[key] = [m.group(2).strip()]
        elif key:
            fields[key].append(part.strip())
    for k in fields:
        if k not in ("protocols", "dst_ports"):
            raise Unsupported("NCA outputs with fields netpolc does not model (%s)" % k)
    protos = [p.strip() for p in fields.get("protocols", list(PROTOS))]
    protos = [p for p in (x.upper() for x in protos) if p in PROTOS] if "protocols" in fields \
        else list(PROTOS)
    ports = parse_ports(",".join(fields["dst_ports"])) if "dst_ports" in fields else ALL_PORTS
    return {p: ports for p in protos}


def parse_nca_conn(s):
    s = s.strip()
    if s == "All connections":
        return dict(ALL_CONN)
    if s in ("No connections", ""):
        return {}
    base, but = {}, False
    if s.startswith("All but "):
        base, but, s = dict(ALL_CONN), True, s[len("All but "):]
    acc = {}
    for cube in split_top(s):
        acc = conn_union(acc, parse_nca_cube(cube))
    return conn_minus(base, acc) if but else acc


# ------------------------------------------------------------ NCA label expressions

def tokenize(s):
    return re.findall(r"!has\(|has\(|not in|\bin\b|\band\b|\bor\b|!=|=|\(|\)|,|[^\s(),=!]+", s)


def parse_expr(tokens):
    """NCA's label expression (fw-rules text) into a predicate over labels."""
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take(t=None):
        tok = peek()
        if t is not None and tok != t:
            raise Unsupported("label expressions the driver does not read")
        pos[0] += 1
        return tok

    def values():
        take("(")
        vals = []
        while peek() != ")":
            v = take()
            if v != ",":
                vals.append(v)
        take(")")
        return set(vals)

    def atom():
        tok = peek()
        if tok == "(":
            take()
            e = orx()
            take(")")
            return e
        if tok in ("has(", "!has("):
            take()
            k = take()
            take(")")
            return (lambda L, k=k: k in L) if tok == "has(" else (lambda L, k=k: k not in L)
        k = take()
        op = take()
        if op in ("in", "not in"):
            vs = values()
            if op == "in":
                return lambda L, k=k, vs=vs: L.get(k) in vs
            return lambda L, k=k, vs=vs: L.get(k) not in vs
        v = take()
        if op == "=":
            return lambda L, k=k, v=v: L.get(k) == v
        if op == "!=":
            return lambda L, k=k, v=v: L.get(k) != v
        raise Unsupported("label expressions the driver does not read")

    def andx():
        e = atom()
        while peek() == "and":
            take()
            f = atom()
            e = (lambda L, e=e, f=f: e(L) and f(L))
        return e

    def orx():
        e = andx()
        while peek() == "or":
            take()
            f = andx()
            e = (lambda L, e=e, f=f: e(L) or f(L))
        return e

    e = orx()
    if peek() is not None:
        raise Unsupported("label expressions the driver does not read")
    return e


def pod_group(pods, nss, items):
    """The pods of namespaces nss named by the fw-rule's pod list."""
    inns = [p for p in pods if p.ns in nss]
    out = set()
    for it in items:
        it = it.strip()
        if it == "*":
            out |= {p.key() for p in inns}
            continue
        named = [p for p in inns if it in (p.name, p.owner)]
        if named or not re.search(r"[=()!]", it):
            out |= {p.key() for p in named}
            continue
        pred = parse_expr(tokenize(it))
        out |= {p.key() for p in inns if pred(p.labels)}
    return out


def ip_ranges(s):
    """IPv4 intervals of NCA's '0.0.0.0/0,::/0' or '1.2.3.0-1.2.255.255'."""
    out = []
    for part in s.split(","):
        part = part.strip()
        if ":" in part:
            continue  # IPv6: netpolc lists IPv4 ranges
        if "-" in part:
            lo, hi = part.split("-")
            out.append((int(ipaddress.IPv4Address(lo)), int(ipaddress.IPv4Address(hi))))
        else:
            n = ipaddress.IPv4Network(part, strict=False)
            out.append((int(n.network_address), int(n.broadcast_address)))
    return norm(out)


RULE = re.compile(r"^(?:src: (?P<sip>\S+)|src_ns: \[(?P<sns>[^\]]*)\] src_pods: \[(?P<spods>.*?)\])"
                  r" (?:dst: (?P<dip>\S+)|dst_ns: \[(?P<dns>[^\]]*)\] dst_pods: \[(?P<dpods>.*?)\])"
                  r" conn: (?P<conn>.*)$")


class Connectivity:
    """Allowed connections: pod pairs and pod/IPv4-interval pairs."""

    def __init__(self):
        self.pairs = {}  # (src, dst) -> conn
        self.ext = {}  # (pod, "in"|"out") -> [(lo, hi, conn)]
        self.unevaluated = set()  # what netpolc reported not evaluated

    def add_pair(self, s, d, c):
        if s == d or not c:
            return
        self.pairs[(s, d)] = conn_union(self.pairs.get((s, d), {}), c)

    def add_ext(self, pod, way, ranges, c):
        if c:
            for lo, hi in ranges:
                self.ext.setdefault((pod, way), []).append((lo, hi, c))

    def segments(self, key, cuts):
        segs = self.ext.get(key, [])
        out = []
        for i in range(len(cuts) - 1):
            lo, hi = cuts[i], cuts[i + 1] - 1
            c = {}
            for a, b, cc in segs:
                if a <= lo and hi <= b:
                    c = conn_union(c, cc)
            out.append(((lo, hi), c))
        return out

    def cuts(self, other, key):
        cs = {0, V4_LAST + 1}
        for segs in (self.ext.get(key, []), other.ext.get(key, [])):
            for a, b, _ in segs:
                cs.add(a)
                cs.add(b + 1)
        return sorted(cs)

    def diff(self, other, limit=5):
        """Up to limit lines where self and other disagree."""
        out = []
        for k in sorted(set(self.pairs) | set(other.pairs)):
            a, b = self.pairs.get(k, {}), other.pairs.get(k, {})
            if a != b:
                out.append("%s => %s: NCA %s, netpolc %s" % (k[0], k[1], conn_text(a), conn_text(b)))
        for k in sorted(set(self.ext) | set(other.ext)):
            cuts = self.cuts(other, k)
            for (r, a), (_, b) in zip(self.segments(k, cuts), other.segments(k, cuts)):
                if a != b:
                    rng = "%s-%s" % (ipaddress.IPv4Address(r[0]), ipaddress.IPv4Address(r[1]))
                    s, d = (rng, k[0]) if k[1] == "in" else (k[0], rng)
                    out.append("%s => %s: NCA %s, netpolc %s" % (s, d, conn_text(a), conn_text(b)))
        return out[:limit] + (["... %d more" % (len(out) - limit)] if len(out) > limit else [])


def expected_connectivity(text, config, pods):
    """NCA's fw rules of one config in a txt output into a Connectivity."""
    blocks = re.split(r"^final fw rules for query: [^\n]*, config: ", text, flags=re.M)
    parts = config.split("/")
    if len(parts) == 4:  # NCA prints set/kind/namespace/policy without the kind
        config = "/".join([parts[0]] + parts[2:])
    found = None
    for b in blocks[1:]:
        head, _, body = b.partition("\n")
        if head.rstrip(":").rstrip() == config:
            found = body
    if found is None:
        raise Unsupported("expected outputs without the rules of the policy set")
    cx = Connectivity()
    for line in found.splitlines():
        line = line.strip()
        if not line:
            continue
        m = RULE.match(line)
        if not m:
            raise Unsupported("fw rules of a form the driver does not read")
        c = parse_nca_conn(m.group("conn"))
        src = pod_group(pods, set(m.group("sns").split(",")), split_top(m.group("spods"))) \
            if m.group("sns") is not None else None
        dst = pod_group(pods, set(m.group("dns").split(",")), split_top(m.group("dpods"))) \
            if m.group("dns") is not None else None
        if src is not None and dst is not None:
            for s in src:
                for d in dst:
                    cx.add_pair(s, d, c)
        elif src is not None:
            for s in src:
                cx.add_ext(s, "out", ip_ranges(m.group("dip")), c)
        elif dst is not None:
            for d in dst:
                cx.add_ext(d, "in", ip_ranges(m.group("sip")), c)
    return cx


# ------------------------------------------------------------ netpolc

EXT = re.compile(r"^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\[External\]$")


def endpoint(s):
    m = EXT.match(s)
    if m:
        return None, (int(ipaddress.IPv4Address(m.group(1))), int(ipaddress.IPv4Address(m.group(2))))
    return s.split("[")[0], None


def run(netpolc, files, *extra, stderr=None):
    p = subprocess.run([netpolc, "connlist"] + list(extra) + files, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise RuntimeError("netpolc connlist %s failed: %s" % (" ".join(extra), p.stderr.strip()))
    if stderr is not None:
        stderr.append(p.stderr)
    return p.stdout


def not_evaluated(stderr):
    """What netpolc reports it did not evaluate (NPC215), but the rules of
    protocols it does not model: the TCP, UDP and SCTP answer holds without
    them."""
    out = set()
    for line in stderr.splitlines():
        if "NPC215" not in line or "only TCP, UDP and SCTP are modelled" in line:
            continue
        m = re.search(r"NPC215\]: (.*?) is not evaluated", line)
        out.add(m.group(1) if m else "NPC215")
    return out


def netpolc_connectivity(netpolc, files):
    cx = Connectivity()
    err = []
    rows = json.loads(run(netpolc, files, "--format", "json", stderr=err))
    cx.unevaluated = not_evaluated(err[0])
    for row in rows:
        (s, sr), (d, dr) = endpoint(row["src"]), endpoint(row["dst"])
        c = parse_netpolc_conn(row["conn"])
        if s and d:
            cx.add_pair(s, d, c)
        elif s and dr:
            cx.add_ext(s, "out", [dr], c)
        elif d and sr:
            cx.add_ext(d, "in", [sr], c)
    return cx


BLOCK = re.compile(r"^Connections between (\S+) => (\S+):$")


def defaulted(netpolc, files):
    """Pods no policy selects, per direction, from `connlist --explain`:
    {"in": {pod}, "out": {pod}}."""
    out = {"in": set(), "out": set()}
    src = dst = None
    summary = False
    for line in run(netpolc, files, "--explain").splitlines():
        t = line.strip()
        if t.startswith("# "):
            summary = "due to the system default" in t
            src = dst = None
            continue
        m = BLOCK.match(t)
        if m:
            src, dst = endpoint(m.group(1))[0], endpoint(m.group(2))[0]
            continue
        if summary and " => " in t:
            a, b = t.split(" => ", 1)
            src, dst = endpoint(a)[0], endpoint(b)[0]
            if dst:
                out["in"].add(dst)
            if src:
                out["out"].add(src)
            continue
        if "due to the system default" in t:
            if t.startswith("Ingress") and dst:
                out["in"].add(dst)
            elif t.startswith("Egress") and src:
                out["out"].add(src)
    return out


def explicit(cx, dflt):
    """The connections of cx a policy decides (NCA's allowed_conns)."""
    ex = Connectivity()
    for (s, d), c in cx.pairs.items():
        if d not in dflt["in"] or s not in dflt["out"]:
            ex.add_pair(s, d, c)
    for (pod, way), segs in cx.ext.items():
        if pod not in dflt[way]:
            for lo, hi, c in segs:
                ex.add_ext(pod, way, [(lo, hi)], c)
    return ex


def intersects(a, b):
    """Whether connectivities a and b share a connection."""
    for k, c in a.pairs.items():
        if conn_and(c, b.pairs.get(k, {})):
            return True
    for k in a.ext:
        cuts = a.cuts(b, k)
        for (_, x), (_, y) in zip(a.segments(k, cuts), b.segments(k, cuts)):
            if conn_and(x, y):
                return True
    return False


def contained(a, b):
    """Whether every connection of a is one of b."""
    for k, c in a.pairs.items():
        if conn_minus(c, b.pairs.get(k, {})):
            return False
    for k in a.ext:
        cuts = a.cuts(b, k)
        for (_, x), (_, y) in zip(a.segments(k, cuts), b.segments(k, cuts)):
            if conn_minus(x, y):
                return False
    return True


def equal(a, b):
    return contained(a, b) and contained(b, a)


def ipv6_named(objs):
    """Whether a policy names IPv6 addresses (netpolc lists IPv4 ranges)."""
    def walk(x, key=None):
        if isinstance(x, dict):
            return any(walk(v, k) for k, v in x.items())
        if isinstance(x, list):
            return any(walk(v, key) for v in x)
        return key in ("nets", "notNets", "cidr", "except") and ":" in str(x)
    return walk(objs)


# ------------------------------------------------------------ driver

QUERY_KEYS = ("name", "expected", "expectedOutput", "outputConfiguration", "expectedNotExecuted")


class Scheme:
    def __init__(self, path, tmp, netpolc, pool):
        self.path, self.base, self.tmp, self.netpolc, self.pool = \
            path, os.path.dirname(path), tmp, netpolc, pool
        with open(path) as f:
            self.doc = yaml.safe_load(f) or {}
        self.configs = {c.get("name"): c for c in self.doc.get("networkConfigList") or []}
        self.cache = {}
        self.policies = {}
        self.cluster_file = None

    def objects(self, name):
        """(objects, unevaluated kinds, original objects) of a config set
        or of one policy of it ("set/namespace/policy",
        "set/kind/namespace/policy")."""
        if name not in self.policies:
            parts = name.split("/")
            cfg = self.configs.get(parts[0])
            if not cfg:
                self.policies[name] = (None, set(), None)
            else:
                objs, odd, orig = policy_objects(self.base, cfg)
                if len(parts) > 1:
                    want_ns, want = (parts[-2] if len(parts) > 2 else None), parts[-1]
                    kinds = {"K8sNetworkPolicy": ("networking.k8s.io/", "NetworkPolicy"),
                             "CalicoNetworkPolicy": ("projectcalico.org/", "NetworkPolicy"),
                             "CalicoGlobalNetworkPolicy": ("projectcalico.org/",
                                                           "GlobalNetworkPolicy")}
                    want_kind = kinds.get(parts[1]) if len(parts) > 3 else None
                    keep = [i for i, o in enumerate(orig)
                            if o.get("kind") != "Tier" and (o.get("metadata") or {}).get("name") == want
                            and (want_kind is None or
                                 (str(o.get("apiVersion", "")).startswith(want_kind[0]) and
                                  o.get("kind") == want_kind[1]))
                            and (want_ns is None or
                                 (o.get("metadata") or {}).get("namespace", "default") == want_ns)]
                    tiers = [i for i, o in enumerate(orig) if o.get("kind") == "Tier"]
                    objs = [objs[i] for i in tiers + keep] if keep else None
                    orig = [orig[i] for i in tiers + keep] if keep else None
                self.policies[name] = (objs, odd, orig)
        return self.policies[name]

    def files(self, name):
        """The topology and the policy set as JSON Lists (one topology file
        per scheme)."""
        if self.cluster_file is None:
            self.cluster_file = os.path.join(self.tmp, "c%d.json" % abs(hash(self.path)))
            write_list(self.cluster_file, cluster_objects(self.namespaces, self.pods))
        path = os.path.join(self.tmp, "p%d.json" % abs(hash((self.path, name))))
        if not os.path.exists(path):
            write_list(path, self.objects(name)[0])
        return [self.cluster_file, path]

    def connectivity(self, name):
        if ("cx", name) not in self.cache:
            self.cache[("cx", name)] = self.pool.submit(netpolc_connectivity, self.netpolc,
                                                        self.files(name))
        return self.cache[("cx", name)]

    def defaults(self, name):
        if ("dflt", name) not in self.cache:
            self.cache[("dflt", name)] = self.pool.submit(defaulted, self.netpolc, self.files(name))
        return self.cache[("dflt", name)]

    def calico(self):
        """Whether a policy set holds Calico objects (read as text first:
        most schemes hold none)."""
        def mentions(f):
            with open(f, errors="replace") as fh:
                return "projectcalico.org/" in fh.read()
        return any(any(mentions(f) for f in files_of(self.base, c.get("networkPolicyList")) +
                       files_of(self.base, c.get("resourceList"))) and
                   is_calico(self.objects(n)[0] or []) for n, c in self.configs.items())

    def explicit(self, name):
        return explicit(self.connectivity(name).result(), self.defaults(name).result())

    def same_policies(self, a, b):
        key = lambda n: sorted(json.dumps(o, sort_keys=True) for o in self.objects(n)[2])
        return key(a) == key(b)


TRAFFIC = ("connectivityMap", "permits", "forbids", "equivalence", "containment",
           "twoWayContainment", "interferes", "pairwiseInterferes")
EXPLICIT = ("permits", "forbids", "interferes", "pairwiseInterferes")


def set_aside(scheme, q, kind, names):
    if kind not in TRAFFIC:
        return "%s queries (NCA's analyses of policies and rules, not answers about traffic)" % kind
    fmt = (q.get("outputConfiguration") or {}).get("outputFormat", "txt")
    if kind == "connectivityMap":
        if not q.get("expectedOutput"):
            return "connectivityMap queries without an expected output"
        if fmt != "txt":
            return "connectivityMap outputs in %s (each repeats a txt output)" % fmt
    elif q.get("expected") is None:
        return "queries without an expected result"
    if scheme.topo_odd:
        return "topologies with %s" % ", ".join(sorted(scheme.topo_odd))
    for n in names:
        objs, odd, _ = scheme.objects(n)
        if objs is None:
            return "queries naming a policy set or policy the scheme does not define"
        if odd:
            return "policy sets with %s" % ", ".join(sorted(odd))
        if kind != "connectivityMap" and icmp_like(objs):
            return "comparisons of policy sets with ICMP or other protocols (not modelled)"
        if kind != "connectivityMap" and ipv6_named(objs):
            return "comparisons of policy sets naming IPv6 addresses (netpolc lists IPv4 ranges)"
    return None


def check(scheme, q, kind, names):
    """None when netpolc agrees, else the disagreement."""
    for n in names:
        what = scheme.connectivity(n).result().unevaluated
        if what:
            raise SetAside("policy sets with conditions netpolc does not evaluate (NPC215: %s)"
                           % ", ".join(sorted(what)))
    if kind == "connectivityMap":
        with open(os.path.normpath(os.path.join(scheme.base, q["expectedOutput"]))) as f:
            text = f.read()
        bad = []
        for n in names:
            want = expected_connectivity(text, n, scheme.pods)
            got = scheme.connectivity(n).result()
            d = want.diff(got)
            if d:
                bad.append("config %s:\n      %s" % (n, "\n      ".join(d)))
        return "\n    ".join(bad) if bad else None
    full = lambda n: scheme.connectivity(n).result()
    count = 0
    if kind in ("permits", "forbids", "containment", "interferes"):
        for n in names[1:]:  # each set against the first (the base)
            if kind == "permits":
                count += 0 if contained(scheme.explicit(n), full(names[0])) else 1
            elif kind == "forbids":
                count += 1 if intersects(scheme.explicit(n), full(names[0])) else 0
            elif kind == "containment":
                count += 1 if contained(full(n), full(names[0])) else 0
            else:
                count += 0 if contained(scheme.explicit(n), scheme.explicit(names[0])) else 1
    elif kind == "pairwiseInterferes":
        for a in names:
            for b in names:
                if a != b:
                    count += 0 if contained(scheme.explicit(a), scheme.explicit(b)) else 1
    else:
        for i, a in enumerate(names):  # each set against those after it
            for b in names[i + 1:]:
                if kind == "equivalence":
                    count += 0 if equal(full(a), full(b)) else 1
                elif not scheme.same_policies(a, b):
                    a_in_b, b_in_a = contained(full(a), full(b)), contained(full(b), full(a))
                    count += 3 if a_in_b and b_in_a else 2 if a_in_b else 1 if b_in_a else 0
    want = q.get("expected")
    if count != want:
        return "NCA counts %s, netpolc's connections give %d" % (want, count)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("netpolc")
    ap.add_argument("corpus")
    ap.add_argument("only", nargs="*", help="scheme file substrings")
    args = ap.parse_args()
    schemes = sorted(glob.glob(os.path.join(args.corpus, "tests", "**", "*scheme*.yaml"),
                               recursive=True))
    schemes = [s for s in schemes if "expected_output" not in s and
               (not args.only or any(o in s for o in args.only))]
    total = agree = aside = 0
    reasons, by_kind = {}, {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    with tempfile.TemporaryDirectory(prefix="netpolc-nca-") as tmp:
        jobs = []
        for path in schemes:
            rel = os.path.relpath(path, args.corpus)
            try:
                sc = Scheme(path, tmp, args.netpolc, pool)
            except (yaml.YAMLError, OSError) as e:
                print("%s: unreadable scheme: %s" % (rel, e))
                continue
            if not sc.calico():
                continue
            sc.namespaces, sc.pods, sc.topo_odd = topology(sc.base, sc.doc)
            for q in sc.doc.get("queries") or []:
                kinds = [k for k in q if k not in QUERY_KEYS]
                kind = kinds[0] if kinds else "?"
                names = [str(n) for n in q.get(kind) or []]
                label = "%s: %s %s" % (rel, kind, q.get("name"))
                why = set_aside(sc, q, kind, names)
                if why:
                    aside += 1
                    reasons.setdefault(why, []).append(label)
                    continue
                for n in names:  # start the runs early
                    sc.connectivity(n)
                    if kind in EXPLICIT:
                        sc.defaults(n)
                jobs.append((label, sc, q, kind, names))
        for label, sc, q, kind, names in jobs:
            try:
                bad = check(sc, q, kind, names)
            except SetAside as e:
                aside += 1
                reasons.setdefault(str(e), []).append(label)
                continue
            except Unsupported as e:
                aside += 1
                reasons.setdefault(str(e), []).append(label)
                continue
            except RuntimeError as e:
                bad = str(e)
            total += 1
            by_kind[kind] = by_kind.get(kind, 0) + 1
            if bad:
                print("DISAGREE %s\n    %s" % (label, bad))
            else:
                agree += 1
    for why in sorted(reasons):
        print("set aside (%s): %d" % (why, len(reasons[why])))
        for label in reasons[why]:
            print("    %s" % label)
    print("checked: %s" % ", ".join("%s %d" % kv for kv in sorted(by_kind.items())))
    print("%d of %d queries agree (%d set aside)" % (agree, total, aside))
    return 0 if total and agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
