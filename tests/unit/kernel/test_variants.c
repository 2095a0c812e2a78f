// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The variant table against the BPF object it loads: every entry is a
 * program of the object under its own name (the compiler already refused
 * a field the skeleton lacks), every program of the object belongs to the
 * variants of exactly one feature, a program listed twice is listed the
 * same, and each variant reports what its feature says it reports. The
 * skeleton is only opened: no privilege needed.
 */
#include <string.h>

#include <linux/types.h>

#include <bpf/libbpf.h>

#include "proclife.h"
#include "proclife.skel.h"
#include "testlib.h"
#include "kernel/kfeatures.h"
#include "kernel/variants.h"

TL_DEFINE_STATE;

static const struct variant *table;
static size_t ntable;

/* Which features' variants list program p (a bit per feature). */
static unsigned owners(const struct proclife_bpf *skel, const struct bpf_program *p)
{
	unsigned bits = 0;

	for (size_t i = 0; i < ntable; i++)
		for (int j = 0; j < variant__nprogs(&table[i]); j++)
			if (vprog__get(&table[i].progs[j], skel) == p)
				bits |= 1u << table[i].feature;
	return bits;
}

static void test_entries_resolve(void)
{
	struct proclife_bpf *skel = proclife_bpf__open();

	if (!ASSERT_TRUE(skel))
		return;
	for (size_t i = 0; i < ntable; i++) {
		const struct variant *v = &table[i];

		if (!ASSERT_GE(variant__nprogs(v), 1))
			FAILF("variant %zu of %s has no program", i, kfeature__name(v->feature));
		for (int j = 0; j < variant__nprogs(v); j++) {
			const struct bpf_program *p = vprog__get(&v->progs[j], skel);

			if (!ASSERT_TRUE(p))
				continue;
			ASSERT_STREQ(bpf_program__name(p), v->progs[j].name);
		}
	}
	proclife_bpf__destroy(skel);
}

static void test_every_program_in_one_feature(void)
{
	struct proclife_bpf *skel = proclife_bpf__open();
	struct bpf_program *p;
	int n = 0;

	if (!ASSERT_TRUE(skel))
		return;
	bpf_object__for_each_program(p, skel->obj) {
		unsigned bits = owners(skel, p);

		n++;
		if (!bits)
			FAILF("program %s belongs to no variant (kernel/variants.c)", bpf_program__name(p));
		else if (bits & (bits - 1))
			FAILF("program %s belongs to the variants of more than one feature (mask %#x)",
			      bpf_program__name(p), bits);
	}
	ASSERT_GE(n, KF_MAX);
	proclife_bpf__destroy(skel);
}

static void test_listed_twice_listed_alike(void)
{
	for (size_t i = 0; i < ntable; i++)
		for (int j = 0; j < variant__nprogs(&table[i]); j++)
			for (size_t k = 0; k < ntable; k++)
				for (int l = 0; l < variant__nprogs(&table[k]); l++) {
					const struct vprog *a = &table[i].progs[j], *b = &table[k].progs[l];

					if (a->at != b->at)
						continue;
					if (strcmp(a->name, b->name) || a->events != b->events || a->when != b->when ||
					    a->lost != b->lost || !a->sys_exits != !b->sys_exits ||
					    (a->sys_exits && strcmp(a->sys_exits, b->sys_exits)))
						FAILF("%s is listed twice, differently", a->name);
				}
}

/* A variant reports what its feature reports: its programs' events add up to the feature's. */
static void test_variants_report_their_feature(void)
{
	for (size_t i = 0; i < ntable; i++) {
		const struct variant *v = &table[i];
		__u32 events = 0;
		bool samples = true;

		for (int j = 0; j < variant__nprogs(v); j++) {
			events |= v->progs[j].events;
			samples &= (v->progs[j].when & VP_SAMPLE) != 0;
			if (v->progs[j].lost >= PL_EV_MAX)
				FAILF("%s: lost event type %u", v->progs[j].name, v->progs[j].lost);
		}
		if (v->feature == KF_SAMPLING) {
			ASSERT_TRUE(samples);
			ASSERT_EQ(events, 0);
		} else if (events != kfeature__events(v->feature)) {
			FAILF("a variant of %s (%s) reports events %#x, the feature %#x", kfeature__name(v->feature),
			      v->progs[0].name, events, kfeature__events(v->feature));
		}
	}
}

