// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife life`'s stories from synthetic records: birth, the exec chain,
 * signals received (paired with their delivery) and sent, stops, exit and
 * reap, children, a reused pid's lives, a process from the snapshot, and
 * the limits; then one story as the text and JSON renderers print it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"
#include "kernel/event.h"
#include "kernel/procfs.h"
#include "views/life.h"
#include "views/life_json.h"
#include "views/life_text.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define PID 200
#define START 5000000ull   /* PID's start time (boot ns) */
#define REC_START 1000000ull
#define T(ms) (START + (ms) * 1000000ull)

static void hdr(struct pl_hdr *h, unsigned type, __u32 pid, __u32 ppid, __u64 start, __u64 ts, const char *comm)
{
	synth_hdr(h, type, pid, ppid, comm);
	h->start_ns = start;
	h->ts = ts;
}

static void fork_ev(struct life_set *s, __u32 parent, __u32 child, __u64 child_start, __u64 ts)
{
	struct pl_fork f = {};

	/* PID's first life forks with its start time; any other parent's is its pid in us. */
	hdr(&f.h, PL_EV_FORK, parent, 1, parent == PID ? START : parent * 1000ull, ts, "parent");
	f.child_pid = f.child_tid = child;
	f.child_start_ns = child_start;
	f.child_ppid = parent;
	life__record(s, &f);
}

static void exec_ev(struct life_set *s, __u32 pid, __u64 start, __u64 ts, const char *filename, const char *const *argv,
		    const size_t *lens, int argc)
{
	static char buf[8192];

	synth_exec(buf, pid, filename, argv, lens, argc);
	((struct pl_exec *)buf)->h.start_ns = start;
	((struct pl_exec *)buf)->h.ts = ts;
	life__record(s, buf);
}

static void signal_ev(struct life_set *s, __u32 from, __u64 from_start, __u32 to, int sig, unsigned syscall,
		      unsigned result, unsigned disposition, __u64 ts)
{
	struct pl_signal g = {};

	hdr(&g.h, PL_EV_SIGNAL, from, 1, from_start, ts, "killer");
	g.sig = sig;
	g.target_pid = g.target_tid = to;
	g.target_arg = to;
	memcpy(g.target_comm, "victim", 7);
	g.syscall = syscall;
	g.info_kind = syscall ? PL_INFO_SIGINFO : PL_INFO_PRIV;
	g.result = result;
	g.disposition = disposition;
	life__record(s, &g);
}

static void deliver_ev(struct life_set *s, __u32 pid, __u64 start, int sig, unsigned action, __u32 flags, __u64 ts)
{
	struct pl_deliver d = {};

	hdr(&d.h, PL_EV_DELIVER, pid, 100, start, ts, "victim");
	d.h.flags = flags;
	d.sig = sig;
	d.action = action;
	life__record(s, &d);
}

static void exit_ev(struct life_set *s, __u32 pid, __u32 ppid, __u64 start, __u32 status, __u64 ts)
{
	struct pl_exit x = {};

	hdr(&x.h, PL_EV_EXIT, pid, ppid, start, ts, "victim");
	x.status = status;
	if ((status & 0x7f) == SIGTERM)
		x.killer = (struct pl_killer){ .ts = ts - 1, .sig = SIGTERM, .pid = 300, .tid = 300,
					       .syscall = PL_SYS_KILL, .comm = "killer" };
	life__record(s, &x);
}

static void reap_ev(struct life_set *s, __u32 pid, __u64 start, __u32 status, __u32 reaper, __u64 exit_ts, __u64 ts)
{
	struct pl_reap r = {};

	hdr(&r.h, PL_EV_REAP, pid, reaper, start, ts, "victim");
	r.h.flags = PL_F_REAP_WAIT;
	r.exit_ts = exit_ts;
	r.status = status;
	r.reaper_pid = r.reaper_tid = reaper;
	memcpy(r.reaper_comm, "reaper", 7);
	life__record(s, &r);
}

/* A derived event about (pid, start) as the model would give it. */
static void derived_ev(struct life_set *s, enum derived_type type, __u32 pid, __u64 start, int sig, __u32 old_parent,
		       __u32 new_parent, __u64 ts)
{
	struct proc p = { .pid = pid, .start_ns = start, .ppid = new_parent };
	struct proc parent = { .pid = new_parent, .comm = "adopter" };
	struct derived_event d = { .type = type, .ts = ts, .p = &p, .parent = &parent, .sig = sig,
				   .old_parent = old_parent, .new_parent = new_parent };

	life__derived(s, &d);
}

