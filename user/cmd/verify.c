// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * proclife verify [--seal-key FILE] [--json] FILE...: is each recording
 * what its recorder wrote, and do the pieces continue each other
 * (record/verify.h)? Reads files only: no privilege needed beyond reading
 * them.
 */
#include <stdlib.h>
#include <unistd.h>

#include "base/outbuf.h"
#include "record/verify.h"
#include "views/verify_fmt.h"
#include "cmd/cli.h"
#include "cmd/verify.h"

/* The exit status of each verdict (the set's worst): cut is not altered, and says so. */
static const int exit_status[] = {
	[REC_WHOLE] = 0,
	[REC_CUT] = 3,
	[REC_UNSEALED] = 1,
	[REC_ALTERED] = 1,
	[REC_UNREADABLE] = 1,
};

int verify__main(struct cli *c)
{
	struct rec_check *v = calloc(c->nfiles, sizeof(*v));
	struct seal_key key = {};
	struct outbuf ob;
	char err[320];
	int ret;

	if (!v || outbuf__init(&ob, STDOUT_FILENO, 1 << 16) < 0) {
		free(v);
		return cli__fail(c->cmd, "out of memory");
	}
	if (c->verify_key && seal_key__load(c->verify_key, &key, err, sizeof(err)) < 0) {
		outbuf__free(&ob);
		free(v);
		return cli__fail(c->cmd, "%s", err);
	}
	for (int i = 0; i < c->nfiles; i++)
		rec_verify__file(c->files[i], key.len ? &key : NULL, &v[i]);
	seal_key__wipe(&key);
	rec_verify__set(v, c->nfiles);
	(c->json ? verify_fmt__json : verify_fmt__text)(&ob, v, c->nfiles, c->verify_key != NULL);
	ret = exit_status[rec_verify__worst(v, c->nfiles)];
	if (outbuf__flush(&ob) < 0)
		ret = 1;
	outbuf__free(&ob);
	free(v);
	return ret;
}
