// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "tracer.h"

/* ppid from /proc/PID/stat; the comm field may hold spaces and ')' so parse after the last ')'. */
static int read_ppid(const char *proc_root, unsigned pid, __u32 *ppid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %u", ppid) != 1)
		return -EBADMSG;
	return 0;
}

int proc__add_descendants(struct pidset *s, __u32 pid, const char *proc_root)
{
	struct { __u32 pid, ppid; } *procs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	bool grew = true;
	DIR *d;
	int r;

	r = pidset__add(s, pid);
	if (r)
		return r;
	d = opendir(proc_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long p = strtoul(de->d_name, &end, 10);
		__u32 pp;

		if (*end || p == 0 || read_ppid(proc_root, p, &pp))
			continue; /* not a pid, or gone meanwhile */
		if (n == cap) {
			void *np = realloc(procs, (cap = cap ? cap * 2 : 256) * sizeof(*procs));
			if (!np) {
				closedir(d);
				free(procs);
				return -ENOMEM;
			}
			procs = np;
		}
		procs[n].pid = p;
		procs[n].ppid = pp;
		n++;
	}
	closedir(d);
	/* Fixed point: pids are not ordered by ancestry (they wrap). */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (!pidset__has(s, procs[i].pid) && pidset__has(s, procs[i].ppid)) {
				r = pidset__add(s, procs[i].pid);
				if (r)
					goto out;
				grew = true;
			}
		}
	}
out:
	free(procs);
	return r;
}

void filter__init(struct filter *f, const struct watch_opts *o)
{
	*f = (struct filter){
		.events = o->events,
		.uid = o->uid,
		.failed_only = o->failed_only,
	};
	memcpy(f->comm, o->comm, sizeof(f->comm));
}

int filter__follow(struct filter *f, __u32 pid, const char *proc_root)
{
	f->follow = true;
	return proc__add_descendants(&f->followed, pid, proc_root);
}

static bool comm_eq(const char *a, const char *b)
{
	return strncmp(a, b, PL_COMM_LEN - 1) == 0;
}

static bool subject_ok(const struct filter *f, __u32 uid, const char *comm)
{
	return (f->uid == PL_UID_ANY || uid == f->uid) && (!f->comm[0] || comm_eq(comm, f->comm));
}

bool filter__match(struct filter *f, const void *rec)
{
	const struct pl_hdr *h = rec;
	bool in = true, ok;

	if (f->follow) {
		in = pidset__has(&f->followed, h->pid);
		if (h->type == PL_EV_FORK && in && !(h->flags & PL_F_THREAD))
			pidset__add(&f->followed, ((const struct pl_fork *)rec)->child_pid);
		else if (h->type == PL_EV_SIGNAL && !in)
			in = pidset__has(&f->followed, ((const struct pl_signal *)rec)->target_pid);
		else if (h->type == PL_EV_REAP && in)
			pidset__del(&f->followed, h->pid); /* the pid may be reused by a stranger */
		if (!in)
			return false;
	}
	if (!(f->events & PL_EV_BIT(h->type)))
		return false;

	ok = subject_ok(f, h->uid, h->comm);
	if (!ok && h->type == PL_EV_SIGNAL) {
		const struct pl_signal *s = rec;
		ok = subject_ok(f, s->target_uid, s->target_comm);
	}
	if (!ok)
		return false;

	if (f->failed_only) {
		switch (h->type) {
		case PL_EV_EXEC_FAILED:
			return true;
		case PL_EV_EXIT:
			return ((const struct pl_exit *)rec)->status != 0;
		case PL_EV_SIGNAL:
			return pl_signal_failed(((const struct pl_signal *)rec)->sig, ((const struct pl_signal *)rec)->result);
		default:
			return false;
		}
	}
	return true;
}

bool filter__match_derived(const struct filter *f, const struct derived_event *d)
{
	if (!(f->events & DV_BIT(d->type)))
		return false;
	if (d->type == DV_RESYNC)
		return true; /* about the whole model */
	if (f->failed_only)
		return false;
	if (f->follow && !pidset__has(&f->followed, d->p->pid))
		return false;
	return subject_ok(f, d->p->uid, d->p->comm);
}

void filter__free(struct filter *f)
{
	if (!f)
		return;
	pidset__free(&f->followed);
}
