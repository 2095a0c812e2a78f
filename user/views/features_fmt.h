/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* `proclife features`: what this kernel lets proclife trace, as a table or one JSON document. */
#ifndef PROCLIFE_FEATURES_FMT_H
#define PROCLIFE_FEATURES_FMT_H

#include <stdbool.h>

#include "base/outbuf.h"
#include "kernel/kfeatures.h"

struct features_report {
	const char *release, *version; /* uname's */
	bool btf, ringbuf;
	const struct kfeature_status *st; /* KF_MAX of them; NULL when nothing could be loaded */
	const char *fatal;                /* why proclife cannot trace here, or NULL */
	bool verbose;                     /* with each refused program's verifier log */
};

void features_fmt__text(struct outbuf *ob, const struct features_report *r);
void features_fmt__json(struct outbuf *ob, const struct features_report *r);

#endif
