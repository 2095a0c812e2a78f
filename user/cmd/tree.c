// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * One-shot views: attach, bootstrap the model from /proc, apply what the
 * kernel reported meanwhile, print, detach.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/msg.h"
#include "model/ctfilter.h"
#include "session/live.h"
#include "views/tree.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/tree.h"

struct snapshot {
	struct cli *c;
	bool tree;     /* tree, else zombies */
	struct live *l;
	struct outbuf ob;
	unsigned printed;
};

/* Live: what arrived while the session started (attach, then the /proc scan) applied. */
static void drain(struct live *l)
{
	for (int i = 0; i < 100 && live__poll(l, 0) > 0; i++)
		;
}

/* With --at: the instant, checked against the recording and --since/--until. 0 or the exit status, said. */
static int at_time(const struct cli *c, struct live *l, __u64 *at)
{
	const struct rec_file_hdr *h = live__recording(l);
	char when[WALLCLOCK_RFC3339_MAX];
	int r = parse_instant(c->at, h->start_ns, h->wall_offset_ns, at);

	if (r == -EINVAL)
		return cli__usage_error(c->cmd, "--at needs %s, not '%.40s'", REC_CLI_TIME_FORMS, c->at);
	wallclock__rfc3339(live__wallclock(l), h->start_ns, when, sizeof(when));
	if (r == -ERANGE || *at < h->start_ns) /* -ERANGE: before the machine even booted */
		return cli__fail(c->cmd, "--at %.40s is before the recording starts (%s)", c->at, when);
	if (*at < c->rec.since_ns || *at > c->rec.until_ns)
		return cli__usage_error(c->cmd, "--at %.40s is not within --since/--until", c->at);
	return 0;
}

/*
 * From a recording: the model as it was at --at (or --until), or at the
 * recording's end. 0; 1 when the recording is damaged (said: what was read
 * is shown); or the exit status, negated, once said.
 */
static int replay_to(struct cli *c, struct live *l)
{
	const char *at_opt = c->at ? "--at" : "--until", *at_s = c->at ? c->at : c->rec.until;
	char when[WALLCLOCK_RFC3339_MAX];
	__u64 at;
	int r = cmd__replay_times(c, live__recording(l), live__wallclock(l));

	if (r < 0)
		return r == -EINVAL ? -2 : -1;
	if (!at_s) {
		while (!live__done(l))
			live__poll(l, 0);
		return live__replay_result(l) < 0;
	}
	at = c->rec.until_ns;
	if (c->at && (r = at_time(c, l, &at)))
		return -r;
	live__replay_until(l, at);
	if (live__done(l) && at > live__time(l)) {
		wallclock__rfc3339(live__wallclock(l), live__time(l), when, sizeof(when));
		return -cli__fail(c->cmd, "%s %.40s is after the recording ends (%s)", at_opt, at_s, when);
	}
	return live__replay_result(l) < 0;
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

/* --container and the like: only what they pick. */
static bool keep(const void *ctx, const struct proc *p)
{
	const struct snapshot *sn = ctx;

	return ctfilter__judge(&sn->c->ctf, ctreg__subject(live__containers(sn->l), p->cgroup_id, p->cgroup1_id)) ==
	       CTV_YES;
}

static int print(struct snapshot *sn)
{
	const struct cli *c = sn->c;
	struct view_ctx v = { .m = live__model(sn->l), .wc = live__wallclock(sn->l), .now = live__time(sn->l),
			      .width = c->wide ? 0 : terminal_width(STDOUT_FILENO), .ct = live__containers(sn->l),
			      .keep = ctfilter__active(&c->ctf) ? keep : NULL, .keep_ctx = sn };
	const struct proc *root = NULL;

	/* Live: what each process used so far (a feature that is off was said at start). */
	if (!c->rec.nread && sn->tree)
		live__sample(sn->l);
	/* Live: no zombie /proc no longer has (reaps are seen at the release here, a little later). */
	if (!c->rec.nread)
		live__confirm_zombies(sn->l);

	if (c->operand_pid) {
		root = model__find(v.m, c->operand_pid);
		if (!root) {
			cli__fail(c->cmd, "no process %u", c->operand_pid);
			return -ESRCH;
		}
	}
	if (sn->tree && c->by_container && c->json)
		view_tree__by_container_json(&sn->ob, &v);
	else if (sn->tree && c->by_container)
		view_tree__by_container_text(&sn->ob, &v);
	else if (sn->tree && c->json)
		view_tree__json(&sn->ob, &v, root);
	else if (sn->tree)
		view_tree__text(&sn->ob, &v, root);
	else if (c->by_container && c->json)
		view_zombies__by_container_json(&sn->ob, &v);
	else if (c->by_container)
		view_zombies__by_container_text(&sn->ob, &v);
	else if (c->json)
		view_zombies__json(&sn->ob, &v);
	else
		view_zombies__text(&sn->ob, &v);
	return outbuf__flush(&sn->ob);
}

/* --every: one more print; 1 once --count prints were made. */
static int every(void *ctx)
{
	struct snapshot *sn = ctx;

	if (print(sn) < 0)
		return -1;
	return sn->c->count && ++sn->printed >= sn->c->count;
}

static int run(struct cli *c, bool tree)
{
	struct snapshot sn = { .c = c, .tree = tree };
	struct cmd_session s = { .cli = c, .own_window = true, .every_ns = c->every_ns, .every = every, .ctx = &sn,
				 .summary = SUMMARY_EVENTS };
	int r = 0, ret;

	s.cfg.model = true;
	s.cfg.tracer.sample = !c->rec.nread;
	if (c->every_ns)
		s.signals = CMD_SIG_STOP | CMD_SIG_PIPE;
	ret = cmd_session__open(&s);
	if (ret)
		goto out;
	sn.l = s.l;
	if (c->rec.nread)
		r = replay_to(c, s.l);
	else
		drain(s.l);
	if (r < 0 || outbuf__init(&sn.ob, STDOUT_FILENO, 1 << 20) < 0) {
		ret = r < 0 ? -r : cli__fail(c->cmd, "out of memory");
		goto out;
	}
	if (!c->every_ns) {
		ret = print(&sn) < 0 || r ? 1 : 0; /* a damaged recording: what could be read, then exit 1 */
		goto out;
	}
	msg__say(MSG_INFO, "following, a %s every %.3g s, Ctrl-C to stop", tree ? "tree" : "zombie list",
		 c->every_ns / 1e9);
	ret = cmd_session__loop(&s);
	if (!ret)
		ret = cmd_session__close(&s);
out:
	outbuf__free(&sn.ob);
	cmd_session__free(&s);
	return ret;
}

int tree__main(struct cli *c)
{
	return run(c, true);
}

int zombies__main(struct cli *c)
{
	return run(c, false);
}
