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
import errno
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (  # noqa: E402
    MYPID, ROOT, WAIT, Failure, Tmux, adopt_foreign, children_of, indent, popen, proc_stat, proc_state,
    run_proclife, tmpdir, wait_asleep, wait_for,
)

LIVE = 2.0  # a new process shows within this
SUBTEST_TIMEOUT = 120  # backstop for a whole subtest (SIGALRM)
HEADER_RE = re.compile(
    r"^proclife top — \d+ processes, \d+ zombies, \d+ stopped — \d+ events/s, lost \d+ *$"
)
NOT_A_TTY = (
    "proclife top: needs a terminal (use 'proclife tree --every SEC' for a non-interactive view)"
    " (try 'proclife top --help')\n"
)


def check(cond, what, expected=None, got=None):
    """Unless cond holds, the subtest stops here: Failure with what, expected and got. (The subtests
    of this suite stop at the first difference: a screen that is not as expected says little more.)"""
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


# The usage columns before the tree: CPU% (or an exited one's CPU seconds), RSS, SUBTREE, fixed width.
COLS = r"[ 0-9.\-smhd]{6} [ 0-9.\-BKMGTPE]{7} [ 0-9.\-smhd]{7}  "
COLS_WIDTH = 24
COLS_TITLE_RE = re.compile(r"^ +CPU%\*? +RSS\*? +SUBTREE\*?  PROCESS")


def pid_line_re(pid):
    # A tree row: the columns, the prefix, maybe "[+N] " or "(exited: ...) ", then the pid.
    return re.compile(r"^" + COLS + r"[\s│├└─|`\-]*(?:\[\+\d+\] )?(?:\(exited[^)]*\) )?" + str(pid) + r" ")


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
    for line in lines[2:-1]:
        if "recently exited" in line:
            break
        m = re.match(r"^" + COLS + r"[\s│├└─|`\-]*(?:\[\+\d+\] )?(\d+) ", line)
        if m:
            pids.append(int(m.group(1)))
    return pids


