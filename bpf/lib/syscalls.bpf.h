/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature "syscalls", the code of its variants: from the return of a few
 * syscalls, failed execs, who reaped a process by wait4()/waitid(), and
 * kill-family calls that were refused (EPERM, ESRCH, ...) or probed with
 * signal 0. Three ways to see those returns, best first (kernel/variants.c
 * tries them in order):
 *   fexit on the syscalls' functions (syscalls_fexit*.bpf.c): runs only on
 *     them, and costs the other syscalls nothing; needs BPF trampolines;
 *   one program on the per-syscall tracepoints syscalls:sys_exit_NAME
 *     (syscalls_tp*.bpf.c): runs only on them, but any syscall tracepoint
 *     sends every syscall of every task through the kernel's slow path
 *     (about 13 ns each); needs tracefs and perf_event_open();
 *   the all-syscalls tracepoint sys_exit (syscalls.bpf.c, _nonames, _v510):
 *     runs on every syscall's return, the slow path too (about 40 ns).
 * Each finds the syscall's arguments its own way (struct sc_args) and hands
 * them to the same code below.
 */
#ifndef PROCLIFE_SYSCALLS_BPF_H
#define PROCLIFE_SYSCALLS_BPF_H

#include "lib/common.bpf.h"
#include "lib/reap.bpf.h"
#include "lib/signal.bpf.h"

#ifndef PL_NO_FROM_PID
/* Kernel functions, where the kernel has them (6.2+): naming a pid's task. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;
#endif

/* A syscall's first arguments, as its caller passed them (the saved user registers). */
struct sc_args {
	unsigned long a1, a2, a3, a4;
};

/* From BTF-typed registers (a tracepoint's or fexit's argument, bpf_task_pt_regs()): direct loads. */
#define SC_ARGS(regs) \
	((struct sc_args){ SYSCALL_ARG1(regs), SYSCALL_ARG2(regs), SYSCALL_ARG3(regs), SYSCALL_ARG4(regs) })
/* From registers found by address (arch_user_regs()): probe reads. */
#define SC_ARGS_READ(regs)                                                                              \
	((struct sc_args){ SYSCALL_ARG1_READ(regs), SYSCALL_ARG2_READ(regs), SYSCALL_ARG3_READ(regs), \
			   SYSCALL_ARG4_READ(regs) })

/*
 * execve()/execveat() failed with err (positive): the caller's memory is
 * intact, so its filename is readable. Counted; a consumer of states and
 * counts (cfg_lean) queues nothing.
 */
static __always_inline void sc_exec_failed(struct task_struct *cur, const char *filename, long err)
{
	struct pl_exec_failed *e;
	struct scratch *s;
	long n;

	count_kernel(err > 0 && err <= PL_CNT_ERRNO_MAX ? PL_CNT_EXEC_FAILED(err) : PL_CNT_EXEC_FAILED(0));
	if (cfg_lean || !want(PL_EV_EXEC_FAILED) || !follows(TASK_RD(cur, tgid)) || !current_ok())
		return;
	s = scratch_get(PL_EV_EXEC_FAILED);
	if (!s)
		return;
	e = (void *)s->raw;
	fill_hdr(&e->h, PL_EV_EXEC_FAILED, cur);
	e->err = err;
	n = filename_len(e->data, bpf_probe_read_user_str(e->data, FILENAME_READ, filename), &e->h.flags);
	e->filename_len = n;
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + n, output_wakeup_flags(sizeof(*e) + n)))
		count_lost(PL_EV_EXEC_FAILED);
	s->busy = 0;
}

/*
 * A wait4()/waitid() of the current task returned pid: if proclife saw that
 * process exit and nobody reported its reaping yet, the current task reaped it.
 * Only for waiters in the initial pid namespace, where the returned pid is
 * the global one; other reaps are reported by sched_process_free.
 */
