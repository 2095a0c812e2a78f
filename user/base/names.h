/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Names for the numbers in events: signals, errnos, si_codes, event types.
 *
 * All tables are static const, so every function is thread-safe and none
 * allocates. Signal numbering is Linux's generic one (x86_64, arm64, ...).
 */
#ifndef PROCLIFE_NAMES_H
#define PROCLIFE_NAMES_H

#include <stddef.h>
#include <linux/types.h>

/*
 * "SIGHUP".."SIGSYS" for 1..31, "SIG32", "SIG33", then the realtime range
 * as bash's kill -l spells it: "SIGRTMIN" (34), "SIGRTMIN+1".."SIGRTMIN+15",
 * "SIGRTMAX-14".."SIGRTMAX-1", "SIGRTMAX" (64). 0 -> "0", anything else
 * "SIG?". Never NULL.
 */
const char *names__signal(int sig);

/*
 * Case-insensitive, "SIG" prefix optional: "TERM", "sigterm", "15",
 * "RTMIN+3", "SIGRTMAX-2", "SIG32"; also the aliases IOT, CLD and POLL.
 * Returns 0..64, or -EINVAL.
 */
int names__signal_parse(const char *s);

/* "ENOENT" for ENOENT, ...; NULL when err is not a known positive errno. */
const char *names__errno(int err);

/* enum pl_sig_result: "delivered", "ignored", "already_pending", "overflow_fail", "lose_info", else "unknown". */
const char *names__sig_result(unsigned r);

/* How a signal was sent, from its si_code: "kill", "tkill", "sigqueue", ..., "kernel", "other". */
const char *names__si_code(int code);

/* Default disposition of sig: "terminate", "core", "stop", "continue" or "ignore". */
const char *names__sig_default_action(int sig);

/* enum pl_sig_action: "default", "ignored", "handler", else "unknown". */
const char *names__sig_action(unsigned action);

/* enum pl_event_type: "fork", "exec", "exec_failed", "exit", "reap", "signal", "deliver", else "unknown". */
const char *names__event(unsigned type);

/* Inverse of names__event() (exact, lowercase); -EINVAL when unknown. */
int names__event_parse(const char *s);

/* "CAP_CHOWN" for bit 0 ...; a bit past the kernel's last known one is written to buf as "CAP_41". */
const char *names__capability(unsigned bit, char *buf, size_t size);

/* enum pl_cred_how: "setuid", ..., "execve", "prctl", "other"; "kernel" for none; else "unknown". */
const char *names__cred_how(unsigned how);

/*
 * A controlling terminal, as /proc/PID/stat's tty_nr encodes it (pl_hdr.tty),
 * by its /dev name: "pts/3", "tty1", "ttyS0", "console", "hvc0"; another
 * device as "MAJOR:MINOR". Written to buf, which it returns. 0 is no
 * terminal: the caller says so its own way.
 */
const char *names__tty(__u32 tty, char *buf, size_t size);
/* The inverse, /dev/ optional; also "MAJOR:MINOR" and "none" (0). 0, or -EINVAL. */
int names__tty_parse(const char *s, __u32 *tty);

#endif /* PROCLIFE_NAMES_H */
