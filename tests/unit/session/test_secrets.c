// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Secrets kept out of a session's records (session/secrets.h): an exec's
 * argv and filename rewritten, its lengths and flags right and the record
 * still a valid one; a failed exec's filename; other records untouched; a
 * /proc scan's cmdlines; a command line string.
 */
#include <stdlib.h>

#include "testlib.h"
#include "kernel/event.h"
#include "session/secrets.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static _Alignas(8) unsigned char rec[sizeof(struct pl_exec) + 8192];
static _Alignas(8) unsigned char buf[SECRETS_EVENT_MAX];

static struct redact *defaults(void)
{
	struct redact *r = redact__new();

	if (r && redact__add_defaults(r) < 0) {
		redact__free(r);
		r = NULL;
	}
	return r;
}

static void test_exec(void)
{
	struct redact *r = defaults();
	const char *argv[] = { "mysql", "--password", "hunter2", "-h", "db" };
	size_t lens[] = { 5, 10, 7, 2, 2 }, size = synth_exec(rec, 42, "/usr/bin/mysql", argv, lens, 5), n = size;
	const struct pl_exec *x;
	struct pl_exec *e = (void *)rec;
	static const char want[] = "mysql\0--password\0*****\0-h\0db";

	if (!ASSERT_TRUE(r))
		return;
	e->args_size += 100; /* as if the kernel cut it: the area was larger */
	e->h.flags |= PL_F_ARGS_TRUNCATED;
	x = secrets__event(r, rec, &n, buf);
	ASSERT_TRUE((const void *)x == buf);
	ASSERT_EQ(event__check(x, n), 0);
	ASSERT_EQ(n, sizeof(*x) + x->filename_len + x->args_len);
	ASSERT_STREQ(x->data, "/usr/bin/mysql");
	ASSERT_EQ(x->args_len, sizeof(want));
	ASSERT_MEMEQ(x->data + x->filename_len, want, sizeof(want));
	ASSERT_EQ(x->argc, 5);
	ASSERT_EQ(x->args_size, e->args_size - e->args_len + x->args_len);
	ASSERT_EQ(x->h.flags, e->h.flags);
	ASSERT_EQ(x->h.pid, 42);
	/* Nothing to redact: the record itself. */
	argv[1] = "-h";
	lens[1] = 2;
	size = n = synth_exec(rec, 42, "/usr/bin/mysql", argv, lens, 3);
	ASSERT_TRUE(secrets__event(r, rec, &n, buf) == (const void *)rec);
	ASSERT_EQ(n, size);
	redact__free(r);
}

static void test_exec_failed_and_others(void)
{
	struct redact *r = defaults();
	struct pl_exec_failed *f = (void *)rec;
	struct pl_fork *k = (void *)rec;
	const struct pl_exec_failed *x;
	size_t n;

	if (!ASSERT_TRUE(r))
		return;
	synth_hdr(&f->h, PL_EV_EXEC_FAILED, 7, 1, "sh");
	f->err = 2;
	f->filename_len = sizeof("/opt/app?token=abc");
	memcpy(f->data, "/opt/app?token=abc", f->filename_len);
	n = sizeof(*f) + f->filename_len;
	x = secrets__event(r, rec, &n, buf);
	ASSERT_EQ(event__check(x, n), 0);
	ASSERT_STREQ(x->data, "/opt/app?token=*****");
	ASSERT_EQ(x->err, 2);
	/* A fork has neither argv nor filename. */
	synth_hdr(&k->h, PL_EV_FORK, 7, 1, "sh");
	n = sizeof(*k);
	ASSERT_TRUE(secrets__event(r, rec, &n, buf) == (const void *)rec);
	/* No set: nothing is even looked at. */
	ASSERT_TRUE(secrets__event(NULL, rec, &n, buf) == (const void *)rec);
	redact__free(r);
}

static void test_snapshot_and_string(void)
{
	struct redact *r = defaults();
	struct proc_snapshot v[2] = {
		{ .pid = 1, .cmdline = strdup("/sbin/init"), .cmdline_len = 10 },
		{ .pid = 2, .cmdline = malloc(25), .cmdline_len = 25 },
	};
	char out[64];

	if (!ASSERT_TRUE(r && v[0].cmdline && v[1].cmdline))
		goto out;
	memcpy(v[1].cmdline, "app\0--token\0abcdefghij\0-v", 25);
	ASSERT_EQ(secrets__snapshot(r, v, 2), 0);
	ASSERT_EQ(v[0].cmdline_len, 10);
	ASSERT_MEMEQ(v[0].cmdline, "/sbin/init", 10);
	ASSERT_EQ(v[1].cmdline_len, 20);
	ASSERT_MEMEQ(v[1].cmdline, "app\0--token\0*****\0-v", 20);
	ASSERT_FALSE(v[1].cmdline_truncated);
	ASSERT_STREQ(secrets__string(r, "proclife run -- mysql --password=x", out, sizeof(out)),
		     "proclife run -- mysql --password=*****");
	ASSERT_STREQ(secrets__string(r, "proclife record -w f", out, sizeof(out)), "proclife record -w f");
out:
	free(v[0].cmdline);
	free(v[1].cmdline);
	redact__free(r);
}

int main(void)
{
	tl_init("unit/secrets");
	RUN_TEST(test_exec);
	RUN_TEST(test_exec_failed_and_others);
	RUN_TEST(test_snapshot_and_string);
	return tl_finish();
}
