// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Playing a recording back (session/replay.h). The live session hands what
 * it plays to the same callbacks, model and timers as the kernel's records,
 * in the same order, so every view prints what it printed live.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "kernel/kfeatures.h"
#include "session/replay.h"

/* A poll plays this many records at most. */
#define REPLAY_BATCH 65536
/* A snapshot in a recording may hold at most this many bytes of cmdlines. */
#define REPLAY_SNAP_BYTES (512ull << 20)

struct replay {
	const struct replay_ops *ops;
	void *ctx;
	const char *name;        /* the file, or "recording" */
	struct rec_reader *rd;
	struct rec_item pending; /* read but beyond a replay__until() limit */
	bool has_pending, done, in_snap;
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

static int replay_fail(struct replay *l, const char *fmt, const char *what)
{
	snprintf(l->err, sizeof(l->err), fmt, (unsigned long long)rec_reader__offset(l->rd), what);
	l->done = true;
	return -EBADMSG;
}

/* One record of the file: 0, or -EBADMSG when it makes no sense where it is. */
static int replay_item(struct replay *l, const struct rec_item *it)
{
	if (it->ts > l->now)
		l->now = it->ts;
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
	case REC_SNAP_PROC: {
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
	case REC_SNAP_END:
		if (!l->in_snap)
			return replay_fail(l, "near offset %llu: %s", "a snapshot ends that never began");
		l->ops->item(l->ctx, it);
		l->ops->snapshot(l->ctx, l->snap_reason, l->snap, l->nsnap, it->ts);
		snap_reset(l);
		return 0;
	case REC_TICK:
		l->ops->tick(l->ctx, it->ts);
		return 0;
	case REC_LOST: {
		const struct rec_lost *lo = it->body;

		l->ops->lost(l->ctx, lo->type, lo->count, lo->ts);
		return 0;
	}
	case REC_META:
		/* ts, then NUL-terminated strings (the reader ended the body with one). */
		for (size_t o = sizeof(__u64); o < it->len; o += strlen((const char *)it->body + o) + 1)
			kfeatures__report_recorded((const char *)it->body + o, l->feature_said);
		l->ops->item(l->ctx, it);
		return 0;
	default:
		l->ops->item(l->ctx, it);
		return 0;
	}
}

/* Applies records up to time until, at most max of them. Records applied, or -EBADMSG. */
static int replay_poll(struct replay *l, __u64 until, size_t max)
{
	size_t n = 0;

	while (!l->done && n < max) {
		struct rec_item it;
		int r;

		if (l->has_pending) {
			it = l->pending;
			l->has_pending = false;
		} else {
			r = rec_reader__next(l->rd, &it);
			if (r <= 0) {
				l->done = true;
				break;
			}
		}
		if (it.ts > until) {
			l->pending = it;
			l->has_pending = true;
			break;
		}
		r = replay_item(l, &it);
		if (r < 0)
			return r;
		n++;
	}
	return n;
}

int replay__open(const char *path, const void *buf, size_t len, const struct replay_ops *ops, void *ctx,
		 struct replay **out, char *msg, size_t msglen)
{
	struct replay *l = calloc(1, sizeof(*l));
	char err[256];
	int r;

	if (!l) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	l->ops = ops;
	l->ctx = ctx;
	l->name = path ? path : "recording";
	if (path)
		r = rec_reader__open(path, &l->rd, err, sizeof(err));
	else
		r = rec_reader__open_mem(buf, len, &l->rd, err, sizeof(err));
	if (r < 0) {
		snprintf(msg, msglen, "%s%s%s", path ? path : "", path ? ": " : "", err);
		replay__free(l);
		return r;
	}
	l->now = rec_reader__header(l->rd)->start_ns;
	*out = l;
	return 0;
}

const struct rec_file_hdr *replay__header(const struct replay *rp)
{
	return rec_reader__header(rp->rd);
}

void replay__bootstrap(struct replay *l)
{
	while (!l->done) {
		struct rec_item it;
		int r = rec_reader__next(l->rd, &it);

		if (r <= 0) {
			l->done = true;
			break;
		}
		r = replay_item(l, &it);
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
	if (!l->done && ts > l->now)
		l->now = ts;
	return r < 0 ? r : 0;
}

__u64 replay__now(const struct replay *rp)
{
	return rp->now;
}

bool replay__done(const struct replay *rp)
{
	return rp->done;
}

int replay__result(const struct replay *l)
{
	const char *e = rec_reader__error(l->rd);

	if (!l->done) /* stopped early on purpose (--at): what lies beyond is not our business */
		return 0;
	if (l->err[0]) {
		fprintf(stderr, "proclife: %s: %s; replayed up to there\n", l->name, l->err);
		return -EBADMSG;
	}
	if (e) {
		fprintf(stderr, "proclife: %s: %s; replayed up to there\n", l->name, e);
		return rec_reader__torn(l->rd) ? 1 : -EBADMSG;
	}
	if (!rec_reader__complete(l->rd)) {
		fprintf(stderr,
			"proclife: %s: the recording ends at offset %llu without its end mark (the recorder was killed?); replayed all of it\n",
			l->name, (unsigned long long)rec_reader__offset(l->rd));
		return 1;
	}
	return 0;
}

void replay__free(struct replay *rp)
{
	if (!rp)
		return;
	rec_reader__free(rp->rd);
	snap_reset(rp);
	free(rp);
}
