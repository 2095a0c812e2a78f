// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Signals: generation and delivery for a handler, SIG_IGN and a blocked signal. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ktests.h"
#include "kernel/sigorigin.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = 1;
}

struct pipes {
	int to_parent[2];
	int to_child[2];
};

static int pipes_open(struct pipes *p)
{
	return pipe(p->to_parent) || pipe(p->to_child) ? -1 : 0;
}

static void pipes_parent_side(struct pipes *p)
{
	close(p->to_parent[1]);
	close(p->to_child[0]);
}

/* Fork fn with a pair of pipes; back once the child said it is ready (wrote 1). */
static pid_t spawn_ready(int (*fn)(void *), struct pipes *p)
{
	pid_t pid;

	if (pipes_open(p)) {
		FAILF("pipe");
		return -1;
	}
	pid = spawn(fn, p);
	pipes_parent_side(p);
	if (!ASSERT_EQ(read_int(p->to_parent[0]), 1)) {
		kill(pid, SIGKILL);
		wait_status(pid);
		return -1;
	}
	return pid;
}

static void pipes_close(struct pipes *p)
{
	close(p->to_parent[0]);
	close(p->to_child[1]);
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static long long proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %lld", &v);
	fclose(f);
	return v;
}

/* "ShdPnd:" or "SigBlk:" of /proc/PID/status as a mask. */
static unsigned long long proc_sigmask(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long v = 0;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n))
			v = strtoull(line + n + 1, NULL, 16);
	fclose(f);
	return v;
}

static int child_pause_forever(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static int child_handler(void *arg)
{
	struct pipes *p = arg;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, empty;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	write_int(p->to_parent[1], 1);
	while (!got)
		sigsuspend(&empty); /* no lost wakeup: unblocked only while waiting */
	return 0;
}

void test_signal_handled(void)
{
	int usr1 = SIGUSR1, st;
	const struct pl_signal *s;
	const struct pl_deliver *d;
	long long start_ticks;
	struct pipes p;
	pid_t pid;

	harness__clear();
	pid = spawn_ready(child_handler, &p);
	if (pid < 0)
		return;
	start_ticks = proc_starttime(pid);
	kill(pid, SIGUSR1);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	pipes_close(&p);

	s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->sig, SIGUSR1);
		ASSERT_EQ(s->result, PL_SIG_DELIVERED);
		ASSERT_EQ(s->info_code, 0); /* SI_USER */
		ASSERT_EQ(s->info_pid, getpid());
		ASSERT_EQ(s->info_uid, getuid());
		ASSERT_EQ(s->target_tid, pid);
		ASSERT_EQ(s->target_uid, getuid());
		ASSERT_EQ(s->h.flags, PL_F_GROUP);
		ASSERT_EQ(s->h.tid, gettid());
		ASSERT_EQ(s->disposition, PL_ACT_HANDLER);
		ASSERT_EQ(s->syscall, PL_SYS_KILL);
		ASSERT_EQ(s->target_arg, pid);
	}
	d = harness__wait(PL_EV_DELIVER, pid, pred_sig, &usr1);
	if (ASSERT_TRUE(d)) {
		ASSERT_EQ(d->action, PL_ACT_HANDLER);
		ASSERT_EQ(d->info_code, 0);
		ASSERT_EQ(d->info_pid, getpid());
		ASSERT_EQ(d->h.flags, 0);
		ASSERT_EQ(d->h.tid, pid);
		ASSERT_EQ(d->h.ppid, getpid());
		/* (pid, start time) identity, against /proc. */
		ASSERT_EQ((long long)(d->h.start_ns / (1000000000ull / sysconf(_SC_CLK_TCK))), start_ticks);
		if (s)
			ASSERT_GE(d->h.ts, s->h.ts);
	}
	ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, pred_sig, &usr1), 1);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

static int child_ignore(void *arg)
{
	struct pipes *p = arg;

	signal(SIGUSR2, SIG_IGN);
	write_int(p->to_parent[1], 1);
	return read_int(p->to_child[0]) == 2 ? 0 : 1;
}

void test_signal_ignored(void)
{
	int usr2 = SIGUSR2, st;
	const struct pl_signal *s;
	struct pipes p;
	pid_t pid;

	harness__clear();
	pid = spawn_ready(child_ignore, &p);
	if (pid < 0)
		return;
	kill(pid, SIGUSR2);
	s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
	write_int(p.to_child[1], 2);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	pipes_close(&p);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->sig, SIGUSR2);
		ASSERT_EQ(s->result, PL_SIG_IGNORED);
		ASSERT_EQ(s->disposition, PL_ACT_IGNORED);
	}
	check_exit_and_reap(pid, st);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, pred_sig, &usr2), 0);
	check_nothing_lost();
}

