// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Which program a failed load refused, from the programs' own logs: the
 * one log written, or with statistics asked of every program, the first
 * left empty; and the one line that says why. The kernel suite refuses
 * programs for real (tests/kernel/kt_features.c, PROCLIFE_REFUSE).
 */
#include <errno.h>

#include <bpf/libbpf.h>

#include "proclife.skel.h"
#include "testlib.h"
#include "kernel/refusal.h"

TL_DEFINE_STATE;

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_pick_the_log_written(void)
{
	const char *none[] = { "", NULL, "" };
	const char *second[] = { "", "0: R1=ctx() R10=fp0\ninvalid mem access 'scalar'\n", "" };
	const char *last[] = { "", "", "", "log" };

	ASSERT_EQ(refusal__pick(none, N(none), false), -1);
	ASSERT_EQ(refusal__pick(second, N(second), false), 1);
	ASSERT_EQ(refusal__pick(last, N(last), false), 3);
	ASSERT_EQ(refusal__pick(none, 0, false), -1);
}

/* With statistics every program that loaded wrote some; the refused one, and those after it, none. */
static void test_pick_the_first_without_statistics(void)
{
	const char *third[] = { "processed 12 insns", "processed 40 insns", "", "" };
	const char *first[] = { "", "", "" };
	const char *all[] = { "processed 1 insns", "processed 2 insns" };

	ASSERT_EQ(refusal__pick(third, N(third), true), 2);
	/* The first: the caller loads the object without programs to tell it from a failed object. */
	ASSERT_EQ(refusal__pick(first, N(first), true), 0);
	ASSERT_EQ(refusal__pick(all, N(all), true), -1);
}

static void test_why(void)
{
	char why[256];

	refusal__why("pl_rename",
		     "func 'sched_process_free' doesn't have 2-th argument\ninvalid bpf_context access off=8 size=8\n"
		     "processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0\n",
		     -EACCES, why, sizeof(why));
	ASSERT_STREQ(why, "the verifier refused pl_rename: invalid bpf_context access off=8 size=8");
	refusal__why("pl_x", "first\nlast words\n\n\n", -EINVAL, why, sizeof(why));
	ASSERT_STREQ(why, "the verifier refused pl_x: last words");
	refusal__why("pl_fexit", "", -EPERM, why, sizeof(why));
	ASSERT_STREQ(why, "the kernel refused pl_fexit: Operation not permitted");
	refusal__why("pl_y", NULL, -EINVAL, why, sizeof(why));
	ASSERT_STREQ(why, "the kernel refused pl_y: Invalid argument");
	refusal__why("pl_z", "x", -EINVAL, why, 12);
	ASSERT_STREQ(why, "the verifie");
}

/* A buffer of its own for exactly the programs to be loaded, in the object's order; statistics when asked. */
static void test_arm(void)
{
	struct proclife_bpf *skel = proclife_bpf__open();
	struct bpf_program *p;
	struct refusal r;
	const char *want[] = { "pl_exec", "pl_rename", "pl_sys_exit" };

	if (!ASSERT_TRUE(skel))
		return;
	bpf_object__for_each_program(p, skel->obj) {
		const char *name = bpf_program__name(p);

		bpf_program__set_autoload(p, !strcmp(name, "pl_exec") || !strcmp(name, "pl_rename") ||
						     !strcmp(name, "pl_sys_exit"));
	}
	for (int stats = 0; stats <= 1; stats++) {
		if (!ASSERT_EQ(refusal__arm(&r, skel->obj, stats), 0))
			break;
		ASSERT_EQ(r.stats, stats);
		if (ASSERT_EQ(r.n, N(want)))
			for (int i = 0; i < r.n; i++) {
				size_t size = 0;

				ASSERT_STREQ(bpf_program__name(r.progs[i]), want[i]);
				ASSERT_TRUE(bpf_program__log_buf(r.progs[i], &size) == r.logs[i]);
				ASSERT_GE(size, 1 << 20);
				ASSERT_STREQ(r.logs[i], "");
				ASSERT_EQ(bpf_program__log_level(r.progs[i]), stats ? 4 : 0);
			}
		ASSERT_EQ(refusal__culprit(&r), stats ? 0 : -1);
		refusal__free(&r);
		ASSERT_EQ(r.n, 0);
	}
	proclife_bpf__destroy(skel);
}

int main(void)
{
	tl_init("unit/refusal");
	libbpf_set_print(NULL);
	RUN_TEST(test_pick_the_log_written);
	RUN_TEST(test_pick_the_first_without_statistics);
	RUN_TEST(test_why);
	RUN_TEST(test_arm);
	return tl_finish();
}
