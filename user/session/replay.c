// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Playing a recording back (session/replay.h). The live session hands what
 * it plays to the same callbacks, model and timers as the kernel's records,
 * in the same order, so every view prints what it printed live. The pieces
 * of a rotated recording are one stream: the model carries across them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/msg.h"
#include "base/names.h"
#include "base/vec.h"
#include "base/wallclock.h"
#include "kernel/kfeatures.h"
#include "session/replay.h"

/* A poll plays this many records at most. */
#define REPLAY_BATCH 65536
/* A snapshot in a recording may hold at most this many bytes of cmdlines. */
#define REPLAY_SNAP_BYTES (512ull << 20)
/*
 * Without boot ids (recordings before format 1.1), two pieces are of one
 * boot when their boot times (REALTIME - BOOTTIME) agree this closely: only
 * a step of the clock moves it within a boot, and another boot began at
 * least a whole uptime later.
 */
#define REPLAY_SAME_BOOT_NS 1000000000ll

struct piece {
	const char *path;        /* the file, or NULL: a buffer */
	char buf_name[24];       /* a buffer's name: "recording", "recording N" */
	struct rec_reader *rd;   /* open until the piece has been played */
	struct rec_file_hdr hdr;
	size_t given;            /* its place on the command line */
};

struct replay {
	const struct replay_ops *ops;
	void *ctx;
	struct piece *pieces;    /* in the order they were recorded */
	size_t npieces, cur;
	struct wallclock wc;     /* the first piece's: for times in messages */
	/* the piece being played */
	bool piece_ended;        /* its reader has nothing more */
	bool opening;            /* its first scan is still to come */
	bool carried;            /* it continues the previous piece exactly */
	__u64 piece_max;         /* the latest time in it so far */
	__u64 end_mark;          /* its REC_END's time, 0 before */
	struct rec_item pending; /* read but beyond a replay__until() limit */
	bool has_pending, done, in_snap;
	bool stop_set, cut;      /* replay__stop_after(), and it happened */
	__u64 stop_after;
	int worst;               /* the verdicts of the pieces left behind */
	bool reported;           /* the last piece's verdict was said */
	__u64 now;               /* the replay's clock */
	unsigned snap_reason;
	struct proc_snapshot *snap;
	size_t nsnap, capsnap;
	__u64 snap_bytes;
	char err[320];
	bool feature_said[KF_MAX]; /* the recording's missing features, each said once */
};

/* Forget a scan being assembled (accepts an empty one). */
static void snap_reset(struct replay *l)
{
	procfs__free(l->snap, l->nsnap);
	l->snap = NULL;
	l->nsnap = l->capsnap = 0;
	l->snap_bytes = 0;
	l->in_snap = false;
}

/* How messages name a piece (not a pointer kept in it: pieces move when sorted). */
static const char *pname(const struct piece *p)
{
	return p->path ? p->path : p->buf_name;
}

static struct piece *cur(const struct replay *l)
{
	return &l->pieces[l->cur];
}

/* A record out of place: the rest of this piece is not played. */
static int replay_fail(struct replay *l, const char *fmt, const char *what)
{
	snprintf(l->err, sizeof(l->err), fmt, (unsigned long long)rec_reader__offset(cur(l)->rd), what);
	l->piece_ended = true;
	return -EBADMSG;
}

/* A gap in a piece: what the recorder could not write, in one line. */
static void say_gap(struct replay *l, const struct rec_gap *g)
{
	char since[WALLCLOCK_HMS_MAX], until[WALLCLOCK_HMS_MAX];
	const char *e = names__errno(g->err);

	wallclock__hms(&l->wc, g->since, since, sizeof(since));
	wallclock__hms(&l->wc, g->ts, until, sizeof(until));
	msg__say(MSG_WARN, "%s: near offset %llu: from %s to %s its recorder could not write (%s): %llu events are "
		 "not in the recording", pname(cur(l)), (unsigned long long)rec_reader__offset(cur(l)->rd), since, until,
		 e ? e : "an unknown error", (unsigned long long)g->events);
}

