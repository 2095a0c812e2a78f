// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What one refresh of `top` or `tree` costs to learn every live process's
 * CPU time and memory, at N processes: the task iterator (feature
 * "sampling": one read() for all tasks, then into the model), against
 * reading each /proc/PID/stat (what ps and top do, and proclife's own
 * fallback), and against the peers' one look at every process (ps -e,
 * top -b -n 1). CPU time per refresh, user + system (the iterator's walk
 * runs in the read() here; the peers' is their own).
 *
 * Usage: sample N ROUNDS. Forks N idle processes, prints "key value" lines.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/procfs.h"
#include "model/model.h"
#include "session/live.h"

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double children_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* A peer's CPU per run (ms), its output to /dev/null; -1 when it cannot run. */
static double peer_ms(char *const argv[], int rounds)
{
	double t0 = children_cpu_s();

	fflush(stdout); /* not copied into the children */
	for (int i = 0; i < rounds; i++) {
		int st;
		pid_t p = fork();

		if (p == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(126);
			execvp(argv[0], argv);
			_exit(127);
		}
		if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
			return -1;
	}
	return (children_cpu_s() - t0) * 1000 / rounds;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, rounds = argc > 2 ? atoi(argv[2]) : 20, pipefd[2];
	struct live_config cfg = { .model = true, .proc_root = "/proc", .tracer.sample = true };
	pid_t *kids = calloc(n, sizeof(*kids));
	struct live *l = NULL;
	size_t sampled = 0, live = 0;
	char msg[256];
	double t0;
	int r;

	if (!kids || pipe(pipefd))
		return 1;
	/* Idle processes: each waits for EOF on the pipe (the benchmark's end). */
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char c;

			close(pipefd[1]);
			while (read(pipefd[0], &c, 1) > 0)
				;
			_exit(0);
		}
		if (kids[i] < 0) {
			fprintf(stderr, "sample: fork: only %d processes\n", i);
			n = i;
			break;
		}
	}
	close(pipefd[0]);
	r = live__new(&cfg, &l, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "sample: %s\n", msg);
		return 1;
	}
	for (int i = 0; i < 100 && live__poll(l, 0) > 0; i++)
		;
	live__sample(l); /* warm: buffers grown, pages touched */
	t0 = cpu_s();
	for (int i = 0; i < rounds; i++)
		live__sample(l);
	printf("iterator_ms_per_refresh %.3f\n", (cpu_s() - t0) * 1000 / rounds);
	for (__u32 s = 1; s < model__nslots(live__model(l)); s++) {
		const struct proc *p = model__slot(live__model(l), s);

		if (p->pid && p->state < PROC_ZOMBIE) {
			live++;
			sampled += model__sampled(live__model(l), p);
		}
	}
	printf("processes %zu\nsampled %zu\n", live, sampled);
	/* The same values from /proc: a file per process. */
	t0 = cpu_s();
	for (int i = 0; i < rounds; i++) {
		const struct model *m = live__model(l);

		for (__u32 s = 1; s < model__nslots(m); s++) {
			const struct proc *p = model__slot(m, s);
			struct proc_snapshot snap;

			if (p->pid && p->state < PROC_ZOMBIE)
				procfs__stat("/proc", p->pid, &snap);
		}
	}
	printf("procfs_ms_per_refresh %.3f\n", (cpu_s() - t0) * 1000 / rounds);
	{
		char *const ps[] = { "ps", "-e", "-o", "pid,time,rss", NULL };
		char *const top[] = { "top", "-b", "-n", "1", NULL };

		printf("ps_ms_per_run %.3f\n", peer_ms(ps, rounds < 5 ? rounds : 5));
		printf("top_ms_per_run %.3f\n", peer_ms(top, rounds < 5 ? rounds : 5));
	}
	live__free(l);
	close(pipefd[1]);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
	return 0;
}