static int child_blocked(void *arg)
{
	struct pipes *p = arg;
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t set;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	write_int(p->to_parent[1], 1);
	if (read_int(p->to_child[0]) != 2)
		return 1;
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* the handler runs before this returns */
	write_int(p->to_parent[1], got ? 3 : 4);
	return 0;
}

void test_signal_blocked(void)
{
	unsigned long long bit = 1ull << (SIGUSR1 - 1);
	int usr1 = SIGUSR1, st;
	const struct pl_signal *s;
	const struct pl_deliver *d;
	struct pipes p;
	pid_t pid;

	harness__clear();
	pid = spawn_ready(child_blocked, &p);
	if (pid < 0)
		return;
	kill(pid, SIGUSR1);
	s = harness__wait(PL_EV_SIGNAL, getpid(), pred_target, &pid);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->sig, SIGUSR1);
		ASSERT_EQ(s->result, PL_SIG_DELIVERED); /* queued */
		ASSERT_EQ(s->blocked, 1);            /* ... and left pending */
		ASSERT_EQ(s->disposition, PL_ACT_HANDLER);
	}
	/* Oracle: the kernel holds it pending and blocked; and no delivery was reported. */
	ASSERT_EQ(proc_sigmask(pid, "ShdPnd:") & bit, bit);
	ASSERT_EQ(proc_sigmask(pid, "SigBlk:") & bit, bit);
	harness__drain(50);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, pid, pred_sig, &usr1), 0);

	write_int(p.to_child[1], 2);
	ASSERT_EQ(read_int(p.to_parent[0]), 3);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	pipes_close(&p);
	d = harness__wait(PL_EV_DELIVER, pid, pred_sig, &usr1);
	if (ASSERT_TRUE(d))
		ASSERT_EQ(d->action, PL_ACT_HANDLER);
	check_exit_and_reap(pid, st);
	check_nothing_lost();
}

/* ---- issue 4: every attempt, refused ones too; how; outcome; who killed whom ---- */

struct sig_result {
	int sig;
	__u32 result;
};

static bool pred_sig_result(const void *rec, const void *arg)
{
	const struct pl_signal *s = rec;
	const struct sig_result *w = arg;

	return s->sig == w->sig && s->result == w->result;
}

/* The first signal event from sender with this signal and result, waiting for it. */
static const struct pl_signal *wait_signal_from(pid_t sender, int sig, __u32 result)
{
	struct sig_result w = { sig, result };

	return harness__wait(PL_EV_SIGNAL, sender, pred_sig_result, &w);
}

static int child_nobody_kill(void *arg)
{
	pid_t target = *(pid_t *)arg;

	if (setgid(65534) || setuid(65534))
		return 126;
	return kill(target, SIGTERM) == -1 && errno == EPERM ? 0 : 1;
}

/* An unprivileged kill of a root process is refused: the auditor sees it. */
void test_signal_refused_eperm(void)
{
	pid_t me = getpid(), pid;
	const struct pl_signal *s;
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");

	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	harness__clear();
	pid = spawn(child_nobody_kill, &me);
	ASSERT_EQ(wait_status(pid), 0); /* the child saw EPERM */
	s = wait_signal_from(pid, SIGTERM, PL_SIG_FAILED);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->err, EPERM);
		ASSERT_EQ(s->syscall, PL_SYS_KILL);
		ASSERT_EQ(s->h.uid, 65534);
		ASSERT_EQ(s->target_arg, me);
		ASSERT_EQ(s->target_pid, me);
		ASSERT_STREQ(s->target_comm, comm);
		ASSERT_EQ(s->target_uid, 0);
	}
	check_nothing_lost();
}

static pid_t unused_pid(void)
{
	for (pid_t p = 4000000; p > 100000; p -= 7919)
		if (kill(p, 0) == -1 && errno == ESRCH)
			return p;
	return 0;
}

