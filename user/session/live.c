// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/backoff.h"
#include "base/msg.h"
#include "base/pidset.h"
#include "base/vec.h"
#include "kernel/cgroups.h"
#include "kernel/event.h"
#include "kernel/procfs.h"
#include "session/ctsource.h"
#include "session/live.h"
#include "session/replay.h"
#include "session/secrets.h"

struct live {
	struct live_config cfg;
	struct tracer *tracer;
	struct model *model;
	struct wallclock wc;
	struct cg_host cg;      /* this host's cgroup layout (live only) */
	struct ctsource *cts;   /* its processes' cgroups and containers */
	bool snap_applied;      /* replaying: the last scan was applied to the model */
	/* Live: containers named while the session started, said at the first poll (as a replay says them). */
	struct derived_event *early;
	size_t nearly, capearly;
	bool polled;
	__u64 seen[PL_EV_MAX];
	__u64 lost[PL_EV_MAX];
	__u64 malformed;
	/* Resyncs with /proc after lost events: each one scans all of /proc (and records it). */
	struct backoff resync;
	__u64 untracked;        /* exits the kernel's zombie table had no room for */
	/* recording */
	struct rec_writer *rec;
	bool rec_reported;      /* its failure for good was said */
	bool rec_failing_said;  /* its failing disk was said (once per failure) */
	__u64 rec_resumed_at;   /* when it last wrote again after a failure */
	int rec_said_err;       /* the error of the failure said last */
	__u64 zombies_confirmed; /* when live__confirm_zombies() last ran (lean: boot ns) */
	/* replaying */
	struct replay *rp;
	__u64 since, until;     /* what is shown (live__replay_window()) */
	void *redacted;         /* --redact: an exec record rewritten (SECRETS_EVENT_MAX bytes) */
};

/* A record or derived event of this time is shown (replaying: within the window). */
static bool shown(const struct live *l, __u64 ts)
{
	return ts >= l->since && ts <= l->until;
}

__u64 live__now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * This host's cgroup layout; on a v1 or hybrid host, events carry the
 * subject's cgroup in the chosen v1 hierarchy (pl_hdr.cgroup1_id) too.
 * Without a layout (no /proc mountinfo) events carry the v2 id alone.
 */
static void cgroups_setup(struct live *l)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/self/mountinfo", l->cfg.proc_root ? l->cfg.proc_root : "/proc");
	if (cgroups__detect(path, &l->cg) < 0)
		memset(&l->cg, 0, sizeof(l->cg));
	if (!l->cfg.tracer.cgroup1_controller && l->cg.v1_controller[0])
		l->cfg.tracer.cgroup1_controller = l->cg.v1_controller;
}

/* A disk that fails again this soon after it wrote again, with the same error, is said in short. */
#define REC_SAY_AGAIN_NS (600 * 1000000000ull)

/*
 * A recording that fails is said once: for good, or while its disk fails
 * (once per failure: the retries are not said; a disk that fails again
 * soon after, as an almost full one does, in short). Tracing goes on.
 */
static void recording_check(struct live *l)
{
	const char *e = rec_writer__error(l->rec), *f = rec_writer__failing(l->rec);
	int err = rec_writer__stats(l->rec)->first_err;

	if (e && !l->rec_reported) {
		msg__say(MSG_ERROR, "recording stopped: %s", e);
		l->rec_reported = true;
	} else if (f && !l->rec_failing_said) {
		if (l->rec_resumed_at && live__now() - l->rec_resumed_at < REC_SAY_AGAIN_NS && err == l->rec_said_err)
			msg__say(MSG_WARN, "recording: writing %s fails again, as before; tracing goes on, and writing is "
				 "retried", l->cfg.record_to->path);
		else
			msg__say(MSG_ERROR, "recording: %s; tracing goes on, what cannot be written is counted, and "
				 "writing is retried every second", f);
		l->rec_failing_said = true;
		l->rec_said_err = err;
	}
}

