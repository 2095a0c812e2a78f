/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Reading ring-buffer records safely: a record's sizes are checked against
 * the record before anything trusts them, and helpers decode the variable
 * parts (filename, argv) and the wait status, and say the latter in words
 * and in JSON the one way every view does.
 */
#ifndef PROCLIFE_EVENT_H
#define PROCLIFE_EVENT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"

struct outbuf;

/* 0 if the record is a well-formed proclife event of size bytes, else -EBADMSG. */
int event__check(const void *rec, size_t size);

/* Filename of an exec or exec_failed record (checked); *len excludes the NUL. */
const char *event__filename(const void *rec, size_t *len);

/* Iterates the argument area of a checked exec record. */
struct argv_iter {
	const char *p, *end;
};

void argv_iter__init(struct argv_iter *it, const struct pl_exec *e);
/* Next argument: true and (*s, *len) set, or false at the end. */
bool argv_iter__next(struct argv_iter *it, const char **s, size_t *len);

/* A wait status, as the parent's wait() receives it. */
struct exit_status {
	bool exited;   /* WIFEXITED: code is valid */
	int code;      /* WEXITSTATUS */
	int sig;       /* WTERMSIG when killed, else 0 */
	bool core;     /* WCOREDUMP */
};

struct exit_status exit_status__decode(__u32 status);

/* How a killed process's core dump is said. */
enum exit_text_style {
	EXIT_TEXT_FULL,   /* "killed by SIGSEGV (core dumped)", as a shell says it */
	EXIT_TEXT_BRIEF,  /* "killed by SIGSEGV (core)", where room is short (a graph node, a tree line) */
};

/* Room for any exit_status__text(), NUL included ("killed by SIGRTMIN+15 (core dumped)" is 35). */
#define EXIT_STATUS_TEXT_MAX 48

/*
 * A wait status in words: "exit 3", "killed by SIGTERM", "killed by SIGSEGV
 * (core dumped)". Written to buf (snprintf()'s rules), which it returns, so
 * that a caller with an outbuf and one with a fixed-width column share it.
 */
const char *exit_status__text(__u32 status, enum exit_text_style style, char *buf, size_t size);

/*
 * The same as JSON fields, each after a comma: ,"exit_code":3,
 * "term_signal":null,"core_dumped":false; when it has not exited (the
 * status means nothing yet), both null and core_dumped false.
 */
void exit_status__json(struct outbuf *ob, bool exited, __u32 status);
/* "failed": a non-zero exit or death by a signal. */
bool exit_status__failed(__u32 status);

#endif
