// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Who really did it: an exec's credentials, working directory and
 * executable, setid execs, cred events, a signal's sender and the identity
 * filters, each against ground truth: /proc/PID/{status,loginuid,
 * sessionid,stat,exe,cwd}, what getresuid() and capget() say in the
 * process, and the personality flags a privilege-changing exec clears
 * (the kernel's own record of that decision).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktests.h"

#define NOBODY 65534
#define TEST_AUID 4245
#define CAP_DROPPED 13 /* CAP_NET_RAW */

/* ---- ground truth ---- */

/* One line "KEY:\tv1\tv2..." of /proc/PID/status: its numbers (base 10, or 16 for Cap*), up to max. */
static int status_numbers(pid_t pid, const char *key, unsigned long long *v, int max)
{
	char path[64], line[512];
	size_t klen = strlen(key);
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + klen + 1, *end;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		for (n = 0; n < max; n++) {
			v[n] = strtoull(p, &end, strncmp(key, "Cap", 3) ? 10 : 16);
			if (end == p)
				break;
			p = end;
		}
		break;
	}
	fclose(f);
	return n;
}

/* readlink of /proc/PID/NAME (exe, cwd) into buf; "" when it cannot be read. */
static const char *proc_link(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* The record's credentials against /proc/PID/status: ids, groups, the capability sets. */
static void check_creds_vs_status(const struct pl_creds *c, pid_t pid)
{
	unsigned long long u[4] = {}, g[4] = {}, groups[PL_GROUPS_MAX] = {}, cap = 0;
	int ng;

	if (!ASSERT_EQ(status_numbers(pid, "Uid", u, 4), 4) || !ASSERT_EQ(status_numbers(pid, "Gid", g, 4), 4))
		return;
	ASSERT_EQ(c->uid, u[0]);
	ASSERT_EQ(c->euid, u[1]);
	ASSERT_EQ(c->suid, u[2]);
	ASSERT_EQ(c->fsuid, u[3]);
	ASSERT_EQ(c->gid, g[0]);
	ASSERT_EQ(c->egid, g[1]);
	ASSERT_EQ(c->sgid, g[2]);
	ASSERT_EQ(c->fsgid, g[3]);
	ng = status_numbers(pid, "Groups", groups, PL_GROUPS_MAX);
	ASSERT_EQ(c->ngroups, ng);
	for (int i = 0; i < ng && i < PL_GROUPS_MAX; i++)
		ASSERT_EQ(c->groups[i], groups[i]);
	status_numbers(pid, "CapEff", &cap, 1);
	ASSERT_EQ(c->cap_effective, cap);
	status_numbers(pid, "CapPrm", &cap, 1);
	ASSERT_EQ(c->cap_permitted, cap);
	status_numbers(pid, "CapInh", &cap, 1);
	ASSERT_EQ(c->cap_inheritable, cap);
	status_numbers(pid, "CapBnd", &cap, 1);
	ASSERT_EQ(c->cap_bset, cap);
	status_numbers(pid, "CapAmb", &cap, 1);
	ASSERT_EQ(c->cap_ambient, cap);
}

/* ---- predicates ---- */

static bool pred_comm(const void *rec, const void *arg)
{
	return !strncmp(((const struct pl_hdr *)rec)->comm, arg, PL_COMM_LEN);
}

static bool pred_how(const void *rec, const void *arg)
{
	return ((const struct pl_cred *)rec)->how == *(const __u32 *)arg;
}

static bool pred_auid_not(const void *rec, const void *arg)
{
	return ((const struct pl_hdr *)rec)->auid != *(const __u32 *)arg;
}

static bool pred_not_setid(const void *rec, const void *arg)
{
	return !(((const struct pl_hdr *)rec)->flags & PL_F_SETID);
}

/* ---- a scratch directory, and a program that waits ---- */

struct tmp {
	char dir[64];
};

static bool tmp_make(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/pl-cred-XXXXXX");
	if (!mkdtemp(t->dir)) {
		FAILF("mkdtemp: %s", strerror(errno));
		return false;
	}
	chmod(t->dir, 0755); /* the unprivileged children go in too */
	return true;
}

static void tmp_remove(struct tmp *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		FAILF("cannot remove %s", t->dir);
}

/* Copies file from to to (mode). 0 or -errno. */
static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;
	int err = 0;

	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			err = -EIO;
	if (in < 0 || out < 0)
		err = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		err = -errno;
	return err;
}

