/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#include <linux/types.h>
#include <stdint.h>
#include <string.h>

#include "proclife.h"
#include "base/escape.h"

/*
 * Byte classes, one table per output syntax, so the inner loop that skips
 * over bytes to copy unchanged is a single lookup per byte.
 */
enum {
	C_COPY = 0, /* copied as is */
	C_SPECIAL,  /* ASCII that must be escaped */
	C_HIGH,     /* >= 0x80: decode UTF-8 first */
};

#define HIGH_BYTES [0x80 ... 0xff] = C_HIGH

static const uint8_t text_class[256] = {
	[0x00 ... 0x1f] = C_SPECIAL, ['\\'] = C_SPECIAL, [0x7f] = C_SPECIAL, HIGH_BYTES,
};

/* Inside escape__text_arg()'s double quotes, '"' has to be escaped as well. */
static const uint8_t quoted_class[256] = {
	[0x00 ... 0x1f] = C_SPECIAL, ['"'] = C_SPECIAL, ['\\'] = C_SPECIAL, [0x7f] = C_SPECIAL,
	HIGH_BYTES,
};

static const uint8_t json_class[256] = {
	[0x00 ... 0x1f] = C_SPECIAL, ['"'] = C_SPECIAL, ['\\'] = C_SPECIAL, [0x7f] = C_SPECIAL,
	HIGH_BYTES,
};

/* ASCII that needs no quoting in escape__text_arg(). */
static const bool arg_safe[256] = {
	['A' ... 'Z'] = true, ['a' ... 'z'] = true, ['0' ... '9'] = true,
	['_'] = true, ['-'] = true, ['.'] = true, ['/'] = true, [':'] = true, ['='] = true,
	['@'] = true, ['%'] = true, ['+'] = true, [','] = true, ['^'] = true, ['~'] = true,
};

static const char hexdig[16] = "0123456789abcdef";

/*
 * Length (2..4) of the well-formed UTF-8 sequence starting at s[0] (which
 * is >= 0x80), or 0 when s[0] cannot start one here. The ranges for the
 * second byte are those of Unicode table 3-7; they rule out overlong
 * forms (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points
 * above U+10FFFF (F4 90..BF, F5..FF), so nothing else needs checking.
 */
static inline size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0xc2) /* stray continuation byte, or C0/C1: always overlong */
		return 0;
	if (c < 0xe0) {
		n = 2;
	} else if (c < 0xf0) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}

	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A decoded 2-byte sequence that is U+0080..U+009F. */
static inline bool is_c1(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

/* The code point of the well-formed sequence s[0..n) (n 2..4, utf8_seq()'s). */
static inline uint32_t utf8_cp(const unsigned char *s, size_t n)
{
	uint32_t cp = s[0] & (0x7f >> n);

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/*
 * Valid characters that show as nothing, or change how the text around
 * them shows: an argv holding them reads differently from what ran (a
 * right-to-left override turns "evil\u202e1.sh" around; a zero-width space
 * makes two different names look the same). Unicode's
 * Default_Ignorable_Code_Point set (DerivedCoreProperties.txt: the soft
 * hyphen, bidi marks, embeddings, overrides and isolates, zero-width spaces
 * and joiners, invisible operators, variation selectors, Hangul fillers,
 * tags), plus the line and paragraph separators U+2028, U+2029 and the
 * interlinear annotation characters U+FFF9..U+FFFB. Sorted.
 */
static const struct {
	uint32_t lo, hi;
} invisible[] = {
	{ 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c }, { 0x115f, 0x1160 }, { 0x17b4, 0x17b5 },
	{ 0x180b, 0x180f }, { 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x206f }, { 0x3164, 0x3164 },
	{ 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb }, { 0x1bca0, 0x1bca3 },
	{ 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
};

bool escape__is_invisible(uint32_t cp)
{
	for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]) && cp >= invisible[i].lo; i++)
		if (cp <= invisible[i].hi)
			return true;
	return false;
}

