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
  recordings/containers.plr format 2.1: a hybrid host (cgroup v1 beside v2) with
                            containers: Docker's in the v1 hierarchy only (two of one
                            image; one named again after its removal; one its state
                            could not name), Podman's in both (a hostile name), a
                            Kubernetes pod's; a docker exec, a kill from the host into
                            a container, a container's init leaving zombies

They are committed: a later format must still read them (they are the
"old recordings" of every format change after 1.1). Run this again only to
add recordings, never to rewrite the existing ones.

Usage: tests/golden/make_recordings.py [OUTDIR]  (default: recordings/ here)
"""
import hashlib
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


def cid(name):
    """A container's 64-hex id."""
    return hashlib.sha256(name.encode()).hexdigest().encode()


def containers():
    """recordings/containers.plr (format 2.1)."""
    mc.use_format(2)
    try:
        return mc.file_header(minor=1, start_ns=S, boot_id=BOOT_ID) + block(containers_records(), 0)
    finally:
        mc.use_format(1)


def containers_records():
    d1, d2, d3, pm, k8, t1, t2 = (cid(n) for n in ("web", "cache", "unnamed", "podman", "k8s-app", "tmp-1", "tmp-2"))
    pod_uid = b"2b1f7c4e-5d0a-4f3e-9c1b-7a6d5e4f3c2b"
    kpath = b"/kubepods/besteffort/pod" + pod_uid + b"/" + k8
    v2 = {1: b"/", 30: b"/system.slice/docker.service", 31: b"/system.slice/ssh.service",
          40: b"/libpod_parent/libpod-" + pm, 41: b"/libpod_parent/conmon"}
    v1 = {1: b"/", 101: b"/system.slice/ssh.service", 102: b"/system.slice/docker.service", 110: b"/docker/" + d1,
          111: b"/docker/" + d2, 112: b"/docker/" + d3, 120: kpath, 130: b"/libpod_parent/libpod-" + pm,
          131: b"/libpod_parent/conmon"}
    # Where each process is: (v2 id, v1 id). Docker here uses the v1 hierarchies only: at the v2 root.
    HOST, SSH, DOCKERD = (1, 1), (31, 101), (30, 102)
    D1, D2, D3, PM, CONMON, K8 = (1, 110), (1, 111), (1, 112), (40, 130), (41, 131), (1, 120)
    where = {1: HOST, 2: HOST, 300: SSH, 310: SSH, 500: DOCKERD, 501: D1, 502: D1, 510: DOCKERD, 511: D2,
             520: CONMON, 521: PM, 530: DOCKERD, 531: K8, 540: DOCKERD, 541: D3}
    born = {600: T, 601: T + 2 * MS, 503: T + 10 * MS, 700: T + 20 * MS, 701: T + 30 * MS, 532: T + 40 * MS}

    def at(body, cg, start=None):
        e = bytearray(body)
        pid = mc.unpack_field(e, "pl_hdr", "pid")
        mc.pack_into(e, "pl_hdr", "start_ns", start or born.get(pid, mc.start_of(pid)))
        mc.pack_into(e, "pl_hdr", "cgroup_id", cg[0])
        mc.pack_into(e, "pl_hdr", "cgroup1_id", cg[1])
        return record(EVENT, bytes(e))

    def scan_cgroups(ts):
        out = []
        for hier, ids, k in ((mc.CG_V2, v2, 0), (mc.CG_V1, v1, 1)):
            for cg_id, path in sorted(ids.items()):
                pids = sorted(p for p, w in where.items() if w[k] == cg_id)
                if pids:
                    out.append(mc.cgroup(ts, hier, cg_id, path, pids))
        return out

    def named(ts, path, rt, ident, name, image, *more):
        return mc.container(ts, [b"cgroup=" + path, b"runtime=" + rt, b"id=" + ident, b"name=" + name,
                                 b"image=" + image] + list(more))

    boot = snapshot(S, [
        snap_proc(1, 0, "systemd", [b"/sbin/init"]),
        snap_proc(2, 0, "kthreadd", None, kthread=1),
        snap_proc(300, 1, "sshd", [b"sshd: admin [priv]"]),
        snap_proc(310, 300, "bash", [b"-bash"], uid=1000),
        snap_proc(500, 1, "containerd-shim", [b"/usr/bin/containerd-shim-runc-v2", b"-id", d1]),
        snap_proc(501, 500, "nginx", [b"nginx: master process"]),
        snap_proc(502, 501, "nginx", [b"nginx: worker process"]),
        snap_proc(510, 1, "containerd-shim", [b"/usr/bin/containerd-shim-runc-v2", b"-id", d2]),
        snap_proc(511, 510, "nginx", [b"nginx: master process"]),
        snap_proc(520, 1, "conmon", [b"/usr/bin/conmon", b"--cid", pm]),
        snap_proc(521, 520, "app", [b"/app", b"--serve"]),
        snap_proc(530, 1, "containerd-shim", [b"/usr/bin/containerd-shim-runc-v2", b"-id", k8]),
        snap_proc(531, 530, "app", [b"/app"]),
        snap_proc(540, 1, "containerd-shim", [b"/usr/bin/containerd-shim-runc-v2", b"-id", d3]),
        snap_proc(541, 540, "sleep", [b"sleep", b"3600"]),
    ])
    return [
        meta(S, [b"proclife=0.1.0", b"hostname=golden", b"kernel=6.1.0", b"command=proclife record -w containers.plr",
                 b"feature.core=on", b"feature.signals=on", b"feature.delivery=on", b"cgroup1=pids"]),
    ] + boot + scan_cgroups(S) + [
        named(S, b"/docker/" + d1, b"docker", d1, b"web", b"nginx:1"),
        named(S, b"/docker/" + d2, b"docker", d2, b"cache", b"nginx:1"),  # one image, two containers
        named(S, b"/libpod_parent/libpod-" + pm, b"podman", pm, b"\x1b]0;pwned\x07evil-app",
              b"localhost/bb:1"),
        named(S, kpath, b"containerd", k8, b"app", b"registry.invalid/app:1", b"pod=web-pod",
              b"namespace=pltest-ns", b"pod_uid=" + pod_uid, b"container=app"),
        # docker exec: the shim's child joins the container from outside
        at(ev_fork(T, 500, 1, "containerd-shim", 600, T), DOCKERD),
        at(ev_exec(T + MS, 600, 500, "sh", b"/bin/sh", [b"sh", b"-c", b"ls /"]), D1),
        at(ev_fork(T + MS + 1, 600, 500, "sh", 601, T + 2 * MS), D1),
        at(ev_exec(T + 2 * MS + 1, 601, 600, "ls", b"/bin/ls", [b"ls", b"/"]), D1),
        at(ev_exit(T + 3 * MS, 601, 600, "ls", 0), D1),
        at(ev_reap(T + 3 * MS + 1, 601, 600, "ls", 0, 600, "sh"), D1),
        at(ev_exit(T + 4 * MS, 600, 500, "sh", 0), D1),
        at(ev_reap(T + 4 * MS + 1, 600, 500, "sh", 0, 500, "containerd-shim"), D1),
        # the container's init forks and never reaps; a kill from the host into it: two zombies
        at(ev_fork(T + 10 * MS, 501, 500, "nginx", 503, T + 10 * MS), D1),
        at(ev_exec(T + 10 * MS + 1, 503, 501, "nginx", b"/usr/sbin/nginx", [b"nginx", b"-s", b"reload"]), D1),
        at(ev_exit(T + 11 * MS, 503, 501, "nginx", 0), D1),
        at(ev_signal(T + 12 * MS, 310, 300, "bash", 15, 502, "nginx"), SSH),
        at(ev_deliver(T + 12 * MS + 1, 502, 501, "nginx", 15, action=0), D1),
        at(ev_exit(T + 12 * MS + 2, 502, 501, "nginx", 15, killer_sig=15, killer_pid=310), D1),
        # from a container to the host
        at(ev_signal(T + 13 * MS, 521, 520, "app", 10, 1, "systemd", result=1), PM),
        rtime(TICK, T + 14 * MS),
        # a name used again: the first "tmp" removed, a new one after it
        mc.cgroup(T + 19 * MS, mc.CG_V1, 113, b"/docker/" + t1),
        named(T + 19 * MS, b"/docker/" + t1, b"docker", t1, b"tmp", b"bb:1"),
        at(ev_fork(T + 20 * MS, 500, 1, "containerd-shim", 700, T + 20 * MS), DOCKERD),
        at(ev_exec(T + 20 * MS + 1, 700, 500, "true", b"/bin/true", [b"true"]), (1, 113)),
        at(ev_exit(T + 21 * MS, 700, 500, "true", 0), (1, 113)),
        at(ev_reap(T + 21 * MS + 1, 700, 500, "true", 0, 500, "containerd-shim"), (1, 113)),
        mc.cgroup(T + 29 * MS, mc.CG_V1, 114, b"/docker/" + t2),
        named(T + 29 * MS, b"/docker/" + t2, b"docker", t2, b"tmp", b"bb:2"),
        at(ev_fork(T + 30 * MS, 500, 1, "containerd-shim", 701, T + 30 * MS), DOCKERD),
        at(ev_exec(T + 30 * MS + 1, 701, 500, "sleep", b"/bin/sleep", [b"sleep", b"60"]), (1, 114)),
        # a container its runtime's state did not name (a rootless runtime's home): runtime and id
        mc.cgroup(T + 35 * MS, mc.CG_V2, 1, b"/"),
        at(ev_exec(T + 35 * MS + 1, 541, 540, "sleep", b"/bin/sleep", [b"sleep", b"3600"]), D3),
        # a Kubernetes pod's container
        at(ev_fork(T + 40 * MS, 531, 530, "app", 532, T + 40 * MS), K8),
        at(ev_exec(T + 40 * MS + 1, 532, 531, "date", b"/bin/date", [b"date"]), K8),
        at(ev_exit(T + 41 * MS, 532, 531, "date", 0), K8),
        at(ev_reap(T + 41 * MS + 1, 532, 531, "date", 0, 531, "app"), K8),
        rtime(TICK, T + 20000 * MS),
        rtime(END, T + 20000 * MS + 1),
    ]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "recordings")
    os.makedirs(out, exist_ok=True)
    files = {
        "family.plr.1": header(seq=0) + block(PIECE_0[:8], 0) + block(PIECE_0[8:], 1),
        "family.plr": header(seq=1, start_ns=T2) + block(PIECE_1, 0),
        "run.plr": header(flags=1) + block(RUN, 0),
        "containers.plr": containers(),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d recordings in %s" % (len(files), out))


if __name__ == "__main__":
    main()
