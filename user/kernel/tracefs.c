// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/msg.h"
#include "kernel/tracefs.h"

/* Where tracefs may be, in the order looked at: its own mount point, then debugfs's. */
static const char *const places[] = { TRACEFS_DEFAULT, "/sys/kernel/debug/tracing" };

static bool events_at(const char *place, char *dir, size_t len)
{
	snprintf(dir, len, "%s/events", place);
	return access(dir, R_OK | X_OK) == 0;
}

static bool may_mount(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	return syscall(SYS_capget, &hdr, data) == 0 && (data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32)));
}

int tracefs__events(char *dir, size_t len, char *why, size_t whylen)
{
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (events_at(places[i], dir, len))
			return 0;
	if (!may_mount()) {
		snprintf(why, whylen, "tracefs is not mounted at %s, and proclife may not mount it (no CAP_SYS_ADMIN)",
			 TRACEFS_DEFAULT);
		return -EACCES;
	}
	if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL) < 0) {
		int err = -errno;

		/* Another process may have mounted it meanwhile. */
		if (events_at(TRACEFS_DEFAULT, dir, len))
			return 0;
		snprintf(why, whylen, "tracefs is not mounted at %s, and mounting it failed: %s", TRACEFS_DEFAULT,
			 strerror(-err));
		return err;
	}
	msg__say(MSG_INFO, "mounted tracefs at %s for the per-syscall tracepoints (left mounted)", TRACEFS_DEFAULT);
	if (!events_at(TRACEFS_DEFAULT, dir, len)) {
		snprintf(why, whylen, "tracefs mounted at %s has no events directory", TRACEFS_DEFAULT);
		return -ENOENT;
	}
	return 0;
}

/* The id of syscalls:sys_exit_NAME under events dir, or -errno. */
static int sys_exit_id(const char *dir, const char *name, size_t n)
{
	char path[512], buf[32];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "%s/syscalls/sys_exit_%.*s/id", dir, (int)n, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return got < 0 ? -errno : -ENODATA;
	buf[got] = '\0';
	return atoi(buf) > 0 ? atoi(buf) : -EINVAL;
}

/* A tracepoint's perf event on CPU 0, for every process: a BPF program attached to it runs on every CPU. */
static int perf_open(int id)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr), .config = id,
					 .sample_period = 1, .wakeup_events = 1 };
	int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static const char *perf_refused(int err)
{
	return err == -EPERM || err == -EACCES || err == -ENOSYS
		       ? " (a seccomp filter? a systemd unit's SystemCallFilter= must allow perf_event_open)"
		       : "";
}

int tracefs__sys_exits_usable(const char *names, char *why, size_t whylen)
{
	char dir[256];
	int r = tracefs__events(dir, sizeof(dir), why, whylen), id = -ENOENT, fd;

	if (r < 0)
		return r;
	for (const char *p = names; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		size_t n = strcspn(p, ",");

		id = sys_exit_id(dir, p, n);
		if (id < 0) {
			snprintf(why, whylen, "no tracepoint syscalls:sys_exit_%.*s under %s: %s", (int)n, p, dir,
				 strerror(-id));
			return id;
		}
	}
	fd = perf_open(id);
	if (fd < 0) {
		snprintf(why, whylen, "perf_event_open() of a syscall tracepoint failed: %s%s", strerror(-fd),
			 perf_refused(fd));
		return fd;
	}
	close(fd);
	return 0;
}

int tracefs__sys_exit_event(const char *name, char *why, size_t whylen)
{
	char dir[256];
	int r = tracefs__events(dir, sizeof(dir), why, whylen), fd;

	if (r < 0)
		return r;
	r = sys_exit_id(dir, name, strlen(name));
	if (r < 0) {
		snprintf(why, whylen, "no tracepoint syscalls:sys_exit_%s under %s: %s", name, dir, strerror(-r));
		return r;
	}
	fd = perf_open(r);
	if (fd < 0)
		snprintf(why, whylen, "perf_event_open() of syscalls:sys_exit_%s failed: %s%s", name, strerror(-fd),
			 perf_refused(fd));
	return fd;
}
