// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What a process used, at its exit, against the oracles: what wait4()
 * returns for it (struct rusage) and what its zombie's /proc/PID/io says
 * (read first: waitid(WNOWAIT)). Children with known work: a CPU spin, a
 * system-call loop, touching memory, writing and fsyncing a file, threads
 * that exit before the leader, death by a signal, a parent that reaps a
 * busy child.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/usage.h"
#include "ktests.h"

/* ---------------------------------------------------------------- the oracle */

struct oracle {
	int status;
	struct rusage ru;
	struct proc_io io; /* the zombie's /proc/PID/io */
	bool io_read;
};

static bool io_line(const char *line, const char *key, __u64 *v)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) || line[n] != ':')
		return false;
	*v = strtoull(line + n + 1, NULL, 10);
	return true;
}

static bool read_proc_io(pid_t pid, struct proc_io *io)
{
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/io", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	*io = (struct proc_io){};
	while (fgets(line, sizeof(line), f)) {
		io->chars |= io_line(line, "rchar", &io->rchar);
		io_line(line, "wchar", &io->wchar);
		io_line(line, "syscr", &io->syscr);
		io_line(line, "syscw", &io->syscw);
		io->bytes |= io_line(line, "read_bytes", &io->read_bytes);
		io_line(line, "write_bytes", &io->write_bytes);
		io_line(line, "cancelled_write_bytes", &io->cancelled_write_bytes);
	}
	fclose(f);
	return true;
}

/* The zombie's /proc/PID/io, then wait4(): what the parent gets. */
static bool reap(pid_t pid, struct oracle *o)
{
	siginfo_t si;

	if (!ASSERT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0))
		return false;
	o->io_read = read_proc_io(pid, &o->io);
	return ASSERT_EQ(wait4(pid, &o->status, 0, &o->ru), pid);
}

static __u64 tv_us(struct timeval tv)
{
	return (__u64)tv.tv_sec * 1000000 + tv.tv_usec;
}

/*
 * The CPU time the child saw of itself last (CLOCK_PROCESS_CPUTIME_ID, plus
 * its reaped children's), us, in memory it shares with the test (note_cpu()).
 */
static volatile __u64 *seen_us;

/*
 * utime + stime as the exit event says it, against what the kernel's
 * accounting guarantees, without a tolerance for load: the event reads the
 * run time at sched_process_exit, so it is at least what the child saw of
 * itself before it exited, and at most what wait4() gets, which is read
 * once the task is dead (the rest of do_exit() runs after the tracepoint:
 * on a loaded machine, or a VM whose vCPU the host preempts, any amount of
 * it). utime and stime are each cut to microseconds, on either side: 2 us.
 */
static bool cpu_between(__u64 got_us, __u64 want_us)
{
	__u64 seen = *seen_us;

	if (got_us + 2 >= seen && got_us <= want_us + 2)
		return true;
	FAILF("utime+stime %llu us: the child saw %llu us of itself before it exited, wait4() says %llu us",
	      (unsigned long long)got_us, (unsigned long long)seen, (unsigned long long)want_us);
	return false;
}

static bool within(const char *what, __u64 got, __u64 want, __u64 tol)
{
	if (got + tol >= want && got <= want + tol)
		return true;
	FAILF("%s: got %llu, wait4() says %llu (±%llu)", what, (unsigned long long)got, (unsigned long long)want,
	      (unsigned long long)tol);
	return false;
}

/* The exit event of pid, decoded; false (a failure said) when it is missing or has no usage. */
static bool exit_usage(pid_t pid, struct usage *u, const struct pl_exit **out)
{
	const struct pl_exit *e = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);

	if (!ASSERT_TRUE(e) || !ASSERT_TRUE(usage__of(e)))
		return false;
	usage__decode(usage__of(e), u);
	if (out)
		*out = e;
	return true;
}

