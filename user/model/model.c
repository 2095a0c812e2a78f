// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process model. Hot path: model__apply() does one pid lookup in an
 * open-addressing index and touches one or two slots; no allocation except
 * for a new process (a recycled slot, usually) and an exec's strings.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/procfs.h"
#include "kernel/usage.h"
#include "model/model.h"

#define INDEX_EMPTY 0u
#define INDEX_GONE 0xffffffffu

struct zq_entry {
	__u64 start_ns;
	__u32 slot;
	__u32 pid;
};

struct model {
	struct model_config cfg;
	struct proc *slots; /* slot 0 is never used: 0 means "none" */
	__u32 nslots, capslots;
	__u32 *free_slots;
	__u32 nfree, capfree;
	__u32 *index; /* pid -> slot; capacity a power of two */
	__u32 index_cap, index_used;
	size_t live;
	/* Zombies in exit order, for DV_ZOMBIE; a ring. */
	struct zq_entry *zq;
	size_t zq_head, zq_len, zq_cap;
	/* Reaped processes, oldest first, linked through next_sibling. */
	__u32 reaped_head, reaped_tail;
	size_t exec_bytes;
	__u32 sample_gen;
	__u64 sample_ts, prev_sample_ts; /* when the last two samples began (boot ns) */
};

const char *proc_state__name(enum proc_state s)
{
	switch (s) {
	case PROC_RUNNING:
		return "running";
	case PROC_STOPPED:
		return "stopped";
	case PROC_CONTINUED:
		return "continued";
	case PROC_ZOMBIE:
		return "zombie";
	case PROC_REAPED:
		return "reaped";
	}
	return "unknown";
}

static const char *const derived_names[DV_MAX] = {
	[DV_STOP] = "stop", [DV_CONTINUE] = "continue", [DV_ZOMBIE] = "zombie",
	[DV_REPARENT] = "reparent", [DV_RESYNC] = "resync", [DV_CONTAINER] = "container",
};

const char *derived__name(enum derived_type t)
{
	return t > 0 && t < DV_MAX ? derived_names[t] : "unknown";
}

int derived__parse(const char *s)
{
	for (int t = 1; t < DV_MAX; t++)
		if (!strcmp(s, derived_names[t]))
			return t;
	return -EINVAL;
}

struct model *model__new(const struct model_config *cfg)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cfg = *cfg;
	if (!m->cfg.zombie_after_ns)
		m->cfg.zombie_after_ns = 5000000000ull;
	if (!m->cfg.retention_ns)
		m->cfg.retention_ns = 60000000000ull;
	if (!m->cfg.max_execs)
		m->cfg.max_execs = 16;
	m->nslots = 1;
	return m;
}

static void free_execs(struct model *m, struct proc *p)
{
	struct proc_exec *x = p->execs, *older;

	for (; x; x = older) {
		older = x->older;
		m->exec_bytes -= sizeof(*x) + x->filename_len + x->args_len;
		free(x);
	}
	p->execs = NULL;
	p->nr_execs = 0;
}

void model__free(struct model *m)
{
	if (!m)
		return;
	for (__u32 i = 1; i < m->nslots; i++)
		free_execs(m, &m->slots[i]);
	free(m->slots);
	free(m->free_slots);
	free(m->index);
	free(m->zq);
	free(m);
}

__u32 model__nslots(const struct model *m)
{
	return m->nslots;
}

struct proc *model__slot(const struct model *m, __u32 slot)
{
	return slot && slot < m->nslots ? &m->slots[slot] : NULL;
}

__u32 model__slot_of(const struct model *m, const struct proc *p)
{
	return p ? (__u32)(p - m->slots) : 0;
}

size_t model__count(const struct model *m)
{
	return m->live;
}

size_t model__memory(const struct model *m)
{
	return sizeof(*m) + (size_t)m->capslots * sizeof(struct proc) + (size_t)m->capfree * 4 +
	       (size_t)m->index_cap * 4 + m->zq_cap * sizeof(struct zq_entry) + m->exec_bytes;
}

