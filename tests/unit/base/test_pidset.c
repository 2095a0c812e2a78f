// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The pid set: growth, deletion with tombstones, re-adding. */
#include <errno.h>

#include "testlib.h"
#include "base/pidset.h"

TL_DEFINE_STATE;

static void test_pidset(void)
{
	struct pidset s = {};

	for (__u32 p = 1; p <= 10000; p++)
		ASSERT_EQ(pidset__add(&s, p * 7), 0);
	ASSERT_EQ(s.count, 10000);
	for (__u32 p = 1; p <= 10000; p += 2)
		pidset__del(&s, p * 7);
	ASSERT_EQ(s.count, 5000);
	ASSERT_FALSE(pidset__has(&s, 7));
	ASSERT_TRUE(pidset__has(&s, 14));
	ASSERT_EQ(pidset__add(&s, 7), 0);
	ASSERT_EQ(pidset__add(&s, 7), 0);
	ASSERT_EQ(s.count, 5001);
	ASSERT_EQ(pidset__add(&s, 0), -EINVAL);
	ASSERT_FALSE(pidset__has(&s, 0));
	pidset__free(&s);
	pidset__free(NULL);
}

int main(void)
{
	tl_init("unit/pidset");
	RUN_TEST(test_pidset);
	return tl_finish();
}
