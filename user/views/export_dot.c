// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * DOT export. Which process a record is about is export_procs' to say,
 * with the model's rules (as for export_perfetto): (pid, start time) is an
 * identity, a start read from /proc is known to the clock tick, a pid seen
 * with another start is a new process and the old one ended unseen.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "kernel/event.h"
#include "views/event_fmt.h"
#include "views/export_dot.h"
#include "views/export_procs.h"

/* About this many bytes of argv in a label. */
#define LABEL_ARGV_MAX 96

enum {
	DF_EXITED = EP_F_OWN << 0,
	DF_VANISHED = EP_F_OWN << 1, /* its pid came back with another process: it ended unseen */
};

struct dot_proc {
	struct export_proc proc; /* first: the table's entries are dot_procs */
	char *argv;     /* the last argv, escaped text (cut), NUL-terminated; NULL: none known */
	__u32 id;       /* node p<pid>_<id>; 0: not shown */
	__u32 status;   /* wait status, once exited */
	__u32 adopter;  /* who adopted it; 0: not orphaned */
	__u8 state;     /* enum proc_state */
	__u8 stop_sig;
};

_Static_assert(offsetof(struct dot_proc, proc) == 0, "a table entry is a dot_proc");

struct dot {
	struct dot_opts o;
	struct outbuf *ob;
	struct outbuf scratch, line;
	int err;
	__u32 next_id;
	struct export_procs procs;
};

/* ---- the process table ---- */

/* What the table holds is ours: proc comes first. */
static struct dot_proc *dp(struct export_proc *e)
{
	return (struct dot_proc *)e;
}

static struct dot_proc *find(const struct dot *d, __u32 pid)
{
	return dp(export_procs__find(&d->procs, pid));
}

/* ---- output ---- */

void dot__escape(struct outbuf *ob, struct outbuf *scratch, const char *s, size_t len)
{
	const char *p, *end;

	outbuf__reset(scratch);
	escape__text(scratch, s, len);
	p = outbuf__cstr(scratch);
	end = p + scratch->len;
	/* Terminal-safe now: printable UTF-8. DOT needs only its quote and its escape char escaped. */
	for (const char *run = p; p <= end; p++) {
		if (p == end || *p == '"' || *p == '\\') {
			outbuf__write(ob, run, p - run);
			if (p < end)
				outbuf__write(ob, *p == '"' ? "\\\"" : "\\\\", 2);
			run = p + 1;
		}
	}
}

/* Already escaped text (from escape__*) inside a DOT string. */
static void dot_safe(struct outbuf *ob, const char *s)
{
	for (const char *run = s;; s++) {
		if (!*s || *s == '"' || *s == '\\') {
			outbuf__write(ob, run, s - run);
			if (!*s)
				return;
			outbuf__write(ob, *s == '"' ? "\\\"" : "\\\\", 2);
			run = s + 1;
		}
	}
}

static void node_id(struct outbuf *ob, const struct dot_proc *e)
{
	outbuf__printf(ob, "p%u_%u", e->proc.pid, e->id);
}

static void edge(struct dot *d, const struct dot_proc *from, const struct dot_proc *to, const char *attrs)
{
	if (!from || !from->id || !to->id)
		return;
	outbuf__putc(d->ob, '\t');
	node_id(d->ob, from);
	outbuf__puts(d->ob, " -> ");
	node_id(d->ob, to);
	if (attrs)
		outbuf__printf(d->ob, " [%s]", attrs);
	outbuf__puts(d->ob, ";\n");
}

/* The node, as its process is now: called once, when it is reaped or at the end. */
static void node(struct dot *d, const struct dot_proc *e)
{
	struct outbuf *ob = d->ob;
	bool exited = e->proc.flags & DF_EXITED, killed = exited && exit_status__killed(e->status);

	if (!e->id)
		return;
	outbuf__putc(ob, '\t');
	node_id(ob, e);
	outbuf__printf(ob, " [label=\"%u ", e->proc.pid);
	dot__escape(ob, &d->scratch, e->proc.comm, strnlen(e->proc.comm, PL_COMM_LEN));
	if (e->argv) {
		outbuf__puts(ob, "\\n");
		dot_safe(ob, e->argv);
	}
	outbuf__puts(ob, "\\n");
	if (e->proc.flags & DF_VANISHED)
		outbuf__puts(ob, "ended unseen");
	else if (e->state == PROC_REAPED)
		event_fmt__status_text(ob, e->status, EXIT_TEXT_BRIEF);
	else if (e->state == PROC_ZOMBIE) {
		outbuf__puts(ob, "zombie: ");
		event_fmt__status_text(ob, e->status, EXIT_TEXT_BRIEF);
	} else if (e->state == PROC_STOPPED) {
		outbuf__puts(ob, "stopped");
		if (e->stop_sig)
			outbuf__printf(ob, " by %s", names__signal(e->stop_sig));
	} else {
		outbuf__puts(ob, "running");
	}
	if (e->adopter)
		outbuf__printf(ob, "\\norphaned: adopted by %u", e->adopter);
	outbuf__putc(ob, '"');
	if (e->proc.flags & DF_VANISHED)
		outbuf__puts(ob, ", style=\"dotted\", color=\"grey\"");
	else if (e->state == PROC_REAPED)
		outbuf__printf(ob, ", style=\"dotted\", color=\"%s\"", killed ? "red" : "grey");
	else if (e->state == PROC_ZOMBIE)
		outbuf__puts(ob, ", style=\"filled\", fillcolor=\"grey\", color=\"red\"");
	else if (e->state == PROC_STOPPED)
		outbuf__puts(ob, ", style=\"dashed,filled\", fillcolor=\"yellow\"");
	else
		outbuf__puts(ob, ", style=\"solid\"");
	if (killed)
		outbuf__puts(ob, ", penwidth=2");
	outbuf__puts(ob, "];\n");
}

