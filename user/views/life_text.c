// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife life` as text. A line per event under TIME (local, to the
 * millisecond) and AGE (seconds since the life started), so that "how long
 * after it started" needs no arithmetic. Every byte a process chose (comm,
 * filename, argv) goes through escape__*text: a hostile argv cannot reach
 * the terminal.
 */
#include "base/escape.h"
#include "base/names.h"
#include "kernel/event.h"
#include "kernel/sigorigin.h"
#include "kernel/usage.h"
#include "views/ctfmt.h"
#include "views/event_fmt.h"
#include "views/identity_fmt.h"
#include "views/life_text.h"
#include "views/usage_fmt.h"

/* A command line in a title or a children line is cut past this many bytes (the JSON keeps it whole). */
#define ARGV_TEXT_MAX 200

struct printer {
	struct outbuf *ob;
	const struct wallclock *wc;
	const struct life *l;
	struct ctreg *ct;              /* NULL: no containers known */
	const struct ct_subject *where; /* the life's cgroups, as its last event said (NULL: not known) */
};

/* A signal a process sent it from another container or the host: " [from the host]", " [from CONTAINER]". */
static void from_elsewhere(const struct printer *pr, const struct pl_signal *g)
{
	const struct ct_subject *from = pr->ct ? ctfmt__of_hdr(pr->ct, &g->h) : NULL;

	if (!from || !from->cgroup || !pr->where || !pr->where->cgroup || from->ct == pr->where->ct)
		return;
	outbuf__puts(pr->ob, " [from ");
	if (from->ct)
		ctfmt__tag(pr->ob, from->ct);
	else
		outbuf__puts(pr->ob, "the host");
	outbuf__putc(pr->ob, ']');
}

static void pid_comm(struct outbuf *ob, __u32 pid, const char *comm)
{
	outbuf__printf(ob, "%u (", pid);
	escape__comm_text(ob, comm);
	outbuf__putc(ob, ')');
}

/* Pads the column started at from to width; a too-long value still gets one space. */
static void pad(struct outbuf *ob, size_t from, size_t width)
{
	size_t n = ob->len - from;

	do
		outbuf__putc(ob, ' ');
	while (++n < width);
}

/* TIME, AGE, EVENT: "?" for a time that is not known; the details follow. */
static void line(const struct printer *pr, __u64 ts, const char *event)
{
	struct outbuf *ob = pr->ob;
	char tbuf[WALLCLOCK_HMS_MAX];
	size_t start = ob->len;

	if (ts) {
		wallclock__hms(pr->wc, ts, tbuf, sizeof(tbuf));
		outbuf__puts(ob, tbuf);
		pad(ob, start, 14);
		outbuf__printf(ob, "%10.3f  ", life__secs(pr->l->start_ns, ts));
	} else {
		outbuf__puts(ob, "?");
		pad(ob, start, 14);
		outbuf__printf(ob, "%10s  ", "?");
	}
	start = ob->len;
	outbuf__puts(ob, event);
	pad(ob, start, 13);
}

static void status_text(struct outbuf *ob, __u32 status)
{
	event_fmt__status_text(ob, status, EXIT_TEXT_FULL);
}

static void argv_text(struct outbuf *ob, const char *args, __u32 len, bool truncated)
{
	if (escape__argv_text(ob, args, len, ARGV_TEXT_MAX) || truncated)
		outbuf__puts(ob, " ...");
}

/* An event's own argv is whole: it is the story's subject, not a summary line. */
/*
 * "  [as root(admin) on pts/1, euid 0, setid]": who ran it, when the
 * recording says; nothing for root's own programs with no login behind
 * them (a service's), the common case.
 */
