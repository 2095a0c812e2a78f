#!/usr/bin/env bash
# Installs what building and testing proclife needs, only what is missing.
# Idempotent and quick when everything is there; every make target runs it.
set -euo pipefail

# libclang-rt-dev: libFuzzer and the sanitizer runtimes for `make fuzz` (clang only recommends it).
# graphviz: the tests check that `export --format dot` is a graph dot(1) accepts.
# prometheus (for promtool) and prometheus-node-exporter: the tests check --metrics-file and the alert
# rules with them; their daemons are not needed, and are neither started nor enabled here (below).
daemons=(prometheus prometheus-node-exporter)
# libjansson-dev: the JSON parser that reads the container runtimes' state (its static library is linked in).
# libsodium-dev: SHA-256 and HMAC-SHA256 of the recordings' chain and seal (its static library is linked in).
pkgs=(make gcc clang llvm libclang-rt-dev bpftool libbpf-dev libelf-dev zlib1g-dev libc6-dev libncurses-dev libjansson-dev
      libsodium-dev procps
      tmux graphviz "${daemons[@]}")
# Packaging (tests/e2e/test_docs.py, test_package.py): mandoc lints the man page, strace lists
# the system calls the units' SystemCallFilter must allow, logrotate checks the snippet.
pkgs+=(mandoc strace logrotate)
# stress-ng: the CPU load under which tools/repeat-loaded.sh runs a test again and again (flakes show there).
pkgs+=(stress-ng)
# tests/e2e/test_identity.py: a real sudo (and su, util-linux's) carries the login uid through; the
# suite configures a user and a sudoers rule of its own and removes them after.
pkgs+=(sudo)
# `tools/deps.sh containers`: the real container runtimes for tests/e2e/test_containers.py, only then
# (their daemons are started by that suite itself, with their own roots, and stopped by it).
if [ "${1:-}" = containers ]; then
	pkgs=(podman docker.io containerd runc busybox-static)
	daemons=(docker containerd podman)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
		echo "deps: missing packages (${missing[*]}) and not root: install them or run as root" >&2
		exit 1
	fi
else
	SUDO=
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Their postinst starts the daemons (invoke-rc.d: prometheus on :9090, node_exporter on :9100) unless
# policy-rc.d says no: say no for this install, if no policy is there already.
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ]; then
	printf '#!/bin/sh\n# proclife tools/deps.sh: no daemon starts while it installs\nexit 101\n' | $SUDO tee $policy >/dev/null
	$SUDO chmod 755 $policy
	trap '$SUDO rm -f $policy' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Nor at the next boot: only the tools are wanted (a machine that wants the daemons enables them).
# update-rc.d disables the init script's links and, where systemctl is, the systemd unit too.
for d in "${daemons[@]}"; do
	[[ " ${missing[*]} " == *" $d "* || " ${missing[*]} " == *" $d.io "* ]] || continue
	$SUDO update-rc.d "$d" disable >/dev/null 2>&1 || true
done