/* Each feature has variants, side by side, best first; the core's last one needs nothing (Linux 5.10). */
static void test_features_in_order(void)
{
	int seen[KF_MAX] = {}, last = -1;

	for (size_t i = 0; i < ntable; i++) {
		int f = table[i].feature;

		if (f != last && seen[f])
			FAILF("the variants of %s are not side by side (entry %zu)", kfeature__name(f), i);
		seen[f]++;
		last = f;
		if (f == KF_CORE && (i + 1 == ntable || table[i + 1].feature != KF_CORE))
			ASSERT_EQ(table[i].needs, 0);
	}
	for (int f = 0; f < KF_MAX; f++)
		if (!ASSERT_GE(seen[f], 1))
			FAILF("feature %s has no variant", kfeature__name(f));
}

/*
 * What a variant costs every syscall, told from its programs: the syscalls
 * feature's best variant (fexit) costs nothing, then the per-syscall
 * tracepoints (the slow path), then sys_exit (a run on every syscall); no
 * other feature costs anything, and a variant that costs is never before
 * one that costs less.
 */
static void test_costs(void)
{
	struct proclife_bpf *skel = proclife_bpf__open();
	enum vcost last[KF_MAX] = {};
	int seen[VCOST_EVERY_SYSCALL + 1] = {};

	if (!ASSERT_TRUE(skel))
		return;
	for (size_t i = 0; i < ntable; i++) {
		const struct variant *v = &table[i];
		enum vcost c = variant__cost(v, skel);

		if (v->feature != KF_SYSCALLS && c != VCOST_NONE)
			FAILF("a variant of %s (%s) costs every syscall (%d)", kfeature__name(v->feature),
			      v->progs[0].name, c);
		if (c < last[v->feature])
			FAILF("%s costs less than the variant before it", v->progs[0].name);
		last[v->feature] = c;
		if (v->feature == KF_SYSCALLS)
			seen[c]++;
	}
	ASSERT_EQ(seen[VCOST_NONE], 2);         /* fexit, fexit without target names */
	ASSERT_EQ(seen[VCOST_SLOW_PATH], 3);    /* per-syscall tracepoints: 6.2+, 5.15+, 5.10 */
	ASSERT_EQ(seen[VCOST_EVERY_SYSCALL], 3); /* sys_exit: the same three */
	ASSERT_TRUE(vcost__what(VCOST_SLOW_PATH) != NULL);
	ASSERT_TRUE(vcost__what(VCOST_NONE) == NULL);
	proclife_bpf__destroy(skel);
}

/* A per-syscall tracepoint program is a SEC("tracepoint") one, and lists syscalls; the others do not. */
static void test_sys_exits(void)
{
	struct proclife_bpf *skel = proclife_bpf__open();

	if (!ASSERT_TRUE(skel))
		return;
	for (size_t i = 0; i < ntable; i++)
		for (int j = 0; j < variant__nprogs(&table[i]); j++) {
			const struct vprog *p = &table[i].progs[j];
			const char *sec = bpf_program__section_name(vprog__get(p, skel));

			if (!p->sys_exits != !!strcmp(sec, "tracepoint"))
				FAILF("%s: section %s, syscalls %s", p->name, sec, p->sys_exits ? p->sys_exits : "(none)");
			if (p->sys_exits && (!*p->sys_exits || strchr(p->sys_exits, ' ') ||
					     strstr(p->sys_exits, ",,") || p->sys_exits[strlen(p->sys_exits) - 1] == ','))
				FAILF("%s: a bad list of syscalls '%s'", p->name, p->sys_exits);
		}
	proclife_bpf__destroy(skel);
}

/* `features` names the program that tells a variant from the feature's others. */
static void test_shown(void)
{
	for (size_t i = 0; i < ntable; i++) {
		const struct variant *v = &table[i];
		const char *want = v->progs[0].name;

		if (v->feature == KF_CORE)
			want = v->needs & KCAP_GROUP_DEAD ? "pl_exit" : "pl_exit_legacy";
		ASSERT_STREQ(variant__shown(v)->name, want);
	}
}

#define W(...) (&(struct vwant){ __VA_ARGS__ })

