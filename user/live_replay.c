// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Replaying a recording through a live session: the records of the file go
 * through the same callbacks, model and timers as the kernel's did, in the
 * same order, so every view prints what it printed live.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_impl.h"
#include "vec.h"

/* Replay applies this many records per live__poll(). */
#define REPLAY_BATCH 65536
/* A snapshot in a recording may hold at most this many bytes of cmdlines. */
#define REPLAY_SNAP_BYTES (512ull << 20)

void live__snap_reset(struct live *l)
{
	procfs__free(l->snap, l->nsnap);
	l->snap = NULL;
	l->nsnap = l->capsnap = 0;
	l->snap_bytes = 0;
	l->in_snap = false;
}

static int replay_fail(struct live *l, const char *fmt, const char *what)
{
	snprintf(l->replay_err, sizeof(l->replay_err), fmt, (unsigned long long)rec_reader__offset(l->rd), what);
	l->done = true;
	return -EBADMSG;
}

/* One record of the file: 0, or -EBADMSG when it makes no sense where it is. */
static int replay_item(struct live *l, const struct rec_item *it)
{
	if (it->ts > l->now)
		l->now = it->ts;
	switch (it->kind) {
	case REC_EVENT:
		live__apply(l, it->body, it->len); /* the reader checked it (event__check) */
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
		if (l->cfg.item)
			l->cfg.item(l->cfg.ctx, it);
		if (l->cfg.snapshot)
			l->cfg.snapshot(l->cfg.ctx, l->snap_reason, l->snap, l->nsnap);
		/* The final scan of `run` is what was left: not a state of the model. */
		if (l->model && l->snap_reason != REC_SNAP_FINAL)
			model__reconcile(l->model, l->snap, l->nsnap, it->ts, NULL);
		live__snap_reset(l);
		return 0;
	case REC_TICK:
		if (l->model)
			model__tick(l->model, it->ts);
		return 0;
	case REC_LOST: {
		const struct rec_lost *lo = it->body;

		if (l->cfg.lost)
			l->cfg.lost(l->cfg.ctx, lo->type, lo->count, lo->ts);
		l->lost[lo->type] += lo->count;
		return 0;
	}
	case REC_META:
		/* ts, then NUL-terminated strings (the reader ended the body with one). */
		for (size_t o = sizeof(__u64); o < it->len; o += strlen((const char *)it->body + o) + 1)
			kfeatures__report_recorded((const char *)it->body + o, l->feature_said);
		if (l->cfg.item)
			l->cfg.item(l->cfg.ctx, it);
		return 0;
	default:
		if (l->cfg.item)
			l->cfg.item(l->cfg.ctx, it);
		return 0;
	}
}

/* Applies records up to time until, at most max of them. Records applied, or -EBADMSG. */
static int replay_poll(struct live *l, __u64 until, size_t max)
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

int live__replay_open(struct live *l, char *msg, size_t msglen)
{
	const struct live_config *cfg = &l->cfg;
	char err[256];
	int r;

	if (cfg->replay)
		r = rec_reader__open(cfg->replay, &l->rd, err, sizeof(err));
	else
		r = rec_reader__open_mem(cfg->replay_buf, cfg->replay_len, &l->rd, err, sizeof(err));
	if (r < 0) {
		snprintf(msg, msglen, "%s%s%s", cfg->replay ? cfg->replay : "", cfg->replay ? ": " : "", err);
		return r;
	}
	l->wc.offset_ns = rec_reader__header(l->rd)->wall_offset_ns;
	l->now = rec_reader__header(l->rd)->start_ns;
	if (cfg->model) {
		l->model = model__new(&cfg->model_cfg);
		if (!l->model) {
			snprintf(msg, msglen, "out of memory");
			return -ENOMEM;
		}
	}
	/* The bootstrap: up to the end of the first snapshot, as live__new() scans /proc. */
	while (!l->done) {
		struct rec_item it;

		r = rec_reader__next(l->rd, &it);
		if (r <= 0) {
			l->done = true;
			break;
		}
		r = replay_item(l, &it);
		if (r < 0 || it.kind == REC_SNAP_END)
			break;
	}
	return 0;
}

int live__replay_poll(struct live *l, __u64 until)
{
	return replay_poll(l, until, REPLAY_BATCH);
}

int live__replay_until(struct live *l, __u64 ts)
{
	int r;

	if (!l->rd)
		return -EINVAL;
	do
		r = replay_poll(l, ts, REPLAY_BATCH);
	while (r > 0);
	/* Ended before ts: the time stays at the recording's end (callers can tell). */
	if (!l->done && ts > l->now)
		l->now = ts;
	if (l->model)
		model__tick(l->model, l->now);
	return r < 0 ? r : 0;
}

bool live__done(const struct live *l)
{
	return l->done;
}

const struct rec_file_hdr *live__recording(const struct live *l)
{
	return l->rd ? rec_reader__header(l->rd) : NULL;
}

int live__replay_result(const struct live *l)
{
	const char *name = l->cfg.replay ? l->cfg.replay : "recording";
	const char *e = rec_reader__error(l->rd);

	if (!l->done) /* stopped early on purpose (--at): what lies beyond is not our business */
		return 0;
	if (l->replay_err[0]) {
		fprintf(stderr, "proclife: %s: %s; replayed up to there\n", name, l->replay_err);
		return -EBADMSG;
	}
	if (e) {
		fprintf(stderr, "proclife: %s: %s; replayed up to there\n", name, e);
		return rec_reader__torn(l->rd) ? 1 : -EBADMSG;
	}
	if (!rec_reader__complete(l->rd)) {
		fprintf(stderr,
			"proclife: %s: the recording ends at offset %llu without its end mark (the recorder was killed?); replayed all of it\n",
			name, (unsigned long long)rec_reader__offset(l->rd));
		return 1;
	}
	return 0;
}

