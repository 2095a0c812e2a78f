/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Playing a recording back: its records in order, up to a time, each
 * handed to the callbacks the player was opened with; the /proc scans in
 * it assembled whole first. The player knows nothing of who listens: the
 * live session (session/live.c) gives it these callbacks and calls it, so
 * the two do not include each other.
 *
 * A recording may come in pieces (rotated files, FILE.2 FILE.1 FILE, or
 * recordings made one after the other): they are played as one stream, in
 * the order they were recorded (their headers' start times), whatever the
 * order they are given in. A piece that continues the one before exactly
 * (a rotation: the same boot, the next sequence number, its start at the
 * previous one's end mark) adds nothing but its records: its opening scan
 * is the one the recorder wrote and did not apply, and is handed over as
 * carried. Between pieces that do not, a gap or an overlap is said in one
 * message (base/msg.h), and the next piece's opening scan corrects the model as
 * a resync does. Pieces of different boots are refused: their times do not
 * compare.
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
	/*
	 * A whole /proc scan (reason: enum rec_snap_reason), taken at ts.
	 * carried: the opening scan of a piece that continues the previous
	 * one exactly; the recorder only wrote it, its model carried on. The
	 * callee may replace cmdlines (each malloc'd; the player frees them
	 * with procfs__free()).
	 */
	void (*snapshot)(void *ctx, unsigned reason, struct proc_snapshot *v, size_t n, __u64 ts, bool carried);
	/* The recorder's timer ticked at ts. */
	void (*tick)(void *ctx, __u64 ts);
	/* The kernel lost count events of this type. */
	void (*lost)(void *ctx, unsigned type, __u64 count, __u64 ts);
	/* The recorder could not write what came between g->since and g->ts (a failing disk); or NULL. */
	void (*gap)(void *ctx, const struct rec_gap *g);
	/* Every other record (run markers, features, the end of a scan before its snapshot, ...). */
	void (*item)(void *ctx, const struct rec_item *it);
};

/* One piece: a file, or a buffer (fuzzing, tests) when path is NULL. */
struct replay_source {
	const char *path;
	const void *buf; /* must outlive the replay */
	size_t len;
};

/* Pieces replayed together at most (each holds a file open until it is played). */
#define REPLAY_PIECES_MAX 512

struct replay;

/*
 * Open the n pieces (1..REPLAY_PIECES_MAX) and read their headers; put
 * them in the order they were recorded. Nothing is played yet. A piece
 * given twice (the same header) is played once, said (base/msg.h). 0, or
 * -errno with msg set (a file that cannot be read, pieces of different
 * boots).
 */
int replay__open(const struct replay_source *src, size_t n, const struct replay_ops *ops, void *ctx,
		 struct replay **out, char *msg, size_t msglen);
/* The header of the first piece (the earliest): the stream's start and wall clock. */
const struct rec_file_hdr *replay__header(const struct replay *rp);
/* Play the bootstrap: up to the end of the first scan, as a live session scans /proc. */
void replay__bootstrap(struct replay *rp);
/* Play records up to time until, a batch at most. Records played, or -EBADMSG. */
int replay__poll(struct replay *rp, __u64 until);
/* Play every record up to time ts and stop there; the time is then ts. 0 or -EBADMSG. */
int replay__until(struct replay *rp, __u64 ts);
/*
 * End the replay once the recording is past ts: at its first timer tick
 * after ts (the recorder wrote each tick after every event it had by then,
 * so no event of ts or before follows it), or a piece that starts after ts.
 * The time is then ts, or the latest record's if later.
 */
void replay__stop_after(struct replay *rp, __u64 ts);
/* The time the replay has reached (boot ns). */
__u64 replay__now(const struct replay *rp);
/* The whole recording has been read (or reading stopped at damage, or past replay__stop_after()). */
bool replay__done(const struct replay *rp);
/*
 * Once done: 0 when every piece was read to its end, 1 when one ends early
 * but cleanly cut (a killed recorder), -EBADMSG for damage; the last two
 * are said through base/msg.h (a piece before the last as soon as it is left, the
 * last one here).
 */
int replay__result(struct replay *rp);
void replay__free(struct replay *rp);

#endif
