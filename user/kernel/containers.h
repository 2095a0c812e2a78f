/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Recognising a container from its cgroup path: pure functions over one
 * table of patterns (containers.c), no file read.
 *
 * A path is read component by component from the root. Kubernetes pod
 * components (kubepods-<qos>-pod<uid>.slice, kubepods/<qos>/pod<uid>) give
 * the pod uid; the first component that names a container (or a runtime's
 * own process, like Podman's conmon) decides, and everything below it is
 * that container's own nesting (/docker/<id>/init.scope). The outermost
 * match wins because its runtime is the one on this host whose state names
 * it (a container inside a container is the outer one's business).
 *
 * One pattern is ambiguous from the path alone: containerd's
 * /<namespace>/<id>. It comes back with `confirm` set; the caller confirms
 * it from containerd's state on disk (ctstate.h) or drops it.
 *
 * A path under user@UID.service is a user's delegated subtree (rootless
 * Podman, rootless Docker): `owner_uid` says whose, so that only that
 * user's runtime state is trusted to name it (the user can make any
 * directory there, look-alikes of root's containers included).
 */
#ifndef PROCLIFE_CONTAINERS_H
#define PROCLIFE_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>

enum ct_runtime {
	CT_RT_NONE,
	CT_RT_DOCKER,
	CT_RT_PODMAN,
	CT_RT_CONTAINERD,
	CT_RT_CRIO,
	CT_RT_CRI,     /* a Kubernetes container whose runtime the path does not say */
	CT_RT_NSPAWN,
	CT_RT_LXC,
	CT_RT_COUNT,
};

enum ct_kind {
	CT_KIND_HOST,      /* not in a container */
	CT_KIND_CONTAINER,
	CT_KIND_RUNTIME,   /* a runtime's own process beside its containers (conmon, lxc monitor) */
};

#define CT_ID_MAX  256 /* 64 hex digits for most; containerd ids and machine names are longer */
#define CT_UID_MAX 40  /* a pod uid: 36 characters */

struct ct_match {
	enum ct_kind kind;
	enum ct_runtime runtime;
	bool confirm;              /* containerd /<ns>/<id>: only if its state says so */
	char id[CT_ID_MAX];        /* the full id; nspawn, LXC: the name; "" for conmon of all */
	char ns[CT_ID_MAX];        /* containerd's namespace, when the path gives it */
	char pod_uid[CT_UID_MAX];  /* Kubernetes, with '-' (slices write '_') */
	long owner_uid;            /* under user@UID.service: UID; else -1 */
	size_t root_len;           /* path[0, root_len) is the container's own cgroup */
};

/*
 * Recognises path (a cgroup path from its hierarchy's root, "/..."). 1: a
 * container or a runtime's own process (m->kind), 0: the host's, -EINVAL:
 * not an absolute path, -ENAMETOOLONG: longer than CG_PATH_MAX.
 */
int containers__match(const char *path, struct ct_match *m);

/* "docker", "podman", "containerd", "cri-o", "cri", "systemd-nspawn", "lxc"; "" for none. */
const char *containers__runtime_name(enum ct_runtime rt);

/* Whether s is a full id: 64 lowercase hex digits, nothing else. */
bool containers__is_hex64(const char *s, size_t len);

#endif