class TopTmux(Tmux):
    """A tmux session (80x24 unless told) running cmd, with ways to find things on top's screen."""

    def __init__(self, name, cmd, x=80, y=24, locale="C.UTF-8"):
        super().__init__(name, cmd, x, y, env=dict(os.environ, LC_ALL=locale), prefix="pltop")

    def wait_header(self):
        return self.wait(lambda s: bool(HEADER_RE.match(s.split("\n")[0])), "the header")

    def seek(self, pred, what, timeout=WAIT, token=None):
        """Bring what pred(screen) looks for onto the screen, as a person would. token (a word of its
        argv, unique to it): with top's filter, then c (the filter goes, the selection stays on it, in
        sight), whatever the size of the tree. Else by paging (Home, then PgDn to the end, again), with a
        deadline that grows with the tree: the machine may run thousands of processes."""
        screen = self.capture()
        if pred(screen):
            return screen
        if token:
            self.keys("/")
            self.keys(token, literal=True)
            self.keys("Enter")
            self.wait(lambda sc: pred(sc) and f"filter: {token}" in sc.split("\n")[-1], f"{what}, filtered",
                      timeout)
            self.keys("c")
            return self.wait(lambda sc: pred(sc) and "filter:" not in sc.split("\n")[-1], what, timeout)
        deadline = time.monotonic() + timeout
        grown = False
        self.keys("Home")
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
            if m and not grown:
                # Twice through the tree at a page per second at most, beyond the base timeout.
                pages = int(m.group(2)) // max(1, len(screen.split("\n")) - 3) + 1
                deadline += 2 * pages
                grown = True
            self.keys("Home" if m and m.group(1) == m.group(2) else "NPage")
        raise Failure(f"timed out paging for {what}\n  screen:\n" + indent(screen))

    def selected_line(self):
        """Index of the line drawn in reverse video (the cursor), or -1."""
        rows = cells(self.capture(escapes=True))
        for i, row in enumerate(rows[2:-1], 2):
            if row and row[0][1].get("reverse"):
                return i
        return -1

    def select_pid(self, pid, timeout=WAIT, token=None):
        """Move the cursor with Down/Up until the row of pid is selected (token: as seek())."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.capture()
            target = find_pid_line(screen, pid)
            sel = self.selected_line()
            if target < 0:
                self.seek(lambda s: find_pid_line(s, pid) >= 0, f"pid {pid}", max(1, deadline - time.monotonic()),
                          token)
                continue
            if sel == target and find_pid_line(self.capture(), pid) == target:
                return
            if sel >= 0:
                n = target - sel
                self.keys("-N", str(abs(n)), "Down" if n > 0 else "Up")
            time.sleep(0.1)
        raise Failure(f"could not select pid {pid}\n  screen:\n" + indent(self.capture()))


def top_cmd(args=""):
    # Through a shell that stays: if top fails, its message and status stay on the screen.
    return f"sh -c '{common.BIN} top {args}; echo TOP-EXIT=$?; exec sleep 600'"


def top_argv(args=""):
    return f"{common.BIN} top {args}".strip()


# ---- subtests ----


def t_shows_tree_80x24(c):
    s = popen(["sleep", f"300.{MYPID}123"])
    tm = TopTmux("shows", top_cmd())
    screen = tm.wait_header()
    screen = tm.wait(lambda sc: find_pid_line(sc, 1) == 2, "pid 1 on the first tree line")
    screen = tm.seek(
        lambda sc: find_pid_line(sc, s.pid) >= 0 and f"{s.pid} sleep 300.{MYPID}123  [" in sc,
        f"the line of sleep {s.pid}", token=f"300.{MYPID}123",
    )
    lines = screen.split("\n")
    check(len(lines) == 24, "the screen has 24 lines", 24, len(lines))
    check(HEADER_RE.match(lines[0]), "line 1 is the header", "proclife top — N processes, ...", lines[0])
    check(lines[-1].startswith("q quit"), "the last line is the key help", "q quit ...", lines[-1])
    check(COLS_TITLE_RE.match(lines[1]), "line 2 names the columns", " CPU%     RSS SUBTREE  PROCESS", lines[1])
    row = re.compile(r"^(" + COLS + r"([\s│├└─]*(\[\+\d+\] )?\d+ |[\s│├└─]*\(exited[^)]*\) \d+ )|── recently exited ──"
                     r"|… and [\d,]+ more|$)")
    for line in lines:
        check(width(line) <= 80, "no line is wider than 80 columns", "<= 80", f"{width(line)}: {line}")
    for line in lines[2:-1]:
        check(row.match(line), "every middle line is a tree row (nothing wrapped)", "prefix + pid", line)
    # The sleep sits under this test's process, with a tree prefix.
    i = find_pid_line(screen, s.pid)
    check(re.match(r"^" + COLS + r"[\s│├└─]*[├└]─ ", lines[i]), "the sleep has a tree prefix", "├─ or └─", lines[i])


def screen_attrs(tm):
    """One capture with escapes: (plain text, per line a list of (char, attrs))."""
    rows = cells(tm.capture(escapes=True))
    return "\n".join("".join(c for c, _ in row) for row in rows), rows


def label_attrs(tm, pid):
    """The attributes at the pid of pid's row (where the label starts), from one capture."""
    text, rows = screen_attrs(tm)
    li = find_pid_line(text, pid)
    check(li >= 0, f"pid {pid} on the screen", pid, text)
    col = "".join(c for c, _ in rows[li]).find(f"{pid} ", COLS_WIDTH)
    return rows[li][col][1], text


