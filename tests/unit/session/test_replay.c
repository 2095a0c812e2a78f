// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The replay player (session/replay.c) on its own, through the callbacks a
 * session gives it: nothing is played on open; the bootstrap stops at the
 * end of the first scan and hands the scan over whole; replay__until()
 * stops at its time; each kind of record reaches its own callback, in the
 * file's order; and the end says whether the file was whole. Several
 * pieces: played in the order they were recorded whatever the order given;
 * a rotation's opening scan is carried (not a resync), unless the piece
 * opens with the mark of a failing disk's gap; a gap, an overlap, a piece
 * given twice are said in one line each; other boots refused;
 * replay__stop_after() ends at the first tick past its time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "testlib.h"
#include "base/msg.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "session/replay.h"
#include "unit/rechain.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define T0 SYNTH_BOOT_NS
#define WALL_OFFSET ((__s64)SYNTH_EPOCH * 1000000000ll - (__s64)SYNTH_BOOT_NS)

static char dir[64];
static char path[128];

/* What the callbacks saw, one word each, in order. */
static char seen[1024];

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	size_t n = strlen(seen);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(seen + n, sizeof(seen) - n, fmt, ap);
	va_end(ap);
}

static void on_event(void *ctx, const void *data, size_t size)
{
	const struct pl_hdr *h = data;

	say("event:%u@%llu ", h->type, (unsigned long long)(h->ts - T0));
}

static void on_snapshot(void *ctx, unsigned reason, struct proc_snapshot *v, size_t n, __u64 ts, bool carried)
{
	say("snapshot:%u:%zu", reason, n);
	for (size_t i = 0; i < n; i++)
		say(":%u", v[i].pid);
	say("@%llu%s ", (unsigned long long)(ts - T0), carried ? "c" : "");
}

static void on_tick(void *ctx, __u64 ts)
{
	say("tick@%llu ", (unsigned long long)(ts - T0));
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 ts)
{
	say("lost:%ux%llu ", type, (unsigned long long)count);
}

static void on_item(void *ctx, const struct rec_item *it)
{
	say("item:%u ", it->kind);
}

static void on_gap(void *ctx, const struct rec_gap *g)
{
	say("gap:%llu@%llu ", (unsigned long long)g->events, (unsigned long long)(g->ts - T0));
}

static const struct replay_ops ops = {
	.event = on_event, .snapshot = on_snapshot, .tick = on_tick, .lost = on_lost, .item = on_item,
	.gap = on_gap,
};

/* One piece in memory. */
static int open1(const void *buf, size_t len, struct replay **rp, char *msg, size_t msglen)
{
	struct replay_source src = { .buf = buf, .len = len };

	return replay__open(&src, 1, &ops, NULL, rp, msg, msglen);
}

