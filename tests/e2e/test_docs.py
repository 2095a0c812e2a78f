#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
The manual page (docs/proclife.8) and the bash completion
(tools/completion/proclife.bash) as they work:

- the page is clean for `mandoc -T lint -W warning` and for man-db's
  `man --warnings` (groff);
- the completion, sourced in `bash --norc` and driven through COMP_WORDS and
  COMP_CWORD, gives exact sets: commands, options, event names (the item
  after the last comma), signal names, --sort and --format values, files,
  users (against the passwd database), a command after `run --`.

Their option lists are made from the option table that makes every --help
(user/cmd/optable.c, `make docs`); tests/unit/cmd/test_optdoc.c checks that
the committed files are what the table makes, so that an option cannot be
added without being documented. What is checked here is what the table
cannot say: that the page renders, and that the completion's own code
offers the right words.

Usage: tests/e2e/test_docs.py PATH/TO/proclife [SUBTEST...]
Needs no root (tests/run.sh runs it with the other e2e suites). Python stdlib only.
"""
import os
import pwd
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import Failure, tmpdir  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANPAGE = os.path.join(REPO, "docs", "proclife.8")
COMPLETION = os.path.join(REPO, "tools", "completion", "proclife.bash")
COMMANDS = ["watch", "tree", "zombies", "top", "signals", "run", "record", "life", "export", "verify", "features"]
EVENTS = ["fork", "exec", "exec_failed", "exit", "reap", "signal", "deliver", "rename", "cred", "stop", "continue",
          "zombie", "reparent", "resync", "container", "all", "none"]
# The classic signal names, as proclife's names table has them (user/base/names.c).
SIGNALS = ["HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
           "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
           "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"]


def complete(words, env=None):
    """COMPREPLY of the completion function for the words (the last one being completed)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
              'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; '
              'f=$(complete -p proclife) || exit 3; [[ $f == "complete -F _proclife proclife" ]] || exit 4; '
              '_proclife proclife "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", COMPLETION] + words,
                       capture_output=True, timeout=10, env=env, text=True)
    if p.returncode != 0 or p.stderr:
        raise Failure("completing %r: exit status %d, stderr %r" % (words, p.returncode, p.stderr))
    return [w for w in p.stdout.split("\n") if w]


def expect(c, words, expected, env=None):
    got = complete(words, env)
    c.eq("completion of %r" % " ".join(words), sorted(expected), sorted(got))


def test_manpage_lint(c):
    p = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", MANPAGE], capture_output=True, text=True,
                       timeout=30)
    c.eq("mandoc -T lint -W warning docs/proclife.8: exit status", 0, p.returncode)
    c.eq("mandoc -T lint -W warning docs/proclife.8: messages", "", p.stdout + p.stderr)
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")
    p = subprocess.run(["man", "--warnings", "-l", MANPAGE], capture_output=True, text=True, timeout=30, env=env)
    c.eq("man --warnings -l docs/proclife.8: exit status", 0, p.returncode)
    c.eq("man --warnings -l docs/proclife.8: warnings", "", p.stderr)
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "SIGNALS", "ENVIRONMENT", "FILES",
                    "EXIT STATUS", "EXAMPLES", "SEE ALSO"]:
        c.ok("the rendered page has no %s section" % section, re.search(r"^%s$" % section, p.stdout, re.M))


def test_completion_options(c):
    for cmd in COMMANDS:
        offered = set(complete(["proclife", cmd, "-"]))
        c.ok("completion offers -h/--help for %s" % cmd, {"-h", "--help"} <= offered)
    # An option first means watch.
    c.eq("completion of 'proclife -' is watch's", sorted(complete(["proclife", "watch", "-"])),
         sorted(complete(["proclife", "-"])))
    expect(c, ["proclife", "record", "--rot"], ["--rotate-size", "--rotate-count", "--rotate-existing"])
    expect(c, ["proclife", "--ev"], ["--events"])
    expect(c, ["proclife", "features", "--"], ["--json", "--verbose", "--help"])
    expect(c, ["proclife", "life", "-"], ["-j", "--json", "--redact", "--redact-defaults", "-r", "--read", "--since",
                                          "--until", "--max-memory", "-h", "--help"])
    expect(c, ["proclife", "verify", "-"], ["-j", "--json", "--seal-key", "-h", "--help"])


