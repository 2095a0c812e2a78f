// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Record checking (records are untrusted input), argv iteration, wait status decoding. */
#include <errno.h>
#include <sys/wait.h>

#include "testlib.h"
#include "kernel/event.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static _Alignas(8) unsigned char buf[sizeof(struct pl_exec) + 8192];

static void test_check_fixed_sizes(void)
{
	struct pl_fork f;

	synth_hdr(&f.h, PL_EV_FORK, 10, 1, "a");
	ASSERT_EQ(event__check(&f, sizeof(f)), 0);
	ASSERT_EQ(event__check(&f, sizeof(f) - 1), -EBADMSG);
	ASSERT_EQ(event__check(&f, 3), -EBADMSG);
	ASSERT_EQ(event__check(NULL, 0), -EBADMSG);
	f.h.type = PL_EV_MAX;
	ASSERT_EQ(event__check(&f, sizeof(f)), -EBADMSG);
	f.h.type = PL_EV_NONE;
	ASSERT_EQ(event__check(&f, sizeof(f)), -EBADMSG);
}

static void test_check_exec_lengths(void)
{
	const char *argv[] = { "ls", "-l" };
	size_t lens[] = { 2, 2 };
	size_t n = synth_exec(buf, 5, "/bin/ls", argv, lens, 2);
	struct pl_exec *e = (void *)buf;

	ASSERT_EQ(event__check(buf, n), 0);
	ASSERT_EQ(event__check(buf, n - 1), -EBADMSG); /* args run past the record */
	e->filename_len = 0;
	ASSERT_EQ(event__check(buf, n), -EBADMSG);
	e->filename_len = PL_FILENAME_MAX + 1;
	ASSERT_EQ(event__check(buf, n), -EBADMSG);
	e->filename_len = 3; /* "/bi" is not NUL-terminated */
	ASSERT_EQ(event__check(buf, n), -EBADMSG);
	e->filename_len = 8;
	e->args_len = 0xffffffffu; /* would wrap a 32-bit sum */
	ASSERT_EQ(event__check(buf, n), -EBADMSG);
}

/* An exec's cwd and exe: each 0 (not known) or NUL-terminated within PL_PATH_MAX, inside the record. */
static void test_check_exec_paths(void)
{
	const char *argv[] = { "ls" };
	size_t lens[] = { 2 }, n = synth_exec(buf, 5, "/bin/ls", argv, lens, 1), len;
	struct pl_exec *e = (void *)buf;
	const char *s;

	ASSERT_TRUE(event__exec_cwd(e, &len) == NULL);
	ASSERT_TRUE(event__exec_exe(e, &len) == NULL);
	memcpy(buf + n, "/tmp\0/usr/bin/ls", 17);
	e->cwd_len = 5;
	e->exe_len = 12;
	ASSERT_EQ(event__check(buf, n + 17), 0);
	s = event__exec_cwd(e, &len);
	ASSERT_TRUE(s && len == 4 && !memcmp(s, "/tmp", 4));
	s = event__exec_exe(e, &len);
	ASSERT_TRUE(s && len == 11 && !memcmp(s, "/usr/bin/ls", 11));
	ASSERT_EQ(event__check(buf, n + 16), -EBADMSG); /* exe runs past the record */
	e->exe_len = 11;                                 /* "/usr/bin/l": no NUL at its end */
	ASSERT_EQ(event__check(buf, n + 17), -EBADMSG);
	e->exe_len = 12;
	e->cwd_len = PL_PATH_MAX + 1;
	ASSERT_EQ(event__check(buf, sizeof(buf)), -EBADMSG);
	e->cwd_len = 0xfffffff0u; /* would wrap a 32-bit sum */
	ASSERT_EQ(event__check(buf, n + 17), -EBADMSG);
}

/* A cred event is its fixed size, no shorter. */
static void test_check_cred(void)
{
	struct pl_cred c = {};

	synth_hdr(&c.h, PL_EV_CRED, 5, 1, "su");
	ASSERT_EQ(event__check(&c, sizeof(c)), 0);
	ASSERT_EQ(event__check(&c, sizeof(c) - 8), -EBADMSG);
}

/*
 * The longest filename a record holds: PL_FILENAME_MAX bytes with its NUL,
 * cut there by the kernel side (PL_F_NAME_TRUNCATED); one more is refused.
 */
static void test_check_filename_at_limit(void)
{
	static char name[PL_FILENAME_MAX];
	const char *argv[] = { "x" };
	size_t lens[] = { 1 }, len, n;
	struct pl_exec *e = (void *)buf;
	struct pl_exec_failed *f = (void *)buf;

	memset(name, 'a', sizeof(name) - 1);
	name[0] = '/';
	n = synth_exec(buf, 5, name, argv, lens, 1);
	e->h.flags = PL_F_NAME_TRUNCATED;
	ASSERT_EQ(e->filename_len, PL_FILENAME_MAX);
	ASSERT_EQ(event__check(buf, n), 0);
	ASSERT_EQ(event__filename(buf, &len), (const char *)e->data);
	ASSERT_EQ(len, PL_FILENAME_MAX - 1);

	memset(buf, 0, sizeof(buf));
	synth_hdr(&f->h, PL_EV_EXEC_FAILED, 5, 1, "a");
	f->h.flags = PL_F_NAME_TRUNCATED;
	f->err = ENAMETOOLONG;
	f->filename_len = PL_FILENAME_MAX;
	memcpy(f->data, name, PL_FILENAME_MAX);
	n = sizeof(*f) + PL_FILENAME_MAX;
	ASSERT_EQ(event__check(buf, n), 0);
	ASSERT_EQ(event__filename(buf, &len), (const char *)f->data);
	ASSERT_EQ(len, PL_FILENAME_MAX - 1);
	ASSERT_EQ(event__check(buf, n - 1), -EBADMSG); /* the name runs past the record */
	f->filename_len = PL_FILENAME_MAX + 1;
	f->data[PL_FILENAME_MAX] = '\0';
	ASSERT_EQ(event__check(buf, n + 1), -EBADMSG);
}

