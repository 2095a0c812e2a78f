// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "pidset.h"
#include "live.h"
#include "names.h"
#include "procfs.h"
#include "vec.h"

/* Replay applies this many records per live__poll(). */
#define REPLAY_BATCH 65536
/* A snapshot in a recording may hold at most this many bytes of cmdlines. */
#define REPLAY_SNAP_BYTES (512ull << 20)

struct live {
	struct live_config cfg;
	struct tracer *tracer;
	struct model *model;
	struct wallclock wc;
	__u64 seen[PL_EV_MAX];
	__u64 lost[PL_EV_MAX];
	__u64 malformed;
	/* recording */
	struct rec_writer *rec;
	bool rec_reported;
	/* replaying */
	struct rec_reader *rd;
	struct rec_item pending; /* read but beyond a replay_until() limit */
	bool has_pending, done, in_snap;
	__u64 now;               /* the replay's clock */
	unsigned snap_reason;
	struct proc_snapshot *snap;
	size_t nsnap, capsnap;
	__u64 snap_bytes;
	char replay_err[320];
};

__u64 live__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A recording that fails is said once; tracing goes on without it. */
static void recording_check(struct live *l)
{
	const char *e = rec_writer__error(l->rec);

	if (e && !l->rec_reported) {
		fprintf(stderr, "proclife: recording stopped: %s\n", e);
		l->rec_reported = true;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct live *l = ctx;
	const struct pl_hdr *h = data;

	if (event__check(data, size)) {
		l->malformed++;
		return 0;
	}
	l->seen[h->type]++;
	if (l->rec && rec_writer__event(l->rec, data, size) < 0)
		recording_check(l);
	if (l->cfg.record)
		l->cfg.record(l->cfg.ctx, data);
	if (l->model)
		model__apply(l->model, data);
	return 0;
}

/* Scan /proc; record the scan; reconcile the model with it (unless only recording it). */
static int reconcile(struct live *l, enum rec_snap_reason reason)
{
	struct proc_snapshot *snap = NULL;
	__u64 now = live__now();
	long n = procfs__scan(l->cfg.proc_root ? l->cfg.proc_root : "/proc", &snap);

	if (n < 0)
		return n;
	if (l->rec && rec_writer__snapshot(l->rec, reason, now, snap, n) < 0)
		recording_check(l);
	if (l->model && reason != REC_SNAP_ROTATE)
		model__reconcile(l->model, snap, n, now, NULL);
	procfs__free(snap, n);
	return 0;
}

static int replay_open(struct live *l, char *msg, size_t msglen);

int live__new(const struct live_config *cfg, struct live **out, char *msg, size_t msglen)
{
	struct live *l = calloc(1, sizeof(*l));
	int r;

	if (!l) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	l->cfg = *cfg;
	if (cfg->replay || cfg->replay_buf) {
		r = replay_open(l, msg, msglen);
		if (r < 0) {
			live__free(l);
			return r;
		}
		*out = l;
		return 0;
	}
	wallclock__init(&l->wc);
	if (cfg->record_to) {
		/* Before loading anything: an existing file is refused at once. */
		r = rec_writer__open(cfg->record_to, live__now(), l->wc.offset_ns, &l->rec, msg, msglen);
		if (r < 0) {
			live__free(l);
			return r;
		}
		l->cfg.model = true; /* the recording starts with a scan of /proc */
	}
	/* Every live command polls on a timer too: batch the ring buffer's wakeups. */
	if (!l->cfg.tracer.wakeup_bytes)
		l->cfg.tracer.wakeup_bytes = LIVE_WAKEUP_BYTES;
	if (l->cfg.model) {
		l->model = model__new(&cfg->model_cfg);
		if (!l->model) {
			snprintf(msg, msglen, "out of memory");
			live__free(l);
			return -ENOMEM;
		}
		l->cfg.tracer.events |= LIVE_MODEL_EVENTS;
	}
	r = tracer__new(&l->cfg.tracer, on_record, l, &l->tracer, msg, msglen);
	if (r < 0) {
		live__free(l);
		return r;
	}
	/* Attached first: what happens during the scan is in the ring buffer, applied after. */
	if (l->model) {
		r = reconcile(l, REC_SNAP_START);
		if (r < 0) {
			snprintf(msg, msglen, "cannot read /proc: %s", strerror(-r));
			live__free(l);
			return r;
		}
	}
	*out = l;
	return 0;
}

static int replay_poll(struct live *l, __u64 until, size_t max);

static void recording_poll(struct live *l, __u64 now)
{
	if (rec_writer__tick(l->rec, now) < 0 || rec_writer__maybe_flush(l->rec, now) < 0) {
		recording_check(l);
		return;
	}
	if (rec_writer__rotate_due(l->rec)) {
		/* A rotated file stands alone: it starts with a scan of its own. */
		if (rec_writer__rotate(l->rec, now, l->wc.offset_ns) < 0 || reconcile(l, REC_SNAP_ROTATE) < 0)
			recording_check(l);
	}
}

int live__poll(struct live *l, int timeout_ms)
{
	__u64 lost[PL_EV_MAX], now;
	bool lost_any = false;
	int r;

	if (l->rd)
		return replay_poll(l, ~0ull, REPLAY_BATCH);
	r = tracer__poll(l->tracer, timeout_ms);
	if (r < 0)
		return r;
	now = live__now();
	tracer__lost(l->tracer, lost);
	for (int i = 1; i < PL_EV_MAX; i++) {
		if (lost[i] > l->lost[i]) {
			if (l->cfg.lost)
				l->cfg.lost(l->cfg.ctx, i, lost[i] - l->lost[i], now);
			if (l->rec && rec_writer__lost(l->rec, now, i, lost[i] - l->lost[i]) < 0)
				recording_check(l);
			l->lost[i] = lost[i];
			lost_any = true;
		}
	}
	if (l->model) {
		/* The model missed something: /proc is the truth now. */
		if (lost_any) {
			int e = reconcile(l, REC_SNAP_RESYNC);

			if (e < 0)
				fprintf(stderr, "proclife: events were lost and /proc could not be read to resync: %s\n",
					strerror(-e));
		}
		model__tick(l->model, now);
	}
	if (l->rec)
		recording_poll(l, now);
	return r;
}

/* ---- replay: the records of a recording, through the same paths as live ones ---- */

static void snap_reset(struct live *l)
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
		on_record(l, (void *)it->body, it->len);
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
		snap_reset(l);
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

static int replay_open(struct live *l, char *msg, size_t msglen)
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

bool live__replaying(const struct live *l)
{
	return l->rd != NULL;
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

const struct wallclock *live__wallclock(const struct live *l)
{
	return &l->wc;
}

__u64 live__time(const struct live *l)
{
	return l->rd ? l->now : live__now();
}

struct rec_writer *live__recorder(struct live *l)
{
	return l->rec;
}

int live__end_recording(struct live *l)
{
	int r;

	if (!l->rec)
		return 0;
	r = rec_writer__close(l->rec, live__now());
	l->rec = NULL;
	if (r < 0 && !l->rec_reported) {
		fprintf(stderr, "proclife: recording failed: %s\n", strerror(-r));
		l->rec_reported = true;
	}
	return r;
}

int live__follow(struct live *l, __u32 pid)
{
	const char *proc = l->cfg.proc_root ? l->cfg.proc_root : "/proc";
	struct pidset s = {};
	int r = tracer__follow(l->tracer, pid);

	for (int pass = 0; r == 0 && pass < 2; pass++) {
		r = procfs__add_descendants(&s, pid, proc);
		for (size_t i = 0; r == 0 && i < s.cap; i++)
			if (s.slots[i] && s.slots[i] != 0xffffffffu)
				r = tracer__follow(l->tracer, s.slots[i]);
	}
	pidset__free(&s);
	return r;
}

struct model *live__model(struct live *l)
{
	return l->model;
}

const __u64 *live__seen(const struct live *l)
{
	return l->seen;
}

__u64 live__malformed(const struct live *l)
{
	return l->malformed;
}

const __u64 *live__lost(const struct live *l)
{
	return l->lost;
}

void live__print_summary(const struct live *l, const __u64 *derived)
{
	__u64 total = 0, nlost = 0, nderived = 0;

	for (int i = 1; i < PL_EV_MAX; i++) {
		total += l->seen[i];
		nlost += l->lost[i];
	}
	fprintf(stderr, "proclife: %llu events seen (", (unsigned long long)total);
	for (int i = 1; i < PL_EV_MAX; i++)
		fprintf(stderr, "%s%s %llu", i > 1 ? ", " : "", names__event(i), (unsigned long long)l->seen[i]);
	fprintf(stderr, "), ");
	if (derived) {
		for (int i = 1; i < DV_MAX; i++)
			nderived += derived[i];
		fprintf(stderr, "%llu derived (", (unsigned long long)nderived);
		for (int i = 1; i < DV_MAX; i++)
			fprintf(stderr, "%s%s %llu", i > 1 ? ", " : "", derived__name(i),
				(unsigned long long)derived[i]);
		fprintf(stderr, "), ");
	}
	fprintf(stderr, "%llu lost", (unsigned long long)nlost);
	if (nlost) {
		const char *sep = " (";

		for (int i = 1; i < PL_EV_MAX; i++) {
			if (l->lost[i]) {
				fprintf(stderr, "%s%s %llu", sep, names__event(i), (unsigned long long)l->lost[i]);
				sep = ", ";
			}
		}
		fprintf(stderr, ")");
	}
	if (l->malformed)
		fprintf(stderr, ", %llu malformed", (unsigned long long)l->malformed);
	fprintf(stderr, "\n");
}

void live__free(struct live *l)
{
	if (!l)
		return;
	live__end_recording(l);
	rec_reader__free(l->rd);
	snap_reset(l);
	tracer__free(l->tracer);
	model__free(l->model);
	free(l);
}
