// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "base/vec.h"
#include "kernel/event.h"
#include "kernel/procfs.h"
#include "kernel/sigorigin.h"
#include "views/ctfmt.h"
#include "views/event_fmt.h"
#include "views/json.h"
#include "views/run_summary.h"
#include "views/usage_fmt.h"

void run_summary__init(struct run_summary *s, __u32 root_pid)
{
	*s = (struct run_summary){ .root_pid = root_pid };
}

/* The current life of pid: the newest entry with that pid. */
static struct run_proc *find(struct run_summary *s, __u32 pid)
{
	for (size_t i = s->n; i-- > 0;)
		if (s->v[i].pid == pid)
			return &s->v[i];
	return NULL;
}

static struct run_proc *add(struct run_summary *s, __u32 pid, __u64 start, __u32 ppid, const char *comm)
{
	struct run_proc p = { .pid = pid, .start_ns = start, .ppid = ppid };
	struct run_proc *parent = find(s, ppid);

	if (parent)
		p.parent = parent - s->v + 1;
	memcpy(p.comm, comm, PL_COMM_LEN);
	if (!VEC_PUSH(s->v, s->n, s->cap, p))
		return NULL;
	return &s->v[s->n - 1];
}

/* The subject of an event: known, or (its fork was before us: the root) learnt now. */
static struct run_proc *subject(struct run_summary *s, const struct pl_hdr *h)
{
	struct run_proc *p = find(s, h->pid);

	if (!p || p->start_ns != h->start_ns)
		p = add(s, h->pid, h->start_ns, h->ppid, h->comm);
	if (p) {
		p->cgroup_id = h->cgroup_id;
		if (!(h->flags & PL_F_NO_IDENTITY))
			p->cgroup1_id = h->cgroup1_id;
	}
	return p;
}

/* The container of p, or NULL. */
static const struct ct_ref *container(const struct run_summary *s, const struct run_proc *p)
{
	const struct ct_subject *cs = s->ct && p ? ctreg__subject(s->ct, p->cgroup_id, p->cgroup1_id) : NULL;

	return cs ? cs->ct : NULL;
}

/* "  [docker pltest 451466daa4e1]" where the tree enters a container. */
static void container_text(const struct run_summary *s, struct outbuf *ob, const struct run_proc *p)
{
	const struct ct_ref *ct = container(s, p);

	if (!ct || ct == container(s, p->parent ? &s->v[p->parent - 1] : NULL))
		return;
	outbuf__puts(ob, "  [");
	ctfmt__tag(ob, ct);
	outbuf__putc(ob, ']');
}

static void apply_fork(struct run_summary *s, const struct pl_fork *e)
{
	const struct pl_hdr *h = &e->h;
	struct run_proc *c;

	if (h->flags & PL_F_THREAD)
		return;
	subject(s, h);
	c = add(s, e->child_pid, e->child_start_ns, e->child_ppid ? e->child_ppid : h->pid, h->comm);
	if (c) {
		c->id = ident__of_hdr(h); /* who its parent was, as it forked */
		/* born where its parent is */
		c->cgroup_id = h->cgroup_id;
		c->cgroup1_id = h->flags & PL_F_NO_IDENTITY ? 0 : h->cgroup1_id;
	}
}

/* What it runs now: the last exec's filename and argv (copied: the record goes). */
static void apply_exec(struct run_summary *s, const struct pl_exec *e)
{
	const struct pl_hdr *h = &e->h;
	struct run_proc *p = subject(s, h);
	size_t fl;
	const char *fn = event__filename(e, &fl);

	if (!p)
		return;
	free(p->filename);
	free(p->args);
	p->filename = strndup(fn, fl);
	p->args = malloc(e->args_len ? e->args_len : 1);
	if (p->args)
		memcpy(p->args, e->data + e->filename_len, e->args_len);
	p->args_len = p->args ? e->args_len : 0;
	if (!p->nr_execs++)
		p->first_exec_ts = h->ts;
	memcpy(p->comm, h->comm, PL_COMM_LEN);
}