/* One process of a snapshot, its cmdline copied (it points into the reader's block, which the next replaces). */
static int snap_proc(struct replay *l, const struct rec_item *it)
{
	const struct rec_snap_proc *p = it->body;
	struct proc_snapshot s;

	if (!l->in_snap)
		return replay_fail(l, "near offset %llu: %s", "a process entry outside a snapshot");
	if (l->nsnap >= REC_SNAPSHOT_MAX || (l->snap_bytes += p->cmdline_len) > REPLAY_SNAP_BYTES)
		return replay_fail(l, "near offset %llu: %s", "a snapshot larger than any process table");
	rec_snap_proc__decode(p, it->len, &s);
	if (s.cmdline) {
		/* It points into the reader's block, which the next block replaces. */
		char *c = malloc(s.cmdline_len + 1);

		if (!c)
			return replay_fail(l, "near offset %llu: %s", "out of memory");
		memcpy(c, s.cmdline, s.cmdline_len);
		c[s.cmdline_len] = 0;
		s.cmdline = c;
	}
	if (!VEC_PUSH(l->snap, l->nsnap, l->capsnap, s)) {
		free(s.cmdline);
		return replay_fail(l, "near offset %llu: %s", "out of memory");
	}
	return 0;
}

/* The snapshot is complete: the session applies it. */
static int snap_end(struct replay *l, const struct rec_item *it)
{
	/* A rotated piece's opening scan: the recorder wrote it for the file, its model went on. */
	bool carried = l->opening && l->carried;

	if (!l->in_snap)
		return replay_fail(l, "near offset %llu: %s", "a snapshot ends that never began");
	l->opening = false;
	l->ops->item(l->ctx, it);
	l->ops->snapshot(l->ctx, l->snap_reason, l->snap, l->nsnap, it->ts, carried);
	snap_reset(l);
	return 0;
}

/* One record of the file: 0, or -EBADMSG when it makes no sense where it is. */
static int replay_item(struct replay *l, const struct rec_item *it)
{
	if (it->ts > l->now)
		l->now = it->ts;
	if (it->ts > l->piece_max)
		l->piece_max = it->ts;
	switch (it->kind) {
	case REC_EVENT:
		l->ops->event(l->ctx, it->body, it->len); /* the reader checked it (event__check) */
		return 0;
	case REC_SNAP_BEGIN:
		if (l->in_snap)
			return replay_fail(l, "near offset %llu: %s", "a snapshot starts inside another");
		l->in_snap = true;
		l->snap_reason = ((const struct rec_snap_begin *)it->body)->reason;
		return 0;
	case REC_SNAP_PROC:
		return snap_proc(l, it);
	case REC_SNAP_END:
		return snap_end(l, it);
	case REC_TICK:
		l->ops->tick(l->ctx, it->ts);
		return 0;
	case REC_LOST: {
		const struct rec_lost *lo = it->body;

		l->ops->lost(l->ctx, lo->type, lo->count, lo->ts);
		return 0;
	}
	case REC_GAP:
		/* The recorder's model went on, the file's did not: the scan that follows is applied, even an opening one. */
		l->carried = false;
		say_gap(l, it->body);
		if (l->ops->gap)
			l->ops->gap(l->ctx, it->body);
		return 0;
	case REC_META:
		/* ts, then NUL-terminated strings (the reader ended the body with one). */
		for (size_t o = sizeof(__u64); o < it->len; o += strlen((const char *)it->body + o) + 1)
			kfeatures__report_recorded((const char *)it->body + o, l->feature_said);
		l->ops->item(l->ctx, it);
		return 0;
	case REC_END:
		l->end_mark = it->ts;
		l->ops->item(l->ctx, it);
		return 0;
	default:
		l->ops->item(l->ctx, it);
		return 0;
	}
}

