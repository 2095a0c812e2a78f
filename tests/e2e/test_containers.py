#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Containers of real runtimes on this host, held against what each runtime
says itself: `podman inspect`, `docker inspect`, `ctr`, and the bundle this
suite wrote for a Kubernetes-shaped container run with runc.

The first subtests ask proclife's library alone (build/tests/ctinfo: a
process's /proc/PID/cgroup and the runtime's state on disk). The live_*
ones run proclife itself and check every event of the containers'
processes against an oracle that owes nothing to cgroups: a container's
processes are those in its pid namespace (the kernel's ns/pid of its PID
1, which docker exec's processes join too); the host's are this suite's
own children. Covered: containers started before and after proclife, a
docker exec, a container's init leaving a zombie, a kill from the host into
a container, two containers of one image, a name used again after its
removal, the container events, tree's marks and --by-container, zombies,
and every container option (live, where watch filters in the kernel).

The runtimes come from `tools/deps.sh containers` (run here, root only);
each subtest starts the daemons it needs with their own roots and sockets
and removes everything it made (containers.py).

Usage: test_containers.py build/proclife [SUBTEST...]   (ctinfo is found beside it, in tests/)
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import containers  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ctinfo(*pids):
    """What the library says of pids: one dict each (tests/e2e/ctinfo.c)."""
    exe = os.path.join(os.path.dirname(common.BIN), "tests", "ctinfo")
    if not os.access(exe, os.X_OK):
        raise common.Failure("%s missing: make %s" % (exe, os.path.relpath(exe, REPO)))
    out = containers.run_tool([exe] + [str(p) for p in pids])
    return [common.parse_json(line.encode(), "ctinfo") for line in out.splitlines()]


def check_container(c, what, info, want):
    """info's container object has the fields of want (others may be anything)."""
    ct = info.get("container")
    if not isinstance(ct, dict):
        c.fail("%s: pid %s: container is %r, expected one (cgroup %r)" % (what, info.get("pid"), ct,
                                                                           info.get("cgroup")))
        return
    for k, v in want.items():
        c.eq("%s: container.%s" % (what, k), v, ct.get(k))


def container_pids(cgroup_v2):
    """Pids whose v2 cgroup is cgroup_v2 (the processes of one container here)."""
    found = []
    for pid in common.all_pids():
        try:
            with open("/proc/%d/cgroup" % pid) as f:
                if "0::%s\n" % cgroup_v2 in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def test_podman(c):
    tag = containers.new_tag()
    pm = containers.Podman(tag, common.tmpdir("pl-ct-"))
    name = tag + "-p1"
    cid = pm.run(name, "/bin/sleep", "600")
    ins = pm.inspect(name)
    c.eq("podman run's id", ins["Id"], cid)
    [info] = ctinfo(ins["State"]["Pid"])
    check_container(c, "podman", info, {"runtime": "podman", "kind": "container", "id": ins["Id"],
                                        "name": ins["Name"], "image": ins["ImageName"]})
    c.ok("podman: cgroup %r ends with libpod-<id>" % info["cgroup"], info["cgroup"].endswith("libpod-" + cid))
    # conmon, the runtime's own process beside the container: recognised as such, not as a container.
    conmon = ins.get("State", {}).get("ConmonPid")
    if conmon:
        [cm] = ctinfo(conmon)
        c.eq("podman's conmon: container.kind", "runtime", (cm.get("container") or {}).get("kind"))


def test_docker(c):
    tag = containers.new_tag()
    d = containers.Dockerd(tag, common.tmpdir("pl-ct-"))
    n1, n2 = tag + "-d1", tag + "-d2"
    d.run(n1, "/bin/sleep", "600")
    d.run(n2, "/bin/sleep", "600")  # the same image twice
    i1, i2 = d.inspect(n1), d.inspect(n2)
    got = ctinfo(i1["State"]["Pid"], i2["State"]["Pid"])
    for ins, info in zip((i1, i2), got):
        check_container(c, "docker " + ins["Name"], info, {
            "runtime": "docker", "kind": "container", "id": ins["Id"], "name": ins["Name"].lstrip("/"),
            "image": ins["Config"]["Image"]})
    c.ok("docker: two containers of one image have two ids", got[0]["container"]["id"] != got[1]["container"]["id"])
    # docker exec: a process that joins the container from outside is that container's too.
    d.docker("exec", "-d", n1, "/bin/sleep", "500")
    cg = got[0]["v2"]
    joined = common.wait_for(lambda: [p for p in container_pids(cg) if p != i1["State"]["Pid"]],
                             "the docker exec'd sleep in %s" % cg, timeout=common.WAIT)
    [info] = ctinfo(joined[0])
    check_container(c, "docker exec", info, {"runtime": "docker", "id": i1["Id"], "name": n1})
    # A name used again after its container was removed names the new container.
    d.docker("rm", "-f", n2)
    d.run(n2, "/bin/sleep", "600")
    i3 = d.inspect(n2)
    c.ok("docker: the new %s has a new id" % n2, i3["Id"] != i2["Id"])
    [info] = ctinfo(i3["State"]["Pid"])
    check_container(c, "docker reused name", info, {"id": i3["Id"], "name": n2})


def test_containerd(c):
    tag = containers.new_tag()
    ctd = containers.Containerd(tag, common.tmpdir("pl-ct-"))
    cid = tag + "-c1"
    pid = ctd.run(cid, "/bin/sleep", "600")
    info_json = common.parse_json(ctd.ctr("container", "info", cid).encode(), "ctr container info")
    [info] = ctinfo(pid)
    # ctr names a container by its id alone; its image is kept only in containerd's BoltDB (not read).
    check_container(c, "containerd", info, {"runtime": "containerd", "kind": "container", "id": info_json["ID"],
                                            "ns": tag, "name": info_json["ID"], "image": None})
    c.eq("containerd: cgroup", "/%s/%s" % (tag, cid), info["cgroup"])
    c.ok("ctr says image %r" % info_json.get("Image"), info_json.get("Image") == ctd.image)


def test_runc_pod(c):
    tag = containers.new_tag()
    pod = containers.RuncPod(tag, common.tmpdir("pl-ct-"))
    pid = pod.start()
    [info] = ctinfo(pid)
    a = pod.annotations
    # The cgroupfs kubepods path says "a pod's container"; the CRI annotations say containerd and name it.
    check_container(c, "runc pod", info, {
        "runtime": "containerd", "kind": "container", "id": pod.id, "name": a["io.kubernetes.cri.container-name"],
        "container": a["io.kubernetes.cri.container-name"], "pod": a["io.kubernetes.cri.sandbox-name"],
        "namespace": a["io.kubernetes.cri.sandbox-namespace"], "pod_uid": pod.pod_uid,
        "image": a["io.kubernetes.cri.image-name"], "sandbox": False})
    c.eq("runc pod: cgroup", pod.cgroups_path, info["cgroup"])


# ---------------------------------------------------------------- proclife itself, live

ME_CGROUP = None


def pidns(pid):
    """The inode of pid's pid namespace: the oracle of which container a process is in."""
    return os.stat("/proc/%d/ns/pid" % pid).st_ino


def json_events(c, t):
    """The JSON lines proclife t has printed so far (complete lines only)."""
    out = t.stdout_bytes()
    return common.parse_json_lines(c, out[:out.rfind(b"\n") + 1]) if b"\n" in out else []


def wait_events(c, t, pred, what, timeout=30.0):
    """Polls t's JSON lines until pred(events) is true; returns the events then."""
    found = []

    def ready():
        found[:] = [json_events(common.Check(), t)]
        return pred(found[0])
    common.wait_for(ready, what, timeout=timeout, interval=0.05)
    return found[0]


def has_exec(events, ns, argv0, since=0):
    return any(e["event"] == "exec" and e.get("pidns") == ns and (e.get("argv") or [""])[0] == argv0 and
               e["ktime_ns"] >= since for e in events)


def boottime_ns():
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME)


