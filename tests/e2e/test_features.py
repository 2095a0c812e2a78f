#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of features, one at a time: `proclife features` (text and
JSON agree, and name this kernel), a feature turned off (the hidden switch
PROCLIFE_FEATURES_OFF, as a kernel that refuses its programs would) costs one
stderr line and that feature only, the core turned off costs the tool with
one line and exit status 1, and a recording made with a feature off says so
when it is replayed, instead of reading as "nothing of that kind happened".

Usage: tests/e2e/test_features.py PATH/TO/proclife [SUBTEST...]
Needs root (every subtest is skipped otherwise). Python stdlib only.
"""
import json
import os
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import (ROOT, WAIT, Failure, one_line, parse_json_lines, run, run_proclife,  # noqa: E402
                    start_proclife, tmpdir, wait_for)

SUBTEST_TIMEOUT = 60
NAMES = ["core", "syscalls", "signals", "oom", "delivery", "rename", "sampling", "cred"]
STATES = ("on", "reduced", "off")
FORCED = "turned off by PROCLIFE_FEATURES_OFF"
DELIVERY = "signal delivery (deliver, stop, continue)"
READY_RECORD = "proclife: recording to %s, Ctrl-C to stop\n"


class env_set:
    """os.environ[name] = value while the block runs (proclife inherits it)."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __enter__(self):
        self.old = os.environ.get(self.name)
        os.environ[self.name] = self.value

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop(self.name, None)
        else:
            os.environ[self.name] = self.old


def features_json(c, env=None):
    rc, out, err = run_proclife(["features", "--json"], timeout=60)
    c.eq("proclife features --json: exit status", 0, rc)
    c.eq("proclife features --json: stderr", b"", err)
    try:
        return json.loads(out)
    except ValueError:
        raise Failure("proclife features --json: not JSON: %r" % out[:300])


def test_features_text_and_json(c):
    doc = features_json(c)
    c.eq("kernel", os.uname().release, doc.get("kernel"))
    c.eq("btf", os.path.exists("/sys/kernel/btf/vmlinux"), doc.get("btf"))
    c.eq("ringbuf", True, doc.get("ringbuf"))
    c.eq("traces", True, doc.get("traces"))
    c.eq("feature names, in order", NAMES, [f.get("name") for f in doc.get("features", [])])
    for f in doc.get("features", []):
        c.ok("%s: state %r is not one of %s" % (f["name"], f["state"], STATES), f["state"] in STATES)
        if f["state"] == "off":
            c.ok("%s is off without a reason" % f["name"], bool(f["why"]))
            c.eq("%s is off: its program" % f["name"], None, f["program"])
            c.eq("%s is off: its programs loaded" % f["name"], [], f.get("programs"))
        else:
            c.ok("%s is %s without its program" % (f["name"], f["state"]), bool(f["program"]))
            c.ok("%s: its program %r is not among those loaded, %r" % (f["name"], f["program"], f.get("programs")),
                 f["program"] in (f.get("programs") or []))
    rc, out, err = run_proclife(["features"], timeout=60)
    c.eq("proclife features: exit status", 0, rc)
    c.eq("proclife features: stderr", b"", err)
    text = out.decode()
    c.ok("proclife features: no kernel line for %s: %r" % (os.uname().release, text[:200]),
         text.startswith("kernel       %s (" % os.uname().release))
    rows = {ln.split()[0]: ln.split()[1] for ln in text.splitlines() if ln.split() and ln.split()[0] in NAMES}
    c.eq("states in the text", {f["name"]: f["state"] for f in doc["features"]}, rows)
    rc, out, err = run_proclife(["features", "--bogus"], timeout=10)
    common.check_usage_error(c, "proclife features --bogus", rc, out, err, b"proclife features: ")


