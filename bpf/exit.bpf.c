// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "core": a process's last thread exits (with --threads, every
 * thread), and its task is released (the reap nobody waited for).
 */
#include "lib/common.bpf.h"
#include "lib/reap.bpf.h"
#include "lib/usage.bpf.h"

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

/*
 * Before 6.16 the last thread is guessed from signal->live, which every
 * exiting thread decrements well before this tracepoint: a thread that was
 * not last can still see 0 here, once the last one has decremented too (a
 * joined thread wakes its joiner in exit_mm(), before the tracepoint). The
 * first thread to see 0 claims the process's exit, by (tgid, start); the
 * others are thread exits. The release removes the claim.
 */
static __always_inline bool exit_claim(struct task_struct *p)
{
	struct claim_key k = { .pid = BPF_CORE_READ(p, tgid), ._pad = CLAIM_EXIT,
			       .start_ns = task_start_ns(BPF_CORE_READ(p, group_leader)) };
	__u8 one = 1;

	return bpf_map_update_elem(&claims, &k, &one, BPF_NOEXIST) == 0;
}

/* A zeroed record: what a held-back exit starts as in the exits map. */
static const struct pl_exit exit_blank;

/* A process's exit record, but its usage: from the zombie entry, the killer, p. */
static __always_inline void fill_exit(struct pl_exit *e, struct zombie *z, struct pl_killer *k,
				      struct task_struct *p)
{
	__builtin_memcpy(&e->h, &z->h, sizeof(z->h));
	e->status = z->status;
	/* Killed by a signal: who sent that one (the first fatal one). */
	if (k && (z->status & 0x7f) && k->sig == (z->status & 0x7f))
		__builtin_memcpy(&e->killer, k, sizeof(*k));
	else
		__builtin_memset(&e->killer, 0, sizeof(e->killer));
	e->new_parent = 0;
	if (has_children(p)) {
		e->h.flags |= PL_F_HAS_CHILDREN;
		e->new_parent = new_parent_of_children(p);
	}
}

static __always_inline int on_exit(struct task_struct *p, bool group_dead, bool guessed)
{
	struct zombie z = {};
	struct pl_killer *k;
	struct pl_exit *e;

	if (!follows(BPF_CORE_READ(p, tgid)))
		return 0;
	if (group_dead && guessed && !exit_claim(p))
		group_dead = false;
	if (!group_dead) {
		__u32 code = BPF_CORE_READ(p, exit_code);

		if (!cfg_threads || !want(PL_EV_EXIT) || (cfg_failed_only && !code) || !current_ok())
			return 0;
		e = reserve_event(PL_EV_EXIT, PL_EXIT_SIZE_NO_USAGE, p);
		if (!e)
			return 0;
		e->h.flags |= PL_F_THREAD;
		e->status = code;
		e->new_parent = 0;
		__builtin_memset(&e->killer, 0, sizeof(e->killer));
		bpf_ringbuf_submit(e, wakeup_flags(PL_EXIT_SIZE_NO_USAGE));
		return 0;
	}

	if (!want(PL_EV_EXIT) && !want(PL_EV_REAP))
		return 0;
	if (!current_ok())
		return 0;
	fill_hdr(&z.h, PL_EV_EXIT, p);
	z.exit_ts = z.h.ts;
	z.status = process_status(p);

	/* The map full (a user holding many zombies): its release will report the reap, without the reaper. */
	if (want(PL_EV_REAP) && bpf_map_update_elem(&zombies, &z.h.pid, &z, BPF_ANY))
		__sync_fetch_and_add(&untracked_zombies, 1);

	k = bpf_map_lookup_elem(&fatal, &z.h.pid);
	if (!want(PL_EV_EXIT) || (cfg_failed_only && !z.status))
		goto out;
	/*
	 * Held back until its parent is notified, where its usage is read
	 * again (lib/usage.bpf.h); sent now when that cannot be (no signal
	 * program, no signal to its parent, the map full).
	 */
	e = NULL;
	if (exit_at_notify && parent_gets_signal(p) && bpf_map_update_elem(&exits, &z.h.pid, &exit_blank, BPF_ANY) == 0)
		e = bpf_map_lookup_elem(&exits, &z.h.pid);
	if (e) {
		fill_exit(e, &z, k, p);
		read_usage(&e->usage, p); /* what goes out if it is released without a new reading */
		e->h.flags |= PL_F_USAGE;
		goto out;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(PL_EV_EXIT);
		goto out;
	}
	fill_exit(e, &z, k, p);
	read_usage(&e->usage, p);
	e->h.flags |= PL_F_USAGE;
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
out:
	if (k)
		bpf_map_delete_elem(&fatal, &z.h.pid);
	return 0;
}

