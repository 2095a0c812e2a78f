# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
"""
Real container runtimes for the end-to-end suites, started and stopped by the
test itself (python stdlib only):

  rootfs_tar(dir)          a busybox-static root filesystem as a tarball (no registry is
                           reachable: every image is imported from it)
  oci_archive(dir, ref)    the same as an OCI image layout archive, for `ctr image import`
  Podman(tag)              podman --runtime runc (crun refuses this host's hybrid cgroups),
                           with rlimits root can set here (no CAP_SYS_RESOURCE)
  Dockerd(tag, dir)        a private dockerd: its own --data-root, --exec-root, --pidfile and
                           socket, --iptables=false --bridge=none; it runs its own containerd
  Containerd(tag, dir)     a private containerd (own root, state, socket), driven with ctr
  RuncPod(tag, dir)        a Kubernetes-pod-shaped container made with runc directly: a bundle
                           whose config.json carries the CRI annotations and a kubepods
                           cgroupsPath (no kubelet here)

Every name carries the run's tag (unique per run). Everything a runtime made is
removed, and every daemon stopped by its pid, through common.at_cleanup(), on
every path; `podman ps -a` lists nothing of ours afterwards.
"""
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
import uuid

import common

BUSYBOX = "/bin/busybox"
APPLETS = ["sh", "sleep", "cat", "ls", "ps", "kill", "true", "echo"]
DAEMON_TIMEOUT = 30.0  # a daemon answers / stops
CMD_TIMEOUT = 60.0     # one runtime command (an import, a run, a removal)


def run_tool(argv, timeout=CMD_TIMEOUT, env=None, check=True):
    """argv to completion; its stdout (str). Failure with its stderr if it fails and check."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise common.Failure("%s: did not finish within %.0f s" % (" ".join(argv), timeout))
    if check and p.returncode != 0:
        raise common.Failure("%s: exit %d: %s" % (" ".join(argv), p.returncode,
                                                  p.stderr.decode(errors="replace").strip()[-600:]))
    return p.stdout.decode(errors="replace")


def new_tag():
    """A tag for this run's names: pltest-<8 hex>."""
    return "pltest-" + uuid.uuid4().hex[:8]


