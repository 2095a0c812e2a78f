// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * JSON lines: one object per event, field names documented in README.md.
 * Strings from processes go through escape__json_string, which yields valid
 * UTF-8 JSON for any bytes.
 */
#include <string.h>

/* Inlined so that each literal key is a fixed-size copy. */
#define INLINE static inline __attribute__((always_inline))

#include "base/escape.h"
#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "views/usage_fmt.h"
#include "views/writer.h"

INLINE void key(struct outbuf *ob, const char *k)
{
	outbuf__write(ob, ",\"", 2);
	outbuf__puts(ob, k);
	outbuf__write(ob, "\":", 2);
}

INLINE void kv_u64(struct outbuf *ob, const char *k, __u64 v)
{
	key(ob, k);
	outbuf__u64(ob, v);
}

INLINE void kv_i64(struct outbuf *ob, const char *k, long long v)
{
	key(ob, k);
	outbuf__i64(ob, v);
}

INLINE void kv_bool(struct outbuf *ob, const char *k, bool v)
{
	key(ob, k);
	outbuf__puts(ob, v ? "true" : "false");
}

/* A name from our own tables: plain ASCII, no escaping needed. */
INLINE void kv_name(struct outbuf *ob, const char *k, const char *v)
{
	key(ob, k);
	outbuf__putc(ob, '"');
	outbuf__puts(ob, v);
	outbuf__putc(ob, '"');
}

INLINE void kv_str(struct outbuf *ob, const char *k, const char *s, size_t n)
{
	key(ob, k);
	escape__json_string(ob, s, n);
}

INLINE void kv_comm(struct outbuf *ob, const char *k, const char *c)
{
	kv_str(ob, k, c, strnlen(c, PL_COMM_LEN));
}

INLINE void kv_name_or_null(struct outbuf *ob, const char *k, const char *v)
{
	if (v) {
		kv_name(ob, k, v);
		return;
	}
	key(ob, k);
	outbuf__puts(ob, "null");
}

static void status_fields(struct outbuf *ob, __u32 status)
{
	struct exit_status st = exit_status__decode(status);

	key(ob, "exit_code");
	if (st.exited)
		outbuf__i64(ob, st.code);
	else
		outbuf__puts(ob, "null");
	key(ob, "term_signal");
	if (st.exited)
		outbuf__puts(ob, "null");
	else
		outbuf__i64(ob, st.sig);
	kv_bool(ob, "core_dumped", st.core);
	kv_u64(ob, "status", status);
}

static void begin(struct writer *w, const char *event, __u64 ts)
{
	char tbuf[48];

	wallclock__rfc3339(w->wc, ts, tbuf, sizeof(tbuf));
	outbuf__puts(w->ob, "{\"event\":\"");
	outbuf__puts(w->ob, event);
	outbuf__puts(w->ob, "\",\"time\":\"");
	outbuf__puts(w->ob, tbuf);
	outbuf__putc(w->ob, '"');
}

/* "killed_by": who sent the fatal signal, or null. */
static void killer_fields(struct writer *w, const struct pl_killer *k)
{
	struct outbuf *ob = w->ob;
	const char *origin;
	char tbuf[48];

	key(ob, "killed_by");
	if (!k->sig) {
		outbuf__puts(ob, "null");
		return;
	}
	origin = sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom);
	wallclock__rfc3339(w->wc, k->ts, tbuf, sizeof(tbuf));
	outbuf__printf(ob, "{\"sig\":%d,\"signame\":\"%s\",\"time\":\"%s\"", k->sig, names__signal(k->sig), tbuf);
	kv_name_or_null(ob, "origin", origin);
	kv_name_or_null(ob, "syscall", sig__syscall_name(k->syscall));
	/* The task that sent it; for a kernel origin, the one the kernel was running for. */
	kv_u64(ob, "pid", k->pid);
	kv_u64(ob, "tid", k->tid);
	kv_u64(ob, "uid", k->uid);
	kv_comm(ob, "comm", k->comm);
	outbuf__putc(ob, '}');
}

