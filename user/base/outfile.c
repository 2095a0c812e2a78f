// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/msg.h"
#include "base/outfile.h"

#define CHUNK (64u << 10)

/* Paths that name a descriptor this process has: it is duplicated, not opened again through the link. */
static const struct {
	const char *path;
	int fd;
} std_paths[] = {
	{ "/dev/stdout", STDOUT_FILENO },
	{ "/dev/stderr", STDERR_FILENO },
};

/* The descriptor a path names by itself (/dev/stdout, /dev/fd/N, ...), or -1. */
static int named_fd(const char *path)
{
	static const char *const dirs[] = { "/dev/fd/", "/proc/self/fd/" };
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(std_paths) / sizeof(std_paths[0]); i++)
		if (!strcmp(path, std_paths[i].path))
			return std_paths[i].fd;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t k = strlen(dirs[i]);

		if (strncmp(path, dirs[i], k) || path[k] < '0' || path[k] > '9')
			continue;
		n = strtol(path + k, &end, 10);
		return *end || n > 1 << 20 ? -1 : (int)n;
	}
	return -1;
}

/* Read n bytes at off, all of them. 0 or -errno. */
static int pread_all(int fd, char *buf, size_t n, off_t off)
{
	while (n) {
		ssize_t k = pread(fd, buf, n, off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		buf += k;
		n -= k;
		off += k;
	}
	return 0;
}

/* Where the last line of a size-byte file ends (just after its newline), looking back LINE_MAX at most; -1: none. */
static off_t last_line_end(int fd, off_t size, char *buf, int *err)
{
	for (off_t pos = size; pos > 0 && size - pos < OUTFILE_LINE_MAX;) {
		size_t n = pos < CHUNK ? (size_t)pos : CHUNK;
		const char *nl;

		*err = pread_all(fd, buf, n, pos - n);
		if (*err)
			return -1;
		nl = memrchr(buf, '\n', n);
		if (nl)
			return pos - n + (nl - buf) + 1;
		pos -= n;
	}
	return -1;
}

int outfile__end_line(int fd, const char *path)
{
	struct stat st;
	char *buf;
	off_t cut;
	int err = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	cut = last_line_end(fd, st.st_size, buf, &err);
	free(buf);
	if (err)
		return err;
	if (cut == st.st_size)
		return 0;
	if (cut > 0) {
		if (ftruncate(fd, cut) < 0)
			return -errno;
		msg__say(MSG_WARN, "%s ended in a partial line (%lld bytes: its writer stopped mid-line); cut back to its "
			 "last whole line", path, (long long)(st.st_size - cut));
		return 0;
	}
	/* No line end to cut back to: not a stream of lines proclife wrote. End it; delete nothing. */
	if (write(fd, "\n", 1) != 1)
		return errno ? -errno : -EIO;
	msg__say(MSG_WARN, "%s ended in a partial line with no whole line before it in its last %u bytes; ended it "
		 "with a newline", path, OUTFILE_LINE_MAX);
	return 0;
}

/* A regular file: the owner's only, whatever it was. 0 or -errno. */
static int owner_only(int fd, const struct stat *st)
{
	if ((st->st_mode & 07777) == 0600)
		return 0;
	return fchmod(fd, 0600) < 0 ? -errno : 0;
}

int outfile__open(const char *path, enum outfile_mode mode)
{
	int flags = O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC | (mode == OUTFILE_TRUNCATE ? O_TRUNC : 0);
	int n = named_fd(path), fd, r;
	struct stat st;
	bool readable;

	if (n >= 0) {
		fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	/* A regular file (or none yet) readable too, for the partial-line check; O_TRUNC is for regular files only. */
	readable = lstat(path, &st) < 0 || S_ISREG(st.st_mode);
	if (!readable)
		flags &= ~O_TRUNC;
	fd = open(path, flags | (readable ? O_RDWR : O_WRONLY), 0600);
	if (fd < 0 && readable && errno == EACCES) {
		readable = false; /* write-only for this user: no partial-line check */
		fd = open(path, flags | O_WRONLY, 0600);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = 0;
	else if ((r = owner_only(fd, &st)) == 0 && mode == OUTFILE_APPEND && readable)
		r = outfile__end_line(fd, path);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}