/* One checked event record (the tracer's, or a recording's): redact, count, record, show, apply. */
static void apply(struct live *l, const void *data, size_t size)
{
	const struct pl_hdr *h = data = secrets__event(l->cfg.redact, data, &size, l->redacted);
	bool show = shown(l, h->ts);

	/* Live: its cgroups and container learnt first, and recorded before it. */
	if (!l->rp)
		ctsource__event(l->cts, h, h->ts);

	if (show)
		l->seen[h->type]++;
	if (l->rec && rec_writer__event(l->rec, data, size) < 0)
		recording_check(l);
	if (l->cfg.record && show)
		l->cfg.record(l->cfg.ctx, data);
	if (l->model)
		model__apply(l->model, data);
}

/*
 * A cred event from the kernel, completed from the model before anything
 * sees it (model__cred_fill()): old credentials the kernel could not give,
 * whether it raised privilege. Not with --setid: the kernel then drops
 * the ordinary execs, which may change credentials too, so what the model
 * holds may be out of date; old stays unknown. A change that changes
 * nothing the model knows of is another thread's share of one already
 * reported, or a call that changed nothing: dropped, unless every
 * thread's events were asked for.
 */
static void apply_cred(struct live *l, const void *data, size_t size)
{
	struct pl_cred e;

	memcpy(&e, data, sizeof(e));
	if (model__cred_fill(l->model, &e, !l->cfg.tracer.setid_only) || l->cfg.tracer.threads)
		apply(l, &e, sizeof(e));
}

/* The tracer's callback: records from the kernel are checked before anything reads them. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct live *l = ctx;

	if (event__check(data, size)) {
		l->malformed++;
		return 0;
	}
	if (((const struct pl_hdr *)data)->type == PL_EV_CRED && l->model)
		apply_cred(l, data, size);
	else
		apply(l, data, size);
	return 0;
}

/* What a replay plays, applied as the kernel's records and scans are. */
static void replay_event(void *ctx, const void *data, size_t size)
{
	apply(ctx, data, size);
}

static void replay_snapshot(void *ctx, unsigned reason, struct proc_snapshot *v, size_t n, __u64 ts, bool carried)
{
	struct live *l = ctx;

	if (secrets__snapshot(l->cfg.redact, v, n) < 0)
		msg__say(MSG_WARN, "out of memory: some cmdlines of a scan are left out rather than shown unredacted");
	if (l->cfg.snapshot)
		l->cfg.snapshot(l->cfg.ctx, reason, v, n);
	/*
	 * The final scan of `run` is what was left: not a state of the model.
	 * A carried scan (a rotation's) was only written: the live model did
	 * not take it (reconcile() below), so the replay does not either.
	 */
	l->snap_applied = l->model && reason != REC_SNAP_FINAL && !carried;
	if (l->snap_applied)
		model__reconcile(l->model, v, n, ts, NULL);
}

static void replay_tick(void *ctx, __u64 ts)
{
	struct live *l = ctx;

	if (l->model)
		model__tick(l->model, ts);
}

static void replay_lost(void *ctx, unsigned type, __u64 count, __u64 ts)
{
	struct live *l = ctx;

	if (!shown(l, ts))
		return;
	if (l->cfg.lost)
		l->cfg.lost(l->cfg.ctx, type, count, ts);
	l->lost[type] += count;
}

/* The model's derived events, to the command's callback within the window. */
static void replay_derived(void *ctx, const struct derived_event *d)
{
	struct live *l = ctx;

	if (shown(l, d->ts) && l->cfg.model_cfg.derived)
		l->cfg.model_cfg.derived(l->cfg.model_cfg.ctx, d);
}

static void replay_item(void *ctx, const struct rec_item *it)
{
	struct live *l = ctx;

	/* A cgroup record's pids are the scan's before it: for the model only if it took that scan. */
	if (it->kind == REC_CGROUP || it->kind == REC_CONTAINER)
		ctsource__replay(l->cts, it, l->snap_applied ? l->model : NULL);
	if (l->cfg.item)
		l->cfg.item(l->cfg.ctx, it);
}

static void replay_gap(void *ctx, const struct rec_gap *g)
{
	struct live *l = ctx;

	if (shown(l, g->ts) && l->cfg.gap)
		l->cfg.gap(l->cfg.ctx, g);
}

