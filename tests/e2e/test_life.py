#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of `proclife life PID -r FILE [--json]`: one process's story
from a recording. Each subtest records (`proclife record -w FILE`) while it
plays a scenario whose ground truth it knows (the pids it started, the argv
it gave, the signals it sent, the statuses waitpid() gave it), stops the
recorder with SIGINT, and compares the story with that truth: exact pids,
argv (a hostile argument included), signal numbers, senders, exit statuses,
reapers, children.

Usage: tests/e2e/test_life.py PATH/TO/proclife [SUBTEST...]
Needs root (the recording subtests are skipped otherwise). Python stdlib only.

Output, one line per subtest:
    PASS e2e/life_<name>
    FAIL e2e/life_<name>     (after indented lines saying what differed)
    SKIP e2e/life_<name>: <why>
Exit status 1 if any subtest failed, else 0.

The machine has other activity: only the scenario's own pids are asked
about. Every wait has a deadline, each subtest has an alarm, and each
subtest kills and reaps whatever it started and removes its files.
"""
import os
import re
import shutil
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    MYPID, ROOT, Failure, Lines, Skip, check_usage_error, my_comm, one_line, parse_json, popen, reap_popen,
    run_proclife, short, start_proclife, tmpdir, wait_asleep, wait_state,
)

SUBTEST_TIMEOUT = 120  # backstop for a whole subtest (SIGALRM)
REPLAY_TIMEOUT = 60.0  # one `proclife life` over a recording
READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
PID_NEVER = 4194304  # PID_MAX_LIMIT: no process can have it (pids stop at pid_max - 1)

# An argument with an escape byte and invalid UTF-8: JSON says U+FFFD for each bad byte, text \xNN.
HOSTILE = b"ev\x1bil\xff\xfe"
HOSTILE_JSON = "ev\x1bil\ufffd\ufffd"
HOSTILE_TEXT = b'"ev\\x1bil\\xff\\xfe"'

# The story's subject: handles SIGUSR1, says "ready", waits for a line (meanwhile the test sends
# SIGUSR1, SIGSTOP, SIGCONT), forks a child that execs `sh -c "exit 5"`, reaps it, says
# "child PID STATUS" and exits 7.
CHILD = r"""
import os, signal, sys
signal.signal(signal.SIGUSR1, lambda s, f: os.write(1, b"caught\n"))
signal.alarm(100)  # backstop: never outlive a test run that was killed
os.write(1, b"ready\n")
sys.stdin.buffer.readline()
pid = os.fork()
if pid == 0:
    os.execv("/bin/sh", ["sh", "-c", "exit 5"])
