#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The fuzz smoke test of `make test`: builds build/fuzz/fuzz_recording (make)
# and runs it for FUZZ_SMOKE_SECONDS (default 15) over the seeds
# (tests/fuzz/corpus), the damaged files (tests/fuzz/damaged) and what earlier
# runs found (build/fuzz/corpus). One result line:
#   PASS fuzz/recording_smoke
#   FAIL fuzz/recording_smoke       after the crashing input's path and report
#   SKIP fuzz/recording_smoke: why  when clang cannot build a libFuzzer target here
# `make fuzz FUZZ_SECONDS=N` is the long run.
set -u
cd "$(dirname "$0")/../.."
name=fuzz/recording_smoke
secs=${FUZZ_SMOKE_SECONDS:-15}
dir=build/fuzz
bin=$dir/fuzz_recording
mkdir -p "$dir/corpus" "$dir/artifacts"

# The first time, clang builds all of user/ again with the sanitizers: ~10 s on 2 cores.
if ! make -s -j"$(nproc)" "$bin" >"$dir/build.log" 2>&1; then
	# A machine without the libFuzzer runtime is not a failure of proclife: tell which it is.
	probe=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$probe/p.c"
	if ! clang -fsanitize=fuzzer,address "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
		rm -rf "$probe"
		echo "SKIP $name: clang cannot link -fsanitize=fuzzer here (the libclang-rt-dev package?)"
		exit 0
	fi
	rm -rf "$probe"
	tail -n 30 "$dir/build.log" | sed 's/^/  /'
	echo "  the fuzz target does not build (make $bin; log in $dir/build.log)"
	echo "FAIL $name"
	exit 1
fi

log=$dir/smoke.log
# -close_fd_mask=2: the replay's verdict on stderr, once per input, is noise here; libFuzzer
# keeps its own and the sanitizers' reports on a copy of stderr, which goes to the log.
timeout --signal=KILL $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-close_fd_mask=2 -dict=tests/fuzz/recording.dict -artifact_prefix="$dir/artifacts/" -print_final_stats=1 \
	"$dir/corpus" tests/fuzz/corpus tests/fuzz/damaged >"$log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "  ${runs:-?} inputs in ${secs} s, ${cov:-cov: ?}"
	echo "PASS $name"
	exit 0
fi
crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
grep -E 'ERROR: |runtime error|SUMMARY|Test unit written|deadly signal|timeout|out-of-memory' "$log" | head -n 20 |
	sed 's/^/  /'
if [ -n "$crash" ]; then
	echo "  crashing input: $crash (replay it: $bin $crash; the whole log: $log)"
else
	echo "  the fuzzer exited with status $rc and no crashing input (log: $log)"
fi
echo "FAIL $name"
exit 1