static void test_birth_and_execs(void)
{
	static const char *const argv1[] = { "sh", "-c", "x" }, *const argv2[] = { "prog", "ev\x1bil\xff" };
	static const size_t lens1[] = { 2, 2, 1 }, lens2[] = { 4, 7 };
	struct pl_exec_failed *xf;
	char buf[256] = {};
	struct life_set s;
	const struct life *l;
	const char *args, *fn;
	__u32 len, fl;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	exec_ev(&s, PID, START, T(1), "/bin/sh", argv1, lens1, 3);
	xf = (void *)buf;
	hdr(&xf->h, PL_EV_EXEC_FAILED, PID, 100, START, T(2), "sh");
	xf->err = 2;
	xf->filename_len = 10;
	memcpy(xf->data, "/nonexist", 10);
	life__record(&s, xf);
	exec_ev(&s, PID, START, T(3), "/usr/bin/prog", argv2, lens2, 2);

	if (!ASSERT_EQ(s.n, 1))
		goto out;
	l = &s.v[0];
	ASSERT_EQ(l->born, LIFE_BORN_FORK);
	ASSERT_EQ(l->start_ns, START);
	ASSERT_FALSE(l->start_ticks);
	ASSERT_EQ(l->born_ts, T(0));
	ASSERT_EQ(l->forker, 100);
	ASSERT_EQ(l->ppid, 100);
	ASSERT_TRUE(l->parent_comm_known);
	ASSERT_STREQ(l->parent_comm, "parent");
	ASSERT_EQ(l->nr_execs, 2);
	ASSERT_STREQ(l->comm, "prog");
	if (!ASSERT_EQ(l->nev, 3))
		goto out;
	ASSERT_EQ(l->ev[0].type, LIFE_EV_EXEC);
	ASSERT_EQ(l->ev[0].ts, T(1));
	ASSERT_EQ(l->ev[0].exec.filename_len, 7);
	ASSERT_MEMEQ(l->ev[0].exec.data, "/bin/sh\0sh\0-c\0x\0", 16);
	ASSERT_EQ(l->ev[0].exec.args_len, 8);
	ASSERT_EQ(l->ev[0].exec.argc, 3);
	ASSERT_EQ(l->ev[1].type, LIFE_EV_EXEC_FAILED);
	ASSERT_EQ(l->ev[1].exec.err, 2);
	ASSERT_STREQ(l->ev[1].exec.data, "/nonexist");
	ASSERT_EQ(l->ev[2].type, LIFE_EV_EXEC);
	/* The hostile bytes are kept as they were: escaping is the printer's job. */
	ASSERT_TRUE(life__argv(l, &args, &len, &fn, &fl));
	ASSERT_EQ(len, 13);
	ASSERT_MEMEQ(args, "prog\0ev\x1bil\xff\0", 13);
	ASSERT_EQ(fl, 13);
	ASSERT_MEMEQ(fn, "/usr/bin/prog", 13);
	ASSERT_FALSE(l->exited);
	ASSERT_EQ(l->state, PROC_RUNNING);
	ASSERT_EQ(life__end_state(l), LIFE_END_RUNNING);

	/* A NUL inside the filename ends it, as for watch; the argv after it is still found. */
	{
		static _Alignas(8) char rec[sizeof(struct pl_exec) + 256];
		struct pl_exec *x = (void *)rec;

		synth_exec(rec, PID, "/abc", argv1, lens1, 1);
		x->h.start_ns = START;
		x->data[2] = '\0';
		life__record(&s, rec);
		if (ASSERT_EQ(l->nev, 4)) {
			ASSERT_EQ(l->ev[3].exec.filename_len, 2);
			ASSERT_TRUE(life__argv(l, &args, &len, &fn, &fl));
			ASSERT_EQ(fl, 2);
			ASSERT_EQ(len, 3);
			ASSERT_MEMEQ(args, "sh\0", 3);
		}
	}
out:
	life__free(&s);
}

static void test_unrelated_records(void)
{
	static const char *const argv[] = { "x" };
	static const size_t lens[] = { 1 };
	struct life_set s;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, 201, START, T(0));
	exec_ev(&s, 201, START, T(1), "/x", argv, lens, 1);
	signal_ev(&s, 300, 1, 201, SIGTERM, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_DEFAULT, T(2));
	exit_ev(&s, 201, 100, START, 0, T(3));
	/* A signal at the pid that has no life (yet): nothing to hang it on. */
	signal_ev(&s, 300, 1, PID, SIGTERM, PL_SYS_KILL, PL_SIG_FAILED, PL_ACT_DEFAULT, T(4));
	ASSERT_EQ(s.n, 0);
	ASSERT_EQ(s.nev, 0);
	ASSERT_EQ(s.bytes, 0);
	life__free(&s);
}

