/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Output writers: aligned text for people, one JSON object per line for
 * programs. Both write into an outbuf (flushed once per ring-buffer batch)
 * and take checked records (event__check).
 */
#ifndef PROCLIFE_WRITER_H
#define PROCLIFE_WRITER_H

#include <linux/types.h>
#include <stdbool.h>

#include "base/outbuf.h"
#include "base/wallclock.h"
#include "model/ctreg.h"
#include "model/model.h"

/* What could not be written, between since and ts (boot ns): a gap in an output or a recording. */
struct writer_gap {
	__u64 ts, since;
	__u64 count;      /* lines of this output, or events of the recording */
	bool recording;   /* the recording's (replayed from it); else this output's */
	int err;          /* the first failure's errno (positive) */
};

struct writer {
	struct outbuf *ob;
	const struct wallclock *wc;
	/* Set once the session is up: the cgroups and containers, and the model (a signal's target). NULL: none. */
	struct ctreg *ct;
	const struct model *model;
	void (*header)(struct writer *w);
	void (*event)(struct writer *w, const void *rec);
	/* count events of this type could not be delivered by the kernel (noticed at ts, boot ns) */
	void (*lost)(struct writer *w, unsigned type, __u64 count, __u64 ts);
	/* a state change the model derived (stop, continue, zombie, reparent, resync) */
	void (*derived)(struct writer *w, const struct derived_event *d);
	/* a gap: what a failing disk kept out of this output, or out of the recording it replays */
	void (*gap)(struct writer *w, const struct writer_gap *g);
};

void writer__init_text(struct writer *w, struct outbuf *ob, const struct wallclock *wc);
void writer__init_json(struct writer *w, struct outbuf *ob, const struct wallclock *wc);

#endif
