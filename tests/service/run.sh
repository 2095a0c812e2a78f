#!/usr/bin/env bash
# proclife.service and proclife-events.service, started by real systemd (issue 20).
#
#   tests/service/run.sh            (root; make test-service runs it)
#
# Boots a Debian bookworm VM under QEMU (TCG, no KVM needed) whose PID 1 is
# systemd, installs the .deb that `make deb` builds from this tree, and runs
# tests/service/scenario.py there as a unit of its own: it starts both units,
# runs a workload (an exit status, a signal, a zombie) and finds it in the
# events log and the recording, reloads (a new piece, the old one whole),
# SIGKILLs the recorder (systemd restarts it, nothing written before is lost),
# fills the recordings' file system (the recorder must survive, count it in
# proclife_recording_errors_total, and the alert rule must fire), frees it,
# stops both (a clean end), and reads both units' journal for anything unexpected.
#
# How:
#  - The kernel: bookworm's newest cloud kernel (6.1), through the kernel
#    matrix's download and cache (tools/kernels/kernel-cache.sh).
#  - The root filesystem: mmdebstrap (essential + systemd, systemd-sysv,
#    python3; ~120 MB), packed as a zstd'd newc cpio and cached in
#    $PROCLIFE_SERVICE_CACHE under a key of everything that makes it (the
#    suite, packages, mirror, mmdebstrap's version, build_rootfs below). The
#    kernel unpacks it into a tmpfs as its root (no root= given) and runs
#    /sbin/init: systemd, as PID 1.
#  - A second cpio appended to it per run: the .deb, scenario.py, its
#    settings and its unit (enabled in multi-user.target, powering off after).
#  - Serial ports: ttyS0 the console (build/service/console.log), ttyS1 the
#    scenario's result lines, ttyS2 files it sends back (build/service/artifacts/).
#  - Output: the scenario's lines as "PASS service/NAME" (FAIL after "#" lines
#    saying what differed), the host's own checks (service/full_disk_alert:
#    promtool evaluates tools/prometheus/proclife.rules.yml on the metrics the
#    VM sent back), a FAIL for every planned check the VM never reported, then
#    "# service: N passed, N failed, N skipped". What cannot be had (not root,
#    no network for the kernel or the root filesystem, no kernel to boot) is
#    one "SKIP service/all: why". Exit 1 when a FAIL line was printed.
#
# Environment:
#   SERVICE_CHECKS   scenarios to run, comma-separated (default: all of them):
#                    workload, reload, kill, full_disk. install, start, stop and
#                    journal_clean always run: the others stand on them.
#   SERVICE_UNIT_CAPS  diagnostics only: capabilities added to both units' CapabilityBoundingSet=
#                    by a drop-in (e.g. CAP_SYS_ADMIN), said in a "# NOTE" line; default none
#   SERVICE_TIMEOUT  seconds for the VM, boot to poweroff (default 900)
#   SERVICE_SMP      CPUs of the VM (default 2)
#   PROCLIFE_SERVICE_CACHE  root filesystems (default /var/cache/proclife-service)
#   PROCLIFE_KERNEL_CACHE   kernels, shared with the matrix (default /var/cache/proclife-kernels)
set -euo pipefail

cd "$(dirname "$0")/../.."
HERE=tests/service
SCENARIOS_ALL=workload,reload,kill,full_disk
SERVICE_CHECKS=${SERVICE_CHECKS:-$SCENARIOS_ALL}
# Measured on 2 cores shared with other work (TCG): a whole run 103-196 s, 186-233 s beside
# a 2-CPU load (the VM 90-190 s of it); building the root filesystem adds ~100 s, once.
# 900 s bounds a hung VM.
SERVICE_TIMEOUT=${SERVICE_TIMEOUT:-900}
SERVICE_SMP=${SERVICE_SMP:-2}
SERVICE_UNIT_CAPS=${SERVICE_UNIT_CAPS:-}
SERVICE_CACHE=${PROCLIFE_SERVICE_CACHE:-/var/cache/proclife-service}
CACHE=${PROCLIFE_KERNEL_CACHE:-/var/cache/proclife-kernels}
SUITE=bookworm
LOGDIR=build/service
RULES=tools/prometheus/proclife.rules.yml
# Kernel options the VM cannot do without: boot from a zstd'd initramfs into a
# tmpfs, talk on the serial ports, load the BPF programs.
NEED_CONFIG=(CONFIG_BLK_DEV_INITRD CONFIG_RD_ZSTD CONFIG_TMPFS CONFIG_SERIAL_8250_CONSOLE CONFIG_BPF_SYSCALL
	CONFIG_DEBUG_INFO_BTF CONFIG_CGROUPS)