/* p exited leaving living children: new_parent adopted them. */
static void adopt_children(struct run_summary *s, const struct run_proc *p, __u32 new_parent)
{
	size_t me = p - s->v + 1;

	for (size_t i = 0; i < s->n; i++) {
		struct run_proc *c = &s->v[i];

		if (c->parent == me && !c->exited && c->ppid == p->pid) {
			c->adopted_by = new_parent;
			c->ppid = new_parent;
		}
	}
}

static void apply_exit(struct run_summary *s, const struct pl_exit *e)
{
	const struct pl_hdr *h = &e->h;
	struct run_proc *p;

	if (h->flags & PL_F_THREAD)
		return;
	p = subject(s, h);
	if (!p)
		return;
	p->exited = true;
	p->exit_ts = h->ts;
	p->status = e->status;
	p->killer = e->killer;
	p->has_usage = usage__of(e) != NULL;
	if (p->has_usage)
		usage__decode(usage__of(e), &p->usage);
	if ((h->flags & PL_F_HAS_CHILDREN) && e->new_parent)
		adopt_children(s, p, e->new_parent);
}

static void apply_reap(struct run_summary *s, const struct pl_reap *e)
{
	struct run_proc *p = find(s, e->h.pid);

	if (!p || p->start_ns != e->h.start_ns)
		return;
	p->reaped = true;
	if (e->h.flags & PL_F_REAP_WAIT)
		p->reaped_by = e->reaper_pid;
}

/* Signals that reached someone: sent by a process of ours (by a syscall), received by one. */
static void apply_signal(struct run_summary *s, const struct pl_signal *e)
{
	struct run_proc *p, *t;

	if (e->result == PL_SIG_FAILED || e->result == PL_SIG_PROBE)
		return;
	p = e->h.pid ? find(s, e->h.pid) : NULL;
	if (p && e->syscall != PL_SYS_NONE)
		p->signals_sent++;
	t = find(s, e->target_pid);
	if (t)
		t->signals_received++;
}

/* Who the subject is now, as its own event says (an exec's or a cred event's thread speaks for it too). */
static void learn_identity(struct run_summary *s, const struct pl_hdr *h)
{
	struct run_proc *p = find(s, h->pid);

	if (!p || p->start_ns != h->start_ns ||
	    (h->tid != h->pid && h->type != PL_EV_EXEC && h->type != PL_EV_CRED))
		return;
	p->id = ident__of_hdr(h);
	if (h->type == PL_EV_EXEC) {
		p->setid_known = !(h->flags & PL_F_NO_IDENTITY);
		p->setid = h->flags & PL_F_SETID;
	}
}

void run_summary__apply(struct run_summary *s, const void *rec)
{
	const struct pl_hdr *h = rec;
	struct run_proc *p;

	switch (h->type) {
	case PL_EV_FORK:
		apply_fork(s, rec);
		break;
	case PL_EV_EXEC:
		apply_exec(s, rec);
		break;
	case PL_EV_EXIT:
		apply_exit(s, rec);
		break;
	case PL_EV_REAP:
		apply_reap(s, rec);
		break;
	case PL_EV_SIGNAL:
		apply_signal(s, rec);
		break;
	case PL_EV_RENAME:
		p = subject(s, h);
		if (p)
			memcpy(p->comm, ((const struct pl_rename *)rec)->new_comm, PL_COMM_LEN);
		break;
	}
	learn_identity(s, h);
}

size_t run_summary__alive(const struct run_summary *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += !s->v[i].exited;
	return n;
}

static bool same_life(const struct run_proc *p, const struct proc_snapshot *snap)
{
	/* /proc's start time has clock-tick precision. */
	return snap->pid == p->pid && snap->start_ns / procfs__tick_ns() == p->start_ns / procfs__tick_ns();
}

int run_summary__set_final(struct run_summary *s, const struct proc_snapshot *v, size_t n)
{
	free(s->final);
	s->final = NULL;
	s->nfinal = 0;
	for (size_t i = 0; i < n; i++) {
		const struct run_proc *p = find(s, v[i].pid);
		size_t cap = s->nfinal; /* grown one at a time: leftovers are few */
		struct proc_snapshot e = v[i];

		if (!p || !same_life(p, &v[i]))
			continue;
		e.cmdline = NULL;
		e.cmdline_len = 0;
		if (!VEC_PUSH(s->final, s->nfinal, cap, e))
			return -ENOMEM;
	}
	if (!s->final) /* known and empty: nothing was left */
		s->final = calloc(1, sizeof(*s->final));
	return s->final ? 0 : -ENOMEM;
}

