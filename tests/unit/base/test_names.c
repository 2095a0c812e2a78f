/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <linux/types.h>

#include "proclife.h"
#include "testlib.h"
#include "base/names.h"

TL_DEFINE_STATE;

static void test_signal_names(void)
{
	ASSERT_STREQ(names__signal(0), "0");
	ASSERT_STREQ(names__signal(1), "SIGHUP");
	ASSERT_STREQ(names__signal(2), "SIGINT");
	ASSERT_STREQ(names__signal(6), "SIGABRT");
	ASSERT_STREQ(names__signal(7), "SIGBUS");
	ASSERT_STREQ(names__signal(9), "SIGKILL");
	ASSERT_STREQ(names__signal(10), "SIGUSR1");
	ASSERT_STREQ(names__signal(11), "SIGSEGV");
	ASSERT_STREQ(names__signal(13), "SIGPIPE");
	ASSERT_STREQ(names__signal(15), "SIGTERM");
	ASSERT_STREQ(names__signal(16), "SIGSTKFLT");
	ASSERT_STREQ(names__signal(17), "SIGCHLD");
	ASSERT_STREQ(names__signal(19), "SIGSTOP");
	ASSERT_STREQ(names__signal(23), "SIGURG");
	ASSERT_STREQ(names__signal(28), "SIGWINCH");
	ASSERT_STREQ(names__signal(29), "SIGIO");
	ASSERT_STREQ(names__signal(30), "SIGPWR");
	ASSERT_STREQ(names__signal(31), "SIGSYS");
	ASSERT_STREQ(names__signal(32), "SIG32");
	ASSERT_STREQ(names__signal(33), "SIG33");
	ASSERT_STREQ(names__signal(34), "SIGRTMIN");
	ASSERT_STREQ(names__signal(35), "SIGRTMIN+1");
	ASSERT_STREQ(names__signal(37), "SIGRTMIN+3");
	ASSERT_STREQ(names__signal(49), "SIGRTMIN+15");
	ASSERT_STREQ(names__signal(50), "SIGRTMAX-14");
	ASSERT_STREQ(names__signal(63), "SIGRTMAX-1");
	ASSERT_STREQ(names__signal(64), "SIGRTMAX");
	ASSERT_STREQ(names__signal(-1), "SIG?");
	ASSERT_STREQ(names__signal(65), "SIG?");
	ASSERT_STREQ(names__signal(INT32_MIN), "SIG?");
	ASSERT_STREQ(names__signal(INT32_MAX), "SIG?");

	/* The realtime names agree with the numbers they claim. */
	for (int i = 35; i <= 49; i++) {
		char want[16];

		snprintf(want, sizeof(want), "SIGRTMIN+%d", i - 34);
		ASSERT_STREQ(names__signal(i), want);
	}
	for (int i = 50; i <= 63; i++) {
		char want[16];

		snprintf(want, sizeof(want), "SIGRTMAX-%d", 64 - i);
		ASSERT_STREQ(names__signal(i), want);
	}

	/* And the classic ones agree with this libc (same kernel numbering). */
	ASSERT_EQ(SIGBUS, 7);
	ASSERT_EQ(SIGUSR1, 10);
	ASSERT_EQ(SIGSTKFLT, 16);
	ASSERT_EQ(SIGSYS, 31);
	ASSERT_EQ(SIGRTMAX, 64);
}

