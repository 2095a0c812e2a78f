#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Secrets kept out, and recordings an auditor can trust (issue 20: finding 6,
tamper evidence). Each subtest against oracles of its own: the argv the test
passed (and /proc's cmdline of the process, which holds the secret), an
unredacted proclife beside the redacted one, and a reader of the format in
Python (hashlib, hmac) that checks the chain and the seals itself.

- redact_everywhere: secrets in argv (--password SECRET in two arguments,
  --password=SECRET, NAME_TOKEN=SECRET, one only a --redact REGEX of the
  test's catches, one in a failed exec's path), in a process that was there
  before proclife started and in new ones, are in none of what proclife
  writes with --redact-defaults --redact REGEX: watch's text and JSON lines,
  the recording's inflated bytes (its command line, the start and rotation
  snapshots, the events), the metrics file, run's events, summary,
  --summary-json and recording (its final scan), tree's output, and every
  message line; the unredacted proclife beside it saw each secret.
- redact_replay: a recording that holds secrets, replayed with
  --redact-defaults: watch, tree, life and export show none of them.
- arg_bytes_zero: --arg-bytes 0 keeps no argv at all, in execs and in the
  start and rotation snapshots; the header says 0.
- arg_bytes_snapshots: --arg-bytes N caps the /proc snapshots written at
  the start and at each rotation (they kept 4096 bytes whatever N was).
- verify_one_file: a real recording is whole (exit 0); one altered byte, a
  block rewritten with every CRC right, a block removed (the blocks after it
  renumbered): altered, at the right offset (exit 1); cut at a block
  boundary and in a block: cut, not altered (exit 3). The Python reader
  agrees on the chain of the whole file.
- verify_rotated_set: three pieces (SIGHUP), given in any order: each
  continues the one before; the middle one missing: said, exit 1; its end
  rewritten and chained again: whole alone, refuted by the next piece; a
  recorder killed and restarted with --rotate-existing: the new piece
  continues the cut one.
- verify_sealed: recorded with --seal-key K: verify --seal-key K whole, with
  another key refused, without a key whole but unchecked; a forger who
  rewrites a block and computes the chain again passes without the key and
  is refused with it; an unsealed recording is refused with the key; a key
  readable by others is refused by the recorder. The seals are the HMACs
  Python computes.
- verify_json: the JSON document of a set.
- replay_drops_root: a replay run as root reads its files as root, then runs
  as nobody (uid and gid 65534, no groups, no new privileges) by the time it
  prints; an export -o into a directory only root can write is still
  written (opened before).

Usage: tests/e2e/test_trust.py PATH/TO/proclife [SUBTEST...]
"""
import fcntl
import hashlib
import hmac
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
import common  # noqa: E402
import make_corpus as mc  # noqa: E402
from common import (  # noqa: E402
    MYPID, ROOT, Failure, parse_json_lines, run_to_end, select_events, spawn, start_proclife, tmpdir,
    waitpid_deadline)

SUBTEST_TIMEOUT = 240
ROTATE_TIMEOUT = 30.0  # a rotation: a /proc scan of a busy machine, and a new file
READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
READY_WATCH_REC = "proclife: tracing process lifecycle events, recording to %s, Ctrl-C to stop\n"
BLOCK = common.REC_BLOCK_HDR
FILE_HDR = common.REC_FILE_HDR
KINDS = {1: "event", 2: "snap_begin", 3: "snap_proc", 4: "snap_end", 5: "tick", 6: "lost", 7: "meta",
         8: "run_start", 9: "run_end", 10: "end"}
SNAP_PROC = struct.Struct("<QIIIIIBBBB16s")  # start_ns, pid, ppid, uid, exit_code, cmdline_len, state, kthread,
#                                              cmdline_truncated, has_cmdline, comm
EXEC = struct.Struct("<IIIIII")  # old_tid, argc, filename_len, args_len, args_size, pad (after the 112-byte header)
PL_HDR_SIZE = 112
PL_F_ARGS_TRUNCATED = 1 << 1


# --------------------------------------------------------------------------
# The format, read here independently of proclife (docs/RECORDING.md)


def blocks_of(data):
    """[dict(off, plen, seq, prev, seal, hash, raw)] of a 2.0 file's whole blocks, checking every CRC and the
    chain as docs/RECORDING.md says; Failure at the first break."""
    h = common.rec_header(data)
    if h["major"] != 2:
        raise Failure("format %d.%d: expected 2.x" % (h["major"], h["minor"]))
    off, out, chain = h["hdr_size"], [], hashlib.sha256(data[:h["hdr_size"]]).digest()
    while off + BLOCK.size <= len(data):
        magic, plen, rlen, nrec, seq, pcrc, prev, seal, hcrc = BLOCK.unpack_from(data, off)
        if magic != 0x4B424C50 or hcrc != zlib.crc32(data[off:off + BLOCK.size - 4]):
            raise Failure("offset %d: not a valid block header (test's reading)" % off)
        payload = data[off + BLOCK.size:off + BLOCK.size + plen]
        if len(payload) < plen:
            break  # torn
        if zlib.crc32(payload) != pcrc or prev != chain:
            raise Failure("offset %d: block %d: payload CRC or chain broken (test's reading)" % (off, seq))
        chain = hashlib.sha256(data[off:off + 60] + payload).digest()
        out.append({"off": off, "plen": plen, "seq": seq, "prev": prev, "seal": seal, "hash": chain,
                    "raw": zlib.decompress(payload, -15)})
        off += BLOCK.size + plen
    return out


def records(raw):
    """(kind name, body) of a block's inflated bytes."""
    pos = 0
    while pos < len(raw):
        size, kind = struct.unpack_from("<IH", raw, pos)
        yield KINDS.get(kind, kind), raw[pos + 8:pos + size]
        pos += (size + 7) & ~7