static void test_signals(void)
{
	struct life_set s;
	const struct life *l;
	const struct life_event *e;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	/* SIGUSR1 from 300 by kill(), to a handler, taken 1 ms later. */
	signal_ev(&s, 300, 300000, PID, SIGUSR1, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_HANDLER, T(1));
	deliver_ev(&s, PID, START, SIGUSR1, PL_ACT_HANDLER, 0, T(2));
	/* SIGSTOP then SIGCONT: the model's stop and continue. */
	signal_ev(&s, 300, 300000, PID, SIGSTOP, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_DEFAULT, T(3));
	deliver_ev(&s, PID, START, SIGSTOP, PL_ACT_DEFAULT, 0, T(3));
	derived_ev(&s, DV_STOP, PID, START, SIGSTOP, 0, 100, T(3));
	ASSERT_EQ(s.v[0].state, PROC_STOPPED);
	ASSERT_EQ(s.v[0].stop_sig, SIGSTOP);
	ASSERT_EQ(life__end_state(&s.v[0]), LIFE_END_STOPPED);
	signal_ev(&s, 300, 300000, PID, SIGCONT, PL_SYS_KILL, PL_SIG_IGNORED, PL_ACT_DEFAULT, T(4));
	derived_ev(&s, DV_CONTINUE, PID, START, SIGCONT, 0, 100, T(4));
	/* It sends SIGTERM to 400, and tries SIGKILL at 1 (refused). */
	signal_ev(&s, PID, START, 400, SIGTERM, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_DEFAULT, T(5));
	signal_ev(&s, PID, START, 1, SIGKILL, PL_SYS_KILL, PL_SIG_FAILED, PL_ACT_DEFAULT, T(6));
	/* The kernel's SIGCHLD to its parent while it runs is not something it sent. */
	signal_ev(&s, PID, START, 100, SIGCHLD, PL_SYS_NONE, PL_SIG_DELIVERED, PL_ACT_HANDLER, T(7));
	/* A fault: the kernel, in its own context, to itself. */
	signal_ev(&s, PID, START, PID, SIGSEGV, PL_SYS_NONE, PL_SIG_DELIVERED, PL_ACT_DEFAULT, T(8));
	/* Two queued SIGRTMIN: taken in order, oldest first. */
	signal_ev(&s, 300, 300000, PID, SIGRTMIN, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_HANDLER, T(9));
	signal_ev(&s, 300, 300000, PID, SIGRTMIN, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_HANDLER, T(10));
	deliver_ev(&s, PID, START, SIGRTMIN, PL_ACT_HANDLER, 0, T(11));
	/* Taken with no generation seen (it was pending when the recording began). */
	deliver_ev(&s, PID, START, SIGHUP, PL_ACT_IGNORED, 0, T(12));
	/* The fault kills it. */
	deliver_ev(&s, PID, START, SIGSEGV, PL_ACT_DEFAULT, PL_F_GROUP_EXIT, T(13));

	if (!ASSERT_EQ(s.n, 1))
		goto out;
	l = &s.v[0];
	if (!ASSERT_EQ(l->nev, 11))
		goto out;
	e = &l->ev[0];
	ASSERT_EQ(e->type, LIFE_EV_SIG_RECV);
	ASSERT_EQ(e->sig.sig, SIGUSR1);
	ASSERT_EQ(e->sig.h.pid, 300);
	ASSERT_STREQ(e->sig.h.comm, "killer");
	ASSERT_EQ(e->sig.syscall, PL_SYS_KILL);
	ASSERT_TRUE(e->taken);
	ASSERT_EQ(e->taken_ts, T(2));
	ASSERT_EQ(e->action, PL_ACT_HANDLER);
	ASSERT_FALSE(e->fatal);
	e = &l->ev[1];
	ASSERT_EQ(e->type, LIFE_EV_SIG_RECV);
	ASSERT_EQ(e->sig.sig, SIGSTOP);
	ASSERT_TRUE(e->taken);
	ASSERT_EQ(e->action, PL_ACT_DEFAULT);
	ASSERT_EQ(l->ev[2].type, LIFE_EV_STOP);
	ASSERT_EQ(l->ev[2].stop_sig, SIGSTOP);
	e = &l->ev[3];
	ASSERT_EQ(e->type, LIFE_EV_SIG_RECV);
	ASSERT_EQ(e->sig.sig, SIGCONT);
	ASSERT_FALSE(e->taken);
	ASSERT_EQ(l->ev[4].type, LIFE_EV_CONTINUE);
	e = &l->ev[5];
	ASSERT_EQ(e->type, LIFE_EV_SIG_SENT);
	ASSERT_EQ(e->sig.sig, SIGTERM);
	ASSERT_EQ(e->sig.target_pid, 400);
	e = &l->ev[6];
	ASSERT_EQ(e->type, LIFE_EV_SIG_SENT);
	ASSERT_EQ(e->sig.result, PL_SIG_FAILED);
	e = &l->ev[7];
	ASSERT_EQ(e->type, LIFE_EV_SIG_RECV);
	ASSERT_EQ(e->sig.sig, SIGSEGV);
	ASSERT_EQ(e->sig.h.pid, PID);
	ASSERT_TRUE(e->taken);
	ASSERT_TRUE(e->fatal);
	ASSERT_EQ(e->taken_ts, T(13));
	ASSERT_EQ(l->ev[8].type, LIFE_EV_SIG_RECV);
	ASSERT_TRUE(l->ev[8].taken); /* the older SIGRTMIN */
	ASSERT_EQ(l->ev[9].type, LIFE_EV_SIG_RECV);
	ASSERT_FALSE(l->ev[9].taken);
	e = &l->ev[10];
	ASSERT_EQ(e->type, LIFE_EV_DELIVER);
	ASSERT_EQ(e->deliver.sig, SIGHUP);
	ASSERT_EQ(e->deliver.action, PL_ACT_IGNORED);
	ASSERT_EQ(l->state, PROC_CONTINUED);
out:
	life__free(&s);
}

