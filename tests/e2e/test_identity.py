#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
End-to-end tests of who did it: the login uid through real sudo and su
(Debian's packages, with PAM and NSS: the kernel suite cannot run them),
the USER column and its login user in parentheses, `signals --auid` and
`watch --auid/--setid` filtered in the kernel, cred events with their old
credentials filled in from the model where the kernel cannot say them, and
a recording replaying all of it.

Each subtest gives a process of its own a login uid (root may write
/proc/self/loginuid: what pam_loginuid does at a login), then runs sudo or
su from it, and compares what proclife says with what the test set up and
what /proc says. The users and the sudoers rule it needs are made by the
suite and removed when it ends (tools/deps.sh installs sudo).

Usage: tests/e2e/test_identity.py PATH/TO/proclife [SUBTEST...]
Needs root. Python stdlib only. One line per subtest:
    PASS e2e/identity_<name>   FAIL e2e/identity_<name>   SKIP e2e/identity_<name>: <why>
"""
import os
import pwd
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the suites
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import ROOT, Failure, Skip, at_cleanup, parse_json, parse_json_lines, start_proclife, tmpdir, wait_for  # noqa: E402

ADMIN = "pl-admin"     # the login user: sudo lets it run anything
OTHER = "pl-other"     # a user su switches to
SUDOERS = "/etc/sudoers.d/proclife-test"
READY_SIGNALS = b"proclife: auditing signals, Ctrl-C to stop and print the summary\n"
SUBTEST_TIMEOUT = 120


def run_checked(argv):
    r = subprocess.run(argv, capture_output=True, timeout=60)
    if r.returncode != 0:
        raise Failure("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stderr.decode(errors="replace")[-300:]))


def ensure_users():
    """The test's users and sudoers rule, made now, removed when the subtest ends. Returns (admin, other) uids."""
    if not shutil.which("sudo") or not shutil.which("su"):
        raise Skip("sudo or su is not installed (tools/deps.sh installs sudo)")
    made = []
    for name in (ADMIN, OTHER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            run_checked(["useradd", "--no-create-home", "--shell", "/bin/sh", name])
            made.append(name)

    def undo():
        if os.path.exists(SUDOERS):
            os.unlink(SUDOERS)
        for name in made:
            subprocess.run(["userdel", name], capture_output=True, timeout=60)
    at_cleanup(undo)
    with open(SUDOERS, "w") as f:
        f.write("%s ALL=(ALL) NOPASSWD: ALL\n" % ADMIN)
    os.chmod(SUDOERS, 0o440)
    return pwd.getpwnam(ADMIN).pw_uid, pwd.getpwnam(OTHER).pw_uid


def as_login(auid, uid=None):
    """preexec_fn: a login by auid (its login uid, as pam_loginuid sets it), then, given, become uid."""
    def fn():
        with open("/proc/self/loginuid", "w") as f:
            f.write(str(auid))
        if uid is not None:
            pw = pwd.getpwuid(uid)
            os.setgroups([])
            os.setgid(pw.pw_gid)
            os.setuid(uid)
    return fn


def run_as(argv, preexec):
    r = subprocess.run(argv, preexec_fn=preexec, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise Failure("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stderr.decode(errors="replace")[-300:]))


def events_of(t, c, pred, what, n=1):
    """Wait until the JSON lines of proclife t hold n events pred accepts; returns them."""
    found = []

    def enough():
        found[:] = [e for e in parse_json_lines(c, common.whole_lines(t.stdout_bytes()), t.name()) if pred(e)]
        return len(found) >= n
    wait_for(enough, what)
    return found


def mark(marker):
    """The exec of /bin/true MARKER (not of what ran it with the same words)."""
    return lambda e: e["event"] == "exec" and e["argv"] == ["/bin/true", marker]


def test_sudo(c):
    """sudo run by a logged-in admin: the command runs as root, its auid the admin's; sudo's exec is setid."""
    admin, _ = ensure_users()
    t = start_proclife(["watch", "--json", "-e", "exec,cred"])
    run_as(["sudo", "-n", "/bin/true", "pl-sudo-mark"], as_login(admin, admin))
    e = events_of(t, c, mark("pl-sudo-mark"), "the exec sudo ran")[0]
    c.fields("the command sudo ran", e, {"uid": 0, "euid": 0, "auid": admin, "exe": os.path.realpath("/bin/true"),
                                          "setid": False})
    s = events_of(t, c, lambda x: x["event"] == "exec" and x["comm"] == "sudo" and x["auid"] == admin, "sudo's exec")
    c.fields("sudo's own exec (a set-user-ID root file, run by the admin)", s[0],
             {"uid": admin, "euid": 0, "setid": True})
    creds = [x for x in parse_json_lines(c, t.stdout_bytes(), t.name())
             if x["event"] == "cred" and x["pid"] == s[0]["pid"]]
    c.ok("sudo's set-id exec made a cred event (how execve): %s" % common.short(creds),
         any(x["how"] == "execve" and x["setid"] and x["new"]["euid"] == 0 for x in creds))
    t.stop()


def test_su(c):
    """su from root to another user: the command runs as that user, its auid the caller's login user."""
    admin, other = ensure_users()
    t = start_proclife(["watch", "--json", "-e", "exec"])
    run_as(["su", "-s", "/bin/sh", "-c", "/bin/true pl-su-mark", OTHER], as_login(admin))
    e = events_of(t, c, mark("pl-su-mark"), "the exec su ran")[0]
    c.fields("the command su ran", e, {"uid": other, "euid": other, "auid": admin})
    t.stop()


def test_text_login_user(c):
    """The USER column: root(pl-admin) for what the admin runs through sudo; --auid keeps only that, in the kernel."""
    admin, _ = ensure_users()
    t = start_proclife(["watch", "-e", "exec", "--auid", ADMIN])
    run_as(["sudo", "-n", "/bin/true", "pl-text-mark"], as_login(admin, admin))
    run_as(["/bin/true", "pl-not-admin"], as_login(0))
    wait_for(lambda: b"pl-text-mark" in t.stdout_bytes(), "the sudo'd exec on watch's output")
    t.stop()
    lines = t.stdout_bytes().decode(errors="replace").splitlines()
    got = [ln for ln in lines if ln.endswith(" /bin/true pl-text-mark")]
    c.eq("the text header", common.TEXT_HEADER,
         lines[0] if lines else None)
    c.ok("the sudo'd exec's line says root(%s): %s" % (ADMIN, got), got and " root(%s) " % ADMIN in got[0])
    c.ok("no line of another login user's: %s" % [ln for ln in lines if "pl-not-admin" in ln],
         not any("pl-not-admin" in ln for ln in lines))


def test_signals_auid(c):
    """signals --auid ADMIN: the kill the admin ran through sudo, with its sender's login user; no other sender."""
    admin, _ = ensure_users()
    victim = common.popen(["sleep", "30"])
    common.wait_asleep(victim.pid)
    t = start_proclife(["signals", "--json", "--auid", ADMIN], ready=READY_SIGNALS)
    run_as(["sudo", "-n", "/bin/kill", "-TERM", str(victim.pid)], as_login(admin, admin))
    os.kill(os.getpid(), 0)  # a probe of the test's own (no login uid): not the admin's
    wait_for(lambda: victim.poll() is not None, "the victim to die")
    t.stop()
    doc = parse_json(t.stdout_bytes(), t.name())
    rows = doc["signals"]
    mine = [r for r in rows if r["target"]["pid"] == victim.pid and r["signame"] == "SIGTERM"]
    row = c.one("the SIGTERM row to the victim", mine)
    if row:
        c.fields("its sender", row["sender"], {"uid": 0, "euid": 0, "auid": admin, "comm": "kill"})
    c.ok("every row's sender is the admin's: %s" % common.short(rows), all(r["sender"]["auid"] == admin for r in rows))


def test_cred_old_from_model(c):
    """A setresuid's cred event: old and new as /proc said before and after (old from the kernel, or the model)."""
    d = tmpdir("pl-identity-")
    script = os.path.join(d, "drop.py")
    with open(script, "w") as f:
        f.write("import os, sys\nos.setresgid(65534, 65534, 65534)\nos.setgroups([])\n"
                "os.setresuid(65534, 65534, 65534)\nsys.stdout.write(open('/proc/self/status').read())\n")
    t = start_proclife(["watch", "--json", "-e", "exec,cred"])
    before = open("/proc/self/status").read()
    r = subprocess.run([sys.executable, script, "pl-cred-mark"], capture_output=True, timeout=60)
    if r.returncode:
        raise Failure("the dropping script failed: %r" % r.stderr)
    pid = events_of(t, c, lambda e: e["event"] == "exec" and script in e["argv"], "the script's exec")[0]["pid"]
    creds = events_of(t, c, lambda e: e["event"] == "cred" and e["pid"] == pid and e["how"] == "setresuid",
                      "its setresuid cred event")
    t.stop()

    def caps(status, key):
        return int([ln for ln in status.splitlines() if ln.startswith(key + ":")][0].split()[1], 16)
    e = creds[0]
    c.ok("old_from says where old came from: %r" % e["old_from"], e["old_from"] in ("kernel", "model"))
    c.fields("old ids", e["old"], {"uid": 0, "euid": 0, "suid": 0, "fsuid": 0})
    c.fields("new ids", e["new"], {"uid": 65534, "euid": 65534, "suid": 65534, "fsuid": 65534})
    c.eq("old permitted capabilities (as /proc said before)", caps(before, "CapPrm"),
         sum(1 << common.CAP_NAMES.index(n) for n in e["old"]["caps"]["permitted"]))
    c.eq("new permitted capabilities (as /proc says after)", caps(r.stdout.decode(), "CapPrm"),
         sum(1 << common.CAP_NAMES.index(n) for n in e["new"]["caps"]["permitted"]))


def test_replay(c):
    """A recording keeps the login uid, the exec's paths and the cred events: replayed, the same JSON."""
    admin, _ = ensure_users()
    d = tmpdir("pl-identity-")
    rec = os.path.join(d, "r.plr")
    t = start_proclife(["watch", "--json", "-e", "exec,cred", "-w", rec], ready=b", Ctrl-C to stop\n")
    run_as(["sudo", "-n", "/bin/true", "pl-replay-mark"], as_login(admin, admin))
    live = events_of(t, c, mark("pl-replay-mark"), "the sudo'd exec")[0]
    t.stop()
    r = subprocess.run([common.BIN, "watch", "--json", "-e", "exec,cred", "-r", rec], capture_output=True,
                       timeout=60)
    again = c.one("the exec on replay", [e for e in parse_json_lines(c, r.stdout, "replay") if mark("pl-replay-mark")(e)])
    if again:
        c.eq("the exec on replay", live, again)


SUBTESTS = [
    ("sudo", test_sudo, ROOT),
    ("su", test_su, ROOT),
    ("text_login_user", test_text_login_user, ROOT),
    ("signals_auid", test_signals_auid, ROOT),
    ("cred_old_from_model", test_cred_old_from_model, ROOT),
    ("replay", test_replay, ROOT),
]

if __name__ == "__main__":
    sys.exit(common.main(SUBTESTS, prefix="identity_", subtest_timeout=SUBTEST_TIMEOUT))