static void exec_who(struct outbuf *ob, const struct life_event *e)
{
	const struct ident *id = &e->exec.id;
	char tty[TTY_STR_MAX];

	if (!id->known || (!id->uid && id->auid == PL_ID_UNSET && !id->tty && !id->euid && !(e->exec.flags & PL_F_SETID)))
		return;
	outbuf__puts(ob, "  [as ");
	identity_fmt__user_text(ob, id);
	if (id->tty)
		outbuf__printf(ob, " on %s", identity_fmt__tty_str(id, tty, sizeof(tty)));
	if (id->euid != id->uid)
		outbuf__printf(ob, ", euid %u", id->euid);
	if (e->exec.flags & PL_F_SETID)
		outbuf__puts(ob, ", setid");
	outbuf__putc(ob, ']');
}

static void exec_text(struct outbuf *ob, const struct life_event *e)
{
	const char *d = e->exec.data;

	if (!d) {
		outbuf__puts(ob, "[not kept: memory limit]");
		return;
	}
	escape__text(ob, d, e->exec.filename_len);
	if (e->exec.flags & PL_F_NAME_TRUNCATED)
		outbuf__puts(ob, " [filename truncated]");
	if (e->type == LIFE_EV_EXEC_FAILED) {
		const char *name = names__errno(e->exec.err);

		if (name)
			outbuf__printf(ob, ": %s", name);
		else
			outbuf__printf(ob, ": errno %d", e->exec.err);
		return;
	}
	if (!e->exec.args_len && (e->exec.flags & PL_F_ARGS_TRUNCATED)) {
		/* --arg-bytes 0 */
		outbuf__printf(ob, " [argv not kept: %u bytes]", e->exec.args_size);
		return;
	}
	outbuf__puts(ob, ": ");
	escape__argv_text(ob, d + e->exec.args_off, e->exec.args_len, 0);
	if (e->exec.flags & PL_F_ARGS_TRUNCATED)
		outbuf__printf(ob, " ... [argv truncated at %u of %u bytes]", e->exec.args_len, e->exec.args_size);
	if (e->exec.flags & PL_F_ARGS_UNREADABLE)
		outbuf__puts(ob, " [argv unreadable]");
	exec_who(ob, e);
}

/* "delivered (handler)", "ignored", "failed: EPERM", ... as watch says it. */
static void outcome_text(struct outbuf *ob, const struct pl_signal *g)
{
	char buf[64];
	const char *out = sig__outcome(g->sig, g->result, g->disposition, g->blocked, g->err, buf, sizeof(buf));

	if (g->result == PL_SIG_DELIVERED && !g->blocked)
		outbuf__printf(ob, "delivered (%s)", out);
	else
		outbuf__puts(ob, out);
}

/* " [kill]", " [kill -1234]" (a group or all: the pid as given), or the si_code without a syscall. */
static void how_text(struct outbuf *ob, const struct pl_signal *g)
{
	const char *sc = sig__syscall_name(g->syscall);

	outbuf__printf(ob, " [%s", sc ? sc : names__si_code(g->info_code));
	if (g->target_arg <= 0 && g->syscall != PL_SYS_NONE && g->syscall != PL_SYS_PIDFD_SEND_SIGNAL)
		outbuf__printf(ob, " %d", g->target_arg);
	outbuf__putc(ob, ']');
}

static void action_text(struct outbuf *ob, int sig, __u32 action, bool fatal)
{
	outbuf__puts(ob, names__sig_action(action));
	if (action == PL_ACT_DEFAULT)
		outbuf__printf(ob, " (%s)", names__sig_default_action(sig));
	if (fatal)
		outbuf__puts(ob, ", fatal");
}

/*
 * For a kernel origin the task named is the one the kernel was running
 * for (the faulting process itself, the child whose exit sent SIGCHLD),
 * not a sender: hence "in", not "from".
 */
