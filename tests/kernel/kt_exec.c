// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* exec and failed exec: argv exactly as passed, errno exactly as seen. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktests.h"

/*
 * The filename of an exec or exec_failed record is expected: whole, or when
 * longer than PL_FILENAME_MAX - 1 bytes, its first PL_FILENAME_MAX - 1 bytes
 * and PL_F_NAME_TRUNCATED.
 */
static void check_filename(const void *rec, const char *expected)
{
	const struct pl_hdr *h = rec;
	size_t len, want = strlen(expected), i;
	bool cut = want > PL_FILENAME_MAX - 1;
	const char *fn = event__filename(rec, &len);
	__u32 flag = h->flags & PL_F_NAME_TRUNCATED, want_flag = cut ? PL_F_NAME_TRUNCATED : 0;

	if (cut)
		want = PL_FILENAME_MAX - 1;
	ASSERT_EQ(flag, want_flag);
	if (!ASSERT_EQ(len, want))
		return;
	for (i = 0; i < want && fn[i] == expected[i]; i++)
		;
	if (i < want)
		FAILF("filename: byte %zu of %zu is 0x%02x, expected 0x%02x", i, want, (unsigned char)fn[i],
		      (unsigned char)expected[i]);
}

/* The exec event of pid carries exactly argv, nothing cut; its filename as check_filename() says. */
static const struct pl_exec *check_exec_argv(pid_t pid, char *const argv[], const char *filename)
{
	const struct pl_exec *e = harness__wait(PL_EV_EXEC, pid, NULL, NULL);
	static const char *got[512];
	static size_t lens[512];
	size_t n, size = 0;
	int argc = 0, k;

	if (!ASSERT_TRUE(e))
		return NULL;
	while (argv[argc])
		size += strlen(argv[argc++]) + 1;
	k = exec_argv(e, got, lens, 512);
	ASSERT_EQ(k, argc);
	ASSERT_EQ(e->argc, argc);
	ASSERT_EQ(e->args_size, size);
	ASSERT_EQ(e->args_len, size);
	ASSERT_EQ(e->h.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE), 0);
	for (int i = 0; i < argc && i < k; i++) {
		n = strlen(argv[i]);
		if (!ASSERT_EQ(lens[i], n) || !ASSERT_MEMEQ(got[i], argv[i], n))
			printf("    (argument %d)\n", i);
	}
	check_filename(e, filename);
	return e;
}

static int child_execv(void *arg)
{
	char *const *argv = arg;

	execv(argv[0][0] == '/' ? argv[0] : "/bin/true", argv);
	return errno;
}

/* /bin/true with argv: the exec event carries it exactly, the exit and reap follow. */
static void exec_true_with(char *const argv[])
{
	pid_t pid;
	int st;

	harness__clear();
	pid = spawn(child_execv, (void *)argv);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	check_exec_argv(pid, argv, "/bin/true");
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

void test_argv_hostile(void)
{
	static char *argv[] = {
		"true", "a b", "it's", "say \"hi\"", "line1\nline2", "\x1b[2J\x1b]0;pwned\x07",
		"\xff\xfe invalid \xc3\x28", "", "tab\there", "\xe6\x97\xa5\xe6\x9c\xac", "back\\slash", NULL,
	};

	exec_true_with(argv);
}

void test_argv_many(void)
{
	static char bufs[200][16];
	static char *argv[202];

	argv[0] = "true";
	for (int i = 0; i < 200; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "arg%d", i);
		argv[i + 1] = bufs[i];
	}
	argv[201] = NULL;
	exec_true_with(argv);
}

