#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of the proclife command line: run the real binary, make
processes do known things, and compare what proclife reports with the ground
truth (the argv we passed, the pid we got, the status waitpid returned).

Usage: tests/e2e/test_cli.py PATH/TO/proclife [SUBTEST...]
Needs root (the tracing subtests are skipped otherwise). Python stdlib only.

Output, one line per subtest:
    PASS e2e/<name>
    FAIL e2e/<name>          (after indented lines saying what differed)
    SKIP e2e/<name>: <why>
Exit status 1 if any subtest failed, else 0.

The machine has other activity: every assertion about a scenario looks only
at events of the scenario's own pids. Every wait has a deadline, and each
subtest kills whatever it started (proclife included) when it ends.
"""
import errno
import os
import re
import resource
import select
import shutil
import signal
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    MYPID, NOBODY, READY_WATCH, ROOT, TEXT_HEADER, Failure, Lines, Proclife,
    check_usage_error, drop_to_nobody, my_comm, one_line, parse_json_lines, popen, read_comm, reap_popen,
    run, run_proclife, select_events, short, spawn, start_proclife, status_truth, tmpdir, wait_asleep, wait_comm,
    waitpid_deadline,
)

SUMMARY_RE = re.compile(
    r"^proclife: (\d+) events seen \(fork (\d+), exec (\d+), exec_failed (\d+), "
    r"exit (\d+), reap (\d+), signal (\d+), deliver (\d+), rename (\d+), cred (\d+)\), (\d+) derived \(stop (\d+), "
    r"continue (\d+), zombie (\d+), reparent (\d+), resync (\d+), container (\d+)\), (\d+) lost$"
)

SUBTEST_TIMEOUT = 60  # backstop for a whole subtest (SIGALRM)


def check_clean_stop(c, t, rc):
    """Exit status 0 and a stderr that is exactly the ready line and the summary."""
    c.eq("proclife exit status", 0, rc)
    err = t.stderr_bytes().decode("utf-8", "replace")
    lines = err.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        c.fail("stderr does not end with a newline: %r" % err[-200:])
    if len(lines) != 2 or lines[0] + "\n" != READY_WATCH.decode() or not SUMMARY_RE.match(lines[1]):
        c.fail("stderr: expected the ready line then the summary line, got %r" % err[-2000:])


# --------------------------------------------------------------------------
# Subtests

HOSTILE = [
    "a b",
    "it's",
    'say "hi"',
    "line1\nline2",
    "\x1b[2J\x1b]0;pwned\x07",
    b"\xff\xfe invalid \xc3\x28",
    "",
    "tab\there",
    "日本語",
]


def as_bytes(a):
    return a if isinstance(a, bytes) else a.encode("utf-8")


def argv_area_size(argv):
    return sum(len(as_bytes(a)) + 1 for a in argv)


def test_json_exec_argv_hostile(c):
    argv = [b"/bin/true"] + [as_bytes(a) for a in HOSTILE] + [b"arg%d" % i for i in range(200)]
    t = start_proclife(["--json", "-e", "exec,exit"])
    pid = spawn(argv, b"/bin/true")
    status = waitpid_deadline(pid)
    c.eq("/bin/true wait status (scenario)", 0, status)
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    c.ok("only exec and exit events expected, got: %s" % sorted({e["event"] for e in events}),
         {e["event"] for e in events} <= {"exec", "exit"})

    expected_argv = [a.decode("utf-8", errors="replace") for a in argv]
    ex = c.one("exec event of pid %d" % pid, select_events(events, event="exec", pid=pid))
    if ex:
        if ex.get("argv") != expected_argv:
            got = ex.get("argv")
            c.fail("exec argv differs")
            if isinstance(got, list):
                for i in range(max(len(got), len(expected_argv))):
                    e_ = expected_argv[i] if i < len(expected_argv) else "<none>"
                    g_ = got[i] if i < len(got) else "<none>"
                    if e_ != g_:
                        c.fail("  argv[%d]: expected %r, got %r" % (i, e_, g_))
            else:
                c.fail("  argv: expected a list, got %r" % (got,))
        c.fields("exec event", ex, {
            "filename": "/bin/true", "truncated": False, "argc": len(argv),
            "argv_bytes": argv_area_size(argv), "tid": pid, "old_tid": pid, "ppid": MYPID,
            "uid": 0, "comm": "true",
        })
    xe = c.one("exit event of pid %d" % pid, select_events(events, event="exit", pid=pid))
    c.fields("exit event", xe, {"exit_code": 0, "term_signal": None, "core_dumped": False,
                                "status": 0, "thread": False, "comm": "true"})


# Expected escape__text_arg() output for each element of TEXT_HOSTILE, written out by hand.
TEXT_HOSTILE = [
    ("a b", r'"a b"'),
    ("it's", r'''"it's"'''),
    ('say "hi"', r'"say \"hi\""'),
    ("line1\nline2", r'"line1\nline2"'),
    ("\x1b[2J\x1b]0;pwned\x07", r'"\x1b[2J\x1b]0;pwned\x07"'),
    (b"\xff\xfe invalid \xc3\x28", r'"\xff\xfe invalid \xc3("'),
    ("", '""'),
    ("tab\there", r'"tab\there"'),
    ("日本語", "日本語"),
    (b"\xc2\x9b31m", r'"\u009b31m"'),  # C1 CSI
    ("back\\slash", r'"back\\slash"'),
    ("cr\rdel\x7f", r'"cr\rdel\x7f"'),
    ("plain-ok_1.2/x:y=z@w%+,^~", "plain-ok_1.2/x:y=z@w%+,^~"),
]


def test_text_output_is_terminal_safe(c):
    argv = [b"/bin/true"] + [as_bytes(a) for a, _ in TEXT_HOSTILE] + [b"arg%d" % i for i in range(200)]
    expected_details = " ".join(["/bin/true"] + [e for _, e in TEXT_HOSTILE]
                                + ["arg%d" % i for i in range(200)])
    t = start_proclife(["-e", "exec"])
    pid = spawn(argv, b"/bin/true")
    c.eq("/bin/true wait status (scenario)", 0, waitpid_deadline(pid))
    rc = t.stop()
    check_clean_stop(c, t, rc)
    out = t.stdout_bytes()

    bad = [(i, b) for i, b in enumerate(out) if (b < 0x20 and b != 0x0a) or b == 0x7f]
    if bad:
        i, b = bad[0]
        c.fail("stdout holds %d control bytes (none but \\n allowed); first 0x%02x at offset %d: %r"
               % (len(bad), b, i, out[max(0, i - 60):i + 20]))
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError as e:
        c.fail("stdout is not valid UTF-8: %s: %r" % (e, out[max(0, e.start - 40):e.end + 40]))
        text = out.decode("utf-8", "replace")
    c1 = [ch for ch in text if 0x80 <= ord(ch) <= 0x9f]
    c.ok("stdout holds C1 control characters: %r" % c1[:5], not c1)

    lines = text.split("\n")
    c.eq("header line", TEXT_HEADER, lines[0] if lines else None)
    # TIME EVENT PID PPID USER TTY COMM CONTAINER DETAILS; a host process's CONTAINER (columns 79..98) is blank.
    line_re = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} +(\S+) +(\d+) +(\d+) +\S+ +\S+ +(\S+) ")
    mine = []
    for ln in lines[1:]:
        if re.match(r"^\S+ LOST \d+ ", ln):
            continue  # a lost-events line has its own layout
        m = line_re.match(ln)
        if ln and not m:
            c.fail("text line not in the TIME EVENT PID PPID USER TTY COMM CONTAINER DETAILS layout: %r" % ln[:300])
        if m and int(m.group(2)) == pid:
            mine.append((m, ln))
    if c.eq("text lines for pid %d" % pid, 1, len(mine)):
        m, ln = mine[0]
        details = ln[99:]
        c.eq("container column (a host process)", " " * 20, ln[79:99])
        c.eq("event column", "exec", m.group(1))
        c.eq("ppid column", MYPID, int(m.group(3)))
        c.eq("comm column", "true", m.group(4))
        c.ok("line does not contain the escaped form %r" % r'"\x1b[2J\x1b]0;pwned\x07"',
             r'"\x1b[2J\x1b]0;pwned\x07"' in details)
        if details != expected_details:
            c.fail("details column differs:\n      expected %r\n      got      %r"
                   % (expected_details[:400], details[:400]))


def test_exit_codes_and_signals(c):
    tmp = tmpdir("pl_e2e_")
    t = start_proclife(["--json", "-e", "exit"])
    cases = []
    for code in (0, 3, 255):
        pid, st = run(["/bin/sh", "-c", "exit %d" % code])
        cases.append(("exit %d" % code, pid, st))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        p = popen(["/bin/sleep", "30"])
        wait_asleep(p.pid)
        os.kill(p.pid, sig)
        cases.append(("killed by %s" % sig.name, p.pid, reap_popen(p)))

    def allow_core():
        soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))

    pid, st = run([sys.executable, "-c", "import ctypes; ctypes.string_at(0)"],
                  cwd=tmp, preexec_fn=allow_core, stderr=subprocess.DEVNULL)
    cases.append(("segfault", pid, st))
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())

    for what, pid, st in cases:
        if what == "segfault" and not (os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGSEGV):
            c.fail("scenario: the segfaulting child was not killed by SIGSEGV: status %d" % st)
        ev = c.one("%s: exit event of pid %d" % (what, pid), select_events(events, event="exit", pid=pid))
        c.fields("%s: exit event" % what, ev, dict(status_truth(st), ppid=MYPID, thread=False))


EXEC_TRY = r"""
import os, sys
p = sys.argv[1]
try:
    os.execv(p, [p])
