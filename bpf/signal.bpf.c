// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "signals": every signal the kernel generates (lib/signal_generate.bpf.h).
 * Feature "oom": the OOM killer's victims.
 *
 * This is the variant for Linux 5.15+; signal_v510.bpf.c is the one
 * without bpf_get_current_task_btf() and bpf_task_pt_regs().
 */
#include "lib/common.bpf.h"
#include "lib/signal_generate.bpf.h"

SEC("tp_btf/signal_generate")
int BPF_PROG(pl_signal_generate, int sig, struct kernel_siginfo *info_unused, struct task_struct *task, int group,
	     int result)
{
	return on_signal_generate(ctx, sig, task, group, result);
}

/* The OOM killer chose task (after sending it SIGKILL): mark its killer record. Linux 6.8+ passes the task. */
SEC("tp_btf/mark_victim")
int BPF_PROG(pl_oom_victim, struct task_struct *task)
{
	__u32 tgid;
	struct pl_killer *k;
	struct pl_killer n = { .ts = bpf_ktime_get_boot_ns(), .sig = SIGKILL, .info_code = SI_KERNEL,
			       .info_kind = PL_INFO_PRIV, .oom = 1 };

	if (!task)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	k = bpf_map_lookup_elem(&fatal, &tgid);
	if (k)
		k->oom = 1;
	else
		bpf_map_update_elem(&fatal, &tgid, &n, BPF_NOEXIST);
	return 0;
}
