// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "kernel/containers.h"
#include "kernel/ctnamer.h"
#include "session/ctsource.h"

/* An unsettled pair's paths are looked for again at most this often (its events may be many). */
#define RETRY_PATHS_NS 100000000ull
/* A drop verdict the kernel did not apply (in flight, or pushed out of its LRU) is said again at most this often. */
#define VERDICT_AGAIN_NS 1000000000ull

struct pending {
	__u64 cg2, cg1;
};

struct ctsource {
	struct ctreg *reg;
	struct ctsource_ops ops;
	bool live;
	/* live */
	struct cg_host host;
	struct cg_idmap map[2];   /* [0] v2, [1] v1 */
	bool map_ok[2];
	struct ct_namer namer;
	char proc_root[256];
	/* the kernel filter */
	const struct ct_filter_spec *spec;
	struct tracer *tracer;
	struct pending *pending;  /* pairs whose verdict is still to be told */
	size_t npending, cappending;
	__u64 now;                /* the tick's time, for the naming retries' callback */
	/* forgetting */
	__u64 last_sweep;
	size_t pairs_after_sweep;
	struct ctsource_stats st;
};

static int new_common(const struct ctsource_ops *ops, struct ctsource **out)
{
	struct ctsource *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return -ENOMEM;
	cs->reg = ctreg__new();
	if (!cs->reg) {
		free(cs);
		return -ENOMEM;
	}
	if (ops)
		cs->ops = *ops;
	*out = cs;
	return 0;
}

int ctsource__new_live(const struct cg_host *host, const char *proc_root, const char *state_root,
		       const struct ctsource_ops *ops, struct ctsource **out)
{
	struct ctsource *cs;
	int r = new_common(ops, &cs);

	if (r)
		return r;
	cs->live = true;
	cs->host = *host;
	snprintf(cs->proc_root, sizeof(cs->proc_root), "%s", proc_root ? proc_root : "/proc");
	cs->map_ok[0] = host->v2.dir[0] && cg_idmap__init(&cs->map[0], &host->v2) == 0;
	cs->map_ok[1] = host->v1.dir[0] && cg_idmap__init(&cs->map[1], &host->v1) == 0;
	if (ct_namer__init(&cs->namer, state_root ? state_root : "")) {
		ctsource__free(cs);
		return -ENOMEM;
	}
	*out = cs;
	return 0;
}

int ctsource__new_replay(const struct ctsource_ops *ops, struct ctsource **out)
{
	return new_common(ops, out);
}

void ctsource__free(struct ctsource *cs)
{
	if (!cs)
		return;
	for (int i = 0; i < 2; i++)
		if (cs->map_ok[i])
			cg_idmap__free(&cs->map[i]);
	if (cs->live)
		ct_namer__free(&cs->namer);
	ctreg__free(cs->reg);
	free(cs->pending);
	free(cs);
}

struct ctreg *ctsource__registry(struct ctsource *cs)
{
	return cs->reg;
}

void ctsource__filter(struct ctsource *cs, const struct ct_filter_spec *spec, struct tracer *t)
{
	cs->spec = spec;
	cs->tracer = t;
}

void ctsource__stats(const struct ctsource *cs, struct ctsource_stats *st)
{
	*st = cs->st;
	st->namings = cs->live ? cs->namer.namings : 0;
}

/* ---- learning, live ---- */

static void learn_path(struct ctsource *cs, enum ctreg_hier hier, __u64 id, const char *path)
{
	if (ctreg__learn_cgroup(cs->reg, hier, id, path) == 1 && cs->ops.cgroup)
		cs->ops.cgroup(cs->ops.ctx, hier, id, path);
}

/* The container whose own cgroup is cgroup[0, len) was named. */
static void learn_named(struct ctsource *cs, const char *cgroup, size_t len, const struct ct_info *ci, __u64 now)
{
	const struct ct_ref *ct;
	char key[CG_PATH_MAX];

	if (len >= sizeof(key) || ci->kind != CT_KIND_CONTAINER)
		return;
	memcpy(key, cgroup, len);
	key[len] = '\0';
	if (ctreg__learn_container(cs->reg, key, ci, &ct) == 1 && cs->ops.container)
		cs->ops.container(cs->ops.ctx, ct, now);
}

