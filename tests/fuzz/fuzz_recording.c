// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * libFuzzer target for recordings: the bytes of a (hostile) file go through
 * everything `proclife watch --json -r FILE` and `tree -r FILE` do with it:
 * the reader, the snapshot assembly, the model, the JSON writer for every
 * record and derived event, the tree and zombie views, the replay verdict.
 * Then through the reader alone, which must stop at the first damage and
 * never read past what it was given.
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

#include "live.h"
#include "outbuf.h"
#include "procfs.h"
#include "view_tree.h"
#include "writer.h"

static int devnull = -1;

struct fz {
	struct writer w;
	struct outbuf ob;
	struct wallclock wc;
	struct live *l;
	__u64 items;
};

static int on_record(void *ctx, const void *rec)
{
	struct fz *f = ctx;

	f->w.event(&f->w, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct fz *f = ctx;

	f->w.derived(&f->w, d);
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct fz *f = ctx;

	f->w.lost(&f->w, type, count, now);
}

/* What commands do with the other records: run markers, the snapshot a command is handed. */
static void on_item(void *ctx, const struct rec_item *it)
{
	struct fz *f = ctx;
	const struct proc_snapshot *s;
	size_t n;

	f->items++;
	if (it->kind == REC_SNAP_END) {
		s = live__snapshot(f->l, &n);
		for (size_t i = 0; i < n; i++)
			if (s[i].cmdline)
				outbuf__write(&f->ob, s[i].cmdline, s[i].cmdline_len);
	}
}

static void replay(const uint8_t *data, size_t size)
{
	struct fz f = {};
	struct live_config cfg = {
		.model = true,
		.model_cfg = { .derived = on_derived, .ctx = &f },
		.record = on_record,
		.lost = on_lost,
		.item = on_item,
		.ctx = &f,
		.replay_buf = data,
		.replay_len = size,
	};
	struct view_ctx v;
	char msg[512];

	if (outbuf__init(&f.ob, devnull, 64 << 10) < 0)
		abort();
	writer__init_json(&f.w, &f.ob, &f.wc);
	if (live__new(&cfg, &f.l, msg, sizeof(msg)) < 0) {
		/* Refused at the header: the message must still be one line. */
		if (!memchr(msg, '\0', sizeof(msg)) || strchr(msg, '\n'))
			abort();
		outbuf__free(&f.ob);
		return;
	}
	f.wc = *live__wallclock(f.l);
	f.w.header(&f.w);
	/* Each poll applies at least one record or ends the replay: bounded by the input. */
	while (!live__done(f.l))
		if (live__poll(f.l, 0) < 0)
			break;
	live__replay_result(f.l);
	live__print_summary(f.l, NULL);
	v = (struct view_ctx){ .m = live__model(f.l), .wc = &f.wc, .now = live__time(f.l), .max_argv = 200 };
	view_tree__json(&f.ob, &v, NULL);
	view_tree__text(&f.ob, &v, NULL);
	view_zombies__json(&f.ob, &v);
	outbuf__flush(&f.ob);
	live__free(f.l);
	outbuf__free(&f.ob);
}

/* The reader alone: it stops for good at damage, and says where within the input. */
static void read_raw(const uint8_t *data, size_t size)
{
	struct rec_reader *r;
	struct rec_item it;
	char err[256];
	__u64 n = 0;
	int e;

	if (rec_reader__open_mem(data, size, &r, err, sizeof(err)) < 0) {
		if (strncmp(err, "offset ", 7))
			abort();
		return;
	}
	while ((e = rec_reader__next(r, &it)) > 0) {
		if (it.kind == 0 || it.kind >= REC_KIND_MAX || it.len > REC_RECORD_MAX)
			abort();
		/* Touch every byte: ASan checks the body is inside the reader's block. */
		for (size_t i = 0; i < it.len; i++)
			n += ((const unsigned char *)it.body)[i];
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
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/*
	 * The replay verdict and summary go to stderr, once per input: run
	 * with -close_fd_mask=2 (make fuzz does) to silence them while keeping
	 * libFuzzer's and the sanitizers' reports, which it moves to another fd.
	 */
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	replay(data, size);
	read_raw(data, size);
	return 0;
}
