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

#include "base/names.h"
#include "base/vec.h"
#include "base/wallclock.h"
#include "kernel/event.h"
#include "views/event_fmt.h"
#include "views/export_perfetto.h"
#include "views/export_procs.h"
#include "views/json.h"

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
	struct json j;          /* the document */
	struct outbuf scratch;  /* a slice body being built */
	struct json sj;         /* writing into scratch */
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
static void put_us(struct json *j, __u64 ns)
{
	json__fixed(j, ns, 3);
}

/* `{"ph":PH,"pid":J,"tid":J,"ts":T`, on a line of its own: the caller goes on with its fields and closes it. */
static void head(struct perfetto *x, const char *ph, __u32 jid, __u64 ts)
{
	struct json *j = &x->j;

	json__break(j);
	json__begin_object(j);
	json__kv_cstr(j, "ph", ph);
	json__kv_u64(j, "pid", jid);
	json__kv_u64(j, "tid", jid);
	json__key(j, "ts");
	put_us(j, rel(x, ts));
}

/* A thread-scoped instant on e's track, up to `"name":`; false (nothing written) when e is not shown. */
static bool instant(struct perfetto *x, const struct pf_proc *e, __u64 ts, const char *cat)
{
	if (!e || !e->track)
		return false;
	head(x, "i", e->jid, ts);
	json__kv_cstr(&x->j, "s", "t");
	json__kv_cstr(&x->j, "cat", cat);
	json__key(&x->j, "name");
	return true;
}

/* `"args":{`: the instant's arguments follow; args_end() closes them and the instant. */
static void args(struct json *j)
{
	json__key(j, "args");
	json__begin_object(j);
}

static void args_end(struct json *j)
{
	json__end_object(j);
	json__end_object(j);
}

/* A global instant (about no process), up to `"args":{`. */
static void global_instant(struct perfetto *x, __u64 ts, const char *name)
{
	struct json *j = &x->j;

	json__break(j);
	json__begin_object(j);
	json__kv_cstr(j, "ph", "i");
	json__kv_cstr(j, "s", "g");
	json__kv_u64(j, "pid", 0);
	json__kv_u64(j, "tid", 0);
	json__key(j, "ts");
	put_us(j, rel(x, ts));
	json__kv_cstr(j, "cat", "proclife");
	json__kv_cstr(j, "name", name);
	args(j);
}

/* "status":S,"exit_code":..,"term_signal":..,"signame":..,"core_dumped":.. */
static void put_status(struct json *j, __u32 status)
{
	struct exit_status st = exit_status__decode(status);

	json__kv_u64_or_null(j, "status", st.known, status);
	json__kv_i64_or_null(j, "exit_code", st.exited, st.code);
	json__kv_i64_or_null(j, "term_signal", st.known && !st.exited, st.sig);
	json__kv_cstr(j, "signame", st.known && !st.exited ? names__signal(st.sig) : NULL);
	json__kv_bool(j, "core_dumped", st.core);
}

/* "exit 3", "killed by SIGTERM", "killed by SIGSEGV (core)", as a JSON string. */
static void put_exit_name(struct json *j, __u32 status)
{
	char buf[EXIT_STATUS_TEXT_MAX];

	json__cstr(j, event_fmt__status_str(status, EXIT_TEXT_BRIEF, buf, sizeof(buf)));
}

/* ---- slices ---- */

/*
 * The slice body built in scratch (its fields from "cat" into its args,
 * left open) becomes e's open slice, from ts.
 */
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
	struct json *j = &x->j;

	if (!e->seg)
		return;
	if (ts < e->seg_ts)
		ts = e->seg_ts;
	head(x, "X", e->jid, e->seg_ts);
	json__key(j, "dur");
	put_us(j, ts - e->seg_ts);
	/* Its fields, and its args left open: one object to close. */
	json__splice(j, e->seg, strlen(e->seg), 1);
	if (state)
		json__kv_cstr(j, "state", state);
	args_end(j);
	free(e->seg);
	e->seg = NULL;
}

/* In scratch: `"cat":CAT,"name":` */
static struct json *body(struct perfetto *x, const char *cat)
{
	outbuf__reset(&x->scratch);
	json__init_fields(&x->sj, &x->scratch);
	json__kv_cstr(&x->sj, "cat", cat);
	json__key(&x->sj, "name");
	return &x->sj;
}

/* The slice's `"args":{"pid":P,"ppid":PP`, left open. */
static void body_args(struct json *j, const struct pf_proc *e)
{
	args(j);
	json__kv_u64(j, "pid", e->proc.pid);
	json__kv_u64(j, "ppid", e->proc.ppid);
}

/* From a fork to the first exec: named by the comm it inherited. */
static void seg_forked(struct perfetto *x, struct pf_proc *e, __u64 ts)
{
	char name[PL_COMM_LEN + 16];
	size_t n = strnlen(e->proc.comm, PL_COMM_LEN);
	struct json *j;

	if (!e->track)
		return;
	j = body(x, "fork");
	memcpy(name, e->proc.comm, n);
	memcpy(name + n, " (forked)", 9);
	json__string(j, name, n + 9);
	body_args(j, e);
	seg_open(x, e, ts);
}

