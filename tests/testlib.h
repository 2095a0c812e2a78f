/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A minimal test harness in the spirit of the kernel's test_progs: named
 * subtests, ASSERT_* macros that print what differed and let the subtest go
 * on, one result line per subtest:
 *
 *   PASS suite/name
 *   FAIL suite/name
 *   SKIP suite/name: why
 *
 * tests/run.sh counts those lines across every suite and prints the
 * closing "N passed, N failed[, N skipped]" line.
 */
#ifndef PROCLIFE_TESTLIB_H
#define PROCLIFE_TESTLIB_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tl_state {
	const char *suite;
	const char *name;   /* current subtest */
	const char *filter; /* TEST_FILTER: run only subtests containing it */
	bool failed;
	bool skipped;
	char skip_why[256];
	int n_pass, n_fail, n_skip;
};

extern struct tl_state tl;

#define TL_DEFINE_STATE struct tl_state tl

static inline void tl_init(const char *suite)
{
	tl.suite = suite;
	tl.filter = getenv("TEST_FILTER");
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline bool tl_begin(const char *name)
{
	if (tl.filter && *tl.filter && !strstr(name, tl.filter))
		return false;
	tl.name = name;
	tl.failed = false;
	tl.skipped = false;
	tl.skip_why[0] = '\0';
	return true;
}

static inline void tl_end(void)
{
	if (tl.skipped) {
		tl.n_skip++;
		printf("SKIP %s/%s: %s\n", tl.suite, tl.name, tl.skip_why);
	} else if (tl.failed) {
		tl.n_fail++;
		printf("FAIL %s/%s\n", tl.suite, tl.name);
	} else {
		tl.n_pass++;
		printf("PASS %s/%s\n", tl.suite, tl.name);
	}
	fflush(stdout);
}

/* Run one subtest function: void fn(void). */
#define RUN_TEST(fn)                 \
	do {                         \
		if (tl_begin(#fn)) { \
			fn();        \
			tl_end();    \
		}                    \
	} while (0)

static inline int tl_finish(void)
{
	printf("# %s: %d passed, %d failed, %d skipped\n", tl.suite, tl.n_pass, tl.n_fail, tl.n_skip);
	return tl.n_fail ? 1 : 0;
}

static inline void tl_fail_msg(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tl.failed = true;
	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define TEST_SKIP(...)                                                       \
	do {                                                                 \
		tl.skipped = true;                                           \
		snprintf(tl.skip_why, sizeof(tl.skip_why), __VA_ARGS__);     \
	} while (0)

#define FAILF(...) tl_fail_msg(__FILE__, __LINE__, __VA_ARGS__)

/* Each ASSERT evaluates to true when it held, so callers can bail out. */
#define ASSERT_TRUE(c) \
	((c) ? true : (tl_fail_msg(__FILE__, __LINE__, "ASSERT_TRUE(%s) failed", #c), false))

#define ASSERT_FALSE(c) \
	(!(c) ? true : (tl_fail_msg(__FILE__, __LINE__, "ASSERT_FALSE(%s) failed", #c), false))

#define ASSERT_EQ(a, b)                                                                   \
	({                                                                                \
		long long _a = (long long)(a), _b = (long long)(b);                       \
		bool _ok = _a == _b;                                                      \
		if (!_ok)                                                                 \
			tl_fail_msg(__FILE__, __LINE__, "%s == %s: got %lld, expected %lld", \
				    #a, #b, _a, _b);                                      \
		_ok;                                                                      \
	})

#define ASSERT_NEQ(a, b)                                                                  \
	({                                                                                \
		long long _a = (long long)(a), _b = (long long)(b);                       \
		bool _ok = _a != _b;                                                      \
		if (!_ok)                                                                 \
			tl_fail_msg(__FILE__, __LINE__, "%s != %s: both are %lld", #a, #b, _a); \
		_ok;                                                                      \
	})

#define ASSERT_GE(a, b)                                                                   \
	({                                                                                \
		long long _a = (long long)(a), _b = (long long)(b);                       \
		bool _ok = _a >= _b;                                                      \
		if (!_ok)                                                                 \
			tl_fail_msg(__FILE__, __LINE__, "%s >= %s: got %lld < %lld", #a, #b, _a, _b); \
		_ok;                                                                      \
	})

#define ASSERT_STREQ(a, b)                                                                \
	({                                                                                \
		const char *_a = (a), *_b = (b);                                          \
		bool _ok = _a && _b && strcmp(_a, _b) == 0;                               \
		if (!_ok)                                                                 \
			tl_fail_msg(__FILE__, __LINE__, "%s == %s:\n    got      \"%s\"\n    expected \"%s\"", \
				    #a, #b, _a ? _a : "(null)", _b ? _b : "(null)");      \
		_ok;                                                                      \
	})

/* Compare n bytes; prints both sides escaped as hex on mismatch. */
#define ASSERT_MEMEQ(a, b, n)                                                             \
	({                                                                                \
		const unsigned char *_a = (const void *)(a), *_b = (const void *)(b);     \
		size_t _n = (n);                                                          \
		bool _ok = memcmp(_a, _b, _n) == 0;                                       \
		if (!_ok) {                                                               \
			tl_fail_msg(__FILE__, __LINE__, "%s == %s (%zu bytes) differ", #a, #b, _n); \
			printf("    got     ");                                           \
			for (size_t _i = 0; _i < _n; _i++) printf(" %02x", _a[_i]);       \
			printf("\n    expected");                                         \
			for (size_t _i = 0; _i < _n; _i++) printf(" %02x", _b[_i]);       \
			printf("\n");                                                     \
		}                                                                         \
		_ok;                                                                      \
	})

#endif /* PROCLIFE_TESTLIB_H */
