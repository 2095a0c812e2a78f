// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The cgroup and container registry (model/ctreg.h): three hash tables,
 * cgroups by (hierarchy, id), containers by their own cgroup, and pairs of
 * ids by (v2 id, v1 id), each pair caching what it resolved to. A pair is
 * worked out again only while it is not settled and something was learnt
 * since (a generation count), so a settled pair costs one look-up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "kernel/cgroups.h"
#include "kernel/containers.h"
#include "model/ctreg.h"

/* A chained hash table of nodes that start with struct hnode; it doubles past one node a bucket. */
struct hnode {
	struct hnode *next;
	size_t hash;
	bool mark; /* the sweep keeps it */
};

struct htab {
	struct hnode **b;
	size_t nb, n;
};

struct cg_entry {
	struct hnode h;
	__u64 id;
	enum ctreg_hier hier;
	char path[];
};

struct ct_node {
	struct hnode h;
	struct ct_ref ref;
	char key[];
};

struct pair {
	struct hnode h;
	__u64 cg2, cg1;
	__u64 gen;       /* the registry's generation it was resolved at */
	struct ct_subject s;
};

struct ctreg {
	struct htab cgroups, containers, pairs;
	struct ct_node **order; /* containers in the order first seen */
	size_t norder, caporder;
	__u32 seq;
	__u64 gen;              /* +1 whenever something is learnt */
	size_t path_bytes;
};

static size_t hash_bytes(const void *p, size_t n, size_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ull; /* FNV-1a */
	return h;
}

static size_t hash_u64s(__u64 a, __u64 b)
{
	return hash_bytes(&b, sizeof(b), hash_bytes(&a, sizeof(a), 14695981039346656037ull));
}

static size_t hash_str(const char *s)
{
	return hash_bytes(s, strlen(s), 14695981039346656037ull);
}

static struct hnode *htab_first(const struct htab *t, size_t hash)
{
	struct hnode *e = t->nb ? t->b[hash % t->nb] : NULL;

	while (e && e->hash != hash)
		e = e->next;
	return e;
}

static struct hnode *htab_next(struct hnode *e)
{
	size_t hash = e->hash;

	for (e = e->next; e && e->hash != hash; e = e->next)
		;
	return e;
}

