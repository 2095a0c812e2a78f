/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_FEATURES_H
#define PROCLIFE_CMD_FEATURES_H

struct cli;

/* `proclife features`. Its command line parsed (cmd/cli.h): the exit status. */
int features__main(struct cli *c);

#endif
