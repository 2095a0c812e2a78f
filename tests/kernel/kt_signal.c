// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Signals: generation and delivery for a handler, SIG_IGN and a blocked signal. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ktests.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = 1;
}

struct pipes {
	int to_parent[2];
	int to_child[2];
};

static int pipes_open(struct pipes *p)
{
	return pipe(p->to_parent) || pipe(p->to_child) ? -1 : 0;
}

static void pipes_parent_side(struct pipes *p)
{
	close(p->to_parent[1]);
	close(p->to_child[0]);
}

static void pipes_close(struct pipes *p)
{
	close(p->to_parent[0]);
	close(p->to_child[1]);
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %lld", &v);
	fclose(f);
	return v;
}

/* "ShdPnd:" or "SigBlk:" of /proc/PID/status as a mask. */
static unsigned long long proc_sigmask(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long v = 0;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n))
			v = strtoull(line + n + 1, NULL, 16);
	fclose(f);
	return v;
}

static int child_handler(void *arg)
{
	struct pipes *p = arg;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, empty;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	write_int(p->to_parent[1], 1);
	while (!got)
		sigsuspend(&empty); /* no lost wakeup: unblocked only while waiting */
	return 0;
}

void test_signal_handled(void)
{
	int usr1 = SIGUSR1, st;
	const struct pl_signal *s;
	const struct pl_deliver *d;
	long long start_ticks;
	struct pipes p;
	pid_t pid;

	harness__clear();
	if (pipes_open(&p)) {
		FAILF("pipe");
		return;
	}
	pid = spawn(child_handler, &p);
	pipes_parent_side(&p);
	ASSERT_EQ(read_int(p.to_parent[0]), 1);
	start_ticks = proc_starttime(pid);
	kill(pid, SIGUSR1);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	pipes_close(&p);

	s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->sig, SIGUSR1);
		ASSERT_EQ(s->result, PL_SIG_DELIVERED);
		ASSERT_EQ(s->info_code, 0); /* SI_USER */
		ASSERT_EQ(s->info_pid, getpid());
		ASSERT_EQ(s->info_uid, getuid());
		ASSERT_EQ(s->target_tid, pid);
		ASSERT_EQ(s->target_uid, getuid());
		ASSERT_EQ(s->h.flags, PL_F_GROUP);
		ASSERT_EQ(s->h.tid, gettid());
	}
	d = harness__wait(PL_EV_DELIVER, pid, pred_sig, &usr1);
	if (ASSERT_TRUE(d)) {
		ASSERT_EQ(d->action, PL_ACT_HANDLER);
		ASSERT_EQ(d->info_code, 0);
		ASSERT_EQ(d->info_pid, getpid());
		ASSERT_EQ(d->h.flags, 0);
		ASSERT_EQ(d->h.tid, pid);
		ASSERT_EQ(d->h.ppid, getpid());
		/* (pid, start time) identity, against /proc. */
		ASSERT_EQ((long long)(d->h.start_ns / (1000000000ull / sysconf(_SC_CLK_TCK))), start_ticks);
		if (s)
			ASSERT_GE(d->h.ts, s->h.ts);
	}
	ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, pred_sig, &usr1), 1);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

static int child_ignore(void *arg)
{
	struct pipes *p = arg;

	signal(SIGUSR2, SIG_IGN);
	write_int(p->to_parent[1], 1);
	return read_int(p->to_child[0]) == 2 ? 0 : 1;
}

void test_signal_ignored(void)
{
	int usr2 = SIGUSR2, st;
	const struct pl_signal *s;
	struct pipes p;
	pid_t pid;

	harness__clear();
	if (pipes_open(&p)) {
		FAILF("pipe");
		return;
	}
	pid = spawn(child_ignore, &p);
	pipes_parent_side(&p);
	ASSERT_EQ(read_int(p.to_parent[0]), 1);
	kill(pid, SIGUSR2);
	s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
	write_int(p.to_child[1], 2);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	pipes_close(&p);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->sig, SIGUSR2);
		ASSERT_EQ(s->result, PL_SIG_IGNORED);
	}
	check_exit_and_reap(pid, st);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, pred_sig, &usr2), 0);
	check_nothing_lost();
}

static int child_blocked(void *arg)
{
	struct pipes *p = arg;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	write_int(p->to_parent[1], 1);
	if (read_int(p->to_child[0]) != 2)
		return 1;
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* the handler runs before this returns */
	write_int(p->to_parent[1], got ? 3 : 4);
	return 0;
}

void test_signal_blocked(void)
{
	unsigned long long bit = 1ull << (SIGUSR1 - 1);
	int usr1 = SIGUSR1, st;
	const struct pl_signal *s;
	const struct pl_deliver *d;
	struct pipes p;
	pid_t pid;

	harness__clear();
	if (pipes_open(&p)) {
		FAILF("pipe");
		return;
	}
	pid = spawn(child_blocked, &p);
	pipes_parent_side(&p);
	ASSERT_EQ(read_int(p.to_parent[0]), 1);
	kill(pid, SIGUSR1);
	s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->sig, SIGUSR1);
		ASSERT_EQ(s->result, PL_SIG_DELIVERED); /* queued */
	}
	/* Oracle: the kernel holds it pending and blocked; and no delivery was reported. */
	ASSERT_EQ(proc_sigmask(pid, "ShdPnd:") & bit, bit);
	ASSERT_EQ(proc_sigmask(pid, "SigBlk:") & bit, bit);
	harness__drain(50);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, pred_sig, &usr1), 0);

	write_int(p.to_child[1], 2);
	ASSERT_EQ(read_int(p.to_parent[0]), 3);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	pipes_close(&p);
	d = harness__wait(PL_EV_DELIVER, pid, pred_sig, &usr1);
	if (ASSERT_TRUE(d))
		ASSERT_EQ(d->action, PL_ACT_HANDLER);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}
