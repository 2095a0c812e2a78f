// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * JSON lines: one object per event, field names documented in docs/EVENTS.md,
 * written through the emitter (views/json.h), which escapes every string
 * into valid UTF-8 JSON for any bytes.
 */
#include <string.h>

#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "views/ctfmt.h"
#include "views/event_fmt.h"
#include "views/identity_fmt.h"
#include "views/json.h"
#include "views/usage_fmt.h"
#include "views/writer.h"

/* A wait status: its fields, and the raw status for what they do not say. */
static void status_fields(struct json *j, __u32 status)
{
	event_fmt__status_json(j, true, status);
	json__kv_u64_or_null(j, "status", exit_status__decode(status).known, status);
}

static void time_value(struct json *j, const struct wallclock *wc, __u64 ts)
{
	char tbuf[WALLCLOCK_RFC3339_MAX];

	wallclock__rfc3339(wc, ts, tbuf, sizeof(tbuf));
	json__cstr(j, tbuf);
}

/* {"event":EVENT,"time":... : the caller writes the rest and closes it (end()). */
static void begin(struct writer *w, struct json *j, const char *event, __u64 ts)
{
	json__init(j, w->ob);
	json__begin_object(j);
	json__kv_cstr(j, "event", event);
	json__key(j, "time");
	time_value(j, w->wc, ts);
}

/* One object per line. */
static void end(struct json *j)
{
	json__end_object(j);
	json__ws(j, "\n");
}

/* The fields every record has. */
static void header_fields(struct json *j, const struct pl_hdr *h)
{
	json__kv_u64(j, "pid", h->pid);
	json__kv_u64(j, "tid", h->tid);
	json__kv_u64(j, "ppid", h->ppid);
	json__kv_u64(j, "uid", h->uid);
	json__kv_u64(j, "gid", h->gid);
	{
		struct ident id = ident__of_hdr(h);

		identity_fmt__json_fields(j, &id);
	}
	json__kv_comm(j, "comm", h->comm);
	json__kv_u64(j, "cpu", h->cpu);
	json__kv_u64(j, "cgroup_id", h->cgroup_id);
	json__kv_u64(j, "pidns", h->pidns);
	json__kv_u64(j, "ns_pid", h->ns_pid);
	json__kv_u64(j, "ktime_ns", h->ts);
}

/* "killed_by": who sent the fatal signal, or null. */
static void killer_fields(struct writer *w, struct json *j, const struct pl_killer *k)
{
	json__key(j, "killed_by");
	if (!k->sig) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	json__kv_i64(j, "sig", k->sig);
	json__kv_cstr(j, "signame", names__signal(k->sig));
	json__key(j, "time");
	time_value(j, w->wc, k->ts);
	json__kv_cstr(j, "origin", sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom));
	json__kv_cstr(j, "syscall", sig__syscall_name(k->syscall));
	/* The task that sent it; for a kernel origin, the one the kernel was running for. */
	json__kv_u64(j, "pid", k->pid);
	json__kv_u64(j, "tid", k->tid);
	json__kv_u64(j, "uid", k->uid);
	json__kv_comm(j, "comm", k->comm);
	json__end_object(j);
}

static void fork_fields(struct json *j, const struct pl_fork *e)
{
	json__kv_u64(j, "child", e->child_pid);
	json__kv_u64(j, "child_tid", e->child_tid);
	json__kv_u64(j, "child_ppid", e->child_ppid);
	json__kv_bool(j, "thread", e->h.flags & PL_F_THREAD);
}

/* A path of an exec, or null when the record does not say; "NAME_truncated": true only when cut short. */
static void exec_path(struct json *j, const char *key, const char *cut_key, const char *s, size_t len, bool cut)
{
	json__key(j, key);
	if (s)
		json__string(j, s, len);
	else
		json__null(j);
	if (cut)
		json__kv_bool(j, cut_key, true);
}

/* What the exec's identity adds: saved and fs ids, capabilities, paths, setid; null before format 2.0. */
static void exec_identity_fields(struct json *j, const struct pl_exec *e)
{
	bool known = !(e->h.flags & PL_F_NO_IDENTITY);
	const char *s;
	size_t n;

	json__kv_u64_or_null(j, "suid", known, e->creds.suid);
	json__kv_u64_or_null(j, "sgid", known, e->creds.sgid);
	json__kv_u64_or_null(j, "fsuid", known, e->creds.fsuid);
	json__kv_u64_or_null(j, "fsgid", known, e->creds.fsgid);
	json__key(j, "caps");
	if (known)
		identity_fmt__caps_json(j, e->creds.cap_effective);
	else
		json__null(j);
	s = event__exec_cwd(e, &n);
	exec_path(j, "cwd", "cwd_truncated", s, n, e->xflags & PL_X_CWD_CUT);
	s = event__exec_exe(e, &n);
	exec_path(j, "exe", "exe_truncated", s, n, e->xflags & PL_X_EXE_CUT);
	json__key(j, "setid");
	if (known)
		json__bool(j, e->h.flags & PL_F_SETID);
	else
		json__null(j);
}

