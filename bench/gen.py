#!/usr/bin/env python3
"""Deterministic generator of cluster snapshots for netpolc benchmarks.

Writes YAML as `kubectl get -A -o yaml` does (a `kind: List` per file) into
an output folder: namespaces, workloads (or pods), NetworkPolicies, and the
admin and baseline tier policies.

    bench/gen.py --size customer --out bench/out/customer
    bench/gen.py --pods 2000 --namespaces 100 --policies 900 --out /tmp/snap
    bench/gen.py --size small --pods-mode --out bench/out/small-pods
    bench/gen.py --size antrea --format json --out bench/out/antrea-json

With --format json each file is a v1 List as `kubectl get -A -o json`
writes it (4-space indent), holding the same objects as the YAML.

The shape follows the kube-burner NetworkPolicy scale workload
(../shared/corpora/scale-workloads/k8s-netpol-scale), mapped onto a
realistic cluster; see bench/README.md for the mapping. Standard library
only; the same arguments give byte-identical files on any machine.
"""

import argparse
import json
import os
import random
import sys
import time

# Named sizes: pods, namespaces, NetworkPolicies (admin-tier objects come on top).
SIZES = {
    "tiny": (120, 12, 60),
    "small": (1000, 60, 600),
    "customer": (5400, 600, 13700),
    "antrea": (100000, 25000, 75000),
    "limit": (150000, 10000, 100000),
}

TEAMS = ["payments", "checkout", "search", "identity", "catalog", "ledger", "media",
         "growth", "platform", "data", "risk", "support", "infra", "mobile", "ads", "maps"]
PURPOSES = ["api", "svc", "jobs", "web", "core", "edge", "batch", "store"]
ENVS = ["prod", "prod", "staging", "dev"]
# app name -> tier, container ports (name, port, protocol)
APPS = [
    ("web", "frontend", [("http", 8080, "TCP"), ("metrics", 9090, "TCP")]),
    ("api", "backend", [("http", 8080, "TCP"), ("grpc", 9000, "TCP"), ("metrics", 9090, "TCP")]),
    ("db", "data", [("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")]),
    ("worker", "backend", [("http", 8080, "TCP"), ("metrics", 9090, "TCP")]),
    ("cache", "data", [("redis", 6379, "TCP"), ("metrics", 9121, "TCP")]),
    ("auth", "backend", [("http", 8080, "TCP"), ("grpc", 9000, "TCP"), ("metrics", 9090, "TCP")]),
    ("gateway", "frontend", [("https", 8443, "TCP"), ("metrics", 9090, "TCP")]),
    ("queue", "data", [("amqp", 5672, "TCP"), ("metrics", 15692, "TCP")]),
    ("search", "backend", [("http", 9200, "TCP"), ("transport", 9300, "TCP")]),
    ("media", "backend", [("http", 8080, "TCP"), ("rtp", 10000, "UDP")]),
]
# which tier may call which: (caller tier, callee tier)
UPSTREAM = {"frontend": None, "backend": "frontend", "data": "backend"}
REPLICAS = [1, 1, 1, 2, 2, 2, 3, 3, 3, 5, 5, 10]
TEAM_SIZE = 8  # namespaces per team group: bounds cross-namespace fan-out
SYSTEM_NS = ["kube-system", "monitoring", "ingress-nginx"]
# Facts about the snapshot, one JSON line; not .json so that loaders
# scanning the folder for manifests skip it.
META = "meta.jsonl"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z: timestamps derive from it, never from the clock


def ts(rng):
    t = time.gmtime(EPOCH + rng.randrange(0, 86400 * 90))
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", t)


def uid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def q(s):
    """A YAML scalar as kubectl writes it: quoted when it would not read as a string."""
    if s == "" or s in ("true", "false", "null", "yes", "no", "on", "off", "~") or \
            s[0] in "0123456789-+.*&!|>'\"%@`{[#?:,]}" or ": " in s or s.strip() != s:
        return json.dumps(s)
    return s


class Namespace:
    __slots__ = ("name", "team", "env", "group", "workloads", "index")

    def __init__(self, index, name, team, env, group):
        self.index, self.name, self.team, self.env, self.group = index, name, team, env, group
        self.workloads = []


class Workload:
    __slots__ = ("kind", "name", "app", "tier", "version", "replicas", "ports", "hash")

    def __init__(self, kind, name, app, tier, version, replicas, ports, hash_):
        self.kind, self.name, self.app, self.tier = kind, name, app, tier
        self.version, self.replicas, self.ports, self.hash = version, replicas, ports, hash_