static void test_signal_parse(void)
{
	ASSERT_EQ(names__signal_parse("TERM"), 15);
	ASSERT_EQ(names__signal_parse("SIGTERM"), 15);
	ASSERT_EQ(names__signal_parse("sigterm"), 15);
	ASSERT_EQ(names__signal_parse("SigTerm"), 15);
	ASSERT_EQ(names__signal_parse("15"), 15);
	ASSERT_EQ(names__signal_parse("0"), 0);
	ASSERT_EQ(names__signal_parse("64"), 64);
	ASSERT_EQ(names__signal_parse("KILL"), 9);
	ASSERT_EQ(names__signal_parse("segv"), 11);
	ASSERT_EQ(names__signal_parse("SIGCHLD"), 17);
	ASSERT_EQ(names__signal_parse("sys"), 31);
	ASSERT_EQ(names__signal_parse("RTMIN"), 34);
	ASSERT_EQ(names__signal_parse("RTMIN+3"), 37);
	ASSERT_EQ(names__signal_parse("sigrtmin+3"), 37);
	ASSERT_EQ(names__signal_parse("RTMIN+30"), 64);
	ASSERT_EQ(names__signal_parse("SIGRTMAX"), 64);
	ASSERT_EQ(names__signal_parse("RTMAX-2"), 62);
	ASSERT_EQ(names__signal_parse("RTMAX-15"), 49);
	ASSERT_EQ(names__signal_parse("RTMAX-30"), 34);
	ASSERT_EQ(names__signal_parse("SIG32"), 32);
	ASSERT_EQ(names__signal_parse("IOT"), 6);
	ASSERT_EQ(names__signal_parse("SIGCLD"), 17);
	ASSERT_EQ(names__signal_parse("poll"), 29);

	ASSERT_EQ(names__signal_parse(NULL), -EINVAL);
	ASSERT_EQ(names__signal_parse(""), -EINVAL);
	ASSERT_EQ(names__signal_parse("SIG"), -EINVAL);
	ASSERT_EQ(names__signal_parse("sig"), -EINVAL);
	ASSERT_EQ(names__signal_parse("99"), -EINVAL);
	ASSERT_EQ(names__signal_parse("65"), -EINVAL);
	ASSERT_EQ(names__signal_parse("-1"), -EINVAL);
	ASSERT_EQ(names__signal_parse("+1"), -EINVAL);
	ASSERT_EQ(names__signal_parse("1x"), -EINVAL);
	ASSERT_EQ(names__signal_parse(" 15"), -EINVAL);
	ASSERT_EQ(names__signal_parse("99999999999999999999"), -EINVAL);
	ASSERT_EQ(names__signal_parse("TERMX"), -EINVAL);
	ASSERT_EQ(names__signal_parse("TER"), -EINVAL);
	ASSERT_EQ(names__signal_parse("SIGSIGTERM"), -EINVAL);
	ASSERT_EQ(names__signal_parse("RTMIN+31"), -EINVAL);
	ASSERT_EQ(names__signal_parse("RTMIN-1"), -EINVAL);
	ASSERT_EQ(names__signal_parse("RTMIN+"), -EINVAL);
	ASSERT_EQ(names__signal_parse("RTMAX-31"), -EINVAL);
	ASSERT_EQ(names__signal_parse("RTMAX+1"), -EINVAL);
	ASSERT_EQ(names__signal_parse("RTMINX"), -EINVAL);
	ASSERT_EQ(names__signal_parse("SIG?"), -EINVAL);

	/* Every name we print parses back to its number. */
	for (int i = 0; i <= 64; i++)
		if (!ASSERT_EQ(names__signal_parse(names__signal(i)), i))
			printf("    for %s\n", names__signal(i));
}

