/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A recording's process tree as a Graphviz digraph: a node per process
 * seen, an edge from each parent to the children it forked, and each
 * node styled by how the recording leaves it:
 *
 *   running          solid border
 *   stopped          dashed, filled yellow
 *   zombie           filled grey, red border (exited, not reaped)
 *   reaped           dotted grey border
 *   killed by a signal: a thick red border, whatever the above
 *   orphaned         a dashed edge labelled "adopted" from the adopter
 *
 * Node ids are "p<pid>_<n>" (n counts the processes seen, so a reused pid
 * is another node); the label says "PID comm", the last argv, the state.
 * Every string from a process goes through escape__text() and then DOT's
 * own quoting, so hostile bytes can neither break the file nor reach a
 * viewer raw.
 *
 * A pure module like export_perfetto: records and derived events in, a
 * node written once its process is reaped (or at the end), edges as soon
 * as both ends are known.
 */
#ifndef PROCLIFE_EXPORT_DOT_H
#define PROCLIFE_EXPORT_DOT_H

#include <linux/types.h>
#include <stdbool.h>

#include "base/outbuf.h"
#include "model/model.h"

struct dot_opts {
	__u32 only_pid; /* 0: every process; else it and its descendants */
	bool kthreads;  /* kernel threads too */
};

struct dot;

/* Writes the graph's head. 0 or -ENOMEM. */
int dot__new(struct outbuf *ob, const struct dot_opts *o, struct dot **out);
/* A process that existed when the recording started: parents before children. */
void dot__existing(struct dot *d, const struct proc *p);
void dot__record(struct dot *d, const void *rec);
void dot__derived(struct dot *d, const struct derived_event *ev);
/* After lost events the model was reconciled with /proc: the processes it no longer has ended unseen. */
void dot__resync(struct dot *d, const struct model *m);
/* The nodes still open, then the graph's tail. 0, or -ENOMEM if something was dropped. */
int dot__finish(struct dot *d);
void dot__free(struct dot *d);

/* s (len bytes, any bytes) as the inside of a DOT quoted string: escape__text(), then \" and \\. */
void dot__escape(struct outbuf *ob, struct outbuf *scratch, const char *s, size_t len);

#endif
