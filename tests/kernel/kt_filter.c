// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Kernel-side filters: each subtest loads the programs with one filter set
 * and checks that everything that arrives (system-wide) passes it, and that
 * its own matching process does arrive.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktests.h"

static int child_exec(void *arg)
{
	execl((const char *)arg, "prog", NULL);
	return 127;
}

static int child_exit(void *arg)
{
	return *(int *)arg;
}

static int child_nobody_exec(void *arg)
{
	if (setgid(65534) || setuid(65534))
		return 126;
	execl("/bin/true", "true", NULL);
	return 127;
}

static bool pred_not_comm(const void *rec, const void *arg)
{
	const struct pl_hdr *h = rec;

	if (!strncmp(h->comm, arg, PL_COMM_LEN))
		return false;
	return !(h->type == PL_EV_SIGNAL && !strncmp(((const struct pl_signal *)rec)->target_comm, arg, PL_COMM_LEN));
}

static int copy_file(const char *from, const char *to)
{
	struct stat st;
	int in = open(from, O_RDONLY), out, r = -1;

	if (in < 0 || fstat(in, &st))
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out >= 0) {
		r = sendfile(out, in, NULL, st.st_size) == st.st_size ? 0 : -1;
		close(out);
	}
	close(in);
	return r;
}

void test_filter_comm(void)
{
	struct tracer_config cfg = harness__default_config();
	char dir[] = "/tmp/plfilter-XXXXXX", prog[64];
	const struct pl_exec *e;
	pid_t a, b;
	int st;

	if (!mkdtemp(dir)) {
		FAILF("mkdtemp");
		return;
	}
	snprintf(prog, sizeof(prog), "%s/plkfilter", dir);
	if (copy_file("/bin/true", prog)) {
		FAILF("copy /bin/true");
		return;
	}
	cfg.comm = "plkfilter";
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		return;
	a = spawn(child_exec, prog);
	b = spawn(child_exec, "/bin/true");
	st = wait_status(a);
	ASSERT_EQ(wait_status(b), 0);
	e = harness__wait(PL_EV_EXEC, a, NULL, NULL);
	if (ASSERT_TRUE(e))
		ASSERT_STREQ(e->h.comm, "plkfilter");
	if (ASSERT_TRUE(harness__wait(PL_EV_EXIT, a, NULL, NULL)))
		ASSERT_EQ(((const struct pl_exit *)harness__find(PL_EV_EXIT, a, NULL, NULL))->status, st);
	harness__drain(100);
	ASSERT_EQ(harness__count(0, b, NULL, NULL), 0);
	ASSERT_EQ(harness__count(0, 0, pred_not_comm, "plkfilter"), 0);
	check_nothing_lost();
	unlink(prog);
	rmdir(dir);
}

static bool pred_not_uid(const void *rec, const void *arg)
{
	const struct pl_hdr *h = rec;
	__u32 uid = *(const __u32 *)arg;

	if (h->uid == uid)
		return false;
	return !(h->type == PL_EV_SIGNAL && ((const struct pl_signal *)rec)->target_uid == uid);
}

void test_filter_uid(void)
{
	struct tracer_config cfg = harness__default_config();
	__u32 nobody = 65534;
	const struct pl_exec *e;
	pid_t a, b;

	cfg.by_uid = true;
	cfg.uid = nobody;
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		return;
	a = spawn(child_nobody_exec, NULL);
	b = spawn(child_exec, "/bin/true");
	ASSERT_EQ(wait_status(a), 0);
	ASSERT_EQ(wait_status(b), 0);
	e = harness__wait(PL_EV_EXEC, a, NULL, NULL);
	if (ASSERT_TRUE(e))
		ASSERT_EQ(e->h.uid, nobody);
	harness__drain(100);
	ASSERT_EQ(harness__count(0, b, NULL, NULL), 0);
	ASSERT_EQ(harness__count(0, 0, pred_not_uid, &nobody), 0);
	check_nothing_lost();
}

static bool pred_not_failure(const void *rec, const void *arg)
{
	const struct pl_hdr *h = rec;

	switch (h->type) {
	case PL_EV_EXEC_FAILED:
		return false;
	case PL_EV_EXIT:
		return ((const struct pl_exit *)rec)->status == 0;
	case PL_EV_SIGNAL: {
		/* Not queued, unless dropped because ignoring is its default (SIGCHLD, SIGURG, SIGWINCH). */
		const struct pl_signal *s = rec;
		bool default_ignored = s->sig == SIGCHLD || s->sig == SIGURG || s->sig == SIGWINCH;

		return s->result == PL_SIG_DELIVERED || (s->result == PL_SIG_IGNORED && default_ignored);
	}
	default:
		return true;
	}
}

