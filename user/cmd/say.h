/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What the stream commands say on stderr besides errors. */
#ifndef PROCLIFE_CMD_SAY_H
#define PROCLIFE_CMD_SAY_H

#include <linux/types.h>

struct live;

/*
 * At the end: "proclife: N events seen (...), ... lost" (views/session_summary.h).
 * derived: DV_MAX counts, or NULL to leave that part out.
 */
void say__summary(const struct live *l, const __u64 *derived);

#endif
