// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* watch's command line through the option table: values, defaults and the exact one-line errors; sizes and instants. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "testlib.h"
#include "kernel/tracer.h"
#include "model/model.h"
#include "record/recording.h"
#include "cmd/cli.h"
#include "cmd/common.h"
#include "cmd/options.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

static struct cli o;
static char err[256];

#define PARSE(...)                                                                           \
	({                                                                                   \
		char *_argv[] = { "watch", __VA_ARGS__, NULL };                              \
		err[0] = '\0';                                                               \
		cli__parse(CMD_WATCH, sizeof(_argv) / sizeof(_argv[0]) - 1, _argv, &o, err, sizeof(err)); \
	})

static void test_defaults(void)
{
	char *argv[] = { "watch", NULL };

	ASSERT_EQ(cli__parse(CMD_WATCH, 1, argv, &o, err, sizeof(err)), OPTS_RUN);
	ASSERT_EQ(o.events, PL_EV_ALL | DV_ALL);
	ASSERT_EQ(o.uid, PL_UID_ANY);
	ASSERT_EQ(o.zombie_after_ns, 5000000000ull);
	ASSERT_EQ(o.pid, 0);
	ASSERT_EQ(o.args_cap, PL_ARGS_DEFAULT);
	ASSERT_FALSE(o.json || o.failed_only || o.threads);
	ASSERT_TRUE(o.output == NULL);
	ASSERT_STREQ(o.comm, "");
}

static void test_values(void)
{
	ASSERT_EQ(PARSE("-e", "exec,exit", "-p", "42", "-c", "bash", "-u", "0", "--failed", "--threads", "-j",
			"-o", "out.json", "--arg-bytes", "65536"),
		  OPTS_RUN);
	ASSERT_EQ(o.events, PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT));
	ASSERT_EQ(o.pid, 42);
	ASSERT_STREQ(o.comm, "bash");
	ASSERT_EQ(o.uid, 0);
	ASSERT_TRUE(o.failed_only && o.threads && o.json);
	ASSERT_STREQ(o.output, "out.json");
	ASSERT_EQ(o.args_cap, 65536);
	/* --arg-bytes 0: no argv at all, told apart from the tracer's "default" (0). */
	ASSERT_EQ(PARSE("--arg-bytes", "0"), OPTS_RUN);
	ASSERT_EQ(o.args_cap, TRACER_ARGS_NONE);
	ASSERT_EQ(tracer_config__args_cap(&(struct tracer_config){ .args_cap = o.args_cap }), 0);
	ASSERT_EQ(tracer_config__args_cap(&(struct tracer_config){}), PL_ARGS_DEFAULT);
	/* --redact: each one checked as an ERE now, and kept in order. */
	ASSERT_EQ(PARSE("--redact", "pass=([^ ]+)", "--redact", "tok", "--redact-defaults"), OPTS_RUN);
	ASSERT_EQ(o.nredact, 2);
	ASSERT_STREQ(o.redact[0], "pass=([^ ]+)");
	ASSERT_STREQ(o.redact[1], "tok");
	ASSERT_TRUE(o.redact_defaults);
	ASSERT_EQ(PARSE("--redact", "a(b"), -EINVAL);
	ASSERT_TRUE(strstr(err, "'a(b' is not a POSIX extended regular expression: ") == err);
	ASSERT_EQ(PARSE("--seal-key", "k"), -EINVAL);
	ASSERT_STREQ(err, "--seal-key goes with --write FILE");
	ASSERT_EQ(PARSE("--events=all", "--uid=nobody", "--comm=averyveryverylongname"), OPTS_RUN);
	ASSERT_EQ(o.events, PL_EV_ALL | DV_ALL);
	ASSERT_EQ(o.uid, 65534);
	ASSERT_STREQ(o.comm, "averyveryverylo"); /* the kernel keeps 15 bytes */
	ASSERT_EQ(strlen(o.comm), PL_COMM_LEN - 1);
	ASSERT_EQ(PARSE("-e", "exec_failed,signal,deliver,fork,reap,rename"), OPTS_RUN);
	ASSERT_EQ(o.events, PL_EV_ALL & ~(PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT) | PL_EV_BIT(PL_EV_CRED)));
	ASSERT_EQ(PARSE("-e", "zombie,reparent,stop,continue,resync,container", "--zombie-after", "0.25"), OPTS_RUN);
	ASSERT_EQ(o.events, DV_ALL);
	ASSERT_EQ(o.zombie_after_ns, 250000000ull);
}