static void json_event(struct writer *w, const void *rec)
{
	const struct pl_hdr *h = rec;
	struct outbuf *ob = w->ob;

	begin(w, names__event(h->type), h->ts);
	kv_u64(ob, "pid", h->pid);
	kv_u64(ob, "tid", h->tid);
	kv_u64(ob, "ppid", h->ppid);
	kv_u64(ob, "uid", h->uid);
	kv_u64(ob, "gid", h->gid);
	kv_comm(ob, "comm", h->comm);
	kv_u64(ob, "cpu", h->cpu);
	kv_u64(ob, "cgroup_id", h->cgroup_id);
	kv_u64(ob, "pidns", h->pidns);
	kv_u64(ob, "ns_pid", h->ns_pid);
	kv_u64(ob, "ktime_ns", h->ts);

	switch (h->type) {
	case PL_EV_FORK: {
		const struct pl_fork *e = rec;
		kv_u64(ob, "child", e->child_pid);
		kv_u64(ob, "child_tid", e->child_tid);
		kv_u64(ob, "child_ppid", e->child_ppid);
		kv_bool(ob, "thread", h->flags & PL_F_THREAD);
		break;
	}
	case PL_EV_EXEC: {
		const struct pl_exec *e = rec;
		size_t n;
		const char *fn = event__filename(rec, &n);

		kv_str(ob, "filename", fn, n);
		if (h->flags & PL_F_NAME_TRUNCATED)
			kv_bool(ob, "filename_truncated", true);
		key(ob, "argv");
		escape__argv_json(ob, e->data + e->filename_len, e->args_len);
		kv_u64(ob, "argc", e->argc);
		kv_bool(ob, "truncated", h->flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE));
		kv_u64(ob, "argv_bytes", e->args_size);
		kv_u64(ob, "old_tid", e->old_tid);
		break;
	}
	case PL_EV_EXEC_FAILED: {
		const struct pl_exec_failed *e = rec;
		const char *name = names__errno(e->err);
		size_t n;
		const char *fn = event__filename(rec, &n);

		kv_str(ob, "filename", fn, n);
		if (h->flags & PL_F_NAME_TRUNCATED)
			kv_bool(ob, "filename_truncated", true);
		if (name)
			kv_name(ob, "error", name);
		else
			kv_i64(ob, "error", e->err);
		kv_i64(ob, "errno", e->err);
		break;
	}
	case PL_EV_EXIT: {
		const struct pl_exit *e = rec;
		status_fields(ob, e->status);
		killer_fields(w, &e->killer);
		kv_bool(ob, "thread", h->flags & PL_F_THREAD);
		if (h->flags & PL_F_HAS_CHILDREN)
			kv_u64(ob, "children_to", e->new_parent);
		/* What it used: a process's exit only (a thread's has none). */
		key(ob, "runtime_ns");
		if (h->flags & PL_F_THREAD || !h->start_ns || h->ts < h->start_ns)
			outbuf__puts(ob, "null");
		else
			outbuf__u64(ob, h->ts - h->start_ns);
		usage_fmt__json_fields_of(ob, rec);
		break;
	}
	case PL_EV_REAP: {
		const struct pl_reap *e = rec;
		key(ob, "reaper");
		if (e->reaper_pid)
			outbuf__u64(ob, e->reaper_pid);
		else
			outbuf__puts(ob, "null");
		key(ob, "reaper_comm");
		if (e->reaper_pid)
			escape__json_string(ob, e->reaper_comm, strnlen(e->reaper_comm, PL_COMM_LEN));
		else
			outbuf__puts(ob, "null");
		kv_name(ob, "how", h->flags & PL_F_REAP_WAIT ? "wait" : h->flags & PL_F_REAP_AUTO ? "auto" : "preexisting");
		status_fields(ob, e->status);
		break;
	}
	case PL_EV_SIGNAL: {
		const struct pl_signal *e = rec;
		kv_i64(ob, "sig", e->sig);
		kv_name(ob, "signame", names__signal(e->sig));
		kv_u64(ob, "target", e->target_pid);
		kv_u64(ob, "target_tid", e->target_tid);
		kv_comm(ob, "target_comm", e->target_comm);
		kv_u64(ob, "target_uid", e->target_uid);
		kv_name(ob, "code", names__si_code(e->info_code));
		kv_i64(ob, "si_code", e->info_code);
		kv_name(ob, "result", names__sig_result(e->result));
		kv_bool(ob, "group", h->flags & PL_F_GROUP);
		kv_name_or_null(ob, "syscall", sig__syscall_name(e->syscall));
		kv_name_or_null(ob, "errno", e->result == PL_SIG_FAILED ? names__errno(e->err) : NULL);
		kv_name_or_null(ob, "origin", sig__origin(e->sig, e->info_code, e->info_kind, e->syscall, false));
		kv_name(ob, "disposition", names__sig_action(e->disposition));
		kv_bool(ob, "blocked", e->blocked);
		key(ob, "target_arg");
		if (e->syscall != PL_SYS_NONE && e->syscall != PL_SYS_PIDFD_SEND_SIGNAL)
			outbuf__i64(ob, e->target_arg);
		else
			outbuf__puts(ob, "null");
		key(ob, "value");
		if (e->info_code == -1 /* SI_QUEUE */)
			outbuf__i64(ob, (long long)e->value);
		else
			outbuf__puts(ob, "null");
		break;
	}
	case PL_EV_RENAME:
		kv_comm(ob, "new_comm", ((const struct pl_rename *)rec)->new_comm);
		break;
	case PL_EV_DELIVER: {
		const struct pl_deliver *e = rec;
		kv_i64(ob, "sig", e->sig);
		kv_name(ob, "signame", names__signal(e->sig));
		kv_name(ob, "action", names__sig_action(e->action));
		if (e->action == PL_ACT_DEFAULT)
			kv_name(ob, "default_action", names__sig_default_action(e->sig));
		kv_name(ob, "code", names__si_code(e->info_code));
		kv_i64(ob, "si_code", e->info_code);
		kv_bool(ob, "fatal", h->flags & PL_F_GROUP_EXIT);
		break;
	}
	}
	outbuf__puts(ob, "}\n");
}

