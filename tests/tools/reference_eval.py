#!/usr/bin/python3
"""A deliberately naive reference evaluation of a cluster snapshot.

Loads a folder of manifests (Namespaces; Pods, Deployments, StatefulSets,
DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs; Pods of one
owner merged into that owner; NetworkPolicy, AdminNetworkPolicy,
BaselineAdminNetworkPolicy) and decides, for every ordered pair of distinct
workloads and for every workload <-> external IPv4 range, the allowed
connections by the plain definition of the Kubernetes network policy APIs
(docs/analysis.md):

  allowed(S -> D, proto, port) = egress chain of S (peer D) allows
                                 and ingress chain of D (peer S) allows;
  chain = admin tier (ANPs by priority, rules in order, first rule whose
          peer and port match decides Allow / Deny / Pass)
        -> NetworkPolicy tier (isolated when a policy selecting the pod has
           the direction in its policyTypes; then allowed iff some rule of
           such a policy matches peer and port)
        -> baseline tier (BANP, first match: Allow / Deny)
        -> allowed.

Ports are decided one elementary interval at a time: per protocol, 1..65535
is cut at every boundary of every port range any rule names (named ports
resolved on every workload) and at every container port, and each piece is
decided at its first port by walking the chains above.

It shares no code with netpolc. It compares its result with netpolc's
`connlist --format json` pair by pair: every ordered pair of distinct
workloads in both directions (a pair netpolc does not list must have no
connections) and every (workload, external range) pair, external ranges being
the IPv4 ranges the CIDRs of that direction's rules induce. Prints the pair
counts and the first differences; exit status 1 on any difference.

    reference_eval.py SNAPSHOT_DIR --connlist connlist.json
    reference_eval.py SNAPSHOT_DIR --netpolc path/to/netpolc
    reference_eval.py OUT_DIR --gen bench/gen.py --gen-args "--size small" --netpolc netpolc

With --gen, bench/gen.py first writes the snapshot into the folder (its
.yaml files are replaced); netpolc's list is kept next to it as
OUT_DIR.connlist.json.
"""
import argparse
import ipaddress
import json
import os
import subprocess
import sys
import time

import yaml

try:
    LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - Debian ships libyaml bindings
    LOADER = yaml.SafeLoader

PROTOS = ("SCTP", "TCP", "UDP")  # np-guard's print order
MAXPORT = 65535
CONTROLLERS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet",
               "ReplicationController", "Job", "CronJob"}
NS_NAME_LABEL = "kubernetes.io/metadata.name"


# ------------------------------------------------------------------ loading

def scan(path):
    """Manifest files of a folder, recursively, in byte order."""
    if os.path.isfile(path):
        yield path
        return
    for name in sorted(os.listdir(path), key=lambda s: s.encode()):
        if name.startswith("."):
            continue
        full = os.path.join(path, name)
        if os.path.isdir(full):
            yield from scan(full)
        elif name.endswith((".yaml", ".yml", ".json")):
            yield full


def objects(path):
    for f in scan(path):
        with open(f, encoding="utf-8") as fh:
            for doc in yaml.load_all(fh, Loader=LOADER):
                yield from flatten(doc)


def flatten(doc):
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind", "")
    if kind == "List" or (kind.endswith("List") and "items" in doc):
        for item in doc.get("items") or []:
            if isinstance(item, dict) and "kind" not in item and kind != "List":
                item = dict(item, kind=kind[:-4])
            yield from flatten(item)
        return
    yield doc


class Selector:
    """A metav1.LabelSelector; None-selector handling is the caller's."""

    def __init__(self, raw):
        raw = raw or {}
        self.labels = dict((k, str(v)) for k, v in (raw.get("matchLabels") or {}).items())
        self.exprs = []
        for e in raw.get("matchExpressions") or []:
            self.exprs.append((e["key"], e["operator"], [str(v) for v in e.get("values") or []]))

    def matches(self, labels):
        for k, v in self.labels.items():
            if labels.get(k) != v:
                return False
        for key, op, values in self.exprs:
            if op == "In":
                if key not in labels or labels[key] not in values:
                    return False
            elif op == "NotIn":
                if key in labels and labels[key] in values:
                    return False
            elif op == "Exists":
                if key not in labels:
                    return False
            elif op == "DoesNotExist":
                if key in labels:
                    return False
            else:
                raise ValueError("unknown selector operator %r" % op)
        return True

    def keys(self):
        return set(self.labels) | set(k for k, _, _ in self.exprs)


