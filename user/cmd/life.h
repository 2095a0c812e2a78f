/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_LIFE_H
#define PROCLIFE_CMD_LIFE_H

struct cli;

/* `proclife life PID -r FILE`. Its command line parsed (cmd/cli.h): the exit status. */
int life__main(struct cli *c);

#endif
