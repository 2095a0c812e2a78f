// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The cgroup and container registry, and what the container options pick,
 * on the paths the runtimes make (the groundwork's test_containers.c has
 * one of each): which path identifies a pair of ids, containers known by
 * runtime and id at once and named when told, containerd's ambiguous path,
 * forgetting, and every option's answers (yes, no, later).
 */
#include <errno.h>

#include "testlib.h"
#include "model/ctfilter.h"
#include "model/ctreg.h"

TL_DEFINE_STATE;

#define ID_A "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2"
#define ID_B "5e1ecee06a7fc06f305ae5c12acfe7a7f67b8ece7af76932ed3afab00c3c6921"
#define POD_UID "2b1f7c4e-5d0a-4f3e-9c1b-7a6d5e4f3c2b"

static struct ct_info named(enum ct_runtime rt, const char *id, const char *name, const char *image)
{
	struct ct_info ci = { .runtime = rt, .kind = CT_KIND_CONTAINER };

	snprintf(ci.id, sizeof(ci.id), "%s", id);
	snprintf(ci.name, sizeof(ci.name), "%s", name);
	snprintf(ci.image, sizeof(ci.image), "%s", image);
	return ci;
}

/* v2 below its root identifies; at the root (Docker in v1 only) the v1 path does; v2 alone without a v1 hierarchy. */
static void test_identity_path(void)
{
	struct ctreg *r = ctreg__new();
	const struct ct_subject *s;

	if (!ASSERT_TRUE(r))
		return;
	ASSERT_EQ(ctreg__learn_cgroup(r, CTREG_V2, 1, "/"), 1);
	ASSERT_EQ(ctreg__learn_cgroup(r, CTREG_V2, 1, "/other"), 0); /* the first path stays */
	ASSERT_STREQ(ctreg__path(r, CTREG_V2, 1), "/");
	ASSERT_EQ(ctreg__learn_cgroup(r, CTREG_V2, 40, "/libpod_parent/libpod-" ID_B), 1);
	ASSERT_EQ(ctreg__learn_cgroup(r, CTREG_V1, 110, "/docker/" ID_A), 1);
	ASSERT_EQ(ctreg__learn_cgroup(r, CTREG_V1, 7, "relative"), -EINVAL);
	ASSERT_EQ(ctreg__learn_cgroup(r, 3, 7, "/x"), -EINVAL);

	s = ctreg__subject(r, 1, 110); /* hybrid, Docker in v1 only */
	ASSERT_STREQ(s->cgroup, "/docker/" ID_A);
	ASSERT_TRUE(s->settled);
	if (ASSERT_TRUE(s->ct)) {
		ASSERT_EQ(s->ct->info.runtime, CT_RT_DOCKER);
		ASSERT_STREQ(s->ct->info.id, ID_A);
		ASSERT_FALSE(s->ct->named); /* runtime and id only, until told */
		ASSERT_STREQ(s->ct->cgroup, "/docker/" ID_A);
	}
	s = ctreg__subject(r, 40, 999); /* below the v2 root: v2 wins, even with v1 unknown */
	ASSERT_STREQ(s->cgroup, "/libpod_parent/libpod-" ID_B);
	ASSERT_FALSE(s->settled); /* v1's path is still to be learnt */
	s = ctreg__subject(r, 1, 0); /* a pure v2 host's root: the host's */
	ASSERT_STREQ(s->cgroup, "/");
	ASSERT_TRUE(s->ct == NULL);
	ASSERT_TRUE(s->settled);
	s = ctreg__subject(r, 1, 555); /* v2 root, v1 not known yet: not known */
	ASSERT_TRUE(s->cgroup == NULL);
	ASSERT_FALSE(s->settled);
	ASSERT_EQ(ctreg__learn_cgroup(r, CTREG_V1, 555, "/system.slice/ssh.service"), 1);
	s = ctreg__subject(r, 1, 555); /* worked out again once learnt */
	ASSERT_STREQ(s->cgroup, "/system.slice/ssh.service");
	ASSERT_TRUE(s->ct == NULL);
	ASSERT_TRUE(s->settled);
	ctreg__free(r);
}

