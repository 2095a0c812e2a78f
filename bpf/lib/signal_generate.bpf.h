/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature "signals", the code of its variants (signal.bpf.c,
 * signal_v510.bpf.c): every signal the kernel generates, who sent it, how,
 * and what the kernel did with it; and, for the exit's killed_by, who sent
 * a signal that will be fatal.
 */
#ifndef PROCLIFE_SIGNAL_GENERATE_BPF_H
#define PROCLIFE_SIGNAL_GENERATE_BPF_H

#include "lib/common.bpf.h"
#include "lib/signal.bpf.h"
#include "lib/usage.bpf.h"

static __always_inline void record_fatal(__u32 tgid, int sig, struct task_struct *cur, int code, __u8 kind,
					 __u16 sc)
{
	struct pl_killer k = {
		.ts = bpf_ktime_get_boot_ns(),
		.sig = sig,
		.info_code = code,
		.pid = BPF_CORE_READ(cur, tgid),
		.tid = BPF_CORE_READ(cur, pid),
		.uid = BPF_CORE_READ(cur, real_cred, uid.val),
		.syscall = sc,
		.info_kind = kind,
	};

	bpf_core_read_str(k.comm, sizeof(k.comm), &cur->comm);
	bpf_map_update_elem(&fatal, &tgid, &k, BPF_NOEXIST);
}

/* The syscall the current task is in, and the pid it was given (a group, all): 0 when none. */
static __always_inline __u16 sending_syscall(struct task_struct *cur, __s32 *target_arg)
{
	__u16 sc;

#ifdef PL_NO_PT_REGS
	struct pt_regs *regs = arch_user_regs(cur, cfg_thread_size);

	if (!regs)
		return PL_SYS_NONE;
	sc = syscall_of(SYSCALL_NR_READ(regs));
	if (sc != PL_SYS_NONE && sc != PL_SYS_PIDFD_SEND_SIGNAL)
		*target_arg = (int)SYSCALL_ARG1_READ(regs);
#else
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);

	sc = syscall_of(SYSCALL_NR(regs));
	if (sc != PL_SYS_NONE && sc != PL_SYS_PIDFD_SEND_SIGNAL)
		*target_arg = (int)SYSCALL_ARG1(regs);
#endif
	return sc;
}

/*
 * Does this signal go on the ring buffer? Every one a consumer of events
 * asked for; for a consumer of states (cfg_lean), only a SIGCONT: it
 * resumes a stopped process whatever becomes of it.
 */
static __always_inline bool signal_queued(int sig, int result)
{
	if (!want(PL_EV_SIGNAL) || (cfg_failed_only && !pl_signal_failed(sig, result)))
		return false;
	return !cfg_lean || sig == PL_SIGCONT;
}

/*
 * tp_btf/signal_generate(sig, info, task, group, result); info is read from
 * ctx as a number. Runs for every signal on the machine: what decides
 * whether anything more is needed (its exit record, a count, an event, a
 * fatal signal's sender) comes first and reads nothing.
 */
static __always_inline int on_signal_generate(unsigned long long *ctx, int sig, struct task_struct *task, int group,
					      int result)
{
	struct task_struct *cur = current_task();
	unsigned long info_addr;
	__u8 kind, blocked, disp;
	struct siginfo_head info = {};
	int code;
	__u16 sc = PL_SYS_NONE;
	__s32 target_arg = 0;
	struct pl_signal *e;
	bool fatal, queued;

	if (!task)
		return 0;
	/* An exiting process notifying its parent: its exit record goes first, its usage final. */
	exit_notify_parent(cur);
	count_signal(sig, result);
	/* A signal that will kill its target: the exit's killed_by. */
	fatal = want(PL_EV_EXIT) && result == PL_SIG_DELIVERED && fatal_by_default(sig);
	queued = signal_queued(sig, result);
	if (!fatal && !queued)
		return 0;
	/* Fatal only with the default action: a handled signal is not (the storm of a consumer of states). */
	disp = disposition_of(task, sig, &blocked);
	fatal = fatal && disp == PL_ACT_DEFAULT && follows(task->tgid);
	if (!fatal && !queued)
		return 0;
	/* info may be SEND_SIG_NOINFO or SEND_SIG_PRIV: a number, read through only when real. */
	info_addr = raw_arg(ctx, 1);
	kind = info_addr == 0 ? PL_INFO_NOINFO : info_addr == 1 ? PL_INFO_PRIV : PL_INFO_SIGINFO;
	if (kind == PL_INFO_SIGINFO)
		siginfo_read(info_addr, &info);
	code = kind == PL_INFO_SIGINFO ? info.si_code : kind == PL_INFO_PRIV ? SI_KERNEL : SI_USER;
	/* Sent by a process: which syscall, and the pid it was given. */
	if (kind == PL_INFO_SIGINFO && (code == SI_USER || code == SI_QUEUE || code == SI_TKILL))
		sc = sending_syscall(cur, &target_arg);
	if (fatal)
		record_fatal(task->tgid, sig, cur, code, kind, sc);

	if (!queued)
		return 0;
	if (!follows(TASK_RD(cur, tgid)) && !follows(task->tgid))
		return 0;
	/* -u, -c: the sender or the target; --auid, --session, --tty: the sender. */
	if (!current_ok() && !(task_ok(task) && task_ident_ok(cur)))
		return 0;
	e = reserve_event(PL_EV_SIGNAL, sizeof(*e), cur);
	if (!e)
		return 0;
	if (group)
		e->h.flags |= PL_F_GROUP;
	e->sig = sig;
	e->result = result;
	e->target_pid = task->tgid;
	e->target_tid = task->pid;
	e->target_uid = task->real_cred->uid.val;
#ifdef PL_NO_TASK_BTF
	bpf_probe_read_kernel(e->target_comm, sizeof(e->target_comm), &task->comm);
#else
	/* task is BTF-typed: comm in two plain loads, no helper call (5.11's verifier on). */
	__builtin_memcpy(e->target_comm, task->comm, sizeof(e->target_comm));
#endif
	e->info_code = code;
	e->value = 0;
	if (kind == PL_INFO_SIGINFO) {
		e->info_pid = info.pid;
		e->info_uid = info.uid;
		if (code == SI_QUEUE)
			e->value = info.value;
	} else {
		/* No siginfo: the kernel fills in the current task as sender (NOINFO) or nobody (PRIV). */
		e->info_pid = kind == PL_INFO_NOINFO ? e->h.pid : 0;
		e->info_uid = kind == PL_INFO_NOINFO ? e->h.uid : 0;
	}
	e->target_arg = target_arg;
	e->err = 0;
	e->syscall = sc;
	e->info_kind = kind;
	e->disposition = disp;
	e->blocked = blocked;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
	return 0;
}

#endif
