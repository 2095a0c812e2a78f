// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife life --json`. Each life has a summary (start, born, exit,
 * reap, end state) for the common questions, and the whole story in
 * "events", "born" first, so that a script need not replay the events to
 * learn how it ended. Every field is always there, null when not known:
 * readers index instead of probing. Written through the emitter
 * (views/json.h): strings from processes come out valid UTF-8 JSON.
 */
#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "views/ctfmt.h"
#include "views/event_fmt.h"
#include "views/identity_fmt.h"
#include "views/json.h"
#include "views/life_json.h"
#include "views/usage_fmt.h"

struct printer {
	struct json *j;
	const struct wallclock *wc;
	const struct life *l;
	struct ctreg *ct;               /* NULL: no containers known */
	const struct ct_subject *where; /* the life's cgroups, as its last event said (NULL: not known) */
};

/* A signal received: the sender's container, and whether a process sent it from another container or the host. */
static void sender_container_json(const struct printer *pr, const struct pl_signal *g)
{
	const struct ct_subject *from = pr->ct ? ctfmt__of_hdr(pr->ct, &g->h) : NULL;

	ctfmt__json(pr->j, "from_container", from ? from->ct : NULL);
	json__kv_bool(pr->j, "crosses_container", from && from->cgroup && pr->where && pr->where->cgroup &&
							  from->ct != pr->where->ct &&
							  !sig__origin(g->sig, g->info_code, g->info_kind, g->syscall, false));
}

/* An RFC 3339 string, or null for 0 (not known). */
static void time_json(const struct printer *pr, __u64 ts)
{
	char tbuf[WALLCLOCK_RFC3339_MAX];

	if (!ts) {
		json__null(pr->j);
		return;
	}
	wallclock__rfc3339(pr->wc, ts, tbuf, sizeof(tbuf));
	json__cstr(pr->j, tbuf);
}

static void kv_time(const struct printer *pr, const char *k, __u64 ts)
{
	json__key(pr->j, k);
	time_json(pr, ts);
}

/* A comm; null when the task is not known (NULL). */
static void kv_comm(struct json *j, const char *k, const char *comm)
{
	json__key(j, k);
	if (comm)
		json__comm(j, comm);
	else
		json__null(j);
}

/* Bytes from a process (a filename); null for NULL. */
static void kv_string(struct json *j, const char *k, const char *s, size_t len)
{
	json__key(j, k);
	if (s)
		json__string(j, s, len);
	else
		json__null(j);
}

/* An argument area, as an array of strings; null for NULL. */
static void kv_argv(struct json *j, const char *k, const char *args, size_t len)
{
	json__key(j, k);
	if (args)
		json__argv(j, args, len);
	else
		json__null(j);
}

/* A pid, or null for 0 (none: pid 0 is never a process's). */
static void kv_pid(struct json *j, const char *k, __u32 pid)
{
	json__kv_u64_or_null(j, k, pid, pid);
}

/* Seconds between two times, or null when either is not known (0). */
static void kv_secs(struct json *j, const char *k, __u64 from, __u64 to)
{
	json__key(j, k);
	if (from && to)
		json__double(j, life__secs(from, to), 6);
	else
		json__null(j);
}

/* "sig" and "signame": the number for scripts, the name for people. */
static void kv_sig(struct json *j, int sig)
{
	json__kv_i64(j, "sig", sig);
	json__kv_cstr(j, "signame", names__signal(sig));
}

/* The wait status's fields, and the raw status for what they do not say; null until it exited. */
static void status_json(struct json *j, bool exited, __u32 status)
{
	event_fmt__status_json(j, exited, status);
	json__kv_u64_or_null(j, "status", exited && exit_status__decode(status).known, status);
}

