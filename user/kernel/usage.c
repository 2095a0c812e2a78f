// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stddef.h>

#include "kernel/usage.h"

const struct pl_usage *usage__of(const void *rec)
{
	const struct pl_exit *e = rec;

	/* event__check() made sure a record with the flag holds the whole struct. */
	if (e->h.type != PL_EV_EXIT || !(e->h.flags & PL_F_USAGE))
		return NULL;
	return &e->usage;
}

void usage__split(__u64 utime_tick, __u64 stime_tick, __u64 rtime, __u64 prev_utime, __u64 prev_stime,
		  __u64 *utime, __u64 *stime)
{
	__u64 st, ut;

	/* kernel/sched/cputime.c, cputime_adjust(), step by step. */
	if (prev_stime + prev_utime >= rtime) {
		*utime = prev_utime;
		*stime = prev_stime;
		return;
	}
	if (stime_tick == 0) {
		st = 0;
	} else if (utime_tick == 0) {
		st = rtime;
	} else {
		st = (__u64)((unsigned __int128)stime_tick * rtime / ((unsigned __int128)stime_tick + utime_tick));
		if (st > rtime)
			st = rtime;
	}
	if (st < prev_stime)
		st = prev_stime;
	ut = rtime - st;
	if (ut < prev_utime) {
		ut = prev_utime;
		st = rtime - ut;
	}
	*utime = ut;
	*stime = st;
}

static __u64 max_u64(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

void usage__decode(const struct pl_usage *k, struct usage *out)
{
	__u64 ut, st;

	usage__split(k->utime_tick, k->stime_tick, k->runtime, k->prev_utime, k->prev_stime, &ut, &st);
	out->self_utime_ns = ut;
	out->self_stime_ns = st;
	out->cpu_ns = k->runtime;
	out->self = (struct ru){
		.utime_us = ut / 1000,
		.stime_us = st / 1000,
		.maxrss_kb = k->maxrss_kb,
		.minflt = k->minflt,
		.majflt = k->majflt,
		.nvcsw = k->nvcsw,
		.nivcsw = k->nivcsw,
		.inblock = k->inblock,
		.oublock = k->oublock,
	};
	/* getrusage(RUSAGE_BOTH): sums, the children's times already split; maxrss the larger. */
	out->rusage = (struct ru){
		.utime_us = (ut + k->cutime) / 1000,
		.stime_us = (st + k->cstime) / 1000,
		.maxrss_kb = max_u64(k->maxrss_kb, k->cmaxrss_kb),
		.minflt = k->minflt + k->cminflt,
		.majflt = k->majflt + k->cmajflt,
		.nvcsw = k->nvcsw + k->cnvcsw,
		.nivcsw = k->nivcsw + k->cnivcsw,
		.inblock = k->inblock + k->cinblock,
		.oublock = k->oublock + k->coublock,
	};
	out->io = (struct proc_io){
		.rchar = k->rchar,
		.wchar = k->wchar,
		.syscr = k->syscr,
		.syscw = k->syscw,
		.read_bytes = k->read_bytes,
		.write_bytes = k->write_bytes,
		.cancelled_write_bytes = k->cancelled_write_bytes,
		.chars = k->flags & PL_USAGE_IO_CHARS,
		.bytes = k->flags & PL_USAGE_IO_BYTES,
	};
}
