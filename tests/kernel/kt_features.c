// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Features one at a time: a feature turned off (PROCLIFE_FEATURES_OFF, the
 * hidden switch) costs that feature and nothing else; the core cannot be
 * turned off without the tracer refusing to start, with one clear reason.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "ktests.h"
#include "kernel/variants.h"

#define FORCED "turned off by PROCLIFE_FEATURES_OFF"

static int child_term_self(void *arg)
{
	signal(SIGTERM, SIG_IGN);
	kill(getpid(), SIGTERM); /* generated (ignored), so a signal event, and no delivery */
	execl("/bin/true", "true", "features", (char *)NULL);
	return 127;
}

void test_features_forced_off(void)
{
	struct tracer_config cfg = harness__default_config();
	const struct kfeature_status *st;
	int term = SIGTERM;
	pid_t pid;

	setenv("PROCLIFE_FEATURES_OFF", "delivery,rename", 1);
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		goto out;
	st = harness__features();
	ASSERT_EQ(st[KF_DELIVERY].state, KF_OFF);
	ASSERT_STREQ(st[KF_DELIVERY].why, FORCED);
	ASSERT_EQ(st[KF_RENAME].state, KF_OFF);
	ASSERT_EQ(st[KF_CORE].state, KF_ON);
	ASSERT_TRUE(st[KF_SIGNALS].state == KF_ON || st[KF_SIGNALS].state == KF_REDUCED);

	pid = spawn(child_term_self, NULL);
	ASSERT_EQ(wait_status(pid), 0);
	/* The rest works: exec, exit, the signal; no delivery is reported, not even an ignored one. */
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, pid, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_SIGNAL, pid, pred_sig, &term));
	harness__drain(50);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, 0, NULL, NULL), 0);
	check_nothing_lost();
out:
	unsetenv("PROCLIFE_FEATURES_OFF");
}

void test_features_core_off_fatal(void)
{
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;
	char msg[512] = "";

	setenv("PROCLIFE_FEATURES_OFF", "core", 1);
	ASSERT_EQ(tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg)), -EOPNOTSUPP);
	ASSERT_TRUE(t == NULL);
	ASSERT_STREQ(msg, "cannot trace: process tracing (fork, exec, exit, reap) is off on this kernel: " FORCED);
	unsetenv("PROCLIFE_FEATURES_OFF");
}

/* What `proclife features` probes: every feature in use, decided (loaded and attached, or off with a reason). */
void test_features_probe_only(void)
{
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;
	char msg[512] = "";

	cfg.probe_only = true;
	cfg.sample = true; /* as `proclife features` asks */
	if (!ASSERT_EQ(tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg)), 0))
		return;
	for (int f = 0; f < KF_MAX; f++) {
		const struct kfeature_status *st = &tracer__features(t)[f];

		/* Every feature is decided: on or reduced with its program, or off with a reason. */
		if (!ASSERT_NEQ(st->state, KF_UNUSED))
			continue;
		if (st->state == KF_OFF)
			ASSERT_TRUE(st->why[0] != '\0');
		else
			ASSERT_TRUE(st->program != NULL);
	}
	tracer__free(t);
}

/* ---- what `features` says was loaded and attached, against the kernel's own view ---- */

#define MAX_FDS 256

/* This process's BPF program and link fds ("anon_inode:bpf-prog", "anon_inode:bpf_link"), -1 after. */
static void bpf_fds(int progs[MAX_FDS], int links[MAX_FDS])
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int np = 0, nl = 0;

	while (d && (de = readdir(d))) {
		char path[300], target[64];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, "anon_inode:bpf-prog") && np < MAX_FDS - 1)
			progs[np++] = atoi(de->d_name);
		else if ((!strcmp(target, "anon_inode:bpf_link") || !strcmp(target, "anon_inode:[perf_event]")) &&
			 nl < MAX_FDS - 1)
			links[nl++] = atoi(de->d_name); /* a perf event: a tracepoint attached without a link (5.10) */
	}
	if (d)
		closedir(d);
	progs[np] = -1;
	links[nl] = -1;
}

