/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_LIFE_H
#define PROCLIFE_CMD_LIFE_H

int life__main(int argc, char **argv);

#endif
