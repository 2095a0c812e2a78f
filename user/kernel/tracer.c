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

#include "base/msg.h"
#include "proclife.skel.h"
#include "kernel/arch.h"
#include "kernel/refusal.h"
#include "kernel/tracefs.h"
#include "kernel/tracer.h"
#include "kernel/variants.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/*
 * A program loaded for a feature, and one of its links: attached, or (a
 * syscall program) run on demand. A program on several tracepoints (a
 * per-syscall tracepoint variant) has one entry per link.
 */
struct loaded {
	struct bpf_link *link;  /* NULL: run on demand (tracer__sample), not attached */
	int prog_fd;
	enum kfeature feature;
	__u32 lost;             /* the event a run the kernel skipped loses (0: none to say) */
	bool again;             /* another link of the program before: its misses are counted there */
};

struct tracer {
	struct proclife_bpf *skel;
	struct ring_buffer *rb;
	struct loaded *progs;     /* nprogs of them */
	int nprogs, cap;
	__u64 avoid;              /* variants (bits by table index) whose programs could not be attached */
	__u64 misses[PL_EV_MAX];  /* the programs' recursion misses, by event type, as last read */
	__u64 misses_read_ns;     /* when (CLOCK_MONOTONIC) */
	const struct variant *chosen[KF_MAX]; /* the variant loaded per feature, or NULL */
	char *sample_buf;     /* tracer__sample(): the iterator's output */
	size_t sample_cap;
	const struct pl_sample *sample_map; /* pl_sample_walk's output, mapped (PL_SAMPLE_MAX entries) */
	struct kfeature_status features[KF_MAX];
};

/* What libbpf said during a load: for the reason of a failure no program is blamed for, and --verbose. */
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

static void said__append(const char *fmt, va_list ap)
{
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
}

static void said__start(void)
{
	said.len = 0;
	if (said.buf)
		said.buf[0] = '\0';
	said.capturing = true;
}

/* libbpf's messages: kept during a load, else handed on, a line each, to the command's sink. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char text[1024], *save = NULL;

	if (level == LIBBPF_DEBUG)
		return 0;
	if (said.capturing) {
		said__append(fmt, ap);
		return 0;
	}
	if (level == LIBBPF_INFO && !getenv("PROCLIFE_DEBUG"))
		return 0;
	vsnprintf(text, sizeof(text), fmt, ap);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		msg__say(level == LIBBPF_WARN ? MSG_WARN : MSG_INFO, "%s", line);
	return 0;
}

/*
 * The events the kernel must report: --failed needs no program for types
 * that cannot fail, --setid none for types other than exec and cred.
 */
static __u32 kernel_events(const struct tracer_config *cfg)
{
	__u32 ev = cfg->failed_only ? cfg->events & PL_EV_FAILABLE : cfg->events;

	return cfg->setid_only ? ev & PL_EV_SETID : ev;
}

/* What the configuration asks of the variants. */
static struct vwant wanted(const struct tracer_config *cfg)
{
	return (struct vwant){ .events = kernel_events(cfg), .follow = cfg->follow, .sample = cfg->sample,
			       .lean = cfg->lean, .counts = cfg->counts };
}

static bool prog_wanted(const struct vprog *p, const struct tracer_config *cfg)
{
	struct vwant w = wanted(cfg);

	return vprog__wanted(p, &w);
}

/*
 * The hidden test switch PROCLIFE_ZOMBIES_MAX=N sizes the kernel's zombie
 * table (bpf/lib/common.bpf.h), so that a test fills it with a few zombies.
 */
