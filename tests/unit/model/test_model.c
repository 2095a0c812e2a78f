// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The process model on synthetic event streams: in order, out of order, with losses. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/msg.h"
#include "kernel/procfs.h"
#include "model/model.h"
#include "unit/synth_model.h"

TL_DEFINE_STATE;

static struct derived_event got[64];
static struct proc got_p[64];
static int ngot;

static void on_derived(void *ctx, const struct derived_event *d)
{
	if (ngot < 64) {
		got[ngot] = *d;
		if (d->p)
			got_p[ngot] = *d->p;
		ngot++;
	}
}

static struct model *new_model(void)
{
	struct model_config cfg = { .zombie_after_ns = 5000 * MS, .retention_ns = 60000 * MS, .derived = on_derived };

	ngot = 0;
	return model__new(&cfg);
}

static void exit_ev(struct model *m, __u32 pid, __u32 ppid, __u32 status, __u32 new_parent, __u64 ts)
{
	struct pl_exit x = {};

	hdr(&x.h, PL_EV_EXIT, pid, ppid, ts);
	x.status = status;
	if (new_parent) {
		x.h.flags |= PL_F_HAS_CHILDREN;
		x.new_parent = new_parent;
	}
	model__apply(m, &x);
}

static void reap_ev(struct model *m, __u32 pid, __u32 ppid, __u32 reaper, __u64 ts)
{
	struct pl_reap r = {};

	hdr(&r.h, PL_EV_REAP, pid, ppid, ts);
	r.reaper_pid = reaper;
	r.h.flags = PL_F_REAP_WAIT;
	model__apply(m, &r);
}

static void deliver_ev(struct model *m, __u32 pid, __u32 ppid, int sig, unsigned action, __u64 ts)
{
	struct pl_deliver d = {};

	hdr(&d.h, PL_EV_DELIVER, pid, ppid, ts);
	d.sig = sig;
	d.action = action;
	model__apply(m, &d);
}

static void signal_ev(struct model *m, __u32 from, __u32 from_ppid, __u32 to, int sig, __u64 ts)
{
	struct pl_signal s = {};

	hdr(&s.h, PL_EV_SIGNAL, from, from_ppid, ts);
	s.sig = sig;
	s.target_pid = s.target_tid = to;
	model__apply(m, &s);
}

static __u32 parent_pid(struct model *m, __u32 pid)
{
	struct proc *p = model__find(m, pid), *pp = p ? model__slot(m, p->parent) : NULL;

	return pp ? pp->pid : 0;
}

static int nchildren(struct model *m, __u32 pid)
{
	struct proc *p = model__find(m, pid);
	int n = 0;

	for (struct proc *c = p ? model__slot(m, p->first_child) : NULL; c; c = model__slot(m, c->next_sibling))
		n++;
	return n;
}

static void test_lifecycle(void)
{
	struct model *m = new_model();
	struct proc *p;

	fork_ev(m, 1, 0, 100, 1000 * MS);
	fork_ev(m, 100, 1, 101, 1001 * MS);
	ASSERT_EQ(model__count(m), 3);
	ASSERT_EQ(parent_pid(m, 101), 100);
	ASSERT_EQ(parent_pid(m, 100), 1);
	ASSERT_EQ(nchildren(m, 100), 1);
	exit_ev(m, 101, 100, 3 << 8, 0, 1002 * MS);
	p = model__find(m, 101);
	ASSERT_EQ(p->state, PROC_ZOMBIE);
	ASSERT_EQ(p->status, 3 << 8);
	ASSERT_EQ(p->exit_ts, 1002 * MS);
	reap_ev(m, 101, 100, 100, 1003 * MS);
	ASSERT_TRUE(model__find(m, 101) == NULL);
	ASSERT_EQ(model__count(m), 2);
	ASSERT_EQ(nchildren(m, 100), 0);
	/* Kept for the retention window, then forgotten. */
	p = (struct proc *)model__reaped_next(m, NULL);
	if (ASSERT_TRUE(p)) {
		ASSERT_EQ(p->pid, 101);
		ASSERT_EQ(p->reaper, 100);
		ASSERT_EQ(p->state, PROC_REAPED);
	}
	model__tick(m, 1003 * MS + 59999 * MS);
	ASSERT_TRUE(model__reaped_next(m, NULL) != NULL);
	model__tick(m, 1003 * MS + 60000 * MS);
	ASSERT_TRUE(model__reaped_next(m, NULL) == NULL);
	ASSERT_EQ(ngot, 0);
	model__free(m);
}

