/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
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
	[PL_EV_CRED] = "cred",
};
_Static_assert(PL_EV_CRED == PL_EV_MAX - 1, "every event type has its name above");

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

/* include/uapi/linux/capability.h, in bit order; CAP_LAST_CAP is 40 (Linux 5.9 on). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
	"CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
	"CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *names__capability(unsigned bit, char *buf, size_t size)
{
	if (bit < ELEMENTSOF(cap_names))
		return cap_names[bit];
	snprintf(buf, size, "CAP_%u", bit);
	return buf;
}

static const char *const cred_how_names[PL_HOW_MAX] = {
	[PL_HOW_NONE] = "kernel", [PL_HOW_SETUID] = "setuid", [PL_HOW_SETGID] = "setgid",
	[PL_HOW_SETREUID] = "setreuid", [PL_HOW_SETREGID] = "setregid", [PL_HOW_SETRESUID] = "setresuid",
	[PL_HOW_SETRESGID] = "setresgid", [PL_HOW_SETFSUID] = "setfsuid", [PL_HOW_SETFSGID] = "setfsgid",
	[PL_HOW_SETGROUPS] = "setgroups", [PL_HOW_CAPSET] = "capset", [PL_HOW_EXECVE] = "execve",
	[PL_HOW_EXECVEAT] = "execveat", [PL_HOW_PRCTL] = "prctl", [PL_HOW_UNSHARE] = "unshare",
	[PL_HOW_SETNS] = "setns", [PL_HOW_OTHER] = "other",
};
_Static_assert(PL_HOW_OTHER == PL_HOW_MAX - 1, "every way of a cred change has its name above");

const char *names__cred_how(unsigned how)
{
	return how < PL_HOW_MAX ? cred_how_names[how] : "unknown";
}

/* A tty_nr (new_encode_dev()) into major and minor. */
static void tty_split(__u32 tty, __u32 *major, __u32 *minor)
{
	*major = (tty >> 8) & 0xfff;
	*minor = (tty & 0xff) | ((tty >> 12) & 0xfff00);
}

static __u32 tty_join(__u32 major, __u32 minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* The /dev names of /proc/tty/drivers' usual entries: pseudo-terminals, consoles, serial ports. */
const char *names__tty(__u32 tty, char *buf, size_t size)
{
	__u32 major, minor;

	tty_split(tty, &major, &minor);
	if (major >= 136 && major <= 143)
		snprintf(buf, size, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, size, "tty%u", minor);
	else if (major == 4 && minor < 256)
		snprintf(buf, size, "ttyS%u", minor - 64);
	else if (major == 5 && minor <= 2)
		snprintf(buf, size, "%s", minor == 0 ? "tty" : minor == 1 ? "console" : "ptmx");
	else if (major == 229)
		snprintf(buf, size, "hvc%u", minor);
	else
		snprintf(buf, size, "%u:%u", major, minor);
	return buf;
}

/* "N" as a whole number (no sign, no junk), up to max. */
static int tty_number(const char *s, __u32 max, __u32 *v)
{
	unsigned long n = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (n = n * 10 + (*s - '0')) > max)
			return -EINVAL;
	}
	*v = n;
	return 0;
}

int names__tty_parse(const char *s, __u32 *tty)
{
	__u32 n, m;
	const char *colon;

	if (!s)
		return -EINVAL;
	if (!strncmp(s, "/dev/", 5))
		s += 5;
	if (!strcmp(s, "none")) {
		*tty = 0;
		return 0;
	}
	if (!strcmp(s, "tty") || !strcmp(s, "console") || !strcmp(s, "ptmx")) {
		*tty = tty_join(5, !strcmp(s, "tty") ? 0 : !strcmp(s, "console") ? 1 : 2);
		return 0;
	}
	if (!strncmp(s, "pts/", 4) && !tty_number(s + 4, 0xfffff, &n)) {
		*tty = tty_join(136 + n / 0x100000, n);
		return 0;
	}
	if (!strncmp(s, "ttyS", 4) && !tty_number(s + 4, 191, &n)) {
		*tty = tty_join(4, 64 + n);
		return 0;
	}
	if (!strncmp(s, "tty", 3) && !tty_number(s + 3, 63, &n)) {
		*tty = tty_join(4, n);
		return 0;
	}
	if (!strncmp(s, "hvc", 3) && !tty_number(s + 3, 0xfffff, &n)) {
		*tty = tty_join(229, n);
		return 0;
	}
	colon = strchr(s, ':');
	if (colon && colon - s < 8) {
		char major[8];

		memcpy(major, s, colon - s);
		major[colon - s] = 0;
		if (!tty_number(major, 0xfff, &n) && !tty_number(colon + 1, 0xfffff, &m)) {
			*tty = tty_join(n, m);
			return 0;
		}
	}
	return -EINVAL;
}
