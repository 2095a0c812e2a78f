/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <stdint.h>
#include <unistd.h>

#include "testlib.h"
#include "base/escape.h"
#include "base/outbuf.h"

TL_DEFINE_STATE;

static struct outbuf ob;

/* Inputs are string literals; their length comes from sizeof, so they may hold NULs. */
#define LIT(s) (s), (sizeof(s) - 1)

static const char *text(const char *s, size_t len)
{
	outbuf__reset(&ob);
	escape__text(&ob, s, len);
	return outbuf__cstr(&ob);
}

static const char *arg(const char *s, size_t len)
{
	outbuf__reset(&ob);
	escape__text_arg(&ob, s, len);
	return outbuf__cstr(&ob);
}

static const char *json(const char *s, size_t len)
{
	outbuf__reset(&ob);
	escape__json_string(&ob, s, len);
	return outbuf__cstr(&ob);
}

/* U+FFFD REPLACEMENT CHARACTER, as the JSON escaper writes it for each invalid byte. */
#define RC "\xef\xbf\xbd"

/*
 * What must never show raw: Unicode 15's Default_Ignorable_Code_Point, as
 * perl -e 'print if chr($c) =~ /\p{Default_Ignorable_Code_Point}/' lists
 * it, and U+2028, U+2029 and U+FFF9..U+FFFB. Written out again here, so
 * that the escaper's table is held to it.
 */
