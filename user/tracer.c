// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "proclife.skel.h"
#include "tracer.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct tracer {
	struct proclife_bpf *skel;
	struct ring_buffer *rb;
};

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

int tracer__preflight(char *msg, size_t msglen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() != 0) {
		bool ok = syscall(SYS_capget, &hdr, data) == 0 &&
			  ((has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)) ||
			   has_cap(data, CAP_SYS_ADMIN));
		if (!ok) {
			snprintf(msg, msglen,
				 "needs root, or the CAP_BPF and CAP_PERFMON capabilities: run it with sudo");
			return -EPERM;
		}
	}
	if (access(VMLINUX_BTF, R_OK) != 0) {
		snprintf(msg, msglen,
			 "this kernel has no BTF (%s is missing): proclife needs a kernel built with "
			 "CONFIG_DEBUG_INFO_BTF=y",
			 VMLINUX_BTF);
		return -ENOENT;
	}
	return 0;
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

struct kernel_tps {
	bool exit_group_dead; /* sched_process_exit(task, group_dead): Linux 6.16+ */
	bool mark_victim_task; /* mark_victim(task, uid): Linux 6.8+ (before: an int pid) */
};

static struct kernel_tps probe_tracepoints(void)
{
	struct kernel_tps k = {};
	const struct btf_type *t;
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf)
		return k;
	t = tp_proto(btf, "sched_process_exit");
	k.exit_group_dead = t && btf_vlen(t) >= 3;
	t = tp_proto(btf, "mark_victim");
	if (t && btf_vlen(t) >= 2) {
		const struct btf_type *arg = btf__type_by_id(btf, btf_params(t)[1].type);
		k.mark_victim_task = arg && btf_is_ptr(arg);
	}
	btf__free(btf);
	return k;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("PROCLIFE_DEBUG")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void configure(struct proclife_bpf *skel, const struct tracer_config *cfg)
{
	/* --failed: types that cannot fail need no program at all. */
	__u32 ev = cfg->failed_only ? cfg->events & PL_EV_FAILABLE : cfg->events;
	struct kernel_tps k = probe_tracepoints();
	bool group_dead = !cfg->legacy_exit && k.exit_group_dead;
	int ncpus = libbpf_num_possible_cpus();

	skel->rodata->cfg_events = ev;
	skel->rodata->cfg_threads = cfg->threads;
	skel->rodata->cfg_failed_only = cfg->failed_only;
	skel->rodata->cfg_uid = cfg->by_uid ? cfg->uid : PL_UID_ANY;
	if (cfg->comm && *cfg->comm) {
		skel->rodata->cfg_comm_set = true;
		strncpy((char *)skel->rodata->cfg_comm, cfg->comm, PL_COMM_LEN - 1);
	}
	skel->rodata->cfg_args_cap = cfg->args_cap ? cfg->args_cap : PL_ARGS_DEFAULT;
	skel->rodata->cfg_wakeup_bytes = cfg->wakeup_bytes;
	skel->rodata->cfg_follow = cfg->follow;

	bpf_map__set_max_entries(skel->maps.scratch, ncpus > 0 ? ncpus : 1);
	if (cfg->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_bytes);

	/* Load only what the requested events need. */
	/* Following needs every fork (children join) and every free (members leave). */
	bpf_program__set_autoload(skel->progs.pl_fork, (ev & PL_EV_BIT(PL_EV_FORK)) || cfg->follow);
	bpf_program__set_autoload(skel->progs.pl_exec, ev & PL_EV_BIT(PL_EV_EXEC));
	/* Failed execs, waits (reaps), and refused or probing kill-family calls. */
	bpf_program__set_autoload(skel->progs.pl_sys_exit,
				  ev & (PL_EV_BIT(PL_EV_EXEC_FAILED) | PL_EV_BIT(PL_EV_REAP) | PL_EV_BIT(PL_EV_SIGNAL)));
	bool exits = ev & (PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_REAP));
	bpf_program__set_autoload(skel->progs.pl_exit, exits && group_dead);
	bpf_program__set_autoload(skel->progs.pl_exit_legacy, exits && !group_dead);
	bpf_program__set_autoload(skel->progs.pl_free, (ev & PL_EV_BIT(PL_EV_REAP)) || cfg->follow);
	/* Signal generation also records who sent a fatal signal, for the exit's killed_by. */
	bpf_program__set_autoload(skel->progs.pl_signal_generate, ev & (PL_EV_BIT(PL_EV_SIGNAL) | PL_EV_BIT(PL_EV_EXIT)));
	bpf_program__set_autoload(skel->progs.pl_oom_victim, (ev & PL_EV_BIT(PL_EV_EXIT)) && k.mark_victim_task);
	bpf_program__set_autoload(skel->progs.pl_signal_deliver, ev & PL_EV_BIT(PL_EV_DELIVER));
	bpf_program__set_autoload(skel->progs.pl_rename, ev & PL_EV_BIT(PL_EV_RENAME));
}

static __u64 boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int tracer__new(const struct tracer_config *cfg, tracer_event_fn fn, void *ctx, struct tracer **ret,
		char *msg, size_t msglen)
{
	struct tracer *t;
	int err;

	libbpf_set_print(libbpf_print);
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	t->skel = proclife_bpf__open();
	if (!t->skel) {
		err = -errno;
		snprintf(msg, msglen, "cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
	configure(t->skel, cfg);
	err = proclife_bpf__load(t->skel);
	if (err) {
		snprintf(msg, msglen, "cannot load the BPF programs: %s", strerror(-err));
		goto fail;
	}
	err = proclife_bpf__attach(t->skel);
	if (err) {
		snprintf(msg, msglen, "cannot attach to the kernel tracepoints: %s", strerror(-err));
		goto fail;
	}
	/* Everything that starts from now on is seen from its fork. */
	t->skel->bss->boot_cutoff_ns = boottime_ns();
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), fn, ctx, NULL);
	if (!t->rb) {
		err = -errno;
		snprintf(msg, msglen, "cannot open the ring buffer: %s", strerror(-err));
		goto fail;
	}
	*ret = t;
	return 0;
fail:
	tracer__free(t);
	return err < 0 ? err : -EINVAL;
}

int tracer__poll(struct tracer *t, int timeout_ms)
{
	int n, m;

	n = ring_buffer__poll(t->rb, timeout_ms);
	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	/* With batched wakeups the data can be there without a wakeup. */
	m = ring_buffer__consume(t->rb);
	if (m < 0)
		return m;
	return n + m;
}

int tracer__consume(struct tracer *t)
{
	return ring_buffer__consume(t->rb);
}

int tracer__follow(struct tracer *t, __u32 pid)
{
	__u8 one = 1;

	if (bpf_map__update_elem(t->skel->maps.followed, &pid, sizeof(pid), &one, sizeof(one), BPF_ANY))
		return -errno;
	return 0;
}

void tracer__lost(const struct tracer *t, __u64 lost[PL_EV_MAX])
{
	for (int i = 0; i < PL_EV_MAX; i++)
		lost[i] = __atomic_load_n(&t->skel->bss->lost[i], __ATOMIC_RELAXED);
}

void tracer__free(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	proclife_bpf__destroy(t->skel);
	free(t);
}
