// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Benchmark of the collector without the kernel: a synthetic stream of
 * process lives (fork, exec, signal, deliver, exit, reap) through the model,
 * then through the model and the JSON writer (to /dev/null); the memory
 * the model holds at one million live processes; and recordings: the stream
 * written to a file (compressed blocks), then replayed from it into the model.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernel/event.h"
#include "record/recording.h"
#include "model/model.h"
#include "session/live.h"
#include "views/writer.h"

#define WINDOW 1000 /* processes alive at once */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static _Alignas(8) unsigned char exec_buf[sizeof(struct pl_exec) + 64];
static struct pl_fork fk;
static struct pl_exit ex;
static struct pl_reap rp;
static struct pl_signal sg;
static struct pl_deliver dl;

static void hdr(struct pl_hdr *h, unsigned type, const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->uid = 1000;
	h->gid = 1000;
	h->pidns = 4026531836u;
	strncpy(h->comm, comm, sizeof(h->comm) - 1);
}

static void templates(void)
{
	struct pl_exec *e = (void *)exec_buf;
	static const char data[] = "/usr/bin/true\0true\0--flag\0argument";

	hdr(&fk.h, PL_EV_FORK, "bash");
	hdr(&e->h, PL_EV_EXEC, "true");
	memcpy(e->data, data, sizeof(data));
	e->filename_len = 14;
	e->args_len = sizeof(data) - 14;
	e->args_size = e->args_len;
	e->argc = 3;
	hdr(&sg.h, PL_EV_SIGNAL, "true");
	sg.sig = 17;
	sg.info_code = 1;
	sg.info_kind = PL_INFO_SIGINFO;
	strcpy(sg.target_comm, "bash");
	hdr(&dl.h, PL_EV_DELIVER, "bash");
	dl.sig = 17;
	dl.action = PL_ACT_HANDLER;
	hdr(&ex.h, PL_EV_EXIT, "true");
	hdr(&rp.h, PL_EV_REAP, "true");
	rp.h.flags = PL_F_REAP_WAIT;
	strcpy(rp.reaper_comm, "bash");
}

typedef void (*sink_fn)(void *ctx, const void *rec);

/* Nanoseconds between two new processes of the stream. */
static __u64 spacing = 1000;

/* n events of process lives by parent 100; returns the number of events emitted. */
static unsigned long stream(unsigned long n, sink_fn sink, void *ctx)
{
	struct pl_exec *e = (void *)exec_buf;
	unsigned long done = 0, ts = 1000000000ull;
	__u32 next = 1000, oldest = 1000;

	while (done < n) {
		__u32 c = next++;

		ts += spacing;
		fk.h.pid = 100;
		fk.h.ppid = 1;
		fk.h.ts = ts;
		fk.child_pid = fk.child_tid = c;
		fk.child_start_ns = ts;
		fk.child_ppid = 100;
		sink(ctx, &fk);
		e->h.pid = e->h.tid = e->old_tid = c;
		e->h.ppid = 100;
		e->h.start_ns = ts;
		e->h.ts = ts + 1;
		sink(ctx, e);
		done += 2;
		if (next - oldest < WINDOW)
			continue;
		/* The oldest one exits, signals its parent, is reaped. */
		{
			__u32 o = oldest++;
			__u64 start = ts - (__u64)(next - 1 - o) * spacing;

			ex.h.pid = ex.h.tid = o;
			ex.h.ppid = 100;
			ex.h.start_ns = start;
			ex.h.ts = ts + 2;
			sink(ctx, &ex);
			sg.h.pid = sg.h.tid = o;
			sg.h.ppid = 100;
			sg.h.start_ns = start;
			sg.h.ts = ts + 3;
			sg.target_pid = sg.target_tid = 100;
			sink(ctx, &sg);
			dl.h.pid = dl.h.tid = 100;
			dl.h.ppid = 1;
			dl.h.ts = ts + 4;
			sink(ctx, &dl);
			rp.h.pid = rp.h.tid = o;
			rp.h.ppid = 100;
			rp.h.start_ns = start;
			rp.h.ts = ts + 5;
			rp.reaper_pid = rp.reaper_tid = 100;
			sink(ctx, &rp);
			done += 4;
		}
	}
	return done;
}

static size_t rec_size(const void *rec)
{
	const struct pl_hdr *h = rec;

	switch (h->type) {
	case PL_EV_FORK: return sizeof(struct pl_fork);
	case PL_EV_EXEC: {
		const struct pl_exec *e = rec;
		return sizeof(*e) + e->filename_len + e->args_len;
	}
	case PL_EV_EXIT: return sizeof(struct pl_exit);
	case PL_EV_REAP: return sizeof(struct pl_reap);
	case PL_EV_SIGNAL: return sizeof(struct pl_signal);
	case PL_EV_DELIVER: return sizeof(struct pl_deliver);
	}
	return sizeof(*h);
}

