// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Text: one aligned line per event. Every byte that comes from a process
 * (comm, filename, argv) goes through escape__text*, so no process can put
 * a terminal escape sequence on the user's screen.
 */
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "kernel/usage.h"
#include "views/ctfmt.h"
#include "views/event_fmt.h"
#include "views/identity_fmt.h"
#include "views/usage_fmt.h"
#include "views/writer.h"

#define COMM_COL 16
/* USER: a name and the login user's in parentheses ("root(admin)"); a longer one pushes the line on. */
#define USER_COL 13
#define TTY_COL 8

/* Pads the column started at from to width; a too-long value still gets one space. */
static void pad(struct outbuf *ob, size_t from, size_t width)
{
	size_t n = ob->len - from;

	do
		outbuf__putc(ob, ' ');
	while (++n < width);
}

static void comm(struct outbuf *ob, const char *c)
{
	escape__text(ob, c, strnlen(c, PL_COMM_LEN));
}

static void text_header(struct writer *w)
{
	outbuf__puts(w->ob, "TIME         EVENT       PID     PPID    USER         TTY     COMM             CONTAINER           DETAILS\n");
}

static void status_text(struct outbuf *ob, __u32 status)
{
	event_fmt__status_text(ob, status, EXIT_TEXT_FULL);
}

/* " in CONTAINER" or " on the host": where the target is, when the signal crosses into it. */
static void crossing(struct writer *w, const struct pl_signal *e)
{
	bool crosses;
	const struct ct_ref *ct = ctfmt__target(w->ct, w->model, e, &crosses);

	if (!crosses)
		return;
	if (ct) {
		outbuf__puts(w->ob, "in ");
		ctfmt__short(w->ob, ct, CTFMT_COLUMN - 1);
	} else {
		outbuf__puts(w->ob, "on the host");
	}
	outbuf__putc(w->ob, ' ');
}

/* SIGTERM -> 1234 (sleep) [in pltest] delivered (default: terminate) [kill] */
static void signal_details(struct writer *w, const struct pl_signal *e)
{
	struct outbuf *ob = w->ob;
	const char *origin = sig__origin(e->sig, e->info_code, e->info_kind, e->syscall, false), *out;
	char buf[64];

	outbuf__puts(ob, e->sig ? names__signal(e->sig) : "0");
	outbuf__puts(ob, " -> ");
	if (e->target_pid) {
		outbuf__u64(ob, e->target_pid);
		if (!(e->h.flags & PL_F_GROUP) && e->target_tid != e->target_pid) {
			outbuf__putc(ob, '/');
			outbuf__u64(ob, e->target_tid);
		}
		outbuf__puts(ob, " (");
		comm(ob, e->target_comm);
		outbuf__puts(ob, ") ");
		crossing(w, e);
	} else {
		outbuf__i64(ob, e->target_arg);
		outbuf__putc(ob, ' ');
	}
	out = sig__outcome(e->sig, e->result, e->disposition, e->blocked, e->err, buf, sizeof(buf));
	/* A queued signal reads "delivered (handler)"; the rest say what happened on their own. */
	if (e->result == PL_SIG_DELIVERED && !e->blocked)
		outbuf__printf(ob, "delivered (%s)", out);
	else
		outbuf__puts(ob, out);
	outbuf__puts(ob, " [");
	if (origin) {
		outbuf__puts(ob, "kernel: ");
		outbuf__puts(ob, origin);
	} else {
		const char *sc = sig__syscall_name(e->syscall);

		outbuf__puts(ob, sc ? sc : names__si_code(e->info_code));
		/* Sent to a group or to all: the pid as given. */
		if (e->target_arg <= 0 && e->syscall != PL_SYS_NONE && e->syscall != PL_SYS_PIDFD_SEND_SIGNAL &&
		    e->target_pid)
			outbuf__printf(ob, " %d", e->target_arg);
		if (e->info_code == -1 /* SI_QUEUE */)
			outbuf__printf(ob, " value=%lld", (long long)e->value);
	}
	outbuf__putc(ob, ']');
}