def inflated(path):
    """Every record's bytes of a recording, inflated, one after the other."""
    return b"".join(b["raw"] for b in blocks_of(common.read_bytes(path)))


def snap_procs(path):
    """[(reason, {pid: (cmdline bytes, truncated, has_cmdline)})] of every /proc scan in a recording."""
    scans = []
    for b in blocks_of(common.read_bytes(path)):
        for kind, body in records(b["raw"]):
            if kind == "snap_begin":
                scans.append((struct.unpack_from("<QI", body)[1], {}))
            elif kind == "snap_proc":
                f = SNAP_PROC.unpack_from(body)
                scans[-1][1][f[1]] = (body[SNAP_PROC.size:SNAP_PROC.size + f[5]], f[8], f[9])
    return scans


def execs(path):
    """{pid: (filename, args bytes, args_size, flags)} of the exec events of a recording (the last of a pid)."""
    out = {}
    for b in blocks_of(common.read_bytes(path)):
        for kind, body in records(b["raw"]):
            if kind == "event" and struct.unpack_from("<I", body, 24)[0] == 2:
                pid, flags = struct.unpack_from("<I", body, 32)[0], struct.unpack_from("<I", body, 60)[0]
                _, argc, fl, al, asz, _ = EXEC.unpack_from(body, PL_HDR_SIZE)
                data = body[mc.size_of("pl_exec"):]  # filename, argv, cwd, exe
                out[pid] = (data[:fl - 1], data[fl:fl + al], asz, flags)
    return out


def rewrite_block(data, blk, change):
    """data with block blk's records rewritten by change(raw) -> raw, deflated again, its payload_len,
    payload_crc and hdr_crc right, its prev kept: what someone who knows the format does."""
    raw = change(blk["raw"])
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    z = c.compress(raw) + c.flush()
    hdr = bytearray(data[blk["off"]:blk["off"] + BLOCK.size])
    struct.pack_into("<II", hdr, 4, len(z), len(raw))
    struct.pack_into("<I", hdr, 24, zlib.crc32(z))
    struct.pack_into("<I", hdr, BLOCK.size - 4, zlib.crc32(bytes(hdr[:BLOCK.size - 4])))
    return data[:blk["off"]] + bytes(hdr) + z + data[blk["off"] + BLOCK.size + blk["plen"]:]


def rechain(data, key=None):
    """Every block's prev (and seal, under key; zeros without) and hdr_crc computed again: a forger's work."""
    h = common.rec_header(data)
    out, off, chain = bytearray(data), h["hdr_size"], hashlib.sha256(data[:h["hdr_size"]]).digest()
    while off + BLOCK.size <= len(out):
        plen = struct.unpack_from("<I", out, off + 4)[0]
        out[off + 28:off + 60] = chain
        chain = hashlib.sha256(bytes(out[off:off + 60]) + bytes(out[off + BLOCK.size:off + BLOCK.size + plen])).digest()
        out[off + 60:off + 92] = hmac.new(key, chain, hashlib.sha256).digest() if key else bytes(32)
        struct.pack_into("<I", out, off + 92, zlib.crc32(bytes(out[off:off + 92])))
        off += BLOCK.size + plen
    return bytes(out)


# --------------------------------------------------------------------------
# Helpers


def recorder(path, args=(), cmd="record"):
    if cmd == "record":
        return start_proclife(["record", "-w", path] + list(args), (READY_RECORD % path).encode())
    return start_proclife(["watch"] + list(args) + ["-w", path], (READY_WATCH_REC % path).encode())


def stop(c, t, what):
    rc = t.stop(signal.SIGINT)
    c.eq("%s: exit status after SIGINT" % what, 0, rc)
    return rc


