#!/usr/bin/env bash
# Installs what building and testing proclife needs, only what is missing.
# Idempotent and quick when everything is there; every make target runs it.
set -euo pipefail

# libclang-rt-dev: libFuzzer and the sanitizer runtimes for `make fuzz` (clang only recommends it).
# graphviz: the tests check that `export --format dot` is a graph dot(1) accepts.
# logrotate: tests/e2e/test_logs.py rotates watch -o's file with tools/packaging/proclife.logrotate.
pkgs=(make gcc clang llvm libclang-rt-dev bpftool libbpf-dev libelf-dev zlib1g-dev libc6-dev libncurses-dev procps
      tmux graphviz logrotate)
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
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