say() { echo "# $*"; }
skip_all() {
	echo "SKIP service/all: $*"
	exit 0
}

WORK=$(mktemp -d /tmp/proclife-service.XXXXXX)
QPID=
cleanup() {
	# The VM (timeout passes the signal on to QEMU), and anything else still running.
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	local j
	for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=tools/kernels/kernel-cache.sh
. tools/kernels/kernel-cache.sh

# ---------------------------------------------------------------- root filesystem

# What the VM has besides the essential set; main() adds the package's own Depends (and
# nothing more: what the package uses and does not declare is missing there, and shows).
ROOTFS_PACKAGES=systemd,systemd-sysv,python3

# Makes the root filesystem in directory $1 (absent or empty): Debian $SUITE
# from the host's mirror, with systemd as /sbin/init and python3 for the
# scenario, made fit to boot straight to multi-user.target on a serial console.
build_rootfs() {
	local dir=$1 opt="[arch=amd64 signed-by=$KEYRING]"
	# The essential set and what the packages need; the merged-/usr hook keeps usrmerge
	# (and perl with it) out; no documentation.
	mmdebstrap --quiet --mode=root --variant=essential --include="$ROOTFS_PACKAGES" \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		"$SUITE" "$dir" "deb $opt $MIRROR $SUITE main" "deb $opt $MIRROR $SUITE-updates main" \
		"deb $opt $SECURITY $SUITE-security main"
	# A machine id, so the boot is no "first boot" (systemd-firstboot would prompt on the console).
	chroot "$dir" systemd-machine-id-setup >/dev/null
	echo proclife-service-vm >"$dir/etc/hostname"
	# No logins: gettys on the console would only get in the way of its log.
	ln -sf /dev/null "$dir/etc/systemd/system/getty.target"
	ln -sf /dev/null "$dir/etc/systemd/system/serial-getty@ttyS0.service"
	rm -f "$dir/etc/systemd/system/getty.target.wants/"*
	# node_exporter's textfile directory, as prometheus-node-exporter makes it: the unit's
	# default --metrics-file goes there (ReadWritePaths= needs it to exist).
	mkdir -p "$dir/var/lib/prometheus/node-exporter"
}

# Path of the cached root filesystem archive, built when missing.
rootfs() {
	local key out tmp
	key=$({
		echo "$SUITE $ROOTFS_PACKAGES $MIRROR $SECURITY"
		mmdebstrap --version
		declare -f build_rootfs
	} | sha256sum | cut -c1-16)
	out="$SERVICE_CACHE/rootfs-$SUITE-$key.cpio.zst"
	if [ ! -s "$out" ]; then
		mkdir -p "$SERVICE_CACHE"
		tmp="$WORK/rootfs"
		if ! build_rootfs "$tmp" >"$WORK/mmdebstrap.log" 2>&1; then
			echo "mmdebstrap failed: $(grep -m1 -E '^E: ' "$WORK/mmdebstrap.log" | cut -c1-200)" >"$WORK/rootfs.why"
			cp "$WORK/mmdebstrap.log" "$LOGDIR/mmdebstrap.log"
			return 1
		fi
		# Owners as they are (root, systemd-journal...): no -R.
		(cd "$tmp" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) |
			zstd -q -T0 -10 >"$out.tmp.$$"
		mv "$out.tmp.$$" "$out"
		rm -rf "$tmp"
		# Older recipes' archives go.
		find "$SERVICE_CACHE" -maxdepth 1 -name "rootfs-*.cpio.zst" ! -path "$out" -delete
	fi
	echo "$out"
}

# The per-run part of the initramfs, $1: the .deb $2, the scenario, its settings, its unit.
build_overlay() {
	local out=$1 deb=$2 root="$WORK/overlay" nonce
	rm -rf "$root" && mkdir -p "$root/root" "$root/etc/systemd/system/multi-user.target.wants"
	cp "$deb" "$root/root/proclife.deb"
	cp "$HERE/scenario.py" "$root/root/scenario.py"
	nonce=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
	python3 -c 'import json, sys; print(json.dumps({"scenarios": sys.argv[1].split(","), "nonce": sys.argv[2],
		"unit_caps": sys.argv[3]}))' "$SERVICE_CHECKS" "$nonce" "$SERVICE_UNIT_CAPS" >"$root/root/scenario.json"
	cat >"$root/etc/systemd/system/proclife-scenario.service" <<-'EOF'
		[Unit]
		Description=proclife service scenario (tests/service/scenario.py)
		After=multi-user.target

		[Service]
		Type=exec
		ExecStart=/usr/bin/python3 -u /root/scenario.py /root/scenario.json
		StandardOutput=journal+console
		StandardError=journal+console
		# Whatever happened: the VM ends (QEMU exits on poweroff).
		ExecStopPost=/usr/bin/systemctl --force --force poweroff

		[Install]
		WantedBy=multi-user.target
	EOF
	ln -s ../proclife-scenario.service "$root/etc/systemd/system/multi-user.target.wants/proclife-scenario.service"
	# Files and links only: a directory entry would reset the mode of the one in the base.
	(cd "$root" && find . ! -type d -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
		zstd -q -1 >"$out"
}

