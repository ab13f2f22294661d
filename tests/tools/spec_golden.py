#!/usr/bin/python3
"""Golden tests of the traffic spec verbs (render, docs).

usage:
  spec_golden.py --bin NETPOLC --root REPO case tests/golden/spec/EXAMPLE/COMBO.args
  spec_golden.py --bin NETPOLC --root REPO error tests/golden/spec/errors/CASE.yaml
  spec_golden.py --root REPO codes

case:  renders examples/EXAMPLE.yaml (or spec.yaml in the case's folder) with the arguments in COMBO.args (one
       shell-quoted line; '#' lines are comments) and compares with
       COMBO.yaml, then checks that a second run is byte-identical, that
       `-o json` carries the same objects, that every object validates with
       schema_check.py, renders it for every engine of EXTRA_ENGINES too
       (COMBO.<engine>.yaml, idempotent, schema-valid), and compares `docs`
       with COMBO.md and COMBO.csv.
error: runs `render` on a bad spec (extra arguments in CASE.args) and
       expects exit status 2, nothing on stdout and CASE.err on stderr.
codes: every code of src/util/codes.def appears in docs/diagnostics.md.

With NETPOLC_REGEN=1 the expected files are (re)written instead.
"""
import os
import re
import shlex
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import schema_check  # noqa: E402

REGEN = os.environ.get("NETPOLC_REGEN") == "1"

# Engines besides the spec's own, each compared with COMBO.<engine>.yaml.
EXTRA_ENGINES = ("clusterNetworkPolicy", "cilium", "calico")


def run(binary, root, args):
    env = dict(os.environ)
    env.pop("NETPOLC_COLOR", None)
    p = subprocess.run([binary] + args, cwd=root, capture_output=True, env=env, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def expect(path, actual, failures):
    if REGEN:
        with open(path, "w") as f:
            f.write(actual)
        return
    try:
        with open(path) as f:
            want = f.read()
    except OSError:
        failures.append(f"{path}: missing (run with NETPOLC_REGEN=1)")
        return
    if want != actual:
        import difflib
        diff = "".join(difflib.unified_diff(want.splitlines(True), actual.splitlines(True),
                                            path, "actual", n=2))
        failures.append(f"{path}: differs\n{diff}")


def read_args(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return shlex.split(" ".join(lines))


def case(binary, root, args_file):
    failures = []
    args_file = os.path.relpath(os.path.join(root, args_file) if not os.path.isabs(args_file) else args_file, root)
    base = args_file[: -len(".args")]
    example = os.path.basename(os.path.dirname(args_file))
    spec = os.path.join("examples", example + ".yaml")
    local = os.path.join(os.path.dirname(args_file), "spec.yaml")
    if os.path.exists(os.path.join(root, local)):
        spec = local  # a test-only spec next to its combinations
    args = read_args(os.path.join(root, args_file))
    rc, out, err = run(binary, root, ["render", spec] + args)
    if rc != 0:
        return [f"render exited {rc}: {err}"]
    expect(os.path.join(root, base + ".yaml"), out, failures)
    rc2, out2, _ = run(binary, root, ["render", spec] + args)
    if rc2 != 0 or out2 != out:
        failures.append("render is not idempotent: a second run differs")
    rc, js, err = run(binary, root, ["render", spec, "--format", "json"] + args)
    if rc != 0:
        failures.append(f"render --format json exited {rc}: {err}")
    else:
        lst = yaml.safe_load(js)
        docs = [d for d in yaml.safe_load_all(out) if d is not None]
        if not isinstance(lst, dict) or lst.get("kind") != "List" or lst.get("apiVersion") != "v1":
            failures.append("JSON output is not a v1 List")
        elif lst.get("items") != docs:
            failures.append("JSON and YAML outputs carry different objects")
        schemas = schema_check.Schemas(schema_check.DEFAULT_SCHEMAS)
        for label, objs in (("yaml", docs), ("json", list(schema_check.objects([lst])))):
            for i, obj in enumerate(objs):
                for e in schema_check.check_object(obj, schemas):
                    failures.append(f"schema ({label} object {i}): {e}")
    schemas = schema_check.Schemas(schema_check.DEFAULT_SCHEMAS)
    for engine in EXTRA_ENGINES:
        eargs = ["render", spec, "--engine", engine] + args
        rc, eout, err = run(binary, root, eargs)
        if rc != 0:
            failures.append(f"render --engine {engine} exited {rc}: {err}")
            continue
        expect(os.path.join(root, base + "." + engine + ".yaml"), eout, failures)
        rc2, eout2, _ = run(binary, root, eargs)
        if rc2 != 0 or eout2 != eout:
            failures.append(f"render --engine {engine} is not idempotent: a second run differs")
        for i, obj in enumerate(d for d in yaml.safe_load_all(eout) if d is not None):
            for e in schema_check.check_object(obj, schemas):
                failures.append(f"schema ({engine} object {i}): {e}")
    for fmt in ("md", "csv"):
        rc, doc, err = run(binary, root, ["docs", spec, "--format", fmt] + args)
        if rc != 0:
            failures.append(f"docs --format {fmt} exited {rc}: {err}")
        else:
            expect(os.path.join(root, base + "." + fmt), doc, failures)
    return failures


def error(binary, root, spec_file):
    failures = []
    spec_file = os.path.relpath(os.path.join(root, spec_file) if not os.path.isabs(spec_file) else spec_file, root)
    base = spec_file[: -len(".yaml")]
    args = read_args(os.path.join(root, base + ".args"))
    rc, out, err = run(binary, root, ["render", spec_file] + args)
    if rc != 2:
        failures.append(f"exit status {rc}, expected 2")
    if out:
        failures.append(f"stdout is not empty:\n{out}")
    expect(os.path.join(root, base + ".err"), err, failures)
    return failures


def codes(root):
    failures = []
    with open(os.path.join(root, "docs", "diagnostics.md")) as f:
        doc = f.read()
    for def_file in ("src/util/codes.def",):
        with open(os.path.join(root, def_file)) as f:
            for code, summary in re.findall(r'NPC_CODE\((NPC\d+),\s*"([^"]*)"\)', f.read()):
                if not re.search(r"\b" + code + r"\b", doc):
                    failures.append(f"{code} ({summary}) from {def_file} is not in docs/diagnostics.md")
    return failures


def main(argv):
    binary, root = None, os.getcwd()
    args = argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--bin":
            binary = args[1]
        elif args[0] == "--root":
            root = args[1]
        args = args[2:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    mode = args[0]
    if mode == "case":
        failures = case(binary, root, args[1])
    elif mode == "error":
        failures = error(binary, root, args[1])
    elif mode == "codes":
        failures = codes(root)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
