#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of proclife's signal audit: `watch -e signal,exit` (who sent
which signal to whom, by which syscall or for which kernel reason, what the
kernel did with it, and who killed a process) and `proclife signals` (the
summary). Each subtest makes processes send known signals and compares what
proclife reports with what the test did: the sender pid, the target pid, the
signal, the syscall, the result, the errno, the disposition.

Usage: tests/e2e/test_signals.py PATH/TO/proclife [SUBTEST...]
Needs root (the tracing subtests are skipped otherwise). Python stdlib only.

Output, one line per subtest:
    PASS e2e/signals_<name>
    FAIL e2e/signals_<name>     (after indented lines saying what differed)
    SKIP e2e/signals_<name>: <why>
Exit status 1 if any subtest failed, else 0.

The machine has other activity: every assertion looks only at events of the
scenario's own pids. Every wait has a deadline, each subtest has an alarm,
and each subtest kills and reaps whatever it started (proclife and tmux
included) when it ends.
"""
import ctypes
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    CHILD_TIMEOUT, MYPID, NOBODY, ROOT, Failure, Lines, Tmux, alive, all_pids, at_cleanup,
    check_usage_error, my_comm, parse_json, parse_json_lines, popen, proc_stat, proc_state, read_comm,
    reap_popen, run_proclife, select_events, short, start_many, start_proclife, status_truth, wait_asleep,
    wait_for, wait_state,
)

READY_SIGNALS = b"proclife: auditing signals, Ctrl-C to stop and print the summary\n"
SIGNALS_HEADER = "COUNT  SIGNAL"
SUBTEST_TIMEOUT = 90  # backstop for a whole subtest (SIGALRM)


def wait_gone(pid, timeout=CHILD_TIMEOUT):
    """Wait until pid has exited (gone, or a zombie someone else will reap)."""
    wait_for(lambda: not alive(pid), lambda: "process %d to exit (state %s)" % (pid, proc_state(pid)), timeout, 0.005)


def pgrp_members(pgid):
    """Processes whose process group is pgid, as /proc says now."""
    out = set()
    for pid in all_pids():
        st = proc_stat(pid)
        if st and st["pgrp"] == pgid and st["state"] not in ("Z", "X"):
            out.add(pid)
    return out


def unused_pid():
    """A pid no process or thread has, and far behind the allocation cursor."""
    with open("/proc/sys/kernel/pid_max") as f:
        pid_max = int(f.read())
    with open("/proc/sys/kernel/ns_last_pid") as f:
        last = int(f.read())
    for off in range(pid_max // 4, pid_max):
        pid = (last - off) % pid_max
        if pid > 300 and not os.path.exists("/proc/%d" % pid):
            return pid
    raise Failure("no unused pid found")


def main_thread_sig_masks():
    """(blocked, ignored, caught) signal bit masks of the test's main thread."""
    masks = {}
    with open("/proc/%d/task/%d/status" % (MYPID, MYPID)) as f:
        for ln in f:
            k, _, v = ln.partition(":")
            if k in ("SigBlk", "SigIgn", "SigCgt"):
                masks[k] = int(v.strip(), 16)
    return masks["SigBlk"], masks["SigIgn"], masks["SigCgt"]


# A python child: handles the signals named in argv[1], ignores those in argv[2],
# says "ready COMM", then one "caught N" line per handled signal, and waits.
SIG_CHILD = r"""
import os, signal, sys
def h(sig, frame):
    os.write(1, b"caught %d\n" % sig)
for n in filter(None, sys.argv[1].split(",")):
    signal.signal(getattr(signal, n), h)
for n in filter(None, sys.argv[2].split(",")):
    signal.signal(getattr(signal, n), signal.SIG_IGN)
signal.alarm(300)  # backstop: never outlive a test run that was killed
with open("/proc/self/comm", "rb") as f:
    comm = f.read().strip()
os.write(1, b"ready " + comm + b"\n")
while True:
    signal.pause()
"""


def start_sig_child(handle=(), ignore=()):
    """Returns (Popen, Lines, comm) once the child said it is ready."""
    p = popen([sys.executable, "-c", SIG_CHILD, ",".join(handle), ",".join(ignore)], stdout=subprocess.PIPE)
    lines = Lines(p.stdout)
    comm = lines.wait_for(b"ready ").split(b" ", 1)[1].decode()
    return p, lines, comm


# Drops to nobody, then kill(argv[1], argv[2]); prints "COMM RESULT" (OK or the errno name).
NOBODY_KILL = r"""
import errno, os, sys
os.setgroups([])
os.setgid(%d)
os.setuid(%d)
with open("/proc/self/comm") as f:
    comm = f.read().strip()
try:
    os.kill(int(sys.argv[1]), int(sys.argv[2]))
    r = "OK"
except OSError as e:
    r = errno.errorcode.get(e.errno, str(e.errno))
print(comm, r, flush=True)
""" % (NOBODY, NOBODY)