def rotate(t, path, n=1):
    """SIGHUP t and wait (bounded) until it said it started a new path, n times in all."""
    want = b"SIGHUP: started a new %s" % path.encode()
    have = t.stderr_raw().count(want)
    os.kill(t.p.pid, signal.SIGHUP)
    deadline = time.monotonic() + ROTATE_TIMEOUT
    while t.stderr_raw().count(want) < have + 1:
        if time.monotonic() > deadline or t.p.poll() is not None:
            raise Failure("%s: no '%s' within %.0f s of SIGHUP; stderr %r" % (t.name(), want.decode(), ROTATE_TIMEOUT,
                                                                             t.stderr_raw()[-500:]))
        time.sleep(0.01)


def hold_process(argv):
    """A process with argv that waits on stdin until the subtest ends (the test holds the pipe)."""
    p = common.popen(argv, stdin=subprocess.PIPE)
    common.hold_pipe(p.stdin)
    deadline = time.monotonic() + common.WAIT
    want = [a.encode() if isinstance(a, str) else a for a in argv[1:]]
    while common.proc_cmdline(p.pid) is None or [a.encode() for a in common.proc_cmdline(p.pid)[1:]] != want:
        if time.monotonic() > deadline:
            raise Failure("process %d never showed its argv in /proc" % p.pid)
        time.sleep(0.01)
    return p


def run_and_wait(argv):
    pid = spawn([a.encode() if isinstance(a, str) else a for a in argv])
    waitpid_deadline(pid)
    return pid


def token(tag):
    return "%s%s" % (tag, os.urandom(6).hex())


def without(c, what, data, secrets):
    """None of the secrets is in data (bytes)."""
    found = [s for s in secrets if s.encode() in data]
    c.ok("%s: holds the secrets %s" % (what, found), not found)


def with_all(c, what, data, secrets):
    """Every secret is in data: the control, without which a 'never written' proves nothing."""
    missing = [s for s in secrets if s.encode() not in data]
    c.ok("%s (control, unredacted): the secrets %s were never seen, so nothing here is tested" % (what, missing),
         not missing)


def key_file(d, name, mode=0o600, data=None):
    p = os.path.join(d, name)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.write(fd, data if data is not None else os.urandom(32))
    os.close(fd)
    os.chmod(p, mode)
    return p


def verify(args):
    return run_to_end(["verify"] + list(args), 60)


def verify_lines(out):
    return out.decode().rstrip("\n").split("\n")


# --------------------------------------------------------------------------
# Secrets


def workload(s):
    """Execs whose argv holds the secrets s (a dict), and a failed exec whose path holds one."""
    run_and_wait(["/bin/true", "--password", s["two"], "x"])
    run_and_wait(["/bin/true", "--password=" + s["one"]])
    run_and_wait(["/bin/true", "API_TOKEN=" + s["env"]])
    run_and_wait(["/bin/true", "say", s["own"]])
    run_and_wait(["/bin/sh", "-c", "exec /nonexistent/token=%s/x 2>/dev/null; exit 0" % s["path"]])


