#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Writes the golden corpus's own recordings, deterministically, in the format
of docs/RECORDING.md 1.1 (through tests/fuzz/make_corpus.py's writer):

  recordings/family.plr     a whole-system recording of a small family: forks,
                            execs (one with its argv cut, one with a hostile
                            name), a failed exec, signals handled, ignored,
                            refused and fatal, a stop and a continue, a zombie
                            its parent never reaps, an orphan adopted by init,
                            a rename, lost events and a resync
  recordings/family.plr.1   the first piece of the same recording, rotated
                            (family.plr is then its second piece)
  recordings/run.plr        a `proclife run -w` recording (REC_F_FOLLOW)

They are committed: a later format must still read them (they are the
"old recordings" of every format change after 1.1). Run this again only to
add recordings, never to rewrite the existing ones.

Usage: tests/golden/make_recordings.py [OUTDIR]  (default: recordings/ here)
"""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
import make_corpus as mc  # noqa: E402
from make_corpus import (END, EVENT, LOST, RUN_END, RUN_START, TICK, block, ev_deliver, ev_exec,  # noqa: E402
                         ev_exec_failed, ev_exit, ev_fork, ev_rename, ev_reap, ev_signal, meta, record, rtime,
                         snap_proc, snapshot)

mc.use_format(1)  # these are the recordings of format 1.1: later formats must read them
S = mc.START_NS
MS = 10**6
BOOT_ID = bytes(range(16))


def header(seq=0, flags=0, start_ns=S):
    return mc.file_header(major=1, minor=1, flags=flags, seq=seq, start_ns=start_ns, boot_id=BOOT_ID)


T = S + 10 * MS
T2 = S + 1000 * MS
# The processes born during the recording: their start times (at their forks).
BORN = {400: T, 401: T + MS, 402: T + 2 * MS, 403: T2 + MS}


def st(pid):
    return BORN.get(pid, mc.start_of(pid))


def ev(body):
    """A kernel event whose subject's start time is its real one (make_corpus's helpers guess from the pid)."""
    e = bytearray(body)
    mc.pack_into(e, "pl_hdr", "start_ns", st(mc.unpack_field(e, "pl_hdr", "pid")))
    return record(EVENT, bytes(e))


def ev_exec_cut(ts, pid, ppid, name, filename, argv, size, start_ns):
    """An exec whose argv was cut at the recorder's cap (PL_F_ARGS_TRUNCATED)."""
    e = bytearray(ev_exec(ts, pid, ppid, name, filename, argv, start_ns))
    mc.pack_into(e, "pl_hdr", "flags", mc.unpack_field(e, "pl_hdr", "flags") | (1 << 1))
    mc.pack_into(e, "pl_exec", "args_size", size)  # the whole area
    return bytes(e)


BOOT = snapshot(S, [
    snap_proc(1, 0, "systemd", [b"/sbin/init"]),
    snap_proc(2, 0, "kthreadd", None, kthread=1),
    snap_proc(300, 1, "sshd", [b"sshd: admin [priv]"]),
    snap_proc(310, 300, "bash", [b"-bash"], uid=1000),
    snap_proc(320, 310, "sleep", [b"sleep", b"600"], uid=1000),
])

PIECE_0 = [  # the first piece: the family is born
    meta(S, [b"proclife=0.1.0", b"hostname=golden", b"kernel=6.1.0", b"command=proclife record -w family.plr",
             b"feature.core=on", b"feature.signals=on", b"feature.delivery=reduced: golden test: no why",
             b"feature.syscalls=off: golden test: off"]),
] + BOOT + [
    ev(ev_fork(T, 310, 300, "bash", 400, st(400))),
    ev(ev_exec_failed(T + 1, 400, 310, "bash", b"/usr/local/bin/make", 2, st(400))),
    ev(ev_exec(T + 2, 400, 310, "make", b"/usr/bin/make", [b"make", b"-j2", b"all"], st(400))),
    ev(ev_fork(T + MS, 400, 310, "make", 401, st(401))),
    ev(ev_exec_cut(T + MS + 1, 401, 400, "cc", b"/usr/bin/cc",
                              [b"cc", b"-c", b"-o", b"a.o", b"a.c", b"-DLONG=" + b"x" * 40], 9000, st(401))),
    ev(ev_fork(T + 2 * MS, 400, 310, "make", 402, st(402))),
    ev(ev_exec(T + 2 * MS + 1, 402, 400, "\x1b[2Jevil", b"/tmp/\x1b]0;pwned\x07x",
                          [b"evil", b"\xe2\x80\xaeharmless", b"tab\there"], st(402))),
    rtime(TICK, T + 3 * MS),
    ev(ev_signal(T + 4 * MS, 310, 300, "bash", 19, 320, "sleep")),
    ev(ev_deliver(T + 4 * MS + 1, 320, 310, "sleep", 19, action=0, start_ns=mc.start_of(320))),
    ev(ev_rename(T + 5 * MS, 401, 400, "cc", "cc1", st(401))),
    ev(ev_exit(T + 6 * MS, 401, 400, "cc1", 0, st(401))),
    ev(ev_reap(T + 6 * MS + 1, 401, 400, "cc1", 0, 400, "make", st(401))),
    rtime(END, T + 7 * MS),
]

