// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The process model. Hot path: model__apply() does one pid lookup in an
 * open-addressing index and touches one or two slots; no allocation except
 * for a new process (a recycled slot, usually) and an exec's strings.
 * Every allocation is checked against the cap first (room()).
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/msg.h"
#include "kernel/procfs.h"
#include "kernel/usage.h"
#include "model/model.h"

/*
 * Blocks from this size on get pages of their own from the allocator
 * (M_MMAP_THRESHOLD, set by model__new()): freeing one gives its memory
 * back at once. Below it blocks share the heap, where a forgotten block
 * leaves a hole only one of about its size can reuse; reclaim() hands the
 * holes' whole pages back (malloc_trim()). So the process's resident
 * memory follows the model's count, not the most it ever held.
 */
#define MODEL_MMAP_BYTES (32u << 10)

#define INDEX_EMPTY 0u
#define INDEX_GONE 0xffffffffu

struct cred_entry {
	struct pl_creds c;
	__u32 refs;  /* 0: free */
	__u32 hash;
};

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
	size_t exec_bytes;      /* what the execs' blocks take, allocator headers included */
	size_t reaped_bytes;    /* the part of it that reaped processes hold */
	/* Exec bytes added since the history and argv were last squeezed (reclaim()). */
	size_t exec_added;
	__u64 forgot[FORGOT_MAX];
	/* Sets of credentials, each kept once however many processes have it (creds_intern()). */
	struct cred_entry *creds;   /* [0] unused: ref 0 is none */
	__u32 ncreds, capcreds, *creds_free, nfree_creds, capfree_creds;
	__u32 *creds_index;         /* hash -> ref, open addressing; capacity a power of two */
	__u32 creds_index_cap;
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
	if (!m->cfg.history_bytes)
		m->cfg.history_bytes = 64 << 10;
	if (!m->cfg.max_bytes)
		m->cfg.max_bytes = MODEL_MAX_BYTES_DEFAULT;
	mallopt(M_MMAP_THRESHOLD, MODEL_MMAP_BYTES);
	m->nslots = 1;
	return m;
}

/* What the allocator takes for a block of n bytes (glibc: an 8-byte header, 16-byte steps, 32 at least). */
static size_t chunk(size_t n)
{
	size_t c = (n + 8 + 15) & ~(size_t)15;

	if (n >= MODEL_MMAP_BYTES)
		return (n + 16 + 4095) & ~(size_t)4095;
	return c < 32 ? 32 : c;
}

static size_t exec_chunk(const struct proc_exec *x)
{
	return chunk(sizeof(*x) + x->filename_len + x->args_len);
}

static void exec_free(struct model *m, struct proc_exec *x)
{
	m->exec_bytes -= exec_chunk(x);
	free(x);
}

/* What p's execs take. */
static size_t execs_chunk(const struct proc *p)
{
	size_t n = 0;

	for (const struct proc_exec *x = p->execs; x; x = x->older)
		n += exec_chunk(x);
	return n;
}