class IPBlock:
    """cidr minus excepts, as (version, lo, hi) ranges."""

    def __init__(self, cidr, excepts=()):
        net = ipaddress.ip_network(cidr, strict=False)
        self.cidr = (net.version, int(net.network_address), int(net.broadcast_address))
        self.excepts = []
        for e in excepts:
            n = ipaddress.ip_network(e, strict=False)
            self.excepts.append((n.version, int(n.network_address), int(n.broadcast_address)))

    def contains(self, version, a):
        v, lo, hi = self.cidr
        if v != version or not lo <= a <= hi:
            return False
        return not any(ev == version and elo <= a <= ehi for ev, elo, ehi in self.excepts)

    def intervals(self):
        """The address set as disjoint (version, lo, hi) intervals."""
        v, lo, hi = self.cidr
        out = []
        for ev, elo, ehi in sorted(e for e in self.excepts if e[0] == v):
            if elo > lo:
                out.append((v, lo, min(hi, elo - 1)))
            lo = max(lo, ehi + 1)
            if lo > hi:
                return out
        out.append((v, lo, hi))
        return out


class Workload:
    def __init__(self, ns, name, kind, labels, ports, ips):
        self.ns, self.name, self.kind = ns, name, kind
        self.labels = labels
        self.ports = ports  # [(name or None, port, proto)]
        self.ips = ips      # [(version, int)]
        self.pods = []      # per merged pod: (labels, ports, ips)

    def label(self):
        return "%s/%s[%s]" % (self.ns, self.name, self.kind)


def pod_template(obj):
    spec = obj.get("spec") or {}
    if obj["kind"] == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    return spec.get("template") or {}


def container_ports(podspec):
    out = []
    for c in (podspec or {}).get("containers") or []:
        for p in c.get("ports") or []:
            out.append((p.get("name"), int(p["containerPort"]), p.get("protocol") or "TCP"))
    return out


def pod_ips(obj):
    st = obj.get("status") or {}
    found = []
    for ip in [st.get("podIP")] + [x.get("ip") for x in st.get("podIPs") or []]:
        if ip:
            a = ipaddress.ip_address(ip)
            if (a.version, int(a)) not in found:
                found.append((a.version, int(a)))
    return found


class Model:
    def __init__(self):
        self.ns_labels = {}
        self.workloads = {}  # (ns, kind, name) -> Workload
        self.nps = []
        self.anps = []
        self.banps = []

    def ns(self, name):
        if name not in self.ns_labels:
            self.ns_labels[name] = {NS_NAME_LABEL: name}
        return self.ns_labels[name]

    def load(self, path):
        for obj in objects(path):
            kind = obj.get("kind")
            meta = obj.get("metadata") or {}
            ns = meta.get("namespace") or "default"
            if kind == "Namespace":
                labels = dict((k, str(v)) for k, v in (meta.get("labels") or {}).items())
                labels[NS_NAME_LABEL] = meta["name"]
                self.ns_labels[meta["name"]] = labels
            elif kind == "Pod":
                owner = None
                for ref in meta.get("ownerReferences") or []:
                    if owner is None or ref.get("controller"):
                        owner = ref
                okind, oname = (owner["kind"], owner["name"]) if owner else ("Pod", meta["name"])
                self.add_workload(ns, oname, okind, meta.get("labels") or {},
                                  container_ports(obj.get("spec")), pod_ips(obj))
            elif kind in CONTROLLERS:
                tmpl = pod_template(obj)
                self.add_workload(ns, meta["name"], kind, (tmpl.get("metadata") or {}).get("labels") or {},
                                  container_ports(tmpl.get("spec")), [])
            elif kind == "NetworkPolicy":
                self.ns(ns)
                self.nps.append(NetworkPolicy(ns, meta["name"], obj.get("spec") or {}))
            elif kind == "AdminNetworkPolicy":
                self.anps.append(AdminPolicy(meta["name"], obj.get("spec") or {}, True))
            elif kind == "BaselineAdminNetworkPolicy":
                self.banps.append(AdminPolicy(meta["name"], obj.get("spec") or {}, False))
        self.anps.sort(key=lambda p: (p.priority, p.name))
        self.wl = sorted(self.workloads.values(), key=lambda w: w.label())
        for i, w in enumerate(self.wl):
            w.idx = i
            self.ns(w.ns)

    def add_workload(self, ns, name, kind, labels, ports, ips):
        labels = dict((k, str(v)) for k, v in labels.items())
        key = (ns, kind, name)
        w = self.workloads.get(key)
        if w is None:
            w = self.workloads[key] = Workload(ns, name, kind, labels, ports, list(ips))
        else:
            for ip in ips:
                if ip not in w.ips:
                    w.ips.append(ip)
        w.pods.append((labels, ports, ips))


