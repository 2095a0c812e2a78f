// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife signals`: an audit summary of signals: who sent which signal to
 * whom, how, what became of it, how often. Aggregated live; printed at the
 * end (Ctrl-C) and, with --every, while running. The rows and their printing
 * are views/signal_table's; the command keeps its filters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/msg.h"
#include "base/wallclock.h"
#include "model/filter.h"
#include "session/live.h"
#include "views/signal_table.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/signals.h"

struct signals {
	const struct cli *c; /* --signal, --pid, --failed: which rows; --sort, --json: how */
	struct signal_table t;
	struct wallclock wc;
	struct outbuf ob;
	struct live *l;
	struct filter f;     /* the container options */
};

static int on_record(void *ctx, const void *rec)
{
	struct signals *s = ctx;
	const struct pl_signal *e = rec;
	const struct proc *t;

	if (e->h.type != PL_EV_SIGNAL)
		return 0;
	if (s->c->sigs && (e->sig < 0 || e->sig > 63 || !(s->c->sigs & (1ull << e->sig))))
		return 0;
	if (s->c->pid && e->h.pid != s->c->pid && e->target_pid != s->c->pid)
		return 0;
	if (s->c->failed_only && !pl_signal_failed(e->sig, e->result))
		return 0;
	/* The sender's login user, session, terminal: in the kernel live, here for a recording. */
	if (s->c->auid != PL_UID_ANY || s->c->session != PL_UID_ANY || s->c->tty != PL_UID_ANY) {
		if ((e->h.flags & PL_F_NO_IDENTITY) || (s->c->auid != PL_UID_ANY && e->h.auid != s->c->auid) ||
		    (s->c->session != PL_UID_ANY && e->h.session != s->c->session) ||
		    (s->c->tty != PL_UID_ANY && e->h.tty != s->c->tty))
			return 0;
	}
	/* The target as the model has it: its cgroups, for the container options and its container. */
	t = s->l ? model__find(live__model(s->l), e->target_pid) : NULL;
	if (s->l && ctfilter__active(&s->c->ctf) && !filter__cgroups_ok(&s->f, e->h.cgroup_id, e->h.cgroup1_id) &&
	    !(t && filter__cgroups_ok(&s->f, t->cgroup_id, t->cgroup1_id)))
		return 0;
	signal_table__add(&s->t, e, t ? t->cgroup_id : 0, t ? t->cgroup1_id : 0);
	return 0;
}

static int print(struct signals *s, const __u64 *lost)
{
	signal_table__sort(&s->t, s->c->sort);
	if (s->c->json)
		signal_table__json(&s->t, &s->ob, &s->wc, lost);
	else
		signal_table__text(&s->t, &s->ob, lost);
	return outbuf__flush(&s->ob);
}

/* --every, and at the end: the table so far. */
static int print_now(void *ctx)
{
	struct signals *s = ctx;

	return print(s, live__lost(s->l)) < 0 ? -1 : 0;
}

int signals__main(struct cli *c)
{
	struct signals s = { .c = c };
	struct cmd_session ss = { .cli = c, .signals = CMD_SIG_STOP | CMD_SIG_PIPE, .every_ns = c->every_ns,
				  .every = print_now, .at_end = print_now, .ctx = &s, .ob = &s.ob,
				  .summary = c->rec.nread ? SUMMARY_NONE : SUMMARY_EVENTS };
	int ret;

	ss.cfg.tracer = (struct tracer_config){ .events = PL_EV_BIT(PL_EV_SIGNAL),
						.by_auid = c->auid != PL_UID_ANY, .auid = c->auid,
						.by_session = c->session != PL_UID_ANY, .session = c->session,
						.by_tty = c->tty != PL_UID_ANY, .tty = c->tty };
	/* The targets' cgroups (which container a signal went to) are the model's. */
	ss.cfg.model = true;
	filter__init(&s.f, &(struct filter_spec){ .events = PL_EV_ALL, .uid = PL_UID_ANY, .ct = &c->ctf });
	ss.cfg.record = on_record;
	ss.cfg.ctx = &s;
	if (outbuf__init(&s.ob, STDOUT_FILENO, 1 << 20) < 0)
		return cli__fail(c->cmd, "out of memory");
	ret = cmd_session__open(&ss);
	if (!ret) {
		s.l = ss.l;
		s.wc = *live__wallclock(ss.l);
		s.t.ct = live__containers(ss.l);
		filter__containers(&s.f, live__containers(ss.l), live__model(ss.l));
		if (!ss.replay)
			msg__say(MSG_INFO, "auditing signals, Ctrl-C to stop and print the summary");
		ret = cmd_session__loop(&ss);
	}
	if (!ret)
		ret = cmd_session__close(&ss);
	cmd_session__free(&ss);
	outbuf__free(&s.ob);
	signal_table__free(&s.t);
	filter__free(&s.f);
	return ret;
}
