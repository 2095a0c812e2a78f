// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What proclife's library says of processes' cgroups and containers, one
 * JSON line per pid, for tests/e2e/test_containers.py to hold against what
 * the runtimes say (podman inspect, docker inspect, ctr, the bundle):
 *
 *   ctinfo [--root DIR] PID...
 *     {"pid", "layout", "v1_controller", "cgroup", "hierarchy", "v2", "v1",
 *      "v2_id", "v1_id", "v2_id_path", "v1_id_path", "state",
 *      "container": null | {"runtime", "kind", "id", "ns", "name", "image",
 *                           "pod", "namespace", "pod_uid", "container", "sandbox"}}
 *
 *   ctinfo --cost PID    what naming and id look-ups cost (CPU time, µs), and a session's
 *                        (session/ctsource.c): an event of a container seen for the first
 *                        time (its cgroup file, ids, naming), and each event after
 *
 * A pid that is gone gives {"pid", "error"}. Exit status 1 when the layout
 * cannot be read.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/cgroups.h"
#include "kernel/ctnamer.h"
#include "session/ctsource.h"

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *container_json(const struct ct_info *ci)
{
	static const char *const kinds[] = { "host", "container", "runtime" };
	json_t *o;

	if (!ci)
		return json_null();
	o = json_object();
	json_object_set_new(o, "runtime", json_string(containers__runtime_name(ci->runtime)));
	json_object_set_new(o, "kind", json_string(kinds[ci->kind]));
	json_object_set_new(o, "id", str_or_null(ci->id));
	json_object_set_new(o, "ns", str_or_null(ci->ns));
	json_object_set_new(o, "name", str_or_null(ci->name));
	json_object_set_new(o, "image", str_or_null(ci->image));
	json_object_set_new(o, "pod", str_or_null(ci->pod));
	json_object_set_new(o, "namespace", str_or_null(ci->pod_namespace));
	json_object_set_new(o, "pod_uid", str_or_null(ci->pod_uid));
	json_object_set_new(o, "container", str_or_null(ci->container));
	json_object_set_new(o, "sandbox", json_boolean(ci->sandbox));
	return o;
}

/* The id of path in the hierarchy of m, and that id looked up again through the id cache. */
static void add_ids(json_t *o, const char *key, const char *key_path, struct cg_idmap *m, const char *path)
{
	char back[CG_PATH_MAX];
	__u64 id;

	if (!m->dir[0] || !path || cg_idmap__id(m, path, &id)) {
		json_object_set_new(o, key, json_null());
		json_object_set_new(o, key_path, json_null());
		return;
	}
	json_object_set_new(o, key, json_integer((json_int_t)id));
	json_object_set_new(o, key_path, cg_idmap__path(m, id, clock_ns(CLOCK_MONOTONIC), back, sizeof(back))
						 ? json_null() : json_string(back));
}

static const char *state_name(enum ct_state st)
{
	return st == CT_STATE_NAMED ? "named" : st == CT_STATE_UNNAMED ? "unnamed" : "host";
}

static int one_pid(const struct cg_host *h, struct cg_idmap *v2, struct cg_idmap *v1, struct ct_namer *namer,
		   const char *proc, __u32 pid)
{
	const struct ct_info *ci = NULL;
	enum ct_state st = CT_STATE_NOT_FOUND;
	struct cg_proc p;
	enum cg_hier hier;
	const char *ident;
	json_t *o = json_object();
	int r = cgroups__read_proc(proc, pid, h, &p);

	json_object_set_new(o, "pid", json_integer(pid));
	if (r) {
		json_object_set_new(o, "error", json_string(strerror(-r)));
	} else {
		ident = cgroups__identity(h, &p, &hier);
		if (ident)
			ci = ct_namer__lookup(namer, ident, clock_ns(CLOCK_MONOTONIC), &st);
		json_object_set_new(o, "layout", json_string(cgroups__layout_name(h->layout)));
		json_object_set_new(o, "v1_controller", str_or_null(h->v1_controller));
		json_object_set_new(o, "cgroup", str_or_null(ident));
		json_object_set_new(o, "hierarchy", json_string(cgroups__hier_name(h, hier)));
		json_object_set_new(o, "v2", p.has_v2 ? json_string(p.v2) : json_null());
		json_object_set_new(o, "v1", p.has_v1 ? json_string(p.v1) : json_null());
		add_ids(o, "v2_id", "v2_id_path", v2, p.has_v2 ? p.v2 : NULL);
		add_ids(o, "v1_id", "v1_id_path", v1, p.has_v1 ? p.v1 : NULL);
		json_object_set_new(o, "state", json_string(state_name(st)));
		json_object_set_new(o, "container", container_json(ci));
	}
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(o);
	return 0;
}

