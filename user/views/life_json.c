// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife life --json`. Each life has a summary (start, born, exit,
 * reap, end state) for the common questions, and the whole story in
 * "events", "born" first, so that a script need not replay the events to
 * learn how it ended. Every field is always there, null when not known:
 * readers index instead of probing. Strings from processes go through
 * escape__json_string (valid UTF-8 JSON for any bytes).
 */
#include "base/escape.h"
#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "views/life_json.h"
#include "views/usage_fmt.h"

struct printer {
	struct outbuf *ob;
	const struct wallclock *wc;
	const struct life *l;
};

/* Every field but an object's first: the comma goes with the key. */
static void key(struct outbuf *ob, const char *k)
{
	outbuf__printf(ob, ",\"%s\":", k);
}

/* An RFC 3339 string, or null for 0 (not known). */
static void time_json(const struct printer *pr, __u64 ts)
{
	char tbuf[WALLCLOCK_RFC3339_MAX];

	if (!ts) {
		outbuf__puts(pr->ob, "null");
		return;
	}
	wallclock__rfc3339(pr->wc, ts, tbuf, sizeof(tbuf));
	outbuf__printf(pr->ob, "\"%s\"", tbuf);
}

static void kv_time(const struct printer *pr, const char *k, __u64 ts)
{
	key(pr->ob, k);
	time_json(pr, ts);
}

/* The key, then null when v is NULL: true when the value is still to be written. */
static bool key_or_null(struct outbuf *ob, const char *k, const void *v)
{
	key(ob, k);
	if (!v)
		outbuf__puts(ob, "null");
	return v;
}

/* A comm; NULL when the task is not known. */
static void kv_comm(struct outbuf *ob, const char *k, const char *comm)
{
	if (key_or_null(ob, k, comm))
		escape__comm_json(ob, comm);
}

/* Bytes from a process (a filename). */
static void kv_string(struct outbuf *ob, const char *k, const char *s, size_t len)
{
	if (key_or_null(ob, k, s))
		escape__json_string(ob, s, len);
}

/* An argument area, as an array of strings. */
static void kv_argv(struct outbuf *ob, const char *k, const char *args, size_t len)
{
	if (key_or_null(ob, k, args))
		escape__argv_json(ob, args, len);
}

/* A name from our own tables (plain ASCII): no escaping. */
static void kv_name(struct outbuf *ob, const char *k, const char *v)
{
	if (key_or_null(ob, k, v))
		outbuf__printf(ob, "\"%s\"", v);
}

static void kv_bool(struct outbuf *ob, const char *k, bool v)
{
	key(ob, k);
	outbuf__puts(ob, v ? "true" : "false");
}

/* A pid, or null for 0 (none: pid 0 is never a process's). */
static void kv_pid(struct outbuf *ob, const char *k, __u32 pid)
{
	key(ob, k);
	if (pid)
		outbuf__printf(ob, "%u", pid);
	else
		outbuf__puts(ob, "null");
}

/* Seconds between two times, or null when either is not known (0). */
static void kv_secs(struct outbuf *ob, const char *k, __u64 from, __u64 to)
{
	key(ob, k);
	if (from && to)
		outbuf__printf(ob, "%.6f", life__secs(from, to));
	else
		outbuf__puts(ob, "null");
}

/* "sig" and "signame": the number for scripts, the name for people. */
static void kv_sig(struct outbuf *ob, int sig)
{
	outbuf__printf(ob, ",\"sig\":%d,\"signame\":\"%s\"", sig, names__signal(sig));
}

/* The wait status's fields, and the raw status for what they do not say; null until it exited. */
static void status_json(struct outbuf *ob, bool exited, __u32 status)
{
	exit_status__json(ob, exited, status);
	if (exited)
		outbuf__printf(ob, ",\"status\":%u", status);
	else
		outbuf__puts(ob, ",\"status\":null");
}

static void killer_json(const struct printer *pr, const struct pl_killer *k)
{
	struct outbuf *ob = pr->ob;

	key(ob, "killed_by");
	if (!k->sig) {
		outbuf__puts(ob, "null");
		return;
	}
	outbuf__printf(ob, "{\"sig\":%d,\"signame\":\"%s\"", k->sig, names__signal(k->sig));
	kv_time(pr, "time", k->ts);
	kv_name(ob, "origin", sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom));
	kv_name(ob, "syscall", sig__syscall_name(k->syscall));
	outbuf__printf(ob, ",\"pid\":%u,\"tid\":%u,\"uid\":%u", k->pid, k->tid, k->uid);
	kv_comm(ob, "comm", k->comm);
	outbuf__putc(ob, '}');
}

