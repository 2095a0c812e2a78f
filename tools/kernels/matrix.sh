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
#   KERNEL_TIMEOUT          seconds for one VM, boot to poweroff (default 240)
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
# A whole run takes 35-50 s (6.1, host not idle); 240 s bounds a hung run, and
# with two VMs at once keeps even four hung kernels under 10 minutes.
KERNEL_TIMEOUT=${KERNEL_TIMEOUT:-240}
# Measured on 2 cores (TCG, the 6.1 suite twice): one VM after the other with
# -smp 2, 69-77 s; two at once with -smp 1, 41-54 s; two at once with -smp 2,
# 47-50 s. Two at once, and each keeps two CPUs, so races between CPUs stay covered.
KERNEL_JOBS=${KERNEL_JOBS:-2}
KERNEL_SMP=${KERNEL_SMP:-2}
# The kernel hands unknown NAME=VALUE boot parameters to /init as environment.
FILTER_ARG=${TEST_FILTER:+ TEST_FILTER=$TEST_FILTER}
LOGDIR=build/kernels
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
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
now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

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

# ---------------------------------------------------------------- mirror

# The Debian archive and security URIs the host's apt uses, as apt itself
# parsed them (one-line and deb822 sources alike). Sets MIRROR and SECURITY.
find_mirrors() {
	local uri rel origin label
	MIRROR='' SECURITY=''
	# shellcheck disable=SC2016 # $(...) are apt's format fields
	while IFS='|' read -r uri rel origin label; do
		uri=${uri%/}
		# Origin/Label are known once the host ran apt-get update; else judge by suite name.
		[ -z "$origin" ] || [ "$origin" = Debian ] || continue
		if [ "$label" = Debian-Security ] || [[ $rel == *-security || $rel == */updates ]]; then
			SECURITY=${SECURITY:-$uri}
		elif [ -n "$origin" ] || [[ $uri == */debian ]]; then
			MIRROR=${MIRROR:-$uri}
		fi
	done < <(apt-get indextargets --format '$(REPO_URI)|$(RELEASE)|$(ORIGIN)|$(LABEL)' \
		'Target-Of: deb' 'Identifier: Packages' 2>/dev/null | sort -u)
	# No security entry on the host: the usual layout is a sibling path (/debian-security).
	[ -n "$SECURITY" ] || [ -z "$MIRROR" ] || SECURITY=${MIRROR}-security
}

# ---------------------------------------------------------------- private apt

# apt options that keep everything of apt's under $1 and read nothing of the
# host's but its apt.conf (proxies): own sources, lists, cache, empty status.
apt_opts() {
	local d=$1
	APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
		-o "Dir::State::extended_states=$d/extended_states" -o "Dir::Cache=$d/cache"
		-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none
		-o APT::Sandbox::User=root)
}

# Writes the private sources.list of suite $1 into $2.
write_sources() {
	local suite=$1 d=$2 opt="[arch=amd64 signed-by=$KEYRING]"
	{
		echo "deb $opt $MIRROR $suite main"
		# sid has no -updates or -security; the others get their fixes (and newest kernels) there.
		if [ "$suite" != sid ] && [ "$suite" != unstable ]; then
			echo "deb $opt $MIRROR $suite-updates main"
			echo "deb $opt $SECURITY $suite-security main"
		fi
	} >"$d/sources.list"
}

# Field $2 of the candidate record of package $1 (APT_OPTS set).
pkg_field() {
	apt-cache "${APT_OPTS[@]}" show --no-all-versions "$1" 2>/dev/null | field "$2"
}

# Field $1 of the package record on stdin.
field() { awk -v f="$1:" '$1 == f { print $2; exit }'; }

