/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Inside a live session: what live.c (tracing, recording) and
 * live_replay.c (replaying a recording) share. Not for commands: they use
 * live.h.
 */
#ifndef PROCLIFE_LIVE_IMPL_H
#define PROCLIFE_LIVE_IMPL_H

#include "live.h"
#include "procfs.h"

struct live {
	struct live_config cfg;
	struct tracer *tracer;
	struct model *model;
	struct wallclock wc;
	__u64 seen[PL_EV_MAX];
	__u64 lost[PL_EV_MAX];
	__u64 malformed;
	/* recording */
	struct rec_writer *rec;
	bool rec_reported;
	/* replaying */
	struct rec_reader *rd;
	struct rec_item pending; /* read but beyond a replay_until() limit */
	bool has_pending, done, in_snap;
	__u64 now;               /* the replay's clock */
	unsigned snap_reason;
	struct proc_snapshot *snap;
	size_t nsnap, capsnap;
	__u64 snap_bytes;
	char replay_err[320];
	bool feature_said[KF_MAX]; /* replay: the recording's missing features, each said once */
};

/* One checked event record (the tracer's, or a recording's): count, record, show, apply. */
void live__apply(struct live *l, const void *data, size_t size);
/* Replay: open the file and apply its bootstrap (up to the end of the first scan). 0 or -errno. */
int live__replay_open(struct live *l, char *msg, size_t msglen);
/* Replay: apply records up to time until (a batch at most). Records applied, or -EBADMSG. */
int live__replay_poll(struct live *l, __u64 until);
/* Forget a scan being assembled (accepts an empty one). */
void live__snap_reset(struct live *l);

#endif
