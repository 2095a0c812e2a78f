// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "sampling": every task's CPU time and resident memory, for the
 * CPU and RSS columns of `tree` and `top`. A task iterator: one read() of
 * its file runs this once per task and returns them all, no /proc file
 * opened per process. Nothing runs unless a command reads it.
 */
#include "lib/common.bpf.h"

/* Before 6.2 the RSS counters were atomics in struct mm_rss_stat; now percpu_counters (approximate, as /proc's). */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

/* include/linux/mm_types_task.h: MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES */
#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SHMEMPAGES 3

static __always_inline __u64 clamp0(long v)
{
	return v > 0 ? v : 0;
}

static __always_inline __u64 rss_pages(struct mm_struct *mm)
{
	if (bpf_core_type_exists(struct mm_rss_stat___pre62)) {
		struct mm_struct___pre62 *o = (void *)mm;

		return clamp0(BPF_CORE_READ(o, rss_stat.count[MM_FILEPAGES].counter)) +
		       clamp0(BPF_CORE_READ(o, rss_stat.count[MM_ANONPAGES].counter)) +
		       clamp0(BPF_CORE_READ(o, rss_stat.count[MM_SHMEMPAGES].counter));
	}
	return clamp0(mm->rss_stat[MM_FILEPAGES].count) + clamp0(mm->rss_stat[MM_ANONPAGES].count) +
	       clamp0(mm->rss_stat[MM_SHMEMPAGES].count);
}

SEC("iter/task")
int pl_sample(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct mm_struct *mm;
	struct pl_sample s;

	if (!t)
		return 0;
	/* Plain loads: the iterator's task is BTF-typed (no helper call per field). */
	s.tgid = t->tgid;
	s.tid = t->pid;
	s.start_ns = t->group_leader->start_boottime;
	s.runtime_ns = t->se.sum_exec_runtime;
	if (s.tid == s.tgid)
		s.runtime_ns += t->signal->sum_sched_runtime;
	mm = t->mm;
	s.rss_kb = mm ? rss_pages(mm) * 4 : 0; /* x86_64: 4 KiB pages */
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}
