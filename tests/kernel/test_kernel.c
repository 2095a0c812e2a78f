// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Kernel integration tests: the real BPF programs, real forks, execs,
 * signals and exits, checked against ground truth (waitpid(), /proc, the
 * argv passed). Needs root. TEST_FILTER=substring runs a subset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktests.h"

TL_DEFINE_STATE;

/*
 * Nothing lost by proclife: no ring buffer overflow. A run the kernel
 * skipped (a 7.x kernel runs BPF programs preemptible, and a program that
 * would run inside another on its CPU is not run: a recursion miss) is the
 * kernel's, counted and reported as lost by proclife; a subtest that needed
 * that very event runs again (run_ktest()).
 */
void check_nothing_lost(void)
{
	unsigned long long skipped = harness__tracer() ? tracer__skipped(harness__tracer()) : 0;

	if (skipped)
		printf("  (%llu program runs skipped by the kernel: counted as lost, not by proclife)\n", skipped);
	ASSERT_EQ(harness__lost() - skipped, 0);
	ASSERT_EQ(harness__malformed(), 0);
}

/*
 * Runs a subtest; while it fails with the kernel skipping program runs
 * (counted by the tracers it used, its own ones stopped or not), runs it
 * again, three runs at most: the event it waited for may be the one the
 * kernel did not run a program for (a recursion miss on a preemptible 7.x
 * kernel), which proclife reports as lost and cannot deliver. A failure with
 * no skipped run stands.
 */
static void run_ktest(void (*fn)(void))
{
	for (int run = 1;; run++) {
		unsigned long long s0 = harness__skipped_total(), s1;

		fn();
		s1 = harness__skipped_total();
		if (!tl.failed || s1 <= s0 || run == 3)
			return;
		printf("  (the kernel skipped %llu program runs during this subtest: it runs once more)\n", s1 - s0);
		tl.failed = false;
	}
}

/*
 * A subtest with what it needs of the kernel: where the tracer runs with a
 * needed feature off, the subtest is skipped with that feature's name and
 * the reason, never passed or failed.
 */
