// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* User-space filters on synthetic events. */

#include "filter.h"
#include "synth.h"
#include "testlib.h"
#include "tracer.h"

TL_DEFINE_STATE;

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

static void test_signal_sender_or_target(void)
{
	struct watch_opts o = opts();
	struct pl_signal s = {};
	struct filter f;

	synth_hdr(&s.h, PL_EV_SIGNAL, 999, 1, "killer");
	s.target_pid = 100;
	o = opts();
	strcpy(o.comm, "victim");
	filter__init(&f, &o, false);
	strcpy(s.target_comm, "victim");
	ASSERT_TRUE(filter__match(&f, &s));
	strcpy(s.target_comm, "bystander");
	ASSERT_FALSE(filter__match(&f, &s));

	o = opts();
	o.uid = 1000;
	filter__init(&f, &o, false);
	s.h.uid = 0;
	s.target_uid = 1000;
	ASSERT_TRUE(filter__match(&f, &s));
	s.target_uid = 0;
	ASSERT_FALSE(filter__match(&f, &s));
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
	filter__init(&f, &o, false);
	ASSERT_FALSE(filter__match(&f, &ok));
	ASSERT_TRUE(filter__match(&f, &bad));
	ASSERT_TRUE(filter__match(&f, &ef));
	ASSERT_FALSE(filter__match(&f, &chld));
	ASSERT_TRUE(filter__match(&f, &term));
	ASSERT_FALSE(filter__match(&f, &fk));

	o = opts();
	o.events = PL_EV_BIT(PL_EV_EXIT);
	filter__init(&f, &o, false);
	ASSERT_TRUE(filter__match(&f, &ok));
	ASSERT_FALSE(filter__match(&f, &fk));
	ASSERT_FALSE(filter__match(&f, &term));
}

int main(void)
{
	tl_init("unit/filter");
	RUN_TEST(test_signal_sender_or_target);
	RUN_TEST(test_events_and_failed);
	return tl_finish();
}
