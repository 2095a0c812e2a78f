// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* top's rows on a model built from synthetic events: order, prefixes, collapse, filter, exited. */
#include <signal.h>
#include <stdlib.h>

#include "testlib.h"
#include "kernel/procfs.h"
#include "model/model.h"
#include "views/top_rows.h"
#include "unit/synth_model.h"

TL_DEFINE_STATE;

#define S (1000 * MS)

static void exec_ev(struct model *m, __u32 pid, __u32 ppid, const char *comm, const char *const *argv, int argc)
{
	_Alignas(8) unsigned char buf[sizeof(struct pl_exec) + 512];
	struct pl_exec *e = (struct pl_exec *)buf;
	size_t lens[8];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	synth_exec(buf, pid, argv[0], argv, lens, argc);
	e->h.ppid = ppid;
	e->h.start_ns = start_of(pid);
	e->h.ts = 2000 * MS;
	memset(e->h.comm, 0, sizeof(e->h.comm));
	memcpy(e->h.comm, comm, strlen(comm));
	model__apply(m, e);
}

static void exit_ev(struct model *m, __u32 pid, __u32 ppid, __u32 status, __u64 ts)
{
	struct pl_exit x = {};

	hdr(&x.h, PL_EV_EXIT, pid, ppid, ts);
	x.status = status;
	model__apply(m, &x);
}

static void reap_ev(struct model *m, __u32 pid, __u32 ppid, __u64 ts)
{
	struct pl_reap r = {};

	hdr(&r.h, PL_EV_REAP, pid, ppid, ts);
	r.reaper_pid = ppid;
	r.h.flags = PL_F_REAP_WAIT;
	model__apply(m, &r);
}

static void stop_ev(struct model *m, __u32 pid, __u32 ppid, __u64 ts)
{
	struct pl_deliver d = {};

	hdr(&d.h, PL_EV_DELIVER, pid, ppid, ts);
	d.sig = SIGSTOP;
	d.action = PL_ACT_DEFAULT;
	model__apply(m, &d);
}

/*
 * 1
 * ├─ 10  (sleep 300.456)
 * │  ├─ 11
 * │  └─ 12  (python3 worker.py, comm "worker")
 * └─ 20
 */
static struct model *sample(void)
{
	static const char *const sleep_argv[] = { "sleep", "300.456" };
	static const char *const py_argv[] = { "python3", "worker.py" };
	struct model_config cfg = { .retention_ns = 60 * S };
	struct model *m = model__new(&cfg);

	fork_ev(m, 1, 0, 10, 1000 * MS);
	fork_ev(m, 10, 1, 11, 1001 * MS);
	fork_ev(m, 10, 1, 12, 1002 * MS);
	fork_ev(m, 1, 0, 20, 1003 * MS);
	exec_ev(m, 10, 1, "sleep", sleep_argv, 2);
	exec_ev(m, 12, 10, "worker", py_argv, 2);
	return m;
}

static struct top_filter all(void)
{
	return (struct top_filter){ .now = 3000 * MS, .exited_ns = 3 * S };
}

/* The rows as prefix + pid ("x" after an exited one, "-" for the heading), ";" between. */
static const char *shape(struct top_rows *r, bool ascii)
{
	static char out[4096];
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->n && len < sizeof(out) - 128; i++) {
		char prefix[256];

		top_rows__prefix(r, i, ascii, prefix, sizeof(prefix));
		if (r->v[i].kind == TOP_ROW_HEADING)
			len += snprintf(out + len, sizeof(out) - len, "%s-", i ? ";" : "");
		else if (r->v[i].kind == TOP_ROW_MORE)
			len += snprintf(out + len, sizeof(out) - len, "%s+%u", i ? ";" : "", r->v[i].hidden);
		else
			len += snprintf(out + len, sizeof(out) - len, "%s%s%u%s", i ? ";" : "", prefix, r->v[i].pid,
					r->v[i].kind == TOP_ROW_EXITED ? "x" : "");
	}
	return out;
}

static const struct top_row *row_of(struct top_rows *r, __u32 pid)
{
	long i = top_rows__find(r, TOP_ROW_PROC, pid, start_of(pid));

	return i >= 0 ? &r->v[i] : NULL;
}

static void test_tree_order_and_prefixes(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();

	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 5);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  ├─ 11;│  └─ 12;└─ 20");
	ASSERT_STREQ(shape(&r, true), "1;|- 10;|  |- 11;|  `- 12;`- 20");
	ASSERT_TRUE(r.v[0].has_children);
	ASSERT_TRUE(r.v[1].has_children);
	ASSERT_FALSE(r.v[2].has_children);
	ASSERT_EQ(r.v[3].up, 2); /* 12's parent row is row 1 (10) */
	ASSERT_EQ(r.v[3].depth, 2);
	top_rows__free(&r);
	model__free(m);
}