static void test_exit_and_reap(void)
{
	struct life_set s;
	const struct life *l;
	struct exit_status st;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	exit_ev(&s, PID, 100, START, 7 << 8, T(50));
	ASSERT_EQ(s.v[0].state, PROC_ZOMBIE);
	derived_ev(&s, DV_ZOMBIE, PID, START, 0, 0, 100, T(5050));
	reap_ev(&s, PID, START, 7 << 8, 100, T(50), T(6000));
	if (!ASSERT_EQ(s.n, 1))
		goto out;
	l = &s.v[0];
	ASSERT_TRUE(l->exited);
	ASSERT_TRUE(l->reaped);
	ASSERT_EQ(l->state, PROC_REAPED);
	ASSERT_EQ(life__end_state(l), LIFE_END_REAPED);
	ASSERT_EQ(l->exit_ts, T(50));
	ASSERT_EQ(l->reap_ts, T(6000));
	ASSERT_EQ(l->reaper, 100);
	st = exit_status__decode(l->status);
	ASSERT_TRUE(st.exited);
	ASSERT_EQ(st.code, 7);
	if (!ASSERT_EQ(l->nev, 3))
		goto out;
	ASSERT_EQ(l->ev[0].type, LIFE_EV_EXIT);
	ASSERT_EQ(l->ev[0].exit.status, 7 << 8);
	ASSERT_EQ(l->ev[1].type, LIFE_EV_ZOMBIE);
	ASSERT_EQ(l->ev[1].parent.parent, 100);
	ASSERT_STREQ(l->ev[1].parent.comm, "adopter");
	ASSERT_EQ(l->ev[2].type, LIFE_EV_REAP);
	ASSERT_EQ(l->ev[2].reap.reaper_pid, 100);
	ASSERT_STREQ(l->ev[2].reap.reaper_comm, "reaper");
	ASSERT_EQ(l->ev[2].reap.h.flags, PL_F_REAP_WAIT);
	ASSERT_EQ(l->ev[2].reap.exit_ts, T(50));
	life__free(&s);

	/* Killed by SIGTERM from 300. */
	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	exit_ev(&s, PID, 100, START, SIGTERM, T(10));
	if (!ASSERT_EQ(s.n, 1) || !ASSERT_EQ(s.v[0].nev, 1))
		goto out;
	st = exit_status__decode(s.v[0].status);
	ASSERT_FALSE(st.exited);
	ASSERT_EQ(st.sig, SIGTERM);
	ASSERT_FALSE(st.core);
	ASSERT_EQ(s.v[0].ev[0].exit.killer.sig, SIGTERM);
	ASSERT_EQ(s.v[0].ev[0].exit.killer.pid, 300);
	ASSERT_FALSE(s.v[0].reaped);
	ASSERT_EQ(life__end_state(&s.v[0]), LIFE_END_ZOMBIE);
out:
	life__free(&s);
}

