// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The chain and the seal of recordings (record/chain.h, record/verify.h):
 * a rewritten block (every CRC fixed), a removed one, a changed header are
 * each found at the next block; a sealed file verifies with its key only,
 * and a rewrite that computes the chain again is caught by the seal; rotated
 * and kept pieces continue each other's chain; verify tells whole, cut,
 * altered, unsealed apart, and a piece missing from a set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "testlib.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "record/verify.h"
#include "unit/rechain.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define START_NS SYNTH_BOOT_NS
#define SEC 1000000000ull
#define BH sizeof(struct rec_block_hdr)

static char dir[64];
static char path[160];
static char err[512];
static _Alignas(8) unsigned char evbuf[sizeof(struct pl_exec) + 1024];

static const char *tmp_path(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static unsigned char *read_file(const char *p, size_t *len)
{
	int fd = open(p, O_RDONLY);
	struct stat st;
	unsigned char *buf = NULL;

	if (fd >= 0 && fstat(fd, &st) == 0 && (buf = malloc(st.st_size + 1)) &&
	    pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	if (fd >= 0)
		close(fd);
	*len = buf ? (size_t)st.st_size : 0;
	return buf;
}

static bool write_file(const char *p, const void *buf, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	bool ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	return ok;
}

static size_t make_exec(unsigned i)
{
	char num[16];
	const char *argv[] = { "worker", num };
	size_t lens[] = { 6, 0 };

	lens[1] = snprintf(num, sizeof(num), "%u", i);
	return synth_exec(evbuf, 1000 + i, "/usr/bin/worker", argv, lens, 2);
}

/* A recording of 5 blocks (4 of events, then the end mark's) at p, sealed with k if given. */
static bool write_blocks(const char *p, const struct seal_key *k)
{
	struct rec_writer_opts o = { .path = p, .force = true, .args_cap = 4096, .command = "proclife test",
				     .seal_key = k };
	/* A scan first: a recording that holds the machine, not a stub (--rotate-existing keeps it). */
	static const struct proc_snapshot init = { .start_ns = 1, .pid = 1, .state = 'S', .comm = "init" };
	struct rec_writer *w = NULL;

	if (!ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), 0)) {
		printf("    %s\n", err);
		return false;
	}
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, START_NS + 1, &init, 1), 0);
	for (unsigned b = 0; b < 4; b++) {
		for (unsigned i = 0; i < 3; i++)
			rec_writer__event(w, evbuf, make_exec(b * 10 + i));
		rec_writer__flush(w);
	}
	return ASSERT_EQ(rec_writer__close(w, START_NS + SEC), 0);
}

/* The offsets of the blocks of a 2.0 file (at most max), and how many. */
static size_t blocks_of(const unsigned char *buf, size_t len, size_t *offs, size_t max)
{
	size_t off = ((const struct rec_file_hdr *)buf)->hdr_size, n = 0;

	while (off + BH <= len) {
		struct rec_block_hdr b;

		memcpy(&b, buf + off, BH);
		if (n < max)
			offs[n] = off;
		n++;
		off += BH + b.payload_len;
	}
	return n;
}

/* Reads buf to its end, with k if given: the reader's verdict (0 or -EBADMSG), its error in err. */
static int read_through(const unsigned char *buf, size_t len, const struct seal_key *k)
{
	struct rec_reader *r = NULL;
	struct rec_item it;
	int e = rec_reader__open_mem(buf, len, &r, err, sizeof(err));

	if (e < 0)
		return e;
	if (k)
		rec_reader__set_key(r, k);
	while ((e = rec_reader__next(r, &it)) > 0)
		;
	snprintf(err, sizeof(err), "%s", rec_reader__error(r) ? rec_reader__error(r) : "");
	rec_reader__free(r);
	return e;
}

/*
 * Block at off rewritten as someone who knows the format would: its payload
 * inflated, one byte changed, deflated again, payload_len, payload_crc and
 * hdr_crc computed again, its prev kept. Returns the new file (malloc'd).
 */