static void zombies_max(struct proclife_bpf *skel)
{
	const char *s = getenv("PROCLIFE_ZOMBIES_MAX");
	char *end;
	unsigned long n = s ? strtoul(s, &end, 10) : 0;

	if (s && *s && !*end && n >= 1 && n <= (1ul << 22))
		bpf_map__set_max_entries(skel->maps.zombies, n);
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
	skel->rodata->cfg_args_cap = tracer_config__args_cap(cfg);
	skel->rodata->cfg_wakeup_bytes = cfg->wakeup_bytes;
	skel->rodata->cfg_follow = cfg->follow;
	skel->rodata->cfg_thread_size = kcaps__thread_size();
	skel->rodata->cfg_cgroup1_ssid = kcaps__cgroup_ssid(vmlinux, cfg->cgroup1_controller);
	skel->rodata->cfg_lean = cfg->lean;
	skel->rodata->cfg_counts = cfg->counts;
	skel->rodata->cfg_auid = cfg->by_auid ? cfg->auid : PL_UID_ANY;
	skel->rodata->cfg_session = cfg->by_session ? cfg->session : PL_UID_ANY;
	skel->rodata->cfg_tty = cfg->by_tty ? cfg->tty : PL_UID_ANY;
	skel->rodata->cfg_setid_only = cfg->setid_only;
	skel->rodata->cfg_cgroup_filter = cfg->cgroup_filter;

	bpf_map__set_max_entries(skel->maps.scratch, ncpus > 0 ? ncpus : 1);
	/* The sampling walk's output: room only when sampling is asked for. */
	bpf_map__set_max_entries(skel->maps.sample_out, cfg->sample ? PL_SAMPLE_MAX : 1);
	bpf_map__set_max_entries(skel->maps.counts, cfg->counts ? PL_CNT_MAX : 1);
	/* The cgroup filter's verdicts: room only when filtering (an LRU map is allocated whole). */
	if (!cfg->cgroup_filter)
		bpf_map__set_max_entries(skel->maps.cgroup_filter, 1);
	if (cfg->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_bytes);
	zombies_max(skel);
}

/*
 * How the next load is done. A refusal that no log tells is loaded again
 * with every program's statistics (LOAD_STATS); when that blames the first
 * program, the object alone (LOAD_BARE) tells it from a failure of the
 * object (kernel/refusal.h).
 */
enum load_pass { LOAD_PLAIN, LOAD_STATS, LOAD_BARE };

/* The load plan: for each feature, the variant to try (NULL: off or unused), and the status so far. */
struct plan {
	const struct variant *chosen[KF_MAX];
	struct kfeature_status *st;
	const struct tracer_config *cfg;
	__u32 caps;
	__u64 avoid;          /* variants (bits by table index) not to take: their programs could not be attached */
	bool priced_out[KF_MAX]; /* a variant was left for what it costs every syscall (cfg->lean) */
	bool trampolines_tried;  /* a fexit program was loaded alone (trampolines_allowed()) */
	const struct btf *vmlinux;
	enum load_pass pass;
	struct {             /* LOAD_BARE: the refusal it may confirm */
		int feature, err;
		char prog[64];
		char *said;  /* libbpf's words on it (owned) */
	} pending;
};

/* Has the kernel the tracepoint of each of v's tp_btf programs? If not, why says which it lacks. */
static bool tracepoints_there(const struct plan *pl, const struct proclife_bpf *skel, const struct variant *v,
			      char *why, size_t len)
{
	bool there = true;

	for (int j = 0; j < variant__nprogs(v); j++) {
		const char *sec = bpf_program__section_name(vprog__get(&v->progs[j], skel));

		if (!strncmp(sec, "tp_btf/", 7) && !kcaps__has_tracepoint(pl->vmlinux, sec + 7)) {
			snprintf(why, len, "the kernel has no tracepoint %s", sec + 7);
			there = false;
		} else if (!strncmp(sec, "tracepoint/", 11) && !kcaps__has_trace_event(sec + 11, why, len)) {
			there = false;
		}
	}
	return there;
}

/*
 * Does the kernel load a fexit program? Some refuse every one (EPERM)
 * although their BTF lists the functions: a two-instruction program on a
 * syscall's function, loaded alone, tells in a millisecond, where a refused
 * variant costs a load of the whole object or two.
 */
static bool trampolines_allowed(const struct btf *vmlinux)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = btf__find_by_name_kind(vmlinux, ARCH_SYSCALL_FN_PREFIX "kill", BTF_KIND_FUNC);
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FEXIT, .attach_btf_id = id);
	int fd;

	if (id <= 0)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pl_probe_fexit", "GPL", insns, 2, &opts);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Can v's per-syscall tracepoint programs be attached (tracefs, the tracepoints, perf_event_open())? */
