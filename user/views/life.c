// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * One pid's lives from the records of a recording. Every record is looked
 * at, few are kept: the pid's own events, signals to it, and for its
 * children their birth, first exec and end (found through a pid index, so
 * a record costs O(1) however many children there are).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "kernel/event.h"
#include "kernel/procfs.h"
#include "kernel/usage.h"
#include "views/life.h"

/* A delivery is paired with one of the last this many events, at most: bounded work per record. */
#define PAIR_LOOKBACK 4096
/* The kernel's first realtime signal (glibc's SIGRTMIN is 34: it keeps two for itself). */
#define KERNEL_SIGRTMIN 32

void life__init(struct life_set *s, __u32 pid, __u64 rec_start)
{
	*s = (struct life_set){ .pid = pid, .rec_start = rec_start };
}

/* Start times from /proc are clock ticks: compare at that precision when either side is. */
static bool same_start(const struct life *l, __u64 start_ns, bool ticks)
{
	if (l->start_ticks || ticks) {
		__u64 tick = procfs__tick_ns();

		return l->start_ns / tick == start_ns / tick;
	}
	return l->start_ns == start_ns;
}

static struct life *current(struct life_set *s)
{
	return s->n ? &s->v[s->n - 1] : NULL;
}

/* A new life; the one before it, if it never ended under our eyes, ended unseen. */
static struct life *life_new(struct life_set *s, __u64 start_ns, enum life_born born)
{
	struct life *prev = current(s), l = { .start_ns = start_ns, .born = born, .state = PROC_RUNNING };

	if (s->n >= LIFE_MAX_LIVES) {
		s->lives_left_out++;
		return NULL;
	}
	if (prev && !prev->reaped)
		prev->ended_unseen = true;
	if (!VEC_PUSH(s->v, s->n, s->cap, l))
		return NULL;
	return &s->v[s->n - 1];
}

/* Where its events say it is (docker exec's processes join a container from outside). */
static void take_cgroups(struct life *l, const struct pl_hdr *h)
{
	l->cgroup_id = h->cgroup_id;
	if (!(h->flags & PL_F_NO_IDENTITY))
		l->cgroup1_id = h->cgroup1_id;
}

/* The life a record's subject (the pid) is in: the current one, or one whose birth we missed. */
static struct life *subject(struct life_set *s, const struct pl_hdr *h)
{
	struct life *l = current(s);

	if (l && same_start(l, h->start_ns, false)) {
		if (l->start_ticks) {
			l->start_ns = h->start_ns; /* now exact */
			l->start_ticks = false;
		}
		take_cgroups(l, h);
		return l;
	}
	l = life_new(s, h->start_ns, h->start_ns < s->rec_start ? LIFE_BORN_BEFORE : LIFE_BORN_UNSEEN);
	if (!l)
		return NULL;
	l->ppid = l->parent = h->ppid;
	memcpy(l->comm, h->comm, PL_COMM_LEN);
	take_cgroups(l, h);
	return l;
}

/* The life a signal sent to the pid reached: the current one, unless it is gone. */
static struct life *target(struct life_set *s)
{
	struct life *l = current(s);

	return l && !l->reaped && !l->ended_unseen ? l : NULL;
}

static struct life_event *push(struct life_set *s, struct life *l, unsigned type, __u64 ts)
{
	struct life_event e = { .ts = ts, .type = type };

	if (s->nev >= LIFE_MAX_EVENTS || !VEC_PUSH(l->ev, l->nev, l->capev, e)) {
		l->events_left_out++;
		return NULL;
	}
	s->nev++;
	return &l->ev[l->nev - 1];
}

/* A copy of n bytes within the memory budget; NULL when over it (or out of memory). */
static char *keep(struct life_set *s, const void *p, size_t n)
{
	char *c;

	if (n > LIFE_MAX_BYTES - s->bytes)
		return NULL;
	c = malloc(n ? n : 1);
	if (!c)
		return NULL;
	memcpy(c, p, n);
	s->bytes += n;
	return c;
}

/* ---- children ---- */

static __u32 hash_pid(__u32 pid, size_t cap)
{
	return (pid * 2654435761u) & (cap - 1);
}

static struct life_index_slot *index_find(const struct life_set *s, __u32 pid)
{
	if (!s->idx_cap)
		return NULL;
	for (size_t i = hash_pid(pid, s->idx_cap);; i = (i + 1) & (s->idx_cap - 1)) {
		if (!s->idx[i].pid)
			return NULL;
		if (s->idx[i].pid == pid)
			return &s->idx[i];
	}
}

