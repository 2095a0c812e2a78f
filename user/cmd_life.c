// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife life PID -r FILE [--json]`: one process's story from a
 * recording, each life of a reused pid apart: born when and by whom, each
 * exec, signals received (from whom, what became of them) and sent, stops
 * and continues, renames, adoption, exit status, who reaped it, its
 * children. The replay goes through live, like every other -r; life.c
 * keeps what concerns the pid, this file prints it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_life.h"
#include "escape.h"
#include "event.h"
#include "life.h"
#include "live.h"
#include "names.h"
#include "options.h"
#include "sigorigin.h"

/* A command line in a title or a children line is cut past this many bytes (the JSON keeps it whole). */
#define ARGV_TEXT_MAX 200
#define PID_MAX_LIMIT 4194304

static void usage(void)
{
	printf("Usage: proclife life PID -r FILE [--json]\n"
	       "One process's story from a recording (make one with 'proclife record -w FILE'): when it\n"
	       "was born and by whom, each exec, signals received (from whom, what became of them) and\n"
	       "sent, stops and continues, renames, adoption, exit status, who reaped it, and its\n"
	       "children. A pid that was reused has one story per life.\n"
	       "  -r, --read FILE      the recording (required: life has no live mode)\n"
	       "      --json           one JSON document: an array of lives\n"
	       "  -h, --help           this help\n");
}

static int on_record(void *ctx, const void *rec)
{
	life__record(ctx, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	life__derived(ctx, d);
}

/* The pid was in the recording's first snapshot: its life began before the recording. */
static int seed(struct life_set *set, const struct model *m)
{
	const struct proc *p = model__find(m, set->pid), *parent;
	struct life_seed s = {};

	if (!p)
		return 0;
	parent = p->ppid ? model__find(m, p->ppid) : NULL;
	s.start_ns = p->start_ns;
	s.ppid = p->ppid;
	s.parent_comm = parent ? parent->comm : NULL;
	memcpy(s.comm, p->comm, PL_COMM_LEN);
	/* The bootstrap's only exec is /proc's cmdline, under an empty filename. */
	if (p->execs) {
		s.cmdline = p->execs->data + p->execs->filename_len;
		s.cmdline_len = p->execs->args_len;
		s.cmdline_truncated = p->execs->truncated;
	}
	s.state = p->state;
	s.status = p->status;
	return life__seed(set, &s);
}

/* ---- text ---- */

struct printer {
	struct outbuf *ob;
	const struct wallclock *wc;
	const struct life *l;
};

static void comm_text(struct outbuf *ob, const char *c)
{
	escape__text(ob, c, strnlen(c, PL_COMM_LEN));
}

static void pid_comm(struct outbuf *ob, __u32 pid, const char *comm)
{
	outbuf__printf(ob, "%u (", pid);
	comm_text(ob, comm);
	outbuf__putc(ob, ')');
}

static void pad(struct outbuf *ob, size_t from, size_t width)
{
	size_t n = ob->len - from;

	do
		outbuf__putc(ob, ' ');
	while (++n < width);
}

static double secs(__u64 from, __u64 to)
{
	return ((double)to - (double)from) / 1e9;
}

/* TIME, AGE (seconds since it started), EVENT; the details follow. */
static void line(const struct printer *pr, __u64 ts, const char *event)
{
	struct outbuf *ob = pr->ob;
	char tbuf[WALLCLOCK_HMS_MAX];
	size_t start = ob->len;

	if (ts) {
		wallclock__hms(pr->wc, ts, tbuf, sizeof(tbuf));
		outbuf__puts(ob, tbuf);
		pad(ob, start, 14);
		outbuf__printf(ob, "%10.3f  ", secs(pr->l->start_ns, ts));
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
	struct exit_status st = exit_status__decode(status);

	if (st.exited)
		outbuf__printf(ob, "exit %d", st.code);
	else
		outbuf__printf(ob, "killed by %s%s", names__signal(st.sig), st.core ? " (core dumped)" : "");
}

static void killer_text(struct outbuf *ob, const struct pl_killer *k)
{
	const char *origin = sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom);

	if (!k->sig)
		return;
	if (origin) {
		outbuf__printf(ob, " [kernel: %s]", origin);
		return;
	}
	outbuf__puts(ob, " from ");
	pid_comm(ob, k->pid, k->comm);
	if (sig__syscall_name(k->syscall))
		outbuf__printf(ob, " [%s]", sig__syscall_name(k->syscall));
}

static void argv_text(struct outbuf *ob, const char *args, __u32 len, bool truncated)
{
	if (escape__argv_text(ob, args, len, ARGV_TEXT_MAX) || truncated)
		outbuf__puts(ob, " ...");
}

static void exec_text(struct outbuf *ob, const struct life_event *e)
{
	const char *d = e->exec.data;

	if (!d) {
		outbuf__puts(ob, "[not kept: memory limit]");
		return;
	}
	escape__text(ob, d, e->exec.filename_len);
	if (e->type == LIFE_EV_EXEC_FAILED) {
		const char *name = names__errno(e->exec.err);

		if (name)
			outbuf__printf(ob, ": %s", name);
		else
			outbuf__printf(ob, ": errno %d", e->exec.err);
		return;
	}
	outbuf__puts(ob, ": ");
	escape__argv_text(ob, d + e->exec.args_off, e->exec.args_len, 0);
	if (e->exec.flags & PL_F_ARGS_TRUNCATED)
		outbuf__printf(ob, " ... [argv truncated at %u of %u bytes]", e->exec.args_len, e->exec.args_size);
	if (e->exec.flags & PL_F_ARGS_UNREADABLE)
		outbuf__puts(ob, " [argv unreadable]");
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
		how_text(ob, g);
	}
	outbuf__puts(ob, ": ");
	outcome_text(ob, g);
	if (e->taken) {
		outbuf__printf(ob, "; taken %.3fs later: ", secs(e->ts, e->taken_ts));
		action_text(ob, g->sig, e->action, e->fatal);
	}
}

