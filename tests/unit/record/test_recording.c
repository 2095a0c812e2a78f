// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Recordings (user/record/): what the writer writes is what the reader
 * reads, exactly; damage anywhere is found and said with its offset; the
 * file's creation refuses to clobber or follow symlinks; rotation; a write
 * error leaves a file that reads cleanly up to where it says. (The
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
#include "kernel/ctstate.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define START_NS SYNTH_BOOT_NS
#define WALL_OFFSET ((__s64)SYNTH_EPOCH * 1000000000ll - (__s64)SYNTH_BOOT_NS)
#define SEC 1000000000ull
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static char dir[64];  /* this run's temporary directory */
static char path[128];
static char err[512];

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

/* Appends a block of raw records (len a multiple of 8) to buf at *off, as the writer would. */
static void put_block(unsigned char *buf, size_t *off, __u64 seq, const void *raw, size_t len, __u32 nrecords)
{
	struct rec_block_hdr b = { .magic = REC_BLOCK_MAGIC, .raw_len = len, .nrecords = nrecords, .seq = seq };
	size_t zlen = deflate_raw(buf + *off + sizeof(b), compressBound(len) + 64, raw, len);

	b.payload_len = zlen;
	b.payload_crc = crc32(0, buf + *off + sizeof(b), zlen);
	b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
	memcpy(buf + *off, &b, sizeof(b));
	*off += sizeof(b) + zlen;
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
	ASSERT_EQ(h->hdr_size, 64);
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
	if (ASSERT_TRUE(write_file(tmp_path("torn-cut.plr"), buf, last + 40))) {
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
		else if (i < offs[blk] + 4)
			snprintf(want, sizeof(want), "offset %llu: block %zu: expected the block magic",
				 (unsigned long long)offs[blk], blk);
		else if (i < offs[blk] + 32)
			snprintf(want, sizeof(want), "offset %llu: block %zu: header CRC32 ",
				 (unsigned long long)offs[blk], blk);
		else
			snprintf(want, sizeof(want), "offset %llu: block %zu: payload CRC32 ",
				 (unsigned long long)offs[blk] + 32, blk);
		if (i < 64) {
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

	/* A newer minor only adds record kinds: read as usual. */
	memcpy(copy, buf, len);
	set_header(copy, REC_VERSION_MAJOR, 9);
	ASSERT_EQ(read_all(copy, len, &n), 0);
	ASSERT_EQ(n, 1 + 1 + (NSNAP + 2) + 8 + 3 + 3 + 1);

	memcpy(copy, buf, len);
	copy[16] ^= 0x10; /* start_ns */
	ASSERT_EQ(rec_reader__open_mem(copy, len, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_PREFIX(err, "offset 60: header CRC32 0x");

	ASSERT_EQ(rec_reader__open_mem(buf, 63, &r, err, sizeof(err)), -EBADMSG);
	ASSERT_STREQ(err, "offset 63: file ends inside its 64-byte header");

	/* Only the header: an empty recording that was never closed. */
	ASSERT_EQ(read_all(buf, 64, &n), 0);
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

/* A file header, as the writer makes it, into crafted[]; its length. */
static size_t crafted_header_of(__u16 major)
{
	struct rec_file_hdr h = { .major = major, .hdr_size = sizeof(h), .start_ns = START_NS };

	memcpy(h.magic, REC_MAGIC, REC_MAGIC_LEN);
	h.crc = crc32(0, (const Bytef *)&h, offsetof(struct rec_file_hdr, crc));
	memcpy(crafted, &h, sizeof(h));
	return sizeof(h);
}

static size_t crafted_header(void)
{
	return crafted_header_of(REC_VERSION_MAJOR);
}

/*
 * A format 1.x file: each event's header ends where 2.0's part begins. The
 * reader gives every event the 2.0 header, that part unknown, the rest as
 * it was; a 1.x event too short for even the old header is damage.
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
		memcpy(old, ev_store[i], cut);
		memcpy(old + cut, ev_store[i] + sizeof(struct pl_hdr), ev_size[i] - sizeof(struct pl_hdr));
		put_record(raw, &rl, REC_EVENT, old, ev_size[i] - part);
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
		{ "size 0", 0, NULL, 0, "offset 64: block 0, byte 16: record size 0, expected 8 to 8" },
		{ "short tick", REC_TICK, &t, 4, "offset 64: block 0, byte 16: record too short for its kind" },
		{ "lost type", REC_LOST, &lost, sizeof(lost),
		  "offset 64: block 0, byte 16: lost record for an unknown event type" },
		{ "cmdline", REC_SNAP_PROC, &p, sizeof(p),
		  "offset 64: block 0, byte 16: process entry's cmdline length does not match its record" },
		{ "event", REC_EVENT, ev_store[3], sizeof(struct pl_hdr) + 20, "offset 64: block 0, byte 16: malformed event" },
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
		ASSERT_EQ(rec_reader__offset(r), 64);
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
			ASSERT_EQ(rec_writer__offset(w), 64);
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

	/* Nothing there yet: a plain new file, nothing shifted. */
	ASSERT_EQ(rec_writer__open(&o, START_NS, WALL_OFFSET, &w, err, sizeof(err)), 0);
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

/* ---------------------------------------------------------------- write errors */

/* Writes until the writer fails; checks its message and that the file reads cleanly up to there. */
static void fill_until_error(struct rec_writer *w, const char *p, int expect_err)
{
	struct rec_reader *r = NULL;
	struct rec_item it;
	const char *msg, *at;
	unsigned long long upto = 0;
	unsigned last = 0, n = 0;
	int e = 0;

	for (unsigned i = 0; i < 100000 && !e; i++) {
		e = rec_writer__event(w, evbuf, make_exec(i, 2000));
		if (!e && i % 8 == 7)
			e = rec_writer__flush(w);
	}
	ASSERT_EQ(e, expect_err);
	msg = rec_writer__error(w);
	if (!ASSERT_TRUE(msg))
		return;
	ASSERT_CONTAINS(msg, strerror(-expect_err));
	at = strstr(msg, "complete up to offset ");
	if (!ASSERT_TRUE(at))
		return;
	upto = strtoull(at + strlen("complete up to offset "), NULL, 10);
	ASSERT_EQ(upto, rec_writer__offset(w));
	/* Failed for good: later calls say the same, close too. */
	ASSERT_EQ(rec_writer__tick(w, START_NS), expect_err);
	ASSERT_EQ(rec_writer__flush(w), expect_err);
	ASSERT_EQ(rec_writer__close(w, START_NS + SEC), expect_err);

	if (!ASSERT_EQ(rec_reader__open(p, &r, err, sizeof(err)), 0)) {
		printf("    %s\n", err);
		return;
	}
	while ((e = rec_reader__next(r, &it)) > 0) {
		if (it.kind == REC_EVENT) {
			if (n && exec_index(&it) != last + 1)
				FAILF("event %u after %u", exec_index(&it), last);
			last = exec_index(&it);
			n++;
		}
	}
	/* Cut back to its last complete block: clean, only the end mark missing. */
	ASSERT_EQ(e, 0);
	ASSERT_TRUE(rec_reader__error(r) == NULL);
	ASSERT_FALSE(rec_reader__complete(r));
	ASSERT_EQ(rec_reader__offset(r), upto);
	ASSERT_GE(n, 8);
	rec_reader__free(r);
}

static void test_write_error_full_disk(void)
{
	char mnt[96];
	struct rec_writer *w;

	snprintf(mnt, sizeof(mnt), "%s/tmpfs", dir);
	if (mkdir(mnt, 0700) < 0 || mount("proclife-test", mnt, "tmpfs", 0, "size=96k,mode=0700") < 0) {
		TEST_SKIP("cannot mount a small tmpfs here: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/full.plr", mnt);
	w = open_writer(path, false);
	if (w)
		fill_until_error(w, path, -ENOSPC);
	umount2(mnt, MNT_DETACH);
}

static void test_write_error_file_size_limit(void)
{
	struct rlimit old, lim;
	struct rec_writer *w = open_writer(tmp_path("fsize.plr"), false);
	void (*oldsig)(int);

	if (!w)
		return;
	/* Past RLIMIT_FSIZE a write fails with EFBIG (once SIGXFSZ, which would kill us, is ignored). */
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 50000;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	if (!ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0)) {
		rec_writer__close(w, START_NS);
		return;
	}
	fill_until_error(w, path, -EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);
}

int main(void)
{
	tl_init("recording");
	snprintf(dir, sizeof(dir), "/tmp/test_recording.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
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
	RUN_TEST(test_write_error_full_disk);
	RUN_TEST(test_write_error_file_size_limit);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return tl_finish();
}
