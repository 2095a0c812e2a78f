#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of `proclife top`, driven through tmux as a person would:
start it in a detached 80x24 session, press keys with send-keys, read the
screen with capture-pane (-e for colours and attributes).

Usage: tests/e2e/test_top.py PATH/TO/proclife [SUBTEST...]
Needs root and tmux (skipped otherwise). Python stdlib only.

Output, one line per subtest:
    PASS e2e/top_<name>
    FAIL e2e/top_<name>      (after indented lines saying what differed)
    SKIP e2e/top_<name>: <why>
Exit status 1 if any subtest failed, else 0.

The machine has other activity: assertions look at the test's own
processes (unique argv), found by paging through the tree or with top's
filter. Every wait polls the screen against a deadline; each subtest kills
its tmux server and every process it started when it ends.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata

BIN = None
MYPID = os.getpid()
WAIT = 10.0  # deadline for anything to show on the screen
LIVE = 2.0  # a new process shows within this
HEADER_RE = re.compile(
    r"^proclife top — \d+ processes, \d+ zombies, \d+ stopped — \d+ events/s, lost \d+ *$"
)
NOT_A_TTY = (
    "proclife top: needs a terminal (use 'proclife tree --every SEC' for a non-interactive view)\n"
)


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what, expected=None, got=None):
    if not cond:
        lines = [what]
        if expected is not None:
            lines.append(f"  expected: {expected}")
        if got is not None:
            for i, g in enumerate(str(got).splitlines() or [""]):
                lines.append(("  got:      " if i == 0 else "            ") + g)
        raise Failure("\n".join(lines))


# ---- the screen ----

SGR_RE = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESC_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def sgr_apply(state, params):
    """state: dict of bold, dim, underline, reverse, fg, bg. Applies one SGR."""
    codes = [int(p) if p.isdigit() else 0 for p in re.split(r"[;:]", params)] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.clear()
        elif c == 1:
            state["bold"] = True
        elif c == 2:
            state["dim"] = True
        elif c == 4:
            state["underline"] = True
        elif c == 7:
            state["reverse"] = True
        elif c == 22:
            state.pop("bold", None)
            state.pop("dim", None)
        elif c == 24:
            state.pop("underline", None)
        elif c == 27:
            state.pop("reverse", None)
        elif 30 <= c <= 37 or 90 <= c <= 97:
            state["fg"] = c
        elif c == 39:
            state.pop("fg", None)
        elif 40 <= c <= 47 or 100 <= c <= 107:
            state["bg"] = c
        elif c == 49:
            state.pop("bg", None)
        elif c in (38, 48):  # 256 colours / RGB: skip the arguments
            if i + 1 < len(codes) and codes[i + 1] == 5:
                state["fg" if c == 38 else "bg"] = (c, codes[i + 2] if i + 2 < len(codes) else 0)
                i += 2
            elif i + 1 < len(codes) and codes[i + 1] == 2:
                state["fg" if c == 38 else "bg"] = (c,) + tuple(codes[i + 2 : i + 5])
                i += 4
        i += 1


def cells(escaped):
    """capture-pane -e output -> per line, a list of (char, attrs dict). Attributes carry across lines."""
    state = {}
    out = []
    for line in escaped.split("\n"):
        row = []
        pos = 0
        for m in SGR_RE.finditer(line):
            text = OTHER_ESC_RE.sub("", line[pos : m.start()])
            row.extend((ch, dict(state)) for ch in text)
            sgr_apply(state, m.group(1))
            pos = m.end()
        row.extend((ch, dict(state)) for ch in OTHER_ESC_RE.sub("", line[pos:]))
        out.append(row)
    return out


def pid_line_re(pid):
    # A tree row: prefix, maybe "[+N] " or "(exited: ...) ", then the pid.
    return re.compile(r"^[\s│├└─|`\-]*(?:\[\+\d+\] )?(?:\(exited[^)]*\) )?" + str(pid) + r" ")


def find_pid_line(screen, pid):
    r = pid_line_re(pid)
    for i, line in enumerate(screen.split("\n")):
        if r.match(line):
            return i
    return -1


def tree_pids(screen):
    """Pids of the tree rows (not the recently exited section), in screen order."""
    pids = []
    lines = screen.split("\n")
    for line in lines[1:-1]:
        if "recently exited" in line:
            break
        m = re.match(r"^[\s│├└─|`\-]*(?:\[\+\d+\] )?(\d+) ", line)
        if m:
            pids.append(int(m.group(1)))
    return pids


