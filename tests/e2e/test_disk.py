#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of a full or failing disk and of the files proclife writes
(issue 20, findings 4 and 5):

- recorder_full_disk: `record -w` on a small tmpfs that fills up. The
  recorder stays up (the same process), says it once, its metrics say so
  (and the alert rule fires on them), what it wrote before is intact and
  replays; once there is room it writes again, the replay shows one `gap`
  event (as docs/EVENTS.md documents it, counting what the metrics counted)
  and a resync after it.
- recorder_file_size_limit: the same through RLIMIT_FSIZE (EFBIG), raised
  on the running recorder: proclife is not killed by SIGXFSZ.
- output_full_disk: `watch --json -o FILE` on a tmpfs that fills up: only
  whole JSON lines in FILE, the recorder's way of surviving, and a `gap`
  line counting exactly the lines its metrics say were dropped.
- append_after_half_line: `--append` to a file whose last line is half of
  one (a writer killed mid-line): the half line cut, no line glued to it.
- symlinked_outputs: `watch -o`, `run -o`, `run --summary-json`, `export -o`
  through a symlink: refused in one line, the target untouched.
- output_modes: an existing 0644 output made 0600; a FIFO and /dev/null
  written but never chmod'ed; /dev/stdout is stdout.
- rotate_existing_restart_loop: a recorder that fails at every start (its
  BPF core refused), restarted again and again with --rotate-existing,
  never shifts the real recording out of the kept files.

