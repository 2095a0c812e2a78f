/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Is a recording (a file, or the pieces of a rotated one) what its recorder
 * wrote? Each file is read to its end as a replay reads it (every CRC, every
 * record, the chain of its blocks and, given the key, their seals), and the
 * pieces are put in order and held to each other: each continues the one
 * before it from where that one ends (docs/RECORDING.md, "The chain and the
 * seal"). `proclife verify` says the result.
 */
#ifndef PROCLIFE_VERIFY_H
#define PROCLIFE_VERIFY_H

#include "record/recording.h"

/* What a file is, worst last: verify's exit status is the worst one's. */
enum rec_verdict {
	REC_WHOLE,      /* read to its end mark, every check held */
	REC_CUT,        /* it ends early (torn, or without its end mark): what is there is whole */
	REC_UNSEALED,   /* a key was given and the file is not sealed: nothing vouches for it */
	REC_ALTERED,    /* a check failed at offset: damage, or someone changed it */
	REC_UNREADABLE, /* not a recording, or it cannot be opened */
};

/* How a piece stands to the piece before it in the set. */
enum rec_link {
	REC_LINK_FIRST,       /* the earliest given; it starts a recording (no piece before it) */
	REC_LINK_EARLIER,     /* the earliest given; it continues a piece not given (rotated away?) */
	REC_LINK_CONTINUES,   /* it continues the piece before it from where that one ends */
	REC_LINK_NEW,         /* it starts a recording of its own (not a rotation or a restart) */
	REC_LINK_MISSING,     /* it continues a piece that is not in the set: one is missing */
	REC_LINK_BROKEN,      /* it continues the piece before it from a point that piece does not end at */
	REC_LINK_UNCHAINED,   /* format 1.x (it or the one before it): no chain to hold them to */
};

struct rec_check {
	const char *path;
	enum rec_verdict verdict;
	char why[320];          /* what the reader said, for cut, altered and unreadable */
	__u64 offset;           /* where reading stopped (the end, or the damage) */
	__u64 size, blocks;     /* of the file; blocks read whole */
	bool chained;           /* format 2.0 on */
	bool seal_checked;      /* sealed, and every seal checked with the key given */
	struct rec_file_hdr hdr;
	__u8 end_chain[CHAIN_HASH_LEN]; /* the chain after its last whole block */
	__u64 last_ts;          /* the latest time of a record in it */
	/* in the set (rec_verify__set()) */
	enum rec_link link;
	size_t prev;            /* the piece it continues (REC_LINK_CONTINUES, _BROKEN): an index */
};

/* Reads path to its end (with k: every seal checked too; NULL: none) into c. */
void rec_verify__file(const char *path, const struct seal_key *k, struct rec_check *c);
/* Puts the n files in the order they were recorded and holds each to the one before it. */
void rec_verify__set(struct rec_check *v, size_t n);
/* The worst of the set: the verdicts, and a missing or broken link as REC_ALTERED. */
enum rec_verdict rec_verify__worst(const struct rec_check *v, size_t n);

#endif
