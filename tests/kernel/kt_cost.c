// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* unshare() */
/*
 * What proclife costs what it does not trace, from the kernel's own
 * counts: each command's programs, run by the real binary, must run on a
 * small fraction of 1,000,000 getppid() calls (bpf_stats: each program's
 * run_cnt); a consumer of states and counts (tree, top, zombies,
 * metrics-only runs) takes no program that costs every syscall and queues
 * no event per ordinary signal; the kernel's counters equal what a scenario
 * did; and the syscalls feature falls back, saying why, where tracefs or
 * perf_event_open() are missing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <pty.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ktests.h"
#include "kernel/tracefs.h"
#include "session/live.h"

#define GETPPIDS 1000000
/* Runs of the command's programs allowed while the getppid() loop runs: 1 % (other processes' count too). */
#define RUNS_MAX (GETPPIDS / 100)
/* Attempts: a busy machine's own signals and forks count; a program on every syscall fails all of them. */
#define ATTEMPTS 3

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The proclife binary: $PROCLIFE_BIN, build/proclife of this tree, or the one in the VM's PATH. */
static const char *proclife_bin(void)
{
	static const char *const tries[] = { "build/proclife", "/usr/local/bin/proclife" };
	const char *env = getenv("PROCLIFE_BIN");

	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++)
		if (access(tries[i], X_OK) == 0)
			return tries[i];
	return NULL;
}

/* A running proclife: its pid, its stderr (a file), its terminal (top) or -1. */
struct running {
	pid_t pid;
	char err[64];
	int pty;
};

static bool file_has(const char *path, const char *text)
{
	char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* Read what the terminal has (top's screen) into buf, for up to ms; true once it holds text. */
static bool pty_has(int fd, char *buf, size_t len, size_t *have, const char *text, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, ms) == 1) {
		ssize_t n = read(fd, buf + *have, len - 1 - *have);

		if (n <= 0)
			break;
		*have += n;
		buf[*have] = '\0';
		if (strstr(buf, text))
			return true;
		if (*have + 1 >= len)
			*have = 0; /* keep reading: only the newest screenful matters */
		ms = 0;
	}
	return false;
}

/*
 * Start proclife with argv (argv[0] is replaced by the binary), with env
 * (NAME=VALUE or NULL); with a terminal when pty. Ready once stderr (or the
 * screen) shows `ready`. 0, or -1 with the reason said.
 */
static int start(struct running *r, char *const argv[], const char *env, bool pty, const char *ready)
{
	const char *bin = proclife_bin();
	char screen[16384];
	size_t have = 0;
	long long deadline = now_ms() + 3 * WAIT_MS;
	int status;

	snprintf(r->err, sizeof(r->err), "/tmp/pl-cost-%d.err", (int)getpid());
	r->pty = -1;
	r->pid = pty ? forkpty(&r->pty, NULL, NULL, NULL) : fork();
	if (r->pid == 0) {
		int fd = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, STDERR_FILENO);
		if (!pty) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		if (env)
			putenv((char *)env);
		setenv("TERM", "xterm", 1);
		execv(bin, argv);
		_exit(127);
	}
	if (r->pid < 0) {
		FAILF("cannot start %s: %s", bin, strerror(errno));
		return -1;
	}
	while (now_ms() < deadline) {
		if (pty ? pty_has(r->pty, screen, sizeof(screen), &have, ready, 100) : file_has(r->err, ready))
			return 0;
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			FAILF("%s %s exited (status %#x) before it was ready", bin, argv[1], status);
			r->pid = 0;
			return -1;
		}
		if (!pty)
			usleep(20000);
	}
	FAILF("%s %s: not ready (\"%s\") after %d ms", bin, argv[1], ready, 3 * WAIT_MS);
	return -1;
}

static void stop(struct running *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		if (wait_status(r->pid) < 0)
			FAILF("proclife %d: cannot wait for it", r->pid);
	}
	if (r->pty >= 0)
		close(r->pty);
	unlink(r->err);
	r->pid = 0;
}

