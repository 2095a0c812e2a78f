#!/usr/bin/env python3
"""proclife benchmarks, side by side with the peers, in one run.

Each workload runs without a tracer and under each tracer, interleaved
(A B C ... A B C ...) so that machine drift cancels, for several rounds;
medians and ratios to "no tracer" are reported, with their spread, the
tracer's own CPU time, events received and events lost. Then one more round
of each with the kernel's BPF statistics on: how many times the tracer's BPF
programs ran during the workload and for how long (so that a program that
runs on unrelated syscalls shows as a count, not only as time). Writes
docs/BENCHMARKS.md and the same tables on stdout.

  tools/bench.py            the full run (tens of minutes); peers installed via apt if missing
  tools/bench.py --smoke    seconds: tiny workloads, no tracer and proclife only,
                            checked; prints PASS/FAIL lines (part of make test)

Environment: BENCH_ROUNDS (default: 9 for the spawn workloads, 5 for the others);
BENCH_ONLY=substring runs only matching workloads, BENCH_TRACERS=substring only
matching tracers (docs/BENCHMARKS.md is then left alone).
"""
import json
import os
import platform
import pty
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
PROCLIFE = os.path.join(BUILD, "proclife")
BENCH = os.path.join(BUILD, "bench")
TICK = os.sysconf("SC_CLK_TCK")

# The syscalls whose returns proclife's per-syscall tracepoint program reports on (user/kernel/variants.c).
SYSCALL_EXITS = ["execve", "execveat", "wait4", "waitid", "kill", "tkill", "tgkill", "rt_sigqueueinfo",
                 "rt_tgsigqueueinfo", "pidfd_send_signal"]
# The floor of that variant: an empty program on the same tracepoints costs every syscall the slow path.
FLOOR_SCRIPT = ",".join("tracepoint:syscalls:sys_exit_" + n for n in SYSCALL_EXITS) + " { }\n"

BPFTRACE_SCRIPT = r"""
tracepoint:sched:sched_process_fork { printf("fork %d %d\n", args->parent_pid, args->child_pid); }
tracepoint:sched:sched_process_exec { printf("exec %d %s\n", pid, str(args->filename)); }
tracepoint:sched:sched_process_exit { printf("exit %d %s\n", pid, comm); }
tracepoint:signal:signal_generate { printf("signal %d %d %d\n", pid, args->sig, args->pid); }
"""


def dd(count):
    """The unrelated-syscall workload of the issue: 64-byte reads and writes, 2 syscalls a block."""
    return ["dd", "if=/dev/zero", "of=/dev/null", "bs=64", f"count={count}"]


def workloads(smoke):
    """(name, argv, events expected at least, operations for the runs-per-operation column)."""
    if smoke:
        return [
            ("spawn", [f"{BENCH}/spawn", "30"], 30, 30),
            ("spawn, 2 spawners", [f"{BENCH}/spawn", "30", "2"], 30, 30),
            ("signal storm", [f"{BENCH}/sigstorm", "2000"], 2000, 2000),
            # Threads are filtered in the kernel unless --threads: no events expected.
            ("thread storm", [f"{BENCH}/threadstorm", "300"], 0, 300),
            # Unrelated syscalls: no event at all.
            ("getppid loop", [f"{BENCH}/getppid", "200000"], 0, 200000),
            ("dd bs=64", dd(100000), 0, 200000),
        ]
    return [
        ("spawn", [f"{BENCH}/spawn", "1000"], 1000, 1000),
        ("spawn, 2 spawners", [f"{BENCH}/spawn", "1000", "2"], 1000, 1000),
        ("signal storm", [f"{BENCH}/sigstorm", "200000"], 200000, 200000),
        ("thread storm", [f"{BENCH}/threadstorm", "20000"], 0, 20000),
        ("getppid loop", [f"{BENCH}/getppid", "5000000"], 0, 5000000),
        ("dd bs=64", dd(2000000), 0, 4000000),
    ]


