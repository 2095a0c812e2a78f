/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Recordings: what proclife saw, written to a file and read back later
 * (`-w FILE` / `-r FILE`). The format is documented in docs/RECORDING.md;
 * the structs below are its on-disk layout (little-endian, fixed widths,
 * every struct a multiple of 8 bytes).
 *
 * A file is a 144-byte header, then blocks. A block is a 96-byte header
 * with its own CRC32 and the CRC32 of its payload, then the payload: a
 * raw deflate stream (RFC 1951, no zlib wrapper) of records. Each block
 * stands alone, so a recorder killed mid-write leaves every block before
 * the torn one readable. Records are 8-byte aligned: a struct rec_hdr, then
 * the kind's body.
 *
 * The blocks are chained (record/chain.h): each block's header carries the
 * SHA-256 of what came before it (the file header, then each block), the
 * file header a random id and the chain of the piece it continues, and with
 * a seal key each block an HMAC-SHA256 of its own hash. Format 1.x (64-byte
 * file header, 32-byte block headers, no chain) is still read.
 *
 * The reader trusts nothing: every length is checked against what is there
 * and against fixed limits before anything is allocated or read, and it
 * stops at the first damage with the file offset and what it expected.
 */
#ifndef PROCLIFE_RECORDING_H
#define PROCLIFE_RECORDING_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "proclife.h"
#include "base/errcount.h"
#include "record/chain.h"

#define REC_MAGIC "\x89PLREC\r\n" /* 8 bytes: binary, and breaks under text-mode copies */
#define REC_MAGIC_LEN 8
#define REC_VERSION_MAJOR 2       /* written; a reader refuses a major it does not know */
#define REC_VERSION_MINOR 1       /* a newer minor only adds what an older reader may ignore (2.1: REC_CGROUP, REC_CONTAINER) */
/*
 * The oldest major read. 1.x (1.1: boot_id) events have the 80-byte header
 * of before 2.0 (PL_HDR_SIZE_1X): the reader gives them the 2.0 header, its
 * new part unknown (PL_F_NO_IDENTITY).
 */
#define REC_VERSION_MAJOR_OLDEST 1
#define REC_BLOCK_MAGIC 0x4b424c50u /* "PLBK" */

/* Reader limits: anything larger is damage, not data. */
#define REC_BLOCK_RAW_MAX (4u << 20)        /* uncompressed bytes in one block */
#define REC_RECORD_MAX (128u << 10)         /* one record */
#define REC_SNAPSHOT_MAX 4194304u           /* processes in one snapshot (PID_MAX_LIMIT) */

/* The writer closes a block at this many raw bytes, or after REC_FLUSH_NS. */
#define REC_BLOCK_TARGET (256u << 10)
#define REC_FLUSH_NS 1000000000ull

/* rec_file_hdr.flags */
#define REC_F_FOLLOW  (1u << 0) /* only a followed process tree (proclife run), not the whole system */
#define REC_F_THREADS (1u << 1) /* thread creations and exits are included */

/* rec_file_hdr.seal */
enum rec_seal {
	REC_SEAL_NONE = 0,        /* the blocks' seal fields are zero */
	REC_SEAL_HMAC_SHA256 = 1, /* each block's seal is HMAC-SHA256(key, the block's hash) */
};

struct rec_file_hdr {
	char magic[REC_MAGIC_LEN];
	__u16 major, minor;
	__u32 hdr_size;        /* 144 (1.x: 64); a newer minor may grow it */
	__u64 start_ns;        /* CLOCK_BOOTTIME when recording began */
	__s64 wall_offset_ns;  /* CLOCK_REALTIME - CLOCK_BOOTTIME then: event times to wall clock */
	__u32 flags;           /* REC_F_* */
	__u32 args_cap;        /* --arg-bytes of the recorder */
	__u32 seq;             /* 0, then 1, 2 ... for each rotation (and on from a file --rotate-existing kept) */
	__u8 boot_id[16];      /* the kernel's boot id (1.1): pieces of one boot only are replayed together; 0: unknown */
	__u32 crc;             /* CRC32 of the 60 bytes before it */
	/* Format 2.0 on: the chain (a 1.x header ends here; the reader gives it zeros). */
	__u8 file_id[CHAIN_ID_LEN];      /* random: this file's */
	__u8 prev_file_id[CHAIN_ID_LEN]; /* the file this one continues (a rotation, a restart); 0: none */
	__u8 prev_chain[CHAIN_HASH_LEN]; /* that file's chain where this one took over: its last block's hash */
	__u8 key_id[SEAL_KEY_ID_LEN];    /* the seal key's id (struct seal_key); 0: not sealed */
	__u32 seal;                      /* enum rec_seal */
	__u32 chain_crc;                 /* CRC32 of bytes 64..139 */
};
/* The file header of format 1.x: up to the crc. */
#define REC_FILE_HDR_SIZE_1X 64

