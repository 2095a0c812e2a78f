// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "cred", where the kernel has BPF trampolines: every change of a
 * task's credentials goes through commit_creds(new), which cannot fail;
 * at its entry the old set is still the task's (lib/cred.bpf.h).
 */
#define PL_NO_TASK_BTF /* lib/common.bpf.h: CO-RE reads, for every kernel */
#include "lib/common.bpf.h"
#include "lib/cred.bpf.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

SEC("fentry/commit_creds")
int BPF_PROG(pl_cred_commit, struct cred *new)
{
	struct task_struct *cur = current_task();
	struct pt_regs *regs;
	long nr = -1;

	if (!new || !cred_wanted(cur))
		return 0;
	/* An exec's change: the exec program says it, when the exec was setid. */
	if (bpf_core_field_exists(cur->in_execve) && BPF_CORE_READ_BITFIELD_PROBED(cur, in_execve))
		return 0;
	if (!(BPF_CORE_READ(cur, flags) & PF_KTHREAD)) {
		regs = arch_user_regs(cur, cfg_thread_size);
		if (regs)
			nr = SYSCALL_NR_READ(regs);
	}
	emit_cred(cur, nr, BPF_CORE_READ(cur, real_cred), new);
	return 0;
}
