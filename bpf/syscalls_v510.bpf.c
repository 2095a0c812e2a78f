// SPDX-License-Identifier: GPL-2.0
/* Feature "syscalls", the variant for Linux 5.10 (lib/common.bpf.h says what each PL_NO_ costs). */
#define PL_NO_TASK_BTF
#define PL_NO_PT_REGS
#define PL_NO_FROM_PID
#include "lib/common.bpf.h"
#include "lib/sys_exit.bpf.h"

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit_v510, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