/* Linux >= 6.16 passes group_dead: exact even when two threads exit at once. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(pl_exit, struct task_struct *p, bool group_dead)
{
	if (!p)
		return 0;
	return on_exit(p, group_dead, false);
}

/*
 * Older kernels: the thread that brought signal->live to zero is the last
 * one, but any thread past its own decrement may see zero here. A thread
 * other than the leader takes it for the process's exit only once the
 * leader has exited (exit_state set): while the leader is still on its way
 * out, the leader reports it. exit_claim() settles the rest.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(pl_exit_legacy, struct task_struct *p)
{
	bool dead;

	if (!p)
		return 0;
	dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	if (dead && BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid) && !BPF_CORE_READ(p, group_leader, exit_state))
		dead = false;
	return on_exit(p, dead, true);
}

/*
 * A task_struct is freed (after an RCU grace period). For a process leader
 * whose reaping no wait() reported, this is the release: auto-reaped (the
 * parent ignores SIGCHLD, io_uring waitid, a reaper in another pid
 * namespace), a process that exited before proclife started, or one whose
 * exit found the zombies map full (untracked: who reaped it is not known).
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(pl_free, struct task_struct *p)
{
	struct zombie *z;
	struct pl_hdr h;
	__u32 pid;
	__u64 start;

	if (!p)
		return 0;
	/* Not a process: a thread, or an old leader replaced by a thread's exec. */
	if ((unsigned long)BPF_CORE_READ(p, group_leader) != (unsigned long)p)
		return 0;
	/* Its exit record if still held back (no parent notification): final usage, then out. */
	pid = BPF_CORE_READ(p, tgid);
	start = task_start_ns(p);
	exit_release_held(pid, p, start);
	{
		struct claim_key k = { .pid = pid, ._pad = CLAIM_EXIT, .start_ns = start };

		bpf_map_delete_elem(&claims, &k); /* pl_exit_legacy's claim of the exit, if any */
	}
	if (cfg_follow) {
		if (!bpf_map_lookup_elem(&followed, &pid))
			return 0;
		bpf_map_delete_elem(&followed, &pid); /* released: the pid may be reused by a stranger */
	}
	if (!want(PL_EV_REAP))
		return 0;
	z = bpf_map_lookup_elem(&zombies, &pid);
	if (z && z->h.start_ns == start) {
		/* A wait() that claimed it has reported it; else this release is the reap. */
		if (reap_claim(pid, start))
			emit_reap(&z->h, z->exit_ts, z->status, PL_F_REAP_AUTO, NULL);
		reap_unclaim(pid, start);
		bpf_map_delete_elem(&zombies, &pid);
		return 0;
	}
	/*
	 * Started before proclife: its exit was not seen. Else its exit found
	 * the map full (counted in untracked_zombies), or did not pass the
	 * filters (nor does this: emit_reap() checks them). A wait() that
	 * found its entry before a new process of its pid took it has
	 * reported it: the claim says so.
	 */
	if (!task_ok(p))
		return 0;
	if (reap_claim(pid, start)) {
		fill_hdr(&h, PL_EV_REAP, p);
		emit_reap(&h, 0, process_status(p), start < boot_cutoff_ns ? PL_F_REAP_PREEXIST : PL_F_REAP_UNTRACKED,
			  NULL);
	}
	reap_unclaim(pid, start);
	return 0;
}