static void test_reparent_on_exit(void)
{
	struct model *m = new_model();

	fork_ev(m, 1, 0, 50, 0);           /* 50: a subreaper */
	fork_ev(m, 50, 1, 60, 1 * MS);
	fork_ev(m, 60, 50, 70, 2 * MS);
	fork_ev(m, 60, 50, 71, 3 * MS);
	exit_ev(m, 60, 50, 0, 50, 4 * MS); /* the kernel says: its children go to 50 */
	ASSERT_EQ(parent_pid(m, 70), 50);
	ASSERT_EQ(parent_pid(m, 71), 50);
	ASSERT_EQ(model__find(m, 70)->ppid, 50);
	ASSERT_TRUE(model__find(m, 70)->flags & PROC_F_ORPHANED);
	ASSERT_EQ(nchildren(m, 60), 0);
	ASSERT_EQ(nchildren(m, 50), 3);
	ASSERT_EQ(ngot, 2);
	ASSERT_EQ(got[0].type, DV_REPARENT);
	ASSERT_EQ(got[0].old_parent, 60);
	ASSERT_EQ(got[0].new_parent, 50);
	ASSERT_EQ(got_p[0].pid + got_p[1].pid, 70 + 71);
	model__free(m);
}

/*
 * A pid namespace's init exits with children: the kernel names itself as
 * their new parent (they die with it). Nothing moves, and the model does
 * not loop: it did, forever, in the recorder, when a container's init was
 * killed (any user can make one, in a user namespace).
 */
static void test_exit_of_namespace_init(void)
{
	struct model *m = new_model();

	fork_ev(m, 1, 0, 50, 0);
	fork_ev(m, 50, 1, 60, 1 * MS);
	fork_ev(m, 50, 1, 61, 2 * MS);
	exit_ev(m, 50, 1, SIGKILL, 50, 3 * MS);
	ASSERT_EQ(model__find(m, 50)->state, PROC_ZOMBIE);
	ASSERT_EQ(parent_pid(m, 60), 50);
	ASSERT_EQ(parent_pid(m, 61), 50);
	ASSERT_FALSE(model__find(m, 60)->flags & PROC_F_ORPHANED);
	ASSERT_EQ(ngot, 0);
	model__free(m);
}

static void test_stop_continue(void)
{
	struct model *m = new_model();
	struct proc *p;

	fork_ev(m, 1, 0, 10, 0);
	deliver_ev(m, 10, 1, SIGTSTP, PL_ACT_HANDLER, 1 * MS); /* handled: not a stop */
	ASSERT_EQ(model__find(m, 10)->state, PROC_RUNNING);
	deliver_ev(m, 10, 1, SIGTSTP, PL_ACT_DEFAULT, 2 * MS);
	p = model__find(m, 10);
	ASSERT_EQ(p->state, PROC_STOPPED);
	ASSERT_EQ(p->stop_sig, SIGTSTP);
	ASSERT_EQ(p->state_ts, 2 * MS);
	signal_ev(m, 1, 0, 10, SIGCONT, 3 * MS);
	ASSERT_EQ(model__find(m, 10)->state, PROC_CONTINUED);
	signal_ev(m, 1, 0, 10, SIGCONT, 4 * MS); /* not stopped: nothing */
	deliver_ev(m, 10, 1, SIGSTOP, PL_ACT_DEFAULT, 5 * MS);
	ASSERT_EQ(ngot, 3);
	ASSERT_EQ(got[0].type, DV_STOP);
	ASSERT_EQ(got[0].sig, SIGTSTP);
	ASSERT_EQ(got[1].type, DV_CONTINUE);
	ASSERT_EQ(got[2].type, DV_STOP);
	ASSERT_EQ(got[2].sig, SIGSTOP);
	model__free(m);
}

static void test_zombie_timer(void)
{
	struct model *m = new_model();

	fork_ev(m, 1, 0, 20, 0);
	fork_ev(m, 1, 0, 21, 0);
	exit_ev(m, 20, 1, 9, 0, 100 * MS);
	exit_ev(m, 21, 1, 0, 0, 200 * MS);
	model__tick(m, 5099 * MS);
	ASSERT_EQ(ngot, 0);
	model__tick(m, 5100 * MS);
	ASSERT_EQ(ngot, 1);
	ASSERT_EQ(got[0].type, DV_ZOMBIE);
	ASSERT_EQ(got_p[0].pid, 20);
	ASSERT_EQ(got_p[0].status, 9);
	reap_ev(m, 21, 1, 1, 300 * MS); /* reaped in time: no zombie event */
	model__tick(m, 10000 * MS);
	model__tick(m, 20000 * MS);
	ASSERT_EQ(ngot, 1);
	model__free(m);
}

