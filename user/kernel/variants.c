// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stddef.h>

#include <linux/types.h>

#include "proclife.h"
#include "proclife.skel.h"
#include "kernel/variants.h"

/*
 * A program: its skeleton field (a name the object lacks does not
 * compile) and, from the same token, its name; when it is loaded; the
 * event a run the kernel skipped loses.
 */
#define VPROG(prog, events, when, lost) { #prog, offsetof(struct proclife_bpf, progs.prog), events, when, lost }
#define EV(x) PL_EV_BIT(PL_EV_##x)

/* The core's programs but the exit one, the same in both its variants. */
#define CORE_FORK VPROG(pl_fork, EV(FORK), VP_FOLLOW, PL_EV_FORK)
#define CORE_EXEC VPROG(pl_exec, EV(EXEC), 0, PL_EV_EXEC)
/* Following, members leave the set when released. */
#define CORE_FREE VPROG(pl_free, EV(REAP), VP_FOLLOW, PL_EV_REAP)

#define SYSCALL_EVENTS (EV(EXEC_FAILED) | EV(REAP) | EV(SIGNAL))
/* Feature "cred" from the system calls' tracepoints: a program each, none of which loses a counted event. */
#define CRED_SYSCALL(name) VPROG(pl_cred_##name, EV(CRED), 0, PL_EV_CRED)
#define CRED_FROM_SYSCALLS                                                                                 \
	"prctl(), unshare() and setns() changes are not seen and the old credentials come from what proclife " \
	"knew of the process: needs BPF trampolines (fentry on commit_creds)"
#define NO_TARGET_NAMES "refused kills do not name their target: needs the bpf_task_from_pid() kfunc (Linux 6.2)"

/*
 * pl_sys_exit runs for every syscall, most of them of no interest: its
 * skipped runs would be noise, so they are not counted as lost (lost 0).
 * The sampling programs report no event.
 */
static const struct variant variants[] = {
	{ KF_CORE, KCAP_GROUP_DEAD, NULL,
	  { CORE_FORK, CORE_EXEC, VPROG(pl_exit, EV(EXIT) | EV(REAP), 0, PL_EV_EXIT), CORE_FREE } },
	{ KF_CORE, 0, NULL,
	  { CORE_FORK, CORE_EXEC, VPROG(pl_exit_legacy, EV(EXIT) | EV(REAP), 0, PL_EV_EXIT), CORE_FREE } },
	{ KF_SYSCALLS, KCAP_TASK_BTF | KCAP_FROM_PID, NULL, { VPROG(pl_sys_exit, SYSCALL_EVENTS, 0, 0) } },
	{ KF_SYSCALLS, KCAP_TASK_BTF, NO_TARGET_NAMES, { VPROG(pl_sys_exit_nonames, SYSCALL_EVENTS, 0, 0) } },
	{ KF_SYSCALLS, 0, NO_TARGET_NAMES, { VPROG(pl_sys_exit_v510, SYSCALL_EVENTS, 0, 0) } },
	{ KF_SIGNALS, KCAP_TASK_BTF | KCAP_PT_REGS, NULL,
	  { VPROG(pl_signal_generate, EV(SIGNAL) | EV(EXIT), 0, PL_EV_SIGNAL) } },
	{ KF_SIGNALS, 0, NULL, { VPROG(pl_signal_generate_v510, EV(SIGNAL) | EV(EXIT), 0, PL_EV_SIGNAL) } },
	{ KF_OOM, KCAP_OOM_TASK, NULL, { VPROG(pl_oom_victim, EV(EXIT), 0, PL_EV_EXIT) } },
	{ KF_DELIVERY, KCAP_TASK_BTF, NULL, { VPROG(pl_signal_deliver, EV(DELIVER), 0, PL_EV_DELIVER) } },
	{ KF_DELIVERY, 0, NULL, { VPROG(pl_signal_deliver_v510, EV(DELIVER), 0, PL_EV_DELIVER) } },
	{ KF_RENAME, 0, NULL, { VPROG(pl_rename, EV(RENAME), 0, PL_EV_RENAME) } },
	{ KF_SAMPLING, KCAP_TASK_ITER, NULL, { VPROG(pl_sample_walk, 0, VP_SAMPLE, 0) } },
	{ KF_SAMPLING, 0, NULL, { VPROG(pl_sample, 0, VP_SAMPLE, 0) } },
	{ KF_CRED, 0, NULL, { VPROG(pl_cred_commit, EV(CRED), 0, PL_EV_CRED) } },
	{ KF_CRED, 0, CRED_FROM_SYSCALLS,
	  { CRED_SYSCALL(setuid), CRED_SYSCALL(setgid), CRED_SYSCALL(setreuid), CRED_SYSCALL(setregid),
	    CRED_SYSCALL(setresuid), CRED_SYSCALL(setresgid), CRED_SYSCALL(setfsuid), CRED_SYSCALL(setfsgid),
	    CRED_SYSCALL(setgroups), CRED_SYSCALL(capset) } },
};

const struct variant *variants__table(size_t *n)
{
	*n = sizeof(variants) / sizeof(variants[0]);
	return variants;
}

int variant__nprogs(const struct variant *v)
{
	int n = 0;

	while (n < KF_PROGS_MAX && v->progs[n].name)
		n++;
	return n;
}

struct bpf_program *vprog__get(const struct vprog *p, const struct proclife_bpf *skel)
{
	return *(struct bpf_program *const *)((const char *)skel + p->at);
}

bool vprog__wanted(const struct vprog *p, __u32 events, bool follow, bool sample)
{
	if (p->when & VP_SAMPLE)
		return sample;
	return (events & p->events) || ((p->when & VP_FOLLOW) && follow);
}

bool variants__feature_wanted(enum kfeature f, __u32 events, bool follow, bool sample)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		if (variants[i].feature != f)
			continue;
		for (int j = 0; j < variant__nprogs(&variants[i]); j++)
			if (vprog__wanted(&variants[i].progs[j], events, follow, sample))
				return true;
	}
	return false;
}

/* Is the program at `at` one of v's? */
static bool variant__has(const struct variant *v, size_t at)
{
	for (int j = 0; j < variant__nprogs(v); j++)
		if (v->progs[j].at == at)
			return true;
	return false;
}

const struct vprog *variant__shown(const struct variant *v)
{
	for (int j = 0; j < variant__nprogs(v); j++) {
		bool elsewhere = false;

		for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]) && !elsewhere; i++)
			elsewhere = &variants[i] != v && variants[i].feature == v->feature &&
				    variant__has(&variants[i], v->progs[j].at);
		if (!elsewhere)
			return &v->progs[j];
	}
	return &v->progs[0];
}
