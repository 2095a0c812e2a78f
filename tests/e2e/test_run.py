#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of `proclife run`: run real commands under it (shell
pipelines, subshells, background jobs, daemons, zombies, a fork storm,
signals) and compare its summary, event stream and exit status with the
ground truth the scenario itself records (pids it prints, argv we gave it,
/proc after the run).

Usage: tests/e2e/test_run.py PATH/TO/proclife [SUBTEST...]
Needs root (the tracing subtests are skipped otherwise). Python stdlib only.

Output, one line per subtest:
    PASS e2e/run_<name>
    FAIL e2e/run_<name>          (after indented lines saying what differed)
    SKIP e2e/run_<name>: <why>
Exit status 1 if any subtest failed, else 0.

Every proclife is started in its own session (process group) and every wait
has a deadline; when a subtest ends, its process groups, the leftovers its
scenario made on purpose (daemons, a zombie's parent) and its tmux server
are killed.
"""
import os
import re
import resource
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
    NOBODY, ROOT, TEXT_HEADER, Failure, Tmux, adopt_foreign, all_pids, check_usage_error, children_of,
    indent, one_line, parse_json, parse_json_lines, popen, proc_cmdline, proc_stat, read_comm,
    select_events, short, tmpdir, wait_for,
)

RUN_TIMEOUT = 30.0  # one `proclife run` of a short command
STORM_TIMEOUT = 60.0  # the fork storm, all of it
SUBTEST_TIMEOUT = 150  # backstop for a whole subtest (SIGALRM)

PY = os.path.realpath(sys.executable)  # the real interpreter, not a pyenv shim (which forks)


def no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def base_env(**extra):
    env = dict(os.environ)
    env.pop("SUDO_USER", None)  # else `run` drops CMD to that user
    env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    env["LC_ALL"] = "C"
    env.update(extra)
    return env


class Run:
    """`proclife run ARGS`, in its own session, stdout and stderr to files."""

    def __init__(self, tmp, args, env=None, cwd="/", tag="run"):
        self.argv = [common.BIN, "run"] + list(args)
        self.out_path = os.path.join(tmp, tag + ".stdout")
        self.err_path = os.path.join(tmp, tag + ".stderr")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            # Killed with its process group when the subtest ends: proclife and whatever CMD left in it.
            self.p = popen(self.argv, kill_group=True, stdout=out, stderr=err, env=env or base_env(), cwd=cwd,
                           preexec_fn=no_core, start_new_session=True)
        self.pid = self.p.pid
        self.rc = None
        self.elapsed = None
        self.t0 = time.monotonic()

    def wait(self, timeout=RUN_TIMEOUT):
        try:
            self.rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except OSError:
                pass
            self.p.wait(5)
            raise Failure("proclife %s did not finish within %g s; stderr: %r"
                          % (" ".join(self.argv[1:])[:300], timeout, self.err()[-2000:]))
        self.elapsed = time.monotonic() - self.t0
        return self.rc

    def out(self):
        with open(self.out_path, "rb") as f:
            return f.read()

    def err(self):
        with open(self.err_path, "rb") as f:
            return common.strip_feature_lines(f.read())


def run_pl(tmp, args, timeout=RUN_TIMEOUT, **kw):
    r = Run(tmp, args, **kw)
    r.wait(timeout)
    return r


# --------------------------------------------------------------------------
# Output parsing


def load_summary(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Failure("no summary JSON at %s: %s" % (path, e))
    s = parse_json(data, "summary JSON")
    for k in ("exit_status", "lost", "processes", "left_behind"):
        if k not in s:
            raise Failure("summary JSON has no %r: %r" % (k, data[:2000]))
    return s


def walk(nodes, parent=None):
    """Every node of the nested summary, depth first, with its parent node (None for a root)."""
    for n in nodes:
        yield n, parent
        yield from walk(n.get("children") or [], n)


def node_label(n):
    return "%s %s" % (n.get("pid"), n.get("argv") if n.get("argv") is not None else "(%s)" % n.get("comm"))


def render(nodes, depth=0):
    """The summary tree, one line a node, for failure messages."""
    lines = []
    for n in nodes:
        lines.append("  " * depth + "%s ppid=%s exit=%s sig=%s state=%s execs=%s" % (
            node_label(n), n.get("ppid"), n.get("exit_code"), n.get("term_signal"), n.get("state"),
            n.get("execs")))
        lines += render(n.get("children") or [], depth + 1)
    return lines


def tree_of(summary):
    """For Check.one(): the summary tree, shown when the node sought is not there once."""
    return lambda: "  summary tree:\n" + indent("\n".join(render(summary["processes"])))


def nodes_where(summary, **match):
    return [n for n, _ in walk(summary["processes"]) if all(n.get(k) == v for k, v in match.items())]


def text_lines(data):
    return data.decode("utf-8", "replace").split("\n")


# --------------------------------------------------------------------------
# Assertions


def check_rc(c, r, expected):
    args = " ".join(r.argv[1:]).replace("\n", "\\n")
    c.eq("exit status of proclife %s" % (args if len(args) < 160 else args[:160] + "..."), expected, r.rc)


def check_nesting(c, summary):
    """Each node's ppid is its parent node's pid (unless it was adopted), each (pid, start) once."""
    seen = {}
    for n, parent in walk(summary["processes"]):
        key = (n.get("pid"), n.get("start_time"))
        if key in seen:
            c.fail("process %s appears twice in the summary (start_time %s)" % (n.get("pid"), n.get("start_time")))
        seen[key] = n
        if parent is not None and not n.get("orphaned"):
            c.eq("ppid of %s (nested under %s)" % (node_label(n), node_label(parent)), parent["pid"], n.get("ppid"))
        if parent is not None and n.get("orphaned"):
            c.eq("ppid of orphaned %s (= adopted_by)" % node_label(n), n.get("adopted_by"), n.get("ppid"))


def check_nothing_left(c, summary):
    c.eq("left_behind", {"running": [], "zombies": [], "orphans": []}, summary["left_behind"])


def exited_fields(code=0, sig=None, killed_by=None):
    return {"state": "exited", "exit_code": code, "term_signal": sig, "core_dumped": False,
            "killed_by": killed_by, "orphaned": False, "adopted_by": None}


def read_pids(path):
    try:
        with open(path) as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError) as e:
        raise Failure("cannot read the pids the scenario wrote to %s: %s" % (path, e))


# --------------------------------------------------------------------------
# Subtests

PIPES_SCRIPT = """\
echo $$ > {pids}
printf 'a\\nb\\n' | sort | cat >/dev/null
( /bin/true sub1; exit 4 )
st=$?
[ "$st" -eq 4 ] || exit 99
sleep 0.1 &
echo $! >> {pids}
wait
exit 5
"""


def sig_of(n):
    """What a node is, recursively, for comparing trees as multisets (pids aside)."""
    return (n.get("comm"), tuple(n["argv"]) if isinstance(n.get("argv"), list) else n.get("argv"),
            n.get("execs"), n.get("state"), n.get("exit_code"), n.get("term_signal"),
            tuple(sorted((sig_of(ch) for ch in n.get("children") or []), key=repr)))


def render_sig(s, depth=0):
    comm, argv, execs, state, code, sig, children = s
    lines = ["  " * depth + "%s %s execs=%s %s exit=%s sig=%s" % (comm, list(argv) if argv else None, execs,
                                                                   state, code, sig)]
    for ch in children:
        lines += render_sig(ch, depth + 1)
    return lines


def exp_sig(comm, argv, code, children=(), execs=None):
    return (comm, tuple(argv) if argv is not None else None, execs if execs is not None else (1 if argv else 0),
            "exited", code, None, tuple(sorted(children, key=repr)))


def test_pipes_subshells_background(c, tmp):
    pids = os.path.join(tmp, "pids")
    summ = os.path.join(tmp, "summary.json")
    script = PIPES_SCRIPT.format(pids=pids)
    r = run_pl(tmp, ["-q", "--summary-json", summ, "--", "sh", "-c", script])
    check_rc(c, r, 5)
    c.eq("stdout", b"", r.out())
    s = load_summary(summ)
    sh_pid, sleep_pid = read_pids(pids)
    c.eq("summary exit_status", 5, s["exit_status"])
    c.eq("summary lost", 0, s["lost"])
    check_nothing_left(c, s)
    check_nesting(c, s)
    c.eq("number of root processes", 1, len(s["processes"]))
    root = s["processes"][0] if s["processes"] else None
    if root is None:
        return
    c.fields("root node", root, dict(exited_fields(5), pid=sh_pid, ppid=r.pid, comm="sh",
                                      argv=["sh", "-c", script], execs=1))
    expected = exp_sig("sh", ["sh", "-c", script], 5, [
        exp_sig("sh", None, 0),  # the pipeline's printf: a fork of sh running a builtin
        exp_sig("sort", ["sort"], 0),
        exp_sig("cat", ["cat"], 0),
        exp_sig("sh", None, 4, [exp_sig("true", ["/bin/true", "sub1"], 0)]),  # the subshell
        exp_sig("sleep", ["sleep", "0.1"], 0),
    ])
    got = sig_of(root)
    if got != expected:
        c.fail("process tree (comm argv execs state exit sig), pids aside:\n  expected:\n%s\n  got:\n%s" % (
            "\n".join("    " + ln for ln in render_sig(expected)),
            "\n".join("    " + ln for ln in render_sig(got))))
    all_nodes = [n for n, _ in walk(s["processes"])]
    c.eq("number of processes in the summary", 7, len(all_nodes))
    for n in all_nodes:
        c.ok("%s: no start_time/exit_time/duration: %s" % (node_label(n), short(n, 300)),
             isinstance(n.get("start_time"), str) and isinstance(n.get("exit_time"), str)
             and isinstance(n.get("duration_s"), (int, float)))
        c.fields(node_label(n), n, {"killed_by": None, "orphaned": False, "adopted_by": None,
                                    "core_dumped": False})
    sl = c.one("the sleep 0.1 node", nodes_where(s, argv=["sleep", "0.1"]), tree_of(s))
    if sl:
        c.eq("pid of the sleep 0.1 node ($! in the script)", sleep_pid, sl["pid"])
        c.eq("ppid of the sleep 0.1 node", sh_pid, sl["ppid"])
        d = sl.get("duration_s")
        c.ok("duration_s of sleep 0.1: expected 0.1 to 5, got %r" % d, isinstance(d, float) and 0.1 <= d < 5)
        rd = root.get("duration_s")
        c.ok("duration_s of sh (%r) shorter than its child's sleep 0.1 (%r)" % (rd, d),
             isinstance(rd, float) and isinstance(d, float) and rd >= d)
    for argv in (["sort"], ["cat"], ["/bin/true", "sub1"]):
        n = c.one("node %s" % argv, nodes_where(s, argv=argv), tree_of(s))
        if n:
            c.ok("%s: filename %r does not end with /%s" % (argv, n.get("filename"), os.path.basename(argv[0])),
                 isinstance(n.get("filename"), str) and n["filename"].endswith("/" + os.path.basename(argv[0])))


DAEMON_SCRIPT = """\
( sleep 30 </dev/null >/dev/null 2>&1 &
  until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done
  echo $! > {pids} )
exit 0
"""


def test_daemon_outlives_cmd(c, tmp):
    pids = os.path.join(tmp, "pids")
    summ = os.path.join(tmp, "summary.json")
    script = DAEMON_SCRIPT.format(pids=pids)
    r = Run(tmp, ["-q", "--summary-json", summ, "--", "sh", "-c", script])
    try:
        r.wait()
    finally:
        # The daemon left: find it, whatever happened, to kill it at the end.
        try:
            for pid in read_pids(pids):
                adopt_foreign(pid)
        except Failure:
            pass
    (daemon,) = read_pids(pids)
    st = proc_stat(daemon)
    if not st or st["state"] == "Z":
        raise Failure("the daemon %d is not running after the run: %r" % (daemon, st))
    adopter = st["ppid"]
    check_rc(c, r, 0)
    s = load_summary(summ)
    c.eq("summary exit_status", 0, s["exit_status"])
    c.eq("summary lost", 0, s["lost"])
    check_nesting(c, s)
    lb = s["left_behind"]
    c.eq("left_behind.running", [daemon], lb.get("running"))
    c.eq("left_behind.zombies", [], lb.get("zombies"))
    c.eq("left_behind.orphans", [{"pid": daemon, "adopted_by": adopter, "still_running": True}], lb.get("orphans"))
    d = c.one("the daemon's node (pid %d)" % daemon, nodes_where(s, pid=daemon), tree_of(s))
    c.fields("the daemon's node", d, {"argv": ["sleep", "30"], "comm": "sleep", "state": "running",
                                      "exit_code": None, "term_signal": None, "exit_time": None,
                                      "killed_by": None, "orphaned": True, "adopted_by": adopter,
                                      "ppid": adopter})
    # Nested where it was born: sh -> subshell -> sleep.
    root = s["processes"][0] if len(s["processes"]) == 1 else None
    c.ok("expected one root, got:\n" + "\n".join(render(s["processes"])), root is not None)
    if root:
        c.fields("root", root, dict(exited_fields(0), argv=["sh", "-c", script], ppid=r.pid))
        subs = root.get("children") or []
        if c.eq("children of sh (the subshell)", 1, len(subs)):
            c.fields("the subshell", subs[0], dict(exited_fields(0), argv=None, comm="sh"))
            c.eq("children of the subshell", [daemon], [x["pid"] for x in subs[0].get("children") or []])


KILL_SCRIPT = """\
echo $$ > {pids}
sleep 30 &
echo $! >> {pids}
until read c </proc/$!/comm && [ "$c" = sleep ]; do :; done
kill -TERM $!
wait
exit 0
"""


def test_child_killed_by_signal(c, tmp):
    pids = os.path.join(tmp, "pids")
    summ = os.path.join(tmp, "summary.json")
    script = KILL_SCRIPT.format(pids=pids)
    r = run_pl(tmp, ["-q", "--summary-json", summ, "--", "sh", "-c", script])
    sh_pid, sleep_pid = read_pids(pids)
    check_rc(c, r, 0)
    s = load_summary(summ)
    c.eq("summary lost", 0, s["lost"])
    check_nesting(c, s)
    check_nothing_left(c, s)
    sh = c.one("the sh node", nodes_where(s, pid=sh_pid), tree_of(s))
    sl = c.one("the sleep node", nodes_where(s, pid=sleep_pid), tree_of(s))
    c.fields("the sleep node", sl, dict(exited_fields(None, 15, {"sig": 15, "signame": "SIGTERM", "origin": None,
                                                                 "pid": sh_pid, "comm": "sh"}),
                                        argv=["sleep", "30"], ppid=sh_pid))
    if sh and sl:
        c.ok("sh signals_sent: expected >= 1, got %r" % sh.get("signals_sent"),
             isinstance(sh.get("signals_sent"), int) and sh["signals_sent"] >= 1)
        c.ok("sleep signals_received: expected >= 1, got %r" % sl.get("signals_received"),
             isinstance(sl.get("signals_received"), int) and sl["signals_received"] >= 1)
        c.eq("sleep is a child of sh in the tree", [sleep_pid], [x["pid"] for x in sh.get("children") or []])


ZOMBIE_SCRIPT = r"""
import os, sys, time
r, w = os.pipe()
p = os.fork()
if p == 0:
    os.close(r)
    fd = os.open("/dev/null", os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(fd, i)
    c = os.fork()
    if c == 0:
        os._exit(7)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until C is a zombie; P never waits for it
        with open("/proc/%d/stat" % c, "rb") as f:
            if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                break
        time.sleep(0.001)
    os.write(w, b"%d %d\n" % (os.getpid(), c))
    os.close(w)
    time.sleep(30)
    os._exit(0)
os.close(w)
data = b""
while not data.endswith(b"\n"):
    chunk = os.read(r, 100)
    if not chunk:
        break
    data += chunk
with open(sys.argv[1], "wb") as f:
    f.write(data)
sys.exit(0)
"""


def test_zombie_left_behind(c, tmp):
    pids = os.path.join(tmp, "pids")
    summ = os.path.join(tmp, "summary.json")
    r = Run(tmp, ["-q", "--summary-json", summ, "--", PY, "-c", ZOMBIE_SCRIPT, pids])
    try:
        r.wait()
    finally:
        try:
            for pid in read_pids(pids)[:1]:
                adopt_foreign(pid)
        except Failure:
            pass
    P, C = read_pids(pids)
    stp, stc = proc_stat(P), proc_stat(C)
    if not stp or stp["state"] == "Z" or not stc or stc["state"] != "Z" or stc["ppid"] != P:
        raise Failure("scenario: expected P %d running and C %d its zombie, /proc says %r and %r" % (P, C, stp, stc))
    adopter = stp["ppid"]
    check_rc(c, r, 0)
    s = load_summary(summ)
    c.eq("summary exit_status", 0, s["exit_status"])
    c.eq("summary lost", 0, s["lost"])
    check_nesting(c, s)
    lb = s["left_behind"]
    c.eq("left_behind.zombies", [{"pid": C, "parent": P}], lb.get("zombies"))
    c.eq("left_behind.running", [P], lb.get("running"))
    c.eq("left_behind.orphans", [{"pid": P, "adopted_by": adopter, "still_running": True}], lb.get("orphans"))
    pn = c.one("P's node (pid %d)" % P, nodes_where(s, pid=P), tree_of(s))
    cn = c.one("C's node (pid %d)" % C, nodes_where(s, pid=C), tree_of(s))
    c.fields("C's node", cn, {"state": "zombie", "exit_code": 7, "term_signal": None, "killed_by": None,
                              "ppid": P, "orphaned": False, "argv": None})
    c.fields("P's node", pn, {"state": "running", "exit_code": None, "orphaned": True, "adopted_by": adopter,
                              "argv": None})
    if pn:
        c.eq("children of P in the tree", [C], [x["pid"] for x in pn.get("children") or []])
    if len(s["processes"]) == 1:
        c.eq("children of the root (CMD)", [P], [x["pid"] for x in s["processes"][0].get("children") or []])
    else:
        c.fail("expected one root, got:\n" + "\n".join(render(s["processes"])))
    # Kill P: its adopter reaps C.
    os.kill(P, signal.SIGKILL)
    wait_for(lambda: (proc_stat(C) or {}).get("ppid") != P, "the zombie %d to be reaped once P died" % C)


STORM_N = 2000
STORM_SCRIPT = r"""
import os, sys
pids = []
for i in range(%d):
    p = os.fork()
    if p == 0:
        os._exit(0)
    pids.append(p)
for p in pids:
    os.waitpid(p, 0)
with open(sys.argv[1], "w") as f:
    f.write(" ".join(map(str, pids)))
""" % STORM_N


def test_fork_storm(c, tmp):
    pids = os.path.join(tmp, "pids")
    summ = os.path.join(tmp, "summary.json")
    r = run_pl(tmp, ["-q", "--summary-json", summ, "--", PY, "-c", STORM_SCRIPT, pids], timeout=STORM_TIMEOUT)
    check_rc(c, r, 0)
    c.ok("took %.1f s, expected < 60 s" % r.elapsed, r.elapsed < 60)
    forked = read_pids(pids)
    if len(set(forked)) != STORM_N:
        raise Failure("scenario: expected %d distinct child pids, got %d" % (STORM_N, len(set(forked))))
    s = load_summary(summ)
    c.eq("summary lost", 0, s["lost"])
    c.eq("summary exit_status", 0, s["exit_status"])
    check_nothing_left(c, s)
    if not c.eq("number of roots", 1, len(s["processes"])):
        return
    root = s["processes"][0]
    c.fields("root", root, dict(exited_fields(0), argv=[PY, "-c", STORM_SCRIPT, pids], ppid=r.pid, execs=1))
    kids = root.get("children") or []
    c.eq("number of child nodes under python", STORM_N, len(kids))
    keys = [(k.get("pid"), k.get("start_time")) for k in kids]
    c.eq("distinct (pid, start_time) among the children", len(kids), len(set(keys)))
    got = sorted(k.get("pid") for k in kids)
    want = sorted(forked)
    if got != want:
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        c.fail("child pids differ from the forked ones: %d missing %s, %d extra %s"
               % (len(missing), missing[:20], len(extra), extra[:20]))
    bad = [k for k in kids if not (k.get("state") == "exited" and k.get("exit_code") == 0
                                   and k.get("term_signal") is None and k.get("argv") is None
                                   and k.get("execs") == 0 and not k.get("children")
                                   and k.get("ppid") == root.get("pid") and k.get("comm") == root.get("comm"))]
    c.ok("%d children are not 'forked, exited 0, reaped': first %s" % (len(bad), short(bad[:3], 1500)), not bad)


def test_unrelated_never_appear(c, tmp):
    ev = os.path.join(tmp, "events.jsonl")
    summ = os.path.join(tmp, "summary.json")
    script = "sleep 1; exit 0"
    r = Run(tmp, ["-j", "-o", ev, "--summary-json", summ, "--", "sh", "-c", script])
    # Wait until CMD is running its sleep, so proclife is following.
    sh_pid = wait_for(lambda: next(iter(children_of(r.pid)), None), "CMD (child of proclife %d)" % r.pid)
    wait_for(lambda: any(proc_cmdline(x) == ["sleep", "1"] for x in children_of(sh_pid)), "CMD's sleep 1")
    unrelated = []
    for _ in range(20):
        p = subprocess.Popen(["/bin/true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        unrelated.append(p.pid)
        p.wait(timeout=10)
    if r.p.poll() is not None:
        raise Failure("CMD's sleep 1 ended before the 20 unrelated processes ran: the scenario proves nothing")
    r.wait()
    check_rc(c, r, 0)
    s = load_summary(summ)
    u = set(unrelated)
    in_summary = sorted({n["pid"] for n, _ in walk(s["processes"])} & u)
    c.eq("unrelated pids in the summary", [], in_summary)
    c.eq("summary processes (pids)", [sh_pid], [n["pid"] for n in s["processes"]])
    events = parse_json_lines(c, open(ev, "rb").read(), "the -o file")
    leaks = []
    for e in events:
        vals = [e.get(k) for k in ("pid", "ppid", "child", "child_ppid", "target", "reaper")]
        if isinstance(e.get("killed_by"), dict):
            vals.append(e["killed_by"].get("pid"))
        if u & set(v for v in vals if isinstance(v, int)):
            leaks.append(e)
    c.ok("events about unrelated processes:\n" + "\n".join("  " + short(e, 300) for e in leaks[:10]), not leaks)
    c.one("exec event of CMD (pid %d)" % sh_pid,
          select_events(events, event="exec", pid=sh_pid, argv=["sh", "-c", script]))
    c.one("exit event of CMD", select_events(events, event="exit", pid=sh_pid, exit_code=0))
    fk = c.one("fork event of CMD", select_events(events, event="fork", pid=sh_pid))
    if fk:
        c.one("exec of sleep 1", select_events(events, event="exec", pid=fk["child"], argv=["sleep", "1"]))


def exit_case(c, tmp, tag, cmd, rc, code, sig, killed_by=None):
    summ = os.path.join(tmp, tag + ".json")
    r = run_pl(tmp, ["-q", "--summary-json", summ, "--"] + cmd, tag=tag)
    check_rc(c, r, rc)
    s = load_summary(summ)
    c.eq("%s: summary exit_status" % tag, rc, s["exit_status"])
    c.eq("%s: number of processes" % tag, 1, len(s["processes"]))
    if s["processes"]:
        root = s["processes"][0]
        kb = dict(killed_by, pid=root["pid"]) if killed_by else None
        c.fields("%s: root node" % tag, root, dict(exited_fields(code, sig, kb), argv=cmd, ppid=r.pid))
    check_nothing_left(c, s)


def test_exit_status(c, tmp):
    exit_case(c, tmp, "exit0", ["sh", "-c", "exit 0"], 0, 0, None)
    exit_case(c, tmp, "exit42", ["sh", "-c", "exit 42"], 42, 42, None)
    exit_case(c, tmp, "kill9", ["sh", "-c", "kill -KILL $$"], 137, None, 9,
              {"sig": 9, "signame": "SIGKILL", "origin": None, "comm": "sh"})
    exit_case(c, tmp, "segv", ["sh", "-c", "kill -SEGV $$"], 139, None, 11,
              {"sig": 11, "signame": "SIGSEGV", "origin": None, "comm": "sh"})
    summ = os.path.join(tmp, "nf.json")
    r = run_pl(tmp, ["-q", "--summary-json", summ, "--", "/nonexistent/cmd", "arg"], tag="notfound")
    check_rc(c, r, 127)
    c.eq("command not found: stdout", b"", r.out())
    c.eq("command not found: stderr", "proclife run: cannot run /nonexistent/cmd: No such file or directory\n",
         r.err().decode("utf-8", "replace"))


def test_events_stream(c, tmp):
    ev = os.path.join(tmp, "events.jsonl")
    summ = os.path.join(tmp, "summary.json")
    # "; exit 3": with a lone command dash execs it in place, without a fork.
    script = "/bin/true hello; exit 3"
    r = run_pl(tmp, ["-j", "-o", ev, "--summary-json", summ, "--", "sh", "-c", script])
    check_rc(c, r, 3)
    c.eq("stdout", b"", r.out())
    try:
        mode = stat.S_IMODE(os.stat(ev).st_mode)
    except OSError as e:
        raise Failure("no events file: %s" % e)
    c.eq("mode of the -o file", "0o600", oct(mode))
    events = parse_json_lines(c, open(ev, "rb").read(), "the -o file")
    ex_sh = c.one("exec of sh", select_events(events, event="exec", argv=["sh", "-c", script]))
    if not ex_sh:
        return
    sh = ex_sh["pid"]
    c.eq("exec of sh: ppid (proclife)", r.pid, ex_sh.get("ppid"))
    fk = c.one("fork by sh", select_events(events, event="fork", pid=sh))
    if not fk:
        return
    c.fields("fork by sh", fk, {"thread": False, "child_ppid": sh})
    t = fk["child"]
    ex_t = c.one("exec of /bin/true", select_events(events, event="exec", pid=t))
    c.fields("exec of /bin/true", ex_t, {"filename": "/bin/true", "argv": ["/bin/true", "hello"], "ppid": sh,
                                          "comm": "true", "argc": 2, "truncated": False})
    x_t = c.one("exit of /bin/true", select_events(events, event="exit", pid=t))
    c.fields("exit of /bin/true", x_t, {"exit_code": 0, "term_signal": None, "killed_by": None})
    x_sh = c.one("exit of sh", select_events(events, event="exit", pid=sh))
    c.fields("exit of sh", x_sh, {"exit_code": 3, "term_signal": None})
    rp = c.one("reap of /bin/true", select_events(events, event="reap", pid=t))
    c.fields("reap of /bin/true", rp, {"reaper": sh, "how": "wait", "exit_code": 0})
    if ex_sh and fk and ex_t and x_t and x_sh:
        order = [events.index(e) for e in (ex_sh, fk, ex_t, x_t, x_sh)]
        c.ok("events out of order (exec sh, fork, exec true, exit true, exit sh at lines %s)" % order,
             order == sorted(order))
    err = r.err().decode("utf-8", "replace")
    c.ok("stderr does not start with the summary: %r" % err[:300], err.startswith("proclife run: 2 processes ran\n"))
    c.ok("stderr does not end with 'left behind: nothing': %r" % err[-300:], err.endswith("left behind: nothing\n"))
    c.ok("stderr has JSON lines: %r" % err[:1000], not any(ln.startswith("{") for ln in err.split("\n")))

    # Text events to stderr, stdout empty.
    r = run_pl(tmp, ["--", "sh", "-c", script], tag="text")
    check_rc(c, r, 3)
    c.eq("text mode: stdout", b"", r.out())
    lines = text_lines(r.err())
    c.eq("text mode: first stderr line", TEXT_HEADER, lines[0] if lines else None)
    c.ok("text mode: no exec line for /bin/true hello on stderr:\n" + "\n".join(lines[:30]),
         any(re.search(r"^\S+ exec +\d+ +\d+ +\S+ +\S+ +true +/bin/true hello", ln) for ln in lines))
    c.ok("text mode: no summary on stderr:\n" + "\n".join(lines[-10:]),
         "proclife run: 2 processes ran" in lines)

    # CMD's stdout passes through untouched.
    r = run_pl(tmp, ["-q", "--", "printf", "out\\n"], tag="printf")
    check_rc(c, r, 0)
    c.eq("printf: stdout", b"out\n", r.out())
    err = r.err().decode("utf-8", "replace")
    c.ok("printf -q: stderr is not just the summary: %r" % err[:500],
         err.startswith("proclife run: 1 processes ran\n") and err.endswith("left behind: nothing\n"))


def test_user_option(c, tmp):
    os.chmod(tmp, 0o755)
    summ = os.path.join(tmp, "summary.json")
    r = run_pl(tmp, ["-q", "--summary-json", summ, "--user", "nobody", "--", "id", "-u"], tag="nobody")
    check_rc(c, r, 0)
    c.eq("--user nobody: stdout of id -u", b"%d\n" % NOBODY, r.out())
    s = load_summary(summ)
    if c.eq("--user nobody: number of processes", 1, len(s["processes"])):
        c.fields("the id node", s["processes"][0], dict(exited_fields(0), argv=["id", "-u"], comm="id",
                                                         ppid=r.pid))

    r = run_pl(tmp, ["-q", "--user", "no_such_user_xyz", "--", "id", "-u"], tag="nosuch")
    check_rc(c, r, 2)
    c.eq("--user no_such_user_xyz: stdout", b"", r.out())
    c.ok("--user no_such_user_xyz: expected one stderr line starting 'proclife run:', got %r" % r.err(),
         one_line(r.err(), b"proclife run:"))

    r = run_pl(tmp, ["-q", "--", "id", "-u"], env=base_env(SUDO_USER="nobody"), tag="sudo")
    check_rc(c, r, 0)
    c.eq("SUDO_USER=nobody: stdout of id -u", b"%d\n" % NOBODY, r.out())


def find_sh(argv, parent_comm="proclife"):
    """The pid of a process with this argv whose parent is a proclife, or None."""
    for pid in all_pids():
        if proc_cmdline(pid) == argv and read_comm((proc_stat(pid) or {}).get("ppid", 0)) == parent_comm:
            return pid
    return None


def sleep_child(sh):
    for pid in children_of(sh):
        if proc_cmdline(pid) == ["sleep", "30"]:
            return pid
    return None


def test_signals_reach_cmd(c, tmp):
    # SIGTERM sent to proclife (kill) is passed on to CMD.
    script = 'trap "echo got-TERM; exit 9" TERM; sleep 30 & wait'
    r = Run(tmp, ["-q", "--", "sh", "-c", script], tag="term")
    sh = wait_for(lambda: find_sh(["sh", "-c", script]), "CMD's sh under proclife %d" % r.pid)
    sl = wait_for(lambda: sleep_child(sh), "the sh's sleep 30 (the trap is set)")
    adopt_foreign(sl)
    os.kill(r.pid, signal.SIGTERM)
    r.wait()
    check_rc(c, r, 9)
    c.eq("SIGTERM: stdout (CMD's trap)", b"got-TERM\n", r.out())

    # SIGINT from the terminal reaches CMD by itself; proclife waits for CMD and propagates its status.
    if not shutil.which("tmux"):
        c.fail("tmux is not installed: the terminal half of this subtest could not run")
        return
    script = 'trap "echo got-INT; exit 8" INT; sleep 30 & wait'
    tm = Tmux("int", "bash --norc --noprofile", x=120, y=30, env=base_env(TERM="xterm"), prefix="plrun")
    tm.keys("PS1='$ '", "Enter")
    tm.wait(lambda s: s.rstrip().endswith("$"), "the shell prompt")
    tm.keys("clear", "Enter")
    tm.keys("%s run -q -- sh -c '%s'; echo RC=$?" % (common.BIN, script), literal=True)
    tm.keys("Enter")
    sh = wait_for(lambda: find_sh(["sh", "-c", script]), "CMD's sh under proclife in tmux")
    sl = wait_for(lambda: sleep_child(sh), "the sh's sleep 30 in tmux (the trap is set)")
    adopt_foreign(sl)
    tm.keys("C-c")
    screen = tm.wait(lambda s: re.search(r"^RC=\d+", s, re.M), "RC= after C-c")
    lines = [ln.rstrip() for ln in screen.split("\n")]
    # The terminal echoes ^C where the cursor was: the trap's line may follow it.
    c.ok("the pane does not show got-INT:\n" + screen, any(re.fullmatch(r"(\^C)?got-INT", ln) for ln in lines))
    c.ok("the pane does not show RC=8:\n" + screen, "RC=8" in lines)


def usage_case(c, tmp, args):
    r = run_pl(tmp, args, tag="usage")
    check_usage_error(c, "proclife run %s" % " ".join(args), r.rc, r.out(), r.err(), b"proclife run:")


def test_usage_errors(c, tmp):
    usage_case(c, tmp, [])
    usage_case(c, tmp, ["--bogus", "--", "true"])
    usage_case(c, tmp, ["--follow-leftovers", "x", "--", "true"])
    usage_case(c, tmp, ["--arg-bytes", "-1", "--", "true"])


def with_tmp(name, fn):
    """A subtest fn(c, tmp) as fn(c): tmp is a directory of its own, removed when it ends."""
    return lambda c: fn(c, tmpdir("plrun-%s-" % name))


SUBTESTS = [(name, with_tmp(name, fn), needs) for name, fn, needs in [
    ("pipes_subshells_background", test_pipes_subshells_background, ROOT),
    ("daemon_outlives_cmd", test_daemon_outlives_cmd, ROOT),
    ("child_killed_by_signal", test_child_killed_by_signal, ROOT),
    ("zombie_left_behind", test_zombie_left_behind, ROOT),
    ("fork_storm", test_fork_storm, ROOT),
    ("unrelated_never_appear", test_unrelated_never_appear, ROOT),
    ("exit_status", test_exit_status, ROOT),
    ("events_stream", test_events_stream, ROOT),
    ("user_option", test_user_option, ROOT),
    ("signals_reach_cmd", test_signals_reach_cmd, ROOT),
    ("usage_errors", test_usage_errors, ()),
]]


if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="run_", subtest_timeout=SUBTEST_TIMEOUT))