static void test_pid_reuse(void)
{
	struct model *m = new_model();
	struct pl_exit x = {};
	struct proc *p;

	fork_ev(m, 1, 0, 30, 0);
	/* Its exit and reap were lost; the pid comes back as another process. */
	hdr(&x.h, PL_EV_EXIT, 30, 1, 9000 * MS);
	x.h.start_ns = 8000 * MS;
	model__apply(m, &x);
	p = model__find(m, 30);
	ASSERT_EQ(p->start_ns, 8000 * MS);
	ASSERT_EQ(p->state, PROC_ZOMBIE);
	p = (struct proc *)model__reaped_next(m, NULL);
	if (ASSERT_TRUE(p))
		ASSERT_EQ(p->start_ns, start_of(30)); /* the old life, retired */
	/* A reap for the old life does not touch the new one. */
	reap_ev(m, 30, 1, 1, 9001 * MS); /* start_of(30) != 8000 ms */
	ASSERT_EQ(model__find(m, 30)->state, PROC_ZOMBIE);
	model__free(m);
}

static void test_out_of_order_and_missing(void)
{
	struct model *m = new_model();

	/* An exit whose fork was never seen: learnt from the header. */
	exit_ev(m, 40, 1, 0, 0, 10 * MS);
	ASSERT_EQ(model__find(m, 40)->state, PROC_ZOMBIE);
	/* A reap without an exit: still ends it. */
	fork_ev(m, 1, 0, 41, 0);
	reap_ev(m, 41, 1, 1, 11 * MS);
	ASSERT_TRUE(model__find(m, 41) == NULL);
	/* A reap of an unknown process: ignored. */
	reap_ev(m, 42, 1, 1, 12 * MS);
	ASSERT_TRUE(model__find(m, 42) == NULL);
	/* A live event naming another parent than ours: the kernel is right. */
	fork_ev(m, 1, 0, 43, 0);
	fork_ev(m, 43, 1, 44, 0);
	signal_ev(m, 44, 1, 1, SIGUSR1, 13 * MS);
	ASSERT_EQ(parent_pid(m, 44), 1);
	ASSERT_EQ(nchildren(m, 43), 0);
	ASSERT_EQ(ngot, 1);
	ASSERT_EQ(got[0].type, DV_REPARENT);
	/* CLONE_PARENT: the child belongs to the caller's parent. */
	{
		struct pl_fork f = {};

		hdr(&f.h, PL_EV_FORK, 43, 1, 14 * MS);
		f.child_pid = f.child_tid = 45;
		f.child_start_ns = start_of(45);
		f.child_ppid = 1;
		model__apply(m, &f);
		ASSERT_EQ(parent_pid(m, 45), 1);
	}
	/* Exit with HAS_CHILDREN of a process with an unknown parent: children still move. */
	fork_ev(m, 46, 3, 47, 15 * MS);
	exit_ev(m, 46, 3, 0, 1, 16 * MS);
	ASSERT_EQ(parent_pid(m, 47), 1);
	model__free(m);
}

static struct proc_snapshot snap(__u32 pid, __u32 ppid, char state, __u64 start_ticks)
{
	struct proc_snapshot s = { .pid = pid, .ppid = ppid, .state = state };

	s.start_ns = start_ticks * procfs__tick_ns();
	strcpy(s.comm, "snap");
	return s;
}

