#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
The recording format as typed outside C, held to the compiler's layout.

The records of include/proclife.h and user/record/recording.h are pinned by
one table (include/proclife_layout.h, _Static_asserts on every size, offset
and type); build/tests/layout_dump prints the layout the compiler gave them.
The rec_* records are in no BPF object's BTF, so that dump is the oracle for
what is typed again elsewhere:

  doc/RECORD          docs/RECORDING.md's table of RECORD (the `struct NAME`
                      in the heading above the table): every field's offset,
                      size, type and order, and the size in the heading
  doc/all_records     every recorded struct has a table; every table names one
  make_corpus/RECORD  tests/fuzz/make_corpus.py's LAYOUT (its pack formats)
  make_corpus/all_records
  doc/python_reader   the doc's reader in Python reads make_corpus's valid recording
  e2e_common/NAME     tests/e2e/common.py's struct.Struct of a recording header

Usage: tests/abi/test_abi.py PATH/TO/layout_dump
One line per subtest: "PASS abi/NAME", or "FAIL abi/NAME" after lines saying what differed.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DOC = "docs/RECORDING.md"
sys.path[:0] = [os.path.join(ROOT, "tests", "fuzz"), os.path.join(ROOT, "tests", "e2e")]  # make_corpus, common
# Structs of the table that no recording holds, and why.
NOT_RECORDED = {"pl_sample": "the sampling iterator's record, read by tree and top: never in a recording",
                "pl_cgroup_key": "the key of the in-kernel cgroup filter's map: never in a recording"}
# C scalar types as the doc and Python's struct module write them.
SCALARS = {"__u8": ("u8", "B"), "__u16": ("u16", "H"), "__u32": ("u32", "I"), "__u64": ("u64", "Q"),
           "__s32": ("s32", "i"), "__s64": ("s64", "q")}

results = []


def subtest(name, problems):
    for p in problems:
        print("    " + p)
    print("%s abi/%s" % ("FAIL" if problems else "PASS", name))
    results.append(not problems)


# --------------------------------------------------------------------------
# The compiler's layout


def load_dump(path):
    out = subprocess.run([path], stdout=subprocess.PIPE, check=True, timeout=30).stdout
    return {r["name"]: r for r in json.loads(out)["records"]}


def doc_type(ctype):
    """The doc's spelling of a C type: u32, s64, char[16], u8[3], struct pl_hdr; a flexible array: bytes."""
    m = re.match(r"^(\w+)\[(\d*)\]$", ctype)
    if m:
        base = SCALARS.get(m.group(1), (m.group(1),))[0]
        return "%s[%s]" % (base, m.group(2)) if m.group(2) else "bytes"
    return SCALARS[ctype][0] if ctype in SCALARS else ctype


def nested(field):
    """The record a field is (struct pl_hdr -> pl_hdr), or None."""
    return field["type"][len("struct "):] if field["type"].startswith("struct ") else None


def public(name):
    """A field's name as documented: padding is `pad`, not `_pad`."""
    return ".".join(part.lstrip("_") for part in name.split("."))


# --------------------------------------------------------------------------
# docs/RECORDING.md


def doc_tables(path):
    """[(line, heading, [(line, offset, size, type, field)])] for every table headed offset | size | type | field."""
    tables, heading, rows, start = [], None, None, 0
    with open(path) as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines + [""], 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if rows is not None and cells is None:
            tables.append((start, heading, rows))
            rows = None
        if line.startswith("#"):
            heading = (n, line)
        elif cells and cells[:4] == ["offset", "size", "type", "field"]:
            rows, start = [], n
        elif rows is not None and cells and not set(cells[0]) <= set("-:"):
            cells += [""] * (4 - len(cells))
            rows.append((n, cells[0], cells[1], cells[2], cells[3]))
    return tables


def doc_struct(heading):
    m = re.findall(r"`struct (\w+)`", heading[1]) if heading else []
    return m[-1] if m else None


def expected_rows(dump, rec, names, covered, prefix="", base=0):
    """The rows a table of rec must have: (name, offset, size, type); a nested record's fields are
    expected in its place when the table names them (prefix.field), else the record as one row.
    The records it documents, nested ones too, go into covered."""
    covered.add(rec["name"])
    for f in rec["fields"]:
        name = public(prefix + f["name"])
        sub = nested(f)
        if sub and name not in names and any(n.startswith(name + ".") for n in names):
            yield from expected_rows(dump, dump[sub], names, covered, name + ".", base + f["offset"])
        else:
            yield name, base + f["offset"], f["size"], doc_type(f["type"])


