#!/usr/bin/python3
"""`connlist --explain` agrees with `connlist`: for every input folder, the
ports the explain report says are allowed for each pair (its "Allowed ..."
groups, and the pairs it lists as allowed by the system default) are
exactly the connections `connlist` lists for that pair.

The two reports come from different code (port-by-port explanations and
the set-based evaluation), so this checks one against the other on every
folder of the given corpora that netpolc accepts.

usage: explain_consistency.py NETPOLC DIR...
(each DIR: an input folder, or a folder of input folders)
"""
import concurrent.futures
import os
import re
import subprocess
import sys

PROTOS = ("TCP", "UDP", "SCTP")
FULL = [(1, 65535)]


def merge(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def normal(d):
    return {p: merge(v) for p, v in d.items() if v}


def parse_explain(text):
    """{(src, dst): {proto: ranges}} of the allowed ports."""
    res = {}
    for block in re.split(r"-{160}\n", text)[1:]:
        block = block.split("\n\n#")[0]
        m = re.match(r"Connections between (.*?) => (.*?):\n", block)
        conns = {}
        for line in block.split("\n"):
            g = re.match(r"\tAllowed (.*?) due to", line)
            if not g:
                continue
            for item in g.group(1).split(", "):
                if ":" not in item:
                    conns.setdefault(item, []).extend(FULL)
                    continue
                proto, ranges = item.split(":")
                for r in ranges.strip("[]").split(","):
                    a = r.split("-")
                    conns.setdefault(proto, []).append((int(a[0]), int(a[-1])))
        if conns:
            res[(m.group(1), m.group(2))] = normal(conns)
    marker = "# All Connections due to the system default (Allow all) #"
    if marker in text:
        for line in text.split(marker, 1)[1].split("\n"):
            if " => " in line:
                src, dst = line.split(" => ")
                res[(src, dst)] = {p: FULL for p in PROTOS}
    return res


def parse_connlist(text):
    res = {}
    for line in text.split("\n"):
        m = re.match(r"(\S+) => (\S+) : (.*)$", line)
        if not m:
            continue
        conns = {}
        if m.group(3) == "All Connections":
            conns = {p: list(FULL) for p in PROTOS}
        else:
            proto = None
            for tok in m.group(3).split(","):
                if " " in tok:
                    proto, tok = tok.split(" ")
                a = tok.split("-")
                conns.setdefault(proto, []).append((int(a[0]), int(a[-1])))
        res[(m.group(1), m.group(2))] = normal(conns)
    return res


def check(netpolc, folder):
    """None when not applicable (netpolc rejects the folder), else a list of
    differing pairs."""
    a = subprocess.run([netpolc, "connlist", folder], capture_output=True, text=True)
    if a.returncode != 0:
        return None
    e = subprocess.run([netpolc, "connlist", "--explain", folder], capture_output=True, text=True)
    if e.returncode != 0:
        return ["explain failed with status %d: %s" % (e.returncode, e.stderr.strip()[:200])]
    want, got = parse_connlist(a.stdout), parse_explain(e.stdout)
    return ["%s => %s: connlist %s, explain %s" % (k[0], k[1], want.get(k), got.get(k))
            for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    netpolc = os.path.abspath(argv[1])
    folders = []
    for d in argv[2:]:
        if any(n.endswith((".yaml", ".yml", ".json")) for n in os.listdir(d)):
            folders.append(d)  # an input folder itself
            continue
        folders += [os.path.join(d, n) for n in sorted(os.listdir(d))
                    if os.path.isdir(os.path.join(d, n))]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda f: check(netpolc, f), folders))
    run = bad = 0
    for folder, diffs in zip(folders, results):
        if diffs is None:
            continue
        run += 1
        if diffs:
            bad += 1
            print("%s: %d pair(s) differ, e.g.\n    %s" % (folder, len(diffs), diffs[0]))
    print("explain vs connlist: %d of %d folders agree" % (run - bad, run))
    return 1 if bad or not run else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
