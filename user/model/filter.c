// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <string.h>

#include "kernel/tracer.h"
#include "model/filter.h"

void filter__init(struct filter *f, const struct filter_spec *spec)
{
	*f = (struct filter){
		.events = spec->events,
		.uid = spec->uid,
		.failed_only = spec->failed_only,
		.follow_pid = spec->follow_pid,
		.auid = spec->by_auid ? spec->auid : FILTER_ANY,
		.session = spec->by_session ? spec->session : FILTER_ANY,
		.tty = spec->by_tty ? spec->tty : FILTER_ANY,
		.setid_only = spec->setid_only,
	};
	if (spec->comm)
		strncpy(f->comm, spec->comm, sizeof(f->comm) - 1);
	if (spec->ct)
		f->ct = *spec->ct;
}

void filter__containers(struct filter *f, struct ctreg *reg, const struct model *m)
{
	f->reg = reg;
	f->model = m;
}

/*
 * A process in these cgroups passes the container options. What cannot be
 * told yet (a container not named yet) is not shown: only what is known to
 * match is.
 */
bool filter__cgroups_ok(const struct filter *f, __u64 cgroup_id, __u64 cgroup1_id)
{
	if (!ctfilter__active(&f->ct))
		return true;
	return f->reg && ctfilter__judge(&f->ct, ctreg__subject(f->reg, cgroup_id, cgroup1_id)) == CTV_YES;
}

/* The sender's cgroups, or for a signal the target's (as the model has them). */
static bool containers_ok(const struct filter *f, const void *rec)
{
	const struct pl_hdr *h = rec;
	const struct proc *t;

	if (!ctfilter__active(&f->ct))
		return true;
	if (filter__cgroups_ok(f, h->cgroup_id, h->flags & PL_F_NO_IDENTITY ? 0 : h->cgroup1_id))
		return true;
	if (h->type != PL_EV_SIGNAL || !f->model)
		return false;
	t = model__find(f->model, ((const struct pl_signal *)rec)->target_pid);
	return t && filter__cgroups_ok(f, t->cgroup_id, t->cgroup1_id);
}

static int seed(struct filter *f, const struct model *m, const struct proc *p, int depth)
{
	int r = pidset__add(&f->members, p->pid);

	/* Depth-bounded: a model from a hostile recording may hold a cycle. */
	for (__u32 c = p->first_child; r == 0 && c && depth < 4096; c = model__slot(m, c)->next_sibling)
		r = seed(f, m, model__slot(m, c), depth + 1);
	return r;
}

int filter__seed(struct filter *f, const struct model *m)
{
	const struct proc *p;

	if (!f->follow_pid)
		return 0;
	p = m ? model__find(m, f->follow_pid) : NULL;
	if (!p) /* not there yet: it joins when it is born (fork by anyone) */
		return 0;
	return seed(f, m, p, 0);
}

/* The kernel's follow rules (bpf/lib/common.bpf.h, follows(), and its callers), in user space. */
static bool follows(struct filter *f, const void *rec)
{
	const struct pl_hdr *h = rec;
	bool in = pidset__has(&f->members, h->pid);

	switch (h->type) {
	case PL_EV_FORK: {
		const struct pl_fork *e = rec;

		if (!(h->flags & PL_F_THREAD) && (in || e->child_pid == f->follow_pid))
			pidset__add(&f->members, e->child_pid);
		return in;
	}
	case PL_EV_REAP:
		if (in)
			pidset__del(&f->members, h->pid);
		return in;
	case PL_EV_SIGNAL:
		return in || pidset__has(&f->members, ((const struct pl_signal *)rec)->target_pid);
	default:
		return in;
	}
}

static bool comm_eq(const char *a, const char *b)
{
	return strncmp(a, b, PL_COMM_LEN - 1) == 0;
}

static bool subject_ok(const struct filter *f, __u32 uid, const char *comm)
{
	return (f->uid == PL_UID_ANY || uid == f->uid) && (!f->comm[0] || comm_eq(comm, f->comm));
}

/* The identity filters, on the subject's header (as the kernel's ident_ok()); an event before 2.0 says none. */
static bool identity_ok(const struct filter *f, const struct pl_hdr *h)
{
	bool any = f->auid == FILTER_ANY && f->session == FILTER_ANY && f->tty == FILTER_ANY;

	if (any)
		return true;
	if (h->flags & PL_F_NO_IDENTITY)
		return false;
	return (f->auid == FILTER_ANY || h->auid == f->auid) && (f->session == FILTER_ANY || h->session == f->session) &&
	       (f->tty == FILTER_ANY || h->tty == f->tty);
}

bool filter__match(struct filter *f, const void *rec)
{
	const struct pl_hdr *h = rec;
	bool ok;

	if (f->follow_pid && !follows(f, rec))
		return false;
	if (!(f->events & PL_EV_BIT(h->type)))
		return false;
	if (f->setid_only && !(h->type == PL_EV_CRED || (h->type == PL_EV_EXEC && (h->flags & PL_F_SETID))))
		return false;
	if (!containers_ok(f, rec))
		return false;

	/* -u, -c: the subject, or a signal's target; the identity filters: the subject (a signal's sender). */
	ok = subject_ok(f, h->uid, h->comm);
	if (!ok && h->type == PL_EV_SIGNAL) {
		const struct pl_signal *s = rec;
		ok = subject_ok(f, s->target_uid, s->target_comm);
	}
	if (!ok || !identity_ok(f, h))
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
	if (d->type == DV_CONTAINER) /* about a container: the process filters leave it out */
		return !f->follow_pid && f->uid == PL_UID_ANY && !f->comm[0] &&
		       ctfilter__judge_container(&f->ct, d->ct) == CTV_YES;
	if (!filter__cgroups_ok(f, d->p->cgroup_id, d->p->cgroup1_id))
		return false;
	if (f->follow_pid && !pidset__has(&f->members, d->p->pid))
		return false;
	if (f->setid_only)
		return false;
	if (!(f->auid == FILTER_ANY && f->session == FILTER_ANY && f->tty == FILTER_ANY)) {
		const struct proc *p = d->p;

		if (!(p->idflags & PROC_I_IDENTITY) || (f->auid != FILTER_ANY && p->auid != f->auid) ||
		    (f->session != FILTER_ANY && p->session != f->session) || (f->tty != FILTER_ANY && p->tty != f->tty))
			return false;
	}
	return subject_ok(f, d->p->uid, d->p->comm);
}

void filter__free(struct filter *f)
{
	pidset__free(&f->members);
}
