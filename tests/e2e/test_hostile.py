#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Hostile text on its way to a terminal (issue 20, findings 1 and 7): every
string a recording or a process carries (META's hostname, command and feature
reasons, comms, filenames, argv, snapshot cmdlines, file names given on the
command line) made of what a terminal acts on (ESC ]0;...BEL retitles it,
ESC [2J clears it, C1 controls, invalid UTF-8, a newline that fakes a line) or
that reads differently from what it is (U+202E, U+200B, tags), through every
path to the screen:

  - each command replaying tests/fuzz/make_corpus.py's hostile_text() and
    hostile_text(run=True) recordings (watch, tree, zombies, signals, life,
    run and its summaries, export dot and perfetto; text, JSON and files
    written with -o): text output is printable UTF-8 only, with none of
    those characters raw, and shows them escaped (\\x1b, \\u202e); JSON is
    strict, decodes to exactly what was recorded, and escapes them too; DOT
    is well quoted;
  - stderr: the recording's feature reasons, and file names given with -r
    (a torn recording's warning, a command's error line), escaped;
  - top (live, in tmux): a process whose name and argv are hostile shows
    escaped; the terminal's title and screen are its own.

Usage: tests/e2e/test_hostile.py PATH/TO/proclife [SUBTEST...]
The replays need no root; top needs root and tmux. Python stdlib only.

Output, one line per subtest:
    PASS e2e/hostile_<name>
    FAIL e2e/hostile_<name>     (after indented lines saying what differed)
    SKIP e2e/hostile_<name>: <why>
"""
import json
import os
import re
import select
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
import common  # noqa: E402
import make_corpus as mc  # noqa: E402
from common import MYPID, ROOT, Failure, parse_json, popen, run_proclife, strict_json, tmpdir, wait_for  # noqa: E402

SUBTEST_TIMEOUT = 120
REPLAY_TIMEOUT = 20.0

# Code points that must never reach a terminal raw (base/escape.h): C0 but newline and tab, DEL, C1,
# and the invisible ones (Unicode's Default_Ignorable_Code_Point, U+2028, U+2029, U+FFF9..U+FFFB).
INVISIBLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
             (0x180B, 0x180F), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
             (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB), (0x1BCA0, 0x1BCA3),
             (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]


def unsafe(ch):
    cp = ord(ch)
    return (cp < 0x20 and ch not in "\n\t") or 0x7F <= cp <= 0x9F or any(lo <= cp <= hi for lo, hi in INVISIBLE)


def check_terminal_safe(c, what, data):
    """data (bytes) is what a terminal may be shown: valid UTF-8, no unsafe character raw."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        c.fail("%s: not valid UTF-8 (%s): %r" % (what, e, data[max(0, e.start - 40):e.end + 40]))
        return
    bad = [(i, ch) for i, ch in enumerate(text) if unsafe(ch)]
    if bad:
        i, ch = bad[0]
        c.fail("%s: %d characters a terminal acts on, shown raw; the first, U+%04X, in %r"
               % (what, len(bad), ord(ch), text[max(0, i - 60):i + 20]))


