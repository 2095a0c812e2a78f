/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "base/wallclock.h"

#define NSEC_PER_SEC 1000000000LL

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

void wallclock__init(struct wallclock *wc)
{
	int64_t best_gap = INT64_MAX;

	/*
	 * Read REALTIME between two BOOTTIME reads; the narrower the window,
	 * the less a preemption in between can have skewed the pair. Assume
	 * REALTIME was read in the middle.
	 */
	wc->offset_ns = 0;
	for (int i = 0; i < 3; i++) {
		struct timespec b1, r, b2;
		int64_t gap;

		clock_gettime(CLOCK_BOOTTIME, &b1);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_BOOTTIME, &b2);
		gap = ts_ns(&b2) - ts_ns(&b1);
		if (gap < best_gap) {
			best_gap = gap;
			wc->offset_ns = ts_ns(&r) - (ts_ns(&b1) + gap / 2);
		}
	}

	/* localtime_r() need not read TZ itself; make sure it was. */
	tzset();
}

/* Wall-clock seconds and nanoseconds, floored so times before 1970 work too. */
static void split(const struct wallclock *wc, uint64_t boot_ns, int64_t *sec, uint32_t *nsec)
{
	/* Unsigned addition: wraps instead of being undefined on absurd input. */
	int64_t t = (int64_t)(boot_ns + (uint64_t)wc->offset_ns);
	int64_t s = t / NSEC_PER_SEC, r = t % NSEC_PER_SEC;

	if (r < 0) {
		r += NSEC_PER_SEC;
		s--;
	}
	*sec = s;
	*nsec = (uint32_t)r;
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * civil_from_days): a handful of integer operations, no table, no libc.
 */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                           /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                     /* [0, 11], from March */

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static inline char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Zero-padded to width digits, most significant first. */
static inline char *putn(char *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Like snprintf(): copy what fits, always terminate, report the full length. */
static size_t emit(char *buf, size_t size, const char *s, size_t len)
{
	if (size > 0) {
		size_t n = len < size ? len : size - 1;

		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	return len;
}

/*
 * One cached second per thread: the formatters are called from whatever
 * thread prints, and a per-thread cache needs no locking. A single entry
 * is enough: events come in (nearly) time order, so the second changes at
 * most about once per second of events.
 */
struct sec_cache {
	bool valid;
	int64_t sec;
	char text[20];
};

static _Thread_local struct sec_cache utc_cache, local_cache;

size_t wallclock__rfc3339(const struct wallclock *wc, uint64_t boot_ns, char *buf, size_t size)
{
	char out[WALLCLOCK_RFC3339_MAX], *p;
	int64_t sec;
	uint32_t nsec;

	split(wc, boot_ns, &sec, &nsec);

	if (!utc_cache.valid || utc_cache.sec != sec) {
		int64_t days = sec / 86400, rem = sec % 86400, y;
		unsigned mo, d;

		if (rem < 0) {
			rem += 86400;
			days--;
		}
		civil_from_days(days, &y, &mo, &d);

		/* int64 ns covers 1677..2262, so the year always has 4 digits. */
		p = utc_cache.text;
		p = putn(p, (uint64_t)y, 4);
		*p++ = '-';
		p = put2(p, mo);
		*p++ = '-';
		p = put2(p, d);
		*p++ = 'T';
		p = put2(p, (unsigned)(rem / 3600));
		*p++ = ':';
		p = put2(p, (unsigned)(rem / 60 % 60));
		*p++ = ':';
		p = put2(p, (unsigned)(rem % 60));
		utc_cache.sec = sec;
		utc_cache.valid = true;
	}

	memcpy(out, utc_cache.text, 19);
	p = out + 19;
	*p++ = '.';
	p = putn(p, nsec, 9);
	*p++ = 'Z';
	return emit(buf, size, out, (size_t)(p - out));
}

size_t wallclock__hms(const struct wallclock *wc, uint64_t boot_ns, char *buf, size_t size)
{
	char out[WALLCLOCK_HMS_MAX], *p;
	int64_t sec;
	uint32_t nsec;

	split(wc, boot_ns, &sec, &nsec);

	if (!local_cache.valid || local_cache.sec != sec) {
		time_t t = (time_t)sec;
		struct tm tm;

		p = local_cache.text;
		if (localtime_r(&t, &tm)) {
			p = put2(p, (unsigned)tm.tm_hour);
			*p++ = ':';
			p = put2(p, (unsigned)tm.tm_min);
			*p++ = ':';
			/* tm_sec can be 60 on a leap second with right/ zones; put2 copes. */
			p = put2(p, (unsigned)tm.tm_sec);
		} else {
			memcpy(p, "??:??:??", 8);
		}
		local_cache.sec = sec;
		local_cache.valid = true;
	}

	memcpy(out, local_cache.text, 8);
	p = out + 8;
	*p++ = '.';
	p = putn(p, nsec / 1000000, 3);
	return emit(buf, size, out, (size_t)(p - out));
}
