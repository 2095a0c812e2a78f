// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Secrets kept out of argv (base/redact.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"
#include "base/vec.h"

/*
 * The --redact-defaults. Each expression's last subexpression is the secret
 * (an alternative without one is a secret as a whole); they are joined into
 * one expression with '|', matched without regard to case. Each starts with
 * a literal, never with what can match anywhere (such as [a-z]*): regexec()
 * tries every place a match can begin, and an expression that can begin
 * anywhere costs time quadratic in the argv's length (tests/unit/base's
 * test_redact holds a 64 KiB argv to a bound).
 */
const struct redact_default redact_defaults[] = {
	{ "--password VALUE or --password=VALUE (one dash too), and the same of passwd, pass, pwd, passphrase, "
	  "secret, token, api-key, access-key, secret-key, client-secret, private-key, auth-token",
	  "--?(password|passwd|pass|pwd|passphrase|secret|token|api[-_]?key|access[-_]?key|secret[-_]?key|"
	  "client[-_]?secret|private[-_]?key|auth[-_]?token)[ =]([^ ]+)",
	  "pass|pwd|secret|token|key|auth" },
	{ "NAME=VALUE where NAME ends in password, passwd, pwd, passphrase, secret, token, apikey, api_key, "
	  "access_key, secret_key, private_key or auth (DB_PASSWORD=..., ?token=...&)",
	  "(password|passwd|pwd|passphrase|secret|token|api[-_]?key|access[-_]?key|secret[-_]?key|"
	  "private[-_]?key|auth)=([^ &;]+)",
	  "pass|pwd|secret|token|key|auth" },
	{ "the credential of an Authorization:, Proxy-Authorization:, X-Api-Key:, X-Auth-Token: or Cookie: header "
	  "(after Bearer, Basic, Token, Digest or Negotiate)",
	  "(proxy-)?(authorization|x-api-key|x-auth-token|cookie): *((bearer|basic|token|digest|negotiate) +)?([^ ]+)",
	  "auth|key|cookie" },
	{ "the password of a URL: scheme://user:PASSWORD@host", "://[^/:@ ]*:([^/@ ]+)@", "://" },
	{ "GitHub tokens (ghp_..., gho_..., ghu_..., ghs_..., ghr_...) and Slack tokens (xoxb-..., xoxp-...)",
	  "gh[pousr]_[a-z0-9]{36}|xox[abprs]-[a-z0-9-]{10,}", "ghp_|gho_|ghu_|ghs_|ghr_|xox" },
	{ "sshpass -p PASSWORD", "sshpass -p *([^ ]+)", "pass" },
	{},
};

struct redact {
	regex_t *re;
	size_t n, cap;
	size_t defaults;       /* re[defaults - 1] is the --redact-defaults' (0: none) */
	char keys[256];        /* the union of the defaults' keys, '|'-separated */
	unsigned count;        /* expressions, each default one */
	size_t maxsub;         /* the most subexpressions of one */
	regmatch_t *pm;        /* maxsub + 1 of them */
	locale_t c_locale;     /* bytes are matched as bytes, whatever the terminal's locale */
	/* scratch, grown as needed */
	char *line, *lower;    /* the line, and in lower case for the keys */
	unsigned char *mark;
	size_t scratch;
};

struct redact *redact__new(void)
{
	struct redact *r = calloc(1, sizeof(*r));

	if (r && !(r->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0))) {
		free(r);
		r = NULL;
	}
	return r;
}

