#!/usr/bin/env python3
"""The layer rule of user/ (user/README.md), checked on every include; and
who may print and who may write JSON.

user/ is one folder per layer; the Makefile's LAYERS lists them, lowest
first. A file may include headers of its own layer and of lower ones, never
of a higher one; main.c stands above all. No two modules (x.c and x.h are
one module) include each other, directly or through others. Unit tests in
tests/unit/<layer>/ include nothing above their layer either.

Only commands print: below cmd/ (base, kernel, record, model, session, and
views, which write into the outbuf they are given) no file names stdout or
stderr, calls printf/puts/perror/putchar (or writes to fd 1 or 2); they say
what happened through base/msg.h. base/msg.c, the sink's default, is the
exception. kernel/, record/, model/ and session/ build no output text at
all: no outbuf. JSON is written only through the emitter, views/json.{c,h}:
nothing else calls its escaper or has JSON syntax in a string literal.

Usage: test_layers.py [ROOT]   (ROOT: the repository, default: this file's)
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Headers from outside user/: the ABI header (include/) and the skeleton (build/).
OUTSIDE = {"proclife.h", "proclife.skel.h"}

# The layers whose files may not print (below cmd/), and those that build no output text at all.
QUIET = ("base", "kernel", "record", "model", "session", "views")
NO_TEXT = ("kernel", "record", "model", "session")
# Where printing is the point: file -> what may be there (None: anything), and why.
MAY_PRINT = {
    "user/base/msg.c": (None, "the message sink's default: stderr"),
    "user/base/outfile.c": ('{ "/dev/std', "-o /dev/stdout and /dev/stderr: the descriptors they name are "
                            "duplicated for the command, which writes to them; outfile itself writes nothing"),
}
# JSON syntax in a literal that is not output: file -> (the literal, why).
JSON_NOT_WRITTEN = {
    "user/kernel/ctstate.c": ('{\\"id\\":\\"%s\\"', "the start of a record looked for in a runtime's JSON file, "
                              "which is read (jansson), not written"),
}
# The JSON emitter: the only writer of JSON syntax; and its string escaper.
EMITTER = ("user/views/json.c", "user/views/json.h")
ESCAPER = ("user/base/escape.c", "user/base/escape.h")

PRINT_CALL = re.compile(r"\b(printf|vprintf|perror|puts|putchar|psignal|psiginfo)\s*\(")
STD_STREAM = re.compile(r"\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)\b")
STD_FD_WRITE = re.compile(r"\b(write|dprintf|vdprintf)\s*\(\s*[12]\s*,")
ERR_H = re.compile(r"#\s*include\s*<(err|error)\.h>")
OUTBUF = re.compile(r"\b(outbuf__\w+|struct\s+outbuf)\b")
JSON_ESCAPER = re.compile(r"\bescape__json_string\s*\(")
# JSON syntax in a C string literal (as written in the source): an opening brace, bracket or comma
# before a quoted key or string, or a quoted key's colon before a value.
JSON_IN_LITERAL = re.compile(r'[{\[,]\s*\\"|\\"\s*:\s*(\\"|%|\{|\[|null\b|true\b|false\b|-?\d)')


def layers_of(makefile):
    with open(makefile) as f:
        m = re.search(r"^LAYERS\s*:=\s*(.+)$", f.read(), re.M)
    return m.group(1).split() if m else []


def includes(path):
    with open(path, errors="replace") as f:
        return INCLUDE.findall(f.read())


def split_source(text):
    """(code, literals): the text with comments and string and character literals blanked out
    (newlines kept, so lines still count), and each string literal's contents with its line."""
    code, literals = [], []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            code.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            code.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            line += text.count("\n", i, j)
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if c == '"':
                literals.append((line, text[i + 1:j]))
            code.append(c + " " * (j - i - 1) + c)
            i = j + 1
        else:
            if c == "\n":
                line += 1
            code.append(c)
            i += 1
    return "".join(code), literals


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def check_output(root, layers):
    """Who prints and who writes JSON: problems as (rule, message) pairs."""
    problems = []
    user = os.path.join(root, "user")
    for layer in layers:
        folder = os.path.join(user, layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            rel = f"user/{layer}/{name}"
            with open(os.path.join(folder, name), errors="replace") as f:
                text = f.read()
            code, literals = split_source(text)
            if layer in QUIET:
                allowed, _ = MAY_PRINT.get(rel, ("", ""))
                for pat in (PRINT_CALL, STD_STREAM, STD_FD_WRITE, ERR_H):
                    for m in pat.finditer(code):
                        ln = line_of(code, m.start())
                        src = text.splitlines()[ln - 1].strip()
                        if allowed is None or (allowed and allowed in src):
                            continue
                        problems.append(("print", f"{rel}:{ln}: {src}: only commands print; "
                                                  "say it with msg__say() (base/msg.h)"))
            if layer in NO_TEXT:
                for m in OUTBUF.finditer(code):
                    ln = line_of(code, m.start())
                    problems.append(("text", f"{rel}:{ln}: {m.group(0)}: {layer}/ builds no output text "
                                             "(that is views/)"))
            if rel in EMITTER:
                continue
            for m in JSON_ESCAPER.finditer(code if rel not in ESCAPER else ""):
                problems.append(("json", f"{rel}:{line_of(code, m.start())}: escape__json_string(): "
                                         "JSON is written through views/json.h"))
            for ln, lit in literals:
                if rel in JSON_NOT_WRITTEN and lit == JSON_NOT_WRITTEN[rel][0]:
                    continue
                if JSON_IN_LITERAL.search(lit):
                    problems.append(("json", f'{rel}:{ln}: "{lit[:40]}": JSON written by hand; '
                                             "use views/json.h"))
    return problems


def check(root, layers):
    """Problems found, as (rule, message) pairs."""
    user = os.path.join(root, "user")
    rank = {name: i for i, name in enumerate(layers)}
    top = len(layers)
    problems = []
    graph = {}

    def module(rel):
        return os.path.splitext(rel)[0]

    def check_file(rel, own_rank, where):
        for inc in includes(os.path.join(root, where, rel)):
            if inc in OUTSIDE or inc.startswith("unit/") or inc == "testlib.h":
                continue
            layer = inc.split("/")[0] if "/" in inc else None
            if layer not in rank:
                problems.append(("known", f"{where}/{rel} includes \"{inc}\": not a layer's header (\"<layer>/<name>.h\")"))
                continue
            if not os.path.exists(os.path.join(user, inc)):
                problems.append(("known", f"{where}/{rel} includes \"{inc}\": no such file in user/"))
                continue
            if rank[layer] > own_rank:
                own = layers[own_rank] if own_rank < top else "main"
                problems.append(("upward", f"{where}/{rel} ({own}) includes {inc} ({layer}, a higher layer)"))
            if where == "user" and module(rel) != module(inc):
                graph.setdefault(module(rel), set()).add(module(inc))

    for entry in sorted(os.listdir(user)):
        path = os.path.join(user, entry)
        if os.path.isdir(path):
            if entry not in rank:
                problems.append(("known", f"user/{entry}/ is not a layer of the Makefile's LAYERS"))
                continue
            for name in sorted(os.listdir(path)):
                if name.endswith((".c", ".h")):
                    check_file(f"{entry}/{name}", rank[entry], "user")
        elif entry == "main.c":
            check_file(entry, top, "user")
        elif entry != "README.md":
            problems.append(("known", f"user/{entry} is in no layer's folder"))

    unit = os.path.join(root, "tests", "unit")
    if os.path.isdir(unit):
        for entry in sorted(os.listdir(unit)):
            path = os.path.join(unit, entry)
            if not os.path.isdir(path):
                continue
            if entry not in rank:
                problems.append(("tests", f"tests/unit/{entry}/ is not a layer of the Makefile's LAYERS"))
                continue
            for name in sorted(os.listdir(path)):
                if name.endswith(".c"):
                    before = len(problems)
                    check_file(f"{entry}/{name}", rank[entry], "tests/unit")
                    for i in range(before, len(problems)):
                        problems[i] = ("tests", problems[i][1])

    # Cycles between modules: depth-first search, each cycle said once.
    state, stack, said = {}, [], set()

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                cycle = stack[stack.index(n):]
                key = frozenset(cycle)
                if key not in said:
                    said.add(key)
                    problems.append(("cycle", " -> ".join(cycle + [n])))
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return problems + check_output(root, layers)


def self_test():
    """The checker on a small tree with one of each fault: it must find exactly those."""
    with tempfile.TemporaryDirectory() as d:
        files = {
            "user/base/a.c": '#include "base/a.h"\n#include "views/v.h"\n',
            "user/base/a.h": "",
            "user/views/v.c": '#include "views/v.h"\n#include "views/w.h"\n',
            "user/views/v.h": "",
            "user/views/w.c": '#include "views/v.h"\n',
            "user/views/w.h": "",
            "user/stray.c": "",
            "user/main.c": '#include "views/w.h"\n#include "nofolder.h"\n',
            "tests/unit/base/test_a.c": '#include "testlib.h"\n#include "views/v.h"\n',
            # Printing below the commands; words in comments and strings are not calls.
            "user/base/b.c": ('/* not on stderr: printf("x") */\nstatic const char *s = "stderr, puts(";\n'
                              'void b(void)\n{\n\tfprintf(stderr, "%s\\n", s);\n\tputs("x");\n'
                              '\twrite(2, "x", 1);\n}\n'),
            "user/base/msg.c": 'void m(void)\n{\n\tfprintf(stderr, "m\\n");\n}\n',
            "user/views/w.h": '#include <stdio.h>\nstatic inline void w(void) { printf("w"); }\n',
            # Output text in the kernel layer; JSON by hand, and the escaper, outside the emitter.
            "user/kernel/k.c": ('void k(void *ob)\n{\n'
                                '\toutbuf__printf(ob, ",\\"exit_code\\":%d", 3);\n}\n'),
            "user/views/v.c": ('#include "views/v.h"\n#include "views/w.h"\n'
                               'void v(struct outbuf *ob)\n{\n\tescape__json_string(ob, "", 0);\n'
                               '\toutbuf__puts(ob, "label=\\"x\\": a \\"quote\\", {a}");\n}\n'),
            "user/views/json.c": 'void j(struct outbuf *ob)\n{\n\toutbuf__puts(ob, "{\\"a\\":1}");\n'
                                 '\tescape__json_string(ob, "", 0);\n}\n',
        }
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w") as f:
                f.write(text)
        got = sorted(check(d, ["base", "kernel", "views"]))
    want = sorted([
        ("upward", "user/base/a.c (base) includes views/v.h (views, a higher layer)"),
        ("cycle", "views/v -> views/w -> views/v"),
        ("known", "user/stray.c is in no layer's folder"),
        ("known", 'user/main.c includes "nofolder.h": not a layer\'s header ("<layer>/<name>.h")'),
        ("tests", "tests/unit/base/test_a.c (base) includes views/v.h (views, a higher layer)"),
        ("print", 'user/base/b.c:5: fprintf(stderr, "%s\\n", s);: only commands print; say it with msg__say() '
                  "(base/msg.h)"),
        ("print", 'user/base/b.c:6: puts("x");: only commands print; say it with msg__say() (base/msg.h)'),
        ("print", 'user/base/b.c:7: write(2, "x", 1);: only commands print; say it with msg__say() (base/msg.h)'),
        ("print", 'user/views/w.h:2: static inline void w(void) { printf("w"); }: only commands print; '
                  "say it with msg__say() (base/msg.h)"),
        ("text", "user/kernel/k.c:3: outbuf__printf: kernel/ builds no output text (that is views/)"),
        ("json", 'user/kernel/k.c:3: ",\\"exit_code\\":%d": JSON written by hand; use views/json.h'),
        ("json", "user/views/v.c:5: escape__json_string(): JSON is written through views/json.h"),
    ])
    return got, want


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    failed = 0

    def result(name, problems):
        nonlocal failed
        if problems:
            failed += 1
            print(f"FAIL layers/{name}")
            for p in problems:
                print(f"  {p}")
        else:
            print(f"PASS layers/{name}")

    got, want = self_test()
    result("self-test", [] if got == want else [f"found {got}", f"expected {want}"])
    layers = layers_of(os.path.join(root, "Makefile"))
    if not layers:
        result("makefile-layers", ["the Makefile has no LAYERS := line"])
        return 1
    problems = check(root, layers)
    with open(os.path.join(root, "user", "README.md")) as f:
        readme = f.read()
    pos = [readme.find(f"`{name}/`") for name in layers]
    result("readme-order", [] if -1 not in pos and pos == sorted(pos) else
           [f"user/README.md names the layers {layers} in another order, or not all ({pos})"])
    for rule, name in [("known", "every-file-in-a-layer"), ("upward", "no-upward-include"),
                       ("cycle", "no-module-cycle"), ("tests", "unit-tests-in-their-layer"),
                       ("print", "only-commands-print"), ("text", "no-output-text-below-views"),
                       ("json", "json-only-through-the-emitter")]:
        result(name, [msg for r, msg in problems if r == rule])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
