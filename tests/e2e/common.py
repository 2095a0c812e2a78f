# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
What the end-to-end suites of this directory (test_*.py) share: starting the
proclife under test and reading its output, strict JSON parsing, a checker
that collects "expected vs got" failures, /proc readers, bookkeeping that
kills and reaps whatever a subtest started, a tmux driver, and the runner
that prints one result line per subtest.

Not a suite itself (tests/run.sh runs tests/e2e/test_*.py): a suite does

    sys.dont_write_bytecode = True  # no __pycache__ next to the suites
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import common

and ends with `sys.exit(common.main(SUBTESTS, prefix="NAME_", subtest_timeout=N))`.

The runner's output protocol, one line per subtest:
    PASS e2e/<prefix><name>
    FAIL e2e/<prefix><name>     (after indented lines saying what differed)
    SKIP e2e/<prefix><name>: <why>
and the exit status is 1 if any subtest failed, else 0 (2 for a bad command line).

Python stdlib only.
"""
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib

BIN = None  # absolute path of the proclife binary under test: set by main() from argv[1]
MYPID = os.getpid()
NOBODY = 65534  # uid and gid of the unprivileged user the suites switch to

# What proclife prints.
READY_WATCH = b"proclife: tracing process lifecycle events, Ctrl-C to stop\n"  # `watch` is ready
TEXT_HEADER = "TIME         EVENT       PID     PPID    USER         TTY     COMM             CONTAINER           DETAILS"  # text events
# The capabilities by bit, as the JSON names them (include/uapi/linux/capability.h).
CAP_NAMES = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
             "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
             "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
             "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
             "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
             "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
             "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
             "CAP_CHECKPOINT_RESTORE"]

# Deadlines (seconds). Every wait has one.
READY_TIMEOUT = 15.0  # proclife attached and said so on stderr
STOP_TIMEOUT = 10.0  # proclife exits after SIGINT/SIGTERM
CHILD_TIMEOUT = 10.0  # a scenario process is set up / finishes
WAIT = 10.0  # a scenario state shows (a process started, a line on a screen)

ROOT = ("root",)  # the `needs` of a subtest that needs root; () when it needs nothing


# Recordings (user/record/recording.h), as the suites read them themselves (tests/abi/test_abi.py checks them).
REC_FILE_HDR = struct.Struct("<8sHHIQqIII16sI16s16s32s8sII")  # magic, major, minor, hdr_size, start_ns,
#    wall_offset_ns, flags, args_cap, seq, boot_id, crc, file_id, prev_file_id, prev_chain, key_id, seal, chain_crc
REC_BLOCK_HDR = struct.Struct("<IIIIQI32s32sI")  # magic, payload_len, raw_len, nrecords, seq, payload_crc, prev,
#                                                 seal, hdr_crc
REC_MAGIC = b"\x89PLREC\r\n"


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def rec_header(data):
    """A recording's file header (the first bytes of data) as a dict; Failure unless its magic and CRC32 hold."""
    if len(data) < REC_FILE_HDR.size:
        raise Failure("recording is %d bytes, shorter than its header" % len(data))
    (magic, major, minor, hdr_size, start_ns, wall_offset_ns, flags, args_cap, seq, boot_id,
     crc, file_id, prev_file_id, prev_chain, key_id, seal, chain_crc) = REC_FILE_HDR.unpack_from(data)
    if magic != REC_MAGIC:
        raise Failure("recording does not start with the magic: %r" % data[:16])
    if crc != zlib.crc32(data[:60]):
        raise Failure("recording header CRC32 0x%08x, computed 0x%08x" % (crc, zlib.crc32(data[:60])))
    if chain_crc != zlib.crc32(data[64:140]):
        raise Failure("recording header chain CRC32 0x%08x, computed 0x%08x" % (chain_crc, zlib.crc32(data[64:140])))
    return {"major": major, "minor": minor, "hdr_size": hdr_size, "start_ns": start_ns,
            "wall_offset_ns": wall_offset_ns, "flags": flags, "args_cap": args_cap, "seq": seq,
            "boot_id": boot_id, "start_wall": (start_ns + wall_offset_ns) / 1e9, "file_id": file_id,
            "prev_file_id": prev_file_id, "prev_chain": prev_chain, "key_id": key_id, "seal": seal}


class Failure(Exception):
    """The scenario could not be carried out (or proclife misbehaved so that it could not go on)."""


class Skip(Exception):
    """The subtest cannot run here; the message says why."""


class Timeout(Exception):
    """The per-subtest alarm went off."""


# --------------------------------------------------------------------------
# Assertions


def short(obj, n=600):
    """obj as one line of JSON, cut after n characters."""
    s = json.dumps(obj, ensure_ascii=True)
    return s if len(s) < n else s[:n] + "..."


def indent(text, prefix="    "):
    return "\n".join(prefix + ln for ln in text.split("\n"))