/* ---- pid index ---- */

static __u32 hash_pid(__u32 pid, __u32 cap)
{
	return (pid * 2654435761u) & (cap - 1);
}

static __u32 index_lookup(const struct model *m, __u32 pid, __u32 *pos)
{
	if (!m->index_cap)
		return 0;
	for (__u32 i = hash_pid(pid, m->index_cap);; i = (i + 1) & (m->index_cap - 1)) {
		__u32 s = m->index[i];

		if (s == INDEX_EMPTY)
			return 0;
		if (s != INDEX_GONE && m->slots[s].pid == pid) {
			if (pos)
				*pos = i;
			return s;
		}
	}
}

static int index_grow(struct model *m)
{
	__u32 cap = m->index_cap ? m->index_cap * 2 : 1024;
	__u32 *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (__u32 i = 0; i < m->index_cap; i++) {
		__u32 s = m->index[i], j;

		if (s == INDEX_EMPTY || s == INDEX_GONE)
			continue;
		for (j = hash_pid(m->slots[s].pid, cap); idx[j]; j = (j + 1) & (cap - 1))
			;
		idx[j] = s;
	}
	free(m->index);
	m->index = idx;
	m->index_cap = cap;
	m->index_used = m->live;
	return 0;
}

static int index_insert(struct model *m, __u32 pid, __u32 slot)
{
	__u32 i;

	if ((m->index_used + 1) * 2 > m->index_cap && index_grow(m))
		return -ENOMEM;
	for (i = hash_pid(pid, m->index_cap); m->index[i] != INDEX_EMPTY && m->index[i] != INDEX_GONE;
	     i = (i + 1) & (m->index_cap - 1))
		;
	if (m->index[i] == INDEX_EMPTY)
		m->index_used++;
	m->index[i] = slot;
	return 0;
}

static void index_remove(struct model *m, __u32 pid)
{
	__u32 pos;

	if (index_lookup(m, pid, &pos))
		m->index[pos] = INDEX_GONE;
}

struct proc *model__find(const struct model *m, __u32 pid)
{
	return model__slot(m, index_lookup(m, pid, NULL));
}

void model__set_cgroup(struct model *m, __u32 pid, bool v1, __u64 id)
{
	struct proc *p = model__find(m, pid);

	if (p && v1)
		p->cgroup1_id = id;
	else if (p)
		p->cgroup_id = id;
}

/* ---- tree links ---- */

static void unlink_parent(struct model *m, struct proc *p)
{
	struct proc *parent = model__slot(m, p->parent);

	if (!parent)
		return;
	if (p->prev_sibling)
		m->slots[p->prev_sibling].next_sibling = p->next_sibling;
	else
		parent->first_child = p->next_sibling;
	if (p->next_sibling)
		m->slots[p->next_sibling].prev_sibling = p->prev_sibling;
	p->parent = p->next_sibling = p->prev_sibling = 0;
}

/* Link p under parent (already looked up by the caller; NULL: none known) as ppid's child. */
static void link_to(struct model *m, struct proc *p, struct proc *parent, __u32 ppid)
{
	__u32 slot = model__slot_of(m, p);

	unlink_parent(m, p);
	p->ppid = ppid;
	if (!parent || parent == p || parent->state == PROC_REAPED)
		return;
	p->parent = model__slot_of(m, parent);
	p->next_sibling = parent->first_child;
	if (parent->first_child)
		m->slots[parent->first_child].prev_sibling = slot;
	parent->first_child = slot;
}

static void link_parent(struct model *m, struct proc *p, __u32 ppid)
{
	link_to(m, p, ppid ? model__find(m, ppid) : NULL, ppid);
}

/* ---- slots ---- */

static struct proc *proc_new(struct model *m, __u32 pid, __u64 start_ns)
{
	__u32 slot;
	struct proc *p;

