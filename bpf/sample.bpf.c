// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "sampling": every task's CPU time and resident memory, for the
 * CPU and RSS columns of `tree` and `top`, and an exited task's wait status
 * (for the zombies a /proc scan finds). A task iterator: one read() of
 * its file runs this once per task and returns them all, no /proc file
 * opened per process. Nothing runs unless a command reads it.
 *
 * Two variants. From Linux 6.7, pl_sample_walk: one run of a syscall
 * program walks every thread with the open-coded task iterator (a pointer
 * chase per thread) into an mmapped array; tens of ns a thread. Before, pl_sample: a task
 * iterator (iter/task) that the kernel calls once per task through its
 * seq_file machinery; about 0.5 us a task here.
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

/* include/linux/sched/signal.h and include/linux/sched.h: defines, not in BTF (the same since 2.6). */
#define SIGNAL_GROUP_EXIT 0x00000004
#define EXIT_ZOMBIE 0x00000010
#define EXIT_DEAD 0x00000020

/*
 * An exited task's wait status, as wait_task_zombie() computes it: the
 * group's code when the group exited as one (exit_group(), a fatal
 * signal), else the task's own. Scans read zombies' statuses here, since
 * /proc/PID/stat shows them only to who may ptrace the process.
 */
static __always_inline __u32 exit_status(struct task_struct *t)
{
	struct signal_struct *sig = t->signal;

	if (!(t->exit_state & (EXIT_ZOMBIE | EXIT_DEAD)))
		return PL_STATUS_UNKNOWN;
	if (sig && (sig->flags & SIGNAL_GROUP_EXIT))
		return sig->group_exit_code;
	return t->exit_code;
}

/* ---- pl_sample_walk (6.7+) ---- */

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task, unsigned int flags) __ksym __weak;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym __weak;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

/* The walk's output: user space maps it; sample_count says how many entries are valid. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PL_SAMPLE_MAX); /* 1 unless sampling is asked for (user space sets it) */
	__type(key, __u32);
	__type(value, struct pl_sample);
} sample_out SEC(".maps");

__u32 sample_count = 0;
__u32 sample_full = 0; /* more processes than entries: the rest were not walked */

SEC("syscall")
int pl_sample_walk(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	sample_count = 0;
	sample_full = 0;
	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_THREADS);
	while ((t = bpf_iter_task_next(&it))) {
		/* A global: unknown to the verifier, so the loop's states converge. */
		__u32 n = sample_count;
		struct pl_sample *s = bpf_map_lookup_elem(&sample_out, &n);
		struct mm_struct *mm = t->mm;

		if (!s) {
			sample_full = 1;
			break;
		}
		/* As pl_sample below: a thread each, the leader with its exited threads' time. */
		s->tgid = t->tgid;
		s->tid = t->pid;
		s->start_ns = t->group_leader->start_boottime;
		s->runtime_ns = t->se.sum_exec_runtime;
		if (s->tid == s->tgid && t->signal)
			s->runtime_ns += t->signal->sum_sched_runtime;
		s->rss_kb = mm ? rss_pages(mm) * ARCH_PAGE_KB : 0;
		s->exit_status = exit_status(t);
		sample_count = n + 1;
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	return 0;
}

/* ---- pl_sample (5.10+) ---- */

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
	s.rss_kb = mm ? rss_pages(mm) * ARCH_PAGE_KB : 0;
	s.exit_status = exit_status(t);
	s._pad = 0;
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}