static unsigned char *rewrite_block(const unsigned char *buf, size_t len, size_t off, size_t *newlen)
{
	struct rec_block_hdr b;
	unsigned char raw[1 << 16], z[1 << 16], *out;
	uLongf rl = sizeof(raw);
	z_stream zs = {};
	size_t zl;

	memcpy(&b, buf + off, BH);
	zs.next_in = (Bytef *)buf + off + BH;
	zs.avail_in = b.payload_len;
	zs.next_out = raw;
	zs.avail_out = rl;
	if (inflateInit2(&zs, -15) != Z_OK || inflate(&zs, Z_FINISH) != Z_STREAM_END)
		return NULL;
	rl = zs.total_out;
	inflateEnd(&zs);
	raw[rl - 3] ^= 0x01; /* a byte of the last record's argv */
	zs = (z_stream){};
	if (deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	zs.next_in = raw;
	zs.avail_in = rl;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	deflate(&zs, Z_FINISH);
	zl = zs.total_out;
	deflateEnd(&zs);
	b.payload_len = zl;
	b.payload_crc = crc32(0, z, zl);
	b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
	*newlen = len - (BH + ((const struct rec_block_hdr *)(buf + off))->payload_len) + BH + zl;
	out = malloc(*newlen);
	memcpy(out, buf, off);
	memcpy(out + off, &b, BH);
	memcpy(out + off + BH, z, zl);
	memcpy(out + off + BH + zl, buf + off + BH + ((const struct rec_block_hdr *)(buf + off))->payload_len,
	       len - off - BH - ((const struct rec_block_hdr *)(buf + off))->payload_len);
	return out;
}

static void key_of(struct seal_key *k, char c)
{
	unsigned char bytes[32];

	memset(bytes, c, sizeof(bytes));
	seal_key__set(k, bytes, sizeof(bytes));
}

/* ---------------------------------------------------------------- the chain */

static void test_rewritten_block(void)
{
	size_t len, nlen, offs[8], n;
	unsigned char *buf, *bad = NULL;
	char want[96];

	if (!write_blocks(tmp_path("rw.plr"), NULL) || !(buf = read_file(path, &len)))
		return;
	n = blocks_of(buf, len, offs, 8);
	if (!ASSERT_EQ(n, 5) || !ASSERT_EQ(read_through(buf, len, NULL), 0))
		goto out;
	/* Block 1 rewritten, its CRCs right: block 2 does not follow it. */
	bad = rewrite_block(buf, len, offs[1], &nlen);
	if (!ASSERT_TRUE(bad))
		goto out;
	ASSERT_EQ(read_through(bad, nlen, NULL), -EBADMSG);
	snprintf(want, sizeof(want), "offset %zu: block 2: chain hash ", offs[2] + nlen - len);
	if (!ASSERT_TRUE(!strncmp(err, want, strlen(want))))
		printf("    got %s, expected %s...\n", err, want);
	ASSERT_TRUE(strstr(err, "(block 1 was altered, or blocks were removed or reordered)") != NULL);
	/* Computing the chain again makes it pass: the chain alone does not stop a forger (the seal does). */
	rechain(bad, nlen, NULL);
	ASSERT_EQ(read_through(bad, nlen, NULL), 0);
out:
	free(bad);
	free(buf);
}

static void test_removed_block(void)
{
	size_t len, offs[8], n, gap;
	unsigned char *buf;
	char want[96];

	if (!write_blocks(tmp_path("rm.plr"), NULL) || !(buf = read_file(path, &len)))
		return;
	n = blocks_of(buf, len, offs, 8);
	if (!ASSERT_EQ(n, 5))
		goto out;
	/* Block 2 cut out, the blocks after it renumbered (and their CRCs fixed): block 3, now 2, does not follow. */
	gap = offs[3] - offs[2];
	memmove(buf + offs[2], buf + offs[3], len - offs[3]);
	len -= gap;
	for (size_t i = 3; i < n; i++) {
		struct rec_block_hdr b;

		memcpy(&b, buf + offs[i] - gap, BH);
		b.seq--;
		b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
		memcpy(buf + offs[i] - gap, &b, BH);
	}
	ASSERT_EQ(read_through(buf, len, NULL), -EBADMSG);
	snprintf(want, sizeof(want), "offset %zu: block 2: chain hash ", offs[2]);
	if (!ASSERT_TRUE(!strncmp(err, want, strlen(want))))
		printf("    got %s\n", err);
out:
	free(buf);
}

static void test_changed_header(void)
{
	size_t len;
	unsigned char *buf;
	struct rec_file_hdr h;

	if (!write_blocks(tmp_path("hdr.plr"), NULL) || !(buf = read_file(path, &len)))
		return;
	/* start_ns moved an hour, both CRCs fixed: block 0 says the header is not the one it followed. */
	memcpy(&h, buf, sizeof(h));
	h.start_ns -= 3600 * SEC;
	h.crc = crc32(0, (const Bytef *)&h, offsetof(struct rec_file_hdr, crc));
	memcpy(buf, &h, sizeof(h));
	ASSERT_EQ(read_through(buf, len, NULL), -EBADMSG);
	ASSERT_TRUE(!strncmp(err, "offset 144: block 0: chain hash ", 32));
	ASSERT_TRUE(strstr(err, "(the file header was altered)") != NULL);
	free(buf);
}

/* ---------------------------------------------------------------- the seal */

static void test_sealed(void)
{
	struct seal_key k, other;
	size_t len, nlen, offs[8];
	unsigned char *buf, *bad = NULL;
	const struct rec_file_hdr *h;

	key_of(&k, 'k');
	key_of(&other, 'o');
	if (!write_blocks(tmp_path("sealed.plr"), &k) || !(buf = read_file(path, &len)))
		return;
	h = (const void *)buf;
	ASSERT_EQ(h->seal, REC_SEAL_HMAC_SHA256);
	ASSERT_MEMEQ(h->key_id, k.id, SEAL_KEY_ID_LEN);
	ASSERT_EQ(read_through(buf, len, &k), 0);
	ASSERT_EQ(read_through(buf, len, NULL), 0); /* read without the key: the chain only */
	ASSERT_EQ(read_through(buf, len, &other), -EBADMSG);
	ASSERT_TRUE(!strncmp(err, "offset 128: sealed with another key (key id ", 44));
	/* A rewrite whose chain is computed again, but without the key: the seal of the block refuses it. */
	blocks_of(buf, len, offs, 8);
	bad = rewrite_block(buf, len, offs[3], &nlen);
	if (!ASSERT_TRUE(bad))
		goto out;
	rechain(bad, nlen, NULL);
	ASSERT_EQ(read_through(bad, nlen, NULL), 0);
	ASSERT_EQ(read_through(bad, nlen, &k), -EBADMSG);
	if (!ASSERT_TRUE(strstr(err, "block 0: its seal is not the MAC of its hash") != NULL))
		printf("    %s\n", err);
	/* Sealed again with another key: each seal refuses it; with that key's id in the header, the id does. */
	rechain(bad, nlen, &other);
	ASSERT_EQ(read_through(bad, nlen, &k), -EBADMSG);
	ASSERT_TRUE(strstr(err, "block 0: its seal is not the MAC of its hash") != NULL);
	{
		struct rec_file_hdr *hb = (void *)bad;

		memcpy(hb->key_id, other.id, SEAL_KEY_ID_LEN);
		hb->chain_crc = crc32(0, hb->file_id, offsetof(struct rec_file_hdr, chain_crc) -
							 offsetof(struct rec_file_hdr, file_id));
		rechain(bad, nlen, &other);
		ASSERT_EQ(read_through(bad, nlen, &other), 0);
		ASSERT_EQ(read_through(bad, nlen, &k), -EBADMSG);
		ASSERT_TRUE(strstr(err, "sealed with another key") != NULL);
	}
out:
	free(bad);
	free(buf);
}

static void test_seal_key_file(void)
{
	struct seal_key k;
	const char *p = tmp_path("key");
	char target[192];

	ASSERT_TRUE(write_file(p, "0123456789abcdef0123456789abcdef", 32));
	ASSERT_EQ(seal_key__load(p, &k, err, sizeof(err)), 0);
	ASSERT_EQ(k.len, 32);
	chmod(p, 0640);
	ASSERT_EQ(seal_key__load(p, &k, err, sizeof(err)), -EPERM);
	ASSERT_TRUE(strstr(err, "readable or writable by others (mode 0640): chmod 600 it") != NULL);
	ASSERT_TRUE(write_file(tmp_path("short"), "0123456789", 10));
	ASSERT_EQ(seal_key__load(path, &k, err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "holds 10 bytes, expected 16 to 1024") != NULL);
	snprintf(target, sizeof(target), "%s/key", dir);
	chmod(target, 0600);
	ASSERT_EQ(symlink(target, tmp_path("link")), 0);
	ASSERT_EQ(seal_key__load(path, &k, err, sizeof(err)), -ELOOP);
	ASSERT_EQ(seal_key__load(tmp_path("none"), &k, err, sizeof(err)), -ENOENT);
	/* The same bytes, the same id; other bytes, another. */
	{
		struct seal_key a, b;

		key_of(&a, 'a');
		key_of(&b, 'a');
		ASSERT_MEMEQ(a.id, b.id, SEAL_KEY_ID_LEN);
		key_of(&b, 'b');
		ASSERT_FALSE(!memcmp(a.id, b.id, SEAL_KEY_ID_LEN));
	}
}

/* ---------------------------------------------------------------- pieces */

/* The file's id and the chain at its end, read through. */
static bool end_of(const char *p, __u8 *id, __u8 *chain)
{
	struct rec_reader *r = NULL;
	struct rec_item it;

	if (!ASSERT_EQ(rec_reader__open(p, &r, err, sizeof(err)), 0))
		return false;
	while (rec_reader__next(r, &it) > 0)
		;
	memcpy(id, rec_reader__header(r)->file_id, CHAIN_ID_LEN);
	ASSERT_TRUE(rec_reader__chain(r, chain));
	rec_reader__free(r);
	return true;
}

static void test_rotation_chains(void)
{
	struct rec_writer_opts o = { .path = tmp_path("rot.plr"), .args_cap = 4096 };
	struct rec_writer *w = NULL;
	__u8 id[CHAIN_ID_LEN], chain[CHAIN_HASH_LEN], wid[CHAIN_ID_LEN], wchain[CHAIN_HASH_LEN];
	struct rec_reader *r = NULL;
	char old[192];

	if (!ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), 0))
		return;
	rec_writer__event(w, evbuf, make_exec(1));
	ASSERT_EQ(rec_writer__rotate(w, START_NS + SEC, 0), 0);
	rec_writer__event(w, evbuf, make_exec(2));
	rec_writer__flush(w);
	rec_writer__chain(w, wid, wchain);
	ASSERT_EQ(rec_writer__close(w, START_NS + 2 * SEC), 0);
	snprintf(old, sizeof(old), "%s.1", o.path);
	if (!end_of(old, id, chain) || !ASSERT_EQ(rec_reader__open(o.path, &r, err, sizeof(err)), 0))
		return;
	ASSERT_MEMEQ(rec_reader__header(r)->prev_file_id, id, CHAIN_ID_LEN);
	ASSERT_MEMEQ(rec_reader__header(r)->prev_chain, chain, CHAIN_HASH_LEN);
	ASSERT_MEMEQ(rec_reader__header(r)->file_id, wid, CHAIN_ID_LEN);
	ASSERT_FALSE(!memcmp(id, wid, CHAIN_ID_LEN)); /* each file its own id */
	rec_reader__free(r);
}