static void killer_json(const struct printer *pr, const struct pl_killer *k)
{
	struct json *j = pr->j;

	json__key(j, "killed_by");
	if (!k->sig) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	kv_sig(j, k->sig);
	kv_time(pr, "time", k->ts);
	json__kv_cstr(j, "origin", sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom));
	json__kv_cstr(j, "syscall", sig__syscall_name(k->syscall));
	json__kv_u64(j, "pid", k->pid);
	json__kv_u64(j, "tid", k->tid);
	json__kv_u64(j, "uid", k->uid);
	kv_comm(j, "comm", k->comm);
	json__end_object(j);
}

/* "taken": when and how a received signal was taken, or null when it was not (yet). */
static void taken_json(const struct printer *pr, const struct life_event *e)
{
	struct json *j = pr->j;
	int sig = e->sig.sig;

	json__key(j, "taken");
	if (!e->taken) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	kv_time(pr, "time", e->taken_ts);
	json__kv_cstr(j, "action", names__sig_action(e->action));
	json__kv_cstr(j, "default_action", e->action == PL_ACT_DEFAULT ? names__sig_default_action(sig) : NULL);
	json__kv_bool(j, "fatal", e->fatal);
	json__end_object(j);
}

static void signal_json(const struct printer *pr, const struct life_event *e)
{
	struct json *j = pr->j;
	const struct pl_signal *g = &e->sig;
	char buf[64];
	bool recv = e->type == LIFE_EV_SIG_RECV;

	kv_sig(j, g->sig);
	if (recv) {
		/* The sending task; for a kernel origin, the one the kernel was running for. */
		json__kv_u64(j, "from", g->h.pid);
		kv_comm(j, "from_comm", g->h.comm);
		sender_container_json(pr, g);
	} else {
		kv_pid(j, "to", g->target_pid);
		kv_comm(j, "to_comm", g->target_pid ? g->target_comm : NULL);
	}
	json__kv_cstr(j, "origin", sig__origin(g->sig, g->info_code, g->info_kind, g->syscall, false));
	json__kv_cstr(j, "syscall", sig__syscall_name(g->syscall));
	json__kv_cstr(j, "code", names__si_code(g->info_code));
	json__kv_cstr(j, "result", names__sig_result(g->result));
	json__kv_cstr(j, "outcome", sig__outcome(g->sig, g->result, g->disposition, g->blocked, g->err, buf, sizeof(buf)));
	json__kv_cstr(j, "errno", g->result == PL_SIG_FAILED ? names__errno(g->err) : NULL);
	json__kv_cstr(j, "disposition", names__sig_action(g->disposition));
	json__kv_bool(j, "blocked", g->blocked);
	json__kv_bool(j, "group", g->h.flags & PL_F_GROUP);
	/* The pid argument as the sender gave it (0, -1, -pgid say who it meant); a pidfd has none. */
	json__kv_i64_or_null(j, "target_arg", g->syscall != PL_SYS_NONE && g->syscall != PL_SYS_PIDFD_SEND_SIGNAL,
			     g->target_arg);
	if (recv)
		taken_json(pr, e);
}

static void reap_json(const struct printer *pr, const struct pl_reap *r, __u64 ts)
{
	struct json *j = pr->j;
	__u32 f = r->h.flags;

	json__kv_cstr(j, "how", f & PL_F_REAP_WAIT ? "wait" : f & PL_F_REAP_AUTO ? "auto" :
				f & PL_F_REAP_UNTRACKED ? "untracked" : "before_recording");
	kv_pid(j, "reaper", r->reaper_pid);
	kv_comm(j, "reaper_comm", r->reaper_pid ? r->reaper_comm : NULL);
	kv_secs(j, "zombie_s", r->exit_ts && r->exit_ts <= ts ? r->exit_ts : 0, ts);
}

