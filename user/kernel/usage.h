/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a process used, from its exit record's pl_usage: struct rusage's
 * quantities in its units, with the children it waited for (rusage: what
 * its parent's wait4() returns) and without them (self: what subtree sums
 * add up, so nothing is counted twice), its threads' exact CPU time, and
 * /proc/PID/io.
 */
#ifndef PROCLIFE_USAGE_H
#define PROCLIFE_USAGE_H

#include <linux/types.h>
#include <stdbool.h>

#include "proclife.h"

/* struct rusage without the ru_ prefix, in its units. */
struct ru {
	__u64 utime_us, stime_us;
	__u64 maxrss_kb;
	__u64 minflt, majflt;
	__u64 nvcsw, nivcsw;
	__u64 inblock, oublock; /* 512-byte blocks */
};

/* /proc/PID/io; chars: rchar..syscw are kept by the kernel, bytes: read_bytes.. are. */
struct proc_io {
	__u64 rchar, wchar, syscr, syscw, read_bytes, write_bytes, cancelled_write_bytes;
	bool chars, bytes;
};

struct usage {
	struct ru rusage;          /* with the children it waited for: wait4()'s */
	struct ru self;            /* the process alone */
	__u64 self_utime_ns;       /* self's split in ns (sums round once, at the end) */
	__u64 self_stime_ns;
	__u64 cpu_ns;              /* its threads' run time, exact (the scheduler's) */
	struct proc_io io;
};

/* The exit record's usage, or NULL (a thread's exit, a recording from before usage). Checked records only. */
const struct pl_usage *usage__of(const void *rec);
/* The kernel's counters as wait4() and /proc/PID/io report them. */
void usage__decode(const struct pl_usage *k, struct usage *out);
/*
 * The kernel's cputime_adjust(): rtime (exact) split into user and system
 * time in the ratio of the tick samples, never below the split reported
 * before (prev). Exposed for its tests.
 */
void usage__split(__u64 utime_tick, __u64 stime_tick, __u64 rtime, __u64 prev_utime, __u64 prev_stime,
		  __u64 *utime, __u64 *stime);

#endif
