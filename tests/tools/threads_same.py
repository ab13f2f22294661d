#!/usr/bin/env python3
"""Reading a folder on several threads gives what one thread gives.

    threads_same.py NETPOLC WORKDIR

Writes folders of manifests that exercise every path of the reader (YAML
and JSON, multi-document streams, duplicate keys, syntax errors and invalid
UTF-8 in scanned files, lowering errors, enough errors to reach the error
limit, files before and after it), runs `netpolc connlist -v` on each with
NETPOLC_THREADS=1 and with 2, 3 and 8 threads, and compares exit status,
stdout and stderr byte for byte. Fails too when a folder does not show the
diagnostics it was written to provoke, so the comparison is not vacuous."""

import json
import os
import shutil
import subprocess
import sys


def ns(name):
    return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: t\n" % name


def pod(name, nsname, app, port=8080):
    return ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n"
            "    app: %s\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: %d\n"
            "      name: http\n" % (name, nsname, app, port))


def policy(name, nsname, app, port):
    return ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: %s\n"
            "  namespace: %s\nspec:\n  podSelector:\n    matchLabels:\n      app: %s\n"
            "  ingress:\n  - ports:\n    - port: %s\n" % (name, nsname, app, port))


def json_list(objs):
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}, indent=4) + "\n"


def write(folder, name, text, mode="w"):
    with open(os.path.join(folder, name), mode) as f:
        f.write(text)


def healthy(folder):
    write(folder, "00-ns.yaml", ns("a") + "---\n" + ns("b"))
    write(folder, "01-pods.yaml", "---\n".join(pod("p%d" % i, "ab"[i % 2], "app%d" % (i % 3))
                                               for i in range(12)))
    write(folder, "02-pods.json", json_list([
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "j%d" % i, "namespace": "a", "labels": {"app": "app%d" % i}},
         "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 9000 + i}]}]}}
        for i in range(5)]))
    write(folder, "03-policies.yaml", "---\n".join(policy("np%d" % i, "ab"[i % 2], "app%d" % (i % 3),
                                                          8080 + i % 2) for i in range(6)))
    write(folder, "04-mixed.yaml", pod("m1", "a", "x") + "---\nkind: Thing\napiVersion: x/v1\n---\n" +
          "just a string\n---\n" + policy("np-m", "a", "x", "http"))


def broken(folder):
    healthy(folder)
    write(folder, "05-dup.yaml", pod("d1", "a", "d") + "---\nkind: Pod\nkind: Pod\n---\n" + pod("d2", "b", "d"))
    write(folder, "06-syntax.yaml", pod("s1", "a", "s") + "---\nmetadata: [unclosed\n")
    write(folder, "07-bad.json", '{"apiVersion": "v1", "kind": "List", "items": [}\n')
    write(folder, "08-utf8.yaml", b"kind: Pod\nmetadata:\n  name: \xff\xfe\n", "wb")
    write(folder, "09-dup.json", '{"kind": "Pod", "kind": "Pod"}\n')
    # more duplicate keys than the error limit, in one file: the limit is
    # reached while parsing, then the file's errors become warnings
    write(folder, "10-dups.yaml", pod("e1", "a", "e") + "---\n" + "".join("k: %d\n" % i for i in range(25)))


def over_limit(folder):
    broken(folder)
    write(folder, "11-types.yaml", "apiVersion: v1\nkind: Pod\nmetadata: 7\n")
    for i in range(12):  # two lowering errors and a duplicate key each: past 20 errors
        write(folder, "2%02d-errors.yaml" % i,
              "apiVersion: v1\nkind: Pod\nmetadata: [1]\n---\napiVersion: v1\nkind: Namespace\n"
              "metadata: {}\n---\na: 1\na: 2\n---\n" + pod("late%d" % i, "a", "late"))


# (name, writer, text the run must show, text it must not show)
CASES = [("healthy", healthy, ["=>", "NPC210"], ["error["]),
         ("broken", broken, ["NPC008", "NPC218", "NPC009", "NPC001", "stopping after 20 errors", "=>"], ["10-dups.yaml:36:"]),
         ("over-limit", over_limit, ["NPC203", "209-errors.yaml"], ["210-errors.yaml", "=>"])]


def run(netpolc, folder, threads):
    env = dict(os.environ, NETPOLC_THREADS=str(threads))
    p = subprocess.run([netpolc, "connlist", "-v", folder], capture_output=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def main():
    netpolc, work = sys.argv[1], sys.argv[2]
    failures = 0
    for name, make, expect, absent in CASES:
        folder = os.path.join(work, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        make(folder)
        base = run(netpolc, folder, 1)
        shown = base[1].decode() + base[2].decode(errors="replace")
        for e in expect:
            if e not in shown:
                print("%s: expected %r in the output of one thread:\n%s" % (name, e, shown))
                failures += 1
        for e in absent:
            if e in shown:
                print("%s: did not expect %r in the output of one thread:\n%s" % (name, e, shown))
                failures += 1
        for threads in (2, 3, 8):
            got = run(netpolc, folder, threads)
            if got != base:
                print("%s: %d threads differ from one (status %d vs %d)\n--- one:\n%s\n--- %d:\n%s" % (
                    name, threads, got[0], base[0], base[2].decode(errors="replace"), threads,
                    got[2].decode(errors="replace")))
                failures += 1
        print("%s: status %d, %d bytes out, %d bytes of diagnostics, same on 1, 2, 3, 8 threads" %
              (name, base[0], len(base[1]), len(base[2])))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