static void exec_fields(struct json *j, const struct pl_exec *e)
{
	size_t n;
	const char *fn = event__filename(e, &n);

	json__kv_string(j, "filename", fn, n);
	if (e->h.flags & PL_F_NAME_TRUNCATED)
		json__kv_bool(j, "filename_truncated", true);
	json__key(j, "argv");
	json__argv(j, e->data + e->filename_len, e->args_len);
	json__kv_u64(j, "argc", e->argc);
	json__kv_bool(j, "truncated", e->h.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE));
	json__kv_u64(j, "argv_bytes", e->args_size);
	json__kv_u64(j, "old_tid", e->old_tid);
	exec_identity_fields(j, e);
}

static void exec_failed_fields(struct json *j, const struct pl_exec_failed *e)
{
	const char *name = names__errno(e->err);
	size_t n;
	const char *fn = event__filename(e, &n);

	json__kv_string(j, "filename", fn, n);
	if (e->h.flags & PL_F_NAME_TRUNCATED)
		json__kv_bool(j, "filename_truncated", true);
	if (name)
		json__kv_cstr(j, "error", name);
	else
		json__kv_i64(j, "error", e->err);
	json__kv_i64(j, "errno", e->err);
}

static void exit_fields(struct writer *w, struct json *j, const struct pl_exit *e)
{
	const struct pl_hdr *h = &e->h;

	status_fields(j, e->status);
	killer_fields(w, j, &e->killer);
	json__kv_bool(j, "thread", h->flags & PL_F_THREAD);
	if (h->flags & PL_F_HAS_CHILDREN)
		json__kv_u64(j, "children_to", e->new_parent);
	/* What it used: a process's exit only (a thread's has none). */
	json__kv_u64_or_null(j, "runtime_ns", !(h->flags & PL_F_THREAD) && h->start_ns && h->ts >= h->start_ns,
			     h->ts - h->start_ns);
	usage_fmt__json_fields_of(j, e);
}

static const char *reap_how(__u32 flags)
{
	if (flags & PL_F_REAP_WAIT)
		return "wait";
	if (flags & PL_F_REAP_AUTO)
		return "auto";
	return flags & PL_F_REAP_UNTRACKED ? "untracked" : "preexisting";
}

static void reap_fields(struct json *j, const struct pl_reap *e)
{
	json__kv_u64_or_null(j, "reaper", e->reaper_pid, e->reaper_pid);
	json__key(j, "reaper_comm");
	if (e->reaper_pid)
		json__comm(j, e->reaper_comm);
	else
		json__null(j);
	json__kv_cstr(j, "how", reap_how(e->h.flags));
	status_fields(j, e->status);
}

/* Where the target is, when it is known: its container, and whether the signal crosses into it. */
static void signal_container_fields(struct writer *w, struct json *j, const struct pl_signal *e)
{
	bool crosses;
	const struct ct_ref *ct = ctfmt__target(w->ct, w->model, e, &crosses);

	ctfmt__json(j, "target_container", ct);
	json__kv_bool(j, "crosses_container", crosses);
}

static void signal_fields(struct json *j, const struct pl_signal *e)
{
	json__kv_i64(j, "sig", e->sig);
	json__kv_cstr(j, "signame", names__signal(e->sig));
	json__kv_u64(j, "target", e->target_pid);
	json__kv_u64(j, "target_tid", e->target_tid);
	json__kv_comm(j, "target_comm", e->target_comm);
	json__kv_u64(j, "target_uid", e->target_uid);
	json__kv_cstr(j, "code", names__si_code(e->info_code));
	json__kv_i64(j, "si_code", e->info_code);
	json__kv_cstr(j, "result", names__sig_result(e->result));
	json__kv_bool(j, "group", e->h.flags & PL_F_GROUP);
	json__kv_cstr(j, "syscall", sig__syscall_name(e->syscall));
	json__kv_cstr(j, "errno", e->result == PL_SIG_FAILED ? names__errno(e->err) : NULL);
	json__kv_cstr(j, "origin", sig__origin(e->sig, e->info_code, e->info_kind, e->syscall, false));
	json__kv_cstr(j, "disposition", names__sig_action(e->disposition));
	json__kv_bool(j, "blocked", e->blocked);
	json__kv_i64_or_null(j, "target_arg", e->syscall != PL_SYS_NONE && e->syscall != PL_SYS_PIDFD_SEND_SIGNAL,
			     e->target_arg);
	json__kv_i64_or_null(j, "value", e->info_code == -1 /* SI_QUEUE */, (long long)e->value);
}

