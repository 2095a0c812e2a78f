// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>

#include "base/pidset.h"

#define PIDSET_GONE 0xffffffffu

static size_t slot_of(__u32 pid, size_t cap)
{
	return (pid * 2654435761u) & (cap - 1);
}

static int grow(struct pidset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	__u32 *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		__u32 p = s->slots[i];
		size_t j;

		if (p == 0 || p == PIDSET_GONE)
			continue;
		for (j = slot_of(p, cap); slots[j]; j = (j + 1) & (cap - 1))
			;
		slots[j] = p;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	s->used = s->count;
	return 0;
}

int pidset__add(struct pidset *s, __u32 pid)
{
	size_t j;

	if (pid == 0 || pid == PIDSET_GONE)
		return -EINVAL;
	if (pidset__has(s, pid))
		return 0;
	if ((s->used + 1) * 4 > s->cap * 3) {
		int r = grow(s);
		if (r)
			return r;
	}
	for (j = slot_of(pid, s->cap); s->slots[j] && s->slots[j] != PIDSET_GONE; j = (j + 1) & (s->cap - 1))
		;
	if (!s->slots[j])
		s->used++;
	s->slots[j] = pid;
	s->count++;
	return 0;
}

static long find(const struct pidset *s, __u32 pid)
{
	if (!s->cap || pid == 0)
		return -1;
	for (size_t j = slot_of(pid, s->cap);; j = (j + 1) & (s->cap - 1)) {
		if (s->slots[j] == pid)
			return j;
		if (!s->slots[j])
			return -1;
	}
}

bool pidset__has(const struct pidset *s, __u32 pid)
{
	return find(s, pid) >= 0;
}

void pidset__del(struct pidset *s, __u32 pid)
{
	long j = find(s, pid);

	if (j < 0)
		return;
	s->slots[j] = PIDSET_GONE;
	s->count--;
}

void pidset__free(struct pidset *s)
{
	if (!s)
		return;
	free(s->slots);
	*s = (struct pidset){};
}