/* What /proc (or the final scan) says of p: 'Z' zombie, 'R' (or any state) alive, 0 gone (or another life). */
static char proc_state(const struct run_summary *s, const struct run_proc *p, const char *proc_root)
{
	char path[64], buf[1024];
	struct proc_snapshot snap;
	FILE *f;
	size_t n;

	if (s->final) {
		for (size_t i = 0; i < s->nfinal; i++)
			if (same_life(p, &s->final[i]))
				return s->final[i].state;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, p->pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (procfs__parse_stat(buf, &snap) || !same_life(p, &snap))
		return 0;
	return snap.state;
}

/* For people: a long command line (a linker's, say) is cut; the JSON summary keeps it whole. */
#define SUMMARY_ARGV_MAX 160

static void argv_text(struct outbuf *ob, const struct run_proc *p)
{
	if (!p->args || !p->args_len)
		escape__text(ob, p->comm, strnlen(p->comm, PL_COMM_LEN));
	else if (escape__argv_text(ob, p->args, p->args_len, SUMMARY_ARGV_MAX))
		outbuf__puts(ob, " ...");
}

static void status_text(const struct run_summary *s, struct outbuf *ob, const struct run_proc *p,
			const char *proc_root)
{
	const struct pl_killer *k = &p->killer;

	if (!p->exited) {
		outbuf__puts(ob, proc_state(s, p, proc_root) ? "still running" : "gone (exit not seen)");
		return;
	}
	event_fmt__status_text(ob, p->status, EXIT_TEXT_FULL);
	/* Who killed it, without the syscall: a summary line is long enough. */
	if (exit_status__killed(p->status) && k->sig) {
		const char *origin = sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom);

		if (origin) {
			outbuf__printf(ob, " [kernel: %s]", origin);
		} else {
			outbuf__printf(ob, " from %u (", k->pid);
			escape__comm_text(ob, k->comm);
			outbuf__putc(ob, ')');
		}
	}
	if (!p->reaped)
		outbuf__puts(ob, ", not reaped (zombie)");
}

/* How long it lived; CMD itself from its exec, as before that it waited for proclife. */
static double duration_s(const struct run_summary *s, const struct run_proc *p, __u64 now)
{
	__u64 end = p->exited ? p->exit_ts : now;
	__u64 start = p->pid == s->root_pid && !p->parent && p->first_exec_ts ? p->first_exec_ts : p->start_ns;

	return end > start ? (end - start) / 1e9 : 0.0;
}

/*
 * Storage I/O of p alone: /proc/PID/io counts the children it waited for
 * too, so theirs (as their exits said) comes off.
 */
static void self_io(const struct run_summary *s, const struct run_proc *p, __u64 *rd, __u64 *wr)
{
	size_t me = p - s->v + 1;

	*rd = p->usage.io.read_bytes;
	*wr = p->usage.io.write_bytes;
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *c = &s->v[i];

		if (c->parent != me || !c->has_usage || c->reaped_by != p->pid)
			continue;
		*rd -= *rd > c->usage.io.read_bytes ? c->usage.io.read_bytes : *rd;
		*wr -= *wr > c->usage.io.write_bytes ? c->usage.io.write_bytes : *wr;
	}
}

/* time -v for one process: user and system time, the most memory, storage I/O; the process alone. */
static void usage_text(const struct run_summary *s, struct outbuf *ob, const struct run_proc *p)
{
	__u64 rd, wr;

	if (!p->has_usage)
		return;
	outbuf__puts(ob, "  user ");
	usage_fmt__secs(ob, p->usage.self_utime_ns);
	outbuf__puts(ob, " sys ");
	usage_fmt__secs(ob, p->usage.self_stime_ns);
	outbuf__puts(ob, " rss ");
	usage_fmt__bytes(ob, p->usage.self.maxrss_kb * 1024);
	if (p->usage.io.bytes) {
		self_io(s, p, &rd, &wr);
		outbuf__puts(ob, " io r ");
		usage_fmt__bytes(ob, rd);
		outbuf__puts(ob, " w ");
		usage_fmt__bytes(ob, wr);
	}
}

