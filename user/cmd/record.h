/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_RECORD_H
#define PROCLIFE_CMD_RECORD_H

struct cli;

/* `proclife record -w FILE`. Its command line parsed (cmd/cli.h): the exit status. */
int record__main(struct cli *c);

#endif