static void test_children(void)
{
	static const char *const argv[] = { "sh", "-c", "exit 5" };
	static const size_t lens[] = { 2, 2, 6 };
	struct life_set s;
	const struct life *l;
	const struct life_child *c;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	fork_ev(&s, PID, 201, T(1), T(1));
	exec_ev(&s, 201, T(1), T(2), "/bin/sh", argv, lens, 3);
	exec_ev(&s, 201, T(1), T(3), "/bin/true", argv, lens, 1); /* not its first: not kept */
	exit_ev(&s, 201, PID, T(1), 5 << 8, T(4));
	reap_ev(&s, 201, T(1), 5 << 8, PID, T(4), T(5));
	fork_ev(&s, PID, 202, T(6), T(6));
	/* PID dies; 202 is adopted by 1. */
	exit_ev(&s, PID, 100, START, 0, T(7));
	derived_ev(&s, DV_REPARENT, 202, T(6), 0, PID, 1, T(7));
	/* Another process forks a 203, and pid 201 again: neither is PID's child. */
	fork_ev(&s, 100, 203, T(8), T(8));
	fork_ev(&s, 100, 201, T(9), T(9));
	exit_ev(&s, 201, 100, T(9), 9, T(10));

	if (!ASSERT_EQ(s.n, 1))
		goto out;
	l = &s.v[0];
	if (!ASSERT_EQ(l->nch, 2))
		goto out;
	ASSERT_EQ(l->nev, 3); /* fork, fork, exit */
	ASSERT_EQ(l->ev[0].type, LIFE_EV_FORK);
	ASSERT_EQ(l->ev[0].fork.child, 201);
	c = &l->ch[0];
	ASSERT_EQ(c->pid, 201);
	ASSERT_EQ(c->born_ts, T(1));
	ASSERT_TRUE(c->execd);
	ASSERT_EQ(c->filename_len, 7);
	ASSERT_MEMEQ(c->data, "/bin/sh\0sh\0-c\0exit 5\0", 21);
	ASSERT_EQ(c->args_len, 13);
	ASSERT_TRUE(c->exited);
	ASSERT_EQ(c->status, 5 << 8);
	ASSERT_EQ(c->exit_ts, T(4));
	ASSERT_TRUE(c->reaped);
	ASSERT_EQ(c->reaper, PID);
	ASSERT_EQ(c->adopted_by, 0);
	c = &l->ch[1];
	ASSERT_EQ(c->pid, 202);
	ASSERT_FALSE(c->execd);
	ASSERT_TRUE(c->data == NULL);
	ASSERT_STREQ(c->comm, "parent"); /* its parent's name, as fork left it */
	ASSERT_FALSE(c->exited);
	ASSERT_EQ(c->adopted_by, 1);
out:
	life__free(&s);
}

static void test_rename_and_orphan(void)
{
	struct pl_rename r = {};
	struct life_set s;
	const struct life *l;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	hdr(&r.h, PL_EV_RENAME, PID, 100, START, T(1), "old");
	memcpy(r.new_comm, "new\x1bname", 9);
	life__record(&s, &r);
	/* Its parent dies: the model says who adopted it. */
	derived_ev(&s, DV_REPARENT, PID, START, 0, 100, 1, T(2));
	/* Not about this life (another start time): ignored. */
	derived_ev(&s, DV_STOP, PID, START + 1, SIGSTOP, 0, 1, T(3));
	if (!ASSERT_EQ(s.n, 1))
		goto out;
	l = &s.v[0];
	ASSERT_STREQ(l->comm, "new\x1bname");
	ASSERT_TRUE(l->orphaned);
	ASSERT_EQ(l->adopted_by, 1);
	ASSERT_EQ(l->parent, 1);
	ASSERT_EQ(l->ppid, 100); /* its parent at birth stays */
	ASSERT_EQ(l->state, PROC_RUNNING);
	if (!ASSERT_EQ(l->nev, 2))
		goto out;
	ASSERT_EQ(l->ev[0].type, LIFE_EV_RENAME);
	ASSERT_STREQ(l->ev[0].rename.old_comm, "old");
	ASSERT_STREQ(l->ev[0].rename.new_comm, "new\x1bname");
	ASSERT_EQ(l->ev[1].type, LIFE_EV_REPARENT);
	ASSERT_EQ(l->ev[1].parent.old_parent, 100);
	ASSERT_EQ(l->ev[1].parent.parent, 1);
	ASSERT_TRUE(l->ev[1].parent.comm_known);
	ASSERT_STREQ(l->ev[1].parent.comm, "adopter");
out:
	life__free(&s);
}

