// SPDX-License-Identifier: GPL-2.0
/* Feature "syscalls", the variant for Linux 5.11 to 6.1: refused kills do not name their target. */
#define PL_NO_FROM_PID
#include "lib/common.bpf.h"
#include "lib/sys_exit.bpf.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit_nonames, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
