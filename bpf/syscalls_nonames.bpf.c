// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "syscalls" for Linux 5.11 to 6.1: without bpf_task_from_pid(),
 * a refused kill names no target. The same three ways as syscalls.bpf.c
 * (whose fexit exec and wait programs the fexit variant shares: they name
 * nobody); per-syscall tracepoints need bpf_task_pt_regs() too (5.15).
 */
#define PL_NO_FROM_PID
#include "lib/common.bpf.h"
#include "lib/syscalls.bpf.h"

SC_FEXIT(pl_fexit_kill_nonames, kill, sc_kill_exit(cur, PL_SYS_KILL, &a, ret))
SC_FEXIT(pl_fexit_tkill_nonames, tkill, sc_kill_exit(cur, PL_SYS_TKILL, &a, ret))
SC_FEXIT(pl_fexit_tgkill_nonames, tgkill, sc_kill_exit(cur, PL_SYS_TGKILL, &a, ret))
SC_FEXIT(pl_fexit_sigqueue_nonames, rt_sigqueueinfo, sc_kill_exit(cur, PL_SYS_RT_SIGQUEUEINFO, &a, ret))
SC_FEXIT(pl_fexit_tgsigqueue_nonames, rt_tgsigqueueinfo, sc_kill_exit(cur, PL_SYS_RT_TGSIGQUEUEINFO, &a, ret))
SC_FEXIT(pl_fexit_pidfd_send_nonames, pidfd_send_signal, sc_kill_exit(cur, PL_SYS_PIDFD_SEND_SIGNAL, &a, ret))

SEC("tracepoint")
int pl_sc_exit_nonames(struct sc_exit_ctx *ctx)
{
	return on_sc_exit_tp(ctx);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit_nonames, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