static void test_pid_reuse(void)
{
	static const char *const a1[] = { "first" }, *const a2[] = { "second" };
	static const size_t l1[] = { 5 }, l2[] = { 6 };
	const __u64 start2 = T(100);
	struct life_set s;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	exec_ev(&s, PID, START, T(1), "/first", a1, l1, 1);
	exit_ev(&s, PID, 100, START, 3 << 8, T(2));
	reap_ev(&s, PID, START, 3 << 8, 100, T(2), T(3));
	/* Nobody has the pid now: a signal at it finds no life. */
	signal_ev(&s, 300, 300000, PID, SIGTERM, PL_SYS_KILL, PL_SIG_FAILED, PL_ACT_DEFAULT, T(4));
	/* Another process gets the pid. */
	fork_ev(&s, 150, PID, start2, T(100));
	exec_ev(&s, PID, start2, T(101), "/second", a2, l2, 1);
	signal_ev(&s, 300, 300000, PID, SIGTERM, PL_SYS_KILL, PL_SIG_DELIVERED, PL_ACT_DEFAULT, T(102));
	exit_ev(&s, PID, 150, start2, SIGTERM, T(103));

	if (!ASSERT_EQ(s.n, 2))
		goto out;
	ASSERT_EQ(s.v[0].start_ns, START);
	ASSERT_EQ(s.v[0].forker, 100);
	ASSERT_EQ(s.v[0].nev, 3);
	ASSERT_EQ(s.v[0].status, 3 << 8);
	ASSERT_TRUE(s.v[0].reaped);
	ASSERT_FALSE(s.v[0].ended_unseen);
	ASSERT_EQ(s.v[1].start_ns, start2);
	ASSERT_EQ(s.v[1].forker, 150);
	ASSERT_EQ(s.v[1].born, LIFE_BORN_FORK);
	if (!ASSERT_EQ(s.v[1].nev, 3))
		goto out;
	ASSERT_EQ(s.v[1].ev[0].type, LIFE_EV_EXEC);
	ASSERT_STREQ(s.v[1].ev[0].exec.data, "/second");
	ASSERT_EQ(s.v[1].ev[1].type, LIFE_EV_SIG_RECV);
	ASSERT_EQ(s.v[1].status, SIGTERM);
	ASSERT_FALSE(s.v[1].reaped);
	life__free(&s);

	/* A life whose end was lost: the next fork of the pid closes it, unseen. */
	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	fork_ev(&s, 150, PID, start2, T(100));
	if (ASSERT_EQ(s.n, 2)) {
		ASSERT_TRUE(s.v[0].ended_unseen);
		ASSERT_FALSE(s.v[0].exited);
		ASSERT_FALSE(s.v[1].ended_unseen);
		ASSERT_EQ(life__end_state(&s.v[0]), LIFE_END_UNKNOWN);
		ASSERT_EQ(life__end_state(&s.v[1]), LIFE_END_RUNNING);
	}
out:
	life__free(&s);
}

static void test_from_snapshot(void)
{
	static const char cmdline[] = "sleep\0" "60";
	static const char *const argv[] = { "true" };
	static const size_t lens[] = { 4 };
	__u64 tick = procfs__tick_ns(), exact = 12 * tick + 3456;
	struct life_seed seed = { .start_ns = 12 * tick, .ppid = 100, .parent_comm = "bash", .comm = "sleep",
				  .cmdline = cmdline, .cmdline_len = sizeof(cmdline), .state = PROC_STOPPED };
	struct life_set s;
	const struct life *l;
	const char *args, *fn;
	__u32 len, fl;

	life__init(&s, PID, 1000 * tick);
	ASSERT_EQ(life__seed(&s, &seed), 0);
	l = &s.v[0];
	ASSERT_EQ(l->born, LIFE_BORN_BEFORE);
	ASSERT_TRUE(l->start_ticks);
	ASSERT_EQ(l->initial_state, PROC_STOPPED);
	ASSERT_EQ(l->state, PROC_STOPPED);
	ASSERT_EQ(l->ppid, 100);
	ASSERT_STREQ(l->parent_comm, "bash");
	/* Its argv is /proc's cmdline until it execs. */
	ASSERT_TRUE(life__argv(l, &args, &len, &fn, &fl));
	ASSERT_TRUE(fn == NULL);
	ASSERT_EQ(len, sizeof(cmdline));
	ASSERT_MEMEQ(args, cmdline, sizeof(cmdline));
	/* Its first event, at the exact start time of the same tick: the same life, now exact. */
	exec_ev(&s, PID, exact, 1100 * tick, "/bin/true", argv, lens, 1);
	if (!ASSERT_EQ(s.n, 1))
		goto out;
	l = &s.v[0];
	ASSERT_FALSE(l->start_ticks);
	ASSERT_EQ(l->start_ns, exact);
	ASSERT_EQ(l->nev, 1);
	ASSERT_TRUE(life__argv(l, &args, &len, &fn, &fl));
	ASSERT_STREQ(fn, "/bin/true");
	exit_ev(&s, PID, 100, exact, 0, 1200 * tick);
	ASSERT_EQ(s.n, 1);
	ASSERT_TRUE(s.v[0].exited);
	life__free(&s);

	/* Born during the first scan: in the snapshot, and its fork recorded after it. */
	life__init(&s, PID, 1000 * tick);
	seed.state = PROC_RUNNING;
	life__seed(&s, &seed);
	fork_ev(&s, 100, PID, exact, 999 * tick);
	if (ASSERT_EQ(s.n, 1)) {
		ASSERT_EQ(s.v[0].born, LIFE_BORN_FORK);
		ASSERT_EQ(s.v[0].start_ns, exact);
		ASSERT_EQ(s.v[0].forker, 100);
		ASSERT_TRUE(s.v[0].cmdline != NULL);
	}
	life__free(&s);

	/* A zombie in the snapshot: exited, when unknown; then reaped. */
	life__init(&s, PID, 1000 * tick);
	seed.state = PROC_ZOMBIE;
	seed.status = 9;
	seed.cmdline = NULL;
	life__seed(&s, &seed);
	reap_ev(&s, PID, exact, 9, 100, 0, 1001 * tick);
	if (ASSERT_EQ(s.n, 1)) {
		ASSERT_TRUE(s.v[0].exited);
		ASSERT_EQ(s.v[0].exit_ts, 0);
		ASSERT_EQ(s.v[0].status, 9);
		ASSERT_TRUE(s.v[0].reaped);
	}
	life__free(&s);

	/* Not in the snapshot (it ended during the scan): its first record starts a life. */
	life__init(&s, PID, 1000 * tick);
	exit_ev(&s, PID, 100, exact, 0, 1001 * tick);
	/* Then one whose fork was lost, born during the recording. */
	signal_ev(&s, PID, 1050 * tick, PID, SIGSEGV, PL_SYS_NONE, PL_SIG_DELIVERED, PL_ACT_DEFAULT, 1100 * tick);
	if (ASSERT_EQ(s.n, 2)) {
		ASSERT_EQ(s.v[0].born, LIFE_BORN_BEFORE);
		ASSERT_EQ(s.v[0].start_ns, exact);
		ASSERT_FALSE(s.v[0].start_ticks);
		ASSERT_TRUE(s.v[0].exited);
		ASSERT_TRUE(s.v[0].ended_unseen); /* its reap was never seen */
		ASSERT_EQ(s.v[1].born, LIFE_BORN_UNSEEN);
		ASSERT_EQ(s.v[1].nev, 1);
	}
out:
	life__free(&s);
}

