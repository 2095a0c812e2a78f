/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * proclife kernel/user ABI: the records the BPF programs put on the ring
 * buffer, and the limits both sides agree on.
 *
 * Included by bpf/ (after vmlinux.h) and by user/ (after <linux/types.h>),
 * so it includes nothing but its layout table and uses only the __u32/__u64
 * family. Every record starts with struct pl_hdr; every field has a fixed
 * width and every struct is a multiple of 8 bytes, so the layout is the same
 * for the BPF target and the host compiler: proclife_layout.h pins it on both
 * (recordings store these records as they are; docs/RECORDING.md).
 */
#ifndef PROCLIFE_H
#define PROCLIFE_H

#define PL_COMM_LEN 16
/* Bytes of the exec'd filename kept, NUL included (PATH_MAX). */
#define PL_FILENAME_MAX 4096
/* Hard upper bound for --arg-bytes; the default cap is PL_ARGS_DEFAULT. */
#define PL_ARGS_MAX 65536
#define PL_ARGS_DEFAULT 4096
/* Bytes of an exec's working directory or executable path kept, NUL included (PATH_MAX). */
#define PL_PATH_MAX 4096
/* Supplementary groups kept of a set of credentials (pl_creds.groups); ngroups says how many there are. */
#define PL_GROUPS_MAX 16

enum pl_event_type {
	PL_EV_NONE = 0,
	PL_EV_FORK,        /* a process (or, with PL_F_THREAD, a thread) was created */
	PL_EV_EXEC,        /* an execve()/execveat() succeeded */
	PL_EV_EXEC_FAILED, /* an execve()/execveat() returned an error */
	PL_EV_EXIT,        /* the last thread of a process exited (or a thread, PL_F_THREAD) */
	PL_EV_REAP,        /* an exited process was released: waited for, or auto-reaped */
	PL_EV_SIGNAL,      /* a signal was generated (sent) */
	PL_EV_DELIVER,     /* a signal was taken by its target: handler, ignored or default */
	PL_EV_RENAME,      /* a process changed its comm (not by exec) */
	PL_EV_CRED,        /* a process changed its credentials: a set*id/setgroups/capset call, a setid exec */
	PL_EV_MAX,
};

#define PL_EV_BIT(t) (1u << (t))
#define PL_EV_ALL (((1u << PL_EV_MAX) - 1) & ~1u)
/* What --setid keeps: the execs that changed privilege, and credential changes. */
#define PL_EV_SETID (PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_CRED))
/* The only types that can be failures: what --failed narrows the mask to. */
#define PL_EV_FAILABLE (PL_EV_BIT(PL_EV_EXEC_FAILED) | PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_SIGNAL))

/* pl_hdr.flags */
#define PL_F_THREAD          (1u << 0) /* fork/exit: a thread, not a process */
#define PL_F_ARGS_TRUNCATED  (1u << 1) /* exec: argv longer than the cap */
#define PL_F_ARGS_UNREADABLE (1u << 2) /* exec: argv could not be read */
#define PL_F_NAME_TRUNCATED  (1u << 3) /* exec/exec_failed: filename cut at PL_FILENAME_MAX */
#define PL_F_GROUP           (1u << 4) /* signal: sent to the whole thread group */
#define PL_F_GROUP_EXIT      (1u << 5) /* deliver: the fatal signal that ends the group */
#define PL_F_REAP_WAIT       (1u << 6) /* reap: by a wait4()/waitid() of reaper_pid */
#define PL_F_REAP_AUTO       (1u << 7) /* reap: released with no wait seen (SIGCHLD ignored, ...) */
#define PL_F_REAP_PREEXIST   (1u << 8) /* reap: exited before proclife started */
#define PL_F_HAS_CHILDREN    (1u << 9) /* exit: it had children, adopted by new_parent */
#define PL_F_USAGE           (1u << 10) /* exit: usage is there (a process's exit; older recordings lack it) */
#define PL_F_NO_IDENTITY     (1u << 11) /* recorded before format 2.0: cgroup1_id, euid, egid, auid, session, tty unknown */
/* reap: its exit found the kernel's zombie table full: reported at its release, who reaped it unknown */
#define PL_F_REAP_UNTRACKED  (1u << 13)
/*
 * exec: the kernel handled it as a change of privilege (it set
 * PER_CLEAR_ON_SETID in bprm->per_clear): a set-user-ID or set-group-ID bit
 * of the file took effect, or the permitted capabilities grew (file
 * capabilities). cred: the change raised privilege (an id became one the
 * process did not have, or a capability was gained), as far as the old
 * credentials are known.
 */
