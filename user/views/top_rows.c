// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* qsort_r */
/*
 * Flattening the model into top's rows. Walks are iterative (explicit
 * stacks), like views/tree.c: a chain of thousands of nested processes must
 * not overflow the C stack.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "kernel/procfs.h"
#include "views/top_rows.h"
#include "views/tree.h"

/* Prefix levels drawn at most: deeper ones are cut (no screen is that wide). */
#define PREFIX_LEVELS 256

/* Same process? A start time read from /proc has clock-tick precision until an event makes it exact. */
static bool same_key(const struct top_key *k, __u32 pid, __u64 start_ns)
{
	__u64 tick = procfs__tick_ns();

	return k->pid == pid && (k->start_ns == start_ns || (tick && k->start_ns / tick == start_ns / tick));
}

static long key_index(const struct top_rows *r, __u32 pid, __u64 start_ns)
{
	for (size_t i = 0; i < r->ncollapsed; i++)
		if (same_key(&r->collapsed[i], pid, start_ns))
			return i;
	return -1;
}

bool top_rows__is_collapsed(const struct top_rows *r, __u32 pid, __u64 start_ns)
{
	return key_index(r, pid, start_ns) >= 0;
}

int top_rows__set_collapsed(struct top_rows *r, __u32 pid, __u64 start_ns, bool collapsed)
{
	long i = key_index(r, pid, start_ns);

	if (!collapsed) {
		if (i >= 0)
			r->collapsed[i] = r->collapsed[--r->ncollapsed];
		return 0;
	}
	if (i >= 0)
		return 0;
	if (r->ncollapsed == r->capcollapsed) {
		size_t cap = r->capcollapsed ? r->capcollapsed * 2 : 16;
		struct top_key *nk = realloc(r->collapsed, cap * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		r->collapsed = nk;
		r->capcollapsed = cap;
	}
	r->collapsed[r->ncollapsed++] = (struct top_key){ .pid = pid, .start_ns = start_ns };
	return 0;
}

void top_rows__reveal(struct top_rows *r, const struct model *m, const struct top_filter *f)
{
	if (!r->ncollapsed || (!(f->text && *f->text) && !f->troubled_only))
		return;
	for (__u32 s = 1; model__slot(m, s); s++) {
		const struct proc *p = model__slot(m, s);
		__u32 steps = 0;

		if (!p->pid || p->state == PROC_REAPED || !top_rows__wanted(p, f))
			continue;
		for (p = model__slot(m, p->parent); p && steps < 1u << 22; p = model__slot(m, p->parent), steps++)
			top_rows__set_collapsed(r, p->pid, p->start_ns, false);
	}
}

void top_rows__prune(struct top_rows *r, const struct model *m)
{
	for (size_t i = 0; i < r->ncollapsed;) {
		const struct proc *p = model__find(m, r->collapsed[i].pid);

		if (p && same_key(&r->collapsed[i], p->pid, p->start_ns))
			i++;
		else
			r->collapsed[i] = r->collapsed[--r->ncollapsed];
	}
}

long top_rows__find(const struct top_rows *r, __u8 kind, __u32 pid, __u64 start_ns)
{
	struct top_key k = { .pid = pid, .start_ns = start_ns };

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == kind && same_key(&k, r->v[i].pid, r->v[i].start_ns))
			return i;
	return -1;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Does hay (NULs count as spaces) contain needle, ignoring ASCII case? */
static bool contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t k = 0;

		for (; k < nn; k++) {
			unsigned char h = hay[i + k] ? (unsigned char)hay[i + k] : ' ';

			if (lower(h) != lower(needle[k]))
				break;
		}
		if (k == nn)
			return true;
	}
	return false;
}

bool top_rows__match(const struct proc *p, const char *text)
{
	size_t nn = text ? strlen(text) : 0;
	const struct proc_exec *x = p->execs;

	if (!nn)
		return true;
	if (contains(p->comm, strnlen(p->comm, PL_COMM_LEN), text, nn))
		return true;
	return x && contains(x->data + x->filename_len, x->args_len, text, nn);
}

bool top_rows__wanted(const struct proc *p, const struct top_filter *f)
{
	if (f->troubled_only && p->state != PROC_ZOMBIE && p->state != PROC_STOPPED)
		return false;
	if (f->keep && !f->keep(f->keep_ctx, p))
		return false;
	return top_rows__match(p, f->text);
}

