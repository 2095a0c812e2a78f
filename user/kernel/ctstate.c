// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/ctstate.h"

void ctstate__env_init(struct ct_env *env, const char *root)
{
	memset(env, 0, sizeof(*env));
	snprintf(env->root, sizeof(env->root), "%s", root ? root : "");
	env->owner_uid = -1;
}

/* env->root + the formatted path. false when it does not fit. */
static bool __attribute__((format(printf, 4, 5)))
state_path(const struct ct_env *env, char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(env->root);
	va_list ap;
	int r;

	if (n >= size)
		return false;
	memcpy(buf, env->root, n);
	va_start(ap, fmt);
	r = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return r >= 0 && (size_t)r < size - n;
}

/*
 * A whole file into a new NUL-terminated buffer, refused when larger than
 * max (-EFBIG) or, while naming a user's container, not owned by that user
 * (-EPERM: a user's state must not make proclife read root's files).
 */
static int read_capped(struct ct_env *env, const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	size_t n = 0, cap;
	struct stat st;
	char *buf, *nb;
	ssize_t got;
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((size_t)st.st_size > max)
		r = -EFBIG;
	else if (env->owner_uid >= 0 && st.st_uid != (uid_t)env->owner_uid)
		r = -EPERM;
	/* /proc's files say size 0: read to the end, within max, whatever the size said. */
	cap = (size_t)st.st_size + 1 > 4096 ? (size_t)st.st_size + 1 : 4096;
	buf = r ? NULL : malloc(cap);
	if (!r && !buf)
		r = -ENOMEM;
	while (!r && (got = read(fd, buf + n, cap - n - 1)) > 0) {
		n += got;
		if (n + 1 < cap)
			continue;
		if (cap > max)
			r = -EFBIG;
		else if (!(nb = realloc(buf, cap * 2)))
			r = -ENOMEM;
		else
			buf = nb, cap *= 2;
	}
	close(fd);
	if (r) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	env->files_read++;
	env->bytes_read += n;
	*out = buf;
	*len = n;
	return 0;
}

static int load_json(struct ct_env *env, const char *path, size_t max, json_t **out)
{
	json_error_t err;
	size_t len;
	char *buf;
	int r = read_capped(env, path, max, &buf, &len);

	if (r)
		return r;
	*out = json_loadb(buf, len, 0, &err);
	free(buf);
	return *out ? 0 : -EBADMSG;
}

/*
 * One member of a JSON document at path: the value of the first "key": in
 * it, parsed alone, when the document is written as Go's encoding/json
 * writes it ("key":value, no space); else the document parsed whole and
 * its member found by walking outer (outer == NULL: the top object). A
 * quote inside a JSON string is escaped, so the needle only meets a real
 * key. This matters: runc's state.json and an OCI config.json carry the
 * seccomp profile, and parsing all of it costs 0.5 ms against 20 µs for
 * the one member (measured on this host; docs in ctstate.h).
 */
static int load_member(struct ct_env *env, const char *path, size_t max, const char *outer, const char *key,
		       json_t **out)
{
	char needle[64];
	json_error_t err;
	const char *at;
	json_t *doc;
	size_t len;
	char *buf;
	int r = read_capped(env, path, max, &buf, &len);

	if (r)
		return r;
	snprintf(needle, sizeof(needle), "\"%s\":", key);
	at = memmem(buf, len, needle, strlen(needle));
	*out = at ? json_loadb(at + strlen(needle), len - (at + strlen(needle) - buf),
			       JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &err) : NULL;
	if (!*out && (doc = json_loadb(buf, len, 0, &err))) {
		*out = json_incref(json_object_get(outer ? json_object_get(doc, outer) : doc, key));
		json_decref(doc);
		r = *out ? 0 : -ENOENT;
	} else if (!*out) {
		r = -EBADMSG;
	}
	free(buf);
	return r;
}