static void signal_json(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;
	const struct pl_signal *g = &e->sig;
	char buf[64];
	bool recv = e->type == LIFE_EV_SIG_RECV;

	kv_sig(ob, g->sig);
	if (recv) {
		/* The sending task; for a kernel origin, the one the kernel was running for. */
		outbuf__printf(ob, ",\"from\":%u", g->h.pid);
		kv_comm(ob, "from_comm", g->h.comm);
	} else {
		kv_pid(ob, "to", g->target_pid);
		kv_comm(ob, "to_comm", g->target_pid ? g->target_comm : NULL);
	}
	kv_name(ob, "origin", sig__origin(g->sig, g->info_code, g->info_kind, g->syscall, false));
	kv_name(ob, "syscall", sig__syscall_name(g->syscall));
	kv_name(ob, "code", names__si_code(g->info_code));
	kv_name(ob, "result", names__sig_result(g->result));
	kv_name(ob, "outcome", sig__outcome(g->sig, g->result, g->disposition, g->blocked, g->err, buf, sizeof(buf)));
	kv_name(ob, "errno", g->result == PL_SIG_FAILED ? names__errno(g->err) : NULL);
	kv_name(ob, "disposition", names__sig_action(g->disposition));
	kv_bool(ob, "blocked", g->blocked);
	kv_bool(ob, "group", g->h.flags & PL_F_GROUP);
	/* The pid argument as the sender gave it (0, -1, -pgid say who it meant); a pidfd has none. */
	key(ob, "target_arg");
	if (g->syscall != PL_SYS_NONE && g->syscall != PL_SYS_PIDFD_SEND_SIGNAL)
		outbuf__printf(ob, "%d", g->target_arg);
	else
		outbuf__puts(ob, "null");
	if (!recv)
		return;
	key(ob, "taken");
	if (!e->taken) {
		outbuf__puts(ob, "null");
		return;
	}
	outbuf__puts(ob, "{\"time\":");
	time_json(pr, e->taken_ts);
	kv_name(ob, "action", names__sig_action(e->action));
	kv_name(ob, "default_action", e->action == PL_ACT_DEFAULT ? names__sig_default_action(g->sig) : NULL);
	kv_bool(ob, "fatal", e->fatal);
	outbuf__putc(ob, '}');
}

static void reap_json(const struct printer *pr, const struct pl_reap *r, __u64 ts)
{
	struct outbuf *ob = pr->ob;
	__u32 f = r->h.flags;

	kv_name(ob, "how", f & PL_F_REAP_WAIT ? "wait" : f & PL_F_REAP_AUTO ? "auto" : "before_recording");
	kv_pid(ob, "reaper", r->reaper_pid);
	kv_comm(ob, "reaper_comm", r->reaper_pid ? r->reaper_comm : NULL);
	kv_secs(ob, "zombie_s", r->exit_ts && r->exit_ts <= ts ? r->exit_ts : 0, ts);
}

static void exit_json(const struct printer *pr, const struct pl_exit *x, __u64 ts)
{
	struct outbuf *ob = pr->ob;

	status_json(ob, true, x->status);
	killer_json(pr, &x->killer);
	kv_secs(ob, "lifetime_s", pr->l->start_ns, ts);
	kv_pid(ob, "children_to", x->h.flags & PL_F_HAS_CHILDREN ? x->new_parent : 0);
	/* What it used, as the exit event says (null from a recording made before usage). */
	usage_fmt__json_fields_of(ob, x);
}

/* k is "new_parent" (orphaned) or "parent" (zombie); its comm's key follows from it. */
static void parent_json(struct outbuf *ob, const char *k, const struct life_event *e)
{
	kv_pid(ob, k, e->parent.parent);
	kv_comm(ob, k[0] == 'n' ? "new_parent_comm" : "parent_comm", e->parent.comm_known ? e->parent.comm : NULL);
}

