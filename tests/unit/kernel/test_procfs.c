// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Reading /proc: hostile stat lines, and descendants over a fake /proc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "base/pidset.h"
#include "kernel/procfs.h"

TL_DEFINE_STATE;

static char proc[64];

/* A fake /proc/PID/stat whose comm is hostile: spaces and a ')' inside. */
static void fake_proc(unsigned pid, unsigned ppid)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", proc, pid);
	f = fopen(path, "w");
	fprintf(f, "%u (a) b (c) S %u 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %u\n", pid, ppid, pid);
	fclose(f);
}

static void test_descendants_from_proc(void)
{
	struct pidset s = {};

	/* 100 -> 200 -> 50 (pid wrapped: lower than its parent) ; 300 unrelated ; 400 under 300 */
	fake_proc(1, 0);
	fake_proc(100, 1);
	fake_proc(200, 100);
	fake_proc(50, 200);
	fake_proc(300, 1);
	fake_proc(400, 300);
	ASSERT_EQ(procfs__add_descendants(&s, 100, proc), 0);
	ASSERT_TRUE(pidset__has(&s, 100));
	ASSERT_TRUE(pidset__has(&s, 200));
	ASSERT_TRUE(pidset__has(&s, 50));
	ASSERT_FALSE(pidset__has(&s, 300));
	ASSERT_FALSE(pidset__has(&s, 400));
	ASSERT_FALSE(pidset__has(&s, 1));
	ASSERT_EQ(s.count, 3);
	pidset__free(&s);
	ASSERT_EQ(procfs__add_descendants(&s, 100, "/nonexistent-proc"), -ENOENT);
	pidset__free(&s);
}

/* The credentials in a /proc/PID/status text, as the kernel writes them; a text without Uid is refused. */
static void test_parse_status(void)
{
	const char *text = "Name:\tsudo\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n"
			   "FDSize:\t64\nGroups:\t4 24 27 1000 \nNStgid:\t5\nCapInh:\t0000000000000000\n"
			   "CapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
			   "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\n";
	struct pl_creds c;

	if (!ASSERT_EQ(procfs__parse_status(text, &c), 0))
		return;
	ASSERT_EQ(c.uid, 1000);
	ASSERT_EQ(c.euid, 0);
	ASSERT_EQ(c.suid, 0);
	ASSERT_EQ(c.fsuid, 0);
	ASSERT_EQ(c.gid, 1000);
	ASSERT_EQ(c.ngroups, 4);
	ASSERT_EQ(c.groups[0], 4);
	ASSERT_EQ(c.groups[3], 1000);
	ASSERT_EQ(c.cap_permitted, 0x1ffffffffffull);
	ASSERT_EQ(c.cap_effective, 0x1ffffffffffull);
	ASSERT_EQ(c.cap_inheritable, 0);
	ASSERT_EQ(c.cap_bset, 0x1ffffffffffull);
	ASSERT_EQ(procfs__parse_status("Name:\tx\nGid:\t1 1 1 1\n", &c), -EBADMSG);
	ASSERT_EQ(procfs__parse_status("Name:\tx\nUid:\t1 1\nGid:\t1 1 1 1\n", &c), -EBADMSG);
}

static void test_parse_stat(void)
{
	struct proc_snapshot s;

	/* A comm with spaces, parentheses and a ") R 1" look-alike inside. */
	ASSERT_EQ(procfs__parse_stat("4242 (a) R 1 (b) T 4241 4242 4242 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 1 0 "
				     "12345 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 768\n", &s), 0);
	ASSERT_EQ(s.pid, 4242);
	ASSERT_STREQ(s.comm, "a) R 1 (b");
	ASSERT_EQ(s.state, 'T');
	ASSERT_EQ(s.ppid, 4241);
	ASSERT_EQ(s.start_ns, 12345 * procfs__tick_ns());
	ASSERT_EQ(s.exit_code, 768);
	ASSERT_FALSE(s.kthread);
	/* A kernel thread (PF_KTHREAD in flags). */
	ASSERT_EQ(procfs__parse_stat("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 7", &s), 0);
	ASSERT_TRUE(s.kthread);
	/* Corrupt lines. */
	ASSERT_EQ(procfs__parse_stat("", &s), -EBADMSG);
	ASSERT_EQ(procfs__parse_stat("12 (x", &s), -EBADMSG);
	ASSERT_EQ(procfs__parse_stat("12 (x) S 1 2 3", &s), -EBADMSG);
	ASSERT_EQ(procfs__parse_stat("x (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7", &s), -EBADMSG);
	/* A comm longer than 15 bytes is cut, never overflows. */
	ASSERT_EQ(procfs__parse_stat("9 (0123456789abcdefghij) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7", &s), 0);
	ASSERT_STREQ(s.comm, "0123456789abcde");
}

