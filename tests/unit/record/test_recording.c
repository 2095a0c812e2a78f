// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Recordings (user/record/): what the writer writes is what the reader
 * reads, exactly; damage anywhere is found and said with its offset; the
 * file's creation refuses to clobber or follow symlinks; rotation, and
 * --rotate-existing replacing stubs; a failing disk (a full tmpfs, the
 * file size limit, no inode for a rotation's file) leaves a file that
 * reads cleanly up to where it says, counts what it could not write, and
 * once the disk takes writes again marks the gap and goes on. (The
 * instants and sizes of the -r/-w options are cmd/test_options.c's.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "testlib.h"
#include "base/msg.h"
#include "kernel/ctstate.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "unit/rechain.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define START_NS SYNTH_BOOT_NS
#define WALL_OFFSET ((__s64)SYNTH_EPOCH * 1000000000ll - (__s64)SYNTH_BOOT_NS)
#define SEC 1000000000ull
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static char dir[64];  /* this run's temporary directory */
static char path[128];
static char err[512];
static char said[4096]; /* what the writer said (base/msg.h), line after line */

static void capture(void *ctx, enum msg_level level, const char *text)
{
	size_t n = strlen(said);

	snprintf(said + n, sizeof(said) - n, "%s\n", text);
}

/* ---------------------------------------------------------------- helpers */

static const char *tmp_path(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static void *read_file(const char *p, size_t *len)
{
	int fd = open(p, O_RDONLY);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (buf && pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
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

static struct rec_writer *open_writer(const char *p, bool force)
{
	struct rec_writer_opts o = { .path = p, .force = force, .args_cap = 4096, .command = "proclife test" };
	struct rec_writer *w = NULL;
	int r = rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err));

	if (!ASSERT_EQ(r, 0))
		printf("    %s\n", err);
	return r ? NULL : w;
}

static struct rec_reader *open_mem(const void *buf, size_t len)
{
	struct rec_reader *r = NULL;

	if (!ASSERT_EQ(rec_reader__open_mem(buf, len, &r, err, sizeof(err)), 0)) {
		printf("    %s\n", err);
		return NULL;
	}
	return r;
}

/* A varied event stream: event i of each kind, deterministic, with incompressible bytes if asked. */
static _Alignas(8) unsigned char evbuf[sizeof(struct pl_exec) + 8192];

static __u32 xorshift(__u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static size_t make_exec(unsigned i, size_t noise)
{
	static char junk[4096];
	static __u32 seed = 2463534242u;
	char num[16];
	const char *argv[] = { "worker", num, junk };
	size_t lens[] = { 6, 0, noise };

	lens[1] = snprintf(num, sizeof(num), "%u", i);
	for (size_t k = 0; k < noise && k < sizeof(junk); k++)
		junk[k] = 'a' + xorshift(&seed) % 26;
	return synth_exec(evbuf, 1000 + i, "/usr/bin/worker", argv, lens, noise ? 3 : 2);
}

/* The pid of an exec record made by make_exec(i): 1000 + i. */
static __u32 exec_index(const struct rec_item *it)
{
	return ((const struct pl_hdr *)it->body)->pid - 1000;
}

/* Walks a file's blocks: their offsets (up to max), and how many there are. */
static size_t block_offsets(const unsigned char *buf, size_t len, __u64 *offs, size_t max)
{
	size_t n = 0;
	__u64 off = sizeof(struct rec_file_hdr);

	while (off + sizeof(struct rec_block_hdr) <= len) {
		struct rec_block_hdr b;

		memcpy(&b, buf + off, sizeof(b));
		if (n < max)
			offs[n] = off;
		n++;
		off += sizeof(b) + b.payload_len;
	}
	return n;
}

/* Raw deflate (no zlib wrapper), as the format has it: the compressed length. */
static size_t deflate_raw(void *out, size_t cap, const void *in, size_t len)
{
	z_stream zs = {};
	size_t n = 0;

	if (deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	zs.next_in = (Bytef *)in;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = cap;
	if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
		n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

/* The chain of the file being crafted (crafted_header_of() starts it) and its format. */
static __u8 crafted_chain[CHAIN_HASH_LEN];
static __u16 crafted_major = REC_VERSION_MAJOR;

/* Appends a block of raw records (len a multiple of 8) to buf at *off, chained, as the writer would. */
static void put_block(unsigned char *buf, size_t *off, __u64 seq, const void *raw, size_t len, __u32 nrecords)
{
	struct rec_block_hdr b = { .magic = REC_BLOCK_MAGIC, .raw_len = len, .nrecords = nrecords, .seq = seq };
	struct rec_block_hdr_1x b1 = { .magic = REC_BLOCK_MAGIC, .raw_len = len, .nrecords = nrecords, .seq = seq };
	size_t hs = crafted_major >= 2 ? sizeof(b) : sizeof(b1);
	size_t zlen = deflate_raw(buf + *off + hs, compressBound(len) + 64, raw, len);

	if (crafted_major < 2) {
		b1.payload_len = zlen;
		b1.payload_crc = crc32(0, buf + *off + hs, zlen);
		b1.hdr_crc = crc32(0, (const Bytef *)&b1, offsetof(struct rec_block_hdr_1x, hdr_crc));
		memcpy(buf + *off, &b1, sizeof(b1));
		*off += hs + zlen;
		return;
	}
	b.payload_len = zlen;
	b.payload_crc = crc32(0, buf + *off + hs, zlen);
	memcpy(b.prev, crafted_chain, sizeof(b.prev));
	chain__hash2(&b, offsetof(struct rec_block_hdr, seal), buf + *off + hs, zlen, crafted_chain);
	b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
	memcpy(buf + *off, &b, sizeof(b));
	*off += hs + zlen;
}

/* A record into raw at *off: header, body, zero padding. */
static void put_record(unsigned char *raw, size_t *off, unsigned kind, const void *body, size_t len)
{
	struct rec_hdr h = { .size = sizeof(h) + len, .kind = kind };

	memcpy(raw + *off, &h, sizeof(h));
	memcpy(raw + *off + sizeof(h), body, len);
	memset(raw + *off + sizeof(h) + len, 0, ALIGN8(sizeof(h) + len) - sizeof(h) - len);
	*off += ALIGN8(sizeof(h) + len);
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

#define ASSERT_PREFIX(s, prefix)                                                             \
	({                                                                                   \
		const char *_s = (s), *_p = (prefix);                                        \
		bool _ok = starts_with(_s, _p);                                              \
		if (!_ok)                                                                    \
			FAILF("%s starts with \"%s\": got \"%s\"", #s, _p, _s ? _s : "(null)"); \
		_ok;                                                                         \
	})

#define ASSERT_CONTAINS(s, part)                                                             \
	({                                                                                   \
		const char *_s = (s), *_p = (part);                                          \
		bool _ok = _s && strstr(_s, _p);                                             \
		if (!_ok)                                                                    \
			FAILF("%s contains \"%s\": got \"%s\"", #s, _p, _s ? _s : "(null)");   \
		_ok;                                                                         \
	})

/* ---------------------------------------------------------------- round trip */

static const char init_cmd[] = "/sbin/init\0splash";
static const char cut_cmd[] = "python3\0-c\0print(1)"; /* no trailing NUL: cut by the cap */

static const struct proc_snapshot snap[] = {
	{ .start_ns = 1 * SEC, .pid = 1, .ppid = 0, .cmdline = (char *)init_cmd, .cmdline_len = sizeof(init_cmd),
	  .state = 'S', .comm = "systemd" },
	{ .start_ns = 2 * SEC, .pid = 2, .ppid = 0, .state = 'I', .kthread = true, .comm = "kthreadd" },
	{ .start_ns = 3 * SEC, .pid = 100, .ppid = 1, .uid = 1000, .exit_code = 0x0300, .state = 'Z',
	  .comm = "defunct-name-15" },
	{ .start_ns = 4 * SEC, .pid = 101, .ppid = 100, .uid = 1000, .cmdline = (char *)cut_cmd,
	  .cmdline_len = sizeof(cut_cmd) - 1, .cmdline_truncated = true, .state = 'R', .comm = "python3" },
};
#define NSNAP (sizeof(snap) / sizeof(snap[0]))

/* Every kind of kernel record, each with its own bytes; filled by make_events(). */
static _Alignas(8) unsigned char ev_store[8][512];
static size_t ev_size[8];

static void make_events(void)
{
	const char *argv[] = { "sh", "-c", "exit 3" };
	size_t lens[] = { 2, 2, 6 };
	struct pl_fork *f = (void *)ev_store[0];
	struct pl_exec_failed *xf = (void *)ev_store[2];
	struct pl_exit *x = (void *)ev_store[3];
	struct pl_reap *rp = (void *)ev_store[4];
	struct pl_signal *s = (void *)ev_store[5];
	struct pl_deliver *d = (void *)ev_store[6];
	struct pl_rename *rn = (void *)ev_store[7];

	memset(ev_store, 0, sizeof(ev_store));
	synth_hdr(&f->h, PL_EV_FORK, 100, 1, "bash");
	f->child_pid = f->child_tid = f->child_ppid = 200;
	f->child_start_ns = START_NS + 5;
	ev_size[0] = sizeof(*f);
	ev_size[1] = synth_exec(ev_store[1], 200, "/bin/sh", argv, lens, 3);
	synth_hdr(&xf->h, PL_EV_EXEC_FAILED, 200, 100, "bash");
	xf->err = ENOENT;
	xf->filename_len = 9;
	memcpy(xf->data, "/no/such", 9);
	ev_size[2] = sizeof(*xf) + 9;
	synth_hdr(&x->h, PL_EV_EXIT, 200, 100, "sh");
	x->status = 3 << 8;
	x->killer.sig = 9;
	memcpy(x->killer.comm, "killer", 6);
	ev_size[3] = sizeof(*x);
	synth_hdr(&rp->h, PL_EV_REAP, 200, 100, "sh");
	rp->status = 3 << 8;
	rp->reaper_pid = rp->reaper_tid = 100;
	ev_size[4] = sizeof(*rp);
	synth_hdr(&s->h, PL_EV_SIGNAL, 100, 1, "bash");
	s->sig = 15;
	s->target_pid = 200;
	s->value = 0x1122334455667788ull;
	ev_size[5] = sizeof(*s);
	synth_hdr(&d->h, PL_EV_DELIVER, 200, 100, "sh");
	d->sig = 15;
	d->sa_flags = 0x04000000;
	ev_size[6] = sizeof(*d);
	synth_hdr(&rn->h, PL_EV_RENAME, 200, 100, "sh");
	memcpy(rn->new_comm, "renamed", 7);
	ev_size[7] = sizeof(*rn);
	for (int i = 0; i < 8; i++)
		((struct pl_hdr *)ev_store[i])->ts = START_NS + 1000 * (i + 1);
}

static const struct rec_run_end run_end = {
	.ts = START_NS + 90000, .pid = 200, .exit_code = 3, .status = 3 << 8, .lost = 7,
};

/* Writes the file of the round trip; false if a call failed. */
static bool write_everything(const char *p)
{
	struct rec_writer *w = open_writer(p, false);
	bool ok;

	if (!w)
		return false;
	make_events();
	ok = ASSERT_EQ(rec_writer__run_start(w, START_NS + 1, 200), 0) &&
	     ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, START_NS + 2, snap, NSNAP), 0);
	for (int i = 0; ok && i < 8; i++)
		ok = ASSERT_EQ(rec_writer__event(w, ev_store[i], ev_size[i]), 0);
	ok = ok && ASSERT_EQ(rec_writer__tick(w, START_NS + 50000), 0) &&
	     ASSERT_EQ(rec_writer__lost(w, START_NS + 60000, PL_EV_EXEC, 42), 0) &&
	     ASSERT_EQ(rec_writer__run_end(w, &run_end), 0) &&
	     ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_FINAL, START_NS + 95000, snap, 1), 0);
	ASSERT_EQ(rec_writer__records(w), 1 + 1 + (NSNAP + 2) + 8 + 3 + 3);
	return ASSERT_EQ(rec_writer__close(w, START_NS + 100000), 0) && ok;
}

static bool next_is(struct rec_reader *r, struct rec_item *it, unsigned kind)
{
	int e = rec_reader__next(r, it);

	if (!ASSERT_EQ(e, 1)) {
		printf("    expected a record of kind %u: %s\n", kind, rec_reader__error(r));
		return false;
	}
	return ASSERT_EQ(it->kind, kind);
}

static void check_snapshot(struct rec_reader *r, unsigned reason, __u64 ts, size_t n)
{
	struct rec_item it;

	if (!next_is(r, &it, REC_SNAP_BEGIN))
		return;
	ASSERT_EQ(it.ts, ts);
	ASSERT_EQ(((const struct rec_snap_begin *)it.body)->reason, reason);
	ASSERT_EQ(((const struct rec_snap_begin *)it.body)->count, n);
	for (size_t i = 0; i < n; i++) {
		struct proc_snapshot s;

		if (!next_is(r, &it, REC_SNAP_PROC))
			return;
		ASSERT_EQ(it.ts, 0);
		rec_snap_proc__decode(it.body, it.len, &s);
		ASSERT_EQ(s.start_ns, snap[i].start_ns);
		ASSERT_EQ(s.pid, snap[i].pid);
		ASSERT_EQ(s.ppid, snap[i].ppid);
		ASSERT_EQ(s.uid, snap[i].uid);
		ASSERT_EQ(s.exit_code, snap[i].exit_code);
		ASSERT_EQ(s.state, snap[i].state);
		ASSERT_EQ(s.kthread, snap[i].kthread);
		ASSERT_EQ(s.cmdline_truncated, snap[i].cmdline_truncated);
		ASSERT_STREQ(s.comm, snap[i].comm);
		ASSERT_EQ(s.cmdline != NULL, snap[i].cmdline != NULL);
		if (s.cmdline && snap[i].cmdline && ASSERT_EQ(s.cmdline_len, snap[i].cmdline_len))
			ASSERT_MEMEQ(s.cmdline, snap[i].cmdline, s.cmdline_len);
	}
	if (next_is(r, &it, REC_SNAP_END))
		ASSERT_EQ(it.ts, ts);
}

static void check_everything(struct rec_reader *r)
{
	const struct rec_file_hdr *h = rec_reader__header(r);
	struct rec_item it;

	ASSERT_MEMEQ(h->magic, REC_MAGIC, REC_MAGIC_LEN);
	ASSERT_EQ(h->major, REC_VERSION_MAJOR);
	ASSERT_EQ(h->minor, REC_VERSION_MINOR);
	ASSERT_EQ(h->hdr_size, sizeof(struct rec_file_hdr));
	ASSERT_EQ(h->start_ns, START_NS);
	ASSERT_EQ(h->wall_offset_ns, WALL_OFFSET);
	ASSERT_EQ(h->args_cap, 4096);
	ASSERT_EQ(h->seq, 0);
	/* The writer's META: its time, then key=value strings. */
	if (next_is(r, &it, REC_META)) {
		const char *kv = (const char *)it.body + 8, *end = (const char *)it.body + it.len;
		bool version = false, command = false;

		ASSERT_EQ(it.ts, START_NS);
		for (; kv < end; kv += strlen(kv) + 1) {
			version |= starts_with(kv, "proclife=");
			command |= !strcmp(kv, "command=proclife test");
		}
		ASSERT_TRUE(version);
		ASSERT_TRUE(command);
	}
	if (next_is(r, &it, REC_RUN_START)) {
		ASSERT_EQ(it.ts, START_NS + 1);
		ASSERT_EQ(((const struct rec_run_start *)it.body)->pid, 200);
	}
	check_snapshot(r, REC_SNAP_START, START_NS + 2, NSNAP);
	for (int i = 0; i < 8; i++) {
		if (!next_is(r, &it, REC_EVENT))
			return;
		ASSERT_EQ(it.ts, START_NS + 1000 * (i + 1));
		if (ASSERT_EQ(it.len, ev_size[i]))
			ASSERT_MEMEQ(it.body, ev_store[i], ev_size[i]);
	}
	if (next_is(r, &it, REC_TICK))
		ASSERT_EQ(it.ts, START_NS + 50000);
	if (next_is(r, &it, REC_LOST)) {
		const struct rec_lost *l = it.body;

		ASSERT_EQ(it.ts, START_NS + 60000);
		ASSERT_EQ(l->type, PL_EV_EXEC);
		ASSERT_EQ(l->count, 42);
	}
	if (next_is(r, &it, REC_RUN_END) && ASSERT_EQ(it.len, sizeof(run_end)))
		ASSERT_MEMEQ(it.body, &run_end, sizeof(run_end));
	check_snapshot(r, REC_SNAP_FINAL, START_NS + 95000, 1);
	ASSERT_FALSE(rec_reader__complete(r));
	if (next_is(r, &it, REC_END))
		ASSERT_EQ(it.ts, START_NS + 100000);
	ASSERT_EQ(rec_reader__next(r, &it), 0);
	ASSERT_EQ(rec_reader__next(r, &it), 0);
	ASSERT_TRUE(rec_reader__complete(r));
	ASSERT_TRUE(rec_reader__error(r) == NULL);
	ASSERT_FALSE(rec_reader__torn(r));
}

static void test_round_trip(void)
{
	struct rec_reader *r = NULL;
	unsigned char *buf;
	size_t len;

	if (!write_everything(tmp_path("all.plr")))
		return;
	if (!ASSERT_EQ(rec_reader__open(path, &r, err, sizeof(err)), 0)) {
		printf("    %s\n", err);
		return;
	}
	check_everything(r);
	buf = read_file(path, &len);
	ASSERT_EQ(rec_reader__offset(r), len);
	rec_reader__free(r);
	/* The same through the in-memory reader (the fuzzer's). */
	r = open_mem(buf, len);
	if (r)
		check_everything(r);
	rec_reader__free(r);
	/* Written at close as one block: header, block header, payload. */
	ASSERT_EQ(block_offsets(buf, len, NULL, 0), 1);
	free(buf);
}

static void test_file_mode(void)
{
	struct rec_writer *w;
	struct stat st;
	mode_t old = umask(0); /* the writer's own 0600, not the umask's */

	w = open_writer(tmp_path("mode.plr"), false);
	umask(old);
	if (!w)
		return;
	if (ASSERT_EQ(stat(path, &st), 0)) {
		ASSERT_TRUE(S_ISREG(st.st_mode));
		ASSERT_EQ(st.st_mode & 07777, 0600);
	}
	ASSERT_EQ(rec_writer__close(w, START_NS + 1), 0);
	ASSERT_EQ(rec_writer__close(NULL, 0), 0);
}

/* ---------------------------------------------------------------- blocks */

static void test_multiple_blocks(void)
{
	struct rec_writer *w = open_writer(tmp_path("big.plr"), false);
	const unsigned n = 9000, flush_at = 100;
	__u64 offs[64], before;
	struct rec_reader *r;
	struct rec_item it;
	unsigned char *buf;
	size_t len, nblocks;
	unsigned next = 0;
	int e;

	if (!w)
		return;
	for (unsigned i = 0; i < n; i++) {
		size_t sz = make_exec(i, i % 7 * 40);

		if (rec_writer__event(w, evbuf, sz) < 0) {
			FAILF("event %u: %s", i, rec_writer__error(w));
			break;
		}
		if (i == flush_at) {
			/* A forced flush writes the pending block at once; an empty one writes nothing. */
			before = rec_writer__offset(w);
			ASSERT_EQ(rec_writer__flush(w), 0);
			ASSERT_GE(rec_writer__offset(w), before + sizeof(struct rec_block_hdr) + 1);
			before = rec_writer__offset(w);
			ASSERT_EQ(rec_writer__flush(w), 0);
			ASSERT_EQ(rec_writer__offset(w), before);
			/* Time-driven: nothing before REC_FLUSH_NS since the last, the block after. */
			ASSERT_EQ(rec_writer__event(w, evbuf, sz), 0);
			ASSERT_EQ(rec_writer__maybe_flush(w, START_NS + REC_FLUSH_NS / 2), 0);
			ASSERT_EQ(rec_writer__offset(w), before);
			ASSERT_EQ(rec_writer__maybe_flush(w, START_NS + REC_FLUSH_NS), 0);
			ASSERT_GE(rec_writer__offset(w), before + sizeof(struct rec_block_hdr) + 1);
		}
	}
	if (!ASSERT_EQ(rec_writer__close(w, START_NS + 10 * SEC), 0))
		return;
	buf = read_file(path, &len);
	if (!ASSERT_TRUE(buf))
		return;
	nblocks = block_offsets(buf, len, offs, 64);
	/* ~1.7 MB of records: well past REC_BLOCK_TARGET several times. */
	ASSERT_GE(nblocks, 6);
	for (size_t i = 0; i < nblocks && i < 64; i++) {
		struct rec_block_hdr b;

		memcpy(&b, buf + offs[i], sizeof(b));
		ASSERT_EQ(b.seq, i);
		ASSERT_TRUE(b.raw_len <= REC_BLOCK_TARGET);
		ASSERT_TRUE(b.payload_len < b.raw_len); /* compressed */
	}
	r = open_mem(buf, len);
	while (r && (e = rec_reader__next(r, &it)) > 0) {
		if (it.kind != REC_EVENT)
			continue;
		/* Every event once, in order (the one repeated at flush_at included). */
		if (exec_index(&it) != next && !(next == flush_at + 1 && exec_index(&it) == flush_at)) {
			FAILF("event %u where %u was expected", exec_index(&it), next);
			break;
		}
		if (exec_index(&it) == next)
			next++;
	}
	if (r) {
		ASSERT_EQ(e, 0);
		ASSERT_EQ(next, n);
		ASSERT_TRUE(rec_reader__complete(r));
	}
	rec_reader__free(r);
	free(buf);
}

/* A file of several small blocks; returns it (malloc'd) and the record count before each block. */
static unsigned char *small_blocks_file(const char *name, size_t *len, __u64 *offs, unsigned *before, size_t *nblocks)
{
	struct rec_writer *w = open_writer(tmp_path(name), false);
	unsigned recs = 1; /* the META */
	unsigned char *buf;

	if (!w)
		return NULL;
	for (unsigned b = 0; b < 4; b++) {
		for (unsigned i = 0; i < 3 + b; i++) {
			rec_writer__event(w, evbuf, make_exec(b * 10 + i, 30));
			recs++;
		}
		rec_writer__flush(w);
		before[b + 1] = recs;
	}
	before[0] = 0;
	if (!ASSERT_EQ(rec_writer__close(w, START_NS + SEC), 0))
		return NULL;
	buf = read_file(path, len);
	*nblocks = block_offsets(buf, *len, offs, 8);
	return buf;
}

/* Reads all of buf[0..len); the records read and the result of the last next(). */
static int read_all(const void *buf, size_t len, unsigned *n)
{
	struct rec_reader *r = open_mem(buf, len);
	struct rec_item it;
	int e;

	*n = 0;
	if (!r)
		return -1;
	while ((e = rec_reader__next(r, &it)) > 0)
		(*n)++;
	rec_reader__free(r);
	return e;
}

static void test_torn_at_every_offset(void)
{
	__u64 offs[8];
	unsigned before[8];
	size_t len, nb;
	unsigned char *buf = small_blocks_file("torn.plr", &len, offs, before, &nb);
	__u64 last;
	char want[64];

	if (!buf || !ASSERT_EQ(nb, 5)) /* four flushed blocks, then the end mark's */
		goto out;
	/* Cut anywhere in the last two blocks: what came before them is all there. */
	for (size_t blk = nb - 2; blk < nb; blk++) {
		__u64 end = blk + 1 < nb ? offs[blk + 1] : len;

		for (__u64 cut = offs[blk]; cut < end; cut++) {
			struct rec_reader *r = open_mem(buf, cut);
			struct rec_item it;
			unsigned n = 0;
			int e;

			if (!r)
				break;
			while ((e = rec_reader__next(r, &it)) > 0)
				n++;
			if (cut == offs[blk]) {
				/* At a block boundary: a clean end, only the end mark is missing. */
				ASSERT_EQ(e, 0);
				ASSERT_TRUE(rec_reader__error(r) == NULL);
				ASSERT_FALSE(rec_reader__complete(r));
				ASSERT_EQ(rec_reader__offset(r), cut);
			} else {
				snprintf(want, sizeof(want), "offset %llu: ", (unsigned long long)offs[blk]);
				if (!ASSERT_EQ(e, -EBADMSG) || !ASSERT_TRUE(rec_reader__torn(r)) ||
				    !ASSERT_PREFIX(rec_reader__error(r), want)) {
					printf("    cut at %llu\n", (unsigned long long)cut);
					rec_reader__free(r);
					goto out;
				}
				ASSERT_CONTAINS(rec_reader__error(r), "mid-write");
				ASSERT_EQ(rec_reader__offset(r), offs[blk]);
			}
			ASSERT_EQ(n, before[blk]);
			rec_reader__free(r);
		}
	}
	/* A file cut in its last block, through a file descriptor this time. */
	last = offs[nb - 1];
	if (ASSERT_TRUE(write_file(tmp_path("torn-cut.plr"), buf, last + sizeof(struct rec_block_hdr) + 8))) {
		struct rec_reader *r = NULL;
		struct rec_item it;
		unsigned n = 0;
		int e;

		if (ASSERT_EQ(rec_reader__open(path, &r, err, sizeof(err)), 0)) {
			while ((e = rec_reader__next(r, &it)) > 0)
				n++;
			ASSERT_EQ(e, -EBADMSG);
			ASSERT_EQ(n, before[nb - 1]);
			ASSERT_TRUE(rec_reader__torn(r));
			snprintf(want, sizeof(want), "offset %llu: block %zu is cut short", (unsigned long long)last,
				 nb - 1);
			ASSERT_PREFIX(rec_reader__error(r), want);
		}
		rec_reader__free(r);
	}
out:
	free(buf);
}

/* Every single-bit flip anywhere in a file is found, at the offset of what it broke. */
static void test_bit_flips(void)
{
	__u64 offs[8];
	unsigned before[8];
	size_t len, nb, blk = 0;
	unsigned char *buf = small_blocks_file("flip.plr", &len, offs, before, &nb);
	char want[96];

	if (!buf)
		return;
	for (size_t i = 0; i < len; i++) {
		struct rec_reader *r = NULL;
		unsigned n = 0;
		int e;

		buf[i] ^= 1u << (i % 8);
		while (blk + 1 < nb && i >= offs[blk + 1])
			blk++;
		if (i < 8)
			snprintf(want, sizeof(want), "offset 0: not a proclife recording");
		else if (i < 10)
			snprintf(want, sizeof(want), "offset 8: format version ");
		else if (i < 64)
			snprintf(want, sizeof(want), "offset 60: header CRC32 ");
		else if (i < sizeof(struct rec_file_hdr))
			snprintf(want, sizeof(want), "offset 140: header chain CRC32 ");
		else if (i < offs[blk] + 4)
			snprintf(want, sizeof(want), "offset %llu: block %zu: expected the block magic",
				 (unsigned long long)offs[blk], blk);
		else if (i < offs[blk] + sizeof(struct rec_block_hdr))
			snprintf(want, sizeof(want), "offset %llu: block %zu: header CRC32 ",
				 (unsigned long long)offs[blk], blk);
		else
			snprintf(want, sizeof(want), "offset %llu: block %zu: payload CRC32 ",
				 (unsigned long long)offs[blk] + sizeof(struct rec_block_hdr), blk);
		if (i < sizeof(struct rec_file_hdr)) {
			e = rec_reader__open_mem(buf, len, &r, err, sizeof(err));
			if (!ASSERT_TRUE(e < 0) || !ASSERT_PREFIX(err, want)) {
				printf("    bit %zu of byte %zu\n", i % 8, i);
				rec_reader__free(r);
				break;
			}
		} else {
			r = open_mem(buf, len);
			while (r && (e = rec_reader__next(r, &(struct rec_item){})) > 0)
				n++;
			if (!r || !ASSERT_EQ(e, -EBADMSG) || !ASSERT_PREFIX(rec_reader__error(r), want) ||
			    !ASSERT_FALSE(rec_reader__torn(r)) || !ASSERT_EQ(n, before[blk])) {
				printf("    bit %zu of byte %zu\n", i % 8, i);
				rec_reader__free(r);
				break;
			}
			rec_reader__free(r);
		}
		buf[i] ^= 1u << (i % 8);
	}
	free(buf);
}

/* ---------------------------------------------------------------- file header */

static void set_header(unsigned char *buf, __u16 major, __u16 minor)
{
	struct rec_file_hdr h;

	memcpy(&h, buf, sizeof(h));
	h.major = major;
	h.minor = minor;
	h.crc = crc32(0, (const Bytef *)&h, offsetof(struct rec_file_hdr, crc));
	memcpy(buf, &h, sizeof(h));
}

static void test_header_errors(void)
{
	struct rec_reader *r = NULL;
	unsigned char *buf, *copy;
	unsigned n;
	size_t len;

	if (!write_everything(tmp_path("hdr.plr")))
		return;
	buf = read_file(path, &len);
	copy = malloc(len);
	if (!ASSERT_TRUE(buf && copy))
		goto out;

	memcpy(copy, buf, len);
	copy[1] = 'X';
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_STREQ(err, "offset 0: not a proclife recording (expected the magic \\x89PLREC\\r\\n)");
	ASSERT_EQ(rec_reader__open_mem(copy, 0, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_PREFIX(err, "offset 0: not a proclife recording");

	memcpy(copy, buf, len);
	set_header(copy, 3, 0);
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	ASSERT_STREQ(err, "offset 8: format version 3.0, this proclife reads versions 1.x to 2.x");
	set_header(copy, 0, 9);
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	ASSERT_STREQ(err, "offset 8: format version 0.9, this proclife reads versions 1.x to 2.x");
	set_header(copy, 3, 0);
	/* A newer major is refused even with a header this version cannot check. */
	copy[60] ^= 0xff;
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EPROTONOSUPPORT);

	/* A newer minor only adds record kinds: read as usual (as its writer chained it). */
	memcpy(copy, buf, len);
	set_header(copy, REC_VERSION_MAJOR, 9);
	ASSERT_EQ(read_all(copy, len, &n), -EBADMSG); /* the header changed under the chain */
	rechain(copy, len, NULL);
	ASSERT_EQ(read_all(copy, len, &n), 0);
	ASSERT_EQ(n, 1 + 1 + (NSNAP + 2) + 8 + 3 + 3 + 1);

	memcpy(copy, buf, len);
	copy[16] ^= 0x10; /* start_ns */
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_PREFIX(err, "offset 60: header CRC32 0x");

	ASSERT_EQ(rec_reader__open_mem(buf, 63, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_STREQ(err, "offset 63: file ends inside its 64-byte header");
	ASSERT_EQ(rec_reader__open_mem(buf, 100, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_STREQ(err, "offset 100: file ends inside its 144-byte header");

	/* The chain's part of the header has a CRC of its own; a 2.0 header is not 1.x's 64 bytes. */
	memcpy(copy, buf, len);
	copy[70] ^= 0x04; /* file_id */
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_PREFIX(err, "offset 140: header chain CRC32 0x");

	/* Only the header: an empty recording that was never closed. */
	ASSERT_EQ(read_all(buf, sizeof(struct rec_file_hdr), &n), 0);
	ASSERT_EQ(n, 0);

	ASSERT_EQ(rec_reader__open(dir, &r, err, sizeof(err)), -EINVAL);
	ASSERT_CONTAINS(err, "not a regular file");
	ASSERT_EQ(rec_reader__open(tmp_path("none.plr"), &r, err, sizeof(err)), -ENOENT);
	ASSERT_CONTAINS(err, "cannot open");
out:
	free(buf);
	free(copy);
}

/* ---------------------------------------------------------------- crafted blocks */

static unsigned char crafted[1 << 16];

/* A file header, as the writer makes it (1.x: its first 64 bytes), into crafted[]; its length. The chain starts. */
static size_t crafted_header_of(__u16 major)
{
	struct rec_file_hdr h = { .major = major, .start_ns = START_NS };
	size_t len = major >= 2 ? sizeof(h) : REC_FILE_HDR_SIZE_1X;

	h.hdr_size = len;
	memcpy(h.magic, REC_MAGIC, REC_MAGIC_LEN);
	h.crc = crc32(0, (const Bytef *)&h, offsetof(struct rec_file_hdr, crc));
	memset(h.file_id, 0x5a, sizeof(h.file_id));
	h.chain_crc = crc32(0, h.file_id, offsetof(struct rec_file_hdr, chain_crc) - offsetof(struct rec_file_hdr, file_id));
	memcpy(crafted, &h, len);
	crafted_major = major;
	chain__hash2(crafted, len, NULL, 0, crafted_chain);
	return len;
}

static size_t crafted_header(void)
{
	return crafted_header_of(REC_VERSION_MAJOR);
}

/*
 * A format 1.x file: each event's header ends where 2.0's part begins, and
 * an exec's data follows its args_size and a pad. The reader gives every
 * event the 2.0 header, that part unknown, and an exec 2.0's fields before
 * its data, 0 (no paths, credentials unknown), the rest as it was; a 1.x
 * event too short for even the old header is damage.
 */
static void test_format_1x_events(void)
{
	_Alignas(8) unsigned char raw[4096], old[1024];
	size_t off, rl = 0, cut = PL_HDR_SIZE_1X, part = sizeof(struct pl_hdr) - PL_HDR_SIZE_1X, last;
	char want_err[128];
	struct rec_reader *r;
	struct rec_item it;
	unsigned i;

	make_events();
	off = crafted_header_of(1);
	for (i = 0; i < 8; i++) {
		/* An exec of 1.x also lacks what 2.0 put before its data (paths' lengths, credentials): a pad there. */
		size_t fixed = ((const struct pl_hdr *)ev_store[i])->type == PL_EV_EXEC ? offsetof(struct pl_exec, cwd_len)
											     : ev_size[i];
		size_t dropped = fixed < ev_size[i] ? sizeof(struct pl_exec) - fixed - 4 : 0;

		memcpy(old, ev_store[i], cut);
		memcpy(old + cut, ev_store[i] + sizeof(struct pl_hdr), fixed - sizeof(struct pl_hdr));
		if (dropped) {
			memset(old + fixed - part, 0, 4);
			memcpy(old + fixed - part + 4, ev_store[i] + sizeof(struct pl_exec), ev_size[i] - sizeof(struct pl_exec));
		}
		put_record(raw, &rl, REC_EVENT, old, ev_size[i] - part - dropped);
	}
	last = rl;
	put_record(raw, &rl, REC_EVENT, ev_store[0], cut - 8);
	put_block(crafted, &off, 0, raw, rl, 9);
	r = open_mem(crafted, off);
	if (!r)
		return;
	for (i = 0; i < 8 && next_is(r, &it, REC_EVENT); i++) {
		const struct pl_hdr *h = it.body, *want = (const void *)ev_store[i];

		ASSERT_EQ(it.len, ev_size[i]);
		ASSERT_MEMEQ(it.body, ev_store[i], offsetof(struct pl_hdr, flags));
		ASSERT_EQ(h->flags, want->flags | PL_F_NO_IDENTITY);
		ASSERT_MEMEQ(h->comm, want->comm, PL_COMM_LEN);
		ASSERT_EQ(h->cgroup1_id, 0);
		ASSERT_EQ(h->euid, 0);
		ASSERT_EQ(h->auid, PL_ID_UNSET);
		ASSERT_EQ(h->session, PL_ID_UNSET);
		ASSERT_EQ(h->tty, 0);
		ASSERT_MEMEQ((const char *)it.body + sizeof(*h), ev_store[i] + sizeof(*h), ev_size[i] - sizeof(*h));
	}
	ASSERT_EQ(i, 8);
	ASSERT_EQ(rec_reader__next(r, &it), -EBADMSG);
	snprintf(want_err, sizeof(want_err), "offset 64: block 0, byte %zu: record too short for its kind", last);
	ASSERT_STREQ(rec_reader__error(r), want_err);
	rec_reader__free(r);
}

static void test_unknown_kind_skipped(void)
{
	_Alignas(8) unsigned char raw[256];
	struct rec_time t1 = { START_NS + 1 }, t2 = { START_NS + 2 };
	size_t off = crafted_header(), rl = 0;
	struct rec_reader *r;
	struct rec_item it;

	put_record(raw, &rl, REC_TICK, &t1, sizeof(t1));
	put_record(raw, &rl, REC_KIND_MAX + 7, "a future kind's body", 20);
	put_record(raw, &rl, 0xffff, "", 0);
	put_record(raw, &rl, REC_TICK, &t2, sizeof(t2));
	put_block(crafted, &off, 0, raw, rl, 4);
	r = open_mem(crafted, off);
	if (!r)
		return;
	if (next_is(r, &it, REC_TICK))
		ASSERT_EQ(it.ts, START_NS + 1);
	if (next_is(r, &it, REC_TICK))
		ASSERT_EQ(it.ts, START_NS + 2);
	ASSERT_EQ(rec_reader__next(r, &it), 0);
	ASSERT_TRUE(rec_reader__error(r) == NULL);
	rec_reader__free(r);
}

/* 2.1's cgroup and container records: what is written is read back; a long list of pids is split. */
static void test_cgroups_and_containers(void)
{
	static __u32 pids[REC_CGROUP_PIDS_MAX + 5];
	struct ct_info ci = { .runtime = CT_RT_CONTAINERD, .kind = CT_KIND_CONTAINER, .sandbox = true }, back;
	struct rec_writer *w = open_writer(tmp_path("ct.plr"), false);
	struct rec_reader *r = NULL;
	char path_back[4096];
	const __u32 *got;
	struct rec_item it;
	size_t n = 0;

	if (!w)
		return;
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++)
		pids[i] = 1000 + i;
	snprintf(ci.id, sizeof(ci.id), "%064d", 7);
	snprintf(ci.name, sizeof(ci.name), "app\x1b]0;x\x07");
	snprintf(ci.image, sizeof(ci.image), "registry.invalid/app:1");
	snprintf(ci.pod, sizeof(ci.pod), "web-pod");
	snprintf(ci.pod_namespace, sizeof(ci.pod_namespace), "pltest-ns");
	snprintf(ci.pod_uid, sizeof(ci.pod_uid), "2b1f7c4e-5d0a-4f3e-9c1b-7a6d5e4f3c2b");
	snprintf(ci.container, sizeof(ci.container), "app=x"); /* '=' in a value is its own */
	ASSERT_EQ(rec_writer__cgroup(w, START_NS + 1, REC_CG_V1, 110, "/docker/abc", NULL, 0), 0);
	ASSERT_EQ(rec_writer__cgroup(w, START_NS + 2, REC_CG_V2, 1, "/", pids, sizeof(pids) / sizeof(pids[0])), 0);
	ASSERT_EQ(rec_writer__cgroup(w, START_NS + 3, REC_CG_V2, 2, "relative", NULL, 0), -EINVAL);
	ASSERT_EQ(rec_writer__container(w, START_NS + 4, "/kubepods/pod1/abc", &ci), 0);
	ASSERT_EQ(rec_writer__close(w, START_NS + 5), 0);
	if (!ASSERT_EQ(rec_reader__open(path, &r, err, sizeof(err)), 0))
		return;
	if (next_is(r, &it, REC_META) && next_is(r, &it, REC_CGROUP)) {
		const struct rec_cgroup *c = it.body;

		ASSERT_EQ(it.ts, START_NS + 1);
		ASSERT_EQ(c->hier, REC_CG_V1);
		ASSERT_EQ(c->id, 110);
		ASSERT_EQ(c->npids, 0);
		rec_cgroup__decode(c, &got, path_back, sizeof(path_back));
		ASSERT_STREQ(path_back, "/docker/abc");
	}
	while (next_is(r, &it, REC_CGROUP)) {
		const struct rec_cgroup *c = it.body;

		rec_cgroup__decode(c, &got, path_back, sizeof(path_back));
		ASSERT_STREQ(path_back, "/");
		ASSERT_TRUE(c->npids <= REC_CGROUP_PIDS_MAX);
		if (!ASSERT_MEMEQ(got, pids + n, c->npids * sizeof(*got)))
			break;
		n += c->npids;
		if (n >= sizeof(pids) / sizeof(pids[0]))
			break;
	}
	ASSERT_EQ(n, sizeof(pids) / sizeof(pids[0]));
	if (next_is(r, &it, REC_CONTAINER) &&
	    ASSERT_EQ(rec_container__decode(it.body, it.len, path_back, sizeof(path_back), &back), 0)) {
		ASSERT_STREQ(path_back, "/kubepods/pod1/abc");
		ASSERT_MEMEQ(&back, &ci, sizeof(ci));
	}
	rec_reader__free(r);
}

/* A container record a reader cannot use: no cgroup, no id; unknown keys skipped. */
static void test_container_decode(void)
{
	static const char no_cgroup[] = "\0\0\0\0\0\0\0\0runtime=docker\0id=x\0";
	static const char odd[] = "\0\0\0\0\0\0\0\0cgroup=/docker/x\0future=1\0runtime=nope\0id=x\0=\0noequals\0";
	struct ct_info ci;
	char cg[256];

	ASSERT_EQ(rec_container__decode(no_cgroup, sizeof(no_cgroup), cg, sizeof(cg), &ci), -EINVAL);
	ASSERT_EQ(rec_container__decode(odd, sizeof(odd), cg, sizeof(cg), &ci), 0);
	ASSERT_STREQ(cg, "/docker/x");
	ASSERT_STREQ(ci.id, "x");
	ASSERT_EQ(ci.runtime, CT_RT_NONE); /* a runtime this version does not know */
	ASSERT_EQ(ci.kind, CT_KIND_CONTAINER);
}

/* Block 0 of a crafted 2.0 file: where its header begins. */
#define AT_BLOCK0 "offset 144: block 0, "
_Static_assert(sizeof(struct rec_file_hdr) == 144, "AT_BLOCK0 says where block 0 begins");

/* Records that lie: each found where it is, with the block's offset and the byte within. */
static void test_bad_records(void)
{
	_Alignas(8) unsigned char raw[1024];
	struct rec_time t = { START_NS + 1 };
	struct rec_lost lost = { .ts = START_NS, .count = 1, .type = PL_EV_MAX };
	struct rec_snap_proc p = { .pid = 5, .cmdline_len = 100, .has_cmdline = 1 };
	size_t off, rl;
	unsigned n;
	struct {
		const char *name;
		unsigned kind;
		const void *body;
		size_t len;
		const char *want;
	} cases[] = {
		{ "size 0", 0, NULL, 0, AT_BLOCK0 "byte 16: record size 0, expected 8 to 8" },
		{ "short tick", REC_TICK, &t, 4, AT_BLOCK0 "byte 16: record too short for its kind" },
		{ "lost type", REC_LOST, &lost, sizeof(lost),
		  AT_BLOCK0 "byte 16: lost record for an unknown event type" },
		{ "cmdline", REC_SNAP_PROC, &p, sizeof(p),
		  AT_BLOCK0 "byte 16: process entry's cmdline length does not match its record" },
		{ "event", REC_EVENT, ev_store[3], sizeof(struct pl_hdr) + 20, AT_BLOCK0 "byte 16: malformed event" },
	};

	make_events();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rec_reader *r;
		struct rec_item it;

		off = crafted_header();
		rl = 0;
		put_record(raw, &rl, REC_TICK, &t, sizeof(t));
		if (cases[i].kind) {
			put_record(raw, &rl, cases[i].kind, cases[i].body, cases[i].len);
		} else {
			memset(raw + rl, 0, sizeof(struct rec_hdr));
			rl += sizeof(struct rec_hdr);
		}
		put_block(crafted, &off, 0, raw, rl, 2);
		r = open_mem(crafted, off);
		if (!r)
			continue;
		if (next_is(r, &it, REC_TICK) && ASSERT_EQ(rec_reader__next(r, &it), -EBADMSG))
			if (!ASSERT_STREQ(rec_reader__error(r), cases[i].want))
				printf("    case %s\n", cases[i].name);
		/* Damage is final: nothing more, the same error. */
		ASSERT_EQ(rec_reader__next(r, &it), -EBADMSG);
		ASSERT_FALSE(rec_reader__torn(r));
		ASSERT_EQ(rec_reader__offset(r), sizeof(struct rec_file_hdr));
		rec_reader__free(r);
	}

	/* A record after the end mark; a header that counts wrong. */
	off = crafted_header();
	rl = 0;
	put_record(raw, &rl, REC_END, &t, sizeof(t));
	put_record(raw, &rl, REC_TICK, &t, sizeof(t));
	put_block(crafted, &off, 0, raw, rl, 2);
	ASSERT_EQ(read_all(crafted, off, &n), -EBADMSG);
	ASSERT_EQ(n, 1);
	off = crafted_header();
	put_block(crafted, &off, 0, raw, rl, 3);
	ASSERT_EQ(read_all(crafted, off, &n), -EBADMSG);
	off = crafted_header();
	put_block(crafted, &off, 0, raw, rl, 1);
	ASSERT_EQ(read_all(crafted, off, &n), -EBADMSG);
	/* A block number out of sequence. */
	off = crafted_header();
	rl = 0;
	put_record(raw, &rl, REC_TICK, &t, sizeof(t));
	put_block(crafted, &off, 0, raw, rl, 1);
	put_block(crafted, &off, 0, raw, rl, 1);
	ASSERT_EQ(read_all(crafted, off, &n), -EBADMSG);
	ASSERT_EQ(n, 1);
}

/* A raw_len beyond the limit is refused before anything is allocated for it. */
static void test_huge_lengths(void)
{
	struct rec_block_hdr b = { .magic = REC_BLOCK_MAGIC, .payload_len = 16, .nrecords = 1 };
	size_t off = crafted_header();
	struct rec_reader *r;
	struct rec_item it;
	const __u32 raws[] = { REC_BLOCK_RAW_MAX + 8, 0xfffffff8u, 0 };

	memcpy(b.prev, crafted_chain, sizeof(b.prev)); /* the chain holds: the lengths are what is wrong */
	for (size_t i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		b.raw_len = raws[i];
		b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
		memcpy(crafted + off, &b, sizeof(b));
		memset(crafted + off + sizeof(b), 0, 16);
		r = open_mem(crafted, off + sizeof(b) + 16);
		if (!r)
			continue;
		ASSERT_EQ(rec_reader__next(r, &it), -EBADMSG);
		ASSERT_CONTAINS(rec_reader__error(r), "uncompressed bytes, expected a multiple of 8 up to 4194304");
		rec_reader__free(r);
	}
	b.raw_len = 64;
	b.payload_len = 0xffffff00u;
	b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
	memcpy(crafted + off, &b, sizeof(b));
	r = open_mem(crafted, off + sizeof(b) + 16);
	if (r) {
		ASSERT_EQ(rec_reader__next(r, &it), -EBADMSG);
		ASSERT_CONTAINS(rec_reader__error(r), "4294967040 compressed bytes, expected 1 to");
		rec_reader__free(r);
	}
}

/* ---------------------------------------------------------------- creating */

static void test_create_refuses(void)
{
	struct rec_writer_opts o = { .path = tmp_path("exists.plr") };
	char target[160], link[160], *content;
	struct rec_writer *w = NULL;
	struct stat st;
	size_t len;

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/link.plr", dir);
	if (!ASSERT_TRUE(write_file(path, "precious", 8) && write_file(target, "target", 6)) ||
	    !ASSERT_EQ(symlink(target, link), 0))
		return;

	ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), -EEXIST);
	ASSERT_CONTAINS(err, "exists (use --force to replace it)");
	content = read_file(path, &len);
	ASSERT_TRUE(content && len == 8 && !memcmp(content, "precious", 8));
	free(content);

	o.path = link;
	ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), -EEXIST);
	ASSERT_CONTAINS(err, "exists and is a symlink");

	/* --force replaces the symlink itself: its target is left alone. */
	o.force = true;
	if (ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), 0)) {
		ASSERT_EQ(rec_writer__close(w, START_NS), 0);
		if (ASSERT_EQ(lstat(link, &st), 0))
			ASSERT_TRUE(S_ISREG(st.st_mode));
		content = read_file(target, &len);
		ASSERT_TRUE(content && len == 6 && !memcmp(content, "target", 6));
		free(content);
	}
	/* --force replaces a file. */
	o.path = tmp_path("exists.plr");
	if (ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), 0)) {
		ASSERT_EQ(rec_writer__close(w, START_NS), 0);
		content = read_file(path, &len);
		ASSERT_TRUE(content && len > 64 && !memcmp(content, REC_MAGIC, REC_MAGIC_LEN));
		free(content);
	}
	/* Never a directory, with or without --force. */
	o.path = dir;
	ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), -EISDIR);
	o.force = false;
	ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), -EEXIST);
	o.path = "/nonexistent-dir/x.plr";
	ASSERT_EQ(rec_writer__open(&o, START_NS, 0, &w, err, sizeof(err)), -ENOENT);
	ASSERT_CONTAINS(err, "cannot create /nonexistent-dir/x.plr");
}