/* A decoded sequence (n 2..4) that is escaped although valid: a C1 control or an invisible character. */
static inline bool is_hidden(const unsigned char *s, size_t n)
{
	/* Every one of them is above U+00AC: most text is decided by its first bytes. */
	return is_c1(s, n) || ((s[0] > 0xc2 || s[1] >= 0xad) && escape__is_invisible(utf8_cp(s, n)));
}

static inline void put_hex_x(struct outbuf *ob, unsigned char c)
{
	char b[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 0xf] };

	outbuf__write(ob, b, sizeof(b));
}

/* \u00XX: JSON's escape for control bytes, and ours for C1 in both syntaxes. */
static inline void put_u00(struct outbuf *ob, unsigned char c)
{
	char b[6] = { '\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 0xf] };

	outbuf__write(ob, b, sizeof(b));
}

/* \uXXXX, the escape of a C1 control or invisible character in both syntaxes. */
static inline void put_u16(struct outbuf *ob, uint32_t cp)
{
	char b[6] = { '\\', 'u', hexdig[cp >> 12 & 0xf], hexdig[cp >> 8 & 0xf], hexdig[cp >> 4 & 0xf], hexdig[cp & 0xf] };

	outbuf__write(ob, b, sizeof(b));
}

/* A hidden character (is_hidden()) in text: \uXXXX, or \UXXXXXXXX above U+FFFF (as Python writes them). */
static void put_text_cp(struct outbuf *ob, uint32_t cp)
{
	char b[10] = { '\\', 'U' };

	if (cp <= 0xffff) {
		put_u16(ob, cp);
		return;
	}
	for (int i = 0; i < 8; i++)
		b[2 + i] = hexdig[cp >> (28 - 4 * i) & 0xf];
	outbuf__write(ob, b, sizeof(b));
}

/* A hidden character in JSON: \uXXXX, or its UTF-16 surrogate pair above U+FFFF (RFC 8259, section 7). */
static void put_json_cp(struct outbuf *ob, uint32_t cp)
{
	if (cp <= 0xffff) {
		put_u16(ob, cp);
		return;
	}
	cp -= 0x10000;
	put_u16(ob, 0xd800 | cp >> 10);
	put_u16(ob, 0xdc00 | (cp & 0x3ff));
}

/*
 * The body of escape__text() and of a quoted escape__text_arg(). Runs of
 * bytes that need no escaping (printable ASCII and valid non-C1 UTF-8) are
 * copied with one outbuf__write() each.
 */
static void text_body(struct outbuf *ob, const unsigned char *s, size_t len, const uint8_t *cls)
{
	size_t i = 0, run = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n = 1;

		if (cls[c] == C_COPY) {
			i++;
			continue;
		}
		if (cls[c] == C_HIGH) {
			n = utf8_seq(s + i, len - i);
			if (n && !is_hidden(s + i, n)) {
				i += n;
				continue;
			}
		}

		outbuf__write(ob, s + run, i - run);
		if (n >= 2) { /* C1, or invisible */
			put_text_cp(ob, utf8_cp(s + i, n));
			i += n;
		} else {
			/* n == 0 (invalid byte) is handled like n == 1: one byte out. */
			switch (c) {
			case '\\': outbuf__write(ob, "\\\\", 2); break;
			case '"':  outbuf__write(ob, "\\\"", 2); break;
			case '\n': outbuf__write(ob, "\\n", 2); break;
			case '\t': outbuf__write(ob, "\\t", 2); break;
			case '\r': outbuf__write(ob, "\\r", 2); break;
			default:   put_hex_x(ob, c); break;
			}
			i++;
		}
		run = i;
	}
	outbuf__write(ob, s + run, i - run);
}

void escape__text(struct outbuf *ob, const char *s, size_t len)
{
	text_body(ob, (const unsigned char *)s, len, text_class);
}

/* Whether an argv element can be shown without quotes. */
static bool arg_is_bare(const unsigned char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return false; /* an empty argument must stay visible: "" */
	while (i < len) {
		if (arg_safe[s[i]]) {
			i++;
		} else if (s[i] >= 0x80) {
			size_t n = utf8_seq(s + i, len - i);

			if (n == 0 || is_hidden(s + i, n))
				return false;
			i += n;
		} else {
			return false;
		}
	}
	return true;
}