static __always_inline void sc_reaped_by_wait(struct task_struct *cur, __u32 pid)
{
	struct zombie *z;

	if (!want(PL_EV_REAP) || BPF_CORE_READ(cur, thread_pid, level) != 0)
		return;
	z = bpf_map_lookup_elem(&zombies, &pid);
	/* The entry stays until sched_process_free, which then knows the release was reported. */
	if (!z || !reap_claim(pid, z->h.start_ns))
		return;
	emit_reap(&z->h, z->exit_ts, z->status, PL_F_REAP_WAIT, cur);
}

/* waitid(which, id, infop, options, ru) returned ret: 0 and infop->si_pid on success; WNOWAIT leaves the zombie. */
static __always_inline void sc_waitid_exit(struct task_struct *cur, const struct sc_args *a, long ret)
{
	int si_pid = 0;

	if (ret != 0 || (a->a4 & WNOWAIT))
		return;
	if (bpf_probe_read_user(&si_pid, sizeof(si_pid), (void *)(a->a3 + 16)) || si_pid <= 0)
		return;
	sc_reaped_by_wait(cur, si_pid);
}

/* Name the target of a refused kill when it exists (a live process); else it stays 0. */
static __always_inline void sc_kill_target(struct pl_signal *e, __s32 pid, __s32 tid)
{
#ifndef PL_NO_FROM_PID
	if (bpf_task_from_pid && (tid > 0 || pid > 0)) {
		struct task_struct *t = bpf_task_from_pid(tid > 0 ? tid : pid);

		if (t) {
			e->target_pid = BPF_CORE_READ(t, tgid);
			e->target_tid = BPF_CORE_READ(t, pid);
			e->target_uid = BPF_CORE_READ(t, real_cred, uid.val);
			bpf_core_read_str(e->target_comm, sizeof(e->target_comm), &t->comm);
			bpf_task_release(t);
		}
	}
#endif
}

/*
 * A kill-family syscall (sc) returned ret: report what the generation
 * tracepoint cannot see, a refused attempt (EPERM, ESRCH, ...) and a
 * signal-0 probe; counted, and queued unless the consumer keeps only counts.
 */
static __always_inline void sc_kill_exit(struct task_struct *cur, __u16 sc, const struct sc_args *a, long ret)
{
	__s32 pid = 0, tid = 0, sig;
	struct pl_signal *e;

	switch (sc) {
	case PL_SYS_KILL:
	case PL_SYS_RT_SIGQUEUEINFO:
		pid = a->a1;
		sig = a->a2;
		break;
	case PL_SYS_TKILL:
		tid = a->a1;
		sig = a->a2;
		break;
	case PL_SYS_TGKILL:
	case PL_SYS_RT_TGSIGQUEUEINFO:
		pid = a->a1;
		tid = a->a2;
		sig = a->a3;
		break;
	default: /* pidfd_send_signal(pidfd, sig, info, flags) */
		sig = a->a2;
		break;
	}
	if (ret == 0 && sig != 0)
		return; /* a signal sent: the generation tracepoint reported it */
	count_signal(sig, ret < 0 ? PL_SIG_FAILED : PL_SIG_PROBE);
	if (cfg_lean || !want(PL_EV_SIGNAL) || !follows(TASK_RD(cur, tgid)) || !current_ok())
		return;
	e = reserve_event(PL_EV_SIGNAL, sizeof(*e), cur);
	if (!e)
		return;
	e->sig = sig;
	e->info_code = sc == PL_SYS_TKILL || sc == PL_SYS_TGKILL ? SI_TKILL : sc == PL_SYS_KILL ? SI_USER : SI_QUEUE;
	e->result = ret < 0 ? PL_SIG_FAILED : PL_SIG_PROBE;
	e->err = ret < 0 ? -ret : 0;
	e->target_arg = sc == PL_SYS_TKILL ? tid : pid;
	e->target_pid = 0;
	e->target_tid = 0;
	e->target_uid = 0;
	__builtin_memset(e->target_comm, 0, sizeof(e->target_comm));
	sc_kill_target(e, pid, tid);
	e->info_pid = e->h.pid;
	e->info_uid = e->h.uid;
	e->value = 0;
	e->syscall = sc;
	e->info_kind = PL_INFO_SIGINFO;
	e->disposition = PL_ACT_DEFAULT;
	e->blocked = 0;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
}

