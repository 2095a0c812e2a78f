// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The JSON emitter (views/json.h): commas at every depth, the two styles,
 * JSON lines, escaping of every string, numbers, null for what has no
 * value, pieces spliced in, and misuse noticed.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include <linux/types.h>

#include "proclife.h"
#include "testlib.h"
#include "views/json.h"

TL_DEFINE_STATE;

static struct outbuf ob;
static struct json j;

#define LIT(s) (s), (sizeof(s) - 1)

static void start(void)
{
	outbuf__reset(&ob);
	json__init(&j, &ob);
}

static const char *out(void)
{
	return outbuf__cstr(&ob);
}

static void test_commas_and_nesting(void)
{
	start();
	json__begin_object(&j);
	json__kv_u64(&j, "a", 1);
	json__key(&j, "b");
	json__begin_array(&j);
	json__u64(&j, 2);
	json__begin_object(&j);
	json__end_object(&j);
	json__begin_array(&j);
	json__end_array(&j);
	json__begin_object(&j);
	json__kv_null(&j, "c");
	json__kv_bool(&j, "d", true);
	json__kv_bool(&j, "e", false);
	json__end_object(&j);
	json__u64(&j, 3);
	json__end_array(&j);
	json__key(&j, "f");
	json__begin_object(&j);
	json__key(&j, "g");
	json__begin_array(&j);
	json__end_array(&j);
	json__end_object(&j);
	json__kv_i64(&j, "h", -4);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"a\":1,\"b\":[2,{},[],{\"c\":null,\"d\":true,\"e\":false},3],\"f\":{\"g\":[]},\"h\":-4}");
	ASSERT_EQ(json__finish(&j), 0);
}

/* Values at depth 0 take no comma: one document per line. */
static void test_json_lines(void)
{
	start();
	for (int i = 0; i < 3; i++) {
		json__begin_object(&j);
		json__kv_u64(&j, "n", i);
		json__end_object(&j);
		json__ws(&j, "\n");
	}
	json__u64(&j, 7);
	json__ws(&j, "\n");
	ASSERT_STREQ(out(), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n7\n");
	ASSERT_EQ(json__finish(&j), 0);
}

static void test_spaced(void)
{
	outbuf__reset(&ob);
	json__init_spaced(&j, &ob);
	json__begin_object(&j);
	json__kv_cstr(&j, "kernel", "6.18");
	json__kv_bool(&j, "btf", true);
	json__key(&j, "features");
	json__begin_array(&j);
	for (int i = 0; i < 2; i++) {
		json__begin_object(&j);
		json__kv_u64(&j, "n", i);
		json__kv_cstr(&j, "why", NULL);
		json__end_object(&j);
	}
	json__end_array(&j);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"kernel\": \"6.18\", \"btf\": true, \"features\": [{\"n\": 0, \"why\": null}, "
			    "{\"n\": 1, \"why\": null}]}");
	ASSERT_EQ(json__finish(&j), 0);
}

/* Every string is escaped: quotes, backslashes, controls, C1, invalid UTF-8; valid UTF-8 stays. */
static void test_strings(void)
{
	static const char comm[PL_COMM_LEN] = "0123456789abcdef"; /* all 16 bytes, no NUL */

	start();
	json__begin_array(&j);
	json__string(&j, LIT("say \"hi\"\\"));
	json__string(&j, LIT("\x1b[2J\n\t\0"));
	json__string(&j, LIT("\xc2\x9b \xff \xe6\x97\xa5"));
	json__cstr(&j, NULL);
	json__cstr(&j, "");
	json__comm(&j, comm);
	json__comm(&j, "sh\0garbage");
	json__end_array(&j);
	ASSERT_STREQ(out(), "[\"say \\\"hi\\\"\\\\\",\"\\u001b[2J\\n\\t\\u0000\",\"\\u009b \xef\xbf\xbd \xe6\x97\xa5\","
			    "null,\"\",\"0123456789abcdef\",\"sh\"]");
	/* Keys and values alike in an object. */
	start();
	json__begin_object(&j);
	json__kv_string(&j, "s", LIT("a\"b"));
	json__kv_comm(&j, "comm", "bash");
	json__kv_cstr(&j, "none", NULL);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"s\":\"a\\\"b\",\"comm\":\"bash\",\"none\":null}");
}

/* An argument area: NUL-separated, the last argument unterminated when cut. */
static void test_argv(void)
{
	static const char area[] = "ls\0-l\0a b\0\0\x1b[2J";

	start();
	json__argv(&j, area, sizeof(area) - 1);
	ASSERT_STREQ(out(), "[\"ls\",\"-l\",\"a b\",\"\",\"\\u001b[2J\"]");
	/* A terminated last argument is the same argument. */
	start();
	json__argv(&j, "x\0", 2);
	ASSERT_STREQ(out(), "[\"x\"]");
	start();
	json__argv(&j, "", 0);
	ASSERT_STREQ(out(), "[]");
	/* As a value among others. */
	start();
	json__begin_object(&j);
	json__kv_u64(&j, "argc", 2);
	json__key(&j, "argv");
	json__argv(&j, "a\0b\0", 4);
	json__kv_bool(&j, "t", false);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"argc\":2,\"argv\":[\"a\",\"b\"],\"t\":false}");
	ASSERT_EQ(json__finish(&j), 0);
}