struct run_totals {
	size_t with_usage;
	__u64 cpu_ns, utime_ns, stime_ns;
	struct ru self;          /* sums of the processes' self values; maxrss_kb the largest */
	const struct run_proc *maxrss_proc;
	__u64 read_bytes, write_bytes;
	bool io;
};

/* The tree's totals: sums of each process alone (self), so nothing is counted twice. */
static void totals(const struct run_summary *s, struct run_totals *t)
{
	*t = (struct run_totals){};
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];
		const struct ru *r = &p->usage.self;
		__u64 rd, wr;

		if (!p->has_usage)
			continue;
		t->with_usage++;
		t->cpu_ns += p->usage.cpu_ns;
		t->utime_ns += p->usage.self_utime_ns;
		t->stime_ns += p->usage.self_stime_ns;
		t->self.utime_us += r->utime_us;
		t->self.stime_us += r->stime_us;
		t->self.minflt += r->minflt;
		t->self.majflt += r->majflt;
		t->self.nvcsw += r->nvcsw;
		t->self.nivcsw += r->nivcsw;
		t->self.inblock += r->inblock;
		t->self.oublock += r->oublock;
		if (!t->maxrss_proc || r->maxrss_kb > t->self.maxrss_kb) {
			t->self.maxrss_kb = r->maxrss_kb;
			t->maxrss_proc = p;
		}
		if (p->usage.io.bytes) {
			self_io(s, p, &rd, &wr);
			t->read_bytes += rd;
			t->write_bytes += wr;
			t->io = true;
		}
	}
}

#define RUN_TOP 5

static __u64 key_cpu(const struct run_proc *p)
{
	return p->usage.cpu_ns;
}

static __u64 key_rss(const struct run_proc *p)
{
	return p->usage.self.maxrss_kb;
}

/* The RUN_TOP largest by key among those with usage, largest first (ties: the earlier). Count. */
static size_t top_by(const struct run_summary *s, __u64 (*key)(const struct run_proc *),
		     const struct run_proc *out[RUN_TOP])
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];
		size_t j;

		if (!p->has_usage)
			continue;
		for (j = n; j > 0 && key(out[j - 1]) < key(p); j--)
			if (j < RUN_TOP)
				out[j] = out[j - 1];
		if (j < RUN_TOP) {
			out[j] = p;
			if (n < RUN_TOP)
				n++;
		}
	}
	return n;
}

/* "most CPU: 1240 cc1 1.20s, ...": the largest by key, each with its value. */
static void top_text(const struct run_summary *s, struct outbuf *ob, const char *title,
		     __u64 (*key)(const struct run_proc *))
{
	const struct run_proc *top[RUN_TOP];
	size_t n = top_by(s, key, top);

	outbuf__puts(ob, title);
	for (size_t i = 0; i < n; i++) {
		outbuf__printf(ob, "%s %u ", i ? "," : "", top[i]->pid);
		escape__text(ob, top[i]->comm, strnlen(top[i]->comm, PL_COMM_LEN));
		outbuf__putc(ob, ' ');
		if (key == key_cpu)
			usage_fmt__secs(ob, key(top[i]));
		else
			usage_fmt__bytes(ob, key(top[i]) * 1024);
	}
	outbuf__putc(ob, '\n');
}