static void sent_text(const struct printer *pr, const struct pl_signal *g)
{
	struct outbuf *ob = pr->ob;

	outbuf__puts(ob, g->sig ? names__signal(g->sig) : "0");
	outbuf__puts(ob, " -> ");
	if (g->target_pid)
		pid_comm(ob, g->target_pid, g->target_comm);
	else
		outbuf__printf(ob, "%d", g->target_arg);
	how_text(ob, g);
	outbuf__puts(ob, ": ");
	outcome_text(ob, g);
}

static void reap_text(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;
	const struct pl_reap *r = &e->reap;

	if (r->h.flags & PL_F_REAP_WAIT) {
		outbuf__puts(ob, "reaped by ");
		pid_comm(ob, r->reaper_pid, r->reaper_comm);
	} else if (r->h.flags & PL_F_REAP_AUTO) {
		outbuf__puts(ob, "auto-reaped (no wait)");
	} else {
		outbuf__puts(ob, "released; it had exited before the recording");
		return;
	}
	if (r->exit_ts && r->exit_ts <= e->ts)
		outbuf__printf(ob, ", a zombie for %.3fs", secs(r->exit_ts, e->ts));
}

static void parent_text(struct outbuf *ob, const struct life_event *e)
{
	outbuf__printf(ob, "%u", e->parent.parent);
	if (e->parent.comm_known) {
		outbuf__puts(ob, " (");
		comm_text(ob, e->parent.comm);
		outbuf__putc(ob, ')');
	}
}