/* Insert or replace: a pid's newest fork is the only one that can still exec or end. */
static int index_set(struct life_set *s, __u32 pid, __u32 life, __u32 child)
{
	struct life_index_slot *slot = index_find(s, pid);
	size_t i;

	if (slot) {
		slot->life = life;
		slot->child = child;
		return 0;
	}
	if ((s->idx_used + 1) * 2 > s->idx_cap) {
		size_t cap = s->idx_cap ? s->idx_cap * 2 : 256;
		struct life_index_slot *n = calloc(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (size_t k = 0; k < s->idx_cap; k++) {
			if (!s->idx[k].pid)
				continue;
			for (i = hash_pid(s->idx[k].pid, cap); n[i].pid; i = (i + 1) & (cap - 1))
				;
			n[i] = s->idx[k];
		}
		free(s->idx);
		s->idx = n;
		s->idx_cap = cap;
	}
	for (i = hash_pid(pid, s->idx_cap); s->idx[i].pid; i = (i + 1) & (s->idx_cap - 1))
		;
	s->idx[i] = (struct life_index_slot){ .pid = pid, .life = life, .child = child };
	s->idx_used++;
	return 0;
}

static struct life_child *child_of(struct life_set *s, __u32 pid, __u64 start_ns)
{
	struct life_index_slot *slot = pid ? index_find(s, pid) : NULL;
	struct life_child *c;

	if (!slot)
		return NULL;
	c = &s->v[slot->life].ch[slot->child];
	return c->start_ns == start_ns ? c : NULL;
}

static void add_child(struct life_set *s, struct life *l, const struct pl_fork *f)
{
	struct life_child c = { .pid = f->child_pid, .start_ns = f->child_start_ns, .born_ts = f->h.ts };

	memcpy(c.comm, f->h.comm, PL_COMM_LEN);
	if (s->nch >= LIFE_MAX_CHILDREN || !VEC_PUSH(l->ch, l->nch, l->capch, c)) {
		l->children_left_out++;
		return;
	}
	s->nch++;
	/* Out of memory: the child is kept, only its exec and end will not be found. */
	index_set(s, c.pid, l - s->v, l->nch - 1);
}

/* ---- records ---- */

static void on_fork(struct life_set *s, const struct pl_fork *f)
{
	__u32 ppid = f->child_ppid ? f->child_ppid : f->h.pid;
	struct life *l;

	if (f->h.flags & PL_F_THREAD)
		return;
	if (f->h.pid == s->pid) {
		struct life_event *e;

		l = subject(s, &f->h);
		if (!l)
			return;
		e = push(s, l, LIFE_EV_FORK, f->h.ts);
		if (e) {
			e->fork.child = f->child_pid;
			e->fork.child_start = f->child_start_ns;
		}
		add_child(s, l, f);
	} else if (ppid == s->pid && (l = target(s))) {
		add_child(s, l, f); /* CLONE_PARENT: a sibling made it the pid's child */
	}
	if (f->child_pid != s->pid)
		return;
	l = current(s);
	/* Born during the recording's first scan: already known from it, at tick precision. */
	if (!(l && l->born == LIFE_BORN_BEFORE && l->start_ticks && same_start(l, f->child_start_ns, true))) {
		l = life_new(s, f->child_start_ns, LIFE_BORN_FORK);
		if (!l)
			return;
		memcpy(l->comm, f->h.comm, PL_COMM_LEN);
	}
	l->born = LIFE_BORN_FORK;
	l->start_ns = f->child_start_ns;
	l->start_ticks = false;
	l->born_ts = f->h.ts;
	l->forker = f->h.pid;
	memcpy(l->forker_comm, f->h.comm, PL_COMM_LEN);
	l->ppid = l->parent = ppid;
	take_cgroups(l, &f->h); /* born where its parent is */
	l->parent_comm_known = ppid == f->h.pid;
	if (l->parent_comm_known)
		memcpy(l->parent_comm, f->h.comm, PL_COMM_LEN);
}

static void on_exec(struct life_set *s, const struct pl_exec *x)
{
	struct life_child *c;
	struct life_event *e;
	struct life *l;

	if (x->h.pid != s->pid) {
		c = child_of(s, x->h.pid, x->h.start_ns);
		if (!c)
			return;
		memcpy(c->comm, x->h.comm, PL_COMM_LEN);
		if (c->execd)
			return;
		c->execd = true;
		c->data = keep(s, x->data, (size_t)x->filename_len + x->args_len);
		if (c->data) {
			c->filename_len = strnlen(x->data, x->filename_len - 1);
			c->args_off = x->filename_len;
			c->args_len = x->args_len;
			c->truncated = x->h.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE);
		}
		return;
	}
	l = subject(s, &x->h);
	if (!l)
		return;
	l->nr_execs++;
	memcpy(l->comm, x->h.comm, PL_COMM_LEN);
	e = push(s, l, LIFE_EV_EXEC, x->h.ts);
	if (!e)
		return;
	e->exec.data = keep(s, x->data, (size_t)x->filename_len + x->args_len);
	/* Checked: the filename's NUL is there; an embedded one ends it earlier, as event__filename() says. */
	e->exec.filename_len = strnlen(x->data, x->filename_len - 1);
	e->exec.args_off = x->filename_len;
	e->exec.args_len = x->args_len;
	e->exec.args_size = x->args_size;
	e->exec.argc = x->argc;
	e->exec.old_tid = x->old_tid;
	e->exec.flags = x->h.flags;
	e->exec.id = ident__of_hdr(&x->h);
}