static void totals_text(const struct run_summary *s, struct outbuf *ob)
{
	struct run_totals t;

	totals(s, &t);
	if (!t.with_usage)
		return;
	outbuf__printf(ob, "used in all (%zu processes", t.with_usage);
	if (t.with_usage < s->n)
		outbuf__printf(ob, "; %zu more still running or their exit not seen", s->n - t.with_usage);
	outbuf__puts(ob, "): CPU ");
	usage_fmt__secs(ob, t.cpu_ns);
	outbuf__puts(ob, " (user ");
	usage_fmt__secs(ob, t.utime_ns);
	outbuf__puts(ob, ", system ");
	usage_fmt__secs(ob, t.stime_ns);
	outbuf__puts(ob, "), largest RSS ");
	usage_fmt__bytes(ob, t.self.maxrss_kb * 1024);
	outbuf__printf(ob, " (%u ", t.maxrss_proc->pid);
	escape__text(ob, t.maxrss_proc->comm, strnlen(t.maxrss_proc->comm, PL_COMM_LEN));
	outbuf__printf(ob, "), page faults %llu (major %llu)", (unsigned long long)(t.self.minflt + t.self.majflt),
		       (unsigned long long)t.self.majflt);
	if (t.io) {
		outbuf__puts(ob, ", storage read ");
		usage_fmt__bytes(ob, t.read_bytes);
		outbuf__puts(ob, " written ");
		usage_fmt__bytes(ob, t.write_bytes);
	}
	outbuf__putc(ob, '\n');
	top_text(s, ob, "most CPU:", key_cpu);
	top_text(s, ob, "most memory:", key_rss);
}

/* Depth-first from index i (its children are those whose parent is i + 1), iteratively. */
static void tree_text(const struct run_summary *s, struct outbuf *ob, __u64 now, const char *proc_root)
{
	size_t *stack = NULL, n = 0, cap = 0;
	unsigned *depth = NULL;
	size_t dn = 0, dcap = 0;

	for (size_t i = s->n; i-- > 0;) {
		if (!s->v[i].parent) {
			VEC_PUSH(stack, n, cap, i);
			VEC_PUSH(depth, dn, dcap, 0u);
		}
	}
	while (n) {
		size_t i = stack[--n];
		unsigned d = depth[--dn];
		const struct run_proc *p = &s->v[i];
		char dur[32];

		for (unsigned k = 0; k < d; k++)
			outbuf__puts(ob, "  ");
		snprintf(dur, sizeof(dur), "%.3fs", duration_s(s, p, now));
		outbuf__printf(ob, "%u ", p->pid);
		argv_text(ob, p);
		container_text(s, ob, p);
		outbuf__printf(ob, "  [%s] ", dur);
		status_text(s, ob, p, proc_root);
		if (p->signals_sent || p->signals_received)
			outbuf__printf(ob, "; signals sent %u, received %u", p->signals_sent, p->signals_received);
		if (p->adopted_by)
			outbuf__printf(ob, "; orphaned, adopted by %u", p->adopted_by);
		usage_text(s, ob, p);
		outbuf__putc(ob, '\n');
		for (size_t c = s->n; c-- > 0;) {
			if (s->v[c].parent == i + 1) {
				VEC_PUSH(stack, n, cap, c);
				VEC_PUSH(depth, dn, dcap, d + 1);
			}
		}
	}
	free(stack);
	free(depth);
}

void run_summary__text(const struct run_summary *s, struct outbuf *ob, const struct wallclock *wc, __u64 now,
		       const char *proc_root)
{
	size_t running = 0, zombies = 0, orphans = 0;

	outbuf__printf(ob, "proclife run: %zu processes ran\n", s->n);
	tree_text(s, ob, now, proc_root);
	totals_text(s, ob);
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];
		char st = proc_state(s, p, proc_root);

		if (!st)
			continue;
		if (st == 'Z' || (p->exited && !p->reaped)) {
			if (!zombies++)
				outbuf__puts(ob, "left behind, zombies:\n");
			outbuf__printf(ob, "  %u ", p->pid);
			argv_text(ob, p);
			outbuf__printf(ob, " (parent %u has not reaped it)\n", p->ppid);
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];
		char st = proc_state(s, p, proc_root);

		if (!st || st == 'Z' || p->exited)
			continue;
		if (!running++)
			outbuf__puts(ob, "left behind, still running:\n");
		outbuf__printf(ob, "  %u ", p->pid);
		argv_text(ob, p);
		if (p->adopted_by) {
			outbuf__printf(ob, " (orphaned, adopted by %u)", p->adopted_by);
			orphans++;
		}
		outbuf__putc(ob, '\n');
	}
	if (!running && !zombies)
		outbuf__puts(ob, "left behind: nothing\n");
	(void)orphans;
	(void)wc;
}