class Check:
    """Collects failures (a subtest goes on after one); the runner prints them before FAIL."""

    def __init__(self):
        self.fails = []

    def fail(self, msg):
        self.fails.append(msg)

    def ok(self, what, cond):
        """Fails with the message `what` unless cond holds; returns cond."""
        if not cond:
            self.fails.append(what)
        return cond

    def eq(self, what, expected, got):
        """expected == got, of the same type (1 is not True, 1.0 is not 1); returns whether they were."""
        if expected != got or type(expected) is not type(got):
            self.fails.append("%s:\n  expected %r\n  got      %r" % (what, expected, got))
            return False
        return True

    def one(self, what, items, explain=None):
        """Exactly one item; returns it, or None after recording the failure.
        explain: a callable giving more text for the failure message (only called then)."""
        if len(items) != 1:
            msg = "%s: expected exactly 1, got %d%s" % (
                what, len(items), "".join("\n  " + short(e) for e in items[:6]))
            if explain is not None:
                msg += "\n" + explain()
            self.fails.append(msg)
            return None
        return items[0]

    def fields(self, what, obj, expected):
        """Each key of expected is in obj with an equal value of the same type. obj None: nothing
        (the failure to find it was recorded already)."""
        if obj is None:
            return
        for k, v in expected.items():
            if k not in obj:
                self.fails.append("%s: field %r missing in %s" % (what, k, short(obj)))
            elif obj[k] != v or type(obj[k]) is not type(v):
                self.fails.append("%s: %s:\n  expected %r\n  got      %r\n  in %s"
                                  % (what, k, v, obj[k], short(obj)))


# --------------------------------------------------------------------------
# Strict JSON: no duplicate keys, no NaN/Infinity, valid UTF-8.


