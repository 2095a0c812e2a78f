// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The body of a REC_CONTAINER record (docs/RECORDING.md): its time, then
 * one NUL-terminated key=value string per thing known of the container.
 * One table of keys writes and reads it; a key a reader does not know is
 * skipped, so a later version may add some.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kernel/cgroups.h"
#include "kernel/ctstate.h"
#include "record/recording.h"

#define CT_FIELD(k, f) { k, offsetof(struct ct_info, f), sizeof(((struct ct_info *)0)->f) }

/* The strings of a container, each a char array of struct ct_info; "runtime", "sandbox" and "cgroup" apart. */
static const struct {
	const char *key;
	size_t off, size;
} ct_keys[] = {
	CT_FIELD("id", id),
	CT_FIELD("ns", ns),
	CT_FIELD("name", name),
	CT_FIELD("image", image),
	CT_FIELD("pod", pod),
	CT_FIELD("namespace", pod_namespace),
	CT_FIELD("pod_uid", pod_uid),
	CT_FIELD("container", container),
};

#define NKEYS (sizeof(ct_keys) / sizeof(ct_keys[0]))

/* One "key=value" string and its NUL at buf + n; the new length, or size + 1 when it does not fit. */
static size_t put_kv(char *buf, size_t n, size_t size, const char *key, const char *value)
{
	int w;

	if (n > size)
		return n;
	w = snprintf(buf + n, size - n, "%s=%s", key, value);
	return w < 0 || (size_t)w + 1 > size - n ? size + 1 : n + w + 1;
}

size_t rec_container__encode(const char *cgroup, const struct ct_info *ci, char *buf, size_t size)
{
	size_t n = put_kv(buf, 0, size, "cgroup", cgroup);

	n = put_kv(buf, n, size, "runtime", containers__runtime_name(ci->runtime));
	for (size_t i = 0; i < NKEYS; i++) {
		const char *v = (const char *)ci + ct_keys[i].off;

		if (*v)
			n = put_kv(buf, n, size, ct_keys[i].key, v);
	}
	if (ci->sandbox)
		n = put_kv(buf, n, size, "sandbox", "1");
	if (ci->truncated)
		n = put_kv(buf, n, size, "truncated", "1");
	return n <= size ? n : 0;
}

static enum ct_runtime runtime_parse(const char *s)
{
	for (int rt = CT_RT_NONE + 1; rt < CT_RT_COUNT; rt++)
		if (!strcmp(s, containers__runtime_name(rt)))
			return rt;
	return CT_RT_NONE;
}

/* Copies value into a field of size bytes; a value that does not fit is cut and said. */
static void set_field(char *field, size_t size, const char *value, bool *truncated)
{
	size_t n = strlen(value);

	if (n >= size) {
		n = size - 1;
		*truncated = true;
	}
	memcpy(field, value, n);
	field[n] = '\0';
}

/* One key=value string into cgroup or ci. */
static void decode_kv(const char *s, char *cgroup, size_t size, struct ct_info *ci)
{
	const char *eq = strchr(s, '=');
	size_t klen = eq ? (size_t)(eq - s) : 0;

	if (!eq)
		return;
	eq++;
	if (klen == 6 && !strncmp(s, "cgroup", 6)) {
		bool cut = false;

		set_field(cgroup, size, eq, &cut);
		if (cut)
			cgroup[0] = '\0'; /* a cut path names another cgroup: none */
	} else if (klen == 7 && !strncmp(s, "runtime", 7)) {
		ci->runtime = runtime_parse(eq);
	} else if (klen == 7 && !strncmp(s, "sandbox", 7)) {
		ci->sandbox = !strcmp(eq, "1");
	} else if (klen == 9 && !strncmp(s, "truncated", 9)) {
		ci->truncated = ci->truncated || !strcmp(eq, "1");
	} else {
		for (size_t i = 0; i < NKEYS; i++)
			if (strlen(ct_keys[i].key) == klen && !strncmp(s, ct_keys[i].key, klen))
				set_field((char *)ci + ct_keys[i].off, ct_keys[i].size, eq, &ci->truncated);
	}
}

int rec_container__decode(const void *body, size_t len, char *cgroup, size_t size, struct ct_info *ci)
{
	const char *s = (const char *)body + sizeof(__u64), *end = (const char *)body + len;

	memset(ci, 0, sizeof(*ci));
	ci->kind = CT_KIND_CONTAINER;
	cgroup[0] = '\0';
	/* The reader ended the body with a NUL. */
	for (; s < end; s += strlen(s) + 1)
		decode_kv(s, cgroup, size, ci);
	return cgroup[0] == '/' && ci->id[0] ? 0 : -EINVAL;
}

void rec_cgroup__decode(const struct rec_cgroup *c, const __u32 **pids, char *path, size_t size)
{
	size_t n = c->path_len < size ? c->path_len : size - 1;

	*pids = (const __u32 *)c->data;
	memcpy(path, c->data + (size_t)c->npids * sizeof(__u32), n);
	path[n] = '\0';
}