void test_signal_refused_esrch_and_probe(void)
{
	pid_t missing = unused_pid(), child;
	const struct pl_signal *s;

	harness__clear();
	if (!missing) {
		TEST_SKIP("no unused pid found");
		return;
	}
	child = spawn(child_pause_forever, NULL);
	ASSERT_EQ(kill(missing, SIGTERM), -1);
	ASSERT_EQ(kill(child, 0), 0);
	ASSERT_EQ(kill(missing, 0), -1);
	s = wait_signal_from(getpid(), SIGTERM, PL_SIG_FAILED);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->err, ESRCH);
		ASSERT_EQ(s->target_arg, missing);
		ASSERT_EQ(s->target_pid, 0);
	}
	s = wait_signal_from(getpid(), 0, PL_SIG_PROBE);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->target_pid, child);
		ASSERT_EQ(s->err, 0);
	}
	s = wait_signal_from(getpid(), 0, PL_SIG_FAILED);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->err, ESRCH);
		ASSERT_EQ(s->target_arg, missing);
	}
	kill(child, SIGKILL);
	ASSERT_EQ(wait_status(child), SIGKILL);
	check_nothing_lost();
}

static int child_group_of_three(void *arg)
{
	int fd = *(int *)arg;

	setpgid(0, 0);
	for (int i = 0; i < 2; i++)
		if (fork() == 0)
			for (;;)
				pause();
	write_int(fd, getpid());
	for (;;)
		pause();
	return 0;
}

static bool pred_from_me_sig(const void *rec, const void *arg)
{
	const struct pl_signal *s = rec;

	return s->sig == SIGTERM && s->target_arg == *(const int *)arg;
}

/* kill(-pgid): one event per member, each with the group as given; each exit names us. */
void test_signal_process_group(void)
{
	const struct pl_signal *s;
	int fd, pgid, n, neg;
	pid_t leader;

	harness__clear();
	leader = spawn_piped(child_group_of_three, &fd);
	pgid = read_int(fd);
	close(fd);
	ASSERT_EQ(pgid, leader);
	usleep(20000); /* the two members fork right before the leader reports; let them run */
	neg = -pgid;
	ASSERT_EQ(kill(-pgid, SIGTERM), 0);
	ASSERT_EQ(wait_status(leader), SIGTERM);
	for (int i = 0; i < 50 && harness__count(PL_EV_SIGNAL, getpid(), pred_from_me_sig, &neg) < 3; i++)
		harness__drain(20);
	n = harness__count(PL_EV_SIGNAL, getpid(), pred_from_me_sig, &neg);
	ASSERT_EQ(n, 3);
	s = harness__find(PL_EV_SIGNAL, getpid(), pred_from_me_sig, &neg);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->syscall, PL_SYS_KILL);
		ASSERT_EQ(s->h.flags & PL_F_GROUP, PL_F_GROUP);
	}
	/* The leader died of it, and its exit says who sent it. */
	{
		const struct pl_exit *x = harness__wait(PL_EV_EXIT, leader, pred_process_exit, NULL);

		if (ASSERT_TRUE(x)) {
			ASSERT_EQ(x->killer.sig, SIGTERM);
			ASSERT_EQ(x->killer.pid, getpid());
			ASSERT_EQ(x->killer.syscall, PL_SYS_KILL);
		}
	}
	check_nothing_lost();
}

static int child_wait_usr1(void *arg)
{
	return child_handler(arg);
}

void test_sigqueue_value(void)
{
	const struct pl_signal *s;
	union sigval v = { .sival_int = 42 };
	struct pipes p;
	pid_t pid;

	harness__clear();
	pid = spawn_ready(child_wait_usr1, &p);
	if (pid < 0)
		return;
	ASSERT_EQ(sigqueue(pid, SIGUSR1, v), 0);
	ASSERT_EQ(wait_status(pid), 0);
	pipes_close(&p);
	s = wait_signal_from(getpid(), SIGUSR1, PL_SIG_DELIVERED);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->syscall, PL_SYS_RT_SIGQUEUEINFO);
		ASSERT_EQ(s->info_code, SI_QUEUE);
		ASSERT_EQ((int)s->value, 42);
		ASSERT_EQ(s->target_pid, pid);
		ASSERT_EQ(s->disposition, PL_ACT_HANDLER);
	}
	check_nothing_lost();
}

static void *tid_then_wait(void *arg)
{
	write_int(*(int *)arg, gettid());
	for (;;)
		pause();
	return NULL;
}

static int child_thread_target(void *arg)
{
	pthread_t t;

	signal(SIGUSR2, SIG_IGN);
	if (pthread_create(&t, NULL, tid_then_wait, arg))
		return 101;
	for (;;)
		pause();
	return 0;
}

