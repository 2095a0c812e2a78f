// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Perfetto export. How a process becomes a track, and why:
 *
 * Perfetto's JSON importer makes a process of each "pid" and a thread track
 * of each (pid, tid); "X" slices and thread-scoped instants land on thread
 * tracks; nothing in the format puts one process under another. So each
 * process is a JSON process with one thread (tid = pid, its main thread):
 * in the UI, a process group holding its track, named "PID comm". The tree
 * shows three ways, all documented parts of the format:
 *   - process_sort_index metadata in tree order (depth first, children in
 *     birth order): recent Perfetto UIs sort process groups by it (imported
 *     as process_sort_index_hint), as chrome://tracing always did, so a
 *     child is listed right under its parent's subtree;
 *   - a "fork" instant on the parent's track and a flow arrow from it to
 *     the child's first slice, for each fork seen;
 *   - the parent's pid in every slice's args.
 * The JSON pid is the real pid, except for a process whose pid an earlier
 * one already used (pids are reused): two processes must not merge into
 * one track, so it gets a synthetic id above PID_MAX_LIMIT, and its name
 * still says its real pid.
 *
 * Slices are one per stretch of a process's life: from the fork to the
 * first exec (named "COMM (forked)"), from each exec to the next (named by
 * the program's basename, with filename and argv), then "zombie" from the
 * exit to the reap. One that existed before the recording starts there.
 * What is open at the end of the recording ends there with args.state.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "base/vec.h"
#include "base/wallclock.h"
#include "kernel/event.h"
#include "views/export_perfetto.h"
#include "views/export_procs.h"

/* The kernel's PID_MAX_LIMIT: real pids are below; synthetic track ids start here. */
#define PID_LIMIT 4194304u

enum {
	PF_SCANNED = EP_F_OWN << 0, /* from the snapshot, and nothing of its life seen since */
	PF_EXITED = EP_F_OWN << 1,  /* its exit is known: the open slice is "zombie" */
};

struct pf_proc {
	struct export_proc proc; /* first: the table's entries are pf_procs */
	__u64 seg_ts;    /* when the open slice began */
	char *seg;       /* the open slice, from "cat" into its args (left open); NULL: none */
	__u32 jid;       /* JSON pid and tid */
	__u32 track;     /* 1 + index in tracks; 0: not shown */
	__u32 status;    /* wait status, once exited */
	__u8 state;      /* enum proc_state */
};

_Static_assert(offsetof(struct pf_proc, proc) == 0, "a table entry is a pf_proc");

struct pf_track {
	__u32 jid;
	__u32 parent; /* the parent's track, 0: a root */
};

struct perfetto {
	struct perfetto_opts o;
	struct outbuf *ob;
	struct outbuf scratch;  /* a slice body being built */
	__u64 nevents;
	int err;
	struct export_procs procs; /* processes alive or not yet reaped */
	struct pf_track *tracks;
	size_t ntracks, tracks_cap;
	unsigned char *pid_used; /* bit per pid: already a JSON pid */
	size_t pid_used_len;
	__u32 next_synth;
	__u64 next_flow;
};

/* ---- the process table ---- */

/* What the table holds is ours: proc comes first. */
static struct pf_proc *pp(struct export_proc *e)
{
	return (struct pf_proc *)e;
}

static struct pf_proc *find(const struct perfetto *x, __u32 pid)
{
	return pp(export_procs__find(&x->procs, pid));
}

/* ---- output pieces ---- */

static __u64 rel(const struct perfetto *x, __u64 ts)
{
	return ts > x->o.origin_ns ? ts - x->o.origin_ns : 0;
}

/* ns as microseconds with three decimals: exact, and what every JSON reader parses. */
static void put_us(struct outbuf *ob, __u64 ns)
{
	char frac[4] = { '.', '0' + ns / 100 % 10, '0' + ns / 10 % 10, '0' + ns % 10 };

	outbuf__u64(ob, ns / 1000);
	outbuf__write(ob, frac, sizeof(frac));
}

static void put_comm(struct outbuf *ob, const char *comm)
{
	escape__json_string(ob, comm, strnlen(comm, PL_COMM_LEN));
}

/* Between two events of traceEvents. */
static void sep(struct perfetto *x)
{
	outbuf__puts(x->ob, x->nevents++ ? ",\n" : "\n");
}

/* `{"ph":PH,"pid":J,"tid":J,"ts":T`: the caller goes on with `,"key":...` and closes the brace. */
static void head(struct perfetto *x, const char *ph, __u32 jid, __u64 ts)
{
	struct outbuf *ob = x->ob;

	sep(x);
	outbuf__printf(ob, "{\"ph\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":", ph, jid, jid);
	put_us(ob, rel(x, ts));
}

/* A thread-scoped instant on e's track, up to `"name":`; false (nothing written) when e is not shown. */
static bool instant(struct perfetto *x, const struct pf_proc *e, __u64 ts, const char *cat)
{
	if (!e || !e->track)
		return false;
	head(x, "i", e->jid, ts);
	outbuf__printf(x->ob, ",\"s\":\"t\",\"cat\":\"%s\",\"name\":", cat);
	return true;
}

/* A global instant (about no process), up to `"args":{`. */
static void global_instant(struct perfetto *x, __u64 ts, const char *name)
{
	sep(x);
	outbuf__puts(x->ob, "{\"ph\":\"i\",\"s\":\"g\",\"pid\":0,\"tid\":0,\"ts\":");
	put_us(x->ob, rel(x, ts));
	outbuf__printf(x->ob, ",\"cat\":\"proclife\",\"name\":\"%s\",\"args\":{", name);
}

/* "status":S,"exit_code":..,"term_signal":..,"signame":..,"core_dumped":.. */
static void put_status(struct outbuf *ob, __u32 status)
{
	struct exit_status st = exit_status__decode(status);

	outbuf__printf(ob, "\"status\":%u,", status);
	if (st.exited)
		outbuf__printf(ob, "\"exit_code\":%d,\"term_signal\":null,\"signame\":null", st.code);
	else
		outbuf__printf(ob, "\"exit_code\":null,\"term_signal\":%d,\"signame\":\"%s\"", st.sig,
			       names__signal(st.sig));
	outbuf__printf(ob, ",\"core_dumped\":%s", st.core ? "true" : "false");
}

/* "exit 3", "killed by SIGTERM", "killed by SIGSEGV (core)", as a JSON string (no byte of it needs escaping). */
static void put_exit_name(struct outbuf *ob, __u32 status)
{
	outbuf__putc(ob, '"');
	export_proc__exit_text(ob, status);
	outbuf__putc(ob, '"');
}

/* ---- slices ---- */

/* The slice body built in scratch becomes e's open slice, from ts. */
static void seg_open(struct perfetto *x, struct pf_proc *e, __u64 ts)
{
	free(e->seg);
	e->seg = NULL;
	e->seg_ts = ts;
	if (x->scratch.err) {
		x->err = x->scratch.err;
	} else {
		e->seg = malloc(x->scratch.len + 1);
		if (e->seg)
			memcpy(e->seg, outbuf__cstr(&x->scratch), x->scratch.len + 1);
		else
			x->err = -ENOMEM;
	}
	outbuf__reset(&x->scratch);
}

/* Write e's open slice, ending at ts; state: args.state (still open at the end), or NULL. */
static void seg_close(struct perfetto *x, struct pf_proc *e, __u64 ts, const char *state)
{
	if (!e->seg)
		return;
	if (ts < e->seg_ts)
		ts = e->seg_ts;
	head(x, "X", e->jid, e->seg_ts);
	outbuf__puts(x->ob, ",\"dur\":");
	put_us(x->ob, ts - e->seg_ts);
	outbuf__putc(x->ob, ',');
	outbuf__puts(x->ob, e->seg);
	if (state)
		outbuf__printf(x->ob, ",\"state\":\"%s\"", state);
	outbuf__puts(x->ob, "}}");
	free(e->seg);
	e->seg = NULL;
}

/* In scratch: `"cat":CAT,"name":` */
static struct outbuf *body(struct perfetto *x, const char *cat)
{
	outbuf__reset(&x->scratch);
	outbuf__printf(&x->scratch, "\"cat\":\"%s\",\"name\":", cat);
	return &x->scratch;
}

/* From a fork to the first exec: named by the comm it inherited. */
static void seg_forked(struct perfetto *x, struct pf_proc *e, __u64 ts)
{
	char name[PL_COMM_LEN + 16];
	size_t n = strnlen(e->proc.comm, PL_COMM_LEN);
	struct outbuf *ob;

	if (!e->track)
		return;
	ob = body(x, "fork");
	memcpy(name, e->proc.comm, n);
	memcpy(name + n, " (forked)", 9);
	escape__json_string(ob, name, n + 9);
	outbuf__printf(ob, ",\"args\":{\"pid\":%u,\"ppid\":%u", e->proc.pid, e->proc.ppid);
	seg_open(x, e, ts);
}

static void seg_exec(struct perfetto *x, struct pf_proc *e, const struct pl_exec *r)
{
	size_t fl;
	const char *fn = event__filename(r, &fl), *base = fn;
	struct outbuf *ob;

	if (!e->track)
		return;
	for (size_t i = 0; i < fl; i++)
		if (fn[i] == '/' && i + 1 < fl)
			base = fn + i + 1;
	ob = body(x, "exec");
	if (base < fn + fl)
		escape__json_string(ob, base, fl - (base - fn));
	else /* no filename (execveat(fd, "", AT_EMPTY_PATH)): the new comm */
		put_comm(ob, r->h.comm);
	outbuf__printf(ob, ",\"args\":{\"pid\":%u,\"ppid\":%u,\"filename\":", e->proc.pid, e->proc.ppid);
	escape__json_string(ob, fn, fl);
	outbuf__puts(ob, ",\"argv\":");
	if (r->h.flags & PL_F_ARGS_UNREADABLE)
		outbuf__puts(ob, "null");
	else
		escape__argv_json(ob, r->data + r->filename_len, r->args_len);
	if (r->h.flags & PL_F_ARGS_TRUNCATED)
		outbuf__puts(ob, ",\"argv_truncated\":true");
	seg_open(x, e, r->h.ts);
}

/* A process whose birth was not seen: named by its comm, from when it is known to exist. */
static void seg_unborn(struct perfetto *x, struct pf_proc *e, __u64 ts, const char *origin,
		       const struct proc_exec *cmdline, const char *state)
{
	struct outbuf *ob;

	if (!e->track)
		return;
	ob = body(x, "life");
	put_comm(ob, e->proc.comm);
	outbuf__printf(ob, ",\"args\":{\"pid\":%u,\"ppid\":%u,\"origin\":\"%s\"", e->proc.pid, e->proc.ppid, origin);
	if (cmdline) {
		outbuf__puts(ob, ",\"argv\":");
		escape__argv_json(ob, cmdline->data + cmdline->filename_len, cmdline->args_len);
	}
	if (state)
		outbuf__printf(ob, ",\"state_at_start\":\"%s\"", state);
	seg_open(x, e, ts);
}

static void seg_zombie(struct perfetto *x, struct pf_proc *e, __u64 ts)
{
	struct outbuf *ob;

	if (!e->track)
		return;
	ob = body(x, "zombie");
	outbuf__printf(ob, "\"zombie\",\"args\":{\"pid\":%u,", e->proc.pid);
	put_status(ob, e->status);
	seg_open(x, e, ts);
}

/* ---- processes ---- */

/* A process's JSON pid: its own, unless an earlier process had it. */
static __u32 jid_for(struct perfetto *x, __u32 pid)
{
	size_t byte = pid / 8;

	if (pid && pid < PID_LIMIT) {
		if (byte >= x->pid_used_len) {
			size_t len = byte + 1 > 2 * x->pid_used_len ? byte + 1 : 2 * x->pid_used_len;
			unsigned char *nu = realloc(x->pid_used, len);

			if (!nu)
				return x->next_synth++;
			memset(nu + x->pid_used_len, 0, len - x->pid_used_len);
			x->pid_used = nu;
			x->pid_used_len = len;
		}
		if (!(x->pid_used[byte] & (1u << (pid % 8)))) {
			x->pid_used[byte] |= 1u << (pid % 8);
			return pid;
		}
	}
	return x->next_synth++;
}

/* A track for e, under parent's (NULL: a root). */
static void give_track(struct perfetto *x, struct pf_proc *e, const struct pf_proc *parent)
{
	struct pf_track t = { .jid = jid_for(x, e->proc.pid), .parent = parent ? parent->track : 0 };

	if (!VEC_PUSH(x->tracks, x->ntracks, x->tracks_cap, t)) {
		x->err = -ENOMEM;
		return;
	}
	e->track = x->ntracks;
	e->jid = t.jid;
}

static struct pf_proc *proc_add(struct perfetto *x, __u32 pid, __u64 start_ns, __u32 ppid, const char *comm,
				__u8 flags, const struct pf_proc *parent)
{
	struct pf_proc *e = pp(export_procs__add(&x->procs, sizeof(*e), pid, start_ns, ppid, comm, flags));

	if (!e) {
		x->err = -ENOMEM;
		return NULL;
	}
	if (export_procs__wanted(&x->procs, pid, parent && parent->track, flags & EP_KTHREAD))
		give_track(x, e, parent);
	return e;
}

/* Its track gets its name ("PID comm", the last comm) and is done. */
static void track_close(struct perfetto *x, const struct pf_proc *e)
{
	static const char *const kinds[] = { "process_name", "thread_name" };
	char name[16 + PL_COMM_LEN];
	size_t n;

	if (!e->track)
		return;
	n = snprintf(name, sizeof(name), "%u ", e->proc.pid);
	memcpy(name + n, e->proc.comm, strnlen(e->proc.comm, PL_COMM_LEN));
	n += strnlen(e->proc.comm, PL_COMM_LEN);
	for (size_t i = 0; i < 2; i++) {
		sep(x);
		outbuf__printf(x->ob, "{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"%s\",\"args\":{\"name\":", e->jid,
			       e->jid, kinds[i]);
		escape__json_string(x->ob, name, n);
		outbuf__puts(x->ob, "}}");
	}
}

static void proc_end(struct perfetto *x, struct pf_proc *e)
{
	track_close(x, e);
	export_procs__del(&x->procs, &e->proc);
	free(e->seg);
	free(e);
}

/* A pid now names another process: the one we knew ended unseen (events were lost). */
static void proc_vanish(struct perfetto *x, struct pf_proc *e, __u64 ts)
{
	seg_close(x, e, ts, "ended unseen");
	proc_end(x, e);
}

/*
 * The subject of an event: found, or learnt from the header (its start is
 * known exactly: that is where its slice begins). As the model does.
 */
static struct pf_proc *touch(struct perfetto *x, const struct pl_hdr *h)
{
	struct export_proc *stale;
	struct pf_proc *e = pp(export_procs__touch(&x->procs, h, &stale)), *parent;

	if (stale)
		proc_vanish(x, pp(stale), h->ts);
	if (e)
		return e;
	parent = h->ppid ? find(x, h->ppid) : NULL;
	e = proc_add(x, h->pid, h->start_ns, h->ppid, h->comm, 0, parent);
	if (e)
		seg_unborn(x, e, h->start_ns > x->o.origin_ns ? h->start_ns : x->o.origin_ns, "birth not seen", NULL,
			   NULL);
	return e;
}

/* ---- events ---- */

void perfetto__existing(struct perfetto *x, const struct proc *p)
{
	struct pf_proc *parent = p->ppid ? find(x, p->ppid) : NULL, *e;
	const struct proc_exec *cmd = p->execs;

	if (find(x, p->pid))
		return;
	e = proc_add(x, p->pid, p->start_ns, p->ppid, p->comm, export_proc__flags_of(p) | PF_SCANNED, parent);
	if (!e)
		return;
	e->state = p->state;
	if (p->state == PROC_ZOMBIE || p->state == PROC_REAPED) {
		e->proc.flags |= PF_EXITED;
		e->status = p->status;
		seg_zombie(x, e, x->o.origin_ns);
		return;
	}
	/* The oldest exec of a scanned process is its /proc cmdline. */
	while (cmd && cmd->older)
		cmd = cmd->older;
	seg_unborn(x, e, p->start_ns > x->o.origin_ns ? p->start_ns : x->o.origin_ns, "before the recording", cmd,
		   p->state == PROC_STOPPED ? "stopped" : NULL);
}

/*
 * The fork: an instant on the caller's track, and a flow arrow from it to
 * the child's first slice. The arrow starts at the instant because Perfetto
 * binds a flow start to the newest slice it has seen on the track, which
 * could be an older instant (a SIGCHLD) rather than the slice around ts.
 */
static void fork_mark(struct perfetto *x, const struct pf_proc *caller, const struct pf_proc *c, __u64 ts)
{
	__u64 id = ++x->next_flow;

	if (!instant(x, caller, ts, "fork"))
		return;
	outbuf__printf(x->ob, "\"fork\",\"args\":{\"child_pid\":%u}}", c->proc.pid);
	if (!c->track)
		return;
	head(x, "s", caller->jid, ts);
	outbuf__printf(x->ob, ",\"cat\":\"fork\",\"name\":\"fork\",\"id\":%llu}", (unsigned long long)id);
	/* "bp":"e": bound to the slice around ts on the child's track, its first (Perfetto sorts it first). */
	head(x, "f", c->jid, ts);
	outbuf__printf(x->ob, ",\"bp\":\"e\",\"cat\":\"fork\",\"name\":\"fork\",\"id\":%llu}", (unsigned long long)id);
}

static void on_fork(struct perfetto *x, const struct pl_fork *f)
{
	__u32 ppid = f->child_ppid ? f->child_ppid : f->h.pid;
	struct pf_proc *caller, *parent, *c;
	__u32 caller_pid = f->h.pid;
	struct export_proc *stale;

	if (f->h.flags & PL_F_THREAD)
		return;
	caller = touch(x, &f->h);
	c = pp(export_procs__match(&x->procs, f->child_pid, f->child_start_ns, &stale));
	if (c) {
		/* In the snapshot already (scanned while the fork was under way): born now after all. */
		if (c->proc.flags & PF_SCANNED) {
			c->proc.flags &= ~PF_SCANNED;
			memcpy(c->proc.comm, f->h.comm, PL_COMM_LEN);
			seg_forked(x, c, f->h.ts);
		}
		fork_mark(x, caller, c, f->h.ts);
		return;
	}
	if (stale)
		proc_vanish(x, pp(stale), f->h.ts);
	/* With CLONE_PARENT the parent is the caller's own parent. */
	parent = ppid == caller_pid ? caller : find(x, ppid);
	c = proc_add(x, f->child_pid, f->child_start_ns, ppid, f->h.comm,
		     parent && (parent->proc.flags & EP_KTHREAD) ? EP_KTHREAD : 0, parent);
	if (!c)
		return;
	seg_forked(x, c, f->h.ts);
	fork_mark(x, caller, c, f->h.ts);
}

static void on_exec(struct perfetto *x, const struct pl_exec *r)
{
	struct pf_proc *e = touch(x, &r->h);

	if (!e)
		return;
	e->proc.flags &= ~PF_SCANNED;
	/* A kernel thread's child that runs a program (a usermode helper) is a process now. */
	if ((e->proc.flags & EP_KTHREAD) && !e->track && !x->o.only_pid)
		give_track(x, e, find(x, e->proc.ppid));
	e->proc.flags &= ~EP_KTHREAD;
	seg_close(x, e, r->h.ts, NULL);
	memcpy(e->proc.comm, r->h.comm, PL_COMM_LEN);
	seg_exec(x, e, r);
}

static void on_exec_failed(struct perfetto *x, const struct pl_exec_failed *r)
{
	struct pf_proc *e = touch(x, &r->h);
	const char *fn, *err = names__errno(r->err);
	size_t fl;

	if (!instant(x, e, r->h.ts, "exec"))
		return;
	outbuf__puts(x->ob, "\"exec failed\",\"args\":{\"filename\":");
	fn = event__filename(r, &fl);
	escape__json_string(x->ob, fn, fl);
	if (err)
		outbuf__printf(x->ob, ",\"errno\":\"%s\"}}", err);
	else
		outbuf__printf(x->ob, ",\"errno\":%d}}", r->err);
}

/* The exit instant at ts, with who killed it when the record says. */
static void exit_instant(struct perfetto *x, const struct pf_proc *e, __u64 ts, const struct pl_killer *k)
{
	if (!instant(x, e, ts, "exit"))
		return;
	put_exit_name(x->ob, e->status);
	outbuf__puts(x->ob, ",\"args\":{");
	put_status(x->ob, e->status);
	outbuf__puts(x->ob, ",\"killed_by\":");
	if (k && k->sig && !exit_status__decode(e->status).exited) {
		outbuf__printf(x->ob, "{\"pid\":%u,\"comm\":", k->pid);
		put_comm(x->ob, k->comm);
		outbuf__printf(x->ob, ",\"signal\":\"%s\",\"how\":\"%s\"}", names__signal(k->sig),
			       names__si_code(k->info_code));
	} else {
		outbuf__puts(x->ob, "null");
	}
	outbuf__puts(x->ob, "}}");
}

/* e exited at ts: its slice ends, the exit instant, then "zombie" until the reap. */
static void proc_exited(struct perfetto *x, struct pf_proc *e, __u64 ts, __u32 status, const struct pl_killer *k)
{
	e->proc.flags &= ~PF_SCANNED;
	seg_close(x, e, ts, NULL);
	e->status = status;
	e->state = PROC_ZOMBIE;
	e->proc.flags |= PF_EXITED;
	exit_instant(x, e, ts, k);
	seg_zombie(x, e, e->seg_ts > ts ? e->seg_ts : ts);
}

static void on_proc_exit(struct perfetto *x, const struct pl_exit *r)
{
	struct pf_proc *e;

	if (r->h.flags & PL_F_THREAD)
		return;
	e = touch(x, &r->h);
	if (!e)
		return;
	if (e->proc.flags & PF_EXITED) {
		/* A zombie in the snapshot whose exit came after it: the instant only. */
		e->status = r->status;
		exit_instant(x, e, r->h.ts, &r->killer);
		return;
	}
	proc_exited(x, e, r->h.ts, r->status, &r->killer);
}

static void on_reap(struct perfetto *x, const struct pl_reap *r)
{
	struct pf_proc *e = pp(export_procs__get(&x->procs, r->h.pid, r->h.start_ns));

	if (!e)
		return;
	if (!(e->proc.flags & PF_EXITED))
		proc_exited(x, e, r->exit_ts && r->exit_ts <= r->h.ts ? r->exit_ts : r->h.ts, r->status, NULL);
	seg_close(x, e, r->h.ts, NULL);
	if (instant(x, e, r->h.ts, "reap")) {
		if (r->reaper_pid) {
			outbuf__printf(x->ob, "\"reaped by %u\",\"args\":{\"reaper_pid\":%u,\"reaper_comm\":", r->reaper_pid,
				       r->reaper_pid);
			put_comm(x->ob, r->reaper_comm);
		} else {
			outbuf__puts(x->ob, "\"reaped\",\"args\":{\"reaper_pid\":null,\"reaper_comm\":null");
		}
		outbuf__printf(x->ob, ",\"how\":\"%s\"}}",
			       r->h.flags & PL_F_REAP_WAIT ? "wait" : r->h.flags & PL_F_REAP_AUTO ? "auto" : "unknown");
	}
	proc_end(x, e);
}

static void on_sig(struct perfetto *x, const struct pl_signal *r)
{
	struct pf_proc *t;

	if (r->h.pid)
		touch(x, &r->h);
	/* Attempts the kernel refused and signal-0 probes reached nobody. */
	if (r->sig <= 0 || r->result == PL_SIG_FAILED || r->result == PL_SIG_PROBE)
		return;
	t = find(x, r->target_pid);
	if (!instant(x, t, r->h.ts, "signal"))
		return;
	outbuf__printf(x->ob, "\"%s\",\"args\":{\"signal\":\"%s\",\"sig\":%d,\"from_pid\":%u,\"from_comm\":",
		       names__signal(r->sig), names__signal(r->sig), r->sig, r->h.pid);
	put_comm(x->ob, r->h.comm);
	outbuf__printf(x->ob, ",\"result\":\"%s\",\"how\":\"%s\"}}", names__sig_result(r->result),
		       names__si_code(r->info_code));
}

static void on_rename(struct perfetto *x, const struct pl_rename *r)
{
	struct pf_proc *e = touch(x, &r->h);

	if (!e)
		return;
	if (instant(x, e, r->h.ts, "rename")) {
		outbuf__puts(x->ob, "\"renamed\",\"args\":{\"old\":");
		put_comm(x->ob, r->h.comm);
		outbuf__puts(x->ob, ",\"new\":");
		put_comm(x->ob, r->new_comm);
		outbuf__puts(x->ob, "}}");
	}
	memcpy(e->proc.comm, r->new_comm, PL_COMM_LEN);
}

void perfetto__record(struct perfetto *x, const void *rec)
{
	const struct pl_hdr *h = rec;

	switch (h->type) {
	case PL_EV_FORK:
		on_fork(x, rec);
		break;
	case PL_EV_EXEC:
		on_exec(x, rec);
		break;
	case PL_EV_EXEC_FAILED:
		on_exec_failed(x, rec);
		break;
	case PL_EV_EXIT:
		on_proc_exit(x, rec);
		break;
	case PL_EV_REAP:
		on_reap(x, rec);
		break;
	case PL_EV_SIGNAL:
		on_sig(x, rec);
		break;
	case PL_EV_DELIVER:
		if (h->pid)
			touch(x, h);
		break;
	case PL_EV_RENAME:
		on_rename(x, rec);
		break;
	}
}

void perfetto__derived(struct perfetto *x, const struct derived_event *d)
{
	struct pf_proc *e = pp(export_procs__of(&x->procs, d->p));

	switch (d->type) {
	case DV_STOP:
	case DV_CONTINUE:
		if (!e)
			return;
		e->state = d->type == DV_STOP ? PROC_STOPPED : PROC_CONTINUED;
		if (instant(x, e, d->ts, "state"))
			outbuf__printf(x->ob, "\"%s\",\"args\":{\"signal\":\"%s\"}}",
				       d->type == DV_STOP ? "stopped" : "continued",
				       names__signal(d->type == DV_STOP ? d->sig : SIGCONT));
		break;
	case DV_REPARENT:
		if (!e)
			return;
		e->proc.ppid = d->new_parent;
		if (instant(x, e, d->ts, "reparent")) {
			outbuf__printf(x->ob, "\"adopted by %u\",\"args\":{\"old_parent\":%u,\"new_parent\":%u,\"new_parent_comm\":",
				       d->new_parent, d->old_parent, d->new_parent);
			if (d->parent)
				put_comm(x->ob, d->parent->comm);
			else
				outbuf__puts(x->ob, "null");
			outbuf__puts(x->ob, "}}");
		}
		break;
	case DV_RESYNC:
		global_instant(x, d->ts, "events lost: resynced with /proc");
		outbuf__printf(x->ob, "\"added\":%u,\"removed\":%u,\"reparented\":%u,\"states_fixed\":%u}}", d->rs.added,
			       d->rs.removed, d->rs.reparented, d->rs.states_fixed);
		break;
	default:
		break;
	}
}

void perfetto__lost(struct perfetto *x, unsigned type, __u64 count, __u64 ts)
{
	global_instant(x, ts, "events lost");
	outbuf__printf(x->ob, "\"type\":\"%s\",\"count\":%llu}}", names__event(type), (unsigned long long)count);
}

void perfetto__resync(struct perfetto *x, const struct model *m, __u64 ts)
{
	size_t n;
	struct export_proc **gone = export_procs__gone(&x->procs, m, &n);

	if (!gone) {
		x->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++)
		proc_vanish(x, pp(gone[i]), ts);
	free(gone);
}

/* ---- the document ---- */

int perfetto__new(struct outbuf *ob, const struct perfetto_opts *o, struct perfetto **out)
{
	struct perfetto *x = calloc(1, sizeof(*x));
	struct wallclock wc = { .offset_ns = o->wall_offset_ns };
	char start[WALLCLOCK_RFC3339_MAX];

	if (!x || outbuf__init(&x->scratch, -1, 4096) < 0) {
		free(x);
		return -ENOMEM;
	}
	x->o = *o;
	x->ob = ob;
	export_procs__init(&x->procs, o->only_pid, o->kthreads);
	x->next_synth = PID_LIMIT;
	wallclock__rfc3339(&wc, o->origin_ns, start, sizeof(start));
	outbuf__printf(ob,
		       "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"proclife export\",\"recording_start\":\"%s\","
		       "\"recording_start_boot_ns\":%llu,\"time_unit\":\"ts and dur: microseconds since recording_start\"},"
		       "\"traceEvents\":[",
		       start, (unsigned long long)o->origin_ns);
	*out = x;
	return 0;
}

static int by_track(const void *a, const void *b)
{
	const struct pf_proc *x = pp(*(struct export_proc *const *)a), *y = pp(*(struct export_proc *const *)b);

	return x->track < y->track ? -1 : x->track > y->track;
}

/* process_sort_index in tree order: depth first, children in the order their tracks were made. */
static void sort_indices(struct perfetto *x)
{
	size_t n = x->ntracks;
	__u32 *first = calloc(n + 1, sizeof(*first)), *next = calloc(n + 1, sizeof(*next));
	__u32 idx = 0;

	if (!first || !next) {
		x->err = -ENOMEM;
		goto out;
	}
	/* Children lists (track 0 is the root of the roots); a parent's track is older than its child's. */
	for (size_t t = n; t >= 1; t--) {
		__u32 p = x->tracks[t - 1].parent;

		next[t] = first[p];
		first[p] = t;
	}
	for (__u32 t = first[0]; t;) {
		sep(x);
		outbuf__printf(x->ob, "{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":%u}}",
			       x->tracks[t - 1].jid, x->tracks[t - 1].jid, idx++);
		if (first[t]) {
			t = first[t];
			continue;
		}
		while (t && !next[t])
			t = x->tracks[t - 1].parent;
		if (t)
			t = next[t];
	}
out:
	free(first);
	free(next);
}

int perfetto__finish(struct perfetto *x, __u64 end_ns)
{
	size_t n;
	struct export_proc **open = export_procs__list(&x->procs, &n);

	if (!open)
		return -ENOMEM;
	qsort(open, n, sizeof(*open), by_track);
	for (size_t i = 0; i < n; i++) {
		struct pf_proc *e = pp(open[i]);

		seg_close(x, e, end_ns, proc_state__name(e->state));
		proc_end(x, e);
	}
	free(open);
	sort_indices(x);
	outbuf__puts(x->ob, "\n]}\n");
	return x->err;
}

static void proc_free(struct export_proc *e)
{
	free(pp(e)->seg);
	free(e);
}

void perfetto__free(struct perfetto *x)
{
	if (!x)
		return;
	export_procs__free(&x->procs, proc_free);
	free(x->tracks);
	free(x->pid_used);
	outbuf__free(&x->scratch);
	free(x);
}