static void to_file(void *ctx, const void *rec)
{
	static __u64 last_tick;
	const struct pl_hdr *h = rec;

	rec_writer__event(ctx, rec, rec_size(rec));
	/* As a live recorder does: the model's timers run every 100 ms. */
	if (h->ts - last_tick >= 100000000ull) {
		rec_writer__tick(ctx, h->ts);
		last_tick = h->ts;
	}
}

static void to_model(void *ctx, const void *rec)
{
	model__apply(ctx, rec);
}

struct both {
	struct model *m;
	struct writer *w;
};

static void to_model_and_json(void *ctx, const void *rec)
{
	struct both *b = ctx;

	b->w->event(b->w, rec);
	model__apply(b->m, rec);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000, done;
	unsigned long nlive = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	/* Replay: long enough (4 x n: 270 s of recorded time by default) that most of it is steady state. */
	unsigned long nreplay = argc > 3 ? strtoul(argv[3], NULL, 10) : 4 * n;
	struct model_config cfg = {};
	struct wallclock wc = {};
	struct outbuf ob;
	struct writer w;
	struct model *m;
	struct rusage ru;
	double t;

	templates();
	if (getenv("REPLAY_ONLY")) /* profiling the replay alone */
		goto replay;
	/* 1. Into the model. */
	m = model__new(&cfg);
	t = now();
	done = stream(n, to_model, m);
	t = now() - t;
	printf("model_events %lu\nmodel_seconds %.6f\nmodel_events_per_s %.0f\n", done, t, done / t);
	model__free(m);

	/* 2. Into the model and the JSON writer, to /dev/null. */
	m = model__new(&cfg);
	outbuf__init(&ob, open("/dev/null", O_WRONLY), 1 << 20);
	writer__init_json(&w, &ob, &wc);
	t = now();
	done = stream(n, to_model_and_json, &(struct both){ m, &w });
	outbuf__flush(&ob);
	t = now() - t;
	printf("model_json_events %lu\nmodel_json_seconds %.6f\nmodel_json_events_per_s %.0f\n", done, t, done / t);
	outbuf__free(&ob);
	model__free(m);

	/* 3. One million live processes. */
	m = model__new(&cfg);
	for (__u32 i = 0; i < nlive; i++) {
		fk.h.pid = 100;
		fk.h.ppid = 1;
		fk.child_pid = fk.child_tid = 1000 + i;
		fk.child_start_ns = i;
		fk.child_ppid = 100;
		model__apply(m, &fk);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("live_processes %zu\nmodel_bytes_per_process %zu\nmaxrss_kib %ld\n", model__count(m),
	       model__memory(m) / model__count(m), ru.ru_maxrss);
	model__free(m);

replay:
	/*
	 * 4. Recording the stream, then replaying it into the model (one core,
	 * the file in page cache). Paced like a busy machine, 25,000 new
	 * processes a second, with the live recorder's 100 ms ticks: the model
	 * forgets reaped processes after its 60 s retention, as in a real replay.
	 */
	spacing = 40000;
	{
		char path[] = "/tmp/proclife-bench-XXXXXX", err[256];
		struct rec_writer_opts o = { .path = path, .force = true };
		struct live_config lc = { .model = true, .replay = (const char *const[]){ path }, .nreplay = 1 };
		struct rec_writer *rw;
		struct live *l;
		struct stat st;
		int fd = mkstemp(path);

		close(fd);
		if (rec_writer__open(&o, 0, 0, &rw, err, sizeof(err)) < 0) {
			fprintf(stderr, "collector: %s\n", err);
			return 1;
		}
		t = now();
		done = stream(nreplay, to_file, rw);
		rec_writer__close(rw, 0);
		t = now() - t;
		stat(path, &st);
		printf("record_events %lu\nrecord_events_per_s %.0f\nrecord_bytes_per_event %.2f\n", done, done / t,
		       (double)st.st_size / done);
		t = now();
		if (live__new(&lc, &l, err, sizeof(err)) < 0) {
			fprintf(stderr, "collector: %s\n", err);
			return 1;
		}
		while (!live__done(l))
			live__poll(l, 0);
		t = now() - t;
		done = 0;
		for (int i = 1; i < PL_EV_MAX; i++)
			done += live__seen(l)[i];
		printf("replay_events %lu\nreplay_events_per_s %.0f\n", done, done / t);
		live__free(l);
		unlink(path);
	}
	return 0;
}
