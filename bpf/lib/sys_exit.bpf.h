/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature "syscalls", the code of its variants (syscalls.bpf.c,
 * syscalls_nonames.bpf.c, syscalls_v510.bpf.c), from the return of a few
 * syscalls: failed execs, who reaped a process by wait4()/waitid(), and
 * kill-family calls that were refused (EPERM, ESRCH, ...) or probed with
 * signal 0.
 */
#ifndef PROCLIFE_SYS_EXIT_BPF_H
#define PROCLIFE_SYS_EXIT_BPF_H

#include "lib/common.bpf.h"
#include "lib/reap.bpf.h"
#include "lib/signal.bpf.h"

#ifndef PL_NO_FROM_PID
/* Kernel functions, where the kernel has them (6.2+): naming a pid's task. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;
#endif

/* execve()/execveat() returned an error: the caller's memory is intact, so its filename is readable. */
static __always_inline void exec_failed(struct task_struct *cur, struct pt_regs *regs, long nr, long err)
{
	const char *filename;
	struct pl_exec_failed *e;
	struct scratch *s;
	long n;

	if (!want(PL_EV_EXEC_FAILED) || !follows(TASK_RD(cur, tgid)) || !current_ok())
		return;
	s = scratch_get(PL_EV_EXEC_FAILED);
	if (!s)
		return;
	e = (void *)s->raw;
	fill_hdr(&e->h, PL_EV_EXEC_FAILED, cur);
	e->err = err;
	filename = (const char *)(nr == NR_execve ? SYSCALL_ARG1(regs) : SYSCALL_ARG2(regs));
	n = filename_len(e->data, bpf_probe_read_user_str(e->data, FILENAME_READ, filename), &e->h.flags);
	e->filename_len = n;
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + n, wakeup_flags()))
		count_lost(PL_EV_EXEC_FAILED);
	s->busy = 0;
}

/*
 * A wait4()/waitid() of the current task returned pid: if proclife saw that
 * process exit and nobody reported its reaping yet, the current task reaped it.
 * Only for waiters in the initial pid namespace, where the returned pid is
 * the global one; other reaps are reported by sched_process_free.
 */
static __always_inline void reaped_by_wait(struct task_struct *cur, __u32 pid)
{
	struct zombie *z;

	if (BPF_CORE_READ(cur, thread_pid, level) != 0)
		return;
	z = bpf_map_lookup_elem(&zombies, &pid);
	/* The entry stays until sched_process_free, which then knows the release was reported. */
	if (!z || !reap_claim(pid, z->h.start_ns))
		return;
	emit_reap(&z->h, z->exit_ts, z->status, PL_F_REAP_WAIT, cur);
}

/*
 * A kill-family syscall returned: report what the generation tracepoint
 * cannot see, a refused attempt (EPERM, ESRCH, ...) and a signal-0 probe.
 */
static __always_inline void signal_syscall_exit(struct task_struct *cur, struct pt_regs *regs, __u16 sc, long ret)
{
	__s32 pid = 0, tid = 0, sig;
	struct pl_signal *e;

	switch (sc) {
	case PL_SYS_KILL:
	case PL_SYS_RT_SIGQUEUEINFO:
		pid = SYSCALL_ARG1(regs);
		sig = SYSCALL_ARG2(regs);
		break;
	case PL_SYS_TKILL:
		tid = SYSCALL_ARG1(regs);
		sig = SYSCALL_ARG2(regs);
		break;
	case PL_SYS_TGKILL:
	case PL_SYS_RT_TGSIGQUEUEINFO:
		pid = SYSCALL_ARG1(regs);
		tid = SYSCALL_ARG2(regs);
		sig = SYSCALL_ARG3(regs);
		break;
	default: /* pidfd_send_signal(pidfd, sig, info, flags) */
		sig = SYSCALL_ARG2(regs);
		break;
	}
	if (ret == 0 && sig != 0)
		return; /* a signal sent: the generation tracepoint reported it */
	if (!want(PL_EV_SIGNAL) || !follows(TASK_RD(cur, tgid)) || !current_ok())
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
#ifndef PL_NO_FROM_PID
	/* Name the target when it exists (a refused kill of a live process); else it stays 0. */
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
	e->info_pid = e->h.pid;
	e->info_uid = e->h.uid;
	e->value = 0;
	e->syscall = sc;
	e->info_kind = PL_INFO_SIGINFO;
	e->disposition = PL_ACT_DEFAULT;
	e->blocked = 0;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	bpf_ringbuf_submit(e, wakeup_flags());
}

/* tp_btf/sys_exit(regs, ret): the few syscalls of interest, the rest at the cost of a compare. */
static __always_inline int on_sys_exit(struct pt_regs *regs, long ret)
{
	struct task_struct *cur;
	long nr;
	int si_pid = 0;
	__u16 sc;

	if (!regs)
		return 0;
	nr = SYSCALL_NR(regs);
	sc = syscall_of(nr);
	if (nr != NR_execve && nr != NR_execveat && nr != NR_wait4 && nr != NR_waitid && sc == PL_SYS_NONE)
		return 0;
	/* The same numbers mean other syscalls to a 32-bit process. */
	cur = current_task();
	if (ARCH_IN_COMPAT_SYSCALL(cur))
		return 0;

	if (nr == NR_execve || nr == NR_execveat) {
		if (ret < 0)
			exec_failed(cur, regs, nr, -ret);
		return 0;
	}
	if (sc != PL_SYS_NONE) {
		signal_syscall_exit(cur, regs, sc, ret);
		return 0;
	}
	if (!want(PL_EV_REAP))
		return 0;
	if (nr == NR_wait4) {
		if (ret > 0)
			reaped_by_wait(cur, ret);
		return 0;
	}
	/* waitid(which, id, infop, options, ru): 0 and infop->si_pid on success; WNOWAIT leaves the zombie. */
	if (ret != 0 || (SYSCALL_ARG4(regs) & WNOWAIT))
		return 0;
	if (bpf_probe_read_user(&si_pid, sizeof(si_pid), (void *)(SYSCALL_ARG3(regs) + 16)) || si_pid <= 0)
		return 0;
	reaped_by_wait(cur, si_pid);
	return 0;
}

#endif
