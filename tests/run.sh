#!/usr/bin/env bash
# Runs every test suite and closes with "N passed, N failed[, N skipped]".
# Suites print one line per subtest: PASS name / FAIL name / SKIP name: why.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run_suite() {
	local before rc
	echo "== $*"
	before=$(grep -c '^FAIL ' "$log")
	"$@" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	# A suite that failed without a FAIL line (it died, or could not even start) counts as one.
	if [ "$rc" -ne 0 ]; then
		status=1
		[ "$(grep -c '^FAIL ' "$log")" -gt "$before" ] ||
			echo "FAIL suite/$(basename "$1"): exited with status $rc without a FAIL line" | tee -a "$log"
	fi
}

# The layer rule of user/ (user/README.md), on every include.
run_suite tests/layers/test_layers.py
# The record layout as docs/RECORDING.md and the Python writers type it, against the compiler's.
run_suite tests/abi/test_abi.py build/tests/layout_dump
for t in build/tests/test_*; do
	[ "$t" = build/tests/test_kernel ] && continue
	run_suite "$t"
done
# Recordings: the damaged-file corpus, replayed by the binary; libFuzzer on the reader and the
# replay for FUZZ_SMOKE_SECONDS (15; `make fuzz` is the long run). Neither needs root.
run_suite tests/fuzz/test_damaged.py build/proclife
# What every command prints on a set of recordings and command lines (tests/golden/cases): any change shows.
run_suite tests/golden/test_golden.py build/proclife
run_suite tests/fuzz/smoke.sh
if [ "$(id -u)" -eq 0 ]; then
	run_suite build/tests/test_kernel
	# The same suite on Debian's 5.10, 6.1, 6.12 and newest kernels, each booted in QEMU.
	run_suite tools/kernels/matrix.sh build/proclife build/tests/test_kernel
	# The .deb's two units under real systemd, in a Debian VM (tests/service/run.sh says how).
	run_suite tests/service/run.sh
	for t in tests/e2e/test_*.py; do
		run_suite "$t" build/proclife
	done
	run_suite tools/bench.py --smoke
else
	echo "SKIP kernel/all: not root (loading BPF programs needs root)" | tee -a "$log"
	echo "SKIP kernel@all/all: not root (the kernel matrix installs packages and boots VMs)" | tee -a "$log"
	echo "SKIP service/all: not root (the service VM installs packages and boots a VM)" | tee -a "$log"
	echo "SKIP e2e/all: not root (proclife needs root)" | tee -a "$log"
	echo "SKIP bench/smoke: not root (the tracers need root)" | tee -a "$log"
fi

pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
skip=$(grep -c '^SKIP ' "$log")
if [ "$skip" -gt 0 ]; then
	echo "skipped:"
	grep '^SKIP ' "$log" | sed 's/^SKIP /  /'
fi
[ "$fail" -gt 0 ] && status=1
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
exit $status