def kill_as_nobody(target, sig):
    """A child that becomes uid 65534 and sends sig to target; returns (its pid, its comm, result)."""
    p = popen([sys.executable, "-c", NOBODY_KILL, str(target), str(sig)], stdout=subprocess.PIPE)
    out = p.stdout.read()  # until it exits (bounded by the subtest alarm)
    st = reap_popen(p)
    if st != 0:
        raise Failure("the uid-%d killer exited with status %#x, output %r" % (NOBODY, st, out))
    try:
        comm, result = out.decode().split()
    except ValueError:
        raise Failure("the uid-%d killer printed %r" % (NOBODY, out))
    return p.pid, comm, result


def stop_watch(c, t):
    """Stop a watch; returns its events (every line strict JSON), checking a clean exit."""
    rc = t.stop()
    c.eq("%s: exit status" % t.name(), 0, rc)
    events = parse_json_lines(c, t.stdout_bytes())
    lost = [e for e in events if e["event"] == "lost"]
    c.ok("proclife lost events, the checks below may miss some: %s" % [short(e) for e in lost[:3]], not lost)
    return events


def stop_signals(c, t):
    """Stop a `proclife signals --json`; returns the summary object."""
    rc = t.stop()
    what = t.name()
    c.eq("%s: exit status" % what, 0, rc)
    check_stderr(c, what, t)
    out = t.stdout_bytes()
    obj = parse_json(out, "%s: stdout" % what)
    if not (isinstance(obj, dict) and isinstance(obj.get("signals"), list) and "lost" in obj):
        raise Failure("%s: expected {\"signals\": [...], \"lost\": N}, got %r" % (what, out[:500]))
    c.eq("%s: lost" % what, 0, obj["lost"])
    return obj


def sent_by_test(target, sig, target_comm, result, disposition, group=True, syscall="kill", target_arg=None):
    """The exact signal event of a kill()-family call the test made itself."""
    return {
        "pid": MYPID, "tid": MYPID, "uid": 0, "comm": my_comm(),
        "sig": sig, "signame": signal.Signals(sig).name if sig else "0",
        "target": target, "target_tid": target, "target_comm": target_comm, "target_uid": 0,
        "code": "sigqueue" if syscall == "rt_sigqueueinfo" else "kill",
        "si_code": -1 if syscall == "rt_sigqueueinfo" else 0,
        "result": result, "group": group, "syscall": syscall, "errno": None, "origin": None,
        "disposition": disposition, "blocked": False,
        "target_arg": target if target_arg is None else target_arg, "value": None,
    }


def killed_by_test(sig):
    return {"sig": sig, "signame": signal.Signals(sig).name, "origin": None, "syscall": "kill",
            "pid": MYPID, "tid": MYPID, "uid": 0, "comm": my_comm()}