def t_stopped_and_zombie_stand_out(c):
    # Wide enough that the markers after the argv are not cut however deep this test runs.
    tm = TopTmux("stand", top_cmd(), x=160, y=40)
    tm.wait_header()
    # After top started, so that it sees the stop signal and the exit as events.
    stopped = popen(["sleep", f"301.{MYPID}"])
    os.kill(stopped.pid, signal.SIGSTOP)
    wait_for(lambda: proc_state(stopped.pid) == "T", "the sleep to stop")
    # A parent that never waits: sh forks "sh -c 'exit 7'" and becomes sleep.
    zparent = popen(["sh", "-c", f'sh -c "exit 7" z{MYPID} & exec sleep 302.{MYPID}'])
    wait_for(lambda: children_of(zparent.pid) and proc_state(children_of(zparent.pid)[0]) == "Z", "a zombie")
    zpid = children_of(zparent.pid)[0]
    stopped_text = f"{stopped.pid} sleep 301.{MYPID}  <stopped by SIGSTOP>"
    zombie_re = re.compile(rf"{zpid} sh -c \"exit 7\" z{MYPID}  <zombie: exit 7(, for \d+s)?>")

    tm.seek(lambda sc: stopped_text in sc, "the stopped sleep with its marker", token=f"301.{MYPID}")
    sa, text = label_attrs(tm, stopped.pid)
    check(sa.get("fg") == 33, "the stopped one is yellow", "fg 33", sa)
    # A process older than a few seconds, neither stopped nor a zombie, is drawn plain.
    old = re.compile(r"^" + COLS + r"[\s│├└─]*(\d+) [^<]*  \[(\d+m\d+s|\d+h\d+m|\d+d\d+h|[1-9]\d+s)\] *$")
    olds = [int(m.group(1)) for m in map(old.match, text.split("\n")) if m]
    if olds:
        pa, _ = label_attrs(tm, olds[0])
        check("fg" not in pa and not pa.get("bold"), f"an old running process ({olds[0]}) is plain",
              "no colour", pa)

    tm.seek(lambda sc: zombie_re.search(sc), "the zombie with its marker", token=f"z{MYPID}")
    za, _ = label_attrs(tm, zpid)
    check(za.get("fg") == 31 and za.get("bold"), "the zombie is bold red", "fg 31, bold", za)


def t_new_process_appears_live(c):
    token = f"305.{MYPID}"
    tm = TopTmux("live", top_cmd())
    tm.wait_header()
    tm.keys("/")
    tm.keys(token, literal=True)
    tm.keys("Enter")
    tm.wait(lambda sc: "(no process matches)" in sc and f"filter: {token}" in sc, "an empty filtered tree")
    t0 = time.monotonic()
    n = popen(["sleep", token])
    screen = tm.wait(lambda sc: find_pid_line(sc, n.pid) >= 0, f"the new sleep {n.pid}", timeout=LIVE + 3)
    took = time.monotonic() - t0
    check(took <= LIVE, f"the new process shows within {LIVE:g} s", f"<= {LIVE:g} s", f"{took:.2f} s")
    check(f"{n.pid} sleep {token}" in screen, "its argv", f"{n.pid} sleep {token}", screen)
    # New: bold green, for a few seconds.
    a, _ = label_attrs(tm, n.pid)
    check(a.get("fg") == 32 and a.get("bold"), "a new process is bold green", "fg 32, bold", a)


def row_cols(screen, pid):
    """(CPU% or an exited one's CPU text, RSS text, SUBTREE text) of pid's row, or None."""
    i = find_pid_line(screen, pid)
    if i < 0:
        return None
    return screen.split("\n")[i][:COLS_WIDTH].split()


