// SPDX-License-Identifier: GPL-2.0
/*
 * proclife kernel side: one program per lifecycle tracepoint, all feeding one
 * ring buffer. Only BTF tracepoints (tp_btf) are used, so nothing here needs
 * tracefs, kprobes or fentry.
 *
 * Filtering (event types, uid, comm, --failed) happens before anything is
 * reserved on the ring buffer; a failed reserve is counted per event type in
 * lost[], which user space reads through the mmapped .bss.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "proclife.h"

char LICENSE[] SEC("license") = "GPL";

#define PL_UID_ANY ((__u32)-1)
#define SIGKILL 9
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTOU 22
#define SI_USER 0
#define SI_QUEUE -1
#define SI_TKILL -6
#define SI_KERNEL 0x80
#define SIGNAL_GROUP_EXIT 0x00000004 /* include/linux/sched/signal.h */
#define WNOWAIT 0x01000000
#define TS_COMPAT 0x0002 /* x86: thread_info.status of a 32-bit syscall */

/* x86_64 syscall numbers and argument registers (vmlinux.h is x86_64's). */
#define NR_wait4 61
#define NR_execve 59
#define NR_waitid 247
#define NR_execveat 322
#define NR_kill 62
#define NR_rt_sigqueueinfo 129
#define NR_tkill 200
#define NR_tgkill 234
#define NR_rt_tgsigqueueinfo 297
#define NR_pidfd_send_signal 424
/* regs is BTF-typed: direct (guarded) loads, no helper call on the every-syscall path. */
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#define SYSCALL_ARG1(regs) ((regs)->di)
#define SYSCALL_ARG2(regs) ((regs)->si)
#define SYSCALL_ARG3(regs) ((regs)->dx)
#define SYSCALL_ARG4(regs) ((regs)->r10)

/* Kernel functions, where the kernel has them (6.2+): naming a pid's task. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

/* Options: rodata, set by user space between skeleton open and load. */
const volatile __u32 cfg_events = PL_EV_ALL;
const volatile bool cfg_threads = false;
/* With --failed, user space has already narrowed cfg_events to PL_EV_FAILABLE. */
const volatile bool cfg_failed_only = false;
const volatile __u32 cfg_uid = PL_UID_ANY;
const volatile bool cfg_comm_set = false;
const volatile char cfg_comm[PL_COMM_LEN] = {};
const volatile __u32 cfg_args_cap = PL_ARGS_DEFAULT;
/* Follow a set of processes (-p, run): events only about them; their children join in the kernel. */
const volatile bool cfg_follow = false;
/* Wake the consumer only once this much is pending (0: on every event); it polls on a timer too. */
const volatile __u64 cfg_wakeup_bytes = 0;

/*
 * Runtime state shared with user space through the mmapped .bss.
 * boot_cutoff_ns: processes that started before it existed before proclife
 * (user space sets it right after attaching).
 */
__u64 boot_cutoff_ns = 0;
__u64 lost[PL_EV_MAX] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/*
 * Exec records are variable-size and can be ~70 KiB, more than the BPF stack
 * or a per-CPU map value holds, so they are built in a per-CPU slot of a plain
 * array (max_entries is set to the number of CPUs at load) and copied out
 * with bpf_ringbuf_output(). busy guards against a preempting program on the
 * same CPU reusing the slot mid-build.
 */
#define SCRATCH_DATA (PL_FILENAME_MAX + PL_ARGS_MAX)
struct scratch {
	__u64 busy;
	char raw[sizeof(struct pl_exec) + SCRATCH_DATA];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * Exited, not yet reaped processes, by tgid: the exit's header and status,
 * so the reap event can say who and what was reaped, and whether a wait()
 * already reported it (claimed).
 */
struct zombie {
	struct pl_hdr h;
	__u64 exit_ts;
	__u32 status;
	__u32 claimed;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct zombie);
} zombies SEC(".maps");

/*
 * The sender of a signal that will be fatal to a process (default action
 * terminate or core, not handled), by the target's tgid: the first one
 * wins, as the kernel keeps the first fatal signal's code. The exit takes
 * it as killed_by and always clears it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* filtered-out exits leave entries: let them age out */
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pl_killer);
} fatal SEC(".maps");

/*
 * The followed processes, by tgid (cfg_follow). A fork by a member adds the
 * child right in the fork program, so no descendant escapes however fast it
 * forks, execs or exits; membership survives setsid, double forks and
 * reparenting. A member leaves when its task is freed (its pid may be reused).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* Kernels before 5.5 called start_boottime real_start_time. */
