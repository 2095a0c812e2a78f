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

/* When a program is loaded besides its events (struct vprog's `when`). */
enum {
	VP_FOLLOW = 1 << 0, /* also to follow processes (-p, run) */
	VP_SAMPLE = 1 << 1, /* when sampling is asked for (it reports no event) */
};

/* One program of a variant. */
struct vprog {
	const char *name; /* its name in the object: VPROG() makes it from the same token as `at` */
	size_t at;        /* offsetof(struct proclife_bpf, progs.<name>) */
	__u32 events;     /* loaded when one of these is asked for (PL_EV_BIT mask) */
	__u8 when;        /* VP_* */
	__u8 lost;        /* the event type a run the kernel skipped would have reported (0: none said) */
};

struct variant {
	enum kfeature feature;
	__u32 needs;                       /* KCAP_* bits */
	const char *reduced;               /* NULL, or what the feature lacks with this variant */
	struct vprog progs[KF_PROGS_MAX];  /* up to the first without a name */
};

/* The table: *n variants, each feature's together and best first. */
const struct variant *variants__table(size_t *n);
/* The number of programs of v. */
int variant__nprogs(const struct variant *v);
/* The program p names in skel (the field at p->at). */
struct bpf_program *vprog__get(const struct vprog *p, const struct proclife_bpf *skel);
/* Is p needed for these events (PL_EV_BIT mask), following, sampling? */
bool vprog__wanted(const struct vprog *p, __u32 events, bool follow, bool sample);
/* Is feature f needed for them: is any program of its variants? */
bool variants__feature_wanted(enum kfeature f, __u32 events, bool follow, bool sample);
/* The program `proclife features` names for v: the first that is in no other variant of its feature. */
const struct vprog *variant__shown(const struct variant *v);

#endif
