/* SPDX-License-Identifier: GPL-2.0 */
/* Reporting a reap: shared by the release (exit.bpf.c) and wait() (syscalls.bpf.c). */
#ifndef PROCLIFE_REAP_BPF_H
#define PROCLIFE_REAP_BPF_H

#include "common.bpf.h"
#include "usage.bpf.h"

/* Claim the report of (pid, start)'s reaping: true for exactly one caller. */
static __always_inline bool reap_claim(__u32 pid, __u64 start_ns)
{
	struct claim_key k = { .pid = pid, ._pad = CLAIM_REAP, .start_ns = start_ns };
	__u8 one = 1;

	return bpf_map_update_elem(&claims, &k, &one, BPF_NOEXIST) == 0;
}

static __always_inline void reap_unclaim(__u32 pid, __u64 start_ns)
{
	struct claim_key k = { .pid = pid, ._pad = CLAIM_REAP, .start_ns = start_ns };

	bpf_map_delete_elem(&claims, &k);
}

/* reaper: NULL, or the task that waited (read with CO-RE: it may be an untyped current). */
static __always_inline void emit_reap(struct pl_hdr *h, __u64 exit_ts, __u32 status, __u32 how,
				      struct task_struct *reaper)
{
	struct pl_reap *e;

	/* Its exit comes first, if it was still held back (no parent notification came). */
	exit_release_held(h->pid, NULL, h->start_ns);
	if (!subject_ok(h) || !cgroup_ids_ok(h->cgroup_id, h->cgroup1_id))
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
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
}

#endif