struct task_struct___pre55 {
	u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline bool want(__u32 type)
{
	return cfg_events & PL_EV_BIT(type);
}

/* Is this process one we follow (always, when not following)? One map lookup. */
static __always_inline bool follows(__u32 tgid)
{
	return !cfg_follow || bpf_map_lookup_elem(&followed, &tgid);
}

static __always_inline void count_lost(__u32 type)
{
	if (type < PL_EV_MAX)
		__sync_fetch_and_add(&lost[type], 1);
}

static __always_inline __u64 wakeup_flags(void)
{
	if (!cfg_wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= cfg_wakeup_bytes ? BPF_RB_FORCE_WAKEUP
										: BPF_RB_NO_WAKEUP;
}

static __always_inline bool comm_ok(const char *comm)
{
	if (!cfg_comm_set)
		return true;
#pragma unroll
	for (int i = 0; i < PL_COMM_LEN; i++) {
		if (comm[i] != cfg_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool uid_ok(__u32 uid)
{
	return cfg_uid == PL_UID_ANY || uid == cfg_uid;
}

/* Does a process with this uid and comm pass the -u/-c filters? */
static __always_inline bool subject_ok(__u32 uid, const char *comm)
{
	return uid_ok(uid) && comm_ok(comm);
}

static __always_inline bool current_ok(void)
{
	char comm[PL_COMM_LEN];

	if (!uid_ok((__u32)bpf_get_current_uid_gid()))
		return false;
	if (!cfg_comm_set)
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	return comm_ok(comm);
}

static __always_inline bool task_ok(struct task_struct *t)
{
	char comm[PL_COMM_LEN];

	if (!uid_ok(BPF_CORE_READ(t, real_cred, uid.val)))
		return false;
	if (!cfg_comm_set)
		return true;
	bpf_core_read_str(comm, sizeof(comm), &t->comm);
	return comm_ok(comm);
}

static __always_inline __u64 task_start_ns(struct task_struct *t)
{
	if (bpf_core_field_exists(t->start_boottime))
		return BPF_CORE_READ(t, start_boottime);
	return BPF_CORE_READ((struct task_struct___pre55 *)t, real_start_time);
}

/*
 * The header of an event whose subject is task t. This runs for every
 * event, so it reads through the BTF-typed pointer directly (the verifier
 * turns each load into a guarded one) instead of a bpf_probe_read call per
 * field: several times cheaper. Only the variable-index pid number and the
 * comm take a helper call.
 */
static __always_inline void fill_hdr(struct pl_hdr *h, __u32 type, struct task_struct *t)
{
	struct task_struct *leader = t->group_leader;
	struct pid *tgid_pid = leader->thread_pid;
	unsigned int level = tgid_pid->level;
	const struct cred *cred = t->real_cred;
	struct upid upid = {};

	h->ts = bpf_ktime_get_boot_ns();
	h->start_ns = bpf_core_field_exists(leader->start_boottime)
			      ? leader->start_boottime
			      : BPF_CORE_READ((struct task_struct___pre55 *)leader, real_start_time);
	h->cgroup_id = t->cgroups->dfl_cgrp->kn->id;
	h->type = type;
	h->cpu = bpf_get_smp_processor_id();
	h->pid = t->tgid;
	h->tid = t->pid;
	h->ppid = t->real_parent->tgid;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->flags = 0;
	/* The tgid as numbered in the namespace the process lives in (its deepest). */
	if (level == 0) {
		h->ns_pid = h->pid;
		h->pidns = tgid_pid->numbers[0].ns->ns.inum;
	} else {
		bpf_core_read(&upid, sizeof(upid), &tgid_pid->numbers[level & 31]);
		h->ns_pid = upid.nr;
		h->pidns = BPF_CORE_READ(upid.ns, ns.inum);
	}
	/* comm is NUL-padded in the kernel: a plain 16-byte copy. */
	bpf_probe_read_kernel(h->comm, sizeof(h->comm), &t->comm);
}

/*
 * The status the parent's wait() will receive, computed when the last thread
 * exits: a group exit (exit_group(), a fatal signal, a core dump) stores it in
 * signal->group_exit_code; otherwise it is the leader's own exit code, which
 * is already set even if the leader exited long before the last thread.
 */
static __always_inline __u32 process_status(struct task_struct *t)
{
	struct signal_struct *sig = BPF_CORE_READ(t, signal);

	if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(sig, group_exit_code);
	return BPF_CORE_READ(t, group_leader, exit_code);
}

/*
 * SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) arrive where a siginfo pointer
 * is expected. The verifier assumes tracepoint pointer arguments are not
 * NULL and would prune a test against 0, so read the raw argument as a number.
 */
static __always_inline unsigned long raw_arg(unsigned long long *ctx, int i)
{
	unsigned long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &ctx[i]);
	return v;
}

/* Reserve a fixed-size record and fill its header from t; a full ring buffer is counted. */
static __always_inline void *reserve_event(__u32 type, __u64 size, struct task_struct *t)
{
	struct pl_hdr *h = bpf_ringbuf_reserve(&events, size, 0);

	if (!h) {
		count_lost(type);
		return NULL;
	}
	fill_hdr(h, type, t);
	return h;
}

static __always_inline struct scratch *scratch_get(__u32 type)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);

	if (!s || s->busy) {
		count_lost(type);
		return NULL;
	}
	s->busy = 1;
	return s;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pl_fork, struct task_struct *parent, struct task_struct *child)
{
	bool thread = child->pid != child->tgid;
	struct pl_fork *e;

	if (cfg_follow) {
		__u32 ptgid = parent->tgid, ctgid = child->tgid;
		__u8 one = 1;

		if (!bpf_map_lookup_elem(&followed, &ptgid))
			return 0;
		if (!thread && bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY))
			count_lost(PL_EV_FORK); /* the set is full: this child escapes, and we say so */
	}
	if (!want(PL_EV_FORK) || (thread && !cfg_threads))
		return 0;
	if (!current_ok())
		return 0;
	e = reserve_event(PL_EV_FORK, sizeof(*e), parent);
	if (!e)
		return 0;
	if (thread)
		e->h.flags |= PL_F_THREAD;
	e->child_pid = child->tgid;
	e->child_tid = child->pid;
	e->child_start_ns = task_start_ns(child);
	e->child_ppid = BPF_CORE_READ(child, real_parent, tgid);
	e->_pad = 0;
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

/*
 * Runs after the exec has succeeded: the new program's argument area is in
 * place on its stack (mm->arg_start..arg_end), so we read exactly what it
 * sees, not the caller's memory at syscall entry.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(pl_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *s;
	struct pl_exec *e;
	unsigned long arg_start, arg_end;
	__u64 size, len;
	long n;

	if (!want(PL_EV_EXEC) || !follows(p->tgid) || !current_ok())
		return 0;
	s = scratch_get(PL_EV_EXEC);
	if (!s)
		return 0;
	e = (void *)s->raw;
	fill_hdr(&e->h, PL_EV_EXEC, p);
	/* A non-leader thread that execs takes over the tgid; report the thread that called exec. */
	e->h.tid = old_pid;
	e->old_tid = old_pid;
	e->argc = BPF_CORE_READ(bprm, argc);

	n = bpf_probe_read_kernel_str(e->data, PL_FILENAME_MAX, BPF_CORE_READ(bprm, filename));
	if (n <= 0) {
		e->data[0] = '\0';
		n = 1;
	}
	if (n > PL_FILENAME_MAX)
		n = PL_FILENAME_MAX;
	e->filename_len = n;

	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	size = arg_end > arg_start ? arg_end - arg_start : 0;
	len = size;
	if (len > cfg_args_cap) {
		len = cfg_args_cap;
		e->h.flags |= PL_F_ARGS_TRUNCATED;
	}
	if (len > PL_ARGS_MAX)
		len = PL_ARGS_MAX;
	if (len && bpf_probe_read_user(e->data + n, len, (void *)arg_start)) {
		len = 0;
		e->h.flags |= PL_F_ARGS_UNREADABLE;
	}
	e->args_len = len;
	e->args_size = size;
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + n + len, wakeup_flags()))
		count_lost(PL_EV_EXEC);
	s->busy = 0;
	return 0;
}

