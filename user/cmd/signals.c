// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife signals`: an audit summary of signals: who sent which signal to
 * whom, how, what became of it, how often. Aggregated live; printed at the
 * end (Ctrl-C) and, with --every, while running.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/escape.h"
#include "base/names.h"
#include "base/wallclock.h"
#include "kernel/sigorigin.h"
#include "session/live.h"
#include "cmd/options.h"
#include "cmd/signals.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

enum sort_key { SORT_COUNT, SORT_TIME, SORT_SIGNAL, SORT_SENDER, SORT_TARGET };

struct signals_opts {
	__u64 sigs;     /* bit n: signal n wanted; 0: all */
	__u32 pid;      /* sent by or to */
	bool failed_only;
	bool json;
	enum sort_key sort;
	__u64 every_ns;
	struct rec_cli rec; /* -r FILE ...: from a recording; --since, --until */
};

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
	struct signals_opts o;
	struct table t;
	struct wallclock wc;
	struct outbuf ob;
};

static int on_record(void *ctx, const void *rec)
{
	struct signals *s = ctx;
	const struct pl_signal *e = rec;
	struct row k;

	if (e->h.type != PL_EV_SIGNAL)
		return 0;
	if (s->o.sigs && (e->sig < 0 || e->sig > 63 || !(s->o.sigs & (1ull << e->sig))))
		return 0;
	if (s->o.pid && e->h.pid != s->o.pid && e->target_pid != s->o.pid)
		return 0;
	if (s->o.failed_only && !pl_signal_failed(e->sig, e->result))
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
	sort_by = s->o.sort;
	qsort(s->t.rows, s->t.n, sizeof(*s->t.rows), cmp_rows);
	if (s->t.index_cap)
		table_reindex(&s->t, s->t.index_cap); /* rows moved */
	if (s->o.json)
		print_json(s, lost);
	else
		print_text(s, lost);
	return outbuf__flush(&s->ob);
}

static void usage(void)
{
	printf("Usage: proclife signals [OPTIONS]\n"
	       "Audit signals until Ctrl-C, then print who sent which signal to whom, how,\n"
	       "what became of it, and how often.\n"
	       "  -s, --signal LIST  only these signals (names or numbers, comma-separated)\n"
	       "  -p, --pid PID      only signals sent by or to PID\n"
	       "      --failed       only refused attempts and signals not delivered\n"
	       "      --sort KEY     count (default), time, signal, sender or target\n"
	       "  -e, --every SEC    also print the summary every SEC seconds\n"
	       "  -j, --json         JSON (schema: README.md)\n"
	       "  -r, --read FILE    from a recording (proclife record -w FILE) instead of live;\n"
	       "                     -r again for each piece of a rotated one (FILE.1 ...), in any order\n"
	       "      --since TIME   with -r: only signals from TIME on (TIME: +SEC from the start\n"
	       "                     (s, m, h), @EPOCH, YYYY-MM-DDTHH:MM:SS[.frac][Z], HH:MM:SS)\n"
	       "      --until TIME   with -r: only signals up to TIME\n");
}