static void seg_exec(struct perfetto *x, struct pf_proc *e, const struct pl_exec *r)
{
	size_t fl;
	const char *fn = event__filename(r, &fl), *base = fn;
	struct json *j;

	if (!e->track)
		return;
	for (size_t i = 0; i < fl; i++)
		if (fn[i] == '/' && i + 1 < fl)
			base = fn + i + 1;
	j = body(x, "exec");
	if (base < fn + fl)
		json__string(j, base, fl - (base - fn));
	else /* no filename (execveat(fd, "", AT_EMPTY_PATH)): the new comm */
		json__comm(j, r->h.comm);
	body_args(j, e);
	json__kv_string(j, "filename", fn, fl);
	json__key(j, "argv");
	if (r->h.flags & PL_F_ARGS_UNREADABLE)
		json__null(j);
	else
		json__argv(j, r->data + r->filename_len, r->args_len);
	if (r->h.flags & PL_F_ARGS_TRUNCATED)
		json__kv_bool(j, "argv_truncated", true);
	seg_open(x, e, r->h.ts);
}

/* A process whose birth was not seen: named by its comm, from when it is known to exist. */
static void seg_unborn(struct perfetto *x, struct pf_proc *e, __u64 ts, const char *origin,
		       const struct proc_exec *cmdline, const char *state)
{
	struct json *j;

	if (!e->track)
		return;
	j = body(x, "life");
	json__comm(j, e->proc.comm);
	body_args(j, e);
	json__kv_cstr(j, "origin", origin);
	if (cmdline) {
		json__key(j, "argv");
		json__argv(j, cmdline->data + cmdline->filename_len, cmdline->args_len);
	}
	if (state)
		json__kv_cstr(j, "state_at_start", state);
	seg_open(x, e, ts);
}

