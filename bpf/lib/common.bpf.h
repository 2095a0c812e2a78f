/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every proclife BPF file shares: the options (rodata), the runtime
 * state (.bss) and the maps, declared here and defined once in maps.bpf.c
 * (the files are linked into one object), plus the inline helpers: filters,
 * the event header, the ring buffer.
 *
 * Kernel variants. A hook family may have a variant for older kernels: a
 * file of its own (syscalls_v510.bpf.c) that says what that kernel lacks,
 * includes the family's code (lib/syscalls.bpf.h) and defines its
 * programs under their full names (pl_sys_exit_v510). User space loads
 * the variant the running kernel can take (user/kernel/variants.c):
 *   PL_NO_TASK_BTF  no bpf_get_current_task_btf() (before 5.11): the current
 *                   task is a plain address, read with CO-RE probe reads;
 *   PL_NO_PT_REGS   no bpf_task_pt_regs() (before 5.15): the syscall's
 *                   registers are found at the top of the task's stack;
 *   PL_NO_FROM_PID  no bpf_task_from_pid() kfunc (before 6.2).
 *
 * What depends on the CPU architecture is in lib/arch/ (x86.h).
 */
#ifndef PROCLIFE_COMMON_BPF_H
#define PROCLIFE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "proclife.h"

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

/* ---- options: rodata, set by user space between skeleton open and load (maps.bpf.c) ---- */
extern const volatile __u32 cfg_events;
extern const volatile bool cfg_threads;
/* With --failed, user space has already narrowed cfg_events to PL_EV_FAILABLE. */
extern const volatile bool cfg_failed_only;
extern const volatile __u32 cfg_uid;
extern const volatile bool cfg_comm_set;
extern const volatile char cfg_comm[PL_COMM_LEN];
extern const volatile __u32 cfg_args_cap;
/* Follow a set of processes (-p, run): events only about them; their children join in the kernel. */
extern const volatile bool cfg_follow;
/* Wake the consumer only once this much is pending (0: on every event); it polls on a timer too. */
extern const volatile __u64 cfg_wakeup_bytes;
/* The kernel's THREAD_SIZE, for the PL_NO_PT_REGS variant (user space knows KASAN doubles it). */
extern const volatile __u64 cfg_thread_size;
/* The v1 hierarchy whose cgroup id goes in pl_hdr.cgroup1_id: its controller's index (enum cgroup_subsys_id), or PL_NO_SSID. */
#define PL_SSID_MAX 64 /* more than any kernel's CGROUP_SUBSYS_COUNT */
extern const volatile __u32 cfg_cgroup1_ssid;
/*
 * The consumer keeps states and counts, not every event (tree, top, zombies,
 * metrics-only runs: tracer_config.lean): of signals and deliveries, only
 * what changes a process's state is queued (a SIGCONT sent; a stop taken);
 * the fatal ones still name killed_by.
 */
extern const volatile bool cfg_lean;
/* Count signals by result, deliveries and failed execs by errno in `counts` (PL_CNT_*). */
extern const volatile bool cfg_counts;
/* Identity filters (--auid, --session, --tty as pl_hdr.tty encodes it): PL_UID_ANY when not set. */
extern const volatile __u32 cfg_auid;
extern const volatile __u32 cfg_session;
extern const volatile __u32 cfg_tty;
/* --setid: of the execs only those the kernel handled as a privilege change (PL_F_SETID). */
extern const volatile bool cfg_setid_only;

/* Filter by cgroup (--container and the like): the verdicts of user space in the cgroup_filter map. */
extern const volatile bool cfg_cgroup_filter;

/* ---- runtime state shared with user space through the mmapped .bss ---- */
/* Processes that started before it existed before proclife (user space sets it right after attaching). */
extern __u64 boot_cutoff_ns;
extern __u64 lost[PL_EV_MAX];
/* Exits the zombies map had no room for: their reaps come from the release (PL_F_REAP_UNTRACKED). */
extern __u64 untracked_zombies;
/*
 * Set by user space once the signal_generate program is attached: a
 * process's exit record waits in `exits` for the SIGCHLD its parent is
 * sent, where its usage is read again (see lib/usage.bpf.h).
 */
