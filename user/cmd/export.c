// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife export --format perfetto|dot -r FILE [-o OUT]`: a recording
 * replayed (through the same model as live tracing) into a Perfetto trace
 * or a Graphviz graph. The processes of the recording's first snapshot are
 * given first, parents before children; then every record and derived
 * event in order, streamed to OUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/vec.h"
#include "session/live.h"
#include "views/export_dot.h"
#include "views/export_perfetto.h"
#include "views/tree.h"
#include "cmd/export.h"
#include "cmd/options.h"

enum format { FMT_NONE, FMT_PERFETTO, FMT_DOT };

struct exporter {
	enum format fmt;
	struct perfetto *pf;
	struct dot *dot;
	struct live *live;
};

static int on_record(void *ctx, const void *rec)
{
	struct exporter *x = ctx;

	if (x->pf)
		perfetto__record(x->pf, rec);
	else if (x->dot)
		dot__record(x->dot, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct exporter *x = ctx;

	if (x->pf)
		perfetto__derived(x->pf, d);
	else if (x->dot)
		dot__derived(x->dot, d);
	/* Given once the model is reconciled: it says who is gone. */
	if (d->type == DV_RESYNC && x->live) {
		if (x->pf)
			perfetto__resync(x->pf, live__model(x->live), d->ts);
		else if (x->dot)
			dot__resync(x->dot, live__model(x->live));
	}
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct exporter *x = ctx;

	if (x->pf)
		perfetto__lost(x->pf, type, count, now);
}

/* The snapshot's processes, parents before children (children oldest first). Iterative: trees can be deep. */
static int give_existing(struct exporter *x, const struct model *m)
{
	size_t nroots, n = 0, cap = 0, nk;
	__u32 *roots = model__roots(m, &nroots), *stack = NULL, *kids;

	if (!roots)
		return -ENOMEM;
	for (size_t i = nroots; i-- > 0;)
		if (!VEC_PUSH(stack, n, cap, roots[i]))
			goto oom;
	while (n) {
		const struct proc *p = model__slot(m, stack[--n]);

		if (x->pf)
			perfetto__existing(x->pf, p);
		else
			dot__existing(x->dot, p);
		kids = view__children(m, p, &nk);
		if (!kids)
			goto oom;
		for (size_t i = nk; i-- > 0;)
			if (!VEC_PUSH(stack, n, cap, kids[i])) {
				free(kids);
				goto oom;
			}
		free(kids);
	}
	free(roots);
	free(stack);
	return 0;
oom:
	free(roots);
	free(stack);
	return -ENOMEM;
}

static void usage(void)
{
	printf("Usage: proclife export --format perfetto|dot -r FILE [-o OUT] [OPTIONS]\n"
	       "Replay a recording (proclife record -w FILE) into another tool's format.\n"
	       "  -f, --format perfetto  Chrome JSON trace for ui.perfetto.dev: a track per process (in tree\n"
	       "                         order, a flow arrow from each fork), slices split at each exec,\n"
	       "                         instants for signals, stops, continues, exit and reap; times in\n"
	       "                         microseconds since the recording started\n"
	       "  -f, --format dot       the process tree as a Graphviz digraph, states as styles\n"
	       "  -r, --read FILE        the recording; -r again for each piece of a rotated one\n"
	       "                         (FILE.1 ...), in any order: replayed as one\n"
	       "      --since TIME       only from TIME on (TIME: +SEC from the start (s, m, h), @EPOCH,\n"
	       "                         YYYY-MM-DDTHH:MM:SS[.frac][Z], HH:MM:SS): the processes then first\n"
	       "      --until TIME       only up to TIME\n"
	       "  -o, --output OUT       write to OUT (created mode 0600, replaced) instead of stdout\n"
	       "  -p, --pid PID          only PID and its descendants\n"
	       "      --kthreads         kernel threads too (left out by default)\n");
}

enum { OPT_KTHREADS = 0x400 };

int export__main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		REC_CLI_READ_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "kthreads", no_argument, NULL, OPT_KTHREADS },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct exporter x = {};
	struct live_config cfg = { .model = true, .record = on_record, .lost = on_lost, .ctx = &x,
				   .model_cfg = { .derived = on_derived, .ctx = &x } };
	const struct rec_file_hdr *h;
	const char *out_path = NULL;
	struct rec_cli rc = {};
	struct outbuf ob = {};
	struct live *l = NULL;
	unsigned long pid = 0;
	bool kthreads = false;
	char msg[512], *end;
	int c, r, rr, fd = STDOUT_FILENO, ret = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:r:o:p:h", longopts, NULL)) != -1) {
		r = rec_cli__option(&rc, c, optarg, msg, sizeof(msg));
		if (r < 0)
			goto usage_error;
		if (r)
			continue;
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "perfetto"))
				x.fmt = FMT_PERFETTO;
			else if (!strcmp(optarg, "dot"))
				x.fmt = FMT_DOT;
			else {
				snprintf(msg, sizeof(msg), "unknown format '%.32s' (perfetto or dot)", optarg);
				goto usage_error;
			}
			break;
		case 'o':
			if (!*optarg) {
				snprintf(msg, sizeof(msg), "--output needs a file name");
				goto usage_error;
			}
			out_path = optarg;
			break;
		case 'p':
			errno = 0;
			pid = strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || errno || pid == 0 || pid > INT_MAX) {
				snprintf(msg, sizeof(msg), "--pid needs a process id, not '%.32s'", optarg);
				goto usage_error;
			}
			break;
		case OPT_KTHREADS:
			kthreads = true;
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
	if (x.fmt == FMT_NONE) {
		snprintf(msg, sizeof(msg), "export needs --format perfetto or --format dot");
		goto usage_error;
	}
	if (!rc.nread) {
		snprintf(msg, sizeof(msg), "export needs -r FILE, a recording (proclife record -w FILE)");
		goto usage_error;
	}

	/* The recording first: a file that cannot be read leaves OUT alone. */
	cfg.replay = rc.read;
	cfg.nreplay = rc.nread;
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife export: %s\n", msg);
		return 1;
	}
	/* --since: the processes given first are the ones there then. */
	r = rec_cli__window(&rc, "proclife export", l);
	if (r < 0) {
		ret = r == -EINVAL ? 2 : 1;
		goto out;
	}
	if (out_path) {
		/* Mode 0600: it may hold every command line of the machine. */
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "proclife export: %s: %s\n", out_path, strerror(errno));
			goto out;
		}
	}
	if (outbuf__init(&ob, fd, 1 << 20) < 0)
		goto oom;
	h = live__recording(l);
	if (x.fmt == FMT_PERFETTO) {
		struct perfetto_opts po = { .origin_ns = h->start_ns, .wall_offset_ns = h->wall_offset_ns,
					    .only_pid = pid, .kthreads = kthreads };

		r = perfetto__new(&ob, &po, &x.pf);
	} else {
		struct dot_opts dopt = { .only_pid = pid, .kthreads = kthreads };

		r = dot__new(&ob, &dopt, &x.dot);
	}
	if (r < 0 || give_existing(&x, live__model(l)) < 0)
		goto oom;
	x.live = l;
	/* A failed output (full disk, closed pipe) stops the replay: it is said once, below. */
	while (!live__done(l) && !ob.err)
		live__poll(l, 0);
	rr = live__replay_result(l);
	r = x.pf ? perfetto__finish(x.pf, live__time(l)) : dot__finish(x.dot);
	if (r < 0)
		goto oom;
	r = outbuf__flush(&ob);
	if (r < 0) {
		fprintf(stderr, "proclife export: writing %s: %s\n", out_path ? out_path : "the output", strerror(-r));
		goto out;
	}
	/* A damaged recording: what could be read was written, and the reader said where it stopped. */
	ret = rr < 0 || rec_cli__window_end(&rc, "proclife export", l) < 0 ? 1 : 0;
	goto out;
oom:
	fprintf(stderr, "proclife export: out of memory\n");
out:
	perfetto__free(x.pf);
	dot__free(x.dot);
	outbuf__free(&ob);
	if (fd != STDOUT_FILENO && fd >= 0)
		close(fd);
	live__free(l);
	return ret;
usage_error:
	fprintf(stderr, "proclife export: %s (try 'proclife export --help')\n", msg);
	return 2;
}
