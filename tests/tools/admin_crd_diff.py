#!/usr/bin/python3
"""Differential test of the admin-policy loaders against the official CRD
schemas: netpolc must accept exactly the AdminNetworkPolicy,
BaselineAdminNetworkPolicy and ClusterNetworkPolicy objects the API server
accepts.

Starting from the valid policies of the network-policy-api conformance
suites, every node of `spec` is mutated in turn (deleted; replaced by a value
of another type; an unknown field added; an object emptied; a one-of object
given a second field; a list emptied or grown past maxItems; integers set to
boundary values; strings set to an unlisted word). Each variant is judged by
the oracle — the CRD's openAPIV3Schema (experimental channel, the superset)
with defaults applied, unknown fields forbidden as strict field validation
does, plus its CEL rules (isCIDR, start < end, no named ports with
networks/nodes/domainNames peers) — and by `netpolc connlist FILE` (exit 0
accepted, 2 rejected with an NPC2xx error at a position).

Deliberate differences are classified, counted and listed, not failed:
  lenient  `pods` without podSelector/namespaceSelector: the API requires
           them; netpolc reads them as empty with a warning, as Go clients
           and np-guard do.
  strict   a protocol other than TCP/UDP/SCTP (the v1alpha1 CRD has no
           enum) and a v1alpha1 portRange with start > end (matches no
           port): netpolc rejects both.
Label selector contents are not mutated (validated like built-in objects'
selectors, a shared component with its own tests).
Prints "<file>: N/M variants agree" and exits 1 on an unexpected difference.
"""
import argparse
import copy
import ipaddress
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

WORKLOAD = ("apiVersion: v1\nkind: Pod\n"
            "metadata: {name: probe, namespace: default, labels: {app: probe}}\n")

CRDS = {
    "AdminNetworkPolicy": "v1alpha1-v0.1.8/experimental/"
                          "policy.networking.k8s.io_adminnetworkpolicies.yaml",
    "BaselineAdminNetworkPolicy": "v1alpha1-v0.1.8/experimental/"
                                  "policy.networking.k8s.io_baselineadminnetworkpolicies.yaml",
    "ClusterNetworkPolicy": "v1alpha2-HEAD/experimental/"
                            "policy.networking.k8s.io_clusternetworkpolicies.yaml",
}

# Representative valid policies (every peer kind, port shape and action).
SEEDS = [
    "v1alpha1-anp-banp/base/admin_network_policy/standard-gress-rules-combined.yaml",
    "v1alpha1-anp-banp/base/admin_network_policy/standard-egress-inline-cidr-rules.yaml",
    "v1alpha1-anp-banp/base/admin_network_policy/experimental-egress-selector-rules.yaml",
    "v1alpha1-anp-banp/base/baseline_admin_network_policy/standard-ingress-tcp-rules.yaml",
    "v1alpha1-anp-banp/base/baseline_admin_network_policy/experimental-egress-selector-rules.yaml",
    "v1alpha2-clusternetworkpolicy/base/admin_tier/standard-gress-rules-combined.yaml",
    "v1alpha2-clusternetworkpolicy/base/admin_tier/standard-egress-inline-cidr-rules.yaml",
    "v1alpha2-clusternetworkpolicy/base/admin_tier/experimental-egress-selector-rules.yaml",
    "v1alpha2-clusternetworkpolicy/base/baseline_tier/standard-ingress-udp-rules.yaml",
]

SELECTOR_KEYS = {"matchLabels", "matchExpressions"}


def strict_schema(s):
    """The CRD schema with unknown fields forbidden (kubectl's default strict
    field validation) and the Kubernetes extensions dropped."""
    if isinstance(s, dict):
        out = {k: strict_schema(v) for k, v in s.items() if not k.startswith("x-kubernetes")}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(s, list):
        return [strict_schema(v) for v in s]
    return s


def apply_defaults(inst, s):
    if isinstance(inst, dict) and isinstance(s, dict):
        for k, ps in (s.get("properties") or {}).items():
            if k not in inst and "default" in ps:
                inst[k] = copy.deepcopy(ps["default"])
            if k in inst:
                apply_defaults(inst[k], ps)
    elif isinstance(inst, list) and isinstance(s, dict) and "items" in s:
        for x in inst:
            apply_defaults(x, s["items"])


