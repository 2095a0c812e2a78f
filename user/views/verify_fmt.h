/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * `proclife verify`: what was found of each file and of the set, one line
 * per file (and one for a set of several), or one JSON document.
 */
#ifndef PROCLIFE_VERIFY_FMT_H
#define PROCLIFE_VERIFY_FMT_H

#include "base/outbuf.h"
#include "record/verify.h"

/* The word of a verdict: "whole", "cut", "unsealed", "altered", "unreadable". */
const char *verify_fmt__verdict(enum rec_verdict v);
/* v: the n files, in the order rec_verify__set() put them; keyed: a seal key was given. */
void verify_fmt__text(struct outbuf *ob, const struct rec_check *v, size_t n, bool keyed);
void verify_fmt__json(struct outbuf *ob, const struct rec_check *v, size_t n, bool keyed);

#endif
