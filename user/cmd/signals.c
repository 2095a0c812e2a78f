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

#include "base/names.h"
#include "base/wallclock.h"
#include "session/live.h"
#include "views/signal_table.h"
#include "cmd/options.h"
#include "cmd/say.h"
#include "cmd/signals.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct signals_opts {
	__u64 sigs;     /* bit n: signal n wanted; 0: all */
	__u32 pid;      /* sent by or to */
	bool failed_only;
	bool json;
	enum signal_sort sort;
	__u64 every_ns;
	struct rec_cli rec; /* -r FILE ...: from a recording; --since, --until */
};

struct signals {
	struct signals_opts o;
	struct signal_table t;
	struct wallclock wc;
	struct outbuf ob;
};

static int on_record(void *ctx, const void *rec)
{
	struct signals *s = ctx;
	const struct pl_signal *e = rec;

	if (e->h.type != PL_EV_SIGNAL)
		return 0;
	if (s->o.sigs && (e->sig < 0 || e->sig > 63 || !(s->o.sigs & (1ull << e->sig))))
		return 0;
	if (s->o.pid && e->h.pid != s->o.pid && e->target_pid != s->o.pid)
		return 0;
	if (s->o.failed_only && !pl_signal_failed(e->sig, e->result))
		return 0;
	signal_table__add(&s->t, e);
	return 0;
}

static int print(struct signals *s, const __u64 *lost)
{
	signal_table__sort(&s->t, s->o.sort);
	if (s->o.json)
		signal_table__json(&s->t, &s->ob, &s->wc, lost);
	else
		signal_table__text(&s->t, &s->ob, lost);
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
	say__summary(l, NULL);
cleanup:
	live__free(l);
	outbuf__free(&s.ob);
	signal_table__free(&s.t);
	return ret;
}
