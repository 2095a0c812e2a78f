// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife features` (views/features_fmt.h): what the kernel said (uname,
 * a refusal's reason, the verifier's log) is shown escaped, the log line
 * by line, and as JSON strings in --json.
 */
#include "testlib.h"
#include "base/escape.h"
#include "views/features_fmt.h"

TL_DEFINE_STATE;

/* No byte a terminal acts on: only printable UTF-8 and newlines. */
static bool safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
			return false;
	return escape__is_valid_utf8(s, n) && !strstr(s, "\xe2\x80\xae") && !strstr(s, "\xc2\x9b");
}

static void test_hostile_text(void)
{
	struct kfeature_status st[KF_MAX] = {};
	struct features_report r = { .release = "6.1\x1b]0;pwned\x07", .version = "#1 \xe2\x80\xae", .btf = true,
				     .ringbuf = true, .st = st, .verbose = true };
	char log[] = "0: R1=ctx\n1: \x1b[2J\xc2\x9b" "bad\nlast line";
	struct outbuf ob;

	for (int f = 0; f < KF_MAX; f++)
		st[f].state = KF_ON;
	st[KF_RENAME].state = KF_OFF;
	snprintf(st[KF_RENAME].why, sizeof(st[KF_RENAME].why), "refused: \x1b[31mred\nsecond line");
	st[KF_RENAME].log = log;
	if (!ASSERT_EQ(outbuf__init(&ob, -1, 4096), 0))
		return;
	features_fmt__text(&ob, &r);
	if (!ASSERT_TRUE(safe(ob.data, ob.len)))
		printf("    %s\n", outbuf__cstr(&ob));
	ASSERT_TRUE(strstr(outbuf__cstr(&ob), "kernel       6.1\\x1b]0;pwned\\x07 (#1 \\u202e)\n") != NULL);
	ASSERT_TRUE(strstr(outbuf__cstr(&ob), " refused: \\x1b[31mred\\nsecond line\n") != NULL);
	ASSERT_TRUE(strstr(outbuf__cstr(&ob), "--- verifier log ---\n0: R1=ctx\n1: \\x1b[2J\\u009bbad\nlast line\n"
					      "--- end of log ---\n") != NULL);
	outbuf__reset(&ob);
	features_fmt__json(&ob, &r);
	ASSERT_TRUE(safe(ob.data, ob.len));
	ASSERT_TRUE(strstr(outbuf__cstr(&ob), "\"kernel_version\": \"#1 \\u202e\"") != NULL);
	outbuf__free(&ob);
}

int main(void)
{
	tl_init("unit/features_fmt");
	RUN_TEST(test_hostile_text);
	return tl_finish();
}
