/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_TREE_H
#define PROCLIFE_CMD_TREE_H

/* `proclife tree [PID] [--json]` and `proclife zombies [--json]`; argv[0] is the command. */
int tree__main(int argc, char **argv);
int zombies__main(int argc, char **argv);

#endif