def where(line):
    return "%s:%d" % (DOC, line)


def check_doc_table(dump, name, line, heading, rows, covered):
    rec = dump[name]
    problems = []
    sizes = [int(x) for x in re.findall(r"(\d+) bytes", heading[1])]
    if rec["size"] not in sizes:
        problems.append("%s: the heading says %s bytes, struct %s is %d" %
                        (where(heading[0]), " or ".join(map(str, sizes)) or "no", name, rec["size"]))
    fixed = [r for r in rows if r[2].isdigit()]
    tail = [r for r in rows if not r[2].isdigit()]
    by_name = {r[4]: r for r in fixed}
    names = {r[4] for r in rows}
    if len(names) != len(rows):
        problems.append("%s: a field of %s is in the table twice" % (where(line), name))
    for field, offset, size, typ in expected_rows(dump, rec, names, covered):
        if size is None:  # the C tail: the doc's variable row
            continue
        r = by_name.pop(field, None)
        if r is None:
            problems.append("%s: %s.%s (offset %d, %d bytes, %s) is not in the table" %
                            (where(line), name, field, offset, size, typ))
            continue
        got = (int(r[1]) if r[1].isdigit() else r[1], int(r[2]), r[3])
        for what, doc, real in zip(("offset", "size", "type"), got, (offset, size, typ)):
            if doc != real:
                problems.append("%s: %s.%s: %s %s in the doc, %s in the compiler" % (where(r[0]), name, field, what,
                                                                                     doc, real))
    for r in by_name.values():
        problems.append("%s: row %s: struct %s has no such field" % (where(r[0]), r[4], name))
    offsets = [int(r[1]) for r in fixed if r[1].isdigit()]
    if offsets != sorted(offsets):
        problems.append("%s: the rows of %s are not in the order of their offsets" % (where(line), name))
    c_tail = [f for f in rec["fields"] if f["size"] is None]
    for r in tail:
        if not r[1].isdigit() or int(r[1]) != rec["size"] or r[3] != "bytes" or rows[-1] is not r:
            problems.append("%s: row %s: a variable part is the last row, type bytes, at offset %d (the end of "
                            "struct %s)" % (where(r[0]), r[4], rec["size"], name))
        if c_tail and r[4] != c_tail[0]["name"]:
            problems.append("%s: row %s: the variable part of struct %s is %s" % (where(r[0]), r[4], name,
                                                                                 c_tail[0]["name"]))
    if c_tail and not tail:
        problems.append("%s: %s.%s (the variable part, at offset %d) is not in the table" %
                        (where(line), name, c_tail[0]["name"], c_tail[0]["offset"]))
    return problems


def test_doc(dump):
    covered, unnamed, tables = set(), [], {}
    for line, heading, rows in doc_tables(os.path.join(ROOT, DOC)):
        name = doc_struct(heading)
        if name not in dump:
            unnamed.append("%s:%d: a layout table under %r, which names no struct of the table%s" %
                           (DOC, line, heading[1] if heading else None, " (%s)" % name if name else ""))
            continue
        tables[name] = tables.get(name, 0) + 1  # a second table of one struct: doc/NAME#2
        subtest("doc/" + name + ("#%d" % tables[name] if tables[name] > 1 else ""),
                check_doc_table(dump, name, line, heading, rows, covered))
    missing = ["struct %s has no table in %s" % (n, DOC) for n in dump if n not in covered and n not in NOT_RECORDED]
    subtest("doc/all_records", unnamed + missing)


# --------------------------------------------------------------------------
# tests/fuzz/make_corpus.py


def py_field(layout, fmt):
    """(size, types it may stand for) of one of make_corpus's field formats."""
    if fmt == "*":
        return None, {"bytes"}
    if fmt in layout:
        return sum(py_field(layout, f)[0] for _, f in layout[fmt] if f != "*"), {"struct " + fmt}
    m = re.match(r"^(\d+)s$", fmt)
    if m:
        return int(m.group(1)), {"char[%s]" % m.group(1), "u8[%s]" % m.group(1)}
    m = re.match(r"^(\d+)([A-Za-z])$", fmt)
    if m:  # an array of scalars: "16I" is u32[16]
        return struct.calcsize("<" + fmt), {"%s[%s]" % (t, m.group(1)) for t, f in SCALARS.values() if f == m.group(2)}
    return struct.calcsize("<" + fmt), {t for t, f in SCALARS.values() if f == fmt}


