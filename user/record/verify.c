// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Verifying recordings and sets of pieces (record/verify.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record/verify.h"

static const __u8 zero_id[CHAIN_ID_LEN];

/* Every record read and checked, to the end or the first damage. */
static void read_all(struct rec_reader *r, struct rec_check *c)
{
	struct rec_item it;
	int e;

	while ((e = rec_reader__next(r, &it)) > 0)
		if (it.ts > c->last_ts && it.kind != REC_SNAP_PROC)
			c->last_ts = it.ts;
	c->offset = rec_reader__offset(r);
	c->blocks = rec_reader__blocks(r);
	c->chained = rec_reader__chain(r, c->end_chain);
	if (e < 0) {
		c->verdict = rec_reader__torn(r) ? REC_CUT : REC_ALTERED;
		snprintf(c->why, sizeof(c->why), "%s", rec_reader__error(r));
	} else if (!rec_reader__complete(r)) {
		c->verdict = REC_CUT;
		snprintf(c->why, sizeof(c->why), "offset %llu: the file ends without its end mark",
			 (unsigned long long)c->offset);
	} else {
		c->verdict = REC_WHOLE;
	}
}

/* Does the file start as a recording does? (Then a header that fails its checks was changed.) */
static bool has_magic(const char *path)
{
	char magic[REC_MAGIC_LEN];
	FILE *f = fopen(path, "re");
	bool yes = f && fread(magic, 1, sizeof(magic), f) == sizeof(magic) && !memcmp(magic, REC_MAGIC, sizeof(magic));

	if (f)
		fclose(f);
	return yes;
}

void rec_verify__file(const char *path, const struct seal_key *k, struct rec_check *c)
{
	struct rec_reader *r = NULL;
	struct stat st;
	int e;

	*c = (struct rec_check){ .path = path };
	e = rec_reader__open(path, &r, c->why, sizeof(c->why));
	if (e < 0) {
		/* A recording whose header fails its checks was damaged or changed; anything else is no recording. */
		c->verdict = (e == -EBADMSG || e == -EPROTONOSUPPORT) && has_magic(path) ? REC_ALTERED : REC_UNREADABLE;
		return;
	}
	c->hdr = *rec_reader__header(r);
	c->last_ts = c->hdr.start_ns;
	if (stat(path, &st) == 0)
		c->size = st.st_size;
	if (k)
		rec_reader__set_key(r, k);
	read_all(r, c);
	rec_reader__free(r);
	c->seal_checked = k && c->chained && c->hdr.seal == REC_SEAL_HMAC_SHA256 && c->verdict <= REC_CUT;
	/* The reader checks the key's id at the first block: a file without one is held to it here. */
	if (c->seal_checked && !c->blocks && !chain__equal(c->hdr.key_id, k->id, SEAL_KEY_ID_LEN)) {
		c->seal_checked = false;
		c->verdict = REC_ALTERED;
		snprintf(c->why, sizeof(c->why), "offset %zu: sealed with another key", offsetof(struct rec_file_hdr, key_id));
	}
	if (k && (!c->chained || c->hdr.seal != REC_SEAL_HMAC_SHA256) && c->verdict < REC_UNSEALED) {
		c->verdict = REC_UNSEALED;
		snprintf(c->why, sizeof(c->why), "%s", c->chained ? "not sealed (recorded without --seal-key)"
								 : "format 1.x: not sealed, no chain");
	}
}

static bool has_header(const struct rec_check *c)
{
	return c->verdict != REC_UNREADABLE && c->hdr.major;
}

/* Recording order, as a replay plays the pieces: start time, then seq; unreadable files last, as given. */
static int by_start(const void *a, const void *b)
{
	const struct rec_check *x = a, *y = b;

	if (has_header(x) != has_header(y))
		return has_header(x) ? -1 : 1;
	if (!has_header(x))
		return 0;
	if (x->hdr.start_ns != y->hdr.start_ns)
		return x->hdr.start_ns < y->hdr.start_ns ? -1 : 1;
	return x->hdr.seq < y->hdr.seq ? -1 : x->hdr.seq > y->hdr.seq;
}

/* The piece of the set whose id is id, or -1. */
static long find_id(const struct rec_check *v, size_t n, const __u8 *id)
{
	for (size_t i = 0; i < n; i++)
		if (has_header(&v[i]) && v[i].chained && !memcmp(v[i].hdr.file_id, id, CHAIN_ID_LEN))
			return i;
	return -1;
}

/* How piece i stands to the piece it says it continues. */
static void link_piece(struct rec_check *v, size_t n, size_t i)
{
	struct rec_check *c = &v[i];
	long p;

	if (!c->chained || (i && !v[i - 1].chained)) {
		c->link = i ? REC_LINK_UNCHAINED : REC_LINK_FIRST;
		c->prev = i ? i - 1 : 0;
		return;
	}
	if (!memcmp(c->hdr.prev_file_id, zero_id, CHAIN_ID_LEN)) {
		c->link = i ? REC_LINK_NEW : REC_LINK_FIRST;
		return;
	}
	p = find_id(v, n, c->hdr.prev_file_id);
	if (p < 0) {
		c->link = i ? REC_LINK_MISSING : REC_LINK_EARLIER;
		return;
	}
	c->prev = p;
	c->link = chain__equal(c->hdr.prev_chain, v[p].end_chain, CHAIN_HASH_LEN) ? REC_LINK_CONTINUES
										    : REC_LINK_BROKEN;
}

void rec_verify__set(struct rec_check *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_start);
	for (size_t i = 0; i < n; i++)
		if (has_header(&v[i]))
			link_piece(v, n, i);
}

enum rec_verdict rec_verify__worst(const struct rec_check *v, size_t n)
{
	enum rec_verdict w = REC_WHOLE;

	for (size_t i = 0; i < n; i++) {
		enum rec_verdict x = v[i].verdict;

		if (v[i].link == REC_LINK_MISSING || v[i].link == REC_LINK_BROKEN)
			x = x > REC_ALTERED ? x : REC_ALTERED;
		if (x > w)
			w = x;
	}
	return w;
}
