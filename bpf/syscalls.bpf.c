// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "syscalls" for Linux 6.2+, which names a refused kill's target
 * with bpf_task_from_pid(): its three ways, best first
 * (lib/syscalls.bpf.h says what each costs the other syscalls):
 *   pl_fexit_*   fexit on each syscall's function (BPF trampolines);
 *   pl_sc_exit   one program on the per-syscall exit tracepoints, which
 *                the loader attaches to each (kernel/variants.c lists them);
 *   pl_sys_exit  the all-syscalls tracepoint sys_exit, the last resort.
 * syscalls_nonames.bpf.c has the same without bpf_task_from_pid() (5.11
 * to 6.1), syscalls_v510.bpf.c without BTF for the current task (5.10).
 *
 * Every program that calls bpf_task_from_pid() is in this file: libbpf
 * before 1.5 cannot link an extern kfunc declared in two objects.
 */
#include "lib/common.bpf.h"
#include "lib/syscalls.bpf.h"

/* fexit: a consumer of counts only takes the exec and kill programs (kernel/variants.c). */
SC_FEXIT(pl_fexit_execve, execve, if (ret < 0) sc_exec_failed(cur, (const char *)a.a1, -ret))
SC_FEXIT(pl_fexit_execveat, execveat, if (ret < 0) sc_exec_failed(cur, (const char *)a.a2, -ret))
SC_FEXIT(pl_fexit_wait4, wait4, if (ret > 0) sc_reaped_by_wait(cur, ret))
SC_FEXIT(pl_fexit_waitid, waitid, sc_waitid_exit(cur, &a, ret))
SC_FEXIT(pl_fexit_kill, kill, sc_kill_exit(cur, PL_SYS_KILL, &a, ret))
SC_FEXIT(pl_fexit_tkill, tkill, sc_kill_exit(cur, PL_SYS_TKILL, &a, ret))
SC_FEXIT(pl_fexit_tgkill, tgkill, sc_kill_exit(cur, PL_SYS_TGKILL, &a, ret))
SC_FEXIT(pl_fexit_sigqueue, rt_sigqueueinfo, sc_kill_exit(cur, PL_SYS_RT_SIGQUEUEINFO, &a, ret))
SC_FEXIT(pl_fexit_tgsigqueue, rt_tgsigqueueinfo, sc_kill_exit(cur, PL_SYS_RT_TGSIGQUEUEINFO, &a, ret))
SC_FEXIT(pl_fexit_pidfd_send, pidfd_send_signal, sc_kill_exit(cur, PL_SYS_PIDFD_SEND_SIGNAL, &a, ret))

SEC("tracepoint")
int pl_sc_exit(struct sc_exit_ctx *ctx)
{
	return on_sc_exit_tp(ctx);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