static void event_text(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;

	switch (e->type) {
	case LIFE_EV_EXEC:
		line(pr, e->ts, "exec");
		exec_text(ob, e);
		break;
	case LIFE_EV_EXEC_FAILED:
		line(pr, e->ts, "exec_failed");
		exec_text(ob, e);
		break;
	case LIFE_EV_FORK:
		line(pr, e->ts, "fork");
		outbuf__printf(ob, "child %u", e->fork.child);
		break;
	case LIFE_EV_SIG_RECV:
		line(pr, e->ts, "signal");
		received_text(pr, e);
		break;
	case LIFE_EV_SIG_SENT:
		line(pr, e->ts, "sent");
		sent_text(pr, &e->sig);
		break;
	case LIFE_EV_DELIVER:
		line(pr, e->ts, "deliver");
		outbuf__printf(ob, "took %s: ", names__signal(e->deliver.sig));
		action_text(ob, e->deliver.sig, e->deliver.action, e->deliver.h.flags & PL_F_GROUP_EXIT);
		break;
	case LIFE_EV_STOP:
		line(pr, e->ts, "stop");
		outbuf__printf(ob, "stopped by %s", names__signal(e->stop_sig));
		break;
	case LIFE_EV_CONTINUE:
		line(pr, e->ts, "continue");
		outbuf__printf(ob, "continued by %s", names__signal(e->stop_sig));
		break;
	case LIFE_EV_RENAME:
		line(pr, e->ts, "rename");
		comm_text(ob, e->rename.old_comm);
		outbuf__puts(ob, " -> ");
		comm_text(ob, e->rename.new_comm);
		break;
	case LIFE_EV_REPARENT:
		line(pr, e->ts, "orphaned");
		outbuf__printf(ob, "parent %u exited; adopted by ", e->parent.old_parent);
		parent_text(ob, e);
		break;
	case LIFE_EV_ZOMBIE:
		line(pr, e->ts, "zombie");
		if (e->parent.zombie_since)
			outbuf__printf(ob, "a zombie for %.1fs; ", secs(e->parent.zombie_since, e->ts));
		outbuf__puts(ob, "its parent ");
		parent_text(ob, e);
		outbuf__puts(ob, " has not waited");
		break;
	case LIFE_EV_EXIT:
		line(pr, e->ts, "exit");
		status_text(ob, e->exit.status);
		killer_text(ob, &e->exit.killer);
		outbuf__printf(ob, ", after %.3fs", secs(pr->l->start_ns, e->ts));
		if (e->exit.h.flags & PL_F_HAS_CHILDREN)
			outbuf__printf(ob, "; its children go to %u", e->exit.new_parent);
		break;
	case LIFE_EV_REAP:
		line(pr, e->ts, "reap");
		reap_text(pr, e);
		break;
	default:
		return;
	}
	outbuf__putc(ob, '\n');
}

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
	} else {
		line(pr, l->start_ns, "born");
		wallclock__rfc3339(pr->wc, l->start_ns, tbuf, sizeof(tbuf));
		outbuf__printf(ob, "%s (started at %s), ",
			       l->born == LIFE_BORN_BEFORE ? "before the recording" : "its fork was not recorded", tbuf);
		if (!l->ppid)
			outbuf__puts(ob, "no parent");
		else if (l->parent_comm_known) {
			outbuf__puts(ob, "parent ");
			pid_comm(ob, l->ppid, l->parent_comm);
		} else {
			outbuf__printf(ob, "parent %u", l->ppid);
		}
		if (l->cmdline) {
			outbuf__puts(ob, ", running ");
			argv_text(ob, l->cmdline, l->cmdline_len, l->cmdline_truncated);
		}
		if (l->initial_state == PROC_STOPPED)
			outbuf__puts(ob, " (stopped)");
		else if (l->initial_state == PROC_ZOMBIE) {
			outbuf__puts(ob, " (already exited: ");
			status_text(ob, l->status);
			outbuf__putc(ob, ')');
		}
	}
	outbuf__putc(ob, '\n');
}

