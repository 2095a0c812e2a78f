// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The replay player (session/replay.c) on its own, through the callbacks a
 * session gives it: nothing is played on open; the bootstrap stops at the
 * end of the first scan and hands the scan over whole; replay__until()
 * stops at its time; each kind of record reaches its own callback, in the
 * file's order; and the end says whether the file was whole.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "session/replay.h"
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

static void on_snapshot(void *ctx, unsigned reason, const struct proc_snapshot *v, size_t n, __u64 ts)
{
	say("snapshot:%u:%zu", reason, n);
	for (size_t i = 0; i < n; i++)
		say(":%u", v[i].pid);
	say("@%llu ", (unsigned long long)(ts - T0));
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

static const struct replay_ops ops = {
	.event = on_event, .snapshot = on_snapshot, .tick = on_tick, .lost = on_lost, .item = on_item,
};

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
	if (!ASSERT_EQ(replay__open(NULL, buf, len, &ops, NULL, &rp, msg, sizeof(msg)), 0))
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
	if (ASSERT_EQ(replay__open(NULL, buf, len, &ops, NULL, &rp, msg, sizeof(msg)), 0)) {
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

static void test_killed_recorder(void)
{
	/* Every record is there, the end mark is not: a clean cut, said on stderr (one line). */
	play_to(false, ~0ull, T0 + 6, 1);
}

static void test_open_errors(void)
{
	struct replay *rp = NULL;
	char msg[256];

	snprintf(path, sizeof(path), "%s/missing", dir);
	ASSERT_EQ(replay__open(path, NULL, 0, &ops, NULL, &rp, msg, sizeof(msg)), -ENOENT);
	ASSERT_TRUE(strncmp(msg, path, strlen(path)) == 0);
	ASSERT_EQ(replay__open(NULL, "not a recording", 15, &ops, NULL, &rp, msg, sizeof(msg)) < 0, true);
	ASSERT_TRUE(rp == NULL);
	replay__free(NULL);
}

int main(void)
{
	tl_init("replay");
	snprintf(dir, sizeof(dir), "/tmp/test_replay.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_plays_in_order);
	RUN_TEST(test_until_past_the_end);
	RUN_TEST(test_killed_recorder);
	RUN_TEST(test_open_errors);
	snprintf(path, sizeof(path), "%s/rec", dir);
	unlink(path);
	rmdir(dir);
	return tl_finish();
}