static int parse(int argc, char **argv, struct signals_opts *o)
{
	static const struct option longopts[] = {
		{ "signal", required_argument, NULL, 's' }, { "pid", required_argument, NULL, 'p' },
		{ "failed", no_argument, NULL, 'f' },      { "sort", required_argument, NULL, 'S' },
		{ "every", required_argument, NULL, 'e' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },        REC_CLI_READ_OPTS,
		{}
	};
	static const char *const sorts[] = { "count", "time", "signal", "sender", "target" };
	char buf[256], *tok, *save, *end;
	unsigned long v;
	char err[256];
	int c, r;

	*o = (struct signals_opts){};
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:e:jr:h", longopts, NULL)) != -1) {
		r = rec_cli__option(&o->rec, c, optarg, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "proclife signals: %s\n", err);
			return r;
		}
		if (r)
			continue;
		switch (c) {
		case 's':
			snprintf(buf, sizeof(buf), "%s", optarg);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				int sig = names__signal_parse(tok);

				if (sig < 0 || sig > 63) {
					fprintf(stderr, "proclife signals: unknown signal '%.32s'\n", tok);
					return -EINVAL;
				}
				o->sigs |= 1ull << sig;
			}
			if (!o->sigs) {
				fprintf(stderr, "proclife signals: --signal needs signal names or numbers\n");
				return -EINVAL;
			}
			break;
		case 'p':
			v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || v == 0 || v > INT_MAX) {
				fprintf(stderr, "proclife signals: --pid needs a process id, not '%.32s'\n", optarg);
				return -EINVAL;
			}
			o->pid = v;
			break;
		case 'f':
			o->failed_only = true;
			break;
		case 'S':
			for (c = 0; c < 5 && strcmp(optarg, sorts[c]); c++)
				;
			if (c == 5) {
				fprintf(stderr, "proclife signals: --sort takes count, time, signal, sender or target, not '%.32s'\n",
					optarg);
				return -EINVAL;
			}
			o->sort = c;
			break;
		case 'e':
			if (parse_seconds(optarg, &o->every_ns)) {
				fprintf(stderr, "proclife signals: --every needs seconds, 0.001 to 86400, not '%.32s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage();
			return 1;
		case ':':
			fprintf(stderr, "proclife signals: option '%.32s' needs a value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "proclife signals: unknown option '%.32s' (try 'proclife signals --help')\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "proclife signals: unexpected argument '%.32s'\n", argv[optind]);
		return -EINVAL;
	}
	if (rec_cli__check(&o->rec, err, sizeof(err))) {
		fprintf(stderr, "proclife signals: %s\n", err);
		return -EINVAL;
	}
	if (o->rec.nread && o->every_ns) {
		fprintf(stderr, "proclife signals: --every is for live auditing, not with --read\n");
		return -EINVAL;
	}
	return 0;
}

int signals__main(int argc, char **argv)
{
	struct live_config cfg = { .proc_root = "/proc", .record = on_record };
	struct sigaction sa = { .sa_handler = on_signal };
	struct signals s = {};
	struct live *l = NULL;
	char msg[256];
	int r, ret = 1;

	r = parse(argc, argv, &s.o);
	if (r)
		return r > 0 ? 0 : 2;
	r = s.o.rec.nread ? 0 : tracer__preflight(msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	cfg.tracer = (struct tracer_config){ .events = PL_EV_BIT(PL_EV_SIGNAL) };
	cfg.ctx = &s;
	cfg.replay = s.o.rec.read;
	cfg.nreplay = s.o.rec.nread;
	if (outbuf__init(&s.ob, STDOUT_FILENO, 1 << 20) < 0)
		return 1;
	/* Before the slow part (load), so an early Ctrl-C still ends cleanly. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		goto cleanup;
	}
	s.wc = *live__wallclock(l);
	if (s.o.rec.nread) {
		r = rec_cli__window(&s.o.rec, "proclife signals", l);
		if (r < 0) {
			ret = r == -EINVAL ? 2 : 1;
			goto cleanup;
		}
		while (!stop && !live__done(l))
			live__poll(l, 0);
		ret = print(&s, live__lost(l)) < 0 || live__replay_result(l) < 0 ? 1 : 0;
		if (rec_cli__window_end(&s.o.rec, "proclife signals", l) < 0)
			ret = 1;
		goto cleanup;
	}
	fprintf(stderr, "proclife: auditing signals, Ctrl-C to stop and print the summary\n");
	for (__u64 next = live__now() + s.o.every_ns; !stop;) {
		r = live__poll(l, 100);
		if (r < 0) {
			fprintf(stderr, "proclife: reading events: %s\n", strerror(-r));
			goto cleanup;
		}
		if (s.o.every_ns && live__now() >= next) {
			if (print(&s, live__lost(l)) < 0)
				goto cleanup;
			next += s.o.every_ns;
		}
	}
	live__poll(l, 0);
	ret = print(&s, live__lost(l)) < 0 ? 1 : 0;
	live__print_summary(l, NULL);
cleanup:
	live__free(l);
	outbuf__free(&s.ob);
	free(s.t.rows);
	free(s.t.index);
	return ret;
}