static void head_json(const struct printer *pr, const char *event, __u64 ts)
{
	outbuf__printf(pr->ob, "{\"event\":\"%s\",\"time\":", event);
	time_json(pr, ts);
	kv_secs(pr->ob, "age_s", ts ? pr->l->start_ns : 0, ts);
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
	struct outbuf *ob = pr->ob;
	bool fork = l->born == LIFE_BORN_FORK;

	kv_name(ob, "how", born_how(l));
	kv_pid(ob, "by", fork ? l->forker : 0);
	kv_comm(ob, "by_comm", fork ? l->forker_comm : NULL);
	kv_pid(ob, "parent", l->ppid);
	kv_comm(ob, "parent_comm", l->parent_comm_known ? l->parent_comm : NULL);
	/* Before the recording: what /proc said then. */
	kv_argv(ob, "argv", l->cmdline, l->cmdline_len);
	kv_name(ob, "state", fork ? "running" : proc_state__name(l->initial_state));
}

static void event_json(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;
	const char *name = life__event_name(e->type), *d = e->exec.data;

	if (!name)
		return;
	head_json(pr, name, e->ts);
	switch (e->type) {
	case LIFE_EV_EXEC:
		kv_string(ob, "filename", d, e->exec.filename_len);
		if (e->exec.flags & PL_F_NAME_TRUNCATED)
			kv_bool(ob, "filename_truncated", true);
		kv_argv(ob, "argv", d ? d + e->exec.args_off : NULL, e->exec.args_len);
		outbuf__printf(ob, ",\"argc\":%u", e->exec.argc);
		/* Not kept (the memory limit) counts as cut. */
		kv_bool(ob, "truncated", !d || (e->exec.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE)));
		outbuf__printf(ob, ",\"argv_bytes\":%u,\"old_tid\":%u", e->exec.args_size, e->exec.old_tid);
		break;
	case LIFE_EV_EXEC_FAILED:
		kv_string(ob, "filename", d, e->exec.filename_len);
		if (e->exec.flags & PL_F_NAME_TRUNCATED)
			kv_bool(ob, "filename_truncated", true);
		kv_name(ob, "error", names__errno(e->exec.err));
		outbuf__printf(ob, ",\"errno\":%d", e->exec.err);
		break;
	case LIFE_EV_FORK:
		outbuf__printf(ob, ",\"child\":%u", e->fork.child);
		break;
	case LIFE_EV_SIG_RECV:
	case LIFE_EV_SIG_SENT:
		signal_json(pr, e);
		break;
	case LIFE_EV_DELIVER:
		kv_sig(ob, e->deliver.sig);
		kv_name(ob, "action", names__sig_action(e->deliver.action));
		kv_name(ob, "default_action",
			e->deliver.action == PL_ACT_DEFAULT ? names__sig_default_action(e->deliver.sig) : NULL);
		kv_bool(ob, "fatal", e->deliver.h.flags & PL_F_GROUP_EXIT);
		break;
	case LIFE_EV_STOP:
	case LIFE_EV_CONTINUE:
		kv_sig(ob, e->stop_sig);
		break;
	case LIFE_EV_RENAME:
		kv_comm(ob, "old_comm", e->rename.old_comm);
		kv_comm(ob, "new_comm", e->rename.new_comm);
		break;
	case LIFE_EV_REPARENT:
		outbuf__printf(ob, ",\"old_parent\":%u", e->parent.old_parent);
		parent_json(ob, "new_parent", e);
		break;
	case LIFE_EV_ZOMBIE:
		kv_secs(ob, "zombie_for_s", e->parent.zombie_since, e->ts);
		parent_json(ob, "parent", e);
		break;
	case LIFE_EV_EXIT:
		exit_json(pr, &e->exit, e->ts);
		break;
	case LIFE_EV_REAP:
		reap_json(pr, &e->reap, e->ts);
		break;
	}
	outbuf__putc(ob, '}');
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
	struct outbuf *ob = pr->ob;

	outbuf__printf(ob, "{\"pid\":%u", c->pid);
	kv_time(pr, "born", c->born_ts);
	kv_comm(ob, "comm", c->comm);
	kv_string(ob, "filename", c->data, c->filename_len);
	kv_argv(ob, "argv", c->data ? c->data + c->args_off : NULL, c->args_len);
	/* An exec whose argv was not kept (the memory limit) counts as cut. */
	kv_bool(ob, "argv_truncated", c->truncated || (c->execd && !c->data));
	kv_bool(ob, "exited", c->exited);
	status_json(ob, c->exited, c->status);
	kv_time(pr, "exit_time", c->exited ? c->exit_ts : 0);
	kv_secs(ob, "lifetime_s", c->exited && c->exit_ts >= c->start_ns ? c->start_ns : 0, c->exit_ts);
	kv_bool(ob, "reaped", c->reaped);
	kv_pid(ob, "reaper", c->reaper);
	kv_pid(ob, "adopted_by", c->adopted_by);
	outbuf__putc(ob, '}');
}

