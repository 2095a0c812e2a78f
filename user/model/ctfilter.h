/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which processes the container options pick (--container, --pod,
 * --cgroup, --host, --containers): a process passes when any of them
 * picks it. Judged from what the registry says of its cgroups
 * (model/ctreg.h); a container's name can only be matched once it is
 * known, so until then the answer is "later".
 */
#ifndef PROCLIFE_CTFILTER_H
#define PROCLIFE_CTFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/ctreg.h"

/* --container and --pod given this many times at most. */
#define CTF_MAX 16
/* The shortest id prefix --container takes as one (shorter: a name only). */
#define CTF_ID_PREFIX_MIN 4

struct ct_filter_spec {
	const char *containers[CTF_MAX]; /* --container ID|NAME: an id prefix (>= 4 hex digits) or an exact name */
	unsigned ncontainers;
	const char *pods[CTF_MAX];       /* --pod [NAMESPACE/]NAME */
	unsigned npods;
	const char *cgroup;              /* --cgroup PATH: that cgroup and below, in either hierarchy */
	bool host;                       /* --host: processes in no container */
	bool in_containers;              /* --containers: processes in one */
};

enum ct_verdict {
	CTV_NO = 0,
	CTV_YES = 1,
	CTV_LATER = 2, /* not known yet: its path, or its container's name */
};

/* Is any container option given? */
bool ctfilter__active(const struct ct_filter_spec *f);
/* Does a process in s pass? (s NULL: nothing known of it.) */
enum ct_verdict ctfilter__judge(const struct ct_filter_spec *f, const struct ct_subject *s);
/* Does container ct pass (a container event)? */
enum ct_verdict ctfilter__judge_container(const struct ct_filter_spec *f, const struct ct_ref *ct);

/* The checks of the values, for the option handlers: 0, or -EINVAL with why in err. */
int ctfilter__check_container(const char *arg, char *err, size_t errlen);
int ctfilter__check_pod(const char *arg, char *err, size_t errlen);
int ctfilter__check_cgroup(const char *arg, char *err, size_t errlen);

#endif
