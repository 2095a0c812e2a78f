// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The cgroup layout from mountinfo, /proc/PID/cgroup, and ids to paths over a fake hierarchy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "kernel/cgroups.h"

TL_DEFINE_STATE;

/* This host's (Linux 6.18, a Firecracker VM's init): v1 controllers, name=systemd, and cgroup2 beside them. */
static const char hybrid[] =
	"22 1 253:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* Debian 12 with systemd: one cgroup2 mount, with the optional fields systemd's mounts carry. */
static const char pure_v2[] =
	"25 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
	"30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

/* CentOS 7 style: v1 only, cpu and cpuacct together, no pids controller. */
static const char pure_v1[] =
	"24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:6 - tmpfs tmpfs ro,mode=755\n"
	"25 24 0:21 / /sys/fs/cgroup/systemd rw,nosuid shared:7 - cgroup cgroup rw,xattr,name=systemd\n"
	"28 24 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup rw,cpu,cpuacct\n"
	"30 24 0:26 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory\n";

static void test_layout_hybrid(void)
{
	struct cg_host h;

	ASSERT_EQ(cgroups__parse_mountinfo(hybrid, &h), 0);
	ASSERT_EQ(h.layout, CG_LAYOUT_HYBRID);
	ASSERT_STREQ(cgroups__layout_name(h.layout), "hybrid");
	ASSERT_STREQ(h.v2.dir, "/sys/fs/cgroup/unified");
	ASSERT_STREQ(h.v1_controller, "pids");
	ASSERT_STREQ(h.v1.dir, "/sys/fs/cgroup/pids");
	ASSERT_STREQ(h.v1.root, "/");
}

static void test_layout_v2(void)
{
	struct cg_host h;
	/* A v2 host that also mounts name=systemd for old containers is still v2: no controller there. */
	char with_named[sizeof(pure_v2) + 128];

	ASSERT_EQ(cgroups__parse_mountinfo(pure_v2, &h), 0);
	ASSERT_EQ(h.layout, CG_LAYOUT_V2);
	ASSERT_STREQ(h.v2.dir, "/sys/fs/cgroup");
	ASSERT_STREQ(h.v1_controller, "");
	snprintf(with_named, sizeof(with_named), "%s%s", pure_v2,
		 "41 30 0:40 / /run/systemd-v1 rw,relatime - cgroup cgroup rw,name=systemd\n");
	ASSERT_EQ(cgroups__parse_mountinfo(with_named, &h), 0);
	ASSERT_EQ(h.layout, CG_LAYOUT_V2);
}

static void test_layout_v1_no_pids(void)
{
	struct cg_host h;

	ASSERT_EQ(cgroups__parse_mountinfo(pure_v1, &h), 0);
	ASSERT_EQ(h.layout, CG_LAYOUT_V1);
	ASSERT_STREQ(h.v1_controller, "memory"); /* no pids: memory before cpu */
	ASSERT_STREQ(h.v1.dir, "/sys/fs/cgroup/memory");
	ASSERT_STREQ(h.v2.dir, "");
}

static void test_layout_odd_lines(void)
{
	struct cg_host h;

	/* A mount point with a space (\040), a bind mount of a sub-cgroup (root not "/"). */
	ASSERT_EQ(cgroups__parse_mountinfo("40 30 0:37 /lxc.payload.c1 /my\\040cg rw - cgroup2 cgroup2 rw\n", &h), 0);
	ASSERT_EQ(h.layout, CG_LAYOUT_V2);
	ASSERT_STREQ(h.v2.dir, "/my cg");
	ASSERT_STREQ(h.v2.root, "/lxc.payload.c1");
	ASSERT_EQ(cgroups__parse_mountinfo("", &h), 0);
	ASSERT_EQ(h.layout, CG_LAYOUT_NONE);
	ASSERT_EQ(cgroups__parse_mountinfo("garbage without a separator\n", &h), -EINVAL);
	ASSERT_EQ(cgroups__parse_mountinfo("1 2 3 4 5 6 -\n", &h), -EINVAL);
	ASSERT_EQ(cgroups__detect("/nonexistent/mountinfo", &h), -ENOENT);
}