#define PL_F_SETID           (1u << 12)

/* pl_hdr.auid and .session when the process has none (the kernel's AUDIT_UID_UNSET, AUDIT_SID_UNSET). */
#define PL_ID_UNSET 0xffffffffu
/* A wait status (16 bits) that is not known: a zombie proclife could not read the exit of, in a scan. */
#define PL_STATUS_UNKNOWN 0xffffffffu
/* No v1 cgroup controller chosen (the index of one in the kernel's enum cgroup_subsys_id otherwise). */
#define PL_NO_SSID 0xffffffffu

/*
 * Common header. The subject is the process the event is about: the parent
 * for fork, the sender for signal, the receiver for deliver, the reaped
 * process for reap. Who the subject is (its cgroups and credentials) is read
 * from the task the event is about, at the event.
 */
struct pl_hdr {
	__u64 ts;        /* CLOCK_BOOTTIME, ns */
	__u64 start_ns;  /* subject's start time, CLOCK_BOOTTIME ns: (pid, start_ns) is an identity */
	__u64 cgroup_id; /* cgroup v2 id */
	__u32 type;      /* enum pl_event_type */
	__u32 cpu;
	__u32 pid;       /* thread-group id */
	__u32 tid;
	__u32 ppid;      /* real parent's thread-group id */
	__u32 uid;       /* real uid */
	__u32 gid;       /* real gid */
	__u32 pidns;     /* inode of the pid namespace the subject lives in */
	__u32 ns_pid;    /* tgid as seen inside that namespace */
	__u32 flags;     /* PL_F_* */
	char comm[PL_COMM_LEN];
	/* Recording format 2.0 on: the 1.x header ended here (a 1.x record is read with PL_F_NO_IDENTITY). */
	__u64 cgroup1_id; /* the subject's cgroup in the v1 hierarchy proclife follows (tracer_config): 0 none */
	__u32 euid;      /* effective uid */
	__u32 egid;      /* effective gid */
	__u32 auid;      /* login uid (audit): PL_ID_UNSET when unset, or the kernel has no audit */
	__u32 session;   /* audit session id: PL_ID_UNSET when unset */
	__u32 tty;       /* controlling terminal, encoded as /proc/PID/stat's tty_nr: 0 none */
	__u32 _pad;
};
/* The size of a recording format 1.x header: a 1.x record is the same with the 2.0 part missing here. */
#define PL_HDR_SIZE_1X 80

struct pl_fork {
	struct pl_hdr h;
	__u32 child_pid;
	__u32 child_tid;
	__u64 child_start_ns;
	__u32 child_ppid;   /* the child's real parent: the caller's parent with CLONE_PARENT */
	__u32 _pad;
};

/* A set of credentials, as struct cred has them (ids in the initial user namespace). */
struct pl_creds {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_bset;
	__u64 cap_ambient;
	__u32 securebits;
	__u32 ngroups;      /* supplementary groups: the first PL_GROUPS_MAX are in groups[] */
	__u32 groups[PL_GROUPS_MAX];
};

/* pl_exec.xflags: what became of its paths */
#define PL_X_CWD_CUT  (1u << 0) /* cwd was cut short (deeper, longer or unreadable): it holds its last components */
#define PL_X_EXE_CUT  (1u << 1) /* the same for exe */

/*
 * Variable size: data[] holds the filename (filename_len bytes, NUL
 * included), args_len bytes of the argument area (a sequence of
 * NUL-terminated strings exactly as the new program sees them), the
 * working directory (cwd_len bytes, NUL included) and the path of the file
 * the kernel executed (exe_len bytes: for a #! script the interpreter, as
 * /proc/PID/exe says), both as the kernel's d_path() writes them in the
 * process's own mount namespace, " (deleted)" after an unlinked file. A
 * length of 0: not known (a recording made before format 2.0).
 */
