/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_RUN_H
#define PROCLIFE_CMD_RUN_H

struct cli;

/* `proclife run [OPTIONS] -- CMD [ARGS...]`, its command line parsed (cmd/cli.h): CMD's exit status. */
int run__main(struct cli *c);

#endif