def _no_dup_keys(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def _no_constants(name):
    raise ValueError("non-JSON constant %s" % name)


def strict_json(text):
    """json.loads that rejects duplicate keys and NaN/Infinity (ValueError)."""
    return json.loads(text, object_pairs_hook=_no_dup_keys, parse_constant=_no_constants)


def parse_json(data, what):
    """One strict JSON document (UTF-8 bytes); Failure if it is not one."""
    try:
        return strict_json(data.decode("utf-8"))
    except ValueError as e:  # UnicodeDecodeError included
        raise Failure("%s is not strict JSON (%s): %r" % (what, e, data[:500]))


def whole_lines(data):
    """What a live proclife has printed so far, up to its last newline: a reader can catch a
    long line half written (a pipe delivers writes of over 4 KiB in pieces)."""
    return data[:data.rfind(b"\n") + 1]


def parse_json_lines(c, data, what="stdout"):
    """JSON lines (bytes): the whole valid UTF-8 ending with a newline, every line a strict JSON
    object with an "event" (an empty line is not one). Records a failure for each that is not;
    returns the objects that are."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        c.fail("%s is not valid UTF-8: %s (bytes %r)" % (what, e, data[max(0, e.start - 40):e.end + 40]))
        text = data.decode("utf-8", "replace")
    if not text:
        return []
    if text.endswith("\n"):
        lines = text[:-1].split("\n")
    else:
        c.fail("%s does not end with a newline: %r" % (what, text[-200:]))
        lines = text.split("\n")
    events = []
    for i, line in enumerate(lines):
        try:
            obj = strict_json(line)
        except ValueError as e:
            c.fail("%s line %d is not strict JSON (%s): %r" % (what, i + 1, e, line[:300]))
            continue
        if not isinstance(obj, dict) or "event" not in obj:
            c.fail("%s line %d is not an event object: %r" % (what, i + 1, line[:300]))
            continue
        events.append(obj)
    return events


def select_events(events, **match):
    """The events whose fields equal all of match."""
    return [e for e in events if all(e.get(k) == v for k, v in match.items())]


def status_truth(status):
    """What the JSON status fields (exit, reap events) must be for this raw wait status."""
    if os.WIFEXITED(status):
        return {"exit_code": os.WEXITSTATUS(status), "term_signal": None,
                "core_dumped": False, "status": status}
    return {"exit_code": None, "term_signal": os.WTERMSIG(status),
            "core_dumped": bool(os.WCOREDUMP(status)), "status": status}


# --------------------------------------------------------------------------
# /proc: the ground truth


def read_proc(pid, name):
    """/proc/PID/NAME (bytes), or None when pid is gone."""
    try:
        with open("/proc/%d/%s" % (pid, name), "rb") as f:
            return f.read()
    except OSError:
        return None


def read_comm(pid):
    """/proc/PID/comm, or None when pid is gone."""
    data = read_proc(pid, "comm")
    return None if data is None else data.rstrip(b"\n").decode("utf-8", "replace")


def my_comm():
    return read_comm(MYPID)


def proc_stat(pid):
    """/proc/PID/stat as {state, ppid, pgrp, session, tpgid, start (clock ticks)}, or None when gone."""
    data = read_proc(pid, "stat")
    if data is None:
        return None
    f = data[data.rindex(b")") + 2:].split()  # the comm may hold spaces and parentheses
    return {"state": f[0].decode(), "ppid": int(f[1]), "pgrp": int(f[2]), "session": int(f[3]),
            "tpgid": int(f[5]), "start": int(f[19])}


def proc_state(pid):
    """The state letter of pid (R, S, T, Z...), or None when it is gone."""
    st = proc_stat(pid)
    return st and st["state"]


def alive(pid):
    """pid exists and has not exited (a zombie has)."""
    return proc_state(pid) not in (None, "Z", "X")


def proc_cmdline(pid):
    """/proc/PID/cmdline as a list, or None when pid is gone or has none (a zombie, a kernel thread)."""
    data = read_proc(pid, "cmdline")
    if not data:
        return None
    if data.endswith(b"\0"):  # each argument ends with a NUL, unless the process rewrote them
        data = data[:-1]
    return [a.decode("utf-8", "replace") for a in data.split(b"\0")]


def all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def children_of(pid):
    """Pids whose parent is pid now, sorted."""
    return sorted(p for p in all_pids() if (proc_stat(p) or {}).get("ppid") == pid)


def same_process(pid, start):
    """pid is still the process that had this start time (not gone, not reused)."""
    st = proc_stat(pid)
    return st is not None and st["start"] == start


def wait_for(pred, what, timeout=WAIT, interval=0.01):
    """Poll pred() until it returns something true; returns that. At the deadline, Failure
    "timed out (T s) waiting for WHAT" (what: a string, or a callable giving it then)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Failure("timed out (%g s) waiting for %s" % (timeout, what() if callable(what) else what))
        time.sleep(interval)


def wait_comm(pid, comm, timeout=CHILD_TIMEOUT):
    """Wait until pid is named comm. Popen returns once exec closed the CLOEXEC fds, which the
    kernel does slightly before it renames the task: a signal sent right away may still find
    the old comm."""
    wait_for(lambda: read_comm(pid) == comm,
             lambda: "process %d to be named %r (it is %r)" % (pid, comm, read_comm(pid)), timeout, 0.001)


# nanosleep and clock_nanosleep on x86_64, the one architecture the e2e suites run on.
SLEEP_SYSCALLS = ("35", "230")


def read_syscall(pid):
    """The number of the system call pid is blocked in ("running" while it runs, None once gone)."""
    try:
        with open("/proc/%d/syscall" % pid) as f:
            return f.read().split(" ", 1)[0].strip()
    except OSError:
        return None


def wait_asleep(pid, timeout=CHILD_TIMEOUT):
    """Wait until pid is a sleep(1) blocked in its nanosleep: its exec is over. Being named "sleep"
    is not enough: the kernel renames the task while it still maps the new program, and a fatal
    signal that finds the exec waiting there ends it, with no exec ever made (the likely cause of
    the one time a test that killed at once missed the exec; it could not be made to happen again)."""
    wait_comm(pid, "sleep", timeout)
    wait_for(lambda: read_syscall(pid) in SLEEP_SYSCALLS,
             lambda: "process %d (sleep) to block in nanosleep (it is in system call %r)"
             % (pid, read_syscall(pid)), timeout, 0.001)


def wait_state(pid, states, timeout=CHILD_TIMEOUT):
    """Poll /proc/PID/stat until its state is one of states; returns proc_stat()."""
    def reached():
        st = proc_stat(pid)
        return st if st and st["state"] in states else None

    return wait_for(reached, lambda: "process %d to be in state %s (it is in %r)"
                    % (pid, " or ".join(states), proc_state(pid)), timeout, 0.002)


def drop_to_nobody():
    """preexec_fn: become uid and gid NOBODY, without supplementary groups."""
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


# --------------------------------------------------------------------------
# Process bookkeeping: everything a subtest starts is killed and reaped when
# it ends (cleanup_live(), called by the runner).

_popens = []  # (Popen, kill its process group too)
_pids = []  # our children started without Popen
_foreign = []  # (pid, start time): scenario processes that are not our children
_hold_pipes = []  # write ends whose closing tells a helper's processes to exit
_proclifes = []  # Proclife objects: their reader threads are joined before their pipes close
_cleanups = []  # callables, run last first
_tmpdirs = []  # removed once everything else is done


def popen(argv, kill_group=False, **kw):
    """subprocess.Popen (stdin and stdout default to /dev/null), killed when the subtest ends;
    kill_group: its process group too (for a process started as a group or session leader)."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("stdout", subprocess.DEVNULL)
    p = subprocess.Popen(argv, **kw)
    _popens.append((p, kill_group))
    return p


def spawn(argv, path=None):
    """posix_spawn (argv may hold bytes); returns the pid, killed when the subtest ends."""
    pid = os.posix_spawn(path or argv[0], argv, dict(os.environ))
    _pids.append(pid)
    return pid


def waitpid_deadline(pid, timeout=CHILD_TIMEOUT, what=None):
    """Reap our child pid; returns the raw wait status. At the deadline it is killed and reaped,
    and Failure raised."""
    deadline = time.monotonic() + timeout
    while True:
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            break
        if time.monotonic() > deadline:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            if pid in _pids:
                _pids.remove(pid)
            raise Failure("process %d%s did not finish within %.0f s"
                          % (pid, " (%s)" % (what,) if what is not None else "", timeout))
        time.sleep(0.002)
    if pid in _pids:
        _pids.remove(pid)  # reaped: its pid may be reused, never kill it again
    return status


def reap_popen(p, timeout=CHILD_TIMEOUT):
    """waitpid() a Popen's process ourselves, so we get the raw status; killed at the deadline."""
    try:
        status = waitpid_deadline(p.pid, timeout, p.args)
    except Failure:
        p.returncode = -signal.SIGKILL  # reaped: keep Popen from waiting again
        raise
    p.returncode = os.waitstatus_to_exitcode(status)
    return status


def run(argv, timeout=CHILD_TIMEOUT, **kw):
    """Run argv to completion; returns (pid, raw wait status)."""
    p = popen(argv, **kw)
    return p.pid, reap_popen(p, timeout)


def adopt_foreign(pid):
    """Kill pid (not our child) when the subtest ends, if it is still the same process."""
    st = proc_stat(pid)
    if st is not None:
        _foreign.append((pid, st["start"]))


def hold_pipe(f):
    """Close f (a pipe a helper's processes wait on) first when the subtest ends."""
    _hold_pipes.append(f)


def at_cleanup(fn):
    """Call fn() when the subtest ends, before its processes are killed (last registered, first)."""
    _cleanups.append(fn)


def tmpdir(prefix):
    """A new temporary directory, removed when the subtest ends."""
    d = tempfile.mkdtemp(prefix=prefix)
    _tmpdirs.append(d)
    return d


def cleanup_live():
    """The end of a subtest (the runner calls it): run the at_cleanup() callables, close the held
    pipes, kill the adopted foreign processes still the same, kill and reap our children (with
    their process group where asked), close their pipes, remove the temporary directories."""
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception:
            pass
    held = bool(_hold_pipes)
    for f in _hold_pipes:
        try:
            f.close()
        except Exception:
            pass
    _hold_pipes.clear()
    if held:  # let the helpers' processes see EOF and exit by themselves, briefly
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and any(same_process(pid, st) for pid, st in _foreign):
            time.sleep(0.01)
    for pid, st in _foreign:
        if same_process(pid, st):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    # Gone, or a zombie its new parent (init, slow here) has yet to reap: not ours to wait for.
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline and any(
            same_process(pid, st) and proc_state(pid) != "Z" for pid, st in _foreign):
        time.sleep(0.01)
    _foreign.clear()
    popens = [p for p, _ in _popens]
    for p, group in _popens:
        if group:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # and whatever it left in its group
            except OSError:
                pass
        try:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=5)
        except Exception:
            pass
    _popens.clear()
    for pid in _pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    _pids.clear()
    # A pipe a reader thread still reads stays open: closing it could hand its fd to another file.
    busy = {id(t.p) for t in _proclifes if not t.join_readers(2)}
    _proclifes.clear()
    for p in popens:
        if id(p) in busy:
            continue
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                if f is not None:
                    f.close()
            except Exception:
                pass
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)
    _tmpdirs.clear()