static void seg_zombie(struct perfetto *x, struct pf_proc *e, __u64 ts)
{
	struct json *j;

	if (!e->track)
		return;
	j = body(x, "zombie");
	json__cstr(j, "zombie");
	args(j);
	json__kv_u64(j, "pid", e->proc.pid);
	put_status(j, e->status);
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

/* `{"ph":"M","pid":J,"tid":J,"name":NAME,"args":{`: metadata about a track; args_end() closes it. */
static void metadata(struct perfetto *x, __u32 jid, const char *name)
{
	struct json *j = &x->j;

	json__break(j);
	json__begin_object(j);
	json__kv_cstr(j, "ph", "M");
	json__kv_u64(j, "pid", jid);
	json__kv_u64(j, "tid", jid);
	json__kv_cstr(j, "name", name);
	args(j);
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
		metadata(x, e->jid, kinds[i]);
		json__kv_string(&x->j, "name", name, n);
		args_end(&x->j);
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

/* The rest of a flow event, closed: "cat":"fork","name":"fork","id":ID} */
static void flow_fields(struct json *j, __u64 id)
{
	json__kv_cstr(j, "cat", "fork");
	json__kv_cstr(j, "name", "fork");
	json__kv_u64(j, "id", id);
	json__end_object(j);
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

	struct json *j = &x->j;

	if (!instant(x, caller, ts, "fork"))
		return;
	json__cstr(j, "fork");
	args(j);
	json__kv_u64(j, "child_pid", c->proc.pid);
	args_end(j);
	if (!c->track)
		return;
	head(x, "s", caller->jid, ts);
	flow_fields(j, id);
	/* "bp":"e": bound to the slice around ts on the child's track, its first (Perfetto sorts it first). */
	head(x, "f", c->jid, ts);
	json__kv_cstr(j, "bp", "e");
	flow_fields(j, id);
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
	json__cstr(&x->j, "exec failed");
	args(&x->j);
	fn = event__filename(r, &fl);
	json__kv_string(&x->j, "filename", fn, fl);
	if (err)
		json__kv_cstr(&x->j, "errno", err);
	else
		json__kv_i64(&x->j, "errno", r->err);
	args_end(&x->j);
}

/* The exit instant at ts, with who killed it when the record says. */
static void exit_instant(struct perfetto *x, const struct pf_proc *e, __u64 ts, const struct pl_killer *k)
{
	struct json *j = &x->j;

	if (!instant(x, e, ts, "exit"))
		return;
	put_exit_name(j, e->status);
	args(j);
	put_status(j, e->status);
	json__key(j, "killed_by");
	if (k && k->sig && exit_status__killed(e->status)) {
		json__begin_object(j);
		json__kv_u64(j, "pid", k->pid);
		json__kv_comm(j, "comm", k->comm);
		json__kv_cstr(j, "signal", names__signal(k->sig));
		json__kv_cstr(j, "how", names__si_code(k->info_code));
		json__end_object(j);
	} else {
		json__null(j);
	}
	args_end(j);
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

/* The reap instant, from its name on: "reaped by N" and who. */
static void reap_instant(struct json *j, const struct pl_reap *r)
{
	char name[32];

	snprintf(name, sizeof(name), "reaped by %u", r->reaper_pid);
	json__cstr(j, r->reaper_pid ? name : "reaped");
	args(j);
	json__kv_u64_or_null(j, "reaper_pid", r->reaper_pid, r->reaper_pid);
	json__key(j, "reaper_comm");
	if (r->reaper_pid)
		json__comm(j, r->reaper_comm);
	else
		json__null(j);
	json__kv_cstr(j, "how", r->h.flags & PL_F_REAP_WAIT ? "wait" : r->h.flags & PL_F_REAP_AUTO ? "auto" : "unknown");
	args_end(j);
}

static void on_reap(struct perfetto *x, const struct pl_reap *r)
{
	struct pf_proc *e = pp(export_procs__get(&x->procs, r->h.pid, r->h.start_ns));

	if (!e)
		return;
	if (!(e->proc.flags & PF_EXITED))
		proc_exited(x, e, r->exit_ts && r->exit_ts <= r->h.ts ? r->exit_ts : r->h.ts, r->status, NULL);
	seg_close(x, e, r->h.ts, NULL);
	if (instant(x, e, r->h.ts, "reap"))
		reap_instant(&x->j, r);
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
	json__cstr(&x->j, names__signal(r->sig));
	args(&x->j);
	json__kv_cstr(&x->j, "signal", names__signal(r->sig));
	json__kv_i64(&x->j, "sig", r->sig);
	json__kv_u64(&x->j, "from_pid", r->h.pid);
	json__kv_comm(&x->j, "from_comm", r->h.comm);
	json__kv_cstr(&x->j, "result", names__sig_result(r->result));
	json__kv_cstr(&x->j, "how", names__si_code(r->info_code));
	args_end(&x->j);
}

static void on_rename(struct perfetto *x, const struct pl_rename *r)
{
	struct pf_proc *e = touch(x, &r->h);

	if (!e)
		return;
	if (instant(x, e, r->h.ts, "rename")) {
		json__cstr(&x->j, "renamed");
		args(&x->j);
		json__kv_comm(&x->j, "old", r->h.comm);
		json__kv_comm(&x->j, "new", r->new_comm);
		args_end(&x->j);
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

/* The reparent instant, from its name on: "adopted by N" and by whom. */
static void reparent_instant(struct json *j, const struct derived_event *d)
{
	char name[32];

	snprintf(name, sizeof(name), "adopted by %u", d->new_parent);
	json__cstr(j, name);
	args(j);
	json__kv_u64(j, "old_parent", d->old_parent);
	json__kv_u64(j, "new_parent", d->new_parent);
	json__key(j, "new_parent_comm");
	if (d->parent)
		json__comm(j, d->parent->comm);
	else
		json__null(j);
	args_end(j);
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
		if (instant(x, e, d->ts, "state")) {
			json__cstr(&x->j, d->type == DV_STOP ? "stopped" : "continued");
			args(&x->j);
			json__kv_cstr(&x->j, "signal", names__signal(d->type == DV_STOP ? d->sig : SIGCONT));
			args_end(&x->j);
		}
		break;
	case DV_REPARENT:
		if (!e)
			return;
		e->proc.ppid = d->new_parent;
		if (instant(x, e, d->ts, "reparent"))
			reparent_instant(&x->j, d);
		break;
	case DV_RESYNC:
		global_instant(x, d->ts, "events lost: resynced with /proc");
		json__kv_u64(&x->j, "added", d->rs.added);
		json__kv_u64(&x->j, "removed", d->rs.removed);
		json__kv_u64(&x->j, "reparented", d->rs.reparented);
		json__kv_u64(&x->j, "states_fixed", d->rs.states_fixed);
		args_end(&x->j);
		break;
	default:
		break;
	}
}

void perfetto__lost(struct perfetto *x, unsigned type, __u64 count, __u64 ts)
{
	global_instant(x, ts, "events lost");
	json__kv_cstr(&x->j, "type", names__event(type));
	json__kv_u64(&x->j, "count", count);
	args_end(&x->j);
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
	json__init(&x->j, ob);
	export_procs__init(&x->procs, o->only_pid, o->kthreads);
	x->next_synth = PID_LIMIT;
	wallclock__rfc3339(&wc, o->origin_ns, start, sizeof(start));
	json__begin_object(&x->j);
	json__kv_cstr(&x->j, "displayTimeUnit", "ms");
	json__key(&x->j, "otherData");
	json__begin_object(&x->j);
	json__kv_cstr(&x->j, "generator", "proclife export");
	json__kv_cstr(&x->j, "recording_start", start);
	json__kv_u64(&x->j, "recording_start_boot_ns", o->origin_ns);
	json__kv_cstr(&x->j, "time_unit", "ts and dur: microseconds since recording_start");
	json__end_object(&x->j);
	json__key(&x->j, "traceEvents");
	json__begin_array(&x->j);
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
		metadata(x, x->tracks[t - 1].jid, "process_sort_index");
		json__kv_u64(&x->j, "sort_index", idx++);
		args_end(&x->j);
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
	json__ws(&x->j, "\n");
	json__end_array(&x->j);
	json__end_object(&x->j);
	json__ws(&x->j, "\n");
	return x->err ? x->err : json__finish(&x->j);
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
