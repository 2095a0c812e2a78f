// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "kernel/sigorigin.h"
#include "views/identity_fmt.h"
#include "views/ctfmt.h"
#include "views/json.h"
#include "views/signal_table.h"

#define KEY_SIZE offsetof(struct signal_row, count)

static __u64 hash_key(const struct signal_row *r)
{
	const unsigned char *p = (const void *)r;
	__u64 h = 1469598103934665603ull;

	for (size_t i = 0; i < KEY_SIZE; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* (Re)build the index with cap slots, a power of two. */
static int table_reindex(struct signal_table *t, size_t cap)
{
	__u32 *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = hash_key(&t->rows[i]) & (cap - 1);

		while (idx[j])
			j = (j + 1) & (cap - 1);
		idx[j] = i + 1;
	}
	free(t->index);
	t->index = idx;
	t->index_cap = cap;
	return 0;
}

static void table_add(struct signal_table *t, const struct signal_row *key, __u64 ts)
{
	size_t j;

	if ((t->n + 1) * 2 > t->index_cap && table_reindex(t, t->index_cap ? t->index_cap * 2 : 256))
		return;
	for (j = hash_key(key) & (t->index_cap - 1); t->index[j]; j = (j + 1) & (t->index_cap - 1)) {
		struct signal_row *r = &t->rows[t->index[j] - 1];

		if (!memcmp(r, key, KEY_SIZE)) {
			r->count++;
			r->last = ts;
			return;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct signal_row *nr = realloc(t->rows, cap * sizeof(*nr));

		if (!nr)
			return;
		t->rows = nr;
		t->cap = cap;
	}
	t->rows[t->n] = *key;
	t->rows[t->n].count = 1;
	t->rows[t->n].first = t->rows[t->n].last = ts;
	t->index[j] = ++t->n;
}

void signal_table__add(struct signal_table *t, const struct pl_signal *e, __u64 target_cg2, __u64 target_cg1)
{
	struct signal_row k;

	memset(&k, 0, sizeof(k)); /* padding is part of the key */
	k.sender_pid = e->h.pid;
	k.sender_uid = e->h.uid;
	if (!(e->h.flags & PL_F_NO_IDENTITY)) {
		k.sender_known = 1;
		k.sender_euid = e->h.euid;
		k.sender_auid = e->h.auid;
		k.sender_session = e->h.session;
		k.sender_tty = e->h.tty;
	}
	k.target_pid = e->target_pid;
	k.target_arg = e->syscall != PL_SYS_NONE && e->syscall != PL_SYS_PIDFD_SEND_SIGNAL ? e->target_arg : 0;
	k.sig = e->sig;
	k.err = e->err;
	k.syscall = e->syscall;
	k.result = e->result;
	k.disposition = e->disposition;
	k.blocked = e->blocked;
	k.info_kind = e->info_kind;
	/* For the kernel's signals the code is the reason; for a process's, all codes are one row. */
	k.info_code = e->syscall == PL_SYS_NONE ? e->info_code : 0;
	memcpy(k.sender_comm, e->h.comm, PL_COMM_LEN);
	memcpy(k.target_comm, e->target_comm, PL_COMM_LEN);
	k.sender_cg2 = e->h.cgroup_id;
	k.sender_cg1 = e->h.flags & PL_F_NO_IDENTITY ? 0 : e->h.cgroup1_id;
	k.target_cg2 = target_cg2;
	k.target_cg1 = target_cg1;
	table_add(t, &k, e->h.ts);
}

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct signal_row *x = a, *y = b;
	int c = 0;

	switch (*(const enum signal_sort *)arg) {
	case SIGNAL_SORT_COUNT:
		c = cmp_u64_desc(x->count, y->count);
		break;
	case SIGNAL_SORT_TIME:
		c = -cmp_u64_desc(x->first, y->first);
		break;
	case SIGNAL_SORT_SIGNAL:
		c = (x->sig > y->sig) - (x->sig < y->sig);
		break;
	case SIGNAL_SORT_SENDER:
		c = (x->sender_pid > y->sender_pid) - (x->sender_pid < y->sender_pid);
		break;
	case SIGNAL_SORT_TARGET:
		c = (x->target_pid > y->target_pid) - (x->target_pid < y->target_pid);
		break;
	}
	return c ? c : -cmp_u64_desc(x->first, y->first);
}

void signal_table__sort(struct signal_table *t, enum signal_sort by)
{
	qsort_r(t->rows, t->n, sizeof(*t->rows), cmp_rows, &by);
	if (t->index_cap)
		table_reindex(t, t->index_cap); /* rows moved */
}

/* "kill -1", "kernel: tty", "process": how it was sent. */
static const char *how(const struct signal_row *r, char *buf, size_t size)
{
	const char *origin = sig__origin(r->sig, r->info_code, r->info_kind, r->syscall, false);
	const char *sc = sig__syscall_name(r->syscall);

	if (origin)
		snprintf(buf, size, "kernel: %s", origin);
	else if (sc && r->target_arg <= 0 && r->target_pid)
		snprintf(buf, size, "%s %d", sc, r->target_arg);
	else
		snprintf(buf, size, "%s", sc ? sc : "process");
	return buf;
}

static const char *outcome(const struct signal_row *r, char *buf, size_t size)
{
	return sig__outcome(r->sig, r->result, r->disposition, r->blocked, r->err, buf, size);
}

static struct ident sender_of(const struct signal_row *r)
{
	return (struct ident){ .known = r->sender_known, .uid = r->sender_uid, .euid = r->sender_euid,
			       .auid = r->sender_auid, .session = r->sender_session, .tty = r->sender_tty };
}

/* The sender's user ("root(admin)") and terminal, each padded to its column. */
static void sender_who(struct outbuf *ob, const struct signal_row *r)
{
	struct ident id = sender_of(r);
	char tty[TTY_STR_MAX];
	size_t start = ob->len;

	identity_fmt__user_text(ob, &id);
	do
		outbuf__putc(ob, ' ');
	while (ob->len - start < 13);
	outbuf__printf(ob, "%-7s ", identity_fmt__tty_str(&id, tty, sizeof(tty)));
}

static __u64 lost_total(const __u64 *lost)
{
	__u64 n = 0;

	for (int i = 1; i < PL_EV_MAX; i++)
		n += lost[i];
	return n;
}

/* "1234 (bash)", padded to width (at least one space after). */
static void party(struct outbuf *ob, __u32 pid, __s32 arg, const char *comm, size_t width)
{
	size_t start = ob->len;

	if (pid)
		outbuf__u64(ob, pid);
	else
		outbuf__i64(ob, arg);
	outbuf__puts(ob, " (");
	escape__comm_text(ob, comm);
	outbuf__putc(ob, ')');
	do
		outbuf__putc(ob, ' ');
	while (ob->len - start < width);
}

/* What the registry says of one side of a row (NULL: not known). */
static const struct ct_subject *side(const struct signal_table *t, __u64 cg2, __u64 cg1)
{
	return t->ct && (cg2 || cg1) ? ctreg__subject(t->ct, cg2, cg1) : NULL;
}

/* After a row: "  [host -> docker pltest 451466daa4e1]" when a side is in a container. */
static void containers_text(const struct signal_table *t, struct outbuf *ob, const struct signal_row *r)
{
	const struct ct_subject *from = side(t, r->sender_cg2, r->sender_cg1), *to = side(t, r->target_cg2, r->target_cg1);

	if (!(from && from->ct) && !(to && to->ct))
		return;
	outbuf__puts(ob, "  [");
	if (from && from->ct)
		ctfmt__tag(ob, from->ct);
	else
		outbuf__puts(ob, from && from->cgroup ? "host" : "?");
	outbuf__puts(ob, " -> ");
	if (to && to->ct)
		ctfmt__tag(ob, to->ct);
	else
		outbuf__puts(ob, to && to->cgroup ? "host" : "?");
	outbuf__putc(ob, ']');
}

void signal_table__text(const struct signal_table *t, struct outbuf *ob, const __u64 *lost)
{
	char b1[64], b2[64];
	__u64 nlost = lost_total(lost);

	outbuf__puts(ob, "COUNT  SIGNAL     SENDER                  USER         TTY     TARGET                  HOW      "
			 "           OUTCOME\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct signal_row *r = &t->rows[i];

		outbuf__printf(ob, "%5llu  %-10s ", (unsigned long long)r->count, r->sig ? names__signal(r->sig) : "0");
		party(ob, r->sender_pid, 0, r->sender_comm, 24);
		sender_who(ob, r);
		party(ob, r->target_pid, r->target_arg, r->target_comm, 24);
		outbuf__printf(ob, "%-19s %s", how(r, b1, sizeof(b1)), outcome(r, b2, sizeof(b2)));
		containers_text(t, ob, r);
		outbuf__putc(ob, '\n');
	}
	if (nlost)
		outbuf__printf(ob, "(%llu events lost: this summary may be incomplete)\n", (unsigned long long)nlost);
}

static void kv_time(struct json *j, const struct wallclock *wc, const char *k, __u64 ts)
{
	char buf[WALLCLOCK_RFC3339_MAX];

	wallclock__rfc3339(wc, ts, buf, sizeof(buf));
	json__kv_cstr(j, k, buf);
}

static void row_json(const struct signal_table *t, struct json *j, const struct signal_row *r,
		     const struct wallclock *wc)
{
	const char *err = names__errno(r->err);
	const struct ct_subject *from = side(t, r->sender_cg2, r->sender_cg1), *to = side(t, r->target_cg2, r->target_cg1);
	char b[64];

	json__begin_object(j);
	json__kv_u64(j, "count", r->count);
	json__kv_i64(j, "sig", r->sig);
	json__kv_cstr(j, "signame", r->sig ? names__signal(r->sig) : "0");
	json__key(j, "sender");
	json__begin_object(j);
	json__kv_u64(j, "pid", r->sender_pid);
	json__kv_u64(j, "uid", r->sender_uid);
	{
		struct ident id = sender_of(r);

		identity_fmt__json_fields(j, &id);
	}
	json__kv_comm(j, "comm", r->sender_comm);
	ctfmt__json_fields(j, from);
	json__end_object(j);
	json__key(j, "target");
	json__begin_object(j);
	json__kv_u64_or_null(j, "pid", r->target_pid, r->target_pid);
	json__kv_comm(j, "comm", r->target_comm);
	ctfmt__json_fields(j, to);
	json__end_object(j);
	json__kv_bool(j, "crosses_container", from && to && from->cgroup && to->cgroup && from->ct != to->ct &&
						      !sig__origin(r->sig, r->info_code, r->info_kind, r->syscall, false));
	json__kv_i64(j, "target_arg", r->target_arg);
	json__kv_cstr(j, "syscall", sig__syscall_name(r->syscall));
	json__kv_cstr(j, "origin", sig__origin(r->sig, r->info_code, r->info_kind, r->syscall, false));
	json__kv_cstr(j, "result", names__sig_result(r->result));
	json__kv_cstr(j, "disposition", names__sig_action(r->disposition));
	json__kv_bool(j, "blocked", r->blocked);
	json__kv_cstr(j, "errno", r->result == PL_SIG_FAILED ? err : NULL);
	json__kv_cstr(j, "outcome", outcome(r, b, sizeof(b)));
	kv_time(j, wc, "first", r->first);
	kv_time(j, wc, "last", r->last);
	json__end_object(j);
}

void signal_table__json(const struct signal_table *t, struct outbuf *ob, const struct wallclock *wc,
			const __u64 *lost)
{
	struct json j;

	json__init(&j, ob);
	json__begin_object(&j);
	json__key(&j, "signals");
	json__begin_array(&j);
	for (size_t i = 0; i < t->n; i++)
		row_json(t, &j, &t->rows[i], wc);
	json__end_array(&j);
	json__kv_u64(&j, "lost", lost_total(lost));
	json__end_object(&j);
	json__ws(&j, "\n");
}

void signal_table__free(struct signal_table *t)
{
	free(t->rows);
	free(t->index);
	*t = (struct signal_table){};
}
