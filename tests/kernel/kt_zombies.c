// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * A full zombie table (PROCLIFE_ZOMBIES_MAX sizes it small): exits that do
 * not fit are counted apart, not lost, and their reaps come from the
 * release, each exactly once, with the right status.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktests.h"

#define TABLE 8
#define HELD 24

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

static bool pred_untracked(const void *rec, const void *arg)
{
	return ((const struct pl_reap *)rec)->h.flags & PL_F_REAP_UNTRACKED;
}

/* Starts a tracer of its own, with a table of TABLE places. */
void test_zombies_table_full(void)
{
	struct tracer_config cfg = harness__default_config();
	pid_t held[HELD], kids[3], holder;
	int fd, untracked = 0, codes[3] = { 11, 12, 13 };

	setenv("PROCLIFE_ZOMBIES_MAX", "8", 1); /* TABLE */
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		goto out;
	holder = spawn_piped(child_zombie_holder, &fd);
	for (int i = 0; i < HELD; i++)
		held[i] = read_int(fd);
	close(fd);
	/* Every zombie's exit is seen, tracked or not. */
	for (int i = 0; i < HELD; i++)
		if (!ASSERT_TRUE(harness__wait(PL_EV_EXIT, held[i], pred_process_exit, NULL)))
			goto kill;
	/* The table is full of them: processes that exit now are untracked, and still reported. */
	for (int i = 0; i < 3; i++)
		kids[i] = spawn(child_exit_code, &codes[i]);
	for (int i = 0; i < 3; i++) {
		const struct pl_reap *r;

		ASSERT_EQ(wait_status(kids[i]), codes[i] << 8);
		r = harness__wait(PL_EV_REAP, kids[i], NULL, NULL);
		if (ASSERT_TRUE(r)) {
			ASSERT_EQ(r->status, (__u32)codes[i] << 8);
			/* A place in the table freed by another process's release makes it a tracked wait. */
			ASSERT_TRUE(r->h.flags == PL_F_REAP_UNTRACKED || r->h.flags == PL_F_REAP_WAIT);
		}
	}
kill:
	kill(holder, SIGKILL);
	ASSERT_EQ(wait_status(holder), SIGKILL);
	/* Adopted and reaped by init: each zombie's reap once, the untracked ones from the release. */
	for (int i = 0; i < HELD; i++) {
		const struct pl_reap *r = harness__wait(PL_EV_REAP, held[i], NULL, NULL);

		if (!ASSERT_TRUE(r))
			continue;
		ASSERT_EQ(r->status, 7 << 8);
		if (r->h.flags & PL_F_REAP_UNTRACKED) {
			ASSERT_EQ(r->reaper_pid, 0);
			ASSERT_EQ(r->exit_ts, 0);
			untracked++;
		}
	}
	harness__drain(100);
	for (int i = 0; i < HELD; i++)
		ASSERT_EQ(harness__count(PL_EV_REAP, held[i], NULL, NULL), 1);
	ASSERT_GE(untracked, HELD - TABLE);
	ASSERT_GE(harness__count(PL_EV_REAP, 0, pred_untracked, NULL), untracked);
	ASSERT_GE(tracer__untracked_zombies(harness__tracer()), (__u64)(HELD - TABLE));
	/* Not losses: nothing to resync. */
	ASSERT_EQ(harness__lost_of(PL_EV_REAP), 0);
out:
	unsetenv("PROCLIFE_ZOMBIES_MAX");
}
