// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "proclife.skel.h"
#include "kernel/tracer.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define LOAD_TRIES 16            /* each refused variant costs one more load; there are fewer than this */
#define VERIFIER_LOG_SIZE (4u << 20)
#define MAX_LINKS 16 /* more than the programs of any set of variants */

/*
 * The program groups: one per feature, each with its variants, best
 * first. The loader takes the first variant whose needs the kernel meets;
 * if the verifier refuses it, the next; with none left, the feature is off.
 */
struct variant {
	enum kfeature feature;
	const char *progs[4];
	__u32 needs;            /* KCAP_* */
	const char *reduced;    /* NULL, or what this variant lacks */
};

#define NO_TARGET_NAMES "refused kills do not name their target: needs the bpf_task_from_pid() kfunc (Linux 6.2)"

static const struct variant variants[] = {
	{ KF_CORE, { "pl_fork", "pl_exec", "pl_exit", "pl_free" }, KCAP_GROUP_DEAD, NULL },
	{ KF_CORE, { "pl_fork", "pl_exec", "pl_exit_legacy", "pl_free" }, 0, NULL },
	{ KF_SYSCALLS, { "pl_sys_exit" }, KCAP_TASK_BTF | KCAP_FROM_PID, NULL },
	{ KF_SYSCALLS, { "pl_sys_exit_nonames" }, KCAP_TASK_BTF, NO_TARGET_NAMES },
	{ KF_SYSCALLS, { "pl_sys_exit_v510" }, 0, NO_TARGET_NAMES },
	{ KF_SIGNALS, { "pl_signal_generate" }, KCAP_TASK_BTF | KCAP_PT_REGS, NULL },
	{ KF_SIGNALS, { "pl_signal_generate_v510" }, 0, NULL },
	{ KF_OOM, { "pl_oom_victim" }, KCAP_OOM_TASK, NULL },
	{ KF_DELIVERY, { "pl_signal_deliver" }, KCAP_TASK_BTF, NULL },
	{ KF_DELIVERY, { "pl_signal_deliver_v510" }, 0, NULL },
	{ KF_RENAME, { "pl_rename" }, 0, NULL },
	{ KF_SAMPLING, { "pl_sample_walk" }, KCAP_TASK_ITER, NULL },
	{ KF_SAMPLING, { "pl_sample" }, 0, NULL },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

struct tracer {
	struct proclife_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_LINKS];
	int prog_fds[MAX_LINKS];  /* each link's program */
	__u32 prog_types[MAX_LINKS]; /* the event a run of it that never happened loses (0: none to say) */
	int nlinks;
	__u64 misses[PL_EV_MAX];  /* the programs' recursion misses, by event type, as last read */
	__u64 misses_read_ns;     /* when (CLOCK_MONOTONIC) */
	int chosen[KF_MAX];   /* the variant loaded per feature (index into variants[]), or -1 */
	char *sample_buf;     /* tracer__sample(): the iterator's output */
	size_t sample_cap;
	const struct pl_sample *sample_map; /* pl_sample_walk's output, mapped (PL_SAMPLE_MAX entries) */
	struct kfeature_status features[KF_MAX];
};

/* What libbpf said during a load: kept to name the program that failed (and for --verbose). */
static struct {
	char *buf;
	size_t len, cap;
	bool capturing;
} said;

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

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (said.capturing && level != LIBBPF_DEBUG) {
		va_list aq;
		int n;

		va_copy(aq, ap);
		n = vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		if (n > 0 && said.len + n + 1 > said.cap) {
			size_t cap = (said.len + n + 1) * 2;
			char *b = realloc(said.buf, cap);

			if (b) {
				said.buf = b;
				said.cap = cap;
			}
		}
		if (n > 0 && said.len + n + 1 <= said.cap)
			said.len += vsnprintf(said.buf + said.len, said.cap - said.len, fmt, ap);
		return 0;
	}
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("PROCLIFE_DEBUG")))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* The program libbpf named in its last complaint ("prog 'NAME': ..."), or "". */
static void failed_program(char *name, size_t len)
{
	const char *p = said.buf, *last = NULL;

	name[0] = '\0';
	while (p && (p = strstr(p, "prog '"))) {
		last = p + 6;
		p = last;
	}
	if (last) {
		const char *end = strchr(last, '\'');
		size_t n = end ? (size_t)(end - last) : 0;

		if (n >= len)
			n = len - 1;
		memcpy(name, last, n);
		name[n] = '\0';
	}
}

