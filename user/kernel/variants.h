/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The program variants of every feature, in one table (variants.c). A
 * feature lists its variants best first, each with what it needs of the
 * kernel (KCAP_*), what the feature lacks with it, and its programs as
 * fields of the skeleton, so that a program the BPF object does not have
 * does not compile. Per program: when it is loaded (the events asked for,
 * following, sampling) and which event a run the kernel skipped loses.
 * The loader (tracer.c) takes the first variant whose needs the kernel
 * meets, and the next when the kernel refuses it.
 */
#ifndef PROCLIFE_VARIANTS_H
#define PROCLIFE_VARIANTS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/kfeatures.h"

struct bpf_program;
struct proclife_bpf;

/*
 * When a program is loaded besides its events (struct vprog's `when`). A
 * consumer of states and counts (struct vwant's lean: tree, top, zombies,
 * metrics-only runs) takes only the programs marked for it.
 */
enum {
	VP_FOLLOW = 1 << 0, /* also to follow processes (-p, run) */
	VP_SAMPLE = 1 << 1, /* when sampling is asked for (it reports no event) */
	VP_STATES = 1 << 2, /* also for a consumer of states, for its events (the BPF side queues less: cfg_lean) */
	VP_COUNTS = 1 << 3, /* also to count (struct vwant's counts): what a metrics-only run counts in the kernel */
};

/* One program of a variant. */
struct vprog {
	const char *name; /* its name in the object: VPROG() makes it from the same token as `at` */
	size_t at;        /* offsetof(struct proclife_bpf, progs.<name>) */
	__u32 events;     /* loaded when one of these is asked for (PL_EV_BIT mask) */
	__u8 when;        /* VP_* */
	__u8 lost;        /* the event type a run the kernel skipped would have reported (0: none said) */
	/*
	 * NULL: attached where its section says. Else a SEC("tracepoint")
	 * program attached to the exit tracepoint of each of these syscalls,
	 * comma-separated (syscalls:sys_exit_NAME), one link each: the per-syscall
	 * tracepoint variant of a feature (VPROG_SYSCALLS()).
	 */
	const char *sys_exits;
};

/*
 * What a variant costs the syscalls it does not report on, every syscall
 * of every task: its programs run on them, or make the kernel take its
 * slow path for them. A consumer of states and counts takes none that
 * costs. Told from the programs themselves (variant__cost()).
 */
enum vcost {
	VCOST_NONE = 0,
	VCOST_SLOW_PATH,     /* a per-syscall tracepoint: every syscall takes the slow path (~13 ns here) */
	VCOST_EVERY_SYSCALL, /* a program on every syscall's return (sys_exit), the slow path too (~40 ns) */
};

struct variant {
	enum kfeature feature;
	__u32 needs;                       /* KCAP_* bits */
	const char *reduced;               /* NULL, or what the feature lacks with this variant */
	struct vprog progs[KF_PROGS_MAX];  /* up to the first without a name */
};

/* What a consumer asks of the kernel: which programs of a variant it needs. */
struct vwant {
	__u32 events;  /* PL_EV_BIT mask */
	bool follow;   /* follows processes (-p, run) */
	bool sample;   /* samples CPU and memory */
	bool lean;     /* keeps states and counts, not every event: VP_STATES programs for its events */
	bool counts;   /* counts in the kernel: VP_COUNTS programs */
};

/* The table: *n variants, each feature's together and best first. */
const struct variant *variants__table(size_t *n);
/* The number of programs of v. */
int variant__nprogs(const struct variant *v);
/* The program p names in skel (the field at p->at). */
struct bpf_program *vprog__get(const struct vprog *p, const struct proclife_bpf *skel);
/* Is p needed by a consumer that asks for w? */
bool vprog__wanted(const struct vprog *p, const struct vwant *w);
/* Is feature f needed by it: is any program of its variants? */
bool variants__feature_wanted(enum kfeature f, const struct vwant *w);
/* What v costs every syscall: a program on a raw syscall tracepoint, or on per-syscall tracepoints (sys_exits). */
enum vcost variant__cost(const struct variant *v, const struct proclife_bpf *skel);
/* "per-syscall tracepoints ..." for a cost: what `proclife features` says of it; NULL for VCOST_NONE. */
const char *vcost__what(enum vcost c);
/* The program `proclife features` names for v: the first that is in no other variant of its feature. */
const struct vprog *variant__shown(const struct variant *v);

#endif