/* --rotate-existing: the new file continues the kept one from its last whole block, even a torn one. */
static void test_kept_file_chains(void)
{
	struct rec_writer_opts o = { .path = tmp_path("kept.plr"), .args_cap = 4096, .rotate_existing = true,
				     .rotate_count = 3 };
	struct rec_writer *w = NULL;
	struct rec_reader *r = NULL;
	__u8 id[CHAIN_ID_LEN], chain[CHAIN_HASH_LEN];
	size_t len, offs[8];
	unsigned char *buf;
	char kept[192];

	if (!write_blocks(o.path, NULL) || !(buf = read_file(o.path, &len)))
		return;
	/* Killed mid-block: the file ends 10 bytes into block 3's payload. */
	blocks_of(buf, len, offs, 8);
	ASSERT_TRUE(write_file(o.path, buf, offs[3] + BH + 10));
	free(buf);
	if (!ASSERT_EQ(rec_writer__open(&o, START_NS + 5 * SEC, 0, &w, err, sizeof(err)), 0))
		return;
	ASSERT_EQ(rec_writer__close(w, START_NS + 6 * SEC), 0);
	snprintf(kept, sizeof(kept), "%s.1", o.path);
	if (!end_of(kept, id, chain) || !ASSERT_EQ(rec_reader__open(o.path, &r, err, sizeof(err)), 0))
		return;
	ASSERT_MEMEQ(rec_reader__header(r)->prev_file_id, id, CHAIN_ID_LEN);
	ASSERT_MEMEQ(rec_reader__header(r)->prev_chain, chain, CHAIN_HASH_LEN);
	rec_reader__free(r);
}

