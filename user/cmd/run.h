/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_RUN_H
#define PROCLIFE_CMD_RUN_H

/* `proclife run [OPTIONS] -- CMD [ARGS...]`: argv[0] is "run". Returns CMD's exit status. */
int run__main(int argc, char **argv);

#endif
