// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * --redact and --redact-defaults (base/redact.h): what each default
 * catches and what it leaves; an argv matched as one line (a secret in the
 * argument after its option); only the last subexpression that took part
 * replaced; bytes matched as bytes; every argument kept in its place; the
 * output cut, and said, at its cap.
 */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <time.h>

#include "testlib.h"
#include "base/redact.h"

TL_DEFINE_STATE;

static char out[4096];

/* in (NUL-separated when it holds "\0") through r: the result with NULs shown as '|', or "=" when unchanged. */
static const char *apply(struct redact *r, const char *in, size_t len, bool *cut)
{
	static char shown[4096];
	size_t n;

	*cut = false;
	n = redact__apply(r, in, len, out, sizeof(out), cut);
	if (!n)
		return "=";
	for (size_t i = 0; i < n; i++)
		shown[i] = out[i] ? out[i] : '|';
	shown[n] = '\0';
	return shown;
}

#define CHECK(r, in, want)                                                                  \
	do {                                                                                \
		bool _cut;                                                                  \
		ASSERT_STREQ(apply(r, in, sizeof(in) - 1, &_cut), want);                     \
		ASSERT_FALSE(_cut);                                                         \
	} while (0)

static void test_defaults(void)
{
	struct redact *r = redact__new();

	if (!ASSERT_TRUE(r) || !ASSERT_EQ(redact__add_defaults(r), 0))
		goto out;
	ASSERT_GE(redact__count(r), 6);
	/* The option and its value in one argument, or in two. */
	CHECK(r, "mysql\0--password=hunter2\0-h\0db", "mysql|--password=*****|-h|db");
	CHECK(r, "mysql\0--password\0hunter2\0-h\0db", "mysql|--password|*****|-h|db");
	CHECK(r, "app\0-token\0abc\0--api-key=k1\0--client_secret\0s", "app|-token|*****|--api-key=*****|--client_secret|*****");
	CHECK(r, "openssl\0enc\0-pass\0pass:foo", "openssl|enc|-pass|*****");
	/* NAME=VALUE: environment assignments, query strings; case does not matter. */
	CHECK(r, "env\0DB_PASSWORD=s3cret\0run", "env|DB_PASSWORD=*****|run");
	CHECK(r, "curl\0https://h/x?token=abc&b=1", "curl|https://h/x?token=*****&b=1");
	CHECK(r, "x\0AWS_SECRET_ACCESS_KEY=k", "x|AWS_SECRET_ACCESS_KEY=*****");
	/* Headers: the credential after its scheme. */
	CHECK(r, "curl\0-H\0Authorization: Bearer eyJhbGciOi\0https://h/", "curl|-H|Authorization: Bearer *****|https://h/");
	CHECK(r, "curl\0-H\0x-api-key:k123", "curl|-H|x-api-key:*****");
	/* A URL's password; tokens that are secrets whole. */
	CHECK(r, "psql\0postgres://bob:pw123@db/x", "psql|postgres://bob:*****@db/x");
	CHECK(r, "git\0push\0ghp_abcdefghijklmnopqrstuvwxyz0123456789", "git|push|*****");
	CHECK(r, "sshpass\0-p\0hunter2\0ssh\0h", "sshpass|-p|*****|ssh|h");
	/* What is no secret stays. */
	CHECK(r, "echo\0forgot\0password\0reset", "=");
	CHECK(r, "prog\0--token-file\0/run/token", "=");
	CHECK(r, "gcc\0-O2\0-c\0x.c", "=");
	/* A filename alone (no NULs). */
	CHECK(r, "/tmp/token=abc/run", "/tmp/token=*****");
out:
	redact__free(r);
}

