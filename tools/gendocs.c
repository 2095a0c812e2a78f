// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * gendocs [--check] FILE...: the generated regions of each FILE (the man
 * page, docs/OPTIONS.md, the bash completion) made anew from the option
 * table (user/cmd/optdoc.h), FILE rewritten when they changed. With
 * --check, nothing is written: each FILE that differs is named, and the
 * exit status is 1. `make docs` runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/outbuf.h"
#include "cmd/optdoc.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 1 << 16);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* 0: FILE as the table makes it; 1: it differs (--check) or was rewritten; -1: an error, said. */
static int one(const char *path, int check)
{
	struct outbuf ob;
	char err[256];
	size_t len;
	char *text = slurp(path, &len);
	int r, ret = 0;
	FILE *f;

	if (!text || outbuf__init(&ob, -1, len + 4096) < 0) {
		fprintf(stderr, "gendocs: %s: %s\n", path, strerror(errno));
		free(text);
		return -1;
	}
	r = optdoc__splice(text, len, &ob, err, sizeof(err));
	if (r <= 0) {
		fprintf(stderr, "gendocs: %s: %s\n", path, r ? err : "no region to generate");
		ret = -1;
	} else if (ob.len != len || memcmp(ob.data, text, len)) {
		ret = 1;
		if (check) {
			fprintf(stderr, "gendocs: %s differs from what the option table makes: run 'make docs'\n", path);
		} else if (!(f = fopen(path, "we")) || fwrite(ob.data, 1, ob.len, f) != ob.len || fclose(f)) {
			fprintf(stderr, "gendocs: writing %s: %s\n", path, strerror(errno));
			ret = -1;
		} else {
			printf("gendocs: %s rewritten\n", path);
		}
	}
	outbuf__free(&ob);
	free(text);
	return ret;
}

int main(int argc, char **argv)
{
	int check = argc > 1 && !strcmp(argv[1], "--check"), status = 0;

	if (argc < 2 + check) {
		fprintf(stderr, "usage: gendocs [--check] FILE...\n");
		return 2;
	}
	for (int i = 1 + check; i < argc; i++) {
		int r = one(argv[i], check);

		if (r < 0 || (r > 0 && check))
			status = 1;
	}
	return status;
}