static void kv_time(struct json *j, const struct wallclock *wc, const char *key, __u64 ts)
{
	char buf[WALLCLOCK_RFC3339_MAX];

	json__key(j, key);
	if (!ts) {
		json__null(j);
		return;
	}
	wallclock__rfc3339(wc, ts, buf, sizeof(buf));
	json__cstr(j, buf);
}

/* "killed_by": who sent its fatal signal, or null. */
static void killer_json(struct json *j, const struct run_proc *p)
{
	const struct pl_killer *k = &p->killer;

	json__key(j, "killed_by");
	if (!p->exited || !exit_status__killed(p->status) || !k->sig) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	json__kv_i64(j, "sig", k->sig);
	json__kv_cstr(j, "signame", names__signal(k->sig));
	json__kv_cstr(j, "origin", sig__origin(k->sig, k->info_code, k->info_kind, k->syscall, k->oom));
	json__kv_u64(j, "pid", k->pid);
	json__kv_comm(j, "comm", k->comm);
	json__end_object(j);
}

/* What it used, as its exit event says; self_io: its storage I/O without the children it reaped. */
static void usage_json(const struct run_summary *s, struct json *j, const struct run_proc *p)
{
	__u64 rd, wr;

	usage_fmt__json_fields(j, p->has_usage ? &p->usage : NULL);
	json__key(j, "self_io");
	if (!p->has_usage || !p->usage.io.bytes) {
		json__null(j);
		return;
	}
	self_io(s, p, &rd, &wr);
	json__begin_object(j);
	json__kv_u64(j, "read_bytes", rd);
	json__kv_u64(j, "write_bytes", wr);
	json__end_object(j);
}

/* The fields of one process, without its children. */
static void json_proc(const struct run_summary *s, const struct run_proc *p, struct json *j,
		      const struct wallclock *wc, __u64 now, const char *proc_root)
{
	char state = proc_state(s, p, proc_root);

	json__kv_u64(j, "pid", p->pid);
	json__kv_u64(j, "ppid", p->ppid);
	json__kv_u64(j, "uid", p->id.uid);
	identity_fmt__json_fields(j, &p->id);
	json__key(j, "setid");
	if (p->setid_known)
		json__bool(j, p->setid);
	else
		json__null(j);
	json__kv_comm(j, "comm", p->comm);
	json__kv_cstr(j, "filename", p->filename);
	json__key(j, "argv");
	if (p->args)
		json__argv(j, p->args, p->args_len);
	else
		json__null(j);
	json__kv_u64(j, "execs", p->nr_execs);
	kv_time(j, wc, "start_time", p->start_ns);
	kv_time(j, wc, "exit_time", p->exited ? p->exit_ts : 0);
	json__key(j, "duration_s");
	json__double(j, duration_s(s, p, now), 6);
	json__kv_cstr(j, "state", p->exited ? (p->reaped ? "exited" : "zombie") : state ? "running" : "gone");
	event_fmt__status_json(j, p->exited, p->status);
	killer_json(j, p);
	json__kv_u64(j, "signals_sent", p->signals_sent);
	json__kv_u64(j, "signals_received", p->signals_received);
	json__kv_bool(j, "orphaned", p->adopted_by);
	json__kv_u64_or_null(j, "adopted_by", p->adopted_by, p->adopted_by);
	usage_json(s, j, p);
	ctfmt__json_fields(j, s->ct ? ctreg__subject(s->ct, p->cgroup_id, p->cgroup1_id) : NULL);
}

static void top_json(const struct run_summary *s, struct json *j, const char *name,
		     __u64 (*key)(const struct run_proc *), const char *field)
{
	const struct run_proc *top[RUN_TOP];
	size_t n = top_by(s, key, top);

	json__key(j, name);
	json__begin_array(j);
	for (size_t i = 0; i < n; i++) {
		json__begin_object(j);
		json__kv_u64(j, "pid", top[i]->pid);
		json__kv_comm(j, "comm", top[i]->comm);
		json__kv_u64(j, field, key(top[i]));
		json__end_object(j);
	}
	json__end_array(j);
}