	if (m->nfree) {
		slot = m->free_slots[--m->nfree];
	} else {
		if (m->nslots >= m->capslots) {
			__u32 cap = m->capslots ? m->capslots * 2 : 1024;
			struct proc *ns = realloc(m->slots, (size_t)cap * sizeof(*ns));

			if (!ns)
				return NULL;
			m->slots = ns;
			m->capslots = cap;
		}
		slot = m->nslots++;
	}
	if (index_insert(m, pid, slot)) {
		m->free_slots[m->nfree++] = slot; /* cannot fail: it came from there or is new */
		return NULL;
	}
	p = &m->slots[slot];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_ns = start_ns;
	m->live++;
	return p;
}

static void slot_release(struct model *m, __u32 slot)
{
	if (m->nfree == m->capfree) {
		__u32 cap = m->capfree ? m->capfree * 2 : 1024;
		__u32 *nf = realloc(m->free_slots, (size_t)cap * sizeof(*nf));

		if (!nf)
			return; /* leaks one slot's reuse, nothing else */
		m->free_slots = nf;
		m->capfree = cap;
	}
	free_execs(m, &m->slots[slot]);
	m->slots[slot].pid = 0;
	m->free_slots[m->nfree++] = slot;
}

static bool same_identity(const struct proc *p, __u64 start_ns)
{
	if (p->flags & PROC_F_START_TICKS) {
		__u64 tick = procfs__tick_ns();
		return p->start_ns / tick == start_ns / tick;
	}
	return p->start_ns == start_ns;
}

static void emit(struct model *m, struct derived_event *d)
{
	if (m->cfg.derived)
		m->cfg.derived(m->cfg.ctx, d);
}

/* Out of the tree and the pid index, into the reaped list until retention ends. */
static void retire(struct model *m, struct proc *p, __u64 ts, __u32 reaper)
{
	__u32 slot = model__slot_of(m, p);

	/* Children it still has (events were lost) become roots until corrected. */
	while (p->first_child) {
		struct proc *c = &m->slots[p->first_child];
		unlink_parent(m, c);
	}
	unlink_parent(m, p);
	index_remove(m, p->pid);
	m->live--;
	p->state = PROC_REAPED;
	p->state_ts = ts;
	p->reaper = reaper;
	p->next_sibling = 0;
	if (m->reaped_tail)
		m->slots[m->reaped_tail].next_sibling = slot;
	else
		m->reaped_head = slot;
	m->reaped_tail = slot;
}

static void zq_push(struct model *m, const struct proc *p)
{
	if (m->zq_len == m->zq_cap) {
		size_t cap = m->zq_cap ? m->zq_cap * 2 : 256;
		struct zq_entry *nz = malloc(cap * sizeof(*nz));

		if (!nz)
			return;
		for (size_t i = 0; i < m->zq_len; i++)
			nz[i] = m->zq[(m->zq_head + i) % m->zq_cap];
		free(m->zq);
		m->zq = nz;
		m->zq_cap = cap;
		m->zq_head = 0;
	}
	m->zq[(m->zq_head + m->zq_len++) % m->zq_cap] = (struct zq_entry){
		.start_ns = p->start_ns, .slot = model__slot_of(m, p), .pid = p->pid
	};
}

static void become_zombie(struct model *m, struct proc *p, __u64 ts, __u32 status)
{
	p->state = PROC_ZOMBIE;
	p->state_ts = ts;
	p->exit_ts = ts;
	p->status = status;
	zq_push(m, p);
}

static void reparent(struct model *m, struct proc *p, __u32 new_ppid, __u64 ts)
{
	struct derived_event d = { .type = DV_REPARENT, .ts = ts, .old_parent = p->ppid, .new_parent = new_ppid };

	link_parent(m, p, new_ppid);
	p->flags |= PROC_F_ORPHANED;
	d.p = p;
	d.parent = model__slot(m, p->parent);
	emit(m, &d);
}

/*
 * The subject of a live event: find it, or learn it from the header. A pid
 * seen with another start time is a new process: the old one ended unseen.
 * A parent that differs from ours is the kernel's truth: adopt it.
 */