# ----------------------------------------------------------------- policies

class Peer:
    """kind: 'all', 'ip' (IPBlock list), 'pods' (ns_sel, ns_fixed, pod_sel)."""

    def __init__(self, kind, ns_sel=None, ns_fixed=None, pod_sel=None, blocks=()):
        self.kind, self.ns_sel, self.ns_fixed, self.pod_sel = kind, ns_sel, ns_fixed, pod_sel
        self.blocks = list(blocks)

    def match_workload(self, model, w):
        if self.kind == "all":
            return True
        if self.kind == "ip":
            return any(b.contains(v, a) for b in self.blocks for v, a in w.ips)
        if self.kind == "none":
            return False
        if self.ns_fixed is not None and w.ns != self.ns_fixed:
            return False
        if self.ns_sel is not None and not self.ns_sel.matches(model.ns_labels[w.ns]):
            return False
        return self.pod_sel is None or self.pod_sel.matches(w.labels)

    def match_range(self, lo, hi):
        """An IPv4 range [lo, hi] lying wholly in or out of every block."""
        if self.kind == "all":
            return True
        if self.kind != "ip":
            return False
        return any(b.contains(4, lo) for b in self.blocks)


class Port:
    """One port entry: proto (None = the container port's), number/range or name."""

    def __init__(self, proto, lo=None, hi=None, name=None):
        self.proto, self.lo, self.hi, self.name = proto, lo, hi, name

    def resolve(self, dst):
        """[(proto, lo, hi)] on destination dst (a Workload, or None for an IP)."""
        if self.name is None:
            lo = 1 if self.lo is None else self.lo
            hi = MAXPORT if self.lo is None else (self.hi or self.lo)
            return [(self.proto, lo, hi)]
        if dst is None:
            return []
        return [(proto, port, port) for name, port, proto in dst.ports
                if name == self.name and (self.proto is None or self.proto == proto)]


ALL_PORTS = [(p, 1, MAXPORT) for p in PROTOS]


class Rule:
    def __init__(self, action, peers, ports, where):
        self.action, self.peers, self.ports, self.where = action, peers, ports, where

    def port_ranges(self, dst):
        if self.ports is None:
            return ALL_PORTS
        out = []
        for p in self.ports:
            out.extend(p.resolve(dst))
        return out


def np_peer(raw, ns):
    if "ipBlock" in raw:
        b = raw["ipBlock"]
        return Peer("ip", blocks=[IPBlock(b["cidr"], b.get("except") or [])])
    nsel = raw.get("namespaceSelector")
    psel = raw.get("podSelector")
    if nsel is None and psel is None:
        return Peer("none")
    return Peer("pods", ns_sel=Selector(nsel) if nsel is not None else None,
                ns_fixed=ns if nsel is None else None,
                pod_sel=Selector(psel) if psel is not None else None)


def np_ports(raw):
    if not raw:
        return None
    out = []
    for p in raw:
        proto = p.get("protocol") or "TCP"
        port = p.get("port")
        if port is None:
            out.append(Port(proto))
        elif isinstance(port, int):
            out.append(Port(proto, port, p.get("endPort") or port))
        elif str(port).isdigit():
            out.append(Port(proto, int(port), p.get("endPort") or int(port)))
        else:
            out.append(Port(proto, name=str(port)))
    return out


