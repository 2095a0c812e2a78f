// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Where a session learns cgroups and containers (session/ctsource.c), on a
 * fixture host: two cgroup hierarchies made of directories (their inodes
 * are the ids), a /proc with one process's cgroup file, and the runtimes'
 * state of tests/unit/kernel/ctstate (a Docker container named pltest-d1).
 * Live: an event's ids learnt once (from /proc, else by a walk), its
 * container named once, both handed to the session, nothing on the next
 * event; an id that cannot be learnt settles in the end. Replaying: the
 * recording's records teach the same, a scan's pids go to the model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "kernel/procfs.h"
#include "record/recording.h"
#include "session/ctsource.h"
#include "unit/synth.h"

TL_DEFINE_STATE;

#define FIXTURE "tests/unit/kernel/ctstate"
#define DOCKER_ID "1aed07dcb47a9d671be71dd668c5ff10b39fd5e7a5dd21cc0e7a2a25d41e77b8"
#define OTHER_ID "bdfb115b3338b64a5c1ab3a2a562fb96aef20ecd83565178223f0ea9111918d1"
#define NEW_ID "5c0ffee0b47a9d671be71dd668c5ff10b39fd5e7a5dd21cc0e7a2a25d41e77b8"

static char dir[64], state[PATH_MAX];
static struct cg_host host;

/* What the callbacks were handed. */
static int cgroups_said, containers_said;
static char last_container[256];

static void on_cgroup(void *ctx, enum ctreg_hier hier, __u64 id, const char *path)
{
	cgroups_said++;
}

static void on_container(void *ctx, const struct ct_ref *ct, __u64 ts)
{
	containers_said++;
	snprintf(last_container, sizeof(last_container), "%s", ct->info.name);
}

static const struct ctsource_ops ops = { .cgroup = on_cgroup, .container = on_container };