static void on_exec_failed(struct life_set *s, const struct pl_exec_failed *x)
{
	struct life *l = x->h.pid == s->pid ? subject(s, &x->h) : NULL;
	struct life_event *e = l ? push(s, l, LIFE_EV_EXEC_FAILED, x->h.ts) : NULL;

	if (!e)
		return;
	e->exec.data = keep(s, x->data, x->filename_len);
	e->exec.filename_len = strnlen(x->data, x->filename_len - 1);
	e->exec.err = x->err;
	e->exec.flags = x->h.flags;
	e->exec.id = ident__of_hdr(&x->h);
}

static void on_cred(struct life_set *s, const struct pl_cred *c)
{
	struct life *l = c->h.pid == s->pid ? subject(s, &c->h) : NULL;
	struct life_event *e = l ? push(s, l, LIFE_EV_CRED, c->h.ts) : NULL;

	if (e)
		e->cred = *c;
}

/* Its end: from its exit record, or from its reap's when the exit was not seen. */
static void child_exited(struct life_child *c, __u64 ts, __u32 status)
{
	c->exited = true;
	c->exit_ts = ts;
	c->status = status;
}

static void subject_exited(struct life *l, __u64 ts, __u32 status)
{
	l->exited = true;
	l->exit_ts = ts;
	l->status = status;
}

static void on_proc_exit(struct life_set *s, const struct pl_exit *x)
{
	struct life_event *e;
	struct life *l;

	if (x->h.flags & PL_F_THREAD)
		return;
	if (x->h.pid != s->pid) {
		struct life_child *c = child_of(s, x->h.pid, x->h.start_ns);

		if (c)
			child_exited(c, x->h.ts, x->status);
		return;
	}
	l = subject(s, &x->h);
	if (!l)
		return;
	subject_exited(l, x->h.ts, x->status);
	l->state = PROC_ZOMBIE;
	e = push(s, l, LIFE_EV_EXIT, x->h.ts);
	if (e) {
		/* The record may end before usage (a recording from before it): copy what it holds. */
		memcpy(&e->exit, x, PL_EXIT_SIZE_NO_USAGE);
		if (usage__of(x))
			e->exit.usage = x->usage;
		else
			memset(&e->exit.usage, 0, sizeof(e->exit.usage));
	}
}

static void on_reap(struct life_set *s, const struct pl_reap *r)
{
	struct life_event *e;
	struct life *l;

	if (r->h.pid != s->pid) {
		struct life_child *c = child_of(s, r->h.pid, r->h.start_ns);

		if (c) {
			if (!c->exited)
				child_exited(c, r->exit_ts, r->status);
			c->reaped = true;
			c->reap_ts = r->h.ts;
			c->reaper = r->reaper_pid;
		}
		return;
	}
	l = subject(s, &r->h);
	if (!l)
		return;
	if (!l->exited)
		subject_exited(l, r->exit_ts, r->status);
	l->reaped = true;
	l->reap_ts = r->h.ts;
	l->reaper = r->reaper_pid;
	l->state = PROC_REAPED;
	e = push(s, l, LIFE_EV_REAP, r->h.ts);
	if (e)
		e->reap = *r;
}

static void on_sig(struct life_set *s, const struct pl_signal *g)
{
	struct life *sender = NULL, *l;
	struct life_event *e;

	/* Sent by the pid: by a syscall (the kernel's, like a SIGCHLD at its exit, are not its doing). */
	if (g->h.pid == s->pid && (g->syscall != PL_SYS_NONE || g->target_pid == s->pid)) {
		sender = subject(s, &g->h);
		if (sender && g->target_pid != s->pid) {
			e = push(s, sender, LIFE_EV_SIG_SENT, g->h.ts);
			if (e)
				e->sig = *g;
		}
	}
	if (g->target_pid != s->pid || !g->target_pid)
		return;
	l = sender ? sender : target(s);
	e = l ? push(s, l, LIFE_EV_SIG_RECV, g->h.ts) : NULL;
	if (e)
		e->sig = *g;
}