/* execve()/execveat() returned an error: the caller's memory is intact, so its filename is readable. */
static __always_inline void exec_failed(struct pt_regs *regs, long nr, long err)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	const char *filename;
	struct pl_exec_failed *e;
	struct scratch *s;
	long n;

	if (!want(PL_EV_EXEC_FAILED) || !follows(cur->tgid) || !current_ok())
		return;
	s = scratch_get(PL_EV_EXEC_FAILED);
	if (!s)
		return;
	e = (void *)s->raw;
	fill_hdr(&e->h, PL_EV_EXEC_FAILED, cur);
	e->err = err;
	filename = (const char *)(nr == NR_execve ? SYSCALL_ARG1(regs) : SYSCALL_ARG2(regs));
	n = bpf_probe_read_user_str(e->data, PL_FILENAME_MAX, filename);
	if (n <= 0) {
		e->data[0] = '\0';
		n = 1;
	}
	if (n > PL_FILENAME_MAX)
		n = PL_FILENAME_MAX;
	e->filename_len = n;
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + n, wakeup_flags()))
		count_lost(PL_EV_EXEC_FAILED);
	s->busy = 0;
}

static __always_inline void emit_reap(struct pl_hdr *h, __u64 exit_ts, __u32 status, __u32 how,
				      struct task_struct *reaper)
{
	struct pl_reap *e;

