/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Views of the model: the process tree (pstree-like text, or nested JSON)
 * and the list of zombies. Shared by `tree`, `zombies` and `top`.
 */
#ifndef PROCLIFE_VIEW_TREE_H
#define PROCLIFE_VIEW_TREE_H

#include "base/outbuf.h"
#include "base/wallclock.h"
#include "model/ctreg.h"
#include "model/model.h"

struct view_ctx {
	const struct model *m;
	const struct wallclock *wc;
	__u64 now; /* boot ns */
	size_t max_argv; /* 0: whole argv; else cut after about this many bytes, so markers stay in view */
	unsigned width;  /* text: cut each line to this many columns, as ps does on a terminal (0: whole) */
	struct ctreg *ct; /* the cgroups and containers: the first process of a container marked (NULL: none) */
	/* Only the processes keep() keeps (NULL: all); a tree's roots are those whose parent it does not keep. */
	bool (*keep)(const void *ctx, const struct proc *p);
	const void *keep_ctx;
};

/*
 * The tree under root (NULL: every root), one process a line, after a
 * header: CPU (so far, or in all once exited), RSS (now, or the most it
 * was once exited), SUBTREE (the CPU of it and everything that ran under
 * it: live descendants so far, ended ones in all), "-" where not known.
 */
void view_tree__text(struct outbuf *ob, const struct view_ctx *v, const struct proc *root);
/* The same as a JSON array of nested nodes. */
void view_tree__json(struct outbuf *ob, const struct view_ctx *v, const struct proc *root);
/*
 * One tree per container (the containers in the order first seen, the
 * host's processes last), each headed by its container: a tree's
 * processes are that container's, its roots those whose parent is not in
 * it. JSON: an array of {"container", "cgroup", "processes": [...]}.
 */
void view_tree__by_container_text(struct outbuf *ob, const struct view_ctx *v);
void view_tree__by_container_json(struct outbuf *ob, const struct view_ctx *v);
void view_zombies__text(struct outbuf *ob, const struct view_ctx *v);
void view_zombies__json(struct outbuf *ob, const struct view_ctx *v);
/* The zombies of each container apart (those of containers with zombies, the host's last). */
void view_zombies__by_container_text(struct outbuf *ob, const struct view_ctx *v);
void view_zombies__by_container_json(struct outbuf *ob, const struct view_ctx *v);

/*
 * Per slot (model__nslots() of them): the CPU of the process and of
 * everything under it, ended or alive, as far as known (caller frees).
 */
__u64 *view__subtree_cpu(const struct model *m);

/* "5s", "3m12s", "2h05m", "3d04h": a process's age, compactly. */
void view__age(char *buf, size_t size, __u64 ns);
/* One line's label: pid, argv (or comm), markers. What top shows too. */
void view__label(struct outbuf *ob, const struct view_ctx *v, const struct proc *p);
/* p's children, oldest first (caller frees). */
__u32 *view__children(const struct model *m, const struct proc *p, size_t *n);

#endif
