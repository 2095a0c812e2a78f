/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_SIGNALS_H
#define PROCLIFE_CMD_SIGNALS_H

/* `proclife signals`: argv[0] is "signals". Returns the exit status. */
int signals__main(int argc, char **argv);

#endif