/* ---- loginuid and setpriv ---- */

struct setpriv_child {
	int go;
};

/*
 * A login uid, then setpriv drops to nobody and execs sleep: the login uid
 * stays, the ids change. Waits for the parent first (it reads /proc).
 */
static int child_setpriv(void *arg)
{
	struct setpriv_child *c = arg;
	char num[16];
	int fd = open("/proc/self/loginuid", O_WRONLY);

	snprintf(num, sizeof(num), "%d", TEST_AUID);
	if (fd < 0 || write(fd, num, strlen(num)) != (ssize_t)strlen(num))
		return 100;
	close(fd);
	if (read_int(c->go) != 1)
		return 101;
	execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "sleep", "30",
	       (char *)NULL);
	return 102;
}

/*
 * The first case: auid stays through setpriv, uid/euid change;
 * the exec of sleep against /proc/PID/{loginuid,sessionid,status}; the
 * cred events setpriv's calls made.
 */
void test_cred_loginuid_setpriv(void)
{
	struct setpriv_child c;
	int go[2];
	const struct pl_exec *e;
	const struct pl_cred *cr;
	__u32 how = PL_HOW_SETRESUID;
	pid_t pid;

	if (access("/usr/bin/setpriv", X_OK) && access("/bin/setpriv", X_OK)) {
		TEST_SKIP("no setpriv (util-linux) on this system");
		return;
	}
	if (!ASSERT_EQ(pipe(go), 0))
		return;
	c.go = go[0];
	pid = spawn(child_setpriv, &c);
	write_int(go[1], 1);
	e = harness__wait(PL_EV_EXEC, pid, pred_comm, "sleep");
	if (ASSERT_TRUE(e)) {
		char link[PATH_MAX];
		size_t n;
		const char *exe = event__exec_exe(e, &n);

		ASSERT_EQ(e->h.auid, TEST_AUID);
		ASSERT_EQ(e->h.auid, proc_number(pid, "loginuid"));
		ASSERT_EQ(e->h.session, (__u32)proc_number(pid, "sessionid"));
		ASSERT_EQ(e->h.uid, NOBODY);
		ASSERT_EQ(e->h.euid, NOBODY);
		check_creds_vs_status(&e->creds, pid);
		ASSERT_FALSE(e->h.flags & PL_F_SETID);
		if (ASSERT_TRUE(exe))
			ASSERT_STREQ(exe, proc_link(pid, "exe", link, sizeof(link)));
	}
	/* setpriv's own exec: root, the login uid already there. */
	e = harness__find(PL_EV_EXEC, pid, pred_comm, "setpriv");
	if (ASSERT_TRUE(e)) {
		ASSERT_EQ(e->h.auid, TEST_AUID);
		ASSERT_EQ(e->h.uid, 0);
	}
	if (!harness__skip_unless(NEED(KF_CRED))) {
		cr = harness__wait(PL_EV_CRED, pid, pred_how, &how);
		if (ASSERT_TRUE(cr)) {
			ASSERT_EQ(cr->new.uid, NOBODY);
			ASSERT_EQ(cr->new.euid, NOBODY);
			ASSERT_EQ(cr->h.auid, TEST_AUID);
			ASSERT_EQ(cr->nr, 117); /* x86_64's setresuid */
			if (cr->cflags & PL_C_OLD_KERNEL)
				ASSERT_EQ(cr->old.uid, 0);
		}
	}
	kill(pid, SIGKILL);
	wait_status(pid);
	close(go[0]);
	close(go[1]);
}

/* ---- a setuid-root copy of this program ---- */

/* What the helper (this program, run setuid) reports on fd 3. */
struct suid_report {
	int ruid, euid, suid;       /* as the exec left them */
	int no_randomize;           /* ADDR_NO_RANDOMIZE survived the exec: the kernel did not clear it */
	int ruid2, euid2, suid2;    /* after setuid(0) */
	int setuid_err;
};