static void test_proc_cgroup(void)
{
	struct cg_host h;
	struct cg_proc p;
	enum cg_hier hier;

	cgroups__parse_mountinfo(hybrid, &h);
	/* A Podman container here (runc, cgroupfs): the same path in every hierarchy. */
	ASSERT_EQ(cgroups__parse_proc("9:name=systemd:/libpod_parent/libpod-x\n8:pids:/libpod_parent/libpod-x\n"
				      "1:cpu:/libpod_parent/libpod-x\n0::/libpod_parent/libpod-x\n", &h, &p), 0);
	ASSERT_STREQ(p.v2, "/libpod_parent/libpod-x");
	ASSERT_STREQ(p.v1, "/libpod_parent/libpod-x");
	ASSERT_STREQ(cgroups__identity(&h, &p, &hier), "/libpod_parent/libpod-x");
	ASSERT_EQ(hier, CG_HIER_V2);
	/* conmon here: at the v2 root, in /libpod_parent/conmon of the v1 hierarchies: the v1 path tells. */
	ASSERT_EQ(cgroups__parse_proc("9:name=systemd:/\n8:pids:/libpod_parent/conmon\n0::/\n", &h, &p), 0);
	ASSERT_STREQ(cgroups__identity(&h, &p, &hier), "/libpod_parent/conmon");
	ASSERT_EQ(hier, CG_HIER_V1);
	ASSERT_STREQ(cgroups__hier_name(&h, hier), "pids");
	/* A path with ':' in it; no trailing newline. */
	ASSERT_EQ(cgroups__parse_proc("8:pids:/a:b:c\n0::/x:y", &h, &p), 0);
	ASSERT_STREQ(p.v1, "/a:b:c");
	ASSERT_STREQ(p.v2, "/x:y");
	/* Combined controllers ("cpu,cpuacct") count for either. */
	cgroups__parse_mountinfo(pure_v1, &h);
	ASSERT_EQ(cgroups__parse_proc("4:cpu,cpuacct:/c\n3:memory:/m\n1:name=systemd:/s\n", &h, &p), 0);
	ASSERT_STREQ(cgroups__identity(&h, &p, &hier), "/m");
	ASSERT_FALSE(p.has_v2);
	/* Pure v2: the root is the process's path too. */
	cgroups__parse_mountinfo(pure_v2, &h);
	ASSERT_EQ(cgroups__parse_proc("0::/\n", &h, &p), 0);
	ASSERT_STREQ(cgroups__identity(&h, &p, &hier), "/");
	ASSERT_EQ(hier, CG_HIER_V2);
	/* Bad lines. */
	ASSERT_EQ(cgroups__parse_proc("no colon\n", &h, &p), -EINVAL);
	ASSERT_EQ(cgroups__parse_proc("0::relative\n", &h, &p), -EINVAL);
	ASSERT_EQ(cgroups__read_proc("/proc", 0x7ffffff0, &h, &p), -ENOENT);
}

static void test_proc_cgroup_too_long(void)
{
	struct cg_host h;
	struct cg_proc p;
	size_t n = CG_PATH_MAX + 100;
	char *text = malloc(n + 8);

	cgroups__parse_mountinfo(pure_v2, &h);
	memcpy(text, "0::/", 4);
	memset(text + 4, 'a', n);
	text[n + 4] = '\0';
	ASSERT_EQ(cgroups__parse_proc(text, &h, &p), -EINVAL);
	free(text);
}

static char tree[64];

static __u64 mkcg(const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", tree, rel);
	mkdir(path, 0755);
	stat(path, &st);
	return st.st_ino;
}

