// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Recordings on the real kernel: a live session records while its ring
 * buffer overflows, and the replay of the file gives exactly the live
 * output, losses and the /proc resync they caused included.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktests.h"
#include "session/live.h"
#include "views/writer.h"

struct out {
	struct writer w;
	struct outbuf ob;
	struct wallclock wc;
	__u64 lost;
};

static int on_record(void *ctx, const void *rec)
{
	struct out *o = ctx;

	o->w.event(&o->w, rec);
	return 0;
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct out *o = ctx;

	o->lost += count;
	o->w.lost(&o->w, type, count, now);
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct out *o = ctx;

	o->w.derived(&o->w, d);
}

static struct live_config config(struct out *o)
{
	outbuf__init(&o->ob, -1, 0); /* in memory */
	writer__init_json(&o->w, &o->ob, &o->wc);
	return (struct live_config){
		.model = true,
		.model_cfg = { .derived = on_derived, .ctx = o },
		.record = on_record,
		.lost = on_lost,
		.ctx = o,
		.proc_root = "/proc",
	};
}

static int child_exec_true(void *arg)
{
	execl("/bin/true", "true", (char *)NULL);
	return 127;
}

void test_record_lost_resync_replay(void)
{
	char path[] = "/tmp/proclife-kt-XXXXXX", msg[256];
	struct rec_writer_opts ro = { .path = path, .force = true, .args_cap = PL_ARGS_DEFAULT };
	struct out live = {}, replay = {};
	struct live_config cfg = config(&live);
	struct live *l = NULL;
	pid_t pids[60];
	int fd = mkstemp(path), quiet = 0;

	close(fd);
	cfg.record_to = &ro;
	cfg.tracer = (struct tracer_config){ .events = PL_EV_ALL, .args_cap = PL_ARGS_DEFAULT, .ringbuf_bytes = 4096 };
	if (!ASSERT_EQ(live__new(&cfg, &l, msg, sizeof(msg)), 0)) {
		FAILF("live__new: %s", msg);
		goto out;
	}
	live.wc = *live__wallclock(l);
	/* A one-page ring buffer, not drained while 60 processes come and go: it overflows. */
	for (int i = 0; i < 60; i++)
		pids[i] = spawn(child_exec_true, NULL);
	for (int i = 0; i < 60; i++)
		ASSERT_EQ(wait_status(pids[i]), 0);
	for (int i = 0; i < 200 && quiet < 3; i++)
		quiet = live__poll(l, 20) == 0 ? quiet + 1 : 0;
	ASSERT_EQ(live__end_recording(l), 0);
	live__free(l);
	l = NULL;
	ASSERT_GE(live.lost, 1);
	outbuf__putc(&live.ob, 0);
	ASSERT_TRUE(strstr(live.ob.data, "\"event\":\"lost\"") != NULL);
	ASSERT_TRUE(strstr(live.ob.data, "\"event\":\"resync\"") != NULL);

	cfg = config(&replay);
	cfg.replay = (const char *const[]){ path };
	cfg.nreplay = 1;
	if (!ASSERT_EQ(live__new(&cfg, &l, msg, sizeof(msg)), 0)) {
		FAILF("replay: %s", msg);
		goto out;
	}
	replay.wc = *live__wallclock(l);
	while (!live__done(l))
		live__poll(l, 0);
	ASSERT_EQ(live__replay_result(l), 0);
	outbuf__putc(&replay.ob, 0);
	ASSERT_EQ(replay.lost, live.lost);
	if (replay.ob.len != live.ob.len || memcmp(replay.ob.data, live.ob.data, live.ob.len)) {
		size_t i = 0;

		while (i < live.ob.len && i < replay.ob.len && replay.ob.data[i] == live.ob.data[i])
			i++;
		FAILF("the replay differs from the live output at byte %zu (of %zu live, %zu replayed):\n"
		      "    got      \"%.100s\"\n    expected \"%.100s\"",
		      i, live.ob.len, replay.ob.len, replay.ob.data + i, live.ob.data + i);
	}
out:
	live__free(l);
	outbuf__free(&live.ob);
	outbuf__free(&replay.ob);
	unlink(path);
}
