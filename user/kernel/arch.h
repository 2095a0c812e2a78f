/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What user space must know of the CPU architecture the BPF programs run
 * on, and only here; their side is bpf/lib/arch/. The rest of user space
 * asks the kernel (sysconf(_SC_PAGESIZE) for /proc's page counts) or uses
 * proclife.h's own numbering (PL_SYS_* for syscalls). Another architecture
 * is another block below, beside its bpf/lib/arch/ file.
 */
#ifndef PROCLIFE_ARCH_H
#define PROCLIFE_ARCH_H

#if defined(__x86_64__)
/* THREAD_SIZE: 16 KiB, doubled by KASAN (arch/x86/include/asm/page_64_types.h, KASAN_STACK_ORDER). */
#define ARCH_THREAD_SIZE 16384u
#define ARCH_THREAD_SIZE_KASAN 32768u
/* A 64-bit syscall's kernel function: __x64_sys_NAME (bpf/lib/arch/x86.h's ARCH_SYSCALL_FN). */
#define ARCH_SYSCALL_FN_PREFIX "__x64_sys_"
#else
#error "user/kernel/arch.h: proclife knows no such architecture (as bpf/lib/arch/: x86_64)"
#endif

#endif