class Lines:
    """Reads a child's stdout pipe; wait_for() waits (bounded) for a line with a prefix."""

    def __init__(self, f, on_eof=None):
        self.fd = f.fileno()
        self.buf = b""
        self.on_eof = on_eof  # callable: more text for the Failure at EOF

    def wait_for(self, prefix=b"", timeout=CHILD_TIMEOUT):
        """The first complete line starting with prefix (the lines before it are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.buf.split(b"\n")
            for i, ln in enumerate(lines[:-1]):
                if ln.startswith(prefix):
                    self.buf = b"\n".join(lines[i + 1:])
                    return ln
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("waited %.0f s for a line %r, got %r" % (timeout, prefix, self.buf))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    raise Failure("EOF while waiting for a line %r, got %r%s"
                                  % (prefix, self.buf, self.on_eof() if self.on_eof else ""))
                self.buf += chunk


# --------------------------------------------------------------------------
# proclife under test


# --------------------------------------------------------------------------
# Features this kernel cannot give: proclife names each on stderr, once per run
# ("... is off on this kernel: ..."; a replay: "this recording was made with ...").
# Suites that compare stderr exactly compare it without exactly those lines, which
# `proclife features --json` predicts; any other line, or a wrong one, still shows.

_feature_lines = None


def feature_lines():
    """The stderr lines proclife prints here for its features that are off or reduced (bytes, with \\n)."""
    global _feature_lines
    if _feature_lines is None:
        lines = set()
        env = dict(os.environ)  # the kernel's own answer: without the test switches a subtest may have set
        env.pop("PROCLIFE_FEATURES_OFF", None)
        env.pop("PROCLIFE_KERNEL_LACKS", None)
        try:
            r = subprocess.run([BIN, "features", "--json"], capture_output=True, timeout=60, env=env)
            doc = json.loads(r.stdout) if r.returncode == 0 else {}
        except (OSError, ValueError, subprocess.TimeoutExpired):
            doc = {}
        for f in doc.get("features", []):
            if f["state"] in ("off", "reduced"):
                lines.add(("proclife: %s is %s on this kernel: %s (see 'proclife features')\n"
                           % (f["title"], f["state"], f["why"])).encode())
                lines.add(("proclife: this recording was made with %s %s on its kernel: %s\n"
                           % (f["title"], f["state"], f["why"])).encode())
        _feature_lines = lines
    return _feature_lines


def strip_feature_lines(err):
    """err (bytes or str) without the lines feature_lines() predicts."""
    as_str = isinstance(err, str)
    data = err.encode() if as_str else err
    if b"on this kernel: " in data or b"this recording was made with " in data:
        known = feature_lines()
        data = b"".join(ln for ln in data.splitlines(keepends=True) if ln not in known)
    return data.decode() if as_str else data


class Proclife:
    """proclife ARGS with stdout and stderr collected by threads (never blocking it); killed when
    the subtest ends. ready: the stderr line that says it is ready (wait_ready())."""

    def __init__(self, args, ready=READY_WATCH, preexec_fn=None, exe=None, read_stdout=True):
        self.argv = [exe or BIN] + list(args)
        self.ready = ready
        self.out = bytearray()
        self.err = bytearray()
        self.lock = threading.Lock()
        self.threads = []
        self.p = popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec_fn)
        _proclifes.append(self)
        if read_stdout:
            self._reader(self.p.stdout, self.out)
        self._reader(self.p.stderr, self.err)

    def _reader(self, f, buf):
        def loop():
            fd = f.fileno()
            while True:
                try:
                    chunk = os.read(fd, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                with self.lock:
                    buf.extend(chunk)

        t = threading.Thread(target=loop, daemon=True)
        t.start()
        self.threads.append(t)

    def name(self):
        return "proclife " + " ".join(self.argv[1:])

    def stdout_bytes(self):
        with self.lock:
            return bytes(self.out)

    def stderr_bytes(self):
        """stderr, less the lines that name this kernel's missing features (stderr_raw() has them)."""
        return strip_feature_lines(self.stderr_raw())

    def stderr_raw(self):
        with self.lock:
            return bytes(self.err)

    def join_readers(self, timeout):
        """Wait (bounded) for the reader threads to see EOF; returns whether they all did."""
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready in self.stderr_bytes():
                return
            if self.p.poll() is not None:
                self.join_readers(2)
                raise Failure("%s exited with %s before it was ready; stderr: %r"
                              % (self.name(), self.p.returncode, self.stderr_bytes()))
            time.sleep(0.005)
        raise Failure("%s: no readiness line on stderr within %.0f s; stderr: %r"
                      % (self.name(), timeout, self.stderr_bytes()))

    def wait_line(self, timeout, n=1):
        """Wait for the n-th complete stdout line; returns it (bytes) and the wall time it was seen."""
        deadline = time.monotonic() + timeout
        while True:
            out = self.stdout_bytes()
            if out.count(b"\n") >= n:
                return out.split(b"\n")[n - 1], time.time()
            if self.p.poll() is not None:
                self.join_readers(2)
                out = self.stdout_bytes()
                if out.count(b"\n") >= n:
                    return out.split(b"\n")[n - 1], time.time()
                raise Failure("%s exited with %s before printing line %d; stdout %r; stderr %r"
                              % (self.name(), self.p.returncode, n, out[-500:], self.stderr_bytes()))
            if time.monotonic() > deadline:
                raise Failure("%s: no output line %d within %.0f s; stderr %r"
                              % (self.name(), n, timeout, self.stderr_bytes()))
            time.sleep(0.002)

    def wait_exit(self, timeout):
        """Returns the exit code (negative: killed by that signal) or None if still running."""
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.join_readers(5)
        return rc

    def kill(self):
        """SIGKILL it and wait for it and its readers."""
        self.p.kill()
        self.p.wait(5)
        self.join_readers(2)

    def stop(self, sig=signal.SIGINT, timeout=STOP_TIMEOUT):
        """Signal proclife and wait for it; returns its exit code."""
        if self.p.poll() is None:
            self.p.send_signal(sig)
        rc = self.wait_exit(timeout)
        if rc is None:
            self.kill()
            raise Failure("%s did not exit within %.0f s of %s" % (self.name(), timeout, signal.Signals(sig).name))
        return rc


