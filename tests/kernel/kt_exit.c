// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* fork, exit and reap: every field against getpid(), waitpid(), /proc. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktests.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

static void self_comm(char *buf, size_t n)
{
	FILE *f = fopen("/proc/self/comm", "r");

	buf[0] = '\0';
	if (f) {
		if (fgets(buf, n, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

static __u64 ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The cgroup v2 id of this process is the inode of its cgroup directory. */
static __u64 self_cgroup_id(void)
{
	char line[512], path[600];
	struct statfs sfs;
	FILE *f;
	__u64 id = 0;

	if (statfs("/sys/fs/cgroup", &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return 0;
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
			id = ino_of(path);
		}
	}
	fclose(f);
	return id;
}

static bool pred_child(const void *rec, const void *arg)
{
	return ((const struct pl_fork *)rec)->child_pid == (__u32) * (const pid_t *)arg;
}

static bool pred_tid(const void *rec, const void *arg)
{
	return ((const struct pl_hdr *)rec)->tid == (__u32) * (const pid_t *)arg;
}

/* The exit event of pid equals what waitpid() returned, once; its reap names us. */
void check_exit_and_reap(pid_t pid, int wstatus)
{
	const struct pl_exit *e;
	const struct pl_reap *r;

	e = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (!ASSERT_TRUE(e))
		return;
	ASSERT_EQ(e->status, wstatus);
	r = harness__wait(PL_EV_REAP, pid, NULL, NULL);
	if (ASSERT_TRUE(r)) {
		ASSERT_EQ(r->status, wstatus);
		ASSERT_EQ(r->reaper_pid, getpid());
		ASSERT_EQ(r->reaper_tid, gettid());
		ASSERT_EQ(r->h.flags, PL_F_REAP_WAIT);
		ASSERT_EQ(r->exit_ts, e->h.ts);
		ASSERT_GE(r->h.ts, e->h.ts);
	}
	harness__drain(20);
	ASSERT_EQ(harness__count(PL_EV_EXIT, pid, pred_process_exit, NULL), 1);
	ASSERT_EQ(harness__count(PL_EV_REAP, pid, NULL, NULL), 1);
}

static int child_exec_true(void *arg)
{
	execl("/bin/true", "true", NULL);
	return 127;
}

void test_fork_exec_exit_fields(void)
{
	pid_t me = getpid(), pid;
	const struct pl_fork *f;
	const struct pl_exec *e;
	const struct pl_exit *x;
	char comm[32];
	__u64 cg = self_cgroup_id();
	int st;

	harness__clear();
	self_comm(comm, sizeof(comm));
	pid = spawn(child_exec_true, NULL);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);

	f = harness__wait(PL_EV_FORK, me, pred_child, &pid);
	if (ASSERT_TRUE(f)) {
		ASSERT_EQ(f->child_tid, pid);
		ASSERT_EQ(f->h.flags, 0);
		ASSERT_EQ(f->h.tid, gettid());
		ASSERT_EQ(f->h.ppid, getppid());
		ASSERT_EQ(f->h.uid, getuid());
		ASSERT_EQ(f->h.gid, getgid());
		ASSERT_STREQ(f->h.comm, comm);
		ASSERT_EQ(f->h.pidns, ino_of("/proc/self/ns/pid"));
		ASSERT_EQ(f->h.ns_pid, me);
		if (cg)
			ASSERT_EQ(f->h.cgroup_id, cg);
	}
	e = harness__wait(PL_EV_EXEC, pid, NULL, NULL);
	if (ASSERT_TRUE(e)) {
		size_t n;
		const char *fn = event__filename(e, &n);
		const char *argv[4];
		size_t lens[4];

		ASSERT_STREQ(fn, "/bin/true");
		ASSERT_EQ(exec_argv(e, argv, lens, 4), 1);
		ASSERT_EQ(lens[0], 4);
		ASSERT_MEMEQ(argv[0], "true", 4);
		ASSERT_EQ(e->argc, 1);
		ASSERT_EQ(e->h.flags, 0);
		ASSERT_EQ(e->h.ppid, me);
		ASSERT_EQ(e->h.tid, pid);
		ASSERT_EQ(e->old_tid, pid);
		ASSERT_STREQ(e->h.comm, "true");
		ASSERT_EQ(e->h.ns_pid, pid);
		if (f) {
			ASSERT_EQ(e->h.start_ns, f->child_start_ns);
			ASSERT_GE(e->h.ts, f->h.ts);
		}
		if (cg)
			ASSERT_EQ(e->h.cgroup_id, cg);
	}
	x = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (ASSERT_TRUE(x)) {
		ASSERT_EQ(x->h.ppid, me);
		ASSERT_EQ(x->h.tid, pid);
		ASSERT_STREQ(x->h.comm, "true");
		if (e)
			ASSERT_GE(x->h.ts, e->h.ts);
	}
	check_exit_and_reap(pid, st);
	{
		const struct pl_reap *r = harness__find(PL_EV_REAP, pid, NULL, NULL);
		if (r)
			ASSERT_STREQ(r->reaper_comm, comm);
	}
	check_nothing_lost();
}

static int child_exit_code(void *arg)
{
	return *(int *)arg;
}

void test_exit_codes(void)
{
	static int codes[] = { 0, 3, 255 };

	harness__clear();
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = spawn(child_exit_code, &codes[i]);
		int st = wait_status(pid);

		ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == codes[i]);
		check_exit_and_reap(pid, st);
	}
	check_nothing_lost();
}

static int child_pause(void *arg)
{
	for (;;)
		pause();
	return 0;
}

void test_exit_by_signal(void)
{
	static int sigs[] = { SIGTERM, SIGKILL };

	harness__clear();
	for (size_t i = 0; i < 2; i++) {
		pid_t pid = spawn(child_pause, NULL);
		const struct pl_signal *s;
		const struct pl_deliver *d;
		int st;

		kill(pid, sigs[i]);
		st = wait_status(pid);
		ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i]);
		check_exit_and_reap(pid, st);

		s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
		if (ASSERT_TRUE(s)) {
			ASSERT_EQ(s->sig, sigs[i]);
			ASSERT_EQ(s->result, PL_SIG_DELIVERED);
			ASSERT_EQ(s->info_code, 0); /* SI_USER: kill() */
			ASSERT_EQ(s->info_pid, getpid());
			ASSERT_EQ(s->target_tid, pid);
			ASSERT_EQ(s->h.flags, PL_F_GROUP);
		}
		/* The fatal signal, taken by default, once (at the leader). */
		d = harness__wait(PL_EV_DELIVER, pid, pred_sig, &sigs[i]);
		if (ASSERT_TRUE(d)) {
			ASSERT_EQ(d->action, PL_ACT_DEFAULT);
			ASSERT_EQ(d->h.flags, PL_F_GROUP_EXIT);
		}
		ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, NULL, NULL), 1);
	}
	check_nothing_lost();
}

