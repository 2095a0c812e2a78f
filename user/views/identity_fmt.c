// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <string.h>

#include "base/escape.h"
#include "base/names.h"
#include "base/users.h"
#include "views/identity_fmt.h"

struct ident ident__of_hdr(const struct pl_hdr *h)
{
	struct ident id = { .known = !(h->flags & PL_F_NO_IDENTITY), .uid = h->uid, .gid = h->gid };

	if (id.known) {
		id.euid = h->euid;
		id.egid = h->egid;
		id.auid = h->auid;
		id.session = h->session;
		id.tty = h->tty;
	}
	return id;
}

struct ident ident__of_proc(const struct proc *p)
{
	struct ident id = { .known = (p->idflags & PROC_I_IDENTITY) && (p->idflags & PROC_I_IDS), .uid = p->uid,
			    .gid = p->gid };

	if (id.known) {
		id.euid = p->euid;
		id.egid = p->egid;
		id.auid = p->auid;
		id.session = p->session;
		id.tty = p->tty;
	}
	return id;
}

static void user_name(struct outbuf *ob, __u32 uid)
{
	const char *name = users__name(uid);

	if (name)
		escape__text(ob, name, strlen(name));
	else
		outbuf__u64(ob, uid);
}

void identity_fmt__user_text(struct outbuf *ob, const struct ident *id)
{
	user_name(ob, id->uid);
	if (id->known && id->auid != PL_ID_UNSET && id->auid != id->uid) {
		outbuf__putc(ob, '(');
		user_name(ob, id->auid);
		outbuf__putc(ob, ')');
	}
}

const char *identity_fmt__tty_str(const struct ident *id, char *buf, size_t size)
{
	if (!id->known)
		snprintf(buf, size, "?");
	else if (!id->tty)
		snprintf(buf, size, "-");
	else
		names__tty(id->tty, buf, size);
	return buf;
}

void identity_fmt__json_fields(struct json *j, const struct ident *id)
{
	char tty[TTY_STR_MAX];

	json__kv_u64_or_null(j, "euid", id->known, id->euid);
	json__kv_u64_or_null(j, "egid", id->known, id->egid);
	json__kv_u64_or_null(j, "auid", id->known && id->auid != PL_ID_UNSET, id->auid);
	json__kv_u64_or_null(j, "session", id->known && id->session != PL_ID_UNSET, id->session);
	json__key(j, "tty");
	if (id->known && id->tty)
		json__cstr(j, names__tty(id->tty, tty, sizeof(tty)));
	else
		json__null(j);
}

void identity_fmt__caps_json(struct json *j, __u64 caps)
{
	char buf[16];

	json__begin_array(j);
	for (unsigned bit = 0; bit < 64; bit++)
		if (caps & (1ull << bit))
			json__cstr(j, names__capability(bit, buf, sizeof(buf)));
	json__end_array(j);
}

void identity_fmt__creds_json(struct json *j, const struct pl_creds *c, bool ids_only)
{
	static const struct {
		const char *name;
		size_t at;
	} ids[] = {
		{ "uid", offsetof(struct pl_creds, uid) },     { "euid", offsetof(struct pl_creds, euid) },
		{ "suid", offsetof(struct pl_creds, suid) },   { "fsuid", offsetof(struct pl_creds, fsuid) },
		{ "gid", offsetof(struct pl_creds, gid) },     { "egid", offsetof(struct pl_creds, egid) },
		{ "sgid", offsetof(struct pl_creds, sgid) },   { "fsgid", offsetof(struct pl_creds, fsgid) },
	};

	json__begin_object(j);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		__u32 v;
		bool main_id = ids[i].at == offsetof(struct pl_creds, uid) || ids[i].at == offsetof(struct pl_creds, euid) ||
			       ids[i].at == offsetof(struct pl_creds, gid) || ids[i].at == offsetof(struct pl_creds, egid);

		memcpy(&v, (const char *)c + ids[i].at, sizeof(v));
		json__kv_u64_or_null(j, ids[i].name, !ids_only || main_id, v);
	}
	json__key(j, "groups");
	if (ids_only) {
		json__null(j);
	} else {
		json__begin_array(j);
		for (__u32 i = 0; i < c->ngroups && i < PL_GROUPS_MAX; i++)
			json__u64(j, c->groups[i]);
		json__end_array(j);
	}
	json__kv_u64_or_null(j, "ngroups", !ids_only, c->ngroups);
	json__key(j, "caps");
	if (ids_only) {
		json__null(j);
	} else {
		json__begin_object(j);
		json__key(j, "effective");
		identity_fmt__caps_json(j, c->cap_effective);
		json__key(j, "permitted");
		identity_fmt__caps_json(j, c->cap_permitted);
		json__key(j, "inheritable");
		identity_fmt__caps_json(j, c->cap_inheritable);
		json__key(j, "bounding");
		identity_fmt__caps_json(j, c->cap_bset);
		json__key(j, "ambient");
		identity_fmt__caps_json(j, c->cap_ambient);
		json__end_object(j);
	}
	json__kv_u64_or_null(j, "securebits", !ids_only, c->securebits);
	json__end_object(j);
}

