// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Features in recordings: the META strings a recorder writes, and what a
 * replay says of them (one message per missing feature, once; hostile or
 * unknown strings: nothing, no crash; a reason from the file escaped); and
 * what the running kernel lacks, said the same way.
 */
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "proclife.h"
#include "testlib.h"
#include "base/msg.h"
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

/* What the messages said: each one's text, a newline after each. */
static char said[1024];

static void capture(void *ctx, enum msg_level level, const char *text)
{
	size_t n = strlen(said);

	snprintf(said + n, sizeof(said) - n, "%s%s\n", level == MSG_WARN ? "" : "(not a warning) ", text);
}

/* What report_recorded() says for kv (with seen), through the message sink. */
static void reported(const char *kv, bool seen[KF_MAX], char *out, size_t len)
{
	said[0] = '\0';
	msg__set_sink(capture, NULL);
	kfeatures__report_recorded(kv, seen);
	msg__set_sink(NULL, NULL);
	snprintf(out, len, "%s", said);
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
	ASSERT_STREQ(out, "this recording was made with signal delivery (deliver, stop, continue) off on "
			  "its kernel: the verifier refused pl_signal_deliver\n");
	reported("feature.delivery=off: again", seen, out, sizeof(out));
	ASSERT_STREQ(out, "");
	reported("feature.syscalls=reduced", seen, out, sizeof(out));
	ASSERT_STREQ(out, "this recording was made with syscall tracing (failed execs, reapers by wait, "
			  "refused kills) reduced on its kernel: no reason recorded\n");
}

/*
 * The reason comes from the file: a colon at its very end (once read past
 * the NUL), no space after the colon, and bytes for a terminal.
 */
static void test_report_recorded_hostile(void)
{
	bool seen[KF_MAX] = {};
	char out[512];

	reported("feature.delivery=off:", seen, out, sizeof(out));
	ASSERT_STREQ(out, "this recording was made with signal delivery (deliver, stop, continue) off on "
			  "its kernel: no reason recorded\n");
	reported("feature.rename=off:tight", seen, out, sizeof(out));
	ASSERT_STREQ(out, "this recording was made with rename tracing (rename events) off on its kernel: tight\n");
	reported("feature.oom=reduced: \x1b]0;pwned\x07\nfake line", seen, out, sizeof(out));
	ASSERT_STREQ(out, "this recording was made with OOM-killer attribution (killed_by oom) reduced on its kernel: "
			  "\\x1b]0;pwned\\x07\\nfake line\n");
}

/* What the running kernel lacks: one warning per feature off or reduced, none for the rest. */
static void test_report(void)
{
	struct kfeature_status st[KF_MAX] = {};

	st[KF_CORE].state = KF_ON;
	st[KF_DELIVERY].state = KF_OFF;
	strcpy(st[KF_DELIVERY].why, "the verifier refused pl_signal_deliver");
	st[KF_SYSCALLS].state = KF_REDUCED;
	strcpy(st[KF_SYSCALLS].why, "no names");
	said[0] = '\0';
	msg__set_sink(capture, NULL);
	kfeatures__report(st);
	msg__set_sink(NULL, NULL);
	ASSERT_STREQ(said, "syscall tracing (failed execs, reapers by wait, refused kills) is reduced on this kernel: "
			   "no names (see 'proclife features')\n"
			   "signal delivery (deliver, stop, continue) is off on this kernel: the verifier refused "
			   "pl_signal_deliver (see 'proclife features')\n");
}

int main(void)
{
	tl_init("unit/kfeatures");
	RUN_TEST(test_names);
	RUN_TEST(test_meta);
	RUN_TEST(test_report_recorded);
	RUN_TEST(test_report_recorded_hostile);
	RUN_TEST(test_report);
	return tl_finish();
}