static int child_segv(void *arg)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_CORE, &rl);
	if (chdir((const char *)arg))
		return 100;
	*(volatile int *)0 = 1;
	return 0;
}

static void rm_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void test_exit_segv_core(void)
{
	char dir[] = "/tmp/proclife-core-XXXXXX", pattern[256] = "";
	const struct pl_signal *s;
	int segv = SIGSEGV, st;
	FILE *f;
	pid_t pid;

	harness__clear();
	if (!mkdtemp(dir)) {
		FAILF("mkdtemp");
		return;
	}
	f = fopen("/proc/sys/kernel/core_pattern", "r");
	if (f) {
		if (!fgets(pattern, sizeof(pattern), f))
			pattern[0] = '\0';
		fclose(f);
	}
	pid = spawn(child_segv, dir);
	st = wait_status(pid);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	/* With a plain core_pattern the dump lands in the child's cwd. */
	if (pattern[0] != '|')
		ASSERT_TRUE(WCOREDUMP(st));
	check_exit_and_reap(pid, st);
	s = harness__wait(PL_EV_SIGNAL, pid, pred_sig, &segv);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->target_pid, pid);
		ASSERT_EQ(s->info_code, 1); /* SEGV_MAPERR: a fault, from the kernel */
		ASSERT_EQ(s->result, PL_SIG_DELIVERED);
	}
	rm_dir(dir);
	check_nothing_lost();
}

