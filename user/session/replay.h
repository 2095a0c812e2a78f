/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Playing a recording back: its records in order, up to a time, each
 * handed to the callbacks the player was opened with; the /proc scans in
 * it assembled whole first. The player knows nothing of who listens: the
 * live session (session/live.c) gives it these callbacks and calls it, so
 * the two do not include each other.
 */
#ifndef PROCLIFE_REPLAY_H
#define PROCLIFE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/procfs.h"
#include "record/recording.h"

struct replay_ops {
	/* A kernel event, checked by the reader (event__check). */
	void (*event)(void *ctx, const void *data, size_t size);
	/* A whole /proc scan (reason: enum rec_snap_reason), taken at ts. */
	void (*snapshot)(void *ctx, unsigned reason, const struct proc_snapshot *v, size_t n, __u64 ts);
	/* The recorder's timer ticked at ts. */
	void (*tick)(void *ctx, __u64 ts);
	/* The kernel lost count events of this type. */
	void (*lost)(void *ctx, unsigned type, __u64 count, __u64 ts);
	/* Every other record (run markers, features, the end of a scan before its snapshot, ...). */
	void (*item)(void *ctx, const struct rec_item *it);
};

struct replay;

/*
 * Open the recording at path, or in buf (len bytes) when path is NULL,
 * and read its header. Nothing is played yet. 0, or -errno with msg set.
 */
int replay__open(const char *path, const void *buf, size_t len, const struct replay_ops *ops, void *ctx,
		 struct replay **out, char *msg, size_t msglen);
/* The recording's header. */
const struct rec_file_hdr *replay__header(const struct replay *rp);
/* Play the bootstrap: up to the end of the first scan, as a live session scans /proc. */
void replay__bootstrap(struct replay *rp);
/* Play records up to time until, a batch at most. Records played, or -EBADMSG. */
int replay__poll(struct replay *rp, __u64 until);
/* Play every record up to time ts and stop there; the time is then ts. 0 or -EBADMSG. */
int replay__until(struct replay *rp, __u64 ts);
/* The time the replay has reached (boot ns). */
__u64 replay__now(const struct replay *rp);
/* The whole recording has been read (or reading stopped at damage). */
bool replay__done(const struct replay *rp);
/*
 * Once done: 0 when the file was read to its end, 1 when it ends early but
 * cleanly cut (a killed recorder), -EBADMSG for damage; the last two are
 * said on stderr.
 */
int replay__result(const struct replay *rp);
void replay__free(struct replay *rp);

#endif
