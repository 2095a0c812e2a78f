// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "syscalls": failed execs, reapers by wait, refused kills
 * (lib/sys_exit.bpf.h).
 *
 * This is the variant for Linux 6.2+, which names a refused kill's target
 * with bpf_task_from_pid(); syscalls_nonames.bpf.c does not,
 * syscalls_v510.bpf.c also reads the current task without BTF (5.10).
 */
#include "lib/common.bpf.h"
#include "lib/sys_exit.bpf.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
