/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/outbuf.h"

int outbuf__init(struct outbuf *ob, int fd, size_t cap)
{
	/* Leave a state outbuf__free() accepts whatever happens below. */
	*ob = (struct outbuf){ .fd = -1 };

	if (fd < -1)
		return -EBADF;
	if (cap == 0)
		cap = fd < 0 ? 256 : OUTBUF_DEFAULT_CAP;
	if (cap == SIZE_MAX)
		return -ENOMEM;

	/* One extra byte so outbuf__cstr() can always NUL-terminate. */
	ob->data = malloc(cap + 1);
	if (!ob->data)
		return -ENOMEM;
	ob->cap = cap;
	ob->fd = fd;
	return 0;
}

void outbuf__free(struct outbuf *ob)
{
	/*
	 * Neither flushes nor closes the fd: the fd is borrowed, and a flush
	 * here would have nowhere to report its error.
	 */
	if (!ob)
		return;
	free(ob->data);
	*ob = (struct outbuf){ .fd = -1 };
}

/* write(2) all of it: partial writes, EINTR, and a non-blocking fd. *done: the bytes written (NULL: not wanted). */
static int write_all(int fd, const char *p, size_t n, size_t *done)
{
	size_t dummy;

	if (!done)
		done = &dummy;
	*done = 0;
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* Someone handed us a non-blocking stdout; wait rather than spin or drop. */
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return -errno;
		}
		if (k == 0)
			return -EIO; /* would loop forever otherwise */
		p += k;
		n -= (size_t)k;
		*done += (size_t)k;
	}
	return 0;
}

/* Lines mode: n bytes that will never be written; their lines counted. */
static void drop(struct outbuf *ob, const char *p, size_t n)
{
	uint64_t k = 0;

	for (const char *end = p + n; n && (p = memchr(p, '\n', end - p)); p++)
		k++;
	ob->dropped += k;
	ob->st.dropped_lines += k;
}

