// SPDX-License-Identifier: GPL-2.0
/* Feature "signals", the variant for Linux 5.10 (lib/common.bpf.h says what each PL_NO_ costs). */
#define PL_NO_TASK_BTF
#define PL_NO_PT_REGS
#define PL_NO_FROM_PID
#include "lib/common.bpf.h"
#include "lib/signal_generate.bpf.h"

SEC("tp_btf/signal_generate")
int BPF_PROG(pl_signal_generate_v510, int sig, struct kernel_siginfo *info_unused, struct task_struct *task,
	     int group, int result)
{
	return on_signal_generate(ctx, sig, task, group, result);
}
