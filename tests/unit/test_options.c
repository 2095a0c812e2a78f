// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Option parsing: values, defaults and the exact one-line errors. */
#include <errno.h>

#include "model.h"
#include "options.h"
#include "testlib.h"
#include "tracer.h"

TL_DEFINE_STATE;

static struct watch_opts o;
static char err[256];

#define PARSE(...)                                                                           \
	({                                                                                   \
		char *_argv[] = { "watch", __VA_ARGS__, NULL };                              \
		err[0] = '\0';                                                               \
		watch_opts__parse(sizeof(_argv) / sizeof(_argv[0]) - 1, _argv, &o, err, sizeof(err)); \
	})

static void test_defaults(void)
{
	char *argv[] = { "watch", NULL };

	ASSERT_EQ(watch_opts__parse(1, argv, &o, err, sizeof(err)), OPTS_RUN);
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
	ASSERT_EQ(PARSE("--events=all", "--uid=nobody", "--comm=averyveryverylongname"), OPTS_RUN);
	ASSERT_EQ(o.events, PL_EV_ALL | DV_ALL);
	ASSERT_EQ(o.uid, 65534);
	ASSERT_STREQ(o.comm, "averyveryverylo"); /* the kernel keeps 15 bytes */
	ASSERT_EQ(strlen(o.comm), PL_COMM_LEN - 1);
	ASSERT_EQ(PARSE("-e", "exec_failed,signal,deliver,fork,reap,rename"), OPTS_RUN);
	ASSERT_EQ(o.events, PL_EV_ALL & ~(PL_EV_BIT(PL_EV_EXEC) | PL_EV_BIT(PL_EV_EXIT)));
	ASSERT_EQ(PARSE("-e", "zombie,reparent,stop,continue,resync", "--zombie-after", "0.25"), OPTS_RUN);
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
			  "rename, stop, continue, zombie, reparent, resync, all)");
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
	ASSERT_EQ(PARSE("--arg-bytes", "0"), -EINVAL);
	ASSERT_STREQ(err, "--arg-bytes needs a number from 1 to 65536, not '0'");
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

int main(void)
{
	tl_init("unit/options");
	RUN_TEST(test_defaults);
	RUN_TEST(test_values);
	RUN_TEST(test_errors);
	RUN_TEST(test_parse_twice);
	return tl_finish();
}
