// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Reading recordings (format: recording.h, docs/RECORDING.md). Nothing in
 * the file is trusted: every length is checked against the file and fixed
 * limits before it is used, every block's chain hash (and seal, given the
 * key) against what came before it, and reading stops at the first damage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "kernel/event.h"
#include "kernel/procfs.h"
#include "record/recording.h"

static __u32 crc(const void *p, size_t n)
{
	return crc32(0, p, n);
}

struct rec_reader {
	int fd;                 /* -1: reading mem */
	const unsigned char *mem;
	__u64 size;             /* of the file or buffer */
	struct rec_file_hdr hdr;
	__u64 offset;           /* next block */
	__u64 block_seq;
	__u64 block_off;        /* where the current block started */
	unsigned char *raw;     /* the current block, inflated */
	size_t raw_len, raw_cap, pos;
	__u32 nrecords, rec_no;
	unsigned char *z;
	size_t z_cap;
	z_stream zs;            /* raw inflate, reset per block */
	bool zs_ready;
	bool complete, failed, torn;
	__u64 stop_off;         /* where the damage is */
	char err[256];
	unsigned char *conv;    /* a 1.x event given the 2.0 header and exec part (REC_RECORD_MAX + CONV_GROWTH) */
	/* the chain (format 2.0 on) */
	bool chained;
	__u8 chain[CHAIN_HASH_LEN]; /* the hash of the last block read whole; the header's before the first */
	const struct seal_key *key; /* check seals with it, or NULL */
	__u64 blocks;           /* read whole */
};

/* A block's header, of either format, as its fields. */
struct block {
	__u32 magic, payload_len, raw_len, nrecords, payload_crc;
	__u64 seq;
	const __u8 *prev, *seal;    /* format 2.0 on; NULL before */
	size_t size;                /* of the header in the file */
	union {
		struct rec_block_hdr h;
		struct rec_block_hdr_1x h1;
	} raw;
};

/* The part of the header that format 2.0 added, where a 1.x event ends its header. */
#define HDR_2X_PART (sizeof(struct pl_hdr) - PL_HDR_SIZE_1X)
_Static_assert(offsetof(struct pl_hdr, cgroup1_id) == PL_HDR_SIZE_1X,
	       "format 2.0's part of the event header starts where the 1.x header ended");
/*
 * A 1.x exec, its header grown, ends its fixed part where 2.0's cwd_len
 * is, after a pad; 2.0 added the paths' lengths, xflags and the
 * credentials there, before the data.
 */
#define EXEC_1X_FIXED (offsetof(struct pl_exec, cwd_len) + 4)
#define EXEC_2X_PART (sizeof(struct pl_exec) - EXEC_1X_FIXED)
#define CONV_GROWTH (HDR_2X_PART + EXEC_2X_PART)

