// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <math.h>

#include <linux/types.h>

#include "proclife.h"
#include "base/escape.h"
#include "views/json.h"

void json__init(struct json *j, struct outbuf *ob)
{
	*j = (struct json){ .ob = ob };
}

void json__init_spaced(struct json *j, struct outbuf *ob)
{
	*j = (struct json){ .ob = ob, .spaced = true };
}

void json__init_fields(struct json *j, struct outbuf *ob)
{
	*j = (struct json){ .ob = ob, .depth = 1 };
}

int json__finish(const struct json *j)
{
	return j->depth || j->misused ? -EINVAL : 0;
}

static void begin(struct json *j, char c, bool array)
{
	json__sep(j);
	outbuf__putc(j->ob, c);
	if (j->depth < 64) {
		if (array)
			j->arrays |= 1ull << j->depth;
		else
			j->arrays &= ~(1ull << j->depth);
	}
	j->depth++;
	j->comma = false;
}

static void end(struct json *j, char c, bool array)
{
	if (j->depth == 0) {
		j->misused = true;
		return;
	}
	if (j->depth <= 64 && (bool)(j->arrays >> (j->depth - 1) & 1) != array)
		j->misused = true;
	outbuf__putc(j->ob, c);
	j->depth--;
	json__ended(j);
}

void json__begin_object(struct json *j)
{
	begin(j, '{', false);
}

void json__end_object(struct json *j)
{
	end(j, '}', false);
}

void json__begin_array(struct json *j)
{
	begin(j, '[', true);
}

void json__end_array(struct json *j)
{
	end(j, ']', true);
}

/* A literal token (null, true, false) as a value. */
static void token(struct json *j, const char *t, size_t n)
{
	json__sep(j);
	outbuf__write(j->ob, t, n);
	json__ended(j);
}

void json__null(struct json *j)
{
	token(j, "null", 4);
}

void json__bool(struct json *j, bool v)
{
	if (v)
		token(j, "true", 4);
	else
		token(j, "false", 5);
}

void json__i64(struct json *j, int64_t v)
{
	json__sep(j);
	outbuf__i64(j->ob, v);
	json__ended(j);
}

void json__double(struct json *j, double v, int decimals)
{
	if (!isfinite(v)) {
		json__null(j);
		return;
	}
	json__sep(j);
	outbuf__printf(j->ob, "%.*f", decimals, v);
	json__ended(j);
}

void json__fixed(struct json *j, uint64_t v, unsigned decimals)
{
	char frac[10];
	uint64_t scale = 1;

	if (decimals > 9)
		decimals = 9;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	json__sep(j);
	outbuf__u64(j->ob, v / scale);
	if (decimals) {
		uint64_t f = v % scale;

		frac[0] = '.';
		for (unsigned i = decimals; i > 0; i--, f /= 10)
			frac[i] = (char)('0' + f % 10);
		outbuf__write(j->ob, frac, decimals + 1);
	}
	json__ended(j);
}

void json__string(struct json *j, const char *s, size_t len)
{
	json__sep(j);
	escape__json_string(j->ob, s, len);
	json__ended(j);
}

void json__cstr(struct json *j, const char *s)
{
	if (s)
		json__string(j, s, strlen(s));
	else
		json__null(j);
}

void json__comm(struct json *j, const char *comm)
{
	json__string(j, comm, strnlen(comm, PL_COMM_LEN));
}

void json__argv(struct json *j, const char *args, size_t len)
{
	const char *cur = args, *end = args + len;

	json__begin_array(j);
	while (cur < end) {
		const char *nul = memchr(cur, '\0', end - cur);
		size_t n = nul ? (size_t)(nul - cur) : (size_t)(end - cur);

		json__string(j, cur, n);
		cur += n + 1;
	}
	json__end_array(j);
}

void json__ws(struct json *j, const char *s)
{
	outbuf__puts(j->ob, s);
}

void json__break(struct json *j)
{
	json__sep(j);
	outbuf__putc(j->ob, '\n');
	j->comma = false;
}

void json__splice(struct json *j, const char *piece, size_t len, unsigned open)
{
	if (j->depth == 0 || (j->depth <= 64 && (j->arrays >> (j->depth - 1) & 1)))
		j->misused = true;
	json__sep(j);
	outbuf__write(j->ob, piece, len);
	/* What the piece opened are objects (fields only go into objects). */
	for (unsigned i = 0; i < open; i++, j->depth++)
		if (j->depth < 64)
			j->arrays &= ~(1ull << j->depth);
	if (len)
		j->comma = true;
}