struct pl_exec {
	struct pl_hdr h;
	__u32 old_tid;      /* tid that called exec; != pid when a non-leader thread exec'd */
	__u32 argc;
	__u32 filename_len;
	__u32 args_len;     /* bytes of argument area in data[] */
	__u32 args_size;    /* bytes of the whole argument area (> args_len when truncated) */
	__u32 cwd_len;
	__u32 exe_len;
	__u32 xflags;       /* PL_X_* */
	struct pl_creds creds; /* the new program's credentials */
	char data[];
};

/* Variable size: data[] holds the filename, filename_len bytes, NUL included. */
struct pl_exec_failed {
	struct pl_hdr h;
	__s32 err;          /* positive errno */
	__u32 filename_len;
	char data[];
};

/* How a signal was sent: the syscall the sender was in, if any. */
enum pl_syscall {
	PL_SYS_NONE = 0,   /* not by a kill-family syscall: the kernel */
	PL_SYS_KILL,
	PL_SYS_TKILL,
	PL_SYS_TGKILL,
	PL_SYS_RT_SIGQUEUEINFO,
	PL_SYS_RT_TGSIGQUEUEINFO,
	PL_SYS_PIDFD_SEND_SIGNAL,
	PL_SYS_MAX,
};

/* What the kernel passed as siginfo: SEND_SIG_NOINFO, SEND_SIG_PRIV, or a real one. */
enum pl_info_kind {
	PL_INFO_NOINFO = 0,
	PL_INFO_PRIV,
	PL_INFO_SIGINFO,
};

/* Who sent the signal that killed a process (pl_exit.killer), as at its generation. */
struct pl_killer {
	__u64 ts;
	__s32 sig;          /* 0: no sender known */
	__s32 info_code;
	__u32 pid, tid, uid;
	__u16 syscall;      /* enum pl_syscall */
	__u8 info_kind;     /* enum pl_info_kind */
	__u8 oom;           /* the OOM killer chose this process */
	char comm[PL_COMM_LEN];
};

/* pl_usage.flags: which parts of /proc/PID/io the kernel keeps */
#define PL_USAGE_IO_CHARS    (1u << 0) /* rchar, wchar, syscr, syscw (CONFIG_TASK_XACCT) */
#define PL_USAGE_IO_BYTES    (1u << 1) /* read_bytes, write_bytes, cancelled_write_bytes (CONFIG_TASK_IO_ACCOUNTING) */

/*
 * What a process used, read as its last thread exits: the counters of
 * getrusage(RUSAGE_BOTH) on the zombie (what wait4() returns) and of
 * /proc/PID/io, in the kernel's own units. The collector turns them into
 * struct rusage's (kernel/usage.c): CPU time is split into user and system
 * the kernel's way (cputime_adjust()), which needs 128-bit arithmetic.
 */
struct pl_usage {
	/* The process itself: its threads, the ones that exited before folded in (signal_struct). */
	__u64 utime_tick;   /* ns of user time, as sampled at scheduler ticks */
	__u64 stime_tick;   /* ns of system time, as sampled */
	__u64 runtime;      /* ns on a CPU, exact (sum_exec_runtime): what the split divides */
	__u64 prev_utime;   /* the split as last reported (signal->prev_cputime): it never goes back */
	__u64 prev_stime;
	__u64 minflt, majflt, nvcsw, nivcsw;
	__u64 inblock, oublock; /* 512-byte blocks */
	__u64 maxrss_kb;
	/* The children it waited for (and theirs), already split. */
	__u64 cutime, cstime;   /* ns */
	__u64 cminflt, cmajflt, cnvcsw, cnivcsw, cinblock, coublock;
	__u64 cmaxrss_kb;
	/* /proc/PID/io: the process and the children it waited for */
	__u64 rchar, wchar, syscr, syscw, read_bytes, write_bytes, cancelled_write_bytes;
	__u32 flags;        /* PL_USAGE_* */
	__u32 _pad;
};

struct pl_exit {
	struct pl_hdr h;
	__u32 status;       /* the wait status the parent's wait() receives */
	__u32 new_parent;   /* PL_F_HAS_CHILDREN: who adopts its children (subreaper or pid-ns init) */
	struct pl_killer killer; /* killed by a signal: who sent it */
	/* Only with PL_F_USAGE (a process's exit): a thread's exit record ends before it. */
	struct pl_usage usage;
};
/* An exit record without usage (a thread's; recordings made before usage existed). */
#define PL_EXIT_SIZE_NO_USAGE __builtin_offsetof(struct pl_exit, usage)