/* CPU time of: naming a container the first time, a cached look-up, an id walk, a cached and a negative id. */
/* A session's cost for pid's container: its first event (a fresh session each round), then each next one (ns). */
static void session_cost(const struct cg_host *h, const char *proc, __u32 pid, double *first_us, double *next_ns)
{
	enum { ROUNDS = 200, EVENTS = 1000000 };
	struct cg_proc p;
	struct cg_idmap m2 = {}, m1 = {};
	struct pl_hdr hdr = { .pid = pid, .type = PL_EV_EXEC };
	__u64 t0, first = 0;

	*first_us = *next_ns = -1;
	if (cgroups__read_proc(proc, pid, h, &p))
		return;
	if (p.has_v2 && cg_idmap__init(&m2, &h->v2) == 0)
		cg_idmap__id(&m2, p.v2, &hdr.cgroup_id);
	if (p.has_v1 && h->v1.dir[0] && cg_idmap__init(&m1, &h->v1) == 0)
		cg_idmap__id(&m1, p.v1, &hdr.cgroup1_id);
	for (int i = 0; i < ROUNDS; i++) {
		struct ctsource *cs;

		if (ctsource__new_live(h, proc, "", NULL, &cs))
			return;
		t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		ctsource__event(cs, &hdr, clock_ns(CLOCK_BOOTTIME));
		first += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
		if (i == ROUNDS - 1) {
			t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
			for (int k = 0; k < EVENTS; k++)
				ctsource__event(cs, &hdr, 1);
			*next_ns = (double)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / EVENTS;
		}
		ctsource__free(cs);
	}
	*first_us = first / 1000.0 / ROUNDS;
	if (m2.dir[0])
		cg_idmap__free(&m2);
	if (m1.dir[0])
		cg_idmap__free(&m1);
}

static int cost(const struct cg_host *h, const char *proc, __u32 pid)
{
	enum { ROUNDS = 200 };
	__u64 t0, name_first = 0, name_warm = 0, name_cached = 0, walk, hit, negative;
	double session_first, session_next;
	struct ct_namer warm;
	struct cg_proc p;
	struct cg_idmap m;
	const char *ident;
	enum cg_hier hier;
	char buf[CG_PATH_MAX];
	__u64 id;

	if (cgroups__read_proc(proc, pid, h, &p) || !(ident = cgroups__identity(h, &p, &hier)))
		return 1;
	for (int i = 0; i < ROUNDS; i++) {
		struct ct_namer n;

		ct_namer__init(&n, "");
		t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		ct_namer__lookup(&n, ident, clock_ns(CLOCK_MONOTONIC), NULL);
		name_first += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
		if (i == ROUNDS - 1) {
			t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
			for (int k = 0; k < 10000; k++)
				ct_namer__lookup(&n, ident, 1, NULL);
			name_cached = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / 10000;
		}
		ct_namer__free(&n);
	}
	/* A new container on a running tracer: what it found once (Docker's data roots) it keeps. */
	ct_namer__init(&warm, "");
	ct_namer__lookup(&warm, ident, clock_ns(CLOCK_MONOTONIC), NULL);
	for (int i = 0; i < ROUNDS; i++) {
		struct ct_namer n = warm;

		n.buckets = calloc(n.nbuckets, sizeof(*n.buckets));
		t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		ct_namer__lookup(&n, ident, clock_ns(CLOCK_MONOTONIC), NULL);
		name_warm += clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
		ct_namer__free(&n);
	}
	ct_namer__free(&warm);
	cg_idmap__init(&m, hier == CG_HIER_V1 ? &h->v1 : &h->v2);
	if (cg_idmap__id(&m, ident, &id))
		return 1;
	t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	cg_idmap__path(&m, id, clock_ns(CLOCK_MONOTONIC), buf, sizeof(buf));
	walk = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
	t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (int k = 0; k < 100000; k++)
		cg_idmap__path(&m, id, clock_ns(CLOCK_MONOTONIC), buf, sizeof(buf));
	hit = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / 100000;
	t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (int k = 0; k < 100000; k++)
		cg_idmap__path(&m, 0xdead0000ull + k % 16, clock_ns(CLOCK_MONOTONIC), buf, sizeof(buf));
	negative = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0) / 100000;
	session_cost(h, proc, pid, &session_first, &session_next);
	printf("{\"pid\":%u,\"cgroup\":\"%s\",\"name_first_us\":%.1f,\"name_next_us\":%.1f,\"name_cached_ns\":%llu,"
	       "\"walk_us\":%.1f,\"walk_dirs\":%lu,\"id_hit_ns\":%llu,\"id_unknown_ns\":%llu,\"walks\":%lu,"
	       "\"session_first_us\":%.1f,\"session_event_ns\":%.1f}\n",
	       pid, ident, name_first / 1000.0 / ROUNDS, name_warm / 1000.0 / ROUNDS, (unsigned long long)name_cached, walk / 1000.0, m.walk_dirs,
	       (unsigned long long)hit, (unsigned long long)negative, m.walks, session_first, session_next);
	cg_idmap__free(&m);
	return 0;
}

int main(int argc, char **argv)
{
	const char *root = "";
	char mountinfo[512], proc[512];
	struct cg_idmap v2 = {}, v1 = {};
	struct ct_namer namer;
	struct cg_host h;
	int i = 1, r;

	if (argc > 2 && !strcmp(argv[1], "--root")) {
		root = argv[2];
		i = 3;
	}
	snprintf(mountinfo, sizeof(mountinfo), "%s/proc/self/mountinfo", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	r = cgroups__detect(mountinfo, &h);
	if (r) {
		fprintf(stderr, "ctinfo: %s: %s\n", mountinfo, strerror(-r));
		return 1;
	}
	if (argc > i + 1 && !strcmp(argv[i], "--cost"))
		return cost(&h, proc, strtoul(argv[i + 1], NULL, 10));
	cg_idmap__init(&v2, &h.v2);
	cg_idmap__init(&v1, &h.v1);
	if (ct_namer__init(&namer, root))
		return 1;
	for (; i < argc; i++)
		one_pid(&h, &v2, &v1, &namer, proc, strtoul(argv[i], NULL, 10));
	ct_namer__free(&namer);
	cg_idmap__free(&v2);
	cg_idmap__free(&v1);
	return 0;
}
