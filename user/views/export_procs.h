/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The processes an exporter follows through a replay, by pid: what
 * export_perfetto and export_dot both need to tell which process a record
 * is about. The rules are the model's, so that an export names the same
 * processes live tracing does:
 *
 *   - (pid, start time) is an identity: pids are reused;
 *   - a start read from /proc (the snapshot) is known to the clock tick
 *     only, and becomes exact with the first record about the process;
 *   - a pid seen with another start is another process, and the one we
 *     knew under that pid ended unseen (events were lost).
 *
 * An exporter's per-process struct begins with a struct export_proc and
 * goes on with what it writes from; the table holds pointers, so an entry
 * stays where it is while others come and go. Which processes are shown
 * (-p PID, --kthreads) is decided here too, the same way for both.
 */
#ifndef PROCLIFE_EXPORT_PROCS_H
#define PROCLIFE_EXPORT_PROCS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/outbuf.h"
#include "model/model.h"

enum {
	EP_TICKS = 1 << 0,   /* start_ns from /proc: tick precision */
	EP_KTHREAD = 1 << 1, /* a kernel thread, or forked by one and not exec'd since */
	EP_F_OWN = 1 << 2,   /* the first flag an exporter may use for itself */
};

struct export_proc {
	__u64 start_ns;
	__u32 pid, ppid;
	__u8 flags; /* EP_*, then the exporter's own */
	char comm[PL_COMM_LEN];
};

struct export_procs {
	struct export_proc **tab; /* by pid: open addressing, linear probing, no tombstones */
	size_t cap, n;
	__u32 only_pid; /* 0: every process is shown; else it and its descendants */
	bool kthreads;  /* kernel threads are shown too */
};

void export_procs__init(struct export_procs *t, __u32 only_pid, bool kthreads);
/* Every entry goes to drop (which frees it), then the table. */
void export_procs__free(struct export_procs *t, void (*drop)(struct export_proc *e));

/* The entry for pid, whichever process it is; NULL: none. */
struct export_proc *export_procs__find(const struct export_procs *t, __u32 pid);
/* The entry for exactly the process (pid, start_ns) a record names; NULL: not known. */
struct export_proc *export_procs__get(const struct export_procs *t, __u32 pid, __u64 start_ns);
/* The entry for a process of the model (NULL: none), if it is the one we know. */
struct export_proc *export_procs__of(const struct export_procs *t, const struct proc *p);
/*
 * The process (pid, start_ns) a record names: its entry, with its start
 * now exact, or NULL when it is new. *stale: the entry pid had for another
 * process, which ended unseen; the caller ends it before adding the new one.
 */
struct export_proc *export_procs__match(struct export_procs *t, __u32 pid, __u64 start_ns,
					struct export_proc **stale);
/* export_procs__match() for a record's subject; the main thread's comm is the process's. */
struct export_proc *export_procs__touch(struct export_procs *t, const struct pl_hdr *h, struct export_proc **stale);

/*
 * A new entry of size bytes (the exporter's struct, export_proc first),
 * zeroed but for what is given, in the table. NULL: out of memory.
 */
struct export_proc *export_procs__add(struct export_procs *t, size_t size, __u32 pid, __u64 start_ns, __u32 ppid,
				      const char *comm, __u8 flags);
/* e leaves the table; the caller frees it. */
void export_procs__del(struct export_procs *t, struct export_proc *e);

/* Whether a new process is shown: the -p subtree (parent_shown), kernel threads only if asked. */
bool export_procs__wanted(const struct export_procs *t, __u32 pid, bool parent_shown, bool kthread);
/* EP_* flags of a process from the snapshot. */
__u8 export_proc__flags_of(const struct proc *p);

/*
 * Every entry, in table order, in a malloc'd array (the caller sorts it
 * and ends them): ending one moves others in the table, so they are
 * collected first. NULL: out of memory.
 */
struct export_proc **export_procs__list(const struct export_procs *t, size_t *n);
/* Likewise the entries whose process the model no longer has (after a resync): they ended unseen. */
struct export_proc **export_procs__gone(const struct export_procs *t, const struct model *m, size_t *n);

#endif