static int compile(struct redact *r, const char *regex, int flags, char *err, size_t errlen)
{
	locale_t old = uselocale(r->c_locale);
	regex_t re;
	int e = regcomp(&re, regex, REG_EXTENDED | flags);

	uselocale(old);
	if (e) {
		char why[128];

		regerror(e, &re, why, sizeof(why));
		snprintf(err, errlen, "'%.64s' is not a POSIX extended regular expression: %s", regex, why);
		return -EINVAL;
	}
	if (re.re_nsub > r->maxsub) {
		regmatch_t *pm = realloc(r->pm, (re.re_nsub + 1) * sizeof(*pm));

		if (!pm) {
			regfree(&re);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->pm = pm;
		r->maxsub = re.re_nsub;
	}
	if (!r->pm && !(r->pm = malloc(sizeof(*r->pm)))) {
		regfree(&re);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!VEC_PUSH(r->re, r->n, r->cap, re)) {
		regfree(&re);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int redact__add(struct redact *r, const char *regex, char *err, size_t errlen)
{
	int e = compile(r, regex, 0, err, errlen);

	r->count += e == 0;
	return e;
}

int redact__add_defaults(struct redact *r)
{
	char all[2048], err[256];
	size_t n = 0, k = 0;
	int e;

	size_t kn = 0;

	for (; redact_defaults[k].regex; k++) {
		n += snprintf(all + n, sizeof(all) - n, "%s%s", k ? "|" : "", redact_defaults[k].regex);
		kn += snprintf(r->keys + kn, sizeof(r->keys) - kn, "%s%s", k ? "|" : "", redact_defaults[k].keys);
	}
	if (n >= sizeof(all) || kn >= sizeof(r->keys))
		return -E2BIG; /* a table that outgrew its buffers: tests/unit/base/test_redact.c */
	e = compile(r, all, REG_ICASE, err, sizeof(err));
	if (e == 0) {
		r->count += k;
		r->defaults = r->n;
	}
	return e;
}

unsigned redact__count(const struct redact *r)
{
	return r ? r->count : 0;
}

int redact__check(const char *regex, char *err, size_t errlen)
{
	struct redact *r = redact__new();
	int e;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e = redact__add(r, regex, err, errlen);
	redact__free(r);
	return e;
}

/* Marks what re matches in line (len bytes, no NUL before its end): the last subexpression that took part. */
static bool mark_matches(struct redact *r, const regex_t *re, size_t len)
{
	bool any = false;

	for (size_t off = 0; off <= len;) {
		regmatch_t *m = r->pm;
		size_t k = re->re_nsub;

		if (regexec(re, r->line + off, re->re_nsub + 1, m, off ? REG_NOTBOL : 0))
			break;
		while (k > 0 && m[k].rm_so < 0)
			k--;
		for (regoff_t i = m[k].rm_so; i < m[k].rm_eo; i++)
			r->mark[off + i] = 1;
		any |= m[k].rm_eo > m[k].rm_so;
		/* On past the match (an empty one: past its place). */
		off += m[0].rm_eo > m[0].rm_so ? (size_t)m[0].rm_eo : (size_t)m[0].rm_so + 1;
	}
	return any;
}

/* in with each marked run (within one argument) replaced by the mark; NULs kept. The bytes written. */
static size_t rewrite(const struct redact *r, const char *in, size_t len, char *out, size_t cap, bool *cut)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		const char *s = in + i;
		size_t n = 1;

		if (in[i] && r->mark[i]) {
			if (i && r->mark[i - 1] && in[i - 1])
				continue; /* within a run already replaced */
			s = REDACT_MARK;
			n = REDACT_MARK_LEN;
		}
		if (o + n > cap) {
			*cut = true;
			break;
		}
		memcpy(out + o, s, n);
		o += n;
	}
	return o;
}

/* Room for len bytes of line, its lower case and marks. 0 or -ENOMEM. */
static int scratch(struct redact *r, size_t len)
{
	char *line, *lower;
	unsigned char *mark;

	if (len + 1 <= r->scratch)
		return 0;
	line = realloc(r->line, len + 1);
	if (!line)
		return -ENOMEM;
	r->line = line;
	lower = realloc(r->lower, len + 1);
	if (!lower)
		return -ENOMEM;
	r->lower = lower;
	mark = realloc(r->mark, len + 1);
	if (!mark)
		return -ENOMEM;
	r->mark = mark;
	r->scratch = len + 1;
	return 0;
}

/*
 * Does the line hold one of the defaults' keys (in any case)? regexec()
 * costs tens of ns a byte of argv; this, a few: most command lines hold
 * none, and skip the defaults' expression.
 */
static bool has_key(struct redact *r, size_t len)
{
	for (size_t i = 0; i < len; i++)
		r->lower[i] = r->line[i] >= 'A' && r->line[i] <= 'Z' ? r->line[i] + 32 : r->line[i];
	for (const char *k = r->keys; *k;) {
		size_t n = strcspn(k, "|");

		if (memmem(r->lower, len, k, n))
			return true;
		k += n + (k[n] == '|');
	}
	return false;
}

size_t redact__apply(struct redact *r, const char *in, size_t len, char *out, size_t cap, bool *cut)
{
	bool any = false;
	locale_t old;

	if (!r || !r->n || !len)
		return 0;
	if (scratch(r, len) < 0) {
		/* Fail closed: nothing of in gets through unmatched. */
		*cut = cap < REDACT_MARK_LEN;
		memcpy(out, REDACT_MARK, cap < REDACT_MARK_LEN ? cap : REDACT_MARK_LEN);
		return cap < REDACT_MARK_LEN ? cap : REDACT_MARK_LEN;
	}
	/* One line: the arguments joined by spaces (a NUL would end regexec()'s string). */
	for (size_t i = 0; i < len; i++)
		r->line[i] = in[i] ? in[i] : ' ';
	r->line[len] = '\0';
	memset(r->mark, 0, len);
	old = uselocale(r->c_locale);
	for (size_t k = 0; k < r->n; k++)
		if (k + 1 != r->defaults || has_key(r, len))
			any |= mark_matches(r, &r->re[k], len);
	uselocale(old);
	return any ? rewrite(r, in, len, out, cap, cut) : 0;
}

void redact__free(struct redact *r)
{
	if (!r)
		return;
	for (size_t k = 0; k < r->n; k++)
		regfree(&r->re[k]);
	free(r->re);
	free(r->pm);
	free(r->line);
	free(r->lower);
	free(r->mark);
	if (r->c_locale)
		freelocale(r->c_locale);
	free(r);
}
