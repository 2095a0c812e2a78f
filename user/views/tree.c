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
#include "kernel/containers.h"
#include "kernel/event.h"
#include "views/ctfmt.h"
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

/* A container's first process in its subtree (its parent is not in it): "  [docker pltest 451466daa4e1]". */
static void container_mark(struct outbuf *ob, const struct view_ctx *v, const struct proc *p)
{
	const struct ct_ref *ct = ctfmt__container(v->ct, p);

	if (!ct || ct == ctfmt__container(v->ct, model__slot(v->m, p->parent)))
		return;
	outbuf__puts(ob, "  [");
	ctfmt__tag(ob, ct);
	outbuf__putc(ob, ']');
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
	container_mark(ob, v, p);
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

static bool kept(const struct view_ctx *v, const struct proc *p)
{
	return !v->keep || v->keep(v->keep_ctx, p);
}

static int by_pid(const void *a, const void *b, void *ctx)
{
	const struct model *m = ctx;
	__u32 x = model__slot(m, *(const __u32 *)a)->pid, y = model__slot(m, *(const __u32 *)b)->pid;

	return x < y ? -1 : x > y;
}

/* Is p root, or below it? Bounded: a model from a hostile recording may hold a cycle. */
static bool under(const struct model *m, const struct proc *p, const struct proc *root)
{
	for (int d = 0; p && d < 4096; d++, p = model__slot(m, p->parent))
		if (p == root)
			return true;
	return false;
}

/* With keep(): the processes it keeps whose parent it does not (at or under root, if given), by pid. */
static __u32 *kept_roots(const struct view_ctx *v, const struct proc *root, size_t *n)
{
	__u32 *out = malloc((model__count(v->m) + 1) * sizeof(*out));
	size_t k = 0;

	for (__u32 s = 1; out && s < model__nslots(v->m); s++) {
		const struct proc *p = model__slot(v->m, s), *pp;

		if (!p->pid || p->state == PROC_REAPED || !kept(v, p) || k > model__count(v->m))
			continue;
		pp = model__slot(v->m, p->parent);
		if ((!pp || !kept(v, pp)) && (!root || under(v->m, p, root)))
			out[k++] = s;
	}
	if (out)
		qsort_r(out, k, sizeof(*out), by_pid, (void *)v->m);
	*n = out ? k : 0;
	return out;
}

/* Push root (or every root) so that the first one pops first. */
static __u32 *start_slots(const struct view_ctx *v, const struct proc *root, size_t *n)
{
	if (v->keep)
		return kept_roots(v, root, n);
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

/* p's children that are kept, oldest first (caller frees). */
static __u32 *kept_children(const struct view_ctx *v, const struct proc *p, size_t *n)
{
	__u32 *kids = view__children(v->m, p, n);
	size_t k = 0;

	for (size_t i = 0; kids && i < *n; i++)
		if (kept(v, model__slot(v->m, kids[i])))
			kids[k++] = kids[i];
	*n = k;
	return kids;
}

static void push_children(struct stack *st, const struct view_ctx *v, const struct proc *p, __u32 depth)
{
	size_t n;
	__u32 *kids = kept_children(v, p, &n);

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

/* Lines made in memory first when they are cut to the terminal's width. */
struct lines {
	struct outbuf *ob, *lo, line;
	unsigned width;
};

static void lines__init(struct lines *l, struct outbuf *ob, unsigned width)
{
	*l = (struct lines){ .ob = ob, .lo = ob, .width = width };
	if (width && outbuf__init(&l->line, -1, 4096) == 0)
		l->lo = &l->line;
}

/* The line made in l->lo ends. */
static void lines__end(struct lines *l)
{
	if (l->lo != l->ob) {
		put_cut(l->ob, l->line.data, l->line.len, l->width);
		outbuf__reset(&l->line);
	} else {
		outbuf__putc(l->ob, '\n');
	}
}

/* The trees under root (NULL: every root), one process a line. */
static void forest_text(struct lines *l, const struct view_ctx *v, const struct proc *root, const __u64 *subtree)
{
	struct stack st = {};
	bool *last = NULL; /* per depth: was that ancestor the last child? */
	size_t nlast = 0, n;
	__u32 *starts = start_slots(v, root, &n);
	struct outbuf *lo = l->lo;

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
		lines__end(l);
		push_children(&st, v, p, f.depth + 1);
	}
	free(last);
	free(st.v);
}

static void tree_header(struct lines *l)
{
	outbuf__printf(l->lo, "%8s %7s %8s  %s", "CPU", "RSS", "SUBTREE", "PROCESS");
	lines__end(l);
}

void view_tree__text(struct outbuf *ob, const struct view_ctx *v, const struct proc *root)
{
	__u64 *subtree = view__subtree_cpu(v->m);
	struct lines l;

	lines__init(&l, ob, v->width);
	tree_header(&l);
	forest_text(&l, v, root, subtree);
	outbuf__free(&l.line);
	free(subtree);
}

/* ---- one tree per container ---- */

struct group {
	const struct view_ctx *outer; /* the command's view: its keep() too */
	const struct ct_ref *ct;      /* the group's container; NULL: the host's processes */
};

static bool in_group(const void *ctx, const struct proc *p)
{
	const struct group *g = ctx;

	return ctfmt__container(g->outer->ct, p) == g->ct && kept(g->outer, p);
}

/* Does any process the view keeps (any zombie, with zombies) belong to g? */
static bool group_used(const struct view_ctx *v, const struct group *g, bool zombies)
{
	for (__u32 s = 1; s < model__nslots(v->m); s++) {
		const struct proc *p = model__slot(v->m, s);

		if (p->pid && p->state != PROC_REAPED && (!zombies || p->state == PROC_ZOMBIE) && in_group(g, p))
			return true;
	}
	return false;
}

/* The groups with processes (zombies): each container in the order first seen, then the host (ct NULL). */
static struct group *groups(const struct view_ctx *v, bool zombies, size_t *n)
{
	struct group *gs = NULL;
	size_t k = 0, cap = 0;
	const struct ct_ref *ct = NULL;

	*n = 0;
	if (!v->ct)
		return NULL;
	do {
		struct group g = { .outer = v };

		ct = ctreg__next(v->ct, ct);
		g.ct = ct;
		if (!ct || ct->info.kind == CT_KIND_CONTAINER) {
			if (group_used(v, &g, zombies) && !VEC_PUSH(gs, k, cap, g))
				break;
		}
	} while (ct);
	*n = k;
	return gs;
}

/* A group's heading: "container docker pltest 451466daa4e1  image bb:1", or "host". */
static void group_heading(struct outbuf *ob, const struct group *g)
{
	if (!g->ct) {
		outbuf__puts(ob, "host");
		return;
	}
	outbuf__puts(ob, "container ");
	ctfmt__tag(ob, g->ct);
	if (g->ct->info.image[0]) {
		outbuf__puts(ob, "  image ");
		escape__text(ob, g->ct->info.image, strlen(g->ct->info.image));
	}
}

void view_tree__by_container_text(struct outbuf *ob, const struct view_ctx *v)
{
	__u64 *subtree = view__subtree_cpu(v->m);
	size_t n;
	struct group *gs = groups(v, false, &n);
	struct lines l;

	lines__init(&l, ob, v->width);
	for (size_t i = 0; i < n; i++) {
		struct view_ctx gv = *v;

		gv.keep = in_group;
		gv.keep_ctx = &gs[i];
		if (i)
			lines__end(&l); /* a blank line between two trees */
		group_heading(l.lo, &gs[i]);
		lines__end(&l);
		tree_header(&l);
		forest_text(&l, &gv, NULL, subtree);
	}
	outbuf__free(&l.line);
	free(gs);
	free(subtree);
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
	ctfmt__json_fields(j, ctfmt__of_proc(v->ct, p));
}

/* The trees under root (NULL: every root) as a JSON array of nested nodes. */
static void forest_json(struct json *j, const struct view_ctx *v, const struct proc *root, const __u64 *subtree)
{
	struct stack st = {};
	size_t n;
	__u32 *starts = start_slots(v, root, &n);

	json__begin_array(j);
	for (size_t i = n; starts && i-- > 0;)
		push(&st, (struct frame){ .slot = starts[i] });
	free(starts);
	while (st.n) {
		struct frame f = st.v[--st.n];
		const struct proc *p;
		size_t nk;
		__u32 *kids;

		if (f.close) {
			json__end_array(j);
			json__end_object(j);
			continue;
		}
		p = model__slot(v->m, f.slot);
		json__begin_object(j);
		json_proc(j, v, p, subtree ? subtree[f.slot] : 0);
		json__key(j, "children");
		json__begin_array(j);
		push(&st, (struct frame){ .close = true });
		kids = kept_children(v, p, &nk);
		for (size_t i = nk; kids && i-- > 0;)
			push(&st, (struct frame){ .slot = kids[i] });
		free(kids);
	}
	json__end_array(j);
	free(st.v);
}

void view_tree__json(struct outbuf *ob, const struct view_ctx *v, const struct proc *root)
{
	__u64 *subtree = view__subtree_cpu(v->m);
	struct json j;

	json__init(&j, ob);
	forest_json(&j, v, root, subtree);
	json__ws(&j, "\n");
	free(subtree);
}

/* One JSON object per container (the host's last): its container, its cgroup, then key: body(j, its view, arg). */
static void groups_json(struct outbuf *ob, const struct view_ctx *v, bool zombies, const char *key,
			void (*body)(struct json *j, const struct view_ctx *gv, void *arg), void *arg)
{
	size_t n;
	struct group *gs = groups(v, zombies, &n);
	struct json j;

	json__init(&j, ob);
	json__begin_array(&j);
	for (size_t i = 0; i < n; i++) {
		struct view_ctx gv = *v;

		gv.keep = in_group;
		gv.keep_ctx = &gs[i];
		json__begin_object(&j);
		ctfmt__json(&j, "container", gs[i].ct);
		json__kv_cstr(&j, "cgroup", gs[i].ct ? gs[i].ct->cgroup : NULL);
		json__key(&j, key);
		body(&j, &gv, arg);
		json__end_object(&j);
	}
	json__end_array(&j);
	json__ws(&j, "\n");
	free(gs);
}

static void forest_body(struct json *j, const struct view_ctx *gv, void *subtree)
{
	forest_json(j, gv, NULL, subtree);
}

void view_tree__by_container_json(struct outbuf *ob, const struct view_ctx *v)
{
	__u64 *subtree = view__subtree_cpu(v->m);

	groups_json(ob, v, false, "processes", forest_body, subtree);
	free(subtree);
}

/* Zombies (that the view keeps), oldest exit first. */
static __u32 *zombies(const struct view_ctx *v, size_t *n)
{
	const struct model *m = v->m;
	size_t k = 0, nroots;
	__u32 *all = model__roots(m, &nroots), *out;
	struct stack st = {};

	out = malloc((model__count(m) + 1) * sizeof(*out));
	for (size_t i = 0; all && i < nroots; i++)
		push(&st, (struct frame){ .slot = all[i] });
	free(all);
	while (out && st.n) {
		const struct proc *p = model__slot(m, st.v[--st.n].slot);

		if (p->state == PROC_ZOMBIE && kept(v, p))
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

/*
 * Is p its container's init: the oldest of the container's processes whose
 * parent is not in it (the runtime's shim or conmon is the parent of its
 * first process; one joined by docker exec is younger)? Its container in *ct.
 */
static bool container_init(const struct view_ctx *v, const struct proc *p, const struct ct_ref **ct)
{
	*ct = ctfmt__container(v->ct, p);
	if (!p || !*ct || ctfmt__container(v->ct, model__slot(v->m, p->parent)) == *ct)
		return false;
	for (__u32 s = 1; s < model__nslots(v->m); s++) {
		const struct proc *q = model__slot(v->m, s);

		if (q->pid && q->state != PROC_REAPED && q != p && q->start_ns < p->start_ns &&
		    ctfmt__container(v->ct, q) == *ct && ctfmt__container(v->ct, model__slot(v->m, q->parent)) != *ct)
			return false;
	}
	return true;
}

/* After a zombie's parent: its container, and its parent's when that is another. */
static void zombie_containers(struct outbuf *ob, const struct view_ctx *v, const struct proc *p,
			      const struct proc *pp)
{
	const struct ct_ref *ct = ctfmt__container(v->ct, p), *pct = ctfmt__container(v->ct, pp);

	if (ct) {
		outbuf__puts(ob, "  [");
		ctfmt__tag(ob, ct);
		outbuf__putc(ob, ']');
	}
	if (!pp || pct == ct)
		return;
	if (pct) {
		outbuf__puts(ob, "  parent in [");
		ctfmt__tag(ob, pct);
		outbuf__putc(ob, ']');
	} else {
		outbuf__puts(ob, "  parent on the host");
	}
}

/* "docker pltest 451466daa4e1: its init 4819 (app) does not reap: 3 zombies", once per such init. */
static void inits_not_reaping(struct outbuf *ob, const struct view_ctx *v, const __u32 *z, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct proc *pp = model__slot(v->m, model__slot(v->m, z[i])->parent);
		const struct ct_ref *ct;
		size_t count = 0, first = i;

		if (!container_init(v, pp, &ct))
			continue;
		for (size_t k = 0; k < n; k++) {
			if (model__slot(v->m, model__slot(v->m, z[k])->parent) != pp)
				continue;
			if (k < i)
				first = k;
			count++;
		}
		if (first != i)
			continue; /* said at its first zombie */
		ctfmt__tag(ob, ct);
		outbuf__printf(ob, ": its init %u (", pp->pid);
		escape__text(ob, pp->comm, strnlen(pp->comm, PL_COMM_LEN));
		outbuf__printf(ob, ") does not reap: %zu zombie%s\n", count, count == 1 ? "" : "s");
	}
}

void view_zombies__text(struct outbuf *ob, const struct view_ctx *v)
{
	size_t n;
	__u32 *z = zombies(v, &n);

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
		zombie_containers(ob, v, p, pp);
		outbuf__putc(ob, '\n');
	}
	if (z)
		inits_not_reaping(ob, v, z, n);
	free(z);
}

/* The parent's container, and whether it is that container's init (which does not reap). */
static void parent_container_json(struct json *j, const struct view_ctx *v, const struct proc *pp)
{
	const struct ct_ref *ct;
	bool init = container_init(v, pp, &ct);

	ctfmt__json(j, "container", pp ? ct : NULL);
	json__kv_bool(j, "container_init", init);
}

/* The zombies as a JSON array. */
static void zombies_json(struct json *j, const struct view_ctx *v)
{
	size_t n;
	__u32 *z = zombies(v, &n);

	json__begin_array(j);
	for (size_t i = 0; z && i < n; i++) {
		const struct proc *p = model__slot(v->m, z[i]), *pp = model__slot(v->m, p->parent);

		json__begin_object(j);
		/* A zombie has no live children: its own and what ended under it. */
		json_proc(j, v, p, p->ended_cpu_ns + (usage_known(p) ? p->cpu_ns : 0));
		json__key(j, "zombie_for_s");
		if (p->exit_ts)
			json__double(j, (v->now - p->exit_ts) / 1e9, 3);
		else
			json__null(j);
		json__key(j, "parent");
		json__begin_object(j);
		json__kv_u64(j, "pid", p->ppid);
		json__key(j, "comm");
		if (pp)
			json__comm(j, pp->comm);
		else
			json__null(j);
		parent_container_json(j, v, pp);
		json__end_object(j);
		json__end_object(j);
	}
	json__end_array(j);
	free(z);
}

void view_zombies__json(struct outbuf *ob, const struct view_ctx *v)
{
	struct json j;

	json__init(&j, ob);
	zombies_json(&j, v);
	json__ws(&j, "\n");
}

void view_zombies__by_container_text(struct outbuf *ob, const struct view_ctx *v)
{
	size_t n;
	struct group *gs = groups(v, true, &n);

	for (size_t i = 0; i < n; i++) {
		struct view_ctx gv = *v;

		gv.keep = in_group;
		gv.keep_ctx = &gs[i];
		if (i)
			outbuf__putc(ob, '\n');
		group_heading(ob, &gs[i]);
		outbuf__putc(ob, '\n');
		view_zombies__text(ob, &gv);
	}
	free(gs);
}

static void zombies_body(struct json *j, const struct view_ctx *gv, void *arg)
{
	zombies_json(j, gv);
}

void view_zombies__by_container_json(struct outbuf *ob, const struct view_ctx *v)
{
	groups_json(ob, v, true, "zombies", zombies_body, NULL);
}