	if (!subject_ok(h->uid, h->comm))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(PL_EV_REAP);
		return;
	}
	__builtin_memcpy(&e->h, h, sizeof(*h));
	e->h.type = PL_EV_REAP;
	e->h.ts = bpf_ktime_get_boot_ns();
	e->h.cpu = bpf_get_smp_processor_id();
	e->h.flags = how;
	e->exit_ts = exit_ts;
	e->status = status;
	e->_pad = 0;
	if (reaper) {
		e->reaper_pid = BPF_CORE_READ(reaper, tgid);
		e->reaper_tid = BPF_CORE_READ(reaper, pid);
		bpf_core_read_str(e->reaper_comm, sizeof(e->reaper_comm), &reaper->comm);
	} else {
		e->reaper_pid = 0;
		e->reaper_tid = 0;
		__builtin_memset(e->reaper_comm, 0, sizeof(e->reaper_comm));
	}
	bpf_ringbuf_submit(e, wakeup_flags());
}

/*
 * A wait4()/waitid() of the current task returned pid: if proclife saw that
 * process exit and nobody reported its reaping yet, the current task reaped it.
 * Only for waiters in the initial pid namespace, where the returned pid is
 * the global one; other reaps are reported by sched_process_free.
 */
static __always_inline void reaped_by_wait(__u32 pid)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct zombie *z;

	if (BPF_CORE_READ(cur, thread_pid, level) != 0)
		return;
	z = bpf_map_lookup_elem(&zombies, &pid);
	if (!z || __sync_fetch_and_add(&z->claimed, 1) != 0)
		return;
	/* The entry stays, claimed, until sched_process_free: it tells that the release was reported. */
	emit_reap(&z->h, z->exit_ts, z->status, PL_F_REAP_WAIT, cur);
}

/*
 * Who adopts the children of a process whose last thread is exiting: the
 * kernel's find_new_reaper(). The nearest ancestor in the same pid namespace
 * that set PR_SET_CHILD_SUBREAPER and is not exiting itself, else the init
 * of the namespace. Computed here because the reparenting happens right
 * after this tracepoint, with no tracepoint of its own.
 */
static __always_inline __u32 new_parent_of_children(struct task_struct *father)
{
	struct pid *fpid = BPF_CORE_READ(father, thread_pid);
	unsigned int level = BPF_CORE_READ(fpid, level);
	struct signal_struct *sig = BPF_CORE_READ(father, signal);
	struct task_struct *r, *child_reaper;
	struct upid upid = {};

	if (BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper)) {
		r = BPF_CORE_READ(father, real_parent);
		for (int i = 0; i < 64; i++) {
			struct signal_struct *rs;

			if (!r || BPF_CORE_READ(r, pid) == 0 || BPF_CORE_READ(r, thread_pid, level) != level)
				break;
			rs = BPF_CORE_READ(r, signal);
			if (BPF_CORE_READ_BITFIELD_PROBED(rs, is_child_subreaper) &&
			    !(BPF_CORE_READ(rs, flags) & SIGNAL_GROUP_EXIT) && BPF_CORE_READ(rs, live.counter) > 0)
				return BPF_CORE_READ(r, tgid);
			r = BPF_CORE_READ(r, real_parent);
		}
	}
	bpf_core_read(&upid, sizeof(upid), &fpid->numbers[level & 31]);
	child_reaper = BPF_CORE_READ(upid.ns, child_reaper);
	return child_reaper ? BPF_CORE_READ(child_reaper, tgid) : 0;
}

static __always_inline bool has_children(struct task_struct *t)
{
	return (unsigned long)BPF_CORE_READ(t, children.next) != (unsigned long)&t->children;
}

static __always_inline int on_exit(struct task_struct *p, bool group_dead)
{
	struct zombie z = {};
	struct pl_killer *k;
	struct pl_exit *e;

	if (!follows(BPF_CORE_READ(p, tgid)))
		return 0;
	if (!group_dead) {
		__u32 code = BPF_CORE_READ(p, exit_code);

		if (!cfg_threads || !want(PL_EV_EXIT) || (cfg_failed_only && !code) || !current_ok())
			return 0;
		e = reserve_event(PL_EV_EXIT, sizeof(*e), p);
		if (!e)
			return 0;
		e->h.flags |= PL_F_THREAD;
		e->status = code;
		e->new_parent = 0;
		__builtin_memset(&e->killer, 0, sizeof(e->killer));
		bpf_ringbuf_submit(e, wakeup_flags());
		return 0;
	}

	if (!want(PL_EV_EXIT) && !want(PL_EV_REAP))
		return 0;
	if (!current_ok())
		return 0;
	fill_hdr(&z.h, PL_EV_EXIT, p);
	z.exit_ts = z.h.ts;
	z.status = process_status(p);

	if (want(PL_EV_REAP) && bpf_map_update_elem(&zombies, &z.h.pid, &z, BPF_ANY))
		count_lost(PL_EV_REAP); /* the map is full: this process's reap cannot be reported */

	k = bpf_map_lookup_elem(&fatal, &z.h.pid);
	if (!want(PL_EV_EXIT) || (cfg_failed_only && !z.status))
		goto out;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(PL_EV_EXIT);
		goto out;
	}
	__builtin_memcpy(&e->h, &z.h, sizeof(z.h));
	e->status = z.status;
	/* Killed by a signal: who sent that one (the first fatal one). */
	if (k && (z.status & 0x7f) && k->sig == (z.status & 0x7f))
		__builtin_memcpy(&e->killer, k, sizeof(*k));
	else
		__builtin_memset(&e->killer, 0, sizeof(e->killer));
	e->new_parent = 0;
	if (has_children(p)) {
		e->h.flags |= PL_F_HAS_CHILDREN;
		e->new_parent = new_parent_of_children(p);
	}
	bpf_ringbuf_submit(e, wakeup_flags());
