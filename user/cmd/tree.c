// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * One-shot views: attach, bootstrap the model from /proc, apply what the
 * kernel reported meanwhile, print, detach.
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/live.h"
#include "views/metrics_file.h"
#include "views/tree.h"
#include "cmd/options.h"
#include "cmd/say.h"
#include "cmd/tree.h"

struct snapshot_opts {
	bool json;
	struct rec_cli rec; /* -r FILE ...: from a recording; --since, --until */
	const char *at;   /* --at TIME: as it was then (with -r) */
	__u32 pid;
	__u64 every_ns;   /* > 0: keep the model live, print every this often */
	unsigned count;   /* with every_ns: stop after this many prints (0: until Ctrl-C) */
	bool wide;        /* -w: whole lines on a terminal too */
	struct metrics_cli metrics; /* with every_ns */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int parse(int argc, char **argv, bool takes_pid, struct snapshot_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "every", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'n' },
		REC_CLI_READ_OPTS,
		{ "at", required_argument, NULL, 'a' },
		{ "wide", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		METRICS_CLI_OPTS,
		{}
	};
	char *end, err[256];
	int c, r;

	*o = (struct snapshot_opts){};
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":je:n:r:wh", longopts, NULL)) != -1) {
		r = metrics_cli__option(&o->metrics, c, optarg, err, sizeof(err));
		if (r == 0)
			r = rec_cli__read_option(&o->rec, c, optarg, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "proclife %s: %s\n", argv[0], err);
			return -EINVAL;
		}
		if (r)
			continue;
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'e':
			if (parse_seconds(optarg, &o->every_ns)) {
				fprintf(stderr, "proclife %s: --every needs seconds, 0.001 to 86400, not '%.32s'\n",
					argv[0], optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			o->count = strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || o->count == 0 || o->count > 1000000) {
				fprintf(stderr, "proclife %s: --count needs a number from 1, not '%.32s'\n", argv[0],
					optarg);
				return -EINVAL;
			}
			break;
		case 'w':
			o->wide = true;
			break;
		case 'a':
			o->at = optarg;
			break;
		case ':':
			fprintf(stderr, "proclife %s: option '%.32s' needs a value\n", argv[0], argv[optind - 1]);
			return -EINVAL;
		case 'h':
			if (takes_pid)
				printf("Usage: proclife tree [PID] [--json] [-w] [--every SEC [--count N] [--metrics-file PATH]]\n"
				       "The process tree now (all, or under PID): what each process used (CPU so far,\n"
				       "RSS; in all once it exited), the CPU of everything that ran under it, pid,\n"
				       "argv, state, age.\n");
			else
				printf("Usage: proclife zombies [--json] [--every SEC [--count N] [--metrics-file PATH]]\n"
				       "Processes that exited and were not reaped, and the parent not reaping them.\n");
			printf("  -j, --json        JSON (schema: README.md), one document per print\n"
			       "  -e, --every SEC   keep following, print every SEC seconds (Ctrl-C stops)\n"
			       "  -n, --count N     with --every: stop after N prints\n"
			       "  -w, --wide        whole lines on a terminal too (else cut to its width, as ps does)\n"
			       "  -r, --read FILE   from a recording (proclife record -w FILE): as it was at its end;\n"
			       "                    -r again for each piece of a rotated one (FILE.1 ...), in any order\n"
			       "      --at TIME     with -r: as it was at TIME: +SEC from the start (s, m, h),\n"
			       "                    @EPOCH, YYYY-MM-DDTHH:MM:SS[.frac][Z] or HH:MM:SS[.frac] (local)\n"
			       "      --until TIME  with -r: as it was at TIME (the same as --at)\n"
			       "      --since TIME  with -r: --at must not be before TIME\n"
			       "With --every:\n" METRICS_CLI_HELP);
			return 1;
		default:
			fprintf(stderr, "proclife %s: unknown option '%.32s' (try 'proclife %s --help')\n", argv[0],
				argv[optind - 1], argv[0]);
			return -EINVAL;
		}
	}
	if (takes_pid && optind < argc) {
		char *end;
		unsigned long v = strtoul(argv[optind], &end, 10);

		if (*end || !*argv[optind] || v == 0 || v > INT_MAX) {
			fprintf(stderr, "proclife tree: PID must be a process id, not '%.32s'\n", argv[optind]);
			return -EINVAL;
		}
		o->pid = v;
		optind++;
	}
	if (optind < argc) {
		fprintf(stderr, "proclife %s: unexpected argument '%.32s'\n", argv[0], argv[optind]);
		return -EINVAL;
	}
	if (o->count && !o->every_ns) {
		fprintf(stderr, "proclife %s: --count goes with --every\n", argv[0]);
		return -EINVAL;
	}
	if (o->at && !o->rec.nread) {
		fprintf(stderr, "proclife %s: --at goes with --read FILE (a recording)\n", argv[0]);
		return -EINVAL;
	}
	if (rec_cli__check(&o->rec, err, sizeof(err))) {
		fprintf(stderr, "proclife %s: %s\n", argv[0], err);
		return -EINVAL;
	}
	if (o->rec.nread && o->every_ns) {
		fprintf(stderr, "proclife %s: --every is for live following, not with --read\n", argv[0]);
		return -EINVAL;
	}
	if (metrics_cli__check(&o->metrics, o->rec.nread, err, sizeof(err))) {
		fprintf(stderr, "proclife %s: %s\n", argv[0], err);
		return -EINVAL;
	}
	if (o->metrics.file && !o->every_ns) {
		fprintf(stderr, "proclife %s: --metrics-file goes with --every (it follows the host)\n", argv[0]);
		return -EINVAL;
	}
	return 0;
}