def start_proclife(args, ready=READY_WATCH, **kw):
    """proclife ARGS, once it said it is ready."""
    t = Proclife(args, ready, **kw)
    t.wait_ready()
    return t


def start_many(arg_lists, ready=READY_WATCH):
    """Start several proclife at once (they attach in parallel), then wait for each."""
    ts = [Proclife(a, ready) for a in arg_lists]
    for t in ts:
        t.wait_ready()
    return ts


def run_proclife(args, timeout=5.0, **kw):
    """proclife ARGS to completion (killed at the deadline); returns (exit status or None, stdout, stderr)."""
    t = Proclife(args, **kw)
    rc = t.wait_exit(timeout)
    if rc is None:
        t.kill()
    return rc, t.stdout_bytes(), t.stderr_bytes()


def one_line(err, prefix):
    """err (bytes or str) is exactly one line, starting with prefix."""
    nl = b"\n" if isinstance(err, bytes) else "\n"
    lines = err.split(nl)
    return len(lines) == 2 and not lines[1] and lines[0].startswith(prefix)


def check_usage_error(c, what, rc, out, err, prefix):
    """A usage error: exit status 2, nothing on stdout, one line on stderr starting with prefix
    (bytes). rc None: it was still running at the deadline."""
    if rc is None:
        c.fail("%s: still running at the deadline (expected exit status 2); stderr %r" % (what, err))
        return
    c.eq("%s: exit status" % what, 2, rc)
    c.eq("%s: stdout" % what, b"", out)
    if not one_line(err, prefix):
        c.fail("%s: stderr: expected exactly one line starting with %r, got %r" % (what, prefix.decode(), err))


