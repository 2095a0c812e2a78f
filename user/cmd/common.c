// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/msg.h"
#include "kernel/tracer.h"
#include "record/recording.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/privs.h"
#include "cmd/say.h"
#include "cmd/sighup.h"

/* The longest wait for events: the loop looks at the stop flag and the clock this often. */
#define POLL_MS 100

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	stopping = 1;
}

/* Past the file size limit: write() fails with EFBIG, which the writers survive, instead of the default core dump. */
static void on_xfsz(int sig)
{
}

void cmd__signals(unsigned flags)
{
	struct sigaction sa = { .sa_handler = on_stop }, xfsz = { .sa_handler = on_xfsz };

	/* A handler, not SIG_IGN: an exec (run's CMD) gets the default back. */
	sigaction(SIGXFSZ, &xfsz, NULL);

	if (flags & CMD_SIG_STOP) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (flags & CMD_SIG_HUP_STOPS)
		sigaction(SIGHUP, &sa, NULL);
	else if (flags & CMD_SIG_HUP)
		sighup__catch();
	if (flags & CMD_SIG_PIPE)
		signal(SIGPIPE, SIG_IGN);
}

bool cmd__stopping(void)
{
	return stopping;
}

bool cmd__lean(const struct cli *c)
{
	bool metrics_only = c->cmd == CMD_WATCH && !c->events && c->metrics.file;

	if (c->rec.nread || c->rec.write)
		return false;
	return cmd_infos[c->cmd].needs == NEEDS_STATES || metrics_only;
}

int cmd__preflight(const struct cli *c)
{
	static bool passed; /* a command may ask before cmd_session__open() does */
	char msg[256];

	if (passed)
		return 0;
	if (tracer__preflight(msg, sizeof(msg)) < 0)
		return cli__fail(c->cmd, "%s", msg);
	passed = true;
	return 0;
}

const char *cmd__output_error(int err)
{
	return err == -ELOOP ? "it is a symlink (proclife writes no file through one: give the file itself)"
			     : strerror(-err);
}

int cmd__open_output(const struct cli *c, const char *path, bool append)
{
	int fd = sighup__open_output(path, !append);

	if (fd < 0)
		cli__fail(c->cmd, "cannot open %s: %s", path, cmd__output_error(fd));
	return fd < 0 ? -1 : fd;
}

/* ---- --since, --until ---- */

/* One of --since/--until: boot ns, checked against the recording's start. */
static int replay_time(const struct cli *c, const char *opt, const char *s, const struct rec_file_hdr *h,
		       const struct wallclock *wc, __u64 *ns)
{
	char when[WALLCLOCK_RFC3339_MAX];
	int r = parse_instant(s, h->start_ns, h->wall_offset_ns, ns);

	if (r == -EINVAL) {
		cli__usage_error(c->cmd, "%s needs %s, not '%.40s'", opt, REC_CLI_TIME_FORMS, s);
		return -EINVAL;
	}
	if (r == -ERANGE || *ns < h->start_ns) { /* -ERANGE: before the machine even booted */
		wallclock__rfc3339(wc, h->start_ns, when, sizeof(when));
		cli__fail(c->cmd, "%s %.40s is before the recording starts (%s)", opt, s, when);
		return -ERANGE;
	}
	return 0;
}

int cmd__replay_times(struct cli *c, const struct rec_file_hdr *h, const struct wallclock *wc)
{
	struct rec_cli *rc = &c->rec;
	int r;

	rc->since_ns = 0;
	rc->until_ns = ~0ull;
	if (rc->since && (r = replay_time(c, "--since", rc->since, h, wc, &rc->since_ns)) < 0)
		return r;
	if (rc->until && (r = replay_time(c, "--until", rc->until, h, wc, &rc->until_ns)) < 0)
		return r;
	if (rc->since_ns > rc->until_ns) {
		cli__usage_error(c->cmd, "--since %.40s is after --until %.40s", rc->since, rc->until);
		return -EINVAL;
	}
	return 0;
}