static void test_limits(void)
{
	struct life_set s;

	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	for (__u32 i = 0; i < LIFE_MAX_EVENTS + 10; i++)
		signal_ev(&s, 300, 300000, PID, SIGUSR1, PL_SYS_KILL, PL_SIG_ALREADY_PENDING, PL_ACT_HANDLER, T(1));
	if (ASSERT_EQ(s.n, 1)) {
		ASSERT_EQ(s.v[0].nev, LIFE_MAX_EVENTS);
		ASSERT_EQ(s.v[0].events_left_out, 10);
	}
	/* Its end is still known: the state is kept past the limit, only the event is not. */
	exit_ev(&s, PID, 100, START, 0, T(2));
	ASSERT_TRUE(s.v[0].exited);
	ASSERT_EQ(s.v[0].events_left_out, 11);
	life__free(&s);
}

/* Whether out holds want, with what it holds when not. */
static bool has(struct outbuf *ob, const char *want)
{
	const char *out = outbuf__cstr(ob);

	if (strstr(out, want))
		return true;
	fprintf(stderr, "  no %s\n  in:\n%s\n", want, out);
	return false;
}

/*
 * The renderers over one story: forked, an exec, a rename to a hostile
 * comm, killed by SIGTERM from 300, reaped, with a child killed by SIGSEGV
 * with a core dump. Times are UTC, boot ns 0 at the epoch.
 */
static void test_render(void)
{
	static const char *const argv[] = { "sh", "-c", "x" };
	static const size_t lens[] = { 2, 2, 1 };
	const struct wallclock wc = { .offset_ns = 0 };
	struct pl_rename r = {};
	struct outbuf ob;
	struct life_set s;

	setenv("TZ", "UTC", 1);
	tzset();
	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	exec_ev(&s, PID, START, T(1), "/bin/sh", argv, lens, 3);
	hdr(&r.h, PL_EV_RENAME, PID, 100, START, T(2), "sh");
	memcpy(r.new_comm, "new\x1bname", 9);
	life__record(&s, &r);
	fork_ev(&s, PID, 201, T(3), T(3));
	exit_ev(&s, 201, PID, T(3), SIGSEGV | 0x80, T(4));
	exit_ev(&s, PID, 100, START, SIGTERM, T(50));
	reap_ev(&s, PID, START, SIGTERM, 100, T(50), T(60));
	life__end(&s, T(100));
	if (!ASSERT_EQ(s.n, 1) || !ASSERT_EQ(s.v[0].nch, 1))
		goto out;

	if (!ASSERT_EQ(outbuf__init(&ob, -1, 0), 0))
		goto out;
	life_text__print(&ob, &s, &wc, NULL);
	ASSERT_TRUE(has(&ob, "pid 200, life 1 of 1: sh -c x\n"
			     "TIME                 AGE  EVENT        DETAILS\n"
			     "00:00:00.005       0.000  born         forked by 100 (parent)\n"
			     "00:00:00.006       0.001  exec         /bin/sh: sh -c x\n"
			     "00:00:00.007       0.002  rename       sh -> new\\x1bname\n"));
	ASSERT_TRUE(has(&ob, "  exit         killed by SIGTERM from 300 (killer) [kill], after 0.050s\n"));
	ASSERT_TRUE(has(&ob, "  reap         reaped by 100 (reaper), a zombie for 0.010s\n"));
	ASSERT_TRUE(has(&ob, "children: 1\n  201     parent (no exec)  [born 00:00:00.008; "
			     "killed by SIGSEGV (core dumped) after 0.001s, not reaped when the recording ended]\n"));
	ASSERT_FALSE(strstr(outbuf__cstr(&ob), "  end  ")); /* reaped: no end line */
	outbuf__free(&ob);

	if (!ASSERT_EQ(outbuf__init(&ob, -1, 0), 0))
		goto out;
	life_json__print(&ob, &s, &wc, NULL);
	ASSERT_TRUE(has(&ob, "[{\"pid\":200,\"life\":1,\"start_time\":\"1970-01-01T00:00:00.005000000Z\","
			     "\"start_exact\":true,\"comm\":\"new\\u001bname\",\"filename\":\"/bin/sh\","
			     "\"argv\":[\"sh\",\"-c\",\"x\"],\"execs\":1,"));
	ASSERT_TRUE(has(&ob, "\"exit\":{\"time\":\"1970-01-01T00:00:00.055000000Z\",\"exit_code\":null,"
			     "\"term_signal\":15,\"core_dumped\":false,\"status\":15,\"killed_by\":{\"sig\":15,"
			     "\"signame\":\"SIGTERM\",\"time\":\"1970-01-01T00:00:00.054999999Z\",\"origin\":null,"
			     "\"syscall\":\"kill\",\"pid\":300,\"tid\":300,\"uid\":0,\"comm\":\"killer\"},"));
	ASSERT_TRUE(has(&ob, "\"end_state\":\"reaped\",\"alive_at_end\":false,"));
	ASSERT_TRUE(has(&ob, "\"term_signal\":11,\"core_dumped\":true,\"status\":139,"));
	ASSERT_TRUE(has(&ob, "],\"children_left_out\":0}]\n"));
	outbuf__free(&ob);
out:
	life__free(&s);
}

