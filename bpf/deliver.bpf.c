// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "delivery": the target takes a signal (lib/signal_deliver.bpf.h).
 *
 * This is the variant for Linux 5.11+; deliver_v510.bpf.c is the one
 * without bpf_get_current_task_btf().
 */
#include "lib/common.bpf.h"
#include "lib/signal_deliver.bpf.h"

SEC("tp_btf/signal_deliver")
int BPF_PROG(pl_signal_deliver, int sig, struct kernel_siginfo *info_unused, struct k_sigaction *ka_unused)
{
	return on_signal_deliver(ctx, sig);
}