def test_feature_forced_off(c):
    """Delivery off: one line names it; exec, exit and signals still come; no deliver event."""
    with env_set("PROCLIFE_FEATURES_OFF", "delivery"):
        t = start_proclife(["--json", "-e", "exec,exit,signal,deliver"])
    err = t.stderr_raw().decode()
    want = "proclife: %s is off on this kernel: %s (see 'proclife features')\n" % (DELIVERY, FORCED)
    c.eq("lines naming delivery on stderr", 1, err.count(DELIVERY))
    c.ok("stderr has no line %r: %r" % (want, err), want in err)
    # A child that handles SIGUSR1 sent to itself, then exits 7.
    script = "trap 'exit 7' USR1; kill -USR1 $$; sleep 5"
    p = common.popen(["sh", "-c", script])
    rc = p.wait(WAIT)
    c.eq("the child's exit status (waitpid)", 7, rc)

    def mine():
        evs = [e for e in parse_json_lines(c, t.stdout_bytes().rsplit(b"\n", 1)[0] + b"\n")
               if e["pid"] == p.pid]
        return evs if any(e["event"] == "exit" for e in evs) else None

    evs = wait_for(mine, "the child's exit in the output")
    t.stop()
    kinds = [e["event"] for e in evs]
    c.ok("no exec of sh for the child: %s" % kinds, "exec" in kinds)
    c.ok("no SIGUSR1 signal event: %s" % kinds,
         any(e["event"] == "signal" and e["signame"] == "SIGUSR1" for e in evs))
    c.eq("deliver events (delivery is off)", [], [e for e in evs if e["event"] == "deliver"])
    c.eq("exit code", 7, [e for e in evs if e["event"] == "exit"][0]["exit_code"])


def test_core_off_is_fatal(c):
    with env_set("PROCLIFE_FEATURES_OFF", "core"):
        rc, out, err = run_proclife(["--json"], timeout=30)
    want = (b"proclife: cannot trace: process tracing (fork, exec, exit, reap) is off on this kernel: "
            + FORCED.encode() + b"\n")
    c.eq("exit status", 1, rc)
    c.eq("stdout", b"", out)
    c.eq("stderr", want, err)
    with env_set("PROCLIFE_FEATURES_OFF", "core"):
        rc, out, err = run_proclife(["features", "--json"], timeout=60)
    c.eq("features with the core off: exit status", 1, rc)
    doc = json.loads(out)
    c.eq("features with the core off: traces", False, doc["traces"])
    c.eq("features with the core off: core", "off", doc["features"][0]["state"])


def test_recording_says_what_was_off(c):
    tmp = tmpdir("pl_feat_")
    f = os.path.join(tmp, "nodelivery.plr")
    with env_set("PROCLIFE_FEATURES_OFF", "delivery"):
        rec = start_proclife(["record", "-w", f], (READY_RECORD % f).encode())
    _, status = run(["sh", "-c", "trap 'exit 3' TERM; kill -TERM $$; sleep 5"])
    c.eq("the scenario's wait status", 3 << 8, status)
    c.eq("recorder exit status", 0, rec.stop(signal.SIGINT))
    rc, out, err = run_proclife(["watch", "--json", "-r", f], timeout=30)
    c.eq("replay: exit status", 0, rc)
    want = ("proclife: this recording was made with %s off on its kernel: %s\n" % (DELIVERY, FORCED)).encode()
    raw = err  # run_proclife strips only this kernel's own lines; this one is the recording's
    c.ok("replay: stderr does not say delivery was off: %r" % raw, want in raw)
    c.eq("replay: lines about delivery", 1, raw.count(DELIVERY.encode()))
    evs = parse_json_lines(c, out)
    c.ok("replay: no signal events", any(e["event"] == "signal" for e in evs))
    c.eq("replay: deliver events", [], [e for e in evs if e["event"] == "deliver"])
    # The recorder said it too, live.
    c.ok("recorder: stderr does not name delivery: %r" % rec.stderr_raw(), DELIVERY.encode() in rec.stderr_raw())


SUBTESTS = [
    ("text_and_json", test_features_text_and_json, ROOT),
    ("forced_off", test_feature_forced_off, ROOT),
    ("core_off_is_fatal", test_core_off_is_fatal, ROOT),
    ("recording_says_what_was_off", test_recording_says_what_was_off, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="features_", subtest_timeout=SUBTEST_TIMEOUT))
