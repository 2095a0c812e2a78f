// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Naming containers from the runtimes' state, over tests/unit/kernel/ctstate/:
 * a root holding what runc, Docker, Podman and containerd wrote on this host
 * (stripped to what matters), and CRI files of the same shape.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "kernel/ctnamer.h"

TL_DEFINE_STATE;

#define FIXTURE "tests/unit/kernel/ctstate"
#define PODMAN_ID "bdfb115b3338b64a5c1ab3a2a562fb96aef20ecd83565178223f0ea9111918d1"
#define DOCKER_ID "1aed07dcb47a9d671be71dd668c5ff10b39fd5e7a5dd21cc0e7a2a25d41e77b8"
#define CRI_ID "3f1e0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f"
#define CRIO_ID "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b"
#define POD_UID "5a0d7e4c-1b2f-4c3d-9e8f-7a6b5c4d3e2f"

static char root[4096];

static enum ct_state name_path(struct ct_env *env, const char *path, struct ct_info *ci)
{
	struct ct_match m;

	if (containers__match(path, &m) <= 0) {
		FAILF("%s: not recognised", path);
		return CT_STATE_NOT_FOUND;
	}
	return ctstate__name(env, &m, 1, ci);
}

static void test_podman(void)
{
	struct ct_env env;
	struct ct_info ci;
	char bundle[4096];

	ctstate__env_init(&env, root);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", PODMAN_ID, bundle, sizeof(bundle)), 0);
	ASSERT_STREQ(bundle, "/var/lib/containers/storage/overlay-containers/" PODMAN_ID "/userdata");
	ASSERT_EQ(name_path(&env, "/libpod_parent/libpod-" PODMAN_ID, &ci), CT_STATE_NAMED);
	ASSERT_STREQ(ci.name, "pltest-p1");
	ASSERT_STREQ(ci.image, "localhost/pltest-bb:1");
	ASSERT_STREQ(ci.id, PODMAN_ID);
	ASSERT_EQ(ci.runtime, CT_RT_PODMAN);
	/* Podman's conmon of every container: a runtime process, nothing to name. */
	ASSERT_EQ(name_path(&env, "/libpod_parent/conmon", &ci), CT_STATE_UNNAMED);
	ASSERT_EQ(ci.kind, CT_KIND_RUNTIME);
	/* A container whose state is not (yet) there keeps runtime and id. */
	ASSERT_EQ(name_path(&env, "/libpod_parent/libpod-" DOCKER_ID, &ci), CT_STATE_UNNAMED);
	ASSERT_STREQ(ci.id, DOCKER_ID);
	ASSERT_STREQ(ci.name, "");
}

static void test_docker(void)
{
	struct ct_env env;
	struct ct_info ci;

	ctstate__env_init(&env, root);
	/* The data root is found on dockerd's command line (fixture /proc/4242), not assumed. */
	ASSERT_EQ(ctstate__docker_roots(&env), 0);
	ASSERT_EQ(env.n_docker_roots, 1);
	ASSERT_STREQ(env.docker_roots[0], "/srv/docker");
	ASSERT_EQ(name_path(&env, "/docker/" DOCKER_ID, &ci), CT_STATE_NAMED);
	ASSERT_STREQ(ci.name, "pltest-d1");
	ASSERT_STREQ(ci.image, "pltest-bb:1");
	/* Looked for once; a miss looks again only after CT_DOCKER_RESCAN_NS. */
	ASSERT_EQ(env.docker_scans, 2);
	ASSERT_EQ(name_path(&env, "/docker/" PODMAN_ID, &ci), CT_STATE_UNNAMED);
	ASSERT_EQ(env.docker_scans, 2);
}

