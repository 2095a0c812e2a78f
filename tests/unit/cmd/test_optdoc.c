// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The option reference outside the binary is what the option table makes:
 * the man page's option lists, docs/OPTIONS.md and the bash completion's
 * lists, as committed, are byte for byte what `make docs` would write
 * (cmd/optdoc.h), and each file has the regions it must have. Run from the
 * repository's root (tests/run.sh does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "cmd/cli.h"
#include "cmd/optdoc.h"

TL_DEFINE_STATE;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* path as committed against what the table makes of it: the first line that differs said. */
static void check_file(const char *path, int min_regions)
{
	struct outbuf ob;
	char err[256];
	size_t len, line = 1;
	char *text = slurp(path, &len);
	int r;

	if (!ASSERT_TRUE(text)) {
		printf("    %s: %s (run from the repository's root)\n", path, strerror(errno));
		return;
	}
	if (!ASSERT_EQ(outbuf__init(&ob, -1, len + 4096), 0))
		goto out;
	r = optdoc__splice(text, len, &ob, err, sizeof(err));
	if (!ASSERT_GE(r, min_regions))
		printf("    %s: %s\n", path, r < 0 ? err : "regions missing");
	if (ob.len != len || memcmp(ob.data, text, len)) {
		size_t i = 0;

		for (; i < len && i < ob.len && text[i] == ob.data[i]; i++)
			line += text[i] == '\n';
		FAILF("%s differs from what the option table makes, from line %zu on: run 'make docs'", path, line);
	}
	outbuf__free(&ob);
out:
	free(text);
}

static void test_manpage(void)
{
	size_t len;
	char *text = slurp("docs/proclife.8", &len);

	check_file("docs/proclife.8", CMD_MAX - 1);
	/* Every command's options are in a region (tree and zombies share one). */
	for (int id = 0; text && id < CMD_MAX; id++) {
		bool found = false;

		for (const char *p = text; (p = strstr(p, "BEGIN GENERATED man-options ")); p++) {
			const char *end = strchr(p, '(');
			const char *name = strstr(p + 28, cmd_infos[id].name);

			found |= name && end && name < end && (name[-1] == ' ') &&
				 (name[strlen(cmd_infos[id].name)] == ' ');
		}
		if (!ASSERT_TRUE(found))
			printf("    docs/proclife.8: no man-options region for %s\n", cmd_infos[id].name);
	}
	free(text);
}

static void test_options_page(void)
{
	check_file("docs/OPTIONS.md", 1);
}

static void test_completion(void)
{
	check_file("tools/completion/proclife.bash", 1);
}

/* Regions it cannot make, or that do not end, are refused; text without regions is copied. */
static void test_splice(void)
{
	static const char plain[] = "no region\nhere\n";
	static const char unknown[] = "# BEGIN GENERATED nothing-such\n# END GENERATED nothing-such\n";
	static const char open_only[] = "# BEGIN GENERATED completion\nstale\n";
	static const char two[] = "x\n.\\\" BEGIN GENERATED man-options tree zombies (remark)\nstale\n"
				  ".\\\" END GENERATED man-options tree zombies\ny\n";
	static const char mismatch[] = ".\\\" BEGIN GENERATED man-options tree top\n.\\\" END GENERATED man-options tree top\n";
	struct outbuf ob;
	char err[256];

	if (!ASSERT_EQ(outbuf__init(&ob, -1, 0), 0))
		return;
	ASSERT_EQ(optdoc__splice(plain, strlen(plain), &ob, err, sizeof(err)), 0);
	ASSERT_STREQ(outbuf__cstr(&ob), plain);
	outbuf__reset(&ob);
	ASSERT_EQ(optdoc__splice(unknown, strlen(unknown), &ob, err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(err, "unknown region 'nothing-such'");
	outbuf__reset(&ob);
	ASSERT_EQ(optdoc__splice(open_only, strlen(open_only), &ob, err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(err, "region 'completion' has no END GENERATED line");
	outbuf__reset(&ob);
	ASSERT_EQ(optdoc__splice(mismatch, strlen(mismatch), &ob, err, sizeof(err)), -EINVAL);
	outbuf__reset(&ob);
	ASSERT_EQ(optdoc__splice(two, strlen(two), &ob, err, sizeof(err)), 1);
	ASSERT_TRUE(!strncmp(outbuf__cstr(&ob), "x\n", 2) && !strstr(outbuf__cstr(&ob), "stale") &&
		    strstr(outbuf__cstr(&ob), ".It Fl e , Fl \\-every Ar SEC\n") && strstr(outbuf__cstr(&ob), "zombies\ny\n"));
	outbuf__free(&ob);
}

int main(void)
{
	tl_init("unit/optdoc");
	RUN_TEST(test_manpage);
	RUN_TEST(test_options_page);
	RUN_TEST(test_completion);
	RUN_TEST(test_splice);
	return tl_finish();
}
