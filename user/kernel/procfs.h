/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Reading the process table from /proc, for the model's bootstrap and resyncs. */
#ifndef PROCLIFE_PROCFS_H
#define PROCLIFE_PROCFS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"

struct proc_snapshot {
	__u64 start_ns;   /* from starttime (clock ticks), so tick precision */
	__u32 pid, ppid, uid;
	__u32 exit_code;  /* zombies: the wait status (stat field 52), PL_STATUS_UNKNOWN where /proc hides it */
	char *cmdline;    /* argv, NUL-separated, as /proc/PID/cmdline (NULL: none, e.g. kernel threads) */
	__u32 cmdline_len;
	bool cmdline_truncated;
	char state;       /* stat field 3: R S D Z T t X I ... */
	bool kthread;
	char comm[PL_COMM_LEN];
	__u64 cpu_ns;     /* utime + stime (stat fields 14, 15): tick precision */
	__u64 rss_kb;     /* resident (stat field 24) */
	/* Who it is: has_creds when /proc/PID/status said (securebits: /proc does not say, 0). */
	bool has_creds;
	struct pl_creds creds;
	__u32 auid, session; /* /proc/PID/loginuid, sessionid: PL_ID_UNSET when unset or unreadable */
	__u32 tty;        /* stat field 7, tty_nr */
};

/* Nanoseconds per clock tick of /proc's starttime. */
__u64 procfs__tick_ns(void);

/*
 * Scans proc_root ("/proc") into a new array sorted by start time (then
 * pid), with at most args_cap bytes of each cmdline (--arg-bytes: 0 keeps
 * none; more is cut, and said). Processes that vanish mid-scan are
 * skipped. Returns the count or -errno; *out is the caller's to free. A zombie's exit code is shown
 * only to who may ptrace it (the same user in every id, or
 * CAP_SYS_PTRACE): where it is not, exit_code is PL_STATUS_UNKNOWN, never
 * the 0 /proc shows instead.
 */
long procfs__scan(const char *proc_root, __u32 args_cap, struct proc_snapshot **out);

/* Frees a scan (accepts NULL). */
void procfs__free(struct proc_snapshot *v, size_t n);

struct pidset;
/* Adds pid and every descendant found under proc_root ("/proc") to s. 0 or -errno. */
int procfs__add_descendants(struct pidset *s, __u32 pid, const char *proc_root);

/* One process's /proc/PID/stat (no cmdline). 0 or -errno. */
int procfs__stat(const char *proc_root, __u32 pid, struct proc_snapshot *s);

/*
 * Parses the credentials out of a /proc/PID/status text: Uid, Gid, Groups
 * (the first PL_GROUPS_MAX; ngroups counts them all), CapInh .. CapAmb.
 * 0, or -EBADMSG when Uid or Gid is missing.
 */
int procfs__parse_status(const char *text, struct pl_creds *c);

/* Parses one /proc/PID/stat line (comm may hold spaces and ')'). 0 or -EBADMSG. */
int procfs__parse_stat(const char *line, struct proc_snapshot *s);

#endif
