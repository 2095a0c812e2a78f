// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Recognising containers from cgroup paths: each runtime's layouts, and hostile paths. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"
#include "kernel/cgroups.h"
#include "kernel/containers.h"

TL_DEFINE_STATE;

/* The tables below give only the fields that matter to each row. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define H1 "bdfb115b3338b64a5c1ab3a2a562fb96aef20ecd83565178223f0ea9111918d1"
#define H2 "1aed07dcb47a9d671be71dd668c5ff10b39fd5e7a5dd21cc0e7a2a25d41e77b8"
#define UID "5a0d7e4c-1b2f-4c3d-9e8f-7a6b5c4d3e2f"
#define UID_ "5a0d7e4c_1b2f_4c3d_9e8f_7a6b5c4d3e2f"

struct want {
	const char *path;
	int ret;
	enum ct_kind kind;
	enum ct_runtime runtime;
	const char *id, *ns, *pod_uid;
	long owner;
	const char *root;   /* the container's own cgroup: path[0, root_len) */
	bool confirm;
};

static void check(const struct want *w)
{
	struct ct_match m;
	int r = containers__match(w->path, &m);

	if (!ASSERT_EQ(r, w->ret) || r <= 0) {
		if (r != w->ret)
			printf("    path %s\n", w->path);
		return;
	}
	ASSERT_EQ(m.kind, w->kind);
	ASSERT_STREQ(containers__runtime_name(m.runtime), containers__runtime_name(w->runtime));
	ASSERT_STREQ(m.id, w->id ? w->id : "");
	ASSERT_STREQ(m.ns, w->ns ? w->ns : "");
	ASSERT_STREQ(m.pod_uid, w->pod_uid ? w->pod_uid : "");
	ASSERT_EQ(m.owner_uid, w->owner ? w->owner : -1);
	ASSERT_EQ(m.confirm, w->confirm);
	if (w->root && ASSERT_EQ(m.root_len, strlen(w->root)))
		ASSERT_TRUE(!strncmp(w->path, w->root, m.root_len));
}

#define RUN_WANTS(v)                                                   \
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) check(&v[i])

static void test_docker(void)
{
	static const struct want v[] = {
		/* cgroupfs (this host), systemd driver, and the container's own nesting below its root */
		{ "/docker/" H2, 1, CT_KIND_CONTAINER, CT_RT_DOCKER, H2, .root = "/docker/" H2 },
		{ "/system.slice/docker-" H2 ".scope", 1, CT_KIND_CONTAINER, CT_RT_DOCKER, H2,
		  .root = "/system.slice/docker-" H2 ".scope" },
		{ "/docker/" H2 "/init.scope", 1, CT_KIND_CONTAINER, CT_RT_DOCKER, H2, .root = "/docker/" H2 },
		/* docker-in-docker: the outer one is this host's */
		{ "/docker/" H2 "/docker/" H1, 1, CT_KIND_CONTAINER, CT_RT_DOCKER, H2, .root = "/docker/" H2 },
		/* dockerd itself is a host process */
		{ "/system.slice/docker.service", 0 },
	};
	RUN_WANTS(v);
}

static void test_podman(void)
{
	static const struct want v[] = {
		{ "/libpod_parent/libpod-" H1, 1, CT_KIND_CONTAINER, CT_RT_PODMAN, H1 },
		{ "/libpod_parent/conmon", 1, CT_KIND_RUNTIME, CT_RT_PODMAN, "" },
		{ "/machine.slice/libpod-" H1 ".scope", 1, CT_KIND_CONTAINER, CT_RT_PODMAN, H1 },
		{ "/machine.slice/libpod-" H1 ".scope/container", 1, CT_KIND_CONTAINER, CT_RT_PODMAN, H1,
		  .root = "/machine.slice/libpod-" H1 ".scope" },
		{ "/machine.slice/libpod-conmon-" H1 ".scope", 1, CT_KIND_RUNTIME, CT_RT_PODMAN, H1 },
		/* a pod's containers */
		{ "/machine.slice/machine-libpod_pod_" H2 ".slice/libpod-" H1 ".scope", 1, CT_KIND_CONTAINER,
		  CT_RT_PODMAN, H1 },
		/* rootless, under the user's systemd */
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" H1 ".scope", 1,
		  CT_KIND_CONTAINER, CT_RT_PODMAN, H1, .owner = 1000 },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" H1 ".scope/container", 1,
		  CT_KIND_CONTAINER, CT_RT_PODMAN, H1, .owner = 1000 },
	};
	RUN_WANTS(v);
}

