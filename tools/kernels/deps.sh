#!/usr/bin/env bash
# Installs what tools/kernels/matrix.sh needs, only what is missing: QEMU's x86
# system emulator (TCG is enough, no KVM needed), a static busybox for the
# initramfs, cpio to pack it, the Debian archive keyring to check the kernel
# suites' Release files, and xz/zstd to unpack .deb members (dpkg-deb calls them).
# Idempotent and quick when everything is there.
set -euo pipefail

pkgs=(qemu-system-x86 busybox-static cpio debian-archive-keyring xz-utils zstd)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "kernels/deps: missing packages (${missing[*]}) and not root: install them or run as root" >&2
	exit 1
fi
echo "kernels/deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
