#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of `proclife export`: a scenario is recorded live with
`proclife record -w FILE` (a parent P forks A, which execs sh then sleep and
is stopped, continued and killed by SIGTERM from the test, and B, which exits
3; hostile bytes in argv), then exported, and the export is compared with the
ground truth the scenario itself gives: the pids it reports, the statuses
waitpid returned, the argv it used, the comms /proc showed.

  --format perfetto: strict JSON; one track per scenario process, named
      "PID comm"; the tree order (process_sort_index) and the fork flows; the
      slices split at each exec with their names and argv, contiguous; the
      instants for SIGSTOP/SIGCONT/SIGTERM, stop, continue, exit and reap.
  --format dot: the nodes, labels, styles and edges of the scenario; parsed
      by Graphviz's dot when it is installed.
  -p PID, damaged and torn recordings, and the usage and file errors.

Usage: tests/e2e/test_export.py PATH/TO/proclife [SUBTEST...]
Needs root for the recordings (those subtests are skipped otherwise). Python
stdlib only.

Output, one line per subtest:
    PASS e2e/export_<name>
    FAIL e2e/export_<name>     (after indented lines saying what differed)
    SKIP e2e/export_<name>: <why>
Exit status 1 if any subtest failed, else 0.

The machine has other activity: the checks look only at the scenario's own
processes. Every wait has a deadline; what a subtest starts is killed and
reaped when it ends.
"""
import os
import re
import signal
import stat
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    MYPID, ROOT, Failure, Lines, Proclife, adopt_foreign, check_usage_error, my_comm, one_line, parse_json, popen,
    read_comm, reap_popen, run_proclife, status_truth, tmpdir, wait_asleep, wait_state,
)

SUBTEST_TIMEOUT = 120  # backstop for a whole subtest (SIGALRM)
EXPORT_TIMEOUT = 60.0  # one export of a short recording
READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"
PY = os.path.realpath(sys.executable)  # the real interpreter, not a pyenv shim (which forks)
LIMIT = 4194304  # PID_MAX_LIMIT: synthetic track ids start there
LABEL_ARGV_MAX = 96  # about this many bytes of argv in a DOT label (export_dot.c)

# In P's argv and in A's sh argv: an escape sequence, an invalid UTF-8 byte, a newline, a quote.
HOSTILE = b'evil\x1b[31m\xff\n"q'
HOSTILE_JSON = 'evil\x1b[31m\ufffd\n"q'  # what a JSON reader must get back (U+FFFD for the invalid byte)

# P: forks A (sh, then sleep 30, until the test kills it) and B (exits 3), reports their pids, waits for
# both and reports their statuses.
SCENARIO = r'''
import os, sys
a = os.fork()
if a == 0:
    os.execv("/bin/sh", [b"sh", b"-c", b"exec /bin/sleep 30", b"sh", os.fsencode(sys.argv[1])])
b = os.fork()
if b == 0:
    os._exit(3)
print("A %d B %d" % (a, b), flush=True)
_, sb = os.waitpid(b, 0)
_, sa = os.waitpid(a, 0)
print("SA %d SB %d" % (sa, sb), flush=True)
'''


# --------------------------------------------------------------------------
# Recording a scenario


class Scenario:
    """What happened, as the scenario and /proc told it."""


def record_scenario(tmp):
    """Record the scenario; returns a Scenario with the recording's path and the ground truth."""
    s = Scenario()
    s.rec = os.path.join(tmp, "rec.plr")
    s.script = os.path.join(tmp, "s.py")
    with open(s.script, "w") as f:
        f.write(SCENARIO)
    rec = Proclife(["record", "-w", s.rec], ready=(READY_RECORD % s.rec).encode())
    rec.wait_ready()
    s.me_comm = my_comm()
    s.argv_p = [PY.encode(), s.script.encode(), HOSTILE]
    p = popen(s.argv_p, stdout=subprocess.PIPE)
    s.P = p.pid
    out = Lines(p.stdout)
    m = re.fullmatch(rb"A (\d+) B (\d+)", out.wait_for(b"A "))
    if not m:
        raise Failure("the scenario said something else than its children's pids")
    s.A, s.B = int(m.group(1)), int(m.group(2))
    adopt_foreign(s.A)  # killed when the subtest ends, should it fail before the test kills it
    s.p_comm = read_comm(s.P)
    wait_asleep(s.A)
    os.kill(s.A, signal.SIGSTOP)
    wait_state(s.A, ("T",))
    os.kill(s.A, signal.SIGCONT)
    wait_state(s.A, ("S", "R"))
    os.kill(s.A, signal.SIGTERM)
    m = re.fullmatch(rb"SA (\d+) SB (\d+)", out.wait_for(b"SA "))
    if not m:
        raise Failure("the scenario did not report its children's statuses")
    s.status_a, s.status_b = int(m.group(1)), int(m.group(2))
    s.status_p = reap_popen(p)
    rc = rec.stop(signal.SIGINT)
    if rc != 0:
        raise Failure("proclife record exited %r; stderr %r" % (rc, rec.stderr_bytes()))
    return s


