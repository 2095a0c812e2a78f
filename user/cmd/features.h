/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_FEATURES_H
#define PROCLIFE_CMD_FEATURES_H

int features__main(int argc, char **argv);

#endif
