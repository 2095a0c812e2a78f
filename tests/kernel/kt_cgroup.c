// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Cgroups made here, as a container runtime makes them: a process moved
 * into a cgroup of the v2 hierarchy (and, on a v1 or hybrid host, one of
 * the v1 hierarchy events carry) in a pid namespace of its own. Its events
 * carry the cgroups' ids (their directories' inodes), the session resolves
 * them to the paths made (v2 below its root first, else v1), and the
 * in-kernel cgroup filter keeps, drops, or (not judged yet) passes a
 * subject's events by the verdict user space handed it, for a sender or
 * a target alike. On the kernel matrix's VMs, which mount cgroup2 only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/cgroups.h"
#include "session/ctsource.h"
#include "ktests.h"

struct cg_child {
	char v2[CG_PATH_MAX + 64];   /* the v2 cgroup to join ("": stay) */
	char v1[CG_PATH_MAX + 64];   /* the v1 one ("": stay) */
	bool newns;                  /* exec in a new pid namespace (as its init) */
	int go;                      /* read end: exec once told */
};

static int join(const char *dir)
{
	char procs[CG_PATH_MAX + 80], num[32];
	int fd, r;

	if (!dir[0])
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(num, sizeof(num), "%d", getpid());
	fd = open(procs, O_WRONLY);
	if (fd < 0)
		return -errno;
	r = write(fd, num, strlen(num)) == (ssize_t)strlen(num) ? 0 : -errno;
	close(fd);
	return r;
}

/* Joins its cgroups; then, told to, execs /bin/true (in a new pid namespace: as its init, forked). */
static int child_in_cgroups(void *arg)
{
	struct cg_child *c = arg;
	pid_t g;
	int st;

	if (join(c->v2) || join(c->v1))
		return 100;
	if (read_int(c->go) != 1)
		return 101;
	if (!c->newns) {
		execl("/bin/true", "true", "pl-cgroup", (char *)NULL);
		return 102;
	}
	if (unshare(CLONE_NEWPID))
		return 103;
	g = fork();
	if (g == 0) {
		execl("/bin/true", "true", "pl-cgroup-ns", (char *)NULL);
		_exit(104);
	}
	return g > 0 && waitpid(g, &st, 0) == g && st == 0 ? 0 : 105;
}

/* A cgroup made under a hierarchy's mount; its id (the directory's inode) and its path from the root. */
struct made {
	char dir[CG_PATH_MAX + 64];
	char path[CG_PATH_MAX];
	__u64 id;
};

static bool make(const struct cg_mount *mnt, const char *name, struct made *m)
{
	struct stat st;

	snprintf(m->dir, sizeof(m->dir), "%s/%s", mnt->dir, name);
	snprintf(m->path, sizeof(m->path), "%.*s/%.64s", strcmp(mnt->root, "/") ? (int)strnlen(mnt->root, 1024) : 0,
		 mnt->root, name);
	if (mkdir(m->dir, 0755) && errno != EEXIST)
		return false;
	if (stat(m->dir, &st))
		return false;
	m->id = st.st_ino;
	return true;
}

static void unmake(struct made *m)
{
	/* A cgroup is removed once its last process has left it: the children were waited for, their
	 * release may lag (an RCU grace period): retry for a while. */
	for (int i = 0; m->dir[0] && i < 200 && rmdir(m->dir) && errno == EBUSY; i++)
		usleep(10000);
}

/* The v1 cgroup this process is in (what its children inherit), as an id; 0 on a pure v2 host. */
static __u64 my_v1_id(void)
{
	const struct cg_host *h = harness__cgroups();
	struct cg_proc p;
	struct cg_idmap m;
	__u64 id = 0;

	if (!h->v1.dir[0] || cgroups__read_proc("/proc", getpid(), h, &p) || !p.has_v1 || cg_idmap__init(&m, &h->v1))
		return 0;
	cg_idmap__id(&m, p.v1, &id);
	cg_idmap__free(&m);
	return id;
}

static pid_t start(struct cg_child *c, int *go_w)
{
	int go[2];
	pid_t pid;

	if (pipe(go))
		return -1;
	c->go = go[0];
	pid = spawn(child_in_cgroups, c);
	close(go[0]);
	*go_w = go[1];
	return pid;
}

/* Not a signal to this suite. */
static bool pred_not_to_me(const void *rec, const void *arg)
{
	const struct pl_signal *s = rec;

	return s->h.type != PL_EV_SIGNAL || s->target_pid != (__u32)getpid();
}

/* An exec whose argv[1] is arg (a string). */
static bool pred_exec_arg(const void *rec, const void *arg)
{
	const char *argv[4];
	size_t lens[4];

	return exec_argv(rec, argv, lens, 4) >= 2 && lens[1] == strlen(arg) && !memcmp(argv[1], arg, lens[1]);
}

