// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/msg.h"
#include "kernel/cgroups.h"

/* The v1 controllers whose hierarchy proclife uses, in order of preference (see cgroups.h). */
static const char *const v1_preferred[] = { "pids", "memory", "cpu" };
#define V1_PREFERRED_N ((int)(sizeof(v1_preferred) / sizeof(v1_preferred[0])))

/* Every v1 controller (Documentation/admin-guide/cgroup-v1/): a mount with one is a v1 hierarchy. */
static const char *const v1_controllers[] = {
	"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
	"blkio", "perf_event", "hugetlb", "pids", "rdma", "misc", "debug",
};

const char *cgroups__layout_name(enum cg_layout layout)
{
	switch (layout) {
	case CG_LAYOUT_V2: return "v2";
	case CG_LAYOUT_HYBRID: return "hybrid";
	case CG_LAYOUT_V1: return "v1";
	default: return "none";
	}
}

const char *cgroups__hier_name(const struct cg_host *h, enum cg_hier hier)
{
	switch (hier) {
	case CG_HIER_V2: return "v2";
	case CG_HIER_V1: return h->v1_controller[0] ? h->v1_controller : "v1";
	default: return "none";
	}
}

/* mountinfo escapes space, tab, newline and backslash as \ooo (octal). In place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Whether the comma-separated list opts holds word as one whole item. */
static bool has_option(const char *opts, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = opts; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

static bool has_v1_controller(const char *superopts)
{
	for (size_t i = 0; i < sizeof(v1_controllers) / sizeof(v1_controllers[0]); i++)
		if (has_option(superopts, v1_controllers[i]))
			return true;
	return false;
}

static int set_mount(struct cg_mount *m, const char *dir, const char *root)
{
	if (strlen(dir) >= sizeof(m->dir) || strlen(root) >= sizeof(m->root))
		return -ENAMETOOLONG;
	strcpy(m->dir, dir);
	strcpy(m->root, root);
	return 0;
}

struct mi_line {
	char *root, *dir, *fstype, *superopts;
};

/* Splits one mountinfo line in place: "ID PARENT MAJ:MIN ROOT DIR OPTS [OPTIONAL...] - FSTYPE SRC SUPEROPTS". */
static int split_mountinfo(char *line, struct mi_line *l)
{
	char *f[64], *save = NULL, *tok;
	int n = 0, dash = -1;

	for (tok = strtok_r(line, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save)) {
		if (dash < 0 && n >= 6 && strcmp(tok, "-") == 0)
			dash = n;
		f[n++] = tok;
	}
	if (dash < 0 || n < dash + 4)
		return -EINVAL;
	l->root = f[3];
	l->dir = f[4];
	l->fstype = f[dash + 1];
	l->superopts = f[dash + 3];
	unescape_octal(l->root);
	unescape_octal(l->dir);
	return 0;
}

int cgroups__parse_mountinfo(const char *text, struct cg_host *h)
{
	char *copy = strdup(text), *line, *save = NULL;
	int v1_rank = -1, r = 0;
	bool any_v1 = false;

	if (!copy)
		return -ENOMEM;
	memset(h, 0, sizeof(*h));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mi_line l;

		if (split_mountinfo(line, &l)) {
			r = -EINVAL;
			break;
		}
		if (strcmp(l.fstype, "cgroup2") == 0) {
			/* The first mount of the v2 hierarchy, preferring its root over bind mounts below it. */
			if (!h->v2.dir[0] || (strcmp(h->v2.root, "/") && !strcmp(l.root, "/")))
				r = set_mount(&h->v2, l.dir, l.root);
		} else if (strcmp(l.fstype, "cgroup") == 0) {
			int rank;

			/* A v1 hierarchy counts only with a controller: name=systemd alone is no v1 layout. */
			any_v1 = any_v1 || has_v1_controller(l.superopts);
			for (rank = 0; rank < V1_PREFERRED_N; rank++)
				if (has_option(l.superopts, v1_preferred[rank]))
					break;
			if (rank < V1_PREFERRED_N && (v1_rank < 0 || rank < v1_rank)) {
				v1_rank = rank;
				strcpy(h->v1_controller, v1_preferred[rank]);
				r = set_mount(&h->v1, l.dir, l.root);
			}
		}
		if (r)
			break;
	}
	free(copy);
	if (r)
		return r;
	if (any_v1)
		h->layout = h->v2.dir[0] ? CG_LAYOUT_HYBRID : CG_LAYOUT_V1;
	else
		h->layout = h->v2.dir[0] ? CG_LAYOUT_V2 : CG_LAYOUT_NONE;
	return 0;
}