/*
 * A delivery takes the signal generated for it: a standard signal is
 * pending once at most, so the newest not yet taken; realtime ones queue,
 * so the oldest.
 */
static struct life_event *pending_for(struct life *l, int sig)
{
	struct life_event *found = NULL;
	size_t stop = l->nev > PAIR_LOOKBACK ? l->nev - PAIR_LOOKBACK : 0;

	for (size_t i = l->nev; i-- > stop;) {
		struct life_event *e = &l->ev[i];

		if (e->type != LIFE_EV_SIG_RECV || e->taken || e->sig.sig != sig || e->sig.result != PL_SIG_DELIVERED)
			continue;
		found = e;
		if (sig < KERNEL_SIGRTMIN)
			break;
	}
	return found;
}

static void on_deliver(struct life_set *s, const struct pl_deliver *d)
{
	struct life *l = d->h.pid == s->pid ? subject(s, &d->h) : NULL;
	struct life_event *e;

	if (!l)
		return;
	e = pending_for(l, d->sig);
	if (!e) {
		e = push(s, l, LIFE_EV_DELIVER, d->h.ts);
		if (e)
			e->deliver = *d;
		return;
	}
	e->taken = true;
	e->taken_ts = d->h.ts;
	e->action = d->action;
	e->fatal = d->h.flags & PL_F_GROUP_EXIT;
}

static void on_rename(struct life_set *s, const struct pl_rename *r)
{
	struct life_event *e;
	struct life *l;

	if (r->h.pid != s->pid) {
		struct life_child *c = child_of(s, r->h.pid, r->h.start_ns);

		if (c)
			memcpy(c->comm, r->new_comm, PL_COMM_LEN);
		return;
	}
	l = subject(s, &r->h);
	if (!l)
		return;
	memcpy(l->comm, r->new_comm, PL_COMM_LEN);
	e = push(s, l, LIFE_EV_RENAME, r->h.ts);
	if (e) {
		memcpy(e->rename.old_comm, r->h.comm, PL_COMM_LEN);
		memcpy(e->rename.new_comm, r->new_comm, PL_COMM_LEN);
	}
}

void life__record(struct life_set *s, const void *rec)
{
	const struct pl_hdr *h = rec;

	switch (h->type) {
	case PL_EV_FORK:
		on_fork(s, rec);
		break;
	case PL_EV_EXEC:
		on_exec(s, rec);
		break;
	case PL_EV_EXEC_FAILED:
		on_exec_failed(s, rec);
		break;
	case PL_EV_EXIT:
		on_proc_exit(s, rec);
		break;
	case PL_EV_REAP:
		on_reap(s, rec);
		break;
	case PL_EV_SIGNAL:
		on_sig(s, rec);
		break;
	case PL_EV_DELIVER:
		on_deliver(s, rec);
		break;
	case PL_EV_RENAME:
		on_rename(s, rec);
		break;
	case PL_EV_CRED:
		on_cred(s, rec);
		break;
	}
}

/* ---- derived events ---- */

static void child_adopted(struct life_set *s, const struct derived_event *d)
{
	struct life_index_slot *slot = index_find(s, d->p->pid);
	struct life_child *c;
	__u64 tick = procfs__tick_ns();

	if (!slot || d->old_parent != s->pid)
		return;
	c = &s->v[slot->life].ch[slot->child];
	if (c->start_ns / tick == d->p->start_ns / tick && !c->exited)
		c->adopted_by = d->new_parent;
}