static bool listed(const int fds[MAX_FDS], int fd)
{
	for (int i = 0; fds[i] >= 0; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

/* The kernel's name of a program: its first BPF_OBJ_NAME_LEN - 1 characters. */
static void kernel_name(const char *name, char out[BPF_OBJ_NAME_LEN])
{
	snprintf(out, BPF_OBJ_NAME_LEN, "%s", name);
}

/*
 * Every program the features say was loaded is a program the kernel holds
 * for this tracer, and every one it holds is said; each, but the syscall
 * programs run on demand, attached by a link of the tracer's.
 */
static void check_attached_as_said(const struct tracer_config *cfg)
{
	int progs0[MAX_FDS], links0[MAX_FDS], progs[MAX_FDS], links[MAX_FDS];
	char said[64][BPF_OBJ_NAME_LEN];
	__u32 linked_ids[64];
	int nsaid = 0, nlinked = 0;
	struct tracer *t = NULL;
	char msg[512] = "";

	bpf_fds(progs0, links0);
	if (!ASSERT_EQ(tracer__new(cfg, NULL, NULL, &t, msg, sizeof(msg)), 0)) {
		printf("  %s\n", msg);
		return;
	}
	bpf_fds(progs, links);
	for (int f = 0; f < KF_MAX; f++) {
		const struct kfeature_status *st = &tracer__features(t)[f];

		if (st->state != KF_ON && st->state != KF_REDUCED) {
			ASSERT_TRUE(st->programs[0] == NULL && st->program == NULL);
			continue;
		}
		bool named = false;

		ASSERT_TRUE(st->programs[0] != NULL);
		for (int j = 0; st->programs[j] && nsaid < 64; j++) {
			kernel_name(st->programs[j], said[nsaid++]);
			named |= st->program && !strcmp(st->program, st->programs[j]);
		}
		if (!named)
			FAILF("%s names program %s, which it did not load", kfeature__name(f), st->program);
	}
	for (int i = 0; links[i] >= 0; i++) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		__u32 prog_id = 0, fd_type, buflen = 0;
		__u64 off, addr;

		if (listed(links0, links[i]) || nlinked >= 64)
			continue;
		/* A perf event's program, as bpftool perf finds it; else the link's. */
		if (bpf_task_fd_query(getpid(), links[i], 0, NULL, &buflen, &prog_id, &fd_type, &off, &addr) == 0)
			linked_ids[nlinked++] = prog_id;
		else if (ASSERT_EQ(bpf_obj_get_info_by_fd(links[i], &info, &len), 0))
			linked_ids[nlinked++] = info.prog_id;
	}
	for (int i = 0; progs[i] >= 0; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		bool found = false, linked = false;

		if (listed(progs0, progs[i]) || !ASSERT_EQ(bpf_obj_get_info_by_fd(progs[i], &info, &len), 0))
			continue;
		for (int k = 0; k < nsaid && !found; k++)
			if (!strcmp(said[k], info.name)) {
				found = true;
				said[k][0] = '\0'; /* each said once */
			}
		for (int k = 0; k < nlinked; k++)
			linked |= linked_ids[k] == info.id;
		if (!found)
			FAILF("the kernel holds program %s for the tracer, which its features do not name", info.name);
		if (info.type != BPF_PROG_TYPE_SYSCALL && !linked)
			FAILF("program %s is loaded but not attached", info.name);
		if (info.type == BPF_PROG_TYPE_SYSCALL && linked)
			FAILF("program %s, run on demand, is attached", info.name);
	}
	for (int k = 0; k < nsaid; k++)
		if (said[k][0])
			FAILF("the features name program %s, which the kernel does not hold for the tracer", said[k]);
	tracer__free(t);
}

void test_features_attached_as_said(void)
{
	struct tracer_config cfg = harness__default_config();

	cfg.probe_only = true;
	cfg.sample = true; /* as `proclife features` asks */
	check_attached_as_said(&cfg);
	setenv("PROCLIFE_KERNEL_LACKS", "task_btf,pt_regs,task_from_pid,exit_group_dead,task_iter", 1);
	check_attached_as_said(&cfg);
	unsetenv("PROCLIFE_KERNEL_LACKS");
	/* Exec events only: the core's exec program alone, and named so (not its exit program). */
	cfg = harness__default_config();
	cfg.events = PL_EV_BIT(PL_EV_EXEC);
	cfg.probe_only = true;
	check_attached_as_said(&cfg);
}

/* ---- programs the kernel refuses (the hidden switch PROCLIFE_REFUSE), blamed on the right feature ---- */

struct probe {
	int err;
	char msg[512];
	enum kfeature_state state[KF_MAX];
	const char *program[KF_MAX]; /* the variant table's strings: they outlive the tracer */
	char why[KF_MAX][256];
	bool log[KF_MAX];
};

/* What `proclife features` would say with PROCLIFE_REFUSE=refuse (NULL: unset). */
static void probe(const char *refuse, struct probe *p)
{
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;

	cfg.probe_only = true;
	cfg.sample = true;
	memset(p, 0, sizeof(*p));
	if (refuse)
		setenv("PROCLIFE_REFUSE", refuse, 1);
	p->err = tracer__new(&cfg, NULL, NULL, &t, p->msg, sizeof(p->msg));
	unsetenv("PROCLIFE_REFUSE");
	for (int f = 0; t && f < KF_MAX; f++) {
		const struct kfeature_status *st = &tracer__features(t)[f];

		p->state[f] = st->state;
		p->program[f] = st->program;
		snprintf(p->why[f], sizeof(p->why[f]), "%s", st->why);
		p->log[f] = st->log && *st->log;
	}
	tracer__free(t);
}

/* Every feature but f as in honest. */
static void check_others_alike(const struct probe *honest, const struct probe *p, enum kfeature f)
{
	for (int g = 0; g < KF_MAX; g++) {
		if (g == (int)f)
			continue;
		if (!ASSERT_EQ(p->state[g], honest->state[g]) ||
		    (honest->program[g] && !ASSERT_STREQ(p->program[g], honest->program[g])))
			FAILF("feature %s changed with another's program refused", kfeature__name(g));
	}
}

/* The variant of feature f that `features` names by prog, and the next one this kernel can take, or NULL. */
static const struct variant *next_variant(enum kfeature f, const char *prog)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	__u32 caps = kcaps__probe(vmlinux);
	const struct variant *table, *next = NULL;
	size_t n, i = 0;

	table = variants__table(&n);
	while (i < n && (table[i].feature != f || strcmp(variant__shown(&table[i])->name, prog)))
		i++;
	for (i++; i < n && !next; i++)
		if (table[i].feature == f && (table[i].needs & caps) == table[i].needs)
			next = &table[i];
	btf__free(vmlinux);
	return next;
}

