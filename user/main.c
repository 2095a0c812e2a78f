// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* proclife: an eBPF process lifecycle tracer. Dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "watch.h"

int main(int argc, char **argv)
{
	static char watch_name[] = "watch";

	/* No subcommand, or options first: watch. */
	if (argc < 2 || argv[1][0] == '-') {
		argv[0] = watch_name;
		return watch__main(argc, argv);
	}
	if (!strcmp(argv[1], "watch"))
		return watch__main(argc - 1, argv + 1);
	fprintf(stderr, "proclife: unknown command '%.32s' (try 'proclife --help')\n", argv[1]);
	return 2;
}
