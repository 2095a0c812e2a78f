// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* strptime, timegm */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "base/names.h"
#include "base/version.h"
#include "kernel/tracer.h"
#include "record/recording.h"
#include "model/model.h"
#include "session/live.h"
#include "cmd/options.h"


void watch_opts__usage(FILE *f)
{
	fprintf(f,
		"Usage: proclife [watch] [OPTIONS]\n"
		"Trace process lifecycle events system-wide: fork, exec, exit, reap, signals.\n"
		"\n"
		"Other commands (each has --help):\n"
		"  proclife tree [PID]        the process tree, with states, zombies and orphans\n"
		"  proclife zombies           exited processes nobody reaped, and their parents\n"
		"  proclife top               the live tree, full-screen\n"
		"  proclife signals           who sent which signal to whom, and what became of it\n"
		"  proclife run -- CMD        run CMD, follow everything it starts, summarize\n"
		"  proclife record -w FILE    record everything to FILE, quietly\n"
		"  proclife life PID -r FILE  one process's story, from a recording\n"
		"  proclife export -r FILE    a recording as a Perfetto trace or a Graphviz tree\n"
		"\n"
		"  -e, --events LIST    only these events, comma-separated: fork, exec, exec_failed,\n"
		"                       exit, reap, signal, deliver, rename, stop, continue, zombie,\n"
		"                       reparent, resync, or all (default: all)\n"
		"  -p, --pid PID        only PID and its descendants\n"
		"  -c, --comm COMM      only processes named COMM (the first 15 bytes count)\n"
		"  -u, --uid USER       only processes of this real user (name or number)\n"
		"      --failed         only failed execs, non-zero exits and undelivered signals\n"
		"      --threads        also thread creation and thread exits\n"
		"  -j, --json           one JSON object per line (schema: README.md)\n"
		"  -o, --output FILE    write events to FILE (created mode 0600) instead of stdout;\n"
		"                       SIGHUP reopens it (after logrotate moved it away)\n"
		"      --append         with -o: add to FILE instead of emptying it first (a service's\n"
		"                       log, whose lines a shipper may not have read yet)\n"
		"      --arg-bytes N    keep at most N bytes of each argv, 1..%d (default %d)\n"
		"      --zombie-after S a zombie event when an exited process is not reaped\n"
		"                       after S seconds (default 5)\n"
		REC_CLI_WRITE_HELP
		REC_CLI_READ_HELP
		METRICS_CLI_HELP
		"  -h, --help           this help\n"
		"  -V, --version        print the version\n"
		"\n"
		"Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF.\n"
		"Ctrl-C stops and prints how many events were seen and lost. SIGHUP reopens -o FILE\n"
		"and starts a new -w FILE (FILE.1 ...); without -o or -w it ends proclife.\n",
		PL_ARGS_MAX, PL_ARGS_DEFAULT);
}

