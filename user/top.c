// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* `proclife top`: placeholder until the live view lands. */
#include <stdio.h>

#include "top.h"

int top__main(int argc, char **argv)
{
	fprintf(stderr, "proclife top: not built yet\n");
	return 1;
}
