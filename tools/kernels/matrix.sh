#!/usr/bin/env bash
# The kernel suite on Debian's cloud kernels, each booted in QEMU (TCG, no KVM).
#
#   tools/kernels/matrix.sh [PROCLIFE_BIN] [KERNEL_TEST_BIN]
#       defaults build/proclife and build/tests/test_kernel (static binaries),
#       relative to the repo root; run as root (installs its packages, mknod).
#
# For each suite it downloads the newest linux-image-cloud-amd64 kernel (the
# suite with its -updates and -security suites) through a private apt setup
# (the host's /etc/apt is only read, for its mirror), boots it with one
# initramfs (busybox, the two binaries, the real Debian programs the tests
# exec), and prints the suite's result lines renamed per kernel:
#   PASS kernel@6.1.192/test_exit_codes
# then "kernel 6.1.192: N passed, N failed, N skipped". A kernel that cannot be
# had or booted is one "SKIP kernel@SUITE/all: why". Exit 1 when a FAIL line
# was printed, else 0. Serial logs: build/kernels/VERSION.log.
#
# Environment:
#   PROCLIFE_KERNELS        suites to run (default "bullseye bookworm trixie sid"; "" for none)
#   PROCLIFE_KERNEL_CACHE   downloads and apt state (default /var/cache/proclife-kernels)
#   KERNEL_TIMEOUT          seconds for one VM, boot to poweroff (default 420)
#   KERNEL_JOBS             VMs at once (default 2)
#   KERNEL_SMP              CPUs of each VM (default 2)
#   TEST_FILTER             passed to the kernel suite in the VM (no spaces)
set -euo pipefail

cd "$(dirname "$0")/../.."
PROCLIFE_BIN=${1:-build/proclife}
KTEST_BIN=${2:-build/tests/test_kernel}
# Set but empty: no kernel at all.
read -r -a SUITES <<<"${PROCLIFE_KERNELS-bullseye bookworm trixie sid}"
CACHE=${PROCLIFE_KERNEL_CACHE:-/var/cache/proclife-kernels}
# A whole run takes 130-190 s with single-threaded TCG on an idle host, and
# up to 385 s beside a CPU load (stress-ng --cpu 2: 6.1); 900 s bounds a hung
# run (only a hung one waits that long).
KERNEL_TIMEOUT=${KERNEL_TIMEOUT:-900}
# Measured on 2 cores (TCG, the 6.1 suite twice): one VM after the other with
# -smp 2, 69-77 s; two at once with -smp 1, 41-54 s; two at once with -smp 2,
# 47-50 s. Two at once, and each keeps two CPUs, so races between CPUs stay covered.
KERNEL_JOBS=${KERNEL_JOBS:-2}
KERNEL_SMP=${KERNEL_SMP:-2}
# The kernel hands unknown NAME=VALUE boot parameters to /init as environment.
FILTER_ARG=${TEST_FILTER:+ TEST_FILTER=$TEST_FILTER}
LOGDIR=build/kernels
HERE=tools/kernels

# Host programs shipped into the VM with their shared libraries and loader, at
# their host paths: the tests exec /bin/true (and run a copy of it, so it must
# be a real file), #! scripts under /bin/sh, /bin/sleep, and nohup through PATH
# (which must behave as coreutils' does), setpriv (util-linux: the login-uid test drops to nobody with it).
# Busybox's applets only serve /init.
VM_PROGRAMS=(/bin/true /bin/false /bin/sh /bin/sleep /usr/bin/nohup /usr/bin/env /usr/bin/timeout /bin/cat
	/usr/bin/setpriv)

# Kernel options without which the VM cannot boot or talk (checked in the
# package's config), and those without which the BPF programs cannot load.
BOOT_CONFIG=(CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP CONFIG_SERIAL_8250 CONFIG_SERIAL_8250_CONSOLE CONFIG_BINFMT_ELF CONFIG_BINFMT_SCRIPT CONFIG_TMPFS)
BPF_CONFIG=(CONFIG_BPF_SYSCALL CONFIG_DEBUG_INFO_BTF CONFIG_BPF_EVENTS CONFIG_CGROUPS CONFIG_PID_NS)

say() { echo "# $*"; }
warn() { echo "kernels: $*" >&2; }

# Kernel download and cache (find_mirrors, fetch_kernel, ...), shared with tests/service/run.sh.
# shellcheck source=tools/kernels/kernel-cache.sh
. "$HERE/kernel-cache.sh"

