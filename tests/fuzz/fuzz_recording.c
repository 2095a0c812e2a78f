// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * libFuzzer target for recordings: the bytes of a (hostile) file go through
 * everything `proclife watch --json -r FILE` and `tree -r FILE` do with it:
 * the reader, the snapshot assembly, the model, the JSON writer for every
 * record and derived event, the tree and zombie views, the replay verdict.
 * Then through the reader alone, which must stop at the first damage and
 * never read past what it was given; then again as two pieces of one
 * recording (-r twice), the second a copy with the next header.
 *
 * Mutating a file's bytes rarely gets past its CRCs and zlib, so an input
 * may also be records alone: FUZZ_RAW_MAGIC, a byte saying how many records
 * go in each block (0: one block), then records as in a block's payload.
 * The target wraps them into a file with correct headers, deflate and
 * CRCs, so the fuzzer works on what the model and the writers see.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined over sanitized
 * copies of user/ (build/fuzz/user/); `make fuzz` runs it, tests/fuzz/smoke.sh
 * runs it briefly as part of `make test`. To see what one input does:
 * build/fuzz/fuzz_recording FILE (the replay's stderr stays then).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/outbuf.h"
#include "kernel/procfs.h"
#include "session/live.h"
#include "session/replay.h"
#include "views/session_summary.h"
#include "views/tree.h"
#include "views/writer.h"

#define FUZZ_RAW_MAGIC "PLRAW\0" /* then u8 records per block, u8 unused: 8 bytes */
#define FUZZ_RAW_HDR 8
#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static int devnull = -1;
static z_stream zs; /* raw deflate for wrap_records(), reset per block */

struct fz {
	struct writer w, text; /* watch --json and watch, both on /dev/null */
	struct outbuf ob;
	struct wallclock wc;
	struct live *l;
	__u64 items;
};

static int on_record(void *ctx, const void *rec)
{
	struct fz *f = ctx;

	f->w.event(&f->w, rec);
	f->text.event(&f->text, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct fz *f = ctx;

	f->w.derived(&f->w, d);
	f->text.derived(&f->text, d);
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct fz *f = ctx;

	f->w.lost(&f->w, type, count, now);
	f->text.lost(&f->text, type, count, now);
}

/* What commands do with the other records: run markers, and the scans a command is handed. */
static void on_item(void *ctx, const struct rec_item *it)
{
	struct fz *f = ctx;

	f->items++;
}

static void on_snapshot(void *ctx, unsigned reason, const struct proc_snapshot *s, size_t n)
{
	struct fz *f = ctx;

	for (size_t i = 0; i < n; i++)
		if (s[i].cmdline)
			outbuf__write(&f->ob, s[i].cmdline, s[i].cmdline_len);
}

/* The pieces src[0..n) replayed as one; data, size: the input, whose size and last byte pick a time. */
static void replay(const struct replay_source *src, size_t n, const uint8_t *data, size_t size)
{
	struct fz f = {};
	struct live_config cfg = {
		.model = true,
		.model_cfg = { .derived = on_derived, .ctx = &f },
		.record = on_record,
		.lost = on_lost,
		.item = on_item,
		.snapshot = on_snapshot,
		.ctx = &f,
		.replay_mem = src,
		.nreplay_mem = n,
	};
	struct view_ctx v;
	char msg[512];

	if (outbuf__init(&f.ob, devnull, 64 << 10) < 0)
		abort();
	writer__init_json(&f.w, &f.ob, &f.wc);
	writer__init_text(&f.text, &f.ob, &f.wc);
	if (live__new(&cfg, &f.l, msg, sizeof(msg)) < 0) {
		/* Refused at the header: the message must still be one line. */
		if (!memchr(msg, '\0', sizeof(msg)) || strchr(msg, '\n'))
			abort();
		outbuf__free(&f.ob);
		return;
	}
	f.wc = *live__wallclock(f.l);
	f.w.header(&f.w);
	f.text.header(&f.text);
	/*
	 * Odd sizes stop first at a time the input picks, as tree -r --at TIME
	 * does, and show the tree there. Then to the end: each poll applies at
	 * least one record or ends the replay, so this is bounded by the input.
	 */
	if (size & 1) {
		__u64 at = live__time(f.l) + ((__u64)data[size - 1] << 24);

		live__replay_until(f.l, at);
		v = (struct view_ctx){ .m = live__model(f.l), .wc = &f.wc, .now = live__time(f.l) };
		view_tree__text(&f.ob, &v, NULL);
		view_zombies__text(&f.ob, &v);
	}
	while (!live__done(f.l))
		if (live__poll(f.l, 0) < 0)
			break;
	live__replay_result(f.l);
	session_summary__of(&f.ob, f.l, NULL);
	v = (struct view_ctx){ .m = live__model(f.l), .wc = &f.wc, .now = live__time(f.l), .max_argv = 200 };
	view_tree__json(&f.ob, &v, NULL);
	view_tree__text(&f.ob, &v, NULL);
	view_zombies__json(&f.ob, &v);
	outbuf__flush(&f.ob);
	live__free(f.l);
	outbuf__free(&f.ob);
}

/*
 * The reader alone: it stops for good at damage, and says where within the
 * input. Returns the time of the end mark (0: none), where a rotation
 * would start the next piece.
 */
static __u64 read_raw(const uint8_t *data, size_t size)
{
	struct rec_reader *r;
	struct rec_item it;
	char err[256];
	__u64 n = 0, end = 0;
	int e;

	if (rec_reader__open_mem(data, size, &r, err, sizeof(err)) < 0) {
		if (strncmp(err, "offset ", 7))
			abort();
		return 0;
	}
	while ((e = rec_reader__next(r, &it)) > 0) {
		if (it.kind == 0 || it.kind >= REC_KIND_MAX || it.len > REC_RECORD_MAX)
			abort();
		/* Touch every byte: ASan checks the body is inside the reader's block. */
		for (size_t i = 0; i < it.len; i++)
			n += ((const unsigned char *)it.body)[i];
		if (it.kind == REC_END)
			end = it.ts;
		if (it.kind == REC_SNAP_PROC) {
			struct proc_snapshot s;

			rec_snap_proc__decode(it.body, it.len, &s);
			if (s.cmdline && s.cmdline_len && s.cmdline[s.cmdline_len - 1] == 0x7f)
				n++;
		}
	}
	if (e < 0) {
		const char *why = rec_reader__error(r);

		if (!why || strncmp(why, "offset ", 7) || rec_reader__offset(r) > size)
			abort();
		if (rec_reader__next(r, &it) != e) /* damage is final */
			abort();
	} else if (rec_reader__error(r) || rec_reader__offset(r) != size) {
		abort();
	}
	rec_reader__free(r);
	(void)n;
	return end;
}

/*
 * The input as the first of two pieces, the second a copy whose header
 * continues it (the next seq, starting at its end mark: a rotation) or,
 * for odd sizes, starts at a time the input picks (a gap or an overlap):
 * ordering, the carried scan, the boundary's line, the verdicts of both.
 */
static void replay_two(const uint8_t *data, size_t size, __u64 end)
{
	struct replay_source two[2] = { { .buf = data, .len = size } };
	struct rec_file_hdr h;
	uint8_t *next;

	if (size < sizeof(h) || !(next = malloc(size)))
		return;
	memcpy(next, data, size);
	memcpy(&h, next, sizeof(h));
	h.seq++;
	h.start_ns = size & 1 ? h.start_ns + ((__u64)data[size / 2] << 22) : end;
	h.crc = crc32(0, (const Bytef *)&h, offsetof(struct rec_file_hdr, crc));
	memcpy(next, &h, sizeof(h));
	two[1] = (struct replay_source){ .buf = next, .len = size };
	replay(two, 2, data, size);
	free(next);
}

/* Records a block's reader accepts from raw[0..len): how many, and the bytes they span. */
static size_t count_records(const uint8_t *raw, size_t len, size_t max, size_t *span)
{
	size_t pos = 0, n = 0;

	while (n < max && len - pos >= sizeof(struct rec_hdr)) {
		__u32 size;

		memcpy(&size, raw + pos, sizeof(size));
		if (size < sizeof(struct rec_hdr) || size > len - pos)
			break;
		pos += ALIGN8(size) < len - pos ? ALIGN8(size) : len - pos;
		n++;
	}
	*span = pos;
	return n;
}

/* A FUZZ_RAW_MAGIC input as a well-formed file (malloc'd; *len set), or NULL. */
static uint8_t *wrap_records(const uint8_t *data, size_t size, size_t *len)
{
	size_t per_block = data[6] ? data[6] : SIZE_MAX, cap, off, pos;
	const uint8_t *raw = data + FUZZ_RAW_HDR;
	size_t raw_len = (size - FUZZ_RAW_HDR) & ~(size_t)7;
	struct rec_file_hdr h = {
		.major = REC_VERSION_MAJOR,
		.minor = REC_VERSION_MINOR,
		.hdr_size = sizeof(h),
		.start_ns = 1000000000000ull,
		.wall_offset_ns = 1767322045000000000ll,
		.args_cap = PL_ARGS_DEFAULT,
	};
	uint8_t *out;
	__u64 seq = 0;

	if (raw_len > REC_BLOCK_RAW_MAX)
		return NULL;
	/* Every record may end up in a block of its own: room for each one's header and zlib's overhead. */
	cap = sizeof(h) + (raw_len / 8 + 1) * (sizeof(struct rec_block_hdr) + 64) + compressBound(raw_len);
	out = malloc(cap);
	if (!out)
		return NULL;
	memcpy(h.magic, REC_MAGIC, REC_MAGIC_LEN);
	h.crc = crc32(0, (const Bytef *)&h, offsetof(struct rec_file_hdr, crc));
	memcpy(out, &h, sizeof(h));
	off = sizeof(h);
	for (pos = 0; pos < raw_len;) {
		struct rec_block_hdr b = { .magic = REC_BLOCK_MAGIC, .seq = seq++ };
		size_t span, n = count_records(raw + pos, raw_len - pos, per_block, &span);
		size_t zlen;
		int e;

		/* What no record fits goes whole into this last block, for the reader to refuse. */
		if (n < per_block && span < raw_len - pos) {
			span = raw_len - pos;
			n++;
		}
		/* Raw deflate, as the writer: no zlib wrapper. */
		deflateReset(&zs);
		zs.next_in = (Bytef *)raw + pos;
		zs.avail_in = span;
		zs.next_out = out + off + sizeof(b);
		zs.avail_out = cap - off - sizeof(b);
		e = deflate(&zs, Z_FINISH);
		zlen = zs.total_out;
		if (e != Z_STREAM_END) {
			free(out);
			return NULL;
		}
		b.payload_len = zlen;
		b.raw_len = span;
		b.nrecords = n;
		b.payload_crc = crc32(0, out + off + sizeof(b), zlen);
		b.hdr_crc = crc32(0, (const Bytef *)&b, offsetof(struct rec_block_hdr, hdr_crc));
		memcpy(out + off, &b, sizeof(b));
		off += sizeof(b) + zlen;
		pos += span;
	}
	*len = off;
	return out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/*
	 * The replay verdict and summary go to stderr, once per input: run
	 * with -close_fd_mask=2 (make fuzz does) to silence them while keeping
	 * libFuzzer's and the sanitizers' reports, which it moves to another fd.
	 */
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_source one;
	uint8_t *file = NULL;
	size_t len;

	if (size >= FUZZ_RAW_HDR && !memcmp(data, FUZZ_RAW_MAGIC, 6)) {
		file = wrap_records(data, size, &len);
		if (!file)
			return 0;
		data = file;
		size = len;
	}
	one = (struct replay_source){ .buf = data, .len = size };
	replay(&one, 1, data, size);
	replay_two(data, size, read_raw(data, size));
	free(file);
	return 0;
}
