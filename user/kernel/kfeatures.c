// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <bpf/btf.h>

#include "proclife.h"
#include "base/msg.h"
#include "kernel/arch.h"
#include "kernel/kfeatures.h"

static const struct {
	const char *name;
	const char *title;
	__u32 events;
} features[KF_MAX] = {
	[KF_CORE] = { "core", "process tracing (fork, exec, exit, reap)",
		      PL_EV_BIT(PL_EV_FORK) | PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_REAP) },
	[KF_SYSCALLS] = { "syscalls", "syscall tracing (failed execs, reapers by wait, refused kills)",
			  PL_EV_BIT(PL_EV_EXEC_FAILED) | PL_EV_BIT(PL_EV_REAP) | PL_EV_BIT(PL_EV_SIGNAL) },
	[KF_SIGNALS] = { "signals", "signal tracing (signal events, killed_by)",
			 PL_EV_BIT(PL_EV_SIGNAL) | PL_EV_BIT(PL_EV_EXIT) },
	[KF_OOM] = { "oom", "OOM-killer attribution (killed_by oom)", PL_EV_BIT(PL_EV_EXIT) },
	[KF_DELIVERY] = { "delivery", "signal delivery (deliver, stop, continue)", PL_EV_BIT(PL_EV_DELIVER) },
	[KF_RENAME] = { "rename", "rename tracing (rename events)", PL_EV_BIT(PL_EV_RENAME) },
	[KF_SAMPLING] = { "sampling", "CPU and memory of live processes (tree and top columns)", 0 },
	[KF_CRED] = { "cred", "credential changes (cred events)", PL_EV_BIT(PL_EV_CRED) },
};

const char *kfeature__name(enum kfeature f)
{
	return f < KF_MAX ? features[f].name : "?";
}

const char *kfeature__title(enum kfeature f)
{
	return f < KF_MAX ? features[f].title : "?";
}

__u32 kfeature__events(enum kfeature f)
{
	return f < KF_MAX ? features[f].events : 0;
}

int kfeature__by_name(const char *name)
{
	for (int f = 0; f < KF_MAX; f++)
		if (!strcmp(name, features[f].name))
			return f;
	return -1;
}

const char *kfeature_state__name(enum kfeature_state s)
{
	switch (s) {
	case KF_ON:
		return "on";
	case KF_REDUCED:
		return "reduced";
	case KF_OFF:
		return "off";
	default:
		return "unused";
	}
}

static const struct {
	__u32 cap;
	const char *name;
	const char *needs;
} caps[] = {
	{ KCAP_TASK_BTF, "task_btf", "needs bpf_get_current_task_btf() (Linux 5.11)" },
	{ KCAP_PT_REGS, "pt_regs", "needs bpf_task_pt_regs() (Linux 5.15)" },
	{ KCAP_FROM_PID, "task_from_pid", "needs the bpf_task_from_pid() kfunc (Linux 6.2)" },
	{ KCAP_GROUP_DEAD, "exit_group_dead", "needs sched_process_exit's group_dead (Linux 6.16)" },
	{ KCAP_OOM_TASK, "oom_task", "needs mark_victim to pass the task (Linux 6.8)" },
	{ KCAP_TASK_ITER, "task_iter", "needs the open-coded task iterator kfuncs (Linux 6.7)" },
	{ KCAP_TRAMPOLINE, "trampoline", "needs BPF trampolines (fentry/fexit), which this kernel refuses" },
	{ KCAP_SYSCALL_TP, "syscall_tp", "needs the per-syscall tracepoints (CONFIG_FTRACE_SYSCALLS)" },
};

const char *kcap__name(__u32 cap)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (caps[i].cap == cap)
			return caps[i].name;
	return "?";
}

const char *kcap__needs(__u32 cap)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (caps[i].cap & cap)
			return caps[i].needs;
	return "needs what this kernel lacks";
}

/* The prototype of tracepoint name's BTF program: (void *ctx, args...). */
static const struct btf_type *tp_proto(const struct btf *btf, const char *name)
{
	char tname[128];
	const struct btf_type *t;
	int id;

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return NULL;
	t = btf__type_by_id(btf, id);               /* typedef */
	t = t ? btf__type_by_id(btf, t->type) : NULL; /* pointer */
	t = t ? btf__type_by_id(btf, t->type) : NULL; /* func proto */
	return t && btf_is_func_proto(t) ? t : NULL;
}

/* Is name an enumerator of enum bpf_func_id (a helper this kernel has)? */
static bool has_helper(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;

	if (!t)
		return false;
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return true;
	return false;
}

__u32 kcaps__probe(const struct btf *btf)
{
	const struct btf_type *t;
	const char *lacks = getenv("PROCLIFE_KERNEL_LACKS");
	__u32 k = 0;

	if (!btf)
		return 0;
	if (has_helper(btf, "BPF_FUNC_get_current_task_btf"))
		k |= KCAP_TASK_BTF;
	if (has_helper(btf, "BPF_FUNC_task_pt_regs"))
		k |= KCAP_PT_REGS;
	if (btf__find_by_name_kind(btf, "bpf_task_from_pid", BTF_KIND_FUNC) > 0)
		k |= KCAP_FROM_PID;
	/* Whether trampolines work only a load tells: the loader takes the bit away when one is refused. */
	k |= KCAP_TRAMPOLINE;
	/* The per-syscall tracepoints' context type exists only where the kernel builds them. */
	if (btf__find_by_name_kind(btf, "syscall_trace_exit", BTF_KIND_STRUCT) > 0)
		k |= KCAP_SYSCALL_TP;
	if (btf__find_by_name_kind(btf, "bpf_iter_task_new", BTF_KIND_FUNC) > 0 &&
	    btf__find_by_name_kind(btf, "bpf_rcu_read_lock", BTF_KIND_FUNC) > 0)
		k |= KCAP_TASK_ITER;
	t = tp_proto(btf, "sched_process_exit");
	if (t && btf_vlen(t) >= 3)
		k |= KCAP_GROUP_DEAD;
	t = tp_proto(btf, "mark_victim");
	if (t && btf_vlen(t) >= 2) {
		const struct btf_type *arg = btf__type_by_id(btf, btf_params(t)[1].type);

		if (arg && btf_is_ptr(arg))
			k |= KCAP_OOM_TASK;
	}
	/* Tests: pretend the kernel lacks these, to load the variants for older kernels here. */
	for (size_t i = 0; lacks && i < sizeof(caps) / sizeof(caps[0]); i++)
		if (strstr(lacks, caps[i].name))
			k &= ~caps[i].cap;
	return k;
}

