#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Containers of real runtimes on this host, named by proclife's library
(user/kernel/cgroups, containers, ctstate, ctnamer) from a process's
/proc/PID/cgroup and the runtime's state on disk, held against what each
runtime says itself: `podman inspect`, `docker inspect`, `ctr`, and the
bundle this suite wrote for a Kubernetes-shaped container run with runc.
No tracer runs here: build/tests/ctinfo prints what the library gives.

The runtimes come from `tools/deps.sh containers` (run here, root only);
each subtest starts the daemons it needs with their own roots and sockets
and removes everything it made (containers.py).

Usage: test_containers.py build/proclife [SUBTEST...]   (ctinfo is found beside it, in tests/)
"""
import os
import subprocess
import sys

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
]

if __name__ == "__main__":
    if os.geteuid() == 0 and len(sys.argv) > 1:
        # The runtimes, only for this suite (CI starts from a fresh machine).
        r = subprocess.run([os.path.join(REPO, "tools", "deps.sh"), "containers"], stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            print("tools/deps.sh containers failed (exit %d): the subtests that need a runtime skip" % r.returncode,
                  file=sys.stderr)
    sys.exit(common.main(SUBTESTS, prefix="containers_", subtest_timeout=240))
