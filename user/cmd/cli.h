/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The command line, from the tables of cmd/optable.c: the parser (getopt_long
 * with arrays built from the option table), every command's --help, and
 * the one style of errors.
 *
 * Errors: a usage error is one line on stderr,
 *     proclife CMD: WHAT (try 'proclife CMD --help')
 * and exit status 2; a failure at run time is one line,
 *     proclife CMD: WHAT
 * and exit status 1. For watch, the command of a bare `proclife`, CMD is
 * left out ("proclife: ..."; "try 'proclife --help'"). Messages from the
 * layers below go through base/msg.h ("proclife: ..." on stderr).
 */
#ifndef PROCLIFE_CLI_H
#define PROCLIFE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/outbuf.h"
#include "cmd/optable.h"

/* The help: options from this column on, lines of at most this many columns. */
#define CLI_HELP_COL 23
#define CLI_HELP_WIDTH 80

/* The command called name, or -1. */
int cli__find(const char *name);
/* "watch, tree, ..., features": every command's name. The length written. */
size_t cli__command_names(char *buf, size_t size);
/*
 * The command's arguments (argv[0]: its name) into c: OPTS_RUN, OPTS_HELP or
 * OPTS_VERSION (nothing printed: the caller prints), or -EINVAL with a
 * one-line reason in err. c refers to argv: argv must outlive it.
 */
int cli__parse(enum cmd_id id, int argc, char **argv, struct cli *c, char *err, size_t errlen);
/* Does command id take option o? */
static inline bool cli__takes(enum cmd_id id, const struct opt *o)
{
	return o->cmds & CMD_BIT(id);
}

/* `proclife CMD --help`. */
void cli__help(enum cmd_id id, struct outbuf *ob);
/* "-e, --events LIST", "--failed": how the help and the docs name option o. The length written. */
size_t cli__opt_head(const struct opt *o, char *buf, size_t size);
/* o's help with {events}, {values} and {range} replaced, and its default after it. The length written. */
size_t cli__opt_help(const struct opt *o, char *buf, size_t size);
/*
 * text into ob, words wrapped at width columns: the first line goes on
 * from column col, the next ones start at column indent. '\n' in text
 * breaks the line there.
 */
void cli__wrap(struct outbuf *ob, const char *text, int col, int indent, int width);

/* "proclife" for watch, else "proclife CMD": what its messages start with. */
const char *cli__who(enum cmd_id id);
/* A usage error, said in one line: returns 2, the exit status. */
int cli__usage_error(enum cmd_id id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failure at run time, said in one line: returns 1, the exit status. */
int cli__fail(enum cmd_id id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A note of the command's own, in the same form ("proclife CMD: WHAT"). */
void cli__say(enum cmd_id id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