class Tmux:
    """One tmux server (own socket) with one session running cmd."""

    def __init__(self, name, cmd, x=80, y=24, locale="C.UTF-8"):
        self.sock = f"pltop-{MYPID}-{name}"
        self.name = name
        env = dict(os.environ)
        env.setdefault("TERM", "xterm")
        env["LC_ALL"] = locale
        env.pop("TMUX", None)
        self.env = env
        self.tmux("new-session", "-d", "-s", name, "-x", str(x), "-y", str(y), cmd, check=True)

    def tmux(self, *args, check=False):
        r = subprocess.run(
            ["tmux", "-L", self.sock, "-f", "/dev/null", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=10,
            env=self.env,
        )
        if check and r.returncode != 0:
            raise Failure(f"tmux {' '.join(args[:2])} failed: {r.stderr.strip()}")
        return r

    def capture(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.name]
        if escapes:
            args.insert(2, "-e")
        r = self.tmux(*args)
        return r.stdout.rstrip("\n") if r.returncode == 0 else ""

    def keys(self, *keys, literal=False):
        self.tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys, check=True)

    def display(self, fmt):
        return self.tmux("display", "-p", "-t", self.name, fmt).stdout.strip()

    def wait(self, pred, what, timeout=WAIT, escapes=False):
        """Poll the screen until pred(screen) holds; returns the screen or fails with the last one."""
        deadline = time.monotonic() + timeout
        screen = ""
        while True:
            screen = self.capture(escapes)
            if pred(screen):
                return screen
            if time.monotonic() > deadline:
                raise Failure(f"timed out ({timeout:g} s) waiting for {what}\n  screen:\n" + indent(screen))
            time.sleep(0.05)

    def wait_header(self):
        return self.wait(lambda s: bool(HEADER_RE.match(s.split("\n")[0])), "the header")

    def seek(self, pred, what, timeout=WAIT):
        """Page through the tree (Home, then PgDn to the end, again) until pred(screen) holds, as a person would."""
        deadline = time.monotonic() + timeout
        self.keys("Home")
        screen = ""
        while time.monotonic() < deadline:
            # A key redraws at once; give the screen a moment to show it.
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                screen = self.capture()
                if pred(screen):
                    return screen
                time.sleep(0.05)
            # The bottom line ends with "selected/rows": at the last row, start over.
            m = re.search(r"(\d+)/(\d+) *$", screen.split("\n")[-1])
            self.keys("Home" if m and m.group(1) == m.group(2) else "NPage")
        raise Failure(f"timed out ({timeout:g} s) paging for {what}\n  screen:\n" + indent(screen))

    def selected_line(self):
        """Index of the line drawn in reverse video (the cursor), or -1."""
        rows = cells(self.capture(escapes=True))
        for i, row in enumerate(rows[1:-1], 1):
            if row and row[0][1].get("reverse"):
                return i
        return -1

    def select_pid(self, pid, timeout=WAIT):
        """Move the cursor with Down/Up until the row of pid is selected."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.capture()
            target = find_pid_line(screen, pid)
            sel = self.selected_line()
            if target < 0:
                self.seek(lambda s: find_pid_line(s, pid) >= 0, f"pid {pid}", deadline - time.monotonic())
                continue
            if sel == target and find_pid_line(self.capture(), pid) == target:
                return
            if sel >= 0:
                n = target - sel
                self.keys("-N", str(abs(n)), "Down" if n > 0 else "Up")
            time.sleep(0.1)
        raise Failure(f"could not select pid {pid}\n  screen:\n" + indent(self.capture()))

    def pane_pid(self):
        return int(self.display("#{pane_pid}"))

    def close(self):
        path = ""
        try:
            path = self.tmux("display", "-p", "#{socket_path}").stdout.strip()
            self.tmux("kill-server")
        except Exception:
            pass
        # kill-server leaves the socket file behind.
        if path and os.path.basename(path) == self.sock:
            try:
                os.unlink(path)
            except OSError:
                pass


def indent(s):
    return "\n".join("    " + line for line in s.split("\n"))


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def ppid_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def wait_until(cond, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(0.02)


class Procs:
    """Processes a subtest started: killed and reaped at the end."""

    def __init__(self):
        self.v = []
        self.pids = []  # grandchildren: killed by pid

    def adopt(self, pid):
        self.pids.append(pid)

    def start(self, argv, **kw):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kw)
        self.v.append(p)
        return p

    def close(self):
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for p in self.v:
            try:
                p.send_signal(signal.SIGCONT)
                p.kill()
            except OSError:
                pass
            try:
                p.wait(timeout=5)
            except Exception:
                pass


def top_cmd(args=""):
    # Through a shell that stays: if top fails, its message and status stay on the screen.
    return f"sh -c '{BIN} top {args}; echo TOP-EXIT=$?; exec sleep 600'"


def top_argv(args=""):
    return f"{BIN} top {args}".strip()


# ---- subtests ----


def t_shows_tree_80x24(procs):
    s = procs.start(["sleep", f"300.{MYPID}123"])
    tm = Tmux("shows", top_cmd())
    try:
        screen = tm.wait_header()
        screen = tm.wait(lambda sc: find_pid_line(sc, 1) == 1, "pid 1 on the first tree line")
        screen = tm.seek(
            lambda sc: find_pid_line(sc, s.pid) >= 0 and f"{s.pid} sleep 300.{MYPID}123  [" in sc,
            f"the line of sleep {s.pid}",
        )
        lines = screen.split("\n")
        check(len(lines) == 24, "the screen has 24 lines", 24, len(lines))
        check(HEADER_RE.match(lines[0]), "line 1 is the header", "proclife top — N processes, ...", lines[0])
        check(lines[-1].startswith("q quit"), "the last line is the key help", "q quit ...", lines[-1])
        row = re.compile(r"^([\s│├└─]*(\[\+\d+\] )?\d+ |\(exited[^)]*\) \d+ |── recently exited ──|$)")
        for line in lines:
            check(width(line) <= 80, "no line is wider than 80 columns", "<= 80", f"{width(line)}: {line}")
        for line in lines[1:-1]:
            check(row.match(line), "every middle line is a tree row (nothing wrapped)", "prefix + pid", line)
        # The sleep sits under this test's process, with a tree prefix.
        i = find_pid_line(screen, s.pid)
        check(re.match(r"^[\s│├└─]*[├└]─ ", lines[i]), "the sleep has a tree prefix", "├─ or └─", lines[i])
    finally:
        tm.close()


def screen_attrs(tm):
    """One capture with escapes: (plain text, per line a list of (char, attrs))."""
    rows = cells(tm.capture(escapes=True))
    return "\n".join("".join(c for c, _ in row) for row in rows), rows


def label_attrs(tm, pid):
    """The attributes at the pid of pid's row (where the label starts), from one capture."""
    text, rows = screen_attrs(tm)
    li = find_pid_line(text, pid)
    check(li >= 0, f"pid {pid} on the screen", pid, text)
    col = "".join(c for c, _ in rows[li]).find(f"{pid} ")
    return rows[li][col][1], text


