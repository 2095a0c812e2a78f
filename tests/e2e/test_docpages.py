#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
The documents (README.md, docs/*.md, user/README.md and the man page's
EXAMPLES and SEE ALSO) against the tree and the binary, so that they cannot
drift from what proclife does. Each subtest fails on a concrete change:

- links: a relative link or #anchor of a page that resolves to nothing (a
  file moved, a heading renamed), or a `.Pa` path of the man page that is
  not there;
- pages_linked: a page of docs/ that the README's "Read on" or the man
  page's SEE ALSO does not name;
- readme_shape: a README of 300 lines or more, one without `make run` and
  `make test`, or one without an example (`$ proclife CMD` with its output)
  of every command;
- command_lines: a documented command line (`$ proclife ...` in a page,
  `proclife ...` in an sh block, `# proclife ...` in the man page) that
  the parser refuses: one that reads a recording is run on the golden
  recordings (tests/golden/recordings) and must not exit 2 (a usage
  error); any other gets `--help` added (before `--`) and must exit 0, so
  every option and value before it was accepted. (A check made only after
  the options, such as `--count` without `--every`, is not reached.)
- output_headers: a column header in a documented output (`TIME  EVENT ...`)
  that the command no longer prints: the same command on the golden
  recordings (or `features` here) must print it exactly;
- json_fields: a JSON field that proclife writes and docs/EVENTS.md's
  tables do not list for that event or document, or one they list that it
  never writes (rows that say "only when" are exempt from the latter), on
  the golden recordings and, as root, on a live `run -j`; and those of
  `tree`, `zombies`, `signals`, `features --json` and `verify --json`.

Usage: tests/e2e/test_docpages.py PATH/TO/proclife [SUBTEST...]
Needs no root but for the live half of json_fields and the features header.
Python stdlib only.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import Failure, tmpdir  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(REPO, "README.md")
MANPAGE = os.path.join(REPO, "docs", "proclife.8")
EVENTS_MD = os.path.join(REPO, "docs", "EVENTS.md")
GOLDEN = os.path.join(REPO, "tests", "golden", "recordings")
# The whole-system golden recording, in its two rotated pieces; and a `run -w` one.
PIECES = [os.path.join(GOLDEN, "family.plr.1"), os.path.join(GOLDEN, "family.plr")]
RUN_REC = os.path.join(GOLDEN, "run.plr")
# A recording with containers (format 2.1): container events, and containers in every view.
CT_REC = os.path.join(GOLDEN, "containers.plr")
README_MAX_LINES = 300
COMMANDS = ["watch", "tree", "zombies", "top", "signals", "run", "record", "life", "export", "verify", "features"]
# Options whose value is a file proclife writes: pointed into a temporary directory.
OUTPUT_OPTS = {"-o", "--output", "-w", "--write", "--summary-json", "--metrics-file"}
READ_OPTS = {"-r", "--read"}
SHELL_OPS = {";", "&", "&&", "|", "||", ">", ">>", "<", ">&", "<&", "(", ")"}
# A column header of proclife's output: three or more upper-case words.
HEADER = re.compile(r"^ *[A-Z(][A-Z%(),]*( +[A-Z(][A-Z%(),]*){2,} *$")
# Which golden replay prints each command's headers (features: live, as root).
HEADER_SOURCES = {
    "watch": ["watch"] + ["-r", PIECES[0], "-r", PIECES[1]],
    "tree": ["tree", "-r", PIECES[0], "-r", PIECES[1]],
    "zombies": ["zombies", "-r", PIECES[0], "-r", PIECES[1]],
    "signals": ["signals", "-r", PIECES[0], "-r", PIECES[1]],
    "life": ["life", "400", "-r", PIECES[0], "-r", PIECES[1]],
    "features": ["features"],
}
# Kernel events share the fields of docs/EVENTS.md's "Every kernel event"; derived ones those of
# "Derived events"; `lost`, `resync` and `gap` have only these. (`gap` is in no golden recording:
# tests/e2e/test_disk.py holds its lines to this page.)
KERNEL_EVENTS = ["fork", "exec", "exec_failed", "exit", "reap", "signal", "deliver", "rename", "cred"]
DERIVED_EVENTS = ["stop", "continue", "zombie", "reparent"]
BARE_BASE = {"event", "time"}
BARE_EVENTS = ["lost", "resync", "gap", "container"]
# A live scenario for json_fields (as root): fork, exec, a failed exec, signals handled and fatal,
# a stop and a continue (continued once /proc says stopped: a SIGCONT sent while the SIGSTOP is
# pending discards it), exits with usage, reaps, cred events (setpriv's drop to nobody).
LIVE_SCENARIO = ("trap 'true' USR1; kill -USR1 $$; /no/such/program 2>/dev/null; sleep 5 & p=$!; "
                 "kill -STOP $p; n=0; st=; until [ \"$st\" = T ] || [ $n -ge 500 ]; do "
                 "read -r _ _ st _ < /proc/$p/stat; n=$((n + 1)); [ \"$st\" = T ] || sleep 0.01; done; "
                 "kill -CONT $p; kill $p; wait $p; sh -c 'kill -SEGV $$'; "
                 "setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; exit 3")


def rel(path):
    return os.path.relpath(path, REPO)


def pages():
    """The Markdown pages: README.md, docs/*.md, user/README.md."""
    return [README] + sorted(glob.glob(os.path.join(REPO, "docs", "*.md"))) + \
        [os.path.join(REPO, "user", "README.md")]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --------------------------------------------------------------------------
# Markdown, as far as this test needs it


def md_lines(text):
    """(line number, line, fence language or None outside a fenced block) for each line; the fence
    lines themselves are left out."""
    out, fence = [], None
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^(```+|~~~+)\s*([\w-]*)", line)
        if m:
            fence = (m.group(2) or "") if fence is None else None
            continue
        out.append((n, line, fence))
    return out


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation but - and _ dropped, spaces to -."""
    s = re.sub(r"`", "", heading.strip()).lower()
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # a link in a heading: its text
    s = "".join(ch for ch in s if ch.isalnum() or ch in " -_")
    return s.replace(" ", "-")


def anchors(path):
    """The #anchors a page has: one per heading, -1, -2 ... for repeats, as GitHub makes them."""
    seen, out = {}, set()
    for _, line, fence in md_lines(read(path)):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line) if fence is None else None
        if m:
            base = slug(m.group(1))
            k = seen.get(base, 0)
            out.add(base if k == 0 else "%s-%d" % (base, k))
            seen[base] = k + 1
    return out


def links(path):
    """(line number, target) of each Markdown link outside code: [text](target)."""
    out = []
    for n, line, fence in md_lines(read(path)):
        if fence is not None:
            continue
        for m in re.finditer(r"\]\(([^)\s]+)\)", line):
            out.append((n, m.group(1)))
    return out


def resolve(page, target):
    """(path or None for the page itself, anchor or None) of a relative link; None for an external one."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):
        return None
    path, _, anchor = target.partition("#")
    full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
    return full, anchor or None


def md_tables(path):
    """[(heading path, header cells, [(first-cell names, row text)])] of a page's tables."""
    tables, heads, cur = [], [], None
    for _, line, fence in md_lines(read(path)):
        if fence is not None:
            cur = None
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            level = len(m.group(1))
            heads = heads[:level - 1] + [""] * (level - 1 - len(heads)) + [m.group(2).strip()]
            cur = None
            continue
        if not line.startswith("|"):
            cur = None
            continue
        cells = [x.strip() for x in line.strip().strip("|").split("|")]
        if cur is None:
            cur = (list(heads), cells, [])
            tables.append(cur)
        elif all(re.match(r"^:?-+:?$", x) for x in cells):
            continue
        else:
            cur[2].append((re.findall(r"`([a-z_]+)`", cells[0]), line))
    return tables


# --------------------------------------------------------------------------
# Documented command lines and their outputs


def shell_words(cmdline):
    """The words of a shell command line up to its first operator (;, &, |, >, ...), comments dropped."""
    lex = shlex.shlex(cmdline, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    words = []
    for w in lex:
        if w in SHELL_OPS or set(w) <= set(";&|<>()"):
            if words and words[-1].isdigit():  # 2>&1: the 2 is the redirection's
                words.pop()
            break
        words.append(w)
    return words


def examples():
    """[(where, argv after 'proclife', [output lines])] of every documented command line."""
    out = []
    for page in pages():
        cur = None
        for n, line, fence in md_lines(read(page)):
            if fence is None:
                cur = None
                continue
            m = re.match(r"^\$ (proclife\b.*)$", line) or \
                (re.match(r"^(proclife\b.*)$", line) if fence in ("sh", "bash", "console") else None)
            if m:
                cur = ("%s:%d" % (rel(page), n), shell_words(m.group(1))[1:], [])
                out.append(cur)
            elif line.startswith("$ "):
                cur = None
            elif cur is not None:
                cur[2].append(line)
    literal = False
    for n, line in enumerate(read(MANPAGE).split("\n"), 1):
        if line.startswith(".Bd -literal"):
            literal = True
        elif line.startswith(".Ed"):
            literal = False
        m = re.match(r"^\.Dl # (proclife\b.*)$", line) or (re.match(r"^# (proclife\b.*)$", line) if literal else None)
        if m:
            out.append(("%s:%d" % (rel(MANPAGE), n), shell_words(m.group(1).replace("\\-", "-"))[1:], []))
    return out


def command_of(argv):
    return argv[0] if argv and not argv[0].startswith("-") else "watch"


def proclife(argv, cwd, timeout=30):
    p = subprocess.run([common.BIN] + argv, cwd=cwd, capture_output=True, timeout=timeout,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8"), stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def reads_recording(argv):
    return any(a in READ_OPTS or a.startswith("--read=") for a in argv)


def on_golden(argv, d):
    """argv with each recording it reads replaced by a golden one, each file it writes put in d."""
    out, nread, i = [], 0, 0
    run = command_of(argv) == "run"
    while i < len(argv):
        a = argv[i]
        if a in READ_OPTS and i + 1 < len(argv):
            out += [a, RUN_REC if run else PIECES[nread % 2]]
            nread, i = nread + 1, i + 2
        elif a in OUTPUT_OPTS and i + 1 < len(argv):
            out += [a, os.path.join(d, "out%d" % i)]
            i += 2
        else:
            out.append(a)
            i += 1
    return out


def with_help(argv):
    if "--" in argv:
        k = argv.index("--")
        return argv[:k] + ["--help"] + argv[k:]
    return argv + ["--help"]


# --------------------------------------------------------------------------
# Subtests


def test_links(c):
    for page in pages():
        for n, target in links(page):
            r = resolve(page, target)
            if r is None:
                continue
            path, anchor = r
            where = "%s:%d: link %r" % (rel(page), n, target)
            if not c.ok("%s: %s does not exist" % (where, rel(path)), os.path.exists(path)):
                continue
            if anchor and path.endswith(".md"):
                c.ok("%s: %s has no heading with the anchor #%s" % (where, rel(path), anchor),
                     anchor in anchors(path))
    for n, line in enumerate(read(MANPAGE).split("\n"), 1):
        for p in re.findall(r"^\.(?:It )?Pa ((?:docs/|README)\S*)", line):
            c.ok("docs/proclife.8:%d: .Pa %s does not exist" % (n, p), os.path.exists(os.path.join(REPO, p)))


def test_pages_linked(c):
    docs = {rel(p) for p in glob.glob(os.path.join(REPO, "docs", "*.md"))}
    from_readme = set()
    for _, target in links(README):
        r = resolve(README, target)
        if r:
            from_readme.add(rel(r[0]))
    see_also = read(MANPAGE).split(".Sh SEE ALSO", 1)
    c.ok("docs/proclife.8 has no SEE ALSO section", len(see_also) == 2)
    in_man = set(re.findall(r"^\.(?:It )?Pa (docs/\S+\.md)", see_also[-1], re.M))
    c.eq("pages of docs/ the README does not link to", [], sorted(docs - from_readme))
    c.eq("pages of docs/ the man page's SEE ALSO does not name", [], sorted(docs - in_man))
    c.eq("pages the man page's SEE ALSO names that are not in docs/", [], sorted(in_man - docs))
    c.ok("the README does not link to the man page docs/proclife.8", "docs/proclife.8" in from_readme)


def test_readme_shape(c):
    text = read(README)
    nlines = text.count("\n")
    c.ok("README.md has %d lines: it must stay under %d (the reference goes to docs/)"
         % (nlines, README_MAX_LINES), nlines < README_MAX_LINES)
    code = [line for _, line, fence in md_lines(text) if fence is not None]
    for target in ("make run", "make test"):
        c.ok("README.md has no code line starting with %r (the set-up command)" % target,
             any(line.startswith(target) for line in code))
    shown = {}
    for where, argv, output in examples():
        if where.startswith("README.md:") and any(o.strip() for o in output):
            shown.setdefault(command_of(argv), where)
    c.eq("commands without an example (`$ proclife CMD` and its output) in README.md", [],
         [cmd for cmd in COMMANDS if cmd not in shown])


def test_command_lines(c):
    d = tmpdir("pl-docpages-")
    exs = examples()
    c.ok("found only %d documented command lines: the parser of this test is wrong" % len(exs), len(exs) >= 20)
    for where, argv, _ in exs:
        cmd = command_of(argv)
        if not c.ok("%s: proclife %s: no such command" % (where, " ".join(argv)), cmd in COMMANDS):
            continue
        if reads_recording(argv):
            run = on_golden(argv, d)
            rc, out, err = proclife(run, d)
            c.ok("%s: proclife %s: a usage error (exit status %d): %s"
                 % (where, " ".join(run), rc, err.strip()[-300:]), rc in (0, 1))
        else:
            run = with_help(argv)
            rc, out, err = proclife(run, d)
            c.ok("%s: proclife %s: exit status %d, stdout %d bytes: %s"
                 % (where, " ".join(run), rc, len(out), err.strip()[-300:]), rc == 0 and out)


def headers_of(cmd, d):
    if cmd not in HEADER_SOURCES or (cmd == "features" and os.geteuid() != 0):
        return None
    rc, out, err = proclife(HEADER_SOURCES[cmd], d)
    if rc not in (0, 1):
        raise Failure("proclife %s: exit status %d: %s" % (" ".join(HEADER_SOURCES[cmd]), rc, err[-300:]))
    return {line.rstrip() for line in out.split("\n") if HEADER.match(line)}


def test_output_headers(c):
    d = tmpdir("pl-docpages-")
    known, checked = {}, 0
    for where, argv, output in examples():
        cmd = command_of(argv)
        for line in output:
            if not HEADER.match(line):
                continue
            if cmd not in known:
                known[cmd] = headers_of(cmd, d)
            if known[cmd] is None:
                continue
            checked += 1
            c.ok("%s: proclife %s: the documented header %r is not what it prints (%r)"
                 % (where, cmd, line.rstrip(), sorted(known[cmd])), line.rstrip() in known[cmd])
    c.ok("only %d documented headers checked: the parser of this test is wrong" % checked, checked >= 8)


def documented_fields():
    """{section: {field: conditional?}} from docs/EVENTS.md's tables: an event name, "kernel",
    "derived", "rusage", "io", "tree", "zombies", "signals", "features", "feature", "verify" or "file"."""
    doc = {}
    for heads, header, rows in md_tables(EVENTS_MD):
        h2 = heads[1] if len(heads) > 1 else ""
        h = heads[-1]
        if h2 == "JSON lines":
            m = re.match(r"^`(\w+)`$", h)
            sec = m.group(1) if m else {"Every kernel event": "kernel", "Derived events": "derived"}.get(h)
        elif h2 == "What a process used":
            sec = "rusage" if "rusage" in header[0] else "io" if "io" in header[0] else None
        elif h2 == "JSON documents of the other commands":
            m = re.match(r"^`(\w+) --json`$", h)
            sec = m.group(1) if m else {"Each feature": "feature", "Each file": "file"}.get(h)
        else:
            sec = None
        if sec is None or header[0] not in ("field",) and not header[0].startswith("key"):
            continue
        for names, text in rows:
            for name in names:
                doc.setdefault(sec, {})[name] = "only when" in text
    return doc


def emitted_json(c, d):
    """{event: [objects]} of `watch --json` on the golden recordings, and of a live `run -j` as root."""
    by_event = {}
    lines = []
    for rec in ([PIECES[0], PIECES[1]], [CT_REC]):
        rc, out, err = proclife(["watch", "--json"] + [a for r in rec for a in ("-r", r)], d)
        lines.append(out)
        if rc != 0:
            raise Failure("watch --json on the golden recordings: exit status %d: %s" % (rc, err[-300:]))
    if os.geteuid() == 0:
        events = os.path.join(d, "live.json")
        rc, out, err = proclife(["run", "-j", "-o", events, "--", "sh", "-c", LIVE_SCENARIO], d)
        c.eq("live run -j: exit status (the scenario exits 3)", 3, rc)
        with open(events) as f:
            lines.append(f.read())
    for text in lines:
        for line in text.split("\n"):
            if line:
                o = json.loads(line)
                by_event.setdefault(o["event"], []).append(o)
    return by_event


def compare_fields(c, what, documented, objects):
    keys = set().union(*(o.keys() for o in objects))
    required = {k for k, cond in documented.items() if not cond}
    c.eq("%s: fields written but not in docs/EVENTS.md" % what, [], sorted(keys - set(documented)))
    c.eq("%s: fields in docs/EVENTS.md never written" % what, [], sorted(required - keys))


def tree_nodes(nodes):
    for n in nodes:
        yield n
        yield from tree_nodes(n.get("children") or [])


def test_json_fields(c):
    d = tmpdir("pl-docpages-")
    doc = documented_fields()
    by_event = emitted_json(c, d)
    c.eq("events written with no section in docs/EVENTS.md's JSON lines", [],
         sorted(set(by_event) - set(doc)))
    c.eq("sections of docs/EVENTS.md's JSON lines that are no event", [],
         sorted(set(doc) - set(by_event) - set(KERNEL_EVENTS + DERIVED_EVENTS + BARE_EVENTS)
                - {"kernel", "derived", "rusage", "io", "tree", "zombies", "signals", "features", "feature",
                   "verify", "file"}))
    checked = 0
    for ev, objs in sorted(by_event.items()):
        if ev not in doc:
            continue
        base = doc["kernel"] if ev in KERNEL_EVENTS else doc["derived"] if ev in DERIVED_EVENTS else \
            dict.fromkeys(BARE_BASE, False)
        compare_fields(c, "event %s" % ev, dict(base, **doc[ev]), objs)
        checked += 1
    c.ok("only %d event types checked: the golden recordings lost their variety" % checked, checked >= 12)
    usage = [o for o in by_event.get("exit", []) if o.get("rusage")]
    if usage:
        compare_fields(c, "exit rusage", doc.get("rusage", {}), [o["rusage"] for o in usage])
        compare_fields(c, "exit self", doc.get("rusage", {}), [o["self"] for o in usage])
        compare_fields(c, "exit io", doc.get("io", {}), [o["io"] for o in usage if o.get("io")])
    else:
        c.ok("no exit with usage to check docs/EVENTS.md's usage tables against (not root?)", os.geteuid() != 0)
    for cmd, rec in [(c_, r) for c_ in ("tree", "zombies", "signals") for r in ([PIECES[0], PIECES[1]], [CT_REC])]:
        rc, out, err = proclife([cmd, "--json"] + [a for r in rec for a in ("-r", r)], d)
        if not c.eq("%s --json on the golden recordings: exit status" % cmd, 0, rc):
            continue
        v = json.loads(out)
        if cmd == "tree":
            compare_fields(c, "tree --json node", doc.get("tree", {}), list(tree_nodes(v)))
        elif cmd == "zombies":
            want = {k: cond for k, cond in doc.get("tree", {}).items() if k != "children"}
            compare_fields(c, "zombies --json node", dict(want, **doc.get("zombies", {})), v)
        else:
            c.eq("signals --json: top-level keys", ["lost", "signals"], sorted(v))
            compare_fields(c, "signals --json row", doc.get("signals", {}), v["signals"])
    # Live (without root it says in the same document that it cannot trace).
    docs = []
    for argv in (["features", "--json"], ["features", "--json", "--verbose"]):
        rc, out, err = proclife(argv, d)
        if c.ok("proclife %s: exit status %d: %s" % (" ".join(argv), rc, err[-300:]), rc in (0, 1)):
            docs.append(json.loads(out))
    if docs:
        compare_fields(c, "features --json", doc.get("features", {}), docs)
        compare_fields(c, "features --json feature", doc.get("feature", {}),
                       [f for v in docs for f in v["features"]])
    # verify: a whole set, a damaged file (tests/fuzz/damaged: chained and sealed), one that is no recording.
    damaged = os.path.join(REPO, "tests", "fuzz", "damaged")
    rc, out, err = proclife(["verify", "--json", PIECES[0], PIECES[1], RUN_REC,
                             os.path.join(damaged, "sealed_valid.plr"), os.path.join(damaged, "chain_block_removed.plr"),
                             os.path.join(damaged, "text.plr")], d)
    if c.eq("verify --json: exit status", 1, rc):
        v = json.loads(out)
        compare_fields(c, "verify --json", doc.get("verify", {}), [v])
        compare_fields(c, "verify --json file", doc.get("file", {}), v["files"])


SUBTESTS = [
    ("links", test_links, ()),
    ("pages_linked", test_pages_linked, ()),
    ("readme_shape", test_readme_shape, ()),
    ("command_lines", test_command_lines, ()),
    ("output_headers", test_output_headers, ()),
    ("json_fields", test_json_fields, ()),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="docpages_", subtest_timeout=180))