static void test_own_expressions(void)
{
	struct redact *r = redact__new();
	char err[256];

	if (!ASSERT_TRUE(r))
		return;
	/* Nothing added: nothing matched. */
	CHECK(r, "a\0b", "=");
	ASSERT_EQ(redact__add(r, "--(pin|code)[ =]([^ ]+)", err, sizeof(err)), 0);
	ASSERT_EQ(redact__add(r, "s3cr3t", err, sizeof(err)), 0);
	ASSERT_EQ(redact__count(r), 2);
	/* The last subexpression that took part; without one, the whole match. */
	CHECK(r, "app\0--pin\0" "1234", "app|--pin|*****");
	CHECK(r, "app\0--code=99\0x", "app|--code=*****|x");
	CHECK(r, "say\0my-s3cr3t-word", "say|my-*****-word");
	/* Case-sensitive unless written so. */
	CHECK(r, "say\0S3CR3T", "=");
	/* A match across arguments: a mark in each, every argument kept. */
	redact__free(r);
	r = redact__new();
	ASSERT_EQ(redact__add(r, "ab cd", err, sizeof(err)), 0);
	CHECK(r, "xab\0cdx", "x*****|*****x");
	/* Anchors: ^ is the start of the command line only. */
	ASSERT_EQ(redact__add(r, "^run", err, sizeof(err)), 0);
	CHECK(r, "run\0run", "*****|run");
	/* An expression that can match nothing does not loop. */
	ASSERT_EQ(redact__add(r, "z*", err, sizeof(err)), 0);
	CHECK(r, "q\0zz", "q|*****");
	/* Bytes are bytes, whatever the locale: [^ ] takes invalid UTF-8 too. */
	setlocale(LC_ALL, "C.UTF-8");
	ASSERT_EQ(redact__add(r, "key=([^ ]+)", err, sizeof(err)), 0);
	CHECK(r, "k\0key=\xff\xfe\xc3(", "k|key=*****");
	setlocale(LC_ALL, "C");
	ASSERT_EQ(redact__add(r, "a(b", err, sizeof(err)), -EINVAL);
	ASSERT_TRUE(strstr(err, "'a(b' is not a POSIX extended regular expression: ") == err);
	ASSERT_EQ(redact__check("x{2,1}", err, sizeof(err)), -EINVAL);
	ASSERT_EQ(redact__check("[[:alpha:]]+", err, sizeof(err)), 0);
	redact__free(r);
}

/* The result grows (a short secret becomes the mark): cut at the cap, and said. */
static void test_cut(void)
{
	struct redact *r = redact__new();
	char small[12], err[64];
	bool cut = false;
	size_t n;

	if (!ASSERT_TRUE(r))
		return;
	ASSERT_EQ(redact__add(r, "p=(.)", err, sizeof(err)), 0);
	n = redact__apply(r, "p=1\0p=2\0p=3", 11, small, sizeof(small), &cut);
	ASSERT_EQ(n, 10); /* a mark is written whole or not at all */
	ASSERT_TRUE(cut);
	ASSERT_MEMEQ(small, "p=*****\0p=", 10);
	/* NULL and empty sets match nothing. */
	ASSERT_EQ(redact__apply(NULL, "p=1", 3, small, sizeof(small), &cut), 0);
	ASSERT_EQ(redact__count(NULL), 0);
	redact__free(r);
	redact__free(NULL);
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * The defaults on a 64 KiB argv (the largest --arg-bytes) of one long word,
 * with a key and without: time linear in its length (about 3 ms here), not
 * quadratic (a minute: an expression that can begin anywhere). The bound is
 * CPU time, 2 s: hundreds of times the linear cost, far below the quadratic.
 */
static void test_long_argv_bound(void)
{
	struct redact *r = redact__new();
	size_t len = 65536;
	char *in = malloc(len), *o = malloc(len + 64);
	bool cut;
	double t0;

	if (!ASSERT_TRUE(r && in && o) || !ASSERT_EQ(redact__add_defaults(r), 0))
		goto out;
	memset(in, 'x', len);
	t0 = cpu_seconds();
	ASSERT_EQ(redact__apply(r, in, len, o, len + 64, &cut), 0);
	memcpy(in, "token=", 6);
	ASSERT_EQ(redact__apply(r, in, len, o, len + 64, &cut), 11);
	ASSERT_MEMEQ(o, "token=*****", 11);
	if (!ASSERT_TRUE(cpu_seconds() - t0 < 2.0))
		printf("    %.3f s of CPU for two 64 KiB argvs\n", cpu_seconds() - t0);
out:
	free(in);
	free(o);
	redact__free(r);
}

int main(void)
{
	tl_init("unit/redact");
	RUN_TEST(test_defaults);
	RUN_TEST(test_own_expressions);
	RUN_TEST(test_cut);
	RUN_TEST(test_long_argv_bound);
	return tl_finish();
}
