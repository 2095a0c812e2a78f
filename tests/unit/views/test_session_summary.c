// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The end-of-session line (views/session_summary.h): every event type
 * counted, the derived ones when asked, losses by type only when there are
 * some, malformed records only when there were some.
 */
#include <linux/types.h>

#include "proclife.h"
#include "testlib.h"
#include "base/names.h"
#include "model/model.h"
#include "views/session_summary.h"

TL_DEFINE_STATE;

static struct outbuf ob;

static const char *summary(const __u64 *seen, const __u64 *lost, __u64 malformed, const __u64 *derived)
{
	outbuf__reset(&ob);
	session_summary__text(&ob, seen, lost, malformed, derived);
	return outbuf__cstr(&ob);
}

/* "fork N, exec N, ...": every type in order, as names__event() names them. */
static void expected_counts(char *buf, size_t size, const __u64 *v, int n, bool derived)
{
	size_t k = 0;

	buf[0] = '\0';
	for (int i = 1; i < n && k < size; i++)
		k += snprintf(buf + k, size - k, "%s%s %llu", i > 1 ? ", " : "",
			      derived ? derived__name(i) : names__event(i), (unsigned long long)v[i]);
}

static void test_nothing(void)
{
	__u64 seen[PL_EV_MAX] = {}, lost[PL_EV_MAX] = {};
	char c[512], want[1024];

	expected_counts(c, sizeof(c), seen, PL_EV_MAX, false);
	snprintf(want, sizeof(want), "0 events seen (%s), 0 lost", c);
	ASSERT_STREQ(summary(seen, lost, 0, NULL), want);
	ASSERT_TRUE(strstr(want, "fork 0, exec 0") != NULL);
}

static void test_counts_derived_lost_malformed(void)
{
	__u64 seen[PL_EV_MAX] = {}, lost[PL_EV_MAX] = {}, derived[DV_MAX] = {};
	char c[512], d[512], want[2048];

	seen[PL_EV_FORK] = 3;
	seen[PL_EV_EXEC] = 2;
	seen[PL_EV_EXIT] = 4;
	derived[DV_ZOMBIE] = 1;
	lost[PL_EV_EXEC] = 7;
	lost[PL_EV_SIGNAL] = 5;
	expected_counts(c, sizeof(c), seen, PL_EV_MAX, false);
	expected_counts(d, sizeof(d), derived, DV_MAX, true);
	snprintf(want, sizeof(want), "9 events seen (%s), 1 derived (%s), 12 lost (exec 7, signal 5), 2 malformed", c,
		 d);
	ASSERT_STREQ(summary(seen, lost, 2, derived), want);
	/* Without derived counts, that part is left out. */
	snprintf(want, sizeof(want), "9 events seen (%s), 12 lost (exec 7, signal 5)", c);
	ASSERT_STREQ(summary(seen, lost, 0, NULL), want);
}

/* What the model forgot and the untracked zombies: only when there were some. */
static void test_memory(void)
{
	__u64 forgot[FORGOT_MAX] = {};

	outbuf__reset(&ob);
	session_summary__memory(&ob, forgot, 0);
	session_summary__memory(&ob, NULL, 0);
	ASSERT_STREQ(outbuf__cstr(&ob), "");
	forgot[FORGOT_REAPED] = 1200;
	forgot[FORGOT_PROCESS] = 3;
	session_summary__memory(&ob, forgot, 40);
	ASSERT_STREQ(outbuf__cstr(&ob), ", 1203 forgotten (reaped 1200, process 3: --max-memory), "
					"40 zombies untracked (the kernel's table was full)");
}

int main(void)
{
	tl_init("unit/session_summary");
	if (outbuf__init(&ob, -1, 0) < 0)
		return 1;
	RUN_TEST(test_nothing);
	RUN_TEST(test_counts_derived_lost_malformed);
	RUN_TEST(test_memory);
	outbuf__free(&ob);
	return tl_finish();
}