/* Reads a whole small file (mountinfo, /proc/PID/cgroup) into a new NUL-terminated buffer. */
static int slurp(const char *path, char **out, size_t max)
{
	size_t n = 0, cap = 16384;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0 || !buf) {
		int e = fd < 0 ? -errno : -ENOMEM;
		free(buf);
		if (fd >= 0)
			close(fd);
		return e;
	}
	while ((got = read(fd, buf + n, cap - n - 1)) > 0) {
		n += got;
		if (n + 1 < cap)
			continue;
		if (cap >= max || !(nb = realloc(buf, cap * 2)))
			break;
		buf = nb;
		cap *= 2;
	}
	close(fd);
	if (got < 0) {
		free(buf);
		return -EIO;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int cgroups__detect(const char *mountinfo_path, struct cg_host *h)
{
	char *text;
	int r = slurp(mountinfo_path, &text, 1 << 24);

	if (r)
		return r;
	r = cgroups__parse_mountinfo(text, h);
	free(text);
	return r;
}

static int copy_path(char *dst, const char *src, size_t n)
{
	if (n >= CG_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int cgroups__parse_proc(const char *text, const struct cg_host *h, struct cg_proc *p)
{
	const char *line = text;

	memset(p, 0, sizeof(*p));
	while (*line) {
		const char *end = strchr(line, '\n') ?: line + strlen(line), *c1, *c2;
		char ctrls[256];
		size_t n;

		/* "ID:CONTROLLERS:PATH"; the path may hold ':' itself. */
		c1 = memchr(line, ':', end - line);
		c2 = c1 ? memchr(c1 + 1, ':', end - c1 - 1) : NULL;
		if (!c2 || c2[1] != '/')
			return -EINVAL;
		n = c2 - c1 - 1;
		if (n >= sizeof(ctrls))
			return -EINVAL;
		memcpy(ctrls, c1 + 1, n);
		ctrls[n] = '\0';
		if (c1 - line == 1 && line[0] == '0' && n == 0) {
			if (copy_path(p->v2, c2 + 1, end - c2 - 1))
				return -EINVAL;
			p->has_v2 = true;
		} else if (h->v1_controller[0] && has_option(ctrls, h->v1_controller)) {
			if (copy_path(p->v1, c2 + 1, end - c2 - 1))
				return -EINVAL;
			p->has_v1 = true;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

int cgroups__read_proc(const char *proc_root, __u32 pid, const struct cg_host *h, struct cg_proc *p)
{
	char path[128], *text;
	int r;

	snprintf(path, sizeof(path), "%s/%u/cgroup", proc_root, pid);
	r = slurp(path, &text, 1 << 20);
	if (r)
		return r;
	r = cgroups__parse_proc(text, h, p);
	free(text);
	return r;
}

const char *cgroups__identity(const struct cg_host *h, const struct cg_proc *p, enum cg_hier *hier)
{
	enum cg_hier which = CG_HIER_NONE;

	if (p->has_v2 && (h->layout == CG_LAYOUT_V2 || strcmp(p->v2, "/") != 0))
		which = CG_HIER_V2;
	else if (p->has_v1)
		which = CG_HIER_V1;
	else if (p->has_v2)
		which = CG_HIER_V2;
	if (hier)
		*hier = which;
	return which == CG_HIER_V2 ? p->v2 : which == CG_HIER_V1 ? p->v1 : NULL;
}

/* ---- ids to paths ---- */

struct cg_idslot {
	__u64 id;          /* 0: empty */
	char *path;        /* NULL: known not to exist until neg_until */
	__u64 neg_until;
};

static size_t slot_of(__u64 id, size_t cap)
{
	return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static struct cg_idslot *find_slot(struct cg_idslot *slots, size_t cap, __u64 id)
{
	size_t j;

	if (!cap)
		return NULL;
	for (j = slot_of(id, cap); slots[j].id; j = (j + 1) & (cap - 1))
		if (slots[j].id == id)
			return &slots[j];
	return &slots[j];
}

struct idtable {
	struct cg_idslot *slots;
	size_t cap, used;
};

static int table_put(struct idtable *t, __u64 id, char *path, __u64 neg_until)
{
	struct cg_idslot *s;

	if ((t->used + 1) * 4 > t->cap * 3) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct cg_idslot *n = calloc(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].id)
				*find_slot(n, cap, t->slots[i].id) = t->slots[i];
		free(t->slots);
		t->slots = n;
		t->cap = cap;
	}
	s = find_slot(t->slots, t->cap, id);
	if (s->id) {
		free(s->path);
	} else {
		s->id = id;
		t->used++;
	}
	s->path = path;
	s->neg_until = neg_until;
	return 0;
}

static void table_free(struct idtable *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].path);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int cg_idmap__init(struct cg_idmap *m, const struct cg_mount *mnt)
{
	memset(m, 0, sizeof(*m));
	if (!mnt->dir[0])
		return -EINVAL;
	strcpy(m->dir, mnt->dir);
	strcpy(m->root, mnt->root[0] ? mnt->root : "/");
	m->min_walk_gap_ns = CG_WALK_GAP_NS;
	m->negative_ttl_ns = CG_NEGATIVE_TTL_NS;
	m->max_dirs = CG_WALK_MAX_DIRS;
	return 0;
}

void cg_idmap__free(struct cg_idmap *m)
{
	struct idtable t = { m->slots, m->cap, m->used };

	table_free(&t);
	m->slots = NULL;
	m->cap = m->used = 0;
}

struct walk {
	struct idtable t;
	size_t dirs, max_dirs;
	bool cut;
	char path[CG_PATH_MAX]; /* the hierarchy path of the directory being read */
};

/* Adds every directory below fd_dir (whose path is w->path, len bytes) to w->t. Closes fd_dir. */
static int walk_dir(struct walk *w, int fd_dir, size_t len, int depth)
{
	DIR *d = fdopendir(fd_dir);
	struct dirent *e;
	int r = 0;

	if (!d) {
		r = -errno;
		close(fd_dir);
		return r;
	}
	while (!r && (e = readdir(d))) {
		size_t n = strlen(e->d_name), sep = len > 1;
		char *copy;
		int fd;

		if (e->d_type != DT_DIR || (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, ".."))))
			continue;
		if (w->dirs >= w->max_dirs || depth >= CG_WALK_MAX_DEPTH || len + sep + n >= sizeof(w->path)) {
			w->cut = true;
			continue;
		}
		if (sep)
			w->path[len] = '/';
		memcpy(w->path + len + sep, e->d_name, n + 1);
		copy = strdup(w->path);
		if (!copy || table_put(&w->t, e->d_ino, copy, 0)) {
			free(copy);
			r = -ENOMEM;
			break;
		}
		w->dirs++;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			r = walk_dir(w, fd, len + sep + n, depth + 1); /* gone meanwhile: skipped */
		w->path[len] = '\0';
	}
	closedir(d);
	return r;
}

/* Walks the whole hierarchy into a new table; unexpired negative entries of the old one carry over. */
static int idmap_walk(struct cg_idmap *m, __u64 now_ns)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct stat st;
	char *rootcopy;
	int fd, r;

	if (!w)
		return -ENOMEM;
	w->max_dirs = m->max_dirs;
	fd = open(m->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		free(w);
		return r;
	}
	strcpy(w->path, m->root);
	rootcopy = strdup(m->root);
	r = rootcopy ? table_put(&w->t, st.st_ino, rootcopy, 0) : -ENOMEM;
	if (r) {
		free(rootcopy);
		close(fd);
	} else {
		r = walk_dir(w, fd, strlen(w->path), 0);
	}
	for (size_t i = 0; !r && i < m->cap; i++) {
		struct cg_idslot *s = &m->slots[i];

		if (s->id && !s->path && s->neg_until > now_ns && !find_slot(w->t.slots, w->t.cap, s->id)->id)
			r = table_put(&w->t, s->id, NULL, s->neg_until);
	}
	if (r) {
		table_free(&w->t);
		free(w);
		return r;
	}
	cg_idmap__free(m);
	m->slots = w->t.slots;
	m->cap = w->t.cap;
	m->used = w->t.used;
	m->walks++;
	m->walk_dirs = w->dirs;
	if (w->cut && !m->walk_cut)
		msg__say(MSG_WARN, "cgroup walk of %s stopped at %zu directories or %d levels: some cgroups stay unnamed",
			 m->dir, w->max_dirs, CG_WALK_MAX_DEPTH);
	m->walk_cut = w->cut;
	free(w);
	return 0;
}

static int put_path(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	return 0;
}

int cg_idmap__path(struct cg_idmap *m, __u64 id, __u64 now_ns, char *buf, size_t size)
{
	struct cg_idslot *s = find_slot(m->slots, m->cap, id);
	struct idtable t;
	int r;

	if (id == 0)
		return -ENOENT;
	if (s && s->id && s->path) {
		m->hits++;
		return put_path(s->path, buf, size);
	}
	if (s && s->id && s->neg_until > now_ns) {
		m->negative_hits++;
		return -ENOENT;
	}
	m->misses++;
	/* Walks at least min_walk_gap_ns apart, and never more than a tenth of the time (a big hierarchy). */
	if (!m->last_walk_ns || now_ns - m->last_walk_ns >= m->min_walk_gap_ns + 9 * m->last_walk_cost_ns) {
		struct timespec t0, t1;

		m->last_walk_ns = now_ns ? now_ns : 1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = idmap_walk(m, now_ns);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		m->last_walk_cost_ns = (t1.tv_sec - t0.tv_sec) * 1000000000ull + t1.tv_nsec - t0.tv_nsec;
		if (r)
			return r;
		s = find_slot(m->slots, m->cap, id);
		if (s && s->id && s->path)
			return put_path(s->path, buf, size);
	}
	t = (struct idtable){ m->slots, m->cap, m->used };
	r = table_put(&t, id, NULL, now_ns + m->negative_ttl_ns);
	m->slots = t.slots;
	m->cap = t.cap;
	m->used = t.used;
	return r ? r : -ENOENT;
}

int cg_idmap__id(const struct cg_idmap *m, const char *path, __u64 *id)
{
	size_t rootlen = strlen(m->root);
	char full[2 * CG_PATH_MAX];
	const char *rel = path;
	struct stat st;

	/* The hierarchy path less the mount's root ("/" mounts everything). */
	if (strcmp(m->root, "/") != 0) {
		if (strncmp(path, m->root, rootlen) || (path[rootlen] && path[rootlen] != '/'))
			return -ENOENT;
		rel = path + rootlen;
	}
	if (snprintf(full, sizeof(full), "%s%s", m->dir, rel) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (stat(full, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*id = st.st_ino;
	return 0;
}
