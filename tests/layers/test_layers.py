#!/usr/bin/env python3
"""The layer rule of user/ (user/README.md), checked on every include.

user/ is one folder per layer; the Makefile's LAYERS lists them, lowest
first. A file may include headers of its own layer and of lower ones, never
of a higher one; main.c stands above all. No two modules (x.c and x.h are
one module) include each other, directly or through others. Unit tests in
tests/unit/<layer>/ include nothing above their layer either.

Usage: test_layers.py [ROOT]   (ROOT: the repository, default: this file's)
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Headers from outside user/: the ABI header (include/) and the skeleton (build/).
OUTSIDE = {"proclife.h", "proclife.skel.h"}


def layers_of(makefile):
    with open(makefile) as f:
        m = re.search(r"^LAYERS\s*:=\s*(.+)$", f.read(), re.M)
    return m.group(1).split() if m else []


def includes(path):
    with open(path, errors="replace") as f:
        return INCLUDE.findall(f.read())


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
    return problems


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
        }
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w") as f:
                f.write(text)
        got = sorted(check(d, ["base", "views"]))
    want = sorted([
        ("upward", "user/base/a.c (base) includes views/v.h (views, a higher layer)"),
        ("cycle", "views/v -> views/w -> views/v"),
        ("known", "user/stray.c is in no layer's folder"),
        ("known", 'user/main.c includes "nofolder.h": not a layer\'s header ("<layer>/<name>.h")'),
        ("tests", "tests/unit/base/test_a.c (base) includes views/v.h (views, a higher layer)"),
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
                       ("cycle", "no-module-cycle"), ("tests", "unit-tests-in-their-layer")]:
        result(name, [msg for r, msg in problems if r == rule])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