/* Lines mode: the file is cut back to the end of its last whole line. 0 or -errno. */
static int cut_tail(struct outbuf *ob)
{
	off_t size;

	if (!ob->tail)
		return 0;
	size = lseek(ob->fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	/* Shorter than what we wrote of the line: someone emptied it (logrotate's copytruncate). */
	if ((uint64_t)size >= ob->tail) {
		if (ftruncate(ob->fd, size - ob->tail) < 0)
			return -errno;
		/* Without O_APPEND (stdout redirected to a file), the next write goes there, not past a hole. */
		lseek(ob->fd, size - ob->tail, SEEK_SET);
	}
	ob->tail = 0;
	return 0;
}

/*
 * Lines mode: write n bytes, or drop them while failing. A failed write
 * cuts the file back to its last whole line (outbuf__resume() tries again
 * if that fails too) and drops the rest. 0 or -errno.
 */
static int write_lines(struct outbuf *ob, const char *p, size_t n)
{
	size_t done = 0;
	const char *nl;
	int r;

	if (ob->failing) {
		drop(ob, p, n);
		return ob->failing;
	}
	r = write_all(ob->fd, p, n, &done);
	nl = done ? memrchr(p, '\n', done) : NULL;
	ob->tail = nl ? (size_t)(p + done - nl - 1) : ob->tail + done;
	if (r == 0)
		return 0;
	errcount__add(&ob->st.errors, r);
	if (!errcount__disk_error(r))
		return ob->err = r;
	drop(ob, p + done, n - done);
	ob->failing = r;
	cut_tail(ob);
	return r;
}

/* A chunk larger than the buffer, written through (lines mode: as lines). */
static void write_through(struct outbuf *ob, const char *p, size_t n)
{
	int r = ob->line_mode ? write_lines(ob, p, n) : write_all(ob->fd, p, n, NULL);

	if (r < 0 && !ob->line_mode)
		ob->err = r;
}

/* Memory mode: make room for n more bytes. */
static int grow(struct outbuf *ob, size_t n)
{
	size_t need, cap = ob->cap ? ob->cap : 256;
	char *d;

	if (n > SIZE_MAX - 1 - ob->len)
		return ob->err = -ENOMEM;
	need = ob->len + n;
	while (cap < need)
		cap = cap > (SIZE_MAX - 1) / 2 ? need : cap * 2;

	d = realloc(ob->data, cap + 1);
	if (!d)
		return ob->err = -ENOMEM;
	ob->data = d;
	ob->cap = cap;
	return 0;
}

/*
 * The common gate of every writer: drop after an error, refuse a struct
 * that was never initialised (zeroed: fd 0 would be stdin).
 */
static inline bool usable(struct outbuf *ob)
{
	if (ob->err)
		return false;
	if (!ob->data) {
		ob->err = -EINVAL;
		return false;
	}
	return true;
}

void outbuf__write_slow(struct outbuf *ob, const void *p, size_t n)
{
	if (n == 0 || !usable(ob))
		return;

	if (n <= ob->cap - ob->len) {
		memcpy(ob->data + ob->len, p, n);
		ob->len += n;
		return;
	}

	if (ob->fd < 0) {
		if (grow(ob, n) < 0)
			return;
	} else {
		/* Lines mode, failing: on as usual; the next flush drops it and counts its lines. */
		if (outbuf__flush(ob) < 0 && ob->err)
			return;
		if (n > ob->cap) {
			/* Copying a chunk bigger than the buffer through it buys nothing. */
			write_through(ob, p, n);
			return;
		}
	}
	memcpy(ob->data + ob->len, p, n);
	ob->len += n;
}

void outbuf__printf(struct outbuf *ob, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	char *tmp;
	int n;

	if (!usable(ob))
		return;

	/* Format straight into the free space; data has cap + 1 bytes, so room for the NUL. */
	room = ob->cap - ob->len;
	va_start(ap, fmt);
	n = vsnprintf(ob->data + ob->len, room + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		ob->err = -EINVAL;
		return;
	}
	if ((size_t)n <= room) {
		ob->len += (size_t)n;
		return;
	}

	/* Did not fit: make room the way outbuf__write() would, and format again. */
	if (ob->fd < 0) {
		if (grow(ob, (size_t)n) < 0)
			return;
	} else {
		/* Lines mode, failing: on as usual; the next flush drops it and counts its lines. */
		if (outbuf__flush(ob) < 0 && ob->err)
			return;
		if ((size_t)n > ob->cap) {
			/* Bigger than the whole buffer: rare, so a temporary allocation is fine. */
			tmp = malloc((size_t)n + 1);
			if (!tmp) {
				ob->err = -ENOMEM;
				return;
			}
			va_start(ap, fmt);
			vsnprintf(tmp, (size_t)n + 1, fmt, ap);
			va_end(ap);
			write_through(ob, tmp, (size_t)n);
			free(tmp);
			return;
		}
	}
	va_start(ap, fmt);
	vsnprintf(ob->data + ob->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ob->len += (size_t)n;
}

static const char digit_pairs[201] =
	"00010203040506070809"
	"10111213141516171819"
	"20212223242526272829"
	"30313233343536373839"
	"40414243444546474849"
	"50515253545556575859"
	"60616263646566676869"
	"70717273747576777879"
	"80818283848586878889"
	"90919293949596979899";

void outbuf__u64(struct outbuf *ob, uint64_t v)
{
	/* Two digits per division: pids, timestamps and counters are printed per event. */
	char buf[20], *p = buf + sizeof(buf);

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;

		v /= 100;
		*--p = digit_pairs[i + 1];
		*--p = digit_pairs[i];
	}
	if (v >= 10) {
		unsigned i = (unsigned)v * 2;

		*--p = digit_pairs[i + 1];
		*--p = digit_pairs[i];
	} else {
		*--p = (char)('0' + v);
	}
	outbuf__write(ob, p, (size_t)(buf + sizeof(buf) - p));
}

void outbuf__i64(struct outbuf *ob, int64_t v)
{
	if (v < 0) {
		outbuf__putc(ob, '-');
		/* Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t. */
		outbuf__u64(ob, 0 - (uint64_t)v);
	} else {
		outbuf__u64(ob, (uint64_t)v);
	}
}

int outbuf__flush(struct outbuf *ob)
{
	int r;

	/* Memory mode keeps its data; report an allocation failure if there was one. */
	if (ob->fd < 0)
		return ob->err;
	if (ob->err) {
		ob->len = 0;
		return ob->err;
	}
	if (ob->len == 0)
		return ob->failing;

	if (ob->line_mode) {
		r = write_lines(ob, ob->data, ob->len);
	} else {
		r = write_all(ob->fd, ob->data, ob->len, NULL);
		if (r < 0)
			ob->err = r;
	}
	/* On error the batch is dropped: retrying a broken pipe helps no one; a failing disk is retried by the caller. */
	ob->len = 0;
	return r;
}

bool outbuf__lines(struct outbuf *ob)
{
	struct stat st;

	ob->line_mode = ob->fd >= 0 && fstat(ob->fd, &st) == 0 && S_ISREG(st.st_mode);
	ob->tail = 0;
	return ob->line_mode;
}

int outbuf__resume(struct outbuf *ob, void (*mark)(void *ctx, uint64_t nlines), void *ctx)
{
	uint64_t dropped, total;
	int r;

	if (ob->err)
		return ob->err;
	if (!ob->failing)
		return 1;
	if (ob->failing == -ENOSPC && !errcount__room(ob->fd, NULL)) {
		errcount__add(&ob->st.errors, ob->failing); /* a retry, and no room yet */
		return 0;
	}
	drop(ob, ob->data, ob->len); /* the caller's: nothing, between two lines */
	ob->len = 0;
	dropped = ob->dropped;
	total = ob->st.dropped_lines;
	ob->failing = 0;
	r = cut_tail(ob);
	if (r < 0) {
		/* It cannot be cut: ended, so that the mark is a line of its own. */
		r = write_all(ob->fd, "\n", 1, NULL);
		ob->tail = r == 0 ? 0 : ob->tail;
	}
	if (r < 0) {
		errcount__add(&ob->st.errors, r);
		if (!errcount__disk_error(r))
			return ob->err = r;
		ob->failing = r;
		return 0;
	}
	mark(ctx, dropped);
	r = outbuf__flush(ob);
	if (r == 0) {
		ob->dropped = 0;
		return 1;
	}
	if (ob->err)
		return ob->err;
	/* The mark was dropped with the rest: it is no line of the output. */
	ob->dropped = dropped;
	ob->st.dropped_lines = total;
	return 0;
}

const char *outbuf__cstr(struct outbuf *ob)
{
	if (!ob->data)
		return "";
	ob->data[ob->len] = '\0';
	return ob->data;
}

void outbuf__reset(struct outbuf *ob)
{
	ob->len = 0;
}
