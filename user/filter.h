/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The user-space side of event filtering. The kernel already drops what it
 * can (types, uid, comm, --failed); -p PID (a process and its descendants)
 * is followed here through fork events until the in-kernel follower exists.
 * Applying every filter here again is harmless and keeps the two in step.
 */
#ifndef PROCLIFE_FILTER_H
#define PROCLIFE_FILTER_H

#include <stdbool.h>

#include "model.h"
#include "options.h"
#include "pidset.h"

struct filter {
	__u32 events;
	__u32 uid;
	char comm[PL_COMM_LEN];
	bool failed_only;
	bool follow;          /* -p given: only processes in `followed` */
	struct pidset followed;
};

/* From options; -p is not followed yet: see filter__follow(). */
void filter__init(struct filter *f, const struct watch_opts *o);
/*
 * Follow pid and its descendants, seeded from proc_root ("/proc"). Call it
 * after attaching, so a process born meanwhile is in /proc or seen forking.
 */
int filter__follow(struct filter *f, __u32 pid, const char *proc_root);
/* Should this (checked) record be shown? Also keeps the followed set current. */
bool filter__match(struct filter *f, const void *rec);
/* Should this derived event be shown? */
bool filter__match_derived(const struct filter *f, const struct derived_event *d);
void filter__free(struct filter *f);

/* Adds pid and every descendant found under proc_root ("/proc") to s. */
int proc__add_descendants(struct pidset *s, __u32 pid, const char *proc_root);

#endif
