/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Command line of `proclife [watch]`: parsed into a struct, errors as one line. */
#ifndef PROCLIFE_OPTIONS_H
#define PROCLIFE_OPTIONS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "proclife.h"
#include "base/wallclock.h"
#include "model/filter.h"

/* -r FILE given this many times at most (the pieces of a rotated recording). */
#define REC_CLI_READ_MAX 512

/* -w / -r and their companions, shared by the commands that record or replay. */
struct rec_cli {
	const char *write;     /* -w FILE: record to FILE */
	const char *read[REC_CLI_READ_MAX]; /* -r FILE, each one given: replay them as one instead of tracing */
	unsigned nread;
	const char *since, *until;  /* --since/--until TIME: cut the replay */
	__u64 since_ns, until_ns;   /* them as boot ns, once rec_cli__window() has read them (0, ~0: none) */
	bool force;            /* replace an existing FILE */
	__u64 rotate_size;     /* bytes; 0: never */
	unsigned rotate_count; /* files kept, 2.. (default 10) */
	bool rotate_existing;  /* an existing FILE becomes FILE.1, as in a rotation */
	bool hup_rotates;      /* the command rotates FILE on SIGHUP (record, watch): --rotate-count alone makes sense */
};

enum { OPT_FORCE = 0x300, OPT_ROTATE_SIZE, OPT_ROTATE_COUNT, OPT_ROTATE_EXISTING };

enum { OPT_SINCE = 0x320, OPT_UNTIL };

/* getopt_long entries: -r FILE (--since, --until); -w FILE and the rest (with "r:" / "w:" in the short options). */
#define REC_CLI_READ_OPTS                                                                  \
	{ "read", required_argument, NULL, 'r' }, { "since", required_argument, NULL, OPT_SINCE }, \
	{ "until", required_argument, NULL, OPT_UNTIL }
#define REC_CLI_WRITE_OPTS                                                     \
	{ "write", required_argument, NULL, 'w' }, { "force", no_argument, NULL, OPT_FORCE }, \
	{ "rotate-size", required_argument, NULL, OPT_ROTATE_SIZE },                         \
	{ "rotate-count", required_argument, NULL, OPT_ROTATE_COUNT },                       \
	{ "rotate-existing", no_argument, NULL, OPT_ROTATE_EXISTING }
#define REC_CLI_WRITE_HELP                                                                          \
	"  -w, --write FILE     also record everything to FILE (mode 0600; replay with -r)\n"            \
	"      --force          replace FILE if it exists (a symlink is replaced, never followed)\n"    \
	"      --rotate-size N  start a new file past N bytes (suffix K, M, G); keep FILE.1 ...\n"       \
	"      --rotate-count N files kept when FILE rotates, FILE included (default 10)\n"                \
	"      --rotate-existing\n"                                                                       \
	"                       keep an existing FILE as FILE.1 (as a rotation) instead of refusing\n"
#define REC_CLI_READ_HELP                                                                           \
	"  -r, --read FILE      replay a recording instead of tracing; -r again for each piece\n"        \
	"                       of a rotated one (FILE.1 ...), in any order: replayed as one\n"         \
	"      --since TIME     with -r: only what happened from TIME on (TIME: +SEC from the\n"        \
	"                       start (s, m, h), @EPOCH, YYYY-MM-DDTHH:MM:SS[.frac][Z], HH:MM:SS)\n"   \
	"      --until TIME     with -r: only what happened up to TIME\n"

/* --metrics-file and --metrics-interval, shared by watch, record, and tree and zombies --every. */
struct metrics_cli {
	const char *file;     /* NULL: no metrics */
	__u64 interval_ns;    /* 0 until given: then METRICS_CLI_INTERVAL_DEFAULT applies */
};

#define METRICS_CLI_INTERVAL_DEFAULT 15000000000ull

enum { OPT_METRICS_FILE = 0x380, OPT_METRICS_INTERVAL };

#define METRICS_CLI_OPTS                                                                         \
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },                           \
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL }
#define METRICS_CLI_HELP                                                                            \
	"      --metrics-file PATH\n"                                                                   \
	"                       Prometheus metrics of the host in PATH (text format, for node_exporter's\n" \
	"                       textfile collector), rewritten atomically every interval and at exit\n"   \
	"      --metrics-interval SEC\n"                                                                \
	"                       seconds between rewrites, 0.1 to 86400 (default 15)\n"

/* If option c is one of metrics_cli's, takes it: 1, or -EINVAL with a one-line reason. 0: not ours. */
int metrics_cli__option(struct metrics_cli *mc, int c, const char *arg, char *err, size_t errlen);
/*
 * After parsing: the combination makes sense (live: replay is refused, since
 * metrics describe the host now)? Sets the default interval. 0 or -EINVAL.
 */
int metrics_cli__check(struct metrics_cli *mc, bool replay, char *err, size_t errlen);