/* A container is one object from its first path on; named in place; nested cgroups share it; ordered. */
static void test_containers_named(void)
{
	struct ctreg *r = ctreg__new();
	const struct ct_subject *s, *nested;
	const struct ct_ref *ct, *ct2;
	struct ct_info ci = named(CT_RT_DOCKER, ID_A, "web", "nginx:1");

	ctreg__learn_cgroup(r, CTREG_V2, 50, "/docker/" ID_A);
	ctreg__learn_cgroup(r, CTREG_V2, 51, "/docker/" ID_A "/init.scope");
	s = ctreg__subject(r, 50, 0);
	nested = ctreg__subject(r, 51, 0);
	if (!ASSERT_TRUE(s->ct) || !ASSERT_TRUE(nested->ct == s->ct))
		goto out;
	ASSERT_EQ(ctreg__learn_container(r, "/docker/" ID_A, &ci, &ct), 1);
	ASSERT_TRUE(ct == s->ct);
	ASSERT_TRUE(ct->named);
	ASSERT_STREQ(s->ct->info.name, "web");
	ASSERT_EQ(ctreg__learn_container(r, "/docker/" ID_A, &ci, &ct), 0); /* nothing new: no event */
	snprintf(ci.image, sizeof(ci.image), "nginx:2");
	ASSERT_EQ(ctreg__learn_container(r, "/docker/" ID_A, &ci, &ct), 1);
	ci.kind = CT_KIND_RUNTIME;
	ASSERT_EQ(ctreg__learn_container(r, "/libpod_parent/conmon", &ci, NULL), -EINVAL);
	/* Learnt before any path shows it: the same object when one does. */
	ci = named(CT_RT_DOCKER, ID_B, "cache", "nginx:1");
	ASSERT_EQ(ctreg__learn_container(r, "/docker/" ID_B, &ci, &ct2), 1);
	ctreg__learn_cgroup(r, CTREG_V2, 52, "/docker/" ID_B);
	ASSERT_TRUE(ctreg__subject(r, 52, 0)->ct == ct2);
	/* In the order first seen. */
	ASSERT_TRUE(ctreg__next(r, NULL) == ct);
	ASSERT_TRUE(ctreg__next(r, ct) == ct2);
	ASSERT_TRUE(ctreg__next(r, ct2) == NULL);
	ASSERT_EQ(ct->seq, 1);
	ASSERT_EQ(ct2->seq, 2);
	/* A runtime's own process (conmon) is the host's. */
	ctreg__learn_cgroup(r, CTREG_V2, 53, "/libpod_parent/conmon");
	ASSERT_TRUE(ctreg__subject(r, 53, 0)->ct == NULL);
out:
	ctreg__free(r);
}

/* containerd's /<namespace>/<id>: not a container until its state says so; then it is. */
static void test_containerd_confirmed(void)
{
	struct ctreg *r = ctreg__new();
	struct ct_info ci = named(CT_RT_CONTAINERD, "c1", "c1", "");
	const struct ct_subject *s;

	snprintf(ci.ns, sizeof(ci.ns), "pltest");
	ctreg__learn_cgroup(r, CTREG_V2, 60, "/pltest/c1");
	s = ctreg__subject(r, 60, 0);
	ASSERT_TRUE(s->ct == NULL);
	ASSERT_FALSE(s->settled); /* it may still turn out one */
	ASSERT_EQ(ctreg__learn_container(r, "/pltest/c1", &ci, NULL), 1);
	s = ctreg__subject(r, 60, 0);
	if (ASSERT_TRUE(s->ct))
		ASSERT_STREQ(s->ct->info.ns, "pltest");
	ASSERT_TRUE(s->settled);
	/* One never confirmed: settled as the host's by whoever gives up waiting. */
	ctreg__learn_cgroup(r, CTREG_V2, 61, "/other/thing");
	s = ctreg__subject(r, 61, 0);
	ASSERT_FALSE(s->settled);
	ctreg__settle(ctreg__subject(r, 61, 0));
	ASSERT_TRUE(ctreg__subject(r, 61, 0)->settled);
	ctreg__free(r);
}

/* Forgetting keeps what live processes use, and the containers and paths with it. */
static void test_sweep(void)
{
	struct ctreg *r = ctreg__new();
	struct ctreg_stats st;
	const struct ct_ref *first;

	ctreg__learn_cgroup(r, CTREG_V2, 50, "/docker/" ID_A);
	ctreg__learn_cgroup(r, CTREG_V2, 52, "/docker/" ID_B);
	ctreg__learn_cgroup(r, CTREG_V2, 1, "/");
	ctreg__subject(r, 50, 0);
	ctreg__subject(r, 52, 0);
	ctreg__subject(r, 1, 0);
	ctreg__stats(r, &st);
	ASSERT_EQ(st.cgroups, 3);
	ASSERT_EQ(st.containers, 2);
	ASSERT_EQ(st.pairs, 3);
	ctreg__sweep_begin(r);
	ctreg__keep(r, 52, 0);
	ctreg__keep(r, 1, 0);
	ASSERT_EQ(ctreg__sweep_end(r), 2); /* /docker/A's cgroup and container */
	ctreg__stats(r, &st);
	ASSERT_EQ(st.cgroups, 2);
	ASSERT_EQ(st.containers, 1);
	ASSERT_EQ(st.pairs, 2);
	ASSERT_TRUE(ctreg__path(r, CTREG_V2, 50) == NULL);
	first = ctreg__next(r, NULL);
	if (ASSERT_TRUE(first))
		ASSERT_STREQ(first->info.id, ID_B);
	ASSERT_TRUE(ctreg__next(r, first) == NULL);
	ASSERT_STREQ(ctreg__subject(r, 52, 0)->ct->info.id, ID_B);
	ctreg__free(r);
}