def t_stopped_and_zombie_stand_out(procs):
    # Wide enough that the markers after the argv are not cut however deep this test runs.
    tm = Tmux("stand", top_cmd(), x=160, y=40)
    try:
        tm.wait_header()
        # After top started, so that it sees the stop signal and the exit as events.
        stopped = procs.start(["sleep", f"301.{MYPID}"])
        os.kill(stopped.pid, signal.SIGSTOP)
        wait_until(lambda: proc_state(stopped.pid) == "T", "the sleep to stop")
        # A parent that never waits: sh forks "sh -c 'exit 7'" and becomes sleep.
        zparent = procs.start(["sh", "-c", f'sh -c "exit 7" & exec sleep 302.{MYPID}'])
        wait_until(lambda: children(zparent.pid) and proc_state(children(zparent.pid)[0]) == "Z", "a zombie")
        zpid = children(zparent.pid)[0]
        stopped_text = f"{stopped.pid} sleep 301.{MYPID}  <stopped by SIGSTOP>"
        zombie_re = re.compile(rf"{zpid} sh -c \"exit 7\"  <zombie: exit 7(, for \d+s)?>")

        tm.seek(lambda sc: stopped_text in sc, "the stopped sleep with its marker")
        sa, text = label_attrs(tm, stopped.pid)
        check(sa.get("fg") == 33, "the stopped one is yellow", "fg 33", sa)
        # A process older than a few seconds, neither stopped nor a zombie, is drawn plain.
        old = re.compile(r"^[\s│├└─]*(\d+) [^<]*  \[(\d+m\d+s|\d+h\d+m|\d+d\d+h|[1-9]\d+s)\] *$")
        olds = [int(m.group(1)) for m in map(old.match, text.split("\n")) if m]
        if olds:
            pa, _ = label_attrs(tm, olds[0])
            check("fg" not in pa and not pa.get("bold"), f"an old running process ({olds[0]}) is plain",
                  "no colour", pa)

        tm.seek(lambda sc: zombie_re.search(sc), "the zombie with its marker")
        za, _ = label_attrs(tm, zpid)
        check(za.get("fg") == 31 and za.get("bold"), "the zombie is bold red", "fg 31, bold", za)
    finally:
        tm.close()