__u32 kcaps__cgroup_ssid(const struct btf *btf, const char *controller)
{
	int id = btf ? btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;
	char name[64];

	if (!t || !controller || !*controller)
		return PL_NO_SSID;
	snprintf(name, sizeof(name), "%s_cgrp_id", controller);
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return e->val;
	return PL_NO_SSID;
}

bool kcaps__has_tracepoint(const struct btf *btf, const char *name)
{
	return btf && tp_proto(btf, name);
}

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"

/* Is a tracefs there (libbpf's places: debugfs's first)? Mounted at TRACEFS once if none is. */
static const char *tracefs_dir(char *why, size_t len)
{
	static int mount_err;

	if (access(DEBUGFS_TRACING "/events", F_OK) == 0)
		return DEBUGFS_TRACING;
	if (access(TRACEFS "/events", F_OK) == 0)
		return TRACEFS;
	if (!mount_err && mount("tracefs", TRACEFS, "tracefs", 0, NULL) < 0)
		mount_err = errno;
	if (!mount_err && access(TRACEFS "/events", F_OK) == 0)
		return TRACEFS;
	snprintf(why, len, "no tracefs for the per-syscall tracepoints (mounting it on %s: %s)", TRACEFS,
		 strerror(mount_err ? mount_err : ENOENT));
	return NULL;
}

bool kcaps__has_trace_event(const char *category_name, char *why, size_t len)
{
	const char *dir = tracefs_dir(why, len);
	char path[256];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s", dir, category_name);
	if (access(path, F_OK) == 0)
		return true;
	snprintf(why, len, "the kernel has no trace event %s", category_name);
	return false;
}

/* Is CONFIG_name=y in the running kernel's config (/boot/config-RELEASE or /proc/config.gz)? */
static bool kconfig_y(const char *name)
{
	char path[128], line[256], want[96];
	struct utsname u;
	gzFile f;
	bool yes = false;

	if (uname(&u) < 0)
		return false;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = gzopen(path, "r"); /* reads plain files too */
	if (!f)
		f = gzopen("/proc/config.gz", "r");
	if (!f)
		return false;
	snprintf(want, sizeof(want), "CONFIG_%s=y\n", name);
	while (!yes && gzgets(f, line, sizeof(line)))
		yes = !strcmp(line, want);
	gzclose(f);
	return yes;
}

__u64 kcaps__thread_size(void)
{
	return kconfig_y("KASAN") ? ARCH_THREAD_SIZE_KASAN : ARCH_THREAD_SIZE;
}

void kfeatures__report(const struct kfeature_status st[KF_MAX])
{
	for (int f = 0; f < KF_MAX; f++) {
		if (st[f].state != KF_OFF && st[f].state != KF_REDUCED)
			continue;
		msg__say(MSG_WARN, "%s %s on this kernel: %s (see 'proclife features')", kfeature__title(f),
			 st[f].state == KF_OFF ? "is off" : "is reduced", st[f].why);
	}
}

size_t kfeatures__meta(const struct kfeature_status st[KF_MAX], char *buf, size_t len)
{
	size_t n = 0;

	for (int f = 0; f < KF_MAX; f++) {
		int w;

		if (st[f].state == KF_UNUSED)
			continue;
		if (st[f].state == KF_ON)
			w = snprintf(buf + n, len - n, "feature.%s=on", kfeature__name(f));
		else
			w = snprintf(buf + n, len - n, "feature.%s=%s: %s", kfeature__name(f),
				     kfeature_state__name(st[f].state), st[f].why);
		if (w < 0 || (size_t)w + 1 > len - n)
			break;
		n += w + 1;
	}
	return n;
}

/* The why of "off: why" (a META value): after the colon and its space; NULL when there is none. */
static const char *recorded_why(const char *state)
{
	const char *why = strchr(state, ':');

	if (!why)
		return NULL;
	why++;
	if (*why == ' ')
		why++;
	return *why ? why : NULL;
}

void kfeatures__report_recorded(const char *kv, bool seen[KF_MAX])
{
	const char *eq = strchr(kv, '='), *state, *why;
	char name[32];
	int f;

	if (strncmp(kv, "feature.", 8) || !eq || eq - kv - 8 >= (long)sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - kv - 8), kv + 8);
	f = kfeature__by_name(name);
	state = eq + 1;
	if (f < 0 || seen[f] || (strncmp(state, "off", 3) && strncmp(state, "reduced", 7)))
		return;
	seen[f] = true;
	/* The recording's own text, at most a line's worth of it (msg__say() escapes it). */
	why = recorded_why(state);
	msg__say(MSG_WARN, "this recording was made with %s %s on its kernel: %.300s", kfeature__title(f),
		 strncmp(state, "off", 3) ? "reduced" : "off", why ? why : "no reason recorded");
}
