// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * `proclife life PID -r FILE [--json]`: one process's story from a
 * recording, each life of a reused pid apart: born when and by whom, each
 * exec, signals received (from whom, what became of them) and sent, stops
 * and continues, renames, adoption, exit status, who reaped it, its
 * children. The replay goes through live, like every other -r, so the
 * story sees the records and the model's derived events in the order
 * every view does. views/life.c keeps what concerns the pid; views/life_text.c and
 * views/life_json.c print it; this file only reads the command line and wires
 * them together.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kernel/procfs.h"
#include "session/live.h"
#include "views/life.h"
#include "views/life_json.h"
#include "views/life_text.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/life.h"

static int on_record(void *ctx, const void *rec)
{
	life__record(ctx, rec);
	return 0;
}

static void on_derived(void *ctx, const struct derived_event *d)
{
	life__derived(ctx, d);
}

/* The pid was in the recording's first snapshot: its life began before the recording. */
static int seed(struct life_set *set, const struct model *m)
{
	const struct proc *p = model__find(m, set->pid), *parent;
	struct life_seed s = {};

	if (!p)
		return 0;
	parent = p->ppid ? model__find(m, p->ppid) : NULL;
	s.start_ns = p->start_ns;
	s.ppid = p->ppid;
	s.parent_comm = parent ? parent->comm : NULL;
	memcpy(s.comm, p->comm, PL_COMM_LEN);
	/* The bootstrap's only exec is /proc's cmdline, under an empty filename. */
	if (p->execs) {
		s.cmdline = p->execs->data + p->execs->filename_len;
		s.cmdline_len = p->execs->args_len;
		s.cmdline_truncated = p->execs->truncated;
	}
	s.state = p->state;
	s.status = p->status;
	return life__seed(set, &s);
}

/* A life with no event of its own (it only ran) is where the recording's scans last put it. */
static void cgroups_from_model(struct life_set *set, const struct model *m)
{
	const struct proc *p = model__find(m, set->pid);
	__u64 tick = procfs__tick_ns();

	for (size_t i = 0; p && i < set->n; i++) {
		struct life *l = &set->v[i];

		if (!l->cgroup_id && !l->cgroup1_id && l->start_ns / tick == p->start_ns / tick) {
			l->cgroup_id = p->cgroup_id;
			l->cgroup1_id = p->cgroup1_id;
		}
	}
}

/* The story, or why there is none. 0, or 1 once said. */
static int tell(const struct cli *c, struct life_set *set, struct live *l)
{
	struct outbuf ob;
	int ret = 0;

	if (!set->n)
		return cli__fail(c->cmd, "pid %u does not appear in %s%s", c->operand_pid, c->rec.read[0],
				 c->rec.nread > 1 ? " and the other pieces" : "");
	if (set->lives_left_out)
		cli__say(c->cmd, "pid %u had %llu more lives, not shown (past %d)", c->operand_pid,
			 (unsigned long long)set->lives_left_out, LIFE_MAX_LIVES);
	if (outbuf__init(&ob, STDOUT_FILENO, 0) < 0)
		return cli__fail(c->cmd, "out of memory");
	if (c->json)
		life_json__print(&ob, set, live__wallclock(l), live__containers(l));
	else
		life_text__print(&ob, set, live__wallclock(l), live__containers(l));
	if (outbuf__flush(&ob) < 0 && ob.err != -EPIPE)
		ret = cli__fail(c->cmd, "writing output: %s", strerror(-ob.err));
	outbuf__free(&ob);
	return ret;
}

int life__main(struct cli *c)
{
	struct life_set set = {};
	struct cmd_session s = { .cli = c, .signals = CMD_SIG_PIPE };
	int ret, replayed;

	s.cfg = (struct live_config){ .model = true, .record = on_record, .ctx = &set,
				      .model_cfg = { .derived = on_derived, .ctx = &set } };
	ret = cmd_session__open(&s);
	if (ret)
		goto out;
	/* With --since, the story begins then: what was born before is known from the model, as before a recording. */
	life__init(&set, c->operand_pid, c->rec.since ? c->rec.since_ns : live__recording(s.l)->start_ns);
	if (seed(&set, live__model(s.l)) < 0) {
		ret = cli__fail(c->cmd, "out of memory");
		goto out;
	}
	ret = cmd_session__loop(&s);
	if (ret)
		goto out;
	life__end(&set, live__time(s.l));
	cgroups_from_model(&set, live__model(s.l));
	/* A damaged file still tells the story up to the damage, then exits 1. */
	replayed = cmd_session__close(&s);
	ret = tell(c, &set, s.l);
	if (!ret)
		ret = replayed;
out:
	life__free(&set);
	cmd_session__free(&s);
	return ret;
}