extern __u32 exit_at_notify;

/* ---- maps (defined in maps.bpf.c; an extern map must repeat the definition) ---- */
#define PL_EVENTS_MAP                                   \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_RINGBUF);     \
		__uint(max_entries, 16 << 20);          \
	}

/*
 * Exec records are variable-size and can be ~70 KiB, more than the BPF stack
 * or a per-CPU map value holds, so they are built in a per-CPU slot of a plain
 * array (max_entries is set to the number of CPUs at load) and copied out
 * with bpf_ringbuf_output(). busy guards against a preempting program on the
 * same CPU reusing the slot mid-build.
 */
#define SCRATCH_DATA (PL_FILENAME_MAX + PL_ARGS_MAX + 2 * PL_PATH_MAX)
/* Where a path is put together, from its end (lib/path.bpf.h): a whole path and one more name. */
#define PATH_WORK (PL_PATH_MAX + 256)
struct scratch {
	__u64 busy;
	char raw[sizeof(struct pl_exec) + SCRATCH_DATA];
	/* A path's walk keeps where it is here, not in registers: the verifier then sees every way out alike. */
	__u32 path_pos, path_end;
	char path[PATH_WORK];
};
#define PL_SCRATCH_MAP                                  \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_ARRAY);       \
		__uint(max_entries, 1);                 \
		__type(key, __u32);                     \
		__type(value, struct scratch);          \
	}

/*
 * Exited, not yet reaped processes, by tgid: the exit's header and status,
 * so the reap event can say who and what was reaped. A user can fill it
 * (by holding zombies): then an exit is counted in untracked_zombies, not
 * lost, and its release reports the reap, without the reaper. User space
 * may size it (PROCLIFE_ZOMBIES_MAX, a test switch).
 */
struct zombie {
	struct pl_hdr h;
	__u64 exit_ts;
	__u32 status;
	__u32 _pad;
};
#define PL_ZOMBIES_MAP                                  \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_HASH);        \
		__uint(max_entries, 32768);             \
		__type(key, __u32);                     \
		__type(value, struct zombie);           \
	}

/*
 * Whose reaping (or, before 6.16, exit) was reported, by (pid, start
 * time): a wait() and the release both race to report the reap, and the one
 * whose BPF_NOEXIST insert wins reports it. (A map insert rather than an
 * atomic fetch-and-add on the zombie: fetching atomics need Linux 5.12.)
 * The release removes both.
 */
struct claim_key {
	__u32 pid;
	__u32 _pad;      /* what is claimed: CLAIM_REAP, CLAIM_EXIT */
	__u64 start_ns;
};
#define CLAIM_REAP 0
#define CLAIM_EXIT 1 /* the process's exit, by the pre-6.16 exit program (exit.bpf.c) */
#define PL_CLAIMS_MAP                                   \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_LRU_HASH);    \
		__uint(max_entries, 32768);             \
		__type(key, struct claim_key);          \
		__type(value, __u8);                    \
	}

/*
 * The sender of a signal that will be fatal to a process (default action
 * terminate or core, not handled), by the target's tgid: the first one
 * wins, as the kernel keeps the first fatal signal's code. The exit takes
 * it as killed_by and always clears it. LRU: filtered-out exits leave entries.
 */
#define PL_FATAL_MAP                                    \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_LRU_HASH);    \
		__uint(max_entries, 16384);             \
		__type(key, __u32);                     \
		__type(value, struct pl_killer);        \
	}

/*
 * The followed processes, by tgid (cfg_follow). A fork by a member adds the
 * child right in the fork program, so no descendant escapes however fast it
 * forks, execs or exits; membership survives setsid, double forks and
 * reparenting. A member leaves when its task is freed (its pid may be reused).
 */
