// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* User-space filters on synthetic events, and -p following over a fake /proc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter.h"
#include "synth.h"
#include "testlib.h"
#include "tracer.h"

TL_DEFINE_STATE;

static char proc[64];

/* A fake /proc/PID/stat whose comm is hostile: spaces and a ')' inside. */
static void fake_proc(unsigned pid, unsigned ppid)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", proc, pid);
	f = fopen(path, "w");
	fprintf(f, "%u (a) b (c) S %u 1 1 0 -1\n", pid, ppid);
	fclose(f);
}

static struct watch_opts opts(void)
{
	return (struct watch_opts){ .events = PL_EV_ALL, .uid = PL_UID_ANY, .args_cap = PL_ARGS_DEFAULT };
}

static struct pl_fork fork_ev(__u32 parent, __u32 child)
{
	struct pl_fork f = {};

	synth_hdr(&f.h, PL_EV_FORK, parent, 1, "sh");
	f.child_pid = child;
	f.child_tid = child;
	return f;
}

static void test_descendants_from_proc(void)
{
	struct pidset s = {};

	/* 100 -> 200 -> 50 (pid wrapped: lower than its parent) ; 300 unrelated ; 400 -> 100's sibling */
	fake_proc(1, 0);
	fake_proc(100, 1);
	fake_proc(200, 100);
	fake_proc(50, 200);
	fake_proc(300, 1);
	fake_proc(400, 300);
	ASSERT_EQ(proc__add_descendants(&s, 100, proc), 0);
	ASSERT_TRUE(pidset__has(&s, 100));
	ASSERT_TRUE(pidset__has(&s, 200));
	ASSERT_TRUE(pidset__has(&s, 50));
	ASSERT_FALSE(pidset__has(&s, 300));
	ASSERT_FALSE(pidset__has(&s, 400));
	ASSERT_FALSE(pidset__has(&s, 1));
	ASSERT_EQ(s.count, 3);
	pidset__free(&s);
	ASSERT_EQ(proc__add_descendants(&s, 100, "/nonexistent-proc"), -ENOENT);
	pidset__free(&s);
}

static void test_follow_forks(void)
{
	struct watch_opts o = opts();
	struct filter f;
	struct pl_fork a = fork_ev(100, 101), b = fork_ev(101, 102), c = fork_ev(300, 301);
	struct pl_exit x = {};
	struct pl_reap r = {};

	filter__init(&f, &o);
	ASSERT_EQ(filter__follow(&f, 100, proc), 0);
	ASSERT_TRUE(filter__match(&f, &a));
	ASSERT_TRUE(filter__match(&f, &b)); /* grandchild, learnt from the fork above */
	ASSERT_FALSE(filter__match(&f, &c));
	synth_hdr(&x.h, PL_EV_EXIT, 102, 101, "sh");
	ASSERT_TRUE(filter__match(&f, &x));
	synth_hdr(&x.h, PL_EV_EXIT, 301, 300, "sh");
	ASSERT_FALSE(filter__match(&f, &x));
	/* Reaped: its pid may come back as a stranger's. */
	synth_hdr(&r.h, PL_EV_REAP, 102, 101, "sh");
	ASSERT_TRUE(filter__match(&f, &r));
	synth_hdr(&x.h, PL_EV_EXIT, 102, 7, "other");
	ASSERT_FALSE(filter__match(&f, &x));
	/* A thread "fork" does not add a process. */
	a = fork_ev(100, 555);
	a.h.flags = PL_F_THREAD;
	filter__match(&f, &a);
	ASSERT_FALSE(pidset__has(&f.followed, 555));
	filter__free(&f);
}