static void test_wanted(void)
{
	const __u32 exec = PL_EV_BIT(PL_EV_EXEC), exit = PL_EV_BIT(PL_EV_EXIT);

	ASSERT_TRUE(variants__feature_wanted(KF_CORE, W(.events = exec)));
	ASSERT_FALSE(variants__feature_wanted(KF_SYSCALLS, W(.events = exec)));
	ASSERT_FALSE(variants__feature_wanted(KF_SAMPLING, W(.events = exec)));
	ASSERT_TRUE(variants__feature_wanted(KF_SAMPLING, W(.sample = true)));
	ASSERT_FALSE(variants__feature_wanted(KF_SIGNALS, W(.follow = true, .sample = true)));
	/* Following needs the core (its fork and release programs) whatever the events. */
	ASSERT_TRUE(variants__feature_wanted(KF_CORE, W(.follow = true)));
	ASSERT_FALSE(variants__feature_wanted(KF_CORE, W(.events = 0)));
	/* killed_by needs the signal programs, and the OOM one. */
	ASSERT_TRUE(variants__feature_wanted(KF_SIGNALS, W(.events = exit)));
	ASSERT_TRUE(variants__feature_wanted(KF_OOM, W(.events = exit)));
	ASSERT_FALSE(variants__feature_wanted(KF_DELIVERY, W(.events = exit)));
	/* Per program: the core's exec program only for exec events, its fork program also to follow. */
	for (int j = 0; j < variant__nprogs(&table[0]); j++) {
		const struct vprog *p = &table[0].progs[j];

		if (!strcmp(p->name, "pl_exec")) {
			ASSERT_TRUE(vprog__wanted(p, W(.events = exec)));
			ASSERT_FALSE(vprog__wanted(p, W(.events = exit, .follow = true, .sample = true)));
		} else if (!strcmp(p->name, "pl_fork")) {
			ASSERT_TRUE(vprog__wanted(p, W(.follow = true)));
			ASSERT_FALSE(vprog__wanted(p, W(.events = exec, .sample = true)));
		}
	}
}

/*
 * A consumer of states (tree, top, zombies) takes everything the model
 * needs but the syscalls feature and cred events (whose fallback, the
 * per-syscall tracepoints, would cost every syscall); counting (metrics-only) adds that
 * feature's exec and kill programs, never its wait programs.
 */
static void test_wanted_lean(void)
{
	const __u32 model = PL_EV_ALL;
	int counted = 0;

	for (int f = 0; f < KF_MAX; f++) {
		bool want = f != KF_SYSCALLS && f != KF_SAMPLING && f != KF_CRED;

		if (variants__feature_wanted(f, W(.events = model, .lean = true)) != want)
			FAILF("a consumer of states %s feature %s", want ? "does not take" : "takes", kfeature__name(f));
	}
	ASSERT_TRUE(variants__feature_wanted(KF_SYSCALLS, W(.events = model, .lean = true, .counts = true)));
	for (size_t i = 0; i < ntable; i++) {
		if (table[i].feature != KF_SYSCALLS)
			continue;
		for (int j = 0; j < variant__nprogs(&table[i]); j++) {
			const struct vprog *p = &table[i].progs[j];
			bool counts = vprog__wanted(p, W(.events = model, .lean = true, .counts = true));

			counted += counts;
			if (counts && (p->events & PL_EV_BIT(PL_EV_REAP)) && !(p->events & PL_EV_BIT(PL_EV_SIGNAL)))
				FAILF("%s: a wait program counts", p->name);
		}
	}
	ASSERT_EQ(counted, 16); /* fexit: 6 kill and 2 exec programs, twice */
}

int main(void)
{
	tl_init("unit/variants");
	libbpf_set_print(NULL);
	table = variants__table(&ntable);
	RUN_TEST(test_entries_resolve);
	RUN_TEST(test_every_program_in_one_feature);
	RUN_TEST(test_listed_twice_listed_alike);
	RUN_TEST(test_variants_report_their_feature);
	RUN_TEST(test_features_in_order);
	RUN_TEST(test_shown);
	RUN_TEST(test_costs);
	RUN_TEST(test_sys_exits);
	RUN_TEST(test_wanted);
	RUN_TEST(test_wanted_lean);
	return tl_finish();
}