/*
 * Name the container of path from its runtime's state: files only, once,
 * then when a retry is due; eager, now (a few times at most).
 */
static void name_container(struct ctsource *cs, const char *path, __u64 now, bool eager)
{
	const struct ct_info *ci;
	struct ct_match m;
	enum ct_state st;

	if (containers__match(path, &m) <= 0 || m.kind != CT_KIND_CONTAINER)
		return;
	ci = eager ? ct_namer__refresh(&cs->namer, path, now, &st) : ct_namer__lookup(&cs->namer, path, now, &st);
	if (ci && st == CT_STATE_NAMED)
		learn_named(cs, path, m.root_len, ci, now);
}

/* The id of path in the hierarchy of map i, or 0. */
static __u64 id_of(struct ctsource *cs, int i, const char *path)
{
	__u64 id;

	return cs->map_ok[i] && cg_idmap__id(&cs->map[i], path, &id) == 0 ? id : 0;
}

/* The paths of cg2 and cg1 not known yet: pid's /proc/PID/cgroup if it is still there, else a walk. */
static void learn_ids(struct ctsource *cs, __u32 pid, __u64 cg2, __u64 cg1, __u64 now)
{
	bool need[2] = { cg2 && !ctreg__path(cs->reg, CTREG_V2, cg2), cg1 && !ctreg__path(cs->reg, CTREG_V1, cg1) };
	__u64 ids[2] = { cg2, cg1 };
	char buf[CG_PATH_MAX];
	struct cg_proc cp;

	if (!need[0] && !need[1])
		return;
	if (pid && cgroups__read_proc(cs->proc_root, pid, &cs->host, &cp) == 0) {
		cs->st.proc_reads++;
		/* The process may have moved since its event: a path counts only if its id is the event's. */
		if (need[0] && cp.has_v2 && id_of(cs, 0, cp.v2) == cg2) {
			learn_path(cs, CTREG_V2, cg2, cp.v2);
			need[0] = false;
		}
		if (need[1] && cp.has_v1 && id_of(cs, 1, cp.v1) == cg1) {
			learn_path(cs, CTREG_V1, cg1, cp.v1);
			need[1] = false;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!need[i] || !cs->map_ok[i])
			continue;
		cs->st.walks_asked++;
		if (cg_idmap__path(&cs->map[i], ids[i], now, buf, sizeof(buf)) == 0)
			learn_path(cs, i ? CTREG_V1 : CTREG_V2, ids[i], buf);
	}
}

/*
 * What an unsettled (or never named) pair needs: its paths, its container's
 * name; settled in the end. Paths are looked for again at most every
 * RETRY_PATHS_NS, but at once for an exec (now): a new container's
 * runtime processes exit in its cgroup before its program starts, gone
 * from /proc and maybe before a walk is due; the exec'ing process's own
 * cgroup file is there, and its event is the one to name the container by.
 */
static struct ct_subject *learn(struct ctsource *cs, __u32 pid, __u64 cg2, __u64 cg1, struct ct_subject *s,
				__u64 now, bool now_please)
{
	if (!s->settled && (!s->tried_ns || now - s->tried_ns >= RETRY_PATHS_NS || (now_please && !s->cgroup))) {
		s->tried_ns = now;
		learn_ids(cs, pid, cg2, cg1, now);
		s = ctreg__subject(cs->reg, cg2, cg1);
		if (!s)
			return NULL;
	}
	if (s->cgroup && !s->asked) {
		s->asked = true;
		name_container(cs, s->cgroup, now, false);
		s = ctreg__subject(cs->reg, cg2, cg1);
		if (!s)
			return NULL;
	}
	if (!s->settled && now - s->first_ns > CTSOURCE_SETTLE_NS)
		ctreg__settle(s);
	return s;
}

/* ---- the kernel's filter ---- */

