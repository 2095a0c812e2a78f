// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/cgroups.h"
#include "harness.h"
#include "testlib.h"

struct rec {
	size_t size;
	unsigned char data[];
};

static struct tracer *tracer;
static struct rec **recs;
static size_t nrecs, caprecs;
static unsigned long long malformed;

static int collect(void *ctx, void *data, size_t size)
{
	struct rec *r;

	if (event__check(data, size)) {
		malformed++;
		return 0;
	}
	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 4096;
		recs = realloc(recs, caprecs * sizeof(*recs));
		if (!recs)
			abort();
	}
	r = malloc(sizeof(*r) + size);
	if (!r)
		abort();
	r->size = size;
	memcpy(r->data, data, size);
	recs[nrecs++] = r;
	return 0;
}

/* This host's cgroup layout, read once: the v1 hierarchy the events carry, as a live session does. */
const struct cg_host *harness__cgroups(void)
{
	static struct cg_host cg;
	static bool read;

	if (!read && cgroups__detect("/proc/self/mountinfo", &cg) < 0)
		memset(&cg, 0, sizeof(cg));
	read = true;
	return &cg;
}

struct tracer_config harness__default_config(void)
{
	const struct cg_host *cg = harness__cgroups();

	return (struct tracer_config){
		.events = PL_EV_ALL,
		.threads = true,
		.args_cap = PL_ARGS_DEFAULT,
		.cgroup1_controller = cg->v1_controller[0] ? cg->v1_controller : NULL,
	};
}

struct tracer *harness__tracer(void)
{
	return tracer;
}

int harness__start(const struct tracer_config *cfg)
{
	char msg[256];
	int r;

	harness__stop();
	r = tracer__new(cfg, collect, NULL, &tracer, msg, sizeof(msg));
	if (r)
		fprintf(stderr, "harness: %s\n", msg);
	return r;
}

int harness__follow(pid_t pid)
{
	return tracer__follow(tracer, pid);
}

/* Program runs the kernel skipped, of the tracers stopped so far. */
static unsigned long long skipped_before;

void harness__stop(void)
{
	if (tracer)
		skipped_before += tracer__skipped(tracer);
	tracer__free(tracer);
	tracer = NULL;
	harness__clear();
}

unsigned long long harness__skipped_total(void)
{
	return skipped_before + (tracer ? tracer__skipped(tracer) : 0);
}

int harness__wait_ms(void)
{
	static int ms;

	if (!ms)
		ms = getenv("PROCLIFE_IN_VM") ? 30000 : 10000;
	return ms;
}

const struct kfeature_status *harness__features(void)
{
	return tracer ? tracer__features(tracer) : NULL;
}

bool harness__skip_unless(unsigned needs)
{
	const struct kfeature_status *st = harness__features();

	if (!st)
		return false;
	for (int f = 0; f < KF_MAX; f++) {
		if (!(needs & NEED(f)))
			continue;
		/* KF_UNUSED: the tracer running now did not ask for it (a subtest's own config). */
		if (st[f].state == KF_OFF) {
			TEST_SKIP("%s is off on this kernel: %.160s", kfeature__title(f), st[f].why);
			return true;
		}
	}
	if ((needs & NEED_FULL_SYSCALLS) && st[KF_SYSCALLS].state == KF_REDUCED) {
		TEST_SKIP("%s", st[KF_SYSCALLS].why);
		return true;
	}
	if ((needs & NEED_FULL_CRED) && st[KF_CRED].state == KF_REDUCED) {
		TEST_SKIP("%s", st[KF_CRED].why);
		return true;
	}
	return false;
}

void harness__clear(void)
{
	for (size_t i = 0; i < nrecs; i++)
		free(recs[i]);
	nrecs = 0;
}

int harness__index(const void *rec)
{
	for (size_t i = 0; i < nrecs; i++)
		if ((const void *)recs[i]->data == rec)
			return (int)i;
	return -1;
}

const void *harness__find(unsigned type, __u32 pid, ev_pred pred, const void *arg)
{
	for (size_t i = 0; i < nrecs; i++) {
		const struct pl_hdr *h = (const void *)recs[i]->data;

		if ((!type || h->type == type) && (!pid || h->pid == pid) && (!pred || pred(h, arg)))
			return h;
	}
	return NULL;
}

int harness__count(unsigned type, __u32 pid, ev_pred pred, const void *arg)
{
	int n = 0;

	for (size_t i = 0; i < nrecs; i++) {
		const struct pl_hdr *h = (const void *)recs[i]->data;

		if ((!type || h->type == type) && (!pid || h->pid == pid) && (!pred || pred(h, arg)))
			n++;
	}
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

const void *harness__wait(unsigned type, __u32 pid, ev_pred pred, const void *arg)
{
	long long deadline = now_ms() + WAIT_MS;
	const void *r;

	while (!(r = harness__find(type, pid, pred, arg)) && now_ms() < deadline)
		tracer__poll(tracer, 20);
	return r;
}

int harness__wait_count(unsigned type, __u32 pid, ev_pred pred, const void *arg, int n)
{
	long long deadline = now_ms() + WAIT_MS;
	int got;

	while ((got = harness__count(type, pid, pred, arg)) < n && now_ms() < deadline)
		tracer__poll(tracer, 20);
	return got;
}

void harness__drain(int ms)
{
	long long deadline = now_ms() + ms;

	do
		tracer__poll(tracer, 10);
	while (now_ms() < deadline);
}

unsigned long long harness__lost_of(unsigned type)
{
	__u64 lost[PL_EV_MAX];

	if (!tracer || type >= PL_EV_MAX)
		return 0;
	tracer__lost(tracer, lost);
	return lost[type];
}

unsigned long long harness__lost(void)
{
	__u64 lost[PL_EV_MAX];
	unsigned long long sum = 0;

	if (!tracer)
		return 0;
	tracer__lost(tracer, lost);
	for (int i = 0; i < PL_EV_MAX; i++)
		sum += lost[i];
	return sum;
}

unsigned long long harness__malformed(void)
{
	return malformed;
}

bool pred_process_exit(const void *rec, const void *arg)
{
	return !(((const struct pl_hdr *)rec)->flags & PL_F_THREAD);
}

bool pred_thread(const void *rec, const void *arg)
{
	return ((const struct pl_hdr *)rec)->flags & PL_F_THREAD;
}

bool pred_sig(const void *rec, const void *arg)
{
	const struct pl_hdr *h = rec;
	int sig = *(const int *)arg;

	if (h->type == PL_EV_SIGNAL)
		return ((const struct pl_signal *)rec)->sig == sig;
	if (h->type == PL_EV_DELIVER)
		return ((const struct pl_deliver *)rec)->sig == sig;
	return false;
}

bool pred_target(const void *rec, const void *arg)
{
	return ((const struct pl_signal *)rec)->target_pid == (__u32) * (const pid_t *)arg;
}

pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

pid_t spawn_piped(int (*fn)(void *), int *rfd)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = spawn(fn, &fds[1]);
	close(fds[1]);
	*rfd = fds[0];
	return pid;
}

int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return st;
}

void write_int(int fd, int v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		_exit(120);
}

int read_int(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int v;

	if (poll(&p, 1, WAIT_MS) != 1 || read(fd, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

int exec_argv(const struct pl_exec *e, const char **argv, size_t *lens, int max)
{
	struct argv_iter it;
	int n = 0;

	argv_iter__init(&it, e);
	while (n < max && argv_iter__next(&it, &argv[n], &lens[n]))
		n++;
	return n;
}

/* A number from a one-line /proc file; -1 when it cannot be read. */
long long proc_number(pid_t pid, const char *name)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}