static int parse_u32(const char *s, unsigned long max, __u32 *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Seconds with an optional fraction, 0.001..86400, into ns. */
int parse_seconds(const char *s, __u64 *ns)
{
	char *end;
	double v;

	if (!s || !*s || (*s < '0' || *s > '9'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0.001 || v > 86400)
		return -EINVAL;
	*ns = (__u64)(v * 1e9 + 0.5);
	return 0;
}

int events__parse(const char *list, __u32 *mask, char *err, size_t errlen)
{
	char buf[256], *save = NULL, *tok;
	__u32 m = 0;

	if (!list || !*list || strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "--events needs a list of event names");
		return -EINVAL;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t;

		if (!strcmp(tok, "all")) {
			m |= PL_EV_ALL | DV_ALL;
			continue;
		}
		t = names__event_parse(tok);
		if (t >= 0) {
			m |= PL_EV_BIT(t);
			continue;
		}
		t = derived__parse(tok);
		if (t < 0) {
			snprintf(err, errlen,
				 "unknown event '%.32s' (known: fork, exec, exec_failed, exit, reap, signal, "
				 "deliver, rename, stop, continue, zombie, reparent, resync, all)",
				 tok);
			return -EINVAL;
		}
		m |= DV_BIT(t);
	}
	if (!m) {
		snprintf(err, errlen, "--events needs a list of event names");
		return -EINVAL;
	}
	*mask = m;
	return 0;
}

int uid__parse(const char *s, __u32 *uid)
{
	struct passwd *pw;
	FILE *f;
	int ret = -EINVAL;

	if (parse_u32(s, UINT_MAX - 1, uid) == 0)
		return 0;
	/* fgetpwent reads the file itself: no NSS, which a static binary cannot load. */
	f = fopen("/etc/passwd", "re");
	if (!f)
		return -EINVAL;
	while ((pw = fgetpwent(f))) {
		if (!strcmp(pw->pw_name, s)) {
			*uid = pw->pw_uid;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int opts__bad_option(int c, char **argv, char *msg, size_t len)
{
	if (c == ':')
		snprintf(msg, len, "option '%.32s' needs a value", argv[optind - 1]);
	else
		snprintf(msg, len, "unknown option '%.32s'", argv[optind - 1]);
	return -EINVAL;
}

int parse_size(const char *s, __u64 *bytes)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	}
	if (v > (1ull << 40) >> shift) /* before shifting: no wrap-around */
		return -EINVAL;
	v <<= shift;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v < 4096 || v > (1ull << 40))
		return -EINVAL;
	*bytes = v;
	return 0;
}

int rec_cli__read_option(struct rec_cli *rc, int c, const char *arg, char *err, size_t errlen)
{
	switch (c) {
	case 'r':
		if (!*arg) {
			snprintf(err, errlen, "--read needs a file name");
			return -EINVAL;
		}
		if (rc->nread >= REC_CLI_READ_MAX) {
			snprintf(err, errlen, "--read given more than %d times", REC_CLI_READ_MAX);
			return -EINVAL;
		}
		rc->read[rc->nread++] = arg;
		return 1;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (!*arg) {
			snprintf(err, errlen, "--%s needs a time", c == OPT_SINCE ? "since" : "until");
			return -EINVAL;
		}
		*(c == OPT_SINCE ? &rc->since : &rc->until) = arg;
		return 1;
	}
	return 0;
}

int rec_cli__option(struct rec_cli *rc, int c, const char *arg, char *err, size_t errlen)
{
	__u32 v;
	int r;

	r = rec_cli__read_option(rc, c, arg, err, errlen);
	if (r)
		return r;
	switch (c) {
	case 'w':
		if (!*arg) {
			snprintf(err, errlen, "--write needs a file name");
			return -EINVAL;
		}
		rc->write = arg;
		return 1;
	case OPT_FORCE:
		rc->force = true;
		return 1;
	case OPT_ROTATE_SIZE:
		if (parse_size(arg, &rc->rotate_size)) {
			snprintf(err, errlen, "--rotate-size needs a size from 4096 bytes to 1T (e.g. 100M), not '%.32s'",
				 arg);
			return -EINVAL;
		}
		return 1;
	case OPT_ROTATE_COUNT:
		if (parse_u32(arg, 100000, &v) || v < 2) {
			snprintf(err, errlen, "--rotate-count needs a number of files from 2 to 100000, not '%.32s'", arg);
			return -EINVAL;
		}
		rc->rotate_count = v;
		return 1;
	case OPT_ROTATE_EXISTING:
		rc->rotate_existing = true;
		return 1;
	}
	return 0;
}

int rec_cli__check(const struct rec_cli *rc, char *err, size_t errlen)
{
	if (rc->nread && rc->write) {
		snprintf(err, errlen, "--read and --write do not go together");
		return -EINVAL;
	}
	if (!rc->nread && (rc->since || rc->until)) {
		snprintf(err, errlen, "%s goes with --read FILE (a recording)", rc->since ? "--since" : "--until");
		return -EINVAL;
	}
	if (!rc->write && (rc->force || rc->rotate_size || rc->rotate_count || rc->rotate_existing)) {
		snprintf(err, errlen, "%s goes with --write FILE",
			 rc->force ? "--force" : rc->rotate_size ? "--rotate-size" :
			 rc->rotate_count ? "--rotate-count" : "--rotate-existing");
		return -EINVAL;
	}
	if (rc->force && rc->rotate_existing) {
		snprintf(err, errlen, "--force (replace FILE) and --rotate-existing (keep it) do not go together");
		return -EINVAL;
	}
	/* Files kept: meaningful whenever FILE may rotate (by size, on SIGHUP, or an existing one at start). */
	if (rc->rotate_count && !rc->rotate_size && !rc->rotate_existing && !rc->hup_rotates) {
		snprintf(err, errlen, "--rotate-count goes with --rotate-size or --rotate-existing");
		return -EINVAL;
	}
	return 0;
}

int metrics_cli__option(struct metrics_cli *mc, int c, const char *arg, char *err, size_t errlen)
{
	size_t n;

	switch (c) {
	case OPT_METRICS_FILE:
		n = strlen(arg);
		if (!n || arg[n - 1] == '/') {
			snprintf(err, errlen, "--metrics-file needs a file name%s%.32s%s", n ? ", not the directory '" : "",
				 arg, n ? "'" : "");
			return -EINVAL;
		}
		mc->file = arg;
		return 1;
	case OPT_METRICS_INTERVAL:
		if (parse_seconds(arg, &mc->interval_ns) || mc->interval_ns < 100000000ull) {
			snprintf(err, errlen, "--metrics-interval needs seconds, 0.1 to 86400, not '%.32s'", arg);
			return -EINVAL;
		}
		return 1;
	}
	return 0;
}

int metrics_cli__check(struct metrics_cli *mc, bool replay, char *err, size_t errlen)
{
	if (mc->interval_ns && !mc->file) {
		snprintf(err, errlen, "--metrics-interval goes with --metrics-file PATH");
		return -EINVAL;
	}
	if (mc->file && replay) {
		snprintf(err, errlen, "--metrics-file is for live tracing, not with --read (metrics describe the host now)");
		return -EINVAL;
	}
	if (!mc->interval_ns)
		mc->interval_ns = METRICS_CLI_INTERVAL_DEFAULT;
	return 0;
}

void rec_cli__writer_opts(const struct rec_cli *rc, int argc, char **argv, __u32 flags, __u32 args_cap,
			  struct rec_writer_opts *o, char *cmd, size_t cmdlen)
{
	size_t n = snprintf(cmd, cmdlen, "proclife");

	for (int i = 0; i < argc && n < cmdlen; i++)
		n += snprintf(cmd + n, cmdlen - n, " %s", argv[i]);
	*o = (struct rec_writer_opts){
		.path = rc->write,
		.force = rc->force,
		.rotate_size = rc->rotate_size,
		.rotate_count = rc->rotate_count,
		.rotate_existing = rc->rotate_existing,
		.flags = flags,
		.args_cap = args_cap,
		.command = cmd,
	};
}

/* Digits then an optional .fraction: ns. */
static int parse_secs_frac(const char *s, char **end, __u64 *ns)
{
	unsigned long long sec;
	__u64 frac = 0, scale = 100000000;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	sec = strtoull(s, end, 10);
	if (errno || sec > 1ull << 33)
		return -EINVAL;
	if (**end == '.') {
		for ((*end)++; **end >= '0' && **end <= '9'; (*end)++, scale /= 10)
			frac += (**end - '0') * scale;
	}
	*ns = sec * 1000000000ull + frac;
	return 0;
}

int parse_instant(const char *s, __u64 start_ns, __s64 wall_offset_ns, __u64 *boot_ns)
{
	struct tm tm = {};
	__u64 ns, frac = 0, unit;
	__s64 wall;
	char *end;
	time_t t;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '+') {
		if (parse_secs_frac(s + 1, &end, &ns))
			return -EINVAL;
		unit = *end == 'm' ? 60 : *end == 'h' ? 3600 : 1;
		if (*end == 'm' || *end == 'h' || *end == 's')
			end++;
		/* At most a century: and no wrap-around. */
		if (*end || ns > 100ull * 365 * 86400 * 1000000000ull / unit)
			return -EINVAL;
		ns *= unit;
		*boot_ns = start_ns + ns;
		return 0;
	}
	if (*s == '@') {
		if (parse_secs_frac(s + 1, &end, &ns) || *end)
			return -EINVAL;
		wall = ns;
	} else {
		const char *rest;
		bool utc;

		if (strchr(s, 'T') || strchr(s, ' ')) {
			rest = strptime(s, "%Y-%m-%d", &tm);
			if (!rest || (*rest != 'T' && *rest != ' '))
				return -EINVAL;
			rest++;
		} else {
			/* A time of day: on the day the recording started. */
			time_t st = (start_ns + wall_offset_ns) / 1000000000ull;

			localtime_r(&st, &tm);
			rest = s;
		}
		rest = strptime(rest, "%H:%M:%S", &tm);
		if (!rest)
			return -EINVAL;
		if (*rest == '.') {
			__u64 scale = 100000000;

			for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
				frac += (*rest - '0') * scale;
		}
		utc = *rest == 'Z';
		if (utc)
			rest++;
		if (*rest)
			return -EINVAL;
		tm.tm_isdst = -1;
		t = utc ? timegm(&tm) : mktime(&tm);
		if (t == (time_t)-1)
			return -EINVAL;
		wall = (__s64)t * 1000000000ll + frac;
	}
	if (wall - wall_offset_ns < 0)
		return -ERANGE;
	*boot_ns = wall - wall_offset_ns;
	return 0;
}

