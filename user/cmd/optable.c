// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The two tables of the command line (cmd/optable.h says what is made from
 * them): the commands, and every option of every command, each once. The
 * handlers that store options into struct cli, and each command's checks of
 * how its options combine, are here too: the whole command line in one file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/names.h"
#include "base/redact.h"
#include "kernel/tracer.h"
#include "model/model.h"
#include "cmd/optable.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- handlers: each stores one kind of value where opt.field says ---- */

static void *field(struct cli *c, const struct opt *o)
{
	return (char *)c + o->field;
}

static int set_flag(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	*(bool *)field(c, o) = true;
	return 0;
}

static int set_file(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "--%s needs a file name", o->name);
		return -EINVAL;
	}
	*(const char **)field(c, o) = arg;
	return 0;
}

/* --since, --until, --at: read against the recording once it is open; here, only not empty. */
static int set_time(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "--%s needs a time", o->name);
		return -EINVAL;
	}
	*(const char **)field(c, o) = arg;
	return 0;
}

/* run --user: looked up when CMD is about to run (the default is $SUDO_USER's). */
static int set_user(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "--%s needs a user name or number", o->name);
		return -EINVAL;
	}
	*(const char **)field(c, o) = arg;
	return 0;
}

static int set_seconds(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	__u64 ns;

	if (parse_seconds(arg, &ns) || ns < o->min * 1e9 - 0.5 || ns > o->max * 1e9 + 0.5) {
		snprintf(err, errlen, "--%s needs seconds, %.15g to %.15g, not '%.32s'", o->name, o->min, o->max, arg);
		return -EINVAL;
	}
	*(__u64 *)field(c, o) = ns;
	return 0;
}

static int set_number(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	__u32 v;

	if (parse_u32(arg, (unsigned long)o->max, &v) || v < o->min) {
		snprintf(err, errlen, "--%s needs a number from %.15g to %.15g, not '%.32s'", o->name, o->min, o->max,
			 arg);
		return -EINVAL;
	}
	*(__u32 *)field(c, o) = v;
	return 0;
}

size_t opt__words(const struct opt *o, char *buf, size_t size)
{
	size_t n = 0, count = 0;

	buf[0] = '\0';
	while (o->words && o->words[count].word)
		count++;
	for (size_t i = 0; i < count && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : i + 1 == count ? " or " : ", ", o->words[i].word);
	return n < size ? n : size - 1;
}

static int set_word(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	char words[128];

	for (int i = 0; o->words[i].word; i++) {
		if (!strcmp(arg, o->words[i].word)) {
			*(int *)field(c, o) = i;
			return 0;
		}
	}
	opt__words(o, words, sizeof(words));
	snprintf(err, errlen, "--%s takes %s, not '%.32s'", o->name, words, arg);
	return -EINVAL;
}

static int set_pid(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (parse_pid(arg, field(c, o))) {
		snprintf(err, errlen, "--%s needs a process id, not '%.32s'", o->name, arg);
		return -EINVAL;
	}
	return 0;
}

static int set_events(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	return events__parse(arg, field(c, o), err, errlen);
}

static int set_signals(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL;
	__u64 *sigs = field(c, o);

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int sig = names__signal_parse(tok);

		if (sig < 0 || sig > 63) {
			snprintf(err, errlen, "unknown signal '%.32s'", tok);
			return -EINVAL;
		}
		*sigs |= 1ull << sig;
	}
	if (!*sigs) {
		snprintf(err, errlen, "--%s needs signal names or numbers", o->name);
		return -EINVAL;
	}
	return 0;
}

static int set_uid(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (uid__parse(arg, field(c, o))) {
		snprintf(err, errlen, "--%s: no such user '%.32s'", o->name, arg);
		return -EINVAL;
	}
	return 0;
}

/* --session: an audit session id, the number /proc/PID/sessionid says (4294967295 is "none", not one). */
static int set_session(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (parse_u32(arg, 0xfffffffeul, field(c, o))) {
		snprintf(err, errlen, "--%s needs an audit session id (a number, as /proc/PID/sessionid), not '%.32s'",
			 o->name, arg);
		return -EINVAL;
	}
	return 0;
}

static int set_tty(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (names__tty_parse(arg, field(c, o))) {
		snprintf(err, errlen, "--%s needs a terminal (pts/3, tty1, ttyS0, console, MAJOR:MINOR or none), not '%.32s'",
			 o->name, arg);
		return -EINVAL;
	}
	return 0;
}

static int set_comm(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "--%s needs a process name", o->name);
		return -EINVAL;
	}
	strncpy(c->comm, arg, PL_COMM_LEN - 1); /* the kernel keeps 15 bytes */
	return 0;
}