def check_container_events(c, what, events, ns, want, since=0, until=1 << 64):
    """Every exec, exit and signal event of the processes in pid namespace ns (between since and
    until, boot ns: the kernel reuses a freed namespace's inode) carries container want (runtime,
    id, name, image); at least one exec does. The runtime's own init (runc's) renames itself and
    exits before it execs the container's program: its events are not the container's yet."""
    mine = [e for e in events if e.get("pidns") == ns and e["event"] in ("exec", "exit", "signal")
            and since <= e["ktime_ns"] < until and not (e.get("comm") or "").startswith("runc")]
    c.ok("%s: an exec in its pid namespace" % what, any(e["event"] == "exec" for e in mine))
    for e in mine:
        ct = e.get("container")
        got = {k: (ct or {}).get(k) for k in want} if isinstance(ct, dict) else ct
        if not c.eq("%s: %s of pid %s (%s): container" % (what, e["event"], e["pid"], e.get("comm")), want, got):
            break


def check_host_events(c, events, pids):
    """The events of this suite's own processes: no container, and this suite's cgroup."""
    mine = [e for e in events if e.get("pid") in pids]
    c.ok("host processes %s: events seen" % sorted(pids), len(mine) > 0)
    for e in mine:
        if not c.eq("host pid %d %s: container" % (e["pid"], e["event"]), None, e.get("container")):
            break
        if not c.eq("host pid %d %s: cgroup" % (e["pid"], e["event"]), my_cgroup(), e.get("cgroup")):
            break