static void test_docker_roots_fallbacks(void)
{
	struct ct_env env;
	char dir[512];
	FILE *f;

	/* No dockerd running: daemon.json's data-root; without one, the default. */
	snprintf(dir, sizeof(dir), "/tmp/pl-ctstate-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir)))
		return;
	ctstate__env_init(&env, dir);
	ctstate__docker_roots(&env);
	ASSERT_EQ(env.n_docker_roots, 1);
	ASSERT_STREQ(env.docker_roots[0], "/var/lib/docker");
	strcat(dir, "/etc");
	mkdir(dir, 0755);
	strcat(dir, "/docker");
	mkdir(dir, 0755);
	strcat(dir, "/daemon.json");
	f = fopen(dir, "w");
	fputs("{\"data-root\": \"/data/docker\", \"iptables\": false}\n", f);
	fclose(f);
	ctstate__docker_roots(&env);
	ASSERT_STREQ(env.docker_roots[0], "/data/docker");
	snprintf(dir, sizeof(dir), "rm -rf %s", env.root);
	ASSERT_EQ(system(dir), 0);
}

static void test_containerd(void)
{
	struct ct_env env;
	struct ct_info ci;

	ctstate__env_init(&env, root);
	/* ctr: confirmed by its state; the id is its name; the image is only in containerd's database. */
	ASSERT_EQ(name_path(&env, "/pltest/pltest-c1", &ci), CT_STATE_NAMED);
	ASSERT_EQ(ci.runtime, CT_RT_CONTAINERD);
	ASSERT_STREQ(ci.name, "pltest-c1");
	ASSERT_STREQ(ci.ns, "pltest");
	ASSERT_STREQ(ci.image, "");
	/* A /<a>/<b> path with no containerd state: not a container. */
	ASSERT_EQ(name_path(&env, "/process_api/2c523b642ece988823dc783098216bc4", &ci), CT_STATE_NOT_FOUND);
	{
		struct ct_match m;

		ASSERT_EQ(containers__match("/pltest/..", &m), 0);
	}
}

static void test_cri(void)
{
	struct ct_env env;
	struct ct_info ci;

	ctstate__env_init(&env, root);
	/* cgroupfs Kubernetes path: the runtime comes from the annotations (containerd's CRI). */
	ASSERT_EQ(name_path(&env, "/kubepods/besteffort/pod" POD_UID "/" CRI_ID, &ci), CT_STATE_NAMED);
	ASSERT_STREQ(containers__runtime_name(ci.runtime), "containerd");
	ASSERT_STREQ(ci.name, "web");
	ASSERT_STREQ(ci.container, "web");
	ASSERT_STREQ(ci.pod, "web-7d9c-x2x4l");
	ASSERT_STREQ(ci.pod_namespace, "shop");
	ASSERT_STREQ(ci.pod_uid, POD_UID);
	ASSERT_STREQ(ci.image, "registry.example/web:2");
	ASSERT_FALSE(ci.sandbox);
	/* The systemd driver's cri-containerd-<id>.scope finds the same. */
	ASSERT_EQ(name_path(&env, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
			    "5a0d7e4c_1b2f_4c3d_9e8f_7a6b5c4d3e2f.slice/cri-containerd-" CRI_ID ".scope", &ci),
		  CT_STATE_NAMED);
	ASSERT_STREQ(ci.pod, "web-7d9c-x2x4l");
	/* CRI-O: its runc root, its bundle, its annotations. */
	ASSERT_EQ(name_path(&env, "/kubepods.slice/kubepods-pod5a0d7e4c_1b2f_4c3d_9e8f_7a6b5c4d3e2f.slice/crio-"
			    CRIO_ID ".scope", &ci), CT_STATE_NAMED);
	ASSERT_STREQ(containers__runtime_name(ci.runtime), "cri-o");
	ASSERT_STREQ(ci.name, "postgres");
	ASSERT_STREQ(ci.pod, "db-0");
	ASSERT_STREQ(ci.pod_namespace, "data");
	ASSERT_STREQ(ci.image, "docker.io/library/postgres:16");
}

static void test_path_named(void)
{
	struct ct_env env;
	struct ct_info ci;

	ctstate__env_init(&env, root);
	ASSERT_EQ(name_path(&env, "/machine.slice/machine-foo\\x2dbar.scope", &ci), CT_STATE_NAMED);
	ASSERT_STREQ(ci.name, "foo-bar");
	ASSERT_EQ(name_path(&env, "/lxc.payload.u1", &ci), CT_STATE_NAMED);
	ASSERT_STREQ(ci.name, "u1");
}

/* A file of size bytes (sparse), for the caps. */
static void make_file(const char *dir, const char *rel, const char *text, off_t size)
{
	char path[8192], *slash;
	int fd;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (text && write(fd, text, strlen(text)) < 0)
		FAILF("write %s", path);
	if (size && ftruncate(fd, size))
		FAILF("ftruncate %s", path);
	close(fd);
}

static void test_hostile_state(void)
{
	struct ct_env env;
	struct ct_info ci;
	char dir[256], bundle[4096];

	snprintf(dir, sizeof(dir), "/tmp/pl-ctstate-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir)))
		return;
	ctstate__env_init(&env, dir);
	/* Larger than the cap: refused unread. */
	make_file(dir, "/run/runc/big/state.json", NULL, CT_STATE_JSON_MAX + 1);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", "big", bundle, sizeof(bundle)), -EFBIG);
	/* Not JSON; JSON with no bundle; a relative bundle. */
	make_file(dir, "/run/runc/bad/state.json", "{\"config\":{\"labels\":[\"bundle=/x\"", 0);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", "bad", bundle, sizeof(bundle)), -EBADMSG);
	make_file(dir, "/run/runc/none/state.json", "{\"config\":{\"labels\":[\"a=b\"]}}", 0);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", "none", bundle, sizeof(bundle)), -EBADMSG);
	make_file(dir, "/run/runc/rel/state.json", "{\"config\":{\"labels\":[\"bundle=x/y\"]}}", 0);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", "rel", bundle, sizeof(bundle)), -EBADMSG);
	/* An annotation a tenant set to bundle=... comes before runc's own: the last one counts. */
	make_file(dir, "/run/runc/two/state.json",
		  "{\"config\": {\"labels\": [\"bundle=/evil\", \"x=1\", \"bundle=/real\"]}}", 0);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", "two", bundle, sizeof(bundle)), 0);
	ASSERT_STREQ(bundle, "/real");
	/* crun's status file. */
	make_file(dir, "/run/crun/c1/status", "{\"pid\": 7, \"bundle\": \"/b/c1\", \"rootfs\": \"/r\"}", 0);
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/crun", "c1", bundle, sizeof(bundle)), 0);
	ASSERT_STREQ(bundle, "/b/c1");
	/* ids that would leave the state root */
	ASSERT_EQ(ctstate__runc_bundle(&env, "/run/runc", "..", bundle, sizeof(bundle)), -EINVAL);
	ASSERT_EQ(ctstate__docker(&env, "/d", "a/b", &ci), -EINVAL);
	/* containers.json not written the way Go writes it: the whole file is parsed instead. */
	make_file(dir, "/s/overlay-containers/containers.json",
		  "[ {\"id\": \"" PODMAN_ID "\", \"names\": [\"spaced\"], \"image\": \"i1\"} ]", 0);
	make_file(dir, "/s/overlay-images/images.json", "[{\"id\":\"i1\",\"names\":[\"img:1\"]}]", 0);
	memset(&ci, 0, sizeof(ci));
	ASSERT_EQ(ctstate__podman(&env, "/s/overlay-containers/" PODMAN_ID "/userdata", PODMAN_ID, &ci), 0);
	ASSERT_STREQ(ci.name, "spaced");
	ASSERT_STREQ(ci.image, "img:1"); /* no metadata: the image store's name */
	ASSERT_EQ(ctstate__podman(&env, "/s/elsewhere/" PODMAN_ID "/userdata", PODMAN_ID, &ci), -ENOENT);
	/* A name longer than the field: cut, and said. */
	{
		char big[2048];

		snprintf(big, sizeof(big), "{\"Name\":\"/%0600d\",\"Config\":{\"Image\":\"i\"}}", 7);
		make_file(dir, "/d/containers/" DOCKER_ID "/config.v2.json", big, 0);
		memset(&ci, 0, sizeof(ci));
		ASSERT_EQ(ctstate__docker(&env, "/d", DOCKER_ID, &ci), 0);
		ASSERT_EQ(strlen(ci.name), CT_NAME_MAX - 1);
		ASSERT_TRUE(ci.truncated);
	}
	snprintf(bundle, sizeof(bundle), "rm -rf %s", dir);
	ASSERT_EQ(system(bundle), 0);
}

static void test_rootless_owner(void)
{
	struct ct_env env;
	struct ct_info ci;
	char dir[256], cmd[1024];
	const char *path = "/user.slice/user-4242.slice/user@4242.service/user.slice/libpod-" PODMAN_ID ".scope";

	snprintf(dir, sizeof(dir), "/tmp/pl-ctstate-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir)))
		return;
	ctstate__env_init(&env, dir);
	/* The user's runc root points at a bundle in their home; containers.json there. */
	make_file(dir, "/run/user/4242/runc/" PODMAN_ID "/state.json",
		  "{\"config\":{\"labels\":[\"bundle=/home/u/.local/share/containers/storage/overlay-containers/"
		  PODMAN_ID "/userdata\"]}}", 0);
	make_file(dir, "/home/u/.local/share/containers/storage/overlay-containers/containers.json",
		  "[{\"id\":\"" PODMAN_ID "\",\"names\":[\"mine\"],\"image\":\"x\",\"metadata\":"
		  "\"{\\\"image-name\\\":\\\"docker.io/u/app:1\\\"}\"}]", 0);
	/* Owned by someone else than uid 4242 (root, here): not trusted, runtime and id only. */
	ASSERT_EQ(name_path(&env, path, &ci), CT_STATE_UNNAMED);
	ASSERT_STREQ(ci.id, PODMAN_ID);
	if (geteuid() != 0) {
		TEST_SKIP("not root: cannot give the files to uid 4242");
	} else {
		snprintf(cmd, sizeof(cmd), "chown -R 4242 %s/run/user/4242 %s/home/u", dir, dir);
		ASSERT_EQ(system(cmd), 0);
		ASSERT_EQ(name_path(&env, path, &ci), CT_STATE_NAMED);
		ASSERT_STREQ(ci.name, "mine");
		ASSERT_STREQ(ci.image, "docker.io/u/app:1");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ASSERT_EQ(system(cmd), 0);
}

static int named_count;

static void on_named(void *ctx, const char *cgroup, const struct ct_info *ci)
{
	named_count++;
	ASSERT_STREQ(ci->name, "late");
	ASSERT_STREQ(cgroup, "/docker/" DOCKER_ID); /* its own cgroup, not the path looked up below it */
}

static void test_namer_retries(void)
{
	struct ct_namer n;
	const struct ct_info *ci;
	enum ct_state st;
	char dir[256], cmd[1024];
	const char *path = "/docker/" DOCKER_ID;
	__u64 t = 1000000000ull;

	snprintf(dir, sizeof(dir), "/tmp/pl-ctstate-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(dir)))
		return;
	ASSERT_EQ(ct_namer__init(&n, dir), 0);
	/* The first events of a container come before Docker wrote its config: runtime and id at once. */
	ci = ct_namer__lookup(&n, path, t, &st);
	if (!ASSERT_TRUE(ci))
		goto out;
	ASSERT_EQ(st, CT_STATE_UNNAMED);
	ASSERT_STREQ(ci->id, DOCKER_ID);
	ASSERT_EQ(n.namings, 1);
	/* Nested cgroups of the same container share its entry; nothing is tried before it is due. */
	ASSERT_TRUE(ct_namer__lookup(&n, "/docker/" DOCKER_ID "/init.scope", t + 1, &st) == ci);
	ASSERT_EQ(ct_namer__retry(&n, t + CT_RETRY_FIRST_NS - 1, on_named, NULL), 0);
	ASSERT_EQ(n.namings, 1);
	make_file(dir, "/var/lib/docker/containers/" DOCKER_ID "/config.v2.json",
		  "{\"Name\":\"/late\",\"Config\":{\"Image\":\"bb:1\"}}", 0);
	/* Due: named now, said once; a later look-up costs no naming. */
	ASSERT_EQ(ct_namer__retry(&n, t + 2 * CT_DOCKER_RESCAN_NS, on_named, NULL), 1);
	ASSERT_EQ(named_count, 1);
	ASSERT_TRUE(ct_namer__lookup(&n, path, t + 3 * CT_DOCKER_RESCAN_NS, &st) == ci);
	ASSERT_EQ(st, CT_STATE_NAMED);
	ASSERT_STREQ(ci->image, "bb:1");
	ASSERT_EQ(n.namings, 2);
	/* A container that never gets named: tried CT_TRIES times in all, then left with runtime and id. */
	ci = ct_namer__lookup(&n, "/docker/" PODMAN_ID, t, &st);
	for (int i = 1; i < 100; i++)
		ct_namer__retry(&n, t + (__u64)i * 10 * CT_DOCKER_RESCAN_NS, NULL, NULL);
	ASSERT_EQ(n.namings, 2 + CT_TRIES);
	ASSERT_EQ(ct_namer__lookup(&n, "/docker/" PODMAN_ID, t + 1000 * CT_DOCKER_RESCAN_NS, &st) == ci, 1);
	ASSERT_EQ(st, CT_STATE_UNNAMED);
	/* Host paths: NULL, nothing cached. */
	ASSERT_TRUE(ct_namer__lookup(&n, "/", t, &st) == NULL);
	ASSERT_EQ(st, CT_STATE_NOT_FOUND);
out:
	ct_namer__free(&n);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ASSERT_EQ(system(cmd), 0);
}

int main(void)
{
	tl_init("kernel/ctstate");
	if (!realpath(FIXTURE, root)) {
		printf("FAIL kernel/ctstate/fixture: %s not found (run from the repository's top)\n", FIXTURE);
		return 1;
	}
	RUN_TEST(test_podman);
	RUN_TEST(test_docker);
	RUN_TEST(test_docker_roots_fallbacks);
	RUN_TEST(test_containerd);
	RUN_TEST(test_cri);
	RUN_TEST(test_path_named);
	RUN_TEST(test_hostile_state);
	RUN_TEST(test_rootless_owner);
	RUN_TEST(test_namer_retries);
	return tl_finish();
}