/* "totals":{...},"top_cpu":[...],"top_rss":[...] */
static void totals_json(const struct run_summary *s, struct json *j)
{
	struct run_totals t;

	totals(s, &t);
	json__key(j, "totals");
	json__begin_object(j);
	json__kv_u64(j, "processes", s->n);
	json__kv_u64(j, "with_usage", t.with_usage);
	json__kv_u64(j, "cpu_ns", t.cpu_ns);
	json__key(j, "self");
	usage_fmt__ru_json(j, &t.self);
	json__kv_u64_or_null(j, "maxrss_pid", t.maxrss_proc, t.maxrss_proc ? t.maxrss_proc->pid : 0);
	json__kv_u64_or_null(j, "read_bytes", t.io, t.read_bytes);
	json__kv_u64_or_null(j, "write_bytes", t.io, t.write_bytes);
	json__end_object(j);
	top_json(s, j, "top_cpu", key_cpu, "cpu_ns");
	top_json(s, j, "top_rss", key_rss, "maxrss_kb");
}

/* "processes": the tree, each process with its "children", depth first (iteratively: a chain may be deep). */
static void processes_json(const struct run_summary *s, struct json *j, const struct wallclock *wc, __u64 now,
			   const char *proc_root)
{
	size_t *stack = NULL, n = 0, cap = 0;

	json__key(j, "processes");
	json__begin_array(j);
	/* A frame is an index, or ~index to close that node's children. */
	for (size_t i = s->n; i-- > 0;)
		if (!s->v[i].parent)
			VEC_PUSH(stack, n, cap, i);
	while (n) {
		size_t i = stack[--n];

		if (i >= s->n) {
			json__end_array(j);
			json__end_object(j);
			continue;
		}
		json__begin_object(j);
		json_proc(s, &s->v[i], j, wc, now, proc_root);
		json__key(j, "children");
		json__begin_array(j);
		VEC_PUSH(stack, n, cap, ~(size_t)0);
		for (size_t c = s->n; c-- > 0;)
			if (s->v[c].parent == i + 1)
				VEC_PUSH(stack, n, cap, c);
	}
	json__end_array(j);
	free(stack);
}

/* "left_behind": what still ran, the zombies, and who was orphaned. */
static void left_behind_json(const struct run_summary *s, struct json *j, const char *proc_root)
{
	json__key(j, "left_behind");
	json__begin_object(j);
	json__key(j, "running");
	json__begin_array(j);
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];
		char st = proc_state(s, p, proc_root);

		if (st && st != 'Z' && !p->exited)
			json__u64(j, p->pid);
	}
	json__end_array(j);
	json__key(j, "zombies");
	json__begin_array(j);
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];
		char st = proc_state(s, p, proc_root);

		if (st && (st == 'Z' || (p->exited && !p->reaped))) {
			json__begin_object(j);
			json__kv_u64(j, "pid", p->pid);
			json__kv_u64(j, "parent", p->ppid);
			json__end_object(j);
		}
	}
	json__end_array(j);
	json__key(j, "orphans");
	json__begin_array(j);
	for (size_t i = 0; i < s->n; i++) {
		const struct run_proc *p = &s->v[i];

		if (!p->adopted_by)
			continue;
		json__begin_object(j);
		json__kv_u64(j, "pid", p->pid);
		json__kv_u64(j, "adopted_by", p->adopted_by);
		json__kv_bool(j, "still_running", !p->exited && proc_state(s, p, proc_root));
		json__end_object(j);
	}
	json__end_array(j);
	json__end_object(j);
}

void run_summary__json(const struct run_summary *s, struct outbuf *ob, const struct wallclock *wc, __u64 now,
		       const char *proc_root, int cmd_status, __u64 lost)
{
	struct json j;

	json__init(&j, ob);
	json__begin_object(&j);
	json__kv_i64(&j, "exit_status", cmd_status);
	json__kv_u64(&j, "lost", lost);
	processes_json(s, &j, wc, now, proc_root);
	left_behind_json(s, &j, proc_root);
	totals_json(s, &j);
	json__end_object(&j);
	json__ws(&j, "\n");
}

void run_summary__free(struct run_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].filename);
		free(s->v[i].args);
	}
	free(s->v);
	free(s->final);
	*s = (struct run_summary){};
}