static const char *old_from(__u32 cflags)
{
	return cflags & PL_C_OLD_KERNEL ? "kernel" : cflags & PL_C_OLD_MODEL ? "model" : NULL;
}

void identity_fmt__cred_json(struct json *j, const struct pl_cred *e)
{
	json__kv_cstr(j, "how", names__cred_how(e->how));
	json__kv_i64_or_null(j, "syscall_nr", e->nr >= 0, e->nr);
	json__key(j, "old");
	if (old_from(e->cflags))
		identity_fmt__creds_json(j, &e->old, e->cflags & PL_C_OLD_IDS);
	else
		json__null(j);
	json__kv_cstr(j, "old_from", old_from(e->cflags));
	json__key(j, "new");
	identity_fmt__creds_json(j, &e->new, false);
	json__kv_bool(j, "setid", e->h.flags & PL_F_SETID);
}

/* " NAME OLD->NEW" when it changed; "?" for an old value not known. */
static void id_change(struct outbuf *ob, const char *name, __u32 old, __u32 new, bool old_known)
{
	if (old_known && old == new)
		return;
	outbuf__printf(ob, " %s ", name);
	if (old_known)
		outbuf__u64(ob, old);
	else
		outbuf__putc(ob, '?');
	outbuf__puts(ob, "->");
	outbuf__u64(ob, new);
}

/* Capabilities named one by one in a change at most; more are said as the two sets. */
#define CAPS_NAMED_MAX 4

/* " cap_eff +CAP_X -CAP_Y" for what changed; a known old set only (else " cap_eff=0x..."). */
static void caps_change(struct outbuf *ob, const char *name, __u64 old, __u64 new, bool old_known)
{
	char buf[16];

	if (!old_known) {
		outbuf__printf(ob, " %s=%#llx", name, (unsigned long long)new);
		return;
	}
	if (old == new)
		return;
	/* Many at once (all of root's): the sets, not a screenful of names. */
	if (__builtin_popcountll(old ^ new) > CAPS_NAMED_MAX) {
		outbuf__printf(ob, " %s %#llx->%#llx", name, (unsigned long long)old, (unsigned long long)new);
		return;
	}
	outbuf__printf(ob, " %s", name);
	for (unsigned bit = 0; bit < 64; bit++) {
		__u64 m = 1ull << bit;

		if ((old ^ new) & m)
			outbuf__printf(ob, " %c%s", new & m ? '+' : '-', names__capability(bit, buf, sizeof(buf)));
	}
}

void identity_fmt__cred_text(struct outbuf *ob, const struct pl_cred *e)
{
	const struct pl_creds *o = &e->old, *n = &e->new;
	bool known = e->cflags & (PL_C_OLD_KERNEL | PL_C_OLD_MODEL);
	bool all = known && !(e->cflags & PL_C_OLD_IDS);
	size_t start = ob->len;

	outbuf__puts(ob, names__cred_how(e->how));
	outbuf__putc(ob, ':');
	id_change(ob, "uid", o->uid, n->uid, known);
	id_change(ob, "euid", o->euid, n->euid, known);
	id_change(ob, "suid", o->suid, n->suid, all);
	id_change(ob, "fsuid", o->fsuid, n->fsuid, all);
	id_change(ob, "gid", o->gid, n->gid, known);
	id_change(ob, "egid", o->egid, n->egid, known);
	id_change(ob, "sgid", o->sgid, n->sgid, all);
	id_change(ob, "fsgid", o->fsgid, n->fsgid, all);
	if (!all || o->ngroups != n->ngroups || memcmp(o->groups, n->groups, sizeof(o->groups))) {
		outbuf__puts(ob, " groups ");
		for (__u32 i = 0; i < n->ngroups && i < PL_GROUPS_MAX; i++) {
			if (i)
				outbuf__putc(ob, ',');
			outbuf__u64(ob, n->groups[i]);
		}
		if (n->ngroups > PL_GROUPS_MAX)
			outbuf__printf(ob, ",... (%u)", n->ngroups);
		if (!n->ngroups)
			outbuf__puts(ob, "none");
	}
	caps_change(ob, "cap_eff", o->cap_effective, n->cap_effective, all);
	caps_change(ob, "cap_prm", o->cap_permitted, n->cap_permitted, all);
	caps_change(ob, "cap_inh", o->cap_inheritable, n->cap_inheritable, all);
	caps_change(ob, "cap_bnd", o->cap_bset, n->cap_bset, all);
	caps_change(ob, "cap_amb", o->cap_ambient, n->cap_ambient, all);
	if (all && o->securebits != n->securebits)
		outbuf__printf(ob, " securebits %#x->%#x", o->securebits, n->securebits);
	if (ob->len == start + strlen(names__cred_how(e->how)) + 1)
		outbuf__puts(ob, " no change");
	if (e->h.flags & PL_F_SETID)
		outbuf__puts(ob, " [setid]");
}