def spread(total, weights):
    """Splits total into len(weights) non-negative ints proportional to weights
    (largest remainder, ties by position): deterministic and exact."""
    s = float(sum(weights))
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def build_model(pods, namespaces, seed):
    rng = random.Random(seed)
    nodes = max(3, pods // 110)  # kubelet default max-pods
    user_ns = max(1, namespaces - len(SYSTEM_NS))
    system_pods = 2 + 2 + nodes + 2  # coredns, prometheus, node-exporter, ingress controller
    user_pods = max(user_ns, pods - system_pods)
    nss = []
    for i in range(user_ns):
        group = i // TEAM_SIZE
        team = TEAMS[group % len(TEAMS)]
        name = "%s-%s-%05d" % (team, PURPOSES[rng.randrange(len(PURPOSES))], i)
        nss.append(Namespace(i, name, team if group < len(TEAMS) else "%s%d" % (team, group // len(TEAMS)),
                             ENVS[rng.randrange(len(ENVS))], group))
    weights = [rng.choice((1, 2, 2, 3, 3, 3, 4, 6, 10)) for _ in nss]
    per_ns = spread(user_pods, weights)
    for ns, n in zip(nss, per_ns):
        j = 0
        while n > 0:
            r = min(n, rng.choice(REPLICAS))
            if n - r == 0 or j >= 40:
                r = n
            app, tier, ports = APPS[j % len(APPS)]
            name = app if j < len(APPS) else "%s-%d" % (app, j // len(APPS))
            kind = "StatefulSet" if tier == "data" else "Deployment"
            ns.workloads.append(Workload(kind, name, name if j >= len(APPS) else app, tier,
                                         "v%d" % (1 + rng.randrange(3)), r, ports,
                                         "%010x" % rng.getrandbits(40)))
            n -= r
            j += 1
    system = [
        ("kube-system", [Workload("Deployment", "coredns", "kube-dns", "system", "v1", 2,
                                  [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")],
                                  "%010x" % rng.getrandbits(40))]),
        ("monitoring", [Workload("StatefulSet", "prometheus", "prometheus", "system", "v2", 2,
                                 [("web", 9090, "TCP")], "%010x" % rng.getrandbits(40)),
                        Workload("DaemonSet", "node-exporter", "node-exporter", "system", "v1", nodes,
                                 [("metrics", 9100, "TCP")], "%010x" % rng.getrandbits(40))]),
        ("ingress-nginx", [Workload("Deployment", "ingress-nginx-controller", "ingress-nginx", "system",
                                    "v1", 2, [("http", 80, "TCP"), ("https", 443, "TCP")],
                                    "%010x" % rng.getrandbits(40))]),
    ]
    sys_ns = []
    for k, (name, wls) in enumerate(system):
        ns = Namespace(-1 - k, name, None, "prod", -1)
        ns.workloads = wls
        sys_ns.append(ns)
    return rng, sys_ns, nss, nodes


# ------------------------------------------------------------------ objects

def emit_namespace(out, rng, ns):
    out.append("- apiVersion: v1\n  kind: Namespace\n  metadata:\n")
    out.append("    creationTimestamp: \"%s\"\n    labels:\n" % ts(rng))
    if ns.env:
        out.append("      env: %s\n" % ns.env)
    out.append("      kubernetes.io/metadata.name: %s\n" % ns.name)
    if ns.team:
        out.append("      team: %s\n" % ns.team)
    out.append("    name: %s\n    resourceVersion: \"%d\"\n    uid: %s\n" %
               (ns.name, rng.randrange(1000, 9999999), uid(rng)))
    out.append("  spec:\n    finalizers:\n    - kubernetes\n  status:\n    phase: Active\n")


def labels_of(ns, wl):
    if wl.tier == "system":
        key = "k8s-app" if wl.app == "kube-dns" else "app.kubernetes.io/name"
        return [(key, wl.app)]
    return [("app", wl.app), ("team", ns.team), ("tier", wl.tier), ("version", wl.version)]


def emit_containers(out, ind, wl):
    out.append("%scontainers:\n" % ind)
    out.append("%s- image: registry.example.com/%s:%s\n" % (ind, wl.app, wl.version))
    out.append("%s  imagePullPolicy: IfNotPresent\n%s  name: %s\n" % (ind, ind, wl.app))
    out.append("%s  ports:\n" % ind)
    for pname, port, proto in wl.ports:
        out.append("%s  - containerPort: %d\n%s    name: %s\n%s    protocol: %s\n" %
                   (ind, port, ind, pname, ind, proto))
    out.append("%s  resources:\n%s    requests:\n%s      cpu: 100m\n%s      memory: 128Mi\n" %
               (ind, ind, ind, ind))


def emit_workload(out, rng, ns, wl):
    labels = labels_of(ns, wl)
    out.append("- apiVersion: apps/v1\n  kind: %s\n  metadata:\n" % wl.kind)
    out.append("    annotations:\n      deployment.kubernetes.io/revision: \"1\"\n")
    out.append("    creationTimestamp: \"%s\"\n    generation: 1\n    labels:\n" % ts(rng))
    for k, v in labels:
        out.append("      %s: %s\n" % (k, q(v)))
    out.append("    name: %s\n    namespace: %s\n    resourceVersion: \"%d\"\n    uid: %s\n" %
               (wl.name, ns.name, rng.randrange(1000, 9999999), uid(rng)))
    out.append("  spec:\n")
    if wl.kind != "DaemonSet":
        out.append("    replicas: %d\n" % wl.replicas)
    out.append("    selector:\n      matchLabels:\n")
    out.append("        %s: %s\n" % (labels[0][0], q(labels[0][1])))
    if wl.kind == "StatefulSet":
        out.append("    serviceName: %s\n" % wl.name)
    out.append("    template:\n      metadata:\n        labels:\n")
    for k, v in labels:
        out.append("          %s: %s\n" % (k, q(v)))
    out.append("      spec:\n")
    emit_containers(out, "        ", wl)
    out.append("        restartPolicy: Always\n")
    if wl.kind == "DaemonSet":
        out.append("  status:\n    desiredNumberScheduled: %d\n    numberReady: %d\n" %
                   (wl.replicas, wl.replicas))
    else:
        out.append("  status:\n    readyReplicas: %d\n    replicas: %d\n" % (wl.replicas, wl.replicas))


def emit_pods(out, rng, ns, wl, ipgen):
    labels = labels_of(ns, wl)
    for r in range(wl.replicas):
        if wl.kind == "StatefulSet":
            name = "%s-%d" % (wl.name, r)
            extra = [("apps.kubernetes.io/pod-index", str(r)),
                     ("statefulset.kubernetes.io/pod-name", name)]
            owner = ("StatefulSet", wl.name)
        elif wl.kind == "DaemonSet":
            name = "%s-%s" % (wl.name, "%05x" % rng.getrandbits(20))
            extra = [("controller-revision-hash", wl.hash[:9])]
            owner = ("DaemonSet", wl.name)
        else:
            name = "%s-%s-%s" % (wl.name, wl.hash, "%05x" % rng.getrandbits(20))
            extra = [("pod-template-hash", wl.hash)]
            owner = ("ReplicaSet", "%s-%s" % (wl.name, wl.hash))
        out.append("- apiVersion: v1\n  kind: Pod\n  metadata:\n")
        out.append("    creationTimestamp: \"%s\"\n" % ts(rng))
        out.append("    generateName: %s-\n    labels:\n" % name.rsplit("-", 1)[0])
        for k, v in sorted(labels + extra):
            out.append("      %s: %s\n" % (k, q(v)))
        out.append("    name: %s\n    namespace: %s\n" % (name, ns.name))
        out.append("    ownerReferences:\n    - apiVersion: apps/v1\n      blockOwnerDeletion: true\n"
                   "      controller: true\n      kind: %s\n      name: %s\n      uid: %s\n" %
                   (owner[0], owner[1], uid(rng)))
        out.append("    resourceVersion: \"%d\"\n    uid: %s\n" % (rng.randrange(1000, 9999999), uid(rng)))
        out.append("  spec:\n")
        emit_containers(out, "    ", wl)
        out.append("    nodeName: node-%04d\n" % rng.randrange(ipgen.nodes))
        ip = ipgen.next()
        out.append("  status:\n    hostIP: 10.0.%d.%d\n    phase: Running\n    podIP: %s\n"
                   "    podIPs:\n    - ip: %s\n" % (rng.randrange(4), 1 + rng.randrange(250), ip, ip))


class IPGen:
    """Pod IPs from 10.128.0.0/14 in order, as a cluster CIDR would hand them out."""

    def __init__(self, nodes):
        self.n = 0
        self.nodes = nodes

    def next(self):
        self.n += 1
        v = (10 << 24) | (128 << 16) | self.n
        return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


# ----------------------------------------------------------------- policies

def np_head(out, rng, name, ns):
    out.append("- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata:\n")
    out.append("    creationTimestamp: \"%s\"\n    generation: 1\n" % ts(rng))
    out.append("    name: %s\n    namespace: %s\n    resourceVersion: \"%d\"\n    uid: %s\n" %
               (name, ns.name, rng.randrange(1000, 9999999), uid(rng)))
    out.append("  spec:\n")


def sel(out, ind, key, labels):
    """labels: list of (k, v); empty -> {}."""
    if not labels:
        out.append("%s%s: {}\n" % (ind, key))
        return
    sub = ind.replace("-", " ")
    out.append("%s%s:\n%s  matchLabels:\n" % (ind, key, sub))
    for k, v in labels:
        out.append("%s    %s: %s\n" % (sub, k, q(v)))


def ports(out, ind, plist):
    """plist: list of (protocol, port, endPort or None); port may be a name."""
    out.append("%sports:\n" % ind)
    for proto, port, end in plist:
        out.append("%s- port: %s\n" % (ind, port if isinstance(port, int) else q(port)))
        if end:
            out.append("%s  endPort: %d\n" % (ind, end))
        out.append("%s  protocol: %s\n" % (ind, proto))


def policy_types(out, types):
    out.append("    policyTypes:\n")
    for t in types:
        out.append("    - %s\n" % t)


def p_default_deny(out, rng, ns, ctx):
    np_head(out, rng, "default-deny", ns)
    out.append("    podSelector: {}\n")
    policy_types(out, ["Ingress", "Egress"] if ctx["egress"] else ["Ingress"])


def p_allow_dns(out, rng, ns, ctx):
    np_head(out, rng, "allow-dns-egress", ns)
    out.append("    egress:\n    - to:\n")
    sel(out, "      - ", "namespaceSelector", [("kubernetes.io/metadata.name", "kube-system")])
    sel(out, "        ", "podSelector", [("k8s-app", "kube-dns")])
    ports(out, "      ", [("UDP", 53, None), ("TCP", 53, None)])
    out.append("    podSelector: {}\n")
    policy_types(out, ["Egress"])


def p_egress_internal(out, rng, ns, ctx):
    np_head(out, rng, "allow-egress-same-namespace", ns)
    out.append("    egress:\n    - to:\n      - podSelector: {}\n")
    out.append("    podSelector: {}\n")
    policy_types(out, ["Egress"])


def p_monitoring(out, rng, ns, ctx):
    np_head(out, rng, "allow-from-monitoring", ns)
    out.append("    ingress:\n    - from:\n")
    sel(out, "      - ", "namespaceSelector", [("kubernetes.io/metadata.name", "monitoring")])
    sel(out, "        ", "podSelector", [("app.kubernetes.io/name", "prometheus")])
    ports(out, "      ", [("TCP", "metrics", None)])
    out.append("    podSelector: {}\n")
    policy_types(out, ["Ingress"])


def first_port(wl):
    return wl.ports[0][0]


def p_allow_from_app(wl):
    def make(out, rng, ns, ctx):
        np_head(out, rng, "allow-%s-ingress" % wl.name, ns)
        out.append("    ingress:\n")
        up = UPSTREAM[wl.tier]
        callers = [w for w in ns.workloads if w.tier == up] if up else []
        if callers:
            out.append("    - from:\n")
            for c in callers[:3]:
                sel(out, "      - ", "podSelector", [("app", c.app)])
            ports(out, "      ", [("TCP", first_port(wl), None)])
        else:
            # front ends: the ingress controller and the team's other namespaces
            out.append("    - from:\n")
            sel(out, "      - ", "namespaceSelector", [("kubernetes.io/metadata.name", "ingress-nginx")])
            sel(out, "      - ", "namespaceSelector", [("team", ns.team)])
            sel(out, "        ", "podSelector", [("tier", "frontend")])
            ports(out, "      ", [("TCP", first_port(wl), None)])
        sel(out, "    ", "podSelector", [("app", wl.app)])
        policy_types(out, ["Ingress"])
    return make


def p_team_egress(out, rng, ns, ctx):
    np_head(out, rng, "allow-egress-team-frontends", ns)
    out.append("    egress:\n    - to:\n")
    sel(out, "      - ", "namespaceSelector", [("team", ns.team)])
    sel(out, "        ", "podSelector", [("tier", "frontend")])
    ports(out, "      ", [("TCP", "http", None), ("TCP", "https", None)])
    sel(out, "    ", "podSelector", [("tier", "frontend")])
    policy_types(out, ["Egress"])


def p_egress_external(out, rng, ns, ctx):
    wl = next((w for w in ns.workloads if w.tier == "backend"), ns.workloads[0])
    np_head(out, rng, "allow-egress-internet-https", ns)
    out.append("    egress:\n    - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0\n"
               "          except:\n          - 10.0.0.0/8\n          - 172.16.0.0/12\n"
               "          - 192.168.0.0/16\n")
    ports(out, "      ", [("TCP", 443, None)])
    sel(out, "    ", "podSelector", [("app", wl.app)])
    policy_types(out, ["Egress"])


def p_egress_backup(out, rng, ns, ctx):
    k = ns.group % 65536  # the team group's backup network
    np_head(out, rng, "allow-egress-backup", ns)
    out.append("    egress:\n    - to:\n      - ipBlock:\n          cidr: 10.%d.%d.0/24\n"
               "          except:\n          - 10.%d.%d.128/25\n" %
               (200 + (k >> 8) % 50, k & 255, 200 + (k >> 8) % 50, k & 255))
    ports(out, "      ", [("TCP", 5432, None), ("TCP", 8000, 8100)])
    sel(out, "    ", "podSelector", [("tier", "data")])
    policy_types(out, ["Egress"])


def combination(index, n, k):
    """The index-th k-subset of range(n) in lexicographic order (kube-burner's
    IndexToCombination)."""
    from math import comb
    res, x = [], 0
    index %= comb(n, k)
    for i in range(k):
        while True:
            c = comb(n - x - 1, k - i - 1)
            if index < c:
                break
            index -= c
            x += 1
        res.append(x)
        x += 1
    return res


def p_burner(j, direction):
    """kube-burner's ingress-np.yml/egress-np.yml, with its knobs fixed at
    LOCAL_PODS=one app, SINGLE_PORTS=2, PORT_RANGES=1, POD_SELECTORS=2,
    PEER_NAMESPACES=3 (inside the team group), PEER_PODS=one tier, CIDRS=1."""
    def make(out, rng, ns, ctx):
        group = ctx["groups"][ns.group]
        wl = ns.workloads[j % len(ns.workloads)]
        np_head(out, rng, "%s-%d" % (direction, j), ns)
        key, peer = ("ingress", "from") if direction == "ingress" else ("egress", "to")
        out.append("    %s:\n" % key)
        plist = [("TCP", 1001, None), ("TCP", 1002, None), ("TCP", 5000, 5005)]
        for s in range(2):
            size = min(3, len(group))
            idx = combination(ns.index * 7 + j * 2 + s, len(group), size)
            out.append("    - %s:\n      - namespaceSelector:\n          matchExpressions:\n"
                       "          - key: kubernetes.io/metadata.name\n            operator: In\n"
                       "            values:\n" % peer)
            for i in idx:
                out.append("            - %s\n" % group[i].name)
            sel(out, "        ", "podSelector", [("tier", ("frontend", "backend", "data")[(j + s) % 3])])
            ports(out, "      ", plist)
        # kube-burner gives every rule its own /24 (1.0.0.0/24, 1.0.1.0/24...);
        # here a team group shares two partner networks, so the external
        # ranges the CIDRs induce grow with the teams, not with the policies
        sub = (ns.group * 2 + (j // 2) % 2) % (1 << 16)
        out.append("    - %s:\n      - ipBlock:\n          cidr: 1.%d.%d.0/24\n" % (peer, sub >> 8, sub & 255))
        ports(out, "      ", plist)
        sel(out, "    ", "podSelector", [("app", wl.app)])
        policy_types(out, ["Ingress" if direction == "ingress" else "Egress"])
    return make


def ns_policies(ns, budget, egress):
    """The namespace's policies, most important first; the first `budget` are
    emitted. Without egress isolation (clusters with few policies per
    namespace, as most) only ingress is isolated, so that the few allow rules
    still let traffic through."""
    makers = [p_default_deny]
    apps = [p_allow_from_app(w) for w in ns.workloads]
    if egress:
        makers += [p_allow_dns, p_egress_internal, p_monitoring, p_team_egress]
        makers += apps
        # one namespace in three has a backend that calls out to the internet
        makers += ([p_egress_external] if ns.index % 3 == 0 else []) + [p_egress_backup]
    else:
        makers += apps[:1] + [p_monitoring] + apps[1:]
    j = 0
    while len(makers) < budget:
        makers.append(p_burner(j, "ingress" if j % 2 == 0 else "egress"))
        j += 1
    return makers[:budget], egress


def emit_admin(out):
    """A few AdminNetworkPolicies and the BaselineAdminNetworkPolicy `default`."""
    anps = [
        ("cluster-allow-monitoring", 10, "    subject:\n      namespaces: {}\n",
         "    ingress:\n    - action: Allow\n      from:\n      - namespaces:\n          matchLabels:\n"
         "            kubernetes.io/metadata.name: monitoring\n      name: allow-prometheus\n"
         "      ports:\n      - portNumber:\n          port: 9090\n          protocol: TCP\n"
         "      - namedPort: metrics\n"),
        ("cluster-deny-cloud-metadata", 20, "    subject:\n      namespaces: {}\n",
         "    egress:\n    - action: Deny\n      name: deny-metadata-endpoint\n      to:\n"
         "      - networks:\n        - 169.254.169.254/32\n"),
        ("cluster-pass-kube-system", 30,
         "    subject:\n      namespaces:\n        matchLabels:\n"
         "          kubernetes.io/metadata.name: kube-system\n",
         "    ingress:\n    - action: Pass\n      from:\n      - namespaces: {}\n      name: pass-to-namespace-policies\n"),
        ("isolate-prod-from-dev", 40,
         "    subject:\n      namespaces:\n        matchLabels:\n          env: prod\n",
         "    ingress:\n    - action: Deny\n      from:\n      - namespaces:\n          matchLabels:\n"
         "            env: dev\n      name: deny-from-dev\n"),
    ]
    n = 0
    for name, prio, subject, rules in anps:
        out.append("- apiVersion: policy.networking.k8s.io/v1alpha1\n  kind: AdminNetworkPolicy\n"
                   "  metadata:\n    name: %s\n  spec:\n" % name)
        out.append(rules)
        out.append("    priority: %d\n" % prio)
        out.append(subject)
        n += 1
    out.append("- apiVersion: policy.networking.k8s.io/v1alpha1\n  kind: BaselineAdminNetworkPolicy\n"
               "  metadata:\n    name: default\n  spec:\n"
               "    ingress:\n    - action: Deny\n      from:\n      - namespaces: {}\n"
               "      name: baseline-deny-ingress\n"
               "    subject:\n      namespaces:\n        matchExpressions:\n        - key: team\n"
               "          operator: Exists\n")
    return n + 1


# ------------------------------------------------------------------- output

def yaml_scalar(s):
    if s == "{}":
        return {}
    if s == "[]":
        return []
    if s.startswith('"'):
        return json.loads(s)
    if s in ("true", "false"):
        return s == "true"
    if s in ("null", "~"):
        return None
    if s.lstrip("-").isdigit():
        return int(s)
    return s


def yaml_subset_load(text):
    """Reads the block YAML this generator writes (mappings, `- ` sequences at
    the parent's indent as kubectl writes them, plain and JSON-quoted scalars,
    `{}`): enough to re-emit it as JSON, not a YAML parser."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    pos = 0

    def indent(ln):
        return len(ln) - len(ln.lstrip(" "))

    def block(ind):
        return seq(ind) if lines[pos][ind] == "-" else mapping(ind)

    def seq(ind):
        nonlocal pos
        out = []
        while pos < len(lines) and indent(lines[pos]) == ind and lines[pos][ind] == "-":
            rest = lines[pos][ind + 2:]
            if not rest.startswith('"') and (": " in rest or rest.endswith(":")):
                lines[pos] = " " * (ind + 2) + rest  # the item's first key
                out.append(mapping(ind + 2))
            else:
                pos += 1
                out.append(yaml_scalar(rest))
        return out

    def mapping(ind):
        nonlocal pos
        out = {}
        while pos < len(lines) and indent(lines[pos]) == ind and lines[pos][ind] != "-":
            key, _, val = lines[pos][ind:].partition(":")
            key = json.loads(key) if key.startswith('"') else key
            val = val.strip()
            pos += 1
            if val:
                out[key] = yaml_scalar(val)
            elif pos < len(lines) and (indent(lines[pos]) > ind or
                                       (indent(lines[pos]) == ind and lines[pos][ind] == "-")):
                out[key] = block(indent(lines[pos]))
            else:
                out[key] = None
        return out

    doc = block(0)
    if pos != len(lines):
        raise ValueError("gen: cannot convert line %d to JSON: %r" % (pos + 1, lines[pos]))
    return doc


class ListWriter:
    """Writes `kind: List` files, starting a new file every `chunk` items so
    no file grows past the loader's per-file limit. As JSON, a file's YAML
    is converted when it is closed."""

    def __init__(self, folder, stem, chunk, fmt="yaml"):
        self.folder, self.stem, self.chunk, self.fmt = folder, stem, chunk, fmt
        self.part, self.count, self.f, self.bytes, self.files = 0, 0, None, 0, []

    def _open(self):
        name = "%s-%03d.%s" % (self.stem, self.part, self.fmt)
        self.files.append(name)
        self.f = open(os.path.join(self.folder, name), "w", encoding="utf-8", newline="\n")
        self.text = []
        self._put("apiVersion: v1\nitems:\n")
        self.part += 1
        self.count = 0

    def _put(self, text):
        if self.fmt == "json":
            self.text.append(text)
        else:
            self.f.write(text)

    def write(self, chunks, items):
        if self.f is None or self.count >= self.chunk:
            self.close()
            self._open()
        text = "".join(chunks)
        self.bytes += len(text)
        self._put(text)
        self.count += items

    def close(self):
        if self.f:
            self._put("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
            if self.fmt == "json":
                json.dump(yaml_subset_load("".join(self.text)), self.f, indent=4)
                self.f.write("\n")
                self.text = []
            self.f.close()
            self.f = None


def write_namespaces(folder, rng, nss, fmt="yaml"):
    nsw = ListWriter(folder, "namespaces", 5000, fmt)
    for ns in nss:
        out = []
        emit_namespace(out, rng, ns)
        nsw.write(out, 1)
    nsw.close()
    return nsw


def progress(msg):
    if sys.stderr.isatty():
        sys.stderr.write("\r" + msg + "\033[K")
        sys.stderr.flush()


def generate(args):
    pods, namespaces, policies = args.pods, args.namespaces, args.policies
    rng, sys_ns, nss, nodes = build_model(pods, namespaces, args.seed)
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".yaml") or f.endswith(".json") or f == META:
            os.remove(os.path.join(args.out, f))
    groups = {}
    for ns in nss:
        groups.setdefault(ns.group, []).append(ns)
    ctx = {"groups": groups}
    all_ns = sys_ns + nss

    nsw = write_namespaces(args.out, rng, all_ns, args.format)

    ww = ListWriter(args.out, "pods" if args.pods_mode else "workloads", 20000 if args.pods_mode else 10000,
                    args.format)
    ipgen = IPGen(nodes)
    npods = nworkloads = 0
    for i, ns in enumerate(all_ns):
        out = []
        for wl in ns.workloads:
            if args.pods_mode:
                emit_pods(out, rng, ns, wl, ipgen)
                ww.write(out, wl.replicas)
                out = []
            else:
                emit_workload(out, rng, ns, wl)
            npods += wl.replicas
            nworkloads += 1
        if out:
            ww.write(out, len(ns.workloads))
        if i % 500 == 0:
            progress("gen: workloads %d/%d namespaces" % (i, len(all_ns)))
    ww.close()

    pw = ListWriter(args.out, "networkpolicies", 10000, args.format)
    budgets = spread(policies, [1 + min(len(ns.workloads), 12) for ns in nss])
    # egress isolation is a cluster-wide practice: on when the average
    # namespace can afford the egress allow rules
    egress_cluster = policies >= 6 * len(nss)
    nnp = 0
    egress_ns = 0
    for i, ns in enumerate(nss):
        makers, egress = ns_policies(ns, budgets[i], egress_cluster)
        ctx["egress"] = egress
        egress_ns += egress
        out = []
        for m in makers:
            m(out, rng, ns, ctx)
        if makers:
            pw.write(out, len(makers))
        nnp += len(makers)
        if i % 500 == 0:
            progress("gen: policies %d/%d namespaces" % (i, len(nss)))
    pw.close()

    aw = ListWriter(args.out, "admin-policies", 1000, args.format)
    out = []
    nadmin = emit_admin(out)
    aw.write(out, nadmin)
    aw.close()
    progress("")
    if sys.stderr.isatty():
        sys.stderr.write("\r")

    files = sorted(nsw.files + ww.files + pw.files + aw.files)
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in files)
    meta = {
        "size": args.size or "custom",
        "seed": args.seed,
        "mode": "pods" if args.pods_mode else "workloads",
        "format": args.format,
        "namespaces": len(all_ns),
        "pods": npods,
        "workloads": nworkloads,
        "nodes": nodes,
        "networkpolicies": nnp,
        "admin_policies": nadmin,
        "policies": nnp + nadmin,
        "egress_isolated_namespaces": egress_ns,
        "files": files,
        "bytes": total,
    }
    with open(os.path.join(args.out, META), "w") as f:
        json.dump(meta, f, sort_keys=True)
        f.write("\n")
    return meta


# ------------------------------------------------------------------ shapes

# Profiles: cluster shapes other than the default one, each built on the same
# simple model: namespaces of 20 bare Pods (ten apps, two pods each, with IPs
# and named ports), `env` alternating prod/dev, teams of eight namespaces.
# Each profile is a policy pattern whose connection list stays linear in the
# cluster while naive analysis is not (see bench/README.md).
PROFILE_APPS = [  # app, tier, ports
    ("web", "frontend", [("http", 8080, "TCP"), ("metrics", 9090, "TCP")]),
    ("gateway", "frontend", [("https", 8443, "TCP"), ("metrics", 9090, "TCP")]),
    ("api", "backend", [("http", 8080, "TCP"), ("grpc", 9000, "TCP")]),
    ("auth", "backend", [("http", 8080, "TCP"), ("grpc", 9000, "TCP")]),
    ("worker", "backend", [("http", 8080, "TCP")]),
    ("search", "backend", [("http", 9200, "TCP"), ("transport", 9300, "TCP")]),
    ("db", "data", [("postgres", 5432, "TCP")]),
    ("cache", "data", [("redis", 6379, "TCP")]),
    ("queue", "data", [("amqp", 5672, "TCP")]),
    ("media", "data", [("http", 8080, "TCP"), ("rtp", 10000, "UDP")]),
]
PODS_PER_NS = 20
IN_VALUES = 50  # in-selectors: namespace names per In list
CALLER = {"backend": "frontend", "data": "backend"}
PROFILES = {
    "wide-selectors": "each app admits the frontends of every namespace of an env (namespaceSelector {env: X}) on TCP; every pod may send UDP 53 to every namespace",
    "dns-all": "every pod may send DNS (UDP and TCP 53) to every pod of every namespace; ingress and other egress stay in the namespace",
    "nsselector-all": "every ingress rule has namespaceSelector {}: an app admits its calling tier from every namespace; egress stays in the namespace (plus UDP 53 anywhere)",
    "ipblock-excepts": "one egress ipBlock policy per app and namespace (a /16 with 50 excepts each): 5,000 policies at 20,000 pods",
    "admin-pass": "an AdminNetworkPolicy per team passes its own namespaces' traffic to the NetworkPolicies, the last one denies the rest; half the namespaces isolate ingress",
    "named-ports": "rules by named port only, the same name on different numbers in different pods (resolved per pod); frontends of a team reach its backends",
    "anp-deny-all": "hostile: no NetworkPolicy, one AdminNetworkPolicy denying every pod to pod flow",
    "in-selectors": "hostile: wide-selectors with the env selector written as matchExpressions In [50 namespaces of the env], a different list in every namespace",
    "ipblock-same-pods": "hostile: one namespace with pods/10 policies on podSelector {}, each an egress ipBlock with 5 excepts",
    "select-nothing": "hostile: every namespace admits namespaceSelector {} + a NotIn pod selector that selects nothing, distinct per namespace",
    "no-policies": "hostile: no policy at all: every pair connected (the report is pods squared)",
}


def prof_pod(out, rng, ns, app, tier, ports, i, ip, shift):
    name = "%s-%d" % (app, i)
    out.append("- apiVersion: v1\n  kind: Pod\n  metadata:\n")
    out.append("    creationTimestamp: \"%s\"\n    labels:\n      app: %s\n      tier: %s\n" %
               (ts(rng), app, tier))
    out.append("    name: %s\n    namespace: %s\n    resourceVersion: \"%d\"\n    uid: %s\n" %
               (name, ns.name, rng.randrange(1000, 9999999), uid(rng)))
    out.append("  spec:\n    containers:\n    - image: registry.example.com/%s:v1\n      name: %s\n"
               "      ports:\n" % (app, app))
    for pname, port, proto in ports:
        out.append("      - containerPort: %d\n        name: %s\n        protocol: %s\n" %
                   (port + shift, pname, proto))
    out.append("  status:\n    phase: Running\n    podIP: %s\n    podIPs:\n    - ip: %s\n" % (ip, ip))


def prof_np(out, rng, ns, name, pod_sel, types, ingress=None, egress=None):
    np_head(out, rng, name, ns)
    for key, rules in (("egress", egress), ("ingress", ingress)):
        if rules:
            out.append("    %s:\n" % key)
            for r in rules:
                out.append(r)
    sel(out, "    ", "podSelector", pod_sel)
    policy_types(out, types)


def rule(peer_key, peers, plist):
    """One rule: peers is a list of peer texts (each starting '- ')."""
    o = ["    - %s:\n" % peer_key]
    for p in peers:
        o.append(p)
    if plist:
        ports(o, "      ", plist)
    return "".join(o)


def peer_sel(ns_sel=None, pod_sel=None, ns_in=None, pod_expr=None):
    """A peer: namespaceSelector (labels, or In over names) and podSelector."""
    o = []
    first = "      - "
    if ns_sel is not None:
        sel(o, first, "namespaceSelector", ns_sel)
        first = "        "
    elif ns_in is not None:
        o.append("%snamespaceSelector:\n          matchExpressions:\n          - key: kubernetes.io/metadata.name\n"
                 "            operator: In\n            values:\n" % first)
        for n in ns_in:
            o.append("            - %s\n" % n)
        first = "        "
    if pod_expr is not None:
        key, op, values = pod_expr
        o.append("%spodSelector:\n          matchExpressions:\n          - key: %s\n            operator: %s\n"
                 "            values:\n" % (first, key, op))
        for v in values:
            o.append("            - %s\n" % q(v))
    elif pod_sel is not None or ns_sel is None and ns_in is None:
        sel(o, first, "podSelector", pod_sel or [])
    return "".join(o)


def ipblock_peer(cidr, excepts):
    o = ["      - ipBlock:\n          cidr: %s\n" % cidr]
    if excepts:
        o.append("          except:\n")
        for e in excepts:
            o.append("          - %s\n" % e)
    return "".join(o)


def cidr16(k, base=16):
    v = (base << 24) + (k << 16)
    return "%d.%d" % (v >> 24, (v >> 16) & 255)


def profile_policies(profile, out, rng, ns, nss, by_env, npods):
    """The NetworkPolicies of one namespace; returns how many."""
    n = 0
    same_ns_egress = rule("to", [peer_sel(pod_sel=[])], None)
    dns_any_ns = rule("to", [peer_sel(ns_sel=[])], [("UDP", 53, None)])
    deny = lambda types: prof_np(out, rng, ns, "default-deny", [], types)
    if profile in ("wide-selectors", "in-selectors", "nsselector-all"):
        deny(["Ingress", "Egress"])
        prof_np(out, rng, ns, "allow-dns-any-namespace", [], ["Egress"], egress=[dns_any_ns])
        prof_np(out, rng, ns, "allow-egress-same-namespace", [], ["Egress"], egress=[same_ns_egress])
        n += 3
        for app, tier, plist in PROFILE_APPS:
            if tier == "frontend":
                continue
            local = peer_sel(pod_sel=[("tier", CALLER[tier])])
            if profile == "wide-selectors":
                wide = peer_sel(ns_sel=[("env", ns.env)], pod_sel=[("tier", "frontend")])
            elif profile == "in-selectors":
                names = by_env[ns.env]
                at = names.index(ns.name)
                window = [names[(at + k) % len(names)] for k in range(min(IN_VALUES, len(names)))]
                wide = peer_sel(ns_in=sorted(window), pod_sel=[("tier", "frontend")])
            else:
                wide = peer_sel(ns_sel=[], pod_sel=[("tier", CALLER[tier])])
                local = None
            peers = [local, wide] if local else [wide]
            prof_np(out, rng, ns, "allow-%s-ingress" % app, [("app", app)], ["Ingress"],
                    ingress=[rule("from", peers, [("TCP", plist[0][1], None)])])
            n += 1
    elif profile == "dns-all":
        deny(["Ingress", "Egress"])
        prof_np(out, rng, ns, "allow-dns-everywhere", [], ["Egress"],
                egress=[rule("to", [peer_sel(ns_sel=[], pod_sel=[])], [("UDP", 53, None), ("TCP", 53, None)])])
        prof_np(out, rng, ns, "allow-egress-same-namespace", [], ["Egress"], egress=[same_ns_egress])
        prof_np(out, rng, ns, "allow-ingress-same-namespace", [], ["Ingress"],
                ingress=[rule("from", [peer_sel(pod_sel=[])], None)])
        n += 4
    elif profile == "ipblock-excepts":
        deny(["Egress"])
        prof_np(out, rng, ns, "allow-egress-same-namespace", [], ["Egress"], egress=[same_ns_egress])
        n += 2
        for j, (app, tier, plist) in enumerate(PROFILE_APPS[:5]):
            k = ns.index * 5 + j
            net = cidr16(k % 20000)
            ex = ["%s.%d.0/24" % (net, 5 * e) for e in range(50)]
            prof_np(out, rng, ns, "allow-%s-partners" % app, [("app", app)], ["Egress"],
                    egress=[rule("to", [ipblock_peer(net + ".0.0/16", ex)], [("TCP", 443, None)])])
            n += 1
    elif profile == "admin-pass":
        if ns.index % 2 == 0:
            deny(["Ingress"])
            prof_np(out, rng, ns, "allow-ingress-same-namespace", [], ["Ingress"],
                    ingress=[rule("from", [peer_sel(pod_sel=[])], None)])
            n += 2
    elif profile == "named-ports":
        deny(["Ingress", "Egress"])
        prof_np(out, rng, ns, "allow-egress-team-http", [("tier", "frontend")], ["Egress"],
                egress=[rule("to", [peer_sel(ns_sel=[("team", ns.team)], pod_sel=[("tier", "backend")])],
                             [("TCP", "http", None), ("TCP", "grpc", None)])])
        prof_np(out, rng, ns, "allow-backend-http", [("tier", "backend")], ["Ingress"],
                ingress=[rule("from", [peer_sel(ns_sel=[("team", ns.team)], pod_sel=[("tier", "frontend")])],
                              [("TCP", "http", None), ("TCP", "grpc", None)])])
        prof_np(out, rng, ns, "allow-egress-same-namespace", [], ["Egress"], egress=[same_ns_egress])
        n += 4
    elif profile == "ipblock-same-pods":
        deny(["Egress"])
        n += 1
        if ns.index == 0:
            for k in range(max(1, npods // 10)):
                net = cidr16(k % 20000)
                ex = ["%s.%d.0/24" % (net, 40 * e) for e in range(5)]
                prof_np(out, rng, ns, "allow-partner-%d" % k, [], ["Egress"],
                        egress=[rule("to", [ipblock_peer(net + ".0.0/16", ex)], [("TCP", 443, None)])])
                n += 1
    elif profile == "select-nothing":
        deny(["Ingress"])
        nothing = peer_sel(ns_sel=[], pod_expr=("tier", "NotIn", ["frontend", "backend", "data", ns.name]))
        prof_np(out, rng, ns, "allow-from-nothing", [], ["Ingress"],
                ingress=[rule("from", [nothing], [("TCP", 8080, None)])])
        prof_np(out, rng, ns, "allow-ingress-same-namespace", [], ["Ingress"],
                ingress=[rule("from", [peer_sel(pod_sel=[])], None)])
        n += 3
    return n


def profile_admin(profile, out, teams):
    n = 0
    if profile == "anp-deny-all":
        out.append("- apiVersion: policy.networking.k8s.io/v1alpha1\n  kind: AdminNetworkPolicy\n"
                   "  metadata:\n    name: deny-pod-to-pod\n  spec:\n"
                   "    egress:\n    - action: Deny\n      name: deny-to-pods\n      to:\n      - pods:\n"
                   "          namespaceSelector: {}\n          podSelector: {}\n"
                   "    ingress:\n    - action: Deny\n      from:\n      - namespaces: {}\n      name: deny-from-pods\n"
                   "    priority: 10\n    subject:\n      namespaces: {}\n")
        n += 1
    elif profile == "admin-pass":
        for i, team in enumerate(teams):
            out.append("- apiVersion: policy.networking.k8s.io/v1alpha1\n  kind: AdminNetworkPolicy\n"
                       "  metadata:\n    name: pass-team-%s\n  spec:\n"
                       "    egress:\n    - action: Pass\n      name: pass-to-team\n      to:\n      - namespaces:\n"
                       "          matchLabels:\n            team: %s\n"
                       "    ingress:\n    - action: Pass\n      from:\n      - namespaces:\n"
                       "          matchLabels:\n            team: %s\n      name: pass-from-team\n"
                       "    priority: %d\n    subject:\n      namespaces:\n        matchLabels:\n"
                       "          team: %s\n" % (team, team, team, i % 999, team))
            n += 1
        out.append("- apiVersion: policy.networking.k8s.io/v1alpha1\n  kind: AdminNetworkPolicy\n"
                   "  metadata:\n    name: deny-other-teams\n  spec:\n"
                   "    egress:\n    - action: Deny\n      name: deny-to-namespaces\n      to:\n      - namespaces: {}\n"
                   "    ingress:\n    - action: Deny\n      from:\n      - namespaces: {}\n      name: deny-from-namespaces\n"
                   "    priority: 1000\n    subject:\n      namespaces: {}\n")
        out.append("- apiVersion: policy.networking.k8s.io/v1alpha1\n  kind: BaselineAdminNetworkPolicy\n"
                   "  metadata:\n    name: default\n  spec:\n"
                   "    ingress:\n    - action: Deny\n      from:\n      - namespaces:\n          matchLabels:\n"
                   "            env: dev\n      name: baseline-deny-from-dev\n"
                   "    subject:\n      namespaces:\n        matchLabels:\n          env: prod\n")
        n += 2
    return n


def generate_profile(args):
    rng = random.Random(args.seed)
    nns = max(1, args.namespaces or args.pods // PODS_PER_NS)
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".yaml") or f.endswith(".json") or f == META:
            os.remove(os.path.join(args.out, f))
    nss = []
    for i in range(nns):
        group = i // TEAM_SIZE
        team = "team-%04d" % group
        nss.append(Namespace(i, "%s-%s-%05d" % (team, PURPOSES[i % len(PURPOSES)], i), team,
                             ("prod", "dev")[i % 2], group))
    by_env = {}
    for ns in nss:
        by_env.setdefault(ns.env, []).append(ns.name)
    nsw = write_namespaces(args.out, rng, nss, args.format)
    pw = ListWriter(args.out, "pods", 20000, args.format)
    ipgen = IPGen(1)
    npods = 0
    for ns in nss:
        o = []
        for i in range(PODS_PER_NS):
            app, tier, plist = PROFILE_APPS[i // 2]
            shift = (ns.index + i) % 2 if args.profile == "named-ports" else 0
            prof_pod(o, rng, ns, app, tier, plist, i % 2, ipgen.next(), shift)
            npods += 1
        pw.write(o, PODS_PER_NS)
    pw.close()
    npw = ListWriter(args.out, "networkpolicies", 10000, args.format)
    nnp = 0
    for ns in nss:
        o = []
        k = profile_policies(args.profile, o, rng, ns, nss, by_env, args.pods)
        if k:
            npw.write(o, k)
        nnp += k
    npw.close()
    aw = ListWriter(args.out, "admin-policies", 1000, args.format)
    o = []
    teams = sorted(set(ns.team for ns in nss))
    nadmin = profile_admin(args.profile, o, teams)
    if nadmin:
        aw.write(o, nadmin)
    aw.close()
    files = sorted(nsw.files + pw.files + npw.files + aw.files)
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in files)
    meta = {"size": "%s-%d" % (args.profile, npods), "profile": args.profile, "seed": args.seed,
            "mode": "pods", "namespaces": len(nss), "pods": npods, "workloads": npods, "nodes": 1,
            "networkpolicies": nnp, "admin_policies": nadmin, "policies": nnp + nadmin,
            "egress_isolated_namespaces": 0, "files": files, "bytes": total}
    with open(os.path.join(args.out, META), "w") as f:
        json.dump(meta, f, sort_keys=True)
        f.write("\n")
    return meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), help="a named size")
    ap.add_argument("--pods", type=int)
    ap.add_argument("--namespaces", type=int)
    ap.add_argument("--policies", type=int, help="NetworkPolicies (admin-tier objects come on top)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pods-mode", action="store_true",
                    help="emit Pods (as `kubectl get pods -A -o yaml`) instead of workloads")
    ap.add_argument("--profile", choices=sorted(PROFILES),
                    help="a cluster shape other than the default (with --pods; see bench/README.md)")
    ap.add_argument("--format", choices=["yaml", "json"], default="yaml",
                    help="yaml as `kubectl get -A -o yaml`, or json as `kubectl get -A -o json`")
    ap.add_argument("--out", required=True, help="output folder (its .yaml and .json files are replaced)")
    args = ap.parse_args()
    if args.profile:
        if not args.pods or args.pods < PODS_PER_NS:
            ap.error("--profile needs --pods (at least %d)" % PODS_PER_NS)
        t0 = time.time()
        meta = generate_profile(args)
        sys.stderr.write("gen: %s: profile %s, %d namespaces, %d pods, %d policies, %.1f MB in %.1fs\n" %
                         (args.out, args.profile, meta["namespaces"], meta["pods"], meta["policies"],
                          meta["bytes"] / 1e6, time.time() - t0))
        return
    if args.size:
        p, n, pol = SIZES[args.size]
        args.pods = args.pods or p
        args.namespaces = args.namespaces or n
        args.policies = args.policies if args.policies is not None else pol
    if not (args.pods and args.namespaces and args.policies is not None):
        ap.error("give --size or all of --pods, --namespaces, --policies")
    if args.namespaces <= len(SYSTEM_NS) or args.pods < args.namespaces:
        ap.error("need more than %d namespaces and at least one pod per namespace" % len(SYSTEM_NS))
    t0 = time.time()
    meta = generate(args)
    sys.stderr.write("gen: %s: %d namespaces, %d pods in %d workloads, %d policies, %d files, "
                     "%.1f MB in %.1fs\n" % (args.out, meta["namespaces"], meta["pods"], meta["workloads"],
                                              meta["policies"], len(meta["files"]), meta["bytes"] / 1e6,
                                              time.time() - t0))


if __name__ == "__main__":
    main()