int cmd__replay_window_end(const struct cli *c, struct live *l)
{
	const struct rec_cli *rc = &c->rec;
	char when[WALLCLOCK_RFC3339_MAX];
	__u64 end = live__time(l);
	const char *opt = rc->since && rc->since_ns > end ? "--since" : rc->until && rc->until_ns > end ? "--until" : NULL;

	if (!opt || !live__done(l))
		return 0;
	wallclock__rfc3339(live__wallclock(l), end, when, sizeof(when));
	cli__fail(c->cmd, "%s %.40s is after the recording ends (%s)", opt, opt[2] == 's' ? rc->since : rc->until,
		  when);
	return -ERANGE;
}

/* --since: what came before builds the model unseen; the replay ends past --until. */
static int replay_window(struct cli *c, struct live *l)
{
	int r = cmd__replay_times(c, live__recording(l), live__wallclock(l));

	if (r < 0 || (!c->rec.since && !c->rec.until))
		return r;
	return live__replay_window(l, c->rec.since_ns, c->rec.until_ns);
}

/* ---- the session's callbacks: --metrics-file and the summary count everything, then the command's ---- */

static int on_record(void *ctx, const void *rec)
{
	struct cmd_session *s = ctx;

	metrics_file__record(s->metrics, rec);
	return s->own.record ? s->own.record(s->own.ctx, rec) : 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct cmd_session *s = ctx;

	s->derived[d->type]++;
	metrics_file__derived(s->metrics, d);
	if (s->own.model_cfg.derived)
		s->own.model_cfg.derived(s->own.model_cfg.ctx, d);
}

static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct cmd_session *s = ctx;

	if (s->own.lost)
		s->own.lost(s->own.ctx, type, count, now);
}

static void on_item(void *ctx, const struct rec_item *it)
{
	struct cmd_session *s = ctx;

	if (s->own.item)
		s->own.item(s->own.ctx, it);
}

static void on_snapshot(void *ctx, unsigned reason, const struct proc_snapshot *v, size_t n)
{
	struct cmd_session *s = ctx;

	if (s->own.snapshot)
		s->own.snapshot(s->own.ctx, reason, v, n);
}

/* A replayed recording's gap: the command's, else a line of its writer's. */
static void on_gap(void *ctx, const struct rec_gap *g)
{
	struct cmd_session *s = ctx;
	struct writer_gap wg = { .ts = g->ts, .since = g->since, .count = g->events, .recording = true,
				 .err = g->err };

	if (s->own.gap)
		s->own.gap(s->own.ctx, g);
	else if (s->writer)
		s->writer->gap(s->writer, &wg);
}