/* ---- processes ---- */

static struct dot_proc *proc_add(struct dot *d, __u32 pid, __u64 start_ns, __u32 ppid, const char *comm,
				 __u8 flags, const struct dot_proc *parent)
{
	struct dot_proc *e = dp(export_procs__add(&d->procs, sizeof(*e), pid, start_ns, ppid, comm, flags));

	if (!e) {
		d->err = -ENOMEM;
		return NULL;
	}
	if (export_procs__wanted(&d->procs, pid, parent && parent->id, flags & EP_KTHREAD))
		e->id = ++d->next_id;
	return e;
}

/* Its node, and it is forgotten. */
static void proc_end(struct dot *d, struct dot_proc *e)
{
	node(d, e);
	export_procs__del(&d->procs, &e->proc);
	free(e->argv);
	free(e);
}

/* A pid now names another process: the one we knew ended unseen (events were lost). */
static void proc_vanish(struct dot *d, struct dot_proc *e)
{
	e->proc.flags |= DF_VANISHED;
	proc_end(d, e);
}

/* e's label argv, from an argument area. */
static void set_argv(struct dot *d, struct dot_proc *e, const char *args, size_t len, bool truncated)
{
	bool cut;

	free(e->argv);
	e->argv = NULL;
	if (!e->id || !len)
		return;
	outbuf__reset(&d->line);
	cut = escape__argv_text(&d->line, args, len, LABEL_ARGV_MAX);
	if (cut || truncated)
		outbuf__puts(&d->line, " ...");
	if (d->line.err) {
		d->err = d->line.err;
		return;
	}
	e->argv = strdup(outbuf__cstr(&d->line));
	if (!e->argv)
		d->err = -ENOMEM;
}

/* The subject of a record: found, or learnt from the header, as the model does. */
static struct dot_proc *touch(struct dot *d, const struct pl_hdr *h)
{
	struct export_proc *stale;
	struct dot_proc *e = dp(export_procs__touch(&d->procs, h, &stale)), *parent;

	if (stale)
		proc_vanish(d, dp(stale));
	if (e)
		return e;
	parent = h->ppid ? find(d, h->ppid) : NULL;
	e = proc_add(d, h->pid, h->start_ns, h->ppid, h->comm, 0, parent);
	edge(d, parent, e, NULL);
	return e;
}

/* ---- events ---- */

void dot__existing(struct dot *d, const struct proc *p)
{
	struct dot_proc *parent = p->ppid ? find(d, p->ppid) : NULL, *e;
	const struct proc_exec *x = p->execs;
	__u8 flags = export_proc__flags_of(p);

	if (find(d, p->pid))
		return;
	if (p->state == PROC_ZOMBIE || p->state == PROC_REAPED)
		flags |= DF_EXITED;
	e = proc_add(d, p->pid, p->start_ns, p->ppid, p->comm, flags, parent);
	if (!e)
		return;
	e->state = p->state == PROC_REAPED ? PROC_ZOMBIE : p->state;
	e->status = p->status;
	e->stop_sig = p->stop_sig;
	if (x)
		set_argv(d, e, x->data + x->filename_len, x->args_len, x->truncated);
	edge(d, parent, e, NULL);
}

static void on_fork(struct dot *d, const struct pl_fork *f)
{
	__u32 ppid = f->child_ppid ? f->child_ppid : f->h.pid;
	struct dot_proc *caller, *parent, *c;
	struct export_proc *stale;

	if (f->h.flags & PL_F_THREAD)
		return;
	caller = touch(d, &f->h);
	/* In the snapshot already: its edge was drawn then. */
	if (export_procs__match(&d->procs, f->child_pid, f->child_start_ns, &stale))
		return;
	if (stale)
		proc_vanish(d, dp(stale));
	parent = ppid == f->h.pid ? caller : find(d, ppid);
	c = proc_add(d, f->child_pid, f->child_start_ns, ppid, f->h.comm,
		     parent && (parent->proc.flags & EP_KTHREAD) ? EP_KTHREAD : 0, parent);
	if (c)
		edge(d, parent, c, NULL);
}