/* Is this program of the variant needed for what was asked? */
static bool prog_wanted(const char *name, enum kfeature f, __u32 ev, const struct tracer_config *cfg)
{
	if (f == KF_SAMPLING)
		return cfg->sample;
	if (f != KF_CORE)
		return ev & kfeature__events(f);
	if (!strcmp(name, "pl_fork"))
		return (ev & PL_EV_BIT(PL_EV_FORK)) || cfg->follow;
	if (!strcmp(name, "pl_exec"))
		return ev & PL_EV_BIT(PL_EV_EXEC);
	if (!strcmp(name, "pl_free"))
		return (ev & PL_EV_BIT(PL_EV_REAP)) || cfg->follow; /* following: members leave when released */
	return ev & (PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_REAP));
}

/* The events the kernel must report: --failed needs no program for types that cannot fail. */
static __u32 kernel_events(const struct tracer_config *cfg)
{
	return cfg->failed_only ? cfg->events & PL_EV_FAILABLE : cfg->events;
}

static void configure(struct proclife_bpf *skel, const struct tracer_config *cfg, const struct btf *vmlinux)
{
	int ncpus = libbpf_num_possible_cpus();

	skel->rodata->cfg_events = kernel_events(cfg);
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
	skel->rodata->cfg_thread_size = kcaps__thread_size();
	skel->rodata->cfg_cgroup1_ssid = kcaps__cgroup_ssid(vmlinux, cfg->cgroup1_controller);

	bpf_map__set_max_entries(skel->maps.scratch, ncpus > 0 ? ncpus : 1);
	/* The sampling walk's output: room only when sampling is asked for. */
	bpf_map__set_max_entries(skel->maps.sample_out, cfg->sample ? PL_SAMPLE_MAX : 1);
	if (cfg->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_bytes);
}

/*
 * The load plan: for each feature, the variant to try (an index into
 * variants[], or -1: off/unused), and the status so far.
 */
struct plan {
	int chosen[KF_MAX];
	struct kfeature_status *st;
	__u32 caps;
	const struct btf *vmlinux;
};

/* The tracepoint a program attaches to ("sched_process_exit"), from its section name. */
static const char *prog_tracepoint(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
	const char *sec = p ? bpf_program__section_name(p) : NULL;

	return sec && !strncmp(sec, "tp_btf/", 7) ? sec + 7 : NULL;
}

/* The first usable variant of feature f from index `from`, or -1 with why in st->why. */
static int pick_variant(struct plan *pl, struct bpf_object *obj, enum kfeature f, size_t from, bool legacy_exit)
{
	for (size_t i = from; i < NVARIANTS; i++) {
		const struct variant *v = &variants[i];
		bool tps = true;

		if (v->feature != f)
			continue;
		if (legacy_exit && v->needs & KCAP_GROUP_DEAD)
			continue;
		if ((v->needs & pl->caps) != v->needs) {
			snprintf(pl->st[f].why, sizeof(pl->st[f].why), "%s", kcap__needs(v->needs & ~pl->caps));
			continue;
		}
		for (int j = 0; j < 4 && v->progs[j]; j++) {
			const char *tp = prog_tracepoint(obj, v->progs[j]);

			if (tp && !kcaps__has_tracepoint(pl->vmlinux, tp)) {
				snprintf(pl->st[f].why, sizeof(pl->st[f].why), "the kernel has no tracepoint %s", tp);
				tps = false;
			}
		}
		if (tps)
			return (int)i;
	}
	return -1;
}

