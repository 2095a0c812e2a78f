/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The process model: every process on the machine, its parent and children,
 * its exec chain and its lifecycle state, kept current from kernel events.
 *
 * Identity is (pid, start time): a pid that is reused is a new process.
 * Processes live in one slot array, linked by slot index (0 = none), and
 * are found by pid through an open-addressing index; a struct proc pointer
 * stays valid until the next call that changes the model.
 *
 * State changes that no single kernel event names (stop, continue, zombie
 * for too long, adoption by a new parent, a resync after lost events) are
 * handed to a callback as derived events.
 */
#ifndef PROCLIFE_MODEL_H
#define PROCLIFE_MODEL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"

enum proc_state {
	PROC_RUNNING = 0,
	PROC_STOPPED,
	PROC_CONTINUED,
	PROC_ZOMBIE,
	PROC_REAPED,
};

#define PROC_F_ORPHANED    (1u << 0) /* its parent died: ppid is the adopter */
#define PROC_F_SCANNED     (1u << 1) /* first seen in /proc, not born under our eyes */
#define PROC_F_START_TICKS (1u << 2) /* start_ns is from /proc: clock-tick precision */
#define PROC_F_ZOMBIE_SEEN (1u << 3) /* its zombie event was given */
#define PROC_F_KTHREAD     (1u << 4) /* a kernel thread */
#define PROC_F_USAGE       (1u << 5) /* exited with its usage known: cpu_ns and maxrss_kb are final */
#define PROC_F_SAMPLED     (1u << 6) /* alive, cpu_ns and rss_kb from a sample (model__sample_add) */
#define PROC_F_CPU_PREV    (1u << 7) /* cpu_prev_ns is its CPU at the sample before (0 if born since) */

/* What the model knows of who a process is (struct proc's idflags). */
#define PROC_I_IDS      (1u << 0) /* uid, euid, gid and egid are its own (an event's header, /proc) */
#define PROC_I_CREDS    (1u << 1) /* and its whole set of credentials (an exec, a cred event, /proc, its parent's) */
#define PROC_I_IDENTITY (1u << 2) /* auid, session and tty are known (an event since format 2.0, /proc) */
#define PROC_I_SETID    (1u << 3) /* its program came from an exec that changed privilege */
#define PROC_I_EXECD    (1u << 4) /* its program's exec was seen (since format 2.0): PROC_I_SETID is known */

/* One exec: data holds the filename (NUL-terminated), then args_len bytes of argv. */
struct proc_exec {
	struct proc_exec *older;
	__u64 ts;
	__u32 argc;
	__u32 filename_len; /* NUL included */
	__u32 args_len;
	bool truncated;
	char data[];
};

struct proc {
	__u64 start_ns;    /* CLOCK_BOOTTIME ns */
	/* What it used: PROC_F_SAMPLED (alive) or PROC_F_USAGE (exited), else unknown (0). */
	__u64 cpu_ns;      /* its threads' run time: so far, or in all */
	__u64 rss_kb;      /* alive: resident now; exited: the most it ever was (maxrss) */
	__u64 cpu_prev_ns; /* PROC_F_CPU_PREV: cpu_ns at the sample before, for its CPU% */
	/* CPU of every process that ended under it (its descendants then), at their exits. */
	__u64 ended_cpu_ns;
	__u64 state_ts;    /* when it entered its state */
	__u64 exit_ts;     /* 0: unknown (or alive) */
	/* Its cgroups as its last event said (or /proc at a scan): the v2 id, the v1 one; 0 not known. */
	__u64 cgroup_id, cgroup1_id;
	struct proc_exec *execs; /* newest first */
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 status;      /* wait status, once exited */
	__u32 reaper;      /* who reaped it; 0 unknown or auto */
	__u32 parent, first_child, next_sibling, prev_sibling; /* slots */
	__u8 state;        /* enum proc_state */
	__u8 flags;        /* PROC_F_* */
	__u8 stop_sig;
	__u8 nr_execs;
	char comm[PL_COMM_LEN];
	__u32 sample_gen;  /* the sample cpu_ns and rss_kb are from */
	/* Who it is, as its latest event or /proc said; idflags (PROC_I_*) says what is known. */
	__u8 idflags;
	__u32 euid, gid, egid;     /* PROC_I_IDS, with uid */
	__u32 auid, session, tty;  /* login uid, audit session (PL_ID_UNSET: none), tty as tty_nr (0 none) */
	__u32 creds_ref;           /* PROC_I_CREDS: its whole set, shared with the processes that have the same */
};

