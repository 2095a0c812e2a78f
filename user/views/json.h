/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The one JSON emitter: every JSON document or line proclife prints is
 * written through these, into an outbuf. It puts the commas (and, in the
 * spaced style, the spaces) where they go, escapes every string through
 * base/escape (valid UTF-8 JSON for any bytes), and writes null for what
 * has no value. Nothing else in user/ writes JSON syntax
 * (tests/layers/test_layers.py checks).
 *
 * The state is one flag, not a stack: after a value the next one in the
 * same container needs a comma; after an opening bracket or a key it does
 * not; closing a container ends a value of the one around it. So nesting
 * has no limit (a chain of thousands of processes is thousands of levels in
 * `run --json`). Values at depth 0 (JSON lines) take no comma. The kind of
 * each of the innermost 64 open containers is kept too, only to notice a
 * misuse (a key in an array, a wrong closing bracket): json__finish() says.
 *
 * Keys are literals from our own code (ASCII, nothing to escape), written
 * as they are; the hot ones are inline, so that a key is a copy of a known
 * size, as before the emitter.
 */
#ifndef PROCLIFE_JSON_H
#define PROCLIFE_JSON_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/outbuf.h"

struct json {
	struct outbuf *ob;
	unsigned depth;   /* containers open */
	bool comma;       /* a value ended in the open container: a comma before the next */
	bool spaced;      /* ", " and ": " (a document for people to read too) */
	bool misused;     /* a key outside an object, a wrong or extra closing bracket */
	uint64_t arrays;  /* bit d: the container at depth d + 1 is an array (the innermost 64) */
};

/* Compact: {"a":1,"b":[2,3]}. */
void json__init(struct json *j, struct outbuf *ob);
/* Spaced: {"a": 1, "b": [2, 3]}. */
void json__init_spaced(struct json *j, struct outbuf *ob);
/*
 * Fields of an object that another json began (the caller writes no
 * braces): what json__splice() takes. Compact.
 */
void json__init_fields(struct json *j, struct outbuf *ob);
/* 0 when every container was closed and nothing was misused, else -EINVAL. */
int json__finish(const struct json *j);

void json__begin_object(struct json *j);
void json__end_object(struct json *j);
void json__begin_array(struct json *j);
void json__end_array(struct json *j);

/* Values. */
void json__null(struct json *j);
void json__bool(struct json *j, bool v);
void json__i64(struct json *j, int64_t v);
/* A double with this many decimals ("%.*f"); null when it is not finite (JSON has no NaN). */
void json__double(struct json *j, double v, int decimals);
/* v / 10^decimals, exactly (no double): json__fixed(j, 1234567, 3) is 1234.567. decimals <= 9. */
void json__fixed(struct json *j, uint64_t v, unsigned decimals);
/* Bytes from anywhere (a process, a file): escaped. */
void json__string(struct json *j, const char *s, size_t len);
/* A C string, or null for NULL. */
void json__cstr(struct json *j, const char *s);
/* A task's comm (PL_COMM_LEN bytes, NUL-terminated only when shorter). */
void json__comm(struct json *j, const char *comm);
/* An argument area (NUL-separated strings; the last one lacks its NUL when cut) as an array of strings. */
void json__argv(struct json *j, const char *args, size_t len);

/*
 * Whitespace: s (spaces and newlines only) as it is, between tokens. The
 * state does not change: "\n" after a value at depth 0 ends a JSON line.
 */
void json__ws(struct json *j, const char *s);
/* The comma the next value needs, if any, then a newline: one element per line. */
void json__break(struct json *j);
/*
 * Fields written by a json__init_fields() into another buffer, here, as
 * fields of the object open now. The piece ends after a value; open: how
 * many objects it left open (closed here, with json__end_object()).
 */
void json__splice(struct json *j, const char *piece, size_t len, unsigned open);

/* The comma (and space) before a value or key, when one is due. */
static inline void json__sep(struct json *j)
{
	if (j->comma) {
		if (j->spaced)
			outbuf__write(j->ob, ", ", 2);
		else
			outbuf__putc(j->ob, ',');
	}
}

/* A value ends: the next one in this container needs a comma (not at depth 0: JSON lines). */
static inline void json__ended(struct json *j)
{
	j->comma = j->depth > 0;
}

static inline void json__key(struct json *j, const char *k)
{
	if (j->depth == 0 || (j->depth <= 64 && (j->arrays >> (j->depth - 1) & 1)))
		j->misused = true;
	json__sep(j);
	outbuf__putc(j->ob, '"');
	outbuf__puts(j->ob, k);
	if (j->spaced)
		outbuf__write(j->ob, "\": ", 3);
	else
		outbuf__write(j->ob, "\":", 2);
	j->comma = false;
}

static inline void json__u64(struct json *j, uint64_t v)
{
	json__sep(j);
	outbuf__u64(j->ob, v);
	json__ended(j);
}

/* A key and its value, the usual pair. */
static inline void json__kv_u64(struct json *j, const char *k, uint64_t v)
{
	json__key(j, k);
	json__u64(j, v);
}

static inline void json__kv_i64(struct json *j, const char *k, int64_t v)
{
	json__key(j, k);
	json__i64(j, v);
}

static inline void json__kv_bool(struct json *j, const char *k, bool v)
{
	json__key(j, k);
	json__bool(j, v);
}

static inline void json__kv_null(struct json *j, const char *k)
{
	json__key(j, k);
	json__null(j);
}

static inline void json__kv_string(struct json *j, const char *k, const char *s, size_t len)
{
	json__key(j, k);
	json__string(j, s, len);
}

/* A C string, or null for NULL. */
static inline void json__kv_cstr(struct json *j, const char *k, const char *s)
{
	json__key(j, k);
	json__cstr(j, s);
}

static inline void json__kv_comm(struct json *j, const char *k, const char *comm)
{
	json__key(j, k);
	json__comm(j, comm);
}

/* A number, or null when there is none (known false). */
static inline void json__kv_u64_or_null(struct json *j, const char *k, bool known, uint64_t v)
{
	json__key(j, k);
	if (known)
		json__u64(j, v);
	else
		json__null(j);
}

static inline void json__kv_i64_or_null(struct json *j, const char *k, bool known, int64_t v)
{
	json__key(j, k);
	if (known)
		json__i64(j, v);
	else
		json__null(j);
}

#endif
