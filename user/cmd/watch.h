/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_WATCH_H
#define PROCLIFE_WATCH_H

/* `proclife watch`: argv[0] is "watch". Returns the process exit status. */
int watch__main(int argc, char **argv);

#endif