enum { OPT_FAILED = 256, OPT_THREADS, OPT_ARG_BYTES, OPT_ZOMBIE_AFTER, OPT_APPEND };

int watch_opts__parse(int argc, char **argv, struct watch_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "uid", required_argument, NULL, 'u' },
		{ "failed", no_argument, NULL, OPT_FAILED },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "append", no_argument, NULL, OPT_APPEND },
		{ "arg-bytes", required_argument, NULL, OPT_ARG_BYTES },
		{ "zombie-after", required_argument, NULL, OPT_ZOMBIE_AFTER },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		REC_CLI_READ_OPTS,
		REC_CLI_WRITE_OPTS,
		METRICS_CLI_OPTS,
		{}
	};
	__u32 v;
	int c, r;

	*o = (struct watch_opts){ .events = PL_EV_ALL | DV_ALL, .uid = PL_UID_ANY, .args_cap = PL_ARGS_DEFAULT,
				  .zombie_after_ns = 5000000000ull, .rec.hup_rotates = true };
	optind = 0; /* full reset: parse may run more than once (tests) */
	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":e:p:c:u:jo:hVr:w:", longopts, NULL)) != -1) {
		r = rec_cli__option(&o->rec, c, optarg, err, errlen);
		if (r == 0)
			r = metrics_cli__option(&o->metrics, c, optarg, err, errlen);
		if (r < 0)
			return r;
		if (r)
			continue;
		switch (c) {
		case 'e':
			if (events__parse(optarg, &o->events, err, errlen))
				return -EINVAL;
			break;
		case 'p':
			if (parse_u32(optarg, INT_MAX, &v) || v == 0) {
				snprintf(err, errlen, "--pid needs a process id, not '%.32s'", optarg);
				return -EINVAL;
			}
			o->pid = v;
			break;
		case 'c':
			if (!*optarg) {
				snprintf(err, errlen, "--comm needs a process name");
				return -EINVAL;
			}
			strncpy(o->comm, optarg, PL_COMM_LEN - 1);
			break;
		case 'u':
			if (uid__parse(optarg, &o->uid)) {
				snprintf(err, errlen, "--uid: no such user '%.32s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_FAILED:
			o->failed_only = true;
			break;
		case OPT_THREADS:
			o->threads = true;
			break;
		case OPT_APPEND:
			o->append = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'o':
			if (!*optarg) {
				snprintf(err, errlen, "--output needs a file name");
				return -EINVAL;
			}
			o->output = optarg;
			break;
		case OPT_ARG_BYTES:
			if (parse_u32(optarg, PL_ARGS_MAX, &v) || v == 0) {
				snprintf(err, errlen, "--arg-bytes needs a number from 1 to %d, not '%.32s'",
					 PL_ARGS_MAX, optarg);
				return -EINVAL;
			}
			o->args_cap = v;
			break;
		case OPT_ZOMBIE_AFTER:
			if (parse_seconds(optarg, &o->zombie_after_ns)) {
				snprintf(err, errlen, "--zombie-after needs seconds, 0.001 to 86400, not '%.32s'",
					 optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			watch_opts__usage(stdout);
			return OPTS_HELP;
		case 'V':
			printf("proclife %s\n", PROCLIFE_VERSION);
			return OPTS_VERSION;
		case ':':
			snprintf(err, errlen, "option '%.32s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c'", optopt);
			else
				snprintf(err, errlen, "unknown option '%.32s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.32s'", argv[optind]);
		return -EINVAL;
	}
	if (o->append && !o->output) {
		snprintf(err, errlen, "--append goes with --output FILE");
		return -EINVAL;
	}
	if (rec_cli__check(&o->rec, err, errlen))
		return -EINVAL;
	if (metrics_cli__check(&o->metrics, o->rec.nread, err, errlen))
		return -EINVAL;
	return OPTS_RUN;
}

struct filter_spec watch_opts__filter_spec(const struct watch_opts *o, bool follow)
{
	return (struct filter_spec){
		.events = o->events,
		.uid = o->uid,
		.comm = o->comm,
		.failed_only = o->failed_only,
		.follow_pid = follow && o->pid > 0 ? (__u32)o->pid : 0,
	};
}

/* One of --since/--until: boot ns, checked against the recording's start. */
static int window_time(const char *who, const char *opt, const char *s, const struct rec_file_hdr *h,
		       const struct wallclock *wc, __u64 *ns)
{
	char when[WALLCLOCK_RFC3339_MAX];
	int r = parse_instant(s, h->start_ns, h->wall_offset_ns, ns);

	if (r == -EINVAL) {
		fprintf(stderr, "%s: %s needs %s, not '%.40s'\n", who, opt, REC_CLI_TIME_FORMS, s);
		return -EINVAL;
	}
	if (r == -ERANGE || *ns < h->start_ns) { /* -ERANGE: before the machine even booted */
		wallclock__rfc3339(wc, h->start_ns, when, sizeof(when));
		fprintf(stderr, "%s: %s %.40s is before the recording starts (%s)\n", who, opt, s, when);
		return -ERANGE;
	}
	return 0;
}

int rec_cli__times(struct rec_cli *rc, const char *who, const struct rec_file_hdr *h, const struct wallclock *wc)
{
	int r;

	rc->since_ns = 0;
	rc->until_ns = ~0ull;
	if (rc->since && (r = window_time(who, "--since", rc->since, h, wc, &rc->since_ns)) < 0)
		return r;
	if (rc->until && (r = window_time(who, "--until", rc->until, h, wc, &rc->until_ns)) < 0)
		return r;
	if (rc->since_ns > rc->until_ns) {
		fprintf(stderr, "%s: --since %.40s is after --until %.40s\n", who, rc->since, rc->until);
		return -EINVAL;
	}
	return 0;
}

int rec_cli__window(struct rec_cli *rc, const char *who, struct live *l)
{
	int r = rec_cli__times(rc, who, live__recording(l), live__wallclock(l));

	if (r < 0 || (!rc->since && !rc->until))
		return r;
	return live__replay_window(l, rc->since_ns, rc->until_ns);
}

int rec_cli__window_end(const struct rec_cli *rc, const char *who, struct live *l)
{
	char when[WALLCLOCK_RFC3339_MAX];
	__u64 end = live__time(l);
	const char *opt = rc->since && rc->since_ns > end ? "--since" : rc->until && rc->until_ns > end ? "--until" : NULL;

	if (!opt || !live__done(l))
		return 0;
	wallclock__rfc3339(live__wallclock(l), end, when, sizeof(when));
	fprintf(stderr, "%s: %s %.40s is after the recording ends (%s)\n", who, opt,
		opt[2] == 's' ? rc->since : rc->until, when);
	return -ERANGE;
}