class NetworkPolicy:
    def __init__(self, ns, name, spec):
        self.ns, self.name = ns, name
        self.selector = Selector(spec.get("podSelector"))
        types = spec.get("policyTypes")
        if not types:
            types = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
        self.types = set(types)
        self.rules = {}
        for d, key, peers_key in (("ingress", "ingress", "from"), ("egress", "egress", "to")):
            rules = []
            for i, r in enumerate(spec.get(key) or []):
                r = r or {}
                peers = [np_peer(p, ns) for p in r.get(peers_key) or []] or [Peer("all")]
                rules.append(Rule("Allow", peers, np_ports(r.get("ports")),
                                  "NetworkPolicy %s/%s %s rule %d" % (ns, name, d, i)))
            self.rules[d] = rules

    def selects(self, model, w):
        return w.ns == self.ns and self.selector.matches(w.labels)


def anp_peer(raw):
    if "namespaces" in raw:
        return Peer("pods", ns_sel=Selector(raw["namespaces"]))
    if "pods" in raw:
        p = raw["pods"] or {}
        return Peer("pods", ns_sel=Selector(p.get("namespaceSelector")), pod_sel=Selector(p.get("podSelector")))
    if "networks" in raw:
        return Peer("ip", blocks=[IPBlock(c) for c in raw["networks"] or []])
    return Peer("none")  # nodes: not modelled, matches no workload


def anp_ports(raw):
    if raw is None:
        return None
    out = []
    for p in raw:
        if "portNumber" in p:
            n = p["portNumber"]
            out.append(Port(n.get("protocol") or "TCP", int(n["port"]), int(n["port"])))
        elif "portRange" in p:
            r = p["portRange"]
            out.append(Port(r.get("protocol") or "TCP", int(r["start"]), int(r["end"])))
        elif "namedPort" in p:
            out.append(Port(None, name=str(p["namedPort"])))
    return out


class AdminPolicy:
    def __init__(self, name, spec, is_anp):
        self.name = name
        self.priority = spec.get("priority", 0) if is_anp else 0
        subj = spec.get("subject") or {}
        if "namespaces" in subj:
            self.subject = Peer("pods", ns_sel=Selector(subj["namespaces"]))
        else:
            p = subj.get("pods") or {}
            self.subject = Peer("pods", ns_sel=Selector(p.get("namespaceSelector")),
                                pod_sel=Selector(p.get("podSelector")))
        kind = "AdminNetworkPolicy" if is_anp else "BaselineAdminNetworkPolicy"
        self.rules = {}
        for d, peers_key in (("ingress", "from"), ("egress", "to")):
            rules = []
            for i, r in enumerate(spec.get(d) or []):
                rules.append(Rule(r["action"], [anp_peer(p) for p in r.get(peers_key) or []],
                                  anp_ports(r.get("ports")),
                                  "%s %s %s rule %d" % (kind, name, d, i)))
            self.rules[d] = rules

    def selects(self, model, w):
        return self.subject.match_workload(model, w)


# --------------------------------------------------------------- evaluation

class Side:
    """One chain (a subject, a direction) with the rules whose peer matches a
    given peer: admin [(action, ranges)], isolated, np [ranges], base [(action, ranges)]."""

    __slots__ = ("admin", "isolated", "np", "base")


class Evaluator:
    def __init__(self, model):
        self.m = model
        wl = model.wl
        # Per workload and direction, the policies selecting it (naive scans).
        self.sel = {}
        for d in ("ingress", "egress"):
            for w in wl:
                anp = [r for p in model.anps if p.selects(model, w) for r in p.rules[d]]
                nps = [p for p in model.nps if p.selects(model, w) and d.capitalize() in p.types]
                npr = [r for p in nps for r in p.rules[d]]
                banp = [r for p in model.banps if p.selects(model, w) for r in p.rules[d]]
                self.sel[(w.idx, d)] = (anp, bool(nps), npr, banp)
        # Every port boundary any rule or container mentions, per protocol.
        self.cuts = dict((p, {1, MAXPORT + 1}) for p in PROTOS)
        rules = [r for p in model.nps + model.anps + model.banps
                 for d in ("ingress", "egress") for r in p.rules[d]]
        for w in wl:
            for _, port, proto in w.ports:
                self.cuts.setdefault(proto, set()).update((port, port + 1))
            for r in rules:
                for proto, lo, hi in r.port_ranges(w):
                    self.cuts[proto].update((lo, hi + 1))
        self.cuts = dict((p, sorted(c for c in self.cuts[p] if 1 <= c <= MAXPORT + 1)) for p in PROTOS)
        # Each rule's peers resolved to the workloads they match (naive scans).
        self.members = {}
        for key, (anp, _, npr, banp) in self.sel.items():
            for r in anp + npr + banp:
                if id(r) not in self.members:
                    s = set()
                    for w in wl:
                        if any(p.match_workload(model, w) for p in r.peers):
                            s.add(w.idx)
                    self.members[id(r)] = s

    def side(self, subject, direction, peer_w=None, peer_range=None, dst=None):
        """The chain of subject for direction against a workload peer or an
        IPv4 range; port names resolve on dst (None for an IP destination)."""
        anp, isolated, npr, banp = self.sel[(subject.idx, direction)]
        if peer_w is not None:
            def hit(r):
                return peer_w.idx in self.members[id(r)]
        else:
            def hit(r):
                return any(p.match_range(*peer_range) for p in r.peers)
        s = Side()
        s.admin = [(r.action, r.port_ranges(dst)) for r in anp if hit(r)]
        s.isolated = isolated
        s.np = [r.port_ranges(dst) for r in npr if hit(r)]
        s.base = [(r.action, r.port_ranges(dst)) for r in banp if hit(r)]
        return s