def t_new_process_appears_live(procs):
    token = f"305.{MYPID}"
    tm = Tmux("live", top_cmd())
    try:
        tm.wait_header()
        tm.keys("/")
        tm.keys(token, literal=True)
        tm.keys("Enter")
        tm.wait(lambda sc: "(no process matches)" in sc and f"filter: {token}" in sc, "an empty filtered tree")
        t0 = time.monotonic()
        n = procs.start(["sleep", token])
        screen = tm.wait(lambda sc: find_pid_line(sc, n.pid) >= 0, f"the new sleep {n.pid}", timeout=LIVE + 3)
        took = time.monotonic() - t0
        check(took <= LIVE, f"the new process shows within {LIVE:g} s", f"<= {LIVE:g} s", f"{took:.2f} s")
        check(f"{n.pid} sleep {token}" in screen, "its argv", f"{n.pid} sleep {token}", screen)
        # New: bold green, for a few seconds.
        a, _ = label_attrs(tm, n.pid)
        check(a.get("fg") == 32 and a.get("bold"), "a new process is bold green", "fg 32, bold", a)
    finally:
        tm.close()


def t_filter(procs):
    token = f"pltop-filter-{MYPID}"
    q = procs.start([sys.executable, "-c", "import time; time.sleep(300)", token])
    other = procs.start(["sleep", f"304.{MYPID}456"])
    chain = [q.pid]
    while chain[-1] != 1:
        chain.append(ppid_of(chain[-1]))
    tm = Tmux("filter", top_cmd())
    try:
        tm.wait_header()
        tm.seek(lambda sc: find_pid_line(sc, other.pid) >= 0, "the unrelated sleep before filtering")
        tm.keys("/")
        tm.keys(token, literal=True)
        tm.wait(lambda sc: sc.split("\n")[-1].startswith(f"filter: {token}"), "the filter prompt")
        tm.keys("Enter")
        screen = tm.wait(
            lambda sc: find_pid_line(sc, q.pid) >= 0 and find_pid_line(sc, other.pid) < 0, "the filtered tree"
        )
        pids = tree_pids(screen)
        check(pids and pids[0] == 1, "pid 1 (an ancestor) heads the filtered tree", 1, screen)
        check(sorted(pids) == sorted(chain), "only the match and its ancestors", sorted(chain), screen)
        check(pids == list(reversed(chain)), "in tree order", list(reversed(chain)), pids)
        check(f"filter: {token}" in screen.split("\n")[-1], "the bottom line says the filter", token, screen)
        # The cursor is on the match.
        sel = tm.selected_line()
        check(sel == find_pid_line(tm.capture(), q.pid), "the match is selected", q.pid, tm.capture())
        tm.keys("c")
        tm.wait(lambda sc: "filter:" not in sc.split("\n")[-1], "the filter to clear")
        tm.seek(lambda sc: find_pid_line(sc, other.pid) >= 0, "the unrelated sleep back after c")
        # A filter matching nothing says so.
        tm.keys("/")
        tm.keys(f"no-such-{MYPID}", literal=True)
        tm.keys("Enter")
        tm.wait(lambda sc: "(no process matches)" in sc, "an empty result")
        # Esc cancels a prompt: the filter stays as it was.
        tm.keys("/")
        tm.keys("xyz", literal=True)
        tm.keys("Escape")
        tm.wait(lambda sc: f"filter: no-such-{MYPID}" in sc.split("\n")[-1], "Esc to keep the old filter")
    finally:
        tm.close()