static bool task_is_zombie(pid_t pid, pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool z = false;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return true; /* gone entirely */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		z = p[2] == 'Z';
	fclose(f);
	return z;
}

enum { LAST_EXITS_7, LAST_WAITS_FOR_KILL, LAST_RETURNS };
static int last_mode; /* set before forking: the child has its own copy */
static int last_fd;

static void *last_thread(void *arg)
{
	pid_t leader = getpid();

	/* Bounded wait until the leader has exited and is a zombie thread. */
	for (int i = 0; i < 2500 && !task_is_zombie(leader, leader); i++)
		usleep(2000);
	write_int(last_fd, gettid());
	if (last_mode == LAST_EXITS_7)
		exit(7);
	if (last_mode == LAST_WAITS_FOR_KILL)
		for (;;)
			pause();
	return NULL; /* glibc ends the process with exit(0) after the last thread */
}

static int child_leader_first(void *arg)
{
	pthread_t t;

	last_fd = *(int *)arg;
	if (pthread_create(&t, NULL, last_thread, NULL))
		return 101;
	pthread_exit(NULL);
}

static void leader_first(int mode)
{
	const struct pl_exit *e, *lx;
	int fd, st, tid;
	pid_t pid;

	harness__clear();
	last_mode = mode;
	pid = spawn_piped(child_leader_first, &fd);
	tid = read_int(fd);
	close(fd);
	ASSERT_GE(tid, 1);
	if (mode == LAST_WAITS_FOR_KILL)
		kill(pid, SIGKILL);
	st = wait_status(pid);
	check_exit_and_reap(pid, st);
	e = harness__find(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (e)
		ASSERT_EQ(e->h.tid, tid); /* reported when the last thread went */
	/* The leader's own exit came first, as a thread exit. */
	lx = harness__wait(PL_EV_EXIT, pid, pred_tid, &pid);
	if (ASSERT_TRUE(lx)) {
		ASSERT_EQ(lx->h.flags, PL_F_THREAD);
		ASSERT_EQ(lx->status, 0);
		if (e)
			ASSERT_GE(e->h.ts, lx->h.ts);
	}
	check_nothing_lost();
}

void test_leader_exits_first(void)
{
	leader_first(LAST_EXITS_7);
}

void test_leader_first_killed(void)
{
	leader_first(LAST_WAITS_FOR_KILL);
}

void test_leader_first_last_returns(void)
{
	leader_first(LAST_RETURNS);
}

static void *report_tid(void *arg)
{
	write_int(*(int *)arg, gettid());
	return NULL;
}

static int child_one_thread(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, report_tid, arg) || pthread_join(t, NULL))
		return 101;
	return 0;
}