/* For a child that reaped no children: rusage as wait4() said, self the same, io as /proc said. */
static void check_leaf(pid_t pid, const struct oracle *o)
{
	const struct pl_exit *e;
	struct usage u;

	if (!exit_usage(pid, &u, &e))
		return;
	ASSERT_EQ(e->status, (__u32)o->status);
	ASSERT_EQ(u.rusage.maxrss_kb, (__u64)o->ru.ru_maxrss);
	ASSERT_EQ(u.rusage.minflt, (__u64)o->ru.ru_minflt);
	ASSERT_EQ(u.rusage.majflt, (__u64)o->ru.ru_majflt);
	ASSERT_EQ(u.rusage.inblock, (__u64)o->ru.ru_inblock);
	ASSERT_EQ(u.rusage.oublock, (__u64)o->ru.ru_oublock);
	cpu_between(u.rusage.utime_us + u.rusage.stime_us, tv_us(o->ru.ru_utime) + tv_us(o->ru.ru_stime));
	within("nvcsw", u.rusage.nvcsw, o->ru.ru_nvcsw, 3);
	within("nivcsw", u.rusage.nivcsw, o->ru.ru_nivcsw, 3);
	/* It reaped nobody: self is rusage. */
	ASSERT_MEMEQ(&u.self, &u.rusage, sizeof(u.self));
	/* The exact run time is what the split divides. */
	ASSERT_EQ(u.self_utime_ns + u.self_stime_ns, u.cpu_ns);
	ASSERT_GE(e->h.ts - e->h.start_ns, u.cpu_ns / 2); /* runtime_ns: a single thread ran at most that long */
	/* No /proc/PID/io (no I/O accounting in this kernel): the exit's io must be null too. */
	if (!o->io_read && (u.io.chars || u.io.bytes))
		FAILF("the exit has io, but the zombie has no /proc/%d/io", pid);
	if (o->io_read && ASSERT_EQ(u.io.chars, o->io.chars) && ASSERT_EQ(u.io.bytes, o->io.bytes)) {
		ASSERT_EQ(u.io.rchar, o->io.rchar);
		ASSERT_EQ(u.io.wchar, o->io.wchar);
		ASSERT_EQ(u.io.syscr, o->io.syscr);
		ASSERT_EQ(u.io.syscw, o->io.syscw);
		ASSERT_EQ(u.io.read_bytes, o->io.read_bytes);
		ASSERT_EQ(u.io.write_bytes, o->io.write_bytes);
		ASSERT_EQ(u.io.cancelled_write_bytes, o->io.cancelled_write_bytes);
	}
}

/* ---------------------------------------------------------------- workloads */

static __u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static volatile unsigned long sink;

/* The child's CPU time so far, its reaped children's included, into *seen_us; its own alone and its
 * reaped children's alone after it (seen_us[1], seen_us[2]). */
static void note_cpu(void)
{
	struct timespec ts;
	struct rusage ru;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	getrusage(RUSAGE_CHILDREN, &ru);
	seen_us[1] = (__u64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	seen_us[2] = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	seen_us[0] = seen_us[1] + seen_us[2];
}

struct measured {
	int (*fn)(void *);
	void *arg;
};

static int run_measured(void *arg)
{
	const struct measured *m = arg;
	int r = m->fn(m->arg);

	note_cpu();
	return r;
}

/* spawn(fn, arg), the child's last view of its CPU time in *seen_us (0 until then). */
static pid_t spawn_measured(int (*fn)(void *), void *arg)
{
	struct measured m = { fn, arg };

	if (!seen_us) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		seen_us = p == MAP_FAILED ? NULL : p;
		if (!seen_us)
			abort();
	}
	*seen_us = 0;
	return spawn(run_measured, &m);
}

static void spin_ms(unsigned ms)
{
	__u64 end = thread_cpu_ns() + ms * 1000000ull;

	while (thread_cpu_ns() < end)
		for (int i = 0; i < 10000; i++)
			sink += i;
}

static int child_spin(void *arg)
{
	spin_ms(200);
	return 0;
}

static int child_syscalls(void *arg)
{
	__u64 end = thread_cpu_ns() + 150000000ull;

	while (thread_cpu_ns() < end)
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
	return 1;
}

static int child_touch(void *arg)
{
	size_t n = 64ul << 20;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 100;
	for (size_t i = 0; i < n; i += 4096)
		p[i] = 1;
	return 0;
}

static int child_write_fsync(void *arg)
{
	const char *path = arg;
	static char buf[1 << 20];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return 100;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 8; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return 101;
	if (fsync(fd))
		return 102;
	close(fd);
	return 0;
}

