/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature "delivery", the code of its variants (deliver.bpf.c,
 * deliver_v510.bpf.c): the target takes a signal (handler, ignored,
 * default action); the model derives stops and continues from it.
 */
#ifndef PROCLIFE_SIGNAL_DELIVER_BPF_H
#define PROCLIFE_SIGNAL_DELIVER_BPF_H

#include "lib/common.bpf.h"
#include "lib/signal.bpf.h"

/* Before 5.19 an exec's teardown set group_exit_task (without SIGNAL_GROUP_EXIT). */
struct signal_struct___pre519 {
	struct task_struct *group_exit_task;
} __attribute__((preserve_access_index));

static __always_inline bool exec_teardown(struct signal_struct *s, unsigned int flags)
{
	if (bpf_core_field_exists(s->group_exec_task))
		return BPF_CORE_READ(s, group_exec_task) != NULL;
	return BPF_CORE_READ((struct signal_struct___pre519 *)s, group_exit_task) != NULL &&
	       !(flags & SIGNAL_GROUP_EXIT);
}

/*
 * Does t's parent keep t's process group from being orphaned? (The kernel's
 * will_become_orphaned_pgrp(): a parent in another group of the same
 * session, not init.)
 */
static __always_inline bool parent_anchors(struct task_struct *t, struct pid *pgrp, struct pid *sid)
{
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	struct signal_struct *ps = BPF_CORE_READ(parent, signal);

	return BPF_CORE_READ(parent, tgid) != 1 && BPF_CORE_READ(ps, pids[PIDTYPE_PGID]) != pgrp &&
	       BPF_CORE_READ(ps, pids[PIDTYPE_SID]) == sid;
}

/*
 * SIGTSTP, SIGTTIN and SIGTTOU with the default action stop a process,
 * except in an orphaned process group, where the kernel discards them right
 * after this tracepoint (is_current_pgrp_orphaned()): no member has a parent
 * in another group of the same session. Walks the group's members as the
 * kernel does; a group too big to walk here is taken as not orphaned.
 */
#define PGRP_WALK_MAX 256
static __always_inline bool stop_discarded(struct task_struct *cur, int sig)
{
	struct signal_struct *s = BPF_CORE_READ(cur, signal);
	struct pid *pgrp = BPF_CORE_READ(s, pids[PIDTYPE_PGID]), *sid = BPF_CORE_READ(s, pids[PIDTYPE_SID]);
	/* Members hang on pgrp->tasks[PIDTYPE_PGID] by their task->pid_links[PIDTYPE_PGID]. */
	unsigned long link_off = bpf_core_field_offset(struct task_struct, pid_links) +
				 PIDTYPE_PGID * sizeof(struct hlist_node);
	struct hlist_node *node;

	if (sig == SIGSTOP || parent_anchors(cur, pgrp, sid))
		return false;
	node = BPF_CORE_READ(pgrp, tasks[PIDTYPE_PGID].first);
	for (int i = 0; i < PGRP_WALK_MAX; i++) {
		struct task_struct *t;

		if (!node)
			return true; /* every member looked at: orphaned */
		t = (struct task_struct *)((unsigned long)node - link_off);
		if (!(BPF_CORE_READ(t, exit_state) && BPF_CORE_READ(t, signal, nr_threads) <= 1) &&
		    parent_anchors(t, pgrp, sid))
			return false;
		node = BPF_CORE_READ(node, next);
	}
	return false;
}

/* tp_btf/signal_deliver(sig, info, ka); info and ka are read from ctx as numbers. */
static __always_inline int on_signal_deliver(unsigned long long *ctx, int sig)
{
	struct task_struct *cur = current_task();
	unsigned long args[2] = {}; /* info, ka */
	unsigned long info_addr, sa[2] = {}; /* sa_handler, sa_flags */
	struct k_sigaction *ka;
	__u32 flags = 0, action;
	struct pl_deliver *e;

	/* A consumer of states (cfg_lean) takes stops only: nothing else to count, nothing to read. */
	if (cfg_lean && !cfg_counts && !stop_signal(sig))
		return 0;
	/* info may be SEND_SIG_NOINFO or SEND_SIG_PRIV: both read as numbers (lib/common.bpf.h), in one call. */
	bpf_probe_read_kernel(args, sizeof(args), &ctx[1]);
	info_addr = args[0];
	ka = (struct k_sigaction *)args[1];
	if (!ka)
		return 0;
	if (!want(PL_EV_DELIVER) || !follows(TASK_RD(cur, tgid)) || !current_ok())
		return 0;
	/* Handler and flags in one helper call where they are neighbours (x86_64 always). */
	if (bpf_core_field_offset(struct sigaction, sa_flags) ==
	    bpf_core_field_offset(struct sigaction, sa_handler) + sizeof(unsigned long)) {
		bpf_probe_read_kernel(sa, sizeof(sa), &ka->sa.sa_handler);
	} else {
		sa[0] = (unsigned long)BPF_CORE_READ(ka, sa.sa_handler);
		sa[1] = BPF_CORE_READ(ka, sa.sa_flags);
	}
	action = action_of(sa[0]);
	/* A job-control stop in an orphaned process group: the kernel drops it. */
	if (action == PL_ACT_DEFAULT && sig >= SIGTSTP && sig <= SIGTTOU && stop_discarded(cur, sig))
		action = PL_ACT_IGNORED;
	/*
	 * A fatal signal, exit_group() or an exec tears the group down by
	 * "delivering" a SIGKILL without siginfo to every thread. Report the
	 * fatal signal itself, once per process (at the leader), and nothing
	 * for the teardowns that are no signal at all.
	 */
	if (sig == SIGKILL && info_addr == 0) {
		struct signal_struct *s = TASK_RD(cur, signal);
		unsigned int sflags = BPF_CORE_READ(s, flags);

		if (exec_teardown(s, sflags))
			return 0;
		if (sflags & SIGNAL_GROUP_EXIT) {
			int code = BPF_CORE_READ(s, group_exit_code);

			if (!(code & 0x7f) || (!cfg_threads && TASK_RD(cur, pid) != TASK_RD(cur, tgid)))
				return 0;
			sig = code & 0x7f;
			flags |= PL_F_GROUP_EXIT;
			action = PL_ACT_DEFAULT;
		}
	}
	count_kernel(PL_CNT_DELIVER);
	if (cfg_lean && !(action == PL_ACT_DEFAULT && stop_signal(sig) && !flags))
		return 0;
	e = reserve_event(PL_EV_DELIVER, sizeof(*e), cur);
	if (!e)
		return 0;
	e->h.flags |= flags;
	e->sig = sig;
	e->action = action;
	e->sa_flags = sa[1];
	if (info_addr <= 1) {
		e->info_code = info_addr ? SI_KERNEL : SI_USER;
		e->info_pid = 0;
	} else {
		struct siginfo_head info;

		siginfo_read(info_addr, &info);
		e->info_code = info.si_code;
		e->info_pid = info.pid;
	}
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
	return 0;
}

#endif