/* ---------------------------------------------------------------- verify */

static void test_verify_file(void)
{
	struct seal_key k, other;
	struct rec_check c;
	size_t len, offs[8];
	unsigned char *buf;

	key_of(&k, 'k');
	key_of(&other, 'o');
	if (!write_blocks(tmp_path("v.plr"), &k) || !(buf = read_file(path, &len)))
		return;
	rec_verify__file(path, &k, &c);
	ASSERT_EQ(c.verdict, REC_WHOLE);
	ASSERT_TRUE(c.seal_checked);
	ASSERT_EQ(c.blocks, 5);
	rec_verify__file(path, NULL, &c);
	ASSERT_EQ(c.verdict, REC_WHOLE);
	ASSERT_FALSE(c.seal_checked);
	rec_verify__file(path, &other, &c);
	ASSERT_EQ(c.verdict, REC_ALTERED);
	/* Cut at a block boundary, and mid-block: cut, not altered. */
	blocks_of(buf, len, offs, 8);
	write_file(tmp_path("cut.plr"), buf, offs[3]);
	rec_verify__file(path, &k, &c);
	ASSERT_EQ(c.verdict, REC_CUT);
	ASSERT_EQ(c.blocks, 3);
	ASSERT_EQ(c.offset, offs[3]);
	write_file(tmp_path("torn.plr"), buf, offs[3] + 50);
	rec_verify__file(path, &k, &c);
	ASSERT_EQ(c.verdict, REC_CUT);
	ASSERT_EQ(c.offset, offs[3]);
	/* Only its header: cut with its key, refused with another (no block's seal to say so). */
	write_file(tmp_path("hdr.plr"), buf, sizeof(struct rec_file_hdr));
	rec_verify__file(path, &k, &c);
	ASSERT_EQ(c.verdict, REC_CUT);
	rec_verify__file(path, &other, &c);
	ASSERT_EQ(c.verdict, REC_ALTERED);
	ASSERT_STREQ(c.why, "offset 128: sealed with another key");
	/* One byte changed in block 2's payload: altered, there. */
	buf[offs[2] + BH + 5] ^= 0x20;
	write_file(tmp_path("byte.plr"), buf, len);
	rec_verify__file(path, NULL, &c);
	ASSERT_EQ(c.verdict, REC_ALTERED);
	ASSERT_EQ(c.offset, offs[2] + BH);
	ASSERT_EQ(c.blocks, 2);
	free(buf);
	/* Not sealed, a key given: nothing vouches for it. */
	write_blocks(tmp_path("plain.plr"), NULL);
	rec_verify__file(path, &k, &c);
	ASSERT_EQ(c.verdict, REC_UNSEALED);
	rec_verify__file(tmp_path("none.plr"), NULL, &c);
	ASSERT_EQ(c.verdict, REC_UNREADABLE);
}