/* The verifier refuses pl_rename: rename is off, the verifier's words say why, the rest as before. */
void test_features_refused_by_verifier(void)
{
	static struct probe honest, p;

	probe(NULL, &honest);
	if (honest.state[KF_RENAME] != KF_ON) {
		TEST_SKIP("rename is %s on this kernel: nothing to refuse", kfeature_state__name(honest.state[KF_RENAME]));
		return;
	}
	probe("pl_rename", &p);
	if (!ASSERT_EQ(p.err, 0))
		return;
	ASSERT_EQ(p.state[KF_RENAME], KF_OFF);
	if (!ASSERT_TRUE(!strncmp(p.why[KF_RENAME], "the verifier refused pl_rename: ", 32) && strlen(p.why[KF_RENAME]) > 32))
		printf("    why: %s\n", p.why[KF_RENAME]);
	ASSERT_TRUE(p.log[KF_RENAME]);
	check_others_alike(&honest, &p, KF_RENAME);
}

/*
 * A feature's program refused without a log (as a fentry program is where
 * trampolines are not allowed): the feature goes to its next variant, or
 * off, or for the core, proclife cannot trace; the rest as before.
 */
static void check_refused_silently(enum kfeature f)
{
	static struct probe honest, p;
	char refuse[96], why[256];
	const struct variant *next;

	probe(NULL, &honest);
	if (!honest.program[f]) {
		TEST_SKIP("%s is %s on this kernel: nothing to refuse", kfeature__name(f),
			  kfeature_state__name(honest.state[f]));
		return;
	}
	snprintf(refuse, sizeof(refuse), "%s:silent", honest.program[f]);
	snprintf(why, sizeof(why), "the kernel refused %s: %s", honest.program[f], strerror(EINVAL));
	next = next_variant(f, honest.program[f]);
	probe(refuse, &p);
	if (!next && f == KF_CORE) {
		char want[512];

		snprintf(want, sizeof(want), "cannot trace: %s is off on this kernel: %s", kfeature__title(f), why);
		ASSERT_EQ(p.err, -EOPNOTSUPP);
		ASSERT_STREQ(p.msg, want);
		return;
	}
	if (!ASSERT_EQ(p.err, 0))
		return;
	if (next) {
		ASSERT_NEQ(p.state[f], KF_OFF);
		ASSERT_STREQ(p.program[f], variant__shown(next)->name);
	} else {
		ASSERT_EQ(p.state[f], KF_OFF);
		ASSERT_STREQ(p.why[f], why);
		ASSERT_TRUE(p.log[f]); /* libbpf's words, for --verbose */
	}
	check_others_alike(&honest, &p, f);
}

void test_features_refused_silently(void)
{
	check_refused_silently(KF_CORE);
}

/*
 * The first program the object loads (deliver*.bpf.o are linked first),
 * refused without a log: told from a failure of the object itself by
 * loading the object without programs.
 */
void test_features_refused_first_program(void)
{
	check_refused_silently(KF_DELIVERY);
}
