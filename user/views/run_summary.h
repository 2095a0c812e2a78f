/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a followed command did, for `proclife run`'s summary: every process
 * that ran (each life of a reused pid apart), its argv, duration, exit
 * status or killing signal and sender, signals sent and received, who
 * adopted it, what it used (time -v for every process of the tree); and at
 * the end the totals, the top consumers, and what it left behind.
 */
#ifndef PROCLIFE_RUN_SUMMARY_H
#define PROCLIFE_RUN_SUMMARY_H

#include <linux/types.h>
#include <stdbool.h>

#include "proclife.h"
#include "base/outbuf.h"
#include "base/wallclock.h"
#include "kernel/usage.h"
#include "views/identity_fmt.h"
#include "model/ctreg.h"

struct run_proc {
	__u64 start_ns, exit_ts;
	__u64 first_exec_ts;  /* CMD's clock starts here: before, it waited for proclife to attach */
	__u32 pid, ppid;
	__u32 status;
	__u32 adopted_by;     /* its parent died: who took it (0: not orphaned) */
	__u32 signals_sent, signals_received;
	__u32 parent;         /* index + 1 of its parent when it started, 0 = none */
	bool exited, reaped;
	bool has_usage;       /* its exit said what it used */
	__u32 reaped_by;      /* the pid whose wait() reaped it, 0 when not known */
	__u64 cgroup_id, cgroup1_id; /* its cgroups at its last event (v2, v1) */
	struct usage usage;
	struct pl_killer killer;
	char comm[PL_COMM_LEN];
	char *filename;       /* of the last exec, or NULL */
	char *args;           /* its argv, NUL-separated */
	__u32 args_len;
	__u32 nr_execs;
	struct ident id;      /* who it is, as its latest event said (its own, not a thread's) */
	bool setid, setid_known; /* its program came from an exec that changed privilege; known since format 2.0 */
};

struct proc_snapshot;

struct run_summary {
	struct run_proc *v;
	size_t n, cap;
	__u32 root_pid;
	/*
	 * What was left at the end, when known (a scan taken then, kept in a
	 * recording): leftovers are judged from it instead of proc_root.
	 */
	struct proc_snapshot *final;
	size_t nfinal;
	struct ctreg *ct;     /* the session's cgroups and containers (each process's container); NULL: none */
};

void run_summary__init(struct run_summary *s, __u32 root_pid);
void run_summary__apply(struct run_summary *s, const void *rec);
/* Leftovers are checked against proc_root: still running, or a zombie there. */
void run_summary__text(const struct run_summary *s, struct outbuf *ob, const struct wallclock *wc, __u64 now,
		       const char *proc_root);
void run_summary__json(const struct run_summary *s, struct outbuf *ob, const struct wallclock *wc, __u64 now,
		       const char *proc_root, int cmd_status, __u64 lost);
/*
 * Takes what is left of the command's processes from a scan of /proc (or
 * from a recording's final snapshot): only the entries that are lives of
 * this summary are kept, copied (without cmdlines). 0 or -ENOMEM.
 */
int run_summary__set_final(struct run_summary *s, const struct proc_snapshot *v, size_t n);
/* Processes still running (not exited) now. */
size_t run_summary__alive(const struct run_summary *s);
void run_summary__free(struct run_summary *s);

#endif
