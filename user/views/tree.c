// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Tree and zombie views. Walks are iterative (explicit stacks): a chain of
 * thousands of nested processes must not overflow the C stack.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "base/vec.h"
#include "kernel/event.h"
#include "views/event_fmt.h"
#include "views/identity_fmt.h"
#include "views/json.h"
#include "views/tree.h"
#include "views/usage_fmt.h"

void view__age(char *buf, size_t size, __u64 ns)
{
	unsigned long long s = ns / 1000000000ull;

	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s % 86400 / 3600);
}

static int by_start(const void *a, const void *b, void *ctx)
{
	const struct model *m = ctx;
	const struct proc *x = model__slot(m, *(const __u32 *)a), *y = model__slot(m, *(const __u32 *)b);

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

__u32 *view__children(const struct model *m, const struct proc *p, size_t *n)
{
	size_t k = 0, cap = 16;
	__u32 *v = malloc(cap * sizeof(*v));

	for (const struct proc *c = model__slot(m, p->first_child); v && c; c = model__slot(m, c->next_sibling)) {
		if (k == cap) {
			__u32 *nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[k++] = model__slot_of(m, c);
	}
	if (v)
		qsort_r(v, k, sizeof(*v), by_start, (void *)m);
	*n = v ? k : 0;
	return v;
}

/* The argv of the newest exec, or NULL. */
static const struct proc_exec *last_exec(const struct proc *p)
{
	return p->execs;
}

void view__label(struct outbuf *ob, const struct view_ctx *v, const struct proc *p)
{
	const struct proc_exec *x = last_exec(p);
	char age[32];

	outbuf__u64(ob, p->pid);
	outbuf__putc(ob, ' ');
	if (x && x->args_len) {
		bool cut = escape__argv_text(ob, x->data + x->filename_len, x->args_len, v->max_argv);

		if (cut || x->truncated)
			outbuf__puts(ob, " ...");
	} else {
		escape__text(ob, p->comm, strnlen(p->comm, PL_COMM_LEN));
	}
	switch (p->state) {
	case PROC_STOPPED:
		outbuf__puts(ob, "  <stopped");
		if (p->stop_sig) {
			outbuf__puts(ob, " by ");
			outbuf__puts(ob, names__signal(p->stop_sig));
		}
		outbuf__putc(ob, '>');
		break;
	case PROC_CONTINUED:
		outbuf__puts(ob, "  <continued>");
		break;
	case PROC_ZOMBIE: {
		outbuf__puts(ob, "  <zombie: ");
		event_fmt__status_text(ob, p->status, EXIT_TEXT_BRIEF);
		if (p->exit_ts) {
			view__age(age, sizeof(age), v->now - p->exit_ts);
			outbuf__printf(ob, ", for %s", age);
		}
		outbuf__putc(ob, '>');
		break;
	}
	default:
		break;
	}
	if (p->flags & PROC_F_ORPHANED)
		outbuf__puts(ob, "  <orphaned>");
	view__age(age, sizeof(age), v->now > p->start_ns ? v->now - p->start_ns : 0);
	outbuf__printf(ob, "  [%s]", age);
}

struct frame {
	__u32 slot;
	__u32 depth;
	bool last;
	bool close; /* JSON: the end of this node's children */
};

struct stack {
	struct frame *v;
	size_t n, cap;
};

static bool push(struct stack *s, struct frame f)
{
	return VEC_PUSH(s->v, s->n, s->cap, f);
}

/* Push root (or every root) so that the first one pops first. */
static __u32 *start_slots(const struct view_ctx *v, const struct proc *root, size_t *n)
{
	if (root) {
		__u32 *one = malloc(sizeof(*one));
		if (one) {
			*one = model__slot_of(v->m, root);
			*n = 1;
		}
		return one;
	}
	return model__roots(v->m, n);
}

static void push_children(struct stack *st, const struct model *m, const struct proc *p, __u32 depth)
{
	size_t n;
	__u32 *kids = view__children(m, p, &n);

	for (size_t i = n; i-- > 0;)
		push(st, (struct frame){ .slot = kids[i], .depth = depth, .last = i == n - 1 });
	free(kids);
}

static bool usage_known(const struct proc *p)
{
	return p->flags & (PROC_F_SAMPLED | PROC_F_USAGE);
}

__u64 *view__subtree_cpu(const struct model *m)
{
	__u32 n = model__nslots(m);
	__u64 *tot = calloc(n ? n : 1, sizeof(*tot));

	if (!tot)
		return NULL;
	/*
	 * Ended processes are in their ancestors' ended_cpu_ns already (at
	 * their exits); a live one's CPU so far goes to it and each ancestor.
	 */
	for (__u32 s = 1; s < n; s++) {
		const struct proc *p = model__slot(m, s);

		if (!p->pid)
			continue;
		tot[s] += p->ended_cpu_ns + (usage_known(p) ? p->cpu_ns : 0);
		if (p->state >= PROC_ZOMBIE || !(p->flags & PROC_F_SAMPLED))
			continue;
		/* Bounded: a model from a hostile recording may hold a cycle. */
		for (int d = 0; d < 4096 && p->parent; d++) {
			tot[p->parent] += p->cpu_ns;
			p = model__slot(m, p->parent);
		}
	}
	return tot;
}

/* One line's columns: CPU, RSS, SUBTREE. */
static void columns(struct outbuf *ob, const struct proc *p, __u64 subtree)
{
	char cpu[32] = "-", rss[32] = "-", sub[32] = "-";

	if (usage_known(p))
		usage_fmt__secs_str(cpu, sizeof(cpu), p->cpu_ns);
	if (usage_known(p) && p->rss_kb)
		usage_fmt__bytes_str(rss, sizeof(rss), p->rss_kb * 1024);
	if (subtree)
		usage_fmt__secs_str(sub, sizeof(sub), subtree);
	outbuf__printf(ob, "%8s %7s %8s  ", cpu, rss, sub);
}

/* Copies line (len bytes, no newline) to ob cut to width columns: a column per UTF-8 character. */
static void put_cut(struct outbuf *ob, const char *line, size_t len, unsigned width)
{
	size_t i = 0;

	for (unsigned cols = 0; i < len; i++) {
		if (((unsigned char)line[i] & 0xc0) != 0x80 && cols++ == width)
			break;
	}
	outbuf__write(ob, line, i);
	outbuf__putc(ob, '\n');
}

void view_tree__text(struct outbuf *ob, const struct view_ctx *v, const struct proc *root)
{
	struct stack st = {};
	bool *last = NULL; /* per depth: was that ancestor the last child? */
	size_t nlast = 0, n;
	__u32 *starts = start_slots(v, root, &n);
	__u64 *subtree = view__subtree_cpu(v->m);
	struct outbuf line = {};
	struct outbuf *lo = ob;

	/* Cut to the width: each line is made in memory first. */
	if (v->width && outbuf__init(&line, -1, 4096) == 0)
		lo = &line;
	outbuf__printf(lo, "%8s %7s %8s  %s", "CPU", "RSS", "SUBTREE", "PROCESS");
	if (lo != ob) {
		put_cut(ob, line.data, line.len, v->width);
		outbuf__reset(&line);
	} else {
		outbuf__putc(ob, '\n');
	}

	for (size_t i = n; starts && i-- > 0;)
		push(&st, (struct frame){ .slot = starts[i], .depth = 0, .last = true });
	free(starts);
	while (st.n) {
		struct frame f = st.v[--st.n];
		const struct proc *p = model__slot(v->m, f.slot);

		if (f.depth >= nlast) {
			bool *nl = realloc(last, (f.depth + 64) * sizeof(*nl));
			if (!nl)
				break;
			last = nl;
			nlast = f.depth + 64;
		}
		last[f.depth] = f.last;
		columns(lo, p, subtree ? subtree[f.slot] : 0);
		for (__u32 d = 1; d < f.depth; d++)
			outbuf__puts(lo, last[d] ? "   " : "\u2502  ");
		if (f.depth)
			outbuf__puts(lo, f.last ? "\u2514\u2500 " : "\u251c\u2500 ");
		view__label(lo, v, p);
		if (lo != ob) {
			put_cut(ob, line.data, line.len, v->width);
			outbuf__reset(&line);
		} else {
			outbuf__putc(ob, '\n');
		}
		push_children(&st, v->m, p, f.depth + 1);
	}
	outbuf__free(&line);
	free(subtree);
	free(last);
	free(st.v);
}

static void kv_time(struct json *j, const struct view_ctx *v, const char *key, __u64 ts)
{
	char buf[WALLCLOCK_RFC3339_MAX];

	json__key(j, key);
	if (!ts) {
		json__null(j);
		return;
	}
	wallclock__rfc3339(v->wc, ts, buf, sizeof(buf));
	json__cstr(j, buf);
}

/* What it used: so far (sampled), or in all (its exit); null when not known. */
static void usage_json(struct json *j, const struct proc *p, __u64 subtree)
{
	bool sampled = (p->flags & PROC_F_SAMPLED) && p->state < PROC_ZOMBIE;

	json__kv_u64_or_null(j, "cpu_ns", usage_known(p), p->cpu_ns);
	json__kv_u64_or_null(j, "rss_kb", sampled, p->rss_kb);
	json__kv_u64_or_null(j, "maxrss_kb", !sampled && (p->flags & PROC_F_USAGE), p->rss_kb);
	json__kv_u64(j, "subtree_cpu_ns", subtree);
}

/* The fields of one process, without the braces and children. */
static void json_proc(struct json *j, const struct view_ctx *v, const struct proc *p, __u64 subtree)
{
	const struct proc_exec *x = last_exec(p);
	struct ident id = ident__of_proc(p);

	json__kv_u64(j, "pid", p->pid);
	json__kv_u64(j, "ppid", p->ppid);
	json__kv_u64(j, "uid", p->uid);
	identity_fmt__json_fields(j, &id);
	json__key(j, "setid");
	if (p->idflags & PROC_I_EXECD)
		json__bool(j, p->idflags & PROC_I_SETID);
	else
		json__null(j);
	json__kv_comm(j, "comm", p->comm);
	json__key(j, "argv");
	if (x)
		json__argv(j, x->data + x->filename_len, x->args_len);
	else
		json__null(j);
	json__kv_cstr(j, "state", proc_state__name(p->state));
	kv_time(j, v, "start_time", p->start_ns);
	json__key(j, "age_s");
	json__double(j, v->now > p->start_ns ? (v->now - p->start_ns) / 1e9 : 0.0, 3);
	kv_time(j, v, "state_since", p->state_ts);
	json__kv_bool(j, "orphaned", p->flags & PROC_F_ORPHANED);
	json__kv_bool(j, "kthread", p->flags & PROC_F_KTHREAD);
	json__kv_cstr(j, "stop_signal", p->state == PROC_STOPPED && p->stop_sig ? names__signal(p->stop_sig) : NULL);
	event_fmt__status_json(j, p->state == PROC_ZOMBIE || p->state == PROC_REAPED, p->status);
	kv_time(j, v, "exit_time", p->exit_ts);
	usage_json(j, p, subtree);
}

void view_tree__json(struct outbuf *ob, const struct view_ctx *v, const struct proc *root)
{
	struct stack st = {};
	size_t n;
	__u32 *starts = start_slots(v, root, &n);
	__u64 *subtree = view__subtree_cpu(v->m);
	struct json j;

	json__init(&j, ob);
	json__begin_array(&j);
	for (size_t i = n; starts && i-- > 0;)
		push(&st, (struct frame){ .slot = starts[i] });
	free(starts);
	while (st.n) {
		struct frame f = st.v[--st.n];
		const struct proc *p;
		size_t nk;
		__u32 *kids;

		if (f.close) {
			json__end_array(&j);
			json__end_object(&j);
			continue;
		}
		p = model__slot(v->m, f.slot);
		json__begin_object(&j);
		json_proc(&j, v, p, subtree ? subtree[f.slot] : 0);
		json__key(&j, "children");
		json__begin_array(&j);
		push(&st, (struct frame){ .close = true });
		kids = view__children(v->m, p, &nk);
		for (size_t i = nk; kids && i-- > 0;)
			push(&st, (struct frame){ .slot = kids[i] });
		free(kids);
	}
	json__end_array(&j);
	json__ws(&j, "\n");
	free(subtree);
	free(st.v);
}

/* Zombies, oldest exit first. */
static __u32 *zombies(const struct model *m, size_t *n)
{
	size_t k = 0, nroots;
	__u32 *all = model__roots(m, &nroots), *out;
	struct stack st = {};

	out = malloc((model__count(m) + 1) * sizeof(*out));
	for (size_t i = 0; all && i < nroots; i++)
		push(&st, (struct frame){ .slot = all[i] });
	free(all);
	while (out && st.n) {
		const struct proc *p = model__slot(m, st.v[--st.n].slot);

		if (p->state == PROC_ZOMBIE)
			out[k++] = model__slot_of(m, p);
		for (const struct proc *c = model__slot(m, p->first_child); c; c = model__slot(m, c->next_sibling))
			push(&st, (struct frame){ .slot = model__slot_of(m, c) });
	}
	free(st.v);
	if (out)
		qsort_r(out, k, sizeof(*out), by_start, (void *)m);
	*n = k;
	return out;
}

void view_zombies__text(struct outbuf *ob, const struct view_ctx *v)
{
	size_t n;
	__u32 *z = zombies(v->m, &n);

	outbuf__puts(ob, "PID     COMM             STATUS                     ZOMBIE FOR  PARENT (NOT REAPING)\n");
	for (size_t i = 0; z && i < n; i++) {
		const struct proc *p = model__slot(v->m, z[i]), *pp = model__slot(v->m, p->parent);
		char status[EXIT_STATUS_TEXT_MAX], age[32];
		size_t start, width;

		event_fmt__status_str(p->status, EXIT_TEXT_BRIEF, status, sizeof(status));
		if (p->exit_ts)
			view__age(age, sizeof(age), v->now - p->exit_ts);
		else
			snprintf(age, sizeof(age), "?");
		outbuf__printf(ob, "%-7u ", p->pid);
		start = ob->len;
		escape__text(ob, p->comm, strnlen(p->comm, PL_COMM_LEN));
		/* A comm longer than its column (escaped, it may be) still gets one space. */
		width = ob->len - start;
		do
			outbuf__putc(ob, ' ');
		while (++width < 17);
		outbuf__printf(ob, "%-26s %-11s %u", status, age, p->ppid);
		if (pp) {
			outbuf__puts(ob, " (");
			escape__text(ob, pp->comm, strnlen(pp->comm, PL_COMM_LEN));
			outbuf__putc(ob, ')');
		}
		outbuf__putc(ob, '\n');
	}
	free(z);
}

void view_zombies__json(struct outbuf *ob, const struct view_ctx *v)
{
	size_t n;
	__u32 *z = zombies(v->m, &n);
	struct json j;

	json__init(&j, ob);
	json__begin_array(&j);
	for (size_t i = 0; z && i < n; i++) {
		const struct proc *p = model__slot(v->m, z[i]), *pp = model__slot(v->m, p->parent);

		json__begin_object(&j);
		/* A zombie has no live children: its own and what ended under it. */
		json_proc(&j, v, p, p->ended_cpu_ns + (usage_known(p) ? p->cpu_ns : 0));
		json__key(&j, "zombie_for_s");
		if (p->exit_ts)
			json__double(&j, (v->now - p->exit_ts) / 1e9, 3);
		else
			json__null(&j);
		json__key(&j, "parent");
		json__begin_object(&j);
		json__kv_u64(&j, "pid", p->ppid);
		json__key(&j, "comm");
		if (pp)
			json__comm(&j, pp->comm);
		else
			json__null(&j);
		json__end_object(&j);
		json__end_object(&j);
	}
	json__end_array(&j);
	json__ws(&j, "\n");
	free(z);
}
