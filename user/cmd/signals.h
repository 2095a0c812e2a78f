/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_SIGNALS_H
#define PROCLIFE_CMD_SIGNALS_H

struct cli;

/* `proclife signals`: who sent which signal to whom, and what became of it. Its command line parsed (cmd/cli.h): the exit status. */
int signals__main(struct cli *c);

#endif
