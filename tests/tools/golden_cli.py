#!/usr/bin/python3
"""Golden tests of the command line: each case is a folder holding `cmd`
(the arguments after `netpolc`, shell-quoted, paths relative to the case
folder), its inputs, and the expected `stdout`, `stderr` and `status`.
netpolc runs in the case folder, so positions in messages are relative.

usage: golden_cli.py NETPOLC DIR... [--update]
Compares every case under each DIR; --update (or NETPOLC_REGEN=1 in the
environment, the switch every golden suite honours) rewrites the
expectations.
"""
import os
import shlex
import subprocess
import sys


def run_case(netpolc, case, update):
    with open(os.path.join(case, "cmd")) as f:
        args = shlex.split(f.read())
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([netpolc] + args, cwd=case, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    got = {"stdout": p.stdout, "stderr": p.stderr, "status": b"%d\n" % p.returncode}
    if update:
        for k, v in got.items():
            with open(os.path.join(case, k), "wb") as f:
                f.write(v)
        return []
    bad = []
    for k, v in got.items():
        path = os.path.join(case, k)
        want = open(path, "rb").read() if os.path.exists(path) else b""
        if want != v:
            bad.append("%s: %s differs\n--- want\n%s\n--- got\n%s" % (
                case, k, want.decode(errors="replace"), v.decode(errors="replace")))
    if p.returncode not in (0, 1, 2):
        bad.append("%s: crashed with status %d" % (case, p.returncode))
    return bad


def main(argv):
    update = "--update" in argv or os.environ.get("NETPOLC_REGEN") == "1"
    argv = [a for a in argv if a != "--update"]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    netpolc = os.path.abspath(argv[1])
    cases = []
    for d in argv[2:]:
        for name in sorted(os.listdir(d)):
            if os.path.exists(os.path.join(d, name, "cmd")):
                cases.append(os.path.join(d, name))
    failures = []
    for c in cases:
        failures += run_case(netpolc, c, update)
    for f in failures:
        print(f)
    print("%d of %d golden cases agree" % (len(cases) - len(failures), len(cases)))
    return 1 if failures or not cases else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