void life__derived(struct life_set *s, const struct derived_event *d)
{
	struct life_event *e;
	struct life *l;

	if (!d->p)
		return;
	if (d->type == DV_REPARENT && d->p->pid != s->pid) {
		child_adopted(s, d);
		return;
	}
	l = current(s);
	if (d->p->pid != s->pid || !l || !same_start(l, d->p->start_ns, d->p->flags & PROC_F_START_TICKS))
		return;
	switch (d->type) {
	case DV_STOP:
		l->state = PROC_STOPPED;
		l->stop_sig = d->sig;
		e = push(s, l, LIFE_EV_STOP, d->ts);
		if (e)
			e->stop_sig = d->sig;
		break;
	case DV_CONTINUE:
		if (l->state == PROC_STOPPED)
			l->state = PROC_CONTINUED;
		e = push(s, l, LIFE_EV_CONTINUE, d->ts);
		if (e)
			e->stop_sig = d->sig;
		break;
	case DV_REPARENT:
		l->orphaned = true;
		l->adopted_by = l->parent = d->new_parent;
		e = push(s, l, LIFE_EV_REPARENT, d->ts);
		if (!e)
			break;
		e->parent.old_parent = d->old_parent;
		e->parent.parent = d->new_parent;
		if (d->parent) {
			e->parent.comm_known = true;
			memcpy(e->parent.comm, d->parent->comm, PL_COMM_LEN);
		}
		break;
	case DV_ZOMBIE:
		e = push(s, l, LIFE_EV_ZOMBIE, d->ts);
		if (!e)
			break;
		e->parent.parent = d->p->ppid;
		e->parent.zombie_since = d->p->exit_ts;
		if (d->parent) {
			e->parent.comm_known = true;
			memcpy(e->parent.comm, d->parent->comm, PL_COMM_LEN);
		}
		break;
	default:
		break;
	}
}

/* ---- the rest ---- */

int life__seed(struct life_set *s, const struct life_seed *seed)
{
	struct life *l = life_new(s, seed->start_ns, LIFE_BORN_BEFORE);

	if (!l)
		return -ENOMEM;
	l->start_ticks = true;
	l->ppid = l->parent = seed->ppid;
	if (seed->parent_comm) {
		l->parent_comm_known = true;
		memcpy(l->parent_comm, seed->parent_comm, strnlen(seed->parent_comm, PL_COMM_LEN));
	}
	memcpy(l->comm, seed->comm, PL_COMM_LEN);
	l->initial_state = l->state = seed->state;
	if (seed->cmdline) {
		l->cmdline = keep(s, seed->cmdline, seed->cmdline_len);
		if (l->cmdline) {
			l->cmdline_len = seed->cmdline_len;
			l->cmdline_truncated = seed->cmdline_truncated;
		}
	}
	if (seed->state == PROC_ZOMBIE) {
		l->exited = true; /* when is not known */
		l->status = seed->status;
	}
	return 0;
}

void life__end(struct life_set *s, __u64 ts)
{
	s->end_ts = ts;
}

enum life_end life__end_state(const struct life *l)
{
	if (l->reaped)
		return LIFE_END_REAPED;
	if (l->ended_unseen)
		return LIFE_END_UNKNOWN;
	if (l->exited)
		return LIFE_END_ZOMBIE;
	return l->state == PROC_STOPPED ? LIFE_END_STOPPED : LIFE_END_RUNNING;
}

const char *life__event_name(unsigned type)
{
	static const char *const names[] = {
		[LIFE_EV_EXEC] = "exec",
		[LIFE_EV_EXEC_FAILED] = "exec_failed",
		[LIFE_EV_FORK] = "fork",
		[LIFE_EV_SIG_RECV] = "signal_received",
		[LIFE_EV_SIG_SENT] = "signal_sent",
		[LIFE_EV_DELIVER] = "deliver",
		[LIFE_EV_STOP] = "stop",
		[LIFE_EV_CONTINUE] = "continue",
		[LIFE_EV_RENAME] = "rename",
		[LIFE_EV_REPARENT] = "orphaned",
		[LIFE_EV_ZOMBIE] = "zombie",
		[LIFE_EV_EXIT] = "exit",
		[LIFE_EV_REAP] = "reap",
		[LIFE_EV_CRED] = "cred",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

bool life__argv(const struct life *l, const char **args, __u32 *len, const char **filename, __u32 *filename_len)
{
	for (size_t i = l->nev; i-- > 0;) {
		const struct life_event *e = &l->ev[i];

		if (e->type == LIFE_EV_EXEC && e->exec.data) {
			*filename = e->exec.data;
			*filename_len = e->exec.filename_len;
			*args = e->exec.data + e->exec.args_off;
			*len = e->exec.args_len;
			return true;
		}
	}
	if (!l->cmdline)
		return false;
	*filename = NULL;
	*filename_len = 0;
	*args = l->cmdline;
	*len = l->cmdline_len;
	return true;
}

void life__free(struct life_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct life *l = &s->v[i];

		for (size_t k = 0; k < l->nev; k++)
			if (l->ev[k].type == LIFE_EV_EXEC || l->ev[k].type == LIFE_EV_EXEC_FAILED)
				free(l->ev[k].exec.data);
		for (size_t k = 0; k < l->nch; k++)
			free(l->ch[k].data);
		free(l->ev);
		free(l->ch);
		free(l->cmdline);
	}
	free(s->v);
	free(s->idx);
	*s = (struct life_set){};
}
