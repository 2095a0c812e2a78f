/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The cgroups and containers of the processes proclife sees: cgroup ids to
 * paths (one table per hierarchy), paths to containers, and for each pair
 * of ids an event header or a process carries (pl_hdr.cgroup_id, the v2
 * id, and .cgroup1_id, the v1 one), what the pair is: the path that
 * identifies it on this host and its container. Looking a pair up is one
 * hash look-up once it is settled; nothing here reads a file.
 *
 * The registry holds what it is told. A live session learns paths from
 * /proc and the cgroup file system and names containers from their
 * runtimes' state (session/ctsource.c); a replay learns the same from the
 * recording's cgroup and container records. A container is known by its
 * runtime and id the moment a path shows it (kernel/containers.h), and
 * named when told; containerd's ambiguous /<namespace>/<id> only once told.
 *
 * Which path identifies a pair: its v2 path when it is below the v2 root,
 * else its path in the v1 hierarchy that events carry (kernel/cgroups.h).
 * Pointers returned stay valid until the next learn or sweep.
 */
#ifndef PROCLIFE_CTREG_H
#define PROCLIFE_CTREG_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/ctstate.h"

/* A hierarchy, as the recording's cgroup records number them. */
enum ctreg_hier {
	CTREG_V2 = 1, /* the cgroup2 hierarchy (pl_hdr.cgroup_id) */
	CTREG_V1 = 2, /* the v1 hierarchy events carry (pl_hdr.cgroup1_id; META cgroup1=) */
};

/* A container. */
struct ct_ref {
	struct ct_info info;  /* runtime, id (and ns, pod uid) from its path; the rest once named */
	const char *cgroup;   /* its own cgroup (the path's part that names it): its key */
	bool named;           /* its runtime's state was read (a container event says what it gave) */
	__u32 seq;            /* 1, 2, ... in the order containers were first seen */
};

/* What a pair of cgroup ids is. */
struct ct_subject {
	const char *cgroup;      /* the path that identifies it here (above); NULL: not known */
	const char *v2, *v1;     /* its path in each hierarchy; NULL: not known (or no such id) */
	const struct ct_ref *ct; /* its container; NULL: none (the host's, a runtime's own process) */
	bool settled;            /* every path known and the container decided: nothing learnt changes it */
	/* The live session's bookkeeping (session/ctsource.c), kept with the pair. */
	bool asked;              /* its container's runtime state was asked for its name */
	__u8 verdict;            /* what the kernel's cgroup filter was told: CTREG_VERDICT_* */
	__u64 first_ns;          /* when it was first seen (boot ns; 0: not yet) */
	__u64 tried_ns;          /* when its paths were last looked for */
	__u64 verdict_ns;        /* when the kernel's filter was last told */
};

enum { CTREG_VERDICT_NONE, CTREG_VERDICT_KEEP, CTREG_VERDICT_DROP };

struct ctreg;

struct ctreg *ctreg__new(void);
void ctreg__free(struct ctreg *r);

/* hier's cgroup id has this path ("/..."): 1 new, 0 known already, -EINVAL (not a path), -ENOMEM. */
int ctreg__learn_cgroup(struct ctreg *r, enum ctreg_hier hier, __u64 id, const char *path);
/* The path of a cgroup id, or NULL. */
const char *ctreg__path(const struct ctreg *r, enum ctreg_hier hier, __u64 id);

/*
 * The container whose own cgroup is `cgroup` was named (ci, what
 * ctstate__name() gave): 1 when that is news (a container event is due),
 * 0 the same as known, -EINVAL (not a container), -ENOMEM. *out, if given,
 * is the container.
 */
int ctreg__learn_container(struct ctreg *r, const char *cgroup, const struct ct_info *ci,
			   const struct ct_ref **out);
/* The container of a cgroup path (one below its own cgroup too), or NULL. */
const struct ct_ref *ctreg__container_of(struct ctreg *r, const char *path);

/* What the pair (v2 id, v1 id) is. NULL only when out of memory. */
struct ct_subject *ctreg__subject(struct ctreg *r, __u64 cg2, __u64 cg1);
/* Stop working s out again: what is not known of it by now will not be (a cgroup gone, a state unreadable). */
void ctreg__settle(struct ct_subject *s);

/* Every container known, in the order first seen: NULL starts, NULL ends. */
const struct ct_ref *ctreg__next(const struct ctreg *r, const struct ct_ref *prev);
/* Every cgroup known: fn for each; fn's non-zero return stops (and is returned). */
int ctreg__each_cgroup(const struct ctreg *r, int (*fn)(void *ctx, enum ctreg_hier hier, __u64 id, const char *path),
		       void *ctx);

/*
 * Forgetting what no process uses any more: begin, keep each pair still
 * in use (its cgroups and container are kept with it), end. Returns the
 * cgroups and containers forgotten.
 */
void ctreg__sweep_begin(struct ctreg *r);
void ctreg__keep(struct ctreg *r, __u64 cg2, __u64 cg1);
size_t ctreg__sweep_end(struct ctreg *r);

/* How much it holds, for the sweep's trigger and tests. */
struct ctreg_stats {
	size_t cgroups, containers, pairs, bytes;
};
void ctreg__stats(const struct ctreg *r, struct ctreg_stats *st);

#endif