static void *read_file(const char *p, size_t *len)
{
	int fd = open(p, O_RDONLY);
	struct stat st;
	char *buf = NULL;

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

static const struct proc_snapshot procs[] = {
	{ .start_ns = 1, .pid = 1, .ppid = 0, .state = 'S', .comm = "init" },
	{ .start_ns = 2, .pid = 100, .ppid = 1, .state = 'S', .comm = "bash" },
};

/*
 * A recording: a scan at +1, a fork at +2, a tick at +3, a loss at +4, a
 * run marker at +5, an exit at +6; closed at +7 unless whole is false (then
 * flushed and copied before the end mark: a killed recorder's file).
 */
static void *make_recording(bool whole, size_t *len)
{
	struct rec_writer_opts o = { .path = path, .force = true, .args_cap = 4096, .command = "proclife test" };
	struct rec_writer *w = NULL;
	struct pl_fork f = {};
	struct pl_exit x = {};
	char err[256];
	void *buf = NULL;

	snprintf(path, sizeof(path), "%s/rec", dir);
	if (!ASSERT_EQ(rec_writer__open(&o, T0, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return NULL;
	synth_hdr(&f.h, PL_EV_FORK, 100, 1, "bash");
	f.h.ts = T0 + 2;
	f.child_pid = f.child_tid = 200;
	f.child_ppid = 100;
	f.child_start_ns = T0 + 2;
	synth_hdr(&x.h, PL_EV_EXIT, 200, 100, "bash");
	x.h.ts = T0 + 6;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, T0 + 1, procs, 2), 0);
	ASSERT_EQ(rec_writer__event(w, &f, sizeof(f)), 0);
	ASSERT_EQ(rec_writer__tick(w, T0 + 3), 0);
	ASSERT_EQ(rec_writer__lost(w, T0 + 4, PL_EV_EXEC, 7), 0);
	ASSERT_EQ(rec_writer__run_start(w, T0 + 5, 200), 0);
	ASSERT_EQ(rec_writer__event(w, &x, sizeof(x)), 0);
	if (!whole) {
		ASSERT_EQ(rec_writer__flush(w), 0);
		buf = read_file(path, len);
	}
	ASSERT_EQ(rec_writer__close(w, T0 + 7), 0);
	return whole ? read_file(path, len) : buf;
}

static void test_plays_in_order(void)
{
	size_t len;
	void *buf = make_recording(true, &len);
	struct replay *rp = NULL;
	char msg[256], want[512];

	if (!ASSERT_TRUE(buf))
		return;
	seen[0] = 0;
	if (!ASSERT_EQ(open1(buf, len, &rp, msg, sizeof(msg)), 0))
		goto out;
	/* Opened: the header is read, nothing is played, the clock is the recording's start. */
	ASSERT_STREQ(seen, "");
	ASSERT_EQ(replay__now(rp), T0);
	ASSERT_EQ(replay__header(rp)->wall_offset_ns, WALL_OFFSET);

	/* The bootstrap: the command line (META), then the first scan whole; not the fork after it. */
	replay__bootstrap(rp);
	snprintf(want, sizeof(want), "item:%u item:%u snapshot:%u:2:1:100@1 ", REC_META, REC_SNAP_END, REC_SNAP_START);
	ASSERT_STREQ(seen, want);
	ASSERT_FALSE(replay__done(rp));

	/* Up to +3: the fork and the tick, and the clock stops at +3. */
	seen[0] = 0;
	ASSERT_EQ(replay__until(rp, T0 + 3), 0);
	ASSERT_STREQ(seen, "event:1@2 tick@3 ");
	ASSERT_EQ(replay__now(rp), T0 + 3);
	ASSERT_FALSE(replay__done(rp));

	/* The rest: the loss, the run marker, the exit, the end mark; then nothing. */
	seen[0] = 0;
	ASSERT_EQ(replay__poll(rp, ~0ull), 4);
	snprintf(want, sizeof(want), "lost:%ux7 item:%u event:%u@6 item:%u ", PL_EV_EXEC, REC_RUN_START, PL_EV_EXIT,
		 REC_END);
	ASSERT_STREQ(seen, want);
	ASSERT_EQ(replay__poll(rp, ~0ull), 0);
	ASSERT_TRUE(replay__done(rp));
	ASSERT_EQ(replay__now(rp), T0 + 7);
	ASSERT_EQ(replay__result(rp), 0);
out:
	replay__free(rp);
	free(buf);
}

/* Opens a recording, plays its bootstrap, then everything up to until; checks where it ends. */
static void play_to(bool whole, __u64 until, __u64 want_now, int want_result)
{
	size_t len;
	void *buf = make_recording(whole, &len);
	struct replay *rp = NULL;
	char msg[256];

	if (!ASSERT_TRUE(buf))
		return;
	if (ASSERT_EQ(open1(buf, len, &rp, msg, sizeof(msg)), 0)) {
		replay__bootstrap(rp);
		ASSERT_EQ(replay__until(rp, until), 0);
		ASSERT_TRUE(replay__done(rp));
		ASSERT_EQ(replay__now(rp), want_now);
		ASSERT_EQ(replay__result(rp), want_result);
	}
	replay__free(rp);
	free(buf);
}

static void test_until_past_the_end(void)
{
	/* Past the end: everything is played and the clock stays at the recording's end (its end mark). */
	play_to(true, T0 + 1000, T0 + 7, 0);
}

static void capture(void (*fn)(void *), void *arg, char *out, size_t len);

static void play_killed(void *arg)
{
	play_to(false, ~0ull, T0 + 6, 1);
}

static void test_killed_recorder(void)
{
	static const char head[] = "proclife: recording: the recording ends at offset ",
			  tail[] = " without its end mark (the recorder was killed?); replayed all of it\n";
	char err[512];
	size_t n;

	/* Every record is there, the end mark is not: a clean cut, said in one message. */
	capture(play_killed, NULL, err, sizeof(err));
	n = strlen(err);
	ASSERT_TRUE(!strncmp(err, head, sizeof(head) - 1));
	ASSERT_TRUE(n >= sizeof(tail) - 1 && !strcmp(err + n - (sizeof(tail) - 1), tail));
	ASSERT_EQ(strchr(err, '\n') - err, (long)n - 1);
}

static void test_open_errors(void)
{
	struct replay *rp = NULL;
	char msg[256];

	struct replay_source src = { .path = path };

	snprintf(path, sizeof(path), "%s/missing", dir);
	ASSERT_EQ(replay__open(&src, 1, &ops, NULL, &rp, msg, sizeof(msg)), -ENOENT);
	ASSERT_TRUE(strncmp(msg, path, strlen(path)) == 0);
	ASSERT_EQ(open1("not a recording", 15, &rp, msg, sizeof(msg)) < 0, true);
	ASSERT_TRUE(rp == NULL);
	ASSERT_EQ(replay__open(&src, 0, &ops, NULL, &rp, msg, sizeof(msg)), -EINVAL);
	ASSERT_TRUE(rp == NULL);
	replay__free(NULL);
}


/* ---- several pieces ---- */

#define MS 1000000ull /* the pieces below count in milliseconds from T0 */

/* What the replay said (base/msg.h) while fn(arg) ran, as the default sink puts it on stderr. */
static char *said;
static size_t said_len;

static void to_said(void *ctx, enum msg_level level, const char *text)
{
	size_t n = strlen(said);

	snprintf(said + n, said_len - n, "proclife: %s\n", text);
}

static void capture(void (*fn)(void *), void *arg, char *out, size_t len)
{
	said = out;
	said_len = len;
	out[0] = '\0';
	msg__set_sink(to_said, NULL);
	fn(arg);
	msg__set_sink(NULL, NULL);
}

static struct pl_fork fork_at(__u64 ts)
{
	struct pl_fork f = {};

	synth_hdr(&f.h, PL_EV_FORK, 100, 1, "bash");
	f.h.ts = ts;
	f.child_pid = f.child_tid = 200;
	f.child_ppid = 100;
	f.child_start_ns = ts;
	return f;
}

static struct pl_exit exit_at(__u64 ts)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, 200, 100, "bash");
	x.h.ts = ts;
	return x;
}