static void test_bootstrap_and_resync(void)
{
	struct model *m = new_model();
	struct proc_snapshot s1[] = { snap(1, 0, 'S', 0), snap(2, 0, 'S', 0), snap(300, 1, 'S', 5),
				      snap(301, 300, 'T', 6), snap(302, 300, 'Z', 7) };
	struct resync_stats rs;
	struct proc *p;

	s1[4].exit_code = 7 << 8;
	model__reconcile(m, s1, 5, 100 * procfs__tick_ns(), &rs);
	ASSERT_EQ(rs.added, 5);
	ASSERT_EQ(ngot, 0); /* the bootstrap is no resync */
	ASSERT_EQ(parent_pid(m, 301), 300);
	ASSERT_EQ(model__find(m, 301)->state, PROC_STOPPED);
	p = model__find(m, 302);
	ASSERT_EQ(p->state, PROC_ZOMBIE);
	ASSERT_EQ(p->status, 7 << 8);
	ASSERT_TRUE(p->flags & PROC_F_SCANNED);
	/* An event for a scanned process (exact start within the tick) matches it. */
	fork_ev(m, 1, 0, 303, 0);
	{
		struct pl_exit x = {};
		hdr(&x.h, PL_EV_EXIT, 301, 300, 101 * procfs__tick_ns());
		x.h.start_ns = 6 * procfs__tick_ns() + 1234;
		model__apply(m, &x);
		p = model__find(m, 301);
		ASSERT_EQ(p->start_ns, 6 * procfs__tick_ns() + 1234);
		ASSERT_FALSE(p->flags & PROC_F_START_TICKS);
	}
	/* Later, after losses: 300 is gone, 303 gone, 304 new, 302 reparented to 1 and reaped? no: alive zombie. */
	{
		struct proc_snapshot s2[] = { snap(1, 0, 'S', 0), snap(2, 0, 'S', 0), snap(302, 1, 'Z', 7),
					      snap(304, 1, 'R', 150) };
		model__reconcile(m, s2, 4, 200 * procfs__tick_ns(), &rs);
		ASSERT_EQ(rs.added, 1);
		ASSERT_EQ(rs.removed, 3); /* 300, 301, 303 */
		ASSERT_EQ(rs.reparented, 1);
		ASSERT_EQ(rs.states_fixed, 0);
		ASSERT_EQ(parent_pid(m, 302), 1);
		ASSERT_TRUE(model__find(m, 300) == NULL);
		ASSERT_EQ(ngot, 1);
		ASSERT_EQ(got[0].type, DV_RESYNC);
		ASSERT_EQ(got[0].rs.removed, 3);
	}
	model__free(m);
}

static void test_rename(void)
{
	struct model *m = new_model();
	struct pl_rename r = {};
	struct pl_signal s = {};

	fork_ev(m, 1, 0, 95, 0);
	hdr(&r.h, PL_EV_RENAME, 95, 1, 1 * MS);
	strcpy(r.new_comm, "worker");
	model__apply(m, &r);
	ASSERT_STREQ(model__find(m, 95)->comm, "worker");
	/* A live event of the leader refreshes comm; a thread's own name does not. */
	hdr(&s.h, PL_EV_SIGNAL, 95, 1, 2 * MS);
	strcpy(s.h.comm, "renamed-again");
	model__apply(m, &s);
	ASSERT_STREQ(model__find(m, 95)->comm, "renamed-again");
	/* After setuid(): its next event carries the new uid. */
	s.h.uid = 65534;
	model__apply(m, &s);
	ASSERT_EQ(model__find(m, 95)->uid, 65534);
	s.h.tid = 96;
	strcpy(s.h.comm, "thread-name");
	model__apply(m, &s);
	ASSERT_STREQ(model__find(m, 95)->comm, "renamed-again");
	model__free(m);
}

static void test_exec_chain(void)
{
	struct model *m = new_model();
	_Alignas(8) unsigned char buf[sizeof(struct pl_exec) + 256];
	const char *argv[] = { "ls", "-l" };
	size_t lens[] = { 2, 2 };
	struct proc *p;

	fork_ev(m, 1, 0, 90, 0);
	for (int i = 0; i < 20; i++) {
		synth_exec(buf, 90, "/bin/ls", argv, lens, 2);
		((struct pl_exec *)buf)->h.start_ns = start_of(90);
		((struct pl_exec *)buf)->h.ts = i;
		model__apply(m, buf);
	}
	p = model__find(m, 90);
	ASSERT_EQ(p->nr_execs, 16);
	ASSERT_EQ(p->execs->ts, 19);
	ASSERT_STREQ(p->execs->data, "/bin/ls");
	ASSERT_EQ(p->execs->args_len, 6);
	ASSERT_STREQ(p->comm, "prog");
	{
		struct proc_exec *x = p->execs;
		while (x->older)
			x = x->older;
		ASSERT_EQ(x->ts, 0); /* the first exec is kept */
	}
	model__free(m);
}

/* At most 256 bytes per live process, argv aside, at a million processes. */
static void test_memory_per_process(void)
{
	struct model *m = new_model();
	size_t n = 1000000, per;

	fork_ev(m, 1, 0, 2, 0);
	for (__u32 i = 0; i < n; i++)
		fork_ev(m, 1, 0, 1000 + i, 1);
	ASSERT_EQ(model__count(m), n + 2);
	per = model__memory(m) / model__count(m);
	printf("  %zu bytes per live process\n", per);
	ASSERT_TRUE(per <= 256);
	model__free(m);
}