static void json_lost(struct writer *w, unsigned type, __u64 count, __u64 ts)
{
	struct outbuf *ob = w->ob;

	begin(w, "lost", ts);
	kv_name(ob, "type", names__event(type));
	kv_u64(ob, "count", count);
	outbuf__puts(ob, "}\n");
}

static void json_header(struct writer *w)
{
}

static void json_derived(struct writer *w, const struct derived_event *d)
{
	struct outbuf *ob = w->ob;
	const struct proc *p = d->p;

	begin(w, derived__name(d->type), d->ts);
	if (d->type == DV_RESYNC) {
		kv_u64(ob, "added", d->rs.added);
		kv_u64(ob, "removed", d->rs.removed);
		kv_u64(ob, "reparented", d->rs.reparented);
		kv_u64(ob, "states_fixed", d->rs.states_fixed);
		outbuf__puts(ob, "}\n");
		return;
	}
	kv_u64(ob, "pid", p->pid);
	kv_u64(ob, "ppid", p->ppid);
	kv_u64(ob, "uid", p->uid);
	kv_comm(ob, "comm", p->comm);
	switch (d->type) {
	case DV_STOP:
	case DV_CONTINUE:
		kv_i64(ob, "sig", d->sig);
		kv_name(ob, "signame", names__signal(d->sig));
		break;
	case DV_ZOMBIE:
		status_fields(ob, p->status);
		key(ob, "zombie_for_s");
		outbuf__printf(ob, "%.3f", p->exit_ts ? (d->ts - p->exit_ts) / 1e9 : 0.0);
		kv_u64(ob, "parent", p->ppid);
		key(ob, "parent_comm");
		if (d->parent)
			escape__json_string(ob, d->parent->comm, strnlen(d->parent->comm, PL_COMM_LEN));
		else
			outbuf__puts(ob, "null");
		break;
	case DV_REPARENT:
		kv_u64(ob, "old_parent", d->old_parent);
		kv_u64(ob, "new_parent", d->new_parent);
		key(ob, "new_parent_comm");
		if (d->parent)
			escape__json_string(ob, d->parent->comm, strnlen(d->parent->comm, PL_COMM_LEN));
		else
			outbuf__puts(ob, "null");
		break;
	default:
		break;
	}
	outbuf__puts(ob, "}\n");
}

void writer__init_json(struct writer *w, struct outbuf *ob, const struct wallclock *wc)
{
	*w = (struct writer){ .ob = ob, .wc = wc, .header = json_header, .event = json_event, .lost = json_lost,
			      .derived = json_derived };
}
