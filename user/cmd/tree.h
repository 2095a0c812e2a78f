/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_TREE_H
#define PROCLIFE_CMD_TREE_H

struct cli;

/* `proclife tree [PID]` and `proclife zombies`, their command line parsed (cmd/cli.h): the exit status. */
int tree__main(struct cli *c);
int zombies__main(struct cli *c);

#endif
