// SPDX-License-Identifier: GPL-2.0
/*
 * Feature "core": a successful exec, with argv as the new program sees it,
 * its credentials, working directory and executable; and, when it changed
 * privilege, the cred event of that change.
 */
#include "lib/common.bpf.h"
#include "lib/creds.bpf.h"
#include "lib/path.bpf.h"

/*
 * A setid exec changed the credentials: a cred event (before the exec's),
 * the new set as the exec read it. The old set is not at hand here (the
 * kernel has replaced it): the collector fills it in (PL_C_OLD_MODEL).
 */
static __always_inline void setid_cred(struct task_struct *p, const struct pl_exec *x)
{
	struct pt_regs *regs = arch_user_regs(p, cfg_thread_size);
	long nr = regs ? SYSCALL_NR_READ(regs) : -1;
	struct pl_cred *e;

	e = reserve_event(PL_EV_CRED, sizeof(*e), p);
	if (!e)
		return;
	e->h.tid = x->h.tid;
	e->h.flags |= PL_F_SETID;
	e->how = nr == NR_execveat ? PL_HOW_EXECVEAT : PL_HOW_EXECVE;
	e->cflags = 0;
	e->nr = nr;
	e->_pad = 0;
	__builtin_memset(&e->old, 0, sizeof(e->old));
	__builtin_memcpy(&e->new, &x->creds, sizeof(e->new));
	bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
}

/*
 * A length the exec record keeps in its own memory, read back with its
 * bound: the verifier then knows its range without tracking the value
 * across the path walks (which would verify them once per value).
 */
#define BOUNDED(x, max) ({ __u32 v_ = (x); v_ > (max) ? (max) : v_; })

/* Its working directory and executable, after the argument area (the lengths in e say where). */
static __always_inline void exec_paths(struct scratch *s, struct pl_exec *e, struct task_struct *p,
				       struct linux_binprm *bprm)
{
	struct fs_struct *fs = BPF_CORE_READ(p, fs);
	struct file *file = BPF_CORE_READ(bprm, file);
	struct path root, pwd, exe = {};
	__u32 off;

	e->cwd_len = e->exe_len = 0;
	if (!fs || bpf_core_read(&root, sizeof(root), &fs->root) || bpf_core_read(&pwd, sizeof(pwd), &fs->pwd))
		return;
	if (file)
		bpf_core_read(&exe, sizeof(exe), &file->f_path);
	path_read(s, &pwd, &root);
	off = BOUNDED(e->filename_len, PL_FILENAME_MAX) + BOUNDED(e->args_len, PL_ARGS_MAX);
	e->cwd_len = path_copy(e->data + off, s, &e->xflags, PL_X_CWD_CUT);
	path_read(s, &exe, &root);
	off = BOUNDED(e->filename_len, PL_FILENAME_MAX) + BOUNDED(e->args_len, PL_ARGS_MAX) +
	      BOUNDED(e->cwd_len, PL_PATH_MAX);
	e->exe_len = path_copy(e->data + off, s, &e->xflags, PL_X_EXE_CUT);
}

/*
 * Runs after the exec has succeeded: the new program's argument area is in
 * place on its stack (mm->arg_start..arg_end), so we read exactly what it
 * sees, not the caller's memory at syscall entry; its credentials are the
 * new ones, and bprm->file is what was executed (for a #! script, its
 * interpreter).
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(pl_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *s;
	struct pl_exec *e;
	unsigned long arg_start, arg_end;
	__u64 size, len;
	bool setid;
	long n;

	if (!p || !bprm)
		return 0;
	setid = BPF_CORE_READ(bprm, per_clear) & PER_CLEAR_ON_SETID;
	/* Its cred event needs the exec's header and credentials, not its strings. */
	if (!(want(PL_EV_EXEC) || (setid && want(PL_EV_CRED))) || (cfg_setid_only && !setid) ||
	    !follows(p->tgid) || !current_ok())
		return 0;
	s = scratch_get(PL_EV_EXEC);
	if (!s)
		return 0;
	e = (void *)s->raw;
	fill_hdr(&e->h, PL_EV_EXEC, p);
	/* A non-leader thread that execs takes over the tgid; report the thread that called exec. */
	e->h.tid = old_pid;
	if (setid)
		e->h.flags |= PL_F_SETID;
	e->old_tid = old_pid;
	e->argc = BPF_CORE_READ(bprm, argc);
	e->xflags = 0;
	read_creds(&e->creds, BPF_CORE_READ(p, real_cred));
	/* The change first: whoever applies the two in order knows the old credentials at the cred event. */
	if (setid && want(PL_EV_CRED))
		setid_cred(p, e);
	if (!want(PL_EV_EXEC))
		goto out;

	n = filename_len(e->data, bpf_probe_read_kernel_str(e->data, FILENAME_READ, BPF_CORE_READ(bprm, filename)),
			 &e->h.flags);
	e->filename_len = n;

	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	size = arg_end > arg_start ? arg_end - arg_start : 0;
	len = size;
	if (len > cfg_args_cap) {
		len = cfg_args_cap;
		e->h.flags |= PL_F_ARGS_TRUNCATED;
	}
	if (len > PL_ARGS_MAX)
		len = PL_ARGS_MAX;
	if (len && bpf_probe_read_user(e->data + n, len, (void *)arg_start)) {
		len = 0;
		e->h.flags |= PL_F_ARGS_UNREADABLE;
	}
	e->args_len = len;
	e->args_size = size;
	exec_paths(s, e, p, bprm);
	size = sizeof(*e) + BOUNDED(e->filename_len, PL_FILENAME_MAX) + BOUNDED(e->args_len, PL_ARGS_MAX) +
	       BOUNDED(e->cwd_len, PL_PATH_MAX) + BOUNDED(e->exe_len, PL_PATH_MAX);
	if (bpf_ringbuf_output(&events, e, size, output_wakeup_flags(size)))
		count_lost(PL_EV_EXEC);
out:
	s->busy = 0;
	return 0;
}