out:
	if (k)
		bpf_map_delete_elem(&fatal, &z.h.pid);
	return 0;
}

/* Linux >= 6.16 passes group_dead: exact even when two threads exit at once. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(pl_exit, struct task_struct *p, bool group_dead)
{
	return on_exit(p, group_dead);
}

/* Older kernels: the thread that brought signal->live to zero is the last one. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(pl_exit_legacy, struct task_struct *p)
{
	return on_exit(p, BPF_CORE_READ(p, signal, live.counter) == 0);
}

/*
 * A task_struct is freed (after an RCU grace period). For a process leader
 * whose reaping no wait() reported, this is the release: auto-reaped (the
 * parent ignores SIGCHLD, io_uring waitid, a reaper in another pid
 * namespace), or a process that exited before proclife started.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(pl_free, struct task_struct *p)
{
	struct zombie *z;
	struct pl_hdr h;
	__u32 pid;
	__u64 start;

	/* Not a process: a thread, or an old leader replaced by a thread's exec. */
	if ((unsigned long)BPF_CORE_READ(p, group_leader) != (unsigned long)p)
		return 0;
	pid = BPF_CORE_READ(p, tgid);
	start = task_start_ns(p);
	if (cfg_follow) {
		if (!bpf_map_lookup_elem(&followed, &pid))
			return 0;
		bpf_map_delete_elem(&followed, &pid); /* released: the pid may be reused by a stranger */
	}
	if (!want(PL_EV_REAP))
		return 0;
	z = bpf_map_lookup_elem(&zombies, &pid);
	if (z && z->h.start_ns == start) {
		if (__sync_fetch_and_add(&z->claimed, 1) == 0)
			emit_reap(&z->h, z->exit_ts, z->status, PL_F_REAP_AUTO, NULL);
		bpf_map_delete_elem(&zombies, &pid);
		return 0;
	}
	if (start >= boot_cutoff_ns)
		return 0; /* proclife saw it start, so its exit: the zombies map was full (counted) */
	fill_hdr(&h, PL_EV_REAP, p);
	emit_reap(&h, 0, process_status(p), PL_F_REAP_PREEXIST, NULL);
	return 0;
}

static __always_inline __u16 syscall_of(long nr)
{
	switch (nr) {
	case NR_kill:
		return PL_SYS_KILL;
	case NR_tkill:
		return PL_SYS_TKILL;
	case NR_tgkill:
		return PL_SYS_TGKILL;
	case NR_rt_sigqueueinfo:
		return PL_SYS_RT_SIGQUEUEINFO;
	case NR_rt_tgsigqueueinfo:
		return PL_SYS_RT_TGSIGQUEUEINFO;
	case NR_pidfd_send_signal:
		return PL_SYS_PIDFD_SEND_SIGNAL;
	}
	return PL_SYS_NONE;
}

/* What t would do with sig now: run a handler, ignore it, or the default; and whether it blocks it. */
static __always_inline __u8 disposition_of(struct task_struct *t, int sig, __u8 *blocked)
{
	struct sighand_struct *sh = t->sighand;
	unsigned long handler = 0, mask = t->blocked.sig[0];
	unsigned int i = (unsigned int)(sig - 1) & 63;

	*blocked = sig >= 1 && sig <= 64 && (mask >> i) & 1;
	if (sig < 1 || sig > 64)
		return PL_ACT_DEFAULT;
	bpf_core_read(&handler, sizeof(handler), &sh->action[i].sa.sa_handler);
	return handler == 0 ? PL_ACT_DEFAULT : handler == 1 ? PL_ACT_IGNORED : PL_ACT_HANDLER;
}

