/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A buffered output writer. Every byte of event output goes through one of
 * these so that a batch of events costs one write() instead of one per
 * field, and so that a failing output (closed pipe, full disk) is noticed
 * once, remembered, and reported by outbuf__flush() instead of being lost
 * in a sea of ignored fprintf() results.
 *
 * Two modes:
 *   fd >= 0: at most cap bytes are buffered; a write that would overflow
 *            flushes first, and a chunk larger than cap is written through.
 *   fd == -1: memory only, the buffer grows without limit; used by the
 *            unit tests (and anything else) to capture output.
 *
 * After the first error every further write is dropped and ob->err keeps
 * that first error (negative errno), so callers can write a whole batch
 * without checking each call and look at the result of outbuf__flush().
 *
 * Lines (outbuf__lines(), a regular file: watch -o FILE): what reaches
 * the file is whole lines only, and a failing disk (base/errcount.h:
 * ENOSPC, EDQUOT, EIO, EFBIG, EROFS) is not the end of it. A write that fails cuts the file
 * back to the end of its last whole line; from then on what is written is
 * dropped and its lines counted (ob->failing set, ob->err not), until the
 * caller tries again with outbuf__resume(), which first writes the line
 * that says how many were dropped. Every failed write is counted by errno.
 *
 * Not thread-safe: one outbuf per writer thread.
 */
#ifndef PROCLIFE_OUTBUF_H
#define PROCLIFE_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/errcount.h"

/* What the writes of an outbuf in lines mode came to. */
struct outbuf_stats {
	struct errcount errors; /* failed writes, by errno (retries included) */
	uint64_t dropped_lines; /* lines not written, in all failures */
};

struct outbuf {
	char *data;     /* cap + 1 bytes: room for the NUL of outbuf__cstr() */
	size_t len, cap;
	int fd;         /* -1: memory only */
	int err;        /* first error, negative errno; 0 when none */
	/* Lines mode (outbuf__lines()). */
	bool line_mode;
	int failing;    /* the disk error writes fail with now (negative errno), 0 when they do not */
	size_t tail;    /* bytes of the file's last line so far: written, its newline not yet */
	uint64_t dropped; /* lines dropped since the failure began */
	struct outbuf_stats st;
};

/* Default capacity when cap == 0 is passed to outbuf__init(). */
#define OUTBUF_DEFAULT_CAP (64 * 1024)

int outbuf__init(struct outbuf *ob, int fd, size_t cap);
void outbuf__free(struct outbuf *ob);

/* The slow path of outbuf__write(): flush, grow, or an error. */
void outbuf__write_slow(struct outbuf *ob, const void *p, size_t n);
void outbuf__printf(struct outbuf *ob, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void outbuf__u64(struct outbuf *ob, uint64_t v);
void outbuf__i64(struct outbuf *ob, int64_t v);

int outbuf__flush(struct outbuf *ob);

/*
 * Lines mode, when ob's fd is a regular file (true then): whole lines, and
 * a disk error leaves ob failing rather than failed (see above). Call it
 * again after changing ob->fd (it starts the new file's line count).
 */
bool outbuf__lines(struct outbuf *ob);
/*
 * Lines mode, failing: try to write again (on the caller's schedule,
 * between two whole lines). The file is cut back to its last whole line
 * first (or the partial one ended); then mark(ctx, nlines) writes into ob
 * the line that says how many lines were dropped, and ob is flushed. 1:
 * writing again, the mark written; 0: still failing (the mark dropped,
 * not counted); -errno: a failure of another kind (ob->err).
 */
int outbuf__resume(struct outbuf *ob, void (*mark)(void *ctx, uint64_t nlines), void *ctx);

const char *outbuf__cstr(struct outbuf *ob);
void outbuf__reset(struct outbuf *ob);

/*
 * One byte. Inline because the escapers call it per byte; the slow path
 * (full buffer, error already recorded) is left to outbuf__write(), which
 * knows how to flush, grow or drop.
 */
/* Inline, so that writing a string literal costs a memcpy of a known size. */
static inline void outbuf__write(struct outbuf *ob, const void *p, size_t n)
{
	if (__builtin_expect(n <= ob->cap - ob->len && ob->data && !ob->err, 1)) {
		memcpy(ob->data + ob->len, p, n);
		ob->len += n;
	} else {
		outbuf__write_slow(ob, p, n);
	}
}

static inline void outbuf__puts(struct outbuf *ob, const char *s)
{
	outbuf__write(ob, s, strlen(s));
}

static inline void outbuf__putc(struct outbuf *ob, char c)
{
	if (__builtin_expect(ob->len < ob->cap && !ob->err, 1))
		ob->data[ob->len++] = c;
	else
		outbuf__write(ob, &c, 1);
}

#endif /* PROCLIFE_OUTBUF_H */