def in_ranges(ranges, proto, port):
    for p, lo, hi in ranges:
        if p == proto and lo <= port <= hi:
            return True
    return False


def decide(side, proto, port):
    for action, ranges in side.admin:
        if in_ranges(ranges, proto, port):
            if action == "Pass":
                break
            return action == "Allow"
    if side.isolated:
        return any(in_ranges(r, proto, port) for r in side.np)
    for action, ranges in side.base:
        if in_ranges(ranges, proto, port):
            return action == "Allow"
    return True


def connections(sides, all_cuts):
    """{proto: [(lo, hi)]} allowed by every side, deciding each elementary
    interval between consecutive cuts at its first port."""
    result = {}
    for proto in PROTOS:
        cuts = all_cuts[proto]
        allowed = []
        for lo, nxt in zip(cuts, cuts[1:]):
            if all(decide(s, proto, lo) for s in sides):
                if allowed and allowed[-1][1] == lo - 1:
                    allowed[-1] = (allowed[-1][0], nxt - 1)
                else:
                    allowed.append((lo, nxt - 1))
        result[proto] = allowed
    return result


def conn_string(conn):
    if all(conn[p] == [(1, MAXPORT)] for p in PROTOS):
        return "All Connections"
    parts = []
    for p in PROTOS:
        if conn[p]:
            parts.append("%s %s" % (p, ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in conn[p])))
    return ",".join(parts) if parts else "No Connections"


def ip4(a):
    return str(ipaddress.IPv4Address(a))


def atoms(model, direction):
    """The IPv4 ranges that the address sets of direction's rules induce
    (cut where a set, cidr minus excepts, starts or ends, as np-guard's
    disjoint IP blocks: netpol-analyzer's ipblockstest_3 lists
    10.0.0.0-10.255.255.255 whole for excepts 10.0.0.0/9 and 10.128.0.0/9)."""
    cuts = {0, 1 << 32}
    rules = [r for p in model.nps for r in p.rules[direction]]
    rules += [r for p in model.anps + model.banps for r in p.rules[direction]]
    for r in rules:
        for peer in r.peers:
            if peer.kind == "ip":
                for b in peer.blocks:
                    for v, lo, hi in b.intervals():
                        if v == 4:
                            cuts.add(lo)
                            cuts.add(hi + 1)
    cuts = sorted(cuts)
    return list(zip(cuts, [c - 1 for c in cuts[1:]]))


def owner_consistency(model):
    """Pods merged into one owner must not be told apart by any policy: the
    same labels on every key a selector reads, container ports, and
    membership in every IP block. Returns notes for owners where they differ."""
    keys = set()
    blocks = []
    for p in model.nps:
        keys |= p.selector.keys()
    for p in model.nps + model.anps + model.banps:
        peers = [r_p for d in ("ingress", "egress") for r in p.rules[d] for r_p in r.peers]
        if isinstance(p, AdminPolicy):
            peers.append(p.subject)
        for pe in peers:
            if pe.pod_sel is not None:
                keys |= pe.pod_sel.keys()
            blocks.extend(pe.blocks)
    notes = []
    for w in model.wl:
        sigs = set()
        for labels, ports, ips in w.pods:
            sigs.add((tuple(sorted((k, labels.get(k)) for k in keys)), tuple(ports),
                      tuple(any(b.contains(v, a) for v, a in ips) for b in blocks)))
        if len(sigs) > 1:
            notes.append("%s: its pods differ in what policies see; compared as one" % w.label())
    return notes


