// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stddef.h>
#include <string.h>

#include <linux/types.h>

#include <bpf/libbpf.h>

#include "proclife.h"
#include "proclife.skel.h"
#include "kernel/variants.h"

/*
 * A program: its skeleton field (a name the object lacks does not
 * compile) and, from the same token, its name; when it is loaded; the
 * event a run the kernel skipped loses.
 */
#define VPROG(prog, events, when, lost) { #prog, offsetof(struct proclife_bpf, progs.prog), events, when, lost, NULL }
/*
 * A program attached to the exit tracepoint of each syscall of `list`
 * (comma-separated names, as under tracefs's events/syscalls/sys_exit_*):
 * the per-syscall tracepoint variant of a feature. Any feature may have
 * one: a SEC("tracepoint") program that dispatches on the syscall number.
 */
#define VPROG_SYSCALLS(prog, events, when, lost, list) \
	{ #prog, offsetof(struct proclife_bpf, progs.prog), events, when, lost, list }
#define EV(x) PL_EV_BIT(PL_EV_##x)

/* The core's programs but the exit one, the same in both its variants; a consumer of states needs them all. */
#define CORE_FORK VPROG(pl_fork, EV(FORK), VP_FOLLOW | VP_STATES, PL_EV_FORK)
#define CORE_EXEC VPROG(pl_exec, EV(EXEC), VP_STATES, PL_EV_EXEC)
/* Following, members leave the set when released. Without a wait program, the release is the reap. */
#define CORE_FREE VPROG(pl_free, EV(REAP), VP_FOLLOW | VP_STATES, PL_EV_REAP)

/* Feature "cred" from the system calls' tracepoints: a program each, none of which loses a counted event. */
#define CRED_SYSCALL(name) VPROG(pl_cred_##name, EV(CRED), 0, PL_EV_CRED)
#define CRED_FROM_SYSCALLS                                                                                 \
	"prctl(), unshare() and setns() changes are not seen and the old credentials come from what proclife " \
	"knew of the process: needs BPF trampolines (fentry on commit_creds)"
#define NO_TARGET_NAMES "refused kills do not name their target: needs the bpf_task_from_pid() kfunc (Linux 6.2)"

/*
 * Feature "syscalls": failed execs, reapers by wait, refused kills. Its
 * programs report nothing a consumer of states needs (the release tells
 * when a process was reaped, not by whom); a metrics-only run counts
 * failed execs and refused kills with the exec and kill programs
 * (VP_COUNTS), where that costs the other syscalls nothing (fexit).
 * Best first: fexit, per-syscall tracepoints, sys_exit (lib/syscalls.bpf.h).
 */
#define SC_EXEC(prog) VPROG(prog, EV(EXEC_FAILED), VP_COUNTS, PL_EV_EXEC_FAILED)
#define SC_WAIT(prog) VPROG(prog, EV(REAP), 0, 0) /* a skipped run: the release reports the reap */
#define SC_KILL(prog) VPROG(prog, EV(SIGNAL), VP_COUNTS, PL_EV_SIGNAL)
#define SYSCALL_EVENTS (EV(EXEC_FAILED) | EV(REAP) | EV(SIGNAL))
/* The syscalls whose returns the feature reports on: each one's exit tracepoint. */
#define SYSCALL_EXITS "execve,execveat,wait4,waitid,kill,tkill,tgkill,rt_sigqueueinfo,rt_tgsigqueueinfo,pidfd_send_signal"
/*
 * pl_sys_exit runs for every syscall, most of them of no interest, and
 * pl_sc_exit for several kinds: their skipped runs would be noise or of
 * no one type, so they are not counted as lost (lost 0).
 */
#define SC_TP(prog) VPROG_SYSCALLS(prog, SYSCALL_EVENTS, 0, 0, SYSCALL_EXITS)

/* The sampling programs report no event. */
static const struct variant variants[] = {
	{ KF_CORE, KCAP_GROUP_DEAD, NULL,
	  { CORE_FORK, CORE_EXEC, VPROG(pl_exit, EV(EXIT) | EV(REAP), VP_STATES, PL_EV_EXIT), CORE_FREE } },
	{ KF_CORE, 0, NULL,
	  { CORE_FORK, CORE_EXEC, VPROG(pl_exit_legacy, EV(EXIT) | EV(REAP), VP_STATES, PL_EV_EXIT), CORE_FREE } },
	{ KF_SYSCALLS, KCAP_TRAMPOLINE | KCAP_TASK_BTF | KCAP_FROM_PID, NULL,
	  { SC_KILL(pl_fexit_kill), SC_KILL(pl_fexit_tkill), SC_KILL(pl_fexit_tgkill), SC_KILL(pl_fexit_sigqueue),
	    SC_KILL(pl_fexit_tgsigqueue), SC_KILL(pl_fexit_pidfd_send), SC_EXEC(pl_fexit_execve),
	    SC_EXEC(pl_fexit_execveat), SC_WAIT(pl_fexit_wait4), SC_WAIT(pl_fexit_waitid) } },
	{ KF_SYSCALLS, KCAP_TRAMPOLINE | KCAP_TASK_BTF, NO_TARGET_NAMES,
	  { SC_KILL(pl_fexit_kill_nonames), SC_KILL(pl_fexit_tkill_nonames), SC_KILL(pl_fexit_tgkill_nonames),
	    SC_KILL(pl_fexit_sigqueue_nonames), SC_KILL(pl_fexit_tgsigqueue_nonames),
	    SC_KILL(pl_fexit_pidfd_send_nonames), SC_EXEC(pl_fexit_execve), SC_EXEC(pl_fexit_execveat),
	    SC_WAIT(pl_fexit_wait4), SC_WAIT(pl_fexit_waitid) } },
	{ KF_SYSCALLS, KCAP_SYSCALL_TP | KCAP_TASK_BTF | KCAP_PT_REGS | KCAP_FROM_PID, NULL, { SC_TP(pl_sc_exit) } },
	{ KF_SYSCALLS, KCAP_SYSCALL_TP | KCAP_TASK_BTF | KCAP_PT_REGS, NO_TARGET_NAMES, { SC_TP(pl_sc_exit_nonames) } },
	{ KF_SYSCALLS, KCAP_SYSCALL_TP, NO_TARGET_NAMES, { SC_TP(pl_sc_exit_v510) } },
	{ KF_SYSCALLS, KCAP_TASK_BTF | KCAP_FROM_PID, NULL, { VPROG(pl_sys_exit, SYSCALL_EVENTS, 0, 0) } },
	{ KF_SYSCALLS, KCAP_TASK_BTF, NO_TARGET_NAMES, { VPROG(pl_sys_exit_nonames, SYSCALL_EVENTS, 0, 0) } },
	{ KF_SYSCALLS, 0, NO_TARGET_NAMES, { VPROG(pl_sys_exit_v510, SYSCALL_EVENTS, 0, 0) } },
	/* A consumer of states: SIGCONTs and the fatal signals' senders only (cfg_lean); counting: every signal. */
	{ KF_SIGNALS, KCAP_TASK_BTF | KCAP_PT_REGS, NULL,
	  { VPROG(pl_signal_generate, EV(SIGNAL) | EV(EXIT), VP_STATES | VP_COUNTS, PL_EV_SIGNAL) } },
	{ KF_SIGNALS, 0, NULL,
	  { VPROG(pl_signal_generate_v510, EV(SIGNAL) | EV(EXIT), VP_STATES | VP_COUNTS, PL_EV_SIGNAL) } },
	{ KF_OOM, KCAP_OOM_TASK, NULL, { VPROG(pl_oom_victim, EV(EXIT), VP_STATES, PL_EV_EXIT) } },
	/* A consumer of states: stops only (cfg_lean); counting: every delivery. */
	{ KF_DELIVERY, KCAP_TASK_BTF, NULL,
	  { VPROG(pl_signal_deliver, EV(DELIVER), VP_STATES | VP_COUNTS, PL_EV_DELIVER) } },
	{ KF_DELIVERY, 0, NULL, { VPROG(pl_signal_deliver_v510, EV(DELIVER), VP_STATES | VP_COUNTS, PL_EV_DELIVER) } },
	{ KF_RENAME, 0, NULL, { VPROG(pl_rename, EV(RENAME), VP_STATES, PL_EV_RENAME) } },
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

bool vprog__wanted(const struct vprog *p, const struct vwant *w)
{
	if (p->when & VP_SAMPLE)
		return w->sample;
	if ((p->when & VP_FOLLOW) && w->follow)
		return true;
	if ((p->when & VP_COUNTS) && w->counts)
		return true;
	/* A consumer of states takes a program for its events only where the program serves states. */
	return (w->events & p->events) && (!w->lean || (p->when & VP_STATES));
}

bool variants__feature_wanted(enum kfeature f, const struct vwant *w)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		if (variants[i].feature != f)
			continue;
		for (int j = 0; j < variant__nprogs(&variants[i]); j++)
			if (vprog__wanted(&variants[i].progs[j], w))
				return true;
	}
	return false;
}

