/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A live session: the tracer attached, the model bootstrapped from /proc
 * (attach first, then scan, so nothing born or dead meanwhile is missed),
 * kept current from events, and resynced with /proc when events are lost.
 * watch, tree, zombies and top all run on one.
 */
#ifndef PROCLIFE_LIVE_H
#define PROCLIFE_LIVE_H

#include "base/wallclock.h"
#include "kernel/tracer.h"
#include "record/recording.h"
#include "model/model.h"

struct live_config {
	struct tracer_config tracer;
	bool model;             /* keep the process model (needs fork/exec/exit/reap/signal/deliver) */
	struct model_config model_cfg;
	/* Each checked record, before the model sees it (so derived events follow it). */
	int (*record)(void *ctx, const void *rec);
	/* New kernel losses, per type, as they are noticed. */
	void (*lost)(void *ctx, unsigned type, __u64 count, __u64 now);
	void *ctx;
	const char *proc_root;  /* "/proc" */
	/* Also write everything to a recording (-w FILE). */
	const struct rec_writer_opts *record_to;
	/*
	 * Replay a recording (-r FILE, nreplay of them: the pieces of one, in
	 * any order) instead of tracing: the same records, in the same order,
	 * through the same callbacks and model. replay_mem (nreplay_mem pieces)
	 * replays from memory instead (fuzzing, tests).
	 */
	const char *const *replay;
	size_t nreplay;
	const struct replay_source *replay_mem;
	size_t nreplay_mem;
	/* Replay: the records that are not kernel events (run markers, ...). */
	void (*item)(void *ctx, const struct rec_item *it);
	/* Replay: each /proc scan in the file, once complete (reason: enum rec_snap_reason). */
	void (*snapshot)(void *ctx, unsigned reason, const struct proc_snapshot *v, size_t n);
	/* Replay: what the recorder could not write (a failing disk), at g->ts; or NULL. */
	void (*gap)(void *ctx, const struct rec_gap *g);
	/*
	 * --redact: argv and filenames rewritten (session/secrets.h) before
	 * anything above sees them: the model, the callbacks, the recording, the
	 * scans of /proc (live or replayed). NULL: none. The caller's; it
	 * outlives the session.
	 */
	struct redact *redact;
	/*
	 * Replay: the recordings are open and their fixed-size headers checked;
	 * not a block of them has been read. Called once, then (a command opens
	 * its outputs and gives up root here: cmd/common.c). < 0 ends
	 * live__new() with that error, said by the callback.
	 */
	int (*opened)(void *ctx);
};

/* The kernel events the model needs. */
#define LIVE_MODEL_EVENTS                                                                        \
	(PL_EV_BIT(PL_EV_FORK) | PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_REAP) | \
	 PL_EV_BIT(PL_EV_SIGNAL) | PL_EV_BIT(PL_EV_DELIVER) | PL_EV_BIT(PL_EV_RENAME))

/*
 * After lost events the model resyncs with /proc: at once after a quiet
 * spell; while losses go on, at most every LIVE_RESYNC_MIN_NS, doubling up
 * to LIVE_RESYNC_MAX_NS (base/backoff.h), each change said once.
 */
#define LIVE_RESYNC_MIN_NS 1000000000ull
#define LIVE_RESYNC_MAX_NS 64000000000ull

/* Wake the consumer once per this much produced (bpf/lib/common.bpf.h); it also drains on every poll timeout. */
#define LIVE_WAKEUP_BYTES (256 << 10)

struct live;
struct replay_source;

/* 0, or -errno with msg set (empty when cfg.opened() said it). */
int live__new(const struct live_config *cfg, struct live **out, char *msg, size_t msglen);
/* Wait up to timeout_ms, apply what came, tick timers, resync after losses. Records or -errno. */
int live__poll(struct live *l, int timeout_ms);
struct model *live__model(const struct live *l);
/* The cgroups and containers of the session's processes (model/ctreg.h): live, or the recording's. */
struct ctreg *live__containers(struct live *l);
/*
 * The command's container filter (spec outlives the session): with
 * cfg.tracer.cgroup_filter, its verdicts are handed to the kernel.
 */
