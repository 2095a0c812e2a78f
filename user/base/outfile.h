/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Output files (watch -o, run -o, run --summary-json, export -o), opened
 * with the care recordings get (record/writer.c): proclife runs as root and
 * writes argv, which may hold secrets, so
 *
 * - a symlink in the file's place is refused (O_NOFOLLOW): neither written
 *   through nor truncated, whoever planted it and wherever it points;
 * - a regular file is the owner's only: created 0600, and an existing one
 *   made 0600 (whatever the umask and the mode it had);
 * - what is not a regular file (a FIFO, a terminal, /dev/null) is written
 *   as it is: never truncated, never chmod'ed. /dev/stdout, /dev/stderr,
 *   /dev/fd/N and /proc/self/fd/N are the descriptor proclife already has
 *   (duplicated, not opened again through the link).
 *
 * Appended to (OUTFILE_APPEND), a regular file that ends in a partial
 * line (a writer killed mid-line, or one whose disk failed and could not
 * cut it back) is cut back to its last whole line, so that the first line
 * written is not glued to the half one: a stream of JSON lines stays one
 * JSON object per line.
 */
#ifndef PROCLIFE_OUTFILE_H
#define PROCLIFE_OUTFILE_H

#include <stdbool.h>

enum outfile_mode {
	OUTFILE_TRUNCATE, /* emptied (a regular file) */
	OUTFILE_APPEND,   /* added to */
};

/* Always O_APPEND (a logrotate copytruncate leaves no hole) and O_CLOEXEC. An fd, or -errno (-ELOOP: a symlink). */
int outfile__open(const char *path, enum outfile_mode mode);
/* A partial last line at most this long is cut; a longer one is ended with a newline instead. */
#define OUTFILE_LINE_MAX (4u << 20)
/*
 * fd (a regular file, readable) ends in a whole line, or is empty: a
 * partial last line cut (said, base/msg.h), else ended with a newline. 0 or -errno.
 */
int outfile__end_line(int fd, const char *path);

#endif