void test_signal_tgkill(void)
{
	const struct pl_signal *s;
	int fd, tid;
	pid_t pid;

	harness__clear();
	pid = spawn_piped(child_thread_target, &fd);
	tid = read_int(fd);
	close(fd);
	ASSERT_EQ(syscall(SYS_tgkill, pid, tid, SIGUSR2), 0);
	s = wait_signal_from(getpid(), SIGUSR2, PL_SIG_IGNORED);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->syscall, PL_SYS_TGKILL);
		ASSERT_EQ(s->target_pid, pid);
		ASSERT_EQ(s->target_tid, tid);
		ASSERT_EQ(s->target_arg, pid);
		ASSERT_EQ(s->info_code, SI_TKILL);
		ASSERT_EQ(s->h.flags & PL_F_GROUP, 0);
		ASSERT_EQ(s->disposition, PL_ACT_IGNORED);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(wait_status(pid), SIGKILL);
	check_nothing_lost();
}

static int child_write_closed_pipe(void *arg)
{
	int fds[2];

	if (pipe(fds))
		return 100;
	close(fds[0]);
	signal(SIGPIPE, SIG_DFL);
	return write(fds[1], "x", 1) < 0 ? 101 : 102;
}

static int child_null_write(void *arg)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl); /* no core file: this test is about the signal */
	*(volatile int *)0 = 1;
	return 0;
}

static bool pred_target_self(const void *rec, const void *arg)
{
	const struct pl_signal *s = rec;

	return s->target_pid == s->h.pid && s->sig == *(const int *)arg;
}

/* Kernel-originated signals carry the kernel's reason, and the exit says so. */
static void kernel_origin(int (*fn)(void *), int sig, const char *origin)
{
	const struct pl_signal *s;
	const struct pl_exit *x;
	pid_t pid;
	int st;

	harness__clear();
	pid = spawn(fn, NULL);
	st = wait_status(pid);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == sig);
	s = harness__wait(PL_EV_SIGNAL, pid, pred_target_self, &sig);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->syscall, PL_SYS_NONE);
		ASSERT_STREQ(sig__origin(s->sig, s->info_code, s->info_kind, s->syscall, false), origin);
	}
	x = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (ASSERT_TRUE(x)) {
		ASSERT_EQ(x->killer.sig, sig);
		ASSERT_STREQ(sig__origin(x->killer.sig, x->killer.info_code, x->killer.info_kind,
					 x->killer.syscall, x->killer.oom), origin);
	}
	/* The parent (us) got SIGCHLD from the kernel, for the child's exit. */
	{
		int chld = SIGCHLD;
		const struct pl_signal *c = harness__wait(PL_EV_SIGNAL, pid, pred_sig, &chld);

		if (ASSERT_TRUE(c)) {
			ASSERT_EQ(c->target_pid, getpid());
			ASSERT_STREQ(sig__origin(c->sig, c->info_code, c->info_kind, c->syscall, false), "child");
		}
	}
	check_nothing_lost();
}

void test_origin_fault(void)
{
	kernel_origin(child_null_write, SIGSEGV, "fault");
}

void test_origin_pipe(void)
{
	kernel_origin(child_write_closed_pipe, SIGPIPE, "pipe");
}

/*
 * A process group of its own, whose parent (the test) is in another group
 * of the same session: not orphaned, whatever group the test runs in. (In
 * an orphaned group, e.g. make test started in the background from a
 * non-interactive shell, the kernel discards SIGTSTP.)
 */
static int child_own_group_pause(void *arg)
{
	setpgid(0, 0);
	return child_pause_forever(arg);
}

