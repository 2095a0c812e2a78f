// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * DOT export. Which process a record is about follows the model's rules
 * (and export_perfetto's): (pid, start time) is an identity, a start read
 * from /proc is known to the clock tick, a pid seen with another start is
 * a new process and the old one ended unseen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "event.h"
#include "export_dot.h"
#include "names.h"
#include "procfs.h"

/* About this many bytes of argv in a label. */
#define LABEL_ARGV_MAX 96

enum {
	DF_TICKS = 1 << 0,   /* start_ns from /proc: tick precision */
	DF_KTHREAD = 1 << 1, /* a kernel thread, or forked by one and not exec'd since */
	DF_EXITED = 1 << 2,
	DF_VANISHED = 1 << 3, /* its pid came back with another process: it ended unseen */
};

struct dot_proc {
	__u64 start_ns;
	char *argv;     /* the last argv, escaped text (cut), NUL-terminated; NULL: none known */
	__u32 pid, ppid;
	__u32 id;       /* node p<pid>_<id>; 0: not shown */
	__u32 status;   /* wait status, once exited */
	__u32 adopter;  /* who adopted it; 0: not orphaned */
	__u8 state;     /* enum proc_state */
	__u8 stop_sig;
	__u8 flags;     /* DF_* */
	char comm[PL_COMM_LEN];
};

struct dot {
	struct dot_opts o;
	struct outbuf *ob;
	struct outbuf scratch, line;
	int err;
	__u32 next_id;
	struct dot_proc **tab; /* by pid: open addressing, linear probing */
	size_t tab_cap, tab_n;
};

/* ---- the process table ---- */

static size_t tab_home(__u32 pid, size_t cap)
{
	return (pid * 2654435761u) & (cap - 1);
}

static struct dot_proc **tab_pos(const struct dot *d, __u32 pid)
{
	if (!d->tab_cap)
		return NULL;
	for (size_t i = tab_home(pid, d->tab_cap);; i = (i + 1) & (d->tab_cap - 1))
		if (!d->tab[i] || d->tab[i]->pid == pid)
			return &d->tab[i];
}

static struct dot_proc *tab_find(const struct dot *d, __u32 pid)
{
	struct dot_proc **pp = tab_pos(d, pid);

	return pp ? *pp : NULL;
}

static void tab_put(struct dot *d, struct dot_proc *e)
{
	size_t i = tab_home(e->pid, d->tab_cap);

	while (d->tab[i])
		i = (i + 1) & (d->tab_cap - 1);
	d->tab[i] = e;
}

static int tab_add(struct dot *d, struct dot_proc *e)
{
	if ((d->tab_n + 1) * 2 > d->tab_cap) {
		size_t oc = d->tab_cap, cap = oc ? oc * 2 : 256;
		struct dot_proc **old = d->tab, **nt = calloc(cap, sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		d->tab = nt;
		d->tab_cap = cap;
		for (size_t i = 0; i < oc; i++)
			if (old[i])
				tab_put(d, old[i]);
		free(old);
	}
	tab_put(d, e);
	d->tab_n++;
	return 0;
}

static void tab_del(struct dot *d, struct dot_proc *e)
{
	struct dot_proc **pp = tab_pos(d, e->pid);
	size_t i;

	if (!pp || *pp != e)
		return;
	i = pp - d->tab;
	d->tab[i] = NULL;
	d->tab_n--;
	for (i = (i + 1) & (d->tab_cap - 1); d->tab[i]; i = (i + 1) & (d->tab_cap - 1)) {
		struct dot_proc *m = d->tab[i];

		d->tab[i] = NULL;
		tab_put(d, m);
	}
}

static bool same_identity(const struct dot_proc *e, __u64 start_ns, bool ticks)
{
	if ((e->flags & DF_TICKS) || ticks) {
		__u64 tick = procfs__tick_ns();

		return e->start_ns / tick == start_ns / tick;
	}
	return e->start_ns == start_ns;
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
	outbuf__printf(ob, "p%u_%u", e->pid, e->id);
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

/* "exit 3", "killed by SIGTERM", "killed by SIGSEGV (core)" */
static void exit_text(struct outbuf *ob, __u32 status)
{
	struct exit_status st = exit_status__decode(status);

	if (st.exited)
		outbuf__printf(ob, "exit %d", st.code);
	else
		outbuf__printf(ob, "killed by %s%s", names__signal(st.sig), st.core ? " (core)" : "");
}

/* The node, as its process is now: called once, when it is reaped or at the end. */
static void node(struct dot *d, const struct dot_proc *e)
{
	struct outbuf *ob = d->ob;
	struct exit_status st = exit_status__decode(e->status);
	bool exited = e->flags & DF_EXITED, killed = exited && !st.exited;

	if (!e->id)
		return;
	outbuf__putc(ob, '\t');
	node_id(ob, e);
	outbuf__printf(ob, " [label=\"%u ", e->pid);
	dot__escape(ob, &d->scratch, e->comm, strnlen(e->comm, PL_COMM_LEN));
	if (e->argv) {
		outbuf__puts(ob, "\\n");
		dot_safe(ob, e->argv);
	}
	outbuf__puts(ob, "\\n");
	if (e->flags & DF_VANISHED)
		outbuf__puts(ob, "ended unseen");
	else if (e->state == PROC_REAPED)
		exit_text(ob, e->status);
	else if (e->state == PROC_ZOMBIE) {
		outbuf__puts(ob, "zombie: ");
		exit_text(ob, e->status);
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
	if (e->flags & DF_VANISHED)
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

static bool wanted(const struct dot *d, __u32 pid, const struct dot_proc *parent, bool kthread)
{
	if (d->o.only_pid && pid == d->o.only_pid)
		return true;
	if (kthread && !d->o.kthreads)
		return false;
	if (!d->o.only_pid)
		return true;
	return parent && parent->id;
}

static struct dot_proc *proc_add(struct dot *d, __u32 pid, __u64 start_ns, __u32 ppid, const char *comm,
				 __u8 flags, const struct dot_proc *parent)
{
	struct dot_proc *e = calloc(1, sizeof(*e));

	if (e) {
		e->pid = pid;
		e->start_ns = start_ns;
		e->ppid = ppid;
		e->flags = flags;
		memcpy(e->comm, comm, PL_COMM_LEN);
	}
	if (!e || tab_add(d, e)) {
		free(e);
		d->err = -ENOMEM;
		return NULL;
	}
	if (wanted(d, pid, parent, flags & DF_KTHREAD))
		e->id = ++d->next_id;
	return e;
}

/* Its node, and it is forgotten. */
static void proc_end(struct dot *d, struct dot_proc *e)
{
	node(d, e);
	tab_del(d, e);
	free(e->argv);
	free(e);
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

static struct dot_proc *touch(struct dot *d, const struct pl_hdr *h)
{
	struct dot_proc *e = tab_find(d, h->pid);

	if (e && !same_identity(e, h->start_ns, false)) {
		e->flags |= DF_VANISHED;
		proc_end(d, e);
		e = NULL;
	}
	if (!e) {
		struct dot_proc *parent = h->ppid ? tab_find(d, h->ppid) : NULL;

		e = proc_add(d, h->pid, h->start_ns, h->ppid, h->comm, 0, parent);
		edge(d, parent, e, NULL);
		return e;
	}
	if (e->flags & DF_TICKS) {
		e->start_ns = h->start_ns;
		e->flags &= ~DF_TICKS;
	}
	if (h->tid == h->pid)
		memcpy(e->comm, h->comm, PL_COMM_LEN);
	return e;
}

static struct dot_proc *find_proc(const struct dot *d, const struct proc *p)
{
	struct dot_proc *e = p ? tab_find(d, p->pid) : NULL;

	return e && same_identity(e, p->start_ns, p->flags & PROC_F_START_TICKS) ? e : NULL;
}

/* ---- events ---- */

void dot__existing(struct dot *d, const struct proc *p)
{
	struct dot_proc *parent = p->ppid ? tab_find(d, p->ppid) : NULL, *e;
	const struct proc_exec *x = p->execs;
	__u8 flags = 0;

	if (tab_find(d, p->pid))
		return;
	if (p->flags & PROC_F_START_TICKS)
		flags |= DF_TICKS;
	if (p->flags & PROC_F_KTHREAD)
		flags |= DF_KTHREAD;
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

	if (f->h.flags & PL_F_THREAD)
		return;
	caller = touch(d, &f->h);
	c = tab_find(d, f->child_pid);
	if (c && same_identity(c, f->child_start_ns, false)) {
		/* In the snapshot already: its edge was drawn then. */
		c->start_ns = f->child_start_ns;
		c->flags &= ~DF_TICKS;
		return;
	}
	if (c) {
		c->flags |= DF_VANISHED;
		proc_end(d, c);
	}
	parent = ppid == f->h.pid ? caller : tab_find(d, ppid);
	c = proc_add(d, f->child_pid, f->child_start_ns, ppid, f->h.comm,
		     parent && (parent->flags & DF_KTHREAD) ? DF_KTHREAD : 0, parent);
	if (c)
		edge(d, parent, c, NULL);
}

static void on_exec(struct dot *d, const struct pl_exec *r)
{
	struct dot_proc *e = touch(d, &r->h);

	if (!e)
		return;
	/* A kernel thread's child that runs a program (a usermode helper) is a process now. */
	if ((e->flags & DF_KTHREAD) && !e->id && !d->o.only_pid) {
		e->id = ++d->next_id;
		edge(d, tab_find(d, e->ppid), e, NULL);
	}
	e->flags &= ~DF_KTHREAD;
	memcpy(e->comm, r->h.comm, PL_COMM_LEN);
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
	e->flags |= DF_EXITED;
	e->state = PROC_ZOMBIE;
	e->status = r->status;
}

static void on_reap(struct dot *d, const struct pl_reap *r)
{
	struct dot_proc *e = tab_find(d, r->h.pid);

	if (!e || !same_identity(e, r->h.start_ns, false))
		return;
	if (!(e->flags & DF_EXITED))
		e->status = r->status;
	e->flags |= DF_EXITED;
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
			memcpy(e->comm, ((const struct pl_rename *)rec)->new_comm, PL_COMM_LEN);
		break;
	}
	}
}

void dot__derived(struct dot *d, const struct derived_event *ev)
{
	struct dot_proc *e = find_proc(d, ev->p);

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
		e->ppid = ev->new_parent;
		edge(d, tab_find(d, ev->new_parent), e, "style=dashed, label=\"adopted\"");
		break;
	default:
		break;
	}
}

void dot__resync(struct dot *d, const struct model *m)
{
	struct dot_proc **gone = malloc((d->tab_n + 1) * sizeof(*gone));
	size_t n = 0;

	if (!gone) {
		d->err = -ENOMEM;
		return;
	}
	/* Collected first: ending one moves others in the table. */
	for (size_t i = 0; i < d->tab_cap; i++) {
		struct dot_proc *e = d->tab[i];
		const struct proc *p = e ? model__find(m, e->pid) : NULL;

		if (e && (!p || !same_identity(e, p->start_ns, p->flags & PROC_F_START_TICKS)))
			gone[n++] = e;
	}
	for (size_t i = 0; i < n; i++) {
		gone[i]->flags |= DF_VANISHED;
		proc_end(d, gone[i]);
	}
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
	outbuf__puts(ob, "digraph proclife {\n"
			 "\tgraph [rankdir=LR];\n"
			 "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n");
	*out = d;
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct dot_proc *x = *(const struct dot_proc *const *)a, *y = *(const struct dot_proc *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int dot__finish(struct dot *d)
{
	struct dot_proc **open = malloc((d->tab_n + 1) * sizeof(*open));
	size_t n = 0;

	if (!open)
		return -ENOMEM;
	for (size_t i = 0; i < d->tab_cap; i++)
		if (d->tab[i])
			open[n++] = d->tab[i];
	qsort(open, n, sizeof(*open), by_id);
	for (size_t i = 0; i < n; i++)
		proc_end(d, open[i]);
	free(open);
	outbuf__puts(d->ob, "}\n");
	return d->err;
}

void dot__free(struct dot *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->tab_cap; i++)
		if (d->tab[i]) {
			free(d->tab[i]->argv);
			free(d->tab[i]);
		}
	free(d->tab);
	outbuf__free(&d->scratch);
	outbuf__free(&d->line);
	free(d);
}