PIECE_1 = [  # the second piece (after a rotation): trouble
    meta(T2, [b"proclife=0.1.0", b"hostname=golden", b"kernel=6.1.0", b"command=proclife record -w family.plr",
              b"feature.core=on", b"feature.signals=on"]),
] + snapshot(T2, [
    snap_proc(1, 0, "systemd", [b"/sbin/init"]),
    snap_proc(2, 0, "kthreadd", None, kthread=1),
    snap_proc(300, 1, "sshd", [b"sshd: admin [priv]"]),
    snap_proc(310, 300, "bash", [b"-bash"], uid=1000),
    snap_proc(320, 310, "sleep", [b"sleep", b"600"], state=b"T", uid=1000),
    snap_proc(400, 310, "make", [b"make", b"-j2", b"all"], start_ns=st(400)),
    snap_proc(402, 400, "evil", [b"evil"], start_ns=st(402)),
], reason=2) + [
    ev(ev_fork(T2 + MS, 402, 400, "evil", 403, st(403))),
    ev(ev_exec(T2 + MS + 1, 403, 402, "sh", b"/bin/sh", [b"sh", b"-c", b"exit 7"], st(403))),
    ev(ev_exit(T2 + 2 * MS, 403, 402, "sh", 7 << 8, st(403))),  # a zombie: 402 never waits
    ev(ev_signal(T2 + 3 * MS, 310, 300, "bash", 18, 320, "sleep")),
    ev(ev_deliver(T2 + 3 * MS + 1, 320, 310, "sleep", 18, action=0, start_ns=mc.start_of(320))),
    ev(ev_signal(T2 + 4 * MS, 310, 300, "bash", 1, 400, "make", result=1)),  # ignored
    ev(ev_signal(T2 + 5 * MS, 310, 300, "bash", 9, 1, "systemd", result=5)),  # refused
    ev(ev_signal(T2 + 6 * MS, 310, 300, "bash", 9, 400, "make")),
    ev(ev_exit(T2 + 6 * MS + 1, 400, 310, "make", 9, st(400), killer_sig=9, killer_pid=310)),
    ev(ev_reap(T2 + 6 * MS + 2, 400, 310, "make", 9, 310, "bash", st(400))),
    record(LOST, mc.lost(T2 + 7 * MS, 2, mc.EXEC)),
    rtime(TICK, T2 + 8 * MS),
] + snapshot(T2 + 8 * MS + 1, [
    snap_proc(1, 0, "systemd", [b"/sbin/init"]),
    snap_proc(2, 0, "kthreadd", None, kthread=1),
    snap_proc(300, 1, "sshd", [b"sshd: admin [priv]"]),
    snap_proc(310, 300, "bash", [b"-bash"], uid=1000),
    snap_proc(320, 310, "sleep", [b"sleep", b"600"], uid=1000),
    snap_proc(402, 1, "evil", [b"evil"], start_ns=st(402)),  # orphaned: adopted by init
    snap_proc(403, 402, "sh", None, state=b"Z", start_ns=st(403)),
], reason=1) + [
    rtime(TICK, T2 + 20000 * MS),
    rtime(END, T2 + 20000 * MS + 1),
]

RUN = [
    meta(S, [b"proclife=0.1.0", b"hostname=golden", b"kernel=6.1.0", b"command=proclife run -w run.plr -- make"]),
] + BOOT + PIECE_0[1 + len(BOOT):2 + len(BOOT)] + [record(RUN_START, mc.pack("rec_run_start", ts=T, pid=400))] + \
    PIECE_0[2 + len(BOOT):-1] + [
    ev(ev_exit(T + 7 * MS, 402, 400, "evil", 1 << 8, st(402))),
    ev(ev_reap(T + 7 * MS + 1, 402, 400, "evil", 1 << 8, 400, "make", st(402))),
    ev(ev_exit(T + 8 * MS, 400, 310, "make", 2 << 8, st(400))),
    record(RUN_END, mc.pack("rec_run_end", ts=T + 8 * MS + 2, pid=400, exit_code=2, status=2 << 8)),
] + snapshot(T + 8 * MS + 3, BOOT[1:-1], reason=3) + [rtime(END, T + 8 * MS + 4)]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "recordings")
    os.makedirs(out, exist_ok=True)
    files = {
        "family.plr.1": header(seq=0) + block(PIECE_0[:8], 0) + block(PIECE_0[8:], 1),
        "family.plr": header(seq=1, start_ns=T2) + block(PIECE_1, 0),
        "run.plr": header(flags=1) + block(RUN, 0),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d recordings in %s" % (len(files), out))


if __name__ == "__main__":
    main()