/* Copies a JSON string value into dst (size bytes); non-strings leave dst alone. */
static bool set_str(struct ct_info *out, char *dst, size_t size, json_t *v)
{
	const char *s = json_string_value(v);
	size_t n;

	if (!s || !*s)
		return false;
	n = json_string_length(v);
	if (n >= size) {
		n = size - 1;
		out->truncated = true;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* An id or namespace that is safe as one path component. */
static bool path_safe(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int ctstate__runc_bundle(struct ct_env *env, const char *state_root, const char *id, char *bundle, size_t size)
{
	const char *found = NULL;
	char path[4096];
	json_t *j = NULL, *v;
	size_t i;
	int r;

	if (!path_safe(id))
		return -EINVAL;
	/* runc (and youki): state.json's config.labels ends with "bundle=<dir>" (after the annotations) */
	if (!state_path(env, path, sizeof(path), "%s/%s/state.json", state_root, id))
		return -ENAMETOOLONG;
	r = load_member(env, path, CT_STATE_JSON_MAX, "config", "labels", &j);
	if (r == 0) {
		json_array_foreach(j, i, v) {
			const char *s = json_string_value(v);

			if (s && !strncmp(s, "bundle=", 7))
				found = s + 7;
		}
	} else if (r == -ENOENT) {
		/* crun: status's "bundle" */
		if (!state_path(env, path, sizeof(path), "%s/%s/status", state_root, id))
			return -ENAMETOOLONG;
		r = load_json(env, path, CT_STATE_JSON_MAX, &j);
		if (r == 0)
			found = json_string_value(json_object_get(j, "bundle"));
	}
	if (r == 0 && (!found || !*found || found[0] != '/'))
		r = -EBADMSG;
	if (r == 0 && snprintf(bundle, size, "%s", found) >= (int)size)
		r = -ENAMETOOLONG;
	json_decref(j);
	return r;
}

int ctstate__docker(struct ct_env *env, const char *data_root, const char *id, struct ct_info *out)
{
	char path[4096];
	json_t *j;
	const char *name;
	int r;

	if (!path_safe(id))
		return -EINVAL;
	if (!state_path(env, path, sizeof(path), "%s/containers/%s/config.v2.json", data_root, id))
		return -ENAMETOOLONG;
	r = load_json(env, path, CT_CONFIG_JSON_MAX, &j);
	if (r)
		return r;
	/* Docker keeps the name with a leading '/' (a link path); docker ps shows it without. */
	name = json_string_value(json_object_get(j, "Name"));
	if (name && name[0] == '/' && name[1]) {
		size_t n = strlen(name + 1);

		if (n >= sizeof(out->name)) {
			n = sizeof(out->name) - 1;
			out->truncated = true;
		}
		memcpy(out->name, name + 1, n);
		out->name[n] = '\0';
	}
	set_str(out, out->image, sizeof(out->image), json_object_get(json_object_get(j, "Config"), "Image"));
	json_decref(j);
	return out->name[0] ? 0 : -EBADMSG;
}

/*
 * The record {"id": id, ...} of a containers/storage JSON array (containers.json,
 * images.json). Go writes each record as {"id":"<id>",...}: that is looked for
 * and parsed alone (a large store costs one read and a memmem); else the whole
 * array is parsed.
 */
static json_t *storage_record(struct ct_env *env, const char *path, const char *id)
{
	char needle[CT_ID_MAX + 16], *buf;
	json_t *rec = NULL, *all, *v;
	json_error_t err;
	size_t len, i;
	const char *at;

	if (read_capped(env, path, CT_CONTAINERS_JSON_MAX, &buf, &len))
		return NULL;
	snprintf(needle, sizeof(needle), "{\"id\":\"%s\"", id);
	at = memmem(buf, len, needle, strlen(needle));
	if (at)
		rec = json_loadb(at, len - (at - buf), JSON_DISABLE_EOF_CHECK, &err);
	if (rec && strcmp(json_string_value(json_object_get(rec, "id")) ?: "", id)) {
		json_decref(rec);
		rec = NULL;
	}
	if (!rec && (all = json_loadb(buf, len, 0, &err))) {
		json_array_foreach(all, i, v) {
			const char *s = json_string_value(json_object_get(v, "id"));

			if (s && !strcmp(s, id)) {
				rec = json_incref(v);
				break;
			}
		}
		json_decref(all);
	}
	free(buf);
	return rec;
}

int ctstate__podman(struct ct_env *env, const char *bundle, const char *id, struct ct_info *out)
{
	char dir[4096], path[4096 + 64];
	const char *image_id;
	json_t *rec, *meta;
	size_t n = strlen(bundle), idn = strlen(id), dn;
	json_error_t err;

	/* The bundle is <graph root>/<driver>-containers/<id>/userdata. */
	if (n < idn + 11 || strcmp(bundle + n - 9, "/userdata") || strncmp(bundle + n - 9 - idn, id, idn) ||
	    bundle[n - 10 - idn] != '/')
		return -ENOENT;
	dn = n - 10 - idn;
	if (dn >= sizeof(dir) || dn < 12 || strncmp(bundle + dn - 11, "-containers", 11))
		return -ENOENT;
	memcpy(dir, bundle, dn);
	dir[dn] = '\0';
	if (!state_path(env, path, sizeof(path), "%s/containers.json", dir))
		return -ENAMETOOLONG;
	rec = storage_record(env, path, id);
	if (!rec)
		return -ENOENT;
	set_str(out, out->name, sizeof(out->name), json_array_get(json_object_get(rec, "names"), 0));
	/* Podman's own metadata, a JSON document in a string: image-name is what podman inspect says. */
	meta = json_loads(json_string_value(json_object_get(rec, "metadata")) ?: "", 0, &err);
	set_str(out, out->image, sizeof(out->image), json_object_get(meta, "image-name"));
	json_decref(meta);
	image_id = json_string_value(json_object_get(rec, "image"));
	if (!out->image[0] && image_id && path_safe(image_id)) {
		/* <driver>-images/images.json beside it: the image's first name, else its id. */
		json_t *img;

		dir[dn - 11] = '\0';
		if (state_path(env, path, sizeof(path), "%s-images/images.json", dir) &&
		    (img = storage_record(env, path, image_id))) {
			set_str(out, out->image, sizeof(out->image), json_array_get(json_object_get(img, "names"), 0));
			json_decref(img);
		}
		if (!out->image[0])
			set_str(out, out->image, sizeof(out->image), json_object_get(rec, "image"));
	}
	json_decref(rec);
	return out->name[0] ? 0 : -EBADMSG;
}

/* The Kubernetes annotations each CRI runtime writes into the bundle's config.json. */
struct cri_keys {
	enum ct_runtime runtime;
	const char *type, *sandbox_value, *container, *pod, *ns, *uid, *image;
};

static const struct cri_keys cri_keys[] = {
	{ CT_RT_CONTAINERD, "io.kubernetes.cri.container-type", "sandbox", "io.kubernetes.cri.container-name",
	  "io.kubernetes.cri.sandbox-name", "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-uid",
	  "io.kubernetes.cri.image-name" },
	{ CT_RT_CRIO, "io.kubernetes.cri-o.ContainerType", "sandbox", "io.kubernetes.container.name",
	  "io.kubernetes.pod.name", "io.kubernetes.pod.namespace", "io.kubernetes.pod.uid",
	  "io.kubernetes.cri-o.ImageName" },
};

int ctstate__annotations(struct ct_env *env, const char *bundle, struct ct_info *out)
{
	char path[4096 + 16];
	json_t *j, *a;
	int r;

	if (!state_path(env, path, sizeof(path), "%s/config.json", bundle))
		return -ENAMETOOLONG;
	r = load_member(env, path, CT_CONFIG_JSON_MAX, NULL, "annotations", &j);
	if (r)
		return r;
	a = j;
	r = -ENOENT;
	for (size_t i = 0; i < sizeof(cri_keys) / sizeof(cri_keys[0]); i++) {
		const struct cri_keys *k = &cri_keys[i];
		const char *type = json_string_value(json_object_get(a, k->type));

		if (!type)
			continue;
		out->runtime = k->runtime;
		out->sandbox = !strcmp(type, k->sandbox_value);
		set_str(out, out->pod, sizeof(out->pod), json_object_get(a, k->pod));
		set_str(out, out->pod_namespace, sizeof(out->pod_namespace), json_object_get(a, k->ns));
		set_str(out, out->pod_uid, sizeof(out->pod_uid), json_object_get(a, k->uid));
		set_str(out, out->image, sizeof(out->image), json_object_get(a, k->image));
		/* A sandbox is the pod itself: its name is the pod's. */
		if (!out->sandbox)
			set_str(out, out->container, sizeof(out->container), json_object_get(a, k->container));
		memcpy(out->name, out->sandbox ? out->pod : out->container, sizeof(out->name));
		r = 0;
		break;
	}
	json_decref(j);
	return r;
}

/* ---- Docker's data roots ---- */

static void add_docker_root(struct ct_env *env, const char *dir)
{
	if (!dir || dir[0] != '/' || env->n_docker_roots >= (int)(sizeof(env->docker_roots) / sizeof(env->docker_roots[0])))
		return;
	for (int i = 0; i < env->n_docker_roots; i++)
		if (!strcmp(env->docker_roots[i], dir))
			return;
	if (strlen(dir) < sizeof(env->docker_roots[0]))
		strcpy(env->docker_roots[env->n_docker_roots++], dir);
}

/* daemon.json's data-root (or the older "graph"), else the default. */
static void docker_root_from_config(struct ct_env *env, const char *config)
{
	char path[4096];
	json_t *j = NULL;
	const char *dir = NULL;

	if (state_path(env, path, sizeof(path), "%s", config) && load_json(env, path, CT_CONFIG_JSON_MAX, &j) == 0)
		dir = json_string_value(json_object_get(j, "data-root")) ?:
		      json_string_value(json_object_get(j, "graph"));
	add_docker_root(env, dir ? dir : "/var/lib/docker");
	json_decref(j);
}

/* One dockerd's command line (NUL-separated): its --data-root, or its config file's. */
static void docker_root_from_cmdline(struct ct_env *env, const char *args, size_t len)
{
	const char *config = "/etc/docker/daemon.json", *end = args + len;

	for (const char *a = args; a < end; a += strlen(a) + 1) {
		const char *next = a + strlen(a) + 1 < end ? a + strlen(a) + 1 : NULL;
		static const char *const flags[] = { "--data-root", "--graph", "-g" };

		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			size_t n = strlen(flags[i]);

			if (!strcmp(a, flags[i]) && next)
				return add_docker_root(env, next);
			if (!strncmp(a, flags[i], n) && a[n] == '=')
				return add_docker_root(env, a + n + 1);
		}
		if (!strcmp(a, "--config-file") && next)
			config = next;
		else if (!strncmp(a, "--config-file=", 14))
			config = a + 14;
	}
	docker_root_from_config(env, config);
}

int ctstate__docker_roots(struct ct_env *env)
{
	char path[512], *buf;
	struct dirent *e;
	size_t len;
	DIR *d;
	int saved = env->owner_uid;

	env->n_docker_roots = 0;
	env->docker_scans++;
	env->owner_uid = -1; /* /proc and /etc are the host's */
	if (!state_path(env, path, sizeof(path), "/proc") || !(d = opendir(path))) {
		env->owner_uid = saved;
		docker_root_from_config(env, "/etc/docker/daemon.json");
		return 0;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (!state_path(env, path, sizeof(path), "/proc/%s/comm", e->d_name) ||
		    read_capped(env, path, 64, &buf, &len))
			continue;
		if (strcmp(buf, "dockerd\n")) {
			free(buf);
			continue;
		}
		free(buf);
		if (state_path(env, path, sizeof(path), "/proc/%s/cmdline", e->d_name) &&
		    !read_capped(env, path, 1 << 16, &buf, &len)) {
			docker_root_from_cmdline(env, buf, len);
			free(buf);
		}
	}
	closedir(d);
	if (!env->n_docker_roots)
		docker_root_from_config(env, "/etc/docker/daemon.json");
	env->owner_uid = saved;
	return 0;
}

static bool docker_from_roots(struct ct_env *env, struct ct_info *out)
{
	for (int i = 0; i < env->n_docker_roots; i++)
		if (ctstate__docker(env, env->docker_roots[i], out->id, out) == 0)
			return true;
	return false;
}

/* The roots found before first; found again on a miss, at most once per CT_DOCKER_RESCAN_NS. */
static enum ct_state name_docker(struct ct_env *env, __u64 now_ns, struct ct_info *out)
{
	if (env->docker_roots_at && docker_from_roots(env, out))
		return CT_STATE_NAMED;
	if (env->docker_roots_at && now_ns - env->docker_roots_at < CT_DOCKER_RESCAN_NS)
		return CT_STATE_UNNAMED;
	ctstate__docker_roots(env);
	env->docker_roots_at = now_ns ? now_ns : 1;
	return docker_from_roots(env, out) ? CT_STATE_NAMED : CT_STATE_UNNAMED;
}

/* The OCI runtimes' state roots that may hold a container of runtime rt. */
static int state_roots(const struct ct_match *m, char roots[][320], int max)
{
	int n = 0;

	if (m->owner_uid >= 0) {
		snprintf(roots[n++], 320, "/run/user/%ld/runc", m->owner_uid);
		snprintf(roots[n++], 320, "/run/user/%ld/crun", m->owner_uid);
		return n;
	}
	if (m->runtime == CT_RT_CONTAINERD || m->runtime == CT_RT_CRI)
		snprintf(roots[n++], 320, "/run/containerd/runc/%s", m->ns[0] ? m->ns : "k8s.io");
	if (m->runtime != CT_RT_CONTAINERD && n + 2 <= max) {
		strcpy(roots[n++], "/run/runc");
		strcpy(roots[n++], "/run/crun");
	}
	return n;
}

static enum ct_state name_from_bundle(struct ct_env *env, const struct ct_match *m, struct ct_info *out)
{
	char roots[4][320], bundle[4096];
	int n = state_roots(m, roots, 4), r = -ENOENT;

	if (m->ns[0] && !path_safe(m->ns))
		return m->confirm ? CT_STATE_NOT_FOUND : CT_STATE_UNNAMED;
	for (int i = 0; i < n && r; i++)
		r = ctstate__runc_bundle(env, roots[i], m->id, bundle, sizeof(bundle));
	if (r)
		return m->confirm ? CT_STATE_NOT_FOUND : CT_STATE_UNNAMED;
	if (out->runtime == CT_RT_PODMAN)
		return ctstate__podman(env, bundle, m->id, out) == 0 ? CT_STATE_NAMED : CT_STATE_UNNAMED;
	if (ctstate__annotations(env, bundle, out) == 0)
		return CT_STATE_NAMED;
	if (out->runtime == CT_RT_CONTAINERD) {
		/* ctr and other clients: the id is the only name containerd keeps outside its database */
		snprintf(out->name, sizeof(out->name), "%s", m->id);
		return CT_STATE_NAMED;
	}
	return CT_STATE_UNNAMED;
}

enum ct_state ctstate__name(struct ct_env *env, const struct ct_match *m, __u64 now_ns, struct ct_info *out)
{
	enum ct_state st = CT_STATE_UNNAMED;

	memset(out, 0, sizeof(*out));
	out->runtime = m->runtime;
	out->kind = m->kind;
	memcpy(out->id, m->id, sizeof(out->id));
	memcpy(out->ns, m->ns, sizeof(out->ns));
	memcpy(out->pod_uid, m->pod_uid, sizeof(out->pod_uid));
	if (m->kind == CT_KIND_HOST)
		return CT_STATE_NOT_FOUND;
	if (!m->id[0])
		return CT_STATE_UNNAMED; /* conmon of all of Podman's containers */
	env->owner_uid = m->owner_uid;
	switch (m->runtime) {
	case CT_RT_DOCKER:
		st = m->owner_uid < 0 ? name_docker(env, now_ns, out) : CT_STATE_UNNAMED;
		break;
	case CT_RT_PODMAN:
	case CT_RT_CONTAINERD:
	case CT_RT_CRIO:
	case CT_RT_CRI:
		st = name_from_bundle(env, m, out);
		break;
	case CT_RT_NSPAWN:
	case CT_RT_LXC:
		snprintf(out->name, sizeof(out->name), "%s", m->id);
		st = CT_STATE_NAMED;
		break;
	default:
		break;
	}
	env->owner_uid = -1;
	return st;
}