void test_argv_truncated(void)
{
	static char big[6001];
	static char area[sizeof("true") + sizeof(big)];
	char *argv[] = { "true", big, NULL };
	const struct pl_exec *e;
	const char *got[4];
	size_t lens[4];
	pid_t pid;
	int st;

	harness__clear();
	memset(big, 'x', sizeof(big) - 1);
	big[1234] = 'y'; /* a landmark inside the kept part */
	memcpy(area, "true", 5);
	memcpy(area + 5, big, sizeof(big));
	pid = spawn(child_execv, argv);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	e = harness__wait(PL_EV_EXEC, pid, NULL, NULL);
	if (ASSERT_TRUE(e)) {
		ASSERT_EQ(e->h.flags & PL_F_ARGS_TRUNCATED, PL_F_ARGS_TRUNCATED);
		ASSERT_EQ(e->args_len, PL_ARGS_DEFAULT);
		ASSERT_EQ(e->args_size, sizeof(area));
		ASSERT_EQ(e->argc, 2);
		ASSERT_MEMEQ(e->data + e->filename_len, area, PL_ARGS_DEFAULT);
		/* The cut argument is the last one, and it is shorter than the real one. */
		ASSERT_EQ(exec_argv(e, got, lens, 4), 2);
		ASSERT_EQ(lens[1], PL_ARGS_DEFAULT - 5);
	}
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	chmod(path, mode);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int child_exec_path(void *arg)
{
	char **a = arg;

	execv(a[0], a + 1);
	return errno;
}

/* A #! script: the new program (the interpreter) sees [interp, script, args...]. */
void test_exec_script(void)
{
	char path[] = "/tmp/plscript-XXXXXX";
	char *argv[] = { path, "myscript", "a", NULL };
	char *seen[] = { "/bin/sh", path, "a", NULL };
	const struct pl_exec *e;
	int fd = mkstemp(path), st;
	pid_t pid;

	harness__clear();
	if (fd < 0 || (close(fd), write_file(path, "#!/bin/sh\nexit 4\n", 0755))) {
		FAILF("cannot write %s", path);
		return;
	}
	pid = spawn(child_exec_path, argv);
	st = wait_status(pid);
	ASSERT_EQ(st, 4 << 8);
	e = check_exec_argv(pid, seen, path);
	if (e)
		ASSERT_STREQ(e->h.comm, strrchr(path, '/') + 1);
	check_exit_and_reap(pid, st);
	unlink(path);
	check_nothing_lost();
}

static void exec_failed(const char *path, int expect_errno)
{
	char *argv[] = { (char *)path, "prog", "arg", NULL };
	const struct pl_exec_failed *e;
	pid_t pid;
	int st;

	harness__clear();
	pid = spawn(child_exec_path, argv);
	st = wait_status(pid);
	/* Ground truth: the errno the child's execv() returned, passed as its exit code. */
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(WEXITSTATUS(st), expect_errno);
	e = harness__wait(PL_EV_EXEC_FAILED, pid, NULL, NULL);
	if (ASSERT_TRUE(e)) {
		ASSERT_EQ(e->err, WEXITSTATUS(st));
		check_filename(e, path);
		ASSERT_EQ(e->h.ppid, getpid());
	}
	ASSERT_EQ(harness__count(PL_EV_EXEC, pid, NULL, NULL), 0);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

void test_exec_failed_enoent(void)
{
	exec_failed("/nonexistent/proclife-test-prog", ENOENT);
}

void test_exec_failed_eacces(void)
{
	char path[] = "/tmp/plnoexec-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || (close(fd), write_file(path, "#!/bin/sh\nexit 0\n", 0644))) {
		FAILF("cannot write %s", path);
		return;
	}
	exec_failed(path, EACCES);
	unlink(path);
}

/* "/./././.../tail" (absolute) or "././.../tail" (relative) of exactly len bytes: a long name for a short path. */
static char *dotted_path(size_t len, bool absolute, const char *tail)
{
	size_t t = strlen(tail), i = 0;
	char *p = malloc(len + 1);

	if (!p || len < t + 2)
		return free(p), NULL;
	if (absolute)
		p[i++] = '/';
	while (i + t + 1 < len) {
		p[i++] = '.';
		p[i++] = '/';
	}
	if (i + t < len)
		p[i++] = '/'; /* "./" + "/": the same directory */
	strcpy(p + i, tail);
	return p;
}

/*
 * A filename of PL_FILENAME_MAX - 1 bytes, the longest the kernel takes, is
 * kept whole and not flagged: by a successful exec, and by a failed one.
 */
void test_exec_filename_at_limit(void)
{
	char *path = dotted_path(PL_FILENAME_MAX - 1, true, "bin/true");
	char *missing = dotted_path(PL_FILENAME_MAX - 1, true, "nonexistent/pl");
	char *argv[] = { path, "true", "at-the-limit", NULL };
	pid_t pid;
	int st;

	if (!path || !missing) {
		FAILF("cannot build the paths");
		goto out;
	}
	harness__clear();
	pid = spawn(child_exec_path, argv);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	check_exec_argv(pid, argv + 1, path);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
	exec_failed(missing, ENOENT);
out:
	free(path);
	free(missing);
}

/*
 * A path one byte too long (PATH_MAX bytes without its NUL): execve() fails
 * with ENAMETOOLONG; the record keeps all but its last byte, flagged.
 */
void test_exec_failed_name_too_long(void)
{
	char *path = dotted_path(PL_FILENAME_MAX, true, "bin/true");

	if (!ASSERT_TRUE(path))
		return;
	exec_failed(path, ENAMETOOLONG);
	free(path);
}

struct execat {
	int dirfd;
	const char *path;
	char *const *argv;
};

static int child_execveat(void *arg)
{
	const struct execat *a = arg;

	syscall(SYS_execveat, a->dirfd, a->path, a->argv, environ, 0);
	return errno;
}

/*
 * A successful exec whose name is cut: execveat() of a path relative to a
 * directory descriptor runs as "/dev/fd/N/PATH", which the kernel builds
 * past PATH_MAX when PATH is near it. The exec record keeps its first
 * PL_FILENAME_MAX - 1 bytes and says so; argv is whole.
 */
void test_exec_filename_truncated(void)
{
	char *path = dotted_path(PL_FILENAME_MAX - 8, false, "bin/true");
	char *argv[] = { "true", "cut-name", NULL }, *full = NULL;
	struct execat a = { .path = path, .argv = argv };
	pid_t pid;
	int st;

	a.dirfd = open("/", O_PATH | O_DIRECTORY);
	if (!path || a.dirfd < 0 || asprintf(&full, "/dev/fd/%d/%s", a.dirfd, path) < 0) {
		FAILF("cannot set up the path: %s", strerror(errno));
		goto out;
	}
	harness__clear();
	pid = spawn(child_execveat, &a);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	ASSERT_TRUE(strlen(full) > PL_FILENAME_MAX - 1);
	check_exec_argv(pid, argv, full);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
out:
	if (a.dirfd >= 0)
		close(a.dirfd);
	free(path);
	free(full);
}

static void *exec_in_thread(void *arg)
{
	write_int(*(int *)arg, gettid());
	execl("/bin/true", "true", "from-thread", NULL);
	_exit(127);
}

static int child_thread_exec(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exec_in_thread, arg))
		return 101;
	for (;;)
		pause(); /* the exec ends this thread */
}

/* A non-leader thread execs: reported under the process's pid, with the thread's tid. */
void test_exec_from_thread(void)
{
	char *argv[] = { "true", "from-thread", NULL };
	const struct pl_exec *e;
	int fd, tid, st;
	pid_t pid;

	harness__clear();
	pid = spawn_piped(child_thread_exec, &fd);
	tid = read_int(fd);
	close(fd);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	ASSERT_NEQ(tid, pid);
	e = check_exec_argv(pid, argv, "/bin/true");
	if (e) {
		ASSERT_EQ(e->h.pid, pid);
		ASSERT_EQ(e->h.tid, tid);
		ASSERT_EQ(e->old_tid, tid);
		ASSERT_STREQ(e->h.comm, "true");
	}
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}