/* Is nr one of the syscalls this feature reports on? The rest cost the sys_exit variant a compare. */
static __always_inline bool sc_wanted(long nr)
{
	return nr == NR_execve || nr == NR_execveat || nr == NR_wait4 || nr == NR_waitid ||
	       syscall_of(nr) != PL_SYS_NONE;
}

/* Syscall nr (one of sc_wanted()'s) of the current task returned ret; a, its arguments. */
static __always_inline int sc_exit(struct task_struct *cur, long nr, long ret, const struct sc_args *a)
{
	__u16 sc = syscall_of(nr);

	if (nr == NR_execve || nr == NR_execveat) {
		if (ret < 0)
			sc_exec_failed(cur, (const char *)(nr == NR_execve ? a->a1 : a->a2), -ret);
	} else if (sc != PL_SYS_NONE) {
		sc_kill_exit(cur, sc, a, ret);
	} else if (nr == NR_wait4) {
		if (ret > 0)
			sc_reaped_by_wait(cur, ret);
	} else if (nr == NR_waitid) {
		sc_waitid_exit(cur, a, ret);
	}
	return 0;
}

/* tp_btf/sys_exit(regs, ret), every syscall's return: the few of interest, the rest at the cost of a compare. */
static __always_inline int on_sys_exit(struct pt_regs *regs, long ret)
{
	struct task_struct *cur;
	struct sc_args a;
	long nr;

	if (!regs)
		return 0;
	nr = SYSCALL_NR(regs);
	if (!sc_wanted(nr))
		return 0;
	/* The same numbers mean other syscalls to a 32-bit process. */
	cur = current_task();
	if (ARCH_IN_COMPAT_SYSCALL(cur))
		return 0;
	a = SC_ARGS(regs);
	return sc_exit(cur, nr, ret, &a);
}

/*
 * The context of the per-syscall exit tracepoints (syscalls:sys_exit_NAME,
 * their format file): the syscall's number and return value. 32-bit
 * syscalls never reach them (the kernel leaves compat syscalls out).
 */
struct sc_exit_ctx {
	__u64 common;
	int nr;
	long ret;
};

/* A per-syscall exit tracepoint: the arguments from the task's saved user registers. */
static __always_inline int on_sc_exit_tp(struct sc_exit_ctx *ctx)
{
	struct task_struct *cur = current_task();
	long nr = ctx->nr, ret = ctx->ret;
	struct sc_args a;

	if (!sc_wanted(nr))
		return 0;
#ifdef PL_NO_PT_REGS
	{
		struct pt_regs *regs = arch_user_regs(cur, cfg_thread_size);

		if (!regs)
			return 0;
		a = SC_ARGS_READ(regs);
	}
#else
	{
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);

		a = SC_ARGS(regs);
	}
#endif
	return sc_exit(cur, nr, ret, &a);
}

/*
 * fexit on a syscall's function (ARCH_SYSCALL_FN): regs are the caller's
 * registers (BTF-typed), ret what it returned. One program per syscall,
 * each calling its own part above.
 */
#define SC_FEXIT(prog, name, body)                                                   \
	SEC("fexit/" ARCH_SYSCALL_FN(name))                                          \
	int BPF_PROG(prog, const struct pt_regs *regs, long ret)                     \
	{                                                                            \
		struct task_struct *cur = current_task();                            \
		struct sc_args a = SC_ARGS(regs);                                    \
                                                                                     \
		(void)a;                                                             \
		body;                                                                \
		return 0;                                                            \
	}

#endif