static void test_collapse_counts(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();
	const struct top_row *row;

	ASSERT_EQ(top_rows__set_collapsed(&r, 10, start_of(10), true), 0);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;└─ 20");
	row = row_of(&r, 10);
	if (ASSERT_TRUE(row)) {
		ASSERT_TRUE(row->collapsed);
		ASSERT_TRUE(row->has_children);
		ASSERT_EQ(row->hidden, 2);
	}
	/* Nested: the root hides everything under it, 10's own subtree included. */
	top_rows__set_collapsed(&r, 1, start_of(1), true);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1");
	ASSERT_EQ(r.v[0].hidden, 4);
	/* Expanding the root shows 10 still collapsed. */
	top_rows__set_collapsed(&r, 1, start_of(1), false);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;└─ 20");
	top_rows__set_collapsed(&r, 10, start_of(10), false);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 5);
	ASSERT_EQ(r.ncollapsed, 0);
	/* A leaf "collapsed" shows no count. */
	top_rows__set_collapsed(&r, 20, start_of(20), true);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	row = row_of(&r, 20);
	if (ASSERT_TRUE(row)) {
		ASSERT_FALSE(row->collapsed);
		ASSERT_EQ(row->hidden, 0);
	}
	top_rows__free(&r);
	model__free(m);
}

static void test_filter_keeps_ancestors(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();

	/* argv, case-insensitive, NULs between arguments count as spaces. */
	f.text = "WORKER.py";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10;   └─ 12");
	ASSERT_TRUE(row_of(&r, 10)->has_children);
	f.text = "sleep 300";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10");
	ASSERT_FALSE(row_of(&r, 10)->has_children);
	/* comm: 11 and 20 are "p" (forked from 1 and 10 without exec), 12 is "worker". */
	f.text = "work";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10;   └─ 12");
	f.text = "no such thing";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 0);
	f.text = "";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 5);
	top_rows__free(&r);
	model__free(m);
}

static void test_filter_and_collapse(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();
	const struct top_row *row;

	f.text = "worker";
	top_rows__set_collapsed(&r, 10, start_of(10), true);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10");
	row = row_of(&r, 10);
	if (ASSERT_TRUE(row))
		ASSERT_EQ(row->hidden, 1); /* only what the filter would show */
	/* Applying a filter reveals its matches: ancestors are expanded, the match itself is not touched. */
	top_rows__set_collapsed(&r, 12, start_of(12), true);
	top_rows__set_collapsed(&r, 20, start_of(20), true);
	top_rows__reveal(&r, m, &f);
	ASSERT_FALSE(top_rows__is_collapsed(&r, 10, start_of(10)));
	ASSERT_TRUE(top_rows__is_collapsed(&r, 12, start_of(12)));
	ASSERT_TRUE(top_rows__is_collapsed(&r, 20, start_of(20)));
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10;   └─ 12");
	/* No filter: reveal expands nothing. */
	top_rows__set_collapsed(&r, 10, start_of(10), true);
	f.text = NULL;
	top_rows__reveal(&r, m, &f);
	ASSERT_TRUE(top_rows__is_collapsed(&r, 10, start_of(10)));
	top_rows__free(&r);
	model__free(m);
}

static void test_troubled_only(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();

	exit_ev(m, 11, 10, 7 << 8, 2500 * MS); /* a zombie: 10 does not wait */
	stop_ev(m, 20, 1, 2600 * MS);
	f.troubled_only = true;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  └─ 11;└─ 20");
	/* With a name too: both must hold. */
	f.text = "sleep";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 0);
	f.text = "p";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  └─ 11;└─ 20");
	top_rows__free(&r);
	model__free(m);
}

static void test_exited_section(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();

	fork_ev(m, 1, 0, 30, 1004 * MS);
	exit_ev(m, 30, 1, 0, 2700 * MS);
	reap_ev(m, 30, 1, 2800 * MS);
	exit_ev(m, 11, 10, 0, 2700 * MS);
	reap_ev(m, 11, 10, 2900 * MS);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  └─ 12;└─ 20;-;30x;11x");
	ASSERT_EQ(top_rows__find(&r, TOP_ROW_EXITED, 30, start_of(30)), 5);
	ASSERT_EQ(top_rows__find(&r, TOP_ROW_PROC, 30, start_of(30)), -1);
	/* 3 s after the reap: gone from the section. */
	f.now = 2800 * MS + 3 * S + 1;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  └─ 12;└─ 20;-;11x");
	f.now = 2900 * MS + 3 * S + 1;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  └─ 12;└─ 20");
	/* The name filter applies; zombies-and-stopped mode leaves the section out. */
	f.now = 3000 * MS;
	f.text = "sleep";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10");
	f.text = NULL;
	f.troubled_only = true;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 0);
	f.troubled_only = false;
	f.exited_ns = 0;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 4);
	top_rows__free(&r);
	model__free(m);
}