def cel_errors(obj):
    """The CRDs' x-kubernetes-validations, by hand."""
    errs = []
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    for direction, key, ports_key in (("ingress", "from", None), ("egress", "to", None)):
        rules = spec.get(direction)
        if not isinstance(rules, list):
            continue
        for r in rules:
            if not isinstance(r, dict):
                continue
            peers = r.get(key) if isinstance(r.get(key), list) else []
            ip_like = any(isinstance(p, dict) and
                          any(k in p for k in ("networks", "nodes", "domainNames"))
                          for p in peers)
            for p in peers:
                nets = p.get("networks") if isinstance(p, dict) else None
                for n in nets if isinstance(nets, list) else []:
                    if not isinstance(n, str) or "/" not in n:
                        errs.append("isCIDR")
                        continue
                    try:
                        ipaddress.ip_network(n, strict=False)
                    except ValueError:
                        errs.append("isCIDR")
            for pk in ("ports", "protocols"):
                ports = r.get(pk) if isinstance(r.get(pk), list) else []
                for port in ports:
                    if not isinstance(port, dict):
                        continue
                    if ip_like and ("namedPort" in port or "destinationNamedPort" in port):
                        errs.append("named port with networks/nodes/domainNames")
                    for proto in ("tcp", "udp", "sctp"):
                        dp = port.get(proto, {}) if isinstance(port.get(proto), dict) else {}
                        dp = dp.get("destinationPort")
                        rng = dp.get("range") if isinstance(dp, dict) else None
                        if isinstance(rng, dict) and isinstance(rng.get("start"), int) and \
                                isinstance(rng.get("end"), int) and rng["start"] >= rng["end"]:
                            errs.append("start < end")
    return errs


_validators = {}


def api_accepts(obj, schema):
    inst = copy.deepcopy(obj)
    apply_defaults(inst, schema)
    v = _validators.get(id(schema))
    if v is None:
        v = _validators[id(schema)] = jsonschema.validators.validator_for(schema)(schema)
    return v.is_valid(inst) and not cel_errors(inst)


# ------------------------------------------------------------ mutations

def walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            if k in SELECTOR_KEYS:
                continue
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def get(root, path):
    for p in path:
        root = root[p]
    return root


def schema_at(schema, path):
    s = schema
    for p in path:
        s = s["items"] if isinstance(p, int) else (s.get("properties") or {}).get(p, {})
    return s


def mutations(obj, schema):
    """(description, variant) pairs."""
    spec = obj["spec"]
    for path, node in walk(spec):
        full = ("spec",) + path
        s = schema_at(schema, full)

        def variant(fn, what):
            v = copy.deepcopy(obj)
            parent = get(v, full[:-1]) if path else None
            fn(v, parent, full[-1] if path else None)
            return ("%s at %s" % (what, ".".join(map(str, full))), v)

        if path:
            def delete(v, parent, key):
                del parent[key]
            yield variant(delete, "delete")

            def retype(v, parent, key):
                cur = parent[key]
                parent[key] = 7 if isinstance(cur, (str, dict, list)) else "seven"
            yield variant(retype, "wrong type")
        if isinstance(node, dict):
            def unknown(v, parent, key):
                get(v, full)["bogusField"] = 1
            yield variant(unknown, "unknown field")
            if node:
                def empty(v, parent, key):
                    get(v, full).clear()
                yield variant(empty, "empty object")
            props = list((s.get("properties") or {}).keys())
            if s.get("maxProperties") == 1 and len(props) > 1:
                other = next(p for p in props if p not in node)

                def second(v, parent, key, other=other):
                    get(v, full)[other] = {}
                yield variant(second, "second one-of field '%s'" % other)
        elif isinstance(node, list):
            def empty_list(v, parent, key):
                get(v, full).clear()
            yield variant(empty_list, "empty list")
            if "maxItems" in s and node:
                def grow(v, parent, key, n=s["maxItems"] + 1):
                    lst = get(v, full)
                    lst[:] = [copy.deepcopy(lst[i % len(lst)]) for i in range(n)]
                yield variant(grow, "list of maxItems+1")
        elif isinstance(node, bool):
            pass
        elif isinstance(node, int) and path:
            for val in sorted({-1, 0, 1, 1000, 1001, 65535, 65536}):
                def setv(v, parent, key, val=val):
                    parent[key] = val
                yield variant(setv, "value %d" % val)
        elif isinstance(node, str) and path:
            def word(v, parent, key):
                parent[key] = "Bogus"
            yield variant(word, "unlisted word")