/*
 * A block's header, format 2.0. The block's hash is the SHA-256 of its
 * header up to seal (magic .. prev) and its compressed payload; the next
 * block's prev is that hash, block 0's the SHA-256 of the file header.
 */
struct rec_block_hdr {
	__u32 magic;           /* REC_BLOCK_MAGIC */
	__u32 payload_len;     /* compressed bytes that follow */
	__u32 raw_len;         /* bytes once inflated, <= REC_BLOCK_RAW_MAX */
	__u32 nrecords;
	__u64 seq;             /* 0, 1, 2 ... within the file */
	__u32 payload_crc;     /* CRC32 of the compressed payload */
	__u8 prev[CHAIN_HASH_LEN]; /* the chain: the previous block's hash (block 0: the file header's) */
	__u8 seal[CHAIN_HASH_LEN]; /* HMAC-SHA256(seal key, this block's hash); 0: not sealed */
	__u32 hdr_crc;         /* CRC32 of the 92 bytes before it */
};

/* A block's header in format 1.x: no chain. */
struct rec_block_hdr_1x {
	__u32 magic;
	__u32 payload_len;
	__u32 raw_len;
	__u32 nrecords;
	__u64 seq;
	__u32 payload_crc;
	__u32 hdr_crc;         /* CRC32 of the 28 bytes before it */
};

enum rec_kind {
	REC_EVENT = 1,   /* a kernel record, exactly as the ring buffer gave it */
	REC_SNAP_BEGIN,  /* a /proc scan follows: rec_snap_begin */
	REC_SNAP_PROC,   /* one process of the scan */
	REC_SNAP_END,    /* the scan is complete: the model reconciles with it here */
	REC_TICK,        /* time passed (the live model's timers ran): rec_time */
	REC_LOST,        /* the kernel dropped events */
	REC_META,        /* key=value strings about the recording */
	REC_RUN_START,   /* proclife run: the command's pid */
	REC_RUN_END,     /* proclife run: the command's status */
	REC_END,         /* the recorder closed the file cleanly */
	REC_CGROUP = 11, /* a cgroup id's path, and the processes of the scan before it that are in it */
	REC_CONTAINER,   /* 12: a container was named: rec_time, then key=value strings */
	/* 13: a kind of another part of this major version */
	REC_GAP = 14,    /* the writer could not write what came between two times (a failing disk): rec_gap */
	REC_KIND_MAX,
};

struct rec_hdr {
	__u32 size;      /* header + body, unpadded; the next record starts at the next multiple of 8 */
	__u16 kind;      /* enum rec_kind */
	__u16 _pad;
};

/* REC_TICK, REC_SNAP_END, REC_END; REC_META starts with one (then its strings) */
struct rec_time {
	__u64 ts;
};

enum rec_snap_reason {
	REC_SNAP_START = 0,  /* the bootstrap scan */
	REC_SNAP_RESYNC,     /* after lost events */
	REC_SNAP_ROTATE,     /* the bootstrap of a rotated file */
	REC_SNAP_FINAL,      /* proclife run: what is left at the end (not applied to the model) */
};

struct rec_snap_begin {
	__u64 ts;
	__u32 reason;    /* enum rec_snap_reason */
	__u32 count;     /* processes that follow (informative) */
};

struct rec_snap_proc {
	__u64 start_ns;
	__u32 pid, ppid, uid;
	__u32 exit_code;
	__u32 cmdline_len;  /* bytes of cmdline[], NUL-separated argv */
	__u8 state;         /* /proc stat field 3 */
	__u8 kthread;
	__u8 cmdline_truncated;
	__u8 has_cmdline;   /* 0: none (kernel threads, zombies) */
	char comm[PL_COMM_LEN];
	char cmdline[];
};

struct rec_lost {
	__u64 ts;
	__u64 count;
	__u32 type;      /* enum pl_event_type */
	__u32 _pad;
};