static void test_containerd_crio(void)
{
	static const struct want v[] = {
		/* ctr: /<namespace>/<id>, to be confirmed from containerd's state */
		{ "/pltest/pltest-c1", 1, CT_KIND_CONTAINER, CT_RT_CONTAINERD, "pltest-c1", "pltest", .confirm = true },
		{ "/default/redis.1", 1, CT_KIND_CONTAINER, CT_RT_CONTAINERD, "redis.1", "default", .confirm = true,
		  .root = "/default/redis.1" },
		{ "/system.slice/cri-containerd-" H1 ".scope", 1, CT_KIND_CONTAINER, CT_RT_CONTAINERD, H1 },
		{ "/system.slice/crio-" H1 ".scope", 1, CT_KIND_CONTAINER, CT_RT_CRIO, H1 },
		{ "/system.slice/crio-conmon-" H1 ".scope", 1, CT_KIND_RUNTIME, CT_RT_CRIO, H1 },
		/* systemd units, the host's own processes at the top, one component: no candidates */
		{ "/system.slice/cron.service", 0 },
		{ "/user.slice/user-0.slice", 0 },
		{ "/init.scope", 0 },
		{ "/", 0 },
		{ "/onlyone", 0 },
		/* not containerd identifiers */
		{ "/ns/_bad", 0 },
		{ "/ns/a b", 0 },
	};
	RUN_WANTS(v);
}

static void test_kubernetes(void)
{
	static const struct want v[] = {
		/* systemd driver: the pod slice, then the runtime's scope */
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" H1
		  ".scope", 1, CT_KIND_CONTAINER, CT_RT_CONTAINERD, H1, .pod_uid = UID },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" H1 ".scope", 1,
		  CT_KIND_CONTAINER, CT_RT_CRIO, H1, .pod_uid = UID },
		/* Guaranteed pods sit right below kubepods */
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" H1 ".scope", 1, CT_KIND_CONTAINER,
		  CT_RT_CONTAINERD, H1, .pod_uid = UID },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/docker-" H1 ".scope",
		  1, CT_KIND_CONTAINER, CT_RT_DOCKER, H1, .pod_uid = UID },
		/* cgroupfs driver: the id alone, the runtime said by its state later */
		{ "/kubepods/besteffort/pod" UID "/" H1, 1, CT_KIND_CONTAINER, CT_RT_CRI, H1, .pod_uid = UID },
		{ "/kubepods/pod" UID "/" H1, 1, CT_KIND_CONTAINER, CT_RT_CRI, H1, .pod_uid = UID,
		  .root = "/kubepods/pod" UID "/" H1 },
		{ "/kubepods/burstable/pod" UID "/crio-" H1, 1, CT_KIND_CONTAINER, CT_RT_CRIO, H1, .pod_uid = UID },
		/* a kubelet under a --cgroup-root, and kind's nodes (a container each) */
		{ "/kube/kubepods/besteffort/pod" UID "/" H1, 1, CT_KIND_CONTAINER, CT_RT_CRI, H1, .pod_uid = UID },
		{ "/docker/" H2 "/kubelet/kubepods/besteffort/pod" UID "/" H1, 1, CT_KIND_CONTAINER, CT_RT_DOCKER,
		  H2 },
		/* the pod's own cgroup and the QoS slices hold no container */
		{ "/kubepods/besteffort/pod" UID, 0 },
		{ "/kubepods.slice/kubepods-besteffort.slice", 0 },
	};
	RUN_WANTS(v);
}

