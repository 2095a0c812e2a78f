// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pidset.h"
#include "kernel/procfs.h"

#define PF_KTHREAD 0x00200000

__u64 procfs__tick_ns(void)
{
	static __u64 tick;

	if (!tick) {
		long hz = sysconf(_SC_CLK_TCK);
		tick = 1000000000ull / (hz > 0 ? hz : 100);
	}
	return tick;
}

int procfs__parse_stat(const char *line, struct proc_snapshot *s)
{
	const char *open = strchr(line, '('), *close = strrchr(line, ')'), *p;
	unsigned long long v[64];
	size_t n;
	int field;
	char *end;

	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -EBADMSG;
	memset(s, 0, sizeof(*s));
	s->pid = strtoul(line, &end, 10);
	if (end == line || s->pid == 0)
		return -EBADMSG;
	n = close - open - 1;
	if (n >= PL_COMM_LEN)
		n = PL_COMM_LEN - 1;
	memcpy(s->comm, open + 1, n);
	s->state = close[2];
	/* Fields 4.. as numbers: v[k] is field k + 4. */
	p = close + 3;
	for (field = 0; field < 64 && *p; field++) {
		v[field] = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
		while (*p == ' ')
			p++;
	}
	if (field < 19) /* through starttime, field 22 */
		return -EBADMSG;
	s->ppid = v[0];
	s->kthread = v[5] & PF_KTHREAD;
	s->start_ns = v[18] * procfs__tick_ns();
	s->cpu_ns = (v[10] + v[11]) * procfs__tick_ns();
	s->rss_kb = field >= 21 ? v[20] * (sysconf(_SC_PAGESIZE) / 1024) : 0;
	s->exit_code = field >= 49 ? v[48] : 0; /* field 52 */
	return 0;
}

static int read_file(const char *path, char *buf, size_t size);

int procfs__stat(const char *proc_root, __u32 pid, struct proc_snapshot *s)
{
	char path[64], buf[1024];
	int r;

	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	r = read_file(path, buf, sizeof(buf));
	return r < 0 ? r : procfs__parse_stat(buf, s);
}

static int read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n ? 0 : -ENODATA;
}

/* The real, effective, saved and filesystem ids of a "Uid:" or "Gid:" line of /proc/PID/status. */
static bool status_ids(const char *buf, const char *key, __u32 ids[4])
{
	const char *p = strstr(buf, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	for (int i = 0; i < 4; i++, p = end) {
		ids[i] = strtoul(p, &end, 10);
		if (end == p)
			return false;
	}
	return true;
}

/* Who reads /proc: its fs ids and whether it holds CAP_SYS_PTRACE (what ptrace_may_access() asks). */
struct reader_creds {
	__u32 fsuid, fsgid;
	bool sys_ptrace;
};

#define CAP_SYS_PTRACE_BIT 19

static void reader_creds(const char *proc_root, struct reader_creds *rc)
{
	char path[64], buf[4096];
	__u32 u[4], g[4];
	const char *cap;

	*rc = (struct reader_creds){ .fsuid = PL_ID_UNSET, .fsgid = PL_ID_UNSET };
	snprintf(path, sizeof(path), "%s/self/status", proc_root);
	if (read_file(path, buf, sizeof(buf)))
		return;
	if (status_ids(buf, "\nUid:", u) && status_ids(buf, "\nGid:", g)) {
		rc->fsuid = u[3];
		rc->fsgid = g[3];
	}
	cap = strstr(buf, "\nCapEff:");
	rc->sys_ptrace = cap && (strtoull(cap + 8, NULL, 16) >> CAP_SYS_PTRACE_BIT & 1);
}

/*
 * /proc/PID/status: the real uid; and whether stat's exit code is shown to
 * the reader (fs/proc/array.c: ptrace_may_access(PTRACE_MODE_READ_FSCREDS);
 * a zombie has no mm, so ids and the capability are all it checks).
 */
static int read_status(const char *proc_root, __u32 pid, const struct reader_creds *rc, __u32 *uid,
		       bool *exit_shown)
{
	char path[64], buf[2048];
	__u32 u[4], g[4];

	snprintf(path, sizeof(path), "%s/%u/status", proc_root, pid);
	if (read_file(path, buf, sizeof(buf)))
		return -ENOENT;
	if (!status_ids(buf, "\nUid:", u) || !status_ids(buf, "\nGid:", g))
		return -EBADMSG;
	*uid = u[0];
	*exit_shown = true; /* the same real, effective and saved ids as the reader's fs ids */
	for (int i = 0; i < 3; i++)
		*exit_shown = *exit_shown && u[i] == rc->fsuid && g[i] == rc->fsgid;
	*exit_shown = *exit_shown || rc->sys_ptrace;
	return 0;
}

/* At most cap bytes of the cmdline (buf holds them); cut and said when there is more. */
static void read_cmdline(const char *proc_root, struct proc_snapshot *s, char *buf, __u32 cap)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%u/cmdline", proc_root, s->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	n = cap ? fread(buf, 1, cap, f) : 0;
	s->cmdline_truncated = n == cap && fgetc(f) != EOF;
	fclose(f);
	if (!n)
		return;
	s->cmdline = malloc(n);
	if (!s->cmdline)
		return;
	/* The last argument's NUL is the separator, not part of it. */
	if (!s->cmdline_truncated && buf[n - 1] == '\0')
		n--;
	memcpy(s->cmdline, buf, n);
	s->cmdline_len = n;
}

