/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * --metrics-file PATH: a live session's metrics (views/metrics.h) in a file
 * for the node_exporter textfile collector, rewritten atomically (a
 * temporary file in the same directory, renamed over PATH) right after
 * the start, every interval, and at the end. A write that fails is said
 * once per streak of failures, and never stops the session.
 */
#ifndef PROCLIFE_VIEW_METRICS_FILE_H
#define PROCLIFE_VIEW_METRICS_FILE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/outbuf.h"
#include "model/model.h"
#include "session/live.h"

struct metrics_file_config {
	const char *path;
	__u64 interval_ns;
	bool threads; /* thread events are traced */
	const struct outbuf *output; /* the event output, a file in lines mode (its failed writes); or NULL */
	/*
	 * The kernel counts signals, deliveries and failed execs (a session
	 * that keeps states: tracer_config.counts); the records of those are
	 * then not counted again (the kernel queues only a few of them).
	 */
	bool kernel_counts;
};

struct metrics_file;

/* Before the session starts (its start is proclife's). 0 or -ENOMEM. */
int metrics_file__new(const struct metrics_file_config *cfg, struct metrics_file **out);
/* What passed: each checked record, each derived event. NULL-safe (no --metrics-file). */
void metrics_file__record(struct metrics_file *mf, const void *rec);
void metrics_file__derived(struct metrics_file *mf, const struct derived_event *d);
/* Write now: the session is up (the first write), or ending (the last). NULL-safe. */
void metrics_file__write(struct metrics_file *mf, struct live *l);
/* Write if the interval has passed since the last write. NULL-safe. */
void metrics_file__tick(struct metrics_file *mf, struct live *l);
void metrics_file__free(struct metrics_file *mf);

/*
 * Replace path with data, atomically: written to ".NAME.tmp.PID" beside
 * it (mode 0644 whatever the umask: the collector reads it as another
 * user), then renamed over it; the temporary file is removed on failure.
 * Not fsync'ed: the values are worth nothing after a reboot, and an fsync
 * could stall the event loop for as long as the disk is busy.
 * 0 or -errno.
 */
int metrics_file__replace(const char *path, const void *data, size_t len);

#endif