/* ---------------------------------------------------------------- rotation */

struct rot_file {
	__u32 seq;
	unsigned first, last; /* exec indices */
	unsigned snaps;
	bool starts_with_meta, rotate_snapshot, complete;
};

static bool read_rotated(const char *p, struct rot_file *f)
{
	struct rec_reader *r = NULL;
	struct rec_item it;
	bool first = true;
	int e;

	*f = (struct rot_file){ .first = ~0u };
	if (!ASSERT_EQ(rec_reader__open(p, &r, err, sizeof(err)), 0)) {
		printf("    %s: %s\n", p, err);
		return false;
	}
	f->seq = rec_reader__header(r)->seq;
	while ((e = rec_reader__next(r, &it)) > 0) {
		if (first)
			f->starts_with_meta = it.kind == REC_META;
		first = false;
		if (it.kind == REC_SNAP_BEGIN) {
			f->snaps++;
			f->rotate_snapshot |= ((const struct rec_snap_begin *)it.body)->reason == REC_SNAP_ROTATE;
		}
		if (it.kind == REC_EVENT) {
			if (f->first == ~0u)
				f->first = exec_index(&it);
			f->last = exec_index(&it);
		}
	}
	ASSERT_EQ(e, 0);
	f->complete = rec_reader__complete(r);
	rec_reader__free(r);
	return true;
}