WORK=$(mktemp -d /tmp/proclife-kernels.XXXXXX)
cleanup() {
	local pids
	pids="$(jobs -p) $(cat "$WORK"/*.qpid 2>/dev/null || true)"
	# shellcheck disable=SC2086 # a list of pids
	[ -z "${pids// /}" ] || kill $pids 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- initramfs

# Copies host file $1 to the same path under $2, keeping the symlinks on the
# way (/bin/sh -> dash, the loader's link) so the VM resolves them as the host.
stage_path() {
	local p=$1 root=$2 dir t
	while :; do
		dir=$(realpath -e "$(dirname "$p")")
		p=$dir/${p##*/}
		mkdir -p "$root$dir"
		if [ -L "$p" ]; then
			t=$(readlink "$p")
			ln -sfn "$t" "$root$p"
			if [[ $t == /* ]]; then p=$t; else p=$dir/$t; fi
		else
			[ -e "$root$p" ] || cp -p "$p" "$root$p"
			return
		fi
	done
}

# Builds $1: a gzip'd newc cpio with /init, busybox, the two binaries, the
# programs of VM_PROGRAMS with their libraries, /etc/passwd and /etc/group.
build_initramfs() {
	local out=$1 root="$WORK/root" d prog lib
	rm -rf "$root" && mkdir -p "$root"
	# The host's merged-/usr links (/bin -> usr/bin...), so host paths land where they would.
	for d in bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$root/$d"; fi
	done
	mkdir -p "$root"/{dev,proc,sys,tmp,run,root,etc,bb,usr/local/bin}
	# The kernel's own initramfs usually has /dev/console; this one must not depend on it.
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
	# /init makes the applet links itself (one busybox --install, not 400 ln here).
	cp /bin/busybox "$root/bb/busybox"
	cp "$HERE/vm-init.sh" "$root/init"
	chmod 755 "$root/init"
	cp "$PROCLIFE_BIN" "$root/usr/local/bin/proclife"
	cp "$KTEST_BIN" "$root/usr/local/bin/test_kernel"
	for prog in "${VM_PROGRAMS[@]}"; do
		stage_path "$prog" "$root"
		# ldd: "libc.so.6 => /lib/.../libc.so.6 (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)".
		for lib in $(ldd "$prog" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			stage_path "$lib" "$root"
		done
	done
	# Users for uid filters by name (proclife -u); the tests use uid 65534.
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
}

# ---------------------------------------------------------------- boot and report

# Boots the kernel described by $WORK/$1.env with -smp $2 and writes the
# report lines to $WORK/$1.report.
run_kernel() {
	local suite=$1 smp=$2 IMG_PKG IMG_VER UNAME KVER KDIR NOTE DL_TIME DL_WHAT
	local rep="$WORK/$suite.report" log t0 rc=0 missing boot_time clean
	# shellcheck disable=SC1090
	. "$WORK/$suite.env"
	log="$LOGDIR/$KVER.log"
	{
		say "kernel $KVER ($suite): $IMG_PKG $IMG_VER, uname -r $UNAME, log $log"
		[ -z "$NOTE" ] || say "kernel $KVER ($suite): note: $NOTE"
		missing=$(config_missing "$KDIR/config" "${BOOT_CONFIG[@]}")
		if [ -n "$missing" ]; then
			echo "SKIP kernel@$suite/all: $KVER cannot boot here, not built in: $missing"
			say "kernel $KVER ($suite): download ${DL_TIME} s ($DL_WHAT), no boot"
			return 0
		fi
		missing=$(config_missing "$KDIR/config" "${BPF_CONFIG[@]}")
		[ -z "$missing" ] || say "kernel $KVER ($suite): note: not built in: $missing (expect load failures)"

		t0=$(now)
		# mitigations=off: no page-table isolation, whose CR3 switches on every
		# syscall flush the emulated TLB and make TCG several times slower.
		# thread=single: the vCPUs take turns on one host thread. With a thread
		# each (MTTCG), a vCPU could still run code another had just patched
		# (a tracepoint's static key turned on: int3, then the jump): 6.12
		# took an "Oops: int3" in syscall_exit_to_user_mode_prepare as the
		# suite attached sys_exit, and panicked. Two VMs at once still keep
		# both host cores busy.
		timeout -k 10 "$KERNEL_TIMEOUT" qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 1024 -smp "$smp" \
			-nographic -no-reboot -nic none \
			-kernel "$KDIR/vmlinuz" -initrd "$LOGDIR/initramfs.cpio.gz" \
			-append "console=ttyS0 panic=-1 mitigations=off$FILTER_ARG" </dev/null >"$log" 2>&1 &
		# Its pid, for cleanup() to stop it (timeout passes the signal on to QEMU).
		echo $! >"$WORK/$suite.qpid"
		wait $! || rc=$?
		rm -f "$WORK/$suite.qpid"
		boot_time=$(elapsed "$t0" "$(now)")
		# The serial console ends lines with \r\n.
		clean="$WORK/$suite.clean"
		tr -d '\r' <"$log" >"$clean"
		report_results "$suite" "$KVER" "$log" "$clean" "$rc"
		say "kernel $KVER ($suite): download ${DL_TIME} s ($DL_WHAT), boot+tests ${boot_time} s (qemu -smp $smp, exit $rc)"
	} >"$rep" 2>&1
}

# Turns the VM's console output into result lines (see the top of this file),
# printed and also kept in $WORK/SUITE.results to count them.
report_results() {
	local suite=$1 kver=$2 log=$3 clean=$4 rc=$5 why smoke ktend res="$WORK/$1.results" timed_out=""
	emit() { echo "$1" | tee -a "$res"; }
	: >"$res"
	[ "$rc" != 124 ] && [ "$rc" != 137 ] || timed_out=", timed out after $KERNEL_TIMEOUT s"
	sed -n '/^@@PL-BEGIN/,/^@@PL-KTEST-END/p' "$clean" | grep -E '^(PASS|FAIL|SKIP) kernel/' |
		sed -E "s#^(PASS|FAIL|SKIP) kernel/#\1 kernel@$kver/#" >"$res" || true
	if [ ! -s "$res" ]; then
		if [ -n "$timed_out" ]; then
			why="boot timed out after $KERNEL_TIMEOUT s"
		elif grep -q 'Kernel panic' "$clean"; then
			why="kernel panic: $(grep -m1 'Kernel panic' "$clean" | cut -c1-120)"
		elif grep -q '^@@PL-BEGIN' "$clean"; then
			why="the kernel suite printed no result line"
		elif [ "$rc" != 0 ]; then
			why="qemu exited with status $rc ($(grep -m1 -i 'qemu' "$clean" | cut -c1-120))"
		else
			why="the VM stopped before /init ran"
		fi
		echo "SKIP kernel@$suite/all: $kver: $why, see $log"
		return 0
	fi
	cat "$res"
	ktend=$(grep -m1 '^@@PL-KTEST-END' "$clean" || true)
	if [ -z "$ktend" ]; then
		emit "FAIL kernel@$kver/complete: the run ended before its end marker$timed_out (see $log)"
	elif ! grep -q '^# kernel: ' "$clean" && [[ $ktend != *"rc=0 "* && $ktend != *"rc=1 "* ]]; then
		# The suite itself died (a crash: no summary line, an odd status); the VM went on.
		emit "FAIL kernel@$kver/complete: the kernel suite died before its summary (${ktend#@@PL-KTEST-END }) (see $log)"
	else
		say "kernel $kver: the kernel suite ran $(awk '/^@@PL-KTEST-END/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^(start|end)=/) { split($i, a, "="); t[a[1]] = a[2] }
			printf "%.1f", t["end"] - t["start"] }' "$clean") s inside the VM"
	fi
	if [ -n "$ktend" ]; then
		smoke=$(grep -m1 '^@@PL-SMOKE ' "$clean" || true)
		case $smoke in
		"@@PL-SMOKE PASS") emit "PASS kernel@$kver/proclife_smoke" ;;
		"@@PL-SMOKE FAIL"*) emit "FAIL kernel@$kver/proclife_smoke: ${smoke#@@PL-SMOKE FAIL: } (see $log)" ;;
		*) emit "FAIL kernel@$kver/proclife_smoke: the VM stopped before the smoke's result (see $log)" ;;
		esac
		grep -q '^@@PL-END' "$clean" ||
			emit "FAIL kernel@$kver/complete: the run ended before its end marker$timed_out (see $log)"
	fi
	# What `proclife features` said there, in one line ("core on, syscalls reduced, ...").
	say "kernel $kver: features: $(awk '/^proclife features \(rc=/ { on = 1; next }
		on && /^proclife watch/ { exit }
		on && $1 ~ /^(core|syscalls|signals|oom|delivery|rename|sampling)$/ { printf "%s%s %s", sep, $1, $2; sep = ", " }' "$clean")"
	echo "kernel $kver: $(grep -c '^PASS ' "$res") passed, $(grep -c '^FAIL ' "$res") failed, $(grep -c '^SKIP ' "$res") skipped"
}

# Prints, in suite order, the reports of every kernel finished so far whose
# predecessors are printed too. $NEXT: index of the next suite to print.
NEXT=0
flush_reports() {
	while [ $NEXT -lt ${#SUITES[@]} ] && [ -f "$WORK/${SUITES[$NEXT]}.done" ]; do
		cat "$WORK/${SUITES[$NEXT]}.report"
		NEXT=$((NEXT + 1))
	done
}

# How many of the suites named have no .done mark yet.
unfinished() {
	local n=0 suite
	for suite in "$@"; do
		[ -f "$WORK/$suite.done" ] || n=$((n + 1))
	done
	echo "$n"
}

main() {
	local suite why smp t0 failed=0 kpkg
	local -A seen=()

	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP kernel@all/all: not root (the matrix installs packages and makes device nodes)"
		exit 0
	fi
	if [ ${#SUITES[@]} -eq 0 ]; then
		echo "SKIP kernel@all/all: PROCLIFE_KERNELS is empty"
		exit 0
	fi
	for f in "$PROCLIFE_BIN" "$KTEST_BIN"; do
		if [ ! -x "$f" ]; then
			warn "$f: no such executable (build it first: make $f)"
			exit 2
		fi
	done
	"$HERE/deps.sh"
	mkdir -p "$LOGDIR"
	t0=$(now)
	build_initramfs "$LOGDIR/initramfs.cpio.gz"
	say "kernels: initramfs $(du -k "$LOGDIR/initramfs.cpio.gz" | cut -f1) KiB in $(elapsed "$t0" "$(now)") s"

	find_mirrors
	if [ -z "$MIRROR" ]; then
		warn "no Debian mirror in the host's apt sources"
	else
		say "kernels: archive $MIRROR, security $SECURITY"
	fi
	# The suites at once: most of the time is apt's round trips to the mirror.
	for suite in "${SUITES[@]}"; do
		if [ -z "$MIRROR" ]; then
			echo "no Debian mirror in the host's apt sources" >"$WORK/$suite.why"
		else
			# (|| true: its own checks decide, as in an if, not errexit)
			{ fetch_kernel "$suite" || true; } >"$WORK/$suite.why" 2>"$WORK/$suite.err" &
		fi
	done
	wait
	prune_cache
	for suite in "${SUITES[@]}"; do
		if [ -f "$WORK/$suite.env" ]; then
			# Two suites with the same kernel (sid can catch up): boot it once.
			kpkg=$(grep '^IMG_PKG=' "$WORK/$suite.env")$(grep '^IMG_VER=' "$WORK/$suite.env")
			if [ -n "${seen[$kpkg]:-}" ]; then
				rm "$WORK/$suite.env"
				echo "SKIP kernel@$suite/all: the same kernel as ${seen[$kpkg]}" >"$WORK/$suite.report"
				touch "$WORK/$suite.done"
			fi
			seen[$kpkg]=${seen[$kpkg]:-$suite}
			continue
		fi
		why=$(tail -n1 "$WORK/$suite.why")
		echo "SKIP kernel@$suite/all: ${why:-the kernel could not be fetched or unpacked}" >"$WORK/$suite.report"
		touch "$WORK/$suite.done"
	done

	smp=$KERNEL_SMP
	t0=$(now)
	# At most $KERNEL_JOBS at once, counted by the .done marks each job leaves
	# (not by `wait -n`, which also returns for jobs reaped or started elsewhere).
	local -a pids=() started=()
	for suite in "${SUITES[@]}"; do
		flush_reports
		[ -f "$WORK/$suite.env" ] || continue
		while [ "$(unfinished "${started[@]}")" -ge "$KERNEL_JOBS" ]; do
			sleep 0.2
			flush_reports
		done
		# (|| : a failing command in there must not end the job before it marks itself done)
		{
			run_kernel "$suite" "$smp" || echo "FAIL kernel@$suite/matrix: the run of this kernel failed (see above)" >>"$WORK/$suite.report"
			touch "$WORK/$suite.done"
		} &
		pids+=($!)
		started+=("$suite")
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || true
		flush_reports
	done
	flush_reports
	say "kernels: all VMs in $(elapsed "$t0" "$(now)") s ($KERNEL_JOBS at once, -smp $smp each)"
	for suite in "${SUITES[@]}"; do
		grep -q '^FAIL ' "$WORK/$suite.report" && failed=1
	done
	return $failed
}

main
