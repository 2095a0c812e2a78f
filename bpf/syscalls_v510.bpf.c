// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "syscalls" for Linux 5.10 (lib/common.bpf.h says what each
 * PL_NO_ costs): per-syscall tracepoints, the registers found on the task's
 * stack; or sys_exit. No fexit variant: trampolines there, but no BTF for
 * the current task.
 */
#define PL_NO_TASK_BTF
#define PL_NO_PT_REGS
#define PL_NO_FROM_PID
#include "lib/common.bpf.h"
#include "lib/syscalls.bpf.h"

SEC("tracepoint")
int pl_sc_exit_v510(struct sc_exit_ctx *ctx)
{
	return on_sc_exit_tp(ctx);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit_v510, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