def my_cgroup():
    """This suite's cgroup path, as proclife identifies it (ctinfo: the library's own answer for a host process)."""
    global ME_CGROUP
    if ME_CGROUP is None:
        [info] = ctinfo(os.getpid())
        ME_CGROUP = info["cgroup"]
    return ME_CGROUP


def host_family():
    """Runs a small tree of host processes (sh, its true and sleep); their pids."""
    p = common.popen(["/bin/sh", "-c", "/bin/true; /bin/sleep 0.05; exit 4"])
    pids = {p.pid}
    common.reap_popen(p)
    return pids


def container_pid1(ins):
    return ins["State"]["Pid"]


def test_live_docker(c):
    tag = containers.new_tag()
    d = containers.Dockerd(tag, common.tmpdir("pl-ct-"))
    before, after = tag + "-before", tag + "-after"
    # A PID 1 that does not reap: a child backgrounded, then sleep (which never waits) takes PID 1.
    d.run(before, "/bin/sh", "-c", "/bin/sleep 0.2 & exec /bin/sleep 600")
    ib = d.inspect(before)
    ns_before = pidns(container_pid1(ib))
    rec = os.path.join(common.tmpdir("pl-ct-rec-"), "ct.plr")
    t = common.start_proclife(["--json", "-w", rec],
                              ready=b"proclife: tracing process lifecycle events, recording to %s, Ctrl-C to stop\n"
                              % rec.encode())
    d.run(after, "/bin/sh", "-c", "exec /bin/sleep 600")  # the same image, started after proclife
    ia = d.inspect(after)
    ns_after = pidns(container_pid1(ia))
    d.docker("exec", before, "/bin/sh", "-c", "/bin/true; exit 3", check=False)  # joins the first from outside
    os.kill(container_pid1(ia), signal.SIGCONT)  # a kill from the host into the second (harmless)
    hosts = host_family()
    # The name used again after its container was removed: another container, another id.
    d.docker("rm", "-f", after)
    removed = boottime_ns()
    d.run(after, "/bin/sh", "-c", "exec /bin/sleep 601")
    ia2 = d.inspect(after)
    ns_after2 = pidns(container_pid1(ia2))
    events = wait_events(c, t, lambda ev: has_exec(ev, ns_after2, "/bin/sleep", removed) and
                         any(e["event"] == "exit" and e.get("pidns") == ns_before and e.get("exit_code") == 3
                             for e in ev), "the docker exec's exit and the reused name's exec")
    c.eq("proclife watch -w: exit status", 0, t.stop())
    events = common.parse_json_lines(c, t.stdout_bytes())
    # The recording names the same containers at the same places: its replay is the live output, byte for byte.
    rc, out, err = common.run_proclife(["--json", "-r", rec], timeout=60)
    c.eq("watch --json -r: exit status", 0, rc)
    c.ok("watch --json -r: the live output byte for byte (%d and %d bytes; first difference at %s)"
         % (len(t.stdout_bytes()), len(out), next((i for i, (a, b) in enumerate(zip(t.stdout_bytes(), out)) if a != b),
                                                  min(len(out), len(t.stdout_bytes())))),
         out == t.stdout_bytes())
    img = ib["Config"]["Image"]
    for ins, ns, what, since, until in ((ib, ns_before, "started before", 0, 1 << 64),
                                        (ia, ns_after, "started after", 0, removed),
                                        (ia2, ns_after2, "the name used again", removed, 1 << 64)):
        check_container_events(c, "docker " + what, events, ns, {
            "runtime": "docker", "id": ins["Id"], "name": ins["Name"].lstrip("/"), "image": img}, since, until)
    c.ok("two containers of one image, a name used again: three ids",
         len({ib["Id"], ia["Id"], ia2["Id"]}) == 3 and ia["Config"]["Image"] == img)
    # docker exec: the exec'd process is the container's.
    ex = [e for e in events if e["event"] == "exec" and e.get("pidns") == ns_before and
          e.get("argv") == ["/bin/sh", "-c", "/bin/true; exit 3"]]
    if c.ok("docker exec: its exec seen in the container", len(ex) == 1):
        c.eq("docker exec: its container", ib["Id"], (ex[0].get("container") or {}).get("id"))
    # The kill from the host: sent by this suite (no container), into the second container.
    sig = [e for e in events if e["event"] == "signal" and e.get("pid") == os.getpid() and e.get("sig") == 18
           and e.get("target") == container_pid1(ia)]
    if c.ok("the kill from the host: its signal event", len(sig) == 1):
        c.eq("the kill from the host: sender's container", None, sig[0].get("container"))
        c.eq("the kill from the host: target's container", ia["Id"], (sig[0].get("target_container") or {}).get("id"))
        c.eq("the kill from the host: crosses a container's boundary", True, sig[0].get("crosses_container"))
    # The container events: the one running at the start, and each one started after, named.
    named = {(e["container"]["id"], e["container"]["name"]) for e in events if e["event"] == "container"}
    for ins in (ib, ia, ia2):
        c.ok("a container event for %s (%s)" % (ins["Name"], ins["Id"][:12]),
             (ins["Id"], ins["Name"].lstrip("/")) in named)
    check_host_events(c, events, hosts | {os.getpid()})
    # tree marks the first process of each container; zombies names the init that does not reap.
    rc, out, err = common.run_proclife(["tree", "--wide"], timeout=30)
    mark = "[docker %s %s]" % (before, ib["Id"][:12])
    lines = [ln for ln in out.decode().split("\n") if mark in ln]
    if c.ok("tree: %s marks one line: %r" % (mark, lines), len(lines) == 1):
        c.ok("tree: the marked line is its PID 1 (%d)" % container_pid1(ib),
             (" %d " % container_pid1(ib)) in lines[0])
    rc, out, err = common.run_proclife(["tree", "--by-container", "--json"], timeout=30)
    groups = common.parse_json(out, "tree --by-container --json")
    ids = [(g["container"] or {}).get("id") for g in groups]
    c.ok("tree --by-container: a tree per container, the host's last: %r" % ids,
         ib["Id"] in ids and ia2["Id"] in ids and ids[-1] is None)
    rc, out, err = common.run_proclife(["zombies"], timeout=30)
    c.ok("zombies: the container's init that does not reap is said: %r" % out.decode()[-600:],
         "docker %s %s: its init %d (sleep) does not reap: 1 zombie" % (before, ib["Id"][:12], container_pid1(ib))
         in out.decode())


