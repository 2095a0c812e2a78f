// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* run's summary on a synthetic stream: who ran, lives of a reused pid, adoption, signals, killers. */
#include "testlib.h"
#include "views/run_summary.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static void ev_fork(struct run_summary *s, __u32 parent, __u32 child, __u64 start)
{
	struct pl_fork f = {};

	synth_hdr(&f.h, PL_EV_FORK, parent, 1, "sh");
	f.h.start_ns = parent; /* start time = pid, unless said otherwise */
	f.child_pid = f.child_tid = child;
	f.child_start_ns = start;
	f.child_ppid = parent;
	run_summary__apply(s, &f);
}

static void ev_exit(struct run_summary *s, __u32 pid, __u32 ppid, __u64 start, __u32 status, __u32 adopter)
{
	struct pl_exit x = {};

	synth_hdr(&x.h, PL_EV_EXIT, pid, ppid, "sh");
	x.h.start_ns = start;
	x.status = status;
	if (adopter) {
		x.h.flags = PL_F_HAS_CHILDREN;
		x.new_parent = adopter;
	}
	run_summary__apply(s, &x);
}

static void test_lives_and_adoption(void)
{
	struct run_summary s;
	struct pl_signal sg = {};
	struct pl_exit x = {};
	struct pl_reap r = {};

	run_summary__init(&s, 10);
	ev_fork(&s, 10, 11, 11);        /* CMD forks 11 */
	ev_fork(&s, 11, 12, 12);        /* 11 forks 12 */
	ev_exit(&s, 11, 10, 11, 0, 1);  /* 11 exits: 12 adopted by 1 */
	ASSERT_EQ(s.n, 3);
	ASSERT_EQ(s.v[2].adopted_by, 1);
	ASSERT_EQ(s.v[2].ppid, 1);
	ASSERT_EQ(run_summary__alive(&s), 2); /* 10 (seen as a parent) and 12 */
	/* 10 kills 12 with kill(); 12 dies of it. */
	synth_hdr(&sg.h, PL_EV_SIGNAL, 10, 1, "sh");
	sg.h.start_ns = 10;
	sg.sig = 15;
	sg.target_pid = 12;
	sg.syscall = PL_SYS_KILL;
	run_summary__apply(&s, &sg);
	synth_hdr(&x.h, PL_EV_EXIT, 12, 1, "sleep");
	x.h.start_ns = 12;
	x.status = 15;
	x.killer = (struct pl_killer){ .sig = 15, .pid = 10, .syscall = PL_SYS_KILL };
	run_summary__apply(&s, &x);
	ASSERT_EQ(s.v[0].signals_sent, 1);
	ASSERT_EQ(s.v[2].signals_received, 1);
	ASSERT_EQ(s.v[2].killer.pid, 10);
	ASSERT_TRUE(s.v[2].exited);
	ASSERT_FALSE(s.v[2].reaped);
	synth_hdr(&r.h, PL_EV_REAP, 12, 1, "sleep");
	r.h.start_ns = 12;
	run_summary__apply(&s, &r);
	ASSERT_TRUE(s.v[2].reaped);
	/* Pid 12 again, another life: a new entry, the old one untouched. */
	ev_fork(&s, 10, 12, 99);
	ASSERT_EQ(s.n, 4);
	ASSERT_EQ(s.v[3].start_ns, 99);
	ASSERT_FALSE(s.v[3].exited);
	ASSERT_TRUE(s.v[2].exited);
	/* A refused or probing signal is not counted as sent or received. */
	sg.result = PL_SIG_FAILED;
	run_summary__apply(&s, &sg);
	ASSERT_EQ(s.v[0].signals_sent, 1);
	run_summary__free(&s);
}

static void test_json_shape(void)
{
	struct run_summary s;
	struct wallclock wc = {};
	struct outbuf ob;
	const char *out;

	run_summary__init(&s, 10);
	ev_fork(&s, 10, 11, 11);
	ev_exit(&s, 11, 10, 11, 3 << 8, 0);
	ev_exit(&s, 10, 1, 10, 0, 0);
	outbuf__init(&ob, -1, 0);
	run_summary__json(&s, &ob, &wc, 100, "/nonexistent-proc", 0, 0);
	out = outbuf__cstr(&ob);
	ASSERT_TRUE(strstr(out, "{\"exit_status\":0,\"lost\":0,\"processes\":[{\"pid\":10,") == out);
	ASSERT_TRUE(strstr(out, "\"children\":[{\"pid\":11,\"ppid\":10,") != NULL);
	ASSERT_TRUE(strstr(out, "\"exit_code\":3,\"term_signal\":null") != NULL);
	ASSERT_TRUE(strstr(out, "\"left_behind\":{\"running\":[],\"zombies\":[],\"orphans\":[]},\"totals\":{") != NULL);
	/* No exit said what it used (synthetic ones without usage): totals of nothing, no top consumers. */
	ASSERT_TRUE(strstr(out, "\"totals\":{\"processes\":2,\"with_usage\":0,\"cpu_ns\":0,") != NULL);
	ASSERT_TRUE(strstr(out, "\"top_cpu\":[],\"top_rss\":[]}\n") != NULL);
	outbuf__free(&ob);
	run_summary__free(&s);
}

int main(void)
{
	tl_init("unit/run_summary");
	RUN_TEST(test_lives_and_adoption);
	RUN_TEST(test_json_shape);
	return tl_finish();
}