static void on_exec(struct dot *d, const struct pl_exec *r)
{
	struct dot_proc *e = touch(d, &r->h);

	if (!e)
		return;
	/* A kernel thread's child that runs a program (a usermode helper) is a process now. */
	if ((e->proc.flags & EP_KTHREAD) && !e->id && !d->o.only_pid) {
		e->id = ++d->next_id;
		edge(d, find(d, e->proc.ppid), e, NULL);
	}
	e->proc.flags &= ~EP_KTHREAD;
	memcpy(e->proc.comm, r->h.comm, PL_COMM_LEN);
	if (r->h.flags & PL_F_ARGS_UNREADABLE) {
		free(e->argv);
		e->argv = NULL;
	} else {
		set_argv(d, e, r->data + r->filename_len, r->args_len, r->h.flags & PL_F_ARGS_TRUNCATED);
	}
}

static void on_proc_exit(struct dot *d, const struct pl_exit *r)
{
	struct dot_proc *e;

	if (r->h.flags & PL_F_THREAD)
		return;
	e = touch(d, &r->h);
	if (!e)
		return;
	e->proc.flags |= DF_EXITED;
	e->state = PROC_ZOMBIE;
	e->status = r->status;
}

static void on_reap(struct dot *d, const struct pl_reap *r)
{
	struct dot_proc *e = dp(export_procs__get(&d->procs, r->h.pid, r->h.start_ns));

	if (!e)
		return;
	if (!(e->proc.flags & DF_EXITED))
		e->status = r->status;
	e->proc.flags |= DF_EXITED;
	e->state = PROC_REAPED;
	proc_end(d, e);
}

void dot__record(struct dot *d, const void *rec)
{
	const struct pl_hdr *h = rec;

	switch (h->type) {
	case PL_EV_FORK:
		on_fork(d, rec);
		break;
	case PL_EV_EXEC:
		on_exec(d, rec);
		break;
	case PL_EV_EXIT:
		on_proc_exit(d, rec);
		break;
	case PL_EV_REAP:
		on_reap(d, rec);
		break;
	case PL_EV_EXEC_FAILED:
	case PL_EV_SIGNAL:
	case PL_EV_DELIVER:
		if (h->pid)
			touch(d, h);
		break;
	case PL_EV_RENAME: {
		struct dot_proc *e = touch(d, h);

		if (e)
			memcpy(e->proc.comm, ((const struct pl_rename *)rec)->new_comm, PL_COMM_LEN);
		break;
	}
	}
}

void dot__derived(struct dot *d, const struct derived_event *ev)
{
	struct dot_proc *e = dp(export_procs__of(&d->procs, ev->p));

	if (!e)
		return;
	switch (ev->type) {
	case DV_STOP:
		e->state = PROC_STOPPED;
		e->stop_sig = ev->sig;
		break;
	case DV_CONTINUE:
		e->state = PROC_CONTINUED;
		break;
	case DV_REPARENT:
		e->adopter = ev->new_parent;
		e->proc.ppid = ev->new_parent;
		edge(d, find(d, ev->new_parent), e, "style=dashed, label=\"adopted\"");
		break;
	default:
		break;
	}
}

void dot__resync(struct dot *d, const struct model *m)
{
	size_t n;
	struct export_proc **gone = export_procs__gone(&d->procs, m, &n);

	if (!gone) {
		d->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++)
		proc_vanish(d, dp(gone[i]));
	free(gone);
}

/* ---- the graph ---- */

int dot__new(struct outbuf *ob, const struct dot_opts *o, struct dot **out)
{
	struct dot *d = calloc(1, sizeof(*d));

	if (!d || outbuf__init(&d->scratch, -1, 256) < 0 || outbuf__init(&d->line, -1, 256) < 0) {
		if (d)
			outbuf__free(&d->scratch);
		free(d);
		return -ENOMEM;
	}
	d->o = *o;
	d->ob = ob;
	export_procs__init(&d->procs, o->only_pid, o->kthreads);
	outbuf__puts(ob, "digraph proclife {\n"
			 "\tgraph [rankdir=LR];\n"
			 "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n");
	*out = d;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct dot_proc *x = dp(*(struct export_proc *const *)a), *y = dp(*(struct export_proc *const *)b);

	return x->id < y->id ? -1 : x->id > y->id;
}

int dot__finish(struct dot *d)
{
	size_t n;
	struct export_proc **open = export_procs__list(&d->procs, &n);

	if (!open)
		return -ENOMEM;
	qsort(open, n, sizeof(*open), by_id);
	for (size_t i = 0; i < n; i++)
		proc_end(d, dp(open[i]));
	free(open);
	outbuf__puts(d->ob, "}\n");
	return d->err;
}

static void proc_free(struct export_proc *e)
{
	free(dp(e)->argv);
	free(e);
}

void dot__free(struct dot *d)
{
	if (!d)
		return;
	export_procs__free(&d->procs, proc_free);
	outbuf__free(&d->scratch);
	outbuf__free(&d->line);
	free(d);
}
