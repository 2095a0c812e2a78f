// SPDX-License-Identifier: GPL-2.0
/* Feature "core": a successful exec, with argv as the new program sees it. */
#include "lib/common.bpf.h"

/*
 * Runs after the exec has succeeded: the new program's argument area is in
 * place on its stack (mm->arg_start..arg_end), so we read exactly what it
 * sees, not the caller's memory at syscall entry.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(pl_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *s;
	struct pl_exec *e;
	unsigned long arg_start, arg_end;
	__u64 size, len;
	long n;

	if (!p || !bprm)
		return 0;
	if (!want(PL_EV_EXEC) || !follows(p->tgid) || !current_ok())
		return 0;
	s = scratch_get(PL_EV_EXEC);
	if (!s)
		return 0;
	e = (void *)s->raw;
	fill_hdr(&e->h, PL_EV_EXEC, p);
	/* A non-leader thread that execs takes over the tgid; report the thread that called exec. */
	e->h.tid = old_pid;
	e->old_tid = old_pid;
	e->argc = BPF_CORE_READ(bprm, argc);

	n = filename_len(e->data, bpf_probe_read_kernel_str(e->data, FILENAME_READ, BPF_CORE_READ(bprm, filename)),
			 &e->h.flags);
	e->filename_len = n;

	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	size = arg_end > arg_start ? arg_end - arg_start : 0;
	len = size;
	if (len > cfg_args_cap) {
		len = cfg_args_cap;
		e->h.flags |= PL_F_ARGS_TRUNCATED;
	}
	if (len > PL_ARGS_MAX)
		len = PL_ARGS_MAX;
	if (len && bpf_probe_read_user(e->data + n, len, (void *)arg_start)) {
		len = 0;
		e->h.flags |= PL_F_ARGS_UNREADABLE;
	}
	e->args_len = len;
	e->args_size = size;
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + n + len, wakeup_flags()))
		count_lost(PL_EV_EXEC);
	s->busy = 0;
	return 0;
}