static bool sys_exits_usable(const struct variant *v, char *why, size_t len)
{
	for (int j = 0; j < variant__nprogs(v); j++)
		if (v->progs[j].sys_exits && tracefs__sys_exits_usable(v->progs[j].sys_exits, why, len) < 0)
			return false;
	return true;
}

/*
 * A consumer of states and counts takes no variant that costs every
 * syscall: why it is left, after why the better ones were (a refusal).
 */
static void costs_too_much(enum vcost cost, char *why, size_t len)
{
	char before[sizeof(((struct kfeature_status *)0)->why)];

	snprintf(before, sizeof(before), "%s", why);
	snprintf(why, len, "%.120s%snot loaded for a command that keeps states and counts: %s", before,
		 *before ? "; " : "", vcost__what(cost));
}

/* Feature f's first usable variant after `after` (NULL: from its best), or NULL with why in st->why. */
static const struct variant *pick_variant(struct plan *pl, const struct proclife_bpf *skel, enum kfeature f,
					  const struct variant *after)
{
	size_t n;
	const struct variant *table = variants__table(&n);
	char *why = pl->st[f].why;
	size_t len = sizeof(pl->st[f].why);
	/* A variant this kernel could run but that failed (no tracefs, no perf_event_open) says more than one it cannot. */
	bool failed = false;

	for (size_t i = after ? (size_t)(after - table) + 1 : 0; i < n; i++) {
		const struct variant *v = &table[i];

		if (v->feature != f || (i < 64 && (pl->avoid >> i) & 1))
			continue;
		if (pl->cfg->legacy_exit && v->needs & KCAP_GROUP_DEAD)
			continue;
		if ((v->needs & pl->caps & KCAP_TRAMPOLINE) && !pl->trampolines_tried) {
			pl->trampolines_tried = true;
			if (!trampolines_allowed(pl->vmlinux))
				pl->caps &= ~KCAP_TRAMPOLINE;
		}
		if (pl->cfg->lean && variant__cost(v, skel)) {
			if (!pl->priced_out[f])
				costs_too_much(variant__cost(v, skel), why, len);
			pl->priced_out[f] = true;
			continue;
		}
		if ((v->needs & pl->caps) != v->needs) {
			if (!failed)
				snprintf(why, len, "%s", kcap__needs(v->needs & ~pl->caps));
			continue;
		}
		if (tracepoints_there(pl, skel, v, why, len) && sys_exits_usable(v, why, len))
			return v;
		failed = true;
	}
	return NULL;
}

/*
 * Feature f has no variant left: off; or, for a command that keeps states
 * and counts, reduced when one was left for its cost (a metrics-only run
 * without trampolines does not count failed execs: it says so, and runs).
 */
static enum kfeature_state plan__none_left(const struct plan *pl, enum kfeature f)
{
	return pl->priced_out[f] ? KF_REDUCED : KF_OFF;
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

static void plan__init(struct plan *pl, const struct proclife_bpf *skel)
{
	const struct tracer_config *cfg = pl->cfg;
	struct vwant w = wanted(cfg);

	for (int f = 0; f < KF_MAX; f++) {
		struct kfeature_status *st = &pl->st[f];

		pl->chosen[f] = NULL;
		st->state = KF_UNUSED;
		if (!variants__feature_wanted(f, &w))
			continue;
		if (forced_off(f)) {
			st->state = KF_OFF;
			snprintf(st->why, sizeof(st->why), "turned off by PROCLIFE_FEATURES_OFF");
			continue;
		}
		pl->chosen[f] = pick_variant(pl, skel, f, NULL);
		st->state = pl->chosen[f] ? KF_ON : plan__none_left(pl, f);
	}
}

/* Autoload exactly the chosen variants' wanted programs. */
static void plan__apply(const struct plan *pl, struct proclife_bpf *skel)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	for (int f = 0; f < KF_MAX; f++) {
		const struct variant *v = pl->chosen[f];

		for (int j = 0; v && j < variant__nprogs(v); j++)
			if (prog_wanted(&v->progs[j], pl->cfg))
				bpf_program__set_autoload(vprog__get(&v->progs[j], skel), true);
	}
}