static void received_text(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;
	const struct pl_signal *g = &e->sig;
	const char *origin = sig__origin(g->sig, g->info_code, g->info_kind, g->syscall, false);

	outbuf__puts(ob, g->sig ? names__signal(g->sig) : "0");
	if (origin) {
		outbuf__printf(ob, " [kernel: %s, in ", origin);
		pid_comm(ob, g->h.pid, g->h.comm);
		outbuf__putc(ob, ']');
	} else {
		outbuf__puts(ob, " from ");
		pid_comm(ob, g->h.pid, g->h.comm);
		from_elsewhere(pr, g);
		how_text(ob, g);
	}
	outbuf__puts(ob, ": ");
	outcome_text(ob, g);
	if (e->taken) {
		outbuf__printf(ob, "; taken %.3fs later: ", life__secs(e->ts, e->taken_ts));
		action_text(ob, g->sig, e->action, e->fatal);
	}
}

static void sent_text(struct outbuf *ob, const struct pl_signal *g)
{
	outbuf__puts(ob, g->sig ? names__signal(g->sig) : "0");
	outbuf__puts(ob, " -> ");
	if (g->target_pid)
		pid_comm(ob, g->target_pid, g->target_comm);
	else
		outbuf__printf(ob, "%d", g->target_arg); /* no such process: the pid as given */
	how_text(ob, g);
	outbuf__puts(ob, ": ");
	outcome_text(ob, g);
}

static void reap_text(struct outbuf *ob, const struct life_event *e)
{
	const struct pl_reap *r = &e->reap;

	if (r->h.flags & PL_F_REAP_WAIT) {
		outbuf__puts(ob, "reaped by ");
		pid_comm(ob, r->reaper_pid, r->reaper_comm);
	} else if (r->h.flags & PL_F_REAP_AUTO) {
		outbuf__puts(ob, "auto-reaped (no wait)");
	} else if (r->h.flags & PL_F_REAP_UNTRACKED) {
		outbuf__puts(ob, "released; who reaped it is unknown (the kernel's zombie table was full at its exit)");
	} else {
		outbuf__puts(ob, "released; it had exited before the recording");
		return;
	}
	if (r->exit_ts && r->exit_ts <= e->ts)
		outbuf__printf(ob, ", a zombie for %.3fs", life__secs(r->exit_ts, e->ts));
}

static void parent_text(struct outbuf *ob, const struct life_event *e)
{
	outbuf__printf(ob, "%u", e->parent.parent);
	if (e->parent.comm_known) {
		outbuf__puts(ob, " (");
		escape__comm_text(ob, e->parent.comm);
		outbuf__putc(ob, ')');
	}
}

/* The EVENT column: the JSON's names, but for signals, which the column says shorter. */
static const char *event_name(unsigned type)
{
	switch (type) {
	case LIFE_EV_SIG_RECV:
		return "signal";
	case LIFE_EV_SIG_SENT:
		return "sent";
	}
	return life__event_name(type);
}

