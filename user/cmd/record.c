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
#include "cmd/options.h"
#include "cmd/record.h"
#include "cmd/sighup.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
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
	       "  -d, --duration SEC   stop after SEC seconds\n",
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
		{}
	};
	struct live_config cfg = { .proc_root = "/proc", .model = true };
	struct sigaction sa = { .sa_handler = on_signal };
	struct rec_cli rc = { .hup_rotates = true };
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
	if (rec_cli__check(&rc, msg, sizeof(msg)))
		goto usage_error;

	r = tracer__preflight(msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	rec_cli__writer_opts(&rc, argc, argv, threads ? REC_F_THREADS : 0, args_cap, &ro, cmd, sizeof(cmd));
	cfg.record_to = &ro;
	cfg.tracer = (struct tracer_config){ .events = PL_EV_ALL, .threads = threads, .args_cap = args_cap };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sighup__catch(); /* a new file, as a rotation: logrotate and systemctl reload */
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		goto cleanup;
	}
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
		if (!live__recorder(l) || rec_writer__error(live__recorder(l)))
			goto cleanup; /* the recording failed: said already; nothing else to do */
	}
	live__poll(l, 0);
	live__print_summary(l, NULL);
	ret = live__end_recording(l) < 0 ? 1 : 0;
cleanup:
	live__free(l);
	return ret;
usage_error:
	fprintf(stderr, "proclife record: %s (try 'proclife record --help')\n", msg);
	return 2;
}
