/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the running kernel can give, feature by feature. The BPF programs
 * come in groups, one per feature; a group that a kernel cannot load (a
 * missing tracepoint, helper or kfunc, a verifier that refuses it) turns
 * that feature off and leaves the rest working. Some groups have variants
 * for older kernels (kernel/variants.c): the loader tries them in order.
 */
#ifndef PROCLIFE_KFEATURES_H
#define PROCLIFE_KFEATURES_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

enum kfeature {
	KF_CORE,     /* fork, exec, exit, reap: without it proclife cannot run */
	KF_SYSCALLS, /* failed execs, wait() reapers, refused kills and probes */
	KF_SIGNALS,  /* signal generation, and killed_by */
	KF_OOM,      /* killed_by names the OOM killer */
	KF_DELIVERY, /* deliver events, and the stops and continues derived from them */
	KF_RENAME,   /* rename events */
	KF_SAMPLING, /* CPU time and resident memory of live processes, read on demand (tree, top) */
	KF_CRED,     /* cred events: credential changes by system calls */
	KF_MAX,
};

enum kfeature_state {
	KF_UNUSED = 0, /* not needed by what was asked: not loaded */
	KF_ON,
	KF_REDUCED,    /* on, with a part missing (why says which) */
	KF_OFF,
};

/* Kernel capabilities a program variant may need (KCAP_* bits). */
enum {
	KCAP_TASK_BTF = 1u << 0,   /* bpf_get_current_task_btf(): Linux 5.11 */
	KCAP_PT_REGS = 1u << 1,    /* bpf_task_pt_regs(): 5.15 */
	KCAP_FROM_PID = 1u << 2,   /* the bpf_task_from_pid() kfunc: 6.2 */
	KCAP_GROUP_DEAD = 1u << 3, /* sched_process_exit(task, group_dead): 6.16 */
	KCAP_OOM_TASK = 1u << 4,   /* mark_victim(task, uid): 6.8 */
	KCAP_TASK_ITER = 1u << 5,  /* the open-coded task iterator kfuncs (bpf_iter_task_new): 6.7 */
	/*
	 * BPF trampolines (fentry/fexit): assumed until a load says otherwise;
	 * kernels whose BTF lists the functions may still refuse them (EPERM).
	 */
	KCAP_TRAMPOLINE = 1u << 6,
	/* The per-syscall tracepoints syscalls:sys_exit_NAME (CONFIG_FTRACE_SYSCALLS; tracefs to attach). */
	KCAP_SYSCALL_TP = 1u << 7,
};

/* The programs of one variant of a feature, at most. */
#define KF_PROGS_MAX 16

struct kfeature_status {
	enum kfeature_state state;
	const char *program;   /* KF_ON, KF_REDUCED: the program that tells its variant from the others, or NULL */
	const char *programs[KF_PROGS_MAX + 1]; /* KF_ON, KF_REDUCED: every one loaded and attached, NULL after */
	char why[256];         /* KF_REDUCED, KF_OFF: why, one line */
	const char *cost;      /* KF_ON, KF_REDUCED: what its variant costs every other syscall (kernel/variants.h), or NULL */
	char *log;             /* KF_OFF because the kernel refused it: the verifier's log, or libbpf's (owned), or NULL */
};

/* "core", "syscalls", ...: the name in `proclife features`, recordings and PROCLIFE_FEATURES_OFF. */
const char *kfeature__name(enum kfeature f);
/* "signal delivery (deliver, stop, continue)": for messages. */
const char *kfeature__title(enum kfeature f);
/* The kernel events (PL_EV_BIT mask) the feature reports. */
__u32 kfeature__events(enum kfeature f);
/* By name; -1 when none. */
int kfeature__by_name(const char *name);
const char *kfeature_state__name(enum kfeature_state s);

struct btf;
/* What the running kernel has (KCAP_* bits), from its BTF; minus what PROCLIFE_KERNEL_LACKS names (tests). */
__u32 kcaps__probe(const struct btf *vmlinux);
/* "task_btf", ... for a single KCAP_ bit. */
const char *kcap__name(__u32 cap);
/* Why a variant that needs cap cannot load: "needs bpf_task_from_pid() (Linux 6.2)". */
const char *kcap__needs(__u32 cap);
/* The index of a cgroup controller ("pids") in the kernel's enum cgroup_subsys_id, or PL_NO_SSID. */
__u32 kcaps__cgroup_ssid(const struct btf *vmlinux, const char *controller);
/* Does the kernel have the tracepoint (its BTF type btf_trace_NAME)? */
bool kcaps__has_tracepoint(const struct btf *vmlinux, const char *name);
/*
 * Can a program attach to trace event CATEGORY/NAME ("syscalls/sys_exit_setuid")?
 * Its directory must be in tracefs, which is mounted at /sys/kernel/tracing
 * when no tracefs is (and left mounted: the system's own place for it). If
 * not, why says so.
 */
bool kcaps__has_trace_event(const char *category_name, char *why, size_t len);
/* The kernel's THREAD_SIZE (kernel/arch.h), which KASAN doubles. */
__u64 kcaps__thread_size(void);

/* One message (base/msg.h) per wanted feature that is off or reduced ("... is off on this kernel: ..."). */
void kfeatures__report(const struct kfeature_status st[KF_MAX]);

/*
 * For a recording's META: "feature.NAME=STATE[: why]" for each feature in
 * use, NUL-terminated one after the other. Bytes written (NULs included).
 */
size_t kfeatures__meta(const struct kfeature_status st[KF_MAX], char *buf, size_t len);
/*
 * Replay: one META string. A feature that was off or reduced where the
 * recording was made gets one message (base/msg.h), once (seen[] tracks
 * it); the reason, which comes from the file, escaped (by msg__say()).
 */
void kfeatures__report_recorded(const char *kv, bool seen[KF_MAX]);

#endif