/* Which feature's chosen variant holds program p; -1 if none. */
static int plan__owner(const struct plan *pl, const struct proclife_bpf *skel, const struct bpf_program *p)
{
	for (int f = 0; f < KF_MAX; f++) {
		const struct variant *v = pl->chosen[f];

		for (int j = 0; v && j < variant__nprogs(v); j++)
			if (vprog__get(&v->progs[j], skel) == p)
				return f;
	}
	return -1;
}

/* The status of each feature once its variant loaded (attach() may still turn one off). */
static void plan__settle(struct plan *pl, const struct proclife_bpf *skel)
{
	for (int f = 0; f < KF_MAX; f++) {
		const struct variant *v = pl->chosen[f];

		if (!v)
			continue;
		pl->st[f].cost = vcost__what(variant__cost(v, skel));
		if (v->reduced) {
			char before[sizeof(pl->st[f].why)];

			/* What this variant lacks, then why the better ones were not taken (if they were tried). */
			snprintf(before, sizeof(before), "%s", pl->st[f].why);
			pl->st[f].state = KF_REDUCED;
			snprintf(pl->st[f].why, sizeof(pl->st[f].why), "%s%s%.200s", v->reduced, before[0] ? "; " : "",
				 before);
		} else {
			pl->st[f].state = KF_ON;
		}
	}
}

/*
 * The kernel refused program `prog` of feature f: keep why (from the
 * verifier's log, else from err) and, for --verbose, that log or libbpf's
 * words; take f's next variant, or turn it off. -EAGAIN: load again;
 * -EOPNOTSUPP: the core is off.
 */
static int plan__refused(struct plan *pl, const struct proclife_bpf *skel, enum kfeature f, const char *prog,
			 const char *log, const char *libbpf_said, int err, char *msg, size_t msglen)
{
	struct kfeature_status *st = &pl->st[f];
	struct bpf_program *p = bpf_object__find_program_by_name(skel->obj, prog);

	free(st->log);
	st->log = *log ? strdup(log) : libbpf_said && *libbpf_said ? strdup(libbpf_said) : NULL;
	refusal__why(prog, log, err, st->why, sizeof(st->why));
	/* A fentry/fexit program refused: so will every other, whatever the BTF lists. */
	if (p && bpf_program__type(p) == BPF_PROG_TYPE_TRACING &&
	    (bpf_program__expected_attach_type(p) == BPF_TRACE_FEXIT ||
	     bpf_program__expected_attach_type(p) == BPF_TRACE_FENTRY))
		pl->caps &= ~KCAP_TRAMPOLINE;
	pl->chosen[f] = pick_variant(pl, skel, f, pl->chosen[f]);
	if (pl->chosen[f])
		return -EAGAIN;
	st->state = plan__none_left(pl, f);
	if (f != KF_CORE)
		return -EAGAIN;
	snprintf(msg, msglen, "cannot trace: %s is off on this kernel: %s", kfeature__title(f), st->why);
	return -EOPNOTSUPP;
}

/* A load failed with no program to blame (a map the kernel refuses, ...): say what libbpf said. */
static int object_failed(int err, char *msg, size_t msglen)
{
	size_t n = said.buf ? strcspn(said.buf, "\n") : 0;

	snprintf(msg, msglen, "cannot load the BPF programs: %s%s%.*s", strerror(-err), n ? ": " : "", (int)n,
		 n ? said.buf : "");
	return err == -EAGAIN ? -EIO : err; /* -EAGAIN would mean "load again" */
}

/*
 * The hidden test switch PROCLIFE_REFUSE=name[:silent][,...]: the kernel
 * refuses these programs. A program is pointed at sched_process_free, a
 * tracepoint of one argument, which the verifier refuses, with a log, if
 * the program reads a second one (pl_rename, pl_exit, pl_sys_exit, ...);
 * ":silent" leaves it of no program type, which libbpf refuses before the
 * kernel sees it, without a log (as a fentry program is refused where
 * trampolines are not allowed).
 */
