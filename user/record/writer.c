// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Writing recordings (format: recording.h, docs/RECORDING.md): records
 * gather into a block, which is deflated, checksummed and written with one
 * writev() when it is full or a second old.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

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
	int fd;
	__u64 offset;       /* bytes in the file: always at a block boundary */
	__u64 block_seq;
	__u64 last_flush;
	__u64 records;      /* in all files */
	unsigned seq;       /* rotation number */
	__u8 boot_id[16];   /* for every file's header: a replay joins pieces of one boot only */
	char *raw;          /* the pending block */
	size_t raw_len, raw_cap;
	__u32 nrecords;
	unsigned char *z;   /* compression buffer */
	size_t z_cap;
	z_stream zs;        /* raw deflate, reset per block */
	bool zs_ready;
	int err;
	char errmsg[256];
	char *features;     /* META strings "feature.NAME=STATE[: why]", NUL-separated, for every file */
	size_t features_len;
};

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

static int write_all(int fd, const struct iovec *iov, int n)
{
	struct iovec v[3];
	size_t total = 0;

	memcpy(v, iov, n * sizeof(*iov));
	for (int i = 0; i < n; i++)
		total += v[i].iov_len;
	while (total) {
		ssize_t r = writev(fd, v, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ENOSPC;
		total -= r;
		for (int i = 0; i < n && r; i++) {
			size_t k = (size_t)r < v[i].iov_len ? (size_t)r : v[i].iov_len;

			v[i].iov_base = (char *)v[i].iov_base + k;
			v[i].iov_len -= k;
			r -= k;
		}
	}
	return 0;
}

/* After a failed write: cut the file back to its last complete block, so it ends clean. */
static int write_failed(struct rec_writer *w, int e)
{
	if (ftruncate(w->fd, w->offset) < 0) {
		/* Nothing more to do: the reader will report the torn block. */
	}
	return fail(w, e, "writing %s: %s; the recording is complete up to offset %llu", w->path, strerror(-e),
		    (unsigned long long)w->offset);
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

static int write_header(struct rec_writer *w, __u64 start_ns, __s64 wall_offset_ns)
{
	struct rec_file_hdr h = {
		.major = REC_VERSION_MAJOR,
		.minor = REC_VERSION_MINOR,
		.hdr_size = sizeof(h),
		.start_ns = start_ns,
		.wall_offset_ns = wall_offset_ns,
		.flags = w->o.flags,
		.args_cap = w->o.args_cap,
		.seq = w->seq,
	};
	struct iovec iov = { &h, sizeof(h) };
	int r;

	memcpy(h.magic, REC_MAGIC, REC_MAGIC_LEN);
	memcpy(h.boot_id, w->boot_id, sizeof(h.boot_id));
	h.crc = crc(&h, offsetof(struct rec_file_hdr, crc));
	r = write_all(w->fd, &iov, 1);
	if (r < 0)
		return write_failed(w, r);
	w->offset = sizeof(h);
	w->block_seq = 0;
	return 0;
}

int rec_writer__flush(struct rec_writer *w)
{
	struct rec_block_hdr b = { .magic = REC_BLOCK_MAGIC };
	size_t need, zlen;
	struct iovec iov[2];
	int r;

	if (w->err)
		return w->err;
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
	b.hdr_crc = crc(&b, offsetof(struct rec_block_hdr, hdr_crc));
	iov[0] = (struct iovec){ &b, sizeof(b) };
	iov[1] = (struct iovec){ w->z, zlen };
	/* One writev per block: a kill between blocks leaves the file whole. */
	r = write_all(w->fd, iov, 2);
	if (r < 0)
		return write_failed(w, r);
	w->offset += sizeof(b) + zlen;
	w->block_seq++;
	w->raw_len = 0;
	w->nrecords = 0;
	return 0;
}

/* Room for one record of body bytes; returns where the body goes, or NULL (error set). */
static void *append(struct rec_writer *w, unsigned kind, size_t body)
{
	size_t size = sizeof(struct rec_hdr) + body, padded = REC_ALIGN8(size);
	struct rec_hdr *h;

	if (w->err)
		return NULL;
	if (size > REC_RECORD_MAX) {
		fail(w, -E2BIG, "a record of %zu bytes is larger than the format allows", size);
		return NULL;
	}
	if (w->raw_len + padded > REC_BLOCK_TARGET && w->raw_len && rec_writer__flush(w) < 0)
		return NULL;
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
	w->records++;
	return h + 1;
}

static int add(struct rec_writer *w, unsigned kind, const void *body, size_t len)
{
	void *p = append(w, kind, len);

	if (!p)
		return w->err;
	memcpy(p, body, len);
	return 0;
}

/* What the kernel could give while recording: a META record of its own. */
static int add_features(struct rec_writer *w, __u64 now)
{
	char *p = append(w, REC_META, sizeof(now) + w->features_len);

	if (!p)
		return w->err;
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

/*
 * --rotate-existing: an existing path is kept, as path.1 (older pieces
 * shifted as a rotation does), so that a restarted recorder never
 * overwrites a recording. A symlink is moved as it is, never followed.
 * When it is a recording, the new file's seq follows its seq, so that seq
 * still orders the pieces across restarts.
 */
static int keep_existing(const char *path, unsigned count, unsigned *seq, char *err, size_t errlen)
{
	struct rec_reader *r = NULL;
	struct stat st;

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
	if (S_ISREG(st.st_mode) && rec_reader__open(path, &r, err, errlen) == 0)
		*seq = rec_reader__header(r)->seq + 1;
	rec_reader__free(r);
	return shift_files(path, count, err, errlen);
}

static int open_current(struct rec_writer *w, __u64 now, __s64 wall_offset_ns, bool force, char *err,
			size_t errlen)
{
	int fd = create_file(w->path, force, err, errlen);

	if (fd < 0)
		return fd;
	w->fd = fd;
	w->last_flush = now;
	if (write_header(w, now, wall_offset_ns) < 0) {
		snprintf(err, errlen, "%s", w->errmsg);
		return w->err;
	}
	add_meta(w, now);
	return 0;
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
	read_boot_id(w->boot_id);
	/* rec_writer__rotate() counts down from rotate_count - 1: never from 0. */
	if (!w->o.rotate_count)
		w->o.rotate_count = 10;
	r = o->rotate_existing ? keep_existing(w->path, w->o.rotate_count, &w->seq, err, errlen) : 0;
	if (r == 0)
		r = open_current(w, start_ns, wall_offset_ns, o->force, err, errlen);
	if (r < 0) {
		if (w->fd >= 0) {
			close(w->fd);
			unlink(w->path);
		}
		free(w->raw);
		free((char *)w->o.command);
		free(w->path);
		free(w);
		return r;
	}
	*out = w;
	return 0;
}

int rec_writer__event(struct rec_writer *w, const void *rec, size_t size)
{
	return add(w, REC_EVENT, rec, size);
}

int rec_writer__snapshot(struct rec_writer *w, enum rec_snap_reason reason, __u64 ts, const struct proc_snapshot *v,
			 size_t n)
{
	struct rec_snap_begin b = { .ts = ts, .reason = reason, .count = n };
	struct rec_time e = { .ts = ts };

	add(w, REC_SNAP_BEGIN, &b, sizeof(b));
	for (size_t i = 0; i < n; i++) {
		const struct proc_snapshot *s = &v[i];
		__u32 cl = s->cmdline ? s->cmdline_len : 0;
		struct rec_snap_proc *p;

		if (cl > REC_RECORD_MAX - 1024) /* /proc cmdline is bounded far below; keep records small */
			cl = REC_RECORD_MAX - 1024;
		p = append(w, REC_SNAP_PROC, sizeof(*p) + cl);
		if (!p)
			return w->err;
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

	return add(w, REC_TICK, &t, sizeof(t));
}

int rec_writer__lost(struct rec_writer *w, __u64 ts, unsigned type, __u64 count)
{
	struct rec_lost l = { .ts = ts, .count = count, .type = type };

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
	if (w->err)
		return w->err;
	if (now - w->last_flush < REC_FLUSH_NS)
		return 0;
	w->last_flush = now;
	return rec_writer__flush(w);
}

bool rec_writer__rotate_due(const struct rec_writer *w)
{
	return !w->err && w->o.rotate_size && w->offset >= w->o.rotate_size;
}

static int end_file(struct rec_writer *w, __u64 now)
{
	struct rec_time t = { .ts = now };
	int r;

	add(w, REC_END, &t, sizeof(t));
	r = rec_writer__flush(w);
	if (close(w->fd) < 0 && !r)
		r = fail(w, -errno, "closing %s: %s", w->path, strerror(errno));
	w->fd = -1;
	return r;
}

int rec_writer__rotate(struct rec_writer *w, __u64 now, __s64 wall_offset_ns)
{
	char err[256];
	int r = end_file(w, now);

	if (r < 0)
		return r;
	r = shift_files(w->path, w->o.rotate_count, err, sizeof(err));
	if (r < 0)
		return fail(w, r, "%s", err);
	w->seq++;
	r = open_current(w, now, wall_offset_ns, true, err, sizeof(err));
	if (r < 0)
		r = fail(w, r, "%s", err);
	return r;
}

const char *rec_writer__error(const struct rec_writer *w)
{
	return w && w->err ? w->errmsg : NULL;
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
	r = w->err;
	if (w->fd >= 0)
		r = end_file(w, now);
	else if (!r)
		r = w->err;
	if (w->zs_ready)
		deflateEnd(&w->zs);
	free(w->raw);
	free(w->z);
	free((char *)w->o.command);
	free(w->path);
	free(w->features);
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