/* How the story ends when it does not end with a reap. */
static void end_text(const struct printer *pr, __u64 end_ts)
{
	const struct life *l = pr->l;
	struct outbuf *ob = pr->ob;

	if (l->reaped)
		return;
	if (l->ended_unseen) {
		line(pr, 0, "end");
		outbuf__puts(ob, l->exited ? "its reap was not recorded; the pid was reused later\n"
					   : "its end was not recorded; the pid was reused later\n");
		return;
	}
	line(pr, end_ts, "end");
	if (l->exited) {
		outbuf__printf(ob, "still a zombie when the recording ended: its parent %u has not reaped it\n",
			       l->parent);
		return;
	}
	outbuf__puts(ob, "still running when the recording ended");
	if (l->state == PROC_STOPPED)
		outbuf__printf(ob, " (stopped by %s)", names__signal(l->stop_sig));
	outbuf__putc(ob, '\n');
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
		comm_text(ob, c->comm);
	if (!c->execd)
		outbuf__puts(ob, " (no exec)");
	wallclock__hms(pr->wc, c->born_ts, tbuf, sizeof(tbuf));
	outbuf__printf(ob, "  [born %s; ", tbuf);
	if (c->exited) {
		status_text(ob, c->status);
		if (c->exit_ts >= c->start_ns)
			outbuf__printf(ob, " after %.3fs", secs(c->start_ns, c->exit_ts));
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

static void life_text(const struct life_set *s, size_t i, struct outbuf *ob, const struct wallclock *wc)
{
	const struct life *l = &s->v[i];
	struct printer pr = { .ob = ob, .wc = wc, .l = l };
	const char *args, *fn;
	__u32 len, fl;

	if (i)
		outbuf__putc(ob, '\n');
	outbuf__printf(ob, "pid %u, life %zu of %zu: ", s->pid, i + 1, s->n);
	if (life__argv(l, &args, &len, &fn, &fl))
		argv_text(ob, args, len, false);
	else
		comm_text(ob, l->comm);
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

/* ---- JSON ---- */

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

static void kv_comm(struct outbuf *ob, const char *k, const char *c)
{
	key(ob, k);
	escape__json_string(ob, c, strnlen(c, PL_COMM_LEN));
}

/* A name from our own tables (plain ASCII), or null. */
static void kv_name(struct outbuf *ob, const char *k, const char *v)
{
	key(ob, k);
	if (v)
		outbuf__printf(ob, "\"%s\"", v);
	else
		outbuf__puts(ob, "null");
}

static void kv_bool(struct outbuf *ob, const char *k, bool v)
{
	key(ob, k);
	outbuf__puts(ob, v ? "true" : "false");
}

static void kv_pid(struct outbuf *ob, const char *k, __u32 pid)
{
	key(ob, k);
	if (pid)
		outbuf__printf(ob, "%u", pid);
	else
		outbuf__puts(ob, "null");
}

static void kv_secs(struct outbuf *ob, const char *k, __u64 from, __u64 to)
{
	key(ob, k);
	if (from && to)
		outbuf__printf(ob, "%.6f", secs(from, to));
	else
		outbuf__puts(ob, "null");
}

static void status_json(struct outbuf *ob, bool exited, __u32 status)
{
	struct exit_status st = exit_status__decode(status);

	if (!exited) {
		outbuf__puts(ob, ",\"exit_code\":null,\"term_signal\":null,\"core_dumped\":false,\"status\":null");
		return;
	}
	if (st.exited)
		outbuf__printf(ob, ",\"exit_code\":%d,\"term_signal\":null", st.code);
	else
		outbuf__printf(ob, ",\"exit_code\":null,\"term_signal\":%d", st.sig);
	outbuf__printf(ob, ",\"core_dumped\":%s,\"status\":%u", st.core ? "true" : "false", status);
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

	outbuf__printf(ob, ",\"sig\":%d,\"signame\":\"%s\"", g->sig, names__signal(g->sig));
	if (recv) {
		/* The sending task; for a kernel origin, the one the kernel was running for. */
		outbuf__printf(ob, ",\"from\":%u", g->h.pid);
		kv_comm(ob, "from_comm", g->h.comm);
	} else {
		kv_pid(ob, "to", g->target_pid);
		key(ob, "to_comm");
		if (g->target_pid)
			escape__json_string(ob, g->target_comm, strnlen(g->target_comm, PL_COMM_LEN));
		else
			outbuf__puts(ob, "null");
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
	key(ob, "reaper_comm");
	if (r->reaper_pid)
		escape__json_string(ob, r->reaper_comm, strnlen(r->reaper_comm, PL_COMM_LEN));
	else
		outbuf__puts(ob, "null");
	kv_secs(ob, "zombie_s", r->exit_ts && r->exit_ts <= ts ? r->exit_ts : 0, ts);
}

static void exit_json(const struct printer *pr, const struct pl_exit *x, __u64 ts)
{
	struct outbuf *ob = pr->ob;

	status_json(ob, true, x->status);
	killer_json(pr, &x->killer);
	kv_secs(ob, "lifetime_s", pr->l->start_ns, ts);
	kv_pid(ob, "children_to", x->h.flags & PL_F_HAS_CHILDREN ? x->new_parent : 0);
}

static void parent_json(struct outbuf *ob, const char *k, const struct life_event *e)
{
	kv_pid(ob, k, e->parent.parent);
	key(ob, k[0] == 'n' ? "new_parent_comm" : "parent_comm");
	if (e->parent.comm_known)
		escape__json_string(ob, e->parent.comm, strnlen(e->parent.comm, PL_COMM_LEN));
	else
		outbuf__puts(ob, "null");
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

static void born_fields(const struct printer *pr)
{
	const struct life *l = pr->l;
	struct outbuf *ob = pr->ob;
	bool fork = l->born == LIFE_BORN_FORK;

	kv_name(ob, "how", born_how(l));
	kv_pid(ob, "by", fork ? l->forker : 0);
	key(ob, "by_comm");
	if (fork)
		escape__json_string(ob, l->forker_comm, strnlen(l->forker_comm, PL_COMM_LEN));
	else
		outbuf__puts(ob, "null");
	kv_pid(ob, "parent", l->ppid);
	key(ob, "parent_comm");
	if (l->parent_comm_known)
		escape__json_string(ob, l->parent_comm, strnlen(l->parent_comm, PL_COMM_LEN));
	else
		outbuf__puts(ob, "null");
	/* Before the recording: what /proc said then. */
	key(ob, "argv");
	if (l->cmdline)
		escape__argv_json(ob, l->cmdline, l->cmdline_len);
	else
		outbuf__puts(ob, "null");
	kv_name(ob, "state", fork ? "running" : proc_state__name(l->initial_state));
}

static void event_json(const struct printer *pr, const struct life_event *e)
{
	struct outbuf *ob = pr->ob;
	const char *d = e->exec.data;

	switch (e->type) {
	case LIFE_EV_EXEC:
		head_json(pr, "exec", e->ts);
		key(ob, "filename");
		if (d)
			escape__json_string(ob, d, e->exec.filename_len);
		else
			outbuf__puts(ob, "null");
		key(ob, "argv");
		if (d)
			escape__argv_json(ob, d + e->exec.args_off, e->exec.args_len);
		else
			outbuf__puts(ob, "null");
		outbuf__printf(ob, ",\"argc\":%u", e->exec.argc);
		kv_bool(ob, "truncated", !d || (e->exec.flags & (PL_F_ARGS_TRUNCATED | PL_F_ARGS_UNREADABLE)));
		outbuf__printf(ob, ",\"argv_bytes\":%u,\"old_tid\":%u", e->exec.args_size, e->exec.old_tid);
		break;
	case LIFE_EV_EXEC_FAILED:
		head_json(pr, "exec_failed", e->ts);
		key(ob, "filename");
		if (d)
			escape__json_string(ob, d, e->exec.filename_len);
		else
			outbuf__puts(ob, "null");
		kv_name(ob, "error", names__errno(e->exec.err));
		outbuf__printf(ob, ",\"errno\":%d", e->exec.err);
		break;
	case LIFE_EV_FORK:
		head_json(pr, "fork", e->ts);
		outbuf__printf(ob, ",\"child\":%u", e->fork.child);
		break;
	case LIFE_EV_SIG_RECV:
	case LIFE_EV_SIG_SENT:
		head_json(pr, e->type == LIFE_EV_SIG_RECV ? "signal_received" : "signal_sent", e->ts);
		signal_json(pr, e);
		break;
	case LIFE_EV_DELIVER:
		head_json(pr, "deliver", e->ts);
		outbuf__printf(ob, ",\"sig\":%d,\"signame\":\"%s\"", e->deliver.sig, names__signal(e->deliver.sig));
		kv_name(ob, "action", names__sig_action(e->deliver.action));
		kv_name(ob, "default_action",
			e->deliver.action == PL_ACT_DEFAULT ? names__sig_default_action(e->deliver.sig) : NULL);
		kv_bool(ob, "fatal", e->deliver.h.flags & PL_F_GROUP_EXIT);
		break;
	case LIFE_EV_STOP:
	case LIFE_EV_CONTINUE:
		head_json(pr, e->type == LIFE_EV_STOP ? "stop" : "continue", e->ts);
		outbuf__printf(ob, ",\"sig\":%d,\"signame\":\"%s\"", e->stop_sig, names__signal(e->stop_sig));
		break;
	case LIFE_EV_RENAME:
		head_json(pr, "rename", e->ts);
		kv_comm(ob, "old_comm", e->rename.old_comm);
		kv_comm(ob, "new_comm", e->rename.new_comm);
		break;
	case LIFE_EV_REPARENT:
		head_json(pr, "orphaned", e->ts);
		outbuf__printf(ob, ",\"old_parent\":%u", e->parent.old_parent);
		parent_json(ob, "new_parent", e);
		break;
	case LIFE_EV_ZOMBIE:
		head_json(pr, "zombie", e->ts);
		kv_secs(ob, "zombie_for_s", e->parent.zombie_since, e->ts);
		parent_json(ob, "parent", e);
		break;
	case LIFE_EV_EXIT:
		head_json(pr, "exit", e->ts);
		exit_json(pr, &e->exit, e->ts);
		break;
	case LIFE_EV_REAP:
		head_json(pr, "reap", e->ts);
		reap_json(pr, &e->reap, e->ts);
		break;
	default:
		return;
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

static const char *end_state(const struct life *l)
{
	if (l->reaped)
		return "reaped";
	if (l->ended_unseen)
		return "unknown";
	if (l->exited)
		return "zombie";
	return l->state == PROC_STOPPED ? "stopped" : "running";
}

static void child_json(const struct printer *pr, const struct life_child *c)
{
	struct outbuf *ob = pr->ob;

	outbuf__printf(ob, "{\"pid\":%u", c->pid);
	kv_time(pr, "born", c->born_ts);
	kv_comm(ob, "comm", c->comm);
	key(ob, "filename");
	if (c->data)
		escape__json_string(ob, c->data, c->filename_len);
	else
		outbuf__puts(ob, "null");
	key(ob, "argv");
	if (c->data)
		escape__argv_json(ob, c->data + c->args_off, c->args_len);
	else
		outbuf__puts(ob, "null");
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

static void life_json(const struct life_set *s, size_t i, struct outbuf *ob, const struct wallclock *wc)
{
	const struct life *l = &s->v[i];
	struct printer pr = { .ob = ob, .wc = wc, .l = l };
	const struct life_event *x = last_of(l, LIFE_EV_EXIT), *r = last_of(l, LIFE_EV_REAP);
	const char *args, *fn;
	__u32 len, fl;
	bool argv = life__argv(l, &args, &len, &fn, &fl);

	outbuf__printf(ob, "%s{\"pid\":%u,\"life\":%zu", i ? "," : "", s->pid, i + 1);
	kv_time(&pr, "start_time", l->start_ns);
	kv_bool(ob, "start_exact", !l->start_ticks);
	kv_comm(ob, "comm", l->comm);
	key(ob, "filename");
	if (argv && fn)
		escape__json_string(ob, fn, fl);
	else
		outbuf__puts(ob, "null");
	key(ob, "argv");
	if (argv)
		escape__argv_json(ob, args, len);
	else
		outbuf__puts(ob, "null");
	outbuf__printf(ob, ",\"execs\":%u,\"born\":{\"time\":", l->nr_execs);
	time_json(&pr, l->born == LIFE_BORN_FORK ? l->born_ts : 0);
	born_fields(&pr);
	outbuf__puts(ob, "},\"exit\":");
	if (!l->exited) {
		outbuf__puts(ob, "null");
	} else if (x) {
		outbuf__puts(ob, "{\"time\":");
		time_json(&pr, x->ts);
		exit_json(&pr, &x->exit, x->ts);
		outbuf__putc(ob, '}');
	} else {
		/* Its exit was not seen: the snapshot or the reap gave the status. */
		outbuf__puts(ob, "{\"time\":");
		time_json(&pr, l->exit_ts);
		status_json(ob, true, l->status);
		outbuf__puts(ob, ",\"killed_by\":null");
		kv_secs(ob, "lifetime_s", l->exit_ts ? l->start_ns : 0, l->exit_ts);
		outbuf__puts(ob, ",\"children_to\":null}");
	}
	outbuf__puts(ob, ",\"reap\":");
	if (r) {
		outbuf__puts(ob, "{\"time\":");
		time_json(&pr, r->ts);
		reap_json(&pr, &r->reap, r->ts);
		outbuf__putc(ob, '}');
	} else {
		outbuf__puts(ob, "null");
	}
	kv_bool(ob, "orphaned", l->orphaned);
	kv_pid(ob, "adopted_by", l->adopted_by);
	kv_name(ob, "end_state", end_state(l));
	kv_bool(ob, "alive_at_end", !l->exited && !l->ended_unseen);
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

/* ---- the command ---- */

enum { OPT_JSON = 0x400 };

int life__main(int argc, char **argv)
{
	static const struct option longopts[] = {
		REC_CLI_READ_OPTS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct life_set set = {};
	struct live_config cfg = { .model = true, .record = on_record, .ctx = &set,
				   .model_cfg = { .derived = on_derived, .ctx = &set } };
	struct rec_cli rc = {};
	struct live *l = NULL;
	struct outbuf ob = {};
	bool json = false;
	unsigned long pid;
	char msg[256], *end;
	int c, r, ret = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", longopts, NULL)) != -1) {
		r = rec_cli__option(&rc, c, optarg, msg, sizeof(msg));
		if (r < 0)
			goto usage_error;
		if (r)
			continue;
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			usage();
			return 0;
		case ':':
			snprintf(msg, sizeof(msg), "option '%.32s' needs a value", argv[optind - 1]);
			goto usage_error;
		default:
			snprintf(msg, sizeof(msg), "unknown option '%.32s'", argv[optind - 1]);
			goto usage_error;
		}
	}
	if (optind >= argc) {
		snprintf(msg, sizeof(msg), "needs a PID");
		goto usage_error;
	}
	errno = 0;
	pid = strtoul(argv[optind], &end, 10);
	if (*end || !*argv[optind] || *argv[optind] == '-' || errno || pid == 0 || pid > PID_MAX_LIMIT) {
		snprintf(msg, sizeof(msg), "PID must be a number from 1 to %d, not '%.32s'", PID_MAX_LIMIT, argv[optind]);
		goto usage_error;
	}
	if (optind + 1 < argc) {
		snprintf(msg, sizeof(msg), "unexpected argument '%.32s'", argv[optind + 1]);
		goto usage_error;
	}
	if (!rc.read) {
		snprintf(msg, sizeof(msg), "needs --read FILE: life tells a story from a recording, it has no live mode "
					   "(record one with 'proclife record -w FILE')");
		goto usage_error;
	}

	cfg.replay = rc.read;
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is seen as EPIPE */
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife life: %s\n", msg);
		return 1;
	}
	life__init(&set, pid, live__recording(l)->start_ns);
	if (seed(&set, live__model(l)) < 0) {
		fprintf(stderr, "proclife life: out of memory\n");
		goto cleanup;
	}
	while (!live__done(l))
		live__poll(l, 0);
	life__end(&set, live__time(l));
	r = live__replay_result(l); /* it says what was wrong itself */
	if (!set.n) {
		fprintf(stderr, "proclife life: pid %lu does not appear in %s\n", pid, rc.read);
		goto cleanup;
	}
	if (set.lives_left_out)
		fprintf(stderr, "proclife life: pid %lu had %llu more lives, not shown (past %d)\n", pid,
			(unsigned long long)set.lives_left_out, LIFE_MAX_LIVES);
	if (outbuf__init(&ob, STDOUT_FILENO, 0) < 0) {
		fprintf(stderr, "proclife life: out of memory\n");
		goto cleanup;
	}
	if (json)
		outbuf__putc(&ob, '[');
	for (size_t i = 0; i < set.n; i++) {
		if (json)
			life_json(&set, i, &ob, live__wallclock(l));
		else
			life_text(&set, i, &ob, live__wallclock(l));
	}
	if (json)
		outbuf__puts(&ob, "]\n");
	if (outbuf__flush(&ob) < 0 && ob.err != -EPIPE) {
		fprintf(stderr, "proclife life: writing output: %s\n", strerror(-ob.err));
		goto cleanup;
	}
	ret = r < 0 ? 1 : 0;
cleanup:
	outbuf__free(&ob);
	life__free(&set);
	live__free(l);
	return ret;
usage_error:
	fprintf(stderr, "proclife life: %s (try 'proclife life --help')\n", msg);
	return 2;
}
