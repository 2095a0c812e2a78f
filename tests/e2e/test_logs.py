#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of SIGHUP and log files: `watch -o FILE` reopens FILE on
SIGHUP (logrotate moved it away), `record -w FILE` and `watch -w FILE` start
a new file (FILE -> FILE.1 ...), `--rotate-existing` keeps an existing
recording, and `watch` without -o or -w still ends on SIGHUP.

Every rotation happens while a workload runs: a shell loop exec'ing
/bin/true with a unique marker in argv (pl-logs-TAG-N) until told to stop,
then saying how many it ran. The oracles: the recording (the pieces of the
-o file, in order, are byte for byte what replaying the recording's pieces
prints), the shell's own count (every marker 0..N-1 exec'd exactly once
across the pieces, none missing), and the file system (which files exist,
their modes, byte-identical kept files).

Usage: tests/e2e/test_logs.py PATH/TO/proclife [SUBTEST...]
Needs root (every subtest is skipped otherwise); the logrotate subtest needs
logrotate (tools/deps.sh installs it). Python stdlib only.

Output, one line per subtest:
    PASS e2e/logs_<name>
    FAIL e2e/logs_<name>     (after indented lines saying what differed)
    SKIP e2e/logs_<name>: <why>
Exit status 1 if any subtest failed, else 0.
"""
import gzip
import os
import re
import signal
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    READY_WATCH, ROOT, TEXT_HEADER, Failure, parse_json_lines, popen, reap_popen, run, run_proclife,
    run_to_end, spawn, start_proclife, tmpdir, waitpid_deadline,
)

SUBTEST_TIMEOUT = 180  # backstop for a whole subtest (SIGALRM)
REPLAY_TIMEOUT = 60.0
ROTATIONS = 4  # SIGHUPs per workload
GROW_TIMEOUT = 10.0  # a file receives the workload's events after a rotation

READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
READY_WATCH_REC = "proclife: tracing process lifecycle events, recording to %s, Ctrl-C to stop\n"
SUMMARY_RE = re.compile(common.SUMMARY_PATTERN.encode())
REOPENED = "proclife: SIGHUP: reopened %s\n"
ROTATED = "proclife: SIGHUP: started a new %s (the previous one is now %s.1)\n"

LOGROTATE_SNIPPET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "packaging",
                                 "proclife.logrotate")



# --------------------------------------------------------------------------
# Helpers








class Workload:
    """sh exec'ing `/bin/true pl-logs-TAG-N` for N = 0, 1, ... until stop(), and at least MIN_RUN
    times (check_markers wants that many, however fast the test's steps went); stop() returns how
    many it ran (the shell's own count)."""

    def __init__(self, tmp, tag):
        self.prefix = "pl-logs-%s-" % tag
        self.stop_file = os.path.join(tmp, "stop-" + tag)
        self.count_file = os.path.join(tmp, "count-" + tag)
        script = ('i=0; while [ $i -lt "$4" ] || [ ! -e "$1" ]; do /bin/true "$3$i"; i=$((i+1)); done; '
                  'echo $i > "$2"')
        self.p = popen(["/bin/sh", "-c", script, "sh", self.stop_file, self.count_file, self.prefix, str(MIN_RUN)])

    def stop(self):
        common.write_bytes(self.stop_file, b"")
        st = reap_popen(self.p, 30)
        if st != 0:
            raise Failure("the workload shell exited with status %d" % st)
        return int(common.read_bytes(self.count_file))


def wait_grown(path, size, what, timeout=GROW_TIMEOUT):
    """Wait until path is larger than size bytes (the workload's events reach it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if os.path.getsize(path) > size:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise Failure("%s did not grow past %d bytes within %.0f s" % (what, size, timeout))
        time.sleep(0.02)


def wait_stderr(t, line, n, timeout=GROW_TIMEOUT):
    """Wait until proclife's stderr holds line n times (its answer to the n-th SIGHUP)."""
    deadline = time.monotonic() + timeout
    while t.stderr_bytes().count(line) < n:
        if t.p.poll() is not None:
            t.join_readers(2)
            raise Failure("%s exited with %s; stderr %r" % (t.name(), t.p.returncode, t.stderr_bytes()[-2000:]))
        if time.monotonic() > deadline:
            raise Failure("no %r (number %d) on stderr within %.0f s; stderr %r"
                          % (line, n, timeout, t.stderr_bytes()[-2000:]))
        time.sleep(0.005)


def check_stderr(c, t, rc, middle):
    """Exit status 0; stderr: the ready line, then the lines in middle (in order), then the summary."""
    c.eq("%s: exit status after SIGINT" % t.name(), 0, rc)
    err = t.stderr_bytes()
    lines = err.split(b"\n")
    ok = (len(lines) == 3 + len(middle) and lines[-1] == b"" and lines[0] + b"\n" == t.ready
          and [ln + b"\n" for ln in lines[1:-2]] == middle and SUMMARY_RE.match(lines[-2]))
    c.ok("%s: stderr: expected the ready line, %r, the summary; got %r" % (t.name(), middle, err[-3000:]),
         bool(ok))


def markers(events, prefix):
    """The argv[1] of the exec events whose argv[1] starts with prefix, in order."""
    return [e["argv"][1] for e in events if e["event"] == "exec" and isinstance(e.get("argv"), list)
            and len(e["argv"]) > 1 and e["argv"][1].startswith(prefix)]


MIN_RUN = 50  # processes a workload runs at least: enough for check_markers to mean something


def check_markers(c, what, found, prefix, count):
    """Each of prefix0 .. prefix(count-1) exactly once in found, and nothing else."""
    want = ["%s%d" % (prefix, i) for i in range(count)]
    seen = {}
    for m in found:
        seen[m] = seen.get(m, 0) + 1
    twice = sorted(m for m, n in seen.items() if n > 1)
    missing = [m for m in want if m not in seen]
    extra = sorted(set(seen) - set(want))
    c.ok("%s: %d markers exec'd more than once: %s" % (what, len(twice), twice[:10]), not twice)
    c.ok("%s: %d of %d markers missing: %s" % (what, len(missing), count, missing[:10]), not missing)
    c.ok("%s: markers the workload never ran: %s" % (what, extra[:10]), not extra)
    c.ok("%s: the workload ran only %d processes" % (what, count), count >= MIN_RUN)


def replay_json(c, path):
    """`watch --json -r path` (a list: -r for each, as one stream): its stdout; a clean exit and
    only the summary on stderr (for pieces: no gap nor overlap said between them)."""
    paths = path if isinstance(path, list) else [path]
    argv = ["watch", "--json"]
    for p in paths:
        argv += ["-r", p]
    rc, out, err = run_to_end(argv, REPLAY_TIMEOUT)
    what = "watch --json -r %s" % " -r ".join(os.path.basename(p) for p in paths)
    c.eq("%s: exit status" % what, 0, rc)
    lines = err.split(b"\n")
    c.ok("%s: stderr: expected only the summary line, got %r" % (what, err[-2000:]),
         len(lines) == 2 and lines[1] == b"" and bool(SUMMARY_RE.match(lines[0])))
    return out


def first_difference(a, b):
    """Where two outputs part (line number and the two lines), for a failure message."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d:\n    file:   %r\n    replay: %r" % (i + 1, x[:300], y[:300])
    return "one is a prefix of the other: %d and %d lines" % (len(la), len(lb))


def without_inherited_zombies(data):
    """The lines of data (JSON events) less the zombie events of processes that did not exit in it.

    A rotated recording stands alone: replayed by itself, its model starts from its own /proc
    scan, so a zombie then present (its exit time unknown) gets its zombie event at the first
    tick; live, the model knew its exit and fires the event 5 s after it, whichever piece that
    falls in. Zombie events of processes that exit within a piece are compared like the rest."""
    out, exited = [], set()
    for line in data.split(b"\n"):
        if line.startswith(b'{"event":"exit",'):
            exited.add(common.strict_json(line.decode())["pid"])
        elif line.startswith(b'{"event":"zombie",') and common.strict_json(line.decode())["pid"] not in exited:
            continue
        out.append(line)
    return b"\n".join(out)


def check_pieces(c, pieces, recs, prefix, count):
    """pieces: the -o file's pieces, oldest first, as bytes; recs: the recording's files, oldest
    first, one per piece (each SIGHUP cut both at the same point). Each piece is byte for byte
    what its recording replays to (after the first piece, less the zombie events each side has of
    processes that exited before it: without_inherited_zombies()); every line is a whole JSON
    event; every marker once."""
    c.eq("pieces of the -o file and of the recording", len(recs), len(pieces))
    for i, (data, rec) in enumerate(zip(pieces, recs)):
        what = "piece %d of %d of the -o file (recording %s)" % (i + 1, len(pieces), os.path.basename(rec))
        c.ok("%s is empty: the workload ran during it" % what, len(data) > 0)
        want = replay_json(c, rec)
        if i > 0:
            data, want = without_inherited_zombies(data), without_inherited_zombies(want)
        c.ok("%s: %d bytes, not what the recording replays to (%d bytes): %s"
             % (what, len(data), len(want), first_difference(data, want)), data == want)
    # The recording's pieces replayed as one stream (in a shuffled order: the player orders them)
    # are the whole -o stream, byte for byte: the zombie there all along included.
    whole, want = b"".join(pieces), replay_json(c, recs[1::2] + recs[0::2])
    c.ok("the -o file's pieces joined: %d bytes, not what the recording's pieces replayed as one "
         "give (%d bytes): %s" % (len(whole), len(want), first_difference(whole, want)), whole == want)
    events = []
    for i, data in enumerate(pieces):
        events += parse_json_lines(c, data, "piece %d" % (i + 1))
    check_markers(c, "the -o file's pieces", markers(events, prefix), prefix, count)


def rec_pieces(c, path, n):
    """path.(n-1) ... path.1, path (oldest first): each exists, mode 0600, header seq in order."""
    files = ["%s.%d" % (path, k) for k in range(n - 1, 0, -1)] + [path]
    seqs = []
    for f in files:
        if not c.ok("%s exists" % f, os.path.exists(f)):
            continue
        c.eq("mode of %s" % f, "0o600", oct(stat.S_IMODE(os.stat(f).st_mode)))
        seqs.append(common.rec_header(common.read_bytes(f))["seq"])
    c.eq("header seq of the recording's pieces, oldest first", list(range(n)), seqs)
    c.ok("%s.%d exists: more pieces than SIGHUPs + 1" % (path, n), not os.path.lexists("%s.%d" % (path, n)))
    return files


# --------------------------------------------------------------------------
# 1. watch --json -o F -w REC; logrotate-style moves and SIGHUPs while a workload runs


def test_watch_reopen(c):
    tmp = tmpdir("pl_logs_")
    f = os.path.join(tmp, "events.json")
    rec = os.path.join(tmp, "events.plr")
    # A zombie there all along (sh forks a child, then becomes sleep, which never reaps it): each
    # rotated piece's scan holds it (see without_inherited_zombies()).
    zp = popen(["/bin/sh", "-c", "/bin/true pl-logs-zombie & exec sleep 60"])
    common.wait_for(lambda: any(common.proc_state(int(ch)) == "Z" for ch in common.children_of(zp.pid)),
                    "the zombie child of %d" % zp.pid)
    t = start_proclife(["watch", "--json", "-o", f, "-w", rec], (READY_WATCH_REC % rec).encode())
    w = Workload(tmp, "mv")
    moved = []
    for k in range(1, ROTATIONS + 1):
        wait_grown(f, 0, "%s before move %d" % (f, k))
        dst = "%s.%d" % (f, k)
        os.rename(f, dst)  # what logrotate does (without copytruncate)
        moved.append(dst)
        t.p.send_signal(signal.SIGHUP)
        wait_stderr(t, (REOPENED % f).encode(), k)
        wait_stderr(t, (ROTATED % (rec, rec)).encode(), k)
        # Events keep going to the moved file until the reopen; after it, to a new file.
        wait_grown(f, 0, "%s after SIGHUP %d" % (f, k))
    count = w.stop()
    rc = t.stop()
    check_stderr(c, t, rc, [(ROTATED % (rec, rec)).encode(), (REOPENED % f).encode()] * ROTATIONS)
    c.eq("stdout with -o", b"", t.stdout_bytes())
    for p in moved + [f]:
        c.eq("mode of %s" % p, "0o600", oct(stat.S_IMODE(os.stat(p).st_mode)))
    recs = rec_pieces(c, rec, ROTATIONS + 1)
    check_pieces(c, [common.read_bytes(p) for p in moved + [f]], recs, w.prefix, count)


# --------------------------------------------------------------------------
# 2. the same with real logrotate and the shipped snippet


def logrotate_config(tmp, pid):
    """tools/packaging/proclife.logrotate for tmp/*.json, its postrotate a SIGHUP to pid, written next
    to tmp. Debian's /etc/logrotate.conf, which includes the snippet, sets `create` for it: so here too."""
    text = common.read_bytes(LOGROTATE_SNIPPET).decode()
    if "/var/log/proclife/*.json {" not in text:
        raise Failure("%s does not name /var/log/proclife/*.json" % LOGROTATE_SNIPPET)
    text = text.replace("/var/log/proclife/*.json {", "%s/*.json {" % tmp)
    text, n = re.subn(r"(?ms)^(\s*postrotate\n).*?^(\s*endscript)$", r"\1\t\tkill -HUP %d\n\2" % pid, text)
    if n != 1:
        raise Failure("%s: no postrotate ... endscript to replace" % LOGROTATE_SNIPPET)
    path = os.path.join(os.path.dirname(tmp), "logrotate.conf")
    common.write_bytes(path, ("create\n" + text).encode())
    return path


def test_logrotate(c):
    tmp = tmpdir("pl_logs_")
    logs = os.path.join(tmp, "log")
    os.mkdir(logs, 0o700)
    f = os.path.join(logs, "events.json")
    rec = os.path.join(tmp, "events.plr")
    t = start_proclife(["watch", "--json", "-o", f, "-w", rec], (READY_WATCH_REC % rec).encode())
    conf = logrotate_config(logs, t.p.pid)
    state = os.path.join(tmp, "logrotate.state")
    w = Workload(tmp, "lr")
    for k in range(1, ROTATIONS + 1):
        wait_grown(f, 0, "%s before logrotate run %d" % (f, k))
        r = subprocess.run(["logrotate", "-f", "-s", state, conf], capture_output=True, timeout=30)
        if r.returncode != 0:
            raise Failure("logrotate -f exited %d: %r" % (r.returncode, r.stderr[-2000:]))
        wait_stderr(t, (REOPENED % f).encode(), k)
        wait_grown(f, 0, "%s after logrotate run %d" % (f, k))
    count = w.stop()
    rc = t.stop()
    check_stderr(c, t, rc, [(ROTATED % (rec, rec)).encode(), (REOPENED % f).encode()] * ROTATIONS)
    # logrotate's names, newest first: events.json.1, then .2.gz ... (delaycompress).
    names = ["events.json.1"] + ["events.json.%d.gz" % k for k in range(2, ROTATIONS + 1)] + ["events.json"]
    c.eq("files logrotate left", sorted(names), sorted(os.listdir(logs)))
    pieces = []
    for name in reversed(names[:-1]):
        data = common.read_bytes(os.path.join(logs, name))
        pieces.append(gzip.decompress(data) if name.endswith(".gz") else data)
    pieces.append(common.read_bytes(f))
    c.eq("mode of %s (created by logrotate, `create`, from the old one)" % f, "0o600",
         oct(stat.S_IMODE(os.stat(f).st_mode)))
    recs = rec_pieces(c, rec, ROTATIONS + 1)
    check_pieces(c, pieces, recs, w.prefix, count)


# --------------------------------------------------------------------------
# 3. record -w R: SIGHUP starts a new file


def test_record_rotates(c):
    tmp = tmpdir("pl_logs_")
    rec = os.path.join(tmp, "r.plr")
    t = start_proclife(["record", "-w", rec], (READY_RECORD % rec).encode())
    w = Workload(tmp, "rec")
    for k in range(1, ROTATIONS + 1):
        time.sleep(0.3)  # pacing only: each piece gets some of the workload (checked below)
        t.p.send_signal(signal.SIGHUP)
        wait_stderr(t, (ROTATED % (rec, rec)).encode(), k)
    time.sleep(0.3)
    count = w.stop()
    rc = t.stop()
    check_stderr(c, t, rc, [(ROTATED % (rec, rec)).encode()] * ROTATIONS)
    files = rec_pieces(c, rec, ROTATIONS + 1)
    c.eq("files in the directory", sorted(["r.plr"] + ["r.plr.%d" % k for k in range(1, ROTATIONS + 1)]
                                          + ["stop-rec", "count-rec"]), sorted(os.listdir(tmp)))
    found = []
    argv = common.proc_cmdline(common.MYPID)
    for f in files:
        ms = markers(parse_json_lines(c, replay_json(c, f), "replay of %s" % f), w.prefix)
        c.ok("%s holds none of the workload's execs" % os.path.basename(f), ms)
        found += ms
        # Each piece stands alone: its own /proc scan knows the test process (which exec'd nothing).
        rc, out, err = run_to_end(["tree", "--json", "-r", f], REPLAY_TIMEOUT)
        c.eq("tree --json -r %s: exit status" % os.path.basename(f), 0, rc)
        nodes, _, _ = common.flatten_tree(c, common.parse_json(out, "tree --json -r %s" % f))
        n = nodes.get(common.MYPID)
        if c.ok("tree -r %s: the test process %d (there all along: in the piece's own scan) is missing"
                % (os.path.basename(f), common.MYPID), n is not None):
            c.eq("tree -r %s: the test's argv" % os.path.basename(f), argv, n["argv"])
    check_markers(c, "the recording's pieces", found, w.prefix, count)
    # Replayed as one (-r for each): continuous, no gap said, every marker once.
    one = markers(parse_json_lines(c, replay_json(c, files[::-1]), "the pieces replayed as one"), w.prefix)
    check_markers(c, "the recording's pieces replayed as one", one, w.prefix, count)
    # The starts of the pieces follow each other.
    starts = [common.rec_header(common.read_bytes(f))["start_ns"] for f in files]
    c.eq("start times of the pieces, oldest first", sorted(starts), starts)


def test_record_rotate_count(c):
    """--rotate-count without --rotate-size: the files kept past SIGHUPs."""
    tmp = tmpdir("pl_logs_")
    rec = os.path.join(tmp, "r.plr")
    t = start_proclife(["record", "-w", rec, "--rotate-count", "3"], (READY_RECORD % rec).encode())
    for k in range(1, 5):
        t.p.send_signal(signal.SIGHUP)
        wait_stderr(t, (ROTATED % (rec, rec)).encode(), k)
    rc = t.stop()
    check_stderr(c, t, rc, [(ROTATED % (rec, rec)).encode()] * 4)
    c.eq("files kept (--rotate-count 3)", ["r.plr", "r.plr.1", "r.plr.2"], sorted(os.listdir(tmp)))
    c.eq("header seq of r.plr.2, r.plr.1, r.plr", [2, 3, 4],
         [common.rec_header(common.read_bytes(os.path.join(tmp, n)))["seq"] for n in ("r.plr.2", "r.plr.1", "r.plr")])
    for n in ("r.plr.2", "r.plr.1", "r.plr"):
        replay_json(c, os.path.join(tmp, n))


# --------------------------------------------------------------------------
# 4. record --rotate-existing


def test_rotate_existing(c):
    tmp = tmpdir("pl_logs_")
    rec = os.path.join(tmp, "r.plr")
    rc, out, err = run_proclife(["record", "-w", rec, "-d", "0.3"], 30)
    c.eq("first record -d 0.3: exit status", 0, rc)
    old = common.read_bytes(rec)
    older = b"an older piece, not even a recording\n"
    common.write_bytes(rec + ".1", older)
    old_start = common.rec_header(common.read_bytes(rec))["start_ns"]

    # Without --rotate-existing (and without --force): refused, nothing touched.
    rc, out, err = run_proclife(["record", "-w", rec, "-d", "0.3"], 30)
    c.eq("record on an existing file: exit status", 1, rc)
    c.ok("record on an existing file: stderr: one line saying it exists, got %r" % err,
         common.one_line(err, b"proclife record: ") and b"exists (use --force" in err)
    c.eq("the existing file after the refusal", old, common.read_bytes(rec))
    c.eq("the existing .1 after the refusal", older, common.read_bytes(rec + ".1"))

    rc, out, err = run_proclife(["record", "-w", rec, "-d", "0.3", "--force", "--rotate-existing"], 30)
    common.check_usage_error(c, "record --force --rotate-existing", rc, out, err, b"proclife record: ")

    rc, out, err = run_proclife(["record", "-w", rec, "-d", "0.3", "--rotate-existing"], 30)
    c.eq("record --rotate-existing: exit status", 0, rc)
    c.eq("record --rotate-existing: stderr", [b"proclife: recording to %s, Ctrl-C to stop" % rec.encode()],
         err.split(b"\n")[:1])
    c.eq("files", ["r.plr", "r.plr.1", "r.plr.2"], sorted(os.listdir(tmp)))
    c.ok("r.plr.1 is not byte for byte the recording that was r.plr", common.read_bytes(rec + ".1") == old)
    c.ok("r.plr.2 is not byte for byte what was r.plr.1", common.read_bytes(rec + ".2") == older)
    h = common.rec_header(common.read_bytes(rec))
    c.eq("new r.plr: header seq (on from the kept one's, so seq orders the pieces)", 1, h["seq"])
    c.ok("new r.plr starts after the old one", h["start_ns"] > old_start)
    c.eq("new r.plr: mode", "0o600", oct(stat.S_IMODE(os.stat(rec).st_mode)))
    replay_json(c, rec)
    replay_json(c, rec + ".1")

    # A symlink in FILE's place is kept as it is (moved, never followed); its target untouched.
    target = os.path.join(tmp, "target")
    common.write_bytes(target, b"not to be written\n")
    link = os.path.join(tmp, "l.plr")
    os.symlink(target, link)
    rc, out, err = run_proclife(["record", "-w", link, "-d", "0.3", "--rotate-existing"], 30)
    c.eq("record --rotate-existing over a symlink: exit status", 0, rc)
    c.ok("l.plr.1 is the symlink, moved", os.path.islink(link + ".1") and os.readlink(link + ".1") == target)
    c.ok("l.plr is a new regular file", os.path.isfile(link) and not os.path.islink(link))
    c.eq("the symlink's target", b"not to be written\n", common.read_bytes(target))

    # A directory is not a recording to keep.
    d = os.path.join(tmp, "d.plr")
    os.mkdir(d)
    rc, out, err = run_proclife(["record", "-w", d, "-d", "0.3", "--rotate-existing"], 30)
    c.eq("record --rotate-existing on a directory: exit status", 1, rc)
    c.ok("record --rotate-existing on a directory: one line saying so, got %r" % err,
         common.one_line(err, b"proclife record: ") and b"is a directory" in err)
    c.ok("the directory is still there, not moved", os.path.isdir(d) and not os.path.exists(d + ".1"))


# --------------------------------------------------------------------------
# 5. SIGHUP without -o or -w; text output; a reopen that fails


def test_watch_plain_hup(c):
    """Without -o or -w, SIGHUP keeps its default: watch ends, killed by it (as before)."""
    # Started with SIGHUP's default action, whatever this suite inherited: under nohup (or a script's
    # background job) an ignored SIGHUP passes to proclife through exec, and it rightly stays ignored.
    t = start_proclife(["watch", "--json"], preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
    t.p.send_signal(signal.SIGHUP)
    rc = t.wait_exit(10)
    if rc is None:
        t.kill()
        raise Failure("watch did not end within 10 s of SIGHUP")
    c.eq("watch (no -o, no -w) after SIGHUP: killed by SIGHUP", -signal.SIGHUP, rc)
    c.eq("stderr: only the ready line", READY_WATCH, t.stderr_bytes())


def test_watch_text_reopen(c):
    """Text output: the header line starts the first file only; the stream goes on in the new file.
    An existing FILE is emptied at start (as before); a reopened one is appended to."""
    tmp = tmpdir("pl_logs_")
    f = os.path.join(tmp, "events.txt")
    common.write_bytes(f, b"old content\n")
    t = start_proclife(["watch", "-e", "exec", "-o", f])
    pid1, _ = run(["/bin/true", "pl-logs-text-1"])
    os.rename(f, f + ".1")
    common.write_bytes(f, b"kept line\n")  # logrotate's `create` makes an empty one; anything there is kept
    t.p.send_signal(signal.SIGHUP)
    wait_stderr(t, (REOPENED % f).encode(), 1)
    pid2, _ = run(["/bin/true", "pl-logs-text-2"])
    rc = t.stop()
    check_stderr(c, t, rc, [(REOPENED % f).encode()])
    first = common.read_bytes(f + ".1").decode().split("\n")
    second = common.read_bytes(f).decode().split("\n")
    c.eq("first file: the header, not the old content", TEXT_HEADER, first[0])
    c.ok("first file: the exec of pid %d" % pid1, any(" %d " % pid1 in ln and "pl-logs-text-1" in ln for ln in first))
    c.eq("reopened file: what was there, then events (no header)", "kept line", second[0])
    c.ok("reopened file: no header line", TEXT_HEADER not in second)
    c.ok("reopened file: the exec of pid %d" % pid2, any(" %d " % pid2 in ln and "pl-logs-text-2" in ln
                                                          for ln in second))
    c.ok("the exec of pid %d is in the first file only" % pid2, not any("pl-logs-text-2" in ln for ln in first))


def test_append(c):
    """--append: a restarted service adds to its log (lines a shipper has not read yet stay); the
    text header is not written again into a file that has lines. Without it, -o empties the file."""
    tmp = tmpdir("pl_logs_")
    f = os.path.join(tmp, "events.json")
    lines = []
    for k in (1, 2):  # two runs, as a service restarted
        t = start_proclife(["watch", "--json", "-e", "exec", "-o", f, "--append"])
        pid, _ = run(["/bin/true", "pl-logs-append-%d" % k])
        wait_grown(f, sum(len(x) + 1 for x in lines), "%s in run %d" % (f, k))
        rc = t.stop()
        check_stderr(c, t, rc, [])
        data = common.read_bytes(f)
        c.ok("run %d: what the earlier run wrote is kept" % k, data.startswith(b"".join(x + b"\n" for x in lines)))
        new = data[sum(len(x) + 1 for x in lines):]
        events = parse_json_lines(c, new, "run %d's lines" % k)
        c.ok("run %d: the exec of pid %d, in whole lines after the earlier ones" % (k, pid),
             any(e["event"] == "exec" and e["pid"] == pid and e["argv"][-1] == "pl-logs-append-%d" % k
                 for e in events))
        lines = data.rstrip(b"\n").split(b"\n")
    c.eq("mode of %s" % f, "0o600", oct(stat.S_IMODE(os.stat(f).st_mode)))
    # Without --append, as before: emptied at start.
    t = start_proclife(["watch", "--json", "-e", "exec", "-o", f])
    pid, _ = run(["/bin/true", "pl-logs-append-3"])
    wait_grown(f, 0, "%s without --append" % f)
    rc = t.stop()
    check_stderr(c, t, rc, [])
    events = parse_json_lines(c, common.read_bytes(f), "the run without --append")
    c.ok("without --append: the earlier runs' lines are gone",
         not any(e["event"] == "exec" and e["argv"][-1] in ("pl-logs-append-1", "pl-logs-append-2") for e in events))
    rc, out, err = run_proclife(["watch", "--append"], 10)
    common.check_usage_error(c, "proclife watch --append", rc, out, err, b"proclife: ")


def test_reopen_fails(c):
    """A reopen that fails (a directory in FILE's place): one line; events go on to the old file;
    the next SIGHUP reopens. No event lost or doubled."""
    tmp = tmpdir("pl_logs_")
    f = os.path.join(tmp, "events.json")
    t = start_proclife(["watch", "--json", "-o", f])
    w = Workload(tmp, "fail")
    wait_grown(f, 0, f)
    os.rename(f, f + ".1")
    os.mkdir(f)
    t.p.send_signal(signal.SIGHUP)
    failed = ("proclife: SIGHUP: cannot reopen %s: Is a directory; events go on to the file open before "
              "(another SIGHUP tries again)\n" % f).encode()
    wait_stderr(t, failed, 1)
    size = os.path.getsize(f + ".1")
    wait_grown(f + ".1", size, "the old file after the failed reopen")
    os.rmdir(f)
    t.p.send_signal(signal.SIGHUP)
    wait_stderr(t, (REOPENED % f).encode(), 1)
    wait_grown(f, 0, "%s after the second SIGHUP" % f)
    count = w.stop()
    rc = t.stop()
    check_stderr(c, t, rc, [failed, (REOPENED % f).encode()])
    events = parse_json_lines(c, common.read_bytes(f + ".1"), "events.json.1")
    events += parse_json_lines(c, common.read_bytes(f), "events.json")
    check_markers(c, "events.json.1 + events.json", markers(events, w.prefix), w.prefix, count)


def test_options(c):
    """The options' rules: --rotate-existing needs -w and not --force; --rotate-count needs a rotation
    (size, SIGHUP, or --rotate-existing): top and run rotate on size only."""
    tmp = tmpdir("pl_logs_")
    g = os.path.join(tmp, "g.plr")
    for args, prefix in (
            (["record", "--rotate-existing"], b"proclife record: "),
            (["record", "-w", g, "--force", "--rotate-existing"], b"proclife record: "),
            (["watch", "--rotate-existing"], b"proclife: "),
            (["watch", "-w", g, "--force", "--rotate-existing"], b"proclife: "),
            (["top", "-w", g, "--rotate-count", "3"], b"proclife top: "),
            (["run", "-w", g, "--rotate-count", "3", "--", "true"], b"proclife run: "),
    ):
        rc, out, err = run_proclife(args, 10)
        common.check_usage_error(c, "proclife %s" % " ".join(args), rc, out, err, prefix)
    c.ok("no file created by the refused commands", not os.path.exists(g))
    for cmd in (["record"], ["watch"]):
        rc, out, err = run_proclife(cmd + ["--help"], 10)
        c.ok("%s --help names --rotate-existing" % cmd[0], b"--rotate-existing" in out)
        c.ok("%s --help says what SIGHUP does" % cmd[0], b"SIGHUP" in out)


SUBTESTS = [
    ("watch_reopen", test_watch_reopen, ROOT),
    ("logrotate", test_logrotate, ROOT + ("logrotate",)),
    ("record_rotates", test_record_rotates, ROOT),
    ("record_rotate_count", test_record_rotate_count, ROOT),
    ("rotate_existing", test_rotate_existing, ROOT),
    ("watch_plain_hup", test_watch_plain_hup, ROOT),
    ("watch_text_reopen", test_watch_text_reopen, ROOT),
    ("append", test_append, ROOT),
    ("reopen_fails", test_reopen_fails, ROOT),
    ("options", test_options, ()),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="logs_", subtest_timeout=SUBTEST_TIMEOUT))