static void test_argv_iter(void)
{
	const char *argv[] = { "a", "", "with\0nul", "last" };
	size_t lens[] = { 1, 0, 1, 4 }; /* "with" would stop at its NUL anyway */
	struct pl_exec *e = (void *)buf;
	struct argv_iter it;
	const char *s;
	size_t n;

	synth_exec(buf, 5, "/x", argv, lens, 4);
	argv_iter__init(&it, e);
	ASSERT_TRUE(argv_iter__next(&it, &s, &n) && n == 1 && s[0] == 'a');
	ASSERT_TRUE(argv_iter__next(&it, &s, &n) && n == 0);
	ASSERT_TRUE(argv_iter__next(&it, &s, &n) && n == 1 && s[0] == 'w');
	ASSERT_TRUE(argv_iter__next(&it, &s, &n) && n == 4 && !memcmp(s, "last", 4));
	ASSERT_FALSE(argv_iter__next(&it, &s, &n));

	/* Truncated: the last argument has no NUL and ends at args_len. */
	e->args_len -= 3;
	argv_iter__init(&it, e);
	for (int i = 0; i < 3; i++)
		ASSERT_TRUE(argv_iter__next(&it, &s, &n));
	ASSERT_TRUE(argv_iter__next(&it, &s, &n) && n == 2 && !memcmp(s, "la", 2));
	ASSERT_FALSE(argv_iter__next(&it, &s, &n));
}

static void test_filename(void)
{
	struct pl_exec *e = (void *)buf;
	size_t n;

	synth_exec(buf, 5, "/usr/bin/env", NULL, NULL, 0);
	ASSERT_STREQ(event__filename(e, &n), "/usr/bin/env");
	ASSERT_EQ(n, 12);
}

static void test_exit_status(void)
{
	struct exit_status st;

	st = exit_status__decode(3 << 8);
	ASSERT_TRUE(st.exited);
	ASSERT_EQ(st.code, 3);
	ASSERT_EQ(st.sig, 0);
	st = exit_status__decode(255 << 8);
	ASSERT_EQ(st.code, 255);
	st = exit_status__decode(SIGSEGV | 0x80);
	ASSERT_FALSE(st.exited);
	ASSERT_EQ(st.sig, SIGSEGV);
	ASSERT_TRUE(st.core);
	st = exit_status__decode(SIGKILL);
	ASSERT_EQ(st.sig, SIGKILL);
	ASSERT_FALSE(st.core);
	/* Agrees with the libc macros on every status a process can end with. */
	for (int code = 0; code < 256; code++) {
		int w = code << 8;
		st = exit_status__decode(w);
		if (!ASSERT_EQ(st.code, WEXITSTATUS(w)))
			break;
	}
	for (int sig = 1; sig < 65; sig++) {
		int w = sig | 0x80;
		st = exit_status__decode(w);
		if (!ASSERT_EQ(st.sig, WTERMSIG(w)) || !ASSERT_EQ(st.core, !!WCOREDUMP(w)))
			break;
	}
}

static void test_signal_failed(void)
{
	ASSERT_FALSE(pl_signal_failed(SIGTERM, PL_SIG_DELIVERED));
	ASSERT_TRUE(pl_signal_failed(SIGTERM, PL_SIG_IGNORED));
	ASSERT_TRUE(pl_signal_failed(SIGUSR1, PL_SIG_ALREADY_PENDING));
	ASSERT_TRUE(pl_signal_failed(SIGRTMIN, PL_SIG_OVERFLOW_FAIL));
	ASSERT_FALSE(pl_signal_failed(SIGCHLD, PL_SIG_IGNORED));
	ASSERT_FALSE(pl_signal_failed(SIGURG, PL_SIG_IGNORED));
	ASSERT_FALSE(pl_signal_failed(SIGWINCH, PL_SIG_IGNORED));
	ASSERT_TRUE(pl_signal_failed(SIGCHLD, PL_SIG_ALREADY_PENDING));
}

int main(void)
{
	tl_init("unit/event");
	RUN_TEST(test_check_fixed_sizes);
	RUN_TEST(test_check_exec_lengths);
	RUN_TEST(test_check_filename_at_limit);
	RUN_TEST(test_check_exec_paths);
	RUN_TEST(test_check_cred);
	RUN_TEST(test_argv_iter);
	RUN_TEST(test_filename);
	RUN_TEST(test_exit_status);
	RUN_TEST(test_signal_failed);
	return tl_finish();
}