#define RUN_KTEST(fn, needs)                               \
	do {                                               \
		if (tl_begin(#fn)) {                       \
			if (!harness__skip_unless(needs))  \
				run_ktest(fn);             \
			tl_end();                          \
		}                                          \
	} while (0)

/* The same checks again through other program variants (a wrapper per name). */
#define AGAIN(fn, suffix)                \
	static void fn##_##suffix(void)  \
	{                                \
		fn();                    \
	}
/* The pre-6.16 exit program (signal->live instead of group_dead). */
AGAIN(test_exit_codes, legacy)
AGAIN(test_exit_by_signal, legacy)
AGAIN(test_leader_exits_first, legacy)
AGAIN(test_leader_first_killed, legacy)
AGAIN(test_usage_threads_exit_first, legacy)
/* The variants for Linux 5.10 (no current-task BTF, pt_regs, task_from_pid, group_dead), loaded here. */
AGAIN(test_fork_exec_exit_fields, v510)
AGAIN(test_header_identity, v510)
AGAIN(test_exit_by_signal, v510)
AGAIN(test_reap_auto, v510)
AGAIN(test_orphan_to_subreaper, v510)
AGAIN(test_exec_failed_enoent, v510)
AGAIN(test_exec_failed_name_too_long, v510)
AGAIN(test_signal_handled, v510)
AGAIN(test_signal_blocked, v510)
AGAIN(test_signal_refused_esrch_and_probe, v510)
AGAIN(test_signal_process_group, v510)
AGAIN(test_sigqueue_value, v510)
AGAIN(test_origin_fault, v510)
AGAIN(test_stop_tstp_cont, v510)
AGAIN(test_handler_then_sigkill, v510)
AGAIN(test_sampling_vs_proc, v510) /* the iter/task program (before 6.7) */
AGAIN(test_sampling_exit_status, v510)
/* The syscalls feature's other ways (kernel/variants.c): per-syscall tracepoints, sys_exit, sys_exit for 5.10. */
#define SYSCALL_TESTS(X, suffix)                            \
	X(test_exit_codes, suffix)                          \
	X(test_reap_auto, suffix)                           \
	X(test_exec_failed_enoent, suffix)                  \
	X(test_exec_failed_eacces, suffix)                  \
	X(test_exec_failed_name_too_long, suffix)           \
	X(test_signal_refused_eperm, suffix)                \
	X(test_signal_refused_esrch_and_probe, suffix)      \
	X(test_sigqueue_value, suffix)                      \
	X(test_signal_tgkill, suffix)
SYSCALL_TESTS(AGAIN, tp)
SYSCALL_TESTS(AGAIN, sysexit)
SYSCALL_TESTS(AGAIN, sysexit_v510)

#define V510_LACKS "task_btf,pt_regs,task_from_pid,exit_group_dead,task_iter"

static void run_v510(void)
{
	struct tracer_config cfg = harness__default_config();

	setenv("PROCLIFE_KERNEL_LACKS", V510_LACKS, 1);
	if (harness__start(&cfg) == 0) {
		RUN_KTEST(test_fork_exec_exit_fields_v510, NEED_ALL);
		RUN_KTEST(test_header_identity_v510, NEED_ALL);
		RUN_KTEST(test_exit_by_signal_v510, NEED_ALL);
		RUN_KTEST(test_reap_auto_v510, NEED_ALL);
		RUN_KTEST(test_orphan_to_subreaper_v510, NEED_ALL);
		RUN_KTEST(test_exec_failed_enoent_v510, NEED_ALL);
		RUN_KTEST(test_exec_failed_name_too_long_v510, NEED_ALL);
		RUN_KTEST(test_signal_handled_v510, NEED_ALL);
		RUN_KTEST(test_signal_blocked_v510, NEED_ALL);
		/* Without bpf_task_from_pid() a refused kill names no target: a named skip. */
		RUN_KTEST(test_signal_refused_esrch_and_probe_v510, NEED_ALL | NEED_FULL_SYSCALLS);
		RUN_KTEST(test_signal_process_group_v510, NEED_ALL);
		RUN_KTEST(test_sigqueue_value_v510, NEED_ALL);
		RUN_KTEST(test_origin_fault_v510, NEED_ALL);
		RUN_KTEST(test_stop_tstp_cont_v510, NEED_ALL);
		RUN_KTEST(test_handler_then_sigkill_v510, NEED_ALL);
		RUN_KTEST(test_sampling_vs_proc_v510, NEED(KF_CORE));
		RUN_KTEST(test_sampling_exit_status_v510, NEED(KF_CORE));
	} else {
		printf("FAIL kernel/v510_load: cannot load the Linux 5.10 variants\n");
		tl.n_fail++;
	}
	unsetenv("PROCLIFE_KERNEL_LACKS");
}

/*
 * The syscall tests again with the syscalls feature's other ways, as a
 * kernel without them would load them: lacking BPF trampolines (the
 * per-syscall tracepoints), tracepoints too (sys_exit), and 5.10's helpers
 * as well. Where that is the variant the default run had, the subtests say
 * so and skip.
 */
#define RUN_VARIANT(fn, suffix)                                                                             \
	if (tl_begin(#fn "_" #suffix)) {                                                                    \
		if (prog && default_prog && !strcmp(prog, default_prog))                                    \
			TEST_SKIP("the default run's variant (%s): this kernel lacks the better ones", prog); \
		else if (!harness__skip_unless(NEED_ALL | (strstr(#fn, "refused") ? NEED_FULL_SYSCALLS : 0))) \
			run_ktest(fn##_##suffix);                                                           \
		tl_end();                                                                                   \
	}

enum sc_variant { SC_TP, SC_SYSEXIT, SC_SYSEXIT_V510 };

static void run_syscall_variant(enum sc_variant which, const char *default_prog)
{
	static const char *const lacks[] = {
		[SC_TP] = "trampoline",
		[SC_SYSEXIT] = "trampoline,syscall_tp",
		[SC_SYSEXIT_V510] = V510_LACKS ",trampoline,syscall_tp",
	};
	struct tracer_config cfg = harness__default_config();
	const char *prog;

	setenv("PROCLIFE_KERNEL_LACKS", lacks[which], 1);
	if (harness__start(&cfg) != 0) {
		printf("FAIL kernel/syscalls_variant_load: cannot load lacking %s\n", lacks[which]);
		tl.n_fail++;
		goto out;
	}
	prog = harness__features()[KF_SYSCALLS].program;
	if (which == SC_TP) {
		SYSCALL_TESTS(RUN_VARIANT, tp)
	} else if (which == SC_SYSEXIT) {
		SYSCALL_TESTS(RUN_VARIANT, sysexit)
	} else {
		SYSCALL_TESTS(RUN_VARIANT, sysexit_v510)
	}
out:
	unsetenv("PROCLIFE_KERNEL_LACKS");
}

/* The cred feature's variant from the syscalls' tracepoints, where commit_creds() would be taken (the matrix). */
AGAIN(test_cred_loginuid_setpriv, syscalls)
AGAIN(test_cred_setuid_binary, syscalls)
AGAIN(test_cred_capset, syscalls)

static void run_cred_syscalls(void)
{
	struct tracer_config cfg = harness__default_config();

	setenv("PROCLIFE_REFUSE", "pl_cred_commit:silent", 1);
	if (harness__start(&cfg) == 0) {
		RUN_KTEST(test_cred_loginuid_setpriv_syscalls, NEED_ALL | NEED(KF_CRED));
		RUN_KTEST(test_cred_setuid_binary_syscalls, NEED_ALL | NEED(KF_CRED));
		RUN_KTEST(test_cred_capset_syscalls, NEED_ALL | NEED(KF_CRED));
	} else {
		printf("FAIL kernel/cred_syscalls_load: cannot load the cred feature's syscall variant\n");
		tl.n_fail++;
	}
	unsetenv("PROCLIFE_REFUSE");
}

int main(int argc, char **argv)
{
	struct tracer_config cfg = harness__default_config();

	if (argc > 1 && !strcmp(argv[1], KT_SETUID_HELPER))
		return kt_setuid_helper();
	tl_init("kernel");
	if (geteuid() != 0) {
		printf("SKIP kernel/all: needs root to load BPF programs\n");
		return 0;
	}
	if (harness__start(&cfg)) {
		printf("FAIL kernel/load: cannot load and attach the BPF programs\n");
		return 1;
	}
	RUN_KTEST(test_fork_exec_exit_fields, NEED_ALL);
	RUN_KTEST(test_exit_codes, NEED_ALL);
	RUN_KTEST(test_exit_by_signal, NEED_ALL);
	RUN_KTEST(test_exit_segv_core, NEED_ALL);
	RUN_KTEST(test_leader_exits_first, NEED_ALL);
	RUN_KTEST(test_leader_first_killed, NEED_ALL);
	RUN_KTEST(test_leader_first_last_returns, NEED_ALL);
	RUN_KTEST(test_thread_fork_and_exit, NEED_ALL);
	RUN_KTEST(test_reap_auto, NEED_ALL);
	RUN_KTEST(test_pid_namespace, NEED_ALL);
	RUN_KTEST(test_orphan_to_subreaper, NEED_ALL);
	RUN_KTEST(test_orphan_to_init, NEED_ALL);
	RUN_KTEST(test_fork_clone_parent, NEED_ALL);
	RUN_KTEST(test_rename, NEED_ALL | NEED(KF_RENAME));
	RUN_KTEST(test_usage_cpu_spin, NEED(KF_CORE));
	RUN_KTEST(test_usage_syscall_loop, NEED(KF_CORE));
	RUN_KTEST(test_usage_touch_memory, NEED(KF_CORE));
	RUN_KTEST(test_usage_write_fsync, NEED(KF_CORE));
	RUN_KTEST(test_usage_threads_exit_first, NEED(KF_CORE));
	RUN_KTEST(test_usage_killed, NEED(KF_CORE));
	RUN_KTEST(test_usage_parent_reaped_child, NEED(KF_CORE));
	RUN_KTEST(test_sampling_vs_proc, NEED(KF_CORE));
	RUN_KTEST(test_sampling_exit_status, NEED(KF_CORE));
	RUN_KTEST(test_header_identity, NEED_ALL);
	RUN_KTEST(test_load_with_unit_caps, NEED(KF_CORE));
	RUN_KTEST(test_cred_loginuid_setpriv, NEED_ALL);
	RUN_KTEST(test_cred_setuid_binary, NEED_ALL);
	RUN_KTEST(test_cred_capset, NEED_ALL | NEED(KF_CRED));
	RUN_KTEST(test_cred_prctl, NEED_ALL | NEED(KF_CRED) | NEED_FULL_CRED);
	RUN_KTEST(test_exec_paths_symlink, NEED_ALL);
	RUN_KTEST(test_exec_paths_script, NEED_ALL);
	RUN_KTEST(test_exec_paths_deleted, NEED_ALL);
	RUN_KTEST(test_exec_paths_memfd, NEED_ALL);
	RUN_KTEST(test_exec_paths_cut, NEED_ALL);
	RUN_KTEST(test_signal_sender_identity, NEED_ALL);
	RUN_KTEST(test_cgroup_ids_and_paths, NEED_ALL);
	RUN_KTEST(test_argv_hostile, NEED_ALL);
	RUN_KTEST(test_argv_many, NEED_ALL);
	RUN_KTEST(test_argv_truncated, NEED_ALL);
	RUN_KTEST(test_exec_script, NEED_ALL);
	RUN_KTEST(test_exec_failed_enoent, NEED_ALL);
	RUN_KTEST(test_exec_failed_eacces, NEED_ALL);
	RUN_KTEST(test_exec_from_thread, NEED_ALL);
	RUN_KTEST(test_exec_filename_at_limit, NEED_ALL);
	RUN_KTEST(test_exec_failed_name_too_long, NEED_ALL);
	RUN_KTEST(test_exec_filename_truncated, NEED_ALL);
	RUN_KTEST(test_signal_handled, NEED_ALL);
	RUN_KTEST(test_signal_ignored, NEED_ALL);
	RUN_KTEST(test_signal_blocked, NEED_ALL);
	RUN_KTEST(test_signal_refused_eperm, NEED_ALL | NEED_FULL_SYSCALLS);
	RUN_KTEST(test_signal_refused_esrch_and_probe, NEED_ALL | NEED_FULL_SYSCALLS);
	RUN_KTEST(test_signal_process_group, NEED_ALL);
	RUN_KTEST(test_sigqueue_value, NEED_ALL);
	RUN_KTEST(test_signal_tgkill, NEED_ALL);
	RUN_KTEST(test_origin_fault, NEED_ALL);
	RUN_KTEST(test_origin_pipe, NEED_ALL);
	RUN_KTEST(test_stop_tstp_cont, NEED_ALL);
	RUN_KTEST(test_stop_stop_cont, NEED_ALL);
	RUN_KTEST(test_nohup_hup_ignored, NEED_ALL);
	RUN_KTEST(test_handler_then_sigkill, NEED_ALL);

	cfg.legacy_exit = true;
	if (harness__start(&cfg) == 0) {
		RUN_KTEST(test_exit_codes_legacy, NEED_ALL);
		RUN_KTEST(test_usage_threads_exit_first_legacy, NEED(KF_CORE));
		RUN_KTEST(test_exit_by_signal_legacy, NEED_ALL);
		RUN_KTEST(test_leader_exits_first_legacy, NEED_ALL);
		RUN_KTEST(test_leader_first_killed_legacy, NEED_ALL);
	} else {
		printf("FAIL kernel/legacy_load: cannot load the legacy exit program\n");
		tl.n_fail++;
	}
	run_v510();
	{
		struct tracer_config c = harness__default_config();
		static char prog[64];

		/* The variant the kernel gave the default run: fexit with trampolines, else the next. */
		if (harness__start(&c) == 0 && harness__features()[KF_SYSCALLS].program)
			snprintf(prog, sizeof(prog), "%s", harness__features()[KF_SYSCALLS].program);
		run_syscall_variant(SC_TP, prog);
		run_syscall_variant(SC_SYSEXIT, prog);
		run_syscall_variant(SC_SYSEXIT_V510, prog);
	}
	run_cred_syscalls();

	/* These start tracers of their own, with kernel-side filters or features off. */
	cfg.legacy_exit = false;
	harness__start(&cfg);
	RUN_KTEST(test_filter_comm, NEED_ALL);
	RUN_KTEST(test_filter_uid, NEED_ALL);
	RUN_KTEST(test_filter_failed, NEED_ALL);
	RUN_KTEST(test_filter_events, NEED_ALL);
	RUN_KTEST(test_follow_in_kernel, NEED_ALL);
	RUN_KTEST(test_filter_auid, NEED_ALL);
	RUN_KTEST(test_filter_setid, NEED_ALL);
	RUN_KTEST(test_cgroup_filter_in_kernel, NEED_ALL);
	RUN_KTEST(test_lost_counted, NEED_ALL);
	RUN_KTEST(test_record_lost_resync_replay, NEED_ALL);
	RUN_KTEST(test_zombies_table_full, NEED_ALL);
	RUN_KTEST(test_features_forced_off, NEED_ALL);
	RUN_KTEST(test_features_core_off_fatal, 0);
	RUN_KTEST(test_features_probe_only, 0);
	RUN_KTEST(test_features_attached_as_said, 0);
	RUN_KTEST(test_features_refused_by_verifier, 0);
	RUN_KTEST(test_features_refused_silently, 0);
	RUN_KTEST(test_features_refused_first_program, 0);
	/* What proclife costs what it does not trace; these start tracers (and proclife) of their own. */
	RUN_KTEST(test_lean_signals, 0); /* they check their own tracer's features */
	RUN_KTEST(test_lean_counts, 0);
	RUN_KTEST(test_lean_reap_confirmed, 0);
	RUN_KTEST(test_tracefs_missing, 0);
	RUN_KTEST(test_perf_event_refused, 0);
	test_cost_getppid();
	RUN_KTEST(test_cost_getppid_can_fail, 0);
	harness__stop();
	return tl_finish();
}