/* An exec that runs with another effective user says whose; one that changed privilege says so. */
static void exec_identity(struct outbuf *ob, const struct pl_exec *e)
{
	struct ident id = ident__of_hdr(&e->h);

	if (!id.known)
		return;
	if (id.euid != id.uid) {
		struct ident eff = { .uid = id.euid };

		outbuf__puts(ob, " euid=");
		identity_fmt__user_text(ob, &eff);
	}
	if (e->h.flags & PL_F_SETID)
		outbuf__puts(ob, " [setid]");
}

/* The argv, then the filename in parentheses when argv[0] is not it; without argv (--arg-bytes 0), the filename. */
static void exec_details(struct outbuf *ob, const struct pl_exec *e)
{
	const char *args = e->data + e->filename_len, *fn;
	const char *nul = memchr(args, '\0', e->args_len);
	size_t n0 = nul ? (size_t)(nul - args) : e->args_len, fn_len;

	if (!e->args_len) {
		fn = event__filename(e, &fn_len);
		escape__text(ob, fn, fn_len);
		if (e->h.flags & PL_F_NAME_TRUNCATED)
			outbuf__puts(ob, " [filename truncated]");
		if (e->h.flags & PL_F_ARGS_TRUNCATED)
			outbuf__printf(ob, " [argv not kept: %u bytes]", e->args_size);
		if (e->h.flags & PL_F_ARGS_UNREADABLE)
			outbuf__puts(ob, " [argv unreadable]");
		return;
	}
	escape__argv_text(ob, args, e->args_len, 0);
	if (e->h.flags & PL_F_ARGS_TRUNCATED)
		outbuf__printf(ob, " ... [argv truncated at %u of %u bytes]", e->args_len, e->args_size);
	if (e->h.flags & PL_F_ARGS_UNREADABLE)
		outbuf__puts(ob, "[argv unreadable]");
	fn = event__filename(e, &fn_len);
	if (!e->args_len || n0 != fn_len || memcmp(args, fn, fn_len)) {
		outbuf__puts(ob, e->args_len ? "  (" : "(");
		escape__text(ob, fn, fn_len);
		outbuf__putc(ob, ')');
	}
	if (e->h.flags & PL_F_NAME_TRUNCATED)
		outbuf__puts(ob, " [filename truncated]");
	exec_identity(ob, e);
}

/* TIME EVENT PID PPID USER TTY COMM CONTAINER, aligned; the details follow. id: NULL for none ("-"). */
static void columns(struct writer *w, __u64 ts, const char *event, __u32 pid, __u32 ppid, const struct ident *id,
		    const char *c, const struct ct_ref *ct)
{
	struct outbuf *ob = w->ob;
	char tbuf[32];
	size_t start;

	wallclock__hms(w->wc, ts, tbuf, sizeof(tbuf));
	start = ob->len;
	outbuf__puts(ob, tbuf);
	pad(ob, start, 13);
	start = ob->len;
	outbuf__puts(ob, event);
	pad(ob, start, 12);
	start = ob->len;
	if (pid)
		outbuf__u64(ob, pid);
	else
		outbuf__putc(ob, '-');
	pad(ob, start, 8);
	start = ob->len;
	if (pid)
		outbuf__u64(ob, ppid);
	else
		outbuf__putc(ob, '-');
	pad(ob, start, 8);
	start = ob->len;
	if (id)
		identity_fmt__user_text(ob, id);
	else
		outbuf__putc(ob, '-');
	pad(ob, start, USER_COL);
	start = ob->len;
	if (id)
		outbuf__puts(ob, identity_fmt__tty_str(id, tbuf, sizeof(tbuf)));
	else
		outbuf__putc(ob, '-');
	pad(ob, start, TTY_COL);
	start = ob->len;
	comm(ob, c);
	pad(ob, start, COMM_COL + 1);
	ctfmt__column(ob, ct);
}

static void fork_details(struct outbuf *ob, const struct pl_fork *e)
{
	if (e->h.flags & PL_F_THREAD) {
		outbuf__puts(ob, "thread ");
		outbuf__u64(ob, e->child_tid);
	} else {
		outbuf__puts(ob, "child ");
		outbuf__u64(ob, e->child_pid);
	}
}