# --------------------------------------------------------------------------
# tmux: a terminal to drive


class TmuxControl:
    """One tmux client in control mode (tmux -C: commands on its stdin, each reply between %begin and
    %end on its stdout) that carries a Tmux's commands once its session is up. A command sent so costs
    no process: the test's own short-lived tmux clients, one per screen capture, would otherwise be
    on the screen it reads (top's "recently exited" rows), as many as it looks."""

    def __init__(self, argv, session, env, timeout=10):
        # no-output: no %output notification for each redraw; ignore-size: the window keeps its size.
        self.p = subprocess.Popen(argv + ["-C", "attach-session", "-t", session, "-f", "no-output,ignore-size"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.buf = b""
        self.reply(timeout)  # attach-session's own (empty) reply

    @staticmethod
    def quote(arg):
        """arg as one word of tmux's command syntax."""
        if arg and all(ch.isalnum() or ch in "-_./:=,@%+^" for ch in arg):
            return arg
        return '"' + "".join("\\" + ch if ch in '"\\$~' else ch for ch in arg) + '"'

    def line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.p.stdout], [], [], max(0, left))
            if not r:
                raise Failure("tmux control client: no reply within the deadline")
            chunk = os.read(self.p.stdout.fileno(), 1 << 16)
            if not chunk:
                raise Failure("tmux control client: EOF")
            self.buf += chunk
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln

    def reply(self, timeout):
        """The next reply: (ok, its lines joined); notifications between replies are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            ln = self.line(deadline)
            if ln.startswith(b"%begin "):
                break
        tag = ln.split(b" ")[1:3]  # the time and the command number: the end names them again
        out = []
        while True:
            ln = self.line(deadline)
            head = ln.split(b" ")
            if head[0] in (b"%end", b"%error") and head[1:3] == tag:
                text = b"".join(x + b"\n" for x in out).decode("utf-8", "replace")
                return head[0] == b"%end", text
            out.append(ln)

    def run(self, args, timeout=10):
        """One command, as subprocess.run's result (returncode, stdout, stderr)."""
        self.p.stdin.write((" ".join(self.quote(a) for a in args) + "\n").encode())
        self.p.stdin.flush()
        ok, text = self.reply(timeout)
        return subprocess.CompletedProcess(args, 0 if ok else 1, text if ok else "", "" if ok else text)

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class Tmux:
    """A tmux server of its own (socket PREFIX-PID-NAME) with one session NAME running cmd,
    x columns by y lines; closed when the subtest ends (or by close()). Commands after the first go
    through one control-mode client (TmuxControl): looking at the screen starts no process."""

    def __init__(self, name, cmd, x=80, y=24, env=None, prefix="pl"):
        self.name = name
        self.sock = "%s-%d-%s" % (prefix, MYPID, name)
        env = dict(os.environ if env is None else env)
        env.pop("TMUX", None)
        env.pop("TMUX_PANE", None)
        env.setdefault("TERM", "xterm")
        env["HISTFILE"] = "/dev/null"
        self.env = env
        # The socket file, which kill-server leaves behind: where tmux puts it, then where it says it did.
        self.path = os.path.join(env.get("TMUX_TMPDIR") or "/tmp", "tmux-%d" % os.getuid(), self.sock)
        self.closed = False
        self.control = None
        at_cleanup(self.close)
        self.tmux("new-session", "-d", "-s", name, "-x", str(x), "-y", str(y), cmd, check=True)
        self.control = TmuxControl(self.argv(), name, self.env)
        self.path = self.display("#{socket_path}") or self.path

    def argv(self):
        return ["tmux", "-L", self.sock, "-f", "/dev/null"]

    def tmux(self, *args, check=False):
        if self.control and not any("\n" in a for a in args):
            r = self.control.run(args)
        else:
            r = subprocess.run(self.argv() + list(args), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               errors="replace", timeout=10, env=self.env)
        if check and r.returncode != 0:
            raise Failure("tmux %s failed: %s" % (" ".join(args[:2]), r.stderr.strip()))
        return r

    def capture(self, escapes=False):
        """The screen (-e: with the escape sequences of colours and attributes); "" on failure."""
        r = self.tmux("capture-pane", *(["-e"] if escapes else []), "-p", "-t", self.name)
        return r.stdout.rstrip("\n") if r.returncode == 0 else ""

    def keys(self, *keys, literal=False):
        self.tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys, check=True)

    def display(self, fmt):
        return self.tmux("display-message", "-p", "-t", self.name, fmt).stdout.strip()

    def pane_pid(self):
        return int(self.display("#{pane_pid}"))

    def wait(self, pred, what, timeout=WAIT, escapes=False):
        """Poll the screen until pred(screen) holds; returns the screen or fails with the last one."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture(escapes)
            if pred(screen):
                return screen
            if time.monotonic() > deadline:
                raise Failure("timed out (%g s) waiting for %s\n  screen:\n%s" % (timeout, what, indent(screen)))
            time.sleep(0.05)

    def close(self):
        if self.closed:
            return
        self.closed = True
        control, self.control = self.control, None
        try:
            self.tmux("kill-server")
        except Exception:
            pass
        if control:
            control.close()
        if self.path and os.path.basename(self.path) == self.sock:
            try:
                os.unlink(self.path)
            except OSError:
                pass


# --------------------------------------------------------------------------
# The runner


def missing(needs):
    """Why a subtest that needs these ("root", or commands on PATH) cannot run here, or None."""
    for n in needs:
        if n == "root":
            if os.geteuid() != 0:
                return "needs root"
        elif not shutil.which(n):
            return "%s is not installed" % n
    return None


def run_subtest(full, fn, needs, timeout):
    """Runs fn(Check) under an alarm, cleans up, prints its result line; returns True, False or None (skipped)."""
    why = missing(needs)
    if why:
        print("SKIP %s: %s" % (full, why), flush=True)
        return None

    def on_alarm(signum, frame):
        raise Timeout("subtest took longer than %d s" % timeout)

    c = Check()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    skipped = None
    try:
        try:
            fn(c)
        finally:
            signal.alarm(0)
    except Skip as e:
        skipped = str(e)
    except (Failure, Timeout) as e:
        c.fail(str(e))
    except Exception as e:  # a bug in the test or an unexpected state: still a FAIL line
        c.fail("unexpected %s: %s" % (type(e).__name__, e))
        for ln in traceback.format_exc().rstrip().split("\n"):
            c.fail("  " + ln)
    finally:
        signal.alarm(30)  # cleanup is bounded too
        try:
            cleanup_live()
        except Timeout:
            c.fail("cleanup took longer than 30 s")
        finally:
            signal.alarm(0)
    if skipped is not None:
        print("SKIP %s: %s" % (full, skipped), flush=True)
        return None
    if c.fails:
        for msg in c.fails:
            print(indent(msg))
        print("FAIL %s" % full, flush=True)
        return False
    print("PASS %s" % full, flush=True)
    return True


def main(subtests, prefix="", subtest_timeout=60):
    """A suite's main: `SUITE PATH/TO/proclife [SUBTEST...]`. subtests: (name, fn(Check), needs)
    in order; each result line names e2e/PREFIX+name. Returns the exit status."""
    global BIN
    if len(sys.argv) < 2:
        print("usage: %s PATH/TO/proclife [SUBTEST...]" % sys.argv[0], file=sys.stderr)
        return 2
    BIN = os.path.abspath(sys.argv[1])
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print("%s: %s is not an executable file" % (sys.argv[0], BIN), file=sys.stderr)
        return 2
    only = set(sys.argv[2:])
    unknown = only - {name for name, _, _ in subtests}
    if unknown:
        print("%s: unknown subtests: %s" % (sys.argv[0], ", ".join(sorted(unknown))), file=sys.stderr)
        return 2
    os.chdir("/")  # processes run as uid 65534 need a cwd they can read
    failed = 0
    for name, fn, needs in subtests:
        if only and name not in only:
            continue
        if run_subtest("e2e/" + prefix + name, fn, needs, subtest_timeout) is False:
            failed += 1
    return 1 if failed else 0


# --------------------------------------------------------------------------
# Scenario helpers: a suite's own Python script, run as `python3 HELPER MODE
# ARGS...` in one of several modes, that sets up processes in a given shape
# (chains, zombies, orphans, stopped ones) and says on stdout, as JSON lines,
# which pids it made. It is a separate program, not an import of this file:
# it forks, and its processes must hold nothing of the test's (threads,
# pipes to proclife). Its long-lived processes wait for EOF on stdin, which
# the test closes when the subtest ends.
#
# A suite's source for it is HELPER_PRELUDE, then its modes, then a call of
# run_mode({"name": fn, ...}); main_with_helper() writes it to a temporary
# file and Helper runs it.

HELPER_PRELUDE = r'''
import json, os, select, signal, sys, time

rep_r, rep_w = os.pipe()  # non-inheritable: exec'd programs do not hold it


def report(**kw):
    os.write(rep_w, (json.dumps(kw) + "\n").encode())


def hold():
    """Wait on stdin (the test's pipe) until the test closes it, then exit."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    os._exit(0)


def child(fn):
    pid = os.fork()
    if pid == 0:
        try:
            fn()
        except BaseException as e:
            try:
                report(error="pid %d: %r" % (os.getpid(), e))
            except BaseException:
                pass
            os._exit(1)
        os._exit(0)
    return pid


def fork_exec(path, argv):
    """Fork, exec path in the child; return once the exec has happened."""
    r, w = os.pipe()  # both close-on-exec: EOF on r once the child exec'd
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.execv(path, argv)
        except BaseException:
            pass
        os.write(w, b"x")
        os._exit(127)
    os.close(w)
    failed = os.read(r, 1)
    os.close(r)
    if failed:
        raise OSError("exec %s failed" % path)
    return pid


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(b")") + 2:].split()[0].decode()


