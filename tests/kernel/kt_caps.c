// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * proclife with only what its systemd units give it: root's uid, but of
 * the capabilities CAP_BPF and CAP_PERFMON alone (CapabilityBoundingSet=),
 * and no memlock limit (LimitMEMLOCK=infinity). Every feature this kernel
 * has must load as it does with full root: kernels that lack a kfunc
 * proclife declares used to fail the whole load there (libbpf 1.1 listed
 * the modules' BTF, which needs CAP_SYS_ADMIN: user/kernel/libbpf_compat.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/tracer.h"
#include "ktests.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* LimitMEMLOCK=infinity, where this process may raise it (CAP_SYS_RESOURCE; else its hard limit). */
static void memlock_as_unit(void)
{
	struct rlimit lim = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_MEMLOCK, &lim) && !getrlimit(RLIMIT_MEMLOCK, &lim)) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &lim);
	}
}

static int keep_only_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	memlock_as_unit();
	data[1].effective = data[1].permitted = (1u << (CAP_BPF - 32)) | (1u << (CAP_PERFMON - 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Is listing the BTF objects refused, as it is without CAP_SYS_ADMIN? (Asked of the kernel, not libbpf.) */
static bool btf_listing_refused(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	return syscall(SYS_bpf, BPF_BTF_GET_NEXT_ID, &attr, sizeof(attr)) < 0 && errno == EPERM;
}

struct caps_child {
	int fd;
	__u32 states; /* what full root loaded: KF_MAX states, 2 bits each */
};

static __u32 states_of(const struct kfeature_status *st)
{
	__u32 s = 0;

	for (int f = 0; f < KF_MAX; f++)
		s |= (__u32)st[f].state << (2 * f);
	return s;
}

/* Loads and attaches every feature with the units' capabilities; writes 0, or what failed, to fd. */
static int child_load(void *arg)
{
	struct caps_child *c = arg;
	struct tracer_config cfg = harness__default_config();
	struct tracer *t = NULL;
	char msg[512] = "", out[600];
	int r;

	cfg.probe_only = true;
	cfg.sample = true;
	r = keep_only_bpf_caps();
	if (r)
		snprintf(out, sizeof(out), "capset: %s", strerror(-r));
	else if (!btf_listing_refused())
		snprintf(out, sizeof(out), "listing BTF objects is not refused: CAP_SYS_ADMIN is still there?");
	else if ((r = tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg))) < 0)
		snprintf(out, sizeof(out), "load: %s", msg);
	else if (states_of(tracer__features(t)) != c->states)
		snprintf(out, sizeof(out), "features 0x%x with the units' capabilities, 0x%x as root",
			 states_of(tracer__features(t)), c->states);
	else
		out[0] = 0;
	tracer__free(t);
	if (write(c->fd, out, strlen(out) + 1) < 0)
		return 2;
	return out[0] ? 1 : 0;
}

void test_load_with_unit_caps(void)
{
	struct tracer_config cfg = harness__default_config();
	struct caps_child c;
	struct tracer *t = NULL;
	char msg[512], got[600] = "";
	int fds[2];
	ssize_t n;
	pid_t pid;

	cfg.probe_only = true;
	cfg.sample = true;
	if (!ASSERT_EQ(tracer__new(&cfg, NULL, NULL, &t, msg, sizeof(msg)), 0) || !ASSERT_EQ(pipe(fds), 0)) {
		tracer__free(t);
		return;
	}
	c = (struct caps_child){ .fd = fds[1], .states = states_of(tracer__features(t)) };
	tracer__free(t);
	pid = spawn(child_load, &c);
	close(fds[1]);
	n = read(fds[0], got, sizeof(got) - 1);
	close(fds[0]);
	if (n > 0 && got[0])
		FAILF("with CAP_BPF and CAP_PERFMON only: %s", got);
	ASSERT_EQ(wait_status(pid), 0);
}