int kt_setuid_helper(void)
{
	struct suid_report r = {};
	uid_t a, b, c;

	getresuid(&a, &b, &c);
	r.ruid = a, r.euid = b, r.suid = c;
	r.no_randomize = !!(personality(0xffffffff) & ADDR_NO_RANDOMIZE);
	r.setuid_err = setuid(0) ? errno : 0;
	getresuid(&a, &b, &c);
	r.ruid2 = a, r.euid2 = b, r.suid2 = c;
	return write(3, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

struct suid_child {
	const char *path;
	int report;
};

/* As nobody, with ADDR_NO_RANDOMIZE, exec the copy with the report pipe as fd 3. */
static int child_run_suid(void *arg)
{
	struct suid_child *c = arg;

	if (dup2(c->report, 3) < 0 || setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || personality(ADDR_NO_RANDOMIZE) < 0)
		return 100;
	execl(c->path, "pl-suid", KT_SETUID_HELPER, (char *)NULL);
	return 101;
}

/* Runs the copy at path as nobody; the report and the exec event. */
static bool run_suid(const char *path, struct suid_report *r, const struct pl_exec **e, pid_t *out)
{
	struct suid_child c = { .path = path };
	int p[2], st;
	pid_t pid;
	bool ok;

	if (!ASSERT_EQ(pipe(p), 0))
		return false;
	c.report = p[1];
	pid = spawn(child_run_suid, &c);
	close(p[1]);
	ok = ASSERT_EQ(read(p[0], r, sizeof(*r)), sizeof(*r));
	close(p[0]);
	st = wait_status(pid);
	ok = ASSERT_EQ(st, 0) && ok;
	*e = harness__wait(PL_EV_EXEC, pid, pred_comm, "pl-suid");
	*out = pid;
	return ASSERT_TRUE(*e) && ok;
}

/*
 * The second case: a setuid-root copy run by nobody: setid, euid 0,
 * the setid exec's cred event, and the cred event of its setuid(0). The
 * oracle of setid is the kernel's own: a privilege-changing exec clears
 * ADDR_NO_RANDOMIZE (PER_CLEAR_ON_SETID), which the program sees. The same
 * copy without its bit: no setid, personality kept.
 */
void test_cred_setuid_binary(void)
{
	char path[PATH_MAX];
	const struct pl_exec *e;
	const struct pl_cred *cr;
	struct suid_report r;
	struct statvfs vfs;
	struct tmp t;
	__u32 how;
	pid_t pid;

	if (!tmp_make(&t))
		return;
	if (statvfs(t.dir, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		TEST_SKIP("%s is mounted nosuid: a set-user-ID file there does not take effect", t.dir);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/pl-suid", t.dir);
	if (!ASSERT_EQ(copy_file("/proc/self/exe", path, 0755), 0) || !ASSERT_EQ(chown(path, 0, 0), 0) ||
	    !ASSERT_EQ(chmod(path, 04755), 0))
		goto out;
	if (run_suid(path, &r, &e, &pid)) {
		ASSERT_EQ(r.euid, 0);
		ASSERT_EQ(r.ruid, NOBODY);
		ASSERT_EQ(r.no_randomize, 0); /* the kernel cleared it: a privilege change */
		ASSERT_TRUE(e->h.flags & PL_F_SETID);
		ASSERT_EQ(e->h.euid, r.euid);
		ASSERT_EQ(e->h.uid, r.ruid);
		ASSERT_EQ(e->creds.suid, r.suid);
		ASSERT_EQ(r.setuid_err, 0);
		ASSERT_EQ(r.ruid2, 0);
		if (!harness__skip_unless(NEED(KF_CRED))) {
			how = PL_HOW_EXECVE;
			cr = harness__wait(PL_EV_CRED, pid, pred_how, &how);
			if (ASSERT_TRUE(cr)) {
				ASSERT_TRUE(cr->h.flags & PL_F_SETID);
				ASSERT_EQ(cr->new.euid, 0);
				ASSERT_EQ(cr->new.uid, NOBODY);
				/* Before its exec, in the stream. */
				ASSERT_TRUE(harness__index(cr) < harness__index(e));
			}
			how = PL_HOW_SETUID;
			cr = harness__wait(PL_EV_CRED, pid, pred_how, &how);
			if (ASSERT_TRUE(cr)) {
				ASSERT_EQ(cr->new.uid, r.ruid2);
				ASSERT_EQ(cr->new.euid, r.euid2);
				ASSERT_EQ(cr->new.suid, r.suid2);
				if (cr->cflags & PL_C_OLD_KERNEL) {
					ASSERT_EQ(cr->old.uid, NOBODY);
					ASSERT_EQ(cr->old.euid, 0);
				}
			}
		}
	}
	/* The bit gone: an ordinary exec. */
	if (ASSERT_EQ(chmod(path, 0755), 0) && run_suid(path, &r, &e, &pid)) {
		ASSERT_EQ(r.euid, NOBODY);
		ASSERT_EQ(r.no_randomize, 1);
		ASSERT_FALSE(e->h.flags & PL_F_SETID);
		how = PL_HOW_EXECVE;
		ASSERT_EQ(harness__count(PL_EV_CRED, pid, pred_how, &how), 0);
	}
out:
	tmp_remove(&t);
}

/* ---- capset ---- */

static int child_capset(void *arg)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int *fds = arg;

	if (syscall(SYS_capget, &h, d))
		return 100;
	d[0].effective &= ~(1u << CAP_DROPPED);
	d[0].permitted &= ~(1u << CAP_DROPPED);
	d[0].inheritable &= ~(1u << CAP_DROPPED);
	if (syscall(SYS_capset, &h, d))
		return 101;
	write_int(fds[1], 1);
	return read_int(fds[0]) == 2 ? 0 : 102;
}

/* The third case: capset drops a capability; the cred event's sets against /proc and capget(). */
void test_cred_capset(void)
{
	int to[2], from[2], fds[2];
	__u32 how = PL_HOW_CAPSET;
	const struct pl_cred *cr;
	pid_t pid;

	if (!ASSERT_EQ(pipe(to), 0) || !ASSERT_EQ(pipe(from), 0))
		return;
	fds[0] = to[0];
	fds[1] = from[1];
	pid = spawn(child_capset, fds);
	if (ASSERT_EQ(read_int(from[0]), 1) && !harness__skip_unless(NEED(KF_CRED))) {
		cr = harness__wait(PL_EV_CRED, pid, pred_how, &how);
		if (ASSERT_TRUE(cr)) {
			check_creds_vs_status(&cr->new, pid);
			ASSERT_FALSE(cr->new.cap_permitted & (1ull << CAP_DROPPED));
			ASSERT_FALSE(cr->new.cap_effective & (1ull << CAP_DROPPED));
			ASSERT_EQ(cr->nr, 126); /* x86_64's capset */
			if (cr->cflags & PL_C_OLD_KERNEL) {
				ASSERT_TRUE(cr->old.cap_permitted & (1ull << CAP_DROPPED));
				ASSERT_EQ(cr->old.cap_permitted & ~(1ull << CAP_DROPPED), cr->new.cap_permitted);
			}
		}
	}
	write_int(to[1], 2);
	ASSERT_EQ(wait_status(pid), 0);
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
}

/* prctl(PR_CAPBSET_DROP): a change only commit_creds() sees (the syscall variant is reduced without it). */
static int child_bset(void *arg)
{
	return prctl(PR_CAPBSET_DROP, CAP_DROPPED, 0, 0, 0) ? 100 : 0;
}

void test_cred_prctl(void)
{
	__u32 how = PL_HOW_PRCTL;
	const struct pl_cred *cr;
	pid_t pid = spawn(child_bset, NULL);

	ASSERT_EQ(wait_status(pid), 0);
	cr = harness__wait(PL_EV_CRED, pid, pred_how, &how);
	if (ASSERT_TRUE(cr)) {
		ASSERT_TRUE(cr->cflags & PL_C_OLD_KERNEL);
		ASSERT_TRUE(cr->old.cap_bset & (1ull << CAP_DROPPED));
		ASSERT_FALSE(cr->new.cap_bset & (1ull << CAP_DROPPED));
		ASSERT_EQ(cr->old.cap_bset & ~(1ull << CAP_DROPPED), cr->new.cap_bset);
	}
}

/* ---- paths ---- */

struct path_child {
	const char *cwd;     /* chdir here first (NULL: stay) */
	const char *path;    /* exec this */
	int fd;              /* or, >= 0, this fd (execveat AT_EMPTY_PATH) */
	int stdin_fd;        /* >= 0: its stdin */
	const char *arg;     /* its argv[1] */
};

static int child_path(void *arg)
{
	struct path_child *c = arg;
	char *argv[] = { "pl-path", (char *)c->arg, NULL };
	extern char **environ;

	if (c->stdin_fd >= 0 && dup2(c->stdin_fd, 0) < 0)
		return 100;
	if (c->cwd && chdir(c->cwd))
		return 101;
	if (c->fd >= 0)
		syscall(SYS_execveat, c->fd, "", argv, environ, AT_EMPTY_PATH);
	else
		execv(c->path, argv);
	return 102;
}

/*
 * Runs c and checks its exec event's cwd and exe against /proc/PID/cwd and
 * exe while it waits (sleep 30, or a script reading a pipe); want_exe, if
 * given, is what exe must also be.
 */
static void check_paths(struct path_child *c, const char *want_exe)
{
	char exe_link[PATH_MAX], cwd_link[PATH_MAX];
	const struct pl_exec *e;
	const char *s;
	size_t n;
	pid_t pid = spawn(child_path, c);

	e = harness__wait(PL_EV_EXEC, pid, NULL, NULL);
	if (ASSERT_TRUE(e)) {
		proc_link(pid, "exe", exe_link, sizeof(exe_link));
		proc_link(pid, "cwd", cwd_link, sizeof(cwd_link));
		ASSERT_EQ(e->xflags, 0);
		s = event__exec_exe(e, &n);
		if (ASSERT_TRUE(s))
			ASSERT_STREQ(s, exe_link);
		if (want_exe)
			ASSERT_STREQ(s, want_exe);
		s = event__exec_cwd(e, &n);
		if (ASSERT_TRUE(s))
			ASSERT_STREQ(s, cwd_link);
	}
	kill(pid, SIGKILL);
	wait_status(pid);
}

/* cwd after a chdir, exe through a symlink (resolved, as /proc/PID/exe). */
void test_exec_paths_symlink(void)
{
	char sub[96], link[96], target[PATH_MAX];
	struct path_child c = { .fd = -1, .stdin_fd = -1, .arg = "30" };
	struct tmp t;

	if (!tmp_make(&t))
		return;
	snprintf(sub, sizeof(sub), "%s/sub dir", t.dir);
	snprintf(link, sizeof(link), "%s/link", t.dir);
	if (ASSERT_EQ(mkdir(sub, 0755), 0) && ASSERT_EQ(symlink("/bin/sleep", link), 0) &&
	    ASSERT_TRUE(realpath("/bin/sleep", target))) {
		c.cwd = sub;
		c.path = link;
		check_paths(&c, target);
	}
	tmp_remove(&t);
}

/* A #! script: exe is its interpreter, as the kernel ran it. */
void test_exec_paths_script(void)
{
	char script[96], target[PATH_MAX];
	struct path_child c = { .fd = -1, .arg = NULL };
	int p[2], fd;
	struct tmp t;

	if (!tmp_make(&t))
		return;
	snprintf(script, sizeof(script), "%s/script", t.dir);
	fd = open(script, O_WRONLY | O_CREAT, 0755);
	if (ASSERT_TRUE(fd >= 0) && ASSERT_EQ(write(fd, "#!/bin/sh\nread x\n", 17), 17) && ASSERT_EQ(pipe(p), 0) &&
	    ASSERT_TRUE(realpath("/bin/sh", target))) {
		close(fd);
		c.path = script;
		c.stdin_fd = p[0];
		check_paths(&c, target);
		close(p[0]);
		close(p[1]);
	}
	tmp_remove(&t);
}

/* A file unlinked before its exec: " (deleted)", as d_path() says it. */
void test_exec_paths_deleted(void)
{
	char path[96], want[128];
	struct path_child c = { .stdin_fd = -1, .arg = "30" };
	struct tmp t;

	if (!tmp_make(&t))
		return;
	snprintf(path, sizeof(path), "%s/gone", t.dir);
	snprintf(want, sizeof(want), "%s (deleted)", path);
	if (ASSERT_EQ(copy_file("/bin/sleep", path, 0755), 0)) {
		c.fd = open(path, O_RDONLY);
		if (ASSERT_TRUE(c.fd >= 0) && ASSERT_EQ(unlink(path), 0))
			check_paths(&c, want);
		close(c.fd);
	}
	tmp_remove(&t);
}

/* Fileless: memfd_create() and execveat(): "/memfd:NAME (deleted)". */
void test_exec_paths_memfd(void)
{
	struct path_child c = { .stdin_fd = -1, .arg = "30" };
	char path[64];

	c.fd = memfd_create("pl-memfd", 0);
	if (!ASSERT_TRUE(c.fd >= 0))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c.fd);
	if (ASSERT_EQ(copy_file("/bin/sleep", path, 0755), 0))
		check_paths(&c, "/memfd:pl-memfd (deleted)");
	close(c.fd);
}

/* A working directory deeper than the walk goes: flagged, its last components kept, never a wrong path. */
void test_exec_paths_cut(void)
{
	char dir[1024], want[512] = "";
	struct path_child c = { .fd = -1, .stdin_fd = -1, .path = "/bin/true" };
	const struct pl_exec *e;
	struct tmp t;
	pid_t pid;
	size_t n;
	int i;

	if (!tmp_make(&t))
		return;
	snprintf(dir, sizeof(dir), "%s", t.dir);
	for (i = 0; i < 70 && ASSERT_EQ(mkdir(strcat(dir, "/d"), 0755), 0); i++)
		;
	for (int k = 0; k < 64; k++)
		strcat(want, k ? "/d" : "d");
	c.cwd = dir;
	pid = spawn(child_path, &c);
	ASSERT_EQ(wait_status(pid), 0);
	e = harness__wait(PL_EV_EXEC, pid, NULL, NULL);
	if (ASSERT_TRUE(e)) {
		const char *cwd = event__exec_cwd(e, &n);

		ASSERT_TRUE(e->xflags & PL_X_CWD_CUT);
		ASSERT_FALSE(e->xflags & PL_X_EXE_CUT);
		if (ASSERT_TRUE(cwd))
			ASSERT_STREQ(cwd, want);
	}
	tmp_remove(&t);
}

/* ---- a signal's sender ---- */

static int child_sender(void *arg)
{
	int *fds = arg, master, slave;
	char num[16];
	int fd = open("/proc/self/loginuid", O_WRONLY);

	snprintf(num, sizeof(num), "%d", TEST_AUID);
	if (fd < 0 || write(fd, num, strlen(num)) < 0)
		return 100;
	close(fd);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) || setsid() < 0)
		return 101;
	slave = open(ptsname(master), O_RDWR);
	if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) || setresuid(0, NOBODY, 0))
		return 102;
	write_int(fds[1], 1);
	if (read_int(fds[0]) != 2)
		return 103;
	kill(getppid(), SIGWINCH); /* ignored by default: the event says so, nothing happens */
	return 0;
}

