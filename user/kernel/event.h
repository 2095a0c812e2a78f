/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Reading ring-buffer records safely: a record's sizes are checked against
 * the record before anything trusts them, and helpers decode the variable
 * parts (filename, argv) and the wait status. Saying them is the views'
 * (views/event_fmt.h).
 */
#ifndef PROCLIFE_EVENT_H
#define PROCLIFE_EVENT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"

/* 0 if the record is a well-formed proclife event of size bytes, else -EBADMSG. */
int event__check(const void *rec, size_t size);

/* Filename of an exec or exec_failed record (checked); *len excludes the NUL. */
const char *event__filename(const void *rec, size_t *len);

/*
 * The working directory and the executable's path of a checked exec record
 * (*len excludes the NUL), or NULL when the record does not say (0 bytes:
 * a recording made before format 2.0).
 */
const char *event__exec_cwd(const struct pl_exec *e, size_t *len);
const char *event__exec_exe(const struct pl_exec *e, size_t *len);

/* Iterates the argument area of a checked exec record. */
struct argv_iter {
	const char *p, *end;
};

void argv_iter__init(struct argv_iter *it, const struct pl_exec *e);
/* Next argument: true and (*s, *len) set, or false at the end. */
bool argv_iter__next(struct argv_iter *it, const char **s, size_t *len);

/* A wait status, as the parent's wait() receives it. */
struct exit_status {
	bool known;    /* false: PL_STATUS_UNKNOWN (a zombie whose exit could not be read); the rest 0 */
	bool exited;   /* WIFEXITED: code is valid */
	int code;      /* WEXITSTATUS */
	int sig;       /* WTERMSIG when killed, else 0 */
	bool core;     /* WCOREDUMP */
};

struct exit_status exit_status__decode(__u32 status);

/* Death by a signal (a known status). */
bool exit_status__killed(__u32 status);

/* "failed": a non-zero exit or death by a signal (not an unknown status). */
bool exit_status__failed(__u32 status);

#endif