/* ---- the memory cap ---- */

static char said[8][256];
static int nsaid;

static void say_sink(void *ctx, enum msg_level level, const char *text)
{
	if (nsaid < 8)
		snprintf(said[nsaid], sizeof(said[0]), "%s", text);
	nsaid++;
}

static struct model *capped_model(__u64 max_bytes)
{
	struct model_config cfg = { .zombie_after_ns = 5000 * MS, .retention_ns = 60000 * MS, .max_bytes = max_bytes };

	nsaid = 0;
	msg__set_sink(say_sink, NULL);
	return model__new(&cfg);
}

static void capped_free(struct model *m)
{
	model__free(m);
	msg__set_sink(NULL, NULL);
}

/* pid execs a program with one argument of n bytes ('a' + pid % 26) at ts. */
static void exec_big(struct model *m, __u32 pid, size_t n, __u64 ts)
{
	static _Alignas(8) unsigned char buf[sizeof(struct pl_exec) + 8 + PL_ARGS_MAX];
	static char arg[PL_ARGS_MAX];
	const char *argv[] = { arg };
	size_t lens[] = { n };

	memset(arg, 'a' + pid % 26, n);
	synth_exec(buf, pid, "/bin/prog", argv, lens, 1);
	((struct pl_exec *)buf)->h.start_ns = start_of(pid);
	((struct pl_exec *)buf)->h.ts = ts;
	model__apply(m, buf);
}

/* Over the cap at any point is a failure: checked after every event. */
#define ASSERT_UNDER_CAP(m)                                                                    \
	do {                                                                                   \
		if (model__memory(m) > model__max_memory(m)) {                                 \
			ASSERT_TRUE(model__memory(m) <= model__max_memory(m));                 \
			goto out;                                                              \
		}                                                                              \
	} while (0)

/* Reaped processes go first, before their retention: live ones keep their argv whole. */
static void test_cap_forgets_reaped_first(void)
{
	struct model *m = capped_model(1 << 20);
	const __u64 *f = model__forgotten(m);
	struct proc *p;

	fork_ev(m, 1, 0, 2, 0);
	for (__u32 pid = 10; pid < 20; pid++) { /* ten live ones, 4000 bytes of argv each */
		fork_ev(m, 1, 0, pid, 1);
		exec_big(m, pid, 4000, 2);
	}
	for (__u32 pid = 1000; pid < 3000; pid++) { /* 2000 that come and go: 8 MB of argv in all */
		fork_ev(m, 1, 0, pid, pid);
		exec_big(m, pid, 4000, pid);
		exit_ev(m, pid, 1, 0, 0, pid);
		reap_ev(m, pid, 1, 1, pid);
		ASSERT_UNDER_CAP(m);
	}
	ASSERT_TRUE(f[FORGOT_REAPED] > 1000);
	ASSERT_EQ(f[FORGOT_EXEC], 0);
	ASSERT_EQ(f[FORGOT_PROCESS], 0);
	for (__u32 pid = 10; pid < 20; pid++) {
		p = model__find(m, pid);
		ASSERT_TRUE(p && p->execs && p->execs->args_len == 4001 && !p->execs->truncated);
	}
	/* The newest reaped are the ones kept. */
	p = model__find(m, 2999);
	ASSERT_TRUE(!p);
	ASSERT_TRUE(model__reaped_next(m, NULL) && model__reaped_next(m, NULL)->pid > 2000);
	/* Said once, for the one kind. */
	ASSERT_EQ(nsaid, 1);
	ASSERT_TRUE(strstr(said[0], "--max-memory 1M") && strstr(said[0], "reaped processes"));
out:
	capped_free(m);
}