static const struct replay_ops replay_ops = {
	.event = replay_event,
	.snapshot = replay_snapshot,
	.tick = replay_tick,
	.lost = replay_lost,
	.item = replay_item,
	.gap = replay_gap,
};

/* Live: a cgroup's path learnt, recorded before the event that needs it. */
static void on_cgroup(void *ctx, enum ctreg_hier hier, __u64 id, const char *path)
{
	struct live *l = ctx;

	if (l->rec && rec_writer__cgroup(l->rec, live__now(), hier == CTREG_V1 ? REC_CG_V1 : REC_CG_V2, id, path,
					  NULL, 0) < 0)
		recording_check(l);
}

/* A container named (live, or a recording's record): recorded, and said as a derived event. */
static void on_container(void *ctx, const struct ct_ref *ct, __u64 ts)
{
	struct live *l = ctx;
	struct derived_event d = { .type = DV_CONTAINER, .ts = ts, .ct = ct };

	if (l->rec && rec_writer__container(l->rec, ts, ct->cgroup, &ct->info) < 0)
		recording_check(l);
	if (!l->rp && !l->polled) {
		/* The command is not listening yet (its output not set up): at the first poll. */
		VEC_PUSH(l->early, l->nearly, l->capearly, d);
		return;
	}
	if (shown(l, ts) && l->cfg.model_cfg.derived)
		l->cfg.model_cfg.derived(l->cfg.model_cfg.ctx, &d);
}

/* Replay (-r FILE ...) instead of tracing: the model, then the recording's bootstrap. */
static int replay_open(struct live *l, char *msg, size_t msglen)
{
	const struct live_config *cfg = &l->cfg;
	struct replay_source *src = NULL;
	size_t n = cfg->nreplay_mem;
	int r;

	if (!cfg->nreplay) {
		r = replay__open(cfg->replay_mem, n, &replay_ops, l, &l->rp, msg, msglen);
	} else {
		n = cfg->nreplay;
		src = calloc(n, sizeof(*src));
		if (!src) {
			snprintf(msg, msglen, "out of memory");
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++)
			src[i].path = cfg->replay[i];
		r = replay__open(src, n, &replay_ops, l, &l->rp, msg, msglen);
		free(src);
	}
	if (r < 0)
		return r;
	if (cfg->opened && (r = cfg->opened(cfg->ctx)) < 0) {
		msg[0] = '\0'; /* said by the callback */
		return r;
	}
	if (ctsource__new_replay(&(struct ctsource_ops){ .container = on_container, .ctx = l }, &l->cts)) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	l->wc.offset_ns = replay__header(l->rp)->wall_offset_ns;
	if (cfg->model) {
		struct model_config mc = cfg->model_cfg;

		/* Derived events pass the window too (live__replay_window()). */
		mc.derived = replay_derived;
		mc.ctx = l;
		l->model = model__new(&mc);
		if (!l->model) {
			snprintf(msg, msglen, "out of memory");
			return -ENOMEM;
		}
	}
	replay__bootstrap(l->rp);
	return 0;
}

/* A zombie of the scan whose exit /proc hid (kernel/procfs.h), by pid: its index in the scan. */
struct hidden_exit {
	__u32 pid, i;
};

struct exit_fill {
	struct proc_snapshot *snap;
	struct hidden_exit *v; /* sorted by pid */
	size_t n;
};