/* Forced off by the hidden test switch PROCLIFE_FEATURES_OFF=name[,name...]? */
static bool forced_off(enum kfeature f)
{
	const char *off = getenv("PROCLIFE_FEATURES_OFF");
	size_t n = strlen(kfeature__name(f));

	for (const char *p = off; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strcspn(p, ",") == n && !strncmp(p, kfeature__name(f), n))
			return true;
	}
	return false;
}

static void plan__init(struct plan *pl, struct bpf_object *obj, const struct tracer_config *cfg)
{
	__u32 ev = kernel_events(cfg);

	for (int f = 0; f < KF_MAX; f++) {
		struct kfeature_status *st = &pl->st[f];

		pl->chosen[f] = -1;
		st->state = KF_UNUSED;
		if (f == KF_SAMPLING ? !cfg->sample : f != KF_CORE && !(ev & kfeature__events(f)))
			continue;
		if (f == KF_CORE && !(ev & kfeature__events(f)) && !cfg->follow)
			continue;
		if (forced_off(f)) {
			st->state = KF_OFF;
			snprintf(st->why, sizeof(st->why), "turned off by PROCLIFE_FEATURES_OFF");
			continue;
		}
		pl->chosen[f] = pick_variant(pl, obj, f, 0, cfg->legacy_exit);
		st->state = pl->chosen[f] < 0 ? KF_OFF : KF_ON;
	}
}

/* Autoload exactly the chosen variants' wanted programs. */
static void plan__apply(const struct plan *pl, struct bpf_object *obj, const struct tracer_config *cfg,
			char *log, size_t logsize)
{
	struct bpf_program *p;
	__u32 ev = kernel_events(cfg);

	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, false);
	for (int f = 0; f < KF_MAX; f++) {
		const struct variant *v;

		if (pl->chosen[f] < 0)
			continue;
		v = &variants[pl->chosen[f]];
		for (int j = 0; j < 4 && v->progs[j]; j++) {
			p = bpf_object__find_program_by_name(obj, v->progs[j]);
			if (!p || !prog_wanted(v->progs[j], f, ev, cfg))
				continue;
			bpf_program__set_autoload(p, true);
			/* One buffer for all: only a refused program writes its log. */
			if (log)
				bpf_program__set_log_buf(p, log, logsize);
		}
	}
}

/* Which feature's chosen variant holds program name; -1 if none. */
static int plan__owner(const struct plan *pl, const char *name)
{
	for (int f = 0; f < KF_MAX; f++) {
		if (pl->chosen[f] < 0)
			continue;
		for (int j = 0; j < 4 && variants[pl->chosen[f]].progs[j]; j++)
			if (!strcmp(variants[pl->chosen[f]].progs[j], name))
				return f;
	}
	return -1;
}

/* The status of each feature once its variant loaded. */
static void plan__settle(struct plan *pl)
{
	for (int f = 0; f < KF_MAX; f++) {
		const struct variant *v;

		if (pl->chosen[f] < 0)
			continue;
		v = &variants[pl->chosen[f]];
		pl->st[f].program = v->progs[f == KF_CORE ? 2 : 0]; /* core: its exit program is what varies */
		if (v->reduced) {
			pl->st[f].state = KF_REDUCED;
			snprintf(pl->st[f].why, sizeof(pl->st[f].why), "%s", v->reduced);
		} else {
			pl->st[f].state = KF_ON;
		}
	}
}

/* Why a load failed, in one line: the verifier's last words, or libbpf's. */
static void refusal(const char *prog, const char *log, char *why, size_t len)
{
	const char *end, *start;

	if (log && *log) {
		/* The verifier's complaint is the last line before "processed N insns". */
		end = strstr(log, "\nprocessed ");
		end = end ? end : log + strlen(log);
		while (end > log && end[-1] == '\n')
			end--;
		start = end;
		while (start > log && start[-1] != '\n')
			start--;
		snprintf(why, len, "the verifier refused %s: %.*s", prog, (int)(end - start), start);
		return;
	}
	snprintf(why, len, "libbpf could not load %s", prog);
	if (said.buf && (start = strstr(said.buf, prog))) {
		end = strchr(start, '\n');
		snprintf(why, len, "libbpf could not load %.*s", (int)(end ? end - start : (long)strlen(start)), start);
	}
}