/* No reaped ones left: exec history goes, then long argv is cut, then nothing more is kept. */
static void test_cap_squeezes_history_then_argv(void)
{
	struct model *m = capped_model(2 << 20);
	const __u64 *f = model__forgotten(m);
	__u32 pid;
	struct proc *p;

	fork_ev(m, 1, 0, 2, 0);
	/* 40 live processes, each with 4 execs of 16 KiB: 2.5 MB. */
	for (pid = 100; pid < 140; pid++) {
		fork_ev(m, 1, 0, pid, 1);
		for (int i = 0; i < 4; i++) {
			exec_big(m, pid, 16 << 10, 10 + i);
			ASSERT_UNDER_CAP(m);
		}
	}
	ASSERT_EQ(f[FORGOT_REAPED], 0);
	ASSERT_TRUE(f[FORGOT_EXEC] > 0);
	p = model__find(m, 100);
	ASSERT_TRUE(p && p->nr_execs == 1 && p->execs->ts == 13); /* its newest exec is what it runs */
	p = model__find(m, 139);
	ASSERT_TRUE(p && p->execs && p->execs->args_len == (16 << 10) + 1); /* the newest, after the squeeze */
	/* Many more: argv is cut, then execs are not kept; the cap holds throughout. */
	for (pid = 1000; pid < 1400; pid++) {
		fork_ev(m, 1, 0, pid, 1);
		exec_big(m, pid, 16 << 10, 20);
		ASSERT_UNDER_CAP(m);
	}
	p = model__find(m, 100);
	ASSERT_TRUE(p && (!p->execs || (p->execs->truncated && p->execs->args_len <= MODEL_SQUEEZED_BYTES)));
	ASSERT_EQ(model__count(m), 1 + 1 + 40 + 400);
	ASSERT_EQ(f[FORGOT_PROCESS], 0);
	ASSERT_EQ(nsaid, 1);
out:
	capped_free(m);
}

/* Reaped processes without execs free no memory: past the cap, each new process takes the oldest one's slot. */
static void test_cap_reaped_give_slots(void)
{
	struct model *m = capped_model(1 << 20);
	const __u64 *f = model__forgotten(m);

	fork_ev(m, 1, 0, 2, 0);
	for (__u32 pid = 1000; pid < 51000; pid++) {
		fork_ev(m, 1, 0, pid, pid);
		exit_ev(m, pid, 1, 0, 0, pid);
		reap_ev(m, pid, 1, 1, pid);
		ASSERT_UNDER_CAP(m);
	}
	ASSERT_EQ(f[FORGOT_PROCESS], 0);
	ASSERT_EQ(f[FORGOT_EXEC], 0);
	/* Each of the last ones took the slot of one forgotten: every slot holds a process. */
	ASSERT_EQ(f[FORGOT_REAPED] + model__nslots(m) - 1, 50000 + 2);
	ASSERT_EQ(model__reaped_next(m, NULL)->pid, 1000 + f[FORGOT_REAPED]);
out:
	capped_free(m);
}

/* Live processes alone past the cap: new ones are left out, counted; the rest is intact. */
static void test_cap_refuses_processes(void)
{
	struct model *m = capped_model(1 << 20);
	const __u64 *f = model__forgotten(m);
	__u32 n = 20000;

	fork_ev(m, 1, 0, 2, 0);
	for (__u32 i = 0; i < n; i++) {
		fork_ev(m, 1, 0, 1000 + i, 1);
		ASSERT_UNDER_CAP(m);
	}
	ASSERT_TRUE(model__count(m) < n);
	ASSERT_EQ(f[FORGOT_PROCESS], n + 2 - model__count(m));
	ASSERT_TRUE(model__find(m, 1000) != NULL);
	ASSERT_TRUE(model__find(m, 1000 + n - 1) == NULL);
	/* One that was kept still changes state. */
	exit_ev(m, 1000, 1, 0, 0, 5);
	ASSERT_EQ(model__find(m, 1000)->state, PROC_ZOMBIE);
out:
	capped_free(m);
}

/*
 * Two million processes come and go, one a millisecond: once the first 60 s
 * of reaped ones are kept, the model stops growing (its pid index grew
 * before with every pid ever seen: the marks of removed entries filled it).
 */
static void test_churn_stays_small(void)
{
	struct model *m = capped_model(0);
	size_t steady = 0;

	fork_ev(m, 1, 0, 2, 0);
	for (__u32 i = 0; i < 2000000; i++) {
		__u32 pid = 300 + i % 4000000;

		fork_ev(m, 1, 0, pid, (__u64)i * MS);
		exit_ev(m, pid, 1, 0, 0, (__u64)i * MS);
		reap_ev(m, pid, 1, 1, (__u64)i * MS);
		model__tick(m, (__u64)i * MS);
		if (i == 200000)
			steady = model__memory(m);
	}
	printf("  %zu bytes after 200,000 processes, %zu after 2,000,000\n", steady, model__memory(m));
	ASSERT_EQ(model__memory(m), steady);
	ASSERT_EQ(model__forgotten_total(m), 0);
	capped_free(m);
}