static void refuse_on_request(struct proclife_bpf *skel)
{
	const char *list = getenv("PROCLIFE_REFUSE");
	struct bpf_program *p;

	bpf_object__for_each_program(p, skel->obj) {
		const char *name = bpf_program__name(p);
		size_t n = strlen(name);

		for (const char *at = list; at && *at; at += strcspn(at, ",") + (at[strcspn(at, ",")] == ',')) {
			if (strncmp(at, name, n) || (at[n] && at[n] != ',' && at[n] != ':'))
				continue;
			if (!strncmp(at + n, ":silent", 7))
				bpf_program__set_type(p, BPF_PROG_TYPE_UNSPEC);
			else
				bpf_program__set_attach_target(p, 0, "sched_process_free");
		}
	}
}

/*
 * CO-RE against the kernel's own BTF file: without a path, libbpf 1.1 also
 * lists the modules' BTF for relocations, which needs CAP_SYS_ADMIN;
 * proclife traces no module, and the systemd units give it only CAP_BPF
 * and CAP_PERFMON.
 */
static int open_skel(struct tracer *t, char *msg, size_t msglen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = access(VMLINUX_BTF, R_OK) == 0 ? VMLINUX_BTF : NULL);

	int err;

	t->skel = proclife_bpf__open_opts(&oo);
	if (t->skel)
		return 0;
	err = -errno;
	snprintf(msg, msglen, "cannot open the BPF object: %s", strerror(-err));
	return err;
}

/* What a failed load says: the refused program blamed, or another pass asked for, or the object failed. */
static int load_failed(struct tracer *t, struct plan *pl, const struct refusal *r, int err, char *msg,
		       size_t msglen)
{
	int i = refusal__culprit(r);
	int f = i >= 0 ? plan__owner(pl, t->skel, r->progs[i]) : -1;

	if (i < 0 && pl->pass == LOAD_PLAIN) {
		pl->pass = LOAD_STATS;
		return -EAGAIN;
	}
	if (f < 0)
		return object_failed(err, msg, msglen);
	if (i == 0 && pl->pass == LOAD_STATS) {
		/* The first program, or the object itself: the object alone will tell. */
		pl->pending.feature = f;
		pl->pending.err = err;
		snprintf(pl->pending.prog, sizeof(pl->pending.prog), "%s", bpf_program__name(r->progs[i]));
		free(pl->pending.said);
		pl->pending.said = said.buf ? strdup(said.buf) : NULL;
		pl->pass = LOAD_BARE;
		return -EAGAIN;
	}
	pl->pass = LOAD_PLAIN;
	return plan__refused(pl, t->skel, f, bpf_program__name(r->progs[i]), r->logs[i], said.buf, err, msg,
			     msglen);
}

/*
 * Load the planned programs, each with a log of its own (LOAD_BARE: none).
 * 0: loaded. -EAGAIN: open and load again (kernel/refusal.h says why).
 * Else fatal, with why in msg.
 */
static int load_planned(struct tracer *t, struct plan *pl, char *msg, size_t msglen)
{
	struct refusal r;
	int err;

	if (refusal__arm(&r, t->skel->obj, pl->pass == LOAD_STATS) < 0) {
		snprintf(msg, msglen, "out of memory");
		return -ENOMEM;
	}
	said__start();
	err = proclife_bpf__load(t->skel);
	said.capturing = false;
	if (pl->pass == LOAD_BARE && !err) {
		/* The object loads without programs: the first program was the refused one. */
		pl->pass = LOAD_PLAIN;
		err = plan__refused(pl, t->skel, pl->pending.feature, pl->pending.prog, "", pl->pending.said,
				    pl->pending.err, msg, msglen);
	} else if (pl->pass == LOAD_BARE) {
		err = object_failed(err, msg, msglen);
	} else if (!err) {
		plan__settle(pl, t->skel);
	} else {
		err = load_failed(t, pl, &r, err, msg, msglen);
	}
	refusal__free(&r);
	return err;
}