/* Signals whose default action ends the process (terminate or core dump). */
static __always_inline bool fatal_by_default(int sig)
{
	switch (sig) {
	case 17: /* SIGCHLD */
	case 18: /* SIGCONT */
	case 19: /* SIGSTOP */
	case 20: /* SIGTSTP */
	case 21: /* SIGTTIN */
	case 22: /* SIGTTOU */
	case 23: /* SIGURG */
	case 28: /* SIGWINCH */
		return false;
	}
	return sig >= 1 && sig <= 64;
}

static __always_inline void record_fatal(__u32 tgid, int sig, struct task_struct *cur, int code, __u8 kind,
					 __u16 sc)
{
	struct pl_killer k = {
		.ts = bpf_ktime_get_boot_ns(),
		.sig = sig,
		.info_code = code,
		.pid = BPF_CORE_READ(cur, tgid),
		.tid = BPF_CORE_READ(cur, pid),
		.uid = BPF_CORE_READ(cur, real_cred, uid.val),
		.syscall = sc,
		.info_kind = kind,
	};

	bpf_core_read_str(k.comm, sizeof(k.comm), &cur->comm);
	bpf_map_update_elem(&fatal, &tgid, &k, BPF_NOEXIST);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(pl_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	unsigned long info_addr = raw_arg(ctx, 1);
	__u8 kind = info_addr == 0 ? PL_INFO_NOINFO : info_addr == 1 ? PL_INFO_PRIV : PL_INFO_SIGINFO;
	int code = kind == PL_INFO_SIGINFO ? info->si_code : kind == PL_INFO_PRIV ? SI_KERNEL : SI_USER;
	__u8 blocked, disp = disposition_of(task, sig, &blocked);
	__u16 sc = PL_SYS_NONE;
	__s32 target_arg = 0;
	struct pl_signal *e;

	/* Sent by a process: which syscall, and the pid it was given (a group, all). */
	if (kind == PL_INFO_SIGINFO && (code == SI_USER || code == SI_QUEUE || code == SI_TKILL)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(cur);

		sc = syscall_of(regs->orig_ax);
		if (sc != PL_SYS_NONE && sc != PL_SYS_PIDFD_SEND_SIGNAL)
			target_arg = (int)regs->di;
	}
	if (want(PL_EV_EXIT) && result == PL_SIG_DELIVERED && disp == PL_ACT_DEFAULT && fatal_by_default(sig) &&
	    follows(task->tgid))
		record_fatal(BPF_CORE_READ(task, tgid), sig, cur, code, kind, sc);

	if (!want(PL_EV_SIGNAL) || (cfg_failed_only && !pl_signal_failed(sig, result)))
		return 0;
	if (!follows(cur->tgid) && !follows(task->tgid))
		return 0;
	if (!current_ok() && !task_ok(task))
		return 0;
	e = reserve_event(PL_EV_SIGNAL, sizeof(*e), cur);
	if (!e)
		return 0;
	if (group)
		e->h.flags |= PL_F_GROUP;
	e->sig = sig;
	e->result = result;
	e->target_pid = task->tgid;
	e->target_tid = task->pid;
	e->target_uid = task->real_cred->uid.val;
	bpf_probe_read_kernel(e->target_comm, sizeof(e->target_comm), &task->comm);
	e->info_code = code;
	e->value = 0;
	if (kind == PL_INFO_SIGINFO) {
		e->info_pid = info->_sifields._kill._pid;
		e->info_uid = info->_sifields._kill._uid;
		if (code == SI_QUEUE)
			bpf_core_read(&e->value, sizeof(e->value), &info->_sifields._rt._sigval);
	} else {
		/* No siginfo: the kernel fills in the current task as sender (NOINFO) or nobody (PRIV). */
		e->info_pid = kind == PL_INFO_NOINFO ? e->h.pid : 0;
		e->info_uid = kind == PL_INFO_NOINFO ? e->h.uid : 0;
	}
	e->target_arg = target_arg;
	e->err = 0;
	e->syscall = sc;
	e->info_kind = kind;
	e->disposition = disp;
	e->blocked = blocked;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

/*
 * A kill-family syscall returned: report what the generation tracepoint
 * cannot see, a refused attempt (EPERM, ESRCH, ...) and a signal-0 probe.
 */
static __always_inline void signal_syscall_exit(struct pt_regs *regs, __u16 sc, long ret)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t;
	__s32 pid = 0, tid = 0, sig;
	struct pl_signal *e;

	switch (sc) {
	case PL_SYS_KILL:
	case PL_SYS_RT_SIGQUEUEINFO:
		pid = SYSCALL_ARG1(regs);
		sig = SYSCALL_ARG2(regs);
		break;
	case PL_SYS_TKILL:
		tid = SYSCALL_ARG1(regs);
		sig = SYSCALL_ARG2(regs);
		break;
	case PL_SYS_TGKILL:
	case PL_SYS_RT_TGSIGQUEUEINFO:
		pid = SYSCALL_ARG1(regs);
		tid = SYSCALL_ARG2(regs);
		sig = SYSCALL_ARG3(regs);
		break;
	default: /* pidfd_send_signal(pidfd, sig, info, flags) */
		sig = SYSCALL_ARG2(regs);
		break;
	}
	if (ret == 0 && sig != 0)
		return; /* a signal sent: the generation tracepoint reported it */
	if (!want(PL_EV_SIGNAL) || !follows(cur->tgid) || !current_ok())
		return;
	e = reserve_event(PL_EV_SIGNAL, sizeof(*e), cur);
	if (!e)
		return;
	e->sig = sig;
	e->info_code = sc == PL_SYS_TKILL || sc == PL_SYS_TGKILL ? SI_TKILL : sc == PL_SYS_KILL ? SI_USER : SI_QUEUE;
	e->result = ret < 0 ? PL_SIG_FAILED : PL_SIG_PROBE;
	e->err = ret < 0 ? -ret : 0;
	e->target_arg = sc == PL_SYS_TKILL ? tid : pid;
	e->target_pid = 0;
	e->target_tid = 0;
	e->target_uid = 0;
	__builtin_memset(e->target_comm, 0, sizeof(e->target_comm));
	/* Name the target when it exists (a refused kill of a live process); else it stays 0. */
	if (bpf_task_from_pid && (tid > 0 || pid > 0)) {
		t = bpf_task_from_pid(tid > 0 ? tid : pid);
		if (t) {
			e->target_pid = BPF_CORE_READ(t, tgid);
			e->target_tid = BPF_CORE_READ(t, pid);
			e->target_uid = BPF_CORE_READ(t, real_cred, uid.val);
			bpf_core_read_str(e->target_comm, sizeof(e->target_comm), &t->comm);
			bpf_task_release(t);
		}
	}
	e->info_pid = e->h.pid;
	e->info_uid = e->h.uid;
	e->value = 0;
	e->syscall = sc;
	e->info_kind = PL_INFO_SIGINFO;
	e->disposition = PL_ACT_DEFAULT;
	e->blocked = 0;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	bpf_ringbuf_submit(e, wakeup_flags());
}

/*
 * A process renamed itself (prctl(PR_SET_NAME), a kernel thread naming
 * itself): the model keeps comm current. An exec renames too, but the exec
 * event carries the new name, so those are left out.
 */
SEC("tp_btf/task_rename")
int BPF_PROG(pl_rename, struct task_struct *task, const char *comm)
{
	struct pl_rename *e;

	if (!want(PL_EV_RENAME) || BPF_CORE_READ_BITFIELD_PROBED(task, in_execve) || !follows(task->tgid))
		return 0;
	/* A process's name is its leader's; other threads' names are their own business. */
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid))
		return 0;
	if (!task_ok(task))
		return 0;
	e = reserve_event(PL_EV_RENAME, sizeof(*e), task);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->new_comm, sizeof(e->new_comm), comm);
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

