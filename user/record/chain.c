// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Hashes, seals and seal keys of recordings (record/chain.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/chain.h"

/* What a key's id is the MAC of: the id names the key without saying anything of it. */
#define KEY_ID_TEXT "proclife seal key id"

/* libsodium wants sodium_init() before anything else; it is cheap once done, and safe to repeat. */
static void ready(void)
{
	static bool done;

	if (!done && sodium_init() >= 0)
		done = true;
}

void chain__hash2(const void *a, size_t alen, const void *b, size_t blen, __u8 out[CHAIN_HASH_LEN])
{
	crypto_hash_sha256_state st;

	ready();
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, a, alen);
	crypto_hash_sha256_update(&st, b, blen);
	crypto_hash_sha256_final(&st, out);
}

void chain__seal(const struct seal_key *k, const __u8 hash[CHAIN_HASH_LEN], __u8 mac[CHAIN_HASH_LEN])
{
	crypto_auth_hmacsha256_state st;

	ready();
	crypto_auth_hmacsha256_init(&st, k->key, k->len);
	crypto_auth_hmacsha256_update(&st, hash, CHAIN_HASH_LEN);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

bool chain__equal(const void *a, const void *b, size_t n)
{
	ready();
	return sodium_memcmp(a, b, n) == 0;
}

int chain__random(void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = getrandom((char *)buf + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		got += r;
	}
	return 0;
}

const char *chain__hex(const __u8 *p, size_t n, char *buf, size_t size)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && k + 3 <= size; i++)
		k += snprintf(buf + k, size - k, "%02x", p[i]);
	return buf;
}

int seal_key__set(struct seal_key *k, const void *key, size_t len)
{
	__u8 mac[CHAIN_HASH_LEN];
	crypto_auth_hmacsha256_state st;

	if (len < SEAL_KEY_MIN || len > SEAL_KEY_MAX)
		return -EINVAL;
	ready();
	memcpy(k->key, key, len);
	k->len = len;
	crypto_auth_hmacsha256_init(&st, k->key, k->len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)KEY_ID_TEXT, strlen(KEY_ID_TEXT));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	memcpy(k->id, mac, sizeof(k->id));
	return 0;
}

void seal_key__wipe(struct seal_key *k)
{
	ready();
	sodium_memzero(k, sizeof(*k));
}

int seal_key__load(const char *path, struct seal_key *k, char *err, size_t errlen)
{
	unsigned char buf[SEAL_KEY_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "seal key %s: %s%s", path, strerror(-r),
			 r == -ELOOP ? " (a symlink: give the file itself)" : "");
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "seal key %s: not a regular file", path);
		r = -EINVAL;
	} else if (st.st_mode & 077) {
		/* As ssh does with private keys: a key others can read seals nothing. */
		snprintf(err, errlen, "seal key %s is readable or writable by others (mode %04o): chmod 600 it", path,
			 (unsigned)(st.st_mode & 07777));
		r = -EPERM;
	} else {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "seal key %s: %s", path, strerror(-r));
		} else if (seal_key__set(k, buf, n) < 0) {
			snprintf(err, errlen,
				 "seal key %s holds %s%zd bytes, expected %d to %d (e.g. head -c 32 /dev/urandom > KEY)",
				 path, n > SEAL_KEY_MAX ? "more than " : "", n > SEAL_KEY_MAX ? (ssize_t)SEAL_KEY_MAX : n,
				 SEAL_KEY_MIN, SEAL_KEY_MAX);
			r = -EINVAL;
		}
	}
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return r;
}