static void *thread_spin(void *arg)
{
	spin_ms(100);
	return NULL;
}

static int child_threads(void *arg)
{
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, thread_spin, NULL))
			return 100;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	spin_ms(20);
	return 0;
}

static int child_spin_forever(void *arg)
{
	for (;;) {
		for (int i = 0; i < 100000; i++)
			sink++;
		note_cpu(); /* killed: what it saw last is what it had done by then */
	}
	return 0;
}

/* ---------------------------------------------------------------- subtests */

/* One child with known work: its exit's usage against wait4() and its zombie's /proc/PID/io. */
static bool leaf(int (*fn)(void *), void *arg)
{
	struct oracle o = {};
	pid_t pid;

	harness__clear();
	pid = spawn_measured(fn, arg);
	if (reap(pid, &o))
		check_leaf(pid, &o);
	return o.io_read;
}

void test_usage_cpu_spin(void)
{
	leaf(child_spin, NULL);
}

void test_usage_syscall_loop(void)
{
	leaf(child_syscalls, NULL);
}

void test_usage_touch_memory(void)
{
	leaf(child_touch, NULL);
}

void test_usage_write_fsync(void)
{
	char path[] = "/var/tmp/proclife-usage.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) /* /var/tmp is on the root file system: the VM's too */
		snprintf(path, sizeof(path), "/proclife-usage");
	else
		close(fd);
	if (!leaf(child_write_fsync, path))
		TEST_SKIP("no /proc/PID/io on this kernel (no I/O accounting): io is null, checked; not compared");
	unlink(path);
}

void test_usage_threads_exit_first(void)
{
	leaf(child_threads, NULL);
}

void test_usage_killed(void)
{
	struct oracle o = {};
	pid_t pid;

	harness__clear();
	pid = spawn_measured(child_spin_forever, NULL);
	usleep(150000);
	kill(pid, SIGKILL);
	if (reap(pid, &o) && ASSERT_TRUE(WIFSIGNALED(o.status)))
		check_leaf(pid, &o);
}

/* A parent that reaps a busy child, then exits: its rusage has the child (as wait4() says), its self not. */
static int child_reaps_busy(void *arg)
{
	struct rusage ru;
	int st;
	pid_t c = spawn(child_spin, NULL);

	if (wait4(c, &st, 0, &ru) != c)
		return 100;
	return 0;
}

void test_usage_parent_reaped_child(void)
{
	struct oracle o = {};
	struct usage u;
	pid_t pid;

	harness__clear();
	pid = spawn_measured(child_reaps_busy, NULL);
	if (!reap(pid, &o) || !ASSERT_EQ(o.status, 0) || !exit_usage(pid, &u, NULL))
		return;
	cpu_between(u.rusage.utime_us + u.rusage.stime_us, tv_us(o.ru.ru_utime) + tv_us(o.ru.ru_stime));
	ASSERT_GE(u.rusage.utime_us + u.rusage.stime_us, 190000);
	/*
	 * Itself it only forked and waited: its own time is what it had used when it last looked, plus
	 * its way out, nowhere near the child's 200 ms. Not a fixed bound: a fork in a loaded TCG guest
	 * took 80 ms of the parent's own CPU time.
	 */
	ASSERT_GE(seen_us[2], 190000);
	if (u.self.utime_us + u.self.stime_us >= seen_us[1] + seen_us[2] / 2)
		FAILF("self utime+stime %llu us, %llu us when it last looked: the child's %llu us are in it",
		      (unsigned long long)(u.self.utime_us + u.self.stime_us), (unsigned long long)seen_us[1],
		      (unsigned long long)seen_us[2]);
	ASSERT_EQ(u.rusage.maxrss_kb, (__u64)o.ru.ru_maxrss);
	ASSERT_EQ(u.rusage.minflt, (__u64)o.ru.ru_minflt);
	ASSERT_GE(u.rusage.minflt, u.self.minflt + 1);
}

/* ---------------------------------------------------------------- sampling */

struct found {
	pid_t pid;
	int tasks;
	__u64 start_ns, runtime_ns, rss_kb;
};