/*
 * One task as the sampling iterator sees it (feature "sampling", not an
 * event: read in one read() for `tree` and `top`). A process is the sum
 * of its tasks' records: runtime_ns adds up, rss_kb is the same in each
 * task with an address space.
 */
/* The most tasks one sampling walk (pl_sample_walk) reports; the rest are read from /proc. */
#define PL_SAMPLE_MAX 65536

struct pl_sample {
	__u32 tgid;
	__u32 tid;
	__u64 start_ns;     /* the process's (its leader's) start, CLOCK_BOOTTIME */
	__u64 runtime_ns;   /* this thread's run time; the leader's includes its exited threads' */
	__u64 rss_kb;       /* resident (file + anon + shmem), 0 without an address space */
	/*
	 * A task that has exited (a zombie): the wait status its parent's wait()
	 * will get; PL_STATUS_UNKNOWN while it runs. /proc/PID/stat shows it only
	 * to who may ptrace the task.
	 */
	__u32 exit_status;
	__u32 _pad;
};

/*
 * The in-kernel cgroup filter (--container, --pod, --cgroup, --host,
 * --containers): user space's verdict on each pair of cgroup ids a
 * subject can be in, as pl_hdr carries them. A pair the filter has no
 * verdict on yet passes: user space judges it and hands the verdict back.
 */
struct pl_cgroup_key {
	__u64 cgroup_id;  /* v2 */
	__u64 cgroup1_id; /* the v1 hierarchy followed; 0 none */
};

struct pl_reap {
	struct pl_hdr h;    /* the reaped process, as it was when it exited */
	__u64 exit_ts;      /* when it exited; 0 if proclife did not see the exit */
	__u32 status;       /* its wait status */
	__u32 reaper_pid;   /* 0 when not known */
	__u32 reaper_tid;
	__u32 _pad;
	char reaper_comm[PL_COMM_LEN];
};

/* Result of signal generation; the kernel's enum trace_signal_ret. */
enum pl_sig_result {
	PL_SIG_DELIVERED = 0,
	PL_SIG_IGNORED,
	PL_SIG_ALREADY_PENDING,
	PL_SIG_OVERFLOW_FAIL,
	PL_SIG_LOSE_INFO,
	PL_SIG_FAILED,         /* the syscall refused it: err says why (EPERM, ESRCH, ...) */
	PL_SIG_PROBE,          /* signal 0: the target exists and may be signalled */
};

/*
 * A signal that "failed", for --failed: not queued, except the ones the
 * kernel drops because their default action is to be ignored (SIGCHLD,
 * SIGURG, SIGWINCH): every exit would otherwise be a failure.
 */
static inline int pl_signal_failed(int sig, __u32 result)
{
	if (result == PL_SIG_DELIVERED || result == PL_SIG_PROBE)
		return 0;
	return !(result == PL_SIG_IGNORED && (sig == 17 || sig == 23 || sig == 28));
}

/*
 * A signal sent, or an attempt refused. Attempts that the kernel refused
 * (result PL_SIG_FAILED) and signal-0 probes come from the syscall's return;
 * everything else from the kernel's signal generation, one per receiving
 * process (a kill(-pgid) is one event per member).
 */
struct pl_signal {
	struct pl_hdr h;    /* the sending task (current) */
	__s32 sig;
	__s32 info_code;   /* si_code */
	__u32 result;       /* enum pl_sig_result */
	__u32 target_pid;   /* 0 when unknown (a refused attempt at a missing pid) */
	__u32 target_tid;
	__u32 target_uid;
	__u32 info_pid;       /* sender pid as the target's siginfo says (0 when none) */
	__u32 info_uid;
	char target_comm[PL_COMM_LEN];
	__u64 value;        /* si_value, for sigqueue */
	__s32 target_arg;   /* the pid the syscall was given: < 0 a process group, -1 all */
	__s32 err;          /* PL_SIG_FAILED: positive errno */
	__u16 syscall;      /* enum pl_syscall */
	__u8 info_kind;     /* enum pl_info_kind */
	__u8 disposition;   /* enum pl_sig_action of the target for sig, at generation */
	__u8 blocked;       /* the target thread blocks sig: it stays pending */
	__u8 _pad[3];
};