def check_killed_by(c, what, ev, expected):
    if ev is None:
        return
    kb = ev.get("killed_by")
    if not isinstance(kb, dict):
        c.fail("%s: killed_by: expected an object, got %r\n      in %s" % (what, kb, short(ev)))
        return
    c.fields(what + ": killed_by", kb, expected)
    c.ok("%s: killed_by.time is not an RFC 3339 time: %r" % (what, kb.get("time")),
         isinstance(kb.get("time"), str) and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", kb["time"]))


# --------------------------------------------------------------------------
# Subtests


def test_handler_keeps_running(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    child, lines, comm = start_sig_child(handle=("SIGINT", "SIGTERM"))
    cpid = child.pid
    os.kill(cpid, signal.SIGINT)
    lines.wait_for(b"caught 2")
    os.kill(cpid, signal.SIGTERM)
    lines.wait_for(b"caught 15")
    time.sleep(0.1)
    c.ok("the child %d is not alive after catching SIGINT and SIGTERM (state %r)"
         % (cpid, proc_state(cpid)), alive(cpid))
    os.kill(cpid, signal.SIGKILL)
    status = reap_popen(child)
    c.ok("child wait status (scenario): expected death by SIGKILL, got %#x" % status,
         os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9)
    events = stop_watch(c, t)

    for sig, disp in ((signal.SIGINT, "handler"), (signal.SIGTERM, "handler"), (signal.SIGKILL, "default")):
        ev = c.one("%s signal event from the test to %d" % (sig.name, cpid),
                   select_events(events, event="signal", pid=MYPID, target=cpid, sig=int(sig)))
        c.fields("%s signal event" % sig.name, ev, sent_by_test(cpid, int(sig), comm, "delivered", disp))
    others = [e for e in select_events(events, event="signal", target=cpid) if e["sig"] not in (2, 15, 9)]
    c.eq("other signal events to the child", [], [short(e) for e in others])
    ex = c.one("exit event of %d" % cpid, select_events(events, event="exit", pid=cpid))
    c.fields("exit event", ex, dict(status_truth(status), ppid=MYPID, comm=comm, thread=False))
    check_killed_by(c, "exit event", ex, killed_by_test(9))


def test_nohup_hup_ignored(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    p = popen(["nohup", "sleep", "30"], stderr=subprocess.DEVNULL)
    wait_asleep(p.pid)
    os.kill(p.pid, signal.SIGHUP)
    time.sleep(0.2)
    c.ok("the nohup'd sleep %d did not survive SIGHUP (state %r)" % (p.pid, proc_state(p.pid)),
         alive(p.pid))
    os.kill(p.pid, signal.SIGKILL)
    status = reap_popen(p)
    events = stop_watch(c, t)

    ev = c.one("SIGHUP signal event from the test to %d" % p.pid,
               select_events(events, event="signal", pid=MYPID, target=p.pid, sig=1))
    c.fields("SIGHUP signal event", ev, sent_by_test(p.pid, 1, "sleep", "ignored", "ignored"))
    ex = c.one("exit event of %d" % p.pid, select_events(events, event="exit", pid=p.pid))
    c.fields("exit event", ex, status_truth(status))
    check_killed_by(c, "exit event (the SIGKILL, not the ignored SIGHUP)", ex, killed_by_test(9))


def test_stop_continue(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit,stop,continue"])
    # Its own process group in our session: SIGTSTP to an orphaned process group
    # is discarded by the kernel, and the test's own group may be orphaned.
    p = popen(["sleep", "30"], process_group=0)
    pid = p.pid
    wait_asleep(pid)
    for stopsig in (signal.SIGTSTP, signal.SIGSTOP):
        os.kill(pid, stopsig)
        wait_state(pid, ("T",))
        os.kill(pid, signal.SIGCONT)
        wait_state(pid, ("S", "R"))
    os.kill(pid, signal.SIGKILL)
    status = reap_popen(p)
    events = stop_watch(c, t)

    seq = [e for e in events
           if (e["event"] == "signal" and e["pid"] == MYPID and e["target"] == pid)
           or (e["event"] in ("stop", "continue") and e["pid"] == pid)]
    got = [(e["event"], e.get("signame")) for e in seq]
    expected = [("signal", "SIGTSTP"), ("stop", "SIGTSTP"), ("signal", "SIGCONT"), ("continue", "SIGCONT"),
                ("signal", "SIGSTOP"), ("stop", "SIGSTOP"), ("signal", "SIGCONT"), ("continue", "SIGCONT"),
                ("signal", "SIGKILL")]
    if not c.eq("signal/stop/continue events of %d, in order" % pid, expected, got):
        return
    # SIGCONT resumes the process when it is generated; with the default
    # disposition (ignore) the kernel then reports it as not queued: "ignored".
    results = {"SIGSTOP": "delivered", "SIGTSTP": "delivered", "SIGCONT": "ignored", "SIGKILL": "delivered"}
    for e, (kind, name) in zip(seq, expected):
        sig = int(signal.Signals[name])
        if kind == "signal":
            c.fields("%s signal event" % name, e, sent_by_test(pid, sig, "sleep", results[name], "default"))
        else:
            c.fields("%s event (%s)" % (kind, name), e,
                     {"pid": pid, "ppid": MYPID, "uid": 0, "comm": "sleep", "sig": sig, "signame": name})
    ex = c.one("exit event of %d" % pid, select_events(events, event="exit", pid=pid))
    c.fields("exit event", ex, status_truth(status))
    check_killed_by(c, "exit event", ex, killed_by_test(9))


def test_refused_eperm(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    sleeper = popen(["sleep", "30"])
    wait_asleep(sleeper.pid)
    kpid, kcomm, result = kill_as_nobody(sleeper.pid, signal.SIGTERM)
    c.eq("kill() as uid %d of a root process (scenario)" % NOBODY, "EPERM", result)
    c.ok("the sleep %d died of a refused SIGTERM" % sleeper.pid, alive(sleeper.pid))
    sleeper.kill()
    reap_popen(sleeper)
    events = stop_watch(c, t)

    mine = [e for e in select_events(events, event="signal", pid=kpid) if e["sig"] != 17]
    ev = c.one("signal events sent by the uid-%d child %d" % (NOBODY, kpid), mine)
    c.fields("refused SIGTERM", ev, {
        "pid": kpid, "tid": kpid, "uid": NOBODY, "gid": NOBODY, "comm": kcomm, "ppid": MYPID,
        "sig": 15, "signame": "SIGTERM", "target": sleeper.pid, "target_tid": sleeper.pid,
        "target_comm": "sleep", "target_uid": 0, "code": "kill", "si_code": 0,
        "result": "failed", "group": False, "syscall": "kill", "errno": "EPERM", "origin": None,
        "disposition": "default", "blocked": False, "target_arg": sleeper.pid, "value": None,
    })
    c.eq("SIGTERM signal events that reached the sleep %d" % sleeper.pid, [],
         [short(e) for e in select_events(events, event="signal", target=sleeper.pid, sig=15)
          if e["result"] != "failed"])


def test_refused_esrch_and_probe(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    sleeper = popen(["sleep", "30"])
    wait_asleep(sleeper.pid)
    gone = unused_pid()
    for sig in (signal.SIGTERM, 0):
        try:
            os.kill(gone, sig)
            raise Failure("kill(%d, %d) succeeded: the pid is in use after all" % (gone, sig))
        except ProcessLookupError:
            pass
    os.kill(sleeper.pid, 0)
    c.ok("the probed sleep %d is not alive" % sleeper.pid, alive(sleeper.pid))
    sleeper.kill()
    reap_popen(sleeper)
    events = stop_watch(c, t)

    missing = {"target": 0, "target_tid": 0, "target_comm": "", "target_uid": 0,
               "result": "failed", "errno": "ESRCH", "group": False, "target_arg": gone, "value": None}
    for sig in (15, 0):
        ev = c.one("signal %d event from the test at the unused pid %d" % (sig, gone),
                   select_events(events, event="signal", pid=MYPID, target_arg=gone, sig=sig))
        exp = sent_by_test(0, sig, "", "failed", "default", group=False, target_arg=gone)
        exp.update(missing)
        c.fields("kill(%d, %d)" % (gone, sig), ev, exp)
    c.eq("signal events from the test at pid %d besides these two" % gone, 2,
         len(select_events(events, event="signal", pid=MYPID, target_arg=gone)))
    ev = c.one("signal 0 event from the test to the sleep %d" % sleeper.pid,
               select_events(events, event="signal", pid=MYPID, target=sleeper.pid, sig=0))
    exp = sent_by_test(sleeper.pid, 0, "sleep", "probe", "default", group=False)
    c.fields("kill(%d, 0)" % sleeper.pid, ev, exp)


def test_process_group(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    sh = popen(["sh", "-c", "sleep 30 & sleep 30 & sleep 30 & wait"], start_new_session=True)
    pgid = sh.pid
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        members = pgrp_members(pgid)
        comms = sorted(read_comm(p) or "" for p in members)
        if comms == ["sh", "sleep", "sleep", "sleep"]:
            break
        if time.monotonic() > deadline:
            raise Failure("process group %d: expected sh and 3 sleeps, got %r" % (pgid, comms))
        time.sleep(0.005)
    c.eq("members of process group %d (sh and 3 sleeps)" % pgid, 4, len(members))
    os.killpg(pgid, signal.SIGTERM)
    status = reap_popen(sh)
    for pid in members:
        wait_gone(pid)
    events = stop_watch(c, t)

    evs = select_events(events, event="signal", pid=MYPID, target_arg=-pgid)
    c.eq("targets of the kill(-%d) signal events" % pgid, sorted(members), sorted(e["target"] for e in evs))
    for pid in sorted(members):
        comm = "sh" if pid == pgid else "sleep"
        ev = c.one("SIGTERM signal event from the test to %d (%s)" % (pid, comm),
                   select_events(events, event="signal", pid=MYPID, target=pid, sig=15))
        c.fields("SIGTERM to %d" % pid, ev,
                 sent_by_test(pid, 15, comm, "delivered", "default", group=True, target_arg=-pgid))
        ex = c.one("exit event of %d (%s)" % (pid, comm), select_events(events, event="exit", pid=pid))
        if pid == pgid:
            c.fields("exit of the sh", ex, status_truth(status))
        else:
            c.fields("exit of sleep %d" % pid, ex, {"exit_code": None, "term_signal": 15, "core_dumped": False})
        check_killed_by(c, "exit of %d" % pid, ex, killed_by_test(15))


def test_sigqueue_value(c):
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    child, lines, comm = start_sig_child(handle=("SIGUSR1",))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.sigqueue.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]  # union sigval: pointer-sized
    libc.sigqueue.restype = ctypes.c_int
    if libc.sigqueue(child.pid, int(signal.SIGUSR1), ctypes.c_void_p(42)) != 0:
        raise Failure("sigqueue: %s" % os.strerror(ctypes.get_errno()))
    lines.wait_for(b"caught 10")
    child.kill()
    reap_popen(child)
    events = stop_watch(c, t)

    ev = c.one("SIGUSR1 signal event from the test to %d" % child.pid,
               select_events(events, event="signal", pid=MYPID, target=child.pid, sig=10))
    exp = sent_by_test(child.pid, 10, comm, "delivered", "handler", syscall="rt_sigqueueinfo")
    exp["value"] = 42
    c.fields("sigqueue(SIGUSR1, 42)", ev, exp)


SEGV_CHILD = r"""
import ctypes, os, resource
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
with open("/proc/self/comm", "rb") as f:
    os.write(1, b"comm " + f.read().strip() + b"\n")
ctypes.string_at(0)
"""


def test_kernel_origins(c):
    _, ign, cgt = main_thread_sig_masks()
    bit = 1 << (signal.SIGCHLD - 1)
    chld_disp = "ignored" if ign & bit else "handler" if cgt & bit else "default"
    t = start_proclife(["watch", "--json", "-e", "signal,exit"])

    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    segv = popen([sys.executable, "-c", SEGV_CHILD], stdout=subprocess.PIPE, env=env)
    segv_comm = Lines(segv.stdout).wait_for(b"comm ").split(b" ", 1)[1].decode()
    segv_status = reap_popen(segv)
    c.ok("the SIGSEGV child (scenario): expected death by SIGSEGV, got status %#x" % segv_status,
         os.WIFSIGNALED(segv_status) and os.WTERMSIG(segv_status) == 11)

    r, w = os.pipe()
    os.close(r)
    try:
        yes = popen(["yes"], stdout=w)  # restore_signals: SIGPIPE is SIG_DFL in it
    finally:
        os.close(w)
    yes_status = reap_popen(yes)
    c.ok("yes writing to a closed pipe (scenario): expected death by SIGPIPE, got status %#x" % yes_status,
         os.WIFSIGNALED(yes_status) and os.WTERMSIG(yes_status) == 13)

    true = popen(["true"])
    true_status = reap_popen(true)
    c.eq("true (scenario) wait status", 0, true_status)
    events = stop_watch(c, t)

    for what, p, sig, code, comm, origin, st in (
            ("SIGSEGV", segv, 11, 1, segv_comm, "fault", segv_status),  # SEGV_MAPERR
            ("SIGPIPE", yes, 13, 0, "yes", "pipe", yes_status)):  # SEND_SIG_NOINFO: SI_USER from current
        ev = c.one("%s signal event to %d" % (what, p.pid),
                   select_events(events, event="signal", target=p.pid, sig=sig))
        c.fields("%s signal event" % what, ev, {
            "pid": p.pid, "tid": p.pid, "comm": comm, "uid": 0, "sig": sig, "signame": what,
            "target": p.pid, "target_tid": p.pid, "target_comm": comm, "target_uid": 0,
            "code": "kernel" if code > 0 else "kill", "si_code": code,
            "result": "delivered", "group": False, "syscall": None, "errno": None, "origin": origin,
            "disposition": "default", "blocked": False, "target_arg": None, "value": None,
        })
        ex = c.one("exit event of %d" % p.pid, select_events(events, event="exit", pid=p.pid))
        c.fields("%s exit event" % what, ex, status_truth(st))
        check_killed_by(c, "%s exit event" % what, ex, {
            "sig": sig, "signame": what, "origin": origin, "syscall": None,
            "pid": p.pid, "tid": p.pid, "uid": 0, "comm": comm})

    ev = c.one("SIGCHLD signal event from the exited %d to the test" % true.pid,
               select_events(events, event="signal", pid=true.pid, target=MYPID, sig=17))
    c.fields("SIGCHLD signal event", ev, {
        "pid": true.pid, "tid": true.pid, "uid": 0, "comm": "true", "ppid": MYPID,
        "sig": 17, "signame": "SIGCHLD", "target": MYPID, "target_uid": 0, "target_tid": MYPID, "target_comm": my_comm(),
        "code": "kernel", "si_code": 1,  # CLD_EXITED
        "group": True, "syscall": None, "errno": None, "origin": "child",
        "disposition": chld_disp, "target_arg": None, "value": None,
    })
    # Python blocks every signal around its own forks, so whether SIGCHLD was
    # blocked at that instant is the event's to say; the kernel queues a blocked
    # one even when ignoring is its disposition, and drops it otherwise.
    if ev is not None:
        queued = ev.get("blocked") or chld_disp == "handler"
        c.eq("SIGCHLD result given blocked=%r" % ev.get("blocked"), "delivered" if queued else "ignored",
             ev.get("result"))


SUMMARY_LINE = re.compile(rb"^proclife: \d+ events seen \(.*\), 0 lost\n$")


def check_stderr(c, what, t):
    """stderr: the ready line, then the closing summary with nothing lost."""
    err = t.stderr_bytes()
    c.ok("%s: stderr does not start with the ready line: %r" % (what, err[:200]), err.startswith(t.ready))
    rest = err[len(t.ready):]
    c.ok("%s: stderr after the ready line is not one summary line with 0 lost: %r" % (what, rest),
         bool(SUMMARY_LINE.match(rest)))


def test_tty_ctrl_c(c):
    found = {}  # pid: (comm, ppid) of the processes of the terminal

    def kill_leftovers():
        # The job and the pane go with the server; kill what is left of ours (still the same comm, parent).
        for pid, (comm, ppid) in found.items():
            if (proc_stat(pid) or {}).get("ppid") == ppid and read_comm(pid) == comm:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    at_cleanup(kill_leftovers)
    tm = Tmux("t", "bash --norc --noprofile", prefix="proclife-sigtest")
    server = int(tm.display("#{pid}"))
    found[server] = (read_comm(server), proc_stat(server)["ppid"])
    pane = tm.pane_pid()
    found[pane] = (read_comm(pane), proc_stat(pane)["ppid"])
    tm.wait(lambda screen: screen.strip(), "a prompt in the tmux pane", CHILD_TIMEOUT)

    t = start_proclife(["watch", "--json", "-e", "signal,exit"])
    tm.keys("sleep 300 | cat", "Enter")
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        kids = {}
        for pid in all_pids():
            st = proc_stat(pid)
            if st and st["ppid"] == pane:
                kids[read_comm(pid)] = (pid, st)
        if "sleep" in kids and "cat" in kids and kids["sleep"][1]["tpgid"] == kids["sleep"][1]["pgrp"]:
            break  # both exec'd, and their group is the terminal's foreground group
        if time.monotonic() > deadline:
            raise Failure("the job 'sleep 300 | cat' did not show up under the pane's bash %d: %r" % (pane, kids))
        time.sleep(0.01)
    sleep_pid, cat_pid = kids["sleep"][0], kids["cat"][0]
    found[sleep_pid] = ("sleep", pane)
    found[cat_pid] = ("cat", pane)
    fg = kids["sleep"][1]["tpgid"]
    members = pgrp_members(fg)
    c.eq("members of the foreground process group %d" % fg, sorted([sleep_pid, cat_pid]), sorted(members))

    tm.keys("C-c")
    for pid in members:
        wait_gone(pid)
    events = stop_watch(c, t)

    senders = set()
    for pid in sorted(members):
        comm = "sleep" if pid == sleep_pid else "cat"
        ev = c.one("SIGINT signal event to %d (%s)" % (pid, comm),
                   select_events(events, event="signal", target=pid, sig=2))
        c.fields("SIGINT to %d" % pid, ev, {
            "signame": "SIGINT", "target_tid": pid, "target_comm": comm, "target_uid": 0,
            "code": "kernel", "si_code": 128,  # SEND_SIG_PRIV: SI_KERNEL
            "result": "delivered", "group": True, "syscall": None, "errno": None, "origin": "tty",
            "disposition": "default", "blocked": False, "target_arg": None, "value": None,
        })
        if ev:
            senders.add(ev["pid"])
        ex = c.one("exit event of %d (%s)" % (pid, comm), select_events(events, event="exit", pid=pid))
        c.fields("exit of %d (%s)" % (pid, comm), ex,
                 {"exit_code": None, "term_signal": 2, "core_dumped": False, "status": 2, "ppid": pane})
        check_killed_by(c, "exit of %d" % pid, ex, {"sig": 2, "signame": "SIGINT", "origin": "tty", "syscall": None})
        if ev and ex and isinstance(ex.get("killed_by"), dict):
            c.eq("exit of %d: killed_by.pid (the task the tty signalled from)" % pid, ev["pid"], ex["killed_by"]["pid"])
    # One Ctrl-C: one kill of the foreground group, by one task (the tty's, not the test).
    c.ok("the SIGINTs of one Ctrl-C came from several senders: %r" % senders, len(senders) <= 1)
    c.ok("the test itself is named as the sender of the tty's SIGINT", MYPID not in senders)


def test_signals_summary(c):
    child, lines, comm = start_sig_child(handle=("SIGTERM",), ignore=("SIGUSR2",))
    cpid = child.pid
    variants = [
        ("all", ["--json"]),
        ("-s SIGUSR2", ["--json", "-s", "SIGUSR2"]),
        ("-s 12,term", ["--json", "-s", "12,term"]),
        ("-p child", ["--json", "-p", str(cpid)]),
        ("--failed", ["--json", "--failed"]),
        ("--sort time", ["--json", "--sort", "time"]),
        ("text", []),
    ]
    ts = start_many([["signals"] + a for _, a in variants], READY_SIGNALS)
    for _ in range(3):
        os.kill(cpid, signal.SIGUSR2)
    time.sleep(0.01)
    os.kill(cpid, signal.SIGTERM)
    lines.wait_for(b"caught 15")
    time.sleep(0.01)
    kpid, kcomm, result = kill_as_nobody(cpid, signal.SIGTERM)
    c.eq("kill() as uid %d of the root child (scenario)" % NOBODY, "EPERM", result)
    time.sleep(0.05)

    out = {}
    text_t = ts[-1]
    for (name, _), t in zip(variants[:-1], ts[:-1]):
        out[name] = stop_signals(c, t)
    rc = text_t.stop()
    c.eq("proclife signals (text): exit status", 0, rc)
    child.kill()
    reap_popen(child)

    me = {"pid": MYPID, "uid": 0, "comm": my_comm()}
    base = {"target": {"pid": cpid, "comm": comm}, "target_arg": cpid, "syscall": "kill", "origin": None,
            "blocked": False}
    usr2 = dict(base, count=3, sig=12, signame="SIGUSR2", sender=me, result="ignored", disposition="ignored",
                errno=None, outcome="ignored")
    term = dict(base, count=1, sig=15, signame="SIGTERM", sender=me, result="delivered", disposition="handler",
                errno=None, outcome="handler")
    eperm = dict(base, count=1, sig=15, signame="SIGTERM", sender={"pid": kpid, "uid": NOBODY, "comm": kcomm},
                 result="failed", disposition="default", errno="EPERM", outcome="failed: EPERM")

    def rows_of(name, sender_pid, sig, result):
        return [r for r in out[name]["signals"] if isinstance(r, dict) and r.get("sender", {}).get("pid") == sender_pid
                and r.get("target", {}).get("pid") == cpid and r.get("sig") == sig and r.get("result") == result]

    def expect_row(name, exp, sender_pid):
        r = c.one("[%s] row of %s from %d to %d, %s" % (name, exp["signame"], sender_pid, cpid, exp["result"]),
                  rows_of(name, sender_pid, exp["sig"], exp["result"]))
        if r:
            # The test and its child are on the host: each side's cgroup is a path, its container null,
            # and no row crosses a container's edge (test_containers.py has the containers).
            what = "[%s] %s row" % (name, exp["signame"])
            for side in ("sender", "target"):
                o = r.get(side)
                if isinstance(o, dict):
                    c.ok("%s: %s.cgroup is not a path: %r" % (what, side, o.get("cgroup")),
                         isinstance(o.get("cgroup"), str) and o["cgroup"].startswith("/"))
                    c.eq("%s: %s.container" % (what, side), None, o.get("container", "missing"))
                    if side == "sender":  # who it is (issue 22): its effective uid here is its uid
                        c.eq("%s: sender.euid" % what, o.get("uid"), o.get("euid"))
                        c.ok("%s: sender's identity fields: %r" % (what, o),
                             all(k in o for k in ("egid", "auid", "session", "tty")))
                    r = dict(r, **{side: {k: v for k, v in o.items()
                                          if k not in ("cgroup", "container", "euid", "egid", "auid", "session", "tty")}})
            c.eq("%s: crosses_container" % what, False, r.get("crosses_container"))
        c.fields("[%s] %s row" % (name, exp["signame"]), r, exp)
        if r:
            c.ok("[%s] %s row: first %r after last %r" % (name, exp["signame"], r.get("first"), r.get("last")),
                 isinstance(r.get("first"), str) and isinstance(r.get("last"), str) and r["first"] <= r["last"])
        return r

    # Everything: the three rows, and nothing else involving the child.
    for name in ("all", "--sort time"):
        rs = [expect_row(name, usr2, MYPID), expect_row(name, term, MYPID), expect_row(name, eperm, kpid)]
        involving = [r for r in out[name]["signals"]
                     if r["sender"]["pid"] == cpid or r["target"]["pid"] == cpid]
        c.eq("[%s] rows with the child as sender or target" % name, 3, len(involving))
    counts = [r["count"] for r in out["all"]["signals"]]
    c.ok("[all] rows not sorted by count, descending: %r" % counts[:50], counts == sorted(counts, reverse=True))
    firsts = [r["first"] for r in out["--sort time"]["signals"]]
    c.ok("[--sort time] rows not sorted by first, ascending: %r" % firsts[:20], firsts == sorted(firsts))
    ours = [r for r in out["--sort time"]["signals"] if r["target"]["pid"] == cpid]
    c.eq("[--sort time] our rows in the order the signals were sent",
         [("SIGUSR2", "ignored"), ("SIGTERM", "delivered"), ("SIGTERM", "failed")],
         [(r["signame"], r["result"]) for r in ours])

    # -s SIGUSR2: only SIGUSR2 rows, ours among them.
    expect_row("-s SIGUSR2", usr2, MYPID)
    c.eq("[-s SIGUSR2] signals of the rows", ["SIGUSR2"], sorted({r["signame"] for r in out["-s SIGUSR2"]["signals"]}))
    # -s 12,term: numbers and names without SIG, any case.
    for exp, sender in ((usr2, MYPID), (term, MYPID), (eperm, kpid)):
        expect_row("-s 12,term", exp, sender)
    c.ok("[-s 12,term] rows of other signals: %r" % sorted({r["signame"] for r in out["-s 12,term"]["signals"]}),
         {r["sig"] for r in out["-s 12,term"]["signals"]} <= {12, 15})
    # -p child: exactly the three rows that involve it.
    rows = out["-p child"]["signals"]
    c.eq("[-p %d] rows" % cpid, 3, len(rows))
    c.eq("[-p %d] rows neither sent by nor to the child" % cpid, [],
         [r for r in rows if r["sender"]["pid"] != cpid and r["target"]["pid"] != cpid])
    for exp, sender in ((usr2, MYPID), (term, MYPID), (eperm, kpid)):
        expect_row("-p child", exp, sender)
    # --failed: the refused attempt and the ignored SIGUSR2 (not queued), never a delivered one.
    expect_row("--failed", eperm, kpid)
    expect_row("--failed", usr2, MYPID)
    c.eq("[--failed] rows delivered or probes", [],
         [r for r in out["--failed"]["signals"] if r["result"] in ("delivered", "probe")])
    c.eq("[--failed] ignored SIGCHLD/SIGURG/SIGWINCH rows (their default is to be ignored)", [],
         [r for r in out["--failed"]["signals"] if r["result"] == "ignored" and r["sig"] in (17, 23, 28)])

    # Text: the header, and the SIGUSR2 row with count 3.
    text = text_t.stdout_bytes().decode("utf-8", "replace")
    tl = text.split("\n")
    c.ok("text: first line does not start with %r: %r" % (SIGNALS_HEADER, tl[0]), tl[0].startswith(SIGNALS_HEADER))
    # COUNT SIGNAL SENDER USER TTY TARGET HOW OUTCOME (the test's processes are root's, their tty whatever it is).
    row_re = re.compile(r"^\s*3  SIGUSR2\s+%d \(%s\)\s+root\S*\s+\S+\s+%d \(%s\)\s+kill\s+ignored$"
                        % (MYPID, re.escape(my_comm()), cpid, re.escape(comm)))
    c.eq("text: SIGUSR2 rows from %d to %d with count 3" % (MYPID, cpid), 1, len([ln for ln in tl if row_re.match(ln)]))
    check_stderr(c, "proclife signals (text)", text_t)


SIGNALS_USAGE_ERRORS = [
    ["-s", "NOSUCH"],
    ["-p", "abc"],
    ["--sort", "bogus"],
    ["extra"],
]


def test_signals_usage_errors(c):
    for args in SIGNALS_USAGE_ERRORS:
        what = "proclife signals %s" % " ".join(args)
        rc, out, err = run_proclife(["signals"] + args, 5.0)
        check_usage_error(c, what, rc, out, err, b"proclife signals:")


SUBTESTS = [
    ("handler_keeps_running", test_handler_keeps_running, ROOT),
    ("nohup_hup_ignored", test_nohup_hup_ignored, ROOT),
    ("stop_continue", test_stop_continue, ROOT),
    ("refused_eperm", test_refused_eperm, ROOT),
    ("refused_esrch_and_probe", test_refused_esrch_and_probe, ROOT),
    ("process_group", test_process_group, ROOT),
    ("sigqueue_value", test_sigqueue_value, ROOT),
    ("kernel_origins", test_kernel_origins, ROOT),
    ("tty_ctrl_c", test_tty_ctrl_c, ROOT + ("tmux", "bash")),
    ("signals_summary", test_signals_summary, ROOT),
    ("signals_usage_errors", test_signals_usage_errors, ()),
]


if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="signals_", subtest_timeout=SUBTEST_TIMEOUT))
