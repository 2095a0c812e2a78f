// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife record -w FILE`: record every process lifecycle event on the
 * machine, and nothing else: no output until it stops (Ctrl-C, SIGTERM,
 * --duration). Replay with `proclife watch|tree|zombies|signals|life|export -r FILE`.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/live.h"
#include "views/metrics_file.h"
#include "cmd/options.h"
#include "cmd/say.h"
#include "cmd/record.h"
#include "cmd/sighup.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
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

static void usage(void)
{
	printf("Usage: proclife record -w FILE [OPTIONS]\n"
	       "Record every process lifecycle event to FILE, quietly: a snapshot of the process table,\n"
	       "then every fork, exec, exit, reap and signal, compressed, in checksummed blocks written\n"
	       "at least once a second. Replay it with -r FILE (watch, tree, zombies, signals, run, life,\n"
	       "export). Ctrl-C or SIGTERM stops it, and the file ends cleanly. SIGHUP (systemctl reload)\n"
	       "starts a new file as --rotate-size does (FILE is kept as FILE.1, FILE.1 as FILE.2 ...).\n"
	       "  -w, --write FILE     the recording (created mode 0600; format: docs/RECORDING.md)\n"
	       "      --force          replace FILE if it exists (a symlink is replaced, never followed)\n"
	       "      --rotate-existing\n"
	       "                       keep an existing FILE as FILE.1 (as a rotation) instead of refusing\n"
	       "      --rotate-size N  start a new file past N bytes (suffix K, M, G): FILE.1, FILE.2 ...\n"
	       "      --rotate-count N files kept when FILE rotates, FILE included (default 10)\n"
	       "      --threads        also thread creation and thread exits\n"
	       "      --arg-bytes N    keep at most N bytes of each argv, 1..%d (default %d)\n"
	       "  -d, --duration SEC   stop after SEC seconds\n"
	       METRICS_CLI_HELP,
	       PL_ARGS_MAX, PL_ARGS_DEFAULT);
}

enum { OPT_THREADS = 0x400, OPT_ARG_BYTES };

int record__main(int argc, char **argv)
{
	static const struct option longopts[] = {
		REC_CLI_WRITE_OPTS,
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "arg-bytes", required_argument, NULL, OPT_ARG_BYTES },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		METRICS_CLI_OPTS,
		{}
	};
	struct live_config cfg = { .proc_root = "/proc", .model = true };
	struct sigaction sa = { .sa_handler = on_signal };
	struct rec_cli rc = { .hup_rotates = true };
	struct metrics_cli mc = {};
	struct metrics_file *mf = NULL;
	struct rec_writer_opts ro;
	struct live *l = NULL;
	__u64 duration = 0, until = 0, args_cap = PL_ARGS_DEFAULT;
	bool threads = false;
	char msg[256], cmd[1024], *end;
	int c, r, ret = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:d:h", longopts, NULL)) != -1) {
		r = rec_cli__option(&rc, c, optarg, msg, sizeof(msg));
		if (r == 0)
			r = metrics_cli__option(&mc, c, optarg, msg, sizeof(msg));
		if (r < 0)
			goto usage_error;
		if (r)
			continue;
		switch (c) {
		case OPT_THREADS:
			threads = true;
			break;
		case OPT_ARG_BYTES:
			args_cap = strtoull(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || args_cap == 0 || args_cap > PL_ARGS_MAX) {
				snprintf(msg, sizeof(msg), "--arg-bytes needs a number from 1 to %d, not '%.32s'",
					 PL_ARGS_MAX, optarg);
				goto usage_error;
			}
			break;
		case 'd':
			if (parse_seconds(optarg, &duration)) {
				snprintf(msg, sizeof(msg), "--duration needs seconds, 0.001 to 86400, not '%.32s'", optarg);
				goto usage_error;
			}
			break;
		case 'h':
			usage();
			return 0;
		default: /* ':' or '?' */
			opts__bad_option(c, argv, msg, sizeof(msg));
			goto usage_error;
		}
	}
	if (optind < argc) {
		snprintf(msg, sizeof(msg), "unexpected argument '%.32s'", argv[optind]);
		goto usage_error;
	}
	if (!rc.write) {
		snprintf(msg, sizeof(msg), "record needs --write FILE");
		goto usage_error;
	}
	if (rec_cli__check(&rc, msg, sizeof(msg)) || metrics_cli__check(&mc, false, msg, sizeof(msg)))
		goto usage_error;

	r = tracer__preflight(msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	rec_cli__writer_opts(&rc, argc, argv, threads ? REC_F_THREADS : 0, args_cap, &ro, cmd, sizeof(cmd));
	cfg.record_to = &ro;
	cfg.tracer = (struct tracer_config){ .events = PL_EV_ALL, .threads = threads, .args_cap = args_cap };
	if (mc.file) {
		if (metrics_file__new(&(struct metrics_file_config){ .path = mc.file, .interval_ns = mc.interval_ns,
								     .threads = threads },
				      &mf) < 0) {
			fprintf(stderr, "proclife: out of memory\n");
			return 1;
		}
		cfg.record = on_record;
		cfg.model_cfg.derived = on_derived;
		cfg.ctx = cfg.model_cfg.ctx = mf;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sighup__catch(); /* a new file, as a rotation: logrotate and systemctl reload */
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		goto cleanup;
	}
	metrics_file__write(mf, l); /* at once: a scrape soon after the start finds it */
	fprintf(stderr, "proclife: recording to %s, Ctrl-C to stop\n", rc.write);
	if (duration)
		until = live__now() + duration;
	while (!stop && (!until || live__now() < until)) {
		r = live__poll(l, 100);
		if (r < 0) {
			fprintf(stderr, "proclife: reading events: %s\n", strerror(-r));
			goto cleanup;
		}
		if (sighup__take())
			sighup__rotate_recording(l, rc.write);
		if (!live__recorder(l) || rec_writer__error(live__recorder(l))) {
			metrics_file__write(mf, l); /* the last values */
			goto cleanup; /* the recording failed: said already; nothing else to do */
		}
		metrics_file__tick(mf, l);
	}
	live__poll(l, 0);
	metrics_file__write(mf, l); /* the final values */
	say__summary(l, NULL);
	ret = live__end_recording(l) < 0 ? 1 : 0;
cleanup:
	live__free(l);
	metrics_file__free(mf);
	return ret;
usage_error:
	fprintf(stderr, "proclife record: %s (try 'proclife record --help')\n", msg);
	return 2;
}