/* A fake /proc/PID of a zombie (exit 3, status 0x300, as /proc shows it to one allowed) and its status ids. */
static void fake_zombie(unsigned pid, unsigned uid, unsigned gid)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", proc, pid);
	f = fopen(path, "w");
	fprintf(f, "%u (z) Z 1 1 1 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0 %u 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
		   "0 0 0 0 0 0 0 0 0 768\n", pid, pid);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%u/status", proc, pid);
	f = fopen(path, "w");
	fprintf(f, "Name:\tz\nState:\tZ (zombie)\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid,
		gid, gid, gid, gid);
	fclose(f);
}

/* Who reads: /proc/self/status with these fs ids and effective capabilities. */
static void fake_self(unsigned fsuid, unsigned fsgid, const char *cap_eff)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/self", proc);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/self/status", proc);
	f = fopen(path, "w");
	fprintf(f, "Name:\tproclife\nUid:\t0\t0\t0\t%u\nGid:\t0\t0\t0\t%u\nCapEff:\t%s\n", fsuid, fsgid, cap_eff);
	fclose(f);
}

static __u32 scanned_exit(unsigned pid)
{
	struct proc_snapshot *v = NULL;
	long n = procfs__scan(proc, PL_ARGS_DEFAULT, &v);
	__u32 code = 0xdead;

	for (long i = 0; i < n; i++)
		if (v[i].pid == pid)
			code = v[i].exit_code;
	procfs__free(v, n > 0 ? n : 0);
	return code;
}

/*
 * A zombie's exit code is in /proc only for who may ptrace it: root with
 * CAP_SYS_PTRACE, or the same user and group. Anyone else reads 0, which
 * the scan must not take for "exit 0" (issue 20, finding 8).
 */
static void test_zombie_exit_shown_or_unknown(void)
{
	fake_zombie(700, 0, 0);
	fake_zombie(701, 65534, 65534);
	fake_zombie(702, 1000, 1000);
	/* root with every capability (CAP_SYS_PTRACE is bit 19). */
	fake_self(0, 0, "000001ffffffffff");
	ASSERT_EQ(scanned_exit(700), 768);
	ASSERT_EQ(scanned_exit(701), 768);
	/* root as the unit runs it: CAP_BPF and CAP_PERFMON only. */
	fake_self(0, 0, "000000c000000000");
	ASSERT_EQ(scanned_exit(700), 768);
	ASSERT_EQ(scanned_exit(701), PL_STATUS_UNKNOWN);
	ASSERT_EQ(scanned_exit(702), PL_STATUS_UNKNOWN);
	/* A user reads its own zombies' codes, no one else's. */
	fake_self(1000, 1000, "0000000000000000");
	ASSERT_EQ(scanned_exit(702), 768);
	ASSERT_EQ(scanned_exit(700), PL_STATUS_UNKNOWN);
	/* The same uid in another group is not enough. */
	fake_self(1000, 1001, "0000000000000000");
	ASSERT_EQ(scanned_exit(702), PL_STATUS_UNKNOWN);
}

int main(void)
{
	char tmpl[] = "/tmp/plfakeproc-XXXXXX";
	char cmd[128];

	tl_init("unit/procfs");
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(proc, sizeof(proc), "%s", tmpl);
	RUN_TEST(test_parse_stat);
	RUN_TEST(test_parse_status);
	RUN_TEST(test_descendants_from_proc);
	RUN_TEST(test_zombie_exit_shown_or_unknown);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd))
		return 1;
	return tl_finish();
}