static void test_rotation(void)
{
	struct rec_writer_opts o = { .path = tmp_path("rot.plr"), .rotate_size = 6000, .rotate_count = 3 };
	struct rot_file f[3];
	struct rec_writer *w = NULL;
	char name[160];
	unsigned rotations = 0, i;
	struct stat st;

	if (!ASSERT_EQ(rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, START_NS, snap, NSNAP), 0);
	/* 390: the last rotation (at a flush, every 20) is followed by events. */
	for (i = 0; i < 390; i++) {
		__u64 now = START_NS + i * 10000000ull;

		if (rec_writer__event(w, evbuf, make_exec(i, 100)) < 0)
			break;
		/* As session/live.c does: a block a second, rotation when due, a snapshot to start the new file. */
		if (i % 20 == 19)
			rec_writer__flush(w);
		if (rec_writer__rotate_due(w)) {
			if (!ASSERT_EQ(rec_writer__rotate(w, now, WALL_OFFSET), 0))
				break;
			ASSERT_EQ(rec_writer__offset(w), sizeof(struct rec_file_hdr));
			ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_ROTATE, now, snap, NSNAP), 0);
			rotations++;
		}
	}
	if (!ASSERT_EQ(rec_writer__close(w, START_NS + 10 * SEC), 0))
		printf("    %s\n", rec_writer__error(w));
	ASSERT_GE(rotations, 4);
	for (int k = 0; k < 3; k++) {
		if (k)
			snprintf(name, sizeof(name), "%s/rot.plr.%d", dir, k);
		else
			snprintf(name, sizeof(name), "%s/rot.plr", dir);
		if (!read_rotated(name, &f[k]))
			return;
		/* Each file stands alone: a header, META first, a snapshot of its own, an end mark. */
		ASSERT_EQ(f[k].seq, rotations - k);
		ASSERT_TRUE(f[k].starts_with_meta);
		ASSERT_EQ(f[k].snaps, 1);
		ASSERT_TRUE(f[k].rotate_snapshot);
		ASSERT_TRUE(f[k].complete);
		if (ASSERT_EQ(stat(name, &st), 0))
			ASSERT_EQ(st.st_mode & 0777, 0600);
	}
	/* Oldest first, no event lost or doubled between the files kept. */
	ASSERT_EQ(f[2].last + 1, f[1].first);
	ASSERT_EQ(f[1].last + 1, f[0].first);
	ASSERT_EQ(f[0].last, i - 1);
	snprintf(name, sizeof(name), "%s/rot.plr.3", dir);
	ASSERT_EQ(stat(name, &st), -1);
}