enum pl_sig_action {
	PL_ACT_DEFAULT = 0,
	PL_ACT_IGNORED,
	PL_ACT_HANDLER,
};

/*
 * Counters the kernel keeps when asked (tracer_config.counts: metrics that
 * need counts, not events), in a per-CPU array of __u64 indexed so: every
 * signal generated or refused by signal (0..PL_CNT_SIG_MAX) and result (enum
 * pl_sig_result), the rest in SIGNAL_OTHER; every delivery; every failed
 * exec by errno (1..PL_CNT_ERRNO_MAX), the rest in EXEC_FAILED(0). Not a
 * record: never in a recording.
 */
#define PL_CNT_SIG_MAX 64
#define PL_CNT_SIG_RESULTS (PL_SIG_PROBE + 1)
#define PL_CNT_SIGNAL(sig, result) ((sig) * PL_CNT_SIG_RESULTS + (result))
#define PL_CNT_SIGNAL_OTHER PL_CNT_SIGNAL(PL_CNT_SIG_MAX + 1, 0)
#define PL_CNT_DELIVER (PL_CNT_SIGNAL_OTHER + 1)
#define PL_CNT_ERRNO_MAX 255
#define PL_CNT_EXEC_FAILED(err) (PL_CNT_DELIVER + 1 + (err))
#define PL_CNT_MAX PL_CNT_EXEC_FAILED(PL_CNT_ERRNO_MAX + 1)

struct pl_rename {
	struct pl_hdr h;    /* h.comm is the old name */
	char new_comm[PL_COMM_LEN];
};

struct pl_deliver {
	struct pl_hdr h;    /* the receiving task (current) */
	__s32 sig;
	__s32 info_code;   /* si_code */
	__u32 action;       /* enum pl_sig_action */
	__u32 info_pid;
	__u64 sa_flags;
};

/* How credentials changed (pl_cred.how): the system call, or the exec, that changed them. */
enum pl_cred_how {
	PL_HOW_NONE = 0,   /* not in a system call (a kernel thread, a task_work) */
	PL_HOW_SETUID,
	PL_HOW_SETGID,
	PL_HOW_SETREUID,
	PL_HOW_SETREGID,
	PL_HOW_SETRESUID,
	PL_HOW_SETRESGID,
	PL_HOW_SETFSUID,
	PL_HOW_SETFSGID,
	PL_HOW_SETGROUPS,
	PL_HOW_CAPSET,
	PL_HOW_EXECVE,     /* a setid exec (PL_F_SETID on its exec) */
	PL_HOW_EXECVEAT,
	PL_HOW_PRCTL,      /* PR_SET_SECUREBITS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_KEEPCAPS */
	PL_HOW_UNSHARE,    /* CLONE_NEWUSER */
	PL_HOW_SETNS,
	PL_HOW_OTHER,      /* another system call: pl_cred.nr is its number */
	PL_HOW_MAX,
};

/* pl_cred.cflags: where the old credentials come from */
#define PL_C_OLD_KERNEL  (1u << 0) /* read in the kernel, before the change (commit_creds) */
#define PL_C_OLD_MODEL   (1u << 1) /* not in the kernel: the collector filled them in from what it knew of the process */
#define PL_C_OLD_IDS     (1u << 2) /* with PL_C_OLD_MODEL: only uid, euid, gid and egid were known; the rest is 0 */

/*
 * Credentials changed (PL_EV_CRED): the subject is the process (h.tid the
 * thread) whose credentials they are, h's ids already the new ones. old is
 * valid as cflags says; with neither PL_C_OLD_KERNEL nor PL_C_OLD_MODEL
 * it is unknown (all 0).
 */
struct pl_cred {
	struct pl_hdr h;
	__u32 how;          /* enum pl_cred_how */
	__u32 cflags;       /* PL_C_* */
	__s32 nr;           /* the system call's number on this architecture; -1 when none */
	__u32 _pad;
	struct pl_creds old;
	struct pl_creds new;
};

/* Every size, offset and type above, held to the one table of the format. */
#include "proclife_layout.h"
PL_LAYOUT_KERNEL(PL_LAYOUT_ASSERT)

#endif /* PROCLIFE_H */
