/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_TOP_H
#define PROCLIFE_TOP_H

struct cli;

/* `proclife top`: the live tree, full screen. Its command line parsed (cmd/cli.h): the exit status. */
int top__main(struct cli *c);

#endif
