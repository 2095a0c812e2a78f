// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * proclife: an eBPF process lifecycle tracer. Finds the command, parses its
 * command line from the option table (cmd/cli.h), and runs it.
 */
#include <stdio.h>
#include <unistd.h>

#include "base/outbuf.h"
#include "base/version.h"
#include "cmd/cli.h"
#include "cmd/export.h"
#include "cmd/features.h"
#include "cmd/life.h"
#include "cmd/record.h"
#include "cmd/run.h"
#include "cmd/signals.h"
#include "cmd/top.h"
#include "cmd/tree.h"
#include "cmd/verify.h"
#include "cmd/watch.h"

/* Each command's main, by the command table's order (cmd/optable.h). */
static int (*const mains[CMD_MAX])(struct cli *c) = {
	[CMD_WATCH] = watch__main,
	[CMD_TREE] = tree__main,
	[CMD_ZOMBIES] = zombies__main,
	[CMD_TOP] = top__main,
	[CMD_SIGNALS] = signals__main,
	[CMD_RUN] = run__main,
	[CMD_RECORD] = record__main,
	[CMD_LIFE] = life__main,
	[CMD_EXPORT] = export__main,
	[CMD_VERIFY] = verify__main,
	[CMD_FEATURES] = features__main,
};

static int help(enum cmd_id id)
{
	struct outbuf ob;

	if (outbuf__init(&ob, STDOUT_FILENO, 0) < 0)
		return cli__fail(id, "out of memory");
	cli__help(id, &ob);
	outbuf__flush(&ob);
	outbuf__free(&ob);
	return 0;
}

int main(int argc, char **argv)
{
	static char watch_name[] = "watch";
	static struct cli c; /* large (every -r FILE): not on the stack */
	char err[512], names[256];
	int id = CMD_WATCH, r;

	/* No command, or options first: watch. */
	if (argc < 2 || argv[1][0] == '-') {
		argv[0] = watch_name;
	} else {
		id = cli__find(argv[1]);
		if (id < 0 || !mains[id]) {
			cli__command_names(names, sizeof(names));
			return cli__usage_error(CMD_WATCH, "unknown command '%.32s' (commands: %s)", argv[1], names);
		}
		argc--;
		argv++;
	}
	r = cli__parse(id, argc, argv, &c, err, sizeof(err));
	if (r < 0)
		return cli__usage_error(id, "%s", err);
	if (r == OPTS_HELP)
		return help(id);
	if (r == OPTS_VERSION) {
		printf("proclife %s\n", PROCLIFE_VERSION);
		return 0;
	}
	return mains[id](&c);
}
