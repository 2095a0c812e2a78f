/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_EXPORT_H
#define PROCLIFE_CMD_EXPORT_H

struct cli;

/* `proclife export --format perfetto|dot -r FILE`. Its command line parsed (cmd/cli.h): the exit status. */
int export__main(struct cli *c);

#endif