def test_redact_everywhere(c):
    d = tmpdir("pl_trust_")
    s = {"pre": token("pwpre"), "two": token("pwtwo"), "one": token("pwone"), "env": token("pwenv"),
         "own": token("zq"), "path": token("pwpath")}
    secrets = list(s.values())
    own = ["--redact-defaults", "--redact", "zq[0-9a-f]{12}"]
    # There before proclife: its argv goes into the start and rotation snapshots.
    pre = hold_process(["python3", "-c", "import sys; sys.stdin.read()", "--password", s["pre"]])
    c.ok("the process's /proc cmdline holds its secret (the oracle)", s["pre"] in common.proc_cmdline(pre.pid))
    rec, ev, prom = (os.path.join(d, n) for n in ("r.plr", "ev.json", "m.prom"))
    plain_rec = os.path.join(d, "plain.plr")
    a = recorder(rec, own + ["--json", "-o", ev, "--metrics-file", prom, "--metrics-interval", "0.2"], cmd="watch")
    b = start_proclife(["watch"] + own)
    plain = recorder(plain_rec, ["--json"], cmd="watch")
    workload(s)
    rotate(a, rec)  # a rotation's snapshot: the process with its secret is still there
    rc_tree, tree_out, tree_err = run_to_end(["tree", "-w"] + own, 60)
    c.eq("tree --redact-defaults: exit status", 0, rc_tree)
    # run, and what it records: its command line holds a secret, and its final scan the process above.
    run_rec, run_ev, run_sum = (os.path.join(d, n) for n in ("run.plr", "run.txt", "sum.json"))
    rc_run, run_out, run_err = run_to_end(["run"] + own + ["-w", run_rec, "-o", run_ev, "--summary-json", run_sum,
                                           "--", "/bin/sh", "-c", "/bin/true --password %s" % s["two"]], 60)
    c.eq("run: exit status (the command's)", 0, rc_run)
    for t, what in ((a, "watch -w -o --metrics-file"), (b, "watch"), (plain, "unredacted watch")):
        stop(c, t, what)
    with_all(c, "the unredacted watch's JSON lines", plain.stdout_bytes(), [v for k, v in s.items() if k != "pre"])
    with_all(c, "the unredacted recording's start snapshot", inflated(plain_rec), [s["pre"]])
    outputs = {
        "watch text lines": b.stdout_bytes(), "watch stderr": b.stderr_raw(),
        "watch -o JSON lines": common.read_bytes(ev), "watch -w stderr": a.stderr_raw(),
        "metrics file": common.read_bytes(prom),
        "recording (inflated)": inflated(rec), "rotated-away piece (inflated)": inflated(rec + ".1"),
        "tree": tree_out, "tree stderr": tree_err,
        "run stdout": run_out, "run stderr (summary)": run_err, "run -o": common.read_bytes(run_ev),
        "run --summary-json": common.read_bytes(run_sum), "run -w (inflated)": inflated(run_rec),
    }
    for what, data in outputs.items():
        without(c, what, data, secrets)
    # Redacted, not missing: the events are there, the secrets replaced.
    events = parse_json_lines(c, common.read_bytes(ev), "watch -o")
    got = [e["argv"] for e in select_events(events, event="exec") if e.get("argv", [None])[0] == "/bin/true"]
    for want in (["/bin/true", "--password", "*****", "x"], ["/bin/true", "--password=*****"],
                 ["/bin/true", "API_TOKEN=*****"], ["/bin/true", "say", "*****"]):
        c.ok("watch -o: an exec with argv %s: got %s" % (want, got), want in got)
    failed = [e for e in select_events(events, event="exec_failed") if "/nonexistent/token=" in e.get("filename", "")]
    c.ok("watch -o: the failed exec, its path redacted: %s" % failed,
         [e["filename"] for e in failed] == ["/nonexistent/token=*****"])
    for path, reasons in ((rec + ".1", {0}), (rec, {2})):
        scans = [p for r, p in snap_procs(path) if r in reasons]
        c.ok("%s: a snapshot of reason %s holding the process" % (os.path.basename(path), reasons),
             scans and pre.pid in scans[0])
        if scans and pre.pid in scans[0]:
            c.ok("%s: its cmdline in the snapshot: %r" % (os.path.basename(path), scans[0][pre.pid][0]),
                 scans[0][pre.pid][0].endswith(b"--password\0*****"))
    meta = inflated(rec + ".1")
    c.ok("the recording keeps how proclife was started, and says it redacted: %r" % meta[:400],
         b"command=proclife watch --redact-defaults --redact zq" in meta and b"redact=" in meta)


def test_redact_replay(c):
    d = tmpdir("pl_trust_")
    s = {"pre": token("pwpre"), "two": token("pwtwo"), "one": token("pwone"), "env": token("pwenv"),
         "own": token("zq"), "path": token("pwpath")}
    pre = hold_process(["python3", "-c", "import sys; sys.stdin.read()", "--password", s["pre"]])
    rec = os.path.join(d, "plain.plr")
    t = recorder(rec)
    workload(s)
    stop(c, t, "record")
    own = ["--redact-defaults", "--redact", "zq[0-9a-f]{12}"]
    rc, out, err = run_to_end(["watch", "--json", "-r", rec], 60)
    with_all(c, "watch -r without --redact", out, [v for k, v in s.items() if k != "pre"])
    rc, out, err = run_to_end(["tree", "--json", "-r", rec], 60)
    with_all(c, "tree -r without --redact", out, [s["pre"]])
    for args in (["watch", "-r", rec], ["watch", "--json", "-r", rec], ["tree", "--json", "-r", rec],
                 ["life", str(pre.pid), "-r", rec], ["life", "--json", str(pre.pid), "-r", rec],
                 ["export", "--format", "perfetto", "-r", rec], ["export", "--format", "dot", "-r", rec]):
        rc, out, err = run_to_end(args + own, 60)
        c.eq("%s --redact-defaults: exit status" % " ".join(args[:2]), 0, rc)
        without(c, "proclife %s --redact-defaults" % " ".join(args), out + err, list(s.values()))


# --------------------------------------------------------------------------
# --arg-bytes