static void test_errors(void)
{
	ASSERT_EQ(PARSE("--bogus"), -EINVAL);
	ASSERT_STREQ(err, "unknown option '--bogus'");
	ASSERT_EQ(PARSE("-Z"), -EINVAL);
	ASSERT_STREQ(err, "unknown option '-Z'");
	ASSERT_EQ(PARSE("-e", "exec,nope"), -EINVAL);
	ASSERT_STREQ(err, "unknown event 'nope' (known: fork, exec, exec_failed, exit, reap, signal, deliver, "
			  "rename, cred, stop, continue, zombie, reparent, resync, container, all, none)");
	ASSERT_EQ(PARSE("--zombie-after", "0"), -EINVAL);
	ASSERT_STREQ(err, "--zombie-after needs seconds, 0.001 to 86400, not '0'");
	ASSERT_EQ(PARSE("--zombie-after", "1e9"), -EINVAL);
	ASSERT_EQ(PARSE("--zombie-after", "nan"), -EINVAL);
	ASSERT_EQ(PARSE("-e", ","), -EINVAL);
	ASSERT_STREQ(err, "--events needs a list of event names");
	ASSERT_EQ(PARSE("-p", "abc"), -EINVAL);
	ASSERT_STREQ(err, "--pid needs a process id, not 'abc'");
	ASSERT_EQ(PARSE("-p", "0"), -EINVAL);
	ASSERT_EQ(PARSE("-p", "-5"), -EINVAL);
	ASSERT_EQ(PARSE("-p", "99999999999"), -EINVAL);
	ASSERT_EQ(PARSE("--arg-bytes", "-1"), -EINVAL);
	ASSERT_STREQ(err, "--arg-bytes needs a number from 0 to 65536, not '-1'");
	ASSERT_EQ(PARSE("--arg-bytes", "65537"), -EINVAL);
	ASSERT_EQ(PARSE("--arg-bytes", "12k"), -EINVAL);
	ASSERT_EQ(PARSE("-u", "no_such_user_xyz"), -EINVAL);
	ASSERT_STREQ(err, "--uid: no such user 'no_such_user_xyz'");
	ASSERT_EQ(PARSE("-o"), -EINVAL);
	ASSERT_STREQ(err, "option '-o' needs a value");
	ASSERT_EQ(PARSE("--output"), -EINVAL);
	ASSERT_STREQ(err, "option '--output' needs a value");
	ASSERT_EQ(PARSE("stray"), -EINVAL);
	ASSERT_STREQ(err, "unexpected argument 'stray'");
	ASSERT_EQ(PARSE("-c", ""), -EINVAL);
	/* A hostile value is cut, not echoed whole. */
	ASSERT_EQ(PARSE("-p", "1234567890123456789012345678901234567890"), -EINVAL);
	ASSERT_EQ(strlen(err), strlen("--pid needs a process id, not ''") + 32);
}

static void test_parse_twice(void)
{
	/* getopt state is reset: a second parse sees its own arguments. */
	ASSERT_EQ(PARSE("-j"), OPTS_RUN);
	ASSERT_EQ(PARSE("-p", "7"), OPTS_RUN);
	ASSERT_EQ(o.pid, 7);
	ASSERT_FALSE(o.json);
}