/* The last case: a signal sent by a process with a login uid, a terminal, another euid. */
void test_signal_sender_identity(void)
{
	int to[2], from[2], fds[2], sig = SIGWINCH;
	long long auid = -1, session = -1;
	unsigned long long u[4] = {};
	const struct pl_signal *s;
	char stat[64], line[512], *p;
	long long tty = -1;
	FILE *f;
	pid_t pid;

	if (!ASSERT_EQ(pipe(to), 0) || !ASSERT_EQ(pipe(from), 0))
		return;
	fds[0] = to[0];
	fds[1] = from[1];
	pid = spawn(child_sender, fds);
	if (ASSERT_EQ(read_int(from[0]), 1)) {
		auid = proc_number(pid, "loginuid");
		session = proc_number(pid, "sessionid");
		status_numbers(pid, "Uid", u, 4);
		snprintf(stat, sizeof(stat), "/proc/%d/stat", pid);
		f = fopen(stat, "r");
		if (f && fgets(line, sizeof(line), f) && (p = strrchr(line, ')')))
			sscanf(p + 2, "%*c %*d %*d %*d %lld", &tty);
		if (f)
			fclose(f);
	}
	write_int(to[1], 2);
	ASSERT_EQ(wait_status(pid), 0);
	s = harness__wait(PL_EV_SIGNAL, pid, pred_sig, &sig);
	if (ASSERT_TRUE(s)) {
		ASSERT_EQ(s->target_pid, getpid());
		ASSERT_EQ(s->h.auid, TEST_AUID);
		ASSERT_EQ(s->h.auid, auid);
		ASSERT_EQ(s->h.session, (__u32)session);
		ASSERT_EQ(s->h.tty, tty);
		ASSERT_TRUE(tty > 0);
		ASSERT_EQ(s->h.euid, u[1]);
		ASSERT_EQ(s->h.euid, NOBODY);
		ASSERT_EQ(s->h.uid, 0);
	}
	close(to[0]);
	close(to[1]);
	close(from[0]);
	close(from[1]);
}

