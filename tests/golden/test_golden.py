#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
The golden corpus: every command's stdout, stderr, exit status (and the
files it wrote) for each case of tests/golden/cases, against
tests/golden/expected/NAME. Any change in what proclife prints shows here as
a difference; an intended one is taken with --update and read in `git diff`.

Cases only replay recordings or fail on their command line: they need no
root and trace nothing, and read user names from the corpus's own passwd
and group files (PROCLIFE_PASSWD, PROCLIFE_GROUP), so their output is the
same on every machine.

Usage: tests/golden/test_golden.py PATH/TO/proclife [--update] [NAME...]
One line per case: "PASS golden/NAME", or "FAIL golden/NAME" after a diff.
"""
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")
TIMEOUT = 20.0


def read_cases():
    """[(name, argv template)], with NAME = VALUE lines as variables ($NAME)."""
    cases, variables = [], {}
    with open(os.path.join(HERE, "cases")) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^([A-Z0-9_]+) = (.*)$", line)
            if m:
                variables[m.group(1)] = m.group(2)
                continue
            m = re.match(r"^([a-z0-9_]+): ?(.*)$", line)
            if not m:
                sys.exit("cases:%d: expected 'NAME: ARGS' or 'VAR = VALUE', not %r" % (n, line))
            args = shlex.split(m.group(2))
            args = [variables.get(a[1:], a) if a.startswith("$") and a[1:] in variables else a for a in args]
            cases.append((m.group(1), args))
    names = [c[0] for c in cases]
    dup = {x for x in names if names.count(x) > 1}
    if dup:
        sys.exit("cases: given twice: %s" % ", ".join(sorted(dup)))
    return cases


def render(rc, out, err, files):
    """One case's result as the text expected/NAME holds (bytes, as printed)."""
    parts = [b"exit: %d\n" % rc, b"--- stdout\n", out, b"--- stderr\n", err]
    for name in sorted(files):
        parts += [b"--- file %s\n" % name.encode(), files[name]]
    return b"".join(p if p.endswith(b"\n") or not p else p + b"\n[no newline at the end]\n" for p in parts)


def run_case(binary, args):
    out_dir = tempfile.mkdtemp(prefix="proclife-golden-")
    try:
        argv = [binary] + [a.replace("$OUT", out_dir) for a in args]
        # The corpus's own users (passwd, group here): names the same on every machine.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LC_ALL": "C.UTF-8", "HOME": out_dir,
               "PROCLIFE_PASSWD": os.path.join(HERE, "passwd"), "PROCLIFE_GROUP": os.path.join(HERE, "group")}
        p = subprocess.run(argv, cwd=HERE, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        files = {}
        for name in os.listdir(out_dir):
            with open(os.path.join(out_dir, name), "rb") as f:
                files[name] = f.read()
        # The temporary directory's name differs at each run.
        clean = lambda b: b.replace(out_dir.encode(), b"$OUT")  # noqa: E731
        return render(p.returncode, clean(p.stdout), clean(p.stderr), {k: clean(v) for k, v in files.items()})
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    binary = os.path.abspath(args.pop(0))
    update = "--update" in args
    only = [a for a in args if a != "--update"]
    cases = [c for c in read_cases() if not only or c[0] in only]
    os.makedirs(EXPECTED, exist_ok=True)
    if update and not only:
        known = {c[0] for c in cases}
        for f in os.listdir(EXPECTED):
            if f not in known:
                os.unlink(os.path.join(EXPECTED, f))
    failed = 0
    for name, argv in cases:
        try:
            got = run_case(binary, argv)
        except subprocess.TimeoutExpired:
            got = b"timed out after %d s\n" % TIMEOUT
        path = os.path.join(EXPECTED, name)
        if update:
            with open(path, "wb") as f:
                f.write(got)
            print("PASS golden/%s (updated)" % name)
            continue
        try:
            with open(path, "rb") as f:
                want = f.read()
        except FileNotFoundError:
            want = b"(no expected/%s: run with --update)\n" % name.encode()
        if got == want:
            print("PASS golden/%s" % name)
            continue
        failed += 1
        print("    proclife %s" % " ".join(shlex.quote(a) for a in argv))
        diff = difflib.unified_diff(want.decode("utf-8", "backslashreplace").splitlines(),
                                    got.decode("utf-8", "backslashreplace").splitlines(),
                                    "expected/" + name, "got", lineterm="", n=2)
        for line in list(diff)[:60]:
            print("    " + line)
        print("FAIL golden/%s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
