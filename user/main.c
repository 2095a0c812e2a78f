// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* proclife: an eBPF process lifecycle tracer. Dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cmd/export.h"
#include "cmd/features.h"
#include "cmd/life.h"
#include "cmd/record.h"
#include "cmd/run.h"
#include "cmd/signals.h"
#include "cmd/top.h"
#include "cmd/tree.h"
#include "cmd/watch.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} commands[] = {
	{ "watch", watch__main },
	{ "tree", tree__main },
	{ "zombies", zombies__main },
	{ "top", top__main },
	{ "signals", signals__main },
	{ "run", run__main },
	{ "record", record__main },
	{ "life", life__main },
	{ "export", export__main },
	{ "features", features__main },
};

int main(int argc, char **argv)
{
	static char watch_name[] = "watch";

	/* No command, or options first: watch. */
	if (argc < 2 || argv[1][0] == '-') {
		argv[0] = watch_name;
		return watch__main(argc, argv);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "proclife: unknown command '%.32s' (commands: watch, tree, zombies, top, signals, run, record, life, export, features; try 'proclife --help')\n",
		argv[1]);
	return 2;
}
