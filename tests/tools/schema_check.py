#!/usr/bin/python3
"""Validate rendered policy objects against the official schemas.

usage: schema_check.py [--schemas DIR] FILE...   (FILE "-" reads stdin)

Every document of each YAML/JSON stream (and every item of a `List`) is
validated by apiVersion/kind against the schemas in DIR (default
../shared/corpora/schemas relative to the repository):

  networking.k8s.io/v1 NetworkPolicy   Kubernetes OpenAPI v3 document, $refs
                                       resolved to #/components/schemas
  cilium.io/v2 CiliumNetworkPolicy,    datreeio JSON schemas
    CiliumClusterwideNetworkPolicy
  projectcalico.org/v3 NetworkPolicy,  datreeio JSON schemas
    GlobalNetworkPolicy
  policy.networking.k8s.io/v1alpha2    the CRD's openAPIV3Schema
    ClusterNetworkPolicy

Objects in the Kubernetes and CRD schemas are made strict (unknown fields
are errors, as with `kubectl apply --validate=strict`), and checks that an
API server makes but a schema cannot state are added: metadata.name is
present and a DNS-1123 subdomain, namespaced kinds have a namespace, label
keys and values are valid, NetworkPolicy ports, endPort, protocols, CIDRs
and policyTypes are valid. Exit status 0 when every object is valid, 1
otherwise (each problem is printed), 2 on bad usage or unreadable input.
"""
import copy
import ipaddress
import json
import os
import re
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "corpora", "schemas"))

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

NAMESPACED = {
    ("networking.k8s.io/v1", "NetworkPolicy"): True,
    ("cilium.io/v2", "CiliumNetworkPolicy"): True,
    ("cilium.io/v2", "CiliumClusterwideNetworkPolicy"): False,
    ("projectcalico.org/v3", "NetworkPolicy"): True,
    ("projectcalico.org/v3", "GlobalNetworkPolicy"): False,
    ("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"): False,
}


def strict(schema):
    """Forbid unknown fields in every object schema that lists properties."""
    if isinstance(schema, dict):
        if ("properties" in schema and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
        for v in schema.values():
            strict(v)
    elif isinstance(schema, list):
        for v in schema:
            strict(v)
    return schema


class Schemas:
    def __init__(self, root):
        self.root = root
        self.cache = {}

    def _path(self, *parts):
        return os.path.join(self.root, *parts)

    def validator(self, api_version, kind):
        key = (api_version, kind)
        if key in self.cache:
            return self.cache[key]
        v = None
        if key == ("networking.k8s.io/v1", "NetworkPolicy"):
            with open(self._path("kubernetes", "apis__networking.k8s.io__v1_openapi.release-1.35.json")) as f:
                doc = json.load(f)
            comps = strict(copy.deepcopy(doc["components"]))
            schema = {"$ref": "#/components/schemas/io.k8s.api.networking.v1.NetworkPolicy",
                      "components": comps}
            v = jsonschema.Draft7Validator(schema)
        elif api_version == "cilium.io/v2" and kind in ("CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"):
            name = kind.lower() + "_v2.json"
            with open(self._path("cilium", "datreeio-jsonschema", name)) as f:
                v = jsonschema.Draft4Validator(json.load(f))
        elif api_version == "projectcalico.org/v3" and kind in ("NetworkPolicy", "GlobalNetworkPolicy"):
            name = kind.lower() + "_v3.json"
            with open(self._path("calico", "datreeio-jsonschema", name)) as f:
                v = jsonschema.Draft4Validator(json.load(f))
        elif key == ("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"):
            path = self._path("network-policy-api", "v1alpha2-HEAD", "standard",
                              "policy.networking.k8s.io_clusternetworkpolicies.yaml")
            with open(path) as f:
                crd = yaml.safe_load(f)
            for ver in crd["spec"]["versions"]:
                if ver["name"] == "v1alpha2":
                    schema = strict(copy.deepcopy(ver["schema"]["openAPIV3Schema"]))
                    # metadata is ObjectMeta, which CRD schemas leave open
                    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                    v = jsonschema.Draft7Validator(schema)
        self.cache[key] = v
        return v


def check_labels(labels, where, errors):
    if labels is None:
        return
    if not isinstance(labels, dict):
        errors.append(f"{where}: must be a mapping")
        return
    for k, v in labels.items():
        prefix, _, name = str(k).rpartition("/")
        if (prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix))) or \
                not name or len(name) > 63 or not LABEL_NAME.match(name):
            errors.append(f"{where}: invalid label key {k!r}")
        if not isinstance(v, str) or len(v) > 63 or not LABEL_NAME.match(v):
            errors.append(f"{where}: invalid label value {v!r} of {k!r}")


def check_selector(sel, where, errors):
    if not isinstance(sel, dict):
        return
    check_labels(sel.get("matchLabels"), where + ".matchLabels", errors)
    for i, e in enumerate(sel.get("matchExpressions") or []):
        op = e.get("operator")
        vals = e.get("values") or []
        if op in ("In", "NotIn") and not vals:
            errors.append(f"{where}.matchExpressions[{i}]: operator {op} needs values")
        elif op in ("Exists", "DoesNotExist") and vals:
            errors.append(f"{where}.matchExpressions[{i}]: operator {op} takes no values")
        elif op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            errors.append(f"{where}.matchExpressions[{i}]: invalid operator {op!r}")


def check_cidr(c, where, errors):
    try:
        return ipaddress.ip_network(c, strict=False)
    except (ValueError, TypeError):
        errors.append(f"{where}: invalid CIDR {c!r}")
        return None