/* "exit": from its exit event; else (not seen) what the snapshot or the reap said; null while alive. */
static void exit_summary(const struct printer *pr)
{
	const struct life *l = pr->l;
	const struct life_event *x = last_of(l, LIFE_EV_EXIT);
	struct outbuf *ob = pr->ob;

	if (!l->exited) {
		outbuf__puts(ob, "null");
		return;
	}
	outbuf__puts(ob, "{\"time\":");
	if (x) {
		time_json(pr, x->ts);
		exit_json(pr, &x->exit, x->ts);
		outbuf__putc(ob, '}');
		return;
	}
	time_json(pr, l->exit_ts);
	status_json(ob, true, l->status);
	outbuf__puts(ob, ",\"killed_by\":null");
	kv_secs(ob, "lifetime_s", l->exit_ts ? l->start_ns : 0, l->exit_ts);
	outbuf__puts(ob, ",\"children_to\":null}");
}

static void reap_summary(const struct printer *pr)
{
	const struct life_event *r = last_of(pr->l, LIFE_EV_REAP);

	if (!r) {
		outbuf__puts(pr->ob, "null");
		return;
	}
	outbuf__puts(pr->ob, "{\"time\":");
	time_json(pr, r->ts);
	reap_json(pr, &r->reap, r->ts);
	outbuf__putc(pr->ob, '}');
}

static void life_json(struct outbuf *ob, const struct life_set *s, size_t i, const struct wallclock *wc)
{
	const struct life *l = &s->v[i];
	struct printer pr = { .ob = ob, .wc = wc, .l = l };
	enum life_end end = life__end_state(l);
	const char *args = NULL, *fn = NULL;
	__u32 len = 0, fl = 0;

	/* What it ran last; both stay NULL (null) when nothing is known. */
	life__argv(l, &args, &len, &fn, &fl);

	outbuf__printf(ob, "{\"pid\":%u,\"life\":%zu", s->pid, i + 1);
	kv_time(&pr, "start_time", l->start_ns);
	kv_bool(ob, "start_exact", !l->start_ticks);
	kv_comm(ob, "comm", l->comm);
	kv_string(ob, "filename", fn, fl);
	kv_argv(ob, "argv", args, len);
	outbuf__printf(ob, ",\"execs\":%u,\"born\":{\"time\":", l->nr_execs);
	time_json(&pr, l->born == LIFE_BORN_FORK ? l->born_ts : 0);
	born_fields(&pr);
	outbuf__puts(ob, "},\"exit\":");
	exit_summary(&pr);
	outbuf__puts(ob, ",\"reap\":");
	reap_summary(&pr);
	kv_bool(ob, "orphaned", l->orphaned);
	kv_pid(ob, "adopted_by", l->adopted_by);
	kv_name(ob, "end_state", end_state_name(end));
	kv_bool(ob, "alive_at_end", end == LIFE_END_RUNNING || end == LIFE_END_STOPPED);
	outbuf__puts(ob, ",\"events\":[");
	head_json(&pr, "born", l->born == LIFE_BORN_FORK ? l->born_ts : l->start_ns);
	born_fields(&pr);
	outbuf__putc(ob, '}');
	for (size_t k = 0; k < l->nev; k++) {
		outbuf__putc(ob, ',');
		event_json(&pr, &l->ev[k]);
	}
	outbuf__printf(ob, "],\"events_left_out\":%llu,\"children\":[", (unsigned long long)l->events_left_out);
	for (size_t k = 0; k < l->nch; k++) {
		if (k)
			outbuf__putc(ob, ',');
		child_json(&pr, &l->ch[k]);
	}
	outbuf__printf(ob, "],\"children_left_out\":%llu}", (unsigned long long)l->children_left_out);
}

void life_json__print(struct outbuf *ob, const struct life_set *s, const struct wallclock *wc)
{
	outbuf__putc(ob, '[');
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			outbuf__putc(ob, ',');
		life_json(ob, s, i, wc);
	}
	outbuf__puts(ob, "]\n");
}