static void mkdirs(const char *rel)
{
	char p[512], *s;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static __u64 ino(const char *rel)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A hybrid host: v2 at cg2, the pids hierarchy at cg1; process 100 in a container (v2) and a v1 slice. */
static bool fixture(void)
{
	char proc[128];

	snprintf(dir, sizeof(dir), "/tmp/pl-ctsource-XXXXXX");
	if (!mkdtemp(dir) || !realpath(FIXTURE, state))
		return false;
	mkdirs("cg2/docker/" DOCKER_ID);
	mkdirs("cg2/docker/" OTHER_ID);
	mkdirs("cg1/system.slice");
	mkdirs("proc/100");
	put("proc/100/cgroup", "12:pids:/system.slice\n1:name=systemd:/x\n0::/docker/" DOCKER_ID "\n");
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	memset(&host, 0, sizeof(host));
	host.layout = CG_LAYOUT_HYBRID;
	snprintf(host.v2.dir, sizeof(host.v2.dir), "%s/cg2", dir);
	snprintf(host.v2.root, sizeof(host.v2.root), "/");
	snprintf(host.v1_controller, sizeof(host.v1_controller), "pids");
	snprintf(host.v1.dir, sizeof(host.v1.dir), "%s/cg1", dir);
	snprintf(host.v1.root, sizeof(host.v1.root), "/");
	return true;
}

static struct pl_hdr hdr(__u32 pid, __u64 cg2, __u64 cg1)
{
	struct pl_hdr h;

	synth_hdr(&h, PL_EV_EXEC, pid, 1, "sh");
	h.cgroup_id = cg2;
	h.cgroup1_id = cg1;
	return h;
}

static void test_live_event(void)
{
	struct ctsource *cs = NULL;
	struct ctsource_stats st;
	char proc[128];
	const struct ct_subject *s;
	struct pl_hdr h;
	__u64 t = SYNTH_BOOT_NS;

	snprintf(proc, sizeof(proc), "%s/proc", dir);
	if (!ASSERT_EQ(ctsource__new_live(&host, proc, state, &ops, &cs), 0))
		return;
	cgroups_said = containers_said = 0;
	h = hdr(100, ino("cg2/docker/" DOCKER_ID), ino("cg1/system.slice"));
	s = ctsource__event(cs, &h, t);
	if (!ASSERT_TRUE(s) || !ASSERT_TRUE(s->cgroup))
		goto out;
	ASSERT_STREQ(s->cgroup, "/docker/" DOCKER_ID);
	ASSERT_STREQ(s->v1, "/system.slice");
	ASSERT_TRUE(s->settled);
	if (ASSERT_TRUE(s->ct)) {
		ASSERT_STREQ(s->ct->info.name, "pltest-d1");
		ASSERT_STREQ(s->ct->info.image, "pltest-bb:1");
	}
	ASSERT_EQ(cgroups_said, 2); /* both paths, to be recorded before the event */
	ASSERT_EQ(containers_said, 1);
	ASSERT_STREQ(last_container, "pltest-d1");
	/* The next event of the pair costs a look-up: no file read, no naming, nothing said. */
	ctsource__stats(cs, &st);
	ASSERT_EQ(st.proc_reads, 1);
	ASSERT_EQ(st.namings, 1);
	ASSERT_TRUE(ctsource__event(cs, &h, t + 1) == s);
	ctsource__stats(cs, &st);
	ASSERT_EQ(st.proc_reads, 1);
	ASSERT_EQ(st.namings, 1);
	ASSERT_EQ(cgroups_said, 2);
	ASSERT_EQ(containers_said, 1);

	/* A process gone (or one that moved since): the walk finds the id. Its container's state is not there. */
	h = hdr(999, ino("cg2/docker/" OTHER_ID), ino("cg1/system.slice"));
	s = ctsource__event(cs, &h, t + 2);
	ASSERT_STREQ(s->cgroup, "/docker/" OTHER_ID);
	if (ASSERT_TRUE(s->ct)) {
		ASSERT_STREQ(s->ct->info.id, OTHER_ID);
		ASSERT_FALSE(s->ct->named);
	}
	ASSERT_EQ(cgroups_said, 3);
	ASSERT_EQ(containers_said, 1);

	/* An id nothing knows: not settled, looked for again at most every 100 ms; settled after a while. */
	h = hdr(999, 0xdead0000ull, 0);
	s = ctsource__event(cs, &h, t + 3);
	ASSERT_TRUE(s->cgroup == NULL);
	ASSERT_FALSE(s->settled);
	s = ctsource__event(cs, &h, t + 3 + CTSOURCE_SETTLE_NS + 1);
	ASSERT_TRUE(s->settled);
	ASSERT_TRUE(s->ct == NULL);
out:
	ctsource__free(cs);
}

/*
 * A new container's first program: its runtime's processes in the new
 * cgroup exited first (gone from /proc) while no walk was due, so the
 * pair's paths were looked for and not found; the exec reads the exec'ing
 * process's cgroup file at once, not 100 ms later (the event would be
 * judged with no container, and a --pod filter would drop it).
 */
static void test_live_exec_learns_at_once(void)
{
	struct ctsource *cs = NULL;
	const struct ct_subject *s;
	char proc[128];
	struct pl_hdr h;
	__u64 t = SYNTH_BOOT_NS, cg2;

	snprintf(proc, sizeof(proc), "%s/proc", dir);
	if (!ASSERT_EQ(ctsource__new_live(&host, proc, state, &ops, &cs), 0))
		return;
	/* A gone process in a known cgroup: a walk now; the next one is not due for a while. */
	h = hdr(998, ino("cg2/docker/" DOCKER_ID), 0);
	h.type = PL_EV_EXIT;
	s = ctsource__event(cs, &h, t);
	if (!ASSERT_TRUE(s) || !ASSERT_TRUE(s->cgroup))
		goto out;
	mkdirs("cg2/docker/" NEW_ID);
	cg2 = ino("cg2/docker/" NEW_ID);
	h = hdr(997, cg2, 0);
	h.type = PL_EV_EXIT;
	s = ctsource__event(cs, &h, t + 1);
	if (!ASSERT_TRUE(s) || !ASSERT_TRUE(s->cgroup == NULL)) /* the fixture's premise: no walk, no /proc */
		goto out;
	mkdirs("proc/101");
	put("proc/101/cgroup", "0::/docker/" NEW_ID "\n");
	h = hdr(101, cg2, 0);
	s = ctsource__event(cs, &h, t + 2);
	if (ASSERT_TRUE(s) && ASSERT_TRUE(s->cgroup)) {
		ASSERT_STREQ(s->cgroup, "/docker/" NEW_ID);
		if (ASSERT_TRUE(s->ct))
			ASSERT_STREQ(s->ct->info.id, NEW_ID);
	}
out:
	ctsource__free(cs);
}

/* A scan: each process's ids from its cgroup file; gone ones left out. */
static void test_live_scan(void)
{
	struct proc_snapshot v[2] = { { .pid = 100 }, { .pid = 4321 } };
	struct ct_proc_ids *ids = NULL;
	struct ctsource *cs = NULL;
	char proc[128];
	long n;

	snprintf(proc, sizeof(proc), "%s/proc", dir);
	if (!ASSERT_EQ(ctsource__new_live(&host, proc, state, &ops, &cs), 0))
		return;
	containers_said = 0;
	n = ctsource__scan(cs, v, 2, SYNTH_BOOT_NS, &ids);
	if (ASSERT_EQ(n, 1)) {
		ASSERT_EQ(ids[0].pid, 100);
		ASSERT_EQ(ids[0].cgroup_id, ino("cg2/docker/" DOCKER_ID));
		ASSERT_EQ(ids[0].cgroup1_id, ino("cg1/system.slice"));
	}
	ASSERT_EQ(containers_said, 1); /* named at the scan: said (at the session's first poll) */
	free(ids);
	ctsource__free(cs);
}

/* Replaying: the records teach the registry; a scan's pids go to the model; a container said once. */
static void test_replay_records(void)
{
	_Alignas(8) unsigned char cg[sizeof(struct rec_cgroup) + 8 + 128];
	struct rec_cgroup *c = (void *)cg;
	__u32 pids[2] = { 10, 11 };
	struct ct_info ci = { .runtime = CT_RT_DOCKER, .kind = CT_KIND_CONTAINER };
	_Alignas(8) char kv[1024];
	const char *path = "/docker/" DOCKER_ID;
	struct model_config mc = {};
	struct model *m = model__new(&mc);
	struct ctsource *cs = NULL;
	struct proc_snapshot snap[2] = { { .pid = 10, .ppid = 1, .comm = "a" }, { .pid = 11, .ppid = 10, .comm = "b" } };
	struct rec_item it = { .kind = REC_CGROUP, .body = cg, .ts = 5 };
	size_t n;

	if (!ASSERT_TRUE(m) || !ASSERT_EQ(ctsource__new_replay(&ops, &cs), 0))
		goto out;
	model__reconcile(m, snap, 2, 1, NULL);
	*c = (struct rec_cgroup){ .ts = 5, .id = 77, .hier = REC_CG_V1, .npids = 2, .path_len = strlen(path) };
	memcpy(c->data, pids, sizeof(pids));
	memcpy(c->data + sizeof(pids), path, strlen(path));
	it.len = sizeof(*c) + sizeof(pids) + strlen(path);
	ctsource__replay(cs, &it, m);
	ASSERT_EQ(model__find(m, 10)->cgroup1_id, 77);
	ASSERT_EQ(model__find(m, 11)->cgroup1_id, 77);
	ASSERT_EQ(model__find(m, 10)->cgroup_id, 0);
	ASSERT_STREQ(ctreg__path(ctsource__registry(cs), CTREG_V1, 77), path);
	/* A scan the session did not apply (m NULL): the paths, not the pids. */
	c->id = 78;
	ctsource__replay(cs, &it, NULL);
	ASSERT_EQ(model__find(m, 10)->cgroup1_id, 77);
	/* A container: said once, the same again said nothing. */
	containers_said = 0;
	snprintf(ci.id, sizeof(ci.id), DOCKER_ID);
	snprintf(ci.name, sizeof(ci.name), "web");
	memset(kv, 0, 8);
	n = rec_container__encode(path, &ci, kv + 8, sizeof(kv) - 8);
	it = (struct rec_item){ .kind = REC_CONTAINER, .body = kv, .len = n + 8, .ts = 6 };
	ctsource__replay(cs, &it, m);
	ctsource__replay(cs, &it, m);
	ASSERT_EQ(containers_said, 1);
	ASSERT_STREQ(last_container, "web");
	ASSERT_STREQ(ctreg__subject(ctsource__registry(cs), 0, 77)->ct->info.name, "web");
out:
	ctsource__free(cs);
	model__free(m);
}

int main(void)
{
	char cmd[128];

	tl_init("unit/ctsource");
	if (!fixture()) {
		printf("FAIL unit/ctsource/fixture: cannot make %s\n", dir);
		return 1;
	}
	RUN_TEST(test_live_event);
	RUN_TEST(test_live_exec_learns_at_once);
	RUN_TEST(test_live_scan);
	RUN_TEST(test_replay_records);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return tl_finish();
}