def classify(desc, variant, path_str):
    """A known, deliberate difference for this variant, or None."""
    if desc.startswith("delete at ") and (path_str.endswith(".podSelector") or
                                         path_str.endswith(".namespaceSelector")):
        return "lenient: missing selector read as empty"
    if desc.startswith("empty object at ") and path_str.endswith(".pods"):
        return "lenient: missing selector read as empty"
    if path_str.endswith(".protocol") and desc.startswith("unlisted word"):
        return "strict: protocol other than TCP/UDP/SCTP"
    if ".portRange." in path_str and desc.startswith("value "):
        return "strict: v1alpha1 portRange with start > end"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--netpolc", required=True)
    ap.add_argument("--corpus", required=True, help="the corpora folder (../shared/corpora)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    schemas = {}
    for kind, rel in CRDS.items():
        with open(os.path.join(args.corpus, "schemas", "network-policy-api", rel),
                  encoding="utf-8") as f:
            crd = yaml.safe_load(f)
        schemas[kind] = strict_schema(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"])
        # metadata is the API machinery's; only spec is compared here
        schemas[kind]["properties"]["metadata"] = {"type": "object"}

    work = tempfile.mkdtemp(prefix="crd-diff-")
    unexpected, known, total, agree = [], {}, 0, 0
    try:
        for seed in SEEDS:
            with open(os.path.join(args.corpus, "network-policy-api-conformance", seed),
                      encoding="utf-8") as f:
                # the suite's host-network port template (34345..)
                text = re.sub(r"\{\{\s*index\s+\.HostNetworkPorts\s+(\d+)\s*\}\}",
                              lambda m: str(34345 + int(m.group(1))), f.read())
                objs = [o for o in yaml.safe_load_all(text) if o]
            n_seed = a_seed = 0
            for oi, obj in enumerate(objs):
                schema = schemas[obj["kind"]]
                if not api_accepts(obj, schema):
                    unexpected.append("%s: seed object %d is not valid" % (seed, oi))
                    continue
                seen = set()
                for desc, variant in mutations(obj, schema):
                    path_str = desc.split(" at ", 1)[1]
                    # one variant per mutation and place in the schema (list
                    # positions aside): the same check at rule 3 as at rule 0
                    # adds time, not coverage
                    shape = (desc.split(" at ", 1)[0],
                             re.sub(r"\.\d+(?=\.|$)", ".*", path_str))
                    if shape in seen:
                        continue
                    seen.add(shape)
                    want = api_accepts(variant, schema)
                    path = os.path.join(work, "v.yaml")
                    with open(path, "w", encoding="utf-8") as f:
                        yaml.safe_dump(variant, f, sort_keys=False)
                        # one workload, so that connlist has something to
                        # analyse (an input without any is refused, NPC225)
                        f.write("---\n" + WORKLOAD)
                    r = subprocess.run([args.netpolc, "connlist", path], capture_output=True,
                                       text=True, timeout=60)
                    if r.returncode not in (0, 2):
                        unexpected.append("%s [%s]: netpolc exit %d: %s" % (
                            seed, desc, r.returncode, r.stderr.strip()))
                        continue
                    got = r.returncode == 0
                    if not got and "error[NPC2" not in r.stderr:
                        unexpected.append("%s [%s]: rejected without an NPC2xx error: %s" % (
                            seed, desc, r.stderr.strip()))
                        continue
                    total += 1
                    n_seed += 1
                    if got == want:
                        agree += 1
                        a_seed += 1
                        continue
                    why = classify(desc, variant, path_str)
                    line = "%s [%s]: API %s, netpolc %s" % (
                        seed, desc, "accepts" if want else "rejects",
                        "accepts" if got else "rejects: " + next(
                            (ln for ln in r.stderr.split("\n") if "error[" in ln), ""))
                    if why:
                        known.setdefault(why, []).append(line)
                    else:
                        unexpected.append(line)
            print("%s: %d/%d variants agree" % (seed, a_seed, n_seed))
    finally:
        for f in os.listdir(work):
            os.unlink(os.path.join(work, f))
        os.rmdir(work)
    for why, lines in sorted(known.items()):
        print("known difference (%d) %s" % (len(lines), why))
        if args.verbose:
            for ln in lines:
                print("  " + ln)
    for u in unexpected:
        print("UNEXPECTED " + u)
    nknown = sum(len(v) for v in known.values())
    print("admin CRD differential: %d/%d variants agree with the API, %d known differences, "
          "%d unexpected" % (agree, total, nknown, len(unexpected)))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