/* "/usr/bin/nope: ENOENT" */
static void exec_failed_details(struct outbuf *ob, const struct pl_exec_failed *e)
{
	const char *name = names__errno(e->err);
	size_t n;
	const char *fn = event__filename(e, &n);

	escape__text(ob, fn, n);
	if (e->h.flags & PL_F_NAME_TRUNCATED)
		outbuf__puts(ob, " [filename truncated]");
	outbuf__puts(ob, ": ");
	if (name)
		outbuf__puts(ob, name);
	else
		outbuf__printf(ob, "errno %d", e->err);
}

/* "exit 3", or "killed by SIGTERM from 1234 (bash) [kill]", then what it used. */
static void exit_details(struct outbuf *ob, const struct pl_exit *e)
{
	if (e->h.flags & PL_F_THREAD) {
		outbuf__puts(ob, "thread ");
		outbuf__u64(ob, e->h.tid);
		outbuf__putc(ob, ' ');
	}
	status_text(ob, e->status);
	event_fmt__killer_text(ob, &e->killer);
	if (usage__of(e)) {
		struct usage u;

		usage__decode(usage__of(e), &u);
		outbuf__puts(ob, "  ");
		usage_fmt__text(ob, &u);
	}
}

static void reap_details(struct outbuf *ob, const struct pl_reap *e)
{
	if (e->h.flags & PL_F_REAP_WAIT) {
		outbuf__puts(ob, "reaped by ");
		outbuf__u64(ob, e->reaper_pid);
		outbuf__puts(ob, " (");
		comm(ob, e->reaper_comm);
		outbuf__puts(ob, "), ");
	} else if (e->h.flags & PL_F_REAP_AUTO) {
		outbuf__puts(ob, "auto-reaped, ");
	} else if (e->h.flags & PL_F_REAP_UNTRACKED) {
		outbuf__puts(ob, "released, reaper unknown (the kernel's zombie table was full): ");
	} else {
		outbuf__puts(ob, "released, exited before proclife started: ");
	}
	status_text(ob, e->status);
}

/* "SIGTERM handler", "SIGINT default (terminate)" */
static void deliver_details(struct outbuf *ob, const struct pl_deliver *e)
{
	outbuf__puts(ob, names__signal(e->sig));
	outbuf__putc(ob, ' ');
	outbuf__puts(ob, names__sig_action(e->action));
	if (e->action == PL_ACT_DEFAULT) {
		outbuf__puts(ob, " (");
		outbuf__puts(ob, names__sig_default_action(e->sig));
		outbuf__putc(ob, ')');
	}
}

static void text_event(struct writer *w, const void *rec)
{
	const struct pl_hdr *h = rec;
	struct outbuf *ob = w->ob;
	struct ident id = ident__of_hdr(h);

	const struct ct_subject *s = ctfmt__of_hdr(w->ct, h);

	columns(w, h->ts, names__event(h->type), h->pid, h->ppid, &id, h->comm, s ? s->ct : NULL);
	switch (h->type) {
	case PL_EV_FORK:
		fork_details(ob, rec);
		break;
	case PL_EV_EXEC:
		exec_details(ob, rec);
		break;
	case PL_EV_EXEC_FAILED:
		exec_failed_details(ob, rec);
		break;
	case PL_EV_EXIT:
		exit_details(ob, rec);
		break;
	case PL_EV_REAP:
		reap_details(ob, rec);
		break;
	case PL_EV_SIGNAL:
		signal_details(w, rec);
		break;
	case PL_EV_RENAME:
		outbuf__puts(ob, "renamed to ");
		comm(ob, ((const struct pl_rename *)rec)->new_comm);
		break;
	case PL_EV_DELIVER:
		deliver_details(ob, rec);
		break;
	case PL_EV_CRED:
		identity_fmt__cred_text(ob, rec);
		break;
	}
	outbuf__putc(ob, '\n');
}

static void text_lost(struct writer *w, unsigned type, __u64 count, __u64 ts)
{
	char tbuf[32];

	wallclock__hms(w->wc, ts, tbuf, sizeof(tbuf));
	outbuf__puts(w->ob, tbuf);
	outbuf__putc(w->ob, ' ');
	outbuf__puts(w->ob, "LOST ");
	outbuf__u64(w->ob, count);
	outbuf__putc(w->ob, ' ');
	outbuf__puts(w->ob, names__event(type));
	outbuf__puts(w->ob, " events: the kernel could not queue them (ring buffer full)\n");
}