/*
 * How a piece ended: 0 read to its end mark, 1 cleanly cut (a killed
 * recorder), -EBADMSG damage; the last two said (base/msg.h).
 */
static int verdict(struct replay *l, const struct piece *p)
{
	const char *e = rec_reader__error(p->rd);

	if (l->err[0]) {
		msg__say(MSG_ERROR, "%s: %s; replayed up to there", pname(p), l->err);
		return -EBADMSG;
	}
	if (e) {
		msg__say(MSG_ERROR, "%s: %s; replayed up to there", pname(p), e);
		return rec_reader__torn(p->rd) ? 1 : -EBADMSG;
	}
	if (!rec_reader__complete(p->rd)) {
		msg__say(MSG_WARN,
			 "%s: the recording ends at offset %llu without its end mark (the recorder was killed?); replayed all of it",
			 pname(p), (unsigned long long)rec_reader__offset(p->rd));
		return 1;
	}
	return 0;
}

static void worsen(struct replay *l, int v)
{
	if (v < 0 || (v > 0 && l->worst == 0))
		l->worst = v;
}

/* "12.500 s" */
static void span(char *buf, size_t size, __u64 ns)
{
	snprintf(buf, size, "%llu.%03llu s", (unsigned long long)(ns / 1000000000ull),
		 (unsigned long long)(ns % 1000000000ull / 1000000ull));
}

/* Between two pieces that do not continue each other: what lies between them, in one line. */
static void say_boundary(struct replay *l, const struct piece *prev, __u64 prev_end, const struct piece *next)
{
	char end[WALLCLOCK_HMS_MAX], start[WALLCLOCK_HMS_MAX], d[32];
	__u64 s = next->hdr.start_ns;

	wallclock__hms(&l->wc, prev_end, end, sizeof(end));
	wallclock__hms(&l->wc, s, start, sizeof(start));
	if (s >= prev_end) {
		span(d, sizeof(d), s - prev_end);
		msg__say(MSG_WARN, "gap of %s between %s (ends %s) and %s (starts %s): what happened then was not recorded",
			 d, pname(prev), end, pname(next), start);
	} else {
		span(d, sizeof(d), prev_end - s);
		msg__say(MSG_WARN, "overlap of %s: %s (starts %s) was recorded while %s (ends %s) was: events of that time may be shown twice",
			 d, pname(next), start, pname(prev), end);
	}
}

/* The recording is past replay__stop_after()'s time: the replay ends there, at that time. */
static void cut(struct replay *l)
{
	l->cut = true;
	if (l->stop_after > l->now)
		l->now = l->stop_after;
}

/* The current piece has nothing more: on to the next one, or the end of the stream. */
static void advance(struct replay *l)
{
	struct piece *prev = cur(l), *next;
	__u64 prev_end = l->piece_max;
	bool continuous;

	if (l->cur + 1 >= l->npieces) {
		l->done = true; /* the last piece's verdict is replay__result()'s */
		return;
	}
	next = prev + 1;
	worsen(l, verdict(l, prev));
	/* A rotation: the recorder closed the file and opened the next one at the same instant. */
	continuous = rec_reader__complete(prev->rd) && !l->err[0] && l->end_mark == next->hdr.start_ns &&
		     next->hdr.seq == prev->hdr.seq + 1;
	rec_reader__free(prev->rd);
	prev->rd = NULL;
	snap_reset(l);
	l->err[0] = 0;
	l->cur++;
	l->piece_ended = false;
	l->opening = true;
	l->carried = continuous;
	l->piece_max = next->hdr.start_ns;
	l->end_mark = 0;
	if (l->stop_set && next->hdr.start_ns > l->stop_after) {
		cut(l);
		return;
	}
	if (!continuous)
		say_boundary(l, prev, prev_end, next);
}

