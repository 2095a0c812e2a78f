// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* `proclife life PID -r FILE`: placeholder, being written. */
#include <stdio.h>

#include "cmd_life.h"

int life__main(int argc, char **argv)
{
	fprintf(stderr, "proclife life: not implemented yet\n");
	return 2;
}