def test_live_podman(c):
    tag = containers.new_tag()
    pm = containers.Podman(tag, common.tmpdir("pl-ct-"))
    name = tag + "-p1"
    t = common.start_proclife(["--json", "-e", "exec,exit,container"])
    pm.run(name, "/bin/sh", "-c", "/bin/true; exec /bin/sleep 600")
    ins = pm.inspect(name)
    ns = pidns(ins["State"]["Pid"])
    wait_events(c, t, lambda ev: has_exec(ev, ns, "/bin/sleep"), "podman's sleep")
    t.stop()
    events = common.parse_json_lines(c, t.stdout_bytes())
    check_container_events(c, "podman", events, ns, {"runtime": "podman", "id": ins["Id"], "name": ins["Name"],
                                                      "image": ins["ImageName"]})
    c.ok("a container event for %s" % name, any(e["event"] == "container" and e["container"]["id"] == ins["Id"]
                                                for e in events))


def test_live_top(c):
    """top: the header names the selected process's container; C keeps only that container's processes."""
    if not shutil.which("tmux"):
        raise common.Skip("tmux is not installed")
    tag = containers.new_tag()
    pm = containers.Podman(tag, common.tmpdir("pl-ct-"))
    name = tag + "-top"
    word = "only-in-sh-" + tag[-8:]  # in the container's sh alone (conmon's arguments hold its name, so the tag)
    pm.run(name, "/bin/sh", "-c", "/bin/sleep 600; echo " + word)
    ins = pm.inspect(name)
    mark = "podman %s %s" % (name, ins["Id"][:12])
    tm = common.Tmux("cttop", "%s top" % common.BIN, x=200, y=40, env=dict(os.environ, LC_ALL="C.UTF-8"),
                     prefix="plct")
    tm.wait(lambda sc: sc.startswith("proclife top"), "top's header")
    tm.keys("/")
    tm.keys(word, literal=True)
    tm.keys("Enter")
    screen = tm.wait(lambda sc: mark in sc.split("\n")[0], "the selected process's container in the header")
    c.ok("top: the container's first process is marked [%s]" % mark, "[%s]" % mark in screen)
    tm.keys("c")
    tm.keys("C")

    def only_it(sc):
        rows = [ln for ln in sc.split("\n")[2:-1] if ln.strip()]
        # Its processes, and their ancestors (the rows stay a tree): pid 1 and conmon.
        return "one container" in sc.split("\n")[-1] and len(rows) >= 3 and \
            all(("sleep 600" in r or word in r or "conmon" in r or re.search(r"\s1 /", r)) for r in rows)
    tm.wait(only_it, "C: the container's processes (and their ancestors) only, 'one container' said")
    tm.keys("q")


