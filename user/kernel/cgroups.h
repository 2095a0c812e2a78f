/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * This host's cgroup layout, and cgroup ids and paths.
 *
 * Three layouts exist: pure v2 (one cgroup2 mount), hybrid (v1 controller
 * hierarchies plus a cgroup2 mount beside them, usually
 * /sys/fs/cgroup/unified) and pure v1. On v1 and hybrid hosts many runtimes
 * put their containers only in the v1 hierarchies and leave them at the v2
 * root, like the host's processes; so the path that tells a process apart
 * is its v2 path where it is below the v2 root, else its path in one v1
 * hierarchy that the kernel programs can also reach: the one of the pids
 * controller, else memory, else cpu. (`name=systemd` has no controller: no
 * css for BPF to read.)
 *
 * A cgroup id is its kernfs node id (what BPF reads as cgrp->kn->id), which
 * on 64-bit hosts is also its directory's inode number: a walk of the
 * hierarchy with readdir() gives every id without a stat().
 */
#ifndef PROCLIFE_CGROUPS_H
#define PROCLIFE_CGROUPS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define CG_PATH_MAX 4096

enum cg_layout {
	CG_LAYOUT_NONE,   /* no cgroup mounted at all */
	CG_LAYOUT_V2,     /* cgroup2 only */
	CG_LAYOUT_HYBRID, /* v1 controllers and a cgroup2 mount */
	CG_LAYOUT_V1,     /* v1 controllers only */
};

/* Which hierarchy a path or an id belongs to. */
enum cg_hier {
	CG_HIER_NONE,
	CG_HIER_V2,
	CG_HIER_V1, /* the chosen v1 hierarchy (cg_host.v1_controller) */
};

struct cg_mount {
	char dir[CG_PATH_MAX];  /* where it is mounted; "" when not */
	char root[CG_PATH_MAX]; /* the hierarchy's path mounted there ("/" unless a bind mount) */
};

struct cg_host {
	enum cg_layout layout;
	struct cg_mount v2;
	char v1_controller[16]; /* "pids", "memory", "cpu", or "" */
	struct cg_mount v1;
};

/* A process's cgroups, from /proc/PID/cgroup (paths as the hierarchies name them). */
struct cg_proc {
	bool has_v2, has_v1;
	char v2[CG_PATH_MAX];
	char v1[CG_PATH_MAX]; /* in the chosen v1 hierarchy */
};

const char *cgroups__layout_name(enum cg_layout layout);
const char *cgroups__hier_name(const struct cg_host *h, enum cg_hier hier);

/* The layout from the text of a mountinfo file. 0, or -EINVAL for a line it cannot read. */
int cgroups__parse_mountinfo(const char *text, struct cg_host *h);
/* The same from a file ("/proc/self/mountinfo"). 0 or -errno. */
int cgroups__detect(const char *mountinfo_path, struct cg_host *h);

/* One process's cgroups from the text of /proc/PID/cgroup. 0, or -EINVAL for a bad line. */
int cgroups__parse_proc(const char *text, const struct cg_host *h, struct cg_proc *p);
/* The same from proc_root ("/proc"). 0 or -errno (-ENOENT: the process is gone). */
int cgroups__read_proc(const char *proc_root, __u32 pid, const struct cg_host *h, struct cg_proc *p);

/*
 * The path that identifies the process on this host's layout (see above),
 * and in *hier which hierarchy it is from. NULL when the process has none.
 */
const char *cgroups__identity(const struct cg_host *h, const struct cg_proc *p, enum cg_hier *hier);

/*
 * Cgroup ids to paths in one hierarchy, with a cache. A miss walks the
 * hierarchy once (bounded in depth and in directories) and caches every
 * directory it saw; an id still unknown is cached as such for a while, and
 * walks are at least min_walk_gap_ns apart and take at most a tenth of the
 * time (a walk costs 30-70 µs a cgroup on this host), so a flood of unknown
 * ids cannot make it walk per event.
 */
struct cg_idmap {
	char dir[CG_PATH_MAX];  /* the mount */
	char root[CG_PATH_MAX]; /* the hierarchy's path at the mount */
	struct cg_idslot *slots;
	size_t cap, used;
	__u64 last_walk_ns;     /* 0: never walked */
	__u64 last_walk_cost_ns; /* how long it took: the next waits 9 times that on top of the gap */
	__u64 min_walk_gap_ns;  /* default CG_WALK_GAP_NS */
	__u64 negative_ttl_ns;  /* default CG_NEGATIVE_TTL_NS */
	size_t max_dirs;        /* default CG_WALK_MAX_DIRS */
	/* What it did, for tests and measurements. */
	unsigned long walks, walk_dirs, hits, misses, negative_hits;
	bool walk_cut;          /* the last walk stopped at max_dirs or the depth bound */
};

#define CG_WALK_GAP_NS      100000000ull  /* 100 ms */
#define CG_NEGATIVE_TTL_NS  2000000000ull /* 2 s */
#define CG_WALK_MAX_DIRS    100000
#define CG_WALK_MAX_DEPTH   64

/* Set up m for the hierarchy mounted as mnt. 0 or -EINVAL (nothing mounted). */
int cg_idmap__init(struct cg_idmap *m, const struct cg_mount *mnt);
void cg_idmap__free(struct cg_idmap *m);
/*
 * The path of cgroup id in buf (as /proc/PID/cgroup would say it). now_ns:
 * a monotonic clock. 0, -ENOENT (not found, maybe cached as such),
 * -ENAMETOOLONG, or -errno of the walk.
 */
int cg_idmap__path(struct cg_idmap *m, __u64 id, __u64 now_ns, char *buf, size_t size);
/* The id of a path in this hierarchy (its directory's inode). 0 or -errno. */
int cg_idmap__id(const struct cg_idmap *m, const char *path, __u64 *id);

#endif