void test_filter_failed(void)
{
	struct tracer_config cfg = harness__default_config();
	int zero = 0, three = 3, st;
	const struct pl_exit *x;
	pid_t ok, bad, exec_ok, exec_bad;

	cfg.failed_only = true;
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		return;
	/*
	 * One child at a time: on a 7.x kernel, whose BPF programs run preemptible, an exit
	 * that reaches the exit program while another task on its CPU is inside it gets no
	 * run (a recursion miss, counted as lost; two fresh-clone runs lost an exit so).
	 */
	ok = spawn(child_exit, &zero);
	ASSERT_EQ(wait_status(ok), 0);
	bad = spawn(child_exit, &three);
	st = wait_status(bad);
	exec_ok = spawn(child_exec, "/bin/true");
	ASSERT_EQ(wait_status(exec_ok), 0);
	exec_bad = spawn(child_exec, "/nonexistent/plfailed");
	ASSERT_EQ(wait_status(exec_bad), 127 << 8);
	x = harness__wait(PL_EV_EXIT, bad, NULL, NULL);
	if (ASSERT_TRUE(x))
		ASSERT_EQ(x->status, st);
	ASSERT_TRUE(harness__wait(PL_EV_EXEC_FAILED, exec_bad, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, exec_bad, NULL, NULL)); /* exit 127 */
	harness__drain(100);
	ASSERT_EQ(harness__count(0, ok, NULL, NULL), 0);
	ASSERT_EQ(harness__count(0, exec_ok, NULL, NULL), 0);
	ASSERT_EQ(harness__count(0, 0, pred_not_failure, NULL), 0);
	check_nothing_lost();
}

static bool pred_not_exec(const void *rec, const void *arg)
{
	return ((const struct pl_hdr *)rec)->type != PL_EV_EXEC;
}

void test_filter_events(void)
{
	struct tracer_config cfg = harness__default_config();
	pid_t a;

	cfg.events = PL_EV_BIT(PL_EV_EXEC);
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		return;
	a = spawn(child_exec, "/bin/true");
	ASSERT_EQ(wait_status(a), 0);
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, a, NULL, NULL));
	harness__drain(100);
	ASSERT_EQ(harness__count(0, 0, pred_not_exec, NULL), 0);
	check_nothing_lost();
}

static int child_exec_true_quiet(void *arg)
{
	execl("/bin/true", "true", NULL);
	return 127;
}

/*
 * Nothing lost silently: with a one-page ring buffer that nobody drains,
 * most of 40 execs cannot be queued; each one either arrives or is counted.
 */
void test_lost_counted(void)
{
	struct tracer_config cfg = harness__default_config();
	int n = 40, got = 0;
	unsigned long long lost;
	pid_t pids[40];

	cfg.events = PL_EV_BIT(PL_EV_EXEC);
	cfg.ringbuf_bytes = 4096;
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		return;
	for (int i = 0; i < n; i++)
		pids[i] = spawn(child_exec_true_quiet, NULL);
	for (int i = 0; i < n; i++)
		ASSERT_EQ(wait_status(pids[i]), 0);
	lost = harness__lost(); /* read before draining: what the full buffer refused */
	harness__drain(50);
	for (int i = 0; i < n; i++)
		got += harness__count(PL_EV_EXEC, pids[i], NULL, NULL) == 1;
	ASSERT_GE(lost, 1);
	/* Other processes may have taken some of the page, never more than was lost. */
	ASSERT_GE(got + lost, (unsigned long long)n);
	ASSERT_GE(n - got, 1);
}

#define STORM 2000

/*
 * Followed in the kernel: P waits until it is followed, then forks STORM
 * children as fast as it can, a grandchild, and a setsid double-fork daemon.
 * Every one of them is seen exactly once; an unrelated process never is.
 */
static int child_followed(void *arg)
{
	int *fds = arg; /* [0] read "go", [1] write pids */
	pid_t d;
	int go = read_int(fds[0]);

	if (go != 1)
		return 100;
	for (int i = 0; i < STORM; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(i & 0xff);
		if (c < 0)
			return 101;
	}
	while (wait(NULL) > 0)
		;
	d = fork();
	if (d == 0) {
		setsid();
		if (fork() == 0) {
			write_int(fds[1], getpid()); /* the daemon */
			execl("/bin/sleep", "sleep", "0.2", NULL);
			_exit(127);
		}
		_exit(0);
	}
	waitpid(d, NULL, 0);
	return 0;
}

