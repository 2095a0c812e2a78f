/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Naming a container from its runtime's state on disk: no daemon API, no
 * network, files only, each read capped in size.
 *
 *   runc, crun       <runc root>/<id>/state.json (crun: <root>/<id>/status) give the
 *                    OCI bundle; its config.json's annotations name Kubernetes
 *                    containers (containerd's CRI: io.kubernetes.cri.*; CRI-O:
 *                    io.kubernetes.*, io.kubernetes.cri-o.*).
 *   Docker           <data root>/containers/<id>/config.v2.json (Name, Config.Image); the
 *                    data root from the running dockerd's --data-root, else
 *                    /etc/docker/daemon.json's data-root, else /var/lib/docker.
 *   Podman           the bundle (from runc's state) is <graph root>/<driver>-containers/
 *                    <id>/userdata; containers.json beside it gives the names and the
 *                    image (metadata's image-name; else the image store's images.json).
 *   containerd       /run/containerd/runc/<namespace>/<id>: its existence confirms a
 *                    /<ns>/<id> path; the name is the id (ctr names none other); the
 *                    image lives only in containerd's BoltDB: not read.
 *   nspawn, LXC      the name is in the path.
 *
 * State that cannot be read (a rootless runtime's 0700 home, ProtectHome)
 * leaves the runtime and the id. Names are the tenants' bytes (valid UTF-8:
 * the JSON parser checks that), kept as they are: printing escapes them.
 */
#ifndef PROCLIFE_CTSTATE_H
#define PROCLIFE_CTSTATE_H

#include <linux/types.h>
#include <stdbool.h>

#include "kernel/containers.h"

#define CT_NAME_MAX  256 /* Kubernetes names are at most 253 bytes */
#define CT_IMAGE_MAX 512 /* a reference with a digest */

struct ct_info {
	enum ct_runtime runtime;   /* refined from the state: a "cri" container turns containerd or cri-o */
	enum ct_kind kind;
	char id[CT_ID_MAX];
	char ns[CT_ID_MAX];        /* containerd's namespace */
	char name[CT_NAME_MAX];    /* "": not known; Kubernetes: the container's name in its pod */
	char image[CT_IMAGE_MAX];  /* "": not known */
	/* Kubernetes ("" when not) */
	char pod[CT_NAME_MAX];
	char pod_namespace[CT_NAME_MAX];
	char pod_uid[CT_UID_MAX];
	char container[CT_NAME_MAX];
	bool sandbox;              /* the pod's sandbox (pause) container */
	bool truncated;            /* a value was longer than its field and was cut */
};

/* Where the state is: a root directory prefixed to every path ("" on a host; a fixture in tests). */
struct ct_env {
	char root[256];
	/* Docker's data roots, found from the running dockerds: cached, looked for again on a miss. */
	char docker_roots[4][256];
	int n_docker_roots;
	__u64 docker_roots_at;     /* when they were looked for (monotonic ns); 0: never */
	long owner_uid;            /* while naming a user's container: files must be that user's; else -1 */
	/* What it did, for tests and measurements. */
	unsigned long files_read, bytes_read, docker_scans;
};

/* Caps on what one naming reads. */
#define CT_STATE_JSON_MAX      (4u << 20)  /* runc's state.json: ~35 KiB here */
#define CT_CONFIG_JSON_MAX     (4u << 20)  /* an OCI config.json, Docker's config.v2.json */
#define CT_CONTAINERS_JSON_MAX (64u << 20) /* Podman's containers.json: ~600 bytes a container */
#define CT_DOCKER_RESCAN_NS    1000000000ull

enum ct_state {
	CT_STATE_NAMED = 1,     /* name (and what else the runtime keeps) known */
	CT_STATE_UNNAMED = 0,   /* a container, runtime and id known, its name not (yet) */
	CT_STATE_NOT_FOUND = -1, /* a containerd candidate its state does not confirm (yet) */
};

void ctstate__env_init(struct ct_env *env, const char *root);

/*
 * Names the container m recognised (kind container or runtime) into *out
 * (runtime, kind, id, ns and pod uid always copied from m). now_ns is a
 * monotonic clock, for the Docker data root look-up. Returns a ct_state.
 */
enum ct_state ctstate__name(struct ct_env *env, const struct ct_match *m, __u64 now_ns, struct ct_info *out);

/* The parts, for tests. Each returns 0 or -errno. */
int ctstate__runc_bundle(struct ct_env *env, const char *state_root, const char *id, char *bundle, size_t size);
int ctstate__docker(struct ct_env *env, const char *data_root, const char *id, struct ct_info *out);
int ctstate__podman(struct ct_env *env, const char *bundle, const char *id, struct ct_info *out);
int ctstate__annotations(struct ct_env *env, const char *bundle, struct ct_info *out);
/* Docker's data roots from the running dockerds (or daemon.json, or the default) into env. */
int ctstate__docker_roots(struct ct_env *env);

#endif
