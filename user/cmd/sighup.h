/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What SIGHUP does to a long-running command that writes files (watch -o,
 * watch -w, record -w): the logrotate convention. The handler only sets a
 * flag; the command's loop, between two records, reopens its output
 * (sighup__reopen_output) and starts a new recording file
 * (sighup__rotate_recording), so that no line is cut and no event is lost or
 * written twice.
 */
#ifndef PROCLIFE_SIGHUP_H
#define PROCLIFE_SIGHUP_H

#include <stdbool.h>

#include "base/outbuf.h"
#include "session/live.h"

/*
 * Catch SIGHUP from now on (no SA_RESTART: a blocking poll returns at once,
 * so the loop acts within one poll).
 */
void sighup__catch(void);
/* A SIGHUP came since the last call (and is now taken). */
bool sighup__take(void);

/*
 * watch -o FILE: events hold argv, which may hold secrets, so FILE is
 * opened as base/outfile.h says (the owner's only, never through a
 * symlink). truncate: the first open (FILE starts empty); otherwise an
 * existing FILE is appended to (after its last whole line). Always
 * O_APPEND, so that whatever else truncates FILE (logrotate's
 * copytruncate) leaves no hole. An fd, or -errno.
 */
int sighup__open_output(const char *path, bool truncate);
/*
 * Open path again (a moved-away one is created anew), write what ob holds
 * to the old file, close it and go on in the new one. When path cannot be
 * opened, one line (base/msg.h) and ob keeps its file: nothing is lost, the
 * next SIGHUP tries again. A failing old file (ob in lines mode, its disk
 * full) does not keep ob there: what it could not take was counted, and
 * the new file gets the gap's mark once it takes writes. 0 or -errno.
 */
int sighup__reopen_output(struct outbuf *ob, const char *path);
/*
 * The recording to path: start a new file (path -> path.1 ...) and say so in
 * one line (base/msg.h). 0, or -errno (a failed recording is reported by the
 * session).
 */
int sighup__rotate_recording(struct live *l, const char *path);

#endif
