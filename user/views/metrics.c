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
	/* Counted by the kernel, which queues only a few of them. */
	if (c->kernel_counts &&
	    (h->type == PL_EV_SIGNAL || h->type == PL_EV_DELIVER || h->type == PL_EV_EXEC_FAILED))
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

void metrics_counts__kernel(struct metrics_counts *c, const __u64 *k)
{
	__u64 failed = 0, signals = k[PL_CNT_SIGNAL_OTHER];

	for (int sig = 0; sig <= PL_CNT_SIG_MAX && sig <= METRICS_SIG_MAX; sig++)
		for (unsigned r = 0; r < PL_CNT_SIG_RESULTS && r < METRICS_SIG_RESULTS; r++) {
			c->signals[sig][r] = k[PL_CNT_SIGNAL(sig, r)];
			signals += c->signals[sig][r];
		}
	c->signals_other = k[PL_CNT_SIGNAL_OTHER];
	memset(c->exec_failed, 0, sizeof(c->exec_failed));
	for (int err = 0; err <= PL_CNT_ERRNO_MAX; err++) {
		int at = err > 0 && err <= METRICS_ERRNO_MAX && names__errno(err) ? err : ERRNO_OTHER;

		c->exec_failed[at] += k[PL_CNT_EXEC_FAILED(err)];
		failed += k[PL_CNT_EXEC_FAILED(err)];
	}
	c->events[PL_EV_SIGNAL] = signals;
	c->events[PL_EV_DELIVER] = k[PL_CNT_DELIVER];
	c->events[PL_EV_EXEC_FAILED] = failed;
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

/*
 * Are failed execs and refused kills (and signal-0 probes) counted? Not
 * when the feature syscalls has no program here (off, or reduced to none in
 * a run that keeps states: proclife_features and proclife_feature_reduced
 * say so): their series are left out then, never a 0 that means nothing.
 */
static bool syscalls_counted(const struct metrics_input *in)
{
	return !in->features || in->features[KF_SYSCALLS].programs[0];
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
		if (t != PL_EV_EXEC_FAILED || syscalls_counted(in))
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

	family(ob, "proclife_resync_backoff_seconds", "gauge",
	       "0 while the process model resyncs with /proc at once after lost events; else losses go on and "
	       "resyncs (a scan of all of /proc each) are held back to one per this many seconds, doubling up "
	       "to 64.");
	outbuf__printf(ob, "proclife_resync_backoff_seconds %llu\n",
		       (unsigned long long)(in->resync_holding_ns / 1000000000ull));

	family(ob, "proclife_untracked_zombies_total", "counter",
	       "Exits that found the kernel's zombie table full (processes holding many zombies fill it): their "
	       "reaps are reported at the release, without who reaped them. Not lost: no resync.");
	outbuf__printf(ob, "proclife_untracked_zombies_total %llu\n", (unsigned long long)in->untracked_zombies);
}

static void format_memory(struct outbuf *ob, const struct metrics_input *in)
{
	const __u64 *forgot = in->model ? model__forgotten(in->model) : NULL;

	family(ob, "proclife_model_bytes", "gauge",
	       "Memory the process model holds, by its own count of what it allocates (the ring buffer, the "
	       "kernel's maps and other buffers come on top).");
	outbuf__printf(ob, "proclife_model_bytes %llu\n",
		       (unsigned long long)(in->model ? model__memory(in->model) : 0));
	family(ob, "proclife_model_max_bytes", "gauge", "The cap on proclife_model_bytes (--max-memory).");
	outbuf__printf(ob, "proclife_model_max_bytes %llu\n",
		       (unsigned long long)(in->model ? model__max_memory(in->model) : 0));
	family(ob, "proclife_forgotten_total", "counter",
	       "What the process model forgot early to stay under --max-memory, by kind: reaped (a reaped process "
	       "before its 60 s), exec (an exec's filename and argv: an older one, or cut, or not kept), "
	       "process (a process left out).");
	for (int k = 0; k < FORGOT_MAX; k++)
		sample1(ob, "proclife_forgotten_total", "kind", model_forgot__name(k), forgot ? forgot[k] : 0);
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

	bool counted = syscalls_counted(in);

	family(ob, "proclife_exec_failed_total", "counter",
	       "Failed execve/execveat calls since proclife started, by errno (\"other\": not in its table). "
	       "No series where they are not counted (feature syscalls off, or reduced in a run that keeps "
	       "states: 'proclife features' says why).");
	for (int e = 1; counted && e <= METRICS_ERRNO_MAX; e++)
		if (c->exec_failed[e] || errno_preset(e))
			sample1(ob, "proclife_exec_failed_total", "errno", names__errno(e), c->exec_failed[e]);
	if (counted && c->exec_failed[ERRNO_OTHER])
		sample1(ob, "proclife_exec_failed_total", "errno", "other", c->exec_failed[ERRNO_OTHER]);

	family(ob, "proclife_signals_total", "counter",
	       "Signals since proclife started, by signal and outcome: delivered (queued), ignored, "
	       "already_pending, overflow_fail, lose_info, failed (a kill-family call refused), "
	       "probe (signal 0); failed and probe only where refused kills are counted (as exec_failed).");
	for (int sig = 0; sig <= METRICS_SIG_MAX; sig++) {
		for (unsigned r = 0; r < METRICS_SIG_RESULTS; r++) {
			if (!counted && (r == PL_SIG_FAILED || r == PL_SIG_PROBE))
				continue;
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

/*
 * name{errno="E"} V: each errno counted, and those of a failing disk from
 * the first write (0), so that an alert sees the first failure; a number
 * the errno table has no name for, as "other".
 */
static void errno_samples(struct outbuf *ob, const char *name, const struct errcount *c)
{
	__u64 other = c->n[ERRCOUNT_OTHER];

	for (int e = 1; e <= ERRCOUNT_MAX; e++) {
		if (!names__errno(e))
			other += c->n[e];
		else if (c->n[e] || errcount__disk_error(e))
			sample1(ob, name, "errno", names__errno(e), c->n[e]);
	}
	if (other)
		sample1(ob, name, "errno", "other", other);
}

/* The writes of the recording and of the event output, when the command has them. */
static void format_writes(struct outbuf *ob, const struct metrics_input *in)
{
	if (in->recording) {
		family(ob, "proclife_recording_errors_total", "counter",
		       "Writes to the recording (-w FILE) that failed since proclife started, by errno, each retry "
		       "included. A disk error (ENOSPC, EDQUOT, EIO, EFBIG, EROFS) does not stop the recording: the "
		       "events that cannot be written are counted, writing is retried every second, and the gap is "
		       "marked in the recording once it writes again. Any other error ends the recording.");
		errno_samples(ob, "proclife_recording_errors_total", &in->recording->errors);
		family(ob, "proclife_recording_unwritten_events_total", "counter",
		       "Kernel events that could not be written to the recording since proclife started (its gaps).");
		outbuf__printf(ob, "proclife_recording_unwritten_events_total %llu\n",
			       (unsigned long long)in->recording->unwritten_events);
	}
	if (in->output) {
		family(ob, "proclife_output_errors_total", "counter",
		       "Writes of the event output (-o FILE) that failed since proclife started, by errno, each retry "
		       "included. A disk error does not stop proclife: the lines that cannot be written are counted "
		       "and dropped, writing is retried every second, and a gap line marks them once it writes again.");
		errno_samples(ob, "proclife_output_errors_total", &in->output->errors);
		family(ob, "proclife_output_unwritten_lines_total", "counter",
		       "Lines of the event output that could not be written since proclife started.");
		outbuf__printf(ob, "proclife_output_unwritten_lines_total %llu\n",
			       (unsigned long long)in->output->dropped_lines);
	}
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
	format_memory(ob, in);
	format_failures(ob, in);
	format_features(ob, in);
	format_writes(ob, in);
	format_containers(ob, in);
}
