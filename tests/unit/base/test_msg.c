// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Messages (base/msg.h): whatever a caller puts in one (a file name, what a
 * recording said), the sink is handed one line that is safe on a terminal;
 * a message relayed (kept by a sink, said again) is not escaped twice.
 */
#include "testlib.h"
#include "base/escape.h"
#include "base/msg.h"

TL_DEFINE_STATE;

static char said[8192];
static int nsaid;

static void capture(void *ctx, enum msg_level level, const char *text)
{
	snprintf(said, sizeof(said), "%s", text);
	nsaid++;
}

static const char *say(const char *arg)
{
	said[0] = '\0';
	nsaid = 0;
	msg__set_sink(capture, NULL);
	msg__say(MSG_WARN, "cannot open %s: gone", arg);
	msg__set_sink(NULL, NULL);
	return said;
}

static void test_escaped(void)
{
	ASSERT_STREQ(say("plain.plr"), "cannot open plain.plr: gone");
	ASSERT_EQ(nsaid, 1);
	/* Retitle and clear the terminal; a second line; a bidi override; invalid UTF-8. */
	ASSERT_STREQ(say("\x1b]0;pwned\x07\x1b[2J.plr"), "cannot open \\x1b]0;pwned\\x07\\x1b[2J.plr: gone");
	ASSERT_STREQ(say("a.plr\nproclife: all is well"), "cannot open a.plr\\nproclife: all is well: gone");
	ASSERT_STREQ(say("\xe2\x80\xaersl.plr"), "cannot open \\u202ersl.plr: gone");
	ASSERT_STREQ(say("\xff\xc2\x9b"), "cannot open \\xff\\u009b: gone");
	ASSERT_STREQ(say("caf\xc3\xa9"), "cannot open caf\xc3\xa9: gone");
}

/* A message longer than a line's worth is cut, never inside an escape or a character. */
static void test_long(void)
{
	static char arg[6000];

	for (size_t i = 0; i + 1 < sizeof(arg); i++)
		arg[i] = i % 3 ? 'a' : '\x1b';
	say(arg);
	ASSERT_GE(strlen(said), 3000);
	ASSERT_TRUE(strlen(said) < 4096);
	ASSERT_TRUE(escape__is_valid_utf8(said, strlen(said)));
	ASSERT_TRUE(strchr(said, '\x1b') == NULL);
	/* Whole escapes only: it ends with one, or with an 'a'. */
	ASSERT_TRUE(!strcmp(said + strlen(said) - 4, "\\x1b") || said[strlen(said) - 1] == 'a');
}

static void test_relay(void)
{
	said[0] = '\0';
	msg__set_sink(capture, NULL);
	msg__relay(MSG_WARN, "cannot open \\x1b.plr: gone (2 times)");
	msg__set_sink(NULL, NULL);
	ASSERT_STREQ(said, "cannot open \\x1b.plr: gone (2 times)");
}

int main(void)
{
	tl_init("unit/msg");
	RUN_TEST(test_escaped);
	RUN_TEST(test_long);
	RUN_TEST(test_relay);
	return tl_finish();
}