static int htab_add(struct htab *t, struct hnode *e)
{
	if (t->n >= t->nb) {
		size_t nb = t->nb ? t->nb * 2 : 64;
		struct hnode **b = calloc(nb, sizeof(*b));

		if (!b)
			return -ENOMEM;
		for (size_t i = 0; i < t->nb; i++) {
			for (struct hnode *x = t->b[i], *next; x; x = next) {
				next = x->next;
				x->next = b[x->hash % nb];
				b[x->hash % nb] = x;
			}
		}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	e->next = t->b[e->hash % t->nb];
	t->b[e->hash % t->nb] = e;
	t->n++;
	return 0;
}

/* Frees every node not marked (all of them with all), unmarks the rest; returns how many were freed. */
static size_t htab_sweep(struct htab *t, bool all)
{
	size_t freed = 0;

	for (size_t i = 0; i < t->nb; i++) {
		struct hnode **pp = &t->b[i];

		while (*pp) {
			struct hnode *e = *pp;

			if (e->mark && !all) {
				e->mark = false;
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			free(e);
			freed++;
		}
	}
	t->n -= freed;
	return freed;
}

struct ctreg *ctreg__new(void)
{
	return calloc(1, sizeof(struct ctreg));
}

void ctreg__free(struct ctreg *r)
{
	if (!r)
		return;
	htab_sweep(&r->cgroups, true);
	htab_sweep(&r->containers, true);
	htab_sweep(&r->pairs, true);
	free(r->cgroups.b);
	free(r->containers.b);
	free(r->pairs.b);
	free(r->order);
	free(r);
}

/* ---- cgroups ---- */

static struct cg_entry *cgroup_find(const struct ctreg *r, enum ctreg_hier hier, __u64 id)
{
	for (struct hnode *e = htab_first(&r->cgroups, hash_u64s(hier, id)); e; e = htab_next(e)) {
		struct cg_entry *c = (struct cg_entry *)e;

		if (c->id == id && c->hier == hier)
			return c;
	}
	return NULL;
}

const char *ctreg__path(const struct ctreg *r, enum ctreg_hier hier, __u64 id)
{
	const struct cg_entry *c = cgroup_find(r, hier, id);

	return c ? c->path : NULL;
}

int ctreg__learn_cgroup(struct ctreg *r, enum ctreg_hier hier, __u64 id, const char *path)
{
	size_t n = strlen(path);
	struct cg_entry *c;

	if (path[0] != '/' || n >= CG_PATH_MAX || (hier != CTREG_V2 && hier != CTREG_V1) || !id)
		return -EINVAL;
	/* Ids are not reused within a boot: the first path said is kept (a recording cannot change it). */
	if (cgroup_find(r, hier, id))
		return 0;
	c = malloc(sizeof(*c) + n + 1);
	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->h.hash = hash_u64s(hier, id);
	c->id = id;
	c->hier = hier;
	memcpy(c->path, path, n + 1);
	if (htab_add(&r->cgroups, &c->h)) {
		free(c);
		return -ENOMEM;
	}
	r->path_bytes += n + 1;
	r->gen++;
	return 1;
}

int ctreg__each_cgroup(const struct ctreg *r, int (*fn)(void *ctx, enum ctreg_hier hier, __u64 id, const char *path),
		       void *ctx)
{
	for (size_t i = 0; i < r->cgroups.nb; i++) {
		for (struct hnode *e = r->cgroups.b[i]; e; e = e->next) {
			const struct cg_entry *c = (const struct cg_entry *)e;
			int ret = fn(ctx, c->hier, c->id, c->path);

			if (ret)
				return ret;
		}
	}
	return 0;
}

/* ---- containers ---- */

static struct ct_node *container_find(const struct ctreg *r, const char *key, size_t len)
{
	char k[CG_PATH_MAX];

	if (len >= sizeof(k))
		return NULL;
	memcpy(k, key, len);
	k[len] = '\0';
	for (struct hnode *e = htab_first(&r->containers, hash_str(k)); e; e = htab_next(e)) {
		struct ct_node *c = (struct ct_node *)e;

		if (!strcmp(c->key, k))
			return c;
	}
	return NULL;
}

static struct ct_node *container_add(struct ctreg *r, const char *key, size_t len)
{
	struct ct_node *c = calloc(1, sizeof(*c) + len + 1);

	if (!c)
		return NULL;
	memcpy(c->key, key, len);
	c->h.hash = hash_str(c->key);
	c->ref.cgroup = c->key;
	if (!VEC_PUSH(r->order, r->norder, r->caporder, c)) {
		free(c);
		return NULL;
	}
	if (htab_add(&r->containers, &c->h)) {
		r->norder--;
		free(c);
		return NULL;
	}
	c->ref.seq = ++r->seq;
	r->gen++;
	return c;
}

int ctreg__learn_container(struct ctreg *r, const char *cgroup, const struct ct_info *ci, const struct ct_ref **out)
{
	size_t len = strlen(cgroup);
	struct ct_node *c;

	if (ci->kind != CT_KIND_CONTAINER || cgroup[0] != '/' || len >= CG_PATH_MAX)
		return -EINVAL;
	c = container_find(r, cgroup, len);
	if (!c && !(c = container_add(r, cgroup, len)))
		return -ENOMEM;
	if (out)
		*out = &c->ref;
	if (c->ref.named && !memcmp(&c->ref.info, ci, sizeof(*ci)))
		return 0;
	c->ref.info = *ci;
	c->ref.named = true;
	r->gen++;
	return 1;
}

/* The container of path; *decided false when it may turn out one once told (containerd's). */
static const struct ct_ref *container_of(struct ctreg *r, const char *path, bool *decided)
{
	struct ct_match m;
	struct ct_node *c;

	*decided = true;
	if (containers__match(path, &m) <= 0 || m.kind != CT_KIND_CONTAINER)
		return NULL;
	c = container_find(r, path, m.root_len);
	if (c)
		return &c->ref;
	if (m.confirm) {
		*decided = false; /* containerd's /<namespace>/<id>: a container only once its state says so */
		return NULL;
	}
	c = container_add(r, path, m.root_len);
	if (!c)
		return NULL;
	c->ref.info.runtime = m.runtime;
	c->ref.info.kind = m.kind;
	memcpy(c->ref.info.id, m.id, sizeof(m.id));
	memcpy(c->ref.info.ns, m.ns, sizeof(m.ns));
	memcpy(c->ref.info.pod_uid, m.pod_uid, sizeof(m.pod_uid));
	return &c->ref;
}

const struct ct_ref *ctreg__container_of(struct ctreg *r, const char *path)
{
	bool decided;

	return container_of(r, path, &decided);
}

const struct ct_ref *ctreg__next(const struct ctreg *r, const struct ct_ref *prev)
{
	size_t i = 0;

	if (prev) {
		/* seq orders them: find prev's place from its number (the array is in seq order). */
		size_t lo = 0, hi = r->norder;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (r->order[mid]->ref.seq <= prev->seq)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	}
	return i < r->norder ? &r->order[i]->ref : NULL;
}

/* ---- pairs ---- */

/* Which path identifies the pair: v2 below its root, else v1; v2's root alone where there is no v1. */
static void resolve(struct ctreg *r, struct pair *p)
{
	const char *v2 = p->cg2 ? ctreg__path(r, CTREG_V2, p->cg2) : NULL;
	const char *v1 = p->cg1 ? ctreg__path(r, CTREG_V1, p->cg1) : NULL;
	const char *ident = NULL;
	bool decided = true;

	if (v2 && strcmp(v2, "/"))
		ident = v2;
	else if (v1)
		ident = v1;
	else if (v2 && !p->cg1)
		ident = v2;
	p->s.v2 = v2;
	p->s.v1 = v1;
	p->s.cgroup = ident;
	p->s.ct = ident ? container_of(r, ident, &decided) : NULL;
	p->s.settled = ident && (!p->cg2 || v2) && (!p->cg1 || v1) && decided;
	p->gen = r->gen;
}

static struct pair *pair_find(const struct ctreg *r, __u64 cg2, __u64 cg1)
{
	for (struct hnode *e = htab_first(&r->pairs, hash_u64s(cg2, cg1)); e; e = htab_next(e)) {
		struct pair *p = (struct pair *)e;

		if (p->cg2 == cg2 && p->cg1 == cg1)
			return p;
	}
	return NULL;
}

void ctreg__settle(struct ct_subject *s)
{
	s->settled = true;
}

struct ct_subject *ctreg__subject(struct ctreg *r, __u64 cg2, __u64 cg1)
{
	struct pair *p = pair_find(r, cg2, cg1);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->h.hash = hash_u64s(cg2, cg1);
		p->cg2 = cg2;
		p->cg1 = cg1;
		if (htab_add(&r->pairs, &p->h)) {
			free(p);
			return NULL;
		}
		resolve(r, p);
	} else if (!p->s.settled && p->gen != r->gen) {
		resolve(r, p);
	}
	return &p->s;
}

/* ---- forgetting ---- */

void ctreg__sweep_begin(struct ctreg *r)
{
	/* Marks are cleared by every sweep's end: nothing to do but make sure no old ones stay. */
	for (size_t i = 0; i < r->pairs.nb; i++)
		for (struct hnode *e = r->pairs.b[i]; e; e = e->next)
			e->mark = false;
}

void ctreg__keep(struct ctreg *r, __u64 cg2, __u64 cg1)
{
	const struct ct_subject *s = ctreg__subject(r, cg2, cg1);
	struct pair *p = pair_find(r, cg2, cg1);
	struct cg_entry *c;

	if (!s || !p)
		return;
	p->h.mark = true;
	if (cg2 && (c = cgroup_find(r, CTREG_V2, cg2)))
		c->h.mark = true;
	if (cg1 && (c = cgroup_find(r, CTREG_V1, cg1)))
		c->h.mark = true;
	if (s->ct)
		((struct ct_node *)((char *)s->ct - offsetof(struct ct_node, ref)))->h.mark = true;
}

size_t ctreg__sweep_end(struct ctreg *r)
{
	size_t kept = 0, freed;

	/* The order array first: it points at containers the sweep frees. */
	for (size_t i = 0; i < r->norder; i++)
		if (r->order[i]->h.mark)
			r->order[kept++] = r->order[i];
	r->norder = kept;
	htab_sweep(&r->pairs, false);
	freed = htab_sweep(&r->containers, false) + htab_sweep(&r->cgroups, false);
	r->path_bytes = 0;
	for (size_t i = 0; i < r->cgroups.nb; i++)
		for (struct hnode *e = r->cgroups.b[i]; e; e = e->next)
			r->path_bytes += strlen(((struct cg_entry *)e)->path) + 1;
	r->gen++;
	return freed;
}

void ctreg__stats(const struct ctreg *r, struct ctreg_stats *st)
{
	st->cgroups = r->cgroups.n;
	st->containers = r->containers.n;
	st->pairs = r->pairs.n;
	st->bytes = sizeof(*r) + (r->cgroups.nb + r->containers.nb + r->pairs.nb) * sizeof(void *) +
		    r->cgroups.n * sizeof(struct cg_entry) + r->path_bytes +
		    r->containers.n * (sizeof(struct ct_node) + sizeof(void *)) + r->pairs.n * sizeof(struct pair);
}
