/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Kernel timestamps (CLOCK_BOOTTIME, ns) to wall-clock time.
 *
 * The BPF side stamps events with bpf_ktime_get_boot_ns(): monotonic and
 * counting suspend, so intervals between events are right. To print them
 * we add the REALTIME - BOOTTIME offset sampled once at start. A later
 * settimeofday()/NTP step is not followed: the printed times stay on one
 * consistent scale for the whole run, which is what ordering and
 * subtracting them needs.
 *
 * The formatters run per event (> 1M/s), so they keep a per-thread cache of
 * the formatted date/time of the last whole second and only do the
 * calendar work (and, for local time, the localtime_r() TZ lookup) when
 * the second changes.
 */
#ifndef PROCLIFE_WALLCLOCK_H
#define PROCLIFE_WALLCLOCK_H

#include <stddef.h>
#include <stdint.h>

struct wallclock {
	int64_t offset_ns; /* CLOCK_REALTIME - CLOCK_BOOTTIME */
};

/* Buffer sizes that always suffice, NUL included. */
#define WALLCLOCK_RFC3339_MAX 32 /* "2026-11-22T14:12:03.123456789Z" is 30 */
#define WALLCLOCK_HMS_MAX 16     /* "14:12:03.123" is 12 */

/* Samples both clocks (best of 3) and calls tzset() for wallclock__hms(). */
void wallclock__init(struct wallclock *wc);

/*
 * UTC, "2026-11-22T14:12:03.123456789Z", always 9 fraction digits.
 * Like snprintf(): writes at most size bytes, NUL-terminated when size > 0,
 * and returns the full length (30).
 */
size_t wallclock__rfc3339(const struct wallclock *wc, uint64_t boot_ns, char *buf, size_t size);

/*
 * Local time of day, "14:12:03.123" (milliseconds, truncated). Same
 * return convention. The TZ in force when a second is first formatted
 * applies to the whole of that second.
 */
size_t wallclock__hms(const struct wallclock *wc, uint64_t boot_ns, char *buf, size_t size);

#endif /* PROCLIFE_WALLCLOCK_H */
