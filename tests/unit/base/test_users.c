// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* User and group names from a passwd and a group file of the test's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "base/users.h"

TL_DEFINE_STATE;

static char pw[] = "/tmp/pl-users-passwd-XXXXXX", gr[] = "/tmp/pl-users-group-XXXXXX";

static void write_file(char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		FAILF("cannot write %s", path);
}

/* The first entry of an id wins (as getpwuid()); NIS lines, junk and overlong names are no names. */
static void test_names(void)
{
	char long_line[256];

	snprintf(long_line, sizeof(long_line), "%0100d:x:7:7::/:/bin/sh\n", 0);
	write_file(pw, "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n"
		       "again:x:1000:1000::/:/bin/sh\n+nis:x:5:5::/:/bin/sh\nbroken line\nneg:x:-1:0::/:/bin/sh\n");
	{
		FILE *f = fopen(pw, "a");

		if (f) {
			fputs(long_line, f);
			fclose(f);
		}
	}
	write_file(gr, "root:x:0:\nwheel:x:10:admin\n");
	users__set_files(pw, gr);
	ASSERT_STREQ(users__name(0), "root");
	ASSERT_STREQ(users__name(1000), "admin");
	ASSERT_TRUE(users__name(5) == NULL);
	ASSERT_TRUE(users__name(7) == NULL);
	ASSERT_TRUE(users__name(4294967295u) == NULL);
	ASSERT_STREQ(users__group(10), "wheel");
	ASSERT_TRUE(users__group(1000) == NULL);
}

/* Many ids: the table grows; every one found. */
static void test_many(void)
{
	FILE *f = fopen(pw, "w");
	char name[32];

	for (int i = 0; f && i < 5000; i++)
		fprintf(f, "u%d:x:%d:%d::/:/bin/sh\n", i, 10000 + i, 10000 + i);
	if (f)
		fclose(f);
	users__set_files(pw, gr);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "u%d", i);
		if (!ASSERT_STREQ(users__name(10000 + i), name))
			break;
	}
}

/* Once read, a file that goes keeps its names: a look-up never fails for a file gone missing. */
static void test_file_gone(void)
{
	write_file(pw, "root:x:0:0:root:/root:/bin/sh\n");
	users__set_files(pw, gr);
	ASSERT_STREQ(users__name(0), "root");
	unlink(pw);
	ASSERT_STREQ(users__name(0), "root");
	ASSERT_TRUE(users__name(1) == NULL);
}

int main(void)
{
	int a = mkstemp(pw), b = mkstemp(gr);

	tl_init("unit/users");
	if (a < 0 || b < 0) {
		printf("FAIL unit/users/setup: mkstemp\n");
		return 1;
	}
	close(a);
	close(b);
	RUN_TEST(test_names);
	RUN_TEST(test_many);
	RUN_TEST(test_file_gone);
	unlink(pw);
	unlink(gr);
	return tl_finish();
}