static bool ref_invisible(uint32_t cp)
{
	static const uint32_t r[][2] = {
		{ 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x061C, 0x061C }, { 0x115F, 0x1160 },
		{ 0x17B4, 0x17B5 }, { 0x180B, 0x180F }, { 0x200B, 0x200F }, { 0x202A, 0x202E },
		{ 0x2060, 0x206F }, { 0x3164, 0x3164 }, { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF },
		{ 0xFFA0, 0xFFA0 }, { 0xFFF0, 0xFFF8 }, { 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A },
		{ 0xE0000, 0xE0FFF },
		/* beyond the default ignorables */
		{ 0x2028, 0x2029 }, { 0xFFF9, 0xFFFB },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (cp >= r[i][0] && cp <= r[i][1])
			return true;
	return false;
}

static void test_text_controls(void)
{
	ASSERT_STREQ(text(LIT("")), "");
	ASSERT_STREQ(text(LIT("plain ascii ~!")), "plain ascii ~!");
	ASSERT_STREQ(text(LIT("say \"hi\" 'x'")), "say \"hi\" 'x'");
	/* Clear screen, and set window title: both defused. */
	ASSERT_STREQ(text(LIT("\x1b[2J")), "\\x1b[2J");
	ASSERT_STREQ(text(LIT("\x1b]0;title\x07")), "\\x1b]0;title\\x07");
	ASSERT_STREQ(text(LIT("a\0b")), "a\\x00b");
	ASSERT_STREQ(text(LIT("\0")), "\\x00");
	ASSERT_STREQ(text(LIT("a\nb\tc\rd")), "a\\nb\\tc\\rd");
	ASSERT_STREQ(text(LIT("back\\slash")), "back\\\\slash");
	ASSERT_STREQ(text(LIT("\\x41")), "\\\\x41"); /* not confusable with an escape */
	ASSERT_STREQ(text(LIT("\x7f")), "\\x7f");
	ASSERT_STREQ(text(LIT("\x01\x08\x0b\x0c\x1f")), "\\x01\\x08\\x0b\\x0c\\x1f");
}

static void test_text_invalid_utf8(void)
{
	/* Bytes that can never start a sequence. */
	ASSERT_STREQ(text(LIT("\xff")), "\\xff");
	ASSERT_STREQ(text(LIT("\xfe")), "\\xfe");
	ASSERT_STREQ(text(LIT("\xf5\x80\x80\x80")), "\\xf5\\x80\\x80\\x80");
	ASSERT_STREQ(text(LIT("\xf8\x88\x80\x80\x80")), "\\xf8\\x88\\x80\\x80\\x80");
	/* Stray continuation bytes. */
	ASSERT_STREQ(text(LIT("\x80")), "\\x80");
	ASSERT_STREQ(text(LIT("a\xbf" "b")), "a\\xbfb");
	/* Missing continuation, at the end and before ASCII. */
	ASSERT_STREQ(text(LIT("\xc3")), "\\xc3");
	ASSERT_STREQ(text(LIT("\xc3" "A")), "\\xc3A");
	ASSERT_STREQ(text(LIT("\xe6\x97")), "\\xe6\\x97");
	ASSERT_STREQ(text(LIT("\xe6\x97" "A")), "\\xe6\\x97A");
	ASSERT_STREQ(text(LIT("\xf0\x9f\x98" "x")), "\\xf0\\x9f\\x98x");
	/* Bad continuation: the valid sequence after it survives. */
	ASSERT_STREQ(text(LIT("\xc3\xc3\xa9")), "\\xc3\xc3\xa9");
	ASSERT_STREQ(text(LIT("\xe6\xe6\x97\xa5")), "\\xe6\xe6\x97\xa5");
	/* Overlong forms. */
	ASSERT_STREQ(text(LIT("\xc0\xaf")), "\\xc0\\xaf");
	ASSERT_STREQ(text(LIT("\xc1\xbf")), "\\xc1\\xbf");
	ASSERT_STREQ(text(LIT("\xc0\x80")), "\\xc0\\x80"); /* "modified UTF-8" NUL */
	ASSERT_STREQ(text(LIT("\xe0\x80\xaf")), "\\xe0\\x80\\xaf");
	ASSERT_STREQ(text(LIT("\xe0\x9f\xbf")), "\\xe0\\x9f\\xbf");
	ASSERT_STREQ(text(LIT("\xf0\x80\x80\xaf")), "\\xf0\\x80\\x80\\xaf");
	ASSERT_STREQ(text(LIT("\xf0\x8f\xbf\xbf")), "\\xf0\\x8f\\xbf\\xbf");
	/* Surrogates, and their valid neighbours. */
	ASSERT_STREQ(text(LIT("\xed\xa0\x80")), "\\xed\\xa0\\x80");
	ASSERT_STREQ(text(LIT("\xed\xbf\xbf")), "\\xed\\xbf\\xbf");
	ASSERT_STREQ(text(LIT("\xed\xa0\xbd\xed\xb8\x80")), "\\xed\\xa0\\xbd\\xed\\xb8\\x80"); /* CESU-8 */
	ASSERT_STREQ(text(LIT("\xed\x9f\xbf")), "\xed\x9f\xbf");  /* U+D7FF */
	ASSERT_STREQ(text(LIT("\xee\x80\x80")), "\xee\x80\x80");  /* U+E000 */
	/* Above U+10FFFF, and U+10FFFF itself. */
	ASSERT_STREQ(text(LIT("\xf4\x90\x80\x80")), "\\xf4\\x90\\x80\\x80");
	ASSERT_STREQ(text(LIT("\xf7\xbf\xbf\xbf")), "\\xf7\\xbf\\xbf\\xbf");
	ASSERT_STREQ(text(LIT("\xf4\x8f\xbf\xbf")), "\xf4\x8f\xbf\xbf");
}

static void test_text_c1_and_valid(void)
{
	ASSERT_STREQ(text(LIT("\xc2\x80")), "\\u0080");
	ASSERT_STREQ(text(LIT("\xc2\x9b" "31m")), "\\u009b31m"); /* 8-bit CSI */
	ASSERT_STREQ(text(LIT("\xc2\x9d" "0;t\xc2\x9c")), "\\u009d0;t\\u009c"); /* OSC ... ST */
	ASSERT_STREQ(text(LIT("\xc2\x9f")), "\\u009f");
	ASSERT_STREQ(text(LIT("\xc2\xa0")), "\xc2\xa0"); /* NBSP is not C1 */
	ASSERT_STREQ(text(LIT("caf\xc3\xa9")), "caf\xc3\xa9");
	ASSERT_STREQ(text(LIT("\xe6\x97\xa5\xe6\x9c\xac")), "\xe6\x97\xa5\xe6\x9c\xac");
	ASSERT_STREQ(text(LIT("\xf0\x9f\x98\x80")), "\xf0\x9f\x98\x80");
	ASSERT_STREQ(text(LIT("x\xf0\x9f\x98\x80\n\xc3\xa9\xff")), "x\xf0\x9f\x98\x80\\n\xc3\xa9\\xff");
}

/* Bidi controls, zero-width and other invisible characters: valid, yet escaped, in one form for text and JSON. */
static void test_invisible(void)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE: "\u202e" reads as what it is. */
	ASSERT_STREQ(text(LIT("evil\xe2\x80\xaeharmless")), "evil\\u202eharmless");
	ASSERT_STREQ(arg(LIT("\xe2\x80\xaeharmless")), "\"\\u202eharmless\"");
	ASSERT_STREQ(json(LIT("\xe2\x80\xaeharmless")), "\"\\u202eharmless\"");
	/* Each end of each range, and what lies just outside. */
	ASSERT_STREQ(text(LIT("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad")), "\\u202a\\u202b\\u202c\\u202d");
	ASSERT_STREQ(text(LIT("\xe2\x81\xa6\xe2\x81\xa9")), "\\u2066\\u2069"); /* isolates */
	ASSERT_STREQ(text(LIT("a\xe2\x80\x8b" "b\xe2\x80\x8f" "c")), "a\\u200bb\\u200fc"); /* ZWSP .. RLM */
	ASSERT_STREQ(text(LIT("\xe2\x80\xa8\xe2\x80\xa9")), "\\u2028\\u2029");
	ASSERT_STREQ(text(LIT("\xef\xbb\xbf")), "\\ufeff");
	ASSERT_STREQ(text(LIT("\xd8\x9c")), "\\u061c");
	ASSERT_STREQ(text(LIT("\xc2\xad")), "\\u00ad"); /* soft hyphen */
	ASSERT_STREQ(text(LIT("\xc2\xac\xc2\xae")), "\xc2\xac\xc2\xae"); /* its neighbours show */
	ASSERT_STREQ(text(LIT("\xe2\x80\x8a\xe2\x80\x90")), "\xe2\x80\x8a\xe2\x80\x90"); /* U+200A, U+2010 */
	ASSERT_STREQ(text(LIT("\xe2\x80\xa7\xe2\x80\xaf")), "\xe2\x80\xa7\xe2\x80\xaf"); /* U+2027, U+202F */
	ASSERT_STREQ(text(LIT("\xef\xbf\xb9\xef\xbf\xbb\xef\xbf\xbc")), "\\ufff9\\ufffb\xef\xbf\xbc");
	/* Above U+FFFF: tags (U+E0041 TAG LATIN CAPITAL LETTER A) hide ASCII. */
	ASSERT_STREQ(text(LIT("x\xf3\xa0\x81\x81")), "x\\U000e0041");
	ASSERT_STREQ(json(LIT("x\xf3\xa0\x81\x81")), "\"x\\udb40\\udc41\"");
	ASSERT_STREQ(text(LIT("\xf3\xa0\x80\x80\xf3\xa0\xbf\xbf\xf3\xa1\x80\x80")),
		     "\\U000e0000\\U000e0fff\xf3\xa1\x80\x80");
	ASSERT_STREQ(text(LIT("\xf0\x9d\x85\xb3")), "\\U0001d173");
	/* Emoji and CJK stay as they are. */
	ASSERT_STREQ(arg(LIT("\xf0\x9f\x98\x80\xe6\x97\xa5")), "\xf0\x9f\x98\x80\xe6\x97\xa5");
	/* The whole set, against Unicode's own list (perl's \p{Default_Ignorable_Code_Point}, and the three extras). */
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++)
		if (!ASSERT_EQ(escape__is_invisible(cp), ref_invisible(cp))) {
			printf("    code point U+%04X\n", cp);
			break;
		}
}