def test_live_filters(c):
    """Every container option, live: what a filtered watch shows is exactly what it picks."""
    tag = containers.new_tag()
    work = common.tmpdir("pl-ct-")
    d = containers.Dockerd(tag, work)
    pod = containers.RuncPod(tag, work)
    web, cache = tag + "-web", tag + "-cache"
    d.run(web, "/bin/sh", "-c", "exec /bin/sleep 600")
    iw = d.inspect(web)
    cg_web = ctinfo(container_pid1(iw))[0]["cgroup"]
    opts = {
        "name": ["--container", web],
        "id": ["--container", iw["Id"][:8]],
        "pod": ["--pod", "pltest-ns/" + tag + "-pod"],
        "cgroup": ["--cgroup", cg_web],
        "host": ["--host"],
        "containers": ["--containers"],
    }
    ts = {k: common.start_proclife(["--json", "-e", "exec,exit"] + v) for k, v in opts.items()}
    # After they started: another container (the same image), the pod's, a docker exec, host processes.
    d.run(cache, "/bin/sh", "-c", "exec /bin/sleep 600")
    ic = d.inspect(cache)
    pod_pid = pod.start()
    d.docker("exec", web, "/bin/sh", "-c", "exit 5", check=False)
    hosts = host_family()
    ns = {"web": pidns(container_pid1(iw)), "cache": pidns(container_pid1(ic)), "pod": pidns(pod_pid)}
    want = {"name": {"web"}, "id": {"web"}, "pod": {"pod"}, "cgroup": {"web"}, "host": {"host"},
            "containers": {"web", "cache", "pod"}}
    mark = {"web": lambda ev: any(e["event"] == "exit" and e.get("pidns") == ns["web"] and e.get("exit_code") == 5
                                  for e in ev),
            "cache": lambda ev: has_exec(ev, ns["cache"], "/bin/sleep"),
            "pod": lambda ev: has_exec(ev, ns["pod"], "/bin/sleep"),
            "host": lambda ev: any(e["event"] == "exit" and e.get("pid") in hosts for e in ev)}
    for k, t in ts.items():
        events = wait_events(c, t, lambda ev: all(mark[w](ev) for w in want[k]), "%s: what it picks" % k)
        t.stop()
        events = common.parse_json_lines(c, t.stdout_bytes())
        for w, seen in mark.items():
            c.eq("--%s: shows %s's events" % (" ".join(opts[k]), w), w in want[k], bool(seen(events)))
        where = {v: w for w, v in ns.items()}
        for e in events:
            ct = e.get("container")
            side = where.get(e.get("pidns"), "host" if ct is None else "?")
            if not c.ok("--%s: shows %s pid %d (%s) in %s" % (" ".join(opts[k]), e["event"], e["pid"],
                                                               e.get("comm"), side),
                        side in want[k] or (side == "?" and k == "containers") or
                        (e.get("comm") or "").startswith("runc")):
                break