/*
 * A recording rotated once, as `-w FILE --rotate-size` leaves it: FILE.1
 * (seq 0): a scan at 1 ms, a fork at 2, a tick at 3, closed at 4 by the
 * rotation; FILE (seq 1) from 4: its own scan at 5 (the rotation's), an
 * exit at 6, a tick at 7, closed at 8. Both read into memory.
 */
static bool make_rotated(void **older, size_t *older_len, void **newer, size_t *newer_len)
{
	struct rec_writer_opts o = { .path = path, .force = true, .args_cap = 4096, .command = "proclife test",
				     .rotate_size = 4096, .rotate_count = 3 };
	static const struct proc_snapshot after[] = {
		{ .start_ns = 1, .pid = 1, .ppid = 0, .state = 'S', .comm = "init" },
		{ .start_ns = 2, .pid = 100, .ppid = 1, .state = 'S', .comm = "bash" },
		{ .start_ns = T0 + 2 * MS, .pid = 200, .ppid = 100, .state = 'S', .comm = "bash" },
	};
	struct rec_writer *w = NULL;
	struct pl_fork f = fork_at(T0 + 2 * MS);
	struct pl_exit x = exit_at(T0 + 6 * MS);
	char err[256], p1[160];

	snprintf(path, sizeof(path), "%s/rot", dir);
	snprintf(p1, sizeof(p1), "%s.1", path);
	unlink(p1);
	if (!ASSERT_EQ(rec_writer__open(&o, T0, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return false;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, T0 + 1 * MS, procs, 2), 0);
	ASSERT_EQ(rec_writer__event(w, &f, sizeof(f)), 0);
	ASSERT_EQ(rec_writer__tick(w, T0 + 3 * MS), 0);
	ASSERT_EQ(rec_writer__rotate(w, T0 + 4 * MS, WALL_OFFSET), 0);
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_ROTATE, T0 + 5 * MS, after, 3), 0);
	ASSERT_EQ(rec_writer__event(w, &x, sizeof(x)), 0);
	ASSERT_EQ(rec_writer__tick(w, T0 + 7 * MS), 0);
	ASSERT_EQ(rec_writer__close(w, T0 + 8 * MS), 0);
	*older = read_file(p1, older_len);
	*newer = read_file(path, newer_len);
	unlink(p1);
	unlink(path);
	return *older && *newer;
}