def size_kb(text):
    """'13.1M' -> KiB."""
    units = {"B": 1 / 1024, "K": 1, "M": 1024, "G": 1024 * 1024}
    return float(text[:-1]) * units[text[-1]]


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def t_usage_columns(c):
    """A spinning process's CPU% against /proc over the same time, its RSS against /proc's, and the
    sort keys: P puts the busy one before its older idle sibling, T puts it back."""
    token = f"pltop-usage-{MYPID}"
    idle = popen([sys.executable, "-c", "import time; time.sleep(300)", token + "-idle"])
    busy = popen([sys.executable, "-c", "x = bytearray(48 << 20)\nwhile True: pass", token + "-busy"])
    tm = TopTmux("usage", top_cmd(), x=160, y=40)
    tm.wait_header()
    tm.keys("/")
    tm.keys(token, literal=True)
    tm.keys("Enter")
    tm.wait(lambda sc: (row_cols(sc, busy.pid) or ["-"])[0] not in ("-",) and find_pid_line(sc, idle.pid) >= 0,
            "the busy one's CPU%")
    hz = os.sysconf("SC_CLK_TCK")
    # top shows the CPU% between its last two samples, about a second apart (when exactly, only top
    # knows, and a loaded machine moves them): /proc every 50 ms over the 4 s before the capture, and
    # top's figure must be the rate of some such window of /proc's, to the clock tick. A fixed
    # tolerance against one window of the test's own failed when the load beside it changed.
    samples = []
    end = time.monotonic() + 4.0
    while time.monotonic() < end:
        samples.append((time.monotonic(), cpu_ticks(busy.pid)))
        time.sleep(0.05)
    screen = tm.capture()
    samples.append((time.monotonic(), cpu_ticks(busy.pid)))
    # Each rate is cut to ticks at both ends: 2 ticks over the window.
    rates = [((c2 - c1) / hz / (t2 - t1) * 100, 2 / hz / (t2 - t1) * 100)
             for i, (t1, c1) in enumerate(samples) for t2, c2 in samples[i + 1:] if 0.8 <= t2 - t1 <= 3.0]
    lo, hi = min(r - e for r, e in rates), max(r + e for r, e in rates)
    cols = row_cols(screen, busy.pid)
    check(cols is not None, "the busy row", busy.pid, screen)
    top_pct = float(cols[0])
    check(lo - 0.05 <= top_pct <= hi + 0.05, "top's CPU% is /proc's over a window of about a second",
          f"{lo:.1f}..{hi:.1f}", f"{top_pct}")
    with open(f"/proc/{busy.pid}/status") as f:
        vmrss = int(next(ln for ln in f if ln.startswith("VmRSS:")).split()[1])
    rss = size_kb(cols[1])
    check(abs(rss - vmrss) <= max(0.05 * vmrss, 512), "its RSS as /proc's VmRSS", f"{vmrss} KiB", f"{cols[1]}")
    idle_cols = row_cols(screen, idle.pid)
    check(idle_cols and float(idle_cols[0]) < 5, "the idle one near 0%", "< 5", idle_cols)
    # Tree order: the idle one (older) first; P: the busy one first; T: back.
    check(find_pid_line(screen, idle.pid) < find_pid_line(screen, busy.pid), "oldest first", "idle above busy", screen)
    tm.keys("P")
    screen = tm.wait(lambda sc: find_pid_line(sc, busy.pid) < find_pid_line(sc, idle.pid), "P: the busy one first")
    check(COLS_TITLE_RE.match(screen.split("\n")[1]) and "CPU%*" in screen.split("\n")[1],
          "the sorted column is marked", "CPU%*", screen.split("\n")[1])
    tm.keys("T")
    tm.wait(lambda sc: find_pid_line(sc, idle.pid) < find_pid_line(sc, busy.pid), "T: oldest first again")
    busy.kill()
    busy.wait()


def t_exited_cost(c):
    """A process that exited lately shows what it cost: its CPU in all, in the CPU column."""
    token = f"pltop-cost-{MYPID}"
    tm = TopTmux("cost", top_cmd(), x=160, y=40)
    tm.wait_header()
    tm.keys("/")
    tm.keys(token, literal=True)
    tm.keys("Enter")
    tm.wait(lambda sc: "(no process matches)" in sc, "an empty filtered tree")
    p = popen([sys.executable, "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass",
               token])
    p.wait()
    screen = tm.wait(lambda sc: "recently exited" in sc and find_pid_line(sc, p.pid) >= 0, "the exited row")
    cols = row_cols(screen, p.pid)
    check(cols and cols[0].endswith("s"), "its CPU in seconds", "0.3s or so", cols)
    secs = float(cols[0][:-1])
    check(0.25 <= secs <= 0.6, "what it used: about 0.3 s of CPU (plus the interpreter's start)", "0.25..0.6", secs)