/* The next record of the stream, across pieces: 1, or 0 at its end. */
static int next_item(struct replay *l, struct rec_item *it)
{
	while (!l->done && !l->cut) {
		if (l->has_pending) {
			*it = l->pending;
			l->has_pending = false;
			return 1;
		}
		if (!l->piece_ended) {
			if (rec_reader__next(cur(l)->rd, it) > 0)
				return 1;
			l->piece_ended = true;
		}
		advance(l);
	}
	return 0;
}

/* Applies records up to time until, at most max of them. Records applied, or -EBADMSG at the end of a bad stream. */
static int replay_poll(struct replay *l, __u64 until, size_t max)
{
	size_t n = 0;

	while (n < max) {
		struct rec_item it;

		if (!next_item(l, &it))
			break;
		if (l->stop_set && it.kind == REC_TICK && it.ts > l->stop_after) {
			cut(l);
			break;
		}
		if (it.ts > until) {
			l->pending = it;
			l->has_pending = true;
			break;
		}
		/* A record out of place ends its piece (said with the piece's verdict); the stream goes on. */
		if (replay_item(l, &it) < 0 && l->cur + 1 >= l->npieces) {
			l->done = true;
			return -EBADMSG;
		}
		n++;
	}
	return n;
}

static int by_start(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->hdr.start_ns != y->hdr.start_ns)
		return x->hdr.start_ns < y->hdr.start_ns ? -1 : 1;
	if (x->hdr.seq != y->hdr.seq)
		return x->hdr.seq < y->hdr.seq ? -1 : 1;
	return x->given < y->given ? -1 : x->given > y->given;
}

static bool same_boot(const struct rec_file_hdr *a, const struct rec_file_hdr *b)
{
	__s64 d = a->wall_offset_ns - b->wall_offset_ns;

	if (rec_file_hdr__has_boot_id(a) && rec_file_hdr__has_boot_id(b))
		return !memcmp(a->boot_id, b->boot_id, sizeof(a->boot_id));
	return d > -REPLAY_SAME_BOOT_NS && d < REPLAY_SAME_BOOT_NS;
}

static void boot_str(const struct rec_file_hdr *h, char *buf, size_t size)
{
	struct wallclock wc = { .offset_ns = h->wall_offset_ns };
	char t[WALLCLOCK_RFC3339_MAX];

	if (rec_file_hdr__has_boot_id(h)) {
		snprintf(buf, size, "boot id %02x%02x%02x%02x-...", h->boot_id[0], h->boot_id[1], h->boot_id[2],
			 h->boot_id[3]);
		return;
	}
	wallclock__rfc3339(&wc, 0, t, sizeof(t));
	snprintf(buf, size, "booted %.19sZ", t);
}

/* Orders the pieces, refuses to mix boots, leaves out the ones given twice. 0 or -EINVAL with msg. */
static int arrange(struct replay *l, char *msg, size_t msglen)
{
	size_t k = 0;

	qsort(l->pieces, l->npieces, sizeof(*l->pieces), by_start);
	for (size_t i = 1; i < l->npieces; i++) {
		const struct piece *a = &l->pieces[0], *p = &l->pieces[i];
		char x[48], y[48];

		if (same_boot(&a->hdr, &p->hdr))
			continue;
		boot_str(&a->hdr, x, sizeof(x));
		boot_str(&p->hdr, y, sizeof(y));
		snprintf(msg, msglen, "%s and %s were recorded in different boots (%s, %s): their times do not compare; replay them apart",
			 pname(a), pname(p), x, y);
		return -EINVAL;
	}
	for (size_t i = 0; i < l->npieces; i++) {
		struct piece *p = &l->pieces[i];

		if (k && !memcmp(&p->hdr, &l->pieces[k - 1].hdr, sizeof(p->hdr))) {
			if (!strcmp(pname(p), pname(&l->pieces[k - 1])))
				msg__say(MSG_WARN, "%s is given twice: replayed once", pname(p));
			else
				msg__say(MSG_WARN, "%s is the same piece of a recording as %s (the same header): replayed once",
					 pname(p), pname(&l->pieces[k - 1]));
			rec_reader__free(p->rd);
			continue;
		}
		l->pieces[k++] = *p;
	}
	l->npieces = k;
	return 0;
}

