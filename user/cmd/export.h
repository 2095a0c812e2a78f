/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_EXPORT_H
#define PROCLIFE_CMD_EXPORT_H

int export__main(int argc, char **argv);

#endif
