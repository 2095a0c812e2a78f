/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_WATCH_H
#define PROCLIFE_WATCH_H

struct cli;

/* `proclife [watch]`: every event, live or from a recording. Its command line parsed (cmd/cli.h): the exit status. */
int watch__main(struct cli *c);

#endif
