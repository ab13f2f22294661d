#!/usr/bin/python3
"""The README's examples, run as a reader runs them from a fresh clone.

Every fenced block of README.md whose lines start with `$ ` is a session:
each `$ ` line (with its `\\` continuation lines) is a command run by
/bin/sh in a scratch folder that holds the clone's `examples/` and `tests/`
(links), with netpolc first on PATH; the lines up to the next `$ ` or the
end of the block are its expected output, compared exactly, except that a
line starting with `...` (after spaces) stands for any number of lines;
the output is stdout, then stderr (diagnostics), trailing blank lines
ignored. A block whose last command shows no output and is followed by a
Markdown table has that table as its output (the docs verb).
Blocks of one README share the scratch folder, in order, so a file written
by one command (`-o controller-np`) is there for the next (`find
controller-np`). `cat FILE` of a file the reader writes themselves
(my-values.yaml) creates FILE from the shown text first. A command whose
program is not installed (`dot`) is skipped, and said so.

usage: readme_examples.py NETPOLC ROOT [README]   (ROOT: the source tree)
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(```+|~~~+)")


def sessions(text):
    """Yields (line number, [(command, [expected lines], line number)]) per block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m.group(1), i + 1
        j = start
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        body = lines[start:j]
        i = j + 1
        if not body or not body[0].startswith("$ "):
            continue
        cmds = []
        k = 0
        while k < len(body):
            line, at = body[k], start + k + 1
            if not line.startswith("$ "):
                cmds[-1][1].append(line)
                k += 1
                continue
            cmd = line[2:]
            while cmd.endswith("\\") and k + 1 < len(body):
                k += 1
                cmd = cmd + "\n" + body[k]
            cmds.append((cmd, [], at))
            k += 1
        # a last command shown without output, its output the Markdown
        # table that follows the block (docs)
        if not cmds[-1][1]:
            t = i
            while t < len(lines) and not lines[t].strip():
                t += 1
            while t < len(lines) and lines[t].startswith("|"):
                cmds[-1][1].append(lines[t])
                t += 1
        yield start, cmds


def matches(want, got):
    """want's lines against got's, a `...` line matching any run of lines."""
    if not want:
        return not got
    if want[0].lstrip().startswith("..."):
        return any(matches(want[1:], got[n:]) for n in range(len(got) + 1))
    return bool(got) and want[0] == got[0] and matches(want[1:], got[1:])


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    netpolc, root = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    readme = argv[3] if len(argv) == 4 else os.path.join(root, "README.md")
    with open(readme) as f:
        text = f.read()
    tmp = tempfile.mkdtemp(prefix="netpolc-readme-")
    bindir = os.path.join(tmp, ".bin")
    os.mkdir(bindir)
    os.symlink(netpolc, os.path.join(bindir, "netpolc"))
    for d in ("examples", "tests"):
        os.symlink(os.path.join(root, d), os.path.join(tmp, d))
    env = dict(os.environ, NO_COLOR="1", NETPOLC_NO_PROGRESS="1",
               PATH=bindir + os.pathsep + os.environ.get("PATH", ""), LC_ALL="C")
    failures, ran, skipped, status = [], 0, [], 0
    try:
        for _, cmds in sessions(text):
            for cmd, want, at in cmds:
                words = shlex.split(cmd.replace("\\\n", " "))
                if words[0] == "cat" and len(words) == 2 and not os.path.exists(
                        os.path.join(tmp, words[1])):
                    with open(os.path.join(tmp, words[1]), "w") as f:
                        f.write("\n".join(want) + "\n")
                if shutil.which(words[0], path=env["PATH"]) is None:
                    skipped.append("README.md:%d: %s (not installed)" % (at, words[0]))
                    continue
                if cmd.strip() == "echo $?":  # each command has its own shell
                    got = [str(status)]
                else:
                    p = subprocess.run(["/bin/sh", "-c", cmd], cwd=tmp, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       timeout=300)
                    ran += 1
                    status = p.returncode
                    got = (p.stdout + p.stderr).decode(errors="replace").split("\n")
                while got and not got[-1].strip():
                    got.pop()
                while want and not want[-1].strip():
                    want.pop()
                if not matches(want, got):
                    failures.append("README.md:%d: $ %s\n--- README\n%s\n--- got\n%s" % (
                        at, cmd, "\n".join(want), "\n".join(got)))
    finally:
        shutil.rmtree(tmp)
    for s in skipped:
        print("skipped:", s)
    for f in failures:
        print("FAIL:", f)
    print("README examples: %d commands run, %d failures" % (ran, len(failures)))
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