static void event_text(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;
	const char *name = event_name(e->type);

	if (!name)
		return;
	line(pr, e->ts, name);
	switch (e->type) {
	case LIFE_EV_EXEC:
	case LIFE_EV_EXEC_FAILED:
		exec_text(ob, e);
		break;
	case LIFE_EV_FORK:
		outbuf__printf(ob, "child %u", e->fork.child);
		break;
	case LIFE_EV_CRED:
		identity_fmt__cred_text(ob, &e->cred);
		break;
	case LIFE_EV_SIG_RECV:
		received_text(pr, e);
		break;
	case LIFE_EV_SIG_SENT:
		sent_text(ob, &e->sig);
		break;
	case LIFE_EV_DELIVER:
		outbuf__printf(ob, "took %s: ", names__signal(e->deliver.sig));
		action_text(ob, e->deliver.sig, e->deliver.action, e->deliver.h.flags & PL_F_GROUP_EXIT);
		break;
	case LIFE_EV_STOP:
		outbuf__printf(ob, "stopped by %s", names__signal(e->stop_sig));
		break;
	case LIFE_EV_CONTINUE:
		outbuf__printf(ob, "continued by %s", names__signal(e->stop_sig));
		break;
	case LIFE_EV_RENAME:
		escape__comm_text(ob, e->rename.old_comm);
		outbuf__puts(ob, " -> ");
		escape__comm_text(ob, e->rename.new_comm);
		break;
	case LIFE_EV_REPARENT:
		outbuf__printf(ob, "parent %u exited; adopted by ", e->parent.old_parent);
		parent_text(ob, e);
		break;
	case LIFE_EV_ZOMBIE:
		if (e->parent.zombie_since)
			outbuf__printf(ob, "a zombie for %.1fs; ", life__secs(e->parent.zombie_since, e->ts));
		outbuf__puts(ob, "its parent ");
		parent_text(ob, e);
		outbuf__puts(ob, " has not waited");
		break;
	case LIFE_EV_EXIT:
		status_text(ob, e->exit.status);
		event_fmt__killer_text(ob, &e->exit.killer);
		outbuf__printf(ob, ", after %.3fs", life__secs(pr->l->start_ns, e->ts));
		if (e->exit.h.flags & PL_F_HAS_CHILDREN)
			outbuf__printf(ob, "; its children go to %u", e->exit.new_parent);
		if (usage__of(&e->exit)) {
			struct usage u;

			usage__decode(usage__of(&e->exit), &u);
			outbuf__puts(ob, "; used ");
			usage_fmt__text(ob, &u);
		}
		break;
	case LIFE_EV_REAP:
		reap_text(ob, e);
		break;
	}
	outbuf__putc(ob, '\n');
}

/* Its fork; or, when that is not in the recording, what the snapshot knew of it. */
static void born_text(const struct printer *pr)
{
	const struct life *l = pr->l;
	struct outbuf *ob = pr->ob;
	char tbuf[WALLCLOCK_RFC3339_MAX];

	if (l->born == LIFE_BORN_FORK) {
		line(pr, l->born_ts, "born");
		outbuf__puts(ob, "forked by ");
		pid_comm(ob, l->forker, l->forker_comm);
		if (l->ppid != l->forker)
			outbuf__printf(ob, ", parent %u (CLONE_PARENT)", l->ppid);
		outbuf__putc(ob, '\n');
		return;
	}
	line(pr, l->start_ns, "born");
	wallclock__rfc3339(pr->wc, l->start_ns, tbuf, sizeof(tbuf));
	outbuf__printf(ob, "%s (started at %s), ",
		       l->born == LIFE_BORN_BEFORE ? "before the recording" : "its fork was not recorded", tbuf);
	if (!l->ppid) {
		outbuf__puts(ob, "no parent");
	} else if (l->parent_comm_known) {
		outbuf__puts(ob, "parent ");
		pid_comm(ob, l->ppid, l->parent_comm);
	} else {
		outbuf__printf(ob, "parent %u", l->ppid);
	}
	if (l->cmdline) {
		outbuf__puts(ob, ", running ");
		argv_text(ob, l->cmdline, l->cmdline_len, l->cmdline_truncated);
	}
	if (l->initial_state == PROC_STOPPED) {
		outbuf__puts(ob, " (stopped)");
	} else if (l->initial_state == PROC_ZOMBIE) {
		outbuf__puts(ob, " (already exited: ");
		status_text(ob, l->status);
		outbuf__putc(ob, ')');
	}
	outbuf__putc(ob, '\n');
}

/* How the story ends when it does not end with a reap. */
static void end_text(const struct printer *pr, __u64 end_ts)
{
	const struct life *l = pr->l;
	struct outbuf *ob = pr->ob;

	switch (life__end_state(l)) {
	case LIFE_END_REAPED:
		return;
	case LIFE_END_UNKNOWN:
		/* No time: the pid's next life shows it ended, not when. */
		line(pr, 0, "end");
		outbuf__puts(ob, l->exited ? "its reap was not recorded; the pid was reused later\n"
					   : "its end was not recorded; the pid was reused later\n");
		return;
	case LIFE_END_ZOMBIE:
		line(pr, end_ts, "end");
		outbuf__printf(ob, "still a zombie when the recording ended: its parent %u has not reaped it\n",
			       l->parent);
		return;
	case LIFE_END_STOPPED:
		line(pr, end_ts, "end");
		outbuf__printf(ob, "still running when the recording ended (stopped by %s)\n",
			       names__signal(l->stop_sig));
		return;
	case LIFE_END_RUNNING:
		line(pr, end_ts, "end");
		outbuf__puts(ob, "still running when the recording ended\n");
		return;
	}
}