/* SIGTSTP then SIGCONT, SIGSTOP then SIGCONT: the default action stops; /proc agrees. */
static void stop_and_continue(int stopsig)
{
	const struct pl_deliver *d;
	const struct pl_signal *s;
	char state = 0;
	pid_t pid;

	harness__clear();
	pid = spawn(child_own_group_pause, NULL);
	setpgid(pid, pid); /* either side may be first: the group exists before the signal */
	kill(pid, stopsig);
	for (int i = 0; i < 250 && state != 'T'; i++) {
		char path[64], buf[256], *p;
		FILE *f;

		usleep(2000);
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (f) {
			if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
				state = p[2];
			fclose(f);
		}
	}
	ASSERT_EQ(state, 'T');
	d = harness__wait(PL_EV_DELIVER, pid, pred_sig, &stopsig);
	if (ASSERT_TRUE(d))
		ASSERT_EQ(d->action, PL_ACT_DEFAULT);
	s = wait_signal_from(getpid(), stopsig, PL_SIG_DELIVERED);
	if (ASSERT_TRUE(s))
		ASSERT_EQ(s->disposition, PL_ACT_DEFAULT);
	kill(pid, SIGCONT);
	{
		int cont = SIGCONT;
		const struct pl_signal *c;

		harness__drain(30);
		c = harness__find(PL_EV_SIGNAL, getpid(), pred_sig, &cont);
		if (ASSERT_TRUE(c))
			ASSERT_EQ(c->target_pid, pid);
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(wait_status(pid), SIGKILL);
	check_nothing_lost();
}

void test_stop_tstp_cont(void)
{
	stop_and_continue(SIGTSTP);
}

void test_stop_stop_cont(void)
{
	stop_and_continue(SIGSTOP);
}

/* nohup: SIGHUP is ignored across the exec, so a SIGHUP does nothing. */
void test_nohup_hup_ignored(void)
{
	char *argv[] = { "nohup", "sleep", "30", NULL };
	const struct pl_signal *s;
	int devnull = open("/dev/null", O_WRONLY);
	pid_t pid;

	harness__clear();
	pid = fork();
	if (pid == 0) {
		dup2(devnull, 1);
		dup2(devnull, 2);
		execvp("nohup", argv);
		_exit(127);
	}
	close(devnull);
	/* Once sleep runs (nohup exec'd it), SIGHUP is ignored. */
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, pid, NULL, NULL) && harness__count(PL_EV_EXEC, pid, NULL, NULL) >= 1);
	for (int i = 0; i < 250 && harness__count(PL_EV_EXEC, pid, NULL, NULL) < 2; i++)
		harness__drain(10);
	kill(pid, SIGHUP);
	s = wait_signal_from(getpid(), SIGHUP, PL_SIG_IGNORED);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->target_pid, pid);
		ASSERT_EQ(s->disposition, PL_ACT_IGNORED);
		ASSERT_STREQ(s->target_comm, "sleep");
	}
	kill(pid, SIGKILL);
	ASSERT_EQ(wait_status(pid), SIGKILL);
	check_nothing_lost();
}

/* Handled SIGINT and SIGTERM keep it running; the SIGKILL after is its killer. */
static volatile sig_atomic_t caught;

static void count_catch(int sig)
{
	caught++;
}

static int child_catch_int_term(void *arg)
{
	struct pipes *p = arg;
	struct sigaction sa = { .sa_handler = count_catch };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	write_int(p->to_parent[1], 1);
	/*
	 * Not pause(): a signal handled between the test and pause() would leave
	 * it waiting for a third that never comes (seen on a loaded VM). Not
	 * sigsuspend() either: blocked, the signals would be sent to a blocked
	 * process, not delivered to its handler. A short sleep each time.
	 */
	while (caught < 2)
		usleep(1000);
	write_int(p->to_parent[1], 2);
	for (;;)
		pause();
	return 0;
}

void test_handler_then_sigkill(void)
{
	const struct pl_exit *x;
	struct pipes p;
	pid_t pid;
	int st;

	harness__clear();
	pid = spawn_ready(child_catch_int_term, &p);
	if (pid < 0)
		return;
	kill(pid, SIGINT);
	usleep(5000);
	kill(pid, SIGTERM);
	ASSERT_EQ(read_int(p.to_parent[0]), 2); /* caught both, still running */
	kill(pid, SIGKILL);
	st = wait_status(pid);
	pipes_close(&p);
	ASSERT_EQ(st, SIGKILL);
	{
		const struct pl_signal *s = wait_signal_from(getpid(), SIGINT, PL_SIG_DELIVERED);

		if (ASSERT_TRUE(s))
			ASSERT_EQ(s->disposition, PL_ACT_HANDLER);
		s = wait_signal_from(getpid(), SIGTERM, PL_SIG_DELIVERED);
		if (ASSERT_TRUE(s))
			ASSERT_EQ(s->disposition, PL_ACT_HANDLER);
	}
	x = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (ASSERT_TRUE(x)) {
		ASSERT_EQ(x->status, SIGKILL);
		ASSERT_EQ(x->killer.sig, SIGKILL); /* not the handled SIGTERM */
		ASSERT_EQ(x->killer.pid, getpid());
		ASSERT_EQ(x->killer.syscall, PL_SYS_KILL);
	}
	check_nothing_lost();
}