except OSError as e:
    os._exit(e.errno)
os._exit(255)
"""


def test_exec_failed(c):
    tmp = tmpdir("pl_e2e_")
    noexec = os.path.join(tmp, "not_executable")
    with open(noexec, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(noexec, 0o644)
    # One byte past PATH_MAX - 1: the kernel refuses it, proclife keeps its first 4095 bytes and says so.
    too_long = "/" + "./" * 2043 + "/bin/true"
    t = start_proclife(["--json", "-e", "exec_failed"])
    cases = []
    for path, want in (("/nonexistent/prog", errno.ENOENT), (noexec, errno.EACCES), (too_long, errno.ENAMETOOLONG)):
        pid, st = run([sys.executable, "-c", EXEC_TRY, path])
        cases.append((path, want, pid, st))
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    c.ok("only exec_failed events expected, got: %s" % sorted({e["event"] for e in events}),
         {e["event"] for e in events} <= {"exec_failed"})
    for path, want, pid, st in cases:
        name = path if len(path) < 60 else "%s... (%d bytes)" % (path[:20], len(path))
        if not os.WIFEXITED(st):
            c.fail("scenario: exec child for %s did not exit normally: status %d" % (name, st))
            continue
        err = os.WEXITSTATUS(st)
        if err != want:
            c.fail("scenario: exec of %s failed with errno %d, the test expected %s"
                   % (name, err, errno.errorcode[want]))
        ev = c.one("exec_failed event of pid %d (%s)" % (pid, name),
                   select_events(events, event="exec_failed", pid=pid))
        c.fields("exec_failed %s" % name, ev, {
            "filename": path[:4095], "error": errno.errorcode.get(err, err), "errno": err,
            "ppid": MYPID, "tid": pid, "uid": 0,
        })
        if ev is not None:
            c.eq("exec_failed %s: filename_truncated" % name, True if len(path) > 4095 else None,
                 ev.get("filename_truncated"))


SIG_CHILD = r"""
import signal, sys
def h(sig, frame):
    sys.stdout.write("got\n")
    sys.stdout.flush()
