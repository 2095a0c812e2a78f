/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A live session: the tracer attached, the model bootstrapped from /proc
 * (attach first, then scan, so nothing born or dead meanwhile is missed),
 * kept current from events, and resynced with /proc when events are lost.
 * watch, tree, zombies and top all run on one.
 */
#ifndef PROCLIFE_LIVE_H
#define PROCLIFE_LIVE_H

#include "model.h"
#include "tracer.h"

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
};

/* The kernel events the model needs. */
#define LIVE_MODEL_EVENTS                                                                        \
	(PL_EV_BIT(PL_EV_FORK) | PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_REAP) | \
	 PL_EV_BIT(PL_EV_SIGNAL) | PL_EV_BIT(PL_EV_DELIVER) | PL_EV_BIT(PL_EV_RENAME))

/* Wake the consumer once this much is pending; it also drains on every poll timeout. */
#define LIVE_WAKEUP_BYTES (256 << 10)

struct live;

int live__new(const struct live_config *cfg, struct live **out, char *msg, size_t msglen);
/* Wait up to timeout_ms, apply what came, tick timers, resync after losses. Records or -errno. */
int live__poll(struct live *l, int timeout_ms);
struct model *live__model(struct live *l);
/*
 * With cfg.tracer.follow: follow pid and its descendants. The kernel adds
 * children from now on; the ones that exist already are found in /proc
 * (scanned twice, for those forked during the first scan). 0 or -errno.
 */
int live__follow(struct live *l, __u32 pid);
/* Records seen per type, malformed records, losses per type. */
const __u64 *live__seen(const struct live *l);
__u64 live__malformed(const struct live *l);
const __u64 *live__lost(const struct live *l);
__u64 live__now(void);
/*
 * On stderr: "proclife: N events seen (fork N, ...), [N derived (stop N, ...), ]N lost".
 * derived: DV_MAX counts, or NULL to leave that part out.
 */
void live__print_summary(const struct live *l, const __u64 *derived);
void live__free(struct live *l);

#endif