Usage: tests/e2e/test_disk.py PATH/TO/proclife [SUBTEST...]
Most subtests need root (the rest skip without it). Python stdlib only.
One line per subtest: PASS/FAIL/SKIP e2e/disk_<name>. Every wait is bounded
by a condition; the markers are the test's own processes (pl-disk-...).
"""
import base64
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import test_docpages  # noqa: E402  (docs/EVENTS.md's tables: the gap line is held to them)
from common import (  # noqa: E402
    ROOT, Failure, Skip, at_cleanup, parse_json_lines, run_proclife, run_to_end, spawn, start_proclife, tmpdir,
    wait_for, waitpid_deadline,
)

SUBTEST_TIMEOUT = 240
REPLAY_TIMEOUT = 60.0
FAIL_WAIT = 60.0  # the disk filled: until proclife's metrics say its writes fail
RESUME_WAIT = 60.0  # room again: until what happens is written again
READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(REPO, "tools", "prometheus", "proclife.rules.yml")
RUN_REC = os.path.join(REPO, "tests", "golden", "recordings", "run.plr")
ENOSPC_TEXT = b"No space left on device"


# --------------------------------------------------------------------------
# Helpers


def tmpfs(size):
    """A tmpfs of size mounted for this subtest; returns (its path, a list of Proclife to kill
    before it is unmounted)."""
    mnt = tmpdir("pl_disk_mnt_")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size, "tmpfs", mnt],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    if r.returncode != 0:
        raise Skip("cannot mount a tmpfs: %s" % r.stderr.decode(errors="replace").strip())
    users = []

    def unmount():
        for t in users:
            if t.p.poll() is None:
                t.kill()
        if subprocess.run(["umount", mnt], stderr=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
    at_cleanup(unmount)
    return mnt, users


def fill(path):
    """Writes zeros to path until the file system is full; returns the bytes written."""
    n = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 16, 4096, 512, 1):
            while True:
                try:
                    n += os.write(fd, b"\0" * size)
                except OSError as e:
                    if e.errno != 28:
                        raise
                    break
    finally:
        os.close(fd)
    return n


def noise(n):
    """n bytes of incompressible printable argv."""
    return base64.b64encode(os.urandom(n * 3 // 4)).decode().encode()


def marker(tag, blob=None):
    """/bin/true TAG [BLOB], run to its end (an exec the recording and the output must show)."""
    argv = [b"/bin/true", tag.encode()] + ([blob] if blob else [])
    waitpid_deadline(spawn(argv))
    return tag


def metrics(path):
    """{(name, labels as sorted tuple): value} of a metrics file, {} while there is none."""
    out = {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return out
    for ln in text.split("\n"):
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$", ln)
        if m:
            labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric(path, name, **labels):
    return metrics(path).get((name, tuple(sorted(labels.items()))))


def replay_json(c, path, what):
    """watch --json -r path: (exit status, events, stderr)."""
    rc, out, err = run_to_end(["watch", "--json", "-r", path], REPLAY_TIMEOUT)
    return rc, parse_json_lines(c, out, what) if out else [], err


def live_markers(rec, prefix):
    """The markers in a replay of a recording being written (for a wait: the checks come after it)."""
    rc, out, err = run_to_end(["watch", "--json", "-r", rec], REPLAY_TIMEOUT)
    events = []
    for ln in out.split(b"\n"):
        try:
            events.append(common.strict_json(ln.decode()))
        except ValueError:
            pass
    return set(exec_markers([e for e in events if isinstance(e, dict)], prefix))


def exec_markers(events, prefix):
    return [e["argv"][1] for e in events if e.get("event") == "exec" and len(e.get("argv", [])) > 1
            and e["argv"][1].startswith(prefix)]


def alert_fires(c, alert, name, labels, before, during):
    """The alert of tools/prometheus/proclife.rules.yml fires on these two values of a real metrics
    file, a minute apart (promtool's rule unit test), labelled as node_exporter gives them."""
    if not common.shutil.which("promtool"):
        c.fail("no promtool to evaluate %s (tools/deps.sh installs prometheus)" % alert)
        return
    sel = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    test = """rule_files:
  - %s
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: '%s{%s,instance="h",job="node"}'
        values: '%g %g'
    promql_expr_test:
      - expr: 'count(ALERTS{alertname="%s",alertstate="firing",instance="h",%s})'
        eval_time: 1m
        exp_samples:
          - labels: '{}'
            value: 1
""" % (RULES, name, sel, before, during, alert, sel)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write(test)
    try:
        p = subprocess.run(["promtool", "test", "rules", f.name], capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    out = p.stdout + p.stderr
    c.ok("%s does not fire on %s %g then %g: %s" % (alert, name, before, during, out[-1500:]),
         p.returncode == 0 and "SUCCESS" in out)


def check_gap_fields(c, g):
    """A gap line's fields are those docs/EVENTS.md's `gap` table lists."""
    doc = test_docpages.documented_fields()
    if c.ok("docs/EVENTS.md has no `gap` table", "gap" in doc):
        test_docpages.compare_fields(c, "event gap", dict(dict.fromkeys(test_docpages.BARE_BASE, False),
                                                          **doc["gap"]), [g])


def said(err, text):
    return err.count(text.encode() if isinstance(text, str) else text)


# --------------------------------------------------------------------------
# A full disk under the recording


def test_recorder_full_disk(c):
    # Room enough, once the filler goes, for what the whole machine does until the test has seen its marker.
    mnt, users = tmpfs("4m")
    rec = os.path.join(mnt, "r.plr")
    mfile = os.path.join(tmpdir("pl_disk_"), "proclife.prom")
    t = start_proclife(["record", "-w", rec, "--arg-bytes", "65536", "--metrics-file", mfile,
                        "--metrics-interval", "0.2"], (READY_RECORD % rec).encode())
    users.append(t)
    before = [marker("pl-disk-before-%d" % k) for k in range(3)]
    wait_for(lambda: set(before) <= live_markers(rec, "pl-disk-"),
             "the markers before in the recording", 30, 0.3)
    c.eq("proclife_recording_errors_total{errno=ENOSPC} before the disk fills (there from the start)", 0.0,
         metric(mfile, "proclife_recording_errors_total", errno="ENOSPC"))
    kept = common.read_bytes(rec)
    filler = os.path.join(mnt, "filler")
    fill(filler)
    during = []

    def failing():
        if t.p.poll() is not None:
            raise Failure("the recorder exited with %s: %r" % (t.p.returncode, t.stderr_bytes()[-600:]))
        during.append(marker("pl-disk-full-%d" % len(during), noise(8000)))
        return (metric(mfile, "proclife_recording_errors_total", errno="ENOSPC") or 0) > 0
    wait_for(failing, "proclife_recording_errors_total{errno=ENOSPC} > 0", FAIL_WAIT, 0.05)
    err = t.stderr_bytes()
    c.ok("the recorder exited on a full disk", t.p.poll() is None)
    c.eq("stderr lines saying %r while full" % ENOSPC_TEXT, 1, said(err, ENOSPC_TEXT))
    mo = re.search(rb"proclife: recording: writing %s: No space left on device; the recording is complete up "
                   rb"to offset (\d+); tracing goes on" % re.escape(rec.encode()), err)
    c.ok("stderr: 'recording: writing FILE: No space left on device; the recording is complete up to offset N; "
         "tracing goes on ...', got %r" % err[-800:], mo is not None)
    if mo:
        upto = int(mo.group(1))
        wait_for(lambda: os.path.getsize(rec) == upto, "the file cut back to offset %d (it is %d bytes)"
                 % (upto, os.path.getsize(rec)), 10, 0.05)
    c.ok("what was written before the disk filled is not the start of the file any more",
         common.read_bytes(rec).startswith(kept))
    rc, events, rerr = replay_json(c, rec, "the file while the disk is full")
    c.eq("replay of the file while the disk is full: exit status (%r)" % rerr[-300:], 0, rc)
    c.eq("replay while full: the markers written before", before,
         [m for m in exec_markers(events, "pl-disk-before-")])
    alert_fires(c, "ProclifeRecordingFailing", "proclife_recording_errors_total", {"errno": "ENOSPC"}, 0.0,
                metric(mfile, "proclife_recording_errors_total", errno="ENOSPC"))
    c.ok("proclife_recording_unwritten_events_total is 0 on a full disk",
         (metric(mfile, "proclife_recording_unwritten_events_total") or 0) > 0)

    # Room again: what happens now is recorded.
    os.unlink(filler)
    after = []

    def resumed():
        after.append(marker("pl-disk-after-%d" % len(after)))
        return live_markers(rec, "pl-disk-after-") & set(after)
    wait_for(resumed, "an exec after the disk had room again, in the recording", RESUME_WAIT, 0.3)
    rc = t.stop()
    c.eq("the recorder after SIGINT: exit status", 0, rc)
    err = t.stderr_bytes()
    c.eq("stderr lines saying %r, all told" % ENOSPC_TEXT, 1, said(err, ENOSPC_TEXT))
    c.eq("stderr: 'writing FILE again' lines", 1, said(err, "proclife: recording: writing %s again; " % rec))
    c.ok("stderr: the last line counts what could not be written: %r" % err[-300:],
         re.search(rb"proclife: recording: \d+ events could not be written to %s \(1 gap, each marked in the "
                   rb"recording\)\n$" % re.escape(rec.encode()), err))
    unwritten = metric(mfile, "proclife_recording_unwritten_events_total")
    rc, events, rerr = replay_json(c, rec, "the whole recording")
    c.eq("replay of the whole recording: exit status (%r)" % rerr[-300:], 0, rc)
    c.eq("replay: stderr lines saying the gap (%r)" % rerr[-600:], 1,
         said(rerr, "its recorder could not write (ENOSPC)"))
    gaps = [(i, e) for i, e in enumerate(events) if e["event"] == "gap"]
    one = c.one("gap events in the replay", gaps)
    if one:
        i, g = one
        c.fields("the gap event", g, {"source": "recording", "error": "ENOSPC", "count": int(unwritten or -1)})
        c.ok("the gap: since %s is not before time %s" % (g["since"], g["time"]), g["since"] < g["time"])
        c.eq("the event after the gap (the scan written after it)", "resync",
             events[i + 1]["event"] if i + 1 < len(events) else None)
        check_gap_fields(c, g)
        seen = exec_markers(events, "pl-disk-")
        c.eq("the markers before the gap", before, [m for m in seen if m.startswith("pl-disk-before-")])
        c.ok("no marker after the disk had room again after the gap",
             any(m.startswith("pl-disk-after-") for m in exec_markers(events[i:], "pl-disk-")))
        missing = [m for m in during if m not in seen]
        c.ok("the gap counts %d events, fewer than the %d markers missing" % (g["count"], len(missing)),
             g["count"] >= len(missing))


def test_recorder_file_size_limit(c):
    d = tmpdir("pl_disk_")
    rec = os.path.join(d, "r.plr")
    mfile = os.path.join(d, "proclife.prom")
    limit = 600 << 10

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    t = start_proclife(["record", "-w", rec, "--arg-bytes", "65536", "--metrics-file", mfile,
                        "--metrics-interval", "0.2"], (READY_RECORD % rec).encode(), preexec_fn=small_files)
    during = []

    def failing():
        if t.p.poll() is not None:
            raise Failure("the recorder exited with %s: %r" % (t.p.returncode, t.stderr_bytes()[-600:]))
        during.append(marker("pl-disk-fsize-%d" % len(during), noise(8000)))
        return (metric(mfile, "proclife_recording_errors_total", errno="EFBIG") or 0) > 0
    wait_for(failing, "proclife_recording_errors_total{errno=EFBIG} > 0", FAIL_WAIT, 0.05)
    c.ok("the recorder died past the file size limit", t.p.poll() is None)
    c.ok("the file is larger than the limit", os.path.getsize(rec) <= limit)
    resource.prlimit(t.p.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    after = []

    def resumed():
        after.append(marker("pl-disk-after-%d" % len(after)))
        return live_markers(rec, "pl-disk-after-") & set(after)
    wait_for(resumed, "an exec after the limit was raised, in the recording", RESUME_WAIT, 0.3)
    c.eq("the recorder after SIGINT: exit status", 0, t.stop())
    c.eq("stderr lines saying 'File too large'", 1, said(t.stderr_bytes(), "File too large"))
    rc, events, rerr = replay_json(c, rec, "the whole recording")
    c.eq("replay: exit status (%r)" % rerr[-300:], 0, rc)
    g = c.one("gap events in the replay", [e for e in events if e["event"] == "gap"])
    c.fields("the gap event", g, {"source": "recording", "error": "EFBIG",
                                  "count": int(metric(mfile, "proclife_recording_unwritten_events_total") or -1)})


# --------------------------------------------------------------------------
# A full disk under the event output (watch -o)


def json_file_lines(c, path, what):
    """The file's lines, each a strict JSON object, the file ending with a newline (checked)."""
    data = common.read_bytes(path)
    c.ok("%s does not end with a newline (a half line): %r" % (what, data[-200:]), not data or data.endswith(b"\n"))
    return parse_json_lines(c, data, what) if data else []


def quiet_lines(path):
    """The file's lines that are JSON objects, for a wait (the checks come after it)."""
    out = []
    for ln in common.read_bytes(path).split(b"\n"):
        try:
            out.append(common.strict_json(ln.decode()))
        except ValueError:
            pass
    return [o for o in out if isinstance(o, dict)]


def test_output_full_disk(c):
    mnt, users = tmpfs("4m")
    out = os.path.join(mnt, "events.json")
    mfile = os.path.join(tmpdir("pl_disk_"), "proclife.prom")
    # The markers' execs only (their comm is "true"): the machine's other execs do not fill the disk again.
    t = start_proclife(["watch", "--json", "-e", "exec", "-c", "true", "-o", out, "--arg-bytes", "65536",
                        "--metrics-file", mfile, "--metrics-interval", "0.2"])
    users.append(t)
    before = [marker("pl-disk-before-%d" % k) for k in range(3)]
    wait_for(lambda: set(before) <= set(exec_markers(quiet_lines(out), "pl-disk-")),
             "the markers before in events.json", 30, 0.1)
    c.eq("proclife_output_errors_total{errno=ENOSPC} before the disk fills", 0.0,
         metric(mfile, "proclife_output_errors_total", errno="ENOSPC"))
    filler = os.path.join(mnt, "filler")
    fill(filler)
    during = []

    def failing():
        if t.p.poll() is not None:
            raise Failure("watch exited with %s: %r" % (t.p.returncode, t.stderr_bytes()[-600:]))
        during.append(marker("pl-disk-full-%d" % len(during), noise(8000)))
        return (metric(mfile, "proclife_output_errors_total", errno="ENOSPC") or 0) > 0
    wait_for(failing, "proclife_output_errors_total{errno=ENOSPC} > 0", FAIL_WAIT, 0.05)
    c.ok("watch exited on a full disk", t.p.poll() is None)
    # The metric and the line are written apart (the metrics file may come first, and the test reads
    # stderr through a pipe): the line too is waited for.
    wait_for(lambda: said(t.stderr_bytes(), ENOSPC_TEXT) >= 1, "the line saying %r" % ENOSPC_TEXT, FAIL_WAIT, 0.05)
    err = t.stderr_bytes()
    c.eq("stderr lines saying %r while full" % ENOSPC_TEXT, 1, said(err, ENOSPC_TEXT))
    c.ok("stderr: 'writing FILE: No space left on device; events go on ...', got %r" % err[-600:],
         b"proclife: writing %s: No space left on device; events go on" % out.encode() in err)
    json_file_lines(c, out, "events.json with the disk full")
    alert_fires(c, "ProclifeOutputFailing", "proclife_output_errors_total", {"errno": "ENOSPC"}, 0.0,
                metric(mfile, "proclife_output_errors_total", errno="ENOSPC"))
    os.unlink(filler)
    after = []

    def resumed():
        after.append(marker("pl-disk-after-%d" % len(after)))
        return set(exec_markers(quiet_lines(out), "pl-disk-after-")) & set(after)
    wait_for(resumed, lambda: "an exec after the disk had room again, in events.json; stderr %r; df %r" % (t.stderr_bytes()[-800:], subprocess.run(["df", "-k", mnt], capture_output=True).stdout), RESUME_WAIT, 0.2)
    c.eq("watch after SIGINT: exit status", 0, t.stop())
    err = t.stderr_bytes()
    c.eq("stderr lines saying %r, all told" % ENOSPC_TEXT, 1, said(err, ENOSPC_TEXT))
    c.ok("stderr: 'writing FILE again; N lines could not be written': %r" % err[-600:],
         re.search(rb"proclife: writing %s again; \d+ lines could not be written, and a gap line marks where\n"
                   % re.escape(out.encode()), err))
    events = json_file_lines(c, out, "events.json at the end")
    gaps = [(i, e) for i, e in enumerate(events) if e["event"] == "gap"]
    one = c.one("gap lines in events.json", gaps)
    if one:
        i, g = one
        dropped = metric(mfile, "proclife_output_unwritten_lines_total")
        c.fields("the gap line", g, {"source": "output", "error": "ENOSPC", "count": int(dropped or -1)})
        check_gap_fields(c, g)
        c.eq("the markers before the gap", before, exec_markers(events[:i], "pl-disk-before-"))
        c.ok("no marker after the disk had room again after the gap", exec_markers(events[i:], "pl-disk-after-"))
        missing = [m for m in during if m not in exec_markers(events, "pl-disk-full-")]
        c.ok("the gap counts %d lines, fewer than the %d markers missing" % (g["count"], len(missing)),
             g["count"] >= len(missing) > 0)


def test_append_after_half_line(c):
    d = tmpdir("pl_disk_")
    out = os.path.join(d, "events.json")
    whole = b'{"event":"exec","pid":1}\n{"event":"exit","pid":1}\n'
    half = b'{"event":"exec","time":"2026-01-02T03:0'
    common.write_bytes(out, whole + half)
    t = start_proclife(["watch", "--json", "-e", "exec", "-o", out, "--append"])
    m = marker("pl-disk-append")
    wait_for(lambda: m in exec_markers(quiet_lines(out), "pl-disk-"), "the marker in events.json", 30, 0.05)
    c.eq("watch --append after SIGINT: exit status", 0, t.stop())
    data = common.read_bytes(out)
    c.ok("the whole lines that were there are kept, the half line not: %r" % data[:200],
         data.startswith(whole) and not data.startswith(whole + half))
    json_file_lines(c, out, "events.json")
    c.ok("stderr: the half line said: %r" % t.stderr_bytes(),
         b"proclife: %s ended in a partial line (%d bytes: its writer stopped mid-line); cut back to its last whole "
         b"line\n" % (out.encode(), len(half)) in t.stderr_bytes())


# --------------------------------------------------------------------------
# Output files: never through a symlink; 0600; FIFOs and devices as they are


def test_symlinked_outputs(c):
    d = tmpdir("pl_disk_")
    target = os.path.join(d, "precious")
    link = os.path.join(d, "link")
    common.write_bytes(target, b"not to be written\n")
    os.chmod(target, 0o644)
    os.symlink(target, link)
    old = os.stat(target)
    why = b"it is a symlink (proclife writes no file through one: give the file itself)"
    cases = [
        (["export", "--format", "dot", "-r", RUN_REC, "-o", link], 1, b"cannot open %s: " % link.encode() + why),
        (["run", "-r", RUN_REC, "-q", "--summary-json", link], None, b"cannot write %s: " % link.encode() + why),
    ]
    if os.geteuid() == 0:
        cases += [
            (["watch", "--json", "-o", link], 1, b"cannot open %s: " % link.encode() + why),
            (["watch", "--json", "-o", link, "--append"], 1, b"cannot open %s: " % link.encode() + why),
            (["run", "-o", link, "--", "true"], 1, b"cannot open %s: " % link.encode() + why),
            (["run", "-q", "--summary-json", link, "--", "true"], 0, b"cannot write %s: " % link.encode() + why),
        ]
    for argv, want_rc, want_err in cases:
        what = "proclife " + " ".join(argv)
        rc, out, err = run_proclife(argv, 60)
        if want_rc is not None:
            c.eq("%s: exit status (%r)" % (what, err[-300:]), want_rc, rc)
        c.ok("%s: stderr does not say %r: %r" % (what, want_err, err[-400:]), want_err in err)
        c.eq("%s: the symlink's target" % what, b"not to be written\n", common.read_bytes(target))
        st = os.stat(target)
        c.eq("%s: the target's mode" % what, "0o644", oct(stat.S_IMODE(st.st_mode)))
        c.eq("%s: the target's mtime" % what, old.st_mtime_ns, st.st_mtime_ns)
        c.ok("%s: the symlink is not a symlink any more" % what, os.path.islink(link))
    if os.geteuid() != 0:
        raise Skip("watch -o and run -o need root (export -o and run --summary-json were checked)")


def test_output_modes(c):
    d = tmpdir("pl_disk_")
    dot = os.path.join(d, "run.dot")
    common.write_bytes(dot, b"old\n")
    os.chmod(dot, 0o644)
    rc, out, err = run_to_end(["export", "--format", "dot", "-r", RUN_REC, "-o", dot], 60)
    c.eq("export -o an existing 0644 file: exit status (%r)" % err[-300:], 0, rc)
    c.eq("export -o an existing 0644 file: its mode", "0o600", oct(stat.S_IMODE(os.stat(dot).st_mode)))
    c.ok("export -o: the file holds the graph", common.read_bytes(dot).startswith(b"digraph proclife {"))
    summary = os.path.join(d, "summary.json")
    common.write_bytes(summary, b"{}\n")
    os.chmod(summary, 0o644)
    run_to_end(["run", "-r", RUN_REC, "-q", "--summary-json", summary], 60)
    c.eq("run --summary-json an existing 0644 file: its mode", "0o600",
         oct(stat.S_IMODE(os.stat(summary).st_mode)))
    common.parse_json(common.read_bytes(summary), "the summary")
    # A FIFO: written (its reader gets the graph), never chmod'ed.
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo, 0o644)
    got = bytearray()

    def read_fifo():
        with open(fifo, "rb") as f:
            got.extend(f.read())
    th = threading.Thread(target=read_fifo, daemon=True)
    th.start()
    rc, out, err = run_to_end(["export", "--format", "dot", "-r", RUN_REC, "-o", fifo], 60)
    th.join(30)
    c.eq("export -o FIFO: exit status (%r)" % err[-300:], 0, rc)
    c.ok("export -o FIFO: the reader got the graph: %r" % bytes(got[:60]), got.startswith(b"digraph proclife {"))
    c.eq("export -o FIFO: the FIFO's mode", "0o644", oct(stat.S_IMODE(os.stat(fifo).st_mode)))
    # /dev/null: written, never chmod'ed; /dev/stdout: stdout itself.
    mode = stat.S_IMODE(os.stat("/dev/null").st_mode)
    rc, out, err = run_to_end(["export", "--format", "dot", "-r", RUN_REC, "-o", "/dev/null"], 60)
    c.eq("export -o /dev/null: exit status (%r)" % err[-300:], 0, rc)
    c.eq("export -o /dev/null: its mode", oct(mode), oct(stat.S_IMODE(os.stat("/dev/null").st_mode)))
    rc, out, err = run_to_end(["export", "--format", "dot", "-r", RUN_REC, "-o", "/dev/stdout"], 60)
    c.eq("export -o /dev/stdout: exit status (%r)" % err[-300:], 0, rc)
    c.ok("export -o /dev/stdout: the graph on stdout", out.startswith(b"digraph proclife {"))
    if os.geteuid() != 0:
        raise Skip("watch -o needs root (export -o and run --summary-json were checked)")
    log = os.path.join(d, "events.json")
    common.write_bytes(log, b"")
    os.chmod(log, 0o644)
    t = start_proclife(["watch", "--json", "-e", "exec", "-o", log, "--append"])
    c.eq("watch -o an existing 0644 file --append: its mode", "0o600", oct(stat.S_IMODE(os.stat(log).st_mode)))
    c.eq("watch: exit status after SIGINT", 0, t.stop())


# --------------------------------------------------------------------------
# --rotate-existing across a restart loop


class env_set:
    def __init__(self, k, v):
        self.k, self.v = k, v

    def __enter__(self):
        self.old = os.environ.get(self.k)
        os.environ[self.k] = self.v

    def __exit__(self, *a):
        if self.old is None:
            del os.environ[self.k]
        else:
            os.environ[self.k] = self.old


def test_rotate_existing_restart_loop(c):
    d = tmpdir("pl_disk_")
    rec = os.path.join(d, "r.plr")
    args = ["record", "-w", rec, "--rotate-existing", "--rotate-count", "3"]
    # A real recording: its scan, a marker.
    t = start_proclife(args, (READY_RECORD % rec).encode())
    m = marker("pl-disk-real")
    wait_for(lambda: m in live_markers(rec, "pl-disk-"),
             "the marker in the recording", 30, 0.3)
    c.eq("the first recorder: exit status", 0, t.stop())
    real = common.read_bytes(rec)
    seq = common.rec_header(real)["seq"]
    # A recorder that fails at every start (as after an upgrade its kernel refuses it), started six times.
    with env_set("PROCLIFE_FEATURES_OFF", "core"):
        for k in range(6):
            rc, out, err = run_proclife(args, 60)
            c.eq("failing start %d: exit status (%r)" % (k, err[-300:]), 1, rc)
            if k:
                c.ok("failing start %d: stderr does not say the stub is replaced: %r" % (k, err[-400:]),
                     b"proclife: %s held no recording (its recorder stopped before its first /proc scan): replaced, "
                     b"not kept\n" % rec.encode() in err)
    c.eq("files after six failing starts", ["r.plr", "r.plr.1"], sorted(os.listdir(d)))
    c.ok("r.plr.1 is not the real recording byte for byte", common.read_bytes(rec + ".1") == real)
    c.eq("the stub's seq: on from the real one's", seq + 1, common.rec_header(common.read_bytes(rec))["seq"])
    # A good start again: the stub replaced, the real recording still kept.
    t = start_proclife(args, (READY_RECORD % rec).encode())
    c.eq("the recorder that works again: exit status", 0, t.stop())
    c.ok("r.plr.1 is not the real recording after a good start", common.read_bytes(rec + ".1") == real)
    c.eq("files at the end", ["r.plr", "r.plr.1"], sorted(os.listdir(d)))
    rc, events, err = replay_json(c, rec + ".1", "r.plr.1")
    c.eq("replay of the kept real recording: exit status (%r)" % err[-300:], 0, rc)
    c.eq("replay of the kept real recording: its marker", ["pl-disk-real"], exec_markers(events, "pl-disk-"))


SUBTESTS = [
    ("recorder_full_disk", test_recorder_full_disk, ROOT),
    ("recorder_file_size_limit", test_recorder_file_size_limit, ROOT),
    ("output_full_disk", test_output_full_disk, ROOT),
    ("append_after_half_line", test_append_after_half_line, ROOT),
    ("symlinked_outputs", test_symlinked_outputs, ()),
    ("output_modes", test_output_modes, ()),
    ("rotate_existing_restart_loop", test_rotate_existing_restart_loop, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="disk_", subtest_timeout=SUBTEST_TIMEOUT))
