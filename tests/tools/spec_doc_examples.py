#!/usr/bin/python3
"""The YAML examples of docs/spec.md run.

usage: spec_doc_examples.py --bin NETPOLC --root REPO

The first ```yaml block of the document is the shape of a whole spec (its
`{...}` and `[...]` placeholders read as empty); every other ```yaml block is
a fragment of `spec`. The fragments are merged into the shape (mappings
merged key by key, lists joined; a key given twice with different scalars
is an error) and the result must render and give a docs table: once with
the options' defaults, once with every bool option true. Every rendered
object must validate with schema_check.py. So a doc example that the loader
rejects, or that does not fit with the others, fails this test.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import schema_check  # noqa: E402


def blocks(text):
    return re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)


def merge(into, frag, path):
    for k, v in frag.items():
        where = f"{path}.{k}"
        if k not in into:
            into[k] = v
        elif isinstance(into[k], dict) and isinstance(v, dict):
            merge(into[k], v, where)
        elif isinstance(into[k], list) and isinstance(v, list):
            into[k].extend(v)
        elif into[k] != v:
            raise ValueError(f"{where}: given as {into[k]!r} and as {v!r}")


def run(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--root", required=True)
    a = ap.parse_args(argv)
    with open(os.path.join(a.root, "docs", "spec.md")) as f:
        found = blocks(f.read())
    if len(found) < 2:
        print("docs/spec.md: expected a shape block and fragments")
        return 1
    shape = found[0].replace("{...}", "{}").replace("[...]", "[]")
    doc = yaml.safe_load(shape)
    if not isinstance(doc, dict) or "spec" not in doc:
        print("docs/spec.md: the first yaml block is not a whole spec")
        return 1
    for i, b in enumerate(found[1:], 2):
        frag = yaml.safe_load(b)
        if not isinstance(frag, dict):
            print(f"docs/spec.md: yaml block {i} is not a mapping")
            return 1
        try:
            merge(doc["spec"], frag, "spec")
        except ValueError as e:
            print(f"docs/spec.md: yaml block {i}: {e}")
            return 1
    bools = [name for name, o in doc["spec"].get("options", {}).items()
             if isinstance(o, dict) and o.get("type") == "bool"]
    all_true = [x for name in bools for x in ("--set", f"{name}=true")]
    failures = []
    schemas = schema_check.Schemas(schema_check.DEFAULT_SCHEMAS)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "spec-doc.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(doc, f, sort_keys=False)
        rendered_any = False
        for extra in ([], all_true):
            for verb in (["render"], ["docs"]):
                rc, out, err = run(a.bin, verb + [path] + extra)
                label = " ".join(verb + extra) or verb[0]
                if rc != 0:
                    failures.append(f"{label}: exit {rc}\n{err}")
                    continue
                if verb == ["render"] and out.strip():
                    rendered_any = True
                    docs = list(yaml.safe_load_all(out))
                    problems = []
                    for obj in schema_check.objects(docs):
                        problems += schema_check.check_object(obj, schemas)
                    failures += [f"{label}: {p}" for p in problems]
        if not rendered_any:
            failures.append("no run rendered any object")
        if failures:
            print("\n".join(failures))
            with open(path) as f:
                print("--- the assembled spec:\n" + f.read())
            return 1
    print(f"{len(found)} yaml blocks of docs/spec.md render")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
