/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Where a signal came from. A process sends one with a kill-family syscall;
 * the kernel sends the rest, for a reason its siginfo and the signal tell:
 * a fault, a closed pipe, a child's exit, the terminal, a timer, a limit,
 * the OOM killer.
 */
#ifndef PROCLIFE_SIGORIGIN_H
#define PROCLIFE_SIGORIGIN_H

#include <stdbool.h>
#include <stddef.h>


/* "kill", "tkill", ... for enum pl_syscall; NULL for PL_SYS_NONE. */
const char *sig__syscall_name(unsigned syscall);

/*
 * NULL when a process sent it (syscall != PL_SYS_NONE, or a user si_code),
 * else the kernel's reason: "fault", "pipe", "child", "tty", "tty_hangup",
 * "tty_resize", "timer", "cpu_limit", "file_size_limit", "seccomp", "io",
 * "mqueue", "aio", "oom" or "kernel".
 */
const char *sig__origin(int sig, int info_code, unsigned info_kind, unsigned syscall, bool oom);

/*
 * What became of a signal, in words: "handler", "default: terminate",
 * "pending (blocked)", "ignored", "continues it (default)", "failed: EPERM",
 * "exists" (a signal-0 probe), ... buf holds it when it is built.
 */
const char *sig__outcome(int sig, unsigned result, unsigned disposition, bool blocked, int err, char *buf,
			 size_t size);

#endif
