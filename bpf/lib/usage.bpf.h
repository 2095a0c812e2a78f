/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a process used: what getrusage(RUSAGE_BOTH) on its zombie adds up
 * (kernel/sys.c), which is what the parent's wait4() returns, and what
 * /proc/PID/io adds up (fs/proc/base.c, do_io_accounting()). Both sum the
 * signal_struct (the threads already released are folded into it, and the
 * children waited for) and each thread still listed in the group.
 *
 * When: the exit record is built at the last thread's exit, but its usage
 * is read as late as the kernel allows before anyone can reap the process:
 * at the notification of its parent (the SIGCHLD's signal_generate, under
 * the tasklist lock the reaper needs). From Linux 6.16 the exit tracepoint
 * comes before the address space is torn down, which costs CPU time (about
 * 0.2 ms per MiB touched): read at the exit, that time would be missing.
 * Without the signal program (feature off), or when no notification comes
 * (exit_signal 0), the usage is the exit's or the release's.
 */
#ifndef PROCLIFE_USAGE_BPF_H
#define PROCLIFE_USAGE_BPF_H

#include "lib/common.bpf.h"

#define PF_EXITING 0x00000004 /* include/linux/sched.h */
#define EXIT_DEAD 0x00000010  /* released: its counters are folded into signal_struct */

/* struct task_io_accounting's fields exist by kernel config: read only those there. */
#define IO_ADD(u, p, ioac)                                                     \
	do {                                                                   \
		if (bpf_core_field_exists(p->ioac.rchar)) {                    \
			(u)->rchar += TASK_RD(p, ioac.rchar);                  \
			(u)->wchar += TASK_RD(p, ioac.wchar);                  \
			(u)->syscr += TASK_RD(p, ioac.syscr);                  \
			(u)->syscw += TASK_RD(p, ioac.syscw);                  \
			(u)->flags |= PL_USAGE_IO_CHARS;                       \
		}                                                              \
		if (bpf_core_field_exists(p->ioac.read_bytes)) {               \
			(u)->read_bytes += TASK_RD(p, ioac.read_bytes);        \
			(u)->write_bytes += TASK_RD(p, ioac.write_bytes);      \
			(u)->cancelled_write_bytes += TASK_RD(p, ioac.cancelled_write_bytes); \
			(u)->flags |= PL_USAGE_IO_BYTES;                       \
		}                                                              \
	} while (0)

/* A thread still listed: accumulate_thread_rusage(), task_io_get_inblock()/oublock(), its ioac. */
static __always_inline void thread_usage_add(struct pl_usage *u, struct task_struct *t)
{
	u->utime_tick += TASK_RD(t, utime);
	u->stime_tick += TASK_RD(t, stime);
	u->runtime += TASK_RD(t, se.sum_exec_runtime);
	u->minflt += TASK_RD(t, min_flt);
	u->majflt += TASK_RD(t, maj_flt);
	u->nvcsw += TASK_RD(t, nvcsw);
	u->nivcsw += TASK_RD(t, nivcsw);
	if (bpf_core_field_exists(t->ioac.read_bytes)) {
		u->inblock += TASK_RD(t, ioac.read_bytes) >> 9;
		u->oublock += TASK_RD(t, ioac.write_bytes) >> 9;
	}
	IO_ADD(u, t, ioac);
}

/*
 * The usage of t's process. The threads still listed are, this late, t
 * itself (unless released: the last thread notifying for its zombie
 * leader) and the leader; a thread still on its way out at the same
 * moment is not folded in yet and is missed.
 */
