// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Kernel integration tests: the real BPF programs, real forks, execs,
 * signals and exits, checked against ground truth (waitpid(), /proc, the
 * argv passed). Needs root. TEST_FILTER=substring runs a subset.
 */
#include <unistd.h>

#include "ktests.h"

TL_DEFINE_STATE;

void check_nothing_lost(void)
{
	ASSERT_EQ(harness__lost(), 0);
	ASSERT_EQ(harness__malformed(), 0);
}

static void run_exit_group(void)
{
	RUN_TEST(test_exit_codes);
	RUN_TEST(test_exit_by_signal);
	RUN_TEST(test_exit_segv_core);
	RUN_TEST(test_leader_exits_first);
	RUN_TEST(test_leader_first_killed);
	RUN_TEST(test_leader_first_last_returns);
}

/* The same exit checks through the pre-6.16 program (signal->live instead of group_dead). */
#define LEGACY(fn)                       \
	static void fn##_legacy(void)    \
	{                                \
		fn();                    \
	}
LEGACY(test_exit_codes)
LEGACY(test_exit_by_signal)
LEGACY(test_leader_exits_first)
LEGACY(test_leader_first_killed)

int main(void)
{
	struct tracer_config cfg = harness__default_config();

	tl_init("kernel");
	if (geteuid() != 0) {
		printf("SKIP kernel/all: needs root to load BPF programs\n");
		return 0;
	}
	if (harness__start(&cfg)) {
		printf("FAIL kernel/load: cannot load and attach the BPF programs\n");
		return 1;
	}
	RUN_TEST(test_fork_exec_exit_fields);
	run_exit_group();
	RUN_TEST(test_thread_fork_and_exit);
	RUN_TEST(test_reap_auto);
	RUN_TEST(test_pid_namespace);
	RUN_TEST(test_orphan_to_subreaper);
	RUN_TEST(test_orphan_to_init);
	RUN_TEST(test_fork_clone_parent);
	RUN_TEST(test_rename);
	RUN_TEST(test_argv_hostile);
	RUN_TEST(test_argv_many);
	RUN_TEST(test_argv_truncated);
	RUN_TEST(test_exec_script);
	RUN_TEST(test_exec_failed_enoent);
	RUN_TEST(test_exec_failed_eacces);
	RUN_TEST(test_exec_from_thread);
	RUN_TEST(test_signal_handled);
	RUN_TEST(test_signal_ignored);
	RUN_TEST(test_signal_blocked);
	RUN_TEST(test_signal_refused_eperm);
	RUN_TEST(test_signal_refused_esrch_and_probe);
	RUN_TEST(test_signal_process_group);
	RUN_TEST(test_sigqueue_value);
	RUN_TEST(test_signal_tgkill);
	RUN_TEST(test_origin_fault);
	RUN_TEST(test_origin_pipe);
	RUN_TEST(test_stop_tstp_cont);
	RUN_TEST(test_stop_stop_cont);
	RUN_TEST(test_nohup_hup_ignored);
	RUN_TEST(test_handler_then_sigkill);

	cfg.legacy_exit = true;
	if (harness__start(&cfg) == 0) {
		RUN_TEST(test_exit_codes_legacy);
		RUN_TEST(test_exit_by_signal_legacy);
		RUN_TEST(test_leader_exits_first_legacy);
		RUN_TEST(test_leader_first_killed_legacy);
	} else {
		printf("FAIL kernel/legacy_load: cannot load the legacy exit program\n");
		tl.n_fail++;
	}

	/* These start tracers of their own, with kernel-side filters. */
	RUN_TEST(test_filter_comm);
	RUN_TEST(test_filter_uid);
	RUN_TEST(test_filter_failed);
	RUN_TEST(test_filter_events);
	RUN_TEST(test_follow_in_kernel);
	RUN_TEST(test_lost_counted);
	RUN_TEST(test_record_lost_resync_replay);
	harness__stop();
	return tl_finish();
}
