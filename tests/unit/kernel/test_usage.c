// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* An exit record's usage as wait4() and /proc/PID/io report it: the kernel's CPU split, sums, units. */
#include <errno.h>

#include "testlib.h"
#include "kernel/event.h"
#include "kernel/usage.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static void split(__u64 ut_tick, __u64 st_tick, __u64 rtime, __u64 pu, __u64 ps, __u64 want_u, __u64 want_s)
{
	__u64 u, s;

	usage__split(ut_tick, st_tick, rtime, pu, ps, &u, &s);
	ASSERT_EQ(u, want_u);
	ASSERT_EQ(s, want_s);
}

/* kernel/sched/cputime.c, cputime_adjust(), case by case. */
static void test_split(void)
{
	split(3, 1, 400, 0, 0, 300, 100);       /* the exact time, in the ratio of the ticks */
	split(0, 0, 400, 0, 0, 400, 0);         /* no ticks at all: user */
	split(5, 0, 400, 0, 0, 400, 0);         /* no system ticks: all user */
	split(0, 5, 400, 0, 0, 0, 400);         /* no user ticks: all system */
	split(1, 1, 400, 0, 300, 100, 300);     /* system never below what was reported before */
	split(1, 3, 400, 250, 0, 250, 150);     /* user neither */
	split(1, 1, 400, 300, 200, 300, 200);   /* reported already more than rtime: that again */
	/* No overflow: 10^6 s of run time and of ticks (the product needs 128 bits). */
	split(1000000000000000ull, 1000000000000000ull, 1000000000000000ull, 0, 0, 500000000000000ull,
	      500000000000000ull);
}

static void test_decode(void)
{
	struct pl_usage k = { .utime_tick = 2, .stime_tick = 2, .runtime = 2000999, .minflt = 10, .majflt = 1,
			      .nvcsw = 2, .nivcsw = 3, .inblock = 4, .oublock = 5, .maxrss_kb = 100,
			      .cutime = 1000, .cstime = 2000, .cminflt = 20, .cmajflt = 2, .cnvcsw = 4, .cnivcsw = 6,
			      .cinblock = 8, .coublock = 10, .cmaxrss_kb = 50, .rchar = 7, .read_bytes = 9,
			      .flags = PL_USAGE_IO_BYTES };
	struct usage u;

	usage__decode(&k, &u);
	/* self: the process alone, microseconds cut like the kernel's timeval. */
	ASSERT_EQ(u.cpu_ns, 2000999);
	ASSERT_EQ(u.self_utime_ns + u.self_stime_ns, 2000999);
	ASSERT_EQ(u.self.utime_us, 1000);   /* 1000499 ns */
	ASSERT_EQ(u.self.stime_us, 1000);   /* 1000500 ns */
	ASSERT_EQ(u.self.maxrss_kb, 100);
	ASSERT_EQ(u.self.minflt, 10);
	/* rusage: with the children, maxrss the larger one, the times summed before cutting. */
	ASSERT_EQ(u.rusage.utime_us, 1001);  /* 1000499 + 1000 */
	ASSERT_EQ(u.rusage.stime_us, 1002);  /* 1000500 + 2000 */
	ASSERT_EQ(u.rusage.maxrss_kb, 100);
	ASSERT_EQ(u.rusage.minflt, 30);
	ASSERT_EQ(u.rusage.majflt, 3);
	ASSERT_EQ(u.rusage.nvcsw, 6);
	ASSERT_EQ(u.rusage.nivcsw, 9);
	ASSERT_EQ(u.rusage.inblock, 12);
	ASSERT_EQ(u.rusage.oublock, 15);
	k.cmaxrss_kb = 500;
	usage__decode(&k, &u);
	ASSERT_EQ(u.rusage.maxrss_kb, 500);
	ASSERT_EQ(u.self.maxrss_kb, 100);
	/* io: what the kernel keeps, and says it keeps. */
	ASSERT_FALSE(u.io.chars);
	ASSERT_TRUE(u.io.bytes);
	ASSERT_EQ(u.io.read_bytes, 9);
}

static void test_of(void)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "sh");
	ASSERT_TRUE(usage__of(&x) == NULL); /* a recording from before usage, or a thread's exit */
	x.h.flags = PL_F_USAGE;
	ASSERT_TRUE(usage__of(&x) == &x.usage);
	x.h.type = PL_EV_FORK;
	ASSERT_TRUE(usage__of(&x) == NULL);
}

/* A record that claims usage must hold it; one without usage may end before it (a thread's, an old recording's). */
static void test_check(void)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 9, 1, "sh");
	ASSERT_EQ(event__check(&x, PL_EXIT_SIZE_NO_USAGE), 0);
	ASSERT_EQ(event__check(&x, PL_EXIT_SIZE_NO_USAGE - 1), -EBADMSG);
	x.h.flags = PL_F_USAGE;
	ASSERT_EQ(event__check(&x, PL_EXIT_SIZE_NO_USAGE), -EBADMSG);
	ASSERT_EQ(event__check(&x, sizeof(x) - 1), -EBADMSG);
	ASSERT_EQ(event__check(&x, sizeof(x)), 0);
}

int main(void)
{
	tl_init("unit/usage");
	RUN_TEST(test_split);
	RUN_TEST(test_decode);
	RUN_TEST(test_of);
	RUN_TEST(test_check);
	return tl_finish();
}
