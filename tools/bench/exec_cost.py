#!/usr/bin/env python3
"""The BPF time per exec: run time and run count of proclife's exec program
(bpf_stats) while the spawn workload forks and execs /bin/true N times.

    tools/bench/exec_cost.py [PROCLIFE] [SPAWN] [N] [ROUNDS]

defaults build/proclife, build/bench/spawn, 1000, 5. Runs `proclife watch
--json -o /dev/null` (every event, the exec program with everything it
reads), turns the kernel's BPF statistics on through BPF_ENABLE_STATS (an
fd: they go off when it closes; the sysctl is left as it is), and prints
per round the exec program's runs and ns per run, then the median. Root.
"""
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time

BPF_ENABLE_STATS = 32
BPF_STATS_RUN_TIME = 0
SYS_BPF = 321  # x86_64


def enable_stats():
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint32 * 32)()
    attr[0] = BPF_STATS_RUN_TIME
    fd = libc.syscall(SYS_BPF, BPF_ENABLE_STATS, ctypes.byref(attr), ctypes.sizeof(attr))
    if fd < 0:
        sys.exit("BPF_ENABLE_STATS: %s" % os.strerror(ctypes.get_errno()))
    return fd


def prog_ids(pid):
    """The ids of the BPF programs process pid holds (its fds' fdinfo: programs and links)."""
    ids = set()
    fddir = "/proc/%d/fdinfo" % pid
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def exec_prog_stats(tracer_pid):
    """(run_cnt, run_time_ns) of the exec program the tracer loaded (others may run proclife too)."""
    ids = prog_ids(tracer_pid)
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True, check=True).stdout
    for p in json.loads(out):
        if p.get("name") == "pl_exec" and p.get("id") in ids:
            return p.get("run_cnt", 0), p.get("run_time_ns", 0)
    sys.exit("no pl_exec program of pid %d (bpftool prog show)" % tracer_pid)


def main():
    proclife = sys.argv[1] if len(sys.argv) > 1 else "build/proclife"
    spawn = sys.argv[2] if len(sys.argv) > 2 else "build/bench/spawn"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    fd = enable_stats()
    tracer = subprocess.Popen([proclife, "watch", "--json", "-o", "/dev/null"], stderr=subprocess.PIPE, text=True)
    per_run = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                exec_prog_stats(tracer.pid)
                break
            except SystemExit:
                if time.monotonic() > deadline or tracer.poll() is not None:
                    raise
                time.sleep(0.2)
        for r in range(rounds):
            c0, t0 = exec_prog_stats(tracer.pid)
            subprocess.run([spawn, str(n)], check=True, capture_output=True)
            c1, t1 = exec_prog_stats(tracer.pid)
            runs = c1 - c0
            ns = (t1 - t0) / runs if runs else 0
            per_run.append(ns)
            print("round %d: %d runs (%d spawns), %.0f ns per run" % (r + 1, runs, n, ns))
    finally:
        tracer.terminate()
        tracer.wait(timeout=60)
        os.close(fd)
    print("median %.0f ns per exec (%d rounds of %d spawns)" % (statistics.median(per_run), rounds, n))


if __name__ == "__main__":
    main()
