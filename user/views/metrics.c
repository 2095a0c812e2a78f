// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "base/vec.h"
#include "kernel/containers.h"
#include "views/metrics.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define ERRNO_OTHER (METRICS_ERRNO_MAX + 1)

void metrics_counts__record(struct metrics_counts *c, const void *rec)
{
	const struct pl_hdr *h = rec;

	if (h->type == PL_EV_NONE || h->type >= PL_EV_MAX)
		return;
	if ((h->type == PL_EV_FORK || h->type == PL_EV_EXIT) && (h->flags & PL_F_THREAD)) {
		if (h->type == PL_EV_FORK)
			c->thread_forks++;
		else
			c->thread_exits++;
		return;
	}
	c->events[h->type]++;
	if (h->type == PL_EV_EXEC_FAILED) {
		int err = ((const struct pl_exec_failed *)rec)->err;

		c->exec_failed[err > 0 && err <= METRICS_ERRNO_MAX && names__errno(err) ? err : ERRNO_OTHER]++;
	} else if (h->type == PL_EV_SIGNAL) {
		const struct pl_signal *s = rec;

		if (s->sig >= 0 && s->sig <= METRICS_SIG_MAX && s->result < METRICS_SIG_RESULTS)
			c->signals[s->sig][s->result]++;
		else
			c->signals_other++;
	}
}

void metrics_counts__derived(struct metrics_counts *c, const struct derived_event *d)
{
	if (d->type > 0 && d->type < DV_MAX)
		c->derived[d->type]++;
}

/*
 * Series that exist from the first write with 0, so that rate() and
 * increase() see their first increment: what execve(2) documents it fails
 * with, and the classic signals with the outcomes any of them can have
 * (plus signal 0: probes). Rarer ones appear when they first happen.
 */
static const int exec_errnos[] = {
	EPERM, ENOENT, EIO, E2BIG, ENOEXEC, EAGAIN, ENOMEM, EACCES, EFAULT, EISDIR, EINVAL,
	ENFILE, EMFILE, ETXTBSY, ENAMETOOLONG, ELOOP, ENOTDIR, ELIBBAD,
};

static bool errno_preset(int err)
{
	for (size_t i = 0; i < ELEMENTSOF(exec_errnos); i++)
		if (exec_errnos[i] == err)
			return true;
	return false;
}

static bool signal_preset(int sig, unsigned result)
{
	if (sig == 0)
		return result == PL_SIG_PROBE || result == PL_SIG_FAILED;
	return sig <= 31 && (result == PL_SIG_DELIVERED || result == PL_SIG_IGNORED ||
			     result == PL_SIG_ALREADY_PENDING || result == PL_SIG_FAILED);
}

/* A label value: backslash, double quote and newline escaped (exposition format). */
static void label_value(struct outbuf *ob, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			outbuf__puts(ob, "\\\\");
		else if (*s == '"')
			outbuf__puts(ob, "\\\"");
		else if (*s == '\n')
			outbuf__puts(ob, "\\n");
		else
			outbuf__putc(ob, *s);
	}
}

