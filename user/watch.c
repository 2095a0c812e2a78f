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
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "filter.h"
#include "names.h"
#include "options.h"
#include "tracer.h"
#include "watch.h"
#include "writer.h"

#define POLL_MS 100
#define OUTBUF_SIZE (1 << 20)
/* Batch ring-buffer wakeups: the consumer also drains every POLL_MS. */
#define WAKEUP_BYTES (256 << 10)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct watch {
	struct filter filter;
	struct writer writer;
	struct outbuf ob;
	struct wallclock wc;
	__u64 seen[PL_EV_MAX];
	__u64 malformed;
	__u64 lost[PL_EV_MAX]; /* reported so far */
};

static __u64 now_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct watch *w = ctx;
	const struct pl_hdr *h = data;

	if (event__check(data, size)) {
		w->malformed++;
		return 0;
	}
	w->seen[h->type]++;
	if (filter__match(&w->filter, data))
		w->writer.event(&w->writer, data);
	return 0;
}

/* Lost events are never silent: each new loss becomes a line in the output. */
static void report_lost(struct watch *w, struct tracer *t)
{
	__u64 lost[PL_EV_MAX];

	tracer__lost(t, lost);
	for (int i = 1; i < PL_EV_MAX; i++) {
		if (lost[i] > w->lost[i]) {
			w->writer.lost(&w->writer, i, lost[i] - w->lost[i], now_boot_ns());
			w->lost[i] = lost[i];
		}
	}
}

static void print_summary(const struct watch *w)
{
	__u64 total = 0, lost = 0;

	for (int i = 1; i < PL_EV_MAX; i++) {
		total += w->seen[i];
		lost += w->lost[i];
	}
	fprintf(stderr, "proclife: %llu events seen (", (unsigned long long)total);
	for (int i = 1; i < PL_EV_MAX; i++)
		fprintf(stderr, "%s%s %llu", i > 1 ? ", " : "", names__event(i), (unsigned long long)w->seen[i]);
	fprintf(stderr, "), %llu lost", (unsigned long long)lost);
	if (lost) {
		const char *sep = " (";
		for (int i = 1; i < PL_EV_MAX; i++) {
			if (w->lost[i]) {
				fprintf(stderr, "%s%s %llu", sep, names__event(i), (unsigned long long)w->lost[i]);
				sep = ", ";
			}
		}
		fprintf(stderr, ")");
	}
	if (w->malformed)
		fprintf(stderr, ", %llu malformed", (unsigned long long)w->malformed);
	fprintf(stderr, "\n");
}

static int open_output(const char *path)
{
	/* Events hold argv, which may hold secrets: readable by the owner only. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

int watch__main(int argc, char **argv)
{
	struct tracer_config cfg = {};
	struct watch_opts o;
	struct watch w = {};
	struct tracer *t = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char msg[256];
	int fd = STDOUT_FILENO, r, ret = 1;

	r = watch_opts__parse(argc, argv, &o, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s (try 'proclife --help')\n", msg);
		return 2;
	}
	if (r != OPTS_RUN)
		return 0;
	if (o.pid > 0 && kill(o.pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "proclife: --pid: no process %d\n", o.pid);
		return 2;
	}
	r = tracer__preflight(msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		return 1;
	}
	if (o.output) {
		fd = open_output(o.output);
		if (fd < 0) {
			fprintf(stderr, "proclife: cannot open %s: %s\n", o.output, strerror(-fd));
			return 1;
		}
	}

	cfg.events = o.events;
	cfg.threads = o.threads;
	cfg.args_cap = o.args_cap;
	cfg.wakeup_bytes = WAKEUP_BYTES;
	cfg.uid = PL_UID_ANY;
	if (o.pid > 0) {
		/* Following needs every fork, and reaps to forget pids; filter here instead. */
		cfg.events |= PL_EV_BIT(PL_EV_FORK) | PL_EV_BIT(PL_EV_REAP);
	} else {
		cfg.uid = o.uid;
		cfg.comm = o.comm;
		cfg.failed_only = o.failed_only;
	}

	wallclock__init(&w.wc);
	r = outbuf__init(&w.ob, fd, OUTBUF_SIZE);
	if (r < 0) {
		fprintf(stderr, "proclife: out of memory\n");
		goto cleanup;
	}
	if (o.json)
		writer__init_json(&w.writer, &w.ob, &w.wc);
	else
		writer__init_text(&w.writer, &w.ob, &w.wc);

	r = tracer__new(&cfg, on_event, &w, &t, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "proclife: %s\n", msg);
		goto cleanup;
	}
	/* After attaching, so a process born meanwhile is either in /proc or seen forking. */
	r = filter__init(&w.filter, &o, "/proc");
	if (r < 0) {
		fprintf(stderr, "proclife: --pid %d: cannot read /proc: %s\n", o.pid, strerror(-r));
		goto cleanup;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is seen as EPIPE and ends the run */

	w.writer.header(&w.writer);
	fprintf(stderr, "proclife: tracing process lifecycle events, Ctrl-C to stop\n");
	while (!stop) {
		r = tracer__poll(t, POLL_MS);
		if (r < 0) {
			fprintf(stderr, "proclife: reading events: %s\n", strerror(-r));
			goto cleanup;
		}
		report_lost(&w, t);
		if (outbuf__flush(&w.ob) < 0)
			break;
	}
	tracer__consume(t);
	report_lost(&w, t);
	outbuf__flush(&w.ob);
	if (w.ob.err && w.ob.err != -EPIPE)
		fprintf(stderr, "proclife: writing %s: %s\n", o.output ? o.output : "output",
			strerror(-w.ob.err));
	print_summary(&w);
	ret = w.ob.err && w.ob.err != -EPIPE ? 1 : 0;

cleanup:
	tracer__free(t);
	filter__free(&w.filter);
	outbuf__free(&w.ob);
	if (fd != STDOUT_FILENO)
		close(fd);
	return ret;
}
