/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "proclife.h"
#include "base/names.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Indexed by the kernel's signal number. Written out rather than built
 * from <signal.h>: the numbers come from the traced kernel, and glibc's
 * SIGRTMIN is a function call (it reserves 32 and 33 for itself, which is
 * why bash calls 34 SIGRTMIN).
 */
static const char *const signal_names[65] = {
	"0",
	"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
	"SIG32", "SIG33",
	"SIGRTMIN", "SIGRTMIN+1", "SIGRTMIN+2", "SIGRTMIN+3", "SIGRTMIN+4", "SIGRTMIN+5",
	"SIGRTMIN+6", "SIGRTMIN+7", "SIGRTMIN+8", "SIGRTMIN+9", "SIGRTMIN+10", "SIGRTMIN+11",
	"SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
	"SIGRTMAX-14", "SIGRTMAX-13", "SIGRTMAX-12", "SIGRTMAX-11", "SIGRTMAX-10", "SIGRTMAX-9",
	"SIGRTMAX-8", "SIGRTMAX-7", "SIGRTMAX-6", "SIGRTMAX-5", "SIGRTMAX-4", "SIGRTMAX-3",
	"SIGRTMAX-2", "SIGRTMAX-1", "SIGRTMAX",
};

/* Linux numbering the rest of this file (and the table above) relies on. */
enum {
	NSIG_CLASSIC = 31,
	RTMIN = 34, /* as user space sees it, after glibc's two */
	RTMAX = 64,
};

/* The table above assumes the generic Linux numbering; catch an odd target at build time. */
_Static_assert(SIGBUS == 7 && SIGUSR1 == 10 && SIGCHLD == 17 && SIGURG == 23 && SIGSYS == 31,
	       "signal numbering is not Linux's generic one");

const char *names__signal(int sig)
{
	if (sig < 0 || sig >= (int)ELEMENTSOF(signal_names))
		return "SIG?";
	return signal_names[sig];
}

/* ASCII-only case folding: strcasecmp() follows the locale (think Turkish 'I'). */
static inline char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_streq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	return *a == *b;
}

static bool ascii_prefix_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (ascii_lower(*s) != ascii_lower(*prefix))
			return false;
	return true;
}

/* All-digit decimal, at most max; -EINVAL otherwise. Stops early, so no overflow. */
static int parse_small_uint(const char *s, int max)
{
	int v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -EINVAL;
	}
	return v;
}

int names__signal_parse(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} aliases[] = {
		{ "IOT", SIGABRT },
		{ "CLD", SIGCHLD },
		{ "POLL", SIGIO },
	};
	int n;

	if (!s)
		return -EINVAL;
	if (ascii_prefix_nocase(s, "SIG"))
		s += 3;
	if (!*s)
		return -EINVAL;

	/* Also takes what names__signal() prints for 32 and 33 ("SIG32"). */
	if (*s >= '0' && *s <= '9')
		return parse_small_uint(s, RTMAX);

	for (int i = 1; i <= NSIG_CLASSIC; i++)
		if (ascii_streq_nocase(s, signal_names[i] + 3))
			return i;
	for (size_t i = 0; i < ELEMENTSOF(aliases); i++)
		if (ascii_streq_nocase(s, aliases[i].name))
			return aliases[i].sig;

	/* Any offset that stays in range, not only the spelling kill -l uses. */
	if (ascii_prefix_nocase(s, "RTMIN")) {
		s += 5;
		if (!*s)
			return RTMIN;
		if (*s != '+')
			return -EINVAL;
		n = parse_small_uint(s + 1, RTMAX - RTMIN);
		return n < 0 ? n : RTMIN + n;
	}
	if (ascii_prefix_nocase(s, "RTMAX")) {
		s += 5;
		if (!*s)
			return RTMAX;
		if (*s != '-')
			return -EINVAL;
		n = parse_small_uint(s + 1, RTMAX - RTMIN);
		return n < 0 ? n : RTMAX - n;
	}
	return -EINVAL;
}

/*
 * Built from <errno.h> so each name sits at its own number whatever the
 * architecture; the kernel we trace and the libc we are built with agree on
 * those. Aliases (EWOULDBLOCK, EDEADLOCK, ENOTSUP) are left out: they
 * share a slot with the canonical name.
 */