/* --metrics-file: what passes is counted. */
static int on_record(void *ctx, const void *rec)
{
	metrics_file__record(ctx, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	metrics_file__derived(ctx, d);
}

/* Attach, scan /proc, and apply what arrived during the scan. mf: count what passes, for --metrics-file. */
static int snapshot(struct live **l, struct metrics_file *mf)
{
	struct live_config cfg = { .model = true, .proc_root = "/proc", .tracer.sample = true };
	char msg[256];
	int r;

	if (mf) {
		cfg.tracer.events = PL_EV_ALL; /* failed execs too: the metrics describe the host */
		cfg.record = on_record;
		cfg.model_cfg.derived = on_derived;
		cfg.ctx = cfg.model_cfg.ctx = mf;
	}

	r = tracer__preflight(msg, sizeof(msg));
	if (r == 0)
		r = live__new(&cfg, l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return r;
	}
	for (int i = 0; i < 100 && live__poll(*l, 0) > 0; i++)
		;
	return 0;
}

/*
 * From a recording: the model as it was at --at (or --until), or at the
 * recording's end. 0, 1 (damage, said), or -errno (said).
 */
static int replay(const char *name, struct snapshot_opts *o, struct live **l)
{
	struct live_config cfg = { .model = true, .replay = o->rec.read, .nreplay = o->rec.nread };
	const struct rec_file_hdr *h;
	char msg[320], when[WALLCLOCK_RFC3339_MAX], who[32];
	const char *at_opt = o->at ? "--at" : "--until", *at_s = o->at ? o->at : o->rec.until;
	__u64 at;
	int r;

	r = live__new(&cfg, l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return r;
	}
	h = live__recording(*l);
	snprintf(who, sizeof(who), "proclife %s", name);
	r = rec_cli__times(&o->rec, who, h, live__wallclock(*l));
	if (r < 0)
		return r;
	if (!at_s) {
		while (!live__done(*l))
			live__poll(*l, 0);
		return live__replay_result(*l) < 0;
	}
	at = o->rec.until_ns;
	if (o->at) {
		r = parse_instant(o->at, h->start_ns, h->wall_offset_ns, &at);
		if (r == -EINVAL) {
			fprintf(stderr, "proclife %s: --at needs %s, not '%.40s' (try 'proclife %s --help')\n", name,
				REC_CLI_TIME_FORMS, o->at, name);
			return -EINVAL;
		}
		wallclock__rfc3339(live__wallclock(*l), h->start_ns, when, sizeof(when));
		if (r == -ERANGE || at < h->start_ns) { /* -ERANGE: before the machine even booted */
			fprintf(stderr, "proclife %s: --at %.40s is before the recording starts (%s)\n", name, o->at,
				when);
			return -ERANGE;
		}
		if (at < o->rec.since_ns || at > o->rec.until_ns) {
			fprintf(stderr, "proclife %s: --at %.40s is not within --since/--until\n", name, o->at);
			return -EINVAL;
		}
	}
	live__replay_until(*l, at);
	if (live__done(*l) && at > live__time(*l)) {
		wallclock__rfc3339(live__wallclock(*l), live__time(*l), when, sizeof(when));
		fprintf(stderr, "proclife %s: %s %.40s is after the recording ends (%s)\n", name, at_opt, at_s, when);
		return -ERANGE;
	}
	return live__replay_result(*l) < 0;
}

/* A terminal's width, as ps finds it: the terminal's, else $COLUMNS; 0 when not a terminal. */
static unsigned terminal_width(int fd)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (!isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return env && atoi(env) > 0 ? (unsigned)atoi(env) : 80;
}

static int print(struct outbuf *ob, const struct snapshot_opts *o, bool tree, struct live *l,
		 const struct wallclock *wc)
{
	struct view_ctx v = { .m = live__model(l), .wc = wc, .now = live__time(l),
			      .width = o->wide ? 0 : terminal_width(STDOUT_FILENO) };
	const struct proc *root = NULL;

	/* Live: what each process used so far (a feature that is off was said at start). */
	if (!o->rec.nread && tree)
		live__sample(l);

	if (o->pid) {
		root = model__find(v.m, o->pid);
		if (!root) {
			fprintf(stderr, "proclife tree: no process %u\n", o->pid);
			return -ESRCH;
		}
	}
	if (tree && o->json)
		view_tree__json(ob, &v, root);
	else if (tree)
		view_tree__text(ob, &v, root);
	else if (o->json)
		view_zombies__json(ob, &v);
	else
		view_zombies__text(ob, &v);
	return outbuf__flush(ob);
}

static int run(int argc, char **argv, bool tree)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct snapshot_opts o;
	struct outbuf ob = {};
	struct live *l = NULL;
	struct metrics_file *mf = NULL;
	unsigned printed = 0;
	int r, ret = 1;

	r = parse(argc, argv, tree, &o);
	if (r)
		return r > 0 ? 0 : 2;
	if (o.every_ns) {
		/* Before the slow part (load, /proc scan), so an early Ctrl-C still ends cleanly. */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGPIPE, SIG_IGN);
	}
	if (o.rec.nread) {
		r = replay(argv[0], &o, &l);
		if (r < 0) {
			ret = r == -EINVAL ? 2 : 1;
			goto cleanup;
		}
	} else {
		if (o.metrics.file &&
		    metrics_file__new(&(struct metrics_file_config){ .path = o.metrics.file,
								     .interval_ns = o.metrics.interval_ns },
				      &mf) < 0) {
			fprintf(stderr, "proclife: out of memory\n");
			return 1;
		}
		if (snapshot(&l, mf) < 0)
			goto cleanup;
		metrics_file__write(mf, l); /* at once: a scrape soon after the start finds it */
	}
	if (outbuf__init(&ob, STDOUT_FILENO, 1 << 20) < 0)
		goto cleanup;
	if (!o.every_ns) {
		ret = print(&ob, &o, tree, l, live__wallclock(l)) < 0 || (o.rec.nread && r) ? 1 : 0;
		goto cleanup;
	}
	fprintf(stderr, "proclife: following, a %s every %.3g s, Ctrl-C to stop\n", tree ? "tree" : "zombie list",
		o.every_ns / 1e9);
	for (__u64 next = live__now() + o.every_ns; !stop;) {
		__u64 now = live__now();

		if (now >= next) {
			if (print(&ob, &o, tree, l, live__wallclock(l)) < 0)
				goto cleanup;
			next += o.every_ns;
			if (o.count && ++printed >= o.count)
				break;
			continue;
		}
		r = live__poll(l, (int)((next - now) / 1000000 + 1 < 100 ? (next - now) / 1000000 + 1 : 100));
		if (r < 0) {
			fprintf(stderr, "proclife: reading events: %s\n", strerror(-r));
			goto cleanup;
		}
		metrics_file__tick(mf, l);
	}
	metrics_file__write(mf, l); /* the final values */
	say__summary(l, NULL);
	ret = 0;
cleanup:
	outbuf__free(&ob);
	live__free(l);
	metrics_file__free(mf);
	return ret;
}

int tree__main(int argc, char **argv)
{
	return run(argc, argv, true);
}

int zombies__main(int argc, char **argv)
{
	return run(argc, argv, false);
}