static void pend(struct ctsource *cs, __u64 cg2, __u64 cg1)
{
	for (size_t i = 0; i < cs->npending; i++)
		if (cs->pending[i].cg2 == cg2 && cs->pending[i].cg1 == cg1)
			return;
	VEC_PUSH(cs->pending, cs->npending, cs->cappending, ((struct pending){ cg2, cg1 }));
}

/* Tell the kernel what becomes of the pair's events, once that can be told. True: told (or nothing to tell). */
static bool verdict(struct ctsource *cs, struct ct_subject *s, __u64 cg2, __u64 cg1, __u64 now)
{
	enum ct_verdict v;

	if (!cs->tracer || s->verdict == CTREG_VERDICT_KEEP)
		return true;
	if (s->verdict == CTREG_VERDICT_DROP && now - s->verdict_ns < VERDICT_AGAIN_NS)
		return true;
	v = ctfilter__judge(cs->spec, s);
	if (v == CTV_LATER && s->first_ns && now - s->first_ns > CTSOURCE_SETTLE_NS)
		v = CTV_NO; /* what is not known by now will not be: no name (its state unreadable), no match */
	if (v == CTV_LATER) {
		pend(cs, cg2, cg1);
		return false;
	}
	if (tracer__cgroup_verdict(cs->tracer, cg2, cg1, v == CTV_YES) == 0)
		cs->st.verdicts++;
	s->verdict = v == CTV_YES ? CTREG_VERDICT_KEEP : CTREG_VERDICT_DROP;
	s->verdict_ns = now;
	return true;
}

const struct ct_subject *ctsource__event(struct ctsource *cs, const struct pl_hdr *h, __u64 now)
{
	__u64 cg1 = h->flags & PL_F_NO_IDENTITY ? 0 : h->cgroup1_id;
	struct ct_subject *s = ctreg__subject(cs->reg, h->cgroup_id, cg1);

	if (!s || !cs->live)
		return s;
	if (!s->first_ns)
		s->first_ns = now;
	if (!s->settled || !s->asked)
		s = learn(cs, h->pid, h->cgroup_id, cg1, s, now, h->type == PL_EV_EXEC);
	/*
	 * A container's program starts: its runtime has written its state by
	 * now (runc's state.json comes after its init is made, before the
	 * exec): name it at once, not at the next timed try.
	 */
	if (s && h->type == PL_EV_EXEC && s->cgroup && (s->ct ? !s->ct->named : !s->settled)) {
		name_container(cs, s->cgroup, now, true);
		s = ctreg__subject(cs->reg, h->cgroup_id, cg1);
	}
	if (s)
		verdict(cs, s, h->cgroup_id, cg1, now);
	return s;
}

/* ---- scans ---- */

long ctsource__scan(struct ctsource *cs, const struct proc_snapshot *v, size_t n, __u64 now,
		    struct ct_proc_ids **out)
{
	struct ct_proc_ids *ids = calloc(n + 1, sizeof(*ids));
	size_t k = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; cs->live && i < n; i++) {
		struct ct_proc_ids x = { .pid = v[i].pid };
		struct ct_subject *s;
		struct cg_proc cp;

		if (cgroups__read_proc(cs->proc_root, v[i].pid, &cs->host, &cp))
			continue; /* gone since the scan, or a kernel without cgroups */
		cs->st.proc_reads++;
		if (cp.has_v2 && (x.cgroup_id = id_of(cs, 0, cp.v2)))
			learn_path(cs, CTREG_V2, x.cgroup_id, cp.v2);
		if (cp.has_v1 && (x.cgroup1_id = id_of(cs, 1, cp.v1)))
			learn_path(cs, CTREG_V1, x.cgroup1_id, cp.v1);
		if (!x.cgroup_id && !x.cgroup1_id)
			continue;
		ids[k++] = x;
		s = ctreg__subject(cs->reg, x.cgroup_id, x.cgroup1_id);
		if (s && !s->first_ns)
			s->first_ns = now;
		if (s && (!s->settled || !s->asked))
			learn(cs, 0, x.cgroup_id, x.cgroup1_id, s, now, false);
	}
	*out = ids;
	return k;
}