def test_arg_bytes_zero(c):
    d = tmpdir("pl_trust_")
    pre_mark, exec_mark = token("plabpre"), token("plabexec")
    pre = hold_process(["python3", "-c", "import sys; sys.stdin.read()", pre_mark])
    rec, ctl = os.path.join(d, "none.plr"), os.path.join(d, "control.plr")
    t = recorder(rec, ["--arg-bytes", "0"])
    control = recorder(ctl)
    pid = run_and_wait(["/bin/true", exec_mark, "more"])
    rotate(t, rec)
    stop(c, t, "record --arg-bytes 0")
    stop(c, control, "record")
    with_all(c, "the recording with the default --arg-bytes", inflated(ctl), [pre_mark, exec_mark])
    for path in (rec + ".1", rec):
        name = os.path.basename(path)
        c.eq("%s: header args_cap" % name, 0, common.rec_header(common.read_bytes(path))["args_cap"])
        without(c, "%s (inflated)" % name, inflated(path), [pre_mark, exec_mark])
        scans = snap_procs(path)
        c.ok("%s: a snapshot" % name, scans)
        for reason, procs in scans:
            with_cmd = [p for p, (cl, _, _) in procs.items() if cl]
            c.eq("%s: processes of the snapshot (reason %d) with a cmdline" % (name, reason), [], with_cmd)
            if pre.pid in procs:
                c.eq("%s: the held process in the snapshot: (cmdline, truncated, has_cmdline)" % name,
                     (b"", 1, 0), procs[pre.pid])
    ex = execs(rec + ".1").get(pid)
    if c.ok("the exec of /bin/true is in the recording", ex is not None):
        c.eq("exec with --arg-bytes 0: filename", b"/bin/true", ex[0])
        c.eq("exec with --arg-bytes 0: argv bytes kept", b"", ex[1])
        c.eq("exec with --arg-bytes 0: the argument area's size", len(b"/bin/true\0%s\0more\0" % exec_mark.encode()),
             ex[2])
        c.ok("exec with --arg-bytes 0: flagged truncated", ex[3] & PL_F_ARGS_TRUNCATED)
    rc, out, err = run_to_end(["watch", "--json", "-r", rec + ".1"], 60)
    e = [x for x in select_events(parse_json_lines(c, out, "watch -r"), event="exec") if x["pid"] == pid]
    if c.ok("watch -r: the exec", len(e) == 1):
        c.eq("watch -r: the exec's argv and truncated", ([], True), (e[0]["argv"], e[0]["truncated"]))


def test_arg_bytes_snapshots(c):
    d = tmpdir("pl_trust_")
    long_args = ["pl-ab-%d-%s" % (i, "y" * 30) for i in range(6)]
    pre = hold_process(["python3", "-c", "import sys; sys.stdin.read()"] + long_args)
    full = b"\0".join(a.encode() for a in ["python3", "-c", "import sys; sys.stdin.read()"] + long_args)
    rec = os.path.join(d, "cap.plr")
    t = recorder(rec, ["--arg-bytes", "40"])
    rotate(t, rec)
    stop(c, t, "record --arg-bytes 40")
    for path, reason in ((rec + ".1", 0), (rec, 2)):
        scans = [p for r, p in snap_procs(path) if r == reason]
        name = os.path.basename(path)
        if not c.ok("%s: a snapshot of reason %d holding the held process" % (name, reason),
                    scans and pre.pid in scans[0]):
            continue
        c.eq("%s: its cmdline, cut at --arg-bytes 40, and flagged" % name, (full[:40], 1, 1), scans[0][pre.pid])
        longest = max(len(cl) for cl, _, _ in scans[0].values())
        c.ok("%s: the longest cmdline of the snapshot is %d bytes, more than 40" % (name, longest), longest <= 40)


# --------------------------------------------------------------------------
# verify


def busy_recording(c, path, args=(), min_blocks=4):
    """A real recording of at least min_blocks blocks (one a second at least), markers exec'd meanwhile."""
    t = recorder(path, list(args))
    deadline, i = time.monotonic() + 60, 0
    while True:
        try:
            n = len(blocks_of(common.read_bytes(path)))
        except Failure:
            n = 0
        if n >= min_blocks:
            break
        if t.p.poll() is not None:
            raise Failure("the recorder exited with %s: %r" % (t.p.returncode, t.stderr_raw()[-1000:]))
        if time.monotonic() > deadline:
            raise Failure("60 s of recording and only %d blocks (%d bytes); the recorder's stderr: %r"
                          % (n, os.path.getsize(path), t.stderr_raw()[-1000:]))
        run_and_wait(["/bin/true", "pl-trust-mark-%d" % i])
        i += 1
        time.sleep(0.05)  # a pace for the markers only: the wait is on the blocks
    stop(c, t, "record")
    return blocks_of(common.read_bytes(path))