/* A recording of its own (seq 0) from start to end ms: a scan at start + 1, an exit at end - 1. */
static void *make_alone(__u64 start, __u64 end, size_t *len)
{
	struct rec_writer_opts o = { .path = path, .force = true, .args_cap = 4096, .command = "proclife test" };
	struct rec_writer *w = NULL;
	struct pl_exit x = exit_at(T0 + (end - 1) * MS);
	char err[256];
	void *buf;

	snprintf(path, sizeof(path), "%s/alone", dir);
	if (!ASSERT_EQ(rec_writer__open(&o, T0 + start * MS, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return NULL;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, T0 + (start + 1) * MS, procs, 2), 0);
	ASSERT_EQ(rec_writer__event(w, &x, sizeof(x)), 0);
	ASSERT_EQ(rec_writer__close(w, T0 + end * MS), 0);
	buf = read_file(path, len);
	unlink(path);
	return buf;
}

struct play {
	struct replay_source src[4];
	size_t n;
	int open_ret, result;
	char msg[320];
};

/* Opens p's pieces and plays them all (what capture() runs). */
static void play_all(void *arg)
{
	struct play *p = arg;
	struct replay *rp = NULL;

	p->open_ret = replay__open(p->src, p->n, &ops, NULL, &rp, p->msg, sizeof(p->msg));
	if (p->open_ret == 0) {
		replay__bootstrap(rp);
		while (!replay__done(rp))
			replay__poll(rp, ~0ull);
		p->result = replay__result(rp);
	}
	replay__free(rp);
}

static void test_rotated_in_any_order(void)
{
	void *a = NULL, *b = NULL;
	size_t alen, blen;
	struct play p = {};
	char err[512], want[512];

	if (!make_rotated(&a, &alen, &b, &blen))
		goto out;
	/* Given newest first: played oldest first, one stream, nothing said. */
	p.src[0] = (struct replay_source){ .buf = b, .len = blen };
	p.src[1] = (struct replay_source){ .buf = a, .len = alen };
	p.n = 2;
	seen[0] = 0;
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.open_ret, 0);
	ASSERT_EQ(p.result, 0);
	ASSERT_STREQ(err, "");
	/* The second piece's scan is carried: the recorder only wrote it. */
	snprintf(want, sizeof(want),
		 "item:%u item:%u snapshot:%u:2:1:100@1000000 event:%u@2000000 tick@3000000 item:%u "
		 "item:%u item:%u snapshot:%u:3:1:100:200@5000000c event:%u@6000000 tick@7000000 item:%u ",
		 REC_META, REC_SNAP_END, REC_SNAP_START, PL_EV_FORK, REC_END, REC_META, REC_SNAP_END, REC_SNAP_ROTATE,
		 PL_EV_EXIT, REC_END);
	ASSERT_STREQ(seen, want);

	/* The newer piece alone: its scan is its bootstrap, not carried. */
	p.n = 1;
	seen[0] = 0;
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.result, 0);
	snprintf(want, sizeof(want), "item:%u item:%u snapshot:%u:3:1:100:200@5000000 ", REC_META, REC_SNAP_END,
		 REC_SNAP_ROTATE);
	ASSERT_TRUE(!strncmp(seen, want, strlen(want)));

	/* The same piece twice: played once, said once. */
	p.src[2] = p.src[0];
	p.n = 3;
	seen[0] = 0;
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.result, 0);
	ASSERT_STREQ(err, "proclife: recording 3 is the same piece of a recording as recording 1 (the same header): replayed once\n");
	ASSERT_EQ(strstr(seen, "c event") != NULL, true);
	ASSERT_EQ(strstr(strstr(seen, "item:10 ") + 1, "item:10 ") != NULL, true); /* two ends, not three */
	ASSERT_EQ(strstr(strstr(strstr(seen, "item:10 ") + 1, "item:10 ") + 1, "item:10 ") == NULL, true);