/* The OOM killer chose task (after sending it SIGKILL): mark its killer record. */
SEC("tp_btf/mark_victim")
int BPF_PROG(pl_oom_victim, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct pl_killer *k = bpf_map_lookup_elem(&fatal, &tgid);
	struct pl_killer n = { .ts = bpf_ktime_get_boot_ns(), .sig = SIGKILL, .info_code = SI_KERNEL,
			       .info_kind = PL_INFO_PRIV, .oom = 1 };

	if (k)
		k->oom = 1;
	else
		bpf_map_update_elem(&fatal, &tgid, &n, BPF_NOEXIST);
	return 0;
}

/*
 * Does t's parent keep t's process group from being orphaned? (The kernel's
 * will_become_orphaned_pgrp(): a parent in another group of the same
 * session, not init.)
 */
static __always_inline bool parent_anchors(struct task_struct *t, struct pid *pgrp, struct pid *sid)
{
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);
	struct signal_struct *ps = BPF_CORE_READ(parent, signal);

	return BPF_CORE_READ(parent, tgid) != 1 && BPF_CORE_READ(ps, pids[PIDTYPE_PGID]) != pgrp &&
	       BPF_CORE_READ(ps, pids[PIDTYPE_SID]) == sid;
}

/*
 * SIGTSTP, SIGTTIN and SIGTTOU with the default action stop a process,
 * except in an orphaned process group, where the kernel discards them right
 * after this tracepoint (is_current_pgrp_orphaned()): no member has a parent
 * in another group of the same session. Walks the group's members as the
 * kernel does; a group too big to walk here is taken as not orphaned.
 */