static int set_read(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "--%s needs a file name", o->name);
		return -EINVAL;
	}
	if (c->rec.nread >= REC_CLI_READ_MAX) {
		snprintf(err, errlen, "--%s given more than %d times", o->name, REC_CLI_READ_MAX);
		return -EINVAL;
	}
	c->rec.read[c->rec.nread++] = arg;
	return 0;
}

static int set_size(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (parse_size(arg, field(c, o))) {
		snprintf(err, errlen, "--%s needs a size from 4096 bytes to 1T (e.g. 100M), not '%.32s'", o->name, arg);
		return -EINVAL;
	}
	return 0;
}

/* --max-memory: a size as --rotate-size takes it, and enough for a model at all. */
static int set_memory(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	__u64 *v = field(c, o);

	if (parse_size(arg, v) || *v < MODEL_MAX_BYTES_MIN) {
		snprintf(err, errlen, "--%s needs a size from 1M to 1T (e.g. 512M), not '%.32s'", o->name, arg);
		return -EINVAL;
	}
	return 0;
}

static int set_metrics_file(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	size_t n = strlen(arg);

	if (n && arg[n - 1] == '/') {
		snprintf(err, errlen, "--%s needs a file name, not the directory '%.32s'", o->name, arg);
		return -EINVAL;
	}
	return set_file(c, o, arg, err, errlen);
}

/* --arg-bytes: 0 keeps no argv at all, which the tracer is told apart from "the default". */
static int set_arg_bytes(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	int r = set_number(c, o, arg, err, errlen);

	if (r == 0 && c->args_cap == 0)
		c->args_cap = TRACER_ARGS_NONE;
	return r;
}

/* --redact REGEX: checked now, so that a bad one is a usage error; compiled for the session. */
static int set_redact(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	if (c->nredact >= CLI_REDACT_MAX) {
		snprintf(err, errlen, "--%s given more than %d times", o->name, CLI_REDACT_MAX);
		return -EINVAL;
	}
	if (redact__check(arg, err, errlen) < 0)
		return -EINVAL;
	c->redact[c->nredact++] = arg;
	return 0;
}

/* --container, --pod: one more, checked (model/ctfilter.h). */
static int set_container(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	struct ct_filter_spec *f = &c->ctf;
	bool pod = !strcmp(o->name, "pod");
	int r = pod ? ctfilter__check_pod(arg, err, errlen) : ctfilter__check_container(arg, err, errlen);

	if (r)
		return r;
	if ((pod ? f->npods : f->ncontainers) >= CTF_MAX) {
		snprintf(err, errlen, "--%s given more than %d times", o->name, CTF_MAX);
		return -EINVAL;
	}
	if (pod)
		f->pods[f->npods++] = arg;
	else
		f->containers[f->ncontainers++] = arg;
	return 0;
}

static int set_cgroup(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	int r = ctfilter__check_cgroup(arg, err, errlen);

	if (!r)
		c->ctf.cgroup = arg;
	return r;
}

static int set_help(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	return OPTS_HELP;
}

static int set_version(struct cli *c, const struct opt *o, const char *arg, char *err, size_t errlen)
{
	return OPTS_VERSION;
}

/* ---- the options ---- */

#define WATCH CMD_BIT(CMD_WATCH)
#define TREE CMD_BIT(CMD_TREE)
#define ZOMBIES CMD_BIT(CMD_ZOMBIES)
#define TOP CMD_BIT(CMD_TOP)
#define SIGNALS CMD_BIT(CMD_SIGNALS)
#define RUN CMD_BIT(CMD_RUN)
#define RECORD CMD_BIT(CMD_RECORD)
#define LIFE CMD_BIT(CMD_LIFE)
#define EXPORT CMD_BIT(CMD_EXPORT)
#define VERIFY CMD_BIT(CMD_VERIFY)
#define FEATURES CMD_BIT(CMD_FEATURES)

/* The groups: sets of options several commands share. A command joins one by being in its mask. */
#define SNAPSHOTS (TREE | ZOMBIES)
#define READERS (WATCH | SNAPSHOTS | SIGNALS | RUN | LIFE | EXPORT) /* -r FILE, --since, --until */
#define WRITERS (WATCH | TOP | RUN)       /* -w FILE, beside what they show */
#define RECORDERS (WRITERS | RECORD)      /* --force, --rotate-*: what -w does with FILE */
#define METRICS (WATCH | SNAPSHOTS | RECORD)
#define REDACTORS (CMDS_ALL & ~(SIGNALS | VERIFY | FEATURES)) /* what shows or records argv */
#define MODELS (WATCH | SNAPSHOTS | TOP | RUN | RECORD | LIFE | EXPORT) /* keep a process model */
#define CONTAINERS (WATCH | SNAPSHOTS | TOP | SIGNALS) /* --container, --pod, --cgroup, --host, --containers */

