/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * `proclife life --json`: one JSON document, an array with an object per
 * life of the pid. Nothing is cut: argv and filenames are whole, times are
 * RFC 3339 to the nanosecond, and what is not known is null.
 */
#ifndef PROCLIFE_LIFE_JSON_H
#define PROCLIFE_LIFE_JSON_H

#include "base/outbuf.h"
#include "base/wallclock.h"
#include "model/ctreg.h"
#include "views/life.h"

/* The array and a newline after it. */
/* ct: the recording's cgroups and containers (each life's container, signals across them); NULL: none. */
void life_json__print(struct outbuf *ob, const struct life_set *s, const struct wallclock *wc, struct ctreg *ct);

#endif
