// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "kernel/refusal.h"

/*
 * A refused program's whole verifier log fits (`features --verbose` shows
 * it). Untouched pages cost nothing: malloc() maps a buffer this big and
 * only the refused program's is written.
 */
#define REFUSAL_LOG_SIZE (4u << 20)
/* BPF_LOG_STATS (the kernel's bpf_verifier.h; libbpf.h: log level 4): statistics, also of a program that loads. */
#define LOG_STATS 4

int refusal__arm(struct refusal *r, struct bpf_object *obj, bool stats)
{
	struct bpf_program *p;
	int n = 0;

	memset(r, 0, sizeof(*r));
	r->stats = stats;
	bpf_object__for_each_program(p, obj)
		n += bpf_program__autoload(p);
	r->progs = calloc(n ? n : 1, sizeof(*r->progs));
	r->logs = calloc(n ? n : 1, sizeof(*r->logs));
	if (!r->progs || !r->logs)
		goto fail;
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		r->logs[r->n] = malloc(REFUSAL_LOG_SIZE);
		if (!r->logs[r->n])
			goto fail;
		r->logs[r->n][0] = '\0';
		r->progs[r->n++] = p;
		bpf_program__set_log_buf(p, r->logs[r->n - 1], REFUSAL_LOG_SIZE);
		if (stats)
			bpf_program__set_log_level(p, LOG_STATS);
	}
	return 0;
fail:
	refusal__free(r);
	return -ENOMEM;
}

int refusal__pick(const char *const logs[], int n, bool stats)
{
	int written = -1;

	for (int i = 0; i < n; i++) {
		bool empty = !logs[i] || !logs[i][0];

		if (stats && empty)
			return i;
		if (!empty)
			written = i;
	}
	return stats ? -1 : written;
}

int refusal__culprit(const struct refusal *r)
{
	return refusal__pick((const char *const *)r->logs, r->n, r->stats);
}

void refusal__free(struct refusal *r)
{
	/* libbpf loads an object once (a second load is refused): its programs never write here again. */
	for (int i = 0; i < r->n; i++)
		free(r->logs[i]);
	free(r->progs);
	free(r->logs);
	memset(r, 0, sizeof(*r));
}

void refusal__why(const char *prog, const char *log, int err, char *why, size_t len)
{
	const char *end, *start;

	if (!log || !*log) {
		snprintf(why, len, "the kernel refused %s: %s", prog, strerror(err < 0 ? -err : EINVAL));
		return;
	}
	/* The verifier's complaint is the last line before "processed N insns". */
	end = strstr(log, "\nprocessed ");
	end = end ? end : log + strlen(log);
	while (end > log && end[-1] == '\n')
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(why, len, "the verifier refused %s: %.*s", prog, (int)(end - start), start);
}