def rounds_of(name):
    """Spawns last under a millisecond each: their ratios need more rounds to settle."""
    if os.environ.get("BENCH_ROUNDS"):
        return int(os.environ["BENCH_ROUNDS"])
    return 9 if name.startswith("spawn") else 5


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def wait_for(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


class Tracer:
    """One tracer run: start, wait until attached, measure, stop."""

    def __init__(self, name, tmp):
        self.name = name
        self.tmp = tmp
        self.procs = []
        self.outs = []
        self.errs = []

    def _spawn(self, argv, ready, stdout_to_file=True, settle=0.0):
        i = len(self.procs)
        out = os.path.join(self.tmp, f"{self.name.replace(' ', '_')}.{i}.out")
        err = os.path.join(self.tmp, f"{self.name.replace(' ', '_')}.{i}.err")
        fo = open(out, "wb")
        fe = open(err, "wb")
        p = subprocess.Popen(argv, stdout=fo if stdout_to_file else subprocess.DEVNULL, stderr=fe,
                             stdin=subprocess.DEVNULL)
        fo.close()
        fe.close()
        self.procs.append(p)
        self.outs.append(out)
        self.errs.append(err)

        def is_ready():
            if p.poll() is not None:
                raise RuntimeError(f"{self.name}: {argv[0]} exited: {open(err).read()[-300:]}")
            return ready(out, err, p.pid)

        if not wait_for(is_ready, 60):
            raise RuntimeError(f"{self.name}: {argv[0]} not ready after 60 s")
        time.sleep(settle)  # attaching is several steps: let the last ones finish

    def start(self):
        raise NotImplementedError

    def cpu(self):
        return sum(cpu_ticks(p.pid) for p in self.procs) / TICK

    def pids(self):
        return [p.pid for p in self.procs]

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def events(self):
        return sum(count_lines(o) for o in self.outs)

    def lost(self):
        n = 0
        for e in self.errs + self.outs:
            try:
                text = open(e, errors="replace").read()
            except OSError:
                continue
            for m in re.finditer(r"[Ll]ost (\d+) events", text):
                n += int(m.group(1))
            for m in re.finditer(r"(\d+) lost", text):
                n += int(m.group(1))
        return n


def count_lines(path):
    n = 0
    try:
        with open(path, "rb") as f:
            for _ in f:
                n += 1
    except OSError:
        pass
    return n


def fd_links(pid):
    try:
        return [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return []


def attached(pid):
    """A peer is ready once its BPF programs are attached: it holds bpf links or perf events.
    (Its output goes to a file through a stdio buffer, so a header line proves nothing.)"""
    return any("bpf_link" in l or "perf_event" in l for l in fd_links(pid))


def has_line(path, text):
    try:
        with open(path, errors="replace") as f:
            return text in f.read()
    except OSError:
        return False


class NoTracer(Tracer):
    def start(self):
        pass


class ProclifeJson(Tracer):
    def start(self):
        self.file = os.path.join(self.tmp, "proclife.json")
        self._spawn([PROCLIFE, "watch", "--json", "-o", self.file],
                    lambda o, e, pid: has_line(e, "Ctrl-C to stop"))

    def events(self):
        return count_lines(self.file)

    def lost(self):
        text = open(self.errs[0], errors="replace").read()
        m = re.search(r"\), (\d+) lost", text)
        return int(m.group(1)) if m else -1


class ProclifeTree(Tracer):
    """The model only: kept current from every event, no per-event output."""

    def start(self):
        self._spawn([PROCLIFE, "tree", "--every", "86400"], lambda o, e, pid: has_line(e, "following"))

    def events(self):
        m = re.search(r"(\d+) events seen", open(self.errs[0], errors="replace").read())
        return int(m.group(1)) if m else -1

    def lost(self):
        m = re.search(r"\), (\d+) lost", open(self.errs[0], errors="replace").read())
        return int(m.group(1)) if m else -1


class ProclifeRecord(ProclifeTree):
    """proclife record -w FILE: everything, compressed into a recording."""

    def start(self):
        self.file = os.path.join(self.tmp, "proclife.plr")
        self._spawn([PROCLIFE, "record", "-w", self.file], lambda o, e, pid: has_line(e, "Ctrl-C to stop"))


class ProclifeZombies(ProclifeTree):
    """zombies --every: the model only, as tree."""

    def start(self):
        self._spawn([PROCLIFE, "zombies", "--every", "86400"], lambda o, e, pid: has_line(e, "following"))


class ProclifeMetrics(ProclifeTree):
    """watch -e none --metrics-file FILE: a metrics-only run (counts kept in the kernel)."""

    def start(self):
        self.file = os.path.join(self.tmp, "proclife.prom")
        self._spawn([PROCLIFE, "watch", "-e", "none", "--metrics-file", self.file],
                    lambda o, e, pid: has_line(e, "Ctrl-C to stop"))


class ProclifeTop(ProclifeTree):
    """top on a terminal of its own (a pty, read by a thread so that drawing never blocks)."""

    def start(self):
        err = os.path.join(self.tmp, "top.err")
        pid, fd = pty.fork()
        if pid == 0:
            efd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(efd, 2)
            os.execve(PROCLIFE, [PROCLIFE, "top", "--delay", "60"], dict(os.environ, TERM="xterm"))
        self.top_pid, self.fd, self.screen = pid, fd, bytearray()
        self.errs.append(err)

        def drain():
            while True:
                try:
                    b = os.read(fd, 65536)
                except OSError:
                    return
                if not b:
                    return
                self.screen += b
                del self.screen[:-65536]
        threading.Thread(target=drain, daemon=True).start()
        if not wait_for(lambda: b"PROCESS" in self.screen, 60):
            raise RuntimeError(f"{self.name}: top drew no screen after 60 s")
        time.sleep(0.5)

    def cpu(self):
        return cpu_ticks(self.top_pid) / TICK

    def pids(self):
        return [self.top_pid]

    def stop(self):
        try:
            os.kill(self.top_pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        _, self.status = os.waitpid(self.top_pid, 0)
        os.close(self.fd)

    def events(self):
        return -1  # top says nothing of what it saw

    def lost(self):
        return 0 if self.status == 0 else -1


class FloorTracepoints(Tracer):
    """Empty bpftrace probes on the per-syscall exit tracepoints proclife uses without trampolines:
    the least any program there costs every other syscall (the kernel's slow path)."""

    def start(self):
        script = os.path.join(self.tmp, "floor.bt")
        with open(script, "w") as f:
            f.write(FLOOR_SCRIPT)
        self._spawn([shutil.which("bpftrace"), script], lambda o, e, pid: attached(pid), settle=1.0)

    def events(self):
        return 0


class LibbpfTools(Tracer):
    def start(self):
        for tool in ("execsnoop", "exitsnoop", "sigsnoop"):
            self._spawn([shutil.which(tool)], lambda o, e, pid: attached(pid), settle=0.5)

    def events(self):
        return sum(max(count_lines(o) - 1, 0) for o in self.outs)  # minus the header


class Forkstat(Tracer):
    def start(self):
        # forkstat reads the proc connector: ready once it holds its netlink socket.
        self._spawn([shutil.which("forkstat"), "-e", "all"],
                    lambda o, e, pid: any(l.startswith("socket:") for l in fd_links(pid)), settle=0.5)

    def events(self):
        return max(count_lines(self.outs[0]) - 1, 0)


class Bpftrace(Tracer):
    def start(self):
        script = os.path.join(self.tmp, "lifecycle.bt")
        with open(script, "w") as f:
            f.write(BPFTRACE_SCRIPT)
        self._spawn([shutil.which("bpftrace"), script], lambda o, e, pid: attached(pid), settle=1.0)

    def events(self):
        return max(count_lines(self.outs[0]) - 1, 0)


METHOD = """\
How (tools/bench.py): each workload runs with no tracer and under each
tracer, one after the other in a round, the order rotated each round so that
drift of the machine cancels out; the tables give medians over the rounds.

- "ratio" is the workload's median time under the tracer over its median
  time with no tracer; "spread" is half the interquartile range of the
  tracer's own runs over their median (the noise: a ratio closer to 1 than
  the spread is no difference).
- "tracer CPU" is the tracer process's own user+system time during the
  workload. BPF programs run in the workload's context: their time is in the
  workload's time, and in the last columns.
- "events received" counts output lines (the tree, zombies and metrics-only
  runs: events the model applied; top says nothing of it).
- "BPF program runs" and "BPF time" come from one more round with the
  kernel's statistics on (`kernel.bpf_stats_enabled`, which slows every BPF
  program, so the timed rounds run without it): how many times the BPF
  programs the tracer holds ran during the workload, and for how long (each
  program's run_cnt and run_time_ns, read from the tracer's own fds, so
  another tracer on the machine is not counted). "runs per operation" divides
  by the workload's operations (spawns, signals, threads, syscalls): a
  program that runs on unrelated syscalls shows as about 1 or more on the
  getppid loop and the dd line, whatever its time.
- The "floor" line is bpftrace with empty probes on the ten syscall exit
  tracepoints proclife's per-syscall tracepoint variant uses (on a kernel
  without BPF trampolines): any program there makes every syscall take the
  kernel's slow path, which is the least that variant can cost.

Workloads (tools/bench/): spawn = fork + exec /bin/true + wait (1,000; with 2
spawners at once); signal storm = a process sends itself 200,000 handled
SIGUSR1s; thread storm = create and join 20,000 threads; getppid loop =
5,000,000 getppid() calls; dd bs=64 = `dd if=/dev/zero of=/dev/null bs=64
count=2000000` (4,000,000 read and write calls). The last two create no
process and send no signal: what a tracer costs them it costs every program
on the machine.

proclife modes: `watch --json -o FILE` (every event, every field); `tree
--every 86400`, `zombies --every 86400`, `top` (on a terminal of its own) and
`watch -e none --metrics-file FILE` (a metrics-only run) keep the process
model's states and counts only: no program on any syscall, no event per
ordinary signal (docs/COMMANDS.md); `record -w FILE` records every event.
"""


def syscalls_variant():
    """What proclife's syscalls feature uses on this machine, and what it costs the other syscalls."""
    try:
        r = subprocess.run([PROCLIFE, "features", "--json"], capture_output=True, text=True, timeout=120)
        f = {x["name"]: x for x in json.loads(r.stdout)["features"]}["syscalls"]
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return "(`proclife features` could not say which syscalls variant proclife used.)"
    cost = f"; it costs every syscall: {f['cost']}" if f.get("cost") else ", which costs the other syscalls nothing"
    return (f"proclife's full modes used `{f.get('program')}` for the syscalls feature here "
            f"(`proclife features`){cost}.")


def ensure_peers():
    missing = [pkg for pkg, tool in (("libbpf-tools", "execsnoop"), ("forkstat", "forkstat"),
                                     ("bpftrace", "bpftrace")) if not shutil.which(tool)]
    if not missing:
        return
    print(f"bench: installing {' '.join(missing)}", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, check=False,
                   stdout=subprocess.DEVNULL)


def ensure_tracefs():
    """The peers attach tracepoint programs, which need tracefs (proclife does not)."""
    if os.path.isdir("/sys/kernel/tracing/events"):
        return
    r = subprocess.run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"bench: cannot mount tracefs for the peers: {r.stderr.strip()}", file=sys.stderr)


def tracer_classes(smoke):
    base = [("no tracer", NoTracer), ("proclife --json -o FILE", ProclifeJson),
            ("proclife tree only", ProclifeTree), ("proclife record -w FILE", ProclifeRecord)]
    if smoke:
        return base + [("proclife watch -e none --metrics-file", ProclifeMetrics)]
    base += [("proclife zombies only", ProclifeZombies), ("proclife top", ProclifeTop),
             ("proclife watch -e none --metrics-file", ProclifeMetrics)]
    peers = [("execsnoop+exitsnoop+sigsnoop", LibbpfTools, "execsnoop"), ("forkstat -e all", Forkstat, "forkstat"),
             ("bpftrace script", Bpftrace, "bpftrace"),
             ("floor: empty bpftrace probes on proclife's 10 syscall exit tracepoints", FloorTracepoints, "bpftrace")]
    tracers = base + [(n, c) for n, c, tool in peers if shutil.which(tool)]
    only = os.environ.get("BENCH_TRACERS")
    return [(n, c) for n, c in tracers if n == "no tracer" or not only or only in n]


def bpf_stats(enable):
    try:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write("1" if enable else "0")
    except OSError:
        pass


def bpf_runs(pids):
    """How many times the BPF programs these processes hold ran so far, and for how long (ns): each
    program once, from its fds' fdinfo (kernel.bpf_stats_enabled counts them)."""
    seen = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fdinfo")
        except OSError:
            continue
        for fd in fds:
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    info = dict(ln.split(":", 1) for ln in f.read().splitlines() if ":" in ln)
            except OSError:
                continue
            if "prog_id" in info and "run_cnt" in info:
                seen[info["prog_id"].strip()] = (int(info["run_cnt"]), int(info.get("run_time_ns", "0")))
    return sum(r for r, _ in seen.values()), sum(t for _, t in seen.values())


def run_workload(argv):
    """The workload's own time: its last line of output, or dd's ("..., 0.45 s, ..." on stderr)."""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr[-300:]}")
    m = re.search(r"copied, ([0-9.]+) s", r.stderr)
    return float(m.group(1)) if m else float(r.stdout.strip().splitlines()[-1])


def one_run(tname, cls, argv, res, stats):
    with tempfile.TemporaryDirectory(prefix="plbench-") as tmp:
        t = cls(tname, tmp)
        t.start()
        time.sleep(0.3)  # let start-up work (the /proc scan) settle
        cpu0, bpf0 = t.cpu(), bpf_runs(t.pids()) if stats else (0, 0)
        secs = run_workload(argv)
        time.sleep(0.3)  # let the tracer drain
        cpu1, bpf1 = t.cpu(), bpf_runs(t.pids()) if stats else (0, 0)
        t.stop()
        if stats:
            res[tname]["bpf_runs"].append(bpf1[0] - bpf0[0])
            res[tname]["bpf_ns"].append(bpf1[1] - bpf0[1])
            return
        res[tname]["time"].append(secs)
        res[tname]["cpu"].append(cpu1 - cpu0)
        res[tname]["events"].append(t.events())
        res[tname]["lost"].append(t.lost())


def measure(workload, tracers, rounds, cost_round=False):
    """Timed rounds with BPF statistics off (they tax every BPF program run); then, for the
    run-count and BPF-time columns, one more round of each tracer with them on."""
    res = {t: {"time": [], "cpu": [], "events": [], "lost": [], "bpf_runs": [], "bpf_ns": []} for t, _ in tracers}
    for r in range(rounds):
        order = tracers[r % len(tracers):] + tracers[:r % len(tracers)]
        for tname, cls in order:
            one_run(tname, cls, workload[1], res, False)
    if cost_round:
        bpf_stats(True)
        try:
            for tname, cls in tracers:
                if tname != "no tracer":
                    one_run(tname, cls, workload[1], res, True)
        finally:
            bpf_stats(False)
    return res


def spread(times):
    """Half the interquartile range over the median, in %: how far a typical run strays."""
    if len(times) < 4:
        return (max(times) - min(times)) / 2 / statistics.median(times) * 100
    q = statistics.quantiles(times, n=4)
    return (q[2] - q[0]) / 2 / statistics.median(times) * 100


def fmt_table(results, tracers):
    lines = ["| workload | tracer | median time (s) | ratio to no tracer | spread (±%) | tracer CPU (s) "
             "| events received | events lost | BPF program runs | runs per operation | BPF time (ms) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (wname, _, _, ops), res in results:
        base = statistics.median(res["no tracer"]["time"])
        for tname, _ in tracers:
            r = res[tname]
            med = statistics.median(r["time"])
            cpu = statistics.median(r["cpu"])
            ev = statistics.median(r["events"])
            lost = max(r["lost"])
            runs = r["bpf_runs"][0] if r["bpf_runs"] else None
            bpf = r["bpf_ns"][0] / 1e6 if r["bpf_ns"] else None
            none = tname == "no tracer"
            lines.append(f"| {wname} | {tname} | {med:.3f} | {med / base:.3f}x | {spread(r['time']):.1f} | "
                         f"{cpu:.2f} | {'-' if none or ev < 0 else int(ev)} | "
                         f"{'-' if none else lost} | {'-' if runs is None else runs} | "
                         f"{'-' if runs is None else f'{runs / ops:.3g}'} | "
                         f"{'-' if bpf is None else f'{bpf:.0f}'} |")
    return "\n".join(lines)


def collector(smoke):
    args = ["200000", "20000"] if smoke else ["10000000", "1000000"]
    r = subprocess.run([f"{BENCH}/collector", *args], capture_output=True, text=True, timeout=600)
    return dict(line.split() for line in r.stdout.splitlines() if line.strip())


def sampling(smoke):
    """CPU per refresh to learn every live process's CPU and memory (tools/bench/sample.c)."""
    args = ["300", "3"] if smoke else ["10000", "20"]
    r = subprocess.run([f"{BENCH}/sample", *args], capture_output=True, text=True, timeout=900)
    return dict(line.split() for line in r.stdout.splitlines() if line.strip())


def smoke():
    """Seconds, for make test: every workload runs, proclife sees it all and loses nothing."""
    tracers = tracer_classes(True)
    failed = 0

    def report(name, ok, why=""):
        nonlocal failed
        print(f"PASS bench/{name}" if ok else f"  {why}\nFAIL bench/{name}")
        failed += not ok

    for w in workloads(True):
        name = "smoke_" + re.sub(r"\W+", "_", w[0]).strip("_")
        try:
            res = measure(w, tracers, 1)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
            report(name, False, str(e))
            continue
        j = res["proclife --json -o FILE"]
        why = []
        if min(r["time"][0] for r in res.values()) <= 0:
            why.append("a workload reported no time")
        lost = [res[t]["lost"][0] for t in ("proclife --json -o FILE", "proclife tree only", "proclife record -w FILE",
                                             "proclife watch -e none --metrics-file")]
        if any(lost):
            why.append(f"lost events (json, tree, record, metrics): {lost}")
        if res["proclife record -w FILE"]["events"][0] < w[2]:
            why.append(f"proclife record saw {res['proclife record -w FILE']['events'][0]} events for {w[2]} operations")
        if j["events"][0] < w[2]:
            why.append(f"proclife --json wrote {j['events'][0]} events for {w[2]} operations")
        report(name, not why, "; ".join(why))
    c = collector(True)
    ok = float(c.get("model_events_per_s", 0)) > 0 and float(c.get("model_json_events_per_s", 0)) > 0 \
        and int(c.get("model_bytes_per_process", 999)) <= 256 \
        and int(c.get("replay_events", 0)) == int(c.get("record_events", -1))
    report("smoke_collector", ok, f"collector said {c}")
    sm = sampling(True)
    ok = int(sm.get("processes", 0)) >= 300 and sm.get("sampled") == sm.get("processes") \
        and float(sm.get("iterator_ms_per_refresh", 0)) > 0
    report("smoke_sampling", ok, f"sample said {sm}")
    return 1 if failed else 0


def main():
    if "--smoke" in sys.argv:
        return smoke()
    if os.geteuid() != 0:
        print("bench: needs root (the tracers load BPF programs)", file=sys.stderr)
        return 1
    ensure_peers()
    ensure_tracefs()
    only = os.environ.get("BENCH_ONLY")
    tracers = tracer_classes(False)
    results = []
    for w in workloads(False):
        if only and only not in w[0]:
            continue
        print(f"bench: {w[0]} ({rounds_of(w[0])} rounds x {len(tracers)} tracers)", file=sys.stderr, flush=True)
        results.append((w, measure(w, tracers, rounds_of(w[0]), cost_round=True)))
    if only or os.environ.get("BENCH_TRACERS"):
        print(fmt_table(results, tracers))
        return 0
    rounds = "9 rounds for the spawns, 5 for the rest" if not os.environ.get("BENCH_ROUNDS") \
        else f"{os.environ['BENCH_ROUNDS']} rounds"
    c = collector(False)
    print("bench: sampling 10,000 processes", file=sys.stderr, flush=True)
    sm = sampling(False)
    it = float(sm.get("iterator_ms_per_refresh", 0)) or float("nan")

    def ratio(key):
        v = float(sm.get(key, -1))
        return ("%.2f | %.1fx" % (v, v / it)) if v >= 0 else "- | -"
    kernel = platform.release()
    cpus = os.cpu_count()
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    table = fmt_table(results, tracers)
    doc = f"""# proclife benchmarks

`make bench` wrote this on {date}: Linux {kernel}, {cpus} CPUs, {rounds},
tracers interleaved in each round; medians. {syscalls_variant()}

{METHOD}
{table}

Collector without the kernel (tools/bench/collector.c): a synthetic stream of
process lives (fork, exec, exit, signal, deliver, reap) on one core.

| measure | value |
|---|---|
| events/s into the model | {float(c.get('model_events_per_s', 0)):,.0f} |
| events/s through the model and the JSON writer | {float(c.get('model_json_events_per_s', 0)):,.0f} |
| model bytes per live process at {int(c.get('live_processes', 0)):,} live processes (argv aside) | {c.get('model_bytes_per_process', '?')} |
| peak RSS of the collector benchmark (KiB) | {c.get('maxrss_kib', '?')} |
| events/s written to a recording (compressed blocks) | {float(c.get('record_events_per_s', 0)):,.0f} |
| recording bytes per event on disk | {c.get('record_bytes_per_event', '?')} |
| events/s replayed from a recording into the model, one core (read, check CRC, inflate, check, apply; 40 M events paced like a busy machine, 25,000 new processes/s with the recorder's ticks, so the model forgets reaped processes after its 60 s as in a real replay) | {float(c.get('replay_events_per_s', 0)):,.0f} |

Sampling live processes for `tree` and `top` (tools/bench/sample.c): CPU time
(user + system) of one look at every live process's CPU time and memory, at
{int(sm.get('processes', 0)):,} processes ({sm.get('sampled', '?')} of them sampled by the iterator),
median of 20 refreshes; the peers once each, 5 runs.

| how | CPU per refresh (ms) | ratio to the iterator |
|---|---|---|
| proclife: feature sampling (the walk from Linux 6.7, else the iter/task program), into the model | {it:.2f} | 1.0x |
| /proc/PID/stat for each process (proclife's fallback without the feature) | {ratio('procfs_ms_per_refresh')} |
| ps -e -o pid,time,rss | {ratio('ps_ms_per_run')} |
| top -b -n 1 | {ratio('top_ms_per_run')} |
"""
    os.makedirs(os.path.join(ROOT, "docs"), exist_ok=True)
    with open(os.path.join(ROOT, "docs", "BENCHMARKS.md"), "w") as f:
        f.write(doc)
    print(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
