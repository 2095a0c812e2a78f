// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>

#include "base/outbuf.h"
#include "views/session_summary.h"
#include "cmd/say.h"

void say__summary(const struct live *l, const __u64 *derived)
{
	struct outbuf ob;

	if (outbuf__init(&ob, -1, 512) < 0) {
		fprintf(stderr, "proclife: the summary: out of memory\n");
		return;
	}
	session_summary__of(&ob, l, derived);
	fprintf(stderr, "proclife: %s\n", ob.err ? "the summary: out of memory" : outbuf__cstr(&ob));
	outbuf__free(&ob);
}
