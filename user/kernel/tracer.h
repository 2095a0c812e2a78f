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
	__u32 args_cap;        /* bytes of argv kept per exec, 1..PL_ARGS_MAX; 0: PL_ARGS_DEFAULT; TRACER_ARGS_NONE */
	__u64 wakeup_bytes;    /* 0: wake the consumer per event; else once per this many bytes (live: batched) */
	__u32 ringbuf_bytes;   /* 0: the default (16 MiB); a power of two */
	bool legacy_exit;      /* tests: use the pre-6.16 exit program even where group_dead exists */
	bool follow;           /* only processes added with tracer__follow() and their descendants */
	bool probe_only;       /* load and attach to learn what the kernel takes, read nothing: `proclife features` */
	bool sample;           /* feature "sampling": tracer__sample() reads live processes' CPU and memory */
	/* The v1 cgroup controller ("pids", "memory", "cpu") whose cgroup id pl_hdr.cgroup1_id carries; NULL: none. */
	const char *cgroup1_controller;
	/*
	 * A consumer of states and counts, not of every event (tree, top,
	 * zombies, metrics-only runs): of signals and deliveries the kernel
	 * queues only what changes a process's state (a SIGCONT sent, a stop
	 * taken; fatal signals still name killed_by), and no program that
	 * costs every syscall is loaded (kernel/variants.h: no per-syscall
	 * program without BPF trampolines), so no reaper and no failed exec.
	 */
	bool lean;
	/* Count in the kernel signals by result, deliveries and failed execs by errno (tracer__counts()). */
	bool counts;
	/* Only processes of this login uid, audit session, controlling tty (pl_hdr.tty's encoding): in the kernel. */
	bool by_auid, by_session, by_tty;
	__u32 auid, session, tty;
	/* Only execs that changed privilege (PL_F_SETID), and cred events. */
	bool setid_only;
	/*
	 * Filter by cgroup in the kernel: a pair of cgroup ids (pl_cgroup_key)
	 * passes until tracer__cgroup_verdict() says otherwise.
	 */
	bool cgroup_filter;
};

/* tracer_config.args_cap: no argv at all, only the program's path (--arg-bytes 0). */
#define TRACER_ARGS_NONE 0xffffffffu

/* The bytes of argv kept per exec that cfg asks for (the same cap applies to /proc's cmdlines). */
static inline __u32 tracer_config__args_cap(const struct tracer_config *cfg)
{
	if (cfg->args_cap == TRACER_ARGS_NONE)
		return 0;
	return cfg->args_cap ? cfg->args_cap : PL_ARGS_DEFAULT;
}

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
/* Of those, the runs the kernel skipped (a program that would have run inside another on its CPU). */
__u64 tracer__skipped(struct tracer *t);
/*
 * Exits the kernel's zombie table had no room for (a user holding many
 * zombies fills it): their reaps are reported at the release, with
 * PL_F_REAP_UNTRACKED (who reaped them unknown). Not losses: no resync.
 */
__u64 tracer__untracked_zombies(struct tracer *t);

/*
 * The kernel's counters (cfg.counts), summed over the CPUs, into out
 * (PL_CNT_MAX of them, indexed by PL_CNT_*). 0, -EOPNOTSUPP when counting
 * was not asked for, or -errno.
 */
int tracer__counts(struct tracer *t, __u64 *out);

/* One task's sample (feature "sampling"); a process is the sum of its tasks'. */
typedef void (*tracer_sample_fn)(void *ctx, const struct pl_sample *s);
/*
 * Every task's CPU time and resident memory, in one read() of the sampling
 * iterator. 0, -EOPNOTSUPP when the feature is not on, or -errno.
 */
int tracer__sample(struct tracer *t, tracer_sample_fn fn, void *ctx);
void tracer__free(struct tracer *t);

#endif