/* Where the subject of h is: a process moves (docker exec joins a container from outside). */
static void take_cgroups(struct proc *p, const struct pl_hdr *h)
{
	p->cgroup_id = h->cgroup_id;
	if (!(h->flags & PL_F_NO_IDENTITY))
		p->cgroup1_id = h->cgroup1_id;
}

static struct proc *touch(struct model *m, const struct pl_hdr *h)
{
	struct proc *p = model__find(m, h->pid);

	if (p && !same_identity(p, h->start_ns)) {
		retire(m, p, h->ts, 0);
		p = NULL;
	}
	if (!p) {
		p = proc_new(m, h->pid, h->start_ns);
		if (!p)
			return NULL;
		take_cgroups(p, h);
		p->uid = h->uid;
		p->state_ts = h->ts;
		memcpy(p->comm, h->comm, PL_COMM_LEN);
		link_parent(m, p, h->ppid);
		return p;
	}
	if (p->flags & PROC_F_START_TICKS) {
		p->start_ns = h->start_ns; /* now exact */
		p->flags &= ~PROC_F_START_TICKS;
	}
	take_cgroups(p, h);
	/* A process's name and uid are its leader's (other threads may be named apart); setuid() changes the uid. */
	if (h->tid == h->pid) {
		memcpy(p->comm, h->comm, PL_COMM_LEN);
		p->uid = h->uid;
	}
	if (p->ppid != h->ppid && h->ppid && p->state != PROC_ZOMBIE)
		reparent(m, p, h->ppid, h->ts);
	return p;
}

static void apply_fork(struct model *m, const struct pl_fork *e)
{
	struct proc *parent, *c;
	__u32 ppid = e->child_ppid ? e->child_ppid : e->h.pid;

	if (e->h.flags & PL_F_THREAD)
		return;
	parent = touch(m, &e->h);
	if (!parent)
		return;
	c = model__find(m, e->child_pid);
	if (c && same_identity(c, e->child_start_ns)) {
		/* Already known from the /proc scan: now exact. */
		c->start_ns = e->child_start_ns;
		c->flags &= ~PROC_F_START_TICKS;
		if (c->ppid != ppid)
			link_parent(m, c, ppid);
		return;
	}
	if (c)
		retire(m, c, e->h.ts, 0);
	__u32 parent_slot = model__slot_of(m, parent);

	c = proc_new(m, e->child_pid, e->child_start_ns);
	if (!c)
		return;
	parent = model__slot(m, parent_slot); /* slots may have moved */
	if (ppid != e->h.pid)
		parent = model__find(m, ppid); /* CLONE_PARENT: the caller's parent */
	c->uid = e->h.uid;
	c->state_ts = e->h.ts;
	take_cgroups(c, &e->h); /* born where its parent is */
	memcpy(c->comm, e->h.comm, PL_COMM_LEN);
	if (parent && (parent->flags & PROC_F_KTHREAD))
		c->flags |= PROC_F_KTHREAD;
	link_to(m, c, parent, ppid);
}

/* Prepend an exec to p's chain: filename (NUL included) then args. */
static void add_exec(struct model *m, struct proc *p, __u64 ts, const char *filename, __u32 filename_len,
		     const char *args, __u32 args_len, __u32 argc, bool truncated)
{
	struct proc_exec *x = malloc(sizeof(*x) + filename_len + args_len);
	size_t n = (size_t)filename_len + args_len;

	if (!x)
		return;
	x->ts = ts;
	x->argc = argc;
	x->filename_len = filename_len;
	x->args_len = args_len;
	x->truncated = truncated;
	memcpy(x->data, filename, filename_len);
	memcpy(x->data + filename_len, args, args_len);
	x->older = p->execs;
	p->execs = x;
	m->exec_bytes += sizeof(*x) + n;
	if (++p->nr_execs > m->cfg.max_execs) {
		/* Keep the first exec and the newest ones: drop the second oldest. */
		struct proc_exec **pp = &p->execs;

		while ((*pp)->older && (*pp)->older->older)
			pp = &(*pp)->older;
		x = *pp;
		*pp = x->older;
		m->exec_bytes -= sizeof(*x) + x->filename_len + x->args_len;
		free(x);
		p->nr_execs--;
	}
}

