// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Features one at a time: a feature turned off (PROCLIFE_FEATURES_OFF, the
 * hidden switch) costs that feature and nothing else; the core cannot be
 * turned off without the tracer refusing to start, with one clear reason.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktests.h"

#define FORCED "turned off by PROCLIFE_FEATURES_OFF"

static int child_term_self(void *arg)
{
	signal(SIGTERM, SIG_IGN);
	kill(getpid(), SIGTERM); /* generated (ignored), so a signal event, and no delivery */
	execl("/bin/true", "true", "features", (char *)NULL);
	return 127;
}

void test_features_forced_off(void)
{
	struct tracer_config cfg = harness__default_config();
	const struct kfeature_status *st;
	int term = SIGTERM;
	pid_t pid;

	setenv("PROCLIFE_FEATURES_OFF", "delivery,rename", 1);
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		goto out;
	st = harness__features();
	ASSERT_EQ(st[KF_DELIVERY].state, KF_OFF);
	ASSERT_STREQ(st[KF_DELIVERY].why, FORCED);
	ASSERT_EQ(st[KF_RENAME].state, KF_OFF);
	ASSERT_EQ(st[KF_CORE].state, KF_ON);
	ASSERT_TRUE(st[KF_SIGNALS].state == KF_ON || st[KF_SIGNALS].state == KF_REDUCED);

	pid = spawn(child_term_self, NULL);
	ASSERT_EQ(wait_status(pid), 0);
	/* The rest works: exec, exit, the signal; no delivery is reported, not even an ignored one. */
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, pid, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_SIGNAL, pid, pred_sig, &term));
	harness__drain(50);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, 0, NULL, NULL), 0);
	check_nothing_lost();
out:
	unsetenv("PROCLIFE_FEATURES_OFF");
}

void test_features_core_off_fatal(void)
{
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;
	char msg[512] = "";

	setenv("PROCLIFE_FEATURES_OFF", "core", 1);
	ASSERT_EQ(tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg)), -EOPNOTSUPP);
	ASSERT_TRUE(t == NULL);
	ASSERT_STREQ(msg, "cannot trace: process tracing (fork, exec, exit, reap) is off on this kernel: " FORCED);
	unsetenv("PROCLIFE_FEATURES_OFF");
}

/* What `proclife features` probes: every feature in use, decided (loaded and attached, or off with a reason). */
void test_features_probe_only(void)
{
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;
	char msg[512] = "";

	cfg.probe_only = true;
	cfg.sample = true; /* as `proclife features` asks */
	if (!ASSERT_EQ(tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg)), 0))
		return;
	for (int f = 0; f < KF_MAX; f++) {
		const struct kfeature_status *st = &tracer__features(t)[f];

		/* Every feature is decided: on or reduced with its program, or off with a reason. */
		if (!ASSERT_NEQ(st->state, KF_UNUSED))
			continue;
		if (st->state == KF_OFF)
			ASSERT_TRUE(st->why[0] != '\0');
		else
			ASSERT_TRUE(st->program != NULL);
	}
	tracer__free(t);
}