#define E(x) [x] = #x
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
	E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK), E(EBUSY),
	E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE),
	E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE),
	E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY),
	E(ELOOP), E(ENOMSG), E(EIDRM), E(ECHRNG), E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG),
	E(EUNATCH), E(ENOCSI), E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC),
	E(EBADSLT), E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENONET), E(ENOPKG),
	E(EREMOTE), E(ENOLINK), E(EADV), E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP),
	E(EDOTDOT), E(EBADMSG), E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC),
	E(ELIBBAD), E(ELIBSCN), E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART), E(ESTRPIPE),
	E(EUSERS), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
	E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET),
	E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN),
	E(ETOOMANYREFS), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH),
	E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM),
	E(EREMOTEIO), E(EDQUOT), E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED),
	/* The newer ones, in case an old libc lacks them. */
#ifdef ENOKEY
	E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED),
#endif
#ifdef EOWNERDEAD
	E(EOWNERDEAD), E(ENOTRECOVERABLE),
#endif
#ifdef ERFKILL
	E(ERFKILL),
#endif
#ifdef EHWPOISON
	E(EHWPOISON),
#endif
};
#undef E

const char *names__errno(int err)
{
	if (err <= 0 || (size_t)err >= ELEMENTSOF(errno_names))
		return NULL;
	return errno_names[err]; /* NULL for the holes (41, 58 on Linux) */
}

const char *names__sig_result(unsigned r)
{
	static const char *const t[] = {
		[PL_SIG_DELIVERED] = "delivered",
		[PL_SIG_IGNORED] = "ignored",
		[PL_SIG_ALREADY_PENDING] = "already_pending",
		[PL_SIG_OVERFLOW_FAIL] = "overflow_fail",
		[PL_SIG_LOSE_INFO] = "lose_info",
		[PL_SIG_FAILED] = "failed",
		[PL_SIG_PROBE] = "probe",
	};

	return r < ELEMENTSOF(t) ? t[r] : "unknown";
}

const char *names__si_code(int code)
{
	/*
	 * The kernel's values (include/uapi/asm-generic/siginfo.h), spelled out:
	 * glibc's <signal.h> has them as enum constants, but not SI_DETHREAD
	 * everywhere, and what matters is what the traced kernel put there.
	 */
	switch (code) {
	case 0:   return "kill";     /* SI_USER: kill(), sigsend(), raise() */
	case -1:  return "sigqueue"; /* SI_QUEUE */
	case -2:  return "timer";    /* SI_TIMER: POSIX timer expiry */
	case -3:  return "mesgq";    /* SI_MESGQ: mq_notify() */
	case -4:  return "asyncio";  /* SI_ASYNCIO: AIO completion */
	case -5:  return "sigio";    /* SI_SIGIO: queued SIGIO */
	case -6:  return "tkill";    /* SI_TKILL: tkill(), tgkill() */
	case -7:  return "dethread"; /* SI_DETHREAD: sent by execve() killing other threads */
	case -60: return "asyncnl";  /* SI_ASYNCNL: getaddrinfo_a() completion */
	}
	/* SI_KERNEL (0x80) and the per-signal codes (SEGV_MAPERR, CLD_EXITED, ...) are all > 0. */
	return code > 0 ? "kernel" : "other";
}

const char *names__sig_default_action(int sig)
{
	/* signal(7), "Standard signals". */
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return "core";
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return "stop";
	case SIGCONT:
		return "continue";
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return "ignore";
	default:
		/* Everything else, the realtime signals included, terminates. */
		return "terminate";
	}
}

const char *names__sig_action(unsigned action)
{
	static const char *const t[] = {
		[PL_ACT_DEFAULT] = "default",
		[PL_ACT_IGNORED] = "ignored",
		[PL_ACT_HANDLER] = "handler",
	};

	return action < ELEMENTSOF(t) ? t[action] : "unknown";
}

static const char *const event_names[PL_EV_MAX] = {
	[PL_EV_FORK] = "fork",
	[PL_EV_EXEC] = "exec",
	[PL_EV_EXEC_FAILED] = "exec_failed",
	[PL_EV_EXIT] = "exit",
	[PL_EV_REAP] = "reap",
	[PL_EV_SIGNAL] = "signal",
	[PL_EV_DELIVER] = "deliver",
	[PL_EV_RENAME] = "rename",
};

const char *names__event(unsigned type)
{
	if (type >= PL_EV_MAX || !event_names[type])
		return "unknown"; /* PL_EV_NONE included */
	return event_names[type];
}

int names__event_parse(const char *s)
{
	if (!s)
		return -EINVAL;
	for (unsigned i = 0; i < PL_EV_MAX; i++)
		if (event_names[i] && ascii_streq_nocase(s, event_names[i]))
			return (int)i;
	return -EINVAL;
}