/* A process's history between its first and newest execs is bounded in bytes too. */
static void test_history_bytes(void)
{
	struct model *m = new_model();
	const struct proc_exec *x;
	struct proc *p;

	fork_ev(m, 1, 0, 90, 0);
	for (int i = 0; i < 10; i++)
		exec_big(m, 90, 30000, i);
	p = model__find(m, 90);
	ASSERT_EQ(p->nr_execs, 4); /* the first, two between (60 KB), the newest */
	ASSERT_EQ(p->execs->ts, 9);
	for (x = p->execs; x->older;)
		x = x->older;
	ASSERT_EQ(x->ts, 0);
	model__free(m);
}

/* A set of credentials: uid, everything else following from it (root: every capability). */
static struct pl_creds creds_of(__u32 uid)
{
	struct pl_creds c = { .uid = uid, .euid = uid, .suid = uid, .fsuid = uid,
			      .gid = uid, .egid = uid, .sgid = uid, .fsgid = uid };

	if (!uid)
		c.cap_permitted = c.cap_effective = c.cap_bset = (1ull << 41) - 1;
	return c;
}

static void exec_creds_ev(struct model *m, __u32 pid, __u32 ppid, const struct pl_creds *c, __u32 flags, __u64 ts)
{
	_Alignas(8) char buf[sizeof(struct pl_exec) + 8] = {};
	struct pl_exec *e = (void *)buf;

	hdr(&e->h, PL_EV_EXEC, pid, ppid, ts);
	e->h.uid = c->uid;
	e->h.euid = c->euid;
	e->h.gid = c->gid;
	e->h.egid = c->egid;
	e->h.flags = flags;
	e->filename_len = 1;
	e->creds = *c;
	model__apply(m, e);
}

static struct pl_cred cred_rec(__u32 pid, __u32 ppid, const struct pl_creds *new, __u64 ts)
{
	struct pl_cred c = {};

	hdr(&c.h, PL_EV_CRED, pid, ppid, ts);
	c.h.uid = new->uid;
	c.h.euid = new->euid;
	c.h.gid = new->gid;
	c.h.egid = new->egid;
	c.how = PL_HOW_SETRESUID;
	c.new = *new;
	return c;
}

/*
 * Who a process is: its exec's credentials; a child starts as its parent;
 * a cred event's old set is what the model knew (ids only once a header
 * showed a change it did not see); a change to what it already has
 * (another thread's share) is not one; raised privilege is setid.
 */
static void test_identity_and_cred_fill(void)
{
	struct model *m = new_model();
	struct pl_creds root = creds_of(0), user = creds_of(1000);
	struct pl_cred c;
	const struct proc *p;

	fork_ev(m, 1, 0, 10, 1 * MS);
	exec_creds_ev(m, 10, 1, &root, 0, 2 * MS);
	fork_ev(m, 10, 1, 11, 3 * MS);
	p = model__find(m, 11);
	if (ASSERT_TRUE(p) && ASSERT_TRUE(model__creds(m, p))) {
		ASSERT_MEMEQ(model__creds(m, p), &root, sizeof(root)); /* the parent's */
		ASSERT_TRUE(p->idflags & PROC_I_EXECD);
		ASSERT_FALSE(p->idflags & PROC_I_SETID);
	}
	/* root drops to 1000: old from the model, whole. */
	c = cred_rec(11, 10, &user, 4 * MS);
	ASSERT_TRUE(model__cred_fill(m, &c, true));
	ASSERT_EQ(c.cflags, PL_C_OLD_MODEL);
	ASSERT_MEMEQ(&c.old, &root, sizeof(root));
	ASSERT_FALSE(c.h.flags & PL_F_SETID);
	model__apply(m, &c);
	/* Another thread's share of the same change: nothing new. */
	c = cred_rec(11, 10, &user, 5 * MS);
	ASSERT_FALSE(model__cred_fill(m, &c, true));
	/* Without filling (--setid): old stays unknown, nothing raised is claimed. */
	c = cred_rec(11, 10, &root, 6 * MS);
	ASSERT_TRUE(model__cred_fill(m, &c, false));
	ASSERT_EQ(c.cflags, 0);
	ASSERT_FALSE(c.h.flags & PL_F_SETID);
	/* Back to root: raised. */
	ASSERT_TRUE(model__cred_fill(m, &c, true));
	ASSERT_TRUE(c.h.flags & PL_F_SETID);
	model__apply(m, &c);
	/* A header with an euid the model did not see change: only the ids are known now. */
	{
		struct pl_rename r = {};

		hdr(&r.h, PL_EV_RENAME, 11, 10, 7 * MS);
		r.h.euid = 33;
		model__apply(m, &r);
	}
	p = model__find(m, 11);
	if (ASSERT_TRUE(p)) {
		ASSERT_TRUE(model__creds(m, p) == NULL);
		ASSERT_EQ(p->euid, 33);
	}
	c = cred_rec(11, 10, &user, 8 * MS);
	ASSERT_TRUE(model__cred_fill(m, &c, true));
	ASSERT_EQ(c.cflags, PL_C_OLD_MODEL | PL_C_OLD_IDS);
	ASSERT_EQ(c.old.euid, 33);
	ASSERT_EQ(c.old.suid, 0);
	/* A setid exec marks the process; an unknown process gets no old set. */
	exec_creds_ev(m, 10, 1, &user, PL_F_SETID, 9 * MS);
	p = model__find(m, 10);
	if (ASSERT_TRUE(p))
		ASSERT_TRUE(p->idflags & PROC_I_SETID);
	c = cred_rec(99, 1, &user, 10 * MS);
	ASSERT_TRUE(model__cred_fill(m, &c, true));
	ASSERT_EQ(c.cflags, 0);
	model__free(m);
}