/* rec_writer__rotate() called without --rotate-size/--rotate-count: keeps the default count. */
static void test_rotate_by_hand(void)
{
	struct rec_writer *w = open_writer(tmp_path("hand.plr"), false);
	char name[160];
	struct stat st;

	if (!w)
		return;
	ASSERT_EQ(rec_writer__event(w, evbuf, make_exec(1, 0)), 0);
	ASSERT_EQ(rec_writer__rotate(w, START_NS + SEC, WALL_OFFSET), 0);
	ASSERT_EQ(rec_writer__close(w, START_NS + 2 * SEC), 0);
	snprintf(name, sizeof(name), "%s/hand.plr.1", dir);
	ASSERT_EQ(stat(name, &st), 0);
	ASSERT_EQ(stat(tmp_path("hand.plr"), &st), 0);
}

/* --rotate-existing: an existing file (and its older pieces) shift as in a rotation; none: created plainly. */
static void test_rotate_existing(void)
{
	struct rec_writer_opts o = { .path = tmp_path("keep.plr"), .rotate_existing = true, .rotate_count = 3,
				     .args_cap = 4096, .command = "proclife test" };
	struct rec_writer *w = NULL;
	struct rec_reader *r = NULL;
	char name[160], buf[64];
	FILE *f;

	/* Nothing there yet: a plain new file, nothing shifted. It holds a scan: a recording, no stub. */
	ASSERT_EQ(rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err)), 0);
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, START_NS, snap, NSNAP), 0);
	ASSERT_EQ(rec_writer__close(w, START_NS + SEC), 0);
	snprintf(name, sizeof(name), "%s/keep.plr.1", dir);
	ASSERT_EQ(access(name, F_OK), -1);
	/* keep.plr.1 is "one", keep.plr.2 "two": after the open, the recording is .1, "one" .2, "two" gone. */
	f = fopen(name, "w");
	fputs("one", f);
	fclose(f);
	snprintf(name, sizeof(name), "%s/keep.plr.2", dir);
	f = fopen(name, "w");
	fputs("two", f);
	fclose(f);
	w = NULL;
	ASSERT_EQ(rec_writer__open(&o, START_NS + 2 * SEC, WALL_OFFSET, &w, err, sizeof(err)), 0);
	ASSERT_EQ(rec_writer__close(w, START_NS + 3 * SEC), 0);
	f = fopen(name, "r");
	if (ASSERT_TRUE(f != NULL)) {
		ASSERT_TRUE(fgets(buf, sizeof(buf), f) != NULL);
		ASSERT_STREQ(buf, "one");
		fclose(f);
	}
	snprintf(name, sizeof(name), "%s/keep.plr.1", dir);
	f = fopen(name, "r");
	if (ASSERT_TRUE(f != NULL)) {
		ASSERT_EQ(fread(buf, 1, REC_MAGIC_LEN, f), (size_t)REC_MAGIC_LEN);
		ASSERT_EQ(memcmp(buf, REC_MAGIC, REC_MAGIC_LEN), 0);
		fclose(f);
	}
	snprintf(name, sizeof(name), "%s/keep.plr.3", dir);
	ASSERT_EQ(access(name, F_OK), -1);
	/* The new file's seq follows the kept recording's (0): seq orders the pieces across restarts. */
	if (ASSERT_EQ(rec_reader__open(tmp_path("keep.plr"), &r, err, sizeof(err)), 0)) {
		ASSERT_EQ(rec_reader__header(r)->seq, 1u);
		rec_reader__free(r);
	}
	/* A directory in its place: refused, said, not moved. */
	o.path = tmp_path("keepdir.plr");
	ASSERT_EQ(mkdir(o.path, 0700), 0);
	w = NULL;
	ASSERT_EQ(rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err)), -EISDIR);
	ASSERT_CONTAINS(err, "is a directory");
}