def wait_state(pid, st, timeout=5.0):
    deadline = time.monotonic() + timeout
    while proc_state(pid) != st:
        if time.monotonic() > deadline:
            raise OSError("pid %d not in state %s after %.0f s" % (pid, st, timeout))
        time.sleep(0.001)


def collect(keys, timeout=10.0):
    """The reports of the helper's own processes (report()) until all of keys are in; an
    error one of them reported is raised here."""
    got, buf = {}, b""
    deadline = time.monotonic() + timeout
    while not keys <= set(got):
        left = deadline - time.monotonic()
        if left <= 0:
            raise OSError("scenario incomplete after %.0f s: have %s" % (timeout, sorted(got)))
        r, _, _ = select.select([rep_r], [], [], left)
        if r:
            buf += os.read(rep_r, 65536)
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                d = json.loads(line)
                if "error" in d:
                    raise OSError(d["error"])
                got.update(d)
    return got


def out(d):
    sys.stdout.write(json.dumps(d) + "\n")
    sys.stdout.flush()


def run_mode(modes):
    """Run modes[argv[1]](). A failure is a JSON line {"error": ...} (what the test reports) and
    exit status 1; an unknown mode, a message on stderr."""
    try:
        mode = sys.argv[1]
        if mode not in modes:
            raise SystemExit("unknown mode %r" % mode)
        modes[mode]()
    except Exception as e:
        out({"error": "%s: %r" % (type(e).__name__, e)})
        os._exit(1)