signal.signal(signal.SIGUSR1, h)
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.readline()
"""


def test_signal_and_reap(c):
    t = start_proclife(["--json", "-e", "signal,deliver,reap"])
    child = popen([sys.executable, "-c", SIG_CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lines = Lines(child.stdout)
    lines.wait_for(b"ready")
    child_comm = read_comm(child.pid)
    os.kill(child.pid, signal.SIGUSR1)
    lines.wait_for(b"got")
    child.stdin.write(b"bye\n")
    child.stdin.close()
    st = reap_popen(child)
    child.stdout.close()
    c.eq("child wait status (scenario)", 0, st)
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    c.ok("only signal, deliver and reap events expected, got: %s" % sorted({e["event"] for e in events}),
         {e["event"] for e in events} <= {"signal", "deliver", "reap"})

    cpid = child.pid
    sig = c.one("SIGUSR1 signal event targeting %d" % cpid,
                select_events(events, event="signal", target=cpid, sig=10))
    c.fields("signal event", sig, {
        "pid": MYPID, "tid": MYPID, "uid": 0, "sig": 10, "signame": "SIGUSR1", "target": cpid,
        "target_uid": 0, "code": "kill", "si_code": 0, "result": "delivered", "group": True,
        "comm": my_comm(), "target_comm": child_comm,
    })
    dl = c.one("SIGUSR1 deliver event in %d" % cpid, select_events(events, event="deliver", pid=cpid, sig=10))
    c.fields("deliver event", dl, {"signame": "SIGUSR1", "action": "handler", "code": "kill",
                                   "si_code": 0, "fatal": False, "ppid": MYPID})
    c.ok("deliver event has a default_action though the action is handler: %s" % (dl and short(dl)),
         not dl or "default_action" not in dl)
    rp = c.one("reap event of %d" % cpid, select_events(events, event="reap", pid=cpid))
    c.fields("reap event", rp, {"reaper": MYPID, "reaper_comm": my_comm(), "how": "wait",
                                "exit_code": 0, "term_signal": None, "core_dumped": False,
                                "status": 0, "ppid": MYPID})
    # Its SIGCHLD to us follows the exit.
    chld = select_events(events, event="signal", pid=cpid, target=MYPID, sig=17)
    c.eq("SIGCHLD signal events from %d to the test" % cpid, 1, len(chld))


def filter_comm_case(c, tmp, progname, comm_arg):
    """Run a copy of /bin/sleep named progname under proclife -c comm_arg."""
    name = progname[:15]  # what the kernel keeps as comm
    what = "-c %s" % comm_arg
    prog = os.path.join(tmp, progname)
    shutil.copy2("/bin/sleep", prog)
    os.chmod(prog, 0o755)
    t = start_proclife(["--json", "-c", comm_arg])
    upid, ust = run(["/bin/true", "unrelated"])
    p = popen([prog, "30"])
    wait_comm(p.pid, name)
    os.kill(p.pid, signal.SIGTERM)
    st = reap_popen(p)
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    xpid = p.pid

    for ev in events:
        if ev["event"] == "lost":
            continue
        if not (ev.get("comm") == name or (ev["event"] == "signal" and ev.get("target_comm") == name)):
            c.fail("%s: event with another comm (expected comm or target_comm %r): %s" % (what, name, short(ev)))
        if upid in (ev.get("pid"), ev.get("target"), ev.get("child")):
            c.fail("%s: event of the unrelated /bin/true (pid %d): %s" % (what, upid, short(ev)))
    ex = c.one("%s: exec of %s" % (what, name), select_events(events, event="exec", pid=xpid))
    c.fields("%s: exec" % what, ex, {"filename": prog, "argv": [prog, "30"], "comm": name})
    sg = c.one("%s: SIGTERM from the test (comm %s) to %s" % (what, my_comm(), name),
               select_events(events, event="signal", pid=MYPID, target=xpid, sig=15))
    c.fields("%s: signal" % what, sg, {"target_comm": name, "result": "delivered", "comm": my_comm()})
    dl = c.one("%s: deliver of SIGTERM in %s" % (what, name),
               select_events(events, event="deliver", pid=xpid, sig=15))
    c.fields("%s: deliver" % what, dl, {"action": "default", "default_action": "terminate", "fatal": True})
    xe = c.one("%s: exit of %s" % (what, name), select_events(events, event="exit", pid=xpid))
    c.fields("%s: exit" % what, xe, status_truth(st))
    rp = c.one("%s: reap of %s" % (what, name), select_events(events, event="reap", pid=xpid))
    c.fields("%s: reap" % what, rp, dict(status_truth(st), reaper=MYPID, how="wait"))


def test_filter_comm(c):
    tmp = tmpdir("pl_e2e_")
    os.chmod(tmp, 0o755)
    tag = os.urandom(3).hex()
    name = "pltest_%s" % tag
    filter_comm_case(c, tmp, name, name)
    # A longer name: the kernel keeps 15 bytes, and so does -c ("the first 15 bytes count").
    long_name = "plt%s_a_much_longer_name" % tag
    filter_comm_case(c, tmp, long_name, long_name)


def test_filter_events(c):
    for evlist in (["exec"], ["exit", "reap"]):
        t = start_proclife(["--json", "-e", ",".join(evlist)])
        tpid, tst = run(["/bin/true", "pl-events-marker"])
        spid, sst = run(["/bin/sh", "-c", "exit 3"])
        p = popen(["/bin/sleep", "30"])
        wait_asleep(p.pid)
        os.kill(p.pid, signal.SIGKILL)
        kst = reap_popen(p)
        rc = t.stop()
        check_clean_stop(c, t, rc)
        events = parse_json_lines(c, t.stdout_bytes())
        wanted = set(evlist)
        others = [e for e in events
                  if e["event"] not in wanted and not (e["event"] == "lost" and e.get("type") in wanted)]
        if others:
            c.fail("-e %s: %d events of other types, e.g. %s" % (",".join(evlist), len(others), short(others[0])))
        for pid, st, argv in ((tpid, tst, ["/bin/true", "pl-events-marker"]),
                              (spid, sst, ["/bin/sh", "-c", "exit 3"]),
                              (p.pid, kst, ["/bin/sleep", "30"])):
            for ev in evlist:
                got = select_events(events, event=ev, pid=pid)
                e = c.one("-e %s: %s event of pid %d (%s)" % (",".join(evlist), ev, pid, argv[0]), got)
                if ev == "exec":
                    c.fields("exec", e, {"argv": argv})
                elif ev in ("exit", "reap"):
                    c.fields(ev, e, status_truth(st))


def nobody_name():
    """The name of uid 65534 in /etc/passwd, or None."""
    try:
        with open("/etc/passwd") as f:
            for line in f:
                parts = line.split(":")
                if len(parts) > 2 and parts[2] == str(NOBODY):
                    return parts[0]
    except OSError:
        pass
    return None


def test_filter_uid(c):
    specs = [str(NOBODY)] + ([nobody_name()] if nobody_name() else [])
    for spec in specs:
        what = "-u %s" % spec
        t = start_proclife(["--json", "-u", spec])
        npid, nst = run(["/bin/true", "pl-nobody"], preexec_fn=drop_to_nobody)
        rpid, rst = run(["/bin/true", "pl-root"])
        rc = t.stop()
        check_clean_stop(c, t, rc)
        events = parse_json_lines(c, t.stdout_bytes())
        c.eq("nobody child wait status (scenario)", 0, nst)
        c.eq("root child wait status (scenario)", 0, rst)
        for ev in events:
            if ev["event"] == "lost":
                continue
            if not (ev.get("uid") == NOBODY or (ev["event"] == "signal" and ev.get("target_uid") == NOBODY)):
                c.fail("%s: event of another uid: %s" % (what, short(ev)))
            if rpid in (ev.get("pid"), ev.get("target"), ev.get("child")) or "pl-root" in (ev.get("argv") or []):
                c.fail("%s: event of the root child (pid %d): %s" % (what, rpid, short(ev)))
        ex = c.one("%s: exec of the nobody child %d" % (what, npid), select_events(events, event="exec", pid=npid))
        c.fields("%s: exec" % what, ex, {"uid": NOBODY, "gid": NOBODY, "argv": ["/bin/true", "pl-nobody"]})
        xe = c.one("%s: exit of the nobody child %d" % (what, npid), select_events(events, event="exit", pid=npid))
        c.fields("%s: exit" % what, xe, dict(status_truth(nst), uid=NOBODY))


def test_filter_failed(c):
    t = start_proclife(["--json", "--failed"])
    ok_pid, ok_st = run(["/bin/sh", "-c", "exit 0"])
    true_pid, true_st = run(["/bin/true", "pl-failed-ok"])
    bad_pid, bad_st = run(["/bin/sh", "-c", "exit 7"])
    fx_pid, fx_st = run([sys.executable, "-c", EXEC_TRY, "/nonexistent/pl-failed"])
    # A signal the target ignores (SIG_IGN survives exec) is not delivered; the SIGKILL that follows is.
    ig = popen(["/bin/sleep", "30"], preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN))
    wait_asleep(ig.pid)
    os.kill(ig.pid, signal.SIGUSR1)
    os.kill(ig.pid, signal.SIGKILL)
    ig_st = reap_popen(ig)
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    c.eq("exit 7 child status (scenario)", 7 << 8, bad_st)
    c.eq("failed exec child status (scenario)", errno.ENOENT << 8, fx_st)

    for ev in events:
        kind = ev["event"]
        if kind == "lost":
            continue
        if kind == "exec_failed":
            continue
        if kind == "exit" and ev.get("status") != 0:
            continue
        if kind == "signal" and ev.get("result") != "delivered":
            continue
        c.fail("--failed let through an event that did not fail: %s" % short(ev))
    for pid, what in ((ok_pid, "sh -c 'exit 0'"), (true_pid, "/bin/true (successful exec)")):
        got = select_events(events, pid=pid)
        c.ok("--failed: events of %s (pid %d), expected none: %s"
             % (what, pid, "; ".join(short(e) for e in got[:3])), not got)
    got = select_events(events, pid=bad_pid)
    c.eq("--failed: event types of sh -c 'exit 7' (pid %d)" % bad_pid, ["exit"], [e["event"] for e in got])
    if got:
        c.fields("exit 7", got[0], status_truth(bad_st))
    got = select_events(events, pid=fx_pid)
    c.eq("--failed: event types of the failed-exec child (pid %d)" % fx_pid,
         ["exec_failed", "exit"], sorted(e["event"] for e in got))
    c.fields("exec_failed", c.one("exec_failed of pid %d" % fx_pid, select_events(got, event="exec_failed")),
             {"filename": "/nonexistent/pl-failed", "error": "ENOENT", "errno": errno.ENOENT})
    c.fields("exit of the failed-exec child",
             c.one("exit of pid %d" % fx_pid, select_events(got, event="exit")), status_truth(fx_st))
    sigs = select_events(events, event="signal", pid=MYPID, target=ig.pid)
    c.eq("--failed: signals from the test to the SIGUSR1-ignoring sleep (pid %d)" % ig.pid,
         [("SIGUSR1", "ignored")], [(e.get("signame"), e.get("result")) for e in sigs])
    got = select_events(events, pid=ig.pid)
    c.eq("--failed: events of the SIGKILLed sleep (pid %d)" % ig.pid, ["exit"], [e["event"] for e in got])
    if got:
        c.fields("exit of the SIGKILLed sleep", got[0], status_truth(ig_st))


def test_filter_pid(c):
    sh = popen(["/bin/sh", "-c", 'read x; /bin/true child1; sh -c "/bin/true grandchild"'],
               stdin=subprocess.PIPE)
    t = start_proclife(["--json", "-e", "exec", "-p", str(sh.pid)])
    sh.stdin.write(b"go\n")
    sh.stdin.flush()
    upid = spawn([b"/bin/true", b"unrelated"])
    ust = waitpid_deadline(upid)
    sh.stdin.close()
    st = reap_popen(sh)
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    c.eq("shell wait status (scenario)", 0, st)
    c.eq("unrelated /bin/true wait status (scenario)", 0, ust)
    c.ok("-e exec with -p: events other than exec: %s" % sorted({e["event"] for e in events}),
         {e["event"] for e in events} <= {"exec"})
    got = sorted(e.get("argv") for e in events if e["event"] == "exec")
    want = sorted([["/bin/true", "child1"], ["sh", "-c", "/bin/true grandchild"], ["/bin/true", "grandchild"]])
    c.eq("argv of the execs seen with -p %d" % sh.pid, want, got)
    c.ok("exec of the unrelated /bin/true (pid %d) shown" % upid,
         not select_events(events, pid=upid))
    # Every pid reported is the shell or one of its descendants (forked after it started).
    for ev in events:
        if ev.get("pid") != sh.pid and ev.get("ppid") == MYPID:
            c.fail("event of a child of the test, not of the shell tree: %s" % short(ev))


def test_output_file(c):
    tmp = tmpdir("pl_e2e_")
    path = os.path.join(tmp, "events.jsonl")
    t = start_proclife(["-o", path, "--json", "-e", "exec"])
    pid, st = run(["/bin/true", "pl-output-marker"])
    rc = t.stop()
    check_clean_stop(c, t, rc)
    c.eq("stdout with -o", b"", t.stdout_bytes())
    if not os.path.exists(path):
        c.fail("output file %s was not created" % path)
        return
    mode = stat.S_IMODE(os.stat(path).st_mode)
    c.eq("output file mode", "0o600", oct(mode))
    with open(path, "rb") as f:
        data = f.read()
    events = parse_json_lines(c, data, "output file")
    ex = c.one("exec of pid %d in the file" % pid, select_events(events, event="exec", pid=pid))
    c.fields("exec", ex, {"argv": ["/bin/true", "pl-output-marker"], "filename": "/bin/true"})


def summary_case(c, sig):
    t = start_proclife(["--json"])
    pid, st = run(["/bin/true", "pl-summary"])
    rc = t.stop(sig)
    c.eq("exit status after %s" % sig.name, 0, rc)
    err = t.stderr_bytes().decode("utf-8", "replace")
    c.ok("stderr does not end with a newline: %r" % err[-200:], err.endswith("\n"))
    lines = err.rstrip("\n").split("\n")
    c.eq("first stderr line", READY_WATCH.decode().rstrip("\n"), lines[0])
    c.eq("number of stderr lines", 2, len(lines))
    m = SUMMARY_RE.match(lines[-1])
    if not m:
        c.fail("last stderr line is not the summary: expected to match %r, got %r"
               % (SUMMARY_RE.pattern, lines[-1]))
        return
    (total, fork, exe, exf, ext, reap, sg, dl, ren, cred,
     derived, stop, cont, zombie, reparent, resync, container, lost) = (int(x) for x in m.groups())
    c.eq("summary total = sum of the per-type counts", fork + exe + exf + ext + reap + sg + dl + ren + cred, total)
    c.eq("summary derived = sum of the per-type counts", stop + cont + zombie + reparent + resync + container,
         derived)
    c.eq("lost in the summary", 0, lost)
    for what, n in (("fork", fork), ("exec", exe), ("exit", ext), ("reap", reap)):
        c.ok("summary: %s count %d, expected >= 1 (the test ran /bin/true)" % (what, n), n >= 1)
    events = parse_json_lines(c, t.stdout_bytes())
    c.ok("summary total %d + derived %d < %d events printed" % (total, derived, len(events)),
         total + derived >= len(events))


def test_sigint_summary(c):
    summary_case(c, signal.SIGINT)


def test_sigterm_summary(c):
    summary_case(c, signal.SIGTERM)


USAGE_ERRORS = [
    ["--bogus"],
    ["-e", "nosuchevent"],
    ["-e", ""],
    ["-p", "abc"],
    ["-p", "0"],
    ["-p", "-5"],
    ["--arg-bytes", "-1"],
    ["--arg-bytes", "99999999"],
    ["--arg-bytes", "65537"],
    ["-u", "no_such_user_xyz"],
    ["-c", ""],
    ["-o"],
    ["nosuchcommand"],
    ["--json", "extra"],
    ["-p", "999999999"],
]


def test_usage_errors(c):
    for args in USAGE_ERRORS:
        rc, out, err = run_proclife(args)
        what = "proclife %s" % " ".join(repr(a) if not a or " " in a else a for a in args)
        check_usage_error(c, what, rc, out, err, b"proclife: ")


def test_help_version(c):
    for args in (["--help"], ["-h"], ["watch", "--help"]):
        rc, out, err = run_proclife(args)
        c.eq("proclife %s: exit status" % " ".join(args), 0, rc)
        c.ok("proclife %s: stdout does not start with 'Usage: proclife': %r" % (" ".join(args), out[:80]),
             out.startswith(b"Usage: proclife"))
        for opt in (b"--events", b"--pid", b"--comm", b"--uid", b"--failed", b"--json", b"--output",
                    b"--arg-bytes", b"--version"):
            c.ok("proclife %s: usage does not mention %s" % (" ".join(args), opt.decode()), opt in out)
        c.eq("proclife %s: stderr" % " ".join(args), b"", err)
    for args in (["--version"], ["-V"]):
        rc, out, err = run_proclife(args)
        c.eq("proclife %s: exit status" % " ".join(args), 0, rc)
        c.ok("proclife %s: stdout is not 'proclife X.Y.Z\\n': %r" % (" ".join(args), out),
             re.match(rb"^proclife \d+\.\d+\.\d+\S*\n$", out) is not None)
        c.eq("proclife %s: stderr" % " ".join(args), b"", err)


def test_not_root(c):
    try:
        rc, out, err = run_proclife(["--json"], timeout=10, preexec_fn=drop_to_nobody)
    except PermissionError:
        # nobody cannot reach the binary where it is: test a copy.
        tmp = tmpdir("pl_e2e_")
        os.chmod(tmp, 0o755)
        exe = os.path.join(tmp, "proclife")
        shutil.copy2(common.BIN, exe)
        os.chmod(exe, 0o755)
        rc, out, err = run_proclife(["--json"], timeout=10, preexec_fn=drop_to_nobody, exe=exe)
    if rc is None:
        c.fail("proclife run as uid %d: still running after 10 s (expected exit status 1); stderr %r"
               % (NOBODY, err))
        return
    c.eq("exit status as uid %d" % NOBODY, 1, rc)
    c.eq("stdout as uid %d" % NOBODY, b"", out)
    if not one_line(err, b"proclife: "):
        c.fail("stderr as uid %d: expected exactly one line starting with 'proclife: ', got %r"
               % (NOBODY, err))
    c.ok("stderr as uid %d does not mention root and CAP_BPF: %r" % (NOBODY, err),
         b"root" in err and b"CAP_BPF" in err)


def test_arg_bytes_truncation(c):
    cap = 64
    cases = {
        # 10 + 17 + 17 + 19 = 63 bytes, then the cap cuts "delta-..." after its first byte.
        "cut inside an argument": [b"/bin/true", b"alpha-0123456789", b"bravo-0123456789",
                                   b"charlie-0123456789", b"delta-0123456789"]
                                  + [b"more%03d" % i for i in range(20)],
        # 10 + 17 + 17 + 20 = 64: the cap falls right after a NUL.
        "cut after a NUL": [b"/bin/true", b"alpha-0123456789", b"bravo-0123456789",
                            b"charlie-01234567890", b"next", b"and-more"],
        # Exactly 64 bytes: nothing is cut.
        "exactly the cap": [b"/bin/true", b"alpha-0123456789", b"bravo-0123456789",
                            b"charlie-01234567890"],
        # 65 bytes: one byte too many, the final NUL is cut.
        "one byte over": [b"/bin/true", b"alpha-0123456789", b"bravo-0123456789",
                          b"charlie-012345678901"],
    }
    t = start_proclife(["--json", "-e", "exec", "--arg-bytes", str(cap)])
    pids = {}
    for what, argv in cases.items():
        pid = spawn(argv, b"/bin/true")
        c.eq("%s: /bin/true wait status (scenario)" % what, 0, waitpid_deadline(pid))
        pids[what] = pid
    rc = t.stop()
    check_clean_stop(c, t, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    for what, argv in cases.items():
        pid = pids[what]
        area = b"".join(a + b"\0" for a in argv)
        full = [a.decode() for a in argv]
        ev = c.one("%s: exec of pid %d" % (what, pid), select_events(events, event="exec", pid=pid))
        if not ev:
            continue
        truncated = len(area) > cap
        c.fields(what, ev, {"truncated": truncated, "argv_bytes": len(area), "argc": len(argv),
                            "filename": "/bin/true"})
        kept = ev.get("argv") or []
        # The general property: a prefix of the real argv, the last kept one possibly cut.
        prefix_ok = (len(kept) <= len(full) and kept[:-1] == full[:len(kept) - 1]
                     and (not kept or full[len(kept) - 1].startswith(kept[-1])))
        c.ok("%s: kept argv %r is not a prefix of the real argv %r" % (what, kept, full[:len(kept) + 1]),
             prefix_ok)
        # Exactly: the first `cap` bytes of the argument area, split at the NULs.
        head = area[:cap]
        want = head.split(b"\0")
        if head.endswith(b"\0"):
            want.pop()
        c.eq("%s: kept argv" % what, [w.decode() for w in want], kept)


def test_pipe_closed(c):
    # No reader thread on stdout: the test reads one line itself, then closes the pipe
    # (a thread blocked in read() would keep the pipe's read end open).
    t = Proclife(["--json"], read_stdout=False)
    t.wait_ready()
    fd = t.p.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + 10
    while b"\n" not in buf:
        if time.monotonic() > deadline:
            raise Failure("no line on proclife's stdout within 10 s")
        run(["/bin/true", "pl-pipe"])
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise Failure("proclife closed its stdout before writing a line; stderr %r" % t.stderr_bytes())
            buf += chunk
    first = buf.split(b"\n", 1)[0]
    parse_json_lines(c, first + b"\n", "first line")
    t.p.stdout.close()  # the pipe has no reader left: proclife's next write gets EPIPE
    closed_at = time.monotonic()
    rc = None
    while time.monotonic() - closed_at < 5:
        run(["/bin/true", "pl-pipe"])
        rc = t.p.poll()
        if rc is not None:
            break
        time.sleep(0.05)
    if rc is None:
        c.fail("proclife still running 5 s after its stdout pipe was closed (expected it to exit with 0)")
        t.kill()
        return
    t.join_readers(5)
    c.eq("exit status after the pipe closed (negative: killed by that signal)", 0, rc)
    err = t.stderr_bytes()
    for bad in (b"Traceback", b"Segmentation", b"Aborted", b"Broken pipe", b"writing"):
        c.ok("stderr mentions %r: %r" % (bad, err), bad not in err)
    lines = err.decode("utf-8", "replace").rstrip("\n").split("\n")
    c.ok("stderr does not end with the summary line: %r" % err[-300:], bool(SUMMARY_RE.match(lines[-1])))


SUBTESTS = [
    ("json_exec_argv_hostile", test_json_exec_argv_hostile, ROOT),
    ("text_output_is_terminal_safe", test_text_output_is_terminal_safe, ROOT),
    ("exit_codes_and_signals", test_exit_codes_and_signals, ROOT),
    ("exec_failed", test_exec_failed, ROOT),
    ("signal_and_reap", test_signal_and_reap, ROOT),
    ("filter_comm", test_filter_comm, ROOT),
    ("filter_events", test_filter_events, ROOT),
    ("filter_uid", test_filter_uid, ROOT),
    ("filter_failed", test_filter_failed, ROOT),
    ("filter_pid", test_filter_pid, ROOT),
    ("output_file", test_output_file, ROOT),
    ("sigint_summary", test_sigint_summary, ROOT),
    ("sigterm_summary", test_sigterm_summary, ROOT),
    ("usage_errors", test_usage_errors, ()),
    ("help_version", test_help_version, ()),
    ("not_root", test_not_root, ROOT),
    ("arg_bytes_truncation", test_arg_bytes_truncation, ROOT),
    ("pipe_closed", test_pipe_closed, ROOT),
]


if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, subtest_timeout=SUBTEST_TIMEOUT))
