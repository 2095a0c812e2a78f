/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef PROCLIFE_VERSION_H
#define PROCLIFE_VERSION_H

#define PROCLIFE_VERSION "0.1.0"

#endif
