/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The kernel half of proclife as seen from user space: preflight checks,
 * loading and attaching the BPF programs, and draining the ring buffer.
 */
#ifndef PROCLIFE_TRACER_H
#define PROCLIFE_TRACER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"
#include "kernel/kfeatures.h"

#define PL_UID_ANY ((__u32)-1)

struct tracer_config {
	__u32 events;          /* PL_EV_BIT() mask of what the kernel reports */
	bool threads;          /* also thread creation and thread exits */
	bool failed_only;      /* failed execs, non-zero exits, undelivered signals */
	bool by_uid;           /* only processes of real uid `uid` (zero value: every uid) */
	__u32 uid;
	const char *comm;      /* NULL, or only processes with this comm */
	__u32 args_cap;        /* bytes of argv kept per exec, 1..PL_ARGS_MAX */
	__u64 wakeup_bytes;    /* 0: wake the consumer per event; else batch up to this (live: batched) */
	__u32 ringbuf_bytes;   /* 0: the default (16 MiB); a power of two */
	bool legacy_exit;      /* tests: use the pre-6.16 exit program even where group_dead exists */
	bool follow;           /* only processes added with tracer__follow() and their descendants */
	bool probe_only;       /* load and attach to learn what the kernel takes, read nothing: `proclife features` */
	bool sample;           /* feature "sampling": tracer__sample() reads live processes' CPU and memory */
	/* The v1 cgroup controller ("pids", "memory", "cpu") whose cgroup id pl_hdr.cgroup1_id carries; NULL: none. */
	const char *cgroup1_controller;
	/*
	 * Filter by cgroup in the kernel: a pair of cgroup ids (pl_cgroup_key)
	 * passes until tracer__cgroup_verdict() says otherwise.
	 */
	bool cgroup_filter;
};

/* Called for every record; size is the record's size as the ring buffer says. */
typedef int (*tracer_event_fn)(void *ctx, void *data, size_t size);

struct tracer;

/*
 * Can proclife run here? Returns 0, or a negative errno with a one-line
 * explanation in msg: -EPERM (not root, no CAP_BPF/CAP_PERFMON), -ENOENT (no BTF).
 */
int tracer__preflight(char *msg, size_t msglen);

/*
 * Open, configure, load and attach, feature by feature: a feature the
 * kernel cannot take is off (tracer__features() says why) and the rest
 * run. Fails, with a one-line reason in msg, only when the core cannot load.
 */
int tracer__new(const struct tracer_config *cfg, tracer_event_fn fn, void *ctx, struct tracer **ret,
		char *msg, size_t msglen);

/* Each feature's state, KF_MAX of them (KF_UNUSED: not needed by what was asked). */
const struct kfeature_status *tracer__features(const struct tracer *t);

/* Wait up to timeout_ms for data, then drain. Returns records consumed or -errno. */
int tracer__poll(struct tracer *t, int timeout_ms);

/* Drain what is there without waiting. */
int tracer__consume(struct tracer *t);

/*
 * With cfg.follow: follow pid (and, from now on, every process it forks,
 * in the kernel). 0 or -errno (-E2BIG: the set is full).
 */
int tracer__follow(struct tracer *t, __u32 pid);

/*
 * With cfg.cgroup_filter: events whose subject is in this pair of cgroups
 * are kept (keep) or dropped in the kernel from now on. 0 or -errno.
 */
int tracer__cgroup_verdict(struct tracer *t, __u64 cgroup_id, __u64 cgroup1_id, bool keep);

/*
 * Events the kernel could not deliver, per type: a full ring buffer, and
 * program runs the kernel skipped (recursion misses, read every 100 ms).
 */
void tracer__lost(struct tracer *t, __u64 lost[PL_EV_MAX]);

/* One task's sample (feature "sampling"); a process is the sum of its tasks'. */
typedef void (*tracer_sample_fn)(void *ctx, const struct pl_sample *s);
/*
 * Every task's CPU time and resident memory, in one read() of the sampling
 * iterator. 0, -EOPNOTSUPP when the feature is not on, or -errno.
 */
int tracer__sample(struct tracer *t, tracer_sample_fn fn, void *ctx);
void tracer__free(struct tracer *t);

#endif