enum derived_type {
	DV_STOP = 1,   /* p stopped by sig */
	DV_CONTINUE,   /* p continued */
	DV_ZOMBIE,     /* p has been a zombie for zombie_after_ns; its parent has not waited */
	DV_REPARENT,   /* p was adopted: old_parent died, new_parent took it */
	DV_RESYNC,     /* lost events: the model was reconciled with /proc */
	DV_CONTAINER,  /* a container was named (ct): learnt by the session, not the model */
};

#define DV_MAX (DV_CONTAINER + 1)
/* Derived events share the -e mask with kernel events, above them. */
#define DV_BIT(t) (1u << (PL_EV_MAX + (t)))
#define DV_ALL                                                                                     \
	(DV_BIT(DV_STOP) | DV_BIT(DV_CONTINUE) | DV_BIT(DV_ZOMBIE) | DV_BIT(DV_REPARENT) | DV_BIT(DV_RESYNC) | \
	 DV_BIT(DV_CONTAINER))

const char *derived__name(enum derived_type t);
int derived__parse(const char *s); /* -EINVAL when unknown */

struct resync_stats {
	__u32 added, removed, reparented, states_fixed;
};

struct ct_ref;

struct derived_event {
	enum derived_type type;
	__u64 ts;                /* boot ns */
	const struct proc *p;    /* NULL for DV_RESYNC and DV_CONTAINER */
	const struct proc *parent; /* p's parent now, if known */
	int sig;                 /* DV_STOP */
	__u32 old_parent, new_parent;
	struct resync_stats rs;  /* DV_RESYNC */
	const struct ct_ref *ct; /* DV_CONTAINER (model/ctreg.h) */
};

typedef void (*derived_fn)(void *ctx, const struct derived_event *d);

/*
 * The model's memory is capped: max_bytes is the most it holds, by its own
 * count of what it allocates (model__memory(): its arrays, and each exec's
 * strings with the allocator's header), checked before each allocation.
 * When the next one would not fit, it forgets, down to 7/8 of the cap so
 * that this happens seldom, in this order:
 *   1. reaped processes, oldest first, before their retention ends;
 *   2. exec history: each process keeps only its newest exec;
 *   3. long command lines: the newest exec's filename and argv are cut to
 *      MODEL_SQUEEZED_BYTES each (marked truncated).
 * Only if that is not enough is the new thing left out: an exec not kept
 * (the process shows its comm), a process not added. Everything forgotten
 * early is counted by kind (model__forgotten()) and said once per kind
 * (base/msg.h). The default cap holds 100,000 processes with 2 KiB
 * command lines each and their recently reaped ones (a process costs about
 * 140 bytes, argv aside).
 */
#define MODEL_MAX_BYTES_DEFAULT (256ull << 20)
#define MODEL_MAX_BYTES_MIN (1ull << 20)
#define MODEL_SQUEEZED_BYTES 256

struct model_config {
	__u64 zombie_after_ns;   /* DV_ZOMBIE after this long (default 5 s) */
	__u64 retention_ns;      /* reaped processes are kept this long (default 60 s) */
	unsigned max_execs;      /* exec chain kept per process (default 16) */
	/* Bytes of a process's execs between its first and its newest (default 64 KiB): the older go first. */
	unsigned history_bytes;
	__u64 max_bytes;         /* the cap (default MODEL_MAX_BYTES_DEFAULT) */
	derived_fn derived;      /* may be NULL */
	void *ctx;
};