static __always_inline void read_usage(struct pl_usage *u, struct task_struct *t)
{
	struct signal_struct *sig = TASK_RD(t, signal);
	struct task_struct *leader = TASK_RD(t, group_leader);

	__builtin_memset(u, 0, sizeof(*u));
	if (!sig)
		return;
	u->utime_tick = TASK_RD(sig, utime);
	u->stime_tick = TASK_RD(sig, stime);
	u->runtime = TASK_RD(sig, sum_sched_runtime);
	if (bpf_core_field_exists(sig->prev_cputime.utime)) { /* not with VIRT_CPU_ACCOUNTING_NATIVE */
		u->prev_utime = TASK_RD(sig, prev_cputime.utime);
		u->prev_stime = TASK_RD(sig, prev_cputime.stime);
	}
	u->minflt = TASK_RD(sig, min_flt);
	u->majflt = TASK_RD(sig, maj_flt);
	u->nvcsw = TASK_RD(sig, nvcsw);
	u->nivcsw = TASK_RD(sig, nivcsw);
	u->inblock = TASK_RD(sig, inblock);
	u->oublock = TASK_RD(sig, oublock);
	u->maxrss_kb = TASK_RD(sig, maxrss) * ARCH_PAGE_KB; /* pages; getrusage() reports KiB */
	u->cutime = TASK_RD(sig, cutime);
	u->cstime = TASK_RD(sig, cstime);
	u->cminflt = TASK_RD(sig, cmin_flt);
	u->cmajflt = TASK_RD(sig, cmaj_flt);
	u->cnvcsw = TASK_RD(sig, cnvcsw);
	u->cnivcsw = TASK_RD(sig, cnivcsw);
	u->cinblock = TASK_RD(sig, cinblock);
	u->coublock = TASK_RD(sig, coublock);
	u->cmaxrss_kb = TASK_RD(sig, cmaxrss) * ARCH_PAGE_KB; /* pages; getrusage() reports KiB */
	IO_ADD(u, sig, ioac);
	if (TASK_RD(t, exit_state) != EXIT_DEAD)
		thread_usage_add(u, t);
	if (leader && leader != t && TASK_RD(leader, exit_state) != EXIT_DEAD)
		thread_usage_add(u, leader);
}

/*
 * Sends tgid's held-back exit record, if any; with t (a task of that
 * process) its usage is read again first, else it goes as it was read.
 * With start, only the record of the process that started then: a freed
 * task's pid can already belong to a new process whose exit is held.
 */
static __always_inline void exit_release_held(__u32 tgid, struct task_struct *t, __u64 start)
{
	struct pl_exit *e = bpf_map_lookup_elem(&exits, &tgid);

	if (!e || (start && e->h.start_ns != start))
		return;
	if (t)
		read_usage(&e->usage, t);
	if (bpf_ringbuf_output(&events, e, sizeof(*e), output_wakeup_flags(sizeof(*e))))
		count_lost(PL_EV_EXIT);
	bpf_map_delete_elem(&exits, &tgid);
}

/* In signal_generate: an exiting task signalling its parent releases its process's exit record. */
static __always_inline void exit_notify_parent(struct task_struct *cur)
{
	if (!exit_at_notify || !(TASK_RD(cur, flags) & PF_EXITING))
		return;
	exit_release_held(TASK_RD(cur, tgid), cur, 0);
}

#define PL_SIGCHLD 17

/*
 * Whether the parent of p's process will be sent a signal for its exit,
 * which is when its held exit record goes out (do_notify_parent()): a
 * traced process always signals its tracer; else not when its exit signal
 * is 0, nor when it is SIGCHLD and the parent ignores SIGCHLD (the kernel
 * reaps it at once and sends nothing). Then the record goes at the exit:
 * its release comes only after an RCU grace period, milliseconds to
 * seconds later.
 */
static __always_inline bool parent_gets_signal(struct task_struct *p)
{
	struct task_struct *leader = TASK_RD(p, group_leader);
	struct sighand_struct *sh;
	unsigned long handler = 0;
	int sig;

	if (!leader)
		return false;
	if (TASK_RD(leader, ptrace))
		return true;
	sig = TASK_RD(leader, exit_signal);
	if (sig < 1 || sig > 64)
		return false;
	if (sig != PL_SIGCHLD)
		return true;
	sh = BPF_CORE_READ(leader, real_parent, sighand);
	if (!sh)
		return false;
	bpf_core_read(&handler, sizeof(handler), &sh->action[PL_SIGCHLD - 1].sa.sa_handler);
	return handler != 1; /* SIG_IGN */
}

#endif
