// SPDX-License-Identifier: GPL-2.0
/* Feature "rename": a process changed its name other than by exec. */
#include "lib/common.bpf.h"

/*
 * prctl(PR_SET_NAME), a kernel thread naming itself: the model keeps comm
 * current. An exec renames too, but the exec event carries the new name,
 * so those are left out.
 */
SEC("tp_btf/task_rename")
int BPF_PROG(pl_rename, struct task_struct *task, const char *comm)
{
	struct pl_rename *e;

	if (!task || !comm)
		return 0;
	if (!want(PL_EV_RENAME) || (bpf_core_field_exists(task->in_execve) && BPF_CORE_READ_BITFIELD_PROBED(task, in_execve)) ||
	    !follows(task->tgid))
		return 0;
	/* A process's name is its leader's; other threads' names are their own business. */
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid))
		return 0;
	if (!task_ok(task) || !task_ident_ok(task))
		return 0;
	e = reserve_event(PL_EV_RENAME, sizeof(*e), task);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->new_comm, sizeof(e->new_comm), comm);
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
	return 0;
}
