/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A recording as a Chrome JSON trace (the trace event format) that the
 * Perfetto UI opens: one track per process ("PID comm", in tree order),
 * slices for its life split at each exec, instants for signals received,
 * stops, continues, exit, reap (and forks, failed execs, renames,
 * adoptions), and a flow arrow from each fork to the child it made.
 * export_perfetto.c says how and why.
 *
 * A pure module: fed with checked kernel records and the model's derived
 * events in replay order, it writes to an outbuf as it goes. A slice is
 * written when it closes; per process it keeps only what its open slice
 * needs, and forgets the process once it is reaped, so a long recording
 * streams. What it keeps of every process ever shown is 8 bytes (its track
 * and its parent's), for the tree order written at the end.
 *
 * Times are microseconds since the recording started, with three decimals
 * (nanosecond precision): "ts":1234.567. otherData.recording_start is that
 * instant, in UTC.
 */
#ifndef PROCLIFE_EXPORT_PERFETTO_H
#define PROCLIFE_EXPORT_PERFETTO_H

#include <linux/types.h>
#include <stdbool.h>

#include "base/outbuf.h"
#include "model/model.h"

struct perfetto_opts {
	__u64 origin_ns;       /* boot ns of time 0: when the recording started */
	__s64 wall_offset_ns;  /* boot to wall clock, for the start written in the output */
	__u32 only_pid;        /* 0: every process; else it and its descendants */
	bool kthreads;         /* kernel threads too (else left out, with what they fork before an exec) */
};

struct perfetto;

/* Writes the document's head. 0 or -ENOMEM. */
int perfetto__new(struct outbuf *ob, const struct perfetto_opts *o, struct perfetto **out);
/* A process that existed when the recording started (from its snapshot): parents before children. */
void perfetto__existing(struct perfetto *x, const struct proc *p);
/* One checked kernel record. */
void perfetto__record(struct perfetto *x, const void *rec);
/* One derived event (stop, continue, reparent, resync). */
void perfetto__derived(struct perfetto *x, const struct derived_event *d);
/*
 * After lost events the model was reconciled with /proc (DV_RESYNC, at ts):
 * the processes it no longer has ended unseen; their slices end at ts.
 */
void perfetto__resync(struct perfetto *x, const struct model *m, __u64 ts);
/* The kernel dropped count events of a type at ts. */
void perfetto__lost(struct perfetto *x, unsigned type, __u64 count, __u64 ts);
/*
 * The recording ends at end_ns: close what is still open (its slices end
 * there, with args.state), write the tree order and the document's tail.
 * 0, or -ENOMEM when something could not be kept along the way.
 */
int perfetto__finish(struct perfetto *x, __u64 end_ns);
void perfetto__free(struct perfetto *x);

#endif
