/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Growing an array by doubling: the one place that does it. */
#ifndef PROCLIFE_VEC_H
#define PROCLIFE_VEC_H

#include <errno.h>
#include <stdlib.h>

/*
 * Make room for index n in *v (elements of elem bytes, *cap of them now),
 * doubling from min. Returns 0, or -ENOMEM with *v untouched.
 */
static inline int vec__reserve(void **v, size_t *cap, size_t n, size_t elem, size_t min)
{
	size_t c = *cap ? *cap : min;
	void *nv;

	if (n < *cap)
		return 0;
	while (c <= n)
		c *= 2;
	nv = realloc(*v, c * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

/* Append x to the array v (n used, cap allocated); false when out of memory. */
#define VEC_PUSH(v, n, cap, x) \
	(vec__reserve((void **)&(v), &(cap), (n), sizeof(*(v)), 16) == 0 ? ((v)[(n)++] = (x), true) : false)

#endif
