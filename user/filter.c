// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <string.h>

#include "filter.h"
#include "tracer.h"

void filter__init(struct filter *f, const struct watch_opts *o)
{
	*f = (struct filter){
		.events = o->events,
		.uid = o->uid,
		.failed_only = o->failed_only,
	};
	memcpy(f->comm, o->comm, sizeof(f->comm));
}

static bool comm_eq(const char *a, const char *b)
{
	return strncmp(a, b, PL_COMM_LEN - 1) == 0;
}

static bool subject_ok(const struct filter *f, __u32 uid, const char *comm)
{
	return (f->uid == PL_UID_ANY || uid == f->uid) && (!f->comm[0] || comm_eq(comm, f->comm));
}

bool filter__match(const struct filter *f, const void *rec)
{
	const struct pl_hdr *h = rec;
	bool ok;

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
	return subject_ok(f, d->p->uid, d->p->comm);
}