def export(args, timeout=EXPORT_TIMEOUT):
    """proclife export ARGS; returns (exit status, stdout, stderr)."""
    rc, out, err = run_proclife(["export"] + args, timeout=timeout)
    if rc is None:
        raise Failure("proclife export %s did not finish within %g s" % (" ".join(args), timeout))
    return rc, out, err


# --------------------------------------------------------------------------
# Reading a Perfetto export


def ns(us):
    """A ts or dur (microseconds, 3 decimals) as integer nanoseconds, exactly."""
    return round(us * 1000)


class Trace:
    def __init__(self, doc):
        self.doc = doc
        self.events = doc["traceEvents"]
        self.names = {}  # JSON pid -> process_name
        self.sort = {}  # JSON pid -> sort_index
        for e in self.events:
            if e.get("ph") == "M" and e.get("name") == "process_name":
                self.names.setdefault(e["pid"], []).append(e["args"]["name"])
            if e.get("ph") == "M" and e.get("name") == "process_sort_index":
                self.sort[e["pid"]] = e["args"]["sort_index"]

    def tracks_named(self, name):
        return [j for j, names in self.names.items() if name in names]

    def on(self, jid, ph, cat=None):
        """Events of a track, in time order (file order among equal times)."""
        evs = [e for e in self.events if e.get("pid") == jid and e.get("ph") == ph
               and (cat is None or e.get("cat") in cat)]
        return sorted(evs, key=lambda e: ns(e["ts"]))


def track_of(c, t, pid, comm):
    """The one track named "PID comm"; None (a failure recorded) when not exactly one."""
    name = "%d %s" % (pid, comm)
    j = c.one("tracks named %r" % name, t.tracks_named(name),
              lambda: "  tracks of pid %d: %r" % (pid, {k: v for k, v in t.names.items() if k % LIMIT == pid}))
    if j is not None:
        c.eq("process_name events of track %r" % name, [name], t.names[j])
    return j


def check_contiguous(c, what, slices):
    for x, y in zip(slices, slices[1:]):
        c.eq("%s: slice %r ends where %r begins (ns)" % (what, x["name"], y["name"]), ns(y["ts"]),
             ns(x["ts"]) + ns(x["dur"]))


def exit_args(status, killed_by=None):
    truth = status_truth(status)
    truth["signame"] = None if truth["term_signal"] is None else signal.Signals(truth["term_signal"]).name
    truth["killed_by"] = killed_by
    return truth


