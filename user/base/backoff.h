/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A remedy that must not run more often than it helps: the first trouble
 * after a quiet spell is remedied at once; trouble that goes on is
 * remedied at most once per interval, and each interval that ends with
 * trouble still there doubles the next one (up to max_ns); a whole
 * interval without trouble brings it back to min_ns. The live session's
 * resyncs with /proc after lost events run on one (session/live.c).
 */
#ifndef PROCLIFE_BACKOFF_H
#define PROCLIFE_BACKOFF_H

#include <linux/types.h>
#include <stdbool.h>

struct backoff {
	__u64 min_ns, max_ns;
	__u64 interval_ns; /* the least time between two runs now */
	__u64 last_ns;     /* the last run */
	__u64 runs;
	bool pending;      /* trouble since the last run, held back */
};

void backoff__init(struct backoff *b, __u64 min_ns, __u64 max_ns);
/*
 * Called at every look (now, in ns; trouble: something went wrong since the
 * last call). True when the remedy is to run now; it is counted as run.
 */
bool backoff__due(struct backoff *b, __u64 now, bool trouble);
/* The interval when it is longer than its least (trouble went on), else 0. */
__u64 backoff__holding_ns(const struct backoff *b);

#endif
