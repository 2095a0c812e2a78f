/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Secrets kept out of argv (--redact REGEX, --redact-defaults): what the
 * expressions match is replaced by REDACT_MARK before anything is shown,
 * recorded or kept.
 *
 * An argument area (NUL-separated strings) is matched as one line, its
 * arguments joined by spaces, so that `--password SECRET` in two arguments
 * is caught as `--password=SECRET` in one. The expressions are POSIX
 * extended (ERE, regcomp(3)), matched byte by byte (the C locale, whatever
 * the terminal's). What is replaced: the part matched by the last
 * parenthesized subexpression that took part in the match (POSIX has no
 * non-capturing group: `--(password|passwd)[ =]([^ ]+)` replaces the value
 * only); an expression without one has its whole match replaced. Each
 * argument keeps its place: a replaced part that spans arguments becomes a
 * mark in each of them.
 */
#ifndef PROCLIFE_REDACT_H
#define PROCLIFE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* What a secret becomes: its length is not kept either. */
#define REDACT_MARK "*****"
#define REDACT_MARK_LEN 5

/* One of the --redact-defaults: what it catches, in words (for the docs), and its expression. */
struct redact_default {
	const char *catches;
	const char *regex;   /* ERE, matched without regard to case */
	/*
	 * Words separated by '|', lower case, one of which every match holds: a
	 * command line without any is not even given to the expression.
	 */
	const char *keys;
};

/* The --redact-defaults, up to one with a NULL regex. */
extern const struct redact_default redact_defaults[];

struct redact;

/* An empty set: redacts nothing until expressions are added. NULL when out of memory. */
struct redact *redact__new(void);
/* Add an expression (ERE, case-sensitive). 0, or -EINVAL with regerror()'s words in err. */
int redact__add(struct redact *r, const char *regex, char *err, size_t errlen);
/* Add the --redact-defaults (case-insensitive). 0 or -ENOMEM. */
int redact__add_defaults(struct redact *r);
/* Expressions in the set (the defaults count as one each). */
unsigned redact__count(const struct redact *r);
/* Is regex a valid ERE? 0, or -EINVAL with the reason in err. */
int redact__check(const char *regex, char *err, size_t errlen);

/*
 * in (len bytes: the NUL-separated strings of an argument area, or one
 * string without its NUL) with every match replaced, into out (at most cap
 * bytes; what does not fit is cut off, and *cut set). Returns the bytes
 * written, or 0 with nothing written when nothing matched (the caller keeps
 * in). Out of memory, it fails closed: out is one mark. A NULL or empty set
 * matches nothing. r's scratch space grows: one caller at a time.
 */
size_t redact__apply(struct redact *r, const char *in, size_t len, char *out, size_t cap, bool *cut);
void redact__free(struct redact *r);

#endif