/* "10:00:13.500 GAP 1234 lines could not be written to this output from 10:00:01.000 (ENOSPC)" */
static void text_gap(struct writer *w, const struct writer_gap *g)
{
	char tbuf[32], since[32];
	const char *e = names__errno(g->err);

	wallclock__hms(w->wc, g->ts, tbuf, sizeof(tbuf));
	wallclock__hms(w->wc, g->since, since, sizeof(since));
	outbuf__puts(w->ob, tbuf);
	outbuf__puts(w->ob, " GAP ");
	outbuf__u64(w->ob, g->count);
	outbuf__puts(w->ob, g->recording ? " events could not be written to the recording from "
					 : " lines could not be written to this output from ");
	outbuf__puts(w->ob, since);
	if (e)
		outbuf__printf(w->ob, " (%s)\n", e);
	else
		outbuf__printf(w->ob, " (error %d)\n", g->err);
}

/* A container named: what its runtime's state says of it. */
static void container_line(struct writer *w, const struct derived_event *d)
{
	const struct ct_info *ci = &d->ct->info;
	struct outbuf *ob = w->ob;

	columns(w, d->ts, "container", 0, 0, NULL, "-", d->ct);
	ctfmt__tag(ob, d->ct);
	if (ci->image[0]) {
		outbuf__puts(ob, " image ");
		escape__text(ob, ci->image, strlen(ci->image));
	}
	outbuf__puts(ob, " cgroup ");
	escape__text(ob, d->ct->cgroup, strlen(d->ct->cgroup));
	outbuf__putc(ob, '\n');
}

static void text_derived(struct writer *w, const struct derived_event *d)
{
	struct outbuf *ob = w->ob;
	const struct proc *p = d->p;

	if (d->type == DV_RESYNC) {
		columns(w, d->ts, "resync", 0, 0, NULL, "-", NULL);
		outbuf__printf(ob, "events were lost: resynced with /proc: %u added, %u removed, %u reparented, "
			       "%u states fixed\n", d->rs.added, d->rs.removed, d->rs.reparented, d->rs.states_fixed);
		return;
	}
	if (d->type == DV_CONTAINER) {
		container_line(w, d);
		return;
	}
	{
		struct ident id = ident__of_proc(p);

		columns(w, d->ts, derived__name(d->type), p->pid, p->ppid, &id, p->comm, ctfmt__container(w->ct, p));
	}
	switch (d->type) {
	case DV_STOP:
		outbuf__puts(ob, "stopped by ");
		outbuf__puts(ob, names__signal(d->sig));
		break;
	case DV_CONTINUE:
		outbuf__puts(ob, "continued");
		break;
	case DV_ZOMBIE:
		outbuf__printf(ob, "zombie for %.1f s, ", p->exit_ts ? (d->ts - p->exit_ts) / 1e9 : 0.0);
		status_text(ob, p->status);
		outbuf__puts(ob, "; not reaped by its parent ");
		outbuf__u64(ob, p->ppid);
		if (d->parent) {
			outbuf__puts(ob, " (");
			comm(ob, d->parent->comm);
			outbuf__putc(ob, ')');
		}
		break;
	case DV_REPARENT:
		outbuf__puts(ob, "orphaned: parent ");
		outbuf__u64(ob, d->old_parent);
		outbuf__puts(ob, " exited, adopted by ");
		outbuf__u64(ob, d->new_parent);
		if (d->parent) {
			outbuf__puts(ob, " (");
			comm(ob, d->parent->comm);
			outbuf__putc(ob, ')');
		}
		break;
	default:
		break;
	}
	outbuf__putc(ob, '\n');
}

void writer__init_text(struct writer *w, struct outbuf *ob, const struct wallclock *wc)
{
	*w = (struct writer){ .ob = ob, .wc = wc, .header = text_header, .event = text_event, .lost = text_lost,
			      .derived = text_derived, .gap = text_gap };
}
