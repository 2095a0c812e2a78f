// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife signals`: an audit summary of signals: who sent which signal to
 * whom, how, what became of it, how often. Aggregated live; printed at the
 * end (Ctrl-C) and, with --every, while running.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/names.h"
#include "base/wallclock.h"
#include "kernel/sigorigin.h"
#include "base/msg.h"
#include "session/live.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/signals.h"

/* One row: everything but the count and times is the key. */
struct row {
	__u32 sender_pid, sender_uid, target_pid;
	__s32 target_arg, sig, err;
	__u16 syscall;
	__u8 result, disposition, blocked, info_kind;
	__s32 info_code;
	char sender_comm[PL_COMM_LEN], target_comm[PL_COMM_LEN];
	/* not key: */
	__u64 count, first, last;
};

#define KEY_SIZE offsetof(struct row, count)

struct table {
	struct row *rows;
	size_t n, cap;
	__u32 *index; /* row + 1, 0 empty */
	size_t index_cap;
};

static __u64 hash_key(const struct row *r)
{
	const unsigned char *p = (const void *)r;
	__u64 h = 1469598103934665603ull;

	for (size_t i = 0; i < KEY_SIZE; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* (Re)build the index with cap slots, a power of two. */
static int table_reindex(struct table *t, size_t cap)
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

static void table_add(struct table *t, const struct row *key, __u64 ts)
{
	size_t j;

	if ((t->n + 1) * 2 > t->index_cap && table_reindex(t, t->index_cap ? t->index_cap * 2 : 256))
		return;
	for (j = hash_key(key) & (t->index_cap - 1); t->index[j]; j = (j + 1) & (t->index_cap - 1)) {
		struct row *r = &t->rows[t->index[j] - 1];

		if (!memcmp(r, key, KEY_SIZE)) {
			r->count++;
			r->last = ts;
			return;
		}
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct row *nr = realloc(t->rows, cap * sizeof(*nr));

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

struct signals {
	const struct cli *c; /* --signal, --pid, --failed: which rows; --sort, --json: how */
	struct table t;
	struct wallclock wc;
	struct outbuf ob;
	struct live *l;
};

static int on_record(void *ctx, const void *rec)
{
	struct signals *s = ctx;
	const struct pl_signal *e = rec;
	struct row k;

	if (e->h.type != PL_EV_SIGNAL)
		return 0;
	if (s->c->sigs && (e->sig < 0 || e->sig > 63 || !(s->c->sigs & (1ull << e->sig))))
		return 0;
	if (s->c->pid && e->h.pid != s->c->pid && e->target_pid != s->c->pid)
		return 0;
	if (s->c->failed_only && !pl_signal_failed(e->sig, e->result))
		return 0;
	memset(&k, 0, sizeof(k)); /* padding is part of the key */
	k.sender_pid = e->h.pid;
	k.sender_uid = e->h.uid;
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
	table_add(&s->t, &k, e->h.ts);
	return 0;
}

static const char *how(const struct row *r, char *buf, size_t size)
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

static const char *outcome(const struct row *r, char *buf, size_t size)
{
	return sig__outcome(r->sig, r->result, r->disposition, r->blocked, r->err, buf, size);
}

static enum sort_key sort_by;

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = 0;

	switch (sort_by) {
	case SORT_COUNT:
		c = cmp_u64_desc(x->count, y->count);
		break;
	case SORT_TIME:
		c = -cmp_u64_desc(x->first, y->first);
		break;
	case SORT_SIGNAL:
		c = (x->sig > y->sig) - (x->sig < y->sig);
		break;
	case SORT_SENDER:
		c = (x->sender_pid > y->sender_pid) - (x->sender_pid < y->sender_pid);
		break;
	case SORT_TARGET:
		c = (x->target_pid > y->target_pid) - (x->target_pid < y->target_pid);
		break;
	}
	return c ? c : -cmp_u64_desc(x->first, y->first);
}

static void party(struct outbuf *ob, __u32 pid, __s32 arg, const char *comm, size_t width)
{
	size_t start = ob->len;

	if (pid)
		outbuf__u64(ob, pid);
	else
		outbuf__i64(ob, arg);
	outbuf__puts(ob, " (");
	escape__text(ob, comm, strnlen(comm, PL_COMM_LEN));
	outbuf__putc(ob, ')');
	do
		outbuf__putc(ob, ' ');
	while (ob->len - start < width);
}

static void print_text(struct signals *s, const __u64 *lost)
{
	struct outbuf *ob = &s->ob;
	char b1[64], b2[64];
	__u64 nlost = 0;

	outbuf__puts(ob, "COUNT  SIGNAL     SENDER                  TARGET                  HOW                 OUTCOME\n");
	for (size_t i = 0; i < s->t.n; i++) {
		const struct row *r = &s->t.rows[i];

		outbuf__printf(ob, "%5llu  %-10s ", (unsigned long long)r->count, r->sig ? names__signal(r->sig) : "0");
		party(ob, r->sender_pid, 0, r->sender_comm, 24);
		party(ob, r->target_pid, r->target_arg, r->target_comm, 24);
		outbuf__printf(ob, "%-19s %s\n", how(r, b1, sizeof(b1)), outcome(r, b2, sizeof(b2)));
	}
	for (int i = 1; i < PL_EV_MAX; i++)
		nlost += lost[i];
	if (nlost)
		outbuf__printf(ob, "(%llu events lost: this summary may be incomplete)\n", (unsigned long long)nlost);
}

static void json_str(struct outbuf *ob, const char *s, size_t max)
{
	escape__json_string(ob, s, strnlen(s, max));
}

static void print_json(struct signals *s, const __u64 *lost)
{
	struct outbuf *ob = &s->ob;
	char b[64], t1[48], t2[48];
	__u64 nlost = 0;

	outbuf__puts(ob, "{\"signals\":[");
	for (size_t i = 0; i < s->t.n; i++) {
		const struct row *r = &s->t.rows[i];
		const char *origin = sig__origin(r->sig, r->info_code, r->info_kind, r->syscall, false);
		const char *sc = sig__syscall_name(r->syscall), *err = names__errno(r->err);

		wallclock__rfc3339(&s->wc, r->first, t1, sizeof(t1));
		wallclock__rfc3339(&s->wc, r->last, t2, sizeof(t2));
		outbuf__printf(ob, "%s{\"count\":%llu,\"sig\":%d,\"signame\":\"%s\",\"sender\":{\"pid\":%u,\"uid\":%u,\"comm\":",
			       i ? "," : "", (unsigned long long)r->count, r->sig, r->sig ? names__signal(r->sig) : "0",
			       r->sender_pid, r->sender_uid);
		json_str(ob, r->sender_comm, PL_COMM_LEN);
		outbuf__puts(ob, "},\"target\":{\"pid\":");
		if (r->target_pid)
			outbuf__u64(ob, r->target_pid);
		else
			outbuf__puts(ob, "null");
		outbuf__puts(ob, ",\"comm\":");
		json_str(ob, r->target_comm, PL_COMM_LEN);
		outbuf__printf(ob, "},\"target_arg\":%d", r->target_arg);
		outbuf__printf(ob, ",\"syscall\":%s%s%s", sc ? "\"" : "", sc ? sc : "null", sc ? "\"" : "");
		outbuf__printf(ob, ",\"origin\":%s%s%s", origin ? "\"" : "", origin ? origin : "null", origin ? "\"" : "");
		outbuf__printf(ob, ",\"result\":\"%s\",\"disposition\":\"%s\",\"blocked\":%s,\"errno\":", names__sig_result(r->result),
			       names__sig_action(r->disposition), r->blocked ? "true" : "false");
		if (r->result == PL_SIG_FAILED && err)
			outbuf__printf(ob, "\"%s\"", err);
		else
			outbuf__puts(ob, "null");
		outbuf__puts(ob, ",\"outcome\":");
		json_str(ob, outcome(r, b, sizeof(b)), sizeof(b));
		outbuf__printf(ob, ",\"first\":\"%s\",\"last\":\"%s\"}", t1, t2);
	}
	for (int i = 1; i < PL_EV_MAX; i++)
		nlost += lost[i];
	outbuf__printf(ob, "],\"lost\":%llu}\n", (unsigned long long)nlost);
}

static int print(struct signals *s, const __u64 *lost)
{
	sort_by = s->c->sort;
	qsort(s->t.rows, s->t.n, sizeof(*s->t.rows), cmp_rows);
	if (s->t.index_cap)
		table_reindex(&s->t, s->t.index_cap); /* rows moved */
	if (s->c->json)
		print_json(s, lost);
	else
		print_text(s, lost);
	return outbuf__flush(&s->ob);
}

/* --every, and at the end: the table so far. */
static int print_now(void *ctx)
{
	struct signals *s = ctx;

	return print(s, live__lost(s->l)) < 0 ? -1 : 0;
}

int signals__main(struct cli *c)
{
	struct signals s = { .c = c };
	struct cmd_session ss = { .cli = c, .signals = CMD_SIG_STOP | CMD_SIG_PIPE, .every_ns = c->every_ns,
				  .every = print_now, .at_end = print_now, .ctx = &s, .ob = &s.ob,
				  .summary = c->rec.nread ? SUMMARY_NONE : SUMMARY_EVENTS };
	int ret;

	ss.cfg.tracer = (struct tracer_config){ .events = PL_EV_BIT(PL_EV_SIGNAL) };
	ss.cfg.record = on_record;
	ss.cfg.ctx = &s;
	if (outbuf__init(&s.ob, STDOUT_FILENO, 1 << 20) < 0)
		return cli__fail(c->cmd, "out of memory");
	ret = cmd_session__open(&ss);
	if (!ret) {
		s.l = ss.l;
		s.wc = *live__wallclock(ss.l);
		if (!ss.replay)
			msg__say(MSG_INFO, "auditing signals, Ctrl-C to stop and print the summary");
		ret = cmd_session__loop(&ss);
	}
	if (!ret)
		ret = cmd_session__close(&ss);
	cmd_session__free(&ss);
	outbuf__free(&s.ob);
	free(s.t.rows);
	free(s.t.index);
	return ret;
}