/* ---- the filters ---- */

static int child_auid_exec(void *arg)
{
	char num[16];
	int fd = open("/proc/self/loginuid", O_WRONLY);

	snprintf(num, sizeof(num), "%d", *(int *)arg);
	if (fd < 0 || write(fd, num, strlen(num)) < 0)
		return 100;
	close(fd);
	execl("/bin/true", "true", "pl-auid", (char *)NULL);
	return 101;
}

/* --auid in the kernel: the exec of a process with that login uid, none of another's. */
void test_filter_auid(void)
{
	struct tracer_config cfg = harness__default_config();
	int mine = TEST_AUID + 1, other = TEST_AUID + 2;
	pid_t a, b;

	cfg.by_auid = true;
	cfg.auid = mine;
	if (harness__start(&cfg))
		return;
	a = spawn(child_auid_exec, &mine);
	b = spawn(child_auid_exec, &other);
	ASSERT_EQ(wait_status(a), 0);
	ASSERT_EQ(wait_status(b), 0);
	ASSERT_TRUE(harness__wait(PL_EV_EXEC, a, NULL, NULL));
	ASSERT_TRUE(harness__wait(PL_EV_EXIT, a, pred_process_exit, NULL));
	harness__drain(200);
	ASSERT_EQ(harness__count(0, b, NULL, NULL), 0);
	/* Nothing of anyone else's, this test's own process included (its login uid is not mine). */
	ASSERT_EQ(harness__count(0, 0, pred_auid_not, &mine), 0);
}

