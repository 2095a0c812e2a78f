/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Where a session learns its processes' cgroups and containers, into the
 * registry (model/ctreg.h).
 *
 * Live, from the host: an event's cgroup ids not seen before are looked
 * up in its subject's /proc/PID/cgroup (its id checked against the
 * directory's), else by a walk of the hierarchy (kernel/cgroups.h, rate
 * limited); a new container is named from its runtime's state on disk
 * (kernel/ctnamer.h: files only, bounded, tried again a few times while
 * it starts). All of that happens once per cgroup or container: an event
 * of a settled pair of ids costs one hash look-up. What is learnt is
 * handed to the session's callbacks, which record it and say it (the
 * container event), so that a replay learns the same things at the same
 * places in the stream.
 *
 * Replaying, from the recording's REC_CGROUP and REC_CONTAINER records.
 *
 * With a container filter (--container and the like) and a tracer, live:
 * the verdict on each pair of ids is handed to the kernel (tracer.h,
 * cgroup_filter) once it can be told; a container's name can be matched
 * only once it is known, so until then its events come to user space,
 * where the command's filter judges them.
 */
#ifndef PROCLIFE_CTSOURCE_H
#define PROCLIFE_CTSOURCE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"
#include "kernel/cgroups.h"
#include "kernel/procfs.h"
#include "kernel/tracer.h"
#include "record/recording.h"
#include "model/ctfilter.h"
#include "model/ctreg.h"
#include "model/model.h"

struct ctsource_ops {
	/* Live: a cgroup's path learnt (to record before what needs it). */
	void (*cgroup)(void *ctx, enum ctreg_hier hier, __u64 id, const char *path);
	/* A container named, live or from the recording (to record, and to say: a container event). */
	void (*container)(void *ctx, const struct ct_ref *ct, __u64 ts);
	void *ctx;
};

/* A scanned process's cgroups (ctsource__scan). */
struct ct_proc_ids {
	__u32 pid;
	__u64 cgroup_id, cgroup1_id;
};

/* Give up naming a container, and judging its pairs as "later", this long after it was first seen. */
#define CTSOURCE_SETTLE_NS 15000000000ull
/* Forget cgroups no process uses any more at most this often, once the registry has grown. */
#define CTSOURCE_SWEEP_NS 60000000000ull

struct ctsource;

/* Live on this host (proc_root: "/proc"; state_root: "" for the host, a fixture in tests). 0 or -ENOMEM. */
int ctsource__new_live(const struct cg_host *host, const char *proc_root, const char *state_root,
		       const struct ctsource_ops *ops, struct ctsource **out);
/* Replaying: learns only what the recording says. 0 or -ENOMEM. */
int ctsource__new_replay(const struct ctsource_ops *ops, struct ctsource **out);
void ctsource__free(struct ctsource *cs);
struct ctreg *ctsource__registry(struct ctsource *cs);

/* Live, with a container filter: hand the kernel its verdicts through t (NULL: none). */
void ctsource__filter(struct ctsource *cs, const struct ct_filter_spec *spec, struct tracer *t);

/* Live: the subject of an event (a checked record's header), learnt as needed. now: boot ns. */
const struct ct_subject *ctsource__event(struct ctsource *cs, const struct pl_hdr *h, __u64 now);
/*
 * Live: each scanned process's cgroups, from its /proc/PID/cgroup: *out
 * (caller frees) holds an entry per process whose cgroups were read, in
 * the scan's order. Learns their paths and names their containers. The
 * count, or -ENOMEM.
 */
long ctsource__scan(struct ctsource *cs, const struct proc_snapshot *v, size_t n, __u64 now,
		    struct ct_proc_ids **out);
/* Live: timers: containers named late, verdicts that can be told now, forgetting (m: what is in use). */
void ctsource__tick(struct ctsource *cs, __u64 now, const struct model *m);
/*
 * Replaying: a REC_CGROUP or REC_CONTAINER record (checked by the reader).
 * A cgroup record's pids are in the scan just before it: into m, when
 * that scan was applied (m NULL: not).
 */
void ctsource__replay(struct ctsource *cs, const struct rec_item *it, struct model *m);

/* What it did, for tests and measurements. */
struct ctsource_stats {
	unsigned long proc_reads, walks_asked, namings, verdicts;
};
void ctsource__stats(const struct ctsource *cs, struct ctsource_stats *st);

#endif
