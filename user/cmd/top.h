/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_TOP_H
#define PROCLIFE_TOP_H

/* `proclife top`: argv[0] is "top". Returns the exit status. */
int top__main(int argc, char **argv);

#endif