static void test_text_arg(void)
{
	ASSERT_STREQ(arg(LIT("ls")), "ls");
	ASSERT_STREQ(arg(LIT("-la")), "-la");
	ASSERT_STREQ(arg(LIT("/usr/bin/env")), "/usr/bin/env");
	ASSERT_STREQ(arg(LIT("a=b,c:d@e%f+g^h~i_j.k-0")), "a=b,c:d@e%f+g^h~i_j.k-0");
	ASSERT_STREQ(arg(LIT("caf\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80")), "caf\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80");
	ASSERT_STREQ(arg(LIT("")), "\"\"");
	ASSERT_STREQ(arg(LIT("a b")), "\"a b\"");
	ASSERT_STREQ(arg(LIT("it's")), "\"it's\"");
	ASSERT_STREQ(arg(LIT("say \"hi\"")), "\"say \\\"hi\\\"\"");
	ASSERT_STREQ(arg(LIT("$HOME")), "\"$HOME\"");
	ASSERT_STREQ(arg(LIT("`id`")), "\"`id`\"");
	ASSERT_STREQ(arg(LIT("*.c")), "\"*.c\"");
	ASSERT_STREQ(arg(LIT("a?")), "\"a?\"");
	ASSERT_STREQ(arg(LIT("a;b")), "\"a;b\"");
	ASSERT_STREQ(arg(LIT("back\\slash")), "\"back\\\\slash\"");
	ASSERT_STREQ(arg(LIT("a\nb")), "\"a\\nb\"");
	ASSERT_STREQ(arg(LIT("a\0b")), "\"a\\x00b\"");
	ASSERT_STREQ(arg(LIT("\x1b[2J")), "\"\\x1b[2J\"");
	ASSERT_STREQ(arg(LIT("\x7f")), "\"\\x7f\"");
	ASSERT_STREQ(arg(LIT("\xff")), "\"\\xff\"");
	ASSERT_STREQ(arg(LIT("ok\xed\xa0\x80")), "\"ok\\xed\\xa0\\x80\"");
	ASSERT_STREQ(arg(LIT("\xc2\x9b")), "\"\\u009b\"");
	ASSERT_STREQ(arg(LIT("\xc2\xa0")), "\xc2\xa0");
	/* Appends: a command line is several calls into one buffer. */
	outbuf__reset(&ob);
	escape__text_arg(&ob, LIT("echo"));
	outbuf__putc(&ob, ' ');
	escape__text_arg(&ob, LIT("a b"));
	ASSERT_STREQ(outbuf__cstr(&ob), "echo \"a b\"");
}