/* The programs a process holds: each one's kernel id, name and runs so far (from its fds' fdinfo). */
struct progs {
	int n;
	__u32 id[128];
	char name[128][BPF_OBJ_NAME_LEN];
	__u64 runs[128];
};

static void progs_of(pid_t pid, struct progs *p)
{
	char dir[64];
	DIR *d;
	struct dirent *de;

	p->n = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	while (d && (de = readdir(d)) && p->n < 128) {
		char path[340], line[256];
		__u32 id = 0;
		__u64 runs = 0;
		bool dup = false;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "prog_id: %u", &id);
			sscanf(line, "run_cnt: %llu", (unsigned long long *)&runs);
		}
		if (f)
			fclose(f);
		for (int i = 0; i < p->n; i++)
			dup |= p->id[i] == id;
		if (!id || dup)
			continue;
		p->id[p->n] = id;
		p->runs[p->n] = runs;
		p->name[p->n][0] = '\0';
		{
			int fd = bpf_prog_get_fd_by_id(id);
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
				snprintf(p->name[p->n], BPF_OBJ_NAME_LEN, "%s", info.name);
			if (fd >= 0)
				close(fd);
		}
		p->n++;
	}
	if (d)
		closedir(d);
}

static __u64 runs_between(const struct progs *a, const struct progs *b)
{
	__u64 sum = 0;

	for (int i = 0; i < b->n; i++)
		for (int j = 0; j < a->n; j++)
			if (a->id[j] == b->id[i])
				sum += b->runs[i] - a->runs[j];
	return sum;
}

/* The syscalls feature's programs that cost every syscall: the per-syscall tracepoint one, sys_exit. */
static bool costs_every_syscall(const char *name)
{
	return !strncmp(name, "pl_sc_exit", 10) || !strncmp(name, "pl_sys_exit", 11);
}

static bool of_syscalls(const char *name)
{
	return costs_every_syscall(name) || !strncmp(name, "pl_fexit_", 9);
}

static void getppid_loop(void)
{
	for (int i = 0; i < GETPPIDS; i++)
		syscall(SYS_getppid);
}

/*
 * The fewest runs of r's programs while this process made GETPPIDS
 * getppid() calls, over up to ATTEMPTS tries (stopping below RUNS_MAX);
 * its programs in *p.
 */
static __u64 runs_during_getppids(const struct running *r, struct progs *p)
{
	__u64 best = ~0ull;
	int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (stats < 0) {
		FAILF("cannot turn on BPF run statistics: %s", strerror(errno));
		return best;
	}
	for (int i = 0; i < ATTEMPTS && best >= RUNS_MAX; i++) {
		struct progs before;
		__u64 n;

		progs_of(r->pid, &before);
		getppid_loop();
		progs_of(r->pid, p);
		n = runs_between(&before, p);
		if (n < best)
			best = n;
	}
	close(stats);
	return best;
}

struct cost_case {
	const char *what;
	char *argv[10];
	const char *ready;
	bool pty;            /* top: a terminal */
	bool lean;           /* no program that costs every syscall */
	bool syscalls_free;  /* not even the syscalls feature's cheap ones */
};

static char metrics_path[64];

static void run_case(const struct cost_case *k)
{
	struct running r = {};
	struct progs p;
	__u64 runs;
	const char *costly = NULL, *syscalls = NULL;

	if (!proclife_bin()) {
		TEST_SKIP("no proclife binary (build/proclife, /usr/local/bin/proclife or $PROCLIFE_BIN)");
		return;
	}
	harness__stop(); /* the suite's own tracer would only add noise */
	if (start(&r, k->argv, NULL, k->pty, k->ready) < 0)
		goto out;
	runs = runs_during_getppids(&r, &p);
	ASSERT_GE(p.n, 4);
	for (int i = 0; i < p.n; i++) {
		if (costs_every_syscall(p.name[i]))
			costly = p.name[i];
		if (of_syscalls(p.name[i]))
			syscalls = p.name[i];
	}
	if (k->lean && costly)
		FAILF("%s loaded %s, which costs every syscall", k->what, costly);
	if (k->syscalls_free && syscalls)
		FAILF("%s loaded %s, of the syscalls feature", k->what, syscalls);
	if (costly && !strncmp(costly, "pl_sys_exit", 11)) {
		/* Full watch on a kernel without trampolines or per-syscall tracepoints: sys_exit by design. */
		TEST_SKIP("%s runs %s on every syscall here (no BPF trampolines, no per-syscall tracepoints)", k->what,
			  costly);
		goto out;
	}
	if (runs >= RUNS_MAX)
		FAILF("%s: its programs ran %llu times during %d getppid() calls (at most %d allowed)", k->what,
		      (unsigned long long)runs, GETPPIDS, RUNS_MAX);
	printf("  %s: %llu runs of %d programs during %d getppid() calls\n", k->what, (unsigned long long)runs, p.n,
	       GETPPIDS);
out:
	stop(&r);
	unlink(metrics_path);
}