static struct top_row *add_row(struct top_rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct top_row *nv = realloc(r->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		r->v = nv;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

struct frame {
	__u32 slot, depth, up;
	bool last;
};

struct stack {
	struct frame *v;
	size_t n, cap;
};

static bool push(struct stack *s, struct frame f)
{
	return VEC_PUSH(s->v, s->n, s->cap, f);
}

static bool shown(const unsigned char *keep, __u32 slot)
{
	return !keep || keep[slot];
}

/* p's descendants that the filter shows (all without one). -1 when out of memory. */
static long count_descendants(const struct model *m, const struct proc *p, const unsigned char *keep)
{
	struct stack st = {};
	long n = 0;

	if (!push(&st, (struct frame){ .slot = model__slot_of(m, p) }))
		return -1;
	while (st.n) {
		const struct proc *q = model__slot(m, st.v[--st.n].slot);

		for (const struct proc *c = model__slot(m, q->first_child); c; c = model__slot(m, c->next_sibling)) {
			__u32 s = model__slot_of(m, c);

			if (!shown(keep, s))
				continue;
			n++;
			if (!push(&st, (struct frame){ .slot = s })) {
				free(st.v);
				return -1;
			}
		}
	}
	free(st.v);
	return n;
}

/* Mark what the filter keeps: the processes it wants and their ancestors. */
static unsigned char *mark(const struct model *m, const struct top_filter *f)
{
	__u32 nslots = 1;
	unsigned char *keep;

	while (model__slot(m, nslots))
		nslots++;
	keep = calloc(nslots, 1);
	if (!keep)
		return NULL;
	for (__u32 s = 1; s < nslots; s++) {
		const struct proc *p = model__slot(m, s);
		__u32 steps = 0;

		if (!p->pid || p->state == PROC_REAPED || !top_rows__wanted(p, f))
			continue;
		/* Up to an ancestor already marked; steps bound a cycle the model should never have. */
		for (__u32 q = s; q && !keep[q] && steps < nslots; q = model__slot(m, q)->parent, steps++)
			keep[q] = 1;
	}
	return keep;
}

/* Siblings by a value per slot, largest first; ties stay oldest first (the order they come in). */
struct sort_ctx {
	const struct model *m;
	const __u64 *key;
};

static int by_key(const void *a, const void *b, void *ctx)
{
	const struct sort_ctx *c = ctx;
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;
	const struct proc *px = model__slot(c->m, x), *py = model__slot(c->m, y);

	if (c->key[x] != c->key[y])
		return c->key[x] > c->key[y] ? -1 : 1;
	if (px->start_ns != py->start_ns)
		return px->start_ns < py->start_ns ? -1 : 1;
	return px->pid < py->pid ? -1 : px->pid > py->pid;
}

static void sort_slots(const struct model *m, const __u64 *key, __u32 *v, size_t n)
{
	struct sort_ctx c = { .m = m, .key = key };

	if (key && n > 1)
		qsort_r(v, n, sizeof(*v), by_key, &c);
}

static int add_tree(struct top_rows *r, const struct model *m, const unsigned char *keep, const __u64 *key)
{
	struct stack st = {};
	size_t nroots, nk;
	__u32 *roots = model__roots(m, &nroots), *kids;
	int err = -ENOMEM;

	if (!roots)
		return -ENOMEM;
	sort_slots(m, key, roots, nroots);
	for (size_t i = nroots; i-- > 0;)
		if (shown(keep, roots[i]) && !push(&st, (struct frame){ .slot = roots[i], .last = true }))
			goto out;
	while (st.n) {
		struct frame f = st.v[--st.n];
		const struct proc *p = model__slot(m, f.slot);
		struct top_row *row = add_row(r);
		size_t idx = r->n, nshown = 0, lastk = 0;

		if (!row)
			goto out;
		*row = (struct top_row){ .start_ns = p->start_ns, .slot = f.slot, .pid = p->pid, .up = f.up,
					 .depth = f.depth, .kind = TOP_ROW_PROC, .last = f.last };
		if (top_rows__is_collapsed(r, p->pid, p->start_ns)) {
			long n = count_descendants(m, p, keep);

			if (n < 0)
				goto out;
			row->has_children = row->collapsed = n > 0;
			row->hidden = n;
			continue;
		}
		kids = view__children(m, p, &nk);
		if (!kids)
			goto out;
		sort_slots(m, key, kids, nk);
		for (size_t i = 0; i < nk; i++)
			if (shown(keep, kids[i])) {
				nshown++;
				lastk = i;
			}
		row->has_children = nshown > 0;
		for (size_t i = nk; i-- > 0;) {
			if (!shown(keep, kids[i]))
				continue;
			if (!push(&st, (struct frame){ .slot = kids[i], .depth = f.depth + 1, .up = idx,
						       .last = i == lastk })) {
				free(kids);
				goto out;
			}
		}
		free(kids);
	}
	err = 0;
out:
	free(roots);
	free(st.v);
	return err;
}

static bool exited_shown(const struct proc *p, const struct top_filter *f)
{
	return p->state_ts + f->exited_ns >= f->now && top_rows__match(p, f->text) &&
	       (!f->keep || f->keep(f->keep_ctx, p));
}

static int add_exited(struct top_rows *r, const struct model *m, const struct top_filter *f)
{
	size_t n = 0, skip = 0, seen = 0;
	struct top_row *row;

	if (!f->exited_ns || f->troubled_only)
		return 0;
	for (const struct proc *p = model__reaped_next(m, NULL); p; p = model__reaped_next(m, p))
		n += exited_shown(p, f);
	if (!n)
		return 0;
	/* Oldest first: the newest exited_max are the last ones. */
	if (f->exited_max && n > f->exited_max)
		skip = n - f->exited_max;
	row = add_row(r);
	if (!row)
		return -ENOMEM;
	row->kind = TOP_ROW_HEADING;
	for (const struct proc *p = model__reaped_next(m, NULL); p; p = model__reaped_next(m, p)) {
		if (!exited_shown(p, f) || seen++ < skip)
			continue;
		row = add_row(r);
		if (!row)
			return -ENOMEM;
		*row = (struct top_row){ .start_ns = p->start_ns, .slot = model__slot_of(m, p), .pid = p->pid,
					 .kind = TOP_ROW_EXITED, .last = true };
	}
	if (skip) {
		row = add_row(r);
		if (!row)
			return -ENOMEM;
		*row = (struct top_row){ .kind = TOP_ROW_MORE, .hidden = skip > UINT32_MAX ? UINT32_MAX : skip,
					 .last = true };
	}
	return 0;
}

int top_rows__build(struct top_rows *r, const struct model *m, const struct top_filter *f)
{
	unsigned char *keep = NULL;
	int err;

	r->n = 0;
	if ((f->text && *f->text) || f->troubled_only || f->keep) {
		keep = mark(m, f);
		if (!keep)
			return -ENOMEM;
	}
	err = add_tree(r, m, keep, f->sort_key);
	if (!err)
		err = add_exited(r, m, f);
	free(keep);
	if (err)
		r->n = 0;
	return err;
}

size_t top_rows__prefix(const struct top_rows *r, size_t i, bool ascii, char *buf, size_t size)
{
	bool last[PREFIX_LEVELS]; /* last[d]: was the ancestor at depth d + 1 its parent's last child? */
	const struct top_row *row = &r->v[i];
	__u32 depth = row->depth, levels = depth < PREFIX_LEVELS ? depth : PREFIX_LEVELS;
	size_t len = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (row->kind != TOP_ROW_PROC || !depth)
		return 0;
	/* Walk up to the deepest level drawn, then record the levels drawn. */
	for (__u32 d = depth; d > levels && row->up; d--)
		row = &r->v[row->up - 1];
	for (__u32 d = levels; d > 0; d--) {
		last[d - 1] = row->last;
		if (!row->up)
			break;
		row = &r->v[row->up - 1];
	}
	for (__u32 d = 0; d < levels; d++) {
		const char *seg;
		size_t n;

		if (d + 1 < depth)
			seg = last[d] ? "   " : ascii ? "|  " : "\u2502  ";
		else
			seg = last[d] ? (ascii ? "`- " : "\u2514\u2500 ") : (ascii ? "|- " : "\u251c\u2500 ");
		n = strlen(seg);
		if (len + n + 1 > size)
			break;
		memcpy(buf + len, seg, n + 1);
		len += n;
	}
	return len;
}

void top_rows__free(struct top_rows *r)
{
	free(r->v);
	free(r->collapsed);
	*r = (struct top_rows){};
}