_, st = os.waitpid(pid, 0)
os.write(1, b"child %d %d\n" % (pid, st))
os._exit(7)
"""


def record(path):
    """`proclife record -w path`, once it said it is recording."""
    return start_proclife(["record", "-w", path], (READY_RECORD % path).encode())


def stop_recorder(c, t):
    rc = t.stop(signal.SIGINT)
    c.eq("recorder: exit status after SIGINT", 0, rc)


def life(c, pid, path, json_out=True):
    """`proclife life PID -r path [--json]`: exit status 0, nothing on stderr; the lives (JSON) or the text."""
    args = ["life", str(pid), "-r", path] + (["--json"] if json_out else [])
    rc, out, err = run_proclife(args, REPLAY_TIMEOUT)
    what = "proclife " + " ".join(args)
    if rc is None:
        raise Failure("%s did not finish within %.0f s" % (what, REPLAY_TIMEOUT))
    c.eq("%s: exit status" % what, 0, rc)
    c.eq("%s: stderr" % what, b"", err)
    if not json_out:
        return out
    lives = parse_json(out, what)
    if not isinstance(lives, list) or not lives or not all(isinstance(x, dict) for x in lives):
        raise Failure("%s: expected a non-empty array of lives, got %s" % (what, short(lives)))
    for i, x in enumerate(lives):
        c.eq("%s: life %d: pid" % (what, i + 1), pid, x.get("pid"))
        c.eq("%s: life %d: number" % (what, i + 1), i + 1, x.get("life"))
    return lives


def events_of(lv, event, **match):
    return [e for e in lv["events"] if e["event"] == event and all(e.get(k) == v for k, v in match.items())]


# What the life used, at the end of its exit line: CPU, the most memory, storage I/O.
USED = rb"; used cpu \d+\.\d\ds  rss [\d.]+[BKMG]  io r [\d.]+[BKMG]? w [\d.]+[BKMG]?"


def index_of(lv, e):
    return next(i for i, x in enumerate(lv["events"]) if x is e)


def check_text_line(c, text, event, pattern, what):
    """text has a line whose EVENT column is event and whose details match the regex pattern."""
    rx = re.compile(rb"^\d\d:\d\d:\d\d\.\d{3} +-?\d+\.\d{3}  " + re.escape(event.encode()) + rb" +" + pattern + rb"$",
                    re.M)
    c.ok("text: no %s line matching %r (%s) in:\n%s" % (event, pattern, what, text.decode("utf-8", "replace")),
         rx.search(text) is not None)


def born_by_test():
    return {"how": "fork", "by": MYPID, "by_comm": my_comm(), "parent": MYPID, "parent_comm": my_comm(),
            "argv": None, "state": "running"}


def test_story(c):
    path = os.path.join(tmpdir("pl_life_"), "story.plr")
    t = record(path)
    p = popen([sys.executable, "-c", CHILD, HOSTILE], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lines = Lines(p.stdout)
    lines.wait_for(b"ready")
    os.kill(p.pid, signal.SIGUSR1)
    lines.wait_for(b"caught")
    os.kill(p.pid, signal.SIGSTOP)
    wait_state(p.pid, ("T",))
    os.kill(p.pid, signal.SIGCONT)
    wait_state(p.pid, ("S", "R", "D"))
    p.stdin.write(b"go\n")
    p.stdin.flush()
    _, gc, gst = lines.wait_for(b"child ").split()
    gc, gst = int(gc), int(gst)
    status = reap_popen(p)
    stop_recorder(c, t)
    c.eq("scenario: the child's status (waitpid)", 7 << 8, status)
    c.eq("scenario: the grandchild's status (its waitpid)", 5 << 8, gst)
    argv = [sys.executable, "-c", CHILD, HOSTILE_JSON]

    lives = life(c, p.pid, path)
    lv = c.one("lives of pid %d" % p.pid, lives)
    if lv is None:
        return
    c.fields("life", lv, {
        "start_exact": True, "comm": os.path.basename(sys.executable)[:15], "filename": sys.executable,
        "argv": argv, "execs": 1, "orphaned": False, "adopted_by": None, "end_state": "reaped",
        "alive_at_end": False, "events_left_out": 0, "children_left_out": 0,
    })
    c.fields("born", lv.get("born"), born_by_test())
    c.fields("exit", lv.get("exit"), {"exit_code": 7, "term_signal": None, "core_dumped": False, "status": status,
                                      "killed_by": None, "children_to": None})
    c.fields("reap", lv.get("reap"), {"how": "wait", "reaper": MYPID, "reaper_comm": my_comm()})

    # The story, in order: born, exec, SIGUSR1, SIGSTOP, stop, SIGCONT, continue, fork, exit, reap.
    c.eq("first event", "born", lv["events"][0]["event"])
    x = c.one("exec events", events_of(lv, "exec"))
    c.fields("exec", x, {"filename": sys.executable, "argv": argv, "argc": 4, "truncated": False})
    c.eq("exec_failed events", [], events_of(lv, "exec_failed"))
    mine = [e for e in events_of(lv, "signal_received") if e["from"] == MYPID]
    c.eq("signals received from the test, in order", [10, 19, 18], [e["sig"] for e in mine])
    from_test = {"from": MYPID, "from_comm": my_comm(), "origin": None, "syscall": "kill", "code": "kill",
                 "errno": None, "blocked": False, "group": True, "target_arg": p.pid}
    usr1, stop_sig, cont = (mine + [None] * 3)[:3]
    c.fields("SIGUSR1", usr1, dict(from_test, signame="SIGUSR1", result="delivered", outcome="handler",
                                   disposition="handler"))
    c.fields("SIGUSR1 taken", usr1 and usr1["taken"], {"action": "handler", "default_action": None, "fatal": False})
    c.fields("SIGSTOP", stop_sig, dict(from_test, signame="SIGSTOP", result="delivered", outcome="default: stop",
                                       disposition="default"))
    c.fields("SIGSTOP taken", stop_sig and stop_sig["taken"], {"action": "default", "default_action": "stop",
                                                                "fatal": False})
    c.fields("SIGCONT", cont, dict(from_test, signame="SIGCONT", result="ignored",
                                   outcome="continues it (default)", disposition="default", taken=None))
    st = c.one("stop events", events_of(lv, "stop"))
    c.fields("stop", st, {"sig": 19, "signame": "SIGSTOP"})
    co = c.one("continue events", events_of(lv, "continue"))
    c.fields("continue", co, {"sig": 18, "signame": "SIGCONT"})
    fk = c.one("fork events", events_of(lv, "fork"))
    c.fields("fork", fk, {"child": gc})
    ex = c.one("exit events", events_of(lv, "exit"))
    rp = c.one("reap events", events_of(lv, "reap"))
    c.eq("signals it sent", [], events_of(lv, "signal_sent"))
    if None not in (x, usr1, stop_sig, st, cont, co, fk, ex, rp):
        order = [index_of(lv, e) for e in (x, usr1, stop_sig, st, cont, co, fk, ex, rp)]
        c.ok("events out of order (exec, SIGUSR1, SIGSTOP, stop, SIGCONT, continue, fork, exit, reap): %s"
             % order, order == sorted(order))
        c.eq("the last event", "reap", lv["events"][-1]["event"])
    ch = c.one("children", lv["children"])
    c.fields("child", ch, {"pid": gc, "comm": "sh", "filename": "/bin/sh", "argv": ["sh", "-c", "exit 5"],
                           "argv_truncated": False, "exited": True, "exit_code": 5, "term_signal": None,
                           "status": gst, "reaped": True, "reaper": p.pid, "adopted_by": None})

    # The text says the same.
    text = life(c, p.pid, path, json_out=False)
    c.ok("text: a raw escape byte reached the output", b"\x1b" not in text)
    c.ok("text: does not start with the life's title: %r" % text[:100],
         text.startswith(b"pid %d, life 1 of 1: " % p.pid))
    me = re.escape(b"%d (%s)" % (MYPID, my_comm().encode()))
    check_text_line(c, text, "born", b"forked by " + me, "born")
    check_text_line(c, text, "exec", re.escape(sys.executable.encode()) + rb": .*" + re.escape(HOSTILE_TEXT), "exec")
    check_text_line(c, text, "signal", rb"SIGUSR1 from " + me + rb" \[kill\]: delivered \(handler\); taken "
                    rb"\d+\.\d{3}s later: handler", "SIGUSR1")
    check_text_line(c, text, "signal", rb"SIGSTOP from " + me + rb" \[kill\]: delivered \(default: stop\); taken "
                    rb"\d+\.\d{3}s later: default \(stop\)", "SIGSTOP")
    check_text_line(c, text, "stop", rb"stopped by SIGSTOP", "stop")
    check_text_line(c, text, "signal", rb"SIGCONT from " + me + rb" \[kill\]: continues it \(default\)", "SIGCONT")
    check_text_line(c, text, "continue", rb"continued by SIGCONT", "continue")
    check_text_line(c, text, "fork", b"child %d" % gc, "fork")
    check_text_line(c, text, "exit", rb"exit 7, after \d+\.\d{3}s" + USED, "exit")
    check_text_line(c, text, "reap", b"reaped by " + me + rb", a zombie for \d+\.\d{3}s", "reap")
    c.ok("text: no children lines for %d: %r" % (gc, text[-400:]),
         re.search(rb"^children: 1\n  %d +sh -c \"exit 5\"  \[born \d\d:\d\d:\d\d\.\d{3}; exit 5 after "
                   rb"\d+\.\d{3}s, reaped by %d\]\n\Z" % (gc, p.pid), text, re.M) is not None)


def test_killed_and_preexisting(c):
    path = os.path.join(tmpdir("pl_life_"), "killed.plr")
    old = popen(["sleep", "61"])  # before the recording: its story starts in the snapshot
    wait_asleep(old.pid)
    t = record(path)
    p = popen(["sleep", "60"])
    wait_asleep(p.pid)
    os.kill(p.pid, signal.SIGTERM)
    st_term = reap_popen(p)
    os.kill(old.pid, signal.SIGKILL)
    st_kill = reap_popen(old)
    stop_recorder(c, t)
    c.eq("scenario: sleep 60's status (waitpid)", int(signal.SIGTERM), st_term)
    c.eq("scenario: sleep 61's status (waitpid)", int(signal.SIGKILL), st_kill)

    killer = {"syscall": "kill", "origin": None, "pid": MYPID, "tid": MYPID, "comm": my_comm()}
    lv = c.one("lives of sleep 60", life(c, p.pid, path))
    if lv is not None:
        c.fields("sleep 60", lv, {"comm": "sleep", "filename": shutil.which("sleep"), "argv": ["sleep", "60"],
                                  "execs": 1, "end_state": "reaped", "alive_at_end": False})
        c.fields("sleep 60: born", lv["born"], born_by_test())
        c.fields("sleep 60: exit", lv["exit"], {"exit_code": None, "term_signal": 15, "core_dumped": False,
                                                "status": st_term})
        c.fields("sleep 60: killed_by", lv["exit"] and lv["exit"]["killed_by"],
                 dict(killer, sig=15, signame="SIGTERM"))
        c.fields("sleep 60: reap", lv["reap"], {"how": "wait", "reaper": MYPID, "reaper_comm": my_comm()})
        sig = c.one("sleep 60: SIGTERM received", events_of(lv, "signal_received", sig=15))
        c.fields("sleep 60: SIGTERM", sig, {"from": MYPID, "syscall": "kill", "result": "delivered",
                                            "outcome": "default: terminate"})
        c.fields("sleep 60: SIGTERM taken", sig and sig["taken"], {"action": "default",
                                                                   "default_action": "terminate", "fatal": True})
        c.eq("sleep 60: children", [], lv["children"])
    text = life(c, p.pid, path, json_out=False)
    me = re.escape(b"%d (%s)" % (MYPID, my_comm().encode()))
    check_text_line(c, text, "exit", rb"killed by SIGTERM from " + me + rb" \[kill\], after \d+\.\d{3}s" + USED, "exit")
    check_text_line(c, text, "reap", b"reaped by " + me + rb", a zombie for \d+\.\d{3}s", "reap")

    lv = c.one("lives of sleep 61", life(c, old.pid, path))
    if lv is not None:
        c.fields("sleep 61", lv, {"start_exact": True, "comm": "sleep", "filename": None, "argv": ["sleep", "61"],
                                  "execs": 0, "end_state": "reaped"})
        c.fields("sleep 61: born", lv["born"], {"time": None, "how": "before_recording", "by": None,
                                                "by_comm": None, "parent": MYPID, "parent_comm": my_comm(),
                                                "argv": ["sleep", "61"], "state": "running"})
        c.fields("sleep 61: exit", lv["exit"], {"exit_code": None, "term_signal": 9, "status": st_kill})
        c.fields("sleep 61: killed_by", lv["exit"] and lv["exit"]["killed_by"],
                 dict(killer, sig=9, signame="SIGKILL"))
        c.fields("sleep 61: reap", lv["reap"], {"how": "wait", "reaper": MYPID})
        c.eq("sleep 61: signals received from the test", [9],
             [e["sig"] for e in events_of(lv, "signal_received") if e["from"] == MYPID])
    text = life(c, old.pid, path, json_out=False)
    check_text_line(c, text, "born", rb"before the recording \(started at \d{4}-\d\d-\d\dT[\d:.]+Z\), parent "
                    + me + rb", running sleep 61", "born")


def test_alive_at_end(c):
    path = os.path.join(tmpdir("pl_life_"), "alive.plr")
    t = record(path)
    stopped = popen(["sleep", "60"])
    wait_asleep(stopped.pid)
    os.kill(stopped.pid, signal.SIGSTOP)
    wait_state(stopped.pid, ("T",))
    zombie = popen(["sh", "-c", "exit 2"])
    wait_state(zombie.pid, ("Z",))
    stop_recorder(c, t)  # then the scenario ends, unrecorded
    os.kill(stopped.pid, signal.SIGKILL)
    reap_popen(stopped)
    st = reap_popen(zombie)
    c.eq("scenario: sh's status (waitpid)", 2 << 8, st)

    lv = c.one("lives of the stopped sleep", life(c, stopped.pid, path))
    if lv is not None:
        c.fields("stopped sleep", lv, {"exit": None, "reap": None, "end_state": "stopped", "alive_at_end": True})
        c.eq("stopped sleep: stop events", [19], [e["sig"] for e in events_of(lv, "stop")])
    text = life(c, stopped.pid, path, json_out=False)
    check_text_line(c, text, "end", rb"still running when the recording ended \(stopped by SIGSTOP\)", "end")

    lv = c.one("lives of the zombie", life(c, zombie.pid, path))
    if lv is not None:
        c.fields("zombie", lv, {"reap": None, "end_state": "zombie", "alive_at_end": False})
        c.fields("zombie: exit", lv["exit"], {"exit_code": 2, "status": st})
    text = life(c, zombie.pid, path, json_out=False)
    check_text_line(c, text, "end", rb"still a zombie when the recording ended: its parent %d has not reaped it"
                    % MYPID, "end")


def set_last_pid(pid):
    with open("/proc/sys/kernel/ns_last_pid", "w") as f:
        f.write(str(pid))


def test_pid_reuse(c):
    path = os.path.join(tmpdir("pl_life_"), "reuse.plr")
    t = record(path)
    first = popen(["sh", "-c", "exit 3"])
    st1 = reap_popen(first)
    # The same pid again: ask the kernel for it (root), retrying when another process takes it first.
    second, st2 = None, None
    for _ in range(50):
        set_last_pid(first.pid - 1)
        p = popen(["sh", "-c", "exit 4"])
        st2 = reap_popen(p)
        if p.pid == first.pid:
            second = p
            break
    stop_recorder(c, t)
    if second is None:
        raise Skip("pid %d could not be had again (the machine is busy)" % first.pid)
    c.eq("scenario: statuses", (3 << 8, 4 << 8), (st1, st2))

    lives = life(c, first.pid, path)
    ours = [x for x in lives if x["born"]["by"] == MYPID and x["argv"] and x["argv"][0] == "sh"]
    if not c.eq("lives of pid %d that the test started" % first.pid, 2, len(ours)):
        return
    for lv, code in zip(ours, (3, 4)):
        what = "life %d" % lv["life"]
        c.fields(what, lv, {"argv": ["sh", "-c", "exit %d" % code], "end_state": "reaped", "start_exact": True})
        c.fields(what + ": exit", lv["exit"], {"exit_code": code, "status": code << 8})
        c.fields(what + ": reap", lv["reap"], {"how": "wait", "reaper": MYPID})
        c.fields(what + ": born", lv["born"], born_by_test())
    c.ok("the two lives are not in order", ours[0]["life"] < ours[1]["life"])
    c.ok("the two lives have the same start time", ours[0]["start_time"] < ours[1]["start_time"])
    text = life(c, first.pid, path, json_out=False)
    n = len(lives)
    for lv in ours:
        c.ok("text: no title for life %d" % lv["life"],
             (b"pid %d, life %d of %d: sh -c \"exit " % (first.pid, lv["life"], n)) in text)


def test_errors(c):
    path = os.path.join(tmpdir("pl_life_"), "empty.plr")
    t = record(path)
    stop_recorder(c, t)

    rc, out, err = run_proclife(["life", str(PID_NEVER), "-r", path], REPLAY_TIMEOUT)
    c.eq("life of a pid not in the recording: exit status", 1, rc)
    c.eq("life of a pid not in the recording: stdout", b"", out)
    c.eq("life of a pid not in the recording: stderr",
         b"proclife life: pid %d does not appear in %s\n" % (PID_NEVER, path.encode()), err)

    rc, out, err = run_proclife(["life", "1", "-r", path + ".missing"])
    c.eq("life -r a missing file: exit status", 1, rc)
    c.eq("life -r a missing file: stdout", b"", out)
    c.ok("life -r a missing file: stderr: expected one line, got %r" % err,
         one_line(err, b"proclife life: %s" % (path + ".missing").encode()))

    for args, prefix in ((["life", "1"], b"proclife life: needs --read FILE"),
                         (["life", "-r", path], b"proclife life: needs a PID"),
                         (["life", "abc", "-r", path], b"proclife life: PID must be a process id"),
                         (["life", "0", "-r", path], b"proclife life: PID must be a process id"),
                         (["life", "1", "2", "-r", path], b"proclife life: unexpected argument '2'"),
                         (["life", "1", "-r", path, "--bogus"], b"proclife life: unknown option '--bogus'"),
                         (["life", "1", "-r"], b"proclife life: option '-r' needs a value")):
        rc, out, err = run_proclife(args)
        check_usage_error(c, "proclife " + " ".join(args), rc, out, err, prefix)

    rc, out, err = run_proclife(["life", "--help"])
    c.eq("life --help: exit status", 0, rc)
    c.ok("life --help: usage on stdout: %r" % out[:200], out.startswith(b"Usage: proclife life PID -r FILE"))
    c.eq("life --help: stderr", b"", err)


SUBTESTS = [
    ("story", test_story, ROOT),
    ("killed_and_preexisting", test_killed_and_preexisting, ROOT),
    ("alive_at_end", test_alive_at_end, ROOT),
    ("pid_reuse", test_pid_reuse, ROOT),
    ("errors", test_errors, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="life_", subtest_timeout=SUBTEST_TIMEOUT))
