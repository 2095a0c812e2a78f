// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <string.h>

#include "base/escape.h"
#include "kernel/containers.h"
#include "kernel/sigorigin.h"
#include "views/ctfmt.h"

const struct ct_subject *ctfmt__of_proc(struct ctreg *reg, const struct proc *p)
{
	return reg && p ? ctreg__subject(reg, p->cgroup_id, p->cgroup1_id) : NULL;
}

const struct ct_subject *ctfmt__of_hdr(struct ctreg *reg, const struct pl_hdr *h)
{
	return reg ? ctreg__subject(reg, h->cgroup_id, h->flags & PL_F_NO_IDENTITY ? 0 : h->cgroup1_id) : NULL;
}

const struct ct_ref *ctfmt__container(struct ctreg *reg, const struct proc *p)
{
	const struct ct_subject *s = ctfmt__of_proc(reg, p);

	return s ? s->ct : NULL;
}

const struct ct_ref *ctfmt__target(struct ctreg *reg, const struct model *m, const struct pl_signal *e,
				   bool *crosses)
{
	const struct proc *t = m && e->target_pid ? model__find(m, e->target_pid) : NULL;
	const struct ct_subject *to = ctfmt__of_proc(reg, t), *from = ctfmt__of_hdr(reg, &e->h);

	/* Sent by a process (the kernel's own, SIGCHLD to a runtime's shim, cross nothing a tenant chose). */
	*crosses = to && from && to->cgroup && from->cgroup && to->ct != from->ct &&
		   !sig__origin(e->sig, e->info_code, e->info_kind, e->syscall, false);
	return to ? to->ct : NULL;
}

/* A string of the container, or null when not known (""). */
static void kv_known(struct json *j, const char *k, const char *v)
{
	json__key(j, k);
	if (*v)
		json__string(j, v, strlen(v));
	else
		json__null(j);
}

void ctfmt__json(struct json *j, const char *key, const struct ct_ref *ct)
{
	const struct ct_info *ci = ct ? &ct->info : NULL;

	json__key(j, key);
	if (!ci) {
		json__null(j);
		return;
	}
	json__begin_object(j);
	json__kv_cstr(j, "runtime", containers__runtime_name(ci->runtime));
	kv_known(j, "id", ci->id);
	kv_known(j, "name", ci->name);
	kv_known(j, "image", ci->image);
	kv_known(j, "pod", ci->pod);
	kv_known(j, "namespace", ci->pod_namespace);
	kv_known(j, "pod_uid", ci->pod_uid);
	kv_known(j, "container", ci->container);
	json__end_object(j);
}

void ctfmt__json_fields(struct json *j, const struct ct_subject *s)
{
	json__kv_cstr(j, "cgroup", s ? s->cgroup : NULL);
	ctfmt__json(j, "container", s ? s->ct : NULL);
}

static void short_id(struct outbuf *ob, const struct ct_info *ci)
{
	size_t n = strlen(ci->id);

	/* A 64-hex id is cut as the runtimes cut it; a name-like id (nspawn, LXC, containerd) is kept. */
	escape__text(ob, ci->id, containers__is_hex64(ci->id, n) ? CTFMT_SHORT_ID : n);
}

/* The name people know it by: Kubernetes' namespace/pod/container, else the runtime's; "" when not named. */
static void name(struct outbuf *ob, const struct ct_info *ci)
{
	if (ci->pod[0]) {
		escape__text(ob, ci->pod_namespace, strlen(ci->pod_namespace));
		outbuf__putc(ob, '/');
		escape__text(ob, ci->pod, strlen(ci->pod));
		outbuf__putc(ob, '/');
	}
	escape__text(ob, ci->name, strlen(ci->name));
}

void ctfmt__tag(struct outbuf *ob, const struct ct_ref *ct)
{
	const struct ct_info *ci = &ct->info;

	outbuf__puts(ob, containers__runtime_name(ci->runtime));
	outbuf__putc(ob, ' ');
	if (ci->name[0]) {
		name(ob, ci);
		outbuf__putc(ob, ' ');
	}
	short_id(ob, ci);
}

/* Copies the first max columns of s (len bytes, escaped text) to ob; one cut short ends in '~'. */
static void put_cols(struct outbuf *ob, const char *s, size_t len, unsigned max)
{
	unsigned cols = 0;
	size_t i = 0;

	for (; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cols++ == max)
			break;
	}
	if (i < len && max > 0) {
		/* Cut: back to the start of the last character kept, and a '~' in its place. */
		while (i > 0 && ((unsigned char)s[--i] & 0xc0) == 0x80)
			;
		outbuf__write(ob, s, i);
		outbuf__putc(ob, '~');
		return;
	}
	outbuf__write(ob, s, i);
}

void ctfmt__short(struct outbuf *ob, const struct ct_ref *ct, unsigned max)
{
	const struct ct_info *ci = &ct->info;
	struct outbuf tmp;
	char buf[2048];

	/* Built in memory first, then cut to max columns. */
	if (outbuf__init(&tmp, -1, sizeof(buf)) < 0)
		return;
	if (ci->name[0] && ci->pod[0]) {
		escape__text(&tmp, ci->pod, strlen(ci->pod));
		outbuf__putc(&tmp, '/');
		escape__text(&tmp, ci->name, strlen(ci->name));
	} else if (ci->name[0]) {
		escape__text(&tmp, ci->name, strlen(ci->name));
	} else {
		outbuf__puts(&tmp, containers__runtime_name(ci->runtime));
		outbuf__putc(&tmp, ':');
		short_id(&tmp, ci);
	}
	put_cols(ob, tmp.data, tmp.len, max);
	outbuf__free(&tmp);
}

void ctfmt__column(struct outbuf *ob, const struct ct_ref *ct)
{
	size_t start = ob->len, cols;

	if (ct)
		ctfmt__short(ob, ct, CTFMT_COLUMN - 1);
	/* Columns, not bytes: a name in UTF-8 takes fewer columns than bytes. */
	cols = 0;
	for (size_t i = start; i < ob->len; i++)
		cols += ((unsigned char)ob->data[i] & 0xc0) != 0x80;
	do
		outbuf__putc(ob, ' ');
	while (++cols < CTFMT_COLUMN);
}