/*
 * What a failing disk kept out of the recording: everything between since
 * and ts. The recorder traced on; a snapshot of /proc follows (reason
 * RESYNC) from which the model goes on.
 */
struct rec_gap {
	__u64 ts;        /* when writing worked again */
	__u64 since;     /* when the first write failed */
	__u64 events;    /* kernel events not written */
	__u64 records;   /* records not written, those events included */
	__u32 err;       /* the first failure's errno (positive) */
	__u32 _pad;
};

struct rec_run_start {
	__u64 ts;
	__u32 pid;
	__u32 _pad;
};

/* REC_CGROUP's hier: the hierarchy of the id. */
enum rec_cgroup_hier {
	REC_CG_V2 = 1,   /* the cgroup2 hierarchy: pl_hdr.cgroup_id */
	REC_CG_V1 = 2,   /* the v1 hierarchy META cgroup1= names: pl_hdr.cgroup1_id */
};

/* The most pids one REC_CGROUP lists (more: several records of the same cgroup). */
#define REC_CGROUP_PIDS_MAX 16384

/*
 * A cgroup id's path (as /proc/PID/cgroup says it), written before the
 * first event that needs it, and after each scan for the cgroups of the
 * scanned processes, with their pids (those in the scan just before it).
 * data[] holds npids u32 pids, then path_len bytes of path (no NUL).
 */
struct rec_cgroup {
	__u64 ts;
	__u64 id;         /* kernfs node id in its hierarchy */
	__u32 hier;       /* enum rec_cgroup_hier */
	__u32 npids;
	__u32 path_len;   /* 1 .. 4095, starting with '/' */
	__u32 _pad;
	char data[];
};

struct rec_run_end {
	__u64 ts;
	__u32 pid;
	__s32 exit_code;  /* what proclife run exited with */
	__u32 status;     /* the wait status */
	__u32 _pad;
	__u64 lost;
};

/* Every size, offset and type above, held to the one table of the format (proclife_layout.h). */
PL_LAYOUT_RECORDING(PL_LAYOUT_ASSERT)

/* Records start at multiples of 8 bytes. */
#define REC_ALIGN8(x) (((x) + 7) & ~(size_t)7)

/* ---- writing ---- */

struct rec_writer_opts {
	const char *path;
	bool force;            /* replace an existing file (never through a symlink) */
	bool rotate_existing;  /* keep an existing file as path.1 (shifting older ones, as a rotation); seq follows its */
	__u64 rotate_size;     /* 0: never rotate; else start a new file past this many bytes */
	unsigned rotate_count; /* files kept: path, path.1 ... path.(count-1) */
	__u32 flags;           /* REC_F_* */
	__u32 args_cap;
	const char *command;   /* for the META record: how proclife was started */
	const struct seal_key *seal_key; /* seal every block with it (the writer keeps a copy), or NULL */
	unsigned redactions;   /* --redact expressions applied to argv before it was written (META redact=N) */
};

struct proc_snapshot;
struct rec_writer;

/*
 * Creates path (mode 0600) and writes its header. 0, or -errno with a
 * one-line reason. A header that cannot be written for a disk error is
 * not one: the writer starts failing (below), and writes it once it can.
 * With rotate_existing, an existing path that is a stub (empty, or a
 * recording that ends before its first /proc scan is complete: its
 * recorder stopped before it held anything of the machine) is replaced,
 * not kept: a recorder restarted again and again never shifts real
 * recordings out for stubs.
 */
int rec_writer__open(const struct rec_writer_opts *o, __u64 start_ns, __s64 wall_offset_ns, struct rec_writer **out,
		     char *err, size_t errlen);
/*
 * Appending. Each returns 0, or -errno while the recording cannot be
 * written, in either of two ways:
 *
 * - failing: a disk error (base/errcount.h: a full disk, EIO, a read-only
 *   remount, the file size limit). The file is cut back to its last
 *   complete block; from then on records are counted, not written, and
 *   rec_writer__retry() tries again (at most every REC_RETRY_NS). Once it
 *   writes again, a REC_GAP record marks what is missing.
 *   rec_writer__failing() says why.
 * - failed: any other error (out of memory, ...): the recording has ended
 *   (cut back to its last complete block) and rec_writer__error() says
 *   why; later calls do nothing and return the same error.
 */
int rec_writer__event(struct rec_writer *w, const void *rec, size_t size);
int rec_writer__snapshot(struct rec_writer *w, enum rec_snap_reason reason, __u64 ts, const struct proc_snapshot *v,
			 size_t n);