static void family(struct outbuf *ob, const char *name, const char *type, const char *help)
{
	outbuf__printf(ob, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{label="value"} v */
static void sample1(struct outbuf *ob, const char *name, const char *label, const char *value, __u64 v)
{
	outbuf__printf(ob, "%s{%s=\"", name, label);
	label_value(ob, value);
	outbuf__puts(ob, "\"} ");
	outbuf__u64(ob, v);
	outbuf__putc(ob, '\n');
}

static void format_events(struct outbuf *ob, const struct metrics_input *in)
{
	const struct metrics_counts *c = in->counts;

	family(ob, "proclife_events_total", "counter",
	       "Events proclife reported since it started, by type: the kernel's (of processes; "
	       "thread_fork and thread_exit with --threads) and those derived from the process model "
	       "(stop, continue, zombie, reparent, resync) and the session (container: one named). Everything traced "
	       "on the machine, before "
	       "any filter of the command.");
	for (unsigned t = 1; t < PL_EV_MAX; t++)
		sample1(ob, "proclife_events_total", "event", names__event(t), c->events[t]);
	if (in->threads) {
		sample1(ob, "proclife_events_total", "event", "thread_fork", c->thread_forks);
		sample1(ob, "proclife_events_total", "event", "thread_exit", c->thread_exits);
	}
	for (unsigned t = 1; t < DV_MAX; t++)
		sample1(ob, "proclife_events_total", "event", derived__name(t), c->derived[t]);

	family(ob, "proclife_lost_events_total", "counter",
	       "Kernel events lost since proclife started (its ring buffer was full), by type; each loss "
	       "makes the process model resync with /proc.");
	for (unsigned t = 1; t < PL_EV_MAX; t++)
		sample1(ob, "proclife_lost_events_total", "event", names__event(t), in->lost ? in->lost[t] : 0);

	family(ob, "proclife_resyncs_total", "counter",
	       "Times the process model was reconciled with /proc after lost events.");
	outbuf__printf(ob, "proclife_resyncs_total %llu\n", (unsigned long long)c->derived[DV_RESYNC]);
}

static void format_processes(struct outbuf *ob, const struct metrics_input *in)
{
	__u64 running = 0, stopped = 0, zombies = 0, oldest = 0;

	for (__u32 s = 1; in->model && s < model__nslots(in->model); s++) {
		const struct proc *p = model__slot(in->model, s);
		__u64 since;

		if (!p->pid)
			continue;
		switch (p->state) {
		case PROC_RUNNING:
		case PROC_CONTINUED:
			running++;
			break;
		case PROC_STOPPED:
			stopped++;
			break;
		case PROC_ZOMBIE:
			zombies++;
			/* An exit proclife did not see: counted from the start (it was a zombie at the scan). */
			since = p->exit_ts ? p->exit_ts : in->start_ns;
			if (in->now_ns > since && in->now_ns - since > oldest)
				oldest = in->now_ns - since;
			break;
		}
	}
	family(ob, "proclife_processes", "gauge",
	       "Processes on the machine now (kernel threads included), by state: running (alive and not "
	       "stopped: sleeping included), stopped (by a stop signal), zombie (exited, not reaped).");
	sample1(ob, "proclife_processes", "state", "running", running);
	sample1(ob, "proclife_processes", "state", "stopped", stopped);
	sample1(ob, "proclife_processes", "state", "zombie", zombies);

	family(ob, "proclife_zombie_oldest_seconds", "gauge",
	       "How long the oldest zombie has been one, 0 when there is none; a zombie whose exit proclife "
	       "did not see counts from when proclife first saw it (at least that long).");
	outbuf__printf(ob, "proclife_zombie_oldest_seconds %llu.%03llu\n", (unsigned long long)(oldest / 1000000000),
		       (unsigned long long)(oldest % 1000000000 / 1000000));
}

static void format_failures(struct outbuf *ob, const struct metrics_input *in)
{
	const struct metrics_counts *c = in->counts;

	family(ob, "proclife_exec_failed_total", "counter",
	       "Failed execve/execveat calls since proclife started, by errno (\"other\": not in its table).");
	for (int e = 1; e <= METRICS_ERRNO_MAX; e++)
		if (c->exec_failed[e] || errno_preset(e))
			sample1(ob, "proclife_exec_failed_total", "errno", names__errno(e), c->exec_failed[e]);
	if (c->exec_failed[ERRNO_OTHER])
		sample1(ob, "proclife_exec_failed_total", "errno", "other", c->exec_failed[ERRNO_OTHER]);

	family(ob, "proclife_signals_total", "counter",
	       "Signals since proclife started, by signal and outcome: delivered (queued), ignored, "
	       "already_pending, overflow_fail, lose_info, failed (a kill-family call refused), "
	       "probe (signal 0).");
	for (int sig = 0; sig <= METRICS_SIG_MAX; sig++) {
		for (unsigned r = 0; r < METRICS_SIG_RESULTS; r++) {
			if (!c->signals[sig][r] && !signal_preset(sig, r))
				continue;
			outbuf__puts(ob, "proclife_signals_total{signal=\"");
			label_value(ob, names__signal(sig));
			outbuf__printf(ob, "\",result=\"%s\"} ", names__sig_result(r));
			outbuf__u64(ob, c->signals[sig][r]);
			outbuf__putc(ob, '\n');
		}
	}
}

static void format_features(struct outbuf *ob, const struct metrics_input *in)
{
	if (!in->features)
		return;
	family(ob, "proclife_features", "gauge",
	       "The kernel features proclife uses here: 1 on (or reduced), 0 off (what it reports is "
	       "missing; 'proclife features' says why).");
	for (int f = 0; f < KF_MAX; f++)
		if (in->features[f].state != KF_UNUSED)
			sample1(ob, "proclife_features", "feature", kfeature__name(f), in->features[f].state != KF_OFF);
	family(ob, "proclife_feature_reduced", "gauge",
	       "1 when a feature in use is on with a part missing on this kernel ('proclife features' says which).");
	for (int f = 0; f < KF_MAX; f++)
		if (in->features[f].state != KF_UNUSED)
			sample1(ob, "proclife_feature_reduced", "feature", kfeature__name(f),
				in->features[f].state == KF_REDUCED);
}

/* ---- containers ---- */

static size_t hash_str(const char *s)
{
	size_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull; /* FNV-1a */
	return h;
}

static struct metrics_ct_count *ct_count_find(struct metrics_ct_counts *c, const char *cgroup, size_t h)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].hash == h && !strcmp(c->v[i].cgroup, cgroup))
			return &c->v[i];
	return NULL;
}