static void deliver_fields(struct json *j, const struct pl_deliver *e)
{
	json__kv_i64(j, "sig", e->sig);
	json__kv_cstr(j, "signame", names__signal(e->sig));
	json__kv_cstr(j, "action", names__sig_action(e->action));
	if (e->action == PL_ACT_DEFAULT)
		json__kv_cstr(j, "default_action", names__sig_default_action(e->sig));
	json__kv_cstr(j, "code", names__si_code(e->info_code));
	json__kv_i64(j, "si_code", e->info_code);
	json__kv_bool(j, "fatal", e->h.flags & PL_F_GROUP_EXIT);
}

static void json_event(struct writer *w, const void *rec)
{
	const struct pl_hdr *h = rec;
	struct json j;

	begin(w, &j, names__event(h->type), h->ts);
	header_fields(&j, h);
	ctfmt__json_fields(&j, ctfmt__of_hdr(w->ct, h));
	switch (h->type) {
	case PL_EV_FORK:
		fork_fields(&j, rec);
		break;
	case PL_EV_EXEC:
		exec_fields(&j, rec);
		break;
	case PL_EV_EXEC_FAILED:
		exec_failed_fields(&j, rec);
		break;
	case PL_EV_EXIT:
		exit_fields(w, &j, rec);
		break;
	case PL_EV_REAP:
		reap_fields(&j, rec);
		break;
	case PL_EV_SIGNAL:
		signal_fields(&j, rec);
		signal_container_fields(w, &j, rec);
		break;
	case PL_EV_RENAME:
		json__kv_comm(&j, "new_comm", ((const struct pl_rename *)rec)->new_comm);
		break;
	case PL_EV_DELIVER:
		deliver_fields(&j, rec);
		break;
	case PL_EV_CRED:
		identity_fmt__cred_json(&j, rec);
		break;
	}
	end(&j);
}

static void json_lost(struct writer *w, unsigned type, __u64 count, __u64 ts)
{
	struct json j;

	begin(w, &j, "lost", ts);
	json__kv_cstr(&j, "type", names__event(type));
	json__kv_u64(&j, "count", count);
	end(&j);
}

static void json_gap(struct writer *w, const struct writer_gap *g)
{
	const char *e = names__errno(g->err);
	struct json j;

	begin(w, &j, "gap", g->ts);
	json__key(&j, "since");
	time_value(&j, w->wc, g->since);
	json__kv_cstr(&j, "source", g->recording ? "recording" : "output");
	json__kv_u64(&j, "count", g->count);
	if (e)
		json__kv_cstr(&j, "error", e);
	else
		json__kv_i64(&j, "error", g->err);
	end(&j);
}

static void json_header(struct writer *w)
{
}

/* A parent's comm, or null when it is not known. */
static void kv_parent_comm(struct json *j, const char *k, const struct proc *parent)
{
	json__key(j, k);
	if (parent)
		json__comm(j, parent->comm);
	else
		json__null(j);
}

static void derived_fields(struct json *j, const struct derived_event *d)
{
	const struct proc *p = d->p;

	switch (d->type) {
	case DV_STOP:
	case DV_CONTINUE:
		json__kv_i64(j, "sig", d->sig);
		json__kv_cstr(j, "signame", names__signal(d->sig));
		break;
	case DV_ZOMBIE:
		status_fields(j, p->status);
		json__key(j, "zombie_for_s");
		json__double(j, p->exit_ts ? (d->ts - p->exit_ts) / 1e9 : 0.0, 3);
		json__kv_u64(j, "parent", p->ppid);
		kv_parent_comm(j, "parent_comm", d->parent);
		break;
	case DV_REPARENT:
		json__kv_u64(j, "old_parent", d->old_parent);
		json__kv_u64(j, "new_parent", d->new_parent);
		kv_parent_comm(j, "new_parent_comm", d->parent);
		break;
	default:
		break;
	}
}

static void json_derived(struct writer *w, const struct derived_event *d)
{
	const struct proc *p = d->p;
	struct json j;

	begin(w, &j, derived__name(d->type), d->ts);
	if (d->type == DV_RESYNC) {
		json__kv_u64(&j, "added", d->rs.added);
		json__kv_u64(&j, "removed", d->rs.removed);
		json__kv_u64(&j, "reparented", d->rs.reparented);
		json__kv_u64(&j, "states_fixed", d->rs.states_fixed);
		end(&j);
		return;
	}
	if (d->type == DV_CONTAINER) {
		json__kv_cstr(&j, "cgroup", d->ct->cgroup);
		ctfmt__json(&j, "container", d->ct);
		end(&j);
		return;
	}
	json__kv_u64(&j, "pid", p->pid);
	json__kv_u64(&j, "ppid", p->ppid);
	json__kv_u64(&j, "uid", p->uid);
	json__kv_comm(&j, "comm", p->comm);
	ctfmt__json_fields(&j, ctfmt__of_proc(w->ct, p));
	derived_fields(&j, d);
	end(&j);
}

void writer__init_json(struct writer *w, struct outbuf *ob, const struct wallclock *wc)
{
	*w = (struct writer){ .ob = ob, .wc = wc, .header = json_header, .event = json_event, .lost = json_lost,
			      .derived = json_derived, .gap = json_gap };
}