def check_py_record(dump, layout, name):
    problems, offset = [], 0
    c_fields, py_fields = dump[name]["fields"], layout[name]
    for i in range(max(len(c_fields), len(py_fields))):
        c = c_fields[i] if i < len(c_fields) else None
        p = py_fields[i] if i < len(py_fields) else None
        if c is None or p is None or c["name"] != p[0]:
            problems.append("%s field %d: %s in make_corpus, %s in the compiler" %
                            (name, i, p[0] if p else "nothing", c["name"] if c else "nothing"))
            break
        size, types = py_field(layout, p[1])
        real = (c["offset"], c["size"], doc_type(c["type"]))
        if offset != real[0] or size != real[1] or real[2] not in types:
            problems.append("%s.%s: %r is offset %d, %s bytes, %s in make_corpus; offset %d, %s bytes, %s in the "
                            "compiler" % (name, c["name"], p[1], offset, size, " or ".join(sorted(types)), *real))
        offset += size or 0
    if not problems and offset != dump[name]["size"]:
        problems.append("%s: %d bytes in make_corpus, %d in the compiler" % (name, offset, dump[name]["size"]))
    return problems


def test_make_corpus(dump):
    import make_corpus
    layout = make_corpus.LAYOUT
    for name in layout:
        if name in dump:
            subtest("make_corpus/" + name, check_py_record(dump, layout, name))
    subtest("make_corpus/all_records",
            ["struct %s is not in make_corpus.LAYOUT" % n for n in dump if n not in layout and n not in NOT_RECORDED] +
            ["make_corpus.LAYOUT[%r] is no struct of the table" % n for n in layout if n not in dump])


def test_doc_reader():
    """The Python reader at the end of docs/RECORDING.md reads make_corpus's valid recording: every record,
    in order, by kind and body; and it refuses a damaged one."""
    import make_corpus as mc
    problems = []
    with open(os.path.join(ROOT, DOC)) as f:
        m = re.search(r"^## A reader in Python$.*?^```python\n(.*?)^```$", f.read(), re.S | re.M)
    if not m:
        subtest("doc/python_reader", ["%s: no ```python block under \"## A reader in Python\"" % DOC])
        return
    reader = {"__name__": "plread"}
    exec(compile(m.group(1), "%s (the Python reader)" % DOC, "exec"), reader)
    expected = []
    for r in mc.B0 + mc.B1:
        size, kind = mc.unpack_field(r, "rec_hdr", "size"), mc.unpack_field(r, "rec_hdr", "kind")
        expected.append((reader["KINDS"][kind], r[mc.size_of("rec_hdr"):size]))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "valid.plr")
        with open(path, "wb") as f:
            f.write(mc.valid())
        try:
            got = list(reader["records"](path))
        except ValueError as e:
            got = []
            problems.append("the reader refused a valid recording: %s" % e)
        if got != expected:
            diff = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
            problems.append("the reader gave %d records, expected %d; the first difference is record %d: %r, "
                            "expected %r" % (len(got), len(expected), diff, got[diff][:1] if diff < len(got) else None,
                                             expected[diff][:1] if diff < len(expected) else None))
        with open(path, "wb") as f:
            f.write(mc.flip(mc.valid(), mc.OFF_B0 + mc.size_of("rec_block_hdr") + 7))
        try:
            list(reader["records"](path))
            problems.append("the reader read a recording whose payload CRC32 is wrong")
        except ValueError:
            pass
    subtest("doc/python_reader", problems)


# --------------------------------------------------------------------------
# tests/e2e/common.py


def struct_format(dump, name):
    """The struct module's format of a record without nested ones or a tail: "<8sHHI..."."""
    fmt = "<"
    for f in dump[name]["fields"]:
        t = doc_type(f["type"])
        fmt += "%ds" % f["size"] if "[" in t else SCALARS["__" + t][1]
    return fmt


def test_e2e_common(dump):
    import common
    for attr, name in (("REC_FILE_HDR", "rec_file_hdr"), ("REC_BLOCK_HDR", "rec_block_hdr")):
        got, want = getattr(common, attr).format, struct_format(dump, name)
        subtest("e2e_common/" + attr, [] if got == want else
                ["common.%s is %r, struct %s is %r" % (attr, got, name, want)])


def main():
    if len(sys.argv) != 2:
        print("usage: %s PATH/TO/layout_dump" % sys.argv[0], file=sys.stderr)
        return 2
    try:
        dump = load_dump(sys.argv[1])
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        subtest("dump", ["%s: %s" % (sys.argv[1], e)])
        return 1
    test_doc(dump)
    test_make_corpus(dump)
    test_doc_reader()
    test_e2e_common(dump)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