/* If option c is one of rec_cli's, takes it: 1, or -EINVAL with a one-line reason. 0: not ours. */
int rec_cli__option(struct rec_cli *rc, int c, const char *arg, char *err, size_t errlen);
/* The same for -r, --since and --until only: for a command whose -w means something else (tree's --wide). */
int rec_cli__read_option(struct rec_cli *rc, int c, const char *arg, char *err, size_t errlen);
/* After parsing: the combination makes sense? 0 or -EINVAL with a reason. */
int rec_cli__check(const struct rec_cli *rc, char *err, size_t errlen);
/* The writer's options for -w, with argv as the recorded command (argv must outlive it: copied at open). */
struct rec_writer_opts;
void rec_cli__writer_opts(const struct rec_cli *rc, int argc, char **argv, __u32 flags, __u32 args_cap,
			  struct rec_writer_opts *o, char *cmd, size_t cmdlen);
/*
 * With -r: --since and --until read against the recording (the start of its
 * first piece), checked, and given to the replay (live__replay_window(),
 * which plays what comes before --since unseen). Call it once the session
 * is open, before polling it. 0; or one line on stderr, after who
 * ("proclife", "proclife life"), and -EINVAL (a TIME that does not parse,
 * --since after --until: a usage error) or -ERANGE (before the recording).
 */
struct live;
int rec_cli__window(struct rec_cli *rc, const char *who, struct live *l);
/* The same reading and checks without a replay to cut (tree, zombies): 0, -EINVAL or -ERANGE, said. */
struct rec_file_hdr;
int rec_cli__times(struct rec_cli *rc, const char *who, const struct rec_file_hdr *h, const struct wallclock *wc);
/* Once the whole recording was replayed: --since or --until after its end is said in one line: -ERANGE; else 0. */
int rec_cli__window_end(const struct rec_cli *rc, const char *who, struct live *l);
/* "TIME" in the words of the help, for messages about --at and the like. */
#define REC_CLI_TIME_FORMS "+SEC, @EPOCH, YYYY-MM-DDTHH:MM:SS[.frac][Z] or HH:MM:SS[.frac]"
/* getopt_long() returned ':' (a value missing) or '?' (unknown): the one-line reason in msg. -EINVAL. */
int opts__bad_option(int c, char **argv, char *msg, size_t len);

/* A size: digits with an optional K, M or G (powers of 1024); -EINVAL otherwise. */
int parse_size(const char *s, __u64 *bytes);
/*
 * A point in a recording: "+SEC" (s, m or h suffix) from its start, or a
 * wall-clock time "YYYY-MM-DDTHH:MM:SS[.frac][Z]" or "HH:MM:SS[.frac]"
 * (local time, on the recording's first day; Z: UTC), or "@EPOCH[.frac]".
 * Converted with the recording's start and wall offset to boot ns.
 */
int parse_instant(const char *s, __u64 start_ns, __s64 wall_offset_ns, __u64 *boot_ns);

struct watch_opts {
	__u32 events;          /* PL_EV_BIT() mask of the events to show */
	pid_t pid;             /* > 0: only this process and its descendants */
	__u32 uid;             /* PL_UID_ANY, or only this real uid */
	char comm[PL_COMM_LEN];/* "" or only this comm (first 15 bytes) */
	bool failed_only;
	bool threads;
	bool json;
	const char *output;    /* NULL: standard output */
	bool append;           /* --append: -o FILE is added to, not emptied first */
	__u32 args_cap;        /* bytes of argv kept per exec */
	__u64 zombie_after_ns; /* a zombie event after this long unreaped */
	struct rec_cli rec;
	struct metrics_cli metrics;
};

enum {
	OPTS_RUN = 0,     /* parsed, go on */
	OPTS_HELP = 1,    /* --help printed: exit 0 */
	OPTS_VERSION = 2, /* --version printed: exit 0 */
};

/*
 * Parses argv (argv[0] is the command name, e.g. "watch"). Returns OPTS_*,
 * or -EINVAL with a one-line reason in err.
 */
int watch_opts__parse(int argc, char **argv, struct watch_opts *o, char *err, size_t errlen);

void watch_opts__usage(FILE *f);
/* The filter's part of o; follow: -p PID is the filter's to follow (the kernel does not). */
struct filter_spec watch_opts__filter_spec(const struct watch_opts *o, bool follow);

/* Parses "fork,exec,...,zombie,..." or "all" into a mask (PL_EV_BIT | DV_BIT); -EINVAL with the bad name in err. */
int events__parse(const char *list, __u32 *mask, char *err, size_t errlen);

/* Seconds with an optional fraction, 0.001..86400, into ns; -EINVAL otherwise. */
int parse_seconds(const char *s, __u64 *ns);

/* A uid number or a user name from /etc/passwd; -EINVAL when neither. */
int uid__parse(const char *s, __u32 *uid);

#endif