static int load(struct tracer *t, const struct tracer_config *cfg, char *msg, size_t msglen)
{
	struct plan pl = { .st = t->features };
	char *log = malloc(VERIFIER_LOG_SIZE);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int err = -EINVAL;

	if (!vmlinux) {
		snprintf(msg, msglen, "cannot read the kernel's BTF (%s)", VMLINUX_BTF);
		free(log);
		return -ENOENT;
	}
	pl.vmlinux = vmlinux;
	pl.caps = kcaps__probe(vmlinux);
	for (int tries = 0; tries < LOAD_TRIES; tries++) {
		char name[128];
		int f;

		/*
		 * CO-RE against the kernel's own BTF file: without a path, libbpf
		 * 1.1 also lists the modules' BTF for relocations, which needs
		 * CAP_SYS_ADMIN; proclife traces no module, and the systemd
		 * units give it only CAP_BPF and CAP_PERFMON.
		 */
		LIBBPF_OPTS(bpf_object_open_opts, oo,
			    .btf_custom_path = access(VMLINUX_BTF, R_OK) == 0 ? VMLINUX_BTF : NULL);

		t->skel = proclife_bpf__open_opts(&oo);
		if (!t->skel) {
			err = -errno;
			snprintf(msg, msglen, "cannot open the BPF object: %s", strerror(-err));
			break;
		}
		if (tries == 0)
			plan__init(&pl, t->skel->obj, cfg);
		if (pl.chosen[KF_CORE] < 0 && pl.st[KF_CORE].state == KF_OFF) {
			snprintf(msg, msglen, "cannot trace: %s is off on this kernel: %s", kfeature__title(KF_CORE),
				 pl.st[KF_CORE].why);
			err = -EOPNOTSUPP;
			break;
		}
		configure(t->skel, cfg, vmlinux);
		plan__apply(&pl, t->skel->obj, cfg, log, log ? VERIFIER_LOG_SIZE : 0);
		if (log)
			log[0] = '\0';
		said.len = 0;
		if (said.buf)
			said.buf[0] = '\0';
		said.capturing = true;
		err = proclife_bpf__load(t->skel);
		said.capturing = false;
		if (!err) {
			plan__settle(&pl);
			memcpy(t->chosen, pl.chosen, sizeof(t->chosen));
			break;
		}
		failed_program(name, sizeof(name));
		f = plan__owner(&pl, name);
		if (f < 0) {
			/* Nothing to blame one feature for (a map the kernel refuses, ...): say what libbpf said. */
			const char *last = said.buf ? said.buf : "";
			size_t n = strcspn(last, "\n");

			snprintf(msg, msglen, "cannot load the BPF programs: %s%s%.*s", strerror(-err), n ? ": " : "",
				 (int)n, last);
			break;
		}
		/* That feature's next variant, or off. */
		free(pl.st[f].log);
		pl.st[f].log = log && *log ? strdup(log) : (said.buf ? strdup(said.buf) : NULL);
		refusal(name, log, pl.st[f].why, sizeof(pl.st[f].why));
		pl.chosen[f] = pick_variant(&pl, t->skel->obj, f, pl.chosen[f] + 1, cfg->legacy_exit);
		if (pl.chosen[f] < 0) {
			pl.st[f].state = KF_OFF;
			if (f == KF_CORE) {
				snprintf(msg, msglen, "cannot trace: %s is off on this kernel: %s", kfeature__title(f),
					 pl.st[f].why);
				err = -EOPNOTSUPP;
				break;
			}
		}
		proclife_bpf__destroy(t->skel);
		t->skel = NULL;
		err = -EAGAIN;
	}
	if (err == -EAGAIN)
		snprintf(msg, msglen, "cannot load the BPF programs: gave up after %d tries", LOAD_TRIES);
	btf__free(vmlinux);
	free(log);
	return err;
}