static void test_errno(void)
{
	ASSERT_STREQ(names__errno(ENOENT), "ENOENT");
	ASSERT_STREQ(names__errno(EACCES), "EACCES");
	ASSERT_STREQ(names__errno(ENOEXEC), "ENOEXEC");
	ASSERT_STREQ(names__errno(E2BIG), "E2BIG");
	ASSERT_STREQ(names__errno(ENOMEM), "ENOMEM");
	ASSERT_STREQ(names__errno(EPERM), "EPERM");
	ASSERT_STREQ(names__errno(1), "EPERM");
	ASSERT_STREQ(names__errno(2), "ENOENT");
	ASSERT_STREQ(names__errno(ESRCH), "ESRCH");
	ASSERT_STREQ(names__errno(EFAULT), "EFAULT");
	ASSERT_STREQ(names__errno(ENOTDIR), "ENOTDIR");
	ASSERT_STREQ(names__errno(ELOOP), "ELOOP");
	ASSERT_STREQ(names__errno(ENAMETOOLONG), "ENAMETOOLONG");
	ASSERT_STREQ(names__errno(ETXTBSY), "ETXTBSY");
	ASSERT_STREQ(names__errno(EISDIR), "EISDIR");
	ASSERT_STREQ(names__errno(EINVAL), "EINVAL");
	ASSERT_STREQ(names__errno(EAGAIN), "EAGAIN");
	ASSERT_STREQ(names__errno(EINTR), "EINTR");
	ASSERT_STREQ(names__errno(ECHILD), "ECHILD");
	ASSERT_STREQ(names__errno(EMFILE), "EMFILE");
	ASSERT_STREQ(names__errno(ENFILE), "ENFILE");
	ASSERT_STREQ(names__errno(ELIBBAD), "ELIBBAD");
	ASSERT_STREQ(names__errno(EIO), "EIO");
	ASSERT_STREQ(names__errno(ENXIO), "ENXIO");
	ASSERT_STREQ(names__errno(EBADF), "EBADF");
	ASSERT_STREQ(names__errno(EEXIST), "EEXIST");
	ASSERT_STREQ(names__errno(ENODEV), "ENODEV");
	ASSERT_STREQ(names__errno(EPIPE), "EPIPE");
	ASSERT_STREQ(names__errno(ENOSPC), "ENOSPC");
	ASSERT_STREQ(names__errno(EDEADLK), "EDEADLK");
	ASSERT_STREQ(names__errno(EOPNOTSUPP), "EOPNOTSUPP");
	ASSERT_STREQ(names__errno(ECANCELED), "ECANCELED");
	ASSERT_STREQ(names__errno(133), "EHWPOISON");
	ASSERT_TRUE(names__errno(0) == NULL);
	ASSERT_TRUE(names__errno(-2) == NULL);
	ASSERT_TRUE(names__errno(41) == NULL); /* unused on Linux */
	ASSERT_TRUE(names__errno(58) == NULL);
	ASSERT_TRUE(names__errno(134) == NULL);
	ASSERT_TRUE(names__errno(512) == NULL);
	ASSERT_TRUE(names__errno(INT32_MAX) == NULL);

	/* Every number 1..133 but the two holes has a name that starts with E. */
	for (int e = 1; e <= 133; e++) {
		const char *n = names__errno(e);

		if (e == 41 || e == 58)
			continue;
		if (!ASSERT_TRUE(n && n[0] == 'E'))
			printf("    for %d\n", e);
	}
}

static void test_si_code(void)
{
	ASSERT_STREQ(names__si_code(0), "kill");
	ASSERT_STREQ(names__si_code(SI_USER), "kill");
	ASSERT_STREQ(names__si_code(-6), "tkill");
	ASSERT_STREQ(names__si_code(SI_TKILL), "tkill");
	ASSERT_STREQ(names__si_code(-1), "sigqueue");
	ASSERT_STREQ(names__si_code(SI_QUEUE), "sigqueue");
	ASSERT_STREQ(names__si_code(-2), "timer");
	ASSERT_STREQ(names__si_code(-3), "mesgq");
	ASSERT_STREQ(names__si_code(-4), "asyncio");
	ASSERT_STREQ(names__si_code(-5), "sigio");
	ASSERT_STREQ(names__si_code(-7), "dethread");
	ASSERT_STREQ(names__si_code(-60), "asyncnl");
	ASSERT_STREQ(names__si_code(0x80), "kernel");
	ASSERT_STREQ(names__si_code(SI_KERNEL), "kernel");
	ASSERT_STREQ(names__si_code(1), "kernel"); /* SEGV_MAPERR, CLD_EXITED, ... */
	ASSERT_STREQ(names__si_code(6), "kernel");
	ASSERT_STREQ(names__si_code(INT32_MAX), "kernel");
	ASSERT_STREQ(names__si_code(-8), "other");
	ASSERT_STREQ(names__si_code(-59), "other");
	ASSERT_STREQ(names__si_code(-61), "other");
	ASSERT_STREQ(names__si_code(INT32_MIN), "other");
}