/* Open the object, configured, with the planned programs to load (LOAD_BARE: none). */
static int open_planned(struct tracer *t, struct plan *pl, bool first, char *msg, size_t msglen)
{
	struct bpf_program *p;
	int err;

	proclife_bpf__destroy(t->skel);
	t->skel = NULL;
	err = open_skel(t, msg, msglen);
	if (err)
		return err;
	if (first)
		plan__init(pl, t->skel);
	if (!pl->chosen[KF_CORE] && pl->st[KF_CORE].state == KF_OFF) {
		snprintf(msg, msglen, "cannot trace: %s is off on this kernel: %s", kfeature__title(KF_CORE),
			 pl->st[KF_CORE].why);
		return -EOPNOTSUPP;
	}
	configure(t->skel, pl->cfg, pl->vmlinux);
	plan__apply(pl, t->skel);
	if (pl->pass == LOAD_BARE)
		bpf_object__for_each_program(p, t->skel->obj)
			bpf_program__set_autoload(p, false);
	refuse_on_request(t->skel);
	return 0;
}

static int load(struct tracer *t, const struct tracer_config *cfg, char *msg, size_t msglen)
{
	struct plan pl = { .st = t->features, .cfg = cfg, .avoid = t->avoid };
	struct btf *vmlinux = btf__load_vmlinux_btf();
	size_t nvariants;
	int tries, err = -EAGAIN;

	/* Each refused variant costs one more load; one refused without a log, up to three. */
	variants__table(&nvariants);
	tries = 3 * (int)nvariants + 1;
	if (!vmlinux) {
		snprintf(msg, msglen, "cannot read the kernel's BTF (%s)", VMLINUX_BTF);
		return -ENOENT;
	}
	pl.vmlinux = vmlinux;
	pl.caps = kcaps__probe(vmlinux);
	for (int i = 0; i < tries && err == -EAGAIN; i++) {
		err = open_planned(t, &pl, i == 0, msg, msglen);
		if (!err)
			err = load_planned(t, &pl, msg, msglen);
	}
	if (err == -EAGAIN)
		snprintf(msg, msglen, "cannot load the BPF programs: gave up after %d tries", tries);
	if (!err)
		memcpy(t->chosen, pl.chosen, sizeof(t->chosen));
	free(pl.pending.said);
	btf__free(vmlinux);
	return err;
}

/* Room for one more entry in t->progs. */
static struct loaded *loaded__add(struct tracer *t)
{
	if (t->nprogs == t->cap) {
		int cap = t->cap ? t->cap * 2 : 32;
		struct loaded *n = realloc(t->progs, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->progs = n;
		t->cap = cap;
	}
	memset(&t->progs[t->nprogs], 0, sizeof(t->progs[0]));
	return &t->progs[t->nprogs];
}

/* Keep link of feature f's program vp (NULL: run on demand), in t->progs. */
static int keep_link(struct tracer *t, enum kfeature f, const struct vprog *vp, struct bpf_link *link, bool again)
{
	struct loaded *l = loaded__add(t);

	if (!l) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	l->link = link;
	l->prog_fd = bpf_program__fd(vprog__get(vp, t->skel));
	l->feature = f;
	l->lost = vp->lost;
	l->again = again;
	t->nprogs++;
	return 0;
}

/* A per-syscall tracepoint program: a link to the exit tracepoint of each syscall it lists. */
static int attach_sys_exits(struct tracer *t, enum kfeature f, const struct vprog *vp, char *why, size_t len)
{
	struct bpf_program *p = vprog__get(vp, t->skel);
	bool again = false;

	for (const char *at = vp->sys_exits; *at; at += strcspn(at, ",") + (at[strcspn(at, ",")] == ',')) {
		char name[64];
		struct bpf_link *link;
		int fd, err;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(at, ","), at);
		fd = tracefs__sys_exit_event(name, why, len);
		if (fd < 0)
			return fd;
		link = bpf_program__attach_perf_event(p, fd);
		if (!link) {
			err = -errno;
			close(fd);
			snprintf(why, len, "cannot attach %s to syscalls:sys_exit_%s: %s", vp->name, name, strerror(-err));
			return err;
		}
		err = keep_link(t, f, vp, link, again); /* the link owns fd now */
		if (err)
			return err;
		again = true;
	}
	return 0;
}