void metrics_ct_counts__exec(struct metrics_ct_counts *c, const struct ct_ref *ct)
{
	size_t h = hash_str(ct->cgroup);
	struct metrics_ct_count *e = ct_count_find(c, ct->cgroup, h), x = { .hash = h };

	if (!e) {
		x.cgroup = strdup(ct->cgroup);
		if (!x.cgroup || !VEC_PUSH(c->v, c->n, c->cap, x)) {
			free(x.cgroup);
			return;
		}
		e = &c->v[c->n - 1];
	}
	e->execs++;
}

void metrics_ct_counts__free(struct metrics_ct_counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].cgroup);
	free(c->v);
	*c = (struct metrics_ct_counts){};
}

/* One live container's series: its labels and values. */
struct ct_series {
	const struct ct_ref *ct;
	__u64 zombies, execs;
};

/* The container label: Kubernetes' container name, else the runtime's name, else (not named) the id. */
static void ct_labels(struct outbuf *ob, const struct ct_ref *ct)
{
	const struct ct_info *ci = &ct->info;

	outbuf__puts(ob, "{runtime=\"");
	label_value(ob, containers__runtime_name(ci->runtime));
	outbuf__puts(ob, "\",container=\"");
	label_value(ob, ci->name[0] ? ci->name : ci->id);
	outbuf__puts(ob, "\",namespace=\"");
	label_value(ob, ci->pod_namespace);
	outbuf__puts(ob, "\",pod=\"");
	label_value(ob, ci->pod);
	outbuf__puts(ob, "\"} ");
}

/* Same labels, same series: two live containers that print alike are summed (the exposition allows one). */
static int by_labels(const void *a, const void *b)
{
	const struct ct_info *x = &((const struct ct_series *)a)->ct->info, *y = &((const struct ct_series *)b)->ct->info;
	int d = (int)x->runtime - (int)y->runtime;

	if (!d)
		d = strcmp(x->name[0] ? x->name : x->id, y->name[0] ? y->name : y->id);
	if (!d)
		d = strcmp(x->pod_namespace, y->pod_namespace);
	if (!d)
		d = strcmp(x->pod, y->pod);
	return d;
}

/* The live containers (with a process, a zombie included), with their zombies and execs; n of them. */
static struct ct_series *ct_series(const struct metrics_input *in, size_t *n)
{
	struct ct_series *v = NULL;
	size_t k = 0, cap = 0;

