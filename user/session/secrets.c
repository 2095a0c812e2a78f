// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Secrets kept out of what a session passes on (session/secrets.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/event.h"
#include "session/secrets.h"

/* The filename at name (len bytes, no NUL) into out, redacted, NUL-terminated: its length with the NUL. */
static __u32 filename(struct redact *r, const char *name, size_t len, char *out, __u32 *flags)
{
	bool cut = false;
	size_t n = redact__apply(r, name, len, out, PL_FILENAME_MAX - 1, &cut);

	if (!n) {
		memcpy(out, name, len);
		n = len;
	}
	if (cut)
		*flags |= PL_F_NAME_TRUNCATED;
	out[n] = '\0';
	return n + 1;
}

static const void *exec_event(struct redact *r, const struct pl_exec *e, size_t *size, struct pl_exec *x)
{
	size_t fl, n;
	bool cut = false;
	const char *fn = event__filename(e, &fl), *args = e->data + e->filename_len;
	char *a;

	*x = *e;
	x->filename_len = filename(r, fn, fl, x->data, &x->h.flags);
	a = x->data + x->filename_len;
	n = redact__apply(r, args, e->args_len, a, PL_ARGS_MAX, &cut);
	if (!n) {
		memcpy(a, args, e->args_len);
		n = e->args_len;
	}
	if (cut)
		x->h.flags |= PL_F_ARGS_TRUNCATED;
	x->args_len = n;
	/* The argument area's size: what was there, with the secrets' bytes replaced too. */
	x->args_size = e->args_size >= e->args_len ? e->args_size - e->args_len + n : n;
	if (x->filename_len == e->filename_len && n == e->args_len && !memcmp(x->data, e->data, x->filename_len + n))
		return e;
	*size = sizeof(*x) + x->filename_len + n;
	return x;
}

static const void *exec_failed_event(struct redact *r, const struct pl_exec_failed *e, size_t *size,
				     struct pl_exec_failed *x)
{
	size_t fl;
	const char *fn = event__filename(e, &fl);

	*x = *e;
	x->filename_len = filename(r, fn, fl, x->data, &x->h.flags);
	if (x->filename_len == e->filename_len && !memcmp(x->data, e->data, x->filename_len))
		return e;
	*size = sizeof(*x) + x->filename_len;
	return x;
}

const void *secrets__event(struct redact *r, const void *rec, size_t *size, void *buf)
{
	const struct pl_hdr *h = rec;

	if (!redact__count(r))
		return rec;
	if (h->type == PL_EV_EXEC)
		return exec_event(r, rec, size, buf);
	if (h->type == PL_EV_EXEC_FAILED)
		return exec_failed_event(r, rec, size, buf);
	return rec;
}

int secrets__snapshot(struct redact *r, struct proc_snapshot *v, size_t n)
{
	char *buf = NULL;
	int ret = 0;

	if (!redact__count(r))
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct proc_snapshot *s = &v[i];
		bool cut = false;
		size_t len;
		char *c;

		if (!s->cmdline || !s->cmdline_len)
			continue;
		if (!buf && !(buf = malloc(PL_ARGS_MAX))) {
			ret = -ENOMEM;
			break;
		}
		len = redact__apply(r, s->cmdline, s->cmdline_len, buf, PL_ARGS_MAX, &cut);
		if (!len)
			continue;
		c = malloc(len);
		if (!c) {
			/* Never the secret: no cmdline rather than the one that holds it. */
			free(s->cmdline);
			s->cmdline = NULL;
			s->cmdline_len = 0;
			ret = -ENOMEM;
			continue;
		}
		memcpy(c, buf, len);
		free(s->cmdline);
		s->cmdline = c;
		s->cmdline_len = len;
		s->cmdline_truncated |= cut;
	}
	free(buf);
	return ret;
}

const char *secrets__string(struct redact *r, const char *s, char *out, size_t cap)
{
	bool cut = false;
	size_t n;

	if (!s || !redact__count(r) || !cap)
		return s;
	n = redact__apply(r, s, strlen(s), out, cap - 1, &cut);
	if (!n)
		return s;
	out[n] = '\0';
	return out;
}