def t_collapse_expand(procs):
    code = (
        "import subprocess, sys, time\n"
        "kids = [subprocess.Popen(['sleep', '303.' + sys.argv[1]]) for _ in range(2)]\n"
        "print(' '.join(str(k.pid) for k in kids), flush=True)\n"
        "time.sleep(300)\n"
    )
    parent = procs.start([sys.executable, "-c", code, str(MYPID)], stdout=subprocess.PIPE, text=True)
    kids = [int(x) for x in parent.stdout.readline().split()]
    for k in kids:
        procs.adopt(k)
    check(len(kids) == 2, "the test parent started two children", 2, kids)
    tm = Tmux("fold", top_cmd())
    try:
        tm.wait_header()
        # Select the last child, then go up to the parent: the children stay on the screen below it.
        tm.select_pid(kids[1])
        tm.keys("Up")
        tm.keys("Up")
        tm.wait(
            lambda sc: tm.selected_line() == find_pid_line(sc, parent.pid) >= 0
            and all(find_pid_line(sc, k) > find_pid_line(sc, parent.pid) for k in kids),
            "the parent selected, its children below",
        )

        def folded(sc):
            i = find_pid_line(sc, parent.pid)
            return i >= 0 and "[+2] " in sc.split("\n")[i] and all(find_pid_line(sc, k) < 0 for k in kids)

        def unfolded(sc):
            i = find_pid_line(sc, parent.pid)
            return (
                i >= 0 and "[+" not in sc.split("\n")[i] and all(find_pid_line(sc, k) > i for k in kids)
            )

        tm.keys("-")
        tm.wait(folded, "'-' to collapse the parent: children hidden, [+2]")
        tm.keys("+")
        tm.wait(unfolded, "'+' to expand it again")
        tm.keys("Left")
        tm.wait(folded, "Left to collapse")
        tm.keys("Right")
        tm.wait(unfolded, "Right to expand")
        tm.keys("Enter")
        tm.wait(folded, "Enter to collapse")
        tm.keys("Enter")
        tm.wait(unfolded, "Enter to expand")
        # Down goes to the first child; Left on a leaf climbs back to the parent.
        tm.keys("Down")
        tm.wait(lambda sc: tm.selected_line() == find_pid_line(sc, kids[0]), "Down to select the first child")
        tm.keys("Left")
        tm.wait(lambda sc: tm.selected_line() == find_pid_line(sc, parent.pid), "Left to climb to the parent")
    finally:
        tm.close()


def exit_cmd(args=""):
    # Ignoring SIGINT in the shell lets Ctrl-C reach top alone (top sets its own handler).
    return (
        "trap '' INT; S=$(stty -g); "
        f"{top_argv(args)}; R=$?; "
        '[ "$(stty -g)" = "$S" ] && echo STTY=same || echo STTY=changed; '
        "echo TOP-EXIT=$R; exec sleep 600"
    )


def top_pid_of(tm):
    sh = tm.pane_pid()
    wait_until(lambda: children(sh), "top to start under the shell")
    return children(sh)[0]


def t_quit_restores_terminal(procs):
    for how in ("q", "SIGTERM", "Ctrl-C"):
        tm = Tmux(f"quit{how[-1]}", f"sh -c {sh_quote(exit_cmd())}")
        try:
            tm.wait_header()
            top = top_pid_of(tm)
            check(tm.display("#{alternate_on}") == "1", f"{how}: top uses the alternate screen", "1",
                  tm.display("#{alternate_on}"))
            if how == "q":
                tm.keys("q")
            elif how == "SIGTERM":
                os.kill(top, signal.SIGTERM)
            else:
                tm.keys("C-c")
            t0 = time.monotonic()
            screen = tm.wait(lambda sc: "TOP-EXIT=" in sc, f"{how}: top to exit")
            wait_until(lambda: not os.path.exists(f"/proc/{top}") or proc_state(top) in ("Z", None),
                       f"{how}: the top process to be gone", timeout=2)
            check(time.monotonic() - t0 <= 2.5, f"{how}: top exits within 2 s", "<= 2 s",
                  f"{time.monotonic() - t0:.2f} s")
            check("TOP-EXIT=0" in screen, f"{how}: exit status 0", "TOP-EXIT=0", screen)
            check("STTY=same" in screen, f"{how}: terminal modes restored (stty -g)", "STTY=same", screen)
            check("proclife top —" not in screen, f"{how}: the main screen is back", "no header", screen)
            check(tm.display("#{alternate_on}") == "0", f"{how}: alternate screen off", "0",
                  tm.display("#{alternate_on}"))
        finally:
            tm.close()


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def t_not_a_terminal(procs):
    with tempfile.TemporaryFile() as out:
        r = subprocess.run([BIN, "top"], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                           timeout=10)
        out.seek(0)
        data = out.read()
    check(r.returncode == 2, "exit status 2", 2, r.returncode)
    check(r.stderr.decode() == NOT_A_TTY, "one line on stderr", NOT_A_TTY.strip(), r.stderr.decode())
    check(data == b"", "nothing on stdout", "", data)