struct ct_filter_spec;
void live__container_filter(struct live *l, const struct ct_filter_spec *spec);
/* Event times to wall clock: sampled at start, or the recording's. Commands print with this one. */
const struct wallclock *live__wallclock(const struct live *l);
/* Now, in boot ns: the clock, or when replaying, the time the replay has reached. */
__u64 live__time(const struct live *l);
/* Replaying: the whole recording has been read (or reading stopped at damage). */
bool live__done(const struct live *l);
/* Replaying: apply every record up to time ts (boot ns) and stop there; the time is then ts. */
int live__replay_until(struct live *l, __u64 ts);
/*
 * Replaying: show only what happened from since to until (boot ns, each
 * record and derived event by its own time): what comes before since
 * builds the model unseen, and is played now, so that a command seeds its
 * views from the model as it was at since; the replay ends once the
 * recording is past until. Call it before the first live__poll(). 0, or
 * -EINVAL when not replaying.
 */
int live__replay_window(struct live *l, __u64 since, __u64 until);
/* Replaying: the recording's header (its first piece's; NULL when live). */
const struct rec_file_hdr *live__recording(const struct live *l);
/*
 * Replaying, once done: 0 when the file was read to its end, 1 when it
 * ends early but cleanly cut (a killed recorder), -EBADMSG for damage; both
 * said through base/msg.h.
 */
int live__replay_result(const struct live *l);
/*
 * A /proc scan as the session takes them: at most --arg-bytes of each
 * cmdline, secrets redacted. The count, or -errno; procfs__free() it.
 */
long live__scan(struct live *l, struct proc_snapshot **out);
/* Recording: the writer (for command-specific records), or NULL. */
struct rec_writer *live__recorder(struct live *l);
/*
 * Recording: start a new file now, as a size rotation does (FILE -> FILE.1
 * ..., its own header and /proc scan), between two records. 0; -ENOENT when
 * not recording; -EAGAIN while the recording cannot be written (a failing
 * disk: the current file goes on once it can); or -errno when the
 * recording failed (already reported).
 */
int live__rotate_recording(struct live *l);
/*
 * Recording: end the file cleanly. 0, or -errno when the recording failed
 * or its end could not be written (said). What a failing disk kept out of
 * it is said too.
 */
int live__end_recording(struct live *l);
/*
 * With cfg.tracer.follow: follow pid and its descendants. The kernel adds
 * children from now on; the ones that exist already are found in /proc
 * (scanned twice, for those forked during the first scan). 0 or -errno.
 */
int live__follow(struct live *l, __u32 pid);
/*
 * Live processes' CPU so far and resident memory into the model, from one
 * read of the sampling iterator (cfg.tracer.sample). 0, -EOPNOTSUPP when
 * replaying or the feature is off, or -errno.
 */
int live__sample(struct live *l);
/*
 * The kernel's counters (cfg.tracer.counts: PL_CNT_MAX, indexed by PL_CNT_*)
 * into out. 0; -EOPNOTSUPP when replaying or not counting; or -errno.
 */
int live__counts(struct live *l, __u64 *out);
/*
 * A session that keeps states (cfg.tracer.lean) sees a reap at the task's
 * release, an RCU grace period after the wait (milliseconds; seconds on a
 * loaded machine): until then the model holds a zombie /proc no longer
 * has. This asks /proc about each zombie of the model and applies the reap
 * of those it no longer lists (the release, when it comes, finds nothing
 * more to do). Commands call it right before they print; live__poll() does,
 * at most once a second, for zombies older than a grace period. Nothing
 * when replaying or not lean.
 */
void live__confirm_zombies(struct live *l);
/* Each kernel feature's state (KF_MAX of them), or NULL when replaying. */
const struct kfeature_status *live__features(const struct live *l);
/* Records seen per type, malformed records, losses per type. */
const __u64 *live__seen(const struct live *l);
__u64 live__malformed(const struct live *l);
const __u64 *live__lost(const struct live *l);
/* Live: exits the kernel's zombie table had no room for (kernel/tracer.h); 0 when replaying. */
__u64 live__untracked_zombies(const struct live *l);
/* Live: resyncs are held back to at most one per this many ns (losses go on); 0 when they run at once. */
__u64 live__resync_holding_ns(const struct live *l);
__u64 live__now(void);
void live__free(struct live *l);

#endif
