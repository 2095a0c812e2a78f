// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A full zombie table (PROCLIFE_ZOMBIES_MAX sizes it small): exits that do
 * not fit are counted apart, not lost, and their reaps come from the
 * release, each exactly once, with the right status.
 *
 * A kernel that runs BPF programs preemptible (7.x) now and then skips a
 * program (a recursion miss), which proclife counts as lost: an exit so
 * skipped leaves no entry in the table either, and its reap comes from
 * the release as an untracked one. What is missing must be counted lost,
 * and a full table is never counted as losses (before, each exit past it
 * was a lost reap: 7,294 in the few seconds of this subtest on a busy host).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktests.h"

#define TABLE 8
#define HELD 24

struct pids {
	pid_t v[HELD];
};

/* Forks HELD children that exit 7 at once, writes their pids, and holds them as zombies until killed. */
static int child_zombie_holder(void *arg)
{
	int fd = *(int *)arg;

	for (int i = 0; i < HELD; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(7);
		if (c < 0)
			return 100;
		write_int(fd, c);
	}
	for (;;)
		pause();
}

static int child_exit_code(void *arg)
{
	return *(int *)arg;
}

/* A process exit (not a thread's) of one of the held pids. */
static bool pred_held_exit(const void *rec, const void *arg)
{
	const struct pids *s = arg;
	const struct pl_hdr *h = rec;

	for (int i = 0; i < HELD; i++)
		if (h->pid == (__u32)s->v[i])
			return pred_process_exit(rec, NULL);
	return false;
}

/* Waits until every held zombie's exit came or was counted lost; returns how many came. */
static int wait_held_exits(const struct pids *held)
{
	int n = 0;

	for (int round = 0; round < 2; round++)
		n = harness__wait_count(PL_EV_EXIT, 0, pred_held_exit, held, HELD - (int)harness__lost_of(PL_EV_EXIT));
	return n;
}

/* Starts a tracer of its own, with a table of TABLE places. */
void test_zombies_table_full(void)
{
	struct tracer_config cfg = harness__default_config();
	int fd, untracked = 0, missing = 0, codes[3] = { 11, 12, 13 };
	unsigned long long lost_exits, lost_reaps;
	struct pids held;
	pid_t kids[3], holder;

	setenv("PROCLIFE_ZOMBIES_MAX", "8", 1); /* TABLE */
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		goto out;
	holder = spawn_piped(child_zombie_holder, &fd);
	for (int i = 0; i < HELD; i++)
		held.v[i] = read_int(fd);
	close(fd);
	/* Every zombie's exit is seen, tracked in the table or not (or counted lost: skipped). */
	ASSERT_GE(wait_held_exits(&held) + harness__lost_of(PL_EV_EXIT), (unsigned long long)HELD);
	/* The table is full of them: processes that exit now are untracked, and still reported. */
	for (int i = 0; i < 3; i++)
		kids[i] = spawn(child_exit_code, &codes[i]);
	for (int i = 0; i < 3; i++) {
		const struct pl_reap *r;

		ASSERT_EQ(wait_status(kids[i]), codes[i] << 8);
		r = harness__wait(PL_EV_REAP, kids[i], NULL, NULL);
		if (!r) {
			ASSERT_GE(harness__lost_of(PL_EV_REAP), 1); /* skipped, and counted */
			continue;
		}
		ASSERT_EQ(r->status, (__u32)codes[i] << 8);
		/* A place in the table freed by another process's release makes it a tracked wait. */
		ASSERT_TRUE(r->h.flags == PL_F_REAP_UNTRACKED || r->h.flags == PL_F_REAP_WAIT);
	}
	kill(holder, SIGKILL);
	ASSERT_EQ(wait_status(holder), SIGKILL);
	/* Adopted and reaped by init: each zombie's reap once, the untracked ones from the release. */
	for (int i = 0; i < HELD; i++) {
		const struct pl_reap *r = harness__wait(PL_EV_REAP, held.v[i], NULL, NULL);

		if (!r) {
			missing++;
			continue;
		}
		ASSERT_EQ(r->status, 7 << 8);
		if (r->h.flags & PL_F_REAP_UNTRACKED) {
			ASSERT_EQ(r->reaper_pid, 0);
			ASSERT_EQ(r->exit_ts, 0);
			untracked++;
		}
	}
	harness__drain(100);
	for (int i = 0; i < HELD; i++)
		ASSERT_TRUE(harness__count(PL_EV_REAP, held.v[i], NULL, NULL) <= 1);
	lost_exits = harness__lost_of(PL_EV_EXIT);
	lost_reaps = harness__lost_of(PL_EV_REAP);
	ASSERT_GE(lost_reaps, (unsigned long long)missing);
	ASSERT_GE(untracked + missing, HELD - TABLE);
	/* The exits that found the table full are counted apart (a skipped one left no entry either). */
	ASSERT_GE(tracer__untracked_zombies(harness__tracer()) + lost_exits, (__u64)(HELD - TABLE));
	/* Not losses: a full table counted as lost reaps would be at least HELD - TABLE of them. */
	ASSERT_TRUE(lost_reaps < HELD - TABLE);
out:
	unsetenv("PROCLIFE_ZOMBIES_MAX");
}