static int bad(struct rec_reader *r, __u64 off, const char *fmt, ...)
{
	va_list ap;
	int n;

	r->failed = true;
	r->stop_off = off;
	n = snprintf(r->err, sizeof(r->err), "offset %llu: ", (unsigned long long)off);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int src_read(struct rec_reader *r, __u64 off, void *buf, size_t n)
{
	if (off > r->size || n > r->size - off)
		return -ENODATA;
	if (r->fd < 0) {
		memcpy(buf, r->mem + off, n);
		return 0;
	}
	while (n) {
		ssize_t k = pread(r->fd, buf, n, off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ENODATA;
		buf = (char *)buf + k;
		off += k;
		n -= k;
	}
	return 0;
}

/* Format 2.0's part of the header, after the 1.x part was checked: there, and its CRC. */
static int check_chain_header(struct rec_reader *r, char *err, size_t errlen)
{
	struct rec_file_hdr *h = &r->hdr;
	size_t part = offsetof(struct rec_file_hdr, chain_crc) - offsetof(struct rec_file_hdr, file_id);
	__u32 c;
	int e = src_read(r, REC_FILE_HDR_SIZE_1X, h->file_id, sizeof(*h) - REC_FILE_HDR_SIZE_1X);

	if (e == -ENODATA) {
		snprintf(err, errlen, "offset %llu: file ends inside its %zu-byte header", (unsigned long long)r->size,
			 sizeof(*h));
		return -EBADMSG;
	}
	if (e < 0) {
		snprintf(err, errlen, "offset %d: cannot read: %s", REC_FILE_HDR_SIZE_1X, strerror(-e));
		return e;
	}
	c = crc(h->file_id, part);
	if (h->chain_crc != c) {
		snprintf(err, errlen, "offset %zu: header chain CRC32 0x%08x, expected 0x%08x",
			 offsetof(struct rec_file_hdr, chain_crc), c, h->chain_crc);
		return -EBADMSG;
	}
	return 0;
}

/* The chain starts with the hash of the whole header, the part a newer minor may add included. */
static int start_chain(struct rec_reader *r, char *err, size_t errlen)
{
	unsigned char buf[4096];
	int e = src_read(r, 0, buf, r->hdr.hdr_size);

	if (e < 0) {
		snprintf(err, errlen, "offset 0: cannot read: %s", strerror(e == -ENODATA ? EIO : -e));
		return e == -ENODATA ? -EIO : e;
	}
	chain__hash2(buf, r->hdr.hdr_size, NULL, 0, r->chain);
	r->chained = true;
	return 0;
}

static int check_header(struct rec_reader *r, char *err, size_t errlen)
{
	struct rec_file_hdr *h = &r->hdr;
	size_t min;
	int e;

	if (r->size < REC_MAGIC_LEN || src_read(r, 0, h->magic, REC_MAGIC_LEN) ||
	    memcmp(h->magic, REC_MAGIC, REC_MAGIC_LEN)) {
		snprintf(err, errlen, "offset 0: not a proclife recording (expected the magic \\x89PLREC\\r\\n)");
		return -EBADMSG;
	}
	/* The part every version has; format 2.0's follows it. */
	e = src_read(r, 0, h, REC_FILE_HDR_SIZE_1X);
	if (e == -ENODATA) {
		snprintf(err, errlen, "offset %llu: file ends inside its %d-byte header", (unsigned long long)r->size,
			 REC_FILE_HDR_SIZE_1X);
		return -EBADMSG;
	}
	if (e < 0) {
		snprintf(err, errlen, "offset 0: cannot read: %s", strerror(-e));
		return e;
	}
	if (h->major < REC_VERSION_MAJOR_OLDEST || h->major > REC_VERSION_MAJOR) {
		snprintf(err, errlen, "offset 8: format version %u.%u, this proclife reads versions %u.x to %u.x",
			 h->major, h->minor, REC_VERSION_MAJOR_OLDEST, REC_VERSION_MAJOR);
		return -EPROTONOSUPPORT;
	}
	if (h->crc != crc(h, offsetof(struct rec_file_hdr, crc))) {
		snprintf(err, errlen, "offset 60: header CRC32 0x%08x, expected 0x%08x", crc(h, offsetof(struct rec_file_hdr, crc)),
			 h->crc);
		return -EBADMSG;
	}
	if (h->major >= 2 && (e = check_chain_header(r, err, errlen)) < 0)
		return e;
	min = h->major == 1 ? REC_FILE_HDR_SIZE_1X : sizeof(*h);
	if (h->hdr_size < min || h->hdr_size > 4096 || h->hdr_size > r->size) {
		snprintf(err, errlen, "offset 12: header size %u, expected %zu to 4096 within the file", h->hdr_size, min);
		return -EBADMSG;
	}
	if (h->major >= 2 && (e = start_chain(r, err, errlen)) < 0)
		return e;
	r->offset = h->hdr_size;
	return 0;
}

static int reader_new(struct rec_reader **out, int fd, const void *mem, __u64 size, char *err, size_t errlen)
{
	struct rec_reader *r = calloc(1, sizeof(*r));
	int e;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->fd = fd;
	r->mem = mem;
	r->size = size;
	e = check_header(r, err, errlen);
	if (e < 0) {
		r->fd = -1; /* the caller closes it */
		rec_reader__free(r);
		return e;
	}
	*out = r;
	return 0;
}

int rec_reader__open(const char *path, struct rec_reader **out, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return -EINVAL;
	}
	e = reader_new(out, fd, NULL, st.st_size, err, errlen);
	if (e < 0)
		close(fd);
	return e;
}

int rec_reader__open_mem(const void *buf, size_t len, struct rec_reader **out, char *err, size_t errlen)
{
	return reader_new(out, -1, buf, len, err, errlen);
}

const struct rec_file_hdr *rec_reader__header(const struct rec_reader *r)
{
	return &r->hdr;
}

static int grow(unsigned char **p, size_t *cap, size_t n)
{
	unsigned char *q;

	if (n <= *cap)
		return 0;
	q = realloc(*p, n);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* The header of the block at off, of the file's format: 0, or -EBADMSG (torn: the file ends inside it). */
static int read_block_header(struct rec_reader *r, __u64 off, struct block *b)
{
	size_t crc_len;
	__u32 hdr_crc;
	int e;

	b->size = r->chained ? sizeof(b->raw.h) : sizeof(b->raw.h1);
	e = src_read(r, off, &b->raw, b->size);
	r->torn = e == -ENODATA;
	if (e == -ENODATA)
		return bad(r, off, "file ends inside a block header (%llu of %zu bytes): the recorder stopped mid-write",
			   (unsigned long long)(r->size - off), b->size);
	if (e < 0)
		return bad(r, off, "cannot read: %s", strerror(-e));
	if (r->chained) {
		const struct rec_block_hdr *h = &b->raw.h;

		b->magic = h->magic;
		b->payload_len = h->payload_len;
		b->raw_len = h->raw_len;
		b->nrecords = h->nrecords;
		b->seq = h->seq;
		b->payload_crc = h->payload_crc;
		b->prev = h->prev;
		b->seal = h->seal;
		hdr_crc = h->hdr_crc;
		crc_len = offsetof(struct rec_block_hdr, hdr_crc);
	} else {
		const struct rec_block_hdr_1x *h = &b->raw.h1;

		b->magic = h->magic;
		b->payload_len = h->payload_len;
		b->raw_len = h->raw_len;
		b->nrecords = h->nrecords;
		b->seq = h->seq;
		b->payload_crc = h->payload_crc;
		b->prev = b->seal = NULL;
		hdr_crc = h->hdr_crc;
		crc_len = offsetof(struct rec_block_hdr_1x, hdr_crc);
	}
	if (b->magic != REC_BLOCK_MAGIC)
		return bad(r, off, "block %llu: expected the block magic PLBK", (unsigned long long)r->block_seq);
	if (hdr_crc != crc(&b->raw, crc_len))
		return bad(r, off, "block %llu: header CRC32 0x%08x, expected 0x%08x", (unsigned long long)r->block_seq,
			   crc(&b->raw, crc_len), hdr_crc);
	return 0;
}

/* What the header says, against the limits, the sequence and the chain. 0 or -EBADMSG. */
static int check_block_header(struct rec_reader *r, __u64 off, const struct block *b)
{
	char got[2 * 8 + 1], want[2 * 8 + 1], before[96];

	if (b->seq != r->block_seq)
		return bad(r, off, "block number %llu, expected %llu (blocks were removed, repeated or reordered)",
			   (unsigned long long)b->seq, (unsigned long long)r->block_seq);
	/* Its chain hash is what came before it: else something before it changed. */
	if (b->prev && !chain__equal(b->prev, r->chain, CHAIN_HASH_LEN)) {
		if (r->block_seq)
			snprintf(before, sizeof(before), "block %llu was altered, or blocks were removed or reordered",
				 (unsigned long long)r->block_seq - 1);
		else
			snprintf(before, sizeof(before), "the file header was altered");
		return bad(r, off, "block %llu: chain hash %s..., expected %s... (%s)", (unsigned long long)r->block_seq,
			   chain__hex(b->prev, 8, got, sizeof(got)), chain__hex(r->chain, 8, want, sizeof(want)), before);
	}
	if (b->raw_len == 0 || b->raw_len > REC_BLOCK_RAW_MAX || b->raw_len % 8)
		return bad(r, off, "block %llu: %u uncompressed bytes, expected a multiple of 8 up to %u",
			   (unsigned long long)r->block_seq, b->raw_len, REC_BLOCK_RAW_MAX);
	if (b->payload_len == 0 || b->payload_len > compressBound(REC_BLOCK_RAW_MAX))
		return bad(r, off, "block %llu: %u compressed bytes, expected 1 to %lu", (unsigned long long)r->block_seq,
			   b->payload_len, compressBound(REC_BLOCK_RAW_MAX));
	if (b->nrecords == 0 || b->nrecords > b->raw_len / 8)
		return bad(r, off, "block %llu: %u records in %u bytes", (unsigned long long)r->block_seq, b->nrecords,
			   b->raw_len);
	r->torn = b->payload_len > r->size - off - b->size;
	if (r->torn)
		return bad(r, off, "block %llu is cut short: %u payload bytes expected, %llu in the file (the recorder stopped mid-write)",
			   (unsigned long long)r->block_seq, b->payload_len,
			   (unsigned long long)(r->size - off - b->size));
	return 0;
}

/* The payload into r->z, its CRC, and the block's hash into hash (and its seal checked). 0 or -EBADMSG. */
static int load_payload(struct rec_reader *r, __u64 off, const struct block *b, __u8 hash[CHAIN_HASH_LEN])
{
	__u8 mac[CHAIN_HASH_LEN];
	int e;

	if (grow(&r->z, &r->z_cap, b->payload_len) || grow(&r->raw, &r->raw_cap, b->raw_len))
		return bad(r, off, "out of memory");
	e = src_read(r, off + b->size, r->z, b->payload_len);
	if (e < 0)
		return bad(r, off + b->size, "cannot read: %s", strerror(-e));
	if (crc(r->z, b->payload_len) != b->payload_crc)
		return bad(r, off + b->size, "block %llu: payload CRC32 0x%08x, expected 0x%08x",
			   (unsigned long long)r->block_seq, crc(r->z, b->payload_len), b->payload_crc);
	if (!r->chained)
		return 0;
	chain__hash2(&b->raw.h, offsetof(struct rec_block_hdr, seal), r->z, b->payload_len, hash);
	if (!r->key || r->hdr.seal != REC_SEAL_HMAC_SHA256)
		return 0;
	chain__seal(r->key, hash, mac);
	if (!chain__equal(mac, b->seal, CHAIN_HASH_LEN))
		return bad(r, off, "block %llu: its seal is not the MAC of its hash under the key given (the block was altered)",
			   (unsigned long long)r->block_seq);
	return 0;
}

/* r->z into r->raw: exactly raw_len bytes. 0 or -EBADMSG. */
static int inflate_block(struct rec_reader *r, __u64 off, const struct block *b)
{
	uLongf len;
	int e;

	if (!r->zs_ready) {
		if (inflateInit2(&r->zs, -15) != Z_OK)
			return bad(r, off, "out of memory");
		r->zs_ready = true;
	} else if (inflateReset(&r->zs) != Z_OK) {
		return bad(r, off, "inflate failed");
	}
	r->zs.next_in = r->z;
	r->zs.avail_in = b->payload_len;
	r->zs.next_out = r->raw;
	r->zs.avail_out = b->raw_len;
	e = inflate(&r->zs, Z_FINISH);
	len = r->zs.total_out;
	if (e != Z_STREAM_END || len != b->raw_len || r->zs.avail_in)
		return bad(r, off + b->size, "block %llu: deflate data does not inflate to exactly %u bytes (%s)",
			   (unsigned long long)r->block_seq, b->raw_len,
			   e == Z_STREAM_END ? (r->zs.avail_in ? "bytes left over" : "wrong size")
			   /* Z_BUF_ERROR: no room left for more output, or no more input before the stream's end. */
			   : e == Z_BUF_ERROR ? (r->zs.avail_out ? "the stream is cut short" : "more data than that")
			   : r->zs.msg ? r->zs.msg : zError(e));
	return 0;
}

/* A seal is checked with the key its header names only. 0 or -EBADMSG. */
static int check_key(struct rec_reader *r)
{
	char id[2 * SEAL_KEY_ID_LEN + 1], given[2 * SEAL_KEY_ID_LEN + 1];

	if (!r->key || r->hdr.seal != REC_SEAL_HMAC_SHA256 || r->block_seq ||
	    chain__equal(r->hdr.key_id, r->key->id, SEAL_KEY_ID_LEN))
		return 0;
	return bad(r, offsetof(struct rec_file_hdr, key_id), "sealed with another key (key id %s; the key given is %s)",
		   chain__hex(r->hdr.key_id, SEAL_KEY_ID_LEN, id, sizeof(id)),
		   chain__hex(r->key->id, SEAL_KEY_ID_LEN, given, sizeof(given)));
}

/* Loads the next block (inflated, unless skimming): 1, 0 at a clean end of file, or -EBADMSG. */
static int next_block(struct rec_reader *r, bool inflate)
{
	struct block b;
	__u8 hash[CHAIN_HASH_LEN];
	__u64 off = r->offset;

	if (off == r->size)
		return 0;
	if (check_key(r) || read_block_header(r, off, &b) || check_block_header(r, off, &b) ||
	    load_payload(r, off, &b, hash) || (inflate && inflate_block(r, off, &b)))
		return -EBADMSG;
	if (r->chained)
		memcpy(r->chain, hash, sizeof(r->chain));
	r->blocks++;
	r->block_off = off;
	r->offset = off + b.size + b.payload_len;
	r->block_seq++;
	r->raw_len = inflate ? b.raw_len : 0;
	r->pos = 0;
	r->nrecords = inflate ? b.nrecords : 0;
	r->rec_no = 0;
	return 1;
}

/* Each known kind's fixed body; 0: a kind this reader does not know (skipped). */
static const size_t kind_min[REC_KIND_MAX] = {
	[REC_EVENT] = sizeof(struct pl_hdr),
	[REC_SNAP_BEGIN] = sizeof(struct rec_snap_begin),
	[REC_SNAP_PROC] = sizeof(struct rec_snap_proc),
	[REC_SNAP_END] = sizeof(struct rec_time),
	[REC_TICK] = sizeof(struct rec_time),
	[REC_LOST] = sizeof(struct rec_lost),
	[REC_META] = sizeof(__u64),
	[REC_RUN_START] = sizeof(struct rec_run_start),
	[REC_RUN_END] = sizeof(struct rec_run_end),
	[REC_END] = sizeof(struct rec_time),
	[REC_GAP] = sizeof(struct rec_gap),
	[REC_CGROUP] = sizeof(struct rec_cgroup),
	[REC_CONTAINER] = sizeof(struct rec_time),
};

/* A REC_CGROUP: its lengths add up, its hierarchy is one, its path is one ("/...", no NUL). */
static const char *check_cgroup(const struct rec_cgroup *c, size_t len, __u64 *ts)
{
	const char *path;

	if (c->npids > REC_CGROUP_PIDS_MAX || c->path_len == 0 || c->path_len >= 4096 ||
	    len != sizeof(*c) + (size_t)c->npids * sizeof(__u32) + c->path_len)
		return "cgroup record's lengths do not match its record";
	if (c->hier != REC_CG_V2 && c->hier != REC_CG_V1)
		return "cgroup record of an unknown hierarchy";
	path = c->data + (size_t)c->npids * sizeof(__u32);
	if (path[0] != '/' || memchr(path, '\0', c->path_len))
		return "cgroup record's path is not a path";
	*ts = c->ts;
	return NULL;
}

/* Checks a record's body for its kind; 0 or a reason. */
static const char *check_body(unsigned kind, void *body, size_t len, __u64 *ts)
{
	const size_t *min = kind_min;

	if (len < min[kind])
		return "record too short for its kind";
	switch (kind) {
	case REC_EVENT:
		if (event__check(body, len))
			return "malformed event";
		*ts = ((struct pl_hdr *)body)->ts;
		return NULL;
	case REC_SNAP_PROC: {
		struct rec_snap_proc *p = body;

		if (p->cmdline_len != len - sizeof(*p))
			return "process entry's cmdline length does not match its record";
		p->comm[PL_COMM_LEN - 1] = 0;
		*ts = 0;
		return NULL;
	}
	case REC_LOST:
		if (((struct rec_lost *)body)->type == 0 || ((struct rec_lost *)body)->type >= PL_EV_MAX)
			return "lost record for an unknown event type";
		break;
	case REC_META:
	case REC_CONTAINER:
		((char *)body)[len - 1] = 0;
		break;
	case REC_CGROUP:
		return check_cgroup(body, len, ts);
	}
	memcpy(ts, body, sizeof(*ts)); /* every other kind starts with its time */
	return NULL;
}

/*
 * A 1.x event: the same record with the part of the header that 2.0 added
 * missing, and for an exec, the part of its own that 2.0 added. It is
 * given those parts, as unknown, in r->conv. NULL or a reason.
 */
static const char *event_1x(struct rec_reader *r, struct rec_item *it)
{
	struct pl_hdr *h;
	size_t len;

	if (it->len < PL_HDR_SIZE_1X)
		return "record too short for its kind";
	if (!r->conv && !(r->conv = malloc(REC_RECORD_MAX + CONV_GROWTH)))
		return "out of memory";
	memcpy(r->conv, it->body, PL_HDR_SIZE_1X);
	memcpy(r->conv + sizeof(*h), (const unsigned char *)it->body + PL_HDR_SIZE_1X, it->len - PL_HDR_SIZE_1X);
	h = (struct pl_hdr *)r->conv;
	memset((unsigned char *)h + PL_HDR_SIZE_1X, 0, HDR_2X_PART);
	h->auid = h->session = PL_ID_UNSET;
	h->flags |= PL_F_NO_IDENTITY;
	len = it->len + HDR_2X_PART;
	if (h->type == PL_EV_EXEC && len >= EXEC_1X_FIXED) {
		/* Its data moves on past the new fields, which are 0: no paths, credentials unknown. */
		memmove(r->conv + sizeof(struct pl_exec), r->conv + EXEC_1X_FIXED, len - EXEC_1X_FIXED);
		memset(r->conv + EXEC_1X_FIXED - 4, 0, EXEC_2X_PART + 4);
		len += EXEC_2X_PART;
	}
	it->body = r->conv;
	it->len = len;
	return NULL;
}

int rec_reader__next(struct rec_reader *r, struct rec_item *it)
{
	for (;;) {
		struct rec_hdr h;
		const char *why;
		size_t at;
		int e;

		if (r->failed)
			return -EBADMSG;
		if (r->pos >= r->raw_len) {
			if (r->rec_no != r->nrecords)
				return bad(r, r->block_off, "block %llu holds %u records, its header says %u",
					   (unsigned long long)r->block_seq - 1, r->rec_no, r->nrecords);
			e = next_block(r, true);
			if (e <= 0)
				return e;
		}
		at = r->pos;
		memcpy(&h, r->raw + at, sizeof(h));
		if (h.size < sizeof(h) || h.size > r->raw_len - at || h.size > REC_RECORD_MAX)
			return bad(r, r->block_off, "block %llu, byte %zu: record size %u, expected %zu to %zu",
				   (unsigned long long)r->block_seq - 1, at, h.size, sizeof(h),
				   r->raw_len - at < REC_RECORD_MAX ? r->raw_len - at : (size_t)REC_RECORD_MAX);
		r->pos = at + REC_ALIGN8(h.size);
		r->rec_no++;
		if (r->rec_no > r->nrecords)
			return bad(r, r->block_off, "block %llu holds more records than its header's %u",
				   (unsigned long long)r->block_seq - 1, r->nrecords);
		if (h.kind >= REC_KIND_MAX || !kind_min[h.kind])
			continue; /* a newer minor version's kind (or one of a hole in the numbers): skip it */
		if (r->complete)
			return bad(r, r->block_off, "block %llu, byte %zu: a record after the end mark",
				   (unsigned long long)r->block_seq - 1, at);
		it->kind = h.kind;
		it->body = r->raw + at + sizeof(h);
		it->len = h.size - sizeof(h);
		why = h.kind == REC_EVENT && r->hdr.major == 1 ? event_1x(r, it) : NULL;
		if (!why)
			why = check_body(h.kind, (void *)it->body, it->len, &it->ts); /* ours: the block or r->conv */
		if (why)
			return bad(r, r->block_off, "block %llu, byte %zu: %s", (unsigned long long)r->block_seq - 1, at,
				   why);
		if (h.kind == REC_END)
			r->complete = true;
		return 1;
	}
}

void rec_reader__set_key(struct rec_reader *r, const struct seal_key *k)
{
	r->key = k;
}

bool rec_reader__chain(const struct rec_reader *r, __u8 chain[CHAIN_HASH_LEN])
{
	if (r->chained)
		memcpy(chain, r->chain, CHAIN_HASH_LEN);
	return r->chained;
}

__u64 rec_reader__blocks(const struct rec_reader *r)
{
	return r->blocks;
}

int rec_reader__skim(struct rec_reader *r)
{
	int e;

	do
		e = r->failed ? -EBADMSG : next_block(r, false);
	while (e > 0);
	return e;
}

bool rec_file_hdr__has_boot_id(const struct rec_file_hdr *h)
{
	for (size_t i = 0; i < sizeof(h->boot_id); i++)
		if (h->boot_id[i])
			return true;
	return false;
}

const char *rec_reader__error(const struct rec_reader *r)
{
	return r->failed ? r->err : NULL;
}

bool rec_reader__complete(const struct rec_reader *r)
{
	return r->complete;
}

__u64 rec_reader__offset(const struct rec_reader *r)
{
	return r->failed ? r->stop_off : r->offset;
}

bool rec_reader__torn(const struct rec_reader *r)
{
	return r->failed && r->torn;
}

void rec_snap_proc__decode(const struct rec_snap_proc *p, size_t len, struct proc_snapshot *s)
{
	*s = (struct proc_snapshot){
		.start_ns = p->start_ns,
		.pid = p->pid,
		.ppid = p->ppid,
		.uid = p->uid,
		.exit_code = p->exit_code,
		.cmdline = p->has_cmdline ? (char *)p->cmdline : NULL,
		.cmdline_len = p->has_cmdline ? p->cmdline_len : 0,
		.cmdline_truncated = p->cmdline_truncated,
		.state = p->state,
		.kthread = p->kthread,
		/* A recorded scan does not say who the process was beyond its uid. */
		.auid = PL_ID_UNSET,
		.session = PL_ID_UNSET,
	};
	memcpy(s->comm, p->comm, PL_COMM_LEN);
}

void rec_reader__free(struct rec_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->zs_ready)
		inflateEnd(&r->zs);
	free(r->raw);
	free(r->z);
	free(r->conv);
	free(r);
}
