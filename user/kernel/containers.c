// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The cgroup names of the runtimes, as they make them (cgroupfs driver and
 * systemd driver), learnt from the runtimes and from how Tetragon, Falco's
 * libsinsp and Inspektor Gadget parse them; tests/unit/kernel/
 * test_containers.c holds one real path of each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cgroups.h"
#include "kernel/containers.h"

static const char *const runtime_names[CT_RT_COUNT] = {
	[CT_RT_NONE] = "",
	[CT_RT_DOCKER] = "docker",
	[CT_RT_PODMAN] = "podman",
	[CT_RT_CONTAINERD] = "containerd",
	[CT_RT_CRIO] = "cri-o",
	[CT_RT_CRI] = "cri",
	[CT_RT_NSPAWN] = "systemd-nspawn",
	[CT_RT_LXC] = "lxc",
};

const char *containers__runtime_name(enum ct_runtime rt)
{
	return rt < CT_RT_COUNT ? runtime_names[rt] : "";
}

enum id_form {
	ID_HEX64, /* 64 lowercase hex digits */
	ID_NAME,  /* any non-empty name */
	ID_UNIT,  /* a systemd unit name part, \xNN-escaped (machine-foo\x2dbar.scope) */
	ID_NONE,  /* the component is exactly prefix + suffix */
};

enum parent_rule {
	P_ANY,   /* anywhere */
	P_NAMED, /* only right below a component named `parent` */
	P_POD,   /* only right below a Kubernetes pod component */
};

struct ct_pattern {
	enum parent_rule rule;
	const char *parent;
	const char *prefix, *suffix;
	enum id_form form;
	enum ct_runtime runtime;
	enum ct_kind kind;
};

/* One path component each; the first that fits wins. */
static const struct ct_pattern patterns[] = {
	/* cgroupfs Kubernetes: kubepods[/<qos>]/pod<uid>/<id>, whatever the runtime */
	{ P_POD,   NULL,            "",                "",       ID_HEX64, CT_RT_CRI,        CT_KIND_CONTAINER },
	/* Docker: cgroupfs /docker/<id>, systemd docker-<id>.scope */
	{ P_NAMED, "docker",        "",                "",       ID_HEX64, CT_RT_DOCKER,     CT_KIND_CONTAINER },
	{ P_ANY,   NULL,            "docker-",         ".scope", ID_HEX64, CT_RT_DOCKER,     CT_KIND_CONTAINER },
	/* Podman: systemd libpod-<id>.scope (conmon: libpod-conmon-<id>.scope), cgroupfs
	 * /libpod_parent/libpod-<id> (conmon of every container: /libpod_parent/conmon) */
	{ P_ANY,   NULL,            "libpod-conmon-",  ".scope", ID_HEX64, CT_RT_PODMAN,     CT_KIND_RUNTIME },
	{ P_ANY,   NULL,            "libpod-",         ".scope", ID_HEX64, CT_RT_PODMAN,     CT_KIND_CONTAINER },
	{ P_ANY,   NULL,            "libpod-",         "",       ID_HEX64, CT_RT_PODMAN,     CT_KIND_CONTAINER },
	{ P_NAMED, "libpod_parent", "conmon",          "",       ID_NONE,  CT_RT_PODMAN,     CT_KIND_RUNTIME },
	/* containerd's CRI plugin with the systemd driver */
	{ P_ANY,   NULL,            "cri-containerd-", ".scope", ID_HEX64, CT_RT_CONTAINERD, CT_KIND_CONTAINER },
	/* CRI-O: crio-<id>[.scope], its conmon crio-conmon-<id>[.scope] */
	{ P_ANY,   NULL,            "crio-conmon-",    ".scope", ID_HEX64, CT_RT_CRIO,       CT_KIND_RUNTIME },
	{ P_ANY,   NULL,            "crio-conmon-",    "",       ID_HEX64, CT_RT_CRIO,       CT_KIND_RUNTIME },
	{ P_ANY,   NULL,            "crio-",           ".scope", ID_HEX64, CT_RT_CRIO,       CT_KIND_CONTAINER },
	{ P_ANY,   NULL,            "crio-",           "",       ID_HEX64, CT_RT_CRIO,       CT_KIND_CONTAINER },
	/* LXC 4+ (and LXD): lxc.payload.<name>, its monitor lxc.monitor.<name>; before: /lxc/<name> */
	{ P_ANY,   NULL,            "lxc.payload.",    "",       ID_NAME,  CT_RT_LXC,        CT_KIND_CONTAINER },
	{ P_ANY,   NULL,            "lxc.monitor.",    "",       ID_NAME,  CT_RT_LXC,        CT_KIND_RUNTIME },
	{ P_NAMED, "lxc",           "",                "",       ID_NAME,  CT_RT_LXC,        CT_KIND_CONTAINER },
	/* systemd-nspawn registers machine-<name>.scope (libvirt's VMs too: see match_one) */
	{ P_ANY,   NULL,            "machine-",        ".scope", ID_UNIT,  CT_RT_NSPAWN,     CT_KIND_CONTAINER },
};