def test_completion_values(c):
    expect(c, ["proclife", ""], COMMANDS)
    expect(c, ["proclife", "t"], ["tree", "top"])
    # Events: the item after the last comma, without those already listed.
    expect(c, ["proclife", "-e", ""], EVENTS)
    expect(c, ["proclife", "watch", "--events", "ex"], ["exec", "exec_failed", "exit"])
    expect(c, ["proclife", "-e", "fork,ex"], ["fork,exec", "fork,exec_failed", "fork,exit"])
    expect(c, ["proclife", "-e", "exec,exit,re"], ["exec,exit,reap", "exec,exit,rename", "exec,exit,reparent",
                                                   "exec,exit,resync"])
    expect(c, ["proclife", "-e", "exec,ex"], ["exec,exec_failed", "exec,exit"])
    expect(c, ["proclife", "--events", "=", "zo"], ["zombie"])  # --events=zo, split at '=' by bash
    # -e is --every for tree and signals, -w is --wide for tree: no values to offer.
    expect(c, ["proclife", "tree", "-e", ""], [])
    expect(c, ["proclife", "tree", "-w", "-"], complete(["proclife", "tree", "-"]))
    expect(c, ["proclife", "signals", "-e", ""], [])
    # Signals: names, or SIG names, after the last comma.
    expect(c, ["proclife", "signals", "-s", ""], SIGNALS)
    expect(c, ["proclife", "signals", "--signal", "TERM,S"],
           ["TERM," + s for s in SIGNALS if s.startswith("S")])
    expect(c, ["proclife", "signals", "-s", "SIGT"], ["SIG" + s for s in SIGNALS if s.startswith("T")])
    expect(c, ["proclife", "signals", "--sort", ""], ["count", "time", "signal", "sender", "target"])
    expect(c, ["proclife", "signals", "--sort", "s"], ["signal", "sender"])
    expect(c, ["proclife", "export", "--format", ""], ["perfetto", "dot"])
    expect(c, ["proclife", "export", "-f", "d"], ["dot"])
    # Values that are numbers or times: nothing.
    for words in (["proclife", "-p", ""], ["proclife", "record", "--rotate-size", ""],
                  ["proclife", "tree", "--at", ""], ["proclife", "watch", "--metrics-interval", ""]):
        expect(c, words, [])


def test_completion_files_users(c):
    d = tmpdir("pl-docs-")
    for name in ["a.plr", "a.plr.1", "b.json"]:
        open(os.path.join(d, name), "w").close()
    os.mkdir(os.path.join(d, "a-dir"))
    every = [os.path.join(d, n) for n in ["a.plr", "a.plr.1", "a-dir"]]
    for words in (["proclife", "-r"], ["proclife", "watch", "--read"], ["proclife", "-w"],
                  ["proclife", "-o"], ["proclife", "record", "-w"], ["proclife", "record", "--metrics-file"],
                  ["proclife", "tree", "-r"], ["proclife", "life", "-r"], ["proclife", "export", "-o"],
                  ["proclife", "run", "--summary-json"], ["proclife", "top", "--write"],
                  ["proclife", "record", "--seal-key"], ["proclife", "verify"],
                  ["proclife", "verify", "--seal-key"], ["proclife", "verify", "x.plr"]):
        expect(c, words + [os.path.join(d, "a")], every)
    expect(c, ["proclife", "-r", os.path.join(d, "b")], [os.path.join(d, "b.json")])
    open(os.path.join(d, "c with spaces.plr"), "w").close()  # one name, not three words
    expect(c, ["proclife", "-r", os.path.join(d, "c")], [os.path.join(d, "c with spaces.plr")])
    # Users: what the passwd database has.
    users = sorted({p.pw_name for p in pwd.getpwall()})
    for prefix in ["", "r", "no", users[-1][:2]]:
        want = [u for u in users if u.startswith(prefix)]
        expect(c, ["proclife", "-u", prefix], want)
        expect(c, ["proclife", "run", "--user", prefix], want)
    # run -- CMD: a command name (from PATH), then files.
    bindir = tmpdir("pl-docs-bin-")
    for name in ["plcomp-one", "plcomp-two"]:
        path = os.path.join(bindir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(path, 0o755)
    env = dict(os.environ, PATH=bindir + ":/usr/bin:/bin")
    expect(c, ["proclife", "run", "-q", "--", "plcomp-"], ["plcomp-one", "plcomp-two"], env)
    expect(c, ["proclife", "run", "--", "plcomp-one", os.path.join(d, "a.")],
           [os.path.join(d, n) for n in ["a.plr", "a.plr.1"]])


SUBTESTS = [
    ("manpage_lint", test_manpage_lint, ("mandoc", "man")),
    ("completion_options", test_completion_options, ("bash",)),
    ("completion_values", test_completion_values, ("bash",)),
    ("completion_files_users", test_completion_files_users, ("bash",)),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="docs_", subtest_timeout=120))