#define PL_FOLLOWED_MAP                                 \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_HASH);        \
		__uint(max_entries, 65536);             \
		__type(key, __u32);                     \
		__type(value, __u8);                    \
	}

/*
 * A process's exit record, by tgid, from its last thread's exit until the
 * notification of its parent (lib/usage.bpf.h): microseconds, or until its
 * release when no notification comes. Full: the record goes out at once.
 */
#define PL_EXITS_MAP                                    \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_HASH);        \
		__uint(max_entries, 8192);              \
		__type(key, __u32);                     \
		__type(value, struct pl_exit);          \
	}

/*
 * The cgroup filter's verdicts by pair of cgroup ids (cfg_cgroup_filter):
 * 1 keep, 0 drop; no entry: user space has not judged it yet, so it passes
 * and is judged there. LRU: a verdict pushed out is asked for again.
 */
#define PL_CGROUP_FILTER_MAP                            \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_LRU_HASH);    \
		__uint(max_entries, 16384);             \
		__type(key, struct pl_cgroup_key);      \
		__type(value, __u8);                    \
	}

/* maps.bpf.c defines them; every other file refers to that one definition. */
#ifdef PL_MAPS_DEFINED_HERE
#define PL_MAP_EXTERN
#else
#define PL_MAP_EXTERN extern
#endif
PL_MAP_EXTERN PL_EVENTS_MAP events SEC(".maps");
PL_MAP_EXTERN PL_SCRATCH_MAP scratch SEC(".maps");
PL_MAP_EXTERN PL_ZOMBIES_MAP zombies SEC(".maps");
PL_MAP_EXTERN PL_CLAIMS_MAP claims SEC(".maps");
PL_MAP_EXTERN PL_FATAL_MAP fatal SEC(".maps");
PL_MAP_EXTERN PL_FOLLOWED_MAP followed SEC(".maps");
PL_MAP_EXTERN PL_EXITS_MAP exits SEC(".maps");
PL_MAP_EXTERN PL_CGROUP_FILTER_MAP cgroup_filter SEC(".maps");

/* The counters of cfg_counts (PL_CNT_* in proclife.h), per CPU: user space adds them up. */
#define PL_COUNTS_MAP                                   \
	struct {                                        \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \
		__uint(max_entries, PL_CNT_MAX);        \
		__type(key, __u32);                     \
		__type(value, __u64);                   \
	}
PL_MAP_EXTERN PL_COUNTS_MAP counts SEC(".maps");

/* Kernels before 5.5 called start_boottime real_start_time. */
struct task_struct___pre55 {
	u64 real_start_time;
} __attribute__((preserve_access_index));

/*
 * Reading a task. The current task is BTF-typed where the kernel has
 * bpf_get_current_task_btf(): direct loads, which the verifier guards, are
 * several times cheaper than a probe-read call per field. Without it the
 * same reads go through BPF_CORE_READ. TASK_RD(t, a, b) is t->a->b.
 */
#ifdef PL_NO_TASK_BTF
#define TASK_RD(...) BPF_CORE_READ(__VA_ARGS__)
static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}
#else
#define TASK_RD(...) ___arrow(__VA_ARGS__)
static __always_inline struct task_struct *current_task(void)
{
	return bpf_get_current_task_btf();
}
#endif

#if defined(__TARGET_ARCH_x86)
#include "lib/arch/x86.h"
#else
#error "no bpf/lib/arch/ header for this architecture"
#endif

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
	/* The result unused: a plain atomic add, which every kernel takes (a fetch needs 5.12). */
	if (type < PL_EV_MAX)
		__sync_fetch_and_add(&lost[type], 1);
}

