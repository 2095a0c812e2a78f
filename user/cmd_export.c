// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* `proclife export`: placeholder, being written. */
#include <stdio.h>

#include "cmd_export.h"

int export__main(int argc, char **argv)
{
	fprintf(stderr, "proclife export: not implemented yet\n");
	return 2;
}
