/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF programs know of x86_64, and only here (lib/common.bpf.h
 * includes it for __TARGET_ARCH_x86): syscall numbers, where pt_regs keeps
 * a syscall's number and arguments, where a task's user registers sit on
 * its kernel stack, THREAD_SIZE, the 32-bit syscall flag, the page size.
 * Another architecture is another file beside this one, with the same
 * names; the Makefile refuses an architecture that has none.
 *
 * Included after vmlinux.h (struct pt_regs is x86_64's) and before
 * anything that uses TASK_RD() (lib/common.bpf.h defines it).
 */
#ifndef PROCLIFE_ARCH_X86_H
#define PROCLIFE_ARCH_X86_H

/* Syscall numbers: arch/x86/entry/syscalls/syscall_64.tbl. */
#define NR_wait4 61
#define NR_execve 59
#define NR_waitid 247
#define NR_execveat 322
#define NR_kill 62
#define NR_rt_sigqueueinfo 129
#define NR_tkill 200
#define NR_tgkill 234
#define NR_rt_tgsigqueueinfo 297
#define NR_pidfd_send_signal 424
/* The credential-changing ones (feature "cred"). */
#define NR_setuid 105
#define NR_setgid 106
#define NR_setreuid 113
#define NR_setregid 114
#define NR_setgroups 116
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_setfsuid 122
#define NR_setfsgid 123
#define NR_capset 126
#define NR_prctl 157
#define NR_unshare 272
#define NR_setns 308

/*
 * A syscall's number and arguments in its pt_regs. regs BTF-typed (a
 * tracepoint argument, bpf_task_pt_regs()): direct (guarded) loads, no
 * helper call on the every-syscall path.
 */
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_ARG1(regs) ((regs)->di)
#define SYSCALL_ARG2(regs) ((regs)->si)
#define SYSCALL_ARG3(regs) ((regs)->dx)
#define SYSCALL_ARG4(regs) ((regs)->r10)
/* The same for regs found by address (arch_user_regs()): CO-RE probe reads. */
#define SYSCALL_NR_READ(regs) BPF_CORE_READ(regs, orig_ax)
#define SYSCALL_ARG1_READ(regs) BPF_CORE_READ(regs, di)
#define SYSCALL_ARG2_READ(regs) BPF_CORE_READ(regs, si)
#define SYSCALL_ARG3_READ(regs) BPF_CORE_READ(regs, dx)
#define SYSCALL_ARG4_READ(regs) BPF_CORE_READ(regs, r10)

/*
 * The kernel function of a 64-bit syscall (arch/x86/include/asm/syscall_wrapper.h):
 * __x64_sys_NAME(const struct pt_regs *regs), which fexit programs attach to.
 * 32-bit callers go through __ia32_compat_sys_NAME and are not seen.
 */
#define ARCH_SYSCALL_FN(name) "__x64_sys_" #name

/* The same syscall numbers mean other syscalls to a task in a 32-bit syscall: thread_info.status. */
#define TS_COMPAT 0x0002
#define ARCH_IN_COMPAT_SYSCALL(t) (TASK_RD(t, thread_info.status) & TS_COMPAT)

/*
 * THREAD_SIZE: 16 KiB (arch/x86/include/asm/page_64_types.h), doubled by
 * KASAN. The default of cfg_thread_size; user space sets the running
 * kernel's (user/kernel/arch.h).
 */
#define ARCH_THREAD_SIZE 16384

/* Pages are 4 KiB: the RSS counters and signal->maxrss count them. */
#define ARCH_PAGE_KB 4

/* __USER_CS: the code segment a 64-bit task's saved user registers carry. */
#define USER_CS 0x33
/* With FRED (6.9+) the saved user registers sit this far below the stack's top. */
#define FRED_STACK_GAP 16

/*
 * task_pt_regs() without bpf_task_pt_regs() (before 5.15): the user
 * registers sit at the top of the task's kernel stack, or FRED_STACK_GAP
 * bytes below it with FRED. A 64-bit task's saved cs says which. NULL when
 * neither place holds a 64-bit task's registers.
 */
static __always_inline struct pt_regs *arch_user_regs(struct task_struct *t, __u64 thread_size)
{
	unsigned long top = (unsigned long)BPF_CORE_READ(t, stack) + thread_size;
	struct pt_regs *regs = (struct pt_regs *)top - 1;

	if ((BPF_CORE_READ(regs, cs) & 0xffff) != USER_CS) {
		regs = (struct pt_regs *)(top - FRED_STACK_GAP) - 1;
		if ((BPF_CORE_READ(regs, cs) & 0xffff) != USER_CS)
			return NULL;
	}
	return regs;
}

#endif
