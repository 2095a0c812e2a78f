/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <stdint.h>
#include <time.h>

#include "testlib.h"
#include "base/wallclock.h"

TL_DEFINE_STATE;

#define NS 1000000000LL

/* An arbitrary boot-clock reading, not a multiple of anything. */
#define BOOT0 123456789012345ULL

/* A wallclock under which BOOT0 is exactly epoch_sec + nsec. */
static struct wallclock at(int64_t epoch_sec, int64_t nsec)
{
	return (struct wallclock){ .offset_ns = epoch_sec * NS + nsec - (int64_t)BOOT0 };
}

static const char *rfc(const struct wallclock *wc, uint64_t boot_ns)
{
	static char buf[WALLCLOCK_RFC3339_MAX];
	size_t n = wallclock__rfc3339(wc, boot_ns, buf, sizeof(buf));

	ASSERT_EQ(n, strlen(buf));
	return buf;
}

static const char *hms(const struct wallclock *wc, uint64_t boot_ns)
{
	static char buf[WALLCLOCK_HMS_MAX];
	size_t n = wallclock__hms(wc, boot_ns, buf, sizeof(buf));

	ASSERT_EQ(n, strlen(buf));
	return buf;
}

static void test_known_instant(void)
{
	/* date -u -d 2026-01-02T03:04:05Z +%s */
	struct wallclock wc = at(1767323045, 7);

	ASSERT_STREQ(rfc(&wc, BOOT0), "2026-01-02T03:04:05.000000007Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 + 123456780), "2026-01-02T03:04:05.123456787Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 - 7), "2026-01-02T03:04:05.000000000Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 - 8), "2026-01-02T03:04:04.999999999Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 + 86400 * NS), "2026-01-03T03:04:05.000000007Z");

	wc = at(1795356723, 123456789); /* the example in the header */
	ASSERT_STREQ(rfc(&wc, BOOT0), "2026-11-22T14:12:03.123456789Z");

	wc = at(0, 0);
	ASSERT_STREQ(rfc(&wc, BOOT0), "1970-01-01T00:00:00.000000000Z");
	/* Before the epoch: floored, not truncated towards zero. */
	ASSERT_STREQ(rfc(&wc, BOOT0 - 1), "1969-12-31T23:59:59.999999999Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 - NS / 2), "1969-12-31T23:59:59.500000000Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 - NS), "1969-12-31T23:59:59.000000000Z");
}

static void test_calendar_edges(void)
{
	/* 2024-02-29T23:59:59Z: a leap day, and the step into March. */
	struct wallclock wc = at(1709251199, 999999999);

	ASSERT_STREQ(rfc(&wc, BOOT0), "2024-02-29T23:59:59.999999999Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 + 1), "2024-03-01T00:00:00.000000000Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 - 86400 * NS), "2024-02-28T23:59:59.999999999Z");

	/* 2000 is a leap year (divisible by 400). */
	wc = at(951825600, 0);
	ASSERT_STREQ(rfc(&wc, BOOT0), "2000-02-29T12:00:00.000000000Z");

	/* 2100 is not: Feb 28 is followed by Mar 1. */
	wc = at(4107542399, 0);
	ASSERT_STREQ(rfc(&wc, BOOT0), "2100-02-28T23:59:59.000000000Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 + NS), "2100-03-01T00:00:00.000000000Z");

	/* Year ends. */
	wc = at(1767225599, 0); /* 2025-12-31T23:59:59Z */
	ASSERT_STREQ(rfc(&wc, BOOT0), "2025-12-31T23:59:59.000000000Z");
	ASSERT_STREQ(rfc(&wc, BOOT0 + NS), "2026-01-01T00:00:00.000000000Z");
}

/* The per-second cache must never hand out a stale date. */
static void test_second_cache(void)
{
	struct wallclock wc = at(1767323045, 0);
	const uint64_t a = BOOT0 + 100000000, b = BOOT0 + 900000000, c = BOOT0 + NS;
	const char *ea = "2026-01-02T03:04:05.100000000Z";
	const char *eb = "2026-01-02T03:04:05.900000000Z";
	const char *ec = "2026-01-02T03:04:06.000000000Z";
	const uint64_t order[][3] = {
		{ a, b, c }, { c, b, a }, { a, c, b }, { b, c, a }, { c, a, b }, { b, a, c },
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		for (int k = 0; k < 3; k++) {
			uint64_t t = order[i][k];

			ASSERT_STREQ(rfc(&wc, t), t == a ? ea : t == b ? eb : ec);
		}
	}

	/* Two wallclocks with different offsets, interleaved: the cache is keyed by wall time. */
	struct wallclock wc2 = at(1767323045 + 3600, 0);

	ASSERT_STREQ(rfc(&wc, a), ea);
	ASSERT_STREQ(rfc(&wc2, a), "2026-01-02T04:04:05.100000000Z");
	ASSERT_STREQ(rfc(&wc, a), ea);
}