/* One more of counter i (PL_CNT_*), when counting: a per-CPU slot, so no contention. */
static __always_inline void count_kernel(__u32 i)
{
	__u64 *c;

	if (!cfg_counts)
		return;
	c = bpf_map_lookup_elem(&counts, &i);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* A signal generated or refused, by signal and result. */
static __always_inline void count_signal(int sig, __u32 result)
{
	count_kernel(sig >= 0 && sig <= PL_CNT_SIG_MAX && result < PL_CNT_SIG_RESULTS ? PL_CNT_SIGNAL(sig, result)
										      : PL_CNT_SIGNAL_OTHER);
}

/*
 * Wake the consumer once per cfg_wakeup_bytes of data produced: when the
 * producer position, after a record of size bytes, has just passed a
 * multiple of it. Read from the producer's own position: the available
 * data would also read the consumer's, a cache line the consumer writes at
 * every record (a miss whenever it moved; not measured apart from the
 * rest); and not at every record while the
 * consumer is behind, which a test of the available data did: a forced
 * wake-up is an irq_work, microseconds in a guest, paid per record exactly
 * when the consumer is busiest. A crossing missed by two CPUs reserving at
 * once is made good by the next one, or by the consumer's poll timeout.
 */
#define PL_RB_ADVANCE(size) ((((size) + 7) & ~7ULL) + 8) /* + BPF_RINGBUF_HDR_SZ */

static __always_inline __u64 wakeup_at(__u64 end, __u64 size)
{
	return end % cfg_wakeup_bytes < PL_RB_ADVANCE(size) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* For bpf_ringbuf_submit() of a reserved record of size bytes: the position is past it. */
static __always_inline __u64 wakeup_flags(__u64 size)
{
	return cfg_wakeup_bytes ? wakeup_at(bpf_ringbuf_query(&events, BPF_RB_PROD_POS), size) : 0;
}

/* For bpf_ringbuf_output() of size bytes: the record is not in the ring yet. */
static __always_inline __u64 output_wakeup_flags(__u64 size)
{
	return cfg_wakeup_bytes ? wakeup_at(bpf_ringbuf_query(&events, BPF_RB_PROD_POS) + PL_RB_ADVANCE(size), size)
				: 0;
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

/* The identity filters (--auid, --session, --tty): is any set? Rodata: the check goes away when not. */
#define IDENT_FILTERED (cfg_auid != PL_UID_ANY || cfg_session != PL_UID_ANY || cfg_tty != PL_UID_ANY)

static __always_inline bool ident_ok(__u32 auid, __u32 session, __u32 tty)
{
	return (cfg_auid == PL_UID_ANY || auid == cfg_auid) && (cfg_session == PL_UID_ANY || session == cfg_session) &&
	       (cfg_tty == PL_UID_ANY || tty == cfg_tty);
}

/*
 * A controlling terminal as /proc/PID/stat's tty_nr says it:
 * new_encode_dev(tty_devnum(tty)); 0 for none. RD is the read: TASK_RD
 * (direct loads where typed) or BPF_CORE_READ.
 */
#define TTY_NR(RD, tty)                                                                              \
	({                                                                                           \
		__u32 major_ = 0, minor_ = 0;                                                        \
		if (tty) {                                                                           \
			major_ = RD(tty, driver, major);                                             \
			minor_ = RD(tty, driver, minor_start) + RD(tty, index);                      \
		}                                                                                    \
		(minor_ & 0xff) | (major_ << 8) | ((minor_ & ~0xffu) << 12);                         \
	})

/* Does task t (typed or not: CO-RE reads) pass the identity filters? */
static __always_inline bool task_ident_ok(struct task_struct *t)
{
	struct tty_struct *tty;
	__u32 auid = PL_ID_UNSET, session = PL_ID_UNSET;

	if (!IDENT_FILTERED)
		return true;
	if (bpf_core_field_exists(t->loginuid)) {
		auid = BPF_CORE_READ(t, loginuid.val);
		session = BPF_CORE_READ(t, sessionid);
	}
	tty = BPF_CORE_READ(t, signal, tty);
	return ident_ok(auid, session, TTY_NR(BPF_CORE_READ, tty));
}

/* Does a process with this header pass the -u/-c and identity filters? */
static __always_inline bool subject_ok(const struct pl_hdr *h)
{
	return uid_ok(h->uid) && comm_ok(h->comm) && ident_ok(h->auid, h->session, h->tty);
}

static __always_inline __u64 cgroup1_id(struct task_struct *t);

/* Does a subject in these cgroups pass the cgroup filter? One map look-up, only with the filter. */
static __always_inline bool cgroup_ids_ok(__u64 cgroup_id, __u64 cgroup1)
{
	struct pl_cgroup_key k = { .cgroup_id = cgroup_id, .cgroup1_id = cgroup1 };
	__u8 *v;

	if (!cfg_cgroup_filter)
		return true;
	v = bpf_map_lookup_elem(&cgroup_filter, &k);
	return !v || *v;
}

static __always_inline bool cgroup_ok(struct task_struct *t)
{
	if (!cfg_cgroup_filter)
		return true;
	return cgroup_ids_ok(TASK_RD(t, cgroups, dfl_cgrp, kn, id), cgroup1_id(t));
}

/*
 * The current task's cgroups pass the filter? Read through the untyped
 * current task (CO-RE probe reads), whatever the program's variant: only
 * with the filter on, and 5.10 has no bpf_get_current_task_btf(), whose
 * mere call (even unused) it refuses.
 */
static __always_inline bool current_cgroup_ok(void)
{
	struct task_struct *t;

	if (!cfg_cgroup_filter)
		return true;
	t = (struct task_struct *)bpf_get_current_task();
	return cgroup_ids_ok(BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id), cgroup1_id(t));
}

static __always_inline bool current_ok(void)
{
	char comm[PL_COMM_LEN];

	/* No helper call without a uid filter: cfg_uid is known to the verifier, which drops the branch. */
	if (cfg_uid != PL_UID_ANY && !uid_ok((__u32)bpf_get_current_uid_gid()))
		return false;
	if (IDENT_FILTERED && !task_ident_ok((struct task_struct *)bpf_get_current_task()))
		return false;
	if (!current_cgroup_ok())
		return false;
	if (!cfg_comm_set)
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	return comm_ok(comm);
}

/* Does t pass the -u/-c filters (the identity filters are task_ident_ok())? */
static __always_inline bool task_ok(struct task_struct *t)
{
	char comm[PL_COMM_LEN];

	if ((cfg_uid != PL_UID_ANY && !uid_ok(BPF_CORE_READ(t, real_cred, uid.val))) || !cgroup_ok(t))
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
 * The id of t's cgroup in the v1 hierarchy of controller cfg_cgroup1_ssid
 * (t->cgroups->subsys[ssid]->cgroup->kn->id), or 0. The index is a
 * run-time value: the element's address is computed as a number and read
 * with a probe read (the verifier takes no variable offset into a typed
 * pointer).
 */
static __always_inline __u64 cgroup1_id(struct task_struct *t)
{
	struct cgroup_subsys_state *css = NULL;
	unsigned long slot;
	__u32 i = cfg_cgroup1_ssid;

	if (i >= PL_SSID_MAX)
		return 0;
	slot = (unsigned long)BPF_CORE_READ(t, cgroups) + bpf_core_field_offset(struct css_set, subsys) +
	       i * sizeof(css);
	if (bpf_probe_read_kernel(&css, sizeof(css), (void *)slot) || !css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

/*
 * Who t is, beyond its real ids: effective ids, the audit login uid and
 * session (the kernel's own, as /proc/PID/loginuid and sessionid say;
 * unset without CONFIG_AUDIT), the controlling terminal as /proc/PID/stat's
 * tty_nr (new_encode_dev(tty_devnum(tty))), and the v1 cgroup.
 * Direct loads where t is BTF-typed: a NULL tty reads as zeros.
 */
static __always_inline void fill_identity(struct pl_hdr *h, struct task_struct *t, const struct cred *cred)
{
	struct tty_struct *tty = TASK_RD(t, signal, tty);

	h->euid = TASK_RD(cred, euid.val);
	h->egid = TASK_RD(cred, egid.val);
	if (bpf_core_field_exists(t->loginuid)) {
		h->auid = TASK_RD(t, loginuid.val);
		h->session = TASK_RD(t, sessionid);
	} else {
		h->auid = PL_ID_UNSET;
		h->session = PL_ID_UNSET;
	}
	h->tty = TTY_NR(TASK_RD, tty);
	h->cgroup1_id = cgroup1_id(t);
	h->_pad = 0;
}

/*
 * The header of an event whose subject is task t. This runs for every
 * event: with a BTF-typed t (a tracepoint argument, or the current task
 * where the kernel types it) the fields are direct loads; only the
 * variable-index pid number and the comm take a helper call.
 */
static __always_inline void fill_hdr(struct pl_hdr *h, __u32 type, struct task_struct *t)
{
	struct task_struct *leader = TASK_RD(t, group_leader);
	struct pid *tgid_pid = TASK_RD(leader, thread_pid);
	unsigned int level = TASK_RD(tgid_pid, level);
	const struct cred *cred = TASK_RD(t, real_cred);
	struct upid upid = {};

	h->ts = bpf_ktime_get_boot_ns();
	h->start_ns = bpf_core_field_exists(leader->start_boottime)
			      ? TASK_RD(leader, start_boottime)
			      : BPF_CORE_READ((struct task_struct___pre55 *)leader, real_start_time);
	h->cgroup_id = TASK_RD(t, cgroups, dfl_cgrp, kn, id);
	h->type = type;
	h->cpu = bpf_get_smp_processor_id();
	h->pid = TASK_RD(t, tgid);
	h->tid = TASK_RD(t, pid);
	h->ppid = TASK_RD(t, real_parent, tgid);
	h->uid = TASK_RD(cred, uid.val);
	h->gid = TASK_RD(cred, gid.val);
	h->flags = 0;
	/* The tgid as numbered in the namespace the process lives in (its deepest). */
	if (level == 0) {
		h->ns_pid = h->pid;
		h->pidns = TASK_RD(tgid_pid, numbers[0].ns, ns.inum);
	} else {
		bpf_core_read(&upid, sizeof(upid), &tgid_pid->numbers[level & 31]);
		h->ns_pid = upid.nr;
		h->pidns = BPF_CORE_READ(upid.ns, ns.inum);
	}
	/* comm is NUL-padded in the kernel: a plain 16-byte copy; two loads where t is BTF-typed. */
#ifdef PL_NO_TASK_BTF
	bpf_probe_read_kernel(h->comm, sizeof(h->comm), &t->comm);
#else
	__builtin_memcpy(h->comm, t->comm, sizeof(h->comm));
#endif
	fill_identity(h, t, cred);
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
 * A tracepoint argument read as a plain number. Pointer arguments that
 * may carry a sentinel (signal_generate's and signal_deliver's siginfo can
 * be SEND_SIG_NOINFO (0) or SEND_SIG_PRIV (1)) must never be dereferenced
 * as typed pointers: older verifiers assume them non-NULL and prune a test
 * against 0, newer ones type them as scalars ("may encode error") and
 * refuse the load. Read the number, check it, then probe-read through it.
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

/*
 * Bytes to read of a filename: one more than is kept. A *_str read returns
 * at most its size, so only then is a name of PL_FILENAME_MAX - 1 bytes
 * (read: PL_FILENAME_MAX) told from a longer one (read: FILENAME_READ).
 */
#define FILENAME_READ (PL_FILENAME_MAX + 1)

/*
 * The length of the filename a *_str read of FILENAME_READ bytes put in data
 * (n: what the read returned), NUL included: "" (1) when unreadable; a name
 * longer than PL_FILENAME_MAX - 1 bytes is cut there and flagged.
 */
static __always_inline long filename_len(char *data, long n, __u32 *flags)
{
	if (n <= 0) {
		data[0] = '\0';
		return 1;
	}
	if (n > PL_FILENAME_MAX) {
		data[PL_FILENAME_MAX - 1] = '\0';
		*flags |= PL_F_NAME_TRUNCATED;
		return PL_FILENAME_MAX;
	}
	return n;
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

#endif