	for (__u32 s = 1; in->ct && in->model && s < model__nslots(in->model); s++) {
		const struct proc *p = model__slot(in->model, s);
		const struct ct_subject *sub;
		size_t i;

		if (!p->pid || p->state == PROC_REAPED)
			continue;
		sub = ctreg__subject(in->ct, p->cgroup_id, p->cgroup1_id);
		if (!sub || !sub->ct)
			continue;
		for (i = 0; i < k && v[i].ct != sub->ct; i++)
			;
		if (i == k && !VEC_PUSH(v, k, cap, ((struct ct_series){ .ct = sub->ct })))
			break;
		v[i].zombies += p->state == PROC_ZOMBIE;
	}
	*n = k;
	return v;
}

static void format_containers(struct outbuf *ob, const struct metrics_input *in)
{
	size_t n, kept = 0;
	struct ct_series *v = ct_series(in, &n);
	struct metrics_ct_counts *c = in->ct_counts;

	for (size_t i = 0; c && i < c->n; i++)
		c->v[i].live = false;
	for (size_t i = 0; i < n; i++) {
		struct metrics_ct_count *e = c ? ct_count_find(c, v[i].ct->cgroup, hash_str(v[i].ct->cgroup)) : NULL;

		if (e) {
			v[i].execs = e->execs;
			e->live = true;
		}
	}
	/* A container gone: its series go now, and its count with them. */
	for (size_t i = 0; c && i < c->n; i++) {
		if (c->v[i].live)
			c->v[kept++] = c->v[i];
		else
			free(c->v[i].cgroup);
	}
	if (c)
		c->n = kept;
	if (v)
		qsort(v, n, sizeof(*v), by_labels);
	family(ob, "proclife_container_zombies", "gauge",
	       "Zombies now in each container that has processes (by its runtime, its name (Kubernetes: the "
	       "container's name in its pod), its pod and the pod's namespace).");
	for (size_t i = 0; i < n; i++) {
		__u64 z = v[i].zombies;

		while (i + 1 < n && !by_labels(&v[i], &v[i + 1]))
			z += v[++i].zombies;
		outbuf__puts(ob, "proclife_container_zombies");
		ct_labels(ob, v[i].ct);
		outbuf__u64(ob, z);
		outbuf__putc(ob, '\n');
	}
	family(ob, "proclife_container_exec_total", "counter",
	       "Execs in each container that has processes, since proclife first saw it (a container gone "
	       "takes its series with it).");
	for (size_t i = 0; i < n; i++) {
		__u64 x = v[i].execs;

		while (i + 1 < n && !by_labels(&v[i], &v[i + 1]))
			x += v[++i].execs;
		outbuf__puts(ob, "proclife_container_exec_total");
		ct_labels(ob, v[i].ct);
		outbuf__u64(ob, x);
		outbuf__putc(ob, '\n');
	}
	free(v);
}

void metrics__format(struct outbuf *ob, const struct metrics_input *in)
{
	__s64 start_wall = (__s64)in->start_ns + in->wall_offset_ns;

	family(ob, "proclife_build_info", "gauge", "proclife's version and the kernel release it runs on; always 1.");
	outbuf__puts(ob, "proclife_build_info{version=\"");
	label_value(ob, in->version);
	outbuf__puts(ob, "\",kernel=\"");
	label_value(ob, in->kernel);
	outbuf__puts(ob, "\"} 1\n");
	family(ob, "proclife_start_time_seconds", "gauge",
	       "When this proclife started, in seconds since the epoch (its counters start at 0 there).");
	outbuf__printf(ob, "proclife_start_time_seconds %lld.%03lld\n", (long long)(start_wall / 1000000000),
		       (long long)(start_wall % 1000000000 / 1000000));
	format_events(ob, in);
	format_processes(ob, in);
	format_failures(ob, in);
	format_features(ob, in);
	format_containers(ob, in);
}
