// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include "base/backoff.h"

void backoff__init(struct backoff *b, __u64 min_ns, __u64 max_ns)
{
	*b = (struct backoff){ .min_ns = min_ns, .max_ns = max_ns, .interval_ns = min_ns };
}

bool backoff__due(struct backoff *b, __u64 now, bool trouble)
{
	bool quiet = !b->runs || now - b->last_ns >= b->interval_ns;

	if (!trouble && !b->pending) {
		if (quiet)
			b->interval_ns = b->min_ns; /* a whole interval without trouble */
		return false;
	}
	if (!b->pending && quiet) {
		b->interval_ns = b->min_ns; /* the first trouble after a quiet spell: at once */
	} else {
		b->pending = true;
		if (!quiet)
			return false; /* held back */
		/* It went on through a whole interval: now, and the next one twice as long. */
		b->interval_ns = b->interval_ns * 2 < b->max_ns ? b->interval_ns * 2 : b->max_ns;
	}
	b->pending = false;
	b->last_ns = now;
	b->runs++;
	return true;
}

__u64 backoff__holding_ns(const struct backoff *b)
{
	return b->interval_ns > b->min_ns ? b->interval_ns : 0;
}