out:
	free(a);
	free(b);
}

static void test_gap_and_overlap(void)
{
	size_t l1, l2, l3;
	void *a = make_alone(0, 10, &l1), *b = make_alone(1510, 1520, &l2), *c = make_alone(5, 20, &l3);
	struct play p = {};
	char err[512], want[512];

	if (!ASSERT_TRUE(a && b && c))
		goto out;
	/* A gap: one line with both ends; the second scan corrects the model (not carried). */
	p.src[0] = (struct replay_source){ .buf = b, .len = l2 };
	p.src[1] = (struct replay_source){ .buf = a, .len = l1 };
	p.n = 2;
	seen[0] = 0;
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.result, 0);
	ASSERT_STREQ(err, "proclife: gap of 1.500 s between recording 2 (ends 03:04:05.010) and recording 1 "
			  "(starts 03:04:06.510): what happened then was not recorded\n");
	snprintf(want, sizeof(want), "snapshot:%u:2:1:100@1511000000 ", REC_SNAP_START);
	ASSERT_TRUE(strstr(seen, want) != NULL);

	/* An overlap: recorded at the same time. */
	p.src[0] = (struct replay_source){ .buf = c, .len = l3 };
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.result, 0);
	ASSERT_STREQ(err, "proclife: overlap of 0.005 s: recording 1 (starts 03:04:05.005) was recorded while "
			  "recording 2 (ends 03:04:05.010) was: events of that time may be shown twice\n");
out:
	free(a);
	free(b);
	free(c);
}

/*
 * A rotation whose new file could not be written at once (a file size
 * limit, here): FILE.1 as make_rotated()'s, closed at 4 ms; FILE from 4 ms
 * opens with the gap's mark at 2 s (the exit at 6 ms in it), then the scan
 * written after it. Played as one: the scan is applied (a resync), not
 * carried; the gap said once, with where it is.
 */
