/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a session saw, in one line, for the end of a stream command:
 * "N events seen (fork N, ...), [N derived (stop N, ...), ]N lost[ (exec N,
 * ...)][, N malformed]", and for a session, when there were any,
 * "[, N forgotten (reaped N, exec N, process N: --max-memory)][, N zombies
 * untracked (the kernel's table was full)]". The command prints it
 * (cmd/say.h); this only writes the text.
 */
#ifndef PROCLIFE_SESSION_SUMMARY_H
#define PROCLIFE_SESSION_SUMMARY_H

#include <linux/types.h>

#include "base/outbuf.h"
#include "session/live.h"

/*
 * seen, lost: PL_EV_MAX counts each (live__seen(), live__lost()); derived:
 * DV_MAX counts, or NULL to leave that part out.
 */
void session_summary__text(struct outbuf *ob, const __u64 *seen, const __u64 *lost, __u64 malformed,
			   const __u64 *derived);
/* What the model forgot (FORGOT_MAX counts, or NULL) and the untracked zombies, when any: ", N forgotten ...". */
void session_summary__memory(struct outbuf *ob, const __u64 *forgot, __u64 untracked);
/* The whole line for a live session. */
void session_summary__of(struct outbuf *ob, const struct live *l, const __u64 *derived);

#endif
