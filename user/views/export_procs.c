// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The exporters' process table. Open addressing with linear probing, and
 * deletion that moves the rest of a probe run up instead of leaving
 * tombstones: a long recording adds and removes a process per fork, and
 * tombstones would fill the table with dead slots.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/event.h"
#include "kernel/procfs.h"
#include "views/export_procs.h"

static size_t home(__u32 pid, size_t cap)
{
	return (pid * 2654435761u) & (cap - 1);
}

/* Where pid's entry is, or the free slot it would go in; NULL: no table yet. */
static struct export_proc **slot(const struct export_procs *t, __u32 pid)
{
	if (!t->cap)
		return NULL;
	for (size_t i = home(pid, t->cap);; i = (i + 1) & (t->cap - 1))
		if (!t->tab[i] || t->tab[i]->pid == pid)
			return &t->tab[i];
}

static void put(struct export_procs *t, struct export_proc *e)
{
	size_t i = home(e->pid, t->cap);

	while (t->tab[i])
		i = (i + 1) & (t->cap - 1);
	t->tab[i] = e;
}

/* Room for one more, keeping the table at most half full (short probe runs). */
static int reserve(struct export_procs *t)
{
	size_t oc = t->cap, cap = oc ? oc * 2 : 256;
	struct export_proc **old = t->tab, **nt;

	if ((t->n + 1) * 2 <= t->cap)
		return 0;
	nt = calloc(cap, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	t->tab = nt;
	t->cap = cap;
	for (size_t i = 0; i < oc; i++)
		if (old[i])
			put(t, old[i]);
	free(old);
	return 0;
}

/* (pid, start) names one process; a start read from /proc is known to the tick only. */
static bool same_identity(const struct export_proc *e, __u64 start_ns, bool ticks)
{
	if ((e->flags & EP_TICKS) || ticks) {
		__u64 tick = procfs__tick_ns();

		return e->start_ns / tick == start_ns / tick;
	}
	return e->start_ns == start_ns;
}

void export_procs__init(struct export_procs *t, __u32 only_pid, bool kthreads)
{
	*t = (struct export_procs){ .only_pid = only_pid, .kthreads = kthreads };
}

void export_procs__free(struct export_procs *t, void (*drop)(struct export_proc *e))
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->tab[i])
			drop(t->tab[i]);
	free(t->tab);
	t->tab = NULL;
	t->cap = t->n = 0;
}

struct export_proc *export_procs__find(const struct export_procs *t, __u32 pid)
{
	struct export_proc **pp = slot(t, pid);

	return pp ? *pp : NULL;
}

struct export_proc *export_procs__get(const struct export_procs *t, __u32 pid, __u64 start_ns)
{
	struct export_proc *e = export_procs__find(t, pid);

	return e && same_identity(e, start_ns, false) ? e : NULL;
}

struct export_proc *export_procs__of(const struct export_procs *t, const struct proc *p)
{
	struct export_proc *e = p ? export_procs__find(t, p->pid) : NULL;

	return e && same_identity(e, p->start_ns, p->flags & PROC_F_START_TICKS) ? e : NULL;
}

struct export_proc *export_procs__match(struct export_procs *t, __u32 pid, __u64 start_ns,
					struct export_proc **stale)
{
	struct export_proc *e = export_procs__find(t, pid);

	*stale = NULL;
	if (e && !same_identity(e, start_ns, false)) {
		*stale = e;
		return NULL;
	}
	if (e) {
		/* A record's start is exact: from now on the identity is too. */
		e->start_ns = start_ns;
		e->flags &= ~EP_TICKS;
	}
	return e;
}

struct export_proc *export_procs__touch(struct export_procs *t, const struct pl_hdr *h, struct export_proc **stale)
{
	struct export_proc *e = export_procs__match(t, h->pid, h->start_ns, stale);

	/* Another thread's comm is only its own. */
	if (e && h->tid == h->pid)
		memcpy(e->comm, h->comm, PL_COMM_LEN);
	return e;
}

struct export_proc *export_procs__add(struct export_procs *t, size_t size, __u32 pid, __u64 start_ns, __u32 ppid,
				      const char *comm, __u8 flags)
{
	struct export_proc *e;

	if (reserve(t) < 0)
		return NULL;
	e = calloc(1, size);
	if (!e)
		return NULL;
	e->pid = pid;
	e->start_ns = start_ns;
	e->ppid = ppid;
	e->flags = flags;
	memcpy(e->comm, comm, PL_COMM_LEN);
	put(t, e);
	t->n++;
	return e;
}

void export_procs__del(struct export_procs *t, struct export_proc *e)
{
	struct export_proc **pp = slot(t, e->pid);
	size_t i;

	if (!pp || *pp != e)
		return;
	i = pp - t->tab;
	t->tab[i] = NULL;
	t->n--;
	/* The rest of the probe run moves up, so that no lookup stops short at the hole. */
	for (i = (i + 1) & (t->cap - 1); t->tab[i]; i = (i + 1) & (t->cap - 1)) {
		struct export_proc *m = t->tab[i];

		t->tab[i] = NULL;
		put(t, m);
	}
}

bool export_procs__wanted(const struct export_procs *t, __u32 pid, bool parent_shown, bool kthread)
{
	if (t->only_pid && pid == t->only_pid)
		return true;
	if (kthread && !t->kthreads)
		return false;
	if (!t->only_pid)
		return true;
	return parent_shown;
}

__u8 export_proc__flags_of(const struct proc *p)
{
	__u8 flags = 0;

	if (p->flags & PROC_F_START_TICKS)
		flags |= EP_TICKS;
	if (p->flags & PROC_F_KTHREAD)
		flags |= EP_KTHREAD;
	return flags;
}

struct export_proc **export_procs__list(const struct export_procs *t, size_t *n)
{
	struct export_proc **all = malloc((t->n + 1) * sizeof(*all));

	*n = 0;
	if (!all)
		return NULL;
	for (size_t i = 0; i < t->cap; i++)
		if (t->tab[i])
			all[(*n)++] = t->tab[i];
	return all;
}

struct export_proc **export_procs__gone(const struct export_procs *t, const struct model *m, size_t *n)
{
	struct export_proc **gone = malloc((t->n + 1) * sizeof(*gone));

	*n = 0;
	if (!gone)
		return NULL;
	for (size_t i = 0; i < t->cap; i++) {
		struct export_proc *e = t->tab[i];
		const struct proc *p = e ? model__find(m, e->pid) : NULL;

		if (e && (!p || !same_identity(e, p->start_ns, p->flags & PROC_F_START_TICKS)))
			gone[(*n)++] = e;
	}
	return gone;
}
