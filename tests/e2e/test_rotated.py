#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of rotated recordings replayed as one (`-r` given several
times): a live `watch --json -w FILE --rotate-size 4K` records a workload
(forks, execs, failed execs, exits, signals, stops, zombies, orphans) into
several pieces; the replay of all of them, given in a shuffled order, must
print exactly what the live watch printed (byte for byte, summary line
included). Then: the tree at the end whatever the order; a process's story
across pieces against what the scenario did; a missing middle piece said as
a gap in one line (its times against the test's own reading of the files);
two recordings made at the same time said as an overlap; a piece given
twice; another boot refused; --since/--until against the full replay
filtered by time; bad combinations as one line.

Usage: tests/e2e/test_rotated.py PATH/TO/proclife [SUBTEST...]
Needs root (every subtest is skipped otherwise). Python stdlib only.

Output, one line per subtest:
    PASS e2e/rotated_<name>
    FAIL e2e/rotated_<name>     (after indented lines saying what differed)
    SKIP e2e/rotated_<name>: <why>
Exit status 1 if any subtest failed, else 0.

The recording of the workload is made once (by the first subtest that needs
it) and shared; its directory is removed when the suite ends.
"""
import atexit
import calendar
import json
import os
import random
import re
import shutil
import signal
import struct
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    MYPID, ROOT, Failure, Proclife, check_usage_error, flatten_tree, one_line, parse_json, parse_json_lines,
    run_to_end, waitpid_deadline,
)

SUBTEST_TIMEOUT = 180  # backstop for a whole subtest (SIGALRM)
REPLAY_TIMEOUT = 60.0
WORKLOAD_S = 7  # seconds of workload: with 4 KB pieces, a piece a second at least
READY_WATCH_REC = "proclife: tracing process lifecycle events, recording to %s, Ctrl-C to stop\n"
READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
SUMMARY_RE = re.compile(common.SUMMARY_PATTERN.encode())
KERNEL_EVENTS = {"fork", "exec", "exec_failed", "exit", "reap", "signal", "deliver", "rename", "cred"}

# The workload, in bash: each round a marked exec, a failed exec, a shell killed by SIGTERM that
# leaves an orphan, a zombie (a child its parent, now sleep, never waits for) unreaped for 0.7 s,
# and a process stopped and continued: continued once /proc says it stopped (a SIGCONT sent while
# the SIGSTOP is still pending discards it, and a loaded host may not run the sleep in between).
WORKLOAD = r'''
end=$((SECONDS + %d)); i=0
while [ $SECONDS -lt $end ]; do
    i=$((i + 1))
    /bin/true pl-rot-$i
    /no/such/pl-rot-prog 2>/dev/null
    sh -c 'sleep 0.05 & kill -TERM $$'
    sh -c 'true & exec sleep 0.7' &
    sleep 0.3 & p=$!; kill -STOP $p
    n=0; st=; until [ "$st" = T ] || [ $n -ge 500 ]; do read -r _ _ st _ < /proc/$p/stat; n=$((n + 1)); [ "$st" = T ] || sleep 0.01; done
    kill -CONT $p; wait $p
done
wait
echo $i
'''

# Recording layout (user/record/recording.h, docs/RECORDING.md): the test's own reading.
BLOCK_HDR = common.REC_BLOCK_HDR




def last_ts(path):
    """The latest time of any record in the file (every kind but a snapshot's process starts with it)."""
    data = open(path, "rb").read()
    off, best = common.rec_header(data)["hdr_size"], 0
    while off + BLOCK_HDR.size <= len(data):
        plen = BLOCK_HDR.unpack_from(data, off)[1]
        raw = zlib.decompress(data[off + BLOCK_HDR.size:off + BLOCK_HDR.size + plen], -15)
        pos = 0
        while pos < len(raw):
            size, kind = struct.unpack_from("<IH", raw, pos)
            if kind != 3 and 1 <= kind <= 10:
                best = max(best, struct.unpack_from("<Q", raw, pos + 8)[0])
            pos += (size + 7) & ~7
        off += BLOCK_HDR.size + plen
    return best


def hms(ns, wall_offset_ns):
    """What proclife prints for a boot-ns time: local time of day, milliseconds truncated."""
    w = ns + wall_offset_ns
    return time.strftime("%H:%M:%S", time.localtime(w // 10**9)) + ".%03d" % (w % 10**9 // 10**6)


def secs(ns):
    return "%d.%03d s" % (ns // 10**9, ns % 10**9 // 10**6)


def epoch_ns(rfc3339):
    """ "2026-12-03T09:26:47.309123456Z" as ns since the epoch, exactly."""
    whole, frac = rfc3339.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0"))


def at_arg(wall_ns):
    return "@%d.%09d" % (wall_ns // 10**9, wall_ns % 10**9)


def json_lines(data):
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def replay(args):
    return run_to_end(args, REPLAY_TIMEOUT)


def r_args(paths):
    return [a for p in paths for a in ("-r", p)]


def summary_only(c, what, err):
    lines = err.split(b"\n")
    c.ok("%s: stderr: expected only the summary line, got %r" % (what, err[-2000:]),
         len(lines) == 2 and lines[1] == b"" and bool(SUMMARY_RE.match(lines[0])))


def check_same_output(c, what, expected, got):
    """Byte-identical outputs; otherwise the first differing line."""
    if expected == got:
        return True
    el, gl = expected.split(b"\n"), got.split(b"\n")
    for i in range(max(len(el), len(gl))):
        a = el[i] if i < len(el) else b"<none>"
        b = gl[i] if i < len(gl) else b"<none>"
        if a != b:
            c.fail("%s: outputs differ (%d vs %d lines), first at line %d:\n  expected %r\n  got      %r"
                   % (what, len(el) - 1, len(gl) - 1, i + 1, a[:400], b[:400]))
            return False
    return False


# --------------------------------------------------------------------------
# The shared recording


_REC = None


def _remove(d):
    shutil.rmtree(d, ignore_errors=True)


def recording():
    """The workload recorded live by `watch --json --zombie-after 0.5 -w FILE --rotate-size 4K`: made
    once. A dict: pieces (oldest first), the live stdout and stderr, the long process's pid, argv and
    wait status, the pid of a process alive all along."""
    global _REC
    if _REC is not None:
        return _REC
    d = tempfile.mkdtemp(prefix="pl_rot_")
    atexit.register(_remove, d)
    path = os.path.join(d, "rec.plr")
    t = Proclife(["watch", "--json", "--zombie-after", "0.5", "-w", path, "--rotate-size", "4096",
                  "--rotate-count", "1000"], (READY_WATCH_REC % path).encode())
    t.wait_ready()
    # Born in the first piece: one ends in a later one (reaped by us), one lives past the end.
    long_argv = ["sh", "-c", "sleep 2.5; exit 3"]
    long_pid = os.posix_spawn("/bin/sh", long_argv, dict(os.environ))
    alive_pid = os.posix_spawn("/bin/sleep", ["sleep", "60"], dict(os.environ))
    try:
        wl = common.popen(["bash", "-c", WORKLOAD % WORKLOAD_S], stdout=common.subprocess.PIPE,
                          stderr=common.subprocess.DEVNULL)  # bash says "Terminated" for each round
        out, _ = wl.communicate(timeout=WORKLOAD_S + 30)
        if wl.returncode != 0:
            raise Failure("the workload exited with %s" % wl.returncode)
        long_status = waitpid_deadline(long_pid, 10, "sh -c 'sleep 2.5; exit 3'")
        # Its reap in the live output (so in the recording too) before the stop: the kernel may report it
        # only at the release, an RCU grace period after waitpid() returned.
        reaped = ('"event":"reap"').encode()
        common.wait_for(lambda: any(reaped in ln and b'"pid":%d,' % long_pid in ln
                                    for ln in t.stdout_bytes().split(b"\n")), "the reap of %d in the output" % long_pid)
        rc = t.stop(signal.SIGINT)
    finally:
        for pid in (long_pid, alive_pid):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
    if rc != 0:
        raise Failure("the live watch exited with %s: %r" % (rc, t.stderr_bytes()[-1000:]))
    pieces = [path]
    k = 1
    while os.path.exists("%s.%d" % (path, k)):
        pieces.append("%s.%d" % (path, k))
        k += 1
    pieces.reverse()
    if len(pieces) < 4:
        raise Failure("%d s of workload made only %d pieces (4 KB each): %s" % (WORKLOAD_S, len(pieces), pieces))
    err = t.stderr_bytes().split(b"\n", 1)[1]
    _REC = {"dir": d, "pieces": pieces, "live_out": t.stdout_bytes(), "live_summary": err,
            "long_pid": long_pid, "long_argv": long_argv, "long_status": long_status, "alive_pid": alive_pid,
            "rounds": int(out.split()[-1])}
    return _REC


def shuffled(pieces, seed):
    order = list(pieces)
    random.Random(seed).shuffle(order)
    if order == pieces:
        order.reverse()
    return order


# --------------------------------------------------------------------------
# Subtests


def test_live_equals_replay(c):
    rec = recording()
    pieces = rec["pieces"]
    for k, p in enumerate(pieces):
        h = common.rec_header(open(p, "rb").read())
        c.eq("%s: sequence number" % os.path.basename(p), k, h["seq"])
    order = shuffled(pieces, 14)
    what = "watch --json --zombie-after 0.5 %s" % " ".join(r_args(map(os.path.basename, order)))
    rc, out, err = replay(["watch", "--json", "--zombie-after", "0.5"] + r_args(order))
    c.eq("%s: exit status" % what, 0, rc)
    check_same_output(c, "%s vs the live output" % what, rec["live_out"], out)
    c.eq("%s: stderr (the summary line) vs live" % what, rec["live_summary"], err)
    # The workload is in it: each round's marked exec once, in order.
    events = parse_json_lines(c, out)
    marks = [e["argv"][1] for e in events if e["event"] == "exec" and e.get("argv", [None])[0] == "/bin/true"
             and len(e["argv"]) == 2 and e["argv"][1].startswith("pl-rot-")]
    c.eq("the workload's marked execs, in order", ["pl-rot-%d" % i for i in range(1, rec["rounds"] + 1)], marks)
    for ev in ("exec_failed", "zombie", "stop", "continue", "reparent"):
        c.ok("no %s event in the replay of the workload" % ev, any(e["event"] == ev for e in events))


def test_tree_at_the_end(c):
    rec = recording()
    pieces = rec["pieces"]
    docs = []
    for order in (pieces, shuffled(pieces, 3)):
        args = ["tree", "--json"] + r_args(order)
        rc, out, err = replay(args)
        c.eq("%s: exit status" % " ".join(args), 0, rc)
        c.eq("%s: stderr" % " ".join(args), b"", err)
        docs.append(out)
    check_same_output(c, "tree --json -r (pieces shuffled) vs -r (in order)", docs[0], docs[1])
    nodes, _, dups = flatten_tree(c, parse_json(json_lines(docs[0])[0], "tree"), "tree")
    c.eq("tree: pids seen twice", [], dups)
    # Alive all along: its argv is the exec's of the first piece; the test is its parent.
    n = nodes.get(rec["alive_pid"])
    if c.ok("tree: sleep 60 (pid %d), alive at the end, is missing" % rec["alive_pid"], n is not None):
        c.fields("tree: sleep 60", n, {"ppid": MYPID, "argv": ["sleep", "60"], "state": "running"})
    # Ended and reaped in a later piece: not in the tree.
    c.ok("tree: pid %d was reaped, yet it is in the tree" % rec["long_pid"], rec["long_pid"] not in nodes)


def test_life_across_pieces(c):
    rec = recording()
    pid, st = rec["long_pid"], rec["long_status"]
    args = ["life", str(pid), "--json"] + r_args(shuffled(rec["pieces"], 5))
    rc, out, err = replay(args)
    c.eq("life: exit status", 0, rc)
    c.eq("life: stderr", b"", err)
    lives = parse_json(out, "life --json")
    mine = [lv for lv in lives if lv["argv"] == rec["long_argv"]]
    lv = c.one("lives of pid %d running %s" % (pid, rec["long_argv"]), mine)
    if lv is None:
        return
    c.fields("life", lv, {"execs": 1, "end_state": "reaped", "alive_at_end": False})
    c.fields("exit", lv.get("exit"), {"exit_code": 3, "status": st})
    c.fields("reap", lv.get("reap"), {"how": "wait", "reaper": MYPID})
    # Born in one piece, gone in a later one: the story spans them. Which piece the birth is in depends
    # on the host (each piece starts with a snapshot of every process: on a busy host the first piece
    # may end before the spawn), so find the pieces that hold the birth and the exit.
    h = common.rec_header(open(rec["pieces"][0], "rb").read())
    ends = [last_ts(p) for p in rec["pieces"]]
    born = epoch_ns(lv["events"][0]["time"]) - h["wall_offset_ns"]
    if not (lv.get("exit") and "time" in lv["exit"]):
        c.ok("pid %d: its exit has a time" % pid, False)
        return
    died = epoch_ns(lv["exit"]["time"]) - h["wall_offset_ns"]
    piece_of = lambda t: next((k for k, end in enumerate(ends) if t <= end), None)  # noqa: E731
    pb, pd = piece_of(born), piece_of(died)
    c.ok("pid %d: born at %d, exited at %d: in pieces %s and %s (pieces end at %s): born in an earlier piece than the one it exited in"
         % (pid, born, died, pb, pd, ends), pb is not None and pd is not None and pb < pd)


def test_missing_piece_is_a_gap(c):
    rec = recording()
    pieces = rec["pieces"]
    k = len(pieces) // 2
    kept = pieces[:k] + pieces[k + 1:]
    rc, out, err = replay(["watch", "--json", "--zombie-after", "0.5"] + r_args(shuffled(kept, 7)))
    c.eq("without %s: exit status" % os.path.basename(pieces[k]), 0, rc)
    lines = err.split(b"\n")
    c.ok("without the middle piece: stderr: expected the gap line then the summary, got %r" % err,
         len(lines) == 3 and lines[2] == b"" and bool(SUMMARY_RE.match(lines[1])))
    # The times, from the test's own reading: the end of the piece before, the start of the one after.
    wall = common.rec_header(open(pieces[0], "rb").read())["wall_offset_ns"]
    end = last_ts(pieces[k - 1])
    start = common.rec_header(open(pieces[k + 1], "rb").read())["start_ns"]
    want = ("proclife: gap of %s between %s (ends %s) and %s (starts %s): what happened then was not recorded"
            % (secs(start - end), pieces[k - 1], hms(end, wall), pieces[k + 1], hms(start, wall))).encode()
    c.eq("the gap line", want, lines[0])
    # Up to the gap, what was printed live; then the next piece's scan corrects the model: a resync.
    live, got = json_lines(rec["live_out"]), json_lines(out)
    n = 0
    while n < min(len(live), len(got)) and live[n] == got[n]:
        n += 1
    c.ok("the replay without a piece shares no line with the live output", n > 0)
    if n < len(got):
        c.eq("the first line past the live output's (line %d)" % (n + 1), "resync",
             json.loads(got[n])["event"])
    resyncs = lambda ls: sum(1 for ln in ls if b'"event":"resync"' in ln)  # noqa: E731
    c.eq("resync events: the live ones and one at the gap", resyncs(live) + 1, resyncs(got))


def test_overlap_and_duplicates(c):
    d = common.tmpdir("pl_rot_ov_")
    a, b = os.path.join(d, "a.plr"), os.path.join(d, "b.plr")
    ta = common.start_proclife(["record", "-w", a], (READY_RECORD % a).encode())
    time.sleep(0.5)
    tb = common.start_proclife(["record", "-w", b], (READY_RECORD % b).encode())
    common.run(["/bin/true", "pl-rot-overlap"])
    time.sleep(0.5)
    c.eq("recorder a: exit status", 0, ta.stop())
    time.sleep(0.3)
    c.eq("recorder b: exit status", 0, tb.stop())
    ha, hb = (common.rec_header(open(p, "rb").read()) for p in (a, b))
    boot = open("/proc/sys/kernel/random/boot_id").read().strip().replace("-", "")
    c.eq("a: format version", (2, 1), (ha["major"], ha["minor"]))
    c.eq("a: the boot id in the header", boot, ha["boot_id"].hex())
    end_a = last_ts(a)
    want = ("proclife: overlap of %s: %s (starts %s) was recorded while %s (ends %s) was: events of that time "
            "may be shown twice" % (secs(end_a - hb["start_ns"]), b, hms(hb["start_ns"], ha["wall_offset_ns"]), a,
                                    hms(end_a, ha["wall_offset_ns"]))).encode()
    rc, out, err = replay(["watch", "--json", "-r", b, "-r", a])
    c.eq("watch -r b -r a: exit status", 0, rc)
    lines = err.split(b"\n")
    c.ok("watch -r b -r a: stderr: expected the overlap line then the summary, got %r" % err,
         len(lines) == 3 and bool(SUMMARY_RE.match(lines[1])))
    c.eq("watch -r b -r a: the overlap line", want, lines[0])
    marks = [e for e in parse_json_lines(c, out) if e["event"] == "exec" and e.get("argv") == ["/bin/true", "pl-rot-overlap"]]
    c.eq("the exec both recorded: shown twice, as said", 2, len(marks))
    # A piece given twice, or a copy of it: played once.
    copy = os.path.join(d, "copy.plr")
    shutil.copyfile(a, copy)
    _, out1, _ = replay(["watch", "--json", "-r", a])
    for twice, line in (([a, a], "%s is given twice: replayed once" % a),
                        ([a, copy], "%s is the same piece of a recording as %s (the same header): replayed once"
                         % (copy, a))):
        what = "watch --json %s" % " ".join(r_args(map(os.path.basename, twice)))
        rc, out2, err = replay(["watch", "--json"] + r_args(twice))
        c.eq("%s: exit status" % what, 0, rc)
        lines = err.split(b"\n")
        c.eq("%s: the first stderr line" % what, ("proclife: " + line).encode(), lines[0])
        c.ok("%s: stderr: expected that line then the summary, got %r" % (what, err), len(lines) == 3)
        check_same_output(c, "%s vs -r a" % what, out1, out2)
    # Another boot: refused, one line, nothing played.
    data = bytearray(open(b, "rb").read())
    data[44] ^= 0xff
    data[60:64] = struct.pack("<I", zlib.crc32(bytes(data[:60])))
    other = os.path.join(d, "other-boot.plr")
    open(other, "wb").write(bytes(data))
    rc, out, err = replay(["watch", "-r", a, "-r", other])
    c.eq("a piece of another boot: exit status", 1, rc)
    c.eq("a piece of another boot: stdout", b"", out)
    c.ok("a piece of another boot: stderr: expected one line saying so, got %r" % err,
         one_line(err, b"proclife: ") and b"were recorded in different boots" in err)


def test_since_until(c):
    rec = recording()
    pieces = rec["pieces"]
    h = common.rec_header(open(pieces[0], "rb").read())
    base = ["watch", "--json", "--zombie-after", "0.5"] + r_args(shuffled(pieces, 11))
    full = json_lines(rec["live_out"])
    times = [epoch_ns(json.loads(ln)["time"]) for ln in full]
    lo, hi = sorted(times)[len(times) // 3], sorted(times)[2 * len(times) // 3]
    cases = [("--since", lo, None), ("--until", None, hi), ("--since/--until", lo, hi)]
    # Between two events (no event at the bound itself), and +SEC from the start.
    for what, since, until in cases:
        args = list(base)
        if since is not None:
            args += ["--since", at_arg(since)]
        if until is not None:
            args += ["--until", at_arg(until)]
        rc, out, err = replay(args)
        c.eq("%s: exit status" % what, 0, rc)
        want = [ln for ln, t in zip(full, times) if (since is None or t >= since) and (until is None or t <= until)]
        check_same_output(c, "%s: the full output filtered by time" % what, b"".join(ln + b"\n" for ln in want), out)
        m = re.match(rb"^proclife: (\d+) events seen", err)
        n = sum(1 for ln in want if json.loads(ln)["event"] in KERNEL_EVENTS)
        c.ok("%s: stderr: expected the summary line with %d events, got %r" % (what, n, err),
             m is not None and int(m.group(1)) == n and err.count(b"\n") == 1)
    # The same instant as +SEC from the start of the first piece.
    rel = lo - h["wall_offset_ns"] - h["start_ns"]
    rc, out, _ = replay(base + ["--since", "+%d.%09d" % (rel // 10**9, rel % 10**9)])
    _, out2, _ = replay(base + ["--since", at_arg(lo)])
    c.eq("--since +SEC: exit status", 0, rc)
    check_same_output(c, "--since +SEC vs --since @EPOCH", out2, out)
    # signals: the counts within the window.
    rc, out, err = replay(["signals", "--json"] + r_args(pieces) + ["--since", at_arg(lo), "--until", at_arg(hi)])
    c.eq("signals --since --until: exit status", 0, rc)
    n = sum(1 for ln, t in zip(full, times) if lo <= t <= hi and b'"event":"signal"' in ln)
    doc = parse_json(out, "signals --json")
    c.eq("signals --since --until: signals counted", n, sum(r["count"] for r in doc["signals"]))
    # tree: --until is --at.
    rc1, t1, _ = replay(["tree", "--json"] + r_args(pieces) + ["--until", at_arg(hi)])
    rc2, t2, _ = replay(["tree", "--json"] + r_args(pieces) + ["--at", at_arg(hi)])
    c.eq("tree --until, --at: exit statuses", (0, 0), (rc1, rc2))
    check_same_output(c, "tree --until T vs tree --at T", t2, t1)


def test_bad_combinations(c):
    rec = recording()
    pieces = rec["pieces"]
    h = common.rec_header(open(pieces[0], "rb").read())
    start = h["start_ns"] + h["wall_offset_ns"]
    end = last_ts(pieces[-1]) + h["wall_offset_ns"]
    r = r_args(pieces)
    usage = [(["watch", "--since", "+1"], b"proclife: --since goes with --read FILE"),
             (["tree", "--until", "+1"], b"proclife tree: --until goes with --read FILE"),
             (["watch", "-r", pieces[0], "--since", "yesterday"], b"proclife: --since needs"),
             (["watch"] + r + ["--since", "+2", "--until", "+1"], b"proclife: --since +2 is after --until +1"),
             (["signals"] + r + ["--until", "soon"], b"proclife signals: --until needs"),
             (["tree"] + r + ["--since", "+2", "--at", "+1"], b"proclife tree: --at +1 is not within")]
    for args, prefix in usage:
        rc, out, err = replay(args)
        check_usage_error(c, "proclife " + " ".join(os.path.basename(a) for a in args), rc, out, err, prefix)
    outside = [(["watch"] + r + ["--since", at_arg(start - 10**9)], b"proclife: --since", b"before the recording starts"),
               (["watch"] + r + ["--until", at_arg(end + 10**9)], b"proclife: --until", b"after the recording ends"),
               (["life", "1"] + r + ["--since", at_arg(end + 10**9)], b"proclife life: --since", b"after the recording ends"),
               (["export", "-f", "dot"] + r + ["--until", at_arg(start - 10**9)], b"proclife export: --until",
                b"before the recording starts"),
               (["watch", "-r", pieces[0], "-r", "/nonexistent.plr"], b"proclife: /nonexistent.plr: cannot open",
                b"No such file")]
    for args, prefix, words in outside:
        rc, out, err = replay(args)
        what = "proclife " + " ".join(os.path.basename(a) for a in args)
        c.eq("%s: exit status" % what, 1, rc)
        lines = [ln for ln in err.split(b"\n") if ln and not SUMMARY_RE.match(ln)]
        c.ok("%s: stderr: expected one line starting %r saying %r (besides the summary), got %r"
             % (what, prefix, words, err), len(lines) == 1 and lines[0].startswith(prefix) and words in lines[0])


SUBTESTS = [
    ("live_equals_replay", test_live_equals_replay, ROOT),
    ("tree_at_the_end", test_tree_at_the_end, ROOT),
    ("life_across_pieces", test_life_across_pieces, ROOT),
    ("missing_piece_is_a_gap", test_missing_piece_is_a_gap, ROOT),
    ("overlap_and_duplicates", test_overlap_and_duplicates, ROOT),
    ("since_until", test_since_until, ROOT),
    ("bad_combinations", test_bad_combinations, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="rotated_", subtest_timeout=SUBTEST_TIMEOUT))
