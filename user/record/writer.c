// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Writing recordings (format: recording.h, docs/RECORDING.md): records
 * gather into a block, which is deflated, checksummed, chained to the one
 * before it (and sealed, with a key), and written with one pwritev() at the
 * end of the last complete block when it is full or a second old. A disk
 * that fails does not end the recording: the writer counts what it cannot
 * write, tries again every REC_RETRY_NS, and marks the gap (REC_GAP) once
 * it writes again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "base/msg.h"
#include "base/version.h"
#include "kernel/procfs.h"
#include "record/recording.h"

static __u32 crc(const void *p, size_t n)
{
	return crc32(0, p, n);
}

struct rec_writer {
	struct rec_writer_opts o;
	char *path;
	int fd;             /* -1: no current file (a rotation could not make it yet: need_shift, or fd < 0 while failing) */
	__u64 offset;       /* bytes in the file: always at a block boundary */
	__u64 start_ns;     /* the current file's header: start_ns, wall_offset_ns */
	__s64 wall_offset_ns;
	__u64 block_seq;
	__u64 last_flush;
	__u64 records;      /* in all files */
	unsigned seq;       /* rotation number */
	__u8 boot_id[16];   /* for every file's header: a replay joins pieces of one boot only */
	char *raw;          /* the pending block */
	size_t raw_len, raw_cap;
	__u32 nrecords;
	__u32 block_events; /* kernel events in it */
	unsigned char *z;   /* compression buffer */
	size_t z_cap;
	z_stream zs;        /* raw deflate, reset per block */
	bool zs_ready;
	int err;
	char errmsg[256];
	char *features;     /* META strings "feature.NAME=STATE[: why]", NUL-separated, for every file */
	size_t features_len;
	/* Failing (a disk error): records are counted, not written, until a retry writes again. */
	int failing;        /* the last try's error (negative errno); 0: writing */
	bool retrying;      /* between retry_begin() and rec_writer__resume(): a failure goes on with the same gap */
	bool need_header;   /* the current file has no header yet */
	bool need_shift;    /* a rotation ended the old file and has still to shift the kept ones */
	__u64 now;          /* the latest time it was given (saw()) */
	__u64 next_retry, retry_ns;
	__u64 retry_offset, retry_seq; /* where the file was when the retry began: a failed one is cut back there */
	__u8 retry_chain[CHAIN_HASH_LEN]; /* and its chain there */
	char failmsg[320];
	char dir[4096];     /* dir_of()'s */
	struct rec_writer_stats st;
	/* the chain (record/chain.h) */
	__u8 file_id[CHAIN_ID_LEN];      /* the current file's */
	__u8 prev_file_id[CHAIN_ID_LEN]; /* the file it continues, and that file's chain at its end */
	__u8 prev_chain[CHAIN_HASH_LEN];
	__u8 chain[CHAIN_HASH_LEN];      /* the hash of what the file holds so far: the next block's prev */
	struct seal_key key;             /* the seal key's copy; key.len 0: not sealing */
};

/* The latest time a caller gave (boot ns): the writer reads no clock of its own. */
static void saw(struct rec_writer *w, __u64 ts)
{
	if (ts > w->now)
		w->now = ts;
}

/* The error appending returns: failed for good, or failing now; 0 when writing. */
static int status(const struct rec_writer *w)
{
	return w->err ? w->err : w->failing;
}

/* Records (events among them) that will not be written: in the gap's count and the totals. */
static void unwritten(struct rec_writer *w, __u64 records, __u64 events)
{
	if (w->retrying)
		return; /* a retry's own records: written again by the next one */
	w->st.gap_records += records;
	w->st.gap_events += events;
	w->st.unwritten_records += records;
	w->st.unwritten_events += events;
}

static int fail(struct rec_writer *w, int e, const char *fmt, ...)
{
	va_list ap;

	if (w->err)
		return w->err;
	w->err = e;
	va_start(ap, fmt);
	vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
	va_end(ap);
	return e;
}

