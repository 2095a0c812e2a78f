/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The option reference outside the binary, made from the option table
 * (cmd/optable.h): the man page's option lists (docs/proclife.8), the
 * page of every option (docs/OPTIONS.md) and the bash completion's lists
 * (tools/completion/proclife.bash). Each of those files holds regions
 * between two marker lines,
 *
 *     ... BEGIN GENERATED <name> ...
 *     ... END GENERATED <name> ...
 *
 * (in the file's own comment syntax) whose lines are made here; the rest
 * is written by hand. `make docs` rewrites the regions (tools/gendocs.c);
 * tests/unit/cmd/test_optdoc.c fails when a committed file differs from
 * what the table makes. The names:
 *
 *     man-options CMD... the mdoc list of the options of CMD (each CMD takes the same)
 *     completion         the bash completion's lists and option tables
 *     options-page       every command's options, and which command takes which
 */
#ifndef PROCLIFE_OPTDOC_H
#define PROCLIFE_OPTDOC_H

#include <stddef.h>

#include "base/outbuf.h"

/*
 * text (len bytes) into out, each region's lines made anew. The number of
 * regions, or -EINVAL with a one-line reason in err (an unknown name, a
 * BEGIN without its END).
 */
int optdoc__splice(const char *text, size_t len, struct outbuf *out, char *err, size_t errlen);

#endif