def esc(b):
    """What escape__text() shows for bytes b (base/escape.h), as the tests expect it."""
    out, i = [], 0
    while i < len(b):
        for n in (4, 3, 2, 1):
            try:
                ch = b[i:i + n].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                break
        else:
            out.append("\\x%02x" % b[i])
            i += 1
            continue
        cp = ord(ch)
        if ch in "\\\n\t\r":
            out.append({"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif cp < 0x20 or cp == 0x7F:
            out.append("\\x%02x" % cp)
        elif unsafe(ch):
            out.append("\\u%04x" % cp if cp <= 0xFFFF else "\\U%08x" % cp)
        else:
            out.append(ch)
        i += len(ch.encode())
    return "".join(out)


def json_text(b):
    """What a JSON reader gets back for bytes b: one U+FFFD for each invalid byte."""
    return b.decode("utf-8", "replace")


COMM = esc(mc.HOSTILE_COMM)  # the comm, escaped
ARG = '"%s"' % esc(mc.BIDI + b"gpj.exe")  # an argv element that reads backwards raw, quoted
FILENAME = esc(mc.HOSTILE)
REASONS = [  # what the stderr says of the recording's feature reasons
    "this recording was made with signal delivery (deliver, stop, continue) off on its kernel: %s"
    % esc(mc.ESC_TITLE + mc.ESC_CLEAR),
    "this recording was made with syscall tracing (failed execs, reapers by wait, refused kills) off on its "
    "kernel: no reason recorded",
    "this recording was made with rename tracing (rename events) reduced on its kernel: %s"
    % esc(mc.BIDI + b"deifidom" + mc.ZWSP),
    "this recording was made with OOM-killer attribution (killed_by oom) off on its kernel: %s"
    % esc(b"\xff\xfe\nproclife: fake line" + mc.C1_CSI),
]

def recording(run=False):
    """The hostile recording (make_corpus.py's, written afresh: the same bytes as the seed)."""
    path = os.path.join(tmpdir("pl-hostile-"), "hostile_%s.plr" % ("run" if run else "text"))
    common.write_bytes(path, mc.hostile_text(run=run))
    return path


def replay(c, args, run=False, rc_want=0):
    """proclife ARGS -r the recording: (stdout, stderr), after checking it ended with rc_want."""
    path = recording(run)
    rc, out, err = run_proclife(args + ["-r", path], timeout=REPLAY_TIMEOUT)
    what = "proclife " + " ".join(args)
    if rc is None:
        raise Failure("%s: still running after %g s" % (what, REPLAY_TIMEOUT))
    c.eq("%s: exit status (stderr %r)" % (what, err[-300:]), rc_want, rc)
    return out, err


def check_stderr(c, what, err):
    check_terminal_safe(c, what + ": stderr", err)
    text = err.decode("utf-8", "replace")
    for r in REASONS:
        c.ok("%s: stderr lacks the line\n  proclife: %s\n  got:\n%s" % (what, r, common.indent(text)),
             ("proclife: %s\n" % r) in text)


def check_text(c, what, out, err, wants):
    """Text output: terminal-safe, and showing each of wants (the escaped forms)."""
    check_terminal_safe(c, what + ": stdout", out)
    check_stderr(c, what, err)
    text = out.decode("utf-8", "replace")
    for w in wants:
        c.ok("%s: stdout does not show %r:\n%s" % (what, w, common.indent(text[:3000])), w in text)


# The journeys: each command's text output, and what it must show of the recording, escaped.
def t_watch_text(c):
    out, err = replay(c, ["watch"])
    check_text(c, "watch", out, err, [
        "%s%schild 510" % (COMM, " " * 21),  # comm, past its column, then the blank CONTAINER column
        ARG, '"%s"' % esc(mc.ZWSP + b"rm"), '"%s"' % esc(mc.ESC_TITLE + mc.ESC_CLEAR),  # argv
        "(/tmp/%s)" % FILENAME,  # exec's filename
        "%s: ENOENT" % FILENAME,  # exec_failed's
        "renamed to %s" % esc(mc.BIDI + b"\x1b[31m" + mc.ZWSP + b"x"),
        "SIGTERM -> 510 (%s)" % COMM, "killed by SIGTERM from 500 (%s)" % COMM, "reaped by 500 (%s)" % COMM,
        "not reaped by its parent 500 (%s)" % COMM,  # the zombie event
    ])
    # No line of the stream starts anywhere but at a line of its own (a newline in a name is \n).
    for ln in out.decode("utf-8", "replace").split("\n")[1:-1]:
        c.ok("watch: a line that is no event: %r" % ln, re.match(r"^\d\d:\d\d:\d\d\.\d{3} \w", ln))


def t_watch_output_file(c):
    d = tmpdir("pl-hostile-o-")
    path = os.path.join(d, "events.txt")
    out, err = replay(c, ["watch", "-o", path])
    c.eq("watch -o: stdout", b"", out)
    check_text(c, "watch -o FILE", common.read_bytes(path), err, [ARG, "(/tmp/%s)" % FILENAME])


def t_watch_json(c):
    out, err = replay(c, ["watch", "--json"])
    check_stderr(c, "watch --json", err)
    check_terminal_safe(c, "watch --json: stdout", out)
    events = common.parse_json_lines(c, out)
    execs = [e for e in events if e["event"] == "exec" and e["pid"] == 510]
    ex = c.one("watch --json: the exec of 510", execs)
    if ex:
        c.eq("its argv, as recorded", [json_text(a) for a in mc.HOSTILE_ARGV], ex["argv"])
        c.eq("its filename", json_text(b"/tmp/" + mc.HOSTILE), ex["filename"])
        c.eq("its comm", json_text(mc.HOSTILE_COMM), ex["comm"])
    # Invisible characters are escaped in JSON too (\u202e), not written raw.
    c.ok("watch --json: U+202E is not written \\u202e", b"\\u202egpj.exe" in out)
    c.ok("watch --json: U+E0041 is not its surrogate pair", b"\\udb40\\udc41x" in out)


def t_tree(c):
    out, err = replay(c, ["tree"])
    check_text(c, "tree", out, err, [
        "500 ls %s" % ARG, '502 "%s"  <stopped>' % FILENAME, "501 %s  <zombie" % COMM,
    ])
    out, err = replay(c, ["tree", "--json"])
    check_terminal_safe(c, "tree --json", out)
    nodes, _, _ = common.flatten_tree(c, parse_json(out, "tree --json"), "tree --json")
    n = nodes.get(500)
    if c.ok("tree --json: no pid 500", n):
        c.eq("tree --json: 500's argv, from the snapshot", [json_text(a) for a in mc.HOSTILE_ARGV], n["argv"])


def t_zombies(c):
    out, err = replay(c, ["zombies"])
    check_text(c, "zombies", out, err, ["511     %s exit 5" % COMM, "500 (%s)" % COMM])
    out, err = replay(c, ["zombies", "--json"])
    check_terminal_safe(c, "zombies --json", out)
    z = {n["pid"]: n for n in parse_json(out, "zombies --json")}
    c.ok("zombies --json: no zombie 511", 511 in z)
    if 511 in z:
        c.eq("zombies --json: 511's comm", json_text(mc.HOSTILE_COMM), z[511]["comm"])


def t_signals(c):
    out, err = replay(c, ["signals"])
    check_text(c, "signals", out, err, ["500 (%s) root         -       510 (%s)" % (COMM, COMM)])  # SENDER USER TTY TARGET
    out, err = replay(c, ["signals", "--json"])
    check_terminal_safe(c, "signals --json", out)
    rows = parse_json(out, "signals --json")["signals"]
    r = c.one("signals --json: the SIGTERM", rows)
    if r:
        c.eq("its target's comm", json_text(mc.HOSTILE_COMM), r["target"]["comm"])


def t_life(c):
    out, err = replay(c, ["life", "510"])
    check_text(c, "life 510", out, err, [
        "pid 510, life 1 of 1: ls %s" % ARG, "exec_failed  %s: ENOENT" % FILENAME,
        "forked by 500 (%s)" % COMM, "rename       %s -> " % COMM,
    ])
    out, err = replay(c, ["life", "500"])
    check_text(c, "life 500", out, err, ["  511     \"%s\"" % FILENAME])
    out, err = replay(c, ["life", "510", "--json"])
    check_terminal_safe(c, "life --json", out)
    doc = parse_json(out, "life --json")
    c.eq("life --json: the argv", [json_text(a) for a in mc.HOSTILE_ARGV], doc[0]["argv"])


def t_run(c):
    d = tmpdir("pl-hostile-run-")
    summary = os.path.join(d, "summary.json")
    # It exits as the recorded command did (killed by SIGTERM: 128 + 15).
    out, err = replay(c, ["run", "--summary-json", summary], run=True, rc_want=143)
    check_text(c, "run", out, err, [
        "510 ls %s" % ARG, "killed by SIGTERM from 500 (%s)" % COMM,
        "left behind, still running:\n  500 %s" % COMM, "(/tmp/%s)" % FILENAME,
    ])
    doc = parse_json(common.read_bytes(summary), "run --summary-json")
    check_terminal_safe(c, "run --summary-json", common.read_bytes(summary))
    c.ok("run --summary-json: no processes", doc["processes"])
    out, err = replay(c, ["run", "--json", "-q"], run=True, rc_want=143)
    check_terminal_safe(c, "run --json -q: stdout", out)
    check_terminal_safe(c, "run --json -q: stderr", err)


def check_dot_strings(c, what, text):
    """Every DOT string well formed: a quote starts and ends it, inside only \\\\, \\" and \\n escapes;
    what is inside, unescaped, is terminal-safe and has no raw quote left to break out."""
    n = 0
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text):
        n += 1
        body = m.group(1)
        escapes = set(re.findall(r'\\(.)', body))  # each escape whole, left to right
        c.ok("%s: a DOT string with an escape other than \\\\, \\\" and \\n (%r): %r" % (what, escapes, body[:200]),
             escapes <= {"\\", '"', "n"})
    rest = re.sub(r'"((?:[^"\\]|\\.)*)"', "", text)
    c.ok("%s: a quote outside a well-formed string: %r" % (what, rest[:300]), '"' not in rest)
    c.ok("%s: no DOT string at all" % what, n > 0)


def t_export_dot(c):
    out, err = replay(c, ["export", "--format", "dot"])
    check_text(c, "export dot", out, err, [])
    text = out.decode("utf-8", "replace")
    check_dot_strings(c, "export dot", text)
    # The label of 510, as DOT says it: escaped for the terminal, then for DOT.
    want = '510 %s\\n' % COMM.replace("\\", "\\\\")
    c.ok("export dot: 510's label starts %r" % want, want in text)
    c.ok("export dot: the bidi override escaped", '\\"\\\\u202egpj.exe\\"' in text)
    if common.missing(("dot",)) is None:
        p = subprocess.run(["dot", "-Tplain"], input=out, capture_output=True, timeout=60)
        c.eq("dot -Tplain accepts it (stderr %r)" % p.stderr[-300:], 0, p.returncode)


def t_export_perfetto(c):
    out, err = replay(c, ["export", "--format", "perfetto"])
    check_stderr(c, "export perfetto", err)
    check_terminal_safe(c, "export perfetto", out)
    doc = parse_json(out, "export perfetto")
    argvs = [e["args"]["argv"] for e in doc["traceEvents"] if e.get("args", {}).get("pid") == 510
             and "argv" in e.get("args", {})]
    c.ok("export perfetto: 510's slices carry its argv as recorded: %r" % argvs,
         [json_text(a) for a in mc.HOSTILE_ARGV] in argvs)


def t_file_names(c):
    """File names from the command line, in messages: a torn recording's warning and an error line."""
    d = tmpdir("pl-hostile-name-")
    name = os.path.join(d.encode(), b"rec" + mc.ESC_TITLE + mc.BIDI + b"\n.plr")
    data = mc.hostile_text()
    common.write_bytes(name, data[:len(data) - 4])  # torn: no end mark (the last block cut)
    p = subprocess.run([common.BIN, "watch", "-r", name], capture_output=True, timeout=REPLAY_TIMEOUT)
    check_terminal_safe(c, "watch -r TORN: stderr", p.stderr)
    shown = esc(name)
    c.ok("watch -r TORN: the file named escaped (%r) in %r" % (shown, p.stderr[-600:]),
         ("proclife: %s: " % shown).encode() in p.stderr)
    p = subprocess.run([common.BIN, "life", "9999", "-r", name], capture_output=True, timeout=REPLAY_TIMEOUT)
    c.eq("life 9999 -r TORN: exit status", 1, p.returncode)
    check_terminal_safe(c, "life 9999 -r TORN: stderr", p.stderr)
    c.ok("life 9999: one line naming the file escaped: %r" % p.stderr,
         ("pid 9999 does not appear in %s" % shown).encode() in p.stderr)
    p = subprocess.run([common.BIN, "watch", "-r", name + b".missing"], capture_output=True, timeout=REPLAY_TIMEOUT)
    check_terminal_safe(c, "watch -r MISSING: stderr", p.stderr)
    c.eq("watch -r MISSING: exit status", 1, p.returncode)


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def t_top_live(c):
    """top shows processes with a hostile name and argv escaped: a zombie that was one before top started
    (its label is its comm: /proc has no argv for it) and a live one (its argv); the terminal keeps its
    title and its screen."""
    d = tmpdir("pl-hostile-top-")
    tag = "Q%x" % MYPID  # in both names: what top's filter finds them by
    # The comm is the basename of what was executed: a link to sh with a hostile name (15 bytes at most).
    link = os.path.join(d.encode(), b"\x1b]0;" + tag.encode() + b"\x07" + mc.BIDI)
    os.symlink(b"/bin/sh", link)
    zombie = common.spawn([b"sh", b"-c", b"exit 3"], path=link)  # never waited for until the end
    # A group of its own, killed whole at the end: its sleep must not outlive the subtest holding the
    # suite's stdout (the runner's tee then waited 300 s for it).
    live = os.posix_spawn(link, [mc.BIDI + b"gpj.exe", b"-c", b"sleep 300; :", mc.ESC_TITLE + mc.ESC_CLEAR,
                                 mc.ZWSP + tag.encode()], dict(os.environ), setpgroup=0)
    common._pids.append(live)
    common.at_cleanup(lambda: kill_group(live))
    common.wait_state(zombie, ("Z",))
    wait_for(lambda: (common.read_proc(live, "cmdline") or b"").startswith(mc.BIDI), "the live one's argv")
    tm = common.Tmux("top", "%s top" % common.BIN, x=200, y=30, env=dict(os.environ, LC_ALL="C.UTF-8"),
                     prefix="plhostile")
    title = tm.display("#{pane_title}")
    tm.wait(lambda sc: sc.startswith("proclife top"), "top's header")
    tm.keys("/")
    tm.keys(tag, literal=True)
    tm.keys("Enter")
    wants = ["%d %s  <zombie: exit 3" % (zombie, esc(os.path.basename(link))), "%d %s -c" % (live, ARG)]
    screen = tm.wait(lambda sc: all(w in sc for w in wants), "both rows, escaped: %r" % wants)
    check_terminal_safe(c, "top's screen", screen.encode())
    c.eq("top: the pane's title (no process may retitle the terminal)", title, tm.display("#{pane_title}"))
    c.ok("top: the header is still on the first line", screen.startswith("proclife top"))


# ---- replaying as root gives root up (issue 20: "Replaying needs no privilege") ----

def big_recording(d, n=20000):
    """A valid recording of n execs with long command lines: megabytes of output, more than a pipe holds."""
    recs = [mc.meta(mc.START_NS, [b"proclife=0.1.0", b"hostname=big"])] + mc.BOOT
    for i in range(n):
        recs.append(mc.record(mc.EVENT, mc.ev_exec(mc.T + i, 100, 1, "bash", b"/bin/echo",
                                                   [b"echo", b"line-%06d" % i, b"x" * 80])))
    recs.append(mc.rtime(mc.END, mc.T + n + 1))
    head = mc.file_header()  # first: it starts the chain the blocks carry on
    blocks = [mc.block(recs[i:i + 2000], k) for k, i in enumerate(range(0, len(recs), 2000))]
    path = os.path.join(d, "big.plr")
    common.write_bytes(path, head + b"".join(blocks))
    return path, n


def status_fields(pid):
    """/proc/PID/status as {field: value}."""
    text = (common.read_proc(pid, "status") or b"").decode()
    return dict(ln.split(":\t", 1) for ln in text.splitlines() if ":\t" in ln)


def replay_blocked(c, argv, env=None):
    """proclife ARGV (a replay) with its stdout a pipe nobody reads until it wrote some: then, blocked
    on the full pipe mid-replay, its /proc/PID/status. Drains it and checks it ended well. (status, out)"""
    p = popen([common.BIN] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # Output comes only from the blocks of the recording, which are read after root is given up.
    r, _, _ = select.select([p.stdout], [], [], REPLAY_TIMEOUT)
    if not r:
        raise Failure("%s: no output within %g s" % (argv, REPLAY_TIMEOUT))
    st = status_fields(p.pid)
    out, err = p.communicate(timeout=REPLAY_TIMEOUT * 3)
    c.eq("%s: exit status (stderr %r)" % (" ".join(argv), err[-300:]), 0, p.returncode)
    return st, out


def t_replay_drops_root(c):
    """Root replaying a recording is nobody while it reads it: every uid and gid, no groups, no capability,
    no new privileges; with SUDO_UID/SUDO_GID, that user."""
    path, n = big_recording(tmpdir("pl-hostile-big-"))
    st, out = replay_blocked(c, ["watch", "-r", path])
    c.eq("mid-replay: Uid (real, effective, saved, fs)", "65534\t65534\t65534\t65534", st.get("Uid"))
    c.eq("mid-replay: Gid", "65534\t65534\t65534\t65534", st.get("Gid"))
    c.eq("mid-replay: supplementary groups", "", st.get("Groups", "").strip())
    c.eq("mid-replay: effective capabilities", "0000000000000000", st.get("CapEff"))
    c.eq("mid-replay: permitted capabilities", "0000000000000000", st.get("CapPrm"))
    c.eq("mid-replay: NoNewPrivs", "1", st.get("NoNewPrivs"))
    c.eq("every exec replayed", n, out.count(b" exec "))
    st, _ = replay_blocked(c, ["watch", "-r", path], env=dict(os.environ, SUDO_UID="4242", SUDO_GID="4343"))
    c.eq("with SUDO_UID=4242: Uid", "4242\t4242\t4242\t4242", st.get("Uid"))
    c.eq("with SUDO_GID=4343: Gid", "4343\t4343\t4343\t4343", st.get("Gid"))
    c.eq("with SUDO_UID: effective capabilities", "0000000000000000", st.get("CapEff"))


def t_replay_outputs_before_drop(c):
    """What a root replay writes is opened before it gives root up: -o FILE, export -o FILE and run's
    --summary-json FILE in a directory only root may write to (nobody could not create them there)."""
    d = tmpdir("pl-hostile-rootonly-")
    os.chmod(d, 0o700)
    rec, run_rec = recording(), recording(run=True)
    cases = [
        (["watch", "-r", rec, "-o", os.path.join(d, "events.txt")], "events.txt", 0),
        (["export", "-f", "dot", "-r", rec, "-o", os.path.join(d, "tree.dot")], "tree.dot", 0),
        (["run", "-q", "-r", run_rec, "--summary-json", os.path.join(d, "summary.json")], "summary.json", 143),
    ]
    for argv, name, rc_want in cases:
        rc, out, err = run_proclife(argv, timeout=REPLAY_TIMEOUT)
        c.eq("%s: exit status (stderr %r)" % (" ".join(argv[:2]), err[-300:]), rc_want, rc)
        path = os.path.join(d, name)
        if not c.ok("%s: %s was not written" % (argv[0], name), os.path.exists(path)):
            continue
        stt = os.stat(path)
        c.eq("%s: %s is root's (created before root was given up)" % (argv[0], name), 0, stt.st_uid)
        c.eq("%s: %s mode" % (argv[0], name), 0o600, stt.st_mode & 0o777)
        c.ok("%s: %s holds what was replayed" % (argv[0], name), stt.st_size > 500)
    # A file the replay would open after giving root up fails: the order is what makes the above work.
    rc, out, err = run_proclife(["watch", "-r", os.path.join(d, "events.txt")], timeout=REPLAY_TIMEOUT)
    c.eq("root replays a recording in that directory: it is opened before the drop (exit status 1: it is "
         "no recording, stderr %r)" % err[-200:], 1, rc)
    c.ok("... and the error is about its contents, not permission: %r" % err, b"not a proclife recording" in err)


SUBTESTS = [
    ("watch_text", t_watch_text, ()),
    ("watch_output_file", t_watch_output_file, ()),
    ("watch_json", t_watch_json, ()),
    ("tree", t_tree, ()),
    ("zombies", t_zombies, ()),
    ("signals", t_signals, ()),
    ("life", t_life, ()),
    ("run", t_run, ()),
    ("export_dot", t_export_dot, ()),
    ("export_perfetto", t_export_perfetto, ()),
    ("file_names", t_file_names, ()),
    ("top_live", t_top_live, ROOT + ("tmux",)),
    ("replay_drops_root", t_replay_drops_root, ROOT),
    ("replay_outputs_before_drop", t_replay_outputs_before_drop, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="hostile_", subtest_timeout=SUBTEST_TIMEOUT))
