// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife watch`: open -> configure -> load -> attach -> poll -> cleanup,
 * as in libbpf-bootstrap. Signal handlers only set a flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/names.h"
#include "model/filter.h"
#include "session/live.h"
#include "views/metrics_file.h"
#include "views/writer.h"
#include "cmd/options.h"
#include "cmd/say.h"
#include "cmd/sighup.h"
#include "cmd/watch.h"

#define POLL_MS 100
#define OUTBUF_SIZE (1 << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct watch {
	__u64 derived[DV_MAX];
	struct filter filter;
	struct writer writer;
	struct outbuf ob;
	struct wallclock wc;
	struct metrics_file *metrics; /* --metrics-file: counts everything, before the filters */
};

static int on_record(void *ctx, const void *rec)
{
	struct watch *w = ctx;

	metrics_file__record(w->metrics, rec);
	if (filter__match(&w->filter, rec))
		w->writer.event(&w->writer, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct watch *w = ctx;

	w->derived[d->type]++;
	metrics_file__derived(w->metrics, d);
	if (filter__match_derived(&w->filter, d))
		w->writer.derived(&w->writer, d);
}

/* Lost events are never silent: each new loss becomes a line in the output. */
static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct watch *w = ctx;

	w->writer.lost(&w->writer, type, count, now);
}

int watch__main(int argc, char **argv)
{
	struct live_config cfg = { .proc_root = "/proc" };
	struct tracer_config *tc = &cfg.tracer;
	struct rec_writer_opts ro;
	struct watch_opts o;
	struct watch w = {};
	struct live *l = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char msg[256], cmd[1024];
	int fd = STDOUT_FILENO, r, ret = 1;
	bool replay, user_filters;
	struct filter_spec spec;

	r = watch_opts__parse(argc, argv, &o, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s (try 'proclife --help')\n", msg);
		return 2;
	}
	if (r != OPTS_RUN)
		return 0;
	replay = o.rec.nread;
	/*
	 * A recording holds everything, so that any question can be asked of it later: filters act here.
	 * So do metrics, which describe the host.
	 */
	user_filters = replay || o.rec.write || o.metrics.file;
	if (!replay && o.pid > 0 && kill(o.pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "proclife: --pid: no process %d\n", o.pid);
		return 2;
	}
	r = replay ? 0 : tracer__preflight(msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	if (o.output) {
		fd = sighup__open_output(o.output, !o.append);
		if (fd < 0) {
			fprintf(stderr, "proclife: cannot open %s: %s\n", o.output, strerror(-fd));
			return 1;
		}
	}

	tc->events = o.events & PL_EV_ALL;
	tc->threads = o.threads;
	tc->args_cap = o.args_cap;
	if (user_filters) {
		tc->events = PL_EV_ALL;
	} else {
		tc->by_uid = o.uid != PL_UID_ANY;
		tc->uid = o.uid;
		tc->comm = o.comm;
		tc->failed_only = o.failed_only;
		tc->follow = o.pid > 0; /* in the kernel: children join in the fork program */
	}
	/* Stop, continue, zombie and reparent events come from the process model. */
	cfg.model = ((o.events & DV_ALL) && !o.failed_only) || user_filters;
	cfg.model_cfg = (struct model_config){ .zombie_after_ns = o.zombie_after_ns, .derived = on_derived, .ctx = &w };
	cfg.record = on_record;
	cfg.lost = on_lost;
	cfg.ctx = &w;
	cfg.replay = o.rec.read;
	cfg.nreplay = o.rec.nread;
	if (o.rec.write) {
		rec_cli__writer_opts(&o.rec, argc - 1, argv + 1, o.threads ? REC_F_THREADS : 0, o.args_cap, &ro, cmd,
				     sizeof(cmd));
		cfg.record_to = &ro;
	}

	r = outbuf__init(&w.ob, fd, OUTBUF_SIZE);
	if (r == 0 && o.metrics.file)
		r = metrics_file__new(&(struct metrics_file_config){ .path = o.metrics.file,
								     .interval_ns = o.metrics.interval_ns,
								     .threads = o.threads },
				      &w.metrics);
	if (r < 0) {
		fprintf(stderr, "proclife: out of memory\n");
		goto cleanup;
	}
	if (o.json)
		writer__init_json(&w.writer, &w.ob, &w.wc);
	else
		writer__init_text(&w.writer, &w.ob, &w.wc);
	spec = watch_opts__filter_spec(&o, user_filters);
	filter__init(&w.filter, &spec);

	/* Before the slow part (load, /proc scan), so an early Ctrl-C still ends cleanly. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is seen as EPIPE and ends the run */
	/* SIGHUP reopens -o FILE and rotates -w FILE (logrotate); with neither, it ends the run as it always did. */
	if (o.output || o.rec.write)
		sighup__catch();
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		goto cleanup;
	}
	w.wc = *live__wallclock(l);
	/* --since: what came before builds the model unseen; the filter starts from the model then. */
	r = replay ? rec_cli__window(&o.rec, "proclife", l) : 0;
	if (r < 0) {
		ret = r == -EINVAL ? 2 : 1;
		goto cleanup;
	}
	if (filter__seed(&w.filter, live__model(l)) < 0) {
		fprintf(stderr, "proclife: out of memory\n");
		goto cleanup;
	}
	if (o.pid > 0 && !replay && !user_filters) {
		r = live__follow(l, o.pid);
		if (r < 0) {
			fprintf(stderr, "proclife: --pid %d: cannot follow it: %s\n", o.pid, strerror(-r));
			goto cleanup;
		}
	}

	metrics_file__write(w.metrics, l); /* at once: a scrape soon after the start finds it */
	w.writer.header(&w.writer);
	if (!replay)
		fprintf(stderr, "proclife: tracing process lifecycle events%s%s, Ctrl-C to stop\n",
			o.rec.write ? ", recording to " : "", o.rec.write ? o.rec.write : "");
	while (!stop && !(replay && live__done(l))) {
		r = live__poll(l, POLL_MS);
		if (r < 0 && !replay) {
			fprintf(stderr, "proclife: reading events: %s\n", strerror(-r));
			goto cleanup;
		}
		if (sighup__take()) {
			/* Between two polls: every line written so far is whole, every record in the old file. */
			if (o.rec.write)
				sighup__rotate_recording(l, o.rec.write);
			if (o.output) {
				sighup__reopen_output(&w.ob, o.output);
				fd = w.ob.fd;
			}
		}
		if (outbuf__flush(&w.ob) < 0)
			break;
		metrics_file__tick(w.metrics, l);
	}
	if (!replay)
		live__poll(l, 0);
	metrics_file__write(w.metrics, l); /* the final values */
	outbuf__flush(&w.ob);
	if (w.ob.err && w.ob.err != -EPIPE)
		fprintf(stderr, "proclife: writing %s: %s\n", o.output ? o.output : "output",
			strerror(-w.ob.err));
	say__summary(l, w.derived);
	ret = w.ob.err && w.ob.err != -EPIPE ? 1 : 0;
	if (replay && live__replay_result(l) < 0)
		ret = 1;
	if (replay && rec_cli__window_end(&o.rec, "proclife", l) < 0)
		ret = 1;
	if (live__end_recording(l) < 0)
		ret = 1;

cleanup:
	live__free(l);
	filter__free(&w.filter);
	metrics_file__free(w.metrics);
	outbuf__free(&w.ob);
	if (fd != STDOUT_FILENO)
		close(fd);
	return ret;
}