/* A recorder that stopped before its first scan, with --rotate-existing: a stub. 0 or the close's error. */
static int write_stub(struct rec_writer_opts *o, __u64 at)
{
	struct rec_writer *w = NULL;

	if (!ASSERT_EQ(rec_writer__open(o, at, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return -1;
	return rec_writer__close(w, at + 1);
}

static long file_seq(const char *p)
{
	struct rec_reader *r = NULL;
	char e[256];
	long seq = rec_reader__open(p, &r, e, sizeof(e)) == 0 ? (long)rec_reader__header(r)->seq : -1;

	rec_reader__free(r);
	return seq;
}

static bool same_file(const char *a, const void *bytes, size_t len)
{
	size_t n = 0;
	void *got = read_file(a, &n);
	bool same = got && n == len && !memcmp(got, bytes, len);

	free(got);
	return same;
}

/*
 * --rotate-existing across restarts that stop before their first scan (a
 * unit that fails at once, again and again): the stub each one leaves is
 * replaced, never kept, so the real recordings stay; the new file takes
 * the stub's seq. What is not a stub (a damaged recording, a file that is
 * no recording) is kept, as before.
 */
static void test_rotate_existing_stubs(void)
{
	struct rec_writer_opts o = { .path = tmp_path("stub.plr"), .rotate_existing = true, .rotate_count = 3,
				     .args_cap = 4096, .command = "proclife test" };
	char p0[sizeof(path)], p1[sizeof(path) + 2], p2[sizeof(path) + 2];
	struct rec_writer *w = NULL;
	unsigned char *real;
	size_t real_len = 0, n;

	snprintf(p0, sizeof(p0), "%s", o.path);
	snprintf(p1, sizeof(p1), "%s.1", p0);
	snprintf(p2, sizeof(p2), "%s.2", p0);
	/* The real one, then a restart that stops before its scan: the real one is .1. */
	if (!ASSERT_EQ(rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, START_NS, snap, NSNAP), 0);
	ASSERT_EQ(rec_writer__close(w, START_NS + SEC), 0);
	real = read_file(p0, &real_len);
	if (!ASSERT_TRUE(real != NULL))
		return;
	ASSERT_EQ(write_stub(&o, START_NS + 2 * SEC), 0);
	ASSERT_TRUE(same_file(p1, real, real_len));
	ASSERT_EQ(file_seq(p0), 1);
	said[0] = 0;
	/* Five more such restarts: the stub replaced each time; the real recording stays .1, nothing shifted to .2. */
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(write_stub(&o, START_NS + (3 + i) * SEC), 0);
		ASSERT_TRUE(same_file(p1, real, real_len));
		ASSERT_EQ(access(p2, F_OK), -1);
		ASSERT_EQ(file_seq(p0), 1);
	}
	/* Said, each time. */
	ASSERT_CONTAINS(said, "stub.plr held no recording (its recorder stopped before its first /proc scan): "
			      "replaced, not kept\n");
	ASSERT_EQ(strlen(said), 5 * (strlen(said) / 5));
	/* A stub torn by a kill (its header only), and an empty one: replaced too; the empty one's seq from .1's. */
	ASSERT_EQ(truncate(p0, sizeof(struct rec_file_hdr)), 0);
	ASSERT_EQ(write_stub(&o, START_NS + 10 * SEC), 0);
	ASSERT_TRUE(same_file(p1, real, real_len));
	ASSERT_EQ(truncate(p0, 0), 0);
	ASSERT_EQ(write_stub(&o, START_NS + 11 * SEC), 0);
	ASSERT_TRUE(same_file(p1, real, real_len));
	ASSERT_EQ(access(p2, F_OK), -1);
	ASSERT_EQ(file_seq(p0), 1);
	/* A damaged one (a flipped byte in its first block): evidence, kept as .1 ("real" shifted to .2). */
	{
		unsigned char *stub = read_file(p0, &n);

		if (ASSERT_TRUE(stub != NULL) && ASSERT_GE(n, sizeof(struct rec_file_hdr) + 40)) {
			stub[sizeof(struct rec_file_hdr) + 36] ^= 0x40;
			ASSERT_TRUE(write_file(p0, stub, n));
			ASSERT_EQ(write_stub(&o, START_NS + 12 * SEC), 0);
			ASSERT_TRUE(same_file(p1, stub, n));
			ASSERT_TRUE(same_file(p2, real, real_len));
		}
		free(stub);
	}
	/* Not a recording at all: kept, as before. */
	ASSERT_TRUE(write_file(p0, "notes\n", 6));
	ASSERT_EQ(write_stub(&o, START_NS + 13 * SEC), 0);
	ASSERT_TRUE(same_file(p1, "notes\n", 6));
	free(real);
}

/* ---------------------------------------------------------------- a failing disk */

/* Writes exec events from *i on until one fails (or max); its error. */
static int fill(struct rec_writer *w, unsigned *i, unsigned max)
{
	int e = 0;

	for (; *i < max && !e; ++*i) {
		e = rec_writer__event(w, evbuf, make_exec(*i, 2000));
		if (!e && *i % 8 == 7)
			e = rec_writer__flush(w);
	}
	return e;
}

/*
 * Reads p back: the events in order, without a hole but at the gap; the
 * gap's mark says how many it lacks, and a RESYNC scan follows it;
 * complete. Returns the events read.
 */
static unsigned check_gap_file(const char *p, unsigned expect_events, __u64 expect_gap, int expect_err)
{
	struct rec_reader *r = NULL;
	struct rec_item it;
	unsigned n = 0, last = 0, gaps = 0, after_gap = 0;
	bool resync = false;
	int e;

	if (!ASSERT_EQ(rec_reader__open(p, &r, err, sizeof(err)), 0)) {
		printf("    %s\n", err);
		return 0;
	}
	while ((e = rec_reader__next(r, &it)) > 0) {
		if (it.kind == REC_GAP) {
			const struct rec_gap *g = it.body;

			gaps++;
			ASSERT_EQ(g->events, expect_gap);
			ASSERT_EQ(g->err, (__u32)-expect_err);
			ASSERT_TRUE(g->since && g->since < g->ts);
			ASSERT_EQ(it.ts, g->ts);
			after_gap = 1;
		} else if (it.kind == REC_SNAP_BEGIN && after_gap == 1) {
			resync = ((const struct rec_snap_begin *)it.body)->reason == REC_SNAP_RESYNC;
			after_gap = 2;
		} else if (it.kind == REC_EVENT) {
			unsigned k = exec_index(&it);

			if (n && k != last + 1 && !(after_gap && k == last + 1 + expect_gap))
				FAILF("event %u after %u (the gap holds %llu)", k, last, (unsigned long long)expect_gap);
			last = k;
			n++;
		}
	}
	ASSERT_EQ(e, 0);
	ASSERT_TRUE(rec_reader__complete(r));
	ASSERT_EQ(gaps, 1);
	ASSERT_TRUE(resync);
	ASSERT_EQ(n, expect_events);
	rec_reader__free(r);
	return n;
}

/* A snapshot larger than a little free space: 40 processes with 2 KB of incompressible argv each. */
static struct proc_snapshot big_snap[40];
static char big_cmd[40][2048];

static void make_big_snap(void)
{
	__u32 seed = 88172645u;

	for (int k = 0; k < 40; k++) {
		for (size_t b = 0; b < sizeof(big_cmd[k]); b++)
			big_cmd[k][b] = 'a' + xorshift(&seed) % 26;
		big_snap[k] = (struct proc_snapshot){ .start_ns = SEC, .pid = 5000 + k, .ppid = 1, .state = 'S',
						      .cmdline = big_cmd[k], .cmdline_len = sizeof(big_cmd[k]),
						      .comm = "big" };
	}
}

/* How much room the disk has: none at all, a little (a small block, not a scan), plenty. */
enum room { ROOM_NONE, ROOM_LITTLE, ROOM_PLENTY };

/*
 * The disk fails: said (the file and the error, where it is complete up
 * to), the file cut back to its last block, every later record counted;
 * no rotation. Retries fail while there is no room; with a little, the
 * gap's mark gets in but not the scan: the retry is cut back as a whole,
 * and the next one waits longer. With plenty, the gap is marked, the scan
 * follows it, and the recording goes on to a clean end.
 */
static void fail_and_recover(struct rec_writer *w, const char *p, int expect_err, void (*room)(enum room, __u64))
{
	const struct rec_writer_stats *st = rec_writer__stats(w);
	unsigned i = 0, written;
	__u64 unwritten, size_before, t;
	char rot[160];
	const char *msg, *at;
	int e = fill(w, &i, 100000);

	if (!ASSERT_EQ(e, expect_err))
		return;
	ASSERT_TRUE(rec_writer__error(w) == NULL);
	msg = rec_writer__failing(w);
	if (!ASSERT_TRUE(msg))
		return;
	ASSERT_CONTAINS(msg, strerror(-expect_err));
	at = strstr(msg, "complete up to offset ");
	if (ASSERT_TRUE(at))
		ASSERT_EQ(strtoull(at + strlen("complete up to offset "), NULL, 10), rec_writer__offset(w));
	ASSERT_EQ(st->errors.n[-expect_err], 1);
	ASSERT_EQ(st->gaps, 1);
	/* Events written: those before the block that failed. */
	written = i - st->unwritten_events;
	/* Failing: records counted, not written; a flush, a tick say so; no rotation, nothing shifted. */
	for (unsigned k = 0; k < 10; k++, i++)
		ASSERT_EQ(rec_writer__event(w, evbuf, make_exec(i, 2000)), expect_err);
	ASSERT_EQ(rec_writer__tick(w, START_NS), expect_err);
	ASSERT_EQ(rec_writer__flush(w), expect_err);
	ASSERT_FALSE(rec_writer__rotate_due(w));
	ASSERT_EQ(rec_writer__rotate(w, START_NS + SEC, WALL_OFFSET), expect_err);
	snprintf(rot, sizeof(rot), "%s.1", p);
	ASSERT_EQ(access(rot, F_OK), -1);
	size_before = rec_writer__offset(w);
	/*
	 * A retry before its time does nothing; a due one, no room, fails and
	 * leaves the file as it was (at the mark, or, when the mark fit in the
	 * slack of the file's last page, at the scan after it).
	 */
	room(ROOM_NONE, size_before);
	t = st->since;
	ASSERT_TRUE(t != 0);
	ASSERT_EQ(rec_writer__retry(w, t + SEC / 2), 0);
	ASSERT_EQ(st->errors.n[-expect_err], 1);
	if (rec_writer__retry(w, t += 2 * SEC) == 1) {
		rec_writer__snapshot(w, REC_SNAP_RESYNC, t, big_snap, 40);
		ASSERT_EQ(rec_writer__resume(w), 0);
	}
	ASSERT_EQ(st->errors.n[-expect_err], 2);
	ASSERT_EQ(rec_writer__offset(w), size_before);
	/*
	 * A little room. A full file system (ENOSPC) with less than
	 * ERRCOUNT_RESUME_ROOM free is not even tried: counted as a failed
	 * retry. Else (the file size limit) the mark goes in, the scan does
	 * not: cut back, all of it; the next try waits longer.
	 */
	room(ROOM_LITTLE, size_before);
	if (expect_err == -ENOSPC) {
		ASSERT_EQ(rec_writer__retry(w, t += 10 * SEC), 0);
		ASSERT_EQ(st->errors.n[-expect_err], 3);
		ASSERT_EQ(rec_writer__offset(w), size_before);
	} else if (ASSERT_EQ(rec_writer__retry(w, t += 10 * SEC), 1)) {
		ASSERT_GE(rec_writer__offset(w), size_before + 1);
		rec_writer__snapshot(w, REC_SNAP_RESYNC, t, big_snap, 40);
		ASSERT_EQ(rec_writer__resume(w), 0);
		ASSERT_TRUE(rec_writer__failing(w) != NULL);
		ASSERT_EQ(rec_writer__offset(w), size_before);
		ASSERT_EQ(st->errors.n[-expect_err], 3);
		ASSERT_EQ(rec_writer__retry(w, t + SEC + SEC / 2), 0);
		ASSERT_EQ(st->errors.n[-expect_err], 3);
	}
	{
		struct stat sb;

		ASSERT_EQ(stat(p, &sb), 0);
		ASSERT_EQ((__u64)sb.st_size, size_before);
	}
	unwritten = st->unwritten_events;
	ASSERT_EQ(unwritten, i - written);
	ASSERT_EQ(st->gaps, 1);
	/* Plenty again: the gap marked, a scan, and on. */
	room(ROOM_PLENTY, size_before);
	if (!ASSERT_EQ(rec_writer__retry(w, t += 60 * SEC), 1))
		return;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_RESYNC, t, big_snap, 40), 0);
	ASSERT_EQ(rec_writer__resume(w), 1);
	ASSERT_TRUE(rec_writer__failing(w) == NULL);
	ASSERT_EQ(st->since, 0);
	ASSERT_EQ(st->gap_events, unwritten);
	for (unsigned k = 0; k < 20; k++, i++)
		ASSERT_EQ(rec_writer__event(w, evbuf, make_exec(i, 2000)), 0);
	ASSERT_EQ(rec_writer__close(w, t + SEC), 0);
	check_gap_file(p, written + 20, unwritten, expect_err);
}

