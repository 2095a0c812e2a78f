/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A process's cgroup and container, as every view shows them: the JSON
 * fields, the tag of a tree's line, the column of watch's text. Names and
 * images are chosen by tenants: they are escaped like argv.
 */
#ifndef PROCLIFE_VIEW_CTFMT_H
#define PROCLIFE_VIEW_CTFMT_H

#include <linux/types.h>
#include <stdbool.h>

#include "base/outbuf.h"
#include "model/ctreg.h"
#include "model/model.h"
#include "views/json.h"

/* watch's text column: its width, the space after it included. */
#define CTFMT_COLUMN 20
/* A short id: its first 12 hex digits, as the runtimes print them. */
#define CTFMT_SHORT_ID 12

/* What the registry says of a process's cgroups (reg NULL: nothing known). */
const struct ct_subject *ctfmt__of_proc(struct ctreg *reg, const struct proc *p);
/* The same for an event's subject. */
const struct ct_subject *ctfmt__of_hdr(struct ctreg *reg, const struct pl_hdr *h);
/* The container of a process, or NULL (host, or not known). */
const struct ct_ref *ctfmt__container(struct ctreg *reg, const struct proc *p);

/*
 * The container of a signal's target as the model has it (NULL: the host's,
 * or not known), and whether a process sent it across a container's
 * boundary: from the host or another container (false when either is not
 * known, and for what the kernel sends, such as SIGCHLD).
 */
const struct ct_ref *ctfmt__target(struct ctreg *reg, const struct model *m, const struct pl_signal *e,
				   bool *crosses);

/* "container": null, or {"runtime", "id", "name", "image", "pod", "namespace", "pod_uid", "container"}. */
void ctfmt__json(struct json *j, const char *key, const struct ct_ref *ct);
/* "cgroup": the path or null, then "container" (above). */
void ctfmt__json_fields(struct json *j, const struct ct_subject *s);

/* "docker pltest 451466daa4e1": runtime, name (Kubernetes: namespace/pod/container) if known, short id. */
void ctfmt__tag(struct outbuf *ob, const struct ct_ref *ct);
/* The name (Kubernetes: the pod's and the container's), else "runtime:short id": at most max columns. */
void ctfmt__short(struct outbuf *ob, const struct ct_ref *ct, unsigned max);
/* watch's column: ctfmt__short, padded to CTFMT_COLUMN; blank for a host process. */
void ctfmt__column(struct outbuf *ob, const struct ct_ref *ct);

#endif