static void on_sample(void *ctx, const struct pl_sample *s)
{
	struct found *f = ctx;

	if (s->tgid != (__u32)f->pid)
		return;
	f->tasks++;
	f->start_ns = s->start_ns;
	f->runtime_ns += s->runtime_ns;
	if (s->rss_kb > f->rss_kb)
		f->rss_kb = s->rss_kb;
}

/* Threads of this process still listed (/proc/self/task); -1 when it cannot be read. */
static int own_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * pthread_join() returns when the thread's tid is cleared, in its exit's
 * mm_release(), before the kernel unhashes it in release_task(): until then
 * the thread is still listed, by /proc and by the sampling iterator alike.
 * Wait (bounded) until it is gone. 0, or -1 when it did not go in 10 s.
 */
static int wait_one_task(void)
{
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 10000; i++) {
		if (own_tasks() == 1)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/* Spins in two threads (one ends early), touches 32 MiB, says so, then waits to be told to end. */
static int child_sampled(void *arg)
{
	int *fds = arg;
	pthread_t t;
	char *p = mmap(NULL, 32 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || pthread_create(&t, NULL, thread_spin, NULL))
		return 100;
	for (size_t i = 0; i < (32u << 20); i += 4096)
		p[i] = 1;
	spin_ms(60);
	pthread_join(t, NULL); /* its 100 ms are the process's now (signal_struct) */
	if (wait_one_task())
		return 102;
	write_int(fds[1], 1);
	return read_int(fds[0]) == 2 ? 0 : 101;
}

static bool proc_stat_fields(pid_t pid, __u64 *cpu_ticks, __u64 *start_ticks)
{
	char path[64], buf[1024], *p;
	unsigned long long v[20];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return false;
	/* Fields 3..22 after the comm: state, then 19 numbers up to starttime. */
	if (sscanf(p + 2, "%*c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12],
		   &v[13], &v[14], &v[15], &v[16], &v[17], &v[18]) != 19)
		return false;
	*cpu_ticks = v[10] + v[11];
	*start_ticks = v[18];
	return true;
}

static __u64 vmrss_kb(pid_t pid)
{
	char path[64], line[128];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The sampling iterator (feature "sampling") against /proc: a process's run time, start and resident memory. */
void test_sampling_vs_proc(void)
{
	struct tracer_config cfg = harness__default_config();
	int to_child[2], from_child[2], st;
	__u64 tick = 1000000000ull / sysconf(_SC_CLK_TCK), cpu0, cpu1, start;
	struct found f = {};
	pid_t pid;

	cfg.sample = true;
	if (!ASSERT_EQ(harness__start(&cfg), 0) || harness__skip_unless(NEED(KF_SAMPLING)) ||
	    pipe(to_child) || pipe(from_child)) {
		cfg = harness__default_config();
		harness__start(&cfg);
		return;
	}
	{
		int fds[2] = { to_child[0], from_child[1] };

		pid = spawn(child_sampled, fds);
	}
	close(to_child[0]);
	close(from_child[1]);
	if (!ASSERT_EQ(read_int(from_child[0]), 1))
		goto out;
	/* It waits now: its counters stand still while we read them both ways. */
	if (!ASSERT_TRUE(proc_stat_fields(pid, &cpu0, &start)))
		goto out;
	f.pid = pid;
	ASSERT_EQ(tracer__sample(harness__tracer(), on_sample, &f), 0);
	ASSERT_TRUE(proc_stat_fields(pid, &cpu1, &start));
	if (!ASSERT_EQ(f.tasks, 1)) /* one thread left */
		goto out;
	/* Which program gave it: the walk from 6.7, the iter/task program before (or with PROCLIFE_KERNEL_LACKS). */
	printf("  # sampled by %s\n", tracer__features(harness__tracer())[KF_SAMPLING].program);
	ASSERT_EQ(f.start_ns / tick, start);
	/* /proc's utime + stime are the run time split in two, each cut to ticks: up to 2 ticks short. */
	if (f.runtime_ns + tick < cpu0 * tick || f.runtime_ns >= (cpu1 + 2) * tick)
		FAILF("run time %llu ns, /proc says %llu..%llu ticks of %llu ns", (unsigned long long)f.runtime_ns,
		      (unsigned long long)cpu0, (unsigned long long)cpu1, (unsigned long long)tick);
	ASSERT_GE(f.runtime_ns, 150000000); /* 100 ms in the thread that ended, 60 in the leader */
	{
		__u64 rss = vmrss_kb(pid);

		if (f.rss_kb + 512 < rss || f.rss_kb > rss + 512 + rss / 20)
			FAILF("rss %llu KiB, /proc's VmRSS %llu KiB", (unsigned long long)f.rss_kb, (unsigned long long)rss);
		ASSERT_GE(f.rss_kb, 32 * 1024);
	}
out:
	write_int(to_child[1], 2);
	close(to_child[1]);
	close(from_child[0]);
	st = wait_status(pid);
	ASSERT_EQ(st, 0);
	/* The next subtests run on the default tracer again. */
	cfg = harness__default_config();
	harness__start(&cfg);
}

/* ---- the exit status of zombies, as the sampling programs read it (issue 20, finding 8) ---- */

static int child_exit7(void *arg)
{
	return 7;
}

static int child_sigterm(void *arg)
{
	signal(SIGTERM, SIG_DFL);
	raise(SIGTERM);
	return 100;
}

static void *exit_group_later(void *arg)
{
	struct timespec ms20 = { 0, 20000000 };

	nanosleep(&ms20, NULL);
	syscall(SYS_exit_group, 5);
	return NULL;
}

/* The leader leaves first (its own exit code 0); another thread then ends the group with exit_group(5). */
static int child_leader_first(void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, exit_group_later, NULL))
		return 100;
	pthread_exit(NULL);
}