/* The tracepoints every syscall passes (the raw ones; as tp_btf, raw_tp or tracepoint programs). */
static bool every_syscall(const char *sec)
{
	static const char *const secs[] = { "tp_btf/sys_exit", "tp_btf/sys_enter", "raw_tp/sys_exit",
					    "raw_tp/sys_enter", "raw_tracepoint/sys_exit", "raw_tracepoint/sys_enter",
					    "tracepoint/raw_syscalls/", "tp/raw_syscalls/" };

	for (size_t i = 0; sec && i < sizeof(secs) / sizeof(secs[0]); i++)
		if (!strncmp(sec, secs[i], strlen(secs[i])))
			return true;
	return false;
}

enum vcost variant__cost(const struct variant *v, const struct proclife_bpf *skel)
{
	enum vcost c = VCOST_NONE;

	for (int j = 0; j < variant__nprogs(v); j++) {
		if (every_syscall(bpf_program__section_name(vprog__get(&v->progs[j], skel))))
			return VCOST_EVERY_SYSCALL;
		if (v->progs[j].sys_exits)
			c = VCOST_SLOW_PATH;
	}
	return c;
}

const char *vcost__what(enum vcost c)
{
	switch (c) {
	case VCOST_SLOW_PATH:
		return "per-syscall tracepoints: every syscall of every task takes the kernel's slow path";
	case VCOST_EVERY_SYSCALL:
		return "the sys_exit tracepoint: a program runs on every syscall of every task";
	default:
		return NULL;
	}
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
