// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* User-space filters on synthetic events. */

#include "testlib.h"
#include "kernel/tracer.h"
#include "model/filter.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static struct filter_spec opts(void)
{
	return (struct filter_spec){ .events = PL_EV_ALL, .uid = PL_UID_ANY, .comm = "" };
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
	struct filter_spec o = opts();
	struct pl_signal s = {};
	struct filter f;

	synth_hdr(&s.h, PL_EV_SIGNAL, 999, 1, "killer");
	s.target_pid = 100;
	o = opts();
	o.comm = "victim";
	filter__init(&f, &o);
	strcpy(s.target_comm, "victim");
	ASSERT_TRUE(filter__match(&f, &s));
	strcpy(s.target_comm, "bystander");
	ASSERT_FALSE(filter__match(&f, &s));

	o = opts();
	o.uid = 1000;
	filter__init(&f, &o);
	s.h.uid = 0;
	s.target_uid = 1000;
	ASSERT_TRUE(filter__match(&f, &s));
	s.target_uid = 0;
	ASSERT_FALSE(filter__match(&f, &s));
}

static void test_events_and_failed(void)
{
	struct filter_spec o = opts();
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

	o = opts();
	o.events = PL_EV_BIT(PL_EV_EXIT);
	filter__init(&f, &o);
	ASSERT_TRUE(filter__match(&f, &ok));
	ASSERT_FALSE(filter__match(&f, &fk));
	ASSERT_FALSE(filter__match(&f, &term));
}

/*
 * -p PID followed in user space (recording, replay): the kernel's rules.
 * PID 100 has a child 101 in the model; 101 forks 102 (joins), a stranger
 * 200 forks 201 (does not); a signal from a stranger to a member shows; after
 * 102's reap its pid is a stranger's again.
 */
static void test_follow_in_user_space(void)
{
	struct filter_spec o = opts();
	struct model_config mc = {};
	struct model *m = model__new(&mc);
	struct pl_fork f100 = fork_ev(1, 100), f101 = fork_ev(100, 101), f102 = fork_ev(101, 102),
		       f201 = fork_ev(200, 201), f102b = fork_ev(300, 102);
	struct pl_exit x102 = {};
	struct pl_reap r102 = {};
	struct pl_signal s = {};
	struct filter f;

	model__apply(m, &f100);
	model__apply(m, &f101);
	o.follow_pid = 100;
	filter__init(&f, &o);
	ASSERT_EQ(filter__seed(&f, m), 0);
	ASSERT_TRUE(filter__match(&f, &f102));   /* 101 is a member (from the model): 102 joins */
	ASSERT_FALSE(filter__match(&f, &f201));  /* strangers */
	synth_hdr(&x102.h, PL_EV_EXIT, 102, 101, "sh");
	ASSERT_TRUE(filter__match(&f, &x102));
	synth_hdr(&s.h, PL_EV_SIGNAL, 999, 1, "killer");
	s.target_pid = 102;
	ASSERT_TRUE(filter__match(&f, &s));      /* to a member */
	s.target_pid = 201;
	ASSERT_FALSE(filter__match(&f, &s));
	synth_hdr(&r102.h, PL_EV_REAP, 102, 101, "sh");
	ASSERT_TRUE(filter__match(&f, &r102));
	ASSERT_FALSE(filter__match(&f, &x102));  /* reaped: 102 left with its release */
	ASSERT_FALSE(filter__match(&f, &f102b)); /* a stranger's fork reusing 102 */
	filter__free(&f);
	model__free(m);
}

/* -p PID of a process born after the start: it joins at its fork, whoever forks it. */
static void test_follow_born_later(void)
{
	struct filter_spec o = opts();
	struct pl_fork f = fork_ev(50, 100), g = fork_ev(100, 101);
	struct filter flt;

	o.follow_pid = 100;
	filter__init(&flt, &o);
	ASSERT_EQ(filter__seed(&flt, NULL), 0);
	ASSERT_FALSE(filter__match(&flt, &f));   /* its birth is its parent's event */
	ASSERT_TRUE(filter__match(&flt, &g));    /* then it is followed, and its children */
	filter__free(&flt);
}

/* --auid, --session, --tty: the subject's header, a signal's sender only; none before format 2.0. --setid. */
static void test_identity_and_setid(void)
{
	struct filter_spec o = opts();
	struct pl_signal s = {};
	struct pl_fork fk = fork_ev(1, 2);
	struct pl_cred c = {};
	_Alignas(8) char buf[sizeof(struct pl_exec) + 8] = {};
	struct pl_exec *e = (void *)buf;
	struct filter f;

	o.by_auid = true;
	o.auid = 1000;
	o.by_tty = true;
	o.tty = (136 << 8) | 3;
	filter__init(&f, &o);
	synth_hdr(&s.h, PL_EV_SIGNAL, 999, 1, "kill");
	s.h.auid = 1000;
	s.h.tty = (136 << 8) | 3;
	ASSERT_TRUE(filter__match(&f, &s));
	s.h.tty = 0;
	ASSERT_FALSE(filter__match(&f, &s));
	s.h.tty = (136 << 8) | 3;
	s.h.auid = 1001; /* a target of the login user's is not what the user did */
	s.target_uid = 1000;
	ASSERT_FALSE(filter__match(&f, &s));
	s.h.auid = 1000;
	s.h.flags = PL_F_NO_IDENTITY;
	ASSERT_FALSE(filter__match(&f, &s));

	o = opts();
	o.setid_only = true;
	filter__init(&f, &o);
	synth_hdr(&e->h, PL_EV_EXEC, 5, 1, "passwd");
	e->filename_len = 1;
	ASSERT_FALSE(filter__match(&f, e));
	e->h.flags = PL_F_SETID;
	ASSERT_TRUE(filter__match(&f, e));
	synth_hdr(&c.h, PL_EV_CRED, 5, 1, "passwd");
	ASSERT_TRUE(filter__match(&f, &c));
	ASSERT_FALSE(filter__match(&f, &fk));
}

int main(void)
{
	tl_init("unit/filter");
	RUN_TEST(test_signal_sender_or_target);
	RUN_TEST(test_events_and_failed);
	RUN_TEST(test_follow_in_user_space);
	RUN_TEST(test_follow_born_later);
	RUN_TEST(test_identity_and_setid);
	return tl_finish();
}
