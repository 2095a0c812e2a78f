#!/bb/busybox sh
# shellcheck shell=sh
# /init of the kernel-matrix VM (tools/kernels/matrix.sh packs it into the
# initramfs). Runs under busybox sh as PID 1: mounts what the kernel tests use,
# runs the kernel suite and a proclife smoke, prints them between @@PL- markers
# on the serial console (matrix.sh reads them back), then powers off.
# Nothing here may exit: PID 1 exiting panics the kernel (panic=-1 then ends
# the VM, and matrix.sh reports a run without its end marker).

# Real Debian programs (/usr/bin: true, sh = dash, sleep, nohup...) come before
# busybox's applets (/bb), so the tests exec what they would exec on a host.
# (This busybox sh runs its own applets without a PATH search, but only for
# this script's commands: what the tests exec is the real program.)
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/bb
HOME=/root
export PATH HOME

/bb/busybox mount -t proc proc /proc
# The applet links (busybox finds itself through /proc/self/exe).
/bb/busybox --install -s /bb
mount -t sysfs sysfs /sys
if ! mount -t devtmpfs devtmpfs /dev 2>/dev/null; then
	# No devtmpfs: the few nodes the tests and this script open.
	mknod -m 666 /dev/null c 1 3
	mknod -m 666 /dev/zero c 1 5
	mknod -m 444 /dev/urandom c 1 9
fi
# Pseudo-terminals: the tests give processes a controlling terminal of their own.
mkdir -p /dev/pts
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts 2>/dev/null || echo "@@PL-NOTE no devpts"
[ -c /dev/ptmx ] || mknod -m 666 /dev/ptmx c 5 2
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
# The tests compare the cgroup id in the events with the inode of our cgroup v2 dir.
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || echo "@@PL-NOTE no cgroup2"
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
hostname proclife-vm
# Kernel messages stay off the console while the tests print their lines (no
# line cut in two by a printk); the whole kernel log is dumped at the end.
dmesg -n 1
cd /tmp || true

echo "@@PL-BEGIN $(uname -r) $(nproc) cpu"
ktest_start=$(cut -d' ' -f1 /proc/uptime)
# As from a terminal: a session with ttyS0 as its controlling tty (cttyhack
# finds the tty behind /dev/console) and a job-control shell, so the suite runs
# as the foreground process group with its parent shell in another one. Run
# straight from PID 1, its process group is orphaned, and the kernel drops
# SIGTSTP (and SIGTTIN/SIGTTOU) sent to it: the stop tests would see "ignored".
# The "; exit $?" keeps sh from exec'ing the suite in its own place.
PROCLIFE_IN_VM=1 setsid cttyhack /bb/busybox sh -m -c 'test_kernel 2>&1; exit $?'
echo "@@PL-KTEST-END rc=$? start=$ktest_start end=$(cut -d' ' -f1 /proc/uptime)"

# proclife smoke: `features` when the binary has it, then the tracer itself
# while /bin/true runs: it must show that exec. BPF loading under emulation
# takes seconds, so /bin/true runs every half second until seen (30 s at most).
echo "@@PL-SMOKE-BEGIN"
proclife features >/tmp/features.out 2>&1
rc=$?
if grep -q "unknown command" /tmp/features.out; then
	echo "proclife features: not a command of this binary (rc=$rc)"
else
	echo "proclife features (rc=$rc):"
	cat /tmp/features.out
fi
# SIGTERM, not SIGINT: a background job of a non-interactive shell ignores SIGINT.
timeout 60 proclife watch >/tmp/watch.out 2>&1 &
watch_pid=$!
seen=0 exited=0 i=0
while [ $i -lt 60 ]; do
	/bin/true proclife-smoke
	# watch's text line: "TIME exec PID PPID COMM ARGV  (FILENAME)".
	if grep -q ' exec .*proclife-smoke.*(/bin/true)' /tmp/watch.out; then
		seen=1
		break
	fi
	if ! kill -0 $watch_pid 2>/dev/null; then
		exited=1
		break
	fi
	sleep 0.5
	i=$((i + 1))
done
kill -TERM $watch_pid 2>/dev/null
wait $watch_pid
watch_rc=$?
echo "proclife watch (rc=$watch_rc), first lines:"
head -n 40 /tmp/watch.out
if [ $seen = 1 ]; then
	echo "@@PL-SMOKE PASS"
elif [ $exited = 1 ]; then
	echo "@@PL-SMOKE FAIL: proclife watch exited (rc=$watch_rc) before showing an exec of /bin/true"
else
	echo "@@PL-SMOKE FAIL: no exec of /bin/true in 30 s of proclife watch"
fi

echo "@@PL-DMESG"
dmesg
echo "@@PL-END"
sync
poweroff -f
# Not reached unless poweroff failed: keep PID 1 alive until the host's timeout.
while :; do sleep 3600; done