def check_perfetto(c, s, doc):
    t = Trace(doc)
    c.ok("ts of every event >= 0", all(e.get("ts", 0) >= 0 for e in t.events))
    c.ok("otherData.recording_start: %r" % doc.get("otherData"),
         re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", str(doc.get("otherData", {}).get("recording_start"))))
    c.eq("displayTimeUnit", "ms", doc.get("displayTimeUnit"))
    me = track_of(c, t, MYPID, s.me_comm)
    jp = track_of(c, t, s.P, s.p_comm)
    ja = track_of(c, t, s.A, "sleep")
    jb = track_of(c, t, s.B, s.p_comm)
    if None in (me, jp, ja, jb):
        return

    # The tree: P right after... its subtree: P, then A and B in birth order; P somewhere under the test.
    c.eq("sort_index of A (P's first child)", t.sort.get(jp, -1) + 1, t.sort.get(ja))
    c.eq("sort_index of B (P's second child)", t.sort.get(jp, -1) + 2, t.sort.get(jb))
    c.ok("sort_index of P (%r) after the test's (%r)" % (t.sort.get(jp), t.sort.get(me)),
         t.sort.get(jp, -1) > t.sort.get(me, 10 ** 9))
    c.eq("sort indices: one per track, 0..n-1", list(range(len(t.names))), sorted(t.sort.values()))

    # The test: in the recording's snapshot.
    first = t.on(me, "X")
    if c.ok("slices of the test's track", first):
        c.fields("the test's first slice", first[0], {"ts": 0.0, "name": s.me_comm})
        c.fields("the test's first slice args", first[0]["args"], {"pid": MYPID, "origin": "before the recording"})

    # P: forked by the test (a flow from the test's fork instant), then the interpreter; exit 0, reaped by us.
    sp = t.on(jp, "X")
    c.eq("P's slices", ["%s (forked)" % s.me_comm, os.path.basename(PY), "zombie"], [x["name"] for x in sp])
    check_contiguous(c, "P", sp)
    if len(sp) == 3:
        c.fields("P's exec slice args", sp[1]["args"], {
            "pid": s.P, "ppid": MYPID, "filename": PY, "argv": [PY, s.script, HOSTILE_JSON]})
        c.ok("P's first slice starts after the recording's start: %r" % sp[0]["ts"], sp[0]["ts"] > 0)
    check_fork(c, t, me, MYPID, jp, s.P)
    pi = t.on(jp, "i", ("exit", "reap"))
    c.eq("P's exit and reap instants", ["exit 0", "reaped by %d" % MYPID], [e["name"] for e in pi])
    if len(pi) == 2:
        c.eq("P's exit args", exit_args(s.status_p), pi[0]["args"])
        c.eq("P's reap args", {"reaper_pid": MYPID, "reaper_comm": s.me_comm, "how": "wait"}, pi[1]["args"])
        if len(sp) == 3:
            c.eq("P's exec slice ends at its exit (ns)", ns(pi[0]["ts"]), ns(sp[1]["ts"]) + ns(sp[1]["dur"]))
            c.eq("P's zombie slice ends at its reap (ns)", ns(pi[1]["ts"]), ns(sp[2]["ts"]) + ns(sp[2]["dur"]))

    # A: forked by P, sh with the hostile argument, sleep; stopped, continued, killed by our SIGTERM.
    sa = t.on(ja, "X")
    c.eq("A's slices", ["%s (forked)" % s.p_comm, "sh", "sleep", "zombie"], [x["name"] for x in sa])
    check_contiguous(c, "A", sa)
    if len(sa) == 4:
        c.eq("A's first slice args", {"pid": s.A, "ppid": s.P}, sa[0]["args"])
        c.eq("A's sh slice args", {"pid": s.A, "ppid": s.P, "filename": "/bin/sh",
                                   "argv": ["sh", "-c", "exec /bin/sleep 30", "sh", HOSTILE_JSON]}, sa[1]["args"])
        c.eq("A's sleep slice args", {"pid": s.A, "ppid": s.P, "filename": "/bin/sleep",
                                      "argv": ["/bin/sleep", "30"]}, sa[2]["args"])
        c.eq("A's zombie slice args", dict(status_truth(s.status_a), pid=s.A, signame="SIGTERM"), sa[3]["args"])
    check_fork(c, t, jp, s.P, ja, s.A)
    ai = t.on(ja, "i")
    sent = {"from_pid": MYPID, "from_comm": s.me_comm, "result": "delivered", "how": "kill"}
    expected = [
        ("signal", "SIGSTOP", dict(sent, signal="SIGSTOP", sig=int(signal.SIGSTOP))),
        ("state", "stopped", {"signal": "SIGSTOP"}),
        # SIGCONT resumes the process as it is generated; then its default action, ignore, drops it.
        ("signal", "SIGCONT", dict(sent, signal="SIGCONT", sig=int(signal.SIGCONT), result="ignored")),
        ("state", "continued", {"signal": "SIGCONT"}),
        ("signal", "SIGTERM", dict(sent, signal="SIGTERM", sig=int(signal.SIGTERM))),
        ("exit", "killed by SIGTERM", exit_args(s.status_a, {"pid": MYPID, "comm": s.me_comm, "signal": "SIGTERM",
                                                              "how": "kill"})),
        ("reap", "reaped by %d" % s.P, {"reaper_pid": s.P, "reaper_comm": s.p_comm, "how": "wait"}),
    ]
    c.eq("A's instants (cat, name, args)", expected, [(e["cat"], e["name"], e["args"]) for e in ai])
    if len(ai) == 7 and len(sa) == 4:
        c.eq("A's sleep slice ends at its exit (ns)", ns(ai[5]["ts"]), ns(sa[2]["ts"]) + ns(sa[2]["dur"]))
        c.eq("A's zombie slice ends at its reap (ns)", ns(ai[6]["ts"]), ns(sa[3]["ts"]) + ns(sa[3]["dur"]))

    # B: forked, exit 3, reaped by P.
    sb = t.on(jb, "X")
    c.eq("B's slices", ["%s (forked)" % s.p_comm, "zombie"], [x["name"] for x in sb])
    check_contiguous(c, "B", sb)
    check_fork(c, t, jp, s.P, jb, s.B)
    bi = t.on(jb, "i")
    c.eq("B's instants (cat, name, args)", [
        ("exit", "exit 3", exit_args(s.status_b)),
        ("reap", "reaped by %d" % s.P, {"reaper_pid": s.P, "reaper_comm": s.p_comm, "how": "wait"}),
    ], [(e["cat"], e["name"], e["args"]) for e in bi])


def check_fork(c, t, jparent, parent, jchild, child):
    """The parent's fork instant, and a flow from it to the child's first slice, all at the child's birth."""
    first = t.on(jchild, "X")
    forks = [e for e in t.on(jparent, "i", ("fork",)) if e["args"] == {"child_pid": child}]
    fi = c.one("fork instants of %d for child %d" % (parent, child), forks)
    ends = t.on(jchild, "f")
    f = c.one("flow ends on %d's track" % child, ends)
    if fi is None or f is None or not first:
        return
    starts = [e for e in t.on(jparent, "s") if e.get("id") == f.get("id")]
    s = c.one("flow starts on %d's track for id %r" % (parent, f.get("id")), starts)
    c.fields("flow end to %d" % child, f, {"cat": "fork", "name": "fork", "bp": "e", "ts": first[0]["ts"]})
    if s is not None:
        c.fields("flow start from %d" % parent, s, {"cat": "fork", "name": "fork", "ts": fi["ts"]})
    c.eq("%d's fork instant at %d's first slice (ns)" % (parent, child), ns(first[0]["ts"]), ns(fi["ts"]))


# --------------------------------------------------------------------------
# Reading a DOT export

NODE_RE = re.compile(r'\t(p(\d+)_\d+) \[label="((?:[^"\\]|\\.)*)"(.*)\];')
EDGE_RE = re.compile(r'\t(p\d+_\d+) -> (p\d+_\d+)(?: \[(.*)\])?;')


def dot_text_arg(b):
    """escape__text_arg() of a byte string, for what this suite uses (ASCII, ESC, one invalid byte, \\n, ")."""
    if b and re.fullmatch(rb"[A-Za-z0-9_\-./:=@%+,^~]+", b):
        return b.decode()
    out = ""
    for ch in b:
        c = chr(ch)
        if c == "\\":
            out += "\\\\"
        elif c == '"':
            out += '\\"'
        elif c == "\n":
            out += "\\n"
        elif ch < 0x20 or ch >= 0x7f:
            out += "\\x%02x" % ch
        else:
            out += c
    return '"' + out + '"'


def dot_quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def argv_label(argv):
    """The label's argv line: escaped args, cut after LABEL_ARGV_MAX bytes with " ..." (export_dot.c)."""
    out = ""
    for i, a in enumerate(argv):
        out += (" " if i else "") + dot_text_arg(a)
        if len(out.encode()) > LABEL_ARGV_MAX and i + 1 < len(argv):
            out += " ..."
            break
    return dot_quote(out)


def check_dot(c, s, data):
    c.ok("the DOT is valid UTF-8", data.decode("utf-8", "replace").encode() == data)
    c.ok("no ESC, no 0xff, no control byte but newline and tab in the DOT",
         not re.search(rb"[\x00-\x08\x0b-\x1f\x7f\xff]", data))
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    c.eq("first line", "digraph proclife {", lines[0])
    c.eq("last lines", ["}", ""], lines[-2:])
    nodes, edges = {}, set()
    for ln in lines[1:-2]:
        m = NODE_RE.fullmatch(ln)
        if m:
            nodes.setdefault(int(m.group(2)), []).append((m.group(1), m.group(3), m.group(4)))
            continue
        m = EDGE_RE.fullmatch(ln)
        if m:
            edges.add((m.group(1), m.group(2), m.group(3)))
            continue
        c.ok("a DOT line is a node or an edge: %r" % ln, ln.startswith("\tgraph ") or ln.startswith("\tnode "))
    ids = {}
    for pid, label, attrs in [
        (s.P, "%d %s\\n%s\\nexit 0" % (s.P, s.p_comm, argv_label(s.argv_p)), ', style="dotted", color="grey"'),
        (s.A, "%d sleep\\n/bin/sleep 30\\nkilled by SIGTERM" % s.A, ', style="dotted", color="red", penwidth=2'),
        (s.B, "%d %s\\nexit 3" % (s.B, s.p_comm), ', style="dotted", color="grey"'),
    ]:
        n = c.one("nodes of pid %d" % pid, nodes.get(pid, []))
        if n:
            ids[pid] = n[0]
            c.eq("label of %d" % pid, label, n[1])
            c.eq("style of %d" % pid, attrs, n[2])
    me = c.one("nodes of the test (pid %d)" % MYPID, nodes.get(MYPID, []))
    if me and s.P in ids:
        c.ok("edge test -> P", (me[0], ids[s.P], None) in edges)
    for child in (s.A, s.B):
        if s.P in ids and child in ids:
            c.ok("edge P %d -> %d" % (s.P, child), (ids[s.P], ids[child], None) in edges)
    if s.P in ids:
        c.eq("edges into P", 1, len([e for e in edges if e[1] == ids[s.P]]))


# --------------------------------------------------------------------------
# Subtests


def test_scenario(c, tmp):
    s = record_scenario(tmp)
    out_json = os.path.join(tmp, "out.json")

    rc, out, err = export(["--format", "perfetto", "-r", s.rec, "-o", out_json])
    c.eq("perfetto export: exit status", 0, rc)
    c.eq("perfetto export: stdout", b"", out)
    c.eq("perfetto export: stderr", b"", err)
    c.eq("mode of the output", 0o600, stat.S_IMODE(os.stat(out_json).st_mode))
    with open(out_json, "rb") as f:
        data = f.read()
    doc = parse_json(data, "the perfetto export")
    check_perfetto(c, s, doc)

    # The same to stdout, byte for byte.
    rc, out, err = export(["--format", "perfetto", "-r", s.rec])
    c.eq("perfetto export to stdout: exit status", 0, rc)
    c.ok("perfetto export to stdout is the -o file byte for byte", out == data)

    # -p P: P and its children only.
    rc, out, err = export(["--format", "perfetto", "-r", s.rec, "-p", str(s.P)])
    c.eq("perfetto export -p: exit status", 0, rc)
    t = Trace(parse_json(out, "the perfetto export -p"))
    c.eq("perfetto export -p: tracks", sorted(["%d %s" % (s.P, s.p_comm), "%d sleep" % s.A, "%d %s" % (s.B, s.p_comm)]),
         sorted(n for names in t.names.values() for n in names))
    c.eq("perfetto export -p: sort indices", [0, 1, 2], sorted(t.sort.values()))

    # DOT.
    rc, out, err = export(["--format", "dot", "-r", s.rec])
    c.eq("dot export: exit status", 0, rc)
    c.eq("dot export: stderr", b"", err)
    check_dot(c, s, out)

    # An existing output is replaced (and keeps its mode: O_TRUNC).
    rc, out, err = export(["--format", "dot", "-r", s.rec, "-o", out_json])
    c.eq("dot export over the perfetto file: exit status", 0, rc)
    with open(out_json, "rb") as f:
        c.ok("the file now holds the DOT", f.read().startswith(b"digraph proclife {\n"))

    # An output that cannot be created: one line, exit 1.
    rc, out, err = export(["--format", "perfetto", "-r", s.rec, "-o", os.path.join(tmp, "no", "such", "dir.json")])
    c.eq("unwritable -o: exit status", 1, rc)
    c.ok("unwritable -o: one line on stderr: %r" % err, one_line(err, b"proclife export: "))


def test_damaged(c, tmp):
    """A torn recording (cut mid-block) exports what it holds with a warning, exit 0; a corrupt one exits 1
    but still writes valid JSON for what was read."""
    s = record_scenario(tmp)
    with open(s.rec, "rb") as f:
        data = f.read()
    torn = os.path.join(tmp, "torn.plr")
    with open(torn, "wb") as f:
        f.write(data[:-20])
    rc, out, err = export(["--format", "perfetto", "-r", torn])
    c.eq("torn: exit status", 0, rc)
    c.ok("torn: one warning line on stderr: %r" % err, one_line(err, b"proclife: "))
    parse_json(out, "the export of a torn recording")
    bad = os.path.join(tmp, "bad.plr")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xff
    with open(bad, "wb") as f:
        f.write(bytes(flipped))
    for fmt in ("perfetto", "dot"):
        rc, out, err = export(["--format", fmt, "-r", bad])
        c.eq("corrupt (%s): exit status" % fmt, 1, rc)
        c.ok("corrupt (%s): one error line on stderr: %r" % (fmt, err), one_line(err, b"proclife: "))
        if fmt == "perfetto":
            parse_json(out, "the export of a corrupt recording")
        else:
            c.ok("corrupt (dot): the graph is closed: %r" % out[-50:], out.endswith(b"\n}\n"))


def test_graphviz_parses(c, tmp):
    s = record_scenario(tmp)
    out = os.path.join(tmp, "out.dot")
    rc, _, err = export(["--format", "dot", "-r", s.rec, "-o", out])
    c.eq("dot export: exit status", 0, rc)
    r = subprocess.run(["dot", "-Tcanon", out], capture_output=True, timeout=60)
    c.eq("dot -Tcanon: exit status (stderr %r)" % r.stderr[:500], 0, r.returncode)
    c.ok("dot -Tcanon: nothing on stderr: %r" % r.stderr[:500], r.stderr == b"")


def test_usage_errors(c, tmp):
    rec = os.path.join(tmp, "whatever.plr")
    for args in (["-r", rec], ["--format", "svg", "-r", rec], ["--format", "perfetto"], ["--format"],
                 ["--format", "dot", "-r", rec, "extra"], ["--bogus", "--format", "dot", "-r", rec],
                 ["--format", "dot", "-r", rec, "-p", "0"], ["--format", "dot", "-r", rec, "-p", "x"],
                 ["--format", "dot", "-r", ""]):
        rc, out, err = run_proclife(["export"] + args)
        check_usage_error(c, "proclife export %s" % " ".join(args), rc, out, err, b"proclife export:")


def test_file_errors(c, tmp):
    garbage = os.path.join(tmp, "garbage.plr")
    with open(garbage, "wb") as f:
        f.write(b"this is not a recording\n" * 10)
    out_path = os.path.join(tmp, "out.json")
    for what, path in (("missing file", os.path.join(tmp, "missing.plr")), ("not a recording", garbage),
                       ("a directory", tmp)):
        rc, out, err = run_proclife(["export", "--format", "perfetto", "-r", path, "-o", out_path])
        c.eq("%s: exit status" % what, 1, rc)
        c.eq("%s: stdout" % what, b"", out)
        c.ok("%s: one line on stderr starting with 'proclife export: %s': %r" % (what, path, err),
             one_line(err, ("proclife export: %s" % path).encode()))
        c.ok("%s: no output file made" % what, not os.path.exists(out_path))
    rc, out, err = run_proclife(["export", "--help"])
    c.eq("--help: exit status", 0, rc)
    c.ok("--help: usage on stdout: %r" % out[:200], out.startswith(b"Usage: proclife export --format perfetto|dot"))


def with_tmp(name, fn):
    """A subtest fn(c, tmp) as fn(c): tmp is a directory of its own, removed when it ends."""
    return lambda c: fn(c, tmpdir("plexport-%s-" % name))


SUBTESTS = [(name, with_tmp(name, fn), needs) for name, fn, needs in [
    ("scenario", test_scenario, ROOT),
    ("damaged", test_damaged, ROOT),
    ("graphviz_parses", test_graphviz_parses, ROOT + ("dot",)),
    ("usage_errors", test_usage_errors, ()),
    ("file_errors", test_file_errors, ()),
]]


if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="export_", subtest_timeout=SUBTEST_TIMEOUT))
