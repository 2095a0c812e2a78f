# shellcheck shell=bash
# Debian's cloud kernels, fetched through a private apt setup and cached:
# sourced by tools/kernels/matrix.sh (the kernel matrix) and tests/service/run.sh
# (the service under systemd in a VM), so both boot the very same kernels.
#
# The caller sets CACHE (the cache directory, e.g. /var/cache/proclife-kernels)
# and WORK (a scratch directory of its own), then:
#   find_mirrors               sets MIRROR and SECURITY from the host's apt sources
#   fetch_kernel SUITE         writes $WORK/SUITE.env (KDIR/vmlinuz, KVER, ...) or
#                              prints why not and returns 1
#   prune_cache                drops cached kernels no suite names any more
#   config_missing CONFIG OPT... the options of OPT... not built in
# The host's /etc/apt is only read, for its mirror; nothing of it is changed.

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

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