/* A filename cut at PL_FILENAME_MAX (exec, exec_failed) is said after it, in text and JSON. */
static void test_render_filename_truncated(void)
{
	static const char *const argv[] = { "x" };
	static const size_t lens[] = { 1 };
	_Alignas(8) char buf[sizeof(struct pl_exec) + 256] = {};
	struct pl_exec *x = (void *)buf;
	struct pl_exec_failed *xf = (void *)buf;
	const struct wallclock wc = { .offset_ns = 0 };
	struct outbuf ob;
	struct life_set s;

	setenv("TZ", "UTC", 1);
	tzset();
	life__init(&s, PID, REC_START);
	fork_ev(&s, 100, PID, START, T(0));
	synth_exec(buf, PID, "/a/b", argv, lens, 1);
	hdr(&x->h, PL_EV_EXEC, PID, 100, START, T(1), "x");
	x->h.flags = PL_F_NAME_TRUNCATED;
	life__record(&s, x);
	memset(buf, 0, sizeof(buf));
	hdr(&xf->h, PL_EV_EXEC_FAILED, PID, 100, START, T(2), "x");
	xf->h.flags = PL_F_NAME_TRUNCATED;
	xf->err = ENAMETOOLONG;
	xf->filename_len = 5;
	memcpy(xf->data, "/c/d", 5);
	life__record(&s, xf);
	life__end(&s, T(100));
	if (!ASSERT_EQ(s.n, 1) || !ASSERT_EQ(outbuf__init(&ob, -1, 0), 0))
		goto out;
	life_text__print(&ob, &s, &wc, NULL);
	ASSERT_TRUE(has(&ob, "  exec         /a/b [filename truncated]: x\n"));
	ASSERT_TRUE(has(&ob, "/c/d [filename truncated]: ENAMETOOLONG\n"));
	outbuf__free(&ob);
	if (!ASSERT_EQ(outbuf__init(&ob, -1, 0), 0))
		goto out;
	life_json__print(&ob, &s, &wc, NULL);
	ASSERT_TRUE(has(&ob, "\"filename\":\"/a/b\",\"filename_truncated\":true,\"argv\":[\"x\"],"));
	ASSERT_TRUE(has(&ob, "\"filename\":\"/c/d\",\"filename_truncated\":true,\"error\":\"ENAMETOOLONG\","));
	outbuf__free(&ob);
out:
	life__free(&s);
}

int main(void)
{
	tl_init("unit/life");
	RUN_TEST(test_birth_and_execs);
	RUN_TEST(test_unrelated_records);
	RUN_TEST(test_signals);
	RUN_TEST(test_exit_and_reap);
	RUN_TEST(test_children);
	RUN_TEST(test_rename_and_orphan);
	RUN_TEST(test_pid_reuse);
	RUN_TEST(test_from_snapshot);
	RUN_TEST(test_limits);
	RUN_TEST(test_render);
	RUN_TEST(test_render_filename_truncated);
	return tl_finish();
}