#define READY_FOLLOW "Ctrl-C to stop"

static const struct cost_case cases[] = {
	{ "tree --every", { "proclife", "tree", "--every", "86400", NULL }, READY_FOLLOW, false, true, true },
	{ "zombies --every", { "proclife", "zombies", "--every", "86400", NULL }, READY_FOLLOW, false, true, true },
	{ "top", { "proclife", "top", "--delay", "60", NULL }, "PROCESS", true, true, true },
	{ "tree --metrics-file", { "proclife", "tree", "--every", "86400", "--metrics-file", metrics_path, NULL },
	  READY_FOLLOW, false, true, false },
	{ "zombies --metrics-file", { "proclife", "zombies", "--every", "86400", "--metrics-file", metrics_path, NULL },
	  READY_FOLLOW, false, true, false },
	{ "watch -e none --metrics-file", { "proclife", "watch", "-e", "none", "--metrics-file", metrics_path, NULL },
	  READY_FOLLOW, false, true, false },
	{ "watch --json", { "proclife", "watch", "--json", "-o", "/dev/null", NULL }, READY_FOLLOW, false, false, false },
};

static bool have_terminfo(void)
{
	return access("/usr/share/terminfo/x/xterm", R_OK) == 0 || access("/lib/terminfo/x/xterm", R_OK) == 0 ||
	       access("/etc/terminfo/x/xterm", R_OK) == 0;
}

/* The commands of a consumer of states, metrics-only runs, full watch: 1 M getppid() each. */
void test_cost_getppid(void)
{
	bool in_vm = getenv("PROCLIFE_IN_VM");

	snprintf(metrics_path, sizeof(metrics_path), "/tmp/pl-cost-%d.prom", (int)getpid());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cost_case *k = &cases[i];
		char name[64];

		snprintf(name, sizeof(name), "test_cost_getppid_%s", k->argv[1]);
		for (int a = 2; k->argv[a]; a++)
			if (k->argv[a][0] == '-' && strcmp(k->argv[a], "-o") && strcmp(k->argv[a], "-e"))
				snprintf(name + strlen(name), sizeof(name) - strlen(name), "_%s", k->argv[a] + 2);
		for (char *c = name; *c; c++)
			*c = *c == '-' ? '_' : *c;
		if (!tl_begin(name))
			continue;
		/* In the emulated VMs only full watch (whose fexit programs are there to check): time is short. */
		if (in_vm && k->lean)
			TEST_SKIP("run on the host; the VMs check full watch with its fexit programs");
		else if (k->pty && !have_terminfo())
			TEST_SKIP("no terminfo entry for xterm: top cannot draw here");
		else
			run_case(k);
		tl_end();
	}
}

/* The check can fail: full watch forced onto sys_exit runs on every one of the getppid() calls. */
void test_cost_getppid_can_fail(void)
{
	char *argv[] = { "proclife", "watch", "--json", "-o", "/dev/null", NULL };
	struct running r = {};
	struct progs p;
	__u64 runs;

	if (!proclife_bin()) {
		TEST_SKIP("no proclife binary (build/proclife, /usr/local/bin/proclife or $PROCLIFE_BIN)");
		return;
	}
	harness__stop();
	if (start(&r, argv, "PROCLIFE_KERNEL_LACKS=trampoline,syscall_tp", false, READY_FOLLOW) < 0)
		goto out;
	runs = runs_during_getppids(&r, &p);
	ASSERT_GE(runs, GETPPIDS);
out:
	stop(&r);
}