def test_verify_one_file(c):
    d = tmpdir("pl_trust_")
    rec = os.path.join(d, "r.plr")
    blocks = busy_recording(c, rec)
    data = common.read_bytes(rec)
    rc, out, err = verify([rec])
    c.eq("verify of a real recording: exit status", 0, rc)
    c.ok("verify of a real recording: one line, whole: %r" % out,
         len(verify_lines(out)) == 1 and out.startswith(b"%s: whole (format 2.1, %d blocks, " % (rec.encode(),
                                                                                                len(blocks))))
    c.eq("verify: stderr", b"", err)

    def check(name, bad, rc_want, word, at):
        p = os.path.join(d, name)
        common.write_bytes(p, bad)
        rc, out, err = verify([p])
        c.eq("verify %s: exit status" % name, rc_want, rc)
        want = "%s: %s: offset %d: " % (p, word, at)
        c.ok("verify %s: expected a line starting %r, got %r" % (name, want, out), out.decode().startswith(want))
        return out.decode()

    b1, b2 = blocks[1], blocks[2]
    flipped = bytearray(data)
    flipped[b2["off"] + BLOCK.size + b2["plen"] // 2] ^= 0x10
    line = check("byte.plr", bytes(flipped), 1, "altered", b2["off"] + BLOCK.size)
    c.ok("verify byte.plr: it names the payload's CRC: %r" % line, "block %d: payload CRC32" % b2["seq"] in line)
    rc, out, err = run_to_end(["watch", "-r", os.path.join(d, "byte.plr")], 60)
    c.eq("watch -r of the altered file: exit status", 1, rc)
    # A block rewritten by someone who fixed every CRC: the next block does not follow it.
    forged = rewrite_block(data, b1, lambda raw: raw.replace(b"pl-trust-mark-", b"pl-trust-MARK-"))
    c.ok("the forged block changed something", forged != data)
    line = check("rewritten.plr", forged, 1, "altered", b2["off"] + len(forged) - len(data))
    c.ok("verify rewritten.plr: the chain says block %d changed: %r" % (b1["seq"], line),
         "block %d: chain hash" % b2["seq"] in line and "block %d was altered" % b1["seq"] in line)
    # A block removed, the ones after it renumbered and their CRCs right.
    cut_out = bytearray(data[:b1["off"]] + data[b2["off"]:])
    gap = b2["off"] - b1["off"]
    for b in blocks[2:]:
        o = b["off"] - gap
        struct.pack_into("<Q", cut_out, o + 16, b["seq"] - 1)
        struct.pack_into("<I", cut_out, o + BLOCK.size - 4, zlib.crc32(bytes(cut_out[o:o + BLOCK.size - 4])))
    line = check("removed.plr", bytes(cut_out), 1, "altered", b1["off"])
    c.ok("verify removed.plr: block %d does not follow: %r" % (b1["seq"], line), "chain hash" in line)
    # Cut: at a block boundary (no end mark), and inside a block (torn): cut, not altered, exit 3.
    line = check("cut.plr", data[:blocks[-1]["off"]], 3, "cut", blocks[-1]["off"])
    c.ok("verify cut.plr: %r" % line, "without its end mark" in line)
    line = check("torn.plr", data[:blocks[-1]["off"] + BLOCK.size + 3], 3, "cut", blocks[-1]["off"])
    c.ok("verify torn.plr: %r" % line, "cut short" in line or "mid-write" in line)


def test_verify_rotated_set(c):
    d = tmpdir("pl_trust_")
    rec = os.path.join(d, "s.plr")
    t = recorder(rec)
    for k in range(2):
        run_and_wait(["/bin/true", "pl-trust-piece-%d" % k])
        rotate(t, rec)
    run_and_wait(["/bin/true", "pl-trust-piece-2"])
    stop(c, t, "record")
    pieces = [rec + ".2", rec + ".1", rec]
    rc, out, err = verify([pieces[1], rec, pieces[0]])
    lines = verify_lines(out)
    c.eq("verify of 3 pieces in any order: exit status", 0, rc)
    c.eq("verify of 3 pieces: lines", 4, len(lines))
    if len(lines) == 4:
        c.ok("the oldest first, starting the recording: %r" % lines[0],
             lines[0].startswith(pieces[0] + ": whole") and lines[0].endswith("; it starts the recording"))
        c.ok("then each continuing the one before: %r" % lines[1:3],
             lines[1].endswith("; it continues %s" % pieces[0]) and lines[2].endswith("; it continues %s" % pieces[1]))
        c.eq("the set's line", "3 files, 1 recording: whole", lines[3])
    rc, out, err = verify([pieces[0], rec])
    c.eq("verify without the middle piece: exit status", 1, rc)
    c.ok("verify without the middle piece: said: %r" % out, b"a piece is missing before it" in out)
    rc, out, err = verify([rec])
    c.eq("verify of the newest alone: exit status", 0, rc)
    c.ok("verify of the newest alone: %r" % out, b"it continues an earlier piece, not given" in out)
    # The middle piece's last block changed and the chain computed again: alone it passes, the next refutes it.
    data = common.read_bytes(pieces[1])
    last = blocks_of(data)[-1]
    forged = rechain(rewrite_block(data, last, lambda raw: raw.replace(b"pl-trust-piece-1", b"pl-trust-piece-X")))
    c.ok("the forged end changed something", forged != data)
    common.write_bytes(pieces[1], forged)
    rc, out, err = verify([pieces[1]])
    c.eq("verify of the rechained piece alone: exit status (the chain alone cannot tell)", 0, rc)
    rc, out, err = verify(pieces)
    c.eq("verify of the set with the rechained piece: exit status", 1, rc)
    c.ok("verify of the set: the next piece refutes it: %r" % out,
         ("%s: whole" % rec).encode() in out and b"from a point where that does not end" in out)
    # Killed, restarted with --rotate-existing: the new piece continues the cut one.
    rec2 = os.path.join(d, "k.plr")
    t = recorder(rec2, ["--rotate-existing"])
    run_and_wait(["/bin/true", "pl-trust-killed"])
    deadline = time.monotonic() + 30
    while len(blocks_of(common.read_bytes(rec2))) < 2:  # something written before the kill
        if time.monotonic() > deadline:
            raise Failure("the recorder wrote no second block within 30 s")
        time.sleep(0.05)
    t.kill()
    t = recorder(rec2, ["--rotate-existing"])
    stop(c, t, "record --rotate-existing")
    rc, out, err = verify([rec2, rec2 + ".1"])
    lines = verify_lines(out)
    c.eq("verify of a killed piece and its restart: exit status (cut)", 3, rc)
    c.ok("the killed one is cut, the new one continues it from there: %r" % lines,
         len(lines) == 3 and lines[0].startswith(rec2 + ".1: cut") and
         lines[1].endswith("it continues %s.1 from where that was cut (the recorder restarted)" % rec2))


def test_verify_sealed(c):
    d = tmpdir("pl_trust_")
    key, other = key_file(d, "k"), key_file(d, "k2")
    kb = common.read_bytes(key)
    rec = os.path.join(d, "sealed.plr")
    blocks = busy_recording(c, rec, ["--seal-key", key], min_blocks=3)
    data = common.read_bytes(rec)
    h = common.rec_header(data)
    c.eq("header: seal", 1, h["seal"])
    c.eq("header: key id (HMAC of the id text, Python's)",
         hmac.new(kb, b"proclife seal key id", hashlib.sha256).digest()[:8], h["key_id"])
    c.eq("each block's seal is the HMAC-SHA256 of its hash under the key (Python's)",
         [hmac.new(kb, b["hash"], hashlib.sha256).digest() for b in blocks], [b["seal"] for b in blocks])
    rc, out, err = verify(["--seal-key", key, rec])
    c.eq("verify --seal-key K: exit status", 0, rc)
    c.ok("verify --seal-key K: %r" % out, b": whole (" in out and b"every seal checked" in out)
    rc, out, err = verify(["--seal-key", other, rec])
    c.eq("verify --seal-key OTHER: exit status", 1, rc)
    c.ok("verify --seal-key OTHER: %r" % out, b": altered: offset 128: sealed with another key" in out)
    rc, out, err = verify([rec])
    c.eq("verify without a key: exit status", 0, rc)
    c.ok("verify without a key: %r" % out, b"seals not checked (no --seal-key)" in out)
    # The forger: a block rewritten, the chain computed again; without the key, no seal.
    forged = rechain(rewrite_block(data, blocks[1], lambda raw: raw.replace(b"pl-trust-mark-", b"pl-trust-MARK-")))
    fp = os.path.join(d, "forged.plr")
    common.write_bytes(fp, forged)
    rc, out, err = verify([fp])
    c.eq("verify of the forgery without the key: exit status (the chain alone cannot tell)", 0, rc)
    rc, out, err = verify(["--seal-key", key, fp])
    c.eq("verify --seal-key K of the forgery: exit status", 1, rc)
    c.ok("verify --seal-key K of the forgery: %r" % out, b"block 0: its seal is not the MAC of its hash" in out)
    # Unsealed, with a key: nothing vouches for it.
    plain = os.path.join(d, "plain.plr")
    t = recorder(plain)
    stop(c, t, "record")
    rc, out, err = verify(["--seal-key", key, plain])
    c.eq("verify --seal-key K of an unsealed recording: exit status", 1, rc)
    c.ok("verify --seal-key K of an unsealed recording: %r" % out, b": unsealed: not sealed" in out)
    # A key others can read seals nothing: the recorder refuses it before it starts.
    loose = key_file(d, "loose", 0o644)
    rc, out, err = run_to_end(["record", "-w", os.path.join(d, "x.plr"), "--seal-key", loose], 30)
    c.eq("record --seal-key with a key of mode 0644: exit status", 1, rc)
    c.ok("record --seal-key with a key of mode 0644: one line: %r" % err,
         common.one_line(err, b"proclife record: seal key %s is readable or writable by others" % loose.encode()))
    c.ok("no recording was created", not os.path.exists(os.path.join(d, "x.plr")))


def test_verify_json(c):
    d = tmpdir("pl_trust_")
    rec = os.path.join(d, "j.plr")
    t = recorder(rec)
    rotate(t, rec)
    stop(c, t, "record")
    rc, out, err = verify(["--json", rec, rec + ".1"])
    c.eq("verify --json: exit status", 0, rc)
    doc = common.parse_json(out, "verify --json")
    c.eq("verify --json: verdict", "whole", doc["verdict"])
    files = doc["files"]
    c.eq("verify --json: files, oldest first", [rec + ".1", rec], [f["path"] for f in files])
    c.eq("verify --json: links", ["first", "continues"], [f["link"] for f in files])
    c.eq("verify --json: the second continues the first", rec + ".1", files[1]["continues"])
    raw = [common.rec_header(common.read_bytes(p)) for p in (rec + ".1", rec)]
    c.eq("verify --json: file ids, as the headers hold them", [r["file_id"].hex() for r in raw],
         [f["file_id"] for f in files])
    c.eq("verify --json: the second's header names the first", raw[0]["file_id"], raw[1]["prev_file_id"])


def status_fields(pid, names):
    """Lines of /proc/PID/status, by name (None once it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            lines = dict(ln.rstrip("\n").split(":\t", 1) for ln in f if ":\t" in ln)
    except OSError:
        return None
    return {n: lines.get(n) for n in names}


def test_replay_drops_root(c):
    d = tmpdir("pl_trust_")
    os.chmod(d, 0o700)  # only root may write here
    rec = os.path.join(d, "r.plr")
    t = recorder(rec)
    for i in range(50):
        run_and_wait(["/bin/true", "pl-trust-drop-%d" % i])
    stop(c, t, "record")
    # stdout a pipe of one page that the test does not read yet: the replay blocks on it once it prints.
    r, w = os.pipe()
    fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ
    p = common.popen([common.BIN, "watch", "--json", "-r", rec], stdout=w, stderr=subprocess.DEVNULL)
    os.close(w)
    ready, _, _ = select.select([r], [], [], 60)
    c.ok("the replay printed within 60 s", ready)
    st = status_fields(p.pid, ["Uid", "Gid", "Groups", "NoNewPrivs"])
    out = b""
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        out += chunk
    os.close(r)
    common.reap_popen(p, 60)
    c.eq("the replay's exit status", 0, p.returncode)
    c.eq("the replay, as it printed: uid, gid, groups, no new privileges",
         {"Uid": "65534\t65534\t65534\t65534", "Gid": "65534\t65534\t65534\t65534", "Groups": "",
          "NoNewPrivs": "1"}, {k: (v or "").strip() for k, v in (st or {}).items()})
    events = parse_json_lines(c, out, "the replay")
    c.eq("the replay: the workload's execs, all of them", 50,
         len([e for e in select_events(events, event="exec") if e.get("argv", [""])[-1].startswith("pl-trust-drop-")]))
    # Outputs opened before giving root up: into a directory only root can write.
    out_path = os.path.join(d, "tree.dot")
    rc, _, err = run_to_end(["export", "--format", "dot", "-r", rec, "-o", out_path], 60)
    c.eq("export -o into a root-only directory: exit status (stderr %r)" % err, 0, rc)
    c.ok("export -o into a root-only directory: written", os.path.getsize(out_path) > 0)


SUBTESTS = [
    ("redact_everywhere", test_redact_everywhere, ROOT),
    ("redact_replay", test_redact_replay, ROOT),
    ("arg_bytes_zero", test_arg_bytes_zero, ROOT),
    ("arg_bytes_snapshots", test_arg_bytes_snapshots, ROOT),
    ("verify_one_file", test_verify_one_file, ROOT),
    ("verify_rotated_set", test_verify_rotated_set, ROOT),
    ("verify_sealed", test_verify_sealed, ROOT),
    ("verify_json", test_verify_json, ROOT),
    ("replay_drops_root", test_replay_drops_root, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="trust_", subtest_timeout=SUBTEST_TIMEOUT))
