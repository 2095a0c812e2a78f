/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What makes a recording evidence (docs/RECORDING.md, "The chain and the
 * seal"): each block carries the SHA-256 of what came before it, so that
 * altering, removing or reordering anything breaks the chain at the next
 * block; a rotated piece's header carries the chain at the end of the piece
 * before it; and with a seal key each block carries an HMAC-SHA256 of its
 * hash, which nobody without the key can make.
 *
 * The hashes and MACs are libsodium's (crypto_hash_sha256,
 * crypto_auth_hmacsha256): a well-kept, audited library that links
 * statically in a few hundred KiB.
 */
#ifndef PROCLIFE_CHAIN_H
#define PROCLIFE_CHAIN_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#define CHAIN_HASH_LEN 32  /* SHA-256, HMAC-SHA256 */
#define CHAIN_ID_LEN 16    /* a file's random id */
#define SEAL_KEY_ID_LEN 8  /* what names a seal key in a header */
/* A seal key file holds this many bytes (e.g. `head -c 32 /dev/urandom > KEY`). */
#define SEAL_KEY_MIN 16
#define SEAL_KEY_MAX 1024

struct seal_key {
	unsigned char key[SEAL_KEY_MAX];
	size_t len;
	__u8 id[SEAL_KEY_ID_LEN]; /* HMAC-SHA256(key, "proclife seal key id"), its first bytes */
};

/* SHA-256 of a + b (either may be empty). */
void chain__hash2(const void *a, size_t alen, const void *b, size_t blen, __u8 out[CHAIN_HASH_LEN]);
/* HMAC-SHA256 of a block's hash under the key. */
void chain__seal(const struct seal_key *k, const __u8 hash[CHAIN_HASH_LEN], __u8 mac[CHAIN_HASH_LEN]);
/* a == b, in a time that does not depend on where they differ. */
bool chain__equal(const void *a, const void *b, size_t n);
/* n random bytes (getrandom). 0 or -errno. */
int chain__random(void *buf, size_t n);
/* The first bytes of a hash or id in hex, for messages: "1a2b3c4d5e6f7a8b" (2 * n + 1 bytes of buf). */
const char *chain__hex(const __u8 *p, size_t n, char *buf, size_t size);

/*
 * Reads a seal key from path: a regular file (not a symlink), readable by
 * its owner only, SEAL_KEY_MIN to SEAL_KEY_MAX bytes, used as they are. 0,
 * or -errno with a one-line reason in err.
 */
int seal_key__load(const char *path, struct seal_key *k, char *err, size_t errlen);
/* A key from bytes (tests). 0 or -EINVAL. */
int seal_key__set(struct seal_key *k, const void *key, size_t len);
/* Forget the key (its bytes overwritten). */
void seal_key__wipe(struct seal_key *k);

#endif