static void apply_exec(struct model *m, const struct pl_exec *e)
{
	struct proc *p = touch(m, &e->h);

	if (!p)
		return;
	memcpy(p->comm, e->h.comm, PL_COMM_LEN);
	p->flags &= ~PROC_F_KTHREAD;
	add_exec(m, p, e->h.ts, e->data, e->filename_len, e->data + e->filename_len, e->args_len, e->argc,
		 e->h.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE));
}

static void apply_exit(struct model *m, const struct pl_exit *e)
{
	struct proc *p;

	if (e->h.flags & PL_F_THREAD)
		return;
	p = touch(m, &e->h);
	if (!p)
		return;
	become_zombie(m, p, e->h.ts, e->status);
	if (usage__of(e)) {
		struct usage u;
		struct proc *a = p;

		usage__decode(usage__of(e), &u);
		p->cpu_ns = u.cpu_ns;
		p->rss_kb = u.self.maxrss_kb;
		p->flags = (p->flags & ~PROC_F_SAMPLED) | PROC_F_USAGE;
		/* Its ancestors' subtrees ran it: bounded (a hostile recording may loop). */
		for (int depth = 0; depth < 4096 && a->parent; depth++) {
			a = &m->slots[a->parent];
			a->ended_cpu_ns += u.cpu_ns;
		}
	}
	/* The kernel hands its children to new_parent right after this event. */
	if ((e->h.flags & PL_F_HAS_CHILDREN) && e->new_parent) {
		__u32 slot = model__slot_of(m, p);

		while (m->slots[slot].first_child)
			reparent(m, &m->slots[m->slots[slot].first_child], e->new_parent, e->h.ts);
	}
}