static int create_file(const char *path, bool force, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (force && lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is a directory", path);
			return -EISDIR;
		}
		/* Unlink, never write through: a symlink would point the audit file elsewhere. */
		if (unlink(path) < 0) {
			snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	/* Audit files hold argv, which may hold secrets: the owner only. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		if (e == EEXIST)
			snprintf(err, errlen, "%s exists%s (use --force to replace it)", path,
				 lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? " and is a symlink" : "");
		else
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
		return -e;
	}
	return fd;
}

/*
 * All of iov at off: at the end of the last complete block, whatever a
 * write that failed left after it (a torn block that could not be cut).
 */
static int write_at(int fd, const struct iovec *iov, int n, __u64 off)
{
	struct iovec v[3];
	size_t total = 0;

	memcpy(v, iov, n * sizeof(*iov));
	for (int i = 0; i < n; i++)
		total += v[i].iov_len;
	while (total) {
		ssize_t r = pwritev(fd, v, n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENOSPC;
		total -= r;
		off += r;
		for (int i = 0; i < n && r; i++) {
			size_t k = (size_t)r < v[i].iov_len ? (size_t)r : v[i].iov_len;

			v[i].iov_base = (char *)v[i].iov_base + k;
			v[i].iov_len -= k;
			r -= k;
		}
	}
	return 0;
}

/*
 * A disk error e: the writer fails from now on (a new gap, unless a retry
 * failed: the same one goes on), the pending block lost with the write.
 * why: what failed, for rec_writer__failing(). Returns e.
 */
static int start_failing(struct rec_writer *w, int e, const char *why)
{
	if (!w->retrying) {
		w->st.gaps++;
		w->st.since = w->now;
		w->st.first_err = e;
		w->st.gap_events = w->st.gap_records = 0;
		unwritten(w, w->nrecords, w->block_events);
		snprintf(w->failmsg, sizeof(w->failmsg), "%s", why);
		w->retry_ns = REC_RETRY_NS;
		w->next_retry = w->st.since + w->retry_ns;
	}
	w->failing = e;
	w->raw_len = 0;
	w->nrecords = w->block_events = 0;
	return e;
}

/*
 * After a failed write: cut the file back to its last complete block, so
 * it ends clean (when that fails too, the next write goes over the torn
 * bytes all the same: write_at()). A disk error leaves the writer failing,
 * any other ends the recording.
 */
static int write_failed(struct rec_writer *w, int e)
{
	char why[320];

	errcount__add(&w->st.errors, e);
	if (w->fd >= 0 && ftruncate(w->fd, w->offset) < 0) {
		/* Said by the next write's error, if the disk is that broken. */
	}
	snprintf(why, sizeof(why), "writing %s: %s; the recording is complete up to offset %llu", w->path,
		 strerror(-e), (unsigned long long)w->offset);
	if (!errcount__disk_error(e))
		return fail(w, e, "%s", why);
	return start_failing(w, e, why);
}

/*
 * The kernel's boot id ("8-4-4-4-12" hex digits) as 16 bytes, or zeros when
 * it cannot be read: boot-ns times of two boots cannot be compared, and
 * this says which boot they count from.
 */
static void read_boot_id(__u8 id[16])
{
	char buf[64];
	size_t k = 0;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	bool ok = f && fgets(buf, sizeof(buf), f);

	memset(id, 0, 16);
	for (const char *p = buf; ok && *p && *p != '\n' && k < 32; p++) {
		int v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (*p == '-')
			continue;
		if (v < 0)
			break;
		id[k / 2] |= v << (k % 2 ? 0 : 4);
		k++;
	}
	if (k != 32)
		memset(id, 0, 16);
	if (f)
		fclose(f);
}

/* The header: a new file id, the file it continues, the seal key's id; the chain starts with its hash. */
static int write_header(struct rec_writer *w)
{
	struct rec_file_hdr h = {
		.major = REC_VERSION_MAJOR,
		.minor = REC_VERSION_MINOR,
		.hdr_size = sizeof(h),
		.start_ns = w->start_ns,
		.wall_offset_ns = w->wall_offset_ns,
		.flags = w->o.flags,
		.args_cap = w->o.args_cap,
		.seq = w->seq,
		.seal = w->key.len ? REC_SEAL_HMAC_SHA256 : REC_SEAL_NONE,
	};
	struct iovec iov = { &h, sizeof(h) };
	int r = chain__random(w->file_id, sizeof(w->file_id));

	if (r < 0)
		return fail(w, r, "cannot make a file id: %s", strerror(-r));
	memcpy(h.magic, REC_MAGIC, REC_MAGIC_LEN);
	memcpy(h.boot_id, w->boot_id, sizeof(h.boot_id));
	h.crc = crc(&h, offsetof(struct rec_file_hdr, crc));
	memcpy(h.file_id, w->file_id, sizeof(h.file_id));
	memcpy(h.prev_file_id, w->prev_file_id, sizeof(h.prev_file_id));
	memcpy(h.prev_chain, w->prev_chain, sizeof(h.prev_chain));
	if (w->key.len)
		memcpy(h.key_id, w->key.id, sizeof(h.key_id));
	h.chain_crc = crc(h.file_id, offsetof(struct rec_file_hdr, chain_crc) - offsetof(struct rec_file_hdr, file_id));
	w->offset = 0;
	r = write_at(w->fd, &iov, 1, 0);
	if (r < 0)
		return write_failed(w, r);
	chain__hash2(&h, sizeof(h), NULL, 0, w->chain);
	w->offset = sizeof(h);
	w->block_seq = 0;
	return 0;
}

int rec_writer__flush(struct rec_writer *w)
{
	struct rec_block_hdr b = { .magic = REC_BLOCK_MAGIC };
	__u8 hash[CHAIN_HASH_LEN];
	size_t need, zlen;
	struct iovec iov[2];
	int r;

	if (w->err || w->failing)
		return status(w);
	if (!w->raw_len)
		return 0;
	/*
	 * Raw deflate (no zlib wrapper): the block's CRC32 already guards the
	 * bytes, and skipping Adler-32 over every inflated byte makes replay
	 * measurably faster. Level 1: events are repetitive enough that more
	 * effort buys little size and costs the recorder a lot.
	 */
	if (!w->zs_ready) {
		if (deflateInit2(&w->zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return fail(w, -ENOMEM, "out of memory");
		w->zs_ready = true;
	} else if (deflateReset(&w->zs) != Z_OK) {
		return fail(w, -EIO, "compressing a block failed");
	}
	need = deflateBound(&w->zs, w->raw_len);
	if (need > w->z_cap) {
		unsigned char *nz = realloc(w->z, need);

		if (!nz)
			return fail(w, -ENOMEM, "out of memory");
		w->z = nz;
		w->z_cap = need;
	}
	w->zs.next_in = (Bytef *)w->raw;
	w->zs.avail_in = w->raw_len;
	w->zs.next_out = w->z;
	w->zs.avail_out = w->z_cap;
	if (deflate(&w->zs, Z_FINISH) != Z_STREAM_END)
		return fail(w, -EIO, "compressing a block failed");
	zlen = w->zs.total_out;
	b.payload_len = zlen;
	b.raw_len = w->raw_len;
	b.nrecords = w->nrecords;
	b.seq = w->block_seq;
	b.payload_crc = crc(w->z, zlen);
	memcpy(b.prev, w->chain, sizeof(b.prev));
	chain__hash2(&b, offsetof(struct rec_block_hdr, seal), w->z, zlen, hash);
	if (w->key.len)
		chain__seal(&w->key, hash, b.seal);
	b.hdr_crc = crc(&b, offsetof(struct rec_block_hdr, hdr_crc));
	iov[0] = (struct iovec){ &b, sizeof(b) };
	iov[1] = (struct iovec){ w->z, zlen };
	/* One pwritev per block: a kill between blocks leaves the file whole. */
	r = write_at(w->fd, iov, 2, w->offset);
	if (r < 0)
		return write_failed(w, r);
	memcpy(w->chain, hash, sizeof(w->chain)); /* only once written: a failed block was cut off again */
	w->offset += sizeof(b) + zlen;
	w->block_seq++;
	w->raw_len = 0;
	w->nrecords = w->block_events = 0;
	return 0;
}

/* Room for one record of body bytes; returns where the body goes, or NULL (error set). */
static void *append(struct rec_writer *w, unsigned kind, size_t body)
{
	size_t size = sizeof(struct rec_hdr) + body, padded = REC_ALIGN8(size);
	struct rec_hdr *h;

	if (w->err)
		return NULL;
	if (w->failing) {
		unwritten(w, 1, kind == REC_EVENT);
		return NULL;
	}
	if (size > REC_RECORD_MAX) {
		fail(w, -E2BIG, "a record of %zu bytes is larger than the format allows", size);
		return NULL;
	}
	if (w->raw_len + padded > REC_BLOCK_TARGET && w->raw_len && rec_writer__flush(w) < 0) {
		if (w->failing)
			unwritten(w, 1, kind == REC_EVENT);
		return NULL;
	}
	if (w->raw_len + padded > w->raw_cap) {
		size_t cap = w->raw_cap ? w->raw_cap : 64 << 10;
		char *n;

		while (cap < w->raw_len + padded)
			cap *= 2;
		n = realloc(w->raw, cap);
		if (!n) {
			fail(w, -ENOMEM, "out of memory");
			return NULL;
		}
		w->raw = n;
		w->raw_cap = cap;
	}
	h = (struct rec_hdr *)(w->raw + w->raw_len);
	*h = (struct rec_hdr){ .size = size, .kind = kind };
	memset((char *)h + size, 0, padded - size);
	w->raw_len += padded;
	w->nrecords++;
	w->block_events += kind == REC_EVENT;
	w->records++;
	return h + 1;
}

static int add(struct rec_writer *w, unsigned kind, const void *body, size_t len)
{
	void *p = append(w, kind, len);

	if (!p)
		return status(w);
	memcpy(p, body, len);
	return 0;
}

/* What the kernel could give while recording: a META record of its own. */
static int add_features(struct rec_writer *w, __u64 now)
{
	char *p = append(w, REC_META, sizeof(now) + w->features_len);

	if (!p)
		return status(w);
	memcpy(p, &now, sizeof(now));
	memcpy(p + sizeof(now), w->features, w->features_len);
	return 0;
}

static void add_meta(struct rec_writer *w, __u64 now)
{
	char buf[1024], host[256] = "";
	struct utsname u;
	size_t n = 0;

	gethostname(host, sizeof(host) - 1);
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	memcpy(buf, &now, sizeof(now));
	n = sizeof(now);
	n += 1 + snprintf(buf + n, sizeof(buf) - n, "proclife=%s", PROCLIFE_VERSION);
	if (n < sizeof(buf))
		n += 1 + snprintf(buf + n, sizeof(buf) - n, "hostname=%s", host);
	if (n < sizeof(buf))
		n += 1 + snprintf(buf + n, sizeof(buf) - n, "kernel=%s", u.release);
	if (n < sizeof(buf) && w->o.command)
		n += 1 + snprintf(buf + n, sizeof(buf) - n, "command=%.900s", w->o.command);
	/* How many --redact expressions argv went through (the command above went through them too). */
	if (n < sizeof(buf) && w->o.redactions)
		n += 1 + snprintf(buf + n, sizeof(buf) - n, "redact=%u", w->o.redactions);
	if (n > sizeof(buf))
		n = sizeof(buf);
	add(w, REC_META, buf, n);
	if (w->features)
		add_features(w, now);
}

/*
 * path.(count-2) -> path.(count-1), ..., path -> path.1: the oldest falls
 * off; path is then free. 0, or -errno with the reason in err.
 */
static int shift_files(const char *path, unsigned count, char *err, size_t errlen)
{
	size_t n = strlen(path) + 16;
	char *from = malloc(n), *to = malloc(n);
	int r = 0;

	if (!from || !to) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	for (unsigned i = count - 1; i >= 1; i--) {
		snprintf(to, n, "%s.%u", path, i);
		if (i == 1)
			snprintf(from, n, "%s", path);
		else
			snprintf(from, n, "%s.%u", path, i - 1);
		if (rename(from, to) < 0 && errno != ENOENT) {
			r = -errno;
			snprintf(err, errlen, "rotating %s to %s: %s", from, to, strerror(-r));
			goto out;
		}
	}
	if (count <= 1)
		unlink(path);
out:
	free(from);
	free(to);
	return r;
}

/* The seq in path's header when path is a recording; else -1. */
static long seq_of(const char *path)
{
	struct rec_reader *r = NULL;
	char err[128];
	long seq = rec_reader__open(path, &r, err, sizeof(err)) == 0 ? (long)rec_reader__header(r)->seq : -1;

	rec_reader__free(r);
	return seq;
}

/*
 * A stub: what a recorder left before it held anything of the machine: an
 * empty file, or a recording that ends (cleanly, or torn by a kill) before
 * its first /proc scan is complete. A damaged one is no stub: kept, as
 * evidence. Its header's seq in *seq (-1: none).
 */
static bool is_stub(const char *path, const struct stat *st, long *seq)
{
	struct rec_reader *r = NULL;
	struct rec_item it;
	char err[128];
	int k;

	*seq = -1;
	if (!S_ISREG(st->st_mode))
		return false;
	if (st->st_size == 0)
		return true;
	if (rec_reader__open(path, &r, err, sizeof(err)) < 0)
		return false; /* not a recording: not ours to drop */
	*seq = rec_reader__header(r)->seq;
	while ((k = rec_reader__next(r, &it)) > 0 && it.kind != REC_SNAP_END)
		;
	k = k == 0 || (k < 0 && rec_reader__torn(r));
	rec_reader__free(r);
	return k;
}

/*
 * The chain a new file continues from a kept one: its id, and the hash of
 * its last whole block (a recorder killed mid-block left a torn one after
 * it). A file of format 1.x, or one that cannot be read, starts no chain.
 */
static void kept_chain(struct rec_writer *w, struct rec_reader *r)
{
	const struct rec_file_hdr *h = rec_reader__header(r);

	rec_reader__skim(r);
	if (!rec_reader__chain(r, w->prev_chain))
		return;
	memcpy(w->prev_file_id, h->file_id, sizeof(w->prev_file_id));
}

/* The chain a file that replaces a stub continues: what the stub continued, else the piece before it. */
static void stub_chain(struct rec_writer *w, const char *stub, const char *prev)
{
	struct rec_reader *r = NULL;
	char err[128];

	if (rec_reader__open(stub, &r, err, sizeof(err)) == 0) {
		const struct rec_file_hdr *h = rec_reader__header(r);

		memcpy(w->prev_file_id, h->prev_file_id, sizeof(w->prev_file_id));
		memcpy(w->prev_chain, h->prev_chain, sizeof(w->prev_chain));
	} else if (rec_reader__open(prev, &r, err, sizeof(err)) == 0) {
		kept_chain(w, r);
	}
	rec_reader__free(r);
}

/*
 * --rotate-existing: an existing path is kept, as path.1 (older pieces
 * shifted as a rotation does), so that a restarted recorder never
 * overwrites a recording. A symlink is moved as it is, never followed.
 * When it is a recording, the new file's seq follows its seq, so that seq
 * still orders the pieces across restarts, and the new file continues its
 * chain. A stub is replaced instead (its seq and the chain it continued
 * taken over): a recorder that restarts again and again, each time
 * stopping before its first scan, shifts no real recording out.
 */
static int keep_existing(struct rec_writer *w, const char *path, unsigned count, unsigned *seq, char *err,
			 size_t errlen)
{
	struct stat st;
	struct rec_reader *r = NULL;
	long k;

	if (lstat(path, &st) < 0) {
		int e = errno;

		if (e == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check %s: %s", path, strerror(e));
		return -e;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is a directory", path);
		return -EISDIR;
	}
	if (is_stub(path, &st, &k)) {
		char prev[PATH_MAX + 3];

		snprintf(prev, sizeof(prev), "%s.1", path);
		stub_chain(w, path, prev);
		if (unlink(path) < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot replace %s: %s", path, strerror(e));
			return -e;
		}
		if (k < 0 && (k = seq_of(prev)) >= 0)
			k++; /* an empty stub: on from the piece before it */
		*seq = k < 0 ? 0 : k;
		msg__say(MSG_INFO, "%s held no recording (its recorder stopped before its first /proc scan): replaced, "
			 "not kept", path);
		return 0;
	}
	if (S_ISREG(st.st_mode) && rec_reader__open(path, &r, err, errlen) == 0) {
		*seq = rec_reader__header(r)->seq + 1;
		kept_chain(w, r);
	}
	rec_reader__free(r);
	return shift_files(path, count, err, errlen);
}

/*
 * The current file's header and META records: at its creation, or at a
 * retry when its header could not be written then. 0, or the error
 * (failing or failed).
 */
static int start_file(struct rec_writer *w)
{
	int r;

	w->need_header = true;
	r = write_header(w);
	if (r < 0)
		return r;
	w->need_header = false;
	add_meta(w, w->start_ns);
	return status(w);
}

/*
 * Creates the current file and starts it. -errno (err says why) when it
 * cannot be created; else 0, the writer failing when the start could not
 * be written (status()).
 */
static int open_current(struct rec_writer *w, __u64 now, bool force, char *err, size_t errlen)
{
	int fd = create_file(w->path, force, err, errlen);

	if (fd < 0)
		return fd;
	w->fd = fd;
	w->last_flush = now;
	start_file(w);
	if (w->err) {
		snprintf(err, errlen, "%s", w->errmsg);
		return w->err;
	}
	return 0;
}

/*
 * What a rotation does once the old file is ended: shift the kept files,
 * create the new one and start it. A disk error leaves the writer failing
 * (the retry comes back here); any other ends the recording.
 */
static int next_file(struct rec_writer *w, __u64 now)
{
	char err[256];
	int r = 0;

	if (w->need_shift) {
		r = shift_files(w->path, w->o.rotate_count, err, sizeof(err));
		if (r == 0)
			w->need_shift = false;
	}
	if (r == 0)
		r = open_current(w, now, true, err, sizeof(err));
	if (r == 0 || w->err)
		return status(w);
	errcount__add(&w->st.errors, r);
	if (!errcount__disk_error(r))
		return fail(w, r, "%s", err);
	return start_failing(w, r, err);
}

int rec_writer__open(const struct rec_writer_opts *o, __u64 start_ns, __s64 wall_offset_ns, struct rec_writer **out,
		     char *err, size_t errlen)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	int r;

	if (!w || !(w->path = strdup(o->path))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->o = *o;
	w->o.path = w->path;
	w->o.command = o->command ? strdup(o->command) : NULL;
	w->fd = -1;
	w->start_ns = start_ns;
	w->wall_offset_ns = wall_offset_ns;
	w->now = start_ns;
	read_boot_id(w->boot_id);
	/* rec_writer__rotate() counts down from rotate_count - 1: never from 0. */
	if (!w->o.rotate_count)
		w->o.rotate_count = 10;
	if (o->seal_key)
		w->key = *o->seal_key;
	w->o.seal_key = NULL; /* the copy above is the writer's */
	r = o->rotate_existing ? keep_existing(w, w->path, w->o.rotate_count, &w->seq, err, errlen) : 0;
	if (r == 0)
		r = open_current(w, start_ns, o->force, err, errlen);
	if (r < 0) {
		if (w->fd >= 0) {
			close(w->fd);
			unlink(w->path);
		}
		free(w->raw);
		free((char *)w->o.command);
		free(w->path);
		seal_key__wipe(&w->key);
		free(w);
		return r;
	}
	*out = w;
	return 0;
}

int rec_writer__event(struct rec_writer *w, const void *rec, size_t size)
{
	saw(w, ((const struct pl_hdr *)rec)->ts);
	return add(w, REC_EVENT, rec, size);
}

int rec_writer__snapshot(struct rec_writer *w, enum rec_snap_reason reason, __u64 ts, const struct proc_snapshot *v,
			 size_t n)
{
	struct rec_snap_begin b = { .ts = ts, .reason = reason, .count = n };
	struct rec_time e = { .ts = ts };

	saw(w, ts);
	add(w, REC_SNAP_BEGIN, &b, sizeof(b));
	for (size_t i = 0; i < n; i++) {
		const struct proc_snapshot *s = &v[i];
		__u32 cl = s->cmdline ? s->cmdline_len : 0;
		struct rec_snap_proc *p;

		if (cl > REC_RECORD_MAX - 1024) /* /proc cmdline is bounded far below; keep records small */
			cl = REC_RECORD_MAX - 1024;
		p = append(w, REC_SNAP_PROC, sizeof(*p) + cl);
		if (!p)
			return status(w);
		*p = (struct rec_snap_proc){
			.start_ns = s->start_ns,
			.pid = s->pid,
			.ppid = s->ppid,
			.uid = s->uid,
			.exit_code = s->exit_code,
			.cmdline_len = cl,
			.state = s->state,
			.kthread = s->kthread,
			.cmdline_truncated = s->cmdline_truncated || cl < s->cmdline_len,
			.has_cmdline = s->cmdline != NULL,
		};
		memcpy(p->comm, s->comm, PL_COMM_LEN);
		p->comm[PL_COMM_LEN - 1] = 0;
		if (cl)
			memcpy(p->cmdline, s->cmdline, cl);
	}
	return add(w, REC_SNAP_END, &e, sizeof(e));
}

int rec_writer__tick(struct rec_writer *w, __u64 ts)
{
	struct rec_time t = { .ts = ts };

	saw(w, ts);
	return add(w, REC_TICK, &t, sizeof(t));
}

int rec_writer__lost(struct rec_writer *w, __u64 ts, unsigned type, __u64 count)
{
	struct rec_lost l = { .ts = ts, .count = count, .type = type };

	saw(w, ts);
	return add(w, REC_LOST, &l, sizeof(l));
}

int rec_writer__run_start(struct rec_writer *w, __u64 ts, __u32 pid)
{
	struct rec_run_start s = { .ts = ts, .pid = pid };

	return add(w, REC_RUN_START, &s, sizeof(s));
}

int rec_writer__run_end(struct rec_writer *w, const struct rec_run_end *e)
{
	return add(w, REC_RUN_END, e, sizeof(*e));
}

/* One REC_CGROUP record: up to REC_CGROUP_PIDS_MAX of the pids. */
static int add_cgroup(struct rec_writer *w, __u64 ts, enum rec_cgroup_hier hier, __u64 id, const char *path,
		      size_t len, const __u32 *pids, size_t npids)
{
	struct rec_cgroup c = { .ts = ts, .id = id, .hier = hier, .npids = npids, .path_len = len };
	char *p = append(w, REC_CGROUP, sizeof(c) + npids * sizeof(*pids) + len);

	if (!p)
		return w->err;
	memcpy(p, &c, sizeof(c));
	memcpy(p + sizeof(c), pids, npids * sizeof(*pids));
	memcpy(p + sizeof(c) + npids * sizeof(*pids), path, len);
	return 0;
}

int rec_writer__cgroup(struct rec_writer *w, __u64 ts, enum rec_cgroup_hier hier, __u64 id, const char *path,
		       const __u32 *pids, size_t npids)
{
	size_t len = strlen(path);
	int r = 0;

	if (w->err)
		return w->err;
	if (!len || len >= 4096 || path[0] != '/')
		return -EINVAL;
	if (!npids)
		return add_cgroup(w, ts, hier, id, path, len, NULL, 0);
	for (size_t i = 0; i < npids && !r; i += REC_CGROUP_PIDS_MAX)
		r = add_cgroup(w, ts, hier, id, path, len, pids + i,
			       npids - i < REC_CGROUP_PIDS_MAX ? npids - i : REC_CGROUP_PIDS_MAX);
	return r;
}

int rec_writer__container(struct rec_writer *w, __u64 ts, const char *cgroup, const struct ct_info *ci)
{
	char buf[sizeof(__u64) + 8192];
	size_t n;

	if (w->err)
		return w->err;
	n = rec_container__encode(cgroup, ci, buf + sizeof(ts), sizeof(buf) - sizeof(ts));
	if (!n)
		return -E2BIG;
	memcpy(buf, &ts, sizeof(ts));
	return add(w, REC_CONTAINER, buf, sizeof(ts) + n);
}

int rec_writer__maybe_flush(struct rec_writer *w, __u64 now)
{
	saw(w, now);
	if (w->err || w->failing)
		return status(w);
	if (now - w->last_flush < REC_FLUSH_NS)
		return 0;
	w->last_flush = now;
	return rec_writer__flush(w);
}

bool rec_writer__rotate_due(const struct rec_writer *w)
{
	return !w->err && !w->failing && w->o.rotate_size && w->offset >= w->o.rotate_size;
}

/*
 * The end mark, the last block, the file closed. 0; or the error: failed
 * (the file closed), or failing (the file stays the current one, cut back
 * to its last block, without its end).
 */
static int end_file(struct rec_writer *w, __u64 now)
{
	struct rec_time t = { .ts = now };
	int r;

	add(w, REC_END, &t, sizeof(t));
	r = rec_writer__flush(w);
	if (w->failing)
		return r;
	/* Torn bytes of a failed write that could not be cut may be left past the last block: not any more. */
	if (r == 0 && ftruncate(w->fd, w->offset) < 0) {
		/* A file system that refuses: the reader stops at them, after the end mark. */
	}
	if (close(w->fd) < 0 && !r)
		r = fail(w, -errno, "closing %s: %s", w->path, strerror(errno));
	w->fd = -1;
	return r;
}

int rec_writer__rotate(struct rec_writer *w, __u64 now, __s64 wall_offset_ns)
{
	int r;

	saw(w, now);
	if (w->err || w->failing)
		return status(w);
	r = end_file(w, now);
	if (r < 0)
		return r;
	/* The new file continues this one's chain, from its end mark's block. */
	memcpy(w->prev_file_id, w->file_id, sizeof(w->prev_file_id));
	memcpy(w->prev_chain, w->chain, sizeof(w->prev_chain));
	w->seq++;
	w->start_ns = now;
	w->wall_offset_ns = wall_offset_ns;
	w->need_shift = true;
	return next_file(w, now);
}

/* The directory of the recording (for its free space when there is no file yet). */
static const char *dir_of(struct rec_writer *w)
{
	const char *slash = strrchr(w->path, '/');
	size_t n = slash ? (size_t)(slash - w->path) : 0;

	if (!slash)
		return ".";
	if (!n)
		return "/";
	snprintf(w->dir, sizeof(w->dir), "%.*s", (int)(n < sizeof(w->dir) - 1 ? n : sizeof(w->dir) - 1), w->path);
	return w->dir;
}

/*
 * A retry that failed: the file as it was before it (what it wrote cut
 * off), the next one later: a second on when the disk refused the first
 * small block, twice the wait (up to REC_RETRY_MAX_NS) when it took that
 * and refused the rest (a disk that is almost full: no /proc scan every
 * second for nothing).
 */
static void retry_failed(struct rec_writer *w, bool probed)
{
	w->retrying = false;
	w->raw_len = 0;
	w->nrecords = w->block_events = 0;
	if (w->err)
		return;
	if (w->fd >= 0) {
		if (ftruncate(w->fd, w->retry_offset) < 0) {
			/* The next retry writes over it (write_at()). */
		}
		w->offset = w->retry_offset;
		w->block_seq = w->retry_seq;
		w->need_header = !w->offset;
		/* The blocks cut off are no part of the chain: the next one follows the last kept. */
		memcpy(w->chain, w->retry_chain, sizeof(w->chain));
	}
	if (probed)
		w->retry_ns = w->retry_ns * 2 < REC_RETRY_MAX_NS ? w->retry_ns * 2 : REC_RETRY_MAX_NS;
	w->next_retry = w->now + w->retry_ns;
}

/*
 * Start writing again: what the failure left undone (a rotation's rest,
 * the file's header), then the gap's mark, in a small block of its own
 * (which a disk still full refuses). 1 when written: the caller adds what
 * the file needs after a gap and calls rec_writer__resume(); 0 when it
 * still fails (cut back); -errno when it failed for good.
 */
static int retry_begin(struct rec_writer *w, __u64 now)
{
	struct rec_gap g;
	int r;

	saw(w, now);
	if (w->failing == -ENOSPC && !errcount__room(w->fd, dir_of(w))) {
		errcount__add(&w->st.errors, w->failing); /* a retry, and no room yet */
		w->next_retry = w->now + w->retry_ns;
		return 0;
	}
	w->failing = 0;
	w->retrying = true;
	w->retry_offset = w->need_header || w->need_shift || w->fd < 0 ? 0 : w->offset;
	w->retry_seq = w->retry_offset ? w->block_seq : 0;
	memcpy(w->retry_chain, w->chain, sizeof(w->retry_chain));
	if (w->need_shift || w->fd < 0)
		r = next_file(w, now);
	else
		r = w->need_header ? start_file(w) : 0;
	if (r == 0) {
		g = (struct rec_gap){ .ts = now, .since = w->st.since, .events = w->st.gap_events,
				      .records = w->st.gap_records, .err = -w->st.first_err };
		r = add(w, REC_GAP, &g, sizeof(g));
		if (r == 0)
			r = rec_writer__flush(w);
	}
	if (r < 0) {
		retry_failed(w, false);
		return w->err;
	}
	w->last_flush = now;
	return 1;
}

int rec_writer__retry(struct rec_writer *w, __u64 now)
{
	if (w->err)
		return w->err;
	if (!w->failing || now < w->next_retry)
		return 0;
	return retry_begin(w, now);
}

int rec_writer__resume(struct rec_writer *w)
{
	int r;

	if (!w->retrying)
		return w->err ? w->err : !w->failing;
	r = status(w);
	if (r == 0)
		r = rec_writer__flush(w);
	if (r < 0) {
		retry_failed(w, true);
		return w->err;
	}
	w->retrying = false;
	w->st.since = 0;
	w->retry_ns = REC_RETRY_NS;
	return 1;
}

const char *rec_writer__failing(const struct rec_writer *w)
{
	return w && w->failing && !w->err ? w->failmsg : NULL;
}

const char *rec_writer__error(const struct rec_writer *w)
{
	return w && w->err ? w->errmsg : NULL;
}

const struct rec_writer_stats *rec_writer__stats(const struct rec_writer *w)
{
	return &w->st;
}

void rec_writer__chain(const struct rec_writer *w, __u8 file_id[CHAIN_ID_LEN], __u8 chain[CHAIN_HASH_LEN])
{
	memcpy(file_id, w->file_id, CHAIN_ID_LEN);
	memcpy(chain, w->chain, CHAIN_HASH_LEN);
}

__u64 rec_writer__offset(const struct rec_writer *w)
{
	return w->offset;
}

__u64 rec_writer__records(const struct rec_writer *w)
{
	return w->records;
}

int rec_writer__close(struct rec_writer *w, __u64 now)
{
	int r;

	if (!w)
		return 0;
	/* Failing: once more, whatever the schedule; the end is worth a try. */
	if (w->failing && !w->err && retry_begin(w, now) == 1)
		rec_writer__resume(w);
	if (w->fd >= 0 && !status(w))
		end_file(w, now);
	r = status(w);
	if (w->fd >= 0)
		close(w->fd);
	if (w->zs_ready)
		deflateEnd(&w->zs);
	free(w->raw);
	free(w->z);
	free((char *)w->o.command);
	free(w->path);
	free(w->features);
	seal_key__wipe(&w->key);
	free(w);
	return r;
}

int rec_writer__features(struct rec_writer *w, __u64 now, const char *kv, size_t len)
{
	char *copy;

	if (w->err)
		return w->err;
	if (!len || len > 4096 || kv[len - 1])
		return -EINVAL;
	copy = malloc(len);
	if (!copy)
		return fail(w, -ENOMEM, "out of memory");
	memcpy(copy, kv, len);
	free(w->features);
	w->features = copy;
	w->features_len = len;
	return add_features(w, now);
}
