// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife watch`: every event, as a line of text or JSON, live or from a
 * recording. The session (cmd/common.c) does the rest: open -> configure ->
 * load -> attach -> poll -> cleanup, as in libbpf-bootstrap.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/msg.h"
#include "record/recording.h"
#include "model/filter.h"
#include "session/live.h"
#include "views/writer.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/watch.h"

#define OUTBUF_SIZE (1 << 20)

struct watch {
	struct filter filter;
	struct writer writer;
	struct outbuf ob;
	struct wallclock wc;
};

static int on_record(void *ctx, const void *rec)
{
	struct watch *w = ctx;

	if (filter__match(&w->filter, rec))
		w->writer.event(&w->writer, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	struct watch *w = ctx;

	if (filter__match_derived(&w->filter, d))
		w->writer.derived(&w->writer, d);
}

/* Lost events are never silent: each new loss becomes a line in the output. */
static void on_lost(void *ctx, unsigned type, __u64 count, __u64 now)
{
	struct watch *w = ctx;

	w->writer.lost(&w->writer, type, count, now);
}

/*
 * A recording holds everything, so that any question can be asked of it
 * later, and metrics describe the host: then the filters act here, not in
 * the kernel.
 */
static bool filters_here(const struct cli *c)
{
	return c->rec.nread || c->rec.write || c->metrics.file;
}

static void configure(const struct cli *c, struct watch *w, struct live_config *cfg)
{
	struct tracer_config *tc = &cfg->tracer;
	struct filter_spec spec = { .events = c->events, .uid = c->uid, .comm = c->comm,
				    .failed_only = c->failed_only, .setid_only = c->setid_only,
				    .by_auid = c->auid != PL_UID_ANY, .auid = c->auid,
				    .by_session = c->session != PL_UID_ANY, .session = c->session,
				    .by_tty = c->tty != PL_UID_ANY, .tty = c->tty, .ct = &c->ctf };

	tc->events = c->events & PL_EV_ALL;
	tc->threads = c->threads;
	tc->args_cap = c->args_cap;
	if (filters_here(c)) {
		tc->events = PL_EV_ALL;
		spec.follow_pid = c->pid; /* -p PID is the filter's to follow then */
	} else {
		tc->by_uid = c->uid != PL_UID_ANY;
		tc->uid = c->uid;
		tc->comm = c->comm;
		tc->failed_only = c->failed_only;
		tc->follow = c->pid > 0; /* in the kernel: children join in the fork program */
		tc->by_auid = spec.by_auid;
		tc->auid = c->auid;
		tc->by_session = spec.by_session;
		tc->session = c->session;
		tc->by_tty = spec.by_tty;
		tc->tty = c->tty;
		tc->setid_only = c->setid_only;
		tc->cgroup_filter = ctfilter__active(&c->ctf); /* verdicts per cgroup, once user space can tell */
	}
	/*
	 * Stop, continue, zombie and reparent events come from the process
	 * model; so do a cred event's old credentials where the kernel cannot say them.
	 */
	cfg->model = ((c->events & (DV_ALL | PL_EV_BIT(PL_EV_CRED))) && !c->failed_only) || filters_here(c);
	cfg->model_cfg = (struct model_config){ .zombie_after_ns = c->zombie_after_ns, .derived = on_derived, .ctx = w };
	cfg->record = on_record;
	cfg->lost = on_lost;
	cfg->ctx = w;
	filter__init(&w->filter, &spec);
	if (c->json)
		writer__init_json(&w->writer, &w->ob, &w->wc);
	else
		writer__init_text(&w->writer, &w->ob, &w->wc);
}

/* The session is up: the filter starts from its model (with --since, as it was then); -p PID followed. */
static int start(const struct cli *c, struct watch *w, struct live *l)
{
	int r;

	w->wc = *live__wallclock(l);
	w->writer.ct = live__containers(l);
	w->writer.model = live__model(l);
	filter__containers(&w->filter, live__containers(l), live__model(l));
	live__container_filter(l, &c->ctf);
	if (filter__seed(&w->filter, live__model(l)) < 0)
		return cli__fail(c->cmd, "out of memory");
	if (c->pid && !filters_here(c)) {
		r = live__follow(l, c->pid);
		if (r < 0)
			return cli__fail(c->cmd, "--pid %u: cannot follow it: %s", c->pid, strerror(-r));
	}
	if (c->events) /* -e none: metrics only, or a recording */
		w->writer.header(&w->writer);
	if (!c->rec.nread)
		msg__say(MSG_INFO, "tracing process lifecycle events%s%s, Ctrl-C to stop",
			 c->rec.write ? ", recording to " : "", c->rec.write ? c->rec.write : "");
	return 0;
}

int watch__main(struct cli *c)
{
	struct watch w = {};
	struct cmd_session s = { .cli = c, .signals = CMD_SIG_STOP | CMD_SIG_PIPE | CMD_SIG_HUP, .ob = &w.ob,
				 .output = c->output, .rec_flags = c->threads ? REC_F_THREADS : 0,
				 .summary = SUMMARY_DERIVED };
	int fd = STDOUT_FILENO, ret;

	if (!c->rec.nread && c->pid && kill(c->pid, 0) < 0 && errno == ESRCH)
		return cli__usage_error(c->cmd, "--pid: no process %u", c->pid);
	if (!c->rec.nread && cmd__preflight(c))
		return 1; /* before -o FILE is created */
	if (c->output && (fd = cmd__open_output(c, c->output, c->append)) < 0)
		return 1;
	if (outbuf__init(&w.ob, fd, OUTBUF_SIZE) < 0) {
		if (fd != STDOUT_FILENO)
			close(fd);
		return cli__fail(c->cmd, "out of memory");
	}
	configure(c, &w, &s.cfg);
	s.writer = &w.writer; /* gap lines: a failing -o FILE's, and a replayed recording's */
	ret = cmd_session__open(&s);
	if (!ret)
		ret = start(c, &w, s.l);
	if (!ret)
		ret = cmd_session__loop(&s);
	if (!ret)
		ret = cmd_session__close(&s);
	cmd_session__free(&s);
	filter__free(&w.filter);
	if (w.ob.fd != STDOUT_FILENO)
		close(w.ob.fd);
	outbuf__free(&w.ob);
	return ret;
}
