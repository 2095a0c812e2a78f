/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Secrets kept out of everything a session passes on (--redact,
 * --redact-defaults; base/redact.h): the argv and filenames of exec records
 * and the cmdlines of /proc scans are rewritten before the model, the
 * command's views or the recording see them.
 */
#ifndef PROCLIFE_SECRETS_H
#define PROCLIFE_SECRETS_H

#include <stddef.h>

#include "base/redact.h"
#include "kernel/procfs.h"

/* Room for any exec record once redacted: its fixed part, a whole filename and a whole argument area. */
#define SECRETS_EVENT_MAX (sizeof(struct pl_exec) + PL_FILENAME_MAX + PL_ARGS_MAX)

/*
 * A checked event record with its filename and argv redacted: rec itself
 * when nothing matched (or it has neither), else its rewrite in buf
 * (SECRETS_EVENT_MAX bytes), *size set to the new size. A filename or argv
 * that grows past the format's limits is cut, and flagged as cut.
 */
const void *secrets__event(struct redact *r, const void *rec, size_t *size, void *buf);
/* Each process's cmdline redacted in place (a changed one is a new malloc'd buffer). 0 or -ENOMEM. */
int secrets__snapshot(struct redact *r, struct proc_snapshot *v, size_t n);
/* A C string redacted into out (cap bytes, NUL included; cut to fit): out, or s itself when nothing matched. */
const char *secrets__string(struct redact *r, const char *s, char *out, size_t cap);

#endif
