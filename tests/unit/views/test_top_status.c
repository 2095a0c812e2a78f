// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * top's status line (views/top_status.h): the latest message is shown
 * until a key dismisses it, repeats are counted instead of kept again, and
 * after the screen every message is said again, with how many were not kept.
 */
#include "testlib.h"
#include "base/escape.h"
#include "views/top_status.h"

TL_DEFINE_STATE;

static char said[8192];

static void capture(void *ctx, enum msg_level level, const char *text)
{
	size_t n = strlen(said);

	snprintf(said + n, sizeof(said) - n, "%d %s\n", (int)level, text);
}

static const char *line(const struct top_status *s)
{
	static char buf[TOP_STATUS_TEXT + 64];

	return top_status__line(s, NULL, buf, sizeof(buf));
}

static void replayed(const struct top_status *s)
{
	said[0] = '\0';
	msg__set_sink(capture, NULL);
	top_status__replay(s);
	msg__set_sink(NULL, NULL);
}

static void test_shown_until_a_key(void)
{
	static struct top_status s;
	enum msg_level level = MSG_INFO;
	char buf[600];

	ASSERT_TRUE(line(&s) == NULL);
	/* Through the message API, as the layers below say it. */
	msg__set_sink(top_status__sink, &s);
	msg__say(MSG_ERROR, "recording stopped: %s", "writing x.plr: No space left on device");
	msg__set_sink(NULL, NULL);
	ASSERT_STREQ(top_status__line(&s, &level, buf, sizeof(buf)),
		     "proclife: recording stopped: writing x.plr: No space left on device");
	ASSERT_EQ(level, MSG_ERROR);
	top_status__dismiss(&s);
	ASSERT_TRUE(line(&s) == NULL);
	/* A new message shows again. */
	top_status__sink(&s, MSG_WARN, "events were lost");
	ASSERT_STREQ(line(&s), "proclife: events were lost");
	replayed(&s);
	ASSERT_STREQ(said, "2 recording stopped: writing x.plr: No space left on device\n1 events were lost\n");
}

static void test_repeats_counted(void)
{
	static struct top_status s;

	for (int i = 0; i < 3; i++)
		top_status__sink(&s, MSG_WARN, "resync failed");
	ASSERT_STREQ(line(&s), "proclife: resync failed (3 times)");
	top_status__sink(&s, MSG_ERROR, "recording stopped");
	top_status__sink(&s, MSG_WARN, "resync failed");
	ASSERT_STREQ(line(&s), "proclife: resync failed");
	replayed(&s);
	ASSERT_STREQ(said, "1 resync failed (3 times)\n2 recording stopped\n1 resync failed\n");
}

/* Past TOP_STATUS_KEEP, messages are counted; the last one is said with the count. */
static void test_many(void)
{
	static struct top_status s;
	char text[32], want[4096] = "";
	size_t n = 0;

	for (int i = 0; i < TOP_STATUS_KEEP + 5; i++) {
		snprintf(text, sizeof(text), "message %d", i);
		top_status__sink(&s, MSG_WARN, text);
		if (i < TOP_STATUS_KEEP)
			n += snprintf(want + n, sizeof(want) - n, "1 %s\n", text);
	}
	top_status__sink(&s, MSG_WARN, text); /* a repeat of one not kept: counted too */
	snprintf(want + n, sizeof(want) - n, "1 6 more messages while the screen was up; the last: message %d\n",
		 TOP_STATUS_KEEP + 4);
	replayed(&s);
	ASSERT_STREQ(said, want);
	ASSERT_STREQ(line(&s), "proclife: message 20 (2 times)");
}

/* A message longer than what is kept is cut, not overflowed. */
static void test_long(void)
{
	static struct top_status s;
	static char text[TOP_STATUS_TEXT * 2];

	memset(text, 'x', sizeof(text) - 1);
	top_status__sink(&s, MSG_WARN, text);
	ASSERT_EQ(strlen(s.last.text), TOP_STATUS_TEXT - 1);
	ASSERT_EQ(strlen(line(&s)), strlen("proclife: ") + TOP_STATUS_TEXT - 1);
}

/* What a message carries (a file name, a recording's text) is escaped once, when said: not again when replayed. */
static void test_escaped_once(void)
{
	static struct top_status s;
	enum msg_level level;
	char buf[600];

	msg__set_sink(top_status__sink, &s);
	msg__say(MSG_ERROR, "cannot write %s", "\x1b]0;pwned\x07.plr");
	msg__set_sink(NULL, NULL);
	ASSERT_STREQ(top_status__line(&s, &level, buf, sizeof(buf)), "proclife: cannot write \\x1b]0;pwned\\x07.plr");
	replayed(&s);
	ASSERT_STREQ(said, "2 cannot write \\x1b]0;pwned\\x07.plr\n");
}

/* A message longer than what is kept is cut before a character that would not fit whole. */
static void test_cut_whole(void)
{
	static struct top_status s;
	char text[TOP_STATUS_TEXT + 8];

	memset(text, 'a', sizeof(text));
	memcpy(text + TOP_STATUS_TEXT - 3, "\xe6\x97\xa5", 3); /* its last byte would be cut */
	text[sizeof(text) - 1] = '\0';
	top_status__sink(&s, MSG_WARN, text);
	ASSERT_EQ(strlen(s.last.text), TOP_STATUS_TEXT - 3);
	ASSERT_TRUE(escape__is_valid_utf8(s.last.text, strlen(s.last.text)));
}

int main(void)
{
	tl_init("unit/top_status");
	RUN_TEST(test_shown_until_a_key);
	RUN_TEST(test_repeats_counted);
	RUN_TEST(test_many);
	RUN_TEST(test_long);
	RUN_TEST(test_escaped_once);
	RUN_TEST(test_cut_whole);
	return tl_finish();
}