static char full_mnt[96], filler[128], filler2[128];

/* The tmpfs: filler2 takes what is left; then it goes, and 8 KB of filler; then filler goes. */
static void tmpfs_room(enum room room, __u64 size)
{
	char buf[4096] = { 0 };
	struct stat st;
	int fd;

	switch (room) {
	case ROOM_NONE:
		fd = open(filler2, O_WRONLY | O_CREAT, 0600);
		while (fd >= 0 && write(fd, buf, sizeof(buf)) > 0)
			;
		if (fd >= 0)
			close(fd);
		break;
	case ROOM_LITTLE:
		ASSERT_EQ(unlink(filler2), 0);
		if (ASSERT_EQ(stat(filler, &st), 0))
			ASSERT_EQ(truncate(filler, st.st_size - 8192), 0);
		break;
	case ROOM_PLENTY:
		ASSERT_EQ(unlink(filler), 0);
		break;
	}
}

static void test_write_error_full_disk(void)
{
	struct rec_writer *w;
	char buf[4096] = { 0 };
	int fd;

	snprintf(full_mnt, sizeof(full_mnt), "%s/tmpfs", dir);
	if (mkdir(full_mnt, 0700) < 0 || mount("proclife-test", full_mnt, "tmpfs", 0, "size=1m,mode=0700") < 0) {
		TEST_SKIP("cannot mount a small tmpfs here: %s", strerror(errno));
		return;
	}
	/* Half of it taken by another file, which goes away later: space comes back. */
	snprintf(filler, sizeof(filler), "%s/filler", full_mnt);
	snprintf(filler2, sizeof(filler2), "%s/filler2", full_mnt);
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	for (int k = 0; fd >= 0 && k < 128; k++)
		ASSERT_EQ(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/full.plr", full_mnt);
	w = open_writer(path, false);
	if (w)
		fail_and_recover(w, path, -ENOSPC, tmpfs_room);
	umount2(full_mnt, MNT_DETACH);
}

static struct rlimit fsize_old;

/* Past RLIMIT_FSIZE a write fails with EFBIG (once SIGXFSZ, which would kill us, is ignored). */
static bool limit_fsize(rlim_t n)
{
	struct rlimit lim;

	getrlimit(RLIMIT_FSIZE, &lim);
	lim.rlim_cur = n;
	signal(SIGXFSZ, SIG_IGN);
	return ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

static void raise_fsize(void)
{
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &fsize_old), 0);
}