/* Every container option, alone and together (any of them picks), on a host, a container and a pod's. */
static void test_filter_answers(void)
{
	struct ctreg *r = ctreg__new();
	struct ct_info web = named(CT_RT_DOCKER, ID_A, "web", "nginx:1"), app = named(CT_RT_CONTAINERD, ID_B, "app", "a:1");
	const struct ct_subject *host, *ct, *pod, *unknown;
	struct ct_filter_spec f = {};

	snprintf(app.pod, sizeof(app.pod), "web-pod");
	snprintf(app.pod_namespace, sizeof(app.pod_namespace), "pltest-ns");
	snprintf(app.pod_uid, sizeof(app.pod_uid), POD_UID);
	ctreg__learn_cgroup(r, CTREG_V2, 1, "/");
	ctreg__learn_cgroup(r, CTREG_V1, 101, "/system.slice/ssh.service");
	ctreg__learn_cgroup(r, CTREG_V1, 110, "/docker/" ID_A);
	ctreg__learn_cgroup(r, CTREG_V1, 120, "/kubepods/besteffort/pod" POD_UID "/" ID_B);
	host = ctreg__subject(r, 1, 101);
	ct = ctreg__subject(r, 1, 110);
	pod = ctreg__subject(r, 1, 120);
	unknown = ctreg__subject(r, 1, 999);

	ASSERT_FALSE(ctfilter__active(&f));
	ASSERT_EQ(ctfilter__judge(&f, unknown), CTV_YES); /* no option: everything */
	f.host = true;
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_NO);
	ASSERT_EQ(ctfilter__judge(&f, unknown), CTV_LATER);
	f = (struct ct_filter_spec){ .in_containers = true };
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_NO);
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_YES);
	/* A name only once named; an id prefix at once (4 hex digits or more; fewer is a name). */
	f = (struct ct_filter_spec){ .containers = { "web" }, .ncontainers = 1 };
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_LATER);
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_NO);
	f.containers[0] = "4b5e";
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_YES);
	f.containers[0] = "4b5";
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_LATER);
	ctreg__learn_container(r, "/docker/" ID_A, &web, NULL);
	ctreg__learn_container(r, "/kubepods/besteffort/pod" POD_UID "/" ID_B, &app, NULL);
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_NO); /* "4b5" is a name, and not this one's */
	f.containers[0] = "web";
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_NO);
	f.containers[1] = ID_B;
	f.ncontainers = 2;
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_YES);
	/* --pod [NS/]NAME */
	f = (struct ct_filter_spec){ .pods = { "web-pod" }, .npods = 1 };
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_NO);
	f.pods[0] = "pltest-ns/web-pod";
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_YES);
	f.pods[0] = "kube-system/web-pod";
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_NO);
	/* --cgroup PATH: that cgroup and below, either hierarchy; a prefix of a name is not below it. */
	f = (struct ct_filter_spec){ .cgroup = "/docker" };
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_NO);
	f.cgroup = "/dock";
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_NO);
	f.cgroup = "/system.slice/";
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_YES);
	f.cgroup = "/";
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_YES);
	/* Together: any. */
	f = (struct ct_filter_spec){ .host = true, .containers = { "web" }, .ncontainers = 1 };
	ASSERT_EQ(ctfilter__judge(&f, host), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, ct), CTV_YES);
	ASSERT_EQ(ctfilter__judge(&f, pod), CTV_NO);
	/* A container event. */
	ASSERT_EQ(ctfilter__judge_container(&f, ct->ct), CTV_YES);
	ASSERT_EQ(ctfilter__judge_container(&f, pod->ct), CTV_NO);
	ctreg__free(r);
}

static void test_filter_values(void)
{
	char err[256];

	ASSERT_EQ(ctfilter__check_container("web", err, sizeof(err)), 0);
	ASSERT_EQ(ctfilter__check_container("", err, sizeof(err)), -EINVAL);
	ASSERT_EQ(ctfilter__check_pod("ns/pod", err, sizeof(err)), 0);
	ASSERT_EQ(ctfilter__check_pod("pod", err, sizeof(err)), 0);
	ASSERT_EQ(ctfilter__check_pod("/pod", err, sizeof(err)), -EINVAL);
	ASSERT_EQ(ctfilter__check_pod("ns/", err, sizeof(err)), -EINVAL);
	ASSERT_EQ(ctfilter__check_pod("a/b/c", err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(err, "--pod needs [NAMESPACE/]NAME, not 'a/b/c'");
	ASSERT_EQ(ctfilter__check_cgroup("/docker", err, sizeof(err)), 0);
	ASSERT_EQ(ctfilter__check_cgroup("docker", err, sizeof(err)), -EINVAL);
}

int main(void)
{
	tl_init("unit/ctreg");
	RUN_TEST(test_identity_path);
	RUN_TEST(test_containers_named);
	RUN_TEST(test_containerd_confirmed);
	RUN_TEST(test_sweep);
	RUN_TEST(test_filter_answers);
	RUN_TEST(test_filter_values);
	return tl_finish();
}