/* The kinds of value, each with its handler and the type of its field. */
#define FLAG(f) .set = set_flag, .field = CLI_FIELD(f, bool)
#define FILE_(f) .values = OV_FILE, .set = set_file, .field = CLI_FIELD(f, const char *)
#define TIME_(f) .values = OV_TEXT, .set = set_time, .field = CLI_FIELD(f, const char *)
#define SECONDS(f, lo, hi) .values = OV_TEXT, .set = set_seconds, .field = CLI_FIELD(f, __u64), .min = lo, .max = hi
#define NUMBER(f, lo, hi) .values = OV_TEXT, .set = set_number, .field = CLI_FIELD(f, __u32), .min = lo, .max = hi
#define WORDS(f, w) .values = OV_WORDS, .words = w, .set = set_word, .field = CLI_FIELD(f, int)
#define PID_(f) .values = OV_TEXT, .set = set_pid, .field = CLI_FIELD(f, __u32)

static const struct opt_word sort_words[] = {
	[SIGNAL_SORT_COUNT] = { "count" },
	[SIGNAL_SORT_TIME] = { "time" },
	[SIGNAL_SORT_SIGNAL] = { "signal" },
	[SIGNAL_SORT_SENDER] = { "sender" },
	[SIGNAL_SORT_TARGET] = { "target" },
	{},
};

static const struct opt_word format_words[] = {
	[FORMAT_PERFETTO] = { "perfetto",
			      "Chrome JSON trace for ui.perfetto.dev: a track per process (in tree order, a flow arrow "
			      "from each fork), slices split at each exec, instants for signals, stops, continues, exit "
			      "and reap; times in microseconds since the recording started" },
	[FORMAT_DOT] = { "dot", "the process tree as a Graphviz digraph, states as styles" },
	{},
};