# ---------------------------------------------------------------- results

# Decodes the artifacts the VM sent on ttyS2 into $LOGDIR/artifacts/.
save_artifacts() {
	python3 - "$1" "$LOGDIR/artifacts" <<-'EOF'
		import base64, os, sys
		src, dst = sys.argv[1], sys.argv[2]
		os.makedirs(dst, exist_ok=True)
		name, buf = None, []
		for line in open(src, errors='replace'):
		    line = line.strip()
		    if line.startswith('@@ARTIFACT '):
		        name, buf = os.path.basename(line.split(' ', 1)[1]), []
		    elif line == '@@END' and name:
		        with open(os.path.join(dst, name), 'wb') as f:
		            f.write(base64.b64decode(''.join(buf)))
		        name = None
		    elif name:
		        buf.append(line)
	EOF
}

# Prints the VM's result lines as service/NAME, then a FAIL for each planned check
# without a result; $1 the results file, $2 why the VM may have stopped early.
report() {
	local res=$1 why=$2 plan c
	tr -d '\r' <"$res" >"$WORK/results.clean"
	plan=$(sed -n 's/^@@PLAN //p' "$WORK/results.clean" | head -n1)
	if [ -z "$plan" ]; then
		echo "FAIL service/boot: the scenario never started: $why (see $LOGDIR/console.log)"
		return
	fi
	sed -nE 's#^(PASS|FAIL|SKIP) #\1 service/#p; /^# /p' "$WORK/results.clean"
	for c in $plan; do
		grep -qE "^(PASS|FAIL|SKIP) $c(:|$)" "$WORK/results.clean" ||
			echo "FAIL service/$c: no result: $why (see $LOGDIR/console.log)"
	done
}