static void test_signal_sender_or_target(void)
{
	struct watch_opts o = opts();
	struct pl_signal s = {};
	struct filter f;

	filter__init(&f, &o);
	ASSERT_EQ(filter__follow(&f, 100, proc), 0);
	synth_hdr(&s.h, PL_EV_SIGNAL, 999, 1, "killer");
	s.target_pid = 100;
	ASSERT_TRUE(filter__match(&f, &s)); /* to a followed process */
	s.target_pid = 998;
	ASSERT_FALSE(filter__match(&f, &s));
	filter__free(&f);

	o = opts();
	strcpy(o.comm, "victim");
	filter__init(&f, &o);
	strcpy(s.target_comm, "victim");
	ASSERT_TRUE(filter__match(&f, &s));
	strcpy(s.target_comm, "bystander");
	ASSERT_FALSE(filter__match(&f, &s));
	filter__free(&f);

	o = opts();
	o.uid = 1000;
	filter__init(&f, &o);
	s.h.uid = 0;
	s.target_uid = 1000;
	ASSERT_TRUE(filter__match(&f, &s));
	s.target_uid = 0;
	ASSERT_FALSE(filter__match(&f, &s));
	filter__free(&f);
}

static void test_events_and_failed(void)
{
	struct watch_opts o = opts();
	struct pl_exit ok = {}, bad = {};
	struct pl_signal chld = {}, term = {};
	struct pl_fork fk = fork_ev(1, 2);
	struct pl_exec_failed ef = {};
	struct filter f;

	synth_hdr(&ok.h, PL_EV_EXIT, 5, 1, "a");
	synth_hdr(&bad.h, PL_EV_EXIT, 5, 1, "a");
	bad.status = 1 << 8;
	synth_hdr(&ef.h, PL_EV_EXEC_FAILED, 5, 1, "a");
	synth_hdr(&chld.h, PL_EV_SIGNAL, 5, 1, "a");
	chld.sig = 17;
	chld.result = PL_SIG_IGNORED;
	synth_hdr(&term.h, PL_EV_SIGNAL, 5, 1, "a");
	term.sig = 15;
	term.result = PL_SIG_IGNORED;

	o.failed_only = true;
	filter__init(&f, &o);
	ASSERT_FALSE(filter__match(&f, &ok));
	ASSERT_TRUE(filter__match(&f, &bad));
	ASSERT_TRUE(filter__match(&f, &ef));
	ASSERT_FALSE(filter__match(&f, &chld));
	ASSERT_TRUE(filter__match(&f, &term));
	ASSERT_FALSE(filter__match(&f, &fk));
	filter__free(&f);

	o = opts();
	o.events = PL_EV_BIT(PL_EV_EXIT);
	filter__init(&f, &o);
	ASSERT_TRUE(filter__match(&f, &ok));
	ASSERT_FALSE(filter__match(&f, &fk));
	ASSERT_FALSE(filter__match(&f, &term));
	filter__free(&f);
}

static void test_pidset(void)
{
	struct pidset s = {};

	for (__u32 p = 1; p <= 10000; p++)
		ASSERT_EQ(pidset__add(&s, p * 7), 0);
	ASSERT_EQ(s.count, 10000);
	for (__u32 p = 1; p <= 10000; p += 2)
		pidset__del(&s, p * 7);
	ASSERT_EQ(s.count, 5000);
	ASSERT_FALSE(pidset__has(&s, 7));
	ASSERT_TRUE(pidset__has(&s, 14));
	ASSERT_EQ(pidset__add(&s, 7), 0);
	ASSERT_EQ(pidset__add(&s, 7), 0);
	ASSERT_EQ(s.count, 5001);
	ASSERT_EQ(pidset__add(&s, 0), -EINVAL);
	ASSERT_FALSE(pidset__has(&s, 0));
	pidset__free(&s);
	pidset__free(NULL);
}

int main(void)
{
	char tmpl[] = "/tmp/plfakeproc-XXXXXX";

	tl_init("unit/filter");
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(proc, sizeof(proc), "%s", tmpl);
	RUN_TEST(test_descendants_from_proc);
	RUN_TEST(test_follow_forks);
	RUN_TEST(test_signal_sender_or_target);
	RUN_TEST(test_events_and_failed);
	RUN_TEST(test_pidset);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		if (system(cmd))
			return 1;
	}
	return tl_finish();
}
