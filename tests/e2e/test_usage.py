#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of what processes use, as a user sees it: `run`'s totals
are the sums of the exit events' `self` values (nothing counted twice) and
its top consumers are the right ones; `tree --json` gives a busy process's
CPU and RSS as /proc does, a zombie's as wait4() then does, and a subtree
the CPU of what ran under it; `tree` on a terminal cuts lines to its width
as ps does, whole with -w or into a pipe. (The exact values at exit against
wait4() are the kernel suite's: tests/kernel/kt_usage.c.)

Usage: tests/e2e/test_usage.py PATH/TO/proclife [SUBTEST...]
Needs root (every subtest is skipped otherwise). Python stdlib only.
"""
import fcntl
import json
import os
import pty
import select
import struct
import sys
import termios
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import ROOT, popen, run_proclife, tmpdir, wait_for  # noqa: E402

SUBTEST_TIMEOUT = 90
PY = sys.executable
RU_KEYS = ["utime_us", "stime_us", "minflt", "majflt", "nvcsw", "nivcsw", "inblock", "oublock"]
SPIN = "import time\nt = time.process_time()\nwhile time.process_time() - t < %s: pass\n"


def walk(nodes):
    for n in nodes:
        yield n
        yield from walk(n.get("children", []))


def test_run_totals(c):
    tmp = tmpdir("usage-run")
    ev, summ = os.path.join(tmp, "events.jsonl"), os.path.join(tmp, "summary.json")
    script = ("%s -c '%s' & %s -c 'x = bytearray(40 << 20)' & wait; head -c 2000000 /dev/zero > %s/out; true"
              % (PY, SPIN % "0.3", PY, tmp))
    rc, out, err = run_proclife(["run", "-j", "-o", ev, "--summary-json", summ, "--", "sh", "-c", script], timeout=60)
    c.eq("run exit status", 0, rc)
    with open(summ) as f:
        s = json.load(f)
    with open(ev) as f:
        exits = [e for e in map(json.loads, f) if e["event"] == "exit" and not e["thread"]]
    nodes = list(walk(s["processes"]))
    lives = {(n["pid"], n["start_time"]) for n in nodes}
    c.eq("every process of the tree exited with its usage", len(nodes), len([e for e in exits if e["self"]]))
    t = s["totals"]
    c.eq("totals.processes", len(nodes), t["processes"])
    c.eq("totals.with_usage", len(nodes), t["with_usage"])
    for k in RU_KEYS:
        c.eq("totals.self.%s: the sum of the exit events' self.%s" % (k, k), sum(e["self"][k] for e in exits),
             t["self"][k])
    c.eq("totals.cpu_ns: the sum of the exit events' cpu_ns", sum(e["cpu_ns"] for e in exits), t["cpu_ns"])
    c.eq("totals.self.maxrss_kb: the largest", max(e["self"]["maxrss_kb"] for e in exits), t["self"]["maxrss_kb"])
    # Each process in the summary carries what its exit event said.
    by_pid = {e["pid"]: e for e in exits}
    for n in nodes:
        e = by_pid.get(n["pid"])
        c.ok("summary node %d has its exit's usage" % n["pid"], e is not None and n["self"] == e["self"]
             and n["rusage"] == e["rusage"] and n["cpu_ns"] == e["cpu_ns"])
    # The spinner used the most CPU; the 40 MiB one the most memory.
    spin = [n for n in nodes if n["argv"] and n["argv"][0] == PY and "process_time" in " ".join(n["argv"])]
    big = [n for n in nodes if n["argv"] and n["argv"][0] == PY and "bytearray" in " ".join(n["argv"])]
    c.eq("top_cpu[0] is the spinner", spin[0]["pid"] if spin else None, s["top_cpu"][0]["pid"])
    c.eq("top_rss[0] is the one that touched 40 MiB", big[0]["pid"] if big else None, s["top_rss"][0]["pid"])
    c.ok("the spinner used about 0.3 s", spin and 0.28e9 <= spin[0]["cpu_ns"] <= 0.6e9)
    c.ok("the big one's maxrss is over 40 MiB", big and big[0]["self"]["maxrss_kb"] >= 40 * 1024)
    # The text summary says it too.
    rc, out, err = run_proclife(["run", "-q", "--", "sh", "-c", "true"], timeout=30)
    text = out.decode() + err.decode()
    c.ok("the text summary has the totals line: %r" % text[-600:], "used in all (" in text and "most CPU:" in text)


def test_run_parent_reaps(c):
    """self leaves out the children a process waited for; rusage has them, as wait4() says."""
    tmp = tmpdir("usage-reap")
    ev = os.path.join(tmp, "events.jsonl")
    rc, out, err = run_proclife(["run", "-j", "-o", ev, "--", PY, "-c",
                                 "import subprocess, sys; subprocess.run([sys.executable, '-c', %r])" % (SPIN % "0.3")],
                                timeout=60)
    c.eq("run exit status", 0, rc)
    with open(ev) as f:
        exits = [e for e in map(json.loads, f) if e["event"] == "exit" and not e["thread"]]
    c.ok("two python exits", len([e for e in exits if e["comm"].startswith("python")]) >= 2)
    top = max(exits, key=lambda e: e["rusage"]["utime_us"] + e["rusage"]["stime_us"] if e["rusage"] else 0)
    child_cpu = min(e["cpu_ns"] for e in exits if e["cpu_ns"] >= 0.28e9)
    own = (top["self"]["utime_us"] + top["self"]["stime_us"]) * 1000
    tot = (top["rusage"]["utime_us"] + top["rusage"]["stime_us"]) * 1000
    c.ok("the parent's rusage holds the child's 0.3 s (%d ns)" % tot, tot >= child_cpu * 0.95)
    c.ok("its self does not (%d ns of its own, the child %d)" % (own, child_cpu), tot - own >= child_cpu * 0.95)


def proc_cpu_ns(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10 ** 9 // os.sysconf("SC_CLK_TCK")


def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(next(ln for ln in f if ln.startswith("VmRSS:")).split()[1])


def test_tree_usage_vs_proc(c):
    busy = popen([PY, "-c", "x = bytearray(30 << 20)\nwhile True: pass"])
    wait_for(lambda: proc_cpu_ns(busy.pid) > 0.2e9, "the busy one to run a while")
    # Following, so that the zombie's exit is seen (one that exited before proclife started is not).
    t = common.start_proclife(["tree", "--json", "--every", "4", "--count", "1"], b"proclife: following, a ")
    # A zombie of ours: what it used is final; wait4() says it once we reap it.
    zpid = os.fork()
    if zpid == 0:
        x = bytearray(20 << 20)
        t = time.process_time()
        while time.process_time() - t < 0.2:
            pass
        os._exit(len(x) & 0)
    wait_for(lambda: common.proc_state(zpid) == "Z", "the zombie")
    before = proc_cpu_ns(busy.pid)
    wait_for(lambda: t.stdout_bytes().endswith(b"\n"), "the print", timeout=15)
    after = proc_cpu_ns(busy.pid)
    t.stop()
    nodes = {n["pid"]: n for n in walk(json.loads(t.stdout_bytes()))}
    rss = vmrss_kb(busy.pid)
    b = nodes.get(busy.pid)
    z = nodes.get(zpid)
    _, st, ru = os.wait4(zpid, 0)
    busy.kill()
    busy.wait()
    if not c.ok("the busy one and the zombie are in the tree", b is not None and z is not None):
        return
    tick = 10 ** 9 // os.sysconf("SC_CLK_TCK")
    # /proc's utime and stime are each cut down to a whole tick: their sum is up to 2 ticks short.
    c.ok("busy cpu_ns %s between /proc's before and after the print (%d..%d)" % (b["cpu_ns"], before, after),
         b["cpu_ns"] is not None and before - 2 * tick <= b["cpu_ns"] <= after + 2 * tick)
    c.ok("busy rss_kb %s as /proc's VmRSS %d" % (b["rss_kb"], rss),
         b["rss_kb"] is not None and abs(b["rss_kb"] - rss) <= max(0.05 * rss, 512))
    c.eq("busy maxrss_kb (alive: none yet)", None, b["maxrss_kb"])
    c.eq("zombie state", "zombie", z["state"])
    c.eq("zombie maxrss_kb: what wait4() then said", ru.ru_maxrss, z["maxrss_kb"])
    c.eq("zombie rss_kb (exited: none)", None, z["rss_kb"])
    want = int((ru.ru_utime + ru.ru_stime) * 1e9)
    c.ok("zombie cpu_ns %s within 10 ms of wait4()'s %d" % (z["cpu_ns"], want),
         z["cpu_ns"] is not None and abs(z["cpu_ns"] - want) <= 10 ** 7)
    me = nodes.get(os.getpid())
    c.ok("this test's subtree CPU holds the busy one's and the zombie's",
         me is not None and me["subtree_cpu_ns"] >= b["cpu_ns"] + z["cpu_ns"])


def on_pty(argv, cols, timeout=20):
    """argv's output on a terminal cols wide."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
    data, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    os.waitpid(pid, 0)
    os.close(fd)
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


def test_tree_width(c):
    long_argv = popen(["sleep", "300." + "9" * 150])
    wait_for(lambda: common.alive(long_argv.pid), "the long sleep")
    # The window size is set once the child runs; give it the time to be read before the print.
    cut = on_pty([common.BIN, "tree"], 100)
    lines = [ln for ln in cut.split("\n") if ln and not ln.startswith("proclife:")]
    c.ok("tree printed on the terminal", len(lines) > 5)
    c.ok("every line fits 100 columns: %r" % max(lines, key=len), all(len(ln) <= 100 for ln in lines))
    c.ok("the header names the columns", lines and lines[0].split()[:4] == ["CPU", "RSS", "SUBTREE", "PROCESS"])
    wide = on_pty([common.BIN, "tree", "-w"], 100)
    c.ok("-w: whole lines (the long sleep's argv); printed: %r" % wide[-500:], ("300." + "9" * 150) in wide)
    rc, out, err = run_proclife(["tree"], timeout=30)
    c.ok("into a pipe: whole lines", ("300." + "9" * 150).encode() in out)
    long_argv.kill()
    long_argv.wait()


SUBTESTS = [
    ("usage_run_totals", test_run_totals, ROOT),
    ("usage_run_parent_reaps", test_run_parent_reaps, ROOT),
    ("usage_tree_vs_proc", test_tree_usage_vs_proc, ROOT),
    ("usage_tree_width", test_tree_width, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, subtest_timeout=SUBTEST_TIMEOUT))
