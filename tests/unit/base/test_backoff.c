// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The backoff of a remedy (resyncs): at once after a quiet spell, doubling while trouble goes on. */
#include "testlib.h"
#include "base/backoff.h"

TL_DEFINE_STATE;

#define S 1000000000ull
#define MS 1000000ull
#define T0 (5000 * S) /* a boot time: not 0 */

/* Trouble at every 100 ms look from `from` for `secs` seconds: the runs' times (s after T0), how many. */
static int storm(struct backoff *b, __u64 from, __u64 secs, double *at, int max)
{
	int n = 0;

	for (__u64 t = from; t < from + secs * S; t += 100 * MS)
		if (backoff__due(b, t, true) && n < max)
			at[n++] = (double)(t - T0) / S;
	return n;
}

/* Lost events every 100 ms for 10 minutes: resyncs at 0, 1, 3, 7 ... s, then every 64 s. */
static void test_storm_doubles(void)
{
	static const double want[] = { 0, 1, 3, 7, 15, 31, 63, 127, 191, 255, 319, 383, 447, 511, 575 };
	struct backoff b;
	double at[64];
	int n;

	backoff__init(&b, 1 * S, 64 * S);
	n = storm(&b, T0, 600, at, 64);
	ASSERT_EQ(n, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < n && i < (int)(sizeof(want) / sizeof(want[0])); i++)
		if (at[i] < want[i] - 0.01 || at[i] > want[i] + 0.01)
			ASSERT_TRUE(!"a run at the wrong time"), printf("  run %d at %.1fs, expected %.0fs\n", i, at[i], want[i]);
	ASSERT_EQ(b.runs, (__u64)n);
	ASSERT_EQ(backoff__holding_ns(&b), 64 * S);
}

/* A quiet interval brings it back: the next trouble is remedied at once. */
static void test_quiet_resets(void)
{
	struct backoff b;
	double at[64];
	__u64 t;

	backoff__init(&b, 1 * S, 64 * S);
	storm(&b, T0, 20, at, 64); /* runs at 0, 1, 3, 7, 15: the interval is 16 s now */
	ASSERT_EQ(backoff__holding_ns(&b), 16 * S);
	/* Quiet from 20 s: the trouble held back runs at 31 s; 32 s later, the interval is back to 1 s. */
	for (t = T0 + 20 * S; t < T0 + 100 * S; t += 100 * MS)
		backoff__due(&b, t, false);
	ASSERT_EQ(b.runs, 6);
	ASSERT_EQ(backoff__holding_ns(&b), 0);
	ASSERT_TRUE(backoff__due(&b, T0 + 100 * S, true));
	ASSERT_FALSE(backoff__due(&b, T0 + 100 * S + 500 * MS, true));
	ASSERT_TRUE(backoff__due(&b, T0 + 101 * S, false)); /* the held-back one, an interval on */
}

/* One loss now and then: every one is remedied at once. */
static void test_sparse_at_once(void)
{
	struct backoff b;

	backoff__init(&b, 1 * S, 64 * S);
	for (int i = 0; i < 10; i++) {
		ASSERT_TRUE(backoff__due(&b, T0 + i * 5 * S, true));
		ASSERT_FALSE(backoff__due(&b, T0 + i * 5 * S + 100 * MS, false));
	}
	ASSERT_EQ(b.runs, 10);
	ASSERT_EQ(backoff__holding_ns(&b), 0);
}

int main(void)
{
	tl_init("unit/backoff");
	RUN_TEST(test_storm_doubles);
	RUN_TEST(test_quiet_resets);
	RUN_TEST(test_sparse_at_once);
	return tl_finish();
}