def t_options(procs):
    for args, rc, want in (
        (["--delay", "0.01"], 2, "proclife top: --delay needs seconds, 0.05 to 60, not '0.01'\n"),
        (["-d", "61"], 2, "proclife top: --delay needs seconds, 0.05 to 60, not '61'\n"),
        (["--bogus"], 2, "proclife top: unknown option '--bogus' (try 'proclife top --help')\n"),
        (["-d"], 2, "proclife top: option '-d' needs a value\n"),
        (["extra"], 2, "proclife top: unexpected argument 'extra'\n"),
    ):
        r = subprocess.run([BIN, "top", *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        check(r.returncode == rc, f"top {' '.join(args)}: exit status", rc, r.returncode)
        check(r.stderr.decode() == want, f"top {' '.join(args)}: one line", want.strip(), r.stderr.decode())
    r = subprocess.run([BIN, "top", "--help"], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    check(r.returncode == 0 and r.stdout.startswith(b"Usage: proclife top"), "--help", "Usage: ...", r.stdout)
    # A valid delay is taken.
    tm = Tmux("delay", top_cmd("-d 0.1"))
    try:
        tm.wait_header()
    finally:
        tm.close()


def t_resize(procs):
    tm = Tmux("resize", top_cmd())
    try:
        tm.wait_header()
        tm.tmux("resize-window", "-t", tm.name, "-x", "60", "-y", "15", check=True)

        def fits(sc):
            lines = sc.split("\n")
            return (
                len(lines) == 15
                and lines[0].startswith("proclife top")
                and lines[-1].startswith("q quit")
                and all(width(line) <= 60 for line in lines)
                and find_pid_line(sc, 1) == 1
            )

        tm.wait(fits, "a 60x15 screen redrawn to fit")
    finally:
        tm.close()


def t_ascii_fallback(procs):
    tm = Tmux("ascii", top_cmd(), locale="C")
    try:
        screen = tm.wait(
            lambda sc: sc.startswith("proclife top - ") and re.search(r"^\s*(\|  |   )*[|`]- \d+ ", sc, re.M),
            "an ASCII header and tree",
        )
        check(not any(ord(c) > 127 for c in screen), "only ASCII on the screen", "ASCII", screen)
    finally:
        tm.close()


SUBTESTS = [
    ("shows_tree_80x24", t_shows_tree_80x24),
    ("stopped_and_zombie_stand_out", t_stopped_and_zombie_stand_out),
    ("new_process_appears_live", t_new_process_appears_live),
    ("filter", t_filter),
    ("collapse_expand", t_collapse_expand),
    ("quit_restores_terminal", t_quit_restores_terminal),
    ("not_a_terminal", t_not_a_terminal),
    ("options", t_options),
    ("resize", t_resize),
    ("ascii_fallback", t_ascii_fallback),
]


def main():
    global BIN
    if len(sys.argv) < 2:
        print("usage: test_top.py PATH/TO/proclife [SUBTEST...]", file=sys.stderr)
        return 2
    BIN = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    sys.stdout.reconfigure(line_buffering=True)
    failed = False
    skip = None
    if os.geteuid() != 0:
        skip = "not root (proclife needs root)"
    elif not shutil.which("tmux"):
        skip = "tmux is not installed"
    elif not os.access(BIN, os.X_OK):
        skip = f"{BIN} is not built"
    for name, fn in SUBTESTS:
        if only and name not in only:
            continue
        full = f"e2e/top_{name}"
        if skip and name not in ("not_a_terminal",) or (skip and not os.access(BIN, os.X_OK)):
            print(f"SKIP {full}: {skip}")
            continue
        procs = Procs()
        try:
            fn(procs)
            print(f"PASS {full}")
        except Skip as e:
            print(f"SKIP {full}: {e}")
        except Failure as e:
            for line in str(e).split("\n"):
                print("  " + line)
            print(f"FAIL {full}")
            failed = True
        except Exception as e:  # a bug in the test or the environment: still one result line
            print(f"  {type(e).__name__}: {e}")
            print(f"FAIL {full}")
            failed = True
        finally:
            procs.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