static void apply_reap(struct model *m, const struct pl_reap *e)
{
	struct proc *p = model__find(m, e->h.pid);

	if (!p || !same_identity(p, e->h.start_ns))
		return;
	if (p->state != PROC_ZOMBIE) /* its exit was not seen */
		become_zombie(m, p, e->exit_ts ? e->exit_ts : e->h.ts, e->status);
	retire(m, p, e->h.ts, e->reaper_pid);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void apply_signal(struct model *m, const struct pl_signal *e)
{
	struct proc *t;

	if (e->h.pid)
		touch(m, &e->h);
	/* SIGCONT resumes a stopped process when it is sent, handled, ignored or not. */
	if (e->sig != SIGCONT)
		return;
	t = model__find(m, e->target_pid);
	if (t && t->state == PROC_STOPPED) {
		struct derived_event d = { .type = DV_CONTINUE, .ts = e->h.ts, .p = t, .sig = SIGCONT };

		t->state = PROC_CONTINUED;
		t->state_ts = e->h.ts;
		d.parent = model__slot(m, t->parent);
		emit(m, &d);
	}
}

static void apply_deliver(struct model *m, const struct pl_deliver *e)
{
	struct proc *p = touch(m, &e->h);

	if (!p || e->action != PL_ACT_DEFAULT || !is_stop_signal(e->sig))
		return;
	if (p->state == PROC_RUNNING || p->state == PROC_CONTINUED) {
		struct derived_event d = { .type = DV_STOP, .ts = e->h.ts, .p = p, .sig = e->sig };

		p->state = PROC_STOPPED;
		p->stop_sig = e->sig;
		p->state_ts = e->h.ts;
		d.parent = model__slot(m, p->parent);
		emit(m, &d);
	}
}

void model__apply(struct model *m, const void *rec)
{
	const struct pl_hdr *h = rec;

	switch (h->type) {
	case PL_EV_FORK:
		apply_fork(m, rec);
		break;
	case PL_EV_EXEC:
		apply_exec(m, rec);
		break;
	case PL_EV_EXEC_FAILED:
		touch(m, h);
		break;
	case PL_EV_EXIT:
		apply_exit(m, rec);
		break;
	case PL_EV_REAP:
		apply_reap(m, rec);
		break;
	case PL_EV_SIGNAL:
		apply_signal(m, rec);
		break;
	case PL_EV_DELIVER:
		apply_deliver(m, rec);
		break;
	case PL_EV_RENAME: {
		struct proc *p = touch(m, h);

		if (p)
			memcpy(p->comm, ((const struct pl_rename *)rec)->new_comm, PL_COMM_LEN);
		break;
	}
	}
}

void model__tick(struct model *m, __u64 now)
{
	while (m->zq_len) {
		struct zq_entry *z = &m->zq[m->zq_head];
		struct proc *p = model__slot(m, z->slot);

		if (p && p->pid == z->pid && p->start_ns == z->start_ns && p->state == PROC_ZOMBIE &&
		    !(p->flags & PROC_F_ZOMBIE_SEEN)) {
			struct derived_event d = { .type = DV_ZOMBIE, .ts = now, .p = p };

			if (p->exit_ts + m->cfg.zombie_after_ns > now)
				break; /* in exit order: the rest are younger */
			p->flags |= PROC_F_ZOMBIE_SEEN;
			d.parent = model__slot(m, p->parent);
			emit(m, &d);
		}
		m->zq_head = (m->zq_head + 1) % m->zq_cap;
		m->zq_len--;
	}
	while (m->reaped_head) {
		struct proc *p = &m->slots[m->reaped_head];
		__u32 slot = m->reaped_head;

		if (p->state_ts + m->cfg.retention_ns > now)
			break;
		m->reaped_head = p->next_sibling;
		if (!m->reaped_head)
			m->reaped_tail = 0;
		slot_release(m, slot);
	}
}

const struct proc *model__reaped_next(const struct model *m, const struct proc *prev)
{
	return model__slot(m, prev ? prev->next_sibling : m->reaped_head);
}

static int by_pid(const void *a, const void *b, void *ctx)
{
	const struct model *m = ctx;
	__u32 x = m->slots[*(const __u32 *)a].pid, y = m->slots[*(const __u32 *)b].pid;

	return x < y ? -1 : x > y;
}

__u32 *model__roots(const struct model *m, size_t *n)
{
	__u32 *v = malloc((m->live + 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (__u32 s = 1; s < m->nslots; s++) {
		const struct proc *p = &m->slots[s];

		if (p->pid && p->state != PROC_REAPED && !p->parent)
			v[k++] = s;
	}
	qsort_r(v, k, sizeof(*v), by_pid, (void *)m);
	*n = k;
	return v;
}

static enum proc_state snapshot_state(char st)
{
	if (st == 'Z' || st == 'X')
		return PROC_ZOMBIE;
	if (st == 'T')
		return PROC_STOPPED;
	return PROC_RUNNING;
}

void model__reconcile(struct model *m, const struct proc_snapshot *snap, size_t n, __u64 now,
		      struct resync_stats *out)
{
	struct resync_stats rs = {};
	bool bootstrap = m->live == 0;
	unsigned char *seen = calloc(m->nslots + n + 1, 1);
	__u32 nslots_before = m->nslots;

	for (size_t i = 0; i < n; i++) {
		const struct proc_snapshot *s = &snap[i];
		enum proc_state st = snapshot_state(s->state);
		struct proc *p = model__find(m, s->pid);

		/* /proc knows start times to the clock tick only. */
		if (p && p->start_ns / procfs__tick_ns() != s->start_ns / procfs__tick_ns()) {
			retire(m, p, now, 0);
			rs.removed++;
			p = NULL;
		}
		if (!p) {
			p = proc_new(m, s->pid, s->start_ns);
			if (!p)
				continue;
			p->flags = PROC_F_SCANNED | PROC_F_START_TICKS | (s->kthread ? PROC_F_KTHREAD : 0);
			p->uid = s->uid;
			p->state_ts = now;
			memcpy(p->comm, s->comm, PL_COMM_LEN);
			link_parent(m, p, s->ppid);
			if (st == PROC_ZOMBIE)
				become_zombie(m, p, 0, s->exit_code);
			p->state = st;
			/* What it runs, as /proc says; its exec time is unknown (0). */
			if (s->cmdline_len) {
				__u32 argc = 1;

				for (__u32 k = 0; k < s->cmdline_len; k++)
					argc += s->cmdline[k] == '\0';
				add_exec(m, p, 0, "", 1, s->cmdline, s->cmdline_len, argc, s->cmdline_truncated);
			}
			rs.added++;
		} else {
			if (p->ppid != s->ppid) {
				link_parent(m, p, s->ppid);
				p->flags |= PROC_F_ORPHANED;
				rs.reparented++;
			}
			/* Stopped/continued differ only by our history; zombie vs alive is a fact. */
			if ((st == PROC_ZOMBIE) != (p->state == PROC_ZOMBIE) ||
			    (st == PROC_STOPPED) != (p->state == PROC_STOPPED)) {
				if (st == PROC_ZOMBIE)
					become_zombie(m, p, now, s->exit_code);
				p->state = st;
				p->state_ts = now;
				rs.states_fixed++;
			}
		}
		if (seen)
			seen[model__slot_of(m, p)] = 1;
	}
	/* Known alive, not in /proc, and born before the scan: it ended unseen. */
	for (__u32 s = 1; seen && s < nslots_before; s++) {
		struct proc *p = &m->slots[s];

		if (p->pid && p->state != PROC_REAPED && !seen[s] && p->start_ns < now) {
			retire(m, p, now, 0);
			rs.removed++;
		}
	}
	free(seen);
	if (!bootstrap) {
		struct derived_event d = { .type = DV_RESYNC, .ts = now, .rs = rs };
		emit(m, &d);
	}
	if (out)
		*out = rs;
}

void model__sample_begin(struct model *m, __u64 now)
{
	m->sample_gen++;
	m->prev_sample_ts = m->sample_ts;
	m->sample_ts = now;
}

void model__sample_add(struct model *m, const struct pl_sample *s)
{
	struct proc *p = model__find(m, s->tgid);

	if (!p || p->state >= PROC_ZOMBIE || !same_identity(p, s->start_ns))
		return;
	if (p->sample_gen != m->sample_gen || !(p->flags & PROC_F_SAMPLED)) {
		bool before = (p->flags & PROC_F_SAMPLED) && p->sample_gen + 1 == m->sample_gen;

		/* Its CPU at the sample before; or none yet, which is 0 if it was born since. */
		p->flags &= ~PROC_F_CPU_PREV;
		if (before || (m->prev_sample_ts && p->start_ns >= m->prev_sample_ts))
			p->flags |= PROC_F_CPU_PREV;
		p->cpu_prev_ns = before ? p->cpu_ns : 0;
		p->sample_gen = m->sample_gen;
		p->cpu_ns = 0;
		p->rss_kb = 0;
		p->flags |= PROC_F_SAMPLED;
	}
	p->cpu_ns += s->runtime_ns;
	if (s->rss_kb > p->rss_kb)
		p->rss_kb = s->rss_kb;
}

bool model__sampled(const struct model *m, const struct proc *p)
{
	return (p->flags & PROC_F_SAMPLED) && p->sample_gen == m->sample_gen;
}

bool model__cpu_pct(const struct model *m, const struct proc *p, double *pct)
{
	__u64 from = p->start_ns > m->prev_sample_ts ? p->start_ns : m->prev_sample_ts;

	if (!model__sampled(m, p) || !(p->flags & PROC_F_CPU_PREV) || m->sample_ts <= from)
		return false;
	*pct = p->cpu_ns >= p->cpu_prev_ns ? (p->cpu_ns - p->cpu_prev_ns) * 100.0 / (m->sample_ts - from) : 0;
	return true;
}
