// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/ctnamer.h"

struct ct_entry {
	struct ct_entry *next;
	struct ct_match match;
	struct ct_info info;
	enum ct_state state;
	int tries, eager;
	__u64 next_try_ns;
	size_t keylen;
	char key[]; /* the container's own cgroup path (the match's root), then owner uid */
};

#define NBUCKETS 1024

int ct_namer__init(struct ct_namer *n, const char *root)
{
	memset(n, 0, sizeof(*n));
	ctstate__env_init(&n->env, root);
	n->nbuckets = NBUCKETS;
	n->buckets = calloc(n->nbuckets, sizeof(*n->buckets));
	return n->buckets ? 0 : -ENOMEM;
}

static void drop_all(struct ct_namer *n)
{
	for (size_t i = 0; i < n->nbuckets; i++) {
		struct ct_entry *e = n->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
		n->buckets[i] = NULL;
	}
	n->count = 0;
}

void ct_namer__free(struct ct_namer *n)
{
	if (n->buckets)
		drop_all(n);
	free(n->buckets);
	n->buckets = NULL;
}

static size_t hash(const char *s, size_t len)
{
	size_t h = 14695981039346656037ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void try_naming(struct ct_namer *n, struct ct_entry *e, __u64 now_ns)
{
	n->namings++;
	e->state = ctstate__name(&n->env, &e->match, now_ns, &e->info);
	e->tries++;
	e->next_try_ns = now_ns + (CT_RETRY_FIRST_NS << (e->tries - 1));
}

static bool due(const struct ct_entry *e, __u64 now_ns)
{
	return e->state != CT_STATE_NAMED && e->tries < CT_TRIES && now_ns >= e->next_try_ns;
}

/* The entry of path's container, made (and named a first time) if new; NULL for the host's or out of memory. */
static struct ct_entry *entry(struct ct_namer *n, const char *path, __u64 now_ns, bool *fresh)
{
	struct ct_match m;
	struct ct_entry *e;
	size_t h, keylen;

	*fresh = false;
	if (containers__match(path, &m) <= 0)
		return NULL;
	keylen = m.root_len;
	h = hash(path, keylen) ^ (size_t)m.owner_uid;
	for (e = n->buckets[h % n->nbuckets]; e; e = e->next)
		if (e->keylen == keylen && e->match.owner_uid == m.owner_uid && !memcmp(e->key, path, keylen))
			break;
	if (!e) {
		if (n->count >= CT_NAMER_MAX)
			drop_all(n); /* rare: a host with more containers than that names them again */
		e = calloc(1, sizeof(*e) + keylen + 1);
		if (!e)
			return NULL;
		memcpy(e->key, path, keylen);
		e->keylen = keylen;
		e->match = m;
		try_naming(n, e, now_ns);
		e->next = n->buckets[h % n->nbuckets];
		n->buckets[h % n->nbuckets] = e;
		n->count++;
		*fresh = true;
	}
	return e;
}

static const struct ct_info *answer(const struct ct_entry *e, enum ct_state *state)
{
	if (state)
		*state = e ? e->state : CT_STATE_NOT_FOUND;
	return !e || e->state == CT_STATE_NOT_FOUND ? NULL : &e->info;
}

const struct ct_info *ct_namer__lookup(struct ct_namer *n, const char *path, __u64 now_ns, enum ct_state *state)
{
	bool fresh;
	struct ct_entry *e = entry(n, path, now_ns, &fresh);

	if (e && !fresh && due(e, now_ns))
		try_naming(n, e, now_ns);
	return answer(e, state);
}

const struct ct_info *ct_namer__refresh(struct ct_namer *n, const char *path, __u64 now_ns, enum ct_state *state)
{
	bool fresh;
	struct ct_entry *e = entry(n, path, now_ns, &fresh);

	if (e && !fresh && e->state != CT_STATE_NAMED && e->eager < CT_EAGER_TRIES) {
		e->eager++;
		n->namings++;
		e->state = ctstate__name(&n->env, &e->match, now_ns, &e->info);
	}
	return answer(e, state);
}

int ct_namer__retry(struct ct_namer *n, __u64 now_ns,
		    void (*fn)(void *ctx, const char *cgroup, const struct ct_info *ci), void *ctx)
{
	int named = 0;

	for (size_t i = 0; i < n->nbuckets; i++) {
		for (struct ct_entry *e = n->buckets[i]; e; e = e->next) {
			if (!due(e, now_ns))
				continue;
			try_naming(n, e, now_ns);
			if (e->state != CT_STATE_NAMED)
				continue;
			named++;
			if (fn)
				fn(ctx, e->key, &e->info);
		}
	}
	return named;
}