/* -w's rotation options: watch rotates on SIGHUP, so --rotate-count alone is fine; --rotate-existing. */
static void test_rotation_options(void)
{
	struct rec_cli rc = { .write = "f.plr", .rotate_count = 3 };

	ASSERT_EQ(PARSE("-w", "f.plr", "--rotate-count", "3"), OPTS_RUN);
	ASSERT_EQ(o.rec.rotate_count, 3u);
	ASSERT_EQ(PARSE("-w", "f.plr", "--rotate-existing"), OPTS_RUN);
	ASSERT_TRUE(o.rec.rotate_existing);
	ASSERT_EQ(PARSE("--rotate-existing"), -EINVAL);
	ASSERT_STREQ(err, "--rotate-existing goes with --write FILE");
	ASSERT_EQ(PARSE("-w", "f.plr", "--force", "--rotate-existing"), -EINVAL);
	ASSERT_STREQ(err, "--force (replace FILE) and --rotate-existing (keep it) do not go together");
	/* A command that does not rotate on SIGHUP (top, run): --rotate-count needs a rotation to count. */
	ASSERT_EQ(rec_cli__check(&rc, err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(err, "--rotate-count goes with --rotate-size or --rotate-existing");
	rc.rotate_existing = true;
	ASSERT_EQ(rec_cli__check(&rc, err, sizeof(err)), 0);
}

/* -r as often as there are pieces; --since/--until with it only, read against the first piece. */
static void test_read_pieces(void)
{
	struct rec_file_hdr h = { .start_ns = 1000 * 1000000000ull, .wall_offset_ns = 0 };
	struct wallclock wc = { 0 };
	static char *many[2 * (REC_CLI_READ_MAX + 1) + 2]; /* "watch", then -r x.plr one time too many */

	ASSERT_EQ(PARSE("-r", "a.plr.1", "--read", "a.plr", "--since", "+1", "--until", "+2.5"), OPTS_RUN);
	ASSERT_EQ(o.rec.nread, 2);
	ASSERT_STREQ(o.rec.read[0], "a.plr.1");
	ASSERT_STREQ(o.rec.read[1], "a.plr");
	ASSERT_EQ(cmd__replay_times(&o, &h, &wc), 0);
	ASSERT_EQ(o.rec.since_ns, h.start_ns + 1000000000ull);
	ASSERT_EQ(o.rec.until_ns, h.start_ns + 2500000000ull);
	ASSERT_EQ(PARSE("-r", "a.plr"), OPTS_RUN);
	ASSERT_EQ(cmd__replay_times(&o, &h, &wc), 0);
	ASSERT_EQ(o.rec.since_ns, 0);
	ASSERT_EQ(o.rec.until_ns, ~0ull);
	/* Said on stderr, one line each: after --until, unreadable, before the start. */
	ASSERT_EQ(PARSE("-r", "a.plr", "--since", "+3", "--until", "+2"), OPTS_RUN);
	ASSERT_EQ(cmd__replay_times(&o, &h, &wc), -EINVAL);
	ASSERT_EQ(PARSE("-r", "a.plr", "--until", "soon"), OPTS_RUN);
	ASSERT_EQ(cmd__replay_times(&o, &h, &wc), -EINVAL);
	ASSERT_EQ(PARSE("-r", "a.plr", "--since", "@999"), OPTS_RUN);
	ASSERT_EQ(cmd__replay_times(&o, &h, &wc), -ERANGE);
	ASSERT_EQ(PARSE("--since", "+1"), -EINVAL);
	ASSERT_STREQ(err, "--since goes with --read FILE (a recording)");
	ASSERT_EQ(PARSE("--until", "+1"), -EINVAL);
	ASSERT_STREQ(err, "--until goes with --read FILE (a recording)");
	ASSERT_EQ(PARSE("-r", "a.plr", "--since", ""), -EINVAL);
	ASSERT_STREQ(err, "--since needs a time");
	many[0] = "watch";
	for (int i = 1; i + 1 < (int)(sizeof(many) / sizeof(many[0])); i += 2) {
		many[i] = "-r";
		many[i + 1] = "x.plr";
	}
	ASSERT_EQ(cli__parse(CMD_WATCH, REC_CLI_READ_MAX * 2 + 1, many, &o, err, sizeof(err)), OPTS_RUN);
	ASSERT_EQ(o.rec.nread, REC_CLI_READ_MAX);
	ASSERT_EQ(cli__parse(CMD_WATCH, REC_CLI_READ_MAX * 2 + 3, many, &o, err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(err, "--read given more than 512 times");
}

/* The sizes and instants of -w/--rotate-size and --at/--since (parse_size, parse_instant). */
#define SEC 1000000000ull
#define START_NS SYNTH_BOOT_NS
#define WALL_OFFSET ((__s64)SYNTH_EPOCH * 1000000000ll - (__s64)SYNTH_BOOT_NS)

static void test_parse_size(void)
{
	__u64 v = 0;

	ASSERT_EQ(parse_size("4096", &v), 0);
	ASSERT_EQ(v, 4096);
	ASSERT_EQ(parse_size("4K", &v), 0);
	ASSERT_EQ(v, 4096);
	ASSERT_EQ(parse_size("10kb", &v), 0);
	ASSERT_EQ(v, 10240);
	ASSERT_EQ(parse_size("100M", &v), 0);
	ASSERT_EQ(v, 100ull << 20);
	ASSERT_EQ(parse_size("2g", &v), 0);
	ASSERT_EQ(v, 2ull << 30);
	ASSERT_EQ(parse_size("1024G", &v), 0);
	ASSERT_EQ(v, 1ull << 40);
	v = 77;
	ASSERT_EQ(parse_size("4095", &v), -EINVAL);
	ASSERT_EQ(parse_size("1025G", &v), -EINVAL);
	ASSERT_EQ(parse_size("1T", &v), -EINVAL);
	ASSERT_EQ(parse_size("", &v), -EINVAL);
	ASSERT_EQ(parse_size(NULL, &v), -EINVAL);
	ASSERT_EQ(parse_size("-4096", &v), -EINVAL);
	ASSERT_EQ(parse_size(" 4096", &v), -EINVAL);
	ASSERT_EQ(parse_size("1.5M", &v), -EINVAL);
	ASSERT_EQ(parse_size("4096 ", &v), -EINVAL);
	ASSERT_EQ(parse_size("5MM", &v), -EINVAL);
	ASSERT_EQ(parse_size("99999999999999999999999", &v), -EINVAL);
	ASSERT_EQ(v, 77);
}

static void test_parse_instant(void)
{
	__u64 t = 0;

	setenv("TZ", "UTC0", 1);
	tzset();
	/* Offsets from the recording's start. */
	ASSERT_EQ(parse_instant("+1.5s", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 1500000000ull);
	ASSERT_EQ(parse_instant("+1.5", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 1500000000ull);
	ASSERT_EQ(parse_instant("+2m", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 120 * SEC);
	ASSERT_EQ(parse_instant("+1h", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 3600 * SEC);
	ASSERT_EQ(parse_instant("+0", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS);
	ASSERT_EQ(parse_instant("+0.000000001s", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 1);
	/* Epoch seconds: the start is SYNTH_EPOCH. */
	ASSERT_EQ(parse_instant("@1767323046.25", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 1250000000ull);
	ASSERT_EQ(parse_instant("@1767323045", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS);
	/* Dates: UTC with Z, else local time (UTC here). */
	ASSERT_EQ(parse_instant("2026-01-02T03:04:06.500Z", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 1500000000ull);
	ASSERT_EQ(parse_instant("2026-01-02T03:04:05.123456789Z", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 123456789);
	ASSERT_EQ(parse_instant("2026-01-02 03:05:05", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 60 * SEC);
	/* A time of day: on the day the recording started. */
	ASSERT_EQ(parse_instant("03:04:07", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + 2 * SEC);
	ASSERT_EQ(parse_instant("23:00:00.5", START_NS, WALL_OFFSET, &t), 0);
	ASSERT_EQ(t, START_NS + (19 * 3600 + 55 * 60 + 55) * SEC + 500000000ull);
	/* Before the machine booted: out of range. */
	ASSERT_EQ(parse_instant("@1000", START_NS, WALL_OFFSET, &t), -ERANGE);
	ASSERT_EQ(parse_instant("2025-01-01T00:00:00Z", START_NS, WALL_OFFSET, &t), -ERANGE);
	/* Not instants. */
	t = 99;
	ASSERT_EQ(parse_instant("", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant(NULL, START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("+", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("+1x", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("+-1", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("+1ss", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("+99999999999", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("@", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("@12abc", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("tomorrow", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("03:04", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("2026-13-45T00:00:00Z", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("2026-01-02T03:04:05Zjunk", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(parse_instant("2026-01-02X03:04:05Z", START_NS, WALL_OFFSET, &t), -EINVAL);
	ASSERT_EQ(t, 99);
}

/* --metrics-file and --metrics-interval: values and the default. */
static void test_metrics_values(void)
{
	ASSERT_EQ(PARSE("-j"), OPTS_RUN);
	ASSERT_TRUE(o.metrics.file == NULL);
	ASSERT_EQ(PARSE("--metrics-file", "/var/lib/prometheus/node-exporter/proclife.prom"), OPTS_RUN);
	ASSERT_STREQ(o.metrics.file, "/var/lib/prometheus/node-exporter/proclife.prom");
	ASSERT_EQ(o.metrics.interval_ns, 15000000000ull);
	ASSERT_EQ(PARSE("--metrics-file", "p.prom", "--metrics-interval", "0.1"), OPTS_RUN);
	ASSERT_EQ(o.metrics.interval_ns, 100000000ull);
	ASSERT_EQ(PARSE("--metrics-interval=86400", "--metrics-file=p.prom"), OPTS_RUN);
	ASSERT_EQ(o.metrics.interval_ns, 86400000000000ull);
	ASSERT_EQ(PARSE("--metrics-file", "p.prom", "--metrics-interval", "2.5", "-w", "x.plr"), OPTS_RUN);
	ASSERT_EQ(o.metrics.interval_ns, 2500000000ull);
}

/* --metrics-file and --metrics-interval: the exact one-line errors. */
static void test_metrics_errors(void)
{
	ASSERT_EQ(PARSE("--metrics-interval", "5"), -EINVAL);
	ASSERT_STREQ(err, "--metrics-interval goes with --metrics-file PATH");
	ASSERT_EQ(PARSE("--metrics-file", "p", "--metrics-interval", "0.099"), -EINVAL);
	ASSERT_STREQ(err, "--metrics-interval needs seconds, 0.1 to 86400, not '0.099'");
	ASSERT_EQ(PARSE("--metrics-file", "p", "--metrics-interval", "86400.5"), -EINVAL);
	ASSERT_STREQ(err, "--metrics-interval needs seconds, 0.1 to 86400, not '86400.5'");
	ASSERT_EQ(PARSE("--metrics-file", "p", "--metrics-interval", "-1"), -EINVAL);
	ASSERT_STREQ(err, "--metrics-interval needs seconds, 0.1 to 86400, not '-1'");
	ASSERT_EQ(PARSE("--metrics-file", ""), -EINVAL);
	ASSERT_STREQ(err, "--metrics-file needs a file name");
	ASSERT_EQ(PARSE("--metrics-file", "/var/lib/"), -EINVAL);
	ASSERT_STREQ(err, "--metrics-file needs a file name, not the directory '/var/lib/'");
	ASSERT_EQ(PARSE("--metrics-file", "p", "-r", "x.plr"), -EINVAL);
	ASSERT_STREQ(err, "--metrics-file is for live tracing, not with --read (metrics describe the host now)");
	ASSERT_EQ(PARSE("--metrics-file"), -EINVAL);
	ASSERT_STREQ(err, "option '--metrics-file' needs a value");
}

int main(void)
{
	tl_init("unit/options");
	RUN_TEST(test_defaults);
	RUN_TEST(test_values);
	RUN_TEST(test_errors);
	RUN_TEST(test_parse_twice);
	RUN_TEST(test_rotation_options);
	RUN_TEST(test_parse_size);
	RUN_TEST(test_parse_instant);
	RUN_TEST(test_read_pieces);
	RUN_TEST(test_metrics_values);
	RUN_TEST(test_metrics_errors);
	return tl_finish();
}