/* The limit: where the file was cut back to; then 8 KB more; then none. */
static void fsize_room(enum room room, __u64 size)
{
	if (room == ROOM_NONE)
		limit_fsize(size);
	else if (room == ROOM_LITTLE)
		limit_fsize(size + 8192);
	else
		raise_fsize();
}

static void test_write_error_file_size_limit(void)
{
	struct rec_writer *w = open_writer(tmp_path("fsize.plr"), false);

	if (!w)
		return;
	getrlimit(RLIMIT_FSIZE, &fsize_old);
	if (!limit_fsize(50000)) {
		rec_writer__close(w, START_NS);
		return;
	}
	fail_and_recover(w, path, -EFBIG, fsize_room);
	raise_fsize();
	signal(SIGXFSZ, SIG_DFL);
}

/* Not even the header fits: the writer starts failing (no error for the open) and writes it all once it can. */
static void test_write_error_at_open(void)
{
	struct rec_writer *w = NULL;
	struct rec_writer_opts o = { .path = tmp_path("nohdr.plr"), .args_cap = 4096, .command = "proclife test" };
	struct rec_reader *r = NULL;
	struct rec_item it;
	unsigned i = 0;
	int e;

	__u64 snap_ts;

	getrlimit(RLIMIT_FSIZE, &fsize_old);
	if (!limit_fsize(32))
		return;
	e = rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err));
	raise_fsize();
	if (!ASSERT_EQ(e, 0))
		return;
	ASSERT_TRUE(rec_writer__failing(w) != NULL);
	ASSERT_EQ(fill(w, &i, 5), -EFBIG);
	ASSERT_EQ(rec_writer__stats(w)->unwritten_events, 1);
	ASSERT_EQ(rec_writer__retry(w, START_NS + SEC / 2), 0);
	snap_ts = START_NS + 2 * SEC;
	ASSERT_EQ(rec_writer__retry(w, snap_ts), 1);
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_RESYNC, snap_ts, snap, NSNAP), 0);
	ASSERT_EQ(rec_writer__resume(w), 1);
	i = 1;
	ASSERT_EQ(fill(w, &i, 9), 0);
	ASSERT_EQ(rec_writer__close(w, snap_ts + SEC), 0);
	signal(SIGXFSZ, SIG_DFL);
	/* A whole recording from offset 0: header, META, the gap, the scan, the events, the end. */
	if (!ASSERT_EQ(rec_reader__open(o.path, &r, err, sizeof(err)), 0))
		return;
	ASSERT_EQ(rec_reader__header(r)->start_ns, START_NS);
	next_is(r, &it, REC_META);
	if (next_is(r, &it, REC_GAP))
		ASSERT_EQ(((const struct rec_gap *)it.body)->events, 1);
	check_snapshot(r, REC_SNAP_RESYNC, snap_ts, NSNAP);
	while ((e = rec_reader__next(r, &it)) > 0 && it.kind == REC_EVENT)
		i++;
	ASSERT_EQ(it.kind, REC_END);
	ASSERT_TRUE(rec_reader__complete(r));
	rec_reader__free(r);
}