bool containers__is_hex64(const char *s, size_t len)
{
	if (len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A systemd unit name part, \xNN unescaped (unit_name_unescape). false: too long or empty. */
static bool unescape_unit(const char *s, size_t n, char *out, size_t size)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 3 < n && s[i + 1] == 'x' && hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			c = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		}
		if (c == '\0' || w + 1 >= size)
			return false;
		out[w++] = c;
	}
	out[w] = '\0';
	return w > 0;
}

struct comp {
	const char *s;
	size_t n;
};

static bool comp_is(struct comp c, const char *name)
{
	return c.n == strlen(name) && memcmp(c.s, name, c.n) == 0;
}

static bool comp_starts(struct comp c, const char *prefix)
{
	size_t n = strlen(prefix);

	return c.n >= n && memcmp(c.s, prefix, n) == 0;
}

static bool comp_ends(struct comp c, const char *suffix)
{
	size_t n = strlen(suffix);

	return c.n >= n && memcmp(c.s + c.n - n, suffix, n) == 0;
}

/* Whether c fits p (its parent rule already held); the id, if any, into m->id. */
static bool match_one(const struct ct_pattern *p, struct comp c, struct ct_match *m)
{
	size_t pre = strlen(p->prefix), suf = strlen(p->suffix), n;
	const char *id = c.s + pre;

	if (c.n < pre + suf || !comp_starts(c, p->prefix) || !comp_ends(c, p->suffix))
		return false;
	n = c.n - pre - suf;
	switch (p->form) {
	case ID_HEX64:
		if (!containers__is_hex64(id, n))
			return false;
		memcpy(m->id, id, n);
		m->id[n] = '\0';
		return true;
	case ID_NAME:
		if (n == 0 || n >= sizeof(m->id))
			return false;
		memcpy(m->id, id, n);
		m->id[n] = '\0';
		return true;
	case ID_UNIT:
		/* libvirt registers its VMs as machine-qemu\x2dN\x2dNAME.scope: a VM's qemu is no container. */
		return unescape_unit(id, n, m->id, sizeof(m->id)) && strncmp(m->id, "qemu-", 5) != 0;
	case ID_NONE:
		m->id[0] = '\0';
		return n == 0;
	}
	return false;
}

/* kubepods-[<qos>-]pod<uid>.slice (systemd) or pod<uid> below kubepods[/<qos>] (cgroupfs). */
static bool pod_component(struct comp c, struct comp parent, bool below_kubepods, char *out)
{
	char uid[CT_UID_MAX];
	const char *u;
	size_t n;

	if (comp_starts(c, "kubepods-") && comp_ends(c, ".slice")) {
		u = c.s + strlen("kubepods-");
		if (!strncmp(u, "besteffort-", 11))
			u += 11;
		else if (!strncmp(u, "burstable-", 10))
			u += 10;
		if (strncmp(u, "pod", 3))
			return false;
		u += 3;
		n = c.s + c.n - strlen(".slice") - u;
	} else if (below_kubepods && comp_starts(c, "pod") &&
		   (comp_is(parent, "kubepods") || comp_is(parent, "besteffort") || comp_is(parent, "burstable"))) {
		u = c.s + 3;
		n = c.n - 3;
	} else {
		return false;
	}
	if (n == 0 || n >= CT_UID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = u[i] == '_' ? '-' : u[i];

		if (!(hexval(ch) >= 0 || ch == '-'))
			return false;
		uid[i] = ch;
	}
	memcpy(out, uid, n);
	out[n] = '\0';
	return true;
}

