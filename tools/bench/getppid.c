// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Workload: N getppid() calls in a loop, a syscall that does almost nothing
 * (tens of ns): what a tracer costs every unrelated syscall shows in full.
 * Prints seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec a, b;
	long sum = 0;

	if (n <= 0) {
		fprintf(stderr, "usage: getppid N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	/* syscall(): the C library may not cache getppid(), but says nothing of it either. */
	for (long i = 0; i < n; i++)
		sum += syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return sum > 0 ? 0 : 1;
}
