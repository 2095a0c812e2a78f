#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
The damaged-recording corpus: every tests/fuzz/damaged/NAME.plr replayed by
the real binary, checked against NAME.expect (written by make_corpus.py):

  - `proclife watch --json -r NAME.plr` exits with the expected status, in
    bounded time, without a crash (no signal, no sanitizer report);
  - its stderr holds exactly one error line (besides the closing summary),
    which names the offset ("offset N:") and contains the expected text, or
    none when none is expected;
  - its stdout is JSON lines only (and, where NAME.expect says, exactly the
    kernel events that came before the damage);
  - `tree --json -r` and `zombies --json -r` on it end cleanly too, with
    JSON on stdout, and the same error line;
  - the other commands that replay (signals, life, export, run) do not
    crash or hang on it either.

Usage: tests/fuzz/test_damaged.py PATH/TO/proclife [NAME...]
Needs no root (replaying traces nothing). Python stdlib only; one result line
per file, "PASS e2e/damaged_NAME" (the runner of tests/e2e/common.py).
"""
import os
import re
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import common  # noqa: E402
from common import parse_json, parse_json_lines, run_proclife  # noqa: E402

DAMAGED = os.path.join(HERE, "damaged")
TIME_LIMIT = 5.0  # seconds for one replay of a file of a few hundred bytes: generous
KERNEL_EVENTS = {"fork", "exec", "exec_failed", "exit", "reap", "signal", "deliver", "rename", "cred"}
# Every other reader of recordings: exit status 0 or 1, in time, no crash.
OTHERS = (["signals", "--json"], ["life", "100", "--json"], ["export", "--format", "dot"],
          ["export", "--format", "perfetto"], ["run", "--json"])
SUMMARY = re.compile(rb"^proclife: \d+ events seen \(")
SANITIZER = re.compile(rb"runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|Segmentation")


def read_expect(name):
    exp = {}
    with open(os.path.join(DAMAGED, name + ".expect")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(": ")
            exp[key] = value
    return int(exp["exit"]), None if exp["stderr"] == "-" else exp["stderr"], \
        int(exp["events"]) if "events" in exp else None


def replay(c, what, args):
    """Runs proclife ARGS; checks it ended in time without a crash. (rc, stdout, error lines)."""
    t0 = time.monotonic()
    rc, out, err = run_proclife(args, timeout=TIME_LIMIT)
    took = time.monotonic() - t0
    if rc is None:
        c.fail("%s: still running after %g s (killed)" % (what, TIME_LIMIT))
        return None, out, []
    c.ok("%s: took %.1f s, more than %g s" % (what, took, TIME_LIMIT), took <= TIME_LIMIT)
    c.ok("%s: exit status %d: a crash (a signal or a sanitizer's)" % (what, rc), 0 <= rc < 128)
    c.ok("%s: sanitizer or crash output on stderr: %r" % (what, err[-600:]), not SANITIZER.search(err))
    lines = err.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        c.fail("%s: stderr does not end with a newline: %r" % (what, err[-200:]))
    return rc, out, [ln for ln in lines if not SUMMARY.match(ln)]


def check_error_lines(c, what, errors, expected):
    if expected is None:
        c.ok("%s: expected no error line on stderr, got %r" % (what, errors), not errors)
        return
    if len(errors) != 1:
        c.fail("%s: expected exactly one error line on stderr containing %r, got %r" % (what, expected, errors))
        return
    line = errors[0].decode("utf-8", "replace")
    c.ok("%s: the error line does not contain %r:\n  %s" % (what, expected, line), expected in line)
    c.ok("%s: the error line names no offset: %s" % (what, line), re.search(r"\boffset \d+", line))


def make_subtest(name):
    path = os.path.join(DAMAGED, name + ".plr")

    def subtest(c):
        rc_exp, err_exp, events_exp = read_expect(name)
        what = "watch --json -r %s.plr" % name
        rc, out, errors = replay(c, what, ["watch", "--json", "-r", path])
        if rc is not None:
            c.eq("%s: exit status" % what, rc_exp, rc)
        check_error_lines(c, what, errors, err_exp)
        events = parse_json_lines(c, out, "%s: stdout" % what)
        if events_exp is not None:
            c.eq("%s: kernel events on stdout" % what, events_exp,
                 sum(1 for e in events if e["event"] in KERNEL_EVENTS))
        for cmd in ("tree", "zombies"):
            what = "%s --json -r %s.plr" % (cmd, name)
            rc, out, errors = replay(c, what, [cmd, "--json", "-r", path])
            if rc is None:
                continue
            c.ok("%s: exit status %d, expected 0 or 1" % (what, rc), rc in (0, 1))
            check_error_lines(c, what, errors, err_exp)
            if out:
                try:
                    c.ok("%s: stdout is not a JSON array" % what, isinstance(parse_json(out, "stdout"), list))
                except common.Failure as e:
                    c.fail("%s: %s" % (what, e))
        for args in OTHERS:
            what = "%s -r %s.plr" % (" ".join(args), name)
            rc, _, errors = replay(c, what, args + ["-r", path])
            if rc is not None:
                c.ok("%s: exit status %d, expected 0 or 1; stderr %r" % (what, rc, errors), rc in (0, 1))
    return subtest


def main():
    names = sorted(f[:-4] for f in os.listdir(DAMAGED) if f.endswith(".plr"))
    missing = [n for n in names if not os.path.exists(os.path.join(DAMAGED, n + ".expect"))]
    if missing:
        print("FAIL e2e/damaged_corpus: no .expect for %s" % ", ".join(missing))
        return 1
    subtests = [(n, make_subtest(n), ()) for n in names]
    return common.main(subtests, prefix="damaged_", subtest_timeout=60)


if __name__ == "__main__":
    sys.exit(main())