static void test_gap_opens_piece(void)
{
	struct rec_writer_opts o = { .path = path, .force = true, .args_cap = 4096, .command = "proclife test" };
	static const struct proc_snapshot after[] = {
		{ .start_ns = 1, .pid = 1, .ppid = 0, .state = 'S', .comm = "init" },
	};
	struct rec_writer *w = NULL;
	struct pl_fork f = fork_at(T0 + 2 * MS);
	struct pl_exit x = exit_at(T0 + 6 * MS);
	struct rlimit old, lim;
	struct play p = {};
	char err[512], want[512], p1[160];
	void *a = NULL, *b = NULL;
	size_t alen, blen;

	snprintf(path, sizeof(path), "%s/gaprot", dir);
	snprintf(p1, sizeof(p1), "%s.1", path);
	if (!ASSERT_EQ(rec_writer__open(&o, T0, WALL_OFFSET, &w, err, sizeof(err)), 0))
		return;
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_START, T0 + 1 * MS, procs, 2), 0);
	ASSERT_EQ(rec_writer__event(w, &f, sizeof(f)), 0);
	ASSERT_EQ(rec_writer__tick(w, T0 + 3 * MS), 0);
	ASSERT_EQ(rec_writer__close(w, T0 + 4 * MS), 0);
	/* The next piece, kept on from it (seq 1, from its end), its start refused by the limit. */
	o.force = false;
	o.rotate_existing = true;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 32;
	signal(SIGXFSZ, SIG_IGN);
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
	w = NULL;
	ASSERT_EQ(rec_writer__open(&o, T0 + 4 * MS, WALL_OFFSET, &w, err, sizeof(err)), 0);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	if (!ASSERT_TRUE(w && rec_writer__failing(w)))
		return;
	ASSERT_EQ(rec_writer__event(w, &x, sizeof(x)) < 0, true);
	ASSERT_EQ(rec_writer__retry(w, T0 + 2000 * MS), 1);
	ASSERT_EQ(rec_writer__snapshot(w, REC_SNAP_RESYNC, T0 + 2000 * MS, after, 1), 0);
	ASSERT_EQ(rec_writer__resume(w), 1);
	ASSERT_EQ(rec_writer__tick(w, T0 + 2001 * MS), 0);
	ASSERT_EQ(rec_writer__close(w, T0 + 2002 * MS), 0);
	a = read_file(p1, &alen);
	b = read_file(path, &blen);
	unlink(p1);
	unlink(path);
	if (!ASSERT_TRUE(a && b))
		goto out;
	p.src[0] = (struct replay_source){ .buf = a, .len = alen };
	p.src[1] = (struct replay_source){ .buf = b, .len = blen };
	p.n = 2;
	seen[0] = 0;
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.result, 0);
	snprintf(want, sizeof(want), "item:%u gap:1@2000000000 item:%u snapshot:%u:1:1@2000000000 tick@2001000000 ",
		 REC_META, REC_SNAP_END, REC_SNAP_RESYNC);
	if (!ASSERT_TRUE(strstr(seen, want) != NULL))
		printf("    %s\n", seen);
	ASSERT_TRUE(strstr(err, "proclife: recording 2: near offset ") == err);
	ASSERT_TRUE(strstr(err, ": from 03:04:05.004 to 03:04:07.000 its recorder could not write (EFBIG): 1 events "
				"are not in the recording\n") != NULL);
out:
	free(a);
	free(b);
}

/* A header changed in place, its CRC made right again, and the blocks chained to it as its writer would. */
static void patch_header(void *buf, size_t len, void (*fn)(struct rec_file_hdr *))
{
	struct rec_file_hdr *h = buf;

	fn(h);
	h->crc = crc32(0, buf, offsetof(struct rec_file_hdr, crc));
	rechain(buf, len, NULL);
}

static void other_boot(struct rec_file_hdr *h)
{
	h->boot_id[0] ^= 0xff;
}

static void no_boot_id(struct rec_file_hdr *h)
{
	memset(h->boot_id, 0, sizeof(h->boot_id));
}

static void clock_stepped(struct rec_file_hdr *h)
{
	memset(h->boot_id, 0, sizeof(h->boot_id));
	h->wall_offset_ns += 5000000000ll; /* 5 s: another boot, or a clock set; either way not comparable */
}