/* A subject is where its cgroups are: ids in the header, the paths made, v2 first, in a new pid namespace. */
void test_cgroup_ids_and_paths(void)
{
	const struct cg_host *h = harness__cgroups();
	struct made v2 = {}, v1 = {};
	struct cg_child a = { .newns = true }, b = {};
	struct ctsource *cs = NULL;
	const struct ct_subject *s;
	const struct pl_exec *e;
	char name[64];
	pid_t pa, pb, ga = 0;
	int wa = -1, wb = -1;

	snprintf(name, sizeof(name), "pl-kt-%d", getpid());
	if (!h->v2.dir[0]) {
		TEST_SKIP("no cgroup2 hierarchy mounted");
		return;
	}
	if (!make(&h->v2, name, &v2)) {
		TEST_SKIP("cannot make a cgroup under %s: %s", h->v2.dir, strerror(errno));
		return;
	}
	snprintf(a.v2, sizeof(a.v2), "%s", v2.dir);
	if (h->v1.dir[0] && make(&h->v1, name, &v1))
		snprintf(b.v1, sizeof(b.v1), "%s", v1.dir); /* b: the v1 cgroup alone, at the v2 root */
	harness__clear();
	pa = start(&a, &wa);
	pb = start(&b, &wb);
	write_int(wa, 1);
	write_int(wb, 1);
	ASSERT_EQ(wait_status(pa), 0);
	ASSERT_EQ(wait_status(pb), 0);
	close(wa);
	close(wb);
	if (!ASSERT_EQ(ctsource__new_live(h, "/proc", "", NULL, &cs), 0))
		goto out;
	/* a's child, the init of its new pid namespace, in the v2 cgroup made. */
	e = harness__wait(PL_EV_EXEC, 0, pred_exec_arg, "pl-cgroup-ns");
	if (ASSERT_TRUE(e)) {
		ga = e->h.pid;
		ASSERT_EQ(e->h.ns_pid, 1);
		ASSERT_EQ(e->h.ppid, pa);
		ASSERT_EQ(e->h.cgroup_id, v2.id);
		s = ctsource__event(cs, &e->h, e->h.ts);
		if (ASSERT_TRUE(s) && ASSERT_TRUE(s->cgroup)) {
			ASSERT_STREQ(s->cgroup, v2.path);
			ASSERT_TRUE(s->ct == NULL); /* no runtime's name: the host's */
		}
	}
	/* b: at the v2 root (this suite's cgroup, maybe), in the v1 cgroup made: that path identifies it. */
	e = harness__wait(PL_EV_EXEC, pb, NULL, NULL);
	if (ASSERT_TRUE(e) && v1.id) {
		ASSERT_EQ(e->h.cgroup1_id, v1.id);
		s = ctsource__event(cs, &e->h, e->h.ts);
		if (ASSERT_TRUE(s) && ASSERT_TRUE(s->cgroup))
			ASSERT_STREQ(s->v1, v1.path);
	}
	ASSERT_TRUE(ga > 0);
out:
	ctsource__free(cs);
	unmake(&v1);
	unmake(&v2);
	check_nothing_lost();
}

/*
 * The in-kernel filter: a pair kept shows, a pair dropped shows nothing (but
 * a signal a kept sender sends to it), a pair not judged passes.
 */
void test_cgroup_filter_in_kernel(void)
{
	const struct cg_host *h = harness__cgroups();
	struct tracer_config cfg = harness__default_config();
	struct made keep = {}, drop = {}, open_ = {};
	struct cg_child ck = {}, cd = {}, co = {};
	__u64 cg1 = my_v1_id();
	char name[64];
	pid_t pk, pd, po;
	int wk = -1, wd = -1, wo = -1;

	if (!h->v2.dir[0]) {
		TEST_SKIP("no cgroup2 hierarchy mounted");
		return;
	}
	snprintf(name, sizeof(name), "pl-kt-%d-keep", getpid());
	if (!make(&h->v2, name, &keep)) {
		TEST_SKIP("cannot make a cgroup under %s: %s", h->v2.dir, strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "pl-kt-%d-drop", getpid());
	make(&h->v2, name, &drop);
	snprintf(name, sizeof(name), "pl-kt-%d-open", getpid());
	make(&h->v2, name, &open_);
	cfg.cgroup_filter = true;
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		goto out;
	ASSERT_EQ(tracer__cgroup_verdict(harness__tracer(), keep.id, cg1, true), 0);
	ASSERT_EQ(tracer__cgroup_verdict(harness__tracer(), drop.id, cg1, false), 0);
	snprintf(ck.v2, sizeof(ck.v2), "%s", keep.dir);
	snprintf(cd.v2, sizeof(cd.v2), "%s", drop.dir);
	snprintf(co.v2, sizeof(co.v2), "%s", open_.dir);
	pk = start(&ck, &wk);
	pd = start(&cd, &wd);
	po = start(&co, &wo);
	/*
	 * One exec at a time: on a 7.x kernel, whose BPF programs run preemptible, a task that
	 * runs the exec program while another on its CPU is inside it gets no run at all (a
	 * recursion miss, counted as lost; a fresh-clone run lost pk's exec so, then po's).
	 */
	write_int(wk, 1);
	ASSERT_EQ(wait_status(pk), 0);
	write_int(wo, 1);
	ASSERT_EQ(wait_status(po), 0);
	/* This suite (not judged: it passes) signals the dropped one: the sender's pair lets it through. */
	usleep(1000);
	kill(pd, SIGCONT);
	write_int(wd, 1);
	ASSERT_EQ(wait_status(pd), 0);
	close(wk);
	close(wd);
	close(wo);
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, pk, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, pk, pred_process_exit, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, po, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, po, pred_process_exit, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pd));
	harness__drain(200);
	/*
	 * Nothing of the dropped one's own (no exec, exit, deliver; no reap: by its exit's ids), but
	 * the SIGCHLD its exit sent this suite, a target the filter lets through.
	 */
	ASSERT_EQ(harness__count(0, pd, pred_not_to_me, NULL), 0);
	ASSERT_EQ(harness__count(PL_EV_SIGNAL, pd, NULL, NULL), 1);
	ASSERT_EQ(harness__malformed(), 0);
out:
	harness__stop();
	unmake(&keep);
	unmake(&drop);
	unmake(&open_);
}