static void test_numbers(void)
{
	start();
	json__begin_array(&j);
	json__u64(&j, 0);
	json__u64(&j, UINT64_MAX);
	json__i64(&j, INT64_MIN);
	json__double(&j, 0.0005, 3);
	json__double(&j, 12.3456789, 6);
	json__double(&j, NAN, 3);
	json__double(&j, INFINITY, 3);
	json__fixed(&j, 0, 3);
	json__fixed(&j, 7, 3);
	json__fixed(&j, 1234567, 3);
	json__fixed(&j, 42, 0);
	json__fixed(&j, UINT64_MAX, 9);
	json__end_array(&j);
	ASSERT_STREQ(out(), "[0,18446744073709551615,-9223372036854775808,0.001,12.345679,null,null,"
			    "0.000,0.007,1234.567,42,18446744073.709551615]");
	start();
	json__begin_object(&j);
	json__kv_u64_or_null(&j, "a", true, 5);
	json__kv_u64_or_null(&j, "b", false, 5);
	json__kv_i64_or_null(&j, "c", true, -5);
	json__kv_i64_or_null(&j, "d", false, -5);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"a\":5,\"b\":null,\"c\":-5,\"d\":null}");
}

/* One element per line: the comma stays after the element, the newline before the next. */
static void test_break(void)
{
	start();
	json__begin_object(&j);
	json__key(&j, "events");
	json__begin_array(&j);
	for (int i = 0; i < 3; i++) {
		json__break(&j);
		json__begin_object(&j);
		json__kv_u64(&j, "i", i);
		json__end_object(&j);
	}
	json__ws(&j, "\n");
	json__end_array(&j);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"events\":[\n{\"i\":0},\n{\"i\":1},\n{\"i\":2}\n]}");
	ASSERT_EQ(json__finish(&j), 0);
}

/* Fields written apart (perfetto's open slices), spliced into an object later. */
static void test_splice(void)
{
	struct outbuf piece;
	struct json pj;

	if (!ASSERT_EQ(outbuf__init(&piece, -1, 0), 0))
		return;
	json__init_fields(&pj, &piece);
	json__kv_cstr(&pj, "cat", "exec");
	json__kv_cstr(&pj, "name", "sh");
	json__key(&pj, "args");
	json__begin_object(&pj);
	json__kv_u64(&pj, "pid", 5);
	start();
	json__begin_object(&j);
	json__kv_u64(&j, "ts", 1);
	json__splice(&j, piece.data, piece.len, 1);
	json__kv_cstr(&j, "state", "running");
	json__end_object(&j);
	json__end_object(&j);
	ASSERT_STREQ(out(), "{\"ts\":1,\"cat\":\"exec\",\"name\":\"sh\",\"args\":{\"pid\":5,\"state\":\"running\"}}");
	ASSERT_EQ(json__finish(&j), 0);
	outbuf__free(&piece);
}

/* Thousands of levels (a chain of processes in run --json): commas still right past 64 levels. */
static void test_deep(void)
{
	enum { DEPTH = 3000 };
	static char want[DEPTH * 4];
	size_t n = 0;

	start();
	for (int i = 0; i < DEPTH; i++) {
		json__begin_array(&j);
		json__u64(&j, 1);
	}
	for (int i = 0; i < DEPTH; i++)
		json__end_array(&j);
	ASSERT_EQ(json__finish(&j), 0);
	/* [1,[1,...[1]...]] */
	for (int i = 0; i < DEPTH; i++) {
		memcpy(want + n, i + 1 < DEPTH ? "[1," : "[1", i + 1 < DEPTH ? 3 : 2);
		n += i + 1 < DEPTH ? 3 : 2;
	}
	memset(want + n, ']', DEPTH);
	want[n + DEPTH] = '\0';
	ASSERT_STREQ(out(), want);
}

/* Misuse is noticed (json__finish() says -EINVAL); good use is not. */
static void test_misuse(void)
{
	start();
	json__begin_array(&j);
	json__key(&j, "k"); /* a key in an array */
	json__u64(&j, 1);
	json__end_array(&j);
	ASSERT_EQ(json__finish(&j), -EINVAL);
	start();
	json__begin_object(&j);
	json__end_array(&j); /* the wrong bracket */
	ASSERT_EQ(json__finish(&j), -EINVAL);
	start();
	json__end_object(&j); /* nothing open */
	ASSERT_EQ(json__finish(&j), -EINVAL);
	ASSERT_STREQ(out(), "");
	start();
	json__begin_object(&j); /* never closed */
	ASSERT_EQ(json__finish(&j), -EINVAL);
	start();
	json__key(&j, "k"); /* a key at depth 0 */
	ASSERT_EQ(json__finish(&j), -EINVAL);
	start();
	json__begin_array(&j);
	json__end_array(&j);
	ASSERT_EQ(json__finish(&j), 0);
}

int main(void)
{
	tl_init("unit/json");
	if (outbuf__init(&ob, -1, 64) < 0)
		return 1;
	RUN_TEST(test_commas_and_nesting);
	RUN_TEST(test_json_lines);
	RUN_TEST(test_spaced);
	RUN_TEST(test_strings);
	RUN_TEST(test_argv);
	RUN_TEST(test_numbers);
	RUN_TEST(test_break);
	RUN_TEST(test_splice);
	RUN_TEST(test_deep);
	RUN_TEST(test_misuse);
	outbuf__free(&ob);
	return tl_finish();
}