void escape__text_arg(struct outbuf *ob, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (arg_is_bare(u, len)) {
		/* Nothing in it that escape__text() would change. */
		outbuf__write(ob, s, len);
		return;
	}
	outbuf__putc(ob, '"');
	text_body(ob, u, len, quoted_class);
	outbuf__putc(ob, '"');
}

void escape__json_string(struct outbuf *ob, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	outbuf__putc(ob, '"');
	while (i < len) {
		unsigned char c = s[i];
		size_t n = 1;

		if (json_class[c] == C_COPY) {
			i++;
			continue;
		}
		if (json_class[c] == C_HIGH) {
			n = utf8_seq(s + i, len - i);
			if (n && !is_hidden(s + i, n)) {
				i += n;
				continue;
			}
		}

		outbuf__write(ob, s + run, i - run);
		if (n == 0) {
			/*
			 * JSON strings are Unicode; a raw invalid byte would make
			 * the whole document invalid. U+FFFD is what every
			 * decoder would substitute anyway.
			 */
			outbuf__write(ob, "\xef\xbf\xbd", 3);
			i++;
		} else if (n >= 2) { /* C1, or invisible */
			put_json_cp(ob, utf8_cp(s + i, n));
			i += n;
		} else {
			switch (c) {
			case '"':  outbuf__write(ob, "\\\"", 2); break;
			case '\\': outbuf__write(ob, "\\\\", 2); break;
			case '\b': outbuf__write(ob, "\\b", 2); break;
			case '\f': outbuf__write(ob, "\\f", 2); break;
			case '\n': outbuf__write(ob, "\\n", 2); break;
			case '\r': outbuf__write(ob, "\\r", 2); break;
			case '\t': outbuf__write(ob, "\\t", 2); break;
			default:   put_u00(ob, c); break;
			}
			i++;
		}
		run = i;
	}
	outbuf__write(ob, s + run, i - run);
	outbuf__putc(ob, '"');
}

bool escape__is_valid_utf8(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
		} else {
			size_t n = utf8_seq(s + i, len - i);

			if (n == 0)
				return false;
			i += n;
		}
	}
	return true;
}

/* The next argument of an argument area: (a, *n); the cursor moves past it. */
static const char *next_arg(const char **cur, const char *end, size_t *n)
{
	const char *a = *cur, *nul = memchr(a, '\0', end - a);

	*n = nul ? (size_t)(nul - a) : (size_t)(end - a);
	*cur = a + *n + 1;
	return a;
}

void escape__comm_text(struct outbuf *ob, const char *comm)
{
	escape__text(ob, comm, strnlen(comm, PL_COMM_LEN));
}

bool escape__argv_text(struct outbuf *ob, const char *args, size_t len, size_t max)
{
	const char *cur = args, *end = args + len;
	size_t start = ob->len, n;

	while (cur < end) {
		const char *a = next_arg(&cur, end, &n);

		if (a != args)
			outbuf__putc(ob, ' ');
		escape__text_arg(ob, a, n);
		if (max && ob->len - start > max && cur < end)
			return true;
	}
	return false;
}

/* Bytes in the escaped text at p (escape__text()'s output) of its first escape or character. */
static size_t escaped_unit(const unsigned char *p, size_t len)
{
	size_t n = 1;

	if (p[0] == '\\' && len > 1)
		n = p[1] == 'x' ? 4 : p[1] == 'u' ? 6 : p[1] == 'U' ? 10 : 2;
	else if (p[0] >= 0x80)
		n = utf8_seq(p, len);
	return n && n <= len ? n : 1;
}

char *escape__text_str(char *buf, size_t size, const char *s, size_t len)
{
	struct outbuf ob;
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (outbuf__init(&ob, -1, len + 16) < 0)
		return buf;
	escape__text(&ob, s, len);
	while (!ob.err && n < ob.len) {
		size_t u = escaped_unit((const unsigned char *)ob.data + n, ob.len - n);

		if (n + u > size - 1)
			break;
		n += u;
	}
	memcpy(buf, ob.data, n);
	buf[n] = '\0';
	outbuf__free(&ob);
	return buf;
}
