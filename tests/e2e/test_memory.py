#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of proclife's bounds under attack (issue 20, findings 2
and 3): what an unprivileged user, or a crafted recording, can make the
collector hold, and what a full zombie table in the kernel costs.

  spawner_64k_argv   an unprivileged user spawns processes with a 64 KiB argv
                     for 60 s (and on, on a slow machine, until their argv
                     makes 4 times the cap) under `record --arg-bytes 65536
                     --max-memory 32M`: the model's own byte count (proclife_model_bytes,
                     read every half second) never passes the cap, the
                     recorder's peak RSS stays under the cap, the ring buffer
                     (mapped twice: its pages are counted twice) and a fixed
                     margin, and what was forgotten early is counted and said.
  crafted_recording  a 264 KB recording (1,840 processes, each with a 64 KiB
                     argv: it took `tree -r` to 124 MB) under `--max-memory
                     32M`: the peak RSS stays under the cap and a margin, every
                     process is still in the tree, the cut command lines are
                     marked, and the cap is said once.
  zombie_flood       an unprivileged user holds 300 zombies against a zombie
                     table of 64 places (the test switch PROCLIFE_ZOMBIES_MAX):
                     no reap is lost and no resync runs; the reaps of
                     processes that exit meanwhile, and of the zombies once
                     reaped, are all reported with their statuses.

Usage: tests/e2e/test_memory.py PATH/TO/proclife [SUBTEST...]
Needs root for the live subtests (skipped otherwise). Python stdlib only.
"""
import json
import os
import re
import subprocess
import sys
import time
import zlib

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
import common  # noqa: E402
import make_corpus as mc  # noqa: E402
from common import (ROOT, Failure, Skip, at_cleanup, drop_to_nobody, parse_json_lines, popen, reap_popen,  # noqa: E402
                    run, start_proclife, tmpdir, wait_for)

SUBTEST_TIMEOUT = 300
MiB = 1 << 20
RINGBUF = 16 * MiB  # the default ring buffer (bpf/lib/common.bpf.h PL_EVENTS_MAX)
# What proclife holds besides the model and the ring buffer: the binary, libbpf, the recording's
# buffers, a /proc scan, the allocator's slack. Measured: 8 MB with --max-memory 32M under the spawner.
MARGIN = 24 * MiB
READY_RECORD = b"proclife: recording to %s, Ctrl-C to stop\n"
SAMPLE_RE = re.compile(r'^(proclife_[a-z_]+)(?:\{(.*)\})? (\S+)$', re.M)

# The unprivileged spawner: posix_spawn /bin/true with one argument of argv[1] bytes, waited for,
# as fast as it goes, for argv[2] seconds and at least argv[3] times (a slow machine takes longer),
# at most argv[4] seconds; prints how many.
SPAWNER = """
import os, sys, time
arg = "x" * (int(sys.argv[1]) - 1)
start = time.monotonic()
n = 0
while (time.monotonic() < start + float(sys.argv[2]) or n < int(sys.argv[3])) and \\
        time.monotonic() < start + float(sys.argv[4]):
    os.waitpid(os.posix_spawn("/bin/true", ["true", arg], {}), 0)
    n += 1
print(n, flush=True)
"""

# The unprivileged zombie holder: argv[1] children that exit 7 at once, not waited for; their pids
# as one JSON line; on "reap" from stdin, each waited for (the statuses as a JSON line); EOF: exit.
HOLDER = """
import json, os, sys
kids = []
for i in range(int(sys.argv[1])):
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    kids.append(pid)
print(json.dumps(kids), flush=True)
for line in sys.stdin:
    if line.strip() == "reap":
        print(json.dumps([os.waitpid(k, 0)[1] for k in kids]), flush=True)
"""

# The unprivileged worker: children exiting 1..argv[1], each waited for: [[pid, status], ...].
WORKER = """
import json, os, sys
done = []
for code in range(1, int(sys.argv[1]) + 1):
    pid = os.fork()
    if pid == 0:
        os._exit(code)
    done.append([pid, os.waitpid(pid, 0)[1]])
print(json.dumps(done), flush=True)
"""

_nobody_python = None


def nobody_python():
    """A python3 the user nobody can run (a pyenv interpreter under /root is not one)."""
    global _nobody_python
    if _nobody_python is None:
        for exe in (os.path.realpath(sys.executable), "/usr/bin/python3"):
            try:
                _, st = run([exe, "-c", "pass"], preexec_fn=drop_to_nobody)
            except OSError:
                continue
            if st == 0:
                _nobody_python = exe
                break
        else:
            raise Skip("no python3 that the user nobody can run")
    return _nobody_python


def metrics(path):
    """The samples of a metrics file: {(name, labels): value}; {} while it is not there."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return {}
    return {(m.group(1), m.group(2) or ""): float(m.group(3)) for m in SAMPLE_RE.finditer(text)}


