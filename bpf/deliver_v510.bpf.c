// SPDX-License-Identifier: GPL-2.0
/* Feature "delivery", the variant for Linux 5.10 (lib/common.bpf.h says what each PL_NO_ costs). */
#define PL_NO_TASK_BTF
#define PL_NO_PT_REGS
#define PL_NO_FROM_PID
#include "lib/common.bpf.h"
#include "lib/signal_deliver.bpf.h"

SEC("tp_btf/signal_deliver")
int BPF_PROG(pl_signal_deliver_v510, int sig, struct kernel_siginfo *info_unused, struct k_sigaction *ka_unused)
{
	return on_signal_deliver(ctx, sig);
}
