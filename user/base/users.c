// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/users.h"

/* A file that changed is read again at most this often, on a miss. */
#define USERS_RELOAD_NS 10000000000ull
/* Names longer than this are not names a terminal column can hold: the number is shown instead. */
#define NAME_MAX_LEN 64

struct entry {
	__u32 id;
	char name[NAME_MAX_LEN];
};

/* One file's ids and names: open addressing, id + 1 as the key (0: empty). */
struct idmap {
	const char *path;
	struct entry *slots;
	size_t cap, n;
	struct timespec mtime;
	__u64 checked_ns; /* when it was last read or found unchanged (CLOCK_MONOTONIC) */
	bool read;
};

static struct idmap users = { .path = "/etc/passwd" }, groups = { .path = "/etc/group" };

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static size_t slot_of(const struct idmap *m, __u32 id)
{
	return ((id + 1) * 2654435761u) & (m->cap - 1);
}

static struct entry *find(const struct idmap *m, __u32 id)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot_of(m, id);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slots[i].name[0])
			return NULL;
		if (m->slots[i].id == id)
			return &m->slots[i];
	}
}

static int grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256;
	struct entry *slots = calloc(cap, sizeof(*slots)), *old = m->slots;
	size_t oldcap = m->cap;

	if (!slots)
		return -ENOMEM;
	m->slots = slots;
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].name[0]) {
			size_t j = slot_of(m, old[i].id);

			while (slots[j].name[0])
				j = (j + 1) & (cap - 1);
			slots[j] = old[i];
			m->n++;
		}
	}
	free(old);
	return 0;
}

/* The first name given an id wins, as getpwuid() returns the first entry. */
static void add(struct idmap *m, __u32 id, const char *name, size_t len)
{
	size_t i;

	if (!len || len >= NAME_MAX_LEN || find(m, id))
		return;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return;
	for (i = slot_of(m, id); m->slots[i].name[0]; i = (i + 1) & (m->cap - 1))
		;
	m->slots[i].id = id;
	memcpy(m->slots[i].name, name, len);
	m->slots[i].name[len] = 0;
	m->n++;
}

/* name:x:ID:... lines (passwd and group alike): the name and the third field. */
static void parse(struct idmap *m, FILE *f)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *end;
		unsigned long id;

		if (!c2 || line[0] == '+' || line[0] == '-')
			continue; /* not an entry, or NIS compat syntax */
		id = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || id > 0xfffffffeul)
			continue;
		add(m, (__u32)id, line, c1 - line);
	}
}

/* Read m's file if never read, or if it changed and was not looked at for a while. */
static void refresh(struct idmap *m, bool missed)
{
	struct stat st;
	FILE *f;
	__u64 now;

	if (m->read && !missed)
		return;
	now = now_ns();
	if (m->read && now - m->checked_ns < USERS_RELOAD_NS)
		return;
	m->checked_ns = now;
	if (stat(m->path, &st) < 0) {
		m->read = true;
		return;
	}
	if (m->read && st.st_mtim.tv_sec == m->mtime.tv_sec && st.st_mtim.tv_nsec == m->mtime.tv_nsec)
		return;
	f = fopen(m->path, "re");
	m->read = true;
	if (!f)
		return;
	m->mtime = st.st_mtim;
	for (size_t i = 0; i < m->cap; i++)
		m->slots[i].name[0] = 0;
	m->n = 0;
	parse(m, f);
	fclose(f);
}

/*
 * The hidden test switches PROCLIFE_PASSWD and PROCLIFE_GROUP: read these
 * files instead (the golden corpus's own users, the same on every machine).
 */
static void files_from_env(void)
{
	static bool done;
	const char *pw = getenv("PROCLIFE_PASSWD"), *gr = getenv("PROCLIFE_GROUP");

	if (done)
		return;
	done = true;
	if (pw && *pw && !users.read)
		users.path = pw;
	if (gr && *gr && !groups.read)
		groups.path = gr;
}

static const char *lookup(struct idmap *m, __u32 id)
{
	struct entry *e;

	files_from_env();
	refresh(m, false);
	e = find(m, id);
	if (!e) {
		refresh(m, true);
		e = find(m, id);
	}
	return e ? e->name : NULL;
}

const char *users__name(__u32 uid)
{
	return lookup(&users, uid);
}

const char *users__group(__u32 gid)
{
	return lookup(&groups, gid);
}

static void forget(struct idmap *m, const char *path)
{
	free(m->slots);
	*m = (struct idmap){ .path = path };
}

void users__set_files(const char *passwd, const char *group)
{
	forget(&users, passwd ? passwd : "/etc/passwd");
	forget(&groups, group ? group : "/etc/group");
}
