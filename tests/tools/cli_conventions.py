#!/usr/bin/python3
"""The conventions every verb of the command line keeps:

- `netpolc help` lists the verbs, and each listed verb answers `VERB --help`
  and `netpolc help VERB` with the same text, starting with its usage line;
- `netpolc version` and `netpolc --version` print the version;
- `-o FILE` writes exactly what stdout would get, atomically (no temporary
  file is left, a failed run leaves an existing FILE as it was);
- a failed write (a full disk: /dev/full) is a coded error (NPC010), exit 2,
  for help and version text too;
- options a verb does not know are usage errors naming the option, before
  or after the arguments, in every verb, and the listed option a typo is
  nearest to; never crashes;
- chart -o DIR: a folder that cannot be made is a coded error (NPC010);
- every analysis verb refuses an owner whose pods the policies tell apart
  (NPC219), not only connlist.

usage: cli_conventions.py NETPOLC ROOT   (ROOT: the source tree)
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

failures = []


def run(netpolc, args, cwd, stdout=subprocess.PIPE):
    env = dict(os.environ, NO_COLOR="1", NETPOLC_NO_PROGRESS="1")
    p = subprocess.run([netpolc] + args, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                       env=env, timeout=120)
    if p.returncode not in (0, 1, 2):
        failures.append("%s: crashed with status %d" % (" ".join(args), p.returncode))
    return p.returncode, p.stdout if stdout == subprocess.PIPE else b"", p.stderr.decode(
        errors="replace")


def check(cond, what):
    if not cond:
        failures.append(what)


def listed_verbs(netpolc, root):
    rc, out, err = run(netpolc, ["help"], root)
    check(rc == 0, "netpolc help exited %d: %s" % (rc, err))
    text = out.decode()
    section = text.split("verbs:\n", 1)[1].split("\n\n", 1)[0]
    verbs = [m.group(1) for m in re.finditer(r"^  ([a-z]+) ", section, re.M)]
    check(len(verbs) >= 5, "netpolc help lists too few verbs: %r" % verbs)
    return verbs


def test_help(netpolc, root):
    for verb in listed_verbs(netpolc, root):
        rc, out, err = run(netpolc, [verb, "--help"], root)
        rc2, out2, _ = run(netpolc, ["help", verb], root)
        check(rc == 0 and rc2 == 0, "%s --help / help %s exited %d / %d: %s" % (verb, verb, rc,
                                                                                  rc2, err))
        check(out == out2, "'netpolc help %s' differs from '%s --help'" % (verb, verb))
        usage = b"usage: netpolc " + (b"VERB" if verb == "help" else verb.encode())
        check(out.startswith(usage),
              "%s --help does not start with its usage line: %r" % (verb, out[:60]))
    rc, out, err = run(netpolc, ["help", "no-such-verb"], root)
    check(rc == 2 and not out and "unknown verb 'no-such-verb'" in err,
          "help of an unknown verb: exit %d, %r" % (rc, err))
    rc, out, err = run(netpolc, ["no-such-verb"], root)
    check(rc == 2 and not out, "an unknown verb: exit %d" % rc)


def test_help_full_disk(netpolc, root):
    """Help and version text that cannot be written is a coded error too."""
    lines = [["help"], ["--version"], ["version"]] + [[v, "--help"] for v in listed_verbs(
        netpolc, root) if v != "help"]
    for args in lines:
        with open("/dev/full", "wb") as full:
            rc, _, err = run(netpolc, args, root, stdout=full)
        check(rc == 2 and err.count("error[NPC010]: cannot write standard output: ") == 1,
              "%s > /dev/full: exit %d, %r" % (" ".join(args), rc, err))


def test_version(netpolc, root):
    rc, out, _ = run(netpolc, ["version"], root)
    rc2, out2, _ = run(netpolc, ["--version"], root)
    check(rc == 0 and rc2 == 0 and out == out2 and re.match(rb"netpolc \d+\.\d+\.\d+\n$", out),
          "version: %r / --version: %r" % (out, out2))


def every_verb(root):
    """Each verb once, with arguments that succeed (or, for eval, deny)."""
    cluster = os.path.join(root, "tests/golden/explain/_cluster")
    spec = os.path.join(root, "examples/quickstart.yaml")
    flow = ["--from", "frontend/web", "--to", "backend/api", "--port", "9090"]
    return [
        ["render", spec, "--set", "metrics.enabled=true"],
        ["render", spec, "--format", "json"],
        ["docs", spec, "--format", "csv"],
        ["connlist", cluster, "--format", "md"],
        ["connlist", cluster, "--explain"],
        ["eval", cluster] + flow,
        ["explain", cluster] + flow,
        ["verify", spec],
    ]


def test_output_file(netpolc, root, tmp):
    for args in every_verb(root):
        name = " ".join(os.path.basename(a) for a in args)
        rc, out, err = run(netpolc, args, tmp)
        check(rc in (0, 1) and out, "%s: exit %d, %s" % (name, rc, err))
        target = os.path.join(tmp, "out", "result.txt")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(b"old contents\n")
        rc2, out2, err2 = run(netpolc, args + ["-o", target], tmp)
        check(rc2 == rc and out2 == b"" and err2 == err,
              "%s -o FILE: exit %d (want %d), stdout %r, stderr %r" % (name, rc2, rc, out2, err2))
        with open(target, "rb") as f:
            check(f.read() == out, "%s -o FILE: the file differs from stdout" % name)
        check(os.listdir(os.path.dirname(target)) == ["result.txt"],
              "%s -o FILE left files behind: %r" % (name, os.listdir(os.path.dirname(target))))
        # a failing run (a missing input) leaves the file as it was
        bad = [a if not a.startswith(root) else os.path.join(tmp, "missing.yaml") for a in args]
        rc3, out3, err3 = run(netpolc, bad + ["-o", target], tmp)
        with open(target, "rb") as f:
            check(rc3 == 2 and f.read() == out,
                  "%s -o FILE with a missing input: exit %d, the file changed" % (name, rc3))
        check(os.listdir(os.path.dirname(target)) == ["result.txt"],
              "%s: a failing run left files behind" % name)
        # a full disk, on stdout and with -o
        with open("/dev/full", "wb") as full:
            rc4, _, err4 = run(netpolc, args, tmp, stdout=full)
        check(rc4 == 2 and "error[NPC010]: cannot write standard output: " in err4,
              "%s > /dev/full: exit %d, %r" % (name, rc4, err4))
        rc5, out5, err5 = run(netpolc, args + ["-o", "/dev/full"], tmp)
        check(rc5 == 2 and not out5 and "error[NPC010]: cannot write /dev/full: " in err5,
              "%s -o /dev/full: exit %d, %r" % (name, rc5, err5))
        check(stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full is no longer a device")
        # a folder that does not exist
        nowhere = os.path.join(tmp, "no-such-folder", "x.txt")
        rc6, out6, err6 = run(netpolc, args + ["-o", nowhere], tmp)
        check(rc6 == 2 and not out6 and "error[NPC010]: cannot write %s: " % nowhere in err6
              and not os.path.exists(os.path.dirname(nowhere)),
              "%s -o into a missing folder: exit %d, %r" % (name, rc6, err6))
        # an empty file name
        rc7, out7, err7 = run(netpolc, args + ["-o", ""], tmp)
        check(rc7 == 2 and not out7 and "error[NPC010]: cannot write '' (an empty file name)" in err7,
              "%s -o '': exit %d, %r" % (name, rc7, err7))
        shutil.rmtree(os.path.dirname(target))


def test_chart_folder(netpolc, root, tmp):
    """chart -o DIR: a folder that cannot be made is a coded error, nothing written."""
    spec = os.path.join(root, "examples/quickstart.yaml")
    blocker = os.path.join(tmp, "a-file")
    with open(blocker, "w") as f:
        f.write("not a folder\n")
    for target in (os.path.join(blocker, "chart"), "/dev/full/chart", ""):
        rc, out, err = run(netpolc, ["chart", spec, "-o", target], tmp)
        check(rc == 2 and not out and "error[NPC010]: cannot create the folder " in err,
              "chart -o %r: exit %d, %r" % (target, rc, err))
    made = os.path.join(tmp, "made", "deeper")
    rc, out, err = run(netpolc, ["chart", spec, "-o", made], tmp)
    check(rc == 0 and os.path.isfile(os.path.join(made, "values.yaml")),
          "chart -o into missing folders: exit %d, %r" % (rc, err))
    shutil.rmtree(os.path.join(tmp, "made"))
    os.unlink(blocker)


def verb_args(root):
    """Arguments with which each verb succeeds (eval: or denies)."""
    cluster = os.path.join(root, "tests/golden/explain/_cluster")
    spec = os.path.join(root, "examples/quickstart.yaml")
    flow = ["--from", "frontend/web", "--to", "backend/api", "--port", "9090"]
    return {"render": [spec], "chart": [spec, "-o", "chart-out"], "docs": [spec],
            "connlist": [cluster], "eval": [cluster] + flow, "explain": [cluster] + flow,
            "verify": [spec]}


def test_unknown_options_every_verb(netpolc, root, tmp):
    """Every listed verb refuses an option it does not know, before or after its
    arguments, as a usage error naming the option: never a crash, never output."""
    args = verb_args(root)
    for verb in listed_verbs(netpolc, root):
        if verb in ("help", "version"):
            continue
        check(verb in args, "no arguments known for the verb %s: add it to verb_args" % verb)
        if verb not in args:
            continue
        rc, out, err = run(netpolc, [verb] + args[verb], tmp)
        check(rc in (0, 1), "%s %s: exit %d, %r" % (verb, " ".join(args[verb]), rc, err))
        for opt in (["--nonsense"], ["--nonsense=1"], ["--nonsense", "x"], ["-Z"]):
            for where in ("after", "before"):
                line = [verb] + (args[verb] + opt if where == "after" else opt + args[verb])
                rc, out, err = run(netpolc, line, tmp)
                want = "netpolc %s: unknown option '%s'" % (verb, opt[0])
                check(rc == 2 and not out and want in err,
                      "%s: exit %d, stdout %r, stderr %r" % (" ".join(line), rc, out[:80], err))
        shutil.rmtree(os.path.join(tmp, "chart-out"), ignore_errors=True)
    rc, out, err = run(netpolc, ["version", "--nonsense"], tmp)
    check(rc == 2 and not out and "netpolc version: " in err, "version --nonsense: exit %d" % rc)


def test_every_option_bare(netpolc, root, tmp):
    """Each option a verb's help lists is one the verb knows; given last with
    no value, or with an empty or odd one, it gets an answer or a usage error
    with a message, never a crash (run() records those) or a silent exit 2."""
    args = verb_args(root)
    for verb in args:
        # explain's help says "Options as for eval"
        rc, out, err = run(netpolc, ["eval" if verb == "explain" else verb, "--help"], tmp)
        opts = sorted(set(re.findall(r"^\s+(?:-[a-zA-Z], )?(--[a-z][a-z-]*)", out.decode(), re.M)))
        check(len(opts) >= 2, "%s --help lists no options: %r" % (verb, opts))
        base = [a for a in args[verb] if a not in ("-o", "chart-out")]
        for opt in opts:
            # a typo of a listed option names it
            typo = opt[:3] + opt[4:]
            if len(opt) >= 7 and typo not in opts:
                rc, out, err = run(netpolc, [verb] + base + [typo, "x"], tmp)
                near = re.search(r"unknown option '%s' \(did you mean '(--[a-z-]+)'\?\)" %
                                 re.escape(typo), err)
                check(rc == 2 and near and near.group(1) in opts,
                      "%s %s (a typo of %s): exit %d, %r" % (verb, typo, opt, rc, err))
            for form in ([opt], [opt + "="], [opt + "=%s%n"]):
                rc, out, err = run(netpolc, [verb] + base + form, tmp)
                check(rc != 2 or err.strip(), "%s %s: exit 2 with nothing said" % (verb, form[0]))
                # the help is true: what it lists, the verb knows
                check(form != [opt] or "unknown option '%s'" % opt not in err,
                      "%s --help lists %s, which the verb refuses: %r" % (verb, opt, err))
    shutil.rmtree(os.path.join(tmp, "chart-out"), ignore_errors=True)
    for name in os.listdir(tmp):
        p = os.path.join(tmp, name)
        (shutil.rmtree if os.path.isdir(p) else os.unlink)(p)


def test_unknown_options(netpolc, root):
    spec = os.path.join(root, "examples/quickstart.yaml")
    for verb, opt in (("docs", ["--output", "csv"]), ("docs", ["--engine", "kubernetes"]),
                      ("docs", ["-o"]), ("docs", ["--nonsense"]), ("render", ["--nonsense", "x"]),
                      ("render", ["-o", "json"])):
        rc, out, err = run(netpolc, [verb, spec] + opt, root)
        check(rc == 2 and not out and ("netpolc %s: " % verb) in err,
              "%s %s: exit %d, %r" % (verb, " ".join(opt), rc, err))
    # --output stays render's format alias
    a = run(netpolc, ["render", spec, "--output", "json"], root)
    b = run(netpolc, ["render", spec, "--format", "json"], root)
    check(a[0] == 0 and a == b, "render --output json differs from --format json")


# Two pods of one ReplicaSet that differ in `tier`, which a policy selects on.
OWNED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web-%d
  namespace: shop
  labels: {app: web, tier: %s}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d, controller: true}]
"""
LABEL_GAP = "---\n".join([
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    OWNED_POD % (1, "blue"),
    OWNED_POD % (2, "green"),
    "apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: shop, labels: {app: db}}\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\n"
    "spec:\n  podSelector: {matchLabels: {app: db}}\n"
    "  ingress: [{from: [{podSelector: {matchLabels: {tier: blue}}}]}]\n",
])


def test_label_gap_everywhere(netpolc, tmp):
    path = os.path.join(tmp, "gap.yaml")
    with open(path, "w") as f:
        f.write(LABEL_GAP)
    flow = ["--from", "shop/web-1", "--to", "shop/db", "--port", "80"]
    for args in (["connlist", path], ["eval", path] + flow, ["explain", path] + flow):
        rc, out, err = run(netpolc, args, tmp)
        check(rc == 2 and not out and err.count("error[NPC219]") == 1,
              "%s on an owner whose pods differ in a selected label: exit %d, %r" %
              (args[0], rc, err))


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    netpolc, root = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    tmp = tempfile.mkdtemp(prefix="netpolc-cli-")
    try:
        test_help(netpolc, root)
        test_version(netpolc, root)
        test_help_full_disk(netpolc, root)
        test_output_file(netpolc, root, tmp)
        test_unknown_options(netpolc, root)
        test_unknown_options_every_verb(netpolc, root, tmp)
        test_chart_folder(netpolc, root, tmp)
        test_every_option_bare(netpolc, root, tmp)
        test_label_gap_everywhere(netpolc, tmp)
    finally:
        shutil.rmtree(tmp)
    for f in failures:
        print("FAIL:", f)
    print("cli conventions: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