/*
 * A rotation whose new file cannot be made (no inode left on a tmpfs):
 * the old file ended whole and kept as .1; the writer fails until an inode
 * is there (a remount with more); then the new file starts with the gap.
 */
static void test_write_error_rotation(void)
{
	char mnt[96], rot[160];
	struct rec_writer *w;
	struct rec_reader *r = NULL;
	struct rec_item it;
	unsigned i = 0;

	snprintf(mnt, sizeof(mnt), "%s/inodes", dir);
	if (mkdir(mnt, 0700) < 0 || mount("proclife-test", mnt, "tmpfs", 0, "size=1m,nr_inodes=2,mode=0700") < 0) {
		TEST_SKIP("cannot mount a small tmpfs here: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/rot.plr", mnt);
	snprintf(rot, sizeof(rot), "%s.1", path);
	w = open_writer(path, false);
	if (!w)
		goto out;
	ASSERT_EQ(fill(w, &i, 10), 0);
	ASSERT_EQ(rec_writer__rotate(w, START_NS + SEC, WALL_OFFSET), -ENOSPC);
	ASSERT_CONTAINS(rec_writer__failing(w) ? rec_writer__failing(w) : "", "cannot create");
	ASSERT_EQ(access(path, F_OK), -1);
	for (; i < 15; i++)
		ASSERT_EQ(rec_writer__event(w, evbuf, make_exec(i, 2000)), -ENOSPC);
	ASSERT_EQ(rec_writer__retry(w, START_NS + 3 * SEC), 0);
	ASSERT_EQ(mount("proclife-test", mnt, "tmpfs", MS_REMOUNT, "size=1m,nr_inodes=8,mode=0700"), 0);
	ASSERT_EQ(rec_writer__retry(w, START_NS + 10 * SEC), 1);
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_RESYNC, START_NS + 10 * SEC, snap, NSNAP), 0);
	ASSERT_EQ(rec_writer__resume(w), 1);
	ASSERT_EQ(rec_writer__close(w, START_NS + 11 * SEC), 0);
	/* The old one whole, the new one: seq 1, the gap of the 5 events, then its scan. */
	if (ASSERT_EQ(rec_reader__open(rot, &r, err, sizeof(err)), 0)) {
		while (rec_reader__next(r, &it) > 0)
			;
		ASSERT_TRUE(rec_reader__complete(r));
		rec_reader__free(r);
	}
	r = NULL;
	if (ASSERT_EQ(rec_reader__open(path, &r, err, sizeof(err)), 0)) {
		ASSERT_EQ(rec_reader__header(r)->seq, 1u);
		ASSERT_EQ(rec_reader__header(r)->start_ns, START_NS + SEC);
		next_is(r, &it, REC_META);
		if (next_is(r, &it, REC_GAP))
			ASSERT_EQ(((const struct rec_gap *)it.body)->events, 5);
		if (next_is(r, &it, REC_SNAP_BEGIN))
			ASSERT_EQ(((const struct rec_snap_begin *)it.body)->reason, REC_SNAP_RESYNC);
		rec_reader__free(r);
	}
out:
	umount2(mnt, MNT_DETACH);
}

int main(void)
{
	tl_init("recording");
	snprintf(dir, sizeof(dir), "/tmp/test_recording.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	make_big_snap();
	msg__set_sink(capture, NULL);
	RUN_TEST(test_round_trip);
	RUN_TEST(test_file_mode);
	RUN_TEST(test_multiple_blocks);
	RUN_TEST(test_torn_at_every_offset);
	RUN_TEST(test_bit_flips);
	RUN_TEST(test_header_errors);
	RUN_TEST(test_unknown_kind_skipped);
	RUN_TEST(test_cgroups_and_containers);
	RUN_TEST(test_container_decode);
	RUN_TEST(test_bad_records);
	RUN_TEST(test_format_1x_events);
	RUN_TEST(test_huge_lengths);
	RUN_TEST(test_create_refuses);
	RUN_TEST(test_rotation);
	RUN_TEST(test_rotate_by_hand);
	RUN_TEST(test_rotate_existing);
	RUN_TEST(test_rotate_existing_stubs);
	RUN_TEST(test_write_error_full_disk);
	RUN_TEST(test_write_error_file_size_limit);
	RUN_TEST(test_write_error_at_open);
	RUN_TEST(test_write_error_rotation);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return tl_finish();
}
