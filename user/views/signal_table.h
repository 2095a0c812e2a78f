/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * `proclife signals`: signal events aggregated into rows (who sent which
 * signal to whom, how, what became of it), each with its count and its
 * first and last time; printed as a table or one JSON document.
 */
#ifndef PROCLIFE_SIGNAL_TABLE_H
#define PROCLIFE_SIGNAL_TABLE_H

#include <linux/types.h>
#include <stddef.h>

#include "proclife.h"
#include "base/outbuf.h"
#include "base/wallclock.h"
#include "model/ctreg.h"

enum signal_sort { SIGNAL_SORT_COUNT, SIGNAL_SORT_TIME, SIGNAL_SORT_SIGNAL, SIGNAL_SORT_SENDER, SIGNAL_SORT_TARGET };

/* One row: everything but the count and times is the key. */
struct signal_row {
	__u32 sender_pid, sender_uid, target_pid;
	/* Who the sender is (pl_hdr since format 2.0): known, effective uid, login uid, session, tty. */
	__u32 sender_known, sender_euid, sender_auid, sender_session, sender_tty;
	__s32 target_arg, sig, err;
	__u16 syscall;
	__u8 result, disposition, blocked, info_kind;
	__s32 info_code;
	char sender_comm[PL_COMM_LEN], target_comm[PL_COMM_LEN];
	/* not key: */
	__u64 count, first, last;
	/* Where sender and target were at the first (cgroup ids, v2 and v1; the target's as the model had them). */
	__u64 sender_cg2, sender_cg1, target_cg2, target_cg1;
};

struct signal_table {
	struct signal_row *rows;
	size_t n, cap;
	__u32 *index; /* row + 1, 0 empty */
	size_t index_cap;
	struct ctreg *ct; /* the session's cgroups and containers: each side's container (NULL: none) */
};

/*
 * Counts a checked signal record in its row (a new row when it is the
 * first of its kind); the target's cgroups as the model has them (0, 0:
 * not known).
 */
void signal_table__add(struct signal_table *t, const struct pl_signal *e, __u64 target_cg2, __u64 target_cg1);
/* Orders the rows (ties: the earlier first). */
void signal_table__sort(struct signal_table *t, enum signal_sort by);
/* lost: PL_EV_MAX counts; any loss is said, as the summary may be incomplete. */
void signal_table__text(const struct signal_table *t, struct outbuf *ob, const __u64 *lost);
void signal_table__json(const struct signal_table *t, struct outbuf *ob, const struct wallclock *wc,
			const __u64 *lost);
void signal_table__free(struct signal_table *t);

#endif
