/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feature "cred", the code of its variants: a process changed its
 * credentials. cred_commit.bpf.c sees every change at commit_creds(), with
 * the old set and the new (where the kernel has BPF trampolines);
 * cred_syscalls.bpf.c sees the credential-changing system calls return,
 * with the new set only: the collector fills in the old one from what it
 * knew (PL_C_OLD_MODEL). A setid exec's change is the exec program's
 * (exec.bpf.c), in every variant.
 *
 * Both read through CO-RE only (no current-task BTF): they run on every
 * kernel proclife takes, and only when credentials change.
 */
#ifndef PROCLIFE_CRED_BPF_H
#define PROCLIFE_CRED_BPF_H

#include "lib/common.bpf.h"
#include "lib/creds.bpf.h"

/* The way of a change made in system call nr. */
static __always_inline __u32 cred_how(long nr)
{
	switch (nr) {
	case -1:
		return PL_HOW_NONE;
	case NR_setuid:
		return PL_HOW_SETUID;
	case NR_setgid:
		return PL_HOW_SETGID;
	case NR_setreuid:
		return PL_HOW_SETREUID;
	case NR_setregid:
		return PL_HOW_SETREGID;
	case NR_setresuid:
		return PL_HOW_SETRESUID;
	case NR_setresgid:
		return PL_HOW_SETRESGID;
	case NR_setfsuid:
		return PL_HOW_SETFSUID;
	case NR_setfsgid:
		return PL_HOW_SETFSGID;
	case NR_setgroups:
		return PL_HOW_SETGROUPS;
	case NR_capset:
		return PL_HOW_CAPSET;
	case NR_execve:
		return PL_HOW_EXECVE;
	case NR_execveat:
		return PL_HOW_EXECVEAT;
	case NR_prctl:
		return PL_HOW_PRCTL;
	case NR_unshare:
		return PL_HOW_UNSHARE;
	case NR_setns:
		return PL_HOW_SETNS;
	}
	return PL_HOW_OTHER;
}

/* Would a cred event of the current task be reported (the type asked for, the filters)? */
static __always_inline bool cred_wanted(struct task_struct *cur)
{
	return want(PL_EV_CRED) && follows(BPF_CORE_READ(cur, tgid)) && current_ok();
}

/*
 * A cred event of the current task cur: the new set from new, the old one
 * from old (NULL: not known here). A change that changes nothing is not
 * one. An event of this size is reserved, not built in the scratch.
 */
static __always_inline void emit_cred(struct task_struct *cur, long nr, const struct cred *old,
				      const struct cred *new)
{
	struct pl_cred *e = reserve_event(PL_EV_CRED, sizeof(*e), cur);

	if (!e)
		return;
	e->how = cred_how(nr);
	e->nr = nr;
	e->_pad = 0;
	read_creds(&e->new, new);
	if (old) {
		read_creds(&e->old, old);
		e->cflags = PL_C_OLD_KERNEL;
		if (creds_equal(&e->old, &e->new)) {
			bpf_ringbuf_discard(e, 0);
			return;
		}
	} else {
		__builtin_memset(&e->old, 0, sizeof(e->old));
		e->cflags = 0;
	}
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
}

#endif
