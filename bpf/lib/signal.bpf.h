/* SPDX-License-Identifier: GPL-2.0 */
/* What the signal programs share: the kill-family syscalls, dispositions, fatal signals. */
#ifndef PROCLIFE_SIGNAL_BPF_H
#define PROCLIFE_SIGNAL_BPF_H

#include "common.bpf.h"

static __always_inline __u16 syscall_of(long nr)
{
	switch (nr) {
	case NR_kill:
		return PL_SYS_KILL;
	case NR_tkill:
		return PL_SYS_TKILL;
	case NR_tgkill:
		return PL_SYS_TGKILL;
	case NR_rt_sigqueueinfo:
		return PL_SYS_RT_SIGQUEUEINFO;
	case NR_rt_tgsigqueueinfo:
		return PL_SYS_RT_TGSIGQUEUEINFO;
	case NR_pidfd_send_signal:
		return PL_SYS_PIDFD_SEND_SIGNAL;
	}
	return PL_SYS_NONE;
}

/*
 * The head of a kernel_siginfo, read in one helper call: its layout is the
 * user ABI's (asm-generic/siginfo.h: si_signo, si_errno, si_code, then the
 * union, 8-aligned; _kill and _rt start with pid, uid; _rt's value follows).
 */
struct siginfo_head {
	int si_signo, si_errno, si_code, _pad;
	int pid;          /* _sifields._kill._pid, _rt._pid */
	unsigned int uid; /* _sifields._kill._uid, _rt._uid */
	__u64 value;      /* _sifields._rt._sigval */
};

/* addr: a real siginfo (not SEND_SIG_NOINFO/PRIV). An unreadable one reads as zeros. */
static __always_inline void siginfo_read(unsigned long addr, struct siginfo_head *h)
{
	if (bpf_probe_read_kernel(h, sizeof(*h), (const void *)addr))
		__builtin_memset(h, 0, sizeof(*h));
}

/* The kernel's handler values: SIG_DFL (0), SIG_IGN (1), else a handler. */
static __always_inline __u8 action_of(unsigned long handler)
{
	return handler == 0 ? PL_ACT_DEFAULT : handler == 1 ? PL_ACT_IGNORED : PL_ACT_HANDLER;
}

/* What t (a typed tracepoint argument) would do with sig now; and whether it blocks it. */
static __always_inline __u8 disposition_of(struct task_struct *t, int sig, __u8 *blocked)
{
	struct sighand_struct *sh = t->sighand;
	unsigned long handler = 0, mask = t->blocked.sig[0];
	unsigned int i = (unsigned int)(sig - 1) & 63;

	*blocked = sig >= 1 && sig <= 64 && (mask >> i) & 1;
	if (sig < 1 || sig > 64)
		return PL_ACT_DEFAULT;
	bpf_core_read(&handler, sizeof(handler), &sh->action[i].sa.sa_handler);
	return action_of(handler);
}

#define PL_SIGCONT 18

/* The signals that stop a process when taken with the default action. */
static __always_inline bool stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == 21 /* SIGTTIN */ || sig == SIGTTOU;
}

/* Signals whose default action ends the process (terminate or core dump). */
static __always_inline bool fatal_by_default(int sig)
{
	switch (sig) {
	case 17: /* SIGCHLD */
	case 18: /* SIGCONT */
	case 19: /* SIGSTOP */
	case 20: /* SIGTSTP */
	case 21: /* SIGTTIN */
	case 22: /* SIGTTOU */
	case 23: /* SIGURG */
	case 28: /* SIGWINCH */
		return false;
	}
	return sig >= 1 && sig <= 64;
}

#endif