/* ---- a consumer of states: what the kernel queues, and counts ---- */

static void on_rt(int sig)
{
}

#define SIG_RARE 43 /* SIGRTMIN+9: nothing else on the machine sends it */
/* What the lean tests need of the tracer they start (checked once it runs, not against the suite's last). */
#define LEAN_NEEDS (NEED(KF_CORE) | NEED(KF_SIGNALS) | NEED(KF_DELIVERY))
#define SELF_SIGNALS 20

/* Sends itself SELF_SIGNALS handled SIG_RARE, says so, then waits to be stopped, continued, killed. */
static int child_states(void *arg)
{
	int fd = *(int *)arg;

	signal(SIG_RARE, on_rt);
	for (int i = 0; i < SELF_SIGNALS; i++)
		kill(getpid(), SIG_RARE);
	write_int(fd, 1);
	for (;;)
		pause();
	return 0;
}

static bool pred_sig_target(const void *rec, const void *arg)
{
	const int *want = arg; /* [0] signal, [1] target pid */

	return ((const struct pl_signal *)rec)->sig == want[0] && ((const struct pl_signal *)rec)->target_pid == (__u32)want[1];
}

/*
 * A consumer of states (tree, top, zombies): handled signals queue
 * nothing, neither sent nor taken; a stop is taken (deliver), a SIGCONT is
 * sent (signal), and a fatal signal's sender is the exit's killed_by. No
 * program of the syscalls feature is loaded.
 */
void test_lean_signals(void)
{
	struct tracer_config cfg = harness__default_config();
	int rfd, st, usr[2], cont[2], stop = SIGSTOP, rare = SIG_RARE;
	const struct pl_exit *x;
	pid_t p;

	cfg.threads = false;
	cfg.lean = true;
	if (!ASSERT_EQ(harness__start(&cfg), 0) || harness__skip_unless(LEAN_NEEDS))
		return;
	ASSERT_EQ(harness__features()[KF_SYSCALLS].state, KF_UNUSED);
	p = spawn_piped(child_states, &rfd);
	ASSERT_EQ(read_int(rfd), 1);
	close(rfd);
	kill(p, SIGSTOP);
	ASSERT_EQ(waitpid(p, &st, WUNTRACED), p);
	ASSERT_TRUE(WIFSTOPPED(st));
	kill(p, SIGCONT);
	ASSERT_EQ(waitpid(p, &st, WCONTINUED), p);
	ASSERT_TRUE(WIFCONTINUED(st));
	kill(p, SIGTERM);
	st = wait_status(p);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

	ASSERT_TRUE(harness__wait(PL_EV_DELIVER, p, pred_sig, &stop));
	cont[0] = SIGCONT;
	cont[1] = p;
	ASSERT_TRUE(harness__wait(PL_EV_SIGNAL, getpid(), pred_sig_target, cont));
	x = harness__wait(PL_EV_EXIT, p, pred_process_exit, NULL);
	if (ASSERT_TRUE(x)) {
		ASSERT_EQ(x->status, SIGTERM);
		ASSERT_EQ(x->killer.sig, SIGTERM);
		ASSERT_EQ(x->killer.pid, getpid());
	}
	ASSERT_TRUE(harness__wait(PL_EV_REAP, p, NULL, NULL));
	harness__drain(50);
	usr[0] = SIG_RARE;
	usr[1] = p;
	ASSERT_EQ(harness__count(PL_EV_SIGNAL, p, pred_sig, &rare), 0);
	ASSERT_EQ(harness__count(PL_EV_DELIVER, p, pred_sig, &rare), 0);
	ASSERT_EQ(harness__count(PL_EV_SIGNAL, 0, pred_sig_target, usr), 0);
	/* Neither the stop nor the fatal signal is queued as sent: the stop is taken, the kill is killed_by. */
	ASSERT_EQ(harness__count(PL_EV_SIGNAL, getpid(), pred_sig, &stop), 0);
	ASSERT_EQ(harness__count(PL_EV_EXEC_FAILED, 0, NULL, NULL), 0);
	check_nothing_lost();
}

