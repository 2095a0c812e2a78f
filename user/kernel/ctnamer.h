/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which container a cgroup path is, named once per container and cached.
 *
 * The first look-up of a container recognises its path (containers.h) and
 * reads its runtime's state (ctstate.h): files only, never a wait. A
 * container's first processes run before its runtime has written its name:
 * it is known at once by runtime and id, and its naming is tried again,
 * at most CT_TRIES times in all, CT_RETRY_FIRST_NS apart at first and
 * doubling (about 13 s in all), by later look-ups or by ct_namer__retry(),
 * which says when a name was learnt. After that it keeps its runtime and
 * id. A containerd /<ns>/<id> candidate counts as a container only once
 * its state confirms it.
 */
#ifndef PROCLIFE_CTNAMER_H
#define PROCLIFE_CTNAMER_H

#include <linux/types.h>

#include "kernel/ctstate.h"

#define CT_TRIES          8
#define CT_RETRY_FIRST_NS 50000000ull /* 50 ms */
#define CT_NAMER_MAX      4096        /* containers remembered; past that the cache starts over */
#define CT_EAGER_TRIES    8           /* tries on demand (ct_namer__refresh()), besides the timed ones */

struct ct_entry;

struct ct_namer {
	struct ct_env env;
	struct ct_entry **buckets;
	size_t nbuckets, count;
	unsigned long namings; /* ctstate__name() calls, for tests and measurements */
};

/* root: "" on a host, a fixture directory in tests. 0 or -ENOMEM. */
int ct_namer__init(struct ct_namer *n, const char *root);
void ct_namer__free(struct ct_namer *n);

/*
 * The container of the cgroup at path (a /proc/PID/cgroup path of the
 * identity hierarchy, cgroups.h), or NULL for the host's (and for a
 * containerd candidate not confirmed yet). *state, if given, says how far
 * its naming got. The pointer stays valid until ct_namer__free().
 */
const struct ct_info *ct_namer__lookup(struct ct_namer *n, const char *path, __u64 now_ns, enum ct_state *state);

/*
 * The same as ct_namer__lookup(), but a container not named yet is tried
 * again now, whatever the schedule, at most CT_EAGER_TRIES times: for the
 * moment its runtime has surely written its state (its program's exec).
 */
const struct ct_info *ct_namer__refresh(struct ct_namer *n, const char *path, __u64 now_ns, enum ct_state *state);

/*
 * Tries again every container whose next try is due; fn (if given) is
 * called for each one newly named, with its own cgroup (the path's part
 * that names it).
 */
int ct_namer__retry(struct ct_namer *n, __u64 now_ns,
		    void (*fn)(void *ctx, const char *cgroup, const struct ct_info *ci), void *ctx);

#endif
