/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The kernel integration subtests, one group per file. */
#ifndef PROCLIFE_KTESTS_H
#define PROCLIFE_KTESTS_H

#include "harness.h"
#include "testlib.h"

/* kt_exit.c */
void test_fork_exec_exit_fields(void);
void test_exit_codes(void);
void test_exit_by_signal(void);
void test_exit_segv_core(void);
void test_leader_exits_first(void);
void test_leader_first_killed(void);
void test_leader_first_last_returns(void);
void test_thread_fork_and_exit(void);
void test_reap_auto(void);
void test_pid_namespace(void);
void test_orphan_to_subreaper(void);
void test_orphan_to_init(void);
void test_fork_clone_parent(void);
void test_rename(void);

/* kt_exec.c */
void test_argv_hostile(void);
void test_argv_many(void);
void test_argv_truncated(void);
void test_exec_script(void);
void test_exec_failed_enoent(void);
void test_exec_failed_eacces(void);
void test_exec_from_thread(void);
void test_exec_filename_at_limit(void);
void test_exec_failed_name_too_long(void);
void test_exec_filename_truncated(void);

/* kt_caps.c */
void test_load_with_unit_caps(void);
/* kt_zombies.c */
void test_zombies_table_full(void);

/* kt_identity.c */
void test_header_identity(void);

/* kt_cred.c */
void test_cred_loginuid_setpriv(void);
void test_cred_setuid_binary(void);
void test_cred_capset(void);
void test_cred_prctl(void);
void test_exec_paths_symlink(void);
void test_exec_paths_script(void);
void test_exec_paths_deleted(void);
void test_exec_paths_memfd(void);
void test_exec_paths_cut(void);
void test_signal_sender_identity(void);
void test_filter_auid(void);
void test_filter_setid(void);
/* This program run set-user-ID by test_cred_setuid_binary(): argv[1] is KT_SETUID_HELPER. */
#define KT_SETUID_HELPER "pl-setuid-helper"
int kt_setuid_helper(void);
/* kt_cgroup.c */
void test_cgroup_ids_and_paths(void);
void test_cgroup_filter_in_kernel(void);

/* kt_signal.c */
void test_signal_handled(void);
void test_signal_ignored(void);
void test_signal_blocked(void);
void test_signal_refused_eperm(void);
void test_signal_refused_esrch_and_probe(void);
void test_signal_process_group(void);
void test_sigqueue_value(void);
void test_signal_tgkill(void);
void test_origin_fault(void);
void test_origin_pipe(void);
void test_stop_tstp_cont(void);
void test_stop_stop_cont(void);
void test_nohup_hup_ignored(void);
void test_handler_then_sigkill(void);

/* kt_filter.c */
void test_filter_comm(void);
void test_filter_uid(void);
void test_filter_failed(void);
void test_filter_events(void);
void test_lost_counted(void);
void test_follow_in_kernel(void);

/* kt_usage.c */
void test_usage_cpu_spin(void);
void test_usage_syscall_loop(void);
void test_usage_touch_memory(void);
void test_usage_write_fsync(void);
void test_usage_threads_exit_first(void);
void test_usage_killed(void);
void test_usage_parent_reaped_child(void);
void test_sampling_vs_proc(void);
void test_sampling_exit_status(void);

/* kt_features.c */
void test_features_forced_off(void);
void test_features_core_off_fatal(void);
void test_features_probe_only(void);
void test_features_attached_as_said(void);
void test_features_refused_by_verifier(void);
void test_features_refused_silently(void);
void test_features_refused_first_program(void);

/* kt_cost.c: test_cost_getppid runs one named subtest per command line itself. */
void test_cost_getppid(void);
void test_cost_getppid_can_fail(void);
void test_lean_signals(void);
void test_lean_counts(void);
void test_tracefs_missing(void);
void test_perf_event_refused(void);
void test_lean_reap_confirmed(void);

/* kt_record.c */
void test_record_lost_resync_replay(void);

/* kt_exit.c: the exit event of pid equals the waitpid() status, once, and its reap names us. */
void check_exit_and_reap(pid_t pid, int wstatus);

/* Every subtest ends with this: nothing lost, nothing malformed. */
void check_nothing_lost(void);

#endif