static void test_idmap(void)
{
	struct cg_mount mnt = { .root = "/" };
	struct cg_idmap m;
	char buf[CG_PATH_MAX];
	__u64 a, b, c, now = 1000000000ull, late, id;

	snprintf(mnt.dir, sizeof(mnt.dir), "%s", tree);
	a = mkcg("/docker");
	b = mkcg("/docker/0123");
	ASSERT_EQ(cg_idmap__init(&m, &mnt), 0);
	ASSERT_EQ(cg_idmap__path(&m, b, now, buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "/docker/0123");
	ASSERT_EQ(cg_idmap__path(&m, a, now, buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "/docker");
	ASSERT_EQ(m.walks, 1);
	ASSERT_EQ(cg_idmap__id(&m, "/docker/0123", &id), 0);
	ASSERT_EQ(id, b);
	/* A cgroup made after the walk: within the gap not walked for, and cached as unknown. */
	c = mkcg("/docker/0123/init.scope");
	ASSERT_EQ(cg_idmap__path(&m, c, now + 1, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(cg_idmap__path(&m, c, now + 2, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(m.walks, 1);
	ASSERT_EQ(m.negative_hits, 1);
	/* Once the negative entry expired, the next miss walks and finds it. */
	late = now + CG_NEGATIVE_TTL_NS + 1;
	ASSERT_EQ(cg_idmap__path(&m, c, late, buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "/docker/0123/init.scope");
	ASSERT_EQ(m.walks, 2);
	/* A buffer too small. */
	ASSERT_EQ(cg_idmap__path(&m, c, late, buf, 5), -ENAMETOOLONG);
	cg_idmap__free(&m);
}

static void test_idmap_flood(void)
{
	struct cg_mount mnt = { .root = "/" };
	struct cg_idmap m;
	char buf[CG_PATH_MAX];
	__u64 now = 5000000000ull;

	snprintf(mnt.dir, sizeof(mnt.dir), "%s", tree);
	cg_idmap__init(&m, &mnt);
	/* 10,000 ids that do not exist, 1 µs apart: one walk, not one each. */
	for (int i = 0; i < 10000; i++)
		ASSERT_EQ(cg_idmap__path(&m, 0xdead00000000ull + i, now + i * 1000ull, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(m.walks, 1);
	ASSERT_EQ(m.misses, 10000);
	/* The gap (plus 9 times what the walk cost) later: one more walk for a new unknown id, none for
	 * the known-unknown ones; just before it, none. */
	ASSERT_TRUE(m.last_walk_cost_ns > 0);
	now += CG_WALK_GAP_NS + 9 * m.last_walk_cost_ns;
	ASSERT_EQ(cg_idmap__path(&m, 0xbeef, now - 1, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(m.walks, 1);
	ASSERT_EQ(cg_idmap__path(&m, 0xbeee, now, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(m.walks, 2);
	ASSERT_EQ(cg_idmap__path(&m, 0xdead00000000ull, now + 1000, buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(m.walks, 2);
	cg_idmap__free(&m);
}

static void test_idmap_bounded(void)
{
	struct cg_mount mnt = { .root = "/" };
	struct cg_idmap m;
	char buf[CG_PATH_MAX];
	__u64 deep;

	snprintf(mnt.dir, sizeof(mnt.dir), "%s", tree);
	mkcg("/w1");
	mkcg("/w2");
	deep = mkcg("/w3");
	cg_idmap__init(&m, &mnt);
	m.max_dirs = 2;
	cg_idmap__path(&m, deep, 1, buf, sizeof(buf));
	ASSERT_TRUE(m.walk_cut);
	ASSERT_EQ(m.walk_dirs, 2);
	cg_idmap__free(&m);
	/* A bind mount of a sub-cgroup: paths keep the hierarchy's prefix. */
	snprintf(mnt.root, sizeof(mnt.root), "/outer");
	cg_idmap__init(&m, &mnt);
	ASSERT_EQ(cg_idmap__path(&m, deep, 1, buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "/outer/w3");
	ASSERT_EQ(cg_idmap__id(&m, "/outer/w3", &deep), 0);
	ASSERT_EQ(cg_idmap__id(&m, "/elsewhere/w3", &deep), -ENOENT);
	cg_idmap__free(&m);
	ASSERT_EQ(cg_idmap__init(&m, &(struct cg_mount){ .dir = "" }), -EINVAL);
}

int main(void)
{
	tl_init("kernel/cgroups");
	snprintf(tree, sizeof(tree), "/tmp/pl-cgtree-XXXXXX");
	if (!mkdtemp(tree))
		return 1;
	RUN_TEST(test_layout_hybrid);
	RUN_TEST(test_layout_v2);
	RUN_TEST(test_layout_v1_no_pids);
	RUN_TEST(test_layout_odd_lines);
	RUN_TEST(test_proc_cgroup);
	RUN_TEST(test_proc_cgroup_too_long);
	RUN_TEST(test_idmap);
	RUN_TEST(test_idmap_flood);
	RUN_TEST(test_idmap_bounded);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tree);
		if (system(cmd))
			return 1;
	}
	return tl_finish();
}