/* Attach (or, a syscall program, keep to run on demand) feature f's program vp; why says what failed. */
static int attach_prog(struct tracer *t, enum kfeature f, const struct vprog *vp, char *why, size_t len)
{
	struct bpf_program *p = vprog__get(vp, t->skel);
	struct bpf_link *link = NULL;

	if (bpf_program__fd(p) < 0) {
		snprintf(why, len, "%s did not load", vp->name);
		return -ENOENT;
	}
	if (vp->sys_exits)
		return attach_sys_exits(t, f, vp, why, len);
	/* A syscall program is run on demand (tracer__sample), not attached. */
	if (bpf_program__type(p) != BPF_PROG_TYPE_SYSCALL) {
		link = bpf_program__attach(p);
		if (!link) {
			int err = -errno;

			snprintf(why, len, "cannot attach %s: %s", vp->name, strerror(-err));
			return err;
		}
	}
	return keep_link(t, f, vp, link, false);
}

/*
 * Feature f's wanted programs, attached: its status names them. One that
 * did not load or attach detaches the others; the core's is fatal. Else
 * the feature is off, or -EAGAIN when it has another variant to try (its
 * index in t->avoid: load again without this one).
 */
static int attach_feature(struct tracer *t, enum kfeature f, const struct tracer_config *cfg, char *msg,
			  size_t msglen)
{
	const struct variant *v = t->chosen[f];
	const struct vprog *shown;
	struct kfeature_status *st = &t->features[f];
	int first = t->nprogs, n = 0, err = 0;
	size_t ntable;
	const struct variant *table = variants__table(&ntable);

	if (!v)
		return 0; /* reduced to nothing: left for its cost (plan__none_left()) */
	shown = variant__shown(v);
	st->program = NULL;
	for (int j = 0; j < variant__nprogs(v) && !err; j++) {
		const struct vprog *vp = &v->progs[j];

		if (!prog_wanted(vp, cfg))
			continue;
		err = attach_prog(t, f, vp, st->why, sizeof(st->why));
		if (!err && (!st->program || vp == shown))
			st->program = vp->name;
		if (!err)
			st->programs[n++] = vp->name;
	}
	if (!err)
		return 0;
	while (t->nprogs > first)
		bpf_link__destroy(t->progs[--t->nprogs].link);
	if (f == KF_CORE) {
		snprintf(msg, msglen, "%s", st->why);
		return err;
	}
	st->state = KF_OFF;
	st->program = NULL;
	st->cost = NULL;
	memset(st->programs, 0, sizeof(st->programs));
	/* A later variant of the feature may attach where this one could not (a seccomp filter, tracefs). */
	for (size_t i = (size_t)(v - table) + 1; i < ntable && i < 64; i++)
		if (table[i].feature == f) {
			t->avoid |= 1ull << (v - table);
			return -EAGAIN;
		}
	return 0;
}

/* Attach each feature loaded; a feature whose program cannot attach is off, the rest go on. */
static int attach(struct tracer *t, const struct tracer_config *cfg, char *msg, size_t msglen)
{
	for (int f = 0; f < KF_MAX; f++) {
		int err;

		if (t->features[f].state != KF_ON && t->features[f].state != KF_REDUCED)
			continue;
		err = attach_feature(t, f, cfg, msg, msglen);
		if (err)
			return err;
	}
	return 0;
}

/* Everything attached, undone: before loading again without a variant that did not attach. */
static void detach_all(struct tracer *t)
{
	while (t->nprogs > 0)
		bpf_link__destroy(t->progs[--t->nprogs].link);
	/* Each feature's why stays: a variant that did not attach says why, if the next ones do not. */
	for (int f = 0; f < KF_MAX; f++) {
		struct kfeature_status *st = &t->features[f];

		free(st->log);
		st->log = NULL;
		st->state = KF_UNUSED;
		st->program = NULL;
		st->cost = NULL;
		memset(st->programs, 0, sizeof(st->programs));
	}
}