static void child_text(const struct printer *pr, const struct life_child *c)
{
	struct outbuf *ob = pr->ob;
	char tbuf[WALLCLOCK_HMS_MAX];
	size_t start;

	outbuf__puts(ob, "  ");
	start = ob->len;
	outbuf__printf(ob, "%u", c->pid);
	pad(ob, start, 8);
	if (c->data)
		argv_text(ob, c->data + c->args_off, c->args_len, c->truncated);
	else
		escape__comm_text(ob, c->comm);
	if (!c->execd)
		outbuf__puts(ob, " (no exec)");
	wallclock__hms(pr->wc, c->born_ts, tbuf, sizeof(tbuf));
	outbuf__printf(ob, "  [born %s; ", tbuf);
	if (c->exited) {
		status_text(ob, c->status);
		if (c->exit_ts >= c->start_ns)
			outbuf__printf(ob, " after %.3fs", life__secs(c->start_ns, c->exit_ts));
		if (c->reaped && c->reaper)
			outbuf__printf(ob, ", reaped by %u", c->reaper);
		else if (!c->reaped)
			outbuf__puts(ob, ", not reaped when the recording ended");
	} else {
		outbuf__puts(ob, "no exit recorded");
	}
	if (c->adopted_by)
		outbuf__printf(ob, "; orphaned, adopted by %u", c->adopted_by);
	outbuf__puts(ob, "]\n");
}

static void life_text(struct outbuf *ob, const struct life_set *s, size_t i, const struct wallclock *wc,
		      struct ctreg *ct)
{
	const struct life *l = &s->v[i];
	struct printer pr = { .ob = ob, .wc = wc, .l = l, .ct = ct };
	const char *args, *fn;
	__u32 len, fl;

	if (ct && (l->cgroup_id || l->cgroup1_id))
		pr.where = ctreg__subject(ct, l->cgroup_id, l->cgroup1_id);
	outbuf__printf(ob, "pid %u, life %zu of %zu: ", s->pid, i + 1, s->n);
	if (life__argv(l, &args, &len, &fn, &fl))
		argv_text(ob, args, len, false);
	else
		escape__comm_text(ob, l->comm);
	if (pr.where && pr.where->ct) {
		outbuf__puts(ob, "  [");
		ctfmt__tag(ob, pr.where->ct);
		outbuf__putc(ob, ']');
	}
	outbuf__puts(ob, "\nTIME                 AGE  EVENT        DETAILS\n");
	born_text(&pr);
	for (size_t k = 0; k < l->nev; k++)
		event_text(&pr, &l->ev[k]);
	end_text(&pr, s->end_ts);
	if (l->events_left_out)
		outbuf__printf(ob, "(%llu more events not kept: past the memory limits)\n",
			       (unsigned long long)l->events_left_out);
	if (l->nch || l->children_left_out)
		outbuf__printf(ob, "children: %zu\n", l->nch + (size_t)l->children_left_out);
	for (size_t k = 0; k < l->nch; k++)
		child_text(&pr, &l->ch[k]);
	if (l->children_left_out)
		outbuf__printf(ob, "  (%llu more not kept: past the memory limits)\n",
			       (unsigned long long)l->children_left_out);
}

void life_text__print(struct outbuf *ob, const struct life_set *s, const struct wallclock *wc, struct ctreg *ct)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			outbuf__putc(ob, '\n');
		life_text(ob, s, i, wc, ct);
	}
}
