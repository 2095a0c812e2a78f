/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the commands share around a session (session/live.h), so that each
 * command's main says only what is its own: the signal handlers, the
 * preflight, -w FILE and --metrics-file wired in, --since/--until read
 * against the recording, the poll loop (SIGHUP, output flushes, metrics
 * ticks, a print every so often) and the end (the last events and metrics,
 * the closing summary, the replay's verdict, the recording's end).
 *
 * A command fills a struct cmd_session with its own part (its callbacks
 * and tracer configuration in cfg, what it prints and when) and calls
 * cmd_session__open(), __loop(), __close() and __free(). Messages of the
 * layers below go to base/msg.h's sink: stderr unless the command sets
 * another (top, while its screen is up).
 */
#ifndef PROCLIFE_CMD_COMMON_H
#define PROCLIFE_CMD_COMMON_H

#include <stdbool.h>

#include "base/outbuf.h"
#include "base/redact.h"
#include "session/live.h"
#include "views/metrics_file.h"
#include "views/writer.h"
#include "cmd/optable.h"

enum cmd_signals {
	CMD_SIG_STOP = 1,      /* SIGINT and SIGTERM end the command: cmd__stopping() */
	CMD_SIG_PIPE = 2,      /* SIGPIPE ignored: a closed pipe is an EPIPE, and ends what writes to it */
	CMD_SIG_HUP = 4,       /* SIGHUP reopens -o FILE and starts a new -w FILE, when there is one */
	CMD_SIG_HUP_STOPS = 8, /* SIGHUP ends the command, as SIGINT does */
};

/* Handlers that only set a flag (no SA_RESTART: a blocking poll returns at once). */
void cmd__signals(unsigned flags);
/* SIGINT or SIGTERM came (with CMD_SIG_STOP). */
bool cmd__stopping(void);
/*
 * Does c's command, live, keep states and counts only (its needs are
 * NEEDS_STATES: tree, top, zombies; or watch -e none with --metrics-file,
 * a metrics-only run), so that the kernel queues less and no program costs
 * every syscall (tracer_config.lean)? A recording (-w FILE) holds every event.
 */
bool cmd__lean(const struct cli *c);
/* Can proclife trace here? 0, or 1 (the exit status) once it said why. */
int cmd__preflight(const struct cli *c);
/*
 * FILE for -o or --summary-json (base/outfile.h: mode 0600, never through
 * a symlink; append: added to, else emptied): an fd, or -1 once it said why.
 */
int cmd__open_output(const struct cli *c, const char *path, bool append);
/* What an output file's open error (-errno) means, for "cannot open FILE: ..." (-ELOOP: a symlink). */
const char *cmd__output_error(int err);

/*
 * With -r: --since and --until read against the recording (the start of
 * its first piece) into c->rec.since_ns and until_ns, and checked. 0; or
 * said in one line: -EINVAL (a usage error: exit 2) or -ERANGE (exit 1).
 */
struct rec_file_hdr;
int cmd__replay_times(struct cli *c, const struct rec_file_hdr *h, const struct wallclock *wc);
/* Once the replay is done: --since or --until after the recording's end is said: -ERANGE; else 0. */
int cmd__replay_window_end(const struct cli *c, struct live *l);

enum cmd_summary {
	SUMMARY_NONE,
	SUMMARY_EVENTS,  /* "N events seen (...), N lost" */
	SUMMARY_DERIVED, /* and the derived events */
};

struct cmd_session {
	/* The command's part, set before cmd_session__open(). */
	struct cli *cli;
	struct live_config cfg;   /* tracer, model, callbacks (and their ctx); replay and record_to come from cli */
	unsigned signals;         /* CMD_SIG_* */
	__u32 rec_flags;          /* REC_F_* of a -w recording */
	bool own_window;          /* the command reads --since/--until itself (tree, zombies) */
	struct outbuf *ob;        /* flushed after every poll, a write error said at the end; or NULL */
	const char *output;       /* the path of ob's file (errors; SIGHUP reopens it), or NULL */
	/*
	 * ob's writer, or NULL. With one, a regular file under ob is written in
	 * whole lines and survives a failing disk: said once, retried every
	 * second, the lines it could not take marked with a gap line.
	 */
	struct writer *writer;
	__u64 every_ns;           /* live, > 0: every() this often */
	int (*every)(void *ctx);  /* 0 go on, 1 enough (--count), < 0 failed (said) */
	bool (*done)(void *ctx);  /* it has what it waited for (run: CMD exited); or NULL */
	int (*at_end)(void *ctx); /* the last print, after the last events; < 0 failed; or NULL */
	__u64 deadline;           /* live: stop at this live__now(); 0: never */
	bool stop_on_record_error; /* record: a failed recording ends the loop (exit 1) */
	enum cmd_summary summary; /* the closing line on stderr */
	/*
	 * With -r: open what the command writes (-o FILE ...), now that the
	 * recordings are open and their headers checked: then, run as root,
	 * the session gives up root (cmd/privs.h) before reading a block of
	 * them. 0, or 1 once said; or NULL.
	 */
	int (*opened)(void *ctx);
	void *ctx;                /* of every(), done(), at_end() and opened() */
	/* Set by cmd_session__open(). */
	struct live *l;
	bool replay;
	struct metrics_file *metrics;
	__u64 derived[DV_MAX];    /* counted, for SUMMARY_DERIVED */
	/* Private: the command's callbacks, called behind the session's. */
	struct live_config own;
	struct rec_writer_opts ro;
	char command[1024];
	__u64 out_since, out_next, out_now; /* ob failing: since, the next try, this try */
	__u64 out_lines;                    /* the lines its gap line counted */
	__u64 out_resumed;                  /* when ob wrote again after its last failure */
	int out_err;                        /* ob failing: the first error */
	struct redact *redact;    /* --redact, --redact-defaults */
	struct seal_key key;      /* --seal-key's (key.len 0: none) */
};

/*
 * Preflight (live), --metrics-file, -w FILE, the signal handlers, the
 * session, and with -r --since/--until. 0, or the exit status once said.
 */
int cmd_session__open(struct cmd_session *s);
/*
 * Until Ctrl-C or SIGTERM, the end of a replay, done() or the deadline:
 * poll; on SIGHUP reopen -o FILE and start a new -w FILE; flush ob; tick
 * the metrics; every() when due. 0, or 1 once said.
 */
int cmd_session__loop(struct cmd_session *s);
/*
 * The last events (live), the metrics' final values, at_end(), ob's write
 * error, the summary, the replay's verdict and --since/--until past its end,
 * the recording's end: the exit status.
 */
int cmd_session__close(struct cmd_session *s);
void cmd_session__free(struct cmd_session *s);

#endif