# The packages making up suite's newest cloud kernel, named by version (not
# virtual): the versioned linux-image package, and where the image is split
# (sid: linux-binary-* holds vmlinuz, linux-base-* the config), those too.
resolve_kernel() {
	local meta=linux-image-cloud-amd64 img p
	img=$(apt-cache "${APT_OPTS[@]}" depends "$meta" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	[ -n "$img" ] || return 1
	if [ -z "$(pkg_field "$img" Version)" ]; then
		# A virtual package (e.g. provided by an -unsigned one): take its provider.
		img=$(apt-cache "${APT_OPTS[@]}" showpkg "$img" | awk '/^Reverse Provides:/ { getline; print $1; exit }')
		[ -n "$img" ] || return 1
	fi
	echo "$img"
	apt-cache "${APT_OPTS[@]}" depends "$img" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-(binary|base)-[0-9]/ { print $2 }' | sort -u |
		while read -r p; do [ -n "$(pkg_field "$p" Version)" ] && echo "$p"; done
}

# Downloads (or finds in the cache) suite $1's newest cloud kernel and unpacks
# its vmlinuz and config. Writes $WORK/$1.env (shell assignments) on success,
# else prints the reason for the SKIP line and returns 1.
fetch_kernel() {
	local suite=$1 d="$CACHE/apt/$1" debs="$CACHE/debs" state="$CACHE/state/$1.env"
	local t0 note="" pkgs=() p rec file ver sha img_ver img_pkg deb_list=() fresh=1 out fetched=0
	t0=$(now)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$debs" "$CACHE/state"
	: >"$d/status"
	apt_opts "$d"
	write_sources "$suite" "$d"

	if ! out=$(apt-get "${APT_OPTS[@]}" -q update 2>&1) || grep -q '^[WE]: ' <<<"$out"; then
		fresh=0
		note="refresh of the $suite lists failed"
		! grep -qiE 'resolv|connect|unreachable|timed out' <<<"$out" || note="no network to the archive"
		note+=" ($(grep -m1 '^[WE]: ' <<<"$out" | cut -c1-160))"
	fi
	if [ $fresh = 1 ] && mapfile -t pkgs < <(resolve_kernel) && [ ${#pkgs[@]} -gt 0 ]; then
		img_pkg=${pkgs[0]}
		img_ver=$(pkg_field "$img_pkg" Version)
		for p in "${pkgs[@]}"; do
			rec=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$p")
			file=$(field Filename <<<"$rec")
			file=${file##*/}
			sha=$(field SHA256 <<<"$rec")
			ver=$(field Version <<<"$rec")
			if [ ! -s "$debs/$file" ] || ! echo "$sha  $debs/$file" | sha256sum -c --status; then
				rm -rf "$WORK/dl.$suite" && mkdir -p "$WORK/dl.$suite"
				if ! (cd "$WORK/dl.$suite" && apt-get "${APT_OPTS[@]}" -q download "$p=$ver" >/dev/null 2>"$WORK/dl.$suite.err"); then
					note="download of $p $ver failed ($(grep -m1 -v '^W: Download is performed unsandboxed' "$WORK/dl.$suite.err" | cut -c1-160))"
					fresh=0
					break
				fi
				mv "$WORK/dl.$suite"/*.deb "$debs/$file"
				fetched=$((fetched + $(stat -c %s "$debs/$file")))
			fi
			deb_list+=("$file")
		done
		if [ $fresh = 1 ]; then
			{
				printf 'IMG_PKG=%q\nIMG_VER=%q\nDEBS=(' "$img_pkg" "$img_ver"
				printf '%q ' "${deb_list[@]}"
				echo ')'
			} >"$state"
		fi
	elif [ $fresh = 1 ]; then
		note="no linux-image-cloud-amd64 kernel in $suite"
		fresh=0
	fi
	if [ $fresh = 0 ]; then
		# Offline or a broken mirror: the kernel of the last good refresh, if it is still here.
		local IMG_PKG="" IMG_VER="" DEBS=()
		# shellcheck disable=SC1090
		[ -f "$state" ] && . "$state"
		for file in "${DEBS[@]}"; do [ -s "$debs/$file" ] || IMG_PKG=; done
		if [ -z "$IMG_PKG" ]; then
			echo "${note:-no kernel}, and no cached kernel to use instead"
			return 1
		fi
		img_pkg=$IMG_PKG img_ver=$IMG_VER deb_list=("${DEBS[@]}")
		note="$note; using the cached $img_pkg $img_ver"
	fi

	# Unpack vmlinuz and config once per kernel package, next to the .debs.
	local kdir="$CACHE/kernels/$img_pkg-$img_ver" members=() m uname=""
	if [ ! -s "$kdir/vmlinuz" ]; then
		rm -rf "$kdir.tmp" && mkdir -p "$kdir.tmp"
		for file in "${deb_list[@]}"; do
			mapfile -t members < <(dpkg-deb --fsys-tarfile "$debs/$file" | tar -t |
				grep -E '^\./(boot/(vmlinuz|config)-[^/]+|(usr/)?lib/modules/[^/]+/(vmlinuz|config))$' || true)
			[ ${#members[@]} -eq 0 ] || dpkg-deb --fsys-tarfile "$debs/$file" | tar -x -C "$kdir.tmp" "${members[@]}"
		done
		for m in "$kdir.tmp"/boot/vmlinuz-* "$kdir.tmp"/{usr/,}lib/modules/*/vmlinuz; do
			[ -f "$m" ] || continue
			if [[ $m == */boot/vmlinuz-* ]]; then uname=${m##*/vmlinuz-}; else uname=${m%/vmlinuz}; uname=${uname##*/}; fi
			mv "$m" "$kdir.tmp/vmlinuz"
			break
		done
		for m in "$kdir.tmp"/boot/config-* "$kdir.tmp"/{usr/,}lib/modules/*/config; do
			[ -f "$m" ] && mv "$m" "$kdir.tmp/config" && break
		done
		if [ ! -s "$kdir.tmp/vmlinuz" ]; then
			rm -rf "$kdir.tmp"
			echo "no vmlinuz in ${deb_list[*]}"
			return 1
		fi
		echo "$uname" >"$kdir.tmp/uname"
		rm -rf "$kdir" "$kdir.tmp/boot" "$kdir.tmp/usr" "$kdir.tmp/lib" && mv "$kdir.tmp" "$kdir"
	fi
	uname=$(cat "$kdir/uname")
	{
		printf 'IMG_PKG=%q\nIMG_VER=%q\nUNAME=%q\n' "$img_pkg" "$img_ver" "$uname"
		# The upstream version, X.Y.Z: the package version without its Debian revision.
		printf 'KVER=%q\n' "${img_ver%-*}"
		printf 'KDIR=%q\nNOTE=%q\nDL_TIME=%q\n' "$kdir" "$note" "$(elapsed "$t0" "$(now)")"
		if [ $fetched = 0 ]; then echo "DL_WHAT=cached"; else echo "DL_WHAT='fetched $((fetched / 1048576)) MiB'"; fi
	} >"$WORK/$suite.env"
}

# Drops the cached .debs and unpacked kernels that no suite's last good
# refresh names any more: a suite's newer kernel replaces its older one.
prune_cache() {
	local keep="" f
	for f in "$CACHE"/state/*.env; do
		[ -f "$f" ] || continue
		# shellcheck disable=SC1090
		keep+=$(
			. "$f"
			printf '%s\n' "${DEBS[@]}" "$IMG_PKG-$IMG_VER"
		)$'\n'
	done
	[ -n "$keep" ] || return 0
	for f in "$CACHE"/debs/*.deb "$CACHE"/kernels/*/; do
		[ -e "$f" ] || continue
		f=${f%/}
		grep -qxF "${f##*/}" <<<"$keep" || rm -rf "$f"
	done
}

# "" when config file $1 has every option $2... built in, else the list of those missing.
config_missing() {
	local config=$1 o missing=()
	shift
	[ -f "$config" ] || { echo "(no config in the package)"; return; }
	for o in "$@"; do grep -q "^$o=y" "$config" || missing+=("$o"); done
	echo "${missing[*]}"
}

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
		timeout -k 10 "$KERNEL_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp "$smp" \
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
