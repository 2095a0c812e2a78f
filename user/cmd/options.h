/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The values options take, parsed (sizes, seconds, instants, pids, users,
 * event lists), and the option groups several commands share: -r/-w and
 * their companions (struct rec_cli), --metrics-file/--metrics-interval
 * (struct metrics_cli), with the checks of how their options combine.
 * Which command takes which option is the option table's (cmd/optable.c).
 */
#ifndef PROCLIFE_OPTIONS_H
#define PROCLIFE_OPTIONS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

/* -r FILE given this many times at most (the pieces of a rotated recording). */
#define REC_CLI_READ_MAX 512
/* --redact given this many times at most. */
#define CLI_REDACT_MAX 64

/* -w / -r and their companions, shared by the commands that record or replay. */
struct rec_cli {
	const char *write;     /* -w FILE: record to FILE */
	const char *read[REC_CLI_READ_MAX]; /* -r FILE, each one given: replay them as one instead of tracing */
	unsigned nread;
	const char *since, *until;  /* --since/--until TIME: cut the replay */
	__u64 since_ns, until_ns;   /* them as boot ns, once read against the recording (0, ~0: none) */
	bool force;            /* replace an existing FILE */
	__u64 rotate_size;     /* bytes; 0: never */
	__u32 rotate_count;    /* files kept, 2.. (default 10) */
	bool rotate_existing;  /* an existing FILE becomes FILE.1, as in a rotation */
	bool hup_rotates;      /* the command rotates FILE on SIGHUP (record, watch): --rotate-count alone makes sense */
	const char *seal_key;  /* --seal-key FILE: seal FILE's blocks with the key in it */
};

/* --metrics-file and --metrics-interval, shared by watch, record, and tree and zombies --every. */
struct metrics_cli {
	const char *file;     /* NULL: no metrics */
	__u64 interval_ns;    /* 0 until given: then METRICS_CLI_INTERVAL_DEFAULT applies */
};

#define METRICS_CLI_INTERVAL_DEFAULT 15000000000ull

/*
 * After parsing: the combination makes sense (live: replay is refused, since
 * metrics describe the host now)? Sets the default interval. 0 or -EINVAL.
 */
int metrics_cli__check(struct metrics_cli *mc, bool replay, char *err, size_t errlen);
/* After parsing: the combination of -r, -w and their companions makes sense? 0 or -EINVAL with a reason. */
int rec_cli__check(const struct rec_cli *rc, char *err, size_t errlen);
/*
 * The writer's options for -w, with argv (argv[0]: the command's name) as
 * the recorded command line, "proclife CMD ARGS..." in cmd (argv must
 * outlive o: the writer copies the command at open).
 */
struct rec_writer_opts;
void rec_cli__writer_opts(const struct rec_cli *rc, int argc, char **argv, __u32 flags, __u32 args_cap,
			  struct rec_writer_opts *o, char *cmd, size_t cmdlen);

/* "TIME" in the words of the help, for messages about --at and the like. */
#define REC_CLI_TIME_FORMS "+SEC, @EPOCH, YYYY-MM-DDTHH:MM:SS[.frac][Z] or HH:MM:SS[.frac]"

/* A size: digits with an optional K, M or G (powers of 1024), 4096 to 1T; -EINVAL otherwise. */
int parse_size(const char *s, __u64 *bytes);
/*
 * A point in a recording: "+SEC" (s, m or h suffix) from its start, or a
 * wall-clock time "YYYY-MM-DDTHH:MM:SS[.frac][Z]" or "HH:MM:SS[.frac]"
 * (local time, on the recording's first day; Z: UTC), or "@EPOCH[.frac]".
 * Converted with the recording's start and wall offset to boot ns.
 */
int parse_instant(const char *s, __u64 start_ns, __s64 wall_offset_ns, __u64 *boot_ns);
/* Seconds with an optional fraction, 0.001..86400, into ns; -EINVAL otherwise. */
int parse_seconds(const char *s, __u64 *ns);
/* Decimal digits only, at most max; -EINVAL otherwise. */
int parse_u32(const char *s, unsigned long max, __u32 *out);

/* The largest pid Linux gives (PID_MAX_LIMIT on 64-bit). */
#define PID_MAX_LIMIT 4194304
/* A process id, 1..PID_MAX_LIMIT; -EINVAL otherwise. */
int parse_pid(const char *s, __u32 *pid);

/* A uid number or a user name from /etc/passwd; -EINVAL when neither. */
int uid__parse(const char *s, __u32 *uid);

/* Parses "fork,exec,...,zombie,..." or "all" into a mask (PL_EV_BIT | DV_BIT); -EINVAL with the bad name in err. */
int events__parse(const char *list, __u32 *mask, char *err, size_t errlen);
/* Every event name a list may hold, "all" excluded, in their tables' order, between sep: the length written. */
size_t events__names(char *buf, size_t size, const char *sep);

#endif