static int child_stranger(void *arg)
{
	pid_t c = fork();

	if (c == 0) {
		execl("/bin/true", "true", "stranger", NULL);
		_exit(127);
	}
	waitpid(c, NULL, 0);
	return 0;
}

static bool pred_not_followed(const void *rec, const void *arg)
{
	const struct pl_hdr *h = rec;
	pid_t stranger = *(const pid_t *)arg;

	return h->pid == (__u32)stranger || h->ppid == (__u32)stranger;
}

/*
 * The int P writes on fd once it is through its STORM forks: however long
 * they take (an emulated VM, a loaded host), as long as they go on. The
 * ring buffer is drained meanwhile; each new fork event of P is progress;
 * WAIT_MS without one (or P gone without a word) is a failure: -1.
 */
static int read_int_while_forking(int fd, pid_t p)
{
	long long last = -1, quiet_since = 0;
	struct timespec now;

	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int n, v;

		if (poll(&pf, 1, 20) == 1)
			return read(fd, &v, sizeof(v)) == sizeof(v) ? v : -1;
		harness__drain(20);
		n = harness__count(PL_EV_FORK, p, NULL, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (n != last) {
			last = n;
			quiet_since = now.tv_sec * 1000ll + now.tv_nsec / 1000000;
		} else if (now.tv_sec * 1000ll + now.tv_nsec / 1000000 - quiet_since > WAIT_MS) {
			FAILF("P made no progress for %d ms: %lld of its %d forks seen", WAIT_MS, last, STORM + 1);
			return -1;
		}
	}
}

void test_follow_in_kernel(void)
{
	struct tracer_config cfg = harness__default_config();
	int to_child[2], from_child[2], st, daemon_pid, nforks, nexits;
	pid_t p, stranger;

	cfg.follow = true;
	cfg.threads = false;
	if (!ASSERT_EQ(harness__start(&cfg), 0))
		return;
	if (pipe(to_child) || pipe(from_child)) {
		FAILF("pipe");
		return;
	}
	{
		int fds[2] = { to_child[0], from_child[1] };

		p = spawn(child_followed, fds);
	}
	close(to_child[0]);
	close(from_child[1]);
	ASSERT_EQ(harness__follow(p), 0);
	stranger = spawn(child_stranger, NULL);
	write_int(to_child[1], 1);
	daemon_pid = read_int_while_forking(from_child[0], p);
	st = wait_status(p);
	ASSERT_EQ(st, 0);
	ASSERT_EQ(wait_status(stranger), 0);
	close(to_child[1]);
	close(from_child[0]);
	ASSERT_GE(daemon_pid, 1);
	/* The daemon (setsid, double fork, adopted by init) is still followed: its exec and exit. */
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, daemon_pid, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, daemon_pid, NULL, NULL));
	/*
	 * All of them come (an emulated VM takes its time), then nothing more.
	 * Each is seen exactly once, or counted lost: a kernel that runs BPF
	 * programs preemptible (7.x) skips a program that another task on
	 * the same CPU was preempted in, and proclife counts that (recursion
	 * misses); on most runs and kernels nothing is lost.
	 */
	harness__wait_count(PL_EV_FORK, p, NULL, NULL, STORM + 1 - harness__lost_of(PL_EV_FORK));
	harness__wait_count(PL_EV_EXIT, 0, NULL, NULL, STORM + 3 - harness__lost_of(PL_EV_EXIT));
	harness__drain(100);
	nforks = harness__count(PL_EV_FORK, p, NULL, NULL);
	ASSERT_EQ(nforks + harness__lost_of(PL_EV_FORK), STORM + 1);
	nexits = harness__count(PL_EV_EXIT, 0, NULL, NULL);
	/* STORM children + the setsid middle + the daemon + P itself. */
	ASSERT_EQ(nexits + harness__lost_of(PL_EV_EXIT), STORM + 3);
	/* A process whose exit was lost has no reap either: proclife never saw it become a zombie. */
	ASSERT_GE(harness__count(PL_EV_REAP, 0, NULL, NULL) + harness__lost_of(PL_EV_EXIT) + harness__lost_of(PL_EV_REAP),
		  STORM + 1);
	/* The stranger and its child: nothing at all. */
	ASSERT_EQ(harness__count(0, 0, pred_not_followed, &stranger), 0);
	ASSERT_EQ(harness__malformed(), 0);
	ASSERT_EQ(harness__lost() - harness__lost_of(PL_EV_FORK) - harness__lost_of(PL_EV_EXIT) -
			  harness__lost_of(PL_EV_REAP),
		  0);
}
