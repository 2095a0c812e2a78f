// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Workload: fork + exec /bin/true + wait, N times, by P spawners in parallel. Prints seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int spawn_n(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			return 1;
		if (pid == 0) {
			execl("/bin/true", "true", NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || st != 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, p = argc > 2 ? atol(argv[2]) : 1;
	double t0 = now();
	int bad = 0;

	if (n <= 0 || p <= 0) {
		fprintf(stderr, "usage: spawn N [PARALLEL]\n");
		return 2;
	}
	for (long i = 0; i < p; i++)
		if (fork() == 0)
			_exit(spawn_n(n / p));
	for (long i = 0; i < p; i++) {
		int st;

		wait(&st);
		bad |= st != 0;
	}
	printf("%.6f\n", now() - t0);
	return bad;
}