const struct opt cli_opts[] = {
	{ "write", 'w', "FILE", RECORD, "the recording (created mode 0600; format: docs/RECORDING.md)",
	  "An existing FILE is refused unless --force or --rotate-existing is given.", FILE_(rec.write) },
	{ "events", 'e', "LIST", WATCH, "only these events, comma-separated: {events}, or all; none: no event (with --metrics-file or -w FILE)",
	  "Programs for the kernel events not asked for are not loaded. With -e none and --metrics-file (no -w FILE), "
	  "a metrics-only run: it loads what tree does, and counts failed execs and refused kills only where that "
	  "costs the other syscalls nothing.", .values = OV_EVENTS, .def = "all",
	  .set = set_events, .field = CLI_FIELD(events, __u32) },
	{ "signal", 's', "LIST", SIGNALS, "only these signals, comma-separated: names (TERM or SIGTERM) or numbers",
	  .values = OV_SIGNALS, .set = set_signals, .field = CLI_FIELD(sigs, __u64) },
	{ "format", 'f', "FORMAT", EXPORT, "what to write: {values}", WORDS(format, format_words) },
	{ "pid", 'p', "PID", WATCH | EXPORT, "only PID and its descendants",
	  PID_(pid) },
	{ "pid", 'p', "PID", SIGNALS, "only signals sent by or to PID", PID_(pid) },
	{ "comm", 'c', "COMM", WATCH, "only processes named COMM (the first 15 bytes count)",
	  "For signals, the sender or the target.", .values = OV_TEXT, .set = set_comm,
	  .field = CLI_FIELD(comm, char[PL_COMM_LEN]) },
	{ "uid", 'u', "USER", WATCH, "only processes of this real user (name or number)", .values = OV_USER,
	  .set = set_uid, .field = CLI_FIELD(uid, __u32) },
	{ "auid", 0, "USER", WATCH | SIGNALS,
	  "only what this login user did (name or number): the login uid stays through sudo and su",
	  "The login uid is what /proc/PID/loginuid says, set at login (pam_loginuid) and inherited; for signals, "
	  "the sender's. Filtered in the kernel.",
	  .values = OV_USER, .set = set_uid, .field = CLI_FIELD(auid, __u32) },
	{ "session", 0, "ID", WATCH | SIGNALS, "only processes of this audit session (/proc/PID/sessionid)",
	  "For signals, the sender. Filtered in the kernel.", .values = OV_TEXT, .set = set_session,
	  .field = CLI_FIELD(session, __u32) },
	{ "tty", 0, "NAME", WATCH | SIGNALS,
	  "only processes whose controlling terminal is NAME: pts/3, tty1, ttyS0, console, or none",
	  "For signals, the sender. Filtered in the kernel.", .values = OV_TEXT, .set = set_tty,
	  .field = CLI_FIELD(tty, __u32) },
	{ "setid", 0, NULL, WATCH,
	  "only execs that changed privilege (a set-user-ID or set-group-ID file, file capabilities) and "
	  "credential changes (cred events)",
	  "Filtered in the kernel.", FLAG(setid_only) },
	{ "container", 0, "ID|NAME", CONTAINERS,
	  "only processes in this container: its name, or an id prefix of 4 hex digits or more (again for more)",
	  "A container that starts later is followed from its first process. Live, watch filters in the kernel "
	  "(where the kernel keeps a verdict per cgroup) once the container is named; for signals, the sender or "
	  "the target.",
	  .values = OV_TEXT, .set = set_container, .field = CLI_FIELD(ctf.containers, const char *[CTF_MAX]) },
	{ "pod", 0, "[NS/]NAME", CONTAINERS, "only processes of this Kubernetes pod (again for more)", .values = OV_TEXT,
	  .set = set_container, .field = CLI_FIELD(ctf.pods, const char *[CTF_MAX]) },
	{ "cgroup", 0, "PATH", CONTAINERS, "only processes in this cgroup and below (its path from the hierarchy's root)",
	  "PATH is matched against the v2 path and the path in the v1 hierarchy proclife follows.", .values = OV_TEXT,
	  .set = set_cgroup, .field = CLI_FIELD(ctf.cgroup, const char *) },
	{ "host", 0, NULL, CONTAINERS, "only processes in no container", FLAG(ctf.host) },
	{ "containers", 0, NULL, CONTAINERS, "only processes in a container", FLAG(ctf.in_containers) },
	{ "by-container", 0, NULL, SNAPSHOTS, "each container apart: a tree (zombies: a list) per container, the host's last",
	  FLAG(by_container) },
	{ "failed", 0, NULL, WATCH, "only failed execs, non-zero exits and undelivered signals", FLAG(failed_only) },
	{ "failed", 0, NULL, SIGNALS, "only refused attempts and signals not delivered", FLAG(failed_only) },
	{ "sort", 0, "KEY", SIGNALS, "the order of the rows: {values}", .def = "count", WORDS(sort, sort_words) },
	{ "threads", 0, NULL, WATCH | RECORD, "also thread creation and thread exits", FLAG(threads) },
	{ "json", 'j', NULL, WATCH | RUN, "events as JSON lines, one object per line (schema: docs/EVENTS.md)",
	  FLAG(json) },
	{ "json", 'j', NULL, SNAPSHOTS | SIGNALS | LIFE | VERIFY | FEATURES, "JSON, one document per print (schema: docs/EVENTS.md)",
	  FLAG(json) },
	{ "every", 'e', "SEC", SNAPSHOTS, "keep following, print every SEC seconds (Ctrl-C stops)",
	  SECONDS(every_ns, 0.001, 86400) },
	{ "every", 'e', "SEC", SIGNALS, "also print the summary every SEC seconds", SECONDS(every_ns, 0.001, 86400) },
	{ "count", 'n', "N", SNAPSHOTS, "with --every: stop after N prints", NUMBER(count, 1, 1000000) },
	{ "wide", 'w', NULL, SNAPSHOTS, "whole lines on a terminal too (else cut to its width, as ps does)",
	  FLAG(wide) },
	{ "delay", 'd', "SEC", TOP, "redraw at most every SEC seconds, {range}", .def = "0.25",
	  SECONDS(delay_ns, 0.05, 60) },
	{ "duration", 'd', "SEC", RECORD, "stop after SEC seconds", SECONDS(duration_ns, 0.001, 86400) },
	{ "output", 'o', "FILE", WATCH,
	  "write events to FILE (mode 0600, never through a symlink) instead of stdout; SIGHUP reopens it (after "
	  "logrotate moved it away)",
	  "An existing FILE is emptied first, unless --append. A full or failing disk does not stop it: the lines "
	  "it cannot write are counted and dropped, and a gap line marks them once it writes again.",
	  FILE_(output) },
	{ "append", 0, NULL, WATCH,
	  "with -o: add to FILE instead of emptying it first (a service's log, whose lines a shipper may not "
	  "have read yet)",
	  FLAG(append) },
	{ "output", 'o', "FILE", RUN, "events to FILE (mode 0600, never through a symlink) instead of stderr",
	  FILE_(output) },
	{ "output", 'o', "FILE", EXPORT, "write to FILE (mode 0600, never through a symlink; emptied) instead of stdout",
	  FILE_(output) },
	{ "quiet", 'q', NULL, RUN, "no events, only the summary", FLAG(quiet) },
	{ "summary-json", 0, "FILE", RUN, "also write the summary as JSON to FILE (mode 0600, never through a symlink)",
	  FILE_(summary_json) },
	{ "user", 0, "USER", RUN, "run CMD as USER (default: the user who ran sudo, else as is)", .values = OV_USER,
	  .set = set_user, .field = CLI_FIELD(user, const char *) },
	{ "follow-leftovers", 0, "SEC", RUN, "keep following what CMD left running for SEC seconds",
	  SECONDS(follow_leftovers_ns, 0.001, 86400) },
	{ "arg-bytes", 0, "N", WRITERS | RECORD, "keep at most N bytes of each argv, {range}; 0: none, only the program's path",
	  "The same cap applies to the command lines of the /proc scans a recording holds: at its start, at each "
	  "resync and at each rotation.",
	  .def = STR(PL_ARGS_DEFAULT), .values = OV_TEXT, .set = set_arg_bytes, .field = CLI_FIELD(args_cap, __u32),
	  .min = 0, .max = PL_ARGS_MAX },
	{ "redact", 0, "REGEX", REDACTORS,
	  "replace what REGEX matches in argv and filenames with *****, before anything is shown, kept or recorded "
	  "(repeatable)",
	  "REGEX is POSIX extended (ERE), case-sensitive. An argv is matched as one line, its arguments joined by "
	  "spaces, so that '--password[ =]([^ ]+)' catches --password SECRET in two arguments as well as "
	  "--password=SECRET in one. With parenthesized subexpressions, only what the last one that took part "
	  "matched is replaced (POSIX has no non-capturing group); without one, the whole match. The /proc scans a "
	  "recording holds and the command line it keeps are redacted too, and so is a replay (-r). Each exec "
	  "costs the time of matching its argv: start REGEX with a literal, as an expression that can begin "
	  "anywhere (such as [a-z]*key) takes time quadratic in the argv's length.",
	  .values = OV_TEXT, .set = set_redact },
	{ "redact-defaults", 0, NULL, REDACTORS,
	  "redact what commonly holds secrets: password=, --password VALUE, token=, Authorization: and the like",
	  "Each of these, without regard to case: "
	  "--password VALUE or --password=VALUE (one dash too), and the same of passwd, pass, pwd, passphrase, "
	  "secret, token, api-key, access-key, secret-key, client-secret, private-key, auth-token; "
	  "NAME=VALUE where NAME ends in password, passwd, pwd, passphrase, secret, token, apikey, api_key, "
	  "access_key, secret_key, private_key or auth (DB_PASSWORD=..., ?token=...&); "
	  "the credential of an Authorization:, Proxy-Authorization:, X-Api-Key:, X-Auth-Token: or Cookie: header "
	  "(after Bearer, Basic, Token, Digest or Negotiate); "
	  "the password of a URL: scheme://user:PASSWORD@host; "
	  "GitHub tokens (ghp_..., gho_..., ghu_..., ghs_..., ghr_...) and Slack tokens (xoxb-..., xoxp-...); "
	  "sshpass -p PASSWORD. "
	  "Not caught, among others: mysql -pPASSWORD (-p is too common a letter), a secret in a file or the "
	  "environment: add --redact for what your commands hold.",
	  FLAG(redact_defaults) },
	{ "zombie-after", 0, "SEC", WATCH, "a zombie event when an exited process is not reaped after SEC seconds",
	  .def = "5", SECONDS(zombie_after_ns, 0.001, 86400) },
	{ "max-memory", 0, "SIZE", MODELS, "the most memory the process model holds, 1M to 1T (suffix K, M, G)",
	  "Past it, reaped processes are forgotten before their 60 s, then each process's older execs, then "
	  "long command lines (cut to 256 bytes), and only then are new processes left out; each kind is said "
	  "once and counted (the closing summary, proclife_forgotten_total). The model's own count of what it "
	  "allocates: the ring buffer (16 MiB), the kernel's maps and proclife's other buffers come on top "
	  "(proclife.service sets MemoryMax=448M for the default).",
	  .def = "256M", .values = OV_TEXT, .set = set_memory, .field = CLI_FIELD(max_memory, __u64) },
	{ "kthreads", 0, NULL, EXPORT, "kernel threads too (left out by default)", FLAG(kthreads) },
	{ "verbose", 'v', NULL, FEATURES, "also the verifier's log of each refused program", FLAG(verbose) },
	{ "write", 'w', "FILE", WRITERS, "also record everything to FILE (mode 0600; replay with -r)",
	  "Filters shape what is shown, not what is recorded.", FILE_(rec.write) },
	{ "force", 0, NULL, RECORDERS, "replace FILE if it exists (a symlink is replaced, never followed)",
	  FLAG(rec.force) },
	{ "rotate-size", 0, "N", RECORDERS, "start a new file past N bytes (suffix K, M, G): FILE.1, FILE.2 ...",
	  "Each piece stands alone, starting with a scan of its own.", .values = OV_TEXT, .set = set_size,
	  .field = CLI_FIELD(rec.rotate_size, __u64) },
	{ "rotate-count", 0, "N", RECORDERS, "files kept when FILE rotates, FILE included (default: 10)",
	  NUMBER(rec.rotate_count, 2, 100000) },
	{ "rotate-existing", 0, NULL, RECORDERS,
	  "keep an existing FILE as FILE.1 (as a rotation) instead of refusing", FLAG(rec.rotate_existing) },
	{ "seal-key", 0, "FILE", RECORDERS,
	  "seal every block with an HMAC-SHA256 under the key in FILE (16 to 1024 bytes, mode 0600), for proclife "
	  "verify --seal-key",
	  "Without the key, nobody can alter, add, remove or reorder sealed blocks unseen. Keep a copy of the key "
	  "where the recording's host cannot reach it (the auditor's), and make one with head -c 32 /dev/urandom > "
	  "FILE; what a seal does and does not prove: docs/RECORDING.md.",
	  FILE_(rec.seal_key) },
	{ "read", 'r', "FILE", READERS,
	  "a recording (proclife record -w FILE) to replay; -r again for each piece of a rotated one (FILE.1 ...), "
	  "in any order: replayed as one",
	  .values = OV_FILE, .set = set_read, .field = CLI_FIELD(rec.read, const char *[REC_CLI_READ_MAX]) },
	{ "at", 0, "TIME", SNAPSHOTS, "with -r: as it was at TIME, not at the end (--until TIME too)", TIME_(at) },
	{ "since", 0, "TIME", READERS,
	  "with -r: only what happened from TIME on (TIME: +SEC from the start (s, m, h), @EPOCH, "
	  "YYYY-MM-DDTHH:MM:SS[.frac][Z], HH:MM:SS)",
	  TIME_(rec.since) },
	{ "until", 0, "TIME", READERS, "with -r: only what happened up to TIME", TIME_(rec.until) },
	{ "metrics-file", 0, "PATH", METRICS,
	  "Prometheus metrics of the host in PATH (text format, for node_exporter's textfile collector), "
	  "rewritten atomically every interval and at exit",
	  "A write that fails is said in one line and retried; tracing goes on.", .values = OV_FILE,
	  .set = set_metrics_file, .field = CLI_FIELD(metrics.file, const char *) },
	{ "metrics-interval", 0, "SEC", METRICS, "seconds between rewrites, {range} (default: 15)",
	  SECONDS(metrics.interval_ns, 0.1, 86400) },
	{ "seal-key", 0, "FILE", VERIFY,
	  "check every block's seal with the key in FILE: a FILE not sealed with it is refused", FILE_(verify_key) },
	{ "help", 'h', NULL, CMDS_ALL, "this help", .set = set_help },
	{ "version", 'V', NULL, WATCH, "print the version", .set = set_version },
};

