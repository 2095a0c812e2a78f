// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* --metrics-file and --metrics-interval: values, the default, and the exact one-line errors. */
#include <errno.h>

#include "testlib.h"
#include "cmd/options.h"

TL_DEFINE_STATE;

static struct watch_opts o;
static char err[256];

#define PARSE(...)                                                                           \
	({                                                                                   \
		char *_argv[] = { "watch", __VA_ARGS__, NULL };                              \
		err[0] = '\0';                                                               \
		watch_opts__parse(sizeof(_argv) / sizeof(_argv[0]) - 1, _argv, &o, err, sizeof(err)); \
	})

static void test_values_and_default(void)
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

static void test_errors(void)
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
	tl_init("unit/metrics_cli");
	RUN_TEST(test_values_and_default);
	RUN_TEST(test_errors);
	return tl_finish();
}