static __u64 boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Load and attach; a variant that loaded but could not attach is left out of the next try (once per variant). */
static int load_and_attach(struct tracer *t, const struct tracer_config *cfg, char *msg, size_t msglen)
{
	size_t nvariants;
	int err = -EAGAIN;

	variants__table(&nvariants);
	for (size_t i = 0; i <= nvariants && err == -EAGAIN; i++) {
		detach_all(t);
		err = load(t, cfg, msg, msglen);
		if (!err)
			err = attach(t, cfg, msg, msglen);
	}
	if (err == -EAGAIN)
		snprintf(msg, msglen, "cannot attach the BPF programs: gave up after %zu tries", nvariants + 1);
	return err;
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
	err = load_and_attach(t, cfg, msg, msglen);
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

int tracer__cgroup_verdict(struct tracer *t, __u64 cgroup_id, __u64 cgroup1_id, bool keep)
{
	struct pl_cgroup_key k = { .cgroup_id = cgroup_id, .cgroup1_id = cgroup1_id };
	__u8 v = keep;

	if (bpf_map__update_elem(t->skel->maps.cgroup_filter, &k, sizeof(k), &v, sizeof(v), BPF_ANY))
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
	for (int i = 0; i < t->nprogs; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (t->progs[i].lost && !t->progs[i].again && !bpf_obj_get_info_by_fd(t->progs[i].prog_fd, &info, &len))
			t->misses[t->progs[i].lost] += info.recursion_misses;
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

__u64 tracer__skipped(struct tracer *t)
{
	__u64 n = 0;

	read_misses(t);
	for (int i = 0; i < PL_EV_MAX; i++)
		n += t->misses[i];
	return n;
}

__u64 tracer__untracked_zombies(struct tracer *t)
{
	return __atomic_load_n(&t->skel->bss->untracked_zombies, __ATOMIC_RELAXED);
}

int tracer__counts(struct tracer *t, __u64 *out)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *v;

	if (!t->skel->rodata->cfg_counts)
		return -EOPNOTSUPP;
	if (ncpus <= 0)
		return ncpus < 0 ? ncpus : -EINVAL;
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 i = 0; i < PL_CNT_MAX; i++) {
		out[i] = 0;
		if (bpf_map__lookup_elem(t->skel->maps.counts, &i, sizeof(i), v, ncpus * sizeof(*v), 0))
			continue;
		for (int c = 0; c < ncpus; c++)
			out[i] += v[c];
	}
	free(v);
	return 0;
}

/* The sampling program: its record, or NULL when sampling is not on. */
static const struct loaded *sampler(const struct tracer *t)
{
	for (int i = 0; i < t->nprogs; i++)
		if (t->progs[i].feature == KF_SAMPLING)
			return &t->progs[i];
	return NULL;
}

/* A syscall program (pl_sample_walk): one run, its output read where the map is mapped. */
static int sample_walk(struct tracer *t, int prog_fd, tracer_sample_fn fn, void *ctx)
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
	if (bpf_prog_test_run_opts(prog_fd, &opts) < 0)
		return -errno;
	n = t->skel->bss->sample_count;
	for (__u32 i = 0; i < n && i < PL_SAMPLE_MAX; i++)
		fn(ctx, &t->sample_map[i]);
	return 0;
}

int tracer__sample(struct tracer *t, tracer_sample_fn fn, void *ctx)
{
	const struct loaded *l = sampler(t);
	size_t len = 0;
	int fd, r = 0;

	if (!l)
		return -EOPNOTSUPP;
	if (!l->link)
		return sample_walk(t, l->prog_fd, fn, ctx);
	/* An iterator (pl_sample): a read() of its file runs it once per task. */
	fd = bpf_iter_create(bpf_link__fd(l->link));
	if (fd < 0)
		return -errno;
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
	detach_all(t);
	free(t->progs);
	proclife_bpf__destroy(t->skel);
	free(t);
}