static void exit_json(const struct printer *pr, const struct pl_exit *x, __u64 ts)
{
	struct json *j = pr->j;

	status_json(j, true, x->status);
	killer_json(pr, &x->killer);
	kv_secs(j, "lifetime_s", pr->l->start_ns, ts);
	kv_pid(j, "children_to", x->h.flags & PL_F_HAS_CHILDREN ? x->new_parent : 0);
	/* What it used, as the exit event says (null from a recording made before usage). */
	usage_fmt__json_fields_of(j, x);
}

/* k is "new_parent" (orphaned) or "parent" (zombie); its comm's key follows from it. */
static void parent_json(struct json *j, const char *k, const struct life_event *e)
{
	kv_pid(j, k, e->parent.parent);
	kv_comm(j, k[0] == 'n' ? "new_parent_comm" : "parent_comm", e->parent.comm_known ? e->parent.comm : NULL);
}

/* {"event":EVENT,"time":...,"age_s":...: the caller goes on with the event's fields and closes it. */
static void head_json(const struct printer *pr, const char *event, __u64 ts)
{
	json__begin_object(pr->j);
	json__kv_cstr(pr->j, "event", event);
	kv_time(pr, "time", ts);
	kv_secs(pr->j, "age_s", ts ? pr->l->start_ns : 0, ts);
}

static const char *born_how(const struct life *l)
{
	switch (l->born) {
	case LIFE_BORN_FORK:
		return "fork";
	case LIFE_BORN_BEFORE:
		return "before_recording";
	}
	return "not_recorded";
}

/* The same fields in the summary's "born" and in the "born" event. */
static void born_fields(const struct printer *pr)
{
	const struct life *l = pr->l;
	struct json *j = pr->j;
	bool fork = l->born == LIFE_BORN_FORK;

	json__kv_cstr(j, "how", born_how(l));
	kv_pid(j, "by", fork ? l->forker : 0);
	kv_comm(j, "by_comm", fork ? l->forker_comm : NULL);
	kv_pid(j, "parent", l->ppid);
	kv_comm(j, "parent_comm", l->parent_comm_known ? l->parent_comm : NULL);
	/* Before the recording: what /proc said then. */
	kv_argv(j, "argv", l->cmdline, l->cmdline_len);
	json__kv_cstr(j, "state", fork ? "running" : proc_state__name(l->initial_state));
}

static void exec_json(struct json *j, const struct life_event *e)
{
	const char *d = e->exec.data;

	kv_string(j, "filename", d, e->exec.filename_len);
	if (e->exec.flags & PL_F_NAME_TRUNCATED)
		json__kv_bool(j, "filename_truncated", true);
	if (e->type == LIFE_EV_EXEC_FAILED) {
		json__kv_cstr(j, "error", names__errno(e->exec.err));
		json__kv_i64(j, "errno", e->exec.err);
		return;
	}
	kv_argv(j, "argv", d ? d + e->exec.args_off : NULL, e->exec.args_len);
	json__kv_u64(j, "argc", e->exec.argc);
	/* Not kept (the memory limit) counts as cut. */
	json__kv_bool(j, "truncated", !d || (e->exec.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE)));
	json__kv_u64(j, "argv_bytes", e->exec.args_size);
	json__kv_u64(j, "old_tid", e->exec.old_tid);
	identity_fmt__json_fields(j, &e->exec.id);
	json__key(j, "setid");
	if (e->exec.id.known)
		json__bool(j, e->exec.flags & PL_F_SETID);
	else
		json__null(j);
}

static void deliver_json(struct json *j, const struct life_event *e)
{
	kv_sig(j, e->deliver.sig);
	json__kv_cstr(j, "action", names__sig_action(e->deliver.action));
	json__kv_cstr(j, "default_action",
		      e->deliver.action == PL_ACT_DEFAULT ? names__sig_default_action(e->deliver.sig) : NULL);
	json__kv_bool(j, "fatal", e->deliver.h.flags & PL_F_GROUP_EXIT);
}