/* --setid in the kernel: the setuid copy's exec and the cred events, no ordinary exec. */
void test_filter_setid(void)
{
	struct tracer_config cfg = harness__default_config();
	char path[PATH_MAX];
	const struct pl_exec *e;
	struct suid_report r;
	struct statvfs vfs;
	struct tmp t;
	pid_t pid, plain;

	if (!tmp_make(&t))
		return;
	if (statvfs(t.dir, &vfs) == 0 && (vfs.f_flag & ST_NOSUID)) {
		TEST_SKIP("%s is mounted nosuid: a set-user-ID file there does not take effect", t.dir);
		goto out;
	}
	cfg.setid_only = true;
	if (harness__start(&cfg))
		goto out;
	snprintf(path, sizeof(path), "%s/pl-suid", t.dir);
	if (!ASSERT_EQ(copy_file("/proc/self/exe", path, 04755), 0) || !ASSERT_EQ(chown(path, 0, 0), 0) ||
	    !ASSERT_EQ(chmod(path, 04755), 0))
		goto out;
	plain = spawn(child_auid_exec, &(int){ TEST_AUID });
	ASSERT_EQ(wait_status(plain), 0);
	if (run_suid(path, &r, &e, &pid))
		ASSERT_TRUE(e->h.flags & PL_F_SETID);
	harness__drain(200);
	ASSERT_EQ(harness__count(PL_EV_EXEC, plain, NULL, NULL), 0);
	ASSERT_EQ(harness__count(PL_EV_FORK, 0, NULL, NULL), 0);
	ASSERT_EQ(harness__count(PL_EV_EXIT, 0, NULL, NULL), 0);
	ASSERT_EQ(harness__count(PL_EV_EXEC, 0, pred_not_setid, NULL), 0);
out:
	tmp_remove(&t);
}