static void test_default_action(void)
{
	static const int core[] = { 3, 4, 5, 6, 7, 8, 11, 24, 25, 31 };
	static const int stop[] = { 19, 20, 21, 22 };
	static const int ign[] = { 17, 23, 28 };
	static const int term[] = { 1, 2, 9, 10, 12, 13, 14, 15, 16, 26, 27, 29, 30, 34, 40, 64 };

	for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		ASSERT_STREQ(names__sig_default_action(core[i]), "core");
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		ASSERT_STREQ(names__sig_default_action(stop[i]), "stop");
	for (size_t i = 0; i < sizeof(ign) / sizeof(ign[0]); i++)
		ASSERT_STREQ(names__sig_default_action(ign[i]), "ignore");
	for (size_t i = 0; i < sizeof(term) / sizeof(term[0]); i++)
		ASSERT_STREQ(names__sig_default_action(term[i]), "terminate");
	ASSERT_STREQ(names__sig_default_action(18), "continue");
	ASSERT_STREQ(names__sig_default_action(SIGSEGV), "core");
	ASSERT_STREQ(names__sig_default_action(SIGKILL), "terminate");
	ASSERT_STREQ(names__sig_default_action(SIGTSTP), "stop");
	ASSERT_STREQ(names__sig_default_action(SIGWINCH), "ignore");
	/* Every signal 1..64 gets one of the five. */
	for (int s = 1; s <= 64; s++)
		ASSERT_TRUE(names__sig_default_action(s) != NULL);
}

static void test_small_tables(void)
{
	ASSERT_STREQ(names__sig_result(PL_SIG_DELIVERED), "delivered");
	ASSERT_STREQ(names__sig_result(0), "delivered");
	ASSERT_STREQ(names__sig_result(1), "ignored");
	ASSERT_STREQ(names__sig_result(2), "already_pending");
	ASSERT_STREQ(names__sig_result(3), "overflow_fail");
	ASSERT_STREQ(names__sig_result(4), "lose_info");
	ASSERT_STREQ(names__sig_result(5), "failed");
	ASSERT_STREQ(names__sig_result(6), "probe");
	ASSERT_STREQ(names__sig_result(7), "unknown");
	ASSERT_STREQ(names__sig_result(~0u), "unknown");

	ASSERT_STREQ(names__sig_action(PL_ACT_DEFAULT), "default");
	ASSERT_STREQ(names__sig_action(PL_ACT_IGNORED), "ignored");
	ASSERT_STREQ(names__sig_action(PL_ACT_HANDLER), "handler");
	ASSERT_STREQ(names__sig_action(3), "unknown");
	ASSERT_STREQ(names__sig_action(~0u), "unknown");
}