def t_exited_capped(c):
    """A burst of exits fills the recently exited section only so far: the newest few (a third of the
    tree area: 7 rows at 80x24), then "… and N more"; the tree above stays in sight."""
    token = f"pltop-burst-{MYPID}"
    keep = popen([sys.executable, "-c", "import time; time.sleep(300)", token + "-keep"])
    tm = TopTmux("burst", top_cmd())
    tm.wait_header()
    tm.keys("/")
    tm.keys(token, literal=True)
    tm.keys("Enter")
    tm.wait(lambda sc: find_pid_line(sc, keep.pid) >= 0, "the long-lived process under the filter")
    more = re.compile(r"^… and ([\d,]+) more *$", re.M)
    spawned = []
    deadline = time.monotonic() + WAIT
    screen = tm.capture()
    # Short-lived processes, until top says it left some out (bounded: in time and in number).
    while not more.search(screen) and time.monotonic() < deadline and len(spawned) < 400:
        for _ in range(10):
            p = popen(["sh", "-c", "exit 0", token])
            p.wait()
            spawned.append(p.pid)
        screen = tm.capture()
    # top draws what it has seen: a screen behind the burst (it drains its ring on its own timer, and
    # learns exits an RCU grace period late). The burst is over: wait for the screen that shows its
    # last exit and the count of those left out.
    screen = tm.wait(lambda sc: more.search(sc) and re.search(r"\) %d " % spawned[-1], sc),
                     "an '… and N more' row and the burst's last exit (%d) on the screen" % spawned[-1])
    m = more.search(screen)
    lines = screen.split("\n")
    head = next(i for i, ln in enumerate(lines) if "recently exited" in ln)
    exited = [ln for ln in lines[head + 1:] if re.match(r"^" + COLS + r"\(exited", ln)]
    check(len(exited) == 7, "the newest 7 exited rows between the heading and the count", 7, screen)
    check(lines.index(m.group(0)) == head + 1 + len(exited), "the count right after them", "", screen)
    shown = [int(re.search(r"\) (\d+) ", ln).group(1)) for ln in exited]
    check(set(shown) <= set(spawned[-(len(exited) + int(m.group(1).replace(",", ""))):]),
          "the rows shown are the newest of the burst", spawned[-10:], shown)
    check(find_pid_line(screen, keep.pid) >= 0, "the tree above stays in sight", keep.pid, screen)


def t_filter(c):
    token = f"pltop-filter-{MYPID}"
    q = popen([sys.executable, "-c", "import time; time.sleep(300)", token])
    other = popen(["sleep", f"304.{MYPID}456"])
    chain = [q.pid]
    while chain[-1] != 1:
        chain.append(proc_stat(chain[-1])["ppid"])
    tm = TopTmux("filter", top_cmd())
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


def t_collapse_expand(c):
    code = (
        "import subprocess, sys, time\n"
        "kids = [subprocess.Popen(['sleep', '303.' + sys.argv[1]]) for _ in range(2)]\n"
        "print(' '.join(str(k.pid) for k in kids), flush=True)\n"
        "time.sleep(300)\n"
    )
    parent = popen([sys.executable, "-c", code, str(MYPID)], stdout=subprocess.PIPE, text=True)
    kids = [int(x) for x in parent.stdout.readline().split()]
    for k in kids:
        adopt_foreign(k)
    check(len(kids) == 2, "the test parent started two children", 2, kids)
    tm = TopTmux("fold", top_cmd())
    tm.wait_header()
    # Select the last child, then go up to the parent: the children stay on the screen below it.
    tm.select_pid(kids[1], token=f"303.{MYPID}")
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
    wait_for(lambda: children_of(sh), "top to start under the shell")
    return children_of(sh)[0]


def t_quit_restores_terminal(c):
    for how in ("q", "SIGTERM", "Ctrl-C"):
        tm = TopTmux(f"quit{how[-1]}", f"sh -c {sh_quote(exit_cmd())}")
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
        wait_for(lambda: not os.path.exists(f"/proc/{top}") or proc_state(top) in ("Z", None),
                 f"{how}: the top process to be gone", timeout=2)
        check(time.monotonic() - t0 <= 2.5, f"{how}: top exits within 2 s", "<= 2 s",
              f"{time.monotonic() - t0:.2f} s")
        check("TOP-EXIT=0" in screen, f"{how}: exit status 0", "TOP-EXIT=0", screen)
        check("STTY=same" in screen, f"{how}: terminal modes restored (stty -g)", "STTY=same", screen)
        check("proclife top —" not in screen, f"{how}: the main screen is back", "no header", screen)
        check(tm.display("#{alternate_on}") == "0", f"{how}: alternate screen off", "0",
              tm.display("#{alternate_on}"))
        tm.close()


