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
};

/* The kernel events the model needs. */
#define LIVE_MODEL_EVENTS                                                                        \
	(PL_EV_BIT(PL_EV_FORK) | PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_REAP) | \
	 PL_EV_BIT(PL_EV_SIGNAL) | PL_EV_BIT(PL_EV_DELIVER) | PL_EV_BIT(PL_EV_RENAME))

/* Wake the consumer once this much is pending; it also drains on every poll timeout. */
#define LIVE_WAKEUP_BYTES (256 << 10)

struct live;
struct replay_source;

int live__new(const struct live_config *cfg, struct live **out, char *msg, size_t msglen);
/* Wait up to timeout_ms, apply what came, tick timers, resync after losses. Records or -errno. */
int live__poll(struct live *l, int timeout_ms);
struct model *live__model(struct live *l);
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
/* Recording: the writer (for command-specific records), or NULL. */
struct rec_writer *live__recorder(struct live *l);
/*
 * Recording: start a new file now, as a size rotation does (FILE -> FILE.1
 * ..., its own header and /proc scan), between two records. 0; -ENOENT when
 * not recording; or -errno when the recording failed (already reported).
 */
int live__rotate_recording(struct live *l);
/* Recording: end the file cleanly. 0, or -errno when the recording failed (already reported). */
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
/* Each kernel feature's state (KF_MAX of them), or NULL when replaying. */
const struct kfeature_status *live__features(const struct live *l);
/* Records seen per type, malformed records, losses per type. */
const __u64 *live__seen(const struct live *l);
__u64 live__malformed(const struct live *l);
const __u64 *live__lost(const struct live *l);
__u64 live__now(void);
void live__free(struct live *l);

#endif