/* A file that cannot be executed (no #! and no ELF): execve() fails with ENOEXEC. */
static int child_noexec(void *arg)
{
	const char *path = arg;

	for (int i = 0; i < 3; i++)
		execl(path, path, (char *)NULL);
	return errno == ENOEXEC ? 0 : 1;
}

/*
 * Counted in the kernel (metrics-only runs): signals by signal and result,
 * deliveries, failed execs by errno and refused kills, as a scenario did
 * them; failed execs and refused kills only where the syscalls feature has
 * a program that costs the other syscalls nothing (fexit), else it is
 * reduced, says why, and counts none.
 */
void test_lean_counts(void)
{
	struct tracer_config cfg = harness__default_config();
	static __u64 before[PL_CNT_MAX], after[PL_CNT_MAX];
	const struct kfeature_status *sys;
	char path[64];
	int rfd, fd;
	pid_t p, q;
	bool counted;

	cfg.lean = true;
	cfg.counts = true;
	if (!ASSERT_EQ(harness__start(&cfg), 0) || harness__skip_unless(LEAN_NEEDS))
		return;
	sys = &harness__features()[KF_SYSCALLS];
	counted = sys->programs[0] != NULL;
	if (!counted) {
		ASSERT_EQ(sys->state, KF_REDUCED);
		ASSERT_TRUE(strstr(sys->why, "keeps states and counts") != NULL);
	} else {
		ASSERT_TRUE(!strncmp(sys->programs[0], "pl_fexit_", 9));
	}
	snprintf(path, sizeof(path), "/tmp/pl-noexec-%d", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT_EQ(write(fd, "\x01\x02\x03\x04garbage\n", 12), 12);
	close(fd);
	ASSERT_EQ(tracer__counts(harness__tracer(), before), 0);

	p = spawn_piped(child_states, &rfd);
	ASSERT_EQ(read_int(rfd), 1); /* SELF_SIGNALS delivered, each taken by the handler */
	close(rfd);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(kill(p, 0), 0); /* probes */
	kill(p, SIGKILL);
	wait_status(p);
	ASSERT_EQ(kill(p, SIG_RARE), -1); /* reaped: ESRCH, refused */
	q = spawn(child_noexec, path);
	ASSERT_EQ(wait_status(q), 0);
	unlink(path);
	ASSERT_EQ(tracer__counts(harness__tracer(), after), 0);

#define DELTA(i) ((long long)(after[i] - before[i]))
	ASSERT_EQ(DELTA(PL_CNT_SIGNAL(SIG_RARE, PL_SIG_DELIVERED)), SELF_SIGNALS);
	ASSERT_GE(DELTA(PL_CNT_DELIVER), SELF_SIGNALS);
	ASSERT_GE(DELTA(PL_CNT_SIGNAL(SIGKILL, PL_SIG_DELIVERED)), 1);
	ASSERT_EQ(DELTA(PL_CNT_SIGNAL(SIG_RARE, PL_SIG_FAILED)), counted ? 1 : 0);
	ASSERT_EQ(DELTA(PL_CNT_EXEC_FAILED(ENOEXEC)), counted ? 3 : 0);
	if (counted)
		ASSERT_GE(DELTA(PL_CNT_SIGNAL(0, PL_SIG_PROBE)), 2);
	else
		ASSERT_EQ(DELTA(PL_CNT_SIGNAL(0, PL_SIG_PROBE)), 0);
#undef DELTA
	harness__drain(50);
	/* Nothing of it queued but what changes a state: no handled signal, no failed exec. */
	ASSERT_EQ(harness__count(PL_EV_DELIVER, p, NULL, NULL), 0);
	ASSERT_EQ(harness__count(PL_EV_EXEC_FAILED, 0, NULL, NULL), 0);
	check_nothing_lost();
}

/* ---- where per-syscall tracepoints cannot be had: tracefs missing, perf_event_open() refused ---- */

#define TRACEFS_MAGIC 0x74726163

/* In a mount namespace of this process's own: tracefs unmounted everywhere (and debugfs, which brings it back). */
static int unmount_tracefs(void)
{
	static const char *const mnts[] = { "/sys/kernel/debug/tracing", "/sys/kernel/debug", TRACEFS_DEFAULT };

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(mnts) / sizeof(mnts[0]); i++)
		for (int k = 0; k < 16 && umount2(mnts[i], MNT_DETACH) == 0; k++)
			; /* stacked mounts too */
	return access(TRACEFS_DEFAULT "/events", F_OK) == 0 ? -EEXIST : 0;
}

