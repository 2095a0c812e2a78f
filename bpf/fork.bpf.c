// SPDX-License-Identifier: GPL-2.0
/* Feature "core": process (and, with --threads, thread) creation. */
#include "lib/common.bpf.h"

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pl_fork, struct task_struct *parent, struct task_struct *child)
{
	bool thread;
	struct pl_fork *e;

	if (!parent || !child) /* never NULL; the test keeps a verifier that says "maybe" happy */
		return 0;
	thread = child->pid != child->tgid;
	if (cfg_follow) {
		__u32 ptgid = parent->tgid, ctgid = child->tgid;
		__u8 one = 1;

		if (!bpf_map_lookup_elem(&followed, &ptgid))
			return 0;
		if (!thread && bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY))
			count_lost(PL_EV_FORK); /* the set is full: this child escapes, and we say so */
	}
	if (!want(PL_EV_FORK) || (thread && !cfg_threads))
		return 0;
	if (!current_ok())
		return 0;
	e = reserve_event(PL_EV_FORK, sizeof(*e), parent);
	if (!e)
		return 0;
	if (thread)
		e->h.flags |= PL_F_THREAD;
	e->child_pid = child->tgid;
	e->child_tid = child->pid;
	e->child_start_ns = task_start_ns(child);
	e->child_ppid = BPF_CORE_READ(child, real_parent, tgid);
	e->_pad = 0;
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
	return 0;
}
