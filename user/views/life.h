/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * One pid's lives, for `proclife life PID`: each life of the pid (an
 * identity (pid, start time); a pid reused is a new life) with its birth,
 * its events in order (execs, signals received and sent, stops and
 * continues, renames, adoption, exit, reap) and its children.
 *
 * Built from checked kernel records and the model's derived events, in
 * their order. Only what concerns the pid is kept (its own events, signals
 * to it, its children's births, first execs and ends), within fixed limits:
 * a hostile recording can hold any number of events about one pid, so
 * past the limits the rest is counted, not kept.
 */
#ifndef PROCLIFE_LIFE_H
#define PROCLIFE_LIFE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"
#include "model/model.h"
#include "views/identity_fmt.h"

/* Limits, over all the lives of the pid. */
#define LIFE_MAX_LIVES 65536
#define LIFE_MAX_EVENTS (1u << 18)
#define LIFE_MAX_CHILDREN (1u << 18)
#define LIFE_MAX_BYTES (64u << 20)  /* filenames and argv kept */

enum life_born {
	LIFE_BORN_FORK = 0,  /* its fork is in the recording */
	LIFE_BORN_BEFORE,    /* it existed when the recording started */
	LIFE_BORN_UNSEEN,    /* born during the recording, but its fork was not recorded (lost) */
};

enum life_ev_type {
	LIFE_EV_EXEC = 1,
	LIFE_EV_EXEC_FAILED,
	LIFE_EV_FORK,        /* it forked a child */
	LIFE_EV_SIG_RECV,    /* a signal was generated for it (by another process, itself or the kernel) */
	LIFE_EV_SIG_SENT,    /* it sent a signal to another process (or tried to) */
	LIFE_EV_DELIVER,     /* it took a signal whose generation was not seen */
	LIFE_EV_STOP,
	LIFE_EV_CONTINUE,
	LIFE_EV_RENAME,
	LIFE_EV_REPARENT,    /* its parent died: adopted */
	LIFE_EV_ZOMBIE,      /* still a zombie after the model's zombie delay */
	LIFE_EV_EXIT,
	LIFE_EV_REAP,
	LIFE_EV_CRED,        /* it changed its credentials */
};

struct life_event {
	__u64 ts;
	__u8 type;           /* enum life_ev_type */
	union {
		struct {           /* EXEC, EXEC_FAILED */
			char *data;      /* filename, NUL, then args_len bytes of argv; NULL: not kept (memory limit) */
			__u32 filename_len; /* up to its first NUL */
			__u32 args_off;     /* where argv starts in data */
			__u32 args_len, args_size, argc, old_tid;
			__u32 flags;     /* PL_F_ARGS_TRUNCATED, PL_F_ARGS_UNREADABLE, PL_F_NAME_TRUNCATED, PL_F_SETID */
			__s32 err;       /* EXEC_FAILED: positive errno */
			struct ident id; /* who ran it (the new program's ids) */
		} exec;
		struct pl_cred cred;         /* CRED: the record */
		struct pl_signal sig;        /* SIG_RECV, SIG_SENT: the record */
		struct pl_deliver deliver;   /* DELIVER */
		struct {
			__u32 child;
			__u64 child_start;
		} fork;
		int stop_sig;                /* STOP, CONTINUE */
		struct {
			char old_comm[PL_COMM_LEN], new_comm[PL_COMM_LEN];
		} rename;
		struct {                     /* REPARENT, ZOMBIE (parent is the one not waiting) */
			__u32 old_parent, parent;
			bool comm_known;
			char comm[PL_COMM_LEN];  /* the new (REPARENT) or current (ZOMBIE) parent's */
			__u64 zombie_since;      /* ZOMBIE: its exit, 0 unknown */
		} parent;
		struct pl_exit exit;
		struct pl_reap reap;
	};
	/* SIG_RECV: the delivery that took it, once seen. */
	bool taken;
	bool fatal;          /* it ended the process (PL_F_GROUP_EXIT) */
	__u32 action;        /* enum pl_sig_action */
	__u64 taken_ts;
};

struct life_child {
	__u64 start_ns, born_ts, exit_ts, reap_ts;
	__u32 pid, status, reaper, adopted_by;
	bool exited, reaped, execd;
	char comm[PL_COMM_LEN];   /* now: after its execs and renames */
	char *data;               /* first exec: filename, NUL, argv (NULL: none, or not kept) */
	__u32 filename_len;       /* up to its first NUL */
	__u32 args_off, args_len; /* argv: where in data, how long */
	bool truncated;
};

struct life {
	__u64 start_ns;           /* CLOCK_BOOTTIME ns */
	bool start_ticks;         /* start_ns from /proc: clock-tick precision */
	__u8 born;                /* enum life_born */
	__u64 born_ts;            /* the fork, LIFE_BORN_FORK */
	__u32 forker, ppid;       /* who called fork; its real parent at birth */
	char forker_comm[PL_COMM_LEN];
	bool parent_comm_known;
	char parent_comm[PL_COMM_LEN];
	char comm[PL_COMM_LEN];   /* now */
	/* LIFE_BORN_BEFORE from the snapshot: what /proc said when the recording started. */
	char *cmdline;
	__u32 cmdline_len;
	bool cmdline_truncated;
	__u8 initial_state;       /* enum proc_state */
	/* What became of it. */
	__u8 state;               /* enum proc_state: running, stopped, continued, zombie, reaped */
	int stop_sig;
	bool exited, reaped, orphaned, ended_unseen;
	__u64 exit_ts, reap_ts;   /* exit_ts 0: exited unseen (before the recording) */
	__u64 cgroup_id, cgroup1_id; /* its cgroups at its last event (v2, v1); both 0: not known */
	__u32 status, parent, adopted_by, reaper;
	__u32 nr_execs;
	struct life_event *ev;
	size_t nev, capev;
	struct life_child *ch;
	size_t nch, capch;
	__u64 events_left_out, children_left_out;
};

struct life_index_slot {
	__u32 pid;      /* 0: empty */
	__u32 life;     /* index in lives */
	__u32 child;    /* index in that life's children */
};

struct life_set {
	__u32 pid;
	__u64 rec_start;          /* when the recording started (boot ns) */
	__u64 end_ts;             /* when it ended (life__end) */
	struct life *v;
	size_t n, cap;
	__u64 lives_left_out;
	/* Children by pid (their newest fork wins), for their execs and ends. */
	struct life_index_slot *idx;
	size_t idx_cap, idx_used;
	size_t nev, nch, bytes;   /* totals, against the limits */
};

/* What the recording's first snapshot says about a process that was already running. */
struct life_seed {
	__u64 start_ns;           /* from /proc: clock-tick precision */
	__u32 ppid;
	const char *parent_comm;  /* NULL: unknown */
	char comm[PL_COMM_LEN];
	const char *cmdline;      /* argv, NUL-separated; NULL: none (kernel thread, zombie) */
	__u32 cmdline_len;
	bool cmdline_truncated;
	__u8 state;               /* enum proc_state */
	__u32 status;             /* PROC_ZOMBIE: its wait status */
};

void life__init(struct life_set *s, __u32 pid, __u64 rec_start);
/* The pid was running (or a zombie) when the recording started. 0 or -ENOMEM. */
int life__seed(struct life_set *s, const struct life_seed *seed);
/* One checked kernel record (event__check), in recording order. */
void life__record(struct life_set *s, const void *rec);
/* One event the model derived (after the record that caused it). */
void life__derived(struct life_set *s, const struct derived_event *d);
/* The recording ended at ts (boot ns). */
void life__end(struct life_set *s, __u64 ts);
/* The argv it ran last: its newest exec kept, else its /proc cmdline; false when neither. */
bool life__argv(const struct life *l, const char **args, __u32 *len, const char **filename, __u32 *filename_len);
void life__free(struct life_set *s);

/* Where a life stood when the recording ended: the one answer both renderers give. */
enum life_end {
	LIFE_END_RUNNING,
	LIFE_END_STOPPED,
	LIFE_END_ZOMBIE,   /* exited, not reaped */
	LIFE_END_REAPED,
	LIFE_END_UNKNOWN,  /* the pid was reused before its end (or its reap) was seen */
};

enum life_end life__end_state(const struct life *l);

/* enum life_ev_type's name: "exec", ..., "signal_received", "orphaned", ...; NULL for no type. */
const char *life__event_name(unsigned type);

/* Seconds from one boot-ns time to another, negative when to is earlier. */
static inline double life__secs(__u64 from, __u64 to)
{
	return ((double)to - (double)from) / 1e9;
}

#endif