/* Take CAP_SYS_ADMIN out of this process's effective set (CAP_BPF and CAP_PERFMON stay). */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

/* The syscalls feature's program and cost with full needs, in one line into fd (a child's report). */
static void report_syscalls(int fd)
{
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;
	char msg[512] = "", line[512];
	const struct kfeature_status *st;

	cfg.probe_only = true;
	if (tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg)) < 0) {
		snprintf(line, sizeof(line), "error %s", msg);
	} else {
		st = &tracer__features(t)[KF_SYSCALLS];
		snprintf(line, sizeof(line), "%s %s|%s", st->program ? st->program : "-", kfeature_state__name(st->state),
			 st->why);
	}
	tracer__free(t);
	if (write(fd, line, strlen(line) + 1) < 0)
		_exit(121);
}

static int child_no_tracefs(void *arg)
{
	int fd = *(int *)arg, r;
	char dir[256], why[256] = "", line[600];

	r = unmount_tracefs();
	if (r < 0) {
		snprintf(line, sizeof(line), "setup: cannot unmount tracefs here: %s", strerror(-r));
		return write(fd, line, strlen(line) + 1) < 0 ? 121 : 0;
	}
	/* Root may mount it again: mounted, found. */
	r = tracefs__events(dir, sizeof(dir), why, sizeof(why));
	snprintf(line, sizeof(line), "mount %d %s", r, r == 0 ? dir : why);
	if (write(fd, line, strlen(line) + 1) < 0)
		return 121;
	/* Without CAP_SYS_ADMIN it may not: said; and the syscalls feature takes another way. */
	r = unmount_tracefs();
	if (r == 0)
		r = drop_sys_admin();
	if (r < 0) {
		snprintf(line, sizeof(line), "setup: %s", strerror(-r));
		return write(fd, line, strlen(line) + 1) < 0 ? 121 : 0;
	}
	r = tracefs__events(dir, sizeof(dir), why, sizeof(why));
	snprintf(line, sizeof(line), "nocap %d %s", r, why);
	if (write(fd, line, strlen(line) + 1) < 0)
		return 121;
	report_syscalls(fd);
	return 0;
}

/* Reads NUL-terminated lines from a child into lines[n][512]: how many. */
static int read_lines(int fd, char lines[][512], int max)
{
	static char buf[4096];
	size_t have = 0;
	int n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (have < sizeof(buf) - 1 && poll(&p, 1, 3 * WAIT_MS) == 1) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);

		if (r <= 0)
			break;
		have += r;
	}
	for (size_t off = 0; off < have && n < max; off += strlen(buf + off) + 1)
		snprintf(lines[n++], 512, "%.511s", buf + off);
	return n;
}

/*
 * tracefs mounted nowhere (in a mount namespace of its own): root mounts
 * it at /sys/kernel/tracing and finds the tracepoints; without
 * CAP_SYS_ADMIN it says it may not, and the syscalls feature takes fexit or
 * sys_exit, never the per-syscall tracepoints.
 */