/* The same sets are kept once: a thousand processes changing between two sets allocate nothing more. */
static void test_creds_shared(void)
{
	struct model *m = new_model();
	struct pl_creds root = creds_of(0), user = creds_of(1000);
	size_t before;

	exec_creds_ev(m, 1, 0, &root, 0, 1 * MS);
	for (__u32 i = 0; i < 1000; i++) {
		fork_ev(m, 1, 0, 100 + i, 2 * MS);
		if (i % 2)
			exec_creds_ev(m, 100 + i, 1, &user, 0, 3 * MS);
	}
	before = model__memory(m);
	for (__u32 i = 0; i < 1000; i++) {
		struct pl_cred c = cred_rec(100 + i, 1, i % 2 ? &root : &user, 4 * MS);

		model__apply(m, &c);
	}
	ASSERT_EQ(model__memory(m), before); /* no set kept twice */
	ASSERT_MEMEQ(model__creds(m, model__find(m, 101)), &root, sizeof(root));
	ASSERT_MEMEQ(model__creds(m, model__find(m, 100)), &user, sizeof(user));
	model__free(m);
}

/* What /proc said at the bootstrap: the credentials, login uid, session, tty. */
static void test_identity_from_proc(void)
{
	struct model *m = new_model();
	struct proc_snapshot s = { .pid = 5, .ppid = 1, .state = 'S', .start_ns = 5 * MS, .has_creds = true,
				   .creds = creds_of(1000), .uid = 1000, .auid = 1000, .session = 7, .tty = 34817 };
	const struct proc *p;

	model__reconcile(m, &s, 1, 10 * MS, NULL);
	p = model__find(m, 5);
	if (ASSERT_TRUE(p)) {
		ASSERT_TRUE(model__creds(m, p) != NULL);
		ASSERT_TRUE(p->idflags & PROC_I_IDENTITY);
		ASSERT_EQ(p->auid, 1000);
		ASSERT_EQ(p->session, 7);
		ASSERT_EQ(p->tty, 34817);
		ASSERT_FALSE(p->idflags & PROC_I_EXECD); /* its exec was not seen */
	}
	model__free(m);
}

int main(void)
{
	tl_init("unit/model");
	RUN_TEST(test_lifecycle);
	RUN_TEST(test_reparent_on_exit);
	RUN_TEST(test_exit_of_namespace_init);
	RUN_TEST(test_stop_continue);
	RUN_TEST(test_zombie_timer);
	RUN_TEST(test_pid_reuse);
	RUN_TEST(test_out_of_order_and_missing);
	RUN_TEST(test_bootstrap_and_resync);
	RUN_TEST(test_rename);
	RUN_TEST(test_exec_chain);
	RUN_TEST(test_memory_per_process);
	RUN_TEST(test_cap_forgets_reaped_first);
	RUN_TEST(test_cap_squeezes_history_then_argv);
	RUN_TEST(test_cap_reaped_give_slots);
	RUN_TEST(test_cap_refuses_processes);
	RUN_TEST(test_churn_stays_small);
	RUN_TEST(test_history_bytes);
	RUN_TEST(test_identity_and_cred_fill);
	RUN_TEST(test_creds_shared);
	RUN_TEST(test_identity_from_proc);
	return tl_finish();
}