def evaluate(model, with_external=True):
    """Yields ((src, dst), conn string) for every compared pair."""
    ev = Evaluator(model)
    wl = model.wl
    for s in wl:
        for d in wl:
            if s is d:
                continue
            eg = ev.side(s, "egress", peer_w=d, dst=d)
            ing = ev.side(d, "ingress", peer_w=s, dst=d)
            yield (s.label(), d.label()), conn_string(connections([eg, ing], ev.cuts))
    if not with_external:
        return
    for lo, hi in atoms(model, "egress"):
        name = "%s-%s[External]" % (ip4(lo), ip4(hi))
        for s in wl:
            eg = ev.side(s, "egress", peer_range=(lo, hi), dst=None)
            yield (s.label(), name), conn_string(connections([eg], ev.cuts))
    for lo, hi in atoms(model, "ingress"):
        name = "%s-%s[External]" % (ip4(lo), ip4(hi))
        for d in wl:
            ing = ev.side(d, "ingress", peer_range=(lo, hi), dst=d)
            yield (name, d.label()), conn_string(connections([ing], ev.cuts))


# ---------------------------------------------------------------- comparing

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshot")
    ap.add_argument("--connlist", help="netpolc connlist --format json output to compare with")
    ap.add_argument("--netpolc", help="run this netpolc binary's connlist instead")
    ap.add_argument("--gen", help="bench/gen.py: generate the snapshot into the folder first")
    ap.add_argument("--gen-args", default="--size small", help="arguments for --gen (one string)")
    ap.add_argument("--no-external", action="store_true", help="compare workload pairs only")
    ap.add_argument("--show", type=int, default=20, help="differences printed in detail")
    args = ap.parse_args()
    t0 = time.time()
    if args.gen:
        subprocess.run([sys.executable, args.gen] + args.gen_args.split() + ["--out", args.snapshot],
                       check=True)
    if args.connlist:
        with open(args.connlist, encoding="utf-8") as f:
            rows = json.load(f)
    elif args.netpolc:
        out = subprocess.run([args.netpolc, "connlist", args.snapshot, "--format", "json"],
                             check=True, stdout=subprocess.PIPE).stdout
        if args.gen:
            with open(args.snapshot.rstrip("/") + ".connlist.json", "wb") as f:
                f.write(out)
        rows = json.loads(out)
    else:
        ap.error("give --connlist or --netpolc")
    got = {}
    dups = []
    for r in rows:
        key = (r["src"], r["dst"])
        if key in got:
            dups.append(key)
        got[key] = r["conn"]

    model = Model()
    model.load(args.snapshot)
    t1 = time.time()
    notes = owner_consistency(model)
    diffs = []
    counts = {"workload pairs": 0, "external pairs": 0}
    seen = set()
    for key, want in evaluate(model, not args.no_external):
        seen.add(key)
        counts["external pairs" if "[External]" in key[0] + key[1] else "workload pairs"] += 1
        have = got.get(key, "No Connections")
        if have != want:
            diffs.append((key, want, have))
    for key, have in sorted(got.items()):
        if key in seen:
            continue
        if args.no_external and "[External]" in key[0] + key[1]:
            continue
        diffs.append((key, "(no such pair)", have))
    t2 = time.time()

    print("%s: %d workloads, %d NetworkPolicies, %d AdminNetworkPolicies, %d BaselineAdminNetworkPolicies" %
          (args.snapshot, len(model.wl), len(model.nps), len(model.anps), len(model.banps)))
    print("compared %d workload pairs and %d workload/external pairs (netpolc listed %d rows); "
          "load %.1fs, evaluate %.1fs" % (counts["workload pairs"], counts["external pairs"], len(rows),
                                          t1 - t0, t2 - t1))
    for n in notes:
        print("note: " + n)
    for key in dups:
        print("duplicate row in netpolc's list: %s => %s" % key)
    print("%d differences" % len(diffs))
    for (src, dst), want, have in diffs[:args.show]:
        print("  %s => %s\n    reference: %s\n    netpolc:   %s" % (src, dst, want, have))
    return 1 if diffs or dups else 0


if __name__ == "__main__":
    sys.exit(main())