static void free_execs(struct model *m, struct proc *p)
{
	struct proc_exec *x = p->execs, *older;

	for (; x; x = older) {
		older = x->older;
		exec_free(m, x);
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
	free(m->creds);
	free(m->creds_free);
	free(m->creds_index);
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
	       (size_t)m->index_cap * 4 + m->zq_cap * sizeof(struct zq_entry) + m->exec_bytes +
	       (size_t)m->capcreds * sizeof(struct cred_entry) + (size_t)(m->capfree_creds + m->creds_index_cap) * 4;
}

size_t model__max_memory(const struct model *m)
{
	return m->cfg.max_bytes;
}

const __u64 *model__forgotten(const struct model *m)
{
	return m->forgot;
}

__u64 model__forgotten_total(const struct model *m)
{
	__u64 n = 0;

	for (int k = 0; k < FORGOT_MAX; k++)
		n += m->forgot[k];
	return n;
}

const char *model_forgot__name(enum model_forgot k)
{
	static const char *const names[FORGOT_MAX] = {
		[FORGOT_REAPED] = "reaped", [FORGOT_EXEC] = "exec", [FORGOT_PROCESS] = "process",
	};

	return k < FORGOT_MAX ? names[k] : "unknown";
}

/* ---- the cap ---- */

/* The cap as --max-memory takes it: 256M, 1536K, 1000000. */
static void size_text(char *buf, size_t len, __u64 v)
{
	if (v && !(v & ((1ull << 30) - 1)))
		snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
	else if (v && !(v & ((1ull << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v && !(v & 1023))
		snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* Count n forgotten of kind k; the first time, say what the cap does now. */
static void forgot(struct model *m, enum model_forgot k, __u64 n)
{
	static const char *const what[FORGOT_MAX] = {
		[FORGOT_REAPED] = "reaped processes are forgotten before their retention ends",
		[FORGOT_EXEC] = "older execs and long command lines of the processes it keeps are forgotten",
		[FORGOT_PROCESS] = "new processes are left out of it",
	};
	char cap[32];

	if (!n)
		return;
	if (!m->forgot[k]) {
		size_text(cap, sizeof(cap), m->cfg.max_bytes);
		msg__say(MSG_WARN, "the process model is at its memory cap (--max-memory %s): %s (counted)", cap,
			 what[k]);
	}
	m->forgot[k] += n;
}

static void slot_release(struct model *m, __u32 slot);

/* The oldest reaped process leaves the model (its retention is over, or the cap needs its room). */
static void reaped_pop(struct model *m)
{
	__u32 slot = m->reaped_head;

	m->reaped_bytes -= execs_chunk(&m->slots[slot]);
	m->reaped_head = m->slots[slot].next_sibling;
	if (!m->reaped_head)
		m->reaped_tail = 0;
	slot_release(m, slot);
}

/* Every process keeps only its newest exec. */
static void squeeze_history(struct model *m)
{
	__u64 n = 0;

	for (__u32 s = 1; s < m->nslots; s++) {
		struct proc *p = &m->slots[s];
		struct proc_exec *x, *older;

		if (!p->pid || !p->execs || p->state == PROC_REAPED)
			continue;
		for (x = p->execs->older; x; x = older) {
			older = x->older;
			exec_free(m, x);
			n++;
		}
		p->execs->older = NULL;
		p->nr_execs = 1;
	}
	forgot(m, FORGOT_EXEC, n);
}

/*
 * x with its filename and argv cut to MODEL_SQUEEZED_BYTES each, in a new
 * block: the old one is freed whole (shrunk in place, it would leave a hole
 * too small for its like). x itself, cut in place, when no block is had.
 */
static struct proc_exec *exec_squeeze(struct model *m, struct proc_exec *x)
{
	__u32 fl = x->filename_len < MODEL_SQUEEZED_BYTES ? x->filename_len : MODEL_SQUEEZED_BYTES;
	__u32 al = x->args_len < MODEL_SQUEEZED_BYTES ? x->args_len : MODEL_SQUEEZED_BYTES;
	struct proc_exec *y = malloc(sizeof(*x) + fl + al);

	if (!y) {
		memmove(x->data + fl, x->data + x->filename_len, al);
		y = x;
	} else {
		memcpy(y, x, sizeof(*x));
		memcpy(y->data, x->data, fl);
		memcpy(y->data + fl, x->data + x->filename_len, al);
	}
	m->exec_bytes -= exec_chunk(x);
	y->data[fl - 1] = '\0';
	y->filename_len = fl;
	y->args_len = al;
	y->truncated = true;
	m->exec_bytes += exec_chunk(y);
	if (y != x)
		free(x);
	return y;
}

/* Every process's exec (its newest: the history is gone) with a long filename or argv is cut. */
static void squeeze_argv(struct model *m)
{
	__u64 n = 0;

	for (__u32 s = 1; s < m->nslots; s++) {
		struct proc *p = &m->slots[s];
		struct proc_exec *x;

		x = p->pid && p->state != PROC_REAPED ? p->execs : NULL;
		if (!x || (x->filename_len <= MODEL_SQUEEZED_BYTES && x->args_len <= MODEL_SQUEEZED_BYTES))
			continue;
		p->execs = exec_squeeze(m, x);
		n++;
	}
	forgot(m, FORGOT_EXEC, n);
}

/*
 * Forget, in the order model.h says, until `more` bytes fit with an eighth
 * of the cap to spare, so that this runs seldom. Reaped processes go while
 * they hold execs (a slot is not memory given back: slot_take() takes
 * theirs). The passes over every process run only once enough new execs
 * came since the last ones to be worth it: under a cap that the live
 * processes alone fill, a refusal costs a comparison, not a pass. True
 * when `more` fits now.
 */
static bool reclaim(struct model *m, size_t more)
{
	size_t max = m->cfg.max_bytes, low = max - max / 8, target = more < low ? low - more : 0;
	size_t before = model__memory(m);
	__u64 n = 0;

	for (; m->reaped_head && m->reaped_bytes && model__memory(m) > target; n++)
		reaped_pop(m);
	forgot(m, FORGOT_REAPED, n);
	if (model__memory(m) > target && m->exec_added >= max / 16) {
		squeeze_history(m);
		if (model__memory(m) > target)
			squeeze_argv(m);
		m->exec_added = 0;
	}
	if (model__memory(m) < before)
		malloc_trim(0);
	return model__memory(m) + more <= max;
}

/* Room for `more` bytes under the cap, made by forgetting if need be. */
static bool room(struct model *m, size_t more)
{
	return model__memory(m) + more <= m->cfg.max_bytes || reclaim(m, more);
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

/*
 * Rebuilt without the removed entries' marks: at the same size when they
 * were most of it (processes come and go: the index would otherwise double
 * with every cap/2 processes ever seen), else twice the size.
 */
static int index_grow(struct model *m)
{
	__u32 cap = !m->index_cap ? 1024 : m->live * 4 < m->index_cap ? m->index_cap : m->index_cap * 2;
	__u32 *idx;

	if (cap > m->index_cap && !room(m, (size_t)(cap - m->index_cap) * sizeof(*idx)))
		return -ENOMEM;
	idx = calloc(cap, sizeof(*idx));
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

/* ---- credentials, interned ---- */

static __u32 creds_hash(const struct pl_creds *c)
{
	const unsigned char *b = (const unsigned char *)c;
	__u32 h = 2166136261u;

	for (size_t i = 0; i < sizeof(*c); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static int creds_index_grow(struct model *m)
{
	__u32 cap = m->creds_index_cap ? m->creds_index_cap * 2 : 64;
	__u32 *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (__u32 r = 1; r < m->ncreds; r++) {
		__u32 i;

		if (!m->creds[r].refs)
			continue;
		for (i = m->creds[r].hash & (cap - 1); idx[i]; i = (i + 1) & (cap - 1))
			;
		idx[i] = r;
	}
	free(m->creds_index);
	m->creds_index = idx;
	m->creds_index_cap = cap;
	return 0;
}

/* A new entry's place: a freed one, or one more (0: out of memory). */
static __u32 creds_slot(struct model *m)
{
	if (m->nfree_creds)
		return m->creds_free[--m->nfree_creds];
	if (!m->ncreds)
		m->ncreds = 1;
	if (m->ncreds >= m->capcreds) {
		__u32 cap = m->capcreds ? m->capcreds * 2 : 64;
		struct cred_entry *n = realloc(m->creds, (size_t)cap * sizeof(*n));

		if (!n)
			return 0;
		m->creds = n;
		m->capcreds = cap;
	}
	return m->ncreds++;
}

/* A reference to set c, kept once: 0 when out of memory. */
static __u32 creds_intern(struct model *m, const struct pl_creds *c)
{
	__u32 h = creds_hash(c), i, r;

	if ((m->ncreds + 1) * 2 > m->creds_index_cap && creds_index_grow(m))
		return 0;
	for (i = h & (m->creds_index_cap - 1); (r = m->creds_index[i]); i = (i + 1) & (m->creds_index_cap - 1)) {
		if (m->creds[r].hash == h && m->creds[r].refs && !memcmp(&m->creds[r].c, c, sizeof(*c))) {
			m->creds[r].refs++;
			return r;
		}
	}
	r = creds_slot(m);
	if (!r)
		return 0;
	m->creds[r] = (struct cred_entry){ .c = *c, .refs = 1, .hash = h };
	m->creds_index[i] = r;
	return r;
}

/* Drops a reference; the last one frees the entry (its index rebuilt: entries are few). */
static void creds_put(struct model *m, __u32 r)
{
	if (!r || r >= m->ncreds || !m->creds[r].refs || --m->creds[r].refs)
		return;
	if (m->nfree_creds == m->capfree_creds) {
		__u32 cap = m->capfree_creds ? m->capfree_creds * 2 : 64;
		__u32 *n = realloc(m->creds_free, (size_t)cap * sizeof(*n));

		if (!n)
			return; /* the entry stays, unused */
		m->creds_free = n;
		m->capfree_creds = cap;
	}
	m->creds_free[m->nfree_creds++] = r;
	for (__u32 i = m->creds[r].hash & (m->creds_index_cap - 1); m->creds_index[i];
	     i = (i + 1) & (m->creds_index_cap - 1)) {
		__u32 j = (i + 1) & (m->creds_index_cap - 1);

		if (m->creds_index[i] != r)
			continue;
		/* Open addressing: out of its run, and what follows it in the run placed again. */
		m->creds_index[i] = 0;
		for (; m->creds_index[j]; j = (j + 1) & (m->creds_index_cap - 1)) {
			__u32 k = m->creds_index[j], at;

			m->creds_index[j] = 0;
			for (at = m->creds[k].hash & (m->creds_index_cap - 1); m->creds_index[at];
			     at = (at + 1) & (m->creds_index_cap - 1))
				;
			m->creds_index[at] = k;
		}
		break;
	}
}

const struct pl_creds *model__creds(const struct model *m, const struct proc *p)
{
	if (!(p->idflags & PROC_I_CREDS) || !p->creds_ref || p->creds_ref >= m->ncreds)
		return NULL;
	return &m->creds[p->creds_ref].c;
}

/* p's set of credentials is c now (a reference taken); NULL: not known any more. */
static void set_creds(struct model *m, struct proc *p, const struct pl_creds *c)
{
	__u32 r = c ? creds_intern(m, c) : 0;

	creds_put(m, p->creds_ref);
	p->creds_ref = r;
	if (r)
		p->idflags |= PROC_I_CREDS;
	else
		p->idflags &= ~PROC_I_CREDS;
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

/* What a slot takes: its place in the array and in the free list. */
#define SLOT_BYTES (sizeof(struct proc) + sizeof(__u32))

/*
 * The slot array and the free list grown together to cap slots (the free
 * list has room for every slot: releasing one never allocates). The caller
 * made room. 0 or -ENOMEM.
 */
static int slots_grow(struct model *m, __u32 cap)
{
	struct proc *ns;
	__u32 *nf;

	nf = realloc(m->free_slots, (size_t)cap * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	m->free_slots = nf;
	m->capfree = cap;
	ns = realloc(m->slots, (size_t)cap * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	m->slots = ns;
	m->capslots = cap;
	return 0;
}

/*
 * A slot: a free one; else a new one, the array grown by half while that
 * fits under the cap; past it, the oldest reaped process's (forgotten
 * early), or 1024 more if room is made for them. 0 or -ENOMEM.
 */
static int slot_take(struct model *m, __u32 *slot)
{
	__u32 step = m->capslots / 2 ?: 1024;

	if (!m->nfree && m->nslots >= m->capslots) {
		if (model__memory(m) + step * SLOT_BYTES <= m->cfg.max_bytes) {
			slots_grow(m, m->capslots + step);
		} else if (m->reaped_head) {
			reaped_pop(m);
			forgot(m, FORGOT_REAPED, 1);
		} else if (room(m, 1024 * SLOT_BYTES)) {
			slots_grow(m, m->capslots + 1024);
		}
	}
	if (!m->nfree && m->nslots >= m->capslots)
		return -ENOMEM;
	*slot = m->nfree ? m->free_slots[--m->nfree] : m->nslots++;
	return 0;
}

/* A new process in the model, or NULL (counted) when the cap leaves no room for it. */
static struct proc *proc_new(struct model *m, __u32 pid, __u64 start_ns)
{
	__u32 slot = 0;
	struct proc *p;

	if (slot_take(m, &slot) || index_insert(m, pid, slot)) {
		if (slot) { /* back to the free list, which has room for every slot */
			memset(&m->slots[slot], 0, sizeof(m->slots[slot]));
			m->free_slots[m->nfree++] = slot;
		}
		forgot(m, FORGOT_PROCESS, 1);
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
	free_execs(m, &m->slots[slot]);
	set_creds(m, &m->slots[slot], NULL);
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
	m->reaped_bytes += execs_chunk(p);
	p->next_sibling = 0;
	if (m->reaped_tail)
		m->slots[m->reaped_tail].next_sibling = slot;
	else
		m->reaped_head = slot;
	m->reaped_tail = slot;
}

/* p ended unseen (lost events; its pid is another process's now): how, no one knows. */
static void retire_unseen(struct model *m, struct proc *p, __u64 ts)
{
	if (p->state < PROC_ZOMBIE)
		p->status = PL_STATUS_UNKNOWN;
	retire(m, p, ts, 0);
}

/* The entry of a zombie still waiting for its zombie event (model__tick() drops the others as it goes). */
static bool zq_waiting(const struct model *m, const struct zq_entry *z)
{
	const struct proc *p = model__slot(m, z->slot);

	return p && p->pid == z->pid && p->start_ns == z->start_ns && p->state == PROC_ZOMBIE &&
	       !(p->flags & PROC_F_ZOMBIE_SEEN);
}

/*
 * The queue full: without room for twice as many, only the zombies still
 * waiting are kept (the others, reaped in a burst behind a young one,
 * would have gone at its tick). False when it is still full: that
 * zombie gets no zombie event (counted).
 */
static bool zq_grow(struct model *m)
{
	size_t cap = m->zq_cap ? m->zq_cap * 2 : 256, n = 0;
	struct zq_entry *nz = room(m, (cap - m->zq_cap) * sizeof(*nz)) ? malloc(cap * sizeof(*nz)) : NULL;

	if (!nz) {
		for (size_t i = 0; i < m->zq_len; i++) {
			struct zq_entry z = m->zq[(m->zq_head + i) % m->zq_cap];

			if (zq_waiting(m, &z))
				m->zq[(m->zq_head + n++) % m->zq_cap] = z;
		}
		m->zq_len = n;
		return n < m->zq_cap;
	}
	for (size_t i = 0; i < m->zq_len; i++)
		nz[i] = m->zq[(m->zq_head + i) % m->zq_cap];
	free(m->zq);
	m->zq = nz;
	m->zq_cap = cap;
	m->zq_head = 0;
	return true;
}

static void zq_push(struct model *m, const struct proc *p)
{
	if (m->zq_len == m->zq_cap && !zq_grow(m)) {
		forgot(m, FORGOT_PROCESS, 1); /* no zombie event for it */
		return;
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
 * Who p is, as header h says (its leader's: the process's ids): its ids
 * always; since format 2.0 also the rest. Ids that differ from the set the
 * model held mean a change it did not see: only the ids are known then.
 */
static void learn_identity(struct model *m, struct proc *p, const struct pl_hdr *h)
{
	const struct pl_creds *c = model__creds(m, p);

	if (h->flags & PL_F_NO_IDENTITY) {
		/* A 1.x event: the real ids only. */
		if (p->uid != h->uid || p->gid != h->gid)
			p->idflags &= ~PROC_I_IDS;
		if (c && (c->uid != h->uid || c->gid != h->gid))
			set_creds(m, p, NULL);
		p->uid = h->uid;
		p->gid = h->gid;
		return;
	}
	if (c && (c->uid != h->uid || c->euid != h->euid || c->gid != h->gid || c->egid != h->egid))
		set_creds(m, p, NULL);
	p->uid = h->uid;
	p->euid = h->euid;
	p->gid = h->gid;
	p->egid = h->egid;
	p->auid = h->auid;
	p->session = h->session;
	p->tty = h->tty;
	p->idflags |= PROC_I_IDS | PROC_I_IDENTITY;
}

/* The whole set c, as an exec or a cred event said it. */
static void learn_creds(struct model *m, struct proc *p, const struct pl_creds *c)
{
	set_creds(m, p, c);
	p->uid = c->uid;
	p->euid = c->euid;
	p->gid = c->gid;
	p->egid = c->egid;
	p->idflags |= PROC_I_IDS;
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
		retire_unseen(m, p, h->ts);
		p = NULL;
	}
	if (!p) {
		p = proc_new(m, h->pid, h->start_ns);
		if (!p)
			return NULL;
		learn_identity(m, p, h);
		take_cgroups(p, h);
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
		learn_identity(m, p, h);
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
		retire_unseen(m, c, e->h.ts);
	__u32 parent_slot = model__slot_of(m, parent);

	c = proc_new(m, e->child_pid, e->child_start_ns);
	if (!c)
		return;
	parent = model__slot(m, parent_slot); /* slots may have moved */
	if (ppid != e->h.pid)
		parent = model__find(m, ppid); /* CLONE_PARENT: the caller's parent */
	c->state_ts = e->h.ts;
	take_cgroups(c, &e->h); /* born where its parent is */
	memcpy(c->comm, e->h.comm, PL_COMM_LEN);
	/* A child is who its parent was when it forked (the header: the caller's). */
	{
		struct proc *caller = model__slot(m, parent_slot);

		if (caller && caller->pid == e->h.pid) {
			c->idflags = caller->idflags & (PROC_I_IDS | PROC_I_IDENTITY | PROC_I_SETID | PROC_I_EXECD);
			c->euid = caller->euid;
			c->gid = caller->gid;
			c->egid = caller->egid;
			c->auid = caller->auid;
			c->session = caller->session;
			c->tty = caller->tty;
			set_creds(m, c, model__creds(m, caller));
		}
	}
	learn_identity(m, c, &e->h);
	if (parent && (parent->flags & PROC_F_KTHREAD))
		c->flags |= PROC_F_KTHREAD;
	link_to(m, c, parent, ppid);
}

/* Bytes of p's execs between its newest and its first. */
static size_t history_between(const struct proc *p)
{
	size_t n = 0;

	for (const struct proc_exec *x = p->execs->older; x && x->older; x = x->older)
		n += exec_chunk(x);
	return n;
}

/*
 * Keep the first exec and the newest ones: the second oldest goes while
 * there are more than max_execs, or more than history_bytes between the
 * first and the newest.
 */
static void trim_history(struct model *m, struct proc *p)
{
	while (p->nr_execs > 2 && (p->nr_execs > m->cfg.max_execs || history_between(p) > m->cfg.history_bytes)) {
		struct proc_exec **pp = &p->execs, *x;

		while ((*pp)->older && (*pp)->older->older)
			pp = &(*pp)->older;
		x = *pp;
		*pp = x->older;
		exec_free(m, x);
		p->nr_execs--;
	}
}

/*
 * Prepend an exec to p's chain: filename (NUL included) then args. Without
 * room for it whole, cut (MODEL_SQUEEZED_BYTES each); without room even
 * then, not kept, and the older ones dropped too: they are not what it runs.
 */
static void add_exec(struct model *m, struct proc *p, __u64 ts, const char *filename, __u32 filename_len,
		     const char *args, __u32 args_len, __u32 argc, bool truncated)
{
	struct proc_exec *x;
	bool cut = false;

	if (!filename_len)
		return;
	if (!room(m, chunk(sizeof(*x) + filename_len + args_len))) {
		cut = filename_len > MODEL_SQUEEZED_BYTES || args_len > MODEL_SQUEEZED_BYTES;
		if (filename_len > MODEL_SQUEEZED_BYTES)
			filename_len = MODEL_SQUEEZED_BYTES;
		if (args_len > MODEL_SQUEEZED_BYTES)
			args_len = MODEL_SQUEEZED_BYTES;
		if (!cut || !room(m, chunk(sizeof(*x) + filename_len + args_len))) {
			forgot(m, FORGOT_EXEC, 1 + p->nr_execs);
			free_execs(m, p);
			return;
		}
	}
	x = malloc(sizeof(*x) + filename_len + args_len);
	if (!x)
		return;
	x->ts = ts;
	x->argc = argc;
	x->filename_len = filename_len;
	x->args_len = args_len;
	x->truncated = truncated || cut;
	memcpy(x->data, filename, filename_len);
	x->data[filename_len - 1] = '\0';
	memcpy(x->data + filename_len, args, args_len);
	x->older = p->execs;
	p->execs = x;
	m->exec_bytes += exec_chunk(x);
	m->exec_added += exec_chunk(x);
	p->nr_execs++;
	trim_history(m, p);
	if (cut)
		forgot(m, FORGOT_EXEC, 1);
}

static void apply_exec(struct model *m, const struct pl_exec *e)
{
	struct proc *p = touch(m, &e->h);

	if (!p)
		return;
	memcpy(p->comm, e->h.comm, PL_COMM_LEN);
	p->flags &= ~PROC_F_KTHREAD;
	p->idflags &= ~(PROC_I_SETID | PROC_I_EXECD);
	if (!(e->h.flags & PL_F_NO_IDENTITY)) {
		learn_creds(m, p, &e->creds);
		p->idflags |= PROC_I_EXECD | (e->h.flags & PL_F_SETID ? PROC_I_SETID : 0);
	}
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
	/*
	 * The kernel hands its children to new_parent right after this event;
	 * to itself when it is a pid namespace's init: they die with it, its
	 * children still (the kernel's find_child_reaper()). A child that stays
	 * (a hostile recording's new parent) ends the loop, which would not.
	 */
	if ((e->h.flags & PL_F_HAS_CHILDREN) && e->new_parent && e->new_parent != e->h.pid) {
		__u32 slot = model__slot_of(m, p), c;

		while ((c = m->slots[slot].first_child)) {
			reparent(m, &m->slots[c], e->new_parent, e->h.ts);
			if (m->slots[slot].first_child == c)
				break;
		}
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
	case PL_EV_CRED: {
		struct proc *p = touch(m, h);

		if (p)
			learn_creds(m, p, &((const struct pl_cred *)rec)->new);
		break;
	}
	}
}

/* Is id root (0) in new where it was not in old? */
#define BECAME_ROOT(f) (new->f == 0 && old->f != 0)

bool creds__raised(const struct pl_creds *old, const struct pl_creds *new, bool ids_only)
{
	if (BECAME_ROOT(uid) || BECAME_ROOT(euid) || BECAME_ROOT(gid) || BECAME_ROOT(egid))
		return true;
	if (ids_only)
		return false;
	return BECAME_ROOT(suid) || BECAME_ROOT(fsuid) || BECAME_ROOT(sgid) || BECAME_ROOT(fsgid) ||
	       (new->cap_permitted & ~old->cap_permitted) || (new->cap_effective & ~old->cap_effective) ||
	       (new->cap_ambient & ~old->cap_ambient);
}

bool model__cred_fill(const struct model *m, struct pl_cred *e, bool fill_old)
{
	const struct proc *p = model__find(m, e->h.pid);
	const struct pl_creds *known;
	bool ids_only;

	if (!p || !same_identity(p, e->h.start_ns) || !(p->idflags & PROC_I_IDS))
		return true;
	known = model__creds(m, p);
	if (known && !memcmp(known, &e->new, sizeof(e->new)))
		return false;
	if (!(e->cflags & PL_C_OLD_KERNEL) && fill_old) {
		memset(&e->old, 0, sizeof(e->old));
		if (known) {
			e->old = *known;
			e->cflags = PL_C_OLD_MODEL;
		} else {
			e->old.uid = p->uid;
			e->old.euid = p->euid;
			e->old.gid = p->gid;
			e->old.egid = p->egid;
			e->cflags = PL_C_OLD_MODEL | PL_C_OLD_IDS;
		}
	}
	ids_only = e->cflags & PL_C_OLD_IDS;
	if ((e->cflags & (PL_C_OLD_KERNEL | PL_C_OLD_MODEL)) && creds__raised(&e->old, &e->new, ids_only))
		e->h.flags |= PL_F_SETID;
	return true;
}

void model__tick(struct model *m, __u64 now)
{
	while (m->zq_len) {
		struct zq_entry *z = &m->zq[m->zq_head];
		struct proc *p = model__slot(m, z->slot);

		if (zq_waiting(m, z)) {
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
	while (m->reaped_head && m->slots[m->reaped_head].state_ts + m->cfg.retention_ns <= now)
		reaped_pop(m);
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
			retire_unseen(m, p, now);
			rs.removed++;
			p = NULL;
		}
		if (!p) {
			p = proc_new(m, s->pid, s->start_ns);
			if (!p)
				continue;
			p->flags = PROC_F_SCANNED | PROC_F_START_TICKS | (s->kthread ? PROC_F_KTHREAD : 0);
			p->uid = s->uid;
			p->auid = s->auid;
			p->session = s->session;
			p->tty = s->tty;
			if (s->has_creds) {
				learn_creds(m, p, &s->creds);
				p->idflags |= PROC_I_IDENTITY;
			}
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
			retire_unseen(m, p, now);
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