static void test_events(void)
{
	ASSERT_STREQ(names__event(PL_EV_FORK), "fork");
	ASSERT_STREQ(names__event(PL_EV_EXEC), "exec");
	ASSERT_STREQ(names__event(PL_EV_EXEC_FAILED), "exec_failed");
	ASSERT_STREQ(names__event(PL_EV_EXIT), "exit");
	ASSERT_STREQ(names__event(PL_EV_REAP), "reap");
	ASSERT_STREQ(names__event(PL_EV_SIGNAL), "signal");
	ASSERT_STREQ(names__event(PL_EV_DELIVER), "deliver");
	ASSERT_STREQ(names__event(PL_EV_RENAME), "rename");
	ASSERT_STREQ(names__event(PL_EV_NONE), "unknown");
	ASSERT_STREQ(names__event(PL_EV_MAX), "unknown");
	ASSERT_STREQ(names__event(~0u), "unknown");

	for (unsigned t = PL_EV_NONE + 1; t < PL_EV_MAX; t++)
		ASSERT_EQ(names__event_parse(names__event(t)), t);
	ASSERT_EQ(names__event_parse("EXEC"), PL_EV_EXEC);
	ASSERT_EQ(names__event_parse("unknown"), -EINVAL);
	ASSERT_EQ(names__event_parse(""), -EINVAL);
	ASSERT_EQ(names__event_parse("exe"), -EINVAL);
	ASSERT_EQ(names__event_parse("exec-failed"), -EINVAL);
	ASSERT_EQ(names__event_parse(NULL), -EINVAL);
}

/* Terminals by /dev name and back; capabilities; the ways of a cred change. */
static void test_tty_caps_how(void)
{
	static const struct {
		const char *name;
		__u32 major, minor;
	} ttys[] = { { "pts/0", 136, 0 }, { "pts/3", 136, 3 }, { "pts/300", 136, 300 }, { "tty1", 4, 1 },
		     { "ttyS0", 4, 64 }, { "console", 5, 1 }, { "tty", 5, 0 }, { "hvc0", 229, 0 }, { "7:9", 7, 9 } };
	char buf[32];
	__u32 tty;

	for (size_t i = 0; i < sizeof(ttys) / sizeof(ttys[0]); i++) {
		__u32 nr = (ttys[i].minor & 0xff) | (ttys[i].major << 8) | ((ttys[i].minor & ~0xffu) << 12);

		ASSERT_STREQ(names__tty(nr, buf, sizeof(buf)), ttys[i].name);
		if (ASSERT_EQ(names__tty_parse(ttys[i].name, &tty), 0))
			ASSERT_EQ(tty, nr);
	}
	ASSERT_EQ(names__tty_parse("/dev/pts/3", &tty), 0);
	ASSERT_EQ(tty, 34819); /* /proc/PID/stat's tty_nr of pts/3 */
	ASSERT_EQ(names__tty_parse("none", &tty), 0);
	ASSERT_EQ(tty, 0);
	ASSERT_EQ(names__tty_parse("pts/", &tty), -EINVAL);
	ASSERT_EQ(names__tty_parse("tty64", &tty), -EINVAL);
	ASSERT_EQ(names__tty_parse("pts/3x", &tty), -EINVAL);
	ASSERT_EQ(names__tty_parse("", &tty), -EINVAL);
	ASSERT_STREQ(names__capability(0, buf, sizeof(buf)), "CAP_CHOWN");
	ASSERT_STREQ(names__capability(40, buf, sizeof(buf)), "CAP_CHECKPOINT_RESTORE");
	ASSERT_STREQ(names__capability(41, buf, sizeof(buf)), "CAP_41");
	ASSERT_STREQ(names__cred_how(PL_HOW_SETRESUID), "setresuid");
	ASSERT_STREQ(names__cred_how(PL_HOW_NONE), "kernel");
	ASSERT_STREQ(names__cred_how(PL_HOW_MAX), "unknown");
	ASSERT_STREQ(names__event(PL_EV_CRED), "cred");
	ASSERT_EQ(names__event_parse("cred"), PL_EV_CRED);
}

int main(void)
{
	tl_init("unit/names");
	RUN_TEST(test_signal_names);
	RUN_TEST(test_signal_parse);
	RUN_TEST(test_errno);
	RUN_TEST(test_si_code);
	RUN_TEST(test_default_action);
	RUN_TEST(test_small_tables);
	RUN_TEST(test_events);
	RUN_TEST(test_tty_caps_how);
	return tl_finish();
}