struct exit_seen {
	pid_t pids[3];
	__u32 status[3];
	int found[3], self_alive;
};

static void on_exit_sample(void *ctx, const struct pl_sample *s)
{
	struct exit_seen *e = ctx;

	if (s->tgid == (__u32)getpid() && s->tid == s->tgid)
		e->self_alive += s->exit_status == PL_STATUS_UNKNOWN;
	for (int i = 0; i < 3; i++)
		if (s->tgid == (__u32)e->pids[i] && s->tid == s->tgid) {
			e->found[i]++;
			e->status[i] = s->exit_status;
		}
}

/* Until pid can be reaped (all its threads gone), without reaping it. 0, or -1 after 10 s. */
static int wait_reapable(pid_t pid)
{
	struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < 10000; i++) {
		siginfo_t si = {};

		if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT | WNOHANG) == 0 && si.si_pid == pid)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/*
 * Zombies that exited three ways (exit 7; killed by SIGTERM; the leader
 * first, then exit_group(5) from another thread: the group's code, not the
 * leader's 0): the status the sampler reads for each is what waitpid()
 * then gets. A live task has none.
 */
void test_sampling_exit_status(void)
{
	struct tracer_config cfg = harness__default_config();
	int (*fns[3])(void *) = { child_exit7, child_sigterm, child_leader_first };
	struct exit_seen e = {};

	cfg.sample = true;
	if (!ASSERT_EQ(harness__start(&cfg), 0) || harness__skip_unless(NEED(KF_SAMPLING))) {
		cfg = harness__default_config();
		harness__start(&cfg);
		return;
	}
	for (int i = 0; i < 3; i++) {
		e.pids[i] = spawn(fns[i], NULL);
		if (!ASSERT_EQ(wait_reapable(e.pids[i]), 0))
			FAILF("child %d (pid %d) did not exit", i, e.pids[i]);
	}
	ASSERT_EQ(tracer__sample(harness__tracer(), on_exit_sample, &e), 0);
	ASSERT_EQ(e.self_alive, 1);
	for (int i = 0; i < 3; i++) {
		int st = wait_status(e.pids[i]);

		if (!ASSERT_EQ(e.found[i], 1))
			continue;
		if (!ASSERT_EQ(e.status[i], (__u32)st))
			FAILF("child %d: the sampler read status 0x%x, waitpid() got 0x%x", i, e.status[i], st);
	}
	ASSERT_EQ(e.status[0], 7 << 8);
	ASSERT_EQ(e.status[1], SIGTERM);
	ASSERT_EQ(e.status[2], 5 << 8);
	cfg = harness__default_config();
	harness__start(&cfg);
}