const size_t cli_nopts = sizeof(cli_opts) / sizeof(cli_opts[0]);

/* ---- each command's checks: how its options combine ---- */

static int watch_check(struct cli *c, char *err, size_t errlen)
{
	if (c->append && !c->output) {
		snprintf(err, errlen, "--append goes with --output FILE");
		return -EINVAL;
	}
	if (!c->events && !c->metrics.file && !c->rec.write) {
		snprintf(err, errlen, "--events none shows nothing: it goes with --metrics-file or --write FILE");
		return -EINVAL;
	}
	return 0;
}

static int snapshot_check(struct cli *c, char *err, size_t errlen)
{
	const char *e = NULL;

	if (c->count && !c->every_ns)
		e = "--count goes with --every";
	else if (c->at && !c->rec.nread)
		e = "--at goes with --read FILE (a recording)";
	else if (c->rec.nread && c->every_ns)
		e = "--every is for live following, not with --read";
	else if (c->metrics.file && !c->every_ns)
		e = "--metrics-file goes with --every (it follows the host)";
	if (e)
		snprintf(err, errlen, "%s", e);
	return e ? -EINVAL : 0;
}

static int signals_check(struct cli *c, char *err, size_t errlen)
{
	if (c->rec.nread && c->every_ns) {
		snprintf(err, errlen, "--every is for live auditing, not with --read");
		return -EINVAL;
	}
	return 0;
}

