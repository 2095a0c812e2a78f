// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <linux/types.h>
#include <signal.h>
#include <stddef.h>

#include <stdio.h>

#include "proclife.h"
#include "base/names.h"
#include "kernel/sigorigin.h"

const char *sig__syscall_name(unsigned syscall)
{
	static const char *const names[PL_SYS_MAX] = {
		[PL_SYS_KILL] = "kill",
		[PL_SYS_TKILL] = "tkill",
		[PL_SYS_TGKILL] = "tgkill",
		[PL_SYS_RT_SIGQUEUEINFO] = "rt_sigqueueinfo",
		[PL_SYS_RT_TGSIGQUEUEINFO] = "rt_tgsigqueueinfo",
		[PL_SYS_PIDFD_SEND_SIGNAL] = "pidfd_send_signal",
	};

	return syscall < PL_SYS_MAX ? names[syscall] : NULL;
}

/* With a real siginfo: the kernel's si_code says a lot. */
static const char *by_code(int sig, int code)
{
	switch (code) {
	case SI_TIMER:
		return "timer";
	case SI_MESGQ:
		return "mqueue";
	case SI_ASYNCIO:
		return "aio";
	case SI_SIGIO:
		return "io";
	}
	if (code <= 0 || code == SI_KERNEL)
		return NULL;
	switch (sig) {
	case SIGCHLD:
		return "child";
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		return "fault";
	case SIGSYS:
		return "seccomp";
	case SIGIO:
	case SIGURG:
		return "io";
	}
	return "kernel";
}

/* Without siginfo (or SI_KERNEL): the signal itself tells which kernel path sent it. */
static const char *by_signal(int sig)
{
	switch (sig) {
	case SIGPIPE:
		return "pipe";
	case SIGXFSZ:
		return "file_size_limit";
	case SIGXCPU:
		return "cpu_limit";
	case SIGINT:
	case SIGQUIT:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return "tty";
	case SIGWINCH:
		return "tty_resize";
	case SIGHUP:
		return "tty_hangup";
	case SIGALRM:
	case SIGVTALRM:
	case SIGPROF:
		return "timer";
	case SIGCHLD:
		return "child";
	}
	return "kernel";
}

const char *sig__origin(int sig, int info_code, unsigned info_kind, unsigned syscall, bool oom)
{
	const char *r;

	if (syscall != PL_SYS_NONE)
		return NULL;
	if (oom)
		return "oom";
	if (info_kind == PL_INFO_SIGINFO) {
		r = by_code(sig, info_code);
		if (r)
			return r;
		/* A user si_code without a kill-family syscall we know (a 32-bit process, say). */
		if (info_code == SI_USER || info_code == SI_QUEUE || info_code == SI_TKILL)
			return NULL;
	}
	return by_signal(sig);
}

const char *sig__outcome(int sig, unsigned result, unsigned disposition, bool blocked, int err, char *buf,
			 size_t size)
{
	const char *name;

	switch (result) {
	case PL_SIG_DELIVERED:
		if (blocked)
			return "pending (blocked)";
		if (disposition == PL_ACT_HANDLER)
			return "handler";
		snprintf(buf, size, "default: %s", names__sig_default_action(sig));
		return buf;
	case PL_SIG_FAILED:
		name = names__errno(err);
		if (name)
			snprintf(buf, size, "failed: %s", name);
		else
			snprintf(buf, size, "failed: errno %d", err);
		return buf;
	case PL_SIG_PROBE:
		return "exists";
	case PL_SIG_IGNORED:
		/* The kernel resumes a stopped process when SIGCONT is sent, then drops it if unhandled. */
		if (sig == SIGCONT && disposition == PL_ACT_DEFAULT)
			return "continues it (default)";
		break;
	}
	return names__sig_result(result);
}