def check_networkpolicy(obj, errors):
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        errors.append("spec: required")
        return
    if "podSelector" not in spec:
        errors.append("spec.podSelector: required")
    check_selector(spec.get("podSelector"), "spec.podSelector", errors)
    for t in spec.get("policyTypes") or []:
        if t not in ("Ingress", "Egress"):
            errors.append(f"spec.policyTypes: invalid value {t!r}")
    if len(set(spec.get("policyTypes") or [])) != len(spec.get("policyTypes") or []):
        errors.append("spec.policyTypes: duplicate value")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            where = f"spec.{direction}[{i}]"
            for j, port in enumerate(rule.get("ports") or []):
                pw = f"{where}.ports[{j}]"
                proto = port.get("protocol", "TCP")
                if proto not in ("TCP", "UDP", "SCTP"):
                    errors.append(f"{pw}.protocol: unsupported value {proto!r}")
                p = port.get("port")
                if isinstance(p, bool):
                    errors.append(f"{pw}.port: must be an integer or a name")
                elif isinstance(p, int) and not 1 <= p <= 65535:
                    errors.append(f"{pw}.port: {p} is not within 1-65535")
                elif isinstance(p, str) and (len(p) > 15 or not PORT_NAME.match(p)
                                             or not re.search("[a-z]", p) or "--" in p):
                    errors.append(f"{pw}.port: invalid port name {p!r}")
                if "endPort" in port:
                    ep = port["endPort"]
                    if not isinstance(p, int) or isinstance(p, bool):
                        errors.append(f"{pw}.endPort: needs a numeric port")
                    elif not isinstance(ep, int) or ep < p or ep > 65535:
                        errors.append(f"{pw}.endPort: must be within port-65535")
            for j, peer in enumerate(rule.get(peers_key) or []):
                qw = f"{where}.{peers_key}[{j}]"
                if not isinstance(peer, dict) or not peer:
                    errors.append(f"{qw}: must set ipBlock, podSelector or namespaceSelector")
                    continue
                if "ipBlock" in peer:
                    if len(peer) > 1:
                        errors.append(f"{qw}: ipBlock cannot be combined with selectors")
                    blk = peer["ipBlock"] or {}
                    net = check_cidr(blk.get("cidr"), f"{qw}.ipBlock.cidr", errors)
                    for k, ex in enumerate(blk.get("except") or []):
                        en = check_cidr(ex, f"{qw}.ipBlock.except[{k}]", errors)
                        if net and en and (en.version != net.version or not en.subnet_of(net)):
                            errors.append(f"{qw}.ipBlock.except[{k}]: {ex} is not within {blk.get('cidr')}")
                check_selector(peer.get("podSelector"), f"{qw}.podSelector", errors)
                check_selector(peer.get("namespaceSelector"), f"{qw}.namespaceSelector", errors)


def check_object(obj, schemas):
    """Returns the problems of one object (empty when valid)."""
    errors = []
    if not isinstance(obj, dict):
        return ["document is not a mapping"]
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    v = schemas.validator(api_version, kind)
    if v is None:
        return [f"no schema for apiVersion {api_version!r} kind {kind!r}"]
    for e in sorted(v.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        path = ".".join(str(p) for p in e.absolute_path) or "(root)"
        errors.append(f"{path}: {e.message}")
    md = obj.get("metadata")
    if not isinstance(md, dict) or not md.get("name"):
        errors.append("metadata.name: required")
    else:
        name = md["name"]
        if not isinstance(name, str) or len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
            errors.append(f"metadata.name: {name!r} is not a valid DNS-1123 subdomain")
        ns = md.get("namespace")
        if NAMESPACED.get((api_version, kind)):
            if not ns:
                errors.append("metadata.namespace: required for a namespaced kind")
            elif not isinstance(ns, str) or len(ns) > 63 or not DNS1123_LABEL.match(ns):
                errors.append(f"metadata.namespace: {ns!r} is not a valid DNS-1123 label")
        elif ns:
            errors.append(f"metadata.namespace: {kind} is cluster-scoped")
        check_labels(md.get("labels"), "metadata.labels", errors)
    if (api_version, kind) == ("networking.k8s.io/v1", "NetworkPolicy"):
        check_networkpolicy(obj, errors)
    return errors


def objects(docs):
    for d in docs:
        if d is None:
            continue
        if isinstance(d, dict) and d.get("kind") == "List" and d.get("apiVersion") == "v1":
            for item in d.get("items") or []:
                yield item
        else:
            yield d


def main(argv):
    args = argv[1:]
    root = DEFAULT_SCHEMAS
    if len(args) >= 2 and args[0] == "--schemas":
        root = args[1]
        args = args[2:]
    if not args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    schemas = Schemas(root)
    bad = 0
    count = 0
    for path in args:
        try:
            text = sys.stdin.read() if path == "-" else open(path).read()
            docs = list(yaml.safe_load_all(text))
        except (OSError, yaml.YAMLError) as e:
            print(f"{path}: cannot read: {e}", file=sys.stderr)
            return 2
        for i, obj in enumerate(objects(docs)):
            count += 1
            name = obj.get("metadata", {}).get("name") if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict) else None
            for e in check_object(obj, schemas):
                print(f"{path}: object {i} ({obj.get('kind') if isinstance(obj, dict) else '?'} {name}): {e}")
                bad += 1
    if bad:
        print(f"{bad} problem(s) in {count} object(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