/* A burst of exits: the newest exited_max, then how many more; the tree above stays whole. */
static void test_exited_capped(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();

	for (__u32 pid = 100; pid < 108; pid++) {
		fork_ev(m, 1, 0, pid, 1004 * MS + pid);
		exit_ev(m, pid, 1, 0, 2700 * MS + pid);
		reap_ev(m, pid, 1, 2800 * MS + pid);
	}
	f.exited_max = 3;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  ├─ 11;│  └─ 12;└─ 20;-;105x;106x;107x;+5");
	ASSERT_EQ(top_rows__find(&r, TOP_ROW_EXITED, 104, start_of(104)), -1);
	/* As many as the cap: no "more" row. */
	f.exited_max = 8;
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;├─ 10;│  ├─ 11;│  └─ 12;└─ 20;-;100x;101x;102x;103x;104x;105x;106x;107x");
	/* The filter counts first: only matches are listed or counted. */
	f.exited_max = 1;
	f.text = "sleep";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_STREQ(shape(&r, false), "1;└─ 10");
	top_rows__free(&r);
	model__free(m);
}

static void test_identity_and_prune(void)
{
	struct model *m = sample();
	struct top_rows r = {};
	struct top_filter f = all();
	__u64 tick = procfs__tick_ns();

	/* A start time of clock-tick precision (from /proc) is the same process. */
	top_rows__set_collapsed(&r, 10, start_of(10) / tick * tick, true);
	ASSERT_TRUE(top_rows__is_collapsed(&r, 10, start_of(10)));
	ASSERT_FALSE(top_rows__is_collapsed(&r, 10, start_of(10) + 5 * S));
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_TRUE(row_of(&r, 10)->collapsed);
	/* Once the process is gone, prune forgets it. */
	top_rows__set_collapsed(&r, 12, start_of(12), true);
	exit_ev(m, 12, 10, 0, 2700 * MS);
	reap_ev(m, 12, 10, 2800 * MS);
	top_rows__prune(&r, m);
	ASSERT_EQ(r.ncollapsed, 1);
	ASSERT_TRUE(top_rows__is_collapsed(&r, 10, start_of(10)));
	top_rows__free(&r);
	model__free(m);
}

/* A chain of thousands: no recursion, and the prefix is cut to the buffer. */
static void test_deep_chain(void)
{
	struct model_config cfg = {};
	struct model *m = model__new(&cfg);
	struct top_rows r = {};
	struct top_filter f = all();
	char prefix[64];
	size_t len;

	fork_ev(m, 1, 0, 2, 1000 * MS);
	for (__u32 pid = 2; pid < 5000; pid++)
		fork_ev(m, pid, pid - 1, pid + 1, 1000 * MS + pid);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 5000);
	ASSERT_EQ(r.v[4999].depth, 4999);
	len = top_rows__prefix(&r, 4999, true, prefix, sizeof(prefix));
	ASSERT_EQ(len, 63);
	ASSERT_EQ(strlen(prefix), 63);
	ASSERT_EQ(top_rows__prefix(&r, 2, false, prefix, sizeof(prefix)), 3 + strlen("└─ "));
	ASSERT_STREQ(prefix, "   └─ ");
	f.text = "no such";
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 0);
	f.text = NULL;
	top_rows__set_collapsed(&r, 1, start_of(1), true);
	ASSERT_EQ(top_rows__build(&r, m, &f), 0);
	ASSERT_EQ(r.n, 1);
	ASSERT_EQ(r.v[0].hidden, 4999);
	top_rows__free(&r);
	model__free(m);
}

int main(void)
{
	tl_init("unit/top_rows");
	RUN_TEST(test_tree_order_and_prefixes);
	RUN_TEST(test_collapse_counts);
	RUN_TEST(test_filter_keeps_ancestors);
	RUN_TEST(test_filter_and_collapse);
	RUN_TEST(test_troubled_only);
	RUN_TEST(test_exited_section);
	RUN_TEST(test_exited_capped);
	RUN_TEST(test_identity_and_prune);
	RUN_TEST(test_deep_chain);
	return tl_finish();
}