def t_record(c):
    """top -w FILE records while it draws; the file replays with what happened meanwhile."""
    rec = os.path.join(tmpdir("pltop-"), "top.plr")
    token = f"307.{MYPID}"
    tm = TopTmux("record", f"sh -c {sh_quote(exit_cmd('-w ' + rec))}")
    tm.wait_header()
    n = popen(["sleep", token])
    wait_asleep(n.pid)  # a SIGKILL before its exec is over would end the exec: nothing to record
    n.kill()
    n.wait()
    wait_for(lambda: os.path.exists(rec) and os.path.getsize(rec) > 64, "the recording to have a block")
    # What came before q is recorded: top drains the ring buffer and closes the file as it quits.
    tm.keys("q")
    screen = tm.wait(lambda sc: "TOP-EXIT=" in sc, "top to exit")
    check("TOP-EXIT=0" in screen, "top -w exits 0", "TOP-EXIT=0", screen)
    check(os.stat(rec).st_mode & 0o777 == 0o600, "the recording is mode 0600", "0600",
          oct(os.stat(rec).st_mode & 0o777))
    rc, out, err = run_proclife(["watch", "--json", "-r", rec], timeout=20)
    check(rc == 0, "the recording replays cleanly", 0, (rc, err[-300:]))
    check(b"without its end mark" not in err, "top closed the file with its end mark", "no warning", err)
    evs = [json.loads(l) for l in out.splitlines()]
    mine = [(e["event"], e.get("argv")) for e in evs if e.get("pid") == n.pid]
    check(("exec", ["sleep", token]) in mine, "the sleep's exec is in the recording", "exec sleep " + token, mine)
    check(any(e == "exit" for e, _ in mine), "and its exit", "exit", mine)
    tm.close()


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def small_tmpfs(size):
    """A tmpfs of its own (size: mount's size=), unmounted when the subtest ends, after what runs on it."""
    d = tmpdir("pltop-fs-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", d], capture_output=True,
                       text=True, timeout=10)
    check(r.returncode == 0, "mount a tmpfs", "mounted", r.stderr.strip())

    def umount():
        # Lazily if still busy: nothing may stay mounted after the subtest.
        if subprocess.run(["umount", d], capture_output=True, timeout=10).returncode != 0:
            subprocess.run(["umount", "-l", d], capture_output=True, timeout=10)

    common.at_cleanup(umount)
    return d


def fill(path):
    """Write zeros to path until the file system is full."""
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 16, 1 << 12, 1 << 9):
            try:
                while True:
                    f.write(bytes(chunk))
            except OSError as e:
                check(e.errno == errno.ENOSPC, f"filling {path}: ENOSPC", "ENOSPC", e)


def t_status_line(c):
    """A message from below while the screen is up (the recording stopped: its disk is full) shows on
    the status line, not over the screen; a key puts the keys back; after the screen it is on stderr."""
    d = small_tmpfs("2m")
    rec = os.path.join(d, "top.plr")
    tm = TopTmux("status", f"sh -c {sh_quote(exit_cmd('-w ' + rec))}")
    tm.wait_header()
    wait_for(lambda: os.path.exists(rec) and os.path.getsize(rec) > 64, "the recording to start")
    fill(os.path.join(d, "fill"))
    said = "proclife: recording: writing " + rec  # and tracing goes on (the recorder retries)

    def stopped(screen):
        return screen.split("\n")[-1].startswith(said[:80])

    # New events until a block of the recording finds no room (it is written at least once a second);
    # random arguments, so that compression does not fit them in what is left of a page.
    deadline = time.monotonic() + WAIT
    screen = tm.capture()
    while not stopped(screen):
        check(time.monotonic() < deadline, "the status line says the recording fails", said, screen)
        for _ in range(10):
            popen(["true", os.urandom(512).hex()]).wait()
        screen = tm.wait(lambda sc: True, "the screen")
        time.sleep(0.2)
    lines = screen.split("\n")
    check(bool(HEADER_RE.match(lines[0])), "the header is intact", "proclife top — ...", lines[0])
    check(not any("proclife:" in line for line in lines[:-1]), "the message only on the status line",
          "nothing above the last line", screen)
    tm.keys("Down")
    tm.wait(lambda sc: sc.split("\n")[-1].startswith("q quit"), "a key to put the keys back on the bottom line")
    tm.keys("q")
    screen = tm.wait(lambda sc: "TOP-EXIT=" in sc, "top to exit")
    check("TOP-EXIT=1" in screen, "top -w exits 1 when its recording failed", "TOP-EXIT=1", screen)
    flat = screen.replace("\n", "")  # the line, wrapped at 80 columns
    check(flat.count(said) == 1, "the message on the terminal once after the screen", said, screen)
    check((said + ": No space left on device") in flat,
          "with its reason", said + ": No space left on device", screen)
    check("events could not be written to " + rec in flat, "and the count of what it kept out",
          "N events could not be written to " + rec, screen)