/* ---- timers ---- */

static void on_named(void *ctx, const char *cgroup, const struct ct_info *ci)
{
	struct ctsource *cs = ctx;

	learn_named(cs, cgroup, strlen(cgroup), ci, cs->now);
}

/* Judge again the pairs that could not be told: a container named since, or the wait is over. */
static void verdicts_again(struct ctsource *cs, __u64 now)
{
	struct pending *v = cs->pending;
	size_t n = cs->npending;

	/* verdict() pends again what still cannot be told, into a new list. */
	cs->pending = NULL;
	cs->npending = cs->cappending = 0;
	for (size_t i = 0; i < n; i++) {
		struct ct_subject *s = ctreg__subject(cs->reg, v[i].cg2, v[i].cg1);

		if (s && !s->settled && s->first_ns && now - s->first_ns > CTSOURCE_SETTLE_NS)
			ctreg__settle(s);
		if (s) /* judged again: named since, or the wait is over */
			verdict(cs, s, v[i].cg2, v[i].cg1, now);
	}
	free(v);
}

/* Forget the cgroups and containers of processes gone, once the registry has doubled since the last time. */
static void sweep(struct ctsource *cs, __u64 now, const struct model *m)
{
	struct ctreg_stats st;

	ctreg__stats(cs->reg, &st);
	if (!m || st.pairs < 1024 || st.pairs < 2 * cs->pairs_after_sweep)
		return;
	ctreg__sweep_begin(cs->reg);
	for (__u32 slot = 1; slot < model__nslots(m); slot++) {
		const struct proc *p = model__slot(m, slot);

		if (p->pid)
			ctreg__keep(cs->reg, p->cgroup_id, p->cgroup1_id);
	}
	for (size_t i = 0; i < cs->npending; i++)
		ctreg__keep(cs->reg, cs->pending[i].cg2, cs->pending[i].cg1);
	ctreg__sweep_end(cs->reg);
	ctreg__stats(cs->reg, &st);
	cs->pairs_after_sweep = st.pairs;
}

void ctsource__tick(struct ctsource *cs, __u64 now, const struct model *m)
{
	if (!cs->live)
		return;
	cs->now = now;
	ct_namer__retry(&cs->namer, now, on_named, cs);
	if (cs->npending)
		verdicts_again(cs, now);
	if (now - cs->last_sweep >= CTSOURCE_SWEEP_NS) {
		cs->last_sweep = now;
		sweep(cs, now, m);
	}
}

/* ---- replaying ---- */

static void replay_cgroup(struct ctsource *cs, const struct rec_cgroup *c, struct model *m)
{
	enum ctreg_hier hier = c->hier == REC_CG_V1 ? CTREG_V1 : CTREG_V2;
	char path[CG_PATH_MAX];
	const __u32 *pids;

	rec_cgroup__decode(c, &pids, path, sizeof(path));
	ctreg__learn_cgroup(cs->reg, hier, c->id, path);
	for (__u32 i = 0; m && i < c->npids; i++) {
		__u32 pid;

		memcpy(&pid, pids + i, sizeof(pid)); /* the record's bytes: aligned to 4 only by luck */
		model__set_cgroup(m, pid, hier == CTREG_V1, c->id);
	}
}

void ctsource__replay(struct ctsource *cs, const struct rec_item *it, struct model *m)
{
	char cgroup[CG_PATH_MAX];
	const struct ct_ref *ct;
	struct ct_info ci;

	if (it->kind == REC_CGROUP) {
		replay_cgroup(cs, it->body, m);
	} else if (it->kind == REC_CONTAINER && rec_container__decode(it->body, it->len, cgroup, sizeof(cgroup), &ci) == 0 &&
		   ctreg__learn_container(cs->reg, cgroup, &ci, &ct) == 1 && cs->ops.container) {
		cs->ops.container(cs->ops.ctx, ct, it->ts);
	}
}
