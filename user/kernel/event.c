// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/event.h"

static const size_t fixed_size[PL_EV_MAX] = {
	[PL_EV_FORK] = sizeof(struct pl_fork),
	[PL_EV_EXEC] = sizeof(struct pl_exec),
	[PL_EV_EXEC_FAILED] = sizeof(struct pl_exec_failed),
	[PL_EV_EXIT] = PL_EXIT_SIZE_NO_USAGE, /* usage only with PL_F_USAGE */
	[PL_EV_REAP] = sizeof(struct pl_reap),
	[PL_EV_SIGNAL] = sizeof(struct pl_signal),
	[PL_EV_DELIVER] = sizeof(struct pl_deliver),
	[PL_EV_RENAME] = sizeof(struct pl_rename),
	[PL_EV_CRED] = sizeof(struct pl_cred),
};

/* A path of an exec (cwd, exe) of len bytes at s: none (0), or up to PL_PATH_MAX ending in its NUL. */
static bool path_ok(const char *s, __u32 len)
{
	return len == 0 || (len <= PL_PATH_MAX && s[len - 1] == '\0');
}

static int exec_check(const struct pl_exec *e, size_t size)
{
	size_t var = (size_t)e->filename_len + e->args_len + e->cwd_len + e->exe_len;
	const char *cwd;

	if (e->filename_len < 1 || e->filename_len > PL_FILENAME_MAX || e->args_len > PL_ARGS_MAX ||
	    e->cwd_len > PL_PATH_MAX || e->exe_len > PL_PATH_MAX || var > size - sizeof(*e) ||
	    e->data[e->filename_len - 1] != '\0')
		return -EBADMSG;
	cwd = e->data + e->filename_len + e->args_len;
	if (!path_ok(cwd, e->cwd_len) || !path_ok(cwd + e->cwd_len, e->exe_len))
		return -EBADMSG;
	return 0;
}

int event__check(const void *rec, size_t size)
{
	const struct pl_hdr *h = rec;

	if (!rec || size < sizeof(*h) || h->type == PL_EV_NONE || h->type >= PL_EV_MAX)
		return -EBADMSG;
	if (size < fixed_size[h->type])
		return -EBADMSG;
	if (h->type == PL_EV_EXIT && (h->flags & PL_F_USAGE) && size < sizeof(struct pl_exit))
		return -EBADMSG;
	if (h->type == PL_EV_EXEC) {
		return exec_check(rec, size);
	} else if (h->type == PL_EV_EXEC_FAILED) {
		const struct pl_exec_failed *e = rec;

		if (e->filename_len < 1 || e->filename_len > PL_FILENAME_MAX ||
		    e->filename_len > size - sizeof(*e) || e->data[e->filename_len - 1] != '\0')
			return -EBADMSG;
	}
	return 0;
}

const char *event__filename(const void *rec, size_t *len)
{
	const struct pl_hdr *h = rec;
	const char *s;
	size_t n;

	if (h->type == PL_EV_EXEC) {
		s = ((const struct pl_exec *)rec)->data;
		n = ((const struct pl_exec *)rec)->filename_len;
	} else if (h->type == PL_EV_EXEC_FAILED) {
		s = ((const struct pl_exec_failed *)rec)->data;
		n = ((const struct pl_exec_failed *)rec)->filename_len;
	} else {
		*len = 0;
		return "";
	}
	/* Checked: n >= 1 and s[n - 1] is the NUL; an embedded NUL ends it earlier. */
	*len = strnlen(s, n - 1);
	return s;
}

const char *event__exec_cwd(const struct pl_exec *e, size_t *len)
{
	const char *s = e->data + e->filename_len + e->args_len;

	*len = e->cwd_len ? strnlen(s, e->cwd_len - 1) : 0;
	return e->cwd_len ? s : NULL;
}

const char *event__exec_exe(const struct pl_exec *e, size_t *len)
{
	const char *s = e->data + e->filename_len + e->args_len + e->cwd_len;

	*len = e->exe_len ? strnlen(s, e->exe_len - 1) : 0;
	return e->exe_len ? s : NULL;
}

void argv_iter__init(struct argv_iter *it, const struct pl_exec *e)
{
	it->p = e->data + e->filename_len;
	it->end = it->p + e->args_len;
}

bool argv_iter__next(struct argv_iter *it, const char **s, size_t *len)
{
	const char *nul;

	if (it->p >= it->end)
		return false;
	*s = it->p;
	nul = memchr(it->p, '\0', it->end - it->p);
	if (nul) {
		*len = nul - it->p;
		it->p = nul + 1;
	} else {
		/* The last argument, cut by the cap: the record says it was truncated. */
		*len = it->end - it->p;
		it->p = it->end;
	}
	return true;
}

struct exit_status exit_status__decode(__u32 status)
{
	struct exit_status st = {};

	if (status == PL_STATUS_UNKNOWN)
		return st;
	st.known = true;
	if ((status & 0x7f) == 0) {
		st.exited = true;
		st.code = (status >> 8) & 0xff;
	} else {
		st.sig = status & 0x7f;
		st.core = status & 0x80;
	}
	return st;
}

bool exit_status__killed(__u32 status)
{
	struct exit_status st = exit_status__decode(status);

	return st.known && !st.exited;
}

bool exit_status__failed(__u32 status)
{
	return status != 0 && status != PL_STATUS_UNKNOWN;
}
