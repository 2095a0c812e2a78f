#!/usr/bin/env bash
# Installs what tests/service/run.sh needs, only what is missing: what the
# kernel matrix needs (QEMU, cpio, zstd, the archive keyring: tools/kernels/deps.sh)
# and mmdebstrap, which makes the VM's Debian root filesystem. promtool (the
# alert check) comes with tools/deps.sh. Idempotent and quick when everything is there.
set -euo pipefail

"$(dirname "$0")/../../tools/kernels/deps.sh"

pkgs=(mmdebstrap)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "service/deps: missing packages (${missing[*]}) and not root: install them or run as root" >&2
	exit 1
fi
echo "service/deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Its Recommends (fakechroot, uidmap...) serve the unprivileged modes; run.sh runs it as root.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
