/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Building a process model from synthetic events, for unit tests: a
 * process's start time is its pid in milliseconds, so streams stay short.
 */
#ifndef PROCLIFE_SYNTH_MODEL_H
#define PROCLIFE_SYNTH_MODEL_H

#include "model/model.h"
#include "unit/synth.h"

#define MS 1000000ull

static inline __u64 start_of(__u32 pid)
{
	return pid * MS;
}

static inline void hdr(struct pl_hdr *h, unsigned type, __u32 pid, __u32 ppid, __u64 ts)
{
	synth_hdr(h, type, pid, ppid, "p");
	h->start_ns = start_of(pid);
	h->ts = ts;
}

/* parent (whose own parent is pparent) forks child at ts. */
static inline void fork_ev(struct model *m, __u32 parent, __u32 pparent, __u32 child, __u64 ts)
{
	struct pl_fork f = {};

	hdr(&f.h, PL_EV_FORK, parent, pparent, ts);
	f.child_pid = f.child_tid = child;
	f.child_start_ns = start_of(child);
	f.child_ppid = parent;
	model__apply(m, &f);
}

#endif