int replay__open(const struct replay_source *src, size_t n, const struct replay_ops *ops, void *ctx,
		 struct replay **out, char *msg, size_t msglen)
{
	struct replay *l = calloc(1, sizeof(*l));
	char err[256];
	int r = 0;

	if (!l || !(l->pieces = calloc(n ? n : 1, sizeof(*l->pieces)))) {
		free(l);
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	l->ops = ops;
	l->ctx = ctx;
	if (n < 1 || n > REPLAY_PIECES_MAX) {
		snprintf(msg, msglen, "%zu recordings given: 1 to %d can be replayed together", n, REPLAY_PIECES_MAX);
		r = -EINVAL;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct piece *p = &l->pieces[i];

		snprintf(p->buf_name, sizeof(p->buf_name), n > 1 ? "recording %zu" : "recording", i + 1);
		p->path = src[i].path;
		p->given = i;
		if (src[i].path)
			r = rec_reader__open(src[i].path, &p->rd, err, sizeof(err));
		else
			r = rec_reader__open_mem(src[i].buf, src[i].len, &p->rd, err, sizeof(err));
		l->npieces = i + 1;
		if (r < 0) {
			snprintf(msg, msglen, "%s%s%s", src[i].path ? src[i].path : "", src[i].path ? ": " : "", err);
			goto fail;
		}
		p->hdr = *rec_reader__header(p->rd);
	}
	r = arrange(l, msg, msglen);
	if (r < 0)
		goto fail;
	l->wc.offset_ns = l->pieces[0].hdr.wall_offset_ns;
	l->now = l->piece_max = l->pieces[0].hdr.start_ns;
	l->opening = true;
	*out = l;
	return 0;
fail:
	replay__free(l);
	return r;
}

const struct rec_file_hdr *replay__header(const struct replay *rp)
{
	return &rp->pieces[0].hdr;
}

void replay__bootstrap(struct replay *l)
{
	struct rec_item it;

	while (next_item(l, &it)) {
		int r = replay_item(l, &it);

		if (r < 0 && l->cur + 1 >= l->npieces)
			l->done = true;
		if (r < 0 || it.kind == REC_SNAP_END)
			break;
	}
}

int replay__poll(struct replay *rp, __u64 until)
{
	return replay_poll(rp, until, REPLAY_BATCH);
}

int replay__until(struct replay *l, __u64 ts)
{
	int r;

	do
		r = replay_poll(l, ts, REPLAY_BATCH);
	while (r > 0);
	/* Ended before ts: the time stays at the recording's end (callers can tell). */
	if (!replay__done(l) && ts > l->now)
		l->now = ts;
	return r < 0 ? r : 0;
}

void replay__stop_after(struct replay *rp, __u64 ts)
{
	rp->stop_set = true;
	rp->stop_after = ts;
}

__u64 replay__now(const struct replay *rp)
{
	return rp->now;
}

bool replay__done(const struct replay *rp)
{
	return rp->done || rp->cut;
}

int replay__result(struct replay *l)
{
	int v = l->worst;

	/* Stopped early on purpose (--at, --until): what lies beyond is not our business. */
	if (!l->done)
		return v;
	/* The last piece: said here, once the caller has said its own piece (as for a single file). */
	if (!l->reported) {
		worsen(l, verdict(l, cur(l)));
		l->reported = true;
		v = l->worst;
	}
	return v;
}

void replay__free(struct replay *rp)
{
	if (!rp)
		return;
	for (size_t i = 0; i < rp->npieces; i++)
		rec_reader__free(rp->pieces[i].rd);
	free(rp->pieces);
	snap_reset(rp);
	free(rp);
}
