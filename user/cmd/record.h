/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_RECORD_H
#define PROCLIFE_CMD_RECORD_H

int record__main(int argc, char **argv);

#endif