static void test_other_boots(void)
{
	size_t l1, l2;
	void *a = make_alone(0, 10, &l1), *b = make_alone(100, 110, &l2);
	struct play p = { .n = 2 };
	char err[512];

	if (!ASSERT_TRUE(a && b))
		goto out;
	/* The recorder wrote this boot's id. */
	ASSERT_TRUE(rec_file_hdr__has_boot_id(a));
	p.src[0] = (struct replay_source){ .buf = a, .len = l1 };
	p.src[1] = (struct replay_source){ .buf = b, .len = l2 };
	patch_header(b, l2, other_boot);
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.open_ret, -EINVAL);
	ASSERT_TRUE(strstr(p.msg, "recording 1 and recording 2 were recorded in different boots") == p.msg);
	/* Without boot ids (format 1.0): the same boot time is the same boot... */
	patch_header(a, l1, no_boot_id);
	patch_header(b, l2, no_boot_id);
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.open_ret, 0);
	ASSERT_TRUE(strstr(err, "proclife: gap of 0.090 s between recording 1") == err);
	/* ...and another is not. */
	patch_header(b, l2, clock_stepped);
	capture(play_all, &p, err, sizeof(err));
	ASSERT_EQ(p.open_ret, -EINVAL);
	ASSERT_TRUE(strstr(p.msg, "(booted 2026-01-02T02:47:25Z, booted 2026-01-02T02:47:30Z)") != NULL);
out:
	free(a);
	free(b);
}

static void test_stop_after(void)
{
	void *a = NULL, *b = NULL;
	size_t alen, blen;
	struct replay_source src[2];
	struct replay *rp = NULL;
	char msg[256];

	if (!make_rotated(&a, &alen, &b, &blen))
		goto out;
	src[0] = (struct replay_source){ .buf = a, .len = alen };
	src[1] = (struct replay_source){ .buf = b, .len = blen };
	/* Past 2.5 ms: the fork (2) is played, the tick at 3 ends it; the rest is not read. */
	if (!ASSERT_EQ(replay__open(src, 2, &ops, NULL, &rp, msg, sizeof(msg)), 0))
		goto out;
	replay__stop_after(rp, T0 + 2500000);
	seen[0] = 0;
	replay__bootstrap(rp);
	while (!replay__done(rp))
		replay__poll(rp, ~0ull);
	ASSERT_TRUE(strstr(seen, "event:1@2000000 ") != NULL);
	ASSERT_TRUE(strstr(seen, "tick") == NULL);
	ASSERT_EQ(replay__now(rp), T0 + 2500000); /* the time it was cut at, not the last record's */
	ASSERT_EQ(replay__result(rp), 0); /* cut on purpose: nothing to say */
	replay__free(rp);
	rp = NULL;
	/* Past 4.5 ms, in the second piece: up to its tick at 7; the exit at 6 played. */
	if (!ASSERT_EQ(replay__open(src, 2, &ops, NULL, &rp, msg, sizeof(msg)), 0))
		goto out;
	replay__stop_after(rp, T0 + 4500000);
	seen[0] = 0;
	replay__bootstrap(rp);
	while (!replay__done(rp))
		replay__poll(rp, ~0ull);
	ASSERT_TRUE(strstr(seen, "event:4@6000000 ") != NULL);
	ASSERT_TRUE(strstr(seen, "tick@7000000") == NULL);
out:
	replay__free(rp);
	free(a);
	free(b);
}

int main(void)
{
	tl_init("replay");
	setenv("TZ", "UTC", 1); /* the messages' times of day */
	snprintf(dir, sizeof(dir), "/tmp/test_replay.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_plays_in_order);
	RUN_TEST(test_until_past_the_end);
	RUN_TEST(test_killed_recorder);
	RUN_TEST(test_open_errors);
	RUN_TEST(test_rotated_in_any_order);
	RUN_TEST(test_gap_and_overlap);
	RUN_TEST(test_gap_opens_piece);
	RUN_TEST(test_other_boots);
	RUN_TEST(test_stop_after);
	snprintf(path, sizeof(path), "%s/rec", dir);
	unlink(path);
	rmdir(dir);
	return tl_finish();
}