int rec_writer__tick(struct rec_writer *w, __u64 ts);
int rec_writer__lost(struct rec_writer *w, __u64 ts, unsigned type, __u64 count);
int rec_writer__run_start(struct rec_writer *w, __u64 ts, __u32 pid);
int rec_writer__run_end(struct rec_writer *w, const struct rec_run_end *e);
/* A cgroup's path; with pids (npids of them, any number): those of the scan just written in it. */
int rec_writer__cgroup(struct rec_writer *w, __u64 ts, enum rec_cgroup_hier hier, __u64 id, const char *path,
		       const __u32 *pids, size_t npids);
/* A container named: its own cgroup and what its runtime's state says (REC_CONTAINER). */
struct ct_info;
int rec_writer__container(struct rec_writer *w, __u64 ts, const char *cgroup, const struct ct_info *ci);
/*
 * What the kernel could give (kfeatures__meta()'s NUL-separated
 * "feature.NAME=STATE[: why]" strings): a META record now, and in every
 * rotated file, so that a replay can say what the recording cannot show.
 */
int rec_writer__features(struct rec_writer *w, __u64 now, const char *kv, size_t len);
/* Write out the pending block if REC_FLUSH_NS passed since the last (now: CLOCK_BOOTTIME). */
int rec_writer__maybe_flush(struct rec_writer *w, __u64 now);
int rec_writer__flush(struct rec_writer *w);
/* Past --rotate-size: the caller should rotate now (never while failing). */
bool rec_writer__rotate_due(const struct rec_writer *w);
/*
 * Ends this file, shifts path -> path.1 ..., opens a new path; then give it a
 * snapshot. Past --rotate-size, and whenever the caller wants a new file now
 * (SIGHUP). Not while failing (the error returned, nothing done): the
 * current file goes on once it can be written, and no kept file is shifted
 * out for a file that could not be written either. A failure after the
 * current file was ended (a rename, the new file's creation) leaves the
 * writer failing: the retry finishes the rotation.
 */
int rec_writer__rotate(struct rec_writer *w, __u64 now, __s64 wall_offset_ns);
/*
 * Retries of a failing recording: every REC_RETRY_NS while the disk
 * refuses even the small block that starts a retry; twice the wait (up to
 * REC_RETRY_MAX_NS) after each one that it took but whose rest it refused.
 */
#define REC_RETRY_NS 1000000000ull
#define REC_RETRY_MAX_NS 32000000000ull
/*
 * Failing, and a retry is due (now: CLOCK_BOOTTIME): write again. 1 when
 * the gap's mark (REC_GAP, after what the failure left undone: a
 * rotation's rest, the file's header) is written: the caller then gives
 * the file what it needs after a gap (a snapshot: its model missed what
 * the gap holds) and calls rec_writer__resume(). 0 when not failing, not
 * due, or still failing; -errno when it failed for good.
 */
int rec_writer__retry(struct rec_writer *w, __u64 now);
/*
 * The end of a retry: what was added since rec_writer__retry() written
 * out. 1: writing again. 0: still failing, and the file cut back to where
 * it was before the retry (all of it, or none: no gap mark without its
 * snapshot). -errno: failed for good.
 */
int rec_writer__resume(struct rec_writer *w);
/* Why the recording fails now (with the file and the first error), or NULL. */
const char *rec_writer__failing(const struct rec_writer *w);
/* Why the recording failed for good, or NULL. */
const char *rec_writer__error(const struct rec_writer *w);

/* What the writes came to, for metrics and the last message. */
struct rec_writer_stats {
	struct errcount errors;   /* failed writes by errno, retries included */
	__u64 gaps;               /* failures (each a REC_GAP once it ended) */
	__u64 unwritten_events;   /* kernel events not written, in all gaps */
	__u64 unwritten_records;  /* records not written, those events included */
	__u64 gap_events;         /* of them, in the current (or the last) gap */
	__u64 gap_records;
	__u64 since;              /* while failing: when it began (boot ns); else 0 */
	int first_err;            /* the current or last failure's first error (negative errno) */
};
const struct rec_writer_stats *rec_writer__stats(const struct rec_writer *w);
/* The current file's id and chain so far (its last block's hash; the header's before the first block). */
void rec_writer__chain(const struct rec_writer *w, __u8 file_id[CHAIN_ID_LEN], __u8 chain[CHAIN_HASH_LEN]);
/* Bytes written to the current file so far; records written in all files. */
__u64 rec_writer__offset(const struct rec_writer *w);
__u64 rec_writer__records(const struct rec_writer *w);
/*
 * Writes the end mark, flushes, closes (a failing writer tries once more
 * first). 0, or the error: the recording failed, or its end could not be
 * written (the file then ends at its last complete block). Accepts NULL.
 */
