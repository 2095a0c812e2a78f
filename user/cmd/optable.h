/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The command line as data: one table of commands (cmd_infos[]) and one of
 * options (cli_opts[]). Each option is written once: its long name, short
 * letter, value, the commands that take it (a bitmask), its help, what the
 * completion offers for its value, its default, and the handler that stores
 * it in struct cli. Everything else is made from these two tables:
 * getopt_long()'s arrays and the parser (cmd/cli.c), every --help, the
 * option lists of the man page and docs/OPTIONS.md and the bash completion's
 * (cmd/optdoc.c, written into the tree by `make docs` and checked by
 * tests/unit/cmd/test_optdoc.c).
 *
 * Adding an option is one entry in cli_opts[] (cmd/optable.c), with a field
 * in struct cli when no existing one fits, and `make docs`.
 */
#ifndef PROCLIFE_OPTABLE_H
#define PROCLIFE_OPTABLE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proclife.h"
#include "model/ctfilter.h"
#include "views/signal_table.h"
#include "cmd/options.h"

/* The commands, in the order `proclife --help` lists them. */
enum cmd_id {
	CMD_WATCH,
	CMD_TREE,
	CMD_ZOMBIES,
	CMD_TOP,
	CMD_SIGNALS,
	CMD_RUN,
	CMD_RECORD,
	CMD_LIFE,
	CMD_EXPORT,
	CMD_VERIFY,
	CMD_FEATURES,
	CMD_MAX,
};

#define CMD_BIT(id) (1u << (id))
#define CMDS_ALL (CMD_BIT(CMD_MAX) - 1)

/* Everything any command's options say, once parsed. A command reads its own fields. */
struct cli {
	enum cmd_id cmd;
	int argc;              /* the command's arguments, argv[0] its name: a recording keeps them */
	char **argv;
	/* What is traced and shown. */
	__u32 events;          /* PL_EV_BIT() | DV_BIT() mask of the events to show */
	__u32 pid;             /* --pid: > 0: only this process (and, for watch and export, its descendants) */
	__u32 uid;             /* PL_UID_ANY, or only this real uid */
	char comm[PL_COMM_LEN];/* "" or only this comm (first 15 bytes) */
	bool failed_only;
	__u32 auid;            /* PL_UID_ANY, or only this login uid (the subject's; a signal's sender) */
	__u32 session;         /* PL_UID_ANY, or only this audit session */
	__u32 tty;             /* PL_UID_ANY, or only this controlling tty (pl_hdr.tty's encoding; 0: none) */
	bool setid_only;       /* only execs that changed privilege, and cred events */
	bool threads;
	bool kthreads;
	__u32 args_cap;        /* bytes of argv kept per exec */
	__u64 zombie_after_ns; /* a zombie event after this long unreaped */
	__u64 max_memory;      /* bytes the process model may hold (model_config.max_bytes) */
	__u64 sigs;            /* signals: bit n: signal n wanted; 0: all */
	struct ct_filter_spec ctf; /* --container, --pod, --cgroup, --host, --containers */
	int sort;              /* signals --sort: the index of its word */
	/* How it is shown. */
	bool json;
	bool quiet;
	bool wide;
	bool verbose;
	bool by_container;     /* tree --by-container: a tree per container */
	int format;            /* export --format: the index of its word */
	const char *output;    /* -o FILE; NULL: standard output (run: standard error) */
	bool append;           /* --append: -o FILE is added to, not emptied first */
	const char *summary_json;
	/* When and for how long. */
	__u64 every_ns;        /* > 0: print every this often */
	__u32 count;           /* with every_ns: stop after this many prints (0: until Ctrl-C) */
	__u64 delay_ns;        /* top: between redraws */
	__u64 duration_ns;     /* record: stop after this long (0: never) */
	__u64 follow_leftovers_ns;
	/* Recordings and metrics. */
	struct rec_cli rec;
	const char *at;        /* --at TIME: as it was then (with -r) */
	struct metrics_cli metrics;
	/* run: who runs CMD, and CMD. */
	const char *user;
	char **command;        /* run's CMD [ARGS...], NULL-terminated; NULL with -r */
	/* The operand PID: tree [PID], life PID (0: none). */
	__u32 operand_pid;
	/* Secrets kept out: --redact REGEX, each given (checked), and --redact-defaults. */
	const char *redact[CLI_REDACT_MAX];
	unsigned nredact;
	bool redact_defaults;
	/* verify: FILE..., and the key its seals are checked with. */
	char **files;
	int nfiles;
	const char *verify_key;
};

