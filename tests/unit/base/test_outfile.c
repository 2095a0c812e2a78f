/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Output files (base/outfile.h): never through a symlink (its target
 * untouched), regular files the owner's only whatever they were, what is
 * not a regular file written as it is (never chmod'ed, never truncated),
 * /dev/stdout the descriptor this process has, and an appended file whose
 * last line is partial cut back to its last whole line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "base/msg.h"
#include "base/outfile.h"

TL_DEFINE_STATE;

static char dir[64];
static char said[1024];

static void capture(void *ctx, enum msg_level level, const char *text)
{
	size_t n = strlen(said);

	snprintf(said + n, sizeof(said) - n, "%s\n", text);
}

static const char *at(const char *name)
{
	static char p[2][128];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void put(const char *p, const char *text, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ASSERT_TRUE(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	if (fd >= 0) {
		fchmod(fd, mode);
		close(fd);
	}
}

/* The file's text (up to 4 KB), "" when unreadable. */
static const char *text_of(const char *p)
{
	static char buf[4096];
	int fd = open(p, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static unsigned mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_mode & 07777 : 0;
}

/* A symlink in the file's place, in either mode: refused (-ELOOP), its target as it was. */
static void test_symlink_refused(void)
{
	const enum outfile_mode modes[] = { OUTFILE_TRUNCATE, OUTFILE_APPEND };

	put(at("target"), "not to be written\n", 0644);
	ASSERT_EQ(symlink(at("target"), at("link")), 0);
	ASSERT_EQ(symlink(at("nowhere"), at("dangling")), 0);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(outfile__open(at("link"), modes[i]), -ELOOP);
		ASSERT_EQ(outfile__open(at("dangling"), modes[i]), -ELOOP);
	}
	ASSERT_STREQ(text_of(at("target")), "not to be written\n");
	ASSERT_EQ(mode_of(at("target")), 0644);
	ASSERT_EQ(access(at("nowhere"), F_OK), -1);
}

/* Regular files: created 0600 whatever the umask; an existing 0644 one made 0600; emptied, or appended to. */
static void test_regular_owner_only(void)
{
	mode_t old = umask(0);
	int fd = outfile__open(at("new"), OUTFILE_TRUNCATE);

	umask(old);
	if (ASSERT_TRUE(fd >= 0))
		close(fd);
	ASSERT_EQ(mode_of(at("new")), 0600);
	put(at("old"), "kept\n", 0644);
	fd = outfile__open(at("old"), OUTFILE_APPEND);
	if (ASSERT_TRUE(fd >= 0)) {
		ASSERT_EQ(write(fd, "more\n", 5), 5);
		close(fd);
	}
	ASSERT_EQ(mode_of(at("old")), 0600);
	ASSERT_STREQ(text_of(at("old")), "kept\nmore\n");
	ASSERT_EQ(chmod(at("old"), 0640), 0);
	fd = outfile__open(at("old"), OUTFILE_TRUNCATE);
	if (ASSERT_TRUE(fd >= 0))
		close(fd);
	ASSERT_EQ(mode_of(at("old")), 0600);
	ASSERT_STREQ(text_of(at("old")), "");
}

/* A FIFO and a device: written as they are, never chmod'ed; /dev/stdout is fd 1 itself, duplicated. */
static void test_not_regular(void)
{
	struct stat a, b;
	char buf[16] = "";
	pid_t pid;
	int fd, rd;

	ASSERT_EQ(mkfifo(at("fifo"), 0644), 0);
	pid = fork();
	if (pid == 0) {
		rd = open(at("fifo"), O_RDONLY);
		_exit(rd >= 0 && read(rd, buf, sizeof(buf)) == 3 && !memcmp(buf, "ok\n", 3) ? 0 : 1);
	}
	fd = outfile__open(at("fifo"), OUTFILE_TRUNCATE);
	if (ASSERT_TRUE(fd >= 0)) {
		ASSERT_EQ(write(fd, "ok\n", 3), 3);
		close(fd);
	}
	if (pid > 0) {
		int status = -1;

		waitpid(pid, &status, 0);
		ASSERT_EQ(status, 0);
	}
	ASSERT_EQ(mode_of(at("fifo")), 0644);
	fd = outfile__open("/dev/null", OUTFILE_TRUNCATE);
	if (ASSERT_TRUE(fd >= 0))
		close(fd);
	ASSERT_EQ(mode_of("/dev/null"), 0666);
	fd = outfile__open("/dev/stdout", OUTFILE_TRUNCATE);
	if (ASSERT_TRUE(fd > 2)) {
		ASSERT_EQ(fstat(fd, &a), 0);
		ASSERT_EQ(fstat(1, &b), 0);
		ASSERT_TRUE(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
		ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	}
	fd = outfile__open("/proc/self/fd/2", OUTFILE_APPEND);
	if (ASSERT_TRUE(fd > 2))
		close(fd);
}

/*
 * Appended to: a partial last line (a writer killed mid-line) is cut back
 * to the last whole line, and said; a file with no line end at all is
 * ended instead (nothing deleted); whole lines and empty files untouched.
 */
static void test_append_partial_line(void)
{
	const struct {
		const char *before, *after;
		bool says;
	} cases[] = {
		{ "{\"a\":1}\n{\"b\":2}\n{\"c\":", "{\"a\":1}\n{\"b\":2}\n", true },
		{ "{\"a\":1}\n", "{\"a\":1}\n", false },
		{ "", "", false },
		{ "no line end at all", "no line end at all\n", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd;

		put(at("append"), cases[i].before, 0600);
		said[0] = 0;
		fd = outfile__open(at("append"), OUTFILE_APPEND);
		if (!ASSERT_TRUE(fd >= 0))
			continue;
		ASSERT_EQ(write(fd, "{\"d\":4}\n", 8), 8);
		close(fd);
		if (!ASSERT_TRUE(!strncmp(text_of(at("append")), cases[i].after, strlen(cases[i].after))))
			printf("    case %zu: %s\n", i, text_of(at("append")));
		ASSERT_STREQ(text_of(at("append")) + strlen(cases[i].after), "{\"d\":4}\n");
		ASSERT_EQ(!!said[0], cases[i].says);
	}
	ASSERT_TRUE(strstr(said, "ended in a partial line") != NULL);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

int main(void)
{
	tl_init("unit/outfile");
	snprintf(dir, sizeof(dir), "/tmp/test_outfile.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	msg__set_sink(capture, NULL);
	RUN_TEST(test_symlink_refused);
	RUN_TEST(test_regular_owner_only);
	RUN_TEST(test_not_regular);
	RUN_TEST(test_append_partial_line);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tl_finish();
}