main() {
	local deb rootfs version t0 t_vm rc=0 missing why KDIR KVER IMG_PKG IMG_VER
	local t_start
	t_start=$(now)
	if [ "$(id -u)" -ne 0 ]; then
		skip_all "not root (mmdebstrap --mode=root, and the VM's kernel download through apt)"
	fi
	local s
	for s in ${SERVICE_CHECKS//,/ }; do
		[[ ,$SCENARIOS_ALL, == *,$s,* ]] || {
			echo "service: unknown scenario '$s' in SERVICE_CHECKS (known: $SCENARIOS_ALL)" >&2
			exit 2
		}
	done
	"$HERE/deps.sh"
	mkdir -p "$LOGDIR"
	rm -rf "$LOGDIR/artifacts"

	# The package, as a user would build it.
	make --no-print-directory -s deb >"$WORK/deb.log" 2>&1 || {
		cat "$WORK/deb.log" >&2
		echo "FAIL service/deb: make deb failed"
		exit 1
	}
	# Named as tools/packaging/mkdeb.sh names it.
	version=$(sed -n 's/^#define PROCLIFE_VERSION "\(.*\)"$/\1/p' user/base/version.h)
	deb=build/proclife_${version}_$(dpkg --print-architecture).deb
	# Its Depends, as apt would install them: the first of each alternative, no versions.
	local depends
	depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g' |
		grep . | paste -sd, || true)
	ROOTFS_PACKAGES+=${depends:+,$depends}

	find_mirrors
	[ -n "$MIRROR" ] || skip_all "no Debian mirror in the host's apt sources"
	if ! fetch_kernel "$SUITE" >"$WORK/kernel.why" 2>"$WORK/kernel.err"; then
		skip_all "no $SUITE kernel: $(tail -n1 "$WORK/kernel.why")"
	fi
	# shellcheck disable=SC1090
	. "$WORK/$SUITE.env"
	missing=$(config_missing "$KDIR/config" "${NEED_CONFIG[@]}")
	[ -z "$missing" ] || skip_all "the $SUITE kernel $KVER cannot boot this VM, not built in: $missing"
	say "service: kernel $KVER ($IMG_PKG $IMG_VER), $(basename "$deb")"

	t0=$(now)
	rootfs=$(rootfs) || skip_all "no root filesystem: $(cat "$WORK/rootfs.why" 2>/dev/null)"
	say "service: root filesystem $(basename "$rootfs") ($(du -m "$rootfs" | cut -f1) MiB) in $(elapsed "$t0" "$(now)") s"
	build_overlay "$WORK/overlay.cpio.zst" "$deb"
	# Concatenated archives: the kernel unpacks one after the other, the overlay last.
	cat "$rootfs" "$WORK/overlay.cpio.zst" >"$WORK/initrd"

	t0=$(now)
	: >"$WORK/results"
	: >"$WORK/artifacts"
	# mitigations=off: no page-table isolation, whose CR3 switches flush TCG's TLB.
	timeout -k 10 "$SERVICE_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp "$SERVICE_SMP" \
		-display none -no-reboot -nic none -monitor none \
		-serial "file:$LOGDIR/console.log" -serial "file:$WORK/results" -serial "file:$WORK/artifacts" \
		-kernel "$KDIR/vmlinuz" -initrd "$WORK/initrd" \
		-append "console=ttyS0 rdinit=/sbin/init panic=-1 mitigations=off systemd.show_status=0" \
		</dev/null >"$LOGDIR/qemu.log" 2>&1 &
	QPID=$!
	wait "$QPID" || rc=$?
	QPID=
	t_vm=$(elapsed "$t0" "$(now)")
	cp "$WORK/results" "$LOGDIR/results.log"
	save_artifacts "$WORK/artifacts"

	why="the VM stopped"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="the VM timed out after $SERVICE_TIMEOUT s"
	elif grep -qa 'Kernel panic' "$LOGDIR/console.log"; then
		why="kernel panic: $(grep -a -m1 'Kernel panic' "$LOGDIR/console.log" | tr -d '\r' | cut -c1-120)"
	elif [ "$rc" != 0 ]; then
		why="qemu exited with status $rc ($(head -c 200 "$LOGDIR/qemu.log"))"
	elif ! grep -q '^@@DONE' <(tr -d '\r' <"$WORK/results"); then
		why="the scenario stopped before its end"
	fi
	{
		report "$WORK/results" "$why"
		if [[ ,$SERVICE_CHECKS, == *,full_disk,* ]]; then
			python3 "$HERE/alert_check.py" "$RULES" "$LOGDIR/artifacts/metrics-before-full.prom" \
				"$LOGDIR/artifacts/metrics-full.prom"
		fi
	} | tee "$WORK/report" || true # (a FAIL is counted below, not an error here)
	say "service: VM ${t_vm} s (qemu -smp $SERVICE_SMP, exit $rc), whole run $(elapsed "$t_start" "$(now)") s; logs in $LOGDIR"
	say "service: $(grep -c '^PASS ' "$WORK/report") passed, $(grep -c '^FAIL ' "$WORK/report") failed, $(grep -c '^SKIP ' "$WORK/report") skipped"
	! grep -q '^FAIL ' "$WORK/report"
}

main
