// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <dirent.h>
#include <stddef.h>
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
	s->tty = v[3];                                /* field 7 */
	s->auid = s->session = PL_ID_UNSET;
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

/* The numbers after "\nKEY:" in text, at most max of them into v (base 10, or 16 for the capability sets). */
static int status_numbers(const char *text, const char *key, unsigned long long *v, int max, int base)
{
	char k[16];
	const char *p;
	int n = 0;

	snprintf(k, sizeof(k), "\n%s:", key);
	p = strstr(text, k);
	if (!p)
		return -1;
	p += strlen(k);
	while (*p && *p != '\n') {
		char *end;
		unsigned long long x = strtoull(p, &end, base);

		if (end == p)
			break;
		if (n < max)
			v[n] = x;
		n++;
		p = end;
	}
	return n;
}

int procfs__parse_status(const char *text, struct pl_creds *c)
{
	static const struct {
		const char *key;
		size_t at;
	} caps[] = {
		{ "CapInh", offsetof(struct pl_creds, cap_inheritable) },
		{ "CapPrm", offsetof(struct pl_creds, cap_permitted) },
		{ "CapEff", offsetof(struct pl_creds, cap_effective) },
		{ "CapBnd", offsetof(struct pl_creds, cap_bset) },
		{ "CapAmb", offsetof(struct pl_creds, cap_ambient) },
	};
	unsigned long long u[4], g[4], groups[PL_GROUPS_MAX];
	int ng;

	memset(c, 0, sizeof(*c));
	if (status_numbers(text, "Uid", u, 4, 10) != 4 || status_numbers(text, "Gid", g, 4, 10) != 4)
		return -EBADMSG;
	c->uid = u[0], c->euid = u[1], c->suid = u[2], c->fsuid = u[3];
	c->gid = g[0], c->egid = g[1], c->sgid = g[2], c->fsgid = g[3];
	ng = status_numbers(text, "Groups", groups, PL_GROUPS_MAX, 10);
	c->ngroups = ng > 0 ? ng : 0;
	for (int i = 0; i < ng && i < PL_GROUPS_MAX; i++)
		c->groups[i] = groups[i];
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		unsigned long long v = 0;

		status_numbers(text, caps[i].key, &v, 1, 16);
		memcpy((char *)c + caps[i].at, &v, sizeof(__u64));
	}
	return 0;
}

/* One number of a one-line /proc/PID file (loginuid, sessionid); PL_ID_UNSET when unreadable. */
static __u32 read_id(const char *proc_root, __u32 pid, const char *name)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "%s/%u/%s", proc_root, pid, name);
	return read_file(path, buf, sizeof(buf)) ? PL_ID_UNSET : (__u32)strtoul(buf, NULL, 10);
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
	struct pl_creds c;

	*rc = (struct reader_creds){ .fsuid = PL_ID_UNSET, .fsgid = PL_ID_UNSET };
	snprintf(path, sizeof(path), "%s/self/status", proc_root);
	if (read_file(path, buf, sizeof(buf)) || procfs__parse_status(buf, &c) < 0)
		return;
	rc->fsuid = c.fsuid;
	rc->fsgid = c.fsgid;
	rc->sys_ptrace = c.cap_effective >> CAP_SYS_PTRACE_BIT & 1;
}

/*
 * Whether stat's exit code of the process with credentials c is shown to
 * the reader (fs/proc/array.c: ptrace_may_access(PTRACE_MODE_READ_FSCREDS);
 * a zombie has no mm, so ids and the capability are all it checks): the
 * same real, effective and saved ids as the reader's fs ids.
 */
static bool exit_shown_to(const struct reader_creds *rc, const struct pl_creds *c)
{
	return rc->sys_ptrace || (c->uid == rc->fsuid && c->euid == rc->fsuid && c->suid == rc->fsuid &&
				  c->gid == rc->fsgid && c->egid == rc->fsgid && c->sgid == rc->fsgid);
}

/* Its uid, and who it is: the credentials of /proc/PID/status, its login uid and session. */
static int read_identity(const char *proc_root, struct proc_snapshot *s, const struct reader_creds *rc,
			 bool *exit_shown)
{
	char path[64], buf[8192];

	snprintf(path, sizeof(path), "%s/%u/status", proc_root, s->pid);
	if (read_file(path, buf, sizeof(buf)))
		return -ENOENT;
	s->has_creds = procfs__parse_status(buf, &s->creds) == 0;
	if (!s->has_creds)
		return -EBADMSG;
	s->uid = s->creds.uid;
	*exit_shown = exit_shown_to(rc, &s->creds);
	s->auid = read_id(proc_root, s->pid, "loginuid");
	s->session = read_id(proc_root, s->pid, "sessionid");
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
		if (read_identity(proc_root, &s, &rc, &exit_shown))
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

