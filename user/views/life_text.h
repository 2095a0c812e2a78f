/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * `proclife life` for people: each life of the pid as a title, a table
 * (TIME, AGE, EVENT, DETAILS) from its birth to how its story ends, and its
 * children one a line. Lives are apart, a blank line between them.
 */
#ifndef PROCLIFE_LIFE_TEXT_H
#define PROCLIFE_LIFE_TEXT_H

#include "base/outbuf.h"
#include "base/wallclock.h"
#include "model/ctreg.h"
#include "views/life.h"

/* ct: the recording's cgroups and containers (each life's container, signals across them); NULL: none. */
void life_text__print(struct outbuf *ob, const struct life_set *s, const struct wallclock *wc, struct ctreg *ct);

#endif
