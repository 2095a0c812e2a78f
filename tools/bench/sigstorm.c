// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Workload: a process sends itself N handled signals as fast as it can. Prints seconds. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got++;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec a, b;
	pid_t me = getpid();

	if (n <= 0) {
		fprintf(stderr, "usage: sigstorm N\n");
		return 2;
	}
	sigaction(SIGUSR1, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		kill(me, SIGUSR1); /* delivered before kill() returns */
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return got == n ? 0 : 1;
}