static void event_json(const struct printer *pr, const struct life_event *e)
{
	struct json *j = pr->j;
	const char *name = life__event_name(e->type);

	if (!name)
		return;
	head_json(pr, name, e->ts);
	switch (e->type) {
	case LIFE_EV_EXEC:
	case LIFE_EV_EXEC_FAILED:
		exec_json(j, e);
		break;
	case LIFE_EV_FORK:
		json__kv_u64(j, "child", e->fork.child);
		break;
	case LIFE_EV_CRED:
		identity_fmt__cred_json(j, &e->cred);
		break;
	case LIFE_EV_SIG_RECV:
	case LIFE_EV_SIG_SENT:
		signal_json(pr, e);
		break;
	case LIFE_EV_DELIVER:
		deliver_json(j, e);
		break;
	case LIFE_EV_STOP:
	case LIFE_EV_CONTINUE:
		kv_sig(j, e->stop_sig);
		break;
	case LIFE_EV_RENAME:
		kv_comm(j, "old_comm", e->rename.old_comm);
		kv_comm(j, "new_comm", e->rename.new_comm);
		break;
	case LIFE_EV_REPARENT:
		json__kv_u64(j, "old_parent", e->parent.old_parent);
		parent_json(j, "new_parent", e);
		break;
	case LIFE_EV_ZOMBIE:
		kv_secs(j, "zombie_for_s", e->parent.zombie_since, e->ts);
		parent_json(j, "parent", e);
		break;
	case LIFE_EV_EXIT:
		exit_json(pr, &e->exit, e->ts);
		break;
	case LIFE_EV_REAP:
		reap_json(pr, &e->reap, e->ts);
		break;
	}
	json__end_object(j);
}

static const struct life_event *last_of(const struct life *l, unsigned type)
{
	for (size_t i = l->nev; i-- > 0;)
		if (l->ev[i].type == type)
			return &l->ev[i];
	return NULL;
}

static const char *end_state_name(enum life_end end)
{
	switch (end) {
	case LIFE_END_REAPED:
		return "reaped";
	case LIFE_END_UNKNOWN:
		return "unknown";
	case LIFE_END_ZOMBIE:
		return "zombie";
	case LIFE_END_STOPPED:
		return "stopped";
	case LIFE_END_RUNNING:
		break;
	}
	return "running";
}

static void child_json(const struct printer *pr, const struct life_child *c)
{
	struct json *j = pr->j;

	json__begin_object(j);
	json__kv_u64(j, "pid", c->pid);
	kv_time(pr, "born", c->born_ts);
	kv_comm(j, "comm", c->comm);
	kv_string(j, "filename", c->data, c->filename_len);
	kv_argv(j, "argv", c->data ? c->data + c->args_off : NULL, c->args_len);
	/* An exec whose argv was not kept (the memory limit) counts as cut. */
	json__kv_bool(j, "argv_truncated", c->truncated || (c->execd && !c->data));
	json__kv_bool(j, "exited", c->exited);
	status_json(j, c->exited, c->status);
	kv_time(pr, "exit_time", c->exited ? c->exit_ts : 0);
	kv_secs(j, "lifetime_s", c->exited && c->exit_ts >= c->start_ns ? c->start_ns : 0, c->exit_ts);
	json__kv_bool(j, "reaped", c->reaped);
	kv_pid(j, "reaper", c->reaper);
	kv_pid(j, "adopted_by", c->adopted_by);
	json__end_object(j);
}

/* "exit": from its exit event; else (not seen) what the snapshot or the reap said; null while alive. */
static void exit_summary(const struct printer *pr)
{
	const struct life *l = pr->l;
	const struct life_event *x = last_of(l, LIFE_EV_EXIT);
	struct json *j = pr->j;

	json__key(j, "exit");
	if (!l->exited) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	if (x) {
		kv_time(pr, "time", x->ts);
		exit_json(pr, &x->exit, x->ts);
		json__end_object(j);
		return;
	}
	kv_time(pr, "time", l->exit_ts);
	status_json(j, true, l->status);
	json__kv_null(j, "killed_by");
	kv_secs(j, "lifetime_s", l->exit_ts ? l->start_ns : 0, l->exit_ts);
	json__kv_null(j, "children_to");
	json__end_object(j);
}