/*
 * A program the kernel did not run because it was already running on that
 * CPU (preempted mid-run: from 5.7 on, tracing programs run preemptible),
 * counted in the program's recursion_misses (5.12+), lost the event it
 * would have reported. pl_sys_exit runs for every syscall, most of them of
 * no interest: its misses would be noise, so they are left out.
 */
static __u32 lost_type_of(const char *prog)
{
	static const struct {
		const char *prefix;
		__u32 type;
	} types[] = {
		{ "pl_fork", PL_EV_FORK }, { "pl_exec", PL_EV_EXEC }, { "pl_exit", PL_EV_EXIT },
		{ "pl_free", PL_EV_REAP }, { "pl_signal_generate", PL_EV_SIGNAL }, { "pl_oom_victim", PL_EV_EXIT },
		{ "pl_signal_deliver", PL_EV_DELIVER }, { "pl_rename", PL_EV_RENAME },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strncmp(prog, types[i].prefix, strlen(types[i].prefix)))
			return types[i].type;
	return 0;
}

/* Attach each loaded program; a feature whose program cannot attach is off, the rest go on. */
static int attach(struct tracer *t, char *msg, size_t msglen)
{
	for (int f = 0; f < KF_MAX; f++) {
		struct kfeature_status *st = &t->features[f];
		int first = t->nlinks;
		const struct variant *v;

		if (st->state != KF_ON && st->state != KF_REDUCED)
			continue;
		v = &variants[t->chosen[f]];

		for (int j = 0; j < 4 && v->progs[j]; j++) {
			struct bpf_program *p = bpf_object__find_program_by_name(t->skel->obj, v->progs[j]);
			struct bpf_link *link;

			if (!p || !bpf_program__autoload(p))
				continue;
			/* A syscall program is run on demand (tracer__sample), not attached. */
			if (bpf_program__type(p) == BPF_PROG_TYPE_SYSCALL) {
				t->prog_fds[t->nlinks] = bpf_program__fd(p);
				t->prog_types[t->nlinks] = 0;
				t->links[t->nlinks++] = NULL;
				continue;
			}
			link = bpf_program__attach(p);
			if (!link) {
				int err = -errno;

				if (f == KF_CORE) {
					snprintf(msg, msglen, "cannot attach %s: %s", v->progs[j], strerror(-err));
					return err;
				}
				while (t->nlinks > first)
					bpf_link__destroy(t->links[--t->nlinks]);
				st->state = KF_OFF;
				st->program = NULL;
				snprintf(st->why, sizeof(st->why), "cannot attach %s: %s", v->progs[j], strerror(-err));
				break;
			}
			/* variants[] has at most 4 programs a feature: fits */
			t->prog_fds[t->nlinks] = bpf_program__fd(p);
			t->prog_types[t->nlinks] = lost_type_of(v->progs[j]);
			t->links[t->nlinks++] = link;
		}
	}
	return 0;
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
	err = load(t, cfg, msg, msglen);
	if (err)
		goto fail;
	err = attach(t, msg, msglen);
	if (err)
		goto fail;
	if (cfg->probe_only) {
		*ret = t;
		return 0;
	}
	/* Everything that starts from now on is seen from its fork. */
	t->skel->bss->boot_cutoff_ns = boottime_ns();
	/* Exit records wait for the parent's notification, where usage is final (bpf/lib/usage.bpf.h). */
	t->skel->bss->exit_at_notify = t->features[KF_SIGNALS].state == KF_ON ||
				       t->features[KF_SIGNALS].state == KF_REDUCED;
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

const struct kfeature_status *tracer__features(const struct tracer *t)
{
	return t->features;
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

/* A bpf_prog_info per program is a costly syscall: read the misses at most every MISSES_EVERY_NS. */
#define MISSES_EVERY_NS 100000000ull

static void read_misses(struct tracer *t)
{
	struct timespec ts;
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	if (t->misses_read_ns && now - t->misses_read_ns < MISSES_EVERY_NS)
		return;
	t->misses_read_ns = now;
	memset(t->misses, 0, sizeof(t->misses));
	for (int i = 0; i < t->nlinks; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (t->prog_types[i] && !bpf_obj_get_info_by_fd(t->prog_fds[i], &info, &len))
			t->misses[t->prog_types[i]] += info.recursion_misses;
	}
}

void tracer__lost(struct tracer *t, __u64 lost[PL_EV_MAX])
{
	read_misses(t);
	for (int i = 0; i < PL_EV_MAX; i++) {
		lost[i] = __atomic_load_n(&t->skel->bss->lost[i], __ATOMIC_RELAXED);
		/* And the runs the kernel skipped (lost_type_of()). */
		lost[i] += t->misses[i];
	}
}

/* pl_sample_walk: one run, its output read where the map is mapped. */
static int sample_walk(struct tracer *t, tracer_sample_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	size_t size = (size_t)PL_SAMPLE_MAX * sizeof(struct pl_sample);
	__u32 n;

	if (!t->sample_map) {
		void *m = mmap(NULL, size, PROT_READ, MAP_SHARED, bpf_map__fd(t->skel->maps.sample_out), 0);

		if (m == MAP_FAILED)
			return -errno;
		t->sample_map = m;
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.pl_sample_walk), &opts) < 0)
		return -errno;
	n = t->skel->bss->sample_count;
	for (__u32 i = 0; i < n && i < PL_SAMPLE_MAX; i++)
		fn(ctx, &t->sample_map[i]);
	return 0;
}

