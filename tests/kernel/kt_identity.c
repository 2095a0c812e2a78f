// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Who the subject of an event is, beyond its real ids (pl_hdr since format
 * 2.0): effective ids, login uid and audit session, controlling terminal,
 * and its cgroup in the v1 hierarchy followed, each against what /proc and
 * the cgroup file system say of the same process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/cgroups.h"
#include "ktests.h"

#define TEST_AUID 4242
#define TEST_EUID 4243
#define TEST_EGID 4244

struct identity_child {
	int to_child, from_child;
	char cgroup[CG_PATH_MAX + 64]; /* a v1 cgroup to join, "" for none */
};

/* Field 7 of /proc/PID/stat: tty_nr. */
static long long proc_tty_nr(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long tty = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %lld", &tty);
	return tty;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), r;

	if (fd < 0)
		return -errno;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
	close(fd);
	return r;
}

/*
 * A new session on a new pty (its controlling terminal), a login uid, a v1
 * cgroup of its own, effective ids that are not its real ones; then it says
 * so, and execs /bin/true once told to. Exit codes say what failed.
 */
static int child_identity(void *arg)
{
	struct identity_child *c = arg;
	char procs[CG_PATH_MAX + 80], num[32];
	int master, slave;

	if (c->cgroup[0]) {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", c->cgroup);
		snprintf(num, sizeof(num), "%d", getpid());
		if (write_file(procs, num))
			return 100;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) || setsid() < 0)
		return 101;
	slave = open(ptsname(master), O_RDWR); /* a session leader's first tty: its controlling one */
	if (slave < 0 || ioctl(slave, TIOCSCTTY, 0))
		return 102;
	snprintf(num, sizeof(num), "%d", TEST_AUID);
	if (write_file("/proc/self/loginuid", num)) /* needs CAP_AUDIT_CONTROL: root has it */
		return 103;
	if (setresgid(0, TEST_EGID, 0) || setresuid(0, TEST_EUID, 0))
		return 104;
	write_int(c->from_child, 1);
	if (read_int(c->to_child) != 2)
		return 105;
	execl("/bin/true", "true", "pl-identity", (char *)NULL);
	return 106;
}

/* The v1 cgroup for the child, made in the hierarchy the events carry; "" when there is none. */
static void make_cgroup(struct identity_child *c)
{
	const struct cg_host *cg = harness__cgroups();

	c->cgroup[0] = 0;
	if (!cg->v1_controller[0] || !cg->v1.dir[0])
		return;
	snprintf(c->cgroup, sizeof(c->cgroup), "%s/pl-identity-%d", cg->v1.dir, getpid());
	if (mkdir(c->cgroup, 0755) && errno != EEXIST) {
		FAILF("mkdir %s: %s", c->cgroup, strerror(errno));
		c->cgroup[0] = 0;
	}
}

static void check_identity(const struct pl_hdr *h, pid_t pid, __u64 cgroup1, long long sessionid,
			   long long tty_nr)
{
	ASSERT_EQ(h->flags & PL_F_NO_IDENTITY, 0);
	ASSERT_EQ(h->uid, 0);
	ASSERT_EQ(h->euid, TEST_EUID);
	ASSERT_EQ(h->gid, 0);
	ASSERT_EQ(h->egid, TEST_EGID);
	ASSERT_EQ(h->auid, TEST_AUID);
	ASSERT_EQ(h->session, (__u32)sessionid);
	ASSERT_EQ(h->tty, (__u32)tty_nr);
	ASSERT_EQ(h->cgroup1_id, cgroup1);
}

/* The exec and exit of a process with an identity of its own, and the fork of this one, which has none. */
void test_header_identity(void)
{
	struct identity_child c = {};
	int to_child[2], from_child[2];
	long long session = -1, tty = -1, own_auid = proc_number(getpid(), "loginuid");
	const struct pl_fork *f;
	const void *e;
	__u64 cgroup1 = 0;
	struct stat st;
	pid_t pid;

	if (!ASSERT_EQ(pipe(to_child), 0) || !ASSERT_EQ(pipe(from_child), 0))
		return;
	make_cgroup(&c);
	if (c.cgroup[0] && ASSERT_EQ(stat(c.cgroup, &st), 0))
		cgroup1 = st.st_ino; /* the kernfs node id */
	c.to_child = to_child[0];
	c.from_child = from_child[1];
	pid = spawn(child_identity, &c);
	if (ASSERT_EQ(read_int(from_child[0]), 1)) {
		session = proc_number(pid, "sessionid");
		tty = proc_tty_nr(pid);
		ASSERT_EQ(proc_number(pid, "loginuid"), TEST_AUID);
		ASSERT_TRUE(tty > 0);
	}
	write_int(to_child[1], 2);
	ASSERT_EQ(wait_status(pid), 0);
	e = harness__wait(PL_EV_EXEC, pid, NULL, NULL);
	if (ASSERT_TRUE(e))
		check_identity(e, pid, cgroup1, session, tty);
	e = harness__wait(PL_EV_EXIT, pid, pred_process_exit, NULL);
	if (ASSERT_TRUE(e))
		check_identity(e, pid, cgroup1, session, tty);
	/* The fork's subject is this process: its own login uid (none here: PL_ID_UNSET), no terminal needed. */
	f = harness__find(PL_EV_FORK, getpid(), NULL, NULL);
	if (ASSERT_TRUE(f)) {
		ASSERT_EQ(f->h.auid, own_auid < 0 ? PL_ID_UNSET : (__u32)own_auid);
		ASSERT_EQ(f->h.euid, geteuid());
		ASSERT_EQ(f->h.tty, (__u32)proc_tty_nr(getpid()));
	}
	if (c.cgroup[0] && rmdir(c.cgroup))
		FAILF("rmdir %s: %s", c.cgroup, strerror(errno));
	close(to_child[0]);
	close(to_child[1]);
	close(from_child[0]);
	close(from_child[1]);
}