def status_kb(pid, field):
    """A /proc/PID/status field in kB (VmRSS, VmHWM)."""
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith(field + ":"):
                return int(ln.split()[1])
    raise Failure("/proc/%d/status has no %s" % (pid, field))


def bpf_map_rss_kb(pid):
    """Resident kB of pid's BPF map mappings (the ring buffer's data pages are mapped twice)."""
    total, in_map = 0, False
    with open("/proc/%d/smaps" % pid) as f:
        for ln in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", ln):
                in_map = ln.rstrip().endswith("anon_inode:bpf-map")
            elif in_map and ln.startswith("Rss:"):
                total += int(ln.split()[1])
    return total


def spawner_64k_argv(c):
    """A 64 KiB argv spawner for 60 s against --max-memory 32M: the cap holds, RSS follows it."""
    cap = 32 * MiB
    d = tmpdir("pl-memory-")
    rec, prom = os.path.join(d, "r.plr"), os.path.join(d, "m.prom")
    py = nobody_python()
    t = start_proclife(["record", "-w", rec, "--arg-bytes", "65536", "--max-memory", "32M", "--metrics-file", prom,
                        "--metrics-interval", "0.5"], ready=READY_RECORD % rec.encode(), read_stdout=False)
    wait_for(lambda: metrics(prom), "the first metrics file")
    enough = 4 * cap // (64 << 10)  # argv for four times the cap: the cap is reached, then held
    sp = popen([py, "-c", SPAWNER, str(64 << 10), "60", str(enough), "200"], stdout=subprocess.PIPE,
               preexec_fn=drop_to_nobody)
    most, samples = 0, 0
    while sp.poll() is None:
        v = metrics(prom).get(("proclife_model_bytes", ""))
        if v is not None:
            most, samples = max(most, v), samples + 1
        time.sleep(0.25)
    spawned = int(sp.stdout.read().strip() or 0)  # poll() reaped it
    c.eq("the spawner's exit status", 0, sp.returncode)
    time.sleep(1.0)  # the last metrics write (every 0.5 s)
    m = metrics(prom)
    most = max(most, m.get(("proclife_model_bytes", ""), 0))
    hwm, ring = status_kb(t.p.pid, "VmHWM") * 1024, bpf_map_rss_kb(t.p.pid) * 1024
    rc = t.stop()
    err = t.stderr_bytes().decode(errors="replace")
    print("    %d spawns of a 64 KiB argv in 60 s or more; model at most %.1f MiB (%d samples); peak RSS %.1f MiB, "
          "of which BPF maps %.1f MiB" % (spawned, most / MiB, samples, hwm / MiB, ring / MiB))
    if spawned < enough:
        raise Failure("the spawner ran only %d times in 200 s: too few to fill a 32 MiB model" % spawned)
    c.eq("record's exit status", 0, rc)
    c.ok("proclife_model_bytes was read (%d samples)" % samples, samples >= 20)
    c.ok("the model's own count stays under the cap: at most %d, cap %d" % (most, cap), 0 < most <= cap)
    c.eq("proclife_model_max_bytes", float(cap), m.get(("proclife_model_max_bytes", "")))
    c.ok("the ring buffer is in RSS at most twice (%d bytes of BPF maps)" % ring, ring <= 2 * RINGBUF + 4 * MiB)
    c.ok("peak RSS %.1f MiB under the cap (32), the ring buffer mapped twice (32) and %d MiB"
         % (hwm / MiB, MARGIN // MiB), hwm <= cap + 2 * RINGBUF + MARGIN)
    forgot = m.get(("proclife_forgotten_total", 'kind="reaped"'), 0)
    c.ok("reaped processes were forgotten early, and counted: %r" % forgot, forgot > 0)
    c.eq("live processes left out", 0.0, m.get(("proclife_forgotten_total", 'kind="process"')))
    c.eq("said once", 1, err.count("at its memory cap (--max-memory 32M): reaped processes"))
    c.ok("the closing line counts them: %r" % err[-300:],
         re.search(r", %d forgotten \(reaped %d[,:]" % (forgot, forgot), err) is not None)


# --------------------------------------------------------------------------
# A crafted recording

CRAFT_PROCS = 1840
CRAFT_ARG = 64 << 10


def deflate9(raw):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return z.compress(raw) + z.flush()


def crafted_recording():
    """CRAFT_PROCS processes forked by 1, each exec'ing once with an argv of CRAFT_ARG bytes (as
    --arg-bytes 65536 keeps them): the same bytes again and again, so deflate takes them to almost
    nothing. Blocks of at most 4 MiB raw, as the reader allows."""
    recs = [mc.META_0] + mc.snapshot(mc.START_NS, [mc.snap_proc(1, 0, "systemd", [b"/sbin/init"])])
    t, arg = mc.T, b"A" * (CRAFT_ARG - 1)
    for i in range(CRAFT_PROCS):
        pid, start = 1000 + i, mc.START_NS + 1000 + i
        recs.append(mc.record(mc.EVENT, mc.ev_fork(t, 1, 0, "systemd", pid, start)))
        recs.append(mc.record(mc.EVENT, mc.ev_exec(t + 1, pid, 1, "x", b"/x", [arg], start)))
        t += 1000
    recs.append(mc.rtime(mc.END, t))
    blocks, cur, size = [], [], 0
    for r in recs:
        if cur and size + len(r) > (4 << 20) - 4096:
            blocks.append(cur)
            cur, size = [], 0
        cur.append(r)
        size += len(r)
    blocks.append(cur)
    saved, mc.deflate = mc.deflate, deflate9
    try:
        return mc.file_header(args_cap=65536) + b"".join(mc.block(b, i) for i, b in enumerate(blocks))
    finally:
        mc.deflate = saved


def wait4_deadline(p, timeout):
    """Reap a Popen's process ourselves: its raw status and peak RSS (bytes); killed at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
            return status, ru.ru_maxrss * 1024
        if time.monotonic() > deadline:
            p.kill()
            raise Failure("%s did not finish within %d s" % (" ".join(p.args[:3]), timeout))
        time.sleep(0.01)


def crafted_recording_bounded(c):
    """`tree -r` of a 264 KB crafted recording under --max-memory 32M: RSS bounded, nothing hidden."""
    d = tmpdir("pl-memory-")
    path = os.path.join(d, "crafted.plr")
    # Made by another process: a child's peak RSS (wait4) counts what it was before its exec, a copy
    # of this process, which must stay small.
    _, st = run([sys.executable, os.path.abspath(__file__), "--craft", path], timeout=120)
    if st != 0:
        raise Failure("making the crafted recording failed: status %d" % st)
    with open(path, "rb") as f:
        size = len(f.read())
    mine = status_kb(os.getpid(), "VmRSS") * 1024
    if mine > 24 * MiB:
        raise Failure("this test process is %.0f MiB: a child's peak RSS would be no measure" % (mine / MiB))
    os.chmod(d, 0o755)
    os.chmod(path, 0o644)
    with open(os.path.join(d, "out"), "wb+") as fo, open(os.path.join(d, "err"), "wb+") as fe:
        p = popen([common.BIN, "tree", "-r", path, "--max-memory", "32M", "--wide"], stdout=fo, stderr=fe,
                  preexec_fn=drop_to_nobody)
        status, rss = wait4_deadline(p, 120)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    print("    %d bytes of recording, %.0f MiB of argv; tree -r peak RSS %.1f MiB"
          % (size, CRAFT_PROCS * CRAFT_ARG / MiB, rss / MiB))
    c.ok("the recording is small: %d bytes" % size, size <= 300 << 10)
    c.eq("exit status", 0, os.waitstatus_to_exitcode(status))
    c.ok("peak RSS %.1f MiB under the cap (32) and %d MiB" % (rss / MiB, MARGIN // MiB), rss <= 32 * MiB + MARGIN)
    lines = out.decode(errors="replace").split("\n")
    pids = [int(m.group(1)) for m in (re.search(r"─ (\d+) ", ln) for ln in lines) if m]
    c.eq("every process is in the tree", list(range(1000, 1000 + CRAFT_PROCS)), sorted(pids))
    cut = sum(1 for ln in lines if re.search(r"─ \d+ A+ \.\.\.", ln))
    c.ok("the command lines it cut are marked ' ...' (%d of them)" % cut, cut > 0)
    whole = sum(1 for ln in lines if re.search(r"─ \d+ A{%d}  \[" % (CRAFT_ARG - 1), ln))
    c.eq("every line is whole or marked", CRAFT_PROCS, cut + whole)
    e = err.decode(errors="replace")
    c.eq("the cap is said once on stderr", 1, e.count("at its memory cap (--max-memory 32M)"))


# --------------------------------------------------------------------------
# A zombie flood

TABLE = 64
HELD = 300
WORKERS = 20


def zombie_flood(c):
    """300 zombies of an unprivileged user against a table of 64: no lost reap, no resync."""
    d = tmpdir("pl-memory-")
    prom = os.path.join(d, "m.prom")
    py = nobody_python()
    os.environ["PROCLIFE_ZOMBIES_MAX"] = str(TABLE)  # the test switch, read when the maps are made
    at_cleanup(lambda: os.environ.pop("PROCLIFE_ZOMBIES_MAX", None))
    t = start_proclife(["--json", "-e", "exit,reap,resync", "--metrics-file", prom, "--metrics-interval", "0.5"])
    cpu0 = cpu_ticks(t.p.pid)
    holder = popen([py, "-c", HOLDER, str(HELD)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                   preexec_fn=drop_to_nobody)
    held = json.loads(holder.stdout.readline())
    c.eq("zombies held", HELD, len(held))

    def events():
        return parse_json_lines(c, t.stdout_bytes()[:t.stdout_bytes().rfind(b"\n") + 1])

    def of(evs, event, pids):
        return {e["pid"]: e for e in evs if e["event"] == event and e["pid"] in pids}

    held_set = set(held)
    wait_for(lambda: len(of(events(), "exit", held_set)) == HELD, "the %d zombies' exits" % HELD, timeout=30)
    # The table is full of them: the worker's children exit and are waited for now.
    w = popen([py, "-c", WORKER, str(WORKERS)], stdout=subprocess.PIPE, preexec_fn=drop_to_nobody)
    kids = {pid: st for pid, st in json.loads(w.stdout.readline() or b"[]")}
    c.eq("worker exit status", 0, reap_popen(w))
    c.eq("the worker's children's statuses", [code << 8 for code in range(1, WORKERS + 1)], sorted(kids.values()))
    wait_for(lambda: len(of(events(), "reap", set(kids))) == WORKERS, "the worker's %d reaps" % WORKERS, timeout=30)
    for pid, e in of(events(), "reap", set(kids)).items():
        c.eq("reap of %d: status" % pid, kids[pid], e["status"])
        c.ok("reap of %d: by a wait, or untracked: %r" % (pid, e["how"]), e["how"] in ("wait", "untracked"))
    holder.stdin.write(b"reap\n")
    holder.stdin.flush()
    statuses = json.loads(holder.stdout.readline())
    c.eq("the holder's waits", [7 << 8] * HELD, statuses)
    wait_for(lambda: len(of(events(), "reap", held_set)) == HELD, "the %d zombies' reaps" % HELD, timeout=30)
    reaps = of(events(), "reap", held_set)
    untracked = sum(1 for e in reaps.values() if e["how"] == "untracked")
    c.eq("each zombie reaped with its status", {pid: 7 << 8 for pid in held},
         {pid: e["status"] for pid, e in reaps.items()})
    c.ok("untracked reaps (reaper unknown): %d, at least %d" % (untracked, HELD - TABLE), untracked >= HELD - TABLE)
    for e in reaps.values():
        if e["how"] == "untracked":
            c.eq("an untracked reap names no reaper", None, e["reaper"])
            break
    time.sleep(1.0)  # the next metrics write
    m = metrics(prom)
    cpu = cpu_ticks(t.p.pid) - cpu0
    rc = t.stop()
    evs = events()
    c.eq("exit status", 0, rc)
    c.ok("untracked zombies counted: %r" % m.get(("proclife_untracked_zombies_total", "")),
         m.get(("proclife_untracked_zombies_total", ""), 0) >= HELD - TABLE)
    c.eq("reaps lost", 0.0, m.get(("proclife_lost_events_total", 'event="reap"')))
    c.eq("resyncs", 0.0, m.get(("proclife_resyncs_total", "")))
    c.eq("resync events", [], [e for e in evs if e["event"] == "resync"])
    err = t.stderr_bytes().decode(errors="replace")
    c.eq("the full table is said once", 1, err.count("the kernel's zombie table is full"))
    c.ok("the closing line counts them: %r" % err[-200:], re.search(r", \d+ zombies untracked \(", err) is not None)
    print("    %d of %d zombies untracked; proclife used %.2f s of CPU meanwhile"
          % (untracked, HELD, cpu / os.sysconf("SC_CLK_TCK")))


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


SUBTESTS = [
    ("crafted_recording", crafted_recording_bounded, ()),
    ("zombie_flood", zombie_flood, ROOT),
    ("spawner_64k_argv", spawner_64k_argv, ROOT),
]

if __name__ == "__main__":
    if sys.argv[1:2] == ["--craft"]:
        with open(sys.argv[2], "wb") as f:
            f.write(crafted_recording())
        sys.exit(0)
    sys.exit(common.main(SUBTESTS, prefix="memory_", subtest_timeout=SUBTEST_TIMEOUT))
