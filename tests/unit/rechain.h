/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A forger's work on a recording in memory (format 2.0): every block's
 * chain hash, seal and header CRC computed again from the file header on,
 * as a writer that knew the format would after changing something. The
 * unit tests use it to change a header or a block and still have a file the
 * chain holds together (or, without a seal, to show that it does).
 */
#ifndef PROCLIFE_RECHAIN_H
#define PROCLIFE_RECHAIN_H

#include <string.h>
#include <zlib.h>

#include "record/recording.h"

/* The blocks chained again (k: sealed with it; NULL: seals zeroed); their count. */
static inline size_t rechain(unsigned char *buf, size_t len, const struct seal_key *k)
{
	const struct rec_file_hdr *h = (const void *)buf;
	__u8 chain[CHAIN_HASH_LEN];
	size_t off = h->hdr_size, n = 0;

	chain__hash2(buf, h->hdr_size, NULL, 0, chain);
	while (off + sizeof(struct rec_block_hdr) <= len) {
		struct rec_block_hdr b;

		memcpy(&b, buf + off, sizeof(b));
		if (off + sizeof(b) + b.payload_len > len)
			break;
		memcpy(b.prev, chain, sizeof(b.prev));
		chain__hash2(&b, offsetof(struct rec_block_hdr, seal), buf + off + sizeof(b), b.payload_len, chain);
		memset(b.seal, 0, sizeof(b.seal));
		if (k)
			chain__seal(k, chain, b.seal);
		b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
		memcpy(buf + off, &b, sizeof(b));
		off += sizeof(b) + b.payload_len;
		n++;
	}
	return n;
}

#endif