int rec_writer__close(struct rec_writer *w, __u64 now);

/* ---- reading ---- */

struct rec_item {
	unsigned kind;      /* enum rec_kind */
	const void *body;   /* checked: for REC_EVENT, passes event__check() */
	size_t len;         /* body bytes */
	__u64 ts;           /* the record's time (0 for REC_SNAP_PROC, REC_META) */
};

struct rec_reader;

/* Opens and checks the header. 0, or -errno with "offset N: ..." (or "cannot open: why") in err, without the path. */
int rec_reader__open(const char *path, struct rec_reader **out, char *err, size_t errlen);
/* The same over a buffer (fuzzing, tests); buf must outlive the reader. */
int rec_reader__open_mem(const void *buf, size_t len, struct rec_reader **out, char *err, size_t errlen);
const struct rec_file_hdr *rec_reader__header(const struct rec_reader *r);
/*
 * The next record: 1 with *it set (valid until the next call), 0 at the end
 * of the file, or -EBADMSG at damage: rec_reader__error() then says where
 * and what (e.g. "offset 4160: block 3: payload CRC32 0x1234abcd, expected
 * 0x89ab0123"), and everything before it was good.
 */
int rec_reader__next(struct rec_reader *r, struct rec_item *it);
/*
 * Check each block's seal with k from now on (call it before the first
 * record): a sealed file whose key id is not k's, or a block whose seal is
 * not the MAC of its hash, is damage. An unsealed file is read as it is
 * (rec_reader__header()'s seal says so). k must outlive the reader.
 */
void rec_reader__set_key(struct rec_reader *r, const struct seal_key *k);
/*
 * The chain so far: the hash of the last block read whole (before the
 * first, the file header's). false for a format 1.x file, which has none.
 */
bool rec_reader__chain(const struct rec_reader *r, __u8 chain[CHAIN_HASH_LEN]);
/* Blocks read whole so far. */
__u64 rec_reader__blocks(const struct rec_reader *r);
/*
 * Reads on to the end without inflating: every block's header, CRCs, chain
 * (and seal, with a key) checked. 0 at the end of the file, or -EBADMSG at
 * damage (as rec_reader__next()). What the writer uses to continue the chain
 * of a file it keeps (--rotate-existing).
 */
int rec_reader__skim(struct rec_reader *r);
/* The header's boot id is set (a 1.1 recorder read it); else zeros: unknown. */
bool rec_file_hdr__has_boot_id(const struct rec_file_hdr *h);
/* Why reading stopped early, or NULL. */
const char *rec_reader__error(const struct rec_reader *r);
/* The file ended with the recorder's end mark (it was closed cleanly). */
bool rec_reader__complete(const struct rec_reader *r);
/* Where reading stopped: the end of the file, or the offset of the damage. */
__u64 rec_reader__offset(const struct rec_reader *r);
/* Reading stopped because the file ends mid-block (a recorder killed mid-write), not corruption. */
bool rec_reader__torn(const struct rec_reader *r);
/* A REC_SNAP_PROC body as a proc_snapshot (cmdline points into the record). */
void rec_snap_proc__decode(const struct rec_snap_proc *p, size_t len, struct proc_snapshot *s);
/* A REC_CGROUP body (checked by the reader): its pids and path (path NUL-terminated into buf). */
void rec_cgroup__decode(const struct rec_cgroup *c, const __u32 **pids, char *path, size_t size);
/*
 * A REC_CONTAINER body after its time: "cgroup=PATH" (the container's own
 * cgroup), "runtime=NAME", then what is known ("id=", "name=", "image=",
 * ...). The bytes written into buf (size), or 0 when it does not fit.
 */
size_t rec_container__encode(const char *cgroup, const struct ct_info *ci, char *buf, size_t size);
/* A REC_CONTAINER body (checked): the container's own cgroup into cgroup, the rest into *ci. 0 or -EINVAL. */
int rec_container__decode(const void *body, size_t len, char *cgroup, size_t size, struct ct_info *ci);
void rec_reader__free(struct rec_reader *r);

#endif