def t_not_a_terminal(c):
    with tempfile.TemporaryFile() as out:
        r = subprocess.run([common.BIN, "top"], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                           timeout=10)
        out.seek(0)
        data = out.read()
    check(r.returncode == 2, "exit status 2", 2, r.returncode)
    check(r.stderr.decode() == NOT_A_TTY, "one line on stderr", NOT_A_TTY.strip(), r.stderr.decode())
    check(data == b"", "nothing on stdout", "", data)


def t_options(c):
    for args, rc, want in (
        (["--delay", "0.01"], 2, "proclife top: --delay needs seconds, 0.05 to 60, not '0.01'"),
        (["-d", "61"], 2, "proclife top: --delay needs seconds, 0.05 to 60, not '61'"),
        (["--bogus"], 2, "proclife top: unknown option '--bogus'"),
        (["-d"], 2, "proclife top: option '-d' needs a value"),
        (["extra"], 2, "proclife top: unexpected argument 'extra'"),
    ):
        want += " (try 'proclife top --help')\n"  # every usage error's hint
        r = subprocess.run([common.BIN, "top", *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        check(r.returncode == rc, f"top {' '.join(args)}: exit status", rc, r.returncode)
        check(r.stderr.decode() == want, f"top {' '.join(args)}: one line", want.strip(), r.stderr.decode())
    r = subprocess.run([common.BIN, "top", "--help"], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    check(r.returncode == 0 and r.stdout.startswith(b"Usage: proclife top"), "--help", "Usage: ...", r.stdout)
    # A valid delay is taken.
    tm = TopTmux("delay", top_cmd("-d 0.1"))
    tm.wait_header()


def t_resize(c):
    tm = TopTmux("resize", top_cmd())
    tm.wait_header()
    tm.tmux("resize-window", "-t", tm.name, "-x", "60", "-y", "15", check=True)

    def fits(sc):
        lines = sc.split("\n")
        return (
            len(lines) == 15
            and lines[0].startswith("proclife top")
            and lines[-1].startswith("q quit")
            and all(width(line) <= 60 for line in lines)
            and find_pid_line(sc, 1) == 2
        )

    tm.wait(fits, "a 60x15 screen redrawn to fit")


def t_ascii_fallback(c):
    tm = TopTmux("ascii", top_cmd(), locale="C")
    screen = tm.wait(
        lambda sc: sc.startswith("proclife top - ") and re.search(r"^" + COLS + r"\s*(\|  |   )*[|`]- \d+ ", sc, re.M),
        "an ASCII header and tree",
    )
    check(not any(ord(c) > 127 for c in screen), "only ASCII on the screen", "ASCII", screen)


# Every subtest but not_a_terminal drives top in tmux; top needs root.
ROOT_TMUX = ROOT + ("tmux",)
SUBTESTS = [
    ("shows_tree_80x24", t_shows_tree_80x24, ROOT_TMUX),
    ("stopped_and_zombie_stand_out", t_stopped_and_zombie_stand_out, ROOT_TMUX),
    ("new_process_appears_live", t_new_process_appears_live, ROOT_TMUX),
    ("filter", t_filter, ROOT_TMUX),
    ("usage_columns", t_usage_columns, ROOT_TMUX),
    ("exited_cost", t_exited_cost, ROOT_TMUX),
    ("exited_capped", t_exited_capped, ROOT_TMUX),
    ("collapse_expand", t_collapse_expand, ROOT_TMUX),
    ("quit_restores_terminal", t_quit_restores_terminal, ROOT_TMUX),
    ("not_a_terminal", t_not_a_terminal, ()),
    ("options", t_options, ROOT_TMUX),
    ("resize", t_resize, ROOT_TMUX),
    ("ascii_fallback", t_ascii_fallback, ROOT_TMUX),
    ("record", t_record, ROOT_TMUX),
    ("status_line", t_status_line, ROOT_TMUX + ("mount",)),
]


if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="top_", subtest_timeout=SUBTEST_TIMEOUT))