static void test_json(void)
{
	ASSERT_STREQ(json(LIT("")), "\"\"");
	ASSERT_STREQ(json(LIT("plain")), "\"plain\"");
	ASSERT_STREQ(json(LIT("\x1b[2J")), "\"\\u001b[2J\"");
	ASSERT_STREQ(json(LIT("\x1b]0;title\x07")), "\"\\u001b]0;title\\u0007\"");
	ASSERT_STREQ(json(LIT("a\0b")), "\"a\\u0000b\"");
	ASSERT_STREQ(json(LIT("\b\f\n\r\t")), "\"\\b\\f\\n\\r\\t\"");
	ASSERT_STREQ(json(LIT("\x01\x0b\x1f\x7f")), "\"\\u0001\\u000b\\u001f\\u007f\"");
	ASSERT_STREQ(json(LIT("say \"hi\"")), "\"say \\\"hi\\\"\"");
	ASSERT_STREQ(json(LIT("back\\slash/")), "\"back\\\\slash/\"");
	/* Invalid UTF-8: one U+FFFD per byte. */
	ASSERT_STREQ(json(LIT("\xff")), "\"" RC "\"");
	ASSERT_STREQ(json(LIT("\x80" "a")), "\"" RC "a\"");
	ASSERT_STREQ(json(LIT("\xc3")), "\"" RC "\"");
	ASSERT_STREQ(json(LIT("\xc3" "A")), "\"" RC "A\"");
	ASSERT_STREQ(json(LIT("\xe6\x97")), "\"" RC RC "\"");
	ASSERT_STREQ(json(LIT("\xc3\xc3\xa9")), "\"" RC "\xc3\xa9\"");
	ASSERT_STREQ(json(LIT("\xc0\xaf")), "\"" RC RC "\"");
	ASSERT_STREQ(json(LIT("\xe0\x80\xaf")), "\"" RC RC RC "\"");
	ASSERT_STREQ(json(LIT("\xf0\x80\x80\xaf")), "\"" RC RC RC RC "\"");
	ASSERT_STREQ(json(LIT("\xed\xa0\x80")), "\"" RC RC RC "\"");
	ASSERT_STREQ(json(LIT("\xed\xbf\xbf")), "\"" RC RC RC "\"");
	ASSERT_STREQ(json(LIT("\xf4\x90\x80\x80")), "\"" RC RC RC RC "\"");
	ASSERT_STREQ(json(LIT("\xf5\x80")), "\"" RC RC "\"");
	/* C1 controls. */
	ASSERT_STREQ(json(LIT("\xc2\x80")), "\"\\u0080\"");
	ASSERT_STREQ(json(LIT("\xc2\x9b" "31m")), "\"\\u009b31m\"");
	ASSERT_STREQ(json(LIT("\xc2\x9f")), "\"\\u009f\"");
	/* Valid UTF-8 as is, the replacement character itself included. */
	ASSERT_STREQ(json(LIT("\xc2\xa0")), "\"\xc2\xa0\"");
	ASSERT_STREQ(json(LIT("caf\xc3\xa9")), "\"caf\xc3\xa9\"");
	ASSERT_STREQ(json(LIT("\xe6\x97\xa5\xe6\x9c\xac")), "\"\xe6\x97\xa5\xe6\x9c\xac\"");
	ASSERT_STREQ(json(LIT("\xf0\x9f\x98\x80")), "\"\xf0\x9f\x98\x80\"");
	ASSERT_STREQ(json(LIT(RC)), "\"" RC "\"");
	ASSERT_STREQ(json(LIT("\xf4\x8f\xbf\xbf")), "\"\xf4\x8f\xbf\xbf\"");
}

