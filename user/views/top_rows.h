/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The rows `proclife top` shows: the process tree flattened in display
 * order (pstree order: roots by pid, children oldest first), with collapsed
 * subtrees left out and counted, a filter that keeps the matching processes
 * and their ancestors (so the rows still form a tree), and a closing
 * section of recently exited processes (the newest few, and how many more:
 * a build that runs thousands a second must not push the tree off the
 * screen). No drawing here: top.c draws.
 */
#ifndef PROCLIFE_TOP_ROWS_H
#define PROCLIFE_TOP_ROWS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

enum top_row_kind {
	TOP_ROW_PROC = 0, /* a live or zombie process, in the tree */
	TOP_ROW_HEADING,  /* the "recently exited" heading */
	TOP_ROW_EXITED,   /* a process reaped lately */
	TOP_ROW_MORE,     /* "... and N more": reaped lately, beyond exited_max (N in hidden) */
};

struct top_row {
	__u64 start_ns;    /* with pid: the process's identity */
	__u32 slot;        /* model slot; 0 for the heading */
	__u32 pid;
	__u32 up;          /* index + 1 of the parent's row; 0 for a root or another kind */
	__u32 depth;       /* 0 for roots */
	__u32 hidden;      /* collapsed: descendants left out (that the filter would show); TOP_ROW_MORE: N */
	__u8 kind;         /* enum top_row_kind */
	bool last;         /* the last shown child of its parent */
	bool collapsed;
	bool has_children; /* shown children, or hidden ones when collapsed */
};

/* Which processes to show. */
struct top_filter {
	const char *text;   /* NULL or "": all; else a case-insensitive substring of comm or argv */
	bool troubled_only; /* only zombies and stopped processes */
	__u64 now;          /* boot ns */
	__u64 exited_ns;    /* list processes reaped within this long before now (0: none) */
	size_t exited_max;  /* at most the newest this many of them, then a TOP_ROW_MORE row (0: no limit) */
	/* NULL: siblings oldest first; else by this value per model slot, largest first. */
	const __u64 *sort_key;
	/* NULL, or also only the processes this keeps (the container options, the container key). */
	bool (*keep)(const void *ctx, const struct proc *p);
	const void *keep_ctx;
};

struct top_key {
	__u64 start_ns;
	__u32 pid;
};

struct top_rows {
	struct top_row *v;
	size_t n, cap;
	struct top_key *collapsed; /* collapsed processes, by identity */
	size_t ncollapsed, capcollapsed;
};

/* Rebuild r->v from the model. 0 or -ENOMEM (then r->n is 0). */
int top_rows__build(struct top_rows *r, const struct model *m, const struct top_filter *f);

/* Collapse or expand a process's subtree (takes effect at the next build). 0 or -ENOMEM. */
int top_rows__set_collapsed(struct top_rows *r, __u32 pid, __u64 start_ns, bool collapsed);
bool top_rows__is_collapsed(const struct top_rows *r, __u32 pid, __u64 start_ns);
/* Expand what hides a process the filter wants (its ancestors), so that applying a filter shows every match. */
void top_rows__reveal(struct top_rows *r, const struct model *m, const struct top_filter *f);
/* Forget collapsed processes that are no longer in the model. */
void top_rows__prune(struct top_rows *r, const struct model *m);

/* The row of this process and kind, or -1. */
long top_rows__find(const struct top_rows *r, __u8 kind, __u32 pid, __u64 start_ns);

/*
 * Row i's tree prefix as view_tree__text draws it ("│  ├─ ", or with
 * ascii "|  |- " and "`- "), NUL-terminated, cut to fit size. Returns its
 * length in bytes.
 */
size_t top_rows__prefix(const struct top_rows *r, size_t i, bool ascii, char *buf, size_t size);

/* Does the filter text match p (comm or argv, case-insensitive)? Empty matches all. */
bool top_rows__match(const struct proc *p, const char *text);
/* Does the filter want p (text and troubled_only), not only keep it as an ancestor? */
bool top_rows__wanted(const struct proc *p, const struct top_filter *f);

void top_rows__free(struct top_rows *r);

#endif