static void test_nspawn_lxc(void)
{
	static const struct want v[] = {
		{ "/machine.slice/machine-web.scope", 1, CT_KIND_CONTAINER, CT_RT_NSPAWN, "web" },
		{ "/machine.slice/machine-foo\\x2dbar.scope", 1, CT_KIND_CONTAINER, CT_RT_NSPAWN, "foo-bar" },
		{ "/machine.slice/machine-foo\\x2dbar.scope/payload", 1, CT_KIND_CONTAINER, CT_RT_NSPAWN, "foo-bar",
		  .root = "/machine.slice/machine-foo\\x2dbar.scope" },
		/* libvirt's VMs register there too: qemu is no container */
		{ "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope", 0 },
		{ "/lxc.payload.u1", 1, CT_KIND_CONTAINER, CT_RT_LXC, "u1" },
		{ "/lxc.payload.u1/system.slice/cron.service", 1, CT_KIND_CONTAINER, CT_RT_LXC, "u1",
		  .root = "/lxc.payload.u1" },
		{ "/lxc.monitor.u1", 1, CT_KIND_RUNTIME, CT_RT_LXC, "u1" },
		{ "/lxc/old1", 1, CT_KIND_CONTAINER, CT_RT_LXC, "old1" },
	};
	RUN_WANTS(v);
}

static void test_hostile(void)
{
	static const struct want v[] = {
		/* ids of the wrong length or alphabet */
		{ "/docker/" H2 "0", 0 },
		{ "/docker/" "1AED07DCB47A9D671BE71DD668C5FF10B39FD5E7A5DD21CC0E7A2A25D41E77B8", 0 },
		{ "/docker/1aed07dcb47a", 0 },
		{ "/system.slice/docker-" H2 ".scope.bak", 0 },
		{ "/system.slice/docker-" H2, 0 },
		{ "/libpod-conmon-x" H1, 0 },
		{ "/kubepods/besteffort/podnot-a-uid!/" H1, 0 },
		/* a look-alike a user made in the subtree systemd delegated to them: marked as theirs */
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/docker-" H2 ".scope", 1, CT_KIND_CONTAINER,
		  CT_RT_DOCKER, H2, .owner = 1000 },
		/* a user's two-level path is no containerd candidate */
		{ "/user.slice/user-1000.slice/user@1000.service/a/b", 0 },
		{ "/user@99999999999.service/x/y", 0 },
		/* relative, empty components */
		{ "docker/" H2, -EINVAL },
		{ "", -EINVAL },
		{ "//docker//" H2 "/", 1, CT_KIND_CONTAINER, CT_RT_DOCKER, H2 },
	};
	struct ct_match m;
	char *longpath = malloc(CG_PATH_MAX + 2);

	RUN_WANTS(v);
	/* too long: refused, never read past */
	memset(longpath, 'a', CG_PATH_MAX + 1);
	longpath[0] = '/';
	longpath[CG_PATH_MAX + 1] = '\0';
	ASSERT_EQ(containers__match(longpath, &m), -ENAMETOOLONG);
	/* a component of 300 characters after lxc.payload.: longer than an id can be */
	memset(longpath, 'b', 400);
	memcpy(longpath, "/lxc.payload.", 13);
	longpath[400] = '\0';
	ASSERT_EQ(containers__match(longpath, &m), 0);
	free(longpath);
}

static void test_names(void)
{
	ASSERT_STREQ(containers__runtime_name(CT_RT_CRIO), "cri-o");
	ASSERT_STREQ(containers__runtime_name(CT_RT_COUNT), "");
	ASSERT_TRUE(containers__is_hex64(H1, 64));
	ASSERT_FALSE(containers__is_hex64(H1, 63));
}

int main(void)
{
	tl_init("kernel/containers");
	RUN_TEST(test_docker);
	RUN_TEST(test_podman);
	RUN_TEST(test_containerd_crio);
	RUN_TEST(test_kubernetes);
	RUN_TEST(test_nspawn_lxc);
	RUN_TEST(test_hostile);
	RUN_TEST(test_names);
	return tl_finish();
}