static void test_is_valid_utf8(void)
{
	ASSERT_TRUE(escape__is_valid_utf8(LIT("")));
	ASSERT_TRUE(escape__is_valid_utf8(LIT("a\0b")));
	ASSERT_TRUE(escape__is_valid_utf8(LIT("\x7f\xc2\x80\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80")));
	ASSERT_TRUE(escape__is_valid_utf8(LIT("\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf")));
	ASSERT_TRUE(escape__is_valid_utf8(LIT("\xe0\xa0\x80\xf0\x90\x80\x80"))); /* smallest 3- and 4-byte */
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\x80")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xc3")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xc3" "A")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xc0\x80")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xe0\x9f\xbf")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xf0\x8f\xbf\xbf")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xed\xa0\x80")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xf4\x90\x80\x80")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xf5\x80\x80\x80")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("\xff")));
	ASSERT_FALSE(escape__is_valid_utf8(LIT("ok\xe6\x97")));
}

/*
 * ---- An independent checker for the randomized tests. ----
 *
 * Decodes by computing the code point and checking its range afterwards
 * (the escaper instead checks byte ranges up front), so a mistake in one
 * is unlikely to be repeated in the other.
 */

/* Decode one scalar value at s[i]; returns its length, 0 if invalid. */
static size_t ref_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
	unsigned char c = s[i];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (i + len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i + k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static bool ref_valid_utf8(const unsigned char *s, size_t n)
{
	uint32_t cp;

	for (size_t i = 0, k; i < n; i += k)
		if (!(k = ref_decode(s, n, i, &cp)))
			return false;
	return true;
}

static size_t put_utf8(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Terminal safety: valid UTF-8 and no C0, DEL, C1 or invisible character anywhere. */
static bool terminal_safe(const unsigned char *s, size_t n)
{
	uint32_t cp;

	for (size_t i = 0, k; i < n; i += k) {
		k = ref_decode(s, n, i, &cp);
		if (!k || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || ref_invisible(cp))
			return false;
	}
	return true;
}

/* n hex digits at s (none past to), or -1. */
static long hexn(const unsigned char *s, size_t at, size_t to, int n)
{
	long v = 0;

	if (at + n > to)
		return -1;
	for (int k = 0; k < n; k++) {
		if (hexval(s[at + k]) < 0)
			return -1;
		v = v << 4 | hexval(s[at + k]);
	}
	return v;
}

/*
 * Undo escape__text() (from..to of s) into out; returns the length, or -1 on
 * something escape__text() never writes. quoted: \" is allowed too.
 */
static long unescape_text(const unsigned char *s, size_t from, size_t to, bool quoted, unsigned char *out)
{
	size_t o = 0;

	for (size_t i = from; i < to; i++) {
		if (s[i] != '\\') {
			if (quoted && s[i] == '"')
				return -1;
			out[o++] = s[i];
			continue;
		}
		if (++i >= to)
			return -1;
		switch (s[i]) {
		case '\\': out[o++] = '\\'; break;
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case '"':
			if (!quoted)
				return -1;
			out[o++] = '"';
			break;
		case 'x':
			if (i + 2 >= to || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return -1;
			out[o++] = (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
			break;
		case 'u':
		case 'U': {
			int digits = s[i] == 'u' ? 4 : 8;
			long v = hexn(s, i + 1, to, digits);

			/* Only C1 and invisible characters are written this way; \U only above U+FFFF. */
			if (v < 0 || !((v >= 0x80 && v <= 0x9f) || ref_invisible(v)) || (digits == 8) != (v > 0xffff))
				return -1;
			o += put_utf8(out + o, (uint32_t)v);
			i += digits;
			break;
		}
		default:
			return -1;
		}
	}
	return (long)o;
}

/*
 * Strict JSON string check; decodes into out (may be NULL). Returns the
 * decoded length or -1.
 */
static long check_json(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t o = 0;
	uint32_t cp;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"' || !ref_valid_utf8(s, n))
		return -1;
	for (size_t i = 1; i < n - 1;) {
		if (s[i] < 0x20 || s[i] == '"')
			return -1;
		if (s[i] != '\\') {
			size_t k = ref_decode(s, n, i, &cp);

			if (!k || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || ref_invisible(cp))
				return -1; /* we promise those escaped */
			if (out)
				memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		/* The closing quote must not be the escaped character. */
		if (i + 1 >= n - 1)
			return -1;
		switch (s[i + 1]) {
		case '"': case '\\': case '/':
			cp = s[i + 1];
			break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (i + 6 > n - 1)
				return -1;
			cp = 0;
			for (int k = 2; k < 6; k++) {
				if (hexval(s[i + k]) < 0)
					return -1;
				cp = cp << 4 | (uint32_t)hexval(s[i + k]);
			}
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1; /* a low surrogate alone */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* Only for an invisible character above U+FFFF: then its low half. */
				long lo = i + 7 < n - 1 && s[i + 6] == '\\' && s[i + 7] == 'u' ? hexn(s, i + 8, n - 1, 4) : -1;

				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (uint32_t)(lo - 0xdc00);
				if (!ref_invisible(cp))
					return -1;
				i += 6;
			}
			i += 4;
			break;
		default:
			return -1;
		}
		i += 2;
		if (out)
			o += put_utf8(out + o, cp);
		else
			o += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	}
	return (long)o;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: fixed seed, so a failure is reproducible. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/*
 * Random bytes biased towards the interesting ones: lead bytes at range
 * edges, continuation bytes, C1, valid sequences, and controls.
 */
static size_t random_input(unsigned char *buf)
{
	static const char *const frags[] = {
		"\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xc2\x80", "\xc2\x9b", "\xc2\x9f",
		"\xc2\xa0", "\xed\x9f\xbf", "\xed\xa0\x80", "\xee\x80\x80", "\xf4\x8f\xbf\xbf",
		"\xf4\x90\x80\x80", "\xe0\xa0\x80", "\xe0\x9f\xbf", "\xf0\x90\x80\x80",
		"\xf0\x8f\xbf\xbf", "\xc0\x80", "\xc1\xbf", "\xef\xbf\xbd", "\x1b[2J", "\\", "\"",
		"\\u0041", "\\x41", "\xe2\x80\xae", "\xe2\x80\x8b", "\xef\xbb\xbf", "\xc2\xad", "\xf3\xa0\x81\x81",
		"\xe2\x81\xa9", "\\u202e", "\\U000e0041",
	};
	static const unsigned char edges[] = {
		0x00, 0x07, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1b, 0x1f, 0x20, 0x22, 0x5c, 0x7e, 0x7f,
		0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef,
		0xf0, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff,
	};
	size_t len = (size_t)(rng() % 65), n = 0;

	while (n < len) {
		unsigned r = (unsigned)(rng() % 10);

		if (r < 3) {
			buf[n++] = (unsigned char)rng();
		} else if (r < 5) {
			buf[n++] = (unsigned char)(0x20 + rng() % 95);
		} else if (r < 7) {
			buf[n++] = edges[rng() % sizeof(edges)];
		} else {
			const char *f = frags[rng() % (sizeof(frags) / sizeof(frags[0]))];
			size_t fl = strlen(f);

			/* Sometimes cut short, for truncated sequences. */
			if (fl > 1 && rng() % 4 == 0)
				fl = 1 + (size_t)(rng() % (fl - 1));
			if (fl > len - n)
				fl = len - n;
			memcpy(buf + n, f, fl);
			n += fl;
		}
	}
	return len;
}

static void dump(const char *what, const unsigned char *s, size_t n)
{
	printf("    %s:", what);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", s[i]);
	printf("\n");
}

static void test_random_json(void)
{
	unsigned char in[64], dec[64 * 4];
	int bad = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 10000 && bad < 5; iter++) {
		size_t n = random_input(in);
		bool valid = ref_valid_utf8(in, n);
		const unsigned char *out;
		long dn;

		ASSERT_EQ(escape__is_valid_utf8((const char *)in, n), valid);
		out = (const unsigned char *)json((const char *)in, n);
		dn = check_json(out, ob.len, dec);
		if (!ASSERT_GE(dn, 0) ||
		    /* Valid input must round-trip exactly. */
		    (valid && !(ASSERT_EQ(dn, n) && ASSERT_MEMEQ(dec, in, n)))) {
			dump("input", in, n);
			dump("output", out, ob.len);
			bad++;
		}
	}
}

static void test_random_text(void)
{
	unsigned char in[64], dec[64 * 4];
	int bad = 0;

	rng_state = 0x2545f4914f6cdd1dull;
	for (int iter = 0; iter < 10000 && bad < 5; iter++) {
		size_t n = random_input(in);
		const unsigned char *out;
		long dn;
		bool ok;

		/* escape__text(): safe, and reversible (so nothing was lost or made ambiguous). */
		out = (const unsigned char *)text((const char *)in, n);
		dn = unescape_text(out, 0, ob.len, false, dec);
		ok = ASSERT_TRUE(terminal_safe(out, ob.len)) && ASSERT_EQ(dn, n) && ASSERT_MEMEQ(dec, in, n);

		/* escape__text_arg(): bare only when unchanged and unambiguous; else quoted and reversible. */
		out = (const unsigned char *)arg((const char *)in, n);
		ok = ok && ASSERT_TRUE(terminal_safe(out, ob.len)) && ASSERT_GE(ob.len, 1);
		if (ok && out[0] == '"') {
			ok = ASSERT_GE(ob.len, 2) && ASSERT_EQ(out[ob.len - 1], '"');
			dn = ok ? unescape_text(out, 1, ob.len - 1, true, dec) : -1;
			ok = ok && ASSERT_EQ(dn, n) && ASSERT_MEMEQ(dec, in, n);
		} else if (ok) {
			ok = ASSERT_EQ(ob.len, n) && ASSERT_MEMEQ(out, in, n) &&
			     ASSERT_TRUE(strpbrk((const char *)out, " \"'\\$`*?;&|<>()[]{}#!") == NULL);
		}
		if (!ok) {
			dump("input", in, n);
			dump("output", out, ob.len);
			bad++;
		}
	}
}

/* Into an fd-backed outbuf, where output is cut in batches of cap bytes. */
static void test_small_fd_buffer(void)
{
	struct outbuf fob;
	char got[256];
	ssize_t k;
	int p[2];

	if (!ASSERT_EQ(pipe(p), 0))
		return;
	if (!ASSERT_EQ(outbuf__init(&fob, p[1], 3), 0))
		return;
	escape__json_string(&fob, LIT("a\xff\x1b\xc2\x9b\xe6\x97\xa5 long enough to pass cap"));
	ASSERT_EQ(outbuf__flush(&fob), 0);
	outbuf__free(&fob);
	close(p[1]);
	k = read(p[0], got, sizeof(got) - 1);
	close(p[0]);
	got[k > 0 ? k : 0] = '\0';
	ASSERT_STREQ(got, "\"a" RC "\\u001b\\u009b\xe6\x97\xa5 long enough to pass cap\"");
}

/* An argument area: NUL-separated, the last argument unterminated when cut. */
static void test_argv(void)
{
	static const char area[] = "ls\0-l\0a b\0\0\x1b[2J";
	size_t len = sizeof(area) - 1; /* the last one is unterminated, as when cut */

	outbuf__reset(&ob);
	ASSERT_FALSE(escape__argv_text(&ob, area, len, 0));
	ASSERT_STREQ(outbuf__cstr(&ob), "ls -l \"a b\" \"\" \"\\x1b[2J\"");
	/* Cut after about max bytes: says so, and never splits an argument. */
	outbuf__reset(&ob);
	ASSERT_TRUE(escape__argv_text(&ob, area, len, 4));
	ASSERT_STREQ(outbuf__cstr(&ob), "ls -l");
	outbuf__reset(&ob);
	ASSERT_FALSE(escape__argv_text(&ob, "ls\0", 3, 1));
	ASSERT_STREQ(outbuf__cstr(&ob), "ls");
}

/* Into a fixed buffer for a message: escaped as escape__text() does, cut only between whole escapes or characters. */
static void test_text_str(void)
{
	char buf[12];

	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("plain")), "plain");
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("\x1b[2J")), "\\x1b[2J");
	/* 11 bytes fit: "abcdefgh" and then "\x1b" would need 12. */
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("abcdefgh\x1b")), "abcdefgh");
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("abcdefg\x1b")), "abcdefg\\x1b");
	/* A C1 control (\u009b, 6 bytes) and a 3-byte character are not split either. */
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("abcdef\xc2\x9b")), "abcdef");
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("abcde\xc2\x9b")), "abcde\\u009b");
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("abcdefghi\xe6\x97\xa5")), "abcdefghi");
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("abcdefgh\xe6\x97\xa5")), "abcdefgh\xe6\x97\xa5");
	ASSERT_STREQ(escape__text_str(buf, sizeof(buf), LIT("a\\b\nc")), "a\\\\b\\nc");
	ASSERT_STREQ(escape__text_str(buf, 1, LIT("abc")), "");
	ASSERT_TRUE(escape__is_valid_utf8(escape__text_str(buf, sizeof(buf), LIT("\xff\xfe\xfd\xfc")), strlen(buf)));
	ASSERT_STREQ(buf, "\\xff\\xfe");
}

int main(void)
{
	tl_init("unit/escape");
	if (outbuf__init(&ob, -1, 64) < 0)
		return 1;
	RUN_TEST(test_text_controls);
	RUN_TEST(test_text_invalid_utf8);
	RUN_TEST(test_text_c1_and_valid);
	RUN_TEST(test_invisible);
	RUN_TEST(test_text_arg);
	RUN_TEST(test_json);
	RUN_TEST(test_is_valid_utf8);
	RUN_TEST(test_random_json);
	RUN_TEST(test_random_text);
	RUN_TEST(test_small_fd_buffer);
	RUN_TEST(test_argv);
	RUN_TEST(test_text_str);
	outbuf__free(&ob);
	return tl_finish();
}