int tracer__sample(struct tracer *t, tracer_sample_fn fn, void *ctx)
{
	int prog = bpf_program__fd(t->skel->progs.pl_sample), fd = -1, r = 0;
	size_t len = 0;

	if (t->chosen[KF_SAMPLING] >= 0 && !strcmp(variants[t->chosen[KF_SAMPLING]].progs[0], "pl_sample_walk") &&
	    (t->features[KF_SAMPLING].state == KF_ON || t->features[KF_SAMPLING].state == KF_REDUCED))
		return sample_walk(t, fn, ctx);

	for (int i = 0; i < t->nlinks && fd < 0; i++)
		if (t->prog_fds[i] == prog)
			fd = bpf_iter_create(bpf_link__fd(t->links[i]));
	if (fd < 0)
		return t->features[KF_SAMPLING].state == KF_ON ? -errno : -EOPNOTSUPP;
	/* Records may straddle two reads: gather the whole file, then hand them out. */
	for (;;) {
		ssize_t n;

		if (t->sample_cap - len < 65536) {
			size_t cap = t->sample_cap ? t->sample_cap * 2 : 1 << 20;
			char *nb = realloc(t->sample_buf, cap);

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			t->sample_buf = nb;
			t->sample_cap = cap;
		}
		n = read(fd, t->sample_buf + len, t->sample_cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		len += n;
	}
	close(fd);
	for (size_t off = 0; r == 0 && off + sizeof(struct pl_sample) <= len; off += sizeof(struct pl_sample)) {
		struct pl_sample s;

		memcpy(&s, t->sample_buf + off, sizeof(s));
		fn(ctx, &s);
	}
	return r;
}

void tracer__free(struct tracer *t)
{
	if (!t)
		return;
	free(t->sample_buf);
	if (t->sample_map)
		munmap((void *)t->sample_map, (size_t)PL_SAMPLE_MAX * sizeof(struct pl_sample));
	ring_buffer__free(t->rb);
	while (t->nlinks > 0)
		bpf_link__destroy(t->links[--t->nlinks]);
	proclife_bpf__destroy(t->skel);
	for (int f = 0; f < KF_MAX; f++)
		free(t->features[f].log);
	free(t);
}