/* Replay: the recordings are open; the command's outputs now, then root is given up before they are read. */
static int on_opened(void *ctx)
{
	struct cmd_session *s = ctx;
	int r;

	if (s->opened && s->opened(s->ctx))
		return -1;
	r = privs__drop_root();
	if (r < 0) {
		cli__fail(s->cli->cmd, "cannot give up root to replay: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* The session's config: the command's, with -r, -w FILE and the callbacks above. */
static void wire(struct cmd_session *s)
{
	struct cli *c = s->cli;

	s->own = s->cfg;
	s->cfg.record = on_record;
	s->cfg.lost = on_lost;
	s->cfg.item = on_item;
	s->cfg.snapshot = on_snapshot;
	s->cfg.gap = on_gap;
	s->cfg.ctx = s;
	s->cfg.model_cfg.derived = on_derived;
	s->cfg.model_cfg.ctx = s;
	s->cfg.model_cfg.max_bytes = c->max_memory;
	s->cfg.replay = c->rec.read;
	s->cfg.nreplay = c->rec.nread;
	s->cfg.redact = s->redact;
	s->cfg.opened = on_opened;
	if (c->rec.write) {
		rec_cli__writer_opts(&c->rec, c->argc, c->argv, s->rec_flags, tracer_config__args_cap(&s->cfg.tracer),
				     &s->ro, s->command, sizeof(s->command));
		s->ro.seal_key = s->key.len ? &s->key : NULL;
		s->cfg.record_to = &s->ro;
	}
}

/* --redact and --redact-defaults compiled, --seal-key read. 0, or 1 once said. */
static int secrets_setup(struct cmd_session *s)
{
	struct cli *c = s->cli;
	char err[320];

	if (c->rec.seal_key && seal_key__load(c->rec.seal_key, &s->key, err, sizeof(err)) < 0)
		return cli__fail(c->cmd, "%s", err);
	if (!c->nredact && !c->redact_defaults)
		return 0;
	s->redact = redact__new();
	if (!s->redact || (c->redact_defaults && redact__add_defaults(s->redact) < 0))
		return cli__fail(c->cmd, "out of memory");
	for (unsigned i = 0; i < c->nredact; i++)
		if (redact__add(s->redact, c->redact[i], err, sizeof(err)) < 0)
			return cli__fail(c->cmd, "%s", err);
	return 0;
}

int cmd_session__open(struct cmd_session *s)
{
	struct cli *c = s->cli;
	char msg[320];
	int r;

	s->replay = c->rec.nread > 0;
	if (!s->replay && cmd__preflight(c))
		return 1;
	/* A file under ob: whole lines, and a failing disk survived (cmd_session.writer). */
	if (s->ob && s->writer)
		outbuf__lines(s->ob);
	if (secrets_setup(s))
		return 1;
	/* What the command needs of the kernel, and nothing more (cmd_info.needs). */
	s->cfg.tracer.lean = cmd__lean(c);
	s->cfg.tracer.counts = s->cfg.tracer.lean && c->metrics.file;
	if (c->metrics.file &&
	    metrics_file__new(&(struct metrics_file_config){ .path = c->metrics.file,
							     .interval_ns = c->metrics.interval_ns,
							     .threads = c->threads,
							     .output = s->ob && s->ob->line_mode ? s->ob : NULL,
							     .kernel_counts = s->cfg.tracer.counts },
			      &s->metrics) < 0)
		return cli__fail(c->cmd, "out of memory");
	wire(s);
	/* Before the slow part (load, /proc scan), so that an early Ctrl-C still ends cleanly. */
	cmd__signals(s->output || c->rec.write ? s->signals : s->signals & ~CMD_SIG_HUP);
	r = live__new(&s->cfg, &s->l, msg, sizeof(msg));
	if (r < 0)
		return msg[0] ? cli__fail(c->cmd, "%s", msg) : 1;
	metrics_file__write(s->metrics, s->l); /* at once: a scrape soon after the start finds it */
	if (s->replay && !s->own_window) {
		r = replay_window(c, s->l);
		if (r < 0)
			return r == -EINVAL ? 2 : 1;
	}
	return 0;
}

/* ---- the loop ---- */

static int wait_ms(__u64 now, __u64 until, int ms)
{
	if (until && until > now && (until - now) / 1000000 + 1 < (__u64)ms)
		return (until - now) / 1000000 + 1;
	return ms;
}

/* ob's failures are retried this often; one that comes back this soon after, with the same error, is said in short. */
#define OUTPUT_RETRY_NS 1000000000ull
#define OUTPUT_SAY_AGAIN_NS (600 * 1000000000ull)

static const char *output_name(const struct cmd_session *s)
{
	return s->output ? s->output : "the output";
}

/* The gap line, once ob takes writes again: what it could not, since when. */
static void mark_gap(void *ctx, uint64_t nlines)
{
	struct cmd_session *s = ctx;
	struct writer_gap g = { .ts = s->out_now, .since = s->out_since, .count = nlines, .err = -s->out_err };

	s->out_lines = nlines;
	s->writer->gap(s->writer, &g);
}

/*
 * ob, after a poll: flushed. A failing disk under it (lines mode) is said
 * once, tried again every OUTPUT_RETRY_NS, and once it writes again,
 * marked by a gap line and said. 0, or the error of an output that failed
 * for good (said at the end).
 */
static int output_poll(struct cmd_session *s, __u64 now)
{
	struct outbuf *ob = s->ob;
	int r;

	outbuf__flush(ob);
	if (ob->err)
		return ob->err;
	if (!ob->failing)
		return 0;
	if (!s->out_since) {
		if (s->out_resumed && now - s->out_resumed < OUTPUT_SAY_AGAIN_NS && ob->failing == s->out_err)
			msg__say(MSG_WARN, "writing %s fails again, as before; events go on, and writing is retried",
				 output_name(s));
		else
			msg__say(MSG_ERROR, "writing %s: %s; events go on: the lines it cannot take are counted and "
				 "dropped, and writing is retried every second", output_name(s), strerror(-ob->failing));
		s->out_since = now;
		s->out_err = ob->failing;
		s->out_next = now + OUTPUT_RETRY_NS;
		return 0;
	}
	if (now < s->out_next)
		return 0;
	s->out_next = now + OUTPUT_RETRY_NS;
	s->out_now = now;
	r = outbuf__resume(ob, mark_gap, s);
	if (r < 0)
		return r;
	if (r == 1) {
		msg__say(MSG_INFO, "writing %s again; %llu lines could not be written, and a gap line marks where",
			 output_name(s), (unsigned long long)s->out_lines);
		s->out_since = 0;
		s->out_resumed = now;
	}
	return 0;
}

static void on_sighup(struct cmd_session *s)
{
	/* Between two polls: every line written so far is whole, every record in the old file. */
	if (s->cli->rec.write)
		sighup__rotate_recording(s->l, s->cli->rec.write);
	if (s->ob && s->output)
		sighup__reopen_output(s->ob, s->output);
}

int cmd_session__loop(struct cmd_session *s)
{
	__u64 next = s->every_ns ? live__now() + s->every_ns : 0;
	int r;

	while (!cmd__stopping() && !(s->replay && live__done(s->l)) && !(s->done && s->done(s->ctx))) {
		__u64 now = live__now();

		if (s->deadline && now >= s->deadline)
			break;
		if (next && now >= next) {
			r = s->every(s->ctx);
			if (r)
				return r < 0;
			next += s->every_ns;
			continue;
		}
		r = live__poll(s->l, s->replay ? 0 : wait_ms(now, next, wait_ms(now, s->deadline, POLL_MS)));
		if (r < 0 && !s->replay)
			return cli__fail(s->cli->cmd, "reading events: %s", strerror(-r));
		if (sighup__take())
			on_sighup(s);
		if (s->ob && (s->writer ? output_poll(s, live__now()) : outbuf__flush(s->ob)) < 0)
			break; /* said at the end */
		if (s->stop_on_record_error && (!live__recorder(s->l) || rec_writer__error(live__recorder(s->l)))) {
			metrics_file__write(s->metrics, s->l); /* the last values */
			return 1; /* the recording failed: the session said why */
		}
		metrics_file__tick(s->metrics, s->l);
	}
	return 0;
}

/* ---- the end ---- */

/*
 * ob's last flush, and a write error said (not a closed pipe: the reader
 * went away, as with `| head`). A failing one is tried once more, whatever
 * the schedule, for its gap line.
 */
static int output_result(struct cmd_session *s)
{
	struct outbuf *ob = s->ob;

	if (!ob)
		return 0;
	if (s->writer && ob->failing) {
		if (!s->out_since)
			output_poll(s, live__now()); /* the failure was not said yet */
		s->out_next = 0;
		output_poll(s, live__now());
	}
	if ((outbuf__flush(ob) == 0 && !ob->err) || ob->err == -EPIPE)
		return 0;
	if (!ob->err)
		return cli__fail(s->cli->cmd, "writing %s: %s; its last %llu lines could not be written",
				 output_name(s), strerror(-ob->failing), (unsigned long long)ob->dropped);
	return cli__fail(s->cli->cmd, "writing %s: %s", s->output ? s->output : "output", strerror(-ob->err));
}

int cmd_session__close(struct cmd_session *s)
{
	int ret = 0;

	if (!s->replay)
		live__poll(s->l, 0); /* what came since the last poll */
	metrics_file__write(s->metrics, s->l); /* the final values */
	if (s->at_end && s->at_end(s->ctx) < 0)
		ret = 1;
	if (output_result(s))
		ret = 1;
	if (s->summary != SUMMARY_NONE)
		say__summary(s->l, s->summary == SUMMARY_DERIVED ? s->derived : NULL);
	if (s->replay && live__replay_result(s->l) < 0)
		ret = 1; /* said by the replay */
	if (s->replay && cmd__replay_window_end(s->cli, s->l) < 0)
		ret = 1;
	if (live__end_recording(s->l) < 0)
		ret = 1; /* said by the session */
	return ret;
}

void cmd_session__free(struct cmd_session *s)
{
	live__free(s->l);
	s->l = NULL;
	metrics_file__free(s->metrics);
	s->metrics = NULL;
	redact__free(s->redact);
	s->redact = NULL;
	seal_key__wipe(&s->key);
}