def test_host(c):
    """This suite's own process and init: no container, and the path that identifies them here."""
    got = ctinfo(os.getpid(), 1)
    for info in got:
        c.eq("pid %d: container" % info["pid"], None, info.get("container"))
        c.ok("pid %d: a cgroup path %r" % (info["pid"], info.get("cgroup")), (info.get("cgroup") or "").startswith("/"))
        c.ok("pid %d: v2 id %r resolves back to %r" % (info["pid"], info.get("v2_id"), info.get("v2")),
             info.get("v2_id") is None or info.get("v2_id_path") == info.get("v2"))
        c.ok("pid %d: v1 id %r resolves back to %r" % (info["pid"], info.get("v1_id"), info.get("v1")),
             info.get("v1_id") is None or info.get("v1_id_path") == info.get("v1"))
    c.eq("gone pid", "No such file or directory", ctinfo(0x7ffffff0)[0].get("error"))


SUBTESTS = [
    ("host", test_host, common.ROOT),
    ("podman", test_podman, common.ROOT),
    ("docker", test_docker, common.ROOT),
    ("containerd", test_containerd, common.ROOT),
    ("runc_pod", test_runc_pod, common.ROOT),
    ("live_docker", test_live_docker, common.ROOT),
    ("live_podman", test_live_podman, common.ROOT),
    ("live_filters", test_live_filters, common.ROOT),
    ("live_top", test_live_top, common.ROOT),
]

if __name__ == "__main__":
    if os.geteuid() == 0 and len(sys.argv) > 1:
        # The runtimes, only for this suite (CI starts from a fresh machine).
        r = subprocess.run([os.path.join(REPO, "tools", "deps.sh"), "containers"], stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            print("tools/deps.sh containers failed (exit %d): the subtests that need a runtime skip" % r.returncode,
                  file=sys.stderr)
    sys.exit(common.main(SUBTESTS, prefix="containers_", subtest_timeout=240))
