/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Counts by errno, for metrics labelled with an errno's name: each errno
 * up to ERRCOUNT_MAX on its own, anything else (above it, zero, negative)
 * as "other". The label set is bounded by the errno table (base/names.h),
 * never by what a kernel or a file returns.
 */
#ifndef PROCLIFE_ERRCOUNT_H
#define PROCLIFE_ERRCOUNT_H

#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define ERRCOUNT_MAX 134                /* errnos counted on their own: 1..ERRCOUNT_MAX */
#define ERRCOUNT_OTHER (ERRCOUNT_MAX + 1) /* the slot of every other value */

struct errcount {
	__u64 n[ERRCOUNT_OTHER + 1];
};

/* One more of err (positive or negative errno: the sign is ignored). */
static inline void errcount__add(struct errcount *c, int err)
{
	if (err < 0)
		err = -err;
	c->n[err > 0 && err <= ERRCOUNT_MAX ? err : ERRCOUNT_OTHER]++;
}

/*
 * The errors of a full or failing disk. A write that fails with one of
 * them is retried (a recording, -o FILE): space may come back, a disk may
 * be remounted, a file rotated away; and their metrics series exist from
 * the first write, so that an alert sees the first failure.
 */
static const int errcount_disk_errors[] = { ENOSPC, EDQUOT, EIO, EFBIG, EROFS };
#define ERRCOUNT_DISK_ERRORS (sizeof(errcount_disk_errors) / sizeof(errcount_disk_errors[0]))

static inline bool errcount__disk_error(int err)
{
	for (unsigned i = 0; i < ERRCOUNT_DISK_ERRORS; i++)
		if (errcount_disk_errors[i] == (err < 0 ? -err : err))
			return true;
	return false;
}

/*
 * After ENOSPC, writing is tried again only once the file system has this
 * much room: a disk full to its last block still takes a small write into
 * the slack of a file's last block, and a retry that succeeds on that
 * alone is followed by the next write failing (a gap marked every second
 * for nothing). A retry that finds less counts as one that failed.
 */
#define ERRCOUNT_RESUME_ROOM (256u << 10)

/*
 * The file system of fd (or, fd < 0, of path) has ERRCOUNT_RESUME_ROOM
 * free for this process (root: the reserved blocks too); true when it
 * cannot be told.
 */
static inline bool errcount__room(int fd, const char *path)
{
	struct statvfs v;
	unsigned long long avail;

	if (fd >= 0 ? fstatvfs(fd, &v) < 0 : !path || statvfs(path, &v) < 0)
		return true;
	avail = (unsigned long long)(geteuid() == 0 ? v.f_bfree : v.f_bavail) * v.f_frsize;
	return avail >= ERRCOUNT_RESUME_ROOM;
}

#endif
