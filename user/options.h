/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Command line of `proclife [watch]`: parsed into a struct, errors as one line. */
#ifndef PROCLIFE_OPTIONS_H
#define PROCLIFE_OPTIONS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "proclife.h"

struct watch_opts {
	__u32 events;          /* PL_EV_BIT() mask of the events to show */
	pid_t pid;             /* > 0: only this process and its descendants */
	__u32 uid;             /* PL_UID_ANY, or only this real uid */
	char comm[PL_COMM_LEN];/* "" or only this comm (first 15 bytes) */
	bool failed_only;
	bool threads;
	bool json;
	const char *output;    /* NULL: standard output */
	__u32 args_cap;        /* bytes of argv kept per exec */
	__u64 zombie_after_ns; /* a zombie event after this long unreaped */
};

enum {
	OPTS_RUN = 0,     /* parsed, go on */
	OPTS_HELP = 1,    /* --help printed: exit 0 */
	OPTS_VERSION = 2, /* --version printed: exit 0 */
};

/*
 * Parses argv (argv[0] is the command name, e.g. "watch"). Returns OPTS_*,
 * or -EINVAL with a one-line reason in err.
 */
int watch_opts__parse(int argc, char **argv, struct watch_opts *o, char *err, size_t errlen);

void watch_opts__usage(FILE *f);

/* Parses "fork,exec,...,zombie,..." or "all" into a mask (PL_EV_BIT | DV_BIT); -EINVAL with the bad name in err. */
int events__parse(const char *list, __u32 *mask, char *err, size_t errlen);

/* Seconds with an optional fraction, 0.001..86400, into ns; -EINVAL otherwise. */
int parse_seconds(const char *s, __u64 *ns);

/* A uid number or a user name from /etc/passwd; -EINVAL when neither. */
int uid__parse(const char *s, __u32 *uid);

#endif