/* Three pieces of a rotated recording, given in any order; one taken out of the middle. */
static void test_verify_set(void)
{
	struct rec_writer_opts o = { .path = tmp_path("set.plr"), .args_cap = 4096, .rotate_count = 5 };
	struct rec_writer *w = NULL;
	struct rec_check v[3];
	char p1[192], p2[192];

	if (!ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), 0))
		return;
	for (int i = 0; i < 3; i++) {
		rec_writer__event(w, evbuf, make_exec(i));
		if (i < 2)
			ASSERT_EQ(rec_writer__rotate(w, START_NS + (i + 1) * SEC, 0), 0);
	}
	ASSERT_EQ(rec_writer__close(w, START_NS + 4 * SEC), 0);
	snprintf(p1, sizeof(p1), "%s.1", o.path);
	snprintf(p2, sizeof(p2), "%s.2", o.path);
	rec_verify__file(o.path, NULL, &v[0]);
	rec_verify__file(p2, NULL, &v[1]);
	rec_verify__file(p1, NULL, &v[2]);
	rec_verify__set(v, 3);
	ASSERT_STREQ(v[0].path, p2);
	ASSERT_STREQ(v[1].path, p1);
	ASSERT_STREQ(v[2].path, o.path);
	ASSERT_EQ(v[0].link, REC_LINK_FIRST);
	ASSERT_EQ(v[1].link, REC_LINK_CONTINUES);
	ASSERT_EQ(v[2].link, REC_LINK_CONTINUES);
	ASSERT_EQ(rec_verify__worst(v, 3), REC_WHOLE);
	/* Without the middle piece: one is missing. */
	rec_verify__file(o.path, NULL, &v[0]);
	rec_verify__file(p2, NULL, &v[1]);
	rec_verify__set(v, 2);
	ASSERT_EQ(v[1].link, REC_LINK_MISSING);
	ASSERT_EQ(rec_verify__worst(v, 2), REC_ALTERED);
	/* The newest alone: it continues a piece not given, which is no fault. */
	rec_verify__file(o.path, NULL, &v[0]);
	rec_verify__set(v, 1);
	ASSERT_EQ(v[0].link, REC_LINK_EARLIER);
	ASSERT_EQ(rec_verify__worst(v, 1), REC_WHOLE);
}