#define PGRP_WALK_MAX 256
static __always_inline bool stop_discarded(struct task_struct *cur, int sig)
{
	struct signal_struct *s = BPF_CORE_READ(cur, signal);
	struct pid *pgrp = BPF_CORE_READ(s, pids[PIDTYPE_PGID]), *sid = BPF_CORE_READ(s, pids[PIDTYPE_SID]);
	/* Members hang on pgrp->tasks[PIDTYPE_PGID] by their task->pid_links[PIDTYPE_PGID]. */
	unsigned long link_off = bpf_core_field_offset(struct task_struct, pid_links) +
				 PIDTYPE_PGID * sizeof(struct hlist_node);
	struct hlist_node *node;

	if (sig == SIGSTOP || parent_anchors(cur, pgrp, sid))
		return false;
	node = BPF_CORE_READ(pgrp, tasks[PIDTYPE_PGID].first);
	for (int i = 0; i < PGRP_WALK_MAX; i++) {
		struct task_struct *t;

		if (!node)
			return true; /* every member looked at: orphaned */
		t = (struct task_struct *)((unsigned long)node - link_off);
		if (!(BPF_CORE_READ(t, exit_state) && BPF_CORE_READ(t, signal, nr_threads) <= 1) &&
		    parent_anchors(t, pgrp, sid))
			return false;
		node = BPF_CORE_READ(node, next);
	}
	return false;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(pl_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	unsigned long info_addr = raw_arg(ctx, 1);
	unsigned long handler;
	__u32 flags = 0, action;
	struct pl_deliver *e;

	if (!want(PL_EV_DELIVER) || !follows(cur->tgid) || !current_ok())
		return 0;
	handler = (unsigned long)ka->sa.sa_handler;
	action = handler == 0 ? PL_ACT_DEFAULT : handler == 1 ? PL_ACT_IGNORED : PL_ACT_HANDLER;
	/* A job-control stop in an orphaned process group: the kernel drops it. */
	if (action == PL_ACT_DEFAULT && sig >= SIGTSTP && sig <= SIGTTOU && stop_discarded(cur, sig))
		action = PL_ACT_IGNORED;
	/*
	 * A fatal signal, exit_group() or an exec tears the group down by
	 * "delivering" a SIGKILL without siginfo to every thread. Report the
	 * fatal signal itself, once per process (at the leader), and nothing
	 * for the teardowns that are no signal at all.
	 */
	if (sig == SIGKILL && info_addr == 0) {
		struct signal_struct *s = cur->signal;

		if (s->group_exec_task)
			return 0;
		if (s->flags & SIGNAL_GROUP_EXIT) {
			int code = s->group_exit_code;

			if (!(code & 0x7f) || (!cfg_threads && cur->pid != cur->tgid))
				return 0;
			sig = code & 0x7f;
			flags |= PL_F_GROUP_EXIT;
			action = PL_ACT_DEFAULT;
		}
	}
	e = reserve_event(PL_EV_DELIVER, sizeof(*e), cur);
	if (!e)
		return 0;
	e->h.flags |= flags;
	e->sig = sig;
	e->action = action;
	e->sa_flags = ka->sa.sa_flags;
	if (info_addr <= 1) {
		e->info_code = info_addr ? SI_KERNEL : SI_USER;
		e->info_pid = 0;
	} else {
		e->info_code = info->si_code;
		e->info_pid = info->_sifields._kill._pid;
	}
	bpf_ringbuf_submit(e, wakeup_flags());
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pl_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *cur;
	long nr = SYSCALL_NR(regs);
	int si_pid = 0;

	__u16 sc = syscall_of(nr);

	if (nr != NR_execve && nr != NR_execveat && nr != NR_wait4 && nr != NR_waitid && sc == PL_SYS_NONE)
		return 0;
	/* The same numbers mean other syscalls to a 32-bit process. */
	cur = bpf_get_current_task_btf();
	if (cur->thread_info.status & TS_COMPAT)
		return 0;

	if (nr == NR_execve || nr == NR_execveat) {
		if (ret < 0)
			exec_failed(regs, nr, -ret);
		return 0;
	}
	if (sc != PL_SYS_NONE) {
		signal_syscall_exit(regs, sc, ret);
		return 0;
	}
	if (!want(PL_EV_REAP))
		return 0;
	if (nr == NR_wait4) {
		if (ret > 0)
			reaped_by_wait(ret);
		return 0;
	}
	/* waitid(which, id, infop, options, ru): 0 and infop->si_pid on success; WNOWAIT leaves the zombie. */
	if (ret != 0 || (SYSCALL_ARG4(regs) & WNOWAIT))
		return 0;
	if (bpf_probe_read_user(&si_pid, sizeof(si_pid), (void *)(SYSCALL_ARG3(regs) + 16)) || si_pid <= 0)
		return 0;
	reaped_by_wait(si_pid);
	return 0;
}