/* What the completion offers for an option's value. */
enum opt_values {
	OV_NONE,    /* the option takes no value */
	OV_TEXT,    /* a number, a time, a name: nothing to offer */
	OV_FILE,
	OV_USER,
	OV_EVENTS,  /* a comma-separated list of event names */
	OV_SIGNALS, /* a comma-separated list of signal names */
	OV_WORDS,   /* one of opt.words */
};

struct opt_word {
	const char *word;
	const char *help; /* or NULL */
};

struct opt;
/* Stores arg (NULL for an option without a value) into c: 0, OPTS_HELP, OPTS_VERSION, or -EINVAL with err. */
typedef int (*opt_set_fn)(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen);

struct opt {
	const char *name;      /* the long name, without "--" */
	char letter;           /* the short letter, or 0 */
	const char *meta;      /* the value's name in the help (FILE, SEC, ...); NULL: no value */
	__u32 cmds;            /* CMD_BIT()s of the commands that take it */
	/*
	 * --help text, a phrase, wrapped by the printer. {events} is the event
	 * names, {values} the words, {range} "min to max": from their tables.
	 */
	const char *help;
	const char *doc;       /* more sentences for the man page and docs/OPTIONS.md, or NULL */
	enum opt_values values;
	const struct opt_word *words; /* OV_WORDS: the words, up to one with a NULL word */
	const char *def;       /* the default, as typed: given to set() before parsing, and shown; or NULL */
	double min, max;       /* the range of a number or seconds */
	opt_set_fn set;
	size_t field;          /* where set() stores it: an offset in struct cli (CLI_FIELD) */
};

/* Where opt.set stores the value: offsetof() of a field the compiler checks is of type T. */
#define CLI_FIELD(f, T)                                                                        \
	(offsetof(struct cli, f) +                                                             \
	 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((struct cli *)0)->f), T) ? 1 : -1]))

/* What the operands after the options are. */
enum cmd_operands {
	OPERANDS_NONE,
	OPERAND_PID_OPTIONAL, /* [PID] */
	OPERAND_PID,          /* PID */
	OPERANDS_COMMAND,     /* CMD [ARGS...]: option parsing stops at the first operand */
	OPERANDS_FILES,       /* FILE...: one or more */
};

/*
 * What a command needs of the kernel (cmd_info.needs): the loader attaches
 * nothing else (cmd/common.c: cmd__lean(), kernel/variants.h).
 */
enum cmd_needs {
	NEEDS_NONE = 0, /* recordings only (life, export), or everything to probe it (features) */
	NEEDS_EVENTS,   /* every event asked for, each with every field: its reaper, failed execs, every signal */
	/*
	 * The process model's states and killed_by: reaps but not who reaped,
	 * a signal only when it stops or continues a process (or kills it),
	 * no program on any syscall; with --metrics-file, counts kept in the
	 * kernel. Recording (-w FILE) needs events again.
	 */
	NEEDS_STATES,
};

struct cmd_info {
	const char *name;
	const char *synopsis;  /* short, for the list of commands: "tree [PID]" */
	const char *summary;   /* what it does, in a few words, for that list */
	const char *usage;     /* after "Usage: proclife ": one or more lines */
	const char *about;     /* before the options: paragraphs, wrapped by the printer */
	const char *more;      /* after the options, or NULL */
	enum cmd_operands operands;
	bool hup_rotates;      /* SIGHUP starts a new -w FILE (rec_cli.hup_rotates) */
	enum cmd_needs needs;  /* what it needs of the kernel when live (watch -e none --metrics-file: states) */
	/* After the options and operands: how they combine. 0, or -EINVAL with a one-line reason. */
	int (*check)(struct cli *c, char *err, size_t errlen);
};

/* export --format FORMAT: the index of the word given (cli.format); signals --sort is an enum signal_sort. */
enum export_format { FORMAT_PERFETTO, FORMAT_DOT };

enum {
	OPTS_RUN = 0,     /* parsed, go on */
	OPTS_HELP = 1,    /* --help printed: exit 0 */
	OPTS_VERSION = 2, /* --version printed: exit 0 */
};

extern const struct cmd_info cmd_infos[CMD_MAX];
/* Every option of every command; no two of one command share a long name or a letter (test_optable). */
extern const struct opt cli_opts[];
extern const size_t cli_nopts;


/* The words of an OV_WORDS option as a phrase: "a, b or c". The length written. */
size_t opt__words(const struct opt *o, char *buf, size_t size);

#endif