void procfs__free(struct proc_snapshot *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].cmdline);
	free(v);
}

static int by_start(const void *a, const void *b)
{
	const struct proc_snapshot *x = a, *y = b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

long procfs__scan(const char *proc_root, __u32 args_cap, struct proc_snapshot **out)
{
	struct proc_snapshot *v = NULL, s;
	size_t n = 0, cap = 0;
	struct reader_creds rc;
	struct dirent *de;
	char path[64], buf[1024], *args = malloc(args_cap ? args_cap : 1);
	bool exit_shown;
	DIR *d;

	if (!args)
		return -ENOMEM;
	reader_creds(proc_root, &rc);
	d = opendir(proc_root);
	if (!d) {
		free(args);
		return -errno;
	}
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || pid == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%lu/stat", proc_root, pid);
		if (read_file(path, buf, sizeof(buf)) || procfs__parse_stat(buf, &s))
			continue; /* gone meanwhile */
		if (read_status(proc_root, s.pid, &rc, &s.uid, &exit_shown))
			continue;
		if ((s.state == 'Z' || s.state == 'X') && !exit_shown)
			s.exit_code = PL_STATUS_UNKNOWN; /* /proc shows 0 instead */
		if (!s.kthread)
			read_cmdline(proc_root, &s, args, args_cap);
		if (n == cap) {
			void *nv = realloc(v, (cap = cap ? cap * 2 : 512) * sizeof(*v));
			if (!nv) {
				free(s.cmdline);
				procfs__free(v, n);
				closedir(d);
				free(args);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = s;
	}
	closedir(d);
	free(args);
	/* By start time, not pid: pids wrap, and parents always start before their children. */
	qsort(v, n, sizeof(*v), by_start);
	*out = v;
	return n;
}

static int read_ppid(const char *proc_root, unsigned pid, __u32 *ppid)
{
	char path[64], buf[1024];
	struct proc_snapshot s;
	int r;

	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	r = read_file(path, buf, sizeof(buf));
	if (r == 0)
		r = procfs__parse_stat(buf, &s);
	if (r == 0)
		*ppid = s.ppid;
	return r;
}

int procfs__add_descendants(struct pidset *s, __u32 pid, const char *proc_root)
{
	struct { __u32 pid, ppid; } *procs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	bool grew = true;
	DIR *d;
	int r;

	r = pidset__add(s, pid);
	if (r)
		return r;
	d = opendir(proc_root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long p = strtoul(de->d_name, &end, 10);
		__u32 pp;

		if (*end || p == 0 || read_ppid(proc_root, p, &pp))
			continue; /* not a pid, or gone meanwhile */
		if (n == cap) {
			void *np = realloc(procs, (cap = cap ? cap * 2 : 256) * sizeof(*procs));
			if (!np) {
				closedir(d);
				free(procs);
				return -ENOMEM;
			}
			procs = np;
		}
		procs[n].pid = p;
		procs[n].ppid = pp;
		n++;
	}
	closedir(d);
	/* Fixed point: pids are not ordered by ancestry (they wrap). */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (!pidset__has(s, procs[i].pid) && pidset__has(s, procs[i].ppid)) {
				r = pidset__add(s, procs[i].pid);
				if (r)
					goto out;
				grew = true;
			}
		}
	}
out:
	free(procs);
	return r;
}