void test_tracefs_missing(void)
{
	char lines[4][512];
	int rfd, n;
	pid_t p;

	harness__stop();
	p = spawn_piped(child_no_tracefs, &rfd);
	n = read_lines(rfd, lines, 4);
	close(rfd);
	ASSERT_EQ(wait_status(p), 0);
	if (n >= 1 && !strncmp(lines[0], "setup:", 6)) {
		TEST_SKIP("%.200s", lines[0] + 7);
		return;
	}
	if (!ASSERT_EQ(n, 3))
		return;
	ASSERT_STREQ(lines[0], "mount 0 " TRACEFS_DEFAULT "/events");
	ASSERT_STREQ(lines[1], "nocap -13 tracefs is not mounted at " TRACEFS_DEFAULT
			       ", and proclife may not mount it (no CAP_SYS_ADMIN)");
	/*
	 * A kernel without bpf_task_from_pid(): libbpf 1.1 looks for the weak
	 * kfunc in the modules' BTF, which needs CAP_SYS_ADMIN, and the load
	 * fails whatever the variant (not this test's matter: said, not passed).
	 */
	if (strstr(lines[2], "failed to iterate BTF objects"))
		TEST_SKIP("without CAP_SYS_ADMIN nothing loads on this kernel: %.120s", lines[2] + 6);
	else if (!strncmp(lines[2], "pl_sc_exit", 10) || !strncmp(lines[2], "error", 5))
		FAILF("without tracefs, syscalls: %s", lines[2]);
	else if (strncmp(lines[2], "pl_fexit_", 9) &&
		 !(strstr(lines[2], "pl_sys_exit") == lines[2] && strstr(lines[2], "may not mount it")))
		FAILF("without tracefs, syscalls should be pl_sys_exit* saying why: %s", lines[2]);
}

/* perf_event_open() refused with EPERM, as a seccomp filter without it does (a systemd SystemCallFilter=). */
static int child_no_perf(void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_perf_event_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	int fd = *(int *)arg;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return 120;
	report_syscalls(fd);
	return 0;
}

/*
 * A seccomp filter without perf_event_open (a hardened unit's): the
 * syscalls feature takes fexit or sys_exit, and says why the tracepoints
 * could not be had.
 */
void test_perf_event_refused(void)
{
	char lines[2][512];
	int rfd, n;
	pid_t p;

	harness__stop();
	p = spawn_piped(child_no_perf, &rfd);
	n = read_lines(rfd, lines, 2);
	close(rfd);
	ASSERT_EQ(wait_status(p), 0);
	if (!ASSERT_EQ(n, 1))
		return;
	if (!strncmp(lines[0], "pl_sc_exit", 10) || !strncmp(lines[0], "error", 5))
		FAILF("perf_event_open() refused, syscalls: %s", lines[0]);
	else if (strncmp(lines[0], "pl_fexit_", 9) &&
		 !(strstr(lines[0], "pl_sys_exit") == lines[0] &&
		   strstr(lines[0], "perf_event_open() of a syscall tracepoint failed: Operation not permitted")))
		FAILF("perf_event_open() refused, syscalls should be pl_sys_exit* saying why: %s", lines[0]);
}

/* ---- a session that keeps states sees reaps at the release: /proc settles the zombies before ---- */

static int child_exit_now(void *arg)
{
	return 3;
}

/*
 * A lean session (tree's): a child that exited is a zombie in the model;
 * once this process has waited for it, live__confirm_zombies() retires it
 * at once, whether or not its release (an RCU grace period later) came yet.
 */
void test_lean_reap_confirmed(void)
{
	struct live_config cfg = { .model = true, .tracer = harness__default_config() };
	const struct proc *p;
	struct live *l = NULL;
	char msg[320];
	pid_t pid;
	long long deadline;

	harness__stop();
	cfg.tracer.lean = true;
	cfg.tracer.threads = false;
	if (!ASSERT_EQ(live__new(&cfg, &l, msg, sizeof(msg)), 0)) {
		FAILF("live__new: %s", msg);
		return;
	}
	pid = spawn(child_exit_now, NULL);
	/* A zombie until waited for: the model sees its exit. */
	deadline = now_ms() + WAIT_MS;
	while (!((p = model__find(live__model(l), pid)) && p->state == PROC_ZOMBIE) && now_ms() < deadline)
		live__poll(l, 20);
	if (!ASSERT_TRUE(p && p->state == PROC_ZOMBIE))
		goto out;
	ASSERT_EQ(wait_status(pid), 3 << 8);
	live__confirm_zombies(l);
	p = model__find(live__model(l), pid);
	ASSERT_TRUE(!p || p->state != PROC_ZOMBIE);
out:
	live__free(l);
}