def rootfs_tar(workdir):
    """A busybox-static root filesystem tarball in workdir; its path."""
    path = os.path.join(workdir, "rootfs.tar")
    if os.path.exists(path):
        return path
    if not os.path.isfile(BUSYBOX):
        raise common.Skip("%s missing (busybox-static)" % BUSYBOX)
    with tarfile.open(path, "w") as t:
        for d in ("bin", "dev", "etc", "proc", "sys", "tmp"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            t.addfile(ti)
        t.add(BUSYBOX, "bin/busybox")
        for a in APPLETS:
            ti = tarfile.TarInfo("bin/" + a)
            ti.type, ti.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(ti)
    return path


def oci_archive(workdir, ref):
    """The root filesystem as an OCI image layout archive named ref (for ctr image import)."""
    layer = open(rootfs_tar(workdir), "rb").read()
    blobs = {}

    def blob(data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"digest": digest, "size": len(data)}

    lay = dict(blob(layer), mediaType="application/vnd.oci.image.layer.v1.tar")
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": [lay["digest"]]}}
    cfg = dict(blob(json.dumps(config).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": cfg, "layers": [lay]}
    man = dict(blob(json.dumps(manifest).encode()), mediaType="application/vnd.oci.image.manifest.v1+json",
               platform={"architecture": "amd64", "os": "linux"},
               annotations={"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": ref})
    index = {"schemaVersion": 2, "manifests": [man]}
    path = os.path.join(workdir, "oci.tar")
    with tarfile.open(path, "w") as t:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", json.dumps(index).encode())
        for digest, data in blobs.items():
            add("blobs/sha256/" + digest.split(":")[1], data)
    return path


def stop_pid(pid, what, timeout=DAEMON_TIMEOUT):
    """SIGTERM pid (ours: a daemon this test started), SIGKILL after timeout; wait until it is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while common.alive(pid) and common.proc_state(pid) != "Z":
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
        time.sleep(0.05)


def pids_with_arg(needle):
    """Pids whose command line holds needle (bytes): the shims of a daemon of ours, by its socket."""
    found = []
    for pid in common.all_pids():
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if needle in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def umount_below(path):
    """Unmount whatever a runtime left mounted below path (overlays, shm), deepest first."""
    with open("/proc/self/mountinfo") as f:
        points = [ln.split()[4] for ln in f]
    for mp in sorted((p for p in points if p.startswith(path.rstrip("/") + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)


def rmdir_cgroups(*rels):
    """Remove these cgroups (paths from the root, deepest first) from every hierarchy, where empty:
    the parents runtimes make and leave (/docker, /libpod_parent, a containerd namespace)."""
    for top in os.listdir("/sys/fs/cgroup"):
        for rel in rels:
            try:
                os.rmdir(os.path.join("/sys/fs/cgroup", top) + rel)
            except OSError:
                pass  # not there, or in use (a runtime of the host's own)


def wait_socket(path, proc, what):
    deadline = time.monotonic() + DAEMON_TIMEOUT
    while not os.path.exists(path):
        if proc.poll() is not None:
            raise common.Failure("%s exited with %s before its socket %s appeared" % (what, proc.returncode, path))
        if time.monotonic() > deadline:
            raise common.Failure("%s: no socket %s after %.0f s" % (what, path, DAEMON_TIMEOUT))
        time.sleep(0.05)


class Podman:
    """podman with runc and rlimits this host allows; containers and images removed at cleanup."""
    RUN_OPTS = ["--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]

    def __init__(self, tag, workdir):
        if not shutil.which("podman") or not shutil.which("runc"):
            raise common.Skip("podman or runc not installed (tools/deps.sh containers)")
        self.tag, self.workdir = tag, workdir
        self.image = "localhost/%s-bb:1" % tag
        self.names = []
        common.at_cleanup(self.cleanup)
        run_tool(["podman", "import", rootfs_tar(workdir), self.image])

    def run(self, name, *argv):
        self.names.append(name)
        return run_tool(["podman", "run", "-d", "--name", name] + self.RUN_OPTS + [self.image] + list(argv)).strip()

    def inspect(self, name):
        return json.loads(run_tool(["podman", "inspect", name]))[0]

    def cleanup(self):
        for n in self.names:
            run_tool(["podman", "rm", "-f", "-t", "0", n], check=False)
        run_tool(["podman", "rmi", "-f", self.image], check=False)
        rmdir_cgroups("/libpod_parent/conmon", "/libpod_parent")


class Dockerd:
    """A private dockerd (and the containerd it starts itself), stopped by pid at cleanup."""

    def __init__(self, tag, workdir):
        if not shutil.which("dockerd"):
            raise common.Skip("dockerd not installed (tools/deps.sh containers)")
        self.tag = tag
        self.dir = os.path.join(workdir, "docker")
        os.makedirs(self.dir)
        self.sock = os.path.join(self.dir, "sock")
        self.data_root = os.path.join(self.dir, "data")
        self.exec_root = os.path.join(self.dir, "exec")
        self.names = []
        self.log = open(os.path.join(self.dir, "log"), "wb")
        common.at_cleanup(self.cleanup)
        self.p = subprocess.Popen(
            ["dockerd", "--data-root", self.data_root, "--exec-root", self.exec_root,
             "--pidfile", os.path.join(self.dir, "pid"), "-H", "unix://" + self.sock,
             "--iptables=false", "--ip-masq=false", "--bridge=none", "--storage-driver", "overlay2"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_socket(self.sock, self.p, "dockerd")
        self.docker("version")  # answers
        self.image = "%s-bb:1" % tag
        self.docker("import", rootfs_tar(workdir), self.image)

    def docker(self, *args, timeout=CMD_TIMEOUT, check=True):
        # The Debian client (/usr/bin/docker) speaks this dockerd's API version.
        cli = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else "docker"
        return run_tool([cli, "-H", "unix://" + self.sock] + list(args), timeout=timeout, check=check)

    def run(self, name, *argv):
        self.names.append(name)
        return self.docker("run", "-d", "--name", name, "--network", "none", self.image, *argv).strip()

    def inspect(self, name):
        return json.loads(self.docker("inspect", name))[0]

    def cleanup(self):
        if self.p.poll() is None:
            for n in self.names:
                self.docker("rm", "-f", n, check=False)
        stop_pid(self.p.pid, "dockerd")
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pid in pids_with_arg(self.exec_root.encode()):  # shims left behind
            stop_pid(pid, "containerd-shim", timeout=5)
        umount_below(self.dir)
        rmdir_cgroups("/docker")
        self.log.close()


class Containerd:
    """A private containerd: own root, state and socket; ctr against it; stopped by pid at cleanup."""

    def __init__(self, tag, workdir):
        if not shutil.which("containerd") or not shutil.which("ctr"):
            raise common.Skip("containerd not installed (tools/deps.sh containers)")
        self.tag, self.ns = tag, tag
        self.dir = os.path.join(workdir, "containerd")
        os.makedirs(self.dir)
        self.sock = os.path.join(self.dir, "sock")
        self.tasks = []
        cfg = os.path.join(self.dir, "config.toml")
        with open(cfg, "w") as f:
            f.write('version = 2\nroot = "%s/root"\nstate = "%s/state"\n'
                    'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.tracing",'
                    ' "io.containerd.tracing.processor.v1.otlp"]\n'
                    '[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s.ttrpc"\n'
                    '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
                    % (self.dir, self.dir, self.sock, self.sock))
        self.log = open(os.path.join(self.dir, "log"), "wb")
        common.at_cleanup(self.cleanup)
        self.p = subprocess.Popen(["containerd", "--config", cfg], stdin=subprocess.DEVNULL, stdout=self.log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        wait_socket(self.sock, self.p, "containerd")
        self.image = "docker.io/library/%s-bb:1" % tag
        self.import_image(oci_archive(workdir, self.image))

    def import_image(self, archive):
        """ctr image import, once containerd answers. The image takes its name from its manifest's
        io.containerd.image.name annotation: with --index-name, Debian's ctr 1.6 lost the index blob it
        names the image by ("content digest sha256:<index.json's>: not found") in 12 of 29 imports on
        this host, a retry of the same archive as well; without it, none of 14."""
        common.wait_for(lambda: subprocess.run(["ctr", "-a", self.sock, "version"], stdin=subprocess.DEVNULL,
                                               capture_output=True, timeout=CMD_TIMEOUT).returncode == 0,
                        "containerd to answer")
        self.ctr("image", "import", archive)

    def ctr(self, *args, check=True):
        return run_tool(["ctr", "-a", self.sock, "-n", self.ns] + list(args), check=check)

    def run(self, cid, *argv):
        self.tasks.append(cid)
        self.ctr("run", "-d", self.image, cid, *argv)
        for line in self.ctr("task", "ls").splitlines()[1:]:
            f = line.split()
            if f and f[0] == cid:
                return int(f[1])
        raise common.Failure("ctr task ls does not list %s" % cid)

    def cleanup(self):
        if self.p.poll() is None:
            for cid in self.tasks:
                self.ctr("task", "delete", "--force", cid, check=False)
                self.ctr("container", "delete", cid, check=False)
            self.ctr("image", "rm", self.image, check=False)
        stop_pid(self.p.pid, "containerd")
        for pid in pids_with_arg(self.sock.encode()):
            stop_pid(pid, "containerd-shim", timeout=5)
        umount_below(self.dir)
        # The runc.v2 shim keeps runc's state in /run/containerd/runc/<namespace>, whatever the root;
        # containerd leaves the namespace's cgroup /<namespace> in each hierarchy.
        shutil.rmtree("/run/containerd/runc/" + self.ns, ignore_errors=True)
        rmdir_cgroups("/" + self.ns)
        self.log.close()


class RuncPod:
    """A container as a Kubernetes node's CRI runtime makes one, with runc alone."""
    QOS = "besteffort"

    def __init__(self, tag, workdir):
        if not shutil.which("runc"):
            raise common.Skip("runc not installed (tools/deps.sh containers)")
        self.tag = tag
        self.dir = os.path.join(workdir, "runcpod")
        self.pod_uid = str(uuid.uuid4())
        self.id = hashlib.sha256(tag.encode()).hexdigest()
        self.pod_cgroup = "/kubepods/%s/pod%s" % (self.QOS, self.pod_uid)
        self.cgroups_path = "%s/%s" % (self.pod_cgroup, self.id)
        self.annotations = {
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": "app",
            "io.kubernetes.cri.sandbox-name": "%s-pod" % tag,
            "io.kubernetes.cri.sandbox-namespace": "pltest-ns",
            "io.kubernetes.cri.sandbox-uid": self.pod_uid,
            "io.kubernetes.cri.sandbox-id": hashlib.sha256((tag + "sandbox").encode()).hexdigest(),
            "io.kubernetes.cri.image-name": "registry.invalid/%s/app:1" % tag,
        }
        os.makedirs(os.path.join(self.dir, "rootfs"))
        common.at_cleanup(self.cleanup)
        with tarfile.open(rootfs_tar(workdir)) as t:
            t.extractall(os.path.join(self.dir, "rootfs"))
        run_tool(["runc", "spec", "--bundle", self.dir])
        with open(os.path.join(self.dir, "config.json")) as f:
            spec = json.load(f)
        spec["process"]["terminal"] = False
        spec["process"]["args"] = ["/bin/sleep", "600"]
        spec["annotations"] = self.annotations
        spec["linux"]["cgroupsPath"] = self.cgroups_path
        with open(os.path.join(self.dir, "config.json"), "w") as f:
            json.dump(spec, f)

    def start(self):
        """runc run -d; the container's pid."""
        pidfile = os.path.join(self.dir, "pid")
        # The container inherits runc's stdio: a file, not a pipe that would stay open while it runs.
        with open(os.path.join(self.dir, "log"), "wb") as log:
            try:
                r = subprocess.run(["runc", "run", "-d", "--bundle", self.dir, "--pid-file", pidfile, self.id],
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=CMD_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise common.Failure("runc run %s: did not finish within %.0f s" % (self.id, CMD_TIMEOUT))
        if r.returncode != 0:
            with open(os.path.join(self.dir, "log"), "rb") as f:
                raise common.Failure("runc run: exit %d: %s" % (r.returncode, f.read()[-600:]))
        with open(pidfile) as f:
            return int(f.read())

    def cleanup(self):
        run_tool(["runc", "delete", "-f", self.id], check=False)
        # runc removes the container's cgroups; the pod's and the QoS class's it made on the way stay.
        rmdir_cgroups(self.cgroups_path, self.pod_cgroup, "/kubepods/" + self.QOS, "/kubepods")
        umount_below(self.dir)