/* user@UID.service: the uid, or -1. */
static long user_service_uid(struct comp c)
{
	long uid = 0;
	size_t i;

	if (!comp_starts(c, "user@") || !comp_ends(c, ".service") || c.n <= strlen("user@.service"))
		return -1;
	for (i = 5; i < c.n - strlen(".service"); i++) {
		if (c.s[i] < '0' || c.s[i] > '9' || uid > 0x7fffffff / 10)
			return -1;
		uid = uid * 10 + (c.s[i] - '0');
	}
	return uid;
}

/* containerd's identifier rule (namespaces and container ids): [A-Za-z0-9]([A-Za-z0-9_.-]*), at most 76. */
static bool containerd_identifier(struct comp c)
{
	static const char *const units[] = { ".slice", ".scope", ".service", ".mount", ".socket" };

	if (c.n == 0 || c.n > 76)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (comp_ends(c, units[i]))
			return false; /* systemd's: the host's own tree */
	for (size_t i = 0; i < c.n; i++) {
		char ch = c.s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			return false;
	}
	return true;
}

/* Top-level names other runtimes' patterns hang below: no containerd namespace. */
static const char *const not_namespaces[] = { "docker", "kubepods", "libpod_parent", "lxc" };

static void containerd_candidate(const char *path, struct ct_match *m)
{
	struct comp ns, id;

	ns.s = path + 1;
	ns.n = strcspn(ns.s, "/");
	if (ns.s[ns.n] != '/')
		return;
	id.s = ns.s + ns.n + 1;
	id.n = strcspn(id.s, "/");
	if (!containerd_identifier(ns) || !containerd_identifier(id))
		return;
	for (size_t i = 0; i < sizeof(not_namespaces) / sizeof(not_namespaces[0]); i++)
		if (comp_is(ns, not_namespaces[i]))
			return;
	m->kind = CT_KIND_CONTAINER;
	m->runtime = CT_RT_CONTAINERD;
	m->confirm = true;
	memcpy(m->ns, ns.s, ns.n);
	m->ns[ns.n] = '\0';
	memcpy(m->id, id.s, id.n);
	m->id[id.n] = '\0';
	m->root_len = id.s + id.n - path;
}

int containers__match(const char *path, struct ct_match *m)
{
	struct comp c = { path, 0 }, parent = { "", 0 };
	bool below_kubepods = false, prev_pod = false;
	size_t len = strnlen(path, CG_PATH_MAX);

	memset(m, 0, sizeof(*m));
	m->owner_uid = -1;
	if (len >= CG_PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] != '/')
		return -EINVAL;
	for (const char *p = path + 1; *p; p = c.s + c.n + (c.s[c.n] == '/')) {
		c.s = p;
		c.n = strcspn(p, "/");
		if (c.n == 0)
			continue; /* "//" */
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			const struct ct_pattern *pt = &patterns[i];

			if ((pt->rule == P_NAMED && !comp_is(parent, pt->parent)) || (pt->rule == P_POD && !prev_pod))
				continue;
			if (match_one(pt, c, m)) {
				m->kind = pt->kind;
				m->runtime = pt->runtime;
				m->root_len = c.s + c.n - path;
				return 1;
			}
		}
		m->id[0] = '\0';
		if (user_service_uid(c) >= 0)
			m->owner_uid = user_service_uid(c);
		prev_pod = pod_component(c, parent, below_kubepods, m->pod_uid);
		below_kubepods = below_kubepods || comp_is(c, "kubepods") ||
				 (comp_starts(c, "kubepods") && comp_ends(c, ".slice"));
		parent = c;
	}
	m->pod_uid[0] = '\0';
	if (m->owner_uid < 0)
		containerd_candidate(path, m);
	return m->kind != CT_KIND_HOST;
}
