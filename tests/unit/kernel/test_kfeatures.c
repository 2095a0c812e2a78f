// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Features in recordings: the META strings a recorder writes, and what a
 * replay says of them (one line per missing feature, once; hostile or
 * unknown strings: nothing, no crash).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "proclife.h"
#include "testlib.h"
#include "kernel/kfeatures.h"

TL_DEFINE_STATE;

static void test_names(void)
{
	for (int f = 0; f < KF_MAX; f++)
		ASSERT_EQ(kfeature__by_name(kfeature__name(f)), f);
	ASSERT_EQ(kfeature__by_name("nosuch"), -1);
	ASSERT_EQ(kfeature__by_name(""), -1);
	ASSERT_STREQ(kfeature__name(KF_DELIVERY), "delivery");
	ASSERT_EQ(kfeature__events(KF_RENAME), PL_EV_BIT(PL_EV_RENAME));
}

static void test_meta(void)
{
	struct kfeature_status st[KF_MAX] = {};
	static const char want[] = "feature.core=on\0"
				   "feature.syscalls=reduced: no names\0"
				   "feature.delivery=off: refused";
	char buf[256];
	size_t n;

	st[KF_CORE].state = KF_ON;
	st[KF_SYSCALLS].state = KF_REDUCED;
	strcpy(st[KF_SYSCALLS].why, "no names");
	st[KF_DELIVERY].state = KF_OFF;
	strcpy(st[KF_DELIVERY].why, "refused");
	n = kfeatures__meta(st, buf, sizeof(buf));
	ASSERT_EQ(n, sizeof(want));
	ASSERT_TRUE(n == sizeof(want) && !memcmp(buf, want, n));
	/* Too small a buffer: whole strings only. */
	n = kfeatures__meta(st, buf, 20);
	ASSERT_EQ(n, strlen("feature.core=on") + 1);
}

/* What report_recorded() prints for kv (with seen), captured from stderr. */
static void reported(const char *kv, bool seen[KF_MAX], char *out, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	kfeatures__report_recorded(kv, seen);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void test_report_recorded(void)
{
	bool seen[KF_MAX] = {};
	char out[512];
	static const char *const quiet[] = {
		"feature.core=on", "feature.=off: x", "feature.nosuch=off: x", "feature.delivery",
		"feature.delivery=", "feature.delivery=maybe", "proclife=0.1.0", "",
		"feature.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=off: x",
	};

	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		reported(quiet[i], seen, out, sizeof(out));
		ASSERT_STREQ(out, "");
	}
	reported("feature.delivery=off: the verifier refused pl_signal_deliver", seen, out, sizeof(out));
	ASSERT_STREQ(out, "proclife: this recording was made with signal delivery (deliver, stop, continue) off on "
			  "its kernel: the verifier refused pl_signal_deliver\n");
	reported("feature.delivery=off: again", seen, out, sizeof(out));
	ASSERT_STREQ(out, "");
	reported("feature.syscalls=reduced", seen, out, sizeof(out));
	ASSERT_STREQ(out, "proclife: this recording was made with syscall tracing (failed execs, reapers by wait, "
			  "refused kills) reduced on its kernel: no reason recorded\n");
}

int main(void)
{
	tl_init("unit/kfeatures");
	RUN_TEST(test_names);
	RUN_TEST(test_meta);
	RUN_TEST(test_report_recorded);
	return tl_finish();
}
