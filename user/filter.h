/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The user-space side of event filtering. The kernel already drops what it
 * can (types, uid, comm, --failed, and -p PID with its descendants, followed
 * in the kernel); applying the filters here again is harmless and keeps the
 * two in step. Derived events exist only here.
 */
#ifndef PROCLIFE_FILTER_H
#define PROCLIFE_FILTER_H

#include <stdbool.h>

#include "model.h"
#include "options.h"

struct filter {
	__u32 events;
	__u32 uid;
	char comm[PL_COMM_LEN];
	bool failed_only;
};

void filter__init(struct filter *f, const struct watch_opts *o);
/* Should this (checked) record be shown? */
bool filter__match(const struct filter *f, const void *rec);
/* Should this derived event be shown? */
bool filter__match_derived(const struct filter *f, const struct derived_event *d);

#endif