static void reap_summary(const struct printer *pr)
{
	const struct life_event *r = last_of(pr->l, LIFE_EV_REAP);

	json__key(pr->j, "reap");
	if (!r) {
		json__null(pr->j);
		return;
	}
	json__begin_object(pr->j);
	kv_time(pr, "time", r->ts);
	reap_json(pr, &r->reap, r->ts);
	json__end_object(pr->j);
}

/* "events": the whole story, "born" first. */
static void events_json(const struct printer *pr)
{
	const struct life *l = pr->l;

	json__key(pr->j, "events");
	json__begin_array(pr->j);
	head_json(pr, "born", l->born == LIFE_BORN_FORK ? l->born_ts : l->start_ns);
	born_fields(pr);
	json__end_object(pr->j);
	for (size_t k = 0; k < l->nev; k++)
		event_json(pr, &l->ev[k]);
	json__end_array(pr->j);
	json__kv_u64(pr->j, "events_left_out", l->events_left_out);
}

static void children_json(const struct printer *pr)
{
	const struct life *l = pr->l;

	json__key(pr->j, "children");
	json__begin_array(pr->j);
	for (size_t k = 0; k < l->nch; k++)
		child_json(pr, &l->ch[k]);
	json__end_array(pr->j);
	json__kv_u64(pr->j, "children_left_out", l->children_left_out);
}

static void life_json(struct json *j, const struct life_set *s, size_t i, const struct wallclock *wc,
		      struct ctreg *ct)
{
	const struct life *l = &s->v[i];
	struct printer pr = { .j = j, .wc = wc, .l = l, .ct = ct };
	enum life_end end = life__end_state(l);
	const char *args = NULL, *fn = NULL;
	__u32 len = 0, fl = 0;

	/* What it ran last; both stay NULL (null) when nothing is known. */
	life__argv(l, &args, &len, &fn, &fl);

	json__begin_object(j);
	json__kv_u64(j, "pid", s->pid);
	json__kv_u64(j, "life", i + 1);
	kv_time(&pr, "start_time", l->start_ns);
	json__kv_bool(j, "start_exact", !l->start_ticks);
	kv_comm(j, "comm", l->comm);
	kv_string(j, "filename", fn, fl);
	kv_argv(j, "argv", args, len);
	json__kv_u64(j, "execs", l->nr_execs);
	if (ct && (l->cgroup_id || l->cgroup1_id))
		pr.where = ctreg__subject(ct, l->cgroup_id, l->cgroup1_id);
	ctfmt__json_fields(j, pr.where);
	json__key(j, "born");
	json__begin_object(j);
	kv_time(&pr, "time", l->born == LIFE_BORN_FORK ? l->born_ts : 0);
	born_fields(&pr);
	json__end_object(j);
	exit_summary(&pr);
	reap_summary(&pr);
	json__kv_bool(j, "orphaned", l->orphaned);
	kv_pid(j, "adopted_by", l->adopted_by);
	json__kv_cstr(j, "end_state", end_state_name(end));
	json__kv_bool(j, "alive_at_end", end == LIFE_END_RUNNING || end == LIFE_END_STOPPED);
	events_json(&pr);
	children_json(&pr);
	json__end_object(j);
}

void life_json__print(struct outbuf *ob, const struct life_set *s, const struct wallclock *wc, struct ctreg *ct)
{
	struct json j;

	json__init(&j, ob);
	json__begin_array(&j);
	for (size_t i = 0; i < s->n; i++)
		life_json(&j, s, i, wc, ct);
	json__end_array(&j);
	json__ws(&j, "\n");
}