void test_thread_fork_and_exit(void)
{
	const struct pl_fork *f;
	const struct pl_exit *x;
	int fd, st, tid;
	pid_t pid;

	harness__clear();
	pid = spawn_piped(child_one_thread, &fd);
	tid = read_int(fd);
	close(fd);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	f = harness__wait(PL_EV_FORK, pid, pred_thread, NULL);
	if (ASSERT_TRUE(f)) {
		ASSERT_EQ(f->child_pid, pid);
		ASSERT_EQ(f->child_tid, tid);
		ASSERT_EQ(f->h.tid, pid);
	}
	x = harness__wait(PL_EV_EXIT, pid, pred_tid, &tid);
	if (ASSERT_TRUE(x)) {
		ASSERT_EQ(x->h.flags, PL_F_THREAD);
		ASSERT_EQ(x->status, 0);
	}
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

static int child_autoreap(void *arg)
{
	int fd = *(int *)arg;
	pid_t g;

	signal(SIGCHLD, SIG_IGN);
	g = fork();
	if (g == 0)
		_exit(5);
	write_int(fd, g);
	/* With SIGCHLD ignored, waitpid returns ECHILD once the kernel reaped it. */
	while (waitpid(g, NULL, 0) >= 0 || errno == EINTR)
		;
	return 0;
}

void test_reap_auto(void)
{
	const struct pl_reap *r;
	const struct pl_exit *x, *xp;
	int fd, g, st;
	pid_t pid;

	harness__clear();
	pid = spawn_piped(child_autoreap, &fd);
	g = read_int(fd);
	close(fd);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	x = harness__wait(PL_EV_EXIT, g, pred_process_exit, NULL);
	if (ASSERT_TRUE(x))
		ASSERT_EQ(x->status, 5 << 8);
	/*
	 * No signal tells the parent: g's exit goes out at once, not at its
	 * release (an RCU grace period after the reap, so after the parent saw
	 * ECHILD and exited itself).
	 */
	xp = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (ASSERT_TRUE(x) && ASSERT_TRUE(xp))
		ASSERT_GE(harness__index(xp), harness__index(x) + 1);
	r = harness__wait(PL_EV_REAP, g, NULL, NULL);
	if (ASSERT_TRUE(r)) {
		ASSERT_EQ(r->h.flags, PL_F_REAP_AUTO);
		ASSERT_EQ(r->reaper_pid, 0);
		ASSERT_EQ(r->status, 5 << 8);
		ASSERT_EQ(r->h.ppid, pid);
	}
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

static int child_newns(void *arg)
{
	int fd = *(int *)arg;
	pid_t g;
	int st;

	if (unshare(CLONE_NEWPID))
		return 102;
	g = fork();
	if (g == 0) {
		execl("/bin/true", "true", "in-ns", NULL);
		_exit(127);
	}
	/* pid_for_children names the new namespace only once its first process exists. */
	write_int(fd, (int)ino_of("/proc/self/ns/pid_for_children"));
	write_int(fd, g);
	return waitpid(g, &st, 0) == g && st == 0 ? 0 : 103;
}

void test_pid_namespace(void)
{
	const struct pl_exec *e;
	int fd, ns, g, st;
	pid_t pid;

	harness__clear();
	pid = spawn_piped(child_newns, &fd);
	ns = read_int(fd);
	g = read_int(fd);
	close(fd);
	st = wait_status(pid);
	if (st == 102 << 8) {
		TEST_SKIP("unshare(CLONE_NEWPID) refused here");
		return;
	}
	ASSERT_EQ(st, 0);
	e = harness__wait(PL_EV_EXEC, g, NULL, NULL);
	if (ASSERT_TRUE(e)) {
		ASSERT_EQ(e->h.ns_pid, 1); /* the init of its new namespace */
		ASSERT_EQ(e->h.pidns, (__u32)ns);
		ASSERT_EQ(e->h.ppid, pid);
	}
	check_nothing_lost();
}

static __u32 proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	unsigned ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %u", &ppid);
	fclose(f);
	return ppid;
}

static bool subreaper_mode;

/* P (a subreaper or not) forks M, M forks G and exits: who adopts G? */
static int child_orphan_maker(void *arg)
{
	int fd = *(int *)arg;
	pid_t mid;

	if (subreaper_mode && prctl(PR_SET_CHILD_SUBREAPER, 1))
		return 104;
	mid = fork();
	if (mid == 0) {
		pid_t g = fork();

		if (g == 0) {
			for (;;)
				pause();
		}
		write_int(fd, g);
		_exit(0);
	}
	waitpid(mid, NULL, 0);
	write_int(fd, mid);
	/* A subreaper reaps G when the test kills it; otherwise G is not ours. */
	while (subreaper_mode && (wait(NULL) >= 0 || errno == EINTR))
		;
	return 0;
}

static void orphan(bool subreaper)
{
	const struct pl_exit *x;
	int fd, g, mid, st;
	__u32 adopter;
	pid_t pid;

	harness__clear();
	subreaper_mode = subreaper;
	pid = spawn_piped(child_orphan_maker, &fd);
	g = read_int(fd);
	mid = read_int(fd);
	close(fd);
	/* Oracle: the kernel's own answer, once M is gone. */
	adopter = proc_ppid(g);
	if (subreaper)
		ASSERT_EQ(adopter, pid);
	x = harness__wait(PL_EV_EXIT, mid, pred_process_exit, NULL);
	if (ASSERT_TRUE(x)) {
		ASSERT_EQ(x->h.flags & PL_F_HAS_CHILDREN, PL_F_HAS_CHILDREN);
		ASSERT_EQ(x->new_parent, adopter);
	}
	kill(g, SIGKILL);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	/* A process that had no children says so. */
	x = harness__wait(PL_EV_EXIT, g, pred_process_exit, NULL);
	if (ASSERT_TRUE(x))
		ASSERT_EQ(x->h.flags & PL_F_HAS_CHILDREN, 0);
	check_nothing_lost();
}

void test_orphan_to_subreaper(void)
{
	orphan(true);
}

void test_orphan_to_init(void)
{
	orphan(false);
}

static int child_clone_parent(void *arg)
{
	int fd = *(int *)arg, order[2];
	char c;
	long g;

	/* The new process exits only once we have (our end of `order` closes
	 * with us): two exits at once can meet in the exit program on one CPU,
	 * and a 7.x kernel, whose BPF runs preemptible, then skips one run. */
	if (pipe(order))
		return 1;
	/* The new process's parent is our parent: the test. */
	g = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
	if (g == 0) {
		close(order[1]);
		while (read(order[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	write_int(fd, (int)g);
	return 0;
}

void test_fork_clone_parent(void)
{
	const struct pl_fork *f;
	int fd, g, st;
	pid_t pid;

	harness__clear();
	pid = spawn_piped(child_clone_parent, &fd);
	g = read_int(fd);
	close(fd);
	ASSERT_EQ(wait_status(pid), 0);
	st = wait_status(g); /* ours to reap: proof of who its parent is */
	ASSERT_EQ(st, 0);
	f = harness__wait(PL_EV_FORK, pid, pred_child, &g);
	if (ASSERT_TRUE(f)) {
		ASSERT_EQ(f->h.pid, pid);
		ASSERT_EQ(f->child_ppid, getpid());
	}
	check_exit_and_reap(g, st);
	check_nothing_lost();
}

static int child_rename(void *arg)
{
	return prctl(PR_SET_NAME, "pl-renamed") ? 1 : 0;
}

void test_rename(void)
{
	const struct pl_rename *r;
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	pid_t pid;

	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	harness__clear();
	pid = spawn(child_rename, NULL);
	ASSERT_EQ(wait_status(pid), 0);
	r = harness__wait(PL_EV_RENAME, pid, NULL, NULL);
	if (ASSERT_TRUE(r)) {
		ASSERT_STREQ(r->h.comm, comm); /* the old name */
		ASSERT_STREQ(r->new_comm, "pl-renamed");
	}
	/* An exec renames too, but that is the exec event's to say. */
	pid = spawn(child_exec_true, NULL);
	ASSERT_EQ(wait_status(pid), 0);
	harness__wait(PL_EV_EXIT, pid, NULL, NULL);
	ASSERT_EQ(harness__count(PL_EV_RENAME, pid, NULL, NULL), 0);
	check_nothing_lost();
}
