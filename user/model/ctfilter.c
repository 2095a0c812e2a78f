// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cgroups.h"
#include "model/ctfilter.h"

bool ctfilter__active(const struct ct_filter_spec *f)
{
	return f->ncontainers || f->npods || f->cgroup || f->host || f->in_containers;
}

static bool all_hex(const char *s)
{
	return *s && strspn(s, "0123456789abcdef") == strlen(s);
}

/* --container ARG: an id prefix of CTF_ID_PREFIX_MIN hex digits or more, or the exact name. */
static enum ct_verdict container_arg(const char *arg, const struct ct_ref *ct)
{
	size_t n = strlen(arg);

	if (n >= CTF_ID_PREFIX_MIN && all_hex(arg) && !strncmp(ct->info.id, arg, n))
		return CTV_YES;
	if (!ct->named)
		return CTV_LATER;
	return !strcmp(ct->info.name, arg) ? CTV_YES : CTV_NO;
}

/* --pod [NAMESPACE/]NAME */
static enum ct_verdict pod_arg(const char *arg, const struct ct_ref *ct)
{
	const char *slash = strchr(arg, '/');
	const char *name = slash ? slash + 1 : arg;

	if (!ct->named)
		return ct->info.pod_uid[0] ? CTV_LATER : CTV_NO; /* only a pod's container can be one */
	if (strcmp(ct->info.pod, name))
		return CTV_NO;
	if (slash && (strlen(ct->info.pod_namespace) != (size_t)(slash - arg) ||
		      strncmp(ct->info.pod_namespace, arg, slash - arg)))
		return CTV_NO;
	return CTV_YES;
}

/* PATH or below it. */
static bool under(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (!path)
		return false;
	if (n == 1 && top[0] == '/')
		return true;
	if (n > 1 && top[n - 1] == '/')
		n--;
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '/');
}

/* The best of two answers: yes wins, then later. */
static enum ct_verdict best(enum ct_verdict a, enum ct_verdict b)
{
	return a == CTV_YES || b == CTV_YES ? CTV_YES : a == CTV_LATER || b == CTV_LATER ? CTV_LATER : CTV_NO;
}

/* The options that pick containers, for a process in ct (NULL: none). */
static enum ct_verdict judge_ct(const struct ct_filter_spec *f, const struct ct_ref *ct, bool decided)
{
	enum ct_verdict v = CTV_NO;

	if (f->host)
		v = best(v, ct ? CTV_NO : decided ? CTV_YES : CTV_LATER);
	if (f->in_containers)
		v = best(v, ct ? CTV_YES : decided ? CTV_NO : CTV_LATER);
	for (unsigned i = 0; ct && i < f->ncontainers; i++)
		v = best(v, container_arg(f->containers[i], ct));
	for (unsigned i = 0; ct && i < f->npods; i++)
		v = best(v, pod_arg(f->pods[i], ct));
	if (!ct && !decided && (f->ncontainers || f->npods))
		v = best(v, CTV_LATER);
	return v;
}

enum ct_verdict ctfilter__judge(const struct ct_filter_spec *f, const struct ct_subject *s)
{
	enum ct_verdict v;

	if (!ctfilter__active(f))
		return CTV_YES;
	if (!s || !s->cgroup)
		return s && s->settled ? CTV_NO : CTV_LATER;
	v = judge_ct(f, s->ct, s->settled);
	if (f->cgroup)
		v = best(v, under(s->cgroup, f->cgroup) || under(s->v2, f->cgroup) || under(s->v1, f->cgroup)
				    ? CTV_YES : s->settled ? CTV_NO : CTV_LATER);
	return v;
}

enum ct_verdict ctfilter__judge_container(const struct ct_filter_spec *f, const struct ct_ref *ct)
{
	enum ct_verdict v;

	if (!ctfilter__active(f))
		return CTV_YES;
	v = judge_ct(f, ct, true);
	if (f->cgroup && under(ct->cgroup, f->cgroup))
		v = CTV_YES;
	return v;
}

int ctfilter__check_container(const char *arg, char *err, size_t errlen)
{
	if (!*arg) {
		snprintf(err, errlen, "--container needs a container's name or an id prefix of %d hex digits or more",
			 CTF_ID_PREFIX_MIN);
		return -EINVAL;
	}
	return 0;
}

int ctfilter__check_pod(const char *arg, char *err, size_t errlen)
{
	const char *slash = strchr(arg, '/');

	if (!*arg || (slash && (slash == arg || !slash[1] || strchr(slash + 1, '/')))) {
		snprintf(err, errlen, "--pod needs [NAMESPACE/]NAME, not '%.64s'", arg);
		return -EINVAL;
	}
	return 0;
}

int ctfilter__check_cgroup(const char *arg, char *err, size_t errlen)
{
	if (arg[0] != '/' || strlen(arg) >= CG_PATH_MAX) {
		snprintf(err, errlen, "--cgroup needs a cgroup path from its hierarchy's root (/...), not '%.64s'",
			 arg);
		return -EINVAL;
	}
	return 0;
}
