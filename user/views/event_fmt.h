/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The parts of an event every view says the same way: a wait status in
 * words and as JSON fields, and who sent a fatal signal. The kernel layer
 * decodes (exit_status__decode(), sig__origin()); saying is the views'.
 */
#ifndef PROCLIFE_EVENT_FMT_H
#define PROCLIFE_EVENT_FMT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/outbuf.h"
#include "views/json.h"

struct pl_killer;

/* How a killed process's core dump is said. */
enum exit_text_style {
	EXIT_TEXT_FULL,   /* "killed by SIGSEGV (core dumped)", as a shell says it */
	EXIT_TEXT_BRIEF,  /* "killed by SIGSEGV (core)", where room is short (a graph node, a tree line) */
};

/* Room for any event_fmt__status_str(), NUL included ("killed by SIGRTMIN+15 (core dumped)" is 35). */
#define EXIT_STATUS_TEXT_MAX 48

/*
 * A wait status in words: "exit 3", "killed by SIGTERM", "killed by SIGSEGV
 * (core dumped)". Written to buf (snprintf()'s rules), which it returns, for
 * a fixed-width column.
 */
const char *event_fmt__status_str(__u32 status, enum exit_text_style style, char *buf, size_t size);
/* The same into an outbuf. */
void event_fmt__status_text(struct outbuf *ob, __u32 status, enum exit_text_style style);
/*
 * The same as JSON fields: "exit_code":3,"term_signal":null,"core_dumped":false;
 * when it has not exited (the status means nothing yet), both null and
 * core_dumped false.
 */
void event_fmt__status_json(struct json *j, bool exited, __u32 status);
/*
 * Who sent a process its fatal signal, to follow its exit status:
 * " [kernel: oom]", " from 1234 (bash) [kill]" (the syscall when one is
 * known), or nothing when no killer was recorded. The comm is escaped.
 */
void event_fmt__killer_text(struct outbuf *ob, const struct pl_killer *k);

#endif
