#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Runs a test again and again beside a CPU load, to find out whether it is a
# flake: one that fails once in a hundred here fails some CI run.
#
#   tools/repeat-loaded.sh [-n RUNS] [-c CPUS] -- COMMAND [ARGS...]
#
# COMMAND is a suite (or one subtest of it) printing PASS/FAIL/SKIP lines, e.g.
#   tools/repeat-loaded.sh -n 100 -- tests/e2e/test_top.py build/proclife shows_tree_80x24
#   TEST_FILTER=test_sampling_vs_proc_v510 tools/repeat-loaded.sh -n 100 -- build/tests/test_kernel
# The load is `stress-ng --cpu CPUS` (default 2: every core of the 2-core CI
# machine busy), started here and stopped here (by its pid). A run fails when
# COMMAND exits non-zero or prints a FAIL line; each failing run's output is
# kept in build/repeat/. The last line:
#   repeat: RUNS runs under stress-ng --cpu CPUS: P passed, F failed (S s)
# and the exit status is 1 if any run failed.
set -u
cd "$(dirname "$0")/.."
runs=100 cpus=2
while getopts "n:c:" o; do
	case $o in
	n) runs=$OPTARG ;;
	c) cpus=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
if [ $# -eq 0 ]; then
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
fi
command -v stress-ng >/dev/null || { echo "repeat: stress-ng is not installed (tools/deps.sh installs it)" >&2; exit 2; }

logs=build/repeat
mkdir -p "$logs"
stress-ng --cpu "$cpus" --quiet &
load=$!
trap 'kill $load 2>/dev/null; wait $load 2>/dev/null' EXIT
start=$(date +%s)
pass=0 fail=0
for i in $(seq 1 "$runs"); do
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf '%s\n' "$out" >"$logs/run-$i.log"
		echo "repeat: run $i failed (exit status $rc): $logs/run-$i.log"
		grep '^FAIL ' <<<"$out" | sed 's/^/  /'
	fi
done
echo "repeat: $runs runs under stress-ng --cpu $cpus: $pass passed, $fail failed ($(($(date +%s) - start)) s)"
[ $fail -eq 0 ]
