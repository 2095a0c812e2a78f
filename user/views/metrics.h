/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Prometheus metrics of a live session: counters of what passed (each
 * checked kernel record, each derived event), and their exposition in the
 * Prometheus text format 0.0.4 together with the model's gauges, for the
 * node_exporter textfile collector (views/metrics_file.h writes the file).
 *
 * Label sets are bounded by tables: event types, errno names, signal
 * numbers and outcomes, feature names. Never a pid or a comm.
 */
#ifndef PROCLIFE_VIEW_METRICS_H
#define PROCLIFE_VIEW_METRICS_H

#include <linux/types.h>
#include <stdbool.h>

#include "proclife.h"
#include "base/errcount.h"
#include "base/outbuf.h"
#include "kernel/kfeatures.h"
#include "record/recording.h"
#include "model/ctreg.h"
#include "model/model.h"

/* errno label values: the errno table's names up to this; above it, or a hole in the table, "other". */
#define METRICS_ERRNO_MAX ERRCOUNT_MAX
#define METRICS_SIG_MAX 64                /* signals 0 (a probe) .. 64 */
#define METRICS_SIG_RESULTS (PL_SIG_PROBE + 1)

struct metrics_counts {
	__u64 events[PL_EV_MAX];       /* kernel events of processes */
	__u64 thread_forks, thread_exits; /* with --threads: the same of threads */
	__u64 derived[DV_MAX];
	__u64 exec_failed[METRICS_ERRNO_MAX + 2]; /* by errno; [METRICS_ERRNO_MAX + 1]: "other" */
	__u64 signals[METRICS_SIG_MAX + 1][METRICS_SIG_RESULTS];
	__u64 signals_other; /* a signal number or result out of range (a malformed record, counted in events) */
	/* Signals, deliveries and failed execs are counted by the kernel (metrics_counts__kernel()), not here. */
	bool kernel_counts;
};

/* One checked kernel record (kernel/event.h), as live sessions pass them. */
void metrics_counts__record(struct metrics_counts *c, const void *rec);
void metrics_counts__derived(struct metrics_counts *c, const struct derived_event *d);
/* The kernel's counters (PL_CNT_MAX, PL_CNT_*) as the signal, deliver and failed exec counts. */
void metrics_counts__kernel(struct metrics_counts *c, const __u64 *k);

/*
 * Execs per container, by the container's own cgroup: an entry goes at the
 * first exposition after its container has no process left, as its series do.
 */
struct metrics_ct_count {
	char *cgroup;
	size_t hash;
	__u64 execs;
	bool live; /* (metrics__format) */
};

struct metrics_ct_counts {
	struct metrics_ct_count *v;
	size_t n, cap;
};

/* One exec of a process in container ct. */
void metrics_ct_counts__exec(struct metrics_ct_counts *c, const struct ct_ref *ct);
void metrics_ct_counts__free(struct metrics_ct_counts *c);

struct metrics_input {
	const struct metrics_counts *counts;
	const struct model *model;     /* processes by state, the oldest zombie, its memory and what it forgot */
	const __u64 *lost;             /* PL_EV_MAX kernel losses, by type */
	__u64 untracked_zombies;       /* exits the kernel's zombie table had no room for */
	__u64 resync_holding_ns;       /* resyncs held back to one per this long (losses go on); 0: at once */
	const struct kfeature_status *features; /* KF_MAX, or NULL: none said */
	bool threads;                  /* thread events are traced: their event labels are there */
	const char *version, *kernel;  /* build_info labels */
	__u64 now_ns;                  /* boot ns */
	__u64 start_ns;                /* boot ns proclife started at: a zombie of unknown exit counts from there */
	__s64 wall_offset_ns;          /* CLOCK_REALTIME - CLOCK_BOOTTIME */
	const struct rec_writer_stats *recording; /* -w FILE's writes, or NULL: no recording */
	const struct outbuf_stats *output;        /* the event output's writes (a file), or NULL */
	/* The containers: one series each while it has processes (NULL: none known). Their gone entries are dropped. */
	struct ctreg *ct;
	struct metrics_ct_counts *ct_counts;
};

/* The whole exposition: HELP and TYPE lines, then the samples, family by family. */
void metrics__format(struct outbuf *ob, const struct metrics_input *in);

#endif
