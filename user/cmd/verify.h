/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_CMD_VERIFY_H
#define PROCLIFE_CMD_VERIFY_H

#include "cmd/optable.h"

/* proclife verify [--seal-key FILE] [--json] FILE...: the exit status. */
int verify__main(struct cli *c);

#endif
