/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* A set of pids: open addressing, grows, no allocation per lookup. */
#ifndef PROCLIFE_PIDSET_H
#define PROCLIFE_PIDSET_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

struct pidset {
	__u32 *slots;  /* 0: empty, PIDSET_GONE: deleted */
	size_t cap;    /* a power of two */
	size_t used;   /* live + deleted slots */
	size_t count;  /* live */
};

int pidset__add(struct pidset *s, __u32 pid);
bool pidset__has(const struct pidset *s, __u32 pid);
void pidset__del(struct pidset *s, __u32 pid);
void pidset__free(struct pidset *s);

#endif
