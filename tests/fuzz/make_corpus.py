#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Writes the recordings the fuzzer starts from and the damaged-file corpus,
deterministically (run it again after a format change and commit the result):

  tests/fuzz/corpus/NAME.plr    valid recordings (the fuzzer's seeds)
  tests/fuzz/corpus/NAME.raw    the same records as a raw-records input of
                                fuzz_recording.c (it wraps them into a file)
  tests/fuzz/damaged/NAME.plr   truncated, corrupted, hostile, wrong-version files
  tests/fuzz/damaged/NAME.expect
      exit: N          what `proclife watch --json -r NAME.plr` exits with
      stderr: TEXT     the one error line it prints contains TEXT ("-": none)
      events: N        (optional) it prints N kernel events, all there is before the damage

tests/fuzz/test_damaged.py replays each and checks. The format is
docs/RECORDING.md; this is an independent writer of it (stdlib only), so the
corpus also checks that the document and the C reader agree.

Usage: tests/fuzz/make_corpus.py [OUTDIR]   (default: the directory of this script)
"""
import hashlib
import hmac
import os
import re
import struct
import sys
import zlib

MAGIC = b"\x89PLREC\r\n"
BLOCK_MAGIC = 0x4B424C50  # "PLBK"
START_NS = 1000 * 10**9  # boot time of the recording's start
WALL = 1767322045 * 10**9  # CLOCK_REALTIME - CLOCK_BOOTTIME: the start is 2026-01-02T03:04:05Z

# enum rec_kind
EVENT, SNAP_BEGIN, SNAP_PROC, SNAP_END, TICK, LOST, META, RUN_START, RUN_END, END, CGROUP, CONTAINER = range(1, 13)
GAP = 14  # since 2.0: what a failing disk kept out
# enum rec_cgroup_hier
CG_V2, CG_V1 = 1, 2
# enum pl_event_type
FORK, EXEC, EXEC_FAILED, EXIT, REAP, SIGNAL, DELIVER, RENAME, CRED = range(1, 10)

# The records of docs/RECORDING.md: each field in order, padding included, as a struct format
# (little-endian, no alignment), another record's name (nested), or "*" (the variable-length tail).
# Names are the C ones (include/proclife.h, user/record/recording.h); tests/abi/test_abi.py holds
# this table to the compiler's layout.
# The event header of format 1.x; 2.0 added the subject's v1 cgroup and identity after it.
HDR_1X = [("ts", "Q"), ("start_ns", "Q"), ("cgroup_id", "Q"), ("type", "I"), ("cpu", "I"), ("pid", "I"),
          ("tid", "I"), ("ppid", "I"), ("uid", "I"), ("gid", "I"), ("pidns", "I"), ("ns_pid", "I"), ("flags", "I"),
          ("comm", "16s")]
HDR = HDR_1X + [("cgroup1_id", "Q"), ("euid", "I"), ("egid", "I"), ("auid", "I"), ("session", "I"), ("tty", "I"),
                ("_pad", "I")]
ID_UNSET = 0xFFFFFFFF  # PL_ID_UNSET
# The exec record of format 1.x; 2.0 added its paths and credentials before the data.
EXEC_LAYOUT_1X = [("h", "pl_hdr"), ("old_tid", "I"), ("argc", "I"), ("filename_len", "I"), ("args_len", "I"),
                  ("args_size", "I"), ("_pad", "I"), ("data", "*")]
EXEC_LAYOUT = [("h", "pl_hdr"), ("old_tid", "I"), ("argc", "I"), ("filename_len", "I"), ("args_len", "I"),
               ("args_size", "I"), ("cwd_len", "I"), ("exe_len", "I"), ("xflags", "I"), ("creds", "pl_creds"),
               ("data", "*")]
FORMAT_MAJOR = 2  # what file_header() writes by default, and the event header's layout (use_format())
LAYOUT = {
    "rec_file_hdr": [("magic", "8s"), ("major", "H"), ("minor", "H"), ("hdr_size", "I"), ("start_ns", "Q"),
                     ("wall_offset_ns", "q"), ("flags", "I"), ("args_cap", "I"), ("seq", "I"), ("boot_id", "16s"),
                     ("crc", "I"), ("file_id", "16s"), ("prev_file_id", "16s"), ("prev_chain", "32s"),
                     ("key_id", "8s"), ("seal", "I"), ("chain_crc", "I")],
    "rec_block_hdr": [("magic", "I"), ("payload_len", "I"), ("raw_len", "I"), ("nrecords", "I"), ("seq", "Q"),
                      ("payload_crc", "I"), ("prev", "32s"), ("seal", "32s"), ("hdr_crc", "I")],
    "rec_block_hdr_1x": [("magic", "I"), ("payload_len", "I"), ("raw_len", "I"), ("nrecords", "I"), ("seq", "Q"),
                         ("payload_crc", "I"), ("hdr_crc", "I")],
    "rec_hdr": [("size", "I"), ("kind", "H"), ("_pad", "H")],
    "rec_time": [("ts", "Q")],
    "rec_snap_begin": [("ts", "Q"), ("reason", "I"), ("count", "I")],
    "rec_snap_proc": [("start_ns", "Q"), ("pid", "I"), ("ppid", "I"), ("uid", "I"), ("exit_code", "I"),
                      ("cmdline_len", "I"), ("state", "B"), ("kthread", "B"), ("cmdline_truncated", "B"),
                      ("has_cmdline", "B"), ("comm", "16s"), ("cmdline", "*")],
    "rec_lost": [("ts", "Q"), ("count", "Q"), ("type", "I"), ("_pad", "I")],
    "rec_gap": [("ts", "Q"), ("since", "Q"), ("events", "Q"), ("records", "Q"), ("err", "I"), ("_pad", "I")],
    "rec_run_start": [("ts", "Q"), ("pid", "I"), ("_pad", "I")],
    "rec_run_end": [("ts", "Q"), ("pid", "I"), ("exit_code", "i"), ("status", "I"), ("_pad", "I"), ("lost", "Q")],
    "rec_cgroup": [("ts", "Q"), ("id", "Q"), ("hier", "I"), ("npids", "I"), ("path_len", "I"), ("_pad", "I"),
                   ("data", "*")],
    "pl_hdr": HDR,
    "pl_fork": [("h", "pl_hdr"), ("child_pid", "I"), ("child_tid", "I"), ("child_start_ns", "Q"),
                ("child_ppid", "I"), ("_pad", "I")],
    "pl_creds": [(f, "I") for f in ("uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid")] +
                [(f, "Q") for f in ("cap_inheritable", "cap_permitted", "cap_effective", "cap_bset", "cap_ambient")] +
                [("securebits", "I"), ("ngroups", "I"), ("groups", "16I")],
    "pl_exec": EXEC_LAYOUT,
    "pl_exec_failed": [("h", "pl_hdr"), ("err", "i"), ("filename_len", "I"), ("data", "*")],
    "pl_killer": [("ts", "Q"), ("sig", "i"), ("info_code", "i"), ("pid", "I"), ("tid", "I"), ("uid", "I"),
                  ("syscall", "H"), ("info_kind", "B"), ("oom", "B"), ("comm", "16s")],
    "pl_usage": [(f, "Q") for f in ("utime_tick", "stime_tick", "runtime", "prev_utime", "prev_stime", "minflt",
                                    "majflt", "nvcsw", "nivcsw", "inblock", "oublock", "maxrss_kb", "cutime",
                                    "cstime", "cminflt", "cmajflt", "cnvcsw", "cnivcsw", "cinblock", "coublock",
                                    "cmaxrss_kb", "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
                                    "cancelled_write_bytes")] + [("flags", "I"), ("_pad", "I")],
    "pl_exit": [("h", "pl_hdr"), ("status", "I"), ("new_parent", "I"), ("killer", "pl_killer"),
                ("usage", "pl_usage")],
    "pl_reap": [("h", "pl_hdr"), ("exit_ts", "Q"), ("status", "I"), ("reaper_pid", "I"), ("reaper_tid", "I"),
                ("_pad", "I"), ("reaper_comm", "16s")],
    "pl_signal": [("h", "pl_hdr"), ("sig", "i"), ("info_code", "i"), ("result", "I"), ("target_pid", "I"),
                  ("target_tid", "I"), ("target_uid", "I"), ("info_pid", "I"), ("info_uid", "I"),
                  ("target_comm", "16s"), ("value", "Q"), ("target_arg", "i"), ("err", "i"), ("syscall", "H"),
                  ("info_kind", "B"), ("disposition", "B"), ("blocked", "B"), ("_pad", "3s")],
    "pl_deliver": [("h", "pl_hdr"), ("sig", "i"), ("info_code", "i"), ("action", "I"), ("info_pid", "I"),
                   ("sa_flags", "Q")],
    "pl_rename": [("h", "pl_hdr"), ("new_comm", "16s")],
    "pl_cred": [("h", "pl_hdr"), ("how", "I"), ("cflags", "I"), ("nr", "i"), ("_pad", "I"), ("old", "pl_creds"),
                ("new", "pl_creds")],
}


def size_of(name, upto=None):
    """Bytes of a record's fixed part (before field upto, if given)."""
    n = 0
    for field, f in LAYOUT[name]:
        if field == upto or f == "*":
            break
        n += size_of(f) if f in LAYOUT else struct.calcsize("<" + f)
    return n


def offset_of(name, field):
    assert field in (fl for fl, _ in LAYOUT[name]), (name, field)
    return size_of(name, upto=field)


def pack(name, upto=None, **values):
    """A record's fixed part (up to field upto): its fields by name, zero where not given; a nested
    record is given as its bytes. The variable tail is the caller's to append."""
    out = b""
    for field, f in LAYOUT[name]:
        if field == upto or f == "*":
            break
        v = values.pop(field, None)
        if f in LAYOUT:
            v = pack(f) if v is None else v
            assert len(v) == size_of(f), (name, field, len(v))
            out += v
        else:
            n = re.match(r"^(\d*)", f).group(1)
            if n and not f.endswith("s"):  # an array of scalars: its values, zeros where not given
                v = list(v or [])
                out += struct.pack("<" + f, *(v + [0] * (int(n) - len(v))))
            else:
                out += struct.pack("<" + f, (b"" if f.endswith("s") else 0) if v is None else v)
    if values:
        raise TypeError("%s has no field %s before %s" % (name, ", ".join(values), upto or "its end"))
    return out


def pack_into(buf, name, field, value):
    """Overwrites one field of a packed record (a bytearray that starts with it)."""
    struct.pack_into("<" + dict(LAYOUT[name])[field], buf, offset_of(name, field), value)


def unpack_field(buf, name, field):
    """One field of a packed record (bytes that start with it)."""
    return struct.unpack_from("<" + dict(LAYOUT[name])[field], buf, offset_of(name, field))[0]


def use_format(major):
    """Write format major's records from now on: 1 (the 1.x event header) or 2 (this one)."""
    global FORMAT_MAJOR
    FORMAT_MAJOR = major
    LAYOUT["pl_hdr"] = HDR_1X if major == 1 else HDR
    LAYOUT["pl_exec"] = EXEC_LAYOUT_1X if major == 1 else EXEC_LAYOUT


def crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


FILE_ID = bytes(range(1, 17))  # the corpus's files' id (random in a real recording)
SEAL_KEY_ID_TEXT = b"proclife seal key id"
# The chain as the writer threads it: file_header() starts it, each block() carries it on (docs/RECORDING.md,
# "The chain and the seal"). Expressions like file_header() + block(...) + block(...) evaluate in order.
_chain = {"major": 2, "hash": b"", "key": None}


def key_id(key):
    return hmac.new(key, SEAL_KEY_ID_TEXT, hashlib.sha256).digest()[:8]


def file_header(major=None, minor=0, hdr_size=None, flags=0, args_cap=4096, seq=0, fix_crc=True, start_ns=START_NS,
                boot_id=b"", extra=b"", file_id=FILE_ID, prev_file_id=b"", prev_chain=b"", key=None,
                fix_chain_crc=True):
    """A file header (and extra bytes a newer minor would add after it); the chain starts with their hash.
    key: seal the blocks that follow with it."""
    major = FORMAT_MAJOR if major is None else major
    fixed = size_of("rec_file_hdr") if major >= 2 else size_of("rec_file_hdr", upto="file_id")
    values = dict(magic=MAGIC, major=major, minor=minor, hdr_size=fixed + len(extra) if hdr_size is None else hdr_size,
                  start_ns=start_ns, wall_offset_ns=WALL, flags=flags, args_cap=args_cap, seq=seq, boot_id=boot_id)
    h = bytearray(pack("rec_file_hdr", upto="file_id", **values))
    pack_into(h, "rec_file_hdr", "crc", crc(h[:offset_of("rec_file_hdr", "crc")]) if fix_crc else 0)
    if major >= 2:
        h += pack("rec_file_hdr", upto=None, **values, file_id=file_id, prev_file_id=prev_file_id,
                  prev_chain=prev_chain, key_id=key_id(key) if key else b"", seal=1 if key else 0)[len(h):]
        part = h[offset_of("rec_file_hdr", "file_id"):offset_of("rec_file_hdr", "chain_crc")]
        pack_into(h, "rec_file_hdr", "chain_crc", crc(part) if fix_chain_crc else 0)
    h = bytes(h) + extra
    _chain.update(major=major, hash=hashlib.sha256(h).digest(), key=key)
    return h


def record(kind, body, size=None):
    """A record: header, body, zeros to the next multiple of 8. size: a lie for the header."""
    n = 8 + len(body)
    return pack("rec_hdr", size=n if size is None else size, kind=kind) + body + b"\0" * (-n % 8)


def deflate(raw):
    """Raw deflate (RFC 1951, no zlib wrapper), as the writer does."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


def block(recs, seq, nrecords=None, raw_len=None, payload=None, payload_crc=None, magic=BLOCK_MAGIC,
          hdr_crc=None, payload_len=None, prev=None):
    """A block of records (a list of record() bytes), chained to the one before it (the last file_header() or
    block() made), of that header's format; each keyword lies about one field."""
    raw = b"".join(recs)
    z = deflate(raw) if payload is None else payload
    name = "rec_block_hdr" if _chain["major"] >= 2 else "rec_block_hdr_1x"
    values = dict(magic=magic, payload_len=len(z) if payload_len is None else payload_len,
                  raw_len=len(raw) if raw_len is None else raw_len,
                  nrecords=len(recs) if nrecords is None else nrecords, seq=seq,
                  payload_crc=crc(z) if payload_crc is None else payload_crc)
    if name == "rec_block_hdr":
        values["prev"] = _chain["hash"] if prev is None else prev
    h = bytearray(pack(name, **values))
    if name == "rec_block_hdr":
        _chain["hash"] = hashlib.sha256(bytes(h[:offset_of(name, "seal")]) + z).digest()
        if _chain["key"]:
            pack_into(h, name, "seal", hmac.new(_chain["key"], _chain["hash"], hashlib.sha256).digest())
    pack_into(h, name, "hdr_crc", crc(h[:offset_of(name, "hdr_crc")]) if hdr_crc is None else hdr_crc)
    return bytes(h) + z


def block_size():
    """Bytes of a block header in the current format."""
    return size_of("rec_block_hdr" if _chain["major"] >= 2 else "rec_block_hdr_1x")


def comm(s):
    return s.encode() if isinstance(s, str) else s


def start_of(pid):
    """A process's start time: pid seconds before the recording's (huge pids: half way)."""
    return START_NS - 10**9 * pid if pid < 1000 else START_NS // 2


def ev_hdr(typ, ts, pid, ppid, name, start_ns=None, flags=0, uid=0):
    start = start_of(pid) if start_ns is None else start_ns
    identity = {} if FORMAT_MAJOR == 1 else dict(euid=uid, egid=uid, auid=ID_UNSET, session=ID_UNSET)
    return pack("pl_hdr", ts=ts, start_ns=start, cgroup_id=1, type=typ, cpu=0, pid=pid, tid=pid, ppid=ppid, uid=uid,
                gid=uid, pidns=4026531836, ns_pid=pid, flags=flags, comm=comm(name), **identity)


def ev_fork(ts, pid, ppid, name, child, child_start):
    return pack("pl_fork", h=ev_hdr(FORK, ts, pid, ppid, name), child_pid=child, child_tid=child,
                child_start_ns=child_start, child_ppid=pid)


def ev_exec(ts, pid, ppid, name, filename, argv, start_ns=None, cwd=b"/", exe=None):
    fn = filename + b"\0"
    args = b"".join(a + b"\0" for a in argv)
    h = ev_hdr(EXEC, ts, pid, ppid, name, start_ns)
    if FORMAT_MAJOR == 1:
        return pack("pl_exec", h=h, old_tid=pid, argc=len(argv), filename_len=len(fn), args_len=len(args),
                    args_size=len(args)) + fn + args
    # Format 2.0: the working directory and the executable follow argv (root's credentials, every capability).
    paths = cwd + b"\0" + (filename if exe is None else exe) + b"\0"
    caps = (1 << 41) - 1
    creds = pack("pl_creds", cap_permitted=caps, cap_effective=caps, cap_bset=caps)
    return pack("pl_exec", h=h, old_tid=pid, argc=len(argv), filename_len=len(fn), args_len=len(args),
                args_size=len(args), cwd_len=len(cwd) + 1, exe_len=len(paths) - len(cwd) - 1,
                creds=creds) + fn + args + paths


def ev_exec_failed(ts, pid, ppid, name, filename, err, start_ns=None):
    fn = filename + b"\0"
    return pack("pl_exec_failed", h=ev_hdr(EXEC_FAILED, ts, pid, ppid, name, start_ns), err=err,
                filename_len=len(fn)) + fn


def ev_exit(ts, pid, ppid, name, status, start_ns=None, killer_sig=0, killer_pid=0):
    killer = pack("pl_killer", ts=ts if killer_sig else 0, sig=killer_sig, pid=killer_pid, tid=killer_pid,
                  syscall=1 if killer_sig else 0, comm=b"killer" if killer_sig else b"")
    # Without usage (PL_F_USAGE unset): as a thread's exit, or a recorder before usage existed.
    return pack("pl_exit", upto="usage", h=ev_hdr(EXIT, ts, pid, ppid, name, start_ns), status=status, new_parent=0,
                killer=killer)


def ev_reap(ts, pid, ppid, name, status, reaper, reaper_name, start_ns=None):
    return pack("pl_reap", h=ev_hdr(REAP, ts, pid, ppid, name, start_ns, flags=1 << 6), exit_ts=ts - 1000,
                status=status, reaper_pid=reaper, reaper_tid=reaper, reaper_comm=comm(reaper_name))


def ev_signal(ts, pid, ppid, name, sig, target, target_name, result=0):
    return pack("pl_signal", h=ev_hdr(SIGNAL, ts, pid, ppid, name), sig=sig, info_code=0, result=result,
                target_pid=target, target_tid=target, target_uid=0, info_pid=pid, info_uid=0,
                target_comm=comm(target_name), value=0, target_arg=target, err=0, syscall=1, info_kind=2,
                disposition=2, blocked=0)


def ev_deliver(ts, pid, ppid, name, sig, action=2, start_ns=None):
    return pack("pl_deliver", h=ev_hdr(DELIVER, ts, pid, ppid, name, start_ns), sig=sig, info_code=0, action=action,
                info_pid=1, sa_flags=0)


def ev_rename(ts, pid, ppid, old, new, start_ns=None):
    return pack("pl_rename", h=ev_hdr(RENAME, ts, pid, ppid, old, start_ns), new_comm=comm(new))


def ev_cred(ts, pid, ppid, name, how, old_uid, new_uid, start_ns=None):
    """A cred event: the uids changed from old_uid to new_uid, the old set said by the kernel."""
    ids = ("uid", "euid", "suid", "fsuid")
    old = pack("pl_creds", **{f: old_uid for f in ids})
    new = pack("pl_creds", **{f: new_uid for f in ids})
    h = ev_hdr(CRED, ts, pid, ppid, name, start_ns, uid=new_uid)
    return pack("pl_cred", h=h, how=how, cflags=1, nr=-1, old=old, new=new)


def snap_proc(pid, ppid, name, cmdline, state=b"S", kthread=0, start_ns=None, cmdline_len=None, uid=0):
    cl = b"" if cmdline is None else b"".join(a + b"\0" for a in cmdline)
    start = start_of(pid) if start_ns is None else start_ns
    body = pack("rec_snap_proc", start_ns=start, pid=pid, ppid=ppid, uid=uid, exit_code=0,
                cmdline_len=len(cl) if cmdline_len is None else cmdline_len, state=state[0], kthread=kthread,
                cmdline_truncated=0, has_cmdline=0 if cmdline is None else 1, comm=comm(name))
    return record(SNAP_PROC, body + cl)


def meta(ts, pairs):
    return record(META, pack("rec_time", ts=ts) + b"".join(p + b"\0" for p in pairs))


def cgroup(ts, hier, cg_id, path, pids=(), path_len=None):
    """A REC_CGROUP: a cgroup id's path; with pids, the processes of the scan before it in that cgroup."""
    return record(CGROUP, pack("rec_cgroup", ts=ts, id=cg_id, hier=hier, npids=len(pids),
                               path_len=len(path) if path_len is None else path_len) +
                  b"".join(struct.pack("<I", p) for p in pids) + path)


def container(ts, pairs):
    """A REC_CONTAINER: a container named, as key=value strings (cgroup=, runtime=, id=, name=, ...)."""
    return record(CONTAINER, pack("rec_time", ts=ts) + b"".join(p + b"\0" for p in pairs))


def rtime(kind, ts):
    return record(kind, pack("rec_time", ts=ts))


def lost(ts, count, typ):
    return pack("rec_lost", ts=ts, count=count, type=typ)


def gap(ts, since, events, records, err=28):
    return record(GAP, pack("rec_gap", ts=ts, since=since, events=events, records=records, err=err))


def snapshot(ts, procs, reason=0, count=None):
    return ([record(SNAP_BEGIN, pack("rec_snap_begin", ts=ts, reason=reason,
                                     count=len(procs) if count is None else count))] +
            procs + [rtime(SNAP_END, ts)])


T = START_NS + 10**6  # the first event, 1 ms in
CHILD_START = START_NS + 5 * 10**6

BOOT = snapshot(START_NS, [
    snap_proc(1, 0, "systemd", [b"/sbin/init"]),
    snap_proc(2, 0, "kthreadd", None, kthread=1),
    snap_proc(100, 1, "bash", [b"-bash"]),
    snap_proc(150, 100, "sleep", [b"sleep", b"1000"], state=b"T"),
])

EVENTS_0 = [  # block 0, after META and the bootstrap snapshot
    record(EVENT, ev_fork(T, 100, 1, "bash", 200, CHILD_START)),
    record(EVENT, ev_exec_failed(T + 1000, 200, 100, "bash", b"/usr/local/bin/sh", 2, CHILD_START)),
    record(EVENT, ev_exec(T + 2000, 200, 100, "sh", b"/bin/sh",
                          [b"sh", b"-c", b"trap 'exit 3' TERM; sleep 1 & wait"], CHILD_START)),
    rtime(TICK, T + 3000),
    record(EVENT, ev_rename(T + 4000, 200, 100, "sh", "worker", CHILD_START)),
]
EVENTS_1 = [  # block 1
    record(EVENT, ev_signal(T + 10**7, 100, 1, "bash", 15, 200, "worker")),
    record(EVENT, ev_deliver(T + 10**7 + 500, 200, 100, "worker", 15, start_ns=CHILD_START)),
    record(EVENT, ev_exit(T + 10**7 + 900, 200, 100, "worker", 3 << 8, CHILD_START)),
    record(LOST, lost(T + 10**7 + 950, 3, FORK)),
    record(EVENT, ev_reap(T + 10**7 + 1000, 200, 100, "worker", 3 << 8, 100, "bash", CHILD_START)),
    rtime(TICK, T + 2 * 10**7),
] + snapshot(T + 2 * 10**7 + 1, [
    snap_proc(1, 0, "systemd", [b"/sbin/init"]),
    snap_proc(2, 0, "kthreadd", None, kthread=1),
    snap_proc(100, 1, "bash", [b"-bash"]),
], reason=1) + [
    record(EVENT, ev_signal(T + 3 * 10**7, 100, 1, "bash", 18, 150, "sleep")),
    record(EVENT, ev_deliver(T + 3 * 10**7 + 1, 150, 100, "sleep", 18, action=0)),
] + ([] if FORMAT_MAJOR == 1 else [
    record(EVENT, ev_cred(T + 3 * 10**7 + 2, 100, 1, "bash", 5, 0, 1000)),  # setresuid(1000, ...)
])
META_0 = meta(START_NS, [b"proclife=0.1.0", b"hostname=corpus", b"kernel=6.1.0", b"command=proclife record -w x"])
END_REC = rtime(END, T + 4 * 10**7)

B0 = [META_0] + BOOT + EVENTS_0
# The same with the cgroups of the scan and a container named (as a 2.0 recorder writes them after a scan).
B0_CT = [META_0] + BOOT + [
    cgroup(START_NS, CG_V2, 1, b"/", pids=[1, 2, 100]),
    cgroup(START_NS, CG_V2, 1234, b"/docker/" + b"c" * 64, pids=[150]),
    container(START_NS, [b"cgroup=/docker/" + b"c" * 64, b"runtime=docker", b"id=" + b"c" * 64, b"name=corpus",
                         b"image=bb:1"]),
] + EVENTS_0
B1 = EVENTS_1 + [END_REC]
# Block 1 after a failing disk: the gap's mark and the snapshot the recorder wrote after it.
GAP_B1 = [gap(T + 9 * 10**6, T + 5000, 42, 50)] + snapshot(T + 9 * 10**6, BOOT[1:-1], reason=1) + B1
EV0 = sum(1 for r in B0 if r[4] == EVENT)  # kernel events in each block
EV1 = sum(1 for r in B1 if r[4] == EVENT)


def valid(b0=None, b1=None, header=None):
    return (file_header() if header is None else header) + block(B0 if b0 is None else b0, 0) + \
        block(B1 if b1 is None else b1, 1)


HS = size_of("rec_file_hdr")  # the file header, format 2.0
BH = size_of("rec_block_hdr")  # a block header
OFF_B0 = HS
OFF_B1 = OFF_B0 + len(file_header() and block(B0, 0))
RAW0 = b"".join(B0)


def raw_input(recs, per_block=0):
    """An input of fuzz_recording.c's raw-records form."""
    return b"PLRAW\0" + bytes([per_block, 0]) + b"".join(recs)


def flip(data, off, mask=0x01):
    b = bytearray(data)
    b[off] ^= mask
    return bytes(b)


def at_in_b0(rec_index, recs=B0):
    """Byte offset, within block 0's raw bytes, of record rec_index."""
    return sum(len(r) for r in recs[:rec_index])


def damaged():
    """(name, bytes, exit status, stderr substring or None, kernel events replayed or None).
    The offsets are those the reader reports."""
    v = valid()
    out = []

    def add(name, data, rc, err, events=None):
        out.append((name, data, rc, err, events))

    add("empty", b"", 1, "offset 0: not a proclife recording (expected the magic")
    add("text", b"proclife recording, honest\n" * 4, 1, "offset 0: not a proclife recording")
    add("magic_only", MAGIC, 1, "offset 8: file ends inside its 64-byte header")
    add("header_cut", v[:40], 1, "offset 40: file ends inside its 64-byte header")
    add("header_chain_cut", v[:100], 1, "offset 100: file ends inside its %d-byte header" % HS)
    add("wrong_magic", b"\x89PLREX" + v[6:], 1, "offset 0: not a proclife recording")
    add("gzip", b"\x1f\x8b\x08\x00" + v[4:], 1, "offset 0: not a proclife recording")
    add("version_3", file_header(major=3) + v[HS:], 1,
        "offset 8: format version 3.0, this proclife reads versions 1.x to 2.x")
    add("version_0", file_header(major=0, minor=9) + v[HS:], 1, "offset 8: format version 0.9")
    add("header_crc", flip(v, 44), 1, "offset 60: header CRC32 0x%08x, expected 0x%08x"
        % (crc(flip(v, 44)[:60]), crc(v[:60])))
    add("header_size_huge", file_header(hdr_size=1 << 30) + v[HS:], 1, "offset 12: header size 1073741824")
    add("header_size_small", file_header(hdr_size=64) + v[HS:], 1,
        "offset 12: header size 64, expected %d to 4096" % HS)
    add("header_chain_crc", flip(v, 70), 1, "offset 140: header chain CRC32")
    add("header_only", file_header(), 0, "the recording ends at offset %d without its end mark" % HS)
    # A recorder killed mid-write: a torn last block, the blocks before it replayed (exit 0).
    add("block_header_cut", v[:OFF_B1 + 20], 0,
        "offset %d: file ends inside a block header (20 of %d bytes)" % (OFF_B1, BH), EV0)
    add("block_payload_cut", v[:OFF_B1 + BH + 10], 0,
        "offset %d: block 1 is cut short: %d payload bytes expected, 10 in the file" %
        (OFF_B1, len(v) - OFF_B1 - BH), EV0)
    add("first_block_cut", v[:OFF_B0 + 50], 0, "offset %d: file ends inside a block header" % OFF_B0, 0)
    add("first_payload_cut", v[:OFF_B0 + BH + 50], 0, "offset %d: block 0 is cut short" % OFF_B0, 0)
    add("no_end_mark", v[:OFF_B1], 0, "the recording ends at offset %d without its end mark" % OFF_B1, EV0)
    add("payload_crc", flip(v, OFF_B0 + BH + 7), 1, "offset %d: block 0: payload CRC32" % (OFF_B0 + BH))
    add("payload_crc_block1", flip(v, OFF_B1 + BH + 8), 1, "offset %d: block 1: payload CRC32" % (OFF_B1 + BH), EV0)
    add("block_header_crc", flip(v, OFF_B0 + 12), 1, "offset %d: block 0: header CRC32" % OFF_B0)
    add("block_magic", v[:OFF_B0] + b"PLBX" + v[OFF_B0 + 4:], 1,
        "offset %d: block 0: expected the block magic PLBK" % OFF_B0)
    add("block_seq", v[:OFF_B1] + block(B1, 7), 1, "offset %d: block number 7, expected 1" % OFF_B1)
    add("block_dup", v[:OFF_B1] + block(B0, 0), 1, "offset %d: block number 0, expected 1" % OFF_B1)
    # The chain (a writer that fixed every CRC): what changed before a block is found at that block.
    # (file_header() and block(...): the block as the writer chains it after that header, on its own.)
    evil = [record(EVENT, ev_exec(T + 2000, 200, 100, "sh", b"/bin/sh", [b"sh", b"-c", b"innocent"], CHILD_START))]
    altered = B0[:-3] + evil + B0[-2:]
    b1 = file_header() and block(B0, 0) and block(B1, 1)  # block 1 as it follows the true block 0
    add("chain_block_altered", file_header() + block(altered, 0) + b1, 1,
        "offset %d: block 1: chain hash" % (HS + len(file_header() and block(altered, 0))), EV0)
    add("chain_header_altered", file_header(flags=1) + v[HS:], 1, "offset %d: block 0: chain hash" % HS, 0)
    three = file_header() + block(B0, 0) + block(B1[:3], 1) + block(B1[3:], 2)
    last = bytearray(three[OFF_B1 + len(block(B1[:3], 1)):])  # block 2 renumbered 1: a block removed, seq fixed
    pack_into(last, "rec_block_hdr", "seq", 1)
    pack_into(last, "rec_block_hdr", "hdr_crc", crc(bytes(last[:offset_of("rec_block_hdr", "hdr_crc")])))
    add("chain_block_removed", three[:OFF_B1] + bytes(last), 1, "offset %d: block 1: chain hash" % OFF_B1, EV0)
    key = b"k" * 32
    add("sealed_valid", file_header(key=key) + block(B0, 0) + block(B1, 1), 0, None, EV0 + EV1)
    garbage = bytes((i * 151 + 7) & 0xFF for i in range(300))
    add("deflate_garbage", file_header() + block(B0, 0, payload=garbage), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes (invalid" % (HS + BH, len(RAW0)))
    add("deflate_empty", file_header() + block(B0, 0, payload=deflate(b"")), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes (wrong size)" % (HS + BH, len(RAW0)))
    add("deflate_zlib_wrapped", file_header() + block(B0, 0, payload=zlib.compress(RAW0, 1)), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes" % (HS + BH, len(RAW0)))
    add("deflate_cut", file_header() + block(B0, 0, payload=deflate(RAW0)[:200]), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes (the stream is cut short)"
        % (HS + BH, len(RAW0)))
    add("deflate_left_over", file_header() + block(B0, 0, payload=deflate(RAW0) + b"\0" * 8), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes (bytes left over)" % (HS + BH, len(RAW0)))
    add("raw_len_huge", file_header() + block(B0, 0, raw_len=0xFFFFFFF8), 1,
        "offset %d: block 0: 4294967288 uncompressed bytes, expected a multiple of 8 up to 4194304" % HS)
    add("raw_len_odd", file_header() + block(B0, 0, raw_len=len(RAW0) - 4), 1,
        "offset %d: block 0: %d uncompressed bytes, expected a multiple of 8" % (HS, len(RAW0) - 4))
    add("raw_len_short", file_header() + block(B0, 0, raw_len=len(RAW0) - 8), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes (more data than that)"
        % (HS + BH, len(RAW0) - 8))
    add("raw_len_long", file_header() + block(B0, 0, raw_len=len(RAW0) + 8), 1,
        "offset %d: block 0: deflate data does not inflate to exactly %d bytes (wrong size)" % (HS + BH, len(RAW0) + 8))
    add("payload_len_huge", file_header() + block(B0, 0, payload_len=0x7FFFFFFF), 1,
        "offset %d: block 0: 2147483647 compressed bytes, expected 1 to" % HS)
    add("payload_len_zero", file_header() + block(B0, 0, payload_len=0), 1,
        "offset %d: block 0: 0 compressed bytes, expected 1 to" % HS)
    n0 = len(B0)
    add("nrecords_more", file_header() + block(B0, 0, nrecords=n0 + 1) + block(B1, 1), 1,
        "offset %d: block 0 holds %d records, its header says %d" % (HS, n0, n0 + 1))
    add("nrecords_fewer", file_header() + block(B0, 0, nrecords=n0 - 1) + block(B1, 1), 1,
        "offset %d: block 0 holds more records than its header's %d" % (HS, n0 - 1))
    add("nrecords_absurd", file_header() + block(B0, 0, nrecords=0xFFFFFFFF), 1,
        "offset %d: block 0: 4294967295 records in %d bytes" % (HS, len(RAW0)))
    add("nrecords_zero", file_header() + block(B0, 0, nrecords=0), 1, "offset %d: block 0: 0 records in" % HS)
    # Records that lie about themselves (block 0: META, SNAP_BEGIN, 4 SNAP_PROC, SNAP_END, events).
    i = n0 - 1
    recs = B0[:i] + [pack("rec_hdr", size=0, kind=EVENT)] + B0[i + 1:]
    add("record_size_0", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: record size 0, expected 8 to" % (HS, at_in_b0(i)))
    big = pack("rec_hdr", size=1 << 20, kind=EVENT) + B0[i][8:]
    recs = B0[:i] + [big] + B0[i + 1:]
    add("record_size_beyond_block", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: record size 1048576, expected 8 to %d" % (HS, at_in_b0(i), len(B0[i])))
    bad = snap_proc(100, 1, "bash", [b"-bash"], cmdline_len=64)
    recs = B0[:4] + [bad] + B0[5:]
    add("snap_cmdline_len", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: process entry's cmdline length does not match its record" % (HS, at_in_b0(4)))
    ex = bytearray(ev_exec(T, 300, 1, "x", b"/bin/x", [b"x"]))
    pack_into(ex, "pl_exec", "filename_len", 5000)  # past the record
    recs = B0[:n0] + [record(EVENT, bytes(ex))]
    add("event_bad_len", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: malformed event" % (HS, at_in_b0(n0)))
    recs = B0[:n0] + [record(EVENT, ev_fork(T, 1, 0, "x", 2, 3)[:60])]
    add("event_short", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: record too short for its kind" % (HS, at_in_b0(n0)))
    evt = bytearray(ev_fork(T, 1, 0, "x", 2, 3))
    pack_into(evt, "pl_hdr", "type", 42)
    recs = B0[:n0] + [record(EVENT, bytes(evt))]
    add("event_bad_type", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: malformed event" % (HS, at_in_b0(n0)))
    recs = B0 + [END_REC, rtime(TICK, T + 5)]
    add("after_end", file_header() + block(recs, 0), 1,
        "offset %d: block 0, byte %d: a record after the end mark" % (HS, at_in_b0(n0 + 1, recs)))
    add("block_after_end", valid() + block(EVENTS_0, 2), 1,
        "offset %d: block 2, byte 0: a record after the end mark" % len(valid()))
    add("lost_bad_type", file_header() + block(B0 + [record(LOST, lost(T, 1, 99))], 0), 1,
        "offset %d: block 0, byte %d: lost record for an unknown event type" % (HS, len(RAW0)))
    # Records in the wrong place: the replay (session/replay.c) refuses them, at the end of their block.
    def near_end(name, recs, what):
        data = file_header() + block(recs, 0)
        add(name, data, 1, "near offset %d: %s" % (len(data), what))

    near_end("snap_proc_outside", B0 + [snap_proc(7, 1, "x", [b"x"])], "a process entry outside a snapshot")
    near_end("snap_nested", [META_0] + BOOT[:2] + BOOT, "a snapshot starts inside another")
    near_end("snap_end_alone", B0 + [rtime(SNAP_END, T + 9)], "a snapshot ends that never began")
    # Hostile but well-formed: replayed, never trusted (exit 0).
    add("valid", v, 0, None, EV0 + EV1)
    add("unknown_kind", file_header() + block(B0[:5] + [record(200, b"from the future\0")] + B0[5:], 0) +
        block(B1, 1), 0, None, EV0 + EV1)
    # A kind in a hole of the numbers this reader knows (13), empty: skipped, never read as one.
    add("kind_hole_empty", file_header() + block(B0[:5] + [record(13, b"")] + B0[5:], 0) + block(B1, 1), 0, None,
        EV0 + EV1)
    # A failing disk's gap: said, and the snapshot after it applied (exit 0).
    add("gap_marked", file_header() + block(B0, 0) + block(GAP_B1, 1), 0,
        "its recorder could not write (ENOSPC): 42 events are not in the recording", EV0 + EV1)
    add("gap_short", file_header() + block(B0 + [record(GAP, pack("rec_gap", ts=T)[:24])], 0), 1,
        "offset %d: block 0, byte %d: record too short for its kind" % (HS, len(RAW0)))
    add("minor_newer", file_header(minor=7, extra=b"\xee" * 8) + block(B0, 0) + block(B1, 1), 0, None,
        EV0 + EV1)
    add("absurd_counts", file_header() + block(
        [META_0] + snapshot(START_NS, BOOT[1:-1], count=0xFFFFFFFF) +
        [record(LOST, lost(T, 0xFFFFFFFFFFFFFFFF, FORK)),
         record(LOST, lost(T, 0xFFFFFFFFFFFFFFFF, FORK)), END_REC], 0), 0, None)
    hostile = [
        record(META, pack("rec_time", ts=T) + b"no terminating nul"),
        record(EVENT, ev_exec(T, 100, 1, b"\xff\x1b[2J\x00zz\x7f\x80\xc3\x28ab\x01", b"/bin/\x1b[31m\xff",
                              [b"\xe2\x82", b"\x00", b"\"\\", b"\x1b]0;pwned\x07"])),
        record(EVENT, ev_rename(T + 1, 100, 1, b"A" * 16, b"B" * 16)),  # comms with no NUL
        record(EVENT, ev_fork(T + 2, 100, 1, "bash", 100, START_NS - 10**11)),  # forks itself
        record(EVENT, ev_fork(T + 3, 0xFFFFFFFF, 0xFFFFFFFF, "x", 0, 0)),
        record(EVENT, ev_exit(T + 4, 1, 0, "init", 0xFFFFFFFF)),
        record(EVENT, ev_reap(T + 5, 100, 1, "bash", 0x7F, 100, "bash")),  # reaps itself
        record(EVENT, ev_signal(T + 6, 100, 1, "bash", -5, 0, "", result=0xFFFF)),
        record(EVENT, ev_deliver(T + 7, 100, 1, "bash", 1000, action=99)),
        rtime(TICK, 0xFFFFFFFFFFFFFFFF),
        rtime(TICK, 0),
        END_REC,
    ]
    add("hostile_values", file_header() + block([META_0] + BOOT + hostile, 0), 0, None)
    cycle = snapshot(START_NS, [
        snap_proc(10, 11, "a", [b"a"]), snap_proc(11, 10, "b", [b"b"]),  # each the other's parent
        snap_proc(12, 12, "self", [b"self"]),  # its own parent
        snap_proc(13, 13, "dup", [b"dup"]), snap_proc(13, 1, "dup", [b"dup2"]),  # the same pid twice
        snap_proc(0, 0, "zero", None), snap_proc(0xFFFFFFFF, 0xFFFFFFFF, "max", [b""] * 3),
        snap_proc(14, 10, "z", None, state=b"Z"),
    ])
    add("snap_cycle", file_header() + block([META_0] + cycle + [
        record(EVENT, ev_fork(T, 10, 11, "a", 11, START_NS - 11 * 10**9)),
        record(EVENT, ev_exit(T + 1, 11, 10, "b", 9)),
        record(EVENT, ev_reap(T + 2, 10, 11, "a", 0, 11, "b")),
        rtime(TICK, T + 100 * 10**9), END_REC], 0), 0, None)
    # Every record in a block of its own: snapshots span blocks (their cmdlines must be copied).
    add("one_record_blocks", file_header() + b"".join(block([r], i) for i, r in enumerate(B0 + B1)), 0, None,
        EV0 + EV1)
    # Format 1.x, read by this one: events get the 2.0 header part, unknown.
    legacy = [to_1x(B0), to_1x(B1)]
    add("legacy_valid", file_header(major=1, minor=1) + block(legacy[0], 0) + block(legacy[1], 1), 0, None,
        sum(1 for b in legacy for r in b if r[4] == EVENT))
    short = to_1x(B0[:n0]) + [record(EVENT, ev_fork(T, 1, 0, "x", 2, 3)[:72])]
    add("legacy_event_short", file_header(major=1, minor=1) + block(short, 0), 1,
        "offset 64: block 0, byte %d: record too short for its kind" % sum(len(r) for r in short[:-1]))
    add("legacy_block_cut", (file_header(major=1, minor=1) + block(to_1x(B0), 0))[:64 + 20], 0,
        "offset 64: file ends inside a block header (20 of 32 bytes)", 0)
    # Cgroup and container records (2.0's minor additions): checked like the rest, names never trusted.
    add("containers_valid", file_header() + block(B0_CT, 0) + block(B1, 1), 0, None, EV0 + EV1)
    for name, rec, why in [
            ("cgroup_bad_len", cgroup(T, CG_V1, 7, b"/docker", path_len=3),
             "cgroup record's lengths do not match its record"),
            ("cgroup_bad_hier", cgroup(T, 7, 7, b"/docker"), "cgroup record of an unknown hierarchy"),
            ("cgroup_not_path", cgroup(T, CG_V2, 7, b"docker"), "cgroup record's path is not a path"),
            ("cgroup_nul_in_path", cgroup(T, CG_V2, 7, b"/dock\0er"), "cgroup record's path is not a path"),
            ("cgroup_short", record(CGROUP, b"\0" * 20), "record too short for its kind")]:
        recs = B0 + [rec]
        add(name, file_header() + block(recs, 0), 1,
            "offset %d: block 0, byte %d: %s" % (HS, at_in_b0(len(B0), recs), why))
    hostile_ct = [
        container(T, [b"cgroup=/docker/" + b"e" * 64, b"runtime=docker", b"id=" + b"e" * 64,
                      b"name=\x1b]0;pwned\x07\xff" + b"n" * 400, b"image=" + b"i" * 2000, b"bogus"]),
        record(CONTAINER, pack("rec_time", ts=T) + b"cgroup=/docker/x\0runtime=\xff\0no terminating nul"),
        container(T, [b"runtime=docker", b"id=nocgroup"]),  # no cgroup: not a container, ignored
        container(T, [b"cgroup=relative", b"id=x"]),
        cgroup(T, CG_V2, 1, b"/"),
        cgroup(T, CG_V2, 1, b"/not/the/first", pids=[0xFFFFFFFF, 0, 100]),  # an id said twice: the first stays
        END_REC,
    ]
    add("containers_hostile", file_header() + block([META_0] + BOOT + hostile_ct, 0), 0, None)
    return out


def to_1x(recs):
    """Records as format 1.x wrote them: each event without the part of the header that 2.0 added, an exec
    without its paths and credentials (a pad before its data), no cred event (2.0's)."""
    out, cut = [], size_of("pl_hdr", upto="cgroup1_id")
    for r in recs:
        size, kind = struct.unpack_from("<IH", r)
        if kind == EVENT:
            body = r[8:size]
            typ = unpack_field(body, "pl_hdr", "type")
            if typ == CRED:
                continue
            if typ == EXEC:
                body = body[:offset_of("pl_exec", "cwd_len")] + bytes(4) + body[size_of("pl_exec"):]
            r = record(EVENT, body[:cut] + body[size_of("pl_hdr"):])
        out.append(r)
    return out


# Text a terminal acts on, or that reads differently from what it is: what a recording (made by anyone,
# of processes anyone names) may carry in every string. The views must show all of it escaped.
ESC_TITLE = b"\x1b]0;pwned\x07"  # OSC 0: retitles the terminal
ESC_CLEAR = b"\x1b[2J"  # CSI 2 J: clears it
BIDI = b"\xe2\x80\xae"  # U+202E RIGHT-TO-LEFT OVERRIDE
ZWSP = b"\xe2\x80\x8b"  # U+200B ZERO WIDTH SPACE
TAG_A = b"\xf3\xa0\x81\x81"  # U+E0041 TAG LATIN CAPITAL LETTER A: invisible
C1_CSI = b"\xc2\x9b"  # U+009B: CSI on 8-bit terminals
HOSTILE = ESC_TITLE + ESC_CLEAR + BIDI + b"txt.exe" + ZWSP + C1_CSI + b"31m\xff\xfe\nproclife: fake" + TAG_A
HOSTILE_COMM = b"\x1b[2J" + BIDI + b"ab\xc2\x9b\x07\xff\n"  # 15 bytes: a comm as the kernel keeps it
HOSTILE_ARGV = [b"ls", BIDI + b"gpj.exe", ZWSP + b"rm", ESC_TITLE + ESC_CLEAR, C1_CSI + b"31m", b"\xff\xfe",
                TAG_A + b"x", b"a\nb", b"\"\\"]


def hostile_text(run=False):
    """A valid recording whose every string is hostile (HOSTILE*): META (hostname, command, feature reasons,
    one ending in its colon), comms, filenames, argv, snapshot cmdlines; events of every kind, a zombie, a
    stopped process. run: as `proclife run -w` writes it (the followed command is 510)."""
    pid, kid, zomb = 500, 510, 511
    born, zborn = T, T + 60  # the children's start times: at their forks
    killer = pack("pl_killer", ts=T + 40, sig=15, pid=pid, tid=pid, syscall=1, comm=HOSTILE_COMM)
    recs = [
        meta(START_NS, [b"proclife=0.1.0", b"hostname=" + ESC_TITLE + b"host" + BIDI, b"kernel=6.1.0" + ESC_CLEAR,
                        b"command=proclife record -w " + HOSTILE, b"feature.core=on",
                        b"feature.delivery=off: " + ESC_TITLE + ESC_CLEAR, b"feature.syscalls=off:",
                        b"feature.rename=reduced: " + BIDI + b"deifidom" + ZWSP,
                        b"feature.oom=off: \xff\xfe\nproclife: fake line" + C1_CSI]),
    ] + snapshot(START_NS, [
        snap_proc(1, 0, "systemd", [b"/sbin/init"]),
        snap_proc(pid, 1, HOSTILE_COMM, HOSTILE_ARGV, uid=1000),
        snap_proc(501, pid, HOSTILE_COMM, None, state=b"Z", uid=1000),
        snap_proc(502, pid, HOSTILE_COMM, [HOSTILE], state=b"T", uid=1000),
    ]) + ([record(RUN_START, pack("rec_run_start", ts=T, pid=kid))] if run else []) + [
        record(EVENT, ev_fork(T, pid, 1, HOSTILE_COMM, kid, born)),
        record(EVENT, ev_exec_failed(T + 10, kid, pid, HOSTILE_COMM, HOSTILE, 2, born)),
        record(EVENT, ev_exec(T + 20, kid, pid, HOSTILE_COMM, b"/tmp/" + HOSTILE, HOSTILE_ARGV, born)),
        record(EVENT, ev_rename(T + 25, kid, pid, HOSTILE_COMM, BIDI + b"\x1b[31m" + ZWSP + b"x", born)),
        record(EVENT, ev_signal(T + 30, pid, 1, HOSTILE_COMM, 15, kid, HOSTILE_COMM)),
        record(EVENT, ev_deliver(T + 31, kid, pid, HOSTILE_COMM, 15, action=2, start_ns=born)),
        record(EVENT, pack("pl_exit", upto="usage", h=ev_hdr(EXIT, T + 40, kid, pid, HOSTILE_COMM, born),
                           status=15, killer=killer)),
        record(EVENT, ev_reap(T + 50, kid, pid, HOSTILE_COMM, 15, pid, HOSTILE_COMM, born)),
        record(EVENT, ev_fork(T + 60, pid, 1, HOSTILE_COMM, zomb, zborn)),
        record(EVENT, ev_exec(T + 70, zomb, pid, HOSTILE_COMM, HOSTILE, [HOSTILE, HOSTILE], zborn)),
        record(EVENT, ev_exit(T + 80, zomb, pid, HOSTILE_COMM, 5 << 8, zborn)),  # never reaped
        rtime(TICK, T + 10 * 10**9),  # a zombie for 10 s
    ] + ([record(RUN_END, pack("rec_run_end", ts=T + 10 * 10**9 + 1, pid=kid, exit_code=143, status=15)),
          ] + snapshot(T + 10 * 10**9 + 2, [snap_proc(pid, 1, HOSTILE_COMM, HOSTILE_ARGV, uid=1000)], reason=3)
        if run else []) + [rtime(END, T + 10 * 10**9 + 3)]
    return file_header(flags=1 if run else 0) + block(recs, 0)


def seeds():
    """(name, bytes): valid inputs for the fuzzer."""
    out = [("valid.plr", valid()),
           ("run.plr", file_header(flags=1) + block(
               [META_0, record(RUN_START, pack("rec_run_start", ts=T, pid=200))] + BOOT + EVENTS_0 + EVENTS_1 +
               [record(RUN_END, pack("rec_run_end", ts=T + 5 * 10**7, pid=200, exit_code=3, status=3 << 8))] +
               snapshot(T + 5 * 10**7, BOOT[1:-1], reason=3) + [END_REC], 0)),
           ("gap.plr", file_header() + block(B0, 0) + block(GAP_B1, 1)),
           ("containers.plr", file_header() + block(B0_CT, 0) + block(B1, 1)),
           ("hostile_text.plr", hostile_text()),
           ("hostile_run.plr", hostile_text(run=True)),
           ("valid.raw", raw_input(B0 + B1)),
           ("blocks.raw", raw_input(B0 + B1, per_block=3))]
    return out


def main():
    here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for sub in ("corpus", "damaged"):
        d = os.path.join(here, sub)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.endswith((".plr", ".raw", ".expect")):
                os.unlink(os.path.join(d, f))
    for name, data in seeds():
        with open(os.path.join(here, "corpus", name), "wb") as f:
            f.write(data)
    names = set()
    for name, data, rc, err, events in damaged():
        assert name not in names, name
        names.add(name)
        with open(os.path.join(here, "damaged", name + ".plr"), "wb") as f:
            f.write(data)
        with open(os.path.join(here, "damaged", name + ".expect"), "w") as f:
            f.write("exit: %d\nstderr: %s\n" % (rc, "-" if err is None else err))
            if events is not None:
                f.write("events: %d\n" % events)
    print("%d seeds, %d damaged files" % (len(seeds()), len(names)))


if __name__ == "__main__":
    main()