static int by_pid(const void *a, const void *b)
{
	const struct hidden_exit *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void on_exit_sample(void *ctx, const struct pl_sample *s)
{
	struct exit_fill *f = ctx;
	struct hidden_exit key = { .pid = s->tgid }, *h;
	__u64 tick = procfs__tick_ns();

	if (s->tid != s->tgid || s->exit_status == PL_STATUS_UNKNOWN)
		return;
	h = bsearch(&key, f->v, f->n, sizeof(*h), by_pid);
	/* The same process: /proc's start time is the kernel's, to the clock tick. */
	if (h && f->snap[h->i].start_ns / tick == s->start_ns / tick)
		f->snap[h->i].exit_code = s->exit_status;
}

/*
 * The exits /proc hid from us (another user's zombies, to a proclife
 * without CAP_SYS_PTRACE, as the service runs): read in the kernel by the
 * sampling programs. Without them they stay unknown, never a wrong 0.
 */
static void fill_hidden_exits(struct live *l, struct proc_snapshot *snap, size_t n)
{
	struct exit_fill f = { .snap = snap };
	size_t cap = 0;

	for (size_t i = 0; i < n; i++)
		if (snap[i].exit_code == PL_STATUS_UNKNOWN &&
		    !VEC_PUSH(f.v, f.n, cap, ((struct hidden_exit){ .pid = snap[i].pid, .i = i })))
			break;
	if (f.n) {
		qsort(f.v, f.n, sizeof(*f.v), by_pid);
		tracer__sample(l->tracer, on_exit_sample, &f);
	}
	free(f.v);
}

long live__scan(struct live *l, struct proc_snapshot **out)
{
	long n = procfs__scan(l->cfg.proc_root ? l->cfg.proc_root : "/proc", tracer_config__args_cap(&l->cfg.tracer),
			      out);

	if (n > 0 && l->tracer)
		fill_hidden_exits(l, *out, n);
	if (n > 0 && secrets__snapshot(l->cfg.redact, *out, n) < 0)
		msg__say(MSG_WARN, "out of memory: some cmdlines of a scan are left out rather than shown unredacted");
	return n;
}

struct cg_members {
	__u64 id;
	__u32 pid;
};

static int by_cgroup(const void *a, const void *b)
{
	const struct cg_members *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The scanned processes of each cgroup of one hierarchy, one REC_CGROUP each, after the scan. */
static void record_members(struct live *l, __u64 now, bool v1, const struct ct_proc_ids *ids, size_t n)
{
	struct cg_members *v = malloc((n + 1) * sizeof(*v));
	__u32 *pids = malloc((n + 1) * sizeof(*pids));
	struct ctreg *reg = ctsource__registry(l->cts);
	size_t k = 0;

	for (size_t i = 0; v && i < n; i++)
		if (v1 ? ids[i].cgroup1_id : ids[i].cgroup_id)
			v[k++] = (struct cg_members){ v1 ? ids[i].cgroup1_id : ids[i].cgroup_id, ids[i].pid };
	if (v && pids)
		qsort(v, k, sizeof(*v), by_cgroup);
	for (size_t i = 0, j; v && pids && i < k; i = j) {
		const char *path = ctreg__path(reg, v1 ? CTREG_V1 : CTREG_V2, v[i].id);
		size_t np = 0;

		for (j = i; j < k && v[j].id == v[i].id; j++)
			pids[np++] = v[j].pid;
		if (path && rec_writer__cgroup(l->rec, now, v1 ? REC_CG_V1 : REC_CG_V2, v[i].id, path, pids, np) < 0)
			recording_check(l);
	}
	free(v);
	free(pids);
}

static int record_cgroup(void *ctx, enum ctreg_hier hier, __u64 id, const char *path)
{
	struct live *l = ctx;

	return rec_writer__cgroup(l->rec, live__now(), hier == CTREG_V1 ? REC_CG_V1 : REC_CG_V2, id, path, NULL, 0);
}

/*
 * After a scan: each process's cgroups read, into the model (when it
 * reconciles with the scan), and recorded: the cgroups of the scanned
 * processes with them; a rotated file, which stands alone, gets every
 * cgroup and named container known as well.
 */
static void scan_cgroups(struct live *l, enum rec_snap_reason reason, bool apply, const struct proc_snapshot *snap,
			 size_t n, __u64 now)
{
	struct ct_proc_ids *ids = NULL;
	long k = ctsource__scan(l->cts, snap, n, now, &ids);

	for (long i = 0; l->model && apply && i < k; i++) {
		model__set_cgroup(l->model, ids[i].pid, false, ids[i].cgroup_id);
		model__set_cgroup(l->model, ids[i].pid, true, ids[i].cgroup1_id);
	}
	if (l->rec && reason == REC_SNAP_ROTATE) {
		if (ctreg__each_cgroup(ctsource__registry(l->cts), record_cgroup, l) < 0)
			recording_check(l);
		for (const struct ct_ref *ct = NULL; (ct = ctreg__next(ctsource__registry(l->cts), ct));)
			if (ct->named && rec_writer__container(l->rec, now, ct->cgroup, &ct->info) < 0)
				recording_check(l);
	}
	if (l->rec && k > 0) {
		record_members(l, now, false, ids, k);
		record_members(l, now, true, ids, k);
	}
	free(ids);
}

/*
 * Scan /proc; record the scan; reconcile the model with it, unless only
 * the file needs it (a rotated file's start, a recording's gap: the model
 * missed nothing).
 */
static int reconcile(struct live *l, enum rec_snap_reason reason, bool apply)
{
	struct proc_snapshot *snap = NULL;
	__u64 now = live__now();
	long n = live__scan(l, &snap);

	if (n < 0)
		return n;
	if (l->rec && rec_writer__snapshot(l->rec, reason, now, snap, n) < 0)
		recording_check(l);
	if (l->model && apply)
		model__reconcile(l->model, snap, n, now, NULL);
	scan_cgroups(l, reason, apply, snap, n, now);
	procfs__free(snap, n);
	return 0;
}

/* -w FILE: opened before anything is loaded (an existing file is refused at once). */
static int record_open(struct live *l, char *msg, size_t msglen)
{
	struct rec_writer_opts o = *l->cfg.record_to;
	char command[1024];

	/* How proclife was started holds a command's argv too (run -- CMD ARGS). */
	o.command = secrets__string(l->cfg.redact, o.command, command, sizeof(command));
	o.redactions = redact__count(l->cfg.redact);
	l->cfg.model = true; /* the recording starts with a scan of /proc */
	return rec_writer__open(&o, live__now(), l->wc.offset_ns, &l->rec, msg, msglen);
}

/* What this kernel cannot give, and which v1 hierarchy pl_hdr.cgroup1_id is from: kept in the recording. */
static void record_features(struct live *l)
{
	char kv[2048];
	size_t n = kfeatures__meta(tracer__features(l->tracer), kv, sizeof(kv));
	int w = l->cfg.tracer.cgroup1_controller
			? snprintf(kv + n, sizeof(kv) - n, "cgroup1=%s", l->cfg.tracer.cgroup1_controller)
			: -1;

	if (w > 0 && (size_t)w + 1 <= sizeof(kv) - n)
		n += w + 1;
	if (n && rec_writer__features(l->rec, live__now(), kv, n) < 0)
		recording_check(l);
}

/* Live: the recording, the model, the cgroups, the tracer, then the first scan of /proc. */
static int live_start(struct live *l, char *msg, size_t msglen)
{
	int r;

	wallclock__init(&l->wc);
	backoff__init(&l->resync, LIVE_RESYNC_MIN_NS, LIVE_RESYNC_MAX_NS);
	if (l->cfg.record_to && (r = record_open(l, msg, msglen)) < 0)
		return r;
	/* Every live command polls on a timer too: batch the ring buffer's wakeups. */
	if (!l->cfg.tracer.wakeup_bytes)
		l->cfg.tracer.wakeup_bytes = LIVE_WAKEUP_BYTES;
	if (l->cfg.model) {
		l->model = model__new(&l->cfg.model_cfg);
		if (!l->model)
			goto oom;
		l->cfg.tracer.events |= LIVE_MODEL_EVENTS;
		/* Its scans ask the sampling programs for the exits /proc hides (fill_hidden_exits()). */
		l->cfg.tracer.sample = true;
	}
	cgroups_setup(l);
	if (ctsource__new_live(&l->cg, l->cfg.proc_root, NULL,
			       &(struct ctsource_ops){ .cgroup = on_cgroup, .container = on_container, .ctx = l },
			       &l->cts))
		goto oom;
	r = tracer__new(&l->cfg.tracer, on_record, l, &l->tracer, msg, msglen);
	if (r < 0)
		return r;
	/* What this kernel cannot give: said once, and kept in the recording. */
	kfeatures__report(tracer__features(l->tracer));
	if (l->rec)
		record_features(l);
	/* Attached first: what happens during the scan is in the ring buffer, applied after. */
	if (l->model && (r = reconcile(l, REC_SNAP_START, true)) < 0) {
		snprintf(msg, msglen, "cannot read /proc: %s", strerror(-r));
		return r;
	}
	return 0;
oom:
	snprintf(msg, msglen, "out of memory");
	return -ENOMEM;
}

int live__new(const struct live_config *cfg, struct live **out, char *msg, size_t msglen)
{
	struct live *l = calloc(1, sizeof(*l));
	int r;

	if (!l) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	l->cfg = *cfg;
	l->until = ~0ull;
	if (redact__count(cfg->redact) && !(l->redacted = malloc(SECRETS_EVENT_MAX))) {
		snprintf(msg, msglen, "out of memory");
		r = -ENOMEM;
	} else {
		r = cfg->nreplay || cfg->nreplay_mem ? replay_open(l, msg, msglen) : live_start(l, msg, msglen);
	}
	if (r < 0) {
		live__free(l);
		return r;
	}
	*out = l;
	return 0;
}

/* A rotated file stands alone: it starts with a scan of its own. */
static int rotate(struct live *l, __u64 now)
{
	int r = rec_writer__rotate(l->rec, now, l->wc.offset_ns);

	if (r == 0)
		r = reconcile(l, REC_SNAP_ROTATE, false);
	if (r < 0)
		recording_check(l);
	return r;
}

/*
 * A failing recording, when its retry is due: the gap's mark, then a scan
 * of /proc (as after lost events: the file's model missed what the gap
 * holds), written together or not at all. Once it writes again, said
 * (without the error: that was said when the failure began). 0, or < 0
 * while it fails.
 */
static int recording_retry(struct live *l, __u64 now)
{
	int r = rec_writer__retry(l->rec, now);

	if (r > 0) {
		if (reconcile(l, REC_SNAP_RESYNC, false) < 0)
			msg__say(MSG_WARN, "recording: /proc could not be read after the gap in %s: the replay's model "
				 "may miss what happened then", l->cfg.record_to->path);
		r = rec_writer__resume(l->rec);
	}
	if (r <= 0) {
		recording_check(l);
		return -1;
	}
	msg__say(MSG_INFO, "recording: writing %s again; %llu events could not be written, and the recording marks "
		 "the gap", l->cfg.record_to->path, (unsigned long long)rec_writer__stats(l->rec)->gap_events);
	l->rec_failing_said = false;
	l->rec_resumed_at = now;
	return 0;
}

static void recording_poll(struct live *l, __u64 now)
{
	if (rec_writer__failing(l->rec) && recording_retry(l, now) < 0)
		return;
	if (rec_writer__tick(l->rec, now) < 0 || rec_writer__maybe_flush(l->rec, now) < 0) {
		recording_check(l);
		return;
	}
	if (rec_writer__rotate_due(l->rec))
		rotate(l, now);
}

int live__rotate_recording(struct live *l)
{
	if (!l->rec)
		return -ENOENT;
	if (rec_writer__error(l->rec))
		return -EIO; /* stopped already, and said so */
	if (rec_writer__failing(l->rec))
		return -EAGAIN;
	return rotate(l, live__now());
}

/*
 * The model missed something: /proc is the truth now. At once after a
 * quiet spell; while losses go on, at most once per interval, which doubles
 * (each change said once).
 */
static void resync(struct live *l, __u64 now, bool lost_any)
{
	__u64 was = backoff__holding_ns(&l->resync), is;
	bool due = backoff__due(&l->resync, now, lost_any);
	int e = due ? reconcile(l, REC_SNAP_RESYNC, true) : 0;

	if (e < 0)
		msg__say(MSG_WARN, "events were lost and /proc could not be read to resync: %s", strerror(-e));
	is = backoff__holding_ns(&l->resync);
	if (is > was)
		msg__say(MSG_WARN, "events keep being lost: the process model resyncs with /proc at most every %llus "
				   "while they are",
			 (unsigned long long)(is / 1000000000ull));
	else if (!is && was)
		msg__say(MSG_INFO, "no events lost for %llus: the process model resyncs at once again",
			 (unsigned long long)(was / 1000000000ull));
}

/* Exits the kernel's zombie table had no room for: not lost, but their reapers are unknown. Said once. */
static void untracked_check(struct live *l)
{
	__u64 n = tracer__untracked_zombies(l->tracer);

	if (n > l->untracked && !l->untracked)
		msg__say(MSG_WARN, "the kernel's zombie table is full (processes hold many zombies): reaps are "
				   "reported when the process is released, without who reaped it (counted)");
	l->untracked = n;
}

/* A zombie of the model that /proc no longer lists (or lists another process under its pid): reaped. */
static bool reaped_unseen(const struct live *l, const struct proc *p, __u64 tick)
{
	struct proc_snapshot s;

	if (procfs__stat(l->cfg.proc_root ? l->cfg.proc_root : "/proc", p->pid, &s) < 0)
		return true;
	return s.start_ns / tick != p->start_ns / tick;
}

/* Zombies whose exit was at least min_age_ns ago, asked of /proc; the reaped ones applied as reaps. */
static void confirm_zombies(struct live *l, __u64 now, __u64 min_age_ns)
{
	__u64 tick = procfs__tick_ns();
	struct model *m = l->model;

	l->zombies_confirmed = now;
	for (__u32 slot = 1; slot < model__nslots(m); slot++) {
		const struct proc *p = model__slot(m, slot);
		struct pl_reap r = {};

		if (!p->pid || p->state != PROC_ZOMBIE || (p->exit_ts && now - p->exit_ts < min_age_ns) ||
		    !reaped_unseen(l, p, tick))
			continue;
		r.h.type = PL_EV_REAP;
		r.h.pid = p->pid;
		r.h.start_ns = p->start_ns;
		r.h.ts = now;
		r.exit_ts = p->exit_ts;
		r.status = p->status;
		model__apply(m, &r); /* slots stay: a reap retires its process in place */
	}
}

void live__confirm_zombies(struct live *l)
{
	if (l->tracer && l->model && l->cfg.tracer.lean)
		confirm_zombies(l, live__now(), 0);
}

/* RCU grace periods are milliseconds; /proc is asked about older zombies, at most once a second. */
#define CONFIRM_EVERY_NS 1000000000ull
#define CONFIRM_AFTER_NS 100000000ull

int live__poll(struct live *l, int timeout_ms)
{
	__u64 lost[PL_EV_MAX], now;
	bool lost_any = false;
	int r;

	if (l->rp)
		return replay__poll(l->rp, ~0ull);
	if (!l->polled) {
		l->polled = true;
		for (size_t i = 0; i < l->nearly && l->cfg.model_cfg.derived; i++)
			l->cfg.model_cfg.derived(l->cfg.model_cfg.ctx, &l->early[i]);
	}
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
	untracked_check(l);
	if (l->model) {
		resync(l, now, lost_any);
		if (l->cfg.tracer.lean && now - l->zombies_confirmed >= CONFIRM_EVERY_NS)
			confirm_zombies(l, now, CONFIRM_AFTER_NS);
		/*
		 * Containers named late first: recorded before this poll's tick,
		 * they are said before the model's timers' events, as a replay
		 * says them (it runs the timers at the tick).
		 */
		ctsource__tick(l->cts, now, l->model);
		model__tick(l->model, now);
	} else {
		ctsource__tick(l->cts, now, NULL);
	}
	if (l->rec)
		recording_poll(l, now);
	return r;
}

const struct wallclock *live__wallclock(const struct live *l)
{
	return &l->wc;
}

__u64 live__time(const struct live *l)
{
	return l->rp ? replay__now(l->rp) : live__now();
}

bool live__done(const struct live *l)
{
	return l->rp && replay__done(l->rp);
}

int live__replay_until(struct live *l, __u64 ts)
{
	int r;

	if (!l->rp)
		return -EINVAL;
	r = replay__until(l->rp, ts);
	if (l->model)
		model__tick(l->model, replay__now(l->rp));
	return r;
}

int live__replay_window(struct live *l, __u64 since, __u64 until)
{
	if (!l->rp)
		return -EINVAL;
	l->since = since;
	l->until = until;
	if (until != ~0ull)
		replay__stop_after(l->rp, until);
	/* Not live__replay_until(): no tick of the model that the recorder did not make. */
	if (since)
		replay__until(l->rp, since - 1);
	return 0;
}

const struct rec_file_hdr *live__recording(const struct live *l)
{
	return l->rp ? replay__header(l->rp) : NULL;
}

int live__replay_result(const struct live *l)
{
	return l->rp ? replay__result(l->rp) : 0;
}

struct rec_writer *live__recorder(struct live *l)
{
	return l->rec;
}

int live__end_recording(struct live *l)
{
	const struct rec_writer_stats *st;
	__u64 gaps, events;
	bool failed;
	int r;

	if (!l->rec)
		return 0;
	st = rec_writer__stats(l->rec);
	gaps = st->gaps;
	events = st->unwritten_events;
	failed = rec_writer__error(l->rec);
	r = rec_writer__close(l->rec, live__now());
	l->rec = NULL;
	if (r < 0 && !failed)
		msg__say(MSG_ERROR, "recording: the end of %s could not be written: %s; it ends at its last complete block",
			 l->cfg.record_to->path, strerror(-r));
	else if (r < 0 && !l->rec_reported)
		msg__say(MSG_ERROR, "recording failed: %s", strerror(-r));
	l->rec_reported = r < 0;
	if (gaps)
		msg__say(MSG_WARN, "recording: %llu events could not be written to %s (%llu %s, each marked in the "
			 "recording)", (unsigned long long)events, l->cfg.record_to->path, (unsigned long long)gaps,
			 gaps == 1 ? "gap" : "gaps");
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

static void on_sample(void *ctx, const struct pl_sample *s)
{
	model__sample_add(ctx, s);
}

int live__sample(struct live *l)
{
	const char *proc = l->cfg.proc_root ? l->cfg.proc_root : "/proc";
	struct model *m = l->model;
	__u64 tick = procfs__tick_ns();
	int r;

	if (!l->tracer || !m)
		return -EOPNOTSUPP;
	model__sample_begin(m, live__now());
	r = tracer__sample(l->tracer, on_sample, m);
	/*
	 * What the iterator did not give (the feature off; a process it
	 * missed, such as a pid namespace's init on some kernels; one born
	 * after it passed): /proc, to the clock tick.
	 */
	for (__u32 slot = 1; slot < model__nslots(m); slot++) {
		const struct proc *p = model__slot(m, slot);
		struct proc_snapshot s;

		if (!p->pid || p->state >= PROC_ZOMBIE || model__sampled(m, p))
			continue;
		if (procfs__stat(proc, p->pid, &s) == 0 && s.start_ns / tick == p->start_ns / tick) {
			struct pl_sample x = { .tgid = p->pid, .tid = p->pid, .start_ns = p->start_ns,
					       .runtime_ns = s.cpu_ns, .rss_kb = s.rss_kb };

			model__sample_add(m, &x);
		}
	}
	return r == -EOPNOTSUPP ? 0 : r;
}

struct model *live__model(const struct live *l)
{
	return l->model;
}

int live__counts(struct live *l, __u64 *out)
{
	return l->tracer ? tracer__counts(l->tracer, out) : -EOPNOTSUPP;
}

struct ctreg *live__containers(struct live *l)
{
	return ctsource__registry(l->cts);
}

void live__container_filter(struct live *l, const struct ct_filter_spec *spec)
{
	ctsource__filter(l->cts, spec, l->cfg.tracer.cgroup_filter ? l->tracer : NULL);
}

const struct kfeature_status *live__features(const struct live *l)
{
	return l->tracer ? tracer__features(l->tracer) : NULL;
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

__u64 live__untracked_zombies(const struct live *l)
{
	return l->untracked;
}

__u64 live__resync_holding_ns(const struct live *l)
{
	return l->rp ? 0 : backoff__holding_ns(&l->resync);
}

void live__free(struct live *l)
{
	if (!l)
		return;
	live__end_recording(l);
	replay__free(l->rp);
	tracer__free(l->tracer);
	ctsource__free(l->cts);
	free(l->early);
	model__free(l->model);
	free(l->redacted);
	free(l);
}
