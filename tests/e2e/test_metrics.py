#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of --metrics-file: the Prometheus text file of watch,
record, tree --every and zombies --every, against real tools and the
machine itself: promtool accepts it; the process counts equal what /proc
says for the whole machine, with zombies and stopped processes the test
made; a real prometheus-node-exporter (as an unprivileged user) serves the
same values over loopback; a reader never sees a partial file while it is
rewritten; a write that fails is one line and tracing goes on; the
exec_failed and signal counters equal what a scenario did; the features
gauge says what `proclife features` says, a feature turned off included;
and the shipped alert rules pass promtool's check and their tests, on
names a real file has.

Usage: tests/e2e/test_metrics.py PATH/TO/proclife [SUBTEST...]
Needs root (every subtest is skipped otherwise), and promtool and
prometheus-node-exporter (tools/deps.sh installs them). Python stdlib only.
"""
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (ROOT, Failure, check_usage_error, drop_to_nobody, popen, run_proclife,  # noqa: E402
                    start_proclife, strip_feature_lines, tmpdir, wait_for)

SUBTEST_TIMEOUT = 90
RULES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "prometheus")
NODE_EXPORTER = "prometheus-node-exporter"
PROMTOOL = ("root", "promtool")

READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
READY_TREE = b"proclife: following, a tree every "
READY_ZOMBIES = b"proclife: following, a zombie list every "

# Every family of a file, with its type; features only where the command uses them.
FAMILIES = {
    "proclife_build_info": "gauge",
    "proclife_start_time_seconds": "gauge",
    "proclife_events_total": "counter",
    "proclife_lost_events_total": "counter",
    "proclife_resyncs_total": "counter",
    "proclife_resync_backoff_seconds": "gauge",
    "proclife_untracked_zombies_total": "counter",
    "proclife_processes": "gauge",
    "proclife_zombie_oldest_seconds": "gauge",
    "proclife_model_bytes": "gauge",
    "proclife_model_max_bytes": "gauge",
    "proclife_forgotten_total": "counter",
    "proclife_exec_failed_total": "counter",
    "proclife_signals_total": "counter",
    "proclife_features": "gauge",
    "proclife_feature_reduced": "gauge",
    "proclife_container_zombies": "gauge",
    "proclife_container_exec_total": "counter",
}
# And with a recording (-w), and with an event output that is a file (-o FILE).
RECORDING_FAMILIES = {"proclife_recording_errors_total": "counter",
                      "proclife_recording_unwritten_events_total": "counter"}
OUTPUT_FAMILIES = {"proclife_output_errors_total": "counter", "proclife_output_unwritten_lines_total": "counter"}
EVENTS = ["fork", "exec", "exec_failed", "exit", "reap", "signal", "deliver", "rename", "cred",
          "stop", "continue", "zombie", "reparent", "resync", "container"]
KERNEL_EVENTS = EVENTS[:9]
FEATURES = ["core", "syscalls", "signals", "oom", "delivery", "rename", "sampling", "cred"]

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


# --------------------------------------------------------------------------
# The exposition format


def parse_exposition(text, what):
    """{(name, frozenset(labels.items())): float} and {name: type}; Failure on a line that is
    neither a comment nor a sample."""
    samples, types = {}, {}
    for ln in text.split("\n"):
        if not ln:
            continue
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split(" ", 3)
            types[name] = typ
            continue
        if ln.startswith("#"):
            continue
        m = SAMPLE_RE.match(ln)
        if not m:
            raise Failure("%s: not a sample line: %r" % (what, ln))
        labels = frozenset(LABEL_RE.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def series(samples, name):
    """{frozenset(labels): value} of one family."""
    return {lab: v for (n, lab), v in samples.items() if n == name}


def read_file(path):
    with open(path) as f:
        return f.read()


def wait_file(path, what, newer_than=0.0, timeout=10.0):
    """Wait until path exists with an mtime after newer_than (a time.time()); returns (text, mtime)."""
    def ready():
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        if st.st_mtime_ns / 1e9 <= newer_than:
            return None
        return read_file(path), st.st_mtime_ns / 1e9
    return wait_for(ready, what, timeout)


def promtool_check(c, path, what):
    with open(path, "rb") as f:
        r = subprocess.run(["promtool", "check", "metrics"], stdin=f, capture_output=True, timeout=30)
    c.eq("%s: promtool check metrics: exit status (output %r)" % (what, r.stdout + r.stderr), 0, r.returncode)
    c.eq("%s: promtool check metrics: output" % what, b"", r.stdout + r.stderr)


def proclife_version():
    r = subprocess.run([common.BIN, "--version"], capture_output=True, text=True, timeout=10)
    return r.stdout.split()[-1]


# --------------------------------------------------------------------------
# /proc: the whole machine's processes by state


def proc_states():
    """{running, stopped, zombie} counted from /proc/*/stat as proclife defines them: T stopped,
    Z and X zombies, everything else (sleeping, D, I, t) running."""
    n = {"running": 0, "stopped": 0, "zombie": 0}
    for pid in common.all_pids():
        st = common.proc_state(pid)
        if st is None:
            continue
        n["stopped" if st == "T" else "zombie" if st in "ZX" else "running"] += 1
    return n


def file_states(samples):
    return {s: value(samples, "proclife_processes", state=s) for s in ("running", "stopped", "zombie")}


def quiet_match(path, keys, what, timeout=30.0):
    """A quiet moment: /proc counted before and after a rewrite of path that came at least 0.3 s
    after the first count (proclife drains its events every 0.1 s) gives the same counts as the
    file, for keys. Returns (samples, mtime, counts); Failure with the last try at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        before = proc_states()
        t0 = time.time()
        text, mtime = wait_file(path, "a rewrite of %s" % path, newer_than=t0 + 0.3)
        after = proc_states()
        samples, _ = parse_exposition(text, what)
        got = file_states(samples)
        if all(before[k] == after[k] == got[k] for k in keys):
            return samples, mtime, after
        last = (before, got, after)
        if time.monotonic() > deadline:
            raise Failure("%s: no quiet moment in %.0f s where /proc and the file agree on %s; last: /proc "
                          "before %s, file %s, /proc after %s" % (what, timeout, keys, *last))


# --------------------------------------------------------------------------
# Scenario: zombies and stopped processes


SCENARIO = r'''
import os, signal, sys, time
zombies, stopped = int(sys.argv[1]), int(sys.argv[2])
kids = []
def state(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        d = f.read()
    return d[d.rindex(b")") + 2:].split()[0].decode()
for i in range(zombies):
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    kids.append(pid)
for i in range(stopped):
    pid = os.fork()
    if pid == 0:
        while True:
            time.sleep(60)
    os.kill(pid, signal.SIGSTOP)
    kids.append(pid)
deadline = time.monotonic() + 10
while not all(state(p) in "ZT" for p in kids):
    if time.monotonic() > deadline:
        sys.exit("scenario: not all in place")
    time.sleep(0.002)
print(" ".join(map(str, kids)), flush=True)
sys.stdin.read()  # the test closes it: then stopped children are killed, zombies reaped
for p in kids[zombies:]:
    os.kill(p, signal.SIGKILL)
for p in kids:
    os.waitpid(p, 0)
'''


class Scenario:
    """A parent with `zombies` children it does not wait for and `stopped` children stopped by
    SIGSTOP, all in place when the constructor returns; undone at the end of the subtest."""

    def __init__(self, zombies, stopped):
        self.t_begin = time.time()
        self.p = popen([sys.executable, "-c", SCENARIO, str(zombies), str(stopped)],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        common.hold_pipe(self.p.stdin)
        line = common.Lines(self.p.stdout).wait_for(b"", 15)
        self.t_ready = time.time()
        pids = [int(x) for x in line.split()]
        self.zombies, self.stopped = pids[:zombies], pids[zombies:]
        for pid in self.stopped:
            common.adopt_foreign(pid)


# --------------------------------------------------------------------------
# Subtests


def test_bad_options(c):
    d = tmpdir("pl-metrics-")
    f = os.path.join(d, "p.prom")
    rec = os.path.join(d, "r.plr")
    cases = [
        (["watch", "--metrics-interval", "5"], b"proclife: --metrics-interval goes with --metrics-file PATH"),
        (["watch", "--metrics-file", f, "--metrics-interval", "0.05"], b"proclife: --metrics-interval needs seconds"),
        (["watch", "--metrics-file", f, "--metrics-interval", "86401"], b"proclife: --metrics-interval needs seconds"),
        (["watch", "--metrics-file", f, "--metrics-interval", "x"], b"proclife: --metrics-interval needs seconds"),
        (["watch", "--metrics-file", d + "/"], b"proclife: --metrics-file needs a file name"),
        (["watch", "--metrics-file", ""], b"proclife: --metrics-file needs a file name"),
        (["watch", "-r", rec, "--metrics-file", f], b"proclife: --metrics-file is for live tracing, not with --read"),
        (["record", "-w", rec, "--metrics-interval", "1"], b"proclife record: --metrics-interval goes with"),
        (["tree", "--metrics-file", f], b"proclife tree: --metrics-file goes with --every"),
        (["zombies", "--metrics-file", f], b"proclife zombies: --metrics-file goes with --every"),
        (["tree", "--every", "1", "--metrics-interval", "1"], b"proclife tree: --metrics-interval goes with"),
        (["zombies", "--every", "1", "--metrics-file", f, "--metrics-interval", "0"],
         b"proclife zombies: --metrics-interval needs seconds"),
    ]
    for args, prefix in cases:
        rc, out, err = run_proclife(args, timeout=10)
        check_usage_error(c, "proclife " + " ".join(args), rc, out, err, prefix)
    c.eq("no file written by a refused command", [], os.listdir(d))
    # --help says it.
    for cmd in (["watch"], ["record"], ["tree"], ["zombies"]):
        rc, out, err = run_proclife(cmd + ["--help"], timeout=10)
        c.eq("%s --help: exit status" % cmd[0], 0, rc)
        c.ok("%s --help does not name --metrics-file and --metrics-interval: %r" % (cmd[0], out[-600:]),
             b"--metrics-file PATH" in out and b"--metrics-interval SEC" in out)


def fexit_here():
    """Does this kernel take proclife's fexit programs (`proclife features`)? Only then does a run that
    keeps states (tree, zombies, watch -e none) count failed execs and refused kills."""
    r = subprocess.run([common.BIN, "features", "--json"], capture_output=True, timeout=60)
    doc = common.parse_json(r.stdout, "proclife features --json")
    return any(f["name"] == "syscalls" and (f["program"] or "").startswith("pl_fexit_") for f in doc["features"])


def check_file(c, path, what, sampling, families=FAMILIES, lean=False):
    """The file of a command that has stopped: promtool accepts it, mode 0644, nothing else in its
    directory, every family with its type, the label sets complete, build_info true. A run that keeps
    states (lean) without fexit counts no failed exec: no exec_failed series, never a 0."""
    promtool_check(c, path, what)
    st = os.stat(path)
    c.eq("%s: mode" % what, 0o644, stat.S_IMODE(st.st_mode))
    c.eq("%s: files in its directory (no temporary file left)" % what, [os.path.basename(path)],
         sorted(x for x in os.listdir(os.path.dirname(path)) if x not in ("r.plr", "events.txt")))
    samples, types = parse_exposition(read_file(path), what)
    c.eq("%s: families and types" % what, families, types)
    counted = not lean or fexit_here()
    c.eq("%s: events_total labels" % what, sorted(e for e in EVENTS if counted or e != "exec_failed"),
         sorted(dict(lab)["event"] for lab in series(samples, "proclife_events_total")))
    c.eq("%s: exec_failed_total has series" % what, counted, bool(series(samples, "proclife_exec_failed_total")))
    c.eq("%s: signals_total has probes" % what, counted,
         value(samples, "proclife_signals_total", signal="0", result="probe") is not None)
    c.eq("%s: syscalls reduced" % what, 1.0 if not counted else value(samples, "proclife_feature_reduced",
                                                                    feature="syscalls"),
         value(samples, "proclife_feature_reduced", feature="syscalls"))
    c.eq("%s: lost_events_total labels" % what, sorted(KERNEL_EVENTS),
         sorted(dict(lab)["event"] for lab in series(samples, "proclife_lost_events_total")))
    want = FEATURES if sampling else [f for f in FEATURES if f != "sampling"]
    if lean:  # a consumer of states does not take cred events (their fallback costs every syscall)
        want = [f for f in want if f != "cred"]
    c.eq("%s: features labels" % what, sorted(want),
         sorted(dict(lab)["feature"] for lab in series(samples, "proclife_features")))
    c.eq("%s: build_info" % what, {frozenset({("version", proclife_version()), ("kernel", os.uname().release)}): 1.0},
         series(samples, "proclife_build_info"))
    c.ok("%s: no pid or comm label anywhere" % what,
         not any(k in ("pid", "comm") for (_, lab) in samples for k, _ in lab))
    start = value(samples, "proclife_start_time_seconds")
    c.ok("%s: start_time_seconds %r is not within the last minute" % (what, start),
         start is not None and time.time() - 60 < start <= time.time())
    return samples


def run_command(c, args, ready, path, what):
    """Start proclife ARGS, wait for its first write, run a process, wait for a rewrite after it,
    stop it; returns its stderr."""
    t = start_proclife(args, ready=ready)
    wait_file(path, "%s: the first write" % what)
    common.run(["/bin/true"])
    wait_file(path, "%s: a rewrite" % what, newer_than=time.time() + 0.3)
    c.eq("%s: exit status" % what, 0, t.stop())
    return t.stderr_bytes()


def test_promtool_each_command(c):
    for name, args, ready, sampling, families, lean in (
            ("watch", ["watch", "-o", "/dev/null", "-e", "exec"], common.READY_WATCH, True, FAMILIES, False),
            ("watch -o FILE", ["watch", "-o", "{d}/events.txt", "-e", "exec"], common.READY_WATCH, True,
             dict(FAMILIES, **OUTPUT_FAMILIES), False),
            ("watch -e none", ["watch", "-e", "none"], common.READY_WATCH, True, FAMILIES, True),
            ("record", ["record", "-w", "{d}/r.plr"], None, True, dict(FAMILIES, **RECORDING_FAMILIES), False),
            ("tree --every", ["tree", "--every", "0.3"], READY_TREE, True, FAMILIES, True),
            ("zombies --every", ["zombies", "--every", "0.3"], READY_ZOMBIES, True, FAMILIES, True)):
        d = tmpdir("pl-metrics-")
        path = os.path.join(d, "proclife.prom")
        args = [a.replace("{d}", d) for a in args] + ["--metrics-file", path, "--metrics-interval", "0.2"]
        if ready is None:
            ready = (READY_RECORD % os.path.join(d, "r.plr")).encode()
        err = run_command(c, args, ready, path, name)
        c.ok("%s: stderr says something of metrics: %r" % (name, err), b"proclife: metrics:" not in err)
        samples = check_file(c, path, name, sampling, families, lean)
        # It ran /bin/true, with a fork (watch -e exec: metrics count everything, not what it shows).
        for ev in ("fork", "exec", "exit", "reap"):
            c.ok("%s: events_total{event=\"%s\"} is 0, after /bin/true ran" % (name, ev),
                 (value(samples, "proclife_events_total", event=ev) or 0) > 0)


def test_processes_equal_proc(c):
    d = tmpdir("pl-metrics-")
    path = os.path.join(d, "proclife.prom")
    start_proclife(["watch", "-o", "/dev/null", "--metrics-file", path, "--metrics-interval", "0.2"])
    wait_file(path, "the first write")
    s = Scenario(zombies=3, stopped=2)
    samples, mtime, counts = quiet_match(path, ("running", "stopped", "zombie"), "3 zombies, 2 stopped")
    c.ok("the machine has at least the scenario's 3 zombies and 2 stopped: %s" % counts,
         counts["zombie"] >= 3 and counts["stopped"] >= 2)
    # The oldest zombie: at least as old as ours at the write, and no older when they are the only ones.
    oldest = value(samples, "proclife_zombie_oldest_seconds")
    low, high = mtime - s.t_ready - 0.05, mtime - s.t_begin + 0.05
    c.ok("zombie_oldest_seconds %r: ours were zombies for %.3f..%.3f s at the write" % (oldest, low, high),
         oldest is not None and oldest >= low and (counts["zombie"] > 3 or oldest <= high))
    # SIGCONT: one stopped process is running again.
    os.kill(s.stopped[0], signal.SIGCONT)
    common.wait_state(s.stopped[0], "SR")
    quiet_match(path, ("running", "stopped", "zombie"), "after SIGCONT")
    # Reaped: the zombies go.
    s.p.stdin.close()
    common.reap_popen(s.p)
    samples, _, counts = quiet_match(path, ("running", "stopped", "zombie"), "after the reaping")
    if counts["zombie"] == 0:
        c.eq("zombie_oldest_seconds with no zombie", 0.0, value(samples, "proclife_zombie_oldest_seconds"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def test_node_exporter(c):
    d = tmpdir("pl-metrics-")
    os.chmod(d, 0o755)  # node_exporter runs as nobody: it must read the file, and only that
    path = os.path.join(d, "proclife.prom")
    s = Scenario(zombies=3, stopped=2)
    # The file is written once, at the start, from the /proc scan (then only at exit): it stays put.
    before = proc_states()
    t = start_proclife(["watch", "-o", "/dev/null", "--metrics-file", path, "--metrics-interval", "3600"])
    text, mtime = wait_file(path, "the first write")
    after = proc_states()
    samples, _ = parse_exposition(text, "the file")
    got = file_states(samples)
    for k in ("stopped", "zombie"):
        if before[k] == after[k]:
            c.eq("%s: the file, against /proc (%s)" % (k, after), float(after[k]), got[k])
    c.ok("the file has the scenario's 3 zombies and 2 stopped: %s" % got, got["zombie"] >= 3 and got["stopped"] >= 2)

    port = free_port()
    ne = popen([NODE_EXPORTER, "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=" + d, "--web.listen-address=127.0.0.1:%d" % port],
               stderr=subprocess.PIPE, preexec_fn=drop_to_nobody)
    common.hold_pipe(ne.stderr)
    url = "http://127.0.0.1:%d/metrics" % port

    def up():
        if ne.poll() is not None:
            raise Failure("node_exporter exited with %s: %r" % (ne.returncode, ne.stderr.read()[-2000:]))
        try:
            return scrape(url)
        except OSError:
            return None
    page = wait_for(up, "node_exporter to answer on %s" % url, timeout=15, interval=0.05)
    c.eq("the file did not change meanwhile", text, read_file(path))
    got_ne, _ = parse_exposition(page, "node_exporter's page")
    c.eq("node_exporter: node_textfile_scrape_error", 0.0, value(got_ne, "node_textfile_scrape_error"))
    c.eq("node_exporter: proclife_processes", series(samples, "proclife_processes"),
         series(got_ne, "proclife_processes"))
    c.eq("node_exporter: proclife_build_info", series(samples, "proclife_build_info"),
         series(got_ne, "proclife_build_info"))
    for name in ("proclife_zombie_oldest_seconds", "proclife_events_total", "proclife_features"):
        c.eq("node_exporter: %s" % name, series(samples, name), series(got_ne, name))
    # The staleness alert's selector finds this file's mtime as node_exporter names it.
    mt = series(got_ne, "node_textfile_mtime_seconds")
    rules = read_file(os.path.join(RULES_DIR, "proclife.rules.yml"))
    sel = re.search(r'node_textfile_mtime_seconds\{file=~"([^"]*)"\}', rules)
    if c.ok("the rules select node_textfile_mtime_seconds by file", sel):
        rx = re.compile("^(?:" + sel.group(1).replace("\\\\", "\\") + ")$")
        files = [dict(lab)["file"] for lab in mt]
        c.ok("the rules' file selector %r matches none of %s" % (sel.group(1), files), any(rx.match(f) for f in files))
        c.ok("mtime %s is not the file's %.3f" % (mt, mtime), any(abs(v - mtime) < 1.0 for v in mt.values()))
    c.eq("proclife exit status", 0, t.stop())
    # With an hour's interval, the only other write is the last one, at the exit.
    c.ok("the file was not written again at the exit", os.stat(path).st_mtime_ns / 1e9 > mtime)


def test_atomic_rewrite(c):
    d = tmpdir("pl-metrics-")
    path = os.path.join(d, "proclife.prom")
    t = start_proclife(["watch", "-o", "/dev/null", "--metrics-file", path, "--metrics-interval", "0.1"])
    text, _ = wait_file(path, "the first write")
    first, last = text.split("\n")[0], text.rstrip("\n").split("\n")[-1]
    last_prefix = last.rsplit(" ", 1)[0] + " "
    nlines = text.count("\n")
    reads, rewrites, prev, bad = 0, 0, None, []
    deadline = time.monotonic() + 4.0
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read().decode()
        if (st.st_ino, st.st_mtime_ns) != prev:
            rewrites += prev is not None
            prev = (st.st_ino, st.st_mtime_ns)
        reads += 1
        lines = data.split("\n")
        if not (data.endswith("\n") and lines[0] == first and lines[-2].startswith(last_prefix)
                and len(lines) - 1 >= nlines) and len(bad) < 3:
            bad.append(data[-300:])
    c.eq("partial files read (of %d reads)" % reads, [], bad)
    c.ok("only %d rewrites seen in 4 s at 0.1 s" % rewrites, rewrites >= 20)
    c.ok("only %d reads" % reads, reads >= 1000)
    c.eq("exit status", 0, t.stop())
    c.eq("files in the directory", ["proclife.prom"], os.listdir(d))


def test_write_failure(c):
    d = tmpdir("pl-metrics-")
    sub = os.path.join(d, "missing")
    path = os.path.join(sub, "proclife.prom")
    fail_line = ("proclife: metrics: cannot write %s: No such file or directory; retrying every 0.2 s\n" % path).encode()
    t = start_proclife(["watch", "--json", "-e", "exec", "--metrics-file", path, "--metrics-interval", "0.2"])
    wait_for(lambda: fail_line in t.stderr_bytes(), "the failure line")
    # Tracing goes on: an exec shows.
    marker = "pl-metrics-%d" % os.getpid()
    common.run(["/bin/sh", "-c", "exec /bin/true " + marker])
    wait_for(lambda: marker.encode() in t.stdout_bytes(), "the exec of /bin/true in the output")
    # Ten more attempts fail: still one line.
    time.sleep(2.0)
    c.eq("failure lines after 2 s of failing", 1, t.stderr_bytes().count(b"proclife: metrics:"))
    os.mkdir(sub)
    wait_file(path, "the file, once its directory exists")
    again = ("proclife: metrics: %s written again\n" % path).encode()
    wait_for(lambda: again in t.stderr_bytes(), "the line saying it is written again")
    c.eq("exit status", 0, t.stop())
    lines = t.stderr_bytes().splitlines(keepends=True)
    # The first write is before tracing starts (so that a scrape soon after the start finds it).
    c.eq("stderr, but for the summary", [fail_line, common.READY_WATCH, again], lines[:-1])
    c.ok("stderr ends with the summary: %r" % lines[-1:],
         lines and re.match(common.SUMMARY_PATTERN.encode(), lines[-1].rstrip(b"\n")))
    c.eq("files in the directory", [], sorted(x for x in os.listdir(d) if x != "missing"))
    c.eq("files in missing/", ["proclife.prom"], os.listdir(sub))


COUNTERS = r'''
import os, signal, sys, time
d = sys.argv[1]
bad = os.path.join(d, "garbage")
with open(bad, "wb") as f:
    f.write(b"\x01\x02 not a program\n")
os.chmod(bad, 0o755)
def try_exec(path, n):
    for i in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                os.execv(path, [path])
            except OSError:
                os._exit(127)
        os.waitpid(pid, 0)
try_exec(os.path.join(d, "no-such-program"), 3)   # ENOENT
try_exec(bad, 3)                                    # ENOEXEC
def target(setup):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        setup()
        os.write(w, b"x")
        while True:
            time.sleep(60)
    os.read(r, 1)
    return pid
rt = signal.SIGRTMIN + 7
p1 = target(lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {rt}))
for i in range(3):
    os.kill(p1, rt)                                 # SIGRTMIN+7 delivered (queued, blocked)
p2 = target(lambda: signal.signal(signal.SIGUSR2, signal.SIG_IGN))
for i in range(4):
    os.kill(p2, signal.SIGUSR2)                     # SIGUSR2 ignored
for i in range(2):
    os.kill(p2, 0)                                  # probes
for p in (p1, p2):
    os.kill(p, signal.SIGKILL)
    os.waitpid(p, 0)
'''


def test_counters_equal_scenario(c):
    d = tmpdir("pl-metrics-")
    path = os.path.join(d, "proclife.prom")
    start_proclife(["watch", "-o", "/dev/null", "--metrics-file", path, "--metrics-interval", "0.2"])
    text, mtime = wait_file(path, "the first write")
    base, _ = parse_exposition(text, "the first write")

    def get(samples, name, **labels):
        return value(samples, name, **labels) or 0.0

    checks = [  # (name, labels, increase, exact)
        ("proclife_exec_failed_total", {"errno": "ENOEXEC"}, 3, True),
        ("proclife_exec_failed_total", {"errno": "ENOENT"}, 3, False),
        ("proclife_signals_total", {"signal": "SIGRTMIN+7", "result": "delivered"}, 3, True),
        ("proclife_signals_total", {"signal": "SIGUSR2", "result": "ignored"}, 4, True),
        ("proclife_signals_total", {"signal": "0", "result": "probe"}, 2, False),
    ]
    c.eq("SIGRTMIN+7 is not in the file before it happens", None,
         value(base, "proclife_signals_total", signal="SIGRTMIN+7", result="delivered"))
    c.eq("ENOEXEC is in the file from the start, 0", 0.0, value(base, "proclife_exec_failed_total", errno="ENOEXEC"))
    sd = tmpdir("pl-metrics-scenario-")
    os.chmod(sd, 0o755)
    pid, status = common.run([sys.executable, "-c", COUNTERS, sd], timeout=20)
    c.eq("scenario exit status", 0, status)
    done = time.time()

    def reached():
        text, mt = wait_file(path, "a rewrite", newer_than=done + 0.3)
        s, _ = parse_exposition(text, "a rewrite")
        if all(get(s, n, **lab) >= get(base, n, **lab) + k for n, lab, k, _ in checks):
            return s, mt
        return None
    got, mt = wait_for(reached, "the counters to grow by what the scenario did", timeout=10)
    # One more rewrite: nothing more came (exact ones), by what the scenario did.
    text, _ = wait_file(path, "one more rewrite", newer_than=mt)
    got, _ = parse_exposition(text, "one more rewrite")
    for n, lab, k, exact in checks:
        inc = get(got, n, **lab) - get(base, n, **lab)
        if exact:
            c.eq("%s%s: increase" % (n, lab), float(k), inc)
        else:
            c.ok("%s%s: increase %g, the scenario did %d" % (n, lab, inc, k), inc >= k)


def test_feature_off(c):
    d = tmpdir("pl-metrics-")
    path = os.path.join(d, "proclife.prom")
    env = dict(os.environ, PROCLIFE_FEATURES_OFF="delivery")
    r = subprocess.run([common.BIN, "features", "--json"], capture_output=True, timeout=60, env=env)
    doc = common.parse_json(r.stdout, "proclife features --json")
    # watch keeps a model: its /proc scans ask the sampling programs for the exits /proc hides.
    want = {f["name"]: 0.0 if f["state"] == "off" else 1.0 for f in doc["features"]}
    reduced = {f["name"]: float(f["state"] == "reduced") for f in doc["features"]}
    c.eq("features --json with delivery turned off: delivery", 0.0, want.get("delivery"))
    old = os.environ.get("PROCLIFE_FEATURES_OFF")
    os.environ["PROCLIFE_FEATURES_OFF"] = "delivery"
    try:
        t = start_proclife(["watch", "-o", "/dev/null", "--metrics-file", path, "--metrics-interval", "0.2"])
    finally:
        if old is None:
            del os.environ["PROCLIFE_FEATURES_OFF"]
        else:
            os.environ["PROCLIFE_FEATURES_OFF"] = old
    text, _ = wait_file(path, "the first write")
    c.eq("exit status", 0, t.stop())
    samples, _ = parse_exposition(text, "the file")
    c.eq("proclife_features, as proclife features says", want,
         {dict(lab)["feature"]: v for lab, v in series(samples, "proclife_features").items()})
    c.eq("proclife_feature_reduced, as proclife features says", reduced,
         {dict(lab)["feature"]: v for lab, v in series(samples, "proclife_feature_reduced").items()})


def test_alert_rules(c):
    rules = os.path.join(RULES_DIR, "proclife.rules.yml")
    tests = os.path.join(RULES_DIR, "proclife.rules.test.yml")
    r = subprocess.run(["promtool", "check", "rules", rules], capture_output=True, text=True, timeout=60)
    c.eq("promtool check rules: exit status (%r)" % (r.stdout + r.stderr), 0, r.returncode)
    c.ok("promtool check rules: %r" % r.stdout, "SUCCESS: 11 rules found" in r.stdout)
    r = subprocess.run(["promtool", "test", "rules", tests], capture_output=True, text=True, timeout=60)
    c.eq("promtool test rules: exit status (%r)" % (r.stdout + r.stderr), 0, r.returncode)
    c.ok("promtool test rules: %r" % r.stdout, "SUCCESS" in r.stdout and "FAILED" not in r.stdout)
    # The rules' proclife metrics and labels are what a real file has.
    d = tmpdir("pl-metrics-")
    path = os.path.join(d, "proclife.prom")
    rc, out, err = run_proclife(["zombies", "--every", "0.2", "--count", "1", "--metrics-file", path], timeout=30)
    c.eq("zombies --every 0.2 --count 1: exit status (%r)" % err, 0, rc)
    samples, _ = parse_exposition(read_file(path), "the file")
    # A recording's and an event output's metrics: watch -w -o.
    t = common.start_proclife(["watch", "--json", "-o", os.path.join(d, "events.json"), "-w", os.path.join(d, "r.plr"),
                               "--metrics-file", path],
                              ("proclife: tracing process lifecycle events, recording to %s, Ctrl-C to stop\n"
                               % os.path.join(d, "r.plr")).encode())
    c.eq("watch -o -w --metrics-file: exit status after SIGINT", 0, t.stop())
    more, _ = parse_exposition(read_file(path), "watch's file")
    samples.update(more)
    names = {n for n, _ in samples}
    text = read_file(rules)
    for used in sorted(set(re.findall(r"\b(proclife_[a-z_]+)", text))):
        c.ok("the rules use %s, which proclife does not write" % used, used in names)
    for name, label in (("proclife_lost_events_total", "event"), ("proclife_features", "feature"),
                        ("proclife_recording_errors_total", "errno"), ("proclife_output_errors_total", "errno")):
        c.ok("%s has no label %s" % (name, label), all(label in dict(lab) for lab in series(samples, name)))


SUBTESTS = [
    ("bad_options", test_bad_options, ROOT),
    ("promtool_each_command", test_promtool_each_command, PROMTOOL),
    ("processes_equal_proc", test_processes_equal_proc, ROOT),
    ("node_exporter", test_node_exporter, ("root", NODE_EXPORTER)),
    ("atomic_rewrite", test_atomic_rewrite, ROOT),
    ("write_failure", test_write_failure, ROOT),
    ("counters_equal_scenario", test_counters_equal_scenario, ROOT),
    ("feature_off", test_feature_off, ROOT),
    ("alert_rules", test_alert_rules, PROMTOOL),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="metrics_", subtest_timeout=SUBTEST_TIMEOUT))