static int run_check(struct cli *c, char *err, size_t errlen)
{
	if (c->rec.nread && (c->command || c->user || c->follow_leftovers_ns)) {
		snprintf(err, errlen, "--read replays a recorded run: %s",
			 c->command ? "no command goes with it" : c->user ? "--user goes with a command" :
			 "--follow-leftovers goes with a command");
		return -EINVAL;
	}
	if (!c->rec.nread && !c->command) {
		snprintf(err, errlen, "no command given: proclife run [OPTIONS] -- CMD [ARGS...]");
		return -EINVAL;
	}
	return 0;
}

static int record_check(struct cli *c, char *err, size_t errlen)
{
	if (!c->rec.write) {
		snprintf(err, errlen, "needs --write FILE");
		return -EINVAL;
	}
	return 0;
}

static int life_check(struct cli *c, char *err, size_t errlen)
{
	if (!c->rec.nread) {
		snprintf(err, errlen, "needs --read FILE: life tells a story from a recording, it has no live mode "
				      "(record one with 'proclife record -w FILE')");
		return -EINVAL;
	}
	return 0;
}

static int export_check(struct cli *c, char *err, size_t errlen)
{
	char words[64] = "";

	if (c->format < 0) {
		/* The words from --format's entry, not typed again. */
		for (size_t i = 0; i < cli_nopts; i++)
			if (!strcmp(cli_opts[i].name, "format") && (cli_opts[i].cmds & EXPORT))
				opt__words(&cli_opts[i], words, sizeof(words));
		snprintf(err, errlen, "needs --format %s", words);
		return -EINVAL;
	}
	if (!c->rec.nread) {
		snprintf(err, errlen, "needs -r FILE, a recording (proclife record -w FILE)");
		return -EINVAL;
	}
	return 0;
}

