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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/live.h"
#include "views/life.h"
#include "views/life_json.h"
#include "views/life_text.h"
#include "cmd/life.h"
#include "cmd/options.h"

#define PID_MAX_LIMIT 4194304

struct life_opts {
	unsigned long pid;
	struct rec_cli rec; /* -r FILE ...; --since, --until */
	bool json;
};

static void usage(void)
{
	printf("Usage: proclife life PID -r FILE [--json]\n"
	       "One process's story from a recording (make one with 'proclife record -w FILE'): when it\n"
	       "was born and by whom, each exec, signals received (from whom, what became of them) and\n"
	       "sent, stops and continues, renames, adoption, exit status, who reaped it, and its\n"
	       "children. A pid that was reused has one story per life.\n"
	       "  -r, --read FILE      the recording (required: life has no live mode); -r again for\n"
	       "                       each piece of a rotated one (FILE.1 ...), in any order\n"
	       "      --since TIME     only from TIME on (TIME: +SEC from the start (s, m, h), @EPOCH,\n"
	       "                       YYYY-MM-DDTHH:MM:SS[.frac][Z], HH:MM:SS)\n"
	       "      --until TIME     only up to TIME\n"
	       "      --json           one JSON document: an array of lives\n"
	       "  -h, --help           this help\n");
}

enum { OPT_JSON = 0x400 };

/* 0: go; 1: the help was printed; -1: msg says what is wrong with the command line. */
static int parse_args(int argc, char **argv, struct life_opts *o, char *msg, size_t size)
{
	static const struct option longopts[] = {
		REC_CLI_READ_OPTS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct rec_cli *rc = &o->rec;
	char *end;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", longopts, NULL)) != -1) {
		r = rec_cli__option(rc, c, optarg, msg, size);
		if (r < 0)
			return -1;
		if (r)
			continue;
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			usage();
			return 1;
		default: /* ':' or '?' */
			opts__bad_option(c, argv, msg, size);
			return -1;
		}
	}
	if (optind >= argc) {
		snprintf(msg, size, "needs a PID");
		return -1;
	}
	errno = 0;
	o->pid = strtoul(argv[optind], &end, 10);
	if (*end || !*argv[optind] || *argv[optind] == '-' || errno || o->pid == 0 || o->pid > PID_MAX_LIMIT) {
		snprintf(msg, size, "PID must be a number from 1 to %d, not '%.32s'", PID_MAX_LIMIT, argv[optind]);
		return -1;
	}
	if (optind + 1 < argc) {
		snprintf(msg, size, "unexpected argument '%.32s'", argv[optind + 1]);
		return -1;
	}
	if (!rc->nread) {
		snprintf(msg, size, "needs --read FILE: life tells a story from a recording, it has no live mode "
				    "(record one with 'proclife record -w FILE')");
		return -1;
	}
	return 0;
}

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

/*
 * Replays the whole recording into set. 0, or -errno once it said why on
 * stderr (-EINVAL: a bad --since/--until); *replay_err is the replay's own verdict (a damaged file still
 * tells the story up to the damage, then exits 1).
 */
static int replay(struct life_opts *o, struct life_set *set, struct live **lp, int *replay_err)
{
	struct live_config cfg = { .model = true, .record = on_record, .ctx = set,
				   .model_cfg = { .derived = on_derived, .ctx = set } };
	struct live *l;
	char msg[256];
	int r;

	cfg.replay = o->rec.read;
	cfg.nreplay = o->rec.nread;
	if (live__new(&cfg, lp, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "proclife life: %s\n", msg);
		return -EIO;
	}
	l = *lp;
	/* --since: the story starts from the model then. */
	r = rec_cli__window(&o->rec, "proclife life", l);
	if (r < 0)
		return r;
	/* With --since, the story begins then: what was born before is known from the model, as before a recording. */
	life__init(set, o->pid, o->rec.since ? o->rec.since_ns : live__recording(l)->start_ns);
	if (seed(set, live__model(l)) < 0) {
		fprintf(stderr, "proclife life: out of memory\n");
		return -1;
	}
	while (!live__done(l))
		live__poll(l, 0);
	life__end(set, live__time(l));
	*replay_err = live__replay_result(l); /* it says what was wrong itself */
	if (rec_cli__window_end(&o->rec, "proclife life", l) < 0)
		*replay_err = -ERANGE;
	return 0;
}

int life__main(int argc, char **argv)
{
	struct life_opts o = {};
	struct life_set set = {};
	struct live *l = NULL;
	struct outbuf ob = {};
	char msg[256];
	int r, replay_err = 0, ret = 1;

	r = parse_args(argc, argv, &o, msg, sizeof(msg));
	if (r > 0)
		return 0;
	if (r < 0) {
		fprintf(stderr, "proclife life: %s (try 'proclife life --help')\n", msg);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is seen as EPIPE */
	r = replay(&o, &set, &l, &replay_err);
	if (r < 0) {
		ret = r == -EINVAL ? 2 : 1;
		goto out;
	}
	if (!set.n) {
		fprintf(stderr, "proclife life: pid %lu does not appear in %s%s\n", o.pid, o.rec.read[0],
			o.rec.nread > 1 ? " and the other pieces" : "");
		goto out;
	}
	if (set.lives_left_out)
		fprintf(stderr, "proclife life: pid %lu had %llu more lives, not shown (past %d)\n", o.pid,
			(unsigned long long)set.lives_left_out, LIFE_MAX_LIVES);
	if (outbuf__init(&ob, STDOUT_FILENO, 0) < 0) {
		fprintf(stderr, "proclife life: out of memory\n");
		goto out;
	}
	if (o.json)
		life_json__print(&ob, &set, live__wallclock(l));
	else
		life_text__print(&ob, &set, live__wallclock(l));
	if (outbuf__flush(&ob) < 0 && ob.err != -EPIPE) {
		fprintf(stderr, "proclife life: writing output: %s\n", strerror(-ob.err));
		goto out;
	}
	ret = replay_err < 0 ? 1 : 0;
out:
	outbuf__free(&ob);
	life__free(&set);
	live__free(l);
	return ret;
}
