// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "cred", where the kernel has no BPF trampolines: the return of
 * each credential-changing system call, on its own tracepoint (the others
 * pay nothing): setuid ... setfsgid, setgroups, capset. The new set is the
 * task's now; the old one is the collector's to fill in. prctl(), unshare()
 * and setns() changes are not seen here (the variant is reduced).
 */
#define PL_NO_TASK_BTF /* lib/common.bpf.h: CO-RE reads, for every kernel */
#include "lib/common.bpf.h"
#include "lib/cred.bpf.h"

/* A syscalls:sys_exit_* tracepoint's record: the common fields, the syscall's number, its return. */
struct sys_exit_args {
	__u64 common;
	long nr;
	long ret;
};

/*
 * A call that returned ret. The setfs*id calls return the old id, whatever
 * they did; the others 0 on success. A call that changed nothing reaches
 * the collector, which drops it (it knows the old set).
 */
static __always_inline int cred_sys_exit(long nr, long ret)
{
	struct task_struct *cur = current_task();

	if (ret != 0 && nr != NR_setfsuid && nr != NR_setfsgid)
		return 0;
	if (!cred_wanted(cur))
		return 0;
	emit_cred(cur, nr, NULL, BPF_CORE_READ(cur, real_cred));
	return 0;
}

#define CRED_SYSCALL(name)                                            \
	SEC("tracepoint/syscalls/sys_exit_" #name)                    \
	int pl_cred_##name(struct sys_exit_args *ctx)                 \
	{                                                             \
		return cred_sys_exit(NR_##name, ctx->ret);            \
	}

CRED_SYSCALL(setuid)
CRED_SYSCALL(setgid)
CRED_SYSCALL(setreuid)
CRED_SYSCALL(setregid)
CRED_SYSCALL(setresuid)
CRED_SYSCALL(setresgid)
CRED_SYSCALL(setfsuid)
CRED_SYSCALL(setfsgid)
CRED_SYSCALL(setgroups)
CRED_SYSCALL(capset)