/* What the cap made the model forget early (model_config.max_bytes says the order). */
enum model_forgot {
	FORGOT_REAPED,   /* a reaped process, before its retention ended */
	FORGOT_EXEC,     /* an exec's filename and argv: dropped from the history, cut, or not kept */
	FORGOT_PROCESS,  /* a process not added, or a zombie not watched (no zombie event): no room after the rest */
	FORGOT_MAX,
};

/* "reaped", "exec", "process": the metric's label values. */
const char *model_forgot__name(enum model_forgot k);

struct model;

struct model *model__new(const struct model_config *cfg);
void model__free(struct model *m);

/* One checked kernel record (event__check). */
void model__apply(struct model *m, const void *rec);
/* Time passes (boot ns): zombie events, forgetting reaped processes past retention. */
void model__tick(struct model *m, __u64 now);

/* What /proc says about one process (see procfs.h). */
struct proc_snapshot;
/*
 * Reconcile with a /proc scan taken at now: add what is missing, remove
 * what is gone, fix parents and states. The first call is the bootstrap;
 * a later one (after lost events) also gives a DV_RESYNC with the counts.
 */
void model__reconcile(struct model *m, const struct proc_snapshot *snap, size_t n, __u64 now,
		      struct resync_stats *out);

/* pid's cgroup in the v2 hierarchy (or, v1, in the v1 one events carry), as a scan read it. */
void model__set_cgroup(struct model *m, __u32 pid, bool v1, __u64 id);

struct proc *model__find(const struct model *m, __u32 pid);
/* Slot indices are below this (slot 0 is none; a free slot has pid 0). */
__u32 model__nslots(const struct model *m);
/* Slot navigation: NULL at the end. */
struct proc *model__slot(const struct model *m, __u32 slot);
__u32 model__slot_of(const struct model *m, const struct proc *p);
/* Every live or zombie process without a known parent, in pid order (caller frees). */
__u32 *model__roots(const struct model *m, size_t *n);
/* Live (not reaped) processes. */
size_t model__count(const struct model *m);
/* Recently reaped processes, oldest first, through this iterator. */
const struct proc *model__reaped_next(const struct model *m, const struct proc *prev);
/*
 * Live processes' CPU so far and resident memory: a sample is begun, then
 * each task of it added (a process's tasks add up); a task of another life
 * of the pid, or of an exited process (what it used is final), is ignored.
 */
void model__sample_begin(struct model *m, __u64 now);
void model__sample_add(struct model *m, const struct pl_sample *s);
/* p has a value from the sample begun last. */
bool model__sampled(const struct model *m, const struct proc *p);
/*
 * p's CPU use between the last two samples (or since it started, if after
 * the first), in percent of one CPU (a process with threads can pass 100).
 * False when not known.
 */
bool model__cpu_pct(const struct model *m, const struct proc *p, double *pct);
/*
 * A cred event (e, writable) as the model sees it, before it is applied:
 * when the kernel did not say the old credentials (PL_C_OLD_KERNEL) and
 * fill_old (the model saw every exec), they are what it knows of the process (PL_C_OLD_MODEL, with
 * PL_C_OLD_IDS when that is only its ids); PL_F_SETID is set when the
 * change raised privilege (a capability gained, or an id became root),
 * as far as the old set is known. False: the change changes nothing the
 * model knows of (another thread's share of a change already seen, a
 * call that changed nothing), which the caller may drop.
 */
bool model__cred_fill(const struct model *m, struct pl_cred *e, bool fill_old);
/* p's whole set of credentials (model__creds), or NULL when it is not known. */
const struct pl_creds *model__creds(const struct model *m, const struct proc *p);
/* Did credentials change from old to new in a way that raised privilege? ids_only: only old's ids are known. */
bool creds__raised(const struct pl_creds *old, const struct pl_creds *new, bool ids_only);
/* Memory held by the model, bytes, by its own count; at most model__max_memory(). */
size_t model__memory(const struct model *m);
size_t model__max_memory(const struct model *m);
/* What the cap made it forget, FORGOT_MAX counts, and their sum. */
const __u64 *model__forgotten(const struct model *m);
__u64 model__forgotten_total(const struct model *m);

const char *proc_state__name(enum proc_state s);

#endif
