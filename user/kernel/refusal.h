/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which program of a BPF object the kernel refused, told without reading
 * libbpf's messages. libbpf 1.1 keeps no load result per program after a
 * failed bpf_object__load(), but each program can have a log buffer of its
 * own, and the kernel writes only the refused one's: libbpf asks for a log
 * (level 1) only when a load fails.
 *
 * A refusal before the verifier runs writes no log at all (EPERM for a
 * fentry program where trampolines are not allowed, measured here; libbpf
 * refusing a program itself). Then a second load that asks every program
 * for its statistics (BPF_LOG_STATS: a few lines each, from the verifier)
 * tells those that loaded from the one that ended the load: programs load
 * in the object's order and the first refusal ends the load, so the
 * refused one is the first without a log. When that is the object's first
 * program, the object itself may as well have failed before any program
 * (a map the kernel refuses): the caller tells by loading it once with no
 * program at all.
 */
#ifndef PROCLIFE_REFUSAL_H
#define PROCLIFE_REFUSAL_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;
struct bpf_program;

struct refusal {
	struct bpf_program **progs; /* the object's autoloaded programs, in its order */
	char **logs;                /* each one's log buffer */
	int n;
	bool stats;                 /* every program asked for its statistics */
};

/*
 * Before bpf_object__load(): a log buffer of its own for each program to
 * be loaded, and with stats, BPF_LOG_STATS asked of each. 0 or -ENOMEM.
 */
int refusal__arm(struct refusal *r, struct bpf_object *obj, bool stats);
/* After a failed load: the index (into progs, logs) of the refused program, or -1 when none can be told. */
int refusal__culprit(const struct refusal *r);
void refusal__free(struct refusal *r);

/*
 * Of n logs in load order, the index of the refused program's, or -1.
 * Without stats: the log written. With stats: the first empty one.
 */
int refusal__pick(const char *const logs[], int n, bool stats);

/*
 * Why, in one line: the verifier's complaint (its log's last line before
 * "processed N insns"), or without a log, the load's error (err < 0).
 */
void refusal__why(const char *prog, const char *log, int err, char *why, size_t len);

#endif
