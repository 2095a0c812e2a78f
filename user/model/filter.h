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

#include "base/pidset.h"
#include "model/ctfilter.h"
#include "model/ctreg.h"
#include "model/model.h"

/* An identity filter that is not set (filter_spec's auid, session, tty). */
#define FILTER_ANY ((__u32)-1)

struct filter {
	__u32 events;
	__u32 uid;
	char comm[PL_COMM_LEN];
	bool failed_only;
	__u32 auid, session, tty; /* FILTER_ANY: any */
	bool setid_only;
	/*
	 * -p PID followed here, not in the kernel (recording, replaying): the
	 * members are PID and its descendants; a fork by a member adds the
	 * child, a reap removes the pid (it may be reused by a stranger).
	 */
	__u32 follow_pid;
	struct pidset members;
	/* The container options, judged on the registry; a signal's target by its cgroups in the model. */
	struct ct_filter_spec ct;
	struct ctreg *reg;
	const struct model *model;
};

/* What to keep: the options of the command line that filter events. */
struct filter_spec {
	__u32 events;      /* PL_EV_BIT() mask of the events to keep */
	__u32 uid;         /* PL_UID_ANY, or only this real uid */
	const char *comm;  /* "" or only this comm (first 15 bytes) */
	bool failed_only;
	__u32 follow_pid;  /* > 0: follow it and its descendants here (recording, replaying) */
	/* Only this login uid, audit session, tty (pl_hdr's) of the subject (a signal's sender). */
	bool by_auid, by_session, by_tty;
	__u32 auid, session, tty;
	bool setid_only;   /* execs that changed privilege, and cred events */
	const struct ct_filter_spec *ct; /* the container options, or NULL */
};

void filter__init(struct filter *f, const struct filter_spec *spec);
/* Following: PID and its descendants as the model knows them now (after its bootstrap). */
int filter__seed(struct filter *f, const struct model *m);
/* The session's registry and model, for the container options (before the first match). */
void filter__containers(struct filter *f, struct ctreg *reg, const struct model *m);
/* Does a process in these cgroups pass the container options (all pass without them)? */
bool filter__cgroups_ok(const struct filter *f, __u64 cgroup_id, __u64 cgroup1_id);
/* Should this (checked) record be shown? Every record must pass through here, in order. */
bool filter__match(struct filter *f, const void *rec);
/* Should this derived event be shown? */
bool filter__match_derived(const struct filter *f, const struct derived_event *d);
void filter__free(struct filter *f);

#endif