/* ---- the commands ---- */

const struct cmd_info cmd_infos[CMD_MAX] = {
	[CMD_WATCH] = {
		.name = "watch",
		.synopsis = "[watch]",
		.summary = "every process lifecycle event, as it happens",
		.usage = "[watch] [OPTIONS]",
		.about = "Trace process lifecycle events system-wide: fork, exec, exit, reap, signals.",
		.more = "Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF.\n"
			"Ctrl-C stops and prints how many events were seen and lost. SIGHUP reopens -o FILE and "
			"starts a new -w FILE (FILE.1 ...); without -o or -w it ends proclife.",
		.hup_rotates = true,
		.needs = NEEDS_EVENTS,
		.check = watch_check,
	},
	[CMD_TREE] = {
		.name = "tree",
		.synopsis = "tree [PID]",
		.summary = "the process tree, with states, zombies and orphans",
		.usage = "tree [PID] [--json] [-w] [--every SEC [--count N]]\n"
			 "tree [PID] -r FILE [--at TIME]",
		.about = "The process tree now (all, or under PID): what each process used (CPU so far, RSS; in "
			 "all once it exited), the CPU of everything that ran under it, pid, argv, state, age. "
			 "With -r, as it was at the end of the recording, or at --at TIME.",
		.operands = OPERAND_PID_OPTIONAL,
		.needs = NEEDS_STATES,
		.check = snapshot_check,
	},
	[CMD_ZOMBIES] = {
		.name = "zombies",
		.synopsis = "zombies",
		.summary = "exited processes nobody reaped, and their parents",
		.usage = "zombies [--json] [--every SEC [--count N]]\n"
			 "zombies -r FILE [--at TIME]",
		.about = "Processes that exited and were not reaped, and the parent not reaping them. "
			 "With -r, as it was at the end of the recording, or at --at TIME.",
		.needs = NEEDS_STATES,
		.check = snapshot_check,
	},
	[CMD_TOP] = {
		.name = "top",
		.synopsis = "top",
		.summary = "the live tree, full-screen",
		.usage = "top [--delay SEC] [-w FILE]",
		.about = "The live process tree, full screen: new processes in green, stopped in yellow, zombies "
			 "in red, exited ones dimmed for 3 s.",
		.more = "Columns: CPU% (of one CPU, over the last second or --delay), RSS, SUBTREE (the CPU of "
			"the process and all that ran under it); exited ones: their CPU and most memory.\n"
			"Keys: q quit; up/down, j/k, PgUp/PgDn, Home/End move; left/-, right/+, Enter collapse "
			"and expand; / filter by name or argv; c clear; z zombies and stopped only; C only the selected "
			"process's container (again: all); sort siblings: "
			"P by CPU%, M by memory, S by subtree CPU, T tree order (oldest first).",
		.needs = NEEDS_STATES,
	},
	[CMD_SIGNALS] = {
		.name = "signals",
		.synopsis = "signals",
		.summary = "who sent which signal to whom, and what became of it",
		.usage = "signals [OPTIONS]",
		.about = "Audit signals until Ctrl-C, then print who sent which signal to whom, how, what became "
			 "of it, and how often.",
		.needs = NEEDS_EVENTS,
		.check = signals_check,
	},
	[CMD_RUN] = {
		.name = "run",
		.synopsis = "run -- CMD",
		.summary = "run CMD, follow everything it starts, summarize",
		.usage = "run [OPTIONS] -- CMD [ARGS...]\n"
			 "run -r FILE [-q] [-j] [-o FILE] [--summary-json FILE]",
		.about = "Run CMD, follow everything it starts, then summarize what ran and what was left behind. "
			 "Exits with CMD's status (128+N if a signal N killed it). With -r: the events and "
			 "summary of a run recorded with -w, replayed (both on stdout; -o FILE for the events).",
		.operands = OPERANDS_COMMAND,
		.needs = NEEDS_EVENTS,
		.check = run_check,
	},
	[CMD_RECORD] = {
		.name = "record",
		.synopsis = "record -w FILE",
		.summary = "record everything to FILE, quietly",
		.usage = "record -w FILE [OPTIONS]",
		.about = "Record every process lifecycle event to FILE, quietly: a snapshot of the process table, "
			 "then every fork, exec, exit, reap and signal, compressed, in checksummed blocks written "
			 "at least once a second. Replay it with -r FILE (watch, tree, zombies, signals, run, "
			 "life, export). Ctrl-C or SIGTERM stops it, and the file ends cleanly. SIGHUP "
			 "(systemctl reload) starts a new file as --rotate-size does (FILE is kept as FILE.1, "
			 "FILE.1 as FILE.2 ...).",
		.hup_rotates = true,
		.needs = NEEDS_EVENTS,
		.check = record_check,
	},
	[CMD_LIFE] = {
		.name = "life",
		.synopsis = "life PID -r FILE",
		.summary = "one process's story, from a recording",
		.usage = "life PID -r FILE [--json]",
		.about = "One process's story from a recording (make one with 'proclife record -w FILE'): when it "
			 "was born and by whom, each exec, signals received (from whom, what became of them) and "
			 "sent, stops and continues, renames, adoption, exit status, who reaped it, and its "
			 "children. A pid that was reused has one story per life. It has no live mode: a "
			 "recording (-r) is required. With --json: one document, an array of lives.",
		.operands = OPERAND_PID,
		.check = life_check,
	},
	[CMD_EXPORT] = {
		.name = "export",
		.synopsis = "export -r FILE",
		.summary = "a recording as a Perfetto trace or a Graphviz tree",
		.usage = "export --format perfetto|dot -r FILE [-o FILE] [OPTIONS]",
		.about = "Replay a recording (proclife record -w FILE) into another tool's format. With --since, "
			 "the processes there then come first.",
		.check = export_check,
	},
	[CMD_VERIFY] = {
		.name = "verify",
		.synopsis = "verify FILE...",
		.summary = "is a recording whole, cut short, or altered",
		.usage = "verify [--seal-key FILE] [--json] FILE...",
		.about = "Check that recordings are what their recorder wrote: each block's checksums, the chain of "
			 "SHA-256 hashes that ties each block to everything before it, every record, and with "
			 "--seal-key each block's seal. Several FILEs (the pieces of a rotated recording, in any "
			 "order) are held to each other too: each must continue the piece before it from where that "
			 "one ends. One line per FILE: whole; cut (it ends early: its recorder was killed, or is still "
			 "writing; what is there is whole); altered (where, and what failed); unsealed (with "
			 "--seal-key: nothing vouches for it); or unreadable. Then one line for the set.",
		.more = "Exit status: 0 every FILE whole, each continuing the one before; 3 one is cut, nothing "
			"worse; 1 anything altered, unsealed or unreadable, or a piece missing between two. A cut "
			"file cannot be told from one whose last blocks were removed, nor a missing newest piece "
			"from one never written (docs/RECORDING.md says what the chain and the seal prove).",
		.operands = OPERANDS_FILES,
	},
	[CMD_FEATURES] = {
		.name = "features",
		.synopsis = "features",
		.summary = "what this kernel lets proclife trace",
		.usage = "features [--json] [--verbose]",
		.about = "What this kernel lets proclife trace: the kernel, BTF, the BPF ring buffer, and each "
			 "feature on, reduced or off, with the reason. Exit status 1 when proclife cannot trace "
			 "here.",
	},
};