/* The middle piece's end changed and chained again: the next piece's header refutes it. */
static void test_verify_broken_link(void)
{
	struct rec_writer_opts o = { .path = tmp_path("bl.plr"), .args_cap = 4096 };
	struct rec_writer *w = NULL;
	struct rec_check v[2];
	size_t len, nlen, offs[8], n;
	unsigned char *buf, *bad;
	char p1[192];

	if (!ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), 0))
		return;
	rec_writer__event(w, evbuf, make_exec(1));
	ASSERT_EQ(rec_writer__rotate(w, START_NS + SEC, 0), 0);
	ASSERT_EQ(rec_writer__close(w, START_NS + 2 * SEC), 0);
	snprintf(p1, sizeof(p1), "%s.1", o.path);
	if (!(buf = read_file(p1, &len)))
		return;
	n = blocks_of(buf, len, offs, 8);
	bad = rewrite_block(buf, len, offs[n - 1], &nlen);
	if (ASSERT_TRUE(bad)) {
		rechain(bad, nlen, NULL);
		write_file(p1, bad, nlen);
		rec_verify__file(p1, NULL, &v[0]);
		rec_verify__file(o.path, NULL, &v[1]);
		ASSERT_EQ(v[0].verdict, REC_WHOLE); /* alone, it reads as whole */
		rec_verify__set(v, 2);
		ASSERT_EQ(v[1].link, REC_LINK_BROKEN);
		ASSERT_EQ(rec_verify__worst(v, 2), REC_ALTERED);
	}
	free(bad);
	free(buf);
}

/* Skimming (no inflating) ends where reading does, with the same chain. */
static void test_skim(void)
{
	struct rec_reader *r = NULL;
	__u8 id[CHAIN_ID_LEN], a[CHAIN_HASH_LEN], b[CHAIN_HASH_LEN];

	if (!write_blocks(tmp_path("skim.plr"), NULL) || !end_of(path, id, a))
		return;
	if (!ASSERT_EQ(rec_reader__open(path, &r, err, sizeof(err)), 0))
		return;
	ASSERT_EQ(rec_reader__skim(r), 0);
	ASSERT_TRUE(rec_reader__chain(r, b));
	ASSERT_MEMEQ(a, b, CHAIN_HASH_LEN);
	ASSERT_EQ(rec_reader__blocks(r), 5);
	rec_reader__free(r);
}

int main(void)
{
	tl_init("chain");
	snprintf(dir, sizeof(dir), "/tmp/test_chain.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_rewritten_block);
	RUN_TEST(test_removed_block);
	RUN_TEST(test_changed_header);
	RUN_TEST(test_sealed);
	RUN_TEST(test_seal_key_file);
	RUN_TEST(test_rotation_chains);
	RUN_TEST(test_kept_file_chains);
	RUN_TEST(test_verify_file);
	RUN_TEST(test_verify_set);
	RUN_TEST(test_verify_broken_link);
	RUN_TEST(test_skim);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return tl_finish();
}