/* Against gmtime_r()/strftime() on seconds spread over 1900..2200. */
static void test_against_gmtime(void)
{
	uint64_t x = 88172645463325252ULL;
	struct wallclock wc = at(0, 0);

	for (int i = 0; i < 20000; i++) {
		char want[64];
		struct tm tm;
		time_t t;
		int64_t sec;
		uint32_t ns;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		sec = (int64_t)(x % (300ULL * 366 * 86400)) - 70LL * 365 * 86400;
		ns = (uint32_t)(x >> 40) % 1000000000u;
		/* Neighbouring seconds too, to hit day/month/year boundaries on the way. */
		if (i % 4 == 1)
			sec = sec - sec % 86400 - 1;
		t = (time_t)sec;
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), ".%09uZ", ns);
		if (!ASSERT_STREQ(rfc(&wc, BOOT0 + (uint64_t)(sec * NS) + ns), want))
			break;
	}
}

static void test_hms(void)
{
	struct wallclock wc = at(1767323045, 7); /* 03:04:05 UTC */

	setenv("TZ", "UTC0", 1);
	tzset();
	ASSERT_STREQ(hms(&wc, BOOT0), "03:04:05.000");
	ASSERT_STREQ(hms(&wc, BOOT0 + 999999992), "03:04:05.999"); /* truncated, not rounded */
	ASSERT_STREQ(hms(&wc, BOOT0 + 999999993), "03:04:06.000");
	ASSERT_STREQ(hms(&wc, BOOT0 + 123456789), "03:04:05.123");
	ASSERT_STREQ(hms(&wc, BOOT0 + 86399 * NS), "03:04:04.000");

	/*
	 * A POSIX TZ string needs no tz database: 5h30 east of UTC. A TZ
	 * change only shows from the next uncached second on, so use others.
	 */
	setenv("TZ", "XST-5:30", 1);
	tzset();
	ASSERT_STREQ(hms(&wc, BOOT0 + 10 * NS), "08:34:15.000");
	ASSERT_STREQ(hms(&wc, BOOT0 + (15 * 3600 + 1800) * NS), "00:04:05.000"); /* next local day */
	setenv("TZ", "UTC0", 1);
	tzset();
}

static void test_truncation(void)
{
	struct wallclock wc = at(1767323045, 7);
	char buf[10];

	memset(buf, 'X', sizeof(buf));
	ASSERT_EQ(wallclock__rfc3339(&wc, BOOT0, buf, sizeof(buf)), 30);
	ASSERT_STREQ(buf, "2026-01-0");
	ASSERT_EQ(wallclock__rfc3339(&wc, BOOT0, buf, 1), 30);
	ASSERT_STREQ(buf, "");
	ASSERT_EQ(wallclock__rfc3339(&wc, BOOT0, NULL, 0), 30);
	ASSERT_EQ(wallclock__hms(&wc, BOOT0, buf, 5), 12);
	ASSERT_STREQ(buf, "03:0");
}

static void test_init(void)
{
	struct wallclock wc;
	struct timespec r, b;
	int64_t direct;
	char buf[WALLCLOCK_RFC3339_MAX], want[32];
	time_t now;
	struct tm tm;

	wallclock__init(&wc);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b);
	direct = (r.tv_sec - b.tv_sec) * NS + (r.tv_nsec - b.tv_nsec);
	/* Same offset within 50 ms (only scheduling noise separates the two). */
	ASSERT_TRUE(llabs(wc.offset_ns - direct) < 50 * 1000000LL);

	/* Now, printed, has today's date (retry once across a midnight). */
	for (int i = 0; i < 2; i++) {
		clock_gettime(CLOCK_BOOTTIME, &b);
		wallclock__rfc3339(&wc, (uint64_t)b.tv_sec * NS + (uint64_t)b.tv_nsec, buf, sizeof(buf));
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT", &tm);
		if (strncmp(buf, want, strlen(want)) == 0)
			break;
	}
	ASSERT_TRUE(strncmp(buf, want, strlen(want)) == 0);
}

int main(void)
{
	tl_init("unit/wallclock");
	RUN_TEST(test_known_instant);
	RUN_TEST(test_calendar_edges);
	RUN_TEST(test_second_cache);
	RUN_TEST(test_against_gmtime);
	RUN_TEST(test_hms);
	RUN_TEST(test_truncation);
	RUN_TEST(test_init);
	return tl_finish();
}