'''

_helper_path = None  # the running suite's helper script: set by main_with_helper()


class Helper:
    """The suite's scenario helper in one mode; .info is the first JSON line it printed, next()
    reads the following ones, send() writes a command line."""

    def __init__(self, *args, timeout=CHILD_TIMEOUT):
        self.argv = [sys.executable, _helper_path] + [str(a) for a in args]
        self.what = " ".join(map(str, args))
        self.p = popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        hold_pipe(self.p.stdin)
        self.lines = Lines(self.p.stdout, on_eof=self._stderr)
        self.info = self.next(timeout)

    def _stderr(self):
        """What it said on stderr, once it exited."""
        try:
            return "; stderr %r" % self.p.stderr.read()[-2000:]
        except Exception:
            return ""

    def next(self, timeout=CHILD_TIMEOUT):
        try:
            line = self.lines.wait_for(b"", timeout)
        except Failure as e:
            raise Failure("scenario helper %s: %s" % (self.what, e))
        d = json.loads(line)
        if "error" in d:
            raise Failure("scenario helper %s failed: %s" % (self.what, d["error"]))
        return d

    def send(self, cmd):
        self.p.stdin.write(cmd.encode() + b"\n")
        self.p.stdin.flush()


def main_with_helper(helper_src, subtests, prefix, subtest_timeout):
    """main() for a suite with a scenario helper: helper_src is written to a temporary file (for
    Helper to run) that is removed at the end."""
    global _helper_path
    fd, _helper_path = tempfile.mkstemp(prefix="pl-%s-helper-" % prefix.rstrip("_"), suffix=".py")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(helper_src)
        return main(subtests, prefix=prefix, subtest_timeout=subtest_timeout)
    finally:
        os.unlink(_helper_path)


# --------------------------------------------------------------------------
# `tree --json` and what replays print


# The fields of a `tree --json` node, in order.
TREE_FIELDS = ["pid", "ppid", "uid", "euid", "egid", "auid", "session", "tty", "setid", "comm", "argv", "state",
               "start_time", "age_s", "state_since", "orphaned", "kthread", "stop_signal", "exit_code", "term_signal",
               "core_dumped", "exit_time", "cpu_ns", "rss_kb", "maxrss_kb", "subtree_cpu_ns", "cgroup", "container",
               "children"]

# proclife's last line on stderr when it stops (str; encode() it for bytes).
SUMMARY_PATTERN = (r"^proclife: \d+ events seen \([^)]*\), (\d+ derived \([^)]*\), )?\d+ lost( \([^)]*\))?"
                   r"(, \d+ forgotten \([^)]*\))?(, \d+ zombies untracked \([^)]*\))?$")


def flatten_tree(c, roots, what=None):
    """A `tree --json` document as {pid: node}, {pid: pid of the enclosing node or None} and
    [pids seen more than once] (the first node of a pid is kept). A node without exactly
    TREE_FIELDS is a failure (the first three are said) and is left out with its subtree;
    what: the failure messages' prefix."""
    pre = "%s: " % what if what else ""
    nodes, parent, dups, bad = {}, {}, [], 0
    if not isinstance(roots, list):
        raise Failure("%stree JSON is not an array: %r" % (pre, str(roots)[:300]))
    stack = [(r, None) for r in reversed(roots)]
    while stack:
        n, par = stack.pop()
        if not isinstance(n, dict) or list(n.keys()) != TREE_FIELDS:
            bad += 1
            if bad <= 3:
                c.fail("%stree node fields: expected %s, got %s"
                       % (pre, TREE_FIELDS, list(n.keys()) if isinstance(n, dict) else n))
            continue
        pid = n["pid"]
        if pid in nodes:
            dups.append(pid)
        else:
            nodes[pid] = n
            parent[pid] = par
        for ch in reversed(n["children"]):
            stack.append((ch, pid))
    return nodes, parent, dups


def run_to_end(args, timeout):
    """proclife ARGS to completion; returns (exit status, stdout, stderr). Failure if it does not
    finish within timeout."""
    rc, out, err = run_proclife(args, timeout)
    if rc is None:
        raise Failure("proclife %s did not finish within %.0f s" % (" ".join(args), timeout))
    return rc, out, err
